/*-------------------------------------------------------------------------
 *
 * materialize_table.c
 *		The per-key winners of a materialization: the newest source row per
 *		online key, kept in one pass over the source, without sorting it.
 *
 * The table is an open-addressing hash table (linear probing, a power of
 * two slots, grown at 70% full) of entries that hold the key's hash, its
 * first key value (to compare without touching the row), the winner's
 * timestamps and a pointer to the winner's row. A source row costs one
 * hash of its key and one probe; only when it beats the winner are its
 * values copied, into the winner's row allocation when they fit.
 *
 * Rows read directly from a table are offered by reference (their TID):
 * a winner then costs no copy at all, only its reference is kept, and the
 * winners' rows are fetched once every row has been offered, in TID order
 * (MatTableFetchRows). With a key of one integer column, such offers are
 * queued a few at a time and their slots prefetched: the probe of a large
 * table is a cache miss, and the queue lets several be under way at once.
 *
 * Keys are grouped as the online table's primary key groups them: the
 * values are already of the online key's types (the caller converts
 * them), hashed with each type's default hash function and compared with
 * its default equality, with the online column's collation. One key of a
 * signed integer type (smallint, integer, bigint, date, timestamp,
 * timestamptz), whose equality is that of the values as int64, is hashed
 * and compared as an int64 without a function call.
 *
 * The winners are returned in key order (the type's default btree order,
 * with the collation) so that the caller writes the online rows in the
 * order push writes them, and concurrent writers of overlapping keys lock
 * rows in the same order. The scan compacts and sorts the entries array
 * in place: after it starts, the table takes no more offers.
 *
 * Memory: the entries (48 bytes per slot) and one row per key (its values
 * and nulls, and a copy of its by-reference values), in two child
 * contexts of the caller's; nothing per source row. The caller can watch
 * it (MatTableMemory). Beyond a budget (offline_store.max_memory), a
 * table offered rows by value partitions its offers by their key's hash on
 * temporary files, reduces one partition at a time, and returns the
 * winners through a tuplesort, in the same key order (see "Beyond
 * offline_store.max_memory" below).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/materialize_table.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"
#include "utils/tuplesort.h"
#include "utils/typcache.h"

#include "materialize.h"
#include "pit_spill.h"

/* How one key column groups and orders. */
typedef struct MatKeyCol
{
	Oid			type;
	Oid			collation;
	FmgrInfo	hash;			/* the type's default hash function */
	FmgrInfo	eq;				/* and equality */
	bool		sortable;		/* ssup is set */
	SortSupportData ssup;
} MatKeyCol;

/*
 * A winner's row, allocated in one piece: this header, then the values
 * (Datum[natts]) and nulls (bool[natts]), then the by-reference values.
 */
typedef struct MatRow
{
	Size		cap;			/* bytes allocated */
} MatRow;

#define ROW_HEADER MAXALIGN(sizeof(MatRow))
#define ROW_VALUES(row) ((Datum *) ((char *) (row) + ROW_HEADER))
#define ROW_NULLS(t, row) ((bool *) (ROW_VALUES(row) + (t)->natts))

/*
 * A slot of the hash table. row is the winner's row; by reference, it
 * holds only the key (NULL for a fast_int key: key0 is the key), and ref
 * identifies the winner's row until MatTableFetchRows.
 */
typedef struct MatEntry
{
	Datum		key0;			/* the first key value (its row's copy) */
	int64		ts;
	int64		created;
	MatRow	   *row;
	uint64		ref;
	uint32		hash;
	bool		used;
	bool		created_null;
} MatEntry;

/* An offer by reference waiting for its slot (fast_int keys). */
typedef struct MatPending
{
	Datum		key0;
	int64		ts;
	int64		created;
	uint64		ref;
	uint32		hash;
	bool		created_null;
} MatPending;

/* Offers queued before their slots are read (a power of two). */
#define MAT_PENDING 16

#if defined(__GNUC__) || defined(__clang__)
#define mat_prefetch(p) __builtin_prefetch(p)
#else
#define mat_prefetch(p) ((void) 0)
#endif

struct MatTable
{
	MemoryContext cxt;			/* the table, its entries */
	MemoryContext rows_cxt;		/* the winners' rows */
	int			natts;
	int			nkeys;
	MatKeyCol  *keys;
	bool		fast_int;		/* one key, equal iff equal as int64 */
	bool		by_reference;	/* rows offered by reference */
	int16	   *attlen;
	bool	   *attbyval;
	bool		all_byval;		/* rows of one size */
	Size		data_off;		/* where a row's by-reference values start */
	Datum	   *tmp_values;		/* an offered row, by column */
	bool	   *tmp_nulls;
	bool	   *tmp_fetched;	/* tmp_values[i] was fetched: free it */

	MatEntry   *entries;
	uint64		size;			/* slots: a power of two */
	uint64		count;			/* keys */
	uint64		grow_at;

	MatPending	pending[MAT_PENDING];
	uint32		npending;
	uint32		pending_head;

	bool		scanning;		/* compacted and ordered: no more offers */
	uint64		next;			/* the scan's next entry */

	/*
	 * Beyond the budget (MatTableSetBudget), by value only: check_at is the
	 * key count at which the memory is looked at next (UINT64_MAX: never; 0
	 * once spilled, so that every offer goes to the partitions).
	 */
	uint64		check_at;
	Size		budget;			/* 0: none */
	int			level;			/* of partitioning: 0, or a partition's table */
	TupleDesc	row_desc;
	TupleDesc	spill_desc;		/* row_desc's columns, then ts and created */
	bool		spilled;
	int			nparts;
	PitSpillFile **parts;		/* the offers, by their key's hash */
	Datum	   *spill_values;	/* a row of spill_desc */
	bool	   *spill_nulls;
	bool		finished;		/* the partitions were reduced to winners: */
	Tuplesortstate *sort;		/* in key order, or */
	PitSpillFile *out;			/* in any order */
	TupleTableSlot *out_slot;	/* the winner MatTableNext returns */
	uint64		spill_count;	/* winners */
};

static void mat_grow(MatTable *t);
static uint32 mat_hash(MatTable *t, const Datum *values, const int *cols);
static bool mat_equal(MatTable *t, const MatEntry *e, const Datum *values,
					  const int *cols);
static MatEntry *mat_find(MatTable *t, uint32 hash, Datum key0,
						  const Datum *values, const int *cols, bool *found);
static MatRow *mat_store(MatTable *t, MatRow *old, int ncols, const Datum *values,
						 const bool *nulls, const int *cols);
static void mat_flush_pending(MatTable *t);
static void mat_compact(MatTable *t);
static bool mat_spill_check(MatTable *t);
static void mat_spill_write(MatTable *t, uint32 hash, int64 ts, bool created_null,
							int64 created, const Datum *values, const bool *nulls,
							const int *cols);
static void mat_spill_finish(MatTable *t, bool sorted);
static int	mat_compare(const MatEntry *a, const MatEntry *b, MatTable *t);

/* Sort entries by their key, as int64 (fast_int) or through the key columns. */
#define ST_SORT mat_sort_int
#define ST_ELEMENT_TYPE MatEntry
#define ST_COMPARE(a, b) \
	((int64) (a)->key0 < (int64) (b)->key0 ? -1 : (int64) (a)->key0 > (int64) (b)->key0 ? 1 : 0)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT mat_sort_keys
#define ST_ELEMENT_TYPE MatEntry
#define ST_COMPARE(a, b, arg) mat_compare(a, b, arg)
#define ST_COMPARE_ARG_TYPE MatTable
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Sort entries by the reference of their row. */
#define ST_SORT mat_sort_ref
#define ST_ELEMENT_TYPE MatEntry
#define ST_COMPARE(a, b) ((a)->ref < (b)->ref ? -1 : (a)->ref > (b)->ref ? 1 : 0)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* A 64-bit value's hash (the finalizer of MurmurHash3). */
static inline uint32
hash_int64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

/* Types whose default equality is that of their values as int64. */
static bool
is_int64_equality_type(Oid type)
{
	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return true;
		default:
			return false;
	}
}

MatTable *
MatTableCreate(MemoryContext parent, TupleDesc row_desc, int nkeys, bool by_reference)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "offline_store materialize keys",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	MatTable   *t = palloc0(sizeof(MatTable));
	int			natts = row_desc->natts;

	t->cxt = cxt;
	t->rows_cxt = AllocSetContextCreate(cxt, "offline_store materialize rows",
										ALLOCSET_DEFAULT_SIZES);
	t->natts = natts;
	t->nkeys = nkeys;
	t->by_reference = by_reference;
	t->keys = palloc0(sizeof(MatKeyCol) * Max(nkeys, 1));
	t->attlen = palloc(sizeof(int16) * Max(natts, 1));
	t->attbyval = palloc(sizeof(bool) * Max(natts, 1));
	t->tmp_values = palloc0(sizeof(Datum) * Max(natts, 1));
	t->tmp_nulls = palloc0(sizeof(bool) * Max(natts, 1));
	t->tmp_fetched = palloc0(sizeof(bool) * Max(natts, 1));
	t->all_byval = true;
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(row_desc, i);

		t->attlen[i] = att->attlen;
		t->attbyval[i] = att->attbyval;
		if (!att->attbyval)
			t->all_byval = false;
	}
	t->data_off = ROW_HEADER + MAXALIGN(sizeof(Datum) * natts + sizeof(bool) * natts);

	for (int k = 0; k < nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(row_desc, k);
		MatKeyCol  *kc = &t->keys[k];
		TypeCacheEntry *tce = lookup_type_cache(att->atttypid,
												TYPECACHE_EQ_OPR_FINFO |
												TYPECACHE_HASH_PROC_FINFO |
												TYPECACHE_LT_OPR);

		if (!OidIsValid(tce->eq_opr_finfo.fn_oid) ||
			!OidIsValid(tce->hash_proc_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify an equality and hash function for type %s",
							format_type_be(att->atttypid)),
					 errdetail("Materialization groups the source rows by the online table's key.")));
		kc->type = att->atttypid;
		kc->collation = att->attcollation;
		fmgr_info_copy(&kc->hash, &tce->hash_proc_finfo, cxt);
		fmgr_info_copy(&kc->eq, &tce->eq_opr_finfo, cxt);
		if (OidIsValid(tce->lt_opr))
		{
			kc->sortable = true;
			kc->ssup.ssup_cxt = cxt;
			kc->ssup.ssup_collation = att->attcollation;
			kc->ssup.ssup_nulls_first = false;
			PrepareSortSupportFromOrderingOp(tce->lt_opr, &kc->ssup);
		}
	}
	t->fast_int = (nkeys == 1 && is_int64_equality_type(t->keys[0].type));
	t->check_at = PG_UINT64_MAX;
	t->row_desc = CreateTupleDescCopy(row_desc);

	t->size = 1024;
	t->grow_at = t->size * 7 / 10;
	t->entries = MemoryContextAllocHuge(cxt, sizeof(MatEntry) * t->size);
	memset(t->entries, 0, sizeof(MatEntry) * t->size);
	MemoryContextSwitchTo(old);
	return t;
}

/* The hash of an offered row's key. */
static inline uint32
mat_hash(MatTable *t, const Datum *values, const int *cols)
{
	uint32		h = 0;

	if (t->fast_int)
		return hash_int64((uint64) values[cols[0]]);
	for (int k = 0; k < t->nkeys; k++)
	{
		MatKeyCol  *kc = &t->keys[k];
		uint32		kh = DatumGetUInt32(FunctionCall1Coll(&kc->hash, kc->collation,
														  values[cols[k]]));

		h = hash_combine(h, kh);
	}
	return h;
}

/* Is an offered row's key the key of entry e (not fast_int)? */
static inline bool
mat_equal(MatTable *t, const MatEntry *e, const Datum *values, const int *cols)
{
	for (int k = 0; k < t->nkeys; k++)
	{
		MatKeyCol  *kc = &t->keys[k];
		Datum		stored = k == 0 ? e->key0 : ROW_VALUES(e->row)[k];

		if (!DatumGetBool(FunctionCall2Coll(&kc->eq, kc->collation, stored,
											values[cols[k]])))
			return false;
	}
	return true;
}

/*
 * mat_find returns the entry of the key (key0 for a fast_int key, else
 * values[cols[k]]) with hash hash: its slot (*found), or the free slot
 * where it goes, the table grown first if it is full enough.
 */
static inline MatEntry *
mat_find(MatTable *t, uint32 hash, Datum key0, const Datum *values,
		 const int *cols, bool *found)
{
	uint64		mask = t->size - 1;
	uint64		i = hash & mask;

	for (;;)
	{
		MatEntry   *e = &t->entries[i];

		if (!e->used)
			break;
		if (e->hash == hash &&
			(t->fast_int ? e->key0 == key0 : mat_equal(t, e, values, cols)))
		{
			*found = true;
			return e;
		}
		i = (i + 1) & mask;
	}
	*found = false;
	if (t->count >= t->grow_at)
	{
		mat_grow(t);
		mask = t->size - 1;
		i = hash & mask;
		while (t->entries[i].used)
			i = (i + 1) & mask;
	}
	t->count++;
	return &t->entries[i];
}

/* Is (ts, created) newer than entry e's winner? */
static inline bool
mat_newer(const MatEntry *e, int64 ts, bool created_null, int64 created)
{
	if (ts != e->ts)
		return ts > e->ts;
	return !created_null && (e->created_null || created > e->created);
}

/* Double the slots, placing every entry again by its stored hash. */
static void
mat_grow(MatTable *t)
{
	uint64		newsize = t->size * 2;
	uint64		mask = newsize - 1;
	MatEntry   *old = t->entries;
	MatEntry   *entries;

	if (sizeof(MatEntry) * newsize > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct keys to materialize: " UINT64_FORMAT,
						t->count)));
	entries = MemoryContextAllocHuge(t->cxt, sizeof(MatEntry) * newsize);
	memset(entries, 0, sizeof(MatEntry) * newsize);
	for (uint64 i = 0; i < t->size; i++)
	{
		uint64		j;

		if (!old[i].used)
			continue;
		j = old[i].hash & mask;
		while (entries[j].used)
			j = (j + 1) & mask;
		entries[j] = old[i];
	}
	pfree(old);
	t->entries = entries;
	t->size = newsize;
	t->grow_at = newsize * 7 / 10;
}

/*
 * mat_store copies the first ncols columns of an offered row (the others
 * NULL) into old (when it has room) or a new allocation (old freed), and
 * returns it. By-reference values are copied, a value stored out of line
 * (or expanded) fetched and flattened first.
 */
static MatRow *
mat_store(MatTable *t, MatRow *old, int ncols, const Datum *values,
		  const bool *nulls, const int *cols)
{
	Size		need = t->data_off;
	MatRow	   *row;
	Datum	   *rvalues;
	bool	   *rnulls;
	char	   *data;

	/* the values, and the size the by-reference ones need */
	for (int i = 0; i < t->natts; i++)
	{
		Datum		v = (Datum) 0;

		t->tmp_nulls[i] = i >= ncols || nulls[cols[i]];
		t->tmp_fetched[i] = false;
		if (!t->tmp_nulls[i])
		{
			v = values[cols[i]];
			if (!t->attbyval[i])
			{
				if (t->attlen[i] == -1 && VARATT_IS_EXTERNAL(DatumGetPointer(v)))
				{
					v = PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(v)));
					t->tmp_fetched[i] = true;
				}
				need = MAXALIGN(need) + datumGetSize(v, false, t->attlen[i]);
			}
		}
		t->tmp_values[i] = v;
	}

	if (old != NULL && old->cap >= need)
		row = old;
	else
	{
		Size		cap = need <= ALLOCSET_SEPARATE_THRESHOLD ?
			pg_nextpower2_size_t(need) : need;

		if (old != NULL)
			pfree(old);
		row = MemoryContextAlloc(t->rows_cxt, cap);
		row->cap = cap;
	}
	rvalues = ROW_VALUES(row);
	rnulls = ROW_NULLS(t, row);
	data = (char *) row + t->data_off;
	for (int i = 0; i < t->natts; i++)
	{
		Datum		v = t->tmp_values[i];

		rnulls[i] = t->tmp_nulls[i];
		if (rnulls[i] || t->attbyval[i])
			rvalues[i] = v;
		else
		{
			Size		len = datumGetSize(v, false, t->attlen[i]);

			data = (char *) MAXALIGN(data);
			memcpy(data, DatumGetPointer(v), len);
			rvalues[i] = PointerGetDatum(data);
			data += len;
			if (t->tmp_fetched[i])
				pfree(DatumGetPointer(v));
		}
	}
	return row;
}

void
MatTableOffer(MatTable *t, int64 ts, bool created_null, int64 created,
			  const Datum *values, const bool *nulls, const int *cols)
{
	uint32		hash = mat_hash(t, values, cols);
	Datum		key0 = t->nkeys > 0 ? values[cols[0]] : (Datum) 0;
	bool		found;
	MatEntry   *e;

	Assert(!t->scanning && !t->by_reference);
	if (unlikely(t->count >= t->check_at) && mat_spill_check(t))
	{
		mat_spill_write(t, hash, ts, created_null, created, values, nulls, cols);
		return;
	}
	e = mat_find(t, hash, key0, values, cols, &found);
	if (found && !mat_newer(e, ts, created_null, created))
		return;
	e->row = mat_store(t, found ? e->row : NULL, t->natts, values, nulls, cols);
	e->key0 = t->nkeys > 0 ? ROW_VALUES(e->row)[0] : (Datum) 0;
	e->hash = hash;
	e->used = true;
	e->ts = ts;
	e->created = created;
	e->created_null = created_null;
}

/* Process the oldest queued offer by reference. */
static inline void
mat_process_pending(MatTable *t)
{
	MatPending *p = &t->pending[t->pending_head];
	bool		found;
	MatEntry   *e;

	t->pending_head = (t->pending_head + 1) & (MAT_PENDING - 1);
	t->npending--;
	e = mat_find(t, p->hash, p->key0, NULL, NULL, &found);
	if (found && !mat_newer(e, p->ts, p->created_null, p->created))
		return;
	e->key0 = p->key0;
	e->hash = p->hash;
	e->used = true;
	e->ts = p->ts;
	e->created = p->created;
	e->created_null = p->created_null;
	e->ref = p->ref;
}

static void
mat_flush_pending(MatTable *t)
{
	/* only offers of a fast_int key wait (their key is key0, no column) */
	if (t->npending > 0 && !t->fast_int)
		elog(ERROR, "offers by reference queued for a key that is not one integer");
	while (t->npending > 0)
		mat_process_pending(t);
}

void
MatTableOfferRef(MatTable *t, uint64 ref, int64 ts, bool created_null,
				 int64 created, const Datum *values, const bool *nulls,
				 const int *cols)
{
	uint32		hash = mat_hash(t, values, cols);
	bool		found;
	MatEntry   *e;

	Assert(!t->scanning && t->by_reference);
	if (t->fast_int)
	{
		MatPending *p;

		/* queue it, its slot on its way to the cache */
		if (t->npending == MAT_PENDING)
			mat_process_pending(t);
		p = &t->pending[(t->pending_head + t->npending) & (MAT_PENDING - 1)];
		t->npending++;
		p->key0 = values[cols[0]];
		p->hash = hash;
		p->ts = ts;
		p->created = created;
		p->created_null = created_null;
		p->ref = ref;
		/* both cache lines an entry may straddle */
		e = &t->entries[hash & (t->size - 1)];
		mat_prefetch(e);
		mat_prefetch((char *) (e + 1) - 1);
		return;
	}

	/* the key's values are only valid now: no queue */
	e = mat_find(t, hash, t->nkeys > 0 ? values[cols[0]] : (Datum) 0,
				 values, cols, &found);
	if (found && !mat_newer(e, ts, created_null, created))
		return;
	if (!found)
	{
		if (t->nkeys > 0)
		{
			/* a copy of the key, to compare later offers with */
			e->row = mat_store(t, NULL, t->nkeys, values, nulls, cols);
			e->key0 = ROW_VALUES(e->row)[0];
		}
		e->hash = hash;
		e->used = true;
	}
	e->ts = ts;
	e->created = created;
	e->created_null = created_null;
	e->ref = ref;
}

/* Move the entries to the front, in slot order: the table is no longer a hash table. */
static void
mat_compact(MatTable *t)
{
	uint64		n = 0;

	if (t->scanning)
		return;
	mat_flush_pending(t);
	for (uint64 i = 0; i < t->size; i++)
		if (t->entries[i].used)
			t->entries[n++] = t->entries[i];
	Assert(n == t->count);
	t->scanning = true;
}

void
MatTableFetchRows(MatTable *t, MatFetchFn fetch, void *arg, const int *cols)
{
	Assert(t->by_reference);
	mat_compact(t);
	if (t->count > 1)
		mat_sort_ref(t->entries, t->count);
	for (uint64 i = 0; i < t->count; i++)
	{
		MatEntry   *e = &t->entries[i];
		Datum	   *values;
		bool	   *nulls;

		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		fetch(arg, e->ref, &values, &nulls);
		e->row = mat_store(t, e->row, t->natts, values, nulls, cols);
		if (t->nkeys > 0)
			e->key0 = ROW_VALUES(e->row)[0];
	}
}

/*
 * A winner as MatTableExport writes it (unaligned, memcpy'd): this head,
 * then each key value, by value as its Datum, by reference as its size
 * (uint32) and bytes.
 */
typedef struct MatExportHead
{
	uint64		ref;
	int64		ts;
	int64		created;
	bool		created_null;
} MatExportHead;

#define MAT_EXPORT_CHUNK	((Size) 64 * 1024)

void
MatTableExport(MatTable *t, MatSendFn send, void *arg)
{
	StringInfoData buf;

	Assert(t->by_reference && !t->scanning && t->nkeys > 0);
	mat_flush_pending(t);
	initStringInfo(&buf);
	for (uint64 i = 0; i < t->size; i++)
	{
		MatEntry   *e = &t->entries[i];
		MatExportHead head;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!e->used)
			continue;
		head.ref = e->ref;
		head.ts = e->ts;
		head.created = e->created;
		head.created_null = e->created_null;
		appendBinaryStringInfo(&buf, (const char *) &head, sizeof(head));
		for (int k = 0; k < t->nkeys; k++)
		{
			Datum		d = t->fast_int ? e->key0 : ROW_VALUES(e->row)[k];

			if (t->attbyval[k])
				appendBinaryStringInfo(&buf, (const char *) &d, sizeof(Datum));
			else
			{
				uint32		size = (uint32) datumGetSize(d, false, t->attlen[k]);

				appendBinaryStringInfo(&buf, (const char *) &size, sizeof(size));
				appendBinaryStringInfo(&buf, DatumGetPointer(d), size);
			}
		}
		if ((Size) buf.len >= MAT_EXPORT_CHUNK)
		{
			send(arg, buf.data, buf.len);
			resetStringInfo(&buf);
		}
	}
	if (buf.len > 0)
		send(arg, buf.data, buf.len);
	pfree(buf.data);
}

void
MatTableMerge(MatTable *t, const char *data, Size len)
{
	const char *end = data + len;
	Datum	   *values = palloc(sizeof(Datum) * t->nkeys);
	bool	   *nulls = palloc0(sizeof(bool) * t->nkeys);
	int		   *cols = palloc(sizeof(int) * t->nkeys);
	char	  **copies = palloc0(sizeof(char *) * t->nkeys);

	for (int k = 0; k < t->nkeys; k++)
		cols[k] = k;
	while (data < end)
	{
		MatExportHead head;

		if (end - data < (ptrdiff_t) sizeof(head))
			elog(ERROR, "truncated winners message");
		memcpy(&head, data, sizeof(head));
		data += sizeof(head);
		for (int k = 0; k < t->nkeys; k++)
		{
			uint32		size;

			if (t->attbyval[k])
			{
				if (end - data < (ptrdiff_t) sizeof(Datum))
					elog(ERROR, "truncated winners message");
				memcpy(&values[k], data, sizeof(Datum));
				data += sizeof(Datum);
				continue;
			}
			if (end - data < (ptrdiff_t) sizeof(uint32))
				elog(ERROR, "truncated winners message");
			memcpy(&size, data, sizeof(uint32));
			data += sizeof(uint32);
			if (end - data < (ptrdiff_t) size)
				elog(ERROR, "truncated winners message");
			/* aligned, as a value must be */
			copies[k] = palloc(size);
			memcpy(copies[k], data, size);
			values[k] = PointerGetDatum(copies[k]);
			data += size;
		}
		MatTableOfferRef(t, head.ref, head.ts, head.created_null, head.created,
						 values, nulls, cols);
		for (int k = 0; k < t->nkeys; k++)
			if (copies[k] != NULL)
			{
				pfree(copies[k]);
				copies[k] = NULL;
			}
	}
	pfree(values);
	pfree(nulls);
	pfree(cols);
	pfree(copies);
}

int64
MatTableCount(MatTable *t)
{
	if (t->spilled)
	{
		mat_spill_finish(t, true);
		return (int64) t->spill_count;
	}
	mat_flush_pending(t);
	return (int64) t->count;
}

TupleDesc
MatTableRowDesc(MatTable *t)
{
	return t->row_desc;
}

Size
MatTableMemory(MatTable *t)
{
	return MemoryContextMemAllocated(t->cxt, true);
}

/* Order of two entries by their keys (every key column sortable). */
static int
mat_compare(const MatEntry *a, const MatEntry *b, MatTable *t)
{
	for (int k = 0; k < t->nkeys; k++)
	{
		Datum		x = k == 0 ? a->key0 : ROW_VALUES(a->row)[k];
		Datum		y = k == 0 ? b->key0 : ROW_VALUES(b->row)[k];
		int			r = ApplySortComparator(x, false, y, false, &t->keys[k].ssup);

		if (r != 0)
			return r;
	}
	return 0;
}

void
MatTableBeginScan(MatTable *t, bool sorted)
{
	bool		sortable = t->nkeys > 0;

	if (t->spilled)
	{
		/* one scan (the tuplesort reads once) */
		Assert(!t->scanning);
		mat_spill_finish(t, sorted);
		if (t->out != NULL)
			PitSpillFileRewind(t->out);
		t->scanning = true;
		return;
	}
	mat_compact(t);
	for (int k = 0; k < t->nkeys; k++)
		if (!t->keys[k].sortable)
			sortable = false;
	if (sorted && sortable && t->count > 1)
	{
		if (t->fast_int)
			mat_sort_int(t->entries, t->count);
		else
			mat_sort_keys(t->entries, t->count, t);
	}
	t->next = 0;
}

bool
MatTableNext(MatTable *t, MatWinner *winner)
{
	MatEntry   *e;

	Assert(t->scanning);
	if (t->spilled)
	{
		TupleTableSlot *slot = t->out_slot;

		if (t->sort != NULL)
		{
			if (!tuplesort_gettupleslot(t->sort, true, false, slot, NULL))
				return false;
			slot_getallattrs(slot);
		}
		else
		{
			MinimalTuple tuple = PitSpillFileRead(t->out);

			if (tuple == NULL)
				return false;
			ExecClearTuple(slot);
			PitSpillDeform(t->spill_desc, tuple, slot->tts_values, slot->tts_isnull);
			ExecStoreVirtualTuple(slot);
		}
		winner->ts = DatumGetInt64(slot->tts_values[t->natts]);
		winner->created_null = slot->tts_isnull[t->natts + 1];
		winner->created = winner->created_null ? 0 :
			DatumGetInt64(slot->tts_values[t->natts + 1]);
		winner->values = slot->tts_values;
		winner->nulls = slot->tts_isnull;
		return true;
	}
	if (t->next >= t->count)
		return false;
	e = &t->entries[t->next++];
	Assert(e->row != NULL);
	winner->ts = e->ts;
	winner->created = e->created;
	winner->created_null = e->created_null;
	winner->values = ROW_VALUES(e->row);
	winner->nulls = ROW_NULLS(t, e->row);
	return true;
}

void
MatTableDestroy(MatTable *t)
{
	if (t->parts != NULL)
		for (int p = 0; p < t->nparts; p++)
			if (t->parts[p] != NULL)
				PitSpillFileClose(t->parts[p]);
	if (t->sort != NULL)
		tuplesort_end(t->sort);
	if (t->out != NULL)
		PitSpillFileClose(t->out);
	if (t->out_slot != NULL)
		ExecDropSingleTupleTableSlot(t->out_slot);
	MemoryContextDelete(t->cxt);
}

/*
 * Beyond offline_store.max_memory.
 *
 * A table offered rows by value with a budget (MatTableSetBudget) looks at
 * its memory as its keys grow (every sixteenth more keys, and before its
 * slots double). Past the budget it becomes a partitioned table, as a hash
 * join's batches: its winners so far, then every further offer, go to
 * temporary files by their key's hash (PitSpillPartition, a level of
 * partitioning mixing the hash anew), and its memory is freed. A winner
 * needs only its key's rows, all of which are in its partition, in the
 * order they were offered (a winner so far before the later rows of its
 * key): so each partition, offered to a table of its own, gives the
 * winners the whole table would, ties included. Once the offers are over,
 * the partitions are reduced in turn (each through a table with the same
 * budget less the sort's share, itself partitioned at the next level if
 * it does not fit: many keys in one partition), and their winners go to a
 * tuplesort on the key (the key order MatTableBeginScan promises; the
 * tuplesort spills past its share of the budget), or to a file when no
 * order is asked for or possible. Values stored out of line are fetched
 * before they are written, as when a winner is kept.
 */

/* The share of the budget the winners' sort takes while partitions are reduced. */
#define MAT_SORT_SHARE 4
/* The memory is looked at every this many new keys at least. */
#define MAT_CHECK_STEP 256
/* At most this many partitions per level (each has a buffer of BLCKSZ). */
#define MAT_MAX_PARTITIONS 64

void
MatTableSetBudget(MatTable *t, Size budget)
{
	Assert(!t->by_reference && t->count == 0);
	if (t->nkeys == 0 || budget == 0)
		return;					/* one row at most */
	t->budget = budget;
	t->check_at = MAT_CHECK_STEP;
}

bool
MatTableSpilled(MatTable *t)
{
	return t->spilled;
}

Size
MatTableEstimate(MatTable *t)
{
	Size		mem = MatTableMemory(t);

	/* by reference, the winners' rows are still to come */
	if (t->by_reference)
		mem += (Size) t->count * (t->data_off + (t->all_byval ? 0 : 32 * t->natts));
	return mem;
}

/*
 * mat_spill_check decides whether the table is (now) partitioned: past its
 * budget, with the slots' doubling counted before it happens.
 */
static bool
mat_spill_check(MatTable *t)
{
	MemoryContext old;
	Size		mem;
	int			nparts;

	if (t->spilled)
		return true;
	mem = MatTableMemory(t);
	if (t->count + Max(t->count / 16, MAT_CHECK_STEP) >= t->grow_at)
		mem += sizeof(MatEntry) * t->size * 2;
	if (mem <= t->budget)
	{
		t->check_at = t->count + Max(t->count / 16, MAT_CHECK_STEP);
		return false;
	}

	/*
	 * Twice as many partitions as the memory is over the budget (16 at
	 * least on the first level; they are partitioned again if that is not
	 * enough), within the buffers' share of the budget (a quarter of it: at
	 * least 8 partitions, though, or a small budget would partition level
	 * after level).
	 */
	nparts = PitSpillPow2(2.0 * mem / t->budget,
						  Min(Max((int) (t->budget / 4 / (BLCKSZ + 64)), 8),
							  MAT_MAX_PARTITIONS));
	nparts = Max(nparts, 2);
	/* the first level: more rows may come than came so far */
	if (t->level == 0)
	{
		int			first = Min((int) (t->budget / 4 / (BLCKSZ + 64)), 16);

		/* a power of two, as PitSpillPartition uses */
		nparts = Max(nparts, PitSpillPow2(first, first));
	}
	if (t->level == 0)
		elog(DEBUG1, "offline_store: materialization beyond offline_store.max_memory (%zukB) after " UINT64_FORMAT " keys: %d partitions of the keys on temporary files",
			 t->budget / 1024, t->count, nparts);
	else
		elog(DEBUG2, "offline_store: a partition of level %d beyond %zukB after " UINT64_FORMAT " keys: %d partitions of its keys",
			 t->level, t->budget / 1024, t->count, nparts);

	old = MemoryContextSwitchTo(t->cxt);
	t->spill_desc = CreateTemplateTupleDesc(t->natts + 2);
	for (int i = 0; i < t->natts; i++)
		TupleDescCopyEntry(t->spill_desc, i + 1, t->row_desc, i + 1);
	TupleDescInitEntry(t->spill_desc, t->natts + 1, NULL, INT8OID, -1, 0);
	TupleDescInitEntry(t->spill_desc, t->natts + 2, NULL, INT8OID, -1, 0);
	t->spill_values = palloc(sizeof(Datum) * (t->natts + 2));
	t->spill_nulls = palloc(sizeof(bool) * (t->natts + 2));
	t->nparts = nparts;
	t->parts = palloc(sizeof(PitSpillFile *) * nparts);
	for (int p = 0; p < nparts; p++)
		t->parts[p] = PitSpillFileCreate();
	t->spilled = true;
	t->check_at = 0;

	/* the winners so far, first in their partitions */
	for (uint64 i = 0; i < t->size; i++)
	{
		MatEntry   *e = &t->entries[i];

		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!e->used)
			continue;
		t->spill_values[t->natts] = Int64GetDatum(e->ts);
		t->spill_nulls[t->natts] = false;
		t->spill_values[t->natts + 1] = Int64GetDatum(e->created);
		t->spill_nulls[t->natts + 1] = e->created_null;
		memcpy(t->spill_values, ROW_VALUES(e->row), sizeof(Datum) * t->natts);
		memcpy(t->spill_nulls, ROW_NULLS(t, e->row), sizeof(bool) * t->natts);
		PitSpillFileWriteValues(t->parts[PitSpillPartition(e->hash, t->level, nparts)],
								t->spill_desc, t->spill_values, t->spill_nulls);
	}
	MemoryContextSwitchTo(old);

	/* and their memory back */
	MemoryContextReset(t->rows_cxt);
	pfree(t->entries);
	t->size = 1024;
	t->grow_at = t->size * 7 / 10;
	t->entries = MemoryContextAllocZero(t->cxt, sizeof(MatEntry) * t->size);
	t->count = 0;
	return true;
}

/* mat_spill_write writes an offer to its key's partition. */
static void
mat_spill_write(MatTable *t, uint32 hash, int64 ts, bool created_null, int64 created,
				const Datum *values, const bool *nulls, const int *cols)
{
	bool		fetched[MaxTupleAttributeNumber];
	int			natts = t->natts;

	for (int i = 0; i < natts; i++)
	{
		Datum		v = values[cols[i]];

		fetched[i] = false;
		t->spill_nulls[i] = nulls[cols[i]];
		if (!t->spill_nulls[i] && t->attlen[i] == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(v)))
		{
			v = PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(v)));
			fetched[i] = true;
		}
		t->spill_values[i] = v;
	}
	t->spill_values[natts] = Int64GetDatum(ts);
	t->spill_nulls[natts] = false;
	t->spill_values[natts + 1] = Int64GetDatum(created);
	t->spill_nulls[natts + 1] = created_null;
	PitSpillFileWriteValues(t->parts[PitSpillPartition(hash, t->level, t->nparts)],
							t->spill_desc, t->spill_values, t->spill_nulls);
	for (int i = 0; i < natts; i++)
		if (fetched[i])
			pfree(DatumGetPointer(t->spill_values[i]));
}

/*
 * mat_spill_finish reduces the partitions to their winners, into a
 * tuplesort on the key (sorted, and every key column sortable) or a file.
 */
static void
mat_spill_finish(MatTable *t, bool sorted)
{
	MemoryContext old;
	int		   *cols;
	Size		sub_budget = t->budget - t->budget / MAT_SORT_SHARE;

	if (t->finished)
		return;
	for (int k = 0; k < t->nkeys; k++)
		if (!t->keys[k].sortable)
			sorted = false;
	old = MemoryContextSwitchTo(t->cxt);
	t->out_slot = MakeSingleTupleTableSlot(t->spill_desc, &TTSOpsMinimalTuple);
	if (sorted)
	{
		AttrNumber *attnos = palloc(sizeof(AttrNumber) * t->nkeys);
		Oid		   *ops = palloc(sizeof(Oid) * t->nkeys);
		Oid		   *colls = palloc(sizeof(Oid) * t->nkeys);
		bool	   *nulls_first = palloc0(sizeof(bool) * t->nkeys);

		for (int k = 0; k < t->nkeys; k++)
		{
			attnos[k] = k + 1;
			ops[k] = lookup_type_cache(t->keys[k].type, TYPECACHE_LT_OPR)->lt_opr;
			colls[k] = t->keys[k].collation;
		}
		t->sort = tuplesort_begin_heap(t->spill_desc, t->nkeys, attnos, ops, colls,
									   nulls_first,
									   (int) Max(t->budget / MAT_SORT_SHARE / 1024, 64),
									   NULL, TUPLESORT_NONE);
	}
	else
		t->out = PitSpillFileCreate();
	cols = palloc(sizeof(int) * (t->natts + 2));
	for (int i = 0; i < t->natts + 2; i++)
		cols[i] = i;
	MemoryContextSwitchTo(old);

	for (int p = 0; p < t->nparts; p++)
	{
		PitSpillFile *f = t->parts[p];
		MatTable   *sub = MatTableCreate(t->cxt, t->row_desc, t->nkeys, false);
		Datum	   *values = t->spill_values;
		bool	   *nulls = t->spill_nulls;
		MinimalTuple tuple;
		MatWinner	w;
		int64		n = 0;

		sub->level = t->level + 1;
		MatTableSetBudget(sub, sub_budget);
		PitSpillFileRewind(f);
		while ((tuple = PitSpillFileRead(f)) != NULL)
		{
			if ((++n & 0xFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			PitSpillDeform(t->spill_desc, tuple, values, nulls);
			MatTableOffer(sub, DatumGetInt64(values[t->natts]), nulls[t->natts + 1],
						  nulls[t->natts + 1] ? 0 : DatumGetInt64(values[t->natts + 1]),
						  values, nulls, cols);
		}
		PitSpillFileClose(f);
		t->parts[p] = NULL;

		MatTableBeginScan(sub, false);
		while (MatTableNext(sub, &w))
		{
			TupleTableSlot *slot = t->out_slot;

			CHECK_FOR_INTERRUPTS();

			ExecClearTuple(slot);
			memcpy(slot->tts_values, w.values, sizeof(Datum) * t->natts);
			memcpy(slot->tts_isnull, w.nulls, sizeof(bool) * t->natts);
			slot->tts_values[t->natts] = Int64GetDatum(w.ts);
			slot->tts_isnull[t->natts] = false;
			slot->tts_values[t->natts + 1] = Int64GetDatum(w.created);
			slot->tts_isnull[t->natts + 1] = w.created_null;
			ExecStoreVirtualTuple(slot);
			if (t->sort != NULL)
				tuplesort_puttupleslot(t->sort, slot);
			else
				PitSpillFileWriteValues(t->out, t->spill_desc, slot->tts_values,
										slot->tts_isnull);
			t->spill_count++;
		}
		MatTableDestroy(sub);
	}
	if (t->sort != NULL)
		tuplesort_performsort(t->sort);
	t->finished = true;
}
