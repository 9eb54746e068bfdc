/*-------------------------------------------------------------------------
 *
 * pit_spill.h
 *		Temporary files of tuples for the work that does not fit in
 *		offline_store.max_memory: partitions by a hash of the join key, as a
 *		hash join's batches.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_spill.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_PIT_SPILL_H
#define OFS_PIT_SPILL_H

#include "access/htup.h"
#include "access/tupdesc.h"

/* offline_store.max_memory, in kB */
extern int	ofs_max_memory;

/* offline_store.max_memory in bytes. */
extern Size PitSpillBudget(void);

/*
 * A temporary file of MinimalTuples (a BufFile, so temp_tablespaces and
 * temp_file_limit apply), created on the first write: written, then read
 * from the start as often as needed. Its memory (the file's buffer, the
 * tuple being read) is in the context current at PitSpillFileCreate.
 */
typedef struct PitSpillFile PitSpillFile;

extern PitSpillFile *PitSpillFileCreate(void);
extern void PitSpillFileWrite(PitSpillFile *f, MinimalTuple tuple);
/* Write the tuple of values/nulls formed with desc. */
extern void PitSpillFileWriteValues(PitSpillFile *f, TupleDesc desc,
									const Datum *values, const bool *nulls);
/* Start reading from the first tuple (after the last write). */
extern void PitSpillFileRewind(PitSpillFile *f);
/* The next tuple, or NULL after the last; valid until the next call. */
extern MinimalTuple PitSpillFileRead(PitSpillFile *f);
extern int64 PitSpillFileCount(const PitSpillFile *f);
extern int64 PitSpillFileBytes(const PitSpillFile *f);
/* Close the file (deleting it) and free the structure. */
extern void PitSpillFileClose(PitSpillFile *f);

/* Deform a MinimalTuple of desc into values/nulls. */
extern void PitSpillDeform(TupleDesc desc, MinimalTuple tuple, Datum *values,
						   bool *nulls);

/*
 * The partition (0 .. nparts - 1, nparts a power of two) of a join key
 * hash at a level of partitioning: a level mixes the hash anew, so that
 * the keys of one partition spread over the partitions of the next level,
 * and a partition does not leave the hash's low bits (which the in-memory
 * tables use) all equal.
 */
extern int	PitSpillPartition(uint32 hash, int level, int nparts);

/* The smallest power of two >= n, at least 1; at most max (the greatest power of two <= max). */
extern int	PitSpillPow2(double n, int max);

/*
 * A filter of the join key hashes of the entity rows (one bit per hash,
 * no false negatives): a source row whose key hash is not in it has no
 * entity row to match and need not be written.
 */
typedef struct PitSpillFilter PitSpillFilter;

extern PitSpillFilter *PitSpillFilterCreate(double nkeys, Size max_bytes);
extern void PitSpillFilterAdd(PitSpillFilter *filter, uint32 hash);
extern bool PitSpillFilterTest(const PitSpillFilter *filter, uint32 hash);
extern Size PitSpillFilterBytes(const PitSpillFilter *filter);
extern void PitSpillFilterFree(PitSpillFilter *filter);

#endif							/* OFS_PIT_SPILL_H */
