/*-------------------------------------------------------------------------
 *
 * keymatch.c
 *		Join key equality as SQL resolves it.
 *
 * A join key matches as entity_key = source_key would in SQL (SEMANTICS.md,
 * "Clarifications"): with the equality operator PostgreSQL resolves for the
 * two columns' types and the collation it resolves for them, never by
 * casting one column to the other's type (a cast rounds numeric 1.5 to 2,
 * reads char(5) as char(1), cuts name at 63 bytes, and fails for int8
 * values beyond int4). The resolution is the parser's own: make_op on two
 * Vars of the columns' types, typmods and collations, then
 * assign_expr_collations. The implicit conversions make_op adds (int4 to
 * numeric for numeric = numeric, char(n) to text for text = text) are what
 * SQL evaluates too; KeyMatchConvert writes them out for the reads.
 *
 * The operator is looked up without the caller's search_path, so that an
 * operator planted in a schema on the path is never used: the type's
 * default equality when both columns have the same base type (a domain
 * compares as its base type, as in SQL), else OPERATOR(pg_catalog.=), else
 * the "=" of the schema of either type.
 *
 * The engine (pit_join.c) groups entity rows and probes them with source
 * rows by hashing: a hash operator family that holds the operator gives
 * compatible hash functions for both input types (equal values hash alike,
 * as a hash join relies on) and the left type's own equality for grouping
 * entity rows. Without one (date = timestamptz, say), a btree operator
 * family that holds it gives comparison functions, equal exactly when the
 * operator says so, to sort entity keys and search them (as a merge join
 * relies on); without either, the engine compares through the operator.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/keymatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "catalog/namespace.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_oper.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "compat.h"
#include "keymatch.h"

static bool is_int_type(Oid typid);
static Oid	type_namespace(Oid typid);
static Oid	operator_namespace(Oid opno);
static const char *collation_name(Oid collid);
static List *operator_name(Oid nspid);
static void find_hash_support(KeyMatch *km);
static bool side_converted(Node *arg, Oid *type, int32 *typmod);
static const char *convert_hint(const KeyMatchSide *right);
static void no_operator_error(const KeyMatchSide *left,
							  const KeyMatchSide *right) pg_attribute_noreturn();
static void collation_error(const KeyMatchSide *left,
							const KeyMatchSide *right) pg_attribute_noreturn();

/* int2, int4 and int8, passed by value: compared as int64. */
static bool
is_int_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID ||
		(typid == INT8OID && FLOAT8PASSBYVAL);
}

static Oid
type_namespace(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Oid			result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	result = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return result;
}

static Oid
operator_namespace(Oid opno)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Oid			result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	result = ((Form_pg_operator) GETSTRUCT(tup))->oprnamespace;
	ReleaseSysCache(tup);
	return result;
}

static const char *
collation_name(Oid collid)
{
	char	   *name = OidIsValid(collid) ? get_collation_name(collid) : NULL;

	return name ? name : "none";
}

/* The qualified operator name schema."=". */
static List *
operator_name(Oid nspid)
{
	return list_make2(makeString(get_namespace_name(nspid)), makeString("="));
}

/*
 * Does the comparison convert this side (arg, the operator's argument built
 * over the side's Var)? A relabeling is no conversion: the value is used
 * as it is. *type and *typmod receive the input type of the operator.
 */
static bool
side_converted(Node *arg, Oid *type, int32 *typmod)
{
	Node	   *n = arg;

	*type = exprType(arg);
	*typmod = exprTypmod(arg);
	while (IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	return !IsA(n, Var);
}

/*
 * Find a hash operator family holding km->opno and its support, and a btree
 * operator family holding it and its comparison functions.
 */
static void
find_hash_support(KeyMatch *km)
{
	CatCList   *catlist = SearchSysCacheList1(AMOPOPID, ObjectIdGetDatum(km->opno));

	km->hashable = false;
	km->sortable = false;
	for (int i = 0; i < catlist->n_members && !km->sortable; i++)
	{
		Form_pg_amop aform = (Form_pg_amop) GETSTRUCT(&catlist->members[i]->tuple);
		Oid			lcmp;
		Oid			lrcmp;

		if (aform->amopmethod != BTREE_AM_OID ||
			aform->amopstrategy != BTEqualStrategyNumber)
			continue;
		lcmp = get_opfamily_proc(aform->amopfamily, aform->amoplefttype,
								 aform->amoplefttype, BTORDER_PROC);
		lrcmp = get_opfamily_proc(aform->amopfamily, aform->amoplefttype,
								  aform->amoprighttype, BTORDER_PROC);
		if (OidIsValid(lcmp) && OidIsValid(lrcmp))
		{
			km->sortable = true;
			km->lcmp = lcmp;
			km->lrcmp = lrcmp;
		}
	}
	for (int i = 0; i < catlist->n_members && !km->hashable; i++)
	{
		Form_pg_amop aform = (Form_pg_amop) GETSTRUCT(&catlist->members[i]->tuple);
		Oid			lhash;
		Oid			rhash;
		Oid			leq;

		if (aform->amopmethod != HASH_AM_OID ||
			aform->amopstrategy != HTEqualStrategyNumber)
			continue;
		lhash = get_opfamily_proc(aform->amopfamily, aform->amoplefttype,
								  aform->amoplefttype, HASHSTANDARD_PROC);
		rhash = get_opfamily_proc(aform->amopfamily, aform->amoprighttype,
								  aform->amoprighttype, HASHSTANDARD_PROC);
		leq = get_opfamily_member(aform->amopfamily, aform->amoplefttype,
								  aform->amoplefttype, HTEqualStrategyNumber);
		if (OidIsValid(lhash) && OidIsValid(rhash) && OidIsValid(leq))
		{
			km->hashable = true;
			km->lhash = lhash;
			km->rhash = rhash;
			km->leq = get_opcode(leq);
		}
	}
	ReleaseSysCacheList(catlist);
}

/* How to make two keys comparable, by where the right side is. */
static const char *
convert_hint(const KeyMatchSide *right)
{
	if (right->kind == KEYMATCH_ONLINE)
		return _("Convert the entity_df column in an entity_df query.");
	return _("Convert one of the two columns in a query: the entity_df, or a query data source.");
}

/* No equality operator between left and right (one message per pair). */
static void
no_operator_error(const KeyMatchSide *left, const KeyMatchSide *right)
{
	const char *ltype = format_type_be(left->type);
	const char *rtype = format_type_be(right->type);

	if (left->kind == KEYMATCH_ENTITY_DF && right->kind == KEYMATCH_SOURCE)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("entity_df column \"%s\" of type %s cannot be compared with join key column \"%s\" of data source \"%s\" of type %s",
						left->column, ltype, right->column, right->object, rtype),
				 errdetail("There is no equality operator between the two types."),
				 errhint("%s", convert_hint(right))));
	else if (left->kind == KEYMATCH_ENTITYLESS && right->kind == KEYMATCH_SOURCE)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("join key \"%s\" of the entity-less retrieval of type %s cannot be compared with join key column \"%s\" of data source \"%s\" of type %s",
						left->column, ltype, right->column, right->object, rtype),
				 errdetail("There is no equality operator between the two types."),
				 errhint("%s", convert_hint(right))));
	else if (left->kind == KEYMATCH_ENTITY_DF && right->kind == KEYMATCH_ONLINE)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("entity_df column \"%s\" of type %s cannot be compared with key column \"%s\" of online table %s of type %s",
						left->column, ltype, right->column, right->object, rtype),
				 errdetail("There is no equality operator between the two types."),
				 errhint("%s", convert_hint(right))));
	elog(ERROR, "no equality operator between key sides of kinds %d and %d",
		 (int) left->kind, (int) right->kind);
}

/* Two different implicit collations (one message per pair). */
static void
collation_error(const KeyMatchSide *left, const KeyMatchSide *right)
{
	const char *lcoll = collation_name(left->collation);
	const char *rcoll = collation_name(right->collation);

	if (left->kind == KEYMATCH_ENTITY_DF && right->kind == KEYMATCH_SOURCE)
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to compare entity_df column \"%s\" with join key column \"%s\" of data source \"%s\"",
						left->column, right->column, right->object),
				 errdetail("They have the collations \"%s\" and \"%s\".", lcoll, rcoll),
				 errhint("%s", convert_hint(right))));
	else if (left->kind == KEYMATCH_ENTITYLESS && right->kind == KEYMATCH_SOURCE)
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to compare join key \"%s\" of the entity-less retrieval with join key column \"%s\" of data source \"%s\"",
						left->column, right->column, right->object),
				 errdetail("They have the collations \"%s\" and \"%s\".", lcoll, rcoll),
				 errhint("%s", convert_hint(right))));
	else if (left->kind == KEYMATCH_ENTITY_DF && right->kind == KEYMATCH_ONLINE)
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to compare entity_df column \"%s\" with key column \"%s\" of online table %s",
						left->column, right->column, right->object),
				 errdetail("They have the collations \"%s\" and \"%s\".", lcoll, rcoll),
				 errhint("%s", convert_hint(right))));
	elog(ERROR, "indeterminate collation between key sides of kinds %d and %d",
		 (int) left->kind, (int) right->kind);
}

void
KeyMatchResolve(KeyMatch *km, const KeyMatchSide *left,
				const KeyMatchSide *right)
{
	ParseState *pstate = make_parsestate(NULL);
	Var		   *lvar = makeVar(1, 1, left->type, left->typmod, left->collation, 0);
	Var		   *rvar = makeVar(2, 1, right->type, right->typmod, right->collation, 0);
	Oid			lbase = getBaseType(left->type);
	Oid			rbase = getBaseType(right->type);
	OpExpr	   *op = NULL;
	AclResult	aclresult;

	memset(km, 0, sizeof(KeyMatch));
	if (lbase == rbase)
	{
		TypeCacheEntry *tce = lookup_type_cache(lbase, TYPECACHE_EQ_OPR);

		if (OidIsValid(tce->eq_opr))
			op = (OpExpr *) make_opclause(tce->eq_opr, BOOLOID, false,
										  (Expr *) lvar, (Expr *) rvar,
										  InvalidOid, InvalidOid);
	}
	if (op == NULL)
	{
		Oid			schemas[3] = {PG_CATALOG_NAMESPACE,
			type_namespace(left->type), type_namespace(right->type)};

		for (int i = 0; i < 3 && op == NULL; i++)
		{
			Operator	tup;

			if (i > 0 && (schemas[i] == PG_CATALOG_NAMESPACE ||
						  (i == 2 && schemas[2] == schemas[1])))
				continue;
			tup = oper(pstate, operator_name(schemas[i]), left->type, right->type,
					   true, -1);
			if (tup == NULL)
				continue;
			ReleaseSysCache(tup);
			op = (OpExpr *) make_op(pstate, operator_name(schemas[i]),
									(Node *) copyObject(lvar),
									(Node *) copyObject(rvar),
									pstate->p_last_srf, -1);
		}
	}
	if (op == NULL || !IsA(op, OpExpr) || op->opresulttype != BOOLOID || op->opretset)
		no_operator_error(left, right);
	assign_expr_collations(pstate, (Node *) op);
	free_parsestate(pstate);

	km->opno = op->opno;
	km->opfunc = get_opcode(op->opno);

	/* the executor checks this for an operator in a query; so do we */
	aclresult = compat_proc_aclcheck(km->opfunc, GetUserId(), ACL_EXECUTE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(km->opfunc));
	km->collation = op->inputcollid;
	km->lconvert = side_converted(linitial(op->args), &km->ltype, &km->ltypmod);
	km->rconvert = side_converted(lsecond(op->args), &km->rtype, &km->rtypmod);
	if (!OidIsValid(km->collation) &&
		(type_is_collatable(km->ltype) || type_is_collatable(km->rtype)))
		collation_error(left, right);
	km->fast_int = is_int_type(lbase) && is_int_type(rbase) &&
		!km->lconvert && !km->rconvert;
	find_hash_support(km);
}

char *
KeyMatchConvert(const KeyMatch *km, bool left, const char *expr)
{
	if (!(left ? km->lconvert : km->rconvert))
		return pstrdup(expr);
	return psprintf("CAST(%s AS %s)", expr,
					format_type_extended(left ? km->ltype : km->rtype,
										 left ? km->ltypmod : km->rtypmod,
										 FORMAT_TYPE_TYPEMOD_GIVEN |
										 FORMAT_TYPE_FORCE_QUALIFY));
}

char *
KeyMatchOperator(const KeyMatch *km)
{
	return psprintf("OPERATOR(%s.=)",
					quote_identifier(get_namespace_name(operator_namespace(km->opno))));
}
