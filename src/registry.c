/*-------------------------------------------------------------------------
 *
 * registry.c
 *		Reading the feast.* registry into C structs.
 *
 * Retrieval, materialization and push all start here: resolve the project,
 * load the feature views a call names (with their entities, features and
 * batch source), and resolve feature references or a feature service into
 * the list of views and features to read. Lookups run through SPI with $n
 * parameters, as the caller, so the registry's own privileges hold.
 *
 * Ownership: every project has an owner role. Only its members and
 * superusers change the project (RegistryCheckProjectOwner, backed by
 * row-level security on every registry table). A query source is SQL its
 * owner wrote, so it runs only for a role that gives the owner nothing it
 * lacks: a member of the owner role, or a role whose privileges the owner
 * has (RegistryCheckQuerySource). Nobody's query source ever runs with another
 * role's privileges, a superuser's included.
 *
 * Memory: every function returns memory allocated in the caller's
 * CurrentMemoryContext; SPI memory is released before returning.
 *
 * IDENTIFICATION
 *	  src/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

#include "offline_store.h"
#include "registry.h"
#include "spi_util.h"

#define REG_MAX_ARGS 4

static void reg_query(const char *sql, int nargs, const char *const *args);
static Oid	owner_of(const char *project);
static char *role_name(Oid roleid);
static RegSource *load_source(const char *project, const char *name,
							  char **push_source);
static RegRequest *find_request(List *requests, const char *name_to_use);
static RegRequest *new_request(RegFeatureView *view, const char *name_to_use);
static RegFeature *find_feature(RegFeatureView *view, const char *name);
static void add_feature(RegRequest *req, RegFeature *feature);
static void check_collisions(List *requests, bool full_feature_names);

/*
 * reg_query runs a read-only registry query with text parameters inside the
 * caller's SPI connection; results are in SPI_tuptable.
 */
static void
reg_query(const char *sql, int nargs, const char *const *args)
{
	Oid			types[REG_MAX_ARGS] = {0};
	Datum		values[REG_MAX_ARGS] = {0};
	char		nulls[REG_MAX_ARGS] = {0};
	MemoryContext oldcxt = CurrentMemoryContext;

	Assert(nargs <= REG_MAX_ARGS);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	SpiExec(sql, nargs, types, values, nulls, SPI_OK_SELECT);
	/* SPI leaves us in its procedure context: go back to the caller's */
	MemoryContextSwitchTo(oldcxt);
}

/*
 * RegistryResolveProject returns the project a call works on: the one given,
 * else offline_store.project, else the only project there is.
 */
char *
RegistryResolveProject(const char *project)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *result = NULL;

	if (project == NULL && ofs_default_project && ofs_default_project[0] != '\0')
		project = ofs_default_project;

	SPI_connect();
	if (project != NULL)
	{
		const char *args[1] = {project};

		reg_query("SELECT 1 FROM feast.projects WHERE name OPERATOR(pg_catalog.=) $1",
				  1, args);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("project \"%s\" does not exist", project),
					 errhint("Projects are created by feast_apply().")));
		MemoryContextSwitchTo(caller);
		result = pstrdup(project);
	}
	else
	{
		reg_query("SELECT name FROM feast.projects ORDER BY name LIMIT 2", 0, NULL);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("no Feast project exists"),
					 errhint("Load a feature repo with feast_apply().")));
		if (SPI_processed > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("more than one Feast project exists"),
					 errhint("Pass the project, or set offline_store.project.")));
		MemoryContextSwitchTo(caller);
		result = SpiGetText(0, 1);
	}
	SPI_finish();
	return result;
}

/*
 * load_source loads a data source, following a push source to its batch
 * source (whose name is then returned in *push_source). Called inside SPI;
 * allocates in the current context, which the caller sets.
 */
static RegSource *
load_source(const char *project, const char *name, char **push_source)
{
	const char *args[2] = {project, name};
	RegSource  *src = palloc0(sizeof(RegSource));
	MemoryContext target = CurrentMemoryContext;
	char	   *type;

	*push_source = NULL;
	reg_query("SELECT type, table_name, query, batch_source, timestamp_field, "
			  "created_timestamp_column, "
			  "ARRAY(SELECT m.key FROM pg_catalog.jsonb_each_text(field_mapping) m ORDER BY m.key), "
			  "ARRAY(SELECT m.value FROM pg_catalog.jsonb_each_text(field_mapping) m ORDER BY m.key) "
			  "FROM feast.data_sources "
			  "WHERE project OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
			  2, args);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("data source \"%s\" does not exist", name)));
	type = SpiGetText(0, 1);
	if (strcmp(type, "push") == 0)
	{
		char	   *batch = SpiGetText(0, 4);
		char	   *dummy;

		src = load_source(project, batch, &dummy);
		MemoryContextSwitchTo(target);
		*push_source = pstrdup(name);
		return src;
	}
	src->name = pstrdup(name);
	src->is_query = (strcmp(type, "query") == 0);
	src->table_name = SpiGetText(0, 2);
	src->query = SpiGetText(0, 3);
	src->timestamp_field = SpiGetText(0, 5);
	src->created_timestamp_column = SpiGetText(0, 6);
	{
		int			nto;

		src->map_from = SpiGetTextArray(0, 7, &src->nmappings);
		src->map_to = SpiGetTextArray(0, 8, &nto);
		Assert(nto == src->nmappings);
	}
	/* after reading the row: the check runs a query of its own */
	if (src->is_query)
	{
		RegistryCheckQuerySource(project, name);
		MemoryContextSwitchTo(target);
	}
	return src;
}

/*
 * RegistryGetFeatureView loads one feature view with its entities, features
 * and batch source.
 */
RegFeatureView *
RegistryGetFeatureView(const char *project, const char *name)
{
	MemoryContext caller = CurrentMemoryContext;
	const char *args[2] = {project, name};
	RegFeatureView *fv;
	char	   *source_name;
	char	   *ttl;

	SPI_connect();
	reg_query("SELECT (EXTRACT(epoch FROM fv.ttl) OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8, "
			  "fv.online, fv.offline, fv.source, p.online_schema "
			  "FROM feast.feature_views fv "
			  "JOIN feast.projects p ON p.name OPERATOR(pg_catalog.=) fv.project "
			  "WHERE fv.project OPERATOR(pg_catalog.=) $1 AND fv.name OPERATOR(pg_catalog.=) $2",
			  2, args);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("feature view \"%s\" does not exist", name),
				 errdetail("Project \"%s\" has no feature view of that name.", project)));

	MemoryContextSwitchTo(caller);
	fv = palloc0(sizeof(RegFeatureView));
	fv->project = pstrdup(project);
	fv->name = pstrdup(name);
	ttl = SpiGetText(0, 1);
	fv->ttl_usec = pg_strtoint64(ttl);
	fv->online = (strcmp(SpiGetText(0, 2), "t") == 0);
	fv->offline = (strcmp(SpiGetText(0, 3), "t") == 0);
	source_name = SpiGetText(0, 4);
	fv->online_schema = SpiGetText(0, 5);

	reg_query("SELECT e.name, e.join_key, e.value_type "
			  "FROM feast.feature_view_entities fe "
			  "JOIN feast.entities e ON e.project OPERATOR(pg_catalog.=) fe.project "
			  "AND e.name OPERATOR(pg_catalog.=) fe.entity "
			  "WHERE fe.project OPERATOR(pg_catalog.=) $1 "
			  "AND fe.feature_view OPERATOR(pg_catalog.=) $2 ORDER BY fe.position",
			  2, args);
	fv->nkeys = (int) SPI_processed;
	fv->entities = palloc0(sizeof(char *) * (fv->nkeys + 1));
	fv->join_keys = palloc0(sizeof(char *) * (fv->nkeys + 1));
	fv->value_types = palloc0(sizeof(char *) * (fv->nkeys + 1));
	for (int i = 0; i < fv->nkeys; i++)
	{
		fv->entities[i] = SpiGetText(i, 1);
		fv->join_keys[i] = SpiGetText(i, 2);
		fv->value_types[i] = SpiGetText(i, 3);
	}

	reg_query("SELECT name, dtype FROM feast.features "
			  "WHERE project OPERATOR(pg_catalog.=) $1 "
			  "AND feature_view OPERATOR(pg_catalog.=) $2 ORDER BY position",
			  2, args);
	fv->nfeatures = (int) SPI_processed;
	fv->features = palloc0(sizeof(RegFeature) * (fv->nfeatures + 1));
	for (int i = 0; i < fv->nfeatures; i++)
	{
		fv->features[i].name = SpiGetText(i, 1);
		fv->features[i].dtype = SpiGetText(i, 2);
	}

	fv->source = load_source(project, source_name, &fv->push_source);
	SPI_finish();
	return fv;
}

/*
 * RegistryListFeatureViews returns the names of a project's feature views,
 * sorted by name (bytewise).
 */
List *
RegistryListFeatureViews(const char *project, bool online_only)
{
	MemoryContext caller = CurrentMemoryContext;
	const char *args[1] = {project};
	List	   *result = NIL;

	SPI_connect();
	reg_query(online_only ?
			  "SELECT name FROM feast.feature_views WHERE project OPERATOR(pg_catalog.=) $1 "
			  "AND online ORDER BY name COLLATE \"C\"" :
			  "SELECT name FROM feast.feature_views WHERE project OPERATOR(pg_catalog.=) $1 "
			  "ORDER BY name COLLATE \"C\"",
			  1, args);
	MemoryContextSwitchTo(caller);
	for (uint64 i = 0; i < SPI_processed; i++)
		result = lappend(result, SpiGetText(i, 1));
	SPI_finish();
	return result;
}

/*
 * RegistryPushSourceViews returns the names of the feature views that read a
 * push source, sorted by name.
 */
List *
RegistryPushSourceViews(const char *project, const char *push_source)
{
	MemoryContext caller = CurrentMemoryContext;
	const char *args[2] = {project, push_source};
	List	   *result = NIL;

	SPI_connect();
	reg_query("SELECT type FROM feast.data_sources "
			  "WHERE project OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
			  2, args);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("push source \"%s\" does not exist", push_source),
				 errdetail("Project \"%s\" has no data source of that name.", project)));
	if (strcmp(SpiGetText(0, 1), "push") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("data source \"%s\" is not a push source", push_source)));
	reg_query("SELECT name FROM feast.feature_views "
			  "WHERE project OPERATOR(pg_catalog.=) $1 AND source OPERATOR(pg_catalog.=) $2 "
			  "ORDER BY name COLLATE \"C\"",
			  2, args);
	MemoryContextSwitchTo(caller);
	for (uint64 i = 0; i < SPI_processed; i++)
		result = lappend(result, SpiGetText(i, 1));
	SPI_finish();
	return result;
}

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
	req->features = palloc0(sizeof(RegFeature *) * (view->nfeatures + 1));
	req->output_names = palloc0(sizeof(char *) * (view->nfeatures + 1));
	return req;
}

static RegFeature *
find_feature(RegFeatureView *view, const char *name)
{
	for (int i = 0; i < view->nfeatures; i++)
		if (strcmp(view->features[i].name, name) == 0)
			return &view->features[i];
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("feature \"%s\" does not exist in feature view \"%s\"",
					name, view->name)));
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
	if (req->nfeatures >= req->view->nfeatures)
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

/*
 * RegistryResolveRequest turns feature refs or a feature service into the
 * views and features to read, in Feast's order: views by first reference,
 * features in reference order.
 */
List *
RegistryResolveRequest(const char *project, ArrayType *features,
					   const char *feature_service, bool full_feature_names)
{
	List	   *requests = NIL;

	if ((features == NULL) == (feature_service == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exactly one of features and feature_service must be given")));

	if (features != NULL)
	{
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
	}
	else
	{
		MemoryContext caller = CurrentMemoryContext;
		const char *args[2] = {project, feature_service};
		int			nproj;
		char	  **views;
		char	  **aliases;
		char	 ***feature_lists;
		int		   *nfeature_lists;
		char	 ***jkm_from;
		char	 ***jkm_to;
		int		   *njkm;

		/* Read the projections first, then load views outside this SPI level. */
		SPI_connect();
		reg_query("SELECT 1 FROM feast.feature_services "
				  "WHERE project OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
				  2, args);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("feature service \"%s\" does not exist", feature_service),
					 errdetail("Project \"%s\" has no feature service of that name.", project)));
		reg_query("SELECT feature_view, alias, features, "
				  "ARRAY(SELECT m.key FROM pg_catalog.jsonb_each_text(join_key_map) m ORDER BY m.key), "
				  "ARRAY(SELECT m.value FROM pg_catalog.jsonb_each_text(join_key_map) m ORDER BY m.key) "
				  "FROM feast.feature_service_projections "
				  "WHERE project OPERATOR(pg_catalog.=) $1 "
				  "AND feature_service OPERATOR(pg_catalog.=) $2 ORDER BY position",
				  2, args);
		MemoryContextSwitchTo(caller);
		nproj = (int) SPI_processed;
		views = palloc0(sizeof(char *) * (nproj + 1));
		aliases = palloc0(sizeof(char *) * (nproj + 1));
		feature_lists = palloc0(sizeof(char **) * (nproj + 1));
		nfeature_lists = palloc0(sizeof(int) * (nproj + 1));
		jkm_from = palloc0(sizeof(char **) * (nproj + 1));
		jkm_to = palloc0(sizeof(char **) * (nproj + 1));
		njkm = palloc0(sizeof(int) * (nproj + 1));
		for (int i = 0; i < nproj; i++)
		{
			int			nto;

			views[i] = SpiGetText(i, 1);
			aliases[i] = SpiGetText(i, 2);
			feature_lists[i] = SpiGetTextArray(i, 3, &nfeature_lists[i]);
			jkm_from[i] = SpiGetTextArray(i, 4, &njkm[i]);
			jkm_to[i] = SpiGetTextArray(i, 5, &nto);
			Assert(nto == njkm[i]);
		}
		SPI_finish();

		for (int i = 0; i < nproj; i++)
		{
			RegFeatureView *view = RegistryGetFeatureView(project, views[i]);
			const char *name_to_use = aliases[i] ? aliases[i] : views[i];
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
			for (int k = 0; k < njkm[i]; k++)
			{
				bool		found = false;

				for (int j = 0; j < view->nkeys; j++)
					if (strcmp(view->join_keys[j], jkm_from[i][k]) == 0)
					{
						req->key_columns[j] = jkm_to[i][k];
						found = true;
					}
				if (!found)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("join_key_map of feature service \"%s\" names \"%s\", which is not a join key of feature view \"%s\"",
									feature_service, jkm_from[i][k], view->name)));
			}

			if (feature_lists[i] == NULL)
			{
				for (int f = 0; f < view->nfeatures; f++)
					add_feature(req, &view->features[f]);
			}
			else
			{
				for (int f = 0; f < nfeature_lists[i]; f++)
					add_feature(req, find_feature(view, feature_lists[i][f]));
			}
		}
		if (requests == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("feature service \"%s\" has no features", feature_service)));
	}

	check_collisions(requests, full_feature_names);
	return requests;
}

/*
 * RegSourceColumn maps a Feast-side name to the source column that holds it.
 */
const char *
RegSourceColumn(const RegSource *source, const char *feast_name)
{
	for (int i = 0; i < source->nmappings; i++)
		if (strcmp(source->map_to[i], feast_name) == 0)
			return source->map_from[i];
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

	if (source->is_query)
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

/*
 * RegistryLockProject takes the project's transaction-level advisory lock.
 */
void
RegistryLockProject(const char *project, bool exclusive)
{
	const char *args[1] = {project};

	SPI_connect();
	reg_query(exclusive ?
			  "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('offline_store project'), pg_catalog.hashtext($1))" :
			  "SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtext('offline_store project'), pg_catalog.hashtext($1))",
			  1, args);
	SPI_finish();
}

/*
 * RegistryLockMaterialization takes the lock that serialises
 * materializations of one view. With wait false it returns false instead of
 * waiting when another transaction holds it.
 */
bool
RegistryLockMaterialization(const char *project, const char *view, bool wait)
{
	char	   *key = psprintf("%s/%s", project, view);
	const char *args[1] = {key};
	bool		got = true;

	SPI_connect();
	if (wait)
		reg_query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('offline_store materialize'), pg_catalog.hashtext($1))",
				  1, args);
	else
	{
		reg_query("SELECT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('offline_store materialize'), pg_catalog.hashtext($1))",
				  1, args);
		got = (strcmp(SpiGetText(0, 1), "t") == 0);
	}
	SPI_finish();
	pfree(key);
	return got;
}

/*
 * RegistryGetDataSource loads a data source by name; a push source is
 * followed to its batch source, and its own name returned in *push_source
 * (NULL otherwise). Returns NULL when there is no data source of that
 * name.
 */
RegSource *
RegistryGetDataSource(const char *project, const char *name, char **push_source)
{
	MemoryContext caller = CurrentMemoryContext;
	const char *args[2] = {project, name};
	RegSource  *src = NULL;

	*push_source = NULL;
	SPI_connect();
	reg_query("SELECT 1 FROM feast.data_sources "
			  "WHERE project OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
			  2, args);
	if (SPI_processed > 0)
	{
		MemoryContextSwitchTo(caller);
		src = load_source(project, name, push_source);
	}
	SPI_finish();
	return src;
}

/* ----------------------------------------------------------------
 * Ownership
 * ----------------------------------------------------------------
 */

/* The owner of a project, InvalidOid if none; inside SPI. */
static Oid
owner_of(const char *project)
{
	const char *args[1] = {project};
	bool		isnull;
	Datum		d;

	reg_query("SELECT owner::pg_catalog.oid FROM feast.projects "
			  "WHERE name OPERATOR(pg_catalog.=) $1", 1, args);
	if (SPI_processed == 0)
		return InvalidOid;
	d = SpiGetDatum(0, 1, &isnull);
	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/* A role's name for messages; a dropped role shows as its OID. */
static char *
role_name(Oid roleid)
{
	char	   *name = GetUserNameFromId(roleid, true);

	return name ? name : psprintf("%u", roleid);
}

/*
 * RegistryProjectOwner returns the owner role of a project, InvalidOid when
 * there is no such project.
 */
Oid
RegistryProjectOwner(const char *project)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			owner;

	SPI_connect();
	owner = owner_of(project);
	SPI_finish();
	MemoryContextSwitchTo(caller);
	return owner;
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
 * project that does not exist yet will be the caller's. Inside SPI;
 * replaces SPI_tuptable.
 */
void
RegistryCheckQuerySource(const char *project, const char *source)
{
	Oid			owner = owner_of(project);
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
