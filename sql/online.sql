-- feast_online_features: entity rows in, online values out; missing keys,
-- duplicates, composite and remapped keys, aliases, entity-less views,
-- naming, column definition lists, read-only entity queries, errors.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.onl_driver (driver_id bigint, ts timestamptz, conv real, trips integer);
CREATE TABLE public.onl_store (region text, store integer, ts timestamp, sales double precision);
CREATE TABLE public.onl_global (ts timestamptz, temp real);

SELECT * FROM feast_apply($y$
project: onl_test
online_store: {type: postgres, db_schema: onl_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: region, join_keys: [region], value_type: STRING}
  - {name: store, join_keys: [store], value_type: INT32}
sources:
  - {name: driver_src, type: table, table: public.onl_driver, timestamp_field: ts}
  - {name: store_src, type: table, table: public.onl_store, timestamp_field: ts}
  - {name: global_src, type: table, table: public.onl_global, timestamp_field: ts}
feature_views:
  - name: driver_stats
    entities: [driver]
    source: driver_src
    schema:
      - {name: conv, dtype: Float32}
      - {name: trips, dtype: Int32}
  - name: store_sales
    entities: [region, store]
    source: store_src
    schema: [{name: sales, dtype: Float64}]
  - name: weather
    entities: []
    source: global_src
    schema: [{name: temp, dtype: Float32}]
  - name: driver_offline
    entities: [driver]
    source: driver_src
    online: false
    schema: [{name: trips, dtype: Int32}]
feature_services:
  - name: svc
    features:
      - feature_view: driver_stats
        name: other
        features: [trips]
        join_key_map: {driver_id: other_driver}
      - driver_stats
$y$);

INSERT INTO public.onl_driver VALUES
	(1, '2024-01-01 10:00', 0.1, 10), (1, '2024-01-01 11:00', 0.2, 20),
	(2, '2024-01-01 09:00', 0.3, 30);
INSERT INTO public.onl_store VALUES ('north', 1, '2024-01-01 10:00', 100), ('south', 1, '2024-01-01 10:00', 200);
INSERT INTO public.onl_global VALUES ('2024-01-01 10:00', 21.5);
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'onl_test');

-- One output row per entity row, duplicates included; NULL for missing
-- keys and NULL keys; entity columns first, in their order.
SELECT * FROM feast_online_features(
	$$SELECT * FROM (VALUES ('a', 1::bigint), ('b', 2), ('c', 3), ('d', NULL), ('e', 1)) v(label, driver_id)$$,
	ARRAY['driver_stats:trips', 'driver_stats:conv'], project => 'onl_test')
	AS t(label text, driver_id bigint, trips integer, conv real)
ORDER BY label;

-- Several views, a composite key, an entity-less view, full feature names.
SELECT * FROM feast_online_features(
	$$SELECT * FROM (VALUES (1::bigint, 'north', 1), (2, 'south', 1), (3, 'south', 2)) v(driver_id, region, store)$$,
	ARRAY['weather:temp', 'store_sales:sales', 'driver_stats:trips'],
	full_feature_names => true, project => 'onl_test')
	AS t(driver_id bigint, region text, store integer, weather__temp real,
		 store_sales__sales double precision, driver_stats__trips integer)
ORDER BY driver_id;

-- A feature service: an alias with a remapped join key, then the view.
SELECT * FROM feast_online_features(
	$$SELECT * FROM (VALUES (1::bigint, 2::bigint), (2, 1)) v(driver_id, other_driver)$$,
	feature_service => 'svc', full_feature_names => true, project => 'onl_test')
	AS t(driver_id bigint, other_driver bigint, other__trips integer,
		 driver_stats__conv real, driver_stats__trips integer)
ORDER BY driver_id;

-- A relation as entity_df; keys of another integer type still match.
CREATE TABLE public.onl_entities (driver_id integer, note text);
INSERT INTO public.onl_entities VALUES (1, 'one'), (4, 'four');
SELECT * FROM feast_online_features('public.onl_entities', ARRAY['driver_stats:conv'], project => 'onl_test')
	AS t(driver_id integer, note text, conv real)
ORDER BY driver_id;

-- In a select list, no column list is needed.
SELECT r FROM (SELECT feast_online_features('onl_entities', ARRAY['driver_stats:trips'], project => 'onl_test') AS r) s
ORDER BY r::text;

-- Values come from the online table, not the source: new source rows show
-- only after a materialization.
INSERT INTO public.onl_driver VALUES (1, '2024-01-01 12:00', 0.9, 90);
SELECT * FROM feast_online_features('onl_entities', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id integer, note text, trips integer) ORDER BY driver_id;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['driver_stats'], 'onl_test');
SELECT * FROM feast_online_features('onl_entities', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id integer, note text, trips integer) ORDER BY driver_id;

-- Errors.
-- a wrong column definition list prints the right one
SELECT * FROM feast_online_features('onl_entities', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id integer, note text, trips bigint);
-- the entity rows lack a join key (also after join_key_map)
SELECT * FROM feast_online_features('SELECT 1 AS id', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(id integer, trips integer);
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc',
	full_feature_names => true, project => 'onl_test')
	AS t(driver_id bigint, trips integer, conv real, trips2 integer);
-- a feature named like an entity column
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id, 2 AS trips', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer, trips2 integer);
-- two features of the same name without full names
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', feature_service => 'svc', project => 'onl_test')
	AS t(driver_id bigint, trips integer, conv real, trips2 integer);
-- not online
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['driver_offline:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
-- unknown view and feature
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['nope:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id', ARRAY['driver_stats:nope'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
-- entity_df must be a relation or one SELECT
SELECT * FROM feast_online_features('no_such_table', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
SELECT * FROM feast_online_features('SELECT 1; SELECT 2', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
-- the entity query runs read-only: it cannot write
CREATE TABLE public.onl_log (x integer);
CREATE FUNCTION public.onl_writes() RETURNS bigint LANGUAGE sql AS
$$INSERT INTO public.onl_log VALUES (1) RETURNING 1::bigint$$;
SELECT * FROM feast_online_features('SELECT public.onl_writes() AS driver_id', ARRAY['driver_stats:trips'], project => 'onl_test')
	AS t(driver_id bigint, trips integer);
SELECT count(*) AS writes FROM public.onl_log;

-- Reading is for everyone.
SELECT has_function_privilege('public', 'feast_online_features(text, text[], text, boolean, text)', 'EXECUTE')
	AS public_can_execute;

SELECT count(*) AS deleted FROM feast_apply($y$
project: onl_test
online_store: {type: postgres, db_schema: onl_online}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'onl_test';
DELETE FROM feast.projects WHERE name = 'onl_test';
DROP SCHEMA onl_online;
DROP FUNCTION public.onl_writes();
DROP TABLE public.onl_driver, public.onl_store, public.onl_global, public.onl_entities, public.onl_log;
