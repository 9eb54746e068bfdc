-- Bad input for feast_registry_dump: NULL and empty projects, unknown and
-- near-miss names, hostile names, the offline_store.project setting, and
-- text the YAML writer must quote (every dump must apply back unchanged).
SET TimeZone = 'UTC';
SET datestyle = 'ISO, YMD';

-- SQLSTATE: message / DETAIL / HINT, or 'no error'.
CREATE FUNCTION bid_err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg
		|| coalesce(E'\nDETAIL: ' || nullif(det, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hnt, ''), '');
END
$$;
CREATE FUNCTION bid(project text) RETURNS text LANGUAGE sql AS $$
	SELECT bid_err(format('SELECT feast_registry_dump(%L)', project))
$$;

-- The tests start with an empty registry.
SELECT count(*) AS projects FROM feast.projects;

-- error: no project at all, with a NULL, an empty or any name
SELECT bid_err('SELECT feast_registry_dump()');
SELECT bid(NULL);
SELECT bid('');
SELECT bid('driver_ranking');

CREATE TABLE public.bid_stats (driver_id bigint, ts timestamptz, conv real);
INSERT INTO public.bid_stats VALUES (1, '2024-01-01', 0.5);
SELECT action FROM feast_apply($y$
project: 'Bid "Project"'
sources: [{name: s, type: table, table: public.bid_stats, timestamp_field: ts}]
$y$) ORDER BY 1;

-- the only project is the default
SELECT bid(NULL);
-- error: unknown and near-miss names; names that try to widen the lookup
SELECT p AS project, bid(p) AS result
FROM unnest(ARRAY['', ' ', 'Bid "Project" ', ' Bid "Project"', 'bid "project"',
				  'Bid "Project"' || chr(8203), 'Bid %', 'Bid _Project_', '%',
				  $$' OR '1'='1$$, $$x'); DROP TABLE public.bid_stats; --$$,
				  'Bid "Project"; --']) WITH ORDINALITY AS u(p, n)
ORDER BY n;
SELECT left(bid(repeat('x', 10000)), 40) || '...' AS long_name;
SELECT count(*) AS bid_stats_intact FROM public.bid_stats;

-- error: the setting names an unknown project (then the empty setting is
-- the same as none)
SET offline_store.project = 'nope';
SELECT bid(NULL);
SET offline_store.project = '';
SELECT bid(NULL) = bid('Bid "Project"') AS empty_setting_is_none;
SET offline_store.project = 'Bid "Project"';
SELECT bid(NULL) AS with_setting;
RESET offline_store.project;

-- error: a second project makes NULL ambiguous
SELECT action FROM feast_apply($y$
project: bid_other
$y$) ORDER BY 1;
SELECT bid(NULL);
SELECT count(*) FROM feast_apply('project: bid_other', true);
DELETE FROM feast.projects WHERE name = 'bid_other';

---------------------------------------------------------------------------
-- Text the YAML writer must quote: every dump applies back unchanged
---------------------------------------------------------------------------
CREATE TEMP TABLE bid_strings (n int, s text);
INSERT INTO bid_strings VALUES
	(1, ''), (2, ' '), (3, 'yes'), (4, 'no'), (5, 'null'), (6, '~'), (7, 'true'),
	(8, '1e3'), (9, '0x10'), (10, '-1'), (11, '.inf'), (12, '- item'), (13, 'a: b'),
	(14, '# not a comment'), (15, 'x #y'), (16, E'two\nlines'), (17, E'cr\r\nlf'),
	(18, E'tab\there'), (19, 'trailing '), (20, ' leading'), (21, '"dq"'), (22, $$'sq'$$),
	(23, '\'), (24, '{a: 1}'), (25, '[1, 2]'), (26, '&anchor'), (27, '*alias'),
	(28, '!tag'), (29, '%directive'), (30, '@at'), (31, '`bt`'), (32, '|'), (33, '>'),
	(34, '---'), (35, '...'), (36, 'ü ☃ 😀'), (37, E'ctl\x01\x1f'), (38, ':'),
	(39, '?'), (40, ','), (41, '2024-01-01'), (42, '12:30:00'), (43, 'NaN'), (44, '0o17'),
	(45, '<<'), (46, '=');
-- each string as a description, an owner, in a tag key and as a tag value
CREATE FUNCTION bid_roundtrip(str text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	doc text;
	before text;
	dump text;
	res text;
BEGIN
	doc := format($y$
project: bid_rt
project_description: %1$s
entities:
  - {name: driver, join_keys: [driver_id], value_type: INT64, description: %1$s, owner: %1$s, tags: {%2$s: %1$s}}
sources:
  - {name: s, type: table, table: public.bid_stats, timestamp_field: ts, description: %1$s, tags: {k: %1$s}}
feature_views:
  - name: v
    entities: [driver]
    source: s
    online: false
    description: %1$s
    tags: {%2$s: v}
    schema: [{name: conv, dtype: Float32, description: %1$s, tags: {t: %1$s}}]
feature_services:
  - {name: svc, features: [v], description: %1$s, tags: {%2$s: x}}
$y$, to_json(str), to_json('k' || str));
	PERFORM * FROM feast_apply(doc);
	SELECT string_agg(x, '|') INTO before FROM (
		SELECT format('%s', e) AS x FROM feast.entities e WHERE project = 'bid_rt'
		UNION ALL SELECT format('%s', d) FROM feast.data_sources d WHERE project = 'bid_rt'
		UNION ALL SELECT format('%s', v) FROM feast.feature_views v WHERE project = 'bid_rt'
		UNION ALL SELECT format('%s', f) FROM feast.features f WHERE project = 'bid_rt'
		UNION ALL SELECT format('%s', s) FROM feast.feature_services s WHERE project = 'bid_rt'
		UNION ALL SELECT format('%s', p.description) FROM feast.projects p WHERE name = 'bid_rt') q;
	IF position(str IN before) = 0 THEN
		RETURN 'string not stored';
	END IF;
	dump := feast_registry_dump('bid_rt');
	SELECT string_agg(DISTINCT action, ',') INTO res FROM feast_apply(dump);
	DELETE FROM feast.projects WHERE name = 'bid_rt';
	PERFORM * FROM feast_apply(dump);
	IF feast_registry_dump('bid_rt') IS DISTINCT FROM dump THEN
		res := res || ', dump differs after re-creation';
	END IF;
	DELETE FROM feast.projects WHERE name = 'bid_rt';
	RETURN res;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT n, s, bid_roundtrip(s) AS reapply FROM bid_strings ORDER BY n;

---------------------------------------------------------------------------
-- Registry rows written with plain SQL, within the constraints
---------------------------------------------------------------------------
SELECT count(*) FROM feast_apply($y$
project: bid_sql
entities: [{name: driver, join_keys: [driver_id], value_type: INT64}]
sources: [{name: s, type: table, table: public.bid_stats, timestamp_field: ts}]
feature_views:
  - {name: v, entities: [driver], source: s, online: false, schema: [{name: conv, dtype: Float32}]}
$y$);
-- error: string maps with other values, or an empty key, are rejected by
-- the registry's constraints (a dump could not be applied back)
SELECT bid_err($$UPDATE feast.entities SET tags = '{"n": 1}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.entities SET tags = '{"nested": {"a": [1, null]}}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.entities SET tags = '{"null": null}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.entities SET tags = '{"": "x"}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.feature_views SET tags = '{"a": true}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.features SET tags = '{"a": 1.5}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.data_sources SET tags = '{"a": []}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.data_sources SET field_mapping = '{"a": ""}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.data_sources SET field_mapping = '{"a": 1}' WHERE project = 'bid_sql'$$);
SELECT bid_err($$UPDATE feast.data_sources SET field_mapping = '["a"]' WHERE project = 'bid_sql'$$);
-- (and the same through a document)
SELECT bid_err($y$SELECT * FROM feast_apply('project: bid_sql
sources: [{name: s, type: table, table: public.bid_stats, timestamp_field: ts, field_mapping: {conv: ""}}]')$y$);
SELECT bid_err($y$SELECT * FROM feast_apply('project: bid_sql
sources: [{name: s, type: table, table: public.bid_stats, timestamp_field: ts, field_mapping: {"": conv}}]')$y$);
-- text YAML cannot carry as it is (DEL, C1 controls, a BOM)
UPDATE feast.entities SET tags = '{}', description = E'del\x7f c1\u0085 bom\uFEFF'
WHERE project = 'bid_sql';
SELECT string_agg(DISTINCT action, ',') AS reapply FROM feast_apply(feast_registry_dump('bid_sql'));
SELECT description = E'del\x7f c1\u0085 bom\uFEFF' AS kept FROM feast.entities WHERE project = 'bid_sql';
-- a table source renamed behind the registry's back
ALTER TABLE public.bid_stats RENAME TO bid_stats_renamed;
SELECT bid_err($$SELECT feast_registry_dump('bid_sql')$$) AS dump_of_dangling_source;
ALTER TABLE public.bid_stats_renamed RENAME TO bid_stats;
DELETE FROM feast.projects WHERE name = 'bid_sql';

-- Clean up.
DELETE FROM feast.projects WHERE name = 'Bid "Project"';
SELECT count(*) AS projects FROM feast.projects;
DROP FUNCTION bid_roundtrip(text);
DROP FUNCTION bid(text);
DROP FUNCTION bid_err(text);
DROP TABLE bid_strings;
DROP TABLE public.bid_stats;
