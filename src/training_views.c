/*-------------------------------------------------------------------------
 *
 * training_views.c
 *		Training views: feast_create_training_view, feast_drop_training_view,
 *		and their rebuild by feast_apply.
 *
 * A training view is an ordinary view over the query feast_historical_sql
 * would return (SELECT * FROM feast_historical(<literals>) AS t(<column
 * list>)), so that BI tools and CREATE TABLE AS see a typed relation that
 * is point-in-time correct whenever it is read. Its column list is fixed
 * when it is created, so it lives with the registry:
 *
 * - feast.training_views records each view by OID with the arguments of
 *   its call (in feast_historical's order, HistArgsToDatums), the project
 *   resolved and a relation entity_df schema-qualified, so that it can be
 *   planned again without the session that created it.
 * - feast_apply plans every training view of the project before and after
 *   its writes (TrainingViewsLoad, TrainingViewsUpdate): a view whose
 *   result columns change is rebuilt in the same transaction (CREATE OR
 *   REPLACE VIEW when the columns only grow, else DROP and CREATE with its
 *   owner, grants and comment), and listed as ('training_view', name,
 *   'updated', <the column changes>), in a dry run too; a view that worked
 *   before and cannot be planned after (a feature, view or service it uses
 *   is gone) fails the apply with dependent_objects_still_exist. A view
 *   that was already broken is left as it is. ttl changes need nothing:
 *   the view calls the function.
 * - An entity_df that reads a temporary relation (or calls a temporary
 *   function) is refused: the view would break when the session ends. The
 *   check walks the entity_df query as parsed, before views are expanded.
 * - The view belongs to the project's owner role, as the online tables do,
 *   so that any member can replace, rebuild or drop it; only members (and
 *   superusers) may (RegistryCheckProjectOwner). It carries a COMMENT
 *   saying what it is.
 * - Only recorded views are ever replaced or dropped, through their OID;
 *   an existing relation of the name that is not one is an error. A
 *   training view dropped with plain SQL loses its row (an event trigger,
 *   src/sql/15_views.sql); a row whose view is gone is ignored.
 *
 * Everything runs as the caller, in the caller's transaction. Creating a
 * training view takes the project's advisory lock shared, so that it
 * never interleaves with an apply of the project (which takes it
 * exclusive): the apply sees every view it may have to rebuild.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/training_views.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "apply.h"
#include "compat.h"
#include "historical.h"
#include "online_tables.h"
#include "registry.h"
#include "spi_util.h"
#include "sqlbuild.h"
#include "views.h"

/*
 * The columns of feast.training_views holding the arguments, in the order
 * of HistArgs (HistArgTypes): the one list to extend with an argument.
 */
static const char *const tv_arg_columns[HIST_NARGS] = {
	"entity_df", "features", "feature_service", "full_feature_names",
	"project", "filter_by_created_timestamp", "start_date", "end_date",
	"as_of"
};

/* A training view of a project, as feast_apply sees it. */
typedef struct TrainingView
{
	Oid			relid;
	char	   *name;			/* quoted, qualified */
	HistArgs   *args;
} TrainingView;

/* What a temporary-object search found. */
typedef struct TvTempSearch
{
	Oid			relid;
	Oid			funcid;
} TvTempSearch;

static void tv_resolve_name(const char *text, char **name, char **relname,
							Oid *relid);
static void tv_prepare_args(HistArgs *args);
static bool tv_temp_walker(Node *node, TvTempSearch *ts);
static char *tv_comment(const HistArgs *args);
static char *tv_recorded_project(Oid relid);
static Oid	tv_build(Oid relid, const char *name, const char *sql, TupleDesc desc,
					 const HistArgs *args);
static void tv_record(Oid relid, Oid old_relid, const HistArgs *args);
static char *tv_columns_list(const char *sep, int first_param);

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_create_training_view);
PG_FUNCTION_INFO_V1(ofs_feast_drop_training_view);

/*
 * feast_create_training_view(view_name, entity_df, <feature arguments>,
 * replace, as_of): create (or redefine) a training view and record it.
 */
Datum
ofs_feast_create_training_view(PG_FUNCTION_ARGS)
{
	HistArgs   *args;
	bool		replace;
	char	   *name;
	char	   *relname;
	Oid			relid;
	Oid			new_relid;
	char	   *sql;
	TupleDesc	desc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("view_name must not be NULL")));
	if (PG_ARGISNULL(1 + HIST_NFEATURE_ARGS))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("replace must not be NULL")));
	args = HistGetArgs(fcinfo, 1, 2 + HIST_NFEATURE_ARGS);
	replace = PG_GETARG_BOOL(1 + HIST_NFEATURE_ARGS);

	args->project = RegistryResolveProject(args->project);
	RegistryCheckProjectOwner(args->project);

	/*
	 * Not while an apply of the project runs (it holds the lock
	 * exclusive): the view is planned against the registry as it commits,
	 * and an apply that commits after it sees and checks it.
	 */
	RegistryLockProject(args->project, false);
	tv_resolve_name(text_to_cstring(PG_GETARG_TEXT_PP(0)), &name, &relname, &relid);
	tv_prepare_args(args);
	sql = HistRetrievalSql(args, fcinfo->flinfo->fn_oid, &desc);

	SpiConnect();
	if (OidIsValid(relid))
	{
		char	   *old_project = tv_recorded_project(relid);

		if (old_project == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists", relname),
					 errdetail("It is not a training view: offline_store replaces only the training views it created.")));
		if (!replace)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("training view \"%s\" already exists", relname),
					 errhint("Pass replace => true to redefine it, or drop it with feast_drop_training_view.")));
		RegistryCheckProjectOwner(old_project);
	}
	new_relid = tv_build(relid, name, sql, desc, args);
	tv_record(new_relid, relid, args);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * feast_drop_training_view(view_name): drop a training view and its row;
 * false when no relation has that name.
 */
Datum
ofs_feast_drop_training_view(PG_FUNCTION_ARGS)
{
	char	   *view_text;
	RangeVar   *rv;
	Oid			relid;
	char	   *project;
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("view_name must not be NULL")));
	view_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SqlCheckNameLength(view_text, "view_name");
	rv = makeRangeVarFromNameList(compat_qualified_name_list(view_text));
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		PG_RETURN_BOOL(false);

	SpiConnect();
	project = tv_recorded_project(relid);
	if (project == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a training view", get_rel_name(relid)),
				 errdetail("offline_store drops only the training views it created.")));
	RegistryCheckProjectOwner(project);
	ViewDrop(relid);
	values[0] = ObjectIdGetDatum(relid);
	SpiExec("DELETE FROM feast.training_views "
			"WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
			1, argtypes, values, NULL, SPI_OK_DELETE);
	SPI_finish();
	PG_RETURN_BOOL(true);
}

/*
 * tv_resolve_name turns view_name into the quoted, qualified name it
 * creates (in the schema CREATE VIEW would use), the bare relation name,
 * and the relation of that name, if any (InvalidOid). A temporary schema
 * is refused.
 */
static void
tv_resolve_name(const char *text, char **name, char **relname, Oid *relid)
{
	RangeVar   *rv;
	Oid			nsp;

	SqlCheckNameLength(text, "view_name");
	rv = makeRangeVarFromNameList(compat_qualified_name_list(text));
	nsp = RangeVarGetCreationNamespace(rv);
	if (isAnyTempNamespace(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("a training view cannot be temporary"),
				 errdetail("Training views are recorded in the registry and rebuilt by feast_apply; a temporary view would go away at the end of the session."),
				 errhint("Name the view in a permanent schema.")));
	*name = quote_qualified_identifier(get_namespace_name(nsp), rv->relname);
	*relname = rv->relname;
	*relid = get_relname_relid(rv->relname, nsp);
}

/*
 * tv_prepare_args makes a relation entity_df schema-qualified (as the
 * generated query names it) and refuses an entity_df that reads a
 * temporary relation or calls a temporary function.
 */
static void
tv_prepare_args(HistArgs *args)
{
	char	   *from;
	char	   *sql;
	List	   *raws;
	Query	   *query;
	TvTempSearch ts = {InvalidOid, InvalidOid};

	if (args->entity_df == NULL)
		return;
	from = SqlRelationOrQuery(args->entity_df, "entity_df");
	if (!SqlTextIsQuery(args->entity_df))
		args->entity_df = from;

	/* parsed, not rewritten: a temporary view is still itself */
	sql = psprintf("SELECT * FROM %s AS e", from);
	raws = pg_parse_query(sql);
	if (list_length(raws) != 1)
		elog(ERROR, "expected one statement");
	query = parse_analyze_fixedparams(linitial_node(RawStmt, raws), sql, NULL, 0, NULL);
	if (!query_tree_walker(query, tv_temp_walker, &ts, QTW_EXAMINE_RTES_BEFORE))
		return;
	if (OidIsValid(ts.relid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("the entity_df of a training view must not read temporary relations"),
				 errdetail("entity_df reads temporary relation \"%s\", which goes away at the end of the session; the view would then fail.",
						   get_rel_name(ts.relid)),
				 errhint("Use a permanent table, or run the retrieval once with feast_historical or feast_historical_sql.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			 errmsg("the entity_df of a training view must not call temporary functions"),
			 errdetail("entity_df calls temporary function \"%s\", which goes away at the end of the session; the view would then fail.",
					   get_func_name(ts.funcid)),
			 errhint("Use a permanent function, or run the retrieval once with feast_historical or feast_historical_sql.")));
}

/* Finds a temporary relation or function in a parsed query. */
static bool
tv_temp_walker(Node *node, TvTempSearch *ts)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION &&
			get_rel_persistence(rte->relid) == RELPERSISTENCE_TEMP)
		{
			ts->relid = rte->relid;
			return true;
		}
		return false;
	}
	if (IsA(node, FuncExpr))
	{
		Oid			funcid = ((FuncExpr *) node)->funcid;

		if (isAnyTempNamespace(get_func_namespace(funcid)))
		{
			ts->funcid = funcid;
			return true;
		}
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, tv_temp_walker, ts,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, tv_temp_walker, ts);
}

/*
 * tv_comment says what a training view is: its project, features and
 * entity_df.
 */
static char *
tv_comment(const HistArgs *args)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "offline_store training view of project \"%s\": ", args->project);
	if (args->features)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(args->features, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		appendStringInfoString(&buf, "features ");
		for (int i = 0; i < n; i++)
			appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
							 nulls[i] ? "NULL" : TextDatumGetCString(elems[i]));
	}
	else
		appendStringInfo(&buf, "feature service \"%s\"", args->feature_service);
	if (args->full_feature_names)
		appendStringInfoString(&buf, " (full feature names)");
	if (args->entity_df)
		appendStringInfo(&buf, " as of each row of entity_df %s", args->entity_df);
	else
		appendStringInfo(&buf, " for every key and timestamp of the sources from %s to %s (entity-less)",
						 args->has_start ? timestamptz_to_str(args->start_date) : "the largest ttl before the end",
						 args->has_end ? timestamptz_to_str(args->end_date) : "now");
	if (args->filter_by_created)
		appendStringInfoString(&buf, ", filtered by created timestamp");
	if (args->has_as_of)
		appendStringInfo(&buf, ", with the source rows created by %s",
						 timestamptz_to_str(args->as_of));
	return buf.data;
}

/*
 * The project of a recorded training view, or NULL when relid is not one
 * (not recorded, or not a view any more). SPI connected.
 */
static char *
tv_recorded_project(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1];

	if (!ViewExists(relid))
		return NULL;
	values[0] = ObjectIdGetDatum(relid);
	SpiExec("SELECT project FROM feast.training_views "
			"WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
			1, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return NULL;
	return SpiGetText(0, 1);
}

/*
 * tv_build creates the training view name as sql (whose columns are desc)
 * when relid is invalid, else redefines the recorded view relid: CREATE OR
 * REPLACE VIEW when its columns only grow, else DROP and CREATE, with its
 * grants given again. Returns the view's OID. SPI connected.
 */
static Oid
tv_build(Oid relid, const char *name, const char *sql, TupleDesc desc,
		 const HistArgs *args)
{
	Oid			owner = RegistryProjectOwner(args->project);
	char	   *comment = tv_comment(args);
	List	   *grants;
	Oid			new_relid;

	if (!OidIsValid(relid))
		return ViewCreate(name, sql, false, owner, args->project, comment,
						  NULL, "training view");
	name = ViewNameOf(relid);
	if (ViewColumnsExtend(ViewColumns(relid), desc))
		return ViewCreate(name, sql, true, owner, args->project, comment,
						  NULL, "training view");
	grants = OnlineGrantsSave(relid);
	ViewDrop(relid);
	new_relid = ViewCreate(name, sql, false, owner, args->project, comment,
						   NULL, "training view");
	OnlineGrantsRestore(new_relid, grants);
	return new_relid;
}

/* "c1, c2, ..." of the argument columns, or "c1 = $n, ..." with sep " = $". */
static char *
tv_columns_list(const char *sep, int first_param)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < HIST_NARGS; i++)
	{
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", tv_arg_columns[i]);
		if (sep)
			appendStringInfo(&buf, "%s%d", sep, first_param + i);
	}
	return buf.data;
}

/*
 * tv_record writes the row of training view relid with its arguments:
 * an UPDATE when the view kept its OID (old_relid), else the old row (if
 * any is left) goes and a new one is inserted. SPI connected.
 */
static void
tv_record(Oid relid, Oid old_relid, const HistArgs *args)
{
	Oid			types[HIST_NARGS + 1];
	Datum		values[HIST_NARGS + 1];
	bool		isnull[HIST_NARGS];
	char		nulls[HIST_NARGS + 1];
	StringInfoData sql;

	types[0] = OIDOID;
	values[0] = ObjectIdGetDatum(relid);
	nulls[0] = ' ';
	HistArgsToDatums(args, values + 1, isnull);
	for (int i = 0; i < HIST_NARGS; i++)
	{
		types[i + 1] = HistArgTypes[i];
		nulls[i + 1] = isnull[i] ? 'n' : ' ';
	}

	initStringInfo(&sql);
	if (OidIsValid(old_relid) && old_relid == relid)
	{
		appendStringInfo(&sql, "UPDATE feast.training_views SET %s, "
						 "created_at = pg_catalog.now() "
						 "WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
						 tv_columns_list(" = $", 2));
		ViewRecord(sql.data, HIST_NARGS + 1, types, values, nulls, SPI_OK_UPDATE);
		return;
	}
	if (OidIsValid(old_relid))
	{
		Oid			otypes[1] = {OIDOID};
		Datum		ovalues[1];

		ovalues[0] = ObjectIdGetDatum(old_relid);
		SpiExec("DELETE FROM feast.training_views "
				"WHERE relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
				1, otypes, ovalues, NULL, SPI_OK_DELETE);
	}
	appendStringInfo(&sql, "INSERT INTO feast.training_views (relid, %s) VALUES ($1::pg_catalog.regclass",
					 tv_columns_list(NULL, 0));
	for (int i = 0; i < HIST_NARGS; i++)
		appendStringInfo(&sql, ", $%d", i + 2);
	appendStringInfoChar(&sql, ')');
	ViewRecord(sql.data, HIST_NARGS + 1, types, values, nulls, SPI_OK_INSERT);
}

/* ----------------------------------------------------------------
 * feast_apply's hooks
 * ----------------------------------------------------------------
 */

/*
 * tv_try_plan plans the retrieval of a training view in a subtransaction;
 * false when that fails (the error is dropped).
 */
static bool
tv_try_plan(TrainingView *tv, Oid fn_oid)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) HistRetrievalSql(tv->args, fn_oid, NULL);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ok = true;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_END_TRY();
	return ok;
}

/* Order training views by name. */
static int
tv_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((TrainingView *) lfirst(a))->name,
				  ((TrainingView *) lfirst(b))->name);
}

/*
 * TrainingViewsLoad returns the project's training views that exist and
 * can be planned now, by name.
 */
List *
TrainingViewsLoad(const char *project, Oid fn_oid)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		pvalues[1];
	List	   *all = NIL;
	List	   *result = NIL;
	ListCell   *lc;
	uint64		n;
	SPITupleTable *tuptable;

	pvalues[0] = CStringGetTextDatum(project);
	SpiExec(psprintf("SELECT relid::pg_catalog.oid, %s FROM feast.training_views "
					 "WHERE project OPERATOR(pg_catalog.=) $1",
					 tv_columns_list(NULL, 0)),
			1, argtypes, pvalues, NULL, SPI_OK_SELECT);
	n = SPI_processed;
	tuptable = SPI_tuptable;
	for (uint64 r = 0; r < n; r++)
	{
		TrainingView *tv = palloc0(sizeof(TrainingView));
		Datum		values[HIST_NARGS];
		bool		nulls[HIST_NARGS];
		bool		isnull;

		tv->relid = DatumGetObjectId(SPI_getbinval(tuptable->vals[r], tuptable->tupdesc,
												   1, &isnull));
		if (!ViewExists(tv->relid))
			continue;
		for (int i = 0; i < HIST_NARGS; i++)
			values[i] = SPI_getbinval(tuptable->vals[r], tuptable->tupdesc, i + 2,
									  &nulls[i]);
		tv->args = HistArgsFromDatums(values, nulls);
		tv->name = ViewNameOf(tv->relid);
		all = lappend(all, tv);
	}
	SPI_freetuptable(tuptable);

	foreach(lc, all)
	{
		TrainingView *tv = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (tv_try_plan(tv, fn_oid))
			result = lappend(result, tv);
	}
	list_sort(result, tv_cmp);
	return result;
}

/*
 * tv_replan plans a training view's retrieval after the apply's writes: a
 * failure (but a cancel, a lack of resources or an internal error) is
 * reported as the change breaking the view.
 */
static char *
tv_replan(TrainingView *tv, Oid fn_oid, TupleDesc *desc)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *sql = NULL;

	PG_TRY();
	{
		sql = HistRetrievalSql(tv->args, fn_oid, desc);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			category;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		category = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		if (category == ERRCODE_OPERATOR_INTERVENTION ||
			category == ERRCODE_INSUFFICIENT_RESOURCES ||
			category == ERRCODE_PROGRAM_LIMIT_EXCEEDED ||
			category == ERRCODE_INTERNAL_ERROR ||
			category == ERRCODE_SYSTEM_ERROR)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("the change would break training view %s of project \"%s\"",
						tv->name, tv->args->project),
				 errdetail("After the change its retrieval fails: %s.", edata->message),
				 errhint("Drop the training view first with SELECT feast_drop_training_view(%s), or keep in the document what it uses.",
						 quote_literal_cstr(tv->name))));
	}
	PG_END_TRY();
	return sql;
}

/*
 * TrainingViewsUpdate plans each view again after the apply's writes, and
 * reports (and with rebuild, rebuilds) those whose columns change.
 */
List *
TrainingViewsUpdate(List *views, Oid fn_oid, bool rebuild)
{
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, views)
	{
		TrainingView *tv = lfirst(lc);
		TupleDesc	desc;
		char	   *sql = tv_replan(tv, fn_oid, &desc);
		char	   *detail;
		ApplyStep  *step;

		CHECK_FOR_INTERRUPTS();
		detail = ViewColumnsDiff(ViewColumns(tv->relid), desc);
		if (detail == NULL)
			continue;
		step = palloc0(sizeof(ApplyStep));
		step->type = APPLY_TRAINING_VIEW;
		step->action = APPLY_UPDATED;
		step->name = tv->name;
		step->report = true;
		step->detail = detail;
		steps = lappend(steps, step);
		if (rebuild)
		{
			Oid			relid = tv_build(tv->relid, tv->name, sql, desc, tv->args);

			tv_record(relid, tv->relid, tv->args);
		}
	}
	return steps;
}
