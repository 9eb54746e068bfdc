-- offline_store.max_memory: the third pass of the feast_historical tests.
-- Beyond max_memory, feast_historical partitions its work on temporary
-- files (src/historical_spill.c). The tests listed after this file in
-- REGRESS run again with the smallest max_memory, so that every retrieval
-- spills (every stage, several partitions, chunks of partitions too large
-- for a batch), with the same expected output: the differential tests
-- compare with their SQL references, the others print sorted rows.
-- spill_reset turns it back to the default.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
LOAD 'offline_store';

SHOW offline_store.max_memory;
-- error: below the minimum
SET offline_store.max_memory = '63kB';
SET offline_store.max_memory = '64kB';
SHOW offline_store.max_memory;
RESET offline_store.max_memory;


-- Every spill path against the in-memory result of the same call: a
-- bigint key (the engine's integer hash), a text key (its type's hash
-- function), an entity-less view (not partitionable: one partition joined
-- in chunks), aggregations, full_feature_names, and a skewed key (half the
-- entity rows have driver 0: their partition exceeds a batch and is joined
-- in chunks, each reading its source rows again). DEBUG1 says that the
-- call spilled, and how: partitions, batches, partitions in chunks.
SET log_temp_files = -1;
CREATE TABLE sp_ent (id int, driver_id bigint, city text, event_timestamp timestamptz);
INSERT INTO sp_ent
	SELECT g, CASE WHEN g % 2 = 0 THEN 0 WHEN g % 97 = 0 THEN NULL ELSE g % 300 END,
		   CASE WHEN g % 89 = 0 THEN NULL ELSE 'c' || (g % 50) END,
		   CASE WHEN g % 101 = 0 THEN NULL
				ELSE timestamptz '2024-01-01' + (g * 7919 % 10000) * interval '1 minute' END
	FROM generate_series(1, 4000) g;
CREATE TABLE sp_drv (driver_id bigint, ts timestamptz, created timestamptz,
					 trips int, rating numeric, note text);
INSERT INTO sp_drv
	SELECT g % 301, ts, CASE WHEN g % 17 = 0 THEN NULL ELSE ts + (g % 3) * interval '1 minute' END,
		   g, (g % 100) / 10.0, 'n' || g
	FROM generate_series(1, 20000) g,
		 LATERAL (SELECT timestamptz '2024-01-01' + (g * 104729 % 12000 - 1000) * interval '1 minute' AS ts) t;
CREATE TABLE sp_city (city text, ts timestamptz, pop int);
INSERT INTO sp_city
	SELECT 'c' || (g % 60), timestamptz '2024-01-01' + (g * 31 % 11000 - 500) * interval '1 minute', g
	FROM generate_series(1, 3000) g;
ANALYZE sp_ent, sp_drv, sp_city;

SELECT object_type, name, action FROM feast_apply($y$
project: sp
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: city, join_keys: [city], value_type: STRING}
sources:
  - {name: drv, type: table, table: public.sp_drv, timestamp_field: ts, created_timestamp_column: created}
  - {name: cty, type: table, table: public.sp_city, timestamp_field: ts}
feature_views:
  - name: drivers
    entities: [driver]
    source: drv
    ttl: 1d
    schema: [{name: trips, dtype: Int32}, {name: rating, dtype: Float64}, {name: note, dtype: String}]
    aggregations:
      - {column: trips, function: count, time_window: 6h}
      - {column: rating, function: sum, time_window: 1d}
      - {column: note, function: max, time_window: 1d}
  - name: cities
    entities: [city]
    source: cty
    ttl: 7d
    schema: [{name: pop, dtype: Int32}]
  - name: everyone
    entities: []
    source: drv
    ttl: 2h
    schema: [{name: trips, dtype: Int32}]
    aggregations:
      - {column: trips, function: count, time_window: 1h, name: trips_1h}
$y$) ORDER BY 1, 2;

CREATE FUNCTION sp_run(filter bool) RETURNS TABLE (id int, driver_id bigint, city text,
	event_timestamp timestamptz, drivers__trips int, drivers__rating numeric,
	drivers__note text, drivers__count_trips bigint, drivers__sum_rating numeric,
	drivers__max_note text, cities__pop int, everyone__trips int, everyone__trips_1h bigint)
LANGUAGE sql AS $f$
	SELECT * FROM feast_historical('sp_ent', ARRAY['drivers:trips', 'drivers:rating', 'drivers:note',
		'drivers:count_trips', 'drivers:sum_rating', 'drivers:max_note', 'cities:pop',
		'everyone:trips', 'everyone:trips_1h'], project => 'sp', full_feature_names => true,
		filter_by_created_timestamp => filter)
	AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, drivers__trips int,
		 drivers__rating numeric, drivers__note text, drivers__count_trips bigint,
		 drivers__sum_rating numeric, drivers__max_note text, cities__pop int,
		 everyone__trips int, everyone__trips_1h bigint)
$f$;
CREATE TABLE sp_mem AS SELECT * FROM sp_run(false);
CREATE TABLE sp_mem_f AS SELECT * FROM sp_run(true);
-- the in-memory run has answers of every kind
SELECT count(*), count(drivers__trips), count(drivers__count_trips) FILTER (WHERE drivers__count_trips > 0),
	   count(cities__pop), count(everyone__trips), count(*) FILTER (WHERE everyone__trips_1h > 0)
FROM sp_mem;

-- spilled: every row the same, none missing, none added
SET offline_store.max_memory = '64kB';
SET client_min_messages = debug1;
WITH s AS (SELECT * FROM sp_run(false))
SELECT (SELECT count(*) FROM s) AS n,
	   (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE sp_mem) x) AS added,
	   (SELECT count(*) FROM (TABLE sp_mem EXCEPT ALL TABLE s) x) AS missing;
WITH s AS (SELECT * FROM sp_run(true))
SELECT (SELECT count(*) FROM s) AS n,
	   (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE sp_mem_f) x) AS added,
	   (SELECT count(*) FROM (TABLE sp_mem_f EXCEPT ALL TABLE s) x) AS missing;
-- a larger budget: fewer partitions, several in a batch
SET offline_store.max_memory = '1MB';
WITH s AS (SELECT * FROM sp_run(false))
SELECT (SELECT count(*) FROM s) AS n,
	   (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE sp_mem) x) AS added,
	   (SELECT count(*) FROM (TABLE sp_mem EXCEPT ALL TABLE s) x) AS missing;
-- within the budget: in memory, no message
RESET offline_store.max_memory;
SELECT count(*) FROM sp_run(false);
RESET client_min_messages;

-- values stored out of line count at their full size: 40 entity rows with
-- a 100 kB note each (4 MB once fetched, a few kB in their table) do not
-- fit in 3MB, in memory or in a partition
CREATE TABLE sp_toast_ent (id int, driver_id bigint, event_timestamp timestamptz, note text);
ALTER TABLE sp_toast_ent ALTER COLUMN note SET STORAGE EXTERNAL;
INSERT INTO sp_toast_ent
	SELECT id, driver_id, event_timestamp, repeat(md5(id::text), 3200) FROM sp_ent WHERE id <= 40;
ANALYZE sp_toast_ent;
SELECT pg_total_relation_size('sp_toast_ent') > 4000000 AS stored_out_of_line,
	   pg_relation_size('sp_toast_ent') < 100000 AS small_tuples;
CREATE FUNCTION sp_toast_run() RETURNS TABLE (n bigint, trips bigint, note_bytes bigint, notes text)
LANGUAGE sql AS $f$
	SELECT count(*), sum(trips), sum(length(note)), md5(string_agg(note, ',' ORDER BY id))
	FROM feast_historical('public.sp_toast_ent', ARRAY['drivers:trips'], project => 'sp')
		AS t(id int, driver_id bigint, event_timestamp timestamptz, note text, trips int)
$f$;
CREATE TABLE sp_toast_mem AS SELECT * FROM sp_toast_run();
SET offline_store.max_memory = '3MB';
SET client_min_messages = debug1;
SELECT s = m AS same, s.n, s.note_bytes FROM sp_toast_run() s, sp_toast_mem m;
RESET client_min_messages;
RESET offline_store.max_memory;

-- temp_file_limit is honoured (PostgreSQL's own error), and the temporary
-- files of a failed or cancelled call are gone with its transaction
SET offline_store.max_memory = '64kB';
SET temp_file_limit = '64kB';
SELECT count(*) FROM sp_run(false);
RESET temp_file_limit;
SELECT count(*) AS temp_files FROM pg_ls_tmpdir();
-- the entity-less view's chunks read its source again and again: long
-- enough to be cancelled in the middle of the batches
-- (wherever it is: no context)
SET statement_timeout = '300ms';
\set VERBOSITY terse
SELECT count(*) FROM generate_series(1, 50) g, LATERAL (SELECT count(*) FROM sp_run(g < 0)) x;
\set VERBOSITY default
RESET statement_timeout;
SELECT count(*) AS temp_files FROM pg_ls_tmpdir();
RESET offline_store.max_memory;

-- an entity_df whose estimate is far too low (a function the planner
-- expects 10 rows of): once its 4000 rows are read, the first view's rows
-- are partitioned again for their real number (left in the one partition
-- planned, they were joined in 10 chunks that read back 93798 source rows)
CREATE FUNCTION sp_ent_fn() RETURNS SETOF sp_ent LANGUAGE sql ROWS 10 AS 'SELECT * FROM sp_ent';
CREATE FUNCTION sp_fn_run() RETURNS TABLE (n bigint, trips bigint, n_rating bigint, notes text)
LANGUAGE sql AS $f$
	SELECT count(*), sum(trips), count(rating), md5(string_agg(note, ',' ORDER BY id, note))
	FROM feast_historical('SELECT * FROM sp_ent_fn()', ARRAY['drivers:trips', 'drivers:rating', 'drivers:note'],
						  project => 'sp')
		AS t(id int, driver_id bigint, city text, event_timestamp timestamptz, trips int,
			 rating numeric, note text)
$f$;
CREATE TABLE sp_fn_mem AS SELECT * FROM sp_fn_run();
SET offline_store.max_memory = '256kB';
SET client_min_messages = debug1;
SELECT s = m AS same, s.n FROM sp_fn_run() s, sp_fn_mem m;
RESET client_min_messages;
RESET offline_store.max_memory;
DROP FUNCTION sp_fn_run();
DROP FUNCTION sp_ent_fn();
DROP TABLE sp_fn_mem;

-- entity-less, two views of different entities: in each view's stage the
-- rows of the other view's keys match nothing; they have a file of their
-- own, whose source file is empty, so that joining them in chunks reads no
-- source rows again ("read back" counts the source rows read by every
-- batch and chunk: 76596 and 6403 when those rows shared the first
-- partition)
CREATE FUNCTION sp_el_run() RETURNS TABLE (n bigint, trips bigint, pop bigint)
LANGUAGE sql AS $f$
	SELECT count(*), sum(trips), sum(pop)
	FROM feast_historical(NULL, ARRAY['drivers:trips', 'cities:pop'], project => 'sp',
						  start_date => '2024-01-01', end_date => '2024-01-08')
		AS t(event_timestamp timestamptz, driver_id bigint, city text, trips int, pop int)
$f$;
CREATE TABLE sp_el_mem AS SELECT * FROM sp_el_run();
SET offline_store.max_memory = '64kB';
SET client_min_messages = debug1;
SELECT s = m AS same, s.n FROM sp_el_run() s, sp_el_mem m;
RESET client_min_messages;
RESET offline_store.max_memory;

DELETE FROM feast.projects WHERE name = 'sp';
DROP FUNCTION sp_el_run();
DROP TABLE sp_el_mem;
DROP FUNCTION sp_run(bool);
DROP FUNCTION sp_toast_run();
DROP TABLE sp_ent, sp_drv, sp_city, sp_mem, sp_mem_f, sp_toast_ent, sp_toast_mem;

-- Materialization beyond max_memory: the newest row per key of a source
-- whose keys do not fit goes through partitions of the keys on temporary
-- files (materialize_table.c), partitioned again when a partition does not
-- fit either, read directly by reference (then again by value once past
-- the budget) or through the executor; the online rows are those of the
-- in-memory run, into empty tables (the direct insert) and over existing
-- rows (the upsert), with values stored out of line, NULL created and ties.
CREATE TABLE sp_msrc (k bigint, name text, ts timestamptz, created timestamptz, a int, b text);
INSERT INTO sp_msrc
	SELECT g % 20011, 'n' || (g % 701), timestamptz '2024-01-01' + (g * 7 % 500) * interval '1 minute',
		   CASE WHEN g % 13 = 0 THEN NULL ELSE timestamptz '2024-01-01' + (g % 3) * interval '1 minute' END,
		   g, CASE WHEN g % 2000 = 0 THEN (SELECT string_agg(md5((g * i)::text), '') FROM generate_series(1, 80) i)
				   ELSE repeat('x', g % 40) END
	FROM generate_series(1, 30000) g;
SELECT count(*) AS stored_out_of_line FROM sp_msrc WHERE pg_column_size(b) > 2000;
SELECT object_type, name, action FROM feast_apply($y$
project: spm
entities:
  - {name: k, join_keys: [k], value_type: INT64}
  - {name: nm, join_keys: [name], value_type: STRING}
sources:
  - {name: s, type: table, table: public.sp_msrc, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - {name: mk, entities: [k], source: s, online: true, schema: [{name: a, dtype: Int32}, {name: b, dtype: String}]}
  - {name: mn, entities: [nm], source: s, online: true, schema: [{name: a, dtype: Int32}, {name: b, dtype: String}]}
$y$) ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'spm') ORDER BY 1;
CREATE TABLE sp_mk_mem AS TABLE feast_online.spm_mk;
CREATE TABLE sp_mn_mem AS TABLE feast_online.spm_mn;
CREATE FUNCTION sp_mat_check() RETURNS TABLE (view text, n bigint, added bigint, missing bigint)
LANGUAGE sql AS $f$
	SELECT 'mk', (SELECT count(*) FROM feast_online.spm_mk),
		   (SELECT count(*) FROM (TABLE feast_online.spm_mk EXCEPT ALL TABLE sp_mk_mem) x),
		   (SELECT count(*) FROM (TABLE sp_mk_mem EXCEPT ALL TABLE feast_online.spm_mk) x)
	UNION ALL
	SELECT 'mn', (SELECT count(*) FROM feast_online.spm_mn),
		   (SELECT count(*) FROM (TABLE feast_online.spm_mn EXCEPT ALL TABLE sp_mn_mem) x),
		   (SELECT count(*) FROM (TABLE sp_mn_mem EXCEPT ALL TABLE feast_online.spm_mn) x)
$f$;
-- the in-memory reference has values stored out of line
SELECT count(*) FILTER (WHERE length(b) > 2000) AS long_values FROM sp_mk_mem;
SET offline_store.max_memory = '64kB';
-- read directly, past the budget read again by value, into empty tables;
-- the partitions of mk have too many keys, and are partitioned again
TRUNCATE feast_online.spm_mk, feast_online.spm_mn;
SET client_min_messages = debug2;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'spm') ORDER BY 1;
RESET client_min_messages;
SELECT * FROM sp_mat_check() ORDER BY 1;
-- over the rows already there (the upsert), through the executor
SET offline_store.direct_scan = off;
SET client_min_messages = debug1;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'spm') ORDER BY 1;
RESET client_min_messages;
SELECT * FROM sp_mat_check() ORDER BY 1;
RESET offline_store.direct_scan;
-- a larger budget: fewer partitions, mn in memory
SET offline_store.max_memory = '1MB';
TRUNCATE feast_online.spm_mk, feast_online.spm_mn;
SET client_min_messages = debug1;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', project => 'spm') ORDER BY 1;
RESET client_min_messages;
SELECT * FROM sp_mat_check() ORDER BY 1;
RESET offline_store.max_memory;

DELETE FROM feast.projects WHERE name = 'spm';
DROP FUNCTION sp_mat_check();
DROP TABLE sp_msrc, sp_mk_mem, sp_mn_mem;

DO $$BEGIN
	EXECUTE pg_catalog.format('ALTER DATABASE %I SET offline_store.max_memory = %L',
							  current_database(), '64kB');
END$$;
