/*-------------------------------------------------------------------------
 *
 * keymatch.h
 *		Join key equality as SQL resolves it: the operator and collation of
 *		entity_key = source_key, and how to hash and compare through it.
 *
 * Copyright (c) 2026, offline_store developers
 *
 * IDENTIFICATION
 *	  src/keymatch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OFS_KEYMATCH_H
#define OFS_KEYMATCH_H

#include "access/attnum.h"

/* What a side of a key comparison is, for error messages. */
typedef enum KeyMatchSideKind
{
	KEYMATCH_ENTITY_DF,			/* an entity_df column */
	KEYMATCH_ENTITYLESS,		/* a key of an entity-less retrieval */
	KEYMATCH_SOURCE,			/* a join key column of a data source */
	KEYMATCH_ONLINE				/* a key column of an online table */
} KeyMatchSideKind;

/*
 * One side of a key comparison: a column's type, typmod and collation, and
 * what it is: kind, the column's name and the name of the data source or
 * online table it belongs to (object; NULL for the entity side).
 */
typedef struct KeyMatchSide
{
	Oid			type;
	int32		typmod;
	Oid			collation;
	KeyMatchSideKind kind;
	const char *column;
	const char *object;
} KeyMatchSide;

/*
 * The comparison left = right, left being the entity side. The operator
 * takes its inputs in types ltype and rtype; a side whose column is of
 * another type (beyond a binary-compatible relabeling such as a domain or
 * varchar read as text) is converted as SQL converts it implicitly
 * (lconvert / rconvert: KeyMatchConvert gives the expression).
 */
typedef struct KeyMatch
{
	Oid			opno;			/* the equality operator */
	Oid			opfunc;			/* its function: left value, right value */
	Oid			collation;		/* the input collation SQL resolves */
	Oid			ltype;			/* the operator's input types, after any */
	int32		ltypmod;		/* conversion */
	Oid			rtype;
	int32		rtypmod;
	bool		lconvert;		/* the left column must be converted */
	bool		rconvert;
	bool		fast_int;		/* both sides int2/int4/int8 (or domains
								 * over them): equal iff equal as int64 */
	bool		hashable;		/* a hash opfamily holds the operator: */
	Oid			lhash;			/* its hash function for left values */
	Oid			rhash;			/* and for right values (equal values hash
								 * alike) */
	Oid			leq;			/* its left = left function (groups of
								 * entity rows) */
	bool		sortable;		/* a btree opfamily holds the operator: */
	Oid			lcmp;			/* its left-left comparison function */
	Oid			lrcmp;			/* and its left-right one (0 iff equal) */
} KeyMatch;

/*
 * KeyMatchResolve fills *km for left = right (left an entity side: entity_df
 * or entity-less; right a data source or online table side). The operator
 * is the type's default equality when both sides have the same base type,
 * else the "=" that OPERATOR(pg_catalog.=) resolves for the two types, else
 * one from the schema of either type; never the caller's search_path. No
 * such operator (or one not returning boolean): ERRCODE_UNDEFINED_FUNCTION
 * naming both sides and types, with a hint on how to convert one. Two
 * different implicit collations: ERRCODE_INDETERMINATE_COLLATION. The
 * caller must be allowed to execute the operator's function.
 */
extern void KeyMatchResolve(KeyMatch *km, const KeyMatchSide *left,
							const KeyMatchSide *right);

/*
 * KeyMatchConvert returns expr (an SQL expression of the side's column)
 * converted as the comparison converts it: expr itself, or a CAST to the
 * operator's input type (the conversion SQL applies implicitly).
 */
extern char *KeyMatchConvert(const KeyMatch *km, bool left, const char *expr);

/* OPERATOR(schema.=) naming km's operator, for generated SQL. */
extern char *KeyMatchOperator(const KeyMatch *km);

#endif							/* OFS_KEYMATCH_H */
