-- Windowed aggregations against the literal SQL reference of API.md,
--   SELECT agg(column) FROM source WHERE key = e.key
--     AND ts > t - window AND ts <= t [AND created <= t]
-- one correlated subquery per entity row and aggregation, generated from
-- feast.aggregations, on random data: timestamps on a 10-minute grid and
-- windows of whole hours, so that rows fall exactly on t - w (out) and on t
-- (in); entity rows a microsecond off the grid; NULL keys, values,
-- timestamps and created; duplicate entity rows; keys int4 (dense), text,
-- int8 (the extremes), composite; values int4, int8 (near 2^62: the sums
-- need numeric), float8 and real (multiples of 1/8, so that every partial
-- sum is exact and any order gives the same bits), numeric (scales 0 to 4:
-- the result's scale is checked too), text. Half the rounds force an index
-- scan of the source (rows come in time order), half filter by created.
-- Ours and the reference are compared as text (every digit, the scale of a
-- numeric, the bits of a float), except stddev of float8 and real, which
-- are compared to 1e-12 relative: floating-point states are combined as a
-- parallel aggregate combines them, and each step of stddev's accumulation
-- divides and rounds (sums of multiples of 1/8 do not round). The
-- reference with ts >= t - w instead of ts > t - w must differ somewhere
-- (boundary_caught): the data hits the boundary. Prints only counts.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 1;

CREATE TABLE agr_src (rid int, k1 int, k2 text, kb bigint, ts timestamptz, created timestamptz,
					  vi int, vl bigint, vf float8, vr real, vn numeric, vt text);
CREATE INDEX ON agr_src (ts);
-- the reference's indexes (each subquery reads its key's rows only)
CREATE INDEX ON agr_src (k1, ts);
CREATE INDEX ON agr_src (k2, ts);
CREATE INDEX ON agr_src (kb, ts);
CREATE TABLE agr_ent (eid int, k1 int, k2 text, kb bigint, event_timestamp timestamptz);

SELECT object_type, name, action FROM feast_apply($$
project: agr
entities:
  - {name: e1, join_keys: [k1], value_type: INT32}
  - {name: e2, join_keys: [k2], value_type: STRING}
  - {name: e3, join_keys: [kb], value_type: INT64}
sources:
  - {name: s, type: table, table: public.agr_src, timestamp_field: ts, created_timestamp_column: created}
feature_views:
  - name: agr_i
    entities: [e1]
    source: s
    aggregations:
      - {column: vi, function: sum, time_window: 1h}
      - {column: vi, function: count, time_window: 3h}
      - {column: vi, function: mean, time_window: 1d}
      - {column: vi, function: min, time_window: 1h}
      - {column: vi, function: max, time_window: 3h}
      - {column: vi, function: stddev, time_window: 1d}
      - {column: vl, function: sum, time_window: 3h}
      - {column: vl, function: mean, time_window: 1h}
      - {column: vl, function: stddev, time_window: 3h}
      - {column: vl, function: min, time_window: 1d}
      - {column: vl, function: max, time_window: 1h}
  - name: agr_t
    entities: [e2]
    source: s
    ttl: 2h
    schema: [{name: rid, dtype: Int32}]
    aggregations:
      - {column: vf, function: sum, time_window: 1h}
      - {column: vf, function: mean, time_window: 3h}
      - {column: vf, function: min, time_window: 1d}
      - {column: vf, function: max, time_window: 1h}
      - {column: vf, function: count, time_window: 1h}
      - {column: vf, function: stddev, time_window: 3h}
      - {column: vr, function: sum, time_window: 3h}
      - {column: vr, function: mean, time_window: 1h}
      - {column: vr, function: stddev, time_window: 1d}
      - {column: vt, function: max, time_window: 1d}
      - {column: vt, function: min, time_window: 3h}
  - name: agr_n
    entities: [e1, e2]
    source: s
    aggregations:
      - {column: vn, function: sum, time_window: 1h}
      - {column: vn, function: mean, time_window: 3h}
      - {column: vn, function: stddev, time_window: 1d}
      - {column: vn, function: min, time_window: 3h}
      - {column: vn, function: max, time_window: 1h}
      - {column: vn, function: count, time_window: 1d}
  - name: agr_b
    entities: [e3]
    source: s
    aggregations:
      - {column: vi, function: sum, time_window: 3h}
      - {column: rid, function: count, time_window: 1d}
      - {column: vl, function: max, time_window: 3h}
      - {column: vn, function: sum, time_window: 1d}
$$) ORDER BY 1, 2;

-- A sparse int8 key: the extremes make the span overflow.
CREATE FUNCTION agr_kb() RETURNS bigint LANGUAGE sql VOLATILE AS $$
	SELECT (ARRAY[-9223372036854775808, -5, 0, 7, 9223372036854775807]::bigint[])[1 + floor(random() * 5)::int]
$$;

-- The reference: one subquery per aggregation, the literal SQL with the
-- view's key condition, its window (strict lower bound, or with inclusive
-- a non-strict one: the off-by-one the test must catch), created <= t when
-- filtering.
CREATE FUNCTION agr_reference(filter boolean, inclusive boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	sel text := '';
	r record;
BEGIN
	FOR r IN
		SELECT a.feature_view, a.name, a.column_name, a.function, a.time_window,
			   (SELECT string_agg(format('s.%1$I = e.%1$I', en.join_key), ' AND ' ORDER BY fe.position)
				FROM feast.feature_view_entities fe JOIN feast.entities en
					 ON en.project = fe.project AND en.name = fe.entity
				WHERE fe.project = a.project AND fe.feature_view = a.feature_view) AS keys
		FROM feast.aggregations a WHERE a.project = 'agr'
		ORDER BY a.feature_view, a.position
	LOOP
		sel := sel || format(', (SELECT %s(s.%I) FROM agr_src s WHERE %s AND s.ts %s e.event_timestamp - %L::interval AND s.ts <= e.event_timestamp%s) AS %I',
							 CASE r.function WHEN 'mean' THEN 'avg' WHEN 'stddev' THEN 'stddev_samp' ELSE r.function END,
							 r.column_name, r.keys, CASE WHEN inclusive THEN '>=' ELSE '>' END,
							 r.time_window, CASE WHEN filter THEN ' AND s.created <= e.event_timestamp' ELSE '' END,
							 r.feature_view || '__' || r.name);
	END LOOP;
	RETURN 'SELECT e.eid' || sel || ' FROM agr_ent e';
END
$$;

-- One round: data, ours (all four views in one call, full names) and the
-- reference into tables, then per aggregation the rows that differ.
CREATE FUNCTION agr_round(seed float8, filter boolean, use_index boolean)
RETURNS TABLE (entity_rows bigint, output_rows bigint, compared bigint, answered bigint,
			   mismatches bigint, mismatched text, float_stddev_close boolean,
			   boundary_caught boolean)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
	r record;
	n bigint;
	total bigint := 0;
	nonnull bigint := 0;
	ncols bigint := 0;
	bad text[] := '{}';
	off_by_one bigint := 0;
	close boolean;
BEGIN
	PERFORM setseed(seed);
	PERFORM set_config('enable_seqscan', CASE WHEN use_index THEN 'off' ELSE 'on' END, true);
	TRUNCATE agr_src, agr_ent;
	INSERT INTO agr_src
		SELECT g,
			   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 6)::int END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE chr(97 + floor(random() * 4)::int) END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE agr_kb() END,
			   CASE WHEN random() < 0.02 THEN NULL
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 288) * interval '10 minutes' END,
			   CASE WHEN random() < 0.2 THEN NULL
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 300) * interval '10 minutes' END,
			   CASE WHEN random() < 0.1 THEN NULL ELSE floor(random() * 2001)::int - 1000 END,
			   CASE WHEN random() < 0.1 THEN NULL
					ELSE 4611686018427387904 + floor(random() * 1000)::bigint * CASE WHEN random() < 0.5 THEN 1 ELSE -9223372 END END,
			   CASE WHEN random() < 0.1 THEN NULL ELSE (floor(random() * 16001) - 8000) / 8.0 END,
			   CASE WHEN random() < 0.1 THEN NULL ELSE ((floor(random() * 1601) - 800) / 8.0)::real END,
			   CASE WHEN random() < 0.1 THEN NULL
					ELSE round((random() * 2000 - 1000)::numeric, floor(random() * 5)::int) END,
			   CASE WHEN random() < 0.1 THEN NULL ELSE md5(random()::text) END
		FROM generate_series(1, 1500) g;
	INSERT INTO agr_ent
		SELECT g,
			   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 7)::int END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE chr(97 + floor(random() * 5)::int) END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE agr_kb() END,
			   CASE WHEN random() < 0.02 THEN NULL
					WHEN random() < 0.1 THEN timestamptz '2024-01-01 00:00+00' + floor(random() * 2880) * interval '1 minute' + interval '1 microsecond'
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 300) * interval '10 minutes' END
		FROM generate_series(1, 400) g;
	INSERT INTO agr_ent SELECT * FROM agr_ent WHERE eid % 7 = 0;	-- duplicate entity rows
	ANALYZE agr_src, agr_ent;	-- for the reference's plans

	DROP TABLE IF EXISTS agr_ours, agr_ref, agr_incl;
	EXECUTE 'CREATE TEMP TABLE agr_ours AS ' ||
		feast_historical_sql('agr_ent', ARRAY(
			SELECT a.feature_view || ':' || a.name FROM feast.aggregations a
			WHERE a.project = 'agr' ORDER BY a.feature_view, a.position),
			project => 'agr', full_feature_names => true, filter_by_created_timestamp => filter);
	PERFORM set_config('enable_seqscan', 'on', true);	-- only ours reads by index
	EXECUTE 'CREATE TEMP TABLE agr_ref AS ' || agr_reference(filter, false);
	EXECUTE 'CREATE TEMP TABLE agr_incl AS ' || agr_reference(filter, true);
	-- eid is not unique (duplicate rows): compare in order of eid, then row
	FOR r IN SELECT a.feature_view || '__' || a.name AS col, a.function, a.column_name
			 FROM feast.aggregations a WHERE a.project = 'agr' ORDER BY 1
	LOOP
		ncols := ncols + 1;
		IF r.function = 'stddev' AND r.column_name IN ('vf', 'vr') THEN
			EXECUTE format('SELECT count(*) FILTER (WHERE (o.%1$I IS NULL) <> (f.%1$I IS NULL)
								OR abs(o.%1$I - f.%1$I) > 1e-12 * greatest(1, abs(f.%1$I)))
							FROM (SELECT eid, %1$I, row_number() OVER (PARTITION BY eid ORDER BY %1$I) n FROM agr_ours) o
							JOIN (SELECT eid, %1$I, row_number() OVER (PARTITION BY eid ORDER BY %1$I) n FROM agr_ref) f
							USING (eid, n)', r.col) INTO n;
			close := coalesce(close, true) AND n = 0;
		ELSE
			EXECUTE format('SELECT count(*) FILTER (WHERE o.%1$I::text IS DISTINCT FROM f.%1$I::text)
							FROM agr_ours o JOIN agr_ref f ON o.eid = f.eid
							WHERE o.eid %% 7 <> 0', r.col) INTO n;
			IF n > 0 THEN
				bad := bad || r.col;
			END IF;
			total := total + n;
			-- duplicate entity rows: the same multiset of answers
			EXECUTE format('SELECT count(*) FROM (
								(SELECT eid, %1$I::text FROM agr_ours WHERE eid %% 7 = 0
								 EXCEPT ALL SELECT eid, %1$I::text FROM agr_ref WHERE eid %% 7 = 0)
								UNION ALL
								(SELECT eid, %1$I::text FROM agr_ref WHERE eid %% 7 = 0
								 EXCEPT ALL SELECT eid, %1$I::text FROM agr_ours WHERE eid %% 7 = 0)) d', r.col) INTO n;
			IF n > 0 THEN
				bad := bad || (r.col || ' (duplicates)');
			END IF;
			total := total + n;
			EXECUTE format('SELECT count(*) FROM agr_ours o JOIN agr_incl f ON o.eid = f.eid
							WHERE o.%1$I::text IS DISTINCT FROM f.%1$I::text', r.col) INTO n;
			off_by_one := off_by_one + n;
		END IF;
		EXECUTE format('SELECT count(%I) FROM agr_ours', r.col) INTO n;
		nonnull := nonnull + n;
	END LOOP;
	RETURN QUERY SELECT (SELECT count(*) FROM agr_ent), (SELECT count(*) FROM agr_ours),
						ncols, nonnull, total, array_to_string(bad, ', '), close, off_by_one > 0;
END
$$;

SELECT s.seed, s.filter, s.use_index, r.entity_rows, r.output_rows, r.compared,
	   r.answered > r.output_rows * r.compared / 3 AS mostly_answered,
	   r.mismatches, r.mismatched, r.float_stddev_close, r.boundary_caught
FROM (VALUES (0.11::float8, false, false), (0.22, true, false), (0.33, false, true), (0.44, true, true),
			 (0.55, false, true), (0.66, true, false)) AS s(seed, filter, use_index),
	 LATERAL agr_round(s.seed, s.filter, s.use_index) r
ORDER BY s.seed;

-- Results keep PostgreSQL's types: sum(int4) bigint, sum(int8) numeric,
-- avg(int4) numeric, stddev_samp(int4) numeric, avg(float8) and
-- stddev_samp(real) double precision, sum(real) real, min/max the column's
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'agr_ours'::regclass AND attnum > 5 ORDER BY attnum;

DROP TABLE agr_ours, agr_ref, agr_incl;
DROP FUNCTION agr_round(float8, boolean, boolean);
DROP FUNCTION agr_reference(boolean, boolean);
DROP FUNCTION agr_kb();
DROP TABLE agr_src, agr_ent;
DELETE FROM feast.projects WHERE name = 'agr';
