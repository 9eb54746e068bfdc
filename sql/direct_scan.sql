-- offline_store.direct_scan: who may change it, and the second pass of the
-- feast_historical tests. With it on (the default), a source table that
-- the planner would only scan whole is read directly (src/historical_scan.c);
-- off, every source is read through the executor. The historical tests run
-- once each way with the same expected output: this file turns it off for
-- the database, the tests listed after it in REGRESS run again, and
-- direct_scan_reset turns it back on. sql/progress.sql shows which path a
-- read took.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
-- (the setting exists once the module is loaded)
LOAD 'offline_store';

SHOW offline_store.direct_scan;

-- Turning it on may not be left to any user (the direct scan is not seen by
-- executor hooks, which auditing may rely on): it is superuser-only, or
-- granted with GRANT SET ON PARAMETER.
CREATE ROLE regress_ds_user;
SET ROLE regress_ds_user;
-- error: permission denied
SET offline_store.direct_scan = off;
RESET ROLE;
GRANT SET ON PARAMETER offline_store.direct_scan TO regress_ds_user;
SET ROLE regress_ds_user;
SET offline_store.direct_scan = off;
SHOW offline_store.direct_scan;
RESET offline_store.direct_scan;
RESET ROLE;
REVOKE SET ON PARAMETER offline_store.direct_scan FROM regress_ds_user;
DROP ROLE regress_ds_user;

-- The tests that follow (until direct_scan_reset) read through the executor.
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET offline_store.direct_scan = off',
							  current_database());
END$$;
