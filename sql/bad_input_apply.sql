-- Bad input for feast_apply: NULLs, empty documents and values, names that
-- need quoting (they must work), names and text that try to break out of
-- quoting or run SQL (they must not), hostile online schemas, huge and
-- negative ttls, oversized names. Every failure is a clear ERROR with its
-- SQLSTATE, and the database is left exactly as it was (bia_fp()).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- The outcome of a statement: SQLSTATE: message / DETAIL / HINT / CONTEXT
-- (our own context lines only), or 'no error'. A statement that succeeds
-- is rolled back too (by raising BIAOK after it), so that every case
-- starts from the same database.
CREATE FUNCTION bia_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
	ctx text;
BEGIN
	EXECUTE sql;
	RAISE EXCEPTION 'ok' USING ERRCODE = 'BIAOK';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT,
		ctx = PG_EXCEPTION_CONTEXT;
	IF st = 'BIAOK' THEN
		RETURN 'no error';
	END IF;
	-- ours come first; drop the caller's (they quote the whole document)
	ctx = replace(regexp_replace(ctx, E'(^|\n)(SQL statement|PL/pgSQL function|SQL function).*$', ''),
				  E'\n', ' / ');
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '')
		|| coalesce(E'\nCONTEXT: ' || nullif(ctx, ''), '');
END
$$;
-- The error of applying a document.
CREATE FUNCTION bia(doc text) RETURNS text LANGUAGE sql AS $$
	SELECT bia_err(format('SELECT * FROM feast_apply(%L)', doc))
$$;

-- A fingerprint of everything an apply could write: every registry table,
-- and the name of every relation and schema outside the system schemas.
CREATE FUNCTION bia_fp() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	acc text := '';
	part text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c
			 WHERE c.relnamespace = 'feast'::regnamespace AND c.relkind = 'r'
			 ORDER BY c.relname COLLATE "C"
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' ORDER BY x::text COLLATE "C")), '''') FROM feast.%I x', t)
			INTO part;
		acc := acc || t || '=' || part || ';';
	END LOOP;
	SELECT acc || md5(string_agg(n.nspname || '.' || coalesce(c.relname, ''), ','
								 ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"))
	INTO acc
	FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%';
	RETURN acc;
END
$$;

-- A source with columns whose names need quoting, and a table that
-- injection attempts would drop.
CREATE TABLE public.bia_stats (
	"Driver ""ID""" bigint,
	"event ts" timestamptz,
	"conv; rate" real,
	"--trips" integer,
	"ü €" text,
	driver_id bigint
);
INSERT INTO public.bia_stats VALUES (1, '2024-01-01', 0.5, 3, 'x', 1);
CREATE TABLE public.bia_victim (x integer);
INSERT INTO public.bia_victim VALUES (42);

CREATE TEMP TABLE bia_before AS SELECT bia_fp() AS fp;

---------------------------------------------------------------------------
-- NULLs
---------------------------------------------------------------------------
-- error: NULL document
SELECT bia_err($$SELECT * FROM feast_apply(NULL)$$);
-- error: NULL dry_run
SELECT bia_err($$SELECT * FROM feast_apply('project: bia', NULL)$$);
-- error: both NULL
SELECT bia_err($$SELECT * FROM feast_apply(NULL, NULL)$$);
-- error: NULL project value (YAML null)
SELECT bia('project: null');
SELECT bia('project: ~');
SELECT bia('project:');
-- error: NULL where a name, a list, a map or a string is expected
SELECT bia(E'project: bia\nentities: [{name: ~, join_keys: [driver_id]}]');
SELECT bia(E'project: bia\nentities: [{name: e, join_keys: [~]}]');
SELECT bia(E'project: bia\nentities: [~]');
SELECT bia(E'project: bia\nsources: [{name: s, type: table, table: ~, timestamp_field: ts}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: table, table: public.bia_stats, timestamp_field: ~}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [], source: ~, schema: [{name: a, dtype: Int64}]}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [], source: s, schema: [{name: a, dtype: ~}]}]');
SELECT bia(E'project: bia\nfeature_services: [{name: f, features: [~]}]');
-- a YAML null for an optional key is the key's default (rolled back)
SELECT bia(E'project: bia\nonline_store: {type: postgres, db_schema: ~}');

---------------------------------------------------------------------------
-- Empty documents, strings and lists
---------------------------------------------------------------------------
-- error: empty document, whitespace, a comment only
SELECT bia('');
SELECT bia(E'  \n\t\n');
SELECT bia('# nothing');
-- error: a document that is not a mapping
SELECT bia('{}');
SELECT bia('[]');
SELECT bia('project');
SELECT bia('42');
-- error: empty names
SELECT bia('project: ""');
SELECT bia(E'project: bia\nentities: [{name: "", join_keys: [driver_id]}]');
SELECT bia(E'project: bia\nentities: [{name: e, join_keys: [""]}]');
SELECT bia(E'project: bia\nentities: [{name: e, join_keys: []}]');
SELECT bia(E'project: bia\nsources: [{name: "", type: table, table: public.bia_stats, timestamp_field: driver_id}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: table, table: "", timestamp_field: "event ts"}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: query, query: "", timestamp_field: "event ts"}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: table, table: public.bia_stats, timestamp_field: ""}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: "", table: public.bia_stats, timestamp_field: "event ts"}]');
SELECT bia(E'project: bia\nsources: [{name: s, type: push, batch_source: ""}]');
SELECT bia(E'project: bia\nonline_store: {type: postgres, db_schema: ""}');
SELECT bia(E'project: bia\nfeature_views: [{name: "", entities: [], source: s, schema: [{name: a, dtype: Int64}]}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [""], source: s, schema: [{name: a, dtype: Int64}]}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [], source: "", schema: [{name: a, dtype: Int64}]}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [], source: s, schema: [{name: "", dtype: Int64}]}]');
SELECT bia(E'project: bia\nfeature_views: [{name: v, entities: [], source: s, schema: [{name: a, dtype: ""}]}]');
SELECT bia(E'project: bia\nfeature_services: [{name: "", features: [v]}]');
SELECT bia(E'project: bia\nfeature_services: [{name: f, features: [""]}]');
SELECT bia(E'project: bia\nfeature_services: [{name: f, features: [{feature_view: v, name: ""}]}]');
SELECT bia(E'project: bia\nfeature_services: [{name: f, features: [{feature_view: v, features: []}]}]');
-- error: an empty feature list in a projection of a view that exists, in a
-- dry run too: the position, never the registry's raw check constraint
CREATE FUNCTION bia_empty_features() RETURNS text LANGUAGE sql AS $f$ SELECT $y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views: [{name: v, entities: [], source: s, online: false, schema: [{name: "--trips", dtype: Int32}]}]
feature_services:
  - name: f
    features:
      - feature_view: v
        features: []
$y$ $f$;
SELECT bia(bia_empty_features());
SELECT bia_err($$SELECT * FROM feast_apply(bia_empty_features(), dry_run => true)$$);
DROP FUNCTION bia_empty_features();

---------------------------------------------------------------------------
-- Text that tries to break out of quoting or to run SQL
---------------------------------------------------------------------------
-- error: a table name with a statement after it (invalid_name)
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: "public.bia_stats; DROP TABLE public.bia_victim", timestamp_field: "event ts"}]
$y$);
-- error: a table name that closes a subquery
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: "public.bia_stats) AS x; DROP TABLE public.bia_victim; --", timestamp_field: "event ts"}]
$y$);
-- error: a table name with an unbalanced quote
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: 'public."bia_stats', timestamp_field: "event ts"}]
$y$);
-- error: a table name that is a function call
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: "pg_catalog.pg_sleep(10)", timestamp_field: "event ts"}]
$y$);
-- error: a query that closes the subquery and runs a second statement
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "SELECT * FROM public.bia_stats) AS x; DROP TABLE public.bia_victim; SELECT * FROM (SELECT 1", timestamp_field: "event ts"}]
$y$);
-- error: a query with a trailing statement
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "SELECT * FROM public.bia_stats; DROP TABLE public.bia_victim", timestamp_field: "event ts"}]
$y$);
-- error: a query that comments out the rest of the generated SQL
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "SELECT * FROM public.bia_stats /*", timestamp_field: "event ts"}]
$y$);
-- error: queries that write
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "WITH d AS (DELETE FROM public.bia_victim RETURNING *) SELECT * FROM public.bia_stats", timestamp_field: "event ts"}]
$y$);
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "DELETE FROM public.bia_victim RETURNING *", timestamp_field: "event ts"}]
$y$);
-- error: a query that is a utility statement
SELECT bia($y$
project: bia
sources: [{name: s, type: query, query: "DROP TABLE public.bia_victim", timestamp_field: "event ts"}]
$y$);
-- error: a feature name that tries to close the identifier quoting of the
-- online table (undefined_column: it is a name, not SQL)
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v, entities: [], source: s, schema: [{name: 'conv; rate" real); DROP TABLE public.bia_victim; --', dtype: Float32}]}
$y$);
-- error: field_mapping keys that try the same
SELECT bia($y$
project: bia
sources:
  - name: s
    type: table
    table: public.bia_stats
    timestamp_field: "event ts"
    field_mapping: {'x"); DROP TABLE public.bia_victim; --': y}
feature_views:
  - {name: v, entities: [], source: s, schema: [{name: y, dtype: Float32}]}
$y$);
-- error: a dtype that tries to inject a type
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v, entities: [], source: s, schema: [{name: "conv; rate", dtype: "Float32); DROP TABLE public.bia_victim; --"}]}
$y$);
-- error: a value type that tries the same
SELECT bia($y$
project: bia
entities: [{name: d, join_keys: [driver_id], value_type: "INT64 PRIMARY KEY); DROP TABLE public.bia_victim; --"}]
$y$);
-- error: keys are case-sensitive; a key given twice
SELECT bia(E'Project: bia');
SELECT bia(E'project: bia\nproject: other');
-- error: the victim is intact after all of these
SELECT x AS victim FROM public.bia_victim;
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_written;

---------------------------------------------------------------------------
-- Hostile online schemas
---------------------------------------------------------------------------
CREATE FUNCTION bia_online(schema text) RETURNS text LANGUAGE sql AS $$
	SELECT bia(format($y$
project: bia
online_store: {type: postgres, db_schema: %s}
entities: [{name: d, join_keys: [driver_id], value_type: INT64}]
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v, entities: [d], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$, to_json(schema)))
$$;
-- error: the system schemas, a temporary schema, the registry schema
SELECT bia_online('pg_catalog');
SELECT bia_online('information_schema');
SELECT bia_online('pg_toast');
SELECT bia_online('pg_temp');
SELECT bia_online('feast');
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_written;
-- error: an online table name that is a registry table: never adopted
SELECT bia($y$
project: feature
online_store: {type: postgres, db_schema: feast}
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: views, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$);
SELECT count(*) AS feature_views_still_a_registry_table
FROM pg_attribute WHERE attrelid = 'feast.feature_views'::regclass AND attname = 'ttl';
-- error: an online table name that exists and is not ours (a user table)
SELECT bia($y$
project: bia
online_store: {type: postgres, db_schema: public}
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: victim, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$);
-- the same name as a view, a sequence and an index
CREATE VIEW public.bia_v1 AS SELECT 1 AS a;
CREATE SEQUENCE public.bia_v2;
CREATE INDEX bia_v3 ON public.bia_victim (x);
SELECT bia($y$
project: bia
online_store: {type: postgres, db_schema: public}
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v1, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$);
SELECT bia($y$
project: bia
online_store: {type: postgres, db_schema: public}
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v2, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$);
SELECT bia($y$
project: bia
online_store: {type: postgres, db_schema: public}
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v3, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$);
DROP VIEW public.bia_v1;
DROP SEQUENCE public.bia_v2;
DROP INDEX public.bia_v3;
SELECT x AS victim FROM public.bia_victim;

---------------------------------------------------------------------------
-- ttl: huge, negative, calendar-dependent, not a duration
---------------------------------------------------------------------------
CREATE FUNCTION bia_ttl_doc(ttl text) RETURNS text LANGUAGE sql AS $$
	SELECT format($y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v, entities: [], source: s, online: false, ttl: %s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$, ttl)
$$;
-- error: each of these (message only: the detail and hint are the same)
SELECT t AS ttl, split_part(bia(bia_ttl_doc(t)), E'\n', 1) AS result
FROM unnest(ARRAY['-1s', '-1', '"-01:00:00"', 'PT-1H', '-0.000001s', '-0',
				  '99999999999999999999s', '9223372036854775807s', '9223372036854775808',
				  '2562047789h', 'P106751992D', '1.0000005s', '1e300', '.inf', '-.inf', '.nan',
				  'infinity', '"infinity"', '1y', '1mo', 'P1M', 'P1Y', '"1 mon"', '1w2',
				  '"1h; DROP TABLE public.bia_victim"', '""', 'true', '[1h]', '{h: 1}'])
	 WITH ORDINALITY AS u(t, n)
ORDER BY n;
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_written;
-- ttls at the edges of the range are stored exactly
CREATE FUNCTION bia_ttl_stored(ttl text) RETURNS interval LANGUAGE plpgsql AS $$
BEGIN
	PERFORM * FROM feast_apply(bia_ttl_doc(ttl));
	RETURN (SELECT f.ttl FROM feast.feature_views f WHERE f.project = 'bia' AND f.name = 'v');
END
$$;
SELECT t AS ttl, bia_ttl_stored(t) AS stored
FROM unnest(ARRAY['0', '0.000001s', '2562047788h', 'P106751991DT4H', '"2562047788:00:54.775807"'])
	 WITH ORDINALITY AS u(t, n)
ORDER BY n;
DELETE FROM feast.projects WHERE name = 'bia';
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_written;

---------------------------------------------------------------------------
-- Oversized names
---------------------------------------------------------------------------
-- error: project + view longer than 63 bytes (counted in bytes, not
-- characters: 31 two-byte characters are 62 bytes)
SELECT bia(format($y$
project: %s
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
feature_views:
  - {name: v, entities: [], source: s, schema: [{name: "conv; rate", dtype: Float32}]}
$y$, repeat('é', 31)));
-- error: an online schema longer than 63 bytes
SELECT bia_online(repeat('s', 64));
-- a table name longer than 63 bytes names the table its first 63 bytes
-- name, as it does in SQL
CREATE TABLE public.bia_long_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (ts timestamptz);
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: public.bia_long_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaXYZ, timestamp_field: ts}]
$y$);
DROP TABLE public.bia_long_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
-- error: a document over the size limit (64 MB), before any parsing
SELECT bia('project: bia' || E'\n' || '# ' || repeat('x', 64 * 1024 * 1024));
-- (too many nodes and too deep are in test/unit and apply_errors)
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_written;

---------------------------------------------------------------------------
-- A read-only transaction
---------------------------------------------------------------------------
BEGIN READ ONLY;
SELECT bia($y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
$y$);
ROLLBACK;
-- a dry run is allowed there: it writes nothing
BEGIN READ ONLY;
SELECT * FROM feast_apply($y$
project: bia
sources: [{name: s, type: table, table: public.bia_stats, timestamp_field: "event ts"}]
$y$, true) ORDER BY 1, 2;
ROLLBACK;

---------------------------------------------------------------------------
-- Names that need quoting work everywhere, and inject nothing
---------------------------------------------------------------------------
SELECT * FROM feast_apply($y$
project: 'Driver Stats "x"; --'
online_store: {type: postgres, db_schema: 'bia online; DROP TABLE public.bia_victim; --'}
entities:
  - {name: 'Driver "ID"', join_keys: ['Driver "ID"'], value_type: INT64}
sources:
  - name: "src; --"
    type: table
    table: public.bia_stats
    timestamp_field: "event ts"
    field_mapping: {"conv; rate": 'conv"rate', "ü €": "ü €"}
  - {name: "push 'src'", type: push, batch_source: "src; --"}
  - name: "q ☃"
    type: query
    query: 'SELECT "Driver ""ID""", "event ts", "--trips" FROM public.bia_stats -- trailing comment'
    timestamp_field: "event ts"
feature_views:
  - name: "v\"; DROP TABLE public.bia_victim; --"
    entities: ['Driver "ID"']
    source: "src; --"
    schema:
      - {name: 'conv"rate', dtype: Float32}
      - {name: "--trips", dtype: Int32}
      - {name: "ü €", dtype: String}
  - name: "ü☃"
    entities: ['Driver "ID"']
    source: "q ☃"
    schema:
      - {name: "--trips", dtype: Int32}
  - name: "$$; SELECT 1; $$"
    entities: []
    source: "push 'src'"
    schema:
      - {name: 'conv"rate', dtype: Float32}
feature_services:
  - name: "svc'); --"
    features:
      - "ü☃"
      - {feature_view: "v\"; DROP TABLE public.bia_victim; --", name: "alias \"x\"", features: ['conv"rate'], join_key_map: {'Driver "ID"': "other; id"}}
$y$) ORDER BY object_type COLLATE "C", name COLLATE "C";
SELECT x AS victim FROM public.bia_victim;
-- the online tables have the exact names and columns
SELECT o.feature_view, o.schema_name, o.table_name,
	   (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
		FROM pg_attribute a
		WHERE a.attrelid = format('%I.%I', o.schema_name, o.table_name)::regclass
		  AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM feast.online_tables o
WHERE o.project = 'Driver Stats "x"; --'
ORDER BY o.feature_view COLLATE "C";
-- the dump is accepted back unchanged
SELECT string_agg(DISTINCT action, ',') AS reapply
FROM feast_apply(feast_registry_dump('Driver Stats "x"; --'));
-- and deleting it all drops the tables and the registry rows
SELECT * FROM feast_apply($y$
project: 'Driver Stats "x"; --'
online_store: {type: postgres, db_schema: 'bia online; DROP TABLE public.bia_victim; --'}
entities: []
sources: []
feature_views: []
feature_services: []
$y$) ORDER BY object_type COLLATE "C", name COLLATE "C";
DELETE FROM feast.projects WHERE name = 'Driver Stats "x"; --';
DROP SCHEMA "bia online; DROP TABLE public.bia_victim; --";
SELECT x AS victim FROM public.bia_victim;
SELECT (SELECT fp FROM bia_before) = bia_fp() AS nothing_left;

-- Clean up.
DROP FUNCTION bia_online(text);
DROP FUNCTION bia_ttl_stored(text);
DROP FUNCTION bia_ttl_doc(text);
DROP FUNCTION bia(text);
DROP FUNCTION bia_err(text);
DROP FUNCTION bia_fp();
DROP TABLE bia_before;
DROP TABLE public.bia_stats;
DROP TABLE public.bia_victim;
