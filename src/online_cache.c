/*-------------------------------------------------------------------------
 *
 * online_cache.c
 *		A per-backend cache of what online reads resolve, and the
 *		invalidations that drop it.
 *
 * feast_online_features is a serving path: one call per request, often for
 * one key. What a call resolves from the registry (the views, features and
 * output names of the request, the online tables) and the plan of its read
 * depend only on the call's arguments and the shape of its entity rows, so
 * online_read.c keeps them here, in entries keyed by those, each in its
 * own memory context under CacheMemoryContext, at most ONLINE_CACHE_MAX of
 * them (least recently used first out).
 *
 * An entry is dropped when what it was built from may have changed:
 *
 * - The registry. A statement-level trigger on every registry table an
 *   online read depends on (feast.registry_changed(), installed by
 *   src/sql/32_online_cache.sql) sends a relcache invalidation for that
 *   table; every backend drops all its entries when it receives one (and
 *   for a full reset). Like any invalidation, it is transactional: the
 *   writing session sees it at its next command, other sessions once the
 *   writer commits, at the start of their next transaction or call
 *   (OnlineCacheEnter accepts pending invalidations), and a rollback
 *   drops the entries built from the rolled-back rows. DDL and GRANT or
 *   REVOKE on a registry table invalidate it too.
 * - The relations an entry names (online tables): any relcache
 *   invalidation of one of them (ALTER, DROP, GRANT/REVOKE, VACUUM or
 *   ANALYZE updating its statistics) drops the entries that name it.
 * - Operators, casts and schemas (syscache invalidations): key equality
 *   and the generated SQL depend on them; every entry is dropped.
 *
 * Callbacks only mark entries dead; they are freed (with their kept plans)
 * at the start of a call when no call is running, so nothing a running
 * call holds is ever freed under it. An entry built while an invalidation
 * arrived may reflect the state before the change: it serves the call
 * that built it and is not kept (OnlineCacheGeneration). Entries built in
 * a transaction that reads with a transaction snapshot (REPEATABLE READ,
 * SERIALIZABLE) are never kept nor used: the registry they read may be
 * older than invalidations already received.
 *
 * Nothing cached carries privileges: plans are run as the caller each time
 * (the plan cache checks permissions at each execution and plans again
 * for another role under row-level security), and entries are keyed by
 * the current user as well.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "online_cache.h"

/* At most this many entries are kept. */
#define ONLINE_CACHE_MAX 64

/*
 * The registry tables an online read depends on; each has the trigger
 * feast.registry_changed() (src/sql/32_online_cache.sql lists the same).
 */
static const char *const registry_tables[] = {
	"projects", "entities", "data_sources", "feature_views",
	"feature_view_entities", "features", "aggregations", "feature_services",
	"feature_service_projections", "online_tables"
};

#define NREGISTRY_TABLES lengthof(registry_tables)

static void online_cache_init(void);
static void lookup_registry(void);
static void drop_all(void);
static void relcache_callback(Datum arg, Oid relid);
static void syscache_callback(Datum arg, int cacheid, uint32 hashvalue);
static void sweep(void);

PG_FUNCTION_INFO_V1(ofs_registry_changed);

static MemoryContext cache_cxt = NULL;
static List *entries = NIL;		/* in cache_cxt */
static uint64 use_clock = 0;	/* stamps each use of an entry */
static int	depth = 0;			/* calls running */
static uint64 generation = 0;
static bool registry_valid = false;
static Oid	registry_relids[NREGISTRY_TABLES];

/*
 * feast.registry_changed(): statement-level trigger on the registry
 * tables. Sends a relcache invalidation for the table, which every
 * backend's online cache receives (see the file header).
 */
Datum
ofs_registry_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						"feast.registry_changed")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/* Register the callbacks, once per backend. */
static void
online_cache_init(void)
{
	cache_cxt = AllocSetContextCreate(CacheMemoryContext,
									  "offline_store online cache",
									  ALLOCSET_SMALL_SIZES);
	CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(OPEROID, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(OPERNAMENSP, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(CASTSOURCETARGET, syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, syscache_callback, (Datum) 0);
}

/*
 * The OIDs of the registry tables, looked up again after any invalidation
 * of one of them (the extension may have been dropped and created again).
 * registry_valid stays false if one is missing: the cache is then unused.
 */
static void
lookup_registry(void)
{
	Oid			nsp = get_namespace_oid("feast", true);

	if (!OidIsValid(nsp))
		return;
	for (int i = 0; i < (int) NREGISTRY_TABLES; i++)
	{
		registry_relids[i] = get_relname_relid(registry_tables[i], nsp);
		if (!OidIsValid(registry_relids[i]))
			return;
	}
	registry_valid = true;
}

/* Mark every entry dead. */
static void
drop_all(void)
{
	ListCell   *lc;

	foreach(lc, entries)
		((OnlineCacheEntry *) lfirst(lc))->dead = true;
	generation++;
}

/*
 * A relcache invalidation: of a registry table or of everything (relid
 * InvalidOid), drop every entry; of a relation some entries name, drop
 * those. Runs inside invalidation processing: no catalog access, no
 * allocation, no freeing.
 */
static void
relcache_callback(Datum arg, Oid relid)
{
	ListCell   *lc;
	bool		dropped = false;

	if (!OidIsValid(relid))
	{
		registry_valid = false;
		drop_all();
		return;
	}
	for (int i = 0; registry_valid && i < (int) NREGISTRY_TABLES; i++)
		if (registry_relids[i] == relid)
		{
			registry_valid = false;
			drop_all();
			return;
		}
	foreach(lc, entries)
	{
		OnlineCacheEntry *e = lfirst(lc);

		if (e->dead)
			continue;
		for (int i = 0; i < e->nrelids; i++)
			if (e->relids[i] == relid)
			{
				e->dead = true;
				dropped = true;
				break;
			}
	}
	if (dropped)
		generation++;
}

/* Operators, casts or schemas changed: drop every entry. */
static void
syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	drop_all();
}

/* Free the dead entries (only when no call is running). */
static void
sweep(void)
{
	ListCell   *lc;

	Assert(depth == 0);
	foreach(lc, entries)
	{
		OnlineCacheEntry *e = lfirst(lc);

		if (!e->dead)
			continue;
		entries = foreach_delete_current(entries, lc);
		if (e->release)
			e->release(e->data);
		MemoryContextDelete(e->cxt);
	}
}

void
OnlineCacheEnter(void)
{
	if (cache_cxt == NULL)
		online_cache_init();
	AcceptInvalidationMessages();
	if (depth == 0)
		sweep();
	if (!registry_valid)
		lookup_registry();
	depth++;
}

void
OnlineCacheLeave(bool success)
{
	Assert(depth > 0);
	depth--;
	if (depth == 0 && success)
		sweep();
}

bool
OnlineCacheUsable(void)
{
	return registry_valid && !IsolationUsesXactSnapshot();
}

uint64
OnlineCacheGeneration(void)
{
	return generation;
}

MemoryContext
OnlineCacheContext(void)
{
	Assert(cache_cxt != NULL);
	return cache_cxt;
}

OnlineCacheEntry *
OnlineCacheLookup(const char *key, int keylen)
{
	uint32		hash;
	ListCell   *lc;

	if (!OnlineCacheUsable())
		return NULL;
	hash = hash_bytes((const unsigned char *) key, keylen);
	foreach(lc, entries)
	{
		OnlineCacheEntry *e = lfirst(lc);

		if (!e->dead && e->hash == hash && e->keylen == keylen &&
			memcmp(e->key, key, keylen) == 0)
		{
			e->last_used = ++use_clock;
			return e;
		}
	}
	return NULL;
}

OnlineCacheEntry *
OnlineCacheInsert(const char *key, int keylen, MemoryContext cxt,
				  const Oid *relids, int nrelids, void *data,
				  void (*release) (void *data), uint64 gen)
{
	OnlineCacheEntry *e;
	ListCell   *lc;
	OnlineCacheEntry *oldest = NULL;
	int			live = 0;
	MemoryContext old;

	if (!OnlineCacheUsable() || gen != generation)
		return NULL;

	/* make room: the least recently used live entry goes */
	foreach(lc, entries)
	{
		OnlineCacheEntry *c = lfirst(lc);

		if (!c->dead)
		{
			live++;
			if (oldest == NULL || c->last_used < oldest->last_used)
				oldest = c;
		}
	}
	if (live >= ONLINE_CACHE_MAX && oldest != NULL)
		oldest->dead = true;

	e = MemoryContextAllocZero(cxt, sizeof(OnlineCacheEntry));
	e->hash = hash_bytes((const unsigned char *) key, keylen);
	e->keylen = keylen;
	e->key = MemoryContextAlloc(cxt, keylen);
	memcpy(e->key, key, keylen);
	e->cxt = cxt;
	e->nrelids = nrelids;
	e->relids = MemoryContextAlloc(cxt, sizeof(Oid) * Max(nrelids, 1));
	if (nrelids > 0)
		memcpy(e->relids, relids, sizeof(Oid) * nrelids);
	e->data = data;
	e->release = release;
	e->last_used = ++use_clock;
	old = MemoryContextSwitchTo(cache_cxt);
	entries = lappend(entries, e);
	MemoryContextSwitchTo(old);
	MemoryContextSetParent(cxt, cache_cxt);
	return e;
}
