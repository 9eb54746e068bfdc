-- Bad input for feast_materialize, feast_materialize_incremental,
-- feast_online_features, feast_push, feast_write_to_offline_store,
-- feast_pull_latest and feast_pull_all, and the _sql variants of the reads
-- (feast_online_features_sql, feast_pull_latest_sql, feast_pull_all_sql):
-- NULLs, empty values, unknown names,
-- names that try SQL, dates at +-infinity, rows queries that write, rows
-- that do not fit. Every failure is an ERROR with its SQLSTATE, and nothing
-- is written: online tables, sources, intervals and runs stay as they were
-- (bio_fp()).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message / DETAIL / HINT, or 'no error' (a success is rolled
-- back too).
CREATE FUNCTION bio_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RAISE EXCEPTION 'ok' USING ERRCODE = 'BIOOK';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	IF st = 'BIOOK' THEN
		RETURN 'no error';
	END IF;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
-- every registry table, the online tables and the sources
CREATE FUNCTION bio_fp() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	acc text := '';
BEGIN
	FOR t IN SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
			 JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE (n.nspname IN ('feast', 'bio_online') OR (n.nspname = 'public' AND c.relname LIKE 'bio\_%'))
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

CREATE TABLE public.bio_stats (driver_id bigint, ts timestamptz, created timestamptz,
							   conv real CHECK (conv >= 0));
INSERT INTO public.bio_stats VALUES
	(1, '2024-01-01 10:00', '2024-01-01 10:00', 0.1),
	(2, '2024-01-01 11:00', NULL, 0.2);
CREATE TABLE public.bio_ent (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.bio_ent VALUES (1, '2024-01-02'), (3, '2024-01-02');
CREATE TABLE public.bio_victim (x integer);
INSERT INTO public.bio_victim VALUES (42);
CREATE FUNCTION public.bio_write() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM public.bio_victim;
	RETURN true;
END
$$;
SELECT count(*) FROM feast_apply($y$
project: bio
online_store: {type: postgres, db_schema: bio_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.bio_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: stats_q, type: query, query: "SELECT * FROM public.bio_stats", timestamp_field: ts}
  - {name: push, type: push, batch_source: stats}
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: 1d, schema: [{name: conv, dtype: Float32}]}
  - {name: v_off, entities: [driver], source: stats, online: false, schema: [{name: conv, dtype: Float32}]}
  - {name: v_q, entities: [driver], source: stats_q, schema: [{name: conv, dtype: Float32}]}
  - {name: v_push, entities: [driver], source: push, schema: [{name: conv, dtype: Float32}]}
feature_services:
  - {name: svc, features: [v]}
$y$);
-- a second project, so that a NULL project is ambiguous
SELECT count(*) FROM feast_apply('project: bio_other');
CREATE TEMP TABLE bio_before AS SELECT bio_fp() AS fp;

---------------------------------------------------------------------------
-- feast_materialize and feast_materialize_incremental
---------------------------------------------------------------------------
SELECT a AS args, bio_err(format('SELECT * FROM feast_materialize(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, NULL, project => 'bio'$$,
	$$NULL, '2024-01-02', project => 'bio'$$,
	$$'2024-01-01', NULL, project => 'bio'$$,
	$$'2024-01-02', '2024-01-01', project => 'bio'$$,
	$$'2024-01-01 00:00:00.000001', '2024-01-01', project => 'bio'$$,
	$$'-infinity', '2024-01-02', project => 'bio'$$,
	$$'2024-01-01', 'infinity', project => 'bio'$$,
	$$'-infinity', 'infinity', project => 'bio'$$,
	$$'infinity', 'infinity', project => 'bio'$$,
	$$'2024-01-01', '2024-01-02', '{}'::text[], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY[NULL]::text[], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY[ARRAY['v']], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY[''], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['nope'], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['V'], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['v', 'nope'], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['v_off'], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['v''; DROP TABLE public.bio_victim; --'], 'bio'$$,
	$$'2024-01-01', '2024-01-02', ARRAY['v', 'v'], 'bio'$$,
	$$'2024-01-01', '2024-01-02'$$,
	$$'2024-01-01', '2024-01-02', project => ''$$,
	$$'2024-01-01', '2024-01-02', project => 'nope'$$,
	$$'4713-01-01 BC', '294276-12-31 23:59:59', project => 'bio'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT a AS args, bio_err(format('SELECT * FROM feast_materialize_incremental(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, project => 'bio'$$,
	$$'infinity', project => 'bio'$$,
	$$'-infinity', project => 'bio'$$,
	$$'2024-01-02', ARRAY['nope'], 'bio'$$,
	$$'2024-01-02', ARRAY['v_off'], 'bio'$$,
	$$'2024-01-02', '{}'::text[], 'bio'$$,
	$$'2024-01-02'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
-- error: an end before the last materialized end
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-03', ARRAY['v'], 'bio');
SELECT bio_err($$SELECT * FROM feast_materialize_incremental('2024-01-02', ARRAY['v'], 'bio')$$);
-- error: in a read-only transaction
BEGIN READ ONLY;
SELECT bio_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'bio')$$);
ROLLBACK;
-- error: a source that fails while it is read: nothing of the run is kept
CREATE OR REPLACE VIEW public.bio_failing AS SELECT driver_id, ts, created, conv / 0 AS conv FROM public.bio_stats;
SELECT count(*) FROM feast_apply($y$
project: bio
online_store: {type: postgres, db_schema: bio_online}
sources:
  - {name: stats, type: table, table: public.bio_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: stats_q, type: query, query: "SELECT driver_id, ts, created, (conv / 0)::real AS conv FROM public.bio_stats", timestamp_field: ts}
  - {name: push, type: push, batch_source: stats}
$y$);
SELECT bio_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-04', ARRAY['v', 'v_q'], 'bio')$$);
-- (only the first run of v is recorded)
SELECT feature_view, count(*) FROM feast.materialization_intervals WHERE project = 'bio' GROUP BY 1 ORDER BY 1;
SELECT feature_view, count(*) FROM feast.materialization_runs WHERE project = 'bio' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS v_q_online_rows FROM bio_online.bio_v_q;
-- (put the good query back and forget the interval)
SELECT count(*) FROM feast_apply($y$
project: bio
online_store: {type: postgres, db_schema: bio_online}
sources:
  - {name: stats, type: table, table: public.bio_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: stats_q, type: query, query: "SELECT * FROM public.bio_stats", timestamp_field: ts}
  - {name: push, type: push, batch_source: stats}
$y$);
DROP VIEW public.bio_failing;
DELETE FROM feast.materialization_runs WHERE project = 'bio';
DELETE FROM feast.materialization_intervals WHERE project = 'bio';
TRUNCATE bio_online.bio_v;
SELECT (SELECT fp FROM bio_before) = bio_fp() AS nothing_written;

---------------------------------------------------------------------------
-- feast_online_features
---------------------------------------------------------------------------
SELECT e AS entity_df, bio_err(format($$SELECT * FROM feast_online_features(%s, ARRAY['v:conv'], project => 'bio') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$, coalesce(quote_literal(e), 'NULL'))) AS result
FROM unnest(ARRAY[
	NULL, '', ' ', 'nope', 'bio_ent; DROP TABLE public.bio_victim',
	'DELETE FROM public.bio_victim RETURNING *',
	'SELECT 1; DROP TABLE public.bio_victim',
	'WITH d AS (DELETE FROM public.bio_victim RETURNING *) SELECT * FROM public.bio_ent',
	'SELECT * FROM public.bio_ent WHERE public.bio_write()',
	'SELECT * FROM public.bio_ent FOR UPDATE',
	'SELECT event_timestamp FROM public.bio_ent',
	'SELECT driver_id, event_timestamp, 1 AS conv FROM public.bio_ent',
	'SELECT driver_id::text AS driver_id, event_timestamp FROM public.bio_ent',
	'SELECT * FROM public.bio_ent;'
	]) WITH ORDINALITY AS u(e, n)
ORDER BY n;
SELECT a AS args, bio_err(format($$SELECT * FROM feast_online_features('public.bio_ent', %s) AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$, a)) AS result
FROM unnest(ARRAY[
	$$project => 'bio'$$,
	$$ARRAY['v:conv'], 'svc', project => 'bio'$$,
	$$'{}'::text[], project => 'bio'$$,
	$$ARRAY[NULL]::text[], project => 'bio'$$,
	$$ARRAY['v'], project => 'bio'$$,
	$$ARRAY['nope:conv'], project => 'bio'$$,
	$$ARRAY['v:nope'], project => 'bio'$$,
	$$ARRAY['v_off:conv'], project => 'bio'$$,
	$$NULL, 'nope', project => 'bio'$$,
	$$ARRAY['v:conv'], project => 'nope'$$,
	$$ARRAY['v:conv']$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT x AS victim FROM public.bio_victim;
-- feast_online_features_sql: the same checks, and nothing runs (a query
-- that writes is refused when the generated query runs it)
SELECT e AS entity_df, bio_err(format($$SELECT feast_online_features_sql(%s, ARRAY['v:conv'], project => 'bio')$$, coalesce(quote_literal(e), 'NULL'))) AS result
FROM unnest(ARRAY[
	NULL, '', ' ', 'nope', 'bio_ent; DROP TABLE public.bio_victim',
	'DELETE FROM public.bio_victim RETURNING *',
	'SELECT 1; DROP TABLE public.bio_victim',
	'SELECT * FROM public.bio_ent WHERE public.bio_write()',
	'SELECT event_timestamp FROM public.bio_ent',
	'SELECT driver_id, event_timestamp, 1 AS conv FROM public.bio_ent',
	'SELECT driver_id::text AS driver_id, event_timestamp FROM public.bio_ent',
	'SELECT * FROM public.bio_ent;'
	]) WITH ORDINALITY AS u(e, n)
ORDER BY n;
SELECT a AS args, bio_err(format($$SELECT feast_online_features_sql('public.bio_ent', %s)$$, a)) AS result
FROM unnest(ARRAY[
	$$project => 'bio'$$,
	$$ARRAY['v:conv'], 'svc', project => 'bio'$$,
	$$'{}'::text[], project => 'bio'$$,
	$$ARRAY[NULL]::text[], project => 'bio'$$,
	$$ARRAY['v'], project => 'bio'$$,
	$$ARRAY['nope:conv'], project => 'bio'$$,
	$$ARRAY['v:nope'], project => 'bio'$$,
	$$ARRAY['v_off:conv'], project => 'bio'$$,
	$$NULL, 'nope', project => 'bio'$$,
	$$ARRAY['v:conv'], project => 'nope'$$,
	$$ARRAY['v:conv']$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT bio_err(feast_online_features_sql('SELECT * FROM public.bio_ent WHERE public.bio_write()', ARRAY['v:conv'], project => 'bio')) AS run_generated;
SELECT x AS victim FROM public.bio_victim;

---------------------------------------------------------------------------
-- feast_push and feast_write_to_offline_store
---------------------------------------------------------------------------
SELECT a AS args, bio_err(format('SELECT feast_push(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, 'SELECT 1', project => 'bio'$$,
	$$'push', NULL, project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', NULL, 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', '', 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', 'ONLINE', 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', 'online''; --', 'bio'$$,
	$$'', 'SELECT 1', project => 'bio'$$,
	$$'nope', 'SELECT 1', project => 'bio'$$,
	$$'stats', 'SELECT 1', project => 'bio'$$,
	$$'push', '', project => 'bio'$$,
	$$'push', 'DELETE FROM public.bio_victim RETURNING 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv WHERE public.bio_write()', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv, 1 AS extra', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT ''x'' AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''not a time'' AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''infinity''::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT NULL::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, NULL::timestamptz AS ts, 0.5::real AS conv', project => 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, -1::real AS conv', 'offline', 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, -1::real AS conv', 'online_and_offline', 'bio'$$,
	$$'push', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', project => 'nope'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
-- error: online_and_offline is all or nothing: no online row is kept when
-- the offline append fails (a plain statement, not rolled back by bio_err)
\set VERBOSITY terse
SELECT feast_push('push', $$SELECT 1::bigint AS driver_id, '2024-01-05'::timestamptz AS ts, -1::real AS conv$$, 'online_and_offline', 'bio');
\set VERBOSITY default
SELECT count(*) AS v_push_online_rows FROM bio_online.bio_v_push;
SELECT count(*) AS stats_rows FROM public.bio_stats;
SELECT a AS args, bio_err(format('SELECT feast_write_to_offline_store(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, 'SELECT 1', 'bio'$$,
	$$'v', NULL, 'bio'$$,
	$$'nope', 'SELECT 1', 'bio'$$,
	$$'v_q', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv', 'bio'$$,
	$$'v', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, 0.5::real AS conv WHERE public.bio_write()', 'bio'$$,
	$$'v', 'SELECT 1::bigint AS driver_id', 'bio'$$,
	$$'v', 'SELECT 1::bigint AS driver_id, ''2024-01-05 00:00+00''::timestamptz AS ts, -1::real AS conv', 'bio'$$,
	$$'v', 'public.bio_victim', 'bio'$$,
	$$'v', 'SELECT * FROM public.bio_stats', 'bio'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT x AS victim FROM public.bio_victim;
SELECT (SELECT fp FROM bio_before) = bio_fp() AS nothing_written;

---------------------------------------------------------------------------
-- feast_pull_latest and feast_pull_all
---------------------------------------------------------------------------
SELECT a AS args, bio_err(format('SELECT * FROM feast_pull_latest(%s) AS t(driver_id bigint, conv real, event_timestamp timestamptz, created_timestamp timestamptz)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, '2024-01-01', '2024-01-02', 'bio'$$,
	$$'', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'nope', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'v''; --', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'v', NULL, '2024-01-02', 'bio'$$,
	$$'v', '2024-01-01', NULL, 'bio'$$,
	$$'v', '2024-01-02', '2024-01-01', 'bio'$$,
	$$'v', '-infinity', 'infinity', 'bio'$$,
	$$'v', '2024-01-01', '2024-01-02', 'nope'$$,
	$$'push', '2024-01-01', '2024-01-02', 'bio'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT a AS args, bio_err(format('SELECT * FROM feast_pull_all(%s) AS t(driver_id bigint, ts timestamptz, created timestamptz, conv real)', a)) AS result
FROM unnest(ARRAY[
	$$NULL$$,
	$$'nope', project => 'bio'$$,
	$$'stats', '2024-01-02', '2024-01-01', 'bio'$$,
	$$'stats', '-infinity', 'infinity', 'bio'$$,
	$$'stats', 'infinity', NULL, 'bio'$$,
	$$'stats', project => 'bio'$$,
	$$'stats'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
-- feast_pull_latest_sql and feast_pull_all_sql: the same checks
SELECT a AS args, bio_err(format('SELECT feast_pull_latest_sql(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL, '2024-01-01', '2024-01-02', 'bio'$$,
	$$'', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'nope', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'v''; --', '2024-01-01', '2024-01-02', 'bio'$$,
	$$'v', NULL, '2024-01-02', 'bio'$$,
	$$'v', '2024-01-02', '2024-01-01', 'bio'$$,
	$$'v', '-infinity', 'infinity', 'bio'$$,
	$$'v', '2024-01-01', '2024-01-02', 'nope'$$,
	$$'push', '2024-01-01', '2024-01-02', 'bio'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT a AS args, bio_err(format('SELECT feast_pull_all_sql(%s)', a)) AS result
FROM unnest(ARRAY[
	$$NULL$$,
	$$'nope', project => 'bio'$$,
	$$'stats', '2024-01-02', '2024-01-01', 'bio'$$,
	$$'stats', 'infinity', NULL, 'bio'$$,
	$$'stats_q', project => 'bio'$$,
	$$'stats'$$
	]) WITH ORDINALITY AS u(a, n)
ORDER BY n;
SELECT (SELECT fp FROM bio_before) = bio_fp() AS nothing_written;

-- Clean up.
DELETE FROM feast.projects WHERE name IN ('bio', 'bio_other');
DROP SCHEMA bio_online;
DROP TABLE bio_before;
DROP FUNCTION bio_err(text);
DROP FUNCTION bio_fp();
DROP FUNCTION public.bio_write();
DROP TABLE public.bio_stats;
DROP TABLE public.bio_ent;
DROP TABLE public.bio_victim;
