-- Parallel workers: the fourth pass of the feast_historical and
-- materialization tests. With max_parallel_workers_per_gather > 0, the
-- direct scan of a large enough source is shared among parallel workers,
-- each joining the blocks it reads with its own copy of the view's index
-- (src/historical_parallel.c) or keeping the newest row per key of them
-- (src/materialize_parallel.c), and the leader merges what they kept. The
-- tests listed after this file in REGRESS run again with parallelism forced
-- (every source table large enough, and the leader reading nothing itself,
-- so the workers read every row), with the same expected output;
-- parallel_reset ends the pass.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
LOAD 'offline_store';

-- Candidates of every kind cross the workers' queues here: by-value and
-- by-reference features (a value stored out of line among them), NULL
-- features, ties on ts broken by created (a NULL created losing), keys
-- hashed as integers, as text and as a pair, and an entity-less view.
CREATE TABLE par_ent (id int, driver_id bigint, city text, event_timestamp timestamptz);
INSERT INTO par_ent
	SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE g % 400 END,
		   CASE WHEN g % 89 = 0 THEN NULL ELSE 'c' || (g % 50) END,
		   CASE WHEN g % 101 = 0 THEN NULL
				ELSE timestamptz '2024-01-01' + (g * 7919 % 10000) * interval '1 minute' END
	FROM generate_series(1, 5000) g;
CREATE TABLE par_src (driver_id bigint, city text, ts timestamptz, created timestamptz,
					  trips int, rating numeric, note text);
INSERT INTO par_src
	SELECT g % 401, 'c' || (g % 53),
		   timestamptz '2024-01-01' + (g::bigint * 104729 % 6000 - 1000) * interval '2 minutes',
		   CASE WHEN g % 17 = 0 THEN NULL
				ELSE timestamptz '2024-01-01' + (g::bigint * 104729 % 6000 - 1000) * interval '2 minutes'
					 + (g % 7) * interval '1 second' END,
		   CASE WHEN g % 13 = 0 THEN NULL ELSE g END, (g % 100) / 10.0,
		   CASE WHEN g % 1000 = 0 THEN (SELECT string_agg(md5((g * i)::text), '') FROM generate_series(1, 200) i)
				ELSE 'n' || g END
	FROM generate_series(1, 40000) g;
ANALYZE par_ent, par_src;
-- a temporary copy: its blocks are in this session's local buffers, which
-- workers cannot read
CREATE TEMP TABLE par_tmp AS TABLE par_src;
SELECT count(*) AS stored_out_of_line FROM par_src WHERE pg_column_size(note) > 2000;

SELECT object_type, name, action FROM feast_apply($y$
project: par
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: city, join_keys: [city], value_type: STRING}
sources:
  - {name: src, type: table, table: public.par_src, timestamp_field: ts, created_timestamp_column: created}
  - {name: tmp, type: table, table: par_tmp, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: drivers
    entities: [driver]
    source: src
    ttl: 1d
    online: true
    schema: [{name: trips, dtype: Int32}, {name: rating, dtype: Float64}, {name: note, dtype: String}]
  - name: cities
    entities: [city]
    source: src
    ttl: 7d
    online: true
    schema: [{name: rating, dtype: Float64}, {name: note, dtype: String}]
  - name: pairs
    entities: [driver, city]
    source: src
    ttl: 30d
    online: true
    schema: [{name: trips, dtype: Int32}]
  - name: tmp_drivers
    entities: [driver]
    source: tmp
    ttl: 1d
    schema: [{name: trips, dtype: Int32}, {name: rating, dtype: Float64}, {name: note, dtype: String}]
  - name: everyone
    entities: []
    source: src
    ttl: 2h
    schema: [{name: trips, dtype: Int32}]
$y$) ORDER BY 1, 2;

CREATE FUNCTION par_result(filter boolean) RETURNS TABLE (id int, driver_id bigint, city text,
	event_timestamp timestamptz, trips int, rating numeric, note text, c_rating numeric,
	c_note text, p_trips int, e_trips int) LANGUAGE sql AS $$
	SELECT * FROM feast_historical('par_ent', ARRAY['drivers:trips', 'drivers:rating', 'drivers:note',
		'cities:rating', 'cities:note', 'pairs:trips', 'everyone:trips'], project => 'par',
		full_feature_names => true, filter_by_created_timestamp => filter)
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, trips int,
		 rating numeric, note text, c_rating numeric, c_note text, p_trips int, e_trips int)
$$;

-- One process: the reference.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE par_one AS SELECT false AS filter, * FROM par_result(false)
	UNION ALL SELECT true, * FROM par_result(true);

-- Workers: DEBUG1 says how many were planned and launched for each view.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET client_min_messages = debug1;
SELECT count(*) FROM par_result(false);
RESET client_min_messages;
CREATE TABLE par_two AS SELECT false AS filter, * FROM par_result(false)
	UNION ALL SELECT true, * FROM par_result(true);

-- the same rows, and answers of every kind (the test is not vacuous)
SELECT (SELECT count(*) FROM par_one) AS one_rows, (SELECT count(*) FROM par_two) AS two_rows,
	   (SELECT count(*) FROM (SELECT * FROM par_one EXCEPT ALL SELECT * FROM par_two) d) AS only_one,
	   (SELECT count(*) FROM (SELECT * FROM par_two EXCEPT ALL SELECT * FROM par_one) d) AS only_two;
SELECT filter, count(trips) AS trips, count(note) AS notes, count(*) FILTER (WHERE length(note) > 2000) AS long_notes,
	   count(c_note) AS c_notes, count(p_trips) AS p_trips, count(e_trips) AS e_trips
FROM par_two GROUP BY filter ORDER BY filter;

-- A temporary source is read by the leader alone (no DEBUG1 line), with
-- the answers of the same rows in a table.
SET client_min_messages = debug1;
SELECT count(*) AS rows, count(trips) AS trips,
	   count(*) FILTER (WHERE (trips, rating, note) IS DISTINCT FROM (t_trips, t_rating, t_note)) AS different
FROM feast_historical('par_ent', ARRAY['tmp_drivers:trips', 'tmp_drivers:rating', 'tmp_drivers:note'],
					  project => 'par')
	 AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, t_trips int,
		  t_rating numeric, t_note text)
JOIN par_two USING (id) WHERE NOT par_two.filter;
RESET client_min_messages;

-- Aggregations stay in one process; as_of is applied by the workers too.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE par_as_of_one AS
	SELECT * FROM feast_historical('par_ent', ARRAY['drivers:note', 'cities:note'], project => 'par',
								   full_feature_names => true, as_of => '2024-01-03 12:00+00')
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, note text, c_note text);
SET max_parallel_workers_per_gather = 2;
WITH t AS (
	SELECT * FROM feast_historical('par_ent', ARRAY['drivers:note', 'cities:note'], project => 'par',
								   full_feature_names => true, as_of => '2024-01-03 12:00+00')
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, note text, c_note text))
SELECT (SELECT count(*) FROM t) AS rows, (SELECT count(note) FROM t) AS notes,
	   (SELECT count(*) FROM (SELECT * FROM par_as_of_one EXCEPT ALL SELECT * FROM t) d) AS only_one,
	   (SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM par_as_of_one) d) AS only_two;

-- No workers where they would not fit in offline_store.max_memory beside
-- the leader's engine (nor beyond it, where the retrieval spills).
SET client_min_messages = debug1;
SET offline_store.max_memory = '5MB';
SELECT count(trips) FROM feast_historical('par_ent', ARRAY['drivers:trips'], project => 'par')
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, trips int);
SET offline_store.max_memory = '3MB';
SELECT count(trips) FROM feast_historical('par_ent', ARRAY['drivers:trips'], project => 'par')
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, trips int);
RESET client_min_messages;
RESET offline_store.max_memory;

-- Materialization: each worker keeps the newest row per key of its blocks,
-- the leader keeps the newest of those (and fetches their rows). The
-- online rows are those of one process; within a small max_memory too (the
-- read past it done again by value, in one process).
CREATE FUNCTION par_online() RETURNS TABLE (v text, r jsonb) LANGUAGE sql AS $$
	SELECT 'drivers', to_jsonb(t) FROM feast_online.par_drivers t
	UNION ALL SELECT 'cities', to_jsonb(t) FROM feast_online.par_cities t
	UNION ALL SELECT 'pairs', to_jsonb(t) FROM feast_online.par_pairs t
$$;
SET max_parallel_workers_per_gather = 0;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'par') ORDER BY 1;
CREATE TABLE par_online_one AS SELECT * FROM par_online();
SET max_parallel_workers_per_gather = 2;
TRUNCATE feast_online.par_drivers, feast_online.par_cities, feast_online.par_pairs;
SET client_min_messages = debug1;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'par') ORDER BY 1;
RESET client_min_messages;
SELECT v, count(*) AS rows,
	   (SELECT count(*) FROM (SELECT * FROM par_online() o WHERE o.v = p.v
							  EXCEPT ALL SELECT * FROM par_online_one o WHERE o.v = p.v) d) AS added,
	   (SELECT count(*) FROM (SELECT * FROM par_online_one o WHERE o.v = p.v
							  EXCEPT ALL SELECT * FROM par_online() o WHERE o.v = p.v) d) AS missing
FROM par_online_one p GROUP BY v ORDER BY v;
SET offline_store.max_memory = '64kB';
TRUNCATE feast_online.par_drivers, feast_online.par_cities, feast_online.par_pairs;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'par') ORDER BY 1;
RESET offline_store.max_memory;
SELECT (SELECT count(*) FROM (TABLE par_online_one EXCEPT ALL SELECT * FROM par_online()) d) AS missing,
	   (SELECT count(*) FROM (SELECT * FROM par_online() EXCEPT ALL TABLE par_online_one) d) AS added;

RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
DROP FUNCTION par_result(boolean);
DROP FUNCTION par_online();
DROP TABLE par_one, par_two, par_as_of_one, par_online_one, par_ent, par_src, par_tmp;
DELETE FROM feast.projects WHERE name = 'par';

-- The tests that follow (until parallel_reset) run with workers forced:
-- every source table large enough, and the leader reading nothing itself.
DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET max_parallel_workers_per_gather = 2',
							  current_database());
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET min_parallel_table_scan_size = 0',
							  current_database());
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET parallel_leader_participation = off',
							  current_database());
END$$;
