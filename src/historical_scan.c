/*-------------------------------------------------------------------------
 *
 * historical_scan.c
 *		The direct scan: a source table that the planner would only scan
 *		whole is read with the table access method, as COPY relation TO
 *		reads it, instead of through the executor.
 *
 * feast_historical reads each source once, keeping the rows in a time
 * window. For a plain table with no index on the timestamp the executor
 * does a sequential scan whose per-row cost (evaluating the window's
 * filter, projecting, dispatching each row to our receiver) is larger than
 * what the join engine does with the row; the engine drops rows outside
 * the window itself. So when the read would be exactly that, the table is
 * scanned directly (offline_store.direct_scan, on by default; test/bench/
 * historical.sh measures both). Materialization (online_materialize.c)
 * reads its sources the same way, and materialize.sh measures both too.
 *
 * When: the read (one SELECT of columns with a WHERE clause that is the
 * window) is planned with its actual bounds, as SPI would plan it, and must
 * come out as one sequential scan of an ordinary table (a partition that
 * pruning leaves alone included) whose only quals are the window's
 * comparisons of the timestamp column with the bounds, and whose output
 * columns are the table's own, nothing computed (an expression might fail
 * or have effects on rows the window would have kept it from). The
 * analyzed query must not have row-level security applied
 * (Query.hasRowSecurity: a policy always means the executor); a view or
 * query source that filters rows, computes a column or reads an index or
 * several partitions gives another plan, so the executor.
 *
 * What the executor would have done that the direct scan must do too:
 * - the permission checks on every relation of the plan (views included,
 *   as their owners), through ExecutorCheckPerms_hook as well
 *   (compat_check_plan_permissions);
 * - the snapshot: the active one, which is the caller's (SPI's read-only
 *   mode uses it as is);
 * - locks: the table is locked AccessShare since the read was analyzed.
 * What it does not do: ExecutorStart/Run/Finish/End hooks
 * (auto_explain, pg_stat_statements' nested statements, and auditing that
 * hooks ExecutorStart) do not see the read. That is why the setting is
 * PGC_SUSET: turning it on for a session may not be left to a user whom an
 * administrator wants audited; turning it off only costs time.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "executor/tuptable.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/plancat.h"
#include "parser/parsetree.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "historical_scan.h"
#include "spi_util.h"

bool		ofs_direct_scan = true;

static bool is_window_qual(Node *qual, Index scanrelid, AttrNumber ts_attno);

void
HistScanInit(void)
{
	DefineCustomBoolVariable("offline_store.direct_scan",
							 gettext_noop("Lets feast_historical and materialization read a source table that would only be scanned whole directly, without the executor."),
							 gettext_noop("Off, every source is read (and every online table written) through the executor: slower on large tables, seen by executor hooks."),
							 &ofs_direct_scan,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * Is qual "column ts_attno compared with a constant", one of the window's
 * comparisons once the bounds are folded in?
 */
static bool
is_window_qual(Node *qual, Index scanrelid, AttrNumber ts_attno)
{
	OpExpr	   *op = (OpExpr *) qual;
	Var		   *var;

	if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
		!IsA(linitial(op->args), Var) || !IsA(lsecond(op->args), Const))
		return false;
	var = linitial_node(Var, op->args);
	return var->varno == (int) scanrelid && var->varattno == ts_attno;
}

/*
 * HistScanPlan: see historical_scan.h. The planning is done in a context
 * of its own; only scan->attmap is allocated in the caller's.
 */
void
HistScanPlan(SPIPlanPtr read, ParamListInfo params, const int *readmap,
			 int nmap, int nwindow_quals, HistScan *scan)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt = AllocSetContextCreate(caller, "offline_store source plan",
											  ALLOCSET_DEFAULT_SIZES);
	int		   *map = MemoryContextAlloc(cxt, sizeof(int) * nmap);
	List	   *sources = SPI_plan_get_plan_sources(read);
	CachedPlanSource *ps;
	PlannedStmt *stmt;
	Scan	   *seqscan;
	RangeTblEntry *rte;
	List	   *tlist;
	ListCell   *lc;
	int			natts = 0;

	memset(scan, 0, sizeof(HistScan));
	MemoryContextSwitchTo(cxt);
	stmt = SpiPlanWithParams(read, params);
	if (stmt == NULL)
		goto done;
	scan->est_rows = stmt->planTree->plan_rows;

	/* row-level security: always the executor */
	ps = linitial(sources);
	if (linitial_node(Query, ps->query_list)->hasRowSecurity)
		goto done;

	if (!IsA(stmt->planTree, SeqScan) || stmt->planTree->initPlan != NIL ||
		list_length(stmt->planTree->qual) != nwindow_quals)
		goto done;
	seqscan = (Scan *) stmt->planTree;
	rte = rt_fetch(seqscan->scanrelid, stmt->rtable);
	tlist = seqscan->plan.targetlist;
	if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_RELATION)
		goto done;
	foreach(lc, tlist)
	{
		Var		   *var = (Var *) lfirst_node(TargetEntry, lc)->expr;

		if (!IsA(var, Var) || var->varno != (int) seqscan->scanrelid || var->varattno <= 0)
			goto done;
	}
	for (int i = 0; i < nmap; i++)
	{
		map[i] = -1;
		if (readmap[i] < 0)
			continue;
		if (readmap[i] >= list_length(tlist))
			goto done;
		map[i] = ((Var *) list_nth_node(TargetEntry, tlist, readmap[i])->expr)->varattno - 1;
		natts = Max(natts, map[i] + 1);
	}
	if (map[0] < 0)
		goto done;
	foreach(lc, seqscan->plan.qual)
		if (!is_window_qual(lfirst(lc), seqscan->scanrelid, map[0] + 1))
			goto done;

	compat_check_plan_permissions(stmt);

	/* every row is delivered: the estimate is the table's size */
	{
		Relation	rel = table_open(rte->relid, AccessShareLock);
		BlockNumber pages;
		double		allvisfrac;

		estimate_rel_size(rel, NULL, &pages, &scan->est_rows, &allvisfrac);
		table_close(rel, NoLock);
	}
	scan->relid = rte->relid;
	scan->natts = natts;
	scan->attmap = MemoryContextAlloc(caller, sizeof(int) * nmap);
	memcpy(scan->attmap, map, sizeof(int) * nmap);

done:
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(cxt);
}

/*
 * HistScanRun: see historical_scan.h. The same table access method scan
 * as the executor's sequential scan, without its per-row dispatch; the
 * receiver checks for interrupts.
 */
void
HistScanRun(const HistScan *scan, DestReceiver *dest)
{
	Relation	rel = table_open(scan->relid, AccessShareLock);
	Snapshot	snapshot = RegisterSnapshot(GetActiveSnapshot());
	TableScanDesc tscan = table_beginscan(rel, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);

	while (table_scan_getnextslot(tscan, ForwardScanDirection, slot))
		(void) dest->receiveSlot(slot, dest);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(tscan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
}
