-- Online tables made by feast_apply: created, altered, recreated, moved and
-- dropped with their feature views; never truncated, never adopted. Rows
-- and grants survive every change that can keep them, and the result's
-- detail column says what changes and what is lost (in a dry run too).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE FUNCTION apo(doc text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	PERFORM * FROM feast_apply(doc);
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;

-- The columns of the online tables of a schema: type, not null, key.
CREATE FUNCTION apo_columns(nsp text) RETURNS TABLE(tbl text, col text, type text, not_null boolean, pkey boolean)
LANGUAGE sql AS $$
SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = nsp AND c.relkind = 'r'
ORDER BY c.relname COLLATE "C", a.attnum
$$;

CREATE TABLE public.apo_stats (
	driver_id bigint,
	rider_id integer,
	ts timestamptz,
	created timestamp,
	conv real,
	conv2 double precision,
	trips integer,
	score numeric(10,2),
	label varchar(10)
);

SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: rider, join_keys: [rider_id]}
sources:
  - {name: stats, type: table, table: public.apo_stats, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: driver_stats
    entities: [driver, rider]
    source: stats
    schema:
      - {name: conv, dtype: Float32}
      - {name: score, dtype: Float64}
      - {name: label, dtype: String}
  - name: totals
    entities: []
    source: stats
    schema:
      - {name: trips, dtype: Int64}
  - name: offline_only
    entities: [driver]
    source: stats
    online: false
    schema:
      - {name: trips, dtype: Int32}
$y$);
-- rider's value type is inferred from its column: INT32, so integer keys
SELECT name, value_type FROM feast.entities WHERE project = 'apply_online' ORDER BY name COLLATE "C";
SELECT feature_view, schema_name, table_name FROM feast.online_tables
WHERE project = 'apply_online' ORDER BY feature_view COLLATE "C";
SELECT * FROM apo_columns('apply_online_tables');
-- the entity-less table holds one row at most
SELECT pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'apply_online_tables.apply_online_totals'::regclass ORDER BY conname COLLATE "C";
INSERT INTO apply_online_tables.apply_online_totals (trips, event_timestamp) VALUES (1, '2024-01-01');
-- error: a second row, with or without a key
INSERT INTO apply_online_tables.apply_online_totals (__dummy_id, trips, event_timestamp) VALUES ('x', 1, '2024-01-01');
INSERT INTO apply_online_tables.apply_online_totals (trips, event_timestamp) VALUES (1, '2024-01-01');

-- Materialized rows and intervals, to see what survives each change.
INSERT INTO apply_online_tables.apply_online_driver_stats (driver_id, rider_id, conv, event_timestamp)
VALUES (1, 10, 0.5, '2024-01-01');
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
VALUES ('apply_online', 'driver_stats', '2024-01-01', '2024-01-02'),
       ('apply_online', 'totals', '2024-01-01', '2024-01-02');
CREATE FUNCTION apo_state() RETURNS TABLE(driver_stats_rows bigint, driver_stats_intervals bigint, totals_intervals bigint)
LANGUAGE sql AS $$
SELECT (SELECT count(*) FROM apply_online_tables.apply_online_driver_stats),
       (SELECT count(*) FROM feast.materialization_intervals WHERE project = 'apply_online' AND feature_view = 'driver_stats'),
       (SELECT count(*) FROM feast.materialization_intervals WHERE project = 'apply_online' AND feature_view = 'totals')
$$;

-- A dry run creates, alters and drops nothing.
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
feature_views:
  - {name: driver_stats, entities: [driver, rider], source: stats, schema: [{name: conv, dtype: Float32}, {name: trips, dtype: Int32}]}
  - {name: offline_only, entities: [driver], source: stats, schema: [{name: trips, dtype: Int32}]}
$y$, dry_run => true);
SELECT * FROM apo_columns('apply_online_tables');

-- Features added and dropped: ALTER TABLE, rows and intervals kept.
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
feature_views:
  - name: driver_stats
    entities: [driver, rider]
    source: stats
    schema:
      - {name: conv, dtype: Float32}
      - {name: trips, dtype: Int32}
      - {name: label, dtype: String}
  - {name: totals, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
  - {name: offline_only, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT * FROM apo_columns('apply_online_tables');
SELECT * FROM apo_state();

-- A feature whose column type changes (real -> double precision): altered
-- in place, rows and intervals kept; detail names the column.
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
sources:
  - {name: stats, type: table, table: public.apo_stats, timestamp_field: ts, created_timestamp_column: created, field_mapping: {conv2: conv}}
feature_views:
  - name: driver_stats
    entities: [driver, rider]
    source: stats
    schema:
      - {name: conv, dtype: Float64}
      - {name: trips, dtype: Int32}
      - {name: label, dtype: String}
  - {name: totals, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
  - {name: offline_only, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT * FROM apo_columns('apply_online_tables') WHERE tbl = 'apply_online_driver_stats';
SELECT * FROM apo_state();

-- Keys that change: recreated, its rows and intervals gone (detail says
-- how many rows), its grants kept.
CREATE ROLE regress_apo_reader;
GRANT SELECT ON apply_online_tables.apply_online_driver_stats TO regress_apo_reader;
GRANT SELECT, UPDATE ON apply_online_tables.apply_online_driver_stats TO PUBLIC;
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
VALUES ('apply_online', 'driver_stats', '2024-01-01', '2024-01-02');
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float64}, {name: trips, dtype: Int32}, {name: label, dtype: String}]}
  - {name: totals, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
  - {name: offline_only, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT * FROM apo_columns('apply_online_tables') WHERE tbl = 'apply_online_driver_stats';
SELECT * FROM apo_state();
SELECT has_table_privilege('regress_apo_reader', 'apply_online_tables.apply_online_driver_stats', 'SELECT') AS reader_select,
       has_table_privilege('regress_apo_reader', 'apply_online_tables.apply_online_driver_stats', 'INSERT') AS reader_insert,
       has_table_privilege('public', 'apply_online_tables.apply_online_driver_stats', 'UPDATE') AS public_update;

-- A table dropped behind offline_store's back is recreated.
DROP TABLE apply_online_tables.apply_online_totals;
SELECT * FROM feast_apply(feast_registry_dump('apply_online'));
SELECT * FROM apo_columns('apply_online_tables') WHERE tbl = 'apply_online_totals';
SELECT * FROM apo_state();

-- online: false drops the table, its record and its intervals; true again
-- creates it afresh.
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
VALUES ('apply_online', 'totals', '2024-01-01', '2024-01-02');
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_tables}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float64}, {name: trips, dtype: Int32}, {name: label, dtype: String}]}
  - {name: totals, entities: [], source: stats, online: false, schema: [{name: trips, dtype: Int64}]}
  - {name: offline_only, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT feature_view, table_name FROM feast.online_tables WHERE project = 'apply_online' ORDER BY feature_view COLLATE "C";
SELECT to_regclass('apply_online_tables.apply_online_totals') IS NULL AS totals_dropped;
SELECT * FROM apo_state();

-- A document without online_store leaves the online tables where they are.
INSERT INTO apply_online_tables.apply_online_driver_stats (driver_id, conv, event_timestamp)
VALUES (1, 0.5, '2024-01-01');
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
VALUES ('apply_online', 'driver_stats', '2024-01-01', '2024-01-02');
SELECT * FROM feast_apply($y$
project: apply_online
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float64}, {name: trips, dtype: Int32}, {name: label, dtype: String}]}
  - {name: totals, entities: [], source: stats, online: false, schema: [{name: trips, dtype: Int64}]}
  - {name: offline_only, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
$y$);
SELECT feature_view, schema_name, table_name FROM feast.online_tables WHERE project = 'apply_online' ORDER BY feature_view COLLATE "C";
SELECT online_schema, online_store FROM feast.projects WHERE name = 'apply_online';

-- A new db_schema moves every online table (SET SCHEMA): rows, intervals
-- and grants go with it. The dry run says the same and moves nothing.
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
$y$, dry_run => true);
SELECT to_regnamespace('apply_online_moved') IS NULL AS moved_schema_not_created;
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
$y$);
SELECT feature_view, schema_name, table_name FROM feast.online_tables WHERE project = 'apply_online' ORDER BY feature_view COLLATE "C";
SELECT * FROM apo_columns('apply_online_tables');
SELECT * FROM apo_columns('apply_online_moved');
SELECT (SELECT count(*) FROM apply_online_moved.apply_online_driver_stats) AS rows_moved,
       (SELECT count(*) FROM feast.materialization_intervals WHERE project = 'apply_online' AND feature_view = 'driver_stats') AS intervals_kept,
       has_table_privilege('regress_apo_reader', 'apply_online_moved.apply_online_driver_stats', 'SELECT') AS reader_select;

-- error: the online table name is longer than 63 bytes (name_too_long)
SELECT apo($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float64}]}
  - {name: a_feature_view_with_a_name_long_enough_to_overflow_63, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
$y$);
-- 63 bytes exactly is fine (here with a two-byte character)
SELECT apo($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float64}]}
  - {name: a_feature_view_with_a_name_long_enough_to_be_63_ü, entities: [], source: stats, online: true, schema: [{name: trips, dtype: Int64}]}
$y$);
SELECT table_name, octet_length(table_name) FROM feast.online_tables WHERE project = 'apply_online' ORDER BY table_name COLLATE "C";

-- error: a relation of that name exists and offline_store did not create it (duplicate_table)
CREATE TABLE apply_online_moved.apply_online_mine (id int);
SELECT apo($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
feature_views:
  - {name: mine, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
$y$);
SELECT count(*) AS mine_untouched FROM apply_online_moved.apply_online_mine;
-- ... but it can stay offline
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
feature_views:
  - {name: mine, entities: [], source: stats, online: false, schema: [{name: trips, dtype: Int64}]}
$y$);
SELECT to_regclass('apply_online_moved.apply_online_mine') IS NOT NULL AS mine_kept;
-- error: two projects whose online tables would have the same name
SELECT * FROM feast_apply($y$
project: apply_online_x
online_store: {type: postgres, db_schema: apply_online_moved}
sources:
  - {name: stats, type: table, table: public.apo_stats, timestamp_field: ts}
feature_views:
  - {name: v, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
$y$);
SELECT apo($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
feature_views:
  - {name: x_v, entities: [], source: stats, schema: [{name: trips, dtype: Int64}]}
$y$);
SELECT feature_view, schema_name, table_name FROM feast.online_tables WHERE project = 'apply_online' ORDER BY feature_view COLLATE "C";

-- Deleting the views drops their tables.
SELECT * FROM feast_apply($y$
project: apply_online
online_store: {type: postgres, db_schema: apply_online_moved}
entities: []
sources: []
feature_views: []
$y$);
SELECT * FROM feast_apply($y$
project: apply_online_x
online_store: {type: postgres, db_schema: apply_online_moved}
sources: []
feature_views: []
$y$);
SELECT count(*) AS online_tables_rows FROM feast.online_tables WHERE project LIKE 'apply_online%';
SELECT * FROM apo_columns('apply_online_moved');

---------------------------------------------------------------------------
-- A source column whose type changes under an unchanged definition
---------------------------------------------------------------------------
CREATE TABLE public.apo_typed (
	driver_id integer,
	ts timestamptz,
	name varchar(10),
	trips integer,
	note text,
	tag varchar(20)
);
INSERT INTO public.apo_typed VALUES (1, '2024-01-01', 'ab', 7, 'n', 'abcdefgh'),
	(2, '2024-01-01', 'cd', 8, 'm', 'xy');
SELECT count(*) FROM feast_apply($y$
project: apo_typed
online_store: {type: postgres, db_schema: apply_online_typed}
entities: [{name: driver, join_keys: [driver_id], value_type: INT32}]
sources: [{name: src, type: table, table: public.apo_typed, timestamp_field: ts}]
feature_views:
  - name: v
    entities: [driver]
    source: src
    schema:
      - {name: name, dtype: String}
      - {name: trips, dtype: Int64}
      - {name: note, dtype: String}
      - {name: tag, dtype: String}
$y$);
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'apo_typed');
GRANT SELECT ON apply_online_typed.apo_typed_v TO regress_apo_reader;
CREATE FUNCTION apo_typed_state() RETURNS TABLE(online_rows bigint, intervals bigint, reader_select boolean)
LANGUAGE sql AS $$
SELECT (SELECT count(*) FROM apply_online_typed.apo_typed_v),
       (SELECT count(*) FROM feast.materialization_intervals WHERE project = 'apo_typed'),
       has_table_privilege('regress_apo_reader', 'apply_online_typed.apo_typed_v', 'SELECT')
$$;
-- varchar(10) -> varchar(20) and integer -> bigint: the definition is the
-- same, the online table is altered in place, and the view is updated
ALTER TABLE public.apo_typed ALTER COLUMN name TYPE varchar(20), ALTER COLUMN trips TYPE bigint;
SELECT * FROM feast_apply(feast_registry_dump('apo_typed'), dry_run => true);
SELECT * FROM apo_columns('apply_online_typed');
SELECT * FROM feast_apply(feast_registry_dump('apo_typed'));
SELECT * FROM apo_columns('apply_online_typed');
SELECT * FROM apo_typed_state();
SELECT driver_id, name, trips FROM apply_online_typed.apo_typed_v ORDER BY 1;
-- nothing left to do
SELECT * FROM feast_apply(feast_registry_dump('apo_typed'));
-- error: values that do not fit the new type fail the apply, which keeps
-- every row (no silent truncation)
ALTER TABLE public.apo_typed ALTER COLUMN tag TYPE varchar(5) USING left(tag, 5);
SELECT apo(feast_registry_dump('apo_typed'));
SELECT * FROM apo_columns('apply_online_typed') WHERE col = 'tag';
SELECT * FROM apo_typed_state();
-- a column whose values cannot be converted (text -> bytea): its values
-- go, the rest of each row stays, the intervals are forgotten; the detail
-- says so
DELETE FROM apply_online_typed.apo_typed_v WHERE length(tag) > 5;
ALTER TABLE public.apo_typed ALTER COLUMN note TYPE bytea USING convert_to(note, 'UTF8');
SELECT * FROM feast_apply($y$
project: apo_typed
feature_views:
  - name: v
    entities: [driver]
    source: src
    schema:
      - {name: name, dtype: String}
      - {name: trips, dtype: Int64}
      - {name: note, dtype: Bytes}
      - {name: tag, dtype: String}
$y$);
SELECT * FROM apo_columns('apply_online_typed');
SELECT * FROM apo_typed_state();
SELECT driver_id, name, trips, note FROM apply_online_typed.apo_typed_v ORDER BY 1;
-- Stored timestamps are finite and in range.
CREATE FUNCTION apo_try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	cn text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, cn = CONSTRAINT_NAME;
	RETURN st || ': ' || coalesce(cn, SQLERRM);
END
$$;
-- error: infinite bounds are refused by a constraint
SELECT apo_try($$INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
	VALUES ('apo_typed', 'v', '-infinity', '2024-01-01')$$);
SELECT apo_try($$INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
	VALUES ('apo_typed', 'v', '2024-01-01', 'infinity')$$);
SELECT apo_try($$INSERT INTO feast.materialization_runs (project, feature_view, start_date, end_date, incremental, started_at, finished_at)
	VALUES ('apo_typed', 'v', '-infinity', '2024-01-01', true, now(), now())$$);
SELECT apo_try($$INSERT INTO feast.materialization_runs (project, feature_view, start_date, end_date, incremental, started_at, finished_at)
	VALUES ('apo_typed', 'v', '2024-01-01', 'infinity', true, now(), now())$$);
-- the extremes of the range are fine
INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date)
VALUES ('apo_typed', 'v', '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00');
SELECT start_date, end_date FROM feast.materialization_intervals
WHERE project = 'apo_typed' AND start_date < '1000-01-01';

DELETE FROM feast.projects WHERE name = 'apo_typed';
SELECT to_regclass('apply_online_typed.apo_typed_v') IS NULL AS dropped_with_project;
DROP SCHEMA apply_online_typed;
DROP TABLE public.apo_typed;
DROP FUNCTION apo_typed_state();
DROP FUNCTION apo_try(text);

DELETE FROM feast.projects WHERE name IN ('apply_online', 'apply_online_x');
DROP TABLE apply_online_moved.apply_online_mine;
DROP SCHEMA apply_online_moved;
DROP SCHEMA apply_online_tables;
DROP TABLE public.apo_stats;
DROP FUNCTION apo(text);
DROP FUNCTION apo_columns(text);
DROP FUNCTION apo_state();
DROP ROLE regress_apo_reader;
