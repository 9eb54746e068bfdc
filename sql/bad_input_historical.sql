-- Bad input for feast_historical, feast_historical_sql,
-- feast_create_training_view, feast_drop_training_view and feast_persist:
-- NULLs, empty values,
-- unknown and malformed names, names that need quoting (they must work),
-- entity_df text that tries to write or to break out of its subquery (it
-- runs read-only), timestamps at +-infinity and ttls at the edge of the
-- range. Every failure is an ERROR with its SQLSTATE, and nothing is
-- written (bih_fp()).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message / DETAIL / HINT, or 'no error' (a success is rolled
-- back too, so every case starts from the same database).
CREATE FUNCTION bih_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RAISE EXCEPTION 'ok' USING ERRCODE = 'BIHOK';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	IF st = 'BIHOK' THEN
		RETURN 'no error';
	END IF;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
-- feast_historical(<args>) with the column list of the test's entity_df
CREATE FUNCTION bih(args text) RETURNS text LANGUAGE sql AS $$
	SELECT bih_err(format('SELECT * FROM feast_historical(%s) AS t(driver_id bigint, event_timestamp timestamptz, conv real)', args))
$$;
-- a fingerprint of the registry and of the relations in schema public
CREATE FUNCTION bih_fp() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	acc text := '';
BEGIN
	FOR t IN SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
			 JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname IN ('feast', 'public') AND c.relkind IN ('r', 'v')
			   AND c.relname NOT LIKE 'pg\_%'
			 ORDER BY 1
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text COLLATE "C")), '''') FROM %s x', t)
			INTO part;
		acc := acc || t || '=' || part || ';';
	END LOOP;
	RETURN md5(acc);
END
$$;

CREATE TABLE public.bih_stats (driver_id bigint, event_timestamp timestamptz,
							   created timestamptz, conv real, trips integer);
INSERT INTO public.bih_stats VALUES
	(1, '2024-01-01 10:00', '2024-01-01 10:00', 0.1, 1),
	(2, '2024-01-01 11:00', '2024-01-01 11:00', 0.2, 2);
CREATE TABLE public.bih_ent (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.bih_ent VALUES (1, '2024-01-01 11:00'), (2, '2024-01-01 12:00');
CREATE TABLE public.bih_victim (x integer);
INSERT INTO public.bih_victim VALUES (42);
CREATE SEQUENCE public.bih_seq;
CREATE FUNCTION public.bih_write() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM public.bih_victim;
	RETURN true;
END
$$;
SELECT count(*) FROM feast_apply($y$
project: bih
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.bih_stats, timestamp_field: event_timestamp, created_timestamp_column: created}
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: 2h, online: false, schema: [{name: conv, dtype: Float32}, {name: trips, dtype: Int32}]}
  - {name: v_max, entities: [driver], source: stats, ttl: "2562047788:00:54.775807", online: false, schema: [{name: conv, dtype: Float32}]}
feature_services:
  - {name: svc, features: [{feature_view: v, features: [conv]}]}
$y$);
-- a second project, so that a NULL project is ambiguous
SELECT count(*) FROM feast_apply('project: bih_other');
CREATE TEMP TABLE bih_before AS SELECT bih_fp() AS fp;

-- the call that works, for reference
SELECT * FROM feast_historical('public.bih_ent', ARRAY['v:conv'], project => 'bih')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real) ORDER BY driver_id;

---------------------------------------------------------------------------
-- NULLs and empty values
---------------------------------------------------------------------------
-- error: neither or both of features and feature_service
SELECT bih($$'public.bih_ent', project => 'bih'$$);
SELECT bih($$'public.bih_ent', NULL, NULL, project => 'bih'$$);
SELECT bih($$'public.bih_ent', ARRAY['v:conv'], 'svc', project => 'bih'$$);
-- error: empty, NULL-holding and multi-dimensional feature lists
SELECT bih($$'public.bih_ent', '{}'::text[], project => 'bih'$$);
SELECT bih($$'public.bih_ent', ARRAY[NULL]::text[], project => 'bih'$$);
SELECT bih($$'public.bih_ent', ARRAY['v:conv', NULL], project => 'bih'$$);
SELECT bih($$'public.bih_ent', ARRAY[ARRAY['v:conv']], project => 'bih'$$);
-- (an array with another lower bound is fine)
SELECT bih($$'public.bih_ent', '[0:0]={v:conv}'::text[], project => 'bih'$$);
-- error: malformed feature references
SELECT r AS ref, bih(format($$'public.bih_ent', ARRAY[%L], project => 'bih'$$, r)) AS result
FROM unnest(ARRAY['', ':', 'v', 'v:', ':conv', 'v:conv:x', ' v:conv', 'v:conv ', 'V:conv',
				  'nope:conv', 'v:nope', 'v_max:trips']) WITH ORDINALITY AS u(r, n)
ORDER BY n;
-- error: empty, unknown and near-miss feature services
SELECT s AS service, bih(format($$'public.bih_ent', NULL, %L, project => 'bih'$$, s)) AS result
FROM unnest(ARRAY['', 'nope', 'SVC', 'svc ', $$svc' OR '1'='1$$]) WITH ORDINALITY AS u(s, n)
ORDER BY n;
-- error: projects: ambiguous NULL, empty, unknown
SELECT bih($$'public.bih_ent', ARRAY['v:conv']$$);
SELECT bih($$'public.bih_ent', ARRAY['v:conv'], project => ''$$);
SELECT bih($$'public.bih_ent', ARRAY['v:conv'], project => 'nope'$$);
SET offline_store.project = 'nope';
SELECT bih($$'public.bih_ent', ARRAY['v:conv']$$);
SET offline_store.project = 'bih';
SELECT bih($$'public.bih_ent', ARRAY['v:conv']$$) AS with_setting;
RESET offline_store.project;
-- NULL booleans are their defaults (false)
SELECT bih($$'public.bih_ent', ARRAY['v:conv'], NULL, NULL, 'bih', NULL$$);

---------------------------------------------------------------------------
-- entity_df: empty, not a query, writing, breaking out
---------------------------------------------------------------------------
SELECT e AS entity_df, bih(format($$%L, ARRAY['v:conv'], project => 'bih'$$, e)) AS result
FROM unnest(ARRAY[
	'', ' ', E'\n',
	'nope', 'public.nope', 'public.bih_ent.x', '"public.bih_ent"', 'bih_ent; DROP TABLE public.bih_victim',
	'public.bih_ent) AS x; DROP TABLE public.bih_victim; --', 'pg_catalog.pg_sleep(10)', 'public.bih_seq',
	'SELECT 1; DROP TABLE public.bih_victim',
	'SELECT * FROM public.bih_ent;',
	'SELECT * FROM public.bih_ent) AS x; DROP TABLE public.bih_victim; SELECT * FROM (SELECT 1',
	'SELECT * FROM public.bih_ent /*',
	'DELETE FROM public.bih_victim RETURNING *',
	'DROP TABLE public.bih_victim',
	'SELECT * INTO public.bih_new FROM public.bih_ent',
	'CREATE TABLE public.bih_new AS SELECT * FROM public.bih_ent',
	'EXPLAIN ANALYZE DELETE FROM public.bih_victim',
	'COPY public.bih_victim FROM PROGRAM ''true''',
	'CALL nope()',
	'WITH d AS (DELETE FROM public.bih_victim RETURNING *) SELECT * FROM public.bih_ent',
	'SELECT * FROM public.bih_ent WHERE public.bih_write()',
	'SELECT * FROM public.bih_ent FOR UPDATE',
	'SELECT driver_id FROM public.bih_ent',
	'SELECT driver_id, event_timestamp::date AS d FROM public.bih_ent',
	'SELECT driver_id, event_timestamp::text AS event_timestamp FROM public.bih_ent',
	'SELECT driver_id, event_timestamp AS a, event_timestamp AS b FROM public.bih_ent',
	'SELECT event_timestamp FROM public.bih_ent',
	'SELECT driver_id, event_timestamp, 1 AS conv FROM public.bih_ent',
	'SELECT driver_id::text AS driver_id, event_timestamp FROM public.bih_ent',
	'SELECT point(1, 2) AS driver_id, event_timestamp FROM public.bih_ent',
	'VALUES (1::bigint, now())',
	'SELECT * FROM public.bih_ent -- comment'
	]) WITH ORDINALITY AS u(e, n)
ORDER BY n;
-- error: writes and side effects in functions the query calls
SELECT bih_err($$SELECT * FROM feast_historical('SELECT e.*, nextval(''public.bih_seq'') AS n FROM public.bih_ent e', ARRAY['v:conv'], project => 'bih') AS t(driver_id bigint, event_timestamp timestamptz, n bigint, conv real)$$);
-- (a setting or a notification is not a write: allowed, as in any
-- read-only transaction)
SELECT bih_err($$SELECT * FROM feast_historical('SELECT e.*, set_config(''offline_store.project'', ''x'', false) AS s FROM public.bih_ent e', ARRAY['v:conv'], project => 'bih') AS t(driver_id bigint, event_timestamp timestamptz, s text, conv real)$$);
SELECT bih_err($$SELECT * FROM feast_historical('SELECT e.*, pg_notify(''c'', ''x'') IS NULL AS s FROM public.bih_ent e', ARRAY['v:conv'], project => 'bih') AS t(driver_id bigint, event_timestamp timestamptz, s boolean, conv real)$$);
SELECT x AS victim, (SELECT last_value FROM public.bih_seq) AS seq,
	   to_regclass('public.bih_new') AS new_table, current_setting('offline_store.project') AS setting
FROM public.bih_victim;
SELECT (SELECT fp FROM bih_before) = bih_fp() AS nothing_written;
-- the read-only guard is lifted after the call, also after an error, and
-- in a caller's read-write transaction
BEGIN;
SELECT bih($$'SELECT * FROM public.bih_ent WHERE public.bih_write()', ARRAY['v:conv'], project => 'bih'$$);
SELECT current_setting('transaction_read_only') AS read_only_after_error;
INSERT INTO public.bih_victim VALUES (43);
ROLLBACK;
-- error: the column definition list does not match
SELECT bih_err($$SELECT * FROM feast_historical('public.bih_ent', ARRAY['v:conv'], project => 'bih') AS t(driver_id bigint, event_timestamp timestamptz)$$);
SELECT bih_err($$SELECT * FROM feast_historical('public.bih_ent', ARRAY['v:conv'], project => 'bih') AS t(driver_id bigint, event_timestamp timestamptz, conv double precision)$$);
SELECT bih_err($$SELECT * FROM feast_historical('public.bih_ent', ARRAY['v:conv'], project => 'bih') AS t(a int, b int, c int, d int)$$);
-- error: no column definition list
SELECT bih_err($$SELECT * FROM feast_historical('public.bih_ent', ARRAY['v:conv'], project => 'bih')$$);
-- error: a feature requested twice, a feature named like an entity column
SELECT bih($$'public.bih_ent', ARRAY['v:conv', 'v:conv'], project => 'bih'$$);
SELECT bih($$'public.bih_ent', ARRAY['v:conv', 'v_max:conv'], project => 'bih'$$);
SELECT bih($$'SELECT driver_id, event_timestamp, 1 AS conv FROM public.bih_ent', ARRAY['v:conv'], project => 'bih'$$);

---------------------------------------------------------------------------
-- Timestamps at the edges
---------------------------------------------------------------------------
-- entity rows at +-infinity and NULL, with the 2h ttl and the largest ttl:
-- no error; infinity minus any ttl is infinity; the largest ttl reaches
-- back past the earliest timestamp
SELECT * FROM feast_historical($$
	SELECT * FROM (VALUES (1::bigint, 'infinity'::timestamptz), (1, '-infinity'), (1, NULL),
					      (1, '2024-01-01 11:00'), (2, '294276-12-31 23:59:59.999999'),
						  (2, '4714-11-24 00:00:00 BC')) AS e(driver_id, event_timestamp)$$,
	ARRAY['v:conv', 'v_max:conv'], full_feature_names => true, project => 'bih')
	AS t(driver_id bigint, event_timestamp timestamptz, v__conv real, v_max__conv real)
ORDER BY driver_id, event_timestamp NULLS FIRST;
-- entity-less retrieval: start after end, infinite bounds
SELECT bih_err($$SELECT * FROM feast_historical(NULL, ARRAY['v:conv'], project => 'bih', start_date => '2024-01-02', end_date => '2024-01-01') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
SELECT * FROM feast_historical(NULL, ARRAY['v:conv'], project => 'bih', start_date => '-infinity', end_date => 'infinity')
	AS t(event_timestamp timestamptz, driver_id bigint, conv real) ORDER BY 1;
SELECT * FROM feast_historical(NULL, ARRAY['v_max:conv'], project => 'bih', end_date => '2024-01-02')
	AS t(event_timestamp timestamptz, driver_id bigint, conv real) ORDER BY 1;
SELECT bih_err($$SELECT * FROM feast_historical(NULL, ARRAY['v:conv'], project => 'bih', start_date => 'infinity', end_date => '-infinity') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
SELECT bih_err($$SELECT * FROM feast_historical(NULL, ARRAY['v:conv'], project => 'bih', start_date => 'infinity') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
-- entity_df NULL and no dates: the last max(ttl) up to now (no rows here)
SELECT count(*) FROM feast_historical(NULL, ARRAY['v:conv'], project => 'bih')
	AS t(event_timestamp timestamptz, driver_id bigint, conv real);

---------------------------------------------------------------------------
-- feast_historical_sql: the same errors, and a query that reads back
---------------------------------------------------------------------------
SELECT bih_err($$SELECT feast_historical_sql('public.bih_ent', project => 'bih')$$);
SELECT bih_err($$SELECT feast_historical_sql('', ARRAY['v:conv'], project => 'bih')$$);
SELECT bih_err($$SELECT feast_historical_sql('DELETE FROM public.bih_victim RETURNING *', ARRAY['v:conv'], project => 'bih')$$);
SELECT bih_err($$SELECT feast_historical_sql('public.bih_ent', ARRAY['v:nope'], project => 'bih')$$);
SELECT bih_err($$SELECT feast_historical_sql('public.bih_ent', ARRAY['v:conv'], project => 'nope')$$);

---------------------------------------------------------------------------
-- feast_create_training_view and feast_persist
---------------------------------------------------------------------------
SELECT n AS view_name, bih_err(format($$SELECT feast_create_training_view(%L, 'public.bih_ent', ARRAY['v:conv'], project => 'bih')$$, n)) AS result
FROM unnest(ARRAY[NULL, '', ' ', 'public.bih_victim', 'public.bih_tv; DROP TABLE public.bih_victim',
				  'public.bih_tv) AS x; --', 'nope.bih_tv', 'a.b.c.d', 'pg_catalog.bih_tv']) WITH ORDINALITY AS u(n, i)
ORDER BY i;
-- error: a retrieval error creates no view
SELECT bih_err($$SELECT feast_create_training_view('public.bih_tv', 'public.bih_ent', ARRAY['v:nope'], project => 'bih')$$);
SELECT to_regclass('public.bih_tv') AS no_view;
-- replace, and the entity_df of a training view
SELECT a AS args, bih_err(format($$SELECT feast_create_training_view('public.bih_tv', %s)$$, a)) AS result
FROM unnest(ARRAY[
	$$'public.bih_ent', ARRAY['v:conv'], project => 'bih', replace => NULL$$,
	$$'public.bih_ent', ARRAY['v:conv'], project => 'bih', replace => true$$,
	$$NULL, ARRAY['v:conv'], project => 'bih'$$,
	$$'', ARRAY['v:conv'], project => 'bih'$$,
	$$'DELETE FROM public.bih_victim RETURNING *', ARRAY['v:conv'], project => 'bih'$$,
	$$'SELECT * FROM public.bih_ent WHERE public.bih_write()', ARRAY['v:conv'], project => 'bih'$$,
	$$'pg_temp.bih_nope', ARRAY['v:conv'], project => 'bih'$$
	]) WITH ORDINALITY AS u(a, i)
ORDER BY i;
-- a view whose entity_df writes when read: created, and refused when read
SELECT feast_create_training_view('public.bih_tv', 'SELECT * FROM public.bih_ent WHERE public.bih_write()', ARRAY['v:conv'], project => 'bih');
SELECT bih_err('SELECT * FROM public.bih_tv');
SELECT feast_drop_training_view('public.bih_tv');
SELECT x AS victim FROM public.bih_victim;
-- feast_drop_training_view
SELECT n AS view_name, bih_err(format($$SELECT feast_drop_training_view(%L)$$, n)) AS result
FROM unnest(ARRAY[NULL, '', ' ', 'public.bih_victim', 'public.bih_tv; DROP TABLE public.bih_victim',
				  'public.bih_tv) AS x; --', 'nope.bih_tv', 'a.b.c.d', 'pg_catalog.pg_class',
				  'feast.training_views', 'public.' || repeat('x', 64)]) WITH ORDINALITY AS u(n, i)
ORDER BY i;
SELECT x AS victim FROM public.bih_victim;
SELECT n AS table_name, bih_err(format($$SELECT feast_persist(%L, 'public.bih_ent', ARRAY['v:conv'], project => 'bih')$$, n)) AS result
FROM unnest(ARRAY[NULL, '', ' ', 'public.bih_victim', 'public.bih_p; DROP TABLE public.bih_victim',
				  'public.bih_p) AS x; --', 'nope.bih_p', 'a.b.c.d', 'pg_catalog.bih_p',
				  'feast.projects']) WITH ORDINALITY AS u(n, i)
ORDER BY i;
-- error: overwriting what is not a plain user table
SELECT n AS table_name, bih_err(format($$SELECT feast_persist(%L, 'public.bih_ent', ARRAY['v:conv'], project => 'bih', allow_overwrite => true)$$, n)) AS result
FROM unnest(ARRAY['feast.projects', 'public.bih_seq', 'pg_catalog.pg_class']) WITH ORDINALITY AS u(n, i)
ORDER BY i;
-- error: an overwrite whose retrieval fails at run time keeps the old table
-- and its saved dataset row
SELECT feast_persist('public.bih_p', 'public.bih_ent', ARRAY['v:conv'], project => 'bih');
SELECT bih_err($$SELECT feast_persist('public.bih_p', 'SELECT * FROM public.bih_ent WHERE public.bih_write()', ARRAY['v:conv'], project => 'bih', allow_overwrite => true)$$);
SELECT count(*) AS old_rows FROM public.bih_p;
SELECT name, entity_df, row_count FROM feast.saved_datasets WHERE project = 'bih' ORDER BY name;
SELECT feast_persist('public.bih_p', 'SELECT * FROM public.bih_ent WHERE driver_id = 1', ARRAY['v:conv'], project => 'bih', allow_overwrite => true);
SELECT name, entity_df, row_count FROM feast.saved_datasets WHERE project = 'bih' ORDER BY name;
DROP TABLE public.bih_p;
DELETE FROM feast.saved_datasets WHERE project = 'bih';

---------------------------------------------------------------------------
-- Names that need quoting work, and inject nothing
---------------------------------------------------------------------------
CREATE TABLE public."Bih Stats; --" ("Driver ""ID""" bigint, "event ts" timestamp, "conv; rate" real);
INSERT INTO public."Bih Stats; --" VALUES (1, '2024-01-01 10:00', 0.5);
CREATE TABLE public."Bih ""Ent""" ("Driver ""ID""" bigint, "ts ☃" timestamptz);
INSERT INTO public."Bih ""Ent""" VALUES (1, '2024-01-01 11:00'), (2, '2024-01-01 11:00');
SELECT count(*) FROM feast_apply($y$
project: 'Bih "Q"; --'
entities: [{name: 'd"', join_keys: ['Driver "ID"'], value_type: INT64}]
sources:
  - {name: "s'; --", type: table, table: 'public."Bih Stats; --"', timestamp_field: "event ts"}
feature_views:
  - {name: 'v"; DROP TABLE public.bih_victim; --', entities: ['d"'], source: "s'; --", online: false, schema: [{name: "conv; rate", dtype: Float32}]}
  - {name: 'a:b', entities: ['d"'], source: "s'; --", online: false, schema: [{name: "conv; rate", dtype: Float32}]}
feature_services:
  - {name: "svc'); --", features: ['v"; DROP TABLE public.bih_victim; --']}
$y$);
SELECT * FROM feast_historical('public."Bih ""Ent"""', ARRAY['v"; DROP TABLE public.bih_victim; --:conv; rate'],
							   full_feature_names => true, project => 'Bih "Q"; --')
	AS t(id bigint, ts timestamptz, f real) ORDER BY id;
SELECT * FROM feast_historical('public."Bih ""Ent"""', feature_service => 'svc''); --', project => 'Bih "Q"; --')
	AS t(id bigint, ts timestamptz, f real) ORDER BY id;
-- a reference splits at its first colon: a view whose name has one is
-- reachable through a feature service only
SELECT bih_err($$SELECT * FROM feast_historical('public."Bih ""Ent"""', ARRAY['a:b:conv; rate'], project => 'Bih "Q"; --') AS t(id bigint, ts timestamptz, f real)$$);
-- the generated SQL runs and gives the same rows
DO $$
DECLARE
	q text := feast_historical_sql('public."Bih ""Ent"""', ARRAY['v"; DROP TABLE public.bih_victim; --:conv; rate'],
								   full_feature_names => true, project => 'Bih "Q"; --');
	n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM (' || q || ') x WHERE x."v""; DROP TABLE public.bih_victim; --__conv; rate" = 0.5' INTO n;
	RAISE NOTICE 'historical_sql: % rows with the value', n;
END
$$;
SELECT feast_create_training_view('public."Bih ""View""; --"', 'public."Bih ""Ent"""', feature_service => 'svc''); --', project => 'Bih "Q"; --');
SELECT * FROM public."Bih ""View""; --" ORDER BY 1;
DROP VIEW public."Bih ""View""; --";
SELECT feast_persist('public."Bih ""Saved""; --"', 'public."Bih ""Ent"""', feature_service => 'svc''); --', project => 'Bih "Q"; --');
SELECT * FROM public."Bih ""Saved""; --" ORDER BY 1;
SELECT name, feature_service FROM feast.saved_datasets WHERE project = 'Bih "Q"; --';
DROP TABLE public."Bih ""Saved""; --";
DELETE FROM feast.projects WHERE name = 'Bih "Q"; --';
DROP TABLE public."Bih Stats; --";
DROP TABLE public."Bih ""Ent""";
SELECT x AS victim FROM public.bih_victim;
SELECT (SELECT fp FROM bih_before) = bih_fp() AS nothing_left;

-- Clean up.
DELETE FROM feast.projects WHERE name IN ('bih', 'bih_other');
DROP TABLE bih_before;
DROP FUNCTION bih(text);
DROP FUNCTION bih_err(text);
DROP FUNCTION bih_fp();
DROP FUNCTION public.bih_write();
DROP TABLE public.bih_stats;
DROP TABLE public.bih_ent;
DROP TABLE public.bih_victim;
DROP SEQUENCE public.bih_seq;
