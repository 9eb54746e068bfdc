-- How materialization writes the online table. Into an empty online table
-- it inserts (no ON CONFLICT), holding the table SHARE ROW EXCLUSIVE so
-- that no other writer can add a key meanwhile: directly, as COPY does
-- ("direct insert", with offline_store.direct_scan), unless the table has
-- a default, constraint or conversion to apply, else by an INSERT; into a
-- table with rows it upserts, newest wins, under row locks only. All
-- behave as the upsert would: the same privileges are needed (SELECT on
-- the columns the newest-wins rule reads), and a table with triggers or
-- row-level security is always upserted (an upsert fires UPDATE statement
-- triggers and applies SELECT policies to new rows, which an INSERT does
-- not). Winners are written in key order, in batches of 10000 keys.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE public.mw_src (driver_id bigint, ts timestamptz, v integer);
CREATE TABLE public.mw_small (driver_id bigint, ts timestamptz, v integer, note varchar(10));
INSERT INTO public.mw_small VALUES (1, '2024-01-01 10:00+00', 1, 'a'), (2, '2024-01-01 10:00+00', 2, NULL),
	(3, '2024-01-01 10:00+00', 3, 'c'), (3, '2024-01-01 09:00+00', 4, 'd');
ANALYZE public.mw_small;
INSERT INTO public.mw_src
SELECT g % 12000, '2024-01-01 00:00+00'::timestamptz + g * interval '1 second', g
FROM generate_series(1, 24000) g;
SELECT count(*) AS objects FROM feast_apply($y$
project: mw
online_store: {type: postgres, db_schema: mw_online}
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources:
  - {name: src, type: table, table: public.mw_src, timestamp_field: ts}
  - {name: small_src, type: table, table: public.mw_small, timestamp_field: ts}
feature_views:
  - {name: v, entities: [driver], source: src, schema: [{name: v, dtype: Int32}]}
  - {name: small, entities: [driver], source: small_src, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
$y$);

-- The locks a materialization leaves on the online table until it commits.
CREATE FUNCTION public.mw_locks() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(mode, ', ' ORDER BY mode) FROM pg_locks
	WHERE relation = 'mw_online.mw_v'::regclass AND pid = pg_backend_pid()
$$;

-- into the empty table: inserted, the table locked SHARE ROW EXCLUSIVE
BEGIN;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
SELECT public.mw_locks() AS locks;
COMMIT;
SELECT count(*) AS online_rows, min(v), max(v), sum(v) FROM mw_online.mw_v;
-- into the full table: upserted (every key again, newest wins: equal rows
-- are rewritten), row locks only
BEGIN;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
SELECT public.mw_locks() AS locks;
COMMIT;
-- an older window changes nothing, a newer one what is newer
INSERT INTO public.mw_src VALUES (7, '2023-12-31 12:00+00', -1), (8, '2024-01-03 00:00+00', -2);
SELECT feature_view, rows_written FROM feast_materialize('2023-12-31', '2024-01-04', ARRAY['v'], 'mw');
SELECT driver_id, v FROM mw_online.mw_v WHERE driver_id IN (7, 8) ORDER BY driver_id;
-- a table whose rows are all deleted is empty again
DELETE FROM mw_online.mw_v;
BEGIN;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
SELECT public.mw_locks() AS locks;
COMMIT;

-- a SERIALIZABLE transaction upserts, also into an empty table (its
-- predicate locks are the upsert's)
TRUNCATE mw_online.mw_v;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
SELECT public.mw_locks() AS locks;
COMMIT;

-- How the winners are written, as the progress messages say: into the
-- empty table, directly ("direct insert"; the varchar feature is stored
-- in the online table's text column as it is); with direct_scan off, by
-- an INSERT; into the full table, by the upsert.
SET offline_store.progress_messages = info;
SET offline_store.progress_interval = 0;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
SELECT driver_id, v, note, event_timestamp FROM mw_online.mw_small ORDER BY driver_id;
TRUNCATE mw_online.mw_small;
SET offline_store.direct_scan = off;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
RESET offline_store.direct_scan;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
-- A default, a constraint or a conversion to apply: an INSERT, which
-- applies them. A column materialization does not fill gets its default:
TRUNCATE mw_online.mw_small;
ALTER TABLE mw_online.mw_small ADD COLUMN extra integer DEFAULT 42;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
SELECT driver_id, v, extra FROM mw_online.mw_small ORDER BY driver_id;
ALTER TABLE mw_online.mw_small DROP COLUMN extra;
-- error: a CHECK constraint is checked
TRUNCATE mw_online.mw_small;
ALTER TABLE mw_online.mw_small ADD CONSTRAINT mw_small_v CHECK (v < 3);
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
ALTER TABLE mw_online.mw_small DROP CONSTRAINT mw_small_v;
-- error: a NOT NULL feature column is checked
ALTER TABLE mw_online.mw_small ALTER COLUMN note SET NOT NULL;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
ALTER TABLE mw_online.mw_small ALTER COLUMN note DROP NOT NULL;
-- error: a value the online column's type must check (varchar(1))
ALTER TABLE mw_online.mw_small ALTER COLUMN note TYPE varchar(1);
UPDATE public.mw_small SET note = 'cc' WHERE v = 3;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['small'], 'mw');
SELECT count(*) AS online_rows FROM mw_online.mw_small;

-- A view with aggregations: its aggregated columns are no source column,
-- so the winners leave them out (NULL in a first materialization: the
-- direct insert is still made, a column without a default is one an
-- INSERT leaves NULL), and one statement then sets them as of end_date for
-- every key, in the same transaction: right after a first materialization
-- into the empty table and after an incremental upsert into the full one.
-- (the online table of "small" gets its column type back)
SELECT object_type, name, action, detail FROM feast_apply($y$
project: mw
online_store: {type: postgres, db_schema: mw_online}
sources:
  - {name: src, type: table, table: public.mw_src, timestamp_field: ts}
  - {name: small_src, type: table, table: public.mw_small, timestamp_field: ts}
  - {name: small_push, type: push, batch_source: small_src}
feature_views:
  - {name: v, entities: [driver], source: src, schema: [{name: v, dtype: Int32}]}
  - {name: small, entities: [driver], source: small_src, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - name: agg
    entities: [driver]
    source: small_push
    schema: [{name: v, dtype: Int32}]
    aggregations:
      - {column: v, function: sum, time_window: 1d}
      - {column: v, function: count, time_window: 1h, name: v_1h}
$y$) WHERE action <> 'unchanged' ORDER BY 1, 2;
-- as of 10:30, the day holds every row (driver 3: 3 and 4), the hour the
-- rows of 10:00
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-01 10:30', ARRAY['agg'], 'mw');
SELECT driver_id, v, sum_v, v_1h, event_timestamp FROM mw_online.mw_agg ORDER BY driver_id;
-- later rows: driver 1 at 11:00, a new driver 4; as of 11:30 the hour
-- holds those only
INSERT INTO public.mw_small VALUES (1, '2024-01-01 11:00+00', 10, 'x'), (4, '2024-01-01 11:00+00', 40, 'y');
SELECT feature_view, rows_written FROM feast_materialize_incremental('2024-01-01 11:30', ARRAY['agg'], 'mw');
SELECT driver_id, v, sum_v, v_1h, event_timestamp FROM mw_online.mw_agg ORDER BY driver_id;
RESET offline_store.progress_messages;
RESET offline_store.progress_interval;
-- the same as feast_historical as of 11:30
SELECT count(*) AS keys, count(*) FILTER (WHERE (o.v, o.sum_v, o.v_1h) IS DISTINCT FROM (h.v, h.sum_v, h.v_1h)) AS differ
FROM mw_online.mw_agg o
JOIN feast_historical($$SELECT driver_id, timestamptz '2024-01-01 11:30+00' AS ts FROM mw_online.mw_agg$$,
					  ARRAY['agg:v', 'agg:sum_v', 'agg:v_1h'], project => 'mw')
	AS h(driver_id bigint, ts timestamptz, v integer, sum_v bigint, v_1h bigint) USING (driver_id);
-- a push writes the schema's features only (the aggregated ones change
-- with the next materialization)
SELECT feast_push('small_push', $$SELECT 2::bigint AS driver_id, timestamptz '2024-01-01 11:40+00' AS ts, 20 AS v$$,
				  project => 'mw') AS pushed;
SELECT driver_id, v, sum_v, v_1h, event_timestamp FROM mw_online.mw_agg ORDER BY driver_id;

-- Triggers: the online table is upserted even when empty (its UPDATE
-- statement trigger fires, as for an upsert, once per batch of 10000
-- keys, as its INSERT statement trigger).
CREATE TABLE public.mw_fired (what text, n bigint);
CREATE FUNCTION public.mw_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE public.mw_fired SET n = n + 1 WHERE what = TG_LEVEL || ' ' || TG_OP;
	IF NOT FOUND THEN
		INSERT INTO public.mw_fired VALUES (TG_LEVEL || ' ' || TG_OP, 1);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER mw_upd AFTER UPDATE ON mw_online.mw_v FOR EACH STATEMENT EXECUTE FUNCTION public.mw_count();
CREATE TRIGGER mw_ins AFTER INSERT ON mw_online.mw_v FOR EACH STATEMENT EXECUTE FUNCTION public.mw_count();
TRUNCATE mw_online.mw_v;
BEGIN;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
SELECT public.mw_locks() AS locks;
COMMIT;
SELECT what, n FROM public.mw_fired ORDER BY what;
DROP TRIGGER mw_upd ON mw_online.mw_v;
DROP TRIGGER mw_ins ON mw_online.mw_v;

-- The privileges of the upsert, also into an empty table: SELECT on the
-- columns an INSERT ... ON CONFLICT DO UPDATE reads (the key, the columns
-- it sets, the timestamps the newest-wins rule compares). The writer is a member of the
-- project's owner role (so it may materialize) that does not inherit its
-- privileges (so it has only those granted to it, and row-level security
-- applies to it).
CREATE ROLE regress_mw_owner;
CREATE ROLE regress_mw_writer NOINHERIT IN ROLE regress_mw_owner;
GRANT EXECUTE ON FUNCTION feast_materialize(timestamptz, timestamptz, text[], text) TO regress_mw_writer;
GRANT SELECT ON public.mw_src TO regress_mw_writer;
GRANT USAGE ON SCHEMA mw_online TO regress_mw_writer;
GRANT INSERT, UPDATE ON mw_online.mw_v TO regress_mw_writer;
GRANT INSERT ON feast.materialization_intervals, feast.materialization_runs TO regress_mw_writer;
GRANT USAGE ON SEQUENCE feast.materialization_runs_run_id_seq TO regress_mw_writer;
UPDATE feast.projects SET owner = 'regress_mw_owner' WHERE name = 'mw';
TRUNCATE mw_online.mw_v;
SET ROLE regress_mw_writer;
-- error: no SELECT on the online table
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
RESET ROLE;
GRANT SELECT ON mw_online.mw_v TO regress_mw_writer;
SET ROLE regress_mw_writer;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
RESET ROLE;

-- Row-level security on the online table: upserted even when empty, so
-- SELECT policies apply to the new rows as for an upsert.
TRUNCATE mw_online.mw_v;
ALTER TABLE mw_online.mw_v ENABLE ROW LEVEL SECURITY;
CREATE POLICY mw_see ON mw_online.mw_v FOR SELECT USING (driver_id < 100);
CREATE POLICY mw_add ON mw_online.mw_v FOR INSERT WITH CHECK (true);
CREATE POLICY mw_change ON mw_online.mw_v FOR UPDATE USING (true);
SET ROLE regress_mw_writer;
-- error: a new row it could not see
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
RESET ROLE;
SELECT count(*) AS online_rows FROM mw_online.mw_v;
DELETE FROM public.mw_src WHERE driver_id >= 100;
SET ROLE regress_mw_writer;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['v'], 'mw');
RESET ROLE;
SELECT count(*) AS online_rows FROM mw_online.mw_v;

-- Clean up.
UPDATE feast.projects SET owner = current_user::text::regrole WHERE name = 'mw';
SELECT count(*) AS deleted FROM feast_apply($y$
project: mw
online_store: {type: postgres, db_schema: mw_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'mw';
DELETE FROM feast.materialization_intervals WHERE project = 'mw';
DELETE FROM feast.projects WHERE name = 'mw';
DROP SCHEMA mw_online;
REVOKE ALL ON feast.materialization_intervals, feast.materialization_runs FROM regress_mw_writer;
REVOKE ALL ON SEQUENCE feast.materialization_runs_run_id_seq FROM regress_mw_writer;
REVOKE ALL ON FUNCTION feast_materialize(timestamptz, timestamptz, text[], text) FROM regress_mw_writer;
REVOKE ALL ON public.mw_src FROM regress_mw_writer;
DROP ROLE regress_mw_writer, regress_mw_owner;
DROP FUNCTION public.mw_locks(), public.mw_count();
DROP TABLE public.mw_src, public.mw_small, public.mw_fired;
