-- Scheduling materialization with pg_cron, without waiting for its tick
-- (test/t/008_schedule.pl does that): feast_schedule and feast_unschedule
-- create, update and remove the project's job (name, command, database,
-- user); the job's command, feast_materialize_scheduled, run by hand,
-- materializes each online view in its own transaction, records a failing
-- view and ends in an error naming it; feast.feature_view_freshness;
-- ownership. Jobs made here never fire: their schedules name February 30
-- and 31, or they are rolled back.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE EXTENSION pg_cron;

-- Source rows within the last day: incremental materialization starts 52
-- weeks (or the ttl) before now() the first time.
CREATE TABLE public.sch_stats (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.sch_stats VALUES
	(1, now() - interval '3 hours', 0.1),
	(1, now() - interval '2 hours', 0.2),
	(2, now() - interval '1 hour', 0.3),
	(3, now() - interval '3 hours', 0.4);
CREATE TABLE public.sch_gone (driver_id bigint, ts timestamptz, conv real);
-- views in name order: one before the broken one, one after it, one offline
SELECT count(*) FROM feast_apply($y$
project: sch_a
online_store: {type: postgres, db_schema: sch_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.sch_stats, timestamp_field: ts}
  - {name: gone, type: table, table: public.sch_gone, timestamp_field: ts}
feature_views:
  - {name: a_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
  - {name: b_broken, entities: [driver], source: gone, schema: [{name: conv, dtype: Float32}]}
  - {name: c_stats, entities: [driver], source: stats, ttl: 150m, schema: [{name: conv, dtype: Float32}]}
  - {name: d_offline, entities: [driver], source: stats, online: false, schema: [{name: conv, dtype: Float32}]}
$y$);
SELECT count(*) FROM feast_apply($y$
project: sch_b
online_store: {type: postgres, db_schema: sch_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.sch_stats, timestamp_field: ts}]
feature_views:
  - {name: stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- a name to quote: apostrophe, double quote, backslash
SELECT count(*) FROM feast_apply($y$
project: 'it''s "q" \'
online_store: {type: postgres, db_schema: sch_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.sch_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
DROP TABLE public.sch_gone;

---------------------------------------------------------------------------
-- One job per project
---------------------------------------------------------------------------
SELECT feast_schedule('0 0 31 2 *', 'sch_a') AS job_a \gset
SELECT feast_schedule('0 0 31 2 *', 'sch_b') AS job_b \gset
SELECT :job_a <> :job_b AS two_jobs;
SELECT jobid = :job_a AS is_job_a, jobname, schedule, command,
	   database = current_database() AS in_this_database,
	   username = current_user AS as_me, active
FROM cron.job ORDER BY jobname COLLATE "C";
-- again: the same job, with the new schedule
SELECT feast_schedule('0 0 30 2 *', 'sch_a') = :job_a AS same_job;
SELECT jobname, schedule FROM cron.job ORDER BY jobname COLLATE "C";
-- the default schedule and the default project (offline_store.project),
-- rolled back so that pg_cron never sees the job
BEGIN;
SET LOCAL offline_store.project = 'sch_b';
SELECT feast_schedule() = :job_b AS same_job;
SELECT jobname, schedule FROM cron.job ORDER BY jobname COLLATE "C";
ROLLBACK;
SELECT jobname, schedule FROM cron.job ORDER BY jobname COLLATE "C";
-- the project is a quoted literal in the command
SELECT feast_schedule('0 0 31 2 *', $$it's "q" \$$) > 0 AS scheduled;
SELECT jobname, command FROM cron.job WHERE jobname LIKE 'feast\_materialize:it%';
-- run by hand, the command materializes that project
SELECT command FROM cron.job WHERE jobname LIKE 'feast\_materialize:it%' \gexec
SELECT project, feature_view, status FROM feast.materialization_runs
WHERE project LIKE 'it%' ORDER BY run_id;
SELECT feast_unschedule($$it's "q" \$$) AS removed;

---------------------------------------------------------------------------
-- The job's command by hand, with one broken view: the views before and
-- after it are materialized and committed, its failure is recorded and
-- committed, and the command ends in an error naming it
---------------------------------------------------------------------------
SELECT command FROM cron.job WHERE jobname = 'feast_materialize:sch_a' \gexec
SELECT driver_id, conv FROM sch_online.sch_a_a_stats ORDER BY driver_id;
-- c_stats has a ttl of 150 minutes: the rows of 3 hours ago are out
SELECT driver_id, conv FROM sch_online.sch_a_c_stats ORDER BY driver_id;
SELECT feature_view, incremental, status, error, rows_read, rows_written,
	   end_date <= started_at AS ends_at_its_transaction_start,
	   CASE feature_view WHEN 'c_stats' THEN end_date - start_date = interval '150 minutes'
			ELSE end_date - start_date = interval '52 weeks' END AS start_by_ttl,
	   finished_at >= started_at AS finished_after_start
FROM feast.materialization_runs WHERE project = 'sch_a' ORDER BY run_id;
SELECT feature_view, end_date - start_date AS window
FROM feast.materialization_intervals WHERE project = 'sch_a' ORDER BY feature_view;

---------------------------------------------------------------------------
-- Freshness: one row per online view; never run, succeeded, failed
---------------------------------------------------------------------------
SELECT project, feature_view, materialized_until IS NOT NULL AS materialized,
	   lag >= interval '0' AS lag_known, last_run_at IS NOT NULL AS has_run,
	   last_status, last_error
FROM feast.feature_view_freshness
WHERE project LIKE 'sch\_%' OR project LIKE 'it%'
ORDER BY project COLLATE "C", feature_view COLLATE "C";
SELECT f.feature_view, f.materialized_until = i.end_date AS until_last_end,
	   f.lag = now() - i.end_date AS lag_from_now,
	   f.last_run_at = r.started_at AS at_last_run
FROM feast.feature_view_freshness f
JOIN feast.materialization_intervals i ON i.project = f.project AND i.feature_view = f.feature_view
JOIN feast.materialization_runs r ON r.project = f.project AND r.feature_view = f.feature_view
WHERE f.project = 'sch_a' ORDER BY 1;
-- readable by everyone
SELECT has_table_privilege('public', 'feast.feature_view_freshness', 'SELECT') AS public_select;
-- the source is back: the next run succeeds, and freshness says so
CREATE TABLE public.sch_gone (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.sch_gone VALUES (7, now() - interval '5 minutes', 0.7);
CALL feast_materialize_scheduled('sch_a');
SELECT driver_id, conv FROM sch_online.sch_a_b_broken ORDER BY driver_id;
SELECT feature_view, materialized_until IS NOT NULL AS materialized, last_status, last_error
FROM feast.feature_view_freshness WHERE project = 'sch_a' ORDER BY feature_view COLLATE "C";
-- the failed run is still there, before the successful one
SELECT feature_view, status FROM feast.materialization_runs
WHERE project = 'sch_a' AND feature_view = 'b_broken' ORDER BY run_id;

---------------------------------------------------------------------------
-- Every view broken: each is tried, recorded and named (the error's
-- SQLSTATE is the first failure's)
---------------------------------------------------------------------------
ALTER TABLE public.sch_gone RENAME TO sch_gone_away;
ALTER TABLE public.sch_stats RENAME TO sch_stats_away;
CALL feast_materialize_scheduled('sch_a');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
ALTER TABLE public.sch_gone_away RENAME TO sch_gone;
ALTER TABLE public.sch_stats_away RENAME TO sch_stats;
SELECT feature_view, last_status FROM feast.feature_view_freshness
WHERE project = 'sch_a' ORDER BY feature_view COLLATE "C";

---------------------------------------------------------------------------
-- A cancel (here statement_timeout) is recorded for its view and ends the
-- run: the views after it are not tried
---------------------------------------------------------------------------
CREATE FUNCTION public.sch_slow_conv(real) RETURNS real LANGUAGE sql
AS 'SELECT $1 FROM pg_sleep(1)';
CREATE VIEW public.sch_slow AS
SELECT driver_id, ts, public.sch_slow_conv(conv) AS conv FROM public.sch_stats;
SELECT count(*) FROM feast_apply($y$
project: sch_c
online_store: {type: postgres, db_schema: sch_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: slow, type: table, table: public.sch_slow, timestamp_field: ts}
  - {name: stats, type: table, table: public.sch_stats, timestamp_field: ts}
feature_views:
  - {name: a_slow, entities: [driver], source: slow, schema: [{name: conv, dtype: Float32}]}
  - {name: b_after, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
SET statement_timeout = '1s';
CALL feast_materialize_scheduled('sch_c');
RESET statement_timeout;
SELECT feature_view, status, error FROM feast.materialization_runs
WHERE project = 'sch_c' ORDER BY run_id;
SELECT feature_view, last_status FROM feast.feature_view_freshness
WHERE project = 'sch_c' ORDER BY feature_view COLLATE "C";

---------------------------------------------------------------------------
-- Ownership: only members of the project's owner role (and superusers)
-- schedule it, unschedule it and run its command; the job runs as whoever
-- scheduled it
---------------------------------------------------------------------------
CREATE ROLE regress_sch_team NOLOGIN;
CREATE ROLE regress_sch_member LOGIN IN ROLE regress_sch_team;
CREATE ROLE regress_sch_outsider LOGIN;
GRANT EXECUTE ON FUNCTION feast_schedule(text, text), feast_unschedule(text),
	feast_materialize_incremental(timestamptz, text[], text)
	TO regress_sch_team, regress_sch_outsider;
GRANT EXECUTE ON PROCEDURE feast_materialize_scheduled(text) TO regress_sch_team, regress_sch_outsider;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA feast TO regress_sch_team, regress_sch_outsider;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA feast TO regress_sch_team, regress_sch_outsider;
GRANT SELECT ON public.sch_stats TO regress_sch_team;
GRANT USAGE ON SCHEMA sch_online TO regress_sch_team;
UPDATE feast.projects SET owner = 'regress_sch_team' WHERE name = 'sch_b';
CREATE TEMP TABLE sch_runs_before AS
SELECT count(*) AS n FROM feast.materialization_runs WHERE project = 'sch_b';
GRANT SELECT ON sch_runs_before TO PUBLIC;

SET ROLE regress_sch_outsider;
-- error: not a member of the owner role (pg_cron is never reached)
SELECT feast_schedule('0 0 31 2 *', 'sch_b');
SELECT feast_unschedule('sch_b');
CALL feast_materialize_scheduled('sch_b');
SELECT (SELECT count(*) FROM feast.materialization_runs WHERE project = 'sch_b') = n
	   AS nothing_recorded
FROM sch_runs_before;

SET ROLE regress_sch_team;
-- error: the owner role itself cannot log in, so pg_cron could not run its job
SELECT feast_schedule('0 0 31 2 *', 'sch_b');

SET ROLE regress_sch_member;
-- error: no USAGE on schema cron yet
SELECT feast_schedule('0 0 31 2 *', 'sch_b');
RESET ROLE;
GRANT USAGE ON SCHEMA cron TO regress_sch_member;
SET ROLE regress_sch_member;
-- a job of its own, run as the member; pg_cron shows each role its own jobs
SELECT feast_schedule('0 0 31 2 *', 'sch_b') <> :job_b AS own_job;
SELECT jobname, username, command FROM cron.job ORDER BY jobname COLLATE "C";
-- the command, as the member
SELECT command FROM cron.job WHERE jobname = 'feast_materialize:sch_b' \gexec
SELECT feature_view, status FROM feast.materialization_runs
WHERE project = 'sch_b' ORDER BY run_id;
SELECT feast_unschedule('sch_b') AS removed;
SELECT count(*) AS my_jobs FROM cron.job;
RESET ROLE;
-- the superuser's job of sch_b is still there
SELECT jobname, username = current_user AS as_me FROM cron.job ORDER BY jobname COLLATE "C";

---------------------------------------------------------------------------
-- feast_unschedule
---------------------------------------------------------------------------
SELECT feast_unschedule('sch_a') AS removed, feast_unschedule('sch_a') AS again;
SELECT feast_unschedule('sch_b') AS removed;
-- a rolled-back unschedule keeps the job
SELECT feast_schedule('0 0 31 2 *', 'sch_a') > 0 AS scheduled;
BEGIN;
SELECT feast_unschedule('sch_a') AS removed;
ROLLBACK;
SELECT jobname FROM cron.job ORDER BY 1;
SELECT feast_unschedule('sch_a') AS removed;
-- error: a job of that name and role for another database (a project sch_a
-- there) is not taken over; feast_unschedule here leaves it alone
SELECT cron.schedule_in_database('feast_materialize:sch_a', '0 0 31 2 *', 'SELECT 1', 'postgres') > 0
	   AS other_database_job;
DO $$BEGIN
	PERFORM feast_schedule('0 0 31 2 *', 'sch_a');
EXCEPTION WHEN duplicate_object THEN
	RAISE NOTICE '%', replace(SQLERRM, format('role "%s"', current_user), 'role <me>');
END$$;
SELECT feast_unschedule('sch_a') AS removed;
SELECT jobname, database, command FROM cron.job;
SELECT cron.unschedule('feast_materialize:sch_a');
SELECT count(*) AS jobs FROM cron.job;

-- Clean up.
DROP EXTENSION pg_cron;
SELECT count(*) FROM feast_apply($y$
project: sch_a
entities: []
sources: []
feature_views: []
$y$);
SELECT count(*) FROM feast_apply($y$
project: sch_c
entities: []
sources: []
feature_views: []
$y$);
SELECT count(*) FROM feast_apply($y$
project: 'it''s "q" \'
entities: []
sources: []
feature_views: []
$y$);
SELECT count(*) FROM feast_apply($y$
project: sch_b
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project LIKE 'sch\_%' OR project LIKE 'it%';
DELETE FROM feast.projects WHERE name LIKE 'sch\_%' OR name LIKE 'it%';
DROP SCHEMA sch_online;
DROP VIEW public.sch_slow;
DROP FUNCTION public.sch_slow_conv(real);
DROP TABLE public.sch_stats, public.sch_gone;
REVOKE ALL ON ALL TABLES IN SCHEMA feast FROM regress_sch_team, regress_sch_outsider;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA feast FROM regress_sch_team, regress_sch_outsider;
REVOKE ALL ON FUNCTION feast_schedule(text, text), feast_unschedule(text),
	feast_materialize_incremental(timestamptz, text[], text)
	FROM regress_sch_team, regress_sch_outsider;
REVOKE ALL ON PROCEDURE feast_materialize_scheduled(text) FROM regress_sch_team, regress_sch_outsider;
DROP TABLE sch_runs_before;
DROP ROLE regress_sch_member, regress_sch_outsider, regress_sch_team;
