/*-------------------------------------------------------------------------
 *
 * online_materialize_agg.c
 *		The aggregated features of a feature view into its online table, as
 *		of the end of a materialization.
 *
 * For an online row with key k, an aggregation's feature is what
 * feast_historical gives an entity row (k, end_date): the aggregate over
 * the source rows with key k and end_date - window < ts <= end_date. One
 * statement sets them all:
 *
 *	 WITH a AS (SELECT <online key>, sum(s.x) FILTER (WHERE ts > $2), ...,
 *				       max(ts) FROM source s
 *				WHERE ts > $1 AND ts <= $3 AND keys IS NOT NULL
 *				GROUP BY <online key>),
 *		  up AS (INSERT INTO online ... SELECT ... FROM a
 *				 ON CONFLICT (keys) DO UPDATE SET <aggregations>),
 *		  cl AS (UPDATE online SET <empty aggregations>
 *				 WHERE no row of a has the key and they are not empty)
 *
 * ($1 the earliest lower bound, then one per aggregation, the end last):
 * every key with a source row in some window gets its values (a key the
 * online table lacks gets a row, with the newest timestamp of its windows
 * and no created timestamp, so that newest-wins lets any later upsert of
 * its newest row through), and every other online row gets the values of
 * an empty window (count 0, the others NULL): windows move on with the end
 * date. Source keys are grouped by the values they take in the online
 * table (OnlineKeyExpr), as the newest-wins upsert groups them, and the
 * aggregates are PostgreSQL's own, resolved for the columns as the engine
 * resolves them (pg_catalog.<function>): the same answers as
 * feast_historical's. A push does not change aggregated features; the next
 * materialization does.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/online_materialize_agg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "online.h"
#include "spi_util.h"

/* A lower bound end - window, or -infinity when before the first timestamp. */
static TimestampTz
window_lower_bound(TimestampTz end, int64 window)
{
	TimestampTz lo;

	if (pg_sub_s64_overflow(end, window, &lo) || lo < MIN_TIMESTAMP)
		return DT_NOBEGIN;
	return lo;
}

/*
 * OnlineMaterializeAggregations sets the aggregated features of fv's online
 * table as of end and returns the number of online rows it wrote (0 when a
 * materialization ending after end is recorded). *statement receives the
 * statement, allocated in statement_cxt, before it runs. Caller must be
 * connected to SPI and hold the view's materialization lock.
 */
int64
OnlineMaterializeAggregations(const RegFeatureView *fv, TimestampTz end,
							  MemoryContext statement_cxt, char **statement)
{
	const RegSource *src = fv->source;
	char	   *from_item = RegSourceFromItem(src);
	char	   *online = OnlineTableOf(fv);
	TupleDesc	desc = OnlineDescribe(from_item, CurrentMemoryContext);
	TupleDesc	odesc = OnlineDescribe(online, CurrentMemoryContext);
	Form_pg_attribute ts_att;
	char	   *ts_col;
	int			nparams = fv->naggregations + 2;
	Oid		   *types = palloc(sizeof(Oid) * nparams);
	Datum	   *values = palloc(sizeof(Datum) * nparams);
	int64		max_window = 0;
	StringInfoData names;		/* online key columns */
	StringInfoData sql;
	bool		isnull;

	/*
	 * Newest wins here too: a materialization that ends before one already
	 * recorded (a backfill) leaves the newer aggregates alone.
	 */
	{
		Oid			ltypes[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};
		Datum		lvalues[3];
		Datum		newer;

		lvalues[0] = CStringGetTextDatum(fv->project);
		lvalues[1] = CStringGetTextDatum(fv->name);
		lvalues[2] = TimestampTzGetDatum(end);
		SpiExec("SELECT pg_catalog.max(end_date) OPERATOR(pg_catalog.>) $3 "
				"FROM feast.materialization_intervals "
				"WHERE project OPERATOR(pg_catalog.=) $1 "
				"AND feature_view OPERATOR(pg_catalog.=) $2",
				3, ltypes, lvalues, NULL, SPI_OK_SELECT);
		newer = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull && DatumGetBool(newer))
			return 0;
	}

	ts_att = OnlineSourceColumn(desc, src, src->timestamp_field, ONLINE_TIMESTAMP);
	ts_col = psprintf("s.%s", quote_identifier(NameStr(ts_att->attname)));

	initStringInfo(&names);
	if (fv->nkeys == 0)
		appendStringInfoString(&names, quote_identifier(OFS_ONLINE_DUMMY_KEY));
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(&names, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(fv->join_keys[i]));

	/* a: the aggregates of every key with rows in some window */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "WITH a AS (SELECT ");
	if (fv->nkeys == 0)
		appendStringInfoString(&sql, "''::pg_catalog.text AS k1");
	for (int i = 0; i < fv->nkeys; i++)
	{
		Form_pg_attribute att = OnlineSourceColumn(desc, src, fv->join_keys[i],
												   ONLINE_JOIN_KEY);

		appendStringInfo(&sql, "%s%s AS k%d", i > 0 ? ", " : "",
						 OnlineKeyExpr(fv, fv->join_keys[i], att,
									   OnlineFindColumn(odesc, fv->join_keys[i])),
						 i + 1);
	}
	for (int j = 0; j < fv->naggregations; j++)
	{
		const RegAggregation *agg = &fv->aggregations[j];
		Form_pg_attribute att = OnlineSourceColumn(desc, src, agg->column,
												   ONLINE_FEATURE);

		appendStringInfo(&sql, ", pg_catalog.%s(s.%s) FILTER (WHERE %s OPERATOR(pg_catalog.>) %s) AS a%d",
						 RegAggregationSqlName(agg->function),
						 quote_identifier(NameStr(att->attname)),
						 ts_col, OnlineTsBound(ts_att, j + 2), j + 1);
		types[j + 1] = TIMESTAMPTZOID;
		values[j + 1] = TimestampTzGetDatum(window_lower_bound(end, agg->window_usec));
		max_window = Max(max_window, agg->window_usec);
	}
	appendStringInfo(&sql, ", pg_catalog.max(%s) AS ts FROM %s s WHERE %s OPERATOR(pg_catalog.>) %s "
					 "AND %s OPERATOR(pg_catalog.<=) %s",
					 OnlineTsExpr("s", ts_att, src, ONLINE_TIMESTAMP), from_item,
					 ts_col, OnlineTsBound(ts_att, 1), ts_col, OnlineTsBound(ts_att, nparams));
	for (int i = 0; i < fv->nkeys; i++)
		appendStringInfo(&sql, " AND s.%s IS NOT NULL",
						 quote_identifier(RegSourceColumn(src, fv->join_keys[i])));
	appendStringInfoString(&sql, " GROUP BY ");
	for (int i = 0; i < Max(fv->nkeys, 1); i++)
		appendStringInfo(&sql, "%s%d", i > 0 ? ", " : "", i + 1);
	types[0] = TIMESTAMPTZOID;
	values[0] = TimestampTzGetDatum(window_lower_bound(end, max_window));
	types[nparams - 1] = TIMESTAMPTZOID;
	values[nparams - 1] = TimestampTzGetDatum(end);

	/* up: into the online table, a row for a key it lacks */
	appendStringInfo(&sql, "),\nup AS (INSERT INTO %s AS o (%s", online, names.data);
	for (int j = 0; j < fv->naggregations; j++)
		appendStringInfo(&sql, ", %s", quote_identifier(fv->aggregations[j].name));
	appendStringInfoString(&sql, ", event_timestamp, created_timestamp) SELECT ");
	for (int i = 0; i < Max(fv->nkeys, 1); i++)
		appendStringInfo(&sql, "%sk%d", i > 0 ? ", " : "", i + 1);
	for (int j = 0; j < fv->naggregations; j++)
		appendStringInfo(&sql, ", a%d", j + 1);
	/* in key order, as the newest-wins upsert writes, to lock rows alike */
	appendStringInfoString(&sql, ", ts, NULL FROM a ORDER BY ");
	for (int i = 0; i < Max(fv->nkeys, 1); i++)
		appendStringInfo(&sql, "%sk%d", i > 0 ? ", " : "", i + 1);
	appendStringInfo(&sql, " ON CONFLICT (%s) DO UPDATE SET ", names.data);
	for (int j = 0; j < fv->naggregations; j++)
		appendStringInfo(&sql, "%s%s = EXCLUDED.%s", j > 0 ? ", " : "",
						 quote_identifier(fv->aggregations[j].name),
						 quote_identifier(fv->aggregations[j].name));
	appendStringInfoString(&sql, " RETURNING 1),\n");

	/* cl: every other row has empty windows */
	appendStringInfo(&sql, "cl AS (UPDATE %s AS o SET ", online);
	for (int j = 0; j < fv->naggregations; j++)
		appendStringInfo(&sql, "%s%s = %s", j > 0 ? ", " : "",
						 quote_identifier(fv->aggregations[j].name),
						 strcmp(fv->aggregations[j].function, "count") == 0 ? "0" : "NULL");
	appendStringInfoString(&sql, " WHERE NOT EXISTS (SELECT FROM a WHERE ");
	for (int i = 0; i < Max(fv->nkeys, 1); i++)
		appendStringInfo(&sql, "%sa.k%d OPERATOR(pg_catalog.=) o.%s", i > 0 ? " AND " : "",
						 i + 1, quote_identifier(fv->nkeys == 0 ? OFS_ONLINE_DUMMY_KEY :
												 fv->join_keys[i]));
	appendStringInfoString(&sql, ") AND (");
	for (int j = 0; j < fv->naggregations; j++)
		appendStringInfo(&sql, "%so.%s IS DISTINCT FROM %s", j > 0 ? " OR " : "",
						 quote_identifier(fv->aggregations[j].name),
						 strcmp(fv->aggregations[j].function, "count") == 0 ? "0" : "NULL");
	appendStringInfoString(&sql, ") RETURNING 1)\n"
						   "SELECT (SELECT pg_catalog.count(*) FROM up) OPERATOR(pg_catalog.+) "
						   "(SELECT pg_catalog.count(*) FROM cl)");

	*statement = MemoryContextStrdup(statement_cxt, sql.data);
	SpiExec(sql.data, nparams, types, values, NULL, SPI_OK_SELECT);
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
									   &isnull));
}
