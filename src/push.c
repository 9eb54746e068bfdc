/*-------------------------------------------------------------------------
 *
 * push.c
 *		feast_push and feast_write_to_offline_store: rows from the caller
 *		into the online tables and the batch sources.
 *
 * The rows argument is a relation or a query. It is read first, with the
 * transaction read-only, into a temporary table (INSERT into a temporary
 * table is allowed in a read-only transaction; nothing else is): the
 * caller's query cannot write. Only then do we write, set-based, from the
 * temporary table, which is dropped at the end.
 *
 * Columns are matched by name, using Feast-side names: a source column
 * renamed by field_mapping is given under its Feast name; other columns
 * under their own name. Values are cast to the target column types; a
 * timestamp without time zone means UTC on either side.
 *
 * - feast_push: the rows must have the columns the feature views fed by
 *   the push source need (join keys, the timestamp field, their features),
 *   and may have any other column of the batch source (its created column,
 *   say); any other column is an error.
 *   online: every online view's table gets, per key, the newest pushed row
 *   (rows with a NULL key or timestamp are skipped), with the newest-wins
 *   rule against what is stored, written in key order as materialization
 *   writes. offline: the rows are appended once to the batch source table
 *   (all views of a push source share it). online_and_offline: both.
 * - feast_write_to_offline_store: the rows are appended to the view's
 *   batch source table. They must have the view's join keys, timestamp
 *   field and features; they may have any other column of the table.
 *
 * Everything happens in the caller's transaction: a failure leaves the
 * online tables and the sources as they were. The project's advisory lock
 * is held shared, so feast_apply cannot change the registry meanwhile.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/push.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "online.h"
#include "registry.h"
#include "sqlbuild.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_push);
PG_FUNCTION_INFO_V1(ofs_feast_write_to_offline_store);

/* The caller's rows, copied into a temporary table. */
typedef struct StagedRows
{
	char	   *table;			/* pg_temp.<name>, quoted */
	TupleDesc	desc;			/* its columns: the rows' columns */
	int64		nrows;
} StagedRows;

static int	stage_counter = 0;

static StagedRows *stage_rows(const char *rows);
static void unstage_rows(StagedRows *staged);
static void add_name(List **names, const char *name);
static bool name_in(List *names, const char *name);
static void add_source_columns(const RegSource *src, List *required,
							   List **optional);
static void check_columns(TupleDesc desc, List *required, List *optional,
						  const char *object);
static char *cast_expr(const char *expr, Oid from, Oid to, int32 typmod);
static void check_finite(StagedRows *staged, const char *column);
static void push_online(const RegFeatureView *fv, StagedRows *staged);
static void append_offline(const RegSource *src, StagedRows *staged);

/*
 * stage_rows copies the rows (relation or query) into a new temporary
 * table, reading them with the transaction read-only. Caller is connected
 * to SPI.
 */
static StagedRows *
stage_rows(const char *rows)
{
	StagedRows *staged = palloc0(sizeof(StagedRows));
	char	   *from = SqlRelationOrQuery(rows, "rows");
	StringInfoData sql;
	int			nestlevel;

	staged->desc = OnlineDescribe(from, CurrentMemoryContext);
	/* temporary tables are per session: a counter keeps nested names apart */
	staged->table = psprintf("pg_temp.offline_store_rows_%d", ++stage_counter);

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TEMPORARY TABLE %s (", staged->table);
	for (int i = 0; i < staged->desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(staged->desc, i);

		if (att->attisdropped)
			continue;
		for (int j = 0; j < i; j++)
			if (strcmp(NameStr(TupleDescAttr(staged->desc, j)->attname),
					   NameStr(att->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears more than once in rows",
								NameStr(att->attname))));
		appendStringInfo(&sql, "%s%s %s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)),
						 format_type_extended(att->atttypid, att->atttypmod,
											  FORMAT_TYPE_TYPEMOD_GIVEN |
											  FORMAT_TYPE_FORCE_QUALIFY));
	}
	appendStringInfoString(&sql, ") ON COMMIT DROP");
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);

	resetStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s SELECT * FROM %s r", staged->table, from);
	nestlevel = SqlBeginReadOnly();
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_INSERT);
	staged->nrows = (int64) SPI_processed;
	SqlEndReadOnly(nestlevel);
	pfree(sql.data);
	return staged;
}

static void
unstage_rows(StagedRows *staged)
{
	SpiExec(psprintf("DROP TABLE %s", staged->table),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

static void
add_name(List **names, const char *name)
{
	ListCell   *lc;

	foreach(lc, *names)
		if (strcmp(lfirst(lc), name) == 0)
			return;
	*names = lappend(*names, pstrdup(name));
}

static bool
name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* "a", "b" */
static char *
name_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s\"%s\"", buf.len > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/*
 * add_source_columns adds the Feast-side names of the batch source's other
 * columns to *optional: rows may carry them (an offline write stores them,
 * an online write ignores them). Caller is connected to SPI.
 */
static void
add_source_columns(const RegSource *src, List *required, List **optional)
{
	TupleDesc	desc = OnlineDescribe(RegSourceFromItem(src), CurrentMemoryContext);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);

		if (att->attisdropped)
			continue;
		for (int m = 0; m < src->nmappings; m++)
			if (strcmp(src->map_from[m], name) == 0)
				name = src->map_to[m];
		if (!name_in(required, name))
			add_name(optional, name);
	}
}

/*
 * check_columns errors, listing both, when a required column is missing
 * from the rows or the rows have a column that is neither required nor
 * optional.
 */
static void
check_columns(TupleDesc desc, List *required, List *optional, const char *object)
{
	List	   *missing = NIL;
	List	   *unexpected = NIL;
	ListCell   *lc;
	StringInfoData detail;

	foreach(lc, required)
		if (OnlineFindColumn(desc, lfirst(lc)) == NULL)
			missing = lappend(missing, lfirst(lc));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && !name_in(required, NameStr(att->attname)) &&
			!name_in(optional, NameStr(att->attname)))
			unexpected = lappend(unexpected, NameStr(att->attname));
	}
	if (missing == NIL && unexpected == NIL)
		return;

	initStringInfo(&detail);
	if (missing != NIL)
		appendStringInfo(&detail, "Missing columns: %s.", name_list(missing));
	if (unexpected != NIL)
		appendStringInfo(&detail, "%sUnexpected columns: %s.",
						 missing != NIL ? " " : "", name_list(unexpected));
	ereport(ERROR,
			(errcode(missing != NIL ? ERRCODE_UNDEFINED_COLUMN : ERRCODE_DATATYPE_MISMATCH),
			 errmsg("rows do not match the columns of %s", object),
			 errdetail("%s", detail.data),
			 optional != NIL ?
			 errhint("The rows must have the columns %s, and may have %s.",
					 name_list(required), name_list(optional)) :
			 errhint("The rows must have the columns %s.", name_list(required))));
}

/*
 * cast_expr converts expr of type from to the type to: a timestamp
 * without time zone means UTC; anything else is an explicit cast.
 */
static char *
cast_expr(const char *expr, Oid from, Oid to, int32 typmod)
{
	if (from == to && typmod == -1)
		return pstrdup(expr);
	if ((from == TIMESTAMPOID && to == TIMESTAMPTZOID) ||
		(from == TIMESTAMPTZOID && to == TIMESTAMPOID))
		return psprintf("pg_catalog.timezone('UTC'::pg_catalog.text, %s)", expr);
	return psprintf("CAST(%s AS %s)", expr,
					format_type_extended(to, typmod,
										 FORMAT_TYPE_TYPEMOD_GIVEN |
										 FORMAT_TYPE_FORCE_QUALIFY));
}

/* r.<name> cast to the type of column col of target desc */
static char *
staged_value(StagedRows *staged, const char *name, TupleDesc target,
			 const char *col)
{
	Form_pg_attribute from = OnlineFindColumn(staged->desc, name);
	Form_pg_attribute to = OnlineFindColumn(target, col);

	if (to == NULL)
		elog(ERROR, "column \"%s\" missing in target", col);
	return cast_expr(psprintf("r.%s", quote_identifier(name)),
					 from->atttypid, to->atttypid, to->atttypmod);
}

/*
 * check_finite rejects infinite timestamps: with newest-wins, an online
 * value at +infinity could never be replaced.
 */
static void
check_finite(StagedRows *staged, const char *column)
{
	char	   *sql = psprintf("SELECT 1 FROM %s r WHERE r.%s::pg_catalog.text "
							   "OPERATOR(pg_catalog.=) ANY (ARRAY['infinity', '-infinity']) LIMIT 1",
							   staged->table, quote_identifier(column));
	int			rc = SPI_execute(sql, false, 1);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" of the pushed rows contains an infinite timestamp", column),
				 errdetail("Pushed rows must have finite timestamps.")));
}

/*
 * push_online upserts the newest staged row per key into fv's online
 * table, newest-wins against what is stored.
 */
static void
push_online(const RegFeatureView *fv, StagedRows *staged)
{
	const RegSource *src = fv->source;
	char	   *online = OnlineTableOf(fv);
	TupleDesc	odesc = OnlineDescribe(online, CurrentMemoryContext);
	StringInfoData from;
	char	  **key_exprs = palloc0(sizeof(char *) * (fv->nkeys + 1));
	char	  **feature_exprs = palloc0(sizeof(char *) * (fv->nfeatures + 1));
	char	   *ts;
	char	   *cr = NULL;

	ts = staged_value(staged, src->timestamp_field, odesc, "event_timestamp");
	if (src->created_timestamp_column &&
		OnlineFindColumn(staged->desc, src->created_timestamp_column))
		cr = staged_value(staged, src->created_timestamp_column, odesc,
						  "created_timestamp");
	for (int i = 0; i < fv->nkeys; i++)
		key_exprs[i] = staged_value(staged, fv->join_keys[i], odesc,
									fv->join_keys[i]);
	for (int i = 0; i < fv->nfeatures; i++)
		feature_exprs[i] = staged_value(staged, fv->features[i].name, odesc,
										fv->features[i].name);

	/* rows with a NULL key or timestamp are not stored online */
	initStringInfo(&from);
	appendStringInfo(&from, "FROM %s r WHERE %s IS NOT NULL", staged->table, ts);
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(&from, " AND r.%s IS NOT NULL",
						 quote_identifier(fv->join_keys[i]));

	SpiExec(OnlineUpsertNewest(fv, online, key_exprs, feature_exprs, ts, cr,
							   from.data, ts, cr),
			0, NULL, NULL, NULL, SPI_OK_INSERT);
}

/*
 * append_offline appends every staged row to the batch source table, each
 * staged column going to the source column that holds its Feast name.
 */
static void
append_offline(const RegSource *src, StagedRows *staged)
{
	char	   *target;
	TupleDesc	tdesc;
	StringInfoData cols;
	StringInfoData vals;

	if (src->is_query)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot append rows to data source \"%s\"", src->name),
				 errdetail("It is a query, not a table.")));
	target = RegSourceFromItem(src);
	tdesc = OnlineDescribe(target, CurrentMemoryContext);

	initStringInfo(&cols);
	initStringInfo(&vals);
	for (int i = 0; i < staged->desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(staged->desc, i);
		const char *col;

		if (att->attisdropped)
			continue;
		col = RegSourceColumn(src, NameStr(att->attname));
		if (OnlineFindColumn(tdesc, col) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							col, src->table_name),
					 errdetail("Data source \"%s\" has no column for \"%s\".",
							   src->name, NameStr(att->attname))));
		appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "",
						 quote_identifier(col));
		appendStringInfo(&vals, "%s%s", vals.len > 0 ? ", " : "",
						 staged_value(staged, NameStr(att->attname), tdesc, col));
	}
	SpiExec(psprintf("INSERT INTO %s (%s) SELECT %s FROM %s r",
					 target, cols.data, vals.data, staged->table),
			0, NULL, NULL, NULL, SPI_OK_INSERT);
}

/*
 * feast_push(push_source, rows, "to", project)
 */
Datum
ofs_feast_push(PG_FUNCTION_ARGS)
{
	char	   *push_source;
	char	   *rows;
	char	   *to = OnlineTextArg(fcinfo, 2);
	char	   *project;
	bool		online;
	bool		offline;
	List	   *view_names;
	List	   *views = NIL;
	List	   *required = NIL;
	List	   *optional = NIL;
	RegSource  *src = NULL;
	bool		any_online = false;
	StagedRows *staged;
	int64		nrows;
	ListCell   *lc;
	int			rc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("push_source and rows must not be NULL")));
	push_source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	rows = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (to == NULL)
		to = "online";
	online = strcmp(to, "online") == 0 || strcmp(to, "online_and_offline") == 0;
	offline = strcmp(to, "offline") == 0 || strcmp(to, "online_and_offline") == 0;
	if (!online && !offline)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for \"to\": \"%s\"", to),
				 errhint("Valid values are: online, offline, online_and_offline.")));

	project = OnlineProjectArg(fcinfo, 3);
	if (online)
		RegistryCheckProjectOwner(project);
	RegistryLockProject(project, false);
	view_names = RegistryPushSourceViews(project, push_source);
	if (view_names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("push source \"%s\" feeds no feature view", push_source)));

	foreach(lc, view_names)
	{
		RegFeatureView *fv = RegistryGetFeatureView(project, lfirst(lc));

		views = lappend(views, fv);
		any_online |= fv->online;
		for (int i = 0; i < fv->nkeys; i++)
			add_name(&required, fv->join_keys[i]);
	}
	if (views == NIL)			/* not reached: the error above */
		PG_RETURN_INT64(0);
	/* every view of a push source reads its batch source */
	src = ((RegFeatureView *) linitial(views))->source;
	add_name(&required, src->timestamp_field);
	foreach(lc, views)
	{
		RegFeatureView *fv = lfirst(lc);

		for (int i = 0; i < fv->nfeatures; i++)
			add_name(&required, fv->features[i].name);
	}
	if (src->created_timestamp_column)
		add_name(&optional, src->created_timestamp_column);
	if (online && !any_online)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("push source \"%s\" feeds no online feature view", push_source),
				 errhint("Push with \"to\" => 'offline'.")));

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	add_source_columns(src, required, &optional);
	staged = stage_rows(rows);
	check_columns(staged->desc, required, optional,
				  psprintf("push source \"%s\"", push_source));
	check_finite(staged, src->timestamp_field);
	if (src->created_timestamp_column &&
		OnlineFindColumn(staged->desc, src->created_timestamp_column))
		check_finite(staged, src->created_timestamp_column);
	if (online)
	{
		foreach(lc, views)
		{
			RegFeatureView *fv = lfirst(lc);

			if (fv->online)
				push_online(fv, staged);
		}
	}
	if (offline)
		append_offline(src, staged);
	nrows = staged->nrows;
	unstage_rows(staged);
	SPI_finish();
	PG_RETURN_INT64(nrows);
}

/*
 * feast_write_to_offline_store(feature_view, rows, project)
 */
Datum
ofs_feast_write_to_offline_store(PG_FUNCTION_ARGS)
{
	char	   *view;
	char	   *rows;
	char	   *project;
	RegFeatureView *fv;
	RegSource  *src;
	List	   *required = NIL;
	List	   *optional = NIL;
	StagedRows *staged;
	int64		nrows;
	int			rc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature_view and rows must not be NULL")));
	view = text_to_cstring(PG_GETARG_TEXT_PP(0));
	rows = text_to_cstring(PG_GETARG_TEXT_PP(1));
	project = OnlineProjectArg(fcinfo, 2);
	RegistryLockProject(project, false);
	fv = RegistryGetFeatureView(project, view);
	src = fv->source;
	if (src->is_query)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot append rows to data source \"%s\"", src->name),
				 errdetail("It is a query, not a table.")));

	for (int i = 0; i < fv->nkeys; i++)
		add_name(&required, fv->join_keys[i]);
	add_name(&required, src->timestamp_field);
	for (int i = 0; i < fv->nfeatures; i++)
		add_name(&required, fv->features[i].name);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	add_source_columns(src, required, &optional);

	staged = stage_rows(rows);
	check_columns(staged->desc, required, optional,
				  psprintf("the batch source of feature view \"%s\"", view));
	append_offline(src, staged);
	nrows = staged->nrows;
	unstage_rows(staged);
	SPI_finish();
	PG_RETURN_INT64(nrows);
}
