/*-------------------------------------------------------------------------
 *
 * historical_parallel.c
 *		The direct scan of a feature view's source, shared among parallel
 *		workers that each join the blocks they read.
 *
 * The source side (scan and probe) is the bulk of a retrieval's time. With
 * max_parallel_workers_per_gather > 0 and a source table of at least
 * min_parallel_table_scan_size, HistParallelScan launches workers as a
 * Parallel Seq Scan would: a shared parallel table scan hands out the
 * blocks, and the leader reads its share too (unless
 * parallel_leader_participation is off). The probe needs the view's index
 * on the entity rows: the leader writes its own into the dynamic shared
 * memory segment, and each worker takes a private copy (PitViewIndexWrite,
 * PitViewIndexAttach), so that its view has the leader's positions and
 * starts at once. Each worker joins its blocks, then sends the candidates
 * it kept through its message queue; the leader merges them into its view,
 * the best winning as in one process (PitViewExport, PitViewMerge). The
 * result is the one-process result.
 *
 * Costs and limits: every worker holds a copy of the index and its own
 * candidates, so the workers count against offline_store.max_memory (fewer
 * of them, or none, when they would not fit); the index takes its size in
 * shared memory too (/dev/shm on Linux), about 40 bytes per entity row. A
 * worker runs the engine and the join key's hash and comparison functions,
 * which must be parallel safe.
 * Views with windowed aggregations, reads through the executor and
 * retrievals beyond memory run in one process.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_parallel.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "historical_int.h"
#include "pit_spill.h"

/* the keys of the shared memory segment's table of contents */
#define HP_KEY_SHARED		UINT64CONST(0xFEA5700000000001)
#define HP_KEY_INDEX		UINT64CONST(0xFEA5700000000002)
#define HP_KEY_SCAN			UINT64CONST(0xFEA5700000000003)
#define HP_KEY_QUEUES		UINT64CONST(0xFEA5700000000004)

/* each worker's queue of candidates to the leader */
#define HP_QUEUE_SIZE		((Size) 1024 * 1024)

/* a worker reports its rows to the leader's progress this often */
#define HP_PROGRESS_ROWS	65536

/*
 * What a worker needs to join like the leader: the view's parameters (as
 * PitViewCreate takes them), the entity rows' layout, the direct scan's.
 * Variable parts follow the struct, at the offsets given.
 */
typedef struct HistParallelShared
{
	Oid			relid;
	int			natts;			/* of the table's tuples the scan reads */
	int			nkeys;
	int			nfeatures;
	int			ts_attno;
	int64		ttl_usec;
	bool		filter_by_created;
	bool		has_as_of;
	int64		as_of;
	pg_atomic_uint64 rows_read; /* by the workers, for the leader's progress */
	Size		key_attnos_off; /* int[nkeys] */
	Size		keyops_off;		/* PitKeyOps[nkeys] */
	Size		attmap_off;		/* int[2 + nkeys + nfeatures] */
	Size		entity_desc_off;
	Size		feature_desc_off;
} HistParallelShared;

#define HP_AT(shared, off)	((void *) ((char *) (shared) + (off)))

PGDLLEXPORT void ofs_historical_parallel_main(dsm_segment *seg, shm_toc *toc);

static int	hp_workers(Relation rel, PitView *pv, const HistView *hv,
					   const HistSourceReceiver *sr, Size index_bytes);
static bool hp_parallel_safe(const HistView *hv, int nkeys);
static void hp_scan(Relation rel, ParallelTableScanDesc pscan,
					HistSourceReceiver *sr, pg_atomic_uint64 *rows_read,
					ProgressState *progress);
static void hp_send(void *arg, const char *data, Size len);

/* Is every function a worker calls for the view's keys parallel safe? */
static bool
hp_parallel_safe(const HistView *hv, int nkeys)
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

/*
 * How many workers to launch for a scan of rel: as the planner would for a
 * Parallel Seq Scan (one at min_parallel_table_scan_size, one more each
 * time the table triples, up to max_parallel_workers_per_gather), as many
 * as offline_store.max_memory holds beside the leader's engine (each needs
 * at most as much) and the shared index; 0 when none.
 */
static int
hp_workers(Relation rel, PitView *pv, const HistView *hv, const HistSourceReceiver *sr,
		   Size index_bytes)
{
	BlockNumber pages;
	BlockNumber threshold = Max(min_parallel_table_scan_size, 1);
	int			nworkers = 0;
	double		budget = (double) PitSpillBudget();

	if (max_parallel_workers_per_gather <= 0 || sr->engine_bytes == 0 ||
		IsInParallelMode() || PitViewHasAggregations(pv) ||
		!hp_parallel_safe(hv, sr->nkeys))
		return 0;
	pages = RelationGetNumberOfBlocks(rel);
	if (pages < (BlockNumber) min_parallel_table_scan_size)
		return 0;
	while (pages >= threshold && nworkers < max_parallel_workers_per_gather)
	{
		nworkers++;
		if (threshold > MaxBlockNumber / 3)
			break;
		threshold *= 3;
	}
	while (nworkers > 0 &&
		   (double) sr->engine_bytes * (nworkers + 1) + (double) index_bytes > budget)
		nworkers--;
	return nworkers;
}

/* Read the blocks the parallel scan hands out into sr. */
static void
hp_scan(Relation rel, ParallelTableScanDesc pscan, HistSourceReceiver *sr,
		pg_atomic_uint64 *rows_read, ProgressState *progress)
{
	TableScanDesc scan = table_beginscan_parallel(rel, pscan);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	uint64		own = 0;

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		(void) sr->pub.receiveSlot(slot, &sr->pub);
		if ((++own % HP_PROGRESS_ROWS) == 0)
		{
			uint64		all = pg_atomic_add_fetch_u64(rows_read, HP_PROGRESS_ROWS);

			if (progress != NULL)
				ProgressUpdate(progress, (int64) all);
		}
	}
	pg_atomic_add_fetch_u64(rows_read, own % HP_PROGRESS_ROWS);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
}

/* PitSendFn of a worker: a message to the leader. */
static void
hp_send(void *arg, const char *data, Size len)
{
	shm_mq_result res = shm_mq_send((shm_mq_handle *) arg, len, data, false, true);

	if (res != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not send candidates to the parallel leader")));
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
	int			nfeatures = sr->nfeatures;
	int			nmap = 2 + nkeys + nfeatures;
	Relation	rel;
	Snapshot	snapshot;
	Size		index_bytes = PitViewIndexSize(pv);
	Size		shared_size;
	Size		pscan_size;
	int			nworkers;
	ParallelContext *pcxt;
	HistParallelShared *shared;
	char	   *index;
	ParallelTableScanDesc pscan;
	char	   *queues;
	shm_mq_handle **mqh;
	int			nlaunched;
	int			remaining;
	ProgressState *own_progress;

	rel = table_open(scan->relid, AccessShareLock);
	nworkers = hp_workers(rel, pv, hv, sr, index_bytes);
	if (nworkers == 0)
	{
		table_close(rel, NoLock);
		return false;
	}
	snapshot = GetActiveSnapshot();

	/* lay out the segment */
	shared_size = MAXALIGN(sizeof(HistParallelShared));
	shared_size += MAXALIGN(sizeof(int) * Max(nkeys, 1));
	shared_size += MAXALIGN(sizeof(PitKeyOps) * Max(nkeys, 1));
	shared_size += MAXALIGN(sizeof(int) * nmap);
	shared_size += MAXALIGN(TupleDescSize(plan->stored_desc));
	shared_size += MAXALIGN(TupleDescSize(hv->feature_desc));
	pscan_size = table_parallelscan_estimate(rel, snapshot);

	EnterParallelMode();
	pcxt = CreateParallelContext("offline_store", "ofs_historical_parallel_main", nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
	shm_toc_estimate_chunk(&pcxt->estimator, index_bytes);
	shm_toc_estimate_chunk(&pcxt->estimator, pscan_size);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(HP_QUEUE_SIZE, nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 4);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		/* no dynamic shared memory: one process */
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		table_close(rel, NoLock);
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, shared_size);
	memset(shared, 0, shared_size);
	shared->relid = scan->relid;
	shared->natts = scan->natts;
	shared->nkeys = nkeys;
	shared->nfeatures = nfeatures;
	shared->ts_attno = plan->ts_attno;
	shared->ttl_usec = hv->req->view->ttl_usec;
	shared->filter_by_created = plan->args->filter_by_created && hv->created_col != NULL;
	shared->has_as_of = plan->args->has_as_of;
	shared->as_of = plan->args->as_of;
	pg_atomic_init_u64(&shared->rows_read, 0);
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
	}
	shm_toc_insert(pcxt->toc, HP_KEY_SHARED, shared);

	index = shm_toc_allocate(pcxt->toc, index_bytes);
	PitViewIndexWrite(pv, index);
	shm_toc_insert(pcxt->toc, HP_KEY_INDEX, index);

	pscan = shm_toc_allocate(pcxt->toc, pscan_size);
	table_parallelscan_initialize(rel, pscan, snapshot);
	shm_toc_insert(pcxt->toc, HP_KEY_SCAN, pscan);

	queues = shm_toc_allocate(pcxt->toc, mul_size(HP_QUEUE_SIZE, nworkers));
	for (int i = 0; i < nworkers; i++)
	{
		shm_mq	   *mq = shm_mq_create(queues + (Size) i * HP_QUEUE_SIZE, HP_QUEUE_SIZE);

		shm_mq_set_receiver(mq, MyProc);
	}
	shm_toc_insert(pcxt->toc, HP_KEY_QUEUES, queues);

	LaunchParallelWorkers(pcxt);
	nlaunched = pcxt->nworkers_launched;
	mqh = palloc0(sizeof(shm_mq_handle *) * nworkers);
	for (int i = 0; i < nlaunched; i++)
		mqh[i] = shm_mq_attach((shm_mq *) (queues + (Size) i * HP_QUEUE_SIZE),
							   pcxt->seg, pcxt->worker[i].bgwhandle);
	elog(DEBUG1, "feature view \"%s\": parallel workers: %d planned, %d launched",
		 hv->req->name_to_use, nworkers, nlaunched);

	/* the leader's share: all of it when no worker could start */
	own_progress = sr->progress;
	sr->progress = NULL;		/* hp_scan reports every reader's rows */
	if (nlaunched == 0 || parallel_leader_participation)
		hp_scan(rel, pscan, sr, &shared->rows_read, own_progress);
	sr->progress = own_progress;

	/* then the workers' candidates, as they come */
	remaining = nlaunched;
	while (remaining > 0)
	{
		bool		received = false;

		for (int i = 0; i < nlaunched; i++)
		{
			Size		len;
			void	   *data;
			shm_mq_result res;

			if (mqh[i] == NULL)
				continue;
			res = shm_mq_receive(mqh[i], &len, &data, true);
			if (res == SHM_MQ_SUCCESS)
			{
				PitViewMerge(pv, data, len);
				received = true;
			}
			else if (res == SHM_MQ_DETACHED)
			{
				/* done, or failed: WaitForParallelWorkersToFinish says */
				shm_mq_detach(mqh[i]);
				mqh[i] = NULL;
				remaining--;
			}
		}
		if (!received && remaining > 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L,
							 WAIT_EVENT_MQ_RECEIVE);
			ResetLatch(MyLatch);
		}
		CHECK_FOR_INTERRUPTS();
	}
	WaitForParallelWorkersToFinish(pcxt);
	if (own_progress != NULL)
		ProgressUpdate(own_progress, (int64) pg_atomic_read_u64(&shared->rows_read));
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	pfree(mqh);
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
	HistParallelShared *shared = shm_toc_lookup(toc, HP_KEY_SHARED, false);
	const char *index = shm_toc_lookup(toc, HP_KEY_INDEX, false);
	ParallelTableScanDesc pscan = shm_toc_lookup(toc, HP_KEY_SCAN, false);
	char	   *queues = shm_toc_lookup(toc, HP_KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (queues + (Size) ParallelWorkerNumber * HP_QUEUE_SIZE);
	shm_mq_handle *mqh;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "offline_store parallel worker",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	TupleDesc	entity_desc = HP_AT(shared, shared->entity_desc_off);
	PitEntities *ents;
	HistView	hv;
	HistSourceReceiver sr;
	Relation	rel;

	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);

	ents = PitEntitiesCreate(cxt, entity_desc, shared->ts_attno, entity_desc->natts);
	memset(&hv, 0, sizeof(hv));
	hv.pv = PitViewCreate(ents, shared->nkeys, HP_AT(shared, shared->key_attnos_off),
						  HP_AT(shared, shared->keyops_off), shared->ttl_usec,
						  shared->filter_by_created, shared->nfeatures,
						  HP_AT(shared, shared->feature_desc_off));
	if (shared->has_as_of)
		PitViewSetAsOf(hv.pv, shared->as_of);
	PitViewIndexAttach(hv.pv, index);

	memset(&sr, 0, sizeof(sr));
	HistInitReceiver(&sr.pub, HistSourceReceive);
	sr.hv = &hv;
	sr.nkeys = shared->nkeys;
	sr.nfeatures = shared->nfeatures;
	sr.attmap = HP_AT(shared, shared->attmap_off);
	sr.natts = shared->natts;
	rel = table_open(shared->relid, AccessShareLock);
	hp_scan(rel, pscan, &sr, &shared->rows_read, NULL);
	table_close(rel, NoLock);

	PitViewExport(hv.pv, hp_send, mqh);
	shm_mq_detach(mqh);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
