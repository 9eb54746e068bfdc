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
 * Progress: the statement calls feast.materialize_progress() once per
 * source row in the window (a filter of the scan), and
 * feast.materialize_progress(event_timestamp) once per key it writes (a
 * volatile output column, which the planner evaluates after the sort).
 * The calls count rows read (rows_read) and keys written and, every 64k
 * rows, look at the clock: from 5 s on, progress is reported at NOTICE and
 * in pg_stat_activity every 5 s. Their cost is two function calls per row
 * (measured: within noise of a 5M-row scan).
 *
 * Errors: the primary message names the view ("could not materialize
 * feature view ...: <cause>"), because pg_cron's job_run_details keeps
 * nothing else; the context line says which view was being materialized.
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
#include "registry.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_materialize);
PG_FUNCTION_INFO_V1(ofs_feast_materialize_incremental);
PG_FUNCTION_INFO_V1(ofs_materialize_progress);
PG_FUNCTION_INFO_V1(ofs_materialize_progress_written);

#define MATERIALIZE_COLS 4
#define PROGRESS_CHECK_MASK 0xFFFF	/* look at the clock every 64k rows */
#define PROGRESS_INTERVAL_MS 5000
#define DEFAULT_LOOKBACK_USEC (INT64CONST(52) * 7 * USECS_PER_DAY)

/* State of the materialization running in this backend, if any. */
static struct
{
	bool		active;
	const char *view;
	int64		rows;			/* source rows read */
	int64		written;		/* keys handed to the upsert */
	TimestampTz started;
	TimestampTz write_started;	/* when the first key was handed over */
	TimestampTz last_report;
} progress;

typedef struct MaterializeResult
{
	TimestampTz start;
	int64		rows_written;
} MaterializeResult;

static void materialize_error_callback(void *arg);
static void progress_report(bool notice);
static void progress_restore_activity(void);
static TimestampTz lookback_start(int64 lookback);
static void materialize_view_body(const RegFeatureView *fv, bool incremental,
								  TimestampTz start, TimestampTz end,
								  MaterializeResult *result);
static MaterializeResult materialize_view(const RegFeatureView *fv,
										  bool incremental, TimestampTz start,
										  TimestampTz end);
static Datum materialize_internal(FunctionCallInfo fcinfo, bool incremental);
static int	name_cmp(const ListCell *a, const ListCell *b);

static void
materialize_error_callback(void *arg)
{
	errcontext("materializing feature view \"%s\"", (const char *) arg);
}

/*
 * progress_report shows the progress of the running materialization in
 * pg_stat_activity, and at NOTICE if asked.
 */
static void
progress_report(bool notice)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		writing = progress.written > 0;
	long		secs;
	int			usecs;
	double		elapsed;
	int64		rate;
	char	   *text;

	/* the rate of the current phase: reading, then writing */
	TimestampDifference(writing ? progress.write_started : progress.started,
						now, &secs, &usecs);
	elapsed = secs + usecs / 1000000.0;
	rate = elapsed > 0 ?
		(int64) ((writing ? progress.written : progress.rows) / elapsed) : 0;
	if (writing)
		text = psprintf("offline_store: materializing feature view \"%s\": "
						INT64_FORMAT " rows read, " INT64_FORMAT " keys written, "
						INT64_FORMAT " keys/s",
						progress.view, progress.rows, progress.written, rate);
	else
		text = psprintf("offline_store: materializing feature view \"%s\": "
						INT64_FORMAT " rows read, " INT64_FORMAT " rows/s",
						progress.view, progress.rows, rate);
	pgstat_report_activity(STATE_RUNNING, text);
	if (notice)
		ereport(NOTICE,
				(errmsg("%s", text + strlen("offline_store: "))));
	pfree(text);
	progress.last_report = now;
}

static void
progress_restore_activity(void)
{
	pgstat_report_activity(STATE_RUNNING,
						   debug_query_string ? debug_query_string : "");
}

/*
 * ofs_materialize_progress is called by the materialization statement once
 * per source row in the window; outside a materialization it does nothing.
 * Always true, so it can sit in a WHERE clause.
 */
Datum
ofs_materialize_progress(PG_FUNCTION_ARGS)
{
	if (progress.active)
	{
		progress.rows++;
		if ((progress.rows & PROGRESS_CHECK_MASK) == 0 &&
			TimestampDifferenceExceeds(progress.last_report,
									   GetCurrentTimestamp(),
									   PROGRESS_INTERVAL_MS))
			progress_report(true);
	}
	PG_RETURN_BOOL(true);
}

/*
 * ofs_materialize_progress_written is called once per key handed to the
 * upsert; it returns its argument (the event timestamp).
 */
Datum
ofs_materialize_progress_written(PG_FUNCTION_ARGS)
{
	if (progress.active)
	{
		if (progress.written++ == 0)
			progress.write_started = GetCurrentTimestamp();
		if ((progress.written & PROGRESS_CHECK_MASK) == 0 &&
			TimestampDifferenceExceeds(progress.last_report,
									   GetCurrentTimestamp(),
									   PROGRESS_INTERVAL_MS))
			progress_report(true);
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

/*
 * materialize_view_body does the work of materialize_view: it fills *result.
 */
static void
materialize_view_body(const RegFeatureView *fv, bool incremental,
					  TimestampTz start, TimestampTz end,
					  MaterializeResult *result)
{
	TimestampTz started_at = GetCurrentTimestamp();
	TupleDesc	desc;
	char	   *sql;
	TimestampTz from;
	Oid			argtypes[8];
	Datum		values[8];
	int			rc;

	progress.active = true;
	progress.view = fv->name;
	progress.rows = 0;
	progress.written = 0;
	progress.started = started_at;
	progress.last_report = started_at;
	progress_report(false);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

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
	sql = OnlineUpsertSql(fv, desc, RegSourceFromItem(fv->source), true);

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
	SpiExec(sql, 2, argtypes, values, NULL, SPI_OK_INSERT);
	result->rows_written = (int64) SPI_processed;
	result->start = start;

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
	values[5] = Int64GetDatum(progress.rows);
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

	if (TimestampDifferenceExceeds(started_at, GetCurrentTimestamp(),
								   PROGRESS_INTERVAL_MS))
		progress_report(true);
	progress.active = false;
	progress_restore_activity();
}

/*
 * materialize_view materializes one view over [start, end] (start computed
 * here when incremental) and records the interval and the run. The caller
 * holds the project lock and the view's materialization lock. Errors are
 * re-raised with the view's name in the primary message, so that the
 * message stands on its own (pg_cron keeps only that).
 */
static MaterializeResult
materialize_view(const RegFeatureView *fv, bool incremental, TimestampTz start,
				 TimestampTz end)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	MaterializeResult result = {0};

	PG_TRY();
	{
		ErrorContextCallback errcallback;

		errcallback.callback = materialize_error_callback;
		errcallback.arg = (void *) fv->name;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		materialize_view_body(fv, incremental, start, end, &result);
		error_context_stack = errcallback.previous;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		progress.active = false;
		progress_restore_activity();
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
			edata->elevel > ERROR)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("could not materialize feature view \"%s\": %s",
						fv->name, edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 edata->hint ? errhint("%s", edata->hint) : 0,
				 edata->context ? (errcontext("%s", edata->context)) : 0));
	}
	PG_END_TRY();

	return result;
}

static int
name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
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
	foreach(lc, views)
	{
		RegFeatureView *fv = lfirst(lc);
		MaterializeResult res;
		Datum		values[MATERIALIZE_COLS];
		bool		nulls[MATERIALIZE_COLS] = {0};
		int			i = 0;

		CHECK_FOR_INTERRUPTS();
		res = materialize_view(fv, incremental, start, end);
		values[i++] = CStringGetTextDatum(fv->name);
		values[i++] = TimestampTzGetDatum(res.start);
		values[i++] = TimestampTzGetDatum(end);
		values[i++] = Int64GetDatum(res.rows_written);
		Assert(i == MATERIALIZE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
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
