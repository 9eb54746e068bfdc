/*-------------------------------------------------------------------------
 *
 * apply.h
 *		feast_apply's phases, private to apply.c, apply_validate.c and
 *		apply_plan.c.
 *
 * feast_apply works as ALTER TABLE's ATController does (tablecmds.c):
 *
 *	Phase 1 (apply_validate.c, ApplyValidate): check the wanted repo as a
 *		whole, against itself and the database; fills the model's fields
 *		marked "resolved" and "apply" (registry.h) and infers missing entity
 *		value types.
 *	Phase 2 (apply_plan.c, ApplyPlan): compare it with the registry's repo
 *		and make the plan, a List of ApplyStep in the order of the result's
 *		rows: what happens to each object and to its online table, and what
 *		that changes or loses (the detail column).
 *	Phase 3 (apply.c): unless it is a dry run, carry the plan out: the
 *		feature service views that go or change are dropped, the registry
 *		rows are written in foreign key order, then the online tables and
 *		the feature service views; finally the project's training views are
 *		checked and rebuilt (training_views.c).
 *
 * A dry run stops after Phase 2 and returns the same rows; when the project
 * has training views, it carries Phase 3 out in a subtransaction that it
 * rolls back, to know which of them would be rebuilt or broken.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/apply.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_APPLY_H
#define OFS_APPLY_H

#include "nodes/pg_list.h"

#include "online_tables.h"
#include "registry.h"

/* The kinds of objects, in the order of the result's rows. */
typedef enum ApplyObjectType
{
	APPLY_PROJECT,
	APPLY_ENTITY,
	APPLY_DATA_SOURCE,
	APPLY_FEATURE_VIEW,
	APPLY_FEATURE_SERVICE,
	APPLY_FEATURE_SERVICE_VIEW, /* views.h: maintained with the services */
	APPLY_TRAINING_VIEW			/* views.h: rebuilt after the writes */
} ApplyObjectType;

typedef enum ApplyAction
{
	APPLY_CREATED,
	APPLY_UPDATED,
	APPLY_UNCHANGED,
	APPLY_DELETED
} ApplyAction;

struct ServiceViewPlan;			/* service_views.c */

/*
 * One step of the plan: one object and what happens to it. want and cur
 * point to the model object of its type (RegProject, RegEntity, RegSource,
 * RegFeatureView, RegFeatureService): want is NULL when it is deleted, cur
 * when it is created. Feature service views and training views have
 * neither: the former carry their own plan (service_view), the latter are
 * only reported (training_views.c rebuilds them).
 */
typedef struct ApplyStep
{
	ApplyObjectType type;
	ApplyAction	action;
	const char *name;
	const void *want;
	const void *cur;
	bool		write_row;		/* its registry rows change */
	bool		report;			/* it is a row of the result */
	OnlineTablePlan *online;	/* feature views: its online table's plan */
	struct ServiceViewPlan *service_view;	/* feature service views */
	char	   *detail;			/* what changes or is lost; NULL: nothing */
} ApplyStep;

/* in apply_validate.c */
extern void ApplyValidate(RegRepo *want);

/* in apply_plan.c */
extern List *ApplyPlan(RegRepo *want, RegRepo *cur, Oid owner);
extern const char *ApplyObjectTypeName(ApplyObjectType type);
extern const char *ApplyActionName(ApplyAction action);
/* An aggregation as details and comments show it: "sum of amount over 7 days" */
extern char *ApplyShowAggregation(const RegAggregation *a);

#endif							/* OFS_APPLY_H */
