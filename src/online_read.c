/*-------------------------------------------------------------------------
 *
 * online_read.c
 *		feast_online_features: Feast's get_online_features over the
 *		in-database online tables.
 *
 * The entity rows (a relation or a read-only query) are LEFT JOINed to the
 * online table of every requested feature view on its primary key, so each
 * entity row gives exactly one output row, with NULL features for keys
 * that are not there. Columns: every entity row column in order, then the
 * features, named and ordered as feast_historical names them (feature
 * views by first reference, features in reference order, "feature" or
 * "view__feature"). Join keys are matched after the feature service's
 * join_key_map, as entity_key = online_key in SQL: the equality operator
 * and collation PostgreSQL resolves for the two columns' types
 * (keymatch.c), never a cast of one to the other. An entity-less view joins
 * its single row (__dummy_id ''). Result rows own their values
 * (OnlineQueryToSrf).
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

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "keymatch.h"
#include "online.h"
#include "registry.h"
#include "sqlbuild.h"
#include "spi_util.h"
#include "srf.h"

PG_FUNCTION_INFO_V1(ofs_feast_online_features);
PG_FUNCTION_INFO_V1(ofs_feast_online_features_sql);

/*
 * key_condition returns the join condition of join key i of req: the
 * entity_df column = the online key column, with the equality operator and
 * collation SQL resolves for their types (keymatch.c), never a cast of one
 * to the other's type. Types with no equality operator between them are an
 * error that names both.
 */
static char *
key_condition(TupleDesc edesc, TupleDesc odesc, RegRequest *req, int i,
			  const char *online, const char *alias)
{
	Form_pg_attribute ecol = OnlineFindColumn(edesc, req->key_columns[i]);
	Form_pg_attribute kcol = OnlineFindColumn(odesc, req->view->join_keys[i]);
	KeyMatchSide left;
	KeyMatchSide right;
	KeyMatch	km;

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
	right.object = online;
	KeyMatchResolve(&km, &left, &right);
	return psprintf("%s %s %s",
					KeyMatchConvert(&km, true,
									psprintf("e.%s", quote_identifier(req->key_columns[i]))),
					KeyMatchOperator(&km),
					KeyMatchConvert(&km, false,
									psprintf("%s.%s", alias,
											 quote_identifier(req->view->join_keys[i]))));
}

/*
 * feast_online_features(entity_df, features, feature_service,
 *						 full_feature_names, project)
 */
Datum
ofs_feast_online_features(PG_FUNCTION_ARGS)
{
	char	   *entity_df;
	ArrayType  *features = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	char	   *feature_service = OnlineTextArg(fcinfo, 2);
	bool		full_feature_names = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	char	   *project;
	List	   *requests;
	char	   *from;
	TupleDesc	edesc;
	StringInfoData sql;
	StringInfoData joins;
	ListCell   *lc;
	int			n = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("entity_df must not be NULL")));
	entity_df = text_to_cstring(PG_GETARG_TEXT_PP(0));
	project = OnlineProjectArg(fcinfo, 4);
	requests = RegistryResolveRequest(project, features, feature_service,
									  full_feature_names);
	from = SqlRelationOrQuery(entity_df, "entity_df");

	SpiConnect();
	edesc = OnlineDescribe(from, CurrentMemoryContext);

	initStringInfo(&sql);
	initStringInfo(&joins);
	appendStringInfoString(&sql, "SELECT e.*");
	foreach(lc, requests)
	{
		RegRequest *req = lfirst(lc);
		RegFeatureView *fv = req->view;
		char	   *alias = psprintf("o%d", ++n);
		TupleDesc	odesc;
		char	   *online;

		if (!fv->online)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature view \"%s\" is not online", fv->name),
					 errhint("Set online: true on the feature view, or use feast_historical.")));

		for (int i = 0; i < req->nfeatures; i++)
		{
			SrfCheckColumnName(req->output_names[i]);
			if (OnlineFindColumn(edesc, req->output_names[i]) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("feature name \"%s\" is also a column of entity_df",
								req->output_names[i]),
						 full_feature_names ? 0 :
						 errhint("Pass full_feature_names => true to name features \"view__feature\".")));
			appendStringInfo(&sql, ", %s.%s AS %s", alias,
							 quote_identifier(req->features[i]->name),
							 quote_identifier(req->output_names[i]));
		}

		online = OnlineTableOf(fv);
		odesc = OnlineDescribe(online, CurrentMemoryContext);
		appendStringInfo(&joins, "\nLEFT JOIN %s %s ON ", online, alias);
		if (fv->nkeys == 0)
			appendStringInfo(&joins, "%s.%s OPERATOR(pg_catalog.=) ''::pg_catalog.text",
							 alias, quote_identifier(OFS_ONLINE_DUMMY_KEY));
		for (int i = 0; i < fv->nkeys; i++)
		{
			if (OnlineFindColumn(edesc, req->key_columns[i]) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of entity_df does not exist",
								req->key_columns[i]),
						 errdetail("Feature view \"%s\" needs it for join key \"%s\".",
								   req->name_to_use, fv->join_keys[i])));
			appendStringInfo(&joins, "%s%s", i > 0 ? " AND " : "",
							 key_condition(edesc, odesc, req, i, online, alias));
		}
	}
	appendStringInfo(&sql, "\nFROM %s e%s", from, joins.data);

	OnlineQueryToSrf(fcinfo, "feast_online_features", sql.data, 0, NULL, NULL,
					 NULL, true);
	SPI_finish();
	return (Datum) 0;
}

/*
 * feast_online_features_sql(<the arguments of feast_online_features>): the
 * query that runs feast_online_features with these arguments, its column
 * definition list filled in, for clients that cannot write one. The result
 * columns are computed as the read computes them (the entity_df's columns,
 * then each feature with its online column's type), with the same checks,
 * but nothing is read. The project is pinned to the one resolved now, and
 * a relation entity_df to its schema-qualified name.
 */
Datum
ofs_feast_online_features_sql(PG_FUNCTION_ARGS)
{
	char	   *entity_df;
	ArrayType  *features = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	char	   *feature_service = OnlineTextArg(fcinfo, 2);
	bool		full_feature_names = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	char	   *project;
	List	   *requests;
	char	   *from;
	TupleDesc	edesc;
	TupleDesc	desc;
	int			natts;
	int			att;
	ListCell   *lc;
	StringInfoData args;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("entity_df must not be NULL")));
	entity_df = text_to_cstring(PG_GETARG_TEXT_PP(0));
	project = OnlineProjectArg(fcinfo, 4);
	requests = RegistryResolveRequest(project, features, feature_service,
									  full_feature_names);
	from = SqlRelationOrQuery(entity_df, "entity_df");

	SpiConnect();
	edesc = OnlineDescribe(from, CurrentMemoryContext);
	natts = edesc->natts;
	foreach(lc, requests)
		natts += ((RegRequest *) lfirst(lc))->nfeatures;
	desc = CreateTemplateTupleDesc(natts);
	for (att = 0; att < edesc->natts; att++)
		TupleDescCopyEntry(desc, att + 1, edesc, att + 1);
	foreach(lc, requests)
	{
		RegRequest *req = lfirst(lc);
		RegFeatureView *fv = req->view;
		char	   *online;
		TupleDesc	odesc;

		if (!fv->online)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature view \"%s\" is not online", fv->name),
					 errhint("Set online: true on the feature view, or use feast_historical.")));
		for (int i = 0; i < req->nfeatures; i++)
		{
			SrfCheckColumnName(req->output_names[i]);
			if (OnlineFindColumn(edesc, req->output_names[i]) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("feature name \"%s\" is also a column of entity_df",
								req->output_names[i]),
						 full_feature_names ? 0 :
						 errhint("Pass full_feature_names => true to name features \"view__feature\".")));
		}
		online = OnlineTableOf(fv);
		odesc = OnlineDescribe(online, CurrentMemoryContext);
		for (int i = 0; i < req->nfeatures; i++)
		{
			Form_pg_attribute fcol = OnlineFindColumn(odesc, req->features[i]->name);

			if (fcol == NULL)
				elog(ERROR, "online table of feature view \"%s\" has no column \"%s\"",
					 fv->name, req->features[i]->name);
			TupleDescInitEntry(desc, ++att, req->output_names[i], fcol->atttypid,
							   fcol->atttypmod, 0);
		}
		for (int i = 0; i < fv->nkeys; i++)
		{
			if (OnlineFindColumn(edesc, req->key_columns[i]) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of entity_df does not exist",
								req->key_columns[i]),
						 errdetail("Feature view \"%s\" needs it for join key \"%s\".",
								   req->name_to_use, fv->join_keys[i])));
			/* the keys must compare as the read compares them */
			(void) key_condition(edesc, odesc, req, i, online, "o");
		}
	}
	SPI_finish();

	initStringInfo(&args);
	appendStringInfo(&args, "%s, %s, %s, %s, %s",
					 SrfTextLiteral(SqlTextIsQuery(entity_df) ? entity_df : from),
					 SrfTextArrayLiteral(features),
					 SrfTextLiteral(feature_service),
					 full_feature_names ? "true" : "false",
					 SrfTextLiteral(project));
	PG_RETURN_TEXT_P(cstring_to_text(SrfCallSql(fcinfo->flinfo->fn_oid,
												"feast_online_features",
												args.data, desc)));
}
