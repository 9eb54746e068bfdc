/*-------------------------------------------------------------------------
 *
 * pit_join.c
 *		The point-in-time join engine.
 *
 * Entity rows are read once and kept in memory as MinimalTuples packed into
 * large blocks. For each requested feature view, PitViewBuild groups the
 * entity rows by their join key values (a hash table on the real datums,
 * hashed and compared with the key type's own hash and equality support)
 * and sorts every group by entity time; a group's rows in that order are
 * its "positions".
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
 * feature values copied) per position, whatever the source's size.
 *
 * Everything lives in one memory context, created by PitEntitiesCreate and
 * deleted by PitEntitiesDestroy. The engine does no SPI and no catalog
 * access beyond the type cache; callers feed it rows.
 *
 * IDENTIFICATION
 *	  src/pit_join.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "pit_join.h"

#define PIT_BLOCK_SIZE		(1024 * 1024)

#define PIT_HAS_CANDIDATE	0x01
#define PIT_CREATED_NULL	0x02

struct PitEntities
{
	MemoryContext cxt;
	TupleDesc	desc;
	int			ts_attno;

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
};

struct PitView
{
	PitEntities *ents;
	int			nkeys;
	int		   *key_attnos;
	FmgrInfo   *hash_fn;
	FmgrInfo   *eq_fn;
	Oid		   *collations;
	int64		ttl;
	bool		filter_by_created;
	int			nfeatures;
	bool	   *feat_byval;
	int16	   *feat_len;
	MemoryContext valcxt;		/* copies of by-reference feature values */

	/* groups of entity rows with equal keys, and the hash table on them */
	int32		ngroups;
	Datum	   *group_keys;		/* ngroups * nkeys, pointing into tuples */
	uint32	   *group_hash;
	int32	   *group_start;	/* first position of the group */
	int32	   *group_count;
	int32	   *buckets;		/* group index or -1 */
	uint32		mask;

	/* positions: entity rows of every group, in (group, t) order */
	int32		npos;
	int32	   *pos_row;
	int64	   *pos_t;

	/* the best candidate registered at each position */
	int64	   *best_ts;
	int64	   *best_created;
	uint8	   *best_flags;
	Datum	   *best_values;	/* npos * nfeatures */
	bool	   *best_nulls;

	/* the answer of each entity row: a position whose candidate won, or -1 */
	int32	   *answer;
};

static void *
huge_alloc(MemoryContext cxt, Size size)
{
	return MemoryContextAllocExtended(cxt, Max(size, 1), MCXT_ALLOC_HUGE);
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
PitEntitiesCreate(MemoryContext parent, TupleDesc desc, int ts_attno)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "offline_store point-in-time join",
											  ALLOCSET_DEFAULT_SIZES);
	PitEntities *ents = MemoryContextAllocZero(cxt, sizeof(PitEntities));
	MemoryContext old;

	ents->cxt = cxt;
	old = MemoryContextSwitchTo(cxt);
	ents->desc = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
	ents->ts_attno = ts_attno;
	ents->maxtuples = 1024;
	ents->tuples = huge_alloc(cxt, sizeof(MinimalTuple) * ents->maxtuples);
	ents->ts = huge_alloc(cxt, sizeof(int64) * ents->maxtuples);
	ents->ts_null = huge_alloc(cxt, sizeof(bool) * ents->maxtuples);
	ents->maxviews = 4;
	ents->views = MemoryContextAllocZero(cxt, sizeof(PitView *) * ents->maxviews);
	return ents;
}

/*
 * PitEntitiesAdd copies one entity row into the engine and records its
 * timestamp.
 */
void
PitEntitiesAdd(PitEntities *ents, MinimalTuple tuple)
{
	Size		len = MAXALIGN(tuple->t_len);
	MinimalTuple copy;
	HeapTupleData htup;
	Datum		t;
	bool		isnull;

	if (ents->ntuples >= ents->maxtuples)
	{
		if (ents->maxtuples >= PG_INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("entity_df has too many rows"),
					 errdetail("At most %d rows can be joined at once.", PG_INT32_MAX / 2)));
		ents->maxtuples *= 2;
		ents->tuples = repalloc_huge(ents->tuples, sizeof(MinimalTuple) * ents->maxtuples);
		ents->ts = repalloc_huge(ents->ts, sizeof(int64) * ents->maxtuples);
		ents->ts_null = repalloc_huge(ents->ts_null, sizeof(bool) * ents->maxtuples);
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
	memcpy(copy, tuple, tuple->t_len);

	minimal_as_heap(copy, &htup);
	t = heap_getattr(&htup, ents->ts_attno + 1, ents->desc, &isnull);
	ents->tuples[ents->ntuples] = copy;
	ents->ts[ents->ntuples] = isnull ? 0 : DatumGetInt64(t);
	ents->ts_null[ents->ntuples] = isnull;
	ents->ntuples++;
}

int64
PitEntitiesCount(PitEntities *ents)
{
	return ents->ntuples;
}

/*
 * PitViewCreate registers a feature view with the engine. The key columns'
 * types must have hash and equality support (checked here).
 */
PitView *
PitViewCreate(PitEntities *ents, int nkeys, const int *key_attnos,
			  int64 ttl_usec, bool filter_by_created,
			  int nfeatures, TupleDesc feature_desc)
{
	MemoryContext old = MemoryContextSwitchTo(ents->cxt);
	PitView    *view = palloc0(sizeof(PitView));

	view->ents = ents;
	view->nkeys = nkeys;
	view->key_attnos = palloc(sizeof(int) * Max(nkeys, 1));
	view->hash_fn = palloc0(sizeof(FmgrInfo) * Max(nkeys, 1));
	view->eq_fn = palloc0(sizeof(FmgrInfo) * Max(nkeys, 1));
	view->collations = palloc0(sizeof(Oid) * Max(nkeys, 1));
	for (int k = 0; k < nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(ents->desc, key_attnos[k]);
		TypeCacheEntry *tce = lookup_type_cache(att->atttypid,
												TYPECACHE_HASH_PROC_FINFO |
												TYPECACHE_EQ_OPR_FINFO);

		if (!OidIsValid(tce->hash_proc) || !OidIsValid(tce->eq_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("join key column \"%s\" has type %s, which cannot be hashed",
							NameStr(att->attname), format_type_be(att->atttypid)),
					 errhint("Use a join key of a type with a hash operator class.")));
		view->key_attnos[k] = key_attnos[k];
		fmgr_info_cxt(tce->hash_proc_finfo.fn_oid, &view->hash_fn[k], ents->cxt);
		fmgr_info_cxt(tce->eq_opr_finfo.fn_oid, &view->eq_fn[k], ents->cxt);
		view->collations[k] = att->attcollation;
	}
	view->ttl = ttl_usec;
	view->filter_by_created = filter_by_created;
	view->nfeatures = nfeatures;
	view->feat_byval = palloc(sizeof(bool) * Max(nfeatures, 1));
	view->feat_len = palloc(sizeof(int16) * Max(nfeatures, 1));
	for (int f = 0; f < nfeatures; f++)
	{
		Form_pg_attribute att = TupleDescAttr(feature_desc, f);

		view->feat_byval[f] = att->attbyval;
		view->feat_len[f] = att->attlen;
	}
	view->valcxt = AllocSetContextCreate(ents->cxt, "offline_store feature values",
										 ALLOCSET_DEFAULT_SIZES);

	if (ents->nviews >= ents->maxviews)
	{
		ents->maxviews *= 2;
		ents->views = repalloc(ents->views, sizeof(PitView *) * ents->maxviews);
	}
	ents->views[ents->nviews++] = view;
	ents->nfeatures_total += nfeatures;
	MemoryContextSwitchTo(old);
	return view;
}

static inline uint32
hash_keys(PitView *view, const Datum *keys)
{
	uint32		h = 0;

	for (int k = 0; k < view->nkeys; k++)
		h = hash_combine(h, DatumGetUInt32(FunctionCall1Coll(&view->hash_fn[k],
															 view->collations[k],
															 keys[k])));
	return h;
}

static inline bool
keys_equal(PitView *view, const Datum *a, const Datum *b)
{
	for (int k = 0; k < view->nkeys; k++)
		if (!DatumGetBool(FunctionCall2Coll(&view->eq_fn[k], view->collations[k],
											a[k], b[k])))
			return false;
	return true;
}

/* The group with these keys, or -1. */
static inline int32
find_group(PitView *view, uint32 h, const Datum *keys)
{
	uint32		b = h & view->mask;

	for (;;)
	{
		int32		g = view->buckets[b];

		if (g < 0)
			return -1;
		if (view->group_hash[g] == h &&
			keys_equal(view, keys, &view->group_keys[(Size) g * view->nkeys]))
			return g;
		b = (b + 1) & view->mask;
	}
}

/* Order of positions within a group: by entity time, then input order. */
static int
cmp_position(const void *a, const void *b, void *arg)
{
	const int64 *ts = (const int64 *) arg;
	int32		ra = *(const int32 *) a;
	int32		rb = *(const int32 *) b;

	if (ts[ra] != ts[rb])
		return ts[ra] < ts[rb] ? -1 : 1;
	return ra < rb ? -1 : (ra > rb ? 1 : 0);
}

/* Lower bound of the window of an entity time t (DT_NOBEGIN: none). */
static inline int64
window_start(int64 t, int64 ttl)
{
	int64		lo;

	if (ttl == 0 || pg_sub_s64_overflow(t, ttl, &lo))
		return DT_NOBEGIN;
	return lo;
}

bool
PitViewBuild(PitView *view, int64 *lo, int64 *hi)
{
	PitEntities *ents = view->ents;
	MemoryContext old = MemoryContextSwitchTo(ents->cxt);
	int32		n = (int32) ents->ntuples;
	int32	   *row_group = huge_alloc(ents->cxt, sizeof(int32) * Max(n, 1));
	int32		maxgroups = 0;
	uint32		nbuckets = 2;
	Datum	   *keybuf = palloc(sizeof(Datum) * Max(view->nkeys, 1));
	int32	   *fill;
	int64		min_t = PG_INT64_MAX;
	int64		max_t = PG_INT64_MIN;

	if (view->nkeys > 0)
	{
		while (nbuckets < (uint32) n * 2 && nbuckets < (1U << 31))
			nbuckets <<= 1;
		maxgroups = Max(n, 1);
	}
	else
		maxgroups = 1;
	view->mask = nbuckets - 1;
	view->buckets = huge_alloc(ents->cxt, sizeof(int32) * nbuckets);
	memset(view->buckets, 0xff, sizeof(int32) * nbuckets);
	view->group_keys = huge_alloc(ents->cxt, sizeof(Datum) * (Size) maxgroups * Max(view->nkeys, 1));
	view->group_hash = huge_alloc(ents->cxt, sizeof(uint32) * maxgroups);
	view->group_count = huge_alloc(ents->cxt, sizeof(int32) * maxgroups);
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
				view->group_count[0] = 0;
				view->ngroups = 1;
			}
			g = 0;
		}
		else
		{
			HeapTupleData htup;
			bool		anynull = false;
			uint32		h;

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
			h = hash_keys(view, keybuf);
			g = find_group(view, h, keybuf);
			if (g < 0)
			{
				uint32		b = h & view->mask;

				g = view->ngroups++;
				memcpy(&view->group_keys[(Size) g * view->nkeys], keybuf,
					   sizeof(Datum) * view->nkeys);
				view->group_hash[g] = h;
				view->group_count[g] = 0;
				while (view->buckets[b] >= 0)
					b = (b + 1) & view->mask;
				view->buckets[b] = g;
			}
		}
		row_group[r] = g;
		view->group_count[g]++;
		view->npos++;
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	/* lay the groups out one after the other, each sorted by time */
	view->group_start = huge_alloc(ents->cxt, sizeof(int32) * Max(view->ngroups, 1));
	fill = huge_alloc(ents->cxt, sizeof(int32) * Max(view->ngroups, 1));
	{
		int32		start = 0;

		for (int32 g = 0; g < view->ngroups; g++)
		{
			view->group_start[g] = start;
			fill[g] = start;
			start += view->group_count[g];
		}
	}
	view->pos_row = huge_alloc(ents->cxt, sizeof(int32) * Max(view->npos, 1));
	view->pos_t = huge_alloc(ents->cxt, sizeof(int64) * Max(view->npos, 1));
	for (int32 r = 0; r < n; r++)
		if (row_group[r] >= 0)
			view->pos_row[fill[row_group[r]]++] = r;
	for (int32 g = 0; g < view->ngroups; g++)
	{
		if (view->group_count[g] > 1)
			qsort_arg(&view->pos_row[view->group_start[g]], view->group_count[g],
					  sizeof(int32), cmp_position, ents->ts);
		if ((g & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	for (int32 p = 0; p < view->npos; p++)
	{
		int64		t = ents->ts[view->pos_row[p]];

		view->pos_t[p] = t;
		min_t = Min(min_t, t);
		max_t = Max(max_t, t);
	}
	pfree(fill);
	pfree(row_group);

	/* an empty slot per position */
	view->best_ts = huge_alloc(ents->cxt, sizeof(int64) * Max(view->npos, 1));
	view->best_created = huge_alloc(ents->cxt, sizeof(int64) * Max(view->npos, 1));
	view->best_flags = huge_alloc(ents->cxt, sizeof(uint8) * Max(view->npos, 1));
	memset(view->best_flags, 0, sizeof(uint8) * Max(view->npos, 1));
	view->best_values = huge_alloc(ents->cxt, sizeof(Datum) * (Size) Max(view->npos, 1) * Max(view->nfeatures, 1));
	view->best_nulls = huge_alloc(ents->cxt, sizeof(bool) * (Size) Max(view->npos, 1) * Max(view->nfeatures, 1));
	view->answer = huge_alloc(ents->cxt, sizeof(int32) * Max(n, 1));
	memset(view->answer, 0xff, sizeof(int32) * Max(n, 1));

	MemoryContextSwitchTo(old);
	if (view->npos == 0)
		return false;
	*lo = window_start(min_t, view->ttl);
	*hi = max_t;
	return true;
}

/*
 * Does candidate (ts, created) beat the one stored at position p? Greater
 * ts wins; on equal ts, greater created; a NULL created loses to any other;
 * a full tie keeps the stored one.
 */
static inline bool
beats(PitView *view, int32 p, int64 ts, bool created_null, int64 created)
{
	uint8		flags = view->best_flags[p];

	if (!(flags & PIT_HAS_CANDIDATE))
		return true;
	if (ts != view->best_ts[p])
		return ts > view->best_ts[p];
	if (created_null)
		return false;
	if (flags & PIT_CREATED_NULL)
		return true;
	return created > view->best_created[p];
}

void
PitViewAddCandidate(PitView *view, int64 ts, bool created_null, int64 created,
					const Datum *keys, const bool *key_nulls,
					const Datum *features, const bool *feature_nulls)
{
	int32		g;
	int64		need = ts;
	int32		lo,
				hi;
	int32		p;

	if (view->npos == 0)
		return;
	if (view->nkeys == 0)
		g = 0;
	else
	{
		for (int k = 0; k < view->nkeys; k++)
			if (key_nulls[k])
				return;			/* a NULL key never matches */
		g = find_group(view, hash_keys(view, keys), keys);
		if (g < 0)
			return;
	}

	if (view->filter_by_created)
	{
		if (created_null)
			return;
		need = Max(ts, created);
	}

	/* the first position of the group with t >= need */
	lo = view->group_start[g];
	hi = lo + view->group_count[g];
	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (view->pos_t[mid] < need)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == view->group_start[g] + view->group_count[g])
		return;					/* later than every entity row */
	p = lo;
	if (ts < window_start(view->pos_t[p], view->ttl))
		return;					/* too old for this row, so for all later ones */
	if (!beats(view, p, ts, created_null, created))
		return;

	{
		Datum	   *vals = &view->best_values[(Size) p * view->nfeatures];
		bool	   *nulls = &view->best_nulls[(Size) p * view->nfeatures];
		bool		had = (view->best_flags[p] & PIT_HAS_CANDIDATE) != 0;

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
	view->best_ts[p] = ts;
	view->best_created[p] = created_null ? 0 : created;
	view->best_flags[p] = PIT_HAS_CANDIDATE | (created_null ? PIT_CREATED_NULL : 0);
}

void
PitViewFinish(PitView *view)
{
	for (int32 g = 0; g < view->ngroups; g++)
	{
		int32		start = view->group_start[g];
		int32		end = start + view->group_count[g];
		int32		run = -1;

		for (int32 p = start; p < end; p++)
		{
			if ((view->best_flags[p] & PIT_HAS_CANDIDATE) &&
				(run < 0 ||
				 beats(view, run, view->best_ts[p],
					   (view->best_flags[p] & PIT_CREATED_NULL) != 0,
					   view->best_created[p])))
				run = p;
			if (run >= 0 &&
				view->best_ts[run] >= window_start(view->pos_t[p], view->ttl))
				view->answer[view->pos_row[p]] = run;
		}
		if ((g & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

void
PitEntitiesEmit(PitEntities *ents, PitEmitFn emit, void *arg)
{
	int			natts = ents->desc->natts;
	int			total = natts + ents->nfeatures_total;
	Datum	   *values = palloc(sizeof(Datum) * Max(total, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(total, 1));

	for (int64 r = 0; r < ents->ntuples; r++)
	{
		HeapTupleData htup;
		int			i = natts;

		minimal_as_heap(ents->tuples[r], &htup);
		heap_deform_tuple(&htup, ents->desc, values, nulls);
		for (int v = 0; v < ents->nviews; v++)
		{
			PitView    *view = ents->views[v];
			int32		p = view->answer[r];

			for (int f = 0; f < view->nfeatures; f++, i++)
			{
				if (p < 0)
				{
					values[i] = (Datum) 0;
					nulls[i] = true;
				}
				else
				{
					values[i] = view->best_values[(Size) p * view->nfeatures + f];
					nulls[i] = view->best_nulls[(Size) p * view->nfeatures + f];
				}
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

void
PitEntitiesDestroy(PitEntities *ents)
{
	MemoryContextDelete(ents->cxt);
}
