-- feast_push and feast_write_to_offline_store: newest wins within a push
-- and against stored rows, casts, field_mapping, offline appends, column
-- errors, atomicity, read-only rows queries, privileges.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.push_stats (
	driver_id bigint,
	ts timestamptz,
	created timestamptz,
	conv real,
	trips integer,
	note text DEFAULT 'default note'
);
CREATE TABLE public.push_global (ts timestamp, temp real);
CREATE TABLE public.push_q (driver_id bigint, ts timestamptz, v integer);

SELECT * FROM feast_apply($y$
project: push_test
online_store: {type: postgres, db_schema: push_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - name: stats_src
    type: table
    table: public.push_stats
    timestamp_field: ts
    created_timestamp_column: created
    field_mapping: {conv: conv_rate}
  - {name: stats_push, type: push, batch_source: stats_src}
  - {name: global_src, type: table, table: public.push_global, timestamp_field: ts}
  - {name: global_push, type: push, batch_source: global_src}
  - {name: q_src, type: query, query: "SELECT driver_id, ts, v FROM public.push_q", timestamp_field: ts}
  - {name: q_push, type: push, batch_source: q_src}
  - {name: lonely_push, type: push, batch_source: q_src}
feature_views:
  - name: conv_view
    entities: [driver]
    source: stats_push
    schema: [{name: conv_rate, dtype: Float32}]
  - name: trips_view
    entities: [driver]
    source: stats_push
    schema: [{name: trips, dtype: Int32}]
  - name: trips_offline
    entities: [driver]
    source: stats_push
    online: false
    schema: [{name: trips, dtype: Int32}]
  - name: global_view
    entities: []
    source: global_push
    schema: [{name: temp, dtype: Float32}]
  - name: q_view
    entities: [driver]
    source: q_push
    schema: [{name: v, dtype: Int32}]
  - name: q_direct
    entities: [driver]
    source: q_src
    schema: [{name: v, dtype: Int32}]
$y$);

-- Online: the newest row per key wins within the push (ties by created, a
-- NULL created losing); NULL keys and NULL timestamps are skipped; values
-- are cast to the online column types. The count is of the rows given.
SELECT feast_push('stats_push', $$
	SELECT * FROM (VALUES
		('1', '2024-01-01 10:00+00', NULL, 0.1, 1),
		('1', '2024-01-01 11:00+00', NULL, 0.2, 2),
		('1', '2024-01-01 11:00+00', '2024-01-01 12:00+00', 0.3, 3),
		('2', '2024-01-01 09:00+00', '2024-01-01 09:00+00', 0.4, 4),
		(NULL, '2024-01-01 09:00+00', NULL, 0.5, 5),
		('3', NULL, NULL, 0.6, 6)
	) v(driver_id, ts, created, conv_rate, trips)$$, project => 'push_test') AS pushed;
SELECT * FROM push_online.push_test_conv_view ORDER BY driver_id;
SELECT * FROM push_online.push_test_trips_view ORDER BY driver_id;
-- to => 'online' writes nothing offline
SELECT count(*) AS source_rows FROM public.push_stats;

-- Against stored rows: older never replaces newer; at an equal timestamp a
-- NULL created loses to a stored one, a greater created wins, and any
-- created wins against a stored NULL.
SELECT feast_push('stats_push', $$
	SELECT * FROM (VALUES
		(1::bigint, '2024-01-01 10:30+00'::timestamptz, '2030-01-01+00'::timestamptz, 1.1::real, 11),
		(2, '2024-01-01 09:00+00', NULL, 1.2, 12)
	) v(driver_id, ts, created, conv_rate, trips)$$, project => 'push_test') AS pushed;
SELECT driver_id, conv_rate, event_timestamp, created_timestamp FROM push_online.push_test_conv_view ORDER BY driver_id;
SELECT feast_push('stats_push', $$
	SELECT * FROM (VALUES
		(1::bigint, '2024-01-01 11:00+00'::timestamptz, '2024-01-01 12:00:01+00'::timestamptz, 1.3::real, 13),
		(2, '2024-01-01 09:00+00', '2024-01-01 09:00+00', 1.4, 14)
	) v(driver_id, ts, created, conv_rate, trips)$$, project => 'push_test') AS pushed;
SELECT driver_id, conv_rate, event_timestamp, created_timestamp FROM push_online.push_test_conv_view ORDER BY driver_id;
-- created is optional; without it every row has a NULL created
SELECT feast_push('stats_push', $$SELECT 4 AS driver_id, '2024-01-01 08:00+00'::timestamptz AS ts, 4.4 AS conv_rate, 44 AS trips$$,
				  project => 'push_test') AS pushed;
SELECT feast_push('stats_push', $$
	SELECT 4 AS driver_id, '2024-01-01 08:00+00'::timestamptz AS ts, '2024-01-01 08:00+00'::timestamptz AS created,
		   4.5 AS conv_rate, 45 AS trips$$, project => 'push_test') AS pushed;
SELECT driver_id, conv_rate, created_timestamp FROM push_online.push_test_conv_view WHERE driver_id = 4;

-- A later materialization of older source data does not overwrite pushed values.
INSERT INTO public.push_stats VALUES (1, '2024-01-01 05:00', NULL, 9.9, 99), (5, '2024-01-01 05:00', NULL, 5.5, 55);
SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['conv_view'], 'push_test');
SELECT driver_id, conv_rate, event_timestamp FROM push_online.push_test_conv_view ORDER BY driver_id;
DELETE FROM public.push_stats;

-- Offline: appends exactly the rows given (NULL keys, duplicates and all),
-- field_mapping reversed (conv_rate goes to conv), and nothing online.
SELECT feast_push('stats_push', $$
	SELECT * FROM (VALUES
		(7::bigint, '2024-02-01 00:00+00'::timestamptz, 0.7::real, 70),
		(7, '2024-02-01 00:00+00', 0.7, 70),
		(NULL, '2024-02-01 00:00+00', 0.8, 80)
	) v(driver_id, ts, conv_rate, trips)$$, 'offline', 'push_test') AS pushed;
SELECT * FROM public.push_stats ORDER BY driver_id, trips;
SELECT count(*) AS online_driver_7 FROM push_online.push_test_conv_view WHERE driver_id = 7;

-- Both; other columns of the batch source may come along (stored
-- offline, ignored online).
SELECT feast_push('stats_push', $$SELECT 8 AS driver_id, '2024-02-02 00:00+00'::timestamptz AS ts, 0.9 AS conv_rate, 90 AS trips,
				  'pushed note' AS note$$, 'online_and_offline', 'push_test') AS pushed;
SELECT driver_id, trips, note FROM public.push_stats WHERE driver_id = 8;
SELECT driver_id, trips FROM push_online.push_test_trips_view WHERE driver_id = 8;

-- Timestamps without time zone are UTC, whatever the session's TimeZone,
-- in the rows as in the batch source; entity-less views keep one row.
SET TimeZone = 'America/New_York';
SELECT feast_push('global_push', $$
	SELECT * FROM (VALUES ('2024-01-01 10:00'::timestamp, 1.0::real), ('2024-01-01 12:00', 2.0), ('2024-01-01 11:00', 3.0)) v(ts, temp)$$,
	'online_and_offline', 'push_test') AS pushed;
SET TimeZone = 'UTC';
SELECT * FROM push_online.push_test_global_view;
SELECT * FROM public.push_global ORDER BY ts;

-- Column errors list what is missing and what is unexpected (a source
-- column renamed by field_mapping goes by its Feast-side name).
SELECT feast_push('stats_push', $$SELECT 1 AS driver_id, now() AS ts, 1 AS trips$$, project => 'push_test');
SELECT feast_push('stats_push', $$SELECT 1 AS driver_id, now() AS ts, 1 AS trips, 1.0 AS conv_rate, 'x' AS extra$$, project => 'push_test');
SELECT feast_push('stats_push', $$SELECT 1 AS driver_id, now() AS ts, 1 AS trips, 1.0 AS conv, 'x' AS note$$, project => 'push_test');
SELECT feast_push('stats_push', $$SELECT 1 AS driver_id, now() AS ts, 1 AS trips, 1.0 AS conv_rate, 2 AS trips$$, project => 'push_test');
-- a value that cannot be cast (terse: the context is the generated SQL)
\set VERBOSITY terse
SELECT feast_push('stats_push', $$SELECT 'one' AS driver_id, now() AS ts, 1 AS trips, 1.0 AS conv_rate$$, project => 'push_test');
\set VERBOSITY default
-- other errors
SELECT feast_push('stats_push', $$SELECT 1 AS driver_id$$, 'nowhere', 'push_test');
SELECT feast_push('stats_src', $$SELECT 1 AS driver_id$$, project => 'push_test');
SELECT feast_push('no_such_push', $$SELECT 1 AS driver_id$$, project => 'push_test');
SELECT feast_push('lonely_push', $$SELECT 1 AS driver_id$$, project => 'push_test');
SELECT feast_push('stats_push', 'no_such_table', project => 'push_test');

-- Atomic: the offline half fails (a query source cannot be appended to),
-- so the online half is undone.
SELECT feast_push('q_push', $$SELECT 1 AS driver_id, '2024-01-01 00:00+00'::timestamptz AS ts, 1 AS v$$, 'online', 'push_test') AS pushed;
SELECT feast_push('q_push', $$SELECT 1 AS driver_id, '2024-01-02 00:00+00'::timestamptz AS ts, 2 AS v$$, 'online_and_offline', 'push_test');
SELECT driver_id, v, event_timestamp FROM push_online.push_test_q_view;

-- The rows query runs read-only: it cannot write.
CREATE TABLE public.push_log (x integer);
CREATE FUNCTION public.push_writes() RETURNS bigint LANGUAGE sql AS
$$INSERT INTO public.push_log VALUES (1) RETURNING 1::bigint$$;
\set VERBOSITY terse
SELECT feast_push('q_push', $$SELECT public.push_writes() AS driver_id, now() AS ts, 1 AS v$$, project => 'push_test');
\set VERBOSITY default
SELECT count(*) AS writes FROM public.push_log;

-- feast_write_to_offline_store: Feast-side names; the view's keys,
-- timestamp and features are required, the table's other columns optional.
SELECT feast_write_to_offline_store('conv_view', $$
	SELECT 9 AS driver_id, '2024-03-01 00:00'::timestamp AS ts, '0.25' AS conv_rate, 'written' AS note$$,
	'push_test') AS written;
SELECT * FROM public.push_stats WHERE driver_id = 9;
SELECT feast_write_to_offline_store('trips_view', 'public.push_stats', 'push_test') AS written;
SELECT feast_write_to_offline_store('conv_view', $$SELECT 9 AS driver_id, now() AS ts, 0.1 AS conv$$, 'push_test');
SELECT feast_write_to_offline_store('conv_view', $$SELECT 9 AS driver_id, 0.1 AS conv_rate, 1 AS nope$$, 'push_test');
SELECT feast_write_to_offline_store('q_direct', $$SELECT 9 AS driver_id, now() AS ts, 1 AS v$$, 'push_test');
SELECT feast_write_to_offline_store('no_view', $$SELECT 9 AS driver_id$$, 'push_test');
\set VERBOSITY terse
SELECT feast_write_to_offline_store('conv_view', $$SELECT public.push_writes() AS driver_id, now() AS ts, 0.1 AS conv_rate$$, 'push_test');
\set VERBOSITY default
SELECT count(*) AS writes FROM public.push_log;
SELECT count(*) AS source_rows FROM public.push_stats;

-- Writing is for the owner.
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p WHERE p.proname IN ('feast_push', 'feast_write_to_offline_store')
ORDER BY 1;

SELECT count(*) AS deleted FROM feast_apply($y$
project: push_test
online_store: {type: postgres, db_schema: push_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'push_test';
DELETE FROM feast.projects WHERE name = 'push_test';
DROP SCHEMA push_online;
DROP FUNCTION public.push_writes();
DROP TABLE public.push_stats, public.push_global, public.push_q, public.push_log;
