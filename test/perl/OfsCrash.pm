# Shared helpers of the crash and dump TAP tests (test/t/00[236]_*.pl):
# SQL functions that fingerprint the registry and the online tables, and
# that list every inconsistency between them.
package OfsCrash;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT = qw(install_helpers fingerprint inconsistencies);

# ofs_fp(): one line per registry table (row count and md5 of its sorted
# rows) and per relation in an online schema (columns, row count, md5).
# ofs_check(): one line per inconsistency: an online view without a
# recorded table, a recorded table that does not exist or belongs to an
# offline view, a table in an online schema that is not recorded, a feature
# or join key without its column, a column that is none of those, an
# interval of a view that is not online, a run without its interval.
my $helpers = <<'SQL';
CREATE FUNCTION public.ofs_fp(registry_only boolean DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	acc text := '';
BEGIN
	FOR t IN SELECT relname FROM pg_class
			 WHERE relnamespace = 'feast'::regnamespace AND relkind = 'r'
			 ORDER BY relname COLLATE "C"
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' '
					   'ORDER BY x::text COLLATE "C")), '''') FROM feast.%I x', t) INTO part;
		acc := acc || 'feast.' || t || ' ' || part || E'\n';
	END LOOP;
	IF registry_only THEN
		RETURN acc;
	END IF;
	FOR t IN SELECT format('%I.%I', n.nspname, c.relname) AS r
			 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname IN (SELECT online_schema FROM feast.projects
								 UNION SELECT schema_name FROM feast.online_tables
								 UNION SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ofs\_%')
			   AND c.relkind IN ('r', 'p', 'v', 'm')
			 ORDER BY format('%I.%I', n.nspname, c.relname) COLLATE "C"
	LOOP
		EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' '
					   'ORDER BY x::text COLLATE "C")), '''') FROM %s x', t) INTO part;
		acc := acc || t || ' (' ||
			(SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
			 FROM pg_attribute WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped)
			|| ') ' || part || E'\n';
	END LOOP;
	RETURN acc;
END
$$;
CREATE FUNCTION public.ofs_check() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT 'online view without a table: ' || v.project || '.' || v.name
	FROM feast.feature_views v
	WHERE v.online AND NOT EXISTS (SELECT 1 FROM feast.online_tables o
								   WHERE o.project = v.project AND o.feature_view = v.name)
	UNION ALL
	SELECT 'recorded table missing: ' || o.schema_name || '.' || o.table_name
	FROM feast.online_tables o
	WHERE to_regclass(format('%I.%I', o.schema_name, o.table_name)) IS NULL
	UNION ALL
	SELECT 'table of an offline view: ' || o.schema_name || '.' || o.table_name
	FROM feast.online_tables o JOIN feast.feature_views v
		 ON v.project = o.project AND v.name = o.feature_view
	WHERE NOT v.online
	UNION ALL
	SELECT 'stray table: ' || n.nspname || '.' || c.relname
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN (SELECT online_schema FROM feast.projects) AND c.relkind = 'r'
	  AND NOT EXISTS (SELECT 1 FROM feast.online_tables o
					  WHERE o.schema_name = n.nspname AND o.table_name = c.relname)
	UNION ALL
	SELECT 'missing column: ' || o.table_name || '.' || f.name
	FROM feast.online_tables o
	JOIN feast.features f ON f.project = o.project AND f.feature_view = o.feature_view
	WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
					  WHERE a.attrelid = to_regclass(format('%I.%I', o.schema_name, o.table_name))
						AND a.attname = f.name AND NOT a.attisdropped)
	UNION ALL
	SELECT 'missing key column: ' || o.table_name || '.' || e.join_key
	FROM feast.online_tables o
	JOIN feast.feature_view_entities fe ON fe.project = o.project AND fe.feature_view = o.feature_view
	JOIN feast.entities e ON e.project = fe.project AND e.name = fe.entity
	WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
					  WHERE a.attrelid = to_regclass(format('%I.%I', o.schema_name, o.table_name))
						AND a.attname = e.join_key AND NOT a.attisdropped)
	UNION ALL
	SELECT 'extra column: ' || o.table_name || '.' || a.attname
	FROM feast.online_tables o
	JOIN pg_attribute a ON a.attrelid = to_regclass(format('%I.%I', o.schema_name, o.table_name))
	WHERE a.attnum > 0 AND NOT a.attisdropped
	  AND a.attname NOT IN ('event_timestamp', 'created_timestamp', '__dummy_id')
	  AND NOT EXISTS (SELECT 1 FROM feast.features f
					  WHERE f.project = o.project AND f.feature_view = o.feature_view AND f.name = a.attname)
	  AND NOT EXISTS (SELECT 1 FROM feast.feature_view_entities fe
					  JOIN feast.entities e ON e.project = fe.project AND e.name = fe.entity
					  WHERE fe.project = o.project AND fe.feature_view = o.feature_view
						AND e.join_key = a.attname)
	UNION ALL
	SELECT 'interval of a view that is not online: ' || i.project || '.' || i.feature_view
	FROM feast.materialization_intervals i JOIN feast.feature_views v
		 ON v.project = i.project AND v.name = i.feature_view
	WHERE NOT v.online
	UNION ALL
	SELECT 'run without its interval: ' || r.project || '.' || r.feature_view || ' ' || r.run_id
	FROM feast.materialization_runs r
	WHERE r.status = 'succeeded'
	  AND NOT EXISTS (SELECT 1 FROM feast.materialization_intervals i
					  WHERE i.project = r.project AND i.feature_view = r.feature_view
						AND i.start_date = r.start_date AND i.end_date = r.end_date)
	ORDER BY 1
$$;
SQL

sub install_helpers
{
	my ($node, $db) = @_;
	$node->safe_psql($db, $helpers);
	return;
}

sub fingerprint
{
	my ($node, $db, $registry_only) = @_;
	return $node->safe_psql($db,
		'SELECT public.ofs_fp(' . ($registry_only ? 'true' : 'false') . ')');
}

sub inconsistencies
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, 'SELECT public.ofs_check()');
}

1;
