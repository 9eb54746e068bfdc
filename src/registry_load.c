/*-------------------------------------------------------------------------
 *
 * registry_load.c
 *		The one loader of the registry model (registry.h): a project's
 *		objects from the feast.* tables, or from a parsed document.
 *
 * Each registry table is read by one query, here only, with the project
 * as $1 and, in its second form, a list of names as $2 (RegQuery); both
 * forms are planned once per backend and kept, since retrieval runs them
 * on every call. feast_apply and feast_registry_dump load a whole project
 * (RegistryLoadRepo); retrieval, materialization and push load the views
 * they name (RegistryGetFeatureView) through the same queries, which also
 * serve the name lists of the error hints. Queries run through SPI with $n
 * parameters, as the caller, so the registry's own privileges and
 * row-level security hold; each loader connects to SPI itself (nesting in
 * a caller's connection is fine) and copies every value into the caller's
 * memory context before it disconnects.
 *
 * RegistryRepoFromDocument converts the parser's malloc'd OfsConfig into
 * the same structs once, turning maps into canonical jsonb text so that
 * they compare equal to what the registry returns; feast_apply frees the
 * OfsConfig right after. Nothing here validates: that is apply_validate.c's
 * job, on the merged wanted repo.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/registry_load.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "registry.h"
#include "spi_util.h"
#include "yaml_config.h"

/* Every model object starts with its name. */
typedef struct RegNamed
{
	char	   *name;
} RegNamed;

/* Keys and values of a jsonb object column as two text[] columns. */
#define JSON_KEYS(col) \
	"ARRAY(SELECT k.key FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"
#define JSON_VALS(col) \
	"ARRAY(SELECT k.value FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"

/*
 * One registry query, in two forms: [0] every row of the project ($1, or
 * no parameter at all for the projects themselves) and [1] only the rows
 * whose name column is one of $2 (text[]). Each form is planned once per
 * backend and kept (SPI_keepplan): the plan cache plans it again when the
 * registry's tables, the role (row-level security) or search_path change.
 */
typedef struct RegQuery
{
	const char *sql[2];
	int			nargs[2];
	SPIPlanPtr	plan[2];
} RegQuery;

#define OF_PROJECT " WHERE project OPERATOR(pg_catalog.=) $1"
#define NAMED(col) " AND " col " OPERATOR(pg_catalog.=) ANY ($2)"

/*
 * A query on the rows of a project: select, filter column, the rest. The
 * arguments are string literals pasted together, so they cannot be
 * parenthesised.
 */
/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define REG_QUERY(select, col, rest) 	{{select OF_PROJECT rest, select OF_PROJECT NAMED(col) rest}, {1, 2}, {NULL, NULL}}

static RegQuery project_query = {{
		"SELECT description, provider, registry::pg_catalog.text, "
		"online_store::pg_catalog.text, offline_store::pg_catalog.text, "
		"batch_engine::pg_catalog.text, materialization::pg_catalog.text, "
		"auth::pg_catalog.text, entity_key_serialization_version, "
		"coerce_tz_aware, online_schema "
		"FROM feast.projects WHERE name OPERATOR(pg_catalog.=) $1", NULL
}, {1, 0}, {NULL, NULL}};

static RegQuery project_owner_query = {{
		"SELECT owner::pg_catalog.oid FROM feast.projects "
		"WHERE name OPERATOR(pg_catalog.=) $1", NULL
}, {1, 0}, {NULL, NULL}};

static RegQuery project_names_query = {{
		"SELECT name FROM feast.projects ORDER BY name COLLATE \"C\"", NULL
}, {0, 0}, {NULL, NULL}};

static RegQuery entities_query = REG_QUERY(
	"SELECT name, join_key, value_type, description, owner, "
	"tags::pg_catalog.text FROM feast.entities",
	"name", " ORDER BY name COLLATE \"C\"");

static RegQuery sources_query = REG_QUERY(
	"SELECT name, type, table_name, query, batch_source, "
	"timestamp_field, created_timestamp_column, "
	"date_partition_column, field_mapping::pg_catalog.text, "
	JSON_KEYS("field_mapping") ", " JSON_VALS("field_mapping") ", "
	"description, owner, tags::pg_catalog.text FROM feast.data_sources",
	"name", " ORDER BY name COLLATE \"C\"");

static RegQuery views_query = REG_QUERY(
	"SELECT name, source, ttl, online, offline, description, owner, "
	"tags::pg_catalog.text, "
	"ARRAY(SELECT e.entity FROM feast.feature_view_entities e "
	"WHERE e.project OPERATOR(pg_catalog.=) v.project "
	"AND e.feature_view OPERATOR(pg_catalog.=) v.name "
	"ORDER BY e.position) FROM feast.feature_views v",
	"name", " ORDER BY name COLLATE \"C\"");

static RegQuery features_query = REG_QUERY(
	"SELECT feature_view, name, dtype, description, "
	"tags::pg_catalog.text FROM feast.features",
	"feature_view", " ORDER BY feature_view COLLATE \"C\", position");

static RegQuery aggregations_query = REG_QUERY(
	"SELECT feature_view, name, column_name, function, time_window "
	"FROM feast.aggregations",
	"feature_view", " ORDER BY feature_view COLLATE \"C\", position");

static RegQuery services_query = REG_QUERY(
	"SELECT name, description, owner, tags::pg_catalog.text "
	"FROM feast.feature_services",
	"name", " ORDER BY name COLLATE \"C\"");

static RegQuery projections_query = REG_QUERY(
	"SELECT feature_service, feature_view, alias, features, "
	"join_key_map::pg_catalog.text, "
	JSON_KEYS("join_key_map") ", " JSON_VALS("join_key_map") " "
	"FROM feast.feature_service_projections",
	"feature_service", " ORDER BY feature_service COLLATE \"C\", position");

/* Name lists */
static RegQuery view_names_query = REG_QUERY(
	"SELECT name FROM feast.feature_views",
	"source", " ORDER BY name COLLATE \"C\"");

static RegQuery online_view_names_query = REG_QUERY(
	"SELECT name FROM feast.feature_views",
	"source", " AND online ORDER BY name COLLATE \"C\"");

static RegQuery source_names_query = REG_QUERY(
	"SELECT name FROM feast.data_sources",
	"name", " ORDER BY name COLLATE \"C\"");

static RegQuery push_source_names_query = REG_QUERY(
	"SELECT name FROM feast.data_sources",
	"name", " AND type OPERATOR(pg_catalog.=) 'push' ORDER BY name COLLATE \"C\"");

static RegQuery service_names_query = REG_QUERY(
	"SELECT name FROM feast.feature_services",
	"name", " ORDER BY name COLLATE \"C\"");

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

static char *
dup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

static char *
dup_or_empty(const char *s)
{
	return pstrdup(s ? s : "");
}

static RegPos
pos_of(OfsPos pos)
{
	RegPos		p;

	p.line = pos.line;
	p.column = pos.column;
	return p;
}

/* An aggregation's feature: its name, nothing declared, and a way back. */
static void
init_aggregation_feature(RegAggregation *a)
{
	a->feature.name = a->name;
	a->feature.dtype = NULL;
	a->feature.description = "";
	a->feature.tags = "{}";
	a->feature.pos = a->pos;
	a->feature.dtype_pos = a->pos;
	a->feature.agg = a;
}

/* JSON text -> canonical jsonb text (key order and spacing of jsonb_out). */
static char *
canonical_json(const char *json)
{
	Datum		jb;

	if (json == NULL)
		return NULL;
	jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
	return DatumGetCString(DirectFunctionCall1(jsonb_out, jb));
}

/* A document's string map as canonical jsonb text. */
static char *
map_json(const OfsStrMap *map)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < map->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, map->items[i].key.s ? map->items[i].key.s : "");
		appendStringInfoString(&buf, ": ");
		escape_json(&buf, map->items[i].value.s ? map->items[i].value.s : "");
	}
	appendStringInfoChar(&buf, '}');
	return canonical_json(buf.data);
}

/* A document's string map, split and as jsonb text. */
static RegStrMap
strmap_from_doc(const OfsStrMap *map)
{
	RegStrMap	m;

	m.n = map->n;
	m.keys = palloc0(sizeof(char *) * (map->n + 1));
	m.values = palloc0(sizeof(char *) * (map->n + 1));
	m.keypos = palloc0(sizeof(RegPos) * (map->n + 1));
	for (int i = 0; i < map->n; i++)
	{
		m.keys[i] = dup_or_empty(map->items[i].key.s);
		m.values[i] = dup_or_empty(map->items[i].value.s);
		m.keypos[i] = pos_of(map->items[i].key.pos);
	}
	m.json = map_json(map);
	return m;
}

/* ----------------------------------------------------------------
 * Lists of model objects
 * ----------------------------------------------------------------
 */

/*
 * RegListFind returns the object of that name in a List of model objects
 * (RegEntity, RegSource, RegFeatureView, RegFeatureService), or NULL.
 */
void *
RegListFind(List *objects, const char *name)
{
	ListCell   *lc;

	foreach(lc, objects)
	{
		RegNamed   *obj = lfirst(lc);

		if (strcmp(obj->name, name) == 0)
			return obj;
	}
	return NULL;
}

/* RegListNames returns the names of a List of model objects, in order. */
List *
RegListNames(List *objects)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, objects)
		names = lappend(names, ((RegNamed *) lfirst(lc))->name);
	return names;
}

/* ----------------------------------------------------------------
 * The document
 * ----------------------------------------------------------------
 */

static RegProject *
project_from_doc(const OfsConfig *cfg)
{
	RegProject *p = palloc0(sizeof(RegProject));

	p->name = dup_or_empty(cfg->project.s);
	p->pos = pos_of(cfg->project.pos);
	p->description = dup_or_empty(cfg->description.s);
	p->provider = pstrdup(cfg->provider.s ? cfg->provider.s : "local");
	p->registry = canonical_json(cfg->registry_json);
	p->online_store = canonical_json(cfg->online_store_json ? cfg->online_store_json :
									 "{\"type\": \"postgres\", \"db_schema\": \"feast_online\"}");
	p->offline_store = canonical_json(cfg->offline_store_json ? cfg->offline_store_json :
									  "{\"type\": \"offline_store\"}");
	p->batch_engine = canonical_json(cfg->batch_engine_json);
	p->materialization = canonical_json(cfg->materialization_json);
	p->auth = canonical_json(cfg->auth_json);
	p->entity_key_serialization_version = cfg->entity_key_serialization_version;
	p->coerce_tz_aware = cfg->coerce_tz_aware;
	p->online_schema = pstrdup(cfg->online_schema.s ? cfg->online_schema.s : "feast_online");
	p->online_schema_pos = pos_of(cfg->online_schema.pos);
	p->has_online_store = cfg->has_online_store;
	p->has_offline_store = cfg->has_offline_store;
	return p;
}

static RegEntity *
entity_from_doc(const OfsEntity *d)
{
	RegEntity  *e = palloc0(sizeof(RegEntity));

	e->name = dup_or_empty(d->name.s);
	e->join_key = dup_or_empty(d->join_key.s ? d->join_key.s : d->name.s);
	e->value_type = dup_or_null(d->value_type.s);
	e->description = dup_or_empty(d->description.s);
	e->owner = dup_or_empty(d->owner.s);
	e->tags = map_json(&d->tags);
	e->from_doc = true;
	e->pos = pos_of(d->pos);
	e->value_type_pos = pos_of(d->value_type.s ? d->value_type.pos : d->pos);
	return e;
}

static RegSource *
source_from_doc(const OfsSource *d)
{
	RegSource  *s = palloc0(sizeof(RegSource));

	s->name = dup_or_empty(d->name.s);
	s->type = d->type == OFS_SOURCE_TABLE ? REG_SOURCE_TABLE :
		d->type == OFS_SOURCE_QUERY ? REG_SOURCE_QUERY : REG_SOURCE_PUSH;
	s->table_name = dup_or_null(d->table.s);
	s->query = dup_or_null(d->query.s);
	s->batch_source = dup_or_null(d->batch_source.s);
	s->timestamp_field = dup_or_null(d->timestamp_field.s);
	s->created_timestamp_column = dup_or_null(d->created_timestamp_column.s);
	s->date_partition_column = dup_or_null(d->date_partition_column.s);
	s->field_mapping = strmap_from_doc(&d->field_mapping);
	s->description = dup_or_empty(d->description.s);
	s->owner = dup_or_empty(d->owner.s);
	s->tags = map_json(&d->tags);
	s->from_doc = true;
	s->pos = pos_of(d->pos);
	s->table_pos = pos_of(d->table.pos);
	s->query_pos = pos_of(d->query.pos);
	s->batch_source_pos = pos_of(d->batch_source.pos);
	s->timestamp_pos = pos_of(d->timestamp_field.pos);
	s->created_pos = pos_of(d->created_timestamp_column.pos);
	s->date_partition_pos = pos_of(d->date_partition_column.pos);
	return s;
}

static RegFeatureView *
view_from_doc(const OfsFeatureView *d, const char *project)
{
	RegFeatureView *v = palloc0(sizeof(RegFeatureView));

	v->name = dup_or_empty(d->name.s);
	v->project = pstrdup(project);
	v->source_name = dup_or_empty(d->source.s);
	v->ttl_usec = d->ttl_usec;
	v->online = d->online;
	v->offline = d->offline;
	v->description = dup_or_empty(d->description.s);
	v->owner = dup_or_empty(d->owner.s);
	v->tags = map_json(&d->tags);
	v->nkeys = d->entities.n;
	v->entities = palloc0(sizeof(char *) * (d->entities.n + 1));
	v->entity_pos = palloc0(sizeof(RegPos) * (d->entities.n + 1));
	for (int j = 0; j < d->entities.n; j++)
	{
		v->entities[j] = dup_or_empty(d->entities.items[j].s);
		v->entity_pos[j] = pos_of(d->entities.items[j].pos);
	}
	v->nfeatures = d->nschema;
	v->features = palloc0(sizeof(RegFeature) * (d->nschema + 1));
	for (int j = 0; j < d->nschema; j++)
	{
		const OfsField *fd = &d->schema[j];
		RegFeature *f = &v->features[j];

		f->name = dup_or_empty(fd->name.s);
		f->dtype = dup_or_empty(fd->dtype.s);
		f->description = dup_or_empty(fd->description.s);
		f->tags = map_json(&fd->tags);
		f->pos = pos_of(fd->name.pos.line > 0 ? fd->name.pos : fd->pos);
		f->dtype_pos = pos_of(fd->dtype.pos.line > 0 ? fd->dtype.pos : fd->pos);
	}
	v->naggregations = d->naggregations;
	v->aggregations = palloc0(sizeof(RegAggregation) * (d->naggregations + 1));
	for (int j = 0; j < d->naggregations; j++)
	{
		const OfsAggregation *ad = &d->aggregations[j];
		RegAggregation *a = &v->aggregations[j];

		a->name = dup_or_empty(ad->result_name);
		a->column = dup_or_empty(ad->column.s);
		a->function = dup_or_empty(ad->function.s);
		a->window_usec = ad->window_usec;
		a->pos = pos_of(ad->name.s ? ad->name.pos : ad->pos);
		a->column_pos = pos_of(ad->column.pos.line > 0 ? ad->column.pos : ad->pos);
		a->function_pos = pos_of(ad->function.pos.line > 0 ? ad->function.pos : ad->pos);
		a->window_pos = pos_of(ad->time_window.pos.line > 0 ? ad->time_window.pos : ad->pos);
		init_aggregation_feature(a);
	}
	v->from_doc = true;
	v->pos = pos_of(d->pos);
	v->source_pos = pos_of(d->source.pos);
	return v;
}

static RegFeatureService *
service_from_doc(const OfsFeatureService *d)
{
	RegFeatureService *s = palloc0(sizeof(RegFeatureService));

	s->name = dup_or_empty(d->name.s);
	s->description = dup_or_empty(d->description.s);
	s->owner = dup_or_empty(d->owner.s);
	s->tags = map_json(&d->tags);
	s->nprojections = d->nprojections;
	s->projections = palloc0(sizeof(RegProjection) * (d->nprojections + 1));
	for (int j = 0; j < d->nprojections; j++)
	{
		const OfsProjection *pd = &d->projections[j];
		RegProjection *pr = &s->projections[j];

		pr->feature_view = dup_or_empty(pd->feature_view.s);
		pr->alias = dup_or_null(pd->alias.s);
		if (pd->has_features)
		{
			pr->nfeatures = pd->features.n;
			pr->features = palloc0(sizeof(char *) * (pd->features.n + 1));
			pr->feature_pos = palloc0(sizeof(RegPos) * (pd->features.n + 1));
			for (int k = 0; k < pd->features.n; k++)
			{
				pr->features[k] = dup_or_empty(pd->features.items[k].s);
				pr->feature_pos[k] = pos_of(pd->features.items[k].pos);
			}
		}
		else
			pr->nfeatures = -1;
		pr->join_key_map = strmap_from_doc(&pd->join_key_map);
		pr->pos = pos_of(pd->pos);
		pr->feature_view_pos = pos_of(pd->feature_view.pos.line > 0 ?
									  pd->feature_view.pos : pd->pos);
	}
	s->from_doc = true;
	s->pos = pos_of(d->pos);
	return s;
}

/*
 * RegistryRepoFromDocument copies a parsed document into a palloc'd repo,
 * with defaults filled in.
 */
RegRepo *
RegistryRepoFromDocument(const OfsConfig *cfg)
{
	RegRepo	   *repo = palloc0(sizeof(RegRepo));

	repo->project = project_from_doc(cfg);
	repo->has_entities = cfg->has_entities;
	repo->has_sources = cfg->has_sources;
	repo->has_views = cfg->has_feature_views;
	repo->has_services = cfg->has_feature_services;

	for (int i = 0; i < cfg->nentities; i++)
		repo->entities = lappend(repo->entities, entity_from_doc(&cfg->entities[i]));
	for (int i = 0; i < cfg->nsources; i++)
		repo->sources = lappend(repo->sources, source_from_doc(&cfg->sources[i]));
	for (int i = 0; i < cfg->nfeature_views; i++)
		repo->views = lappend(repo->views, view_from_doc(&cfg->feature_views[i],
														 repo->project->name));
	for (int i = 0; i < cfg->nfeature_services; i++)
		repo->services = lappend(repo->services,
								 service_from_doc(&cfg->feature_services[i]));
	return repo;
}

/* ----------------------------------------------------------------
 * The registry
 *
 * The load_* functions run inside the loader's SPI connection and
 * allocate in cxt, the caller's context.
 * ----------------------------------------------------------------
 */

/* Connect to SPI; errors are internal. */
static void
load_connect(void)
{
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

/*
 * Run a registry query: every row of the project, or the rows named in
 * names when not NIL; its plan is made on first use and kept. Then go back
 * to cxt, where the values are copied.
 */
static void
load_query(RegQuery *q, const char *project, List *names, MemoryContext cxt)
{
	int			form = (names != NIL) ? 1 : 0;
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2] = {0};
	int			rc;

	Assert(q->sql[form] != NULL);
	if (q->plan[form] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(q->sql[form], q->nargs[form], types);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if ((rc = SPI_keepplan(plan)) != 0)
			elog(ERROR, "SPI_keepplan failed: %s", SPI_result_code_string(rc));
		q->plan[form] = plan;
	}
	if (q->nargs[form] > 0)
		values[0] = CStringGetTextDatum(project);
	if (form == 1)
	{
		Datum	   *elems = palloc(sizeof(Datum) * list_length(names));
		ListCell   *lc;

		foreach(lc, names)
			elems[foreach_current_index(lc)] = CStringGetTextDatum(lfirst(lc));
		values[1] = PointerGetDatum(construct_array(elems, list_length(names),
													TEXTOID, -1, false,
													TYPALIGN_INT));
	}
	rc = SPI_execute_plan(q->plan[form], values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	MemoryContextSwitchTo(cxt);
}

static char *
col_text_or_empty(uint64 r, int i)
{
	char	   *s = SpiGetText(r, i);

	return s ? s : pstrdup("");
}

static bool
col_bool(uint64 r, int i)
{
	bool		isnull;

	return DatumGetBool(SpiGetDatum(r, i, &isnull));
}

/* A text[] column as a C array (NULL elements become ""); n = 0 for NULL. */
static char **
col_text_array(uint64 r, int i, int *n)
{
	char	  **arr = SpiGetTextArray(r, i, n);

	if (arr == NULL)
		return palloc0(sizeof(char *));
	for (int k = 0; k < *n; k++)
		if (arr[k] == NULL)
			arr[k] = pstrdup("");
	return arr;
}

/* A jsonb string map: its text in column jcol, keys and values after it. */
static RegStrMap
col_strmap(uint64 r, int jcol)
{
	RegStrMap	m;
	int			nv;

	m.json = SpiGetText(r, jcol);
	m.keys = col_text_array(r, jcol + 1, &m.n);
	m.values = col_text_array(r, jcol + 2, &nv);
	Assert(nv == m.n);
	m.keypos = palloc0(sizeof(RegPos) * (m.n + 1));
	return m;
}

static RegProject *
load_project(const char *project, MemoryContext cxt)
{
	RegProject *p;

	load_query(&project_query, project, NIL, cxt);
	if (SPI_processed == 0)
		return NULL;
	p = palloc0(sizeof(RegProject));
	p->name = pstrdup(project);
	p->description = col_text_or_empty(0, 1);
	p->provider = col_text_or_empty(0, 2);
	p->registry = SpiGetText(0, 3);
	p->online_store = SpiGetText(0, 4);
	p->offline_store = SpiGetText(0, 5);
	p->batch_engine = SpiGetText(0, 6);
	p->materialization = SpiGetText(0, 7);
	p->auth = SpiGetText(0, 8);
	p->entity_key_serialization_version = pg_strtoint32(SpiGetText(0, 9));
	p->coerce_tz_aware = col_bool(0, 10);
	p->online_schema = col_text_or_empty(0, 11);
	p->has_online_store = true;
	p->has_offline_store = true;
	return p;
}

static List *
load_entities(const char *project, List *names, MemoryContext cxt)
{
	List	   *result = NIL;

	load_query(&entities_query, project, names, cxt);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		RegEntity  *e = palloc0(sizeof(RegEntity));

		e->name = SpiGetText(r, 1);
		e->join_key = SpiGetText(r, 2);
		e->value_type = SpiGetText(r, 3);
		e->description = col_text_or_empty(r, 4);
		e->owner = col_text_or_empty(r, 5);
		e->tags = SpiGetText(r, 6);
		result = lappend(result, e);
	}
	return result;
}

/* RegSourceTypeName is a source type's name in documents and the registry. */
const char *
RegSourceTypeName(RegSourceType type)
{
	switch (type)
	{
		case REG_SOURCE_TABLE:
			return "table";
		case REG_SOURCE_QUERY:
			return "query";
		case REG_SOURCE_PUSH:
			return "push";
	}
	return "table";				/* keep compiler quiet */
}

/*
 * RegAggregationSqlName maps Feast's aggregation functions to the SQL
 * aggregates that compute them.
 */
const char *
RegAggregationSqlName(const char *function)
{
	static const char *const names[][2] = {
		{"sum", "sum"}, {"count", "count"}, {"mean", "avg"},
		{"min", "min"}, {"max", "max"}, {"stddev", "stddev_samp"},
	};

	for (int i = 0; i < (int) lengthof(names); i++)
		if (strcmp(names[i][0], function) == 0)
			return names[i][1];
	return NULL;
}

/* RegAggregationDefaultName is the name an unnamed aggregation gets. */
char *
RegAggregationDefaultName(const RegAggregation *agg)
{
	return psprintf("%s_%s", agg->function, agg->column);
}

/*
 * RegViewFeature finds a view's feature by name, in its schema or among
 * its aggregations.
 */
RegFeature *
RegViewFeature(RegFeatureView *view, const char *name)
{
	for (int i = 0; i < view->nfeatures; i++)
		if (strcmp(view->features[i].name, name) == 0)
			return &view->features[i];
	for (int i = 0; i < view->naggregations; i++)
		if (strcmp(view->aggregations[i].name, name) == 0)
			return &view->aggregations[i].feature;
	return NULL;
}

/* RegViewFeatureNames lists a view's schema's features, then its aggregations'. */
List *
RegViewFeatureNames(const RegFeatureView *view)
{
	List	   *names = NIL;

	for (int i = 0; i < view->nfeatures; i++)
		names = lappend(names, view->features[i].name);
	for (int i = 0; i < view->naggregations; i++)
		names = lappend(names, view->aggregations[i].name);
	return names;
}

static RegSourceType
source_type(const char *type)
{
	if (strcmp(type, "table") == 0)
		return REG_SOURCE_TABLE;
	if (strcmp(type, "query") == 0)
		return REG_SOURCE_QUERY;
	return REG_SOURCE_PUSH;		/* the only other value the CHECK allows */
}

static List *
load_sources(const char *project, List *names, MemoryContext cxt)
{
	List	   *result = NIL;

	load_query(&sources_query, project, names, cxt);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		RegSource  *s = palloc0(sizeof(RegSource));

		s->name = SpiGetText(r, 1);
		s->type = source_type(SpiGetText(r, 2));
		s->table_name = SpiGetText(r, 3);
		s->query = SpiGetText(r, 4);
		s->batch_source = SpiGetText(r, 5);
		s->timestamp_field = SpiGetText(r, 6);
		s->created_timestamp_column = SpiGetText(r, 7);
		s->date_partition_column = SpiGetText(r, 8);
		s->field_mapping = col_strmap(r, 9);
		/* columns 10 and 11 are field_mapping's keys and values */
		s->description = col_text_or_empty(r, 12);
		s->owner = col_text_or_empty(r, 13);
		s->tags = SpiGetText(r, 14);
		result = lappend(result, s);
	}
	return result;
}

/* A ttl: an interval of hours, minutes and seconds (feature_views_ttl_check). */
static int64
interval_usec(Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}

/* Feature views with their features; entities and sources unresolved. */
static List *
load_views(const char *project, List *names, MemoryContext cxt)
{
	List	   *result = NIL;
	RegFeatureView *v = NULL;

	load_query(&views_query, project, names, cxt);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;

		v = palloc0(sizeof(RegFeatureView));
		v->name = SpiGetText(r, 1);
		v->project = pstrdup(project);
		v->source_name = SpiGetText(r, 2);
		v->ttl_usec = interval_usec(DatumGetIntervalP(SpiGetDatum(r, 3, &isnull)));
		v->online = col_bool(r, 4);
		v->offline = col_bool(r, 5);
		v->description = col_text_or_empty(r, 6);
		v->owner = col_text_or_empty(r, 7);
		v->tags = SpiGetText(r, 8);
		v->entities = col_text_array(r, 9, &v->nkeys);
		v->entity_pos = palloc0(sizeof(RegPos) * (v->nkeys + 1));
		result = lappend(result, v);
	}
	if (result == NIL)
		return NIL;

	/*
	 * Features, grouped by view: one pass to count, one to fill, looking a
	 * view up only when the group changes.
	 */
	load_query(&features_query, project, names, cxt);
	for (int pass = 0; pass < 2; pass++)
	{
		ListCell   *lc;

		v = NULL;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fv = SpiGetText(r, 1);
			RegFeature *f;

			if (v == NULL || strcmp(v->name, fv) != 0)
				v = RegListFind(result, fv);
			if (v == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				v->nfeatures++;
				continue;
			}
			f = &v->features[v->nfeatures++];
			f->name = SpiGetText(r, 2);
			f->dtype = SpiGetText(r, 3);
			f->description = col_text_or_empty(r, 4);
			f->tags = SpiGetText(r, 5);
		}
		if (pass == 0)
		{
			foreach(lc, result)
			{
				v = lfirst(lc);
				v->features = palloc0(sizeof(RegFeature) * (v->nfeatures + 1));
				v->nfeatures = 0;
			}
		}
	}

	/* Aggregations, grouped by view in the same way. */
	load_query(&aggregations_query, project, names, cxt);
	for (int pass = 0; pass < 2; pass++)
	{
		ListCell   *lc;

		v = NULL;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fv = SpiGetText(r, 1);
			RegAggregation *a;
			bool		isnull;

			if (v == NULL || strcmp(v->name, fv) != 0)
				v = RegListFind(result, fv);
			if (v == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				v->naggregations++;
				continue;
			}
			a = &v->aggregations[v->naggregations++];
			a->name = SpiGetText(r, 2);
			a->column = SpiGetText(r, 3);
			a->function = SpiGetText(r, 4);
			a->window_usec = interval_usec(DatumGetIntervalP(SpiGetDatum(r, 5, &isnull)));
			init_aggregation_feature(a);
		}
		if (pass == 0)
		{
			foreach(lc, result)
			{
				v = lfirst(lc);
				v->aggregations = palloc0(sizeof(RegAggregation) * (v->naggregations + 1));
				v->naggregations = 0;
			}
		}
	}
	return result;
}

/* Feature services with their projections. */
static List *
load_services(const char *project, List *names, MemoryContext cxt)
{
	List	   *result = NIL;

	load_query(&services_query, project, names, cxt);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		RegFeatureService *s = palloc0(sizeof(RegFeatureService));

		s->name = SpiGetText(r, 1);
		s->description = col_text_or_empty(r, 2);
		s->owner = col_text_or_empty(r, 3);
		s->tags = SpiGetText(r, 4);
		result = lappend(result, s);
	}
	if (result == NIL)
		return NIL;

	load_query(&projections_query, project, names, cxt);
	for (int pass = 0; pass < 2; pass++)
	{
		RegFeatureService *svc = NULL;
		ListCell   *lc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fs = SpiGetText(r, 1);
			RegProjection *pr;
			bool		isnull;

			if (svc == NULL || strcmp(svc->name, fs) != 0)
				svc = RegListFind(result, fs);
			if (svc == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				svc->nprojections++;
				continue;
			}
			pr = &svc->projections[svc->nprojections++];
			pr->feature_view = SpiGetText(r, 2);
			pr->alias = SpiGetText(r, 3);
			(void) SpiGetDatum(r, 4, &isnull);
			if (isnull)
				pr->nfeatures = -1;
			else
			{
				pr->features = col_text_array(r, 4, &pr->nfeatures);
				pr->feature_pos = palloc0(sizeof(RegPos) * (pr->nfeatures + 1));
			}
			pr->join_key_map = col_strmap(r, 5);
		}
		if (pass == 0)
		{
			foreach(lc, result)
			{
				svc = lfirst(lc);
				svc->projections = palloc0(sizeof(RegProjection) * (svc->nprojections + 1));
				svc->nprojections = 0;
			}
		}
	}
	return result;
}

/* The names in the first column of a query, in the caller's context. */
static List *
load_names(RegQuery *q, const char *project, List *names, MemoryContext cxt)
{
	List	   *result = NIL;

	load_query(q, project, names, cxt);
	for (uint64 r = 0; r < SPI_processed; r++)
		result = lappend(result, SpiGetText(r, 1));
	return result;
}

/* A name list on its own SPI connection. */
static List *
list_names(RegQuery *q, const char *project, List *names)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *result;

	load_connect();
	result = load_names(q, project, names, cxt);
	SPI_finish();
	return result;
}

/*
 * RegistryLoadRepo loads every object of a project; its project is NULL
 * when the registry has none.
 */
RegRepo *
RegistryLoadRepo(const char *project)
{
	MemoryContext cxt = CurrentMemoryContext;
	RegRepo	   *repo = palloc0(sizeof(RegRepo));

	load_connect();
	repo->project = load_project(project, cxt);
	repo->entities = load_entities(project, NIL, cxt);
	repo->sources = load_sources(project, NIL, cxt);
	repo->views = load_views(project, NIL, cxt);
	repo->services = load_services(project, NIL, cxt);
	repo->has_entities = repo->has_sources = true;
	repo->has_views = repo->has_services = true;
	SPI_finish();
	return repo;
}

/*
 * Load a table or query source by name, following a push source to its
 * batch source (whose name is then returned in *push_source); NULL when
 * there is none. A query source is checked for the caller
 * (RegistryCheckQuerySource), since retrieval will run it.
 */
static RegSource *
load_source(const char *project, const char *name, char **push_source,
			MemoryContext cxt)
{
	List	   *found = load_sources(project, list_make1((char *) name), cxt);
	RegSource  *src;

	*push_source = NULL;
	if (found == NIL)
		return NULL;
	src = linitial(found);
	if (src->type == REG_SOURCE_PUSH)
	{
		char	   *batch = src->batch_source;
		char	   *dummy;

		src = load_source(project, batch, &dummy, cxt);
		if (src == NULL)		/* deleted in this transaction */
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("data source \"%s\" does not exist", batch),
					 errdetail("Push source \"%s\" stores its rows there.", name)));
		*push_source = pstrdup(name);
		return src;
	}
	if (src->type == REG_SOURCE_QUERY)
	{
		RegistryCheckQuerySource(project, name);
		MemoryContextSwitchTo(cxt);
	}
	return src;
}

/*
 * RegistryGetFeatureView loads one feature view with its entities' join
 * keys and value types and its table or query source.
 */
RegFeatureView *
RegistryGetFeatureView(const char *project, const char *name)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *found;
	RegFeatureView *fv;

	load_connect();
	found = load_views(project, list_make1((char *) name), cxt);
	if (found == NIL)
	{
		List	   *names = load_names(&view_names_query, project, NIL, cxt);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("feature view \"%s\" does not exist", name),
				 errdetail("Project \"%s\" has no feature view of that name.", project),
				 RegistryHintClosest(name, names, NULL)));
	}
	fv = linitial(found);

	fv->join_keys = palloc0(sizeof(char *) * (fv->nkeys + 1));
	fv->value_types = palloc0(sizeof(char *) * (fv->nkeys + 1));
	if (fv->nkeys > 0)
	{
		List	   *entity_names = NIL;
		List	   *entities;

		for (int i = 0; i < fv->nkeys; i++)
			entity_names = lappend(entity_names, fv->entities[i]);
		entities = load_entities(project, entity_names, cxt);
		for (int i = 0; i < fv->nkeys; i++)
		{
			RegEntity  *e = RegListFind(entities, fv->entities[i]);

			if (e == NULL)		/* deleted in this transaction */
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("entity \"%s\" does not exist", fv->entities[i]),
						 errdetail("Feature view \"%s\" uses it.", fv->name)));
			fv->join_keys[i] = e->join_key;
			fv->value_types[i] = e->value_type;
		}
	}

	fv->source = load_source(project, fv->source_name, &fv->push_source, cxt);
	if (fv->source == NULL)		/* deleted in this transaction */
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("data source \"%s\" does not exist", fv->source_name),
				 errdetail("Feature view \"%s\" reads it.", fv->name)));
	SPI_finish();
	return fv;
}

/*
 * RegistryGetDataSource loads a data source by name; a push source is
 * followed to its batch source, and its own name returned in *push_source
 * (NULL otherwise). Returns NULL when there is no data source of that
 * name.
 */
RegSource *
RegistryGetDataSource(const char *project, const char *name, char **push_source)
{
	MemoryContext cxt = CurrentMemoryContext;
	RegSource  *src;

	load_connect();
	src = load_source(project, name, push_source, cxt);
	SPI_finish();
	return src;
}

/*
 * RegistryGetFeatureService loads a feature service with its projections,
 * NULL when there is none.
 */
RegFeatureService *
RegistryGetFeatureService(const char *project, const char *name)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *found;

	load_connect();
	found = load_services(project, list_make1((char *) name), cxt);
	SPI_finish();
	return found == NIL ? NULL : linitial(found);
}

/*
 * RegistryListFeatureViews returns the names of a project's feature views,
 * sorted by name (bytewise).
 */
List *
RegistryListFeatureViews(const char *project, bool online_only)
{
	return list_names(online_only ? &online_view_names_query : &view_names_query,
					  project, NIL);
}

/*
 * RegistryListDataSources returns the names of a project's data sources
 * (push sources only if asked), sorted by name (bytewise).
 */
List *
RegistryListDataSources(const char *project, bool push_only)
{
	return list_names(push_only ? &push_source_names_query : &source_names_query,
					  project, NIL);
}

/*
 * RegistryListFeatureServices returns the names of a project's feature
 * services, sorted by name (bytewise).
 */
List *
RegistryListFeatureServices(const char *project)
{
	return list_names(&service_names_query, project, NIL);
}

/* RegistryListProjects returns the names of all projects, sorted bytewise. */
List *
RegistryListProjects(void)
{
	return list_names(&project_names_query, NULL, NIL);
}

/*
 * RegistryPushSourceViews returns the names of the feature views that read
 * a push source, sorted by name (bytewise); errors when there is no push
 * source of that name.
 */
List *
RegistryPushSourceViews(const char *project, const char *push_source)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *found;
	List	   *result;

	load_connect();
	found = load_sources(project, list_make1((char *) push_source), cxt);
	if (found == NIL)
	{
		List	   *names = load_names(&push_source_names_query, project, NIL, cxt);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("push source \"%s\" does not exist", push_source),
				 errdetail("Project \"%s\" has no data source of that name.", project),
				 RegistryHintClosest(push_source, names, NULL)));
	}
	if (((RegSource *) linitial(found))->type != REG_SOURCE_PUSH)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("data source \"%s\" is not a push source", push_source)));
	result = load_names(&view_names_query, project,
						list_make1((char *) push_source), cxt);
	SPI_finish();
	return result;
}

/*
 * RegistryProjectOwner returns the owner role of a project, InvalidOid when
 * there is no such project (every project has one).
 */
Oid
RegistryProjectOwner(const char *project)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			owner = InvalidOid;

	load_connect();
	load_query(&project_owner_query, project, NIL, cxt);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SpiGetDatum(0, 1, &isnull);

		if (!isnull)
			owner = DatumGetObjectId(d);
	}
	SPI_finish();
	return owner;
}
