-- feast_apply: every key of the document, idempotence, dry runs, updates,
-- deletions, absent sections, TTL spellings, the dump round trip and
-- privileges. Errors are in apply_errors.sql, online tables in apply_online.sql.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- An error as SQLSTATE: message / DETAIL / HINT.
CREATE FUNCTION apt_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;

CREATE TABLE public.apt_driver_stats (
	driver_id bigint,
	ts timestamptz,
	created timestamp,
	conv real,
	acc_rate double precision,
	avg_daily_trips integer,
	rating numeric,
	city varchar(20),
	photo bytea,
	active boolean,
	last_seen timestamptz,
	scores real[],
	trip_ids bigint[],
	day date
);
CREATE TABLE public.apt_customer (customer_id text, ts timestamp, spend double precision);

-- Every key of the format.
SELECT * FROM feast_apply($y$
project: apply_test
project_description: "Every key of the format"
provider: local
registry: {registry_type: sql, path: "postgresql://x/y", cache_ttl_seconds: 60}
online_store:
  type: postgres
  db_schema: apply_test_online
offline_store:
  type: offline_store
batch_engine: {type: local}
materialization: {pull_latest_features: false}
auth: {type: no_auth}
entity_key_serialization_version: 3
coerce_tz_aware: false

entities:
  - name: driver
    join_keys: [driver_id]
    value_type: INT64
    description: A driver
    owner: ops@example.com
    tags: {team: drivers, tier: "1"}
  - name: customer_id          # no join_keys: the name is the join key
    description: inferred value type
sources:
  - name: driver_stats_source
    type: table
    table: public.apt_driver_stats
    timestamp_field: event_timestamp
    created_timestamp_column: created
    date_partition_column: day
    field_mapping: {conv: conv_rate, ts: event_timestamp}
    description: hourly driver stats
    owner: ops@example.com
    tags: {freshness: hourly}
  - name: customer_source
    type: query
    query: SELECT customer_id, ts, spend FROM public.apt_customer
    timestamp_field: ts
  - name: driver_stats_push
    type: push
    batch_source: driver_stats_source
    description: pushed stats
    owner: ops@example.com
    tags: {mode: push}
feature_views:
  - name: driver_hourly_stats
    entities: [driver]
    ttl: 2h
    source: driver_stats_source
    online: true
    offline: true
    schema:
      - {name: conv_rate, dtype: Float32, description: conversion, tags: {pii: "no"}}
      - {name: acc_rate, dtype: Float64}
      - {name: avg_daily_trips, dtype: Int64}
      - {name: rating, dtype: Float64}
      - {name: city, dtype: String}
      - {name: photo, dtype: Bytes}
      - {name: active, dtype: Bool}
      - {name: last_seen, dtype: UnixTimestamp}
      - {name: scores, dtype: Array(Float32)}
      - {name: trip_ids, dtype: Array(Int64)}
    description: driver stats
    owner: ops@example.com
    tags: {team: driver_performance}
  - name: driver_pushed
    entities: [driver]
    source: driver_stats_push
    online: false
    schema:
      - {name: conv_rate, dtype: Float32}
  - name: customer_spend
    entities: [customer_id]
    ttl: 1d
    source: customer_source
    offline: false
    schema:
      - {name: spend, dtype: Float64}
  - name: global_stats
    entities: []
    source: driver_stats_source
    online: false
    schema:
      - {name: avg_daily_trips, dtype: Int32}
feature_services:
  - name: driver_activity_v1
    features:
      - driver_hourly_stats
      - feature_view: driver_hourly_stats
        name: driver_recent
        features: [conv_rate, acc_rate]
        join_key_map: {driver_id: other_driver_id}
      - feature_view: customer_spend
        features: [spend]
    description: for the ranking model
    owner: ml@example.com
    tags: {model: ranking}
$y$);

SELECT name, description, provider, registry, online_store, offline_store,
       batch_engine, materialization, auth, entity_key_serialization_version,
       coerce_tz_aware, online_schema
FROM feast.projects WHERE name = 'apply_test';
SELECT name, join_key, value_type, description, owner, tags
FROM feast.entities WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT name, type, table_name, query, batch_source, timestamp_field,
       created_timestamp_column, date_partition_column, field_mapping,
       description, owner, tags
FROM feast.data_sources WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT name, source, ttl, online, offline, description, owner, tags
FROM feast.feature_views WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT feature_view, position, entity
FROM feast.feature_view_entities WHERE project = 'apply_test'
ORDER BY feature_view COLLATE "C", position;
SELECT feature_view, position, name, dtype, description, tags
FROM feast.features WHERE project = 'apply_test'
ORDER BY feature_view COLLATE "C", position;
SELECT name, description, owner, tags
FROM feast.feature_services WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT feature_service, position, feature_view, alias, features, join_key_map
FROM feast.feature_service_projections WHERE project = 'apply_test'
ORDER BY feature_service COLLATE "C", position;

-- A fingerprint of the project's registry rows, to show what did not change.
CREATE FUNCTION apt_fingerprint(p text) RETURNS text LANGUAGE sql AS $$
SELECT md5(string_agg(t, E'\n' ORDER BY t COLLATE "C")) FROM (
	SELECT format('%s', (x.name, x.description, x.provider, x.registry, x.online_store,
		x.offline_store, x.batch_engine, x.materialization, x.auth,
		x.entity_key_serialization_version, x.coerce_tz_aware, x.online_schema)) FROM feast.projects x WHERE x.name = p
	UNION ALL SELECT format('%s', x) FROM feast.entities x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.data_sources x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.feature_views x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.feature_view_entities x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.features x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.feature_services x WHERE x.project = p
	UNION ALL SELECT format('%s', x) FROM feast.feature_service_projections x WHERE x.project = p
	UNION ALL SELECT format('%s', (x.project, x.feature_view, x.schema_name, x.table_name)) FROM feast.online_tables x WHERE x.project = p
) s(t)
$$;
SELECT apt_fingerprint('apply_test') AS before \gset

-- The dump, and applying it: everything unchanged.
SELECT feast_registry_dump('apply_test');
SELECT * FROM feast_apply(feast_registry_dump('apply_test'));
SELECT apt_fingerprint('apply_test') = :'before' AS registry_unchanged;

-- With the GUC, and with a single project, the project can be omitted.
SET offline_store.project = 'apply_test';
SELECT feast_registry_dump() = feast_registry_dump('apply_test') AS guc_dump;
RESET offline_store.project;

-- A dry run validates like a real one: the registry's views (the document
-- has no feature_views section) still need the entity the document drops.
SELECT apt_err($s$SELECT * FROM feast_apply($y$
project: apply_test
project_description: changed
online_store: {type: postgres, db_schema: apply_test_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
$y$, dry_run => true)$s$);
-- A dry run reports the plan and changes nothing.
SELECT * FROM feast_apply($y$
project: apply_test
project_description: changed
online_store: {type: postgres, db_schema: apply_test_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: customer_id, description: inferred value type}
  - {name: new_entity, join_keys: [driver_id]}
feature_services: []
$y$, dry_run => true);
SELECT apt_fingerprint('apply_test') = :'before' AS registry_unchanged;

-- Absent sections leave their objects alone; the project alone is updated.
SELECT * FROM feast_apply($y$
project: apply_test
project_description: changed
registry: {registry_type: sql, path: "postgresql://x/y", cache_ttl_seconds: 60}
online_store:
  type: postgres
  db_schema: apply_test_online
batch_engine: {type: local}
materialization: {pull_latest_features: false}
auth: {type: no_auth}
coerce_tz_aware: false
$y$);
SELECT description FROM feast.projects WHERE name = 'apply_test';
SELECT (SELECT count(*) FROM feast.entities WHERE project = 'apply_test') AS entities,
       (SELECT count(*) FROM feast.data_sources WHERE project = 'apply_test') AS sources,
       (SELECT count(*) FROM feast.feature_views WHERE project = 'apply_test') AS views,
       (SELECT count(*) FROM feast.feature_services WHERE project = 'apply_test') AS services;

-- Updates: an entity's tags, a view's features and ttl, a service's
-- projections; the absent sources section keeps the registry's sources, and
-- the present feature_views section deletes the views it does not list.
SELECT * FROM feast_apply($y$
project: apply_test
project_description: changed
registry: {registry_type: sql, path: "postgresql://x/y", cache_ttl_seconds: 60}
online_store: {type: postgres, db_schema: apply_test_online}
batch_engine: {type: local}
materialization: {pull_latest_features: false}
auth: {type: no_auth}
coerce_tz_aware: false
entities:
  - name: customer_id
    description: inferred value type
  - name: driver
    join_keys: [driver_id]
    value_type: INT64
    description: A driver
    owner: ops@example.com
    tags: {team: drivers, tier: "2"}
feature_views:
  - name: driver_hourly_stats
    entities: [driver]
    ttl: 3h
    source: driver_stats_source
    schema:
      - {name: conv_rate, dtype: Float32, description: conversion, tags: {pii: "no"}}
      - {name: avg_daily_trips, dtype: Int64}
    description: driver stats
    owner: ops@example.com
    tags: {team: driver_performance}
  - name: customer_spend
    entities: [customer_id]
    ttl: 1d
    source: customer_source
    offline: false
    schema:
      - {name: spend, dtype: Float64}
feature_services:
  - name: driver_activity_v1
    features:
      - feature_view: driver_hourly_stats
        name: driver_recent
        features: [conv_rate]
    description: for the ranking model
    owner: ml@example.com
    tags: {model: ranking}
  - name: customer_v1
    features: [customer_spend]
$y$);
SELECT name, tags FROM feast.entities WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT name, ttl FROM feast.feature_views WHERE project = 'apply_test' ORDER BY name COLLATE "C";
SELECT feature_view, position, name FROM feast.features WHERE project = 'apply_test'
ORDER BY feature_view COLLATE "C", position;
SELECT feature_service, position, feature_view, alias, features, join_key_map
FROM feast.feature_service_projections WHERE project = 'apply_test'
ORDER BY feature_service COLLATE "C", position;

-- Deletions come last, dependents first: services, views, push sources,
-- sources, entities.
SELECT * FROM feast_apply($y$
project: apply_test
project_description: changed
registry: {registry_type: sql, path: "postgresql://x/y", cache_ttl_seconds: 60}
online_store: {type: postgres, db_schema: apply_test_online}
batch_engine: {type: local}
materialization: {pull_latest_features: false}
auth: {type: no_auth}
coerce_tz_aware: false
entities:
  - {name: customer_id, description: inferred value type}
sources:
  - name: customer_source
    type: query
    query: SELECT customer_id, ts, spend FROM public.apt_customer
    timestamp_field: ts
feature_views:
  - name: customer_spend
    entities: [customer_id]
    ttl: 1d
    source: customer_source
    offline: false
    schema:
      - {name: spend, dtype: Float64}
feature_services: []
$y$);
SELECT apt_fingerprint('apply_test') AS before \gset
-- and once more: all unchanged
SELECT * FROM feast_apply(feast_registry_dump('apply_test'));
SELECT apt_fingerprint('apply_test') = :'before' AS registry_unchanged;

-- TTL spellings, stored as exact intervals (no days: a day is 24 hours).
SELECT * FROM feast_apply($y$
project: apply_ttl
online_store: {type: postgres, db_schema: apply_test_online}
entities: []
sources:
  - {name: s, type: table, table: public.apt_customer, timestamp_field: ts}
feature_views:
  - {name: ttl_zero, entities: [], source: s, ttl: 0, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_absent, entities: [], source: s, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_int, entities: [], source: s, ttl: 7200, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_seconds, entities: [], source: s, ttl: 7200s, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_hours, entities: [], source: s, ttl: 2h, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_day, entities: [], source: s, ttl: 1d, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_minutes, entities: [], source: s, ttl: 90m, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_week, entities: [], source: s, ttl: 1w, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_iso_day, entities: [], source: s, ttl: P1D, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_iso_hours, entities: [], source: s, ttl: PT2H, online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_hms, entities: [], source: s, ttl: '01:00:00', online: false, schema: [{name: spend, dtype: Float64}]}
  - {name: ttl_fraction, entities: [], source: s, ttl: 1.5s, online: false, schema: [{name: spend, dtype: Float64}]}
$y$);
SELECT name, ttl, extract(epoch FROM ttl) AS seconds
FROM feast.feature_views WHERE project = 'apply_ttl' ORDER BY name COLLATE "C";
SELECT * FROM feast_apply(feast_registry_dump('apply_ttl'));

-- Names that need quoting everywhere: quotes, spaces, colons, unicode.
CREATE TABLE public."Apt Table: ü ""q""" ("Driver ID" integer, "Event Time" timestamptz, "Score: ""x""" real);
SELECT * FROM feast_apply($y$
project: "Apply Names: \"q\" ü"
online_store: {type: postgres, db_schema: "Apt Online ü"}
entities:
  - {name: "Driver: ü", join_keys: ["Driver ID"], value_type: INT32, tags: {"k: \"1\"": "v\nw"}}
sources:
  - name: "Source 'one'"
    type: table
    table: 'public."Apt Table: ü ""q"""'
    timestamp_field: "Event: time"
    field_mapping: {"Event Time": "Event: time", "Score: \"x\"": "score ü"}
feature_views:
  - name: "View #1: ü"
    entities: ["Driver: ü"]
    source: "Source 'one'"
    schema:
      - {name: "score ü", dtype: Float32}
feature_services:
  - name: "Service \"1\""
    features:
      - {feature_view: "View #1: ü", name: "Alias: ü", join_key_map: {"Driver ID": "other \"id\""}}
$y$);
SELECT feast_registry_dump(E'Apply Names: "q" ü');
SELECT * FROM feast_apply(feast_registry_dump(E'Apply Names: "q" ü'));
SELECT schema_name, table_name FROM feast.online_tables WHERE project = E'Apply Names: "q" ü';
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = 'Apt Online ü' AND table_name = E'Apply Names: "q" ü_View #1: ü' ORDER BY ordinal_position;

-- Privileges: reading for everyone, writing for the owner.
SELECT has_function_privilege('public', 'feast_apply(text, boolean)', 'EXECUTE') AS public_apply,
       has_function_privilege('public', 'feast_registry_dump(text)', 'EXECUTE') AS public_dump,
       has_table_privilege('public', 'feast.online_tables', 'SELECT') AS public_online_tables,
       has_table_privilege('public', 'feast.online_tables', 'INSERT') AS public_online_tables_insert;

-- Several projects: the project must be named.
SELECT apt_err('SELECT feast_registry_dump()');
-- error: a project that does not exist
SELECT apt_err($$SELECT feast_registry_dump('apply_nope')$$);

-- Clean up: empty sections delete everything (and the online tables).
SELECT * FROM feast_apply($y$
project: apply_test
online_store: {type: postgres, db_schema: apply_test_online}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
SELECT * FROM feast_apply($y$
project: apply_ttl
online_store: {type: postgres, db_schema: apply_test_online}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
SELECT * FROM feast_apply($y$
project: "Apply Names: \"q\" ü"
online_store: {type: postgres, db_schema: "Apt Online ü"}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
SELECT count(*) AS online_tables_left FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('Apt Online ü', 'apply_test_online') AND c.relkind = 'r';

-- A project deleted with plain SQL takes its online tables with it.
SELECT * FROM feast_apply($y$
project: apply_plain_delete
online_store: {type: postgres, db_schema: apply_test_online}
sources:
  - {name: s, type: table, table: public.apt_customer, timestamp_field: ts}
feature_views:
  - {name: totals, entities: [], source: s, schema: [{name: spend, dtype: Float64}]}
$y$);
SELECT schema_name, table_name FROM feast.online_tables WHERE project = 'apply_plain_delete';
-- The advisory locks live in offline_store's own key space: two int4 keys,
-- class 0x4F465301 for a project (apply: exclusive, materialize: shared)
-- and 0x4F465302 for the materialization of one view, held to the end of
-- the transaction. A dry run takes none.
BEGIN;
SELECT count(*) FROM feast_apply($y$
project: apply_plain_delete
online_store: {type: postgres, db_schema: apply_test_online}
$y$, dry_run => true);
SELECT count(*) AS advisory_locks FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT count(*) FROM feast_apply($y$
project: apply_plain_delete
online_store: {type: postgres, db_schema: apply_test_online}
$y$);
SELECT to_hex(classid::int) AS class, objsubid, mode FROM pg_locks
WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY 1, 3;
COMMIT;
BEGIN;
SELECT feature_view FROM feast_materialize('2024-01-01', '2024-01-02', project => 'apply_plain_delete');
SELECT to_hex(classid::int) AS class, objsubid, mode FROM pg_locks
WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY 1, 3;
COMMIT;
DELETE FROM feast.projects WHERE name IN ('apply_test', 'apply_ttl', E'Apply Names: "q" ü', 'apply_plain_delete');
SELECT count(*) AS online_tables_left FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('Apt Online ü', 'apply_test_online') AND c.relkind = 'r';
SELECT count(*) AS online_table_rows_left FROM feast.online_tables
WHERE project IN ('apply_test', 'apply_ttl', E'Apply Names: "q" ü', 'apply_plain_delete');

DROP SCHEMA "Apt Online ü";
DROP SCHEMA apply_test_online;
DROP TABLE public.apt_driver_stats, public.apt_customer, public."Apt Table: ü ""q""";
DROP FUNCTION apt_fingerprint(text);
DROP FUNCTION apt_err(text);
