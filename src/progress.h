/*-------------------------------------------------------------------------
 *
 * progress.h
 *		Progress of long calls (feast_historical, materialization): at most
 *		every offline_store.progress_interval, a message at
 *		offline_store.progress_messages and a comment appended to the
 *		caller's query text in pg_stat_activity.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/progress.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_PROGRESS_H
#define OFS_PROGRESS_H

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "nodes/params.h"

/* rows between two looks at the clock (a power of two, minus one) */
#define PROGRESS_CHECK_MASK 0xFFF

/*
 * The progress of one call, on the call's stack. Between ProgressBegin and
 * ProgressEnd (which the caller runs in PG_FINALLY) it is the innermost
 * call's, found by ProgressCurrent.
 */
typedef struct ProgressState
{
	const char *command;		/* "feast_historical", ... */
	struct ProgressState *outer;	/* the call this one runs within */
	MemoryContext cxt;			/* phase texts, the saved query text */
	TimestampTz last_report;	/* the call's start until a first report */
	char	   *saved_activity; /* the query text before the first report */
	uint64		saved_query_id;

	/* the current phase */
	char	   *phase;
	const char *unit;			/* "rows", ...; NULL: the phase counts nothing */
	int64		done;
	double		total;			/* 0: not known */
	bool		exact;			/* total is a count, not an estimate */
	bool		estimated;		/* total computed (or nothing to compute) */
	SPIPlanPtr	estimate_plan;	/* a query whose plan estimates the total */
	ParamListInfo estimate_params;
} ProgressState;

/* ProgressInit registers the settings (from _PG_init). */
extern void ProgressInit(void);

/*
 * ProgressBegin starts the progress of a call named command (a constant
 * string); ProgressEnd ends it, restoring the query text in
 * pg_stat_activity if a report changed it. Every ProgressBegin must be
 * paired with a ProgressEnd in PG_FINALLY (calls nest).
 */
extern void ProgressBegin(ProgressState *p, const char *command);
extern void ProgressEnd(ProgressState *p);

/* The innermost call's progress, or NULL. */
extern ProgressState *ProgressCurrent(void);

/*
 * ProgressPhase starts a phase (printf-style text, e.g. reading data
 * source "x" of feature view "y" (1 of 2)) that counts unit (NULL: nothing
 * counted), with no total known. It reports nothing: the caller sets the
 * total, if any, then calls ProgressUpdate(p, 0), which reports the phase
 * if the interval has passed.
 */
extern void ProgressPhase(ProgressState *p, const char *unit,
						  const char *fmt,...) pg_attribute_printf(3, 4);

/*
 * The phase's total: given (ProgressSetTotal; exact when it is a count, not
 * an estimate), or estimated when first reported, from the plan of a
 * prepared query run with params (which must stay valid for the phase).
 */
extern void ProgressSetTotal(ProgressState *p, double total, bool exact);
extern void ProgressEstimatePlan(ProgressState *p, SPIPlanPtr plan,
								 ParamListInfo params);

/*
 * ProgressUpdate records that the phase has counted done units so far and
 * reports if the interval has passed. Cheap enough per batch; per row,
 * call it when (done & PROGRESS_CHECK_MASK) == 0.
 */
extern void ProgressUpdate(ProgressState *p, int64 done);

/* The interval, for callers that check the clock themselves. */
extern bool ProgressEnabled(void);

#endif							/* OFS_PROGRESS_H */
