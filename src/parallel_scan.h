/*-------------------------------------------------------------------------
 *
 * parallel_scan.h
 *		A direct scan shared among parallel workers, each sending its
 *		results to the leader through a message queue (parallel_scan.c).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/parallel_scan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_PARALLEL_SCAN_H
#define OFS_PARALLEL_SCAN_H

#include "access/parallel.h"
#include "access/relscan.h"
#include "storage/shm_mq.h"
#include "tcop/dest.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#include "progress.h"

typedef struct ParallelScan ParallelScan;
typedef struct ParallelScanWorker ParallelScanWorker;

/*
 * ParallelScanWorkers says how many workers a scan of rel warrants, as the
 * planner would for a Parallel Seq Scan (none below
 * min_parallel_table_scan_size, one more each time the table triples, at
 * most max_parallel_workers_per_gather), and as many as
 * offline_store.max_memory holds: the leader's leader_bytes and the
 * segment's shared_bytes, plus worker_bytes per worker. 0: none (also
 * within a parallel operation, and for a temporary table).
 */
extern int	ParallelScanWorkers(Relation rel, double leader_bytes, double worker_bytes,
								double shared_bytes);

/*
 * ParallelScanBegin enters parallel mode and lays out a segment for
 * nworkers workers running function (exported by this library) over a
 * parallel scan of rel with snapshot; *shared receives shared_size bytes of
 * it for the caller to fill before ParallelScanLaunch. NULL (and out of
 * parallel mode again) when there is no dynamic shared memory.
 *
 * ParallelScanLaunch starts the workers and returns how many started.
 * ParallelScanLead reads the leader's share of the blocks into dest (all
 * of them if no worker started, none with parallel_leader_participation
 * off), reporting every reader's rows to progress (if set).
 * ParallelScanCollect passes every worker's messages to merge as they come,
 * then waits for the workers to finish (their errors are raised here).
 * ParallelScanEnd ends it all and leaves parallel mode.
 */
extern ParallelScan *ParallelScanBegin(Relation rel, Snapshot snapshot, const char *function,
									   int nworkers, Size shared_size, void **shared);
extern int	ParallelScanLaunch(ParallelScan *ps);
extern void ParallelScanLead(ParallelScan *ps, DestReceiver *dest, ProgressState *progress);
extern void ParallelScanCollect(ParallelScan *ps,
								void (*merge) (void *arg, const char *data, Size len),
								void *arg);
extern void ParallelScanEnd(ParallelScan *ps);

/*
 * In a worker (function(seg, toc)): ParallelScanAttach returns the
 * caller's shared area and sets up *w; ParallelScanWorkerRead reads the
 * blocks the scan hands this worker into dest; ParallelScanSend (a send
 * callback: arg is w) sends a message to the leader; ParallelScanDetach
 * says the worker is done.
 */
struct ParallelScanWorker
{
	Relation	rel;
	shm_mq_handle *mqh;
	struct ParallelScanShared *ps;
	ParallelTableScanDesc pscan;
};

extern void *ParallelScanAttach(dsm_segment *seg, shm_toc *toc, ParallelScanWorker *w);
extern void ParallelScanWorkerRead(ParallelScanWorker *w, DestReceiver *dest);
extern void ParallelScanSend(void *arg, const char *data, Size len);
extern void ParallelScanDetach(ParallelScanWorker *w);

#endif							/* OFS_PARALLEL_SCAN_H */
