/*-------------------------------------------------------------------------
 *
 * registry.c
 *		What retrieval, materialization and push ask of the registry: the
 *		project a call works on, the views and features a request names,
 *		the hints for unknown names, ownership and locks.
 *
 * Retrieval, materialization and push all start here: resolve the project,
 * and resolve feature references or a feature service into the list of
 * views and features to read, loaded by registry_load.c (the one loader
 * of the model in registry.h).
 *
 * Unknown names: every error about a name that does not exist (project,
 * entity, data source, feature view, feature, feature service), here and
 * in feast_apply, pulls and push, ends with RegistryHintClosest's hint:
 * the closest existing names by Levenshtein distance, as PostgreSQL
 * suggests a column name, or the valid names when there are only a few.
 *
 * Ownership: every project has an owner role. Only its members and
 * superusers change the project (RegistryCheckProjectOwner, backed by
 * row-level security on every registry table). A query source is SQL its
 * owner wrote, so it runs only for a role that gives the owner nothing it
 * lacks: a member of the owner role, or a role whose privileges the owner
 * has (RegistryCheckQuerySource). Nobody's query source ever runs with another
 * role's privileges, a superuser's included.
 *
 * Locks: transaction-level advisory locks on two int4 keys, a fixed class
 * id per kind of lock (OFS_LOCK_CLASS_*) and a hash of the names, so that
 * they stay apart from applications' advisory locks on one bigint key and
 * from each other.
 *
 * Memory: every function returns memory allocated in the caller's
 * CurrentMemoryContext.
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

#include "offline_store.h"
#include "registry.h"

/*
 * Suggestions: at most this many edits away (insertions, deletions and
 * substitutions cost 1), and at most half the length of the name given,
 * as parse_relation.c's column suggestions; valid names are listed
 * instead when there are at most REG_HINT_LIST of them.
 */
#define REG_HINT_MAX_DISTANCE	3
#define REG_HINT_MAX_NAMES		3
#define REG_HINT_LIST			5

static RegRequest *find_request(List *requests, const char *name_to_use);
static RegRequest *new_request(RegFeatureView *view, const char *name_to_use);
static RegFeature *find_feature(RegFeatureView *view, const char *name);
static void add_feature(RegRequest *req, RegFeature *feature);
static void check_collisions(List *requests, bool full_feature_names);
static List *request_features(const char *project, ArrayType *features);
static List *request_service(const char *project, const char *feature_service);
static char *role_name(Oid roleid);
static int32 lock_key(const char *a, const char *b);

/* ----------------------------------------------------------------
 * The project
 * ----------------------------------------------------------------
 */

/*
 * RegistryResolveProject returns the project a call works on: the one given,
 * else offline_store.project, else the only project there is.
 */
char *
RegistryResolveProject(const char *project)
{
	List	   *projects;

	if (project == NULL && ofs_default_project && ofs_default_project[0] != '\0')
		project = ofs_default_project;

	if (project != NULL)
	{
		/* every project has an owner */
		if (!OidIsValid(RegistryProjectOwner(project)))
		{
			projects = RegistryListProjects();
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("project \"%s\" does not exist", project),
					 RegistryHintClosest(project, projects,
										 "Projects are created by feast_apply().")));
		}
		return pstrdup(project);
	}

	projects = RegistryListProjects();
	if (projects == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no Feast project exists"),
				 errhint("Load a feature repo with feast_apply().")));
	if (list_length(projects) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("more than one Feast project exists"),
				 errhint("Pass the project, or set offline_store.project.")));
	return linitial(projects);
}

/* ----------------------------------------------------------------
 * Requests
 * ----------------------------------------------------------------
 */

static RegRequest *
find_request(List *requests, const char *name_to_use)
{
	ListCell   *lc;

	foreach(lc, requests)
	{
		RegRequest *req = lfirst(lc);

		if (strcmp(req->name_to_use, name_to_use) == 0)
			return req;
	}
	return NULL;
}

static RegRequest *
new_request(RegFeatureView *view, const char *name_to_use)
{
	RegRequest *req = palloc0(sizeof(RegRequest));

	req->view = view;
	req->name_to_use = pstrdup(name_to_use);
	req->key_columns = palloc0(sizeof(char *) * (view->nkeys + 1));
	for (int i = 0; i < view->nkeys; i++)
		req->key_columns[i] = view->join_keys[i];
	req->features = palloc0(sizeof(RegFeature *) *
							(view->nfeatures + view->naggregations + 1));
	req->output_names = palloc0(sizeof(char *) *
								(view->nfeatures + view->naggregations + 1));
	return req;
}

/*
 * The feature of a view, of its schema or an aggregation's; errors, with
 * the closest names, when it has none.
 */
static RegFeature *
find_feature(RegFeatureView *view, const char *name)
{
	RegFeature *feature = RegViewFeature(view, name);

	if (feature != NULL)
		return feature;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("feature \"%s\" does not exist in feature view \"%s\"",
					name, view->name),
			 RegistryHintClosest(name, RegViewFeatureNames(view), NULL)));
	return NULL;				/* keep compiler quiet */
}

/* Append a feature to a request; the same feature twice is an error. */
static void
add_feature(RegRequest *req, RegFeature *feature)
{
	for (int i = 0; i < req->nfeatures; i++)
		if (req->features[i] == feature)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("feature \"%s:%s\" is requested more than once",
							req->name_to_use, feature->name)));
	if (req->nfeatures >= req->view->nfeatures + req->view->naggregations)
		elog(ERROR, "too many features requested from feature view \"%s\"",
			 req->view->name);
	req->features[req->nfeatures++] = feature;
}

/* Name the output columns and check that no two collide. */
static void
check_collisions(List *requests, bool full_feature_names)
{
	ListCell   *lc;
	List	   *seen = NIL;

	foreach(lc, requests)
	{
		RegRequest *req = lfirst(lc);

		for (int i = 0; i < req->nfeatures; i++)
		{
			char	   *out;
			ListCell   *lc2;

			out = full_feature_names ?
				psprintf("%s__%s", req->name_to_use, req->features[i]->name) :
				req->features[i]->name;
			foreach(lc2, seen)
			{
				if (strcmp((char *) lfirst(lc2), out) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("feature name \"%s\" is requested more than once", out),
							 full_feature_names ? 0 :
							 errhint("Pass full_feature_names => true to name features \"view__feature\".")));
			}
			seen = lappend(seen, out);
			req->output_names[i] = out;
		}
	}
	list_free(seen);
}

/* The requests of feature references "view:feature". */
static List *
request_features(const char *project, ArrayType *features)
{
	List	   *requests = NIL;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(features) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array")));
	deconstruct_array(features, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features must not be empty")));
	for (int i = 0; i < n; i++)
	{
		char	   *ref;
		char	   *colon;
		char	   *view_name;
		RegRequest *req;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("features must not contain NULL")));
		ref = TextDatumGetCString(elems[i]);
		colon = strchr(ref, ':');
		if (colon == NULL || colon == ref || colon[1] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid feature reference \"%s\"", ref),
					 errhint("A feature reference has the form \"feature_view:feature\".")));
		view_name = pnstrdup(ref, colon - ref);
		req = find_request(requests, view_name);
		if (req == NULL)
		{
			req = new_request(RegistryGetFeatureView(project, view_name), view_name);
			requests = lappend(requests, req);
		}
		add_feature(req, find_feature(req->view, colon + 1));
	}
	return requests;
}

/* The requests of a feature service's projections. */
static List *
request_service(const char *project, const char *feature_service)
{
	RegFeatureService *svc = RegistryGetFeatureService(project, feature_service);
	List	   *requests = NIL;

	if (svc == NULL)
	{
		List	   *names = RegistryListFeatureServices(project);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("feature service \"%s\" does not exist", feature_service),
				 errdetail("Project \"%s\" has no feature service of that name.", project),
				 RegistryHintClosest(feature_service, names, NULL)));
	}

	for (int i = 0; i < svc->nprojections; i++)
	{
		RegProjection *pr = &svc->projections[i];
		RegFeatureView *view = RegistryGetFeatureView(project, pr->feature_view);
		const char *name_to_use = pr->alias ? pr->alias : pr->feature_view;
		RegRequest *req;

		if (find_request(requests, name_to_use) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("feature service \"%s\" projects feature view \"%s\" more than once",
							feature_service, name_to_use),
					 errhint("Give each projection its own name.")));
		req = new_request(view, name_to_use);
		requests = lappend(requests, req);

		/* join_key_map: view join key -> entity_df column */
		for (int k = 0; k < pr->join_key_map.n; k++)
		{
			bool		found = false;

			for (int j = 0; j < view->nkeys; j++)
				if (strcmp(view->join_keys[j], pr->join_key_map.keys[k]) == 0)
				{
					req->key_columns[j] = pr->join_key_map.values[k];
					found = true;
				}
			if (!found)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("join_key_map of feature service \"%s\" names \"%s\", which is not a join key of feature view \"%s\"",
								feature_service, pr->join_key_map.keys[k], view->name)));
		}

		if (pr->nfeatures < 0)
		{
			/* every feature: the schema's, then the aggregations' */
			for (int f = 0; f < view->nfeatures; f++)
				add_feature(req, &view->features[f]);
			for (int f = 0; f < view->naggregations; f++)
				add_feature(req, &view->aggregations[f].feature);
		}
		else
		{
			for (int f = 0; f < pr->nfeatures; f++)
				add_feature(req, find_feature(view, pr->features[f]));
		}
	}
	if (requests == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("feature service \"%s\" has no features", feature_service)));
	return requests;
}

/*
 * RegistryResolveRequest turns feature refs or a feature service into the
 * views and features to read, in Feast's order: views by first reference,
 * features in reference order.
 */
List *
RegistryResolveRequest(const char *project, ArrayType *features,
					   const char *feature_service, bool full_feature_names)
{
	List	   *requests;

	if ((features == NULL) == (feature_service == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exactly one of features and feature_service must be given")));

	if (features != NULL)
		requests = request_features(project, features);
	else
		requests = request_service(project, feature_service);
	check_collisions(requests, full_feature_names);
	return requests;
}

/* ----------------------------------------------------------------
 * Sources
 * ----------------------------------------------------------------
 */

/*
 * RegSourceColumn maps a Feast-side name to the source column that holds it.
 */
const char *
RegSourceColumn(const RegSource *source, const char *feast_name)
{
	for (int i = 0; i < source->field_mapping.n; i++)
		if (strcmp(source->field_mapping.values[i], feast_name) == 0)
			return source->field_mapping.keys[i];
	return feast_name;
}

/*
 * RegSourceFromItem returns the source as an FROM item: for a table, its
 * schema-qualified quoted name as it resolves now; for a query, the query in
 * parentheses. Errors if the table no longer exists.
 */
char *
RegSourceFromItem(const RegSource *source)
{
	List	   *names;
	RangeVar   *rv;
	Oid			relid;

	if (source->type == REG_SOURCE_QUERY)
		return psprintf("(%s\n)", source->query);

	names = stringToQualifiedNameList(source->table_name);
	rv = makeRangeVarFromNameList(names);
	relid = RangeVarGetRelid(rv, AccessShareLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" of data source \"%s\" does not exist",
						source->table_name, source->name)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* ----------------------------------------------------------------
 * Unknown names
 * ----------------------------------------------------------------
 */

/* "a", "b" and "c" */
static void
append_name_list(StringInfo buf, List *names, const char *last_sep)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, lnext(names, lc) ? ", " : last_sep);
		appendStringInfo(buf, "\"%s\"", (char *) lfirst(lc));
	}
}

/*
 * RegistryHintClosest sets the hint of the error being raised about an
 * unknown name: the names closest to it (a name that differs only in ASCII
 * case, else the fewest edits, at most REG_HINT_MAX_DISTANCE and half its
 * length; ties in the order of names),
 * else every name when there are at most REG_HINT_LIST, else otherwise.
 * Returns 0 as ereport's auxiliary functions do; names are not freed.
 */
int
RegistryHintClosest(const char *name, List *names, const char *otherwise)
{
	int			len = strlen(name);
	int			max_d = Min(REG_HINT_MAX_DISTANCE, len / 2);
	int			best = max_d + 1;
	List	   *closest = NIL;
	ListCell   *lc;
	StringInfoData buf;

	foreach(lc, names)
	{
		const char *cand = lfirst(lc);
		int			d;

		if (strcmp(cand, name) == 0)
			continue;
		/* a difference in case only is the closest there is */
		if (pg_strcasecmp(cand, name) == 0)
			d = 0;
		else
			d = varstr_levenshtein_less_equal(name, len, cand, strlen(cand),
											  1, 1, 1, best, true);
		if (d < best)
		{
			best = d;
			list_free(closest);
			closest = list_make1((char *) cand);
		}
		else if (d == best && d <= max_d &&
				 list_length(closest) < REG_HINT_MAX_NAMES)
			closest = lappend(closest, (char *) cand);
	}

	initStringInfo(&buf);
	if (closest != NIL)
	{
		appendStringInfoString(&buf, "Did you mean ");
		append_name_list(&buf, closest, " or ");
		appendStringInfoChar(&buf, '?');
	}
	else if (list_length(names) == 1)
		appendStringInfo(&buf, "The only valid name is \"%s\".",
						 (char *) linitial(names));
	else if (names != NIL && list_length(names) <= REG_HINT_LIST)
	{
		appendStringInfoString(&buf, "Valid names are ");
		append_name_list(&buf, names, " and ");
		appendStringInfoChar(&buf, '.');
	}
	else if (otherwise != NULL)
		appendStringInfoString(&buf, otherwise);

	if (buf.len > 0)
		errhint("%s", buf.data);
	pfree(buf.data);
	list_free(closest);
	return 0;
}

/* ----------------------------------------------------------------
 * Ownership
 * ----------------------------------------------------------------
 */

/* A role's name for messages; a dropped role shows as its OID. */
static char *
role_name(Oid roleid)
{
	char	   *name = GetUserNameFromId(roleid, true);

	return name ? name : psprintf("%u", roleid);
}

/*
 * RegistryCheckProjectOwner errors unless the current user is a member of
 * the project's owner role or a superuser (is_member_of_role says true for
 * both, as pg_has_role(..., 'MEMBER') in the row-level security policies
 * does). A project that does not exist passes.
 */
void
RegistryCheckProjectOwner(const char *project)
{
	Oid			owner = RegistryProjectOwner(project);

	if (!OidIsValid(owner) || is_member_of_role(GetUserId(), owner))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for project \"%s\"", project),
			 errdetail("Only members of role \"%s\", the owner of the project, and superusers can change it.",
					   role_name(owner)),
			 errhint("A member of role \"%s\" can grant you membership in it, or give the project to another owner with UPDATE feast.projects SET owner.",
					 role_name(owner))));
}

/*
 * RegistryCheckQuerySource errors unless the current user may run (or
 * plan: constant folding runs immutable functions) the query of a query
 * source: SQL that the project's owner wrote runs with the privileges of
 * whoever calls, so it runs only when that gives the owner nothing: the
 * caller is a member of the owner role (not merely a superuser), or the
 * owner has every privilege of the caller (the caller itself, a role the
 * owner is a member of, or any role when the owner is a superuser). A
 * project that does not exist yet will be the caller's.
 */
void
RegistryCheckQuerySource(const char *project, const char *source)
{
	Oid			owner = RegistryProjectOwner(project);
	Oid			me = GetUserId();

	if (!OidIsValid(owner) ||
		is_member_of_role_nosuper(me, owner) || has_privs_of_role(owner, me))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to run query source \"%s\" of project \"%s\"",
					source, project),
			 errdetail("A query source is SQL written by the owner of the project, role \"%s\"; it would run with the privileges of role \"%s\", which the owner does not have.",
					   role_name(owner), role_name(me)),
			 errhint("Run it as role \"%s\" or as a member of it.", role_name(owner))));
}

/* ----------------------------------------------------------------
 * Locks
 * ----------------------------------------------------------------
 */

/*
 * The object id of a lock on one or two names: a hash of their bytes,
 * each preceded by its length, so that ("a/b", "c") and ("a", "b/c")
 * differ. Two names with the same hash share a lock, which only
 * serialises them.
 */
static int32
lock_key(const char *a, const char *b)
{
	char	   *key = b ? psprintf("%zu:%s%zu:%s", strlen(a), a, strlen(b), b) :
		psprintf("%zu:%s", strlen(a), a);
	uint32		h = hash_bytes((const unsigned char *) key, strlen(key));

	pfree(key);
	return (int32) h;
}

/*
 * RegistryLockProject takes the project's transaction-level advisory lock:
 * class OFS_LOCK_CLASS_PROJECT, object the hash of the project's name.
 */
void
RegistryLockProject(const char *project, bool exclusive)
{
	DirectFunctionCall2(exclusive ? pg_advisory_xact_lock_int4 :
						pg_advisory_xact_lock_shared_int4,
						Int32GetDatum(OFS_LOCK_CLASS_PROJECT),
						Int32GetDatum(lock_key(project, NULL)));
}

/*
 * RegistryLockMaterialization takes the lock that serialises
 * materializations of one view: class OFS_LOCK_CLASS_MATERIALIZE, object
 * the hash of the project's and the view's names. With wait false it
 * returns false instead of waiting when another transaction holds it.
 */
bool
RegistryLockMaterialization(const char *project, const char *view, bool wait)
{
	Datum		classid = Int32GetDatum(OFS_LOCK_CLASS_MATERIALIZE);
	Datum		objid = Int32GetDatum(lock_key(project, view));

	if (wait)
	{
		DirectFunctionCall2(pg_advisory_xact_lock_int4, classid, objid);
		return true;
	}
	return DatumGetBool(DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
											classid, objid));
}
