/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *		Running SPI statements and reading their results.
 *
 * Every module runs its internal statements the same way: with $n
 * parameters, checking the result code; and the registry readers walk
 * SPI_tuptable the same way. These are the shared helpers, with the two
 * things SPI does not offer: the plan a prepared statement would run with
 * (for estimates and the direct scan), and hiding our own generated SQL
 * from the context of an error raised while it ran.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/spi_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/plancache.h"

#include "spi_util.h"

void
SpiConnect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

void
SpiExec(const char *sql, int nargs, Oid *types, Datum *values,
		const char *nulls, int expected)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls,
										   false, 0);

	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

char *
SpiGetText(uint64 row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

Datum
SpiGetDatum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
						 isnull);
}

char **
SpiGetTextArray(uint64 row, int col, int *n)
{
	bool		isnull;
	Datum		d = SpiGetDatum(row, col, &isnull);
	Datum	   *elems;
	bool	   *elnulls;
	char	  **result;

	*n = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &elnulls, n);
	result = palloc0(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		result[i] = elnulls[i] ? NULL : TextDatumGetCString(elems[i]);
	return result;
}

PlannedStmt *
SpiPlanWithParams(SPIPlanPtr plan, ParamListInfo params)
{
	List	   *sources = SPI_plan_get_plan_sources(plan);
	CachedPlanSource *ps;
	Query	   *query;

	if (list_length(sources) != 1)
		return NULL;
	ps = linitial(sources);
	if (list_length(ps->query_list) != 1)
		return NULL;
	query = linitial_node(Query, ps->query_list);
	if (query->commandType == CMD_UTILITY)
		return NULL;
	/* the planner scribbles on its input */
	return pg_plan_query(copyObject(query), ps->query_string, 0, params);
}

double
SpiPlanEstimateRows(SPIPlanPtr plan, ParamListInfo params)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "offline_store estimate",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	PlannedStmt *stmt = SpiPlanWithParams(plan, params);
	double		rows = stmt ? stmt->planTree->plan_rows : 0;

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return rows;
}

void
SpiStripStatement(ErrorData *edata, const char *sql)
{
	char	   *line;
	char	   *at;
	const char *after;
	StringInfoData rest;

	/* a position in our statement (SPI puts those in internalquery) */
	if (edata->internalquery != NULL && strcmp(edata->internalquery, sql) == 0)
	{
		edata->internalquery = NULL;
		edata->internalpos = 0;
	}
	if (edata->context == NULL)
		return;
	line = psprintf("SQL statement \"%s\"", sql);
	at = strstr(edata->context, line);
	if (at == NULL)
		return;
	after = at + strlen(line);
	/* the line and its line break */
	if (*after == '\n')
		after++;
	else if (at > edata->context && at[-1] == '\n')
		at--;
	initStringInfo(&rest);
	appendBinaryStringInfo(&rest, edata->context, at - edata->context);
	appendStringInfoString(&rest, after);
	edata->context = rest.len > 0 ? rest.data : NULL;
}

void
SpiRethrowWithoutStatement(MemoryContext cxt, const char *sql)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	SpiStripStatement(edata, sql);
	ReThrowError(edata);
}
