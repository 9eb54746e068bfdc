/*-------------------------------------------------------------------------
 *
 * historical_int.h
 *		What historical.c shares with historical_spill.c: a planned
 *		retrieval, the reading of its sources, and the emitting of result
 *		rows.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_HISTORICAL_INT_H
#define OFS_HISTORICAL_INT_H

#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/tuplestore.h"

#include "historical.h"
#include "historical_scan.h"
#include "keymatch.h"
#include "pit_join.h"
#include "progress.h"
#include "registry.h"

/* One requested feature view. */
typedef struct HistView
{
	RegRequest *req;
	char	   *from_item;
	char	   *ts_col;			/* source columns, quoted, as s."x" */
	char	   *created_col;	/* or NULL */
	Oid			ts_type;
	Oid			created_type;
	Oid		   *key_types;		/* source key column types */
	int32	   *key_typmods;
	Oid		   *key_colls;
	char	  **key_cols;		/* quoted source key columns */
	int		   *key_attnos;		/* entity_df columns, 0-based */
	KeyMatch   *key_match;		/* how each key compares (entity = source) */
	int		   *engine_attnos;	/* entity row columns the engine compares:
								 * key_attnos, or a converted copy */
	PitKeyOps  *keyops;
	int			nplain;			/* the requested features of the schema */
	RegFeature **plain;
	TupleDesc	feature_desc;	/* of those, source types */
	int			naggs;			/* the requested aggregations */
	RegAggregation **aggs;
	PitAggFunc *aggfns;			/* their aggregates */
	Oid		   *agg_colls;		/* their columns' collations */
	char	   *read_sql;		/* $1 lower bound (if any), $2 upper bound */
	int		   *attmap;			/* read_sql columns (0-based) of: ts, created
								 * (-1: none), keys, features, aggregated
								 * columns (one per aggregation) */
	int			natts_needed;	/* 1 + the greatest of attmap */
	bool		has_lower;
	PitView    *pv;
} HistView;

typedef struct HistPlan
{
	HistArgs   *args;
	char	   *project;
	int			nviews;
	HistView   *views;
	char	   *entity_from;	/* entity_df as a FROM item */
	const char *entity_order;	/* "" or an ORDER BY clause */
	char	   *entity_sql;
	int			entity_nparams;
	Datum		entity_params[3];
	TupleDesc	entity_desc;	/* entity_df's columns */
	TupleDesc	stored_desc;	/* entity_sql's: those, then converted keys */
	int			ts_attno;
	TupleDesc	result_desc;

	/*
	 * The engine emits a view's schema features, then its aggregations;
	 * the result has them in request order: the engine's column i is the
	 * result's column emit_map[i] (NULL: the same).
	 */
	int		   *emit_map;
} HistPlan;

/* The DestReceiver feeding the engine with a view's source rows. */
typedef struct HistSourceReceiver
{
	DestReceiver pub;
	HistView   *hv;
	ProgressState *progress;
	int			nkeys;
	int			nfeatures;
	int		   *attmap;			/* as in HistView, or of the table's tuples */
	int			natts;			/* 1 + the greatest of attmap */
	int64		count;

	/*
	 * For the in-memory run, its plan and the bytes of its engine (entity
	 * rows and views): parallel workers may share the read
	 * (historical_parallel.c). engine_bytes 0: one process.
	 */
	const struct HistPlan *plan;
	Size		engine_bytes;
} HistSourceReceiver;

typedef struct HistEmitState
{
	Tuplestorestate *tupstore;
	TupleDesc	desc;
	ProgressState *progress;
	int64		count;
	const int  *map;			/* HistPlan.emit_map */
	Datum	   *values;			/* the row in result order, when map */
	bool	   *nulls;
} HistEmitState;

/*
 * HistReadSource streams the rows of view v (of nviews) whose timestamp
 * lies in [bounds[0], bounds[1]] (timestamptz Datums) into sr, directly
 * from the table where historical_scan.c allows it, else through the
 * executor; it sets sr->attmap and sr->natts to say where sr finds the
 * columns of hv->attmap in the slots it receives. Caller is connected to
 * SPI.
 */
extern void HistReadSource(HistView *hv, HistSourceReceiver *sr, Datum *bounds,
						   ProgressState *progress, int v, int nviews);

/*
 * HistParallelScan reads scan (a direct scan) into sr with parallel
 * workers, each joining the blocks it reads with its own copy of hv's
 * view, and merges their candidates into hv->pv. Returns false, having
 * read nothing, when the read does not warrant workers (or cannot have
 * them): the caller reads it in one process.
 */
extern bool HistParallelScan(HistView *hv, const HistScan *scan, HistSourceReceiver *sr,
							 ProgressState *progress);

/*
 * HistSourceReceive is the receiveSlot of a HistSourceReceiver: it offers
 * the row to sr->hv->pv (progress reported when sr->progress is set).
 */
extern bool HistSourceReceive(TupleTableSlot *slot, DestReceiver *self);

/* HistInitReceiver makes dest a receiver whose receiveSlot is receive. */
extern void HistInitReceiver(DestReceiver *dest,
							 bool (*receive) (TupleTableSlot *slot, DestReceiver *self));

/*
 * HistEmitRow puts one result row into es's tuplestore: values/nulls are
 * the entity_df's columns followed by every view's engine columns (schema
 * features, then aggregations), put in request order with es->map.
 */
extern void HistEmitRow(void *arg, Datum *values, bool *nulls);

/*
 * Beyond offline_store.max_memory (historical_spill.c). HistSpillRowBytes
 * estimates the engine's memory per entity row for the in-memory run of
 * plan (its views created), beside the row itself. HistSpillBegin takes
 * over the entity rows read so far (ents, destroyed), est_rows being the
 * expected number of entity rows in all, its memory under cxt; HistSpillAddEntity takes each
 * further one; HistSpillRun does the retrieval in partitions and emits the
 * result rows through HistEmitRow(es, ...). Caller is connected to SPI.
 */
typedef struct HistSpill HistSpill;

extern Size HistSpillRowBytes(HistPlan *plan);
extern HistSpill *HistSpillBegin(HistPlan *plan, PitEntities *ents, double est_rows,
								 MemoryContext cxt, ProgressState *progress);
extern void HistSpillAddEntity(HistSpill *spill, TupleTableSlot *slot);
extern void HistSpillRun(HistSpill *spill, HistEmitState *es);

#endif							/* OFS_HISTORICAL_INT_H */
