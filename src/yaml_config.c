/*-------------------------------------------------------------------------
 *
 * yaml_config.c
 *		Parse a feature repo document (feature_store.yaml plus entities,
 *		sources, feature views and feature services) into an OfsConfig.
 *
 * This file is plain C on purpose: no postgres.h, no palloc, no ereport.
 * It is linked into the extension and, with yaml_tree.c and yaml_ttl.c,
 * into the unit tests and the fuzzer, so every input must end in either a
 * config or an OfsError.
 *
 * yaml_tree.c reads the document into a node tree (with its limits) and
 * supplies the arena and the errors; this file walks the tree into an
 * OfsConfig: recognized keys, required keys, types, defaults, dtype and
 * value type spellings, duplicate names.  A null value counts as an
 * absent key.  Connection secrets in the nested feature_store.yaml sections
 * (passwords, tokens, keys, URLs and conninfo strings with a password) are
 * left out of their JSON and noted in the config, for warnings: they are
 * never stored.
 *
 * Memory: everything (nodes, strings, the OfsConfig itself) comes from one
 * arena of malloc'd blocks owned by the OfsConfig.  Errors are raised with
 * longjmp back to OfsConfigParse(), which deletes the parser and the arena;
 * nothing else needs cleaning up, which keeps every error path leak-free.
 * No code between setjmp and longjmp keeps state in non-volatile locals of
 * OfsConfigParse().
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/yaml_config.c
 *
 *-------------------------------------------------------------------------
 */
#include "yaml_config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml_tree.h"

#define TOP_WHAT "feature store configuration"

/* ----------------------------------------------------------------
 * Mapping access
 * ----------------------------------------------------------------
 */

static const char *
join_keys_list(YamlCtx *ctx, const char *const *keys)
{
	YamlBuf		b = {0};
	int			i;

	for (i = 0; keys[i]; i++)
	{
		if (i > 0)
			YamlBufPuts(ctx, &b, ", ");
		YamlBufPuts(ctx, &b, keys[i]);
	}
	return b.data ? b.data : "";
}

/* The value of key in map, or NULL when absent or null. */
static const YamlNode *
map_get(const YamlNode *map, const char *key)
{
	int			i;
	size_t		klen = strlen(key);

	for (i = 0; i < map->n; i++)
	{
		const YamlNode *k = map->items[(size_t) 2 * i];

		if (k->len == klen && memcmp(k->s, key, klen) == 0)
		{
			const YamlNode *v = map->items[2 * i + 1];

			return YamlScalarIsNull(v) ? NULL : v;
		}
	}
	return NULL;
}

static bool
key_in(const YamlNode *k, const char *const *keys)
{
	int			i;

	for (i = 0; keys[i]; i++)
		if (strlen(keys[i]) == k->len && memcmp(keys[i], k->s, k->len) == 0)
			return true;
	return false;
}

static void
check_unknown_keys(YamlCtx *ctx, const YamlNode *map, const char *const *keys,
				   const char *what)
{
	int			i;

	for (i = 0; i < map->n; i++)
	{
		const YamlNode *k = map->items[(size_t) 2 * i];

		if (!key_in(k, keys))
			YamlFail(ctx, OFS_ERR_UNKNOWN_KEY, k->pos, NULL,
				 YamlFormat(ctx, "Valid keys are: %s.", join_keys_list(ctx, keys)),
				 "unrecognized key \"%s\" in %s", k->s, what);
	}
}

/* A node that must be a mapping (what describes the object). */
static void
require_map(YamlCtx *ctx, const YamlNode *n, const char *what)
{
	if (n->kind != Y_MAP)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, n->pos, NULL, NULL,
			 "%s must be a mapping", what);
	YamlCheckMapKeys(ctx, n, what);
}

static OfsStr
str_absent(void)
{
	OfsStr		s = {NULL, {0, 0}};

	return s;
}

static OfsStr
str_from(const YamlNode *n)
{
	OfsStr		s;

	s.s = n->s;
	s.pos = n->pos;
	return s;
}

/* Optional string value of key; NULL s when absent or null. */
static OfsStr
get_str(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what)
{
	const YamlNode *v = map_get(map, key);

	if (v == NULL)
		return str_absent();
	if (v->kind != Y_SCALAR)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a string", key, what);
	return str_from(v);
}

static void
fail_empty(YamlCtx *ctx, OfsPos pos, const char *key, const char *what)
{
	YamlFail(ctx, OFS_ERR_INVALID_VALUE, pos, NULL, NULL,
		 "key \"%s\" in %s must not be empty", key, what);
}

/* Required, non-empty string. */
static OfsStr
get_req_str(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s == NULL)
		YamlFail(ctx, OFS_ERR_MISSING_KEY, map->pos, NULL, NULL,
			 "missing required key \"%s\" in %s", key, what);
	if (s.s[0] == '\0')
		fail_empty(ctx, s.pos, key, what);
	return s;
}

/* Optional string that must not be empty when given. */
static OfsStr
get_opt_name(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s != NULL && s.s[0] == '\0')
		fail_empty(ctx, s.pos, key, what);
	return s;
}

/* Optional text defaulting to "". */
static OfsStr
get_text(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what)
{
	OfsStr		s = get_str(ctx, map, key, what);

	if (s.s == NULL)
		s.s = "";
	return s;
}

static bool
get_bool(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what,
		 bool dflt)
{
	const YamlNode *v = map_get(map, key);
	int			b;

	if (v == NULL)
		return dflt;
	b = YamlScalarBool(v);
	if (b < 0)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL,
			 "Use true or false.",
			 "key \"%s\" in %s must be a boolean", key, what);
	return b == 1;
}

/* A sequence value or NULL when absent. */
static const YamlNode *
get_seq(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what)
{
	const YamlNode *v = map_get(map, key);

	if (v != NULL && v->kind != Y_SEQ)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a sequence", key, what);
	return v;
}

/* A sequence of non-empty strings. */
static OfsStrList
get_str_list(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what,
			 bool *present)
{
	const YamlNode *v = get_seq(ctx, map, key, what);
	OfsStrList	l;
	int			i;

	memset(&l, 0, sizeof(l));
	if (present)
		*present = v != NULL;
	if (v == NULL)
		return l;
	l.pos = v->pos;
	l.n = v->n;
	l.items = YamlAllocArray(ctx, sizeof(OfsStr), v->n);
	for (i = 0; i < v->n; i++)
	{
		const YamlNode *it = v->items[i];

		if (it->kind != Y_SCALAR || YamlScalarIsNull(it))
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, it->pos, NULL, NULL,
				 "entries of key \"%s\" in %s must be strings", key, what);
		if (it->len == 0)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, it->pos, NULL, NULL,
				 "entries of key \"%s\" in %s must not be empty", key, what);
		l.items[i] = str_from(it);
	}
	return l;
}

/* Fail if a string list names something twice. */
static void
check_list_unique(YamlCtx *ctx, const OfsStrList *l, const char *key,
				  const char *what)
{
	const OfsStr **p;
	int			i,
				dup;

	if (l->n < 2)
		return;
	p = YamlAlloc(ctx, sizeof(OfsStr *) * (size_t) l->n);
	for (i = 0; i < l->n; i++)
		p[i] = &l->items[i];
	dup = YamlFindDuplicateStrs(ctx, p, l->n);
	if (dup >= 0)
		YamlFail(ctx, OFS_ERR_DUPLICATE, l->items[dup].pos, NULL, NULL,
			 "\"%s\" is listed more than once in key \"%s\" in %s",
			 l->items[dup].s, key, what);
}

/*
 * A mapping of strings to strings.  Keys must be non-empty; null values
 * become "".  When values_nonempty, values must be non-empty too.
 */
static OfsStrMap
get_str_map(YamlCtx *ctx, const YamlNode *map, const char *key, const char *what,
			bool values_nonempty)
{
	const YamlNode *v = map_get(map, key);
	OfsStrMap	m;
	int			i;
	const char *inner;

	memset(&m, 0, sizeof(m));
	if (v == NULL)
		return m;
	inner = YamlFormat(ctx, "key \"%s\" in %s", key, what);
	if (v->kind != Y_MAP)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "%s must be a mapping", inner);
	YamlCheckMapKeys(ctx, v, inner);
	m.pos = v->pos;
	m.n = v->n;
	m.items = YamlAllocArray(ctx, sizeof(OfsStrPair), v->n);
	for (i = 0; i < v->n; i++)
	{
		const YamlNode *k = v->items[(size_t) 2 * i];
		const YamlNode *val = v->items[2 * i + 1];

		if (k->len == 0 || YamlScalarIsNull(k))
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, k->pos, NULL, NULL,
				 "keys in %s must not be empty", inner);
		if (val->kind != Y_SCALAR)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, val->pos, NULL, NULL,
				 "values in %s must be strings", inner);
		m.items[i].key = str_from(k);
		m.items[i].value = str_from(val);
		if (YamlScalarIsNull(val))
			m.items[i].value.s = "";
		if (values_nonempty && m.items[i].value.s[0] == '\0')
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, val->pos, NULL, NULL,
				 "values in %s must not be empty", inner);
	}
	return m;
}

/* Items of a top-level section: a sequence of mappings. */
static const YamlNode *
get_section(YamlCtx *ctx, const YamlNode *top, const char *key, bool *present)
{
	const YamlNode *v = get_seq(ctx, top, key, TOP_WHAT);
	int			i;

	*present = v != NULL;
	if (v == NULL)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (v->items[i]->kind != Y_MAP)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->items[i]->pos, NULL, NULL,
				 "entries of key \"%s\" must be mappings", key);
	return v;
}

/* Fail when two objects of a section share a name. */
static void
check_names_unique(YamlCtx *ctx, const OfsStr *const *names, int n,
				   const char *kind)
{
	int			dup = YamlFindDuplicateStrs(ctx, names, n);

	if (dup >= 0)
		YamlFail(ctx, OFS_ERR_DUPLICATE, names[dup]->pos, NULL, NULL,
			 "%s \"%s\" is defined more than once", kind, names[dup]->s);
}

/* ----------------------------------------------------------------
 * Dtypes and value types
 * ----------------------------------------------------------------
 */

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
	"aggregations", "description", "owner", "tags", NULL
};
static const char *const aggregation_keys[] = {
	"column", "function", "time_window", "name", NULL
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

/* ----------------------------------------------------------------
 * Connection secrets
 * ----------------------------------------------------------------
 */

/* ASCII case-insensitive search for needle (lower case) in s[0..len). */
static bool
contains_nocase(const char *s, size_t len, const char *needle)
{
	size_t		nlen = strlen(needle);

	for (size_t i = 0; i + nlen <= len; i++)
	{
		size_t		j = 0;

		while (j < nlen)
		{
			char		c = s[i + j];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != needle[j])
				break;
			j++;
		}
		if (j == nlen)
			return true;
	}
	return false;
}

/*
 * OfsIsSecretKey: the key contains password, passwd, passphrase, secret,
 * token, or api/access/private followed by key (with "", "-" or "_"
 * between), or is pwd (the regex of projects_no_secrets_check).
 */
bool
OfsIsSecretKey(const char *key, size_t len)
{
	static const char *const words[] = {
		"password", "passwd", "passphrase", "secret", "token",
		"apikey", "api-key", "api_key", "accesskey", "access-key", "access_key",
		"privatekey", "private-key", "private_key", NULL
	};

	for (int i = 0; words[i]; i++)
		if (contains_nocase(key, len, words[i]))
			return true;
	return len == 3 && contains_nocase(key, len, "pwd");
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/*
 * OfsHasPassword: a URL whose authority has user:password@ (the regex
 * ^[a-z][-a-z0-9+.]*://[^/@]*:[^/@]*@), or a conninfo keyword password= or
 * sslpassword= at the start or after white space.
 */
bool
OfsHasPassword(const char *s, size_t len)
{
	size_t		i = 0;

	/* scheme://user:password@ */
	if (len > 0 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
	{
		i = 1;
		while (i < len && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
						   (s[i] >= '0' && s[i] <= '9') ||
						   s[i] == '+' || s[i] == '.' || s[i] == '-'))
			i++;
		if (i + 3 <= len && memcmp(s + i, "://", 3) == 0)
		{
			bool		colon = false;

			for (i += 3; i < len && s[i] != '/'; i++)
			{
				if (s[i] == '@')
				{
					if (colon)
						return true;
					break;
				}
				if (s[i] == ':')
					colon = true;
			}
		}
	}

	/* password= and sslpassword= */
	for (i = 0; i < len; i++)
	{
		size_t		k = i;

		if (i > 0 && !is_space(s[i - 1]))
			continue;
		if (k + 11 <= len && contains_nocase(s + k, 11, "sslpassword"))
			k += 11;
		else if (k + 8 <= len && contains_nocase(s + k, 8, "password"))
			k += 8;
		else
			continue;
		while (k < len && is_space(s[k]))
			k++;
		if (k < len && s[k] == '=')
			return true;
	}
	return false;
}

/* Remember a secret left out, for a warning. */
static void
note_secret(YamlCtx *ctx, OfsConfig *cfg, const char *path, OfsPos pos)
{
	OfsStr	   *grown = YamlAllocArray(ctx, sizeof(OfsStr), cfg->nsecrets + 1);

	if (cfg->nsecrets > 0)
		memcpy(grown, cfg->secrets, sizeof(OfsStr) * cfg->nsecrets);
	grown[cfg->nsecrets].s = path;
	grown[cfg->nsecrets].pos = pos;
	cfg->secrets = grown;
	cfg->nsecrets++;
}

/* Whether a node is a string with a password in it. */
static bool
scalar_has_password(const YamlNode *n)
{
	return n->kind == Y_SCALAR && n->s != NULL && OfsHasPassword(n->s, n->len);
}

/*
 * scrub_secrets removes, at any depth under n, every mapping entry whose key
 * names a secret or whose value is a string with a password, and every
 * such string in a sequence, noting each one. The tree is the arena's;
 * removed entries are only unlinked.
 */
static void
scrub_secrets(YamlCtx *ctx, OfsConfig *cfg, const YamlNode *cn, const char *path)
{
	YamlNode   *n = (YamlNode *) cn;
	int			kept = 0;

	if (n->kind == Y_MAP)
	{
		for (int i = 0; i < n->n; i++)
		{
			YamlNode   *k = n->items[(size_t) 2 * i];
			YamlNode   *v = n->items[(size_t) 2 * i + 1];
			const char *kpath = path;

			if (k->kind == Y_SCALAR)
			{
				kpath = YamlFormat(ctx, "%s.%s", path, k->s);
				if (OfsIsSecretKey(k->s, k->len) || scalar_has_password(v))
				{
					note_secret(ctx, cfg, kpath, k->pos);
					continue;
				}
			}
			scrub_secrets(ctx, cfg, v, kpath);
			n->items[(size_t) 2 * kept] = k;
			n->items[(size_t) 2 * kept + 1] = v;
			kept++;
		}
		n->n = kept;
	}
	else if (n->kind == Y_SEQ)
	{
		for (int i = 0; i < n->n; i++)
		{
			YamlNode   *v = n->items[i];
			const char *ipath = YamlFormat(ctx, "%s[%d]", path, i);

			if (scalar_has_password(v))
			{
				note_secret(ctx, cfg, ipath, v->pos);
				continue;
			}
			scrub_secrets(ctx, cfg, v, ipath);
			n->items[kept++] = v;
		}
		n->n = kept;
	}
}

/* Section kept as JSON, without secrets; NULL when absent. */
static const char *
section_json(YamlCtx *ctx, OfsConfig *cfg, const YamlNode *top, const char *key)
{
	const YamlNode *v = map_get(top, key);
	YamlBuf		b = {0};

	if (v == NULL)
		return NULL;
	if (scalar_has_password(v))
	{
		note_secret(ctx, cfg, key, v->pos);
		return NULL;
	}
	scrub_secrets(ctx, cfg, v, key);
	YamlEmitJson(ctx, &b, v, YamlFormat(ctx, "key \"%s\"", key));
	return b.data;
}

/*
 * online_store / offline_store: a mapping with known keys.  type and
 * (online only) db_schema come first with their defaults filled in; the
 * other keys follow in document order.
 */
static const char *
store_json(YamlCtx *ctx, OfsConfig *cfg, const YamlNode *top, bool online)
{
	const char *key = online ? "online_store" : "offline_store";
	const char *what = online ? "online store configuration" :
		"offline store configuration";
	const YamlNode *v = map_get(top, key);
	static const YamlNode empty = {.kind = Y_MAP};
	OfsStr		type,
				schema;
	YamlBuf		b = {0};
	int			i;

	if (online)
		cfg->has_online_store = v != NULL;
	else
		cfg->has_offline_store = v != NULL;
	if (v == NULL)
		v = &empty;
	else if (v->kind != Y_MAP)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
			 "key \"%s\" in %s must be a mapping", key, TOP_WHAT);
	YamlCheckMapKeys(ctx, v, what);
	check_unknown_keys(ctx, v, online ? online_keys : offline_keys, what);

	type = get_str(ctx, v, "type", what);
	if (type.s == NULL)
		type.s = online ? "postgres" : "offline_store";
	else if (online ? strcmp(type.s, "postgres") != 0 :
			 (strcmp(type.s, "offline_store") != 0 &&
			  strcmp(type.s, "postgres") != 0))
		YamlFail(ctx, OFS_ERR_INVALID_VALUE, type.pos, NULL,
			 online ? "The only valid type is: postgres." :
			 "Valid types are: offline_store, postgres.",
			 "invalid value for key \"type\" in %s: \"%s\"", what, type.s);

	YamlBufPuts(ctx, &b, "{\"type\": ");
	YamlBufJsonString(ctx, &b, type.s, strlen(type.s));
	if (online)
	{
		schema = get_opt_name(ctx, v, "db_schema", what);
		if (schema.s == NULL)
			schema.s = "feast_online";
		else if (OfsHasPassword(schema.s, strlen(schema.s)))
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, schema.pos, NULL, NULL,
				 "invalid value for key \"db_schema\" in %s: it looks like a connection string with a password",
				 what);
		cfg->online_schema = schema;
		YamlBufPuts(ctx, &b, ", \"db_schema\": ");
		YamlBufJsonString(ctx, &b, schema.s, strlen(schema.s));
	}
	for (i = 0; i < v->n; i++)
	{
		const YamlNode *k = v->items[(size_t) 2 * i];

		if (strcmp(k->s, "type") == 0 ||
			(online && strcmp(k->s, "db_schema") == 0))
			continue;
		/* connection secrets are never stored */
		if (OfsIsSecretKey(k->s, k->len) || scalar_has_password(v->items[2 * i + 1]))
		{
			note_secret(ctx, cfg, YamlFormat(ctx, "%s.%s", key, k->s), k->pos);
			continue;
		}
		scrub_secrets(ctx, cfg, v->items[2 * i + 1], YamlFormat(ctx, "%s.%s", key, k->s));
		YamlBufPuts(ctx, &b, ", ");
		YamlBufJsonString(ctx, &b, k->s, k->len);
		YamlBufPuts(ctx, &b, ": ");
		YamlEmitJson(ctx, &b, v->items[2 * i + 1], what);
	}
	YamlBufPuts(ctx, &b, "}");
	return b.data;
}

static void
parse_entity(YamlCtx *ctx, const YamlNode *n, OfsEntity *e)
{
	const char *what;
	OfsStrList	jk;
	bool		has_jk;

	require_map(ctx, n, "entity");
	e->pos = n->pos;
	e->name = get_req_str(ctx, n, "name", "entity");
	what = YamlFormat(ctx, "entity \"%s\"", e->name.s);
	check_unknown_keys(ctx, n, entity_keys, what);

	jk = get_str_list(ctx, n, "join_keys", what, &has_jk);
	if (!has_jk)
		e->join_key = e->name;
	else if (jk.n != 1)
		YamlFail(ctx, OFS_ERR_INVALID_VALUE, jk.pos,
			 "Entities with more than one join key are not supported.", NULL,
			 "key \"join_keys\" in %s must list exactly one join key", what);
	else
		e->join_key = jk.items[0];

	e->value_type = get_str(ctx, n, "value_type", what);
	if (e->value_type.s != NULL)
	{
		const char *vt = OfsNormalizeValueType(e->value_type.s);

		if (vt == NULL)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, e->value_type.pos, NULL,
				 YamlFormat(ctx, "Valid value types are: %s.",
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
check_source_keys(YamlCtx *ctx, const YamlNode *n, const char *const *keys,
				  const char *type, const char *what)
{
	int			i;

	for (i = 0; i < n->n; i++)
	{
		const YamlNode *k = n->items[(size_t) 2 * i];

		if (!key_in(k, keys) && !YamlScalarIsNull(n->items[2 * i + 1]))
			YamlFail(ctx, OFS_ERR_UNKNOWN_KEY, k->pos, NULL,
				 YamlFormat(ctx, "Valid keys for a %s data source are: %s.",
					  type, join_keys_list(ctx, keys)),
				 "key \"%s\" is not valid in %s data source \"%s\"",
				 k->s, type, what);
	}
}

static void
parse_source(YamlCtx *ctx, const YamlNode *n, OfsSource *s)
{
	const char *what;
	int			i,
				dup;
	const OfsStr **targets;

	require_map(ctx, n, "data source");
	s->pos = n->pos;
	s->name = get_req_str(ctx, n, "name", "data source");
	what = YamlFormat(ctx, "data source \"%s\"", s->name.s);
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
			YamlFail(ctx, OFS_ERR_CONFLICT, n->pos, NULL,
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
			YamlFail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL,
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
		YamlFail(ctx, OFS_ERR_INVALID_VALUE, s->type_text.pos, NULL,
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
		targets = YamlAlloc(ctx, sizeof(OfsStr *) * (size_t) s->field_mapping.n);
		for (i = 0; i < s->field_mapping.n; i++)
			targets[i] = &s->field_mapping.items[i].value;
		dup = YamlFindDuplicateStrs(ctx, targets, s->field_mapping.n);
		if (dup >= 0)
		{
			int			first;

			for (first = 0; first < dup; first++)
				if (strcmp(targets[first]->s, targets[dup]->s) == 0)
					break;
			YamlFail(ctx, OFS_ERR_CONFLICT, targets[dup]->pos, NULL, NULL,
				 "columns \"%s\" and \"%s\" of %s are both mapped to \"%s\" in key \"field_mapping\"",
				 s->field_mapping.items[first].key.s,
				 s->field_mapping.items[dup].key.s, what, targets[dup]->s);
		}
	}
}

/* Feast's aggregation functions (mean is SQL's avg, stddev stddev_samp). */
const char *const OfsAggregationFunctions[] = {
	"sum", "count", "mean", "min", "max", "stddev", NULL
};

bool
OfsIsAggregationFunction(const char *name)
{
	int			i;

	for (i = 0; OfsAggregationFunctions[i]; i++)
		if (strcmp(OfsAggregationFunctions[i], name) == 0)
			return true;
	return false;
}

static const char *
dtype_hint(YamlCtx *ctx)
{
	return YamlFormat(ctx, "Valid dtypes are: %s, and Array(...) of each.",
				join_keys_list(ctx, dtype_names));
}

static const char *
ttl_hint(void)
{
	return "Use seconds (7200), a number with a unit (7200s, 90m, 2h, 1d, 1w, "
		"500ms, 1.5h, 1h30m), an ISO 8601 duration (PT2H, P1DT2H30M) or "
		"HH:MM:SS (02:00:00).";
}

static const char *
window_hint(void)
{
	return "A time window is a positive duration: seconds (3600), a number "
		"with a unit (90m, 2h, 7d, 1w), an ISO 8601 duration (P7D) or "
		"HH:MM:SS (01:00:00).";
}

/*
 * The aggregations of feature view fv (described by what): each one's
 * keys, its function, a positive time window, and a resulting name (name,
 * else <function>_<column>) that neither another aggregation nor a field
 * of the schema has.
 */
static void
parse_aggregations(YamlCtx *ctx, const YamlNode *seq, OfsFeatureView *fv,
				   const char *what)
{
	int			i,
				j;

	fv->aggregations_pos = seq->pos;
	fv->naggregations = seq->n;
	fv->aggregations = YamlAllocArray(ctx, sizeof(OfsAggregation), seq->n);
	for (i = 0; i < seq->n; i++)
	{
		const YamlNode *an = seq->items[i];
		OfsAggregation *a = &fv->aggregations[i];
		const char *awhat = YamlFormat(ctx, "aggregation of %s", what);
		const YamlNode *tw;
		OfsPos		name_pos;

		require_map(ctx, an, awhat);
		a->pos = an->pos;
		check_unknown_keys(ctx, an, aggregation_keys, awhat);
		a->column = get_req_str(ctx, an, "column", awhat);
		a->function = get_req_str(ctx, an, "function", awhat);
		a->name = get_opt_name(ctx, an, "name", awhat);
		a->result_name = a->name.s ? a->name.s :
			YamlFormat(ctx, "%s_%s", a->function.s, a->column.s);
		awhat = YamlFormat(ctx, "aggregation \"%s\" of %s", a->result_name, what);
		if (!OfsIsAggregationFunction(a->function.s))
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, a->function.pos, NULL,
				 YamlFormat(ctx, "Valid functions are: %s.",
							join_keys_list(ctx, OfsAggregationFunctions)),
				 "invalid value for key \"function\" in %s: \"%s\"",
				 awhat, a->function.s);
		tw = map_get(an, "time_window");
		if (tw == NULL)
			YamlFail(ctx, OFS_ERR_MISSING_KEY, an->pos, NULL, window_hint(),
				 "missing required key \"time_window\" in %s", awhat);
		if (tw->kind != Y_SCALAR)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, tw->pos, NULL, window_hint(),
				 "key \"time_window\" in %s must be a duration", awhat);
		a->time_window = str_from(tw);
		if (!OfsParseTtl(tw->s, &a->window_usec) || a->window_usec <= 0)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, tw->pos, NULL, window_hint(),
				 "invalid value for key \"time_window\" in %s: \"%s\"",
				 awhat, tw->s);

		/* the resulting name is the view's only feature of that name */
		name_pos = a->name.s ? a->name.pos : a->pos;
		for (j = 0; j < i; j++)
			if (strcmp(fv->aggregations[j].result_name, a->result_name) == 0)
				YamlFail(ctx, OFS_ERR_DUPLICATE, name_pos, NULL,
					 a->name.s ? NULL :
					 "Give one of them a name of its own with key \"name\".",
					 "aggregation \"%s\" is defined more than once in %s",
					 a->result_name, what);
		for (j = 0; j < fv->nschema; j++)
			if (strcmp(fv->schema[j].name.s, a->result_name) == 0)
				YamlFail(ctx, OFS_ERR_DUPLICATE, name_pos, NULL,
					 a->name.s ? NULL :
					 "Give the aggregation a name of its own with key \"name\".",
					 "aggregation \"%s\" of %s has the name of a field of its schema",
					 a->result_name, what);
	}
}

static void
parse_feature_view(YamlCtx *ctx, const YamlNode *n, OfsFeatureView *fv)
{
	const char *what;
	const YamlNode *schema;
	const YamlNode *aggs;
	const YamlNode *ttl;
	const OfsStr **names;
	int			i,
				dup;

	require_map(ctx, n, "feature view");
	fv->pos = n->pos;
	fv->name = get_req_str(ctx, n, "name", "feature view");
	what = YamlFormat(ctx, "feature view \"%s\"", fv->name.s);
	check_unknown_keys(ctx, n, fv_keys, what);

	fv->entities = get_str_list(ctx, n, "entities", what, NULL);
	check_list_unique(ctx, &fv->entities, "entities", what);

	ttl = map_get(n, "ttl");
	if (ttl != NULL)
	{
		if (ttl->kind != Y_SCALAR)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, ttl->pos, NULL, ttl_hint(),
				 "key \"ttl\" in %s must be a duration", what);
		fv->ttl = str_from(ttl);
		if (!OfsParseTtl(ttl->s, &fv->ttl_usec))
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, ttl->pos, NULL, ttl_hint(),
				 "invalid value for key \"ttl\" in %s: \"%s\"", what, ttl->s);
	}

	fv->source = get_req_str(ctx, n, "source", what);
	fv->online = get_bool(ctx, n, "online", what, true);
	fv->offline = get_bool(ctx, n, "offline", what, true);

	/*
	 * A view has a schema, aggregations, or both, and at least one feature:
	 * an empty schema is fine beside aggregations.
	 */
	aggs = get_seq(ctx, n, "aggregations", what);
	schema = get_seq(ctx, n, "schema", what);
	if (schema == NULL && (aggs == NULL || aggs->n == 0))
		YamlFail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL,
			 aggs ? "A feature view needs a schema, aggregations, or both." : NULL,
			 "missing required key \"schema\" in %s", what);
	if (schema != NULL && schema->n == 0 && (aggs == NULL || aggs->n == 0))
		YamlFail(ctx, OFS_ERR_INVALID_VALUE, schema->pos, NULL, NULL,
			 "key \"schema\" in %s must not be empty", what);
	fv->schema_pos = schema ? schema->pos : n->pos;
	fv->nschema = schema ? schema->n : 0;
	fv->schema = YamlAllocArray(ctx, sizeof(OfsField), fv->nschema);
	for (i = 0; i < fv->nschema; i++)
	{
		const YamlNode *f = schema->items[i];
		OfsField   *fld = &fv->schema[i];
		const char *fwhat;
		const char *norm;

		require_map(ctx, f, YamlFormat(ctx, "field of %s", what));
		fld->pos = f->pos;
		fld->name = get_req_str(ctx, f, "name", YamlFormat(ctx, "field of %s", what));
		fwhat = YamlFormat(ctx, "field \"%s\" of %s", fld->name.s, what);
		check_unknown_keys(ctx, f, field_keys, fwhat);
		fld->dtype = get_req_str(ctx, f, "dtype", fwhat);
		norm = OfsNormalizeDtype(fld->dtype.s);
		if (norm == NULL)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, fld->dtype.pos, NULL,
				 dtype_hint(ctx),
				 "invalid value for key \"dtype\" in %s: \"%s\"",
				 fwhat, fld->dtype.s);
		fld->dtype.s = norm;
		fld->description = get_text(ctx, f, "description", fwhat);
		fld->tags = get_str_map(ctx, f, "tags", fwhat, false);
	}
	names = YamlAlloc(ctx, sizeof(OfsStr *) * (size_t) fv->nschema);
	for (i = 0; i < fv->nschema; i++)
		names[i] = &fv->schema[i].name;
	dup = YamlFindDuplicateStrs(ctx, names, fv->nschema);
	if (dup >= 0)
		YamlFail(ctx, OFS_ERR_DUPLICATE, names[dup]->pos, NULL, NULL,
			 "feature \"%s\" is defined more than once in %s",
			 names[dup]->s, what);
	if (aggs != NULL)
		parse_aggregations(ctx, aggs, fv, what);

	fv->description = get_text(ctx, n, "description", what);
	fv->owner = get_text(ctx, n, "owner", what);
	fv->tags = get_str_map(ctx, n, "tags", what, false);
}

static void
parse_feature_service(YamlCtx *ctx, const YamlNode *n, OfsFeatureService *fs)
{
	const char *what;
	const YamlNode *features;
	int			i;

	require_map(ctx, n, "feature service");
	fs->pos = n->pos;
	fs->name = get_req_str(ctx, n, "name", "feature service");
	what = YamlFormat(ctx, "feature service \"%s\"", fs->name.s);
	check_unknown_keys(ctx, n, fs_keys, what);

	features = get_seq(ctx, n, "features", what);
	if (features == NULL)
		YamlFail(ctx, OFS_ERR_MISSING_KEY, n->pos, NULL, NULL,
			 "missing required key \"features\" in %s", what);
	fs->nprojections = features->n;
	fs->projections = YamlAllocArray(ctx, sizeof(OfsProjection), features->n);
	for (i = 0; i < features->n; i++)
	{
		const YamlNode *it = features->items[i];
		OfsProjection *p = &fs->projections[i];
		const char *pwhat;

		p->pos = it->pos;
		if (it->kind == Y_SCALAR)
		{
			if (YamlScalarIsNull(it))
				YamlFail(ctx, OFS_ERR_WRONG_TYPE, it->pos, NULL, NULL,
					 "entries of key \"features\" in %s must be feature view names or mappings",
					 what);
			if (it->len == 0)
				YamlFail(ctx, OFS_ERR_INVALID_VALUE, it->pos, NULL, NULL,
					 "entries of key \"features\" in %s must not be empty", what);
			p->feature_view = str_from(it);
			p->alias = str_absent();
			continue;
		}
		pwhat = YamlFormat(ctx, "projection of %s", what);
		require_map(ctx, it, pwhat);
		p->feature_view = get_req_str(ctx, it, "feature_view", pwhat);
		pwhat = YamlFormat(ctx, "projection of feature view \"%s\" in %s",
					 p->feature_view.s, what);
		check_unknown_keys(ctx, it, projection_keys, pwhat);
		p->alias = get_opt_name(ctx, it, "name", pwhat);
		p->features = get_str_list(ctx, it, "features", pwhat,
								   &p->has_features);
		if (p->has_features && p->features.n == 0)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, p->features.pos, NULL,
				 "Leave out the key to use every feature of the view.",
				 "key \"features\" in %s must list at least one feature",
				 pwhat);
		check_list_unique(ctx, &p->features, "features", pwhat);
		p->join_key_map = get_str_map(ctx, it, "join_key_map", pwhat, true);
	}
	fs->description = get_text(ctx, n, "description", what);
	fs->owner = get_text(ctx, n, "owner", what);
	fs->tags = get_str_map(ctx, n, "tags", what, false);
}

static void
parse_config(YamlCtx *ctx, OfsConfig *cfg, const YamlNode *root)
{
	static const YamlNode empty = {.kind = Y_MAP, .pos = {1, 1}};
	const YamlNode *top = root;
	const YamlNode *v;
	const YamlNode *sec;
	const OfsStr **names;
	int			i;
	int64_t		esv;

	if (top == NULL || YamlScalarIsNull(top))
		top = &empty;
	if (top->kind != Y_MAP)
		YamlFail(ctx, OFS_ERR_WRONG_TYPE, top->pos, NULL, NULL,
			 "%s must be a mapping", TOP_WHAT);
	YamlCheckMapKeys(ctx, top, TOP_WHAT);
	check_unknown_keys(ctx, top, top_keys, TOP_WHAT);

	cfg->project = get_req_str(ctx, top, "project", TOP_WHAT);
	cfg->description = get_text(ctx, top, "project_description", TOP_WHAT);
	cfg->provider = get_opt_name(ctx, top, "provider", TOP_WHAT);
	if (cfg->provider.s == NULL)
		cfg->provider.s = "local";

	cfg->registry_json = section_json(ctx, cfg, top, "registry");
	cfg->online_store_json = store_json(ctx, cfg, top, true);
	cfg->offline_store_json = store_json(ctx, cfg, top, false);
	cfg->batch_engine_json = section_json(ctx, cfg, top, "batch_engine");
	cfg->materialization_json = section_json(ctx, cfg, top, "materialization");
	cfg->auth_json = section_json(ctx, cfg, top, "auth");

	cfg->entity_key_serialization_version = 3;
	v = map_get(top, "entity_key_serialization_version");
	if (v != NULL)
	{
		int			r = YamlScalarInt(v, &esv);

		if (r == 0)
			YamlFail(ctx, OFS_ERR_WRONG_TYPE, v->pos, NULL, NULL,
				 "key \"entity_key_serialization_version\" in %s must be an integer",
				 TOP_WHAT);
		if (r < 0 || esv < 1 || esv > 3)
			YamlFail(ctx, OFS_ERR_INVALID_VALUE, v->pos, NULL,
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
		cfg->entities = YamlAllocArray(ctx, sizeof(OfsEntity), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_entity(ctx, sec->items[i], &cfg->entities[i]);
		names = YamlAllocArray(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->entities[i].name;
		check_names_unique(ctx, names, sec->n, "entity");
	}

	/* sources */
	sec = get_section(ctx, top, "sources", &cfg->has_sources);
	if (sec)
	{
		cfg->nsources = sec->n;
		cfg->sources = YamlAllocArray(ctx, sizeof(OfsSource), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_source(ctx, sec->items[i], &cfg->sources[i]);
		names = YamlAllocArray(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->sources[i].name;
		check_names_unique(ctx, names, sec->n, "data source");
	}

	/* feature views */
	sec = get_section(ctx, top, "feature_views", &cfg->has_feature_views);
	if (sec)
	{
		cfg->nfeature_views = sec->n;
		cfg->feature_views = YamlAllocArray(ctx, sizeof(OfsFeatureView), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_feature_view(ctx, sec->items[i], &cfg->feature_views[i]);
		names = YamlAllocArray(ctx, sizeof(OfsStr *), sec->n);
		for (i = 0; i < sec->n; i++)
			names[i] = &cfg->feature_views[i].name;
		check_names_unique(ctx, names, sec->n, "feature view");
	}

	/* feature services */
	sec = get_section(ctx, top, "feature_services", &cfg->has_feature_services);
	if (sec)
	{
		cfg->nfeature_services = sec->n;
		cfg->feature_services = YamlAllocArray(ctx, sizeof(OfsFeatureService), sec->n);
		for (i = 0; i < sec->n; i++)
			parse_feature_service(ctx, sec->items[i], &cfg->feature_services[i]);
		names = YamlAllocArray(ctx, sizeof(OfsStr *), sec->n);
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
parse_guarded(YamlCtx *ctx)
{
	OfsConfig  *cfg;

	if (setjmp(ctx->jb) != 0)
	{
		if (ctx->parser_live)
			yaml_parser_delete(&ctx->parser);
		ctx->parser_live = false;
		YamlArenaFree(ctx->arena);
		ctx->arena = NULL;
		return NULL;
	}
	cfg = YamlAlloc(ctx, sizeof(OfsConfig));
	cfg->arena = ctx->arena;
	parse_config(ctx, cfg, YamlLoadTree(ctx));
	return cfg;
}

OfsConfig *
OfsConfigParse(const char *text, size_t len, OfsError *err)
{
	YamlCtx	   *ctx;
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
				 "The document has %zu bytes; the maximum is %zu bytes.",
				 len, OFS_MAX_DOCUMENT);
		return NULL;
	}
	if (text == NULL)
		text = "";

	/* the context lives in malloc'd memory so longjmp leaves it intact */
	ctx = calloc(1, sizeof(YamlCtx));
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
	YamlArenaFree(config->arena);
}
