/*-------------------------------------------------------------------------
 *
 * pit_spill.c
 *		Temporary files of tuples, and the partitioning by join key hash
 *		that retrieval and materialization use beyond
 *		offline_store.max_memory.
 *
 * A retrieval or a materialization whose working memory would exceed
 * offline_store.max_memory partitions its work the way a hash join
 * partitions its batches: rows go to temporary files by a hash of their
 * join key values, and each partition (or group of partitions) is then
 * done in memory on its own (historical_spill.c, materialize_table.c). The
 * files are BufFiles: they go to temp_tablespaces, count against
 * temp_file_limit (PostgreSQL's own error when it is exceeded), and are
 * deleted at the end of the transaction, or when an error ends it.
 *
 * A file holds MinimalTuples, each preceded by its length: what a hash
 * join's batch files hold, without the hash (the reader computes what it
 * needs). In retrieval, values stored out of line stay TOAST pointers in
 * the files, as in a hash join's: they are read back in the same call,
 * while the call's snapshot holds them, and fetched (detoasted) by whoever
 * keeps them; materialization fetches them before it writes them, as it
 * does for the winners it keeps.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_spill.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "port/pg_bitutils.h"
#include "storage/buffile.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "pit_spill.h"

int			ofs_max_memory = 1024 * 1024;	/* kB: 1GB */

struct PitSpillFile
{
	MemoryContext cxt;
	BufFile    *file;			/* NULL until the first write */
	int64		ntuples;
	int64		nbytes;
	bool		reading;
	char	   *buf;			/* the tuple being read */
	Size		bufsize;
};

struct PitSpillFilter
{
	uint64		mask;			/* bits - 1 */
	uint64	   *words;
	Size		bytes;
};

Size
PitSpillBudget(void)
{
	return (Size) ofs_max_memory * 1024;
}

PitSpillFile *
PitSpillFileCreate(void)
{
	PitSpillFile *f = palloc0(sizeof(PitSpillFile));

	f->cxt = CurrentMemoryContext;
	return f;
}

void
PitSpillFileWrite(PitSpillFile *f, MinimalTuple tuple)
{
	uint32		len = tuple->t_len;

	Assert(!f->reading);
	if (f->file == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(f->cxt);

		f->file = BufFileCreateTemp(false);
		MemoryContextSwitchTo(old);
	}
	BufFileWrite(f->file, &len, sizeof(len));
	BufFileWrite(f->file, tuple, len);
	f->ntuples++;
	f->nbytes += len;
}

void
PitSpillFileWriteValues(PitSpillFile *f, TupleDesc desc, const Datum *values,
						const bool *nulls)
{
	MinimalTuple tuple = heap_form_minimal_tuple(desc, (Datum *) values, (bool *) nulls);

	PitSpillFileWrite(f, tuple);
	pfree(tuple);
}

void
PitSpillFileRewind(PitSpillFile *f)
{
	f->reading = true;
	if (f->file != NULL && BufFileSeek(f->file, 0, 0, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rewind temporary file: %m")));
}

MinimalTuple
PitSpillFileRead(PitSpillFile *f)
{
	uint32		len;
	size_t		got;

	Assert(f->reading);
	if (f->file == NULL)
		return NULL;
	got = BufFileRead(f->file, &len, sizeof(len));
	if (got == 0)
		return NULL;
	if (got != sizeof(len))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read from temporary file: read only %zu of %zu bytes",
						got, sizeof(len))));
	if (len > f->bufsize)
	{
		if (f->buf != NULL)
			pfree(f->buf);
		f->bufsize = Max(len, 1024);
		f->buf = MemoryContextAlloc(f->cxt, f->bufsize);
	}
	got = BufFileRead(f->file, f->buf, len);
	if (got != len)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read from temporary file: read only %zu of %u bytes",
						got, len)));
	return (MinimalTuple) f->buf;
}

int64
PitSpillFileCount(const PitSpillFile *f)
{
	return f->ntuples;
}

int64
PitSpillFileBytes(const PitSpillFile *f)
{
	return f->nbytes;
}

void
PitSpillFileClose(PitSpillFile *f)
{
	if (f->file != NULL)
		BufFileClose(f->file);
	if (f->buf != NULL)
		pfree(f->buf);
	pfree(f);
}

void
PitSpillDeform(TupleDesc desc, MinimalTuple tuple, Datum *values, bool *nulls)
{
	HeapTupleData htup;

	htup.t_len = tuple->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) ((char *) tuple - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup.t_self);
	htup.t_tableOid = InvalidOid;
	heap_deform_tuple(&htup, desc, values, nulls);
}

int
PitSpillPartition(uint32 hash, int level, int nparts)
{
	uint32		h;

	if (nparts <= 1)
		return 0;
	h = murmurhash32(hash ^ (0x9e3779b9U * (uint32) (level + 1)));
	return (int) (h >> (32 - pg_leftmost_one_pos32((uint32) nparts)));
}

int
PitSpillPow2(double n, int max)
{
	int			p = 1;

	while (p <= max / 2 && p < n)
		p *= 2;
	return p;
}

/*
 * PitSpillFilterCreate makes a filter for about nkeys hashes: 8 bits per
 * key (a false positive rate of about 12%), at most max_bytes.
 */
PitSpillFilter *
PitSpillFilterCreate(double nkeys, Size max_bytes)
{
	PitSpillFilter *filter = palloc0(sizeof(PitSpillFilter));
	uint64		bits = 1024;

	while ((double) bits < nkeys * 8 && bits / 8 * 2 <= max_bytes && bits < (UINT64CONST(1) << 34))
		bits *= 2;
	filter->mask = bits - 1;
	filter->bytes = bits / 8;
	filter->words = MemoryContextAllocHuge(CurrentMemoryContext, filter->bytes);
	memset(filter->words, 0, filter->bytes);
	return filter;
}

/* The filter's bit of a hash: mixed, so that it is not the partition's. */
static inline uint64
filter_bit(const PitSpillFilter *filter, uint32 hash)
{
	uint64		h = (uint64) hash * UINT64CONST(0x9e3779b97f4a7c15);

	return (h ^ (h >> 29)) & filter->mask;
}

void
PitSpillFilterAdd(PitSpillFilter *filter, uint32 hash)
{
	uint64		bit = filter_bit(filter, hash);

	filter->words[bit / 64] |= UINT64CONST(1) << (bit % 64);
}

bool
PitSpillFilterTest(const PitSpillFilter *filter, uint32 hash)
{
	uint64		bit = filter_bit(filter, hash);

	return (filter->words[bit / 64] & (UINT64CONST(1) << (bit % 64))) != 0;
}

void
PitSpillFilterFree(PitSpillFilter *filter)
{
	pfree(filter->words);
	pfree(filter);
}

Size
PitSpillFilterBytes(const PitSpillFilter *filter)
{
	return filter->bytes;
}
