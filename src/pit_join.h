/*-------------------------------------------------------------------------
 *
 * pit_join.h
 *		The point-in-time join engine: entity rows in memory, source rows
 *		streamed once, one answer per entity row and feature view.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_join.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_PIT_JOIN_H
#define OFS_PIT_JOIN_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"

#include "pit_agg.h"

typedef struct PitEntities PitEntities;
typedef struct PitView PitView;

/*
 * The entity rows: stored once as MinimalTuples in the engine's context,
 * with their timestamps (raw int64 microseconds; timestamp without time zone
 * and timestamptz alike). desc describes the tuples; ts_attno is the 0-based
 * timestamp column; the first nresult columns are emitted (the others are
 * join key values converted for a view's comparison). Values stored
 * out of line (TOAST) are fetched when a row is added: the rows own their
 * values.
 */
extern PitEntities *PitEntitiesCreate(MemoryContext parent, TupleDesc desc,
									  int ts_attno, int nresult);
extern Size PitEntitiesAdd(PitEntities *ents, MinimalTuple tuple);
extern Size PitEntitiesAddHeap(PitEntities *ents, HeapTuple tuple);
extern MinimalTuple PitFlattenMinimal(TupleDesc desc, const char *data);
extern int64 PitEntitiesCount(PitEntities *ents);

/*
 * How a join key matches (keymatch.c): entity value e and source value s
 * match iff match_eq(e, s), all functions called with collation. With
 * fast_int, both are int2/int4/int8 values, equal iff equal as int64. With
 * hashable, entity_hash and source_hash hash equal values alike and
 * entity_eq groups entity values. With sortable, entity_cmp orders entity
 * values and match_cmp(e, s) is 0 iff they match (a btree family's
 * order); a view with a key that is not hashable searches its sorted
 * entity keys when every key is sortable (or fast_int), else compares a
 * source row with every group. source_byval/source_len describe the source
 * values.
 */
typedef struct PitKeyOps
{
	bool		fast_int;
	bool		hashable;
	bool		sortable;
	Oid			collation;
	Oid			match_eq;
	Oid			entity_hash;
	Oid			entity_eq;
	Oid			source_hash;
	Oid			entity_cmp;
	Oid			match_cmp;
	bool		source_byval;
	int16		source_len;
} PitKeyOps;

/*
 * A feature view as the engine sees it. key_attnos are 0-based entity
 * columns (nkeys 0: entity-less view) compared through keyops, ttl_usec 0
 * means no lower bound, feature_desc describes the nfeatures feature values
 * the source delivers.
 */
extern PitView *PitViewCreate(PitEntities *ents, int nkeys, const int *key_attnos,
							  const PitKeyOps *keyops,
							  int64 ttl_usec, bool filter_by_created,
							  int nfeatures, TupleDesc feature_desc);

/*
 * PitViewAddAggregation adds a windowed aggregation (pit_agg.c) to a view,
 * before PitViewBuild: for each entity row at time t, fn over the values of
 * the source rows with its key and t - window_usec < ts <= t (and created
 * <= t with filter_by_created), compared with collation. The answers follow
 * the view's features, in the order the aggregations were added.
 */
extern void PitViewAddAggregation(PitView *view, const PitAggFunc *fn,
								  Oid collation, int64 window_usec);

/*
 * PitViewSetAsOf hides the source rows created after as_of (raw
 * microseconds) from the view; a row whose created is NULL counts as
 * created at its timestamp.
 */
extern void PitViewSetAsOf(PitView *view, int64 as_of);

/*
 * PitViewBuild indexes the entity rows for this view (after every
 * PitEntitiesAdd). Returns false when no entity row can match at all;
 * otherwise *lo and *hi receive the source time range to read (lo may be
 * DT_NOBEGIN when there is no lower bound).
 */
extern bool PitViewBuild(PitView *view, int64 *lo, int64 *hi);

/*
 * PitViewAddCandidate offers one source row: values/nulls are its columns,
 * key_cols, feature_cols and agg_cols say which of them are the view's keys
 * (as PitKeyOps describes them), features, and the values of its
 * aggregations (one per aggregation). Feature values are copied only if
 * the row is kept (and fetched if stored out of line).
 */
extern void PitViewAddCandidate(PitView *view, int64 ts, bool created_null,
								int64 created, const Datum *values,
								const bool *nulls, const int *key_cols,
								const int *feature_cols, const int *agg_cols);

/* PitViewFinish decides the winner of every entity row (after all candidates). */
extern void PitViewFinish(PitView *view);

/*
 * PitEntitiesEmit calls emit for every entity row in input order, with the
 * row's entity values followed by every view's feature values and then its
 * aggregations' (views in the order they were created). values/nulls are
 * valid until the next call.
 */
typedef void (*PitEmitFn) (void *arg, Datum *values, bool *nulls);
extern void PitEntitiesEmit(PitEntities *ents, PitEmitFn emit, void *arg);

/*
 * For work beyond memory (historical_spill.c): the stored entity rows;
 * whether a view's rows can be partitioned by their keys' hash, and the
 * hashes (false: a NULL key, which matches nothing); the source time range
 * that entity times in [min_t, max_t] need; and the engine's memory per
 * entity row, beside the row itself: PIT_ENTITY_ROW_BYTES for the row's
 * place, PitViewRowBytes for a view being joined, PitViewAnswerBytes for
 * a view finished (estimates, by-reference values at an average width),
 * and PIT_ENGINE_BYTES whatever the rows.
 */
#define PIT_ENTITY_ROW_BYTES (sizeof(MinimalTuple) + sizeof(int64) + sizeof(bool))
/* what an engine allocates whatever its rows: its first block of rows, its arrays */
#define PIT_ENGINE_BYTES ((Size) 1024 * 1024 + 64 * 1024)
extern MinimalTuple PitEntitiesTuple(PitEntities *ents, int64 row);
extern bool PitViewPartitionable(PitView *view);
extern bool PitViewEntityHash(PitView *view, const Datum *values, const bool *nulls,
							  uint32 *hash);
extern bool PitViewSourceHash(PitView *view, const Datum *values, const bool *nulls,
							  const int *key_cols, uint32 *hash);
extern void PitViewReadWindow(PitView *view, int64 min_t, int64 max_t,
							  int64 *lo, int64 *hi);
extern Size PitViewRowBytes(PitView *view);
extern Size PitViewAnswerBytes(PitView *view);

/*
 * For parallel workers (historical_parallel.c). The leader's built view
 * writes its index (PitViewIndexSize bytes, to shared memory, say: nothing
 * in it points into the leader's memory); a worker creates its own view
 * with the same parameters over an empty set of entity rows of the same
 * layout and attaches a private copy of the index instead of building one,
 * so that both have the same positions. The worker joins part of the
 * source rows, then PitViewExport hands the candidates it kept to send, in
 * messages of about 64 kB, and the leader's PitViewMerge takes each
 * message as if it had seen those rows itself. The best of them wins, as
 * in one process: greater ts, then greater created (a full tie keeps the
 * one merged first). Only for views without aggregations, before
 * PitViewFinish.
 */
extern Size PitViewIndexSize(PitView *view);
extern void PitViewIndexWrite(PitView *view, char *dst);
extern void PitViewIndexAttach(PitView *view, const char *src);
typedef void (*PitSendFn) (void *arg, const char *data, Size len);
extern void PitViewExport(PitView *view, PitSendFn send, void *arg);
extern void PitViewMerge(PitView *view, const char *data, Size len);
extern bool PitViewHasAggregations(PitView *view);

/* Drop everything the engine allocated. */
extern void PitEntitiesDestroy(PitEntities *ents);

#endif							/* OFS_PIT_JOIN_H */
