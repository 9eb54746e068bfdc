/*-------------------------------------------------------------------------
 *
 * views.h
 *		Views that offline_store creates and keeps with the registry:
 *		training views (training_views.c) and feature service views
 *		(service_views.c), and what they share (views_common.c).
 *
 * Both kinds are recorded by OID in a registry table
 * (feast.training_views, feast.feature_service_views), written only while
 * ViewRecord runs a statement of ours (the tables' row-level security
 * policies call feast.views_recording()); only recorded views are ever
 * replaced or dropped, always through their OID. Both belong to the
 * project's owner role, as its online tables do, and carry a COMMENT that
 * says what they are.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/views.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_VIEWS_H
#define OFS_VIEWS_H

#include "access/tupdesc.h"
#include "nodes/pg_list.h"

#include "registry.h"

/* ----------------------------------------------------------------
 * views_common.c
 * ----------------------------------------------------------------
 */

/*
 * ViewRecord runs one statement that writes a row of feast.training_views
 * or feast.feature_service_views (the recording flag set around it only).
 * Caller must be connected to SPI.
 */
extern void ViewRecord(const char *sql, int nargs, Oid *types, Datum *values,
					   const char *nulls, int expected);

/*
 * ViewCreate runs CREATE [OR REPLACE] VIEW name AS query (name quoted and
 * qualified), gives a new view to owner (when valid and not the current
 * user; its members may then replace and drop it), sets its comment and
 * the comments of its columns (column_comments: NULL, or one string or
 * NULL per column), and returns its OID. what names the view in errors
 * ("training view", "feature service view"). Caller must be connected to
 * SPI.
 */
extern Oid	ViewCreate(const char *name, const char *query, bool or_replace,
					   Oid owner, const char *project, const char *comment,
					   char **column_comments, const char *what);

/* Whether relid is (still) a view. */
extern bool ViewExists(Oid relid);

/* The quoted, schema-qualified name of a relation now. */
extern char *ViewNameOf(Oid relid);

/* Drops a recorded view by its OID, if it is still a view. SPI connected. */
extern void ViewDrop(Oid relid);

/* The columns of a relation now, palloc'd in the caller's context. */
extern TupleDesc ViewColumns(Oid relid);

/*
 * ViewColumnsDiff returns what changes from the columns old to new, by
 * name, type and typmod ("columns added: x (real)", "columns removed: y",
 * "column z: real -> double precision", "columns reordered: ..."), "; "
 * separated, or NULL when they are equal.
 */
extern char *ViewColumnsDiff(TupleDesc old, TupleDesc new);

/*
 * Whether CREATE OR REPLACE VIEW can turn a view with columns old into one
 * with columns new: old's columns come first in new, with the same names
 * and types.
 */
extern bool ViewColumnsExtend(TupleDesc old, TupleDesc new);

/* ----------------------------------------------------------------
 * training_views.c: feast_apply's hooks
 * ----------------------------------------------------------------
 */

/*
 * TrainingViewsLoad returns the training views of a project that work
 * now, with their retrieval planned against the registry as it is (each
 * in a subtransaction: a view that is already broken is left out, as an
 * apply does not break it). fn_oid is one of our functions (the schema of
 * feast_historical). Caller must be connected to SPI.
 */
extern List *TrainingViewsLoad(const char *project, Oid fn_oid);

/*
 * TrainingViewsUpdate plans each view of TrainingViewsLoad again against
 * the registry as the apply has written it: a view that no longer works
 * is an error (dependent_objects_still_exist) naming it; a view whose
 * result columns change gives an ApplyStep (training_view, name,
 * updated, detail), and is rebuilt when rebuild is true (CREATE OR
 * REPLACE VIEW when the columns only grow, else dropped and created again
 * with its owner, grants and comment). Returns the List of ApplyStep.
 * Caller must be connected to SPI.
 */
extern List *TrainingViewsUpdate(List *views, Oid fn_oid, bool rebuild);

/* ----------------------------------------------------------------
 * service_views.c: feast_apply's hooks
 * ----------------------------------------------------------------
 */

/*
 * ServiceViewsPlan returns the steps (feature_service_view) for the
 * feature service views of the wanted repo, given the plan of its other
 * objects (the online tables' plans among them): a service whose
 * projections all read online feature views with the same join keys has
 * the view <online schema>.<project>_<service>; one that no longer
 * qualifies, or is gone, loses it. A name taken by another relation, or
 * by an online table of the project, is an error (duplicate_table).
 * Unchanged views are not reported, but are rebuilt when an online table
 * they read changes. Caller must be connected to SPI.
 */
extern List *ServiceViewsPlan(RegRepo *want, List *plan, Oid owner);

/*
 * feast_apply's Phase 3: ServiceViewsDrop drops the views the plan drops
 * or rebuilds (before the registry and the online tables change, which
 * the views may depend on), ServiceViewsCreate creates the ones it creates
 * or rebuilds (after the online tables), with their grants kept. Caller
 * must be connected to SPI.
 */
extern void ServiceViewsDrop(List *plan);
extern void ServiceViewsCreate(List *plan);

#endif							/* OFS_VIEWS_H */
