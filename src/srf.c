/*-------------------------------------------------------------------------
 *
 * srf.c
 *		Set-returning functions whose columns are computed at call time.
 *
 * feast_historical, feast_online_features and feast_pull_* return SETOF
 * record: their columns depend on the entity_df and the features asked for.
 * Used in FROM, they need a column definition list, which we check against
 * the columns we compute (count and types; a mismatch prints the list to
 * use). Used in a select list, they return anonymous records of the
 * computed shape.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/srf.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "srf.h"

void
SrfCheckColumnName(const char *name)
{
	size_t		len = strlen(name);

	if (len >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("result column name \"%s\" is too long", name),
				 errdetail("It is %zu bytes long; a column name is at most %d bytes, and names are never truncated.",
						   len, NAMEDATALEN - 1),
				 errhint("Use a shorter feature name, feature view name or alias, or pass full_feature_names => false.")));
}

char *
SrfColumnDefinitionList(TupleDesc desc)
{
	StringInfoData buf;
	int			n = 0;

	initStringInfo(&buf);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		appendStringInfo(&buf, "%s%s %s", n++ > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)),
						 format_type_with_typemod(att->atttypid, att->atttypmod));
	}
	return buf.data;
}

Tuplestorestate *
SrfBeginRecord(FunctionCallInfo fcinfo, TupleDesc computed, const char *funcname,
			   TupleDesc *desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	Tuplestorestate *tupstore;
	TupleDesc	result;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	if (rsinfo->expectedDesc != NULL)
	{
		TupleDesc	expected = rsinfo->expectedDesc;
		bool		match = (expected->natts == computed->natts);
		int			bad = -1;

		for (int i = 0; match && i < computed->natts; i++)
		{
			Form_pg_attribute e = TupleDescAttr(expected, i);
			Form_pg_attribute c = TupleDescAttr(computed, i);

			if (e->atttypid != c->atttypid ||
				(e->atttypmod != c->atttypmod && e->atttypmod != -1))
			{
				match = false;
				bad = i;
			}
		}
		if (!match)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column definition list of %s does not match its result", funcname),
					 bad < 0 ?
					 errdetail("The result has %d columns; the list has %d.",
							   computed->natts, expected->natts) :
					 errdetail("Column %d has type %s in the result and %s in the list.",
							   bad + 1,
							   format_type_with_typemod(TupleDescAttr(computed, bad)->atttypid,
														TupleDescAttr(computed, bad)->atttypmod),
							   format_type_with_typemod(TupleDescAttr(expected, bad)->atttypid,
														TupleDescAttr(expected, bad)->atttypmod)),
					 errhint("Use: AS t(%s)", SrfColumnDefinitionList(computed))));
		result = expected;
	}
	else
		result = computed;

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	result = CreateTupleDescCopy(result);
	BlessTupleDesc(result);
	tupstore = tuplestore_begin_heap(rsinfo->allowedModes & SFRM_Materialize_Random,
									 false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = result;
	MemoryContextSwitchTo(oldcontext);

	*desc = result;
	return tupstore;
}
