/*-------------------------------------------------------------------------
 *
 * srf.h
 *		Set-returning functions whose columns are computed at call time
 *		(SETOF record with a caller's column definition list).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/srf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_SRF_H
#define OFS_SRF_H

#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/array.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

/*
 * SrfBeginRecord sets up a materialize-mode SRF returning rows shaped like
 * computed. In FROM, the caller's column definition list must match it in
 * count and types (names are the caller's); else an error whose hint prints
 * the list to use. In a select list, computed is used as it is. Returns the
 * tuplestore; *desc receives the descriptor to form tuples with.
 */
extern Tuplestorestate *SrfBeginRecord(FunctionCallInfo fcinfo, TupleDesc computed,
									   const char *funcname, TupleDesc *desc);

/*
 * SrfCheckColumnName errors (ERRCODE_NAME_TOO_LONG) when a result column
 * name is longer than an identifier can be: names are never cut (a cut
 * could split a multibyte character, or make two names equal).
 */
extern void SrfCheckColumnName(const char *name);

/* "name type, name type, ..." with quoted names, for hints and generated SQL. */
extern char *SrfColumnDefinitionList(TupleDesc desc);

/*
 * The generated queries of the *_sql functions: SrfCallSql returns
 * SELECT * FROM <schema>.<funcname>(<args>) AS t(<columns of desc>),
 * <schema> being that of function fn_oid (one of ours); args is a list of
 * literals made with the functions below, which read back the same in any
 * session (timestamps in UTC, types schema-qualified).
 */
extern char *SrfCallSql(Oid fn_oid, const char *funcname, const char *args,
						TupleDesc desc);
extern char *SrfTextLiteral(const char *s);
extern char *SrfTextArrayLiteral(ArrayType *a);
extern char *SrfTimestamptzLiteral(bool isnull, TimestampTz ts);

#endif							/* OFS_SRF_H */
