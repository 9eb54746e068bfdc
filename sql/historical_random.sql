-- feast_historical against a plain-SQL reference (LEFT JOIN LATERAL) on
-- random data: ties on ts, NULL created, NULL keys and timestamps, duplicate
-- entity rows, ttl boundaries hit exactly. Prints only counts.
-- Keys of every probe the engine has: composite (hash table), dense int4
-- and int2 with negative values (direct table), int8 spanning the whole
-- range (hash table). Half the rounds force an index scan of the source, so
-- the time window is applied by SQL; the others read it whole.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

INSERT INTO feast.projects (name) VALUES ('histr');
INSERT INTO feast.entities (project, name, join_key, value_type) VALUES
	('histr', 'ka', 'a', 'INT32'), ('histr', 'kb', 'b', 'INT32'),
	('histr', 'kc', 'c', 'INT64'), ('histr', 'kd', 'd', 'INT32');
CREATE TABLE histr_src (rid int, a int, b int, ts timestamptz, created timestamptz, c bigint, d smallint);
CREATE INDEX ON histr_src (ts);
CREATE TABLE histr_ent (eid int, a int, b int, event_timestamp timestamptz, c bigint, d smallint);
-- one source table, five views: keys (a, b) with ttl 3 h; key a with no
-- ttl; entity-less with ttl 1 h; key c with ttl 2 h; key d with ttl 90 min.
-- field_mapping gives each its feature name.
INSERT INTO feast.data_sources (project, name, type, table_name, timestamp_field, created_timestamp_column, field_mapping) VALUES
	('histr', 's1', 'table', 'histr_src', 'ts', 'created', '{"rid": "rid1"}'),
	('histr', 's0', 'table', 'histr_src', 'ts', 'created', '{"rid": "rid0"}'),
	('histr', 'sg', 'table', 'histr_src', 'ts', 'created', '{"rid": "ridg"}'),
	('histr', 'sc', 'table', 'histr_src', 'ts', 'created', '{"rid": "ridc"}'),
	('histr', 'sd', 'table', 'histr_src', 'ts', 'created', '{"rid": "ridd"}');
INSERT INTO feast.feature_views (project, name, source, ttl) VALUES
	('histr', 'fv1', 's1', '3 hours'), ('histr', 'fv0', 's0', '0'), ('histr', 'fvg', 'sg', '1 hour'),
	('histr', 'fvc', 'sc', '2 hours'), ('histr', 'fvd', 'sd', '90 minutes');
INSERT INTO feast.feature_view_entities VALUES
	('histr', 'fv1', 1, 'ka'), ('histr', 'fv1', 2, 'kb'), ('histr', 'fv0', 1, 'ka'),
	('histr', 'fvc', 1, 'kc'), ('histr', 'fvd', 1, 'kd');
INSERT INTO feast.features (project, feature_view, position, name, dtype) VALUES
	('histr', 'fv1', 1, 'rid1', 'Int32'), ('histr', 'fv0', 1, 'rid0', 'Int32'), ('histr', 'fvg', 1, 'ridg', 'Int32'),
	('histr', 'fvc', 1, 'ridc', 'Int32'), ('histr', 'fvd', 1, 'ridd', 'Int32');

-- The reference winner of one view for one entity row: (ts, created) of the
-- best candidate, NULL created losing ties. keys: 0 none, 1 a, 2 (a, b),
-- 3 c, 4 d.
CREATE FUNCTION histr_ref(e histr_ent, keys int, ttl interval, filter boolean)
RETURNS TABLE (ts timestamptz, created timestamptz) LANGUAGE sql STABLE AS $$
	SELECT s.ts, s.created FROM histr_src s
	WHERE (keys NOT IN (1, 2) OR s.a = e.a) AND (keys <> 2 OR s.b = e.b)
	  AND (keys <> 3 OR s.c = e.c) AND (keys <> 4 OR s.d = e.d)
	  AND s.ts <= e.event_timestamp
	  AND (ttl = '0' OR s.ts >= e.event_timestamp - ttl)
	  AND (NOT filter OR s.created <= e.event_timestamp)
	ORDER BY s.ts DESC, s.created DESC NULLS LAST
	LIMIT 1
$$;

-- Is rid an acceptable answer? NULL iff no candidate, else a row with the
-- entity's keys and the winner's (ts, created).
CREATE FUNCTION histr_ok(e histr_ent, rid int, keys int, ttl interval, filter boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN r.ts IS NULL THEN rid IS NULL
		ELSE EXISTS (SELECT 1 FROM histr_src s
					 WHERE s.rid = histr_ok.rid AND s.ts = r.ts AND s.created IS NOT DISTINCT FROM r.created
					   AND (keys NOT IN (1, 2) OR s.a = e.a) AND (keys <> 2 OR s.b = e.b)
					   AND (keys <> 3 OR s.c = e.c) AND (keys <> 4 OR s.d = e.d))
	END
	FROM (SELECT 1) AS one LEFT JOIN LATERAL histr_ref(e, keys, ttl, filter) r ON true
$$;

-- A sparse int8 key: the extremes make the span overflow.
CREATE FUNCTION histr_c() RETURNS bigint LANGUAGE sql VOLATILE AS $$
	SELECT (ARRAY[-9223372036854775808, -5, 0, 7, 9223372036854775807]::bigint[])[1 + floor(random() * 5)::int]
$$;

CREATE FUNCTION histr_round(seed float8, filter boolean, use_index boolean)
RETURNS TABLE (entity_rows bigint, output_rows bigint, bad_fv1 bigint, bad_fv0 bigint, bad_fvg bigint,
			   bad_fvc bigint, bad_fvd bigint)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM setseed(seed);
	PERFORM set_config('enable_seqscan', CASE WHEN use_index THEN 'off' ELSE 'on' END, true);
	TRUNCATE histr_src, histr_ent;
	INSERT INTO histr_src
		SELECT g,
			   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 4)::int END,
			   floor(random() * 3)::int,
			   CASE WHEN random() < 0.02 THEN NULL
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 48) * interval '15 minutes' END,
			   CASE WHEN random() < 0.25 THEN NULL
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 30) * interval '20 minutes' END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE histr_c() END,
			   floor(random() * 8)::int - 4
		FROM generate_series(1, 400) g;
	INSERT INTO histr_ent
		SELECT g,
			   CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 5)::int END,
			   floor(random() * 3)::int,
			   CASE WHEN random() < 0.02 THEN NULL
					WHEN random() < 0.1 THEN timestamptz '2024-01-01 00:00+00' + floor(random() * 720) * interval '1 minute' + interval '1 microsecond'
					ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 60) * interval '12 minutes' END,
			   CASE WHEN random() < 0.05 THEN NULL ELSE histr_c() END,
			   floor(random() * 6)::int - 3
		FROM generate_series(1, 300) g;
	INSERT INTO histr_ent SELECT * FROM histr_ent WHERE eid % 7 = 0;	-- duplicate entity rows
	RETURN QUERY
	SELECT (SELECT count(*) FROM histr_ent),
		   count(*),
		   count(*) FILTER (WHERE NOT histr_ok(x.e, o.rid1, 2, '3 hours', filter)),
		   count(*) FILTER (WHERE NOT histr_ok(x.e, o.rid0, 1, '0', filter)),
		   count(*) FILTER (WHERE NOT histr_ok(x.e, o.ridg, 0, '1 hour', filter)),
		   count(*) FILTER (WHERE NOT histr_ok(x.e, o.ridc, 3, '2 hours', filter)),
		   count(*) FILTER (WHERE NOT histr_ok(x.e, o.ridd, 4, '90 minutes', filter))
	FROM feast_historical('histr_ent', ARRAY['fv1:rid1', 'fv0:rid0', 'fvg:ridg', 'fvc:ridc', 'fvd:ridd'],
						  project => 'histr', filter_by_created_timestamp => filter)
		 AS o(eid int, a int, b int, event_timestamp timestamptz, c bigint, d smallint,
			  rid1 int, rid0 int, ridg int, ridc int, ridd int)
	CROSS JOIN LATERAL (SELECT ROW(o.eid, o.a, o.b, o.event_timestamp, o.c, o.d)::histr_ent AS e) AS x;
END
$$;

SELECT s.seed, s.filter, s.use_index, r.*
FROM (VALUES (0.11::float8, false, false), (0.22, true, false), (0.33, false, true), (0.44, true, true),
			 (0.55, false, false), (0.66, true, true), (0.77, false, true), (0.88, true, false)) AS s(seed, filter, use_index),
	 LATERAL histr_round(s.seed, s.filter, s.use_index) r
ORDER BY s.seed;

-- how many answers were non-NULL (the test is not vacuous)
SELECT count(rid1) > 50 AS some_fv1, count(rid0) > 50 AS some_fv0, count(ridg) > 50 AS some_fvg,
	   count(ridc) > 50 AS some_fvc, count(ridd) > 50 AS some_fvd,
	   count(DISTINCT c) FILTER (WHERE ridc IS NOT NULL) AS fvc_keys_answered,
	   count(DISTINCT d) FILTER (WHERE ridd IS NOT NULL) AS fvd_keys_answered
FROM feast_historical('histr_ent', ARRAY['fv1:rid1', 'fv0:rid0', 'fvg:ridg', 'fvc:ridc', 'fvd:ridd'], project => 'histr')
	 AS o(eid int, a int, b int, event_timestamp timestamptz, c bigint, d smallint,
		  rid1 int, rid0 int, ridg int, ridc int, ridd int);

DROP FUNCTION histr_round(float8, boolean, boolean);
DROP FUNCTION histr_c();
DROP FUNCTION histr_ok(histr_ent, int, int, interval, boolean);
DROP FUNCTION histr_ref(histr_ent, int, interval, boolean);
DROP TABLE histr_src, histr_ent;
DELETE FROM feast.feature_views WHERE project = 'histr';
DELETE FROM feast.data_sources WHERE project = 'histr';
DELETE FROM feast.projects WHERE name = 'histr';
