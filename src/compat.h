/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every call whose form depends on the PostgreSQL major version, in
 *		one place (as Citus' pg_version_compat.h).
 *
 * The code calls the wrappers below, never the version-specific functions
 * themselves, so that a port to another major version changes this file
 * only. The wrappers are written for the API of PostgreSQL 15, the version
 * the extension is built and tested against; the branches for later
 * versions follow their release notes and are not built by CI.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_COMPAT_H
#define OFS_COMPAT_H

#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "executor/executor.h"
#include "nodes/plannodes.h"
#include "utils/acl.h"
#include "utils/regproc.h"

#if PG_VERSION_NUM < 150000
#error "offline_store requires PostgreSQL 15 or later"
#endif

/*
 * compat_check_plan_permissions does the executor's permission checks on
 * every relation of a plan (ExecutorCheckPerms_hook included), erroring
 * when one fails. PostgreSQL 16 moved the permissions out of the range
 * table (ExecCheckRTPerms became ExecCheckPermissions over permInfos).
 */
static inline void
compat_check_plan_permissions(PlannedStmt *stmt)
{
#if PG_VERSION_NUM >= 160000
	(void) ExecCheckPermissions(stmt->rtable, stmt->permInfos, true);
#else
	(void) ExecCheckRTPerms(stmt->rtable, true);
#endif
}

/*
 * compat_qualified_name_list splits a possibly qualified name into a list
 * of String nodes, erroring on a malformed one (PostgreSQL 16 added a soft
 * error context argument).
 */
static inline List *
compat_qualified_name_list(const char *string)
{
#if PG_VERSION_NUM >= 160000
	return stringToQualifiedNameList(string, NULL);
#else
	return stringToQualifiedNameList(string);
#endif
}

/*
 * compat_proc_aclcheck and compat_namespace_aclcheck: the per-class ACL
 * checks PostgreSQL 16 folded into object_aclcheck.
 */
static inline AclResult
compat_proc_aclcheck(Oid proc, Oid roleid, AclMode mode)
{
#if PG_VERSION_NUM >= 160000
	return object_aclcheck(ProcedureRelationId, proc, roleid, mode);
#else
	return pg_proc_aclcheck(proc, roleid, mode);
#endif
}

static inline AclResult
compat_namespace_aclcheck(Oid nsp, Oid roleid, AclMode mode)
{
#if PG_VERSION_NUM >= 160000
	return object_aclcheck(NamespaceRelationId, nsp, roleid, mode);
#else
	return pg_namespace_aclcheck(nsp, roleid, mode);
#endif
}

#endif							/* OFS_COMPAT_H */
