-- feast_materialize and feast_materialize_incremental: window bounds, ties,
-- NULL created, NULL keys, newest wins, field_mapping, timestamps without
-- time zone, entity-less views, incremental starts, failures that leave
-- nothing behind, errors and privileges.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.mat_stats (
	driver_id bigint,
	event_ts timestamptz,
	created timestamptz,
	conv real,
	trips integer
);
CREATE TABLE public.mat_local (region text, store integer, ts timestamp, sales double precision);
CREATE TABLE public.mat_global (ts timestamptz, temp real);
CREATE TABLE public.mat_recent (driver_id bigint, ts timestamptz, v integer);
CREATE TABLE public.mat_old (driver_id bigint, ts timestamptz, v integer);
CREATE TABLE public.mat_fragile (driver_id bigint, ts timestamptz, v integer);

SELECT * FROM feast_apply($y$
project: mat_test
online_store: {type: postgres, db_schema: mat_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: region, join_keys: [region], value_type: STRING}
  - {name: store, join_keys: [store], value_type: INT32}
sources:
  - name: stats_src
    type: table
    table: public.mat_stats
    timestamp_field: event_timestamp
    created_timestamp_column: created
    field_mapping: {event_ts: event_timestamp, conv: conv_rate}
  - {name: local_src, type: table, table: public.mat_local, timestamp_field: ts}
  - {name: global_src, type: query, query: "SELECT ts, temp FROM public.mat_global", timestamp_field: ts}
  - {name: recent_src, type: table, table: public.mat_recent, timestamp_field: ts}
  - {name: old_src, type: table, table: public.mat_old, timestamp_field: ts}
  - {name: fragile_src, type: table, table: public.mat_fragile, timestamp_field: ts}
feature_views:
  - name: stats
    entities: [driver]
    source: stats_src
    schema:
      - {name: conv_rate, dtype: Float32}
      - {name: trips, dtype: Int32}
  - name: local
    entities: [region, store]
    source: local_src
    schema: [{name: sales, dtype: Float64}]
  - name: global
    entities: []
    source: global_src
    schema: [{name: temp, dtype: Float32}]
  - name: recent
    entities: [driver]
    ttl: 1h
    source: recent_src
    schema: [{name: v, dtype: Int32}]
  - name: old
    entities: [driver]
    ttl: 0
    source: old_src
    schema: [{name: v, dtype: Int32}]
  - name: fragile
    entities: [driver]
    source: fragile_src
    schema: [{name: v, dtype: Int32}]
  - name: offline_only
    entities: [driver]
    source: stats_src
    online: false
    schema: [{name: trips, dtype: Int32}]
$y$);

INSERT INTO public.mat_stats VALUES
	-- driver 1: a tie at 11:00; the NULL created loses it
	(1, '2024-01-01 10:00', '2024-01-01 10:00', 0.1, 1),
	(1, '2024-01-01 11:00', NULL, 0.2, 2),
	(1, '2024-01-01 11:00', '2024-01-01 11:00', 0.3, 3),
	-- driver 2: a tie at 09:00; the greater created wins
	(2, '2024-01-01 09:00', '2024-01-01 09:05', 0.4, 4),
	(2, '2024-01-01 09:00', '2024-01-01 09:01', 0.5, 5),
	-- driver 3: exactly at the start, and just before it
	(3, '2024-01-01 00:00', NULL, 0.6, 6),
	(3, '2023-12-31 23:59:59.999999', '2024-06-01', 0.61, 61),
	-- driver 4: exactly at the end, and just after it
	(4, '2024-01-02 00:00', NULL, 0.7, 7),
	(4, '2024-01-02 00:00:00.000001', NULL, 0.8, 8),
	-- driver 5: only before the window
	(5, '2023-12-31 23:59:59.999999', NULL, 0.9, 9),
	-- no key: skipped
	(NULL, '2024-01-01 12:00', NULL, 1.0, 10),
	-- no timestamp: never in a window
	(6, NULL, NULL, 1.1, 11);

-- Window [2024-01-01, 2024-01-02], both ends inclusive.
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats'], 'mat_test');
SELECT * FROM mat_online.mat_test_stats ORDER BY driver_id;

-- The interval and the run are recorded (rows_read: the 7 keyed source rows
-- in the window).
SELECT feature_view, start_date, end_date FROM feast.materialization_intervals
WHERE project = 'mat_test' ORDER BY feature_view, end_date;
SELECT feature_view, start_date, end_date, incremental, status, rows_read,
	   rows_written, finished_at >= started_at AS timed, error
FROM feast.materialization_runs WHERE project = 'mat_test' ORDER BY run_id;

-- The same window again: the same rows (equal is not older, so they are
-- rewritten and counted).
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats'], 'mat_test');
SELECT driver_id, conv_rate, trips FROM mat_online.mat_test_stats ORDER BY driver_id;

-- Older data materialized later never replaces newer values: driver 1 has
-- an older row in 2023; driver 5 is new.
INSERT INTO public.mat_stats VALUES (1, '2023-06-01', '2024-12-01', 0.01, 100);
SELECT * FROM feast_materialize('2023-01-01', '2023-12-31 23:59:59.999999', ARRAY['stats'], 'mat_test');
SELECT * FROM mat_online.mat_test_stats ORDER BY driver_id;

-- Newer data replaces: driver 1 at 2024-01-03, driver 4 just after the old end.
INSERT INTO public.mat_stats VALUES (1, '2024-01-03', NULL, 1.5, 15);
SELECT * FROM feast_materialize('2024-01-02 00:00:00.000001', '2024-01-05', ARRAY['stats'], 'mat_test');
SELECT * FROM mat_online.mat_test_stats ORDER BY driver_id;

-- Timestamps without time zone are UTC, whatever the session's TimeZone:
-- 23:30 is inside [2024-01-01 00:00+00, 2024-01-02 00:00+00], which it
-- would not be if read in New York time.
INSERT INTO public.mat_local VALUES
	('north', 1, '2024-01-01 00:00', 10),
	('north', 1, '2024-01-01 23:30', 11),
	('north', 2, '2024-01-01 23:30', 20),
	('south', 1, '2024-01-02 00:00:01', 30),
	('south', 1, '2024-01-01 12:00', 31),
	('south', NULL, '2024-01-01 12:00', 40);
SET TimeZone = 'America/New_York';
SELECT feature_view, rows_written
FROM feast_materialize('2024-01-01 00:00+00', '2024-01-02 00:00+00', ARRAY['local'], 'mat_test');
SET TimeZone = 'UTC';
SELECT * FROM mat_online.mat_test_local ORDER BY region, store;

-- Entity-less views keep one row, keyed by __dummy_id = ''.
INSERT INTO public.mat_global VALUES ('2024-01-01 08:00', 1.5), ('2024-01-01 20:00', 2.5),
	('2024-01-03 00:00', 3.5);
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['global'], 'mat_test');
SELECT * FROM mat_online.mat_test_global;
SELECT * FROM feast_materialize('2024-01-02', '2024-01-04', ARRAY['global'], 'mat_test');
SELECT * FROM mat_online.mat_test_global;
-- an empty window writes nothing
SELECT * FROM feast_materialize('2020-01-01', '2020-01-02', ARRAY['global'], 'mat_test');
SELECT * FROM mat_online.mat_test_global;

-- Incremental, after materializations: from the greatest recorded end.
SELECT * FROM feast_materialize_incremental('2024-01-10', ARRAY['stats', 'global'], 'mat_test');
-- again: from the end just recorded
SELECT * FROM feast_materialize_incremental('2024-01-11', ARRAY['stats'], 'mat_test');
-- an end before the last end is an error
SELECT * FROM feast_materialize_incremental('2024-01-09', ARRAY['stats'], 'mat_test');

-- Never materialized, ttl 1h: from now() - 1h.
INSERT INTO public.mat_recent VALUES
	(1, now() - interval '30 minutes', 1),
	(1, now() - interval '2 hours', 2),
	(2, now() - interval '2 hours', 3),
	(3, now() - interval '59 minutes', 4);
SELECT feature_view, start_date = now() - interval '1 hour' AS start_is_now_minus_ttl,
	   end_date = now() AS end_is_now, rows_written
FROM feast_materialize_incremental(now(), ARRAY['recent'], 'mat_test');
SELECT driver_id, v FROM mat_online.mat_test_recent ORDER BY driver_id;

-- Never materialized, ttl 0: from now() - 52 weeks.
INSERT INTO public.mat_old VALUES
	(1, now() - interval '51 weeks', 1),
	(2, now() - interval '53 weeks', 2);
SELECT feature_view, start_date = now() - interval '52 weeks' AS start_is_52_weeks_ago,
	   rows_written
FROM feast_materialize_incremental(feature_views => ARRAY['old'], project => 'mat_test');
SELECT driver_id, v FROM mat_online.mat_test_old ORDER BY driver_id;

-- NULL feature_views: every online view, by name (offline_only is not one).
INSERT INTO public.mat_fragile VALUES (1, '2024-01-01', 1);
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', project => 'mat_test');

-- A failure leaves nothing: no online rows, no interval, no run, for any
-- view of the call.
ALTER TABLE public.mat_fragile RENAME COLUMN v TO w;
INSERT INTO public.mat_stats VALUES (7, '2024-01-01 12:00', NULL, 7.7, 77);
SELECT count(*) AS intervals FROM feast.materialization_intervals WHERE project = 'mat_test';
SELECT count(*) AS runs FROM feast.materialization_runs WHERE project = 'mat_test';
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats', 'fragile'], 'mat_test');
SELECT count(*) AS intervals FROM feast.materialization_intervals WHERE project = 'mat_test';
SELECT count(*) AS runs FROM feast.materialization_runs WHERE project = 'mat_test';
SELECT count(*) AS driver_7 FROM mat_online.mat_test_stats WHERE driver_id = 7;
-- a dropped source table
ALTER TABLE public.mat_fragile RENAME COLUMN w TO v;
DROP TABLE public.mat_fragile;
SELECT * FROM feast_materialize_incremental('2024-01-05', ARRAY['fragile'], 'mat_test');
SELECT count(*) AS runs FROM feast.materialization_runs WHERE project = 'mat_test';

-- Argument errors.
SELECT * FROM feast_materialize('2024-01-02', '2024-01-01', ARRAY['stats'], 'mat_test');
SELECT * FROM feast_materialize(NULL, '2024-01-01', ARRAY['stats'], 'mat_test');
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats', 'nope'], 'mat_test');
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['offline_only'], 'mat_test');
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats', NULL], 'mat_test');
SELECT * FROM feast_materialize('2024-01-01', 'infinity', ARRAY['stats'], 'mat_test');
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats'], 'no_such_project');
-- a view named twice is materialized once
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['global', 'global'], 'mat_test');

-- All runs, as recorded.
SELECT feature_view, start_date, end_date, incremental, rows_read, rows_written
FROM feast.materialization_runs
WHERE project = 'mat_test' AND feature_view NOT IN ('recent', 'old')
ORDER BY run_id;

---------------------------------------------------------------------------
-- Keys are grouped as the online table keys them; naive times are UTC;
-- a huge ttl means no lower bound.
---------------------------------------------------------------------------
CREATE COLLATION public.mat_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE public.mat_doubles (k numeric, ts timestamptz, v integer);
CREATE TABLE public.mat_instants (k timestamp, ts timestamp, v integer);
CREATE TABLE public.mat_names (name text COLLATE public.mat_nocase, ts timestamptz, v integer);
CREATE TABLE public.mat_ancient (driver_id bigint, ts timestamptz, v integer);
CREATE TABLE public.mat_flags (flag boolean, ts timestamptz, v integer);
SELECT count(*) FROM feast_apply($y$
project: mat_edge
online_store: {type: postgres, db_schema: mat_edge_online}
entities:
  - {name: dbl, join_keys: [k], value_type: DOUBLE}
  - {name: instant, join_keys: [k], value_type: UNIX_TIMESTAMP}
  - {name: who, join_keys: [name], value_type: STRING}
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: flag, join_keys: [flag], value_type: BOOL}
sources:
  - {name: doubles_src, type: table, table: public.mat_doubles, timestamp_field: ts}
  - {name: instants_src, type: table, table: public.mat_instants, timestamp_field: ts}
  - {name: names_src, type: table, table: public.mat_names, timestamp_field: ts}
  - {name: ancient_src, type: table, table: public.mat_ancient, timestamp_field: ts}
  - {name: flags_src, type: table, table: public.mat_flags, timestamp_field: ts}
feature_views:
  - {name: doubles, entities: [dbl], source: doubles_src, schema: [{name: v, dtype: Int32}]}
  - {name: instants, entities: [instant], source: instants_src, schema: [{name: v, dtype: Int32}]}
  - {name: names, entities: [who], source: names_src, schema: [{name: v, dtype: Int32}]}
  - {name: ancient, entities: [driver], source: ancient_src, ttl: 106000000d, schema: [{name: v, dtype: Int32}]}
  - {name: flags, entities: [flag], source: flags_src, schema: [{name: v, dtype: Int32}]}
$y$);

-- numeric 0.1 and 0.10000000000000000001 are one float8 online key: the
-- newest row wins (no raw ON CONFLICT error, nothing rolled back).
INSERT INTO public.mat_doubles VALUES
	(0.1, '2024-01-01 10:00', 1),
	(0.10000000000000000001, '2024-01-01 11:00', 2),
	(0.2, '2024-01-01 10:00', 3);
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['doubles'], 'mat_edge');
SELECT k, v, event_timestamp FROM mat_edge_online.mat_edge_doubles ORDER BY k;

-- A timestamp join key is UTC whatever the session's TimeZone: two keys in
-- New York's DST gap stay two keys, at their UTC instants.
INSERT INTO public.mat_instants VALUES
	('2024-03-10 02:30', '2024-03-10 12:00', 1),
	('2024-03-10 03:30', '2024-03-10 12:00', 2),
	('2024-03-10 03:30', '2024-03-10 11:00', 3);
SET TimeZone = 'America/New_York';
SELECT feature_view, rows_written
FROM feast_materialize('2024-03-10 00:00+00', '2024-03-11 00:00+00', ARRAY['instants'], 'mat_edge');
SET TimeZone = 'UTC';
SELECT k, v, event_timestamp FROM mat_edge_online.mat_edge_instants ORDER BY k;
-- again under another TimeZone: the same keys, no new rows
SET TimeZone = 'Asia/Tokyo';
SELECT feature_view, rows_written
FROM feast_materialize('2024-03-10 00:00+00', '2024-03-11 00:00+00', ARRAY['instants'], 'mat_edge');
SET TimeZone = 'UTC';
SELECT count(*) AS online_rows FROM mat_edge_online.mat_edge_instants;

-- A case-insensitive source key: 'abc' and 'ABC' are one key in the
-- source but two in the online table (text, deterministic), so both are
-- written.
INSERT INTO public.mat_names VALUES ('abc', '2024-01-01 10:00', 1), ('ABC', '2024-01-01 11:00', 2),
	('abc', '2024-01-01 09:00', 3);
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['names'], 'mat_edge');
SELECT name, v FROM mat_edge_online.mat_edge_names ORDER BY name COLLATE "C";

-- A ttl reaching before the earliest timestamp means no lower bound: the
-- first incremental run starts at the earliest timestamp (recorded, in
-- range and finite) and takes rows of any age.
INSERT INTO public.mat_ancient VALUES (1, '0100-01-01', 1), (2, '4000-01-01 BC', 2), (2, '2024-01-01', 3);
SELECT count(*) FROM feast_materialize_incremental('2024-06-01', ARRAY['ancient'], 'mat_edge');
SELECT feature_view, start_date, end_date, isfinite(start_date) AS finite
FROM feast.materialization_intervals WHERE project = 'mat_edge' AND feature_view = 'ancient';
-- every registry row can be read back whole (an out-of-range value could not)
SELECT count(*) AS readable FROM feast.materialization_intervals i WHERE project = 'mat_edge' AND i::text IS NOT NULL;
SELECT count(*) AS readable FROM feast.materialization_runs r WHERE project = 'mat_edge' AND r::text IS NOT NULL;
SELECT driver_id, v, event_timestamp FROM mat_edge_online.mat_edge_ancient ORDER BY driver_id;

-- error: a source key changed to a type the online key cannot take by
-- assignment (integer to boolean): a clear error, nothing written
INSERT INTO public.mat_flags VALUES (true, '2024-01-01', 1);
ALTER TABLE public.mat_flags ALTER COLUMN flag TYPE integer USING flag::integer;
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['flags', 'doubles'], 'mat_edge');
SELECT count(*) AS online_rows FROM mat_edge_online.mat_edge_flags;

SELECT count(*) AS deleted FROM feast_apply($y$
project: mat_edge
online_store: {type: postgres, db_schema: mat_edge_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'mat_edge';
DELETE FROM feast.projects WHERE name = 'mat_edge';
DROP SCHEMA mat_edge_online;
DROP TABLE public.mat_doubles, public.mat_instants, public.mat_names, public.mat_ancient, public.mat_flags;
DROP COLLATION public.mat_nocase;

-- Errors keep their fields: only the primary message is prefixed with the
-- view (pg_cron keeps nothing else); SQLSTATE, detail, hint, the schema,
-- table, column, data type and constraint names stay, and the context says
-- which view was materialized, without the statement we generated.
CREATE TABLE public.mat_unlucky (driver_id bigint, ts timestamptz, v integer);
INSERT INTO public.mat_unlucky VALUES (1, '2024-01-01 10:00+00', 12), (2, '2024-01-01 10:00+00', 13);
CREATE FUNCTION public.mat_check(v integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
	IF v = 13 THEN
		RAISE EXCEPTION 'unlucky value %', v USING ERRCODE = '22023',
			DETAIL = 'The value is 13.', HINT = 'Avoid 13.', SCHEMA = 'public',
			TABLE = 'mat_unlucky', COLUMN = 'v', DATATYPE = 'integer', CONSTRAINT = 'mat_no_13';
	END IF;
	RETURN v;
END$$;
CREATE FUNCTION public.mat_error_fields(sql text) RETURNS TABLE (field text, value text)
LANGUAGE plpgsql AS $$
DECLARE
	f1 text; f2 text; f3 text; f4 text; f5 text; f6 text; f7 text; f8 text; f9 text; f10 text;
BEGIN
	EXECUTE sql;
	RETURN QUERY SELECT 'error'::text, 'none'::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS f1 = RETURNED_SQLSTATE, f2 = MESSAGE_TEXT,
		f3 = PG_EXCEPTION_DETAIL, f4 = PG_EXCEPTION_HINT, f5 = SCHEMA_NAME,
		f6 = TABLE_NAME, f7 = COLUMN_NAME, f8 = PG_DATATYPE_NAME,
		f9 = CONSTRAINT_NAME, f10 = PG_EXCEPTION_CONTEXT;
	RETURN QUERY SELECT n, v FROM unnest(ARRAY['sqlstate', 'message', 'detail', 'hint',
		'schema', 'table', 'column', 'datatype', 'constraint', 'context'],
		ARRAY[f1, f2, f3, f4, f5, f6, f7, f8, f9, f10]) AS u(n, v);
END$$;
SELECT count(*) AS objects FROM feast_apply($y$
project: mat_fields
online_store: {type: postgres, db_schema: mat_fields_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: unlucky_src, type: query, query: "SELECT driver_id, ts, public.mat_check(v) AS v FROM public.mat_unlucky", timestamp_field: ts}
feature_views:
  - {name: unlucky, entities: [driver], source: unlucky_src, schema: [{name: v, dtype: Int32}]}
$y$);
SELECT field, value FROM public.mat_error_fields(
	$$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['unlucky'], 'mat_fields')$$);
SELECT count(*) AS online_rows FROM mat_fields_online.mat_fields_unlucky;
SELECT count(*) AS deleted FROM feast_apply($y$
project: mat_fields
online_store: {type: postgres, db_schema: mat_fields_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.projects WHERE name = 'mat_fields';
DROP SCHEMA mat_fields_online;
DROP FUNCTION public.mat_error_fields(text);
DROP FUNCTION public.mat_check(integer);
DROP TABLE public.mat_unlucky;

-- Writing is for the owner.
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p WHERE p.proname IN ('feast_materialize', 'feast_materialize_incremental')
ORDER BY 1;

-- Clean up: empty sections delete the views and their online tables.
SELECT count(*) AS deleted FROM feast_apply($y$
project: mat_test
online_store: {type: postgres, db_schema: mat_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'mat_test';
DELETE FROM feast.projects WHERE name = 'mat_test';
DROP SCHEMA mat_online;
DROP TABLE public.mat_stats, public.mat_local, public.mat_global, public.mat_recent, public.mat_old;
