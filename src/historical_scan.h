/*-------------------------------------------------------------------------
 *
 * historical_scan.h
 *		Reading a source table directly, without the executor, where the
 *		planner would only scan it whole (offline_store.direct_scan).
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/historical_scan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_HISTORICAL_SCAN_H
#define OFS_HISTORICAL_SCAN_H

#include "executor/spi.h"
#include "nodes/params.h"
#include "tcop/dest.h"

/* offline_store.direct_scan */
extern bool ofs_direct_scan;

/*
 * A source read as HistScanPlan planned it. relid is the table to scan
 * directly, or InvalidOid: the read goes through the executor. attmap
 * (allocated) gives, for each of the caller's read columns, the table
 * column (0-based) holding it, -1 for none; natts is 1 + the greatest.
 * est_rows is the number of rows the read delivers as estimated: the
 * planner's estimate of the read's result, or for a direct scan the
 * table's estimated size (a direct scan delivers every row).
 */
typedef struct HistScan
{
	Oid			relid;
	int		   *attmap;
	int			natts;
	double		est_rows;
} HistScan;

/* HistScanInit registers offline_store.direct_scan (from _PG_init). */
extern void HistScanInit(void);

/*
 * HistScanPlan plans read (prepared, one SELECT) with params, the values
 * it will run with, and decides whether it can be a direct scan (call it
 * only when offline_store.direct_scan is on). readmap[0 .. nmap - 1] are 0-based
 * columns of the read (-1: unused entry); readmap[0] is the timestamp the
 * window compares, and nwindow_quals the number of window comparisons the
 * read's WHERE clause has. Fills *scan; for a direct scan, the executor's
 * permission checks have been done. Caller is connected to SPI.
 */
extern void HistScanPlan(SPIPlanPtr read, ParamListInfo params,
						 const int *readmap, int nmap, int nwindow_quals,
						 HistScan *scan);

/*
 * HistScanRun reads scan->relid whole into dest (its receiveSlot only),
 * with the caller's snapshot.
 */
extern void HistScanRun(const HistScan *scan, DestReceiver *dest);

#endif							/* OFS_HISTORICAL_SCAN_H */
