-- Unknown names: every function that looks a name up in the registry
-- (retrieval, online reads, materialization, push, pulls, the dump, apply)
-- ends its error with the closest names that exist ("Did you mean ...?"),
-- or the valid names when there are a few, and with no hint when there are
-- many and none is close.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- An error as SQLSTATE: message / HINT.
CREATE FUNCTION rh_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	hnt text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		hnt = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;

CREATE TABLE public.rh_stats (driver_id bigint, rider_id bigint, ts timestamptz, conv_rate real, acc_rate real, trips integer);
INSERT INTO public.rh_stats VALUES (1, 10, '2024-01-01', 0.5, 0.25, 3);

SELECT count(*) FROM feast_apply($y$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
  - {name: rider, join_keys: [rider_id], value_type: INT64}
sources:
  - {name: stats, type: table, table: public.rh_stats, timestamp_field: ts}
  - {name: stats_push, type: push, batch_source: stats}
feature_views:
  - name: driver_stats
    entities: [driver]
    source: stats_push
    schema:
      - {name: conv_rate, dtype: Float32}
      - {name: acc_rate, dtype: Float32}
      - {name: trips, dtype: Int32}
  - {name: rider_stats, entities: [rider], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v_one, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v_two, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v_three, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
  - {name: v_four, entities: [], source: stats, schema: [{name: trips, dtype: Int32}]}
feature_services:
  - {name: driver_svc, features: [driver_stats]}
  - {name: rider_svc, features: [rider_stats]}
$y$);

-- Retrieval: a feature view, a feature (one edit, a case difference, a tie
-- between two names), a feature service.
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['drivr_stats:conv_rate'], project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['driver_stats:conv_rat'], project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['driver_stats:Conv_Rate'], project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['driver_stats:xcc_rate'], project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	feature_service => 'driver_svv', project => 'rh_hints')$$);
-- two names one edit away
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['river_stats:trips'], project => 'rh_hints')$$);
-- far from every name: the valid names when there are a few ...
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['driver_stats:speed'], project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	feature_service => 'model', project => 'rh_hints')$$);
-- ... and no hint when there are many (six views)
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['zzzzzzzz:trips'], project => 'rh_hints')$$);
-- a close name among many
SELECT rh_err($$SELECT feast_historical_sql('SELECT 1::bigint AS driver_id, now() AS event_timestamp',
	ARRAY['v_thre:trips'], project => 'rh_hints')$$);

-- Online reads and materialization.
SELECT rh_err($$SELECT * FROM feast_online_features('SELECT 1::bigint AS driver_id',
	ARRAY['driver_stats:trip'], project => 'rh_hints') AS t(driver_id bigint, trips integer)$$);
SELECT rh_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['rider_stat'], 'rh_hints')$$);

-- Push: the push sources only.
SELECT rh_err($$SELECT feast_push('stats_psh', 'SELECT 1::bigint AS driver_id', project => 'rh_hints')$$);
SELECT rh_err($$SELECT feast_push('nothing', 'SELECT 1::bigint AS driver_id', project => 'rh_hints')$$);

-- Pulls: data sources and feature views.
SELECT rh_err($$SELECT * FROM feast_pull_latest('stats_pus', NULL, NULL, 'rh_hints') AS t(x int)$$);
SELECT rh_err($$SELECT * FROM feast_pull_all('rider_statz', project => 'rh_hints') AS t(x int)$$);

-- Projects: the dump, and every function through its project argument.
SELECT rh_err($$SELECT feast_registry_dump('rh_hint')$$);
SELECT rh_err($$SELECT feast_registry_dump('RH_HINTS')$$);
SELECT rh_err($$SELECT * FROM feast_materialize('2024-01-01', '2024-01-02', NULL, 'rh_hintz')$$);

-- Apply: references to entities, sources, views and features, batch
-- sources, join keys and columns.
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_views:
  - {name: x, entities: [drivers], source: stats, schema: [{name: trips, dtype: Int32}]}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_views:
  - {name: x, entities: [driver], source: stat, schema: [{name: trips, dtype: Int32}]}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_services:
  - {name: s, features: [{feature_view: driver_stat}]}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_services:
  - {name: s, features: [{feature_view: driver_stats, features: [conv_rate, accrate]}]}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_services:
  - {name: s, features: [{feature_view: driver_stats, join_key_map: {driverid: d}}]}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
sources:
  - {name: stats, type: table, table: public.rh_stats, timestamp_field: ts}
  - {name: stats_push, type: push, batch_source: stat}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
sources:
  - {name: stats, type: table, table: public.rh_stats, timestamp_field: timestamp}
  - {name: stats_push, type: push, batch_source: stats}
$$)$y$);
SELECT rh_err($y$SELECT * FROM feast_apply($$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
feature_views:
  - {name: x, entities: [driver], source: stats, schema: [{name: trip, dtype: Int32}]}
$$)$y$);

-- Nothing was written by the failed applies.
SELECT name FROM feast.feature_views WHERE project = 'rh_hints' ORDER BY name COLLATE "C";

SELECT count(*) FROM feast_apply($y$
project: rh_hints
online_store: {type: postgres, db_schema: rh_online}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
DELETE FROM feast.projects WHERE name = 'rh_hints';
DROP SCHEMA rh_online;
DROP FUNCTION rh_err(text);
DROP TABLE public.rh_stats;
