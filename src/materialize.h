/*-------------------------------------------------------------------------
 *
 * materialize.h
 *		The per-key winners of a materialization (materialize_table.c): the
 *		newest source row per online key, kept in one pass over the source.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/materialize.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_MATERIALIZE_H
#define OFS_MATERIALIZE_H

#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/snapshot.h"

#include "historical_scan.h"
#include "progress.h"

typedef struct MatTable MatTable;

/*
 * One winner, as MatTableNext returns it: its event timestamp and created
 * timestamp (raw int64 microseconds, timestamp and timestamptz alike), and
 * its row (the columns of the table's row_desc). The arrays belong to the
 * table and are valid until the next MatTableNext; the by-reference values
 * they point to, until MatTableDestroy, unless MatTableSpilled.
 */
typedef struct MatWinner
{
	int64		ts;
	bool		created_null;
	int64		created;
	Datum	   *values;
	bool	   *nulls;
} MatWinner;

/*
 * MatTableCreate makes an empty table in a child context of parent.
 * row_desc describes the row kept per key: its first nkeys columns are the
 * key, in the online key's types, grouped by their type's default equality
 * (and hash) with each column's collation (attcollation); the others are
 * the values kept with it (features). nkeys 0 keeps a single row.
 *
 * by_reference: the rows are offered by reference (MatTableOfferRef) and
 * fetched once the winners are known (MatTableFetchRows), so that a row
 * costs no copy when it wins and no cache miss for its values; else they
 * are offered by value (MatTableOffer).
 */
extern MatTable *MatTableCreate(MemoryContext parent, TupleDesc row_desc, int nkeys,
								bool by_reference);

/*
 * MatTableOffer offers one source row: ts and created (created_null: no
 * created), and its values: values[cols[i]] / nulls[cols[i]] is column i of
 * row_desc. The key columns must not be NULL. The row becomes its key's
 * winner when it is the first for that key or newer than the winner: a
 * greater ts, or the same ts and a greater created (a NULL created loses a
 * tie to any other; a full tie keeps the winner). The winner's values are
 * copied (a value stored out of line fetched), the row's are not kept.
 */
extern void MatTableOffer(MatTable *table, int64 ts, bool created_null,
						  int64 created, const Datum *values,
						  const bool *nulls, const int *cols);

/*
 * MatTableOfferRef offers a row by reference: ref identifies it (a TID),
 * and only its key columns are read from values (at the time of the call).
 * The winner rule is MatTableOffer's. Offers of a table whose key is one
 * integer column are queued a few at a time, so that the hash table slots
 * they touch are fetched from memory together (MatTableFetchRows and
 * MatTableCount process the queue).
 */
extern void MatTableOfferRef(MatTable *table, uint64 ref, int64 ts, bool created_null,
							 int64 created, const Datum *values, const bool *nulls,
							 const int *cols);

/*
 * MatTableFetchRows calls fetch for the reference of every winner offered
 * by reference, in the order of the references, and keeps the row it
 * returns (values[cols[i]] / nulls[cols[i]] being column i of row_desc,
 * valid until the next call), key columns included. After the last offer.
 */
typedef void (*MatFetchFn) (void *arg, uint64 ref, Datum **values, bool **nulls);
extern void MatTableFetchRows(MatTable *table, MatFetchFn fetch, void *arg,
							  const int *cols);

/*
 * For parallel workers (materialize_parallel.c): MatTableExport hands the
 * winners of a table offered rows by reference (their keys, timestamps
 * and references) to send, in messages of about 64 kB, before its rows are
 * fetched; MatTableMerge offers each winner of such a message to another
 * such table, as MatTableOfferRef would.
 */
typedef void (*MatSendFn) (void *arg, const char *data, Size len);
extern void MatTableExport(MatTable *table, MatSendFn send, void *arg);
extern void MatTableMerge(MatTable *table, const char *data, Size len);

/*
 * MatTableSetBudget bounds the memory of a table offered rows by value (not
 * yet offered any): past budget bytes, its offers are partitioned by their
 * key's hash on temporary files (offline_store.max_memory), and reduced to
 * the same winners, in the same order, when they are counted or scanned.
 * MatTableEstimate gives the memory the table uses, and, offered rows by
 * reference, what the winners' rows will add.
 */
extern void MatTableSetBudget(MatTable *table, Size budget);
/* Whether the table went to temporary files (its winners' values then last until the next MatTableNext only). */
extern bool MatTableSpilled(MatTable *table);
extern Size MatTableEstimate(MatTable *table);

/* The row_desc the table was created with. */
extern TupleDesc MatTableRowDesc(MatTable *table);
/* The number of keys (winners) so far. */
extern int64 MatTableCount(MatTable *table);

/* The memory the table uses, in bytes (its context and children). */
extern Size MatTableMemory(MatTable *table);

/*
 * MatTableBeginScan starts returning the winners (after every offer), in
 * the key's order (each key column's type's default btree order with its
 * collation) when sorted and the types have one, else in any order;
 * MatTableNext returns them in turn, false after the last.
 *
 * A partitioned table (MatTableSetBudget) sorts its winners with a
 * tuplesort: the same order.
 */
extern void MatTableBeginScan(MatTable *table, bool sorted);
extern bool MatTableNext(MatTable *table, MatWinner *winner);

/*
 * The DestReceiver feeding the per-key table. A direct read offers rows by
 * reference (their TID) and deforms only the columns it compares: the
 * winners' rows are fetched once the scan is over.
 */
typedef struct MatReceiver
{
	DestReceiver pub;
	MatTable   *table;
	const int  *map;			/* slot columns of ts, created, row columns */
	int			natts;			/* slot columns to deform */
	int			nkeys;
	bool		by_reference;
	int64		lo;				/* the window, as raw timestamps */
	int64		hi;
	int64		delivered;		/* rows the read delivered */
	int64		rows;			/* of those, in the window with a key */
	ProgressState *progress;	/* or NULL */
	Size		budget;			/* offline_store.max_memory */
	bool		overflow;		/* by reference, past the budget: the rest
								 * ignored, to be read again by value */
} MatReceiver;

/*
 * MatReceive is the receiveSlot of a MatReceiver (online_materialize.c):
 * it offers the row to r->table unless its timestamp is NULL or outside
 * the window or a key is NULL.
 */
extern bool MatReceive(TupleTableSlot *slot, DestReceiver *self);

/* MatInitReceiver makes r's DestReceiver call MatReceive. */
extern void MatInitReceiver(MatReceiver *r);

/*
 * MatParallelRead reads scan (a direct scan, by reference) into r with
 * parallel workers, each keeping the winners of the blocks it reads,
 * merged into r->table (materialize_parallel.c); with snapshot, as the
 * caller's read. Sets r->overflow as one process would (every process
 * then stays within its share of r->budget). Returns false, having read
 * nothing, when the read does not warrant workers: the caller reads it in
 * one process.
 */
extern bool MatParallelRead(MatReceiver *r, const HistScan *scan, Snapshot snapshot);

/* Free everything the table allocated. */
extern void MatTableDestroy(MatTable *table);

#endif							/* OFS_MATERIALIZE_H */
