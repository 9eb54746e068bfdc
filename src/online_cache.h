/*-------------------------------------------------------------------------
 *
 * online_cache.h
 *		A per-backend cache of what online reads resolve (online_cache.c),
 *		dropped when the registry or the relations an entry depends on
 *		change.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_ONLINE_CACHE_H
#define OFS_ONLINE_CACHE_H

/*
 * One cached entry: an opaque key (bytes compared exactly), the memory
 * context that owns everything the entry holds, the relations whose
 * invalidation drops it, and the owner's data with the function that frees
 * what the context does not own (plans kept with SPI_keepplan).
 */
typedef struct OnlineCacheEntry
{
	uint32		hash;			/* of the key */
	uint64		last_used;		/* when it was last returned */
	int			keylen;
	char	   *key;
	MemoryContext cxt;			/* owns the entry, key and data */
	int			nrelids;
	Oid		   *relids;			/* relations the entry depends on */
	bool		dead;			/* invalidated: never returned again */
	void	   *data;			/* the owner's */
	void		(*release) (void *data);	/* frees what cxt does not own */
} OnlineCacheEntry;

/*
 * OnlineCacheEnter starts a call that uses the cache, OnlineCacheLeave ends
 * it, also when the call fails (success false, from PG_CATCH). Entries
 * dropped while a call runs are freed only when no call runs (at the end
 * of a successful call, or at the start of the next), so a call (or a call
 * nested in its entity_df query) never has an entry it holds freed under
 * it, and nothing is freed while an error unwinds. OnlineCacheEnter also
 * makes the invalidations other sessions committed take effect now.
 */
extern void OnlineCacheEnter(void);
extern void OnlineCacheLeave(bool success);

/*
 * The live entry with that key, made the most recently used, or NULL.
 * Always NULL when the cache cannot be used in this transaction
 * (OnlineCacheUsable).
 */
extern OnlineCacheEntry *OnlineCacheLookup(const char *key, int keylen);

/*
 * The cache serves only transactions that read the registry with a fresh
 * snapshot per statement (READ COMMITTED): an entry built from an older
 * transaction snapshot could miss a change whose invalidation has already
 * been received, and would then outlive it.
 */
extern bool OnlineCacheUsable(void);

/*
 * A counter that moves whenever an invalidation drops entries. An entry
 * (or a part added to one) built while it moved may reflect the state
 * before the change, so it is used for the call that built it and not
 * kept.
 */
extern uint64 OnlineCacheGeneration(void);

/*
 * OnlineCacheInsert keeps a new entry built in context cxt (which it
 * re-parents under the cache's context), with its key copied, if the
 * generation is still gen and the cache is usable; the least recently
 * used entry goes when the cache is full. Returns the entry, or NULL when
 * it was not kept (the caller then uses its data for this call only and
 * cxt stays where it was).
 */
extern OnlineCacheEntry *OnlineCacheInsert(const char *key, int keylen,
										   MemoryContext cxt,
										   const Oid *relids, int nrelids,
										   void *data,
										   void (*release) (void *data),
										   uint64 gen);

/* The context under which kept entries live (for parts added to one). */
extern MemoryContext OnlineCacheContext(void);

#endif							/* OFS_ONLINE_CACHE_H */
