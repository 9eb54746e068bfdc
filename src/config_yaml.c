/*-------------------------------------------------------------------------
 *
 * config_yaml.c
 *		Parse a feature repo document (feature_store.yaml plus entities,
 *		sources, feature views and feature services) into an OfsConfig.
 *
 * This file is plain C on purpose: no postgres.h, no palloc, no ereport.
 * It is linked into the extension and, alone, into the unit tests and the
 * fuzzer, so every input must end in either a config or an OfsError.
 *
 * The document is read with libyaml's event API into a small node tree of
 * our own.  That gives us the limits we want before any interpretation:
 * one document only, no aliases (so no exponential expansion), nesting
 * depth at most OFS_MAX_DEPTH, input at most OFS_MAX_DOCUMENT bytes and
 * OFS_MAX_NODES nodes, no NUL characters inside strings.  Each libyaml
 * event is copied into the arena and deleted at once, so the only foreign
 * allocation alive at any time is the parser itself.
 *
 * Memory: everything (nodes, strings, the OfsConfig itself) comes from one
 * arena of malloc'd blocks owned by the OfsConfig.  Errors are raised with
 * longjmp back to OfsConfigParse(), which deletes the parser and the arena;
 * nothing else needs cleaning up, which keeps every error path leak-free.
 * No code between setjmp and longjmp keeps state in non-volatile locals of
 * OfsConfigParse().
 *
 * Scalars follow the YAML 1.2 core schema where a type matters: booleans
 * are true/false/True/False/TRUE/FALSE, integers decimal (or 0x/0o), null
 * is ~/null/Null/NULL/empty, and only plain (unquoted, untagged) scalars
 * are resolved; a quoted scalar is always a string.  A null value counts as
 * an absent key.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/config_yaml.c
 *
 *-------------------------------------------------------------------------
 */
#include "config_yaml.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define OFS_MAX_DOCUMENT	(64 * 1024 * 1024)
#define OFS_MAX_DEPTH		64
#define OFS_MAX_NODES		2000000

#define USEC_PER_SEC		INT64_C(1000000)
#define USEC_PER_MIN		(INT64_C(60) * USEC_PER_SEC)
#define USEC_PER_HOUR		(INT64_C(60) * USEC_PER_MIN)
#define USEC_PER_DAY		(INT64_C(24) * USEC_PER_HOUR)
#define USEC_PER_WEEK		(INT64_C(7) * USEC_PER_DAY)

#define TOP_WHAT "feature store configuration"

/* ----------------------------------------------------------------
 * Arena
 * ----------------------------------------------------------------
 */
typedef struct ArenaBlock
{
	struct ArenaBlock *next;
	size_t		size;
	size_t		used;
	/* data follows, aligned like malloc's result */
} ArenaBlock;

#define ARENA_ALIGN		16
#define ARENA_HDR \
	((sizeof(ArenaBlock) + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1))
#ifndef ARENA_BLOCK				/* the unit tests use tiny blocks */
#define ARENA_BLOCK		(64 * 1024)
#endif

struct OfsArena
{
	ArenaBlock *head;
};

static void
arena_free(struct OfsArena *arena)
{
	ArenaBlock *b;

	if (arena == NULL)
		return;
	b = arena->head;
	while (b)
	{
		ArenaBlock *next = b->next;

		free(b);
		b = next;
	}
	free(arena);
}

/* Returns NULL when malloc fails. */
static void *
arena_alloc(struct OfsArena *arena, size_t size)
{
	ArenaBlock *b = arena->head;
	void	   *p;

	size = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < size)
	{
		size_t		bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;

		if (bsize > SIZE_MAX - ARENA_HDR)
			return NULL;
		b = malloc(ARENA_HDR + bsize);
		if (b == NULL)
			return NULL;
		b->size = bsize;
		b->used = 0;
		if (bsize != ARENA_BLOCK && arena->head != NULL)
		{
			/* a big block: keep filling the current small one */
			b->next = arena->head->next;
			arena->head->next = b;
		}
		else
		{
			b->next = arena->head;
			arena->head = b;
		}
	}
	p = (char *) b + ARENA_HDR + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

/* ----------------------------------------------------------------
 * Parse context and errors
 * ----------------------------------------------------------------
 */

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

static void *
ctx_alloc(Ctx *ctx, size_t size);

#if defined(__GNUC__) || defined(__clang__)
#define OFS_NORETURN __attribute__((noreturn))
#define OFS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OFS_NORETURN
#define OFS_PRINTF(a, b)
#endif

static char *vastr(Ctx *ctx, const char *fmt, va_list ap) OFS_PRINTF(2, 0);
static char *astr(Ctx *ctx, const char *fmt,...) OFS_PRINTF(2, 3);
static void *ctx_array(Ctx *ctx, size_t elsize, int n);

/* Copy src into dst (of size dstsize), cutting at a UTF-8 boundary. */
static void
copy_msg(char *dst, size_t dstsize, const char *src)
{
	size_t		n = strlen(src);

	if (n >= dstsize)
	{
		n = dstsize - 1;
		/* back off over continuation bytes to a character start */
		while (n > 0 && ((unsigned char) src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* vsnprintf into a fresh arena string. */
static char *
vastr(Ctx *ctx, const char *fmt, va_list ap)
{
	va_list		ap2;
	int			n;
	char	   *buf;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	buf = ctx_alloc(ctx, (size_t) n + 1);
	vsnprintf(buf, (size_t) n + 1, fmt, ap);
	return buf;
}

/* An array of n elements (at least one, so that it is never NULL). */
static void *
ctx_array(Ctx *ctx, size_t elsize, int n)
{
	return ctx_alloc(ctx, elsize * (size_t) (n > 0 ? n : 1));
}

static char *
astr(Ctx *ctx, const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	s = vastr(ctx, fmt, ap);
	va_end(ap);
	return s;
}

static void fail_oom(Ctx *ctx) OFS_NORETURN;
static void fail(Ctx *ctx, OfsErrorKind kind, OfsPos pos,
				 const char *detail, const char *hint,
				 const char *fmt,...) OFS_NORETURN OFS_PRINTF(6, 7);

static void
fail_oom(Ctx *ctx)
{
	OfsError   *err = ctx->err;

	memset(err, 0, sizeof(*err));
	err->kind = OFS_ERR_OUT_OF_MEMORY;
	copy_msg(err->message, sizeof(err->message), "out of memory");
	copy_msg(err->detail, sizeof(err->detail),
			 "Failed while parsing the feature store configuration.");
	longjmp(ctx->jb, 1);
}

/*
 * Record an error and jump back to OfsConfigParse().  The message is
 * formatted with a fixed buffer so that this never allocates.
 */
static void
fail(Ctx *ctx, OfsErrorKind kind, OfsPos pos, const char *detail,
	 const char *hint, const char *fmt,...)
{
	OfsError   *err = ctx->err;
	char		buf[2048];
	va_list		ap;

	memset(err, 0, sizeof(*err));
	err->kind = kind;
	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	copy_msg(err->message, sizeof(err->message), buf);
	if (detail)
		copy_msg(err->detail, sizeof(err->detail), detail);
	if (hint)
		copy_msg(err->hint, sizeof(err->hint), hint);
	longjmp(ctx->jb, 1);
}

static void *
ctx_alloc(Ctx *ctx, size_t size)
{
	void	   *p = arena_alloc(ctx->arena, size);

	if (p == NULL)
		fail_oom(ctx);
	return p;
}

static OfsPos
mark_pos(yaml_mark_t mark)
{
	OfsPos		pos;

	pos.line = mark.line >= INT_MAX ? INT_MAX : (int) mark.line + 1;
	pos.column = mark.column >= INT_MAX ? INT_MAX : (int) mark.column + 1;
	return pos;
}

/* Line and column of a byte offset, for libyaml reader errors. */
static OfsPos
offset_pos(Ctx *ctx, size_t offset)
{
	OfsPos		pos = {1, 1};
	size_t		i;

	if (offset > ctx->len)
		offset = ctx->len;
	for (i = 0; i < offset; i++)
	{
		unsigned char c = (unsigned char) ctx->text[i];

		if (c == '\n')
		{
			if (pos.line < INT_MAX)
				pos.line++;
			pos.column = 1;
		}
		else if ((c & 0xC0) != 0x80 && pos.column < INT_MAX)
			pos.column++;
	}
	return pos;
}

/* ----------------------------------------------------------------
 * Loading: libyaml events to a YNode tree
 * ----------------------------------------------------------------
 */

typedef struct OpenNode
{
	YNode	   *node;
	YNode	   *head;
	YNode	   *tail;
	size_t		count;
} OpenNode;

static void
fail_syntax(Ctx *ctx)
{
	yaml_parser_t *p = &ctx->parser;
	OfsPos		pos;
	const char *problem = p->problem ? p->problem : "syntax error";
	char		detail[512];

	if (p->error == YAML_MEMORY_ERROR)
		fail_oom(ctx);
	if (p->error == YAML_READER_ERROR)
		pos = offset_pos(ctx, p->problem_offset);
	else
		pos = mark_pos(p->problem_mark);
	snprintf(detail, sizeof(detail), "%c%s at line %d, column %d.",
			 (problem[0] >= 'a' && problem[0] <= 'z') ?
			 problem[0] - 'a' + 'A' : problem[0],
			 problem + 1, pos.line, pos.column);
	fail(ctx, OFS_ERR_SYNTAX, pos, detail, NULL,
		 "invalid YAML in feature store configuration");
}

static bool
tag_is(const yaml_char_t *tag, const char *suffix)
{
	static const char prefix[] = "tag:yaml.org,2002:";

	return strncmp((const char *) tag, prefix, sizeof(prefix) - 1) == 0 &&
		strcmp((const char *) tag + sizeof(prefix) - 1, suffix) == 0;
}

/* Append a finished node to the innermost open collection. */
static void
attach(Ctx *ctx, OpenNode *stack, int depth, YNode *node, YNode **root)
{
	OpenNode   *top;

	/*
	 * Bound the tree: every node costs about 100 bytes of malloc'd memory
	 * outside PostgreSQL's accounting, and no feature repo needs this many.
	 */
	if (++ctx->nnodes > OFS_MAX_NODES)
	{
		char		detail[128];

		snprintf(detail, sizeof(detail),
				 "The document has more than %d YAML nodes.", OFS_MAX_NODES);
		fail(ctx, OFS_ERR_TOO_LARGE, node->pos, detail, NULL,
			 "feature store configuration has too many elements");
	}
	if (depth == 0)
	{
		*root = node;
		return;
	}
	top = &stack[depth - 1];
	if (top->tail)
		top->tail->next = node;
	else
		top->head = node;
	top->tail = node;
	top->count++;
}

static void
close_node(Ctx *ctx, OpenNode *open)
{
	YNode	   *node = open->node;
	YNode	   *c;
	size_t		i = 0;

	if (node->kind == Y_MAP && open->count % 2 != 0)
		fail(ctx, OFS_ERR_SYNTAX, node->pos, NULL, NULL,
			 "invalid YAML in feature store configuration");
	node->items = ctx_array(ctx, sizeof(YNode *), (int) open->count);
	for (c = open->head; c; c = c->next)
		node->items[i++] = c;
	node->n = (int) (node->kind == Y_MAP ? open->count / 2 : open->count);
}

/*
 * Read the whole document into a tree.  Returns NULL for an empty stream.
 */
static YNode *
load_tree(Ctx *ctx)
{
	OpenNode	stack[OFS_MAX_DEPTH + 1];
	int			depth = 0;
	YNode	   *root = NULL;
	int			ndocs = 0;
	bool		done = false;

	memset(stack, 0, sizeof(stack));
	if (!yaml_parser_initialize(&ctx->parser))
		fail_oom(ctx);
	ctx->parser_live = true;
	yaml_parser_set_input_string(&ctx->parser,
								 (const unsigned char *) ctx->text, ctx->len);

	while (!done)
	{
		yaml_event_t ev;
		YNode	   *node = NULL;
		OfsPos		pos;

		if (!yaml_parser_parse(&ctx->parser, &ev))
			fail_syntax(ctx);
		pos = mark_pos(ev.start_mark);

		switch (ev.type)
		{
			case YAML_STREAM_END_EVENT:
				done = true;
				break;
			case YAML_DOCUMENT_START_EVENT:
				if (++ndocs > 1)
				{
					yaml_event_delete(&ev);
					fail(ctx, OFS_ERR_SYNTAX, pos,
						 "Only one YAML document is allowed.", NULL,
						 "feature store configuration contains more than one YAML document");
				}
				break;
			case YAML_ALIAS_EVENT:
				yaml_event_delete(&ev);
				fail(ctx, OFS_ERR_INVALID_VALUE, pos, NULL,
					 "Repeat the value instead of using an alias.",
					 "YAML aliases are not supported in feature store configuration");
				break;
			case YAML_SCALAR_EVENT:
				{
					const yaml_char_t *tag = ev.data.scalar.tag;
					size_t		len = ev.data.scalar.length;

					if (memchr(ev.data.scalar.value, '\0', len) != NULL)
					{
						char		detail[128];

						snprintf(detail, sizeof(detail),
								 "String contains a null character at line %d, column %d.",
								 pos.line, pos.column);
						yaml_event_delete(&ev);
						fail(ctx, OFS_ERR_SYNTAX, pos, detail, NULL,
							 "invalid YAML in feature store configuration");
					}
					node = arena_alloc(ctx->arena, sizeof(YNode));
					if (node)
						node->s = arena_alloc(ctx->arena, len + 1);
					if (node == NULL || node->s == NULL)
					{
						yaml_event_delete(&ev);
						fail_oom(ctx);
					}
					memcpy((char *) node->s, ev.data.scalar.value, len);
					node->kind = Y_SCALAR;
					node->len = len;
					node->pos = pos;
					if (tag == NULL)
						node->resolvable = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
					else
						node->resolvable = tag_is(tag, "null") || tag_is(tag, "bool") ||
							tag_is(tag, "int") || tag_is(tag, "float");
					yaml_event_delete(&ev);
					attach(ctx, stack, depth, node, &root);
					continue;
				}
			case YAML_SEQUENCE_START_EVENT:
			case YAML_MAPPING_START_EVENT:
				{
					YKind		kind = ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;

					yaml_event_delete(&ev);
					if (depth >= OFS_MAX_DEPTH)
					{
						char		detail[128];

						snprintf(detail, sizeof(detail),
								 "Nesting exceeds %d levels at line %d, column %d.",
								 OFS_MAX_DEPTH, pos.line, pos.column);
						fail(ctx, OFS_ERR_TOO_LARGE, pos, detail, NULL,
							 "feature store configuration is nested too deeply");
					}
					node = ctx_alloc(ctx, sizeof(YNode));
					node->kind = kind;
					node->pos = pos;
					stack[depth].node = node;
					stack[depth].head = stack[depth].tail = NULL;
					stack[depth].count = 0;
					depth++;
					continue;
				}
			case YAML_SEQUENCE_END_EVENT:
			case YAML_MAPPING_END_EVENT:
				yaml_event_delete(&ev);
				if (depth == 0)		/* cannot happen with libyaml */
					fail(ctx, OFS_ERR_SYNTAX, pos, NULL, NULL,
						 "invalid YAML in feature store configuration");
				depth--;
				close_node(ctx, &stack[depth]);
				attach(ctx, stack, depth, stack[depth].node, &root);
				continue;
			default:
				break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ctx->parser);
	ctx->parser_live = false;
	return root;
}

/* ----------------------------------------------------------------
 * Scalar resolution (YAML 1.2 core schema)
 * ----------------------------------------------------------------
 */

static bool
scalar_is_null(const YNode *n)
{
	return n->kind == Y_SCALAR && n->resolvable &&
		(n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
		 strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

/* 1 true, 0 false, -1 not a boolean. */
static int
scalar_bool(const YNode *n)
{
	if (n->kind != Y_SCALAR || !n->resolvable)
		return -1;
	if (strcmp(n->s, "true") == 0 || strcmp(n->s, "True") == 0 ||
		strcmp(n->s, "TRUE") == 0)
		return 1;
	if (strcmp(n->s, "false") == 0 || strcmp(n->s, "False") == 0 ||
		strcmp(n->s, "FALSE") == 0)
		return 0;
	return -1;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does s match [-+]?[0-9]+ ? */
static bool
text_is_decimal_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 0o[0-7]+ or 0x[0-9a-fA-F]+: value in *out; false if not or too big. */
static bool
text_radix_int(const char *s, uint64_t *out)
{
	int			base;
	uint64_t	v = 0;

	if (s[0] != '0' || (s[1] != 'o' && s[1] != 'x'))
		return false;
	base = s[1] == 'o' ? 8 : 16;
	s += 2;
	if (*s == '\0')
		return false;
	for (; *s; s++)
	{
		int			d = hex_value(*s);

		if (d < 0 || d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t) d) / (uint64_t) base)
			return false;
		v = v * (uint64_t) base + (uint64_t) d;
	}
	*out = v;
	return true;
}

/*
 * Integer value of a plain scalar. Returns 1 on success, 0 when it is not
 * an integer, -1 when it is one but does not fit in int64.
 */
static int
scalar_int(const YNode *n, int64_t *out)
{
	const char *s;
	bool		neg = false;
	uint64_t	v = 0;

	if (n->kind != Y_SCALAR || !n->resolvable)
		return 0;
	s = n->s;
	if (text_radix_int(s, &v))
	{
		if (v > (uint64_t) INT64_MAX)
			return -1;
		*out = (int64_t) v;
		return 1;
	}
	if (!text_is_decimal_int(s))
		return 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s; s++)
	{
		uint64_t	d = (uint64_t) (*s - '0');

		if (v > ((uint64_t) INT64_MAX + 1 - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (!neg && v > (uint64_t) INT64_MAX)
		return -1;
	*out = neg ? (int64_t) (0 - v) : (int64_t) v;
	return 1;
}

/*
 * If s is a YAML 1.2 core float ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?),
 * return the equivalent JSON number (an arena string), else NULL.
 */
static char *
float_to_json(Ctx *ctx, const char *s)
{
	const char *p = s;
	const char *ip,
			   *fp = NULL,
			   *ep = NULL;
	size_t		ilen,
				flen = 0,
				elen = 0;
	bool		neg = false;
	char		esign = 0;
	char	   *out,
			   *o;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	ip = p;
	while (is_digit(*p))
		p++;
	ilen = (size_t) (p - ip);
	if (*p == '.')
	{
		p++;
		fp = p;
		while (is_digit(*p))
			p++;
		flen = (size_t) (p - fp);
	}
	if (ilen == 0 && flen == 0)
		return NULL;
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '-' || *p == '+')
			esign = *p++;
		ep = p;
		while (is_digit(*p))
			p++;
		elen = (size_t) (p - ep);
		if (elen == 0)
			return NULL;
	}
	if (*p != '\0')
		return NULL;

	/* strip leading zeros of the integer part, keep one digit */
	while (ilen > 1 && *ip == '0')
	{
		ip++;
		ilen--;
	}
	out = o = ctx_alloc(ctx, ilen + flen + elen + 8);
	if (neg)
		*o++ = '-';
	if (ilen == 0)
		*o++ = '0';
	else
	{
		memcpy(o, ip, ilen);
		o += ilen;
	}
	if (flen > 0)
	{
		*o++ = '.';
		memcpy(o, fp, flen);
		o += flen;
	}
	if (elen > 0)
	{
		*o++ = 'e';
		if (esign == '-')
			*o++ = '-';
		memcpy(o, ep, elen);
		o += elen;
	}
	*o = '\0';
	return out;
}

/* ----------------------------------------------------------------
 * JSON emission
 * ----------------------------------------------------------------
 */

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_reserve(Ctx *ctx, Buf *b, size_t more)
{
	size_t		need;
	char	   *nd;

	if (more > SIZE_MAX / 4 - b->len)
		fail_oom(ctx);
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	nd = ctx_alloc(ctx, b->cap);
	if (b->len > 0)
		memcpy(nd, b->data, b->len);
	b->data = nd;
}

static void
buf_append(Ctx *ctx, Buf *b, const char *s, size_t len)
{
	buf_reserve(ctx, b, len);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void
buf_puts(Ctx *ctx, Buf *b, const char *s)
{
	buf_append(ctx, b, s, strlen(s));
}

static void
buf_json_string(Ctx *ctx, Buf *b, const char *s, size_t len)
{
	size_t		i;

	buf_reserve(ctx, b, len + 2);
	buf_append(ctx, b, "\"", 1);
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];

		switch (c)
		{
			case '"':
				buf_append(ctx, b, "\\\"", 2);
				break;
			case '\\':
				buf_append(ctx, b, "\\\\", 2);
				break;
			case '\n':
				buf_append(ctx, b, "\\n", 2);
				break;
			case '\r':
				buf_append(ctx, b, "\\r", 2);
				break;
			case '\t':
				buf_append(ctx, b, "\\t", 2);
				break;
			case '\b':
				buf_append(ctx, b, "\\b", 2);
				break;
			case '\f':
				buf_append(ctx, b, "\\f", 2);
				break;
			default:
				if (c < 0x20)
				{
					snprintf(esc, sizeof(esc), "\\u%04x", (unsigned) c);
					buf_append(ctx, b, esc, 6);
				}
				else
					buf_append(ctx, b, (const char *) &s[i], 1);
				break;
		}
	}
	buf_append(ctx, b, "\"", 1);
}

static void check_map_keys(Ctx *ctx, const YNode *map, const char *what);

static void
emit_scalar(Ctx *ctx, Buf *b, const YNode *n)
{
	uint64_t	uv;
	char	   *f;

	if (n->resolvable)
	{
		if (scalar_is_null(n))
		{
			buf_puts(ctx, b, "null");
			return;
		}
		switch (scalar_bool(n))
		{
			case 1:
				buf_puts(ctx, b, "true");
				return;
			case 0:
				buf_puts(ctx, b, "false");
				return;
			default:
				break;
		}
		if (text_radix_int(n->s, &uv))
		{
			char		num[32];

			snprintf(num, sizeof(num), "%llu", (unsigned long long) uv);
			buf_puts(ctx, b, num);
			return;
		}
		/* decimal integers of any size and floats; .inf and .nan stay strings */
		f = float_to_json(ctx, n->s);
		if (f != NULL)
		{
			buf_puts(ctx, b, f);
			return;
		}
	}
	buf_json_string(ctx, b, n->s, n->len);
}

/* Any YAML node as JSON; what names the section for errors. */
static void
emit_json(Ctx *ctx, Buf *b, const YNode *n, const char *what)
{
	int			i;

	switch (n->kind)
	{
		case Y_SCALAR:
			emit_scalar(ctx, b, n);
			break;
		case Y_SEQ:
			buf_puts(ctx, b, "[");
			for (i = 0; i < n->n; i++)
			{
				if (i > 0)
					buf_puts(ctx, b, ", ");
				emit_json(ctx, b, n->items[i], what);
			}
			buf_puts(ctx, b, "]");
			break;
		case Y_MAP:
			check_map_keys(ctx, n, what);
			buf_puts(ctx, b, "{");
			for (i = 0; i < n->n; i++)
			{
				const YNode *k = n->items[2 * i];

				if (i > 0)
					buf_puts(ctx, b, ", ");
				buf_json_string(ctx, b, k->s, k->len);
				buf_puts(ctx, b, ": ");
				emit_json(ctx, b, n->items[2 * i + 1], what);
			}
			buf_puts(ctx, b, "}");
			break;
	}
}

/* ----------------------------------------------------------------
 * Duplicate detection
 * ----------------------------------------------------------------
 */

typedef struct NameRef
{
	const char *s;
	size_t		len;
	int			index;
} NameRef;

static int
nameref_cmp(const void *a, const void *b)
{
	const NameRef *x = a;
	const NameRef *y = b;
	size_t		m = x->len < y->len ? x->len : y->len;
	int			c = m ? memcmp(x->s, y->s, m) : 0;

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

/*
 * Index (in document order) of the earliest second occurrence of a name,
 * or -1 when all names are distinct.  Runs in O(n log n).
 */
static int
find_duplicate(Ctx *ctx, NameRef *refs, int n)
{
	int			best = -1;
	int			i;

	if (n < 2)
		return -1;
	qsort(refs, (size_t) n, sizeof(NameRef), nameref_cmp);
	for (i = 1; i < n; i++)
	{
		if (refs[i].len == refs[i - 1].len &&
			memcmp(refs[i].s, refs[i - 1].s, refs[i].len) == 0 &&
			(i < 2 || refs[i - 2].len != refs[i].len ||
			 memcmp(refs[i - 2].s, refs[i].s, refs[i].len) != 0))
		{
			/* refs[i] is the second occurrence of its group */
			if (best < 0 || refs[i].index < best)
				best = refs[i].index;
		}
	}
	(void) ctx;
	return best;
}

/*
 * Every key of a mapping must be a scalar, and no key may appear twice.
 */
static void
check_map_keys(Ctx *ctx, const YNode *map, const char *what)
{
	NameRef    *refs;
	int			i,
				dup;

	for (i = 0; i < map->n; i++)
	{
		const YNode *k = map->items[2 * i];

		if (k->kind != Y_SCALAR)
			fail(ctx, OFS_ERR_WRONG_TYPE, k->pos, NULL, NULL,
				 "keys in %s must be strings", what);
	}
	if (map->n < 2)
		return;
	refs = ctx_alloc(ctx, sizeof(NameRef) * (size_t) map->n);
	for (i = 0; i < map->n; i++)
	{
		refs[i].s = map->items[2 * i]->s;
		refs[i].len = map->items[2 * i]->len;
		refs[i].index = i;
	}
	dup = find_duplicate(ctx, refs, map->n);
	if (dup >= 0)
		fail(ctx, OFS_ERR_DUPLICATE, map->items[2 * dup]->pos, NULL, NULL,
			 "duplicate key \"%s\" in %s", map->items[2 * dup]->s, what);
}

/* Duplicate check over OfsStr values; returns index of the second or -1. */
static int
find_duplicate_strs(Ctx *ctx, const OfsStr *const *strs, int n)
{
	NameRef    *refs;
	int			i;

	if (n < 2)
		return -1;
	refs = ctx_alloc(ctx, sizeof(NameRef) * (size_t) n);
	for (i = 0; i < n; i++)
	{
		refs[i].s = strs[i]->s;
		refs[i].len = strlen(strs[i]->s);
		refs[i].index = i;
	}
	return find_duplicate(ctx, refs, n);
}

/* ----------------------------------------------------------------
 * Mapping access
 * ----------------------------------------------------------------
 */

static const char *
join_keys_list(Ctx *ctx, const char *const *keys)
{
	Buf			b = {0};
	int			i;

	for (i = 0; keys[i]; i++)
	{
		if (i > 0)
			buf_puts(ctx, &b, ", ");
		buf_puts(ctx, &b, keys[i]);
	}
	return b.data ? b.data : "";
}

/* The value of key in map, or NULL when absent or null. */
static const YNode *
map_get(const YNode *map, const char *key)
{
	int			i;
	size_t		klen = strlen(key);

	for (i = 0; i < map->n; i++)
	{
		const YNode *k = map->items[2 * i];

		if (k->len == klen && memcmp(k->s, key, klen) == 0)
		{
			const YNode *v = map->items[2 * i + 1];

			return scalar_is_null(v) ? NULL : v;
		}
	}
	return NULL;
}

static bool
key_in(const YNode *k, const char *const *keys)
{
	int			i;

	for (i = 0; keys[i]; i++)
		if (strlen(keys[i]) == k->len && memcmp(keys[i], k->s, k->len) == 0)
			return true;
	return false;
}

static void
check_unknown_keys(Ctx *ctx, const YNode *map, const char *const *keys,
				   const char *what)
{
	int			i;

	for (i = 0; i < map->n; i++)
	{
		const YNode *k = map->items[2 * i];

		if (!key_in(k, keys))
			fail(ctx, OFS_ERR_UNKNOWN_KEY, k->pos, NULL,
				 astr(ctx, "Valid keys are: %s.", join_keys_list(ctx, keys)),
				 "unrecognized key \"%s\" in %s", k->s, what);
	}
}

/* A node that must be a mapping (what describes the object). */
static void
require_map(Ctx *ctx, const YNode *n, const char *what)
{
	if (n->kind != Y_MAP)
		fail(ctx, OFS_ERR_WRONG_TYPE, n->pos, NULL, NULL,
			 "%s must be a mapping", what);
	check_map_keys(ctx, n, what);
}

static OfsStr
str_absent(void)
{
	OfsStr		s = {NULL, {0, 0}};

	return s;
}

static OfsStr
str_from(const YNode *n)
{
	OfsStr		s;

	s.s = n->s;
	s.pos = n->pos;
	return s;
}

/* Optional string value of key; NULL s when absent or null. */
static OfsStr
get_str(Ctx *ctx, const YNode *map, const char *key, const char *what)
{
	const YNode *v = map_get(map, key);

	if (v == NULL)
		return str_absent();
	if (v->kind != Y_SCALAR)
		fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a string", key, what);
	return str_from(v);
}

static void
fail_empty(Ctx *ctx, OfsPos pos, const char *key, const char *what)
{
	fail(ctx, OFS_ERR_INVALID_VALUE, pos, NULL, NULL,
		 "key \"%s\" in %s must not be empty", key, what);
}

/* Required, non-empty string. */
static OfsStr
get_req_str(Ctx *ctx, const YNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s == NULL)
		fail(ctx, OFS_ERR_MISSING_KEY, map->pos, NULL, NULL,
			 "missing required key \"%s\" in %s", key, what);
	if (s.s[0] == '\0')
		fail_empty(ctx, s.pos, key, what);
	return s;
}

/* Optional string that must not be empty when given. */
static OfsStr
get_opt_name(Ctx *ctx, const YNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s != NULL && s.s[0] == '\0')
		fail_empty(ctx, s.pos, key, what);
	return s;
}

/* Optional text defaulting to "". */
static OfsStr
get_text(Ctx *ctx, const YNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s == NULL)
		s.s = "";
	return s;
}

static bool
get_bool(Ctx *ctx, const YNode *map, const char *key, const char *what,
		 bool dflt)
{
	const YNode *v = map_get(map, key);
	int			b;

	if (v == NULL)
		return dflt;
	b = scalar_bool(v);
	if (b < 0)
		fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL,
			 "Use true or false.",
			 "key \"%s\" in %s must be a boolean", key, what);
	return b == 1;
}

/* A sequence value or NULL when absent. */
static const YNode *
get_seq(Ctx *ctx, const YNode *map, const char *key, const char *what)
{
	const YNode *v = map_get(map, key);

	if (v != NULL && v->kind != Y_SEQ)
		fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a sequence", key, what);
	return v;
}

/* A sequence of non-empty strings. */
static OfsStrList
get_str_list(Ctx *ctx, const YNode *map, const char *key, const char *what,
			 bool *present)
{
	const YNode *v = get_seq(ctx, map, key, what);
	OfsStrList	l;
	int			i;

	memset(&l, 0, sizeof(l));
	if (present)
		*present = v != NULL;
	if (v == NULL)
		return l;
	l.pos = v->pos;
	l.n = v->n;
	l.items = ctx_array(ctx, sizeof(OfsStr), v->n);
	for (i = 0; i < v->n; i++)
	{
		const YNode *it = v->items[i];

		if (it->kind != Y_SCALAR || scalar_is_null(it))
			fail(ctx, OFS_ERR_WRONG_TYPE, it->pos, NULL, NULL,
				 "entries of key \"%s\" in %s must be strings", key, what);
		if (it->len == 0)
			fail(ctx, OFS_ERR_INVALID_VALUE, it->pos, NULL, NULL,
				 "entries of key \"%s\" in %s must not be empty", key, what);
		l.items[i] = str_from(it);
	}
	return l;
}

/* Fail if a string list names something twice. */
static void
check_list_unique(Ctx *ctx, const OfsStrList *l, const char *key,
				  const char *what)
{
	const OfsStr **p;
	int			i,
				dup;

	if (l->n < 2)
		return;
	p = ctx_alloc(ctx, sizeof(OfsStr *) * (size_t) l->n);
	for (i = 0; i < l->n; i++)
		p[i] = &l->items[i];
	dup = find_duplicate_strs(ctx, p, l->n);
	if (dup >= 0)
		fail(ctx, OFS_ERR_DUPLICATE, l->items[dup].pos, NULL, NULL,
			 "\"%s\" is listed more than once in key \"%s\" in %s",
			 l->items[dup].s, key, what);
}

/*
 * A mapping of strings to strings.  Keys must be non-empty; null values
 * become "".  When values_nonempty, values must be non-empty too.
 */
static OfsStrMap
get_str_map(Ctx *ctx, const YNode *map, const char *key, const char *what,
			bool values_nonempty)
{
	const YNode *v = map_get(map, key);
	OfsStrMap	m;
	int			i;
	const char *inner;

	memset(&m, 0, sizeof(m));
	if (v == NULL)
		return m;
	inner = astr(ctx, "key \"%s\" in %s", key, what);
	if (v->kind != Y_MAP)
		fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "%s must be a mapping", inner);
	check_map_keys(ctx, v, inner);
	m.pos = v->pos;
	m.n = v->n;
	m.items = ctx_array(ctx, sizeof(OfsStrPair), v->n);
	for (i = 0; i < v->n; i++)
	{
		const YNode *k = v->items[2 * i];
		const YNode *val = v->items[2 * i + 1];

		if (k->len == 0 || scalar_is_null(k))
			fail(ctx, OFS_ERR_INVALID_VALUE, k->pos, NULL, NULL,
				 "keys in %s must not be empty", inner);
		if (val->kind != Y_SCALAR)
			fail(ctx, OFS_ERR_WRONG_TYPE, val->pos, NULL, NULL,
				 "values in %s must be strings", inner);
		m.items[i].key = str_from(k);
		m.items[i].value = str_from(val);
		if (scalar_is_null(val))
			m.items[i].value.s = "";
		if (values_nonempty && m.items[i].value.s[0] == '\0')
			fail(ctx, OFS_ERR_INVALID_VALUE, val->pos, NULL, NULL,
				 "values in %s must not be empty", inner);
	}
	return m;
}

/* Items of a top-level section: a sequence of mappings. */
static const YNode *
get_section(Ctx *ctx, const YNode *top, const char *key, bool *present)
{
	const YNode *v = get_seq(ctx, top, key, TOP_WHAT);
	int			i;

	*present = v != NULL;
	if (v == NULL)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (v->items[i]->kind != Y_MAP)
			fail(ctx, OFS_ERR_WRONG_TYPE, v->items[i]->pos, NULL, NULL,
				 "entries of key \"%s\" must be mappings", key);
	return v;
}

/* Fail when two objects of a section share a name. */
static void
check_names_unique(Ctx *ctx, const OfsStr *const *names, int n,
				   const char *kind)
{
	int			dup = find_duplicate_strs(ctx, names, n);

	if (dup >= 0)
		fail(ctx, OFS_ERR_DUPLICATE, names[dup]->pos, NULL, NULL,
			 "%s \"%s\" is defined more than once", kind, names[dup]->s);
}

/* ----------------------------------------------------------------
 * TTL, dtypes, value types
 * ----------------------------------------------------------------
 */

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0)
	{
		uint64_t	t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Add <int>.<frac> times unit to *total, exactly.  Fails on overflow and
 * on a fraction that is not a whole number of microseconds.
 */
static bool
ttl_add(int64_t *total, const char *ip, size_t ilen, const char *fp,
		size_t flen, int64_t unit)
{
	int64_t		iv = 0;
	int64_t		v;
	uint64_t	fv = 0,
				den = 1,
				g,
				add;
	size_t		i;

	for (i = 0; i < ilen; i++)
	{
		int			d = ip[i] - '0';

		if (iv > (INT64_MAX - d) / 10)
			return false;
		iv = iv * 10 + d;
	}
	if (iv > INT64_MAX / unit)
		return false;
	v = iv * unit;

	while (flen > 0 && fp[flen - 1] == '0')
		flen--;
	/* a fraction with more than 18 significant digits is never exact */
	if (flen > 18)
		return false;
	for (i = 0; i < flen; i++)
	{
		fv = fv * 10 + (uint64_t) (fp[i] - '0');
		den *= 10;
	}
	/* fv * unit / den, exactly: reduce unit/den first to avoid overflow */
	g = gcd_u64((uint64_t) unit, den);
	den /= g;
	if (fv % den != 0)
		return false;
	add = (fv / den) * ((uint64_t) unit / g);	/* < unit: no overflow */
	if (v > INT64_MAX - (int64_t) add)
		return false;
	v += (int64_t) add;
	if (*total > INT64_MAX - v)
		return false;
	*total += v;
	return true;
}

/* Lex [0-9]+(\.[0-9]+)? at *p. */
static bool
ttl_number(const char **p, const char **ip, size_t *ilen, const char **fp,
		   size_t *flen)
{
	const char *s = *p;

	*ip = s;
	while (is_digit(*s))
		s++;
	*ilen = (size_t) (s - *ip);
	if (*ilen == 0)
		return false;
	*fp = s;
	*flen = 0;
	if (*s == '.')
	{
		s++;
		*fp = s;
		while (is_digit(*s))
			s++;
		*flen = (size_t) (s - *fp);
		if (*flen == 0)
			return false;
	}
	*p = s;
	return true;
}

/* ISO 8601 duration without years and months: P[nW][nD][T[nH][nM][nS]]. */
static bool
parse_iso_duration(const char *s, int64_t *usec)
{
	static const struct
	{
		char		c;
		int64_t		unit;
		bool		time;
	}			units[] = {
		{'W', USEC_PER_WEEK, false},
		{'D', USEC_PER_DAY, false},
		{'H', USEC_PER_HOUR, true},
		{'M', USEC_PER_MIN, true},
		{'S', USEC_PER_SEC, true},
	};
	const char *p = s + 1;		/* after 'P' */
	int64_t		total = 0;
	int			next = 0;		/* next allowed unit index */
	bool		in_time = false;
	bool		any = false;
	bool		time_any = false;

	while (*p)
	{
		const char *ip,
				   *fp;
		size_t		ilen,
					flen;
		int			u;

		if (*p == 'T')
		{
			if (in_time)
				return false;
			in_time = true;
			p++;
			if (next < 2)
				next = 2;
			continue;
		}
		if (!ttl_number(&p, &ip, &ilen, &fp, &flen))
			return false;
		for (u = next; u < 5; u++)
			if (units[u].c == *p && units[u].time == in_time)
				break;
		if (u == 5)
			return false;
		if (!ttl_add(&total, ip, ilen, fp, flen, units[u].unit))
			return false;
		next = u + 1;
		any = true;
		if (in_time)
			time_any = true;
		p++;
	}
	if (!any || (in_time && !time_any))
		return false;
	*usec = total;
	return true;
}

/* [H]H:MM:SS[.ffffff] */
static bool
parse_clock(const char *s, int64_t *usec)
{
	const char *p = s;
	const char *hp,
			   *sp,
			   *fp = "";
	size_t		hlen,
				flen = 0;
	int64_t		total = 0;

	hp = p;
	while (is_digit(*p))
		p++;
	hlen = (size_t) (p - hp);
	if (hlen == 0 || *p != ':')
		return false;
	p++;
	if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || p[0] > '5')
		return false;
	if (!ttl_add(&total, p, 2, "", 0, USEC_PER_MIN))
		return false;
	p += 3;
	if (!is_digit(p[0]) || !is_digit(p[1]) || p[0] > '5')
		return false;
	sp = p;
	p += 2;
	if (*p == '.')
	{
		p++;
		fp = p;
		while (is_digit(*p))
			p++;
		flen = (size_t) (p - fp);
		if (flen == 0)
			return false;
	}
	if (*p != '\0')
		return false;
	if (!ttl_add(&total, hp, hlen, "", 0, USEC_PER_HOUR) ||
		!ttl_add(&total, sp, 2, fp, flen, USEC_PER_SEC))
		return false;
	*usec = total;
	return true;
}

bool
OfsParseTtl(const char *text, int64_t *usec)
{
	static const struct
	{
		const char *name;
		int64_t		unit;
	}			units[] = {
		{"w", USEC_PER_WEEK},
		{"d", USEC_PER_DAY},
		{"h", USEC_PER_HOUR},
		{"m", USEC_PER_MIN},
		{"s", USEC_PER_SEC},
		{"ms", 1000},
		{"us", 1},
	};
	const int	nunits = (int) (sizeof(units) / sizeof(units[0]));
	const char *p = text;
	int64_t		total = 0;
	int			next = 0;

	if (text == NULL || *text == '\0')
		return false;
	if (text[0] == 'P')
		return parse_iso_duration(text, usec);
	if (strchr(text, ':') != NULL)
		return parse_clock(text, usec);

	while (*p)
	{
		const char *ip,
				   *fp;
		size_t		ilen,
					flen;
		int			u;
		size_t		ulen;

		if (!ttl_number(&p, &ip, &ilen, &fp, &flen))
			return false;
		if (*p == '\0' && p - ip == (ptrdiff_t) strlen(text))
		{
			/* a bare number is seconds */
			if (!ttl_add(&total, ip, ilen, fp, flen, USEC_PER_SEC))
				return false;
			break;
		}
		if (p[0] == 'm' && p[1] == 's')
			ulen = 2, u = 5;
		else if (p[0] == 'u' && p[1] == 's')
			ulen = 2, u = 6;
		else
		{
			ulen = 1;
			for (u = 0; u < 5; u++)
				if (*p == units[u].name[0])
					break;
			if (u == 5)
				return false;
		}
		if (u < next || u >= nunits)
			return false;
		if (!ttl_add(&total, ip, ilen, fp, flen, units[u].unit))
			return false;
		next = u + 1;
		p += ulen;
	}
	*usec = total;
	return true;
}

void
OfsFormatTtl(int64_t usec, char *buf, size_t buflen)
{
	if (buf == NULL || buflen == 0)
		return;
	if (usec == 0)
		snprintf(buf, buflen, "0s");
	else if (usec < 0)
		snprintf(buf, buflen, "%lldus", (long long) usec);
	else if (usec % USEC_PER_DAY == 0)
		snprintf(buf, buflen, "%lldd", (long long) (usec / USEC_PER_DAY));
	else if (usec % USEC_PER_HOUR == 0)
		snprintf(buf, buflen, "%lldh", (long long) (usec / USEC_PER_HOUR));
	else if (usec % USEC_PER_MIN == 0)
		snprintf(buf, buflen, "%lldm", (long long) (usec / USEC_PER_MIN));
	else if (usec % USEC_PER_SEC == 0)
		snprintf(buf, buflen, "%llds", (long long) (usec / USEC_PER_SEC));
	else
	{
		char		frac[8];
		int			i;

		snprintf(frac, sizeof(frac), "%06lld", (long long) (usec % USEC_PER_SEC));
		for (i = 5; i > 0 && frac[i] == '0'; i--)
			frac[i] = '\0';
		snprintf(buf, buflen, "%lld.%ss", (long long) (usec / USEC_PER_SEC), frac);
	}
}

static const char *const dtype_names[] = {
	"Int32", "Int64", "Float32", "Float64", "String", "Bytes", "Bool",
	"UnixTimestamp", NULL
};
static const char *const dtype_arrays[] = {
	"Array(Int32)", "Array(Int64)", "Array(Float32)", "Array(Float64)",
	"Array(String)", "Array(Bytes)", "Array(Bool)", "Array(UnixTimestamp)",
	NULL
};
static const char *const value_type_names[] = {
	"INT32", "INT64", "FLOAT", "DOUBLE", "STRING", "BYTES", "BOOL",
	"UNIX_TIMESTAMP", NULL
};

static bool
eq_nocase_n(const char *a, size_t alen, const char *b)
{
	size_t		i;

	if (alen != strlen(b))
		return false;
	for (i = 0; i < alen; i++)
	{
		char		x = a[i],
					y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char) (x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char) (y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static int
scalar_dtype_index(const char *s, size_t len)
{
	int			i;

	for (i = 0; dtype_names[i]; i++)
		if (eq_nocase_n(s, len, dtype_names[i]))
			return i;
	return -1;
}

const char *
OfsNormalizeDtype(const char *text)
{
	size_t		len;
	int			i;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	i = scalar_dtype_index(text, len);
	if (i >= 0)
		return dtype_names[i];
	if (len > 7 && eq_nocase_n(text, 6, "array(") && text[len - 1] == ')')
	{
		const char *s = text + 6;
		size_t		n = len - 7;

		while (n > 0 && *s == ' ')
			s++, n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		i = scalar_dtype_index(s, n);
		if (i >= 0)
			return dtype_arrays[i];
	}
	return NULL;
}

const char *
OfsNormalizeValueType(const char *text)
{
	static const char *const spellings[][2] = {
		{"INT32", "INT32"}, {"INT64", "INT64"}, {"FLOAT", "FLOAT"},
		{"DOUBLE", "DOUBLE"}, {"STRING", "STRING"}, {"BYTES", "BYTES"},
		{"BOOL", "BOOL"}, {"UNIX_TIMESTAMP", "UNIX_TIMESTAMP"},
		{"Float32", "FLOAT"}, {"Float64", "DOUBLE"},
		{"UnixTimestamp", "UNIX_TIMESTAMP"},
	};
	size_t		i;

	if (text == NULL)
		return NULL;
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		if (eq_nocase_n(text, strlen(text), spellings[i][0]))
			return spellings[i][1];
	return NULL;
}

/* ----------------------------------------------------------------
 * The document
 * ----------------------------------------------------------------
 */

static const char *const top_keys[] = {
	"project", "project_description", "provider", "registry", "online_store",
	"offline_store", "batch_engine", "materialization", "auth",
	"entity_key_serialization_version", "coerce_tz_aware", "entities",
	"sources", "feature_views", "feature_services", NULL
};

#define PG_CONN_KEYS \
	"host", "port", "database", "user", "password", "sslmode", \
	"sslkey_path", "sslcert_path", "sslrootcert_path", "keepalives_idle", \
	"min_conn", "max_conn", "conn_type"

static const char *const online_keys[] = {
	"type", "db_schema", PG_CONN_KEYS, "vector_enabled", "similarity", NULL
};
static const char *const offline_keys[] = {
	"type", PG_CONN_KEYS, "db_schema", "entity_select_mode", NULL
};
static const char *const entity_keys[] = {
	"name", "join_keys", "value_type", "description", "owner", "tags", NULL
};
static const char *const source_keys[] = {
	"name", "type", "table", "query", "batch_source", "timestamp_field",
	"created_timestamp_column", "date_partition_column", "field_mapping",
	"description", "owner", "tags", NULL
};
static const char *const table_source_keys[] = {
	"name", "type", "table", "timestamp_field", "created_timestamp_column",
	"date_partition_column", "field_mapping", "description", "owner", "tags",
	NULL
};
static const char *const query_source_keys[] = {
	"name", "type", "query", "timestamp_field", "created_timestamp_column",
	"date_partition_column", "field_mapping", "description", "owner", "tags",
	NULL
};
static const char *const push_source_keys[] = {
	"name", "type", "batch_source", "description", "owner", "tags", NULL
};
static const char *const fv_keys[] = {
	"name", "entities", "ttl", "source", "online", "offline", "schema",
	"description", "owner", "tags", NULL
};
static const char *const field_keys[] = {
	"name", "dtype", "description", "tags", NULL
};
static const char *const fs_keys[] = {
	"name", "features", "description", "owner", "tags", NULL
};
static const char *const projection_keys[] = {
	"feature_view", "name", "features", "join_key_map", NULL
};

/* Section kept as JSON; NULL when absent. */
static const char *
section_json(Ctx *ctx, const YNode *top, const char *key)
{
	const YNode *v = map_get(top, key);
	Buf			b = {0};

	if (v == NULL)
		return NULL;
	emit_json(ctx, &b, v, astr(ctx, "key \"%s\"", key));
	return b.data;
}

/*
 * online_store / offline_store: a mapping with known keys.  type and
 * (online only) db_schema come first with their defaults filled in; the
 * other keys follow in document order.
 */
static const char *
store_json(Ctx *ctx, OfsConfig *cfg, const YNode *top, bool online)
{
	const char *key = online ? "online_store" : "offline_store";
	const char *what = online ? "online store configuration" :
		"offline store configuration";
	const YNode *v = map_get(top, key);
	static const YNode empty = {.kind = Y_MAP};
	OfsStr		type,
				schema = str_absent();
	Buf			b = {0};
	int			i;

	if (v == NULL)
		v = &empty;
	else if (v->kind != Y_MAP)
		fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a mapping", key, TOP_WHAT);
	check_map_keys(ctx, v, what);
	check_unknown_keys(ctx, v, online ? online_keys : offline_keys, what);

	type = get_str(ctx, v, "type", what);
	if (type.s == NULL)
		type.s = online ? "postgres" : "offline_store";
	else if (online ? strcmp(type.s, "postgres") != 0 :
			 (strcmp(type.s, "offline_store") != 0 &&
			  strcmp(type.s, "postgres") != 0))
		fail(ctx, OFS_ERR_INVALID_VALUE, type.pos, NULL,
			 online ? "The only valid type is: postgres." :
			 "Valid types are: offline_store, postgres.",
			 "invalid value for key \"type\" in %s: \"%s\"", what, type.s);

	buf_puts(ctx, &b, "{\"type\": ");
	buf_json_string(ctx, &b, type.s, strlen(type.s));
	if (online)
	{
		schema = get_opt_name(ctx, v, "db_schema", what);
		if (schema.s == NULL)
			schema.s = "feast_online";
		cfg->online_schema = schema;
		buf_puts(ctx, &b, ", \"db_schema\": ");
		buf_json_string(ctx, &b, schema.s, strlen(schema.s));
	}
	for (i = 0; i < v->n; i++)
	{
		const YNode *k = v->items[2 * i];

		if (strcmp(k->s, "type") == 0 ||
			(online && strcmp(k->s, "db_schema") == 0))
			continue;
		buf_puts(ctx, &b, ", ");
		buf_json_string(ctx, &b, k->s, k->len);
		buf_puts(ctx, &b, ": ");
		emit_json(ctx, &b, v->items[2 * i + 1], what);
	}
	buf_puts(ctx, &b, "}");
	return b.data;
}

static void
parse_entity(Ctx *ctx, const YNode *n, OfsEntity *e)
{
	const char *what;
	OfsStrList	jk;
	bool		has_jk;

	require_map(ctx, n, "entity");
	e->pos = n->pos;
	e->name = get_req_str(ctx, n, "name", "entity");
	what = astr(ctx, "entity \"%s\"", e->name.s);
	check_unknown_keys(ctx, n, entity_keys, what);

	jk = get_str_list(ctx, n, "join_keys", what, &has_jk);
	if (!has_jk)
		e->join_key = e->name;
	else if (jk.n != 1)
		fail(ctx, OFS_ERR_INVALID_VALUE, jk.pos,
			 "Entities with more than one join key are not supported.", NULL,
			 "key \"join_keys\" in %s must list exactly one join key", what);
	else
		e->join_key = jk.items[0];

	e->value_type = get_str(ctx, n, "value_type", what);
	if (e->value_type.s != NULL)
	{
		const char *vt = OfsNormalizeValueType(e->value_type.s);

		if (vt == NULL)
			fail(ctx, OFS_ERR_INVALID_VALUE, e->value_type.pos, NULL,
				 astr(ctx, "Valid value types are: %s.",
					  join_keys_list(ctx, value_type_names)),
				 "invalid value for key \"value_type\" in %s: \"%s\"",
				 what, e->value_type.s);
		e->value_type.s = vt;
	}
	e->description = get_text(ctx, n, "description", what);
	e->owner = get_text(ctx, n, "owner", what);
	e->tags = get_str_map(ctx, n, "tags", what, false);
}

static void
check_source_keys(Ctx *ctx, const YNode *n, const char *const *keys,
				  const char *type, const char *what)
{
	int			i;

	for (i = 0; i < n->n; i++)
	{
		const YNode *k = n->items[2 * i];

		if (!key_in(k, keys) && !scalar_is_null(n->items[2 * i + 1]))
			fail(ctx, OFS_ERR_UNKNOWN_KEY, k->pos, NULL,
				 astr(ctx, "Valid keys for a %s data source are: %s.",
					  type, join_keys_list(ctx, keys)),
				 "key \"%s\" is not valid in %s data source \"%s\"",
				 k->s, type, what);
	}
}

static void
parse_source(Ctx *ctx, const YNode *n, OfsSource *s)
{
	const char *what;
	int			i,
				dup;
	const OfsStr **targets;

	require_map(ctx, n, "data source");
	s->pos = n->pos;
	s->name = get_req_str(ctx, n, "name", "data source");
	what = astr(ctx, "data source \"%s\"", s->name.s);
	check_unknown_keys(ctx, n, source_keys, what);

	s->table = get_opt_name(ctx, n, "table", what);
	s->query = get_opt_name(ctx, n, "query", what);
	s->batch_source = get_opt_name(ctx, n, "batch_source", what);
	s->type_text = get_str(ctx, n, "type", what);
	if (s->type_text.s == NULL)
	{
		int			given = (s->table.s != NULL) + (s->query.s != NULL) +
			(s->batch_source.s != NULL);

		if (given > 1)
			fail(ctx, OFS_ERR_CONFLICT, n->pos, NULL,
				 "Set \"type\" to table, query or push.",
				 "%s has more than one of the keys \"table\", \"query\" and \"batch_source\"",
				 what);
		if (s->table.s)
			s->type_text.s = "table";
		else if (s->query.s)
			s->type_text.s = "query";
		else if (s->batch_source.s)
			s->type_text.s = "push";
		else
			fail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL,
				 "A table source needs \"table\", a query source \"query\", a push source \"batch_source\".",
				 "missing required key \"table\", \"query\" or \"batch_source\" in %s",
				 what);
		s->type_text.pos = n->pos;
	}
	if (strcmp(s->type_text.s, "table") == 0)
	{
		s->type = OFS_SOURCE_TABLE;
		check_source_keys(ctx, n, table_source_keys, "table", s->name.s);
		s->table = get_req_str(ctx, n, "table", what);
	}
	else if (strcmp(s->type_text.s, "query") == 0)
	{
		s->type = OFS_SOURCE_QUERY;
		check_source_keys(ctx, n, query_source_keys, "query", s->name.s);
		s->query = get_req_str(ctx, n, "query", what);
	}
	else if (strcmp(s->type_text.s, "push") == 0)
	{
		s->type = OFS_SOURCE_PUSH;
		check_source_keys(ctx, n, push_source_keys, "push", s->name.s);
		s->batch_source = get_req_str(ctx, n, "batch_source", what);
	}
	else
		fail(ctx, OFS_ERR_INVALID_VALUE, s->type_text.pos, NULL,
			 "Valid types are: table, query, push.",
			 "invalid value for key \"type\" in %s: \"%s\"",
			 what, s->type_text.s);

	if (s->type != OFS_SOURCE_PUSH)
	{
		s->timestamp_field = get_req_str(ctx, n, "timestamp_field", what);
		s->created_timestamp_column =
			get_opt_name(ctx, n, "created_timestamp_column", what);
		s->date_partition_column =
			get_opt_name(ctx, n, "date_partition_column", what);
		s->field_mapping = get_str_map(ctx, n, "field_mapping", what, true);
	}
	s->description = get_text(ctx, n, "description", what);
	s->owner = get_text(ctx, n, "owner", what);
	s->tags = get_str_map(ctx, n, "tags", what, false);

	/* two source columns may not become the same feature */
	if (s->field_mapping.n > 1)
	{
		targets = ctx_alloc(ctx, sizeof(OfsStr *) * (size_t) s->field_mapping.n);
		for (i = 0; i < s->field_mapping.n; i++)
			targets[i] = &s->field_mapping.items[i].value;
		dup = find_duplicate_strs(ctx, targets, s->field_mapping.n);
		if (dup >= 0)
		{
			int			first;

			for (first = 0; first < dup; first++)
				if (strcmp(targets[first]->s, targets[dup]->s) == 0)
					break;
			fail(ctx, OFS_ERR_CONFLICT, targets[dup]->pos, NULL, NULL,
				 "columns \"%s\" and \"%s\" of %s are both mapped to \"%s\" in key \"field_mapping\"",
				 s->field_mapping.items[first].key.s,
				 s->field_mapping.items[dup].key.s, what, targets[dup]->s);
		}
	}
}

static const char *
dtype_hint(Ctx *ctx)
{
	return astr(ctx, "Valid dtypes are: %s, and Array(...) of each.",
				join_keys_list(ctx, dtype_names));
}

static const char *
ttl_hint(void)
{
	return "Use seconds (7200), a number with a unit (7200s, 90m, 2h, 1d, 1w, "
		"500ms, 1.5h, 1h30m), an ISO 8601 duration (PT2H, P1DT2H30M) or "
		"HH:MM:SS (02:00:00).";
}

static void
parse_feature_view(Ctx *ctx, const YNode *n, OfsFeatureView *fv)
{
	const char *what;
	const YNode *schema;
	const YNode *ttl;
	const OfsStr **names;
	int			i,
				dup;

	require_map(ctx, n, "feature view");
	fv->pos = n->pos;
	fv->name = get_req_str(ctx, n, "name", "feature view");
	what = astr(ctx, "feature view \"%s\"", fv->name.s);
	check_unknown_keys(ctx, n, fv_keys, what);

	fv->entities = get_str_list(ctx, n, "entities", what, NULL);
	check_list_unique(ctx, &fv->entities, "entities", what);

	ttl = map_get(n, "ttl");
	if (ttl != NULL)
	{
		if (ttl->kind != Y_SCALAR)
			fail(ctx, OFS_ERR_WRONG_TYPE, ttl->pos, NULL, ttl_hint(),
				 "key \"ttl\" in %s must be a duration", what);
		fv->ttl = str_from(ttl);
		if (!OfsParseTtl(ttl->s, &fv->ttl_usec))
			fail(ctx, OFS_ERR_INVALID_VALUE, ttl->pos, NULL, ttl_hint(),
				 "invalid value for key \"ttl\" in %s: \"%s\"", what, ttl->s);
	}

	fv->source = get_req_str(ctx, n, "source", what);
	fv->online = get_bool(ctx, n, "online", what, true);
	fv->offline = get_bool(ctx, n, "offline", what, true);

	schema = get_seq(ctx, n, "schema", what);
	if (schema == NULL)
		fail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL, NULL,
			 "missing required key \"schema\" in %s", what);
	if (schema->n == 0)
		fail(ctx, OFS_ERR_INVALID_VALUE, schema->pos, NULL, NULL,
			 "key \"schema\" in %s must not be empty", what);
	fv->schema_pos = schema->pos;
	fv->nschema = schema->n;
	fv->schema = ctx_alloc(ctx, sizeof(OfsField) * (size_t) schema->n);
	for (i = 0; i < schema->n; i++)
	{
		const YNode *f = schema->items[i];
		OfsField   *fld = &fv->schema[i];
		const char *fwhat;
		const char *norm;

		require_map(ctx, f, astr(ctx, "field of %s", what));
		fld->pos = f->pos;
		fld->name = get_req_str(ctx, f, "name", astr(ctx, "field of %s", what));
		fwhat = astr(ctx, "field \"%s\" of %s", fld->name.s, what);
		check_unknown_keys(ctx, f, field_keys, fwhat);
		fld->dtype = get_req_str(ctx, f, "dtype", fwhat);
		norm = OfsNormalizeDtype(fld->dtype.s);
		if (norm == NULL)
			fail(ctx, OFS_ERR_INVALID_VALUE, fld->dtype.pos, NULL,
				 dtype_hint(ctx),
				 "invalid value for key \"dtype\" in %s: \"%s\"",
				 fwhat, fld->dtype.s);
		fld->dtype.s = norm;
		fld->description = get_text(ctx, f, "description", fwhat);
		fld->tags = get_str_map(ctx, f, "tags", fwhat, false);
	}
	names = ctx_alloc(ctx, sizeof(OfsStr *) * (size_t) fv->nschema);
	for (i = 0; i < fv->nschema; i++)
		names[i] = &fv->schema[i].name;
	dup = find_duplicate_strs(ctx, names, fv->nschema);
	if (dup >= 0)
		fail(ctx, OFS_ERR_DUPLICATE, names[dup]->pos, NULL, NULL,
			 "feature \"%s\" is defined more than once in %s",
			 names[dup]->s, what);

	fv->description = get_text(ctx, n, "description", what);
	fv->owner = get_text(ctx, n, "owner", what);
	fv->tags = get_str_map(ctx, n, "tags", what, false);
}

static void
parse_feature_service(Ctx *ctx, const YNode *n, OfsFeatureService *fs)
{
	const char *what;
	const YNode *features;
	int			i;

	require_map(ctx, n, "feature service");
	fs->pos = n->pos;
	fs->name = get_req_str(ctx, n, "name", "feature service");
	what = astr(ctx, "feature service \"%s\"", fs->name.s);
	check_unknown_keys(ctx, n, fs_keys, what);

	features = get_seq(ctx, n, "features", what);
	if (features == NULL)
		fail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL, NULL,
			 "missing required key \"features\" in %s", what);
	fs->nprojections = features->n;
	fs->projections = ctx_array(ctx, sizeof(OfsProjection), features->n);
	for (i = 0; i < features->n; i++)
	{
		const YNode *it = features->items[i];
		OfsProjection *p = &fs->projections[i];
		const char *pwhat;

		p->pos = it->pos;
		if (it->kind == Y_SCALAR)
		{
			if (scalar_is_null(it))
				fail(ctx, OFS_ERR_WRONG_TYPE, it->pos, NULL, NULL,
					 "entries of key \"features\" in %s must be feature view names or mappings",
					 what);
			if (it->len == 0)
				fail(ctx, OFS_ERR_INVALID_VALUE, it->pos, NULL, NULL,
					 "entries of key \"features\" in %s must not be empty", what);
			p->feature_view = str_from(it);
			p->alias = str_absent();
			continue;
		}
		pwhat = astr(ctx, "projection of %s", what);
		require_map(ctx, it, pwhat);
		p->feature_view = get_req_str(ctx, it, "feature_view", pwhat);
		pwhat = astr(ctx, "projection of feature view \"%s\" in %s",
					 p->feature_view.s, what);
		check_unknown_keys(ctx, it, projection_keys, pwhat);
		p->alias = get_opt_name(ctx, it, "name", pwhat);
		p->features = get_str_list(ctx, it, "features", pwhat,
								   &p->has_features);
		check_list_unique(ctx, &p->features, "features", pwhat);
		p->join_key_map = get_str_map(ctx, it, "join_key_map", pwhat, true);
	}
	fs->description = get_text(ctx, n, "description", what);
	fs->owner = get_text(ctx, n, "owner", what);
	fs->tags = get_str_map(ctx, n, "tags", what, false);
}

static void
parse_config(Ctx *ctx, OfsConfig *cfg, const YNode *root)
{
	static const YNode empty = {.kind = Y_MAP, .pos = {1, 1}};
	const YNode *top = root;
	const YNode *v;
	const YNode *sec;
	const OfsStr **names;
	int			i;
	int64_t		esv;

	if (top == NULL || scalar_is_null(top))
		top = &empty;
	if (top->kind != Y_MAP)
		fail(ctx, OFS_ERR_WRONG_TYPE, top->pos, NULL, NULL,
			 "%s must be a mapping", TOP_WHAT);
	check_map_keys(ctx, top, TOP_WHAT);
	check_unknown_keys(ctx, top, top_keys, TOP_WHAT);

	cfg->project = get_req_str(ctx, top, "project", TOP_WHAT);
	cfg->description = get_text(ctx, top, "project_description", TOP_WHAT);
	cfg->provider = get_opt_name(ctx, top, "provider", TOP_WHAT);
	if (cfg->provider.s == NULL)
		cfg->provider.s = "local";

	cfg->registry_json = section_json(ctx, top, "registry");
	cfg->online_store_json = store_json(ctx, cfg, top, true);
	cfg->offline_store_json = store_json(ctx, cfg, top, false);
	cfg->batch_engine_json = section_json(ctx, top, "batch_engine");
	cfg->materialization_json = section_json(ctx, top, "materialization");
	cfg->auth_json = section_json(ctx, top, "auth");

	cfg->entity_key_serialization_version = 3;
	v = map_get(top, "entity_key_serialization_version");
	if (v != NULL)
	{
		int			r = scalar_int(v, &esv);

		if (r == 0)
			fail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
				 "key \"entity_key_serialization_version\" in %s must be an integer",
				 TOP_WHAT);
		if (r < 0 || esv < 1 || esv > 3)
			fail(ctx, OFS_ERR_INVALID_VALUE, v->pos, NULL,
				 "Valid versions are: 1, 2, 3.",
				 "invalid value for key \"entity_key_serialization_version\" in %s: \"%s\"",
				 TOP_WHAT, v->s);
		cfg->entity_key_serialization_version = (int) esv;
	}
	cfg->coerce_tz_aware = get_bool(ctx, top, "coerce_tz_aware", TOP_WHAT, true);

	/* entities */
	sec = get_section(ctx, top, "entities", &cfg->has_entities);
	if (sec)
	{
		cfg->nentities = sec->n;
		cfg->entities = ctx_array(ctx, sizeof(OfsEntity), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_entity(ctx, sec->items[i], &cfg->entities[i]);
		names = ctx_array(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->entities[i].name;
		check_names_unique(ctx, names, sec->n, "entity");
	}

	/* sources */
	sec = get_section(ctx, top, "sources", &cfg->has_sources);
	if (sec)
	{
		cfg->nsources = sec->n;
		cfg->sources = ctx_array(ctx, sizeof(OfsSource), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_source(ctx, sec->items[i], &cfg->sources[i]);
		names = ctx_array(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->sources[i].name;
		check_names_unique(ctx, names, sec->n, "data source");
	}

	/* feature views */
	sec = get_section(ctx, top, "feature_views", &cfg->has_feature_views);
	if (sec)
	{
		cfg->nfeature_views = sec->n;
		cfg->feature_views = ctx_array(ctx, sizeof(OfsFeatureView), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_feature_view(ctx, sec->items[i], &cfg->feature_views[i]);
		names = ctx_array(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->feature_views[i].name;
		check_names_unique(ctx, names, sec->n, "feature view");
	}

	/* feature services */
	sec = get_section(ctx, top, "feature_services", &cfg->has_feature_services);
	if (sec)
	{
		cfg->nfeature_services = sec->n;
		cfg->feature_services = ctx_array(ctx, sizeof(OfsFeatureService), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_feature_service(ctx, sec->items[i], &cfg->feature_services[i]);
		names = ctx_array(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->feature_services[i].name;
		check_names_unique(ctx, names, sec->n, "feature service");
	}
}

/*
 * The setjmp lives in its own function whose only local is ctx, which is
 * never modified after setjmp; on error the arena and the parser go.
 */
static OfsConfig *
parse_guarded(Ctx *ctx)
{
	OfsConfig  *cfg;

	if (setjmp(ctx->jb) != 0)
	{
		if (ctx->parser_live)
			yaml_parser_delete(&ctx->parser);
		ctx->parser_live = false;
		arena_free(ctx->arena);
		ctx->arena = NULL;
		return NULL;
	}
	cfg = ctx_alloc(ctx, sizeof(OfsConfig));
	cfg->arena = ctx->arena;
	parse_config(ctx, cfg, load_tree(ctx));
	return cfg;
}

OfsConfig *
OfsConfigParse(const char *text, size_t len, OfsError *err)
{
	Ctx		   *ctx;
	OfsConfig  *cfg;
	OfsError	dummy;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));

	if (len > OFS_MAX_DOCUMENT)
	{
		err->kind = OFS_ERR_TOO_LARGE;
		snprintf(err->message, sizeof(err->message),
				 "feature store configuration is too large");
		snprintf(err->detail, sizeof(err->detail),
				 "The document has %zu bytes; the maximum is %d bytes.",
				 len, OFS_MAX_DOCUMENT);
		return NULL;
	}
	if (text == NULL)
		text = "";

	/* the context lives in malloc'd memory so longjmp leaves it intact */
	ctx = calloc(1, sizeof(Ctx));
	if (ctx == NULL)
	{
		err->kind = OFS_ERR_OUT_OF_MEMORY;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return NULL;
	}
	ctx->arena = calloc(1, sizeof(struct OfsArena));
	if (ctx->arena == NULL)
	{
		free(ctx);
		err->kind = OFS_ERR_OUT_OF_MEMORY;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return NULL;
	}
	ctx->err = err;
	ctx->text = text;
	ctx->len = len;

	cfg = parse_guarded(ctx);
	free(ctx);
	if (cfg != NULL)
		memset(err, 0, sizeof(*err));
	return cfg;
}

void
OfsConfigFree(OfsConfig *config)
{
	if (config == NULL)
		return;
	arena_free(config->arena);
}
