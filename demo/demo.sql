--
-- make demo: Feast's driver ranking quickstart, in PostgreSQL.
--
-- Run by scripts/demo.sh in a throwaway cluster (psql, ON_ERROR_STOP). Each
-- section checks that the functions it shows exist and says so when they do
-- not, so the demo runs on whatever part of offline_store is built.
--
\set ON_ERROR_STOP on
\pset null '(null)'
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

\echo
\echo '=== 1. The extension and the source data'
CREATE EXTENSION offline_store;
CREATE EXTENSION IF NOT EXISTS pg_cron;

-- What exists of the API.
SELECT to_regprocedure('feast_apply(text,boolean)') IS NOT NULL AS has_apply,
       to_regprocedure('feast_registry_dump(text)') IS NOT NULL AS has_dump,
       to_regprocedure('feast_historical(text,text[],text,boolean,text,boolean,timestamptz,timestamptz,timestamptz)') IS NOT NULL AS has_historical,
       to_regprocedure('feast_historical_sql(text,text[],text,boolean,text,boolean,timestamptz,timestamptz,timestamptz)') IS NOT NULL AS has_historical_sql,
       to_regprocedure('feast_materialize(timestamptz,timestamptz,text[],text)') IS NOT NULL AS has_materialize,
       to_regprocedure('feast_materialize_incremental(timestamptz,text[],text)') IS NOT NULL AS has_incremental,
       to_regprocedure('feast_online_features(text,text[],text,boolean,text)') IS NOT NULL AS has_online,
       to_regprocedure('feast_push(text,text,text,text)') IS NOT NULL AS has_push,
       to_regclass('feast.online_tables') IS NOT NULL AS has_online_tables
\gset

-- Hourly statistics of ten drivers over two weeks (3360 rows), as Feast's
-- quickstart generates them; the values are a deterministic pattern.
CREATE TABLE public.driver_hourly_stats (
	driver_id		bigint NOT NULL,
	event_timestamp	timestamptz NOT NULL,
	created			timestamptz NOT NULL,
	conv_rate		real,
	acc_rate		real,
	avg_daily_trips	bigint
);
INSERT INTO public.driver_hourly_stats
SELECT d, ts, ts + interval '5 minutes',
	   ((d * 7919 + h * 104729) % 1000) / 1000.0,
	   ((d * 104723 + h * 7907) % 1000) / 1000.0,
	   (d * 31 + h * 17) % 1000
FROM generate_series(1001, 1010) AS d,
	 generate_series(0, 335) AS h,
	 LATERAL (SELECT timestamptz '2026-10-18 00:00:00+00' + h * interval '1 hour' AS ts) AS t;
SELECT count(*) AS rows, count(DISTINCT driver_id) AS drivers,
	   min(event_timestamp) AS first, max(event_timestamp) AS last
FROM public.driver_hourly_stats;

\echo
\echo '=== 2. feast_apply: the feature repository (demo/feature_repo.yaml)'
\if :has_apply
\set repo `cat demo/feature_repo.yaml`
SELECT * FROM feast_apply(:'repo');
\echo 'applying the same document again changes nothing (dry run):'
SELECT * FROM feast_apply(:'repo', dry_run => true);
\else
\echo 'skipped: feast_apply is not built yet'
\endif

\echo
\echo '=== 3. The registry: plain tables in schema feast'
SELECT name, provider, online_schema, entity_key_serialization_version AS eksv
FROM feast.projects ORDER BY name;
SELECT project, name, join_key, value_type FROM feast.entities ORDER BY project, name;
SELECT project, name, type, coalesce(table_name, batch_source) AS reads,
	   timestamp_field, created_timestamp_column
FROM feast.data_sources ORDER BY project, name;
SELECT v.project, v.name, v.source, v.ttl, v.online,
	   (SELECT string_agg(f.name || ' ' || f.dtype, ', ' ORDER BY f.position)
		FROM feast.features f
		WHERE f.project = v.project AND f.feature_view = v.name) AS features
FROM feast.feature_views v ORDER BY v.project, v.name;
SELECT s.project, s.name AS feature_service, p.position, p.feature_view,
	   coalesce(array_to_string(p.features, ', '), '(all)') AS features
FROM feast.feature_services s
JOIN feast.feature_service_projections p
  ON p.project = s.project AND p.feature_service = s.name
ORDER BY s.project, s.name, p.position;

\if :has_online_tables
\echo 'the online tables feast_apply created:'
SELECT o.project, o.feature_view, o.schema_name || '.' || o.table_name AS online_table,
	   (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
		FROM pg_attribute a
		WHERE a.attrelid = to_regclass(format('%I.%I', o.schema_name, o.table_name))
		  AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM feast.online_tables o ORDER BY o.project, o.feature_view;
\endif

\if :has_dump
\echo 'feast_registry_dump: the project as YAML that feast_apply accepts'
\pset format unaligned
\pset tuples_only on
SELECT feast_registry_dump('driver_ranking');
\pset format aligned
\pset tuples_only off
\else
\echo 'skipped: feast_registry_dump is not built yet'
\endif

\echo
\echo '=== 4. A training set: point-in-time join (feast_historical)'
-- The entity rows: which driver, as of when. Driver 1004 is asked for a time
-- past the view's ttl (1 day) after its last row, driver 1042 does not exist.
CREATE TABLE public.demo_entity_rows (driver_id bigint, event_timestamp timestamptz, label int);
INSERT INTO public.demo_entity_rows VALUES
	(1001, '2026-10-25 12:30:00+00', 1),
	(1002, '2026-10-25 12:30:00+00', 0),
	(1003, '2026-10-31 23:59:00+00', 1),
	(1004, '2026-11-03 00:00:00+00', 0),
	(1042, '2026-10-25 12:30:00+00', 0);
\if :has_historical
SELECT * FROM feast_historical('public.demo_entity_rows',
		ARRAY['driver_hourly_stats:conv_rate', 'driver_hourly_stats:acc_rate',
			  'driver_hourly_stats:avg_daily_trips'])
	AS t(driver_id bigint, event_timestamp timestamptz, label int,
		 conv_rate real, acc_rate real, avg_daily_trips bigint)
ORDER BY driver_id;
-- the source rows they come from (the newest at or before each timestamp)
SELECT DISTINCT ON (e.driver_id) e.driver_id, s.event_timestamp AS source_row_at, s.conv_rate
FROM public.demo_entity_rows e
JOIN public.driver_hourly_stats s
  ON s.driver_id = e.driver_id AND s.event_timestamp <= e.event_timestamp
 AND s.event_timestamp > e.event_timestamp - interval '1 day'
ORDER BY e.driver_id, s.event_timestamp DESC;
\if :has_historical_sql
\echo 'the same through a feature service, as SQL (feast_historical_sql):'
\pset format unaligned
\pset tuples_only on
SELECT feast_historical_sql('public.demo_entity_rows', feature_service => 'driver_activity_v2',
							full_feature_names => true);
\pset format aligned
\pset tuples_only off
\endif
\else
\echo 'skipped: feast_historical is not built yet'
\endif

\echo
\echo '=== 5. Materialization into the online table (feast_materialize)'
\if :has_materialize
SELECT * FROM feast_materialize('2026-10-18 00:00:00+00', '2026-11-01 00:00:00+00');
SELECT project, feature_view, start_date, end_date FROM feast.materialization_intervals
ORDER BY project, feature_view, end_date;
SELECT feature_view, rows_written FROM feast.materialization_runs ORDER BY run_id;
SELECT count(*) AS online_rows FROM feast_online.driver_ranking_driver_hourly_stats;
\else
\echo 'skipped: feast_materialize is not built yet'
\endif

\echo
\echo '=== 6. Online features (feast_online_features)'
\if :has_online
SELECT * FROM feast_online_features(
		'SELECT driver_id FROM (VALUES (1001::bigint), (1002::bigint), (1042::bigint)) AS e(driver_id)',
		ARRAY['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'])
	AS t(driver_id bigint, conv_rate real, avg_daily_trips bigint)
ORDER BY driver_id;
\else
\echo 'skipped: feast_online_features is not built yet'
\endif

\echo
\echo '=== 7. Push a fresh row, read it back online (feast_push)'
\if :has_push
SELECT feast_push('driver_stats_push_source',
		$$SELECT 1001::bigint AS driver_id, timestamptz '2026-11-01 00:30:00+00' AS event_timestamp,
				 timestamptz '2026-11-01 00:30:05+00' AS created, 0.999::real AS conv_rate,
				 0.5::real AS acc_rate, 77::bigint AS avg_daily_trips$$,
		'online') AS rows_pushed;
\if :has_online
SELECT * FROM feast_online_features(
		'SELECT 1001::bigint AS driver_id',
		ARRAY['driver_hourly_stats:conv_rate', 'driver_hourly_stats:avg_daily_trips'])
	AS t(driver_id bigint, conv_rate real, avg_daily_trips bigint);
\endif
\else
\echo 'skipped: feast_push is not built yet'
\endif

\echo
\echo '=== 8. Scheduling with pg_cron'
-- one job per project: each online view materialized incrementally in a
-- transaction of its own, failures recorded in feast.materialization_runs
SELECT feast_schedule('*/15 * * * *', 'driver_ranking') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job ORDER BY jobid;
SELECT feature_view, materialized_until IS NOT NULL AS materialized, last_status
FROM feast.feature_view_freshness WHERE project = 'driver_ranking' ORDER BY feature_view;
SELECT feast_unschedule('driver_ranking') AS unscheduled;

\echo
\echo '=== done'
