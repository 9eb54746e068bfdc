/*-------------------------------------------------------------------------
 *
 * apply.c
 *		feast_apply: make a project's registry equal to a feature repo
 *		document.
 *
 * This file holds the SQL entry point, which runs the phases (apply.h),
 * and Phase 3, the writes. The document is parsed by yaml_config.c into
 * malloc'd memory, which is converted at once into the registry model
 * (RegistryRepoFromDocument) and freed in a PG_FINALLY block, so that no
 * error can leak it. The registry's current state for the project is
 * loaded into the same model (RegistryLoadRepo). The wanted state is the
 * document's sections, and the registry's objects for each section the
 * document does not have (an absent section leaves that kind of object
 * alone; a present one is the complete list). A document without
 * online_store (or offline_store) keeps the project's.
 *
 * Phase 1 validates the wanted state as a whole, against itself and the
 * database, before anything is written: an invalid document changes
 * nothing, and so does a dry run. Phase 2 makes the plan: one step per
 * object (created, updated, unchanged, deleted, with what changes or is
 * lost), including what happens to each online table and feature service
 * view. Phase 3 drops the feature service views that go or change, writes
 * the plan in foreign key order: project, entities, batch sources, push
 * sources, feature views, feature services, then deletions in reverse
 * dependency order, then the online tables of the wanted views and the
 * feature service views; then it plans the project's training views again
 * and rebuilds those whose columns change (a view it breaks fails the
 * apply). The result's rows are the plan's, in a dry run too (which, when
 * the project has training views, carries Phase 3 out in a subtransaction
 * that it rolls back). Connection secrets the parser left out are reported
 * as warnings.
 *
 * Only members of the project's owner role and superusers apply it
 * (RegistryCheckProjectOwner, before anything is read; a new project
 * becomes the caller's), and a dry run is no exception. Concurrent applies
 * of one project are serialized by the project's transaction-level
 * advisory lock (RegistryLockProject), taken exclusive before the registry
 * is read. Everything runs in the caller's transaction and as the caller
 * (SECURITY INVOKER): an error rolls back the registry and the online
 * tables together.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/apply.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "apply.h"
#include "online_tables.h"
#include "registry.h"
#include "spi_util.h"
#include "views.h"
#include "yaml_config.h"

#define OFS_APPLY_COLS 4

/* Parameters of one registry write. */
#define APPLY_MAX_PARAMS 16
typedef struct ApplyParams
{
	int			n;
	Oid			types[APPLY_MAX_PARAMS];
	Datum		values[APPLY_MAX_PARAMS];
	char		nulls[APPLY_MAX_PARAMS];
} ApplyParams;

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_apply);

static RegRepo *read_document(text *deftext);
static void report_parse_error(const OfsError *err);
static void warn_secrets(const OfsConfig *cfg);
static void merge_sections(RegRepo *want, RegRepo *cur);
static void execute_plan(List *plan, const char *project);
static bool plan_changes(List *plan);
static List *dry_run_training_views(List *plan, const char *project,
									List *views, Oid fn_oid);
static void put_rows(ReturnSetInfo *rsinfo, List *plan);

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
	bool		dry_run;
	RegRepo	   *want;
	RegRepo	   *cur;
	const char *project;
	Oid			owner;
	List	   *plan;
	List	   *training_views;
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("definitions must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run must not be null")));
	dry_run = PG_GETARG_BOOL(1);

	InitMaterializedSRF(fcinfo, 0);

	want = read_document(PG_GETARG_TEXT_PP(0));
	project = want->project->name;

	/*
	 * One apply per project at a time, and none while a materialization or
	 * push of the project runs (they take the lock shared); taken before
	 * the registry is read. A dry run writes nothing and does not wait.
	 */
	if (!dry_run)
		RegistryLockProject(project, true);

	/*
	 * Only members of the owner role change a project (a dry run too: it
	 * plans the registry's query sources). A new project is the caller's.
	 */
	RegistryCheckProjectOwner(project);
	owner = RegistryProjectOwner(project);
	if (!OidIsValid(owner))
		owner = GetUserId();

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	cur = RegistryLoadRepo(project);
	merge_sections(want, cur);

	/* Phase 1: validate */
	ApplyValidate(want);

	/* Phase 2: plan */
	plan = ApplyPlan(want, cur, owner);

	/*
	 * The training views that work now, to be checked against the registry
	 * as the plan leaves it (an apply that changes nothing skips them).
	 */
	training_views = plan_changes(plan) ?
		TrainingViewsLoad(project, fcinfo->flinfo->fn_oid) : NIL;

	/* Phase 3: write, then rebuild the training views that change */
	if (!dry_run)
	{
		execute_plan(plan, project);
		plan = list_concat(plan, TrainingViewsUpdate(training_views,
													 fcinfo->flinfo->fn_oid,
													 true));
	}
	else if (training_views != NIL)
		plan = list_concat(plan, dry_run_training_views(plan, project, training_views,
														fcinfo->flinfo->fn_oid));

	put_rows(rsinfo, plan);
	SPI_finish();
	return (Datum) 0;
}

/*
 * read_document parses the document into a palloc'd repo; the parser's
 * malloc'd result is freed whatever happens.
 */
static RegRepo *
read_document(text *deftext)
{
	OfsConfig  *cfg;
	OfsError	err;
	RegRepo	   *volatile want = NULL;

	memset(&err, 0, sizeof(err));
	cfg = OfsConfigParse(VARDATA_ANY(deftext), VARSIZE_ANY_EXHDR(deftext),
						 &err);
	if (cfg == NULL)
		report_parse_error(&err);

	PG_TRY();
	{
		want = RegistryRepoFromDocument(cfg);
		warn_secrets(cfg);
	}
	PG_FINALLY();
	{
		OfsConfigFree(cfg);
	}
	PG_END_TRY();
	return want;
}

/*
 * merge_sections completes the wanted repo with the registry's: sections
 * the document lacks keep the registry's objects, and a document without
 * online_store (offline_store) keeps the project's, so that a partial
 * document never moves the online tables.
 */
static void
merge_sections(RegRepo *want, RegRepo *cur)
{
	RegProject *p = want->project;

	if (cur->project != NULL && !p->has_online_store)
	{
		p->online_store = cur->project->online_store;
		p->online_schema = cur->project->online_schema;
	}
	if (cur->project != NULL && !p->has_offline_store)
		p->offline_store = cur->project->offline_store;

	if (!want->has_entities)
		want->entities = cur->entities;
	if (!want->has_sources)
		want->sources = cur->sources;
	if (!want->has_views)
		want->views = cur->views;
	if (!want->has_services)
		want->services = cur->services;
}

/* put_rows returns the plan's reported steps as the result's rows. */
static void
put_rows(ReturnSetInfo *rsinfo, List *plan)
{
	ListCell   *lc;

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);
		Datum		values[OFS_APPLY_COLS] = {0};
		bool		nulls[OFS_APPLY_COLS] = {0};
		int			i = 0;

		if (!step->report)
			continue;
		values[i++] = CStringGetTextDatum(ApplyObjectTypeName(step->type));
		values[i++] = CStringGetTextDatum(step->name);
		values[i++] = CStringGetTextDatum(ApplyActionName(step->action));
		if (step->detail)
			values[i] = CStringGetTextDatum(step->detail);
		else
			nulls[i] = true;
		i++;
		Assert(i == OFS_APPLY_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
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
 * Phase 3: the writes (the caller is connected to SPI)
 * ----------------------------------------------------------------
 */

static void
p_text(ApplyParams *p, const char *s)
{
	Assert(p->n < APPLY_MAX_PARAMS);
	p->types[p->n] = TEXTOID;
	p->values[p->n] = s ? CStringGetTextDatum(s) : (Datum) 0;
	p->nulls[p->n] = s ? ' ' : 'n';
	p->n++;
}

static void
p_datum(ApplyParams *p, Oid type, Datum d, bool isnull)
{
	Assert(p->n < APPLY_MAX_PARAMS);
	p->types[p->n] = type;
	p->values[p->n] = d;
	p->nulls[p->n] = isnull ? 'n' : ' ';
	p->n++;
}

/* Run one statement with parameters and check its result code. */
static void
exec_params(const char *sql, ApplyParams *p, int expected)
{
	SpiExec(sql, p->n, p->types, p->values, p->nulls, expected);
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
write_project(const RegProject *p, bool exists)
{
	ApplyParams	q = {0};

	p_text(&q, p->name);
	p_text(&q, p->description);
	p_text(&q, p->provider);
	p_text(&q, p->registry);
	p_text(&q, p->online_store);
	p_text(&q, p->offline_store);
	p_text(&q, p->batch_engine);
	p_text(&q, p->materialization);
	p_text(&q, p->auth);
	p_datum(&q, INT4OID, Int32GetDatum(p->entity_key_serialization_version), false);
	p_datum(&q, BOOLOID, BoolGetDatum(p->coerce_tz_aware), false);
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
write_entity(const char *project, const RegEntity *e, bool exists)
{
	ApplyParams	q = {0};

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
write_source(const char *project, const RegSource *s, bool exists)
{
	ApplyParams	q = {0};

	p_text(&q, project);
	p_text(&q, s->name);
	p_text(&q, RegSourceTypeName(s->type));
	p_text(&q, s->table_name);
	p_text(&q, s->query);
	p_text(&q, s->batch_source);
	p_text(&q, s->timestamp_field);
	p_text(&q, s->created_timestamp_column);
	p_text(&q, s->date_partition_column);
	p_text(&q, s->field_mapping.json);
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
write_view(const char *project, const RegFeatureView *v, bool exists)
{
	ApplyParams	q = {0};
	Interval   *ttl = palloc0(sizeof(Interval));

	ttl->time = v->ttl_usec;
	p_text(&q, project);
	p_text(&q, v->name);
	p_text(&q, v->source_name);
	p_datum(&q, INTERVALOID, IntervalPGetDatum(ttl), false);
	p_datum(&q, BOOLOID, BoolGetDatum(v->online), false);
	p_datum(&q, BOOLOID, BoolGetDatum(v->offline), false);
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
		ApplyParams	d = {0};

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
		exec_params("DELETE FROM feast.aggregations "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_view OPERATOR(pg_catalog.=) $2", &d, SPI_OK_DELETE);
	}

	for (int i = 0; i < v->nkeys; i++)
	{
		ApplyParams	e = {0};

		p_text(&e, project);
		p_text(&e, v->name);
		p_datum(&e, INT4OID, Int32GetDatum(i + 1), false);
		p_text(&e, v->entities[i]);
		exec_params("INSERT INTO feast.feature_view_entities (project, "
					"feature_view, position, entity) VALUES ($1, $2, $3, $4)",
					&e, SPI_OK_INSERT);
	}
	for (int i = 0; i < v->nfeatures; i++)
	{
		ApplyParams	f = {0};

		p_text(&f, project);
		p_text(&f, v->name);
		p_datum(&f, INT4OID, Int32GetDatum(i + 1), false);
		p_text(&f, v->features[i].name);
		p_text(&f, v->features[i].dtype);
		p_text(&f, v->features[i].description);
		p_text(&f, v->features[i].tags);
		exec_params("INSERT INTO feast.features (project, feature_view, "
					"position, name, dtype, description, tags) VALUES ($1, $2, "
					"$3, $4, $5, $6, $7::pg_catalog.jsonb)", &f, SPI_OK_INSERT);
	}
	for (int i = 0; i < v->naggregations; i++)
	{
		const RegAggregation *a = &v->aggregations[i];
		ApplyParams	g = {0};
		Interval   *window = palloc0(sizeof(Interval));

		window->time = a->window_usec;
		p_text(&g, project);
		p_text(&g, v->name);
		p_datum(&g, INT4OID, Int32GetDatum(i + 1), false);
		p_text(&g, a->name);
		p_text(&g, a->column);
		p_text(&g, a->function);
		p_datum(&g, INTERVALOID, IntervalPGetDatum(window), false);
		exec_params("INSERT INTO feast.aggregations (project, feature_view, "
					"position, name, column_name, function, time_window) "
					"VALUES ($1, $2, $3, $4, $5, $6, $7)", &g, SPI_OK_INSERT);
	}
}

static void
write_service(const char *project, const RegFeatureService *s, bool exists)
{
	ApplyParams	q = {0};

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
		ApplyParams	d = {0};

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
		const RegProjection *pr = &s->projections[i];
		ApplyParams	p = {0};

		p_text(&p, project);
		p_text(&p, s->name);
		p_datum(&p, INT4OID, Int32GetDatum(i + 1), false);
		p_text(&p, pr->feature_view);
		p_text(&p, pr->alias);
		if (pr->nfeatures >= 0)
			p_datum(&p, TEXTARRAYOID, make_text_array(pr->features, pr->nfeatures), false);
		else
		{
			p_datum(&p, TEXTARRAYOID, (Datum) 0, true);
		}
		p_text(&p, pr->join_key_map.json);
		exec_params("INSERT INTO feast.feature_service_projections (project, "
					"feature_service, position, feature_view, alias, features, "
					"join_key_map) VALUES ($1, $2, $3, $4, $5, $6, "
					"$7::pg_catalog.jsonb)", &p, SPI_OK_INSERT);
	}
}

static void
delete_object(const char *table, const char *project, const char *name)
{
	ApplyParams	q = {0};

	p_text(&q, project);
	p_text(&q, name);
	exec_params(psprintf("DELETE FROM feast.%s "
						 "WHERE project OPERATOR(pg_catalog.=) $1 "
						 "AND name OPERATOR(pg_catalog.=) $2", table),
				&q, SPI_OK_DELETE);
}


/*
 * The order of Phase 3: registry rows by foreign keys (project, entities,
 * batch sources, push sources, views, services), then deletions in reverse
 * dependency order. The online tables of the wanted views come last.
 */
typedef enum ApplyWritePass
{
	PASS_PROJECT,
	PASS_ENTITIES,
	PASS_BATCH_SOURCES,
	PASS_PUSH_SOURCES,
	PASS_VIEWS,
	PASS_SERVICES,
	PASS_DELETE_SERVICES,
	PASS_DELETE_VIEWS,
	PASS_DELETE_PUSH_SOURCES,
	PASS_DELETE_BATCH_SOURCES,
	PASS_DELETE_ENTITIES,
	PASS_COUNT					/* no pass: nothing to write */
} ApplyWritePass;

/* The pass in which a step writes its registry rows. */
static ApplyWritePass
step_pass(const ApplyStep *step)
{
	bool		deleted = (step->action == APPLY_DELETED);

	if (!deleted && !step->write_row)
		return PASS_COUNT;
	switch (step->type)
	{
		case APPLY_PROJECT:
			return PASS_PROJECT;
		case APPLY_ENTITY:
			return deleted ? PASS_DELETE_ENTITIES : PASS_ENTITIES;
		case APPLY_DATA_SOURCE:
			{
				const RegSource *s = deleted ? step->cur : step->want;

				if (s->type == REG_SOURCE_PUSH)
					return deleted ? PASS_DELETE_PUSH_SOURCES : PASS_PUSH_SOURCES;
				return deleted ? PASS_DELETE_BATCH_SOURCES : PASS_BATCH_SOURCES;
			}
		case APPLY_FEATURE_VIEW:
			return deleted ? PASS_DELETE_VIEWS : PASS_VIEWS;
		case APPLY_FEATURE_SERVICE:
			return deleted ? PASS_DELETE_SERVICES : PASS_SERVICES;
		case APPLY_FEATURE_SERVICE_VIEW:
		case APPLY_TRAINING_VIEW:
			/* views.h: not registry rows of the document */
			return PASS_COUNT;
	}
	return PASS_COUNT;			/* keep compiler quiet */
}

/* Write (or delete) the registry rows of one step. */
static void
execute_step(ApplyStep *step, const char *project)
{
	bool		exists = (step->action != APPLY_CREATED);

	if (step->action == APPLY_DELETED)
	{
		static const char *const tables[] = {
			[APPLY_PROJECT] = NULL,
			[APPLY_ENTITY] = "entities",
			[APPLY_DATA_SOURCE] = "data_sources",
			[APPLY_FEATURE_VIEW] = "feature_views",
			[APPLY_FEATURE_SERVICE] = "feature_services",
			[APPLY_FEATURE_SERVICE_VIEW] = NULL,
			[APPLY_TRAINING_VIEW] = NULL,
		};

		Assert(tables[step->type] != NULL);
		/* a deleted view's online table goes first */
		if (step->online)
			OnlineTableExecute(step->online);
		delete_object(tables[step->type], project, step->name);
		return;
	}
	switch (step->type)
	{
		case APPLY_PROJECT:
			write_project(step->want, exists);
			break;
		case APPLY_ENTITY:
			write_entity(project, step->want, exists);
			break;
		case APPLY_DATA_SOURCE:
			write_source(project, step->want, exists);
			break;
		case APPLY_FEATURE_VIEW:
			write_view(project, step->want, exists);
			break;
		case APPLY_FEATURE_SERVICE:
			write_service(project, step->want, exists);
			break;
		case APPLY_FEATURE_SERVICE_VIEW:
		case APPLY_TRAINING_VIEW:
			elog(ERROR, "unexpected step for %s", step->name);
			break;
	}
}

/*
 * execute_plan carries the plan out: the feature service views that go or
 * change (they read the online tables), the registry's rows pass by pass,
 * then the online tables of the wanted views in the plan's order, and the
 * feature service views.
 */
static void
execute_plan(List *plan, const char *project)
{
	ListCell   *lc;

	ServiceViewsDrop(plan);
	for (ApplyWritePass pass = 0; pass < PASS_COUNT; pass++)
	{
		foreach(lc, plan)
		{
			ApplyStep  *step = lfirst(lc);

			if (step_pass(step) != pass)
				continue;
			CHECK_FOR_INTERRUPTS();
			execute_step(step, project);
		}
	}

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);

		if (step->action == APPLY_DELETED || step->online == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		OnlineTableExecute(step->online);
	}
	ServiceViewsCreate(plan);
}

/*
 * plan_changes: whether the plan writes anything (a row, an online table,
 * a feature service view).
 */
static bool
plan_changes(List *plan)
{
	ListCell   *lc;

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);

		if (step->action != APPLY_UNCHANGED || step->write_row)
			return true;
	}
	return false;
}

/*
 * dry_run_training_views returns the steps of the training views an apply
 * of the plan would rebuild: the plan is carried out in a subtransaction,
 * the views are planned against the result, and the subtransaction is
 * rolled back, whatever it wrote and locked with it. A view the plan would
 * break is an error, as in the apply itself.
 */
static List *
dry_run_training_views(List *plan, const char *project, List *views,
					   Oid fn_oid)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile steps = NIL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		execute_plan(plan, project);
		steps = TrainingViewsUpdate(views, fn_oid, false);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* the subtransaction ends here, so that the error is the caller's */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ReThrowError(edata);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return steps;
}
