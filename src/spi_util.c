/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *		Running SPI statements and reading their results.
 *
 * Every module runs its internal statements the same way: with $n
 * parameters, checking the result code; and the registry readers walk
 * SPI_tuptable the same way. These are the shared helpers.
 *
 * IDENTIFICATION
 *	  src/spi_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "spi_util.h"

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
