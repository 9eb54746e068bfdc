/*-------------------------------------------------------------------------
 *
 * registry_dump.c
 *		feast_registry_dump: a project's registry as a document that
 *		feast_apply accepts and that applies unchanged.
 *
 * Every string is written as a JSON-style double-quoted scalar, which is
 * valid YAML whatever it contains (quotes, colons, newlines, unicode); the
 * few code points that YAML does not allow raw or folds (C0 and C1
 * controls, DEL, U+2028, U+2029, U+FEFF, non-characters) and everything
 * beyond the BMP are written as escapes. jsonb values (tags, field_mapping,
 * join_key_map, the feature_store.yaml sections) are written as JSON flow
 * mappings, which are YAML too. Every section is written, empty ones as
 * [], so that the document describes the complete project.
 *
 * The dump reads the registry through the loader (RegistryLoadRepo), with
 * the caller's privileges; the registry is readable by PUBLIC.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/registry_dump.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "registry.h"
#include "yaml_config.h"

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_registry_dump);

/*
 * Append JSON text, escaping the code points YAML cannot carry raw. Outside
 * string literals JSON text is ASCII, so this only touches strings.
 */
static void
append_yaml_safe(StringInfo out, const char *json)
{
	const unsigned char *p = (const unsigned char *) json;

	while (*p)
	{
		int			len = pg_utf_mblen(p);
		pg_wchar	cp;

		if (*p < 0x80)
		{
			if (*p == 0x7F)
				appendStringInfoString(out, "\\u007f");
			else
				appendStringInfoChar(out, (char) *p);
			p++;
			continue;
		}
		cp = utf8_to_unicode(p);
		if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
			cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
			appendStringInfo(out, "\\u%04x", (unsigned int) cp);
		else if (cp > 0xFFFF)
			appendStringInfo(out, "\\U%08x", (unsigned int) cp);
		else
			appendBinaryStringInfo(out, (const char *) p, len);
		p += len;
	}
}

/* A string as a double-quoted scalar. */
static void
append_str(StringInfo out, const char *s)
{
	StringInfoData j;

	initStringInfo(&j);
	escape_json(&j, s);
	append_yaml_safe(out, j.data);
	pfree(j.data);
}

/* "  key: "value"\n" */
static void
append_kv(StringInfo out, const char *indent, const char *key, const char *s)
{
	appendStringInfo(out, "%s%s: ", indent, key);
	append_str(out, s);
	appendStringInfoChar(out, '\n');
}

/* Same, only when s is neither NULL nor empty. */
static void
append_kv_opt(StringInfo out, const char *indent, const char *key,
			  const char *s)
{
	if (s != NULL && s[0] != '\0')
		append_kv(out, indent, key, s);
}

/* A jsonb value (its text), only when not NULL and, for maps, not {}. */
static void
append_json_opt(StringInfo out, const char *indent, const char *key,
				const char *json, bool skip_empty)
{
	if (json == NULL || (skip_empty && strcmp(json, "{}") == 0))
		return;
	appendStringInfo(out, "%s%s: ", indent, key);
	append_yaml_safe(out, json);
	appendStringInfoChar(out, '\n');
}

/* A list of strings as a flow sequence of quoted scalars. */
static void
append_str_list(StringInfo out, char **items, int n)
{
	appendStringInfoChar(out, '[');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(out, ", ");
		append_str(out, items[i]);
	}
	appendStringInfoChar(out, ']');
}

/* The keys every object has, last. */
static void
dump_common(StringInfo out, const char *indent, const char *description,
			const char *owner, const char *tags)
{
	append_kv_opt(out, indent, "description", description);
	append_kv_opt(out, indent, "owner", owner);
	append_json_opt(out, indent, "tags", tags, true);
}

/* feature_store.yaml's keys */
static void
dump_project(StringInfo out, const RegProject *p)
{
	appendStringInfoString(out, "# offline_store registry dump: apply with feast_apply()\n");
	append_kv(out, "", "project", p->name);
	append_kv_opt(out, "", "project_description", p->description);
	append_kv(out, "", "provider", p->provider);
	append_json_opt(out, "", "registry", p->registry, false);
	append_json_opt(out, "", "online_store", p->online_store, false);
	append_json_opt(out, "", "offline_store", p->offline_store, false);
	append_json_opt(out, "", "batch_engine", p->batch_engine, false);
	append_json_opt(out, "", "materialization", p->materialization, false);
	append_json_opt(out, "", "auth", p->auth, false);
	appendStringInfo(out, "entity_key_serialization_version: %d\n",
					 p->entity_key_serialization_version);
	appendStringInfo(out, "coerce_tz_aware: %s\n",
					 p->coerce_tz_aware ? "true" : "false");
}

static void
dump_entity(StringInfo out, const RegEntity *e)
{
	append_kv(out, "  - ", "name", e->name);
	appendStringInfoString(out, "    join_keys: [");
	append_str(out, e->join_key);
	appendStringInfoString(out, "]\n");
	append_kv(out, "    ", "value_type", e->value_type);
	dump_common(out, "    ", e->description, e->owner, e->tags);
}

static void
dump_source(StringInfo out, const RegSource *s)
{
	append_kv(out, "  - ", "name", s->name);
	append_kv(out, "    ", "type", RegSourceTypeName(s->type));
	append_kv_opt(out, "    ", "table", s->table_name);
	append_kv_opt(out, "    ", "query", s->query);
	append_kv_opt(out, "    ", "batch_source", s->batch_source);
	append_kv_opt(out, "    ", "timestamp_field", s->timestamp_field);
	append_kv_opt(out, "    ", "created_timestamp_column", s->created_timestamp_column);
	append_kv_opt(out, "    ", "date_partition_column", s->date_partition_column);
	append_json_opt(out, "    ", "field_mapping", s->field_mapping.json, true);
	dump_common(out, "    ", s->description, s->owner, s->tags);
}

static void
dump_view(StringInfo out, const RegFeatureView *v)
{
	char		ttlbuf[64];

	append_kv(out, "  - ", "name", v->name);
	appendStringInfoString(out, "    entities: ");
	append_str_list(out, v->entities, v->nkeys);
	appendStringInfoChar(out, '\n');
	OfsFormatTtl(v->ttl_usec, ttlbuf, sizeof(ttlbuf));
	append_kv(out, "    ", "ttl", ttlbuf);
	append_kv(out, "    ", "source", v->source_name);
	appendStringInfo(out, "    online: %s\n", v->online ? "true" : "false");
	appendStringInfo(out, "    offline: %s\n", v->offline ? "true" : "false");
	/* a view of aggregations only has no schema */
	if (v->nfeatures > 0 || v->naggregations == 0)
		appendStringInfoString(out, v->nfeatures ? "    schema:\n" : "    schema: []\n");
	for (int i = 0; i < v->nfeatures; i++)
	{
		const RegFeature *f = &v->features[i];

		appendStringInfoString(out, "      - {name: ");
		append_str(out, f->name);
		appendStringInfoString(out, ", dtype: ");
		append_str(out, f->dtype);
		if (f->description[0] != '\0')
		{
			appendStringInfoString(out, ", description: ");
			append_str(out, f->description);
		}
		if (strcmp(f->tags, "{}") != 0)
		{
			appendStringInfoString(out, ", tags: ");
			append_yaml_safe(out, f->tags);
		}
		appendStringInfoString(out, "}\n");
	}
	if (v->naggregations > 0)
		appendStringInfoString(out, "    aggregations:\n");
	for (int i = 0; i < v->naggregations; i++)
	{
		const RegAggregation *a = &v->aggregations[i];

		appendStringInfoString(out, "      - {column: ");
		append_str(out, a->column);
		appendStringInfoString(out, ", function: ");
		append_str(out, a->function);
		OfsFormatTtl(a->window_usec, ttlbuf, sizeof(ttlbuf));
		appendStringInfoString(out, ", time_window: ");
		append_str(out, ttlbuf);
		/* the name only where it is not the default one */
		if (strcmp(a->name, RegAggregationDefaultName(a)) != 0)
		{
			appendStringInfoString(out, ", name: ");
			append_str(out, a->name);
		}
		appendStringInfoString(out, "}\n");
	}
	dump_common(out, "    ", v->description, v->owner, v->tags);
}

static void
dump_service(StringInfo out, const RegFeatureService *s)
{
	append_kv(out, "  - ", "name", s->name);
	appendStringInfoString(out, s->nprojections ? "    features:\n" : "    features: []\n");
	for (int i = 0; i < s->nprojections; i++)
	{
		const RegProjection *pr = &s->projections[i];

		if (pr->alias == NULL && pr->nfeatures < 0 && pr->join_key_map.n == 0)
		{
			appendStringInfoString(out, "      - ");
			append_str(out, pr->feature_view);
			appendStringInfoChar(out, '\n');
			continue;
		}
		append_kv(out, "      - ", "feature_view", pr->feature_view);
		if (pr->alias)
			append_kv(out, "        ", "name", pr->alias);
		if (pr->nfeatures >= 0)
		{
			appendStringInfoString(out, "        features: ");
			append_str_list(out, pr->features, pr->nfeatures);
			appendStringInfoChar(out, '\n');
		}
		append_json_opt(out, "        ", "join_key_map", pr->join_key_map.json, true);
	}
	dump_common(out, "    ", s->description, s->owner, s->tags);
}

/* "\nsection:\n", or "\nsection: []\n" when it has no objects */
static void
dump_section(StringInfo out, const char *section, List *objects)
{
	appendStringInfo(out, objects != NIL ? "\n%s:\n" : "\n%s: []\n", section);
}

/*
 * ofs_feast_registry_dump returns the project (NULL: the default project)
 * as YAML text.
 */
Datum
ofs_feast_registry_dump(PG_FUNCTION_ARGS)
{
	char	   *project;
	RegRepo	   *repo;
	StringInfoData out;
	ListCell   *lc;

	project = RegistryResolveProject(PG_ARGISNULL(0) ? NULL :
									 text_to_cstring(PG_GETARG_TEXT_PP(0)));
	repo = RegistryLoadRepo(project);
	if (repo->project == NULL)	/* deleted since */
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" does not exist", project)));

	initStringInfo(&out);
	dump_project(&out, repo->project);
	dump_section(&out, "entities", repo->entities);
	foreach(lc, repo->entities)
		dump_entity(&out, lfirst(lc));
	dump_section(&out, "sources", repo->sources);
	foreach(lc, repo->sources)
		dump_source(&out, lfirst(lc));
	dump_section(&out, "feature_views", repo->views);
	foreach(lc, repo->views)
		dump_view(&out, lfirst(lc));
	dump_section(&out, "feature_services", repo->services);
	foreach(lc, repo->services)
		dump_service(&out, lfirst(lc));

	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}
