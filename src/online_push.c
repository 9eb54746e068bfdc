/*-------------------------------------------------------------------------
 *
 * online_push.c
 *		feast_push and feast_write_to_offline_store: rows from the caller
 *		into the online tables and the batch sources.
 *
 * The rows argument is a relation or a query. It is run with the
 * transaction read-only (the caller's query cannot write), and its rows
 * are kept in a tuplestore through a DestReceiver. No temporary table:
 * a push changes no catalog, needs no TEMP privilege, and does not keep
 * PREPARE TRANSACTION from working.
 *
 * Columns are matched by name, using Feast-side names: a source column
 * renamed by field_mapping is given under its Feast name; other columns
 * under their own name. Each value is then converted to the type of the
 * batch source column it belongs to, as INSERT assigns a value to a column:
 * assignment casts and typmod coercion, so that 'alice' into varchar(3) is
 * an error (22001), never 'ali'. A value of a string type with no
 * assignment cast to the column's type (text into timestamp, say) is read
 * by the type's input function with the column's typmod, as INSERT reads a
 * quoted literal. The conversion runs with TimeZone set to UTC: a
 * timestamp without time zone, a date, or a timestamp written as text
 * without an offset means UTC, whatever the session's TimeZone.
 *
 * The converted rows are rows of the batch source. They are registered as
 * an ephemeral named relation (as trigger transition tables are) and
 * written set-based from it: appended to the batch source table by an
 * INSERT, and upserted into each online table by OnlineUpsertSql, which
 * keeps the newest row per key as materialization does. A pushed row
 * therefore reaches the online table exactly as materializing it from the
 * batch source would bring it there: the same key (grouped by the online
 * key's equality, naive timestamps as UTC), the same tie rules, the same
 * newest-wins rule against what is stored, and rows written in key order.
 *
 * - feast_push: the rows must have the columns the feature views fed by
 *   the push source need (join keys, the timestamp field, their features),
 *   and may have any other column of the batch source (its created column,
 *   say); any other column is an error. Infinite timestamps are refused
 *   (with newest-wins an online value at +infinity could never be
 *   replaced).
 *   online: every online view's table gets, per key, the newest pushed row
 *   (rows with a NULL key or timestamp are skipped), with the newest-wins
 *   rule against what is stored. offline: the rows are appended once to
 *   the batch source table (all views of a push source share it).
 *   online_and_offline: both.
 * - feast_write_to_offline_store: the rows are appended to the view's
 *   batch source table. They must have the view's join keys, timestamp
 *   field and features; they may have any other column of the table.
 *   Infinite timestamps are refused as by feast_push (a materialization
 *   would bring them online).
 *
 * Everything happens in the caller's transaction: a failure leaves the
 * online tables and the sources as they were. The project's advisory lock
 * is held shared, so feast_apply cannot change the registry meanwhile.
 * All state is per call (in the SPI procedure context).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_push.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/queryenvironment.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "online.h"
#include "registry.h"
#include "sqlbuild.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(ofs_feast_push);
PG_FUNCTION_INFO_V1(ofs_feast_write_to_offline_store);

/*
 * The name under which the converted rows are visible to the statements
 * that write them. An unqualified name that is not a CTE resolves to an
 * ephemeral named relation before any table, so no table can stand in.
 */
#define PUSH_ROWS_RELATION "offline_store_pushed_rows"

/* How one column of the rows becomes a value of a batch source column. */
typedef struct PushColumn
{
	const char *name;			/* in the rows: the Feast-side name */
	Form_pg_attribute from;		/* the rows' column */
	Form_pg_attribute to;		/* the batch source's column */
	Expr	   *assign_expr;	/* assignment conversion, or NULL */
	ExprState  *assign;			/* assign_expr, prepared by rows_convert */
	bool		via_input;		/* read by to's input function */
	FmgrInfo	outfunc;		/* from's output function (via_input) */
	FmgrInfo	infunc;			/* to's input function (via_input) */
	Oid			ioparam;
	bool		finite;			/* must be a finite timestamp or date */
} PushColumn;

/* The caller's rows: read, then converted to the batch source's types. */
typedef struct PushRows
{
	SPIPlanPtr	plan;			/* SELECT * FROM <rows> */
	TupleDesc	rows_desc;		/* the rows' columns */
	int			ncols;
	PushColumn *cols;			/* one per column of the rows */
	TupleDesc	desc;			/* converted: source column names and types */
	Tuplestorestate *store;		/* converted rows */
	int64		nrows;
} PushRows;

/* DestReceiver keeping the rows of the caller's query in a tuplestore. */
typedef struct PushRowsReceiver
{
	DestReceiver pub;
	Tuplestorestate *store;
	int			natts;
	int64		count;
} PushRowsReceiver;

/* What is being converted, for the error context. */
typedef struct PushConvertPosition
{
	const PushColumn *col;
	int64		row;
} PushConvertPosition;

static PushRows *rows_prepare(const char *rows);
static void rows_map(PushRows *pr, const RegSource *src, TupleDesc src_desc,
					 List *finite);
static void rows_read(PushRows *pr);
static void rows_convert(PushRows *pr);
static void rows_register(PushRows *pr);
static void rows_receiver_startup(DestReceiver *self, int operation,
								  TupleDesc typeinfo);
static bool rows_receive(TupleTableSlot *slot, DestReceiver *self);
static void rows_receiver_noop(DestReceiver *self);
static void convert_error_callback(void *arg);
static void check_finite(const PushColumn *col, Datum value);
static void add_name(List **names, const char *name);
static bool name_in(List *names, const char *name);
static char *name_list(List *names);
static void add_source_columns(TupleDesc src_desc, const RegSource *src,
							   List *required, List **optional);
static void check_columns(TupleDesc desc, List *required, List *optional,
						  const char *push_source, const char *view);
static void append_offline(const RegSource *src, PushRows *pr);

/*
 * rows_prepare parses (without running) SELECT * FROM <rows> and returns
 * the rows' description. Caller is connected to SPI; the result lives in
 * the current (SPI procedure) context.
 */
static PushRows *
rows_prepare(const char *rows)
{
	PushRows   *pr = palloc0(sizeof(PushRows));
	char	   *sql = psprintf("SELECT * FROM %s r", SqlRelationOrQuery(rows, "rows"));
	List	   *sources;

	pr->plan = SPI_prepare(sql, 0, NULL);
	if (pr->plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(pr->plan);
	if (list_length(sources) != 1)
		elog(ERROR, "unexpected number of statements");
	pr->rows_desc = CreateTupleDescCopy(((CachedPlanSource *) linitial(sources))->resultDesc);

	for (int i = 0; i < pr->rows_desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(pr->rows_desc, i);

		for (int j = 0; j < i; j++)
			if (strcmp(NameStr(TupleDescAttr(pr->rows_desc, j)->attname),
					   NameStr(att->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears more than once in rows",
								NameStr(att->attname))));
	}
	return pr;
}

/*
 * rows_map finds, for each column of the rows (already checked against the
 * required and optional names), the batch source column it goes to, and
 * how to convert its values: an assignment conversion, a string read by the
 * input function, or nothing (same type and typmod). Columns named in
 * finite must hold finite timestamps. src_desc is the batch source's
 * columns. Builds the converted rows' description (source column names
 * and types).
 */
static void
rows_map(PushRows *pr, const RegSource *src, TupleDesc src_desc, List *finite)
{
	ParseState *pstate = make_parsestate(NULL);
	int			natts = pr->rows_desc->natts;

	pr->ncols = natts;
	pr->cols = palloc0(sizeof(PushColumn) * natts);
	pr->desc = CreateTemplateTupleDesc(natts);
	for (int i = 0; i < natts; i++)
	{
		PushColumn *col = &pr->cols[i];
		const char *colname;
		Node	   *var;
		Node	   *expr;

		col->from = TupleDescAttr(pr->rows_desc, i);
		col->name = NameStr(col->from->attname);
		colname = RegSourceColumn(src, col->name);
		col->to = OnlineFindColumn(src_desc, colname);
		if (col->to == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of data source \"%s\" does not exist",
							colname, src->name),
					 errdetail("The rows have a column \"%s\".", col->name)));
		for (int j = 0; j < i; j++)
			if (pr->cols[j].to == col->to)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("columns \"%s\" and \"%s\" of the rows both go to column \"%s\" of data source \"%s\"",
								pr->cols[j].name, col->name, colname, src->name)));
		TupleDescInitEntry(pr->desc, i + 1, NameStr(col->to->attname),
						   col->to->atttypid, col->to->atttypmod, 0);
		TupleDescInitEntryCollation(pr->desc, i + 1, col->to->attcollation);
		col->finite = name_in(finite, col->name);

		/* what INSERT does with a value of this type for this column */
		var = (Node *) makeVar(1, i + 1, col->from->atttypid, col->from->atttypmod,
							   col->from->attcollation, 0);
		expr = coerce_to_target_type(pstate, var, col->from->atttypid,
									 col->to->atttypid, col->to->atttypmod,
									 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
		if (expr != NULL && expr != var)
		{
			assign_expr_collations(pstate, expr);
			col->assign_expr = (Expr *) expr;
		}
		else if (expr == NULL)
		{
			Oid			outfunc;
			Oid			infunc;
			bool		isvarlena;

			if (TypeCategory(col->from->atttypid) != TYPCATEGORY_STRING)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of the rows is of type %s but column \"%s\" of data source \"%s\" is of type %s",
								col->name, format_type_be(col->from->atttypid),
								colname, src->name,
								format_type_with_typemod(col->to->atttypid,
														 col->to->atttypmod)),
						 errhint("Cast the column to type %s in the rows query.",
								 format_type_with_typemod(col->to->atttypid,
														  col->to->atttypmod))));
			/* as INSERT reads a quoted literal */
			col->via_input = true;
			getTypeOutputInfo(col->from->atttypid, &outfunc, &isvarlena);
			fmgr_info(outfunc, &col->outfunc);
			getTypeInputInfo(col->to->atttypid, &infunc, &col->ioparam);
			fmgr_info(infunc, &col->infunc);
		}
	}
	free_parsestate(pstate);
}

static void
rows_receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	PushRowsReceiver *r = (PushRowsReceiver *) self;

	/* the plan is the one described: a changed shape cannot happen */
	if (typeinfo->natts != r->natts)
		elog(ERROR, "rows changed shape: %d columns instead of %d",
			 typeinfo->natts, r->natts);
}

static bool
rows_receive(TupleTableSlot *slot, DestReceiver *self)
{
	PushRowsReceiver *r = (PushRowsReceiver *) self;

	tuplestore_puttupleslot(r->store, slot);
	if ((++r->count & 0xfff) == 0)
		CHECK_FOR_INTERRUPTS();
	return true;
}

static void
rows_receiver_noop(DestReceiver *self)
{
}

/*
 * rows_read runs the rows query, read-only, into a tuplestore
 * (pr->store, rows as given), and converts them (rows_convert).
 */
static void
rows_read(PushRows *pr)
{
	PushRowsReceiver recv;
	SPIExecuteOptions options;
	int			nestlevel;
	int			rc;

	memset(&recv, 0, sizeof(recv));
	recv.pub.receiveSlot = rows_receive;
	recv.pub.rStartup = rows_receiver_startup;
	recv.pub.rShutdown = rows_receiver_noop;
	recv.pub.rDestroy = rows_receiver_noop;
	recv.pub.mydest = DestTuplestore;
	recv.store = tuplestore_begin_heap(false, false, work_mem);
	recv.natts = pr->rows_desc->natts;

	memset(&options, 0, sizeof(options));
	options.dest = &recv.pub;

	nestlevel = SqlBeginReadOnly();
	rc = SPI_execute_plan_extended(pr->plan, &options);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
	SPI_freeplan(pr->plan);
	pr->plan = NULL;
	pr->store = recv.store;
	pr->nrows = recv.count;

	/* user-defined casts run read-only too */
	rows_convert(pr);
	SqlEndReadOnly(nestlevel);
}

static void
convert_error_callback(void *arg)
{
	PushConvertPosition *pos = (PushConvertPosition *) arg;

	if (pos->col)
		errcontext("converting column \"%s\" of row %lld of the rows to type %s",
				   pos->col->name, (long long) pos->row,
				   format_type_with_typemod(pos->col->to->atttypid,
											pos->col->to->atttypmod));
}

/*
 * check_finite errors when value (of col's target type) is an infinite
 * timestamp or date.
 */
static void
check_finite(const PushColumn *col, Datum value)
{
	Oid			base = getBaseType(col->to->atttypid);
	bool		infinite;

	if (base == TIMESTAMPOID || base == TIMESTAMPTZOID)
		infinite = TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value));
	else if (base == DATEOID)
		infinite = DATE_NOT_FINITE(DatumGetDateADT(value));
	else
		return;
	if (infinite)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" of the rows contains an infinite timestamp",
						col->name),
				 errdetail("Rows written to a data source or an online table must have finite timestamps.")));
}

/*
 * rows_convert turns the rows in pr->store into rows of the batch source's
 * types (a new tuplestore, unless no column needs converting), checking
 * finite timestamps on the converted values. Runs with TimeZone UTC.
 */
static void
rows_convert(PushRows *pr)
{
	bool		convert = false;
	bool		check = false;
	EState	   *estate;
	ExprContext *econtext;
	TupleTableSlot *slot;
	Tuplestorestate *out = NULL;
	Datum	   *values;
	bool	   *nulls;
	PushConvertPosition pos = {0};
	ErrorContextCallback errcb;
	int			nestlevel;

	for (int i = 0; i < pr->ncols; i++)
	{
		convert |= pr->cols[i].assign_expr != NULL || pr->cols[i].via_input;
		check |= pr->cols[i].finite;
	}
	if (!convert && !check)
		return;

	nestlevel = NewGUCNestLevel();
	(void) set_config_option("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	estate = CreateExecutorState();
	econtext = GetPerTupleExprContext(estate);
	slot = MakeSingleTupleTableSlot(pr->rows_desc, &TTSOpsMinimalTuple);
	econtext->ecxt_scantuple = slot;
	for (int i = 0; i < pr->ncols; i++)
		if (pr->cols[i].assign_expr)
			pr->cols[i].assign = ExecPrepareExpr(pr->cols[i].assign_expr, estate);
	if (convert)
		out = tuplestore_begin_heap(false, false, work_mem);
	values = palloc(sizeof(Datum) * pr->ncols);
	nulls = palloc(sizeof(bool) * pr->ncols);

	errcb.callback = convert_error_callback;
	errcb.arg = &pos;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	tuplestore_rescan(pr->store);
	while (tuplestore_gettupleslot(pr->store, true, false, slot))
	{
		MemoryContext oldcxt;

		pos.row++;
		if ((pos.row & 0xfff) == 0)
			CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
		for (int i = 0; i < pr->ncols; i++)
		{
			PushColumn *col = &pr->cols[i];

			pos.col = col;
			values[i] = slot->tts_values[i];
			nulls[i] = slot->tts_isnull[i];
			if (col->assign)
				values[i] = ExecEvalExpr(col->assign, econtext, &nulls[i]);
			else if (col->via_input)
			{
				/* a NULL too goes through the input function: domains */
				char	   *str = nulls[i] ? NULL :
				OutputFunctionCall(&col->outfunc, values[i]);

				values[i] = InputFunctionCall(&col->infunc, str, col->ioparam,
											  col->to->atttypmod);
			}
		}
		pos.col = NULL;
		for (int i = 0; i < pr->ncols; i++)
			if (pr->cols[i].finite && !nulls[i])
				check_finite(&pr->cols[i], values[i]);
		MemoryContextSwitchTo(oldcxt);
		if (out)
			tuplestore_putvalues(out, pr->desc, values, nulls);
		ResetExprContext(econtext);
	}
	error_context_stack = errcb.previous;

	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	for (int i = 0; i < pr->ncols; i++)
		pr->cols[i].assign = NULL;	/* freed with estate */
	if (out)
	{
		tuplestore_end(pr->store);
		pr->store = out;
	}
	else
		tuplestore_rescan(pr->store);
	AtEOXact_GUC(true, nestlevel);
}

/*
 * rows_register makes the converted rows visible to the statements of this
 * SPI connection as PUSH_ROWS_RELATION.
 */
static void
rows_register(PushRows *pr)
{
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));
	int			rc;

	enr->md.name = PUSH_ROWS_RELATION;
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = pr->desc;
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = (double) pr->nrows;
	enr->reldata = pr->store;
	if ((rc = SPI_register_relation(enr)) != SPI_OK_REL_REGISTER)
		elog(ERROR, "SPI_register_relation failed: %s", SPI_result_code_string(rc));
}

static void
add_name(List **names, const char *name)
{
	if (!name_in(*names, name))
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
 * columns (src_desc) to *optional: rows may carry them (an offline write
 * stores them, an online write ignores them).
 */
static void
add_source_columns(TupleDesc src_desc, const RegSource *src, List *required,
				   List **optional)
{
	for (int i = 0; i < src_desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(src_desc, i);
		const char *name = NameStr(att->attname);

		if (att->attisdropped)
			continue;
		for (int m = 0; m < src->field_mapping.n; m++)
			if (strcmp(src->field_mapping.keys[m], name) == 0)
				name = src->field_mapping.values[m];
		if (!name_in(required, name))
			add_name(optional, name);
	}
}

/*
 * check_columns errors, listing both, when a required column is missing
 * from the rows or the rows have a column that is neither required nor
 * optional. The rows are for push source push_source, or else for the
 * batch source of feature view view.
 */
static void
check_columns(TupleDesc desc, List *required, List *optional,
			  const char *push_source, const char *view)
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
		appendStringInfo(&detail, _("Missing columns: %s."), name_list(missing));
	if (unexpected != NIL)
	{
		if (missing != NIL)
			appendStringInfoChar(&detail, ' ');
		appendStringInfo(&detail, _("Unexpected columns: %s."), name_list(unexpected));
	}
	ereport(ERROR,
			(errcode(missing != NIL ? ERRCODE_UNDEFINED_COLUMN : ERRCODE_DATATYPE_MISMATCH),
			 push_source ?
			 errmsg("rows do not match the columns of push source \"%s\"", push_source) :
			 errmsg("rows do not match the columns of the batch source of feature view \"%s\"",
					view),
			 errdetail_internal("%s", detail.data),
			 optional != NIL ?
			 errhint("The rows must have the columns %s, and may have %s.",
					 name_list(required), name_list(optional)) :
			 errhint("The rows must have the columns %s.", name_list(required))));
}

/*
 * append_offline appends every converted row to the batch source table:
 * the columns already have the table's types, so the INSERT converts
 * nothing.
 */
static void
append_offline(const RegSource *src, PushRows *pr)
{
	StringInfoData cols;

	if (src->type == REG_SOURCE_QUERY)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot append rows to data source \"%s\"", src->name),
				 errdetail("It is a query, not a table.")));

	initStringInfo(&cols);
	for (int i = 0; i < pr->desc->natts; i++)
		appendStringInfo(&cols, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(pr->desc, i)->attname)));
	SpiExec(psprintf("INSERT INTO %s (%s) SELECT %s FROM %s",
					 RegSourceFromItem(src), cols.data, cols.data,
					 PUSH_ROWS_RELATION),
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
	List	   *finite = NIL;
	RegSource  *src = NULL;
	bool		any_online = false;
	TupleDesc	src_desc;
	PushRows   *pr;
	int64		nrows;
	ListCell   *lc;

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
	add_name(&finite, src->timestamp_field);
	if (src->created_timestamp_column)
		add_name(&finite, src->created_timestamp_column);
	if (online && !any_online)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("push source \"%s\" feeds no online feature view", push_source),
				 errhint("Push with \"to\" => 'offline'.")));

	SpiConnect();
	src_desc = OnlineDescribe(RegSourceFromItem(src), CurrentMemoryContext);
	add_source_columns(src_desc, src, required, &optional);
	pr = rows_prepare(rows);
	check_columns(pr->rows_desc, required, optional, push_source, NULL);
	rows_map(pr, src, src_desc, finite);
	rows_read(pr);
	rows_register(pr);
	if (online)
	{
		foreach(lc, views)
		{
			RegFeatureView *fv = lfirst(lc);

			if (fv->online)
				SpiExec(OnlineUpsertSql(fv, pr->desc, PUSH_ROWS_RELATION),
						0, NULL, NULL, NULL, SPI_OK_INSERT);
		}
	}
	if (offline)
		append_offline(src, pr);
	nrows = pr->nrows;
	tuplestore_end(pr->store);
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
	List	   *finite = NIL;
	TupleDesc	src_desc;
	PushRows   *pr;
	int64		nrows;

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
	if (src->type == REG_SOURCE_QUERY)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot append rows to data source \"%s\"", src->name),
				 errdetail("It is a query, not a table.")));

	for (int i = 0; i < fv->nkeys; i++)
		add_name(&required, fv->join_keys[i]);
	add_name(&required, src->timestamp_field);
	for (int i = 0; i < fv->nfeatures; i++)
		add_name(&required, fv->features[i].name);
	add_name(&finite, src->timestamp_field);
	if (src->created_timestamp_column)
		add_name(&finite, src->created_timestamp_column);

	SpiConnect();
	src_desc = OnlineDescribe(RegSourceFromItem(src), CurrentMemoryContext);
	add_source_columns(src_desc, src, required, &optional);
	pr = rows_prepare(rows);
	check_columns(pr->rows_desc, required, optional, NULL, view);
	rows_map(pr, src, src_desc, finite);
	rows_read(pr);
	rows_register(pr);
	append_offline(src, pr);
	nrows = pr->nrows;
	tuplestore_end(pr->store);
	SPI_finish();
	PG_RETURN_INT64(nrows);
}
