-- feast_online_features as a serving path: what a call resolves is kept per
-- backend (online_cache.c) and must never change a result. Each change
-- below (an apply, a rollback, a savepoint, an online table recreated, a
-- REVOKE, row-level security, the role, the entity rows' types) is followed
-- by a call that must see it; calls repeat so that the second one is
-- served from the cache. The cross-session cases are in the isolation spec
-- online_cache.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.occ_src (driver_id bigint, region text, ts timestamptz,
							 conv real, trips integer, f1 integer, f2 integer,
							 f3 integer, f4 integer, f5 integer, f6 integer, f7 integer);
INSERT INTO public.occ_src
SELECT d, CASE WHEN d % 2 = 0 THEN 'south' ELSE 'north' END, '2024-01-01 10:00+00',
	   d / 10.0, d * 10, d + 1, d + 2, d + 3, d + 4, d + 5, d + 6, d + 7
FROM generate_series(1, 4) d;
CREATE TABLE public.occ_glob (ts timestamptz, temp real);
INSERT INTO public.occ_glob VALUES ('2024-01-01 09:00+00', 20.5), ('2024-01-01 10:00+00', 21.5);

-- The document of the project: the dtype of conv, the entities of stats,
-- whether the feature service reads all of stats.
CREATE FUNCTION occ_doc(conv_dtype text, entities text, svc_all boolean) RETURNS text
LANGUAGE sql AS $f$ SELECT format($y$
project: occ
online_store: {type: postgres, db_schema: occ_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: region, join_keys: [region], value_type: STRING}
sources:
  - {name: src, type: table, table: public.occ_src, timestamp_field: ts}
  - {name: glob, type: table, table: public.occ_glob, timestamp_field: ts}
feature_views:
  - name: weather
    entities: []
    source: glob
    schema: [{name: temp, dtype: Float32}]
  - name: stats
    entities: [%s]
    source: src
    schema:
      - {name: conv, dtype: %s}
      - {name: trips, dtype: Int32}
  - name: wide
    entities: [driver]
    source: src
    schema: [{name: f1, dtype: Int32}, {name: f2, dtype: Int32}, {name: f3, dtype: Int32},
             {name: f4, dtype: Int32}, {name: f5, dtype: Int32}, {name: f6, dtype: Int32},
             {name: f7, dtype: Int32}]
feature_services:
  - name: svc
    features: [%s]
$y$, entities, conv_dtype, CASE WHEN svc_all THEN 'stats' ELSE '{feature_view: stats, features: [conv]}' END) $f$;

SELECT object_type, name, action FROM feast_apply(occ_doc('Float32', 'driver', false)) ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'occ')
ORDER BY 1;
-- no autovacuum: its statistics updates drop cached entries (harmless, but
-- the counts of kept entries below would vary)
ALTER TABLE occ_online.occ_stats SET (autovacuum_enabled = false);
ALTER TABLE occ_online.occ_wide SET (autovacuum_enabled = false);

-- How many requests this session keeps (one memory context each).
CREATE FUNCTION occ_kept() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'offline_store online read'
$$;

-- Entity rows in order, duplicates and NULL keys included; twice, the
-- second from the cache.
SELECT occ_kept();
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (3::bigint), (1), (NULL), (9), (1)) v(driver_id)$$,
									ARRAY['stats:trips', 'stats:conv'], project => 'occ')
	AS t(driver_id bigint, trips integer, conv real);
SELECT occ_kept();
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (3::bigint), (1), (NULL), (9), (1)) v(driver_id)$$,
									ARRAY['stats:trips', 'stats:conv'], project => 'occ')
	AS t(driver_id bigint, trips integer, conv real);
SELECT occ_kept();

-- Zero entity rows: no rows, and the checks still apply.
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id WHERE false',
									ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);
-- error: the join key column is missing, also when the request is cached
SELECT * FROM feast_online_features('SELECT 1::bigint AS id', ARRAY['stats:trips'], project => 'occ')
	AS t(id bigint, trips integer);
-- error: a feature named like an entity column
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id, 0 AS trips', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, x integer, trips integer);

-- Entity rows of other shapes for the same request: each type compares as
-- SQL's = does (integer and numeric keys with a bigint online key; a text
-- key has no = with bigint), more shapes than are kept per request
-- included, then the first shape again.
SELECT * FROM feast_online_features('SELECT 2 AS driver_id', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id integer, trips integer);
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (2.0), (2.5)) v(driver_id)$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id numeric, trips integer);
SELECT * FROM feast_online_features('SELECT 2::smallint AS driver_id', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id smallint, trips integer);
SELECT * FROM feast_online_features('SELECT 2::bigint AS driver_id, 1 AS a', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, a integer, trips integer);
SELECT * FROM feast_online_features('SELECT 1 AS a, 2::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ')
	AS t(a integer, driver_id bigint, trips integer);
SELECT * FROM feast_online_features('SELECT 2::bigint AS driver_id, 1 AS b', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, b integer, trips integer);
-- error: no = between text and bigint
SELECT * FROM feast_online_features($$SELECT '2'::text AS driver_id$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id text, trips integer);
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (3::bigint), (1), (NULL), (9), (1)) v(driver_id)$$,
									ARRAY['stats:trips', 'stats:conv'], project => 'occ')
	AS t(driver_id bigint, trips integer, conv real);

-- More entity rows than one batch: every row, in order.
SELECT count(*) AS rows, count(trips) AS found, bool_and(trips = driver_id * 10) AS right,
	   bool_and(n = row_number) AS in_order
FROM (SELECT t.*, row_number() OVER () FROM feast_online_features(
		'SELECT g, 1 + (g % 5)::bigint AS driver_id FROM generate_series(1, 2500) g',
		ARRAY['stats:trips'], project => 'occ') AS t(n integer, driver_id bigint, trips integer)) s
WHERE driver_id <= 4 OR trips IS NULL;

-- One entity row and a batch end with one row (1001 rows) are read by a
-- plan of their own; so are requests of entity-less views only.
SELECT count(*) AS rows, count(trips) AS found, bool_and(trips = driver_id * 10) AS right
FROM feast_online_features('SELECT 1 + (g % 4)::bigint AS driver_id FROM generate_series(1, 1001) g',
						   ARRAY['stats:trips'], project => 'occ') AS t(driver_id bigint, trips integer);
SELECT * FROM feast_online_features('SELECT 7 AS n', ARRAY['weather:temp'], project => 'occ')
	AS t(n integer, temp real);
SELECT * FROM feast_online_features('SELECT g AS n FROM generate_series(1, 3) g', ARRAY['weather:temp'], project => 'occ')
	AS t(n integer, temp real);
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (2::bigint), (NULL)) v(driver_id)$$,
									ARRAY['weather:temp', 'stats:trips'], project => 'occ')
	AS t(driver_id bigint, temp real, trips integer);
SELECT * FROM feast_online_features($$SELECT NULL::bigint AS driver_id$$,
									ARRAY['weather:temp', 'stats:trips'], project => 'occ')
	AS t(driver_id bigint, temp real, trips integer);

-- An apply in this session: the next call sees the new dtype (the online
-- column converted in place).
ALTER TABLE public.occ_src ALTER COLUMN conv TYPE double precision;
SELECT object_type, name, action FROM feast_apply(occ_doc('Float64', 'driver', false))
WHERE action <> 'unchanged' ORDER BY 1, 2;
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:conv'], project => 'occ')
	AS t(driver_id bigint, conv double precision);
-- error: the old column definition list no longer matches
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:conv'], project => 'occ')
	AS t(driver_id bigint, conv real);

-- The online table changed by its owner, not by apply: the next call reads
-- its new column type.
ALTER TABLE occ_online.occ_stats ALTER COLUMN trips TYPE bigint;
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips bigint);
ALTER TABLE occ_online.occ_stats ALTER COLUMN trips TYPE integer;
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);

-- A rolled-back apply: seen inside its transaction, gone after.
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
BEGIN;
SELECT object_type, name, action FROM feast_apply(occ_doc('Float64', 'driver', true))
WHERE action <> 'unchanged' ORDER BY 1, 2;
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
ROLLBACK;
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
-- and one rolled back to a savepoint
BEGIN;
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
SAVEPOINT s;
SELECT count(*) FROM feast_apply(occ_doc('Float64', 'driver', true));
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
ROLLBACK TO SAVEPOINT s;
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
COMMIT;
-- a plain SQL write to the registry is an apply too
UPDATE feast.feature_service_projections SET features = NULL
WHERE project = 'occ' AND feature_service = 'svc';
SELECT feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'occ');
SELECT count(*) FROM feast_apply(occ_doc('Float64', 'driver', false));

-- The online table recreated by apply (its join keys change): the next
-- call reads the new table, empty until materialized.
SELECT feast_online_features($$SELECT 1::bigint AS driver_id, 'north' AS region$$, ARRAY['stats:trips'], project => 'occ');
SELECT object_type, name, action, detail FROM feast_apply(occ_doc('Float64', 'driver, region', false))
WHERE action <> 'unchanged' ORDER BY 1, 2;
SELECT feast_online_features($$SELECT 1::bigint AS driver_id, 'north' AS region$$, ARRAY['stats:trips'], project => 'occ');
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats'], project => 'occ');
SELECT feast_online_features($$SELECT 1::bigint AS driver_id, 'north' AS region$$, ARRAY['stats:trips'], project => 'occ');
-- error: the cached read needed driver_id only; now region is a key too
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ');
SELECT count(*) FROM feast_apply(occ_doc('Float64', 'driver', false));
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['stats'], project => 'occ');

-- Privileges are the caller's at every call: a cached read does not
-- survive a REVOKE, of the table or of a column.
CREATE ROLE occ_reader;
GRANT USAGE ON SCHEMA occ_online TO occ_reader;
GRANT SELECT ON occ_online.occ_stats TO occ_reader;
SET ROLE occ_reader;
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ');
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ');
RESET ROLE;
REVOKE SELECT ON occ_online.occ_stats FROM occ_reader;
GRANT SELECT (driver_id, conv) ON occ_online.occ_stats TO occ_reader;
SET ROLE occ_reader;
-- error: permission denied (trips is not granted)
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips'], project => 'occ');
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:conv'], project => 'occ');
RESET ROLE;
GRANT SELECT ON occ_online.occ_stats TO occ_reader;

-- Row-level security on the online table: each role reads its rows, from
-- its own cache entry; a new policy applies at the next call.
ALTER TABLE occ_online.occ_stats ENABLE ROW LEVEL SECURITY;
CREATE POLICY occ_low ON occ_online.occ_stats FOR SELECT TO occ_reader USING (driver_id <= 2);
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (1::bigint), (3)) v(driver_id)$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);
SET ROLE occ_reader;
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (1::bigint), (3)) v(driver_id)$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);
RESET ROLE;
DROP POLICY occ_low ON occ_online.occ_stats;
CREATE POLICY occ_high ON occ_online.occ_stats FOR SELECT TO occ_reader USING (driver_id >= 3);
SET ROLE occ_reader;
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (1::bigint), (3)) v(driver_id)$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);
RESET ROLE;
SELECT * FROM feast_online_features($$SELECT * FROM (VALUES (1::bigint), (3)) v(driver_id)$$, ARRAY['stats:trips'], project => 'occ')
	AS t(driver_id bigint, trips integer);
DROP POLICY occ_high ON occ_online.occ_stats;
ALTER TABLE occ_online.occ_stats DISABLE ROW LEVEL SECURITY;

-- offline_store.project decides the project of a NULL project argument,
-- whatever was cached for the previous setting.
SET offline_store.project = 'occ';
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips']);
SET offline_store.project = 'nope';
-- error: no such project (the hint lists the projects there are)
\set VERBOSITY terse
SELECT feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['stats:trips']);
\set VERBOSITY default
RESET offline_store.project;

-- The cache is bounded: 100 different requests (subsets of the features
-- of wide) leave at most 64 kept.
DO $$
DECLARE
	feats text[] := ARRAY['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];
	refs text[];
BEGIN
	FOR m IN 1..100 LOOP
		refs := ARRAY(SELECT 'wide:' || feats[i] FROM generate_series(1, 7) i
					  WHERE (m >> (i - 1)) & 1 = 1 ORDER BY i);
		PERFORM feast_online_features('SELECT 1::bigint AS driver_id', refs, project => 'occ');
	END LOOP;
END
$$;
SELECT occ_kept();

-- Aggregated features are features of their view: the read returns their
-- online columns (as of the materialization's end_date), from the cache
-- the second time. feast_online_features_sql resolves and keeps the same
-- request and read as the call it returns.
SELECT count(*) FROM feast_apply($y$
project: occa
online_store: {type: postgres, db_schema: occ_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: src, type: table, table: public.occ_src, timestamp_field: ts}]
feature_views:
  - name: act
    entities: [driver]
    source: src
    schema: [{name: conv, dtype: Float64}]
    aggregations:
      - {column: trips, function: sum, time_window: 1d}
      - {column: trips, function: count, time_window: 1d, name: n_1d}
$y$);
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'occa');
ALTER TABLE occ_online.occa_act SET (autovacuum_enabled = false);
-- (the apply dropped every entry; they are freed at the next call)
SELECT feast_online_features_sql($$SELECT * FROM (VALUES (2::bigint), (5)) v(driver_id)$$,
								 ARRAY['act:n_1d', 'act:sum_trips', 'act:conv'], project => 'occa');
SELECT occ_kept();
SELECT feast_online_features_sql($$SELECT * FROM (VALUES (2::bigint), (5)) v(driver_id)$$,
								 ARRAY['act:n_1d', 'act:sum_trips', 'act:conv'], project => 'occa')
\gexec
SELECT occ_kept();
SELECT * FROM feast_online_features('SELECT 3::bigint AS driver_id', ARRAY['act:n_1d', 'act:sum_trips'], project => 'occa')
	AS t(driver_id bigint, n_1d bigint, sum_trips bigint);
-- a change to feast.aggregations alone (no other registry table, not the
-- online table) is seen by the next call, and its rollback too
BEGIN;
DELETE FROM feast.aggregations WHERE project = 'occa' AND name = 'n_1d';
-- error: no such feature any more
SELECT * FROM feast_online_features('SELECT 3::bigint AS driver_id', ARRAY['act:n_1d', 'act:sum_trips'], project => 'occa')
	AS t(driver_id bigint, n_1d bigint, sum_trips bigint);
ROLLBACK;
SELECT * FROM feast_online_features('SELECT 3::bigint AS driver_id', ARRAY['act:n_1d', 'act:sum_trips'], project => 'occa')
	AS t(driver_id bigint, n_1d bigint, sum_trips bigint);
-- an apply that changes an aggregation's function (and so the type of its
-- online column): the next call reads the new column
SELECT object_type, name, action, detail FROM feast_apply($y$
project: occa
online_store: {type: postgres, db_schema: occ_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: src, type: table, table: public.occ_src, timestamp_field: ts}]
feature_views:
  - name: act
    entities: [driver]
    source: src
    schema: [{name: conv, dtype: Float64}]
    aggregations:
      - {column: trips, function: sum, time_window: 1d}
      - {column: trips, function: mean, time_window: 1d, name: n_1d}
$y$) WHERE action <> 'unchanged' ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'occa');
SELECT * FROM feast_online_features('SELECT 3::bigint AS driver_id', ARRAY['act:n_1d', 'act:sum_trips'], project => 'occa')
	AS t(driver_id bigint, n_1d numeric, sum_trips bigint);
DELETE FROM feast.projects WHERE name = 'occa';

-- The trigger on every registry table an online read depends on, enabled
-- always (also for a logical replication subscriber's apply worker).
SELECT tgrelid::regclass AS registry_table, tgenabled
FROM pg_trigger WHERE tgname = 'registry_changed' ORDER BY 1::text COLLATE "C";
-- error: not a function to call
SELECT feast.registry_changed();

DELETE FROM feast.projects WHERE name = 'occ';
DROP SCHEMA occ_online;
DROP ROLE occ_reader;
DROP FUNCTION occ_doc(text, text, boolean), occ_kept();
DROP TABLE public.occ_src, public.occ_glob;
