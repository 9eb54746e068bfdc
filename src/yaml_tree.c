/*-------------------------------------------------------------------------
 *
 * yaml_tree.c
 *		Read a YAML document into a node tree of our own, with limits;
 *		the arena, error reporting, scalar resolution and JSON emission
 *		that yaml_config.c builds on.
 *
 * This file is plain C on purpose: no postgres.h, no palloc, no ereport.
 * It is linked into the extension and, with yaml_config.c and
 * yaml_ttl.c, into the unit tests and the fuzzer.
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
 *
 * Scalars follow the YAML 1.2 core schema where a type matters: booleans
 * are true/false/True/False/TRUE/FALSE, integers decimal (or 0x/0o), null
 * is ~/null/Null/NULL/empty, and only plain (unquoted, untagged) scalars
 * are resolved; a quoted scalar is always a string.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/yaml_tree.c
 *
 *-------------------------------------------------------------------------
 */
#include "yaml_tree.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ----------------------------------------------------------------
 * Arena
 * ----------------------------------------------------------------
 */
typedef struct YamlArenaBlock
{
	struct YamlArenaBlock *next;
	size_t		size;
	size_t		used;
	/* data follows, aligned like malloc's result */
} YamlArenaBlock;

#define ARENA_ALIGN		16
#define ARENA_HDR \
	((sizeof(YamlArenaBlock) + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1))
#ifndef ARENA_BLOCK				/* the unit tests use tiny blocks */
#define ARENA_BLOCK		((size_t) 64 * 1024)
#endif

void
YamlArenaFree(struct OfsArena *arena)
{
	YamlArenaBlock *b;

	if (arena == NULL)
		return;
	b = arena->head;
	while (b)
	{
		YamlArenaBlock *next = b->next;

		free(b);
		b = next;
	}
	free(arena);
}

/* Returns NULL when malloc fails. */
static void *
arena_alloc(struct OfsArena *arena, size_t size)
{
	YamlArenaBlock *b = arena->head;
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

static char *vastr(YamlCtx *ctx, const char *fmt, va_list ap) OFS_PRINTF(2, 0);

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
vastr(YamlCtx *ctx, const char *fmt, va_list ap)
{
	va_list		ap2;
	int			n;
	char	   *buf;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	buf = YamlAlloc(ctx, (size_t) n + 1);
	vsnprintf(buf, (size_t) n + 1, fmt, ap);
	return buf;
}

/* An array of n elements (at least one, so that it is never NULL). */
void *
YamlAllocArray(YamlCtx *ctx, size_t elsize, int n)
{
	return YamlAlloc(ctx, elsize * (size_t) (n > 0 ? n : 1));
}

char *
YamlFormat(YamlCtx *ctx, const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	s = vastr(ctx, fmt, ap);
	va_end(ap);
	return s;
}

static void fail_oom(YamlCtx *ctx) OFS_NORETURN;

static void
fail_oom(YamlCtx *ctx)
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
void
YamlFail(YamlCtx *ctx, OfsErrorKind kind, OfsPos pos, const char *detail,
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

void *
YamlAlloc(YamlCtx *ctx, size_t size)
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
offset_pos(YamlCtx *ctx, size_t offset)
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
 * Loading: libyaml events to a YamlNode tree
 * ----------------------------------------------------------------
 */

typedef struct YamlOpenNode
{
	YamlNode   *node;
	YamlNode   *head;
	YamlNode   *tail;
	size_t		count;
} YamlOpenNode;

static void
fail_syntax(YamlCtx *ctx)
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
	YamlFail(ctx, OFS_ERR_SYNTAX, pos, detail, NULL,
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
attach(YamlCtx *ctx, YamlOpenNode *stack, int depth, YamlNode *node, YamlNode **root)
{
	YamlOpenNode *top;

	/*
	 * Bound the tree: every node costs about 100 bytes of malloc'd memory
	 * outside PostgreSQL's accounting, and no feature repo needs this many.
	 */
	if (++ctx->nnodes > OFS_MAX_NODES)
	{
		char		detail[128];

		snprintf(detail, sizeof(detail),
				 "The document has more than %d YAML nodes.", OFS_MAX_NODES);
		YamlFail(ctx, OFS_ERR_TOO_LARGE, node->pos, detail, NULL,
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
close_node(YamlCtx *ctx, YamlOpenNode *open)
{
	YamlNode   *node = open->node;
	YamlNode   *c;
	size_t		i = 0;

	if (node->kind == Y_MAP && open->count % 2 != 0)
		YamlFail(ctx, OFS_ERR_SYNTAX, node->pos, NULL, NULL,
			 "invalid YAML in feature store configuration");
	node->items = YamlAllocArray(ctx, sizeof(YamlNode *), (int) open->count);
	for (c = open->head; c; c = c->next)
		node->items[i++] = c;
	node->n = (int) (node->kind == Y_MAP ? open->count / 2 : open->count);
}

/*
 * Read the whole document into a tree.  Returns NULL for an empty stream.
 */
YamlNode *
YamlLoadTree(YamlCtx *ctx)
{
	YamlOpenNode stack[OFS_MAX_DEPTH + 1];
	int			depth = 0;
	YamlNode   *root = NULL;
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
		YamlNode   *node = NULL;
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
					YamlFail(ctx, OFS_ERR_SYNTAX, pos,
						 "Only one YAML document is allowed.", NULL,
						 "feature store configuration contains more than one YAML document");
				}
				break;
			case YAML_ALIAS_EVENT:
				yaml_event_delete(&ev);
				YamlFail(ctx, OFS_ERR_INVALID_VALUE, pos, NULL,
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
						YamlFail(ctx, OFS_ERR_SYNTAX, pos, detail, NULL,
							 "invalid YAML in feature store configuration");
					}
					node = arena_alloc(ctx->arena, sizeof(YamlNode));
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
					YamlKind	kind = ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;

					yaml_event_delete(&ev);
					if (depth >= OFS_MAX_DEPTH)
					{
						char		detail[128];

						snprintf(detail, sizeof(detail),
								 "Nesting exceeds %d levels at line %d, column %d.",
								 OFS_MAX_DEPTH, pos.line, pos.column);
						YamlFail(ctx, OFS_ERR_TOO_LARGE, pos, detail, NULL,
							 "feature store configuration is nested too deeply");
					}
					node = YamlAlloc(ctx, sizeof(YamlNode));
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
					YamlFail(ctx, OFS_ERR_SYNTAX, pos, NULL, NULL,
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

bool
YamlScalarIsNull(const YamlNode *n)
{
	return n->kind == Y_SCALAR && n->resolvable &&
		(n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
		 strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

/* 1 true, 0 false, -1 not a boolean. */
int
YamlScalarBool(const YamlNode *n)
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
int
YamlScalarInt(const YamlNode *n, int64_t *out)
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
float_to_json(YamlCtx *ctx, const char *s)
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
	out = o = YamlAlloc(ctx, ilen + flen + elen + 8);
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

static void
buf_reserve(YamlCtx *ctx, YamlBuf *b, size_t more)
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
	nd = YamlAlloc(ctx, b->cap);
	if (b->len > 0)
		memcpy(nd, b->data, b->len);
	b->data = nd;
}

static void
buf_append(YamlCtx *ctx, YamlBuf *b, const char *s, size_t len)
{
	buf_reserve(ctx, b, len);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
YamlBufPuts(YamlCtx *ctx, YamlBuf *b, const char *s)
{
	buf_append(ctx, b, s, strlen(s));
}

void
YamlBufJsonString(YamlCtx *ctx, YamlBuf *b, const char *s, size_t len)
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


static void
emit_scalar(YamlCtx *ctx, YamlBuf *b, const YamlNode *n)
{
	uint64_t	uv;
	char	   *f;

	if (n->resolvable)
	{
		if (YamlScalarIsNull(n))
		{
			YamlBufPuts(ctx, b, "null");
			return;
		}
		switch (YamlScalarBool(n))
		{
			case 1:
				YamlBufPuts(ctx, b, "true");
				return;
			case 0:
				YamlBufPuts(ctx, b, "false");
				return;
			default:
				break;
		}
		if (text_radix_int(n->s, &uv))
		{
			char		num[32];

			snprintf(num, sizeof(num), "%llu", (unsigned long long) uv);
			YamlBufPuts(ctx, b, num);
			return;
		}
		/* decimal integers of any size and floats; .inf and .nan stay strings */
		f = float_to_json(ctx, n->s);
		if (f != NULL)
		{
			YamlBufPuts(ctx, b, f);
			return;
		}
	}
	YamlBufJsonString(ctx, b, n->s, n->len);
}

/* Any YAML node as JSON; what names the section for errors. */
void
YamlEmitJson(YamlCtx *ctx, YamlBuf *b, const YamlNode *n, const char *what)
{
	int			i;

	switch (n->kind)
	{
		case Y_SCALAR:
			emit_scalar(ctx, b, n);
			break;
		case Y_SEQ:
			YamlBufPuts(ctx, b, "[");
			for (i = 0; i < n->n; i++)
			{
				if (i > 0)
					YamlBufPuts(ctx, b, ", ");
				YamlEmitJson(ctx, b, n->items[i], what);
			}
			YamlBufPuts(ctx, b, "]");
			break;
		case Y_MAP:
			YamlCheckMapKeys(ctx, n, what);
			YamlBufPuts(ctx, b, "{");
			for (i = 0; i < n->n; i++)
			{
				const YamlNode *k = n->items[(size_t) 2 * i];

				if (i > 0)
					YamlBufPuts(ctx, b, ", ");
				YamlBufJsonString(ctx, b, k->s, k->len);
				YamlBufPuts(ctx, b, ": ");
				YamlEmitJson(ctx, b, n->items[2 * i + 1], what);
			}
			YamlBufPuts(ctx, b, "}");
			break;
	}
}

/* ----------------------------------------------------------------
 * Duplicate detection
 * ----------------------------------------------------------------
 */

typedef struct YamlNameRef
{
	const char *s;
	size_t		len;
	int			index;
} YamlNameRef;

static int
nameref_cmp(const void *a, const void *b)
{
	const YamlNameRef *x = a;
	const YamlNameRef *y = b;
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
find_duplicate(YamlCtx *ctx, YamlNameRef *refs, int n)
{
	int			best = -1;
	int			i;

	if (n < 2)
		return -1;
	qsort(refs, (size_t) n, sizeof(YamlNameRef), nameref_cmp);
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
void
YamlCheckMapKeys(YamlCtx *ctx, const YamlNode *map, const char *what)
{
	YamlNameRef *refs;
	int			i,
				dup;

	for (i = 0; i < map->n; i++)
	{
		const YamlNode *k = map->items[(size_t) 2 * i];

		if (k->kind != Y_SCALAR)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, k->pos, NULL, NULL,
				 "keys in %s must be strings", what);
	}
	if (map->n < 2)
		return;
	refs = YamlAlloc(ctx, sizeof(YamlNameRef) * (size_t) map->n);
	for (i = 0; i < map->n; i++)
	{
		refs[i].s = map->items[(size_t) 2 * i]->s;
		refs[i].len = map->items[(size_t) 2 * i]->len;
		refs[i].index = i;
	}
	dup = find_duplicate(ctx, refs, map->n);
	if (dup >= 0)
		YamlFail(ctx, OFS_ERR_DUPLICATE, map->items[(size_t) 2 * dup]->pos, NULL, NULL,
			 "duplicate key \"%s\" in %s", map->items[(size_t) 2 * dup]->s, what);
}

/* Duplicate check over OfsStr values; returns index of the second or -1. */
int
YamlFindDuplicateStrs(YamlCtx *ctx, const OfsStr *const *strs, int n)
{
	YamlNameRef *refs;
	int			i;

	if (n < 2)
		return -1;
	refs = YamlAlloc(ctx, sizeof(YamlNameRef) * (size_t) n);
	for (i = 0; i < n; i++)
	{
		refs[i].s = strs[i]->s;
		refs[i].len = strlen(strs[i]->s);
		refs[i].index = i;
	}
	return find_duplicate(ctx, refs, n);
}
