/*-------------------------------------------------------------------------
 *
 * kv.c
 *		SQL-callable functions of the namespaced key/value store (seed 004).
 *
 * The layout rules live in kv_core.c; this file turns their statuses into
 * errors and runs the reads and writes on registry.kv through SPI plans
 * prepared once per backend.  A put, get, delete or put-if-absent goes
 * straight to the org's partition when that partition is guarded exactly
 * as registry.kv is (see "Routing" below); otherwise, and for listings, the
 * statement names registry.kv and PostgreSQL routes it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/nodes.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "rewrite/rowsecurity.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "registry.h"
#include "kv_core.h"

/* Stored name of the empty org, as the seed's SentinelOrg. */
#define KV_EMPTY_ORG "_"

/* Give up on put_if_absent after this many insert/read rounds. */
#define KV_PUT_IF_ABSENT_ROUNDS 100

/* ---------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------
 */

static void
ReportKvStatus(KvStatus st, const char *what, const KvParts *p, size_t len)
{
	int			code = kv_status_is_syntax(st) ?
		ERRCODE_INVALID_TEXT_REPRESENTATION : ERRCODE_INVALID_PARAMETER_VALUE;
	const char *layout = p->kind ? p->kind->layout : "";
	const char *kname = p->kind ? p->kind->name : "";

	switch (st)
	{
		case KV_OK:
			return;
		case KV_ERR_EMPTY:
			ereport(ERROR, (errcode(code), errmsg("%s must not be empty", what)));
			break;
		case KV_ERR_TOO_LONG:
			ereport(ERROR,
					(errcode(code),
					 errmsg("%s is too long", what),
					 errdetail("It is %zu bytes; the limit is %d bytes.",
							   len, KV_KEY_MAX)));
			break;
		case KV_ERR_UNKNOWN_KIND:
			{
				int			shown = pg_mbcliplen(p->kind_ptr, (int) p->kind_len, 64);

				ereport(ERROR,
						(errcode(code),
						 errmsg("unknown kind \"%.*s\" in %s", shown, p->kind_ptr, what),
						 errhint("The kinds are ns, wf, wfh, sc, bt, dp, nx, id, sa and idem.")));
			}
			break;
		case KV_ERR_PREFIX_NO_NS:
			ereport(ERROR,
					(errcode(code),
					 errmsg("missing namespace in prefix"),
					 errdetail("Kind \"%s\" lists one namespace at a time; only ns and nx list across namespaces.",
							   kname),
					 errhint("Give a prefix such as \"%s/<namespace>/\".", kname)));
			break;
		case KV_ERR_EMPTY_SEGMENT:
			ereport(ERROR,
					(errcode(code),
					 errmsg("empty segment in %s", what),
					 errdetail("Segments are separated by one \"/\" and none may be empty.")));
			break;
		case KV_ERR_KEY_NO_NS:
			ereport(ERROR,
					(errcode(code),
					 errmsg("missing namespace in key"),
					 errdetail("A \"%s\" key is %s.", kname, layout)));
			break;
		case KV_ERR_FEW_SEGMENTS:
			ereport(ERROR,
					(errcode(code),
					 errmsg("too few segments in key"),
					 errdetail("A \"%s\" key is %s.", kname, layout)));
			break;
		case KV_ERR_NAME_SLASH:
			ereport(ERROR,
					(errcode(code),
					 errmsg("namespace name must not contain \"/\""),
					 errdetail("A namespace key is ns/<name>.")));
			break;
	}
	REGISTRY_CANNOT_HAPPEN("unexpected key status %d", (int) st);
}

static void
ParseKeyOrError(text *key, KvParts *p)
{
	const char *s = VARDATA_ANY(key);
	size_t		len = VARSIZE_ANY_EXHDR(key);
	KvStatus	st = kv_parse_key(s, len, p);

	if (st != KV_OK)
		ReportKvStatus(st, "key", p, len);
}

/*
 * The stored form of an org: the empty org (and "_", its sentinel) is "_";
 * any other org follows the project-id rule (1 to 200 bytes, no control
 * characters).
 */
static text *
OrgKey(text *org)
{
	int			len = VARSIZE_ANY_EXHDR(org);

	if (len == 0)
		return cstring_to_text(KV_EMPTY_ORG);
	registry_check_project_id("org", VARDATA_ANY(org), len);
	return org;
}

static void
NotNull(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* Nanoseconds since the Unix epoch, as the seed's upd column. */
static int64
NowNanos(void)
{
	TimestampTz now = GetCurrentTimestamp();

	return (now + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY) * 1000;
}

static Datum
ThreeTextRecord(FunctionCallInfo fcinfo, const char *a, size_t alen,
				const char *b, size_t blen, const char *c, size_t clen)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		REGISTRY_NOT_COMPOSITE();
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = PointerGetDatum(cstring_to_text_with_len(a, (int) alen));
	if (b == NULL)
		nulls[1] = true;
	else
		values[1] = PointerGetDatum(cstring_to_text_with_len(b, (int) blen));
	values[2] = PointerGetDatum(cstring_to_text_with_len(c, (int) clen));
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* ---------------------------------------------------------------------------
 * Layout functions (pure)
 * ---------------------------------------------------------------------------
 */

/*
 * registry.ns_from_key(key) -> (kind, ns, rest): the routing of a stored key.
 * For ns/<name>, ns is <name> and rest is empty.
 */
PG_FUNCTION_INFO_V1(registry_ns_from_key);
Datum
registry_ns_from_key(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	KvParts		p;

	ParseKeyOrError(key, &p);
	PG_RETURN_DATUM(ThreeTextRecord(fcinfo, p.kind_ptr, p.kind_len,
									p.ns, p.ns_len, p.rest, p.rest_len));
}

/*
 * registry.kv_key_namespace(key) -> text: the namespace of a key; used by
 * the CHECK of registry.kv on every write, so it must stay cheap.
 */
PG_FUNCTION_INFO_V1(registry_kv_key_namespace);
Datum
registry_kv_key_namespace(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	KvParts		p;

	ParseKeyOrError(key, &p);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(p.ns, (int) p.ns_len));
}

/*
 * registry.kv_row_ok(org, namespace, key) -> boolean: the CHECK of
 * registry.kv in one call: org is a valid project id and namespace is the
 * one the key's layout gives (a key that has none raises, as
 * kv_key_namespace does).  One function of three columns, because the
 * executor reads every CHECK's expression tree from its text for every
 * statement that writes the table: this tree is about 40% shorter than the
 * two-function form 0.1.0 to 0.7.0 used.
 */
PG_FUNCTION_INFO_V1(registry_kv_row_ok);
Datum
registry_kv_row_ok(PG_FUNCTION_ARGS)
{
	text	   *org = PG_GETARG_TEXT_PP(0);
	text	   *ns = PG_GETARG_TEXT_PP(1);
	text	   *key = PG_GETARG_TEXT_PP(2);
	KvParts		p;

	if (!registry_valid_id(VARDATA_ANY(org), VARSIZE_ANY_EXHDR(org)))
		PG_RETURN_BOOL(false);
	ParseKeyOrError(key, &p);
	PG_RETURN_BOOL(VARSIZE_ANY_EXHDR(ns) == p.ns_len &&
				   memcmp(VARDATA_ANY(ns), p.ns, p.ns_len) == 0);
}

/*
 * registry.split_prefix(prefix) -> (kind, ns, suffix): ns is NULL when the
 * prefix lists across namespaces (kinds ns and nx only).
 */
PG_FUNCTION_INFO_V1(registry_split_prefix);
Datum
registry_split_prefix(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(prefix);
	KvParts		p;
	KvStatus	st = kv_parse_prefix(VARDATA_ANY(prefix), len, &p);

	if (st != KV_OK)
		ReportKvStatus(st, "prefix", &p, len);
	PG_RETURN_DATUM(ThreeTextRecord(fcinfo, p.kind_ptr, p.kind_len,
									p.ns, p.ns_len, p.rest, p.rest_len));
}

/*
 * The bounds of the byte range a list prefix covers: lo <= key < hi.
 */
static text *
PrefixBound(text *prefix, bool want_hi)
{
	size_t		len = VARSIZE_ANY_EXHDR(prefix);
	char	   *lo = palloc(KV_BOUND_MAX);
	char	   *hi = palloc(KV_BOUND_MAX);
	size_t		lo_len,
				hi_len;
	KvStatus	st;

	st = kv_prefix_range(VARDATA_ANY(prefix), len,
						 GetDatabaseEncoding() == PG_UTF8,
						 lo, &lo_len, hi, &hi_len);
	if (st != KV_OK)
	{
		KvParts		p;

		(void) kv_parse_prefix(VARDATA_ANY(prefix), len, &p);
		ReportKvStatus(st, "prefix", &p, len);
	}
	if (want_hi)
		return cstring_to_text_with_len(hi, (int) hi_len);
	return cstring_to_text_with_len(lo, (int) lo_len);
}

/* registry.kv_prefix_lo(prefix) -> text: first key a prefix lists. */
PG_FUNCTION_INFO_V1(registry_kv_prefix_lo);
Datum
registry_kv_prefix_lo(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(PrefixBound(PG_GETARG_TEXT_PP(0), false));
}

/* registry.kv_prefix_hi(prefix) -> text: the keys a prefix lists are < hi. */
PG_FUNCTION_INFO_V1(registry_kv_prefix_hi);
Datum
registry_kv_prefix_hi(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(PrefixBound(PG_GETARG_TEXT_PP(0), true));
}

/* registry.kv_org(org) -> text: the stored form of an org ('' is '_'). */
PG_FUNCTION_INFO_V1(registry_kv_org);
Datum
registry_kv_org(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(OrgKey(PG_GETARG_TEXT_PP(0)));
}

/*
 * registry.kv_check_limit(integer) -> bigint: a list limit; NULL is no limit,
 * a negative one is 22023.
 */
PG_FUNCTION_INFO_V1(registry_kv_check_limit);
Datum
registry_kv_check_limit(PG_FUNCTION_ARGS)
{
	int32		lim;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	lim = PG_GETARG_INT32(0);
	if (lim < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must not be negative"),
				 errdetail("The limit given is %d.", lim)));
	PG_RETURN_INT64((int64) lim);
}

/* ---------------------------------------------------------------------------
 * Reads and writes
 * ---------------------------------------------------------------------------
 */

typedef enum KvPlanId
{
	KV_PLAN_PUT,
	KV_PLAN_GET,
	KV_PLAN_DEL,
	KV_PLAN_INSERT_NEW,
	KV_PLAN_NEXT_KEY,
	KV_NUM_PLANS
} KvPlanId;

static SPIPlanPtr kv_plans[KV_NUM_PLANS];

/*
 * The statements, with %s for the table they run on: registry.kv, or for
 * the first KV_NUM_ROUTED of them the org's partition (see "Routing").
 */
static const char *const kv_plan_sql[KV_NUM_PLANS] = {
	/* KV_PLAN_PUT */
	"INSERT INTO %s AS t (org, namespace, key, value, upd) "
	"VALUES ($1, $2, $3, $4, $5) "
	"ON CONFLICT (org, key) DO UPDATE "
	"SET value = EXCLUDED.value, upd = EXCLUDED.upd",
	/* KV_PLAN_GET */
	"SELECT k.value FROM %s AS k "
	"WHERE k.org OPERATOR(pg_catalog.=) $1 AND k.key OPERATOR(pg_catalog.=) $2",
	/* KV_PLAN_DEL */
	"DELETE FROM %s AS k "
	"WHERE k.org OPERATOR(pg_catalog.=) $1 AND k.key OPERATOR(pg_catalog.=) $2",
	/* KV_PLAN_INSERT_NEW */
	"INSERT INTO %s AS t (org, namespace, key, value, upd) "
	"VALUES ($1, $2, $3, $4, $5) "
	"ON CONFLICT (org, key) DO NOTHING RETURNING t.value",
	/* KV_PLAN_NEXT_KEY */
	"SELECT k.key FROM %s AS k "
	"WHERE k.org OPERATOR(pg_catalog.=) $1 AND k.key OPERATOR(pg_catalog.>=) $2 "
	"ORDER BY k.key USING OPERATOR(pg_catalog.<) LIMIT 1",
};

/* Prepare and keep statement id on table (a schema-qualified, quoted name). */
static SPIPlanPtr
KvPrepare(KvPlanId id, const char *table)
{
	static const Oid put_types[5] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, INT8OID};
	static const Oid two_text[2] = {TEXTOID, TEXTOID};
	bool		five = (id == KV_PLAN_PUT || id == KV_PLAN_INSERT_NEW);
	char	   *sql = psprintf(kv_plan_sql[id], table);
	SPIPlanPtr	plan;

	plan = registry_prepare_kept(sql, five ? 5 : 2, (Oid *) (five ? put_types : two_text),
								 CURSOR_OPT_GENERIC_PLAN);
	pfree(sql);
	return plan;
}

/* Statement id on registry.kv. */
static SPIPlanPtr
KvPlan(KvPlanId id)
{
	if (kv_plans[id] == NULL)
		kv_plans[id] = KvPrepare(id, "registry.kv");
	return kv_plans[id];
}

/* ---------------------------------------------------------------------------
 * Routing to the org's partition
 *
 * A statement on registry.kv pays for PostgreSQL's tuple routing every time:
 * an INSERT opens the org's partition and maps the ON CONFLICT arbiter index
 * onto it (a pg_inherits scan per statement on PostgreSQL 15), and a kept
 * generic plan of a SELECT or DELETE locks all sixteen partitions before it
 * prunes them.  That is 15-20% of a kv_put's server time.
 *
 * So the single-key statements run on the partition itself when, and only
 * when, doing so is indistinguishable from running them on registry.kv:
 *  - the partition is a leaf of registry.kv's hash partitioning on org, found
 *    with PostgreSQL's own hash of org and the current partition bounds;
 *  - it has registry.kv's owner, column layout, row-level-security switches
 *    and the very same policies (names, commands, roles, expressions), so
 *    PostgreSQL enforces on it what it would have enforced on the parent;
 *  - neither registry.kv nor the partition has statement-level triggers
 *    (they fire only for statements on their own table), and the
 *    partition has no rules;
 *  - the caller holds the statement's privileges on both tables.
 * Any other case takes the statement on registry.kv, with its usual errors.
 * The verdict and the partition's plans are kept per backend and dropped
 * when a relcache invalidation names registry.kv or a partition in use
 * (ALTER, RENAME, CREATE POLICY, GRANT, ANALYZE ...).
 * ---------------------------------------------------------------------------
 */

/* the plans that can run on a partition */
#define KV_NUM_ROUTED (KV_PLAN_INSERT_NEW + 1)

/* privileges each statement needs (on registry.kv, and so on the partition) */
static const AclMode kv_leaf_acl[KV_NUM_ROUTED] = {
	ACL_INSERT | ACL_UPDATE | ACL_SELECT,	/* KV_PLAN_PUT */
	ACL_SELECT,					/* KV_PLAN_GET */
	ACL_DELETE | ACL_SELECT,	/* KV_PLAN_DEL */
	ACL_INSERT | ACL_SELECT,	/* KV_PLAN_INSERT_NEW */
};

/* more partitions than this are reached through registry.kv */
#define KV_MAX_LEAVES 256

typedef struct KvLeaf
{
	Oid			relid;
	bool		same_guard;		/* guarded exactly as registry.kv */
	SPIPlanPtr	plans[KV_NUM_ROUTED];
} KvLeaf;

static KvLeaf *kv_leaves;		/* KV_MAX_LEAVES entries, in
								 * TopMemoryContext */
static int	kv_nleaves;
static Oid	kv_leaves_parent = InvalidOid;
static bool kv_leaves_stale = false;
static bool kv_callback_set = false;
static int	kv_exec_depth = 0;	/* kv statements running in this backend */

static void
KvRelcacheCallback(Datum arg, Oid relid)
{
	int			i;

	if (kv_nleaves == 0)
		return;
	if (!OidIsValid(relid) || relid == kv_leaves_parent)
	{
		kv_leaves_stale = true;
		return;
	}
	for (i = 0; i < kv_nleaves; i++)
		if (kv_leaves[i].relid == relid)
			kv_leaves_stale = true;
}

/* Drop every partition's verdict and plans; only when no kv statement runs. */
static void
KvLeavesReset(void)
{
	int			i;

	for (i = 0; i < kv_nleaves; i++)
		registry_free_plans(kv_leaves[i].plans, KV_NUM_ROUTED);
	kv_nleaves = 0;
	kv_leaves_stale = false;
}

static bool
SamePolicy(RowSecurityPolicy *a, RowSecurityPolicy *b)
{
	return strcmp(a->policy_name, b->policy_name) == 0 &&
		a->polcmd == b->polcmd &&
		a->permissive == b->permissive &&
		a->hassublinks == b->hassublinks &&
		VARSIZE(a->roles) == VARSIZE(b->roles) &&
		memcmp(a->roles, b->roles, VARSIZE(a->roles)) == 0 &&
		equal(a->qual, b->qual) &&
		equal(a->with_check_qual, b->with_check_qual);
}

/*
 * Statement-level triggers fire only for statements on the table that has
 * them: a routed statement would skip the parent's and fire the partition's.
 */
static bool
HasStatementTriggers(TriggerDesc *trig)
{
	return trig != NULL &&
		(trig->trig_insert_before_statement || trig->trig_insert_after_statement ||
		 trig->trig_update_before_statement || trig->trig_update_after_statement ||
		 trig->trig_delete_before_statement || trig->trig_delete_after_statement);
}

/* Is the partition guarded exactly as registry.kv?  (See above.) */
static bool
SameGuard(Relation parent, Relation leaf)
{
	RowSecurityDesc *pd = parent->rd_rsdesc;
	RowSecurityDesc *ld = leaf->rd_rsdesc;
	ListCell   *pc,
			   *lc;

	if (leaf->rd_rel->relkind != RELKIND_RELATION ||
		leaf->rd_rel->relowner != parent->rd_rel->relowner ||
		leaf->rd_rel->relrowsecurity != parent->rd_rel->relrowsecurity ||
		leaf->rd_rel->relforcerowsecurity != parent->rd_rel->relforcerowsecurity ||
		!registry_same_layout(RelationGetDescr(parent), RelationGetDescr(leaf)))
		return false;
	if (HasStatementTriggers(parent->trigdesc) ||
		HasStatementTriggers(leaf->trigdesc) || leaf->rd_rules != NULL)
		return false;
	if (pd == NULL || ld == NULL)
		return pd == ld;
	if (list_length(pd->policies) != list_length(ld->policies))
		return false;
	forboth(pc, pd->policies, lc, ld->policies)
	{
		if (!SamePolicy((RowSecurityPolicy *) lfirst(pc),
						(RowSecurityPolicy *) lfirst(lc)))
			return false;
	}
	return true;
}

/*
 * The leaf partition of registry.kv that PostgreSQL would route org to, or
 * InvalidOid when registry.kv is not (or no longer) hash-partitioned on org
 * alone, or has no leaf for that hash.
 */
static Oid
LeafOfOrg(Relation parent, text *org)
{
	PartitionKey key;
	PartitionDesc pdesc;
	PartitionBoundInfo bounds;
	Datum		values[1];
	bool		isnull[1] = {false};
	uint64		hash;
	int			modulus;
	int			idx;

	if (parent->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return InvalidOid;
	key = RelationGetPartitionKey(parent);
	if (key == NULL || key->strategy != PARTITION_STRATEGY_HASH ||
		key->partnatts != 1 || key->partattrs[0] == 0 ||
		key->parttypid[0] != TEXTOID ||
		strcmp(NameStr(TupleDescAttr(RelationGetDescr(parent),
									 key->partattrs[0] - 1)->attname), "org") != 0)
		return InvalidOid;
#if PG_VERSION_NUM >= 140000
	pdesc = RelationGetPartitionDesc(parent, true);
#else
	pdesc = RelationGetPartitionDesc(parent);
#endif
	bounds = pdesc->boundinfo;
	if (pdesc->nparts == 0 || bounds == NULL)
		return InvalidOid;
	values[0] = PointerGetDatum(org);
	hash = compute_partition_hash_value(1, key->partsupfunc, key->partcollation,
										values, isnull);
#if PG_VERSION_NUM >= 140000
	modulus = bounds->nindexes;
#else
	modulus = get_hash_partition_greatest_modulus(bounds);
#endif
	if (modulus <= 0)
		return InvalidOid;
	idx = bounds->indexes[hash % (uint64) modulus];
	if (idx < 0 || idx >= pdesc->nparts || !pdesc->is_leaf[idx])
		return InvalidOid;
	return pdesc->oids[idx];
}

static bool
HoldsAll(Oid relid, AclMode need)
{
	return pg_class_aclmask(relid, GetUserId(), need, ACLMASK_ALL) == need;
}

/*
 * The plan for statement id on org's row: on org's partition when that is
 * the same as on registry.kv, else on registry.kv.  lockmode is the lock the
 * statement takes on registry.kv.
 */
static SPIPlanPtr
KvRoutedPlan(KvPlanId id, text *org, LOCKMODE lockmode)
{
	Oid			parent_oid;
	Relation	parent;
	Oid			leaf_oid;
	KvLeaf	   *leaf = NULL;
	int			i;

	Assert(id < KV_NUM_ROUTED);
	parent_oid = registry_relid_cached("kv");
	if (!OidIsValid(parent_oid))
		return KvPlan(id);		/* the statement reports it */

	if (!kv_callback_set)
	{
		CacheRegisterRelcacheCallback(KvRelcacheCallback, (Datum) 0);
		kv_leaves = MemoryContextAllocZero(TopMemoryContext,
										   sizeof(KvLeaf) * KV_MAX_LEAVES);
		kv_callback_set = true;
	}

	/*
	 * The locks the statement takes anyway, on the parent and then on the
	 * partition, before anything is decided: taking them takes in every
	 * invalidation committed before, and a change to either table (a policy,
	 * a grant) committed later has to wait for this transaction.
	 */
	parent = table_open(parent_oid, lockmode);
	leaf_oid = LeafOfOrg(parent, org);
	if (OidIsValid(leaf_oid))
		LockRelationOid(leaf_oid, lockmode);
	if ((kv_leaves_stale || parent_oid != kv_leaves_parent) && kv_nleaves > 0)
	{
		if (kv_exec_depth > 0)
		{
			/* a kv statement of ours is running (a trigger called us) */
			table_close(parent, NoLock);
			return KvPlan(id);
		}
		KvLeavesReset();
	}
	kv_leaves_parent = parent_oid;
	kv_leaves_stale = false;

	if (OidIsValid(leaf_oid))
	{
		for (i = 0; i < kv_nleaves; i++)
			if (kv_leaves[i].relid == leaf_oid)
				leaf = &kv_leaves[i];
		if (leaf == NULL && kv_nleaves < KV_MAX_LEAVES)
		{
			Relation	rel = table_open(leaf_oid, NoLock);	/* locked above */

			leaf = &kv_leaves[kv_nleaves++];
			memset(leaf, 0, sizeof(KvLeaf));
			leaf->relid = leaf_oid;
			leaf->same_guard = SameGuard(parent, rel);
			table_close(rel, NoLock);
		}
	}
	table_close(parent, NoLock);

	if (leaf == NULL || !leaf->same_guard ||
		!HoldsAll(parent_oid, kv_leaf_acl[id]) ||
		!HoldsAll(leaf_oid, kv_leaf_acl[id]))
		return KvPlan(id);

	if (leaf->plans[id] == NULL)
	{
		char	   *relname = get_rel_name(leaf_oid);
		char	   *nspname = get_namespace_name(get_rel_namespace(leaf_oid));

		if (relname == NULL || nspname == NULL)
			return KvPlan(id);	/* dropped meanwhile: cannot be, we hold a lock */
		leaf->plans[id] = KvPrepare(id, quote_qualified_identifier(nspname, relname));
	}
	return leaf->plans[id];
}

static int
KvExecPlan(SPIPlanPtr plan, KvPlanId id, Datum *values, bool read_only, long count)
{
	int			rc;

	kv_exec_depth++;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, NULL, read_only, count);
	}
	PG_FINALLY();
	{
		kv_exec_depth--;
	}
	PG_END_TRY();
	if (rc < 0)
		REGISTRY_SPI_FAILED(kv_plan_sql[id], rc);
	return rc;
}

static int
KvExec(KvPlanId id, Datum *values, bool read_only, long count)
{
	return KvExecPlan(KvPlan(id), id, values, read_only, count);
}

/* KvExec on the row of org (values[0]), routed to its partition when alike */
static int
KvExecRouted(KvPlanId id, Datum *values, bool read_only, long count)
{
	LOCKMODE	lockmode = (id == KV_PLAN_GET) ? AccessShareLock : RowExclusiveLock;

	return KvExecPlan(KvRoutedPlan(id, DatumGetTextPP(values[0]), lockmode),
					  id, values, read_only, count);
}

/*
 * Copy a varlena datum (detoasted) into the memory context that was current
 * before SPI_connect, so it outlives SPI_finish.
 */
static struct varlena *
CopyOutOfSpi(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	Size		sz = VARSIZE_ANY(v);
	struct varlena *out = (struct varlena *) SPI_palloc(sz);

	memcpy(out, v, sz);
	return out;
}

/* Copy the bytea in column 1 of the first result row out of SPI memory. */
static bytea *
FirstByteaResult(void)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

	if (isnull)
		return NULL;
	return (bytea *) CopyOutOfSpi(d);
}

/*
 * A key short enough for kv_parse_key (4 KiB) can still be too wide for the
 * (org, key) index when it does not compress: refuse it as a bad value
 * before the INSERT, which would fail with 54000 naming a partition's index.
 */
static void
CheckKeyFitsIndex(text *org, text *key)
{
	static const char *const cols[2] = {"org", "key"};
	Datum		values[2];

	values[0] = PointerGetDatum(org);
	values[1] = PointerGetDatum(key);
	registry_check_index_fit("kv", 2, cols, values, "key is too long to index",
							 "Any key fits when org and key take at most "
							 CppAsString2(REGISTRY_ROW_ALWAYS_FITS) " bytes together; a longer one, up to "
							 CppAsString2(KV_KEY_MAX) " bytes, only when it compresses.");
}

/*
 * registry.kv_put(org, key, value) -> bigint: insert or replace; returns the
 * row's new upd (nanoseconds since the Unix epoch).
 */
PG_FUNCTION_INFO_V1(registry_kv_put);
Datum
registry_kv_put(PG_FUNCTION_ARGS)
{
	text	   *org;
	text	   *key;
	bytea	   *value;
	KvParts		p;
	Datum		values[5];
	int64		upd;

	NotNull(fcinfo, 0, "org");
	NotNull(fcinfo, 1, "key");
	NotNull(fcinfo, 2, "value");
	org = OrgKey(PG_GETARG_TEXT_PP(0));
	key = PG_GETARG_TEXT_PP(1);
	value = PG_GETARG_BYTEA_PP(2);
	ParseKeyOrError(key, &p);
	CheckKeyFitsIndex(org, key);
	upd = NowNanos();

	values[0] = PointerGetDatum(org);
	values[1] = PointerGetDatum(cstring_to_text_with_len(p.ns, (int) p.ns_len));
	values[2] = PointerGetDatum(key);
	values[3] = PointerGetDatum(value);
	values[4] = Int64GetDatum(upd);

	SPI_connect();
	KvExecRouted(KV_PLAN_PUT, values, false, 0);
	SPI_finish();
	PG_RETURN_INT64(upd);
}

/* registry.kv_get(org, key) -> bytea: the value, or NULL when absent. */
PG_FUNCTION_INFO_V1(registry_kv_get);
Datum
registry_kv_get(PG_FUNCTION_ARGS)
{
	text	   *org = OrgKey(PG_GETARG_TEXT_PP(0));
	text	   *key = PG_GETARG_TEXT_PP(1);
	KvParts		p;
	Datum		values[2];
	bytea	   *result = NULL;

	ParseKeyOrError(key, &p);
	values[0] = PointerGetDatum(org);
	values[1] = PointerGetDatum(key);

	SPI_connect();
	KvExecRouted(KV_PLAN_GET, values, true, 1);
	if (SPI_processed > 0)
		result = FirstByteaResult();
	SPI_finish();
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(result);
}

/*
 * registry.kv_del(org, key) -> boolean: true when a row was deleted; deleting
 * a missing key is a no-op that returns false.
 */
PG_FUNCTION_INFO_V1(registry_kv_del);
Datum
registry_kv_del(PG_FUNCTION_ARGS)
{
	text	   *org = OrgKey(PG_GETARG_TEXT_PP(0));
	text	   *key = PG_GETARG_TEXT_PP(1);
	KvParts		p;
	Datum		values[2];
	bool		found;

	ParseKeyOrError(key, &p);
	values[0] = PointerGetDatum(org);
	values[1] = PointerGetDatum(key);

	SPI_connect();
	KvExecRouted(KV_PLAN_DEL, values, false, 0);
	found = SPI_processed > 0;
	SPI_finish();
	PG_RETURN_BOOL(found);
}

/*
 * registry.kv_put_if_absent(org, key, value) -> bytea: stores value when the
 * key is absent and returns the stored value either way, so racing writers
 * of an idempotency record all get the one that won.  Under READ COMMITTED a
 * writer that loses waits for the winner to commit and returns its value;
 * under REPEATABLE READ or SERIALIZABLE it gets 40001 instead.
 */
PG_FUNCTION_INFO_V1(registry_kv_put_if_absent);
Datum
registry_kv_put_if_absent(PG_FUNCTION_ARGS)
{
	text	   *org;
	text	   *key;
	bytea	   *value;
	KvParts		p;
	Datum		values[5];
	bytea	   *result = NULL;
	int			round;

	NotNull(fcinfo, 0, "org");
	NotNull(fcinfo, 1, "key");
	NotNull(fcinfo, 2, "value");
	org = OrgKey(PG_GETARG_TEXT_PP(0));
	key = PG_GETARG_TEXT_PP(1);
	value = PG_GETARG_BYTEA_PP(2);
	ParseKeyOrError(key, &p);
	CheckKeyFitsIndex(org, key);

	values[0] = PointerGetDatum(org);
	values[1] = PointerGetDatum(cstring_to_text_with_len(p.ns, (int) p.ns_len));
	values[2] = PointerGetDatum(key);
	values[3] = PointerGetDatum(value);

	SPI_connect();

	/*
	 * In a read-only transaction (a hot standby) the INSERT would be refused
	 * even for a stored key: read it first, so that a recorded value is
	 * returned there too.  A new key is then refused as the INSERT.
	 */
	if (XactReadOnly)
	{
		Datum		getvals[2];

		getvals[0] = values[0];
		getvals[1] = values[2];
		KvExecRouted(KV_PLAN_GET, getvals, true, 1);
		if (SPI_processed > 0)
			result = FirstByteaResult();
	}
	for (round = 0; round < KV_PUT_IF_ABSENT_ROUNDS && result == NULL; round++)
	{
		Datum		getvals[2];

		CHECK_FOR_INTERRUPTS();
		values[4] = Int64GetDatum(NowNanos());
		KvExecRouted(KV_PLAN_INSERT_NEW, values, false, 0);
		if (SPI_processed > 0)
		{
			result = FirstByteaResult();
			break;
		}
		/* someone else's row: read it (a fresh snapshot in READ COMMITTED) */
		getvals[0] = values[0];
		getvals[1] = values[2];
		KvExecRouted(KV_PLAN_GET, getvals, false, 1);
		if (SPI_processed > 0)
			result = FirstByteaResult();
		/* else it was deleted in between: try to insert again */
	}
	SPI_finish();
	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not settle the value of a contended key"),
				 errdetail("The key was inserted and deleted by others %d times in a row.",
						   KV_PUT_IF_ABSENT_ROUNDS)));
	PG_RETURN_BYTEA_P(result);
}

static int
CompareCStrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * registry.kv_namespaces(org) -> setof text: every namespace of the org in
 * byte order.  A skip scan over the (org, key) index: one probe per distinct
 * (kind, namespace), whatever the number of keys.
 */
PG_FUNCTION_INFO_V1(registry_kv_namespaces);
Datum
registry_kv_namespaces(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *org = OrgKey(PG_GETARG_TEXT_PP(0));
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext oldcxt;
	MemoryContext roundcxt;
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	char	  **names;
	int			nnames = 0;
	int			maxnames = 16;
	char	   *bound = palloc(KV_BOUND_MAX);
	size_t		bound_len = 0;
	int			utf8 = GetDatabaseEncoding() == PG_UTF8;
	int			i;

	registry_check_materialize(rsinfo);

	names = palloc(sizeof(char *) * maxnames);
	SPI_connect();
	roundcxt = AllocSetContextCreate(CurrentMemoryContext, "kv_namespaces round",
									 ALLOCSET_SMALL_SIZES);
	for (;;)
	{
		Datum		values[2];
		bool		isnull;
		text	   *key;
		KvParts		p;

		CHECK_FOR_INTERRUPTS();
		if (SPI_tuptable != NULL)
			SPI_freetuptable(SPI_tuptable);
		MemoryContextReset(roundcxt);
		MemoryContextSwitchTo(roundcxt);
		values[0] = PointerGetDatum(org);
		values[1] = PointerGetDatum(cstring_to_text_with_len(bound, (int) bound_len));
		KvExec(KV_PLAN_NEXT_KEY, values, true, 1);
		/* SPI returns in its procedure context: back to this round's */
		MemoryContextSwitchTo(roundcxt);
		if (SPI_processed == 0)
			break;
		key = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
		if (kv_parse_key(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &p) != KV_OK)
		{
			/* the table's CHECK keeps this from happening; step over it */
			bound_len = VARSIZE_ANY_EXHDR(key);
			memcpy(bound, VARDATA_ANY(key), bound_len);
			bound[bound_len++] = '\x01';
			continue;
		}
		if (nnames == maxnames)
		{
			oldcxt = MemoryContextSwitchTo(callercxt);
			maxnames *= 2;
			names = repalloc(names, sizeof(char *) * maxnames);
			MemoryContextSwitchTo(oldcxt);
		}
		names[nnames] = MemoryContextAlloc(callercxt, p.ns_len + 1);
		memcpy(names[nnames], p.ns, p.ns_len);
		names[nnames][p.ns_len] = '\0';
		nnames++;
		/* next probe: past every key of this (kind, namespace) */
		memcpy(bound, p.kind_ptr, p.kind_len);
		bound_len = p.kind_len;
		bound[bound_len++] = '/';
		memcpy(bound + bound_len, p.ns, p.ns_len);
		bound_len += p.ns_len;
		if (p.kind->rest_segments == 0)
			bound[bound_len++] = '\x01';
		else
		{
			bound[bound_len++] = '/';
			bound_len = kv_successor(bound, bound_len, utf8);
		}
	}
	SPI_finish();

	qsort(names, nnames, sizeof(char *), CompareCStrings);

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	tupdesc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(tupdesc, (AttrNumber) 1, "namespace", TEXTOID, -1, 0);
	tupstore = tuplestore_begin_heap(true, false, work_mem);
	for (i = 0; i < nnames; i++)
	{
		Datum		v;
		bool		n = false;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		v = PointerGetDatum(cstring_to_text(names[i]));
		tuplestore_putvalues(tupstore, tupdesc, &v, &n);
	}
	MemoryContextSwitchTo(oldcxt);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	return (Datum) 0;
}
