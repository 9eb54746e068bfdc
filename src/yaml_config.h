/*-------------------------------------------------------------------------
 *
 * yaml_config.h
 *		The feature repo document (feature_store.yaml plus entities,
 *		sources, feature_views, feature_services) parsed into plain C.
 *
 * This layer (yaml_tree.c, yaml_config.c, yaml_ttl.c) is pure C: no
 * postgres.h, no palloc, no ereport. It is built into the extension and,
 * on its own, into the unit tests and the fuzzer.
 * Everything a parse returns lives in one arena owned by the OfsConfig and
 * is released by OfsConfigFree(); a failed parse returns NULL and fills an
 * OfsError, having freed everything itself.
 *
 * What is checked here: YAML syntax, the shape of the document (mapping,
 * sequence, scalar where each is expected), unrecognized keys, missing
 * required keys, scalar types (booleans, integers), ttl and dtype spellings,
 * duplicate names inside one section, and checks inside one object
 * (field_mapping conflicts; aggregation functions, positive time windows,
 * and resulting feature names that no other feature of the view has).
 * References between objects and to database
 * objects are checked by apply_validate.c, which sees the registry too.
 * feast_apply converts an OfsConfig once into the registry model
 * (registry.h, RegistryRepoFromDocument) and frees it at once.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/yaml_config.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_YAML_CONFIG_H
#define OFS_YAML_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1-based line and column of a node in the document; 0 when unknown. */
typedef struct OfsPos
{
	int			line;
	int			column;
} OfsPos;

/* A string scalar with its position; s is NULL when the key was absent. */
typedef struct OfsStr
{
	const char *s;
	OfsPos		pos;
} OfsStr;

/* A sequence of strings, in document order. */
typedef struct OfsStrList
{
	int			n;
	OfsStr	   *items;
	OfsPos		pos;			/* of the sequence itself */
} OfsStrList;

/* A mapping of strings to strings, in document order (tags, field_mapping, ...). */
typedef struct OfsStrPair
{
	OfsStr		key;
	OfsStr		value;
} OfsStrPair;

typedef struct OfsStrMap
{
	int			n;
	OfsStrPair *items;
	OfsPos		pos;
} OfsStrMap;

typedef struct OfsEntity
{
	OfsPos		pos;			/* of the entity's mapping */
	OfsStr		name;
	OfsStr		join_key;		/* join_keys: [x] (exactly one) */
	OfsStr		value_type;		/* normalized: INT32 INT64 FLOAT DOUBLE STRING
								 * BYTES BOOL UNIX_TIMESTAMP; NULL s when
								 * absent (apply_validate.c infers it) */
	OfsStr		description;	/* "" when absent */
	OfsStr		owner;			/* "" when absent */
	OfsStrMap	tags;
} OfsEntity;

typedef enum OfsSourceType
{
	OFS_SOURCE_TABLE,
	OFS_SOURCE_QUERY,
	OFS_SOURCE_PUSH
} OfsSourceType;

typedef struct OfsSource
{
	OfsPos		pos;
	OfsStr		name;
	OfsSourceType type;
	OfsStr		type_text;		/* "table" | "query" | "push" */
	OfsStr		table;			/* table: an SQL name as written */
	OfsStr		query;			/* query */
	OfsStr		batch_source;	/* push */
	OfsStr		timestamp_field;	/* required for table and query */
	OfsStr		created_timestamp_column;
	OfsStr		date_partition_column;
	OfsStrMap	field_mapping;	/* source column -> feast name */
	OfsStr		description;
	OfsStr		owner;
	OfsStrMap	tags;
} OfsSource;

typedef struct OfsField
{
	OfsPos		pos;
	OfsStr		name;
	OfsStr		dtype;			/* normalized: Int32 ... UnixTimestamp or Array(X) */
	OfsStr		description;
	OfsStrMap	tags;
} OfsField;

/*
 * A windowed aggregation of a feature view (key aggregations): for each
 * entity row at time t, function over column of the source rows with the
 * row's key and t - window < timestamp <= t.
 */
typedef struct OfsAggregation
{
	OfsPos		pos;			/* of the aggregation's mapping */
	OfsStr		column;			/* a Feast-side name (after field_mapping) */
	OfsStr		function;		/* sum, count, mean, min, max or stddev */
	OfsStr		time_window;	/* as written */
	int64_t		window_usec;	/* parsed time_window: positive */
	OfsStr		name;			/* as written; NULL s when absent */
	const char *result_name;	/* name, else <function>_<column> */
} OfsAggregation;

typedef struct OfsFeatureView
{
	OfsPos		pos;
	OfsStr		name;
	OfsStrList	entities;		/* [] for an entity-less view */
	OfsStr		ttl;			/* as written; NULL s when absent */
	int64_t		ttl_usec;		/* parsed ttl in microseconds; 0 = none */
	OfsStr		source;
	bool		online;			/* default true */
	bool		offline;		/* default true */
	int			nschema;
	OfsField   *schema;
	OfsPos		schema_pos;
	int			naggregations;
	OfsAggregation *aggregations;
	OfsPos		aggregations_pos;
	OfsStr		description;
	OfsStr		owner;
	OfsStrMap	tags;
} OfsFeatureView;

typedef struct OfsProjection
{
	OfsPos		pos;
	OfsStr		feature_view;
	OfsStr		alias;			/* name: ...; NULL s when absent */
	bool		has_features;	/* false: every feature of the view */
	OfsStrList	features;
	OfsStrMap	join_key_map;	/* view join key -> entity_df column */
} OfsProjection;

typedef struct OfsFeatureService
{
	OfsPos		pos;
	OfsStr		name;
	int			nprojections;
	OfsProjection *projections;
	OfsStr		description;
	OfsStr		owner;
	OfsStrMap	tags;
} OfsFeatureService;

typedef struct OfsConfig
{
	OfsStr		project;
	OfsStr		description;	/* project_description; "" when absent */
	OfsStr		provider;		/* default "local" */

	/*
	 * Nested feature_store.yaml sections kept as they are, as JSON text
	 * (NULL when absent; online_store and offline_store get defaults).
	 */
	const char *registry_json;
	const char *online_store_json;	/* default {"type": "postgres", "db_schema": "feast_online"} */
	const char *offline_store_json; /* default {"type": "offline_store"} */
	const char *batch_engine_json;
	const char *materialization_json;
	const char *auth_json;
	OfsStr		online_schema;	/* online_store.db_schema, default feast_online */
	bool		has_online_store;	/* the document has the key */
	bool		has_offline_store;

	/*
	 * Connection secrets found in the nested sections above and left out
	 * of their JSON (never stored): each one's path, as
	 * "online_store.password", with its position.
	 */
	int			nsecrets;
	OfsStr	   *secrets;

	int			entity_key_serialization_version;	/* default 3 */
	bool		coerce_tz_aware;	/* default true */

	/* A section that is absent leaves that kind of object alone. */
	bool		has_entities;
	bool		has_sources;
	bool		has_feature_views;
	bool		has_feature_services;

	int			nentities;
	OfsEntity  *entities;
	int			nsources;
	OfsSource  *sources;
	int			nfeature_views;
	OfsFeatureView *feature_views;
	int			nfeature_services;
	OfsFeatureService *feature_services;

	struct OfsArena *arena;		/* owns everything above */
} OfsConfig;

/* What went wrong; the caller maps kind to an SQLSTATE. */
typedef enum OfsErrorKind
{
	OFS_ERR_NONE = 0,
	OFS_ERR_SYNTAX,				/* not YAML: invalid_text_representation */
	OFS_ERR_UNKNOWN_KEY,		/* invalid_parameter_value, hint lists keys */
	OFS_ERR_WRONG_TYPE,			/* a mapping where a scalar belongs, "yes" for
								 * a bool...: invalid_parameter_value */
	OFS_ERR_INVALID_VALUE,		/* unparseable ttl, unknown dtype...:
								 * invalid_parameter_value */
	OFS_ERR_MISSING_KEY,		/* required key absent:
								 * invalid_object_definition */
	OFS_ERR_DUPLICATE,			/* duplicate_object */
	OFS_ERR_CONFLICT,			/* field_mapping conflicts and the like:
								 * invalid_object_definition */
	OFS_ERR_TOO_LARGE,			/* document limits: program_limit_exceeded */
	OFS_ERR_OUT_OF_MEMORY		/* out_of_memory */
} OfsErrorKind;

typedef struct OfsError
{
	OfsErrorKind kind;
	OfsPos		pos;
	char		message[512];	/* PostgreSQL style: lower case, no period */
	char		detail[512];	/* "" or a sentence */
	char		hint[1024];		/* "" or a sentence ("Valid keys are: a, b.") */
} OfsError;

/*
 * Parse a document of len bytes (need not be NUL-terminated). Returns the
 * config, or NULL with *err filled in.
 */
extern OfsConfig *OfsConfigParse(const char *text, size_t len, OfsError *err);
extern void OfsConfigFree(OfsConfig *config);

/*
 * Whether a key of a nested feature_store.yaml section names a connection
 * secret (password, passwd, passphrase, secret, token, api/access/private
 * key, pwd), and whether a string value carries a password (a URL's
 * user:password@, a conninfo's password= or sslpassword=). ASCII case is
 * ignored. The CHECK constraint projects_no_secrets_check applies the same
 * rules to what is stored.
 */
extern bool OfsIsSecretKey(const char *key, size_t len);
extern bool OfsHasPassword(const char *s, size_t len);

/*
 * Parse a ttl spelling (0, 7200, 7200s, 2h, 1d, 90m, 1w, P1D, PT2H, 1.5s,
 * '01:00:00') into microseconds. Returns false when it is not a valid,
 * finite, non-negative duration.
 */
extern bool OfsParseTtl(const char *text, int64_t *usec);

/* Canonical spelling of a ttl for feast_registry_dump: "0s", "2h", "90m", "1.5s"... */
extern void OfsFormatTtl(int64_t usec, char *buf, size_t buflen);

/*
 * Whether a name is one of the aggregation functions (sum, count, mean,
 * min, max, stddev), and those names, NULL-terminated.
 */
extern bool OfsIsAggregationFunction(const char *name);
extern const char *const OfsAggregationFunctions[];

/*
 * Normalize a Feast dtype ("Float32", "float32", "Array(Int64)") or value
 * type ("INT64", "Int64"); NULL when not valid. Returns a static string.
 */
extern const char *OfsNormalizeDtype(const char *text);
extern const char *OfsNormalizeValueType(const char *text);

#endif							/* OFS_YAML_CONFIG_H */
