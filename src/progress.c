/*-------------------------------------------------------------------------
 *
 * progress.c
 *		Progress of long calls: feast_historical and materialization say
 *		what they are doing and how far they are, to the caller and to
 *		other sessions.
 *
 * A call keeps its progress in a ProgressState on its own stack: the phase
 * it is in (reading the entity rows, reading the source of a feature view,
 * writing keys, ...), the units counted so far, and the phase's estimated
 * total (the planner's estimate of the rows a read delivers, or a table's
 * estimated size for a direct scan: estimated only when first reported, so
 * that short calls pay nothing). The call counts units (per batch, or every
 * PROGRESS_CHECK_MASK + 1 rows) and at most every
 * offline_store.progress_interval a report is made:
 *
 * - a message at offline_store.progress_messages (NOTICE by default), such
 *   as "feast_historical: reading data source "s" of feature view "v"
 *   (1 of 2): 40960 of about 100000 rows (40%)";
 * - the same text in pg_stat_activity, as a comment appended to the
 *   caller's query text ("<query> /- offline_store: ... -/", with asterisks),
 *   so that other sessions see both what was asked and how far it is. The
 *   query text is cut where needed to leave room for the comment within
 *   track_activity_query_size, and is restored, with the query identifier,
 *   when the call ends (also on error). pg_stat_activity.state_change moves
 *   with each report.
 *
 * No shared memory is needed (the extension does not require
 * shared_preload_libraries): the text goes through pgstat_report_activity,
 * as the query text itself does. The only backend-global state is the
 * pointer to the innermost call's ProgressState (calls nest: a query source
 * may call feast_historical), which ProgressEnd pops; callers run it in
 * PG_FINALLY.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/progress.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "progress.h"
#include "spi_util.h"

/* offline_store.progress_messages: the level of progress messages */
static const struct config_enum_entry progress_message_options[] = {
	{"off", 0, false},
	{"debug1", DEBUG1, false},
	{"log", LOG, false},
	{"info", INFO, false},
	{"notice", NOTICE, false},
	{NULL, 0, false}
};

static int	progress_interval = 5000;	/* ms; -1: no reports */
static int	progress_messages = NOTICE;

/* the innermost call's progress */
static ProgressState *current = NULL;

static void progress_check(ProgressState *p);
static void progress_report(ProgressState *p);
static void progress_show(ProgressState *p, const char *text);
static const char *progress_base_activity(ProgressState *p);

void
ProgressInit(void)
{
	DefineCustomIntVariable("offline_store.progress_interval",
							gettext_noop("Time between two progress reports of a long offline_store call."),
							gettext_noop("Reports go to pg_stat_activity and, at offline_store.progress_messages, to the caller. -1 turns them off; 0 reports at every check (for tests)."),
							&progress_interval,
							5000, -1, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("offline_store.progress_messages",
							 gettext_noop("Message level of the progress reports of long offline_store calls."),
							 gettext_noop("off sends no message; pg_stat_activity still shows the progress."),
							 &progress_messages,
							 NOTICE,
							 progress_message_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

void
ProgressBegin(ProgressState *p, const char *command)
{
	memset(p, 0, sizeof(ProgressState));
	p->command = command;
	p->cxt = AllocSetContextCreate(CurrentMemoryContext, "offline_store progress",
								   ALLOCSET_SMALL_SIZES);
	p->last_report = GetCurrentTimestamp();
	p->estimated = true;
	p->outer = current;
	current = p;
}

/*
 * ProgressEnd pops the call's progress and puts back the query text (and
 * query identifier) that pg_stat_activity showed before its first report.
 * Safe on the error path: it allocates nothing.
 */
void
ProgressEnd(ProgressState *p)
{
	if (current == p)
		current = p->outer;
	if (p->saved_activity != NULL)
	{
		pgstat_report_activity(STATE_RUNNING, p->saved_activity);
		pgstat_report_query_id(p->saved_query_id, true);
	}
	MemoryContextDelete(p->cxt);
	p->cxt = NULL;
}

ProgressState *
ProgressCurrent(void)
{
	return current;
}

bool
ProgressEnabled(void)
{
	return progress_interval >= 0;
}

void
ProgressPhase(ProgressState *p, const char *unit, const char *fmt,...)
{
	MemoryContext old = MemoryContextSwitchTo(p->cxt);
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	MemoryContextSwitchTo(old);
	if (p->phase)
		pfree(p->phase);
	p->phase = buf.data;
	p->unit = unit;
	p->done = 0;
	p->total = 0;
	p->exact = false;
	p->estimated = true;
	p->estimate_plan = NULL;
	p->estimate_params = NULL;
}

void
ProgressSetTotal(ProgressState *p, double total, bool exact)
{
	p->total = total;
	p->exact = exact;
	p->estimated = true;
}

void
ProgressEstimatePlan(ProgressState *p, SPIPlanPtr plan, ParamListInfo params)
{
	p->estimate_plan = plan;
	p->estimate_params = params;
	p->estimated = false;
}

void
ProgressUpdate(ProgressState *p, int64 done)
{
	p->done = done;
	progress_check(p);
}

/* Report if the interval has passed since the last report (or the start). */
static void
progress_check(ProgressState *p)
{
	TimestampTz now;

	if (progress_interval < 0)
		return;
	now = GetCurrentTimestamp();
	if (!TimestampDifferenceExceeds(p->last_report, now, progress_interval))
		return;
	progress_report(p);
	p->last_report = now;
}

/*
 * progress_report makes the phase's total known if it can be estimated,
 * then sends the message and shows the text in pg_stat_activity.
 */
static void
progress_report(ProgressState *p)
{
	MemoryContext old = MemoryContextSwitchTo(p->cxt);
	StringInfoData text;

	if (!p->estimated)
	{
		p->estimated = true;
		if (p->estimate_plan != NULL)
			p->total = SpiPlanEstimateRows(p->estimate_plan, p->estimate_params);
	}

	initStringInfo(&text);
	appendStringInfo(&text, "%s: %s", p->command, p->phase ? p->phase : "starting");
	if (p->unit != NULL)
	{
		double		total = rint(p->total);

		if (total >= 1 && p->exact)
			appendStringInfo(&text, ": " INT64_FORMAT " of %.0f %s (%d%%)",
							 p->done, total, p->unit,
							 (int) floor(100.0 * p->done / total));
		else if (total >= 1 && p->done <= total)
			appendStringInfo(&text, ": " INT64_FORMAT " of about %.0f %s (%d%%)",
							 p->done, total, p->unit,
							 (int) Min(99.0, floor(100.0 * p->done / total)));
		else if (total >= 1)
			appendStringInfo(&text, ": " INT64_FORMAT " %s, more than the %.0f estimated",
							 p->done, p->unit, total);
		else
			appendStringInfo(&text, ": " INT64_FORMAT " %s", p->done, p->unit);
	}
	MemoryContextSwitchTo(old);

	if (progress_messages != 0)
		ereport(progress_messages,
				(errmsg_internal("%s", text.data),
				 errhidestmt(true),
				 errhidecontext(true)));
	progress_show(p, text.data);
	pfree(text.data);
}

/* The query text the caller's session showed before any progress. */
static const char *
progress_base_activity(ProgressState *p)
{
	const char *base = p->saved_activity;

	for (ProgressState *o = p->outer; o != NULL; o = o->outer)
		if (o->saved_activity != NULL)
			base = o->saved_activity;
	return base;
}

/*
 * progress_show sets pg_stat_activity's query text to the caller's with
 * "/ * offline_store: text * /" appended, the caller's cut (at a character
 * boundary, marked "...") where both would not fit.
 */
static void
progress_show(ProgressState *p, const char *text)
{
	const char *base;
	char	   *suffix;
	int			maxlen = pgstat_track_activity_query_size - 1;
	int			baselen;
	int			keep;
	char	   *activity;

	if (!pgstat_track_activities || MyBEEntry == NULL)
		return;
	if (p->saved_activity == NULL)
	{
		p->saved_activity = MemoryContextStrdup(p->cxt, MyBEEntry->st_activity_raw);
		p->saved_query_id = pgstat_get_my_query_id();
	}
	base = progress_base_activity(p);
	suffix = psprintf(" /* offline_store: %s */", text);
	baselen = strlen(base);
	keep = maxlen - (int) strlen(suffix);
	if (baselen > keep)
		keep -= 4;				/* room for " ..." */
	keep = pg_mbcliplen(base, baselen, Max(Min(baselen, keep), 0));
	activity = psprintf("%.*s%s%s", keep, base, keep < baselen ? " ..." : "", suffix);
	pgstat_report_activity(STATE_RUNNING, activity);
	pgstat_report_query_id(p->saved_query_id, true);
	pfree(suffix);
	pfree(activity);
}
