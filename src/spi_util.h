/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *		Running SPI statements and reading their results.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/spi_util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_SPI_UTIL_H
#define OFS_SPI_UTIL_H

#include "executor/spi.h"
#include "nodes/params.h"
#include "nodes/plannodes.h"

/* SPI_connect, any failure being an internal error. */
extern void SpiConnect(void);

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

/*
 * SpiPlanWithParams plans the one query of a prepared statement with the
 * values it will run with (as SPI plans a custom plan: no parallel plan),
 * without running it; the plan is allocated in the current memory context.
 * NULL when the statement is not one plannable query.
 * SpiPlanEstimateRows returns that plan's estimate of the rows the query
 * returns (0 when there is no plan).
 */
extern PlannedStmt *SpiPlanWithParams(SPIPlanPtr plan, ParamListInfo params);
extern double SpiPlanEstimateRows(SPIPlanPtr plan, ParamListInfo params);

/*
 * SpiRethrowWithoutStatement re-throws the error being handled (call it in
 * PG_CATCH, with the memory context of the PG_TRY) without what SPI added
 * for the statement sql, one we generated (its context line, or the
 * statement as internal query with a position in it): the user is shown
 * the error, its other fields (detail, hint, schema, table, column...) and
 * the other context lines, not our SQL.
 */
extern void SpiRethrowWithoutStatement(MemoryContext cxt, const char *sql) pg_attribute_noreturn();

/* The same on a copied error: drop the context line of statement sql. */
extern void SpiStripStatement(ErrorData *edata, const char *sql);

#endif							/* OFS_SPI_UTIL_H */
