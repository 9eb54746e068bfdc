-- feast_materialize against a plain-SQL reference on random data: for each
-- view, the online rows must be what
--   SELECT DISTINCT ON (<source key as the online key>) ...
--   ORDER BY <online key>, ts DESC, created DESC NULLS LAST
-- gives over the window (rows with a NULL key skipped), keys converted to
-- the online key's type as INSERT converts them and grouped by its equality
-- with the online column's collation (numeric into float8, float8 -0 and 0
-- and NaN, text under a case-insensitive ICU source collation, varchar
-- into text, timestamp keys and timestamps without time zone read as UTC
-- in a session whose TimeZone has a DST gap, composite keys, an
-- entity-less view), with ties on ts, ties on created, NULL created, NULL
-- keys, rows outside the window, and long (TOASTed) feature values.
-- A row is right when its key, event and created timestamps are those of
-- its key's reference winner, and its values (and its key, as text) those
-- of a source row of the key with those timestamps: a full tie (same ts
-- and created) may pick any of the tied rows. Each view is materialized
-- twice, over overlapping windows: into the empty online table (a plain
-- INSERT), then newest-wins against what the first run stored (the
-- reference: the union of both windows). Both with the source read
-- directly (offline_store.direct_scan, where the plan allows it) and
-- through the executor.
-- Prints per view and run the number of keys, the reference's, the
-- mismatches (must be 0), and the mismatches a reference with the tie rule
-- reversed gives (must not be 0: the test sees the tie rule).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE COLLATION mr_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- The views: the source's key column types (k2 for a second key), the
-- entities' value types, the reference's expressions giving a source key
-- the online key's value (s is the source row), the pool of key values,
-- the type of the timestamp columns, and whether a direct read is expected
-- to be possible (the keys need no conversion).
CREATE TABLE mr_views (code text PRIMARY KEY, k1 text, k2 text, vt1 text, vt2 text,
					   ref1 text, ref2 text, pool1 text[], pool2 text[], tstype text);
INSERT INTO mr_views VALUES
	('int', 'bigint', NULL, 'INT64', NULL, 's.k1', NULL,
	 '{-5,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,9223372036854775807,-9223372036854775808}', NULL, 'timestamptz'),
	('i4', 'integer', NULL, 'INT64', NULL, 'CAST(s.k1 AS bigint)', NULL,
	 '{-5,0,1,2,3,4,5,6,7,8,9,10,2147483647}', NULL, 'timestamptz'),
	('num', 'numeric', NULL, 'DOUBLE', NULL, 'CAST(s.k1 AS double precision)', NULL,
	 '{0.1,0.10000000000000000001,0.2,1,1.0,1.00000000000000000001,3.14159,-0.0,0,1e-30,NaN}', NULL, 'timestamptz'),
	('f8', 'double precision', NULL, 'DOUBLE', NULL, 's.k1', NULL,
	 '{0,-0,1.5,NaN,Infinity,-Infinity,1e-300,2}', NULL, 'timestamptz'),
	('ci', 'text COLLATE mr_ci', NULL, 'STRING', NULL, '(s.k1 COLLATE "default")', NULL,
	 '{a,A,ab,AB,aB,b,B,é,É,e,"a ",xyz,XYZ}', NULL, 'timestamptz'),
	('vc', 'varchar(8)', NULL, 'STRING', NULL, 'CAST(s.k1 AS text)', NULL,
	 '{a,A,ab,b,c,d,é,"a "}', NULL, 'timestamptz'),
	('ts', 'timestamp', NULL, 'UNIX_TIMESTAMP', NULL, 'timezone(''UTC'', s.k1)', NULL,
	 '{"2024-03-10 02:30","2024-03-10 03:30","2024-03-10 01:30","2024-11-03 01:30","2024-01-01 00:00",infinity,-infinity}', NULL, 'timestamp'),
	('comp', 'text', 'integer', 'STRING', 'INT32', 's.k1', 's.k2',
	 '{north,south,east,west,North}', '{1,2,3,-1,0}', 'timestamptz'),
	('none', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'timestamptz');

-- The sources: 1500 rows each; ts on 25 hourly values (ties), created NULL
-- in one row of five, else ts plus 0 to 3 minutes (ties); 4% NULL keys;
-- note is long (stored out of line) in one row of 37.
DO $$
DECLARE
	v record;
BEGIN
	PERFORM setseed(0.17);
	FOR v IN SELECT * FROM mr_views ORDER BY code LOOP
		EXECUTE format('CREATE TABLE mr_src_%s (rid int, %s ts %s, cr %s, v int, note text)',
					   v.code,
					   coalesce('k1 ' || v.k1 || ', ', '') || coalesce('k2 ' || v.k2 || ', ', ''),
					   v.tstype, v.tstype);
		EXECUTE format($q$
			INSERT INTO mr_src_%1$s
			SELECT g, %2$s %3$s t, CASE WHEN random() < 0.2 THEN NULL ELSE t + floor(random() * 4) * interval '1 minute' END,
				   g, CASE WHEN g %% 37 = 0 THEN g || ':' || (SELECT string_agg(md5(g::text || i), '') FROM generate_series(1, 200) i)
						   ELSE g::text END
			FROM (SELECT g, (timestamp '2024-01-01 00:00' + floor(random() * 25) * interval '1 hour')::%4$s AS t
				  FROM generate_series(1, 1500) g) x$q$,
			v.code,
			CASE WHEN v.k1 IS NULL THEN '' ELSE format('CASE WHEN random() < 0.04 THEN NULL ELSE (%L::text[])[1 + floor(random() * %s)::int]::%s END, ',
													  v.pool1, cardinality(v.pool1), regexp_replace(v.k1, ' COLLATE .*', '')) END,
			CASE WHEN v.k2 IS NULL THEN '' ELSE format('CASE WHEN random() < 0.04 THEN NULL ELSE (%L::text[])[1 + floor(random() * %s)::int]::%s END, ',
													  v.pool2, cardinality(v.pool2), v.k2) END,
			v.tstype);
		EXECUTE format('ANALYZE mr_src_%s', v.code);
	END LOOP;
END
$$;
CREATE FUNCTION mr_toasted(tab regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(DISTINCT chunk_id) FROM %s',
				   (SELECT reltoastrelid::regclass FROM pg_class WHERE oid = tab)) INTO n;
	RETURN n;
END
$$;
SELECT mr_toasted('mr_src_int') AS notes_stored_out_of_line;

SELECT count(*) AS objects FROM feast_apply($y$
project: mr
online_store: {type: postgres, db_schema: mr_online}
entities:
  - {name: e_int, join_keys: [k1], value_type: INT64}
  - {name: e_dbl, join_keys: [k1], value_type: DOUBLE}
  - {name: e_str, join_keys: [k1], value_type: STRING}
  - {name: e_ts, join_keys: [k1], value_type: UNIX_TIMESTAMP}
  - {name: e_i32, join_keys: [k2], value_type: INT32}
sources:
  - {name: s_int, type: table, table: mr_src_int, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_i4, type: table, table: mr_src_i4, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_num, type: table, table: mr_src_num, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_f8, type: table, table: mr_src_f8, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_ci, type: table, table: mr_src_ci, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_vc, type: table, table: mr_src_vc, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_ts, type: table, table: mr_src_ts, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_comp, type: table, table: mr_src_comp, timestamp_field: ts, created_timestamp_column: cr}
  - {name: s_none, type: table, table: mr_src_none, timestamp_field: ts, created_timestamp_column: cr}
feature_views:
  - {name: int, entities: [e_int], source: s_int, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: i4, entities: [e_int], source: s_i4, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: num, entities: [e_dbl], source: s_num, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: f8, entities: [e_dbl], source: s_f8, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: ci, entities: [e_str], source: s_ci, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: vc, entities: [e_str], source: s_vc, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: ts, entities: [e_ts], source: s_ts, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: comp, entities: [e_str, e_i32], source: s_comp, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
  - {name: none, entities: [], source: s_none, schema: [{name: v, dtype: Int32}, {name: note, dtype: String}]}
$y$);

-- The windows of the two runs (overlapping; the second's start is earlier,
-- so that a stored row is sometimes newer than the incoming one).
CREATE TABLE mr_windows (run int, lo timestamptz, hi timestamptz);
INSERT INTO mr_windows VALUES (1, '2024-01-01 05:00+00', '2024-01-01 15:00+00'),
	(2, '2024-01-01 00:00+00', '2024-01-01 12:00+00');

-- The comparison of view code's online table with the reference over the
-- rows of the windows of runs 1 .. upto; reversed: the reference with the
-- tie rule reversed (the smallest created wins a tie, NULL first).
CREATE FUNCTION mr_check(code text, upto int, reversed boolean, OUT keys bigint, OUT ref_keys bigint, OUT mismatches bigint)
LANGUAGE plpgsql AS $f$
DECLARE
	v mr_views;
	kexpr text;				-- the reference's online key
	kcols text;				-- the online key columns
	ts_utc text;
	cr_utc text;
BEGIN
	SELECT * INTO v FROM mr_views WHERE mr_views.code = mr_check.code;
	IF v.k1 IS NULL THEN
		kexpr := $$''::text$$;
		kcols := '__dummy_id';
	ELSIF v.k2 IS NULL THEN
		kexpr := v.ref1;
		kcols := 'k1';
	ELSE
		kexpr := format('ROW(%s, %s)', v.ref1, v.ref2);
		kcols := 'ROW(k1, k2)';
	END IF;
	ts_utc := CASE v.tstype WHEN 'timestamp' THEN $$timezone('UTC', s.ts)$$ ELSE 's.ts' END;
	cr_utc := CASE v.tstype WHEN 'timestamp' THEN $$timezone('UTC', s.cr)$$ ELSE 's.cr' END;
	EXECUTE format($q$
		WITH src AS (
			SELECT %1$s AS k, %1$s::text AS ktext, %2$s AS ts, %3$s AS cr, s.v, s.note
			FROM mr_src_%4$s s
			WHERE EXISTS (SELECT 1 FROM mr_windows w WHERE w.run <= %5$s AND %2$s BETWEEN w.lo AND w.hi)
			  AND %6$s),
		top AS (
			SELECT DISTINCT ON (k) k, ts, cr FROM src
			ORDER BY k, ts DESC, %7$s),
		online AS (
			SELECT %8$s AS k, %8$s::text AS ktext, o.v, o.note, o.event_timestamp, o.created_timestamp
			FROM mr_online.mr_%4$s o)
		SELECT (SELECT count(*) FROM online), (SELECT count(*) FROM top),
			   (SELECT count(*) FROM online o
				WHERE NOT EXISTS (SELECT 1 FROM top t JOIN src s ON s.k = t.k AND s.ts = t.ts AND s.cr IS NOT DISTINCT FROM t.cr
								  WHERE t.k = o.k AND o.event_timestamp = t.ts
									AND o.created_timestamp IS NOT DISTINCT FROM t.cr
									AND s.ktext = o.ktext AND s.v = o.v AND s.note = o.note))
			   + (SELECT count(*) FROM top t WHERE NOT EXISTS (SELECT 1 FROM online o WHERE o.k = t.k))$q$,
		kexpr, ts_utc, cr_utc, v.code, upto,
		CASE WHEN v.k1 IS NULL THEN 'true'
			 ELSE 's.k1 IS NOT NULL' || CASE WHEN v.k2 IS NULL THEN '' ELSE ' AND s.k2 IS NOT NULL' END END,
		CASE WHEN reversed THEN 'cr ASC NULLS FIRST' ELSE 'cr DESC NULLS LAST' END,
		CASE WHEN v.k1 IS NULL THEN 'o.__dummy_id' WHEN v.k2 IS NULL THEN 'o.k1' ELSE 'ROW(o.k1, o.k2)' END)
	INTO keys, ref_keys, mismatches;
END
$f$;

-- Materialize every view over a window; the session's TimeZone has a DST
-- gap on 2024-03-10 (the timestamp keys must not move).
CREATE FUNCTION mr_run(run int) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
	w mr_windows;
BEGIN
	SELECT * INTO w FROM mr_windows WHERE mr_windows.run = mr_run.run;
	SET LOCAL TimeZone = 'America/New_York';
	RETURN QUERY SELECT m.feature_view FROM feast_materialize(w.lo, w.hi, NULL, 'mr') m;
END
$f$;

CREATE TABLE mr_results (direct_scan text, run int, code text, keys bigint, ref_keys bigint,
						 mismatches bigint, reversed_mismatches bigint);
CREATE FUNCTION mr_round() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	c text;
	r int;
	res record;
	rev record;
BEGIN
	FOR c IN SELECT code FROM mr_views LOOP
		EXECUTE format('TRUNCATE mr_online.mr_%s', c);
	END LOOP;
	FOR r IN 1 .. 2 LOOP
		PERFORM mr_run(r);
		FOR c IN SELECT code FROM mr_views ORDER BY code LOOP
			res := mr_check(c, r, false);
			rev := mr_check(c, r, true);
			INSERT INTO mr_results VALUES (current_setting('offline_store.direct_scan'), r, c,
										   res.keys, res.ref_keys, res.mismatches, rev.mismatches);
		END LOOP;
	END LOOP;
END
$f$;

SET offline_store.direct_scan = on;
SELECT mr_round();
SET offline_store.direct_scan = off;
SELECT mr_round();
RESET offline_store.direct_scan;

SELECT direct_scan, run, code, keys, ref_keys, mismatches, reversed_mismatches > 0 AS tie_rule_seen
FROM mr_results ORDER BY direct_scan DESC, run, code;
SELECT sum(mismatches) AS total_mismatches, bool_and(keys > 0) AS every_view_wrote,
	   count(*) FILTER (WHERE reversed_mismatches > 0) AS runs_seeing_the_tie_rule
FROM mr_results;

-- Which views are read directly: those whose keys need no conversion
-- (bigint here, "direct scan"), not those whose keys are cast (numeric
-- into float8).
SET offline_store.progress_messages = info;
SET offline_store.progress_interval = 0;
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['int'], 'mr');
SELECT feature_view, rows_written FROM feast_materialize('2024-01-01', '2024-01-02', ARRAY['num'], 'mr');
RESET offline_store.progress_messages;
RESET offline_store.progress_interval;

-- Clean up.
SELECT count(*) AS deleted FROM feast_apply($y$
project: mr
online_store: {type: postgres, db_schema: mr_online}
entities: []
sources: []
feature_views: []
$y$);
DELETE FROM feast.materialization_runs WHERE project = 'mr';
DELETE FROM feast.materialization_intervals WHERE project = 'mr';
DELETE FROM feast.projects WHERE name = 'mr';
DROP SCHEMA mr_online;
DO $$
DECLARE
	c text;
BEGIN
	FOR c IN SELECT code FROM mr_views LOOP
		EXECUTE format('DROP TABLE mr_src_%s', c);
	END LOOP;
END
$$;
DROP FUNCTION mr_round(), mr_run(int), mr_check(text, int, boolean), mr_toasted(regclass);
DROP TABLE mr_views, mr_windows, mr_results;
DROP COLLATION mr_ci;
