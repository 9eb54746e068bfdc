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
 * The dump reads the registry with the caller's privileges; the registry
 * is readable by PUBLIC.
 *
 * IDENTIFICATION
 *	  src/registry_dump.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "yaml_config.h"
#include "registry.h"
#include "spi_util.h"

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

/* A text[] value as a flow sequence of quoted scalars. */
static void
append_str_array(StringInfo out, Datum arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	appendStringInfoChar(out, '[');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(out, ", ");
		append_str(out, nulls[i] ? "" : TextDatumGetCString(elems[i]));
	}
	appendStringInfoChar(out, ']');
}


static void
run(const char *sql, const char *project)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(project);
	SpiExec(sql, 1, argtypes, values, NULL, SPI_OK_SELECT);
}

/*
 * ofs_feast_registry_dump returns the project (NULL: the default project)
 * as YAML text.
 */
Datum
ofs_feast_registry_dump(PG_FUNCTION_ARGS)
{
	char	   *project;
	StringInfoData out;
	int			rc;

	project = RegistryResolveProject(PG_ARGISNULL(0) ? NULL :
									 text_to_cstring(PG_GETARG_TEXT_PP(0)));
	initStringInfo(&out);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	/* feature_store.yaml */
	run("SELECT description, provider, registry::pg_catalog.text, "
		"online_store::pg_catalog.text, offline_store::pg_catalog.text, "
		"batch_engine::pg_catalog.text, materialization::pg_catalog.text, "
		"auth::pg_catalog.text, entity_key_serialization_version, "
		"coerce_tz_aware FROM feast.projects "
		"WHERE name OPERATOR(pg_catalog.=) $1", project);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" does not exist", project)));
	appendStringInfoString(&out, "# offline_store registry dump: apply with feast_apply()\n");
	append_kv(&out, "", "project", project);
	append_kv_opt(&out, "", "project_description", SpiGetText(0, 1));
	append_kv(&out, "", "provider", SpiGetText(0, 2));
	append_json_opt(&out, "", "registry", SpiGetText(0, 3), false);
	append_json_opt(&out, "", "online_store", SpiGetText(0, 4), false);
	append_json_opt(&out, "", "offline_store", SpiGetText(0, 5), false);
	append_json_opt(&out, "", "batch_engine", SpiGetText(0, 6), false);
	append_json_opt(&out, "", "materialization", SpiGetText(0, 7), false);
	append_json_opt(&out, "", "auth", SpiGetText(0, 8), false);
	appendStringInfo(&out, "entity_key_serialization_version: %s\n", SpiGetText(0, 9));
	appendStringInfo(&out, "coerce_tz_aware: %s\n",
					 strcmp(SpiGetText(0, 10), "t") == 0 ? "true" : "false");

	/* entities */
	run("SELECT name, join_key, value_type, description, owner, "
		"tags::pg_catalog.text FROM feast.entities "
		"WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY name COLLATE \"C\"",
		project);
	appendStringInfoString(&out, SPI_processed ? "\nentities:\n" : "\nentities: []\n");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		append_kv(&out, "  - ", "name", SpiGetText(r, 1));
		appendStringInfoString(&out, "    join_keys: [");
		append_str(&out, SpiGetText(r, 2));
		appendStringInfoString(&out, "]\n");
		append_kv(&out, "    ", "value_type", SpiGetText(r, 3));
		append_kv_opt(&out, "    ", "description", SpiGetText(r, 4));
		append_kv_opt(&out, "    ", "owner", SpiGetText(r, 5));
		append_json_opt(&out, "    ", "tags", SpiGetText(r, 6), true);
	}

	/* sources */
	run("SELECT name, type, table_name, query, batch_source, timestamp_field, "
		"created_timestamp_column, date_partition_column, "
		"field_mapping::pg_catalog.text, description, owner, "
		"tags::pg_catalog.text FROM feast.data_sources "
		"WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY name COLLATE \"C\"",
		project);
	appendStringInfoString(&out, SPI_processed ? "\nsources:\n" : "\nsources: []\n");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		append_kv(&out, "  - ", "name", SpiGetText(r, 1));
		append_kv(&out, "    ", "type", SpiGetText(r, 2));
		append_kv_opt(&out, "    ", "table", SpiGetText(r, 3));
		append_kv_opt(&out, "    ", "query", SpiGetText(r, 4));
		append_kv_opt(&out, "    ", "batch_source", SpiGetText(r, 5));
		append_kv_opt(&out, "    ", "timestamp_field", SpiGetText(r, 6));
		append_kv_opt(&out, "    ", "created_timestamp_column", SpiGetText(r, 7));
		append_kv_opt(&out, "    ", "date_partition_column", SpiGetText(r, 8));
		append_json_opt(&out, "    ", "field_mapping", SpiGetText(r, 9), true);
		append_kv_opt(&out, "    ", "description", SpiGetText(r, 10));
		append_kv_opt(&out, "    ", "owner", SpiGetText(r, 11));
		append_json_opt(&out, "    ", "tags", SpiGetText(r, 12), true);
	}

	/* feature views, with their entities and features */
	run("SELECT v.name, v.source, v.ttl, v.online, v.offline, v.description, "
		"v.owner, v.tags::pg_catalog.text, "
		"ARRAY(SELECT e.entity FROM feast.feature_view_entities e "
		"WHERE e.project OPERATOR(pg_catalog.=) v.project "
		"AND e.feature_view OPERATOR(pg_catalog.=) v.name ORDER BY e.position), "
		"ARRAY(SELECT f.name FROM feast.features f "
		"WHERE f.project OPERATOR(pg_catalog.=) v.project "
		"AND f.feature_view OPERATOR(pg_catalog.=) v.name ORDER BY f.position), "
		"ARRAY(SELECT f.dtype FROM feast.features f "
		"WHERE f.project OPERATOR(pg_catalog.=) v.project "
		"AND f.feature_view OPERATOR(pg_catalog.=) v.name ORDER BY f.position), "
		"ARRAY(SELECT f.description FROM feast.features f "
		"WHERE f.project OPERATOR(pg_catalog.=) v.project "
		"AND f.feature_view OPERATOR(pg_catalog.=) v.name ORDER BY f.position), "
		"ARRAY(SELECT f.tags::pg_catalog.text FROM feast.features f "
		"WHERE f.project OPERATOR(pg_catalog.=) v.project "
		"AND f.feature_view OPERATOR(pg_catalog.=) v.name ORDER BY f.position) "
		"FROM feast.feature_views v "
		"WHERE v.project OPERATOR(pg_catalog.=) $1 ORDER BY v.name COLLATE \"C\"",
		project);
	appendStringInfoString(&out, SPI_processed ? "\nfeature_views:\n" : "\nfeature_views: []\n");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		Interval   *ttl = DatumGetIntervalP(SpiGetDatum(r, 3, &isnull));
		int64		usec = ttl->time + (int64) ttl->day * USECS_PER_DAY;
		char		ttlbuf[64];
		Datum	   *names,
				   *dtypes,
				   *descs,
				   *tags;
		bool	   *nn;
		int			n;

		append_kv(&out, "  - ", "name", SpiGetText(r, 1));
		appendStringInfoString(&out, "    entities: ");
		append_str_array(&out, SpiGetDatum(r, 9, &isnull));
		appendStringInfoChar(&out, '\n');
		OfsFormatTtl(usec, ttlbuf, sizeof(ttlbuf));
		append_kv(&out, "    ", "ttl", ttlbuf);
		append_kv(&out, "    ", "source", SpiGetText(r, 2));
		appendStringInfo(&out, "    online: %s\n",
						 strcmp(SpiGetText(r, 4), "t") == 0 ? "true" : "false");
		appendStringInfo(&out, "    offline: %s\n",
						 strcmp(SpiGetText(r, 5), "t") == 0 ? "true" : "false");

		deconstruct_array(DatumGetArrayTypeP(SpiGetDatum(r, 10, &isnull)), TEXTOID,
						  -1, false, TYPALIGN_INT, &names, &nn, &n);
		deconstruct_array(DatumGetArrayTypeP(SpiGetDatum(r, 11, &isnull)), TEXTOID,
						  -1, false, TYPALIGN_INT, &dtypes, &nn, &n);
		deconstruct_array(DatumGetArrayTypeP(SpiGetDatum(r, 12, &isnull)), TEXTOID,
						  -1, false, TYPALIGN_INT, &descs, &nn, &n);
		deconstruct_array(DatumGetArrayTypeP(SpiGetDatum(r, 13, &isnull)), TEXTOID,
						  -1, false, TYPALIGN_INT, &tags, &nn, &n);
		appendStringInfoString(&out, n ? "    schema:\n" : "    schema: []\n");
		for (int i = 0; i < n; i++)
		{
			char	   *desc = TextDatumGetCString(descs[i]);
			char	   *tag = TextDatumGetCString(tags[i]);

			appendStringInfoString(&out, "      - {name: ");
			append_str(&out, TextDatumGetCString(names[i]));
			appendStringInfoString(&out, ", dtype: ");
			append_str(&out, TextDatumGetCString(dtypes[i]));
			if (desc[0] != '\0')
			{
				appendStringInfoString(&out, ", description: ");
				append_str(&out, desc);
			}
			if (strcmp(tag, "{}") != 0)
			{
				appendStringInfoString(&out, ", tags: ");
				append_yaml_safe(&out, tag);
			}
			appendStringInfoString(&out, "}\n");
		}
		append_kv_opt(&out, "    ", "description", SpiGetText(r, 6));
		append_kv_opt(&out, "    ", "owner", SpiGetText(r, 7));
		append_json_opt(&out, "    ", "tags", SpiGetText(r, 8), true);
	}

	/* feature services, with their projections */
	run("SELECT s.name, s.description, s.owner, s.tags::pg_catalog.text, "
		"p.feature_view, p.alias, p.features, p.join_key_map::pg_catalog.text "
		"FROM feast.feature_services s LEFT JOIN feast.feature_service_projections p "
		"ON p.project OPERATOR(pg_catalog.=) s.project "
		"AND p.feature_service OPERATOR(pg_catalog.=) s.name "
		"WHERE s.project OPERATOR(pg_catalog.=) $1 "
		"ORDER BY s.name COLLATE \"C\", p.position", project);
	appendStringInfoString(&out, SPI_processed ? "\nfeature_services:\n" : "\nfeature_services: []\n");
	for (uint64 r = 0; r < SPI_processed;)
	{
		char	   *name = SpiGetText(r, 1);
		uint64		first = r;
		uint64		end = r;

		while (end < SPI_processed && strcmp(SpiGetText(end, 1), name) == 0)
			end++;
		append_kv(&out, "  - ", "name", name);
		if (SpiGetText(first, 5) == NULL)
			appendStringInfoString(&out, "    features: []\n");
		else
			appendStringInfoString(&out, "    features:\n");
		for (; SpiGetText(first, 5) != NULL && r < end; r++)
		{
			char	   *alias = SpiGetText(r, 6);
			bool		isnull;
			Datum		features = SpiGetDatum(r, 7, &isnull);
			char	   *jkm = SpiGetText(r, 8);

			if (alias == NULL && isnull && strcmp(jkm, "{}") == 0)
			{
				appendStringInfoString(&out, "      - ");
				append_str(&out, SpiGetText(r, 5));
				appendStringInfoChar(&out, '\n');
				continue;
			}
			append_kv(&out, "      - ", "feature_view", SpiGetText(r, 5));
			if (alias)
				append_kv(&out, "        ", "name", alias);
			if (!isnull)
			{
				appendStringInfoString(&out, "        features: ");
				append_str_array(&out, features);
				appendStringInfoChar(&out, '\n');
			}
			append_json_opt(&out, "        ", "join_key_map", jkm, true);
		}
		r = end;
		append_kv_opt(&out, "    ", "description", SpiGetText(first, 2));
		append_kv_opt(&out, "    ", "owner", SpiGetText(first, 3));
		append_json_opt(&out, "    ", "tags", SpiGetText(first, 4), true);
	}

	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}
