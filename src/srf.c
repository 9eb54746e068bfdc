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

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
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

/* A text value as a literal, or NULL::pg_catalog.text. */
char *
SrfTextLiteral(const char *s)
{
	return s ? psprintf("%s::pg_catalog.text", quote_literal_cstr(s)) :
		pstrdup("NULL::pg_catalog.text");
}

/* A text[] value as ARRAY[...]::pg_catalog.text[], or a typed NULL. */
char *
SrfTextArrayLiteral(ArrayType *a)
{
	StringInfoData buf;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (a == NULL)
		return pstrdup("NULL::pg_catalog.text[]");
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "ARRAY[");
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 nulls[i] ? "NULL" : quote_literal_cstr(TextDatumGetCString(elems[i])));
	appendStringInfoString(&buf, "]::pg_catalog.text[]");
	return buf.data;
}

/* A timestamptz as a literal in UTC, or a typed NULL. */
char *
SrfTimestamptzLiteral(bool isnull, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (isnull)
		return pstrdup("NULL::pg_catalog.timestamptz");
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

/* SELECT * FROM <schema>.<funcname>(<args>) AS t(<columns>) */
char *
SrfCallSql(Oid fn_oid, const char *funcname, const char *args, TupleDesc desc)
{
	char	   *schema = get_namespace_name(get_func_namespace(fn_oid));

	return psprintf("SELECT * FROM %s.%s(%s) AS t(%s)",
					quote_identifier(schema), quote_identifier(funcname), args,
					SrfColumnDefinitionList(desc));
}
