/*-------------------------------------------------------------------------
 *
 * apply.c
 *		feast_apply: make a project's registry equal to a feature repo
 *		document.
 *
 * This file holds the SQL entry point, the plan and the writes. The
 * document is parsed by yaml_config.c into malloc'd memory, which is
 * copied at once into a palloc'd model (ApplyState, registry_load.c) and
 * freed in a PG_FINALLY block, so that no error can leak it. The
 * registry's current state for the project is loaded into the same model.
 * The wanted state is the document's sections, and the registry's objects
 * for each section the document does not have (an absent section leaves
 * that kind of object alone; a present one is the complete list).
 *
 * The wanted state is then validated as a whole, against itself and the
 * database (sources, columns, types, online table names; apply_validate.c),
 * before anything is written: an invalid document changes nothing, and so
 * does a dry run. Each object is compared with its registry row through a canonical
 * signature (jsonb text for the maps), which gives created, updated,
 * unchanged and deleted. Writes are ordered by the foreign keys: project,
 * entities, batch sources, push sources, feature views, feature services,
 * then deletions in reverse dependency order, then online table DDL.
 *
 * Only members of the project's owner role and superusers apply it
 * (RegistryCheckProjectOwner, before anything is read; a new project
 * becomes the caller's), and a dry run is no exception. What happens to
 * each online table is planned before anything is written
 * (OnlineTablePlanSync, OnlineTablePlanDrop): the plans' details fill the
 * result's detail column, in a dry run too, and a view whose online table
 * changes is reported as updated. Connection secrets the parser left out
 * are reported as warnings. A document without online_store (or
 * offline_store) keeps the project's.
 *
 * Concurrent applies of one project are serialized by the project's
 * transaction-level advisory lock (RegistryLockProject), taken exclusive
 * before the registry is read. Everything runs in the
 * caller's transaction and as the caller (SECURITY INVOKER): an error rolls
 * back the registry and the online tables together.
 *
 * IDENTIFICATION
 *	  src/apply.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "apply.h"
#include "yaml_config.h"
#include "offline_store.h"
#include "online_tables.h"
#include "registry.h"

/* One row of feast_apply's result. */
typedef struct ApplyRow
{
	const char *object_type;
	const char *name;
	const char *action;
	const char *detail;			/* what changes or is lost; NULL: nothing to say */
} ApplyRow;

#define OFS_APPLY_COLS 4

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_apply);

static void report_parse_error(const OfsError *err);
static void warn_secrets(const OfsConfig *cfg);
static List *plan_and_write(ApplyState *want, ApplyState *cur,
							AProject *project, Oid owner, bool dry_run);

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

static Datum
make_text_array(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
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
 * feast_apply
 * ----------------------------------------------------------------
 */

/*
 * ofs_feast_apply parses, validates and applies a document; returns one
 * row per object: (object_type, name, action, detail).
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
	Oid			owner;
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

		want = ApplyStateFromDoc(cfg, &p);
		project = p;
		warn_secrets(cfg);
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

	/*
	 * Only members of the owner role change a project (a dry run too: it
	 * plans the registry's query sources). A new project is the caller's.
	 */
	RegistryCheckProjectOwner(project->name);
	owner = RegistryProjectOwner(project->name);
	if (!OidIsValid(owner))
		owner = GetUserId();

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	cur = ApplyStateFromRegistry(project->name);

	/*
	 * A document without online_store (offline_store) keeps the project's:
	 * a partial document never moves the online tables.
	 */
	if (cur->project != NULL && !project->has_online_store)
	{
		project->online_store = cur->project->online_store;
		project->online_schema = cur->project->online_schema;
	}
	if (cur->project != NULL && !project->has_offline_store)
		project->offline_store = cur->project->offline_store;

	/* Sections the document lacks keep the registry's objects. */
	if (!want->has_entities)
		want->entities = cur->entities;
	if (!want->has_sources)
		want->sources = cur->sources;
	if (!want->has_views)
		want->views = cur->views;
	if (!want->has_services)
		want->services = cur->services;

	ApplyValidate(want, project);
	rows = plan_and_write(want, cur, project, owner, dry_run);

	foreach(lc, rows)
	{
		ApplyRow   *row = lfirst(lc);
		Datum		values[OFS_APPLY_COLS] = {0};
		bool		nulls[OFS_APPLY_COLS] = {0};
		int			i = 0;

		values[i++] = CStringGetTextDatum(row->object_type);
		values[i++] = CStringGetTextDatum(row->name);
		values[i++] = CStringGetTextDatum(row->action);
		if (row->detail)
			values[i] = CStringGetTextDatum(row->detail);
		else
			nulls[i] = true;
		i++;
		Assert(i == OFS_APPLY_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}

	SPI_finish();
	return (Datum) 0;
}

/*
 * warn_secrets says which connection secrets the document had: they are
 * left out of the registry (yaml_config.c drops them), never stored.
 */
static void
warn_secrets(const OfsConfig *cfg)
{
	for (int i = 0; i < cfg->nsecrets; i++)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("connection secret \"%s\" is not stored", cfg->secrets[i].s),
				 cfg->secrets[i].pos.line > 0 ?
				 errdetail("At line %d, column %d.", cfg->secrets[i].pos.line,
						   cfg->secrets[i].pos.column) : 0,
				 errhint("offline_store keeps no passwords, tokens or keys: functions run inside the database and need none. Leave them out of the document.")));
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
	r->detail = NULL;
	return r;
}

/* The online table spec of a wanted, validated, online view. */
static OnlineTableSpec *
view_online_spec(ApplyState *want, AProject *project, Oid owner, AView *v)
{
	OnlineTableSpec *spec = palloc0(sizeof(OnlineTableSpec));

	spec->owner = owner;
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

/* Whether a plan changes an online table. */
static bool
plan_changes(const OnlineTablePlan *plan)
{
	return plan != NULL && plan->action != OT_KEEP;
}

/*
 * plan_and_write compares want with cur, writes the differences unless
 * dry_run, and returns the result rows in output order.
 *
 * What happens to the online tables is planned first, for a dry run too
 * (OnlineTablePlan): a view whose online table changes is reported as
 * updated even when its definition does not change (a source column's
 * type did), and the detail column says what changes and what is lost.
 */
static List *
plan_and_write(ApplyState *want, ApplyState *cur, AProject *project,
			   Oid owner, bool dry_run)
{
	List	   *rows = NIL;
	List	   *deletions = NIL;
	List	   *online_plans = NIL;
	const char *pname = project->name;
	ListCell   *lc;
	bool		write = !dry_run;

	/* online tables: one plan per wanted view, in want->views order */
	foreach(lc, want->views)
	{
		AView	   *v = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		online_plans = lappend(online_plans,
							   v->online ?
							   OnlineTablePlanSync(view_online_spec(want, project, owner, v)) :
							   OnlineTablePlanDrop(pname, v->name));
	}

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

	/*
	 * feature views: also listed when the document has no feature_views
	 * section but a view's online table changes (db_schema moved, say)
	 */
	foreach(lc, want->views)
	{
		AView	   *v = lfirst(lc);
		AView	   *old = find_view(cur->views, v->name);
		OnlineTablePlan *plan = list_nth(online_plans, foreach_current_index(lc));
		ApplyRow   *row;
		bool		changed;

		if (old == NULL)
		{
			/* a new view: its online table is new too, nothing to say */
			rows = lappend(rows, make_row("feature_view", v->name, "created"));
			if (write)
				write_view(pname, v, false);
			continue;
		}
		changed = strcmp(sig_view(v), sig_view(old)) != 0;
		if (!changed && !plan_changes(plan))
		{
			if (want->has_views)
				rows = lappend(rows, make_row("feature_view", v->name, "unchanged"));
			continue;
		}
		row = make_row("feature_view", v->name, "updated");
		if (plan_changes(plan))
			row->detail = plan->detail;
		rows = lappend(rows, row);
		if (write && changed)
			write_view(pname, v, true);
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
			OnlineTablePlan *plan;
			ApplyRow   *row;

			if (find_view(want->views, v->name))
				continue;
			plan = OnlineTablePlanDrop(pname, v->name);
			row = make_row("feature_view", v->name, "deleted");
			if (plan)
				row->detail = plan->detail;
			deletions = lappend(deletions, row);
			if (write)
			{
				if (plan)
					OnlineTableExecute(plan);
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
		foreach(lc, online_plans)
		{
			OnlineTablePlan *plan = lfirst(lc);

			CHECK_FOR_INTERRUPTS();
			if (plan)
				OnlineTableExecute(plan);
		}
	}

	return list_concat(rows, deletions);
}
