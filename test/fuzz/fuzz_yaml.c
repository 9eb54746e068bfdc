/*-------------------------------------------------------------------------
 *
 * fuzz_yaml.c
 *		libFuzzer target for the feature repo parser (src/yaml_config.c).
 *
 * Each input is parsed as a document; ASan/UBSan/LSan catch memory errors,
 * undefined behaviour and leaks.  On top of that the target checks the
 * parser's promises: a failure always carries a kind and a message, a
 * success has a non-empty project, every emitted section is valid JSON,
 * and the input read as a ttl spelling round-trips through
 * OfsFormatTtl/OfsParseTtl exactly.  A broken promise aborts.
 *
 * Run with `make fuzz FUZZ_SECONDS=60` (see test/fuzz/README).
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  test/fuzz/fuzz_yaml.c
 *
 *-------------------------------------------------------------------------
 */
#include "yaml_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_yaml: %s: [%s]\n", what, text ? text : "(null)");
	abort();
}

/* A minimal strict JSON validator (RFC 8259); returns the end or NULL. */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;)
	{
		unsigned char c = (unsigned char) *p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\')
		{
			p++;
			if (*p == 'u')
			{
				if (!is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
					return NULL;
				p += 5;
				continue;
			}
			if (*p == '\0' || !strchr("\"\\/bfnrt", *p))
				return NULL;
		}
		p++;
	}
}

static const char *
json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.')
	{
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *
json_value(const char *p, int depth)
{
	if (depth > 200)
		return NULL;
	p = json_ws(p);
	switch (*p)
	{
		case '"':
			return json_string(p);
		case '{':
			p = json_ws(p + 1);
			if (*p == '}')
				return p + 1;
			for (;;)
			{
				p = json_string(json_ws(p));
				if (p == NULL)
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
				p = json_value(p, depth + 1);
				if (p == NULL)
					return NULL;
				p = json_ws(p);
				if (*p == '}')
					return p + 1;
				if (*p++ != ',')
					return NULL;
			}
		case '[':
			p = json_ws(p + 1);
			if (*p == ']')
				return p + 1;
			for (;;)
			{
				p = json_value(p, depth + 1);
				if (p == NULL)
					return NULL;
				p = json_ws(p);
				if (*p == ']')
					return p + 1;
				if (*p++ != ',')
					return NULL;
			}
		case 't':
			return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
		case 'f':
			return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
		case 'n':
			return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
		default:
			return json_number(p);
	}
}

static void
check_json(const char *json, int required)
{
	const char *end;

	if (json == NULL)
	{
		if (required)
			die("missing JSON section", NULL);
		return;
	}
	end = json_value(json, 0);
	if (end == NULL || *json_ws(end) != '\0')
		die("invalid JSON", json);
}

static void
check_config(const OfsConfig *c)
{
	int			i,
				j;

	if (c->project.s == NULL || c->project.s[0] == '\0')
		die("empty project", c->project.s);
	if (c->provider.s == NULL || c->description.s == NULL ||
		c->online_schema.s == NULL || c->online_schema.s[0] == '\0')
		die("missing default", NULL);
	check_json(c->registry_json, 0);
	check_json(c->online_store_json, 1);
	check_json(c->offline_store_json, 1);
	check_json(c->batch_engine_json, 0);
	check_json(c->materialization_json, 0);
	check_json(c->auth_json, 0);
	if (c->entity_key_serialization_version < 1 ||
		c->entity_key_serialization_version > 3)
		die("esv out of range", NULL);
	for (i = 0; i < c->nentities; i++)
		if (c->entities[i].name.s == NULL || c->entities[i].join_key.s == NULL ||
			c->entities[i].join_key.s[0] == '\0')
			die("entity without name or join key", NULL);
	for (i = 0; i < c->nsources; i++)
	{
		const OfsSource *s = &c->sources[i];

		if (s->name.s == NULL ||
			(s->type == OFS_SOURCE_TABLE && (s->table.s == NULL || s->timestamp_field.s == NULL)) ||
			(s->type == OFS_SOURCE_QUERY && (s->query.s == NULL || s->timestamp_field.s == NULL)) ||
			(s->type == OFS_SOURCE_PUSH && s->batch_source.s == NULL))
			die("incomplete source", s->name.s);
	}
	for (i = 0; i < c->nfeature_views; i++)
	{
		const OfsFeatureView *v = &c->feature_views[i];

		if (v->name.s == NULL || v->source.s == NULL ||
			v->nschema + v->naggregations < 1 || v->ttl_usec < 0)
			die("incomplete feature view", v->name.s);
		for (j = 0; j < v->nschema; j++)
			if (v->schema[j].dtype.s == NULL ||
				OfsNormalizeDtype(v->schema[j].dtype.s) != v->schema[j].dtype.s)
				die("dtype not normalized", v->schema[j].dtype.s);
		for (j = 0; j < v->naggregations; j++)
		{
			const OfsAggregation *a = &v->aggregations[j];
			int			k;

			if (a->column.s == NULL || a->column.s[0] == '\0' ||
				a->function.s == NULL || !OfsIsAggregationFunction(a->function.s) ||
				a->window_usec <= 0 || a->result_name == NULL ||
				a->result_name[0] == '\0')
				die("incomplete aggregation", a->result_name);
			for (k = 0; k < j; k++)
				if (strcmp(v->aggregations[k].result_name, a->result_name) == 0)
					die("duplicate aggregation name", a->result_name);
			for (k = 0; k < v->nschema; k++)
				if (strcmp(v->schema[k].name.s, a->result_name) == 0)
					die("aggregation named like a field", a->result_name);
		}
	}
	for (i = 0; i < c->nfeature_services; i++)
		for (j = 0; j < c->feature_services[i].nprojections; j++)
			if (c->feature_services[i].projections[j].feature_view.s == NULL)
				die("projection without view", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OfsError	err;
	OfsConfig  *cfg;
	char	   *text;
	int64_t		usec,
				again;
	char		buf[64];

	cfg = OfsConfigParse((const char *) data, size, &err);
	if (cfg == NULL)
	{
		if (err.kind == OFS_ERR_NONE || err.message[0] == '\0')
			die("failure without an error", err.message);
	}
	else
	{
		check_config(cfg);
		OfsConfigFree(cfg);
	}

	/* the same bytes as a ttl spelling and as a dtype */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (OfsParseTtl(text, &usec))
	{
		if (usec < 0)
			die("negative ttl", text);
		OfsFormatTtl(usec, buf, sizeof(buf));
		if (!OfsParseTtl(buf, &again) || again != usec)
			die("ttl round trip", text);
	}
	(void) OfsNormalizeDtype(text);
	(void) OfsNormalizeValueType(text);
	free(text);
	return 0;
}
