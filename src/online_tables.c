/*-------------------------------------------------------------------------
 *
 * online_tables.c
 *		Online tables: created, altered and dropped by feast_apply.
 *
 * Every online feature view has one plain table, <db_schema>.<project>_<view>:
 * its join keys (typed by the entities' value types) as primary key, one
 * column per feature (typed as the source column), event_timestamp and
 * created_timestamp. An entity-less view has a one-row table keyed by
 * __dummy_id = ''.
 *
 * feast.online_tables records the tables offline_store created. Only those
 * are ever altered or dropped: a relation of the same name that is not
 * recorded (for this very view) is an error, never adopted, and a name
 * longer than NAMEDATALEN - 1 bytes is an error, never truncated.
 *
 * All of this runs inside feast_apply's transaction, through SPI, after
 * apply has validated the whole document: an error rolls the DDL back with
 * everything else. Identifiers are quoted, values are $n parameters.
 *
 * IDENTIFICATION
 *	  src/online_tables.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "online_tables.h"
#include "spi_util.h"

static bool ot_lookup_record(const char *project, const char *view,
							 char **schema_name, char **table_name);
static Oid	ot_relid(const char *schema_name, const char *table_name);
static void ot_create(const OnlineTableSpec *spec);
static void ot_drop_relation(const char *schema_name, const char *table_name);
static void ot_delete_view_rows(const char *registry_table, const char *project,
								const char *view);
static void ot_insert_record(const OnlineTableSpec *spec);
static const char *ot_type_sql(Oid typid, int32 typmod);

/*
 * OnlineTableName returns <project>_<view>, or NULL when it does not fit in
 * an identifier.
 */
char *
OnlineTableName(const char *project, const char *view)
{
	char	   *name = psprintf("%s_%s", project, view);

	if (strlen(name) > NAMEDATALEN - 1)
		return NULL;
	return name;
}

/*
 * OnlineValueTypeOid maps an entity value type to the SQL type of its key
 * column in online tables.
 */
Oid
OnlineValueTypeOid(const char *value_type)
{
	if (value_type == NULL)
		return InvalidOid;
	if (strcmp(value_type, "INT32") == 0)
		return INT4OID;
	if (strcmp(value_type, "INT64") == 0)
		return INT8OID;
	if (strcmp(value_type, "FLOAT") == 0)
		return FLOAT4OID;
	if (strcmp(value_type, "DOUBLE") == 0)
		return FLOAT8OID;
	if (strcmp(value_type, "STRING") == 0)
		return TEXTOID;
	if (strcmp(value_type, "BYTES") == 0)
		return BYTEAOID;
	if (strcmp(value_type, "BOOL") == 0)
		return BOOLOID;
	if (strcmp(value_type, "UNIX_TIMESTAMP") == 0)
		return TIMESTAMPTZOID;
	return InvalidOid;
}

/*
 * OnlineTableCheck errors when the online table of spec cannot be created
 * or kept under its name.
 */
void
OnlineTableCheck(const OnlineTableSpec *spec, const char *detail)
{
	char	   *rec_project = NULL;
	char	   *rec_view = NULL;
	Oid			relid;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	if (strlen(spec->schema_name) > NAMEDATALEN - 1)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("online store schema name \"%s\" is too long",
						spec->schema_name),
				 errdetail("Names are limited to %d bytes.%s%s",
						   NAMEDATALEN - 1, detail ? " " : "",
						   detail ? detail : "")));
	if (spec->table_name == NULL ||
		strlen(spec->table_name) > NAMEDATALEN - 1)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("online table name for feature view \"%s\" of project \"%s\" is too long",
						spec->view, spec->project),
				 errdetail("The online table is named <project>_<view>, which must not be longer than %d bytes; it is never truncated.%s%s",
						   NAMEDATALEN - 1, detail ? " " : "",
						   detail ? detail : ""),
				 errhint("Use a shorter feature view or project name.")));

	relid = ot_relid(spec->schema_name, spec->table_name);
	if (!OidIsValid(relid))
		return;

	values[0] = CStringGetTextDatum(spec->schema_name);
	values[1] = CStringGetTextDatum(spec->table_name);
	SpiExec("SELECT project, feature_view FROM feast.online_tables "
			"WHERE schema_name OPERATOR(pg_catalog.=) $1 "
			"AND table_name OPERATOR(pg_catalog.=) $2",
			2, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		rec_project = SPI_getvalue(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 1);
		rec_view = SPI_getvalue(SPI_tuptable->vals[0],
								SPI_tuptable->tupdesc, 2);
	}
	if (rec_project != NULL && strcmp(rec_project, spec->project) == 0 &&
		strcmp(rec_view, spec->view) == 0)
		return;

	if (rec_project != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s.%s\" already exists",
						spec->schema_name, spec->table_name),
				 errdetail("It is the online table of feature view \"%s\" of project \"%s\", so it cannot be the online table of feature view \"%s\" of project \"%s\".%s%s",
						   rec_view, rec_project, spec->view, spec->project,
						   detail ? " " : "", detail ? detail : ""),
				 errhint("Rename one of the feature views.")));
	ereport(ERROR,
			(errcode(ERRCODE_DUPLICATE_TABLE),
			 errmsg("relation \"%s.%s\" already exists",
					spec->schema_name, spec->table_name),
			 errdetail("It would be the online table of feature view \"%s\" of project \"%s\", but offline_store did not create it.%s%s",
					   spec->view, spec->project,
					   detail ? " " : "", detail ? detail : ""),
			 errhint("Drop or rename the relation, or set online: false on the feature view.")));
}

/*
 * OnlineTableSync creates, alters or recreates the online table of spec.
 */
bool
OnlineTableSync(const OnlineTableSpec *spec)
{
	char	   *rec_schema;
	char	   *rec_table;
	Oid			relid;
	Relation	rel;
	TupleDesc	desc;
	Oid			pkindex;
	bool		recreate = false;
	bool		*feature_seen;
	List	   *drops = NIL;
	List	   *adds = NIL;
	ListCell   *lc;

	if (!ot_lookup_record(spec->project, spec->view, &rec_schema, &rec_table))
	{
		ot_create(spec);
		ot_insert_record(spec);
		ot_delete_view_rows("feast.materialization_intervals", spec->project, spec->view);
		return true;
	}

	/* Renamed (db_schema or names changed): start afresh. */
	if (strcmp(rec_schema, spec->schema_name) != 0 ||
		strcmp(rec_table, spec->table_name) != 0)
	{
		ot_drop_relation(rec_schema, rec_table);
		ot_delete_view_rows("feast.online_tables", spec->project, spec->view);
		ot_create(spec);
		ot_insert_record(spec);
		ot_delete_view_rows("feast.materialization_intervals", spec->project, spec->view);
		return true;
	}

	relid = ot_relid(spec->schema_name, spec->table_name);
	if (!OidIsValid(relid))
	{
		/* dropped behind our back: the materialized data went with it */
		ot_create(spec);
		ot_delete_view_rows("feast.materialization_intervals", spec->project, spec->view);
		return true;
	}

	rel = relation_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	feature_seen = palloc0(sizeof(bool) * (spec->nfeatures + 1));

	/* The primary key must be the join keys, in order, with their types. */
	pkindex = RelationGetPrimaryKeyIndex(rel);
	if (rel->rd_rel->relkind != RELKIND_RELATION || !OidIsValid(pkindex))
		recreate = true;
	else
	{
		HeapTuple	itup = SearchSysCache1(INDEXRELID,
										   ObjectIdGetDatum(pkindex));
		Form_pg_index index;
		int			nkeys = spec->nkeys > 0 ? spec->nkeys : 1;

		if (!HeapTupleIsValid(itup))
			elog(ERROR, "cache lookup failed for index %u", pkindex);
		index = (Form_pg_index) GETSTRUCT(itup);
		if (index->indnkeyatts != nkeys)
			recreate = true;
		for (int i = 0; !recreate && i < nkeys; i++)
		{
			AttrNumber	attnum = index->indkey.values[i];
			Form_pg_attribute att;
			const char *want_name;
			Oid			want_type;
			int32		want_typmod;

			if (attnum <= 0)
			{
				recreate = true;
				break;
			}
			att = TupleDescAttr(desc, attnum - 1);
			if (spec->nkeys > 0)
			{
				want_name = spec->keys[i].name;
				want_type = spec->keys[i].typid;
				want_typmod = spec->keys[i].typmod;
			}
			else
			{
				want_name = OFS_DUMMY_ID_COLUMN;
				want_type = TEXTOID;
				want_typmod = -1;
			}
			if (strcmp(NameStr(att->attname), want_name) != 0 ||
				att->atttypid != want_type || att->atttypmod != want_typmod)
				recreate = true;
		}
		ReleaseSysCache(itup);
	}

	/* The other columns: timestamps, then features. */
	for (int a = 0; !recreate && a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		const char *attname = NameStr(att->attname);
		bool		is_key = false;
		bool		found = false;

		if (att->attisdropped)
			continue;
		if (spec->nkeys == 0)
			is_key = strcmp(attname, OFS_DUMMY_ID_COLUMN) == 0;
		for (int k = 0; k < spec->nkeys; k++)
			if (strcmp(attname, spec->keys[k].name) == 0)
				is_key = true;
		if (is_key)
			continue;
		if (strcmp(attname, "event_timestamp") == 0 ||
			strcmp(attname, "created_timestamp") == 0)
		{
			if (att->atttypid != TIMESTAMPTZOID)
				recreate = true;
			continue;
		}
		for (int f = 0; f < spec->nfeatures; f++)
		{
			if (strcmp(attname, spec->features[f].name) != 0)
				continue;
			found = true;
			feature_seen[f] = true;
			if (att->atttypid != spec->features[f].typid ||
				att->atttypmod != spec->features[f].typmod)
				recreate = true;
		}
		if (!found)
			drops = lappend(drops, pstrdup(attname));
	}
	for (int f = 0; !recreate && f < spec->nfeatures; f++)
		if (!feature_seen[f])
			adds = lappend_int(adds, f);
	relation_close(rel, AccessShareLock);

	if (recreate)
	{
		ot_drop_relation(spec->schema_name, spec->table_name);
		ot_create(spec);
		ot_delete_view_rows("feast.materialization_intervals", spec->project, spec->view);
		return true;
	}
	if (drops == NIL && adds == NIL)
		return false;

	{
		StringInfoData sql;
		bool		first = true;

		initStringInfo(&sql);
		appendStringInfo(&sql, "ALTER TABLE %s",
						 quote_qualified_identifier(spec->schema_name,
													spec->table_name));
		foreach(lc, drops)
		{
			appendStringInfo(&sql, "%s DROP COLUMN %s", first ? "" : ",",
							 quote_identifier((char *) lfirst(lc)));
			first = false;
		}
		foreach(lc, adds)
		{
			const OnlineColumn *col = &spec->features[lfirst_int(lc)];

			appendStringInfo(&sql, "%s ADD COLUMN %s %s", first ? "" : ",",
							 quote_identifier(col->name),
							 ot_type_sql(col->typid, col->typmod));
			first = false;
		}
		SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
	return true;
}

/*
 * OnlineTableDrop drops the recorded online table of a view, if any.
 */
bool
OnlineTableDrop(const char *project, const char *view)
{
	char	   *rec_schema;
	char	   *rec_table;

	if (!ot_lookup_record(project, view, &rec_schema, &rec_table))
		return false;
	ot_drop_relation(rec_schema, rec_table);
	ot_delete_view_rows("feast.online_tables", project, view);
	ot_delete_view_rows("feast.materialization_intervals", project, view);
	return true;
}

/*
 * OnlineTableQualifiedName returns the quoted, schema-qualified name of the
 * online table of a view, palloc'd in the caller's memory context.
 */
char *
OnlineTableQualifiedName(const char *project, const char *view)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *rec_schema;
	char	   *rec_table;
	char	   *result = NULL;
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	if (ot_lookup_record(project, view, &rec_schema, &rec_table))
	{
		MemoryContext old = MemoryContextSwitchTo(caller);

		result = pstrdup(quote_qualified_identifier(rec_schema, rec_table));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("feature view \"%s\" of project \"%s\" has no online table",
						view, project),
				 errhint("Set online: true on the feature view and run feast_apply.")));
	return result;
}

/* The recorded online table of a view; false when there is none. */
static bool
ot_lookup_record(const char *project, const char *view,
				 char **schema_name, char **table_name)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	SpiExec("SELECT schema_name, table_name FROM feast.online_tables "
			"WHERE project OPERATOR(pg_catalog.=) $1 "
			"AND feature_view OPERATOR(pg_catalog.=) $2",
			2, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	*schema_name = SPI_getvalue(SPI_tuptable->vals[0],
								SPI_tuptable->tupdesc, 1);
	*table_name = SPI_getvalue(SPI_tuptable->vals[0],
							   SPI_tuptable->tupdesc, 2);
	return true;
}

/* The relation schema_name.table_name, InvalidOid when there is none. */
static Oid
ot_relid(const char *schema_name, const char *table_name)
{
	Oid			nsp = get_namespace_oid(schema_name, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(table_name, nsp);
}

/* A type as SQL text, qualified so that the search_path cannot matter. */
static const char *
ot_type_sql(Oid typid, int32 typmod)
{
	return format_type_extended(typid, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN |
								FORMAT_TYPE_FORCE_QUALIFY);
}

/* CREATE SCHEMA when missing, then CREATE TABLE. */
static void
ot_create(const OnlineTableSpec *spec)
{
	StringInfoData sql;

	initStringInfo(&sql);
	if (!OidIsValid(get_namespace_oid(spec->schema_name, true)))
	{
		appendStringInfo(&sql, "CREATE SCHEMA %s",
						 quote_identifier(spec->schema_name));
		SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
		resetStringInfo(&sql);
	}

	appendStringInfo(&sql, "CREATE TABLE %s (",
					 quote_qualified_identifier(spec->schema_name,
												spec->table_name));
	if (spec->nkeys == 0)
		appendStringInfo(&sql,
						 "%s pg_catalog.text NOT NULL DEFAULT '' "
						 "CHECK (%s OPERATOR(pg_catalog.=) ''), ",
						 quote_identifier(OFS_DUMMY_ID_COLUMN),
						 quote_identifier(OFS_DUMMY_ID_COLUMN));
	for (int k = 0; k < spec->nkeys; k++)
		appendStringInfo(&sql, "%s %s NOT NULL, ",
						 quote_identifier(spec->keys[k].name),
						 ot_type_sql(spec->keys[k].typid,
									 spec->keys[k].typmod));
	for (int f = 0; f < spec->nfeatures; f++)
		appendStringInfo(&sql, "%s %s, ",
						 quote_identifier(spec->features[f].name),
						 ot_type_sql(spec->features[f].typid,
									 spec->features[f].typmod));
	appendStringInfoString(&sql,
						   "event_timestamp pg_catalog.timestamptz NOT NULL, "
						   "created_timestamp pg_catalog.timestamptz, "
						   "PRIMARY KEY (");
	if (spec->nkeys == 0)
		appendStringInfoString(&sql, quote_identifier(OFS_DUMMY_ID_COLUMN));
	for (int k = 0; k < spec->nkeys; k++)
		appendStringInfo(&sql, "%s%s", k > 0 ? ", " : "",
						 quote_identifier(spec->keys[k].name));
	appendStringInfoString(&sql, "))");
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);

	resetStringInfo(&sql);
	appendStringInfo(&sql, "COMMENT ON TABLE %s IS %s",
					 quote_qualified_identifier(spec->schema_name,
												spec->table_name),
					 quote_literal_cstr(psprintf("offline_store online table of feature view \"%s\" of project \"%s\"",
												 spec->view, spec->project)));
	SpiExec(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/* DROP TABLE schema_name.table_name, when it exists. */
static void
ot_drop_relation(const char *schema_name, const char *table_name)
{
	char	   *sql;

	if (!OidIsValid(ot_relid(schema_name, table_name)))
		return;
	sql = psprintf("DROP TABLE %s",
				   quote_qualified_identifier(schema_name, table_name));
	SpiExec(sql, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * ot_delete_view_rows deletes a view's rows from a registry table (a
 * constant name): its online table record, or its materialization
 * intervals once the materialized data is gone.
 */
static void
ot_delete_view_rows(const char *registry_table, const char *project,
					const char *view)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(view);
	SpiExec(psprintf("DELETE FROM %s "
			"WHERE project OPERATOR(pg_catalog.=) $1 "
			"AND feature_view OPERATOR(pg_catalog.=) $2", registry_table),
			2, argtypes, values, NULL, SPI_OK_DELETE);
}

static void
ot_insert_record(const OnlineTableSpec *spec)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];

	values[0] = CStringGetTextDatum(spec->project);
	values[1] = CStringGetTextDatum(spec->view);
	values[2] = CStringGetTextDatum(spec->schema_name);
	values[3] = CStringGetTextDatum(spec->table_name);
	SpiExec("INSERT INTO feast.online_tables "
			"(project, feature_view, schema_name, table_name) "
			"VALUES ($1, $2, $3, $4)",
			4, argtypes, values, NULL, SPI_OK_INSERT);
}
