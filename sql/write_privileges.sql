-- The write paths as a role with only what they need: materialize reads
-- only the columns it needs (column-level SELECT is enough, a query
-- source's unrequested expressions are not evaluated), and push needs no
-- TEMP privilege (it creates no temporary table).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE ROLE regress_ofs_wp;
CREATE TABLE public.wp_stats (driver_id bigint, ts timestamptz, conv real, salary real);
CREATE TABLE public.wp_calc (driver_id bigint, ts timestamptz, conv real, num real, den real);
INSERT INTO public.wp_stats VALUES (1, '2024-01-01 10:00', 0.5, 1e6), (1, '2024-01-01 11:00', 0.6, 2e6),
	(2, '2024-01-01 10:00', 0.7, 3e6);
INSERT INTO public.wp_calc VALUES (1, '2024-01-01 10:00', 0.5, 1, 0), (2, '2024-01-01 10:00', 0.7, 1, 2);
-- only the columns the views use; salary is secret
GRANT SELECT (driver_id, ts, conv), INSERT (driver_id, ts, conv) ON public.wp_stats TO regress_ofs_wp;
GRANT SELECT ON public.wp_calc TO regress_ofs_wp;
-- what a role that applies and writes its own project is granted
GRANT EXECUTE ON FUNCTION feast_apply(text, boolean),
	feast_materialize(timestamptz, timestamptz, text[], text),
	feast_push(text, text, text, text) TO regress_ofs_wp;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA feast TO regress_ofs_wp;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA feast TO regress_ofs_wp;
CREATE SCHEMA wp_online AUTHORIZATION regress_ofs_wp;
-- no temporary tables for anyone here
DO $$BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END$$;

SET ROLE regress_ofs_wp;
SELECT has_database_privilege(current_database(), 'TEMPORARY') AS can_create_temp,
	   has_column_privilege('public.wp_stats', 'salary', 'SELECT') AS can_read_salary;
SELECT count(*) FROM feast_apply($y$
project: wp
online_store: {type: postgres, db_schema: wp_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: stats_src, type: table, table: public.wp_stats, timestamp_field: ts}
  - {name: stats_push, type: push, batch_source: stats_src}
  - {name: calc_src, type: query, query: "SELECT driver_id, ts, conv, num / den AS ratio FROM public.wp_calc", timestamp_field: ts}
feature_views:
  - {name: stats, entities: [driver], source: stats_push, schema: [{name: conv, dtype: Float32}]}
  - {name: calc, entities: [driver], source: calc_src, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: reading a column it may not read is refused
SELECT count(*) FROM public.wp_stats WHERE salary > 0;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', project => 'wp')
ORDER BY feature_view;
SELECT driver_id, conv, event_timestamp FROM wp_online.wp_stats ORDER BY driver_id;
SELECT driver_id, conv FROM wp_online.wp_calc ORDER BY driver_id;
-- error: the unrequested column divides by zero when it is read
SELECT ratio FROM (SELECT driver_id, ts, conv, num / den AS ratio FROM public.wp_calc) s;
-- push, online and offline, without TEMP
SELECT feast_push('stats_push', $$SELECT 3 AS driver_id, '2024-01-01 12:00+00'::timestamptz AS ts, 0.9 AS conv$$,
				  'online_and_offline', 'wp') AS pushed;
SELECT driver_id, conv FROM wp_online.wp_stats ORDER BY driver_id;
RESET ROLE;
SELECT driver_id, conv, salary FROM public.wp_stats WHERE driver_id = 3;

-- Clean up.
DO $$BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END$$;
SET ROLE regress_ofs_wp;
SELECT count(*) AS deleted FROM feast_apply($y$
project: wp
online_store: {type: postgres, db_schema: wp_online}
entities: []
sources: []
feature_views: []
$y$);
RESET ROLE;
DELETE FROM feast.materialization_runs WHERE project = 'wp';
DELETE FROM feast.projects WHERE name = 'wp';
DROP SCHEMA wp_online;
DROP TABLE public.wp_stats, public.wp_calc;
REVOKE ALL ON ALL TABLES IN SCHEMA feast FROM regress_ofs_wp;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA feast FROM regress_ofs_wp;
REVOKE ALL ON FUNCTION feast_apply(text, boolean),
	feast_materialize(timestamptz, timestamptz, text[], text),
	feast_push(text, text, text, text) FROM regress_ofs_wp;
DROP ROLE regress_ofs_wp;
