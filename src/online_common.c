/*-------------------------------------------------------------------------
 *
 * online_common.c
 *		What the online-store files share (online.h): reading the arguments
 *		of a call, describing a source without reading it, finding its
 *		columns through field_mapping, timestamp expressions and bounds,
 *		join keys as online keys, the newest-wins upserts into an online
 *		table (push's set-based one, and materialization's of rows one per
 *		key), and SETOF record results streamed from a query.
 *
 * Everything here runs inside the caller's SPI connection and allocates in
 * the caller's memory context; nothing is cached between calls.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_common.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heaptoast.h"
#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

#include "online.h"
#include "online_tables.h"
#include "registry.h"
#include "sqlbuild.h"
#include "srf.h"

#define FETCH_BATCH 1000

static int	missing_column_detail(OnlineColumnRole role, const char *feast_name,
								  bool mapped);
static char *collation_name(Oid collid);
static char *online_key_cast(const RegFeatureView *fv, const char *key,
							 Form_pg_attribute att, Form_pg_attribute oatt,
							 bool as_is);
static void append_online_columns(StringInfo sql, const RegFeatureView *fv);
static void append_newest_wins(StringInfo sql, const RegFeatureView *fv);

char *
OnlineTextArg(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

char *
OnlineProjectArg(FunctionCallInfo fcinfo, int argno)
{
	return RegistryResolveProject(OnlineTextArg(fcinfo, argno));
}

/*
 * OnlineDescribe parses (never runs) SELECT * FROM from_item and returns
 * its result columns.
 */
TupleDesc
OnlineDescribe(const char *from_item, MemoryContext mcxt)
{
	char	   *sql = psprintf("SELECT * FROM %s ofs_d", from_item);
	SPIPlanPtr	plan;
	List	   *sources;
	CachedPlanSource *ps;
	TupleDesc	result;

	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(plan);
	if (list_length(sources) != 1)
		elog(ERROR, "unexpected number of statements");
	ps = linitial(sources);
	result = CreateTupleDescCopy(ps->resultDesc);
	if (mcxt != CurrentMemoryContext)
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);
		TupleDesc	copy = CreateTupleDescCopy(result);

		MemoryContextSwitchTo(old);
		result = copy;
	}
	SPI_freeplan(plan);
	pfree(sql);
	return result;
}

Form_pg_attribute
OnlineFindColumn(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att;
	}
	return NULL;
}

/* The detail of a missing source column: what it holds, by role. */
static int
missing_column_detail(OnlineColumnRole role, const char *feast_name, bool mapped)
{
	switch (role)
	{
		case ONLINE_TIMESTAMP:
			return mapped ?
				errdetail("It holds the timestamp field \"%s\" through field_mapping.", feast_name) :
				errdetail("It is the timestamp field \"%s\".", feast_name);
		case ONLINE_CREATED:
			return mapped ?
				errdetail("It holds the created timestamp column \"%s\" through field_mapping.", feast_name) :
				errdetail("It is the created timestamp column \"%s\".", feast_name);
		case ONLINE_JOIN_KEY:
			return mapped ?
				errdetail("It holds the join key \"%s\" through field_mapping.", feast_name) :
				errdetail("It is the join key \"%s\".", feast_name);
		case ONLINE_FEATURE:
			return mapped ?
				errdetail("It holds the feature \"%s\" through field_mapping.", feast_name) :
				errdetail("It is the feature \"%s\".", feast_name);
	}
	return 0;
}

Form_pg_attribute
OnlineSourceColumn(TupleDesc desc, const RegSource *src, const char *feast_name,
				   OnlineColumnRole role)
{
	const char *col = RegSourceColumn(src, feast_name);
	Form_pg_attribute att = OnlineFindColumn(desc, col);

	if (att == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of data source \"%s\" does not exist",
						col, src->name),
				 missing_column_detail(role, feast_name, strcmp(col, feast_name) != 0)));
	return att;
}

char *
OnlineTsExpr(const char *alias, Form_pg_attribute att, const RegSource *src,
			 OnlineColumnRole role)
{
	const char *col = quote_identifier(NameStr(att->attname));

	Assert(role == ONLINE_TIMESTAMP || role == ONLINE_CREATED);
	if (att->atttypid == TIMESTAMPTZOID)
		return psprintf("%s.%s", alias, col);
	if (att->atttypid == TIMESTAMPOID)
		return psprintf("pg_catalog.timezone('UTC'::pg_catalog.text, %s.%s)",
						alias, col);
	if (role == ONLINE_CREATED)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("created timestamp column \"%s\" of data source \"%s\" is of type %s",
						NameStr(att->attname), src->name,
						format_type_be(att->atttypid)),
				 errhint("Use a column of type timestamp with time zone or timestamp without time zone.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("timestamp field \"%s\" of data source \"%s\" is of type %s",
					NameStr(att->attname), src->name,
					format_type_be(att->atttypid)),
			 errhint("Use a column of type timestamp with time zone or timestamp without time zone.")));
	return NULL;				/* keep compiler quiet */
}

char *
OnlineTsBound(Form_pg_attribute att, int paramno)
{
	if (att->atttypid == TIMESTAMPOID)
		return psprintf("pg_catalog.timezone('UTC'::pg_catalog.text, $%d)", paramno);
	return psprintf("$%d", paramno);
}

/*
 * OnlineQueryToSrf streams the rows of a query into the result of a SETOF
 * record function. The rows own their values: a value stored out of line
 * (TOAST) in a table the query read is fetched into the row, so that the
 * result stays valid in a cursor whatever happens to that table.
 */
void
OnlineQueryToSrf(FunctionCallInfo fcinfo, const char *funcname, const char *sql,
				 int nargs, Oid *argtypes, Datum *values, const char *nulls,
				 bool read_only)
{
	int			nestlevel = 0;
	Portal		portal;
	Tuplestorestate *tupstore;
	TupleDesc	desc;

	if (read_only)
		nestlevel = SqlBeginReadOnly();
	portal = SPI_cursor_open_with_args(NULL, sql, nargs, argtypes, values, nulls,
									   true, CURSOR_OPT_NO_SCROLL);
	tupstore = SrfBeginRecord(fcinfo, portal->tupDesc, funcname, &desc);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];

			if (HeapTupleHasExternal(tuple))
			{
				HeapTuple	flat = toast_flatten_tuple(tuple, SPI_tuptable->tupdesc);

				tuplestore_puttuple(tupstore, flat);
				heap_freetuple(flat);
			}
			else
				tuplestore_puttuple(tupstore, tuple);
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	if (read_only)
		SqlEndReadOnly(nestlevel);
}

/*
 * OnlineTableOf returns the quoted, schema-qualified name of the online
 * table apply recorded for a view.
 */
char *
OnlineTableOf(const RegFeatureView *fv)
{
	return OnlineTableQualifiedName(fv->project, fv->name);
}

/* The schema-qualified, quoted name of a collation. */
static char *
collation_name(Oid collid)
{
	HeapTuple	tp = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	Form_pg_collation coll;
	char	   *result;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	coll = (Form_pg_collation) GETSTRUCT(tp);
	result = quote_qualified_identifier(get_namespace_name(coll->collnamespace),
										NameStr(coll->collname));
	ReleaseSysCache(tp);
	return result;
}

/*
 * online_key_cast returns the expression giving source join key column
 * att (of the view's source, alias s) the online key column oatt's type:
 * NULL where the column's values are already values of that type, as they
 * are stored (the same base type, a binary-coercible type such as varchar
 * for text, or a timestamp without time zone for timestamptz, whose value
 * read as UTC is the same number), with as_is; else what INSERT would store
 * there, except that a timestamp without time zone is read as UTC, never
 * through the session's TimeZone. Errors when INSERT could not store it.
 */
static char *
online_key_cast(const RegFeatureView *fv, const char *key, Form_pg_attribute att,
				Form_pg_attribute oatt, bool as_is)
{
	char	   *col = psprintf("s.%s", quote_identifier(NameStr(att->attname)));
	Oid			base = getBaseType(att->atttypid);

	if (oatt == NULL)
		elog(ERROR, "online table of feature view \"%s\" has no column \"%s\"",
			 fv->name, key);
	if (base == oatt->atttypid)
		return as_is ? NULL : col;
	if (base == TIMESTAMPOID && oatt->atttypid == TIMESTAMPTZOID)
		return as_is ? NULL :
			psprintf("pg_catalog.timezone('UTC'::pg_catalog.text, %s)", col);
	if (as_is && IsBinaryCoercible(att->atttypid, oatt->atttypid))
		return NULL;

	/*
	 * The online key has no typmod, so where an assignment cast exists an
	 * explicit cast is the same conversion; where none exists INSERT would
	 * fail, and so do we, with a clear error.
	 */
	if (!can_coerce_type(1, &att->atttypid, &oatt->atttypid, COERCION_ASSIGNMENT))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("join key \"%s\" of data source \"%s\" is of type %s, which cannot be stored as %s",
						key, fv->source->name, format_type_be(att->atttypid),
						format_type_be(oatt->atttypid)),
				 errdetail("The online table of feature view \"%s\" keys it as %s.",
						   fv->name, format_type_be(oatt->atttypid)),
				 errhint("Give the column a type that matches the entity's value type, or change the value type and run feast_apply.")));
	return psprintf("CAST(%s AS %s)", col,
					format_type_extended(oatt->atttypid, -1,
										 FORMAT_TYPE_FORCE_QUALIFY));
}

/*
 * OnlineKeyExpr returns the value a source join key column (att, alias s)
 * takes in the online key column (oatt) (online_key_cast), with the online
 * column's collation, so that grouping by it groups as the online table's
 * primary key does: two source keys that become one online key (numeric
 * 0.1 and 0.10000000000000000001 as float8, 'abc' and 'ABC' under a
 * case-insensitive source collation but not online) are one group. Push
 * groups its rows by it, and the materialization of aggregations
 * (online_materialize_agg.c) its source rows.
 */
char *
OnlineKeyExpr(const RegFeatureView *fv, const char *key,
			  Form_pg_attribute att, Form_pg_attribute oatt)
{
	char	   *expr = online_key_cast(fv, key, att, oatt, false);

	if (OidIsValid(att->attcollation) && OidIsValid(oatt->attcollation) &&
		att->attcollation != oatt->attcollation)
		expr = psprintf("(%s COLLATE %s)", expr, collation_name(oatt->attcollation));
	return expr;
}

char *
OnlineKeyReadExpr(const RegFeatureView *fv, const char *key,
				  Form_pg_attribute att, Form_pg_attribute oatt)
{
	char	   *expr = online_key_cast(fv, key, att, oatt, true);

	return expr ? expr : psprintf("s.%s", quote_identifier(NameStr(att->attname)));
}

/*
 * The online table's columns that newest-wins writes: keys (or the dummy
 * key), the schema's features, timestamps. Aggregated features are not
 * among them: a push leaves them as they are, and materialization sets
 * them with a statement of its own (online_materialize_agg.c).
 */
static void
append_online_columns(StringInfo sql, const RegFeatureView *fv)
{
	if (fv->nkeys == 0)
		appendStringInfoString(sql, quote_identifier(OFS_ONLINE_DUMMY_KEY));
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(sql, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(fv->join_keys[i]));
	for (int i = 0; i < fv->nfeatures; i++)
		appendStringInfo(sql, ", %s", quote_identifier(fv->features[i].name));
	appendStringInfoString(sql, ", event_timestamp, created_timestamp");
}

/*
 * The ON CONFLICT clause of an upsert into fv's online table (alias o):
 * newest wins against what is stored. A stored row is replaced only when
 * the incoming (event_timestamp, created_timestamp) is not older, a NULL
 * created being older than any non-NULL one.
 */
static void
append_newest_wins(StringInfo sql, const RegFeatureView *fv)
{
	appendStringInfoString(sql, "\nON CONFLICT (");
	if (fv->nkeys == 0)
		appendStringInfoString(sql, quote_identifier(OFS_ONLINE_DUMMY_KEY));
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(sql, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(fv->join_keys[i]));
	appendStringInfoString(sql, ") DO UPDATE SET ");
	for (int i = 0; i < fv->nfeatures; i++)
		appendStringInfo(sql, "%s = EXCLUDED.%s, ",
						 quote_identifier(fv->features[i].name),
						 quote_identifier(fv->features[i].name));
	appendStringInfoString(sql, "event_timestamp = EXCLUDED.event_timestamp, "
						   "created_timestamp = EXCLUDED.created_timestamp\nWHERE "
						   "EXCLUDED.event_timestamp OPERATOR(pg_catalog.>) o.event_timestamp "
						   "OR (EXCLUDED.event_timestamp OPERATOR(pg_catalog.=) o.event_timestamp "
						   "AND (o.created_timestamp IS NULL "
						   "OR EXCLUDED.created_timestamp OPERATOR(pg_catalog.>=) o.created_timestamp))");
}

/*
 * OnlineUpsertSql returns the statement that writes the newest row per
 * online key of from_item into fv's online table, newest-wins against what
 * is stored (push).
 *
 * The rows of from_item (aliased s) are rows of fv's source: desc gives
 * their columns, named as the source's. Rows with a timestamp are grouped
 * by the key values they take online (OnlineKeyExpr), newest first:
 * greatest timestamp, then greatest created, a NULL created losing (a
 * created column absent from desc means NULL). Rows are written in key
 * order, so concurrent upserts of overlapping keys lock rows in the same
 * order (materialization writes in that order too). Rows with a NULL key
 * are skipped.
 *
 * Caller must be connected to SPI (the online table is described).
 */
char *
OnlineUpsertSql(const RegFeatureView *fv, TupleDesc desc, const char *from_item)
{
	const RegSource *src = fv->source;
	char	   *online_table = OnlineTableOf(fv);
	TupleDesc	odesc = OnlineDescribe(online_table, CurrentMemoryContext);
	Form_pg_attribute ts_att;
	Form_pg_attribute cr_att;
	char	   *ts_col;
	char	   *cr_col = NULL;
	StringInfoData sql;
	StringInfoData keys;

	ts_att = OnlineSourceColumn(desc, src, src->timestamp_field, ONLINE_TIMESTAMP);
	ts_col = psprintf("s.%s", quote_identifier(NameStr(ts_att->attname)));
	cr_att = src->created_timestamp_column ?
		OnlineFindColumn(desc, RegSourceColumn(src, src->created_timestamp_column)) :
		NULL;
	if (cr_att)
		cr_col = psprintf("s.%s", quote_identifier(NameStr(cr_att->attname)));

	initStringInfo(&sql);
	initStringInfo(&keys);
	for (int i = 0; i < fv->nkeys; i++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->join_keys[i],
												   ONLINE_JOIN_KEY);

		appendStringInfo(&keys, "%s%s", i > 0 ? ", " : "",
						 OnlineKeyExpr(fv, fv->join_keys[i], att,
										 OnlineFindColumn(odesc, fv->join_keys[i])));
	}

	appendStringInfo(&sql, "INSERT INTO %s AS o (", online_table);
	append_online_columns(&sql, fv);
	appendStringInfoString(&sql, ")\nSELECT ");
	if (fv->nkeys == 0)
		appendStringInfoString(&sql, "''::pg_catalog.text");
	else
		appendStringInfo(&sql, "DISTINCT ON (%s) %s", keys.data, keys.data);
	for (int i = 0; i < fv->nfeatures; i++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->features[i].name,
												   ONLINE_FEATURE);

		appendStringInfo(&sql, ", s.%s", quote_identifier(NameStr(att->attname)));
	}
	appendStringInfo(&sql, ", %s, %s\nFROM %s s\nWHERE %s IS NOT NULL",
					 OnlineTsExpr("s", ts_att, src, ONLINE_TIMESTAMP),
					 cr_att ? OnlineTsExpr("s", cr_att, src, ONLINE_CREATED) :
					 "NULL::pg_catalog.timestamptz", from_item, ts_col);
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(&sql, " AND s.%s IS NOT NULL",
						 quote_identifier(RegSourceColumn(src, fv->join_keys[i])));

	/* newest first; a NULL created loses a tie */
	appendStringInfo(&sql, "\nORDER BY %s%s%s DESC", keys.data,
					 fv->nkeys > 0 ? ", " : "", ts_col);
	if (cr_col)
		appendStringInfo(&sql, ", %s DESC NULLS LAST", cr_col);
	if (fv->nkeys == 0)
		appendStringInfoString(&sql, " LIMIT 1");
	append_newest_wins(&sql, fv);
	pfree(keys.data);
	return sql.data;
}

/*
 * OnlineUpsertRowsSql returns the statement that upserts the rows of
 * relation, one per online key, into fv's online table, newest-wins
 * against what is stored (or, without newest_wins, inserts them: for a
 * table known to hold none of their keys), in the relation's order. The
 * relation's columns are the online table's in the order of
 * append_online_columns: the keys (the dummy key '' for an entity-less
 * view), the schema's features, the event and created timestamps; INSERT
 * converts each by assignment, and leaves the aggregated features NULL.
 */
char *
OnlineUpsertRowsSql(const RegFeatureView *fv, const char *relation, bool newest_wins)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s AS o (", OnlineTableOf(fv));
	append_online_columns(&sql, fv);
	appendStringInfo(&sql, ")\nSELECT * FROM %s", quote_identifier(relation));
	if (newest_wins)
		append_newest_wins(&sql, fv);
	return sql.data;
}
