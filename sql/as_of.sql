--
-- as_of: reproducible training sets (API.md, "Reproducible training sets:
-- as_of"). With as_of, only source rows with created <= as_of exist for the
-- call, a row whose created is NULL counting as created at its timestamp:
-- for the point-in-time features, the aggregations, the entity rows of an
-- entity-less retrieval, in feast_historical, _sql, training views and
-- feast_persist. Checked by hand, then against a LATERAL reference with
-- the created filter on random data.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE ao_stats (driver_id int, ts timestamptz, created timestamptz, conv real);
-- what was known on Feb 1: a value for Jan 10 (and one without created,
-- for Jan 20); what arrived later: a correction of Jan 10 (same ts, created
-- Feb 5), a late row for Jan 25 (created Feb 3), and a row without created
-- for Feb 2, after the moment
INSERT INTO ao_stats VALUES
	(1, '2024-01-10', '2024-01-10', 0.10),
	(1, '2024-01-20', NULL, 0.20),
	(1, '2024-01-10', '2024-02-05', 0.11),
	(1, '2024-01-25', '2024-02-03', 0.25),
	(1, '2024-02-02', NULL, 0.30);
CREATE TABLE ao_plain (driver_id int, ts timestamptz, conv real);	-- no created column
INSERT INTO ao_plain VALUES (1, '2024-01-10', 0.10), (1, '2024-02-02', 0.30);

SELECT object_type, name, action FROM feast_apply($y$
project: ao
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT32}
sources:
  - {name: stats, type: table, table: public.ao_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: plain, type: table, table: public.ao_plain, timestamp_field: ts}
feature_views:
  - name: v
    entities: [driver]
    source: stats
    schema: [{name: conv, dtype: Float32}]
    aggregations:
      - {column: conv, function: count, time_window: 30d}
      - {column: conv, function: sum, time_window: 30d}
  - name: p
    entities: [driver]
    source: plain
    schema: [{name: conv, dtype: Float32}]
$y$) ORDER BY 1, 2;

CREATE TABLE ao_labels (driver_id int, event_timestamp timestamptz);
INSERT INTO ao_labels VALUES (1, '2024-01-15'), (1, '2024-01-31'), (1, '2024-02-10');

-- Today: Jan 15 sees the correction (0.11 wins the tie on ts by created);
-- Jan 31 the late Jan 25 row; Feb 10 the Feb 2 row. The 30-day counts
-- take every row: Jan 15: both Jan 10 rows; Jan 31: those, Jan 20, Jan 25.
SELECT * FROM feast_historical('ao_labels', ARRAY['v:conv', 'v:count_conv', 'v:sum_conv'], project => 'ao')
	AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint, sum_conv real)
ORDER BY 2;
-- As of Feb 1: the correction, the late row and the Feb 2 row do not
-- exist: Jan 15 has 0.10 and a count of 1, Jan 31 has 0.20 (created at its
-- ts, Jan 20) and 2, Feb 10 still 0.20 and 1 (Jan 10 left its window)
SELECT * FROM feast_historical('ao_labels', ARRAY['v:conv', 'v:count_conv', 'v:sum_conv'], project => 'ao',
							   as_of => '2024-02-01')
	AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint, sum_conv real)
ORDER BY 2;
-- as_of at exactly a row's created includes it (created <= as_of); a
-- microsecond before leaves it out: Jan 31 sees the late Jan 25 row as of
-- Feb 3, not as of a microsecond earlier
SELECT a AS as_of, conv, count_conv
FROM (VALUES (timestamptz '2024-02-03'), (timestamptz '2024-02-02 23:59:59.999999')) AS x(a),
	 LATERAL feast_historical('SELECT * FROM ao_labels WHERE event_timestamp = ''2024-01-31''',
							  ARRAY['v:conv', 'v:count_conv'], project => 'ao', as_of => a)
	AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint)
ORDER BY 1;
-- With filter_by_created_timestamp too: created <= t as well (a NULL
-- created out): Jan 31 then has only Jan 10's 0.10
SELECT * FROM feast_historical('ao_labels', ARRAY['v:conv', 'v:count_conv'], project => 'ao',
							   as_of => '2024-02-01', filter_by_created_timestamp => true)
	AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint)
ORDER BY 2;
-- A source without a created column: rows count as created at their ts
SELECT * FROM feast_historical('ao_labels', ARRAY['p:conv'], project => 'ao', as_of => '2024-02-01')
	AS t(driver_id int, event_timestamp timestamptz, conv real)
ORDER BY 2;
-- An entity-less retrieval: only the sources' rows known by then give
-- entity rows (the Feb 2 row and the late Jan 25 row do not)
SELECT * FROM feast_historical(NULL, ARRAY['v:conv'], project => 'ao', start_date => '2024-01-01',
							   end_date => '2024-02-28', as_of => '2024-02-01')
	AS t(event_timestamp timestamptz, driver_id int, conv real)
ORDER BY 1;

-- The query, a training view and a persisted set keep as_of
SELECT feast_historical_sql('ao_labels', ARRAY['v:conv'], project => 'ao', as_of => '2024-02-01');
SELECT feast_create_training_view('ao_view', 'ao_labels', ARRAY['v:conv', 'v:count_conv'], project => 'ao',
								  as_of => '2024-02-01');
SELECT feast_persist('ao_saved', 'ao_labels', ARRAY['v:conv', 'v:count_conv'], project => 'ao',
					 as_of => '2024-02-01');
SELECT name, as_of FROM feast.saved_datasets WHERE project = 'ao';
SELECT relid, as_of FROM feast.training_views WHERE project = 'ao';
-- rebuilding the training set of Feb 1 after more corrections arrive (with
-- their created timestamps: a row without one counts as known at its ts):
-- the same rows, in the view, the saved table and a new call
INSERT INTO ao_stats VALUES (1, '2024-01-14', '2024-02-07', 0.14), (1, '2024-01-30', '2024-02-08', 0.29);
SELECT (SELECT count(*) FROM ao_view) AS view_rows,
	   (SELECT count(*) FROM ((TABLE ao_view EXCEPT ALL TABLE ao_saved)
							  UNION ALL (TABLE ao_saved EXCEPT ALL TABLE ao_view)) d) AS view_vs_saved,
	   (SELECT count(*) FROM ((TABLE ao_saved EXCEPT ALL
							   SELECT * FROM feast_historical('ao_labels', ARRAY['v:conv', 'v:count_conv'],
															  project => 'ao', as_of => '2024-02-01')
									AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint))) d)
	   AS saved_vs_call;
-- ... while without as_of the new rows show: Jan 14 for Jan 15, Jan 30 for
-- Jan 31 (and in the counts)
SELECT * FROM feast_historical('ao_labels', ARRAY['v:conv', 'v:count_conv'], project => 'ao')
	AS t(driver_id int, event_timestamp timestamptz, conv real, count_conv bigint)
ORDER BY 2;
DROP VIEW ao_view;
DROP TABLE ao_saved;

---------------------------------------------------------------------------
-- Random data against a LATERAL reference with the created filter
---------------------------------------------------------------------------
CREATE TABLE ao_src (rid int, k int, ts timestamptz, created timestamptz, v int);
CREATE TABLE ao_ent (eid int, k int, event_timestamp timestamptz);
SELECT object_type, name, action FROM feast_apply($y$
project: ao
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT32}
  - {name: kk, join_keys: [k], value_type: INT32}
sources:
  - {name: stats, type: table, table: public.ao_stats, timestamp_field: ts, created_timestamp_column: created}
  - {name: plain, type: table, table: public.ao_plain, timestamp_field: ts}
  - {name: rnd, type: table, table: public.ao_src, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: r
    entities: [kk]
    source: rnd
    ttl: 3h
    schema: [{name: rid, dtype: Int32}]
    aggregations:
      - {column: v, function: sum, time_window: 2h}
      - {column: v, function: max, time_window: 1h}
$y$) ORDER BY 1, 2;

CREATE FUNCTION ao_round(seed float8, filter boolean)
RETURNS TABLE (as_of timestamptz, entity_rows bigint, answered bigint, bad_feature bigint,
			   bad_sum bigint, bad_max bigint, as_of_matters boolean)
LANGUAGE plpgsql AS $$
DECLARE
	a timestamptz;
BEGIN
	PERFORM setseed(seed);
	TRUNCATE ao_src, ao_ent;
	INSERT INTO ao_src
		SELECT g, floor(random() * 4)::int,
			   timestamptz '2024-01-01' + floor(random() * 48) * interval '15 minutes',
			   NULL, floor(random() * 100)::int
		FROM generate_series(1, 400) g;
	-- created: NULL, or a while after ts (late rows), exactly ts, or ties
	UPDATE ao_src SET created = CASE WHEN random() < 0.25 THEN NULL
									 ELSE ts + floor(random() * 16) * interval '15 minutes' END;
	INSERT INTO ao_ent
		SELECT g, floor(random() * 5)::int,
			   timestamptz '2024-01-01' + floor(random() * 60) * interval '12 minutes'
		FROM generate_series(1, 200) g;
	FOREACH a IN ARRAY ARRAY[timestamptz '2024-01-01 04:00', '2024-01-01 08:30', '2024-01-01 12:00']
	LOOP
		RETURN QUERY
		WITH ours AS (
			SELECT * FROM feast_historical('ao_ent', ARRAY['r:rid', 'r:sum_v', 'r:max_v'], project => 'ao',
										   as_of => a, filter_by_created_timestamp => filter)
				AS t(eid int, k int, event_timestamp timestamptz, rid int, sum_v bigint, max_v int)),
		known AS (SELECT * FROM ao_src s WHERE coalesce(s.created, s.ts) <= a),
		ref AS (
			SELECT e.eid,
				   (SELECT s.ts FROM known s WHERE s.k = e.k AND s.ts <= e.event_timestamp
						AND s.ts >= e.event_timestamp - interval '3 hours'
						AND (NOT filter OR s.created <= e.event_timestamp)
					ORDER BY s.ts DESC, s.created DESC NULLS LAST LIMIT 1) AS win_ts,
				   (SELECT s.created FROM known s WHERE s.k = e.k AND s.ts <= e.event_timestamp
						AND s.ts >= e.event_timestamp - interval '3 hours'
						AND (NOT filter OR s.created <= e.event_timestamp)
					ORDER BY s.ts DESC, s.created DESC NULLS LAST LIMIT 1) AS win_created,
				   (SELECT sum(s.v) FROM known s WHERE s.k = e.k AND s.ts > e.event_timestamp - interval '2 hours'
						AND s.ts <= e.event_timestamp AND (NOT filter OR s.created <= e.event_timestamp)) AS sum_v,
				   (SELECT max(s.v) FROM known s WHERE s.k = e.k AND s.ts > e.event_timestamp - interval '1 hour'
						AND s.ts <= e.event_timestamp AND (NOT filter OR s.created <= e.event_timestamp)) AS max_v,
				   (SELECT sum(s.v) FROM ao_src s WHERE s.k = e.k AND s.ts > e.event_timestamp - interval '2 hours'
						AND s.ts <= e.event_timestamp AND (NOT filter OR s.created <= e.event_timestamp)) AS sum_all
			FROM ao_ent e)
		SELECT a, count(*), count(o.rid),
			   -- the feature: a row of the winning (ts, created), or NULL when none
			   count(*) FILTER (WHERE CASE WHEN r.win_ts IS NULL THEN o.rid IS NOT NULL
										   ELSE NOT EXISTS (SELECT 1 FROM known s WHERE s.rid = o.rid AND s.ts = r.win_ts
															AND s.created IS NOT DISTINCT FROM r.win_created) END),
			   count(*) FILTER (WHERE o.sum_v IS DISTINCT FROM r.sum_v),
			   count(*) FILTER (WHERE o.max_v IS DISTINCT FROM r.max_v),
			   count(*) FILTER (WHERE r.sum_v IS DISTINCT FROM r.sum_all) > 0
		FROM ours o JOIN ref r USING (eid);
	END LOOP;
END
$$;

SELECT s.seed, s.filter, r.*
FROM (VALUES (0.1::float8, false), (0.2, true), (0.3, false)) AS s(seed, filter),
	 LATERAL ao_round(s.seed, s.filter) r
ORDER BY 1, 3;

DROP FUNCTION ao_round(float8, boolean);
DELETE FROM feast.projects WHERE name = 'ao';
DROP TABLE ao_stats, ao_plain, ao_labels, ao_src, ao_ent;
