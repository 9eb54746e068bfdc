/*-------------------------------------------------------------------------
 *
 * materialize_parallel.c
 *		The direct read of a materialization's source, shared among
 *		parallel workers that each keep the winners of the blocks they read.
 *
 * A direct read offers every row of the source table by reference to a
 * per-key table (materialize_table.c) and fetches the winners' rows once
 * it is over. With max_parallel_workers_per_gather > 0 and a source table
 * of at least min_parallel_table_scan_size, MatParallelRead shares the scan
 * among workers (parallel_scan.c): each offers the rows of its blocks to a
 * table of its own, then sends its winners (keys, timestamps, references)
 * to the leader, which offers them to its table as if it had read those
 * rows (MatTableExport, MatTableMerge): the newest per key wins, as in
 * one process. The leader then fetches the winners' rows as before, with
 * the same snapshot.
 *
 * Memory: every process keeps at most its share of offline_store.max_memory
 * (the leader's table ends with every key); past it, the read is done again
 * by value in one process, as it would be without workers. A worker runs
 * the key types' hash and equality functions, which must be parallel safe.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/materialize_parallel.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_proc.h"
#include "port/atomics.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "materialize.h"
#include "parallel_scan.h"

/* What a worker needs to read like the leader; the map and row_desc follow. */
typedef struct MatParallelShared
{
	int			natts;			/* slot columns to deform */
	int			nkeys;
	int64		lo;
	int64		hi;
	Size		budget;			/* each process's share */
	pg_atomic_uint64 delivered; /* the workers' counts */
	pg_atomic_uint64 rows;
	pg_atomic_uint32 overflow;	/* a worker went past its share */
	Size		map_off;		/* int[2 + row_desc->natts] */
	Size		desc_off;
} MatParallelShared;

#define MP_AT(shared, off)	((void *) ((char *) (shared) + (off)))

PGDLLEXPORT void ofs_materialize_parallel_main(dsm_segment *seg, shm_toc *toc);

static bool keys_parallel_safe(TupleDesc row_desc, int nkeys);
static void merge_winners(void *arg, const char *data, Size len);

/* Are the key types' hash and equality functions parallel safe? */
static bool
keys_parallel_safe(TupleDesc row_desc, int nkeys)
{
	for (int k = 0; k < nkeys; k++)
	{
		TypeCacheEntry *tce = lookup_type_cache(TupleDescAttr(row_desc, k)->atttypid,
												TYPECACHE_EQ_OPR_FINFO |
												TYPECACHE_HASH_PROC_FINFO);

		if (!OidIsValid(tce->eq_opr_finfo.fn_oid) ||
			!OidIsValid(tce->hash_proc_finfo.fn_oid) ||
			func_parallel(tce->eq_opr_finfo.fn_oid) != PROPARALLEL_SAFE ||
			func_parallel(tce->hash_proc_finfo.fn_oid) != PROPARALLEL_SAFE)
			return false;
	}
	return true;
}

/* The merge callback of ParallelScanCollect: arg is the leader's receiver. */
static void
merge_winners(void *arg, const char *data, Size len)
{
	MatReceiver *r = (MatReceiver *) arg;

	/*
	 * Past the budget (the whole of it: this table ends with every key),
	 * the read is done again by value: merging more would only grow it.
	 */
	if (r->overflow)
		return;
	MatTableMerge(r->table, data, len);
	if (MatTableEstimate(r->table) > r->budget)
		r->overflow = true;
}

bool
MatParallelRead(MatReceiver *r, const HistScan *scan, Snapshot snapshot)
{
	TupleDesc	row_desc = MatTableRowDesc(r->table);
	int			nmap = 2 + row_desc->natts;
	Relation	rel;
	int			nworkers;
	ParallelScan *ps;
	MatParallelShared *shared;
	void	   *area;
	Size		size;
	Size		budget = r->budget;
	int			nlaunched;
	ProgressState *progress = r->progress;

	if (!keys_parallel_safe(row_desc, r->nkeys))
		return false;
	rel = table_open(scan->relid, AccessShareLock);
	nworkers = ParallelScanWorkers(rel, 0, 0, 0);
	if (nworkers == 0)
	{
		table_close(rel, NoLock);
		return false;
	}
	size = MAXALIGN(sizeof(MatParallelShared)) + MAXALIGN(sizeof(int) * nmap) +
		TupleDescSize(row_desc);
	ps = ParallelScanBegin(rel, snapshot, "ofs_materialize_parallel_main", nworkers,
						   size, &area);
	if (ps == NULL)
	{
		table_close(rel, NoLock);
		return false;
	}
	shared = area;
	memset(shared, 0, sizeof(MatParallelShared));
	shared->natts = r->natts;
	shared->nkeys = r->nkeys;
	shared->lo = r->lo;
	shared->hi = r->hi;
	shared->budget = budget / (nworkers + 1);
	pg_atomic_init_u64(&shared->delivered, 0);
	pg_atomic_init_u64(&shared->rows, 0);
	pg_atomic_init_u32(&shared->overflow, 0);
	shared->map_off = MAXALIGN(sizeof(MatParallelShared));
	memcpy(MP_AT(shared, shared->map_off), r->map, sizeof(int) * nmap);
	shared->desc_off = shared->map_off + MAXALIGN(sizeof(int) * nmap);
	TupleDescCopy(MP_AT(shared, shared->desc_off), row_desc);

	nlaunched = ParallelScanLaunch(ps);
	elog(DEBUG1, "materialization: parallel workers: %d planned, %d launched",
		 nworkers, nlaunched);

	/* the leader's share, within its share of the budget */
	r->budget = nlaunched > 0 ? shared->budget : budget;
	r->progress = NULL;
	ParallelScanLead(ps, &r->pub, progress);
	r->progress = progress;
	r->budget = budget;
	ParallelScanCollect(ps, merge_winners, r);
	r->delivered += (int64) pg_atomic_read_u64(&shared->delivered);
	r->rows += (int64) pg_atomic_read_u64(&shared->rows);
	if (pg_atomic_read_u32(&shared->overflow) != 0)
		r->overflow = true;
	ParallelScanEnd(ps);
	table_close(rel, NoLock);
	return true;
}

/*
 * ofs_materialize_parallel_main: a worker. It offers the rows of the
 * blocks it is handed to a table of its own and sends the winners.
 */
void
ofs_materialize_parallel_main(dsm_segment *seg, shm_toc *toc)
{
	ParallelScanWorker w;
	MatParallelShared *shared = ParallelScanAttach(seg, toc, &w);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "offline_store parallel worker",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	MatReceiver r;

	memset(&r, 0, sizeof(r));
	MatInitReceiver(&r);
	r.table = MatTableCreate(cxt, MP_AT(shared, shared->desc_off), shared->nkeys, true);
	r.map = MP_AT(shared, shared->map_off);
	r.natts = shared->natts;
	r.nkeys = shared->nkeys;
	r.by_reference = true;
	r.lo = shared->lo;
	r.hi = shared->hi;
	r.budget = shared->budget;
	ParallelScanWorkerRead(&w, &r.pub);

	pg_atomic_add_fetch_u64(&shared->delivered, (uint64) r.delivered);
	pg_atomic_add_fetch_u64(&shared->rows, (uint64) r.rows);
	if (r.overflow)
		pg_atomic_write_u32(&shared->overflow, 1);
	else
		MatTableExport(r.table, ParallelScanSend, &w);
	MatTableDestroy(r.table);
	ParallelScanDetach(&w);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
