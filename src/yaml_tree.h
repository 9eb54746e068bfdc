/*-------------------------------------------------------------------------
 *
 * yaml_tree.h
 *		The YAML layer under yaml_config.c: an arena, a node tree read
 *		from libyaml events, scalar resolution, errors by longjmp, and
 *		JSON emission of a subtree.
 *
 * Private to the pure-C parser (yaml_tree.c, yaml_config.c): no
 * postgres.h. Everything allocated through a YamlCtx comes from its arena; any
 * error is recorded in ctx->err and raised with longjmp(ctx->jb), so a
 * caller must have done setjmp(ctx->jb) first (OfsConfigParse does) and
 * must not keep state in non-volatile locals across these calls.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/yaml_tree.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_YAML_TREE_H
#define OFS_YAML_TREE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "yaml_config.h"

#define OFS_MAX_DOCUMENT	((size_t) 64 * 1024 * 1024)
#define OFS_MAX_DEPTH		64
#define OFS_MAX_NODES		2000000

/* The arena behind an OfsConfig: a list of malloc'd blocks. */
struct OfsArena
{
	struct YamlArenaBlock *head;
};

typedef enum YamlKind
{
	Y_SCALAR,
	Y_SEQ,
	Y_MAP
} YamlKind;

/* A node of the document tree. */
typedef struct YamlNode
{
	YamlKind	kind;
	bool		resolvable;		/* plain scalar: may be null/bool/int/float */
	OfsPos		pos;
	const char *s;				/* scalar text, NUL-terminated */
	size_t		len;
	int			n;				/* seq: items; map: pairs */
	struct YamlNode **items;		/* map: items[2i] key, items[2i+1] value */
	struct YamlNode *next;			/* sibling while the parent is open */
} YamlNode;

typedef struct YamlCtx
{
	jmp_buf		jb;
	struct OfsArena *arena;
	OfsError   *err;
	yaml_parser_t parser;
	bool		parser_live;
	const char *text;
	size_t		len;
	long		nnodes;			/* nodes read so far */
} YamlCtx;

#if defined(__GNUC__) || defined(__clang__)
#define OFS_NORETURN __attribute__((noreturn))
#define OFS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OFS_NORETURN
#define OFS_PRINTF(a, b)
#endif

typedef struct YamlBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} YamlBuf;

/* Memory and errors */
extern void YamlArenaFree(struct OfsArena *arena);
extern void *YamlAlloc(YamlCtx *ctx, size_t size);
extern void *YamlAllocArray(YamlCtx *ctx, size_t elsize, int n);
extern char *YamlFormat(YamlCtx *ctx, const char *fmt,...) OFS_PRINTF(2, 3);
extern void YamlFail(YamlCtx *ctx, OfsErrorKind kind, OfsPos pos,
					 const char *detail, const char *hint,
					 const char *fmt,...) OFS_NORETURN OFS_PRINTF(6, 7);

/* The tree and its scalars */
extern YamlNode *YamlLoadTree(YamlCtx *ctx);
extern bool YamlScalarIsNull(const YamlNode *n);
extern int	YamlScalarBool(const YamlNode *n);
extern int	YamlScalarInt(const YamlNode *n, int64_t *out);
extern void YamlCheckMapKeys(YamlCtx *ctx, const YamlNode *map, const char *what);
extern int	YamlFindDuplicateStrs(YamlCtx *ctx, const OfsStr *const *strs, int n);

/* JSON emission */
extern void YamlBufPuts(YamlCtx *ctx, YamlBuf *b, const char *s);
extern void YamlBufJsonString(YamlCtx *ctx, YamlBuf *b, const char *s, size_t len);
extern void YamlEmitJson(YamlCtx *ctx, YamlBuf *b, const YamlNode *n, const char *what);

#endif							/* OFS_YAML_TREE_H */
