/*-------------------------------------------------------------------------
 *
 * online_tables.h
 *		The online tables of online feature views: their names, and their
 *		creation, alteration and removal at feast_apply time.
 *
 * IDENTIFICATION
 *	  src/online_tables.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_ONLINE_TABLES_H
#define OFS_ONLINE_TABLES_H

#include "postgres.h"

/* One column of an online table: its name and its type. */
typedef struct OnlineColumn
{
	const char *name;
	Oid			typid;
	int32		typmod;
} OnlineColumn;

/*
 * What the online table of one feature view must look like. nkeys == 0 is
 * an entity-less view: a one-row table keyed by __dummy_id.
 */
typedef struct OnlineTableSpec
{
	const char *project;
	const char *view;
	const char *schema_name;	/* the project's online_store.db_schema */
	const char *table_name;		/* <project>_<view> */
	int			nkeys;
	OnlineColumn *keys;			/* join keys, typed by entity value type */
	int			nfeatures;
	OnlineColumn *features;		/* typed as the source columns */
} OnlineTableSpec;

/* The key column of the online table of an entity-less view. */
#define OFS_DUMMY_ID_COLUMN "__dummy_id"

/*
 * <project>_<view>, palloc'd; NULL when longer than NAMEDATALEN - 1 bytes
 * (never truncated).
 */
extern char *OnlineTableName(const char *project, const char *view);

/*
 * Errors unless the online table of spec can be created or kept: a
 * relation of that name that offline_store did not create for this view is
 * never adopted. detail (may be NULL) is appended to the error detail.
 * Caller must be connected to SPI.
 */
extern void OnlineTableCheck(const OnlineTableSpec *spec, const char *detail);

/*
 * Makes the online table of spec exist with the right columns: created,
 * altered (feature columns added or dropped), or dropped and recreated
 * when its keys, a column type or its name change (the view's
 * materialization intervals are then forgotten). Returns true when it did
 * anything. Caller must be connected to SPI.
 */
extern bool OnlineTableSync(const OnlineTableSpec *spec);

/*
 * Drops the online table of a feature view, if offline_store recorded one,
 * and forgets its materialization intervals. Returns true when there was
 * one. Caller must be connected to SPI.
 */
extern bool OnlineTableDrop(const char *project, const char *view);

/*
 * The schema-qualified, quoted name of the online table of a feature view,
 * palloc'd in the caller's context. Errors when the view has none.
 */
extern char *OnlineTableQualifiedName(const char *project, const char *view);

/* The SQL type of an entity value type (INT64 -> int8), InvalidOid if none. */
extern Oid	OnlineValueTypeOid(const char *value_type);

#endif							/* OFS_ONLINE_TABLES_H */
