/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *		Running SPI statements and reading their results.
 *
 * IDENTIFICATION
 *	  src/spi_util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_SPI_UTIL_H
#define OFS_SPI_UTIL_H

#include "postgres.h"

/*
 * Run sql with $n parameters (nulls as for SPI_execute_with_args, NULL for
 * none); any result but expected is an internal error.
 */
extern void SpiExec(const char *sql, int nargs, Oid *types, Datum *values,
					const char *nulls, int expected);

/*
 * Column col (1-based) of row of SPI_tuptable: as text (NULL if null), as a
 * Datum, or a text[] column as a C array of strings (NULL if null). Text is
 * allocated in the current memory context.
 */
extern char *SpiGetText(uint64 row, int col);
extern Datum SpiGetDatum(uint64 row, int col, bool *isnull);
extern char **SpiGetTextArray(uint64 row, int col, int *n);

#endif							/* OFS_SPI_UTIL_H */
