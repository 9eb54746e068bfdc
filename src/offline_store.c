/*-------------------------------------------------------------------------
 *
 * offline_store.c
 *		Module magic and settings of the offline_store extension.
 *
 * Each concern lives in its own file: config_yaml.c parses feature repo
 * documents, config_apply.c writes them into the registry, registry.c reads
 * the registry back, historical.c and pit_join.c build training sets,
 * materialize.c, online.c, push.c and pull.c serve the online store.
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

	MarkGUCPrefixReserved("offline_store");
}
