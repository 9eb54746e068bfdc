/*-------------------------------------------------------------------------
 *
 * pit_agg.h
 *		Windowed aggregations as of each entity row: the part of the
 *		point-in-time engine that computes them (pit_agg.c), and the
 *		aggregates it can compute.
 *
 * pit_join.c owns the entity rows, their grouping by key and the source
 * stream; it hands each view's aggregations to a PitAggSet through the
 * hooks below. Nothing here is called by other files, but PitAggLookup,
 * which feast_apply and retrieval use to resolve an aggregate as SQL would.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_agg.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_PIT_AGG_H
#define OFS_PIT_AGG_H

#include "fmgr.h"

/*
 * An aggregate the engine can compute: the aggregate SQL resolves for
 * name(column) given the column's type, and the type of its result. column
 * identifies the source column for the engine: the aggregations of a view
 * with the same column (>= 0) are given the same values, and may share
 * their states; -1 (from PitAggLookup) shares nothing.
 */
typedef struct PitAggFunc
{
	Oid			aggfnoid;		/* pg_aggregate.aggfnoid */
	Oid			input_type;		/* the type of the column aggregated */
	Oid			result_type;
	int			column;
} PitAggFunc;

/*
 * PitAggLookup resolves pg_catalog.sqlname(x) for an x of type argtype as
 * the parser would (sum(integer), max(text) for a varchar, count("any")),
 * and fills *fn. Returns false when there is no such aggregate, or when it
 * is one the engine cannot compute: it must take its column as it is (no
 * conversion other than a binary-coercible one), have a combine function
 * and a read-only final function (or none), and no polymorphic argument,
 * state or result (min and max of arrays and enums are such).
 */
extern bool PitAggLookup(const char *sqlname, Oid argtype, PitAggFunc *fn);

/*
 * A position's entity time (t) and, for pit_join.c, the ts of its best
 * candidate so far, side by side. A group's positions are its entity rows
 * in time order.
 */
typedef struct PitTime
{
	int64		t;
	int64		best_ts;
} PitTime;

typedef struct PitAggSet PitAggSet;
struct PitEntities;

/*
 * The engine's large arrays (pit_join.c): on transparent huge pages where
 * it can, not zeroed (but by PitArrayAllocZero), freed with the engine at
 * the latest.
 */
extern void *PitArrayAlloc(struct PitEntities *ents, Size size);
extern void *PitArrayAllocZero(struct PitEntities *ents, Size size);
extern void PitArrayFree(struct PitEntities *ents, void *p);

/* PitAggInit registers offline_store.native_aggregates (from _PG_init). */
extern void PitAggInit(void);

/* The hooks of pit_join.c, in the order it calls them. */
extern PitAggSet *PitAggSetCreate(MemoryContext parent, struct PitEntities *ents);
extern void PitAggSetAdd(PitAggSet *set, const PitAggFunc *fn, Oid collation,
						 int64 window_usec);
extern int	PitAggSetCount(const PitAggSet *set);
extern int64 PitAggSetMaxWindow(const PitAggSet *set);
extern const int64 *PitAggSetBuild(PitAggSet *set, const PitTime *times, bool copy_times,
								   int32 npos, int32 nrows);
/*
 * A source row for PitAggSetAddRows: the positions of the group its key
 * matched, its timestamp, the time from which it counts (ts, or max(ts,
 * created) with filter_by_created_timestamp), and its value of each
 * aggregation's column.
 */
typedef struct PitAggRow
{
	int32		start;			/* the group's first position */
	int32		count;			/* the group's number of positions */
	int64		ts;
	int64		need;
	const Datum *values;		/* one per aggregation */
	const bool *nulls;
} PitAggRow;

#define PIT_AGG_MAX_ROWS 64		/* rows per PitAggSetAddRows */

extern void PitAggSetAddRows(PitAggSet *set, int nrows, const PitAggRow *rows);
extern void PitAggSetEndBatch(PitAggSet *set);
extern void PitAggSetFinish(PitAggSet *set, const int32 *gstart, int32 ngroups,
							const int32 *pos_row);
extern void PitAggSetResult(PitAggSet *set, int32 row, Datum *values, bool *nulls);

#endif							/* OFS_PIT_AGG_H */
