--
-- aggregations_shared: the aggregations of one column and window share
-- their states in the engine (pit_agg.c, agg_layout): an avg or
-- stddev_samp keeps N, Sx and Sxx, which the counts, the sums and the other
-- avgs read, and whose N tells the mins and maxes whether a node has a
-- value; without one, a count does that for the sums, mins and maxes; a
-- second sum, min or max reads the first's state. The answers are exactly
-- the literal SQL's and the support functions' (native_aggregates off):
-- every function of double precision on one column in one window, some
-- twice (named), the readers before and after what they read, beside
-- another window and another column; values are multiples of 1/4 (every
-- partial sum is exact, so any order of additions gives the same bits)
-- with -0, 0 and NULL, a key with NaN and infinities, a key whose values
-- are -0 and a few 0 (the sum of -0 alone is -0, the avg 0; with a 0, the
-- sum is 0), one whose values are all NULL, one without rows. stddev is compared with the literal SQL to 1e-12
-- relative (each step of its accumulation rounds), min and max by value
-- (which of 0 and -0 they keep depends on the order of the rows), and
-- both bit for bit with the support functions. Overflow errors with
-- shared states are in aggregations_native.sql.
-- Rows are compared as text with extra_float_digits = 3 (every bit of a
-- float but NaN's payload, and the sign of a zero). Prints only counts.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 3;

CREATE TABLE ash_src (k int, ts timestamptz, v float8, w float8);
CREATE INDEX ON ash_src (k, ts);		-- the reference's
CREATE TABLE ash_ent (eid int, k int, event_timestamp timestamptz);

SELECT object_type, name, action FROM feast_apply($$
project: ash
entities:
  - {name: e, join_keys: [k], value_type: INT32}
sources:
  - {name: s, type: table, table: public.ash_src, timestamp_field: ts}
feature_views:
  - name: acc
    entities: [e]
    source: s
    aggregations:
      - {column: v, function: sum, time_window: 2h}
      - {column: v, function: count, time_window: 2h}
      - {column: v, function: max, time_window: 2h}
      - {column: v, function: mean, time_window: 2h}
      - {column: v, function: min, time_window: 2h}
      - {column: v, function: stddev, time_window: 2h}
      - {column: v, function: sum, time_window: 2h, name: sum_v2}
      - {column: v, function: mean, time_window: 2h, name: mean_v2}
      - {column: v, function: count, time_window: 2h, name: count_v2}
      - {column: v, function: max, time_window: 2h, name: max_v2}
      - {column: v, function: sum, time_window: 5h, name: sum_v5}
      - {column: w, function: sum, time_window: 2h}
      - {column: w, function: max, time_window: 2h}
  - name: cnt
    entities: [e]
    source: s
    aggregations:
      - {column: v, function: max, time_window: 2h}
      - {column: v, function: sum, time_window: 2h}
      - {column: v, function: count, time_window: 2h}
      - {column: v, function: min, time_window: 2h}
      - {column: v, function: sum, time_window: 2h, name: sum_v2}
      - {column: v, function: count, time_window: 2h, name: count_v2}
      - {column: v, function: stddev, time_window: 5h}
  - name: dup
    entities: [e]
    source: s
    aggregations:
      - {column: v, function: sum, time_window: 2h}
      - {column: v, function: min, time_window: 2h}
      - {column: v, function: sum, time_window: 2h, name: sum_v2}
      - {column: v, function: min, time_window: 2h, name: min_v2}
      - {column: w, function: count, time_window: 2h}
$$) ORDER BY 1, 2;

SELECT setseed(0.5);
-- keys 1 to 6: multiples of 1/4, -0, 0, NULL; key 7 also NaN and
-- infinities; key 8 -0 and a few 0; key 9 only NULL; key 10 no rows
INSERT INTO ash_src
	SELECT k, timestamptz '2024-01-01 00:00' + floor(random() * 4320) * interval '1 minute',
		   CASE WHEN k = 8 THEN (CASE WHEN random() < 0.1 THEN '0' ELSE '-0' END)::float8
				WHEN k = 9 OR random() < 0.05 THEN NULL
				WHEN random() < 0.05 THEN '-0'::float8
				WHEN random() < 0.03 THEN 0
				WHEN k = 7 AND random() < 0.1 THEN
					 (ARRAY['NaN', 'Infinity', '-Infinity']::float8[])[1 + floor(random() * 3)::int]
				ELSE floor((random() - 0.5) * 4e6) / 4 END,
		   CASE WHEN random() < 0.1 THEN NULL ELSE floor((random() - 0.5) * 400) / 4 END
	FROM generate_series(1, 3000) g, LATERAL (SELECT 1 + g % 9 AS k) kk;
-- about 150 entity rows per key over the same 3 days, some tied
INSERT INTO ash_ent
	SELECT g, 1 + floor(random() * 10)::int,
		   timestamptz '2024-01-01 00:00' + floor(random() * 4400) * interval '1 minute'
	FROM generate_series(1, 1500) g;
INSERT INTO ash_ent SELECT eid + 1500, k, event_timestamp FROM ash_ent WHERE eid % 10 = 0;

-- the features of view v, and its answers (native or not) into a table
CREATE FUNCTION ash_features(v text) RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(feature_view || ':' || name ORDER BY position)
	FROM feast.aggregations WHERE project = 'ash' AND feature_view = v
$$;
CREATE FUNCTION ash_run(v text, native boolean, into_table text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('offline_store.native_aggregates', native::text, true);
	EXECUTE format('CREATE TEMP TABLE %I AS ', into_table) ||
		feast_historical_sql('ash_ent', ash_features(v), project => 'ash');
END
$$;
-- the literal SQL of view v's aggregations, as a table: one subquery each
CREATE FUNCTION ash_reference(v text, into_table text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	sel text := '';
	r record;
BEGIN
	FOR r IN
		SELECT name, column_name, function, time_window FROM feast.aggregations
		WHERE project = 'ash' AND feature_view = v ORDER BY position
	LOOP
		sel := sel || format(', (SELECT %s(s.%I) FROM ash_src s WHERE s.k = e.k AND s.ts > e.event_timestamp - %L::interval AND s.ts <= e.event_timestamp) AS %I',
							 CASE r.function WHEN 'mean' THEN 'avg' WHEN 'stddev' THEN 'stddev_samp' ELSE r.function END,
							 r.column_name, r.time_window, r.name);
	END LOOP;
	EXECUTE format('CREATE TEMP TABLE %I AS SELECT e.*%s FROM ash_ent e', into_table, sel);
END
$$;
-- rows of a and b (same columns, by eid) that differ: as text, but stddev
-- to 1e-12 relative and min and max by value when loose
CREATE FUNCTION ash_differ(a text, b text, loose boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	cond text := 'false';
	r record;
	n bigint;
BEGIN
	FOR r IN
		SELECT attname FROM pg_attribute
		WHERE attrelid = a::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
	LOOP
		IF loose AND r.attname LIKE 'stddev%' THEN
			cond := cond || format(' OR (x.%1$I IS NULL) <> (y.%1$I IS NULL) OR abs(x.%1$I - y.%1$I) > 1e-12 * abs(y.%1$I)', r.attname);
		ELSIF loose AND (r.attname LIKE 'min%' OR r.attname LIKE 'max%') THEN
			cond := cond || format(' OR x.%1$I IS DISTINCT FROM y.%1$I', r.attname);
		ELSE
			cond := cond || format(' OR x.%1$I::text IS DISTINCT FROM y.%1$I::text', r.attname);
		END IF;
	END LOOP;
	EXECUTE format('SELECT count(*) FROM %I x FULL JOIN %I y USING (eid) WHERE x.eid IS NULL OR y.eid IS NULL OR %s',
				   a, b, cond) INTO n;
	RETURN n;
END
$$;

SELECT ash_run(v, true, v || '_native'), ash_run(v, false, v || '_generic'),
	   ash_reference(v, v || '_sql')
FROM unnest(ARRAY['acc', 'cnt', 'dup']) v;

SELECT v, (SELECT count(*) FROM ash_ent) AS entity_rows,
	   ash_differ(v || '_native', v || '_generic', false) AS differ_from_generic,
	   ash_differ(v || '_native', v || '_sql', true) AS differ_from_sql
FROM unnest(ARRAY['acc', 'cnt', 'dup']) v ORDER BY 1;

-- what the data reached: sums and avgs of -0 alone, of 0 and -0, NaN,
-- infinities, empty windows, stddevs
SELECT count(*) FILTER (WHERE sum_v::text = '-0') AS sums_minus_zero,
	   count(*) FILTER (WHERE sum_v::text = '-0' AND mean_v::text = '0') AS avgs_zero,
	   count(*) FILTER (WHERE sum_v::text = '0' AND count_v > 0 AND max_v = 0) AS sums_zero,
	   count(*) FILTER (WHERE 'NaN' IN (sum_v, mean_v)) AS with_nan,
	   count(*) FILTER (WHERE 'Infinity' IN (max_v, sum_v) OR '-Infinity' IN (min_v, sum_v)) AS with_infinity,
	   count(*) FILTER (WHERE count_v = 0) AS empty_windows,
	   count(*) FILTER (WHERE count_v > 0 AND sum_v IS NULL) AS missing_sums,
	   count(stddev_v) AS stddevs,
	   count(*) FILTER (WHERE sum_v IS DISTINCT FROM sum_v2 OR mean_v IS DISTINCT FROM mean_v2
						OR count_v <> count_v2 OR max_v IS DISTINCT FROM max_v2) AS twins_differ
FROM acc_native;

DROP FUNCTION ash_differ(text, text, boolean);
DROP FUNCTION ash_reference(text, text);
DROP FUNCTION ash_run(text, boolean, text);
DROP FUNCTION ash_features(text);
DROP TABLE acc_native, acc_generic, acc_sql, cnt_native, cnt_generic, cnt_sql,
	dup_native, dup_generic, dup_sql, ash_src, ash_ent;
DELETE FROM feast.projects WHERE name = 'ash';
