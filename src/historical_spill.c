/*-------------------------------------------------------------------------
 *
 * historical_spill.c
 *		feast_historical beyond offline_store.max_memory: the point-in-time
 *		join in partitions on temporary files, as a hash join's batches.
 *
 * historical.c reads the entity rows into the engine (pit_join.c) while
 * the estimated memory of the in-memory run (the rows, and per row what
 * every view needs: PitViewRowBytes, PitViewAnswerBytes) stays within
 * offline_store.max_memory. Past it, the rows read so far and the rest go
 * to temporary files, and the retrieval goes on here, one feature view at
 * a time (a "stage"):
 *
 * 1. The entity rows of the stage are in partitions by the hash of the
 *	  view's join key values, the hash the engine's own hash table uses
 *	  (PitViewEntityHash: the hash functions of the key operator's hash
 *	  family, which hash equal values alike across the two sides' types,
 *	  or the bits of integer keys), so that the entity rows of one key, as
 *	  the resolved operator and collation define it, are in one partition.
 *	  A filter of those hashes is kept on the side (PitSpillFilter).
 * 2. The view's source is read once, as in memory (directly or through the
 *	  executor, in the window the entity rows need), and each row whose key
 *	  can match (not NULL, its hash in the filter) is written, with only
 *	  the columns the view needs, to the partition of its key's hash
 *	  (PitViewSourceHash). A view whose rows cannot be partitioned (an
 *	  entity-less view, a key whose equality has no hash support) has one
 *	  partition on each side.
 * 3. The partitions are joined in batches: consecutive partitions whose
 *	  entity rows fit in memory together are loaded into the in-memory
 *	  engine with that view alone, their source partitions are fed to it,
 *	  and its result rows (the entity row, the previous views' features,
 *	  this view's) go to the next stage's partitions, by the next view's
 *	  key, or to the result. A partition whose entity rows alone do not fit
 *	  (many rows of one key: skew; or the single partition of a view that
 *	  cannot be partitioned) is joined in chunks of the rows that fit, each
 *	  chunk reading the partition's source rows again.
 *
 * Results are those of the in-memory run: an entity row's answer (its
 * winner; its aggregations) depends only on the source rows with its key,
 * all of which are in its partition, and the engine applies each row's own
 * window (ttl, aggregation windows, created, as_of) whatever else is in
 * the batch; so any subset of a partition's entity rows, a chunk included,
 * joined with all its source rows, gets the answers it gets in memory. A
 * source partition holds its rows in the source's order, so the
 * aggregations of a batch see them in the order memory sees them; a
 * chunk's positions differ, so floating-point aggregations may differ in
 * their last bits, as between two plans. Every entity row gives one result
 * row; only the order of the rows differs (partition by partition).
 *
 * Memory: per batch, the engine over the batch's rows (estimated as the
 * in-memory run estimates it); beside it the filter (at most a sixteenth
 * of the budget) and a buffer per open file (BLCKSZ). The files are
 * BufFiles (pit_spill.c): temp_tablespaces, temp_file_limit, deleted at
 * the end of the transaction.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_spill.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "historical_int.h"
#include "pit_spill.h"

/* Share of the budget a batch's engine may use: the rest is slack. */
#define SPILL_BATCH_SHARE 0.75
/* Partitions per stage: at most, and how full they are planned. */
#define SPILL_MAX_PARTITIONS 1024
#define SPILL_PARTITION_FILL 0.5

/* One feature view's stage: its entity rows, partitioned. */
typedef struct HistStage
{
	int			v;				/* the view, in request order */
	HistView   *hv;
	int			ts_attno;		/* of the entity rows */
	MemoryContext cxt;			/* the stage's files and tables */
	TupleDesc	desc;			/* of the entity rows: the stored entity
								 * columns, then the previous views'
								 * engine columns */
	PitEntities *tmpl_ents;		/* an empty engine holding tmpl */
	PitView    *tmpl;			/* the view, to hash keys and get windows */
	bool		partitioned;
	int			nparts;			/* partitions of the key hash */
	int			nfiles;			/* files of entity rows: the partitions, and
								 * (partitioned) one more for the rows that
								 * match nothing (a NULL key or time) */
	PitSpillFile **parts;		/* the entity rows */
	PitSpillFilter *filter;		/* their key hashes (partitioned only) */
	int64		nrows;
	double		planned_rows;	/* the rows its partitions were planned for */
	int64		source_kept;	/* source rows written to the files */
	int64		source_reads;	/* source rows read back from them */
	bool		any;			/* some row has a time and keys */
	int64		min_t;			/* of those */
	int64		max_t;
	Datum	   *values;			/* a row of desc */
	bool	   *nulls;
} HistStage;

struct HistSpill
{
	HistPlan   *plan;
	MemoryContext cxt;
	ProgressState *progress;
	Size		budget;
	HistStage  *first;			/* the first view's stage */
	HistEmitState *es;			/* the result (HistSpillRun) */
	Datum	   *out_values;		/* a result row */
	bool	   *out_nulls;
};

/* The DestReceiver writing a view's source rows to partitions. */
typedef struct SpillSourceReceiver
{
	HistSourceReceiver base;	/* HistReadSource's part */
	HistStage  *stage;
	PitSpillFile **parts;
	int			nparts;
	TupleDesc	desc;			/* ts, created, keys, features, aggregated */
	int			ncols;
	int64		lo;				/* the window, raw */
	int64		hi;
	bool		filter_created;
	bool		has_as_of;
	int64		as_of;
	Datum	   *values;
	bool	   *nulls;
	int64		kept;
} SpillSourceReceiver;

/* Where a batch's result rows go. */
typedef struct SpillEmit
{
	HistSpill  *spill;
	HistStage  *next;			/* NULL: the result */
	int64		count;
} SpillEmit;

static HistStage *stage_create(HistSpill *spill, int v, TupleDesc desc,
							   double rows, double tuple_bytes);
static void stage_add(HistStage *st, const Datum *values, const bool *nulls,
					  MinimalTuple tuple);
static void stage_destroy(HistStage *st);
static TupleDesc next_desc(HistStage *st);
static double view_tuple_growth(HistView *hv);
static Size row_cost(HistStage *st);
static Size batch_budget(HistSpill *spill, HistStage *st, HistStage *next);
static TupleDesc source_desc(HistView *hv);
static void partition_source(HistSpill *spill, HistStage *st, PitSpillFile **sparts,
							 int nsparts, TupleDesc sdesc);
static bool spill_source_receive(TupleTableSlot *slot, DestReceiver *self);
static int64 run_batch(HistSpill *spill, HistStage *st, HistStage *next,
					   int first, int last, int64 limit,
					   PitSpillFile **sparts, TupleDesc sdesc);
static void spill_emit(void *arg, Datum *values, bool *nulls);

/*
 * HistSpillRowBytes: the in-memory run keeps every view's answers until it
 * emits, and joins one view at a time.
 */
Size
HistSpillRowBytes(HistPlan *plan)
{
	Size		answers = 0;
	Size		joining = 0;

	for (int v = 0; v < plan->nviews; v++)
	{
		answers += PitViewAnswerBytes(plan->views[v].pv);
		joining = Max(joining, PitViewRowBytes(plan->views[v].pv));
	}
	return PIT_ENTITY_ROW_BYTES + answers + joining;
}

/*
 * stage_create makes the stage of view v, whose entity rows (about rows of
 * them, tuple_bytes each) have desc, with as many partitions as they need
 * to fit the budget in batches.
 */
static HistStage *
stage_create(HistSpill *spill, int v, TupleDesc desc, double rows, double tuple_bytes)
{
	HistPlan   *plan = spill->plan;
	HistView   *hv = &plan->views[v];
	MemoryContext cxt = AllocSetContextCreate(spill->cxt, "offline_store spill stage",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	HistStage  *st = palloc0(sizeof(HistStage));

	st->v = v;
	st->hv = hv;
	st->planned_rows = rows;
	st->ts_attno = plan->ts_attno;
	st->cxt = cxt;
	st->desc = desc;
	st->tmpl_ents = PitEntitiesCreate(cxt, desc, plan->ts_attno, desc->natts);
	st->tmpl = PitViewCreate(st->tmpl_ents, hv->req->view->nkeys, hv->engine_attnos,
							 hv->keyops, hv->req->view->ttl_usec,
							 plan->args->filter_by_created && hv->created_col != NULL,
							 hv->nplain, hv->feature_desc);
	for (int a = 0; a < hv->naggs; a++)
		PitViewAddAggregation(st->tmpl, &hv->aggfns[a], hv->agg_colls[a],
							  hv->aggs[a]->window_usec);
	if (plan->args->has_as_of)
		PitViewSetAsOf(st->tmpl, plan->args->as_of);
	st->partitioned = PitViewPartitionable(st->tmpl);
	st->nparts = 1;
	if (st->partitioned)
	{
		double		need = rows * (tuple_bytes + (double) (PIT_ENTITY_ROW_BYTES +
														   PitViewRowBytes(st->tmpl)));
		double		per_batch = spill->budget * SPILL_BATCH_SHARE * SPILL_PARTITION_FILL;

		st->nparts = PitSpillPow2(need / Max(per_batch, 1.0), SPILL_MAX_PARTITIONS);
		st->filter = PitSpillFilterCreate(rows, spill->budget / 16);
	}
	/*
	 * Rows that match nothing have a file of their own, whose source file
	 * stays empty: joining them in chunks (an entity-less retrieval's rows
	 * of other views' keys are many) reads no source rows again.
	 */
	st->nfiles = st->partitioned ? st->nparts + 1 : 1;
	st->parts = palloc(sizeof(PitSpillFile *) * st->nfiles);
	for (int p = 0; p < st->nfiles; p++)
		st->parts[p] = PitSpillFileCreate();
	st->min_t = PG_INT64_MAX;
	st->max_t = PG_INT64_MIN;
	st->values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	st->nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	MemoryContextSwitchTo(old);
	return st;
}

/*
 * stage_add writes an entity row of the stage (values/nulls by column of
 * st->desc; tuple, when not NULL, the row formed) to the partition of its
 * key hash. A row with no time or a NULL key matches nothing: it goes to
 * the first partition, to be emitted with no answer.
 */
static void
stage_add(HistStage *st, const Datum *values, const bool *nulls, MinimalTuple tuple)
{
	int			ts_attno = st->ts_attno;
	int			part = st->nfiles - 1;	/* unless it can match */

	if (!nulls[ts_attno])
	{
		uint32		hash = 0;
		bool		match = PitViewEntityHash(st->tmpl, values, nulls, &hash);

		if (match)
		{
			int64		t = DatumGetInt64(values[ts_attno]);

			st->any = true;
			st->min_t = Min(st->min_t, t);
			st->max_t = Max(st->max_t, t);
			if (st->partitioned)
			{
				PitSpillFilterAdd(st->filter, hash);
				part = PitSpillPartition(hash, 0, st->nparts);
			}
		}
	}
	if (tuple != NULL)
		PitSpillFileWrite(st->parts[part], tuple);
	else
		PitSpillFileWriteValues(st->parts[part], st->desc, values, nulls);
	st->nrows++;
}

/* stage_add for a stored entity row of the stage's columns, the n-th added. */
static void
stage_add_tuple(HistStage *st, MinimalTuple tuple, int64 n)
{
	PitSpillDeform(st->desc, tuple, st->values, st->nulls);
	stage_add(st, st->values, st->nulls, tuple);
	if ((n & PROGRESS_CHECK_MASK) == 0)
		CHECK_FOR_INTERRUPTS();
}

/* Close a stage's files and free it. */
static void
stage_destroy(HistStage *st)
{
	for (int p = 0; p < st->nfiles; p++)
		PitSpillFileClose(st->parts[p]);
	MemoryContextDelete(st->cxt);
}

/*
 * The entity rows of the next stage: this stage's, then the view's engine
 * columns (schema features with the source's types, then aggregations).
 */
static TupleDesc
next_desc(HistStage *st)
{
	HistView   *hv = st->hv;
	int			natts = st->desc->natts;
	TupleDesc	desc = CreateTemplateTupleDesc(natts + hv->nplain + hv->naggs);
	int			att = natts;

	for (int i = 0; i < natts; i++)
		TupleDescCopyEntry(desc, i + 1, st->desc, i + 1);
	for (int f = 0; f < hv->nplain; f++, att++)
		TupleDescCopyEntry(desc, att + 1, hv->feature_desc, f + 1);
	for (int a = 0; a < hv->naggs; a++, att++)
		TupleDescInitEntry(desc, att + 1, NULL, hv->aggfns[a].result_type, -1, 0);
	return desc;
}

/* About how many bytes a view's engine columns add to an entity row. */
static double
view_tuple_growth(HistView *hv)
{
	double		bytes = 0;

	for (int f = 0; f < hv->nplain; f++)
	{
		Form_pg_attribute a = TupleDescAttr(hv->feature_desc, f);

		bytes += a->attlen > 0 ? a->attlen : 32;
	}
	return bytes + 16.0 * hv->naggs;
}

/* The memory an entity row of a stage costs in a batch, beside its bytes. */
static Size
row_cost(HistStage *st)
{
	return MAXALIGN(1) + PIT_ENTITY_ROW_BYTES + PitViewRowBytes(st->tmpl);
}

/*
 * The memory a batch's engine may use: the budget's share, less the
 * buffers of the files open meanwhile (this stage's, the source's, the
 * next stage's) and the next stage's filter.
 */
static Size
batch_budget(HistSpill *spill, HistStage *st, HistStage *next)
{
	double		b = spill->budget * SPILL_BATCH_SHARE;

	b -= (double) (2 * st->nfiles + (next ? next->nfiles : 0)) * (BLCKSZ + 64);
	if (next != NULL && next->filter != NULL)
		b -= PitSpillFilterBytes(next->filter);
	return (Size) Max(b, spill->budget / 8.0);
}

/*
 * HistSpillBegin: the rows in ents go to the first stage's partitions,
 * which are made for est_rows rows of their average size. The spill's
 * memory is a context under cxt (the call's: the executor feeding the
 * rows has a shorter one).
 */
HistSpill *
HistSpillBegin(HistPlan *plan, PitEntities *ents, double est_rows, MemoryContext cxt,
			   ProgressState *progress)
{
	MemoryContext spillcxt = AllocSetContextCreate(cxt, "offline_store spill",
												   ALLOCSET_DEFAULT_SIZES);
	HistSpill  *spill = MemoryContextAllocZero(spillcxt, sizeof(HistSpill));
	int64		n = PitEntitiesCount(ents);
	double		bytes = 0;
	HistStage  *st;

	spill->plan = plan;
	spill->cxt = spillcxt;
	spill->progress = progress;
	spill->budget = PitSpillBudget();
	for (int64 r = 0; r < n; r++)
		bytes += PitEntitiesTuple(ents, r)->t_len;
	st = stage_create(spill, 0, plan->stored_desc, est_rows, n > 0 ? bytes / n : 64);
	spill->first = st;
	for (int64 r = 0; r < n; r++)
		stage_add_tuple(st, PitEntitiesTuple(ents, r), r);
	PitEntitiesDestroy(ents);
	for (int v = 0; v < plan->nviews; v++)
		plan->views[v].pv = NULL;	/* they were ents' */
	return spill;
}

void
HistSpillAddEntity(HistSpill *spill, TupleTableSlot *slot)
{
	bool		should_free;
	MinimalTuple tuple;

	slot_getallattrs(slot);
	tuple = ExecFetchSlotMinimalTuple(slot, &should_free);
	if (tuple->t_infomask & HEAP_HASEXTERNAL)
	{
		/*
		 * Values stored out of line are fetched into the file, as the
		 * engine fetches them: the file's bytes are what a batch will hold.
		 */
		MinimalTuple flat = PitFlattenMinimal(slot->tts_tupleDescriptor, (const char *) tuple);

		stage_add(spill->first, slot->tts_values, slot->tts_isnull, flat);
		pfree(flat);
	}
	else
		stage_add(spill->first, slot->tts_values, slot->tts_isnull, tuple);
	if (should_free)
		pfree(tuple);
}

/*
 * The columns a view's source rows keep in their partitions: ts and
 * created (raw int64), the keys as the engine compares them, the schema
 * features, the aggregated columns; PitViewAddCandidate's order.
 */
static TupleDesc
source_desc(HistView *hv)
{
	int			nkeys = hv->req->view->nkeys;
	TupleDesc	desc = CreateTemplateTupleDesc(2 + nkeys + hv->nplain + hv->naggs);
	int			att = 1;

	TupleDescInitEntry(desc, att++, NULL, INT8OID, -1, 0);
	TupleDescInitEntry(desc, att++, NULL, INT8OID, -1, 0);
	for (int k = 0; k < nkeys; k++)
		TupleDescInitEntry(desc, att++, NULL,
						   hv->key_match[k].rconvert ? hv->key_match[k].rtype : hv->key_types[k],
						   -1, 0);
	for (int f = 0; f < hv->nplain; f++)
		TupleDescCopyEntry(desc, att++, hv->feature_desc, f + 1);
	for (int a = 0; a < hv->naggs; a++)
		TupleDescInitEntry(desc, att++, NULL, hv->aggfns[a].input_type, -1, 0);
	return desc;
}

/*
 * spill_source_receive writes a source row to the partition of its key
 * hash, with the columns of source_desc, unless it cannot be a candidate
 * of any entity row of the stage: no timestamp, outside the window, a
 * NULL key, a key hash no entity row has, or hidden by
 * filter_by_created_timestamp or as_of.
 */
static bool
spill_source_receive(TupleTableSlot *slot, DestReceiver *self)
{
	SpillSourceReceiver *r = (SpillSourceReceiver *) self;
	HistStage  *st = r->stage;
	const int  *map = r->base.attmap;
	int			nkeys = r->base.nkeys;
	Datum	   *values;
	bool	   *isnull;
	int64		ts;
	bool		created_null = true;
	int64		created = 0;
	int			part = 0;
	int			c = 0;

	if ((++r->base.count & PROGRESS_CHECK_MASK) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		ProgressUpdate(r->base.progress, r->base.count);
	}
	slot_getsomeattrs(slot, r->base.natts);
	values = slot->tts_values;
	isnull = slot->tts_isnull;
	if (isnull[map[0]])
		return true;
	ts = DatumGetInt64(values[map[0]]);
	if (ts < r->lo || ts > r->hi)
		return true;
	if (map[1] >= 0 && !isnull[map[1]])
	{
		created_null = false;
		created = DatumGetInt64(values[map[1]]);
	}
	if (r->filter_created && created_null)
		return true;
	if (r->has_as_of && (created_null ? ts : created) > r->as_of)
		return true;
	if (st->partitioned)
	{
		uint32		hash;

		if (!PitViewSourceHash(st->tmpl, values, isnull, &map[2], &hash) ||
			!PitSpillFilterTest(st->filter, hash))
			return true;
		part = PitSpillPartition(hash, 0, r->nparts);
	}
	else
		for (int k = 0; k < nkeys; k++)
			if (isnull[map[2 + k]])
				return true;

	r->values[c] = Int64GetDatum(ts);
	r->nulls[c++] = false;
	r->values[c] = Int64GetDatum(created);
	r->nulls[c++] = created_null;
	for (int i = 2; c < r->ncols; i++, c++)
	{
		r->values[c] = values[map[i]];
		r->nulls[c] = isnull[map[i]];
	}
	PitSpillFileWriteValues(r->parts[part], r->desc, r->values, r->nulls);
	r->kept++;
	return true;
}

/*
 * partition_source reads the stage's view's source once, in the window its
 * entity rows need, into nsparts partitions (sdesc's columns).
 */
static void
partition_source(HistSpill *spill, HistStage *st, PitSpillFile **sparts, int nsparts,
				 TupleDesc sdesc)
{
	HistPlan   *plan = spill->plan;
	HistView   *hv = st->hv;
	SpillSourceReceiver r;
	Datum		bounds[2];
	int64		lo;
	int64		hi;

	PitViewReadWindow(st->tmpl, st->min_t, st->max_t, &lo, &hi);
	memset(&r, 0, sizeof(r));
	HistInitReceiver(&r.base.pub, spill_source_receive);
	r.base.hv = hv;
	r.base.progress = spill->progress;
	r.base.nkeys = hv->req->view->nkeys;
	r.base.nfeatures = hv->nplain;
	r.stage = st;
	r.parts = sparts;
	r.nparts = st->nparts;		/* the last of nsparts, if more, stays empty */
	r.desc = sdesc;
	r.ncols = sdesc->natts;
	r.lo = lo;
	r.hi = hi;
	r.filter_created = plan->args->filter_by_created && hv->created_col != NULL;
	r.has_as_of = plan->args->has_as_of;
	r.as_of = plan->args->as_of;
	r.values = palloc(sizeof(Datum) * sdesc->natts);
	r.nulls = palloc(sizeof(bool) * sdesc->natts);
	bounds[0] = TimestampTzGetDatum(lo);
	bounds[1] = TimestampTzGetDatum(hi);
	HistReadSource(hv, &r.base, bounds, spill->progress, st->v, plan->nviews);
	st->source_kept = r.kept;
	pfree(r.values);
	pfree(r.nulls);
}

/*
 * spill_emit takes a result row of a batch: the stage's entity row, then
 * the view's engine columns. It goes to the next stage, or to the result
 * without the converted key columns the engine compared.
 */
static void
spill_emit(void *arg, Datum *values, bool *nulls)
{
	SpillEmit  *se = (SpillEmit *) arg;
	HistSpill  *spill = se->spill;

	if (se->next != NULL)
		stage_add(se->next, values, nulls, NULL);
	else
	{
		HistPlan   *plan = spill->plan;
		int			nentity = plan->entity_desc->natts;
		int			nstored = plan->stored_desc->natts;
		int			natts = plan->result_desc->natts;

		for (int i = 0; i < nentity; i++)
		{
			spill->out_values[i] = values[i];
			spill->out_nulls[i] = nulls[i];
		}
		for (int i = nentity; i < natts; i++)
		{
			spill->out_values[i] = values[nstored + i - nentity];
			spill->out_nulls[i] = nulls[nstored + i - nentity];
		}
		HistEmitRow(spill->es, spill->out_values, spill->out_nulls);
	}
	se->count++;
}

/*
 * run_batch joins the entity rows of the stage's partitions first to last
 * (at most limit rows, read from where the partition's file stands: a
 * chunk; -1: all) with their source partitions (sparts[first .. last], or
 * sparts[0] for a stage with one), in memory, and emits the result rows.
 * Returns the number of entity rows joined.
 */
static int64
run_batch(HistSpill *spill, HistStage *st, HistStage *next, int first, int last,
		  int64 limit, PitSpillFile **sparts, TupleDesc sdesc)
{
	HistPlan   *plan = spill->plan;
	HistView   *hv = st->hv;
	int			nkeys = hv->req->view->nkeys;
	MemoryContext cxt = AllocSetContextCreate(st->cxt, "offline_store spill batch",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	PitEntities *ents = PitEntitiesCreate(cxt, st->desc, plan->ts_attno, st->desc->natts);
	PitView    *pv;
	int64		n = 0;
	int64		lo;
	int64		hi;
	int			nsrc = st->partitioned ? last - first + 1 : 1;
	SpillEmit	se;

	pv = PitViewCreate(ents, nkeys, hv->engine_attnos, hv->keyops, hv->req->view->ttl_usec,
					   plan->args->filter_by_created && hv->created_col != NULL,
					   hv->nplain, hv->feature_desc);
	for (int a = 0; a < hv->naggs; a++)
		PitViewAddAggregation(pv, &hv->aggfns[a], hv->agg_colls[a], hv->aggs[a]->window_usec);
	if (plan->args->has_as_of)
		PitViewSetAsOf(pv, plan->args->as_of);

	for (int p = first; p <= last; p++)
	{
		MinimalTuple tuple;

		while ((limit < 0 || n < limit) && (tuple = PitSpillFileRead(st->parts[p])) != NULL)
		{
			PitEntitiesAdd(ents, tuple);
			if ((++n & PROGRESS_CHECK_MASK) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}

	/* (when no entity row can match, nothing to read) */
	if (PitViewBuild(pv, &lo, &hi))
	{
		int		   *key_cols = palloc(sizeof(int) * Max(nkeys, 1));
		int		   *feature_cols = palloc(sizeof(int) * Max(hv->nplain, 1));
		int		   *agg_cols = palloc(sizeof(int) * Max(hv->naggs, 1));
		Datum	   *values = palloc(sizeof(Datum) * sdesc->natts);
		bool	   *nulls = palloc(sizeof(bool) * sdesc->natts);
		int64		rows = 0;

		for (int k = 0; k < nkeys; k++)
			key_cols[k] = 2 + k;
		for (int f = 0; f < hv->nplain; f++)
			feature_cols[f] = 2 + nkeys + f;
		for (int a = 0; a < hv->naggs; a++)
			agg_cols[a] = 2 + nkeys + hv->nplain + a;
		for (int i = 0; i < nsrc; i++)
		{
			PitSpillFile *sf = sparts[st->partitioned ? first + i : 0];
			MinimalTuple tuple;

			PitSpillFileRewind(sf);
			while ((tuple = PitSpillFileRead(sf)) != NULL)
			{
				int64		ts;

				if ((++rows & PROGRESS_CHECK_MASK) == 0)
					CHECK_FOR_INTERRUPTS();
				PitSpillDeform(sdesc, tuple, values, nulls);
				ts = DatumGetInt64(values[0]);
				if (ts < lo || ts > hi)
					continue;	/* outside this batch's windows */
				PitViewAddCandidate(pv, ts, nulls[1], nulls[1] ? 0 : DatumGetInt64(values[1]),
									values, nulls, key_cols, feature_cols, agg_cols);
			}
		}
		st->source_reads += rows;
		PitViewFinish(pv);
	}

	se.spill = spill;
	se.next = next;
	se.count = 0;
	PitEntitiesEmit(ents, spill_emit, &se);
	PitEntitiesDestroy(ents);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return n;
}

/*
 * restage partitions the first stage's entity rows anew when many more came
 * than its partitions were planned for (the planner's estimate of the
 * entity_df, or twice the rows read before spilling: a function's estimate
 * can be far off): otherwise most partitions would be joined in chunks, each
 * reading its source rows again. As a hash join doubles its batches, at the
 * cost of writing the entity rows once more. Returns the stage to use.
 */
static HistStage *
restage(HistSpill *spill, HistStage *st)
{
	HistStage  *bigger;
	double		bytes = 0;
	int64		n = 0;

	if (!st->partitioned || (double) st->nrows <= 2.0 * st->planned_rows)
		return st;
	for (int i = 0; i < st->nfiles; i++)
		bytes += PitSpillFileBytes(st->parts[i]);
	/* (the first stage's rows have the plan's stored columns) */
	bigger = stage_create(spill, st->v, spill->plan->stored_desc, (double) st->nrows,
						  st->nrows > 0 ? bytes / st->nrows : 64);
	if (bigger->nparts <= st->nparts)
	{
		stage_destroy(bigger);
		return st;
	}
	for (int i = 0; i < st->nfiles; i++)
	{
		MinimalTuple tuple;

		PitSpillFileRewind(st->parts[i]);
		while ((tuple = PitSpillFileRead(st->parts[i])) != NULL)
			stage_add_tuple(bigger, tuple, n++);
	}
	elog(DEBUG1, "offline_store: " INT64_FORMAT " entity rows where about %.0f were expected: %d partitions instead of %d",
		 st->nrows, st->planned_rows, bigger->nparts, st->nparts);
	if (st->filter != NULL)
		PitSpillFilterFree(st->filter);
	stage_destroy(st);
	return bigger;
}

/*
 * HistSpillRun: each view's stage in turn: partition its source, join its
 * partitions in batches, its result rows going to the next view's stage or
 * to the result.
 */
void
HistSpillRun(HistSpill *spill, HistEmitState *es)
{
	HistPlan   *plan = spill->plan;
	HistStage  *st;
	MemoryContext old = MemoryContextSwitchTo(spill->cxt);

	spill->es = es;
	elog(DEBUG1, "offline_store: feast_historical continues in partitions on temporary files (offline_store.max_memory is %dkB)",
		 ofs_max_memory);
	spill->out_values = palloc(sizeof(Datum) * Max(plan->result_desc->natts, 1));
	spill->out_nulls = palloc(sizeof(bool) * Max(plan->result_desc->natts, 1));
	st = spill->first = restage(spill, spill->first);

	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = st->hv;
		HistStage  *next = NULL;
		int			nsparts = st->nfiles;
		PitSpillFile **sparts;
		TupleDesc	sdesc;
		Size		budget;
		Size		cost = row_cost(st);
		int64		done = 0;
		int			nbatches = 0;
		int			nchunked = 0;
		int			p;

		MemoryContextSwitchTo(st->cxt);
		sdesc = source_desc(hv);
		sparts = palloc(sizeof(PitSpillFile *) * nsparts);
		for (int i = 0; i < nsparts; i++)
			sparts[i] = PitSpillFileCreate();
		MemoryContextSwitchTo(spill->cxt);

		/* the source, in the partitions of its keys (nothing to read if no row can match) */
		if (st->any)
			partition_source(spill, st, sparts, nsparts, sdesc);
		if (st->filter != NULL)
		{
			PitSpillFilterFree(st->filter);
			st->filter = NULL;
		}

		if (v + 1 < plan->nviews)
		{
			double		bytes = 0;

			for (int i = 0; i < st->nfiles; i++)
				bytes += PitSpillFileBytes(st->parts[i]);
			next = stage_create(spill, v + 1, next_desc(st), (double) st->nrows,
								(st->nrows > 0 ? bytes / st->nrows : 64) + view_tuple_growth(hv));
		}
		budget = batch_budget(spill, st, next);

		ProgressPhase(spill->progress, "rows",
					  "joining feature view \"%s\" (%d of %d) in %d partitions",
					  hv->req->name_to_use, v + 1, plan->nviews, st->nparts);
		ProgressSetTotal(spill->progress, (double) st->nrows, true);
		ProgressUpdate(spill->progress, 0);

		/* batches: consecutive partitions that fit, or chunks of one that does not */
		for (p = 0; p < st->nfiles; p++)
			PitSpillFileRewind(st->parts[p]);
		p = 0;
		while (p < st->nfiles)
		{
			int			last = p;
			double		need = PitSpillFileBytes(st->parts[p]) +
				(double) PitSpillFileCount(st->parts[p]) * cost;

			if (need > budget)
			{
				/* alone, in chunks of the rows that fit */
				double		avg = PitSpillFileCount(st->parts[p]) > 0 ?
					(double) PitSpillFileBytes(st->parts[p]) / PitSpillFileCount(st->parts[p]) : 0;
				int64		limit = (int64) Max(budget / (avg + cost), 1.0);
				int64		left = PitSpillFileCount(st->parts[p]);

				nchunked++;
				while (left > 0)
				{
					int64		n = run_batch(spill, st, next, p, p, limit, sparts, sdesc);

					if (n == 0)
						elog(ERROR, "temporary file of entity rows ended early");
					left -= n;
					done += n;
					nbatches++;
					ProgressUpdate(spill->progress, done);
				}
				p++;
				continue;
			}
			while (last + 1 < st->nfiles &&
				   need + PitSpillFileBytes(st->parts[last + 1]) +
				   (double) PitSpillFileCount(st->parts[last + 1]) * cost <= budget)
			{
				last++;
				need += PitSpillFileBytes(st->parts[last]) +
					(double) PitSpillFileCount(st->parts[last]) * cost;
			}
			done += run_batch(spill, st, next, p, last, -1, sparts, sdesc);
			nbatches++;
			ProgressUpdate(spill->progress, done);
			p = last + 1;
		}
		elog(DEBUG1, "offline_store: feature view \"%s\": " INT64_FORMAT " entity rows in %d partitions, joined in %d batches (%d partitions too large for one, in chunks); " INT64_FORMAT " source rows in partitions, " INT64_FORMAT " read back",
			 hv->req->name_to_use, st->nrows, st->nparts, nbatches, nchunked,
			 st->source_kept, st->source_reads);

		for (int i = 0; i < nsparts; i++)
			PitSpillFileClose(sparts[i]);
		stage_destroy(st);
		st = next;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(spill->cxt);
}
