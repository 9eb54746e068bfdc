-- feast_apply errors: every parser error kind and every validation against
-- the registry and the database, each with its SQLSTATE, message, detail
-- (with the position in the document) and hint. Nothing is written.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- The error of an apply, as SQLSTATE: message / DETAIL / HINT / CONTEXT.
CREATE FUNCTION ape(doc text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
	ctx text;
BEGIN
	PERFORM * FROM feast_apply(doc);
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT,
		ctx = PG_EXCEPTION_CONTEXT;
	-- keep only our own context lines (not PL/pgSQL's)
	ctx = (SELECT string_agg(l, ' / ') FROM regexp_split_to_table(ctx, E'\n') l
		   WHERE l NOT LIKE 'PL/pgSQL%' AND l NOT LIKE 'SQL statement%');
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '')
		|| coalesce(E'\nCONTEXT: ' || nullif(ctx, ''), '');
END
$$;

CREATE TABLE public.ape_stats (
	driver_id bigint,
	ts timestamptz,
	created timestamptz,
	conv real,
	acc double precision,
	trips integer,
	label text,
	ts_text text,
	ids integer[]
);
CREATE SEQUENCE public.ape_seq;

-- A valid project to leave untouched.
SELECT * FROM feast_apply($y$
project: apply_err
online_store: {type: postgres, db_schema: apply_err_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: driver_stats
    entities: [driver]
    source: stats
    online: false
    schema:
      - {name: conv, dtype: Float32}
      - {name: trips, dtype: Int32}
feature_services:
  - {name: svc, features: [driver_stats]}
$y$);
CREATE TEMP TABLE ape_before AS
SELECT (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.entities x WHERE project = 'apply_err') AS e,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.data_sources x WHERE project = 'apply_err') AS s,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_views x WHERE project = 'apply_err') AS v,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name, x.position)) FROM feast.features x WHERE project = 'apply_err') AS f,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_services x WHERE project = 'apply_err') AS fs;

-- error: NULL document
SELECT ape(NULL);
-- error: NULL dry_run
DO $$
BEGIN
	PERFORM feast_apply('project: apply_err', NULL);
EXCEPTION WHEN null_value_not_allowed THEN
	RAISE NOTICE 'null_value_not_allowed: %', SQLERRM;
END
$$;

---------------------------------------------------------------------------
-- Parser errors, one per kind
---------------------------------------------------------------------------

-- error: not YAML (invalid_text_representation)
SELECT ape($y$
project: apply_err
entities: [
$y$);
-- error: unrecognized key (invalid_parameter_value, hint lists the keys)
SELECT ape($y$
project: apply_err
entities:
  - name: driver
    joinkeys: [driver_id]
$y$);
-- error: wrong type (invalid_parameter_value)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: v, entities: [], source: stats, online: yes, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: invalid value: ttl (invalid_parameter_value)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: v, entities: [], source: stats, ttl: 1y, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: invalid value: dtype (invalid_parameter_value)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: v, entities: [], source: stats, schema: [{name: conv, dtype: Float16}]}
$y$);
-- error: missing key (invalid_object_definition)
SELECT ape($y$
project: apply_err
sources:
  - {name: s, type: table, table: public.ape_stats}
$y$);
-- error: duplicate name (duplicate_object)
SELECT ape($y$
project: apply_err
entities:
  - {name: driver, join_keys: [driver_id]}
  - {name: driver, join_keys: [driver_id]}
$y$);
-- error: field_mapping conflict (invalid_object_definition)
SELECT ape($y$
project: apply_err
sources:
  - {name: s, type: table, table: public.ape_stats, timestamp_field: ts, field_mapping: {conv: x, acc: x}}
$y$);
-- error: nested too deeply (program_limit_exceeded)
SELECT ape('project: x' || E'\n' || 'tags: ' || repeat('[', 100));

---------------------------------------------------------------------------
-- References between objects (undefined_object)
---------------------------------------------------------------------------

-- error: undefined entity
SELECT ape($y$
project: apply_err
feature_views:
  - name: v
    entities: [driver, rider]
    source: stats
    schema: [{name: conv, dtype: Float32}]
$y$);
-- error: undefined data source
SELECT ape($y$
project: apply_err
feature_views:
  - {name: v, entities: [], source: nope, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: undefined batch source
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts}
  - {name: p, type: push, batch_source: nope}
$y$);
-- error: undefined feature view in a feature service
SELECT ape($y$
project: apply_err
feature_services:
  - name: svc
    features:
      - driver_stats
      - {feature_view: nope, features: [conv]}
$y$);
-- error: a projection names a feature the view does not have
SELECT ape($y$
project: apply_err
feature_services:
  - name: svc
    features:
      - {feature_view: driver_stats, features: [conv, acc]}
$y$);
-- error: join_key_map maps a column that is not a join key of the view
SELECT ape($y$
project: apply_err
feature_services:
  - name: svc
    features:
      - {feature_view: driver_stats, join_key_map: {rider_id: other}}
$y$);
-- error: the registry's objects count for absent sections: dropping the
-- entity its registry feature view uses
SELECT ape($y$
project: apply_err
entities: []
$y$);
-- error: deleting a view a registry feature service uses
SELECT ape($y$
project: apply_err
feature_views: []
$y$);

---------------------------------------------------------------------------
-- Push sources (invalid_object_definition)
---------------------------------------------------------------------------

-- error: a push source as the batch source of a push source
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: p1, type: push, batch_source: stats}
  - {name: p2, type: push, batch_source: p1}
feature_views:
  - {name: v, entities: [], source: p2, schema: [{name: conv, dtype: Float32}]}
$y$);

---------------------------------------------------------------------------
-- Sources in the database
---------------------------------------------------------------------------

-- error: the table does not exist (undefined_table)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_nope, timestamp_field: ts}
$y$);
-- error: the table name is not an SQL name (invalid_name)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: 'public."ape', timestamp_field: ts}
$y$);
-- error: not a table, view, materialized view or foreign table (wrong_object_type)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_seq, timestamp_field: ts}
$y$);
-- error: a query that does not parse (syntax_error, with the source in the context)
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: SELEC driver_id FROM public.ape_stats, timestamp_field: ts}
$y$);
-- error: a query on a table that does not exist (undefined_table)
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: SELECT * FROM public.ape_nope, timestamp_field: ts}
$y$);
-- error: a query that is not a single query (invalid_object_definition)
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: "SELECT * FROM public.ape_stats) AS x; SELECT (1", timestamp_field: ts}
$y$);
-- error: a query that writes (feature_not_supported)
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: "WITH d AS (DELETE FROM public.ape_stats RETURNING *) SELECT * FROM d", timestamp_field: ts}
$y$);
SELECT count(*) AS ape_stats_rows FROM public.ape_stats;
-- error: a query that locks rows, at the top or in a subquery (invalid_object_definition)
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: "SELECT * FROM public.ape_stats FOR UPDATE", timestamp_field: ts}
$y$);
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: "SELECT * FROM public.ape_stats WHERE driver_id IN (SELECT driver_id FROM public.ape_stats FOR KEY SHARE)", timestamp_field: ts}
$y$);
-- error: timestamp_field is not a column (undefined_column)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: event_timestamp}
$y$);
-- error: same, through field_mapping
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: event_timestamp, field_mapping: {ts_1: event_timestamp}}
$y$);
-- error: same, in a query source
SELECT ape($y$
project: apply_err
sources:
  - {name: q, type: query, query: "SELECT driver_id, conv FROM public.ape_stats", timestamp_field: ts}
$y$);
-- error: timestamp_field is not a timestamp (datatype_mismatch)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts_text}
$y$);
-- error: created_timestamp_column is not a column (undefined_column)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, created_timestamp_column: created_at}
$y$);
-- error: created_timestamp_column is not a timestamp (datatype_mismatch)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, created_timestamp_column: trips}
$y$);
-- error: date_partition_column is not a column (undefined_column)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, date_partition_column: day}
$y$);

---------------------------------------------------------------------------
-- Feature views against their sources
---------------------------------------------------------------------------

-- error: the join key is not a column of the source (undefined_column)
SELECT ape($y$
project: apply_err
entities:
  - {name: rider, join_keys: [rider_id], value_type: INT64}
  - {name: driver, join_keys: [driver_id], value_type: INT64}
feature_views:
  - {name: v, entities: [rider], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: a feature is not a column of the source (undefined_column)
SELECT ape($y$
project: apply_err
feature_views:
  - name: driver_stats
    entities: [driver]
    source: stats
    schema:
      - {name: conv, dtype: Float32}
      - {name: conv_rate, dtype: Float32}
$y$);
-- error: same, through field_mapping
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, field_mapping: {conv_1: conv_rate}}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv_rate, dtype: Float32}]}
$y$);
-- error: declared dtype does not match the column (datatype_mismatch)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: acc, dtype: Float32}]}
$y$);
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: label, dtype: Int64}]}
$y$);
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: ids, dtype: Array(Int32)}, {name: trips, dtype: Array(Int32)}]}
$y$);
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: ids, dtype: Array(String)}]}
$y$);
-- error: the entity value type does not match the join key column (datatype_mismatch)
SELECT ape($y$
project: apply_err
entities:
  - {name: driver, join_keys: [driver_id], value_type: STRING}
$y$);
SELECT ape($y$
project: apply_err
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT32}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: a feature named like a join key of the view (duplicate_column)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: driver_id, dtype: Int64}]}
$y$);
-- error: a feature named event_timestamp or created_timestamp (reserved_name)
SELECT ape($y$
project: apply_err
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, field_mapping: {created: created_timestamp}}
feature_views:
  - {name: driver_stats, entities: [driver], source: stats, schema: [{name: created_timestamp, dtype: UnixTimestamp}]}
$y$);
-- error: a join key named event_timestamp (reserved_name)
SELECT ape($y$
project: apply_err
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: t, join_keys: [event_timestamp]}
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts, field_mapping: {ts: event_timestamp}}
feature_views:
  - {name: driver_stats, entities: [t], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: an entity listed twice (duplicate_object)
SELECT ape($y$
project: apply_err
feature_views:
  - {name: driver_stats, entities: [driver, driver], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: two entities with the same join key (duplicate_column)
SELECT ape($y$
project: apply_err
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: driver2, join_keys: [driver_id], value_type: INT64}
feature_views:
  - {name: driver_stats, entities: [driver, driver2], source: stats, schema: [{name: conv, dtype: Float32}]}
$y$);

-- Nothing was written by any of the failed applies.
SELECT (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.entities x WHERE project = 'apply_err') = e AS entities_same,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.data_sources x WHERE project = 'apply_err') = s AS sources_same,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_views x WHERE project = 'apply_err') = v AS views_same,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name, x.position)) FROM feast.features x WHERE project = 'apply_err') = f AS features_same,
       (SELECT md5(string_agg(format('%s', x), ',' ORDER BY x.name)) FROM feast.feature_services x WHERE project = 'apply_err') = fs AS services_same
FROM ape_before;
SELECT count(*) AS other_projects FROM feast.projects WHERE name = 'x';

-- An error in a later object leaves the earlier ones unwritten too.
SELECT ape($y$
project: apply_err_new
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.ape_stats, timestamp_field: ts}
feature_views:
  - {name: v, entities: [driver], source: stats, schema: [{name: conv, dtype: Int64}]}
$y$);
SELECT count(*) AS new_project FROM feast.projects WHERE name = 'apply_err_new';

-- Clean up.
SELECT * FROM feast_apply($y$
project: apply_err
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
DELETE FROM feast.projects WHERE name = 'apply_err';
DROP TABLE ape_before;
DROP TABLE public.ape_stats;
DROP SEQUENCE public.ape_seq;
DROP FUNCTION ape(text);
