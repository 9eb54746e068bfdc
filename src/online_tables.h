/*-------------------------------------------------------------------------
 *
 * online_tables.h
 *		The online tables of online feature views: their names, and their
 *		creation, alteration and removal at feast_apply time.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_tables.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_ONLINE_TABLES_H
#define OFS_ONLINE_TABLES_H

#include "nodes/pg_list.h"

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
	Oid			owner;			/* the project's owner: owns a new table */
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

/* What feast_apply does to the online table of one feature view. */
typedef enum OnlineTableAction
{
	OT_KEEP,					/* nothing */
	OT_CREATE,					/* create it (none recorded, or it is gone) */
	OT_ALTER,					/* move, rename, add/drop/retype columns */
	OT_RECREATE,				/* drop and create: its rows are lost */
	OT_DROP						/* drop it: its rows are lost */
} OnlineTableAction;

/*
 * The plan for one online table, made before anything is written (a dry
 * run makes it too) and carried out by OnlineTableExecute. Everything is
 * palloc'd in the caller's context.
 */
typedef struct OnlineTablePlan
{
	const char *project;
	const char *view;
	const OnlineTableSpec *spec;	/* the wanted table; NULL for OT_DROP */
	OnlineTableAction action;
	bool		recorded;		/* feast.online_tables has a row for the view */
	Oid			relid;			/* the recorded table, if it still exists */
	char	   *cur_name;		/* its quoted, qualified name now */
	bool		move;			/* ALTER TABLE ... SET SCHEMA */
	bool		rename;			/* ALTER TABLE ... RENAME TO */
	List	   *alters;			/* ALTER TABLE subcommands, as SQL text */
	bool		forget_intervals;	/* materialized data is lost */
	char	   *detail;			/* what changes or is lost; NULL: nothing */
} OnlineTablePlan;

/*
 * The plan that makes the online table of spec exist with the right
 * columns, keeping its rows and grants wherever possible: a column whose
 * type changes is altered in place when PostgreSQL can convert it, a
 * db_schema change moves the table. Rows go only when the join keys change
 * (the table is recreated, its grants kept) or a column's values cannot be
 * converted (that column is dropped and added again); detail says so, and
 * the view's materialization intervals are forgotten. spec->owner, when
 * valid, owns a created table. Caller must be connected to SPI.
 */
extern OnlineTablePlan *OnlineTablePlanSync(const OnlineTableSpec *spec);

/*
 * The plan that drops the online table of a feature view, if offline_store
 * recorded one; NULL when there is none. Caller must be connected to SPI.
 */
extern OnlineTablePlan *OnlineTablePlanDrop(const char *project, const char *view);

/*
 * Carries out a plan. Every relation is reached through the OID recorded
 * when offline_store created it. Caller must be connected to SPI.
 */
extern void OnlineTableExecute(OnlineTablePlan *plan);

/*
 * The schema-qualified, quoted name of the online table of a feature view,
 * palloc'd in the caller's context, found through the OID recorded when
 * offline_store created it. Errors when the view has none or it is gone.
 */
extern char *OnlineTableQualifiedName(const char *project, const char *view);

/*
 * The table-level grants of a relation (table or view) to roles other than
 * its owner, to give again to the relation that replaces it after a DROP
 * and CREATE (a List of private structs). Caller must be connected to SPI.
 */
extern List *OnlineGrantsSave(Oid relid);
extern void OnlineGrantsRestore(Oid relid, List *grants);

/* The SQL type of an entity value type (INT64 -> int8), InvalidOid if none. */
extern Oid	OnlineValueTypeOid(const char *value_type);

#endif							/* OFS_ONLINE_TABLES_H */
