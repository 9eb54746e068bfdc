/*-------------------------------------------------------------------------
 *
 * pull.c
 *		feast_pull_latest and feast_pull_all: Feast's
 *		pull_latest_from_table_or_query and pull_all_from_table_or_query,
 *		and the helpers the online-store files share for reading sources.
 *
 * The source argument names a data source or, when no data source has
 * that name, a feature view (data sources win, as in Feast, where these
 * calls take a data source).
 *
 * - On a feature view, the columns are its join keys, its features, then
 *   event_timestamp and created_timestamp (timestamptz; created is NULL
 *   when the source has no created column): the shape of its online table
 *   without the entity-less __dummy_id key. Keys and features keep the
 *   source columns' types and take their Feast-side names.
 * - On a data source, the columns are all its columns in order, renamed
 *   by field_mapping; the timestamp field and the created column are
 *   converted to timestamptz. pull_latest on a data source takes its keys
 *   from the feature views that read it, which must agree.
 *
 * pull_latest keeps, per key, the row with the greatest timestamp in
 * [start_date, end_date] (both inclusive; a NULL bound is open), ties
 * going to the greatest created, a NULL created losing. pull_all returns
 * every row in range, and every row when both bounds are NULL. A
 * timestamp without time zone means UTC; bounds are compared in the
 * column's own type so indexes work.
 *
 * Both run as the caller, read-only, and stream through a cursor into the
 * result tuplestore. feast_pull_latest_sql and feast_pull_all_sql plan the
 * same query without running it, and return the call with its column
 * definition list, for clients that cannot write one. On a feature view they read only the columns they
 * return, so column privileges on the source's other columns, or an
 * expression computing one in a query source, do not matter.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pull.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/plancache.h"
#include "utils/timestamp.h"

#include "online.h"
#include "registry.h"
#include "sqlbuild.h"
#include "srf.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_pull_latest);
PG_FUNCTION_INFO_V1(ofs_feast_pull_all);
PG_FUNCTION_INFO_V1(ofs_feast_pull_latest_sql);
PG_FUNCTION_INFO_V1(ofs_feast_pull_all_sql);

static char *pull_view_sql(const RegFeatureView *fv, TupleDesc desc,
						   bool latest, bool has_start, bool has_end);
static char *pull_source_sql(const char *project, const RegSource *src,
							 const char *name, TupleDesc desc, bool latest,
							 bool has_start, bool has_end);
static void append_window(StringInfo sql, const char *ts_col,
						  Form_pg_attribute ts_att, bool latest,
						  bool has_start, bool has_end);
static void pull_run(FunctionCallInfo fcinfo, bool latest, const char *sql,
					 const RegSource *src, const RegFeatureView *fv,
					 Oid *argtypes, Datum *values, const char *nulls);
static TupleDesc pull_desc(const char *sql, const RegSource *src,
						   const RegFeatureView *fv, Oid *argtypes);
static Datum pull_internal(FunctionCallInfo fcinfo, bool latest, bool sql_only);

/* What a pull reads, for its error context. */
typedef struct PullContext
{
	const char *source;
	const char *view;			/* NULL: a pull on the data source */
} PullContext;

/*
 * append_window appends the WHERE clause of a pull: the bounds that are
 * given (inclusive), and for pull_latest a non-NULL timestamp.
 */
static void
append_window(StringInfo sql, const char *ts_col, Form_pg_attribute ts_att,
			  bool latest, bool has_start, bool has_end)
{
	const char *sep = "\nWHERE ";

	if (has_start)
	{
		appendStringInfo(sql, "%s%s OPERATOR(pg_catalog.>=) %s", sep, ts_col,
						 OnlineTsBound(ts_att, 1));
		sep = " AND ";
	}
	if (has_end)
	{
		appendStringInfo(sql, "%s%s OPERATOR(pg_catalog.<=) %s", sep, ts_col,
						 OnlineTsBound(ts_att, 2));
		sep = " AND ";
	}
	if (latest && !has_start && !has_end)
		appendStringInfo(sql, "%s%s IS NOT NULL", sep, ts_col);
}

/* ORDER BY keys, ts DESC, created DESC NULLS LAST (keys may be empty). */
static void
append_latest_order(StringInfo sql, const char *keys, const char *ts_col,
					Form_pg_attribute cr_att)
{
	appendStringInfo(sql, "\nORDER BY %s%s%s DESC", keys,
					 keys[0] ? ", " : "", ts_col);
	if (cr_att)
		appendStringInfo(sql, ", s.%s DESC NULLS LAST",
						 quote_identifier(NameStr(cr_att->attname)));
	if (keys[0] == '\0')
		appendStringInfoString(sql, " LIMIT 1");
}

/* The pull query over a feature view's source. */
static char *
pull_view_sql(const RegFeatureView *fv, TupleDesc desc, bool latest,
			  bool has_start, bool has_end)
{
	const RegSource *src = fv->source;
	StringInfoData sql;
	StringInfoData keys;
	StringInfoData cols;
	Form_pg_attribute ts_att;
	Form_pg_attribute cr_att = NULL;
	char	   *ts_col;

	initStringInfo(&sql);
	initStringInfo(&keys);
	initStringInfo(&cols);
	ts_att = OnlineSourceColumn(desc, src, src->timestamp_field, ONLINE_TIMESTAMP);
	ts_col = psprintf("s.%s", quote_identifier(NameStr(ts_att->attname)));
	if (src->created_timestamp_column)
		cr_att = OnlineSourceColumn(desc, src, src->created_timestamp_column,
									ONLINE_CREATED);

	for (int i = 0; i < fv->nkeys; i++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->join_keys[i],
												   ONLINE_JOIN_KEY);
		const char *col = quote_identifier(NameStr(att->attname));

		appendStringInfo(&keys, "%ss.%s", i > 0 ? ", " : "", col);
		appendStringInfo(&cols, "s.%s AS %s, ", col,
						 quote_identifier(fv->join_keys[i]));
	}
	for (int i = 0; i < fv->nfeatures; i++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->features[i].name,
												   ONLINE_FEATURE);

		appendStringInfo(&cols, "s.%s AS %s, ",
						 quote_identifier(NameStr(att->attname)),
						 quote_identifier(fv->features[i].name));
	}
	appendStringInfo(&cols, "%s AS event_timestamp, %s AS created_timestamp",
					 OnlineTsExpr("s", ts_att, src, ONLINE_TIMESTAMP),
					 cr_att ? OnlineTsExpr("s", cr_att, src, ONLINE_CREATED) :
					 "NULL::pg_catalog.timestamptz");

	appendStringInfoString(&sql, "SELECT ");
	if (latest && fv->nkeys > 0)
		appendStringInfo(&sql, "DISTINCT ON (%s) ", keys.data);
	appendStringInfo(&sql, "%s\nFROM %s s", cols.data, RegSourceFromItem(src));
	append_window(&sql, ts_col, ts_att, latest, has_start, has_end);
	if (latest)
		append_latest_order(&sql, keys.data, ts_col, cr_att);
	return sql.data;
}

/*
 * The join keys of the feature views that read a data source (directly or
 * through a push source), which must agree; as source columns.
 */
static List *
source_keys(const char *project, const RegSource *src, const char *name)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	List	   *view_names = NIL;
	List	   *keys = NIL;
	char	   *first_view = NULL;
	ListCell   *lc;

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(src->name);
	SpiExec("SELECT fv.name FROM feast.feature_views fv "
			"JOIN feast.data_sources ds ON ds.project OPERATOR(pg_catalog.=) fv.project "
			"AND ds.name OPERATOR(pg_catalog.=) fv.source "
			"WHERE fv.project OPERATOR(pg_catalog.=) $1 "
			"AND (ds.name OPERATOR(pg_catalog.=) $2 "
			"OR ds.batch_source OPERATOR(pg_catalog.=) $2) "
			"ORDER BY fv.name COLLATE \"C\"",
			2, argtypes, values, NULL, SPI_OK_SELECT);
	MemoryContextSwitchTo(caller);
	for (uint64 i = 0; i < SPI_processed; i++)
		view_names = lappend(view_names,
							 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	if (view_names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("data source \"%s\" has no join keys", name),
				 errdetail("No feature view reads it, and feast_pull_latest takes the keys from the feature views."),
				 errhint("Use feast_pull_all, or pass a feature view.")));

	foreach(lc, view_names)
	{
		RegFeatureView *fv = RegistryGetFeatureView(project, lfirst(lc));
		List	   *these = NIL;

		for (int i = 0; i < fv->nkeys; i++)
			these = lappend(these, makeString(pstrdup(fv->join_keys[i])));
		if (first_view == NULL)
		{
			keys = these;
			first_view = fv->name;
		}
		else if (!equal(keys, these))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("data source \"%s\" has no single set of join keys", name),
					 errdetail("Feature views \"%s\" and \"%s\" read it with different join keys.",
							   first_view, fv->name),
					 errhint("Pass a feature view instead of the data source.")));
	}
	return keys;
}

/* The pull query over a data source: all its columns, field_mapping applied. */
static char *
pull_source_sql(const char *project, const RegSource *src, const char *name,
				TupleDesc desc, bool latest, bool has_start, bool has_end)
{
	StringInfoData sql;
	StringInfoData keys;
	Form_pg_attribute ts_att;
	Form_pg_attribute cr_att = NULL;
	char	   *ts_col;
	bool		first = true;

	initStringInfo(&sql);
	initStringInfo(&keys);
	ts_att = OnlineSourceColumn(desc, src, src->timestamp_field, ONLINE_TIMESTAMP);
	ts_col = psprintf("s.%s", quote_identifier(NameStr(ts_att->attname)));
	if (src->created_timestamp_column)
		cr_att = OnlineSourceColumn(desc, src, src->created_timestamp_column,
									ONLINE_CREATED);
	if (latest)
	{
		List	   *key_names = source_keys(project, src, name);
		ListCell   *lc;

		foreach(lc, key_names)
		{
			Form_pg_attribute att = OnlineSourceColumn(desc, src, strVal(lfirst(lc)),
													   ONLINE_JOIN_KEY);

			appendStringInfo(&keys, "%ss.%s", keys.len > 0 ? ", " : "",
							 quote_identifier(NameStr(att->attname)));
		}
	}

	appendStringInfoString(&sql, "SELECT ");
	if (latest && keys.len > 0)
		appendStringInfo(&sql, "DISTINCT ON (%s) ", keys.data);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *feast_name = NameStr(att->attname);
		char	   *expr;

		if (att->attisdropped)
			continue;
		for (int m = 0; m < src->field_mapping.n; m++)
			if (strcmp(src->field_mapping.keys[m], NameStr(att->attname)) == 0)
				feast_name = src->field_mapping.values[m];
		if (att == ts_att)
			expr = OnlineTsExpr("s", att, src, ONLINE_TIMESTAMP);
		else if (att == cr_att)
			expr = OnlineTsExpr("s", att, src, ONLINE_CREATED);
		else
			expr = psprintf("s.%s", quote_identifier(NameStr(att->attname)));
		appendStringInfo(&sql, "%s%s AS %s", first ? "" : ", ", expr,
						 quote_identifier(feast_name));
		first = false;
	}
	appendStringInfo(&sql, "\nFROM %s s", RegSourceFromItem(src));
	append_window(&sql, ts_col, ts_att, latest, has_start, has_end);
	if (latest)
		append_latest_order(&sql, keys.data, ts_col, cr_att);
	return sql.data;
}

/* Error context of a pull: the source being read. */
static void
pull_context_callback(void *arg)
{
	PullContext *pc = (PullContext *) arg;

	if (pc->view != NULL)
		errcontext("reading data source \"%s\" of feature view \"%s\"",
				   pc->source, pc->view);
	else
		errcontext("reading data source \"%s\"", pc->source);
}

/*
 * pull_run streams the rows of the pull query sql into the result. An
 * error names the source (and view) being read in its context, not the
 * query we generated to read it.
 */
static void
pull_run(FunctionCallInfo fcinfo, bool latest, const char *sql,
		 const RegSource *src, const RegFeatureView *fv, Oid *argtypes,
		 Datum *values, const char *nulls)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorContextCallback errcb;
	PullContext pc;

	pc.source = src->name;
	pc.view = fv ? fv->name : NULL;
	errcb.callback = pull_context_callback;
	errcb.arg = &pc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	PG_TRY();
	{
		OnlineQueryToSrf(fcinfo, latest ? "feast_pull_latest" : "feast_pull_all",
						 sql, 2, argtypes, values, nulls, true);
	}
	PG_CATCH();
	{
		SpiRethrowWithoutStatement(cxt, sql);
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
}

/*
 * pull_desc returns the result columns of the pull query sql, prepared but
 * not run, with the error context of a pull.
 */
static TupleDesc
pull_desc(const char *sql, const RegSource *src, const RegFeatureView *fv,
		  Oid *argtypes)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorContextCallback errcb;
	PullContext pc;
	SPIPlanPtr	plan;
	CachedPlanSource *ps;
	TupleDesc	desc = NULL;

	pc.source = src->name;
	pc.view = fv ? fv->name : NULL;
	errcb.callback = pull_context_callback;
	errcb.arg = &pc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	PG_TRY();
	{
		plan = SPI_prepare(sql, 2, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		ps = linitial(SPI_plan_get_plan_sources(plan));
		MemoryContextSwitchTo(cxt);
		desc = CreateTupleDescCopy(ps->resultDesc);
		SPI_freeplan(plan);
	}
	PG_CATCH();
	{
		SpiRethrowWithoutStatement(cxt, sql);
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
	return desc;
}

/*
 * pull_internal runs a pull (sql_only false) or returns the query that runs
 * it (sql_only true: feast_pull_*_sql).
 */
static Datum
pull_internal(FunctionCallInfo fcinfo, bool latest, bool sql_only)
{
	char	   *name;
	char	   *project;
	char	   *push_source;
	RegSource  *src;
	RegFeatureView *fv = NULL;
	bool		has_start = !PG_ARGISNULL(1);
	bool		has_end = !PG_ARGISNULL(2);
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	TupleDesc	desc;
	char	   *sql;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (has_start && has_end &&
		timestamp_cmp_internal(PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_date is after end_date")));
	project = OnlineProjectArg(fcinfo, 3);

	src = RegistryGetDataSource(project, name, &push_source);
	if (src == NULL)
	{
		List	   *views = RegistryListFeatureViews(project, false);
		ListCell   *lc;
		bool		found = false;

		foreach(lc, views)
			found |= (strcmp(lfirst(lc), name) == 0);
		if (!found)
		{
			List	   *names = list_concat(RegistryListDataSources(project, false),
											views);

			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("data source or feature view \"%s\" does not exist", name),
					 errdetail("Project \"%s\" has no data source and no feature view of that name.",
							   project),
					 RegistryHintClosest(name, names, NULL)));
		}
		fv = RegistryGetFeatureView(project, name);
		src = fv->source;
	}
	values[0] = has_start ? PG_GETARG_DATUM(1) : (Datum) 0;
	values[1] = has_end ? PG_GETARG_DATUM(2) : (Datum) 0;
	if (!has_start)
		nulls[0] = 'n';
	if (!has_end)
		nulls[1] = 'n';

	SpiConnect();
	desc = OnlineDescribe(RegSourceFromItem(src), CurrentMemoryContext);
	if (fv)
		sql = pull_view_sql(fv, desc, latest, has_start, has_end);
	else
		sql = pull_source_sql(project, src, name, desc, latest, has_start, has_end);
	if (sql_only)
	{
		TupleDesc	result = pull_desc(sql, src, fv, argtypes);
		char	   *args;

		SPI_finish();
		args = psprintf("%s, %s, %s, %s", SrfTextLiteral(name),
						SrfTimestamptzLiteral(!has_start, has_start ? PG_GETARG_TIMESTAMPTZ(1) : 0),
						SrfTimestamptzLiteral(!has_end, has_end ? PG_GETARG_TIMESTAMPTZ(2) : 0),
						SrfTextLiteral(project));
		PG_RETURN_TEXT_P(cstring_to_text(SrfCallSql(fcinfo->flinfo->fn_oid,
													latest ? "feast_pull_latest" : "feast_pull_all",
													args, result)));
	}
	pull_run(fcinfo, latest, sql, src, fv, argtypes, values, nulls);
	SPI_finish();
	return (Datum) 0;
}

/*
 * feast_pull_latest(source, start_date, end_date, project)
 */
Datum
ofs_feast_pull_latest(PG_FUNCTION_ARGS)
{
	return pull_internal(fcinfo, true, false);
}

/*
 * feast_pull_all(source, start_date, end_date, project)
 */
Datum
ofs_feast_pull_all(PG_FUNCTION_ARGS)
{
	return pull_internal(fcinfo, false, false);
}

/*
 * feast_pull_latest_sql(<the arguments of feast_pull_latest>): the query
 * that runs that pull, with its column definition list.
 */
Datum
ofs_feast_pull_latest_sql(PG_FUNCTION_ARGS)
{
	return pull_internal(fcinfo, true, true);
}

/*
 * feast_pull_all_sql(<the arguments of feast_pull_all>): the query that
 * runs that pull, with its column definition list.
 */
Datum
ofs_feast_pull_all_sql(PG_FUNCTION_ARGS)
{
	return pull_internal(fcinfo, false, true);
}
