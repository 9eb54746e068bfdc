-- pg_cron end to end (named to run last: it waits up to 90 s for the next
-- minute). A job running the documented command materializes; a failing
-- job leaves a message in cron.job_run_details that stands on its own.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE EXTENSION pg_cron;

CREATE TABLE public.cron_src (driver_id bigint, ts timestamptz, v integer);
INSERT INTO public.cron_src VALUES
	(1, now() - interval '10 minutes', 1),
	(1, now() - interval '5 minutes', 2),
	(2, now() - interval '2 hours', 3);
CREATE TABLE public.cron_gone (driver_id bigint, ts timestamptz, v integer);

SELECT count(*) AS objects FROM feast_apply($y$
project: cron_test
online_store: {type: postgres, db_schema: cron_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.cron_src, timestamp_field: ts}
feature_views:
  - {name: cron_view, entities: [driver], ttl: 1h, source: src, schema: [{name: v, dtype: Int32}]}
$y$);
SELECT count(*) AS objects FROM feast_apply($y$
project: cron_other
online_store: {type: postgres, db_schema: cron_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: gone_src, type: table, table: public.cron_gone, timestamp_field: ts}
feature_views:
  - {name: broken, entities: [driver], source: gone_src, schema: [{name: v, dtype: Int32}]}
$y$);
DROP TABLE public.cron_gone;

-- The jobs run in this database; its default project is cron_test.
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET offline_store.project = %L',
							  current_database(), 'cron_test');
END$$;

SELECT cron.schedule('feast-materialize', '* * * * *',
					 $$SELECT * FROM feast_materialize_incremental(now())$$) > 0 AS scheduled;
SELECT cron.schedule('feast-broken', '* * * * *',
					 $$SELECT * FROM feast_materialize_incremental(now(), ARRAY['broken'], 'cron_other')$$) > 0 AS scheduled;

-- Wait (at most 90 s) for a finished run of each job.
DO $$BEGIN
	FOR i IN 1..180 LOOP
		EXIT WHEN (SELECT count(DISTINCT j.jobname) FROM cron.job_run_details d
				   JOIN cron.job j USING (jobid)
				   WHERE d.status IN ('succeeded', 'failed')) = 2;
		PERFORM pg_sleep(0.5);
	END LOOP;
END$$;
SELECT DISTINCT ON (j.jobname) j.jobname, d.status, d.return_message
FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE d.status IN ('succeeded', 'failed')
ORDER BY j.jobname, d.runid;
SELECT cron.unschedule('feast-materialize');
SELECT cron.unschedule('feast-broken');

-- The successful run: the online table and the run record.
SELECT driver_id, v FROM cron_online.cron_test_cron_view ORDER BY driver_id;
SELECT feature_view, incremental, status, rows_read, rows_written
FROM feast.materialization_runs WHERE project = 'cron_test' ORDER BY run_id LIMIT 1;
-- The failed run left nothing.
SELECT count(*) AS broken_runs FROM feast.materialization_runs WHERE project = 'cron_other';
SELECT count(*) AS broken_intervals FROM feast.materialization_intervals WHERE project = 'cron_other';

-- Clean up.
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I RESET offline_store.project', current_database());
END$$;
DROP EXTENSION pg_cron;
SELECT count(*) AS deleted FROM feast_apply($y$
project: cron_test
online_store: {type: postgres, db_schema: cron_online}
entities: []
sources: []
feature_views: []
$y$);
SELECT count(*) AS deleted FROM feast_apply($y$
project: cron_other
online_store: {type: postgres, db_schema: cron_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project IN ('cron_test', 'cron_other');
DELETE FROM feast.projects WHERE name IN ('cron_test', 'cron_other');
DROP SCHEMA cron_online;
DROP TABLE public.cron_src;
