-- feast_pull_latest and feast_pull_all: on feature views and data sources,
-- bounds (inclusive, optional), ties, NULL created, timestamps without time
-- zone, column sets and lists, errors, privileges.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.pull_src (id bigint, ts timestamp, created timestamptz, val integer, extra text);
INSERT INTO public.pull_src VALUES
	(1, '2024-01-01 00:00', NULL, 10, 'start'),
	(1, '2024-01-01 12:00', NULL, 11, 'tie, NULL created'),
	(1, '2024-01-01 12:00', '2024-01-01 12:00+00', 12, 'tie, created'),
	(2, '2024-01-01 06:00', '2024-01-01 07:00+00', 20, 'tie, later created'),
	(2, '2024-01-01 06:00', '2024-01-01 06:30+00', 21, 'tie, earlier created'),
	(2, '2024-01-02 00:00', NULL, 22, 'end'),
	(2, '2024-01-02 00:00:00.000001', NULL, 23, 'after end'),
	(3, '2023-12-31 23:59:59.999999', NULL, 30, 'before start'),
	(NULL, '2024-01-01 01:00', NULL, 40, 'no key'),
	(NULL, '2024-01-01 02:00', NULL, 41, 'no key, later'),
	(4, NULL, NULL, 50, 'no timestamp');

SELECT * FROM feast_apply($y$
project: pull_test
online_store: {type: postgres, db_schema: pull_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: tag, join_keys: [extra], value_type: STRING}
sources:
  - name: src
    type: table
    table: public.pull_src
    timestamp_field: ts
    created_timestamp_column: created
    field_mapping: {id: driver_id, val: value}
  - {name: src_push, type: push, batch_source: src}
  - {name: src_query, type: query, query: "SELECT id, ts, val FROM public.pull_src", timestamp_field: ts}
  - {name: unused, type: query, query: "SELECT id, ts FROM public.pull_src", timestamp_field: ts}
  - {name: src2, type: table, table: public.pull_src, timestamp_field: ts, field_mapping: {id: driver_id}}
feature_views:
  - name: driver_values
    entities: [driver]
    source: src
    schema: [{name: value, dtype: Int32}]
  - name: global_values
    entities: []
    source: src_query
    online: false
    schema: [{name: val, dtype: Int32}]
  - name: pushed_values
    entities: [driver]
    source: src_push
    online: false
    schema: [{name: value, dtype: Int32}]
  - {name: by_driver, entities: [driver], source: src2, online: false, schema: [{name: val, dtype: Int32}]}
  - {name: by_tag, entities: [tag], source: src2, online: false, schema: [{name: val, dtype: Int32}]}
$y$);

-- pull_latest on a feature view: keys, features, event_timestamp,
-- created_timestamp; the newest row per key in [start, end], both
-- inclusive; ties by created, a NULL created losing; NULL keys are a key.
SELECT * FROM feast_pull_latest('driver_values', '2024-01-01 00:00+00', '2024-01-02 00:00+00', 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY driver_id;
-- the bounds are instants: a timestamp without time zone is UTC whatever
-- the session's TimeZone
SET TimeZone = 'America/New_York';
SELECT driver_id, value FROM feast_pull_latest('driver_values', '2023-12-31 19:00-05', '2024-01-01 00:00:00-05', 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY driver_id;
SET TimeZone = 'UTC';
-- NULL bounds are open; rows without a timestamp never win
SELECT driver_id, value FROM feast_pull_latest('driver_values', NULL, NULL, 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY driver_id;
-- error: a range that ends before it starts
SELECT count(*) FROM feast_pull_latest('driver_values', '2024-01-02', '2024-01-01', 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz);

-- pull_all: every row in range, either bound optional.
SELECT driver_id, value, event_timestamp FROM feast_pull_all('driver_values', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY value;
SELECT value FROM feast_pull_all('driver_values', start_date => '2024-01-02', project => 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY value;
SELECT value FROM feast_pull_all('driver_values', end_date => '2024-01-01', project => 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY value;
-- no bounds: every row, also the one without a timestamp
SELECT count(*) FROM feast_pull_all('driver_values', project => 'pull_test')
	AS t(driver_id bigint, value integer, event_timestamp timestamptz, created_timestamp timestamptz);

-- On a data source: all its columns in order, renamed by field_mapping, the
-- timestamps as timestamptz; pull_latest takes the keys of the views that
-- read the source (driver_values directly, pushed_values through a push
-- source).
SELECT * FROM feast_pull_latest('src', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(driver_id bigint, ts timestamptz, created timestamptz, value integer, extra text)
ORDER BY driver_id;
-- a push source stands for its batch source
SELECT count(*) FROM feast_pull_all('src_push', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(driver_id bigint, ts timestamptz, created timestamptz, value integer, extra text);
-- entity-less: the single newest row
SELECT * FROM feast_pull_latest('src_query', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(id bigint, ts timestamptz, val integer);
SELECT * FROM feast_pull_latest('global_values', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(val integer, event_timestamp timestamptz, created_timestamp timestamptz);
-- in a select list, no column list is needed
SELECT r FROM (SELECT feast_pull_all('src_query', '2024-01-01 12:00', '2024-01-02', 'pull_test') AS r) s ORDER BY r::text;

-- Another key: one row per extra.
SELECT * FROM feast_pull_latest('by_tag', '2024-01-01', '2024-01-01 06:00', 'pull_test')
	AS t(extra text, val integer, event_timestamp timestamptz, created_timestamp timestamptz)
ORDER BY extra;

-- Errors.
-- views reading the source with different join keys
SELECT * FROM feast_pull_latest('src2', '2024-01-01', '2024-01-02', 'pull_test') AS t(id bigint);
SELECT * FROM feast_pull_latest('driver_values', '2024-01-01', '2024-01-02', 'pull_test')
	AS t(driver_id bigint, value bigint, event_timestamp timestamptz, created_timestamp timestamptz);
SELECT * FROM feast_pull_latest('unused', '2024-01-01', '2024-01-02', 'pull_test') AS t(id bigint, ts timestamptz);
SELECT * FROM feast_pull_all('nothing', project => 'pull_test') AS t(id bigint);
SELECT * FROM feast_pull_all(NULL, project => 'pull_test') AS t(id bigint);
ALTER TABLE public.pull_src RENAME COLUMN val TO v;
SELECT * FROM feast_pull_all('driver_values', project => 'pull_test') AS t(id bigint);
ALTER TABLE public.pull_src RENAME COLUMN v TO val;
ALTER TABLE public.pull_src ALTER COLUMN ts TYPE date;
SELECT * FROM feast_pull_all('driver_values', project => 'pull_test') AS t(id bigint);

-- Reading is for everyone.
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p WHERE p.proname IN ('feast_pull_latest', 'feast_pull_all')
ORDER BY 1;

SELECT count(*) AS deleted FROM feast_apply($y$
project: pull_test
online_store: {type: postgres, db_schema: pull_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.projects WHERE name = 'pull_test';
DROP SCHEMA IF EXISTS pull_online;
DROP TABLE public.pull_src;
