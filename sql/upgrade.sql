-- Upgrades. offline_store has one version (0.1.0), so there is no update
-- path to walk yet. This file checks what any future update script must
-- keep true, so that one that forgets an object fails here:
--   1. ALTER EXTENSION ... UPDATE to the installed version is a no-op;
--   2. every object in schema feast and every feast_* function is a member
--      of the extension (so pg_dump and DROP EXTENSION handle it);
--   3. pg_extension_config_dump covers every registry table and sequence,
--      and nothing else (pg_dump keeps user rows);
--   4. every version that has an update path to the default version, once
--      updated, is the same as a fresh install of the default version
--      (catalog fingerprint: members, columns, constraints, indexes,
--      triggers, functions, grants, comments, extconfig), checked in a
--      scratch database;
--   5. the installed extension here is the same as a fresh install.
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- 1. versions and update paths (a new version or path shows as a diff)
SELECT name, version, installed, superuser, trusted, relocatable, schema, requires
FROM pg_available_extension_versions WHERE name = 'offline_store' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('offline_store')
WHERE path IS NOT NULL ORDER BY source, target;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'offline_store')
	   AS at_default_version
FROM pg_extension WHERE extname = 'offline_store';
ALTER EXTENSION offline_store UPDATE;
ALTER EXTENSION offline_store UPDATE TO '0.1.0';
-- error: versions that do not exist, or that have no path
ALTER EXTENSION offline_store UPDATE TO '0.2.0';
ALTER EXTENSION offline_store UPDATE TO '0.0.1';
-- error: the extension is not relocatable
CREATE SCHEMA upg_elsewhere;
ALTER EXTENSION offline_store SET SCHEMA upg_elsewhere;
DROP SCHEMA upg_elsewhere;
SELECT extversion FROM pg_extension WHERE extname = 'offline_store';

-- 2. objects that are not members of the extension: none (the schema feast
-- holds only the extension's objects; online tables are refused there)
SELECT pg_describe_object(classid, objid, 0) AS not_a_member
FROM (
	SELECT 'pg_class'::regclass AS classid, c.oid AS objid
	FROM pg_class c
	WHERE c.relnamespace = 'feast'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f', 'c')
	UNION ALL
	SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p
	WHERE p.pronamespace = 'feast'::regnamespace
	   OR (p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'offline_store')
		   AND p.proname LIKE 'feast\_%')
	UNION ALL
	SELECT 'pg_type'::regclass, t.oid FROM pg_type t
	WHERE t.typnamespace = 'feast'::regnamespace AND t.typrelid = 0 AND t.typelem = 0
) o
WHERE NOT EXISTS (
	SELECT 1 FROM pg_depend d
	WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'e'
	  AND d.refclassid = 'pg_extension'::regclass
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'offline_store'))
ORDER BY 1;

-- 3. pg_extension_config_dump: every table and sequence of schema feast,
-- with no row filter, and only those
SELECT coalesce(c.relname, x.relname) AS relation,
	   c.relname IS NOT NULL AS in_feast, x.relname IS NOT NULL AS dumped, x.condition
FROM (SELECT relname FROM pg_class
	  WHERE relnamespace = 'feast'::regnamespace AND relkind IN ('r', 'p', 'S')) c
FULL JOIN (
	SELECT cfg::regclass::text AS qualified, r.relname, cond AS condition
	FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
	JOIN pg_class r ON r.oid = u.cfg
	WHERE e.extname = 'offline_store') x ON x.relname = c.relname
WHERE c.relname IS NULL OR x.relname IS NULL OR x.condition <> '' OR x.qualified <> 'feast.' || x.relname
ORDER BY 1;
SELECT count(*) AS config_tables FROM pg_extension e, unnest(e.extconfig) WHERE e.extname = 'offline_store';

-- The catalog fingerprint of the installed extension: one line per fact.
CREATE FUNCTION upg_fingerprint() RETURNS SETOF text LANGUAGE sql AS $f$
WITH ext AS (SELECT oid, extnamespace FROM pg_extension WHERE extname = 'offline_store'),
members AS (
	SELECT d.classid, d.objid FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (
	SELECT c.* FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
procs AS (
	SELECT p.* FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid),
-- privileges as granted, whether spelled out or default, in a stable order
acl AS (
	SELECT 'r' || r.oid AS k, r.relacl AS a, CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END AS t, r.relowner AS o FROM rels r
	UNION ALL SELECT 'f' || p.oid, p.proacl, 'f', p.proowner FROM procs p
	UNION ALL SELECT 'n' || n.oid, n.nspacl, 'n', n.nspowner FROM pg_namespace n),
acls AS (
	SELECT k, (SELECT string_agg(x::text, ',' ORDER BY x::text)
			   FROM unnest(coalesce(a, acldefault(t::"char", o))) x) AS acl
	FROM acl)
SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM members
UNION ALL
SELECT format('extension relocatable=%s schema=%s config=%s conditions=%s',
			  e.extrelocatable, e.extnamespace::regnamespace,
			  (SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text) FROM unnest(e.extconfig) c),
			  array_to_string(e.extcondition, ','))
FROM pg_extension e WHERE e.extname = 'offline_store'
UNION ALL
SELECT format('relation %s kind=%s acl=%s rls=%s/%s comment=%s', r.oid::regclass, r.relkind,
			  ac.acl, r.relrowsecurity, r.relforcerowsecurity, obj_description(r.oid, 'pg_class'))
FROM rels r JOIN acls ac ON ac.k = 'r' || r.oid
UNION ALL
SELECT format('column %s.%s %s notnull=%s default=%s generated=%s identity=%s acl=%s',
			  a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			  pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity, a.attacl)
FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('constraint %s %s %s deferrable=%s deferred=%s', co.conrelid::regclass, co.conname,
			  pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred)
FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN rels r ON r.oid = i.indrelid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'policy ' || format('%s %s %s %s %s %s', po.schemaname, po.tablename, po.policyname, po.cmd, po.qual, po.with_check)
FROM pg_policies po WHERE po.schemaname = 'feast'
UNION ALL
SELECT format('function %s returns %s volatile=%s parallel=%s strict=%s secdef=%s leakproof=%s config=%s acl=%s comment=%s body=%s',
			  p.oid::regprocedure, pg_get_function_result(p.oid), p.provolatile, p.proparallel,
			  p.proisstrict, p.prosecdef, p.proleakproof, p.proconfig, ac.acl,
			  obj_description(p.oid, 'pg_proc'), md5(pg_get_functiondef(p.oid)))
FROM procs p JOIN acls ac ON ac.k = 'f' || p.oid
UNION ALL
SELECT format('schema %s acl=%s comment=%s', n.nspname, ac.acl, obj_description(n.oid, 'pg_namespace'))
FROM pg_namespace n JOIN acls ac ON ac.k = 'n' || n.oid JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
$f$;
SELECT count(*) > 100 AS fingerprint_has_lines, count(*) = count(DISTINCT l) AS lines_distinct
FROM upg_fingerprint() l;
SELECT string_agg(l, E'\n' ORDER BY l COLLATE "C") AS fp FROM upg_fingerprint() l \gset
SELECT pg_get_functiondef('upg_fingerprint()'::regprocedure) AS fpdef \gset

-- 4. and 5. in a scratch database
CREATE DATABASE upg_scratch TEMPLATE template0;
\c upg_scratch
SET client_min_messages = warning;
-- error: a pre-existing schema feast blocks the installation
CREATE SCHEMA feast;
CREATE EXTENSION offline_store;
DROP SCHEMA feast;
-- a fresh install of the default version
CREATE EXTENSION offline_store;
-- (the same fingerprint function, not echoed)
\set ECHO none
SELECT :'fpdef' \gexec
\set ECHO all
-- lines that differ from the extension installed in contrib_regression
-- (none: the same install script)
(SELECT 'only here: ' || l FROM upg_fingerprint() l
 EXCEPT SELECT 'only here: ' || l FROM regexp_split_to_table(:'fp', E'\n') l)
UNION ALL
(SELECT 'only there: ' || l FROM regexp_split_to_table(:'fp', E'\n') l
 EXCEPT SELECT 'only there: ' || l FROM upg_fingerprint() l)
ORDER BY 1;
SELECT string_agg(l, E'\n' ORDER BY l COLLATE "C") AS fp_fresh FROM upg_fingerprint() l \gset
DROP EXTENSION offline_store;
SET upg.fp_fresh TO :'fp_fresh';
-- every older version with a path to the default version, updated, is the
-- same as the fresh install (no such version yet: the loop is empty)
CREATE TABLE upg_paths_checked (source text, differences bigint);
DO $$
DECLARE
	v text;
	dflt text := (SELECT default_version FROM pg_available_extensions WHERE name = 'offline_store');
BEGIN
	FOR v IN SELECT source FROM pg_extension_update_paths('offline_store')
			 WHERE target = dflt AND path IS NOT NULL ORDER BY source
	LOOP
		EXECUTE format('CREATE EXTENSION offline_store VERSION %L', v);
		ALTER EXTENSION offline_store UPDATE;
		INSERT INTO upg_paths_checked
		SELECT v, count(*) FROM (
			(SELECT l FROM upg_fingerprint() l
			 EXCEPT SELECT l FROM regexp_split_to_table(current_setting('upg.fp_fresh'), E'\n') l)
			UNION ALL
			(SELECT l FROM regexp_split_to_table(current_setting('upg.fp_fresh'), E'\n') l
			 EXCEPT SELECT l FROM upg_fingerprint() l)) d;
		DROP EXTENSION offline_store;
	END LOOP;
END
$$;
SELECT source, differences FROM upg_paths_checked ORDER BY source;
SELECT count(*) AS paths_with_differences FROM upg_paths_checked WHERE differences > 0;
\c contrib_regression
DROP DATABASE upg_scratch;
DROP FUNCTION upg_fingerprint();
