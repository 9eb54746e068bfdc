-- Feature service views: feast_apply keeps <db_schema>.<project>_<service>
-- for every feature service whose projections all read online feature views
-- with the same join keys. Their columns and contents are those of
-- feast_online_features for the service, a filter on the keys is answered
-- through the online tables' primary keys, they follow every change (in the
-- dry run's rows too), keep their grants, and a name that is taken is an
-- error.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.svw_stats (driver_id bigint, rider_id integer, ts timestamptz, created timestamptz,
	conv real, acc real, trips integer, note text);
INSERT INTO public.svw_stats
SELECT d, d % 7, '2024-01-01'::timestamptz + make_interval(hours => h), '2024-01-01'::timestamptz + make_interval(hours => h),
	   d / 10.0 + h, h / 100.0, d * 10 + h, 'n' || d
FROM generate_series(1, 6) d, generate_series(0, 2) h;
-- driver 6 only in the second source
CREATE TABLE public.svw_other (driver_id bigint, ts timestamptz, conv real, rating double precision);
INSERT INTO public.svw_other VALUES (1, '2024-01-01', 0.25, 4.5), (6, '2024-01-01', 0.75, 3.5), (7, '2024-01-01', 0.5, 5);

-- SQLSTATE: message and detail
CREATE FUNCTION svw_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	det text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || msg || coalesce(E'\nDETAIL: ' || nullif(det, ''), '');
END
$$;

-- The recorded views with their columns (name type: comment).
CREATE FUNCTION svw_views() RETURNS TABLE(feature_service text, view regclass, columns text)
LANGUAGE sql AS $$
	SELECT s.feature_service, s.relid,
		   (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
							  || coalesce(': ' || col_description(a.attrelid, a.attnum), ''), E'\n' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = s.relid AND a.attnum > 0)
	FROM feast.feature_service_views s WHERE s.project = 'svw'
	ORDER BY s.feature_service COLLATE "C"
$$;

-- The rows of a service view that feast_online_features does not return
-- for the same keys (every key of the view's online tables), and the other
-- way round: 0 when they are equal.
CREATE FUNCTION svw_diff(svc text, keys text, coldefs text, full_names boolean DEFAULT false) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	view_sql text := format('SELECT * FROM %s', (SELECT relid FROM feast.feature_service_views
												 WHERE project = 'svw' AND feature_service = svc));
	srf_sql text := format('SELECT * FROM feast_online_features(%L, feature_service => %L, full_feature_names => %L, project => ''svw'') AS t(%s)',
						   keys, svc, full_names, coldefs);
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) x',
				   view_sql, srf_sql, srf_sql, view_sql) INTO n;
	RETURN n;
END
$$;

CREATE ROLE regress_svw_reader;
GRANT USAGE ON SCHEMA public TO regress_svw_reader;

CREATE FUNCTION svw_doc(extra text DEFAULT '') RETURNS text LANGUAGE sql AS $f$
	SELECT $y$
project: svw
online_store: {type: postgres, db_schema: svw_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: rider, join_keys: [rider_id], value_type: INT32}
sources:
  - {name: stats, type: table, table: public.svw_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: other, type: table, table: public.svw_other, timestamp_field: ts}
feature_views:
  - {name: v1, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}, {name: acc, dtype: Float32}]}
  - {name: v2, entities: [driver], source: other, schema: [{name: conv, dtype: Float32}, {name: rating, dtype: Float64}]}
  - {name: v3, entities: [driver, rider], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v_off, entities: [driver], source: stats, online: false, schema: [{name: note, dtype: String}]}
  - {name: v_all, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
$y$ || extra
$f$;

---------------------------------------------------------------------------
-- Which services get a view
---------------------------------------------------------------------------
SELECT * FROM feast_apply(svw_doc($y$
feature_services:
  - {name: one, features: [v1]}
  - name: two
    features: [{feature_view: v1, features: [acc]}, {feature_view: v2, features: [rating]}]
  - {name: clash, features: [v1, v2]}
  - name: twice
    features: [{feature_view: v1, features: [conv]}, {feature_view: v1, name: again, features: [acc]}]
  - {name: mixed_keys, features: [v1, v3]}
  - {name: offline, features: [v_off]}
  - {name: entityless, features: [v_all]}
  - name: remapped
    features: [v1, {feature_view: v2, name: v2r, features: [rating], join_key_map: {driver_id: other_id}}]
$y$)) ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT * FROM svw_views();
SELECT s.feature_service, c.relowner = p.owner::oid AS owned_by_project_owner,
	   obj_description(c.oid, 'pg_class') AS comment
FROM feast.feature_service_views s JOIN pg_class c ON c.oid = s.relid
JOIN feast.projects p ON p.name = s.project WHERE s.project = 'svw'
ORDER BY s.feature_service COLLATE "C";
-- the query of a view over several tables: the keys of all, each joined on them
SELECT pg_get_viewdef('svw_online.svw_two'::regclass, true);

---------------------------------------------------------------------------
-- Contents: feast_online_features for the same service, every key of its
-- online tables
---------------------------------------------------------------------------
SELECT count(*) FROM feast_materialize('2023-01-01', '2025-01-01', project => 'svw');
SELECT * FROM svw_online.svw_one ORDER BY driver_id;
SELECT * FROM svw_online.svw_two ORDER BY driver_id;
SELECT * FROM svw_online.svw_clash ORDER BY driver_id;
SELECT * FROM svw_online.svw_twice ORDER BY driver_id;
SELECT svw_diff('one', 'SELECT driver_id FROM svw_online.svw_v1', 'driver_id bigint, conv real, acc real') AS one,
	   svw_diff('two', 'SELECT driver_id FROM svw_online.svw_v1 UNION SELECT driver_id FROM svw_online.svw_v2',
				'driver_id bigint, acc real, rating double precision') AS two,
	   svw_diff('clash', 'SELECT driver_id FROM svw_online.svw_v1 UNION SELECT driver_id FROM svw_online.svw_v2',
				'driver_id bigint, v1__conv real, v1__acc real, v2__conv real, v2__rating double precision', true) AS clash,
	   svw_diff('twice', 'SELECT driver_id FROM svw_online.svw_v1', 'driver_id bigint, conv real, acc real') AS twice;
-- the same with a key in one online table only
INSERT INTO svw_online.svw_v1 (driver_id, conv, acc, event_timestamp) VALUES (9, 0.9, 0.1, '2024-02-01');
SELECT * FROM svw_online.svw_two WHERE driver_id = 9;
SELECT svw_diff('two', 'SELECT driver_id FROM svw_online.svw_v1 UNION SELECT driver_id FROM svw_online.svw_v2',
				'driver_id bigint, acc real, rating double precision') AS two;

---------------------------------------------------------------------------
-- A filter on the keys goes through the primary keys of the online
-- tables: index scans, never a scan of a table
---------------------------------------------------------------------------
INSERT INTO public.svw_other SELECT d, '2024-01-02', d / 1000.0, d FROM generate_series(10, 20000) d;
INSERT INTO public.svw_stats SELECT d, 1, '2024-01-02', '2024-01-02', d / 1000.0, 0, d, 'n' FROM generate_series(10, 20000, 2) d;
SELECT count(*) FROM feast_materialize('2024-01-02', '2024-01-03', project => 'svw');
ANALYZE svw_online.svw_v1, svw_online.svw_v2;
EXPLAIN (COSTS OFF) SELECT * FROM svw_online.svw_two WHERE driver_id = ANY ('{1, 6, 1000}'::bigint[]);
EXPLAIN (COSTS OFF) SELECT * FROM svw_online.svw_one WHERE driver_id = 42;
-- the same with the array as a parameter, as a client sends it
PREPARE svw_q(bigint[]) AS SELECT * FROM svw_online.svw_two WHERE driver_id = ANY ($1) ORDER BY driver_id;
EXECUTE svw_q('{1, 6, 1000, 1001}');
CREATE FUNCTION svw_plan() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) EXECUTE svw_q(''{1, 6, 1000, 1001}'')' LOOP
		RETURN NEXT l;
	END LOOP;
END
$$;
SELECT bool_or(l LIKE '%Seq Scan%') AS any_seq_scan,
	   count(*) FILTER (WHERE l LIKE '%Index%Scan using svw_v1_pkey%') AS v1_index_scans,
	   count(*) FILTER (WHERE l LIKE '%Index%Scan using svw_v2_pkey%') AS v2_index_scans
FROM svw_plan() l;
DEALLOCATE svw_q;

---------------------------------------------------------------------------
-- Readable like the online tables: a GRANT SELECT from the owner
---------------------------------------------------------------------------
SET ROLE regress_svw_reader;
SELECT svw_err('SELECT count(*) FROM svw_online.svw_one');
RESET ROLE;
GRANT USAGE ON SCHEMA svw_online TO regress_svw_reader;
GRANT SELECT ON svw_online.svw_one, svw_online.svw_two TO regress_svw_reader;
SET ROLE regress_svw_reader;
SELECT count(*) FROM svw_online.svw_one;
-- the view reads the tables with its owner's rights
SELECT svw_err('SELECT count(*) FROM svw_online.svw_v1');
RESET ROLE;

---------------------------------------------------------------------------
-- Changes: every one follows, and the dry run says so first
---------------------------------------------------------------------------
GRANT SELECT ON svw_online.svw_twice TO regress_svw_reader;
CREATE TEMP TABLE svw_oids AS SELECT feature_service, relid::oid AS oid FROM feast.feature_service_views WHERE project = 'svw';
-- A feature added to a view (its online table gets a column), a
-- projection changed, a source column's type changed under a view (the
-- online table is altered in place: the views reading it go first), a
-- service that no longer qualifies, a service without a view gone.
ALTER TABLE public.svw_other ALTER COLUMN rating TYPE real;
CREATE FUNCTION svw_doc2() RETURNS text LANGUAGE sql AS $f$
	SELECT replace(replace(svw_doc($y$
feature_services:
  - {name: one, features: [v1]}
  - name: two
    features: [{feature_view: v1, features: [acc, conv]}, {feature_view: v2, features: [rating]}]
  - {name: clash, features: [v1, v3]}
  - name: twice
    features: [{feature_view: v1, features: [conv]}, {feature_view: v1, name: again, features: [acc]}]
  - {name: offline, features: [v_off]}
  - {name: entityless, features: [v_all]}
  - name: remapped
    features: [v1, {feature_view: v2, name: v2r, features: [rating], join_key_map: {driver_id: other_id}}]
$y$), '{name: acc, dtype: Float32}]', '{name: acc, dtype: Float32}, {name: trips, dtype: Int32}]'),
	'{name: rating, dtype: Float64}', '{name: rating, dtype: Float32}')
$f$;
SELECT * FROM feast_apply(svw_doc2(), dry_run => true) WHERE action <> 'unchanged' ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT feature_service, view FROM svw_views();
SELECT * FROM feast_apply(svw_doc2()) WHERE action <> 'unchanged' ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT * FROM svw_views();
-- "twice" kept its definition but its table changed: rebuilt; every
-- rebuilt view keeps its grants
SELECT s.feature_service, s.relid::oid = o.oid AS same_oid,
	   has_table_privilege('regress_svw_reader', s.relid, 'SELECT') AS reader_select
FROM feast.feature_service_views s JOIN svw_oids o USING (feature_service)
WHERE s.project = 'svw' ORDER BY s.feature_service COLLATE "C";
SELECT svw_diff('two', 'SELECT driver_id FROM svw_online.svw_v1 UNION SELECT driver_id FROM svw_online.svw_v2',
				'driver_id bigint, acc real, conv real, rating real') AS two,
	   svw_diff('one', 'SELECT driver_id FROM svw_online.svw_v1', 'driver_id bigint, conv real, acc real, trips integer') AS one;

-- a join key change recreates an online table: its views are rebuilt or go
SELECT * FROM feast_apply(replace(svw_doc2(), '{name: v1, entities: [driver]', '{name: v1, entities: [driver, rider]'))
WHERE action <> 'unchanged' ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT feature_service, view FROM svw_views();

-- the online schema moves: so do the views
SELECT * FROM feast_apply(replace(svw_doc2(), 'db_schema: svw_online', 'db_schema: svw_moved'))
WHERE action <> 'unchanged' ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT feature_service, view FROM svw_views();

-- a view dropped behind our back is created again
DROP VIEW svw_moved.svw_one;
SELECT * FROM feast_apply(replace(svw_doc2(), 'db_schema: svw_online', 'db_schema: svw_moved'), dry_run => true)
WHERE action <> 'unchanged';
SELECT * FROM feast_apply(replace(svw_doc2(), 'db_schema: svw_online', 'db_schema: svw_moved'))
WHERE action <> 'unchanged';

---------------------------------------------------------------------------
-- Names: a name taken by an online table or another relation is an
-- error (42P07), and nothing is written
---------------------------------------------------------------------------
CREATE FUNCTION svw_doc3(services text) RETURNS text LANGUAGE sql AS $f$
	SELECT replace(svw_doc(services), 'db_schema: svw_online', 'db_schema: svw_moved')
$f$;
CREATE TEMP TABLE svw_before AS SELECT md5(feast_registry_dump('svw')) AS dump;
-- a service named like an online feature view
SELECT svw_err(format('SELECT * FROM feast_apply(%L)', svw_doc3('feature_services: [{name: v2, features: [v1]}]')));
-- a relation offline_store did not create
CREATE TABLE svw_moved.svw_taken (x int);
SELECT svw_err(format('SELECT * FROM feast_apply(%L, dry_run => true)', svw_doc3('feature_services: [{name: taken, features: [v1]}]')));
SELECT svw_err(format('SELECT * FROM feast_apply(%L)', svw_doc3('feature_services: [{name: taken, features: [v1]}]')));
SELECT md5(feast_registry_dump('svw')) = (SELECT dump FROM svw_before) AS registry_unchanged,
	   (SELECT count(*) FROM svw_moved.svw_taken) AS taken_rows;
DROP TABLE svw_moved.svw_taken;
-- error: rows are written only by offline_store, even by the owner role
GRANT regress_svw_reader TO CURRENT_USER;
UPDATE feast.projects SET owner = 'regress_svw_reader' WHERE name = 'svw';
SELECT DISTINCT pg_get_userbyid(c.relowner) AS views_owner
FROM feast.feature_service_views s JOIN pg_class c ON c.oid = s.relid WHERE s.project = 'svw';
GRANT INSERT, UPDATE, DELETE ON feast.feature_service_views TO regress_svw_reader;
SET ROLE regress_svw_reader;
SELECT svw_err($$UPDATE feast.feature_service_views SET relid = 'public.svw_stats' WHERE project = 'svw'$$);
SELECT svw_err($$INSERT INTO feast.feature_service_views (project, feature_service, schema_name, view_name, relid, definition)
	VALUES ('svw', 'offline', 'public', 'svw_stats', 'public.svw_stats', 'x')$$);
RESET ROLE;
REVOKE ALL ON feast.feature_service_views FROM regress_svw_reader;

---------------------------------------------------------------------------
-- Dropped with their service, and with the project
---------------------------------------------------------------------------
SELECT * FROM feast_apply(svw_doc3('feature_services: [{name: two, features: [v1, v2]}]'))
WHERE object_type = 'feature_service_view' ORDER BY name COLLATE "C";
SELECT feature_service, view FROM svw_views();
-- a feature view deleted with plain SQL takes the feature service views
-- that read its online table with it (and the online table)
BEGIN;
DELETE FROM feast.feature_views WHERE project = 'svw' AND name = 'v2';
SELECT feature_service, view FROM svw_views();
SELECT to_regclass('svw_moved.svw_v2') IS NULL AS online_table_dropped,
	   to_regclass('svw_moved.svw_two') IS NULL AS view_dropped;
ROLLBACK;
DELETE FROM feast.projects WHERE name = 'svw';
SELECT count(*) AS rows_left FROM feast.feature_service_views;
SELECT count(*) AS relations_left FROM pg_class WHERE relnamespace IN ('svw_online'::regnamespace, 'svw_moved'::regnamespace);

-- clean up
DROP SCHEMA svw_online, svw_moved;
DROP FUNCTION svw_err(text), svw_views(), svw_diff(text, text, text, boolean), svw_doc(text), svw_doc2(), svw_doc3(text), svw_plan();
DROP TABLE public.svw_stats, public.svw_other;
REVOKE regress_svw_reader FROM CURRENT_USER;
REVOKE ALL ON SCHEMA public FROM regress_svw_reader;
DROP ROLE regress_svw_reader;
