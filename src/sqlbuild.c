/*-------------------------------------------------------------------------
 *
 * sqlbuild.c
 *		Turning user text into safe SQL.
 *
 * Arguments such as entity_df and rows are either a relation name or a
 * query. A name is resolved now and emitted schema-qualified and quoted; a
 * query must parse as exactly one SELECT (so nothing can follow it), and is
 * run inside SqlBeginReadOnly/SqlEndReadOnly, so that it cannot write even
 * through a volatile function or a data-modifying CTE.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/sqlbuild.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/namespace.h"
#include "nodes/parsenodes.h"
#include "lib/stringinfo.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

#include "sqlbuild.h"

/* Does the text start with keyword kw (case-insensitive, whole word)? */
static bool
starts_with_keyword(const char *p, const char *kw)
{
	size_t		n = strlen(kw);

	return pg_strncasecmp(p, kw, n) == 0 &&
		!(isalnum((unsigned char) p[n]) || p[n] == '_' || p[n] == '$');
}

bool
SqlTextIsQuery(const char *text)
{
	const char *p = text;

	/* skip white space, comments and opening parentheses */
	for (;;)
	{
		while (isspace((unsigned char) *p) || *p == '(')
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			const char *end = strstr(p + 2, "*/");

			p = end ? end + 2 : p + strlen(p);
			continue;
		}
		break;
	}
	return starts_with_keyword(p, "select") || starts_with_keyword(p, "with") ||
		starts_with_keyword(p, "values") || starts_with_keyword(p, "table");
}

char *
SqlRelationOrQuery(const char *text, const char *argname)
{
	if (text == NULL || text[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", argname),
				 errhint("Pass a table or view name, or a SELECT query.")));

	if (SqlTextIsQuery(text))
	{
		List	   *stmts = raw_parser(text, RAW_PARSE_DEFAULT);
		RawStmt    *raw;

		if (list_length(stmts) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a single query", argname),
					 errdetail("It contains %d statements.", list_length(stmts))));
		raw = linitial_node(RawStmt, stmts);
		if (!IsA(raw->stmt, SelectStmt) ||
			((SelectStmt *) raw->stmt)->intoClause != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a SELECT query", argname)));

		/*
		 * The statement without what follows it: a trailing semicolon would
		 * end the subquery early.
		 */
		return psprintf("(%.*s\n)",
						raw->stmt_len > 0 ? raw->stmt_len :
						(int) strlen(text + raw->stmt_location),
						text + raw->stmt_location);
	}
	else
	{
		char	   *copy = pstrdup(text);
		List	   *names;
		RangeVar   *rv;
		Oid			relid;

		/* a statement other than a query, or a malformed name */
		if (!SplitIdentifierString(copy, '.', &names) || names == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("%s is neither a relation name nor a SELECT query", argname),
					 errhint("Pass a table or view name (schema-qualified or not, double-quoted where needed), or a query that starts with SELECT, WITH, VALUES or TABLE.")));
		names = stringToQualifiedNameList(text);
		rv = makeRangeVarFromNameList(names);
		relid = RangeVarGetRelid(rv, AccessShareLock, true);

		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" does not exist", text),
					 errdetail("%s is neither an existing relation nor a SELECT query.", argname)));
		return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
										  get_rel_name(relid));
	}
}

void
SqlCheckNameLength(const char *text, const char *argname)
{
	const char *p = text;

	for (;;)
	{
		StringInfoData name;

		initStringInfo(&name);
		while (scanner_isspace(*p))
			p++;
		if (*p == '"')
		{
			for (p++; *p != '\0'; p++)
			{
				if (*p == '"')
				{
					if (p[1] != '"')
						break;
					p++;
				}
				appendStringInfoChar(&name, *p);
			}
			if (*p == '"')
				p++;
		}
		else
			while (*p != '\0' && *p != '.' && !scanner_isspace(*p))
				appendStringInfoChar(&name, *p++);
		if (name.len >= NAMEDATALEN)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("%s \"%s\" is too long", argname, text),
					 errdetail("The name \"%s\" is %d bytes long; a name is at most %d bytes, and names are never truncated.",
							   name.data, name.len, NAMEDATALEN - 1)));
		pfree(name.data);
		while (scanner_isspace(*p))
			p++;
		if (*p != '.')
			return;
		p++;
	}
}

char *
SqlStripQuery(const char *text)
{
	int			len = strlen(text);

	/*
	 * A trailing semicolon ends the statement, or is inside a -- comment
	 * that the caller's newline ends anyway (in a string or a block comment
	 * it would not be last), so dropping it never changes the query.
	 */
	for (;;)
	{
		while (len > 0 && scanner_isspace(text[len - 1]))
			len--;
		if (len == 0 || text[len - 1] != ';')
			break;
		len--;
	}
	return pnstrdup(text, len);
}

int
SqlBeginReadOnly(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("transaction_read_only", "on",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

void
SqlEndReadOnly(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}
