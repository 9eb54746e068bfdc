
/*
 * Training data: point-in-time joins (src/historical.c, src/pit_join.c).
 * Reading functions run as the caller and are executable by PUBLIC; the
 * ones that create objects are revoked from PUBLIC.
 */

CREATE FUNCTION @extschema@.feast_historical(
	entity_df text,
	features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL,
	full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL,
	filter_by_created_timestamp boolean DEFAULT false,
	start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL,
	as_of timestamptz DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ofs_feast_historical'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_historical(text, text[], text, boolean, text, boolean, timestamptz, timestamptz, timestamptz)
	IS 'point-in-time correct training set: one row per entity_df row with the requested features as of its timestamp';

CREATE FUNCTION @extschema@.feast_historical_sql(
	entity_df text,
	features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL,
	full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL,
	filter_by_created_timestamp boolean DEFAULT false,
	start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL,
	as_of timestamptz DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ofs_feast_historical_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_historical_sql(text, text[], text, boolean, text, boolean, timestamptz, timestamptz, timestamptz)
	IS 'the query (with its column definition list) that runs feast_historical with these arguments';

CREATE FUNCTION @extschema@.feast_create_training_view(
	view_name text,
	entity_df text,
	features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL,
	full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL,
	filter_by_created_timestamp boolean DEFAULT false,
	start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL,
	replace boolean DEFAULT false,
	as_of timestamptz DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'ofs_feast_create_training_view'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_create_training_view(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz)
	IS 'create (or with replace, redefine) a view over feast_historical with the right column definition list, recorded in feast.training_views';
REVOKE ALL ON FUNCTION @extschema@.feast_create_training_view(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_drop_training_view(view_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ofs_feast_drop_training_view'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_drop_training_view(text)
	IS 'drop a training view and its row of feast.training_views; false when there is no such relation';
REVOKE ALL ON FUNCTION @extschema@.feast_drop_training_view(text) FROM PUBLIC;

CREATE FUNCTION @extschema@.feast_persist(
	table_name text,
	entity_df text,
	features text[] DEFAULT NULL,
	feature_service text DEFAULT NULL,
	full_feature_names boolean DEFAULT false,
	project text DEFAULT NULL,
	filter_by_created_timestamp boolean DEFAULT false,
	start_date timestamptz DEFAULT NULL,
	end_date timestamptz DEFAULT NULL,
	allow_overwrite boolean DEFAULT false,
	as_of timestamptz DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ofs_feast_persist'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.feast_persist(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz)
	IS 'write a training set into a new table, record it in feast.saved_datasets, return its row count';
REVOKE ALL ON FUNCTION @extschema@.feast_persist(text, text, text[], text, boolean, text, boolean, timestamptz, timestamptz, boolean, timestamptz) FROM PUBLIC;
