/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *		Reading the columns of the last SPI result.
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
 * Column col (1-based) of row of SPI_tuptable: as text (NULL if null), as a
 * Datum, or a text[] column as a C array of strings (NULL if null). Text is
 * allocated in the current memory context.
 */
extern char *SpiGetText(uint64 row, int col);
extern Datum SpiGetDatum(uint64 row, int col, bool *isnull);
extern char **SpiGetTextArray(uint64 row, int col, int *n);

#endif							/* OFS_SPI_UTIL_H */
