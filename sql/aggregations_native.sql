--
-- aggregations_native: the aggregates pit_agg.c computes natively (count;
-- sum, avg, stddev_samp, min and max of double precision; min and max of
-- real, smallint, integer and bigint) give exactly what their support
-- functions give (offline_store.native_aggregates off), to the bit: random
-- floats whose sums round (so that any other order of additions shows),
-- -0 and 0 (min and max keep the one their function keeps), NaN and
-- infinities, NULL values, many entity rows per key (answers combine many
-- nodes), several windows. Both ways raise the same overflow errors, in a
-- transition and in a combination (avg: also when only Sxx overflows).
-- Rows are compared as text with extra_float_digits = 3 (every bit of a
-- float but NaN's payload). Prints only counts.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 3;

CREATE TABLE an_src (k int, ts timestamptz, vf float8, vx float8, vr real, vs smallint,
					 vi int, vl bigint);
CREATE TABLE an_ent (eid int, k int, event_timestamp timestamptz);

SELECT object_type, name, action FROM feast_apply($$
project: an
entities:
  - {name: e, join_keys: [k], value_type: INT32}
sources:
  - {name: s, type: table, table: public.an_src, timestamp_field: ts}
feature_views:
  - name: an_v
    entities: [e]
    source: s
    aggregations:
      - {column: vf, function: sum, time_window: 2h}
      - {column: vf, function: mean, time_window: 1d}
      - {column: vf, function: stddev, time_window: 6h}
      - {column: vf, function: min, time_window: 2h}
      - {column: vf, function: max, time_window: 1d}
      - {column: vf, function: count, time_window: 2h}
      - {column: vx, function: sum, time_window: 6h}
      - {column: vx, function: mean, time_window: 2h}
      - {column: vx, function: stddev, time_window: 1d}
      - {column: vx, function: min, time_window: 6h}
      - {column: vx, function: max, time_window: 2h}
      - {column: vr, function: min, time_window: 6h}
      - {column: vr, function: max, time_window: 2h}
      - {column: vr, function: sum, time_window: 6h}
      - {column: vs, function: min, time_window: 1d}
      - {column: vs, function: max, time_window: 2h}
      - {column: vi, function: min, time_window: 6h}
      - {column: vi, function: max, time_window: 1d}
      - {column: vi, function: count, time_window: 6h}
      - {column: vl, function: min, time_window: 2h}
      - {column: vl, function: max, time_window: 6h}
$$) ORDER BY 1, 2;

SELECT setseed(0.25);
-- 20 keys, about 250 rows each over 3 days; vx from a few special values
INSERT INTO an_src
	SELECT floor(random() * 20)::int,
		   timestamptz '2024-01-01 00:00' + floor(random() * 259200) * interval '1 second',
		   CASE WHEN random() < 0.05 THEN NULL
				WHEN random() < 0.02 THEN '-0'::float8
				WHEN random() < 0.02 THEN 0
				ELSE (random() - 0.5) * 1e6 END,
		   CASE WHEN random() < 0.1 THEN NULL
				ELSE (ARRAY['-0', '0', '1.5', '-2.25', 'NaN', 'Infinity', '-Infinity', '3e-300']::float8[])
					 [1 + floor(random() * 8)::int] END,
		   CASE WHEN random() < 0.05 THEN NULL
				WHEN random() < 0.03 THEN '-0'::real
				ELSE ((random() - 0.5) * 1e4)::real END,
		   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 65536 - 32768)::smallint END,
		   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 4294967296 - 2147483648)::int END,
		   CASE WHEN random() < 0.05 THEN NULL
				ELSE floor((random() - 0.5) * 2e18)::bigint * 4 + floor(random() * 4)::bigint END
	FROM generate_series(1, 5000);
-- 22 keys (two without rows), about 140 entity rows each, some tied
INSERT INTO an_ent
	SELECT g, floor(random() * 22)::int,
		   timestamptz '2024-01-01 00:00' + floor(random() * 270000 / 60) * interval '1 minute'
	FROM generate_series(1, 3000) g;
INSERT INTO an_ent SELECT eid + 3000, k, event_timestamp FROM an_ent WHERE eid % 10 = 0;

CREATE FUNCTION an_features() RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(feature_view || ':' || name ORDER BY position)
	FROM feast.aggregations WHERE project = 'an'
$$;

CREATE FUNCTION an_run(native boolean, into_table text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('offline_store.native_aggregates', native::text, true);
	EXECUTE format('CREATE TEMP TABLE %I AS ', into_table) ||
		feast_historical_sql('an_ent', an_features(), project => 'an');
END
$$;
SELECT an_run(true, 'an_native'), an_run(false, 'an_generic');

-- the same rows, bit for bit
SELECT (SELECT count(*) FROM an_native) AS native_rows,
	   (SELECT count(*) FROM an_generic) AS generic_rows,
	   count(*) FILTER (WHERE n::text IS DISTINCT FROM g::text) AS differing_rows
FROM an_native n FULL JOIN an_generic g USING (eid);

-- what the data reached: answers, empty windows, and the special values
-- (zeros of either sign: which of -0 and 0 a tie keeps depends on the order
-- the rows are read in, which differs beyond memory)
SELECT count(sum_vf) AS sums, count(*) FILTER (WHERE count_vf = 0) AS empty_windows,
	   count(stddev_vf) AS stddevs,
	   count(*) FILTER (WHERE 'NaN' IN (sum_vx, mean_vx, min_vx, max_vx)) AS with_nan,
	   count(*) FILTER (WHERE 'Infinity' IN (sum_vx, max_vx)) AS with_infinity,
	   count(*) FILTER (WHERE min_vx = 0 OR max_vx = 0) AS with_zero,
	   count(DISTINCT (min_vs, max_vs, min_vi, max_vi, count_vi, min_vl, max_vl)) AS distinct_ints
FROM an_native;
-- the sums of vf round: the sequential scan's order of additions gives
-- other bits somewhere
SELECT count(*) FILTER (WHERE n.sum_vf::text <> (SELECT sum(s.vf)::text FROM an_src s
		WHERE s.k = e.k AND s.ts > e.event_timestamp - interval '2 hours'
		  AND s.ts <= e.event_timestamp)) > 0 AS order_shows
FROM an_native n JOIN an_ent e USING (eid);

-- Overflow: 1e308 + 1e308 in a sum and an avg; 1e200 and -1e200 in an avg
-- (Sx is 0, Sxx overflows). Key 1's rows reach the same leaf (a transition
-- overflows), key 2's a leaf and its parent (their combination overflows).
-- Each aggregation alone, and together with those whose states they share
-- (count and sum reading mean's N and Sx; sum keeping its own beside count
-- and max).
CREATE TABLE an_big (k int, ts timestamptz, v float8);
CREATE TABLE an_bent (k int, event_timestamp timestamptz);
INSERT INTO an_big VALUES (1, '2024-01-01 00:00', 1e308), (1, '2024-01-01 00:01', 1e308),
	(2, '2024-01-01 00:00', 1e308), (2, '2024-01-01 00:01', 1e308),
	(3, '2024-01-01 00:00', 1e200), (3, '2024-01-01 00:01', -1e200),
	(4, '2024-01-01 00:00', 1e200), (4, '2024-01-01 00:01', -1e200);
INSERT INTO an_bent VALUES (1, '2024-01-01 00:02'), (2, '2024-01-01 00:00:30'),
	(2, '2024-01-01 00:02'), (3, '2024-01-01 00:02'), (4, '2024-01-01 00:00:30'),
	(4, '2024-01-01 00:02');
SELECT object_type, name, action FROM feast_apply($$
project: anb
entities:
  - {name: e, join_keys: [k], value_type: INT32}
sources:
  - {name: s, type: table, table: public.an_big, timestamp_field: ts}
feature_views:
  - name: big
    entities: [e]
    source: s
    aggregations:
      - {column: v, function: sum, time_window: 1h}
      - {column: v, function: count, time_window: 1h}
      - {column: v, function: mean, time_window: 1h}
      - {column: v, function: max, time_window: 1h}
      - {column: v, function: stddev, time_window: 1h}
$$) ORDER BY 1, 2;

CREATE FUNCTION an_big_try(native boolean, key int, features text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	PERFORM set_config('offline_store.native_aggregates', native::text, true);
	EXECUTE 'SELECT string_agg(h::text, ''; '' ORDER BY h.event_timestamp) FROM (' ||
		feast_historical_sql(format('SELECT * FROM an_bent WHERE k = %s', key),
							 features, project => 'anb') || ') h' INTO r;
	RETURN r;
EXCEPTION WHEN numeric_value_out_of_range THEN
	RETURN SQLERRM;
END
$$;

SELECT k, f, an_big_try(true, k, f) AS native,
	   an_big_try(true, k, f) IS NOT DISTINCT FROM an_big_try(false, k, f) AS same
FROM generate_series(1, 4) k,
	 (VALUES (ARRAY['big:sum_v']), (ARRAY['big:mean_v']), (ARRAY['big:stddev_v']),
			 (ARRAY['big:sum_v', 'big:count_v', 'big:mean_v', 'big:max_v']),
			 (ARRAY['big:sum_v', 'big:count_v', 'big:max_v'])) fs(f)
ORDER BY 1, 2;

DROP FUNCTION an_big_try(boolean, int, text[]);
DROP FUNCTION an_run(boolean, text);
DROP FUNCTION an_features();
DROP TABLE an_native, an_generic, an_src, an_ent, an_big, an_bent;
DELETE FROM feast.projects WHERE name IN ('an', 'anb');
