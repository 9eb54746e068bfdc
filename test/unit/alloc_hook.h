/*-------------------------------------------------------------------------
 *
 * alloc_hook.h
 *		Route the parser's malloc and calloc through counters.
 *
 * `make unit` force-includes this header (-include) into every file of
 * the test program: the parser's (src/yaml_tree.c, src/yaml_config.c,
 * src/yaml_ttl.c) and test_yaml_config.c, which defines the counters
 * and #undefs the macros for its own allocations, so that it can make the
 * n-th allocation of the parser fail.  The system headers come first so
 * that their declarations are not renamed.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  test/unit/alloc_hook.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_ALLOC_HOOK_H
#define OFS_ALLOC_HOOK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *counted_malloc(size_t n);
extern void *counted_calloc(size_t n, size_t m);

#define malloc(n) counted_malloc(n)
#define calloc(n, m) counted_calloc(n, m)

#endif							/* OFS_ALLOC_HOOK_H */
