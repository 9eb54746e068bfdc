/*-------------------------------------------------------------------------
 *
 * apply_validate.c
 *		feast_apply's Phase 1: check the wanted repo as a whole, against
 *		itself and the database, before anything is planned or written.
 *
 * ApplyValidate runs the checks phase by phase: the project's values, the
 * sources, the feature views (source, entities, features, aggregations:
 * each one's column and an aggregate PostgreSQL resolves for its type and
 * the engine computes, pit_agg.c), the entities'
 * value types, the feature services, and the online tables' names.
 * References between objects (a view's source and entities, a service's
 * views and features, a push source's batch source) must resolve; every
 * column a source, entity or feature names must exist in the source's
 * relation or query, with a type compatible with its declared dtype or
 * value type; and the online tables' names must be usable. Table sources
 * are opened with AccessShareLock, held to the end of the transaction;
 * query sources are prepared, never run, and must not lock rows (they are
 * read in a read-only section). The first problem found is
 * raised, with the object's position in the document or a note that its
 * definition comes from the registry. Entities without a value type get
 * one inferred from their join key columns. An unknown name (a source, an
 * entity, a view, a feature, a column) is reported with the closest names
 * that exist (RegistryHintClosest).
 *
 * Copyright (c) 2026, the offline_store developers
 *
 * IDENTIFICATION
 *	  src/apply_validate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/regproc.h"

#include "apply.h"
#include "online_tables.h"
#include "pit_agg.h"
#include "registry.h"
#include "sqlbuild.h"

/* ----------------------------------------------------------------
 * Small helpers
 * ----------------------------------------------------------------
 */

/* "At line L, column C." or "" when the position is unknown. */
static char *
at_pos(RegPos pos)
{
	if (pos.line <= 0)
		return "";
	return psprintf("At line %d, column %d.", pos.line, pos.column);
}

/*
 * The error detail for an object: its position in the document, or a note
 * that its definition comes from the registry. extra, when not NULL, is a
 * sentence put first.
 */
static char *
where(bool from_doc, RegPos pos, const char *section, const char *extra)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (extra)
		appendStringInfoString(&buf, extra);
	if (from_doc && pos.line > 0)
		appendStringInfo(&buf, "%s%s", buf.len ? " " : "", at_pos(pos));
	else if (!from_doc)
		appendStringInfo(&buf, "%sThe definition in the registry is used because the document has no %s section.",
						 buf.len ? " " : "", section);
	return buf.data;
}

/* ----------------------------------------------------------------
 * Validation
 * ----------------------------------------------------------------
 */

/* Error context for calls into the parser and catalog on a source's behalf. */
static void
source_error_callback(void *arg)
{
	RegSource  *s = (RegSource *) arg;
	RegPos		pos = s->type == REG_SOURCE_QUERY ? s->query_pos : s->table_pos;

	if (s->from_doc && pos.line > 0)
		errcontext("data source \"%s\" at line %d, column %d",
				   s->name, pos.line, pos.column);
	else
		errcontext("data source \"%s\"", s->name);
}

/* Does a query lock rows anywhere in it (FOR UPDATE, FOR SHARE, ...)? */
static bool
query_locks_rows(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		if (((Query *) node)->rowMarks != NIL)
			return true;
		return query_tree_walker((Query *) node, query_locks_rows, context, 0);
	}
	return expression_tree_walker(node, query_locks_rows, context);
}

/* The source's columns: those of desc, but dropped ones. */
static void
source_set_columns(RegSource *s, TupleDesc desc)
{
	s->cols = palloc0(sizeof(RegColumn) * (desc->natts + 1));
	s->ncols = 0;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		s->cols[s->ncols].name = pstrdup(NameStr(att->attname));
		s->cols[s->ncols].typid = att->atttypid;
		s->cols[s->ncols].typmod = att->atttypmod;
		s->ncols++;
	}
}

/*
 * source_load_columns reads the columns of a table or query source: a
 * table through the catalog, a query by preparing it, as the subquery it
 * will be used as, without running it.
 */
static void
source_load_columns(RegSource *s)
{
	ErrorContextCallback errcb;

	if (s->loaded)
		return;

	errcb.callback = source_error_callback;
	errcb.arg = s;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (s->type == REG_SOURCE_TABLE)
	{
		List	   *names = stringToQualifiedNameList(s->table_name);
		RangeVar   *rv = makeRangeVarFromNameList(names);
		Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);
		Relation	rel;
		char		relkind;

		error_context_stack = errcb.previous;
		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" does not exist", s->table_name),
					 errdetail("%s", where(s->from_doc, s->table_pos, "sources",
										   psprintf("Data source \"%s\" reads it.", s->name)))));
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW &&
			relkind != RELKIND_MATVIEW && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table, view, materialized view or foreign table",
							s->table_name),
					 errdetail("%s", where(s->from_doc, s->table_pos, "sources",
										   psprintf("Data source \"%s\" reads it.", s->name)))));
		rel = relation_open(relid, NoLock);
		source_set_columns(s, RelationGetDescr(rel));
		relation_close(rel, NoLock);
	}
	else
	{
		char	   *sql;
		SPIPlanPtr	plan;
		List	   *sources;
		CachedPlanSource *ps;

		/*
		 * A trailing semicolon would end the subquery early: it is dropped,
		 * as in an entity_df query, and the query is stored without it.
		 */
		s->query = SqlStripQuery(s->query);
		sql = psprintf("SELECT * FROM (%s\n) AS q", s->query);
		plan = SPI_prepare(sql, 0, NULL);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		sources = SPI_plan_get_plan_sources(plan);
		error_context_stack = errcb.previous;
		if (list_length(sources) != 1 ||
			(ps = (CachedPlanSource *) linitial(sources))->resultDesc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("query of data source \"%s\" is not a single query returning rows",
							s->name),
					 errdetail("%s", where(s->from_doc, s->query_pos, "sources", NULL))));
		if (query_locks_rows((Node *) ps->query_list, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("query of data source \"%s\" locks rows", s->name),
					 errdetail("%s", where(s->from_doc, s->query_pos, "sources", NULL)),
					 errhint("Remove FOR UPDATE or FOR SHARE: sources are only read, in a read-only section.")));
		source_set_columns(s, ps->resultDesc);
		SPI_freeplan(plan);
	}
	s->loaded = true;
}

/* The names of a source's columns. */
static List *
source_column_names(const RegSource *s)
{
	List	   *names = NIL;

	for (int i = 0; i < s->ncols; i++)
		names = lappend(names, s->cols[i].name);
	return names;
}

/*
 * source_column finds the column behind a Feast-side name, or raises
 * undefined_column. what names the referrer for the detail.
 */
static RegColumn *
source_column(RegSource *s, const char *feast_name, const char *what,
			  bool from_doc, RegPos pos, const char *section)
{
	const char *colname = RegSourceColumn(s, feast_name);

	for (int i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, colname) == 0)
			return &s->cols[i];

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 s->type == REG_SOURCE_TABLE ?
			 errmsg("column \"%s\" of relation \"%s\" does not exist",
					colname, s->table_name) :
			 errmsg("column \"%s\" of the query of data source \"%s\" does not exist",
					colname, s->name),
			 errdetail("%s", where(from_doc, pos, section,
								   strcmp(colname, feast_name) != 0 ?
								   psprintf("%s, through the field_mapping of data source \"%s\" (\"%s\" is mapped from \"%s\").",
											what, s->name, feast_name, colname) :
								   psprintf("%s.", what))),
			 RegistryHintClosest(colname, source_column_names(s), NULL)));
	return NULL;				/* keep compiler quiet */
}

/*
 * dtype_matches: the declared Feast dtype can be read from a column of
 * type typid (domains are looked through). The table is in the README.
 */
static bool
dtype_matches(const char *dtype, Oid typid)
{
	Oid			base = getBaseType(typid);

	if (strncmp(dtype, "Array(", 6) == 0)
	{
		char	   *inner = pnstrdup(dtype + 6, strlen(dtype) - 7);
		Oid			elem = get_element_type(base);

		if (!OidIsValid(elem))
			return false;
		return dtype_matches(inner, elem);
	}
	if (strcmp(dtype, "Int32") == 0)
		return base == INT2OID || base == INT4OID;
	if (strcmp(dtype, "Int64") == 0)
		return base == INT2OID || base == INT4OID || base == INT8OID;
	if (strcmp(dtype, "Float32") == 0)
		return base == FLOAT4OID;
	if (strcmp(dtype, "Float64") == 0)
		return base == FLOAT8OID || base == FLOAT4OID || base == NUMERICOID;
	if (strcmp(dtype, "String") == 0)
		return base == TEXTOID || base == VARCHAROID || base == BPCHAROID ||
			base == NAMEOID || base == UUIDOID;
	if (strcmp(dtype, "Bytes") == 0)
		return base == BYTEAOID;
	if (strcmp(dtype, "Bool") == 0)
		return base == BOOLOID;
	if (strcmp(dtype, "UnixTimestamp") == 0)
		return base == TIMESTAMPTZOID || base == TIMESTAMPOID;
	return false;
}

/* The Feast dtype an entity value type corresponds to. */
static const char *
value_type_dtype(const char *vt)
{
	if (strcmp(vt, "INT32") == 0)
		return "Int32";
	if (strcmp(vt, "INT64") == 0)
		return "Int64";
	if (strcmp(vt, "FLOAT") == 0)
		return "Float32";
	if (strcmp(vt, "DOUBLE") == 0)
		return "Float64";
	if (strcmp(vt, "BYTES") == 0)
		return "Bytes";
	if (strcmp(vt, "BOOL") == 0)
		return "Bool";
	if (strcmp(vt, "UNIX_TIMESTAMP") == 0)
		return "UnixTimestamp";
	return "String";
}

/* The value type to infer for a join key column of type typid. */
static const char *
infer_value_type(Oid typid)
{
	Oid			base = getBaseType(typid);

	switch (base)
	{
		case INT2OID:
		case INT4OID:
			return "INT32";
		case INT8OID:
			return "INT64";
		case FLOAT4OID:
			return "FLOAT";
		case FLOAT8OID:
		case NUMERICOID:
			return "DOUBLE";
		case BYTEAOID:
			return "BYTES";
		case BOOLOID:
			return "BOOL";
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return "UNIX_TIMESTAMP";
		default:
			return "STRING";
	}
}

static bool
is_timestamp_type(Oid typid)
{
	Oid			base = getBaseType(typid);

	return base == TIMESTAMPOID || base == TIMESTAMPTZOID;
}

/* Checks of one table or query source. */
static void
validate_source_columns(RegSource *s)
{
	RegColumn  *c;

	source_load_columns(s);

	c = source_column(s, s->timestamp_field,
					  psprintf("It is the timestamp_field of data source \"%s\"", s->name),
					  s->from_doc, s->timestamp_pos, "sources");
	if (!is_timestamp_type(c->typid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("timestamp_field \"%s\" of data source \"%s\" has type %s",
						s->timestamp_field, s->name, format_type_be(c->typid)),
				 errdetail("%s", where(s->from_doc, s->timestamp_pos, "sources",
									   "It must be timestamp with time zone or timestamp without time zone.")),
				 errhint("Map a timestamp column with field_mapping, or cast the column in a query source.")));
	if (s->created_timestamp_column)
	{
		c = source_column(s, s->created_timestamp_column,
						  psprintf("It is the created_timestamp_column of data source \"%s\"", s->name),
						  s->from_doc, s->created_pos, "sources");
		if (!is_timestamp_type(c->typid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("created_timestamp_column \"%s\" of data source \"%s\" has type %s",
							s->created_timestamp_column, s->name, format_type_be(c->typid)),
					 errdetail("%s", where(s->from_doc, s->created_pos, "sources",
										   "It must be timestamp with time zone or timestamp without time zone."))));
	}
	if (s->date_partition_column)
	{
		bool		found = false;

		for (int i = 0; i < s->ncols; i++)
			if (strcmp(s->cols[i].name, s->date_partition_column) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 s->type == REG_SOURCE_TABLE ?
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							s->date_partition_column, s->table_name) :
					 errmsg("column \"%s\" of the query of data source \"%s\" does not exist",
							s->date_partition_column, s->name),
					 errdetail("%s", where(s->from_doc, s->date_partition_pos, "sources",
										   psprintf("The date_partition_column of data source \"%s\" names it.", s->name))),
					 RegistryHintClosest(s->date_partition_column,
										 source_column_names(s), NULL)));
	}
}

static bool
is_reserved_column(const char *name)
{
	return strcmp(name, "event_timestamp") == 0 ||
		strcmp(name, "created_timestamp") == 0;
}


/* ----------------------------------------------------------------
 * The phases of validation, in order
 * ----------------------------------------------------------------
 */

/* The project: feature_store.yaml's values. */
static void
validate_project(const RegProject *project)
{
	int			eksv = project->entity_key_serialization_version;

	if (eksv < 1 || eksv > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for key \"entity_key_serialization_version\": %d",
						eksv),
				 errhint("Valid values are 1, 2 and 3.")));
	if (project->online_schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for key \"db_schema\": \"\""),
				 project->online_schema_pos.line > 0 ?
				 errdetail("%s", at_pos(project->online_schema_pos)) : 0));

	/*
	 * Online tables are user data: not in a system schema, which pg_dump
	 * skips (pg_catalog, pg_toast, information_schema), nor in the
	 * registry's schema, whose names belong to the extension and its
	 * future update scripts.
	 */
	if (strncmp(project->online_schema, "pg_", 3) == 0 ||
		strcmp(project->online_schema, "information_schema") == 0 ||
		strcmp(project->online_schema, "feast") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("online store schema \"%s\" is reserved",
						project->online_schema),
				 project->online_schema_pos.line > 0 ?
				 errdetail("%s", at_pos(project->online_schema_pos)) : 0,
				 errhint("Online tables go in a schema of their own, such as feast_online.")));
}

/* The table and query sources that can be a push source's batch source. */
static List *
batch_source_names(List *sources)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, sources)
	{
		RegSource  *b = lfirst(lc);

		if (b->type != REG_SOURCE_PUSH)
			names = lappend(names, b->name);
	}
	return names;
}

/* A push source: its batch source must be a table or query source. */
static void
validate_push_source(RegRepo *want, RegSource *s)
{
	RegSource  *b;

	if (s->batch_source == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("push source \"%s\" has no batch_source", s->name),
				 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL))));
	b = RegListFind(want->sources, s->batch_source);
	if (b == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("data source \"%s\" references undefined batch source \"%s\"",
						s->name, s->batch_source),
				 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources", NULL)),
				 RegistryHintClosest(s->batch_source,
									 batch_source_names(want->sources), NULL)));
	if (b->type == REG_SOURCE_PUSH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("push source \"%s\" cannot use push source \"%s\" as its batch source",
						s->name, b->name),
				 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources",
									   "The batch source must be a table or query source."))));
	if (s->timestamp_field || s->created_timestamp_column || s->table_name || s->query)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("push source \"%s\" cannot have a table, query, timestamp_field or created_timestamp_column",
						s->name),
				 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL)),
				 errhint("Set them on its batch source \"%s\".", b->name)));
}

/* A table or query source: its columns, read from the database. */
static void
validate_batch_source(const RegProject *project, RegSource *s)
{
	if (s->timestamp_field == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("data source \"%s\" has no timestamp_field", s->name),
				 errdetail("%s", where(s->from_doc, s->pos, "sources", NULL))));
	if (s->batch_source)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("data source \"%s\" is not a push source and cannot have a batch_source",
						s->name),
				 errdetail("%s", where(s->from_doc, s->batch_source_pos, "sources", NULL))));
	/* planning runs immutable functions: the owner's SQL, its rights */
	if (s->type == REG_SOURCE_QUERY)
		RegistryCheckQuerySource(project->name, s->name);
	validate_source_columns(s);
}

/* Phase: every source. */
static void
validate_sources(RegRepo *want)
{
	ListCell   *lc;

	foreach(lc, want->sources)
	{
		RegSource  *s = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (s->type == REG_SOURCE_PUSH)
			validate_push_source(want, s);
		else
			validate_batch_source(want->project, s);
	}
}

/* A view's source: resolved to the table or query source rows come from. */
static void
resolve_view_source(RegRepo *want, RegFeatureView *v)
{
	RegSource  *s = RegListFind(want->sources, v->source_name);

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("feature view \"%s\" references undefined data source \"%s\"",
						v->name, v->source_name),
				 errdetail("%s", where(v->from_doc, v->source_pos, "feature_views", NULL)),
				 RegistryHintClosest(v->source_name, RegListNames(want->sources), NULL)));
	v->push_source = NULL;
	if (s->type == REG_SOURCE_PUSH)
	{
		v->push_source = s->name;
		s = RegListFind(want->sources, s->batch_source);
	}
	v->source = s;
}

/* A view's entities: defined, distinct, with join keys in its source. */
static void
validate_view_entities(RegRepo *want, RegFeatureView *v)
{
	RegSource  *s = v->source;

	v->join_keys = palloc0(sizeof(char *) * (v->nkeys + 1));
	v->value_types = palloc0(sizeof(char *) * (v->nkeys + 1));
	v->keycols = palloc0(sizeof(RegColumn *) * (v->nkeys + 1));
	for (int i = 0; i < v->nkeys; i++)
	{
		RegEntity  *e = RegListFind(want->entities, v->entities[i]);

		if (e == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("feature view \"%s\" references undefined entity \"%s\"",
							v->name, v->entities[i]),
					 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL)),
					 RegistryHintClosest(v->entities[i], RegListNames(want->entities), NULL)));
		for (int j = 0; j < i; j++)
		{
			if (strcmp(v->entities[j], v->entities[i]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("feature view \"%s\" lists entity \"%s\" twice",
								v->name, v->entities[i]),
						 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL))));
			if (strcmp(v->join_keys[j], e->join_key) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("entities \"%s\" and \"%s\" of feature view \"%s\" have the same join key \"%s\"",
								v->entities[j], e->name, v->name, e->join_key),
						 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views", NULL))));
		}
		if (is_reserved_column(e->join_key))
			ereport(ERROR,
					(errcode(ERRCODE_RESERVED_NAME),
					 errmsg("join key \"%s\" of entity \"%s\" is a reserved column name",
							e->join_key, e->name),
					 errdetail("%s", where(v->from_doc, v->entity_pos[i], "feature_views",
										   "Online tables have columns event_timestamp and created_timestamp of their own."))));
		v->join_keys[i] = e->join_key;
		v->keycols[i] = source_column(s, e->join_key,
									  psprintf("It is the join key \"%s\" of entity \"%s\" in feature view \"%s\", whose data source is \"%s\"",
											   e->join_key, e->name, v->name, s->name),
									  v->from_doc, v->entity_pos[i], "feature_views");
	}
}

/* A view's features: names free, columns in its source, dtypes that fit. */
static void
validate_view_features(RegFeatureView *v)
{
	RegSource  *s = v->source;

	for (int j = 0; j < v->nfeatures; j++)
	{
		RegFeature *f = &v->features[j];

		for (int i = 0; i < v->nkeys; i++)
		{
			if (strcmp(v->join_keys[i], f->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("feature \"%s\" of feature view \"%s\" has the name of a join key",
								f->name, v->name),
						 errdetail("%s", where(v->from_doc, f->pos, "feature_views",
											   psprintf("Entity \"%s\" of the view has join key \"%s\".",
														v->entities[i], v->join_keys[i])))));
		}
		if (is_reserved_column(f->name) ||
			(v->nkeys == 0 && strcmp(f->name, OFS_DUMMY_ID_COLUMN) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_RESERVED_NAME),
					 errmsg("feature name \"%s\" of feature view \"%s\" is reserved",
							f->name, v->name),
					 errdetail("%s", where(v->from_doc, f->pos, "feature_views",
										   "Online tables have columns event_timestamp and created_timestamp of their own."))));
		f->col = source_column(s, f->name,
							   psprintf("It is feature \"%s\" of feature view \"%s\", whose data source is \"%s\"", f->name, v->name, s->name),
							   v->from_doc, f->pos, "feature_views");
		if (!dtype_matches(f->dtype, f->col->typid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 s->type == REG_SOURCE_TABLE ?
					 errmsg("feature \"%s\" of feature view \"%s\" is declared %s but column \"%s\" of relation \"%s\" has type %s",
							f->name, v->name, f->dtype, f->col->name,
							s->table_name, format_type_be(f->col->typid)) :
					 errmsg("feature \"%s\" of feature view \"%s\" is declared %s but column \"%s\" of the query of data source \"%s\" has type %s",
							f->name, v->name, f->dtype, f->col->name,
							s->name, format_type_be(f->col->typid)),
					 errdetail("%s", where(v->from_doc, f->dtype_pos, "feature_views", NULL)),
					 errhint("Declare the dtype that matches the column type, or cast the column in a query source.")));
	}
}

/*
 * A view's aggregations: names free (the document's parser has checked
 * them against each other and the schema; a definition from the registry
 * is checked again), columns in its source, and an aggregate that computes
 * each one as SQL would (pit_agg.c), whose result type its online table
 * column gets.
 */
static void
validate_view_aggregations(RegFeatureView *v)
{
	RegSource  *s = v->source;

	for (int j = 0; j < v->naggregations; j++)
	{
		RegAggregation *a = &v->aggregations[j];
		const char *sqlname = RegAggregationSqlName(a->function);
		PitAggFunc	fn;

		for (int i = 0; i < v->nkeys; i++)
			if (strcmp(v->join_keys[i], a->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("aggregation \"%s\" of feature view \"%s\" has the name of a join key",
								a->name, v->name),
						 errdetail("%s", where(v->from_doc, a->pos, "feature_views",
											   psprintf("Entity \"%s\" of the view has join key \"%s\".",
														v->entities[i], v->join_keys[i]))),
						 errhint("Give the aggregation another name with key \"name\".")));
		for (int i = 0; i < v->nfeatures; i++)
			if (strcmp(v->features[i].name, a->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("aggregation \"%s\" of feature view \"%s\" has the name of a feature of its schema",
								a->name, v->name),
						 errdetail("%s", where(v->from_doc, a->pos, "feature_views", NULL))));
		if (is_reserved_column(a->name) ||
			(v->nkeys == 0 && strcmp(a->name, OFS_DUMMY_ID_COLUMN) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_RESERVED_NAME),
					 errmsg("feature name \"%s\" of feature view \"%s\" is reserved",
							a->name, v->name),
					 errdetail("%s", where(v->from_doc, a->pos, "feature_views",
										   "Online tables have columns event_timestamp and created_timestamp of their own."))));
		if (sqlname == NULL)	/* the registry's CHECK allows no other */
			elog(ERROR, "unknown aggregation function \"%s\"", a->function);
		a->col = source_column(s, a->column,
							   psprintf("It is the column of aggregation \"%s\" of feature view \"%s\", whose data source is \"%s\"",
										a->name, v->name, s->name),
							   v->from_doc, a->column_pos, "feature_views");
		if (!PitAggLookup(sqlname, a->col->typid, &fn))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 s->type == REG_SOURCE_TABLE ?
					 errmsg("aggregation \"%s\" of feature view \"%s\" cannot compute %s of column \"%s\" of relation \"%s\", of type %s",
							a->name, v->name, a->function, a->col->name,
							s->table_name, format_type_be(a->col->typid)) :
					 errmsg("aggregation \"%s\" of feature view \"%s\" cannot compute %s of column \"%s\" of the query of data source \"%s\", of type %s",
							a->name, v->name, a->function, a->col->name,
							s->name, format_type_be(a->col->typid)),
					 errdetail("%s", where(v->from_doc, a->function_pos, "feature_views", NULL)),
					 errhint("sum and mean take numbers and intervals, stddev numbers, count any column, min and max a column whose type has an order (numbers, text, dates and times).")));
		a->result_type = fn.result_type;
	}
}

/* Phase: every feature view. */
static void
validate_views(RegRepo *want)
{
	ListCell   *lc;

	foreach(lc, want->views)
	{
		RegFeatureView *v = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		resolve_view_source(want, v);
		validate_view_entities(want, v);
		validate_view_features(v);
		validate_view_aggregations(v);
	}
}

/*
 * Phase: entities. Infer missing value types from the first view that
 * uses the entity (STRING when none does), then check every join key
 * column against its entity's value type.
 */
static void
validate_entity_types(RegRepo *want)
{
	ListCell   *lc;

	foreach(lc, want->entities)
	{
		RegEntity  *e = lfirst(lc);
		ListCell   *vc;

		if (e->value_type == NULL)
		{
			foreach(vc, want->views)
			{
				RegFeatureView *v = lfirst(vc);

				for (int i = 0; i < v->nkeys && e->value_type == NULL; i++)
					if (strcmp(v->entities[i], e->name) == 0)
						e->value_type = pstrdup(infer_value_type(v->keycols[i]->typid));
				if (e->value_type)
					break;
			}
			if (e->value_type == NULL)
				e->value_type = pstrdup("STRING");
		}
		if (!OidIsValid(OnlineValueTypeOid(e->value_type)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value type \"%s\" of entity \"%s\"",
							e->value_type, e->name)));
	}
	foreach(lc, want->views)
	{
		RegFeatureView *v = lfirst(lc);

		for (int i = 0; i < v->nkeys; i++)
		{
			RegEntity  *e = RegListFind(want->entities, v->entities[i]);
			RegColumn  *c = v->keycols[i];

			v->value_types[i] = e->value_type;
			if (!dtype_matches(value_type_dtype(e->value_type), c->typid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 v->source->type == REG_SOURCE_TABLE ?
						 errmsg("entity \"%s\" has value type %s but join key column \"%s\" of relation \"%s\" has type %s",
								e->name, e->value_type, c->name,
								v->source->table_name, format_type_be(c->typid)) :
						 errmsg("entity \"%s\" has value type %s but join key column \"%s\" of the query of data source \"%s\" has type %s",
								e->name, e->value_type, c->name,
								v->source->name, format_type_be(c->typid)),
						 errdetail("%s", v->from_doc ?
								   where(true, v->entity_pos[i], "feature_views",
										 psprintf("Feature view \"%s\" uses the entity.", v->name)) :
								   where(e->from_doc, e->value_type_pos, "entities",
										 psprintf("Feature view \"%s\" uses the entity.", v->name)))));
		}
	}
}

/* The join keys of a view. */
static List *
view_join_keys(const RegFeatureView *v)
{
	List	   *names = NIL;

	for (int i = 0; i < v->nkeys; i++)
		names = lappend(names, v->join_keys[i]);
	return names;
}

/* One projection of a feature service. */
static void
validate_projection(RegRepo *want, RegFeatureService *svc, RegProjection *pr)
{
	RegFeatureView *v = RegListFind(want->views, pr->feature_view);

	if (v == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("feature service \"%s\" references undefined feature view \"%s\"",
						svc->name, pr->feature_view),
				 errdetail("%s", where(svc->from_doc, pr->feature_view_pos, "feature_services", NULL)),
				 RegistryHintClosest(pr->feature_view, RegListNames(want->views), NULL)));
	/* a feature of the view's schema or of its aggregations */
	for (int k = 0; k < pr->nfeatures; k++)
		if (RegViewFeature(v, pr->features[k]) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("feature service \"%s\" references undefined feature \"%s\" of feature view \"%s\"",
							svc->name, pr->features[k], v->name),
					 errdetail("%s", where(svc->from_doc, pr->feature_pos[k], "feature_services", NULL)),
					 RegistryHintClosest(pr->features[k], RegViewFeatureNames(v), NULL)));
	for (int k = 0; k < pr->join_key_map.n; k++)
	{
		bool		found = false;

		for (int i = 0; i < v->nkeys; i++)
			if (strcmp(v->join_keys[i], pr->join_key_map.keys[k]) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("join_key_map of feature service \"%s\" maps \"%s\", which is not a join key of feature view \"%s\"",
							svc->name, pr->join_key_map.keys[k], v->name),
					 errdetail("%s", where(svc->from_doc,
										   pr->join_key_map.keypos[k].line > 0 ?
										   pr->join_key_map.keypos[k] : pr->pos,
										   "feature_services", NULL)),
					 RegistryHintClosest(pr->join_key_map.keys[k], view_join_keys(v), NULL)));
	}
}

/* Phase: every feature service. */
static void
validate_services(RegRepo *want)
{
	ListCell   *lc;

	foreach(lc, want->services)
	{
		RegFeatureService *svc = lfirst(lc);

		for (int j = 0; j < svc->nprojections; j++)
			validate_projection(want, svc, &svc->projections[j]);
	}
}

/* Phase: the online tables' names fit and are ours to use. */
static void
validate_online_tables(RegRepo *want)
{
	RegProject *project = want->project;
	ListCell   *lc;

	foreach(lc, want->views)
	{
		RegFeatureView *v = lfirst(lc);
		OnlineTableSpec spec = {0};

		if (!v->online)
			continue;
		spec.project = project->name;
		spec.view = v->name;
		spec.schema_name = project->online_schema;
		spec.table_name = OnlineTableName(project->name, v->name);
		OnlineTableCheck(&spec,
						 v->from_doc && v->pos.line > 0 ? at_pos(v->pos) : NULL);
	}
}

/*
 * ApplyValidate checks the wanted repo as a whole, phase by phase; it
 * raises the first error found, naming the object and its position. It
 * resolves every view (source, join keys, value types, columns) and infers
 * the entities' missing value types.
 */
void
ApplyValidate(RegRepo *want)
{
	validate_project(want->project);
	validate_sources(want);
	validate_views(want);
	validate_entity_types(want);
	validate_services(want);
	validate_online_tables(want);
}
