/*-------------------------------------------------------------------------
 *
 * registry.h
 *		The feature registry as C structs: one project's entities, data
 *		sources, feature views and feature services, how they are loaded,
 *		and what retrieval, materialization and push ask of them.
 *
 * There is one model. feast_apply compares a document with the registry
 * in it, feast_registry_dump writes it back as a document, and retrieval,
 * materialization and push read the views they need: all through the
 * structs below, filled from the catalog by one loader (registry_load.c)
 * or from a parsed document, whose pure-C OfsConfig (yaml_config.h) is
 * converted once (RegistryRepoFromDocument).
 *
 * Every object starts with its name (RegListFind, RegListNames rely on
 * it). Maps (tags, field_mapping, join_key_map) are kept as canonical
 * jsonb text, which is what is stored and compared; the maps a lookup
 * needs are also split into keys and values. Positions (RegPos) say where
 * a document defines an object and are zero for objects the registry
 * holds (from_doc false). Fields marked "resolved" are filled by
 * RegistryGetFeatureView for retrieval and by feast_apply's validation
 * for a document; fields marked "apply" only by the latter.
 *
 * Memory: everything is palloc'd in the caller's CurrentMemoryContext;
 * the loaders release their SPI memory before returning.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/registry.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_REGISTRY_H
#define OFS_REGISTRY_H

#include "nodes/pg_list.h"
#include "utils/array.h"

struct OfsConfig;				/* yaml_config.h */

/* ----------------------------------------------------------------
 * The model
 * ----------------------------------------------------------------
 */

/* 1-based line and column of a definition in a document; 0 when unknown. */
typedef struct RegPos
{
	int			line;
	int			column;
} RegPos;

/* A string map in document order (registry: key order, bytewise). */
typedef struct RegStrMap
{
	int			n;
	char	  **keys;
	char	  **values;
	RegPos	   *keypos;			/* of each key in the document */
	char	   *json;			/* canonical jsonb text */
} RegStrMap;

/* A column of a source relation or query. */
typedef struct RegColumn
{
	char	   *name;
	Oid			typid;
	int32		typmod;
} RegColumn;

/* feature_store.yaml: one row of feast.projects. */
typedef struct RegProject
{
	char	   *name;
	char	   *description;
	char	   *provider;
	char	   *registry;		/* the sections: canonical jsonb text or NULL */
	char	   *online_store;
	char	   *offline_store;
	char	   *batch_engine;
	char	   *materialization;
	char	   *auth;
	int			entity_key_serialization_version;
	bool		coerce_tz_aware;
	char	   *online_schema;	/* online_store.db_schema */
	bool		has_online_store;	/* a document has the key */
	bool		has_offline_store;
	RegPos		pos;
	RegPos		online_schema_pos;
} RegProject;

typedef struct RegEntity
{
	char	   *name;
	char	   *join_key;
	char	   *value_type;		/* INT64, STRING, ...; a document's may be
								 * NULL until apply infers it */
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	RegPos		pos;
	RegPos		value_type_pos;
} RegEntity;

typedef enum RegSourceType
{
	REG_SOURCE_TABLE,
	REG_SOURCE_QUERY,
	REG_SOURCE_PUSH
} RegSourceType;

/*
 * A data source. Every name in a definition is a Feast-side name;
 * RegSourceColumn() maps one to the source column through field_mapping.
 */
typedef struct RegSource
{
	char	   *name;
	RegSourceType type;
	char	   *table_name;		/* table: an SQL name as written */
	char	   *query;			/* query */
	char	   *batch_source;	/* push: where its rows are stored */
	char	   *timestamp_field;	/* table and query */
	char	   *created_timestamp_column;	/* or NULL */
	char	   *date_partition_column;	/* or NULL */
	RegStrMap	field_mapping;	/* source column -> Feast-side name */
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	RegPos		pos;
	RegPos		table_pos;
	RegPos		query_pos;
	RegPos		batch_source_pos;
	RegPos		timestamp_pos;
	RegPos		created_pos;
	RegPos		date_partition_pos;
	/* apply: the columns of its relation or query */
	bool		loaded;
	int			ncols;
	RegColumn  *cols;
} RegSource;

struct RegAggregation;

/*
 * A feature: a field of a view's schema, read from its source column, or
 * the feature an aggregation produces (agg not NULL; it has no dtype, and
 * no description or tags of its own).
 */
typedef struct RegFeature
{
	char	   *name;			/* Feast-side name */
	char	   *dtype;			/* declared Feast dtype: Int64, Array(Float32);
								 * NULL for an aggregation's feature */
	char	   *description;
	char	   *tags;
	RegPos		pos;
	RegPos		dtype_pos;
	RegColumn  *col;			/* apply: the source column */
	struct RegAggregation *agg; /* the aggregation computing it, or NULL */
} RegFeature;

/*
 * A windowed aggregation of a feature view (registry table
 * feast.aggregations): the feature named name is, for an entity row at
 * time t, the SQL aggregate of function (RegAggregationSqlName) over column
 * of the source rows with the row's key and t - window < timestamp <= t.
 */
typedef struct RegAggregation
{
	char	   *name;			/* the feature it produces */
	char	   *column;			/* Feast-side name of the source column */
	char	   *function;		/* sum, count, mean, min, max or stddev */
	int64		window_usec;	/* positive */
	RegPos		pos;
	RegPos		column_pos;
	RegPos		function_pos;
	RegPos		window_pos;
	RegFeature	feature;		/* the feature it produces; feature.agg is
								 * this aggregation */
	/* apply: the source column and the aggregate's result type */
	RegColumn  *col;
	Oid			result_type;
} RegAggregation;

typedef struct RegFeatureView
{
	char	   *name;
	char	   *project;
	char	   *source_name;	/* as defined: may be a push source */
	int64		ttl_usec;		/* 0: no lower bound */
	bool		online;
	bool		offline;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nkeys;			/* entities; 0: entity-less */
	char	  **entities;
	int			nfeatures;		/* the schema */
	RegFeature *features;
	int			naggregations;
	RegAggregation *aggregations;
	bool		from_doc;
	RegPos		pos;
	RegPos		source_pos;
	RegPos	   *entity_pos;
	/* resolved */
	char	  **join_keys;		/* of each entity: Feast-side name */
	char	  **value_types;	/* of each entity: INT64, STRING, ... */
	RegSource  *source;			/* the table or query source rows come from */
	char	   *push_source;	/* the push source the view reads, or NULL */
	RegColumn **keycols;		/* apply: each join key's source column */
} RegFeatureView;

/* One projection of a feature service. */
typedef struct RegProjection
{
	char	   *feature_view;
	char	   *alias;			/* NULL: the view's name */
	int			nfeatures;		/* -1: every feature of the view */
	char	  **features;
	RegStrMap	join_key_map;	/* view join key -> entity_df column */
	RegPos		pos;
	RegPos		feature_view_pos;
	RegPos	   *feature_pos;
} RegProjection;

typedef struct RegFeatureService
{
	char	   *name;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nprojections;
	RegProjection *projections;
	bool		from_doc;
	RegPos		pos;
} RegFeatureService;

/*
 * A feature repo: one project's objects, as the registry has them or as a
 * document wants them. A document that lacks a section leaves that kind of
 * object alone (has_* false); the registry's repo has every section.
 */
typedef struct RegRepo
{
	RegProject *project;		/* NULL: the registry has no such project */
	List	   *entities;		/* of RegEntity *, by name */
	List	   *sources;		/* of RegSource * */
	List	   *views;			/* of RegFeatureView * */
	List	   *services;		/* of RegFeatureService * */
	bool		has_entities;
	bool		has_sources;
	bool		has_views;
	bool		has_services;
} RegRepo;

/*
 * One feature view as a retrieval requests it: possibly aliased (feature
 * service projection), with join keys possibly renamed, and a subset of its
 * features in request order: fields of its schema and features of its
 * aggregations (feature->agg not NULL) alike.
 */
typedef struct RegRequest
{
	RegFeatureView *view;
	char	   *name_to_use;	/* alias, else the view name */
	char	  **key_columns;	/* for each join key: the entity_df column */
	int			nfeatures;
	RegFeature **features;		/* requested, in order */
	char	  **output_names;	/* feature, or name_to_use__feature */
} RegRequest;

/* ----------------------------------------------------------------
 * in registry_load.c: the one loader
 * ----------------------------------------------------------------
 */

/*
 * Every object of a project, sorted by name (bytewise); project is NULL
 * when the registry has none. Nothing is resolved.
 */
extern RegRepo *RegistryLoadRepo(const char *project);

/*
 * One feature view, resolved: its entities' join keys and value types,
 * its table or query source (a push source followed to its batch source).
 * Errors (undefined_object, with the closest names in the hint) when the
 * view does not exist.
 */
extern RegFeatureView *RegistryGetFeatureView(const char *project, const char *name);

/*
 * A data source by name (a push source followed to its batch source, whose
 * own name goes to *push_source), or NULL when there is none.
 */
extern RegSource *RegistryGetDataSource(const char *project, const char *name,
										char **push_source);

/* One feature service with its projections, or NULL when there is none. */
extern RegFeatureService *RegistryGetFeatureService(const char *project,
													const char *name);

/*
 * Names of the project's objects of one table of the registry, sorted
 * bytewise: feature views (online ones only if asked), data sources (push
 * sources only if asked), feature services, and projects (project ignored).
 */
extern List *RegistryListFeatureViews(const char *project, bool online_only);
extern List *RegistryListDataSources(const char *project, bool push_only);
extern List *RegistryListFeatureServices(const char *project);
extern List *RegistryListProjects(void);

/* Names of the views fed by a push source; errors if the source is not a push source. */
extern List *RegistryPushSourceViews(const char *project, const char *push_source);

/* The owner role of a project, InvalidOid when there is no such project. */
extern Oid	RegistryProjectOwner(const char *project);

/*
 * The objects a document defines, palloc'd; its project is the document's
 * (with defaults filled in). Maps become canonical jsonb text, so that
 * they compare equal to what the registry returns.
 */
extern RegRepo *RegistryRepoFromDocument(const struct OfsConfig *cfg);

/* "table", "query" or "push" */
extern const char *RegSourceTypeName(RegSourceType type);

/*
 * The SQL aggregate of an aggregation function: sum, count, avg (mean),
 * min, max, stddev_samp (stddev); NULL for an unknown function.
 */
extern const char *RegAggregationSqlName(const char *function);

/*
 * The default name of an aggregation's feature, <function>_<column>
 * (palloc'd).
 */
extern char *RegAggregationDefaultName(const RegAggregation *agg);

/*
 * The feature of a view named name, a field of its schema or an
 * aggregation's, or NULL.
 */
extern RegFeature *RegViewFeature(RegFeatureView *view, const char *name);

/* The names of a view's features: its schema's, then its aggregations'. */
extern List *RegViewFeatureNames(const RegFeatureView *view);

/* The object of that name in a List of model objects, or NULL. */
extern void *RegListFind(List *objects, const char *name);

/* The names of a List of model objects (not copied). */
extern List *RegListNames(List *objects);

/* ----------------------------------------------------------------
 * in registry.c: retrieval, names, ownership and locks
 * ----------------------------------------------------------------
 */

/*
 * NULL means the setting offline_store.project, else the only project.
 * Errors if the project does not exist or none can be chosen.
 */
extern char *RegistryResolveProject(const char *project);

/*
 * Resolve feature refs ("view:feature") or a feature service into a List of
 * RegRequest, views in order of first reference. Exactly one of features and
 * feature_service must be given. Checks unknown views and features and
 * output name collisions.
 */
extern List *RegistryResolveRequest(const char *project, ArrayType *features,
									const char *feature_service,
									bool full_feature_names);

/* The source column holding a Feast-side name (field_mapping reversed). */
extern const char *RegSourceColumn(const RegSource *source, const char *feast_name);

/* The source as a FROM item: a schema-qualified quoted relation or "(query)". */
extern char *RegSourceFromItem(const RegSource *source);

/*
 * The hint of an error about an unknown name, for use inside ereport():
 * "Did you mean "x"?" with the closest of names (by Levenshtein distance,
 * as PostgreSQL suggests column names), else the valid names when there
 * are a few, else otherwise (may be NULL: no hint).
 */
extern int	RegistryHintClosest(const char *name, List *names,
								const char *otherwise);

/*
 * Ownership. Every project has an owner role (feast.projects.owner); only
 * members of it, and superusers, change the project's objects.
 *
 * RegistryCheckProjectOwner errors (insufficient_privilege, naming the
 * project) unless the current user may change the project: a member of its
 * owner role or a superuser. A project that does not exist passes (whoever
 * creates it becomes its owner). Every function that writes a project's
 * objects calls it first.
 */
extern void RegistryCheckProjectOwner(const char *project);

/*
 * RegistryCheckQuerySource errors (insufficient_privilege) unless the
 * current user may run the query of a query source of the project: a
 * member of the owner role, or a role whose privileges the owner has. A
 * query source never runs with privileges its owner lacks, a superuser's
 * included.
 */
extern void RegistryCheckQuerySource(const char *project, const char *source);

/*
 * Transaction-level advisory locks, in offline_store's own key space: the
 * two-key form pg_advisory_xact_lock(int4 classid, int4 objid), with a
 * fixed class id per kind of lock and the hash of the names as object id
 * (pg_locks shows them as locktype advisory, classid, objid, objsubid 2).
 * The project lock is taken exclusive by feast_apply and shared by calls
 * that must see a stable registry while they write (materialize, push); a
 * view's materialization lock serialises materializations of one view.
 */
#define OFS_LOCK_CLASS_PROJECT		0x4F465301	/* "OFS" 1 */
#define OFS_LOCK_CLASS_MATERIALIZE	0x4F465302	/* "OFS" 2 */

extern void RegistryLockProject(const char *project, bool exclusive);
extern bool RegistryLockMaterialization(const char *project, const char *view, bool wait);

#endif							/* OFS_REGISTRY_H */
