/*-------------------------------------------------------------------------
 *
 * views_common.c
 *		What training views and feature service views share: recording
 *		them, creating them for the project's owner, dropping them by
 *		OID, and comparing their columns.
 *
 * The rows of feast.training_views and feast.feature_service_views are
 * written only by ViewRecord: the tables' row-level security policies let
 * an INSERT or UPDATE through only while views_recording is set
 * (feast.views_recording()), which ViewRecord does around its one
 * statement and nowhere else. A row thus always names a view offline_store
 * created, and only those views are ever replaced or dropped.
 *
 * Everything runs in the caller's transaction, through SPI, as the caller:
 * identifiers are quoted, values are $n parameters.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/views_common.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "compat.h"
#include "spi_util.h"
#include "views.h"

/* True only while ViewRecord runs its statement. */
static bool views_recording = false;

/* SQL-callable functions */
PG_FUNCTION_INFO_V1(ofs_views_recording);

/*
 * feast.views_recording() returns true only while offline_store writes a
 * row of feast.training_views or feast.feature_service_views: the
 * row-level security policies of those tables call it.
 */
Datum
ofs_views_recording(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(views_recording);
}

/* ViewRecord runs one recording statement with the flag set. */
void
ViewRecord(const char *sql, int nargs, Oid *types, Datum *values,
		   const char *nulls, int expected)
{
	PG_TRY();
	{
		views_recording = true;
		SpiExec(sql, nargs, types, values, nulls, expected);
	}
	PG_FINALLY();
	{
		views_recording = false;
	}
	PG_END_TRY();
	if (SPI_processed != 1)
		elog(ERROR, "could not record a view");
}

/* ViewExists: whether relid is a view. */
bool
ViewExists(Oid relid)
{
	return OidIsValid(relid) && get_rel_relkind(relid) == RELKIND_VIEW;
}

/* ViewNameOf: the quoted, qualified name of a relation now. */
char *
ViewNameOf(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* ViewDrop: DROP VIEW through the OID, when it is still a view. */
void
ViewDrop(Oid relid)
{
	if (!ViewExists(relid))
		return;
	SpiExec(psprintf("DROP VIEW %s", ViewNameOf(relid)),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/* ViewColumns: the columns of a relation, copied. */
TupleDesc
ViewColumns(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = CreateTupleDescCopy(RelationGetDescr(rel));

	relation_close(rel, AccessShareLock);
	return desc;
}

/*
 * ViewCreate creates (or replaces) a view, gives a new one to the
 * project's owner, comments it, and returns its OID.
 */
Oid
ViewCreate(const char *name, const char *query, bool or_replace, Oid owner,
		   const char *project, const char *comment, char **column_comments,
		   const char *what)
{
	List	   *names = compat_qualified_name_list(name);
	RangeVar   *rv = makeRangeVarFromNameList(names);
	Oid			relid;
	Oid			nsp;
	TupleDesc	desc;

	SpiExec(psprintf("CREATE %sVIEW %s AS %s", or_replace ? "OR REPLACE " : "",
					 name, query),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
	relid = RangeVarGetRelid(rv, NoLock, false);
	nsp = get_rel_namespace(relid);

	/*
	 * The view belongs to the project's owner, so that every member of that
	 * role can replace and drop it later (the caller is a member, or a
	 * superuser: RegistryCheckProjectOwner).
	 */
	if (OidIsValid(owner) && get_rel_relkind(relid) == RELKIND_VIEW &&
		owner != GetUserId())
	{
		char	   *owner_name = GetUserNameFromId(owner, false);
		HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		Oid			cur_owner;

		if (!HeapTupleIsValid(tp))
			elog(ERROR, "cache lookup failed for relation %u", relid);
		cur_owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
		ReleaseSysCache(tp);
		if (cur_owner != owner)
		{
			if (!superuser() &&
				compat_namespace_aclcheck(nsp, owner, ACL_CREATE) != ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied for schema %s", get_namespace_name(nsp)),
						 errdetail("The %ss of project \"%s\" belong to its owner, role \"%s\", which may not create views in the schema.",
								   what, project, owner_name),
						 errhint("GRANT CREATE ON SCHEMA %s TO %s;",
								 quote_identifier(get_namespace_name(nsp)),
								 quote_identifier(owner_name))));
			SpiExec(psprintf("ALTER VIEW %s OWNER TO %s", name,
							 quote_identifier(owner_name)),
					0, NULL, NULL, NULL, SPI_OK_UTILITY);
		}
	}

	SpiExec(psprintf("COMMENT ON VIEW %s IS %s", name, quote_literal_cstr(comment)),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
	if (column_comments != NULL)
	{
		desc = ViewColumns(relid);
		for (int i = 0; i < desc->natts; i++)
		{
			if (column_comments[i] == NULL)
				continue;
			SpiExec(psprintf("COMMENT ON COLUMN %s.%s IS %s", name,
							 quote_identifier(NameStr(TupleDescAttr(desc, i)->attname)),
							 quote_literal_cstr(column_comments[i])),
					0, NULL, NULL, NULL, SPI_OK_UTILITY);
		}
	}
	return relid;
}

/* A column as "name type". */
static char *
column_text(Form_pg_attribute a, bool with_type)
{
	if (!with_type)
		return pstrdup(NameStr(a->attname));
	return psprintf("%s (%s)", NameStr(a->attname),
					format_type_with_typemod(a->atttypid, a->atttypmod));
}

/* The column of desc named name, or NULL. */
static Form_pg_attribute
find_column(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return a;
	}
	return NULL;
}

/* "a, b" from a List of strings */
static char *
join_names(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/* ViewColumnsDiff says what changes from old to new, or NULL. */
char *
ViewColumnsDiff(TupleDesc old, TupleDesc new)
{
	List	   *removed = NIL;
	List	   *added = NIL;
	List	   *items = NIL;
	char	  **old_order = palloc0(sizeof(char *) * (old->natts + 1));
	char	  **new_order = palloc0(sizeof(char *) * (new->natts + 1));
	int			nold = 0;
	int			nnew = 0;
	List	   *old_names = NIL;
	List	   *new_names = NIL;
	StringInfoData buf;
	ListCell   *lc;

	for (int i = 0; i < old->natts; i++)
	{
		Form_pg_attribute o = TupleDescAttr(old, i);
		Form_pg_attribute n;

		if (o->attisdropped)
			continue;
		n = find_column(new, NameStr(o->attname));
		if (n == NULL)
		{
			removed = lappend(removed, column_text(o, false));
			continue;
		}
		old_order[nold++] = NameStr(o->attname);
		if (n->atttypid != o->atttypid || n->atttypmod != o->atttypmod)
			items = lappend(items,
							psprintf("column %s: %s -> %s", NameStr(o->attname),
									 format_type_with_typemod(o->atttypid, o->atttypmod),
									 format_type_with_typemod(n->atttypid, n->atttypmod)));
	}
	for (int i = 0; i < new->natts; i++)
	{
		Form_pg_attribute n = TupleDescAttr(new, i);

		if (n->attisdropped)
			continue;
		if (find_column(old, NameStr(n->attname)) == NULL)
			added = lappend(added, column_text(n, true));
		else
			new_order[nnew++] = NameStr(n->attname);
	}
	if (added != NIL)
		items = lcons(psprintf("columns added: %s", join_names(added)), items);
	if (removed != NIL)
		items = lcons(psprintf("columns removed: %s", join_names(removed)), items);

	/* the columns both have, in another order */
	Assert(nold == nnew);
	for (int i = 0; i < nold && i < nnew; i++)
		if (strcmp(old_order[i], new_order[i]) != 0)
		{
			for (int j = 0; j < nold; j++)
				old_names = lappend(old_names, old_order[j]);
			for (int j = 0; j < nnew; j++)
				new_names = lappend(new_names, new_order[j]);
			items = lappend(items, psprintf("columns reordered: %s -> %s",
											join_names(old_names),
											join_names(new_names)));
			break;
		}
	if (items == NIL)
		return NULL;
	initStringInfo(&buf);
	foreach(lc, items)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? "; " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/* ViewColumnsExtend: whether new keeps old's columns first, as they are. */
bool
ViewColumnsExtend(TupleDesc old, TupleDesc new)
{
	if (new->natts < old->natts)
		return false;
	for (int i = 0; i < old->natts; i++)
	{
		Form_pg_attribute o = TupleDescAttr(old, i);
		Form_pg_attribute n = TupleDescAttr(new, i);

		if (o->attisdropped || n->attisdropped ||
			strcmp(NameStr(o->attname), NameStr(n->attname)) != 0 ||
			o->atttypid != n->atttypid || o->atttypmod != n->atttypmod)
			return false;
	}
	return true;
}
