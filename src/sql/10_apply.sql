
/*
 * feast_apply and feast_registry_dump: the feature repo in and out of the
 * registry, and the online tables that apply creates.
 */

-- The online tables offline_store created: the only relations it ever
-- alters, truncates or drops. relid is the table's OID (a regclass, so that
-- pg_dump and restore carry it over by name); every use goes through it, so
-- a relation that takes an online table's name is never adopted. Rows are
-- written only by feast_apply: the policies below let an INSERT or UPDATE
-- through only while feast_apply records a table it has just created or
-- moved (feast.online_tables_recording()), so no role can point a row at a
-- relation of its choice.
CREATE TABLE feast.online_tables (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	schema_name			text NOT NULL,
	table_name			text NOT NULL,
	relid				regclass NOT NULL,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT online_tables_pkey PRIMARY KEY (project, feature_view),
	CONSTRAINT online_tables_name_unique UNIQUE (schema_name, table_name),
	CONSTRAINT online_tables_relid_unique UNIQUE (relid),
	CONSTRAINT online_tables_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT online_tables_schema_name_check CHECK (schema_name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT online_tables_table_name_check CHECK (table_name OPERATOR(pg_catalog.<>) '')
);
COMMENT ON TABLE feast.online_tables IS 'one row per online table created by feast_apply for an online feature view';
SELECT pg_catalog.pg_extension_config_dump('feast.online_tables', '');
GRANT SELECT ON feast.online_tables TO PUBLIC;

CREATE FUNCTION feast.online_tables_recording() RETURNS boolean
AS 'MODULE_PATHNAME', 'ofs_online_tables_recording'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION feast.online_tables_recording() IS 'internal: true only while feast_apply records an online table it created';

ALTER TABLE feast.online_tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY online_tables_read ON feast.online_tables FOR SELECT USING (true);
CREATE POLICY online_tables_insert ON feast.online_tables FOR INSERT
	WITH CHECK (feast.online_tables_recording() AND feast.project_writable(project));
CREATE POLICY online_tables_update ON feast.online_tables FOR UPDATE
	USING (feast.project_writable(project))
	WITH CHECK (feast.online_tables_recording() AND feast.project_writable(project));
CREATE POLICY online_tables_delete ON feast.online_tables FOR DELETE
	USING (feast.project_writable(project));

/*
 * A registry row that goes away takes its online table with it, also when
 * it goes by cascade (a project deleted with plain SQL): an online table is
 * never left behind unrecorded, where apply would refuse to adopt it. The
 * table is found by its OID, never by name, and only a plain table is
 * dropped: the row, which only feast_apply writes, names a table that
 * offline_store created. It runs as whoever deletes the row (or the
 * project, by cascade), who must own the table (a member of the project's
 * owner role, which owns its online tables). The feature service views
 * that read the table (feast.feature_service_views) are dropped with it.
 */
CREATE FUNCTION feast.online_tables_drop() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
			   WHERE c.oid OPERATOR(pg_catalog.=) OLD.relid::pg_catalog.oid
			   AND c.relkind OPERATOR(pg_catalog.=) 'r') THEN
		-- the feature service views reading it go first (their rows'
		-- trigger drops them, feast.views_drop); those deleted already by
		-- cascade are gone already (see there)
		DELETE FROM feast.feature_service_views s
		WHERE s.relid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT r.ev_class FROM pg_catalog.pg_depend d
			JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
			WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
			AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND d.refobjid OPERATOR(pg_catalog.=) OLD.relid::pg_catalog.oid));
		EXECUTE pg_catalog.format('DROP TABLE %s', OLD.relid);
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION feast.online_tables_drop() IS 'drops the online table of a deleted feast.online_tables row';
REVOKE ALL ON FUNCTION feast.online_tables_drop() FROM PUBLIC;

CREATE TRIGGER online_tables_drop
	AFTER DELETE ON feast.online_tables
	FOR EACH ROW EXECUTE FUNCTION feast.online_tables_drop();

/*
 * The online tables of a project belong to its owner role, so that every
 * member of it can alter and drop them: a new owner gets them too. This
 * runs as whoever changes the owner (a member of both roles, the policies
 * of feast.projects say), as ALTER TABLE ... OWNER TO requires.
 */
CREATE FUNCTION feast.projects_owner_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT o.relid, c.relnamespace
			 FROM feast.online_tables o
			 JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) o.relid::pg_catalog.oid
			 WHERE o.project OPERATOR(pg_catalog.=) NEW.name
			 AND c.relkind OPERATOR(pg_catalog.=) 'r'
			 AND c.relowner OPERATOR(pg_catalog.<>) NEW.owner::pg_catalog.oid
			 ORDER BY o.feature_view
	LOOP
		IF NOT pg_catalog.has_schema_privilege(NEW.owner::pg_catalog.oid, t.relnamespace, 'CREATE')
		   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
						   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER AND r.rolsuper) THEN
			RAISE EXCEPTION 'permission denied for schema %', t.relnamespace::pg_catalog.regnamespace
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('The online tables of project "%s" belong to its owner, and role "%s" may not create tables in the schema.',
												NEW.name, NEW.owner),
					  HINT = pg_catalog.format('GRANT CREATE ON SCHEMA %s TO %s;',
											  t.relnamespace::pg_catalog.regnamespace, NEW.owner);
		END IF;
		EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %s', t.relid, NEW.owner);
	END LOOP;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION feast.projects_owner_change() IS 'gives the online tables of a project to its new owner';
REVOKE ALL ON FUNCTION feast.projects_owner_change() FROM PUBLIC;

CREATE TRIGGER projects_owner_change
	AFTER UPDATE OF owner ON feast.projects
	FOR EACH ROW WHEN (OLD.owner::pg_catalog.oid OPERATOR(pg_catalog.<>) NEW.owner::pg_catalog.oid)
	EXECUTE FUNCTION feast.projects_owner_change();

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
