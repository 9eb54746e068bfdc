/*-------------------------------------------------------------------------
 *
 * offline_store.c
 *		Module magic and settings of the offline_store extension.
 *
 * Each concern lives in its own file:
 *
 *	yaml_tree.c, config_yaml.c, config_ttl.c
 *		pure C: a feature repo document (libyaml) into an OfsConfig
 *	config_state.c, config_validate.c, config_apply.c
 *		feast_apply: diff the document against the registry, check it
 *		against the database, write it in one transaction
 *	online_tables.c		online tables created, altered and dropped by apply
 *	registry_dump.c		feast_registry_dump
 *	registry.c			reading the registry back for the calls below
 *	historical.c, pit_join.c
 *		feast_historical and friends: the point-in-time join engine
 *	materialize.c, online_read.c, push.c, pull.c
 *		the online store: materialization, online reads, push, pulls
 *	schedule.c			feast_schedule: materialization as a pg_cron job
 *	sqlbuild.c, srf.c	safe SQL from user text; SETOF record results
 *	spi_util.c			running SPI statements and reading their results
 *
 * IDENTIFICATION
 *	  src/offline_store.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "offline_store.h"
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
	ScheduleInit();

	MarkGUCPrefixReserved("offline_store");
}
