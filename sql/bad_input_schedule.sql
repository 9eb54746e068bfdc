-- Bad input for feast_schedule, feast_unschedule and the job's command,
-- feast_materialize_scheduled: NULLs, unknown or ambiguous projects, names
-- too long for a pg_cron job, schedules pg_cron refuses, text that tries
-- SQL, pg_cron missing, calls where the procedure cannot commit. Every
-- failure is an ERROR with its SQLSTATE, and nothing is written: the
-- registry, the runs and pg_cron's jobs stay as they were (bsc_fp()).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message / DETAIL / HINT, or 'no error' (a success is rolled
-- back too).
CREATE FUNCTION bsc_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RAISE EXCEPTION 'ok' USING ERRCODE = 'BSCOK';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	IF st = 'BSCOK' THEN
		RETURN 'no error';
	END IF;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
-- every registry table, the victim, and pg_cron's jobs when it is there
CREATE FUNCTION bsc_fp() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	acc text := '';
BEGIN
	FOR t IN SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
			 JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE (n.nspname IN ('feast', 'cron') OR (n.nspname = 'public' AND c.relname LIKE 'bsc\_%'))
			   AND c.relkind = 'r'
			 ORDER BY 1
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text COLLATE "C")), '''') FROM %s x', t)
			INTO part;
		acc := acc || t || '=' || part || ';';
	END LOOP;
	RETURN md5(acc);
END
$$;

CREATE TABLE public.bsc_stats (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.bsc_stats VALUES (1, now() - interval '1 hour', 0.5);
CREATE TABLE public.bsc_victim (x integer);
INSERT INTO public.bsc_victim VALUES (42);
SELECT count(*) FROM feast_apply($y$
project: bsc
online_store: {type: postgres, db_schema: bsc_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.bsc_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- a second project, so that a NULL project is ambiguous; its name makes a
-- pg_cron job name of 64 bytes, one too many
SELECT count(*) FROM feast_apply('project: bsc_long_project_name_xxxxxxxxxxxxxxxxxxxxxxxx');
SELECT octet_length('feast_materialize:' || name) AS job_name_bytes
FROM feast.projects WHERE name LIKE 'bsc\_long%';

---------------------------------------------------------------------------
-- pg_cron loaded (test/postgresql.conf) but not installed in this database,
-- which is cron.database_name
---------------------------------------------------------------------------
SELECT current_setting('cron.database_name') = current_database() AS pg_cron_is_for_this_database;
CREATE TEMP TABLE bsc_before AS SELECT bsc_fp() AS fp;
SELECT bsc_err($$SELECT feast_schedule('0 0 31 2 *', 'bsc')$$);
SELECT bsc_err($$SELECT feast_unschedule('bsc')$$);
SELECT bsc_fp() = fp AS unchanged FROM bsc_before;

CREATE EXTENSION pg_cron;
DROP TABLE bsc_before;
CREATE TEMP TABLE bsc_before AS SELECT bsc_fp() AS fp;

---------------------------------------------------------------------------
-- feast_schedule
---------------------------------------------------------------------------
SELECT a AS args, bsc_err(format('SELECT feast_schedule(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, 'bsc'$$,
	$$NULL$$,
	$$'', 'bsc'$$,
	$$'every minute', 'bsc'$$,
	$$'61 * * * *', 'bsc'$$,
	$$'* * * *', 'bsc'$$,
	$$'* * * * *''); DROP TABLE public.bsc_victim; --', 'bsc'$$,
	$$'* * * * * and more', 'bsc'$$,
	$$'@daily 0', 'bsc'$$,
	$$'@daily', 'bsc'$$,
	$$E'\t0  0 31\n2 * ', 'bsc'$$,
	$$'0 0 31 2 *'$$,
	$$'0 0 31 2 *', NULL$$,
	$$'0 0 31 2 *', ''$$,
	$$'0 0 31 2 *', 'nope'$$,
	$$'0 0 31 2 *', 'BSC'$$,
	$$'0 0 31 2 *', 'bsc''); DROP TABLE public.bsc_victim; --'$$,
	$$'0 0 31 2 *', 'bsc_long_project_name_xxxxxxxxxxxxxxxxxxxxxxxx'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;

---------------------------------------------------------------------------
-- feast_unschedule: a project that does not exist (any more) has no job
---------------------------------------------------------------------------
SELECT a AS args, bsc_err(format('SELECT feast_unschedule(%s)', a)) AS result
FROM unnest(ARRAY[
	$$$$,
	$$NULL$$,
	$$'bsc_long_project_name_xxxxxxxxxxxxxxxxxxxxxxxx'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT feast_unschedule('nope') AS removed, feast_unschedule('') AS removed_empty,
	   feast_unschedule('bsc') AS removed_bsc;

---------------------------------------------------------------------------
-- feast_materialize_scheduled (CALL only, so errors print as they come)
---------------------------------------------------------------------------
-- error: no such project, or no project named and two exist
CALL feast_materialize_scheduled('nope');
CALL feast_materialize_scheduled('');
CALL feast_materialize_scheduled();
CALL feast_materialize_scheduled(NULL);
-- error: where it cannot commit: a transaction block, a function
BEGIN;
CALL feast_materialize_scheduled('bsc');
ROLLBACK;
SELECT bsc_err($$CALL feast_materialize_scheduled('bsc')$$);
CREATE FUNCTION public.bsc_call() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	CALL feast_materialize_scheduled('bsc');
END
$$;
SELECT bsc_call();
DROP FUNCTION public.bsc_call();

-- nothing was written anywhere
SELECT bsc_fp() = fp AS unchanged FROM bsc_before;
SELECT x FROM public.bsc_victim;
SELECT count(*) AS jobs FROM cron.job;

-- Clean up.
DROP EXTENSION pg_cron;
SELECT count(*) FROM feast_apply('{project: bsc, entities: [], sources: [], feature_views: []}');
DELETE FROM feast.projects WHERE name LIKE 'bsc%';
DROP SCHEMA bsc_online;
DROP TABLE public.bsc_stats, public.bsc_victim;
DROP FUNCTION bsc_err(text), bsc_fp();
