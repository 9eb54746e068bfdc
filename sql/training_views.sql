-- Training views live with the registry: recorded in feast.training_views,
-- owned by the project's owner, commented, replaced on request, rebuilt by
-- feast_apply when their columns change (listed by its dry run), an apply
-- that would break one fails with 2BP01, and an entity_df that reads a
-- temporary relation is refused.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.tv_stats (driver_id bigint, ts timestamptz, created timestamptz,
	conv real, acc real, trips integer);
INSERT INTO public.tv_stats VALUES
	(1, '2024-01-01 10:00', '2024-01-01 10:00', 0.5, 0.9, 10),
	(1, '2024-01-01 12:00', '2024-01-01 12:00', 0.6, 0.8, 11),
	(2, '2024-01-01 11:00', '2024-01-01 11:00', 0.7, 0.7, 20);
CREATE TABLE public.tv_ent (driver_id bigint, event_timestamp timestamptz, label integer);
INSERT INTO public.tv_ent VALUES (1, '2024-01-01 11:00', 1), (1, '2024-01-01 13:00', 0),
	(2, '2024-01-01 12:00', 1), (3, '2024-01-01 12:00', 0);

-- SQLSTATE: message, detail and hint
CREATE FUNCTION tv_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN SQLSTATE || ': ' || msg || coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION tv_err(text) TO PUBLIC;

-- The registry, a summary of the views and their columns.
CREATE FUNCTION tv_views() RETURNS TABLE(view regclass, project text, features text[],
	feature_service text, columns text)
LANGUAGE sql AS $$
	SELECT t.relid, t.project, t.features, t.feature_service,
		   (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = t.relid AND a.attnum > 0)
	FROM feast.training_views t ORDER BY t.relid::text COLLATE "C"
$$;

CREATE ROLE regress_tv_team;
CREATE ROLE regress_tv_other;
CREATE ROLE regress_tv_reader;
GRANT regress_tv_team TO CURRENT_USER;
GRANT SELECT ON public.tv_stats, public.tv_ent TO regress_tv_reader;
CREATE SCHEMA tv_schema;
GRANT CREATE, USAGE ON SCHEMA tv_schema TO regress_tv_team;
GRANT USAGE ON SCHEMA tv_schema TO regress_tv_reader, regress_tv_other;

SELECT count(*) FROM feast_apply($y$
project: tvp
online_store: {type: postgres, db_schema: tvp_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.tv_stats, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: v
    entities: [driver]
    source: stats
    ttl: 1d
    online: false
    schema: [{name: conv, dtype: Float32}, {name: acc, dtype: Float32}]
  - name: w
    entities: [driver]
    source: stats
    online: false
    schema: [{name: trips, dtype: Int32}]
feature_services:
  - {name: svc, features: [{feature_view: v, features: [conv]}]}
$y$);
UPDATE feast.projects SET owner = 'regress_tv_team' WHERE name = 'tvp';

---------------------------------------------------------------------------
-- Create: a view, recorded, owned by the project's owner, commented
---------------------------------------------------------------------------
SELECT feast_create_training_view('tv_schema.by_refs', 'public.tv_ent', ARRAY['v:conv'],
	project => 'tvp');
SELECT feast_create_training_view('tv_schema.on_w', 'public.tv_ent', ARRAY['w:trips'], project => 'tvp');
SELECT feast_create_training_view('tv_schema."By Service"', 'SELECT * FROM public.tv_ent WHERE label = 1',
	feature_service => 'svc', full_feature_names => true, project => 'tvp');
SELECT * FROM tv_views();
SELECT project, entity_df, features, feature_service, full_feature_names, filter_by_created_timestamp,
	   start_date, end_date, created_at IS NOT NULL AS has_created_at
FROM feast.training_views ORDER BY relid::text COLLATE "C";
SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c WHERE c.relnamespace = 'tv_schema'::regnamespace ORDER BY c.relname COLLATE "C";
SELECT * FROM tv_schema.by_refs ORDER BY driver_id, event_timestamp;
SELECT * FROM tv_schema."By Service" ORDER BY driver_id, event_timestamp;
-- readable like any view: the data with the reader's privileges
GRANT SELECT ON tv_schema.by_refs TO regress_tv_reader;
SET ROLE regress_tv_reader;
SELECT count(*) FROM tv_schema.by_refs;
RESET ROLE;

-- error: the name is taken, by a training view or by another relation
SELECT tv_err($$SELECT feast_create_training_view('tv_schema.by_refs', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp')$$);
SELECT tv_err($$SELECT feast_create_training_view('public.tv_stats', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp')$$);
SELECT tv_err($$SELECT feast_create_training_view('public.tv_stats', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp', replace => true)$$);

---------------------------------------------------------------------------
-- Replace: CREATE OR REPLACE when the columns only grow (same OID), else
-- drop and create; grants, owner and comment are kept either way
---------------------------------------------------------------------------
CREATE TEMP TABLE tv_oids AS SELECT 'by_refs' AS name, 'tv_schema.by_refs'::regclass::oid AS oid;
SELECT feast_create_training_view('tv_schema.by_refs', 'public.tv_ent', ARRAY['v:conv', 'w:trips'],
	project => 'tvp', replace => true);
SELECT 'tv_schema.by_refs'::regclass::oid = (SELECT oid FROM tv_oids) AS same_oid,
	   has_table_privilege('regress_tv_reader', 'tv_schema.by_refs', 'SELECT') AS reader_select;
SELECT * FROM tv_views();
SELECT feast_create_training_view('tv_schema.by_refs', 'SELECT driver_id, event_timestamp FROM public.tv_ent',
	ARRAY['v:acc'], project => 'tvp', replace => true);
SELECT 'tv_schema.by_refs'::regclass::oid = (SELECT oid FROM tv_oids) AS same_oid,
	   has_table_privilege('regress_tv_reader', 'tv_schema.by_refs', 'SELECT') AS reader_select,
	   pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c WHERE c.oid = 'tv_schema.by_refs'::regclass;
SELECT * FROM tv_views();
SELECT * FROM tv_schema.by_refs ORDER BY driver_id, event_timestamp;

---------------------------------------------------------------------------
-- Temporary relations: refused, nothing created
---------------------------------------------------------------------------
CREATE TEMP TABLE tv_temp_ent AS SELECT * FROM public.tv_ent;
CREATE TEMP VIEW tv_temp_view AS SELECT * FROM public.tv_ent;
CREATE FUNCTION pg_temp.tv_temp_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1';
SELECT n, tv_err(format($$SELECT feast_create_training_view('public.tv_t', %L, ARRAY['v:conv'], project => 'tvp')$$, n)) AS result
FROM unnest(ARRAY['tv_temp_ent', 'pg_temp.tv_temp_ent', 'tv_temp_view',
				  'SELECT * FROM tv_temp_ent',
				  'SELECT * FROM public.tv_ent WHERE driver_id IN (SELECT driver_id FROM tv_temp_ent)',
				  'WITH e AS (SELECT * FROM tv_temp_view) SELECT * FROM e',
				  'SELECT *, pg_temp.tv_temp_fn() AS one FROM public.tv_ent']) WITH ORDINALITY AS u(n, i)
ORDER BY i;
-- error: the view itself temporary
SELECT tv_err($$SELECT feast_create_training_view('pg_temp.tv_t', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp')$$);
SELECT to_regclass('public.tv_t') IS NULL AS no_view, count(*) AS rows FROM feast.training_views;
-- feast_historical itself may read them (it runs once)
SELECT count(*) FROM feast_historical('tv_temp_ent', ARRAY['v:conv'], project => 'tvp')
	AS t(driver_id bigint, event_timestamp timestamptz, label integer, conv real);

---------------------------------------------------------------------------
-- feast_apply: a ttl change needs no rebuild; a type change rebuilds the
-- views that return the feature (in the dry run's rows too, which change
-- nothing); new features of a service are added in place
---------------------------------------------------------------------------
UPDATE tv_oids SET oid = 'tv_schema.by_refs'::regclass::oid;
INSERT INTO tv_oids SELECT 'By Service', 'tv_schema."By Service"'::regclass::oid;
CREATE FUNCTION tv_doc(ttl text, svc_features text, v_features text DEFAULT '[{name: conv, dtype: Float32}, {name: acc, dtype: Float32}]')
RETURNS text LANGUAGE sql AS $f$
	SELECT format($y$
project: tvp
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: %s, online: false, schema: %s}
  - {name: w, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: Int32}]}
feature_services:
  - {name: svc, features: [{feature_view: v, features: %s}]}
$y$, ttl, v_features, svc_features)
$f$;
SELECT * FROM feast_apply(tv_doc('2d', '[conv]')) WHERE action <> 'unchanged';
SELECT * FROM tv_views();

ALTER TABLE public.tv_stats ALTER COLUMN acc TYPE double precision;
SELECT * FROM feast_apply(tv_doc('2d', '[conv]', '[{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]'), dry_run => true)
WHERE action <> 'unchanged';
-- the dry run changed nothing
SELECT * FROM tv_views();
SELECT * FROM feast_apply(tv_doc('2d', '[conv]', '[{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]'))
WHERE action <> 'unchanged';
SELECT * FROM tv_views();
SELECT 'tv_schema.by_refs'::regclass::oid = (SELECT oid FROM tv_oids WHERE name = 'by_refs') AS same_oid,
	   has_table_privilege('regress_tv_reader', 'tv_schema.by_refs', 'SELECT') AS reader_select,
	   pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') IS NOT NULL AS commented
FROM pg_class c WHERE c.oid = 'tv_schema.by_refs'::regclass;
SELECT * FROM tv_schema.by_refs ORDER BY driver_id, event_timestamp;

SELECT * FROM feast_apply(tv_doc('2d', '[conv, acc]', '[{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]'))
WHERE action <> 'unchanged';
SELECT * FROM tv_views();
SELECT 'tv_schema."By Service"'::regclass::oid = (SELECT oid FROM tv_oids WHERE name = 'By Service') AS same_oid;
SELECT * FROM tv_schema."By Service" ORDER BY driver_id, event_timestamp;

---------------------------------------------------------------------------
-- feast_apply: a change that breaks a training view fails with 2BP01,
-- naming it, and writes nothing; the dry run fails the same way
---------------------------------------------------------------------------
CREATE TEMP TABLE tv_before AS SELECT md5(feast_registry_dump('tvp')) AS dump;
-- the feature "acc" removed
SELECT tv_err(format('SELECT * FROM feast_apply(%L, dry_run => true)',
	tv_doc('2d', '[conv]', '[{name: conv, dtype: Float32}]')));
SELECT tv_err(format('SELECT * FROM feast_apply(%L)',
	tv_doc('2d', '[conv]', '[{name: conv, dtype: Float32}]')));
-- the feature view "w" removed
SELECT tv_err($$SELECT * FROM feast_apply('
project: tvp
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: 2d, online: false, schema: [{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]}
feature_services:
  - {name: svc, features: [{feature_view: v, features: [conv, acc]}]}
')$$);
-- the feature service removed
SELECT tv_err($$SELECT * FROM feast_apply('
project: tvp
feature_services: []
')$$);
SELECT md5(feast_registry_dump('tvp')) = (SELECT dump FROM tv_before) AS registry_unchanged;
SELECT * FROM tv_views();

-- A view broken already (its entity_df table went) does not block an
-- apply, and stays as it is.
CREATE TABLE public.tv_ent2 AS SELECT * FROM public.tv_ent;
SELECT feast_create_training_view('tv_schema.broken', 'public.tv_ent2', ARRAY['v:conv'], project => 'tvp');
DROP TABLE public.tv_ent2;
SELECT * FROM feast_apply(tv_doc('3d', '[conv, acc]', '[{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]'))
WHERE action <> 'unchanged';
SELECT tv_err('SELECT * FROM tv_schema.broken');

---------------------------------------------------------------------------
-- as_of: a training view reads the sources as they were known then. It is
-- recorded (feast.training_views.as_of), said in the comment, given again
-- by replace, and kept when feast_apply rebuilds the view.
---------------------------------------------------------------------------
-- As of 11:30, driver 1's row of 12:00 (created then) does not exist: at
-- 13:00 driver 1 still has the 10:00 row
SELECT feast_create_training_view('tv_schema.known', 'public.tv_ent', ARRAY['v:conv', 'w:trips'],
	project => 'tvp', as_of => '2024-01-01 11:30');
SELECT as_of, obj_description(relid, 'pg_class') AS comment
FROM feast.training_views WHERE relid = 'tv_schema.known'::regclass;
SELECT * FROM tv_schema.known ORDER BY driver_id, event_timestamp;
-- a correction created at 12:30 for 10:30: the view does not see it, a
-- call without as_of does (driver 1 at 11:00 and 13:00)
INSERT INTO public.tv_stats VALUES (1, '2024-01-01 10:30', '2024-01-01 12:30', 0.55, 0.85, 12);
SELECT * FROM tv_schema.known ORDER BY driver_id, event_timestamp;
SELECT * FROM feast_historical('public.tv_ent', ARRAY['v:conv', 'w:trips'], project => 'tvp')
	AS t(driver_id bigint, event_timestamp timestamptz, label integer, conv real, trips integer)
ORDER BY driver_id, event_timestamp;
-- replace with as_of: recorded again, the same rows with the new column
SELECT feast_create_training_view('tv_schema.known', 'public.tv_ent', ARRAY['v:conv', 'w:trips', 'v:acc'],
	project => 'tvp', replace => true, as_of => '2024-01-01 11:30');
SELECT as_of FROM feast.training_views WHERE relid = 'tv_schema.known'::regclass;
SELECT * FROM tv_schema.known ORDER BY driver_id, event_timestamp;
-- a rebuild by feast_apply (trips becomes a bigint) keeps as_of
ALTER TABLE public.tv_stats ALTER COLUMN trips TYPE bigint;
CREATE FUNCTION tv_doc_w(dtype text) RETURNS text LANGUAGE sql AS $f$
	SELECT format($y$
project: tvp
feature_views:
  - {name: v, entities: [driver], source: stats, ttl: 3d, online: false, schema: [{name: conv, dtype: Float32}, {name: acc, dtype: Float64}]}
  - {name: w, entities: [driver], source: stats, online: false, schema: [{name: trips, dtype: %s}]}
feature_services:
  - {name: svc, features: [{feature_view: v, features: [conv, acc]}]}
$y$, dtype)
$f$;
SELECT * FROM feast_apply(tv_doc_w('Int64')) WHERE action <> 'unchanged';
SELECT as_of, (SELECT format_type(atttypid, atttypmod) FROM pg_attribute
			   WHERE attrelid = relid AND attname = 'trips') AS trips_type
FROM feast.training_views WHERE relid = 'tv_schema.known'::regclass;
SELECT * FROM tv_schema.known ORDER BY driver_id, event_timestamp;
ALTER TABLE public.tv_stats ALTER COLUMN trips TYPE integer;
SELECT * FROM feast_apply(tv_doc_w('Int32')) WHERE action <> 'unchanged';
-- replace without as_of: every row exists again
SELECT feast_create_training_view('tv_schema.known', 'public.tv_ent', ARRAY['v:conv', 'w:trips', 'v:acc'],
	project => 'tvp', replace => true);
SELECT as_of FROM feast.training_views WHERE relid = 'tv_schema.known'::regclass;
SELECT * FROM tv_schema.known ORDER BY driver_id, event_timestamp;
SELECT feast_drop_training_view('tv_schema.known');
DELETE FROM public.tv_stats WHERE ts = '2024-01-01 10:30';
DROP FUNCTION tv_doc_w(text);

---------------------------------------------------------------------------
-- Ownership: only members of the owner role change training views
---------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION feast_create_training_view(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz),
	feast_drop_training_view(text) TO regress_tv_other;
GRANT INSERT, UPDATE, DELETE ON feast.training_views TO regress_tv_other;
SET ROLE regress_tv_other;
SELECT tv_err($$SELECT feast_create_training_view('tv_schema.other', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp')$$);
SELECT tv_err($$SELECT feast_create_training_view('tv_schema.by_refs', 'public.tv_ent', ARRAY['v:conv'], project => 'tvp', replace => true)$$);
SELECT tv_err($$SELECT feast_drop_training_view('tv_schema.by_refs')$$);
-- the rows are the owner's: others see them, and delete none
WITH d AS (DELETE FROM feast.training_views RETURNING 1) SELECT count(*) AS deleted FROM d;
SELECT tv_err($$INSERT INTO feast.training_views (relid, project, entity_df, features) VALUES ('public.tv_stats', 'tvp', 'public.tv_ent', '{v:conv}')$$);
RESET ROLE;
SELECT count(*) AS training_views FROM feast.training_views;
-- error: rows are written only by offline_store, even by the owner role
GRANT INSERT, UPDATE, DELETE ON feast.training_views TO regress_tv_team;
SET ROLE regress_tv_team;
SELECT tv_err($$INSERT INTO feast.training_views (relid, project, entity_df, features) VALUES ('public.tv_stats', 'tvp', 'public.tv_ent', '{v:conv}')$$);
SELECT tv_err($$UPDATE feast.training_views SET relid = 'public.tv_stats' WHERE relid = 'tv_schema.on_w'::regclass$$);
RESET ROLE;
SET ROLE regress_tv_reader;
SELECT count(*) AS readable FROM feast.training_views;
RESET ROLE;

---------------------------------------------------------------------------
-- Drop: feast_drop_training_view, DROP VIEW, the project going
---------------------------------------------------------------------------
SELECT feast_drop_training_view('tv_schema.broken');
SELECT feast_drop_training_view('tv_schema.broken');
SELECT tv_err($$SELECT feast_drop_training_view('public.tv_stats')$$);
SELECT to_regclass('public.tv_stats') IS NOT NULL AS still_there;
-- a view dropped with plain SQL loses its row
DROP VIEW tv_schema."By Service";
SELECT * FROM tv_views();
-- deleting the project drops its training views
SELECT feast_create_training_view('tv_schema.second', 'public.tv_ent', ARRAY['w:trips'], project => 'tvp');
DELETE FROM feast.projects WHERE name = 'tvp';
SELECT count(*) AS rows_left FROM feast.training_views;
SELECT count(*) AS views_left FROM pg_class WHERE relnamespace = 'tv_schema'::regnamespace;

-- clean up
DROP VIEW tv_temp_view;
DROP TABLE tv_temp_ent;
DROP FUNCTION pg_temp.tv_temp_fn();
DROP SCHEMA tv_schema;
DROP FUNCTION tv_err(text), tv_views(), tv_doc(text, text, text);
DROP TABLE public.tv_stats, public.tv_ent;
REVOKE ALL ON FUNCTION feast_create_training_view(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz),
	feast_drop_training_view(text) FROM regress_tv_other;
REVOKE ALL ON feast.training_views FROM regress_tv_other, regress_tv_team;
DROP ROLE regress_tv_team, regress_tv_other, regress_tv_reader;
