/* offline_store--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION offline_store" to load this file. \quit

/*
 * The registry: control tables standing in for feature_store.yaml and the
 * feature repo. Every invariant the C code relies on is a constraint here,
 * so a direct SQL write cannot break it. Everything is schema-qualified and
 * every operator is pg_catalog's: the script is safe under a hostile
 * search_path.
 *
 * Names (projects, entities, sources, views, features, services) are exact
 * text: case-sensitive, any characters. They become SQL identifiers only
 * through quote_identifier().
 */

CREATE SCHEMA feast;

/*
 * References between objects of one project (a view's source and entities,
 * a projection's view, a push source's batch source) are checked at commit
 * (DEFERRABLE INITIALLY DEFERRED): deleting a project cascades to all its
 * objects at once, and the order of those cascades must not matter.
 */
COMMENT ON SCHEMA feast IS 'offline_store registry (feature_store.yaml and the feature repo)';

-- The string maps (tags, field_mapping, join_key_map) map non-empty keys to
-- strings, as a document does: a row written with plain SQL must still
-- dump to a document that feast_apply accepts.

-- One row per feature_store.yaml.
CREATE TABLE feast.projects (
	name				text NOT NULL,
	description			text NOT NULL DEFAULT '',
	provider			text NOT NULL DEFAULT 'local',
	registry			jsonb,
	online_store		jsonb NOT NULL DEFAULT '{"type": "postgres", "db_schema": "feast_online"}',
	offline_store		jsonb NOT NULL DEFAULT '{"type": "offline_store"}',
	batch_engine		jsonb,
	materialization		jsonb,
	auth				jsonb,
	entity_key_serialization_version integer NOT NULL DEFAULT 3,
	coerce_tz_aware		boolean NOT NULL DEFAULT true,
	online_schema		text NOT NULL DEFAULT 'feast_online',
	-- the role whose members (and superusers) may change the project: the
	-- role that created it (quote_ident: regrole input is an identifier)
	owner				regrole NOT NULL DEFAULT pg_catalog.quote_ident(CURRENT_USER)::pg_catalog.regrole,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT projects_pkey PRIMARY KEY (name),
	CONSTRAINT projects_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT projects_online_schema_check CHECK (online_schema OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT projects_eksv_check CHECK (entity_key_serialization_version OPERATOR(pg_catalog.>=) 1
		AND entity_key_serialization_version OPERATOR(pg_catalog.<=) 3),
	CONSTRAINT projects_online_store_check CHECK (pg_catalog.jsonb_typeof(online_store) OPERATOR(pg_catalog.=) 'object'),
	CONSTRAINT projects_offline_store_check CHECK (pg_catalog.jsonb_typeof(offline_store) OPERATOR(pg_catalog.=) 'object'),
	-- Connection secrets are never stored (feast_apply drops them with a
	-- warning): no key that names a password, secret, token or key, and
	-- no string with a password in it (a URL's user:password@, a
	-- conninfo's password=). yaml_config.c applies the same rules.
	CONSTRAINT projects_no_secrets_check CHECK (NOT pg_catalog.jsonb_path_exists(
		pg_catalog.jsonb_build_array(registry, online_store, offline_store, batch_engine, materialization, auth),
		'$.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "pass(word|wd|phrase)|secret|token|(api|access|private)[-_]?key|^pwd$" flag "i")'::pg_catalog.jsonpath)
		AND NOT pg_catalog.jsonb_path_exists(
		pg_catalog.jsonb_build_array(registry, online_store, offline_store, batch_engine, materialization, auth),
		'$.** ? (@.type() == "string" && (@ like_regex "^[a-z][-a-z0-9+.]*://[^/@]*:[^/@]*@" flag "i" || @ like_regex "(^|[[:space:]])(ssl)?password[[:space:]]*=" flag "i"))'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.projects IS 'one row per project: the keys of its feature_store.yaml';

CREATE TABLE feast.entities (
	project				text NOT NULL,
	name				text NOT NULL,
	join_key			text NOT NULL,
	value_type			text NOT NULL,
	description			text NOT NULL DEFAULT '',
	owner				text NOT NULL DEFAULT '',
	tags				jsonb NOT NULL DEFAULT '{}',
	CONSTRAINT entities_pkey PRIMARY KEY (project, name),
	CONSTRAINT entities_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT entities_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT entities_join_key_check CHECK (join_key OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT entities_value_type_check CHECK (value_type OPERATOR(pg_catalog.=) ANY
		(ARRAY['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'STRING', 'BYTES', 'BOOL', 'UNIX_TIMESTAMP']::text[])),
	CONSTRAINT entities_tags_check CHECK (pg_catalog.jsonb_typeof(tags) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(tags, '$.keyvalue() ? (@.key == "" || @.value.type() != "string")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.entities IS 'one row per entity: its join key and declared value type';

CREATE TABLE feast.data_sources (
	project				text NOT NULL,
	name				text NOT NULL,
	type				text NOT NULL,
	table_name			text,			-- type table: an SQL name, quoted as written
	query				text,			-- type query: a SELECT used as a subquery
	batch_source		text,			-- type push: the source offline writes go to
	timestamp_field		text,
	created_timestamp_column text,
	date_partition_column text,
	field_mapping		jsonb NOT NULL DEFAULT '{}',	-- source column -> feast name
	description			text NOT NULL DEFAULT '',
	owner				text NOT NULL DEFAULT '',
	tags				jsonb NOT NULL DEFAULT '{}',
	CONSTRAINT data_sources_pkey PRIMARY KEY (project, name),
	CONSTRAINT data_sources_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT data_sources_batch_source_fkey FOREIGN KEY (project, batch_source)
		REFERENCES feast.data_sources (project, name) ON UPDATE CASCADE
		DEFERRABLE INITIALLY DEFERRED,
	CONSTRAINT data_sources_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT data_sources_type_check CHECK (type OPERATOR(pg_catalog.=) ANY (ARRAY['table', 'query', 'push']::text[])),
	CONSTRAINT data_sources_table_check CHECK ((type OPERATOR(pg_catalog.=) 'table') OPERATOR(pg_catalog.=) (table_name IS NOT NULL)),
	CONSTRAINT data_sources_query_check CHECK ((type OPERATOR(pg_catalog.=) 'query') OPERATOR(pg_catalog.=) (query IS NOT NULL)),
	CONSTRAINT data_sources_push_check CHECK ((type OPERATOR(pg_catalog.=) 'push') OPERATOR(pg_catalog.=) (batch_source IS NOT NULL)),
	CONSTRAINT data_sources_timestamp_check CHECK ((type OPERATOR(pg_catalog.=) 'push') OPERATOR(pg_catalog.<>) (timestamp_field IS NOT NULL)),
	CONSTRAINT data_sources_field_mapping_check CHECK (pg_catalog.jsonb_typeof(field_mapping) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(field_mapping, '$.keyvalue() ? (@.key == "" || @.value.type() != "string" || @.value == "")'::pg_catalog.jsonpath)),
	CONSTRAINT data_sources_tags_check CHECK (pg_catalog.jsonb_typeof(tags) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(tags, '$.keyvalue() ? (@.key == "" || @.value.type() != "string")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.data_sources IS 'one row per data source: a table, a query, or a push source with its batch source';

CREATE TABLE feast.feature_views (
	project				text NOT NULL,
	name				text NOT NULL,
	source				text NOT NULL,
	ttl					interval NOT NULL DEFAULT '0',	-- 0: no lower bound
	online				boolean NOT NULL DEFAULT true,
	offline				boolean NOT NULL DEFAULT true,
	description			text NOT NULL DEFAULT '',
	owner				text NOT NULL DEFAULT '',
	tags				jsonb NOT NULL DEFAULT '{}',
	CONSTRAINT feature_views_pkey PRIMARY KEY (project, name),
	CONSTRAINT feature_views_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT feature_views_source_fkey FOREIGN KEY (project, source)
		REFERENCES feast.data_sources (project, name) ON UPDATE CASCADE
		DEFERRABLE INITIALLY DEFERRED,
	CONSTRAINT feature_views_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	-- a ttl is an exact duration: no months or days, which depend on the calendar
	CONSTRAINT feature_views_ttl_check CHECK (ttl OPERATOR(pg_catalog.>=) '0'::interval
		AND pg_catalog.date_part('month', ttl) OPERATOR(pg_catalog.=) 0
		AND pg_catalog.date_part('year', ttl) OPERATOR(pg_catalog.=) 0
		AND pg_catalog.date_part('day', ttl) OPERATOR(pg_catalog.=) 0),
	CONSTRAINT feature_views_tags_check CHECK (pg_catalog.jsonb_typeof(tags) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(tags, '$.keyvalue() ? (@.key == "" || @.value.type() != "string")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.feature_views IS 'one row per feature view; its entities and features are in feast.feature_view_entities and feast.features';

-- The entities of a feature view, in declaration order. None: entity-less.
CREATE TABLE feast.feature_view_entities (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	position			integer NOT NULL,
	entity				text NOT NULL,
	CONSTRAINT feature_view_entities_pkey PRIMARY KEY (project, feature_view, position),
	CONSTRAINT feature_view_entities_unique UNIQUE (project, feature_view, entity),
	CONSTRAINT feature_view_entities_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT feature_view_entities_entity_fkey FOREIGN KEY (project, entity)
		REFERENCES feast.entities (project, name) ON UPDATE CASCADE
		DEFERRABLE INITIALLY DEFERRED,
	CONSTRAINT feature_view_entities_position_check CHECK (position OPERATOR(pg_catalog.>=) 1)
);
COMMENT ON TABLE feast.feature_view_entities IS 'the entities of each feature view, in order';

-- The features (schema fields) of a feature view, in declaration order.
CREATE TABLE feast.features (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	position			integer NOT NULL,
	name				text NOT NULL,
	dtype				text NOT NULL,		-- declared Feast dtype: Int64, Array(Float32), ...
	description			text NOT NULL DEFAULT '',
	tags				jsonb NOT NULL DEFAULT '{}',
	CONSTRAINT features_pkey PRIMARY KEY (project, feature_view, name),
	CONSTRAINT features_position_unique UNIQUE (project, feature_view, position),
	CONSTRAINT features_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT features_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT features_position_check CHECK (position OPERATOR(pg_catalog.>=) 1),
	CONSTRAINT features_dtype_check CHECK (dtype OPERATOR(pg_catalog.~)
		'^(Array\()?(Int32|Int64|Float32|Float64|String|Bytes|Bool|UnixTimestamp)(\))?$'
		AND (pg_catalog.left(dtype, 6) OPERATOR(pg_catalog.=) 'Array(')
			OPERATOR(pg_catalog.=) (pg_catalog.right(dtype, 1) OPERATOR(pg_catalog.=) ')')),
	CONSTRAINT features_tags_check CHECK (pg_catalog.jsonb_typeof(tags) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(tags, '$.keyvalue() ? (@.key == "" || @.value.type() != "string")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.features IS 'the features of each feature view, in order, with their declared Feast dtypes';

-- The windowed aggregations of a feature view, in declaration order: the
-- feature name is, for an entity row at time t, function over column_name
-- (a Feast-side name, mapped through the source's field_mapping) of the
-- source rows with the row's key and t - time_window < timestamp <= t.
-- feast_apply keeps a view's aggregation and feature names distinct.
CREATE TABLE feast.aggregations (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	position			integer NOT NULL,
	name				text NOT NULL,		-- the feature it produces
	column_name			text NOT NULL,
	function			text NOT NULL,		-- sum, count, mean (avg), min, max, stddev (stddev_samp)
	time_window			interval NOT NULL,
	CONSTRAINT aggregations_pkey PRIMARY KEY (project, feature_view, name),
	CONSTRAINT aggregations_position_unique UNIQUE (project, feature_view, position),
	CONSTRAINT aggregations_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT aggregations_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT aggregations_column_check CHECK (column_name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT aggregations_position_check CHECK (position OPERATOR(pg_catalog.>=) 1),
	CONSTRAINT aggregations_function_check CHECK (function OPERATOR(pg_catalog.=) ANY
		(ARRAY['sum', 'count', 'mean', 'min', 'max', 'stddev']::text[])),
	-- a positive, exact duration (see feature_views_ttl_check)
	CONSTRAINT aggregations_time_window_check CHECK (time_window OPERATOR(pg_catalog.>) '0'::interval
		AND pg_catalog.date_part('month', time_window) OPERATOR(pg_catalog.=) 0
		AND pg_catalog.date_part('year', time_window) OPERATOR(pg_catalog.=) 0
		AND pg_catalog.date_part('day', time_window) OPERATOR(pg_catalog.=) 0)
);
COMMENT ON TABLE feast.aggregations IS 'the windowed aggregations of each feature view, in order: function over column_name in the time_window before each entity row';

CREATE TABLE feast.feature_services (
	project				text NOT NULL,
	name				text NOT NULL,
	description			text NOT NULL DEFAULT '',
	owner				text NOT NULL DEFAULT '',
	tags				jsonb NOT NULL DEFAULT '{}',
	CONSTRAINT feature_services_pkey PRIMARY KEY (project, name),
	CONSTRAINT feature_services_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT feature_services_name_check CHECK (name OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT feature_services_tags_check CHECK (pg_catalog.jsonb_typeof(tags) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(tags, '$.keyvalue() ? (@.key == "" || @.value.type() != "string")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.feature_services IS 'one row per feature service; its projections are in feast.feature_service_projections';

-- One projection of a feature service: a feature view, optionally aliased,
-- restricted to some features, with join keys renamed.
CREATE TABLE feast.feature_service_projections (
	project				text NOT NULL,
	feature_service		text NOT NULL,
	position			integer NOT NULL,
	feature_view		text NOT NULL,
	alias				text,			-- with_name(); NULL: the view's name
	features			text[],			-- NULL: every feature of the view
	join_key_map		jsonb NOT NULL DEFAULT '{}',	-- view join key -> entity_df column
	CONSTRAINT feature_service_projections_pkey PRIMARY KEY (project, feature_service, position),
	CONSTRAINT feature_service_projections_service_fkey FOREIGN KEY (project, feature_service)
		REFERENCES feast.feature_services (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT feature_service_projections_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE
		DEFERRABLE INITIALLY DEFERRED,
	CONSTRAINT feature_service_projections_position_check CHECK (position OPERATOR(pg_catalog.>=) 1),
	CONSTRAINT feature_service_projections_alias_check CHECK (alias OPERATOR(pg_catalog.<>) ''),
	CONSTRAINT feature_service_projections_features_check CHECK (pg_catalog.cardinality(features) OPERATOR(pg_catalog.>) 0
		AND pg_catalog.array_position(features, NULL) IS NULL),
	CONSTRAINT feature_service_projections_jkm_check CHECK (pg_catalog.jsonb_typeof(join_key_map) OPERATOR(pg_catalog.=) 'object'
		AND NOT pg_catalog.jsonb_path_exists(join_key_map, '$.keyvalue() ? (@.key == "" || @.value.type() != "string" || @.value == "")'::pg_catalog.jsonpath))
);
COMMENT ON TABLE feast.feature_service_projections IS 'the projections of each feature service, in order';

CREATE TABLE feast.materialization_intervals (
	project				text NOT NULL,
	feature_view		text NOT NULL,
	start_date			timestamptz NOT NULL,
	end_date			timestamptz NOT NULL,
	recorded_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT materialization_intervals_view_fkey FOREIGN KEY (project, feature_view)
		REFERENCES feast.feature_views (project, name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT materialization_intervals_check CHECK (start_date OPERATOR(pg_catalog.<=) end_date),
	-- finite and inside the timestamp range, 4714-11-24 00:00 UTC BC up to
	-- 294277-01-01 00:00 UTC (as exact epochs: the constraint's text does
	-- not depend on TimeZone or DateStyle): a value computed out of range
	-- would make every later read of the table (and pg_dump) fail
	CONSTRAINT materialization_intervals_range_check CHECK (
		pg_catalog.extract('epoch', start_date) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', end_date) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', recorded_at) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', recorded_at) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric)
);
CREATE INDEX materialization_intervals_view_idx
	ON feast.materialization_intervals (project, feature_view, end_date);
COMMENT ON TABLE feast.materialization_intervals IS 'one row per successful materialization of one feature view over [start_date, end_date]';

CREATE TABLE feast.materialization_runs (
	run_id				bigserial,
	project				text NOT NULL,
	feature_view		text NOT NULL,
	start_date			timestamptz NOT NULL,
	end_date			timestamptz NOT NULL,
	incremental			boolean NOT NULL,
	status				text NOT NULL DEFAULT 'succeeded',
	rows_read			bigint NOT NULL DEFAULT 0,
	rows_written		bigint NOT NULL DEFAULT 0,
	started_at			timestamptz NOT NULL,
	finished_at			timestamptz NOT NULL,
	duration			interval GENERATED ALWAYS AS (finished_at OPERATOR(pg_catalog.-) started_at) STORED,
	error				text,
	CONSTRAINT materialization_runs_pkey PRIMARY KEY (run_id),
	CONSTRAINT materialization_runs_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['succeeded', 'failed']::text[])),
	CONSTRAINT materialization_runs_error_check CHECK ((status OPERATOR(pg_catalog.=) 'failed') OPERATOR(pg_catalog.=) (error IS NOT NULL)),
	CONSTRAINT materialization_runs_rows_check CHECK (rows_read OPERATOR(pg_catalog.>=) 0 AND rows_written OPERATOR(pg_catalog.>=) 0),
	-- finite and inside the timestamp range (see materialization_intervals)
	CONSTRAINT materialization_runs_range_check CHECK (
		pg_catalog.extract('epoch', start_date) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', start_date) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', end_date) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', end_date) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', started_at) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', started_at) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', finished_at) OPERATOR(pg_catalog.>=) '-210866803200'::pg_catalog.numeric
		AND pg_catalog.extract('epoch', finished_at) OPERATOR(pg_catalog.<) '9224318016000'::pg_catalog.numeric)
);
CREATE INDEX materialization_runs_view_idx
	ON feast.materialization_runs (project, feature_view, run_id);
COMMENT ON TABLE feast.materialization_runs IS 'one row per committed materialization of one feature view';

CREATE TABLE feast.saved_datasets (
	project				text NOT NULL,
	name				text NOT NULL,		-- the table, as given to feast_persist
	entity_df			text,
	features			text[],
	feature_service		text,
	full_feature_names	boolean NOT NULL,
	start_date			timestamptz,
	end_date			timestamptz,
	row_count			bigint NOT NULL,
	as_of				timestamptz,		-- only source rows created by then were read
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT saved_datasets_pkey PRIMARY KEY (project, name),
	CONSTRAINT saved_datasets_project_fkey FOREIGN KEY (project)
		REFERENCES feast.projects (name) ON UPDATE CASCADE ON DELETE CASCADE,
	CONSTRAINT saved_datasets_features_check CHECK ((features IS NULL) OPERATOR(pg_catalog.<>) (feature_service IS NULL))
);
COMMENT ON TABLE feast.saved_datasets IS 'one row per training set persisted with feast_persist';

-- pg_dump keeps the rows users put in the registry.
SELECT pg_catalog.pg_extension_config_dump('feast.projects', '');
SELECT pg_catalog.pg_extension_config_dump('feast.entities', '');
SELECT pg_catalog.pg_extension_config_dump('feast.data_sources', '');
SELECT pg_catalog.pg_extension_config_dump('feast.feature_views', '');
SELECT pg_catalog.pg_extension_config_dump('feast.feature_view_entities', '');
SELECT pg_catalog.pg_extension_config_dump('feast.features', '');
SELECT pg_catalog.pg_extension_config_dump('feast.aggregations', '');
SELECT pg_catalog.pg_extension_config_dump('feast.feature_services', '');
SELECT pg_catalog.pg_extension_config_dump('feast.feature_service_projections', '');
SELECT pg_catalog.pg_extension_config_dump('feast.materialization_intervals', '');
SELECT pg_catalog.pg_extension_config_dump('feast.materialization_runs', '');
SELECT pg_catalog.pg_extension_config_dump('feast.materialization_runs_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('feast.saved_datasets', '');

-- Reading is for everyone; writing goes through feast_apply and friends.
GRANT USAGE ON SCHEMA feast TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA feast TO PUBLIC;

/*
 * Ownership. Every project has an owner role (feast.projects.owner), and
 * only members of that role, and superusers, write the project's rows, in
 * every registry table: row-level security, so that the same rule holds
 * for feast_apply, for the other functions and for plain SQL, while every
 * function keeps running as its caller (SECURITY INVOKER). Revoking direct
 * writes instead would need functions that write as someone else, which is
 * what this rule is there to prevent. The C functions check the same rule
 * first (RegistryCheckProjectOwner), for an error that names the project.
 * Reading stays public. Changing a project's owner is an UPDATE of
 * feast.projects.owner by a member of the old owner role to a role it is a
 * member of, as ALTER ... OWNER TO requires.
 */
CREATE FUNCTION feast.project_writable(project text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM feast.projects p
				   WHERE p.name OPERATOR(pg_catalog.=) $1
				   AND pg_catalog.pg_has_role(p.owner::pg_catalog.oid, 'MEMBER'))
$$;
COMMENT ON FUNCTION feast.project_writable(text) IS 'whether the current user may write the rows of a project: a member of its owner role, or a superuser';

ALTER TABLE feast.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_read ON feast.projects FOR SELECT USING (true);
CREATE POLICY projects_owner ON feast.projects FOR ALL
	USING (pg_catalog.pg_has_role(owner::pg_catalog.oid, 'MEMBER'))
	WITH CHECK (pg_catalog.pg_has_role(owner::pg_catalog.oid, 'MEMBER'));

ALTER TABLE feast.entities ENABLE ROW LEVEL SECURITY;
CREATE POLICY entities_read ON feast.entities FOR SELECT USING (true);
CREATE POLICY entities_owner ON feast.entities FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.data_sources ENABLE ROW LEVEL SECURITY;
CREATE POLICY data_sources_read ON feast.data_sources FOR SELECT USING (true);
CREATE POLICY data_sources_owner ON feast.data_sources FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.feature_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY feature_views_read ON feast.feature_views FOR SELECT USING (true);
CREATE POLICY feature_views_owner ON feast.feature_views FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.feature_view_entities ENABLE ROW LEVEL SECURITY;
CREATE POLICY feature_view_entities_read ON feast.feature_view_entities FOR SELECT USING (true);
CREATE POLICY feature_view_entities_owner ON feast.feature_view_entities FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.features ENABLE ROW LEVEL SECURITY;
CREATE POLICY features_read ON feast.features FOR SELECT USING (true);
CREATE POLICY features_owner ON feast.features FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.aggregations ENABLE ROW LEVEL SECURITY;
CREATE POLICY aggregations_read ON feast.aggregations FOR SELECT USING (true);
CREATE POLICY aggregations_owner ON feast.aggregations FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.feature_services ENABLE ROW LEVEL SECURITY;
CREATE POLICY feature_services_read ON feast.feature_services FOR SELECT USING (true);
CREATE POLICY feature_services_owner ON feast.feature_services FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.feature_service_projections ENABLE ROW LEVEL SECURITY;
CREATE POLICY feature_service_projections_read ON feast.feature_service_projections FOR SELECT USING (true);
CREATE POLICY feature_service_projections_owner ON feast.feature_service_projections FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.materialization_intervals ENABLE ROW LEVEL SECURITY;
CREATE POLICY materialization_intervals_read ON feast.materialization_intervals FOR SELECT USING (true);
CREATE POLICY materialization_intervals_owner ON feast.materialization_intervals FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.materialization_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY materialization_runs_read ON feast.materialization_runs FOR SELECT USING (true);
CREATE POLICY materialization_runs_owner ON feast.materialization_runs FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));

ALTER TABLE feast.saved_datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY saved_datasets_read ON feast.saved_datasets FOR SELECT USING (true);
CREATE POLICY saved_datasets_owner ON feast.saved_datasets FOR ALL
	USING (feast.project_writable(project)) WITH CHECK (feast.project_writable(project));
