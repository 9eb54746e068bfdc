/*-------------------------------------------------------------------------
 *
 * apply_plan.c
 *		feast_apply's Phase 2: compare the wanted repo with the registry's
 *		and make the plan, with what each step changes or loses.
 *
 * The plan is a List of ApplyStep (apply.h), in the order of the result's
 * rows: the project, the document's entities, sources, feature views and
 * feature services, then the deletions, dependents first (services, views,
 * push sources, batch sources, entities). An object is updated when a
 * field apply writes differs (listed in its detail as "field: old -> new",
 * see the diff_* functions), or, for a feature view, when its online table
 * changes (a source column's type did, db_schema moved): what happens to
 * each online table is planned here too (OnlineTablePlanSync,
 * OnlineTablePlanDrop), and its plan's detail says what changes and what
 * is lost. The feature service views come last (ServiceViewsPlan).
 * Nothing is written: a dry run returns the same rows.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/apply_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "apply.h"
#include "online_tables.h"
#include "registry.h"
#include "views.h"

/* What changed in an object: a List of "field: old -> new" strings. */
typedef List *(*ApplyDiffFunction) (const void *cur, const void *want);

static List *diff_project(const void *cur, const void *want);
static List *diff_entity(const void *cur, const void *want);
static List *diff_source(const void *cur, const void *want);
static List *diff_view(const void *cur, const void *want);
static List *diff_service(const void *cur, const void *want);

/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */

/* ApplyObjectTypeName is the object_type column's value. */
const char *
ApplyObjectTypeName(ApplyObjectType type)
{
	switch (type)
	{
		case APPLY_PROJECT:
			return "project";
		case APPLY_ENTITY:
			return "entity";
		case APPLY_DATA_SOURCE:
			return "data_source";
		case APPLY_FEATURE_VIEW:
			return "feature_view";
		case APPLY_FEATURE_SERVICE:
			return "feature_service";
		case APPLY_FEATURE_SERVICE_VIEW:
			return "feature_service_view";
		case APPLY_TRAINING_VIEW:
			return "training_view";
	}
	return "?";					/* keep compiler quiet */
}

/* ApplyActionName is the action column's value. */
const char *
ApplyActionName(ApplyAction action)
{
	switch (action)
	{
		case APPLY_CREATED:
			return "created";
		case APPLY_UPDATED:
			return "updated";
		case APPLY_UNCHANGED:
			return "unchanged";
		case APPLY_DELETED:
			return "deleted";
	}
	return "?";					/* keep compiler quiet */
}

/* ----------------------------------------------------------------
 * Differences
 *
 * Each diff_* function lists every field apply writes that differs, so
 * that an empty list means the registry's rows stay as they are.
 * ----------------------------------------------------------------
 */

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A name, a JSON text or NULL ("none"), as a detail shows it. */
static const char *
show(const char *s)
{
	return s ? s : "none";
}

/* Free text, quoted. */
static char *
show_text(const char *s)
{
	return s ? psprintf("\"%s\"", s) : "none";
}

/* "field: old -> new" for names and JSON, when they differ */
static void
diff_value(List **items, const char *field, const char *old, const char *new)
{
	if (!str_eq(old, new))
		*items = lappend(*items, psprintf("%s: %s -> %s", field, show(old), show(new)));
}

/* the same for free text, quoted */
static void
diff_text(List **items, const char *field, const char *old, const char *new)
{
	if (!str_eq(old, new))
		*items = lappend(*items, psprintf("%s: %s -> %s", field,
										  show_text(old), show_text(new)));
}

static void
diff_bool(List **items, const char *field, bool old, bool new)
{
	if (old != new)
		*items = lappend(*items, psprintf("%s: %s -> %s", field,
										  old ? "true" : "false",
										  new ? "true" : "false"));
}

/* A ttl as a person says it: "none", "1 day", "36 hours", "1.5 seconds". */
static char *
show_ttl(int64 usec)
{
	static const struct
	{
		int64		usec;
		const char *one;
		const char *many;
	}			units[] = {
		{USECS_PER_DAY, "day", "days"},
		{USECS_PER_HOUR, "hour", "hours"},
		{USECS_PER_MINUTE, "minute", "minutes"},
		{USECS_PER_SEC, "second", "seconds"},
	};
	char	   *s;
	int			len;

	if (usec == 0)
		return "none";
	for (int i = 0; i < (int) lengthof(units); i++)
		if (usec % units[i].usec == 0)
			return psprintf(INT64_FORMAT " %s", usec / units[i].usec,
							usec == units[i].usec ? units[i].one : units[i].many);
	/* a fraction of a second: microseconds exactly, trailing zeros cut */
	s = psprintf(INT64_FORMAT ".%06d", usec / USECS_PER_SEC,
				 (int) (usec % USECS_PER_SEC));
	len = strlen(s);
	while (s[len - 1] == '0')
		s[--len] = '\0';
	return psprintf("%s seconds", s);
}

/* "a, b" (or "none") */
static char *
show_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	if (names == NIL)
		return "none";
	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

static List *
array_list(char **items, int n)
{
	List	   *l = NIL;

	for (int i = 0; i < n; i++)
		l = lappend(l, items[i]);
	return l;
}

/* Whether a List of strings contains s. */
static bool
list_has(List *l, const char *s)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * The members of a present in b, in a's order (the common names of two
 * lists without duplicates).
 */
static List *
list_common(List *a, List *b)
{
	List	   *l = NIL;
	ListCell   *lc;

	foreach(lc, a)
		if (list_has(b, lfirst(lc)))
			l = lappend(l, lfirst(lc));
	return l;
}

/* Whether two Lists of strings are equal. */
static bool
list_eq(List *a, List *b)
{
	if (a == NIL || b == NIL)
		return a == b;
	if (list_length(a) != list_length(b))
		return false;
	for (int i = 0; i < list_length(a); i++)
		if (strcmp(list_nth(a, i), list_nth(b, i)) != 0)
			return false;
	return true;
}

/*
 * "<what> removed: x", "<what> added: y", "<what> reordered: a, b -> b, a"
 * for two lists of distinct names; describe_added, when not NULL, gives
 * the text of an added name.
 */
static void
diff_names(List **items, const char *what, List *old, List *new,
		   char *(*describe_added) (const void *arg, const char *name),
		   const void *arg)
{
	List	   *removed = NIL;
	List	   *added = NIL;
	List	   *common_old = list_common(old, new);
	List	   *common_new = list_common(new, old);
	ListCell   *lc;

	foreach(lc, old)
		if (!list_has(new, lfirst(lc)))
			removed = lappend(removed, lfirst(lc));
	foreach(lc, new)
		if (!list_has(old, lfirst(lc)))
			added = lappend(added, describe_added ?
							describe_added(arg, lfirst(lc)) : lfirst(lc));
	if (removed != NIL)
		*items = lappend(*items, psprintf("%s removed: %s", what, show_list(removed)));
	if (added != NIL)
		*items = lappend(*items, psprintf("%s added: %s", what, show_list(added)));
	if (!list_eq(common_old, common_new))
		*items = lappend(*items, psprintf("%s reordered: %s -> %s", what,
										  show_list(common_old),
										  show_list(common_new)));
}

static List *
diff_project(const void *cur, const void *want)
{
	const RegProject *o = cur;
	const RegProject *n = want;
	List	   *items = NIL;

	diff_text(&items, "description", o->description, n->description);
	diff_value(&items, "provider", o->provider, n->provider);
	diff_value(&items, "registry", o->registry, n->registry);
	diff_value(&items, "online_store", o->online_store, n->online_store);
	diff_value(&items, "offline_store", o->offline_store, n->offline_store);
	diff_value(&items, "batch_engine", o->batch_engine, n->batch_engine);
	diff_value(&items, "materialization", o->materialization, n->materialization);
	diff_value(&items, "auth", o->auth, n->auth);
	if (o->entity_key_serialization_version != n->entity_key_serialization_version)
		items = lappend(items, psprintf("entity_key_serialization_version: %d -> %d",
										o->entity_key_serialization_version,
										n->entity_key_serialization_version));
	diff_bool(&items, "coerce_tz_aware", o->coerce_tz_aware, n->coerce_tz_aware);
	/* derived from online_store, which says it already when it differs */
	if (str_eq(o->online_store, n->online_store))
		diff_value(&items, "online_schema", o->online_schema, n->online_schema);
	return items;
}

static List *
diff_entity(const void *cur, const void *want)
{
	const RegEntity *o = cur;
	const RegEntity *n = want;
	List	   *items = NIL;

	diff_value(&items, "join_key", o->join_key, n->join_key);
	diff_value(&items, "value_type", o->value_type, n->value_type);
	diff_text(&items, "description", o->description, n->description);
	diff_text(&items, "owner", o->owner, n->owner);
	diff_value(&items, "tags", o->tags, n->tags);
	return items;
}

static List *
diff_source(const void *cur, const void *want)
{
	const RegSource *o = cur;
	const RegSource *n = want;
	List	   *items = NIL;

	diff_value(&items, "type", RegSourceTypeName(o->type), RegSourceTypeName(n->type));
	diff_value(&items, "table", o->table_name, n->table_name);
	diff_text(&items, "query", o->query, n->query);
	diff_value(&items, "batch_source", o->batch_source, n->batch_source);
	diff_value(&items, "timestamp_field", o->timestamp_field, n->timestamp_field);
	diff_value(&items, "created_timestamp_column", o->created_timestamp_column,
			   n->created_timestamp_column);
	diff_value(&items, "date_partition_column", o->date_partition_column,
			   n->date_partition_column);
	diff_value(&items, "field_mapping", o->field_mapping.json, n->field_mapping.json);
	diff_text(&items, "description", o->description, n->description);
	diff_text(&items, "owner", o->owner, n->owner);
	diff_value(&items, "tags", o->tags, n->tags);
	return items;
}

static const RegFeature *
view_feature(const RegFeatureView *v, const char *name)
{
	for (int i = 0; i < v->nfeatures; i++)
		if (strcmp(v->features[i].name, name) == 0)
			return &v->features[i];
	return NULL;
}

static const RegAggregation *
view_aggregation(const RegFeatureView *v, const char *name)
{
	for (int i = 0; i < v->naggregations; i++)
		if (strcmp(v->aggregations[i].name, name) == 0)
			return &v->aggregations[i];
	return NULL;
}

/* An aggregation as a detail shows it: "sum of amount over 7 days" */
char *
ApplyShowAggregation(const RegAggregation *a)
{
	return psprintf("%s of %s over %s", a->function, a->column, show_ttl(a->window_usec));
}

/* "sum_amount (sum of amount over 7 days)" for an added aggregation */
static char *
describe_aggregation(const void *arg, const char *name)
{
	return psprintf("%s (%s)", name, ApplyShowAggregation(view_aggregation(arg, name)));
}

/* "x (Float32)" for an added feature */
static char *
describe_feature(const void *arg, const char *name)
{
	return psprintf("%s (%s)", name, view_feature(arg, name)->dtype);
}

static List *
diff_view(const void *cur, const void *want)
{
	const RegFeatureView *o = cur;
	const RegFeatureView *n = want;
	List	   *items = NIL;
	List	   *ofeatures = NIL;
	List	   *nfeatures = NIL;

	diff_value(&items, "source", o->source_name, n->source_name);
	if (o->ttl_usec != n->ttl_usec)
		items = lappend(items, psprintf("ttl: %s -> %s", show_ttl(o->ttl_usec),
										show_ttl(n->ttl_usec)));
	diff_bool(&items, "online", o->online, n->online);
	diff_bool(&items, "offline", o->offline, n->offline);
	diff_value(&items, "entities",
			   show_list(array_list(o->entities, o->nkeys)),
			   show_list(array_list(n->entities, n->nkeys)));

	for (int i = 0; i < o->nfeatures; i++)
		ofeatures = lappend(ofeatures, o->features[i].name);
	for (int i = 0; i < n->nfeatures; i++)
		nfeatures = lappend(nfeatures, n->features[i].name);
	diff_names(&items, "features", ofeatures, nfeatures, describe_feature, n);
	for (int i = 0; i < n->nfeatures; i++)
	{
		const RegFeature *nf = &n->features[i];
		const RegFeature *of = view_feature(o, nf->name);

		if (of == NULL)
			continue;
		if (!str_eq(of->dtype, nf->dtype))
			items = lappend(items, psprintf("feature %s dtype: %s -> %s",
											nf->name, of->dtype, nf->dtype));
		diff_text(&items, psprintf("feature %s description", nf->name),
				  of->description, nf->description);
		diff_value(&items, psprintf("feature %s tags", nf->name), of->tags, nf->tags);
	}

	ofeatures = NIL;
	nfeatures = NIL;
	for (int i = 0; i < o->naggregations; i++)
		ofeatures = lappend(ofeatures, o->aggregations[i].name);
	for (int i = 0; i < n->naggregations; i++)
		nfeatures = lappend(nfeatures, n->aggregations[i].name);
	diff_names(&items, "aggregations", ofeatures, nfeatures, describe_aggregation, n);
	for (int i = 0; i < n->naggregations; i++)
	{
		const RegAggregation *na = &n->aggregations[i];
		const RegAggregation *oa = view_aggregation(o, na->name);

		if (oa != NULL)
			diff_value(&items, psprintf("aggregation %s", na->name),
					   ApplyShowAggregation(oa), ApplyShowAggregation(na));
	}

	diff_text(&items, "description", o->description, n->description);
	diff_text(&items, "owner", o->owner, n->owner);
	diff_value(&items, "tags", o->tags, n->tags);
	return items;
}

/* A projection's name in its service: its alias, else its view. */
static const char *
projection_name(const RegProjection *p)
{
	return p->alias ? p->alias : p->feature_view;
}

/* "all" or "a, b" */
static char *
show_projection_features(const RegProjection *p)
{
	return p->nfeatures < 0 ? "all" : show_list(array_list(p->features, p->nfeatures));
}

/* A projection in full: "v as a (f1, f2) {"k": "c"}" */
static char *
show_projection(const RegProjection *p)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, p->feature_view);
	if (p->alias)
		appendStringInfo(&buf, " as %s", p->alias);
	if (p->nfeatures >= 0)
		appendStringInfo(&buf, " (%s)", show_projection_features(p));
	if (p->join_key_map.n > 0)
		appendStringInfo(&buf, " %s", p->join_key_map.json);
	return buf.data;
}

static const RegProjection *
service_projection(const RegFeatureService *s, const char *name)
{
	for (int i = 0; i < s->nprojections; i++)
		if (strcmp(projection_name(&s->projections[i]), name) == 0)
			return &s->projections[i];
	return NULL;
}

/* "v (f1, f2)" for an added projection */
static char *
describe_projection(const void *arg, const char *name)
{
	return show_projection(service_projection(arg, name));
}

/* Whether the projections of a service have distinct names. */
static bool
projection_names_unique(const RegFeatureService *s, List **names)
{
	*names = NIL;
	for (int i = 0; i < s->nprojections; i++)
	{
		const char *name = projection_name(&s->projections[i]);

		if (list_has(*names, name))
			return false;
		*names = lappend(*names, (char *) name);
	}
	return true;
}

static List *
diff_service(const void *cur, const void *want)
{
	const RegFeatureService *o = cur;
	const RegFeatureService *n = want;
	List	   *items = NIL;
	List	   *onames;
	List	   *nnames;

	if (projection_names_unique(o, &onames) && projection_names_unique(n, &nnames))
	{
		ListCell   *lc;

		diff_names(&items, "projections", onames, nnames, describe_projection, n);
		foreach(lc, nnames)
		{
			const RegProjection	*np = service_projection(n, lfirst(lc));
			const RegProjection	*op = service_projection(o, lfirst(lc));

			if (op == NULL)
				continue;
			diff_value(&items, psprintf("projection %s feature view", projection_name(np)),
					   op->feature_view, np->feature_view);
			diff_value(&items, psprintf("projection %s features", projection_name(np)),
					   show_projection_features(op), show_projection_features(np));
			diff_value(&items, psprintf("projection %s join_key_map", projection_name(np)),
					   op->join_key_map.json, np->join_key_map.json);
		}
	}
	else
	{
		/* a view projected twice under one name: compare them whole */
		List	   *olist = NIL;
		List	   *nlist = NIL;

		for (int i = 0; i < o->nprojections; i++)
			olist = lappend(olist, show_projection(&o->projections[i]));
		for (int i = 0; i < n->nprojections; i++)
			nlist = lappend(nlist, show_projection(&n->projections[i]));
		if (!list_eq(olist, nlist))
			items = lappend(items, psprintf("projections: %s -> %s",
											show_list(olist), show_list(nlist)));
	}
	diff_text(&items, "description", o->description, n->description);
	diff_text(&items, "owner", o->owner, n->owner);
	diff_value(&items, "tags", o->tags, n->tags);
	return items;
}

/* "a; b; c", or NULL for no items */
static char *
join_items(List *items)
{
	StringInfoData buf;
	ListCell   *lc;

	if (items == NIL)
		return NULL;
	initStringInfo(&buf);
	foreach(lc, items)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? "; " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

static ApplyStep *
make_step(ApplyObjectType type, const char *name, const void *want,
		  const void *cur)
{
	ApplyStep  *step = palloc0(sizeof(ApplyStep));

	step->type = type;
	step->name = name;
	step->want = want;
	step->cur = cur;
	step->report = true;
	if (want == NULL)
		step->action = APPLY_DELETED;
	else if (cur == NULL)
	{
		step->action = APPLY_CREATED;
		step->write_row = true;
	}
	else
		step->action = APPLY_UNCHANGED;
	return step;
}

/*
 * The step of an object that exists in both: updated, with its changes as
 * detail, when diff finds any.
 */
static void
compare_step(ApplyStep *step, ApplyDiffFunction diff)
{
	List	   *items = diff(step->cur, step->want);

	if (items != NIL)
	{
		step->action = APPLY_UPDATED;
		step->write_row = true;
		step->detail = join_items(items);
	}
}

/*
 * The steps of one kind of object when the document has its section: the
 * wanted ones appended to *plan, those it no longer has to *deletions.
 */
static void
plan_objects(List **plan, List **deletions, ApplyObjectType type,
			 List *want, List *cur, ApplyDiffFunction diff)
{
	ListCell   *lc;

	/* every model object starts with its name */
	foreach(lc, want)
	{
		char	   *name = *(char **) lfirst(lc);
		void	   *old = RegListFind(cur, name);
		ApplyStep  *step = make_step(type, name, lfirst(lc), old);

		if (old != NULL)
			compare_step(step, diff);
		*plan = lappend(*plan, step);
	}
	foreach(lc, cur)
	{
		char	   *name = *(char **) lfirst(lc);

		if (RegListFind(want, name) == NULL)
			*deletions = lappend(*deletions, make_step(type, name, NULL, lfirst(lc)));
	}
}

/* The online table a wanted, validated, online view must have. */
static OnlineTableSpec *
view_online_spec(const RegProject *project, Oid owner, const RegFeatureView *v)
{
	OnlineTableSpec	*spec = palloc0(sizeof(OnlineTableSpec));

	spec->owner = owner;
	spec->project = project->name;
	spec->view = v->name;
	spec->schema_name = project->online_schema;
	spec->table_name = OnlineTableName(project->name, v->name);
	spec->nkeys = v->nkeys;
	spec->keys = palloc0(sizeof(OnlineColumn) * (v->nkeys + 1));
	for (int i = 0; i < v->nkeys; i++)
	{
		spec->keys[i].name = v->join_keys[i];
		spec->keys[i].typid = OnlineValueTypeOid(v->value_types[i]);
		spec->keys[i].typmod = -1;
	}
	/* the schema's features, then the aggregations', typed as they result */
	spec->nfeatures = v->nfeatures + v->naggregations;
	spec->features = palloc0(sizeof(OnlineColumn) * (spec->nfeatures + 1));
	for (int i = 0; i < v->nfeatures; i++)
	{
		spec->features[i].name = v->features[i].name;
		spec->features[i].typid = v->features[i].col->typid;
		spec->features[i].typmod = v->features[i].col->typmod;
	}
	for (int i = 0; i < v->naggregations; i++)
	{
		OnlineColumn *c = &spec->features[v->nfeatures + i];

		c->name = v->aggregations[i].name;
		c->typid = v->aggregations[i].result_type;
		c->typmod = -1;
	}
	return spec;
}

/* Whether a plan changes an online table. */
static bool
online_changes(const OnlineTablePlan *plan)
{
	return plan != NULL && plan->action != OT_KEEP;
}

/*
 * The steps of the feature views. Every wanted view (the registry's when
 * the document has no feature_views section) gets its online table's
 * plan; a view is updated when its definition or its online table
 * changes, and listed as unchanged only when the document has the section.
 */
static void
plan_views(List **plan, List **deletions, RegRepo *want, RegRepo *cur,
		   Oid owner)
{
	const char *project = want->project->name;
	ListCell   *lc;

	foreach(lc, want->views)
	{
		RegFeatureView *v = lfirst(lc);
		RegFeatureView *old = RegListFind(cur->views, v->name);
		ApplyStep  *step = make_step(APPLY_FEATURE_VIEW, v->name, v, old);

		CHECK_FOR_INTERRUPTS();
		step->online = v->online ?
			OnlineTablePlanSync(view_online_spec(want->project, owner, v)) :
			OnlineTablePlanDrop(project, v->name);
		if (old != NULL)
		{
			compare_step(step, diff_view);
			if (online_changes(step->online))
			{
				step->action = APPLY_UPDATED;
				step->detail = step->detail ?
					psprintf("%s; %s", step->detail, step->online->detail) :
					step->online->detail;
			}
			if (step->action == APPLY_UNCHANGED)
				step->report = want->has_views;
		}
		/* a new view's online table is new too: nothing to say */
		*plan = lappend(*plan, step);
	}

	if (!want->has_views)
		return;
	foreach(lc, cur->views)
	{
		RegFeatureView *v = lfirst(lc);
		ApplyStep  *step;

		if (RegListFind(want->views, v->name) != NULL)
			continue;
		step = make_step(APPLY_FEATURE_VIEW, v->name, NULL, v);
		step->online = OnlineTablePlanDrop(project, v->name);
		if (step->online)
			step->detail = step->online->detail;
		*deletions = lappend(*deletions, step);
	}
}

/* Push sources before the batch sources they store their rows in. */
static List *
push_sources_first(List *steps)
{
	List	   *push = NIL;
	List	   *batch = NIL;
	ListCell   *lc;

	foreach(lc, steps)
	{
		ApplyStep  *step = lfirst(lc);
		const RegSource *s = step->cur;

		if (s->type == REG_SOURCE_PUSH)
			push = lappend(push, step);
		else
			batch = lappend(batch, step);
	}
	return list_concat(push, batch);
}

/*
 * ApplyPlan compares want (validated) with cur and returns the plan: one
 * step per object, in the order of the result's rows. Sections the
 * document lacks have no steps, but for feature views whose online table
 * changes. owner owns the online tables to create.
 */
List *
ApplyPlan(RegRepo *want, RegRepo *cur, Oid owner)
{
	List	   *plan = NIL;
	List	   *del_entities = NIL;
	List	   *del_sources = NIL;
	List	   *del_views = NIL;
	List	   *del_services = NIL;
	ApplyStep  *step;

	step = make_step(APPLY_PROJECT, want->project->name, want->project,
					 cur->project);
	if (cur->project != NULL)
		compare_step(step, diff_project);
	plan = lappend(plan, step);

	if (want->has_entities)
		plan_objects(&plan, &del_entities, APPLY_ENTITY,
					 want->entities, cur->entities, diff_entity);
	if (want->has_sources)
		plan_objects(&plan, &del_sources, APPLY_DATA_SOURCE,
					 want->sources, cur->sources, diff_source);
	plan_views(&plan, &del_views, want, cur, owner);
	if (want->has_services)
		plan_objects(&plan, &del_services, APPLY_FEATURE_SERVICE,
					 want->services, cur->services, diff_service);

	/* deletions, dependents first */
	plan = list_concat(plan, del_services);
	plan = list_concat(plan, del_views);
	plan = list_concat(plan, push_sources_first(del_sources));
	plan = list_concat(plan, del_entities);

	/* the feature service views, which follow the services and views */
	plan = list_concat(plan, ServiceViewsPlan(want, plan, owner));
	return plan;
}
