/*-------------------------------------------------------------------------
 *
 * online.h
 *		Helpers shared by materialization, online reads, push and pull
 *		(online_common.c): describing sources and user queries, timestamp
 *		expressions, online keys, the newest-wins upserts, and SETOF record
 *		results from a query.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_ONLINE_H
#define OFS_ONLINE_H

#include "fmgr.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"

#include "registry.h"

/* The key column of the online table of an entity-less view. */
#define OFS_ONLINE_DUMMY_KEY "__dummy_id"

/*
 * OnlineDescribe returns the columns of a FROM item (a quoted relation or a
 * parenthesised query), without reading rows. Runs read-only. Caller must be
 * connected to SPI; the result is allocated in the caller's context
 * (mcxt).
 */
extern TupleDesc OnlineDescribe(const char *from_item, MemoryContext mcxt);

/* The attribute named name (exact), or NULL. */
extern Form_pg_attribute OnlineFindColumn(TupleDesc desc, const char *name);

/* The role of a source column, for error messages. */
typedef enum OnlineColumnRole
{
	ONLINE_TIMESTAMP,			/* the timestamp field */
	ONLINE_CREATED,				/* the created timestamp column */
	ONLINE_JOIN_KEY,
	ONLINE_FEATURE
} OnlineColumnRole;

/*
 * The source column holding a Feast-side name of a data source; errors
 * (undefined_column) when the source has no such column, saying which
 * role (join key, feature, ...) it has.
 */
extern Form_pg_attribute OnlineSourceColumn(TupleDesc desc, const RegSource *src,
											const char *feast_name,
											OnlineColumnRole role);

/*
 * SQL for a source timestamp column (role ONLINE_TIMESTAMP or
 * ONLINE_CREATED) as timestamptz ("alias.col", or its UTC reading for
 * timestamp without time zone); errors for other types. OnlineTsBound is
 * the expression to compare the column with a timestamptz parameter $n so
 * that an index on the column can be used.
 */
extern char *OnlineTsExpr(const char *alias, Form_pg_attribute att,
						  const RegSource *src, OnlineColumnRole role);
extern char *OnlineTsBound(Form_pg_attribute att, int paramno);

/*
 * OnlineUpsertSql returns the statement that upserts the newest row per
 * online key of from_item (rows of fv's source, whose columns are desc)
 * into fv's online table, with the newest-wins rule: every row with a
 * timestamp and no NULL key, grouped by the online key (push). Caller must
 * be connected to SPI.
 */
extern char *OnlineUpsertSql(const RegFeatureView *fv, TupleDesc desc,
							 const char *from_item);

/*
 * OnlineUpsertRowsSql returns the statement that upserts the rows of the
 * relation named relation (an ephemeral named relation: rows one per
 * online key, with the online table's columns in order: keys, or '' for an
 * entity-less view, the schema's features (not the aggregated ones),
 * event_timestamp, created_timestamp) into
 * fv's online table, in the relation's order, with the newest-wins rule
 * (materialization); without newest_wins, a plain INSERT (for a table
 * known to hold none of the keys).
 */
extern char *OnlineUpsertRowsSql(const RegFeatureView *fv, const char *relation,
								 bool newest_wins);

/*
 * OnlineKeyReadExpr returns the SQL (alias s) reading source join key
 * column att as a value of the online key column oatt's type: the column
 * itself where its values already are values of that type as stored (the
 * same base type, a binary-coercible type, or a timestamp without time
 * zone for a timestamptz key: the same number, read as UTC), else a cast
 * (what INSERT would store). Errors when INSERT could not store it.
 */
extern char *OnlineKeyReadExpr(const RegFeatureView *fv, const char *key,
							   Form_pg_attribute att, Form_pg_attribute oatt);

/*
 * OnlineKeyExpr returns the value a source join key column (att, alias s)
 * of fv takes in its online key column (oatt), with that column's
 * collation, so that grouping by it groups as the online primary key does:
 * what INSERT would store there, a timestamp without time zone read as UTC.
 * Errors when INSERT could not store it.
 */
extern char *OnlineKeyExpr(const RegFeatureView *fv, const char *key,
						   Form_pg_attribute att, Form_pg_attribute oatt);

/*
 * OnlineMaterializeAggregations sets the aggregated features of fv's
 * online table as of end (online_materialize_agg.c); returns the number of
 * online rows it wrote. *statement receives the statement it runs
 * (allocated in statement_cxt) before it runs, for error reports. Caller
 * must be connected to SPI and hold the view's materialization lock.
 */
extern int64 OnlineMaterializeAggregations(const RegFeatureView *fv, TimestampTz end,
										   MemoryContext statement_cxt,
										   char **statement);

/* The schema-qualified, quoted name of a view's online table. */
extern char *OnlineTableOf(const RegFeatureView *fv);

/*
 * OnlineQueryToSrf runs a SELECT (parameters as SPI_cursor_open_with_args)
 * and returns its rows as the result of a SETOF record function, checking
 * the caller's column definition list. With read_only, the query runs
 * with the transaction read-only. Caller must be connected to SPI.
 */
extern void OnlineQueryToSrf(FunctionCallInfo fcinfo, const char *funcname,
							 const char *sql, int nargs, Oid *argtypes,
							 Datum *values, const char *nulls, bool read_only);

/* Resolve the project argument (argno) of a call. */
extern char *OnlineProjectArg(FunctionCallInfo fcinfo, int argno);

/* Text argument or NULL. */
extern char *OnlineTextArg(FunctionCallInfo fcinfo, int argno);

#endif							/* OFS_ONLINE_H */
