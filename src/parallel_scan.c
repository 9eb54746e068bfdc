/*-------------------------------------------------------------------------
 *
 * parallel_scan.c
 *		A direct scan shared among parallel workers, each sending its
 *		results to the leader through a message queue.
 *
 * Retrieval (historical_parallel.c) and materialization
 * (materialize_parallel.c) both read a source table whole and keep the
 * best rows per entity row or per key: work that splits by blocks, whose
 * partial results merge ("best of"). This is the part they share: a
 * parallel context whose segment holds the caller's shared area, a
 * parallel table scan (the blocks handed out as to a Parallel Seq Scan's
 * workers) and one message queue per worker to the leader. The leader
 * reads its share of the blocks too, then takes the workers' messages as
 * they come.
 *
 * The workers run with the leader's snapshot, user and settings (the
 * parallel context restores them) and read the table without permission
 * checks: the leader has made them (historical_scan.c).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/parallel_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "utils/memutils.h"

#include "parallel_scan.h"
#include "pit_spill.h"

/* the keys of the segment's table of contents */
#define PS_KEY_HEADER		UINT64CONST(0xFEA5700000000001)
#define PS_KEY_CALLER		UINT64CONST(0xFEA5700000000002)
#define PS_KEY_SCAN			UINT64CONST(0xFEA5700000000003)
#define PS_KEY_QUEUES		UINT64CONST(0xFEA5700000000004)

/* each worker's queue to the leader */
#define PS_QUEUE_SIZE		((Size) 1024 * 1024)

/* a reader adds its rows to the shared count this often */
#define PS_PROGRESS_ROWS	65536

typedef struct ParallelScanShared
{
	Oid			relid;
	pg_atomic_uint64 rows_read; /* by every reader, for the progress */
} ParallelScanShared;

struct ParallelScan
{
	ParallelContext *pcxt;
	Relation	rel;
	ParallelScanShared *header;
	ParallelTableScanDesc pscan;
	char	   *queues;
	shm_mq_handle **mqh;
	int			nlaunched;
};

static void scan_blocks(Relation rel, ParallelTableScanDesc pscan, DestReceiver *dest,
						pg_atomic_uint64 *rows_read, ProgressState *progress);

int
ParallelScanWorkers(Relation rel, double leader_bytes, double worker_bytes,
					double shared_bytes)
{
	BlockNumber pages;
	BlockNumber threshold = Max(min_parallel_table_scan_size, 1);
	int			nworkers = 0;
	double		budget = (double) PitSpillBudget();

	/* a temporary table's blocks are in the leader's local buffers only */
	if (max_parallel_workers_per_gather <= 0 || IsInParallelMode() ||
		RelationUsesLocalBuffers(rel))
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
	while (nworkers > 0 && leader_bytes + shared_bytes + worker_bytes * nworkers > budget)
		nworkers--;
	return nworkers;
}

ParallelScan *
ParallelScanBegin(Relation rel, Snapshot snapshot, const char *function, int nworkers,
				  Size shared_size, void **shared)
{
	ParallelScan *ps = palloc0(sizeof(ParallelScan));
	Size		pscan_size = table_parallelscan_estimate(rel, snapshot);
	ParallelContext *pcxt;

	EnterParallelMode();
	pcxt = CreateParallelContext("offline_store", function, nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(ParallelScanShared));
	shm_toc_estimate_chunk(&pcxt->estimator, Max(shared_size, 1));
	shm_toc_estimate_chunk(&pcxt->estimator, pscan_size);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(PS_QUEUE_SIZE, nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 4);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		pfree(ps);
		return NULL;
	}
	ps->pcxt = pcxt;
	ps->rel = rel;

	ps->header = shm_toc_allocate(pcxt->toc, sizeof(ParallelScanShared));
	ps->header->relid = RelationGetRelid(rel);
	pg_atomic_init_u64(&ps->header->rows_read, 0);
	shm_toc_insert(pcxt->toc, PS_KEY_HEADER, ps->header);

	*shared = shm_toc_allocate(pcxt->toc, Max(shared_size, 1));
	shm_toc_insert(pcxt->toc, PS_KEY_CALLER, *shared);

	ps->pscan = shm_toc_allocate(pcxt->toc, pscan_size);
	table_parallelscan_initialize(rel, ps->pscan, snapshot);
	shm_toc_insert(pcxt->toc, PS_KEY_SCAN, ps->pscan);

	ps->queues = shm_toc_allocate(pcxt->toc, mul_size(PS_QUEUE_SIZE, nworkers));
	for (int i = 0; i < nworkers; i++)
		shm_mq_set_receiver(shm_mq_create(ps->queues + (Size) i * PS_QUEUE_SIZE,
										  PS_QUEUE_SIZE), MyProc);
	shm_toc_insert(pcxt->toc, PS_KEY_QUEUES, ps->queues);
	return ps;
}

int
ParallelScanLaunch(ParallelScan *ps)
{
	LaunchParallelWorkers(ps->pcxt);
	ps->nlaunched = ps->pcxt->nworkers_launched;
	ps->mqh = palloc0(sizeof(shm_mq_handle *) * Max(ps->nlaunched, 1));
	for (int i = 0; i < ps->nlaunched; i++)
		ps->mqh[i] = shm_mq_attach((shm_mq *) (ps->queues + (Size) i * PS_QUEUE_SIZE),
								   ps->pcxt->seg, ps->pcxt->worker[i].bgwhandle);
	return ps->nlaunched;
}

/* Read the blocks the parallel scan hands out into dest. */
static void
scan_blocks(Relation rel, ParallelTableScanDesc pscan, DestReceiver *dest,
			pg_atomic_uint64 *rows_read, ProgressState *progress)
{
	TableScanDesc scan = table_beginscan_parallel(rel, pscan);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	uint64		own = 0;

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		(void) dest->receiveSlot(slot, dest);
		if ((++own % PS_PROGRESS_ROWS) == 0)
		{
			uint64		all = pg_atomic_add_fetch_u64(rows_read, PS_PROGRESS_ROWS);

			if (progress != NULL)
				ProgressUpdate(progress, (int64) all);
		}
	}
	pg_atomic_add_fetch_u64(rows_read, own % PS_PROGRESS_ROWS);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
}

void
ParallelScanLead(ParallelScan *ps, DestReceiver *dest, ProgressState *progress)
{
	if (ps->nlaunched == 0 || parallel_leader_participation)
		scan_blocks(ps->rel, ps->pscan, dest, &ps->header->rows_read, progress);
}

void
ParallelScanCollect(ParallelScan *ps, void (*merge) (void *arg, const char *data, Size len),
					void *arg)
{
	int			remaining = ps->nlaunched;

	while (remaining > 0)
	{
		bool		received = false;

		for (int i = 0; i < ps->nlaunched; i++)
		{
			Size		len;
			void	   *data;
			shm_mq_result res;

			if (ps->mqh[i] == NULL)
				continue;
			res = shm_mq_receive(ps->mqh[i], &len, &data, true);
			if (res == SHM_MQ_SUCCESS)
			{
				merge(arg, data, len);
				received = true;
			}
			else if (res == SHM_MQ_DETACHED)
			{
				/* done, or failed: WaitForParallelWorkersToFinish says */
				shm_mq_detach(ps->mqh[i]);
				ps->mqh[i] = NULL;
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
	WaitForParallelWorkersToFinish(ps->pcxt);
}

void
ParallelScanEnd(ParallelScan *ps)
{
	DestroyParallelContext(ps->pcxt);
	ExitParallelMode();
	if (ps->mqh != NULL)
		pfree(ps->mqh);
	pfree(ps);
}

void *
ParallelScanAttach(dsm_segment *seg, shm_toc *toc, ParallelScanWorker *w)
{
	char	   *queues = shm_toc_lookup(toc, PS_KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (queues + (Size) ParallelWorkerNumber * PS_QUEUE_SIZE);

	w->ps = shm_toc_lookup(toc, PS_KEY_HEADER, false);
	shm_mq_set_sender(mq, MyProc);
	w->mqh = shm_mq_attach(mq, seg, NULL);
	w->rel = table_open(w->ps->relid, AccessShareLock);
	w->pscan = shm_toc_lookup(toc, PS_KEY_SCAN, false);
	return shm_toc_lookup(toc, PS_KEY_CALLER, false);
}

void
ParallelScanWorkerRead(ParallelScanWorker *w, DestReceiver *dest)
{
	scan_blocks(w->rel, w->pscan, dest, &w->ps->rows_read, NULL);
}

void
ParallelScanSend(void *arg, const char *data, Size len)
{
	ParallelScanWorker *w = (ParallelScanWorker *) arg;

	if (shm_mq_send(w->mqh, len, data, false, true) != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not send results to the parallel leader")));
}

void
ParallelScanDetach(ParallelScanWorker *w)
{
	table_close(w->rel, NoLock);
	shm_mq_detach(w->mqh);
}
