-- Privileges: reading is for everyone, writing for whom an administrator
-- grants it. Every function that writes is revoked from PUBLIC, none is
-- SECURITY DEFINER, the registry is readable and not writable by PUBLIC,
-- and a role that lacks a privilege gets "permission denied" with nothing
-- written.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message, or 'no error'.
CREATE FUNCTION prv_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION prv_err(text) TO PUBLIC;

---------------------------------------------------------------------------
-- The catalog: who may run what
---------------------------------------------------------------------------
-- Every function of the extension, whether PUBLIC may execute it, and that
-- none is SECURITY DEFINER. The writers must say false.
SELECT p.oid::regprocedure AS function,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
	   p.prosecdef AS security_definer
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	 AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'offline_store'
ORDER BY p.oid::regprocedure::text COLLATE "C";
-- The functions API.md lists as writers are not executable by PUBLIC
-- (those that exist yet).
SELECT f AS writer, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM unnest(ARRAY['feast_apply', 'feast_materialize', 'feast_materialize_incremental',
				  'feast_push', 'feast_write_to_offline_store', 'feast_persist',
				  'feast_create_training_view', 'feast_drop_training_view',
				  'feast_schedule', 'feast_unschedule', 'feast_materialize_scheduled']) f
JOIN pg_proc p ON p.proname = f
	 AND p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'offline_store')
WHERE has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY 1;
-- Registry tables: PUBLIC reads, never writes; sequences are not PUBLIC's.
SELECT c.relname, c.relkind,
	   has_table_privilege('public', c.oid, 'SELECT') AS public_select,
	   has_table_privilege('public', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS public_write
FROM pg_class c
WHERE c.relnamespace = 'feast'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
ORDER BY c.relname COLLATE "C";
SELECT has_schema_privilege('public', 'feast', 'USAGE') AS public_usage,
	   has_schema_privilege('public', 'feast', 'CREATE') AS public_create;

---------------------------------------------------------------------------
-- A role with nothing granted
---------------------------------------------------------------------------
CREATE ROLE regress_ofs_nobody;
CREATE ROLE regress_ofs_writer;
CREATE TABLE public.prv_stats (driver_id bigint, ts timestamptz, conv real);
CREATE TABLE public.prv_secret (driver_id bigint, ts timestamptz, salary real);
INSERT INTO public.prv_stats VALUES (1, '2024-01-01', 0.5);
INSERT INTO public.prv_secret VALUES (1, '2024-01-01', 1e6);
GRANT SELECT ON public.prv_stats TO regress_ofs_nobody, regress_ofs_writer;

SELECT count(*) FROM feast_apply($y$
project: prv
online_store: {type: postgres, db_schema: prv_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.prv_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
CREATE TEMP TABLE prv_before AS
SELECT (SELECT count(*) FROM feast.projects) AS projects,
	   (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_views x) AS views;

SET ROLE regress_ofs_nobody;
-- reading: the registry and its dump
SELECT name, source, online FROM feast.feature_views WHERE project = 'prv' ORDER BY name;
SELECT length(feast_registry_dump('prv')) > 0 AS dump_ok;
-- error: writing: apply, even a dry run
SELECT prv_err($$SELECT * FROM feast_apply('project: prv_nobody')$$);
SELECT prv_err($$SELECT * FROM feast_apply('project: prv_nobody', true)$$);
-- error: writing the registry with plain SQL
SELECT prv_err($$INSERT INTO feast.projects (name) VALUES ('prv_nobody')$$);
SELECT prv_err($$UPDATE feast.feature_views SET ttl = '1h' WHERE project = 'prv'$$);
SELECT prv_err($$DELETE FROM feast.projects WHERE name = 'prv'$$);
SELECT prv_err($$TRUNCATE feast.materialization_intervals$$);
SELECT prv_err($$SELECT nextval('feast.materialization_runs_run_id_seq')$$);
SELECT prv_err($$CREATE TABLE feast.prv_planted (x int)$$);
-- error: the online table belongs to its creator
SELECT prv_err($$SELECT * FROM prv_online.prv_v$$);
SELECT prv_err($$INSERT INTO prv_online.prv_v (driver_id) VALUES (1)$$);
-- error: the trigger function is not callable
SELECT prv_err($$SELECT feast.online_tables_drop()$$);
-- error: training views are changed by whom an administrator grants it
SELECT prv_err($$SELECT feast_create_training_view('public.prv_tv', 'public.prv_stats', ARRAY['v:conv'], project => 'prv')$$);
SELECT prv_err($$SELECT feast_drop_training_view('public.prv_tv')$$);
SELECT prv_err($$SELECT feast.views_drop()$$);
RESET ROLE;

---------------------------------------------------------------------------
-- A role granted feast_apply, and what else it needs
---------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION feast_apply(text, boolean) TO regress_ofs_writer;
SET ROLE regress_ofs_writer;
-- a dry run only reads
SELECT object_type, name, action
FROM feast_apply('project: prv_w', true) ORDER BY 1, 2;
-- error: the registry tables are not writable to it yet
SELECT prv_err($$SELECT * FROM feast_apply('project: prv_w')$$);
RESET ROLE;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA feast TO regress_ofs_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA feast TO regress_ofs_writer;
SET ROLE regress_ofs_writer;
-- error: an online store schema it may not create (CREATE on the database)
SELECT prv_err($y$SELECT * FROM feast_apply('project: prv_w
online_store: {type: postgres, db_schema: prv_w_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.prv_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}')$y$);
SELECT count(*) AS prv_w_rows FROM feast.projects WHERE name = 'prv_w';
-- error: an online store schema that exists and that it may not create in
SELECT prv_err($y$SELECT * FROM feast_apply('project: prv_w
online_store: {type: postgres, db_schema: prv_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.prv_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}')$y$);
SELECT count(*) AS prv_w_rows FROM feast.projects WHERE name = 'prv_w';
RESET ROLE;
CREATE SCHEMA prv_w_online AUTHORIZATION regress_ofs_writer;
SET ROLE regress_ofs_writer;
-- with its own schema it works; the online table is its own
SELECT object_type, name, action FROM feast_apply($y$
project: prv_w
online_store: {type: postgres, db_schema: prv_w_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: stats, type: table, table: public.prv_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$) ORDER BY 1, 2;
SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'prv_w_online.prv_w_v'::regclass;
-- a source table it may not read can be registered (apply reads only the
-- catalog); reading it is refused later, at retrieval
SELECT object_type, name, action FROM feast_apply($y$
project: prv_w
sources:
  - {name: stats, type: table, table: public.prv_stats, timestamp_field: ts}
  - {name: secret, type: table, table: public.prv_secret, timestamp_field: ts}
$y$, true) ORDER BY 1, 2;
-- error: changing another role's project (the superuser's): its registry
-- rows and its online table stay
RESET ROLE;
GRANT USAGE ON SCHEMA prv_online TO regress_ofs_writer;
SET ROLE regress_ofs_writer;
SELECT prv_err($y$SELECT * FROM feast_apply('project: prv
online_store: {type: postgres, db_schema: prv_online}
feature_services: []
feature_views: []')$y$);
RESET ROLE;
SELECT (SELECT count(*) FROM feast.projects) - 1 = projects AS one_more_project,
	   (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_views x WHERE project <> 'prv_w') = views AS prv_views_same
FROM prv_before;
SELECT to_regclass('prv_online.prv_v') IS NOT NULL AS prv_online_table_kept;

---------------------------------------------------------------------------
-- Reading as the caller: source privileges and row-level security
---------------------------------------------------------------------------
CREATE TABLE public.prv_open (driver_id bigint, ts timestamptz, conv real);
CREATE TABLE public.prv_closed (driver_id bigint, ts timestamptz, salary real);
CREATE TABLE public.prv_rls (driver_id bigint, ts timestamptz, score real, owner_role text);
CREATE TABLE public.prv_ent (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.prv_open VALUES (1, '2024-01-01 10:00', 0.1), (2, '2024-01-01 10:00', 0.2);
INSERT INTO public.prv_closed VALUES (1, '2024-01-01 10:00', 1000), (2, '2024-01-01 10:00', 2000);
INSERT INTO public.prv_rls VALUES
	(1, '2024-01-01 10:00', 10, 'regress_ofs_nobody'),
	(2, '2024-01-01 10:00', 20, 'someone_else'),
	(1, '2024-01-01 11:00', 11, 'someone_else');
INSERT INTO public.prv_ent VALUES (1, '2024-01-01 12:00'), (2, '2024-01-01 12:00');
ALTER TABLE public.prv_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY prv_own ON public.prv_rls FOR SELECT USING (owner_role = current_user);
GRANT SELECT ON public.prv_open, public.prv_rls, public.prv_ent TO regress_ofs_nobody;
SELECT count(*) FROM feast_apply($y$
project: prv_read
online_store: {type: postgres, db_schema: prv_read_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: open, type: table, table: public.prv_open, timestamp_field: ts}
  - {name: closed, type: table, table: public.prv_closed, timestamp_field: ts}
  - {name: closed_q, type: query, query: "SELECT * FROM public.prv_closed", timestamp_field: ts}
  - {name: rls, type: table, table: public.prv_rls, timestamp_field: ts}
feature_views:
  - {name: open_v, entities: [driver], source: open, schema: [{name: conv, dtype: Float32}]}
  - {name: closed_v, entities: [driver], source: closed, schema: [{name: salary, dtype: Float32}]}
  - {name: closed_qv, entities: [driver], source: closed_q, online: false, schema: [{name: salary, dtype: Float32}]}
  - {name: rls_v, entities: [driver], source: rls, schema: [{name: score, dtype: Float32}]}
feature_services:
  - {name: mixed, features: [open_v, closed_v]}
$y$);
-- the owner sees everything
SELECT * FROM feast_historical('public.prv_ent', ARRAY['open_v:conv', 'closed_v:salary', 'rls_v:score'], project => 'prv_read')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real, salary real, score real) ORDER BY 1;

SET ROLE regress_ofs_nobody;
-- a source it may read
SELECT * FROM feast_historical('public.prv_ent', ARRAY['open_v:conv'], project => 'prv_read')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real) ORDER BY 1;
-- error: a source it may not read, as a table, as a query, in a service
SELECT prv_err($$SELECT * FROM feast_historical('public.prv_ent', ARRAY['closed_v:salary'], project => 'prv_read') AS t(driver_id bigint, event_timestamp timestamptz, salary real)$$);
SELECT prv_err($$SELECT * FROM feast_historical('public.prv_ent', ARRAY['open_v:conv', 'closed_qv:salary'], project => 'prv_read') AS t(driver_id bigint, event_timestamp timestamptz, conv real, salary real)$$);
SELECT prv_err($$SELECT * FROM feast_historical('public.prv_ent', feature_service => 'mixed', project => 'prv_read') AS t(driver_id bigint, event_timestamp timestamptz, conv real, salary real)$$);
-- error: an entity_df it may not read
SELECT prv_err($$SELECT * FROM feast_historical('public.prv_closed', ARRAY['open_v:conv'], project => 'prv_read') AS t(driver_id bigint, ts timestamptz, salary real, conv real)$$);
-- error: the generated query (built without reading) and the pulls check
-- the same privileges
DO $$
BEGIN
	EXECUTE feast_historical_sql('public.prv_ent', ARRAY['closed_v:salary'], project => 'prv_read');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'historical_sql, run: %', SQLERRM;
END
$$;
SELECT prv_err($$SELECT * FROM feast_pull_all('closed', project => 'prv_read') AS t(driver_id bigint, ts timestamptz, salary real)$$);
SELECT prv_err($$SELECT * FROM feast_pull_latest('closed_v', '2024-01-01', '2024-01-02', project => 'prv_read') AS t(driver_id bigint, ts timestamptz, salary real)$$);
-- row-level security: it sees its own row only (driver 1 at 10:00; the
-- newer row of driver 1 and the row of driver 2 are someone else's)
SELECT * FROM feast_historical('public.prv_ent', ARRAY['rls_v:score'], project => 'prv_read')
	AS t(driver_id bigint, event_timestamp timestamptz, score real) ORDER BY 1;
SELECT * FROM feast_pull_all('rls', project => 'prv_read') AS t(driver_id bigint, ts timestamptz, score real, owner_role text) ORDER BY 1, 2;
SELECT * FROM feast_pull_latest('rls_v', '2024-01-01', '2024-01-02', project => 'prv_read')
	AS t(driver_id bigint, score real, event_timestamp timestamptz, created_timestamp timestamptz) ORDER BY 1;
-- error: online reads need SELECT on the online table
SELECT prv_err($$SELECT * FROM feast_online_features('public.prv_ent', ARRAY['open_v:conv'], project => 'prv_read') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
-- error: materialization and push are not PUBLIC's
SELECT prv_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', project => 'prv_read')$$);
SELECT prv_err($$SELECT feast_write_to_offline_store('open_v', 'SELECT 3::bigint AS driver_id, now() AS ts, 0.3::real AS conv', project => 'prv_read')$$);
-- error: the generated queries of the _sql variants run with its rights
DO $$
BEGIN
	EXECUTE feast_pull_all_sql('closed', project => 'prv_read');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'pull_all_sql, run: %', SQLERRM;
END
$$;
DO $$
BEGIN
	EXECUTE feast_pull_latest_sql('closed_v', '2024-01-01', '2024-01-02', project => 'prv_read');
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'pull_latest_sql, run: %', SQLERRM;
END
$$;
RESET ROLE;
-- A training view reads with its reader's rights, as feast_historical
-- does: SELECT on the view does not open a source the reader may not read.
SELECT feast_create_training_view('public.prv_tv', 'public.prv_ent', ARRAY['open_v:conv', 'closed_v:salary'], project => 'prv_read');
GRANT SELECT ON public.prv_tv TO regress_ofs_nobody;
SET ROLE regress_ofs_nobody;
SELECT prv_err($$SELECT * FROM public.prv_tv$$);
RESET ROLE;
SELECT feast_drop_training_view('public.prv_tv');

-- Materialization runs as the caller: RLS filters what it writes. Only
-- members of the project's owner role (and superusers) materialize: the
-- project is given to the role first.
UPDATE feast.projects SET owner = 'regress_ofs_nobody' WHERE name = 'prv_read';
GRANT EXECUTE ON FUNCTION feast_materialize(timestamptz, timestamptz, text[], text) TO regress_ofs_nobody;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA prv_read_online TO regress_ofs_nobody;
GRANT USAGE ON SCHEMA prv_read_online TO regress_ofs_nobody;
GRANT INSERT ON feast.materialization_intervals, feast.materialization_runs TO regress_ofs_nobody;
GRANT USAGE ON SEQUENCE feast.materialization_runs_run_id_seq TO regress_ofs_nobody;
SET ROLE regress_ofs_nobody;
-- error: a view whose source it may not read: nothing is written
SELECT prv_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['rls_v', 'closed_v'], project => 'prv_read')$$);
SELECT count(*) AS rls_online_rows FROM prv_read_online.prv_read_rls_v;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['rls_v'], project => 'prv_read');
SELECT driver_id, score FROM prv_read_online.prv_read_rls_v ORDER BY 1;
RESET ROLE;
-- the owner materializes every row
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['rls_v'], project => 'prv_read');
SELECT driver_id, score FROM prv_read_online.prv_read_rls_v ORDER BY 1;

REVOKE ALL ON ALL TABLES IN SCHEMA prv_read_online FROM regress_ofs_nobody;
REVOKE ALL ON SCHEMA prv_read_online FROM regress_ofs_nobody;
REVOKE ALL ON feast.materialization_intervals, feast.materialization_runs FROM regress_ofs_nobody;
REVOKE ALL ON SEQUENCE feast.materialization_runs_run_id_seq FROM regress_ofs_nobody;
REVOKE ALL ON FUNCTION feast_materialize(timestamptz, timestamptz, text[], text) FROM regress_ofs_nobody;
DELETE FROM feast.projects WHERE name = 'prv_read';
DROP SCHEMA prv_read_online;
DROP TABLE public.prv_open, public.prv_closed, public.prv_rls, public.prv_ent;

-- Clean up.
SET ROLE regress_ofs_writer;
SELECT object_type, name, action FROM feast_apply($y$
project: prv_w
online_store: {type: postgres, db_schema: prv_w_online}
feature_views: []
entities: []
sources: []
$y$) ORDER BY 1, 2;
DELETE FROM feast.projects WHERE name = 'prv_w';
RESET ROLE;
DELETE FROM feast.projects WHERE name = 'prv';
DROP SCHEMA prv_online;
DROP SCHEMA prv_w_online;
DROP TABLE prv_before;
DROP TABLE public.prv_stats;
DROP TABLE public.prv_secret;
REVOKE ALL ON ALL TABLES IN SCHEMA feast FROM regress_ofs_writer;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA feast FROM regress_ofs_writer;
REVOKE ALL ON FUNCTION feast_apply(text, boolean) FROM regress_ofs_writer;
DROP ROLE regress_ofs_nobody;
DROP ROLE regress_ofs_writer;
DROP FUNCTION prv_err(text);
