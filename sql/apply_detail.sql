-- feast_apply's detail column: NULL for created and unchanged objects; for
-- updated ones every changed field with its old and new value; for deleted
-- ones (and updates that drop rows) what is lost. Every document is applied
-- twice, dry run first: apd() fails unless both return the same rows.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.apd_stats (
	driver_id bigint,
	rider_id integer,
	rider2 integer,
	ts timestamptz,
	created timestamptz,
	day date,
	conv real,
	conv8 double precision,
	trips integer,
	note text
);
CREATE TABLE public.apd_other (driver_id bigint, ts timestamptz, conv real, trips integer);

-- The rows of a dry run, then of the apply, which must be the same.
CREATE FUNCTION apd(doc text)
RETURNS TABLE(object_type text, name text, action text, detail text)
LANGUAGE plpgsql AS $$
DECLARE
	dry text;
	done text;
BEGIN
	SELECT string_agg(concat_ws('|', a.t, a.n, a.act, coalesce(a.d, '<null>')), E'\n' ORDER BY a.i)
	  INTO dry FROM feast_apply(doc, true) WITH ORDINALITY AS a(t, n, act, d, i);
	CREATE TEMP TABLE apd_rows AS
	  SELECT a.t, a.n, a.act, a.d, a.i FROM feast_apply(doc) WITH ORDINALITY AS a(t, n, act, d, i);
	SELECT string_agg(concat_ws('|', r.t, r.n, r.act, coalesce(r.d, '<null>')), E'\n' ORDER BY r.i)
	  INTO done FROM apd_rows r;
	IF dry IS DISTINCT FROM done THEN
		RAISE EXCEPTION 'dry run differs: % <> %', dry, done;
	END IF;
	RETURN QUERY SELECT r.t, r.n, r.act, r.d FROM apd_rows r ORDER BY r.i;
	DROP TABLE apd_rows;
END
$$;

-- Everything created: no detail.
SELECT * FROM apd($y$
project: apd
online_store: {type: postgres, db_schema: apd_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: rider, join_keys: [rider_id]}
sources:
  - {name: stats, type: table, table: public.apd_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: other, type: table, table: public.apd_other, timestamp_field: ts}
  - {name: p, type: push, batch_source: stats}
  - {name: p2, type: push, batch_source: stats}
  - {name: q, type: query, query: "SELECT driver_id, ts, conv FROM public.apd_stats", timestamp_field: ts}
feature_views:
  - name: v1
    entities: [driver]
    source: stats
    ttl: 1d
    schema:
      - {name: conv, dtype: Float32}
      - {name: trips, dtype: Int32}
  - name: v2
    entities: [driver, rider]
    source: stats
    schema:
      - {name: trips, dtype: Int32}
  - name: v3
    entities: [driver]
    source: other
    schema:
      - {name: conv, dtype: Float32}
feature_services:
  - name: svc
    features:
      - v1
      - {feature_view: v2, name: v2b, features: [trips]}
  - name: svc2
    features: [v3]
$y$);

-- The same again: every object unchanged, no detail.
SELECT * FROM apd(feast_registry_dump('apd'));

-- Rows in the online tables, to see what changes lose.
INSERT INTO apd_online.apd_v1 (driver_id, conv, trips, event_timestamp)
VALUES (1, 0.5, 3, '2024-01-01'), (2, 0.25, 4, '2024-01-01');
INSERT INTO apd_online.apd_v2 (driver_id, rider_id, trips, event_timestamp)
VALUES (1, 10, 3, '2024-01-01');

-- A feature view: each field it has, one by one; the online table follows.
SELECT * FROM apd($y$
project: apd
online_store: {type: postgres, db_schema: apd_online}
feature_views:
  - name: v1
    entities: [driver]
    source: stats
    ttl: 2d
    offline: false
    description: driver stats
    owner: ops
    tags: {team: a}
    schema:
      - {name: conv, dtype: Float64, description: rate, tags: {unit: pct}}
      - {name: conv8, dtype: Float64}
  - name: v2
    entities: [driver, rider]
    source: stats
    schema:
      - {name: trips, dtype: Int32}
  - name: v3
    entities: [driver]
    source: other
    schema:
      - {name: conv, dtype: Float32}
$y$);
SELECT count(*) AS v1_rows FROM apd_online.apd_v1;

-- Features reordered, an entity added (the online table is recreated: its
-- rows are lost, and detail says how many), ttl in other units.
SELECT * FROM apd($y$
project: apd
online_store: {type: postgres, db_schema: apd_online}
feature_views:
  - name: v1
    entities: [driver, rider]
    source: stats
    ttl: 90m
    offline: false
    description: driver stats
    owner: ops
    tags: {team: a}
    schema:
      - {name: conv8, dtype: Float64}
      - {name: conv, dtype: Float64, description: rate, tags: {unit: pct}}
  - {name: v2, entities: [driver, rider], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v3, entities: [driver], source: other, schema: [{name: conv, dtype: Float32}]}
$y$);
SELECT count(*) AS v1_rows FROM apd_online.apd_v1;

-- ttl spellings: hours, seconds with a fraction, none; a push source as the
-- source; online off (its table is dropped, with its rows).
SELECT name, action, detail FROM apd($y$
project: apd
feature_views:
  - {name: v1, entities: [driver, rider], source: p, ttl: 36h, offline: false, description: driver stats, owner: ops, tags: {team: a}, schema: [{name: conv8, dtype: Float64}, {name: conv, dtype: Float64, description: rate, tags: {unit: pct}}]}
  - {name: v2, entities: [driver, rider], source: stats, ttl: 1.5s, online: false, schema: [{name: trips, dtype: Int32}]}
  - {name: v3, entities: [driver], source: other, schema: [{name: conv, dtype: Float32}]}
$y$) WHERE action <> 'unchanged';
SELECT name, action, detail FROM apd($y$
project: apd
feature_views:
  - {name: v1, entities: [driver, rider], source: p, ttl: 36h, offline: false, description: driver stats, owner: ops, tags: {team: a}, schema: [{name: conv8, dtype: Float64}, {name: conv, dtype: Float64, description: rate, tags: {unit: pct}}]}
  - {name: v2, entities: [driver, rider], source: stats, ttl: 0, online: false, schema: [{name: trips, dtype: Int32}]}
  - {name: v3, entities: [driver], source: other, schema: [{name: conv, dtype: Float32}]}
$y$) WHERE action <> 'unchanged';

-- Entities and sources: every field. A source that changes its type says
-- which of table and query it has now.
SELECT * FROM apd($y$
project: apd
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64, description: a driver, owner: ops, tags: {tier: "1"}}
  - {name: rider, join_keys: [rider2], value_type: INT64}
sources:
  - name: stats
    type: table
    table: public.apd_stats
    timestamp_field: ts
    date_partition_column: day
    field_mapping: {note: comment}
    description: the stats
    tags: {freshness: hourly}
  - {name: other, type: query, query: "SELECT driver_id, ts, conv, trips FROM public.apd_other", timestamp_field: ts}
  - {name: p, type: push, batch_source: stats}
  - {name: p2, type: push, batch_source: other}
  - {name: q, type: query, query: "SELECT driver_id, ts, conv FROM public.apd_stats WHERE conv > 0", timestamp_field: ts, owner: ops}
$y$) WHERE action <> 'unchanged';

-- Feature services: projections added, removed, reordered, narrowed,
-- renamed keys, an alias moved to another view; description and tags.
SELECT * FROM apd($y$
project: apd
feature_services:
  - name: svc
    description: for the model
    tags: {model: m1}
    features:
      - {feature_view: v3, name: v2b}
      - {feature_view: v1, features: [conv], join_key_map: {driver_id: d}}
  - name: svc2
    features: [v1, v3]
$y$) WHERE action <> 'unchanged';
SELECT name, action, detail FROM apd($y$
project: apd
feature_services:
  - name: svc
    description: for the model
    tags: {model: m1}
    features:
      - {feature_view: v3, name: v2b}
      - {feature_view: v1, features: [conv], join_key_map: {driver_id: d}}
  - name: svc2
    features: [v3, v1]
$y$) WHERE action <> 'unchanged';
-- a view projected twice under one name: the projections are compared whole
SELECT name, action, detail FROM apd($y$
project: apd
feature_services:
  - name: svc
    description: for the model
    tags: {model: m1}
    features:
      - {feature_view: v3, name: v2b}
      - {feature_view: v1, features: [conv], join_key_map: {driver_id: d}}
  - name: svc2
    features: [v3, v3]
$y$) WHERE action <> 'unchanged';

-- The project: every key of feature_store.yaml; a moved online store moves
-- the online tables, which the views' rows say.
SELECT * FROM apd($y$
project: apd
project_description: features for the demo
provider: gcp
registry: {registry_type: sql}
online_store: {type: postgres, db_schema: apd_online2}
offline_store: {type: offline_store, db_schema: public}
batch_engine: {type: local}
materialization: {pull_latest_features: true}
auth: {type: no_auth}
entity_key_serialization_version: 2
coerce_tz_aware: false
$y$);

-- Deletions: a view with an online table says how many rows go; the
-- others lose no data and have no detail.
INSERT INTO apd_online2.apd_v1 (driver_id, rider2, conv8, conv, event_timestamp) VALUES (1, 10, 0.5, 0.5, '2024-01-01');
INSERT INTO apd_online2.apd_v3 (driver_id, conv, event_timestamp) VALUES (1, 0.5, '2024-01-01');
SELECT * FROM apd($y$
project: apd
online_store: {type: postgres, db_schema: apd_online2}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64, description: a driver, owner: ops, tags: {tier: "1"}}
sources:
  - {name: other, type: query, query: "SELECT driver_id, ts, conv, trips FROM public.apd_other", timestamp_field: ts}
feature_views:
  - {name: v3, entities: [driver], source: other, schema: [{name: conv, dtype: Float32}]}
feature_services: []
$y$);
SELECT * FROM apd($y$
project: apd
online_store: {type: postgres, db_schema: apd_online2}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
DELETE FROM feast.projects WHERE name = 'apd';
DROP SCHEMA apd_online, apd_online2;
DROP FUNCTION apd(text);
DROP TABLE public.apd_stats, public.apd_other;
