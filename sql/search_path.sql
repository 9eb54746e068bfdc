--
-- search_path: the install script and the functions are safe against a
-- hostile search_path. Objects planted in public shadow the built-ins that
-- SQL in the extension could reach without schema qualification; each one
-- raises a WARNING and records its call. The extension is then reinstalled
-- and exercised with search_path = public, pg_catalog (public first: an
-- unqualified name resolves to the planted object), and the record must
-- stay empty.
--
-- CREATE EXTENSION runs its script with search_path = <schema>, pg_temp and
-- pg_catalog searched first, so a planted object can only win there by being
-- a better match than the built-in (a non-polymorphic overload of a
-- polymorphic or "any" function, a text overload where an unknown literal
-- is passed). Such better matches are planted too. At call time the C
-- functions run SQL under the caller's path, where plain shadows win.
--
-- Sections for functions that are not built yet print "skipped"; this file's
-- expected output changes when they land.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- Which functions exist (looked up before the path turns hostile).
SELECT pg_catalog.to_regprocedure('feast_apply(text,boolean)') IS NOT NULL AS has_apply,
       pg_catalog.to_regprocedure('feast_registry_dump(text)') IS NOT NULL AS has_dump,
       pg_catalog.to_regprocedure('feast_materialize(timestamptz,timestamptz,text[],text)') IS NOT NULL AS has_materialize,
       pg_catalog.to_regprocedure('feast_online_features(text,text[],text,boolean,text)') IS NOT NULL AS has_online,
       pg_catalog.to_regprocedure('feast_push(text,text,text,text)') IS NOT NULL AS has_push,
       pg_catalog.to_regprocedure('feast_historical(text,text[],text,boolean,text,boolean,timestamptz,timestamptz,timestamptz)') IS NOT NULL AS has_historical
\gset

-- A source table for the project below.
CREATE TABLE public.ofs_sp_stats (
	driver_id bigint NOT NULL,
	event_timestamp timestamptz NOT NULL,
	created timestamptz NOT NULL,
	conv_rate real,
	acc_rate real,
	avg_daily_trips bigint
);
INSERT INTO public.ofs_sp_stats VALUES
	(1001, '2026-01-01 10:00+00', '2026-01-01 10:05+00', 0.5, 0.9, 10),
	(1001, '2026-01-01 11:00+00', '2026-01-01 11:05+00', 0.6, 0.8, 11),
	(1002, '2026-01-01 10:30+00', '2026-01-01 10:35+00', 0.7, 0.7, 20);

-- The record of calls to planted objects.
CREATE TABLE public.ofs_sp_calls (id serial PRIMARY KEY, what text NOT NULL);
CREATE FUNCTION public.ofs_sp_record(p_what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE WARNING 'planted object called: %', p_what;
	BEGIN
		INSERT INTO public.ofs_sp_calls (what) VALUES (p_what);
	EXCEPTION WHEN read_only_sql_transaction THEN
		NULL;					-- a read-only caller: the WARNING shows it
	END;
END
$$;

-- Planted functions: same name and argument types as a built-in, so with
-- public first in the path an unqualified call picks them.
DO $plant$
DECLARE
	f record;
BEGIN
	FOR f IN SELECT * FROM (VALUES
		('now', '', 'timestamptz', 'pg_catalog.now()'),
		('lower', 'a text', 'text', 'pg_catalog.lower(a)'),
		('upper', 'a text', 'text', 'pg_catalog.upper(a)'),
		('hashtext', 'a text', 'integer', 'pg_catalog.hashtext(a)'),
		('jsonb_typeof', 'a jsonb', 'text', 'pg_catalog.jsonb_typeof(a)'),
		('left', 'a text, n integer', 'text', 'pg_catalog.left(a, n)'),
		('right', 'a text, n integer', 'text', 'pg_catalog.right(a, n)'),
		('date_part', 'a text, b interval', 'double precision', 'pg_catalog.date_part(a, b)'),
		('cardinality', 'a anyarray', 'integer', 'pg_catalog.cardinality(a)'),
		('cardinality', 'a text[]', 'integer', 'pg_catalog.cardinality(a)'),
		('array_position', 'a anycompatiblearray, b anycompatible', 'integer', 'pg_catalog.array_position(a, b)'),
		('array_position', 'a text[], b text', 'integer', 'pg_catalog.array_position(a, b)'),
		('quote_ident', 'a text', 'text', 'pg_catalog.quote_ident(a)'),
		('format', 'a text', 'text', 'pg_catalog.format(a)'),
		('format', 'a text, VARIADIC b text[]', 'text', 'pg_catalog.format(a, VARIADIC b)'),
		('concat', 'VARIADIC a text[]', 'text', 'pg_catalog.concat(VARIADIC a)'),
		('to_jsonb', 'a anyelement', 'jsonb', 'pg_catalog.to_jsonb(a)'),
		('to_jsonb', 'a text', 'jsonb', 'pg_catalog.to_jsonb(a)'),
		('pg_advisory_xact_lock', 'a integer, b integer', 'void', 'pg_catalog.pg_advisory_xact_lock(a, b)'),
		('pg_advisory_xact_lock', 'a bigint', 'void', 'pg_catalog.pg_advisory_xact_lock(a)'),
		('pg_extension_config_dump', 'a regclass, b text', 'void', 'pg_catalog.pg_extension_config_dump(a, b)'),
		('pg_extension_config_dump', 'a text, b text', 'void', 'pg_catalog.pg_extension_config_dump(a::regclass, b)'),
		('nextval', 'a regclass', 'bigint', 'pg_catalog.nextval(a)'),
		('clock_timestamp', '', 'timestamptz', 'pg_catalog.clock_timestamp()'),
		('statement_timestamp', '', 'timestamptz', 'pg_catalog.statement_timestamp()'),
		('set_config', 'a text, b text, c boolean', 'text', 'pg_catalog.set_config(a, b, c)')
	) AS v(name, args, result, body)
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql AS '
			'$f$BEGIN PERFORM public.ofs_sp_record(%L); %s; END$f$',
			f.name, f.args, f.result, f.name || '(' || f.args || ')',
			CASE WHEN f.result = 'void' THEN 'PERFORM ' || f.body || '; RETURN'
				 ELSE 'RETURN ' || f.body END);
	END LOOP;
END
$plant$;

-- Planted operators, with the built-ins' argument types.
DO $plant$
DECLARE
	o record;
	i integer := 0;
BEGIN
	FOR o IN SELECT * FROM (VALUES
		('=', 'text', 'text', 'boolean'), ('<>', 'text', 'text', 'boolean'),
		('<', 'text', 'text', 'boolean'), ('~', 'text', 'text', 'boolean'),
		('||', 'text', 'text', 'text'), ('=', 'name', 'name', 'boolean'),
		('=', 'name', 'text', 'boolean'), ('=', 'integer', 'integer', 'boolean'),
		('<>', 'integer', 'integer', 'boolean'), ('>=', 'integer', 'integer', 'boolean'),
		('<=', 'integer', 'integer', 'boolean'), ('>', 'integer', 'integer', 'boolean'),
		('=', 'bigint', 'bigint', 'boolean'), ('>=', 'bigint', 'bigint', 'boolean'),
		('=', 'oid', 'oid', 'boolean'), ('=', 'boolean', 'boolean', 'boolean'),
		('=', 'timestamptz', 'timestamptz', 'boolean'), ('<', 'timestamptz', 'timestamptz', 'boolean'),
		('<=', 'timestamptz', 'timestamptz', 'boolean'), ('>', 'timestamptz', 'timestamptz', 'boolean'),
		('>=', 'timestamptz', 'timestamptz', 'boolean'),
		('-', 'timestamptz', 'timestamptz', 'interval'), ('-', 'timestamptz', 'interval', 'timestamptz'),
		('+', 'timestamptz', 'interval', 'timestamptz'),
		('>=', 'interval', 'interval', 'boolean'), ('=', 'interval', 'interval', 'boolean'),
		('=', 'double precision', 'double precision', 'boolean'),
		('*', 'numeric', 'numeric', 'numeric'), ('=', 'jsonb', 'jsonb', 'boolean'),
		('->>', 'jsonb', 'text', 'text'), ('@>', 'jsonb', 'jsonb', 'boolean')
	) AS v(op, l, r, result)
	LOOP
		i := i + 1;
		EXECUTE pg_catalog.format(
			'CREATE FUNCTION public.ofs_sp_op_%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS '
			'$f$BEGIN PERFORM public.ofs_sp_record(%L); RETURN a OPERATOR(pg_catalog.%s) b; END$f$',
			i, o.l, o.r, o.result, o.l || ' ' || o.op || ' ' || o.r, o.op);
		EXECUTE pg_catalog.format(
			'CREATE OPERATOR public.%s (FUNCTION = public.ofs_sp_op_%s, LEFTARG = %s, RIGHTARG = %s)',
			o.op, i, o.l, o.r);
	END LOOP;
END
$plant$;

-- Planted aggregates.
CREATE FUNCTION public.ofs_sp_agg_max(s timestamptz, v timestamptz) RETURNS timestamptz
LANGUAGE plpgsql AS $$BEGIN PERFORM public.ofs_sp_record('max(timestamptz)'); RETURN GREATEST(s, v); END$$;
CREATE AGGREGATE public.max(timestamptz) (SFUNC = public.ofs_sp_agg_max, STYPE = timestamptz);
CREATE FUNCTION public.ofs_sp_agg_count(s bigint) RETURNS bigint
LANGUAGE plpgsql AS $$BEGIN PERFORM public.ofs_sp_record('count(*)'); RETURN s OPERATOR(pg_catalog.+) 1; END$$;
CREATE AGGREGATE public.count(*) (SFUNC = public.ofs_sp_agg_count, STYPE = bigint, INITCOND = '0');

-- The planted objects work (and record) when picked: a self-check with the
-- hostile path, then the record is emptied.
SET search_path = public, pg_catalog;
SELECT 'a'::text = 'a'::text AS planted_eq, lower('A') AS planted_lower;
RESET search_path;
SELECT what FROM public.ofs_sp_calls ORDER BY id;
TRUNCATE public.ofs_sp_calls;

--
-- The hostile path, for the rest of the file's work.
--
SET search_path = public, pg_catalog;

-- Reinstall.
DROP EXTENSION offline_store;
CREATE EXTENSION offline_store;

-- The registry's constraints, defaults and foreign keys, by direct writes.
INSERT INTO feast.projects (name, online_schema) VALUES ('ofs_sp', 'ofs_sp_online');
INSERT INTO feast.entities (project, name, join_key, value_type, tags)
	VALUES ('ofs_sp', 'driver', 'driver_id', 'INT64', '{"a": "b"}');
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field, created_timestamp_column)
	VALUES ('ofs_sp', 'stats', 'table', 'public.ofs_sp_stats', 'event_timestamp', 'created');
INSERT INTO feast.data_sources (project, name, type, batch_source)
	VALUES ('ofs_sp', 'stats_push', 'push', 'stats');
INSERT INTO feast.feature_views (project, name, source, ttl)
	VALUES ('ofs_sp', 'view', 'stats', '2 hours');
INSERT INTO feast.feature_view_entities VALUES ('ofs_sp', 'view', 1, 'driver');
INSERT INTO feast.features (project, feature_view, position, name, dtype)
	VALUES ('ofs_sp', 'view', 1, 'conv_rate', 'Float32'), ('ofs_sp', 'view', 2, 'hist', 'Array(Int64)');
INSERT INTO feast.feature_services (project, name) VALUES ('ofs_sp', 'svc');
INSERT INTO feast.feature_service_projections (project, feature_service, position, feature_view, features)
	VALUES ('ofs_sp', 'svc', 1, 'view', ARRAY['conv_rate']);
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
	VALUES ('ofs_sp', 'view', '2026-01-01', '2026-01-02');
INSERT INTO feast.materialization_runs (project, feature_view, start_date, end_date, incremental,
		rows_read, rows_written, started_at, finished_at)
	VALUES ('ofs_sp', 'view', '2026-01-01', '2026-01-02', false, 3, 2,
		'2026-01-02 00:00:00+00', '2026-01-02 00:00:01.5+00');
SELECT project, feature_view, rows_written, duration FROM feast.materialization_runs;
-- error: each constraint still holds
INSERT INTO feast.features (project, feature_view, position, name, dtype)
	VALUES ('ofs_sp', 'view', 3, 'bad', 'Float16');
INSERT INTO feast.features (project, feature_view, position, name, dtype)
	VALUES ('ofs_sp', 'view', 3, 'bad', 'Array(Int64');
INSERT INTO feast.feature_views (project, name, source, ttl)
	VALUES ('ofs_sp', 'view2', 'stats', '1 day');
INSERT INTO feast.entities (project, name, join_key, value_type, tags)
	VALUES ('ofs_sp', 'e2', 'k', 'INT64', '[]');
INSERT INTO feast.feature_service_projections (project, feature_service, position, feature_view, features)
	VALUES ('ofs_sp', 'svc', 2, 'view', ARRAY[NULL]::text[]);
INSERT INTO feast.feature_views (project, name, source) VALUES ('ofs_sp', 'view3', 'nope');
INSERT INTO feast.data_sources (project, name, type) VALUES ('ofs_sp', 'q', 'query');
-- the registry empties by cascade from the project
DELETE FROM feast.materialization_runs;
DELETE FROM feast.projects;
SELECT (SELECT pg_catalog.count(*) FROM feast.projects) AS projects,
       (SELECT pg_catalog.count(*) FROM feast.entities) AS entities,
       (SELECT pg_catalog.count(*) FROM feast.data_sources) AS sources,
       (SELECT pg_catalog.count(*) FROM feast.features) AS features,
       (SELECT pg_catalog.count(*) FROM feast.feature_service_projections) AS projections,
       (SELECT pg_catalog.count(*) FROM feast.materialization_intervals) AS intervals;

-- The functions, with the same path.
\if :has_apply
CREATE TEMP TABLE ofs_sp_doc (doc text);
INSERT INTO ofs_sp_doc VALUES ($yaml$
project: ofs_search_path
online_store:
  type: postgres
  db_schema: ofs_sp_online
entities:
  - name: driver
    join_keys: [driver_id]
    value_type: INT64
sources:
  - name: stats
    type: table
    table: public.ofs_sp_stats
    timestamp_field: event_timestamp
    created_timestamp_column: created
  - name: stats_push
    type: push
    batch_source: stats
feature_views:
  - name: stats
    entities: [driver]
    ttl: 1d
    source: stats_push
    online: true
    schema:
      - {name: conv_rate, dtype: Float32}
      - {name: acc_rate, dtype: Float32}
      - {name: avg_daily_trips, dtype: Int64}
    tags: {team: "x"}
feature_services:
  - name: svc
    features:
      - feature_view: stats
        features: [conv_rate]
$yaml$);
SELECT * FROM feast_apply((SELECT doc FROM ofs_sp_doc))
ORDER BY object_type COLLATE "C", name COLLATE "C";
-- the online table apply created
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_attribute a
WHERE a.attrelid OPERATOR(pg_catalog.=) 'ofs_sp_online.ofs_search_path_stats'::pg_catalog.regclass
  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
ORDER BY a.attnum;
-- again, unchanged; then without acc_rate (a dry run, then for real)
SELECT * FROM feast_apply((SELECT doc FROM ofs_sp_doc))
ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT * FROM feast_apply((SELECT pg_catalog.replace(doc, '      - {name: acc_rate, dtype: Float32}' OPERATOR(pg_catalog.||) pg_catalog.chr(10), '')
						   FROM ofs_sp_doc), dry_run => true)
ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT * FROM feast_apply((SELECT pg_catalog.replace(doc, '      - {name: acc_rate, dtype: Float32}' OPERATOR(pg_catalog.||) pg_catalog.chr(10), '')
						   FROM ofs_sp_doc))
ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT a.attname
FROM pg_catalog.pg_attribute a
WHERE a.attrelid OPERATOR(pg_catalog.=) 'ofs_sp_online.ofs_search_path_stats'::pg_catalog.regclass
  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
ORDER BY a.attnum;
DROP TABLE ofs_sp_doc;
\else
\echo skipped: feast_apply is not built yet
\endif
\if :has_dump
SELECT feast_registry_dump('ofs_search_path');
\else
\echo skipped: feast_registry_dump is not built yet
\endif
\if :has_historical
SELECT * FROM feast_historical(
	$q$SELECT 1001::bigint AS driver_id, '2026-01-01 12:00+00'::timestamptz AS event_timestamp$q$,
	ARRAY['stats:conv_rate', 'stats:avg_daily_trips'], project => 'ofs_search_path')
	AS t(driver_id bigint, event_timestamp timestamptz, conv_rate real, avg_daily_trips bigint);
\else
\echo skipped: feast_historical is not built yet
\endif
\if :has_materialize
SELECT * FROM feast_materialize('2026-01-01', '2026-01-02', project => 'ofs_search_path');
\else
\echo skipped: feast_materialize is not built yet
\endif
\if :has_push
SELECT feast_push('stats_push',
	$q$SELECT 1002::bigint AS driver_id, '2026-01-01 13:00+00'::timestamptz AS event_timestamp,
	   '2026-01-01 13:00+00'::timestamptz AS created, 0.25::real AS conv_rate,
	   0.5::real AS acc_rate, 7::bigint AS avg_daily_trips$q$,
	'online', 'ofs_search_path');
\else
\echo skipped: feast_push is not built yet
\endif
\if :has_online
SELECT * FROM feast_online_features(
	$q$SELECT * FROM (VALUES (1001::bigint), (1002::bigint), (1003::bigint)) AS e(driver_id)$q$,
	ARRAY['stats:conv_rate', 'stats:avg_daily_trips'], project => 'ofs_search_path')
	AS t(driver_id bigint, conv_rate real, avg_daily_trips bigint)
	ORDER BY driver_id;
\else
\echo skipped: feast_online_features is not built yet
\endif

--
-- Back to the default path: nothing planted was ever called.
--
RESET search_path;
SELECT count(*) AS planted_calls FROM public.ofs_sp_calls;
SELECT what FROM public.ofs_sp_calls ORDER BY id;

-- Clean up: the registry, the online schema, the planted objects. The
-- extension stays installed (reinstalled above, in public as before).
DELETE FROM feast.materialization_runs WHERE project = 'ofs_search_path';
DELETE FROM feast.projects WHERE name = 'ofs_search_path';
-- (deleting the project dropped its online table)
SELECT pg_catalog.to_regclass('ofs_sp_online.ofs_search_path_stats') AS online_table;
DROP SCHEMA IF EXISTS ofs_sp_online;
DROP AGGREGATE public.max(timestamptz);
DROP AGGREGATE public.count(*);
DO $unplant$
DECLARE
	o record;
BEGIN
	FOR o IN SELECT oid::regoperator AS op FROM pg_catalog.pg_operator
			 WHERE oprnamespace = 'public'::regnamespace
			   AND oprcode::text LIKE 'ofs\_sp\_op\_%' ORDER BY oid
	LOOP
		EXECUTE pg_catalog.format('DROP OPERATOR %s', o.op);
	END LOOP;
	FOR o IN SELECT oid::regprocedure AS fn FROM pg_catalog.pg_proc
			 WHERE pronamespace = 'public'::regnamespace
			   AND prosrc LIKE '%ofs\_sp\_record%' ORDER BY oid
	LOOP
		EXECUTE pg_catalog.format('DROP FUNCTION %s', o.fn);
	END LOOP;
END
$unplant$;
DROP FUNCTION public.ofs_sp_record(text);
DROP TABLE public.ofs_sp_calls, public.ofs_sp_stats;
-- nothing of ours is left in public but the extension's functions
SELECT count(*) AS leftover_operators FROM pg_catalog.pg_operator
WHERE oprnamespace = 'public'::regnamespace;
SELECT pg_catalog.count(*) AS extension_installed FROM pg_catalog.pg_extension
WHERE extname = 'offline_store' AND extnamespace = 'public'::regnamespace;
