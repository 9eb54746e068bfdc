--
-- historical_edges: feast_historical (and the functions built on it),
-- feast_online_features and the pulls at the edges of SEMANTICS.md,
-- "Clarifications (2026-12-04)": join keys compared with SQL's =, never by
-- a cast; collations as SQL resolves them; only the needed source columns
-- read; result rows that own their values; over-long names refused, never
-- cut; huge ttls; start_date/end_date with an entity_df; query sources
-- ending in ';'; uuid join keys; a cursor's snapshot.
--
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE COLLATION he_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN he_small AS bigint CHECK (VALUE < 100);
CREATE TABLE he_num (k numeric, ts timestamptz, v text);
CREATE TABLE he_vc (k varchar, ts timestamptz, v text);
-- a timestamp (without time zone) source; "secret" is not granted below
CREATE TABLE he_i8 (k bigint, ts timestamp, v text, secret text);
CREATE TABLE he_name (k name, ts timestamptz, v text);
CREATE TABLE he_ci (k text COLLATE he_ci, ts timestamptz, v text);
CREATE TABLE he_ts (k timestamptz, ts timestamptz, v text);
CREATE TABLE he_i4 (k int, ts timestamptz, v text);
CREATE TABLE he_uuid (id uuid, ts timestamptz, v text);
CREATE TABLE he_q (k bigint, ts timestamptz, num int, den int);
CREATE TABLE he_big (k bigint, ts timestamptz, doc text);

INSERT INTO he_num VALUES (1.5, '2024-01-01', 'one and a half'), (2.0, '2024-01-01', 'two'),
	(5000000000, '2024-01-01', 'five billion');
INSERT INTO he_vc VALUES ('a', '2024-01-01', 'a'), ('apple', '2024-01-01', 'apple'), ('pear ', '2024-01-01', 'pear');
-- 4294967297 is 2^32 + 1, whose low 32 bits are 1
INSERT INTO he_i8 VALUES (1, '2024-01-01 00:00', 'one', 's'), (4294967297, '2024-01-01 01:00', 'two^32+1', 's'),
	(2, '2024-01-01 00:00', 'two', 's'), (3, '2024-01-01 00:00', 'three', 's'), (150, '2024-01-01', '150', 's'),
	(-1, '2024-01-01 00:00', 'minus one', 's');
INSERT INTO he_name VALUES (repeat('x', 63), '2024-01-01', 'x63'), ('apple', '2024-01-01', 'apple');
INSERT INTO he_ci VALUES ('ABC', '2024-01-01', 'ABC'), ('Straße', '2024-01-01', 'Straße');
INSERT INTO he_ts VALUES ('2024-01-01 00:00+00', '2024-01-01', 'midnight'), ('2024-01-01 01:00+00', '2024-01-01', 'one o''clock'),
	('2024-01-02 00:00+00', '2024-01-01', 'next midnight');
INSERT INTO he_i4 VALUES (1, '2024-01-01', 'one'), (2, '2024-01-01', 'two'), (2, '2024-01-02', 'two, later');
INSERT INTO he_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-01', 'u1');
INSERT INTO he_q VALUES (1, '2024-01-01', 10, 0), (2, '2024-01-01', 20, 4);
INSERT INTO he_big SELECT 1, '2024-01-01', string_agg(md5(i::text), '') FROM generate_series(1, 2000) i;

SELECT object_type, name, action FROM feast_apply($y$
project: he
online_store: {type: postgres, db_schema: he_online}
entities:
  - {name: e_num, join_keys: [k]}
  - {name: e_vc, join_keys: [k]}
  - {name: e_i8, join_keys: [k]}
  - {name: e_name, join_keys: [k]}
  - {name: e_ci, join_keys: [k]}
  - {name: e_ts, join_keys: [k], value_type: UNIX_TIMESTAMP}
  - {name: e_uuid, join_keys: [id]}
  - {name: e_i4, join_keys: [k]}
sources:
  - {name: s_num, type: table, table: public.he_num, timestamp_field: ts}
  - {name: s_vc, type: table, table: public.he_vc, timestamp_field: ts}
  - {name: s_i8, type: table, table: public.he_i8, timestamp_field: ts}
  - {name: s_name, type: table, table: public.he_name, timestamp_field: ts}
  - {name: s_ci, type: table, table: public.he_ci, timestamp_field: ts}
  - {name: s_ts, type: table, table: public.he_ts, timestamp_field: ts}
  - {name: s_uuid, type: table, table: public.he_uuid, timestamp_field: ts}
  - {name: s_i4, type: table, table: public.he_i4, timestamp_field: ts}
  - {name: s_q, type: query, query: "SELECT k, ts, num, num / den AS ratio FROM public.he_q;", timestamp_field: ts}
  - {name: s_big, type: table, table: public.he_big, timestamp_field: ts}
feature_views:
  - {name: v_num, entities: [e_num], source: s_num, schema: [{name: v, dtype: String}]}
  - {name: v_vc, entities: [e_vc], source: s_vc, schema: [{name: v, dtype: String}]}
  - {name: v_i8, entities: [e_i8], source: s_i8, ttl: 3000000d, online: true, schema: [{name: v, dtype: String}]}
  - {name: v_name, entities: [e_name], source: s_name, schema: [{name: v, dtype: String}]}
  - {name: v_ci, entities: [e_ci], source: s_ci, schema: [{name: v, dtype: String}]}
  - {name: v_ts, entities: [e_ts], source: s_ts, schema: [{name: v, dtype: String}]}
  - {name: v_uuid, entities: [e_uuid], source: s_uuid, online: true, schema: [{name: v, dtype: String}]}
  - {name: v_i4, entities: [e_i4], source: s_i4, schema: [{name: v, dtype: String}]}
  - {name: v_q, entities: [e_i8], source: s_q, schema: [{name: num, dtype: Int32}]}
  - {name: v_ratio, entities: [e_i8], source: s_q, schema: [{name: ratio, dtype: Int32}]}
  - {name: v_big, entities: [e_i8], source: s_big, online: true, schema: [{name: doc, dtype: String}]}
$y$) ORDER BY 1, 2;

-- Inferred value types: a uuid join key is a STRING (its text form), as
-- Feast reads a uuid column; the query source is stored without its ';'.
SELECT name, value_type FROM feast.entities WHERE project = 'he' ORDER BY name COLLATE "C";
SELECT query FROM feast.data_sources WHERE project = 'he' AND name = 's_q';

--
-- Keys compare with SQL's =, never by a cast of the source key to the
-- entity_df column's type.
--
-- numeric source, integer entity_df: numeric = numeric, so 1.5 matches
-- nothing (a cast would round it to 2) and 2 matches 2.0
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1, '2024-02-01'::timestamptz), (2, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_num:v'], project => 'he') AS t(k int, ts timestamptz, v text) ORDER BY k;
-- bigint entity_df, numeric source: the same the other way round
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (2::bigint, '2024-02-01'::timestamptz), (5000000000, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_num:v'], project => 'he') AS t(k bigint, ts timestamptz, v text) ORDER BY k;
-- char(5) entity_df, varchar source: character = character, the varchar
-- read as character of any length, so 'a' is 'a' and 'apple' is 'apple' (a
-- cast to character without a length would read char(1)); trailing blanks
-- do not count
SELECT * FROM feast_historical($$SELECT k::char(5) AS k, '2024-02-01'::timestamptz AS ts FROM (VALUES ('a'), ('apple'), ('pear')) v(k)$$,
	ARRAY['v_vc:v'], project => 'he') AS t(k char(5), ts timestamptz, v text) ORDER BY k;
-- integer entity_df (what VALUES gives), bigint source with a value beyond
-- integer: no "integer out of range"; 2^32 + 1 never matches 1, on the
-- direct table (dense keys) as on the hash table (sparse keys) and through
-- the executor (an index forces it); smallint entity_df too
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1, '2024-02-01'::timestamptz), (2, '2024-02-01'), (3, '2024-02-01'), (-1, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k int, ts timestamptz, v text) ORDER BY k;
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1, '2024-02-01'::timestamptz), (1000000, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k int, ts timestamptz, v text) ORDER BY k;
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1::smallint, '2024-02-01'::timestamptz), (-1::smallint, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k smallint, ts timestamptz, v text) ORDER BY k;
CREATE INDEX he_i8_ts ON he_i8 (ts);
SET enable_seqscan = off;
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1, '2024-02-01'::timestamptz), (2, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k int, ts timestamptz, v text) ORDER BY k;
RESET enable_seqscan;
-- a domain-typed entity_df key: compared as its base type, its check never
-- applied to source keys (150 is not a he_small)
SELECT * FROM feast_historical($$SELECT k::he_small AS k, '2024-02-01'::timestamptz AS ts FROM (VALUES (1), (2)) v(k)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k he_small, ts timestamptz, v text) ORDER BY k;
-- text entity_df, name source: text = name, so a 70-byte text is not the
-- 63-byte name it starts with (a cast to name would cut it)
SELECT length(k) AS len, v FROM feast_historical($$SELECT * FROM (VALUES (repeat('x', 70), '2024-02-01'::timestamptz),
	(repeat('x', 63), '2024-02-01'), ('apple', '2024-02-01')) e(k, ts)$$,
	ARRAY['v_name:v'], project => 'he') AS t(k text, ts timestamptz, v text) ORDER BY 1, 2;
-- date entity_df, timestamptz source: date = timestamptz has no hash
-- support, so the entity keys are sorted by its btree operator family and
-- searched (duplicate and NULL keys included)
SELECT * FROM feast_historical($$SELECT * FROM (VALUES ('2024-01-01'::date, '2024-02-01'::timestamptz), ('2024-01-02', '2024-02-01'),
	('2024-01-01', '2024-02-01'), ('2024-01-03', '2024-02-01'), (NULL, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_ts:v'], project => 'he') AS t(k date, ts timestamptz, v text) ORDER BY k;
-- xid entity_df, integer source: xid = integer has neither, so each source
-- row is compared with every key through the operator
SELECT * FROM feast_historical($$SELECT * FROM (VALUES ('1'::xid, '2024-02-01'::timestamptz), ('2', '2024-02-01'),
	('1', '2024-02-01'), ('3', '2024-02-01'), ('2', '2024-01-01 12:00'), (NULL, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i4:v'], project => 'he') AS t(k xid, ts timestamptz, v text) ORDER BY k::text, ts;
-- types with no = between them: an error naming both columns and types
SELECT * FROM feast_historical($$SELECT 'a'::text AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k text, ts timestamptz, v text);
SELECT * FROM feast_historical($$SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text AS id, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_uuid:v'], project => 'he') AS t(id text, ts timestamptz, v text);
SELECT * FROM feast_historical($$SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_uuid:v'], project => 'he') AS t(id uuid, ts timestamptz, v text);

-- online reads compare the same way: a uuid key's online column is text
-- (the STRING value type), which a uuid entity_df column has no = with
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', ARRAY['v_uuid'], project => 'he');
SELECT * FROM feast_online_features($$SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text AS id$$,
	ARRAY['v_uuid:v'], project => 'he') AS t(id text, v text);
SELECT * FROM feast_online_features($$SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id$$,
	ARRAY['v_uuid:v'], project => 'he') AS t(id uuid, v text);

--
-- Collations as SQL resolves them: the source key's case-insensitive
-- collation wins over the entity_df's default one; two different
-- collations are an error, as in SQL
--
SELECT * FROM feast_historical($$SELECT * FROM (VALUES ('abc', '2024-02-01'::timestamptz), ('ABC', '2024-02-01'), ('abd', '2024-02-01'),
	('STRASSE', '2024-02-01')) e(k, ts)$$,
	ARRAY['v_ci:v'], project => 'he') AS t(k text, ts timestamptz, v text) ORDER BY k COLLATE "C";
SELECT * FROM feast_historical($$SELECT 'abc' COLLATE "C" AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_ci:v'], project => 'he') AS t(k text, ts timestamptz, v text);
-- entity-less: keys of numeric and bigint sources unite as numeric (SQL's
-- UNION), then each view compares its keys with =
SELECT * FROM feast_historical(NULL, ARRAY['v_num:v', 'v_i8:v'], full_feature_names => true, project => 'he',
	start_date => '2023-12-31', end_date => '2024-01-01 00:30')
	AS t(ts timestamptz, k numeric, num_v text, i8_v text) ORDER BY k;
SELECT * FROM feast_historical(NULL, ARRAY['v_ci:v', 'v_name:v'], full_feature_names => true, project => 'he',
	start_date => '2023-12-31', end_date => '2024-01-02') AS t(ts timestamptz, k text, a text, b text);
SELECT * FROM feast_historical(NULL, ARRAY['v_num:v', 'v_vc:v'], full_feature_names => true, project => 'he',
	start_date => '2023-12-31', end_date => '2024-01-02') AS t(ts timestamptz, k text, a text, b text);

--
-- Only the needed columns are read: column privileges on the others, and a
-- query source's unrequested expression (num / den with den = 0), do not
-- matter; in the direct table read and through the executor alike.
--
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1::bigint, '2024-02-01'::timestamptz), (2, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_q:num'], project => 'he') AS t(k bigint, ts timestamptz, num int) ORDER BY k;
CREATE ROLE regress_he_reader;
GRANT SELECT (k, ts, v) ON he_i8 TO regress_he_reader;
GRANT SELECT (k, ts, num, den) ON he_q TO regress_he_reader;
GRANT SELECT ON he_big, he_uuid TO regress_he_reader;
GRANT USAGE ON SCHEMA he_online TO regress_he_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA he_online TO regress_he_reader;
SET ROLE regress_he_reader;
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1::bigint, '2024-02-01'::timestamptz), (2, '2024-02-01')) e(k, ts)$$,
	ARRAY['v_i8:v', 'v_q:num'], project => 'he') AS t(k bigint, ts timestamptz, v text, num int) ORDER BY k;
SET enable_seqscan = off;
SELECT * FROM feast_historical($$SELECT * FROM (VALUES (1::bigint, '2024-02-01'::timestamptz)) e(k, ts)$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k bigint, ts timestamptz, v text);
RESET enable_seqscan;
-- error: the = between integer and bigint may not be executed, as in SQL
RESET ROLE;
REVOKE EXECUTE ON FUNCTION pg_catalog.int48eq(integer, bigint) FROM PUBLIC;
SET ROLE regress_he_reader;
SELECT * FROM feast_historical($$SELECT 1 AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k int, ts timestamptz, v text);
SELECT count(*) FROM (SELECT 1 AS k) e JOIN he_i8 s ON e.k = s.k;
RESET ROLE;
GRANT EXECUTE ON FUNCTION pg_catalog.int48eq(integer, bigint) TO PUBLIC;
SET ROLE regress_he_reader;
SELECT k, ts, v FROM feast_pull_latest('v_i8', '2023-01-01', '2025-01-01', project => 'he')
	AS t(k bigint, v text, ts timestamptz, created timestamptz) ORDER BY k;
SELECT count(*) FROM feast_pull_all('v_i8', project => 'he')
	AS t(k bigint, v text, ts timestamptz, created timestamptz);
SELECT * FROM feast_pull_all('v_q', project => 'he')
	AS t(k bigint, num int, ts timestamptz, created timestamptz) ORDER BY k;
SELECT * FROM feast_pull_latest('v_q', '2023-01-01', '2025-01-01', project => 'he')
	AS t(k bigint, num int, ts timestamptz, created timestamptz) ORDER BY k;
-- error: a pull on the data source returns all its columns, secret too
SELECT count(*) FROM feast_pull_all('s_i8', project => 'he')
	AS t(k bigint, ts timestamptz, v text, secret text);
RESET ROLE;
-- error: the ratio is requested, so computed
SELECT * FROM feast_historical($$SELECT 1::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_ratio:ratio'], project => 'he') AS t(k bigint, ts timestamptz, ratio int);

--
-- Huge ttl on a timestamp source: t - ttl is before 4713 BC, which means no
-- lower bound (the calls above read it too)
--
SELECT ttl FROM feast.feature_views WHERE project = 'he' AND name = 'v_i8';
SELECT * FROM feast_historical($$SELECT 3::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k bigint, ts timestamptz, v text);
SELECT * FROM feast_historical(NULL, ARRAY['v_i8:v'], project => 'he', end_date => '2024-01-01 00:00')
	AS t(ts timestamptz, k bigint, v text) ORDER BY k;

--
-- Names are never cut: a result column name over 63 bytes is an error
-- naming it, in every function that would make it an identifier
--
SELECT object_type, name, action FROM feast_apply($y$
project: he
online_store: {type: postgres, db_schema: he_online}
feature_services:
  - name: long_names
    features:
      - feature_view: v_vc
        name: ääääääääääääääääääääääääääääää
        features: [v]
$y$) WHERE action <> 'unchanged' ORDER BY 1, 2;
-- 60 bytes of alias, "__v": 63 bytes, fine
SELECT * FROM feast_historical_sql($$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	feature_service => 'long_names', full_feature_names => true, project => 'he');
SELECT object_type, name, action FROM feast_apply($y$
project: he
online_store: {type: postgres, db_schema: he_online}
feature_services:
  - name: long_names
    features:
      - feature_view: v_vc
        name: äääääääääääääääääääääääääääääää
        features: [v]
      - feature_view: v_i8
        name: äääääääääääääääääääääääääääääää1
        features: [v]
$y$) WHERE action <> 'unchanged' ORDER BY 1, 2;
-- errors: 62 bytes of alias, "__v": 65 bytes; cut at 63 bytes they would
-- split a character, and the two names would be equal
SELECT feast_historical_sql($$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	feature_service => 'long_names', full_feature_names => true, project => 'he');
SELECT * FROM feast_historical($$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	feature_service => 'long_names', full_feature_names => true, project => 'he') AS t(k varchar, ts timestamptz, a text, b text);
SELECT feast_create_training_view('he_training', $$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	feature_service => 'long_names', full_feature_names => true, project => 'he');
SELECT feast_persist('he_persisted', $$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	feature_service => 'long_names', full_feature_names => true, project => 'he');
SELECT * FROM feast_online_features($$SELECT 'a'::text AS k$$, feature_service => 'long_names',
	full_feature_names => true, project => 'he') AS t(k text, a text, b text);
-- without full names: fine
SELECT * FROM feast_historical_sql($$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_vc:v'], project => 'he');
-- error: a view or table name over 63 bytes
SELECT feast_create_training_view(repeat('ä', 32), $$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_vc:v'], project => 'he');
SELECT feast_persist('public."' || repeat('ä', 32) || '"', $$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_vc:v'], project => 'he');
SELECT feast_create_training_view('public.' || repeat('ä', 31), $$SELECT 'a'::varchar AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_vc:v'], project => 'he');
SELECT pg_get_viewdef('public.' || repeat('ä', 31)) LIKE '%feast_historical%' AS created;
DROP VIEW public.äääääääääääääääääääääääääääääää;

--
-- start_date / end_date with an entity_df: an error, not ignored
--
SELECT * FROM feast_historical($$SELECT 1::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he', start_date => '2024-01-01') AS t(k bigint, ts timestamptz, v text);
SELECT feast_historical_sql($$SELECT 1::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he', end_date => '2024-01-01');

--
-- Result rows own their values: a cursor's rows stay valid after the
-- tables they came from are truncated (their long values were stored out
-- of line, TOAST)
--
CREATE TABLE he_ent (k bigint, ts timestamptz, doc text);
INSERT INTO he_ent SELECT 1, '2024-02-01', string_agg(md5((-i)::text), '') FROM generate_series(1, 2000) i;
INSERT INTO he_ent SELECT * FROM he_ent;
INSERT INTO he_ent SELECT * FROM he_ent;
SELECT feature_view, rows_written FROM feast_materialize('2023-01-01', '2025-01-01', ARRAY['v_big'], project => 'he');
BEGIN;
DECLARE c CURSOR FOR SELECT k, md5(doc) AS entity_doc, md5(v_big__doc) AS source_doc
	FROM feast_historical('he_ent', ARRAY['v_big:doc'], full_feature_names => true, project => 'he')
	AS t(k bigint, ts timestamptz, doc text, v_big__doc text);
FETCH 1 FROM c;
TRUNCATE he_ent, he_big;
FETCH ALL FROM c;
COMMIT;
INSERT INTO he_ent SELECT 1, '2024-02-01', string_agg(md5((-i)::text), '') FROM generate_series(1, 2000) i;
INSERT INTO he_big SELECT 1, '2024-01-01', string_agg(md5(i::text), '') FROM generate_series(1, 2000) i;
INSERT INTO he_big SELECT * FROM he_big;
BEGIN;
DECLARE c CURSOR FOR SELECT k, md5(doc) AS doc FROM feast_pull_all('v_big', project => 'he')
	AS t(k bigint, doc text, ts timestamptz, created timestamptz);
FETCH 1 FROM c;
TRUNCATE he_big;
FETCH ALL FROM c;
COMMIT;
BEGIN;
DECLARE c CURSOR FOR SELECT k, md5(doc) AS doc, md5(v_big__doc) AS online_doc
	FROM feast_online_features('SELECT * FROM he_ent UNION ALL SELECT * FROM he_ent', ARRAY['v_big:doc'],
							   full_feature_names => true, project => 'he')
	AS t(k bigint, ts timestamptz, doc text, v_big__doc text);
FETCH 1 FROM c;
TRUNCATE he_ent, he_online.he_v_big;
FETCH ALL FROM c;
COMMIT;

--
-- A cursor over feast_historical reads with the cursor's snapshot: rows
-- inserted after DECLARE are not seen, as in a plain query
--
BEGIN;
DECLARE c CURSOR FOR SELECT * FROM feast_historical($$SELECT 7::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k bigint, ts timestamptz, v text);
DECLARE plain CURSOR FOR SELECT v FROM he_i8 WHERE k = 7;
INSERT INTO he_i8 VALUES (7, '2024-01-01', 'seven', 's');
FETCH ALL FROM c;
FETCH ALL FROM plain;
COMMIT;
SELECT * FROM feast_historical($$SELECT 7::bigint AS k, '2024-02-01'::timestamptz AS ts$$,
	ARRAY['v_i8:v'], project => 'he') AS t(k bigint, ts timestamptz, v text);

-- Clean up
SELECT count(*) > 0 AS deleted FROM feast_apply($y$
project: he
online_store: {type: postgres, db_schema: he_online}
entities: []
sources: []
feature_views: []
feature_services: []
$y$);
DELETE FROM feast.projects WHERE name = 'he';
DROP SCHEMA he_online CASCADE;
DROP TABLE he_num, he_vc, he_i8, he_name, he_ci, he_ts, he_i4, he_uuid, he_q, he_big, he_ent;
DROP ROLE regress_he_reader;
DROP DOMAIN he_small;
DROP COLLATION he_ci;
