/*-------------------------------------------------------------------------
 *
 * registry.h
 *		Reading the feast.* registry into C structs for retrieval,
 *		materialization and push.
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

/*
 * A batch data source (a table or a query). Every name in a definition is a
 * Feast-side name; RegSourceColumn() maps one to the source column through
 * field_mapping.
 */
typedef struct RegSource
{
	char	   *name;
	bool		is_query;		/* else a table */
	char	   *table_name;		/* SQL name as stored, e.g. public."My T" */
	char	   *query;
	char	   *timestamp_field;	/* Feast-side name */
	char	   *created_timestamp_column;	/* Feast-side name, or NULL */
	int			nmappings;
	char	  **map_from;		/* source column */
	char	  **map_to;			/* Feast-side name */
} RegSource;

typedef struct RegFeature
{
	char	   *name;			/* Feast-side name */
	char	   *dtype;			/* declared Feast dtype */
} RegFeature;

typedef struct RegFeatureView
{
	char	   *project;
	char	   *name;
	int64		ttl_usec;		/* 0: no lower bound */
	bool		online;
	bool		offline;
	int			nkeys;			/* 0: entity-less */
	char	  **entities;
	char	  **join_keys;		/* Feast-side join key names */
	char	  **value_types;	/* entity value types: INT64, STRING, ... */
	int			nfeatures;
	RegFeature *features;
	RegSource  *source;			/* the batch source */
	char	   *push_source;	/* the push source the view reads, or NULL */
	char	   *online_schema;	/* the project's online_store.db_schema */
} RegFeatureView;

/*
 * One feature view as a retrieval requests it: possibly aliased (feature
 * service projection), with join keys possibly renamed, and a subset of its
 * features in request order.
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

/*
 * NULL means the setting offline_store.project, else the only project.
 * Errors if the project does not exist or none can be chosen.
 */
extern char *RegistryResolveProject(const char *project);

/* The view, fully loaded; errors (undefined_object) when it does not exist. */
extern RegFeatureView *RegistryGetFeatureView(const char *project, const char *name);

/*
 * A data source by name (a push source followed to its batch source, whose
 * own name goes to *push_source), or NULL when there is none.
 */
extern RegSource *RegistryGetDataSource(const char *project, const char *name,
										char **push_source);

/* Names of the project's feature views (online ones only if asked), by name. */
extern List *RegistryListFeatureViews(const char *project, bool online_only);

/* Names of the views fed by a push source; errors if the source is not a push source. */
extern List *RegistryPushSourceViews(const char *project, const char *push_source);

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
 * Ownership. Every project has an owner role (feast.projects.owner); only
 * members of it, and superusers, change the project's objects.
 *
 * RegistryProjectOwner returns the owner of a project, InvalidOid when the
 * project does not exist.
 *
 * RegistryCheckProjectOwner errors (insufficient_privilege, naming the
 * project) unless the current user may change the project: a member of its
 * owner role or a superuser. A project that does not exist passes (whoever
 * creates it becomes its owner). Every function that writes a project's
 * objects calls it first.
 */
extern Oid	RegistryProjectOwner(const char *project);
extern void RegistryCheckProjectOwner(const char *project);

/*
 * RegistryCheckQuerySource errors (insufficient_privilege) unless the
 * current user may run the query of a query source of the project: a
 * member of the owner role, or a role whose privileges the owner has. A
 * query source never runs with privileges its owner lacks, a superuser's
 * included. Caller must be connected to SPI.
 */
extern void RegistryCheckQuerySource(const char *project, const char *source);

/*
 * Transaction-level advisory locks. The project lock is taken exclusive by
 * feast_apply and shared by calls that must see a stable registry while
 * they write (materialize, push); a view's materialization lock serialises
 * materializations of one view.
 */
extern void RegistryLockProject(const char *project, bool exclusive);
extern bool RegistryLockMaterialization(const char *project, const char *view, bool wait);

#endif							/* OFS_REGISTRY_H */
