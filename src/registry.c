/*-------------------------------------------------------------------------
 *
 * registry.c
 *		Module entry points and helpers shared by every area.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/itup.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "parser/parse_relation.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "registry.h"

#ifndef REGISTRY_VERSION
#define REGISTRY_VERSION "unknown"
#endif

#if PG_VERSION_NUM >= 180000
PG_MODULE_MAGIC_EXT(.name = "registry",.version = REGISTRY_VERSION);
#else
PG_MODULE_MAGIC;
#endif

void
registry_check_project_id(const char *what, const char *s, int len)
{
	int			i;

	if (len <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	if (len > REGISTRY_PROJECT_ID_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long", what),
				 errdetail("It is %d bytes; the limit is %d bytes.",
						   len, REGISTRY_PROJECT_ID_MAX)));
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain control characters", what),
					 errdetail("Byte %d is 0x%02x.", i + 1, c)));
	}
}

bool
registry_valid_id(const char *s, int len)
{
	int			i;

	if (len <= 0 || len > REGISTRY_PROJECT_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

void
registry_check_project_text(const char *what, text *t)
{
	registry_check_project_id(what, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/*
 * registry.version() -> text: the version of the loaded shared library, so a
 * mismatch between the installed SQL objects and the module can be spotted.
 */
PG_FUNCTION_INFO_V1(registry_version);
Datum
registry_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(REGISTRY_VERSION));
}

/*
 * registry.valid_project_id(text) -> boolean: the tenancy-key rule, used by
 * CHECK constraints; the wrappers raise 22023 through check_project_id.
 */
PG_FUNCTION_INFO_V1(registry_valid_project_id);
Datum
registry_valid_project_id(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(registry_valid_id(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/*
 * registry.check_project_id(text) -> text: returns its argument, or raises
 * 22023 explaining what is wrong with it.
 */
PG_FUNCTION_INFO_V1(registry_check_project_id_sql);
Datum
registry_check_project_id_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	registry_check_project_text("project_id", t);
	PG_RETURN_TEXT_P(t);
}

SPIPlanPtr
registry_prepare_kept(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL)
		REGISTRY_SPI_FAILED(sql, SPI_result);
	if (SPI_keepplan(plan) != 0)
		REGISTRY_SPI_FAILED("SPI_keepplan", SPI_ERROR_ARGUMENT);
	return plan;
}

void
registry_free_plans(SPIPlanPtr *plans, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (plans[i] != NULL)
			SPI_freeplan(plans[i]);
		plans[i] = NULL;
	}
}

Oid
registry_relid(const char *relname)
{
	Oid			nsp = get_namespace_oid("registry", true);

	return OidIsValid(nsp) ? get_relname_relid(relname, nsp) : InvalidOid;
}

/*
 * registry_relid, kept per backend: the OID is forgotten when that relation's
 * cache entry is invalidated (DROP, rename, ALTER) or the whole relation
 * cache is reset, and looked up again at the next call.  relname must be a
 * string that lives as long as the backend (a literal).
 */
#define RELID_SLOTS 8

typedef struct RelidSlot
{
	const char *relname;
	Oid			relid;
} RelidSlot;

static RelidSlot relid_slots[RELID_SLOTS];
static int	relid_nslots = 0;
static bool relid_callback_set = false;

static void
RelidRelcacheCallback(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < relid_nslots; i++)
		if (!OidIsValid(relid) || relid_slots[i].relid == relid)
			relid_slots[i].relid = InvalidOid;
}

Oid
registry_relid_cached(const char *relname)
{
	int			i;

	if (!relid_callback_set)
	{
		CacheRegisterRelcacheCallback(RelidRelcacheCallback, (Datum) 0);
		relid_callback_set = true;
	}
	for (i = 0; i < relid_nslots; i++)
		if (strcmp(relid_slots[i].relname, relname) == 0)
			break;
	if (i == relid_nslots)
	{
		if (relid_nslots == RELID_SLOTS)
			return registry_relid(relname);
		relid_slots[i].relname = relname;
		relid_slots[i].relid = InvalidOid;
		relid_nslots++;
	}
	if (!OidIsValid(relid_slots[i].relid))
		relid_slots[i].relid = registry_relid(relname);
	return relid_slots[i].relid;
}

void
registry_check_materialize(ReturnSetInfo *rsinfo)
{
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
}

/*
 * Kept plans that follow their table's growth.
 *
 * A kept generic plan is made once, with the table's size at that moment,
 * and PostgreSQL plans it again only when something invalidates it (DDL,
 * ANALYZE).  Made while the table is nearly empty, every index that starts
 * with project_id looks equally cheap, and the plan may pick one that
 * matches only that column: each call then reads every row of the project.
 * A session that registers thousands of versions into a new registry in
 * one transaction (no ANALYZE can run meanwhile) got slower with every
 * call.  So the plans of a set are dropped, to be prepared again, whenever
 * the watched table has doubled since they were made, and a last time when
 * it reaches REPLAN_BLOCKS, large enough that the estimates tell the indexes
 * apart.
 *
 * PostgreSQL's own cached plans have the same weakness: a foreign-key check
 * planned while registry.blobs had a few rows scans it whole (a sequential
 * scan beats an index on three pages), and the session keeps that plan until
 * an ANALYZE of the table invalidates it.  So at the same moments the tables
 * named in set->invalidate get a relation-cache invalidation, which makes
 * every cached plan over them (ours, the foreign-key checks', PL/pgSQL's) be
 * planned again on its next use, here and, after commit, in other sessions.
 */
#define REPLAN_BLOCKS 1024

SPIPlanPtr
registry_plan(RegistryPlanSet *set, int id)
{
	const RegistryPlanDef *def = &set->defs[id];

	if (set->plans[id] == NULL)
		set->plans[id] = registry_prepare_kept(def->sql, def->nargs,
											   (Oid *) def->types,
											   CURSOR_OPT_GENERIC_PLAN);
	return set->plans[id];
}

/*
 * A statement that asks for one end of an index range ("the highest seq of
 * this component": ORDER BY seq DESC LIMIT 1 over the unique index that ends
 * in seq) is answered by one index entry, whatever the component's size,
 * only if PostgreSQL plans it as the index scan.  With statistics that
 * predate the component (a new component filled in one transaction, or a
 * file left large by rolled-back rows), it estimates one row and may choose
 * a bitmap scan and a sort instead, which read the whole component at every
 * call.  Such statements are marked index_order and run with enable_sort off
 * (for this statement only, like a function's SET clause), so that every
 * plan PostgreSQL makes of them, now or after an invalidation, takes the
 * index's order.  They contain no other sort.
 */
int
registry_execute(RegistryPlanSet *set, int id, Datum *values,
				 const char *nulls, bool read_only, long count)
{
	SPIPlanPtr	plan = registry_plan(set, id);
	int			nest;
	int			rc;

	if (!set->defs[id].index_order)
		return SPI_execute_plan(plan, values, nulls, read_only, count);
	nest = NewGUCNestLevel();
	(void) set_config_option("enable_sort", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_plan(plan, values, nulls, read_only, count);
	/* on an error, the (sub)transaction's abort restores it */
	AtEOXact_GUC(true, nest);
	return rc;
}

void
registry_plans_reset(RegistryPlanSet *set)
{
	registry_free_plans(set->plans, set->nplans);
}

void
registry_plans_follow_growth(RegistryPlanSet *set)
{
	Oid			relid;
	Relation	rel;
	BlockNumber nblocks;
	int			i;

	if (set->planned && set->planned_at >= REPLAN_BLOCKS)
		return;
	relid = registry_relid(set->watch);
	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return;					/* the statements will report it */
	rel = table_open(relid, AccessShareLock);
	nblocks = RelationGetNumberOfBlocks(rel);
	table_close(rel, NoLock);
	if (!set->planned)
	{
		set->planned = true;
		set->planned_at = nblocks;
		return;
	}
	/* doubled, or reached REPLAN_BLOCKS: the last time */
	if (nblocks < 2 * set->planned_at + 8 && nblocks < REPLAN_BLOCKS)
		return;
	registry_plans_reset(set);
	set->planned_at = nblocks;
	for (i = 0; set->invalidate != NULL && set->invalidate[i] != NULL; i++)
	{
		Oid			other = registry_relid(set->invalidate[i]);

		if (OidIsValid(other))
			CacheInvalidateRelcacheByRelid(other);
	}
}

bool
registry_same_layout(TupleDesc a, TupleDesc b)
{
	int			i;

	if (a->natts != b->natts)
		return false;
	for (i = 0; i < a->natts; i++)
	{
		Form_pg_attribute aa = TupleDescAttr(a, i);
		Form_pg_attribute ba = TupleDescAttr(b, i);

		if (aa->attisdropped || ba->attisdropped || aa->atttypid != ba->atttypid)
			return false;
	}
	return true;
}

Datum
registry_row_datum(HeapTuple tuple, TupleDesc rowdesc, TupleDesc rettupdesc,
				   MemoryContext callerctx, const char *relname)
{
	int			natts = rettupdesc->natts;
	Datum	   *values;
	bool	   *nulls;
	MemoryContext old;
	HeapTuple	result;
	int			i;

	old = MemoryContextSwitchTo(callerctx);
	if (rowdesc == rettupdesc || registry_same_layout(rowdesc, rettupdesc))
	{
		/* Same layout as the result type: copy the tuple whole. */
		Datum		d = heap_copy_tuple_as_datum(tuple, rettupdesc);

		MemoryContextSwitchTo(old);
		return d;
	}
	values = palloc(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(rettupdesc, i);
		int			fno;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (att->attisdropped)
			continue;
		fno = SPI_fnumber(rowdesc, NameStr(att->attname));
		if (fno <= 0)
			REGISTRY_ALTERED_TABLE(relname, NameStr(att->attname));
		values[i] = SPI_getbinval(tuple, rowdesc, fno, &nulls[i]);
	}
	result = heap_form_tuple(rettupdesc, values, nulls);
	MemoryContextSwitchTo(old);
	return HeapTupleGetDatum(result);
}

/*
 * int8's storage comes from the catalog: by value or not depends on the
 * build, and never changes while it runs, so one lookup per backend (the
 * CHECK of registry.versions asks on every row it checks).
 */
static void
Int8Storage(int16 *len, bool *byval, char *align)
{
	static int16 int8_len = 0;
	static bool int8_byval;
	static char int8_align;

	if (int8_len == 0)
		get_typlenbyvalalign(INT8OID, &int8_len, &int8_byval, &int8_align);
	*len = int8_len;
	*byval = int8_byval;
	*align = int8_align;
}

ArrayType *
registry_int8_array(const int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int16		len;
	bool		byval;
	char		align;
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	Int8Storage(&len, &byval, &align);
	return construct_array(d, n, INT8OID, len, byval, align);
}

/* arr[index] of a bigint[], as SQL's subscript gives it (NULL out of range or for another rank) */
Datum
registry_int8_subscript(ArrayType *arr, int index, bool *isnull)
{
	int16		len;
	bool		byval;
	char		align;

	Int8Storage(&len, &byval, &align);
	return array_get_element(PointerGetDatum(arr), 1, &index, -1, len, byval, align, isnull);
}

void
registry_int8_elements(ArrayType *arr, Datum **elems, bool **nulls, int *n)
{
	int16		len;
	bool		byval;
	char		align;

	Int8Storage(&len, &byval, &align);
	deconstruct_array(arr, INT8OID, len, byval, align, elems, nulls, n);
}

/*
 * The body of a statement-level trigger whose only work is a relcache
 * invalidation of its table, which every session's cache built from that
 * table listens for: the writing session takes it at its next command, the
 * others when the writer commits (and it is replayed on rollback).
 */
Datum
registry_invalidate_trigger(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a trigger", name)));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}

/*
 * BTMaxItemSize, whose page argument newer PostgreSQL releases dropped;
 * every release gives this value for a page of BLCKSZ.
 */
#define REGISTRY_BT_MAX_ITEM \
	(MAXALIGN_DOWN((BLCKSZ - \
					MAXALIGN(SizeOfPageHeaderData + 3 * sizeof(ItemIdData)) - \
					MAXALIGN(sizeof(BTPageOpaqueData))) / 3) - \
	 MAXALIGN(sizeof(ItemPointerData)))

void
registry_check_index_fit(const char *relname, int ncols, const char *const *colnames,
						 const Datum *values, const char *errmsg_text, const char *hint)
{
	Oid			relid;
	Relation	rel;
	TupleDesc	desc;
	Datum	   *row;
	bool	   *rownull;
	List	   *indexes;
	ListCell   *lc;
	Size		total = 0;
	int			i;

	for (i = 0; i < ncols; i++)
		total += toast_raw_datum_size(values[i]);
	if (total <= REGISTRY_ROW_ALWAYS_FITS)
		return;
	relid = registry_relid(relname);
	if (!OidIsValid(relid))
		return;					/* the INSERT reports it */

	rel = table_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	row = palloc0(sizeof(Datum) * desc->natts);
	rownull = palloc(sizeof(bool) * desc->natts);
	/* the row: variable-width columns not given are NULL, others zero */
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		rownull[i] = (att->attlen < 0);
		if (!att->attbyval && att->attlen > 0)
			row[i] = PointerGetDatum(palloc0(att->attlen));
	}
	for (i = 0; i < ncols; i++)
	{
		AttrNumber	attno = attnameAttNum(rel, colnames[i], false);

		if (attno <= 0 || attno > desc->natts)
			REGISTRY_ALTERED_TABLE(relname, colnames[i]);
		row[attno - 1] = values[i];
		rownull[attno - 1] = false;
	}

	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation	ind = index_open(lfirst_oid(lc), AccessShareLock);
		Datum		ivalues[INDEX_MAX_KEYS];
		bool		inulls[INDEX_MAX_KEYS];
		bool		plain = (ind->rd_rel->relam == BTREE_AM_OID);
		IndexTuple	itup;
		Size		size;

		for (i = 0; plain && i < ind->rd_index->indnatts; i++)
		{
			AttrNumber	attno = ind->rd_index->indkey.values[i];

			if (attno <= 0 || attno > desc->natts)
				plain = false;	/* an expression: not ours */
			else
			{
				ivalues[i] = row[attno - 1];
				inulls[i] = rownull[attno - 1];
			}
		}
		if (!plain)
		{
			index_close(ind, AccessShareLock);
			continue;
		}
		itup = index_form_tuple(RelationGetDescr(ind), ivalues, inulls);
		size = MAXALIGN(IndexTupleSize(itup));
		if (size > REGISTRY_BT_MAX_ITEM)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg_internal("%s", errmsg_text),
					 errdetail("Its entry in index \"%s\" would take %zu bytes, even compressed; the limit is %zu bytes.",
							   RelationGetRelationName(ind), size, (Size) REGISTRY_BT_MAX_ITEM),
					 errhint("%s", hint)));
		pfree(itup);
		index_close(ind, AccessShareLock);
	}
	list_free(indexes);
	table_close(rel, AccessShareLock);
}
