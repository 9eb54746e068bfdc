/*-------------------------------------------------------------------------
 *
 * pit_agg.c
 *		Windowed aggregations as of each entity row, in the point-in-time
 *		engine's single pass over the source.
 *
 * For an entity row at time t and an aggregation (an SQL aggregate over a
 * source column, a window w), the answer is the aggregate over the source
 * rows with the row's key and t - w < ts <= t (with
 * filter_by_created_timestamp also created <= t): what
 *
 *	 SELECT agg(column) FROM source WHERE key = e.key AND ts > t - w AND ts <= t
 *
 * returns. pit_join.c groups the entity rows by key and sorts each group
 * by time (its "positions"); it hands every source row with the group its
 * key matched to PitAggSetAddRows. A source row with (ts, created) belongs
 * to the windows of a contiguous range of the group's positions: from the
 * first with t >= max(ts[, created]) to the last with t < ts + w. The
 * first is found by binary search, the end by an exponential search from
 * it.
 *
 * Range in, point out: every group has an implicit segment tree over its
 * positions (the bottom-up layout, leaves n..2n-1 for n positions, node x
 * above 2x and 2x+1), and every node holds a transition state of each
 * aggregation. A source row is added, with the aggregate's own transition
 * function, to the O(log n) nodes that cover its range exactly; a
 * position's answer then combines, with the aggregate's combine function,
 * the states of the nodes from its leaf to the root (those cover every
 * range holding the position, each once) and applies the final function.
 * Cost: O(M log n) transitions for M source rows, O(N log n) combines for
 * N entity rows; memory: two nodes per entity row and aggregation, and the
 * states of the nodes some source row reached. The source is read once and
 * never sorted, and nothing is kept per source row.
 *
 * Exactness: the states are PostgreSQL's own. The aggregate is the one the
 * parser resolves for the column's type (PitAggLookup), and the engine
 * drives its transition, combine and final functions as nodeAgg.c does for
 * a parallel aggregate: strict functions skip NULL inputs, a NULL initial
 * value makes the first input the state, by-reference states are kept in
 * the aggregate's memory context. The functions are called with a
 * WindowAggState as their context, as a window aggregate calls them
 * (AggCheckCallContext then gives them our context for their states, and
 * they may update a state in place). Sums and averages of integers and
 * numerics, and their standard deviations, accumulate exactly (int8,
 * int128 or numeric states), so their results are exactly the SQL
 * aggregate's, to the last digit and the numeric's scale. Floating point
 * states (sum, avg and stddev_samp of real and double precision) are
 * combined as PostgreSQL combines the partial states of a parallel
 * aggregate, so, as between two plans of the same query, the last bits can
 * differ from a sequential scan's; min, max and count are exact for every
 * type.
 *
 * Native aggregates: the most common ones (AggKind: count; sum, avg,
 * stddev_samp, min and max of double precision; min and max of real and
 * of integers) do not go through fmgr. Their states are plain numbers kept
 * in the nodes themselves (avg and stddev_samp: float8_accum's N, Sx and
 * Sxx, three Datums), and the engine repeats their support functions'
 * arithmetic: float8pl with its overflow check, float8_accum's and
 * float8_combine's updates with theirs, float8larger's order (NaN above
 * all, a tie gives the second argument), int8inc_any and int8pl. The
 * order is the generic path's (transitions in source order, a position's
 * states combined from its leaf to the root, from the initial value), so
 * results and errors are the same to the bit; offline_store.native_aggregates
 * off sends every aggregate through its functions, and
 * sql/aggregations_native compares the two. Native aggregations of the
 * same column and window share their states (agg_layout): count and sum
 * read avg's N and Sx, min and max learn from N whether a node has a value,
 * so that sum, count, avg and max of a column take four Datums a node and
 * one update of each; sql/aggregations_shared compares them with the
 * support functions and with the literal SQL.
 *
 * Memory: the nodes and the answers are arrays of the engine (on huge
 * pages where it can, pit_join.c); the contexts are the set's own
 * (functions, their call info), statecxt (the states that point to memory
 * of their own, freed when the set is finished), tmpcxt (reset after every
 * batch of source rows and every group of positions) and resultcxt (the
 * by-reference answers, until they are emitted). Source rows come in
 * batches whose memory misses overlap (PitAggSetAddRows). The nodes of a
 * fresh mapping are not cleared (the system zeroes its pages), and a view
 * without the join has its own compact copy of the positions' times.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/pit_agg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "pit_agg.h"

/* PIT_ALLOCSET_SIZES of pit_join.c */
#define AGG_ALLOCSET_SIZES	0, ((Size) 8 * 1024), ((Size) 8 * 1024 * 1024)

/* A node's state of one aggregation */
#define AGG_NOVALUE		0		/* no source row reached the node */
#define AGG_NULL		1		/* a NULL state */
#define AGG_VALUE		2		/* a state */

/* at most this many nodes on a path from a leaf to the root (2^31 leaves) */
#define AGG_MAX_PATH	33

/*
 * How an aggregation is computed: through its aggregate's support functions
 * (AGG_GENERIC), or natively, with the same arithmetic in the same order, for
 * the common aggregates whose states are plain numbers. In a node, a native
 * state is a Datum as the support function would hold it (count: an int8;
 * sum, min, max: the value of its type), or, for the float8 accumulators of
 * avg and stddev_samp, N, Sx and Sxx in three Datums.
 */
typedef enum AggKind
{
	AGG_GENERIC,
	AGG_COUNT,					/* int8inc_any, int8pl */
	AGG_SUM_FLOAT8,				/* float8pl */
	AGG_MAX,					/* int2/int4/int8/float4/float8 larger */
	AGG_MIN,					/* the same smaller */
	AGG_AVG_FLOAT8,				/* float8_accum, float8_combine, float8_avg */
	AGG_STDDEV_FLOAT8			/* the same, float8_stddev_samp */
} AggKind;

/* offline_store.native_aggregates */
static bool agg_native = true;

/* One aggregation: its aggregate's support functions and its window. */
typedef struct PitAgg
{
	int64		window;
	AggKind		kind;
	Oid			cmp_type;		/* AGG_MAX, AGG_MIN: the type compared */
	int			column;			/* PitAggFunc.column */
	int			slot;			/* its first Datum in a node */
	bool		writer;			/* it updates its slots (else another does) */
	int			flag;			/* its flag in a node, or -1: none */
	int			nslot;			/* or its slot of N, or -1: none */
	bool		n_float;		/* N is float8_accum's (else a count) */
	Oid			result_type;
	int16		result_len;
	bool		result_byval;
	Oid			transtype;
	int16		trans_len;
	bool		trans_byval;
	bool		has_initval;
	Datum		initval;		/* in the set's context */
	bool		has_final;
	bool		state_pointer;	/* a state points to memory of its own */
	int			window_index;	/* of window in the set's windows */
	FmgrInfo	transfn;
	FmgrInfo	combinefn;
	FmgrInfo	finalfn;
	FunctionCallInfo trans_call;
	FunctionCallInfo combine_call;
	FunctionCallInfo final_call;
	Datum		empty;			/* the answer for an empty window */
	bool		empty_isnull;
} PitAgg;

struct PitAggSet
{
	struct PitEntities *ents;	/* whose arrays the nodes and answers are */
	MemoryContext cxt;
	MemoryContext statecxt;
	MemoryContext tmpcxt;
	MemoryContext resultcxt;
	WindowAggState *winstate;	/* the context the support functions see */
	int			naggs;
	int			maxaggs;
	int			nslots;			/* Datums of a node */
	int			nflags;			/* flags of a node */
	PitAgg	  **aggs;			/* each allocated once: its calls point into it */
	int64		max_window;

	/* after PitAggSetBuild */
	int			nwindows;		/* the distinct windows */
	int64	   *windows;
	bool		prefetch_states;	/* some state points to memory of its own */
	int		   *ops;			/* the writers, window by window (agg_add) */
	int		   *ops_start;		/* nwindows + 1 */
	int32	   *batch_hi;		/* PIT_AGG_MAX_ROWS * nwindows range ends */
	int32		npos;
	int32		nrows;
	const int64 *times;			/* t of each position, every times_stride */
	int			times_stride;
	int64	   *own_times;		/* the compact copy, or NULL */
	Size		stride;			/* of a node: nslots Datums, then nflags flags */
	char	   *nodes;			/* 2 * npos nodes, 2 * start + x for node x of
								 * the group starting at position start */
	Datum	   *results;		/* nrows * naggs answers */
	bool	   *result_nulls;
};

#define NODE_VALUES(set, node) \
	((Datum *) ((set)->nodes + (Size) (node) * (set)->stride))
#define NODE_FLAGS(set, node) \
	((uint8 *) (NODE_VALUES(set, node) + (set)->nslots))

static Datum agg_final(PitAggSet *set, PitAgg *agg, Datum state, bool isnull,
					   bool *result_isnull);

/* A copy of a by-reference value in cxt. */
static Datum
copy_in(MemoryContext cxt, Datum value, int16 typlen)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Datum		copy = datumCopy(value, false, typlen);

	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * PitAggLookup resolves an aggregate as the parser resolves
 * pg_catalog.sqlname(column) for a column of type argtype, and checks that
 * the engine can compute it.
 */
bool
PitAggLookup(const char *sqlname, Oid argtype, PitAggFunc *fn)
{
	List	   *name = list_make2(makeString("pg_catalog"), makeString(pstrdup(sqlname)));
	Oid			argtypes[1];
	Oid			funcid;
	Oid			rettype;
	bool		retset;
	int			nvargs;
	Oid			vatype;
	Oid		   *true_typeids = NULL;
	HeapTuple	tup;
	Form_pg_aggregate aggform;
	bool		ok;

	argtypes[0] = argtype;
	if (func_get_detail(name, NIL, NIL, 1, argtypes, false, false, false,
						&funcid, &rettype, &retset, &nvargs, &vatype,
						&true_typeids, NULL) != FUNCDETAIL_AGGREGATE)
		return false;
	/* the column as it is: no conversion but a binary-coercible one */
	if (retset || !IsBinaryCoercible(argtype, true_typeids[0]) ||
		IsPolymorphicType(true_typeids[0]) || IsPolymorphicType(rettype))
		return false;

	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		return false;
	aggform = (Form_pg_aggregate) GETSTRUCT(tup);
	ok = aggform->aggkind == AGGKIND_NORMAL && aggform->aggnumdirectargs == 0 &&
		OidIsValid(aggform->aggcombinefn) &&
		!IsPolymorphicType(aggform->aggtranstype) &&
		(!OidIsValid(aggform->aggfinalfn) ||
		 (aggform->aggfinalmodify == AGGMODIFY_READ_ONLY && !aggform->aggfinalextra));
	ReleaseSysCache(tup);
	if (!ok)
		return false;

	fn->aggfnoid = funcid;
	fn->input_type = argtype;
	fn->result_type = rettype;
	fn->column = -1;
	return true;
}

/* PitAggSetCreate makes an empty set of aggregations in a context under parent. */
PitAggSet *
PitAggSetCreate(MemoryContext parent, struct PitEntities *ents)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "offline_store aggregations",
											  AGG_ALLOCSET_SIZES);
	PitAggSet  *set = MemoryContextAllocZero(cxt, sizeof(PitAggSet));
	MemoryContext old;

	set->cxt = cxt;
	set->ents = ents;
	set->statecxt = AllocSetContextCreate(cxt, "offline_store aggregation states",
										  AGG_ALLOCSET_SIZES);
	set->tmpcxt = AllocSetContextCreate(cxt, "offline_store aggregation work",
										AGG_ALLOCSET_SIZES);
	set->resultcxt = AllocSetContextCreate(cxt, "offline_store aggregation results",
										   AGG_ALLOCSET_SIZES);
	old = MemoryContextSwitchTo(cxt);
	set->winstate = makeNode(WindowAggState);
	MemoryContextSwitchTo(old);
	set->winstate->curaggcontext = set->statecxt;
	set->maxaggs = 4;
	set->aggs = MemoryContextAllocZero(cxt, sizeof(PitAgg *) * set->maxaggs);
	return set;
}

/* Call info for fn with nargs arguments, the aggregate's collation and context. */
static FunctionCallInfo
agg_call(PitAggSet *set, FmgrInfo *fn, int nargs, Oid collation)
{
	FunctionCallInfo fcinfo = MemoryContextAllocZero(set->cxt, SizeForFunctionCallInfo(nargs));

	InitFunctionCallInfoData(*fcinfo, fn, nargs, collation, (Node *) set->winstate, NULL);
	return fcinfo;
}

/*
 * PitAggInit registers offline_store.native_aggregates (from _PG_init).
 */
void
PitAggInit(void)
{
	DefineCustomBoolVariable("offline_store.native_aggregates",
							 gettext_noop("Computes the common aggregates of windowed aggregations natively."),
							 gettext_noop("count, and sum, avg, stddev_samp, min and max of double precision, min and max of real and integers: the same arithmetic as their support functions, in the same order. Off: through the support functions (for testing)."),
							 &agg_native,
							 true,
							 PGC_USERSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);
}

/*
 * How the engine computes agg (its support functions filled in from
 * aggform): natively when it is one of the
 * aggregates of AggKind, whose states are Datums by value and whose
 * functions are strict.
 */
static AggKind
agg_kind(PitAgg *agg, Form_pg_aggregate aggform)
{
	Oid			trans = aggform->aggtransfn;
	Oid			combine = aggform->aggcombinefn;
	Oid			final = aggform->aggfinalfn;

	/* not where int8 and float8 are by reference */
	if (!agg_native || !FLOAT8PASSBYVAL ||
		!agg->transfn.fn_strict || !agg->combinefn.fn_strict)
		return AGG_GENERIC;
	if (trans == F_INT8INC_ANY && combine == F_INT8PL && !OidIsValid(final) &&
		agg->has_initval && DatumGetInt64(agg->initval) == 0)
		return AGG_COUNT;
	if (trans == F_FLOAT8PL && combine == F_FLOAT8PL && !OidIsValid(final) &&
		!agg->has_initval)
		return AGG_SUM_FLOAT8;
	if (trans == F_FLOAT8_ACCUM && combine == F_FLOAT8_COMBINE && agg->has_initval &&
		(final == F_FLOAT8_AVG || final == F_FLOAT8_STDDEV_SAMP))
	{
		ArrayType  *init = DatumGetArrayTypeP(agg->initval);
		Datum	   *v;
		bool	   *vnull;
		int			nv;

		/* '{0,0,0}' */
		if (ARR_NDIM(init) != 1 || ARR_ELEMTYPE(init) != FLOAT8OID)
			return AGG_GENERIC;
		deconstruct_array(init, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &v, &vnull, &nv);
		if (nv != 3 || vnull[0] || vnull[1] || vnull[2] || DatumGetFloat8(v[0]) != 0.0 ||
			DatumGetFloat8(v[1]) != 0.0 || DatumGetFloat8(v[2]) != 0.0)
			return AGG_GENERIC;
		return final == F_FLOAT8_AVG ? AGG_AVG_FLOAT8 : AGG_STDDEV_FLOAT8;
	}
	if (trans != combine || OidIsValid(final) || agg->has_initval)
		return AGG_GENERIC;
	switch (trans)
	{
		case F_INT2LARGER:
		case F_INT2SMALLER:
			agg->cmp_type = INT2OID;
			break;
		case F_INT4LARGER:
		case F_INT4SMALLER:
			agg->cmp_type = INT4OID;
			break;
		case F_INT8LARGER:
		case F_INT8SMALLER:
			agg->cmp_type = INT8OID;
			break;
		case F_FLOAT4LARGER:
		case F_FLOAT4SMALLER:
			agg->cmp_type = FLOAT4OID;
			break;
		case F_FLOAT8LARGER:
		case F_FLOAT8SMALLER:
			agg->cmp_type = FLOAT8OID;
			break;
		default:
			return AGG_GENERIC;
	}
	return (trans == F_INT2LARGER || trans == F_INT4LARGER || trans == F_INT8LARGER ||
			trans == F_FLOAT4LARGER || trans == F_FLOAT8LARGER) ? AGG_MAX : AGG_MIN;
}

/*
 * PitAggSetAdd adds an aggregation: fn (from PitAggLookup) over values of
 * its input type with collation, in windows of window_usec.
 */
void
PitAggSetAdd(PitAggSet *set, const PitAggFunc *fn, Oid collation, int64 window_usec)
{
	HeapTuple	tup;
	Form_pg_aggregate aggform;
	PitAgg	   *agg;
	Datum		textinit;
	bool		isnull;

	Assert(window_usec > 0);
	if (set->naggs == set->maxaggs)
	{
		set->maxaggs *= 2;
		set->aggs = repalloc(set->aggs, sizeof(PitAgg *) * set->maxaggs);
	}
	agg = MemoryContextAllocZero(set->cxt, sizeof(PitAgg));
	set->aggs[set->naggs++] = agg;
	agg->window = window_usec;
	set->max_window = Max(set->max_window, window_usec);

	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(fn->aggfnoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for aggregate %u", fn->aggfnoid);
	aggform = (Form_pg_aggregate) GETSTRUCT(tup);
	agg->transtype = aggform->aggtranstype;
	get_typlenbyval(agg->transtype, &agg->trans_len, &agg->trans_byval);
	agg->state_pointer = !agg->trans_byval || agg->transtype == INTERNALOID;
	fmgr_info_cxt(aggform->aggtransfn, &agg->transfn, set->cxt);
	fmgr_info_cxt(aggform->aggcombinefn, &agg->combinefn, set->cxt);
	agg->has_final = OidIsValid(aggform->aggfinalfn);
	if (agg->has_final)
		fmgr_info_cxt(aggform->aggfinalfn, &agg->finalfn, set->cxt);
	textinit = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_agginitval, &isnull);
	agg->has_initval = !isnull;
	if (agg->has_initval)
	{
		Oid			typinput;
		Oid			typioparam;
		MemoryContext old = MemoryContextSwitchTo(set->cxt);

		getTypeInputInfo(agg->transtype, &typinput, &typioparam);
		agg->initval = OidInputFunctionCall(typinput, TextDatumGetCString(textinit),
											typioparam, -1);
		MemoryContextSwitchTo(old);
	}
	agg->kind = agg_kind(agg, aggform);
	if (agg->kind != AGG_GENERIC)
		agg->state_pointer = false; /* states in the nodes */
	agg->column = fn->column;
	ReleaseSysCache(tup);

	agg->result_type = fn->result_type;
	get_typlenbyval(agg->result_type, &agg->result_len, &agg->result_byval);
	agg->trans_call = agg_call(set, &agg->transfn, 2, collation);
	agg->combine_call = agg_call(set, &agg->combinefn, 2, collation);
	if (agg->has_final)
		agg->final_call = agg_call(set, &agg->finalfn, 1, collation);
}

int
PitAggSetCount(const PitAggSet *set)
{
	return set->naggs;
}

int64
PitAggSetMaxWindow(const PitAggSet *set)
{
	return set->max_window;
}

/* Do aggregations a and b read the same values in the same windows? */
static bool
agg_same_input(const PitAgg *a, const PitAgg *b)
{
	return a->column >= 0 && a->column == b->column && a->window == b->window;
}

/*
 * The first native aggregation of kind k1 or k2 with the same input as
 * agg (agg itself, if it is the first), or NULL.
 */
static PitAgg *
agg_first(PitAggSet *set, PitAgg *agg, AggKind k1, AggKind k2)
{
	if (agg->kind == AGG_GENERIC)
		return NULL;
	for (int b = 0; b < set->naggs; b++)
		if ((set->aggs[b]->kind == k1 || set->aggs[b]->kind == k2) &&
			(set->aggs[b] == agg || agg_same_input(set->aggs[b], agg)))
			return set->aggs[b];
	return NULL;
}

static inline bool
agg_is_accum(AggKind kind)
{
	return kind == AGG_AVG_FLOAT8 || kind == AGG_STDDEV_FLOAT8;
}

/*
 * Lay the nodes out: where each aggregation keeps its state, which ones
 * update it, and how an aggregation knows whether a node has a state.
 *
 * Native aggregations of the same column and window (PitAggFunc.column)
 * see the same values and skip the same NULLs, so they share what they
 * can. The first avg or stddev_samp (the accumulator) keeps N, Sx and Sxx,
 * which the others read; a count reads N, an integral float8 (exact to
 * 2^53 rows), as its int8; a sum of double precision reads Sx, which is
 * its state (agg_native_transition); a min or max keeps its own state,
 * which a node has exactly when N is positive. Without an accumulator, the
 * first count keeps the count that the other counts read and that tells
 * the sums, mins and maxes whether a node has a state; a second sum, min
 * or max (of the same kind) reads the first's state. Every other
 * aggregation keeps a state of its own, with a flag (but a count).
 */
static void
agg_layout(PitAggSet *set)
{
	set->nslots = 0;
	set->nflags = 0;
	for (int a = 0; a < set->naggs; a++)
	{
		PitAgg	   *agg = set->aggs[a];
		PitAgg	   *acc = agg_first(set, agg, AGG_AVG_FLOAT8, AGG_STDDEV_FLOAT8);
		PitAgg	   *cnt = agg_first(set, agg, AGG_COUNT, AGG_COUNT);

		switch (agg->kind)
		{
			case AGG_GENERIC:
				agg->writer = true;
				break;
			case AGG_AVG_FLOAT8:
			case AGG_STDDEV_FLOAT8:
				agg->writer = (acc == agg);
				break;
			case AGG_COUNT:
				agg->writer = (acc == NULL && cnt == agg);
				break;
			case AGG_SUM_FLOAT8:
				agg->writer = (acc == NULL && agg_first(set, agg, agg->kind, agg->kind) == agg);
				break;
			case AGG_MAX:
			case AGG_MIN:
				agg->writer = (agg_first(set, agg, agg->kind, agg->kind) == agg);
				break;
		}
		if (agg->writer)
		{
			agg->slot = set->nslots;
			set->nslots += agg_is_accum(agg->kind) ? 3 : 1;
		}
	}

	/* the readers' slots; a reader of a min, max or sum comes after it */
	for (int a = 0; a < set->naggs; a++)
	{
		PitAgg	   *agg = set->aggs[a];
		PitAgg	   *acc = agg_first(set, agg, AGG_AVG_FLOAT8, AGG_STDDEV_FLOAT8);
		PitAgg	   *cnt = agg_first(set, agg, AGG_COUNT, AGG_COUNT);

		agg->flag = -1;
		agg->nslot = -1;
		agg->n_float = false;
		/* (acc and cnt are NULL for a generic aggregation, a writer) */
		if (agg_is_accum(agg->kind) || (agg->kind == AGG_COUNT && acc != NULL))
		{
			agg->slot = acc->slot;
			agg->nslot = acc->slot;
			agg->n_float = true;
		}
		else if (agg->kind == AGG_COUNT)
		{
			agg->slot = cnt->slot;
			agg->nslot = cnt->slot;
		}
		else if (!agg->writer && agg->kind == AGG_SUM_FLOAT8 && acc != NULL)
		{
			agg->slot = acc->slot + 1;
			agg->nslot = acc->slot;
			agg->n_float = true;
		}
		else if (!agg->writer)
		{
			PitAgg	   *first = agg_first(set, agg, agg->kind, agg->kind);

			Assert(first != agg && first->writer);
			agg->slot = first->slot;
			agg->flag = first->flag;
			agg->nslot = first->nslot;
			agg->n_float = first->n_float;
		}
		else if (acc != NULL)
		{
			agg->nslot = acc->slot;
			agg->n_float = true;
		}
		else if (cnt != NULL)
			agg->nslot = cnt->slot;
		else
		{
			/* a generic aggregation, or a sum, min or max of its own */
			agg->flag = set->nflags++;
		}
	}
}

/*
 * PitAggSetBuild makes the nodes of npos positions and the answers of
 * nrows entity rows: PitAggSetFinish gives every position's, and the
 * entity rows without a position (when npos < nrows) have that of an empty
 * window. The positions' times are searched in times (kept by the caller
 * until PitAggSetFinish), or, with copy_times, in a compact copy of them
 * (half the cache lines); returns the times searched, t after t, for the
 * caller to prefetch them (with copy_times).
 */
const int64 *
PitAggSetBuild(PitAggSet *set, const PitTime *times, bool copy_times, int32 npos,
			   int32 nrows)
{
	int			na = set->naggs;

	set->npos = npos;
	set->nrows = nrows;
	StaticAssertStmt(sizeof(PitTime) == 2 * sizeof(int64) && offsetof(PitTime, t) == 0,
					 "a PitTime's t is every other int64");
	if (copy_times)
	{
		set->own_times = PitArrayAlloc(set->ents, sizeof(int64) * Max((Size) npos, 1));
		for (int32 p = 0; p < npos; p++)
			set->own_times[p] = times[p].t;
		set->times = set->own_times;
		set->times_stride = 1;
	}
	else
	{
		set->times = &times[0].t;
		set->times_stride = 2;
	}

	/* the distinct windows: a source row searches each one's end once */
	set->windows = MemoryContextAlloc(set->cxt, sizeof(int64) * Max(na, 1));
	for (int a = 0; a < na; a++)
	{
		PitAgg	   *agg = set->aggs[a];
		int			k;

		for (k = 0; k < set->nwindows; k++)
			if (set->windows[k] == agg->window)
				break;
		if (k == set->nwindows)
			set->windows[set->nwindows++] = agg->window;
		agg->window_index = k;
		set->prefetch_states |= agg->state_pointer;
	}
	set->batch_hi = MemoryContextAlloc(set->cxt,
									   sizeof(int32) * PIT_AGG_MAX_ROWS * Max(set->nwindows, 1));

	/*
	 * The states, and the writers of each window: those that keep a count
	 * first, so that the others see it counting the value they add.
	 */
	agg_layout(set);
	set->ops = MemoryContextAlloc(set->cxt, sizeof(int) * Max(na, 1));
	set->ops_start = MemoryContextAlloc(set->cxt, sizeof(int) * (set->nwindows + 1));
	{
		int			nops = 0;

		for (int k = 0; k < set->nwindows; k++)
		{
			set->ops_start[k] = nops;
			for (int pass = 0; pass < 2; pass++)
				for (int a = 0; a < na; a++)
				{
					PitAgg	   *agg = set->aggs[a];
					bool		counts = agg->kind != AGG_GENERIC && agg->nslot == agg->slot;

					if (agg->window_index == k && agg->writer && counts == (pass == 0))
						set->ops[nops++] = a;
				}
		}
		set->ops_start[set->nwindows] = nops;
	}

	/* probed at random, once per source row: the engine's arrays */
	set->stride = MAXALIGN(set->nslots * sizeof(Datum) + set->nflags * sizeof(uint8));
	set->nodes = PitArrayAllocZero(set->ents, set->stride * 2 * Max((Size) npos, 1));
	set->results = PitArrayAlloc(set->ents, sizeof(Datum) * na * Max((Size) nrows, 1));
	set->result_nulls = PitArrayAlloc(set->ents, sizeof(bool) * na * Max((Size) nrows, 1));

	/* the answer of an empty window: the final function of the initial state */
	set->winstate->curaggcontext = set->tmpcxt;
	for (int a = 0; a < na; a++)
	{
		PitAgg	   *agg = set->aggs[a];
		MemoryContext old = MemoryContextSwitchTo(set->tmpcxt);
		Datum		init = agg->has_initval ?
			datumCopy(agg->initval, agg->trans_byval, agg->trans_len) : (Datum) 0;
		Datum		v = agg_final(set, agg, init, !agg->has_initval, &agg->empty_isnull);

		MemoryContextSwitchTo(set->resultcxt);
		agg->empty = agg->empty_isnull ? (Datum) 0 :
			datumCopy(v, agg->result_byval, agg->result_len);
		MemoryContextSwitchTo(old);
	}
	MemoryContextReset(set->tmpcxt);
	set->winstate->curaggcontext = set->statecxt;

	/* PitAggSetFinish answers every entity row that has a position */
	if (npos < nrows)
		for (Size r = 0; r < (Size) nrows; r++)
			for (int a = 0; a < na; a++)
			{
				set->results[r * na + a] = set->aggs[a]->empty;
				set->result_nulls[r * na + a] = set->aggs[a]->empty_isnull;
			}
	return set->times;
}

/*
 * The positions' times are searched where they are, t every stride int64s
 * (set->times): 2 in the caller's PitTime array, 1 in the set's compact copy
 * of them. The searches are inlined with a constant stride.
 */
#define AGG_T(base, stride, i)	((base)[(Size) (i) * (stride)])

/*
 * The first of the n positions at base with t >= key (n if none), without
 * branches on the data, as pit_join.c searches.
 */
static inline int32
lower_bound(const int64 *base, int stride, int32 n, int64 key)
{
	const int64 *b = base;

	if (n == 0)
		return 0;
	while (n > 1)
	{
		int32		half = n / 2;

		b = AGG_T(b, stride, half - 1) < key ? b + (Size) half * stride : b;
		n -= half;
	}
	return (int32) ((b - base) / stride) + (*b < key);
}

/*
 * The first of the n positions at base with t >= key (n if none), when the
 * positions before from have t < key: an exponential search from from,
 * quick when the answer is near (a window holds few positions).
 */
static inline int32
lower_bound_from(const int64 *base, int stride, int32 n, int32 from, int64 key)
{
	int32		lo = from;
	int64		step = 1;

	/* every position before lo has t < key */
	while (step <= n - lo && AGG_T(base, stride, lo + step - 1) < key)
	{
		lo += step;
		step *= 2;
	}
	/* and the answer is at most lo + step - 1 (or n) */
	return lo + lower_bound(&AGG_T(base, stride, lo), stride,
							(int32) Min(step - 1, n - lo), key);
}

/* Add a source value to a node's state of aggregation a, as nodeAgg.c does. */
static inline void
agg_transition(PitAggSet *set, int a, Size node, Datum value, bool isnull)
{
	PitAgg	   *agg = set->aggs[a];
	Datum	   *sv = &NODE_VALUES(set, node)[agg->slot];
	uint8	   *sf = &NODE_FLAGS(set, node)[agg->flag];
	FunctionCallInfo fcinfo = agg->trans_call;
	MemoryContext old;
	Datum		result;

	if (agg->transfn.fn_strict)
	{
		if (isnull)
			return;
		if (*sf == AGG_NOVALUE && !agg->has_initval)
		{
			/* the first input is the state */
			*sv = agg->trans_byval ? value :
				copy_in(set->statecxt, value, agg->trans_len);
			*sf = AGG_VALUE;
			return;
		}
		if (*sf == AGG_NULL)
			return;				/* a strict function's NULL stays */
	}
	if (*sf == AGG_NOVALUE)
	{
		if (agg->has_initval)
		{
			*sv = agg->trans_byval ? agg->initval :
				copy_in(set->statecxt, agg->initval, agg->trans_len);
			*sf = AGG_VALUE;
		}
		else
		{
			*sv = (Datum) 0;
			*sf = AGG_NULL;
		}
	}

	fcinfo->args[0].value = *sv;
	fcinfo->args[0].isnull = (*sf == AGG_NULL);
	fcinfo->args[1].value = value;
	fcinfo->args[1].isnull = isnull;
	fcinfo->isnull = false;
	old = MemoryContextSwitchTo(set->tmpcxt);
	result = FunctionCallInvoke(fcinfo);
	MemoryContextSwitchTo(old);

	/* a new by-reference state moves to the states' context */
	if (!agg->trans_byval && result != *sv)
	{
		if (!fcinfo->isnull)
			result = copy_in(set->statecxt, result, agg->trans_len);
		if (*sf == AGG_VALUE)
			pfree(DatumGetPointer(*sv));
	}
	*sv = fcinfo->isnull ? (Datum) 0 : result;
	*sf = fcinfo->isnull ? AGG_NULL : AGG_VALUE;
}

/*
 * max(a, b) (AGG_MAX) or min(a, b) of agg's type, as its larger or smaller
 * function picks one of its arguments: float comparisons order NaN above
 * every number, and a tie (0 and -0) gives b.
 */
static inline Datum
agg_pick(const PitAgg *agg, Datum a, Datum b)
{
	bool		first;

	switch (agg->cmp_type)
	{
		case INT2OID:
			first = agg->kind == AGG_MAX ? DatumGetInt16(a) > DatumGetInt16(b) :
				DatumGetInt16(a) < DatumGetInt16(b);
			break;
		case INT4OID:
			first = agg->kind == AGG_MAX ? DatumGetInt32(a) > DatumGetInt32(b) :
				DatumGetInt32(a) < DatumGetInt32(b);
			break;
		case INT8OID:
			first = agg->kind == AGG_MAX ? DatumGetInt64(a) > DatumGetInt64(b) :
				DatumGetInt64(a) < DatumGetInt64(b);
			break;
		case FLOAT4OID:
			first = agg->kind == AGG_MAX ?
				float4_gt(DatumGetFloat4(a), DatumGetFloat4(b)) :
				float4_lt(DatumGetFloat4(a), DatumGetFloat4(b));
			break;
		default:
			first = agg->kind == AGG_MAX ?
				float8_gt(DatumGetFloat8(a), DatumGetFloat8(b)) :
				float8_lt(DatumGetFloat8(a), DatumGetFloat8(b));
			break;
	}
	return first ? a : b;
}

/* int8inc_any's and int8pl's error */
static void
agg_bigint_overflow(void)
{
	ereport(ERROR,
			errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			errmsg("bigint out of range"));
}

/*
 * Is a value of native aggregation agg the first of its node, once the
 * node's count of it (if any) counts it?
 */
static inline bool
agg_native_first(PitAggSet *set, const PitAgg *agg, Size node)
{
	Datum		n;

	if (agg->flag >= 0)
	{
		uint8	   *sf = &NODE_FLAGS(set, node)[agg->flag];
		bool		first = (*sf == AGG_NOVALUE);

		*sf = AGG_VALUE;
		return first;
	}
	n = NODE_VALUES(set, node)[agg->nslot];
	return agg->n_float ? DatumGetFloat8(n) == 1.0 : DatumGetInt64(n) == 1;
}

/* Does a node have a state of native aggregation agg? */
static inline bool
agg_native_has(PitAggSet *set, const PitAgg *agg, Size node)
{
	Datum		n;

	if (agg->flag >= 0)
		return NODE_FLAGS(set, node)[agg->flag] == AGG_VALUE;
	n = NODE_VALUES(set, node)[agg->nslot];
	return agg->n_float ? DatumGetFloat8(n) > 0.0 : DatumGetInt64(n) > 0;
}

/*
 * Add a source value to a node's state of a native aggregation (strict: a
 * NULL input is skipped), as its transition function does. Called for the
 * writers only (agg_layout), those that keep a count first.
 */
static inline void
agg_native_transition(PitAggSet *set, int a, Size node, Datum value)
{
	PitAgg	   *agg = set->aggs[a];
	Datum	   *sv = &NODE_VALUES(set, node)[agg->slot];

	switch (agg->kind)
	{
		case AGG_COUNT:
			{
				/* int8inc_any; the initial value 0 is the zeroed node */
				int64		n;

				if (unlikely(pg_add_s64_overflow(DatumGetInt64(*sv), 1, &n)))
					agg_bigint_overflow();
				*sv = Int64GetDatum(n);
				break;
			}
		case AGG_SUM_FLOAT8:
			/* the first input is the state, then float8pl */
			*sv = agg_native_first(set, agg, node) ? value :
				Float8GetDatum(float8_pl(DatumGetFloat8(*sv), DatumGetFloat8(value)));
			break;
		case AGG_MAX:
		case AGG_MIN:
			*sv = agg_native_first(set, agg, node) ? value : agg_pick(agg, *sv, value);
			break;
		case AGG_AVG_FLOAT8:
		case AGG_STDDEV_FLOAT8:
			{
				/*
				 * float8_accum from N, Sx, Sxx (the initial value: zeroes),
				 * but for Sx, which is the sum of double precision of the
				 * values, float8pl's state: from the first value rather than
				 * from 0, it differs from float8_accum's only where it is
				 * -0 and that is 0 (a sum of -0s is -0; 0 + -0 is 0),
				 * which agg_native_answer makes 0 for avg. Sxx takes it
				 * through a difference squared, whose sign a zero's does
				 * not change; the overflow tests are float8pl's.
				 */
				float8		newval = DatumGetFloat8(value);
				float8		N0 = DatumGetFloat8(sv[0]);
				float8		Sx0 = DatumGetFloat8(sv[1]);
				float8		N = N0 + 1.0;
				float8		Sx = N0 > 0.0 ? Sx0 + newval : newval;
				float8		Sxx = DatumGetFloat8(sv[2]);

				if (N0 > 0.0)
				{
					float8		tmp = newval * N - Sx;

					Sxx += tmp * tmp / (N * N0);
					if (isinf(Sx) || isinf(Sxx))
					{
						if (!isinf(Sx0) && !isinf(newval))
							float_overflow_error();
						Sxx = get_float8_nan();
					}
				}
				else if (isnan(newval) || isinf(newval))
					Sxx = get_float8_nan();
				sv[0] = Float8GetDatum(N);
				sv[1] = Float8GetDatum(Sx);
				sv[2] = Float8GetDatum(Sxx);
				break;
			}
		case AGG_GENERIC:
			Assert(false);
			break;
	}
}

/* Add a source row to a node's states of the aggregations of window k. */
static inline void
agg_add(PitAggSet *set, int k, Size node, const PitAggRow *row)
{
	for (int i = set->ops_start[k]; i < set->ops_start[k + 1]; i++)
	{
		int			a = set->ops[i];

		if (set->aggs[a]->kind == AGG_GENERIC)
			agg_transition(set, a, node, row->values[a], row->nulls[a]);
		else if (!row->nulls[a])
			agg_native_transition(set, a, node, row->values[a]);
	}
}

#if defined(__GNUC__) || defined(__clang__)
#define agg_prefetch(p) __builtin_prefetch(p)
#else
#define agg_prefetch(p) ((void) 0)
#endif

/*
 * PitAggSetAddRows adds source rows to the windows they belong to: a row
 * belongs to those of the positions of its group with t >= need and
 * t - w < ts, the range [lo, hi) of positions found by binary search (hi
 * once per distinct window). By-reference values are valid until
 * PitAggSetEndBatch.
 *
 * The cost is memory latency: a row's positions, its node and its states
 * lie anywhere. So the rows are taken in three passes, so that the misses
 * of one row overlap with the others': find the ranges and prefetch the
 * first node of each, prefetch the states those nodes point to, add (a
 * node at a time: all the states of the aggregations of a window).
 * A window's end is searched from lo, since a window holds few positions.
 */
static inline void
agg_find_ranges(PitAggSet *set, int stride, int nrows, const PitAggRow *rows, int32 *lo)
{
	int			nw = set->nwindows;

	for (int r = 0; r < nrows; r++)
	{
		const PitAggRow *row = &rows[r];
		const int64 *base = &AGG_T(set->times, stride, row->start);
		int32	   *hi = &set->batch_hi[r * nw];
		int32		l;
		bool		any = false;

		lo[r] = -1;
		/* no window holds an infinite timestamp: t - w < ts <= t fails */
		if (TIMESTAMP_NOT_FINITE(row->ts))
			continue;
		l = lower_bound(base, stride, row->count, row->need);
		if (l >= row->count)
			continue;
		for (int k = 0; k < nw; k++)
		{
			int64		bound;

			/*
			 * Out of the window of every position with t >= ts + w; a bound
			 * past the end of time leaves out only infinite positions.
			 */
			if (pg_add_s64_overflow(row->ts, set->windows[k], &bound) || bound > DT_NOEND)
				bound = DT_NOEND;
			/* the positions before l have t < need: none if bound <= need */
			hi[k] = bound <= row->need ? l :
				lower_bound_from(base, stride, row->count, l, bound);
			any |= (l < hi[k]);
		}
		if (!any)
			continue;
		lo[r] = l;
		/* a range of one position is its leaf; longer ones start above */
		agg_prefetch(NODE_VALUES(set, (Size) row->start * 2 + l + row->count));
	}
}

void
PitAggSetAddRows(PitAggSet *set, int nrows, const PitAggRow *rows)
{
	int			nw = set->nwindows;
	int32		lo[PIT_AGG_MAX_ROWS];

	Assert(nrows <= PIT_AGG_MAX_ROWS);
	if (set->times_stride == 1)
		agg_find_ranges(set, 1, nrows, rows, lo);
	else
		agg_find_ranges(set, 2, nrows, rows, lo);

	if (set->prefetch_states)
		for (int r = 0; r < nrows; r++)
		{
			Size		leaf;

			if (lo[r] < 0)
				continue;
			leaf = (Size) rows[r].start * 2 + lo[r] + rows[r].count;
			for (int a = 0; a < set->naggs; a++)
				if (set->aggs[a]->state_pointer &&
					NODE_FLAGS(set, leaf)[set->aggs[a]->flag] == AGG_VALUE)
					agg_prefetch(DatumGetPointer(NODE_VALUES(set, leaf)[set->aggs[a]->slot]));
		}

	for (int r = 0; r < nrows; r++)
	{
		const PitAggRow *row = &rows[r];
		Size		nodebase = (Size) row->start * 2;

		if (lo[r] < 0)
			continue;
		for (int k = 0; k < nw; k++)
		{
			int32		l;
			int32		h;

			/*
			 * the nodes covering [lo, hi) exactly, each with the states of
			 * the aggregations of window k (a node's states are together)
			 */
			for (l = lo[r] + row->count, h = set->batch_hi[r * nw + k] + row->count;
				 l < h; l >>= 1, h >>= 1)
			{
				if (l & 1)
					agg_add(set, k, nodebase + l++, row);
				if (h & 1)
					agg_add(set, k, nodebase + --h, row);
			}
		}
	}
}

/* PitAggSetEndBatch releases what the transitions of a batch of rows left. */
void
PitAggSetEndBatch(PitAggSet *set)
{
	MemoryContextReset(set->tmpcxt);
}

/*
 * The final value of aggregation agg from a state (NULL: isnull), or the
 * state itself when there is no final function. Not copied: it may live in
 * the state's memory.
 */
static Datum
agg_final(PitAggSet *set, PitAgg *agg, Datum state, bool isnull, bool *result_isnull)
{
	FunctionCallInfo fcinfo = agg->final_call;
	Datum		result;

	if (!agg->has_final)
	{
		*result_isnull = isnull;
		return state;
	}
	if (isnull && agg->finalfn.fn_strict)
	{
		*result_isnull = true;
		return (Datum) 0;
	}
	fcinfo->args[0].value = state;
	fcinfo->args[0].isnull = isnull;
	fcinfo->isnull = false;
	result = FunctionCallInvoke(fcinfo);
	*result_isnull = fcinfo->isnull;
	return result;
}

/*
 * The answer of aggregation a from the states of its nstates nodes (none
 * NULL): combined into a state of our own, as nodeAgg.c combines partial
 * states (starting from the initial value; with a strict combine function
 * and none, from a copy of the first state), then finalized. A single state
 * with no initial value is finalized as it is: the final functions are
 * read-only (PitAggLookup). Runs in tmpcxt, which is also the aggregate's
 * context here.
 */
static Datum
agg_answer(PitAggSet *set, PitAgg *agg, Datum *states, int nstates, bool *isnull)
{
	FunctionCallInfo fcinfo = agg->combine_call;
	Datum		acc;
	bool		acc_null;
	bool		acc_none;		/* no initial value and nothing combined yet */

	if (nstates == 0)
	{
		*isnull = agg->empty_isnull;
		return agg->empty;
	}
	if (nstates == 1 && !agg->has_initval)
		return agg_final(set, agg, states[0], false, isnull);

	acc = agg->has_initval ?
		datumCopy(agg->initval, agg->trans_byval, agg->trans_len) : (Datum) 0;
	acc_null = !agg->has_initval;
	acc_none = !agg->has_initval;
	for (int i = 0; i < nstates; i++)
	{
		if (agg->combinefn.fn_strict)
		{
			if (acc_none)
			{
				acc = datumCopy(states[i], agg->trans_byval, agg->trans_len);
				acc_null = acc_none = false;
				continue;
			}
			if (acc_null)
				continue;		/* a strict function's NULL stays */
		}
		fcinfo->args[0].value = acc;
		fcinfo->args[0].isnull = acc_null;
		fcinfo->args[1].value = states[i];
		fcinfo->args[1].isnull = false;
		fcinfo->isnull = false;
		acc = FunctionCallInvoke(fcinfo);
		acc_null = fcinfo->isnull;
		acc_none = false;
	}
	return agg_final(set, agg, acc, acc_null, isnull);
}

/*
 * The answer of native aggregation a at the position whose leaf is node
 * leaf of the group at nodebase: its nodes' states combined from the leaf
 * to the root, as agg_answer combines them with the combine function, then
 * finalized as the final function does.
 */
static inline Datum
agg_native_answer(PitAggSet *set, int a, Size nodebase, int32 leaf, bool *isnull)
{
	PitAgg	   *agg = set->aggs[a];

	*isnull = false;
	switch (agg->kind)
	{
		case AGG_COUNT:
			{
				/* int8pl from the initial value 0 */
				int64		n = 0;

				for (int32 x = leaf; x >= 1; x >>= 1)
				{
					Datum		v = NODE_VALUES(set, nodebase + x)[agg->slot];
					int64		c = agg->n_float ? (int64) DatumGetFloat8(v) : DatumGetInt64(v);

					if (unlikely(pg_add_s64_overflow(n, c, &n)))
						agg_bigint_overflow();
				}
				return Int64GetDatum(n);
			}
		case AGG_SUM_FLOAT8:
		case AGG_MAX:
		case AGG_MIN:
			{
				/* no initial value: the first state, then the combine function */
				Datum		acc = (Datum) 0;
				bool		none = true;

				for (int32 x = leaf; x >= 1; x >>= 1)
				{
					Size		node = nodebase + x;
					Datum		v = NODE_VALUES(set, node)[agg->slot];

					if (!agg_native_has(set, agg, node))
						continue;
					if (none)
						acc = v;
					else if (agg->kind == AGG_SUM_FLOAT8)
						acc = Float8GetDatum(float8_pl(DatumGetFloat8(acc), DatumGetFloat8(v)));
					else
						acc = agg_pick(agg, acc, v);
					none = false;
				}
				*isnull = none;
				return acc;
			}
		case AGG_AVG_FLOAT8:
		case AGG_STDDEV_FLOAT8:
			{
				/*
				 * float8_combine from the initial value (zeroes); a node no
				 * row reached holds zeroes, which it would leave as they are
				 */
				float8		N = 0.0;
				float8		Sx = 0.0;
				float8		Sxx = 0.0;

				for (int32 x = leaf; x >= 1; x >>= 1)
				{
					const Datum *sv = &NODE_VALUES(set, nodebase + x)[agg->slot];
					float8		N2 = DatumGetFloat8(sv[0]);
					float8		Sx2 = DatumGetFloat8(sv[1]);
					float8		Sxx2 = DatumGetFloat8(sv[2]);

					if (N2 == 0.0)
						continue;
					if (N == 0.0)
					{
						N = N2;
						Sx = Sx2;
						Sxx = Sxx2;
					}
					else
					{
						float8		N1 = N;
						float8		Sx1 = Sx;
						float8		Sxx1 = Sxx;
						float8		tmp;

						N = N1 + N2;
						Sx = float8_pl(Sx1, Sx2);
						tmp = Sx1 / N1 - Sx2 / N2;
						Sxx = Sxx1 + Sxx2 + N1 * N2 * tmp * tmp / N;
						if (unlikely(isinf(Sxx)) && !isinf(Sxx1) && !isinf(Sxx2))
							float_overflow_error();
					}
				}
				/*
				 * float8_avg, float8_stddev_samp; float8_accum's Sx is 0
				 * where ours is -0 (agg_native_transition)
				 */
				if (agg->kind == AGG_AVG_FLOAT8 ? N == 0.0 : N <= 1.0)
				{
					*isnull = true;
					return (Datum) 0;
				}
				if (Sx == 0.0)
					Sx = 0.0;
				return Float8GetDatum(agg->kind == AGG_AVG_FLOAT8 ? Sx / N :
									  sqrt(Sxx / (N - 1.0)));
			}
		case AGG_GENERIC:
			Assert(false);
			break;
	}
	*isnull = true;
	return (Datum) 0;
}

/*
 * PitAggSetFinish answers every position of the ngroups groups (positions
 * gstart[g] to gstart[g + 1] - 1, entity rows pos_row) from the states on
 * its path to its group's root, then frees the states.
 */
void
PitAggSetFinish(PitAggSet *set, const int32 *gstart, int32 ngroups,
				const int32 *pos_row)
{
	int			na = set->naggs;
	Datum		states[AGG_MAX_PATH];
	MemoryContext old;

	set->winstate->curaggcontext = set->tmpcxt;
	old = MemoryContextSwitchTo(set->tmpcxt);
	for (int32 g = 0; g < ngroups; g++)
	{
		int32		start = gstart[g];
		int32		n = gstart[g + 1] - start;
		Size		nodebase = (Size) start * 2;

		for (int32 q = 0; q < n; q++)
		{
			Size		row = (Size) pos_row[start + q];

			if ((q & 0xffff) == 0xffff)
			{
				MemoryContextReset(set->tmpcxt);
				CHECK_FOR_INTERRUPTS();
			}

			for (int a = 0; a < na; a++)
			{
				PitAgg	   *agg = set->aggs[a];
				int			nstates = 0;
				Datum		v;
				bool		isnull;

				if (agg->kind != AGG_GENERIC)
				{
					set->results[row * na + a] = agg_native_answer(set, a, nodebase, q + n,
																   &isnull);
					set->result_nulls[row * na + a] = isnull;
					continue;
				}
				for (int32 x = q + n; x >= 1; x >>= 1)
				{
					Size		node = nodebase + x;

					if (NODE_FLAGS(set, node)[agg->flag] == AGG_VALUE)
						states[nstates++] = NODE_VALUES(set, node)[agg->slot];
				}
				v = agg_answer(set, agg, states, nstates, &isnull);
				if (!isnull && !agg->result_byval && nstates > 0)
					v = copy_in(set->resultcxt, v, agg->result_len);
				set->results[row * na + a] = isnull ? (Datum) 0 : v;
				set->result_nulls[row * na + a] = isnull;
			}
		}
		MemoryContextReset(set->tmpcxt);
		if ((g & 0xfff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	MemoryContextSwitchTo(old);

	/* only the answers are needed from now on */
	PitArrayFree(set->ents, set->nodes);
	set->nodes = NULL;
	if (set->own_times != NULL)
		PitArrayFree(set->ents, set->own_times);
	set->own_times = NULL;
	set->times = NULL;
	MemoryContextDelete(set->statecxt);
	set->statecxt = NULL;
	set->winstate->curaggcontext = set->tmpcxt;
}

/* PitAggSetResult gives entity row row's answers, one per aggregation. */
void
PitAggSetResult(PitAggSet *set, int32 row, Datum *values, bool *nulls)
{
	memcpy(values, &set->results[(Size) row * set->naggs], sizeof(Datum) * set->naggs);
	memcpy(nulls, &set->result_nulls[(Size) row * set->naggs], sizeof(bool) * set->naggs);
}
