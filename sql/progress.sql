-- Progress of long calls: feast_historical and materialization report their
-- phase and counts (rows read of the estimated total, percent) at most every
-- offline_store.progress_interval, at offline_store.progress_messages
-- (test/isolation/specs/progress.spec shows what other sessions see in
-- pg_stat_activity). Here the interval is 0, so that every check reports
-- (every 4096 rows, and at every phase change) and the output is
-- deterministic: tables analyzed whole, windows covering every row.
-- (test/postgresql.conf turns the messages off for the other tests.)
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
SET offline_store.progress_messages = notice;

CREATE TABLE public.prg_src (driver_id bigint, ts timestamptz, v integer);
INSERT INTO public.prg_src
SELECT i % 100, '2024-01-01'::timestamptz + i * interval '1 minute', i
FROM generate_series(1, 10000) i;
CREATE TABLE public.prg_ent (driver_id bigint, event_timestamp timestamptz);
INSERT INTO public.prg_ent
SELECT i % 100, '2024-01-01'::timestamptz + i * interval '2 minutes'
FROM generate_series(1, 5000) i;
ANALYZE public.prg_src, public.prg_ent;

SELECT count(*) AS objects FROM feast_apply($y$
project: prg
online_store: {type: postgres, db_schema: prg_online}
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64}
sources:
  - {name: src, type: table, table: public.prg_src, timestamp_field: ts}
  - {name: q, type: query, query: "SELECT driver_id, ts, v + 1 AS w FROM public.prg_src", timestamp_field: ts}
feature_views:
  - {name: v, entities: [driver], source: src, schema: [{name: v, dtype: Int32}]}
  - {name: w, entities: [driver], source: q, online: false, schema: [{name: w, dtype: Int32}]}
$y$);

-- The defaults: every 5 s, at NOTICE. Short calls report nothing.
SELECT name, boot_val, unit FROM pg_catalog.pg_settings
WHERE name LIKE 'offline\_store.progress\_%' ORDER BY name COLLATE "C";
SET offline_store.progress_interval = '5s';
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['v:v'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, v integer);

SET offline_store.progress_interval = 0;
-- A table source read directly (ttl 0: the window has only an upper bound,
-- so every row of the table is read; its estimated size is the total).
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['v:v'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, v integer);
-- A query source goes through the executor: the total is the plan's
-- estimate of the rows in the window.
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['w:w'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, w integer);
-- The table source with offline_store.direct_scan off: the executor.
SET offline_store.direct_scan = off;
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['v:v'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, v integer);
RESET offline_store.direct_scan;
-- Row-level security: the executor, whatever the policy (even one that
-- lets every row through).
CREATE ROLE regress_prg_reader;
GRANT SELECT ON public.prg_src, public.prg_ent TO regress_prg_reader;
ALTER TABLE public.prg_src ENABLE ROW LEVEL SECURITY;
CREATE POLICY prg_all ON public.prg_src USING (true);
SET ROLE regress_prg_reader;
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['v:v'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, v integer);
RESET ROLE;
DROP POLICY prg_all ON public.prg_src;
ALTER TABLE public.prg_src DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.prg_src, public.prg_ent FROM regress_prg_reader;
DROP ROLE regress_prg_reader;

-- Materialization: rows read of the rows estimated in the window, then keys
-- written.
SELECT feature_view, rows_written
FROM feast_materialize('2024-01-01', '2024-02-01', ARRAY['v'], 'prg');

-- The level of the messages, or none.
SET offline_store.progress_messages = info;
SELECT feature_view, rows_written
FROM feast_materialize('2024-01-01', '2024-02-01', ARRAY['v'], 'prg');
SET offline_store.progress_messages = off;
SELECT feature_view, rows_written
FROM feast_materialize('2024-01-01', '2024-02-01', ARRAY['v'], 'prg');
SET offline_store.progress_messages = notice;
-- -1: no reports at all
SET offline_store.progress_interval = -1;
SELECT count(*) FROM feast_historical('public.prg_ent', ARRAY['v:v'], project => 'prg')
	AS t(driver_id bigint, event_timestamp timestamptz, v integer);
-- error: not a level
SET offline_store.progress_messages = warning;
-- error: below -1
SET offline_store.progress_interval = -2;
RESET offline_store.progress_interval;

-- Clean up.
SELECT count(*) AS deleted FROM feast_apply($y$
project: prg
online_store: {type: postgres, db_schema: prg_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'prg';
DELETE FROM feast.materialization_intervals WHERE project = 'prg';
DELETE FROM feast.projects WHERE name = 'prg';
DROP SCHEMA prg_online;
DROP TABLE public.prg_src, public.prg_ent;
