/*
 * The online store: materialization into the online tables, online reads,
 * push, offline writes and pulls. Functions that write are revoked from
 * PUBLIC; an administrator grants them.
 */

CREATE FUNCTION @extschema@.feast_materialize(start_date timestamptz, end_date timestamptz,
	feature_views text[] DEFAULT NULL, project text DEFAULT NULL)
RETURNS TABLE(feature_view text, start_date timestamptz, end_date timestamptz, rows_written bigint)
AS 'MODULE_PATHNAME', 'ofs_feast_materialize'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_materialize(timestamptz, timestamptz, text[], text) IS 'writes the newest source row per entity key in [start_date, end_date] into the online tables, newest wins';
REVOKE ALL ON FUNCTION @extschema@.feast_materialize(timestamptz, timestamptz, text[], text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_materialize_incremental(end_date timestamptz DEFAULT pg_catalog.now(),
	feature_views text[] DEFAULT NULL, project text DEFAULT NULL)
RETURNS TABLE(feature_view text, start_date timestamptz, end_date timestamptz, rows_written bigint)
AS 'MODULE_PATHNAME', 'ofs_feast_materialize_incremental'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_materialize_incremental(timestamptz, text[], text) IS 'materializes each online feature view from the end of its last materialization (else now() - ttl, else 52 weeks ago) to end_date';
REVOKE ALL ON FUNCTION @extschema@.feast_materialize_incremental(timestamptz, text[], text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_online_features(entity_df text, features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL, full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ofs_feast_online_features'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_online_features(text, text[], text, boolean, text) IS 'the online feature values of the entity rows (Feast get_online_features); NULL for missing keys';

CREATE FUNCTION @extschema@.feast_online_features_sql(entity_df text, features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL, full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ofs_feast_online_features_sql'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_online_features_sql(text, text[], text, boolean, text) IS 'the query (with its column definition list) that runs feast_online_features with these arguments';

CREATE FUNCTION @extschema@.feast_push(push_source text, rows text, "to" text DEFAULT 'online',
	project text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ofs_feast_push'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_push(text, text, text, text) IS 'pushes rows into the online tables fed by a push source (newest wins) and/or appends them to its batch source';
REVOKE ALL ON FUNCTION @extschema@.feast_push(text, text, text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_write_to_offline_store(feature_view text, rows text,
	project text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ofs_feast_write_to_offline_store'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_write_to_offline_store(text, text, text) IS 'appends rows to the batch source table of a feature view (Feast offline_write_batch)';
REVOKE ALL ON FUNCTION @extschema@.feast_write_to_offline_store(text, text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_pull_latest(source text, start_date timestamptz,
	end_date timestamptz, project text DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ofs_feast_pull_latest'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_pull_latest(text, timestamptz, timestamptz, text) IS 'the newest row per entity key of a data source or feature view in [start_date, end_date]';

CREATE FUNCTION @extschema@.feast_pull_all(source text, start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL, project text DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ofs_feast_pull_all'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_pull_all(text, timestamptz, timestamptz, text) IS 'every row of a data source or feature view in [start_date, end_date] (either bound optional)';

CREATE FUNCTION @extschema@.feast_pull_latest_sql(source text, start_date timestamptz,
	end_date timestamptz, project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ofs_feast_pull_latest_sql'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_pull_latest_sql(text, timestamptz, timestamptz, text) IS 'the query (with its column definition list) that runs feast_pull_latest with these arguments';

CREATE FUNCTION @extschema@.feast_pull_all_sql(source text, start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL, project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ofs_feast_pull_all_sql'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_pull_all_sql(text, timestamptz, timestamptz, text) IS 'the query (with its column definition list) that runs feast_pull_all with these arguments';
