/*-------------------------------------------------------------------------
 *
 * pit_join.c
 *		The point-in-time join engine.
 *
 * Entity rows are read once and kept in memory as MinimalTuples packed into
 * large blocks. For each requested feature view, PitViewBuild groups the
 * entity rows by their join key values (a hash table on the real datums)
 * and sorts every group by entity time; a group's rows in that order are
 * its "positions". A source key matches a group's as SQL's entity_key =
 * source_key would (PitKeyOps, resolved by keymatch.c): both sides are
 * hashed with the hash functions of the operator's hash operator family,
 * which hash equal values alike across its types, entity keys are grouped
 * with the family's equality of their own type (so a source key equal to a
 * group's key equals every key of the group: one group matches at most),
 * and the probe compares through the operator itself. A key whose operator
 * has no hash family groups entity keys by their image and compares a
 * source row with every group (it may then match several).
 *
 * Result rows own their values: an entity row's values stored out of line
 * (TOAST) are fetched when it is added, and so are a winner's features.
 *
 * The source is then streamed once, unsorted. A source row with (ts,
 * created) is a candidate for an entity row with time t iff ts <= t (and,
 * with filter_by_created_timestamp, created <= t). It is therefore eligible
 * for a suffix of its group's positions: it is registered only at the first
 * position with t >= max(ts[, created]), where it replaces the stored
 * candidate if it beats it (greater ts; on equal ts a greater created, a
 * NULL created losing to any other). A row too old for that first position
 * (ts < t - ttl) is too old for all later ones and is dropped at once.
 * PitViewFinish then sweeps every group in time order carrying the best
 * candidate seen so far; it answers a position iff ts >= t - ttl, because
 * when the best by ts is too old, every other candidate is older still.
 *
 * Cost: O(N log N) to sort the entity rows, O(log n) per source row (one
 * hash probe and a binary search in a group of n rows), O(N) to sweep.
 * Memory is proportional to the entity rows: one stored candidate (its
 * feature values copied) per position, whatever the source's size; once a
 * view is finished, only the values of the candidates that won are kept.
 *
 * The source side is bound by memory latency, not by arithmetic: each
 * source row touches its bucket, its group's times and one position, all at
 * random. So the layout keeps each of those to one cache line (a bucket
 * holds the group's place and, for one fast key, the key itself; a
 * position's record holds its best candidate and that candidate's values),
 * int2/int4/int8 keys (on either side, of the same or different widths:
 * their Datums are sign-extended) are hashed and compared as bits, one integer key
 * whose values are dense (serial ids, say) indexes a direct table of the
 * groups instead of the hash table (8 bytes a key value, no hashing, a
 * table often small enough to stay in cache), a group's times are searched
 * without branches on the data, source rows are processed in batches of
 * PIT_BATCH whose lookups are issued (prefetched) together, stage by stage,
 * and the large arrays are mapped by the engine and ask for transparent
 * huge pages so that the probes do not also miss the TLB (pit_array_alloc).
 *
 * A view may also have windowed aggregations (pit_agg.c): every source row
 * that matches a group is handed to them with the group's positions, and a
 * view that has aggregations but no features skips the join itself.
 * PitViewSetAsOf hides the rows created after a moment from both.
 *
 * Everything lives in one memory context, created by PitEntitiesCreate and
 * deleted by PitEntitiesDestroy. The engine does no SPI and no catalog
 * access beyond the type cache; callers feed it rows.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_join.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/mman.h>

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "pit_agg.h"
#include "pit_join.h"

#define PIT_BLOCK_SIZE		((Size) 1024 * 1024)
/* ALLOCSET_DEFAULT_SIZES, with the multiplications done in Size */
#define PIT_ALLOCSET_SIZES	0, ((Size) 8 * 1024), ((Size) 8 * 1024 * 1024)
#define PIT_HUGE_PAGE		((uintptr_t) 2 * 1024 * 1024)
#define PIT_CACHE_LINE		64

#define PIT_HAS_CANDIDATE	0x01
#define PIT_CREATED_NULL	0x02

struct PitEntities
{
	MemoryContext cxt;
	TupleDesc	desc;
	int			ts_attno;
	int			nresult;		/* columns emitted: the first nresult */

	/* the rows: MinimalTuples packed into blocks */
	char	   *block;
	Size		block_used;
	Size		block_size;
	MinimalTuple *tuples;
	int64	   *ts;
	bool	   *ts_null;
	int64		ntuples;
	int64		maxtuples;

	/* the views, in request order */
	PitView   **views;
	int			nviews;
	int			maxviews;
	int			nfeatures_total;

	/* the arrays the engine mapped itself (pit_array_alloc) */
	struct PitMapping *maps;
	int			nmaps;
	int			maxmaps;
	MemoryContextCallback unmap_callback;
};

/*
 * An array mapped by the engine: addr (aligned to a huge page) lies in the
 * anonymous mapping [base, base + len).
 */
typedef struct PitMapping
{
	char	   *addr;
	char	   *base;
	Size		len;
} PitMapping;

/*
 * A bucket of the hash table on join key values: one per group of entity
 * rows with equal keys, with the group's place in the positions array
 * inline, so that a probe touches one cache line.
 */
typedef struct PitBucket
{
	uint32		hash;
	int32		group;			/* -1: empty */
	int32		start;			/* first position of the group */
	int32		count;			/* its number of positions */
	Datum		key0;			/* the first key, for the fast comparison */
} PitBucket;

/*
 * A group's place in the positions array, in the direct table used instead
 * of the hash table when the keys are dense integers (count 0: no group).
 */
typedef struct PitSlot
{
	int32		start;
	int32		count;
} PitSlot;

/*
 * A position: one entity row of a group, in time order, with the best
 * candidate registered there.
 */
typedef struct PitPos
{
	int64		best_ts;
	int64		best_created;
	uint8		flags;			/* PIT_HAS_CANDIDATE, PIT_CREATED_NULL */
	bool		nulls[FLEXIBLE_ARRAY_MEMBER];	/* of the nfeatures values */
	/* then, at values_off, nfeatures Datums */
} PitPos;

/* Position p's record, its feature values and their null flags. */
#define PIT_POS(view, p)	((PitPos *) ((view)->best + (Size) (p) * (view)->best_stride))
#define PIT_VALUES(view, p) ((Datum *) ((char *) PIT_POS(view, p) + (view)->values_off))
#define PIT_NULLS(view, p)	(PIT_POS(view, p)->nulls)

/*
 * A position's entity time and the ts of its best candidate so far
 * (PG_INT64_MIN: none) are side by side (PitTime, pit_agg.h): the lines a
 * source row's binary search reads also answer the first test, whether it
 * beats that candidate on ts.
 */

/* Source rows are processed in batches, prefetching what they will touch. */
#define PIT_BATCH 32
StaticAssertDecl(PIT_BATCH <= PIT_AGG_MAX_ROWS, "a batch fits the aggregations'");

/* Direct tables at most this many slots per group (8 bytes a slot). */
#define PIT_DENSE_FACTOR 4

struct PitView
{
	PitEntities *ents;
	int			nkeys;
	int		   *key_attnos;
	bool	   *key_fast;		/* int2/int4/int8: hash and compare the bits */
	bool		all_fast;
	bool	   *key_hashable;	/* else entity values are grouped by image */
	bool		linear;			/* a key is not hashable: a source row is
								 * compared with every group, or with sorted */
	bool		sorted;			/* every key sortable: sorted_groups is
								 * searched */
	bool	   *key_sortable;
	FmgrInfo   *ecmp_fn;		/* entity value vs entity value */
	FmgrInfo   *mcmp_fn;		/* entity value vs source value */
	int32	   *sorted_groups;	/* the groups in key order */
	FmgrInfo   *ehash_fn;		/* entity value hash */
	FmgrInfo   *eeq_fn;			/* entity value = entity value */
	FmgrInfo   *shash_fn;		/* source value hash, compatible */
	FmgrInfo   *meq_fn;			/* entity value = source value */
	Oid		   *collations;
	bool	   *key_byval;		/* entity values */
	int16	   *key_len;
	bool	   *src_byval;		/* source values */
	int16	   *src_len;
	int64		ttl;
	bool		filter_by_created;
	bool		has_as_of;		/* only rows created at or before as_of */
	int64		as_of;
	int			nfeatures;
	bool	   *feat_byval;
	int16	   *feat_len;
	bool		any_byref;
	MemoryContext valcxt;		/* copies of by-reference feature values */

	/*
	 * The windowed aggregations (pit_agg.c), or NULL; the point-in-time
	 * join itself is skipped when there are aggregations and no features.
	 */
	PitAggSet  *aggs;
	int			naggs;
	int			maxaggs;
	bool	   *agg_byval;		/* of each aggregation's input values */
	int16	   *agg_len;
	bool		join;
	const int64 *agg_times;		/* the times they search, without the join */

	/* the hash table on join key values, and the groups */
	PitBucket  *buckets;
	uint32		mask;
	int32		ngroups;
	int32		maxgroups;
	int32	   *group_bucket;	/* group -> bucket */
	Datum	   *group_keys;		/* group * nkeys, pointing into tuples */
	int32	   *gstart;			/* group -> first position; [ngroups] = npos */

	/*
	 * One integer key whose values span at most PIT_DENSE_FACTOR times as
	 * many numbers as there are groups (serial ids, say): the groups by key
	 * - dense_min, a probe with no hashing and a small table. NULL
	 * otherwise.
	 */
	PitSlot    *dense;
	int64		dense_min;
	uint64		dense_n;

	/* positions: entity rows of every group, in (group, t) order */
	int32		npos;
	PitTime    *times;			/* entity time of each position, and its
								 * best candidate's ts (a compact copy) */
	int32	   *pos_row;		/* entity row of each position */
	char	   *best;			/* per position: a PitPos record */
	char	   *best_alloc;		/* best before alignment, to free it */
	Size		best_alloc_size;
	Size		best_stride;
	Size		values_off;		/* of the values in a record */

	/*
	 * The answer of each entity row: a position whose candidate won, or -1;
	 * after PitViewFinish, the index of its winner's values in winners.
	 */
	int32	   *answer;

	/* after PitViewFinish: per winner, nfeatures Datums then their nulls */
	char	   *winners;
	Size		winner_stride;

	/* the current batch of source rows */
	int			nbatch;
	MemoryContext batchcxt;
	int64		b_ts[PIT_BATCH];
	int64		b_created[PIT_BATCH];
	bool		b_created_null[PIT_BATCH];
	uint32		b_hash[PIT_BATCH];
	int32		b_bucket[PIT_BATCH];
	Datum	   *b_keys;			/* PIT_BATCH * nkeys */
	Datum	   *b_values;		/* PIT_BATCH * nfeatures */
	bool	   *b_nulls;
	Datum	   *b_agg_values;	/* PIT_BATCH * naggs */
	bool	   *b_agg_nulls;

	Datum	   *keybuf;			/* nkeys, for PitViewEntityHash and friends */
};

static Size PitEntitiesAddData(PitEntities *ents, const char *data, uint32 tlen);

/*
 * The engine's arrays. The large ones are probed at random once per source
 * row, so they should sit on transparent huge pages: with 4kB pages nearly
 * every probe would also miss the TLB. Where the kernel gives huge pages
 * only on request (transparent_hugepage=madvise), an array of at least
 * PIT_MAP_MIN bytes is therefore mapped by the engine itself (anonymous
 * mmap, aligned to a huge page) and advised MADV_HUGEPAGE: advice is given
 * only on memory the engine owns, never on the memory allocator's. A
 * mapping is recorded in ents->maps and unmapped by pit_array_free, or when
 * the engine's context goes away (PitEntitiesDestroy, or an error ending
 * the call: a reset callback of the context). Smaller arrays, and every
 * array where mmap fails, are allocated in the engine's context.
 */
#define PIT_MAP_MIN (PIT_HUGE_PAGE * 2)

/* Unmap every array still mapped (the context's reset callback). */
static void
pit_unmap_all(void *arg)
{
	PitEntities *ents = (PitEntities *) arg;

	for (int i = 0; i < ents->nmaps; i++)
		(void) munmap(ents->maps[i].base, ents->maps[i].len);
	ents->nmaps = 0;
}

#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
/*
 * Ask for huge pages on the whole huge pages of [addr, addr + size): a
 * partial one at the end would make the kernel back it whole.
 */
static void
pit_advise(char *addr, Size size)
{
	uintptr_t	start = TYPEALIGN(PIT_HUGE_PAGE, (uintptr_t) addr);
	uintptr_t	end = TYPEALIGN_DOWN(PIT_HUGE_PAGE, (uintptr_t) addr + size);

	if (end > start)
		(void) madvise((void *) start, end - start, MADV_HUGEPAGE);
}
#endif

static void *
pit_array_alloc(PitEntities *ents, Size size)
{
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
	if (size >= PIT_MAP_MIN)
	{
		Size		len = TYPEALIGN(PIT_HUGE_PAGE, size) + PIT_HUGE_PAGE;
		char	   *base;

		/* room to record it first, so that a mapping is never lost */
		if (ents->nmaps == ents->maxmaps)
		{
			ents->maxmaps = Max(8, ents->maxmaps * 2);
			ents->maps = ents->maps == NULL ?
				MemoryContextAlloc(ents->cxt, sizeof(PitMapping) * ents->maxmaps) :
				repalloc(ents->maps, sizeof(PitMapping) * ents->maxmaps);
		}
		base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base != MAP_FAILED)
		{
			PitMapping *m = &ents->maps[ents->nmaps++];

			m->base = base;
			m->len = len;
			m->addr = (char *) TYPEALIGN(PIT_HUGE_PAGE, base);
			pit_advise(m->addr, size);
			return m->addr;
		}
	}
#endif
	return MemoryContextAllocExtended(ents->cxt, Max(size, 1), MCXT_ALLOC_HUGE);
}

/* The mapping of array p, or -1 if p is in the engine's context. */
static int
pit_array_mapping(PitEntities *ents, void *p)
{
	for (int i = ents->nmaps - 1; i >= 0; i--)
		if (ents->maps[i].addr == p)
			return i;
	return -1;
}

static void
pit_array_free(PitEntities *ents, void *p)
{
	int			i = pit_array_mapping(ents, p);

	if (i < 0)
	{
		pfree(p);
		return;
	}
	(void) munmap(ents->maps[i].base, ents->maps[i].len);
	ents->maps[i] = ents->maps[--ents->nmaps];
}

/*
 * Resize array p from oldsize to newsize bytes, keeping its contents. A
 * mapped array is remapped where the system can (no copy, and never both
 * sizes resident at once, as realloc does for the allocator's large
 * chunks).
 */
static void *
pit_array_realloc(PitEntities *ents, void *p, Size oldsize, Size newsize)
{
	int			i = pit_array_mapping(ents, p);
	void	   *result;

	if (i < 0 && newsize < PIT_MAP_MIN)
		return repalloc_huge(p, Max(newsize, 1));
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS) && defined(MREMAP_MAYMOVE)
	if (i >= 0)
	{
		PitMapping *m = &ents->maps[i];
		Size		offset = m->addr - m->base;
		Size		len = TYPEALIGN(PIT_HUGE_PAGE, offset + Max(newsize, 1));
		char	   *base = mremap(m->base, m->len, len, MREMAP_MAYMOVE);

		if (base != MAP_FAILED)
		{
			m->base = base;
			m->len = len;
			m->addr = base + offset;
			pit_advise(m->addr, newsize);
			return m->addr;
		}
	}
#endif
	result = pit_array_alloc(ents, newsize);
	memcpy(result, p, Min(oldsize, newsize));
	pit_array_free(ents, p);
	return result;
}

/*
 * PitArrayAlloc and PitArrayFree give pit_agg.c the engine's large arrays
 * (pit_array_alloc): not zeroed, freed with the engine at the latest.
 */
void *
PitArrayAlloc(PitEntities *ents, Size size)
{
	return pit_array_alloc(ents, size);
}

/*
 * PitArrayAllocZero is PitArrayAlloc of a zeroed array: a fresh mapping is
 * zeroed by the system already (and not touched here, so its pages are
 * faulted in by their first real use), other memory is cleared.
 */
void *
PitArrayAllocZero(PitEntities *ents, Size size)
{
	int			nmaps = ents->nmaps;
	void	   *p = pit_array_alloc(ents, size);

	if (ents->nmaps == nmaps)
		memset(p, 0, size);
	return p;
}

void
PitArrayFree(PitEntities *ents, void *p)
{
	pit_array_free(ents, p);
}

/* Wrap a stored MinimalTuple as a HeapTuple to read attributes from it. */
static inline void
minimal_as_heap(MinimalTuple mt, HeapTupleData *htup)
{
	htup->t_len = mt->t_len + MINIMAL_TUPLE_OFFSET;
	htup->t_data = (HeapTupleHeader) ((char *) mt - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup->t_self);
	htup->t_tableOid = InvalidOid;
}

/*
 * PitEntitiesCreate makes an empty set of entity rows in a new context under
 * parent. desc is copied.
 */
PitEntities *
PitEntitiesCreate(MemoryContext parent, TupleDesc desc, int ts_attno, int nresult)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "offline_store point-in-time join",
											  PIT_ALLOCSET_SIZES);
	PitEntities *ents = MemoryContextAllocZero(cxt, sizeof(PitEntities));
	MemoryContext old;

	ents->cxt = cxt;
	ents->unmap_callback.func = pit_unmap_all;
	ents->unmap_callback.arg = ents;
	MemoryContextRegisterResetCallback(cxt, &ents->unmap_callback);
	old = MemoryContextSwitchTo(cxt);
	ents->desc = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
	ents->ts_attno = ts_attno;
	ents->nresult = nresult;
	ents->maxtuples = 1024;
	ents->tuples = pit_array_alloc(ents, sizeof(MinimalTuple) * ents->maxtuples);
	ents->ts = pit_array_alloc(ents, sizeof(int64) * ents->maxtuples);
	ents->ts_null = pit_array_alloc(ents, sizeof(bool) * ents->maxtuples);
	ents->maxviews = 4;
	ents->views = MemoryContextAllocZero(cxt, sizeof(PitView *) * ents->maxviews);
	return ents;
}

/*
 * PitEntitiesAdd copies one entity row into the engine and records its
 * timestamp. Returns the bytes the row takes there (its values stored out
 * of line fetched), for the caller's memory budget.
 */
Size
PitEntitiesAdd(PitEntities *ents, MinimalTuple tuple)
{
	return PitEntitiesAddData(ents, (const char *) tuple, tuple->t_len);
}

/*
 * PitEntitiesAddHeap is PitEntitiesAdd for a heap tuple (a scan's tuple in
 * its buffer, say): it is copied once, straight into the engine's blocks.
 */
Size
PitEntitiesAddHeap(PitEntities *ents, HeapTuple tuple)
{
	return PitEntitiesAddData(ents, (const char *) tuple->t_data + MINIMAL_TUPLE_OFFSET,
					   tuple->t_len - MINIMAL_TUPLE_OFFSET);
}

/*
 * PitFlattenMinimal returns a copy of the minimal tuple at data (of desc)
 * whose values stored out of line are fetched into it, palloc'd in the
 * current context.
 */
MinimalTuple
PitFlattenMinimal(TupleDesc desc, const char *data)
{
	HeapTupleData htup;
	Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	MinimalTuple result;
	bool	   *fetched = palloc0(sizeof(bool) * Max(desc->natts, 1));

	minimal_as_heap((MinimalTuple) data, &htup);
	heap_deform_tuple(&htup, desc, values, nulls);
	for (int i = 0; i < desc->natts; i++)
		if (!nulls[i] && TupleDescAttr(desc, i)->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(values[i])))
		{
			values[i] = PointerGetDatum(detoast_external_attr((struct varlena *)
															  DatumGetPointer(values[i])));
			fetched[i] = true;
		}
	result = heap_form_minimal_tuple(desc, values, nulls);
	for (int i = 0; i < desc->natts; i++)
		if (fetched[i])
			pfree(DatumGetPointer(values[i]));
	pfree(values);
	pfree(nulls);
	pfree(fetched);
	return result;
}

/*
 * Copy a minimal tuple's bytes (data, len) into the engine. A value stored
 * out of line is fetched first: the result rows must not point into the
 * entity_df's storage, which may be gone (truncated, say) before a cursor
 * has read them.
 */
static Size
PitEntitiesAddData(PitEntities *ents, const char *data, uint32 tlen)
{
	Size		len;
	MinimalTuple copy;
	HeapTupleData htup;
	MinimalTuple flat = NULL;
	Datum		t;
	bool		isnull;

	if (((MinimalTuple) data)->t_infomask & HEAP_HASEXTERNAL)
	{
		flat = PitFlattenMinimal(ents->desc, data);
		data = (const char *) flat;
		tlen = flat->t_len;
	}
	len = MAXALIGN(tlen);

	if (ents->ntuples >= ents->maxtuples)
	{
		if (ents->maxtuples >= PG_INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("entity_df has too many rows"),
					 errdetail("At most %d rows can be joined at once.", PG_INT32_MAX / 2)));
		ents->tuples = pit_array_realloc(ents, ents->tuples,
										 sizeof(MinimalTuple) * ents->maxtuples,
										 sizeof(MinimalTuple) * ents->maxtuples * 2);
		ents->ts = pit_array_realloc(ents, ents->ts, sizeof(int64) * ents->maxtuples,
									 sizeof(int64) * ents->maxtuples * 2);
		ents->ts_null = pit_array_realloc(ents, ents->ts_null, sizeof(bool) * ents->maxtuples,
										  sizeof(bool) * ents->maxtuples * 2);
		ents->maxtuples *= 2;
	}

	if (len > PIT_BLOCK_SIZE / 4)
		copy = (MinimalTuple) MemoryContextAlloc(ents->cxt, len);
	else
	{
		if (ents->block == NULL || ents->block_used + len > ents->block_size)
		{
			ents->block = MemoryContextAlloc(ents->cxt, PIT_BLOCK_SIZE);
			ents->block_size = PIT_BLOCK_SIZE;
			ents->block_used = 0;
		}
		copy = (MinimalTuple) (ents->block + ents->block_used);
		ents->block_used += len;
	}
	memcpy(copy, data, tlen);
	copy->t_len = tlen;
	if (flat != NULL)
		pfree(flat);

	minimal_as_heap(copy, &htup);
	t = heap_getattr(&htup, ents->ts_attno + 1, ents->desc, &isnull);
	ents->tuples[ents->ntuples] = copy;
	ents->ts[ents->ntuples] = isnull ? 0 : DatumGetInt64(t);
	ents->ts_null[ents->ntuples] = isnull;
	ents->ntuples++;
	return len;
}

int64
PitEntitiesCount(PitEntities *ents)
{
	return ents->ntuples;
}

/*
 * PitViewCreate registers a feature view with the engine, its keys compared
 * as keyops say (keymatch.c resolved them). Keys with fast_int are hashed
 * and compared as bits, without function calls.
 */
PitView *
PitViewCreate(PitEntities *ents, int nkeys, const int *key_attnos,
			  const PitKeyOps *keyops,
			  int64 ttl_usec, bool filter_by_created,
			  int nfeatures, TupleDesc feature_desc)
{
	MemoryContext old = MemoryContextSwitchTo(ents->cxt);
	PitView    *view = palloc0(sizeof(PitView));
	int			nk = Max(nkeys, 1);
	int			nf = Max(nfeatures, 1);

	view->ents = ents;
	view->nkeys = nkeys;
	view->key_attnos = palloc(sizeof(int) * nk);
	view->key_fast = palloc0(sizeof(bool) * nk);
	view->key_hashable = palloc0(sizeof(bool) * nk);
	view->key_byval = palloc0(sizeof(bool) * nk);
	view->key_len = palloc0(sizeof(int16) * nk);
	view->src_byval = palloc0(sizeof(bool) * nk);
	view->src_len = palloc0(sizeof(int16) * nk);
	view->ehash_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->eeq_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->shash_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->meq_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->key_sortable = palloc0(sizeof(bool) * nk);
	view->ecmp_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->mcmp_fn = palloc0(sizeof(FmgrInfo) * nk);
	view->collations = palloc0(sizeof(Oid) * nk);
	view->all_fast = true;
	for (int k = 0; k < nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(ents->desc, key_attnos[k]);
		const PitKeyOps *ops = &keyops[k];

		view->key_attnos[k] = key_attnos[k];
		view->key_byval[k] = att->attbyval;
		view->key_len[k] = att->attlen;
		view->src_byval[k] = ops->source_byval;
		view->src_len[k] = ops->source_len;
		view->collations[k] = ops->collation;
		if (ops->fast_int)
		{
			Assert(att->attbyval && ops->source_byval);
			view->key_fast[k] = true;
			view->key_hashable[k] = true;
		}
		else
		{
			view->all_fast = false;
			fmgr_info_cxt(ops->match_eq, &view->meq_fn[k], ents->cxt);
			if (ops->hashable)
			{
				view->key_hashable[k] = true;
				fmgr_info_cxt(ops->entity_hash, &view->ehash_fn[k], ents->cxt);
				fmgr_info_cxt(ops->entity_eq, &view->eeq_fn[k], ents->cxt);
				fmgr_info_cxt(ops->source_hash, &view->shash_fn[k], ents->cxt);
			}
			else
				view->linear = true;
			if (ops->sortable)
			{
				view->key_sortable[k] = true;
				fmgr_info_cxt(ops->entity_cmp, &view->ecmp_fn[k], ents->cxt);
				fmgr_info_cxt(ops->match_cmp, &view->mcmp_fn[k], ents->cxt);
			}
		}
		if (!att->attbyval || !ops->source_byval)
			view->any_byref = true;
	}
	if (view->linear)
	{
		view->sorted = true;
		for (int k = 0; k < nkeys; k++)
			if (!view->key_fast[k] && !view->key_sortable[k])
				view->sorted = false;
	}
	view->ttl = ttl_usec;
	view->filter_by_created = filter_by_created;
	view->nfeatures = nfeatures;
	view->feat_byval = palloc(sizeof(bool) * nf);
	view->feat_len = palloc(sizeof(int16) * nf);
	for (int f = 0; f < nfeatures; f++)
	{
		Form_pg_attribute att = TupleDescAttr(feature_desc, f);

		view->feat_byval[f] = att->attbyval;
		view->feat_len[f] = att->attlen;
		if (!att->attbyval)
			view->any_byref = true;
	}
	view->valcxt = AllocSetContextCreate(ents->cxt, "offline_store feature values",
										 PIT_ALLOCSET_SIZES);
	view->batchcxt = AllocSetContextCreate(ents->cxt, "offline_store source batch",
										   PIT_ALLOCSET_SIZES);
	view->b_keys = palloc(sizeof(Datum) * PIT_BATCH * nk);
	view->keybuf = palloc(sizeof(Datum) * nk);
	view->b_values = palloc(sizeof(Datum) * PIT_BATCH * nf);
	view->b_nulls = palloc(sizeof(bool) * PIT_BATCH * nf);

	if (ents->nviews >= ents->maxviews)
	{
		ents->maxviews *= 2;
		ents->views = repalloc(ents->views, sizeof(PitView *) * ents->maxviews);
	}
	ents->views[ents->nviews++] = view;
	ents->nfeatures_total += nfeatures;
	view->join = true;
	MemoryContextSwitchTo(old);
	return view;
}

/*
 * PitViewAddAggregation adds a windowed aggregation to a view, before
 * PitViewBuild: fn (PitAggLookup) over the source values PitViewAddCandidate
 * gives for it, with collation, in windows of window_usec. Its answers are
 * emitted after the view's features, in the order they were added.
 */
void
PitViewAddAggregation(PitView *view, const PitAggFunc *fn, Oid collation,
					  int64 window_usec)
{
	PitEntities *ents = view->ents;
	MemoryContext old = MemoryContextSwitchTo(ents->cxt);

	if (view->aggs == NULL)
	{
		view->aggs = PitAggSetCreate(ents->cxt, ents);
		view->maxaggs = 4;
		view->agg_byval = palloc(sizeof(bool) * view->maxaggs);
		view->agg_len = palloc(sizeof(int16) * view->maxaggs);
	}
	if (view->naggs == view->maxaggs)
	{
		view->maxaggs *= 2;
		view->agg_byval = repalloc(view->agg_byval, sizeof(bool) * view->maxaggs);
		view->agg_len = repalloc(view->agg_len, sizeof(int16) * view->maxaggs);
	}
	PitAggSetAdd(view->aggs, fn, collation, window_usec);
	get_typlenbyval(fn->input_type, &view->agg_len[view->naggs],
					&view->agg_byval[view->naggs]);
	if (!view->agg_byval[view->naggs])
		view->any_byref = true;
	view->naggs++;
	ents->nfeatures_total++;
	MemoryContextSwitchTo(old);
}

/*
 * PitViewSetAsOf makes the view see only the source rows created at or
 * before as_of (a row whose created is NULL counts as created at its
 * timestamp), for its features and its aggregations alike.
 */
void
PitViewSetAsOf(PitView *view, int64 as_of)
{
	view->has_as_of = true;
	view->as_of = as_of;
}

/* A 64-bit finalizer (splitmix64), folded to 32 bits. */
static inline uint32
mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return (uint32) x;
}

/*
 * The hash of an entity row's keys (source false) or a source row's (source
 * true): equal keys hash alike across the two. An entity key without hash
 * support hashes its image (source rows are then not hashed: the view is
 * probed linearly).
 */
static inline uint32
hash_keys(PitView *view, const Datum *keys, bool source)
{
	uint32		h = 0;

	for (int k = 0; k < view->nkeys; k++)
	{
		uint32		kh;

		if (view->key_fast[k])
			kh = mix64((uint64) keys[k]);
		else if (!view->key_hashable[k])
			kh = datum_image_hash(keys[k], view->key_byval[k], view->key_len[k]);
		else
			kh = DatumGetUInt32(FunctionCall1Coll(source ? &view->shash_fn[k] :
												  &view->ehash_fn[k],
												  view->collations[k], keys[k]));
		h = hash_combine(h, kh);
	}
	return h;
}

/*
 * Are entity keys a and b in the same group? With the entity type's own
 * equality (of the operator's hash family), or, without one, when their
 * images are equal: either way a source key equal to one equals the other.
 */
static inline bool
entity_keys_equal(PitView *view, const Datum *a, const Datum *b)
{
	for (int k = 0; k < view->nkeys; k++)
	{
		if (view->key_fast[k])
		{
			if (a[k] != b[k])
				return false;
		}
		else if (!view->key_hashable[k])
		{
			if (!datum_image_eq(a[k], b[k], view->key_byval[k], view->key_len[k]))
				return false;
		}
		else if (!DatumGetBool(FunctionCall2Coll(&view->eeq_fn[k], view->collations[k],
												 a[k], b[k])))
			return false;
	}
	return true;
}

/* Do a group's entity keys equal a source row's (entity_key = source_key)? */
static inline bool
keys_match(PitView *view, const Datum *group, const Datum *source)
{
	for (int k = 0; k < view->nkeys; k++)
	{
		if (view->key_fast[k])
		{
			if (group[k] != source[k])
				return false;
		}
		else if (!DatumGetBool(FunctionCall2Coll(&view->meq_fn[k], view->collations[k],
												 group[k], source[k])))
			return false;
	}
	return true;
}

/*
 * Order of group g's keys against keys: of another group (source false,
 * the entity type's btree order) or of a source row (source true, the
 * cross-type order, 0 iff they match). Lexicographic over the keys.
 */
static inline int
compare_keys(PitView *view, const Datum *group, const Datum *keys, bool source)
{
	for (int k = 0; k < view->nkeys; k++)
	{
		int32		c;

		if (view->key_fast[k])
		{
			int64		a = DatumGetInt64(group[k]);
			int64		b = DatumGetInt64(keys[k]);

			c = (a > b) - (a < b);
		}
		else
			c = DatumGetInt32(FunctionCall2Coll(source ? &view->mcmp_fn[k] : &view->ecmp_fn[k],
												view->collations[k], group[k], keys[k]));
		if (c != 0)
			return c;
	}
	return 0;
}

/* qsort_arg comparator of group numbers, by their keys. */
static int
cmp_groups(const void *a, const void *b, void *arg)
{
	PitView    *view = (PitView *) arg;
	int32		ga = *(const int32 *) a;
	int32		gb = *(const int32 *) b;
	int			c = compare_keys(view, &view->group_keys[(Size) ga * view->nkeys],
								 &view->group_keys[(Size) gb * view->nkeys], false);

	return c != 0 ? c : (ga > gb) - (ga < gb);
}

/*
 * The bucket of the group with these keys (those of an entity row, or with
 * source, of a source row), or -1.
 */
static inline int32
find_bucket(PitView *view, uint32 h, const Datum *keys, bool source)
{
	uint32		b = h & view->mask;

	for (;;)
	{
		PitBucket  *bk = &view->buckets[b];

		if (bk->group < 0)
			return -1;
		if (bk->hash == h)
		{
			const Datum *gkeys = &view->group_keys[(Size) bk->group * view->nkeys];

			if ((view->nkeys == 1 && view->all_fast) ? bk->key0 == keys[0] :
				source ? keys_match(view, gkeys, keys) :
				entity_keys_equal(view, gkeys, keys))
				return (int32) b;
		}
		b = (b + 1) & view->mask;
	}
}

/*
 * The integer value of a key of an int2, int4 or int8 column, entity or
 * source: the Datums of int2 and int4 values are sign-extended, so that the
 * three types' Datums of one number are the same bits.
 */
static inline int64
fast_key_value(PitView *view, Datum d)
{
	return DatumGetInt64(d);
}

/*
 * Index the groups directly by key value when there is one integer key and
 * its values are dense enough (after the groups are laid out).
 */
static void
build_dense(PitView *view)
{
	int64		min = PG_INT64_MAX;
	int64		max = PG_INT64_MIN;
	uint64		span;

	if (view->nkeys != 1 || !view->key_fast[0] || view->ngroups == 0)
		return;
	for (int32 g = 0; g < view->ngroups; g++)
	{
		int64		k = fast_key_value(view, view->group_keys[g]);

		min = Min(min, k);
		max = Max(max, k);
		if ((g & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	span = (uint64) max - (uint64) min;
	if (span >= (uint64) view->ngroups * PIT_DENSE_FACTOR)
		return;
	view->dense_min = min;
	view->dense_n = span + 1;
	view->dense = pit_array_alloc(view->ents, sizeof(PitSlot) * view->dense_n);
	memset(view->dense, 0, sizeof(PitSlot) * view->dense_n);
	for (int32 g = 0; g < view->ngroups; g++)
	{
		PitSlot    *slot = &view->dense[(uint64) fast_key_value(view, view->group_keys[g]) -
										(uint64) min];

		slot->start = view->gstart[g];
		slot->count = view->gstart[g + 1] - view->gstart[g];
	}
	/* probes go to the direct table from now on */
	pit_array_free(view->ents, view->buckets);
	view->buckets = NULL;
}

static void
init_buckets(PitView *view, uint32 nbuckets)
{
	view->buckets = pit_array_alloc(view->ents, sizeof(PitBucket) * nbuckets);
	for (uint32 i = 0; i < nbuckets; i++)
		view->buckets[i].group = -1;
	view->mask = nbuckets - 1;
}

/* Double the hash table. */
static void
grow_buckets(PitView *view)
{
	PitBucket  *old = view->buckets;
	uint32		oldn = view->mask + 1;

	if (oldn >= (1U << 30))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct join key values"),
				 errdetail("At most %u distinct join key values can be joined at once.",
						   1U << 29)));
	init_buckets(view, oldn * 2);
	for (uint32 i = 0; i < oldn; i++)
	{
		uint32		b;

		if (old[i].group < 0)
			continue;
		b = old[i].hash & view->mask;
		while (view->buckets[b].group >= 0)
			b = (b + 1) & view->mask;
		view->buckets[b] = old[i];
		view->group_bucket[old[i].group] = (int32) b;
	}
	pit_array_free(view->ents, old);
}

/* An entity row to sort into its group's positions. */
typedef struct PitSortItem
{
	int64		t;
	int32		row;
} PitSortItem;

/* Order of positions within a group: by entity time, then input order. */
static int
cmp_position(const void *a, const void *b)
{
	const PitSortItem *pa = (const PitSortItem *) a;
	const PitSortItem *pb = (const PitSortItem *) b;

	if (pa->t != pb->t)
		return pa->t < pb->t ? -1 : 1;
	return pa->row < pb->row ? -1 : (pa->row > pb->row ? 1 : 0);
}

/* Lower bound of the window of an entity time t (DT_NOBEGIN: none). */
static inline int64
window_start(int64 t, int64 ttl)
{
	int64		lo;

	/* a bound before the first valid timestamp is no bound */
	if (ttl == 0 || pg_sub_s64_overflow(t, ttl, &lo) || lo < MIN_TIMESTAMP)
		return DT_NOBEGIN;
	/* infinity minus a ttl is still infinity, as in SQL */
	if (t == DT_NOEND)
		return DT_NOEND;
	return lo;
}

/*
 * PitViewReadWindow gives the source time range [*lo, *hi] that entity
 * rows with times in [min_t, max_t] need: the join's windows (no lower
 * bound without a ttl) and the aggregations' (t - w < ts, so ts >= min(t)
 * - w is enough).
 */
void
PitViewReadWindow(PitView *view, int64 min_t, int64 max_t, int64 *lo, int64 *hi)
{
	bool		join = view->nfeatures > 0 || view->naggs == 0;

	*lo = join ? window_start(min_t, view->ttl) : DT_NOEND;
	if (view->naggs > 0)
	{
		int64		alo;

		if (pg_sub_s64_overflow(min_t, PitAggSetMaxWindow(view->aggs), &alo) ||
			alo < MIN_TIMESTAMP)
			alo = DT_NOBEGIN;
		*lo = Min(*lo, alo);
	}
	*hi = max_t;
}

/*
 * One record per position, a cache line when the features fit: a source
 * row that wins there touches nothing else. None has a candidate yet.
 * None without the join: no row ever wins a position (pack_winners).
 */
static void
alloc_best(PitView *view)
{
	view->values_off = MAXALIGN(offsetof(PitPos, nulls) + view->nfeatures * sizeof(bool));
	view->best_stride = MAXALIGN(view->values_off + view->nfeatures * sizeof(Datum));
	if (view->best_stride <= PIT_CACHE_LINE)
		view->best_stride = PIT_CACHE_LINE;
	if (view->join)
	{
		view->best_alloc_size = view->best_stride * Max(view->npos, 1) + PIT_CACHE_LINE;
		view->best_alloc = pit_array_alloc(view->ents, view->best_alloc_size);
		view->best = (char *) TYPEALIGN(PIT_CACHE_LINE, view->best_alloc);
	}
	for (int32 p = 0; p < view->npos; p++)
	{
		if (view->join)
			PIT_POS(view, p)->flags = 0;
		view->times[p].best_ts = PG_INT64_MIN;
	}
}

bool
PitViewBuild(PitView *view, int64 *lo, int64 *hi)
{
	PitEntities *ents = view->ents;
	MemoryContext old = MemoryContextSwitchTo(ents->cxt);
	int32		n = (int32) ents->ntuples;
	int			nk = Max(view->nkeys, 1);
	int32	   *row_group = pit_array_alloc(ents, sizeof(int32) * Max(n, 1));
	int32	   *gcount;
	int32	   *fill;
	Datum	   *keybuf = palloc(sizeof(Datum) * nk);
	int64		min_t = PG_INT64_MAX;
	int64		max_t = PG_INT64_MIN;

	init_buckets(view, 1024);
	view->maxgroups = 512;
	view->group_bucket = pit_array_alloc(ents, sizeof(int32) * view->maxgroups);
	view->group_keys = pit_array_alloc(ents, sizeof(Datum) * (Size) view->maxgroups * nk);
	gcount = pit_array_alloc(ents, sizeof(int32) * view->maxgroups);
	view->ngroups = 0;
	view->npos = 0;

	/* assign every entity row to the group of its key values */
	for (int32 r = 0; r < n; r++)
	{
		int32		g;

		row_group[r] = -1;
		if (ents->ts_null[r])
			continue;
		if (view->nkeys == 0)
		{
			if (view->ngroups == 0)
			{
				view->ngroups = 1;
				gcount[0] = 0;
			}
			g = 0;
		}
		else
		{
			HeapTupleData htup;
			bool		anynull = false;
			uint32		h;
			int32		b;

			minimal_as_heap(ents->tuples[r], &htup);
			for (int k = 0; k < view->nkeys; k++)
			{
				bool		isnull;

				keybuf[k] = heap_getattr(&htup, view->key_attnos[k] + 1,
										 ents->desc, &isnull);
				anynull |= isnull;
			}
			if (anynull)
				continue;		/* a NULL key never matches */
			h = hash_keys(view, keybuf, false);
			b = find_bucket(view, h, keybuf, false);
			if (b >= 0)
				g = view->buckets[b].group;
			else
			{
				if ((uint32) (view->ngroups + 1) * 2 > view->mask + 1)
					grow_buckets(view);
				if (view->ngroups >= view->maxgroups)
				{
					Size		maxgroups = view->maxgroups;

					view->group_bucket = pit_array_realloc(ents, view->group_bucket,
														   sizeof(int32) * maxgroups,
														   sizeof(int32) * maxgroups * 2);
					view->group_keys = pit_array_realloc(ents, view->group_keys,
														 sizeof(Datum) * maxgroups * nk,
														 sizeof(Datum) * maxgroups * 2 * nk);
					gcount = pit_array_realloc(ents, gcount, sizeof(int32) * maxgroups,
											   sizeof(int32) * maxgroups * 2);
					view->maxgroups *= 2;
				}
				g = view->ngroups++;
				memcpy(&view->group_keys[(Size) g * nk], keybuf, sizeof(Datum) * view->nkeys);
				gcount[g] = 0;
				b = (int32) (h & view->mask);
				while (view->buckets[b].group >= 0)
					b = (b + 1) & view->mask;
				view->buckets[b].hash = h;
				view->buckets[b].group = g;
				view->buckets[b].key0 = keybuf[0];
				view->group_bucket[g] = b;
			}
		}
		row_group[r] = g;
		gcount[g]++;
		view->npos++;
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	/* lay the groups out one after the other, each sorted by time */
	view->gstart = pit_array_alloc(ents, sizeof(int32) * (view->ngroups + 1));
	fill = pit_array_alloc(ents, sizeof(int32) * Max(view->ngroups, 1));
	{
		int32		start = 0;

		for (int32 g = 0; g < view->ngroups; g++)
		{
			view->gstart[g] = start;
			fill[g] = start;
			if (view->nkeys > 0)
			{
				view->buckets[view->group_bucket[g]].start = start;
				view->buckets[view->group_bucket[g]].count = gcount[g];
			}
			start += gcount[g];
		}
		view->gstart[view->ngroups] = start;
	}
	build_dense(view);
	if (view->sorted)
	{
		view->sorted_groups = pit_array_alloc(ents, sizeof(int32) * Max(view->ngroups, 1));
		for (int32 g = 0; g < view->ngroups; g++)
			view->sorted_groups[g] = g;
		qsort_arg(view->sorted_groups, view->ngroups, sizeof(int32), cmp_groups, view);
	}
	{
		PitSortItem *items = pit_array_alloc(ents, sizeof(PitSortItem) * Max(view->npos, 1));

		for (int32 r = 0; r < n; r++)
		{
			PitSortItem *it;

			if (row_group[r] < 0)
				continue;
			it = &items[fill[row_group[r]]++];
			it->t = ents->ts[r];
			it->row = r;
			min_t = Min(min_t, it->t);
			max_t = Max(max_t, it->t);
		}
		for (int32 g = 0; g < view->ngroups; g++)
		{
			int32		cnt = view->gstart[g + 1] - view->gstart[g];

			if (cnt > 1)
				qsort(&items[view->gstart[g]], cnt, sizeof(PitSortItem), cmp_position);
			if ((g & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		view->times = pit_array_alloc(ents, sizeof(PitTime) * Max(view->npos, 1));
		view->pos_row = pit_array_alloc(ents, sizeof(int32) * Max(view->npos, 1));
		for (int32 p = 0; p < view->npos; p++)
		{
			view->times[p].t = items[p].t;
			view->pos_row[p] = items[p].row;
		}
		pit_array_free(ents, items);
	}
	pit_array_free(ents, fill);
	pit_array_free(ents, gcount);
	pit_array_free(ents, row_group);

	/* aggregations only: the join has nothing to find */
	view->join = view->nfeatures > 0 || view->naggs == 0;
	alloc_best(view);
	view->answer = pit_array_alloc(ents, sizeof(int32) * Max(n, 1));
	memset(view->answer, 0xff, sizeof(int32) * Max(n, 1));

	if (view->aggs != NULL)
	{
		view->b_agg_values = palloc(sizeof(Datum) * PIT_BATCH * view->naggs);
		view->b_agg_nulls = palloc(sizeof(bool) * PIT_BATCH * view->naggs);
		/* without the join, only the aggregations search the times */
		view->agg_times = PitAggSetBuild(view->aggs, view->times, !view->join,
										 view->npos, n);
	}

	MemoryContextSwitchTo(old);
	if (view->npos == 0)
		return false;

	/* the rows to read */
	PitViewReadWindow(view, min_t, max_t, lo, hi);
	return true;
}

/*
 * Does candidate (ts, created) beat the one stored at a position? Greater
 * ts wins; on equal ts, greater created; a NULL created loses to any other;
 * a full tie keeps the stored one.
 */
static inline bool
beats(const PitPos *pp, int64 ts, bool created_null, int64 created)
{
	if (!(pp->flags & PIT_HAS_CANDIDATE))
		return true;
	if (ts != pp->best_ts)
		return ts > pp->best_ts;
	if (created_null)
		return false;
	if (pp->flags & PIT_CREATED_NULL)
		return true;
	return created > pp->best_created;
}

/*
 * The position where batch row i registers among [start, start + count) of
 * its group: the first one with t >= max(ts[, created]); -1 if none, or if
 * the row is too old for it (and so for all later ones).
 */
static inline int32
find_position(PitView *view, int i, int32 start, int32 count)
{
	int64		ts = view->b_ts[i];
	int64		need = ts;
	const PitTime *base = &view->times[start];
	int32		n = count;
	int32		lo;

	if (view->filter_by_created)
		need = Max(ts, view->b_created[i]);

	/*
	 * Lower bound without branches on the data (a conditional move per
	 * step): the times are random, so a branch would miss half the time.
	 */
	while (n > 1)
	{
		int32		half = n / 2;

		base = base[half - 1].t < need ? base + half : base;
		n -= half;
	}
	lo = (int32) (base - view->times) + (base->t < need);
	if (lo == start + count)
		return -1;				/* later than every entity row */
	if (ts < window_start(view->times[lo].t, view->ttl))
		return -1;				/* too old for this row, so for all later ones */
	return lo;
}

/*
 * Does batch row i beat the candidate at position p? If so, it becomes that
 * candidate (its values are copied by store_values); *had says whether
 * there was one.
 */
static inline bool
take_position(PitView *view, int i, int32 p, bool *had)
{
	int64		ts = view->b_ts[i];
	bool		created_null = view->b_created_null[i];
	int64		created = view->b_created[i];
	PitPos	   *pp = PIT_POS(view, p);

	if (!beats(pp, ts, created_null, created))
		return false;
	*had = (pp->flags & PIT_HAS_CANDIDATE) != 0;
	view->times[p].best_ts = ts;
	pp->best_ts = ts;
	pp->best_created = created_null ? 0 : created;
	pp->flags = PIT_HAS_CANDIDATE | (created_null ? PIT_CREATED_NULL : 0);
	return true;
}

/* Copy batch row i's feature values to position p (replacing any). */
static inline void
store_values(PitView *view, int i, int32 p, bool had)
{
	Datum	   *vals = PIT_VALUES(view, p);
	bool	   *nulls = PIT_NULLS(view, p);
	const Datum *features = &view->b_values[(Size) i * view->nfeatures];
	const bool *feature_nulls = &view->b_nulls[(Size) i * view->nfeatures];

	for (int f = 0; f < view->nfeatures; f++)
	{
		if (view->feat_byval[f])
			vals[f] = features[f];
		else
		{
			MemoryContext old;

			if (had && !nulls[f])
				pfree(DatumGetPointer(vals[f]));
			old = MemoryContextSwitchTo(view->valcxt);
			if (feature_nulls[f])
				vals[f] = (Datum) 0;
			else if (view->feat_len[f] == -1 &&
					 VARATT_IS_EXTERNAL(DatumGetPointer(features[f])))
				vals[f] = PointerGetDatum(detoast_external_attr((struct varlena *)
																DatumGetPointer(features[f])));
			else
				vals[f] = datumCopy(features[f], false, view->feat_len[f]);
			MemoryContextSwitchTo(old);
		}
		nulls[f] = feature_nulls[f];
	}
}

#if defined(__GNUC__) || defined(__clang__)
#define pit_prefetch(p) __builtin_prefetch(p)
#else
#define pit_prefetch(p) ((void) 0)
#endif

/*
 * Prefetch a group's times: its first few cache lines and its last (of the
 * aggregations' copy when they are the only ones to search them).
 */
static inline void
prefetch_times(PitView *view, int32 start, int32 count)
{
	const char *first = view->join ? (const char *) &view->times[start] :
		(const char *) &view->agg_times[start];
	const char *last = view->join ? (const char *) &view->times[start + count - 1] :
		(const char *) &view->agg_times[start + count - 1];

	for (int line = 0; line < 4 && first <= last; line++, first += PIT_CACHE_LINE)
		pit_prefetch(first);
	pit_prefetch(last);
}

/*
 * Batch row i as a row of the aggregations of the group of count positions
 * at start.
 */
static inline void
aggregation_row(PitView *view, int i, int32 start, int32 count, PitAggRow *row)
{
	int64		ts = view->b_ts[i];

	row->start = start;
	row->count = count;
	row->ts = ts;
	row->need = view->filter_by_created ? Max(ts, view->b_created[i]) : ts;
	row->values = &view->b_agg_values[(Size) i * view->naggs];
	row->nulls = &view->b_agg_nulls[(Size) i * view->naggs];
}

/* Register batch row i in group g, as process_batch would. */
static inline void
register_in_group(PitView *view, int i, int32 g)
{
	int32		start = view->gstart[g];
	int32		p;
	bool		had;

	if (view->aggs != NULL)
	{
		PitAggRow	row;

		aggregation_row(view, i, start, view->gstart[g + 1] - start, &row);
		PitAggSetAddRows(view->aggs, 1, &row);
	}
	if (!view->join)
		return;
	p = find_position(view, i, start, view->gstart[g + 1] - start);
	if (p >= 0 && take_position(view, i, p, &had) && view->nfeatures > 0)
		store_values(view, i, p, had);
}

/*
 * Process the batched source rows of a view with a key that has no hash
 * support. Each is registered in every group it matches: the groups of
 * such keys hold entity keys with equal images, so two of them may be equal
 * to one source key. When every key has a btree order, the groups sorted
 * by key are searched (O(log groups) per source row, those equal to the
 * source key being adjacent); otherwise each source row is compared with
 * every group through the operator (O(groups) per source row), a last
 * resort for types whose equality has neither a hash nor a btree operator
 * family.
 */
/* The batch is done: its rows' copies go. */
static void
end_batch(PitView *view)
{
	view->nbatch = 0;
	if (view->any_byref)
		MemoryContextReset(view->batchcxt);
	if (view->aggs != NULL)
		PitAggSetEndBatch(view->aggs);
}

static void
process_batch_linear(PitView *view)
{
	for (int i = 0; i < view->nbatch; i++)
	{
		const Datum *keys = &view->b_keys[(Size) i * view->nkeys];

		if (view->sorted)
		{
			int32		lo = 0;
			int32		hi = view->ngroups;

			while (lo < hi)
			{
				int32		mid = lo + (hi - lo) / 2;

				if (compare_keys(view, &view->group_keys[(Size) view->sorted_groups[mid] * view->nkeys],
								 keys, true) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < view->ngroups; lo++)
			{
				int32		g = view->sorted_groups[lo];

				if (compare_keys(view, &view->group_keys[(Size) g * view->nkeys], keys, true) != 0)
					break;
				register_in_group(view, i, g);
			}
		}
		else
		{
			for (int32 g = 0; g < view->ngroups; g++)
				if (keys_match(view, &view->group_keys[(Size) g * view->nkeys], keys))
					register_in_group(view, i, g);
			CHECK_FOR_INTERRUPTS();
		}
	}
	end_batch(view);
}

/*
 * Process the batched source rows in three passes, so that the cache misses
 * of one row (its bucket, then its group's positions) overlap with the
 * others': hash and prefetch the buckets, find the groups and prefetch
 * their positions, register.
 */
static void
process_batch(PitView *view)
{
	int			n = view->nbatch;
	int			nk = view->nkeys;
	int32		b_start[PIT_BATCH];
	int32		b_count[PIT_BATCH];
	int32		b_pos[PIT_BATCH];
	bool		b_had[PIT_BATCH];
	uint64		b_slot[PIT_BATCH];

	if (view->linear)
	{
		process_batch_linear(view);
		return;
	}
	if (view->dense != NULL)
	{
		for (int i = 0; i < n; i++)
		{
			/* keys below dense_min wrap around, past dense_n too */
			b_slot[i] = (uint64) fast_key_value(view, view->b_keys[i]) -
				(uint64) view->dense_min;
			if (b_slot[i] < view->dense_n)
				pit_prefetch(&view->dense[b_slot[i]]);
		}
		for (int i = 0; i < n; i++)
		{
			if (b_slot[i] >= view->dense_n)
			{
				b_count[i] = 0;
				continue;
			}
			b_start[i] = view->dense[b_slot[i]].start;
			b_count[i] = view->dense[b_slot[i]].count;
			if (b_count[i] > 0)
				prefetch_times(view, b_start[i], b_count[i]);
		}
	}
	else if (nk > 0)
	{
		for (int i = 0; i < n; i++)
		{
			uint32		h = hash_keys(view, &view->b_keys[(Size) i * nk], true);

			view->b_hash[i] = h;
			pit_prefetch(&view->buckets[h & view->mask]);
		}
		for (int i = 0; i < n; i++)
		{
			int32		b = find_bucket(view, view->b_hash[i], &view->b_keys[(Size) i * nk], true);

			if (b < 0)
			{
				b_count[i] = 0;
				continue;
			}
			b_start[i] = view->buckets[b].start;
			b_count[i] = view->buckets[b].count;
			prefetch_times(view, b_start[i], b_count[i]);
		}
	}
	else
	{
		for (int i = 0; i < n; i++)
		{
			b_start[i] = 0;
			b_count[i] = view->npos;
		}
	}
	if (view->aggs != NULL)
	{
		PitAggRow	rows[PIT_BATCH];
		int			nrows = 0;

		for (int i = 0; i < n; i++)
			if (b_count[i] > 0)
				aggregation_row(view, i, b_start[i], b_count[i], &rows[nrows++]);
		if (nrows > 0)
			PitAggSetAddRows(view->aggs, nrows, rows);
	}
	if (!view->join)
	{
		end_batch(view);
		return;
	}

	/*
	 * Most rows lose to the candidate already there on ts alone: drop them
	 * without touching its record (the compact copy may lag behind rows of
	 * this batch, which only lets more through to the exact test).
	 */
	for (int i = 0; i < n; i++)
	{
		b_pos[i] = b_count[i] > 0 ? find_position(view, i, b_start[i], b_count[i]) : -1;
		if (b_pos[i] >= 0)
		{
			if (view->b_ts[i] < view->times[b_pos[i]].best_ts)
				b_pos[i] = -1;
			else
				pit_prefetch(PIT_POS(view, b_pos[i]));
		}
	}
	/* decide in batch order (two rows may share a position), then copy */
	for (int i = 0; i < n; i++)
		if (b_pos[i] >= 0 && !take_position(view, i, b_pos[i], &b_had[i]))
			b_pos[i] = -1;
	if (view->nfeatures > 0)
		for (int i = 0; i < n; i++)
			if (b_pos[i] >= 0)
				store_values(view, i, b_pos[i], b_had[i]);
	end_batch(view);
}

void
PitViewAddCandidate(PitView *view, int64 ts, bool created_null, int64 created,
					const Datum *values, const bool *nulls,
					const int *key_cols, const int *feature_cols,
					const int *agg_cols)
{
	int			i;
	int			nk = view->nkeys;
	int			nf = view->nfeatures;
	Datum	   *b_keys;
	Datum	   *b_values;
	bool	   *b_nulls;
	MemoryContext old = NULL;

	if (view->npos == 0)
		return;
	for (int k = 0; k < nk; k++)
		if (nulls[key_cols[k]])
			return;				/* a NULL key never matches */
	if (view->filter_by_created && created_null)
		return;
	/* not known yet as of as_of: a NULL created means created at ts */
	if (view->has_as_of && (created_null ? ts : created) > view->as_of)
		return;

	/* copy the row into the batch (by-reference values into batchcxt) */
	i = view->nbatch;
	view->b_ts[i] = ts;
	view->b_created[i] = created_null ? 0 : created;
	view->b_created_null[i] = created_null;
	b_keys = &view->b_keys[(Size) i * nk];
	b_values = &view->b_values[(Size) i * nf];
	b_nulls = &view->b_nulls[(Size) i * nf];
	if (view->any_byref)
		old = MemoryContextSwitchTo(view->batchcxt);
	for (int k = 0; k < nk; k++)
		b_keys[k] = view->src_byval[k] ? values[key_cols[k]] :
			datumCopy(values[key_cols[k]], false, view->src_len[k]);
	for (int f = 0; f < nf; f++)
	{
		Datum		v = values[feature_cols[f]];
		bool		isnull = nulls[feature_cols[f]];

		b_nulls[f] = isnull;
		b_values[f] = (isnull || view->feat_byval[f]) ? v :
			datumCopy(v, false, view->feat_len[f]);
	}
	for (int a = 0; a < view->naggs; a++)
	{
		Datum		v = values[agg_cols[a]];
		bool		isnull = nulls[agg_cols[a]];

		/* a state may keep the value: never one stored out of line */
		if (!isnull && !view->agg_byval[a])
			v = (view->agg_len[a] == -1 && VARATT_IS_EXTERNAL(DatumGetPointer(v))) ?
				PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(v))) :
				datumCopy(v, false, view->agg_len[a]);
		view->b_agg_nulls[(Size) i * view->naggs + a] = isnull;
		view->b_agg_values[(Size) i * view->naggs + a] = isnull ? (Datum) 0 : v;
	}
	if (view->any_byref)
		MemoryContextSwitchTo(old);
	if (++view->nbatch == PIT_BATCH)
		process_batch(view);
}

/*
 * A view's index as PitViewIndexWrite lays it out: this head, then (each
 * MAXALIGN'd) the buckets (if any), the direct table (if any), gstart,
 * group_keys (a by-reference key as the offset of its bytes in the key
 * area), sorted_groups (if any), the positions' times, and the key area.
 * Nothing in it points into the writer's memory.
 */
typedef struct PitIndexHead
{
	int32		npos;
	int32		ngroups;
	uint32		nbuckets;		/* 0: none */
	bool		has_sorted;
	uint64		dense_n;		/* 0: no direct table */
	int64		dense_min;
	Size		key_bytes;
} PitIndexHead;

/* Walk the layout: the offsets of the parts (what PitViewIndexSize sums). */
typedef struct PitIndexLayout
{
	Size		buckets;
	Size		dense;
	Size		gstart;
	Size		group_keys;
	Size		sorted;
	Size		times;
	Size		keys;
	Size		end;
} PitIndexLayout;

static void
index_layout(const PitIndexHead *head, int nk, PitIndexLayout *l)
{
	Size		off = MAXALIGN(sizeof(PitIndexHead));

	l->buckets = off;
	off += MAXALIGN(sizeof(PitBucket) * (Size) head->nbuckets);
	l->dense = off;
	off += MAXALIGN(sizeof(PitSlot) * (Size) head->dense_n);
	l->gstart = off;
	off += MAXALIGN(sizeof(int32) * ((Size) head->ngroups + 1));
	l->group_keys = off;
	off += MAXALIGN(sizeof(Datum) * (Size) head->ngroups * nk);
	l->sorted = off;
	off += head->has_sorted ? MAXALIGN(sizeof(int32) * (Size) head->ngroups) : 0;
	l->times = off;
	off += MAXALIGN(sizeof(int64) * (Size) head->npos);
	l->keys = off;
	off += MAXALIGN(head->key_bytes);
	l->end = off;
}

static void
index_head(PitView *view, PitIndexHead *head)
{
	memset(head, 0, sizeof(PitIndexHead));
	head->npos = view->npos;
	head->ngroups = view->ngroups;
	head->nbuckets = view->buckets != NULL ? view->mask + 1 : 0;
	head->has_sorted = view->sorted_groups != NULL;
	head->dense_n = view->dense != NULL ? view->dense_n : 0;
	head->dense_min = view->dense_min;
	for (int32 g = 0; g < view->ngroups; g++)
		for (int k = 0; k < view->nkeys; k++)
			if (!view->key_byval[k])
				head->key_bytes += MAXALIGN(datumGetSize(view->group_keys[(Size) g * view->nkeys + k],
														 false, view->key_len[k]));
}

Size
PitViewIndexSize(PitView *view)
{
	PitIndexHead head;
	PitIndexLayout l;

	index_head(view, &head);
	index_layout(&head, view->nkeys, &l);
	return l.end;
}

void
PitViewIndexWrite(PitView *view, char *dst)
{
	PitIndexHead head;
	PitIndexLayout l;
	int			nk = view->nkeys;
	Datum	   *gkeys;
	int64	   *times;
	Size		key_off = 0;

	Assert(view->aggs == NULL && view->times != NULL);
	index_head(view, &head);
	index_layout(&head, nk, &l);
	memcpy(dst, &head, sizeof(head));
	if (head.nbuckets > 0)
	{
		PitBucket  *b = (PitBucket *) (dst + l.buckets);

		memcpy(b, view->buckets, sizeof(PitBucket) * (Size) head.nbuckets);
		/* key0 is compared only for one fast key; else it is a pointer */
		if (!(nk == 1 && view->all_fast))
			for (uint32 i = 0; i < head.nbuckets; i++)
				b[i].key0 = (Datum) 0;
	}
	if (head.dense_n > 0)
		memcpy(dst + l.dense, view->dense, sizeof(PitSlot) * (Size) head.dense_n);
	memcpy(dst + l.gstart, view->gstart, sizeof(int32) * ((Size) head.ngroups + 1));
	gkeys = (Datum *) (dst + l.group_keys);
	for (int32 g = 0; g < view->ngroups; g++)
		for (int k = 0; k < nk; k++)
		{
			Datum		d = view->group_keys[(Size) g * nk + k];

			if (!view->key_byval[k])
			{
				Size		size = datumGetSize(d, false, view->key_len[k]);

				memcpy(dst + l.keys + key_off, DatumGetPointer(d), size);
				d = (Datum) key_off;
				key_off += MAXALIGN(size);
			}
			gkeys[(Size) g * nk + k] = d;
		}
	if (head.has_sorted)
		memcpy(dst + l.sorted, view->sorted_groups, sizeof(int32) * (Size) head.ngroups);
	times = (int64 *) (dst + l.times);
	for (int32 p = 0; p < view->npos; p++)
		times[p] = view->times[p].t;
}

void
PitViewIndexAttach(PitView *view, const char *src)
{
	PitEntities *ents = view->ents;
	PitIndexHead head;
	PitIndexLayout l;
	int			nk = view->nkeys;
	const int64 *times;
	char	   *keys;

	Assert(view->aggs == NULL && view->times == NULL);
	memcpy(&head, src, sizeof(head));
	index_layout(&head, nk, &l);
	view->npos = head.npos;
	view->ngroups = head.ngroups;
	view->maxgroups = head.ngroups;
	if (head.nbuckets > 0)
	{
		view->buckets = pit_array_alloc(ents, sizeof(PitBucket) * (Size) head.nbuckets);
		memcpy(view->buckets, src + l.buckets, sizeof(PitBucket) * (Size) head.nbuckets);
		view->mask = head.nbuckets - 1;
	}
	if (head.dense_n > 0)
	{
		view->dense_n = head.dense_n;
		view->dense_min = head.dense_min;
		view->dense = pit_array_alloc(ents, sizeof(PitSlot) * (Size) head.dense_n);
		memcpy(view->dense, src + l.dense, sizeof(PitSlot) * (Size) head.dense_n);
	}
	view->gstart = pit_array_alloc(ents, sizeof(int32) * ((Size) head.ngroups + 1));
	memcpy(view->gstart, src + l.gstart, sizeof(int32) * ((Size) head.ngroups + 1));
	keys = MemoryContextAlloc(ents->cxt, Max(head.key_bytes, 1));
	memcpy(keys, src + l.keys, head.key_bytes);
	view->group_keys = pit_array_alloc(ents, sizeof(Datum) * Max((Size) head.ngroups * nk, 1));
	memcpy(view->group_keys, src + l.group_keys, sizeof(Datum) * (Size) head.ngroups * nk);
	for (int32 g = 0; g < head.ngroups; g++)
		for (int k = 0; k < nk; k++)
			if (!view->key_byval[k])
				view->group_keys[(Size) g * nk + k] =
					PointerGetDatum(keys + (Size) view->group_keys[(Size) g * nk + k]);
	view->group_bucket = NULL;
	if (head.has_sorted)
	{
		view->sorted_groups = pit_array_alloc(ents, sizeof(int32) * Max(head.ngroups, 1));
		memcpy(view->sorted_groups, src + l.sorted, sizeof(int32) * (Size) head.ngroups);
	}
	view->times = pit_array_alloc(ents, sizeof(PitTime) * Max(view->npos, 1));
	times = (const int64 *) (src + l.times);
	for (int32 p = 0; p < view->npos; p++)
		view->times[p].t = times[p];
	view->join = true;
	alloc_best(view);
}

/*
 * A kept candidate as PitViewExport writes it (unaligned, memcpy'd): the
 * head, then the nfeatures null flags, then the by-value features' Datums
 * (NULLs as 0), then each non-NULL by-reference feature as its size
 * (uint32) and bytes. Every message starts with the view's npos, which the
 * merging view checks: both were built from the same entity rows, so their
 * positions are the same.
 */
typedef struct PitExportHead
{
	int32		pos;
	uint8		flags;
	int64		best_ts;
	int64		best_created;
} PitExportHead;

#define PIT_EXPORT_CHUNK	((Size) 64 * 1024)

void
PitViewExport(PitView *view, PitSendFn send, void *arg)
{
	int			nf = view->nfeatures;
	int			nbyval = 0;
	Size		fixed;
	StringInfoData buf;

	Assert(view->aggs == NULL && view->join);
	if (view->nbatch > 0)
		process_batch(view);
	for (int f = 0; f < nf; f++)
		nbyval += view->feat_byval[f];
	fixed = sizeof(PitExportHead) + nf + nbyval * sizeof(Datum);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, (const char *) &view->npos, sizeof(int32));
	for (int32 p = 0; p < view->npos; p++)
	{
		PitPos	   *pp = PIT_POS(view, p);
		const Datum *vals = PIT_VALUES(view, p);
		PitExportHead head;
		char	   *w;

		if ((p & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!(pp->flags & PIT_HAS_CANDIDATE))
			continue;
		head.pos = p;
		head.flags = pp->flags;
		head.best_ts = pp->best_ts;
		head.best_created = pp->best_created;
		enlargeStringInfo(&buf, fixed);
		w = buf.data + buf.len;
		memcpy(w, &head, sizeof(head));
		w += sizeof(head);
		memcpy(w, pp->nulls, nf);
		w += nf;
		for (int f = 0; f < nf; f++)
			if (view->feat_byval[f])
			{
				Datum		d = pp->nulls[f] ? (Datum) 0 : vals[f];

				memcpy(w, &d, sizeof(Datum));
				w += sizeof(Datum);
			}
		buf.len += fixed;
		for (int f = 0; f < nf; f++)
			if (!view->feat_byval[f] && !pp->nulls[f])
			{
				uint32		size = (uint32) datumGetSize(vals[f], false, view->feat_len[f]);

				appendBinaryStringInfo(&buf, (const char *) &size, sizeof(size));
				appendBinaryStringInfo(&buf, DatumGetPointer(vals[f]), size);
			}
		if ((Size) buf.len >= PIT_EXPORT_CHUNK)
		{
			send(arg, buf.data, buf.len);
			buf.len = sizeof(int32);
		}
	}
	if ((Size) buf.len > sizeof(int32))
		send(arg, buf.data, buf.len);
	pfree(buf.data);
}

void
PitViewMerge(PitView *view, const char *data, Size len)
{
	const char *end = data + len;
	int			nf = view->nfeatures;
	int32		npos;

	Assert(view->aggs == NULL && view->join);
	if (view->nbatch > 0)
		process_batch(view);	/* the leader's own rows first */
	if (len < sizeof(int32))
		elog(ERROR, "invalid candidates message of %zu bytes", len);
	memcpy(&npos, data, sizeof(int32));
	data += sizeof(int32);
	if (npos != view->npos)
		elog(ERROR, "candidates for %d positions merged into a view of %d", npos, view->npos);
	while (data < end)
	{
		PitExportHead head;
		PitPos	   *pp;
		Datum	   *vals;
		bool	   *nulls;
		const char *in_nulls;
		bool		take;
		bool		had;

		if (end - data < (ptrdiff_t) (sizeof(head) + nf))
			elog(ERROR, "truncated candidates message");
		memcpy(&head, data, sizeof(head));
		data += sizeof(head);
		if (head.pos < 0 || head.pos >= npos)
			elog(ERROR, "candidate for position %d of %d", head.pos, npos);
		pp = PIT_POS(view, head.pos);
		vals = PIT_VALUES(view, head.pos);
		nulls = PIT_NULLS(view, head.pos);
		take = beats(pp, head.best_ts, (head.flags & PIT_CREATED_NULL) != 0,
					 head.best_created);
		had = (pp->flags & PIT_HAS_CANDIDATE) != 0;
		if (take)
		{
			view->times[head.pos].best_ts = head.best_ts;
			pp->best_ts = head.best_ts;
			pp->best_created = head.best_created;
			pp->flags = head.flags;
		}
		in_nulls = data;
		data += nf;
		for (int f = 0; f < nf; f++)
			if (view->feat_byval[f])
			{
				if (take)
				{
					memcpy(&vals[f], data, sizeof(Datum));
					nulls[f] = in_nulls[f];
				}
				data += sizeof(Datum);
			}
		for (int f = 0; f < nf; f++)
		{
			uint32		size = 0;

			if (view->feat_byval[f])
				continue;
			if (!in_nulls[f])
			{
				if (end - data < (ptrdiff_t) sizeof(uint32))
					elog(ERROR, "truncated candidates message");
				memcpy(&size, data, sizeof(uint32));
				data += sizeof(uint32);
				if (end - data < (ptrdiff_t) size)
					elog(ERROR, "truncated candidates message");
			}
			if (take)
			{
				if (had && !nulls[f])
					pfree(DatumGetPointer(vals[f]));
				vals[f] = (Datum) 0;
				if (!in_nulls[f])
				{
					char	   *copy = MemoryContextAlloc(view->valcxt, size);

					memcpy(copy, data, size);
					vals[f] = PointerGetDatum(copy);
				}
				nulls[f] = in_nulls[f];
			}
			data += size;
		}
	}
	if (data != end)
		elog(ERROR, "truncated candidates message");
}

/* Does a view have windowed aggregations? */
bool
PitViewHasAggregations(PitView *view)
{
	return view->naggs > 0;
}

/*
 * Keep only the values of the records that answer some entity row: packed
 * in place, in position order and without their headers, and the array
 * shrunk to them. Without the join there are no records, and no winners.
 */
static void
pack_winners(PitView *view)
{
	int32		n = (int32) view->ents->ntuples;
	int			nf = view->nfeatures;
	int32	   *winner;
	int32		nwinners = 0;
	Size		offset;
	char	   *scratch;

	if (view->best == NULL)
	{
		Assert(!view->join && nf == 0);
		view->winners = NULL;
		view->winner_stride = 0;
		return;
	}
	winner = pit_array_alloc(view->ents, sizeof(int32) * Max(view->npos, 1));
	offset = view->best - view->best_alloc;
	memset(winner, 0, sizeof(int32) * Max(view->npos, 1));
	for (int32 r = 0; r < n; r++)
		if (view->answer[r] >= 0)
			winner[view->answer[r]] = 1;
	view->winner_stride = MAXALIGN(nf * (sizeof(Datum) + sizeof(bool)));
	Assert(view->winner_stride <= view->best_stride);
	scratch = palloc(view->winner_stride);
	for (int32 p = 0; p < view->npos; p++)
	{
		char	   *w;

		if (!winner[p])
			continue;

		/*
		 * Winner k goes where records k and up were, never past record p:
		 * only p itself can be overwritten, so it is staged first.
		 */
		memcpy(scratch, PIT_VALUES(view, p), nf * sizeof(Datum));
		memcpy(scratch + nf * sizeof(Datum), PIT_NULLS(view, p), nf * sizeof(bool));
		w = view->best + (Size) nwinners * view->winner_stride;
		memcpy(w, scratch, nf * (sizeof(Datum) + sizeof(bool)));
		winner[p] = nwinners++;
	}
	for (int32 r = 0; r < n; r++)
		if (view->answer[r] >= 0)
			view->answer[r] = winner[view->answer[r]];
	pit_array_free(view->ents, winner);
	pfree(scratch);
	view->best_alloc = pit_array_realloc(view->ents, view->best_alloc, view->best_alloc_size,
										 offset + view->winner_stride * Max(nwinners, 1));
	view->best_alloc_size = offset + view->winner_stride * Max(nwinners, 1);
	view->winners = view->best_alloc + offset;
	view->best = NULL;
}

void
PitViewFinish(PitView *view)
{
	if (view->nbatch > 0)
		process_batch(view);
	if (view->aggs != NULL)
		PitAggSetFinish(view->aggs, view->gstart, view->ngroups, view->pos_row);
	for (int32 g = 0; view->join && g < view->ngroups; g++)
	{
		int32		run = -1;

		for (int32 p = view->gstart[g]; p < view->gstart[g + 1]; p++)
		{
			PitPos	   *pp = PIT_POS(view, p);

			if ((pp->flags & PIT_HAS_CANDIDATE) &&
				(run < 0 ||
				 beats(PIT_POS(view, run), pp->best_ts,
					   (pp->flags & PIT_CREATED_NULL) != 0, pp->best_created)))
				run = p;
			if (run >= 0 &&
				PIT_POS(view, run)->best_ts >= window_start(view->times[p].t, view->ttl))
				view->answer[view->pos_row[p]] = run;
		}
		if ((g & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	/*
	 * Only the answers and the winners' values are needed from now on: give
	 * the rest back before the next view is built.
	 */
	if (view->buckets != NULL)
		pit_array_free(view->ents, view->buckets);
	if (view->dense != NULL)
		pit_array_free(view->ents, view->dense);
	if (view->sorted_groups != NULL)
		pit_array_free(view->ents, view->sorted_groups);
	view->sorted_groups = NULL;
	pit_array_free(view->ents, view->group_bucket);
	pit_array_free(view->ents, view->group_keys);
	pit_array_free(view->ents, view->gstart);
	pit_array_free(view->ents, view->times);
	pit_array_free(view->ents, view->pos_row);
	view->buckets = NULL;
	view->dense = NULL;
	view->group_bucket = NULL;
	view->group_keys = NULL;
	view->gstart = NULL;
	view->times = NULL;
	view->pos_row = NULL;
	pack_winners(view);
}

void
PitEntitiesEmit(PitEntities *ents, PitEmitFn emit, void *arg)
{
	int			natts = ents->desc->natts;
	int			total = ents->nresult + ents->nfeatures_total;
	Datum	   *values = palloc(sizeof(Datum) * Max(Max(total, natts), 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(Max(total, natts), 1));

	for (int64 r = 0; r < ents->ntuples; r++)
	{
		HeapTupleData htup;
		int			i = ents->nresult;	/* features replace the other columns */

		/* the winners' values are scattered: fetch a few rows ahead */
		if (r + 8 < ents->ntuples)
			for (int v = 0; v < ents->nviews; v++)
			{
				PitView    *view = ents->views[v];
				int32		w = view->answer[r + 8];

				if (w >= 0)
					pit_prefetch(view->winners + (Size) w * view->winner_stride);
			}
		minimal_as_heap(ents->tuples[r], &htup);
		heap_deform_tuple(&htup, ents->desc, values, nulls);
		for (int v = 0; v < ents->nviews; v++)
		{
			PitView    *view = ents->views[v];
			int32		w = view->answer[r];
			const Datum *wvalues = NULL;
			const bool *wnulls = NULL;

			if (w >= 0)
			{
				wvalues = (const Datum *) (view->winners + (Size) w * view->winner_stride);
				wnulls = (const bool *) (wvalues + view->nfeatures);
			}

			for (int f = 0; f < view->nfeatures; f++, i++)
			{
				if (w < 0)
				{
					values[i] = (Datum) 0;
					nulls[i] = true;
				}
				else
				{
					values[i] = wvalues[f];
					nulls[i] = wnulls[f];
				}
			}
			if (view->aggs != NULL)
			{
				PitAggSetResult(view->aggs, (int32) r, &values[i], &nulls[i]);
				i += view->naggs;
			}
		}
		Assert(i == total);
		emit(arg, values, nulls);
		if ((r & 0x3fff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(values);
	pfree(nulls);
}

/*
 * PitEntitiesTuple returns entity row row (0-based, in input order) as
 * stored: the engine's copy, valid until PitEntitiesDestroy.
 */
MinimalTuple
PitEntitiesTuple(PitEntities *ents, int64 row)
{
	Assert(row >= 0 && row < ents->ntuples);
	return ents->tuples[row];
}

/*
 * PitViewPartitionable says whether equal join keys hash alike on both
 * sides (every key fast or hashable), so that the entity rows and the
 * source rows of a view can be partitioned by their keys' hash: not for
 * an entity-less view, nor for a key whose equality has no hash support.
 */
bool
PitViewPartitionable(PitView *view)
{
	return view->nkeys > 0 && !view->linear;
}

/*
 * PitViewEntityHash computes the hash of an entity row's join keys
 * (values/nulls indexed by entity column), the one the view's hash table
 * uses, into *hash; false when a key is NULL (the row matches nothing).
 */
bool
PitViewEntityHash(PitView *view, const Datum *values, const bool *nulls, uint32 *hash)
{
	Datum	   *keys = view->keybuf;

	for (int k = 0; k < view->nkeys; k++)
	{
		if (nulls[view->key_attnos[k]])
			return false;
		keys[k] = values[view->key_attnos[k]];
	}
	*hash = hash_keys(view, keys, false);
	return true;
}

/*
 * PitViewSourceHash computes the hash of a source row's join keys
 * (values[key_cols[k]], as PitViewAddCandidate takes them): equal to that
 * of the entity keys they match when PitViewPartitionable. False when a key
 * is NULL (the row matches nothing).
 */
bool
PitViewSourceHash(PitView *view, const Datum *values, const bool *nulls,
				  const int *key_cols, uint32 *hash)
{
	Datum	   *keys = view->keybuf;

	for (int k = 0; k < view->nkeys; k++)
	{
		if (nulls[key_cols[k]])
			return false;
		keys[k] = values[key_cols[k]];
	}
	*hash = hash_keys(view, keys, true);
	return true;
}

/*
 * PitViewRowBytes estimates the memory the view needs per entity row
 * while it is joined (PitViewBuild to PitViewFinish: the positions, their
 * records and the values of their candidates, the groups as if every key
 * were distinct, the aggregations' nodes and answers), and
 * PitViewAnswerBytes what it keeps per entity row once finished, until the
 * rows are emitted. By-reference values count at their type's average
 * width. PIT_ENTITY_ROW_BYTES is what the engine keeps per entity row
 * beside the row itself.
 */
static Size
feature_value_bytes(PitView *view)
{
	Size		bytes = 0;

	for (int f = 0; f < view->nfeatures; f++)
		if (!view->feat_byval[f])
			bytes += MAXALIGN(view->feat_len[f] > 0 ? view->feat_len[f] : 32) + 16;
	return bytes;
}

Size
PitViewAnswerBytes(PitView *view)
{
	Size		bytes = sizeof(int32);	/* answer */

	bytes += MAXALIGN(view->nfeatures * (sizeof(Datum) + sizeof(bool)));
	bytes += feature_value_bytes(view);
	bytes += (Size) view->naggs * (sizeof(Datum) + sizeof(bool));
	for (int a = 0; a < view->naggs; a++)
		if (!view->agg_byval[a])
			bytes += 48;		/* a by-reference answer, numeric say */
	return bytes;
}

Size
PitViewRowBytes(PitView *view)
{
	Size		stride = MAXALIGN(MAXALIGN(offsetof(PitPos, nulls) + view->nfeatures * sizeof(bool)) +
								  view->nfeatures * sizeof(Datum));
	Size		bytes;

	stride = Max(stride, PIT_CACHE_LINE);
	bytes = sizeof(PitTime) + sizeof(int32) + sizeof(PitSortItem);	/* times, pos_row,
																	 * sort */
	bytes += stride + sizeof(int32);	/* best, answer */
	bytes += feature_value_bytes(view);
	/* a group per row at worst: its bucket (half full), place and keys */
	bytes += 2 * sizeof(PitBucket) + 4 * sizeof(int32) + view->nkeys * sizeof(Datum);
	if (view->naggs > 0)
	{
		bytes += 2 * MAXALIGN(view->naggs * (sizeof(Datum) + sizeof(uint8)));
		bytes += (Size) view->naggs * (sizeof(Datum) + sizeof(bool));
		for (int a = 0; a < view->naggs; a++)
			if (!view->agg_byval[a])
				bytes += 2 * 48;	/* by-reference states */
	}
	return bytes;
}

void
PitEntitiesDestroy(PitEntities *ents)
{
	MemoryContextDelete(ents->cxt);
}
