/*-------------------------------------------------------------------------
 *
 * sqlbuild.h
 *		Turning user text into safe SQL: relation names, queries run
 *		read-only.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/sqlbuild.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_SQLBUILD_H
#define OFS_SQLBUILD_H

/*
 * SqlRelationOrQuery: text naming a table, view or materialized view
 * (schema-qualified or not), or a single SELECT / WITH / VALUES / TABLE
 * query. Returns a FROM item: the relation's schema-qualified quoted name,
 * or the query in parentheses. argname names the argument in errors.
 */
extern char *SqlRelationOrQuery(const char *text, const char *argname);

/*
 * SqlCheckNameLength errors (ERRCODE_NAME_TOO_LONG) when a component of the
 * qualified name text is longer than an identifier can be, where
 * PostgreSQL's own parsing of names would cut it. argname names the
 * argument in the error.
 */
extern void SqlCheckNameLength(const char *text, const char *argname);

/*
 * SqlStripQuery returns a query's text without trailing semicolons and
 * white space, to be used as a subquery.
 */
extern char *SqlStripQuery(const char *text);

/* True when text is a query rather than a relation name. */
extern bool SqlTextIsQuery(const char *text);

/*
 * SqlBeginReadOnly makes the transaction read-only until SqlEndReadOnly (or
 * the end of the transaction on error): user queries run in between cannot
 * write, not even through volatile functions. Returns the GUC nest level to
 * pass to SqlEndReadOnly.
 */
extern int	SqlBeginReadOnly(void);
extern void SqlEndReadOnly(int nestlevel);

#endif							/* OFS_SQLBUILD_H */
