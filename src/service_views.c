/*-------------------------------------------------------------------------
 *
 * service_views.c
 *		Feature service views: the online features of a feature service as
 *		a plain view, maintained by feast_apply.
 *
 * A feature service whose projections all read online feature views with
 * the same join keys (after join_key_map, with the same value types) has
 * the view <online_store.db_schema>.<project>_<service>: its join key
 * columns, then the service's features, named as feast_online_features
 * names them without full names, or <view or alias>__<feature> for all of
 * them when two would share a name (or one would be named like a key),
 * with one row per key present in any of the online tables it reads.
 * Aggregated features are columns of the online tables like the others
 * (materialized as of the end of the last materialization), so they are
 * read as the others, typed as their aggregates result.
 * Clients that cannot write a column definition list (BI tools over JDBC
 * or ODBC) read the service through it. A service with an entity-less
 * view, or whose view's name or a column's would be longer than an
 * identifier, has none.
 *
 * The query: with one online table, a plain SELECT from it; with several,
 *
 *	 SELECT k.<keys>, o1.<features>, o2.<features>, ...
 *	 FROM (SELECT <keys> FROM t1 UNION SELECT <keys> FROM t2 ...) k
 *	 LEFT JOIN t1 o1 ON o1.<key> = k.<key> ... LEFT JOIN t2 o2 ON ...
 *
 * A filter on the keys (WHERE driver_id = ANY(...)) is pushed into each
 * arm of the UNION, and the joins probe each table by its primary key, so
 * it is answered by index scans of the online tables' primary keys, never
 * a scan of them (a FULL JOIN of the tables would not let it through).
 * Two projections of one view with the same key columns share one join.
 *
 * feast_apply plans the views with the rest (ServiceViewsPlan: created,
 * updated with what changes, deleted; in a dry run too), drops those that
 * go or change before it touches the registry and the online tables (the
 * views depend on the tables: a column's type cannot change under them),
 * and creates them after (ServiceViewsDrop, ServiceViewsCreate). A view
 * whose definition and columns stay but whose online tables change is
 * rebuilt silently. feast.feature_service_views records each view by OID
 * with the query it was created with; only recorded views are ever
 * dropped. A name taken by another relation, or by an online table of the
 * project, is an error (duplicate_table). The views belong to the
 * project's owner role and keep their grants when rebuilt, as the online
 * tables do: reading them takes a GRANT SELECT from the owner.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/service_views.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "apply.h"
#include "online_tables.h"
#include "registry.h"
#include "spi_util.h"
#include "views.h"

/* The plan for the view of one feature service (apply.h's service_view). */
typedef struct ServiceViewPlan
{
	const char *project;
	const char *service;
	Oid			owner;
	/* the wanted view (schema_name NULL: the service has none) */
	char	   *schema_name;
	char	   *view_name;
	char	   *name;			/* quoted, qualified */
	char	   *definition;
	char	   *comment;
	char	  **column_comments;
	TupleDesc	columns;
	List	   *views;			/* the feature views it reads (names) */
	/* the recorded view */
	bool		recorded;
	Oid			relid;			/* InvalidOid: none, or it is gone */
	/* what Phase 3 does */
	bool		drop;			/* drop the recorded view first */
	bool		create;			/* create the wanted view */
	List	   *grants;			/* of the dropped view, to give again */
} ServiceViewPlan;

/* A row of feast.feature_service_views. */
typedef struct SvRecord
{
	char	   *service;
	char	   *schema_name;
	char	   *view_name;
	Oid			relid;
	char	   *definition;
	bool		matched;
} SvRecord;

/* One projection of the service, resolved. */
typedef struct SvProjection
{
	RegFeatureView *view;
	const char *name_to_use;
	char	  **key_columns;	/* each join key's column in the view */
	int			nfeatures;
	RegFeature **features;
	char	  **out;			/* the features' column names */
	int			alias;			/* its join: o<alias + 1> */
} SvProjection;

static ServiceViewPlan *sv_want(RegRepo *want, RegFeatureService *svc, Oid owner);
static List *sv_load_records(const char *project);
static void sv_check_name(ServiceViewPlan *sv, SvRecord *rec, RegRepo *want,
						  List *plan);
static bool sv_tables_change(ServiceViewPlan *sv, List *plan);
static char *sv_online_table(const RegProject *project, const RegFeatureView *v);

/* The online table of a wanted view, quoted and qualified, as apply makes it. */
static char *
sv_online_table(const RegProject *project, const RegFeatureView *v)
{
	return quote_qualified_identifier(project->online_schema,
									  OnlineTableName(project->name, v->name));
}

/* The index of name in names[0..n), or -1. */
static int
name_index(char **names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/*
 * sv_want returns the view a feature service must have, or NULL when it
 * has none (see the file header).
 */
static ServiceViewPlan *
sv_want(RegRepo *want, RegFeatureService *svc, Oid owner)
{
	RegProject *project = want->project;
	int			np = svc->nprojections;
	SvProjection *prs;
	int			nkeys;
	char	  **keys;
	Oid		   *key_types;
	int			nalias = 0;
	SvProjection **joins;		/* the first projection of each join */
	int			nfeatures = 0;
	bool		full = false;
	char	  **outs;
	int			col;
	ServiceViewPlan *sv;
	StringInfoData sql;
	char	   *view_name = OnlineTableName(project->name, svc->name);

	if (view_name == NULL || np == 0)
		return NULL;

	/* the projections, as feast_online_features resolves them */
	prs = palloc0(sizeof(SvProjection) * np);
	for (int i = 0; i < np; i++)
	{
		RegProjection *pr = &svc->projections[i];
		SvProjection *p = &prs[i];
		RegFeatureView *v = RegListFind(want->views, pr->feature_view);

		if (v == NULL || !v->online || v->nkeys == 0)
			return NULL;
		p->view = v;
		p->name_to_use = pr->alias ? pr->alias : pr->feature_view;
		for (int j = 0; j < i; j++)
			if (strcmp(prs[j].name_to_use, p->name_to_use) == 0)
				return NULL;
		p->key_columns = palloc0(sizeof(char *) * v->nkeys);
		for (int k = 0; k < v->nkeys; k++)
		{
			p->key_columns[k] = v->join_keys[k];
			for (int m = 0; m < pr->join_key_map.n; m++)
				if (strcmp(pr->join_key_map.keys[m], v->join_keys[k]) == 0)
					p->key_columns[k] = pr->join_key_map.values[m];
			if (name_index(p->key_columns, k, p->key_columns[k]) >= 0)
				return NULL;
		}
		/* every feature: the schema's, then the aggregations' */
		p->nfeatures = pr->nfeatures < 0 ? v->nfeatures + v->naggregations :
			pr->nfeatures;
		p->features = palloc0(sizeof(RegFeature *) * (p->nfeatures + 1));
		p->out = palloc0(sizeof(char *) * (p->nfeatures + 1));
		for (int f = 0; f < p->nfeatures; f++)
		{
			if (pr->nfeatures < 0)
				p->features[f] = f < v->nfeatures ? &v->features[f] :
					&v->aggregations[f - v->nfeatures].feature;
			else
			{
				p->features[f] = RegViewFeature(v, pr->features[f]);
				if (p->features[f] == NULL)
					return NULL;
				for (int g = 0; g < f; g++)
					if (p->features[g] == p->features[f])
						return NULL;
			}
			if (p->features[f]->agg != NULL ?
				!OidIsValid(p->features[f]->agg->result_type) :
				p->features[f]->col == NULL)
				return NULL;
		}
		nfeatures += p->nfeatures;
	}

	/* the same join key columns, with the same types, in every projection */
	nkeys = prs[0].view->nkeys;
	keys = prs[0].key_columns;
	key_types = palloc0(sizeof(Oid) * nkeys);
	for (int k = 0; k < nkeys; k++)
		key_types[k] = OnlineValueTypeOid(prs[0].view->value_types[k]);
	for (int i = 1; i < np; i++)
	{
		SvProjection *p = &prs[i];

		if (p->view->nkeys != nkeys)
			return NULL;
		for (int k = 0; k < nkeys; k++)
		{
			int			at = name_index(keys, nkeys, p->key_columns[k]);

			if (at < 0 ||
				OnlineValueTypeOid(p->view->value_types[k]) != key_types[at])
				return NULL;
		}
	}

	/* one join per online table and key mapping */
	joins = palloc0(sizeof(SvProjection *) * np);
	for (int i = 0; i < np; i++)
	{
		prs[i].alias = -1;
		for (int j = 0; j < i && prs[i].alias < 0; j++)
		{
			bool		same = (prs[j].view == prs[i].view);

			for (int k = 0; same && k < nkeys; k++)
				same = strcmp(prs[j].key_columns[k], prs[i].key_columns[k]) == 0;
			if (same)
				prs[i].alias = prs[j].alias;
		}
		if (prs[i].alias < 0)
		{
			joins[nalias] = &prs[i];
			prs[i].alias = nalias++;
		}
	}

	/*
	 * Column names: the features' own, or view__feature for all when two
	 * would be equal or one would be named like a key.
	 */
	outs = palloc0(sizeof(char *) * (nkeys + nfeatures));
	for (int pass = 0; pass < 2; pass++)
	{
		bool		clash = false;

		full = (pass == 1);
		col = 0;
		for (int k = 0; k < nkeys; k++)
			outs[col++] = keys[k];
		for (int i = 0; i < np; i++)
			for (int f = 0; f < prs[i].nfeatures; f++)
			{
				char	   *out = full ?
					psprintf("%s__%s", prs[i].name_to_use, prs[i].features[f]->name) :
					prs[i].features[f]->name;

				if (name_index(outs, col, out) >= 0 || strlen(out) >= NAMEDATALEN)
					clash = true;
				prs[i].out[f] = out;
				outs[col++] = out;
			}
		if (!clash)
			break;
		if (full)
			return NULL;
	}

	sv = palloc0(sizeof(ServiceViewPlan));
	sv->project = project->name;
	sv->service = svc->name;
	sv->owner = owner;
	sv->schema_name = project->online_schema;
	sv->view_name = view_name;
	sv->name = quote_qualified_identifier(sv->schema_name, view_name);
	sv->columns = CreateTemplateTupleDesc(nkeys + nfeatures);
	sv->column_comments = palloc0(sizeof(char *) * (nkeys + nfeatures));
	col = 0;
	for (int k = 0; k < nkeys; k++)
	{
		TupleDescInitEntry(sv->columns, col + 1, keys[k], key_types[k], -1, 0);
		sv->column_comments[col++] =
			psprintf("join key of entity %s (%s)", prs[0].view->entities[k],
					 prs[0].view->value_types[k]);
	}
	for (int i = 0; i < np; i++)
		for (int f = 0; f < prs[i].nfeatures; f++)
		{
			RegFeature *feat = prs[i].features[f];
			/* an aggregation's feature is typed as its aggregate results */
			const char *what = feat->agg ? ApplyShowAggregation(feat->agg) : feat->dtype;

			if (feat->agg)
				TupleDescInitEntry(sv->columns, col + 1, prs[i].out[f],
								   feat->agg->result_type, -1, 0);
			else
				TupleDescInitEntry(sv->columns, col + 1, prs[i].out[f],
								   feat->col->typid, feat->col->typmod, 0);
			sv->column_comments[col++] =
				strcmp(prs[i].name_to_use, prs[i].view->name) == 0 ?
				psprintf("feature %s of feature view %s (%s)", feat->name,
						 prs[i].view->name, what) :
				psprintf("feature %s of feature view %s as %s (%s)", feat->name,
						 prs[i].view->name, prs[i].name_to_use, what);
		}
	for (int i = 0; i < np; i++)
		if (!list_member(sv->views, makeString(prs[i].view->name)))
			sv->views = lappend(sv->views, makeString(prs[i].view->name));

	/* the query */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int k = 0; k < nkeys; k++)
	{
		if (nalias == 1)
			appendStringInfo(&sql, "%so1.%s AS %s", k > 0 ? ", " : "",
							 quote_identifier(prs[0].view->join_keys[k]),
							 quote_identifier(keys[k]));
		else
			appendStringInfo(&sql, "%sk.%s", k > 0 ? ", " : "",
							 quote_identifier(keys[k]));
	}
	for (int i = 0; i < np; i++)
		for (int f = 0; f < prs[i].nfeatures; f++)
			appendStringInfo(&sql, ", o%d.%s AS %s", prs[i].alias + 1,
							 quote_identifier(prs[i].features[f]->name),
							 quote_identifier(prs[i].out[f]));
	if (nalias == 1)
		appendStringInfo(&sql, "\nFROM %s o1",
						 sv_online_table(project, prs[0].view));
	else
	{
		appendStringInfoString(&sql, "\nFROM (");
		for (int a = 0; a < nalias; a++)
		{
			SvProjection *p = joins[a];

			if (a > 0)
				appendStringInfoString(&sql, "\n      UNION ");
			appendStringInfoString(&sql, "SELECT ");
			for (int k = 0; k < nkeys; k++)
			{
				int			j = name_index(p->key_columns, nkeys, keys[k]);

				appendStringInfo(&sql, "%s%s AS %s", k > 0 ? ", " : "",
								 quote_identifier(p->view->join_keys[j]),
								 quote_identifier(keys[k]));
			}
			appendStringInfo(&sql, " FROM %s", sv_online_table(project, p->view));
		}
		appendStringInfoString(&sql, ") k");
		for (int a = 0; a < nalias; a++)
		{
			SvProjection *p = joins[a];

			appendStringInfo(&sql, "\nLEFT JOIN %s o%d ON ",
							 sv_online_table(project, p->view), a + 1);
			for (int k = 0; k < nkeys; k++)
			{
				int			j = name_index(p->key_columns, nkeys, keys[k]);

				appendStringInfo(&sql, "%so%d.%s OPERATOR(pg_catalog.=) k.%s",
								 k > 0 ? " AND " : "", a + 1,
								 quote_identifier(p->view->join_keys[j]),
								 quote_identifier(keys[k]));
			}
		}
	}
	sv->definition = sql.data;
	sv->comment = psprintf("offline_store feature service view of feature service \"%s\" of project \"%s\": "
						   "the online features of its projections, one row per join key present in any of their online tables",
						   svc->name, project->name);
	return sv;
}

/* The recorded views of a project (feast.feature_service_views). */
static List *
sv_load_records(const char *project)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	List	   *records = NIL;

	values[0] = CStringGetTextDatum(project);
	SpiExec("SELECT feature_service, schema_name, view_name, relid::pg_catalog.oid, "
			"definition FROM feast.feature_service_views "
			"WHERE project OPERATOR(pg_catalog.=) $1 "
			"ORDER BY feature_service COLLATE \"C\"",
			1, argtypes, values, NULL, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		SvRecord   *rec = palloc0(sizeof(SvRecord));
		bool		isnull;

		rec->service = SpiGetText(r, 1);
		rec->schema_name = SpiGetText(r, 2);
		rec->view_name = SpiGetText(r, 3);
		rec->relid = DatumGetObjectId(SpiGetDatum(r, 4, &isnull));
		rec->definition = SpiGetText(r, 5);
		if (!ViewExists(rec->relid))
			rec->relid = InvalidOid;
		records = lappend(records, rec);
	}
	return records;
}

/*
 * sv_check_name errors when the wanted view's name is another relation's,
 * or an online table's of the project (existing or to be created), unless
 * it is the recorded view itself or an online table this plan drops.
 */
static void
sv_check_name(ServiceViewPlan *sv, SvRecord *rec, RegRepo *want, List *plan)
{
	Oid			nsp = get_namespace_oid(sv->schema_name, true);
	Oid			other = OidIsValid(nsp) ? get_relname_relid(sv->view_name, nsp) : InvalidOid;
	ListCell   *lc;

	foreach(lc, want->views)
	{
		RegFeatureView *v = lfirst(lc);
		char	   *table = OnlineTableName(want->project->name, v->name);

		if (v->online && table != NULL && strcmp(table, sv->view_name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s.%s\" already exists",
							sv->schema_name, sv->view_name),
					 errdetail("It would be the view of feature service \"%s\" of project \"%s\", but it is the online table of feature view \"%s\".",
							   sv->service, sv->project, v->name),
					 errhint("Rename the feature service or the feature view.")));
	}
	if (!OidIsValid(other) || (rec != NULL && other == rec->relid))
		return;
	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);

		if (step->type == APPLY_FEATURE_VIEW && step->online != NULL &&
			step->online->action == OT_DROP && step->online->relid == other)
			return;				/* goes before the view is created */
	}
	ereport(ERROR,
			(errcode(ERRCODE_DUPLICATE_TABLE),
			 errmsg("relation \"%s.%s\" already exists",
					sv->schema_name, sv->view_name),
			 errdetail("It would be the view of feature service \"%s\" of project \"%s\", but offline_store did not create it for that service.",
					   sv->service, sv->project),
			 errhint("Drop or rename the relation, or rename the feature service.")));
}

/* Whether the plan changes an online table the view reads. */
static bool
sv_tables_change(ServiceViewPlan *sv, List *plan)
{
	ListCell   *lc;

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);

		if (step->type == APPLY_FEATURE_VIEW && step->online != NULL &&
			step->online->action != OT_KEEP &&
			list_member(sv->views, makeString((char *) step->name)))
			return true;
	}
	return false;
}

/* A step for the view of a service. */
static ApplyStep *
sv_step(ServiceViewPlan *sv, ApplyAction action, const char *name)
{
	ApplyStep  *step = palloc0(sizeof(ApplyStep));

	step->type = APPLY_FEATURE_SERVICE_VIEW;
	step->action = action;
	step->name = name;
	step->report = (action != APPLY_UNCHANGED);
	step->service_view = sv;
	return step;
}

/*
 * ServiceViewsPlan plans the feature service views of want; see views.h.
 */
List *
ServiceViewsPlan(RegRepo *want, List *plan, Oid owner)
{
	const char *project = want->project->name;
	List	   *records = sv_load_records(project);
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, want->services)
	{
		RegFeatureService *svc = lfirst(lc);
		ServiceViewPlan *sv = sv_want(want, svc, owner);
		SvRecord   *rec = NULL;
		ListCell   *rc;

		CHECK_FOR_INTERRUPTS();
		foreach(rc, records)
			if (strcmp(((SvRecord *) lfirst(rc))->service, svc->name) == 0)
				rec = lfirst(rc);
		if (rec)
			rec->matched = true;
		if (sv == NULL && rec == NULL)
			continue;
		if (sv == NULL)
		{
			/* the service no longer qualifies: its view goes */
			sv = palloc0(sizeof(ServiceViewPlan));
			sv->project = project;
			sv->service = svc->name;
			sv->recorded = true;
			sv->relid = rec->relid;
			sv->drop = true;
			steps = lappend(steps, sv_step(sv, APPLY_DELETED,
										   OidIsValid(rec->relid) ? ViewNameOf(rec->relid) :
										   quote_qualified_identifier(rec->schema_name,
																	  rec->view_name)));
			continue;
		}
		sv_check_name(sv, rec, want, plan);
		sv->create = true;
		if (rec == NULL)
		{
			steps = lappend(steps, sv_step(sv, APPLY_CREATED, sv->name));
			continue;
		}
		sv->recorded = true;
		sv->relid = rec->relid;
		if (!OidIsValid(rec->relid))
		{
			ApplyStep  *step = sv_step(sv, APPLY_UPDATED, sv->name);

			step->detail = psprintf("view %s was missing and is created again", sv->name);
			steps = lappend(steps, step);
			continue;
		}
		else
		{
			char	   *cur_name = ViewNameOf(rec->relid);
			char	   *columns = ViewColumnsDiff(ViewColumns(rec->relid), sv->columns);
			List	   *items = NIL;
			ApplyStep  *step;

			sv->drop = true;
			if (strcmp(cur_name, sv->name) != 0)
				items = lappend(items, psprintf("view %s moved to %s", cur_name, sv->name));
			if (columns != NULL)
				items = lappend(items, columns);
			if (items == NIL && strcmp(rec->definition, sv->definition) != 0)
				items = lappend(items, psprintf("view %s redefined", sv->name));
			if (items == NIL)
			{
				/* the same view; rebuilt if a table it reads changes */
				sv->drop = sv->create = sv_tables_change(sv, plan);
				steps = lappend(steps, sv_step(sv, APPLY_UNCHANGED, sv->name));
				continue;
			}
			step = sv_step(sv, APPLY_UPDATED, sv->name);
			{
				StringInfoData buf;
				ListCell   *ic;

				initStringInfo(&buf);
				foreach(ic, items)
					appendStringInfo(&buf, "%s%s", foreach_current_index(ic) > 0 ? "; " : "",
									 (char *) lfirst(ic));
				step->detail = buf.data;
			}
			steps = lappend(steps, step);
		}
	}

	/* the views of services that are gone */
	foreach(lc, records)
	{
		SvRecord   *rec = lfirst(lc);
		ServiceViewPlan *sv;

		if (rec->matched)
			continue;
		sv = palloc0(sizeof(ServiceViewPlan));
		sv->project = project;
		sv->service = rec->service;
		sv->recorded = true;
		sv->relid = rec->relid;
		sv->drop = true;
		steps = lappend(steps, sv_step(sv, APPLY_DELETED,
									   OidIsValid(rec->relid) ? ViewNameOf(rec->relid) :
									   quote_qualified_identifier(rec->schema_name,
																  rec->view_name)));
	}
	return steps;
}

/*
 * ServiceViewsDrop drops the recorded views the plan drops or rebuilds,
 * keeping the grants of those it creates again; the row of a view that
 * goes for good goes too.
 */
void
ServiceViewsDrop(List *plan)
{
	ListCell   *lc;

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);
		ServiceViewPlan *sv = step->service_view;

		if (step->type != APPLY_FEATURE_SERVICE_VIEW || !sv->drop)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (OidIsValid(sv->relid))
		{
			if (sv->create)
				sv->grants = OnlineGrantsSave(sv->relid);
			ViewDrop(sv->relid);
		}
		if (!sv->create)
		{
			Oid			argtypes[2] = {TEXTOID, TEXTOID};
			Datum		values[2];

			values[0] = CStringGetTextDatum(sv->project);
			values[1] = CStringGetTextDatum(sv->service);
			SpiExec("DELETE FROM feast.feature_service_views "
					"WHERE project OPERATOR(pg_catalog.=) $1 "
					"AND feature_service OPERATOR(pg_catalog.=) $2",
					2, argtypes, values, NULL, SPI_OK_DELETE);
		}
	}
}

/*
 * ServiceViewsCreate creates the views the plan creates or rebuilds, gives
 * back the grants of the ones it dropped, and records them.
 */
void
ServiceViewsCreate(List *plan)
{
	ListCell   *lc;

	foreach(lc, plan)
	{
		ApplyStep  *step = lfirst(lc);
		ServiceViewPlan *sv = step->service_view;
		Oid			relid;
		Oid			argtypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID, TEXTOID};
		Datum		values[6];

		if (step->type != APPLY_FEATURE_SERVICE_VIEW || !sv->create)
			continue;
		CHECK_FOR_INTERRUPTS();
		relid = ViewCreate(sv->name, sv->definition, false, sv->owner, sv->project,
						   sv->comment, sv->column_comments, "feature service view");
		if (sv->grants != NIL)
			OnlineGrantsRestore(relid, sv->grants);

		values[0] = CStringGetTextDatum(sv->project);
		values[1] = CStringGetTextDatum(sv->service);
		values[2] = CStringGetTextDatum(sv->schema_name);
		values[3] = CStringGetTextDatum(sv->view_name);
		values[4] = ObjectIdGetDatum(relid);
		values[5] = CStringGetTextDatum(sv->definition);
		if (sv->recorded)
			ViewRecord("UPDATE feast.feature_service_views SET schema_name = $3, "
					   "view_name = $4, relid = $5::pg_catalog.regclass, definition = $6, "
					   "created_at = pg_catalog.now() "
					   "WHERE project OPERATOR(pg_catalog.=) $1 "
					   "AND feature_service OPERATOR(pg_catalog.=) $2",
					   6, argtypes, values, NULL, SPI_OK_UPDATE);
		else
			ViewRecord("INSERT INTO feast.feature_service_views (project, feature_service, "
					   "schema_name, view_name, relid, definition) "
					   "VALUES ($1, $2, $3, $4, $5::pg_catalog.regclass, $6)",
					   6, argtypes, values, NULL, SPI_OK_INSERT);
	}
}
