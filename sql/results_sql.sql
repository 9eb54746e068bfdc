-- Results without a column definition list: feast_online_features_sql,
-- feast_pull_latest_sql and feast_pull_all_sql return the complete query
-- (the call with its column list filled in), like feast_historical_sql.
-- Each generated query runs as it is and returns what the function returns
-- with a column list written by hand.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.rs_stats (driver_id bigint, ts timestamp, created timestamptz,
	conv real, trips integer, note varchar(8));
INSERT INTO public.rs_stats VALUES
	(1, '2024-01-01 10:00', '2024-01-01 10:00', 0.5, 10, 'a'),
	(1, '2024-01-01 12:00', '2024-01-01 12:00', 0.6, 11, 'b'),
	(1, '2024-01-01 12:00', NULL, 0.65, 12, 'c'),
	(2, '2024-01-01 11:00', '2024-01-01 11:00', 0.7, 20, NULL),
	(3, '2024-01-02 09:00', '2024-01-02 09:00', 0.8, 30, 'd');
CREATE TABLE public.rs_ent (driver_id bigint, label integer);
INSERT INTO public.rs_ent VALUES (1, 1), (2, 0), (4, 1);

SELECT count(*) FROM feast_apply($y$
project: rs
online_store: {type: postgres, db_schema: rs_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.rs_stats, timestamp_field: ts, created_timestamp_column: created,
     field_mapping: {note: remark}}
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}, {name: remark, dtype: String}]}
  - {name: w, entities: [driver], source: stats, schema: [{name: trips, dtype: Int32}, {name: conv, dtype: Float32}]}
feature_services:
  - {name: svc, features: [v, w]}
$y$);
SELECT count(*) FROM feast_materialize('2023-01-01', '2025-01-01', project => 'rs');

-- The rows of the generated query and of the hand-written call, and how
-- many differ (either way).
CREATE FUNCTION rs_same(generated text, handwritten text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	d bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM (%s) x', generated) INTO n;
	EXECUTE format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) x',
				   generated, handwritten, handwritten, generated) INTO d;
	RETURN format('%s rows, %s differ', n, d);
END
$$;

---------------------------------------------------------------------------
-- feast_online_features_sql
---------------------------------------------------------------------------
-- a relation entity_df is schema-qualified, the project pinned
SELECT feast_online_features_sql('rs_ent', ARRAY['v:conv', 'w:trips'], project => 'rs');
SELECT rs_same(feast_online_features_sql('rs_ent', ARRAY['v:conv', 'w:trips'], project => 'rs'),
	$$SELECT * FROM feast_online_features('rs_ent', ARRAY['v:conv', 'w:trips'], project => 'rs')
	  AS t(driver_id bigint, label integer, conv real, trips integer)$$);
SELECT feast_online_features_sql('SELECT driver_id FROM public.rs_ent WHERE label = 1', feature_service => 'svc',
	full_feature_names => true, project => 'rs');
SELECT rs_same(feast_online_features_sql('SELECT driver_id FROM public.rs_ent WHERE label = 1', feature_service => 'svc',
	full_feature_names => true, project => 'rs'),
	$$SELECT * FROM feast_online_features('SELECT driver_id FROM public.rs_ent WHERE label = 1', feature_service => 'svc',
	  full_feature_names => true, project => 'rs')
	  AS t(driver_id bigint, v__conv real, v__remark varchar(8), w__trips integer, w__conv real)$$);
-- the project from the setting, pinned in the query
SET offline_store.project = 'rs';
SELECT feast_online_features_sql($$SELECT 1::integer AS driver_id, 'x'::text AS "Tag"$$, ARRAY['v:remark']);
RESET offline_store.project;
SELECT rs_same(feast_online_features_sql($$SELECT 1::integer AS driver_id, 'x'::text AS "Tag"$$, ARRAY['v:remark'], project => 'rs'),
	$$SELECT * FROM feast_online_features($q$SELECT 1::integer AS driver_id, 'x'::text AS "Tag"$q$, ARRAY['v:remark'], project => 'rs')
	  AS t(driver_id integer, "Tag" text, remark varchar(8))$$);
-- it runs with \gexec too
SELECT feast_online_features_sql('rs_ent', ARRAY['w:conv'], project => 'rs') || ' ORDER BY 1'
\gexec

---------------------------------------------------------------------------
-- feast_pull_latest_sql and feast_pull_all_sql, on a feature view and on
-- a data source, with and without bounds
---------------------------------------------------------------------------
SELECT feast_pull_latest_sql('v', '2024-01-01 00:00', '2024-01-01 12:00:00.5+01', 'rs');
SELECT rs_same(feast_pull_latest_sql('v', '2024-01-01 00:00', '2024-01-01 12:00:00.5+01', 'rs'),
	$$SELECT * FROM feast_pull_latest('v', '2024-01-01 00:00', '2024-01-01 12:00:00.5+01', 'rs')
	  AS t(driver_id bigint, conv real, remark varchar(8), event_timestamp timestamptz, created_timestamp timestamptz)$$);
SELECT rs_same(feast_pull_latest_sql('stats', '-infinity', 'infinity', 'rs'),
	$$SELECT * FROM feast_pull_latest('stats', '-infinity', 'infinity', 'rs')
	  AS t(driver_id bigint, ts timestamptz, created timestamptz, conv real, trips integer, remark varchar(8))$$);
SELECT feast_pull_all_sql('stats', project => 'rs');
SELECT rs_same(feast_pull_all_sql('stats', project => 'rs'),
	$$SELECT * FROM feast_pull_all('stats', project => 'rs')
	  AS t(driver_id bigint, ts timestamptz, created timestamptz, conv real, trips integer, remark varchar(8))$$);
SELECT rs_same(feast_pull_all_sql('w', '2024-01-01 11:00', project => 'rs'),
	$$SELECT * FROM feast_pull_all('w', '2024-01-01 11:00', project => 'rs')
	  AS t(driver_id bigint, trips integer, conv real, event_timestamp timestamptz, created_timestamp timestamptz)$$);
SELECT rs_same(feast_pull_all_sql('w', end_date => '2024-01-01 11:00', project => 'rs'),
	$$SELECT * FROM feast_pull_all('w', end_date => '2024-01-01 11:00', project => 'rs')
	  AS t(driver_id bigint, trips integer, conv real, event_timestamp timestamptz, created_timestamp timestamptz)$$);

-- the generated queries read what the caller may read, as the function does
CREATE ROLE regress_rs_nobody;
SET ROLE regress_rs_nobody;
SELECT length(feast_pull_all_sql('w', project => 'rs')) > 0 AS generated;
DO $$
BEGIN
	EXECUTE feast_pull_all_sql('w', project => 'rs');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'reading: %', SQLERRM;
END
$$;
RESET ROLE;
DROP ROLE regress_rs_nobody;

-- privileges: readers, executable by PUBLIC
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute, p.provolatile
FROM pg_proc p WHERE p.proname IN ('feast_online_features_sql', 'feast_pull_latest_sql', 'feast_pull_all_sql')
ORDER BY p.proname COLLATE "C";

-- clean up
DELETE FROM feast.projects WHERE name = 'rs';
DROP SCHEMA rs_online;
DROP FUNCTION rs_same(text, text);
DROP TABLE public.rs_stats, public.rs_ent;
