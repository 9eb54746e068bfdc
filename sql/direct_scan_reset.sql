-- End of the feast_historical tests' second pass (see direct_scan.sql): the
-- setting was off for them; back to the default.
LOAD 'offline_store';
SHOW offline_store.direct_scan;
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET offline_store.direct_scan',
							  current_database());
END$$;
