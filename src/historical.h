/*-------------------------------------------------------------------------
 *
 * historical.h
 *		The arguments of a retrieval, and the query that runs it, for the
 *		functions built on feast_historical outside historical.c (training
 *		views).
 *
 * The arguments of feast_historical and of every function built on it
 * come in one order (entity_df, features, feature_service,
 * full_feature_names, project, filter_by_created_timestamp, start_date,
 * end_date, as_of): HIST_NARGS values whose types are HistArgTypes. In a
 * call, the first HIST_NFEATURE_ARGS (through end_date) come together;
 * as_of is the last parameter of each function, after the function's own
 * (replace, allow_overwrite), since it was added last. They are read from a
 * call, from stored values (feast.training_views keeps them in the same
 * order) and written back in one place each, so that an argument added to
 * feast_historical reaches every caller by extending HistArgs and these
 * functions.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_HISTORICAL_H
#define OFS_HISTORICAL_H

#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/array.h"
#include "utils/timestamp.h"

#define HIST_NARGS 9			/* every argument of HistArgs */
#define HIST_NFEATURE_ARGS 8	/* those that come together in a call */

/* The feature arguments of a retrieval. */
typedef struct HistArgs
{
	char	   *entity_df;		/* NULL: entity-less retrieval */
	ArrayType  *features;
	char	   *feature_service;
	bool		full_feature_names;
	char	   *project;
	bool		filter_by_created;
	bool		has_start;
	TimestampTz start_date;
	bool		has_end;
	TimestampTz end_date;
	bool		has_as_of;		/* only source rows created by as_of exist */
	TimestampTz as_of;
} HistArgs;

/* The SQL types of the HIST_NARGS arguments, in order. */
extern const Oid HistArgTypes[HIST_NARGS];

/*
 * HistGetArgs reads the arguments of a call: the HIST_NFEATURE_ARGS
 * starting at argument first, and as_of at argument as_of_arg (NULL when
 * the call has fewer arguments). HistArgsFromDatums reads the HIST_NARGS
 * arguments from values (nulls[i]: NULL), and HistArgsToDatums writes them
 * there, palloc'd in the current context. A NULL boolean reads as false.
 */
extern HistArgs *HistGetArgs(FunctionCallInfo fcinfo, int first, int as_of_arg);
extern HistArgs *HistArgsFromDatums(const Datum *values, const bool *nulls);
extern void HistArgsToDatums(const HistArgs *args, Datum *values, bool *nulls);

/*
 * HistRetrievalSql plans the retrieval of args without reading a row
 * (errors as feast_historical would raise them) and returns the query that
 * runs it: SELECT * FROM <schema>.feast_historical(<the arguments as
 * literals>) AS t(<result columns>), <schema> being that of function
 * fn_oid (one of ours). The project is the one args->project resolves to
 * now; *result_desc, when not NULL, receives the result columns. Memory is
 * the caller's.
 */
extern char *HistRetrievalSql(HistArgs *args, Oid fn_oid, TupleDesc *result_desc);

#endif							/* OFS_HISTORICAL_H */
