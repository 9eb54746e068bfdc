/*
 * Online reads as a serving path (src/online_read.c, src/online_cache.c):
 * each backend keeps what feast_online_features resolves from the
 * registry, and drops it when the registry changes. Every registry table
 * an online read depends on sends a relcache invalidation for itself after
 * each statement that writes it (transactional: other sessions receive it
 * when the writer commits). The list of tables is also in
 * src/online_cache.c.
 */

CREATE FUNCTION feast.registry_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ofs_registry_changed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION feast.registry_changed() IS 'internal: tells every session that a registry table changed, so that cached online reads are resolved again';
REVOKE ALL ON FUNCTION feast.registry_changed() FROM PUBLIC;

-- ENABLE ALWAYS: they fire under session_replication_role = replica too
-- (a logical replication subscriber's apply worker).
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.projects
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.projects ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.entities
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.entities ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.data_sources
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.data_sources ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.feature_views
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.feature_views ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.feature_view_entities
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.feature_view_entities ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.features
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.features ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.aggregations
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.aggregations ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.feature_services
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.feature_services ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.feature_service_projections
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.feature_service_projections ENABLE ALWAYS TRIGGER registry_changed;
CREATE TRIGGER registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feast.online_tables
	FOR EACH STATEMENT EXECUTE FUNCTION feast.registry_changed();
ALTER TABLE feast.online_tables ENABLE ALWAYS TRIGGER registry_changed;

-- The keys of an online read: unnest, with a small row estimate, so that
-- the read's one generic plan probes the online tables' primary keys.
CREATE FUNCTION feast.online_keys(anyarray)
RETURNS SETOF anyelement
AS 'MODULE_PATHNAME', 'ofs_online_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION feast.online_keys(anyarray) IS 'internal: the elements of an array, as unnest, for the plan of feast_online_features';
