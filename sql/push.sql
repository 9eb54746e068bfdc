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

---------------------------------------------------------------------------
-- Writes behave as INSERT does, with naive times in UTC, and reach the
-- online table exactly as materializing the batch source would.
---------------------------------------------------------------------------
CREATE TABLE public.push_names (name varchar(3), ts timestamp, score numeric(4,1));
CREATE TABLE public.push_instants (k timestamp, ts timestamp, created timestamptz, v integer);
CREATE TABLE public.push_doubles (k numeric, ts timestamptz, v integer);
CREATE DOMAIN public.push_flag AS boolean NOT NULL;
CREATE TABLE public.push_zoned (id integer, ts timestamptz, flag public.push_flag);
SELECT count(*) FROM feast_apply($y$
project: push_edge
online_store: {type: postgres, db_schema: push_edge_online}
entities:
  - {name: who, join_keys: [name], value_type: STRING}
  - {name: instant, join_keys: [k], value_type: UNIX_TIMESTAMP}
  - {name: dbl, join_keys: [k], value_type: DOUBLE}
  - {name: thing, join_keys: [id], value_type: INT32}
sources:
  - {name: names_src, type: table, table: public.push_names, timestamp_field: ts}
  - {name: names_push, type: push, batch_source: names_src}
  - {name: instants_src, type: table, table: public.push_instants, timestamp_field: ts, created_timestamp_column: created}
  - {name: instants_push, type: push, batch_source: instants_src}
  - {name: doubles_src, type: table, table: public.push_doubles, timestamp_field: ts}
  - {name: doubles_push, type: push, batch_source: doubles_src}
  - {name: zoned_src, type: table, table: public.push_zoned, timestamp_field: ts}
  - {name: zoned_push, type: push, batch_source: zoned_src}
feature_views:
  - {name: names, entities: [who], source: names_push, schema: [{name: score, dtype: Float64}]}
  - {name: instants, entities: [instant], source: instants_push, schema: [{name: v, dtype: Int32}]}
  - {name: doubles, entities: [dbl], source: doubles_push, schema: [{name: v, dtype: Int32}]}
  - {name: zoned, entities: [thing], source: zoned_push, schema: [{name: flag, dtype: Bool}]}
$y$);

-- Assignment, not CAST: 'alice' does not fit varchar(3), as in INSERT
-- (22001), online, offline and through feast_write_to_offline_store; two
-- keys never silently become 'ali'. Nothing is written.
INSERT INTO public.push_names SELECT 'alice', '2024-01-01', 1;
SELECT feast_push('names_push', $$SELECT * FROM (VALUES ('alice', '2024-01-01 10:00', 1.0), ('alina', '2024-01-01 11:00', 2.0)) v(name, ts, score)$$,
				  'online', 'push_edge');
SELECT feast_push('names_push', $$SELECT 'alice'::text AS name, '2024-01-01'::timestamp AS ts, 1.0 AS score$$,
				  'offline', 'push_edge');
SELECT feast_write_to_offline_store('names', $$SELECT 'alice'::varchar AS name, '2024-01-01'::timestamp AS ts, 1 AS score$$, 'push_edge');
SELECT (SELECT count(*) FROM public.push_names) AS offline_rows,
	   (SELECT count(*) FROM push_edge_online.push_edge_names) AS online_rows;
-- what fits is stored as INSERT stores it: numeric(4,1) rounds, a
-- string value is read as a literal of the column's type, trailing
-- blanks of varchar are cut as INSERT cuts them
SELECT feast_push('names_push', $$SELECT 'bob' AS name, '2024-01-01 10:00' AS ts, 1.25 AS score
								 UNION ALL SELECT 'al  ', '2024-01-01 11:00', '2.35'$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT name, ts, score FROM public.push_names ORDER BY name COLLATE "C";
SELECT name, score, event_timestamp FROM push_edge_online.push_edge_names ORDER BY name COLLATE "C";
-- error: no assignment cast (integer to boolean), as in INSERT; the error
-- names both types
SELECT feast_push('zoned_push', $$SELECT 1 AS id, now() AS ts, 1 AS flag$$, 'online', 'push_edge');
-- error: a value that is not a literal of the column's type (the context
-- says where; no internal SQL)
SELECT feast_push('zoned_push', $$SELECT 1 AS id, now() AS ts, 'maybe' AS flag$$, 'online', 'push_edge');
-- error: the column's domain holds, for a string value as for any other
SELECT feast_push('zoned_push', $$SELECT 1 AS id, now() AS ts, NULL::text AS flag$$, 'offline', 'push_edge');
SELECT feast_push('zoned_push', $$SELECT 1 AS id, now() AS ts, NULL::boolean AS flag$$, 'offline', 'push_edge');
DELETE FROM public.push_names;

-- Naive times mean UTC whatever the session's TimeZone: ts given as
-- timestamp, text or date into a timestamp batch column is stored as the
-- same instant offline and online (an offset in text is ignored there, as
-- INSERT ignores it); into a timestamptz column, text without an offset,
-- a date and a timestamp are UTC, and text with an offset is that instant.
SET TimeZone = 'America/New_York';
SELECT feast_push('names_push', $$SELECT 'tsp' AS name, '2024-07-01 10:00'::timestamp AS ts, 1 AS score$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_push('names_push', $$SELECT 'txt' AS name, '2024-07-01 10:00' AS ts, 2 AS score
								 UNION ALL SELECT 'tz', '2024-07-01 10:00+02', 3$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_push('names_push', $$SELECT 'day' AS name, '2024-07-01'::date AS ts, 4 AS score$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_push('zoned_push', $$SELECT 1 AS id, '2024-07-01 10:00' AS ts, true AS flag
								 UNION ALL SELECT 2, '2024-07-01 10:00+02', true$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_push('zoned_push', $$SELECT 3 AS id, '2024-07-01'::date AS ts, true AS flag$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_push('zoned_push', $$SELECT 4 AS id, '2024-07-01 10:00'::timestamp AS ts, true AS flag$$,
				  'online_and_offline', 'push_edge') AS pushed;
SET TimeZone = 'UTC';
SELECT n.name, n.ts AS offline_ts, o.event_timestamp AS online_ts,
	   pg_catalog.timezone('UTC', n.ts) = o.event_timestamp AS same_instant
FROM public.push_names n JOIN push_edge_online.push_edge_names o USING (name)
ORDER BY n.name COLLATE "C";
SELECT z.id, z.ts AS offline_ts, o.event_timestamp AS online_ts
FROM public.push_zoned z JOIN push_edge_online.push_edge_zoned o USING (id)
ORDER BY z.id;

-- A timestamp join key (UNIX_TIMESTAMP entity) is UTC too: under New York
-- time, two keys in the DST gap stay two online keys (no raw ON CONFLICT
-- error), and materializing the rows just pushed offline finds the keys
-- the online push wrote (no second row for one key).
SET TimeZone = 'America/New_York';
SELECT feast_push('instants_push', $$SELECT * FROM (VALUES
		('2024-03-10 02:30'::timestamp, '2024-03-10 12:00'::timestamp, NULL::timestamptz, 1),
		('2024-03-10 03:30', '2024-03-10 12:00', NULL, 2),
		('2024-03-10 03:30', '2024-03-10 11:00', NULL, 3)) v(k, ts, created, v)$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT * FROM feast_materialize('2024-03-10 00:00+00', '2024-03-11 00:00+00', ARRAY['instants'], 'push_edge');
SET TimeZone = 'UTC';
SELECT k, v, event_timestamp FROM push_edge_online.push_edge_instants ORDER BY k;

-- Keys are grouped by the online key: numeric 0.1 and
-- 0.10000000000000000001 are one float8 key; the newest row wins. The
-- batch source keeps both.
SELECT feast_push('doubles_push', $$SELECT * FROM (VALUES
		(0.10000000000000000001, '2024-01-01 11:00+00'::timestamptz, 2),
		(0.1, '2024-01-01 10:00+00', 1),
		(0.2, '2024-01-01 10:00+00', 3)) v(k, ts, v)$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT k, v, event_timestamp FROM push_edge_online.push_edge_doubles ORDER BY k;
SELECT count(*) AS offline_rows FROM public.push_doubles;

-- Infinite timestamps are refused on their values, however written
-- (event or created timestamp), by feast_write_to_offline_store too;
-- nothing is written.
DELETE FROM public.push_instants;
SELECT feast_push('instants_push', $$SELECT '2024-01-01'::timestamp AS k, 'Infinity' AS ts, 1 AS v$$, 'online_and_offline', 'push_edge');
SELECT feast_push('instants_push', $$SELECT '2024-01-01'::timestamp AS k, ' infinity' AS ts, 1 AS v$$, 'online_and_offline', 'push_edge');
SELECT feast_push('instants_push', $$SELECT '2024-01-01'::timestamp AS k, '-infinity'::timestamptz AS ts, 1 AS v$$, 'offline', 'push_edge');
SELECT feast_push('instants_push', $$SELECT '2024-01-01'::timestamp AS k, '2024-01-01'::timestamp AS ts,
								  'infinity' AS created, 1 AS v$$, 'online', 'push_edge');
SELECT feast_write_to_offline_store('instants', $$SELECT '2024-01-01'::timestamp AS k, 'infinity'::timestamp AS ts, 1 AS v$$, 'push_edge');
SELECT feast_write_to_offline_store('instants', $$SELECT '2024-01-01'::timestamp AS k, '2024-01-01'::timestamp AS ts,
								  '-infinity'::timestamptz AS created, 1 AS v$$, 'push_edge');
SELECT (SELECT count(*) FROM public.push_instants) AS offline_rows,
	   (SELECT count(*) FROM push_edge_online.push_edge_instants
		WHERE NOT isfinite(event_timestamp) OR NOT isfinite(created_timestamp)) AS online_infinite;

-- No temporary table: a transaction that pushed can be prepared.
BEGIN;
SELECT feast_push('zoned_push', $$SELECT 5 AS id, '2024-08-01 00:00+00'::timestamptz AS ts, false AS flag$$,
				  'online_and_offline', 'push_edge') AS pushed;
SELECT feast_write_to_offline_store('zoned', $$SELECT 6 AS id, '2024-08-01 00:00+00'::timestamptz AS ts, false AS flag$$,
									'push_edge') AS written;
PREPARE TRANSACTION 'ofs_push';
COMMIT PREPARED 'ofs_push';
SELECT (SELECT count(*) FROM public.push_zoned WHERE id >= 5) AS offline_rows,
	   (SELECT count(*) FROM push_edge_online.push_edge_zoned WHERE id >= 5) AS online_rows;

SELECT count(*) AS deleted FROM feast_apply($y$
project: push_edge
online_store: {type: postgres, db_schema: push_edge_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'push_edge';
DELETE FROM feast.projects WHERE name = 'push_edge';
DROP SCHEMA push_edge_online;
DROP TABLE public.push_names, public.push_instants, public.push_doubles, public.push_zoned;
DROP DOMAIN public.push_flag;

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
