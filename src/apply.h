/*-------------------------------------------------------------------------
 *
 * apply.h
 *		The model feast_apply works on, private to registry_load.c,
 *		apply_validate.c and apply.c.
 *
 * An ApplyState is one project's objects, either as a document wants them
 * (ApplyStateFromDoc) or as the registry has them (ApplyStateFromRegistry).
 * Everything in it is palloc'd in the caller's memory context and lives
 * until the end of the feast_apply call; the parser's malloc'd OfsConfig is
 * copied, never referenced. ApplyValidate fills the fields marked "filled
 * by validation" and infers missing entity value types.
 *
 * The SPI helpers below (p_text, p_datum, exec_params) need an SPI
 * connection; their results live in SPI memory until SPI_finish().
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/apply.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_APPLY_H
#define OFS_APPLY_H

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"

#include "yaml_config.h"
#include "spi_util.h"

/* A column of a source relation or query. */
typedef struct ColInfo
{
	char	   *name;
	Oid			typid;
	int32		typmod;
} ColInfo;

/* A string map in document order (or jsonb key order from the registry). */
typedef struct KMap
{
	int			n;
	char	  **keys;
	char	  **vals;
	OfsPos	   *keypos;
} KMap;

typedef struct AProject
{
	char	   *name;
	char	   *description;
	char	   *provider;
	char	   *registry;		/* canonical jsonb text, or NULL */
	char	   *online_store;
	char	   *offline_store;
	char	   *batch_engine;
	char	   *materialization;
	char	   *auth;
	int			eksv;
	bool		coerce_tz_aware;
	char	   *online_schema;
	bool		has_online_store;	/* the document has the key */
	bool		has_offline_store;
	OfsPos		pos;
	OfsPos		online_schema_pos;
} AProject;

typedef struct AEntity
{
	char	   *name;
	char	   *join_key;
	char	   *value_type;		/* NULL until inferred */
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		value_type_pos;
} AEntity;

typedef struct ASource
{
	char	   *name;
	char	   *type;
	char	   *table_name;
	char	   *query;
	char	   *batch_source;
	char	   *timestamp_field;
	char	   *created_col;
	char	   *date_partition_column;
	char	   *field_mapping;	/* canonical jsonb text */
	KMap		fm;
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		table_pos;
	OfsPos		query_pos;
	OfsPos		batch_source_pos;
	OfsPos		timestamp_pos;
	OfsPos		created_pos;
	OfsPos		date_partition_pos;
	/* filled by validation */
	bool		loaded;
	int			ncols;
	ColInfo    *cols;
	char	   *relname;		/* for messages: relation "t", or the query of ... */
} ASource;

typedef struct AFeature
{
	char	   *name;
	char	   *dtype;
	char	   *description;
	char	   *tags;
	OfsPos		pos;
	OfsPos		dtype_pos;
	ColInfo    *col;			/* filled by validation */
} AFeature;

typedef struct AView
{
	char	   *name;
	char	   *source;
	int64		ttl_usec;
	bool		online;
	bool		offline;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nentities;
	char	  **entities;
	OfsPos	   *entity_pos;
	int			nfeatures;
	AFeature   *features;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		source_pos;
	/* filled by validation */
	ASource    *rsource;		/* the source rows come from (push: batch) */
	ColInfo   **keycols;		/* per entity: its join key column */
} AView;

typedef struct AProjection
{
	char	   *feature_view;
	char	   *alias;
	int			nfeatures;		/* -1: every feature of the view */
	char	  **features;
	OfsPos	   *feature_pos;
	char	   *join_key_map;	/* canonical jsonb text */
	KMap		jkm;
	OfsPos		pos;
	OfsPos		feature_view_pos;
} AProjection;

typedef struct AService
{
	char	   *name;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nprojections;
	AProjection *projections;
	bool		from_doc;
	OfsPos		pos;
} AService;

typedef struct ApplyState
{
	AProject   *project;		/* NULL: none in the registry */
	List	   *entities;		/* of AEntity * */
	List	   *sources;		/* of ASource * */
	List	   *views;			/* of AView * */
	List	   *services;		/* of AService * */
	bool		has_entities;	/* the document has the section */
	bool		has_sources;
	bool		has_views;
	bool		has_services;
} ApplyState;

/* Query parameters for SPI. */
#define MAX_PARAMS 16
typedef struct Params
{
	int			n;
	Oid			types[MAX_PARAMS];
	Datum		values[MAX_PARAMS];
	char		nulls[MAX_PARAMS];
} Params;

/* registry_load.c */
extern ApplyState *ApplyStateFromDoc(const OfsConfig *cfg, AProject **project);
extern ApplyState *ApplyStateFromRegistry(const char *project);

/* apply_validate.c */
extern void ApplyValidate(ApplyState *want, AProject *project);

/* ----------------------------------------------------------------
 * Query parameters and statements (the caller is connected to SPI)
 * ----------------------------------------------------------------
 */

static inline void
p_text(Params *p, const char *s)
{
	Assert(p->n < MAX_PARAMS);
	p->types[p->n] = TEXTOID;
	p->values[p->n] = s ? CStringGetTextDatum(s) : (Datum) 0;
	p->nulls[p->n] = s ? ' ' : 'n';
	p->n++;
}

static inline void
p_datum(Params *p, Oid type, Datum d)
{
	Assert(p->n < MAX_PARAMS);
	p->types[p->n] = type;
	p->values[p->n] = d;
	p->nulls[p->n] = ' ';
	p->n++;
}

/* Run one statement with parameters and check its result code. */
static inline void
exec_params(const char *sql, Params *p, int expected)
{
	SpiExec(sql, p ? p->n : 0, p ? p->types : NULL, p ? p->values : NULL,
			p ? p->nulls : NULL, expected);
}

/* ----------------------------------------------------------------
 * Lookups in a state
 * ----------------------------------------------------------------
 */

static inline AEntity *
find_entity(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AEntity *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static inline ASource *
find_source(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((ASource *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static inline AView *
find_view(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AView *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static inline AService *
find_service(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AService *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

#endif							/* OFS_APPLY_H */
