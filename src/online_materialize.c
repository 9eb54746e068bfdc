/*-------------------------------------------------------------------------
 *
 * online_materialize.c
 *		feast_materialize and feast_materialize_incremental: the newest
 *		source row per entity key into the online tables.
 *
 * Each feature view is materialized by one set-based statement,
 *
 *	 INSERT INTO <online table> AS o (...)
 *	 SELECT DISTINCT ON (online keys) ... FROM <source> s
 *	 WHERE ts >= start AND ts <= end AND keys IS NOT NULL
 *	 ORDER BY online keys, ts DESC, created DESC NULLS LAST
 *	 ON CONFLICT (keys) DO UPDATE SET ... WHERE <incoming is not older>
 *
 * (OnlineUpsertSql, which push uses too), so no row travels between the
 * executor and this file. Rows are grouped by the values their keys take
 * in the online table, with its collation: the online primary key's
 * equality, so that two source keys that become one online key can never
 * make the upsert touch a row twice; a timestamp without time zone is read
 * as UTC. The WHERE clause of the upsert is the newest-wins rule: a stored
 * row is replaced only when the incoming (event_timestamp,
 * created_timestamp) is not older, a NULL created being older than any
 * non-NULL one. Rows are written in key order, as push writes them, so
 * concurrent upserts of overlapping keys lock rows in the same order.
 *
 * feast_materialize_incremental starts at the greatest recorded end, else
 * at now() minus the ttl (52 weeks without one); a start before the
 * earliest timestamp means no lower bound, and the earliest timestamp is
 * what is recorded (never an out-of-range value).
 *
 * Transactions and locks: everything happens in the caller's transaction,
 * so the online rows, the feast.materialization_intervals row and the
 * feast.materialization_runs row of every view commit together or not at
 * all. The project's advisory lock is held shared (feast_apply takes it
 * exclusive), and each view's materialization lock is taken, in name
 * order before any work, so that two materializations of one view
 * serialise (the second waits, then reads with a fresh snapshot) and two
 * calls naming views in different orders cannot deadlock. Readers of the
 * online table are never blocked: they see the table as of their snapshot.
 *
 * Progress (progress.c): the statement calls feast.materialize_progress()
 * once per source row in the window (a filter of the scan), and
 * feast.materialize_progress(event_timestamp) once per key it writes (a
 * volatile output column, which the planner evaluates after the sort).
 * The calls count rows read (recorded as rows_read) and keys written in the
 * per-call state of the view being materialized, which materialize_view
 * makes current and takes down again, also on error; outside a
 * materialization they do nothing. The phases, reading (of an estimated
 * number of rows: the plan of the window's rows, made when first reported)
 * and writing, are reported every offline_store.progress_interval.
 *
 * Errors keep their fields (SQLSTATE, detail, hint, position, internal
 * query, schema/table/column names); only the primary message is prefixed
 * with the view ("could not materialize feature view ...: <cause>"),
 * because pg_cron's job_run_details keeps nothing else, the context says
 * which view was being materialized, and the context line of our upsert
 * statement is left out (it is ours, not the user's).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_materialize.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "online.h"
#include "online_tables.h"
#include "progress.h"
#include "registry.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_materialize);
PG_FUNCTION_INFO_V1(ofs_feast_materialize_incremental);
PG_FUNCTION_INFO_V1(ofs_materialize_progress);
PG_FUNCTION_INFO_V1(ofs_materialize_progress_written);

#define MATERIALIZE_COLS 4
#define DEFAULT_LOOKBACK_USEC (INT64CONST(52) * 7 * USECS_PER_DAY)

/* The per-call state of the view being materialized. */
typedef struct MaterializeView
{
	const RegFeatureView *fv;
	int			index;			/* 1-based, of nviews in the call */
	int			nviews;
	ProgressState *progress;
	int64		rows;			/* source rows read */
	int64		written;		/* keys handed to the upsert */
} MaterializeView;

/*
 * The view being materialized in this backend, or NULL: set and reset by
 * materialize_view (in PG_CATCH too), read by the statement's calls of
 * feast.materialize_progress.
 */
static MaterializeView *materializing = NULL;

typedef struct MaterializeResult
{
	TimestampTz start;
	int64		rows_written;
} MaterializeResult;

static void materialize_error_callback(void *arg);
static TimestampTz lookback_start(int64 lookback);
static void materialize_view_body(MaterializeView *mv, bool incremental,
								  TimestampTz start, TimestampTz end,
								  MaterializeResult *result, char **upsert_sql);
static MaterializeResult materialize_view(MaterializeView *mv,
										  bool incremental, TimestampTz start,
										  TimestampTz end);
static void materialize_views(List *views, bool incremental, TimestampTz start,
							  TimestampTz end, ReturnSetInfo *rsinfo,
							  ProgressState *progress);
static void materialize_each(List *views, bool incremental, TimestampTz start,
							 TimestampTz end, ReturnSetInfo *rsinfo,
							 ProgressState *progress);
static Datum materialize_internal(FunctionCallInfo fcinfo, bool incremental);
static int	name_cmp(const ListCell *a, const ListCell *b);

static void
materialize_error_callback(void *arg)
{
	errcontext("materializing feature view \"%s\"", (const char *) arg);
}

/*
 * ofs_materialize_progress is called by the materialization statement once
 * per source row in the window; outside a materialization it does nothing.
 * Always true, so it can sit in a WHERE clause.
 */
Datum
ofs_materialize_progress(PG_FUNCTION_ARGS)
{
	MaterializeView *mv = materializing;

	if (mv != NULL && (++mv->rows & PROGRESS_CHECK_MASK) == 0)
		ProgressUpdate(mv->progress, mv->rows);
	PG_RETURN_BOOL(true);
}

/*
 * ofs_materialize_progress_written is called once per key handed to the
 * upsert; it returns its argument (the event timestamp).
 */
Datum
ofs_materialize_progress_written(PG_FUNCTION_ARGS)
{
	MaterializeView *mv = materializing;

	if (mv != NULL)
	{
		if (mv->written++ == 0)
		{
			ProgressPhase(mv->progress, "keys",
						  "writing the online table of feature view \"%s\" (%d of %d)",
						  mv->fv->name, mv->index, mv->nviews);
			ProgressUpdate(mv->progress, 0);
		}
		else if ((mv->written & PROGRESS_CHECK_MASK) == 0)
			ProgressUpdate(mv->progress, mv->written);
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * lookback_start returns now() (the transaction's start) minus lookback
 * microseconds. A start before the earliest timestamp (a huge ttl) means
 * no lower bound: the earliest timestamp, never an out-of-range value.
 */
static TimestampTz
lookback_start(int64 lookback)
{
	TimestampTz start;

	if (pg_sub_s64_overflow(GetCurrentTransactionStartTimestamp(), lookback, &start) ||
		!IS_VALID_TIMESTAMP(start))
		start = MIN_TIMESTAMP;
	return start;
}

/* Two timestamptz values as the parameters of a query. */
static ParamListInfo
window_params(Datum from, Datum to)
{
	ParamListInfo pli = makeParamList(2);

	for (int i = 0; i < 2; i++)
	{
		pli->params[i].value = i == 0 ? from : to;
		pli->params[i].isnull = false;
		pli->params[i].pflags = PARAM_FLAG_CONST;
		pli->params[i].ptype = TIMESTAMPTZOID;
	}
	return pli;
}

/*
 * materialize_view_body does the work of materialize_view: it fills *result.
 * *upsert_sql receives the statement it runs (in the caller's context)
 * before running it.
 */
static void
materialize_view_body(MaterializeView *mv, bool incremental,
					  TimestampTz start, TimestampTz end,
					  MaterializeResult *result, char **upsert_sql)
{
	const RegFeatureView *fv = mv->fv;
	MemoryContext caller = CurrentMemoryContext;
	TimestampTz started_at = GetCurrentTimestamp();
	TupleDesc	desc;
	char	   *sql;
	char	   *window_sql;
	SPIPlanPtr	window_plan;
	TimestampTz from;
	Oid			argtypes[8];
	Datum		values[8];

	ProgressPhase(mv->progress, NULL, "preparing feature view \"%s\" (%d of %d)",
				  fv->name, mv->index, mv->nviews);
	ProgressUpdate(mv->progress, 0);
	SpiConnect();

	if (incremental)
	{
		bool		isnull;
		Datum		d;

		argtypes[0] = TEXTOID;
		argtypes[1] = TEXTOID;
		values[0] = CStringGetTextDatum(fv->project);
		values[1] = CStringGetTextDatum(fv->name);
		SpiExec("SELECT pg_catalog.max(end_date) "
				"FROM feast.materialization_intervals "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"AND feature_view OPERATOR(pg_catalog.=) $2",
				2, argtypes, values, NULL, SPI_OK_SELECT);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						  &isnull);
		if (!isnull)
			start = DatumGetTimestampTz(d);
		else
			start = lookback_start(fv->ttl_usec > 0 ? fv->ttl_usec : DEFAULT_LOOKBACK_USEC);
		if (start > end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("end date %s is before the start date %s",
							pstrdup(timestamptz_to_str(end)),
							pstrdup(timestamptz_to_str(start))),
					 errdetail("The start date of an incremental materialization is the end of the last one.")));
	}

	desc = OnlineDescribe(RegSourceFromItem(fv->source), CurrentMemoryContext);
	sql = OnlineUpsertSql(fv, desc, RegSourceFromItem(fv->source), true, &window_sql);
	*upsert_sql = MemoryContextStrdup(caller, sql);

	/*
	 * The earliest timestamp as a start means no lower bound: it is what is
	 * recorded (registry timestamps are finite), but the window takes rows
	 * at -infinity too.
	 */
	from = start == MIN_TIMESTAMP ? DT_NOBEGIN : start;
	argtypes[0] = TIMESTAMPTZOID;
	argtypes[1] = TIMESTAMPTZOID;
	values[0] = TimestampTzGetDatum(from);
	values[1] = TimestampTzGetDatum(end);

	/* the rows in the window, estimated if a report needs it */
	window_plan = SPI_prepare(window_sql, 2, argtypes);
	if (window_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	ProgressPhase(mv->progress, "rows",
				  "reading data source \"%s\" of feature view \"%s\" (%d of %d)",
				  fv->source->name, fv->name, mv->index, mv->nviews);
	ProgressEstimatePlan(mv->progress, window_plan, window_params(values[0], values[1]));
	ProgressUpdate(mv->progress, 0);

	SpiExec(sql, 2, argtypes, values, NULL, SPI_OK_INSERT);
	result->rows_written = (int64) SPI_processed;
	result->start = start;
	/* aggregated features as of end (online_materialize_agg.c) */
	if (fv->naggregations > 0)
		(void) OnlineMaterializeAggregations(fv, end);
	ProgressPhase(mv->progress, NULL, "recording the run of feature view \"%s\" (%d of %d)",
				  fv->name, mv->index, mv->nviews);
	ProgressUpdate(mv->progress, 0);

	/* the interval and the run commit with the rows */
	argtypes[0] = TEXTOID;
	argtypes[1] = TEXTOID;
	argtypes[2] = TIMESTAMPTZOID;
	argtypes[3] = TIMESTAMPTZOID;
	argtypes[4] = BOOLOID;
	argtypes[5] = INT8OID;
	argtypes[6] = INT8OID;
	argtypes[7] = TIMESTAMPTZOID;
	values[0] = CStringGetTextDatum(fv->project);
	values[1] = CStringGetTextDatum(fv->name);
	values[2] = TimestampTzGetDatum(start);
	values[3] = TimestampTzGetDatum(end);
	values[4] = BoolGetDatum(incremental);
	values[5] = Int64GetDatum(mv->rows);
	values[6] = Int64GetDatum(result->rows_written);
	values[7] = TimestampTzGetDatum(started_at);
	SpiExec("INSERT INTO feast.materialization_intervals "
			"(project, feature_view, start_date, end_date) "
			"VALUES ($1, $2, $3, $4)",
			4, argtypes, values, NULL, SPI_OK_INSERT);
	SpiExec("INSERT INTO feast.materialization_runs "
			"(project, feature_view, start_date, end_date, incremental, "
			"status, rows_read, rows_written, started_at, finished_at) "
			"VALUES ($1, $2, $3, $4, $5, 'succeeded', $6, $7, $8, "
			"pg_catalog.clock_timestamp())",
			8, argtypes, values, NULL, SPI_OK_INSERT);
	SPI_finish();
}

/*
 * materialize_view materializes one view over [start, end] (start computed
 * here when incremental) and records the interval and the run. The caller
 * holds the project lock and the view's materialization lock. mv is made
 * the view being materialized for the time of the call. Errors are
 * re-raised with the view's name in the primary message, so that the
 * message stands on its own (pg_cron keeps only that), and every other
 * field as it was.
 */
static MaterializeResult
materialize_view(MaterializeView *mv, bool incremental, TimestampTz start,
				 TimestampTz end)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	MaterializeView *outer = materializing;
	MaterializeResult result = {0};
	char	   *volatile upsert_sql = NULL;

	materializing = mv;
	PG_TRY();
	{
		ErrorContextCallback errcallback;

		errcallback.callback = materialize_error_callback;
		errcallback.arg = (void *) mv->fv->name;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		materialize_view_body(mv, incremental, start, end, &result,
							  (char **) &upsert_sql);
		error_context_stack = errcallback.previous;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		materializing = outer;
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->elevel > ERROR)
			PG_RE_THROW();
		FlushErrorState();
		/* a cancel keeps its own message */
		if (edata->sqlerrcode != ERRCODE_QUERY_CANCELED &&
			edata->sqlerrcode != ERRCODE_ADMIN_SHUTDOWN)
			edata->message = psprintf("could not materialize feature view \"%s\": %s",
									  mv->fv->name, edata->message);
		if (upsert_sql != NULL)
			SpiStripStatement(edata, upsert_sql);
		ReThrowError(edata);
	}
	PG_END_TRY();
	materializing = outer;

	return result;
}

static int
name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
}

/*
 * materialize_views materializes views in turn, one result row each into
 * rsinfo's tuplestore, reporting progress. It ends progress, which the
 * caller began (also on error).
 */
static void
materialize_views(List *views, bool incremental, TimestampTz start,
				  TimestampTz end, ReturnSetInfo *rsinfo, ProgressState *progress)
{
	PG_TRY();
	{
		materialize_each(views, incremental, start, end, rsinfo, progress);
	}
	PG_CATCH();
	{
		ProgressEnd(progress);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ProgressEnd(progress);
}

/* materialize_views' loop. */
static void
materialize_each(List *views, bool incremental, TimestampTz start,
				 TimestampTz end, ReturnSetInfo *rsinfo, ProgressState *progress)
{
	ListCell   *lc;

	foreach(lc, views)
	{
		MaterializeView mv;
		MaterializeResult res;
		Datum		values[MATERIALIZE_COLS];
		bool		nulls[MATERIALIZE_COLS] = {0};
		int			i = 0;

		CHECK_FOR_INTERRUPTS();
		memset(&mv, 0, sizeof(mv));
		mv.fv = lfirst(lc);
		mv.index = foreach_current_index(lc) + 1;
		mv.nviews = list_length(views);
		mv.progress = progress;
		res = materialize_view(&mv, incremental, start, end);
		values[i++] = CStringGetTextDatum(mv.fv->name);
		values[i++] = TimestampTzGetDatum(res.start);
		values[i++] = TimestampTzGetDatum(end);
		values[i++] = Int64GetDatum(res.rows_written);
		Assert(i == MATERIALIZE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * materialize_internal implements both SQL functions. Arguments:
 * feast_materialize(start, end, feature_views, project) and
 * feast_materialize_incremental(end, feature_views, project).
 */
static Datum
materialize_internal(FunctionCallInfo fcinfo, bool incremental)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			argoff = incremental ? 0 : 1;
	TimestampTz start = 0;
	TimestampTz end;
	char	   *project;
	List	   *names = NIL;
	List	   *views = NIL;
	List	   *lock_order;
	ListCell   *lc;
	ProgressState progress;

	if (!incremental)
	{
		if (PG_ARGISNULL(0))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("start_date must not be NULL")));
		start = PG_GETARG_TIMESTAMPTZ(0);
	}
	if (PG_ARGISNULL(argoff))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("end_date must not be NULL")));
	end = PG_GETARG_TIMESTAMPTZ(argoff);
	if (!incremental && start > end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start date %s is after end date %s",
						pstrdup(timestamptz_to_str(start)),
						pstrdup(timestamptz_to_str(end)))));
	if (TIMESTAMP_NOT_FINITE(end) || (!incremental && TIMESTAMP_NOT_FINITE(start)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("materialization dates must be finite")));

	project = OnlineProjectArg(fcinfo, argoff + 2);
	RegistryCheckProjectOwner(project);
	RegistryLockProject(project, false);

	if (PG_ARGISNULL(argoff + 1))
		names = RegistryListFeatureViews(project, true);
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argoff + 1);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("feature_views must be a one-dimensional array")));
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
		{
			char	   *name;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("feature_views must not contain NULL")));
			name = TextDatumGetCString(elems[i]);
			if (!list_member(names, makeString(name)))
				names = lappend(names, makeString(name));
		}
		/* keep plain strings from here on */
		foreach(lc, names)
			lfirst(lc) = strVal(lfirst(lc));
	}

	foreach(lc, names)
	{
		RegFeatureView *fv = RegistryGetFeatureView(project, lfirst(lc));

		if (!fv->online)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature view \"%s\" is not online", fv->name),
					 errhint("Set online: true on the feature view to materialize it.")));
		views = lappend(views, fv);
	}

	/* lock in name order: calls naming views in any order cannot deadlock */
	lock_order = list_copy(names);
	list_sort(lock_order, name_cmp);
	foreach(lc, lock_order)
		RegistryLockMaterialization(project, lfirst(lc), true);

	InitMaterializedSRF(fcinfo, 0);
	ProgressBegin(&progress, incremental ? "feast_materialize_incremental" :
				  "feast_materialize");
	materialize_views(views, incremental, start, end, rsinfo, &progress);
	return (Datum) 0;
}

/*
 * feast_materialize(start_date, end_date, feature_views, project)
 */
Datum
ofs_feast_materialize(PG_FUNCTION_ARGS)
{
	return materialize_internal(fcinfo, false);
}

/*
 * feast_materialize_incremental(end_date, feature_views, project)
 */
Datum
ofs_feast_materialize_incremental(PG_FUNCTION_ARGS)
{
	return materialize_internal(fcinfo, true);
}
