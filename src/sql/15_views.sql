
/*
 * Views offline_store creates and keeps with the registry (src/views.h):
 * training views (feast_create_training_view, feast_drop_training_view,
 * rebuilt by feast_apply) and feature service views (maintained by
 * feast_apply). Like feast.online_tables, each table records the views
 * offline_store created by OID (a regclass, so that pg_dump and restore
 * carry it over by name); they are the only views it ever replaces or
 * drops, always through that OID. Rows are written only by our functions:
 * the policies let an INSERT or UPDATE through only while one of them
 * records a view it has just created (feast.views_recording()), so no role
 * can point a row at a relation of its choice. Reading is for everyone;
 * deleting a row (directly, or by cascade when its project or feature
 * service goes) drops its view.
 */

CREATE FUNCTION feast.views_recording() RETURNS boolean
AS 'MODULE_PATHNAME', 'ofs_views_recording'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION feast.views_recording() IS 'internal: true only while offline_store records a training view or feature service view it created';

-- One row per training view. The arguments are those of feast_historical,
-- in its order (the project resolved, a relation entity_df schema-qualified),
-- as_of included.
CREATE TABLE feast.training_views (
	relid				regclass NOT NULL,
	project				text NOT NULL,
	entity_df			text,
	features			text[],
	feature_service		text,
	full_feature_names	boolean NOT NULL DEFAULT false,
	filter_by_created_timestamp boolean NOT NULL DEFAULT false,
	start_date			timestamptz,
	end_date			timestamptz,
	as_of				timestamptz,		-- only source rows created by then are read
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT training_views_pkey PRIMARY KEY (relid),
	CONSTRAINT training_views_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT training_views_features_check CHECK ((features IS NULL) OPERATOR(pg_catalog.<>) (feature_service IS NULL)),
	CONSTRAINT training_views_entity_df_check CHECK (entity_df OPERATOR(pg_catalog.<>) '')
);
CREATE INDEX training_views_project_idx ON feast.training_views (project);
COMMENT ON TABLE feast.training_views IS 'one row per training view created by feast_create_training_view: the view and the arguments of its feast_historical call';
SELECT pg_catalog.pg_extension_config_dump('feast.training_views', '');
GRANT SELECT ON feast.training_views TO PUBLIC;

ALTER TABLE feast.training_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY training_views_read ON feast.training_views FOR SELECT USING (true);
CREATE POLICY training_views_insert ON feast.training_views FOR INSERT
	WITH CHECK (feast.views_recording() AND feast.project_writable(project));
CREATE POLICY training_views_update ON feast.training_views FOR UPDATE
	USING (feast.project_writable(project))
	WITH CHECK (feast.views_recording() AND feast.project_writable(project));
CREATE POLICY training_views_delete ON feast.training_views FOR DELETE
	USING (feast.project_writable(project));

-- One row per feature service view: <online schema>.<project>_<service>.
-- definition is the query it was created with, to see when it changes.
CREATE TABLE feast.feature_service_views (
	project				text NOT NULL,
	feature_service		text NOT NULL,
	schema_name			text NOT NULL,
	view_name			text NOT NULL,
	relid				regclass NOT NULL,
	definition			text NOT NULL,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT feature_service_views_pkey PRIMARY KEY (project, feature_service),
	CONSTRAINT feature_service_views_relid_unique UNIQUE (relid),
	CONSTRAINT feature_service_views_service_fkey FOREIGN KEY (project, feature_service)
		REFERENCES feast.feature_services (project, name) ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE feast.feature_service_views IS 'one row per feature service view created by feast_apply: the online features of a feature service, one row per join key';
SELECT pg_catalog.pg_extension_config_dump('feast.feature_service_views', '');
GRANT SELECT ON feast.feature_service_views TO PUBLIC;

ALTER TABLE feast.feature_service_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY feature_service_views_read ON feast.feature_service_views FOR SELECT USING (true);
CREATE POLICY feature_service_views_insert ON feast.feature_service_views FOR INSERT
	WITH CHECK (feast.views_recording() AND feast.project_writable(project));
CREATE POLICY feature_service_views_update ON feast.feature_service_views FOR UPDATE
	USING (feast.project_writable(project))
	WITH CHECK (feast.views_recording() AND feast.project_writable(project));
CREATE POLICY feature_service_views_delete ON feast.feature_service_views FOR DELETE
	USING (feast.project_writable(project));

/*
 * A row that goes away takes its view with it, also by cascade (a project
 * or a feature service deleted with plain SQL). The view is found by its
 * OID, never by name, and only a view is dropped: the row, which only our
 * functions write, names a view offline_store created. It runs as whoever
 * deletes the row, who must own the view (a member of the project's owner
 * role, which owns its views). For feature service views a BEFORE
 * trigger, so that the view is gone as soon as its row is: when a project
 * is deleted, the cascades reach those rows before the online tables'
 * drop triggers run (those are a level deeper), and the tables are no
 * longer read by any of our views when they are dropped. For training
 * views an AFTER trigger: dropping the view deletes its row too (the event
 * trigger below), which must not be the row being deleted.
 */
CREATE FUNCTION feast.views_drop() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
			   WHERE c.oid OPERATOR(pg_catalog.=) OLD.relid::pg_catalog.oid
			   AND c.relkind OPERATOR(pg_catalog.=) 'v') THEN
		EXECUTE pg_catalog.format('DROP VIEW %s', OLD.relid);
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION feast.views_drop() IS 'drops the view of a deleted feast.training_views or feast.feature_service_views row';
REVOKE ALL ON FUNCTION feast.views_drop() FROM PUBLIC;

CREATE TRIGGER training_views_drop
	AFTER DELETE ON feast.training_views
	FOR EACH ROW EXECUTE FUNCTION feast.views_drop();
CREATE TRIGGER feature_service_views_drop
	BEFORE DELETE ON feast.feature_service_views
	FOR EACH ROW EXECUTE FUNCTION feast.views_drop();

/*
 * A training view dropped with plain DROP VIEW (or DROP SCHEMA ...
 * CASCADE) takes its row with it, so that feast.training_views lists only
 * views that exist. Only a role that may delete the row does so; for
 * others the row stays, and the functions ignore a row whose view is gone.
 */
CREATE FUNCTION feast.training_views_dropped() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() d
			   JOIN feast.training_views t ON t.relid::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
			   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass)
	   AND pg_catalog.has_table_privilege('feast.training_views', 'DELETE') THEN
		DELETE FROM feast.training_views t
		USING pg_catalog.pg_event_trigger_dropped_objects() d
		WHERE t.relid::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
		AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass;
	END IF;
END
$$;
COMMENT ON FUNCTION feast.training_views_dropped() IS 'forgets the training views dropped with plain SQL';
REVOKE ALL ON FUNCTION feast.training_views_dropped() FROM PUBLIC;

CREATE EVENT TRIGGER offline_store_training_views_dropped ON sql_drop
	EXECUTE FUNCTION feast.training_views_dropped();

/*
 * The training views and feature service views of a project belong to its
 * owner role, as its online tables do, so that every member of it can
 * replace and drop them: a new owner gets them too. This runs as whoever
 * changes the owner (see feast.projects_owner_change).
 */
CREATE FUNCTION feast.views_owner_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v record;
BEGIN
	FOR v IN SELECT c.oid::pg_catalog.regclass AS relid, c.relnamespace
			 FROM pg_catalog.pg_class c
			 WHERE c.oid OPERATOR(pg_catalog.=) ANY (
				 ARRAY(SELECT t.relid::pg_catalog.oid FROM feast.training_views t
					   WHERE t.project OPERATOR(pg_catalog.=) NEW.name
					   UNION ALL
					   SELECT s.relid::pg_catalog.oid FROM feast.feature_service_views s
					   WHERE s.project OPERATOR(pg_catalog.=) NEW.name))
			 AND c.relkind OPERATOR(pg_catalog.=) 'v'
			 AND c.relowner OPERATOR(pg_catalog.<>) NEW.owner::pg_catalog.oid
			 ORDER BY c.oid
	LOOP
		IF NOT pg_catalog.has_schema_privilege(NEW.owner::pg_catalog.oid, v.relnamespace, 'CREATE')
		   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
						   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER AND r.rolsuper) THEN
			RAISE EXCEPTION 'permission denied for schema %', v.relnamespace::pg_catalog.regnamespace
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = pg_catalog.format('The views of project "%s" belong to its owner, and role "%s" may not create views in the schema.',
												NEW.name, NEW.owner),
					  HINT = pg_catalog.format('GRANT CREATE ON SCHEMA %s TO %s;',
											  v.relnamespace::pg_catalog.regnamespace, NEW.owner);
		END IF;
		EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %s', v.relid, NEW.owner);
	END LOOP;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION feast.views_owner_change() IS 'gives the training views and feature service views of a project to its new owner';
REVOKE ALL ON FUNCTION feast.views_owner_change() FROM PUBLIC;

CREATE TRIGGER projects_views_owner_change
	AFTER UPDATE OF owner ON feast.projects
	FOR EACH ROW WHEN (OLD.owner::pg_catalog.oid OPERATOR(pg_catalog.<>) NEW.owner::pg_catalog.oid)
	EXECUTE FUNCTION feast.views_owner_change();
