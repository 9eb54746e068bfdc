/*-------------------------------------------------------------------------
 *
 * online_tables.c
 *		Online tables: created, altered and dropped by feast_apply.
 *
 * Every online feature view has one plain table, <db_schema>.<project>_<view>:
 * its join keys (typed by the entities' value types) as primary key, one
 * column per feature (typed as the source column), event_timestamp and
 * created_timestamp. An entity-less view has a one-row table keyed by
 * __dummy_id = ''.
 *
 * feast.online_tables records the tables offline_store created, by OID
 * (relid). Only those are ever altered, truncated or dropped, and always
 * through that OID: a relation that takes an online table's name is never
 * adopted, and a name longer than NAMEDATALEN - 1 bytes is an error, never
 * truncated. Rows of feast.online_tables are written only here: its
 * row-level security policies let an INSERT or UPDATE through only while
 * ot_recording is set (feast.online_tables_recording()), which this file
 * does around its own statements and nowhere else, so no role can point a
 * row at a relation of its choice by plain SQL.
 *
 * An apply first plans what it does to each online table (OnlineTablePlan:
 * also in a dry run, whose result rows report it), then carries the plans
 * out. Rows and grants are kept wherever PostgreSQL can keep them: a type
 * change is ALTER COLUMN ... TYPE, a db_schema change SET SCHEMA. When data
 * must go (the join keys change, a column cannot be converted), the plan's
 * detail says so and the view's materialization intervals are forgotten,
 * so that the next incremental materialization starts afresh.
 *
 * All of this runs inside feast_apply's transaction, through SPI, after
 * apply has validated the whole document: an error rolls the DDL back with
 * everything else. Identifiers are quoted, values are $n parameters.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_tables.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "online_tables.h"
#include "spi_util.h"

/* True only while this file writes a row of feast.online_tables. */
static bool ot_recording = false;

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_online_tables_recording);

static bool ot_lookup_record(const char *project, const char *view,
							 Oid *relid);
static Oid	ot_relid(const char *schema_name, const char *table_name);
static bool ot_is_table(Oid relid);
static char *ot_name_of(Oid relid);
static int64 ot_count_rows(Oid relid);
static void ot_create_schema(const OnlineTableSpec *spec);
static Oid	ot_create(const OnlineTableSpec *spec);
static void ot_drop(Oid relid);
static void ot_delete_view_rows(const char *registry_table, const char *project,
								const char *view);
static void ot_record(const OnlineTableSpec *spec, Oid relid, bool update);
static const char *ot_type_sql(Oid typid, int32 typmod);
static void ot_add_detail(OnlineTablePlan *plan, const char *fmt,...) pg_attribute_printf(2, 3);
static void ot_plan_columns(OnlineTablePlan *plan, Relation rel);
static void ot_alter_columns(const char *name, List *alters);

/*
 * feast.online_tables_recording() returns true only while feast_apply
 * writes a row of feast.online_tables: the row-level security policies of
 * that table call it.
 */
Datum
ofs_online_tables_recording(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ot_recording);
}

/*
 * OnlineTableName returns <project>_<view>, or NULL when it does not fit in
 * an identifier.
 */
char *
OnlineTableName(const char *project, const char *view)
{
	char	   *name = psprintf("%s_%s", project, view);

	if (strlen(name) > NAMEDATALEN - 1)
		return NULL;
	return name;
}

/*
 * OnlineValueTypeOid maps an entity value type to the SQL type of its key
 * column in online tables.
 */
Oid
OnlineValueTypeOid(const char *value_type)
{
	if (value_type == NULL)
		return InvalidOid;
	if (strcmp(value_type, "INT32") == 0)
		return INT4OID;
	if (strcmp(value_type, "INT64") == 0)
		return INT8OID;
	if (strcmp(value_type, "FLOAT") == 0)
		return FLOAT4OID;
	if (strcmp(value_type, "DOUBLE") == 0)
		return FLOAT8OID;
	if (strcmp(value_type, "STRING") == 0)
		return TEXTOID;
	if (strcmp(value_type, "BYTES") == 0)
		return BYTEAOID;
	if (strcmp(value_type, "BOOL") == 0)
		return BOOLOID;
	if (strcmp(value_type, "UNIX_TIMESTAMP") == 0)
		return TIMESTAMPTZOID;
	return InvalidOid;
}

/*
 * OnlineTableCheck errors when the online table of spec cannot be created
 * or kept under its name: the relation of that name, if any, must be the
 * one recorded for this very view.
 */
void
OnlineTableCheck(const OnlineTableSpec *spec, const char *detail)
{
	char	   *rec_project = NULL;
	char	   *rec_view = NULL;
	Oid			relid;
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];

	if (strlen(spec->schema_name) > NAMEDATALEN - 1)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("online store schema name \"%s\" is too long",
						spec->schema_name),
				 errdetail("Names are limited to %d bytes.%s%s",
						   NAMEDATALEN - 1, detail ? " " : "",
						   detail ? detail : "")));
	if (spec->table_name == NULL ||
		strlen(spec->table_name) > NAMEDATALEN - 1)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("online table name for feature view \"%s\" of project \"%s\" is too long",
						spec->view, spec->project),
				 errdetail("The online table is named <project>_<view>, which must not be longer than %d bytes; it is never truncated.%s%s",
						   NAMEDATALEN - 1, detail ? " " : "",
						   detail ? detail : ""),
				 errhint("Use a shorter feature view or project name.")));

	relid = ot_relid(spec->schema_name, spec->table_name);
	if (!OidIsValid(relid))
		return;

	values[0] = ObjectIdGetDatum(relid);
	SpiExec("SELECT project, feature_view FROM feast.online_tables "
			"WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
			1, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		rec_project = SpiGetText(0, 1);
		rec_view = SpiGetText(0, 2);
	}
	if (rec_project != NULL && strcmp(rec_project, spec->project) == 0 &&
		strcmp(rec_view, spec->view) == 0)
		return;

	if (rec_project != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s.%s\" already exists",
						spec->schema_name, spec->table_name),
				 errdetail("It is the online table of feature view \"%s\" of project \"%s\", so it cannot be the online table of feature view \"%s\" of project \"%s\".%s%s",
						   rec_view, rec_project, spec->view, spec->project,
						   detail ? " " : "", detail ? detail : ""),
				 errhint("Rename one of the feature views.")));
	ereport(ERROR,
			(errcode(ERRCODE_DUPLICATE_TABLE),
			 errmsg("relation \"%s.%s\" already exists",
					spec->schema_name, spec->table_name),
			 errdetail("It would be the online table of feature view \"%s\" of project \"%s\", but offline_store did not create it.%s%s",
					   spec->view, spec->project,
					   detail ? " " : "", detail ? detail : ""),
			 errhint("Drop or rename the relation, or set online: false on the feature view.")));
}

/*
 * OnlineTablePlanSync plans what makes the online table of spec right.
 */
OnlineTablePlan *
OnlineTablePlanSync(const OnlineTableSpec *spec)
{
	OnlineTablePlan *plan = palloc0(sizeof(OnlineTablePlan));
	char	   *want_name = quote_qualified_identifier(spec->schema_name,
													   spec->table_name);
	Oid			relid;
	Relation	rel;

	plan->project = spec->project;
	plan->view = spec->view;
	plan->spec = spec;
	plan->recorded = ot_lookup_record(spec->project, spec->view, &relid);

	if (!plan->recorded)
	{
		plan->action = OT_CREATE;
		plan->forget_intervals = true;
		ot_add_detail(plan, "online table %s created", want_name);
		return plan;
	}
	if (!ot_is_table(relid))
	{
		/* dropped behind our back: the materialized data went with it */
		plan->action = OT_CREATE;
		plan->forget_intervals = true;
		ot_add_detail(plan, "online table %s was missing and is created again",
					  want_name);
		return plan;
	}

	plan->relid = relid;
	plan->cur_name = ot_name_of(relid);
	plan->action = OT_KEEP;

	rel = relation_open(relid, AccessShareLock);
	ot_plan_columns(plan, rel);
	if (plan->action != OT_RECREATE)
	{
		plan->move = strcmp(get_namespace_name(RelationGetNamespace(rel)),
							spec->schema_name) != 0;
		plan->rename = strcmp(RelationGetRelationName(rel),
							  spec->table_name) != 0;
		if (plan->move || plan->rename)
		{
			plan->action = OT_ALTER;
			ot_add_detail(plan, "online table %s %s %s", plan->cur_name,
						  plan->move ? "moved to" : "renamed to", want_name);
		}
	}
	relation_close(rel, AccessShareLock);

	if (plan->action == OT_RECREATE)
	{
		int64		rows = ot_count_rows(relid);
		char	   *reason = plan->detail;

		plan->detail = NULL;
		plan->alters = NIL;
		plan->forget_intervals = true;
		ot_add_detail(plan, "online table %s recreated, " INT64_FORMAT " %s dropped: %s",
					  plan->cur_name, rows, rows == 1 ? "row" : "rows", reason);
	}
	return plan;
}

/*
 * ot_plan_columns compares the columns of the online table with spec and
 * fills the plan: ALTER subcommands, or OT_RECREATE with the reason in
 * detail.
 */
static void
ot_plan_columns(OnlineTablePlan *plan, Relation rel)
{
	const OnlineTableSpec *spec = plan->spec;
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			pkindex = RelationGetPrimaryKeyIndex(rel);
	int			nkeys = spec->nkeys > 0 ? spec->nkeys : 1;
	bool	   *feature_seen = palloc0(sizeof(bool) * (spec->nfeatures + 1));
	HeapTuple	itup;
	Form_pg_index index;

	/* The primary key must be the join keys, in order. */
	if (!OidIsValid(pkindex))
	{
		plan->action = OT_RECREATE;
		plan->detail = "it has no primary key";
		return;
	}
	itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkindex));
	if (!HeapTupleIsValid(itup))
		elog(ERROR, "cache lookup failed for index %u", pkindex);
	index = (Form_pg_index) GETSTRUCT(itup);
	if (index->indnkeyatts != nkeys)
	{
		ReleaseSysCache(itup);
		plan->action = OT_RECREATE;
		plan->detail = "its join keys change";
		return;
	}
	for (int i = 0; i < nkeys; i++)
	{
		AttrNumber	attnum = index->indkey.values[i];
		const char *want_name = spec->nkeys > 0 ? spec->keys[i].name : OFS_DUMMY_ID_COLUMN;

		if (attnum <= 0 ||
			strcmp(NameStr(TupleDescAttr(desc, attnum - 1)->attname), want_name) != 0)
		{
			ReleaseSysCache(itup);
			plan->action = OT_RECREATE;
			plan->detail = "its join keys change";
			return;
		}
	}
	ReleaseSysCache(itup);

	/* Every column: keys, timestamps, features; the rest is dropped. */
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		const char *attname = NameStr(att->attname);
		const OnlineColumn *want = NULL;
		OnlineColumn ts = {attname, TIMESTAMPTZOID, -1};
		OnlineColumn dummy = {OFS_DUMMY_ID_COLUMN, TEXTOID, -1};
		bool		is_key = false;

		if (att->attisdropped)
			continue;
		if (spec->nkeys == 0 && strcmp(attname, OFS_DUMMY_ID_COLUMN) == 0)
		{
			want = &dummy;
			is_key = true;
		}
		for (int k = 0; want == NULL && k < spec->nkeys; k++)
			if (strcmp(attname, spec->keys[k].name) == 0)
			{
				want = &spec->keys[k];
				is_key = true;
			}
		if (want == NULL && (strcmp(attname, "event_timestamp") == 0 ||
							 strcmp(attname, "created_timestamp") == 0))
			want = &ts;
		for (int f = 0; want == NULL && f < spec->nfeatures; f++)
			if (strcmp(attname, spec->features[f].name) == 0)
			{
				want = &spec->features[f];
				feature_seen[f] = true;
			}

		if (want == NULL)
		{
			plan->action = OT_ALTER;
			plan->alters = lappend(plan->alters,
								   psprintf("DROP COLUMN %s", quote_identifier(attname)));
			ot_add_detail(plan, "online table column %s dropped", attname);
			continue;
		}
		if (att->atttypid == want->typid && att->atttypmod == want->typmod)
			continue;
		if (can_coerce_type(1, &att->atttypid, &want->typid,
							COERCION_ASSIGNMENT))
		{
			plan->action = OT_ALTER;
			plan->alters = lappend(plan->alters,
								   psprintf("ALTER COLUMN %s TYPE %s",
											quote_identifier(attname),
											ot_type_sql(want->typid, want->typmod)));
			ot_add_detail(plan, "online table column %s: %s -> %s", attname,
						  format_type_with_typemod(att->atttypid, att->atttypmod),
						  format_type_with_typemod(want->typid, want->typmod));
		}
		else if (is_key || want == &ts)
		{
			plan->action = OT_RECREATE;
			plan->detail = psprintf("column %s cannot be converted from %s to %s",
									attname,
									format_type_with_typemod(att->atttypid, att->atttypmod),
									format_type_with_typemod(want->typid, want->typmod));
			return;
		}
		else
		{
			/* a feature whose values cannot be converted: they go */
			plan->action = OT_ALTER;
			plan->alters = lappend(plan->alters,
								   psprintf("DROP COLUMN %s", quote_identifier(attname)));
			plan->alters = lappend(plan->alters,
								   psprintf("ADD COLUMN %s %s",
											quote_identifier(attname),
											ot_type_sql(want->typid, want->typmod)));
			plan->forget_intervals = true;
			ot_add_detail(plan, "online table column %s: %s -> %s, its values dropped",
						  attname,
						  format_type_with_typemod(att->atttypid, att->atttypmod),
						  format_type_with_typemod(want->typid, want->typmod));
		}
	}

	/* The timestamps must be there. */
	for (int i = 0; i < 2; i++)
	{
		const char *name = i == 0 ? "event_timestamp" : "created_timestamp";
		bool		found = false;

		for (int a = 0; a < desc->natts; a++)
			if (!TupleDescAttr(desc, a)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, a)->attname), name) == 0)
				found = true;
		if (!found)
		{
			plan->action = OT_RECREATE;
			plan->detail = psprintf("its column %s is missing", name);
			return;
		}
	}

	for (int f = 0; f < spec->nfeatures; f++)
	{
		if (feature_seen[f])
			continue;
		plan->action = OT_ALTER;
		plan->alters = lappend(plan->alters,
							   psprintf("ADD COLUMN %s %s",
										quote_identifier(spec->features[f].name),
										ot_type_sql(spec->features[f].typid,
													spec->features[f].typmod)));
		ot_add_detail(plan, "online table column %s added", spec->features[f].name);
	}
}

/*
 * OnlineTablePlanDrop plans dropping the recorded online table of a view.
 */
OnlineTablePlan *
OnlineTablePlanDrop(const char *project, const char *view)
{
	OnlineTablePlan *plan;
	Oid			relid;

	if (!ot_lookup_record(project, view, &relid))
		return NULL;
	plan = palloc0(sizeof(OnlineTablePlan));
	plan->project = project;
	plan->view = view;
	plan->action = OT_DROP;
	plan->recorded = true;
	plan->forget_intervals = true;
	if (ot_is_table(relid))
	{
		int64		rows = ot_count_rows(relid);

		plan->relid = relid;
		plan->cur_name = ot_name_of(relid);
		ot_add_detail(plan, "online table %s dropped (" INT64_FORMAT " %s)",
					  plan->cur_name, rows, rows == 1 ? "row" : "rows");
	}
	return plan;
}

/* Error context while an ALTER TABLE of an online table runs. */
static void
ot_alter_context(void *arg)
{
	errcontext("altering online table %s", (const char *) arg);
}

/*
 * ot_alter_columns runs the ALTER TABLE subcommands of a plan. A value that
 * does not fit its column's new type (a string too long, a number out of
 * range) fails the apply, with a hint: the rows are kept, never dropped
 * without the plan saying so.
 */
static void
ot_alter_columns(const char *name, List *alters)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s", name);
	foreach(lc, alters)
		appendStringInfo(&sql, "%s %s",
						 foreach_current_index(lc) > 0 ? "," : "",
						 (char *) lfirst(lc));
	PG_TRY();
	{
		SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION ||
			edata->hint != NULL)
			PG_RE_THROW();
		FlushErrorState();
		edata->hint = pstrdup("The online table keeps its rows when the type of a column changes. Delete the rows whose values do not fit the new type, and apply again.");
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/*
 * OnlineTableExecute carries out a plan.
 */
void
OnlineTableExecute(OnlineTablePlan *plan)
{
	const OnlineTableSpec *spec = plan->spec;

	switch (plan->action)
	{
		case OT_KEEP:
			break;
		case OT_CREATE:
			ot_record(spec, ot_create(spec), plan->recorded);
			break;
		case OT_RECREATE:
			{
				List	   *grants = OnlineGrantsSave(plan->relid);
				Oid			relid;

				ot_drop(plan->relid);
				relid = ot_create(spec);
				OnlineGrantsRestore(relid, grants);
				ot_record(spec, relid, true);
				break;
			}
		case OT_ALTER:
			{
				ErrorContextCallback callback;
				char	   *name = plan->cur_name;

				callback.callback = ot_alter_context;
				callback.arg = name;
				callback.previous = error_context_stack;
				error_context_stack = &callback;

				if (plan->move)
				{
					ot_create_schema(spec);
					SpiExec(psprintf("ALTER TABLE %s SET SCHEMA %s", name,
									 quote_identifier(spec->schema_name)),
							0, NULL, NULL, NULL, SPI_OK_UTILITY);
					name = ot_name_of(plan->relid);
				}
				if (plan->rename)
				{
					SpiExec(psprintf("ALTER TABLE %s RENAME TO %s", name,
									 quote_identifier(spec->table_name)),
							0, NULL, NULL, NULL, SPI_OK_UTILITY);
					name = ot_name_of(plan->relid);
				}
				if (plan->alters != NIL)
					ot_alter_columns(name, plan->alters);
				error_context_stack = callback.previous;
				if (plan->move || plan->rename)
					ot_record(spec, plan->relid, true);
				break;
			}
		case OT_DROP:
			if (OidIsValid(plan->relid))
				ot_drop(plan->relid);
			ot_delete_view_rows("feast.online_tables", plan->project, plan->view);
			break;
	}
	if (plan->forget_intervals)
		ot_delete_view_rows("feast.materialization_intervals", plan->project,
							plan->view);
}

/*
 * OnlineTableQualifiedName returns the quoted, schema-qualified name of the
 * online table of a view, palloc'd in the caller's memory context.
 */
char *
OnlineTableQualifiedName(const char *project, const char *view)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			relid = InvalidOid;
	bool		recorded;
	char	   *result = NULL;

	SpiConnect();
	recorded = ot_lookup_record(project, view, &relid);
	SPI_finish();
	MemoryContextSwitchTo(caller);

	if (!recorded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("feature view \"%s\" of project \"%s\" has no online table",
						view, project),
				 errhint("Set online: true on the feature view and run feast_apply.")));
	if (!ot_is_table(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the online table of feature view \"%s\" of project \"%s\" does not exist",
						view, project),
				 errdetail("It was dropped after feast_apply created it."),
				 errhint("Run feast_apply to create it again.")));
	result = ot_name_of(relid);
	return result;
}

/* The recorded online table of a view; false when there is none. */
static bool
ot_lookup_record(const char *project, const char *view, Oid *relid)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		isnull;

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	SpiExec("SELECT relid::pg_catalog.oid FROM feast.online_tables "
			"WHERE project OPERATOR(pg_catalog.=) $1 "
			"AND feature_view OPERATOR(pg_catalog.=) $2",
			2, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	*relid = DatumGetObjectId(SpiGetDatum(0, 1, &isnull));
	return true;
}

/* The relation schema_name.table_name, InvalidOid when there is none. */
static Oid
ot_relid(const char *schema_name, const char *table_name)
{
	Oid			nsp = get_namespace_oid(schema_name, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(table_name, nsp);
}

/* Whether relid is (still) a plain table. */
static bool
ot_is_table(Oid relid)
{
	return OidIsValid(relid) && get_rel_relkind(relid) == RELKIND_RELATION;
}

/* The quoted, qualified name of a relation now. */
static char *
ot_name_of(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* The number of rows of a table, for the detail of what a change loses. */
static int64
ot_count_rows(Oid relid)
{
	bool		isnull;

	SpiExec(psprintf("SELECT pg_catalog.count(*) FROM %s", ot_name_of(relid)),
			0, NULL, NULL, NULL, SPI_OK_SELECT);
	return DatumGetInt64(SpiGetDatum(0, 1, &isnull));
}

/* A type as SQL text, qualified so that the search_path cannot matter. */
static const char *
ot_type_sql(Oid typid, int32 typmod)
{
	return format_type_extended(typid, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN |
								FORMAT_TYPE_FORCE_QUALIFY);
}

/* Append "; "-separated text to a plan's detail. */
static void
ot_add_detail(OnlineTablePlan *plan, const char *fmt,...)
{
	StringInfoData buf;
	va_list		args;

	initStringInfo(&buf);
	if (plan->detail)
		appendStringInfo(&buf, "%s; ", plan->detail);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	plan->detail = buf.data;
}

/*
 * ot_create_schema creates the schema of spec when it is missing, owned by
 * the project's owner (so that its members may create and move tables
 * there).
 */
static void
ot_create_schema(const OnlineTableSpec *spec)
{
	StringInfoData sql;

	if (OidIsValid(get_namespace_oid(spec->schema_name, true)))
		return;
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE SCHEMA %s", quote_identifier(spec->schema_name));
	if (OidIsValid(spec->owner) && spec->owner != GetUserId())
		appendStringInfo(&sql, " AUTHORIZATION %s",
						 quote_identifier(GetUserNameFromId(spec->owner, false)));
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * ot_create creates the online table of spec (and its schema when missing),
 * gives it to the project's owner, and returns its OID.
 */
static Oid
ot_create(const OnlineTableSpec *spec)
{
	StringInfoData sql;
	char	   *name = quote_qualified_identifier(spec->schema_name,
												  spec->table_name);
	Oid			nsp;
	Oid			relid;

	ot_create_schema(spec);
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (", name);
	if (spec->nkeys == 0)
		appendStringInfo(&sql,
						 "%s pg_catalog.text NOT NULL DEFAULT '' "
						 "CHECK (%s OPERATOR(pg_catalog.=) ''), ",
						 quote_identifier(OFS_DUMMY_ID_COLUMN),
						 quote_identifier(OFS_DUMMY_ID_COLUMN));
	for (int k = 0; k < spec->nkeys; k++)
		appendStringInfo(&sql, "%s %s NOT NULL, ",
						 quote_identifier(spec->keys[k].name),
						 ot_type_sql(spec->keys[k].typid,
									 spec->keys[k].typmod));
	for (int f = 0; f < spec->nfeatures; f++)
		appendStringInfo(&sql, "%s %s, ",
						 quote_identifier(spec->features[f].name),
						 ot_type_sql(spec->features[f].typid,
									 spec->features[f].typmod));
	appendStringInfoString(&sql,
						   "event_timestamp pg_catalog.timestamptz NOT NULL, "
						   "created_timestamp pg_catalog.timestamptz, "
						   "PRIMARY KEY (");
	if (spec->nkeys == 0)
		appendStringInfoString(&sql, quote_identifier(OFS_DUMMY_ID_COLUMN));
	for (int k = 0; k < spec->nkeys; k++)
		appendStringInfo(&sql, "%s%s", k > 0 ? ", " : "",
						 quote_identifier(spec->keys[k].name));
	appendStringInfoString(&sql, "))");
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);

	nsp = get_namespace_oid(spec->schema_name, false);
	relid = get_relname_relid(spec->table_name, nsp);
	if (!OidIsValid(relid))
		elog(ERROR, "could not find the online table %s just created", name);

	resetStringInfo(&sql);
	appendStringInfo(&sql, "COMMENT ON TABLE %s IS %s", name,
					 quote_literal_cstr(psprintf("offline_store online table of feature view \"%s\" of project \"%s\"",
												 spec->view, spec->project)));
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);

	/*
	 * The table belongs to the project's owner, so that every member of
	 * that role can alter and drop it later (the caller is a member, or a
	 * superuser: RegistryCheckProjectOwner).
	 */
	if (OidIsValid(spec->owner) && spec->owner != GetUserId())
	{
		char	   *owner = GetUserNameFromId(spec->owner, false);

		if (!superuser() &&
			pg_namespace_aclcheck(nsp, spec->owner, ACL_CREATE) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for schema %s", spec->schema_name),
					 errdetail("The online tables of project \"%s\" belong to its owner, role \"%s\", which may not create tables in the schema.",
							   spec->project, owner),
					 errhint("GRANT CREATE ON SCHEMA %s TO %s;",
							 quote_identifier(spec->schema_name),
							 quote_identifier(owner))));
		SpiExec(psprintf("ALTER TABLE %s OWNER TO %s", name,
						 quote_identifier(owner)),
				0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
	return relid;
}

/* Drops a table offline_store created, by its OID. */
static void
ot_drop(Oid relid)
{
	if (!ot_is_table(relid))
		return;
	SpiExec(psprintf("DROP TABLE %s", ot_name_of(relid)),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * ot_delete_view_rows deletes a view's rows from a registry table (a
 * constant name): its online table record, or its materialization
 * intervals once the materialized data is gone.
 */
static void
ot_delete_view_rows(const char *registry_table, const char *project,
					const char *view)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	SpiExec(psprintf("DELETE FROM %s "
					 "WHERE project OPERATOR(pg_catalog.=) $1 "
					 "AND feature_view OPERATOR(pg_catalog.=) $2", registry_table),
			2, argtypes, values, NULL, SPI_OK_DELETE);
}

/*
 * ot_record inserts (or, with update, rewrites) the row of feast.online_tables
 * for the table relid that offline_store has just created or moved. The
 * policies of that table let the statement through only while ot_recording
 * is set; nothing but this fixed statement runs meanwhile.
 */
static void
ot_record(const OnlineTableSpec *spec, Oid relid, bool update)
{
	Oid			argtypes[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID};
	Datum		values[5];

	values[0] = CStringGetTextDatum(spec->project);
	values[1] = CStringGetTextDatum(spec->view);
	values[2] = CStringGetTextDatum(spec->schema_name);
	values[3] = CStringGetTextDatum(spec->table_name);
	values[4] = ObjectIdGetDatum(relid);
	PG_TRY();
	{
		ot_recording = true;
		if (update)
			SpiExec("UPDATE feast.online_tables SET schema_name = $3, "
					"table_name = $4, relid = $5::pg_catalog.regclass "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_view OPERATOR(pg_catalog.=) $2",
					5, argtypes, values, NULL, SPI_OK_UPDATE);
		else
			SpiExec("INSERT INTO feast.online_tables "
					"(project, feature_view, schema_name, table_name, relid) "
					"VALUES ($1, $2, $3, $4, $5::pg_catalog.regclass)",
					5, argtypes, values, NULL, SPI_OK_INSERT);
	}
	PG_FINALLY();
	{
		ot_recording = false;
	}
	PG_END_TRY();
	if (SPI_processed != 1)
		elog(ERROR, "could not record the online table of feature view \"%s\"",
			 spec->view);
}

/* A table-level grant, kept across a recreation. */
typedef struct OtGrant
{
	Oid			grantee;		/* InvalidOid: PUBLIC */
	char	   *privilege;
	bool		grantable;
} OtGrant;

/*
 * OnlineGrantsSave returns the table-level grants of a relation (a table
 * or a view) to roles other than its owner.
 */
List *
OnlineGrantsSave(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];
	List	   *grants = NIL;

	values[0] = ObjectIdGetDatum(relid);
	SpiExec("SELECT a.grantee, a.privilege_type, a.is_grantable "
			"FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a "
			"WHERE c.oid OPERATOR(pg_catalog.=) $1 "
			"AND a.grantee OPERATOR(pg_catalog.<>) c.relowner "
			"ORDER BY 1, 2",
			1, argtypes, values, NULL, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		OtGrant    *g = palloc0(sizeof(OtGrant));
		bool		isnull;

		g->grantee = DatumGetObjectId(SpiGetDatum(r, 1, &isnull));
		g->privilege = SpiGetText(r, 2);
		g->grantable = DatumGetBool(SpiGetDatum(r, 3, &isnull));
		grants = lappend(grants, g);
	}
	return grants;
}

/*
 * OnlineGrantsRestore grants again, on relid, what OnlineGrantsSave read
 * from its predecessor (roles dropped meanwhile are skipped).
 */
void
OnlineGrantsRestore(Oid relid, List *grants)
{
	ListCell   *lc;

	foreach(lc, grants)
	{
		OtGrant    *g = lfirst(lc);
		char	   *grantee;

		if (!OidIsValid(g->grantee))
			grantee = "PUBLIC";
		else
		{
			char	   *role = GetUserNameFromId(g->grantee, true);

			if (role == NULL)
				continue;		/* a role dropped meanwhile */
			grantee = (char *) quote_identifier(role);
		}
		SpiExec(psprintf("GRANT %s ON TABLE %s TO %s%s", g->privilege,
						 ot_name_of(relid), grantee,
						 g->grantable ? " WITH GRANT OPTION" : ""),
				0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
}
