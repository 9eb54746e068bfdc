
/*
 * feast_apply and feast_registry_dump: the feature repo in and out of the
 * registry, and the online tables that apply creates.
 */

-- The online tables offline_store created: the only relations apply may
-- alter or drop. A relation of the same name that is not recorded here is
-- never adopted.
CREATE TABLE feast.online_tables (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	schema_name			text NOT NULL,
	table_name			text NOT NULL,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT online_tables_pkey PRIMARY KEY (project, feature_view),
	CONSTRAINT online_tables_name_unique UNIQUE (schema_name, table_name),
	CONSTRAINT online_tables_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT online_tables_schema_name_check CHECK (schema_name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT online_tables_table_name_check CHECK (table_name OPERATOR(pg_catalog.<>) '')
);
COMMENT ON TABLE feast.online_tables IS 'one row per online table created by feast_apply for an online feature view';
SELECT pg_catalog.pg_extension_config_dump('feast.online_tables', '');
GRANT SELECT ON feast.online_tables TO PUBLIC;

/*
 * A registry row that goes away takes its online table with it, also when
 * it goes by cascade (a project deleted with plain SQL): an online table is
 * never left behind unrecorded, where apply would refuse to adopt it.
 */
CREATE FUNCTION feast.online_tables_drop() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', OLD.schema_name,
												OLD.table_name)) IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP TABLE %I.%I', OLD.schema_name,
								  OLD.table_name);
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION feast.online_tables_drop() IS 'drops the online table of a deleted feast.online_tables row';
REVOKE ALL ON FUNCTION feast.online_tables_drop() FROM PUBLIC;

CREATE TRIGGER online_tables_drop
	AFTER DELETE ON feast.online_tables
	FOR EACH ROW EXECUTE FUNCTION feast.online_tables_drop();

CREATE FUNCTION @extschema@.feast_apply(definitions text, dry_run boolean DEFAULT false)
RETURNS TABLE(object_type text, name text, action text, detail text)
AS 'MODULE_PATHNAME', 'ofs_feast_apply'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_apply(text, boolean) IS 'makes a project''s registry equal to a feature_store.yaml plus feature repo document';
REVOKE ALL ON FUNCTION @extschema@.feast_apply(text, boolean) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_registry_dump(project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ofs_feast_registry_dump'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.feast_registry_dump(text) IS 'a project''s registry as a document that feast_apply accepts';
