/*-------------------------------------------------------------------------
 *
 * online_materialize.c
 *		feast_materialize and feast_materialize_incremental: the newest
 *		source row per entity key into the online tables.
 *
 * Each feature view is materialized in three steps, all in the caller's
 * transaction:
 *
 * 1. Read. The source is read once, only the columns the view needs
 *	  (timestamp, created, join keys, features) and only the rows of the
 *	  window, whose bounds are $n parameters (so that an index on the
 *	  timestamp, partition pruning and postgres_fdw's pushdown apply):
 *
 *	    SELECT ts, created, keys, features FROM <source> s
 *	    WHERE ts >= $1 AND ts <= $2
 *
 *	  Each row goes straight from the executor to a DestReceiver that
 *	  offers it to the per-key table (materialize_table.c): one hash probe
 *	  per row, no sort, the newest row per key kept (greatest timestamp,
 *	  then greatest created, a NULL created losing a tie; rows with a NULL
 *	  key or outside the window skipped). When the planner would only scan
 *	  a source table whole (a plain sequential scan, nothing computed, no
 *	  row-level security), the table is read directly as retrieval reads it
 *	  (historical_scan.c, offline_store.direct_scan), after the executor's
 *	  permission checks, and the receiver drops the rows outside the
 *	  window. An entity-less view keeps one row: its read is ordered by
 *	  timestamp and created, newest first, with LIMIT 1, which an index
 *	  serves and postgres_fdw sends to the remote server.
 *
 *	  Keys are grouped as the online table's primary key groups them: the
 *	  read converts each source key to the online key's type, as INSERT
 *	  would store it (OnlineKeyReadExpr: numeric 0.1 and
 *	  0.10000000000000000001 are one float8 key; a timestamp without time
 *	  zone is read as UTC), and the table compares them with that type's
 *	  equality and the online column's collation (a case-insensitive source
 *	  key gives one online key per distinct text).
 *
 * 2. Write. The winners are written in key order (as push writes, so that
 *	  concurrent upserts of overlapping keys lock rows in the same order),
 *	  in batches: each batch is a tuplestore registered as an ephemeral
 *	  named relation, upserted by one prepared statement
 *	  (OnlineUpsertRowsSql) that keeps newest-wins against what is stored:
 *	  a stored row is replaced only when the incoming (event_timestamp,
 *	  created_timestamp) is not older, a NULL created being older than any
 *	  non-NULL one. The statement runs as the caller, with the online
 *	  table's grants, row-level security and triggers. An online table
 *	  that holds no row (a first materialization) is locked SHARE ROW
 *	  EXCLUSIVE and written without ON CONFLICT, whose speculative
 *	  insertion costs for nothing there: by the same statement less its ON
 *	  CONFLICT clause, or, with offline_store.direct_scan, directly as COPY
 *	  writes (multi-inserts, then the indexes), where nothing but the rows
 *	  is to be done (online_table_empty and direct_write_map say when).
 *
 * 3. Aggregated features (a view with aggregations:). One statement
 *	  (online_materialize_agg.c) sets them as of end_date for every online
 *	  key, from the source rows in their windows; the winners never carry
 *	  them, and a push never changes them.
 *
 * 4. Record the interval and the run.
 *
 * Memory is proportional to the number of keys in the window (one row of
 * values per key) and to a write batch, never to the source rows.
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
 * serialise (the second waits, then reads with a fresh snapshot, as every
 * statement of this file) and two calls naming views in different orders
 * cannot deadlock. Readers of the online table are never blocked: they see
 * the table as of their snapshot.
 *
 * Progress (progress.c): reading, the rows read of an estimated total (the
 * plan's estimate of the window's rows; the table's size for a direct
 * read), then writing, the keys written of the exact number of keys.
 *
 * Errors keep their fields (SQLSTATE, detail, hint, position, internal
 * query, schema/table/column names); only the primary message is prefixed
 * with the view ("could not materialize feature view ...: <cause>"),
 * because pg_cron's job_run_details keeps nothing else, the context says
 * which view was being materialized, and the context lines of our
 * statements are left out (they are ours, not the user's).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_materialize.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "parser/parse_coerce.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/queryenvironment.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "historical_scan.h"
#include "materialize.h"
#include "online.h"
#include "online_tables.h"
#include "pit_spill.h"
#include "progress.h"
#include "registry.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_materialize);
PG_FUNCTION_INFO_V1(ofs_feast_materialize_incremental);

#define MATERIALIZE_COLS 4
#define DEFAULT_LOOKBACK_USEC (INT64CONST(52) * 7 * USECS_PER_DAY)

/* The ephemeral named relation holding a batch of winners to upsert. */
#define MAT_ROWS_RELATION "offline_store_materialized_rows"
/* Winners per upsert statement. */
#define MAT_WRITE_BATCH 10000
/* Winners per multi-insert of a direct write (as COPY's buffers). */
#define MAT_DIRECT_BATCH 1000

/* The per-call state of the view being materialized. */
typedef struct MaterializeView
{
	const RegFeatureView *fv;
	int			index;			/* 1-based, of nviews in the call */
	int			nviews;
	ProgressState *progress;
	int64		rows;			/* source rows read: in the window, keyed */
	char	   *read_sql;		/* our statements, for errors (or NULL) */
	char	   *upsert_sql;
	char	   *insert_sql;
	char	   *agg_sql;		/* the aggregated features' statement */
} MaterializeView;

typedef struct MaterializeResult
{
	TimestampTz start;
	int64		rows_written;
} MaterializeResult;

/*
 * How a view's source is read: the read query, and the row kept per key
 * (row_desc: the online keys in the online key types and collations, then
 * the features in the source's types). readmap gives the read's columns
 * (0-based) of: the timestamp, the created timestamp (-1: none), then
 * row_desc's columns.
 */
typedef struct MatRead
{
	char	   *sql;
	TupleDesc	row_desc;
	int			nmap;			/* 2 + row_desc->natts */
	int		   *readmap;
	int			natts;			/* 1 + the greatest read column */
} MatRead;

/* Fetching the winners' rows of a direct read by their TID. */
typedef struct MatFetchState
{
	Relation	rel;
	Snapshot	snapshot;
	TupleTableSlot *slot;
	int			natts;
} MatFetchState;

static void materialize_error_callback(void *arg);
static TimestampTz lookback_start(int64 lookback);
static ParamListInfo window_params(Datum from, Datum to);
static void build_read(const RegFeatureView *fv, TupleDesc desc, TupleDesc odesc,
					   MatRead *read);
static bool mat_receive_skip(TupleTableSlot *slot, DestReceiver *self);
static void mat_startup(DestReceiver *self, int operation, TupleDesc typeinfo);
static void mat_noop(DestReceiver *self);
static void run_read(SPIPlanPtr plan, ParamListInfo params, DestReceiver *dest);
static void mat_fetch(void *arg, uint64 ref, Datum **values, bool **nulls);
static void read_direct(MatReceiver *r, const HistScan *scan);
static MatTable *read_source(MaterializeView *mv, MatRead *read,
							 TimestampTz from, TimestampTz to);
static bool relation_has_rows(Relation rel);
static Oid	online_table_empty(SPIPlanPtr upsert);
static int *direct_write_map(Relation rel, TupleDesc desc, int nkeycols);
static void direct_write_flush(ResultRelInfo *rri, EState *estate, BulkInsertState bistate,
							   CommandId cid, TupleTableSlot **slots, int n);
static int64 write_direct(MaterializeView *mv, MatTable *table, TupleDesc desc,
						  int lead, Relation rel, const int *attmap);
static uint64 upsert_batch(SPIPlanPtr plan, EphemeralNamedRelation enr);
static int64 write_winners(MaterializeView *mv, MatTable *table, TupleDesc row_desc);
static void materialize_view_body(MaterializeView *mv, bool incremental,
								  TimestampTz start, TimestampTz end,
								  MaterializeResult *result);
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
 * build_read makes the read of fv's source (whose columns are desc; odesc
 * are the online table's): the timestamp, the created timestamp, the join
 * keys as online keys (OnlineKeyReadExpr) and the features, in the window
 * [$1, $2] (timestamptz parameters; a timestamp without time zone column is
 * compared with their UTC reading, so that an index on it serves), and
 * nothing else: no other column (column privileges and expressions
 * computing other columns of a query source do not matter) and no other
 * condition (rows with a NULL key are skipped by the receiver, so that the
 * plan of a plain table is the sequential scan a direct read replaces).
 * An entity-less view reads its newest row only.
 */
static void
build_read(const RegFeatureView *fv, TupleDesc desc, TupleDesc odesc, MatRead *read)
{
	const RegSource *src = fv->source;
	int			natts = fv->nkeys + fv->nfeatures;
	Form_pg_attribute ts_att;
	Form_pg_attribute cr_att = NULL;
	char	   *ts_col;
	char	   *cr_col = NULL;
	StringInfoData sql;
	int			m = 0;
	int			col = 0;

	ts_att = OnlineSourceColumn(desc, src, src->timestamp_field, ONLINE_TIMESTAMP);
	(void) OnlineTsExpr("s", ts_att, src, ONLINE_TIMESTAMP);	/* its type */
	ts_col = psprintf("s.%s", quote_identifier(NameStr(ts_att->attname)));
	if (src->created_timestamp_column)
	{
		cr_att = OnlineSourceColumn(desc, src, src->created_timestamp_column,
									ONLINE_CREATED);
		(void) OnlineTsExpr("s", cr_att, src, ONLINE_CREATED);
		cr_col = psprintf("s.%s", quote_identifier(NameStr(cr_att->attname)));
	}

	read->row_desc = CreateTemplateTupleDesc(Max(natts, 1));
	read->row_desc->natts = natts;
	read->nmap = 2 + natts;
	read->readmap = palloc(sizeof(int) * read->nmap);

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", ts_col);
	read->readmap[m++] = col++;
	if (cr_col)
	{
		appendStringInfo(&sql, ", %s", cr_col);
		read->readmap[m++] = col++;
	}
	else
		read->readmap[m++] = -1;
	for (int k = 0; k < fv->nkeys; k++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->join_keys[k],
												   ONLINE_JOIN_KEY);
		Form_pg_attribute oatt = OnlineFindColumn(odesc, fv->join_keys[k]);

		appendStringInfo(&sql, ", %s", OnlineKeyReadExpr(fv, fv->join_keys[k], att, oatt));
		read->readmap[m++] = col++;
		TupleDescInitEntry(read->row_desc, k + 1, fv->join_keys[k],
						   oatt->atttypid, -1, 0);
		TupleDescInitEntryCollation(read->row_desc, k + 1, oatt->attcollation);
	}
	for (int f = 0; f < fv->nfeatures; f++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->features[f].name,
												   ONLINE_FEATURE);
		int			attno = fv->nkeys + f + 1;

		appendStringInfo(&sql, ", s.%s", quote_identifier(NameStr(att->attname)));
		read->readmap[m++] = col++;
		TupleDescInitEntry(read->row_desc, attno, fv->features[f].name,
						   att->atttypid, att->atttypmod, 0);
		TupleDescInitEntryCollation(read->row_desc, attno, att->attcollation);
	}
	read->natts = col;

	appendStringInfo(&sql, " FROM %s s WHERE %s OPERATOR(pg_catalog.>=) %s AND %s OPERATOR(pg_catalog.<=) %s",
					 RegSourceFromItem(src), ts_col, OnlineTsBound(ts_att, 1),
					 ts_col, OnlineTsBound(ts_att, 2));
	if (fv->nkeys == 0)
	{
		/* the newest row: a NULL created loses a tie */
		appendStringInfo(&sql, " ORDER BY %s DESC", ts_col);
		if (cr_col)
			appendStringInfo(&sql, ", %s DESC NULLS LAST", cr_col);
		appendStringInfoString(&sql, " LIMIT 1");
	}
	read->sql = sql.data;
}

static void
mat_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
mat_noop(DestReceiver *self)
{
}

/*
 * MatReceive offers a source row to the per-key table, unless its
 * timestamp is NULL or outside the window (a direct read delivers every
 * row of the table) or a key is NULL. Timestamps are compared raw: a
 * timestamp without time zone means UTC, the same number.
 */
bool
MatReceive(TupleTableSlot *slot, DestReceiver *self)
{
	MatReceiver *r = (MatReceiver *) self;
	const int  *map = r->map;
	Datum	   *values;
	bool	   *isnull;
	int64		ts;
	bool		created_null = true;
	int64		created = 0;

	if ((++r->delivered & PROGRESS_CHECK_MASK) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		if (r->progress != NULL)
			ProgressUpdate(r->progress, r->delivered);
		if (r->by_reference && MatTableEstimate(r->table) > r->budget)
		{
			/* beyond memory: read_source reads again, by value */
			r->overflow = true;
			r->pub.receiveSlot = mat_receive_skip;
			return true;
		}
	}
	slot_getsomeattrs(slot, r->natts);
	values = slot->tts_values;
	isnull = slot->tts_isnull;
	if (isnull[map[0]])
		return true;
	ts = DatumGetInt64(values[map[0]]);
	if (ts < r->lo || ts > r->hi)
		return true;
	for (int k = 0; k < r->nkeys; k++)
		if (isnull[map[2 + k]])
			return true;
	if (map[1] >= 0 && !isnull[map[1]])
	{
		created_null = false;
		created = DatumGetInt64(values[map[1]]);
	}
	r->rows++;
	if (r->by_reference)
		MatTableOfferRef(r->table,
						 ((uint64) ItemPointerGetBlockNumberNoCheck(&slot->tts_tid) << 16) |
						 ItemPointerGetOffsetNumberNoCheck(&slot->tts_tid),
						 ts, created_null, created, values, isnull, &map[2]);
	else
		MatTableOffer(r->table, ts, created_null, created, values, isnull, &map[2]);
	return true;
}

void
MatInitReceiver(MatReceiver *r)
{
	r->pub.receiveSlot = MatReceive;
	r->pub.rStartup = mat_startup;
	r->pub.rShutdown = mat_noop;
	r->pub.rDestroy = mat_noop;
	r->pub.mydest = DestTuplestore;
}

/* The rest of a direct read past the budget: nothing to do. */
static bool
mat_receive_skip(TupleTableSlot *slot, DestReceiver *self)
{
	return true;
}

/* MatFetchFn of a direct read: the row at TID ref, as the scan saw it. */
static void
mat_fetch(void *arg, uint64 ref, Datum **values, bool **nulls)
{
	MatFetchState *fs = (MatFetchState *) arg;
	ItemPointerData tid;

	ItemPointerSet(&tid, (BlockNumber) (ref >> 16), (OffsetNumber) (ref & 0xFFFF));
	if (!table_tuple_fetch_row_version(fs->rel, &tid, fs->snapshot, fs->slot))
		elog(ERROR, "could not fetch the row (%u,%u) of relation \"%s\"",
			 ItemPointerGetBlockNumber(&tid), ItemPointerGetOffsetNumber(&tid),
			 RelationGetRelationName(fs->rel));
	slot_getsomeattrs(fs->slot, fs->natts);
	*values = fs->slot->tts_values;
	*nulls = fs->slot->tts_isnull;
}

/*
 * read_direct reads scan's table directly into r's table, by reference,
 * then fetches the winners' rows, all with one fresh snapshot (what SPI
 * takes for a statement that is not read-only, after a command counter
 * increment).
 */
static void
read_direct(MatReceiver *r, const HistScan *scan)
{
	Snapshot	snapshot;
	MatFetchState fs;

	/* the first pass deforms the columns up to the last one it compares */
	r->map = scan->attmap;
	r->natts = 0;
	for (int i = 0; i < 2 + r->nkeys; i++)
		r->natts = Max(r->natts, scan->attmap[i] + 1);
	r->by_reference = true;

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	PushActiveSnapshot(snapshot);
	if (!MatParallelRead(r, scan, snapshot))
		HistScanRun(scan, &r->pub);
	PopActiveSnapshot();
	if (r->overflow)
	{
		UnregisterSnapshot(snapshot);
		return;
	}

	fs.rel = table_open(scan->relid, AccessShareLock);
	fs.snapshot = snapshot;
	fs.slot = table_slot_create(fs.rel, NULL);
	fs.natts = scan->natts;
	MatTableFetchRows(r->table, mat_fetch, &fs, &scan->attmap[2]);
	ExecDropSingleTupleTableSlot(fs.slot);
	table_close(fs.rel, NoLock);
	UnregisterSnapshot(snapshot);
}

/*
 * run_read runs a prepared read with its parameters into dest, as any
 * statement of a materialization runs: after a command counter increment,
 * with a fresh snapshot (READ COMMITTED), as the caller. Planned without
 * JIT: the rows go straight to a C receiver, so compiling the scan is a
 * fixed cost the large reads this is meant for do not win back.
 */
static void
run_read(SPIPlanPtr plan, ParamListInfo params, DestReceiver *dest)
{
	SPIExecuteOptions options;
	int			rc;
	int			save_nestlevel;

	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = false;
	options.dest = dest;
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_plan_extended(plan, &options);
	AtEOXact_GUC(true, save_nestlevel);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
}

/*
 * read_source reads the rows of mv's view in [from, to] into a new per-key
 * table, which it returns: directly from the table where
 * historical_scan.c allows it (never for an entity-less view, whose read
 * is its newest row), else through the executor. Sets mv->rows. Caller is
 * connected to SPI.
 */
static MatTable *
read_source(MaterializeView *mv, MatRead *read, TimestampTz from, TimestampTz to)
{
	const RegFeatureView *fv = mv->fv;
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	ParamListInfo params = window_params(TimestampTzGetDatum(from),
										 TimestampTzGetDatum(to));
	SPIPlanPtr	plan;
	HistScan	scan;
	MatReceiver r;
	bool		direct;

	plan = SPI_prepare(read->sql, 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	memset(&scan, 0, sizeof(scan));
	if (ofs_direct_scan && fv->nkeys > 0)
		HistScanPlan(plan, params, read->readmap, read->nmap, 2, &scan);
	direct = OidIsValid(scan.relid);

	ProgressPhase(mv->progress, "rows",
				  "reading data source \"%s\" of feature view \"%s\" (%d of %d%s)",
				  fv->source->name, fv->name, mv->index, mv->nviews,
				  direct ? ", direct scan" : "");
	if (direct)
		ProgressSetTotal(mv->progress, scan.est_rows, false);
	else
		ProgressEstimatePlan(mv->progress, plan, params);
	ProgressUpdate(mv->progress, 0);

	memset(&r, 0, sizeof(r));
	MatInitReceiver(&r);
	r.table = MatTableCreate(CurrentMemoryContext, read->row_desc, fv->nkeys, direct);
	r.nkeys = fv->nkeys;
	r.lo = (int64) from;
	r.hi = (int64) to;
	r.progress = mv->progress;
	r.budget = PitSpillBudget();
	if (direct)
	{
		read_direct(&r, &scan);
		if (r.overflow)
		{
			/*
			 * The winners' rows would not fit in offline_store.max_memory:
			 * read again through the executor, by value, into a table that
			 * partitions its offers on temporary files.
			 */
			elog(DEBUG1, "offline_store: materialization of feature view \"%s\" beyond offline_store.max_memory (%dkB): the source read again by value",
				 fv->name, ofs_max_memory);
			MatTableDestroy(r.table);
			r.table = MatTableCreate(CurrentMemoryContext, read->row_desc, fv->nkeys, false);
			r.pub.receiveSlot = MatReceive;
			r.by_reference = false;
			r.overflow = false;
			r.delivered = 0;
			r.rows = 0;
			direct = false;
		}
	}
	if (!direct)
	{
		MatTableSetBudget(r.table, r.budget);
		r.map = read->readmap;
		r.natts = read->natts;
		run_read(plan, params, &r.pub);
	}
	SPI_freeplan(plan);
	mv->rows = r.rows;
	return r.table;
}

/* Does rel hold a row visible to a fresh latest snapshot? */
static bool
relation_has_rows(Relation rel)
{
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		found;

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	found = table_scan_getnextslot(scan, ForwardScanDirection, slot);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	return found;
}

/*
 * online_table_empty decides whether the winners can be written by a plain
 * INSERT instead of the upsert (prepared, not run): when the online table
 * holds no row at all, none can conflict, and the speculative insertion
 * ON CONFLICT makes for every row (an index probe, and a second WAL record)
 * is cost for nothing. It must stay without other writers' rows until the
 * INSERT is done, so a table that looks empty is locked SHARE ROW
 * EXCLUSIVE (until the transaction ends: pushes into it wait; readers do
 * not) and looked at again. A table with rows is never locked beyond what
 * the upsert takes.
 *
 * Only where the INSERT does exactly what the upsert would: the caller has
 * the privileges the upsert needs (checked here, as the executor would
 * check them, with the same errors), and the table is a plain table with
 * no row-level security, no triggers (an upsert fires UPDATE statement
 * triggers too) and no rules, outside SERIALIZABLE transactions (whose
 * predicate locks differ). The rows are looked for with the latest
 * snapshot, whatever the isolation level. Returns the table's OID when it
 * is empty (and locked), else InvalidOid.
 */
static Oid
online_table_empty(SPIPlanPtr upsert)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	PlannedStmt *stmt;
	Oid			relid = InvalidOid;
	bool		empty = false;
	Relation	rel;

	if (IsolationIsSerializable())
		return InvalidOid;
	cxt = AllocSetContextCreate(caller, "offline_store upsert plan",
								ALLOCSET_SMALL_SIZES);
	MemoryContextSwitchTo(cxt);
	stmt = SpiPlanWithParams(upsert, NULL);
	if (stmt != NULL && list_length(stmt->resultRelations) == 1)
	{
		compat_check_plan_permissions(stmt);
		relid = rt_fetch(linitial_int(stmt->resultRelations), stmt->rtable)->relid;
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(cxt);
	if (!OidIsValid(relid))
		return InvalidOid;

	rel = table_open(relid, RowExclusiveLock);
	if (rel->rd_rel->relkind == RELKIND_RELATION &&
		!rel->rd_rel->relrowsecurity && !rel->rd_rel->relhastriggers &&
		!rel->rd_rel->relhasrules && !relation_has_rows(rel))
	{
		LockRelationOid(relid, ShareRowExclusiveLock);
		empty = !relation_has_rows(rel);
	}
	table_close(rel, NoLock);
	return empty ? relid : InvalidOid;
}

/*
 * direct_write_map decides whether the winners, rows of desc (the online
 * table's columns as materialization computes them; the first nkeycols
 * are the key, never NULL), can be inserted into rel directly, as COPY
 * inserts rows (write_direct), and returns for each column of desc the
 * table column (0-based) taking it; NULL when they cannot: unless the
 * table has those columns, of the values' types (or types they are
 * binary-coercible to, without a typmod or domain to check), no CHECK
 * constraint, no generated column and no NOT NULL column beyond the key
 * and the event timestamp (the next to last column), and any other column
 * one INSERT leaves NULL (no default, NOT NULL, identity or domain type,
 * as the aggregated features' columns, set after the winners are
 * written), the INSERT statement is needed.
 */
static int *
direct_write_map(Relation rel, TupleDesc desc, int nkeycols)
{
	TupleDesc	rdesc = RelationGetDescr(rel);
	int		   *map = palloc(sizeof(int) * desc->natts);
	int			mapped = 0;

	if (rdesc->constr != NULL &&
		(rdesc->constr->num_check > 0 || rdesc->constr->has_generated_stored))
		return NULL;
	for (int i = 0; i < desc->natts; i++)
		map[i] = -1;
	for (int a = 0; a < rdesc->natts; a++)
	{
		Form_pg_attribute ratt = TupleDescAttr(rdesc, a);
		int			c;

		if (ratt->attisdropped)
			continue;
		for (c = 0; c < desc->natts; c++)
			if (strcmp(NameStr(TupleDescAttr(desc, c)->attname), NameStr(ratt->attname)) == 0)
				break;
		if (c == desc->natts)
		{
			/* a column we do not compute: only if INSERT leaves it NULL */
			if (ratt->atthasdef || ratt->attnotnull || ratt->attidentity ||
				ratt->attgenerated || getBaseType(ratt->atttypid) != ratt->atttypid)
				return NULL;
			continue;
		}
		if (map[c] >= 0)
			return NULL;
		{
			Form_pg_attribute datt = TupleDescAttr(desc, c);
			bool		same = datt->atttypid == ratt->atttypid &&
				(ratt->atttypmod < 0 || ratt->atttypmod == datt->atttypmod);
			bool		coercible = ratt->atttypmod < 0 &&
				getBaseType(ratt->atttypid) == ratt->atttypid &&
				IsBinaryCoercible(datt->atttypid, ratt->atttypid);

			if (!same && !coercible)
				return NULL;
			if (ratt->attnotnull && c >= nkeycols && c != desc->natts - 2)
				return NULL;	/* a NOT NULL column we may leave NULL */
		}
		map[c] = a;
		mapped++;
	}
	return mapped == desc->natts ? map : NULL;
}

/* Insert slots[0 .. n - 1] into rri's table and its indexes, then clear them. */
static void
direct_write_flush(ResultRelInfo *rri, EState *estate, BulkInsertState bistate,
				   CommandId cid, TupleTableSlot **slots, int n)
{
	table_multi_insert(rri->ri_RelationDesc, slots, n, cid, 0, bistate);
	for (int i = 0; i < n; i++)
	{
		if (rri->ri_NumIndices > 0)
			list_free(ExecInsertIndexTuples(rri, slots[i], estate, false, false,
											NULL, NIL));
		ExecClearTuple(slots[i]);
		ResetPerTupleExprContext(estate);
	}
}

/*
 * write_direct inserts the winners of table into rel, an empty online
 * table locked by online_table_empty, as COPY FROM inserts rows: in
 * batches of MAT_DIRECT_BATCH through the table access method's
 * multi-insert, each row then into every index (a unique index still
 * checks its keys). Only where an INSERT would do nothing else: the
 * privileges were checked, and the table has no trigger, rule or
 * row-level security (online_table_empty), and no default, constraint or
 * conversion to apply (direct_write_map gives attmap). The executor's
 * hooks do not see these inserts: like the direct read of a source, this
 * is done only with offline_store.direct_scan on. desc describes the
 * values (the lead dummy key, then the table's rows, then the event and
 * created timestamps). Returns the number of rows inserted.
 */
static int64
write_direct(MaterializeView *mv, MatTable *table, TupleDesc desc, int lead,
			 Relation rel, const int *attmap)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bistate = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	int			natts = RelationGetDescr(rel)->natts;
	int			nrow = desc->natts - lead - 2;
	int			nslots = (int) Min(MatTableCount(table), MAT_DIRECT_BATCH);
	TupleTableSlot **slots = palloc(sizeof(TupleTableSlot *) * nslots);
	Datum		dummy = CStringGetTextDatum("");
	MatWinner	w;
	int			n = 0;
	int64		done = 0;
	bool		copy = MatTableSpilled(table);	/* values last until the next */

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	for (int i = 0; i < nslots; i++)
		slots[i] = table_slot_create(rel, NULL);

	MatTableBeginScan(table, true);
	while (MatTableNext(table, &w))
	{
		TupleTableSlot *slot = slots[n];
		Datum	   *values = slot->tts_values;
		bool	   *nulls = slot->tts_isnull;

		ExecClearTuple(slot);
		memset(nulls, true, sizeof(bool) * natts);
		if (lead)
		{
			values[attmap[0]] = dummy;
			nulls[attmap[0]] = false;
		}
		for (int i = 0; i < nrow; i++)
		{
			values[attmap[lead + i]] = w.values[i];
			nulls[attmap[lead + i]] = w.nulls[i];
		}
		values[attmap[lead + nrow]] = TimestampTzGetDatum(w.ts);
		nulls[attmap[lead + nrow]] = false;
		values[attmap[lead + nrow + 1]] = TimestampTzGetDatum(w.created);
		nulls[attmap[lead + nrow + 1]] = w.created_null;
		ExecStoreVirtualTuple(slot);
		if (copy)
			ExecMaterializeSlot(slot);
		if (++n == nslots)
		{
			direct_write_flush(rri, estate, bistate, cid, slots, n);
			done += n;
			n = 0;
			CHECK_FOR_INTERRUPTS();
			ProgressUpdate(mv->progress, done);
		}
	}
	if (n > 0)
	{
		direct_write_flush(rri, estate, bistate, cid, slots, n);
		done += n;
		ProgressUpdate(mv->progress, done);
	}

	for (int i = 0; i < nslots; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	FreeBulkInsertState(bistate);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	return done;
}

/* Run the upsert of one batch, then give the relation an empty tuplestore. */
static uint64
upsert_batch(SPIPlanPtr plan, EphemeralNamedRelation enr)
{
	SPIExecuteOptions options;
	int			rc;
	uint64		written;

	memset(&options, 0, sizeof(options));
	rc = SPI_execute_plan_extended(plan, &options);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
	written = SPI_processed;
	tuplestore_end((Tuplestorestate *) enr->reldata);
	enr->reldata = tuplestore_begin_heap(false, false, work_mem);
	CHECK_FOR_INTERRUPTS();
	return written;
}

/*
 * write_winners upserts the winners of table (rows of row_desc) into mv's
 * online table, in key order, MAT_WRITE_BATCH keys per statement, and
 * returns the number of online rows inserted or updated. The statement is
 * mv->upsert_sql, or a plain INSERT into an empty table
 * (online_table_empty). Caller is connected to SPI.
 */
static int64
write_winners(MaterializeView *mv, MatTable *table, TupleDesc row_desc)
{
	const RegFeatureView *fv = mv->fv;
	int			nrow = row_desc->natts;
	int			lead = fv->nkeys == 0 ? 1 : 0;	/* the dummy key */
	int			ncols = lead + nrow + 2;
	int64		total = MatTableCount(table);
	int64		done = 0;
	int64		written = 0;
	int			inbatch = 0;
	TupleDesc	desc;
	EphemeralNamedRelation enr;
	SPIPlanPtr	plan;
	Datum	   *values;
	bool	   *nulls;
	MatWinner	w;
	int			rc;
	Oid			relid;

	ProgressPhase(mv->progress, "keys",
				  "writing the online table of feature view \"%s\" (%d of %d)",
				  fv->name, mv->index, mv->nviews);
	ProgressSetTotal(mv->progress, (double) total, true);
	ProgressUpdate(mv->progress, 0);
	if (total == 0)
		return 0;

	/* the relation: the online table's columns, keys and features as kept */
	desc = CreateTemplateTupleDesc(ncols);
	if (lead)
	{
		TupleDescInitEntry(desc, 1, OFS_ONLINE_DUMMY_KEY, TEXTOID, -1, 0);
		TupleDescInitEntryCollation(desc, 1, DEFAULT_COLLATION_OID);
	}
	for (int i = 0; i < nrow; i++)
	{
		Form_pg_attribute a = TupleDescAttr(row_desc, i);

		TupleDescInitEntry(desc, lead + i + 1, NameStr(a->attname), a->atttypid,
						   a->atttypmod, 0);
		TupleDescInitEntryCollation(desc, lead + i + 1, a->attcollation);
	}
	TupleDescInitEntry(desc, lead + nrow + 1, "event_timestamp", TIMESTAMPTZOID, -1, 0);
	TupleDescInitEntry(desc, lead + nrow + 2, "created_timestamp", TIMESTAMPTZOID, -1, 0);

	enr = palloc0(sizeof(EphemeralNamedRelationData));
	enr->md.name = MAT_ROWS_RELATION;
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = desc;
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = (double) Min(total, MAT_WRITE_BATCH);
	enr->reldata = tuplestore_begin_heap(false, false, work_mem);
	if ((rc = SPI_register_relation(enr)) != SPI_OK_REL_REGISTER)
		elog(ERROR, "SPI_register_relation failed: %s", SPI_result_code_string(rc));
	plan = SPI_prepare(mv->upsert_sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	relid = online_table_empty(plan);
	if (OidIsValid(relid))
	{
		SPI_freeplan(plan);
		if (ofs_direct_scan)
		{
			Relation	rel = table_open(relid, NoLock);	/* locked */
			int		   *attmap = direct_write_map(rel, desc, lead + fv->nkeys);

			if (attmap != NULL)
			{
				ProgressPhase(mv->progress, "keys",
							  "writing the online table of feature view \"%s\" (%d of %d, direct insert)",
							  fv->name, mv->index, mv->nviews);
				ProgressSetTotal(mv->progress, (double) total, true);
				ProgressUpdate(mv->progress, 0);
				written = write_direct(mv, table, desc, lead, rel, attmap);
			}
			table_close(rel, NoLock);
			if (attmap != NULL)
			{
				if ((rc = SPI_unregister_relation(MAT_ROWS_RELATION)) != SPI_OK_REL_UNREGISTER)
					elog(ERROR, "SPI_unregister_relation failed: %s", SPI_result_code_string(rc));
				tuplestore_end((Tuplestorestate *) enr->reldata);
				return written;
			}
		}
		plan = SPI_prepare(mv->insert_sql, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	}

	values = palloc(sizeof(Datum) * ncols);
	nulls = palloc0(sizeof(bool) * ncols);
	if (lead)
		values[0] = CStringGetTextDatum("");
	MatTableBeginScan(table, true);
	while (MatTableNext(table, &w))
	{
		memcpy(&values[lead], w.values, sizeof(Datum) * nrow);
		memcpy(&nulls[lead], w.nulls, sizeof(bool) * nrow);
		values[lead + nrow] = TimestampTzGetDatum(w.ts);
		values[lead + nrow + 1] = TimestampTzGetDatum(w.created);
		nulls[lead + nrow + 1] = w.created_null;
		tuplestore_putvalues((Tuplestorestate *) enr->reldata, desc, values, nulls);
		if (++inbatch == MAT_WRITE_BATCH)
		{
			written += upsert_batch(plan, enr);
			done += inbatch;
			inbatch = 0;
			ProgressUpdate(mv->progress, done);
		}
	}
	if (inbatch > 0)
	{
		written += upsert_batch(plan, enr);
		done += inbatch;
		ProgressUpdate(mv->progress, done);
	}
	SPI_freeplan(plan);
	if ((rc = SPI_unregister_relation(MAT_ROWS_RELATION)) != SPI_OK_REL_UNREGISTER)
		elog(ERROR, "SPI_unregister_relation failed: %s", SPI_result_code_string(rc));
	tuplestore_end((Tuplestorestate *) enr->reldata);
	return written;
}

/*
 * materialize_view_body does the work of materialize_view: it fills *result.
 * mv->read_sql, upsert_sql, insert_sql and agg_sql receive our statements
 * (in the caller's context) before they run.
 */
static void
materialize_view_body(MaterializeView *mv, bool incremental,
					  TimestampTz start, TimestampTz end,
					  MaterializeResult *result)
{
	const RegFeatureView *fv = mv->fv;
	MemoryContext caller = CurrentMemoryContext;
	TimestampTz started_at = GetCurrentTimestamp();
	TupleDesc	desc;
	TupleDesc	odesc;
	MatRead		read;
	MatTable   *table;
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
	odesc = OnlineDescribe(OnlineTableOf(fv), CurrentMemoryContext);
	build_read(fv, desc, odesc, &read);
	mv->read_sql = MemoryContextStrdup(caller, read.sql);
	mv->upsert_sql = MemoryContextStrdup(caller, OnlineUpsertRowsSql(fv, MAT_ROWS_RELATION, true));
	mv->insert_sql = MemoryContextStrdup(caller, OnlineUpsertRowsSql(fv, MAT_ROWS_RELATION, false));

	/*
	 * The earliest timestamp as a start means no lower bound: it is what is
	 * recorded (registry timestamps are finite), but the window takes rows
	 * at -infinity too.
	 */
	from = start == MIN_TIMESTAMP ? DT_NOBEGIN : start;
	table = read_source(mv, &read, from, end);

	/*
	 * Columns computed per key go here: a value the view's online table
	 * holds that is not a source column, computed for the table's keys
	 * before they are written, is added to the rows write_winners builds
	 * (its relation's columns are named as the online table's: the
	 * statements and the direct insert match them by name) and to the
	 * column lists of OnlineUpsertRowsSql. The aggregated features are not
	 * computed so: they concern more keys than the winners (a key whose
	 * rows are all older than start can still have rows in a window as of
	 * end; a key whose windows have emptied gets empty windows), so they
	 * are set right after the winners are written, by one statement over
	 * the source (OnlineMaterializeAggregations). The winners carry the
	 * schema's features only: the upsert leaves the aggregated columns as
	 * they are, and an INSERT or the direct insert leaves them NULL
	 * (direct_write_map) until that statement sets them.
	 */
	result->rows_written = write_winners(mv, table, read.row_desc);
	result->start = start;
	MatTableDestroy(table);

	/* aggregated features as of end, in the same transaction */
	if (fv->naggregations > 0)
	{
		ProgressPhase(mv->progress, NULL,
					  "computing the aggregated features of feature view \"%s\" (%d of %d)",
					  fv->name, mv->index, mv->nviews);
		ProgressUpdate(mv->progress, 0);
		(void) OnlineMaterializeAggregations(fv, end, caller, &mv->agg_sql);
	}
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
 * holds the project lock and the view's materialization lock. Errors are
 * re-raised with the view's name in the primary message, so that the
 * message stands on its own (pg_cron keeps only that), and every other
 * field as it was, less the context lines of our own statements.
 */
static MaterializeResult
materialize_view(MaterializeView *mv, bool incremental, TimestampTz start,
				 TimestampTz end)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	MaterializeResult result = {0};

	PG_TRY();
	{
		ErrorContextCallback errcallback;

		errcallback.callback = materialize_error_callback;
		errcallback.arg = (void *) mv->fv->name;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		materialize_view_body(mv, incremental, start, end, &result);
		error_context_stack = errcallback.previous;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

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
		if (mv->read_sql != NULL)
			SpiStripStatement(edata, mv->read_sql);
		if (mv->upsert_sql != NULL)
			SpiStripStatement(edata, mv->upsert_sql);
		if (mv->insert_sql != NULL)
			SpiStripStatement(edata, mv->insert_sql);
		if (mv->agg_sql != NULL)
			SpiStripStatement(edata, mv->agg_sql);
		ReThrowError(edata);
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
