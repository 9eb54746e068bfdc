/*-------------------------------------------------------------------------
 *
 * historical_parallel.c
 *		The direct scan of a feature view's source, shared among parallel
 *		workers that each join the blocks they read.
 *
 * The source side (scan and probe) is the bulk of a retrieval's time. With
 * max_parallel_workers_per_gather > 0 and a source table of at least
 * min_parallel_table_scan_size, HistParallelScan shares the scan among
 * workers (parallel_scan.c). The probe needs the view's index on the
 * entity rows: the leader writes its own into the shared segment, and each
 * worker takes a private copy (PitViewIndexWrite, PitViewIndexAttach), so
 * that its view has the leader's positions and starts at once. Each worker
 * joins its blocks, then sends the candidates it kept; the leader merges
 * them into its view, the best winning as in one process (PitViewExport,
 * PitViewMerge). The result is the one-process result.
 *
 * Costs and limits: every worker holds a copy of the index and its own
 * candidates, so the workers count against offline_store.max_memory (fewer
 * of them, or none, when they would not fit); the index takes its size in
 * shared memory too (/dev/shm on Linux), about 40 bytes per entity row. A
 * worker runs the engine and the join key's hash and comparison functions,
 * which must be parallel safe. Views with windowed aggregations, reads
 * through the executor and retrievals beyond memory run in one process.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_parallel.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_proc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "historical_int.h"
#include "parallel_scan.h"

/*
 * What a worker needs to join like the leader: the view's parameters (as
 * PitViewCreate takes them), the layout of the entity rows and of the
 * scanned tuples. Variable parts follow the struct, at the offsets given.
 */
typedef struct HistParallelShared
{
	int			natts;			/* of the table's tuples the scan reads */
	int			nkeys;
	int			nfeatures;
	int			ts_attno;
	int64		ttl_usec;
	bool		filter_by_created;
	bool		has_as_of;
	int64		as_of;
	Size		key_attnos_off; /* int[nkeys] */
	Size		keyops_off;		/* PitKeyOps[nkeys] */
	Size		attmap_off;		/* int[2 + nkeys + nfeatures] */
	Size		entity_desc_off;
	Size		feature_desc_off;
	Size		index_off;		/* PitViewIndexWrite's */
} HistParallelShared;

#define HP_AT(shared, off)	((void *) ((char *) (shared) + (off)))

PGDLLEXPORT void ofs_historical_parallel_main(dsm_segment *seg, shm_toc *toc);

static bool keys_parallel_safe(const HistView *hv, int nkeys);
static void merge_candidates(void *arg, const char *data, Size len);

/* Is every function a worker calls for the view's keys parallel safe? */
static bool
keys_parallel_safe(const HistView *hv, int nkeys)
{
	for (int k = 0; k < nkeys; k++)
	{
		const PitKeyOps *ops = &hv->keyops[k];
		Oid			fns[6] = {ops->match_eq, ops->entity_hash, ops->entity_eq,
		ops->source_hash, ops->entity_cmp, ops->match_cmp};

		if (ops->fast_int)
			continue;
		for (int i = 0; i < (int) lengthof(fns); i++)
			if (OidIsValid(fns[i]) && func_parallel(fns[i]) != PROPARALLEL_SAFE)
				return false;
	}
	return true;
}

/* The merge callback of ParallelScanCollect: arg is the leader's view. */
static void
merge_candidates(void *arg, const char *data, Size len)
{
	PitViewMerge((PitView *) arg, data, len);
}

/*
 * HistParallelScan: see historical_int.h. The leader's view is built; it
 * receives the rows the leader reads and the candidates the workers kept.
 */
bool
HistParallelScan(HistView *hv, const HistScan *scan, HistSourceReceiver *sr,
				 ProgressState *progress)
{
	const HistPlan *plan = sr->plan;
	PitView    *pv = hv->pv;
	int			nkeys = sr->nkeys;
	int			nmap = 2 + nkeys + sr->nfeatures;
	Size		index_bytes;
	Size		size;
	int			nworkers;
	Relation	rel;
	ParallelScan *ps;
	HistParallelShared *shared;
	void	   *area;
	int			nlaunched;

	if (sr->engine_bytes == 0 || PitViewHasAggregations(pv) ||
		!keys_parallel_safe(hv, nkeys))
		return false;
	index_bytes = PitViewIndexSize(pv);
	rel = table_open(scan->relid, AccessShareLock);
	nworkers = ParallelScanWorkers(rel, (double) sr->engine_bytes, (double) sr->engine_bytes,
								   (double) index_bytes);
	if (nworkers == 0)
	{
		table_close(rel, NoLock);
		return false;
	}

	/* the shared area: the struct, then its variable parts */
	size = MAXALIGN(sizeof(HistParallelShared));
	size += MAXALIGN(sizeof(int) * Max(nkeys, 1));
	size += MAXALIGN(sizeof(PitKeyOps) * Max(nkeys, 1));
	size += MAXALIGN(sizeof(int) * nmap);
	size += MAXALIGN(TupleDescSize(plan->stored_desc));
	size += MAXALIGN(TupleDescSize(hv->feature_desc));
	size += index_bytes;
	ps = ParallelScanBegin(rel, GetActiveSnapshot(), "ofs_historical_parallel_main",
						   nworkers, size, &area);
	if (ps == NULL)
	{
		table_close(rel, NoLock);
		return false;
	}
	shared = area;
	memset(shared, 0, sizeof(HistParallelShared));
	shared->natts = scan->natts;
	shared->nkeys = nkeys;
	shared->nfeatures = sr->nfeatures;
	shared->ts_attno = plan->ts_attno;
	shared->ttl_usec = hv->req->view->ttl_usec;
	shared->filter_by_created = plan->args->filter_by_created && hv->created_col != NULL;
	shared->has_as_of = plan->args->has_as_of;
	shared->as_of = plan->args->as_of;
	{
		Size		off = MAXALIGN(sizeof(HistParallelShared));

		shared->key_attnos_off = off;
		memcpy(HP_AT(shared, off), hv->engine_attnos, sizeof(int) * nkeys);
		off += MAXALIGN(sizeof(int) * Max(nkeys, 1));
		shared->keyops_off = off;
		memcpy(HP_AT(shared, off), hv->keyops, sizeof(PitKeyOps) * nkeys);
		off += MAXALIGN(sizeof(PitKeyOps) * Max(nkeys, 1));
		shared->attmap_off = off;
		memcpy(HP_AT(shared, off), scan->attmap, sizeof(int) * nmap);
		off += MAXALIGN(sizeof(int) * nmap);
		shared->entity_desc_off = off;
		TupleDescCopy(HP_AT(shared, off), plan->stored_desc);
		off += MAXALIGN(TupleDescSize(plan->stored_desc));
		shared->feature_desc_off = off;
		TupleDescCopy(HP_AT(shared, off), hv->feature_desc);
		off += MAXALIGN(TupleDescSize(hv->feature_desc));
		shared->index_off = off;
		PitViewIndexWrite(pv, HP_AT(shared, off));
	}

	nlaunched = ParallelScanLaunch(ps);
	elog(DEBUG1, "feature view \"%s\": parallel workers: %d planned, %d launched",
		 hv->req->name_to_use, nworkers, nlaunched);

	/* the leader's share; the shared count reports every reader's rows */
	sr->progress = NULL;
	ParallelScanLead(ps, &sr->pub, progress);
	sr->progress = progress;
	ParallelScanCollect(ps, merge_candidates, pv);
	ParallelScanEnd(ps);
	table_close(rel, NoLock);
	return true;
}

/*
 * ofs_historical_parallel_main: a worker. It makes the leader's view with
 * a copy of its index, joins the blocks it is handed, and sends what it
 * kept.
 */
void
ofs_historical_parallel_main(dsm_segment *seg, shm_toc *toc)
{
	ParallelScanWorker w;
	HistParallelShared *shared = ParallelScanAttach(seg, toc, &w);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "offline_store parallel worker",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	TupleDesc	entity_desc = HP_AT(shared, shared->entity_desc_off);
	PitEntities *ents;
	HistView	hv;
	HistSourceReceiver sr;

	ents = PitEntitiesCreate(cxt, entity_desc, shared->ts_attno, entity_desc->natts);
	memset(&hv, 0, sizeof(hv));
	hv.pv = PitViewCreate(ents, shared->nkeys, HP_AT(shared, shared->key_attnos_off),
						  HP_AT(shared, shared->keyops_off), shared->ttl_usec,
						  shared->filter_by_created, shared->nfeatures,
						  HP_AT(shared, shared->feature_desc_off));
	if (shared->has_as_of)
		PitViewSetAsOf(hv.pv, shared->as_of);
	PitViewIndexAttach(hv.pv, HP_AT(shared, shared->index_off));

	memset(&sr, 0, sizeof(sr));
	HistInitReceiver(&sr.pub, HistSourceReceive);
	sr.hv = &hv;
	sr.nkeys = shared->nkeys;
	sr.nfeatures = shared->nfeatures;
	sr.attmap = HP_AT(shared, shared->attmap_off);
	sr.natts = shared->natts;
	ParallelScanWorkerRead(&w, &sr.pub);

	PitViewExport(hv.pv, ParallelScanSend, &w);
	ParallelScanDetach(&w);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
