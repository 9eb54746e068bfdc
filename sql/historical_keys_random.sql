-- Join keys of different types, on random data, against plain SQL that
-- compares them with = (SEMANTICS.md "Clarifications (2026-12-04)"): every
-- pair of an entity_df key type and a source key type among smallint,
-- integer, bigint, numeric, a domain over bigint, text, varchar, char(4),
-- name, text with a nondeterministic (case-insensitive ICU) collation,
-- uuid and timestamptz, and of the entity_df key types date (date =
-- timestamptz has no hash support: the engine sorts and searches) and xid
-- (xid = integer has no hash or btree support: the engine compares with
-- every key). For each pair, feast_historical (through feast_historical_sql) must
-- give what LEFT JOIN LATERAL (... WHERE e.k = s.k ...) gives, or fail with
-- the SQLSTATE the reference fails with (no = between the types, or two
-- collations). The same for entity-less retrieval over two sources of
-- different key types (SQL's UNION of their keys, then =), and for
-- feast_online_features against a LEFT JOIN of the online table on =.
-- Prints per pair the outcome and whether some rows were answered (the test
-- is not vacuous), and the total of mismatching rows, which must be 0.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE COLLATION kr_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN kr_d8 AS bigint CHECK (VALUE <> 13);

-- The key types: a code, the SQL type, the pool of key values (text) it
-- draws from (a value the type cannot take is skipped), its family, and
-- whether a data source may have a key of that type.
CREATE TABLE kr_types (code text PRIMARY KEY, typ text NOT NULL, pool text[] NOT NULL,
					   family text NOT NULL, source_ok boolean NOT NULL DEFAULT true);
INSERT INTO kr_types VALUES
	('i2', 'smallint', '{-3,0,1,2,3,13,40000,1.5,2.0,5000000000}', 'num', true),
	('i4', 'integer', '{-3,0,1,2,3,13,40000,1.5,2.0,5000000000}', 'num', true),
	('i8', 'bigint', '{-3,0,1,2,3,13,40000,1.5,2.0,5000000000}', 'num', true),
	('nu', 'numeric', '{-3,0,1,2,3,13,40000,1.5,2.0,5000000000}', 'num', true),
	('d8', 'kr_d8', '{-3,0,1,2,3,13,40000,1.5,2.0,5000000000}', 'num', true),
	('tx', 'text', '{a,A,"a ",ab,AB,b,é,É,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}', 'str', true),
	('vc', 'varchar', '{a,A,"a ",ab,AB,b,é,É,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}', 'str', true),
	('ch', 'char(4)', '{a,A,"a ",ab,AB,b,é,É,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}', 'str', true),
	('na', 'name', '{a,A,"a ",ab,AB,b,é,É,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}', 'str', true),
	('ci', 'text COLLATE kr_ci', '{a,A,"a ",ab,AB,b,é,É,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}', 'str', true),
	('uu', 'uuid', '{00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002,A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', 'uuid', true),
	('tz', 'timestamptz', '{2024-01-01,2024-01-02,2024-01-03,"2024-01-01 12:00+00","2024-01-02 00:00+00"}', 'time', true),
	('dt', 'date', '{2024-01-01,2024-01-02,2024-01-03,2024-01-04}', 'time', false),
	('xi', 'xid', '{1,2,3,13}', 'num', false);

-- A value of the pool as type typ, or NULL when the type cannot take it.
CREATE FUNCTION kr_value(v text, typ text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SELECT CAST(CAST(%L AS %s) AS text)', v, regexp_replace(typ, ' COLLATE .*', '')) INTO v;
	RETURN v;
EXCEPTION WHEN others THEN
	RETURN NULL;
END
$$;

-- Per type: a source (unique timestamps, so that the winner is unique; 5%
-- NULL keys) and an entity table (2% NULL timestamps), drawn from the
-- values the type can take.
DO $$
DECLARE
	t record;
BEGIN
	PERFORM setseed(0.42);
	FOR t IN SELECT * FROM kr_types ORDER BY code LOOP
		EXECUTE format('CREATE TABLE kr_src_%s (rid int, k %s, ts timestamptz, v int)', t.code, t.typ);
		EXECUTE format('CREATE TABLE kr_ent_%s (eid int, k %s, ts timestamptz)', t.code, t.typ);
		EXECUTE format($q$
			WITH pool AS (SELECT array_agg(x) AS p FROM unnest(%L::text[]) p(v),
						  LATERAL kr_value(p.v, %L) x WHERE x IS NOT NULL)
			INSERT INTO kr_src_%s
			SELECT g, CASE WHEN random() < 0.05 THEN NULL
						   ELSE (p[1 + floor(random() * cardinality(p))::int])::%s END,
				   timestamptz '2024-01-01 00:00+00' + g * interval '1 minute', g
			FROM pool, generate_series(1, 240) g$q$, t.pool, t.typ, t.code, t.typ);
		EXECUTE format($q$
			WITH pool AS (SELECT array_agg(x) AS p FROM unnest(%L::text[]) p(v),
						  LATERAL kr_value(p.v, %L) x WHERE x IS NOT NULL)
			INSERT INTO kr_ent_%s
			SELECT g, CASE WHEN random() < 0.05 THEN NULL
						   ELSE (p[1 + floor(random() * cardinality(p))::int])::%s END,
				   CASE WHEN random() < 0.02 THEN NULL
						ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 300) * interval '1 minute' END
			FROM pool, generate_series(1, 150) g$q$, t.pool, t.typ, t.code, t.typ);
	END LOOP;
END
$$;

-- One entity and one feature view (ttl 90 minutes, online) per source; the
-- entities' value types are inferred from the key columns.
DO $$
DECLARE
	doc text := E'project: kr\nonline_store: {type: postgres, db_schema: kr_online}\nentities:\n';
	t record;
BEGIN
	FOR t IN SELECT * FROM kr_types WHERE source_ok ORDER BY code LOOP
		doc := doc || format(E'  - {name: e_%s, join_keys: [k]}\n', t.code);
	END LOOP;
	doc := doc || E'sources:\n';
	FOR t IN SELECT * FROM kr_types WHERE source_ok ORDER BY code LOOP
		doc := doc || format(E'  - {name: s_%s, type: table, table: public.kr_src_%s, timestamp_field: ts}\n',
							 t.code, t.code);
	END LOOP;
	doc := doc || E'feature_views:\n';
	FOR t IN SELECT * FROM kr_types WHERE source_ok ORDER BY code LOOP
		doc := doc || format(E'  - {name: v_%s, entities: [e_%s], source: s_%s, ttl: 90m, online: true, schema: [{name: v, dtype: Int32}]}\n',
							 t.code, t.code, t.code);
	END LOOP;
	PERFORM feast_apply(doc);
END
$$;
SELECT name, value_type FROM feast.entities WHERE project = 'kr' ORDER BY name COLLATE "C";
SELECT feature_view, rows_written > 0 AS written
FROM feast_materialize('2023-12-31', '2024-01-02', project => 'kr') ORDER BY feature_view COLLATE "C";

-- Run ours and the reference into kr_ours / kr_ref. Ours is the query
-- ours_sql returns (feast_historical_sql), wrapped by format(wrap, query);
-- the outcome compares the two SQLSTATEs.
CREATE TABLE kr_ours (eid int, ts timestamptz, k text, v int, v2 int);
CREATE TABLE kr_ref (LIKE kr_ours);
CREATE FUNCTION kr_run(ours_sql text, wrap text, ref text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	ours_state text := 'ok';
	ref_state text := 'ok';
	q text;
BEGIN
	TRUNCATE kr_ours, kr_ref;
	BEGIN
		EXECUTE ours_sql INTO q;
		EXECUTE 'INSERT INTO kr_ours ' || format(wrap, q);
	EXCEPTION WHEN others THEN
		ours_state := SQLSTATE;
	END;
	BEGIN
		EXECUTE 'INSERT INTO kr_ref ' || ref;
	EXCEPTION WHEN others THEN
		ref_state := SQLSTATE;
	END;
	IF ours_state <> ref_state THEN
		RETURN format('DIFFERENT: ours %s, reference %s', ours_state, ref_state);
	END IF;
	RETURN CASE WHEN ours_state = 'ok' THEN 'ok' ELSE 'error ' || ours_state END;
END
$$;
-- Rows of one side that the other lacks, as multisets.
CREATE FUNCTION kr_mismatches() RETURNS bigint LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM (SELECT * FROM kr_ours EXCEPT ALL SELECT * FROM kr_ref) a)
		 + (SELECT count(*) FROM (SELECT * FROM kr_ref EXCEPT ALL SELECT * FROM kr_ours) b)
$$;

-- historical: an entity_df key of type e, the view on the source of type s
CREATE FUNCTION kr_historical(e text, s text, OUT outcome text, OUT mismatches bigint, OUT answered boolean)
LANGUAGE plpgsql AS $$
BEGIN
	outcome := kr_run(
		format($q$SELECT feast_historical_sql('SELECT eid, k, ts AS event_timestamp FROM public.kr_ent_%s', ARRAY['v_%s:v'], project => 'kr')$q$, e, s),
		'SELECT eid, NULL, NULL, v, NULL FROM (%s) o',
		format($q$SELECT e.eid, NULL, NULL, r.v, NULL FROM public.kr_ent_%s e
				  LEFT JOIN LATERAL (SELECT s.v FROM public.kr_src_%s s
									 WHERE e.k = s.k AND s.ts <= e.ts AND s.ts >= e.ts - interval '90 minutes'
									 ORDER BY s.ts DESC LIMIT 1) r ON true$q$, e, s));
	mismatches := kr_mismatches();
	answered := EXISTS (SELECT 1 FROM kr_ours WHERE v IS NOT NULL);
END
$$;

SELECT e.code AS entity, s.code AS source, h.*
FROM kr_types e CROSS JOIN kr_types s CROSS JOIN LATERAL kr_historical(e.code, s.code) h
WHERE s.source_ok
ORDER BY 1, 2;

-- entity-less: the views on the sources of types s1 and s2 (same key name):
-- the entity rows are the UNION of their (ts, k) in the range, each view
-- answered at its rows as with an entity_df. The rows are compared by time
-- and answers (the answers identify the source rows): of keys equal in the
-- UNION's collation, which one stands for them is arbitrary.
CREATE FUNCTION kr_entityless(s1 text, s2 text, OUT outcome text, OUT mismatches bigint, OUT answered boolean)
LANGUAGE plpgsql AS $$
BEGIN
	outcome := kr_run(
		format($q$SELECT feast_historical_sql(NULL, ARRAY['v_%s:v', 'v_%s:v'], full_feature_names => true, project => 'kr',
											  start_date => '2024-01-01 01:00+00', end_date => '2024-01-01 03:00+00')$q$, s1, s2),
		format('SELECT NULL, event_timestamp, NULL, v_%1$s__v, v_%2$s__v FROM (%%s) o', s1, s2),
		format($q$SELECT NULL, e.ts, NULL, r1.v, r2.v
				  FROM (SELECT ts, k FROM public.kr_src_%1$s WHERE ts BETWEEN '2024-01-01 01:00+00' AND '2024-01-01 03:00+00'
						UNION SELECT ts, k FROM public.kr_src_%2$s WHERE ts BETWEEN '2024-01-01 01:00+00' AND '2024-01-01 03:00+00') e
				  LEFT JOIN LATERAL (SELECT s.v FROM public.kr_src_%1$s s
									 WHERE e.k = s.k AND s.ts <= e.ts AND s.ts >= e.ts - interval '90 minutes'
									 ORDER BY s.ts DESC LIMIT 1) r1 ON true
				  LEFT JOIN LATERAL (SELECT s.v FROM public.kr_src_%2$s s
									 WHERE e.k = s.k AND s.ts <= e.ts AND s.ts >= e.ts - interval '90 minutes'
									 ORDER BY s.ts DESC LIMIT 1) r2 ON true$q$, s1, s2));
	mismatches := kr_mismatches();
	answered := EXISTS (SELECT 1 FROM kr_ours WHERE v IS NOT NULL) AND EXISTS (SELECT 1 FROM kr_ours WHERE v2 IS NOT NULL);
END
$$;

SELECT s1.code AS source1, s2.code AS source2, h.*
FROM kr_types s1 JOIN kr_types s2 ON s1.code < s2.code
	 CROSS JOIN LATERAL kr_entityless(s1.code, s2.code) h
WHERE s1.family = s2.family AND s1.source_ok AND s2.source_ok
ORDER BY 1, 2;

-- online: an entity_df key of type e against the online table of the view
-- on the source of type s (its key column typed by the inferred value type)
CREATE FUNCTION kr_online(e text, s text, OUT outcome text, OUT mismatches bigint, OUT answered boolean)
LANGUAGE plpgsql AS $$
DECLARE
	typ text := (SELECT regexp_replace(typ, ' COLLATE .*', '') FROM kr_types WHERE code = e);
BEGIN
	outcome := kr_run(
		'SELECT NULL',
		format($q$SELECT eid, NULL, NULL, v, NULL
				  FROM feast_online_features('SELECT eid, k FROM public.kr_ent_%s', ARRAY['v_%s:v'], project => 'kr')
				  AS o(eid int, k %s, v int)$q$, e, s, typ),
		format($q$SELECT e.eid, NULL, NULL, o.v, NULL FROM public.kr_ent_%s e
				  LEFT JOIN kr_online.kr_v_%s o ON e.k = o.k$q$, e, s));
	mismatches := kr_mismatches();
	answered := EXISTS (SELECT 1 FROM kr_ours WHERE v IS NOT NULL);
END
$$;

SELECT e.code AS entity, s.code AS source, h.*
FROM kr_types e CROSS JOIN kr_types s CROSS JOIN LATERAL kr_online(e.code, s.code) h
WHERE s.source_ok
ORDER BY 1, 2;

DROP FUNCTION kr_online(text, text), kr_entityless(text, text), kr_historical(text, text),
	kr_mismatches(), kr_run(text, text, text), kr_value(text, text);
SELECT action, count(*) FROM feast_apply(E'project: kr\nonline_store: {type: postgres, db_schema: kr_online}\nentities: []\nsources: []\nfeature_views: []\n')
GROUP BY 1 ORDER BY 1;
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM kr_types LOOP
		EXECUTE format('DROP TABLE kr_src_%s, kr_ent_%s', t.code, t.code);
	END LOOP;
END
$$;
DROP TABLE kr_types, kr_ours, kr_ref;
DROP DOMAIN kr_d8;
DROP COLLATION kr_ci;
DELETE FROM feast.projects WHERE name = 'kr';
