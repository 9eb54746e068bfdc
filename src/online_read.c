/*-------------------------------------------------------------------------
 *
 * online_read.c
 *		feast_online_features: Feast's get_online_features over the
 *		in-database online tables, as a serving path; and
 *		feast_online_features_sql, the query that runs it.
 *
 * A call reads its entity rows (a relation or a read-only query) and looks
 * their keys up in the online table of every requested feature view, as
 * the LEFT JOIN of the entity rows to each online table on the join keys
 * would: each entity row gives one output row (one per matching online row
 * in general, and the online key is a primary key), with NULL features for
 * keys that are not there. Columns: every entity row column in order, then
 * the features, named and ordered as feast_historical names them (feature
 * views by first reference, features in reference order, "feature" or
 * "view__feature"). Join keys are matched after the feature service's
 * join_key_map, as entity_key = online_key in SQL: the equality operator
 * and collation PostgreSQL resolves for the two columns' types
 * (keymatch.c), never a cast of one to the other. An entity-less view joins
 * its single row (__dummy_id ''). Rows come out in entity row order, and
 * own their values (nothing points into TOAST storage).
 *
 * A call is split so that what does not depend on the entity rows' values
 * is resolved once per backend and kept (online_cache.c):
 *
 * - the request (online_read_begin): the project, the views, features and
 *   output names the arguments ask for, each view's online table (name,
 *   OID, columns); kept per (user, project, features or feature service,
 *   full_feature_names);
 * - the read (online_read_shape): for the entity rows' columns (names,
 *   types, typmods, collations), the checks on them (missing join keys,
 *   name collisions, key equality) and two prepared statements,
 *       SELECT k.ord, o1.f, ... FROM ROWS FROM (feast.online_keys($1), ...)
 *         WITH ORDINALITY k(k1, ..., ord)
 *       LEFT JOIN <online table> o1 ON <k.k1 = o1.key, as SQL resolves it>
 *       ... ORDER BY k.ord
 *   whose parameters are arrays of a batch of entity rows' key values,
 *   and the same for one entity row, FROM (SELECT $1 AS k1, ...) k, whose
 *   parameters are its key values (a serving call often has one key);
 *   both kept with SPI_keepplan, each one generic plan (feast.online_keys
 *   is unnest with a small row estimate, so the planner probes the online
 *   tables' primary keys).
 *
 * Every call then runs the entity_df query (as the caller, read-only) and,
 * for each batch of ONLINE_READ_BATCH entity rows, the kept statement.
 * feast_online_features_sql goes through the same two steps without
 * reading anything (the entity_df is parsed, not run): its column
 * definition list is the result's columns online_read_shape computes, and
 * its errors are the read's, so the call it returns runs as written (and
 * finds its request and shape kept).
 * Nothing cached bypasses a privilege: the plan cache checks permissions
 * on every execution and plans again for another role when row-level
 * security applies, and entries are per user. The cache is dropped when
 * the registry or an online table changes (online_cache.c says how).
 *
 * The online tables are plain tables written by committed
 * materializations and pushes; reading them takes no lock beyond
 * AccessShareLock, so reads never wait for writers. No ttl is applied: an
 * online table holds the newest materialized value, as in Feast.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_read.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "storage/lmgr.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "keymatch.h"
#include "offline_store.h"
#include "online.h"
#include "online_cache.h"
#include "registry.h"
#include "sqlbuild.h"
#include "spi_util.h"
#include "srf.h"

/* Entity rows looked up per execution of the read. */
#define ONLINE_READ_BATCH 1000

/* Reads (entity row shapes) kept per request. */
#define ONLINE_READ_MAX_SHAPES 4

/* One requested feature view and its online table. */
typedef struct OnlineReadView
{
	RegRequest *req;
	char	   *online;			/* quoted, schema-qualified name */
	Oid			relid;
	TupleDesc	odesc;			/* its columns */
} OnlineReadView;

/*
 * The read for one shape of entity rows: the result's columns and the
 * statement that looks a batch of entity rows up.
 */
typedef struct OnlineReadShape
{
	struct OnlineReadShape *next;
	int			keylen;			/* the shape, as bytes (shape_key) */
	char	   *key;
	TupleDesc	result_desc;	/* the entity columns, then the features */
	int			nentity;		/* entity columns */
	int			nparams;		/* key arrays; 0: the row count ($1) */
	int		   *param_att;		/* the entity column (0-based) of each */
	Oid		   *param_type;		/* its type, and how to build arrays of it */
	Oid		   *param_arraytype;
	int16	   *param_typlen;
	bool	   *param_typbyval;
	char	   *param_typalign;
	char	   *sql;			/* the read of a batch of entity rows */
	SPIPlanPtr	plan;			/* kept when the shape is */
	char	   *sql1;			/* the read of one entity row */
	SPIPlanPtr	plan1;
	bool		kept;
} OnlineReadShape;

/* A resolved request, and the reads built for it. */
typedef struct OnlineRead
{
	char	   *project;		/* the project resolved */
	bool		full_feature_names;
	int			nviews;
	OnlineReadView *views;
	int			nshapes;
	OnlineReadShape *shapes;
} OnlineRead;

/* One call: its request, whether the cache keeps it, its entity_df. */
typedef struct OnlineReadCall
{
	OnlineRead *rd;
	OnlineCacheEntry *entry;	/* the request's cache entry; NULL: not kept */
	uint64		generation;		/* the cache's when the call began */
	char	   *from;			/* the entity_df as a FROM item */
} OnlineReadCall;

static void request_key(StringInfo key, ArrayType *features,
						const char *feature_service, bool full_feature_names,
						const char *project);
static void online_read_release(void *data);
static void online_read_begin(FunctionCallInfo fcinfo, OnlineReadCall *call);
static void shape_key(StringInfo key, TupleDesc edesc);
static char *collation_name(Oid collid);
static char *key_condition(TupleDesc edesc, OnlineReadView *v, int i,
						   const char *alias, const char *param);
static OnlineReadShape *online_read_shape(OnlineReadCall *call, TupleDesc edesc);
static Datum own_value(Datum value, bool isnull, Form_pg_attribute att);
static bool online_read_receive(TupleTableSlot *slot, DestReceiver *self);
static void online_read_startup(DestReceiver *self, int operation,
								TupleDesc typeinfo);
static void online_read_noop(DestReceiver *self);
static void online_read_batch(OnlineReadShape *shape, SPITupleTable *etab,
							  int n, Tuplestorestate *tupstore, TupleDesc desc);
static void online_read_rows(FunctionCallInfo fcinfo, OnlineReadCall *call);

PG_FUNCTION_INFO_V1(ofs_feast_online_features);
PG_FUNCTION_INFO_V1(ofs_feast_online_features_sql);
PG_FUNCTION_INFO_V1(ofs_online_keys);

/* ----------------------------------------------------------------
 * The request
 * ----------------------------------------------------------------
 */

/*
 * The cache key of a request: everything its resolution depends on. The
 * project is the one named, else offline_store.project, else "the only
 * one" (marked apart); feature references keep the array's dimensions and
 * NULLs, so that a call that must fail never meets the entry of one that
 * did not.
 */
static void
request_key(StringInfo key, ArrayType *features, const char *feature_service,
			bool full_feature_names, const char *project)
{
	Oid			userid = GetUserId();

	appendBinaryStringInfo(key, (char *) &userid, sizeof(Oid));
	appendStringInfoChar(key, full_feature_names ? 't' : 'f');
	if (project == NULL && ofs_default_project && ofs_default_project[0] != '\0')
		project = ofs_default_project;
	if (project != NULL)
		appendBinaryStringInfo(key, project, strlen(project) + 1);
	else
		appendStringInfoChar(key, '\1');
	if (feature_service != NULL)
	{
		appendStringInfoChar(key, 's');
		appendBinaryStringInfo(key, feature_service, strlen(feature_service) + 1);
	}
	if (features != NULL)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			ndim = ARR_NDIM(features);

		appendStringInfoChar(key, 'f');
		appendBinaryStringInfo(key, (char *) &ndim, sizeof(int));
		deconstruct_array(features, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
		{
			if (nulls[i])
				appendStringInfoChar(key, '\2');
			else
			{
				text	   *t = DatumGetTextPP(elems[i]);

				appendStringInfoChar(key, '\3');
				appendBinaryStringInfo(key, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				appendStringInfoChar(key, '\0');
			}
		}
	}
}

/* Free what a cached request holds outside its memory context: kept plans. */
static void
online_read_release(void *data)
{
	OnlineRead *rd = data;

	for (OnlineReadShape *s = rd->shapes; s != NULL; s = s->next)
		if (s->kept)
		{
			SPI_freeplan(s->plan);
			SPI_freeplan(s->plan1);
		}
}

/*
 * online_read_begin reads the arguments of a call and fills *call: its
 * resolved request, from the cache or resolved now (and kept when it can
 * be), and the entity_df as a FROM item. Errors come in the order of the
 * arguments: the project, the features or feature service, the entity_df,
 * then the views (not online, no online table).
 */
static void
online_read_begin(FunctionCallInfo fcinfo, OnlineReadCall *call)
{
	char	   *entity_df;
	ArrayType  *features = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	char	   *feature_service = OnlineTextArg(fcinfo, 2);
	bool		full_feature_names = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	char	   *project_arg = OnlineTextArg(fcinfo, 4);
	StringInfoData key;
	OnlineCacheEntry *entry;
	OnlineRead *rd;
	MemoryContext cxt;
	MemoryContext old;
	char	   *project;
	List	   *requests;
	ListCell   *lc;
	Oid		   *relids;
	uint64		generation;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("entity_df must not be NULL")));
	entity_df = text_to_cstring(PG_GETARG_TEXT_PP(0));

	initStringInfo(&key);
	request_key(&key, features, feature_service, full_feature_names, project_arg);
	entry = OnlineCacheLookup(key.data, key.len);
	if (entry != NULL)
	{
		/*
		 * Lock the online tables as the read will, before trusting what the
		 * entry says of them: a change committed since it was built is
		 * received now (and drops it), and none can happen until the
		 * transaction ends.
		 */
		for (int i = 0; i < entry->nrelids; i++)
			LockRelationOid(entry->relids[i], AccessShareLock);
		if (entry->dead)
			entry = NULL;
	}
	if (entry != NULL)
	{
		call->rd = entry->data;
		call->entry = entry;
		call->generation = OnlineCacheGeneration();
		call->from = SqlRelationOrQuery(entity_df, "entity_df");
		pfree(key.data);
		return;
	}
	call->generation = generation = OnlineCacheGeneration();

	/* resolve it, in a context of its own that the cache may keep */
	cxt = AllocSetContextCreate(CurrentMemoryContext,
								"offline_store online read",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	project = RegistryResolveProject(project_arg);
	requests = RegistryResolveRequest(project, features, feature_service,
									  full_feature_names);
	MemoryContextSwitchTo(old);

	call->from = SqlRelationOrQuery(entity_df, "entity_df");

	old = MemoryContextSwitchTo(cxt);
	rd = palloc0(sizeof(OnlineRead));
	rd->project = project;
	rd->full_feature_names = full_feature_names;
	rd->nviews = list_length(requests);
	rd->views = palloc0(sizeof(OnlineReadView) * rd->nviews);
	relids = palloc(sizeof(Oid) * rd->nviews);
	foreach(lc, requests)
	{
		OnlineReadView *v = &rd->views[foreach_current_index(lc)];
		RegFeatureView *fv;
		Relation	rel;

		v->req = lfirst(lc);
		fv = v->req->view;
		if (!fv->online)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature view \"%s\" is not online", fv->name),
					 errhint("Set online: true on the feature view, or use feast_historical.")));
		v->online = OnlineTableOf(fv);
		v->relid = RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(v->online)),
									AccessShareLock, false);
		rel = table_open(v->relid, NoLock);
		v->odesc = CreateTupleDescCopy(RelationGetDescr(rel));
		table_close(rel, NoLock);
		relids[foreach_current_index(lc)] = v->relid;
	}
	MemoryContextSwitchTo(old);

	call->rd = rd;
	call->entry = OnlineCacheInsert(key.data, key.len, cxt, relids, rd->nviews,
									rd, online_read_release, generation);
	pfree(key.data);
}

/* ----------------------------------------------------------------
 * The read
 * ----------------------------------------------------------------
 */

/* The shape of entity rows: every column's name, type, typmod, collation. */
static void
shape_key(StringInfo key, TupleDesc edesc)
{
	appendBinaryStringInfo(key, (char *) &edesc->natts, sizeof(int));
	for (int i = 0; i < edesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(edesc, i);

		appendStringInfoString(key, NameStr(att->attname));
		appendStringInfoChar(key, '\0');
		appendBinaryStringInfo(key, (char *) &att->atttypid, sizeof(Oid));
		appendBinaryStringInfo(key, (char *) &att->atttypmod, sizeof(int32));
		appendBinaryStringInfo(key, (char *) &att->attcollation, sizeof(Oid));
	}
}

/* The schema-qualified, quoted name of a collation. */
static char *
collation_name(Oid collid)
{
	HeapTuple	tp = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	Form_pg_collation coll;
	char	   *result;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	coll = (Form_pg_collation) GETSTRUCT(tp);
	result = quote_qualified_identifier(get_namespace_name(coll->collnamespace),
										NameStr(coll->collname));
	ReleaseSysCache(tp);
	return result;
}

/*
 * key_condition returns the join condition of join key i of view v: the
 * entity_df column's value (param, an element of a parameter array of the
 * column's type) = the online key column, with the equality operator and
 * collation SQL resolves for the two columns (keymatch.c), never a cast of
 * one to the other's type. The array element has the column's type but
 * the type's default collation, so the collation SQL resolves for the two
 * columns is given explicitly. Types with no equality operator between
 * them, or two different collations, are an error that names both.
 */
static char *
key_condition(TupleDesc edesc, OnlineReadView *v, int i, const char *alias,
			  const char *param)
{
	RegRequest *req = v->req;
	Form_pg_attribute ecol = OnlineFindColumn(edesc, req->key_columns[i]);
	Form_pg_attribute kcol = OnlineFindColumn(v->odesc, req->view->join_keys[i]);
	KeyMatchSide left;
	KeyMatchSide right;
	KeyMatch	km;
	char	   *lexpr;
	char	   *rexpr;

	if (kcol == NULL)
		elog(ERROR, "online table of feature view \"%s\" has no column \"%s\"",
			 req->view->name, req->view->join_keys[i]);
	left.type = ecol->atttypid;
	left.typmod = ecol->atttypmod;
	left.collation = ecol->attcollation;
	left.kind = KEYMATCH_ENTITY_DF;
	left.column = req->key_columns[i];
	left.object = NULL;
	right.type = kcol->atttypid;
	right.typmod = kcol->atttypmod;
	right.collation = kcol->attcollation;
	right.kind = KEYMATCH_ONLINE;
	right.column = req->view->join_keys[i];
	right.object = v->online;
	KeyMatchResolve(&km, &left, &right);

	lexpr = KeyMatchConvert(&km, true, param);
	rexpr = KeyMatchConvert(&km, false,
							psprintf("%s.%s", alias,
									 quote_identifier(req->view->join_keys[i])));
	if (OidIsValid(km.collation))
	{
		if (type_is_collatable(km.ltype))
			lexpr = psprintf("(%s COLLATE %s)", lexpr, collation_name(km.collation));
		else
			rexpr = psprintf("(%s COLLATE %s)", rexpr, collation_name(km.collation));
	}
	return psprintf("%s %s %s", lexpr, KeyMatchOperator(&km), rexpr);
}

/*
 * online_read_shape returns the read of a call's request for entity rows
 * whose columns are edesc: kept with the request when it is cached (up to
 * ONLINE_READ_MAX_SHAPES shapes), else built for this call. Checks the
 * entity columns against the request (features named like an entity
 * column, join key columns missing, keys that cannot be compared) and
 * computes the result's columns. Caller must be connected to SPI.
 */
static OnlineReadShape *
online_read_shape(OnlineReadCall *call, TupleDesc edesc)
{
	OnlineRead *rd = call->rd;
	StringInfoData key;
	StringInfoData cols;
	StringInfoData joins;
	StringInfoData keycols;
	StringInfoData keyfuncs;
	StringInfoData keyparams;
	OnlineReadShape *shape;
	MemoryContext cxt;
	MemoryContext old;
	int			nfeatures = 0;
	int			col;
	Oid		   *argtypes;
	Oid		   *argtypes1;
	bool		keep;

	initStringInfo(&key);
	shape_key(&key, edesc);
	for (shape = rd->shapes; shape != NULL; shape = shape->next)
		if (shape->keylen == key.len && memcmp(shape->key, key.data, key.len) == 0)
		{
			pfree(key.data);
			return shape;
		}

	cxt = AllocSetContextCreate(CurrentMemoryContext,
								"offline_store online read shape",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	shape = palloc0(sizeof(OnlineReadShape));
	shape->keylen = key.len;
	shape->key = palloc(key.len);
	memcpy(shape->key, key.data, key.len);
	shape->nentity = edesc->natts;
	shape->param_att = palloc(sizeof(int) * (edesc->natts + 1));

	initStringInfo(&cols);
	initStringInfo(&joins);
	initStringInfo(&keycols);
	initStringInfo(&keyfuncs);
	initStringInfo(&keyparams);
	for (int v = 0; v < rd->nviews; v++)
	{
		OnlineReadView *view = &rd->views[v];
		RegRequest *req = view->req;
		RegFeatureView *fv = req->view;
		char	   *alias = psprintf("o%d", v + 1);

		for (int i = 0; i < req->nfeatures; i++)
		{
			SrfCheckColumnName(req->output_names[i]);
			if (OnlineFindColumn(edesc, req->output_names[i]) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("feature name \"%s\" is also a column of entity_df",
								req->output_names[i]),
						 rd->full_feature_names ? 0 :
						 errhint("Pass full_feature_names => true to name features \"view__feature\".")));
			if (OnlineFindColumn(view->odesc, req->features[i]->name) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of online table %s does not exist",
								req->features[i]->name, view->online),
						 errdetail("Feature view \"%s\" has the feature \"%s\".",
								   fv->name, req->features[i]->name),
						 errhint("Run feast_apply to make the online table match the feature view.")));
			appendStringInfo(&cols, ", %s.%s", alias,
							 quote_identifier(req->features[i]->name));
			nfeatures++;
		}

		appendStringInfo(&joins, "\nLEFT JOIN %s %s ON ", view->online, alias);
		if (fv->nkeys == 0)
			appendStringInfo(&joins, "%s.%s OPERATOR(pg_catalog.=) ''::pg_catalog.text",
							 alias, quote_identifier(OFS_ONLINE_DUMMY_KEY));
		for (int i = 0; i < fv->nkeys; i++)
		{
			Form_pg_attribute ecol = OnlineFindColumn(edesc, req->key_columns[i]);
			int			att;
			int			p;

			if (ecol == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of entity_df does not exist",
								req->key_columns[i]),
						 errdetail("Feature view \"%s\" needs it for join key \"%s\".",
								   req->name_to_use, fv->join_keys[i])));
			att = ecol->attnum - 1;
			/* one parameter per entity column used as a key */
			for (p = 0; p < shape->nparams; p++)
				if (shape->param_att[p] == att)
					break;
			if (p == shape->nparams)
			{
				if (!OidIsValid(get_array_type(ecol->atttypid)))
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("entity_df column \"%s\" of type %s cannot be a join key",
									req->key_columns[i], format_type_be(ecol->atttypid)),
							 errdetail("Type %s has no array type.",
									   format_type_be(ecol->atttypid))));
				shape->param_att[shape->nparams++] = att;
				appendStringInfo(&keyfuncs, "%sfeast.online_keys($%d)",
								 p > 0 ? ", " : "", p + 1);
				appendStringInfo(&keycols, "k%d, ", p + 1);
				appendStringInfo(&keyparams, "%s$%d AS k%d",
								 p > 0 ? ", " : "", p + 1, p + 1);
			}
			appendStringInfo(&joins, "%s%s", i > 0 ? " AND " : "",
							 key_condition(edesc, view, i, alias,
										   psprintf("k.k%d", p + 1)));
		}
	}

	/*
	 * A batch: the key columns as arrays, one row per element with its
	 * ordinal (the planner knows the rows come out in that order); with no
	 * key column, the number of rows. One row: the keys as scalars.
	 */
	if (shape->nparams > 0)
		shape->sql = psprintf("SELECT k.ord%s\nFROM ROWS FROM (%s) WITH ORDINALITY AS k(%sord)%s\nORDER BY k.ord",
							  cols.data, keyfuncs.data, keycols.data, joins.data);
	else
		shape->sql = psprintf("SELECT k.ord%s\nFROM pg_catalog.generate_series(1::pg_catalog.int8, $1) AS k(ord)%s\nORDER BY k.ord",
							  cols.data, joins.data);
	shape->sql1 = psprintf("SELECT 1::pg_catalog.int8%s\nFROM (SELECT %s) AS k%s",
						   cols.data, keyparams.data, joins.data);

	/* the parameters: arrays of the key columns' types, or the row count */
	argtypes = palloc(sizeof(Oid) * Max(shape->nparams, 1));
	argtypes1 = palloc(sizeof(Oid) * Max(shape->nparams, 1));
	shape->param_type = palloc(sizeof(Oid) * Max(shape->nparams, 1));
	shape->param_arraytype = palloc(sizeof(Oid) * Max(shape->nparams, 1));
	shape->param_typlen = palloc(sizeof(int16) * Max(shape->nparams, 1));
	shape->param_typbyval = palloc(sizeof(bool) * Max(shape->nparams, 1));
	shape->param_typalign = palloc(sizeof(char) * Max(shape->nparams, 1));
	for (int p = 0; p < shape->nparams; p++)
	{
		Oid			type = TupleDescAttr(edesc, shape->param_att[p])->atttypid;

		shape->param_type[p] = argtypes1[p] = type;
		get_typlenbyvalalign(type, &shape->param_typlen[p],
							 &shape->param_typbyval[p], &shape->param_typalign[p]);
		shape->param_arraytype[p] = argtypes[p] = get_array_type(type);
	}
	if (shape->nparams == 0)
		argtypes[0] = INT8OID;

	/* the result: the entity columns, then the features */
	shape->result_desc = CreateTemplateTupleDesc(edesc->natts + nfeatures);
	col = 0;
	for (int i = 0; i < edesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(edesc, i);

		col++;
		TupleDescInitEntry(shape->result_desc, col, NameStr(att->attname),
						   att->atttypid, att->atttypmod, 0);
		TupleDescInitEntryCollation(shape->result_desc, col, att->attcollation);
	}
	for (int v = 0; v < rd->nviews; v++)
	{
		RegRequest *req = rd->views[v].req;

		for (int i = 0; i < req->nfeatures; i++)
		{
			Form_pg_attribute att = OnlineFindColumn(rd->views[v].odesc,
													 req->features[i]->name);

			col++;
			TupleDescInitEntry(shape->result_desc, col, req->output_names[i],
							   att->atttypid, att->atttypmod, 0);
			TupleDescInitEntryCollation(shape->result_desc, col, att->attcollation);
		}
	}
	MemoryContextSwitchTo(old);

	/*
	 * One generic plan, whatever the number of keys: with it, a call plans
	 * nothing. feast.online_keys's small row estimate makes it probe the
	 * primary keys.
	 */
	shape->plan = SPI_prepare_cursor(shape->sql, Max(shape->nparams, 1), argtypes,
									 CURSOR_OPT_GENERIC_PLAN);
	if (shape->plan == NULL)
		elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));
	shape->plan1 = SPI_prepare_cursor(shape->sql1, shape->nparams, argtypes1,
									  CURSOR_OPT_GENERIC_PLAN);
	if (shape->plan1 == NULL)
		elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));

	/* keep it with a kept request that nothing invalidated meanwhile */
	keep = call->entry != NULL && !call->entry->dead &&
		rd->nshapes < ONLINE_READ_MAX_SHAPES &&
		OnlineCacheGeneration() == call->generation;
	if (keep)
	{
		MemoryContextSetParent(cxt, call->entry->cxt);
		if (SPI_keepplan(shape->plan) != 0 || SPI_keepplan(shape->plan1) != 0)
			elog(ERROR, "SPI_keepplan failed");
		shape->kept = true;
		shape->next = rd->shapes;
		rd->shapes = shape;
		rd->nshapes++;
	}
	pfree(key.data);
	return shape;
}

/*
 * A value as the result row holds it: a value stored out of line (TOAST)
 * is fetched, so that the row stays valid whatever happens to the table
 * it came from.
 */
static inline Datum
own_value(Datum value, bool isnull, Form_pg_attribute att)
{
	if (!isnull && att->attlen == -1 &&
		VARATT_IS_EXTERNAL(DatumGetPointer(value)))
		return PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(value)));
	return value;
}

/*
 * The receiver of a read's rows (k.ord, then the features): each becomes a
 * result row, the entity row ord's values followed by the features.
 */
typedef struct OnlineReadDest
{
	DestReceiver pub;
	int			n;				/* entity rows of the batch */
	int			nentity;		/* their columns */
	TupleDesc	etupdesc;
	Datum	   *evalues;		/* n * nentity */
	bool	   *enulls;
	Tuplestorestate *tupstore;
	TupleDesc	desc;			/* the result's */
	Datum	   *values;
	bool	   *nulls;
	MemoryContext rowcxt;		/* reset per row: detoasted values */
} OnlineReadDest;

static bool
online_read_receive(TupleTableSlot *slot, DestReceiver *self)
{
	OnlineReadDest *d = (OnlineReadDest *) self;
	TupleDesc	rdesc = slot->tts_tupleDescriptor;
	MemoryContext old = MemoryContextSwitchTo(d->rowcxt);
	int64		ord;
	int			base;

	slot_getallattrs(slot);
	ord = DatumGetInt64(slot->tts_values[0]);
	if (slot->tts_isnull[0] || ord < 1 || ord > d->n)
		elog(ERROR, "online read returned entity row " INT64_FORMAT " of %d",
			 ord, d->n);
	base = (ord - 1) * d->nentity;
	for (int c = 0; c < d->nentity; c++)
	{
		d->nulls[c] = d->enulls[base + c];
		d->values[c] = own_value(d->evalues[base + c], d->nulls[c],
								 TupleDescAttr(d->etupdesc, c));
	}
	for (int c = 1; c < rdesc->natts; c++)
	{
		d->nulls[d->nentity + c - 1] = slot->tts_isnull[c];
		d->values[d->nentity + c - 1] = own_value(slot->tts_values[c],
												  slot->tts_isnull[c],
												  TupleDescAttr(rdesc, c));
	}
	tuplestore_putvalues(d->tupstore, d->desc, d->values, d->nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(d->rowcxt);
	return true;
}

/*
 * The read's columns must be those the result was built for: the online
 * tables are locked before the entry is used, so this only guards against
 * what cannot happen.
 */
static void
online_read_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	OnlineReadDest *d = (OnlineReadDest *) self;

	if (typeinfo->natts != d->desc->natts - d->nentity + 1)
		elog(ERROR, "online read returns %d columns, expected %d",
			 typeinfo->natts, d->desc->natts - d->nentity + 1);
	for (int c = 1; c < typeinfo->natts; c++)
		if (TupleDescAttr(typeinfo, c)->atttypid !=
			TupleDescAttr(d->desc, d->nentity + c - 1)->atttypid)
			elog(ERROR, "online read column %d is of type %s, expected %s", c + 1,
				 format_type_be(TupleDescAttr(typeinfo, c)->atttypid),
				 format_type_be(TupleDescAttr(d->desc, d->nentity + c - 1)->atttypid));
}

static void
online_read_noop(DestReceiver *self)
{
}

/*
 * online_read_batch looks up n entity rows (etab) and adds the result
 * rows to tupstore, in entity row order. Allocates in the current
 * context, which the caller resets.
 */
static void
online_read_batch(OnlineReadShape *shape, SPITupleTable *etab, int n,
				  Tuplestorestate *tupstore, TupleDesc desc)
{
	int			nent = shape->nentity;
	int			nparams = Max(shape->nparams, 1);
	ParamListInfo params = makeParamList(nparams);
	Datum	   *elems = palloc(sizeof(Datum) * n);
	bool	   *elnulls = palloc(sizeof(bool) * n);
	int			dims[1] = {n};
	int			lbs[1] = {1};
	OnlineReadDest dest;
	SPIExecuteOptions options;
	MemoryContext cxt = CurrentMemoryContext;
	int			rc = 0;

	memset(&dest, 0, sizeof(dest));
	dest.pub.receiveSlot = online_read_receive;
	dest.pub.rStartup = online_read_startup;
	dest.pub.rShutdown = online_read_noop;
	dest.pub.rDestroy = online_read_noop;
	dest.pub.mydest = DestTuplestore;
	dest.n = n;
	dest.nentity = nent;
	dest.etupdesc = etab->tupdesc;
	dest.evalues = palloc(sizeof(Datum) * n * nent);
	dest.enulls = palloc(sizeof(bool) * n * nent);
	dest.tupstore = tupstore;
	dest.desc = desc;
	dest.values = palloc(sizeof(Datum) * desc->natts);
	dest.nulls = palloc(sizeof(bool) * desc->natts);
	dest.rowcxt = AllocSetContextCreate(CurrentMemoryContext,
										"offline_store online read row",
										ALLOCSET_SMALL_SIZES);
	for (int r = 0; r < n; r++)
		heap_deform_tuple(etab->vals[r], etab->tupdesc, &dest.evalues[r * nent],
						  &dest.enulls[r * nent]);

	/*
	 * One row: its key values. A batch: the key arrays, or the number of
	 * rows.
	 */
	params->numParams = n == 1 ? shape->nparams : nparams;
	if (n > 1 && shape->nparams == 0)
	{
		params->params[0].value = Int64GetDatum(n);
		params->params[0].isnull = false;
		params->params[0].pflags = PARAM_FLAG_CONST;
		params->params[0].ptype = INT8OID;
	}
	for (int p = 0; p < shape->nparams; p++)
	{
		int			att = shape->param_att[p];

		if (n == 1)
		{
			params->params[p].value = dest.evalues[att];
			params->params[p].isnull = dest.enulls[att];
			params->params[p].pflags = PARAM_FLAG_CONST;
			params->params[p].ptype = shape->param_type[p];
			continue;
		}
		for (int r = 0; r < n; r++)
		{
			elems[r] = dest.evalues[r * nent + att];
			elnulls[r] = dest.enulls[r * nent + att];
		}
		params->params[p].value =
			PointerGetDatum(construct_md_array(elems, elnulls, 1, dims, lbs,
											   shape->param_type[p],
											   shape->param_typlen[p],
											   shape->param_typbyval[p],
											   shape->param_typalign[p]));
		params->params[p].isnull = false;
		params->params[p].pflags = PARAM_FLAG_CONST;
		params->params[p].ptype = shape->param_arraytype[p];
	}

	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = (DestReceiver *) &dest;
	PG_TRY();
	{
		rc = SPI_execute_plan_extended(n == 1 ? shape->plan1 : shape->plan,
									   &options);
	}
	PG_CATCH();
	{
		/* a permission error, say, without our statement in its context */
		SpiRethrowWithoutStatement(cxt, n == 1 ? shape->sql1 : shape->sql);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
}

/*
 * online_read_rows runs a call: the entity_df query (read-only, as the
 * caller), then the read for each batch of its rows, into the result of
 * the SETOF record function.
 */
static void
online_read_rows(FunctionCallInfo fcinfo, OnlineReadCall *call)
{
	int			nestlevel = SqlBeginReadOnly();
	Portal		portal;
	OnlineReadShape *shape;
	Tuplestorestate *tupstore;
	TupleDesc	desc;
	MemoryContext batch_cxt;

	SpiConnect();
	portal = SPI_cursor_open_with_args(NULL, psprintf("SELECT * FROM %s e", call->from),
									   0, NULL, NULL, NULL, true,
									   CURSOR_OPT_NO_SCROLL);
	shape = online_read_shape(call, portal->tupDesc);
	tupstore = SrfBeginRecord(fcinfo, shape->result_desc, "feast_online_features",
							  &desc);
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext,
									  "offline_store online read batch",
									  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		SPITupleTable *etab;
		MemoryContext old;

		SPI_cursor_fetch(portal, true, ONLINE_READ_BATCH);
		if (SPI_processed == 0)
			break;
		etab = SPI_tuptable;
		old = MemoryContextSwitchTo(batch_cxt);
		online_read_batch(shape, etab, (int) SPI_processed, tupstore, desc);
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch_cxt);
		SPI_freetuptable(etab);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	SPI_finish();
	SqlEndReadOnly(nestlevel);
}

/*
 * feast_online_features(entity_df, features, feature_service,
 *						 full_feature_names, project)
 */
Datum
ofs_feast_online_features(PG_FUNCTION_ARGS)
{
	OnlineCacheEnter();
	PG_TRY();
	{
		OnlineReadCall call;

		online_read_begin(fcinfo, &call);
		online_read_rows(fcinfo, &call);
	}
	PG_CATCH();
	{
		OnlineCacheLeave(false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	OnlineCacheLeave(true);
	return (Datum) 0;
}

/*
 * feast_online_features_sql(<the arguments of feast_online_features>): the
 * query that runs feast_online_features with these arguments, its column
 * definition list filled in, for clients that cannot write one. The
 * request and the read are those feast_online_features would resolve and
 * build for these arguments (online_read_begin, online_read_shape), with
 * the same checks and errors, and kept for the call that follows; the
 * entity_df is parsed but nothing is read. The project is pinned to the
 * one resolved now, and a relation entity_df to its schema-qualified name.
 */
Datum
ofs_feast_online_features_sql(PG_FUNCTION_ARGS)
{
	MemoryContext outer = CurrentMemoryContext;
	char	   *sql = NULL;

	OnlineCacheEnter();
	PG_TRY();
	{
		OnlineReadCall call;
		OnlineReadShape *shape;
		char	   *entity_df;
		ArrayType  *features;
		MemoryContext old;

		online_read_begin(fcinfo, &call);
		SpiConnect();
		shape = online_read_shape(&call, OnlineDescribe(call.from,
														CurrentMemoryContext));

		/* the text, in the caller's context (SPI_finish frees the shape) */
		old = MemoryContextSwitchTo(outer);
		entity_df = text_to_cstring(PG_GETARG_TEXT_PP(0));
		features = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
		sql = SrfCallSql(fcinfo->flinfo->fn_oid, "feast_online_features",
						 psprintf("%s, %s, %s, %s, %s",
								  SrfTextLiteral(SqlTextIsQuery(entity_df) ?
												 entity_df : call.from),
								  SrfTextArrayLiteral(features),
								  SrfTextLiteral(OnlineTextArg(fcinfo, 2)),
								  call.rd->full_feature_names ? "true" : "false",
								  SrfTextLiteral(call.rd->project)),
						 shape->result_desc);
		MemoryContextSwitchTo(old);
		SPI_finish();
	}
	PG_CATCH();
	{
		OnlineCacheLeave(false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	OnlineCacheLeave(true);
	PG_RETURN_TEXT_P(cstring_to_text(sql));
}

/*
 * feast.online_keys(anyarray): unnest, declared with a small row estimate
 * (ROWS 10), so that the generic plan of a read probes the online tables'
 * primary keys rather than scanning them. A C function of this module: the
 * executor finds it through fmgr's hash of loaded C functions, not by name
 * among the built-in ones.
 */
Datum
ofs_online_keys(PG_FUNCTION_ARGS)
{
	return array_unnest(fcinfo);
}
