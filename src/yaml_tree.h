/*-------------------------------------------------------------------------
 *
 * yaml_tree.h
 *		The YAML layer under config_yaml.c: an arena, a node tree read
 *		from libyaml events, scalar resolution, errors by longjmp, and
 *		JSON emission of a subtree.
 *
 * Private to the pure-C parser (yaml_tree.c, config_yaml.c): no
 * postgres.h. Everything allocated through a Ctx comes from its arena; any
 * error is recorded in ctx->err and raised with longjmp(ctx->jb), so a
 * caller must have done setjmp(ctx->jb) first (OfsConfigParse does) and
 * must not keep state in non-volatile locals across these calls.
 *
 * Copyright (c) 2026, offline_store developers
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

#include "config_yaml.h"

#define OFS_MAX_DOCUMENT	((size_t) 64 * 1024 * 1024)
#define OFS_MAX_DEPTH		64
#define OFS_MAX_NODES		2000000

/* The arena behind an OfsConfig: a list of malloc'd blocks. */
struct OfsArena
{
	struct ArenaBlock *head;
};

typedef enum YKind
{
	Y_SCALAR,
	Y_SEQ,
	Y_MAP
} YKind;

/* A node of the document tree. */
typedef struct YNode
{
	YKind		kind;
	bool		resolvable;		/* plain scalar: may be null/bool/int/float */
	OfsPos		pos;
	const char *s;				/* scalar text, NUL-terminated */
	size_t		len;
	int			n;				/* seq: items; map: pairs */
	struct YNode **items;		/* map: items[2i] key, items[2i+1] value */
	struct YNode *next;			/* sibling while the parent is open */
} YNode;

typedef struct Ctx
{
	jmp_buf		jb;
	struct OfsArena *arena;
	OfsError   *err;
	yaml_parser_t parser;
	bool		parser_live;
	const char *text;
	size_t		len;
	long		nnodes;			/* nodes read so far */
} Ctx;

#if defined(__GNUC__) || defined(__clang__)
#define OFS_NORETURN __attribute__((noreturn))
#define OFS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OFS_NORETURN
#define OFS_PRINTF(a, b)
#endif

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

/* Memory and errors */
extern void YamlArenaFree(struct OfsArena *arena);
extern void *YamlAlloc(Ctx *ctx, size_t size);
extern void *YamlAllocArray(Ctx *ctx, size_t elsize, int n);
extern char *YamlFormat(Ctx *ctx, const char *fmt,...) OFS_PRINTF(2, 3);
extern void YamlFail(Ctx *ctx, OfsErrorKind kind, OfsPos pos,
					 const char *detail, const char *hint,
					 const char *fmt,...) OFS_NORETURN OFS_PRINTF(6, 7);

/* The tree and its scalars */
extern YNode *YamlLoadTree(Ctx *ctx);
extern bool YamlScalarIsNull(const YNode *n);
extern int	YamlScalarBool(const YNode *n);
extern int	YamlScalarInt(const YNode *n, int64_t *out);
extern void YamlCheckMapKeys(Ctx *ctx, const YNode *map, const char *what);
extern int	YamlFindDuplicateStrs(Ctx *ctx, const OfsStr *const *strs, int n);

/* JSON emission */
extern void YamlBufPuts(Ctx *ctx, Buf *b, const char *s);
extern void YamlBufJsonString(Ctx *ctx, Buf *b, const char *s, size_t len);
extern void YamlEmitJson(Ctx *ctx, Buf *b, const YNode *n, const char *what);

#endif							/* OFS_YAML_TREE_H */
