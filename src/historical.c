/*-------------------------------------------------------------------------
 *
 * historical.c
 *		Training sets: feast_historical and the functions built on it
 *		(feast_historical_sql, feast_persist; training views in
 *		training_views.c, through historical.h).
 *
 * A call is planned, then run. Planning resolves the request in the
 * registry, prepares (without running) one query per feature view source
 * to learn the column types, prepares the entity_df query, checks the
 * entity columns (timestamp column, join keys, name collisions) and
 * computes the result's columns; feast_historical_sql and friends stop
 * there. Running reads the entity rows once into the engine (pit_join.c),
 * then reads each source once, only the rows whose timestamp lies in
 * [min(t) - ttl, max(t)] (the bounds are $n parameters, so indexes and
 * partition pruning apply), and finally emits one row per entity row, in
 * entity_df order, into the tuplestore. When the planner would only scan
 * a source table whole (a plain sequential scan, nothing computed, no
 * row-level security), the table is read directly, as COPY relation TO
 * does, after the executor's permission checks (historical_scan.c, unless
 * offline_store.direct_scan is off): the engine drops rows outside the
 * window for less than the executor's filter and per-row dispatch cost.
 * The call reports its progress (progress.c): each phase, and the rows
 * read of the estimated total.
 *
 * A view's requested features may be fields of its schema (the join's) or
 * windowed aggregations (pit_agg.c, in the same read): the read selects
 * each aggregation's column too, the window of the read reaches back to
 * min(t) minus the longest window, and the engine's columns (schema
 * features, then aggregations) are put back in request order as rows are
 * emitted. With as_of, the engine drops the source rows created after it
 * (a NULL created counts as created at ts), and an entity-less retrieval's
 * entity rows come from the rows known by then.
 *
 * Rows reach the engine through our own DestReceivers passed to
 * SPI_execute_plan_extended (or HistScanRun): no SPI tuptable is built.
 * Every user query (entity_df and sources) runs under SqlBeginReadOnly, as
 * the caller, so privileges and row-level security hold and nothing can
 * write.
 *
 * Join keys compare as SQL's entity_key = source_key (keymatch.c): the
 * engine hashes and compares through the operator PostgreSQL resolves, and
 * where that operator converts a side (int4 to numeric for numeric =
 * numeric), the source read converts the source key, and the entity query
 * adds the converted entity key as a column the engine compares but does
 * not emit. Every read selects only the columns the request needs, and
 * runs with the caller's snapshot (SPI's read-only mode): the rows a plain
 * query in the caller's place would see.
 *
 * Timestamps are compared as instants: timestamp and timestamptz are both
 * int64 microseconds, and a timestamp without time zone means UTC, so the
 * raw value is read for both; bounds against a timestamp column are passed
 * as ($n AT TIME ZONE 'UTC').
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/params.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compat.h"
#include "historical.h"
#include "historical_int.h"
#include "historical_scan.h"
#include "keymatch.h"
#include "pit_join.h"
#include "pit_spill.h"
#include "progress.h"
#include "registry.h"
#include "spi_util.h"
#include "sqlbuild.h"
#include "srf.h"

#define HIST_DEFAULT_WINDOW_USEC ((int64) 30 * USECS_PER_DAY)

/*
 * The DestReceiver feeding the engine with the entity rows: into ents
 * while the estimated memory of the in-memory run (the rows' bytes, and
 * row_bytes per row) stays within budget, then into spill.
 */
typedef struct HistEntityReceiver
{
	DestReceiver pub;
	HistPlan   *plan;
	PitEntities *ents;
	ProgressState *progress;
	int64		count;
	Size		bytes;			/* of the rows in ents */
	Size		row_bytes;		/* HistSpillRowBytes */
	Size		budget;			/* offline_store.max_memory */
	SPIPlanPtr	read;			/* the entity query, to estimate its rows */
	MemoryContext cxt;			/* the call's */
	ParamListInfo params;
	HistSpill  *spill;
} HistEntityReceiver;

typedef struct HistReadContext
{
	const char *view;
	const char *source;
} HistReadContext;

static HistPlan *hist_plan(HistArgs *args);
static void hist_run(HistPlan *plan, Tuplestorestate *tupstore, TupleDesc desc,
					 ProgressState *progress);
static char *hist_sql(HistPlan *plan, Oid fn_oid);
static void probe_source(HistView *hv);
static void build_entityless_query(HistPlan *plan);
static void check_entity_columns(HistPlan *plan);
static void resolve_keys(HistPlan *plan);
static void build_read_sql(HistView *hv);
static TupleDesc prepared_desc(const char *sql, int nargs, Oid *types);
static ParamListInfo timestamptz_params(int nparams, Datum *params);
static SPIPlanPtr prepare_read(const char *sql, int nparams);
static void run_into(SPIPlanPtr plan, ParamListInfo params, DestReceiver *dest);
static bool is_timestamp_type(Oid typid);
static char *bound_expr(Oid coltype, int param);
static char *timestamptz_literal(TimestampTz ts);
static void read_context_callback(void *arg);

static bool entity_receive(TupleTableSlot *slot, DestReceiver *self);
static void receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo);
static void receiver_noop(DestReceiver *self);
static void spill_error_context(void *arg);

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_feast_historical);
PG_FUNCTION_INFO_V1(ofs_feast_historical_sql);
PG_FUNCTION_INFO_V1(ofs_feast_persist);

/*
 * feast_historical(entity_df, features, feature_service, full_feature_names,
 * project, filter_by_created_timestamp, start_date, end_date, as_of): the
 * point-in-time join, one row per entity row.
 */
Datum
ofs_feast_historical(PG_FUNCTION_ARGS)
{
	HistArgs   *args = HistGetArgs(fcinfo, 0, HIST_NFEATURE_ARGS);
	HistPlan   *plan;
	Tuplestorestate *tupstore;
	TupleDesc	desc;
	int			nestlevel;
	ProgressState progress;

	nestlevel = SqlBeginReadOnly();
	plan = hist_plan(args);
	tupstore = SrfBeginRecord(fcinfo, plan->result_desc, "feast_historical", &desc);
	ProgressBegin(&progress, "feast_historical");
	PG_TRY();
	{
		hist_run(plan, tupstore, desc, &progress);
	}
	PG_FINALLY();
	{
		ProgressEnd(&progress);
	}
	PG_END_TRY();
	SqlEndReadOnly(nestlevel);
	return (Datum) 0;
}

/*
 * feast_historical_sql(<same arguments>): the query that runs this
 * retrieval, with its column definition list filled in.
 */
Datum
ofs_feast_historical_sql(PG_FUNCTION_ARGS)
{
	HistArgs   *args = HistGetArgs(fcinfo, 0, HIST_NFEATURE_ARGS);
	HistPlan   *plan;
	char	   *sql;
	int			nestlevel;

	nestlevel = SqlBeginReadOnly();
	plan = hist_plan(args);
	sql = hist_sql(plan, fcinfo->flinfo->fn_oid);
	SqlEndReadOnly(nestlevel);
	PG_RETURN_TEXT_P(cstring_to_text(sql));
}

/* A qualified name given as text (argument argname), quoted for SQL. */
static char *
quoted_name_arg(const char *text, const char *argname)
{
	List	   *names;
	StringInfoData buf;
	ListCell   *lc;

	SqlCheckNameLength(text, argname);
	names = compat_qualified_name_list(text);

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? "." : "",
						 quote_identifier(strVal(lfirst(lc))));
	return buf.data;
}

/* Run a utility or DML statement built by us. */
static uint64
exec_own_sql(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			rc;
	uint64		processed;

	SpiConnect();
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	processed = SPI_processed;
	SPI_finish();
	return processed;
}

/* The SQL function that runs the retrieval, for views and persisted tables. */
static char *
retrieval_sql(FunctionCallInfo fcinfo, HistArgs *args)
{
	HistPlan   *plan;
	Oid			fn;
	int			nestlevel;
	char	   *sql;
	String	   *schema;
	String	   *func;
	List	   *names;

	/* the SQL names feast_historical in our own schema */
	schema = makeString(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	func = makeString("feast_historical");
	names = list_make2(schema, func);
	fn = LookupFuncName(names, -1, NULL, false);
	nestlevel = SqlBeginReadOnly();
	plan = hist_plan(args);
	sql = hist_sql(plan, fn);
	SqlEndReadOnly(nestlevel);
	return sql;
}

/*
 * feast_persist(table_name, entity_df, <feature arguments>,
 * allow_overwrite, as_of): CREATE TABLE AS the training set, record it in
 * feast.saved_datasets, return its row count. All in the caller's
 * transaction, so a failure leaves nothing behind.
 */
Datum
ofs_feast_persist(PG_FUNCTION_ARGS)
{
	char	   *table_text;
	char	   *table_name;
	HistArgs   *args;
	bool		allow_overwrite;
	char	   *sql;
	uint64		rows;
	RangeVar   *rv;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table_name must not be NULL")));
	table_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	table_name = quoted_name_arg(table_text, "table_name");
	args = HistGetArgs(fcinfo, 1, 2 + HIST_NFEATURE_ARGS);
	allow_overwrite = PG_ARGISNULL(1 + HIST_NFEATURE_ARGS) ? false :
		PG_GETARG_BOOL(1 + HIST_NFEATURE_ARGS);
	RegistryCheckProjectOwner(RegistryResolveProject(args->project));

	sql = retrieval_sql(fcinfo, args);

	rv = makeRangeVarFromNameList(compat_qualified_name_list(table_text));
	if (OidIsValid(RangeVarGetRelid(rv, NoLock, true)))
	{
		if (!allow_overwrite)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists", table_text),
					 errhint("Pass allow_overwrite => true to replace it.")));
		exec_own_sql(psprintf("DROP TABLE %s", table_name), 0, NULL, NULL, NULL);
	}
	rows = exec_own_sql(psprintf("CREATE TABLE %s AS %s", table_name, sql),
						0, NULL, NULL, NULL);

	{
		Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID,
		BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		values[8];
		char		nulls[8];
		Oid			types2[10];
		Datum		values2[10];
		char		nulls2[10];
		const char *sql2;

		memset(nulls, ' ', sizeof(nulls));
		values[0] = CStringGetTextDatum(RegistryResolveProject(args->project));
		values[1] = CStringGetTextDatum(table_text);
		values[2] = args->entity_df ? CStringGetTextDatum(args->entity_df) : (Datum) 0;
		nulls[2] = args->entity_df ? ' ' : 'n';
		values[3] = args->features ? PointerGetDatum(args->features) : (Datum) 0;
		nulls[3] = args->features ? ' ' : 'n';
		values[4] = args->feature_service ? CStringGetTextDatum(args->feature_service) : (Datum) 0;
		nulls[4] = args->feature_service ? ' ' : 'n';
		values[5] = BoolGetDatum(args->full_feature_names);
		values[6] = TimestampTzGetDatum(args->start_date);
		nulls[6] = args->has_start ? ' ' : 'n';
		values[7] = TimestampTzGetDatum(args->end_date);
		nulls[7] = args->has_end ? ' ' : 'n';
		memcpy(types2, types, sizeof(types));
		memcpy(values2, values, sizeof(values));
		memcpy(nulls2, nulls, sizeof(nulls));
		types2[8] = INT8OID;
		values2[8] = Int64GetDatum((int64) rows);
		nulls2[8] = ' ';
		types2[9] = TIMESTAMPTZOID;
		values2[9] = TimestampTzGetDatum(args->as_of);
		nulls2[9] = args->has_as_of ? ' ' : 'n';
		sql2 = psprintf("INSERT INTO feast.saved_datasets (project, name, entity_df, features, "
						"feature_service, full_feature_names, start_date, end_date, row_count, "
						"as_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)%s",
						allow_overwrite ?
						" ON CONFLICT (project, name) DO UPDATE SET "
						"entity_df = EXCLUDED.entity_df, features = EXCLUDED.features, "
						"feature_service = EXCLUDED.feature_service, "
						"full_feature_names = EXCLUDED.full_feature_names, "
						"start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, "
						"row_count = EXCLUDED.row_count, as_of = EXCLUDED.as_of, "
						"created_at = pg_catalog.now()" : "");
		exec_own_sql(sql2, 10, types2, values2, nulls2);
	}
	PG_RETURN_INT64((int64) rows);
}

/* The types of the feature arguments, in the order of HistArgs. */
const Oid	HistArgTypes[HIST_NARGS] = {
	TEXTOID, TEXTARRAYOID, TEXTOID, BOOLOID, TEXTOID, BOOLOID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID
};

/*
 * HistGetArgs reads the feature arguments starting at argument first, and
 * as_of from argument as_of_arg.
 */
HistArgs *
HistGetArgs(FunctionCallInfo fcinfo, int first, int as_of_arg)
{
	Datum		values[HIST_NARGS];
	bool		nulls[HIST_NARGS];

	for (int i = 0; i < HIST_NFEATURE_ARGS; i++)
	{
		nulls[i] = PG_ARGISNULL(first + i);
		values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(first + i);
	}
	nulls[HIST_NFEATURE_ARGS] = PG_NARGS() <= as_of_arg || PG_ARGISNULL(as_of_arg);
	values[HIST_NFEATURE_ARGS] = nulls[HIST_NFEATURE_ARGS] ? (Datum) 0 :
		PG_GETARG_DATUM(as_of_arg);
	return HistArgsFromDatums(values, nulls);
}

/* HistArgsFromDatums reads the feature arguments from values. */
HistArgs *
HistArgsFromDatums(const Datum *values, const bool *nulls)
{
	HistArgs   *args = palloc0(sizeof(HistArgs));
	int			i = 0;

	args->entity_df = nulls[i] ? NULL : TextDatumGetCString(values[i]);
	i++;
	args->features = nulls[i] ? NULL : DatumGetArrayTypePCopy(values[i]);
	i++;
	args->feature_service = nulls[i] ? NULL : TextDatumGetCString(values[i]);
	i++;
	args->full_feature_names = nulls[i] ? false : DatumGetBool(values[i]);
	i++;
	args->project = nulls[i] ? NULL : TextDatumGetCString(values[i]);
	i++;
	args->filter_by_created = nulls[i] ? false : DatumGetBool(values[i]);
	i++;
	args->has_start = !nulls[i];
	args->start_date = args->has_start ? DatumGetTimestampTz(values[i]) : 0;
	i++;
	args->has_end = !nulls[i];
	args->end_date = args->has_end ? DatumGetTimestampTz(values[i]) : 0;
	i++;
	args->has_as_of = !nulls[i];
	args->as_of = args->has_as_of ? DatumGetTimestampTz(values[i]) : 0;
	i++;
	Assert(i == HIST_NARGS);
	return args;
}

/* HistArgsToDatums writes the feature arguments into values, in order. */
void
HistArgsToDatums(const HistArgs *args, Datum *values, bool *nulls)
{
	int			i = 0;

	memset(nulls, 0, sizeof(bool) * HIST_NARGS);
	nulls[i] = (args->entity_df == NULL);
	values[i++] = args->entity_df ? CStringGetTextDatum(args->entity_df) : (Datum) 0;
	nulls[i] = (args->features == NULL);
	values[i++] = PointerGetDatum(args->features);
	nulls[i] = (args->feature_service == NULL);
	values[i++] = args->feature_service ? CStringGetTextDatum(args->feature_service) : (Datum) 0;
	values[i++] = BoolGetDatum(args->full_feature_names);
	nulls[i] = (args->project == NULL);
	values[i++] = args->project ? CStringGetTextDatum(args->project) : (Datum) 0;
	values[i++] = BoolGetDatum(args->filter_by_created);
	nulls[i] = !args->has_start;
	values[i++] = TimestampTzGetDatum(args->start_date);
	nulls[i] = !args->has_end;
	values[i++] = TimestampTzGetDatum(args->end_date);
	nulls[i] = !args->has_as_of;
	values[i++] = TimestampTzGetDatum(args->as_of);
	Assert(i == HIST_NARGS);
}

/*
 * HistRetrievalSql plans a retrieval and returns the query that runs it,
 * calling feast_historical in the schema of function fn_oid.
 */
char *
HistRetrievalSql(HistArgs *args, Oid fn_oid, TupleDesc *result_desc)
{
	HistPlan   *plan;
	int			nestlevel;
	char	   *sql;

	nestlevel = SqlBeginReadOnly();
	plan = hist_plan(args);
	sql = hist_sql(plan, fn_oid);
	SqlEndReadOnly(nestlevel);
	if (result_desc)
		*result_desc = plan->result_desc;
	return sql;
}

static bool
is_timestamp_type(Oid typid)
{
	return typid == TIMESTAMPOID || typid == TIMESTAMPTZOID;
}

/* The bound $param as compared with a column of type coltype. */
static char *
bound_expr(Oid coltype, int param)
{
	if (coltype == TIMESTAMPOID)
		return psprintf("($%d AT TIME ZONE 'UTC')", param);
	return psprintf("$%d", param);
}

static void
read_context_callback(void *arg)
{
	HistReadContext *rc = (HistReadContext *) arg;

	errcontext("reading data source \"%s\" of feature view \"%s\"", rc->source, rc->view);
}

/* Result columns of a query, prepared but not run (inside SPI). */
static TupleDesc
prepared_desc(const char *sql, int nargs, Oid *types)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);
	CachedPlanSource *ps;
	List	   *sources;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(plan);
	if (list_length(sources) != 1)
		elog(ERROR, "expected one query");
	ps = linitial(sources);
	if (ps->resultDesc == NULL)
		elog(ERROR, "query returns no rows");
	MemoryContextSwitchTo(cxt);
	return CreateTupleDescCopy(ps->resultDesc);
}

/*
 * probe_source learns the types of the source columns a view needs:
 * timestamp, created, join keys, the requested features, the aggregated
 * columns; and resolves each requested aggregation's aggregate for its
 * column's type, as SQL would.
 */
static void
probe_source(HistView *hv)
{
	RegFeatureView *fv = hv->req->view;
	RegSource  *src = fv->source;
	StringInfoData sql;
	TupleDesc	desc;
	int			att = 0;
	ErrorContextCallback errcb;
	HistReadContext rc;

	rc.view = fv->name;
	rc.source = src->name;
	errcb.callback = read_context_callback;
	errcb.arg = &rc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	hv->from_item = RegSourceFromItem(src);
	if (src->timestamp_field == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("data source \"%s\" has no timestamp field", src->name)));
	hv->ts_col = psprintf("s.%s", quote_identifier(RegSourceColumn(src, src->timestamp_field)));
	hv->created_col = src->created_timestamp_column ?
		psprintf("s.%s", quote_identifier(RegSourceColumn(src, src->created_timestamp_column))) :
		NULL;
	hv->key_cols = palloc0(sizeof(char *) * (fv->nkeys + 1));
	hv->key_types = palloc0(sizeof(Oid) * (fv->nkeys + 1));
	hv->key_typmods = palloc0(sizeof(int32) * (fv->nkeys + 1));
	hv->key_colls = palloc0(sizeof(Oid) * (fv->nkeys + 1));
	hv->key_attnos = palloc0(sizeof(int) * (fv->nkeys + 1));
	hv->key_match = palloc0(sizeof(KeyMatch) * (fv->nkeys + 1));
	hv->engine_attnos = palloc0(sizeof(int) * (fv->nkeys + 1));
	hv->keyops = palloc0(sizeof(PitKeyOps) * (fv->nkeys + 1));

	/* the requested features: schema fields, and aggregations */
	hv->plain = palloc0(sizeof(RegFeature *) * (hv->req->nfeatures + 1));
	hv->aggs = palloc0(sizeof(RegAggregation *) * (hv->req->nfeatures + 1));
	for (int f = 0; f < hv->req->nfeatures; f++)
	{
		RegFeature *feature = hv->req->features[f];

		if (feature->agg != NULL)
			hv->aggs[hv->naggs++] = feature->agg;
		else
			hv->plain[hv->nplain++] = feature;
	}
	hv->aggfns = palloc0(sizeof(PitAggFunc) * (hv->naggs + 1));
	hv->agg_colls = palloc0(sizeof(Oid) * (hv->naggs + 1));

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", hv->ts_col);
	if (hv->created_col)
		appendStringInfo(&sql, ", %s", hv->created_col);
	for (int k = 0; k < fv->nkeys; k++)
	{
		hv->key_cols[k] = psprintf("s.%s", quote_identifier(RegSourceColumn(src, fv->join_keys[k])));
		appendStringInfo(&sql, ", %s", hv->key_cols[k]);
	}
	for (int f = 0; f < hv->nplain; f++)
		appendStringInfo(&sql, ", s.%s",
						 quote_identifier(RegSourceColumn(src, hv->plain[f]->name)));
	for (int a = 0; a < hv->naggs; a++)
		appendStringInfo(&sql, ", s.%s",
						 quote_identifier(RegSourceColumn(src, hv->aggs[a]->column)));
	appendStringInfo(&sql, " FROM %s AS s", hv->from_item);

	desc = prepared_desc(sql.data, 0, NULL);

	hv->ts_type = TupleDescAttr(desc, att++)->atttypid;
	if (!is_timestamp_type(hv->ts_type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("timestamp field \"%s\" of data source \"%s\" has type %s",
						src->timestamp_field, src->name, format_type_be(hv->ts_type)),
				 errhint("Use a column of type timestamp with time zone or timestamp without time zone.")));
	if (hv->created_col)
	{
		hv->created_type = TupleDescAttr(desc, att++)->atttypid;
		if (!is_timestamp_type(hv->created_type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("created timestamp column \"%s\" of data source \"%s\" has type %s",
							src->created_timestamp_column, src->name,
							format_type_be(hv->created_type)),
					 errhint("Use a column of type timestamp with time zone or timestamp without time zone.")));
	}
	for (int k = 0; k < fv->nkeys; k++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, att++);

		hv->key_types[k] = a->atttypid;
		hv->key_typmods[k] = a->atttypmod;
		hv->key_colls[k] = a->attcollation;
	}

	hv->feature_desc = CreateTemplateTupleDesc(Max(hv->nplain, 1));
	hv->feature_desc->natts = hv->nplain;
	for (int f = 0; f < hv->nplain; f++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, att++);

		TupleDescInitEntry(hv->feature_desc, f + 1, hv->plain[f]->name,
						   a->atttypid, a->atttypmod, 0);
		TupleDescInitEntryCollation(hv->feature_desc, f + 1, a->attcollation);
	}
	for (int g = 0; g < hv->naggs; g++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, att++);
		RegAggregation *agg = hv->aggs[g];

		if (!PitAggLookup(RegAggregationSqlName(agg->function), a->atttypid,
						  &hv->aggfns[g]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("aggregation \"%s\" of feature view \"%s\" cannot compute %s of column \"%s\" of type %s",
							agg->name, fv->name, agg->function, NameStr(a->attname),
							format_type_be(a->atttypid)),
					 errhint("Change the aggregation with feast_apply, or cast the column in a query data source.")));
		hv->agg_colls[g] = a->attcollation;
		/* the engine's identity of the column: the first aggregation of it */
		hv->aggfns[g].column = g;
		for (int h = 0; h < g; h++)
			if (strcmp(hv->aggs[h]->column, agg->column) == 0)
			{
				hv->aggfns[g].column = h;
				break;
			}
	}
	error_context_stack = errcb.previous;
}

/*
 * The type UNION gives a column of types a and b, or InvalidOid when it
 * cannot unite them.
 */
static Oid
union_type(Oid a, Oid b)
{
	ParseState *pstate;
	Oid			common;

	if (a == b)
		return a;
	if (TypeCategory(getBaseType(a)) != TypeCategory(getBaseType(b)))
		return InvalidOid;
	pstate = make_parsestate(NULL);
	common = select_common_type(pstate,
								list_make2(makeNullConst(a, -1, InvalidOid),
										   makeNullConst(b, -1, InvalidOid)),
								"UNION", NULL);
	free_parsestate(pstate);
	if (!can_coerce_type(1, &a, &common, COERCION_IMPLICIT) ||
		!can_coerce_type(1, &b, &common, COERCION_IMPLICIT))
		return InvalidOid;
	return common;
}

/*
 * build_entityless_query makes the entity rows of an entity-less retrieval:
 * every distinct (event_timestamp, join keys) of every view's source in
 * [start, end]. Join key columns are the union of the views' (entity_df
 * side) key names; a view lacking one contributes NULL there. The key
 * columns are the views' source columns as they are, so that a key column
 * has the type SQL's UNION gives it (numeric for a bigint key and a numeric
 * one, say), never one view's type cast onto another's; each view then
 * compares its source's keys with those as with an entity_df.
 */
static void
build_entityless_query(HistPlan *plan)
{
	HistArgs   *args = plan->args;
	List	   *colnames = NIL;
	List	   *coltypes = NIL;
	List	   *colcolls = NIL;
	List	   *colviews = NIL;
	StringInfoData sql;
	TimestampTz end;
	TimestampTz start;

	end = args->has_end ? args->end_date : GetCurrentTransactionStartTimestamp();
	if (args->has_start)
		start = args->start_date;
	else
	{
		int64		max_ttl = 0;

		for (int v = 0; v < plan->nviews; v++)
			max_ttl = Max(max_ttl, plan->views[v].req->view->ttl_usec);
		if (max_ttl == 0)
			max_ttl = HIST_DEFAULT_WINDOW_USEC;
		/* before the first valid timestamp: no lower bound */
		if (pg_sub_s64_overflow(end, max_ttl, &start) || start < MIN_TIMESTAMP)
			start = DT_NOBEGIN;
	}
	if (start > end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_date must not be later than end_date")));

	/*
	 * The key columns, with the type and collation UNION resolves for each
	 * (pairwise, in view order, as it does; the default collation gives way
	 * to another), checked here so that two views whose keys cannot be
	 * united give an error that names them.
	 */
	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		RegRequest *req = hv->req;

		for (int k = 0; k < req->view->nkeys; k++)
		{
			ListCell   *lc;
			int			found = -1;

			foreach(lc, colnames)
				if (strcmp(lfirst(lc), req->key_columns[k]) == 0)
					found = foreach_current_index(lc);
			if (found < 0)
			{
				colnames = lappend(colnames, req->key_columns[k]);
				coltypes = lappend_oid(coltypes, hv->key_types[k]);
				colcolls = lappend_oid(colcolls, hv->key_colls[k]);
				colviews = lappend(colviews, req->name_to_use);
			}
			else
			{
				Oid			pair[2];
				Oid			common;
				Oid			coll = list_nth_oid(colcolls, found);
				Oid			other = hv->key_colls[k];

				pair[0] = list_nth_oid(coltypes, found);
				pair[1] = hv->key_types[k];
				common = union_type(pair[0], pair[1]);
				if (!OidIsValid(common))
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("join key \"%s\" has type %s in feature view \"%s\" and %s in feature view \"%s\"",
									req->key_columns[k], format_type_be(pair[0]),
									(char *) list_nth(colviews, found),
									format_type_be(pair[1]), req->name_to_use),
							 errdetail("An entity-less retrieval unites the keys of its feature views, and these types cannot be united."),
							 errhint("Request the feature views separately, or convert the key in a query data source.")));
				list_nth_cell(coltypes, found)->oid_value = common;
				if (coll != other && OidIsValid(coll) && OidIsValid(other) &&
					coll != DEFAULT_COLLATION_OID && other != DEFAULT_COLLATION_OID)
					ereport(ERROR,
							(errcode(ERRCODE_COLLATION_MISMATCH),
							 errmsg("join key \"%s\" has collation \"%s\" in feature view \"%s\" and \"%s\" in feature view \"%s\"",
									req->key_columns[k], get_collation_name(coll),
									(char *) list_nth(colviews, found),
									get_collation_name(other), req->name_to_use),
							 errdetail("An entity-less retrieval unites the keys of its feature views, and these collations conflict."),
							 errhint("Request the feature views separately, or give the key a collation with COLLATE in a query data source.")));
				if (!OidIsValid(coll) || coll == DEFAULT_COLLATION_OID)
					list_nth_cell(colcolls, found)->oid_value = other;
			}
		}
	}

	initStringInfo(&sql);
	appendStringInfoString(&sql, "(");
	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		RegRequest *req = hv->req;
		ListCell   *lc;

		if (v > 0)
			appendStringInfoString(&sql, " UNION ");
		appendStringInfo(&sql, "SELECT DISTINCT %s%s AS event_timestamp",
						 hv->ts_col, hv->ts_type == TIMESTAMPOID ? " AT TIME ZONE 'UTC'" : "");
		foreach(lc, colnames)
		{
			const char *expr = NULL;

			for (int k = 0; k < req->view->nkeys; k++)
				if (strcmp(req->key_columns[k], lfirst(lc)) == 0)
					expr = hv->key_cols[k];
			if (expr == NULL)
				expr = psprintf("CAST(NULL AS %s)",
								format_type_be_qualified(list_nth_oid(coltypes,
																	  foreach_current_index(lc))));
			appendStringInfo(&sql, ", %s AS %s", expr, quote_identifier(lfirst(lc)));
		}
		appendStringInfo(&sql, " FROM %s AS s WHERE %s OPERATOR(pg_catalog.>=) %s "
						 "AND %s OPERATOR(pg_catalog.<=) %s",
						 hv->from_item, hv->ts_col, bound_expr(hv->ts_type, 1),
						 hv->ts_col, bound_expr(hv->ts_type, 2));
		/* rows created after as_of do not exist, nor do their entity rows */
		if (args->has_as_of && hv->created_col)
			appendStringInfo(&sql, " AND (%s OPERATOR(pg_catalog.<=) %s OR (%s IS NULL "
							 "AND %s OPERATOR(pg_catalog.<=) %s))",
							 hv->created_col, bound_expr(hv->created_type, 3),
							 hv->created_col, hv->ts_col, bound_expr(hv->ts_type, 3));
		else if (args->has_as_of)
			appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.<=) %s",
							 hv->ts_col, bound_expr(hv->ts_type, 3));
	}
	appendStringInfoString(&sql, ")");
	plan->entity_from = sql.data;
	plan->entity_order = " ORDER BY 1";
	plan->entity_nparams = args->has_as_of ? 3 : 2;
	plan->entity_params[0] = TimestampTzGetDatum(start);
	plan->entity_params[1] = TimestampTzGetDatum(end);
	plan->entity_params[2] = TimestampTzGetDatum(args->as_of);
}

/*
 * check_entity_columns finds the entity timestamp column and every view's
 * join key columns, and checks feature names against entity_df columns.
 */
static void
check_entity_columns(HistPlan *plan)
{
	TupleDesc	desc = plan->entity_desc;
	int			nts = 0;

	plan->ts_attno = -1;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (strcmp(NameStr(a->attname), "event_timestamp") == 0)
		{
			plan->ts_attno = i;
			break;
		}
	}
	if (plan->ts_attno < 0)
		for (int i = 0; i < desc->natts; i++)
			if (is_timestamp_type(TupleDescAttr(desc, i)->atttypid))
			{
				plan->ts_attno = i;
				nts++;
			}
	if (plan->ts_attno < 0 || nts > 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("entity_df has no entity timestamp column"),
				 errdetail("It has no column named event_timestamp and %d columns of a timestamp type.", nts),
				 errhint("Name the entity timestamp column event_timestamp.")));
	if (!is_timestamp_type(TupleDescAttr(desc, plan->ts_attno)->atttypid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("entity_df column \"event_timestamp\" has type %s",
						format_type_be(TupleDescAttr(desc, plan->ts_attno)->atttypid)),
				 errhint("Use timestamp with time zone or timestamp without time zone.")));

	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		RegRequest *req = hv->req;

		for (int k = 0; k < req->view->nkeys; k++)
		{
			hv->key_attnos[k] = -1;
			for (int i = 0; i < desc->natts; i++)
				if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), req->key_columns[k]) == 0)
				{
					hv->key_attnos[k] = i;
					break;
				}
			if (hv->key_attnos[k] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("entity_df has no column \"%s\"", req->key_columns[k]),
						 errdetail("Feature view \"%s\" joins on it.", req->name_to_use)));
		}
		for (int f = 0; f < req->nfeatures; f++)
			for (int i = 0; i < desc->natts; i++)
				if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), req->output_names[f]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("feature name \"%s\" collides with an entity_df column",
									req->output_names[f]),
							 plan->args->full_feature_names ?
							 errhint("Rename the entity_df column.") :
							 errhint("Rename the entity_df column, or pass full_feature_names => true.")));
	}
}

/*
 * resolve_keys decides how each view's join keys compare: entity column =
 * source column with the operator and collation SQL resolves (keymatch.c),
 * never a cast of one column to the other's type. When a comparison
 * converts the entity column (int4 to numeric for numeric = numeric, say),
 * the entity query is extended with the converted values, which the engine
 * compares instead (the entity columns are renamed c1, c2, ... there, so
 * that duplicate names do not matter); they are not emitted.
 */
static void
resolve_keys(HistPlan *plan)
{
	TupleDesc	desc = plan->entity_desc;
	StringInfoData extra;
	List	   *convs = NIL;

	initStringInfo(&extra);
	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		RegFeatureView *fv = hv->req->view;

		for (int k = 0; k < fv->nkeys; k++)
		{
			Form_pg_attribute ea = TupleDescAttr(desc, hv->key_attnos[k]);
			KeyMatch   *km = &hv->key_match[k];
			PitKeyOps  *ops = &hv->keyops[k];
			KeyMatchSide left;
			KeyMatchSide right;

			left.type = ea->atttypid;
			left.typmod = ea->atttypmod;
			left.collation = ea->attcollation;
			left.kind = plan->args->entity_df ? KEYMATCH_ENTITY_DF : KEYMATCH_ENTITYLESS;
			left.column = NameStr(ea->attname);
			left.object = NULL;
			right.type = hv->key_types[k];
			right.typmod = hv->key_typmods[k];
			right.collation = hv->key_colls[k];
			right.kind = KEYMATCH_SOURCE;
			right.column = RegSourceColumn(fv->source, fv->join_keys[k]);
			right.object = fv->source->name;
			KeyMatchResolve(km, &left, &right);

			hv->engine_attnos[k] = hv->key_attnos[k];
			if (km->lconvert)
			{
				char	   *expr = KeyMatchConvert(km, true,
												   psprintf("e.c%d", hv->key_attnos[k] + 1));
				ListCell   *lc;
				int			found = -1;

				foreach(lc, convs)
					if (strcmp(lfirst(lc), expr) == 0)
						found = foreach_current_index(lc);
				if (found < 0)
				{
					convs = lappend(convs, expr);
					found = list_length(convs) - 1;
					appendStringInfo(&extra, ", %s", expr);
				}
				hv->engine_attnos[k] = desc->natts + found;
			}

			ops->fast_int = km->fast_int;
			ops->hashable = km->hashable;
			ops->collation = km->collation;
			ops->match_eq = km->opfunc;
			ops->entity_hash = km->lhash;
			ops->entity_eq = km->leq;
			ops->source_hash = km->rhash;
			ops->sortable = km->sortable;
			ops->entity_cmp = km->lcmp;
			ops->match_cmp = km->lrcmp;
			get_typlenbyval(km->rconvert ? km->rtype : hv->key_types[k],
							&ops->source_len, &ops->source_byval);
		}
	}

	plan->stored_desc = desc;
	if (convs != NIL)
	{
		StringInfoData aliases;
		Oid			types[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};

		initStringInfo(&aliases);
		for (int i = 0; i < desc->natts; i++)
			appendStringInfo(&aliases, "%sc%d", i > 0 ? ", " : "", i + 1);
		plan->entity_sql = psprintf("SELECT e.*%s FROM %s AS e(%s)%s", extra.data,
									plan->entity_from, aliases.data, plan->entity_order);
		plan->stored_desc = prepared_desc(plan->entity_sql, plan->entity_nparams, types);
	}
}

/*
 * build_read_sql makes the query that streams a view's source, restricted
 * to [$1, $2]: its timestamp, created, join keys (converted as their
 * comparison converts them, if it does) and requested features, in that
 * order, and no other column (column privileges on the others, or an
 * expression computing one in a query source, must not matter).
 */
static void
build_read_sql(HistView *hv)
{
	RegRequest *req = hv->req;
	RegSource  *src = req->view->source;
	int			nkeys = req->view->nkeys;
	int			nmap = 2 + nkeys + hv->nplain + hv->naggs;
	StringInfoData sql;
	int			m = 0;
	int			col = 0;

	hv->attmap = palloc(sizeof(int) * nmap);
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", hv->ts_col);
	hv->attmap[m++] = col++;
	if (hv->created_col)
	{
		appendStringInfo(&sql, ", %s", hv->created_col);
		hv->attmap[m++] = col++;
	}
	else
		hv->attmap[m++] = -1;
	for (int k = 0; k < nkeys; k++)
	{
		appendStringInfo(&sql, ", %s", KeyMatchConvert(&hv->key_match[k], false,
													   hv->key_cols[k]));
		hv->attmap[m++] = col++;
	}
	for (int f = 0; f < hv->nplain; f++)
	{
		appendStringInfo(&sql, ", s.%s",
						 quote_identifier(RegSourceColumn(src, hv->plain[f]->name)));
		hv->attmap[m++] = col++;
	}
	for (int a = 0; a < hv->naggs; a++)
	{
		appendStringInfo(&sql, ", s.%s",
						 quote_identifier(RegSourceColumn(src, hv->aggs[a]->column)));
		hv->attmap[m++] = col++;
	}
	hv->natts_needed = col;

	/*
	 * A lower bound, unless the join needs every row before t (no ttl): the
	 * aggregations' windows always have one (the engine computes it).
	 */
	appendStringInfo(&sql, " FROM %s AS s WHERE %s OPERATOR(pg_catalog.<=) %s",
					 hv->from_item, hv->ts_col, bound_expr(hv->ts_type, 2));
	hv->has_lower = req->view->ttl_usec != 0 ||
		(hv->naggs > 0 && hv->nplain == 0);
	if (hv->has_lower)
		appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.>=) %s",
						 hv->ts_col, bound_expr(hv->ts_type, 1));
	hv->read_sql = sql.data;
}

/*
 * hist_plan resolves and checks a request and computes its result columns,
 * without reading any row. The caller has called SqlBeginReadOnly.
 */
static HistPlan *
hist_plan(HistArgs *args)
{
	HistPlan   *plan = palloc0(sizeof(HistPlan));
	MemoryContext cxt = CurrentMemoryContext;
	List	   *requests;
	ListCell   *lc;
	int			nfeatures = 0;
	int			att;

	plan->args = args;
	if (args->entity_df != NULL && (args->has_start || args->has_end))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_date and end_date cannot be combined with an entity_df"),
				 errdetail("They define the entity rows of an entity-less retrieval, which has no entity_df."),
				 errhint("Pass entity_df => NULL for an entity-less retrieval, or filter the entity_df's rows in its query.")));
	plan->project = RegistryResolveProject(args->project);
	requests = RegistryResolveRequest(plan->project, args->features,
									  args->feature_service, args->full_feature_names);
	plan->nviews = list_length(requests);
	plan->views = palloc0(sizeof(HistView) * plan->nviews);
	foreach(lc, requests)
	{
		RegRequest *req = lfirst(lc);

		/* output names become identifiers: never cut */
		for (int f = 0; f < req->nfeatures; f++)
			SrfCheckColumnName(req->output_names[f]);
		plan->views[foreach_current_index(lc)].req = req;
	}

	SpiConnect();
	MemoryContextSwitchTo(cxt);

	for (int v = 0; v < plan->nviews; v++)
		probe_source(&plan->views[v]);

	if (args->entity_df == NULL)
		build_entityless_query(plan);
	else
	{
		plan->entity_from = SqlRelationOrQuery(args->entity_df, "entity_df");
		plan->entity_order = "";
		plan->entity_nparams = 0;
	}
	plan->entity_sql = psprintf("SELECT * FROM %s AS e%s", plan->entity_from,
								plan->entity_order);
	{
		Oid			types[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};

		plan->entity_desc = prepared_desc(plan->entity_sql, plan->entity_nparams, types);
	}
	check_entity_columns(plan);
	resolve_keys(plan);
	for (int v = 0; v < plan->nviews; v++)
	{
		build_read_sql(&plan->views[v]);
		nfeatures += plan->views[v].req->nfeatures;
	}
	SPI_finish();
	MemoryContextSwitchTo(cxt);

	/*
	 * entity_df columns as they are, then each view's features in request
	 * order: the schema's with the source types, the aggregations' with
	 * their aggregates' result types (and the column's collation).
	 */
	plan->result_desc = CreateTemplateTupleDesc(plan->entity_desc->natts + nfeatures);
	plan->emit_map = NULL;
	for (att = 0; att < plan->entity_desc->natts; att++)
		TupleDescCopyEntry(plan->result_desc, att + 1, plan->entity_desc, att + 1);
	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		int			engine = att;	/* the view's first column as emitted */
		int			plain = 0;
		int			agg = 0;

		for (int f = 0; f < hv->req->nfeatures; f++, att++)
		{
			RegFeature *feature = hv->req->features[f];
			int			from;

			if (feature->agg == NULL)
			{
				TupleDescCopyEntry(plan->result_desc, att + 1, hv->feature_desc, plain + 1);
				from = engine + plain++;
			}
			else
			{
				Oid			type = hv->aggfns[agg].result_type;

				TupleDescInitEntry(plan->result_desc, att + 1, NULL, type, -1, 0);
				TupleDescInitEntryCollation(plan->result_desc, att + 1,
											type_is_collatable(type) ?
											hv->agg_colls[agg] : InvalidOid);
				from = engine + hv->nplain + agg++;
			}
			namestrcpy(&TupleDescAttr(plan->result_desc, att)->attname,
					   hv->req->output_names[f]);
			if (from != att)
			{
				if (plan->emit_map == NULL)
				{
					plan->emit_map = palloc(sizeof(int) * plan->result_desc->natts);
					for (int i = 0; i < plan->result_desc->natts; i++)
						plan->emit_map[i] = i;
				}
				plan->emit_map[from] = att;
			}
		}
	}
	return plan;
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receiver_noop(DestReceiver *self)
{
}

void
HistInitReceiver(DestReceiver *dest,
				 bool (*receive) (TupleTableSlot *slot, DestReceiver *self))
{
	dest->receiveSlot = receive;
	dest->rStartup = receiver_startup;
	dest->rShutdown = receiver_noop;
	dest->rDestroy = receiver_noop;
	dest->mydest = DestTuplestore;
}

static bool
entity_receive(TupleTableSlot *slot, DestReceiver *self)
{
	HistEntityReceiver *r = (HistEntityReceiver *) self;
	bool		should_free;
	Size		len;

	if ((++r->count & PROGRESS_CHECK_MASK) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		ProgressUpdate(r->progress, r->count);
	}
	if (r->spill != NULL)
	{
		HistSpillAddEntity(r->spill, slot);
		return true;
	}
	if (TTS_IS_BUFFERTUPLE(slot) || TTS_IS_HEAPTUPLE(slot))
	{
		/* a scan's tuple: copy it once, from its buffer */
		HeapTuple	ht = ExecFetchSlotHeapTuple(slot, false, &should_free);

		len = PitEntitiesAddHeap(r->ents, ht);
		if (should_free)
			heap_freetuple(ht);
	}
	else
	{
		MinimalTuple mt = ExecFetchSlotMinimalTuple(slot, &should_free);

		len = PitEntitiesAdd(r->ents, mt);
		if (should_free)
			pfree(mt);
	}

	/*
	 * Past the budget, the rows so far and the rest go to temporary files
	 * (historical_spill.c), in as many partitions as the query's estimated
	 * rows (at least twice those seen) need.
	 */
	r->bytes += len + r->row_bytes;
	if (r->bytes > r->budget)
	{
		double		est = SpiPlanEstimateRows(r->read, r->params);

		r->spill = HistSpillBegin(r->plan, r->ents, Max(est, 2.0 * (double) r->count),
								  r->cxt, r->progress);
		r->ents = NULL;
	}
	return true;
}

bool
HistSourceReceive(TupleTableSlot *slot, DestReceiver *self)
{
	HistSourceReceiver *r = (HistSourceReceiver *) self;
	const int  *map = r->attmap;
	Datum	   *values;
	bool	   *isnull;
	bool		created_null = true;
	int64		created = 0;

	if ((++r->count & PROGRESS_CHECK_MASK) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		if (r->progress != NULL)
			ProgressUpdate(r->progress, r->count);
	}
	slot_getsomeattrs(slot, r->natts);
	values = slot->tts_values;
	isnull = slot->tts_isnull;
	if (isnull[map[0]])
		return true;			/* no timestamp: never a candidate */
	if (map[1] >= 0 && !isnull[map[1]])
	{
		created_null = false;
		created = DatumGetInt64(values[map[1]]);
	}
	PitViewAddCandidate(r->hv->pv, DatumGetInt64(values[map[0]]), created_null, created,
						values, isnull, &map[2], &map[2 + r->nkeys],
						&map[2 + r->nkeys + r->nfeatures]);
	return true;
}

/* Up to three timestamptz values as the parameters of a query. */
static ParamListInfo
timestamptz_params(int nparams, Datum *params)
{
	ParamListInfo pli;

	Assert(nparams <= 3);
	if (nparams == 0)
		return NULL;
	pli = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		pli->params[i].value = params[i];
		pli->params[i].isnull = false;
		pli->params[i].pflags = PARAM_FLAG_CONST;
		pli->params[i].ptype = TIMESTAMPTZOID;
	}
	return pli;
}

/* Prepare a query with up to three timestamptz parameters (inside SPI). */
static SPIPlanPtr
prepare_read(const char *sql, int nparams)
{
	Oid			types[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	SPIPlanPtr	plan = SPI_prepare(sql, nparams, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	return plan;
}

/* Does a query lock rows anywhere in it? *context receives the one. */
static bool
query_locks_rows(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		if (((Query *) node)->rowMarks != NIL)
		{
			*(Query **) context = (Query *) node;
			return true;
		}
		return query_tree_walker((Query *) node, query_locks_rows, context, 0);
	}
	return expression_tree_walker(node, query_locks_rows, context);
}

/*
 * Run a prepared query with its parameters into dest, then free it.
 *
 * The query runs in SPI's read-only mode: with the caller's snapshot, the
 * one a plain query in its place would use (a cursor over feast_historical
 * does not see rows committed or inserted after it was declared), and
 * without a command counter increment. That mode refuses a query that
 * locks rows with a message about non-volatile functions; the transaction
 * is read-only anyway, so such a query is refused first, as the executor
 * would refuse it.
 */
static void
run_into(SPIPlanPtr plan, ParamListInfo params, DestReceiver *dest)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIExecuteOptions options;
	int			rc;
	int			save_nestlevel;
	ListCell   *lc;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *ps = lfirst(lc);
		Query	   *locking = NULL;

		if (query_locks_rows((Node *) ps->query_list, &locking))
			PreventCommandIfReadOnly(CreateCommandName((Node *) locking));
	}

	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = dest;

	/*
	 * Plan without JIT: the rows go straight to a C receiver, so compiling
	 * the scan is a fixed cost (and loading the LLVM libraries a memory
	 * cost) that the large reads this is meant for do not win back.
	 * Planning happens at execution here (the plan has parameters).
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_plan_extended(plan, &options);
	AtEOXact_GUC(true, save_nestlevel);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
	SPI_freeplan(plan);
	MemoryContextSwitchTo(cxt);
}

void
HistEmitRow(void *arg, Datum *values, bool *nulls)
{
	HistEmitState *es = (HistEmitState *) arg;

	/* into request order */
	if (es->map != NULL)
	{
		for (int i = 0; i < es->desc->natts; i++)
		{
			es->values[es->map[i]] = values[i];
			es->nulls[es->map[i]] = nulls[i];
		}
		values = es->values;
		nulls = es->nulls;
	}
	tuplestore_putvalues(es->tupstore, es->desc, values, nulls);
	if ((++es->count & PROGRESS_CHECK_MASK) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		ProgressUpdate(es->progress, es->count);
	}
}

/*
 * HistReadSource: see historical_int.h. An error names the view and its
 * source in its context, not the query we generated to read it.
 */
void
HistReadSource(HistView *hv, HistSourceReceiver *sr, Datum *bounds,
			   ProgressState *progress, int v, int nviews)
{
	MemoryContext cxt = CurrentMemoryContext;
	ParamListInfo params = timestamptz_params(2, bounds);
	SPIPlanPtr	read;
	HistScan	scan;
	ErrorContextCallback errcb;
	HistReadContext rc;

	rc.view = hv->req->view->name;
	rc.source = hv->req->view->source->name;
	errcb.callback = read_context_callback;
	errcb.arg = &rc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	PG_TRY();
	{
		read = prepare_read(hv->read_sql, 2);
		memset(&scan, 0, sizeof(scan));
		if (ofs_direct_scan)
			HistScanPlan(read, params, hv->attmap,
						 2 + sr->nkeys + hv->nplain + hv->naggs,
						 hv->has_lower ? 2 : 1, &scan);
		ProgressPhase(progress, "rows",
					  "reading data source \"%s\" of feature view \"%s\" (%d of %d%s)",
					  rc.source, hv->req->name_to_use, v + 1, nviews,
					  OidIsValid(scan.relid) ? ", direct scan" : "");
		if (ofs_direct_scan)
			ProgressSetTotal(progress, scan.est_rows, false);
		else
			ProgressEstimatePlan(progress, read, params);
		ProgressUpdate(progress, 0);
		if (OidIsValid(scan.relid))
		{
			SPI_freeplan(read);
			sr->attmap = scan.attmap;
			sr->natts = scan.natts;
			if (!HistParallelScan(hv, &scan, sr, progress))
				HistScanRun(&scan, &sr->pub);
		}
		else
		{
			sr->attmap = hv->attmap;
			sr->natts = hv->natts_needed;
			run_into(read, params, &sr->pub);
		}
	}
	PG_CATCH();
	{
		SpiRethrowWithoutStatement(cxt, hv->read_sql);
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
	MemoryContextSwitchTo(cxt);
}

/*
 * hist_run reads the entity rows and every source once and puts the result
 * rows into tupstore, formed with desc, reporting its progress. When the
 * entity rows turn out to need more than offline_store.max_memory, the
 * retrieval continues in partitions on temporary files
 * (historical_spill.c), and the result rows come in another order.
 */
static void
hist_run(HistPlan *plan, Tuplestorestate *tupstore, TupleDesc desc,
		 ProgressState *progress)
{
	MemoryContext cxt = CurrentMemoryContext;
	PitEntities *ents;
	HistEntityReceiver er;
	HistEmitState es;
	SPIPlanPtr	entity_read;
	ParamListInfo entity_params;
	ErrorContextCallback errcb;

	SpiConnect();
	MemoryContextSwitchTo(cxt);

	ents = PitEntitiesCreate(cxt, plan->stored_desc, plan->ts_attno,
							 plan->entity_desc->natts);
	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];

		/* filter_by_created_timestamp applies where there is a created column */
		hv->pv = PitViewCreate(ents, hv->req->view->nkeys, hv->engine_attnos,
							   hv->keyops, hv->req->view->ttl_usec,
							   plan->args->filter_by_created && hv->created_col != NULL,
							   hv->nplain, hv->feature_desc);
		for (int a = 0; a < hv->naggs; a++)
			PitViewAddAggregation(hv->pv, &hv->aggfns[a], hv->agg_colls[a],
								  hv->aggs[a]->window_usec);
		if (plan->args->has_as_of)
			PitViewSetAsOf(hv->pv, plan->args->as_of);
	}

	es.tupstore = tupstore;
	es.desc = desc;
	es.progress = progress;
	es.count = 0;
	es.map = plan->emit_map;
	es.values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	es.nulls = palloc(sizeof(bool) * Max(desc->natts, 1));

	memset(&er, 0, sizeof(er));
	HistInitReceiver(&er.pub, entity_receive);
	er.plan = plan;
	er.ents = ents;
	er.progress = progress;
	er.budget = PitSpillBudget();
	er.row_bytes = HistSpillRowBytes(plan);
	er.bytes = PIT_ENGINE_BYTES;
	entity_read = prepare_read(plan->entity_sql, plan->entity_nparams);
	entity_params = timestamptz_params(plan->entity_nparams, plan->entity_params);
	er.read = entity_read;
	er.cxt = cxt;
	er.params = entity_params;
	errcb.callback = spill_error_context;
	errcb.arg = &er;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	ProgressPhase(progress, "rows", plan->args->entity_df ? "reading entity_df" :
				  "reading the entity rows of the sources");
	ProgressEstimatePlan(progress, entity_read, entity_params);
	ProgressUpdate(progress, 0);
	run_into(entity_read, entity_params, &er.pub);
	MemoryContextSwitchTo(cxt);

	if (er.spill != NULL)
	{
		/* beyond memory: in partitions */
		HistSpillRun(er.spill, &es);
		error_context_stack = errcb.previous;
		SPI_finish();
		MemoryContextSwitchTo(cxt);
		return;
	}
	error_context_stack = errcb.previous;

	for (int v = 0; v < plan->nviews; v++)
	{
		HistView   *hv = &plan->views[v];
		int64		lo,
					hi;
		HistSourceReceiver sr;
		Datum		bounds[2];

		ProgressPhase(progress, NULL, "indexing the entity rows for feature view \"%s\" (%d of %d)",
					  hv->req->name_to_use, v + 1, plan->nviews);
		ProgressUpdate(progress, 0);
		if (!PitViewBuild(hv->pv, &lo, &hi))
			continue;			/* no entity row can match */

		memset(&sr, 0, sizeof(sr));
		HistInitReceiver(&sr.pub, HistSourceReceive);
		sr.hv = hv;
		sr.progress = progress;
		sr.nkeys = hv->req->view->nkeys;
		sr.nfeatures = hv->nplain;
		sr.plan = plan;
		sr.engine_bytes = er.bytes;
		bounds[0] = TimestampTzGetDatum(lo);
		bounds[1] = TimestampTzGetDatum(hi);
		HistReadSource(hv, &sr, bounds, progress, v, plan->nviews);

		ProgressPhase(progress, NULL, "joining feature view \"%s\" (%d of %d)",
					  hv->req->name_to_use, v + 1, plan->nviews);
		ProgressUpdate(progress, 0);
		PitViewFinish(hv->pv);
	}
	SPI_finish();
	MemoryContextSwitchTo(cxt);

	ProgressPhase(progress, "rows", "emitting the result");
	ProgressSetTotal(progress, (double) PitEntitiesCount(ents), true);
	ProgressUpdate(progress, 0);
	PitEntitiesEmit(ents, HistEmitRow, &es);
	PitEntitiesDestroy(ents);
}

/*
 * A lack of resources or an I/O error (temp_file_limit exceeded, a full
 * disk) while the retrieval works on temporary files says so; other errors
 * read as in memory.
 */
static void
spill_error_context(void *arg)
{
	HistEntityReceiver *er = (HistEntityReceiver *) arg;
	int			category = ERRCODE_TO_CATEGORY(geterrcode());

	if (er->spill != NULL &&
		(category == ERRCODE_INSUFFICIENT_RESOURCES || category == ERRCODE_SYSTEM_ERROR))
		errcontext("feast_historical beyond offline_store.max_memory (%dkB), on temporary files",
				   ofs_max_memory);
}

/* A timestamptz as an SQL literal that reads back the same in any session. */
static char *
timestamptz_literal(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (TIMESTAMP_IS_NOBEGIN(ts))
		return pstrdup("'-infinity'::pg_catalog.timestamptz");
	if (TIMESTAMP_IS_NOEND(ts))
		return pstrdup("'infinity'::pg_catalog.timestamptz");
	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	EncodeDateTime(&tm, fsec, false, 0, NULL, USE_ISO_DATES, buf);
	return psprintf("'%s+00'::pg_catalog.timestamptz", buf);
}

static char *
text_literal(const char *s)
{
	return s ? psprintf("%s::pg_catalog.text", quote_literal_cstr(s)) :
		pstrdup("NULL::pg_catalog.text");
}

/*
 * hist_sql returns SELECT * FROM <schema>.feast_historical(<arguments as
 * literals>) AS t(<column list>), calling function fn_schema's
 * feast_historical. The project is pinned to the one resolved now, and a
 * relation entity_df to its schema-qualified name.
 */
static char *
hist_sql(HistPlan *plan, Oid fn_oid)
{
	HistArgs   *args = plan->args;
	StringInfoData sql;
	char	   *schema = get_namespace_name(get_func_namespace(fn_oid));
	char	   *entity_df = args->entity_df;

	if (entity_df != NULL && !SqlTextIsQuery(entity_df))
		entity_df = SqlRelationOrQuery(entity_df, "entity_df");

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT * FROM %s.feast_historical(%s, ",
					 quote_identifier(schema), text_literal(entity_df));
	if (args->features)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(args->features, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		appendStringInfoString(&sql, "ARRAY[");
		for (int i = 0; i < n; i++)
			appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
							 nulls[i] ? "NULL" : quote_literal_cstr(TextDatumGetCString(elems[i])));
		appendStringInfoString(&sql, "]::pg_catalog.text[], ");
	}
	else
		appendStringInfoString(&sql, "NULL::pg_catalog.text[], ");
	appendStringInfo(&sql, "%s, %s, %s, %s, %s, %s",
					 text_literal(args->feature_service),
					 args->full_feature_names ? "true" : "false",
					 text_literal(plan->project),
					 args->filter_by_created ? "true" : "false",
					 args->has_start ? timestamptz_literal(args->start_date) :
					 "NULL::pg_catalog.timestamptz",
					 args->has_end ? timestamptz_literal(args->end_date) :
					 "NULL::pg_catalog.timestamptz");
	if (args->has_as_of)
		appendStringInfo(&sql, ", %s", timestamptz_literal(args->as_of));
	appendStringInfo(&sql, ") AS t(%s)", SrfColumnDefinitionList(plan->result_desc));
	return sql.data;
}
