-- Ownership of projects (issue 14): every project has an owner role; only
-- members of it and superusers change the project, through feast_apply or
-- plain SQL (row-level security on every registry table), and no role's
-- SQL ever runs with another role's privileges. Online tables: only those
-- offline_store created, by OID, are ever altered or dropped. Connection
-- secrets are never stored.
--
-- Roles: regress_own_a and regress_own_b (no superuser, same grants),
-- regress_own_team (a group), and the superuser running the test.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message (and detail, but not a failing row's), or 'ok, N rows'.
CREATE FUNCTION own_try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	det text;
	n bigint;
BEGIN
	EXECUTE sql;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN 'ok, ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL;
	IF st LIKE '23%' THEN
		det := NULL;
	END IF;
	RETURN st || ': ' || SQLERRM || coalesce(E'\nDETAIL: ' || nullif(det, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION own_try(text) TO PUBLIC;

-- Every registry row of a project, as one fingerprint.
CREATE FUNCTION own_fp(p text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	acc text := '';
	part text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c
			 WHERE c.relnamespace = 'feast'::regnamespace AND c.relkind = 'r'
			 ORDER BY c.relname COLLATE "C"
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text COLLATE "C")), '''') FROM feast.%I x WHERE %I = $1',
					   t, CASE WHEN t = 'projects' THEN 'name' ELSE 'project' END)
			INTO part USING p;
		acc := acc || t || '=' || part || ';';
	END LOOP;
	RETURN md5(acc);
END
$$;
GRANT EXECUTE ON FUNCTION own_fp(text) TO PUBLIC;

CREATE ROLE regress_own_a;
CREATE ROLE regress_own_b;
CREATE ROLE regress_own_team;
-- what README tells an administrator to grant a role that applies,
-- materializes and pushes
GRANT EXECUTE ON FUNCTION feast_apply(text, boolean),
	feast_materialize(timestamptz, timestamptz, text[], text),
	feast_materialize_incremental(timestamptz, text[], text),
	feast_push(text, text, text, text),
	feast_persist(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz)
	TO regress_own_a, regress_own_b;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA feast TO regress_own_a, regress_own_b;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA feast TO regress_own_a, regress_own_b;
CREATE SCHEMA own_a_online AUTHORIZATION regress_own_a;
CREATE SCHEMA own_b_online AUTHORIZATION regress_own_b;
GRANT USAGE ON SCHEMA own_b_online TO PUBLIC;
CREATE TABLE public.own_stats (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.own_stats VALUES (1, '2024-01-01 10:00', 0.5), (2, '2024-01-01 11:00', 0.7);
CREATE TABLE public.own_entities (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.own_entities VALUES (1, '2024-01-02'), (2, '2024-01-02');
GRANT SELECT ON public.own_stats, public.own_entities TO PUBLIC;
-- a table nobody should lose
CREATE TABLE public.own_payroll (id int, salary int);
INSERT INTO public.own_payroll VALUES (1, 100);

---------------------------------------------------------------------------
-- A's project
---------------------------------------------------------------------------
SET ROLE regress_own_a;
SELECT object_type, name, action FROM feast_apply($y$
project: own_a
online_store: {type: postgres, db_schema: own_a_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats, type: table, table: public.own_stats, timestamp_field: ts}
  - {name: stats_q, type: query, query: "SELECT driver_id, ts, conv FROM public.own_stats", timestamp_field: ts}
  - {name: stats_push, type: push, batch_source: stats}
feature_views:
  - {name: v, entities: [driver], source: stats_push, schema: [{name: conv, dtype: Float32}]}
  - {name: vq, entities: [driver], source: stats_q, schema: [{name: conv, dtype: Float32}]}
feature_services:
  - {name: svc, features: [v]}
$y$) ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_a') ORDER BY 1;
RESET ROLE;
-- the project and its online tables are A's
SELECT name, owner FROM feast.projects WHERE name = 'own_a';
SELECT o.feature_view, pg_get_userbyid(c.relowner) AS table_owner
FROM feast.online_tables o JOIN pg_class c ON c.oid = o.relid
WHERE o.project = 'own_a' ORDER BY 1;
CREATE TEMP TABLE own_before AS SELECT own_fp('own_a') AS fp;
GRANT SELECT ON own_before TO PUBLIC;

---------------------------------------------------------------------------
-- B cannot change A's project: not through the functions...
---------------------------------------------------------------------------
SET ROLE regress_own_b;
-- B's spy, to plant in A's query source: it says whom it runs as (a
-- NOTICE reaches the output even when the statement is rolled back, and it
-- works in the read-only sections where user queries run)
CREATE FUNCTION own_b_online.spy() RETURNS real LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'spy runs as %', current_user;
	RETURN 0.25;
END
$$;
-- error: apply (taking the project over, changing its query), dry run too,
-- and deleting everything (insufficient_privilege, naming the project)
SELECT own_try($y$SELECT * FROM feast_apply('project: own_a
online_store: {type: postgres, db_schema: own_a_online}
sources:
  - {name: stats, type: table, table: public.own_stats, timestamp_field: ts}
  - {name: stats_q, type: query, query: "SELECT driver_id, ts, own_b_online.spy() AS conv FROM public.own_stats", timestamp_field: ts}
  - {name: stats_push, type: push, batch_source: stats}')$y$);
SELECT own_try($y$SELECT * FROM feast_apply('project: own_a', dry_run => true)$y$);
SELECT own_try($y$SELECT * FROM feast_apply('project: own_a
feature_services: []
feature_views: []
sources: []
entities: []')$y$);
-- error: materialize, push online, persist
SELECT own_try($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_a')$$);
SELECT own_try($$SELECT feast_push('stats_push', 'SELECT 3::bigint AS driver_id, now() AS ts, 0.9::real AS conv', project => 'own_a')$$);
SELECT own_try($$SELECT feast_persist('public.own_b_set', 'public.own_entities', ARRAY['v:conv'], project => 'own_a')$$);
-- error: writing A's online table
SELECT own_try($$INSERT INTO own_a_online.own_a_v (driver_id, conv, event_timestamp) VALUES (9, 1, now())$$);

---------------------------------------------------------------------------
-- ... nor with plain SQL on any registry table
---------------------------------------------------------------------------
-- error: inserting rows into A's project (row-level security)
SELECT own_try($$INSERT INTO feast.projects (name, owner) VALUES ('own_b_as_a', 'regress_own_a')$$);
SELECT own_try($$INSERT INTO feast.entities (project, name, join_key, value_type) VALUES ('own_a', 'e', 'e', 'INT64')$$);
SELECT own_try($$INSERT INTO feast.data_sources (project, name, type, query, timestamp_field) VALUES ('own_a', 'planted', 'query', 'SELECT driver_id, ts, own_b_online.spy() AS conv FROM public.own_stats', 'ts')$$);
SELECT own_try($$INSERT INTO feast.feature_views (project, name, source) VALUES ('own_a', 'planted', 'stats')$$);
SELECT own_try($$INSERT INTO feast.feature_view_entities (project, feature_view, position, entity) VALUES ('own_a', 'vq', 2, 'driver')$$);
SELECT own_try($$INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES ('own_a', 'vq', 2, 'x', 'Int64')$$);
SELECT own_try($$INSERT INTO feast.aggregations (project, feature_view, position, name, column_name, function, time_window) VALUES ('own_a', 'vq', 1, 'x', 'conv', 'sum', '1 hour')$$);
SELECT own_try($$INSERT INTO feast.feature_services (project, name) VALUES ('own_a', 'planted')$$);
SELECT own_try($$INSERT INTO feast.feature_service_projections (project, feature_service, position, feature_view) VALUES ('own_a', 'svc', 2, 'vq')$$);
SELECT own_try($$INSERT INTO feast.materialization_intervals (project, feature_view, start_date, end_date) VALUES ('own_a', 'v', '2024-01-01', '2030-01-01')$$);
SELECT own_try($$INSERT INTO feast.materialization_runs (project, feature_view, start_date, end_date, incremental, started_at, finished_at) VALUES ('own_a', 'v', '2024-01-01', '2024-01-02', false, now(), now())$$);
SELECT own_try($$INSERT INTO feast.saved_datasets (project, name, features, full_feature_names, row_count) VALUES ('own_a', 'planted', '{v:conv}', false, 0)$$);
SELECT own_try($$INSERT INTO feast.online_tables (project, feature_view, schema_name, table_name, relid) VALUES ('own_a', 'vq', 'public', 'own_payroll', 'public.own_payroll')$$);
-- updates and deletes see none of A's rows
SELECT own_try($$UPDATE feast.data_sources SET query = 'SELECT driver_id, ts, own_b_online.spy() AS conv FROM public.own_stats' WHERE project = 'own_a' AND name = 'stats_q'$$) AS plant_query;
SELECT own_try($$UPDATE feast.projects SET owner = 'regress_own_b' WHERE name = 'own_a'$$) AS take_over;
SELECT own_try($$UPDATE feast.online_tables SET relid = 'public.own_payroll' WHERE project = 'own_a'$$) AS point_at_payroll;
SELECT t AS registry_table,
	   own_try(format('UPDATE feast.%I SET %I = %I WHERE %I = %L', t, c, c, c, 'own_a')) AS "update",
	   own_try(format('DELETE FROM feast.%I WHERE %I = %L', t, c, 'own_a')) AS "delete"
FROM (VALUES ('projects', 'name'), ('entities', 'project'), ('data_sources', 'project'),
			 ('feature_views', 'project'), ('feature_view_entities', 'project'),
			 ('features', 'project'), ('aggregations', 'project'),
			 ('feature_services', 'project'), ('feature_service_projections', 'project'),
			 ('materialization_intervals', 'project'), ('materialization_runs', 'project'),
			 ('saved_datasets', 'project'), ('online_tables', 'project')) v(t, c)
ORDER BY 1;
-- every relation of schema feast is listed above (a new one must be too)
SELECT count(*) AS registry_tables FROM pg_class
WHERE relnamespace = 'feast'::regnamespace AND relkind = 'r';
-- A's registry is as it was
SELECT own_fp('own_a') = fp AS a_unchanged FROM own_before;

---------------------------------------------------------------------------
-- B's own project may plant what it likes: it runs only as B
---------------------------------------------------------------------------
SELECT object_type, name, action FROM feast_apply($y$
project: own_b
online_store: {type: postgres, db_schema: own_b_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: spied, type: query, query: "SELECT driver_id, ts, own_b_online.spy() AS conv FROM public.own_stats", timestamp_field: ts}
feature_views:
  - {name: v, entities: [driver], source: spied, schema: [{name: conv, dtype: Float32}]}
$y$) ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_b');
RESET ROLE;

SET ROLE regress_own_a;
-- error: A cannot change B's project either
SELECT own_try($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_b')$$);
-- error: B's query runs for no one else: retrieval and pulls refuse it
SELECT own_try($$SELECT * FROM feast_historical('public.own_entities', ARRAY['v:conv'], project => 'own_b') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
SELECT own_try($$SELECT * FROM feast_pull_all('spied', project => 'own_b') AS t(driver_id bigint, ts timestamptz, conv real)$$);
-- A materializes its own project: its query source is still its own
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_a') ORDER BY 1;
SELECT * FROM feast_historical('public.own_entities', ARRAY['vq:conv'], project => 'own_a')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real) ORDER BY 1;
RESET ROLE;
-- error: nor for a superuser, who is not a member of B's role ...
SELECT own_try($$SELECT * FROM feast_historical('public.own_entities', ARRAY['v:conv'], project => 'own_b') AS t(driver_id bigint, event_timestamp timestamptz, conv real)$$);
SELECT own_try($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_b')$$);
SELECT own_try($$SELECT * FROM feast_apply(feast_registry_dump('own_b'))$$);
-- ... who can run it as B
SET ROLE regress_own_b;
SELECT count(*) FROM feast_historical('public.own_entities', ARRAY['v:conv'], project => 'own_b')
	AS t(driver_id bigint, event_timestamp timestamptz, conv real);
RESET ROLE;
-- (the only NOTICEs of the spy in this file say regress_own_b)

---------------------------------------------------------------------------
-- Changing the owner
---------------------------------------------------------------------------
SET ROLE regress_own_a;
-- error: only to a role A is a member of
SELECT own_try($$UPDATE feast.projects SET owner = 'regress_own_b' WHERE name = 'own_a'$$);
RESET ROLE;
GRANT regress_own_team TO regress_own_a, regress_own_b;
SET ROLE regress_own_a;
-- error: the team may not own tables in A's schema yet
SELECT own_try($$UPDATE feast.projects SET owner = 'regress_own_team' WHERE name = 'own_a'$$);
GRANT USAGE, CREATE ON SCHEMA own_a_online TO regress_own_team;
-- to the team: the online tables follow
SELECT own_try($$UPDATE feast.projects SET owner = 'regress_own_team' WHERE name = 'own_a'$$);
RESET ROLE;
SELECT name, owner FROM feast.projects WHERE name = 'own_a';
SELECT o.feature_view, pg_get_userbyid(c.relowner) AS table_owner
FROM feast.online_tables o JOIN pg_class c ON c.oid = o.relid
WHERE o.project = 'own_a' ORDER BY 1;
-- B, a member of the team, now changes the project (a feature added to the
-- online table it did not create) and materializes it
SET ROLE regress_own_b;
SELECT own_try($$UPDATE feast.data_sources SET query = 'SELECT driver_id, ts, conv, driver_id AS driver2 FROM public.own_stats' WHERE project = 'own_a' AND name = 'stats_q'$$);
SELECT object_type, name, action, detail FROM feast_apply($y$
project: own_a
feature_views:
  - {name: v, entities: [driver], source: stats_push, schema: [{name: conv, dtype: Float32}]}
  - {name: vq, entities: [driver], source: stats_q, schema: [{name: conv, dtype: Float32}, {name: driver2, dtype: Int64}]}
$y$) ORDER BY 1, 2;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'own_a') ORDER BY 1;
RESET ROLE;
-- a member of the team that may create schemas (here a superuser who
-- joins the team, so that the team's query source runs for it) moves the
-- online tables to a new schema, which is created for the team, and back
GRANT regress_own_team TO CURRENT_USER;
SELECT object_type, name, action, detail FROM feast_apply($y$
project: own_a
online_store: {type: postgres, db_schema: own_a_team_online}
$y$) ORDER BY 1, 2;
SELECT nspowner::regrole AS schema_owner FROM pg_namespace WHERE nspname = 'own_a_team_online';
SELECT count(*) AS rows_moved FROM own_a_team_online.own_a_vq;
SELECT object_type, name, action FROM feast_apply($y$
project: own_a
online_store: {type: postgres, db_schema: own_a_online}
$y$) ORDER BY 1, 2;
DROP SCHEMA own_a_team_online;
REVOKE regress_own_team FROM CURRENT_USER;
-- a superuser changes any project, and gives it back to A
SELECT own_try($$UPDATE feast.projects SET owner = 'regress_own_a' WHERE name = 'own_a'$$);
REVOKE regress_own_team FROM regress_own_a, regress_own_b;

---------------------------------------------------------------------------
-- Only what offline_store created is ever dropped or altered
---------------------------------------------------------------------------
SET ROLE regress_own_a;
-- error: the owner cannot point a record at another relation either
SELECT own_try($$UPDATE feast.online_tables SET relid = 'public.own_payroll', schema_name = 'public', table_name = 'own_payroll' WHERE project = 'own_a' AND feature_view = 'v'$$);
SELECT own_try($$INSERT INTO feast.online_tables (project, feature_view, schema_name, table_name, relid) VALUES ('own_a', 'vq', 'public', 'own_payroll', 'public.own_payroll')$$);
-- a relation that takes the name of A's online table is never adopted:
-- apply refuses it, materialize does not write into it
DROP TABLE own_a_online.own_a_vq;
CREATE TABLE own_a_online.own_a_vq (driver_id bigint PRIMARY KEY, conv real, driver2 bigint,
	event_timestamp timestamptz NOT NULL, created_timestamp timestamptz);
INSERT INTO own_a_online.own_a_vq VALUES (1, 42, 1, '2000-01-01', NULL);
SELECT own_try($$SELECT * FROM feast_apply(feast_registry_dump('own_a'))$$);
SELECT own_try($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['vq'], project => 'own_a')$$);
SELECT * FROM own_a_online.own_a_vq;
-- deleting the project drops the tables offline_store created, and only them
DELETE FROM feast.projects WHERE name = 'own_a';
SELECT to_regclass('own_a_online.own_a_v') IS NULL AS created_table_dropped,
	   to_regclass('own_a_online.own_a_vq') IS NOT NULL AS impostor_kept;
DROP TABLE own_a_online.own_a_vq;
RESET ROLE;
SELECT count(*) AS payroll_rows FROM public.own_payroll;

---------------------------------------------------------------------------
-- Connection secrets are never stored
---------------------------------------------------------------------------
SELECT object_type, name, action FROM feast_apply($y$
project: own_secrets
registry: {registry_type: sql, path: "postgresql://feast:s3cr3t@db:5432/feast", cache_ttl_seconds: 60, sslpassword: s3cr3t}
online_store:
  type: postgres
  db_schema: own_secrets_online
  host: db
  user: feast
  password: s3cr3t
offline_store:
  type: postgres
  host: db
  password: s3cr3t
auth:
  type: oidc
  client_id: feast
  client_secret: s3cr3t
  Api-Key: s3cr3t
  nested: {token: s3cr3t, keep: yes, dsn: "host=db password = s3cr3t"}
  urls: ["https://feast.example/", "https://feast:s3cr3t@example/"]
batch_engine: {type: local, PRIVATE_KEY: s3cr3t}
$y$) ORDER BY 1, 2;
-- nothing secret was stored, nor comes out of the dump; the rest was kept
SELECT registry, online_store, offline_store, batch_engine, auth
FROM feast.projects WHERE name = 'own_secrets';
SELECT position('s3cr3t' IN feast_registry_dump('own_secrets')) = 0 AS dump_has_no_secret;
-- the dump applies unchanged, with no warning
SELECT object_type, name, action FROM feast_apply(feast_registry_dump('own_secrets')) ORDER BY 1, 2;
-- error: plain SQL cannot store one either (check constraint)
SELECT own_try($$UPDATE feast.projects SET online_store = online_store || '{"password": "s3cr3t"}' WHERE name = 'own_secrets'$$);
SELECT own_try($$UPDATE feast.projects SET registry = '"postgresql://feast:s3cr3t@db/feast"' WHERE name = 'own_secrets'$$);
SELECT own_try($$UPDATE feast.projects SET auth = '{"a": {"b": ["x", {"SECRET_value": "s3cr3t"}]}}' WHERE name = 'own_secrets'$$);
SELECT own_try($$UPDATE feast.projects SET auth = '{"dsn": "dbname=x sslpassword=s3cr3t"}' WHERE name = 'own_secrets'$$);
-- error: an online schema that would carry a password
SELECT own_try($$SELECT * FROM feast_apply('project: own_secrets
online_store: {db_schema: "x password=y"}')$$);
-- ... and names that merely look alike are kept
SELECT own_try($$UPDATE feast.projects SET auth = '{"sslkey_path": "/k", "passes": 3, "url": "https://example/a:b@c", "note": "passwords=none"}' WHERE name = 'own_secrets'$$);
DELETE FROM feast.projects WHERE name = 'own_secrets';

-- Clean up.
DELETE FROM feast.projects WHERE name = 'own_b';
DROP SCHEMA own_a_online;
DROP FUNCTION own_b_online.spy();
DROP SCHEMA own_b_online;
DROP TABLE public.own_stats, public.own_entities, public.own_payroll;
DROP TABLE own_before;
REVOKE ALL ON ALL TABLES IN SCHEMA feast FROM regress_own_a, regress_own_b;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA feast FROM regress_own_a, regress_own_b;
REVOKE ALL ON FUNCTION feast_apply(text, boolean),
	feast_materialize(timestamptz, timestamptz, text[], text),
	feast_materialize_incremental(timestamptz, text[], text),
	feast_push(text, text, text, text),
	feast_persist(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz)
	FROM regress_own_a, regress_own_b;
DROP ROLE regress_own_a;
DROP ROLE regress_own_b;
DROP ROLE regress_own_team;
DROP FUNCTION own_try(text);
DROP FUNCTION own_fp(text);
