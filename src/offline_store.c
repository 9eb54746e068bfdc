/*-------------------------------------------------------------------------
 *
 * offline_store.c
 *		Module magic and settings of the offline_store extension.
 *
 * Each concern lives in its own file; README.md, section "Code map", says
 * what each holds.
 *
 * The settings are registered here and by the modules that own them
 * (HistScanInit, PitAggInit, ProgressInit, ScheduleInit).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/offline_store.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "historical_scan.h"
#include "offline_store.h"
#include "pit_agg.h"
#include "pit_spill.h"
#include "progress.h"
#include "schedule.h"

PG_MODULE_MAGIC;

char	   *ofs_default_project = NULL;

void		_PG_init(void);

/*
 * _PG_init registers the settings.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("offline_store.project",
							   gettext_noop("Default Feast project for offline_store functions called with a NULL project."),
							   gettext_noop("When empty, a NULL project means the only project in feast.projects."),
							   &ofs_default_project,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("offline_store.max_memory",
							gettext_noop("Working memory of one feast_historical or materialization call, beyond which the work goes to temporary files."),
							gettext_noop("Past it, entity rows and source rows are partitioned by their join key on temporary files (temp_tablespaces, temp_file_limit) and joined a batch at a time."),
							&ofs_max_memory,
							1024 * 1024,
							64,
							MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	HistScanInit();
	PitAggInit();
	ProgressInit();
	ScheduleInit();

	MarkGUCPrefixReserved("offline_store");
}
