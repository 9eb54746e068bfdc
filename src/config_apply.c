/*-------------------------------------------------------------------------
 *
 * config_apply.c
 *		feast_apply: make a project's registry equal to a feature repo
 *		document.
 *
 * The document is parsed by config_yaml.c into malloc'd memory, which is
 * copied at once into a palloc'd model (ApplyState) and freed in a
 * PG_FINALLY block, so that no error can leak it. The registry's current
 * state for the project is loaded into the same model. The wanted state is
 * the document's sections, and the registry's objects for each section the
 * document does not have (an absent section leaves that kind of object
 * alone; a present one is the complete list).
 *
 * The wanted state is then validated as a whole, against itself and the
 * database (sources, columns, types, online table names), before anything
 * is written: an invalid document changes nothing, and so does a dry run.
 * Each object is compared with its registry row through a canonical
 * signature (jsonb text for the maps), which gives created, updated,
 * unchanged and deleted. Writes are ordered by the foreign keys: project,
 * entities, batch sources, push sources, feature views, feature services,
 * then deletions in reverse dependency order, then online table DDL.
 *
 * Concurrent applies of one project are serialized by the project's
 * transaction-level advisory lock (RegistryLockProject), taken exclusive
 * before the registry is read. Everything runs in the
 * caller's transaction and as the caller (SECURITY INVOKER): an error rolls
 * back the registry and the online tables together.
 *
 * IDENTIFICATION
 *	  src/config_apply.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"

#include "config_yaml.h"
#include "offline_store.h"
#include "online_tables.h"
#include "registry.h"

/* A column of a source relation or query. */
typedef struct ColInfo
{
	char	   *name;
	Oid			typid;
	int32		typmod;
} ColInfo;

/* A string map in document order (or jsonb key order from the registry). */
typedef struct KMap
{
	int			n;
	char	  **keys;
	char	  **vals;
	OfsPos	   *keypos;
} KMap;

typedef struct AProject
{
	char	   *name;
	char	   *description;
	char	   *provider;
	char	   *registry;		/* canonical jsonb text, or NULL */
	char	   *online_store;
	char	   *offline_store;
	char	   *batch_engine;
	char	   *materialization;
	char	   *auth;
	int			eksv;
	bool		coerce_tz_aware;
	char	   *online_schema;
	OfsPos		pos;
	OfsPos		online_schema_pos;
} AProject;

typedef struct AEntity
{
	char	   *name;
	char	   *join_key;
	char	   *value_type;		/* NULL until inferred */
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		value_type_pos;
} AEntity;

typedef struct ASource
{
	char	   *name;
	char	   *type;
	char	   *table_name;
	char	   *query;
	char	   *batch_source;
	char	   *timestamp_field;
	char	   *created_col;
	char	   *date_partition_column;
	char	   *field_mapping;	/* canonical jsonb text */
	KMap		fm;
	char	   *description;
	char	   *owner;
	char	   *tags;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		table_pos;
	OfsPos		query_pos;
	OfsPos		batch_source_pos;
	OfsPos		timestamp_pos;
	OfsPos		created_pos;
	OfsPos		date_partition_pos;
	/* filled by validation */
	bool		loaded;
	int			ncols;
	ColInfo    *cols;
	char	   *relname;		/* for messages: relation "t", or the query of ... */
} ASource;

typedef struct AFeature
{
	char	   *name;
	char	   *dtype;
	char	   *description;
	char	   *tags;
	OfsPos		pos;
	OfsPos		dtype_pos;
	ColInfo    *col;			/* filled by validation */
} AFeature;

typedef struct AView
{
	char	   *name;
	char	   *source;
	int64		ttl_usec;
	bool		online;
	bool		offline;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nentities;
	char	  **entities;
	OfsPos	   *entity_pos;
	int			nfeatures;
	AFeature   *features;
	bool		from_doc;
	OfsPos		pos;
	OfsPos		source_pos;
	/* filled by validation */
	ASource    *rsource;		/* the source rows come from (push: batch) */
	ColInfo   **keycols;		/* per entity: its join key column */
} AView;

typedef struct AProjection
{
	char	   *feature_view;
	char	   *alias;
	int			nfeatures;		/* -1: every feature of the view */
	char	  **features;
	OfsPos	   *feature_pos;
	char	   *join_key_map;	/* canonical jsonb text */
	KMap		jkm;
	OfsPos		pos;
	OfsPos		feature_view_pos;
} AProjection;

typedef struct AService
{
	char	   *name;
	char	   *description;
	char	   *owner;
	char	   *tags;
	int			nprojections;
	AProjection *projections;
	bool		from_doc;
	OfsPos		pos;
} AService;

typedef struct ApplyState
{
	AProject   *project;		/* NULL: none in the registry */
	List	   *entities;		/* of AEntity * */
	List	   *sources;		/* of ASource * */
	List	   *views;			/* of AView * */
	List	   *services;		/* of AService * */
	bool		has_entities;	/* the document has the section */
	bool		has_sources;
	bool		has_views;
	bool		has_services;
} ApplyState;

/* One row of feast_apply's result. */
typedef struct ApplyRow
{
	const char *object_type;
	const char *name;
	const char *action;
} ApplyRow;

#define OFS_APPLY_COLS 3

/* Query parameters for SPI. */
#define MAX_PARAMS 16
typedef struct Params
{
	int			n;
	Oid			types[MAX_PARAMS];
	Datum		values[MAX_PARAMS];
	char		nulls[MAX_PARAMS];
} Params;

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_apply);

static void report_parse_error(const OfsError *err);
static ApplyState *state_from_doc(const OfsConfig *cfg, AProject **project);
static ApplyState *state_from_registry(const char *project);
static void validate(ApplyState *want, AProject *project);
static List *plan_and_write(ApplyState *want, ApplyState *cur,
							AProject *project, bool dry_run);

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

/* "At line L, column C." or "" when the position is unknown. */
static char *
at_pos(OfsPos pos)
{
	if (pos.line <= 0)
		return "";
	return psprintf("At line %d, column %d.", pos.line, pos.column);
}

/*
 * The error detail for an object: its position in the document, or a note
 * that its definition comes from the registry. extra, when not NULL, is a
 * sentence put first.
 */
static char *
where(bool from_doc, OfsPos pos, const char *section, const char *extra)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (extra)
		appendStringInfoString(&buf, extra);
	if (from_doc && pos.line > 0)
		appendStringInfo(&buf, "%s%s", buf.len ? " " : "", at_pos(pos));
	else if (!from_doc)
		appendStringInfo(&buf, "%sThe definition in the registry is used because the document has no %s section.",
						 buf.len ? " " : "", section);
	return buf.data;
}

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

/* A string map as canonical jsonb text. */
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

static KMap
kmap_from_doc(const OfsStrMap *map)
{
	KMap		km;

	km.n = map->n;
	km.keys = palloc0(sizeof(char *) * (map->n + 1));
	km.vals = palloc0(sizeof(char *) * (map->n + 1));
	km.keypos = palloc0(sizeof(OfsPos) * (map->n + 1));
	for (int i = 0; i < map->n; i++)
	{
		km.keys[i] = dup_or_empty(map->items[i].key.s);
		km.vals[i] = dup_or_empty(map->items[i].value.s);
		km.keypos[i] = map->items[i].key.pos;
	}
	return km;
}

/* text[] datum -> array of C strings (NULL elements become NULL). */
static char **
text_array(Datum d, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	char	  **out;

	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &count);
	out = palloc0(sizeof(char *) * (count + 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	*n = count;
	return out;
}

static Datum
make_text_array(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

static void
p_text(Params *p, const char *s)
{
	Assert(p->n < MAX_PARAMS);
	p->types[p->n] = TEXTOID;
	p->values[p->n] = s ? CStringGetTextDatum(s) : (Datum) 0;
	p->nulls[p->n] = s ? ' ' : 'n';
	p->n++;
}

static void
p_datum(Params *p, Oid type, Datum d)
{
	Assert(p->n < MAX_PARAMS);
	p->types[p->n] = type;
	p->values[p->n] = d;
	p->nulls[p->n] = ' ';
	p->n++;
}

/* Run one statement with parameters and check its result code. */
static void
exec_params(const char *sql, Params *p, int expected)
{
	int			rc;

	rc = SPI_execute_with_args(sql, p ? p->n : 0, p ? p->types : NULL,
							   p ? p->values : NULL, p ? p->nulls : NULL,
							   false, 0);
	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args failed: %s",
			 SPI_result_code_string(rc));
}

/* Column i (1-based) of row r of the last SPI result, or NULL. */
static char *
col_text(int r, int i)
{
	return SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, i);
}

static Datum
col_datum(int r, int i, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, i,
						 isnull);
}

static char *
col_text_or_empty(int r, int i)
{
	char	   *s = col_text(r, i);

	return s ? s : pstrdup("");
}

static int64
interval_usec(Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * 30 * USECS_PER_DAY;
}

/* Append a field to a signature, unambiguously. */
static void
sig_add(StringInfo sig, const char *s)
{
	if (s == NULL)
		appendStringInfoString(sig, "-|");
	else
		appendStringInfo(sig, "%zu:%s|", strlen(s), s);
}

/* ----------------------------------------------------------------
 * Lookups in a state
 * ----------------------------------------------------------------
 */

static AEntity *
find_entity(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AEntity *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static ASource *
find_source(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((ASource *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static AView *
find_view(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AView *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static AService *
find_service(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(((AService *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

/* ----------------------------------------------------------------
 * feast_apply
 * ----------------------------------------------------------------
 */

/*
 * ofs_feast_apply parses, validates and applies a document; returns one
 * row per object: (object_type, name, action).
 */
Datum
ofs_feast_apply(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *deftext;
	bool		dry_run;
	OfsConfig  *cfg;
	OfsError	err;
	ApplyState *volatile want = NULL;
	AProject   *volatile project = NULL;
	ApplyState *cur;
	List	   *rows;
	ListCell   *lc;
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("definitions must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run must not be null")));
	deftext = PG_GETARG_TEXT_PP(0);
	dry_run = PG_GETARG_BOOL(1);

	InitMaterializedSRF(fcinfo, 0);

	memset(&err, 0, sizeof(err));
	cfg = OfsConfigParse(VARDATA_ANY(deftext), VARSIZE_ANY_EXHDR(deftext),
						 &err);
	if (cfg == NULL)
		report_parse_error(&err);

	/* Copy the parse into palloc'd memory; the parser's is malloc'd. */
	PG_TRY();
	{
		AProject   *p;

		want = state_from_doc(cfg, &p);
		project = p;
	}
	PG_FINALLY();
	{
		OfsConfigFree(cfg);
	}
	PG_END_TRY();

	/*
	 * One apply per project at a time, and none while a materialization or
	 * push of the project runs (they take the lock shared); taken before
	 * the registry is read. A dry run writes nothing and does not wait.
	 */
	if (!dry_run)
		RegistryLockProject(project->name, true);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	cur = state_from_registry(project->name);

	/* Sections the document lacks keep the registry's objects. */
	if (!want->has_entities)
		want->entities = cur->entities;
	if (!want->has_sources)
		want->sources = cur->sources;
	if (!want->has_views)
		want->views = cur->views;
	if (!want->has_services)
		want->services = cur->services;

	validate(want, project);
	rows = plan_and_write(want, cur, project, dry_run);

	foreach(lc, rows)
	{
		ApplyRow   *row = lfirst(lc);
		Datum		values[OFS_APPLY_COLS] = {0};
		bool		nulls[OFS_APPLY_COLS] = {0};
		int			i = 0;

		values[i++] = CStringGetTextDatum(row->object_type);
		values[i++] = CStringGetTextDatum(row->name);
		values[i++] = CStringGetTextDatum(row->action);
		Assert(i == OFS_APPLY_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}

	SPI_finish();
	return (Datum) 0;
}

/*
 * report_parse_error raises the parser's error with an SQLSTATE for its
 * kind, the position in the detail and the hint. err lives on the stack:
 * the parser has freed its own memory.
 */
static void
report_parse_error(const OfsError *err)
{
	int			code;
	StringInfoData detail;
	const char *message = err->message[0] ? err->message : "invalid feature store configuration";

	switch (err->kind)
	{
		case OFS_ERR_SYNTAX:
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
		case OFS_ERR_UNKNOWN_KEY:
		case OFS_ERR_WRONG_TYPE:
		case OFS_ERR_INVALID_VALUE:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
		case OFS_ERR_MISSING_KEY:
		case OFS_ERR_CONFLICT:
			code = ERRCODE_INVALID_OBJECT_DEFINITION;
			break;
		case OFS_ERR_DUPLICATE:
			code = ERRCODE_DUPLICATE_OBJECT;
			break;
		case OFS_ERR_TOO_LARGE:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case OFS_ERR_OUT_OF_MEMORY:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		default:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
	}

	initStringInfo(&detail);
	if (err->kind == OFS_ERR_SYNTAX)
	{
		/* the parser's problem text goes to the detail */
		if (err->detail[0])
			appendStringInfoString(&detail, err->detail);
		else if (err->message[0] &&
				 strcmp(err->message, "invalid YAML in feature store configuration") != 0)
		{
			appendStringInfoChar(&detail, pg_toupper((unsigned char) err->message[0]));
			appendStringInfoString(&detail, err->message + 1);
		}
		message = "invalid YAML in feature store configuration";
	}
	else if (err->detail[0])
		appendStringInfoString(&detail, err->detail);
	if (detail.len > 0 && detail.data[detail.len - 1] != '.')
		appendStringInfoChar(&detail, '.');
	/* the position, unless the parser's detail already gives it */
	if (err->pos.line > 0 &&
		strstr(detail.data, psprintf("line %d, column %d",
									 err->pos.line, err->pos.column)) == NULL)
		appendStringInfo(&detail, "%sAt line %d, column %d.",
						 detail.len > 0 ? " " : "",
						 err->pos.line, err->pos.column);

	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message),
			 detail.len > 0 ? errdetail_internal("%s", detail.data) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
}

/* ----------------------------------------------------------------
 * The document as a state
 * ----------------------------------------------------------------
 */

static ApplyState *
state_from_doc(const OfsConfig *cfg, AProject **project_out)
{
	ApplyState *st = palloc0(sizeof(ApplyState));
	AProject   *p = palloc0(sizeof(AProject));

	p->name = dup_or_empty(cfg->project.s);
	p->pos = cfg->project.pos;
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
	p->eksv = cfg->entity_key_serialization_version;
	p->coerce_tz_aware = cfg->coerce_tz_aware;
	p->online_schema = pstrdup(cfg->online_schema.s ? cfg->online_schema.s : "feast_online");
	p->online_schema_pos = cfg->online_schema.pos;
	*project_out = p;

	st->has_entities = cfg->has_entities;
	st->has_sources = cfg->has_sources;
	st->has_views = cfg->has_feature_views;
	st->has_services = cfg->has_feature_services;

	for (int i = 0; i < cfg->nentities; i++)
	{
		const OfsEntity *d = &cfg->entities[i];
		AEntity    *e = palloc0(sizeof(AEntity));

		e->name = dup_or_empty(d->name.s);
		e->join_key = dup_or_empty(d->join_key.s ? d->join_key.s : d->name.s);
		e->value_type = dup_or_null(d->value_type.s);
		e->description = dup_or_empty(d->description.s);
		e->owner = dup_or_empty(d->owner.s);
		e->tags = map_json(&d->tags);
		e->from_doc = true;
		e->pos = d->pos;
		e->value_type_pos = d->value_type.s ? d->value_type.pos : d->pos;
		st->entities = lappend(st->entities, e);
	}

	for (int i = 0; i < cfg->nsources; i++)
	{
		const OfsSource *d = &cfg->sources[i];
		ASource    *s = palloc0(sizeof(ASource));

		s->name = dup_or_empty(d->name.s);
		s->type = pstrdup(d->type == OFS_SOURCE_TABLE ? "table" :
						  d->type == OFS_SOURCE_QUERY ? "query" : "push");
		s->table_name = dup_or_null(d->table.s);
		s->query = dup_or_null(d->query.s);
		s->batch_source = dup_or_null(d->batch_source.s);
		s->timestamp_field = dup_or_null(d->timestamp_field.s);
		s->created_col = dup_or_null(d->created_timestamp_column.s);
		s->date_partition_column = dup_or_null(d->date_partition_column.s);
		s->field_mapping = map_json(&d->field_mapping);
		s->fm = kmap_from_doc(&d->field_mapping);
		s->description = dup_or_empty(d->description.s);
		s->owner = dup_or_empty(d->owner.s);
		s->tags = map_json(&d->tags);
		s->from_doc = true;
		s->pos = d->pos;
		s->table_pos = d->table.pos;
		s->query_pos = d->query.pos;
		s->batch_source_pos = d->batch_source.pos;
		s->timestamp_pos = d->timestamp_field.pos;
		s->created_pos = d->created_timestamp_column.pos;
		s->date_partition_pos = d->date_partition_column.pos;
		st->sources = lappend(st->sources, s);
	}

	for (int i = 0; i < cfg->nfeature_views; i++)
	{
		const OfsFeatureView *d = &cfg->feature_views[i];
		AView	   *v = palloc0(sizeof(AView));

		v->name = dup_or_empty(d->name.s);
		v->source = dup_or_empty(d->source.s);
		v->ttl_usec = d->ttl_usec;
		v->online = d->online;
		v->offline = d->offline;
		v->description = dup_or_empty(d->description.s);
		v->owner = dup_or_empty(d->owner.s);
		v->tags = map_json(&d->tags);
		v->nentities = d->entities.n;
		v->entities = palloc0(sizeof(char *) * (d->entities.n + 1));
		v->entity_pos = palloc0(sizeof(OfsPos) * (d->entities.n + 1));
		for (int j = 0; j < d->entities.n; j++)
		{
			v->entities[j] = dup_or_empty(d->entities.items[j].s);
			v->entity_pos[j] = d->entities.items[j].pos;
		}
		v->nfeatures = d->nschema;
		v->features = palloc0(sizeof(AFeature) * (d->nschema + 1));
		for (int j = 0; j < d->nschema; j++)
		{
			const OfsField *fd = &d->schema[j];
			AFeature   *f = &v->features[j];

			f->name = dup_or_empty(fd->name.s);
			f->dtype = dup_or_empty(fd->dtype.s);
			f->description = dup_or_empty(fd->description.s);
			f->tags = map_json(&fd->tags);
			f->pos = fd->name.pos.line > 0 ? fd->name.pos : fd->pos;
			f->dtype_pos = fd->dtype.pos.line > 0 ? fd->dtype.pos : fd->pos;
		}
		v->from_doc = true;
		v->pos = d->pos;
		v->source_pos = d->source.pos;
		st->views = lappend(st->views, v);
	}

	for (int i = 0; i < cfg->nfeature_services; i++)
	{
		const OfsFeatureService *d = &cfg->feature_services[i];
		AService   *s = palloc0(sizeof(AService));

		s->name = dup_or_empty(d->name.s);
		s->description = dup_or_empty(d->description.s);
		s->owner = dup_or_empty(d->owner.s);
		s->tags = map_json(&d->tags);
		s->nprojections = d->nprojections;
		s->projections = palloc0(sizeof(AProjection) * (d->nprojections + 1));
		for (int j = 0; j < d->nprojections; j++)
		{
			const OfsProjection *pd = &d->projections[j];
			AProjection *pr = &s->projections[j];

			pr->feature_view = dup_or_empty(pd->feature_view.s);
			pr->alias = dup_or_null(pd->alias.s);
			if (pd->has_features)
			{
				pr->nfeatures = pd->features.n;
				pr->features = palloc0(sizeof(char *) * (pd->features.n + 1));
				pr->feature_pos = palloc0(sizeof(OfsPos) * (pd->features.n + 1));
				for (int k = 0; k < pd->features.n; k++)
				{
					pr->features[k] = dup_or_empty(pd->features.items[k].s);
					pr->feature_pos[k] = pd->features.items[k].pos;
				}
			}
			else
				pr->nfeatures = -1;
			pr->join_key_map = map_json(&pd->join_key_map);
			pr->jkm = kmap_from_doc(&pd->join_key_map);
			pr->pos = pd->pos;
			pr->feature_view_pos = pd->feature_view.pos.line > 0 ?
				pd->feature_view.pos : pd->pos;
		}
		s->from_doc = true;
		s->pos = d->pos;
		st->services = lappend(st->services, s);
	}

	return st;
}

/* ----------------------------------------------------------------
 * The registry as a state
 * ----------------------------------------------------------------
 */

/* Keys and values of a jsonb object column as two text[] columns. */
#define JSON_KEYS(col) \
	"ARRAY(SELECT k.key FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"
#define JSON_VALS(col) \
	"ARRAY(SELECT k.value FROM pg_catalog.jsonb_each_text(" col ") k ORDER BY k.key COLLATE \"C\")"

static KMap
kmap_from_cols(int r, int kcol, int vcol)
{
	KMap		km;
	bool		isnull;
	int			nv;

	km.keys = text_array(col_datum(r, kcol, &isnull), &km.n);
	km.vals = text_array(col_datum(r, vcol, &isnull), &nv);
	km.keypos = palloc0(sizeof(OfsPos) * (km.n + 1));
	return km;
}

static ApplyState *
state_from_registry(const char *project)
{
	ApplyState *st = palloc0(sizeof(ApplyState));
	Params		p = {0};

	p_text(&p, project);

	exec_params("SELECT description, provider, registry::pg_catalog.text, "
				"online_store::pg_catalog.text, offline_store::pg_catalog.text, "
				"batch_engine::pg_catalog.text, materialization::pg_catalog.text, "
				"auth::pg_catalog.text, entity_key_serialization_version, "
				"coerce_tz_aware, online_schema "
				"FROM feast.projects WHERE name OPERATOR(pg_catalog.=) $1",
				&p, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		AProject   *pr = palloc0(sizeof(AProject));
		bool		isnull;

		pr->name = pstrdup(project);
		pr->description = col_text_or_empty(0, 1);
		pr->provider = col_text_or_empty(0, 2);
		pr->registry = col_text(0, 3);
		pr->online_store = col_text(0, 4);
		pr->offline_store = col_text(0, 5);
		pr->batch_engine = col_text(0, 6);
		pr->materialization = col_text(0, 7);
		pr->auth = col_text(0, 8);
		pr->eksv = DatumGetInt32(col_datum(0, 9, &isnull));
		pr->coerce_tz_aware = DatumGetBool(col_datum(0, 10, &isnull));
		pr->online_schema = col_text_or_empty(0, 11);
		st->project = pr;
	}

	exec_params("SELECT name, join_key, value_type, description, owner, "
				"tags::pg_catalog.text FROM feast.entities "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AEntity    *e = palloc0(sizeof(AEntity));

		e->name = col_text(r, 1);
		e->join_key = col_text(r, 2);
		e->value_type = col_text(r, 3);
		e->description = col_text_or_empty(r, 4);
		e->owner = col_text_or_empty(r, 5);
		e->tags = col_text(r, 6);
		st->entities = lappend(st->entities, e);
	}

	exec_params("SELECT name, type, table_name, query, batch_source, "
				"timestamp_field, created_timestamp_column, "
				"date_partition_column, field_mapping::pg_catalog.text, "
				"description, owner, tags::pg_catalog.text, "
				JSON_KEYS("field_mapping") ", " JSON_VALS("field_mapping") " "
				"FROM feast.data_sources "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		ASource    *s = palloc0(sizeof(ASource));

		s->name = col_text(r, 1);
		s->type = col_text(r, 2);
		s->table_name = col_text(r, 3);
		s->query = col_text(r, 4);
		s->batch_source = col_text(r, 5);
		s->timestamp_field = col_text(r, 6);
		s->created_col = col_text(r, 7);
		s->date_partition_column = col_text(r, 8);
		s->field_mapping = col_text(r, 9);
		s->description = col_text_or_empty(r, 10);
		s->owner = col_text_or_empty(r, 11);
		s->tags = col_text(r, 12);
		s->fm = kmap_from_cols(r, 13, 14);
		st->sources = lappend(st->sources, s);
	}

	exec_params("SELECT v.name, v.source, v.ttl, v.online, v.offline, "
				"v.description, v.owner, v.tags::pg_catalog.text, "
				"ARRAY(SELECT e.entity FROM feast.feature_view_entities e "
				"WHERE e.project OPERATOR(pg_catalog.=) v.project "
				"AND e.feature_view OPERATOR(pg_catalog.=) v.name "
				"ORDER BY e.position) "
				"FROM feast.feature_views v "
				"WHERE v.project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY v.name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AView	   *v = palloc0(sizeof(AView));
		bool		isnull;

		v->name = col_text(r, 1);
		v->source = col_text(r, 2);
		v->ttl_usec = interval_usec(DatumGetIntervalP(col_datum(r, 3, &isnull)));
		v->online = DatumGetBool(col_datum(r, 4, &isnull));
		v->offline = DatumGetBool(col_datum(r, 5, &isnull));
		v->description = col_text_or_empty(r, 6);
		v->owner = col_text_or_empty(r, 7);
		v->tags = col_text(r, 8);
		v->entities = text_array(col_datum(r, 9, &isnull), &v->nentities);
		v->entity_pos = palloc0(sizeof(OfsPos) * (v->nentities + 1));
		st->views = lappend(st->views, v);
	}

	/*
	 * Features, grouped by view: one pass to count, one to fill, looking a
	 * view up only when the group changes.
	 */
	exec_params("SELECT feature_view, name, dtype, description, "
				"tags::pg_catalog.text FROM feast.features "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY feature_view COLLATE \"C\", position", &p, SPI_OK_SELECT);
	for (int pass = 0; pass < 2; pass++)
	{
		AView	   *v = NULL;
		ListCell   *lc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fv = col_text(r, 1);
			AFeature   *f;

			if (v == NULL || strcmp(v->name, fv) != 0)
				v = find_view(st->views, fv);
			if (v == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				v->nfeatures++;
				continue;
			}
			f = &v->features[v->nfeatures++];
			f->name = col_text(r, 2);
			f->dtype = col_text(r, 3);
			f->description = col_text_or_empty(r, 4);
			f->tags = col_text(r, 5);
		}
		if (pass == 0)
		{
			foreach(lc, st->views)
			{
				v = lfirst(lc);
				v->features = palloc0(sizeof(AFeature) * (v->nfeatures + 1));
				v->nfeatures = 0;
			}
		}
	}

	exec_params("SELECT name, description, owner, tags::pg_catalog.text "
				"FROM feast.feature_services "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"", &p, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		AService   *s = palloc0(sizeof(AService));

		s->name = col_text(r, 1);
		s->description = col_text_or_empty(r, 2);
		s->owner = col_text_or_empty(r, 3);
		s->tags = col_text(r, 4);
		st->services = lappend(st->services, s);
	}

	exec_params("SELECT feature_service, feature_view, alias, features, "
				"join_key_map::pg_catalog.text, "
				JSON_KEYS("join_key_map") ", " JSON_VALS("join_key_map") " "
				"FROM feast.feature_service_projections "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"ORDER BY feature_service COLLATE \"C\", position",
				&p, SPI_OK_SELECT);
	for (int pass = 0; pass < 2; pass++)
	{
		AService   *svc = NULL;
		ListCell   *lc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *fs = col_text(r, 1);
			AProjection *pr;
			bool		isnull;
			Datum		d;

			if (svc == NULL || strcmp(svc->name, fs) != 0)
				svc = find_service(st->services, fs);
			if (svc == NULL)
				continue;		/* cannot happen: foreign key */
			if (pass == 0)
			{
				svc->nprojections++;
				continue;
			}
			pr = &svc->projections[svc->nprojections++];
			pr->feature_view = col_text(r, 2);
			pr->alias = col_text(r, 3);
			d = col_datum(r, 4, &isnull);
			if (isnull)
				pr->nfeatures = -1;
			else
			{
				pr->features = text_array(d, &pr->nfeatures);
				pr->feature_pos = palloc0(sizeof(OfsPos) * (pr->nfeatures + 1));
			}
			pr->join_key_map = col_text(r, 5);
			pr->jkm = kmap_from_cols(r, 6, 7);
		}
		if (pass == 0)
		{
			foreach(lc, st->services)
			{
				svc = lfirst(lc);
				svc->projections = palloc0(sizeof(AProjection) * (svc->nprojections + 1));
				svc->nprojections = 0;
			}
		}
	}

	return st;
}

/* ----------------------------------------------------------------
 * Validation
 * ----------------------------------------------------------------
 */

/* Error context for calls into the parser and catalog on a source's behalf. */
static void
source_error_callback(void *arg)
{
	ASource    *s = (ASource *) arg;
	OfsPos		pos = s->type[0] == 'q' ? s->query_pos : s->table_pos;

	if (s->from_doc && pos.line > 0)
		errcontext("data source \"%s\" at line %d, column %d",
				   s->name, pos.line, pos.column);
	else
		errcontext("data source \"%s\"", s->name);
}

/*
 * source_load_columns reads the columns of a table or query source: a
 * table through the catalog, a query by preparing it, as the subquery it
 * will be used as, without running it.
 */
static void
source_load_columns(ASource *s)
{
	ErrorContextCallback errcb;

	if (s->loaded)
		return;

	errcb.callback = source_error_callback;
	errcb.arg = s;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (strcmp(s->type, "table") == 0)
	{
		List	   *names = stringToQualifiedNameList(s->table_name);
		RangeVar   *rv = makeRangeVarFromNameList(names);
		Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);
		Relation	rel;
		TupleDesc	desc;
		char		relkind;

		error_context_stack = errcb.previous;
		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" does not exist", s->table_name),
					 errdetail("%s", where(s->from_doc, s->table_pos, "sources",
										   psprintf("Data source \"%s\" reads it.", s->name)))));
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW &&
			relkind != RELKIND_MATVIEW && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table, view, materialized view or foreign table",
							s->table_name),
					 errdetail("%s", where(s->from_doc, s->table_pos, "sources",
										   psprintf("Data source \"%s\" reads it.", s->name)))));
		rel = relation_open(relid, NoLock);
		desc = RelationGetDescr(rel);
		s->cols = palloc0(sizeof(ColInfo) * (desc->natts + 1));
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped)
				continue;
			s->cols[s->ncols].name = pstrdup(NameStr(att->attname));
			s->cols[s->ncols].typid = att->atttypid;
			s->cols[s->ncols].typmod = att->atttypmod;
			s->ncols++;
		}
		relation_close(rel, NoLock);
		s->relname = psprintf("relation \"%s\"", s->table_name);
	}
	else
	{
		char	   *sql = psprintf("SELECT * FROM (%s\n) AS q", s->query);
		SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
		List	   *sources;
		CachedPlanSource *ps;
		TupleDesc	desc;

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		sources = SPI_plan_get_plan_sources(plan);
		error_context_stack = errcb.previous;
		if (list_length(sources) != 1 ||
			(ps = (CachedPlanSource *) linitial(sources))->resultDesc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("query of data source \"%s\" is not a single query returning rows",
							s->name),
					 errdetail("%s", where(s->from_doc, s->query_pos, "sources", NULL))));
		desc = ps->resultDesc;
		s->cols = palloc0(sizeof(ColInfo) * (desc->natts + 1));
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			s->cols[s->ncols].name = pstrdup(NameStr(att->attname));
			s->cols[s->ncols].typid = att->atttypid;
			s->cols[s->ncols].typmod = att->atttypmod;
			s->ncols++;
		}
		SPI_freeplan(plan);
		s->relname = psprintf("the query of data source \"%s\"", s->name);
	}
	s->loaded = true;
}

/* The source column a Feast-side name reads, through field_mapping. */
static const char *
source_column_for(const ASource *s, const char *feast_name)
{
	for (int i = 0; i < s->fm.n; i++)
		if (strcmp(s->fm.vals[i], feast_name) == 0)
			return s->fm.keys[i];
	return feast_name;
}

/*
 * source_column finds the column behind a Feast-side name, or raises
 * undefined_column. what names the referrer for the detail.
 */
static ColInfo *
source_column(ASource *s, const char *feast_name, const char *what,
			  bool from_doc, OfsPos pos, const char *section)
{
	const char *colname = source_column_for(s, feast_name);

	for (int i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, colname) == 0)
			return &s->cols[i];

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of %s does not exist",
					colname, s->relname),
			 errdetail("%s", where(from_doc, pos, section,
								   strcmp(colname, feast_name) != 0 ?
								   psprintf("%s, through the field_mapping of data source \"%s\" (\"%s\" is mapped from \"%s\").",
											what, s->name, feast_name, colname) :
								   psprintf("%s.", what)))));
	return NULL;				/* keep compiler quiet */
}

/*
 * dtype_matches: the declared Feast dtype can be read from a column of
 * type typid (domains are looked through). The table is in the README.
 */
static bool
dtype_matches(const char *dtype, Oid typid)
{
	Oid			base = getBaseType(typid);

	if (strncmp(dtype, "Array(", 6) == 0)
	{
		char	   *inner = pnstrdup(dtype + 6, strlen(dtype) - 7);
		Oid			elem = get_element_type(base);

		if (!OidIsValid(elem))
			return false;
		return dtype_matches(inner, elem);
	}
	if (strcmp(dtype, "Int32") == 0)
		return base == INT2OID || base == INT4OID;
	if (strcmp(dtype, "Int64") == 0)
		return base == INT2OID || base == INT4OID || base == INT8OID;
	if (strcmp(dtype, "Float32") == 0)
		return base == FLOAT4OID;
	if (strcmp(dtype, "Float64") == 0)
		return base == FLOAT8OID || base == FLOAT4OID || base == NUMERICOID;
	if (strcmp(dtype, "String") == 0)
		return base == TEXTOID || base == VARCHAROID || base == BPCHAROID ||
			base == NAMEOID;
	if (strcmp(dtype, "Bytes") == 0)
		return base == BYTEAOID;
	if (strcmp(dtype, "Bool") == 0)
		return base == BOOLOID;
	if (strcmp(dtype, "UnixTimestamp") == 0)
		return base == TIMESTAMPTZOID || base == TIMESTAMPOID;
	return false;
}

/* The Feast dtype an entity value type corresponds to. */
static const char *
value_type_dtype(const char *vt)
{
	if (strcmp(vt, "INT32") == 0)
		return "Int32";
	if (strcmp(vt, "INT64") == 0)
		return "Int64";
	if (strcmp(vt, "FLOAT") == 0)
		return "Float32";
	if (strcmp(vt, "DOUBLE") == 0)
		return "Float64";
	if (strcmp(vt, "BYTES") == 0)
		return "Bytes";
	if (strcmp(vt, "BOOL") == 0)
		return "Bool";
	if (strcmp(vt, "UNIX_TIMESTAMP") == 0)
		return "UnixTimestamp";
	return "String";
}

/* The value type to infer for a join key column of type typid. */
static const char *
infer_value_type(Oid typid)
{
	Oid			base = getBaseType(typid);

	switch (base)
	{
		case INT2OID:
		case INT4OID:
			return "INT32";
		case INT8OID:
			return "INT64";
		case FLOAT4OID:
			return "FLOAT";
		case FLOAT8OID:
		case NUMERICOID:
			return "DOUBLE";
		case BYTEAOID:
			return "BYTES";
		case BOOLOID:
			return "BOOL";
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return "UNIX_TIMESTAMP";
		default:
			return "STRING";
	}
}

static bool
is_timestamp_type(Oid typid)
{
	Oid			base = getBaseType(typid);

	return base == TIMESTAMPOID || base == TIMESTAMPTZOID;
}

/* Checks of one table or query source. */
static void
validate_source_columns(ASource *s)
{
	ColInfo    *c;

	source_load_columns(s);

	c = source_column(s, s->timestamp_field,
					  psprintf("It is the timestamp_field of data source \"%s\"", s->name),
					  s->from_doc, s->timestamp_pos, "sources");
	if (!is_timestamp_type(c->typid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("timestamp_field \"%s\" of data source \"%s\" has type %s",
						s->timestamp_field, s->name, format_type_be(c->typid)),
				 errdetail("%s", where(s->from_doc, s->timestamp_pos, "sources",
									   "It must be timestamp with time zone or timestamp without time zone.")),
				 errhint("Map a timestamp column with field_mapping, or cast the column in a query source.")));
	if (s->created_col)
	{
		c = source_column(s, s->created_col,
						  psprintf("It is the created_timestamp_column of data source \"%s\"", s->name),
						  s->from_doc, s->created_pos, "sources");
		if (!is_timestamp_type(c->typid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("created_timestamp_column \"%s\" of data source \"%s\" has type %s",
							s->created_col, s->name, format_type_be(c->typid)),
					 errdetail("%s", where(s->from_doc, s->created_pos, "sources",
										   "It must be timestamp with time zone or timestamp without time zone."))));
	}
	if (s->date_partition_column)
	{
		bool		found = false;

		for (int i = 0; i < s->ncols; i++)
			if (strcmp(s->cols[i].name, s->date_partition_column) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of %s does not exist",
							s->date_partition_column, s->relname),
					 errdetail("%s", where(s->from_doc, s->date_partition_pos, "sources",
										   psprintf("The date_partition_column of data source \"%s\" names it.", s->name)))));
	}
}

static bool
is_reserved_column(const char *name)
{
	return strcmp(name, "event_timestamp") == 0 ||
		strcmp(name, "created_timestamp") == 0;
}

/*
 * validate checks the wanted state as a whole; it raises the first error
 * found, naming the object and its position. Entities without a value
 * type get one inferred.
 */
static void
validate(ApplyState *want, AProject *project)
{
	ListCell   *lc;

	if (project->eksv < 1 || project->eksv > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for key \"entity_key_serialization_version\": %d",
						project->eksv),
				 errhint("Valid values are 1, 2 and 3.")));
	if (project->online_schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for key \"db_schema\": \"\""),
				 project->online_schema_pos.line > 0 ?
				 errdetail("%s", at_pos(project->online_schema_pos)) : 0));

	/*
	 * Online tables are user data: not in a system schema, which pg_dump
	 * skips (pg_catalog, pg_toast, information_schema), nor in the
	 * registry's schema, whose names belong to the extension and its
	 * future update scripts.
	 */
	if (strncmp(project->online_schema, "pg_", 3) == 0 ||
		strcmp(project->online_schema, "information_schema") == 0 ||
		strcmp(project->online_schema, "feast") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("online store schema \"%s\" is reserved",
						project->online_schema),
				 project->online_schema_pos.line > 0 ?
				 errdetail("%s", at_pos(project->online_schema_pos)) : 0,
				 errhint("Online tables go in a schema of their own, such as feast_online.")));

	/* Sources */
	foreach(lc, want->sources)
	{
		ASource    *s = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (strcmp(s->type, "push") == 0)
		{
			ASource    *b;

			if (s->batch_source == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("push source \"%s\" has no batch_source", s->name),
						 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL))));
			b = find_source(want->sources, s->batch_source);
			if (b == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("data source \"%s\" references undefined batch source \"%s\"",
								s->name, s->batch_source),
						 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources", NULL))));
			if (strcmp(b->type, "push") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("push source \"%s\" cannot use push source \"%s\" as its batch source",
								s->name, b->name),
						 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources",
											   "The batch source must be a table or query source."))));
			if (s->timestamp_field || s->created_col || s->table_name || s->query)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("push source \"%s\" cannot have a table, query, timestamp_field or created_timestamp_column",
								s->name),
						 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL)),
						 errhint("Set them on its batch source \"%s\".", b->name)));
		}
		else
		{
			if (s->timestamp_field == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("data source \"%s\" has no timestamp_field", s->name),
						 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL))));
			if (s->batch_source)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("data source \"%s\" is not a push source and cannot have a batch_source",
								s->name),
						 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources", NULL))));
			validate_source_columns(s);
		}
	}

	/* Feature views */
	foreach(lc, want->views)
	{
		AView	   *v = lfirst(lc);
		ASource    *s = find_source(want->sources, v->source);

		CHECK_FOR_INTERRUPTS();
		if (s == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("feature view \"%s\" references undefined data source \"%s\"",
							v->name, v->source),
					 errdetail("%s", where(v->from_doc, v->source_pos, "feature_views", NULL))));
		if (strcmp(s->type, "push") == 0)
			s = find_source(want->sources, s->batch_source);
		v->rsource = s;
		v->keycols = palloc0(sizeof(ColInfo *) * (v->nentities + 1));

		for (int i = 0; i < v->nentities; i++)
		{
			AEntity    *e = find_entity(want->entities, v->entities[i]);

			if (e == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("feature view \"%s\" references undefined entity \"%s\"",
								v->name, v->entities[i]),
						 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL))));
			for (int j = 0; j < i; j++)
			{
				AEntity    *o = find_entity(want->entities, v->entities[j]);

				if (strcmp(v->entities[j], v->entities[i]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_OBJECT),
							 errmsg("feature view \"%s\" lists entity \"%s\" twice",
									v->name, v->entities[i]),
							 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL))));
				if (strcmp(o->join_key, e->join_key) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("entities \"%s\" and \"%s\" of feature view \"%s\" have the same join key \"%s\"",
									o->name, e->name, v->name, e->join_key),
							 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL))));
			}
			if (is_reserved_column(e->join_key))
				ereport(ERROR,
						(errcode(ERRCODE_RESERVED_NAME),
						 errmsg("join key \"%s\" of entity \"%s\" is a reserved column name",
								e->join_key, e->name),
						 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views",
											   "Online tables have columns event_timestamp and created_timestamp of their own."))));
			v->keycols[i] = source_column(s, e->join_key,
										  psprintf("It is the join key \"%s\" of entity \"%s\" in feature view \"%s\", whose data source is \"%s\"",
												   e->join_key, e->name, v->name, s->name),
										  v->from_doc, v->entity_pos[i], "feature_views");
		}

		for (int j = 0; j < v->nfeatures; j++)
		{
			AFeature   *f = &v->features[j];

			for (int i = 0; i < v->nentities; i++)
			{
				AEntity    *e = find_entity(want->entities, v->entities[i]);

				if (strcmp(e->join_key, f->name) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("feature \"%s\" of feature view \"%s\" has the name of a join key",
									f->name, v->name),
							 errdetail("%s", where(v->from_doc, f->pos, "feature_views",
												   psprintf("Entity \"%s\" of the view has join key \"%s\".",
															e->name, e->join_key)))));
			}
			if (is_reserved_column(f->name) ||
				(v->nentities == 0 && strcmp(f->name, OFS_DUMMY_ID_COLUMN) == 0))
				ereport(ERROR,
						(errcode(ERRCODE_RESERVED_NAME),
						 errmsg("feature name \"%s\" of feature view \"%s\" is reserved",
								f->name, v->name),
						 errdetail("%s", where(v->from_doc, f->pos, "feature_views",
											   "Online tables have columns event_timestamp and created_timestamp of their own."))));
			f->col = source_column(s, f->name,
								   psprintf("It is feature \"%s\" of feature view \"%s\", whose data source is \"%s\"", f->name, v->name, s->name),
								   v->from_doc, f->pos, "feature_views");
			if (!dtype_matches(f->dtype, f->col->typid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature \"%s\" of feature view \"%s\" is declared %s but column \"%s\" of %s has type %s",
								f->name, v->name, f->dtype, f->col->name,
								s->relname, format_type_be(f->col->typid)),
						 errdetail("%s", where(v->from_doc, f->dtype_pos, "feature_views", NULL)),
						 errhint("Declare the dtype that matches the column type, or cast the column in a query source.")));
		}
	}

	/* Entities: infer missing value types, then check them against keys. */
	foreach(lc, want->entities)
	{
		AEntity    *e = lfirst(lc);
		ListCell   *vc;

		if (e->value_type == NULL)
		{
			foreach(vc, want->views)
			{
				AView	   *v = lfirst(vc);

				for (int i = 0; i < v->nentities && e->value_type == NULL; i++)
					if (strcmp(v->entities[i], e->name) == 0)
						e->value_type = pstrdup(infer_value_type(v->keycols[i]->typid));
				if (e->value_type)
					break;
			}
			if (e->value_type == NULL)
				e->value_type = pstrdup("STRING");
		}
		if (!OidIsValid(OnlineValueTypeOid(e->value_type)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value type \"%s\" of entity \"%s\"",
							e->value_type, e->name)));
	}
	foreach(lc, want->views)
	{
		AView	   *v = lfirst(lc);

		for (int i = 0; i < v->nentities; i++)
		{
			AEntity    *e = find_entity(want->entities, v->entities[i]);
			ColInfo    *c = v->keycols[i];

			if (!dtype_matches(value_type_dtype(e->value_type), c->typid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("entity \"%s\" has value type %s but join key column \"%s\" of %s has type %s",
								e->name, e->value_type, c->name,
								v->rsource->relname, format_type_be(c->typid)),
						 errdetail("%s", v->from_doc ?
								   where(true, v->entity_pos[i], "feature_views",
										 psprintf("Feature view \"%s\" uses the entity.", v->name)) :
								   where(e->from_doc, e->value_type_pos, "entities",
										 psprintf("Feature view \"%s\" uses the entity.", v->name)))));
		}
	}

	/* Feature services */
	foreach(lc, want->services)
	{
		AService   *svc = lfirst(lc);

		for (int j = 0; j < svc->nprojections; j++)
		{
			AProjection *pr = &svc->projections[j];
			AView	   *v = find_view(want->views, pr->feature_view);

			if (v == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("feature service \"%s\" references undefined feature view \"%s\"",
								svc->name, pr->feature_view),
						 errdetail("%s", where(svc->from_doc, pr->feature_view_pos, "feature_services", NULL))));
			for (int k = 0; k < pr->nfeatures; k++)
			{
				bool		found = false;

				for (int m = 0; m < v->nfeatures; m++)
					if (strcmp(v->features[m].name, pr->features[k]) == 0)
						found = true;
				if (!found)
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_OBJECT),
							 errmsg("feature service \"%s\" references undefined feature \"%s\" of feature view \"%s\"",
									svc->name, pr->features[k], v->name),
							 errdetail("%s", where(svc->from_doc, pr->feature_pos[k], "feature_services", NULL))));
			}
			for (int k = 0; k < pr->jkm.n; k++)
			{
				bool		found = false;

				for (int i = 0; i < v->nentities; i++)
				{
					AEntity    *e = find_entity(want->entities, v->entities[i]);

					if (strcmp(e->join_key, pr->jkm.keys[k]) == 0)
						found = true;
				}
				if (!found)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("join_key_map of feature service \"%s\" maps \"%s\", which is not a join key of feature view \"%s\"",
									svc->name, pr->jkm.keys[k], v->name),
							 errdetail("%s", where(svc->from_doc,
												   pr->jkm.keypos[k].line > 0 ? pr->jkm.keypos[k] : pr->pos,
												   "feature_services", NULL))));
			}
		}
	}

	/* Online tables: names that fit and that are ours to use. */
	foreach(lc, want->views)
	{
		AView	   *v = lfirst(lc);
		OnlineTableSpec spec = {0};

		if (!v->online)
			continue;
		spec.project = project->name;
		spec.view = v->name;
		spec.schema_name = project->online_schema;
		spec.table_name = OnlineTableName(project->name, v->name);
		OnlineTableCheck(&spec,
						 v->from_doc && v->pos.line > 0 ? at_pos(v->pos) : NULL);
	}
}

/* ----------------------------------------------------------------
 * Signatures: equal when nothing apply writes differs
 * ----------------------------------------------------------------
 */

static char *
sig_project(const AProject *p)
{
	StringInfoData s;

	initStringInfo(&s);
	sig_add(&s, p->description);
	sig_add(&s, p->provider);
	sig_add(&s, p->registry);
	sig_add(&s, p->online_store);
	sig_add(&s, p->offline_store);
	sig_add(&s, p->batch_engine);
	sig_add(&s, p->materialization);
	sig_add(&s, p->auth);
	appendStringInfo(&s, "%d|%d|", p->eksv, (int) p->coerce_tz_aware);
	sig_add(&s, p->online_schema);
	return s.data;
}

static char *
sig_entity(const AEntity *e)
{
	StringInfoData s;

	initStringInfo(&s);
	sig_add(&s, e->join_key);
	sig_add(&s, e->value_type);
	sig_add(&s, e->description);
	sig_add(&s, e->owner);
	sig_add(&s, e->tags);
	return s.data;
}

static char *
sig_source(const ASource *x)
{
	StringInfoData s;

	initStringInfo(&s);
	sig_add(&s, x->type);
	sig_add(&s, x->table_name);
	sig_add(&s, x->query);
	sig_add(&s, x->batch_source);
	sig_add(&s, x->timestamp_field);
	sig_add(&s, x->created_col);
	sig_add(&s, x->date_partition_column);
	sig_add(&s, x->field_mapping);
	sig_add(&s, x->description);
	sig_add(&s, x->owner);
	sig_add(&s, x->tags);
	return s.data;
}

static char *
sig_view(const AView *v)
{
	StringInfoData s;

	initStringInfo(&s);
	sig_add(&s, v->source);
	appendStringInfo(&s, INT64_FORMAT "|%d|%d|", v->ttl_usec,
					 (int) v->online, (int) v->offline);
	sig_add(&s, v->description);
	sig_add(&s, v->owner);
	sig_add(&s, v->tags);
	appendStringInfo(&s, "%d|", v->nentities);
	for (int i = 0; i < v->nentities; i++)
		sig_add(&s, v->entities[i]);
	appendStringInfo(&s, "%d|", v->nfeatures);
	for (int i = 0; i < v->nfeatures; i++)
	{
		sig_add(&s, v->features[i].name);
		sig_add(&s, v->features[i].dtype);
		sig_add(&s, v->features[i].description);
		sig_add(&s, v->features[i].tags);
	}
	return s.data;
}

static char *
sig_service(const AService *x)
{
	StringInfoData s;

	initStringInfo(&s);
	sig_add(&s, x->description);
	sig_add(&s, x->owner);
	sig_add(&s, x->tags);
	appendStringInfo(&s, "%d|", x->nprojections);
	for (int i = 0; i < x->nprojections; i++)
	{
		const AProjection *p = &x->projections[i];

		sig_add(&s, p->feature_view);
		sig_add(&s, p->alias);
		appendStringInfo(&s, "%d|", p->nfeatures);
		for (int k = 0; k < p->nfeatures; k++)
			sig_add(&s, p->features[k]);
		sig_add(&s, p->join_key_map);
	}
	return s.data;
}

/* ----------------------------------------------------------------
 * Writes
 * ----------------------------------------------------------------
 */

static void
write_project(const AProject *p, bool exists)
{
	Params		q = {0};

	p_text(&q, p->name);
	p_text(&q, p->description);
	p_text(&q, p->provider);
	p_text(&q, p->registry);
	p_text(&q, p->online_store);
	p_text(&q, p->offline_store);
	p_text(&q, p->batch_engine);
	p_text(&q, p->materialization);
	p_text(&q, p->auth);
	p_datum(&q, INT4OID, Int32GetDatum(p->eksv));
	p_datum(&q, BOOLOID, BoolGetDatum(p->coerce_tz_aware));
	p_text(&q, p->online_schema);
	if (!exists)
		exec_params("INSERT INTO feast.projects (name, description, provider, "
					"registry, online_store, offline_store, batch_engine, "
					"materialization, auth, entity_key_serialization_version, "
					"coerce_tz_aware, online_schema) VALUES ($1, $2, $3, "
					"$4::pg_catalog.jsonb, $5::pg_catalog.jsonb, $6::pg_catalog.jsonb, "
					"$7::pg_catalog.jsonb, $8::pg_catalog.jsonb, $9::pg_catalog.jsonb, "
					"$10, $11, $12)", &q, SPI_OK_INSERT);
	else
		exec_params("UPDATE feast.projects SET description = $2, provider = $3, "
					"registry = $4::pg_catalog.jsonb, online_store = $5::pg_catalog.jsonb, "
					"offline_store = $6::pg_catalog.jsonb, batch_engine = $7::pg_catalog.jsonb, "
					"materialization = $8::pg_catalog.jsonb, auth = $9::pg_catalog.jsonb, "
					"entity_key_serialization_version = $10, coerce_tz_aware = $11, "
					"online_schema = $12, updated_at = pg_catalog.now() "
					"WHERE name OPERATOR(pg_catalog.=) $1", &q, SPI_OK_UPDATE);
}

static void
write_entity(const char *project, const AEntity *e, bool exists)
{
	Params		q = {0};

	p_text(&q, project);
	p_text(&q, e->name);
	p_text(&q, e->join_key);
	p_text(&q, e->value_type);
	p_text(&q, e->description);
	p_text(&q, e->owner);
	p_text(&q, e->tags);
	if (!exists)
		exec_params("INSERT INTO feast.entities (project, name, join_key, "
					"value_type, description, owner, tags) "
					"VALUES ($1, $2, $3, $4, $5, $6, $7::pg_catalog.jsonb)",
					&q, SPI_OK_INSERT);
	else
		exec_params("UPDATE feast.entities SET join_key = $3, value_type = $4, "
					"description = $5, owner = $6, tags = $7::pg_catalog.jsonb "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND name OPERATOR(pg_catalog.=) $2", &q, SPI_OK_UPDATE);
}

static void
write_source(const char *project, const ASource *s, bool exists)
{
	Params		q = {0};

	p_text(&q, project);
	p_text(&q, s->name);
	p_text(&q, s->type);
	p_text(&q, s->table_name);
	p_text(&q, s->query);
	p_text(&q, s->batch_source);
	p_text(&q, s->timestamp_field);
	p_text(&q, s->created_col);
	p_text(&q, s->date_partition_column);
	p_text(&q, s->field_mapping);
	p_text(&q, s->description);
	p_text(&q, s->owner);
	p_text(&q, s->tags);
	if (!exists)
		exec_params("INSERT INTO feast.data_sources (project, name, type, "
					"table_name, query, batch_source, timestamp_field, "
					"created_timestamp_column, date_partition_column, "
					"field_mapping, description, owner, tags) VALUES ($1, $2, "
					"$3, $4, $5, $6, $7, $8, $9, $10::pg_catalog.jsonb, $11, $12, "
					"$13::pg_catalog.jsonb)", &q, SPI_OK_INSERT);
	else
		exec_params("UPDATE feast.data_sources SET type = $3, table_name = $4, "
					"query = $5, batch_source = $6, timestamp_field = $7, "
					"created_timestamp_column = $8, date_partition_column = $9, "
					"field_mapping = $10::pg_catalog.jsonb, description = $11, "
					"owner = $12, tags = $13::pg_catalog.jsonb "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND name OPERATOR(pg_catalog.=) $2", &q, SPI_OK_UPDATE);
}

static void
write_view(const char *project, const AView *v, bool exists)
{
	Params		q = {0};
	Interval   *ttl = palloc0(sizeof(Interval));

	ttl->time = v->ttl_usec;
	p_text(&q, project);
	p_text(&q, v->name);
	p_text(&q, v->source);
	p_datum(&q, INTERVALOID, IntervalPGetDatum(ttl));
	p_datum(&q, BOOLOID, BoolGetDatum(v->online));
	p_datum(&q, BOOLOID, BoolGetDatum(v->offline));
	p_text(&q, v->description);
	p_text(&q, v->owner);
	p_text(&q, v->tags);
	if (!exists)
		exec_params("INSERT INTO feast.feature_views (project, name, source, "
					"ttl, online, offline, description, owner, tags) VALUES ($1, "
					"$2, $3, $4, $5, $6, $7, $8, $9::pg_catalog.jsonb)",
					&q, SPI_OK_INSERT);
	else
	{
		Params		d = {0};

		exec_params("UPDATE feast.feature_views SET source = $3, ttl = $4, "
					"online = $5, offline = $6, description = $7, owner = $8, "
					"tags = $9::pg_catalog.jsonb "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND name OPERATOR(pg_catalog.=) $2", &q, SPI_OK_UPDATE);
		p_text(&d, project);
		p_text(&d, v->name);
		exec_params("DELETE FROM feast.feature_view_entities "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_view OPERATOR(pg_catalog.=) $2", &d, SPI_OK_DELETE);
		exec_params("DELETE FROM feast.features "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_view OPERATOR(pg_catalog.=) $2", &d, SPI_OK_DELETE);
	}

	for (int i = 0; i < v->nentities; i++)
	{
		Params		e = {0};

		p_text(&e, project);
		p_text(&e, v->name);
		p_datum(&e, INT4OID, Int32GetDatum(i + 1));
		p_text(&e, v->entities[i]);
		exec_params("INSERT INTO feast.feature_view_entities (project, "
					"feature_view, position, entity) VALUES ($1, $2, $3, $4)",
					&e, SPI_OK_INSERT);
	}
	for (int i = 0; i < v->nfeatures; i++)
	{
		Params		f = {0};

		p_text(&f, project);
		p_text(&f, v->name);
		p_datum(&f, INT4OID, Int32GetDatum(i + 1));
		p_text(&f, v->features[i].name);
		p_text(&f, v->features[i].dtype);
		p_text(&f, v->features[i].description);
		p_text(&f, v->features[i].tags);
		exec_params("INSERT INTO feast.features (project, feature_view, "
					"position, name, dtype, description, tags) VALUES ($1, $2, "
					"$3, $4, $5, $6, $7::pg_catalog.jsonb)", &f, SPI_OK_INSERT);
	}
}

static void
write_service(const char *project, const AService *s, bool exists)
{
	Params		q = {0};

	p_text(&q, project);
	p_text(&q, s->name);
	p_text(&q, s->description);
	p_text(&q, s->owner);
	p_text(&q, s->tags);
	if (!exists)
		exec_params("INSERT INTO feast.feature_services (project, name, "
					"description, owner, tags) VALUES ($1, $2, $3, $4, "
					"$5::pg_catalog.jsonb)", &q, SPI_OK_INSERT);
	else
	{
		Params		d = {0};

		exec_params("UPDATE feast.feature_services SET description = $3, "
					"owner = $4, tags = $5::pg_catalog.jsonb "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND name OPERATOR(pg_catalog.=) $2", &q, SPI_OK_UPDATE);
		p_text(&d, project);
		p_text(&d, s->name);
		exec_params("DELETE FROM feast.feature_service_projections "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_service OPERATOR(pg_catalog.=) $2",
					&d, SPI_OK_DELETE);
	}
	for (int i = 0; i < s->nprojections; i++)
	{
		const AProjection *pr = &s->projections[i];
		Params		p = {0};

		p_text(&p, project);
		p_text(&p, s->name);
		p_datum(&p, INT4OID, Int32GetDatum(i + 1));
		p_text(&p, pr->feature_view);
		p_text(&p, pr->alias);
		if (pr->nfeatures >= 0)
			p_datum(&p, TEXTARRAYOID, make_text_array(pr->features, pr->nfeatures));
		else
		{
			p_datum(&p, TEXTARRAYOID, (Datum) 0);
			p.nulls[p.n - 1] = 'n';
		}
		p_text(&p, pr->join_key_map);
		exec_params("INSERT INTO feast.feature_service_projections (project, "
					"feature_service, position, feature_view, alias, features, "
					"join_key_map) VALUES ($1, $2, $3, $4, $5, $6, "
					"$7::pg_catalog.jsonb)", &p, SPI_OK_INSERT);
	}
}

static void
delete_object(const char *table, const char *project, const char *name)
{
	Params		q = {0};

	p_text(&q, project);
	p_text(&q, name);
	exec_params(psprintf("DELETE FROM feast.%s "
						 "WHERE project OPERATOR(pg_catalog.=) $1 "
						 "AND name OPERATOR(pg_catalog.=) $2", table),
				&q, SPI_OK_DELETE);
}

static ApplyRow *
make_row(const char *type, const char *name, const char *action)
{
	ApplyRow   *r = palloc(sizeof(ApplyRow));

	r->object_type = type;
	r->name = name;
	r->action = action;
	return r;
}

/* The online table spec of a wanted, validated, online view. */
static OnlineTableSpec *
view_online_spec(ApplyState *want, AProject *project, AView *v)
{
	OnlineTableSpec *spec = palloc0(sizeof(OnlineTableSpec));

	spec->project = project->name;
	spec->view = v->name;
	spec->schema_name = project->online_schema;
	spec->table_name = OnlineTableName(project->name, v->name);
	spec->nkeys = v->nentities;
	spec->keys = palloc0(sizeof(OnlineColumn) * (v->nentities + 1));
	for (int i = 0; i < v->nentities; i++)
	{
		AEntity    *e = find_entity(want->entities, v->entities[i]);

		spec->keys[i].name = e->join_key;
		spec->keys[i].typid = OnlineValueTypeOid(e->value_type);
		spec->keys[i].typmod = -1;
	}
	spec->nfeatures = v->nfeatures;
	spec->features = palloc0(sizeof(OnlineColumn) * (v->nfeatures + 1));
	for (int i = 0; i < v->nfeatures; i++)
	{
		spec->features[i].name = v->features[i].name;
		spec->features[i].typid = v->features[i].col->typid;
		spec->features[i].typmod = v->features[i].col->typmod;
	}
	return spec;
}

/*
 * plan_and_write compares want with cur, writes the differences unless
 * dry_run, and returns the result rows in output order.
 */
static List *
plan_and_write(ApplyState *want, ApplyState *cur, AProject *project,
			   bool dry_run)
{
	List	   *rows = NIL;
	List	   *deletions = NIL;
	const char *pname = project->name;
	ListCell   *lc;
	bool		write = !dry_run;

	/* project */
	if (cur->project == NULL)
	{
		rows = lappend(rows, make_row("project", pname, "created"));
		if (write)
			write_project(project, false);
	}
	else if (strcmp(sig_project(project), sig_project(cur->project)) != 0)
	{
		rows = lappend(rows, make_row("project", pname, "updated"));
		if (write)
			write_project(project, true);
	}
	else
		rows = lappend(rows, make_row("project", pname, "unchanged"));

	/* entities */
	if (want->has_entities)
	{
		foreach(lc, want->entities)
		{
			AEntity    *e = lfirst(lc);
			AEntity    *old = find_entity(cur->entities, e->name);
			const char *action;

			if (old == NULL)
				action = "created";
			else if (strcmp(sig_entity(e), sig_entity(old)) != 0)
				action = "updated";
			else
				action = "unchanged";
			rows = lappend(rows, make_row("entity", e->name, action));
			if (write && old == NULL)
				write_entity(pname, e, false);
			else if (write && action[0] == 'u' && action[1] == 'p')
				write_entity(pname, e, true);
		}
	}

	/* sources: batch sources before push sources (foreign key) */
	if (want->has_sources)
	{
		foreach(lc, want->sources)
		{
			ASource    *s = lfirst(lc);
			ASource    *old = find_source(cur->sources, s->name);
			const char *action;

			if (old == NULL)
				action = "created";
			else if (strcmp(sig_source(s), sig_source(old)) != 0)
				action = "updated";
			else
				action = "unchanged";
			rows = lappend(rows, make_row("data_source", s->name, action));
		}
		for (int pass = 0; write && pass < 2; pass++)
		{
			foreach(lc, want->sources)
			{
				ASource    *s = lfirst(lc);
				ASource    *old = find_source(cur->sources, s->name);

				if ((strcmp(s->type, "push") == 0) != (pass == 1))
					continue;
				if (old == NULL)
					write_source(pname, s, false);
				else if (strcmp(sig_source(s), sig_source(old)) != 0)
					write_source(pname, s, true);
			}
		}
	}

	/* feature views */
	if (want->has_views)
	{
		foreach(lc, want->views)
		{
			AView	   *v = lfirst(lc);
			AView	   *old = find_view(cur->views, v->name);
			const char *action;

			if (old == NULL)
				action = "created";
			else if (strcmp(sig_view(v), sig_view(old)) != 0)
				action = "updated";
			else
				action = "unchanged";
			rows = lappend(rows, make_row("feature_view", v->name, action));
			if (write && old == NULL)
				write_view(pname, v, false);
			else if (write && strcmp(action, "updated") == 0)
				write_view(pname, v, true);
		}
	}

	/* feature services */
	if (want->has_services)
	{
		foreach(lc, want->services)
		{
			AService   *s = lfirst(lc);
			AService   *old = find_service(cur->services, s->name);
			const char *action;

			if (old == NULL)
				action = "created";
			else if (strcmp(sig_service(s), sig_service(old)) != 0)
				action = "updated";
			else
				action = "unchanged";
			rows = lappend(rows, make_row("feature_service", s->name, action));
			if (write && old == NULL)
				write_service(pname, s, false);
			else if (write && strcmp(action, "updated") == 0)
				write_service(pname, s, true);
		}
	}

	/* deletions, dependents first */
	if (want->has_services)
	{
		foreach(lc, cur->services)
		{
			AService   *s = lfirst(lc);

			if (find_service(want->services, s->name))
				continue;
			deletions = lappend(deletions, make_row("feature_service", s->name, "deleted"));
			if (write)
				delete_object("feature_services", pname, s->name);
		}
	}
	if (want->has_views)
	{
		foreach(lc, cur->views)
		{
			AView	   *v = lfirst(lc);

			if (find_view(want->views, v->name))
				continue;
			deletions = lappend(deletions, make_row("feature_view", v->name, "deleted"));
			if (write)
			{
				OnlineTableDrop(pname, v->name);
				delete_object("feature_views", pname, v->name);
			}
		}
	}
	if (want->has_sources)
	{
		for (int pass = 0; pass < 2; pass++)
		{
			foreach(lc, cur->sources)
			{
				ASource    *s = lfirst(lc);

				if ((strcmp(s->type, "push") == 0) != (pass == 0))
					continue;
				if (find_source(want->sources, s->name))
					continue;
				deletions = lappend(deletions, make_row("data_source", s->name, "deleted"));
				if (write)
					delete_object("data_sources", pname, s->name);
			}
		}
	}
	if (want->has_entities)
	{
		foreach(lc, cur->entities)
		{
			AEntity    *e = lfirst(lc);

			if (find_entity(want->entities, e->name))
				continue;
			deletions = lappend(deletions, make_row("entity", e->name, "deleted"));
			if (write)
				delete_object("entities", pname, e->name);
		}
	}

	/* online tables follow the wanted views */
	if (write)
	{
		foreach(lc, want->views)
		{
			AView	   *v = lfirst(lc);

			CHECK_FOR_INTERRUPTS();
			if (v->online)
				OnlineTableSync(view_online_spec(want, project, v));
			else
				OnlineTableDrop(pname, v->name);
		}
	}

	return list_concat(rows, deletions);
}
