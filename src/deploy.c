/*-------------------------------------------------------------------------
 *
 * deploy.c
 *		Artifacts and deployments: the idempotent deploy upsert and the
 *		helpers around it (hex decoding, key validation).
 *
 * registry.deploy() is the hot path of a deploy daemon: most calls replay a
 * key that is already stored with nothing new to say.  It therefore reads
 * first and writes only when it must:
 *
 *	1. Look the row up by (project_id, idempotency_key, chain_id).  When the
 *	   caller may read the table and no row-level security applies to it,
 *	   this is a direct probe of the primary-key index with a fresh
 *	   snapshot (no executor, no SPI); otherwise a prepared SPI SELECT, so
 *	   that privileges and policies apply exactly as to any query.  A
 *	   session whose last three calls each inserted a new key skips this
 *	   step and goes straight to 2: the INSERT's own conflict check is the
 *	   lookup, and a deployer working through new keys saves an index
 *	   descent per call (a replay that guesses wrong costs an INSERT that
 *	   writes nothing and one SELECT).
 *	2. Absent: INSERT ... ON CONFLICT DO NOTHING RETURNING.  A row back means
 *	   we inserted it.  Nothing back means a concurrent caller inserted the
 *	   key first (under READ COMMITTED the INSERT waited for it to commit), so
 *	   we go on with the committed row, re-read with a fresh snapshot.
 *	3. Present: a different contract, or a different address once one is
 *	   stored, is 23505.  If the stored row already holds every fact the
 *	   caller brings (address, tx hash, confirmation) it is returned as is:
 *	   no tuple, no WAL, no transaction id.  Otherwise one UPDATE whose WHERE
 *	   clause re-states "same contract, compatible address, something to
 *	   add"; READ COMMITTED re-checks that clause against the newest row
 *	   version after waiting for a concurrent writer, so a concurrent merge
 *	   can never be overwritten with stale data.  Zero rows updated means
 *	   the row changed under us: classify it again (bounded retries).
 *
 * Every SPI statement is prepared once per backend (SPI_prepare +
 * SPI_keepplan) with $n parameters and schema-qualified names.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "hex_core.h"
#include "registry.h"

/* The project a deployment belongs to when the caller names none. */
#define DEPLOY_DEFAULT_PROJECT "_"

/* Field limits: keep every key comfortably inside a btree index tuple. */
#define DEPLOY_KEY_MAX		1000
#define DEPLOY_CHAIN_MAX	100
#define DEPLOY_NAME_MAX		1000
#define DEPLOY_VALUE_MAX	1000

/* Merge attempts before giving up with a serialization failure. */
#define DEPLOY_MAX_ROUNDS	8

/*
 * How many of this session's last deploys in a row inserted a new key; from
 * DEPLOY_NEW_STREAK on, the next one tries the INSERT first (see above).
 */
static int	deploy_new_streak = 0;

#define DEPLOY_NEW_STREAK 3

static SPIPlanPtr select_plan = NULL;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr insert_known_plan = NULL;
static SPIPlanPtr update_plan = NULL;
static SPIPlanPtr artifact_plan = NULL;

#define DEPLOY_NARGS 8
static Oid	deploy_argtypes[DEPLOY_NARGS] = {
	TEXTOID,					/* $1 project_id */
	TEXTOID,					/* $2 idempotency_key */
	TEXTOID,					/* $3 chain_id */
	TEXTOID,					/* $4 contract */
	TEXTOID,					/* $5 address */
	TEXTOID,					/* $6 tx_hash */
	BOOLOID,					/* $7 confirmed */
	BYTEAOID					/* $8 current artifact revision, or NULL */
};

/* insert_known_sql's parameters: deploy_argtypes, then these two */
#define DEPLOY_NARGS_KNOWN (DEPLOY_NARGS + 2)
static Oid	deploy_known_argtypes[DEPLOY_NARGS_KNOWN] = {
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, BYTEAOID,
	INT8OID,					/* $9 id, from registry.deployments_id_seq */
	TIMESTAMPTZOID				/* $10 created_at and updated_at: now() */
};

static Oid	artifact_argtypes[2] = {TEXTOID, TEXTOID};

static const char *artifact_sql =
"SELECT a.bytecode_sha256 FROM registry.artifacts AS a"
" WHERE a.project_id OPERATOR(pg_catalog.=) $1 AND a.name OPERATOR(pg_catalog.=) $2";

static const char *select_sql =
"SELECT d.* FROM registry.deployments AS d"
" WHERE d.project_id OPERATOR(pg_catalog.=) $1"
"   AND d.idempotency_key OPERATOR(pg_catalog.=) $2"
"   AND d.chain_id OPERATOR(pg_catalog.=) $3";

static const char *insert_sql =
"INSERT INTO registry.deployments AS d"
" (project_id, idempotency_key, chain_id, contract, address, tx_hash,"
"  confirmed, artifact_sha256)"
" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
" ON CONFLICT (project_id, idempotency_key, chain_id) DO NOTHING"
" RETURNING d.id, d.state, d.claimed_until, d.created_at, d.updated_at";

/*
 * The same INSERT with the values the table would fill in given by the
 * call: id from the column's sequence, created_at and updated_at the
 * transaction's now() (both what the column defaults compute), state by the
 * generated column's rule (DeployState) and claimed_until NULL.  So it needs
 * no RETURNING list, which costs a statement about 8,000 instructions (its
 * projection, its descriptor, SPI's result table): 3 % of a new key.  Used
 * only while NewRowKnowable says the stored row will be exactly that.
 */
static const char *insert_known_sql =
"INSERT INTO registry.deployments AS d"
" (project_id, idempotency_key, chain_id, contract, address, tx_hash,"
"  confirmed, artifact_sha256, id, created_at, updated_at)"
" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
" ON CONFLICT (project_id, idempotency_key, chain_id) DO NOTHING";

/*
 * The columns insert_sql returns, in order, and their types: what the table
 * fills in itself.  Every other column of a new row is one of the
 * statement's parameters.
 */
#define DEPLOY_NFILLED 5
static const char *const deploy_filled_cols[DEPLOY_NFILLED] = {
	"id", "state", "claimed_until", "created_at", "updated_at"
};
static const Oid deploy_filled_types[DEPLOY_NFILLED] = {
	INT8OID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID
};

/* The column each parameter ($n, at n - 1) is stored in; types in deploy_argtypes. */
static const char *const deploy_param_cols[DEPLOY_NARGS] = {
	"project_id", "idempotency_key", "chain_id", "contract", "address",
	"tx_hash", "confirmed", "artifact_sha256"
};

static const char *update_sql =
"UPDATE registry.deployments AS d SET"
"  address = $5,"
"  tx_hash = CASE WHEN d.address IS NULL THEN COALESCE($6, d.tx_hash)"
"            ELSE COALESCE(d.tx_hash, $6) END,"
"  confirmed = d.confirmed OR $7,"
"  artifact_sha256 = COALESCE(d.artifact_sha256, $8),"
"  updated_at = pg_catalog.now()"
" WHERE d.project_id OPERATOR(pg_catalog.=) $1"
"   AND d.idempotency_key OPERATOR(pg_catalog.=) $2"
"   AND d.chain_id OPERATOR(pg_catalog.=) $3"
"   AND d.contract OPERATOR(pg_catalog.=) $4"
"   AND (d.address IS NULL"
"        OR (d.address OPERATOR(pg_catalog.=) $5"
"            AND ((d.tx_hash IS NULL AND $6 IS NOT NULL)"
"                 OR (NOT d.confirmed AND $7))))"
" RETURNING d.*";

static void
EnsurePlans(void)
{
	if (select_plan == NULL)
		select_plan = registry_prepare_kept(select_sql, DEPLOY_NARGS, deploy_argtypes,
											CURSOR_OPT_GENERIC_PLAN);
	if (insert_plan == NULL)
		insert_plan = registry_prepare_kept(insert_sql, DEPLOY_NARGS, deploy_argtypes,
											CURSOR_OPT_GENERIC_PLAN);
	if (insert_known_plan == NULL)
		insert_known_plan = registry_prepare_kept(insert_known_sql, DEPLOY_NARGS_KNOWN,
												  deploy_known_argtypes,
												  CURSOR_OPT_GENERIC_PLAN);
	if (update_plan == NULL)
		update_plan = registry_prepare_kept(update_sql, DEPLOY_NARGS, deploy_argtypes,
											CURSOR_OPT_GENERIC_PLAN);
	if (artifact_plan == NULL)
		artifact_plan = registry_prepare_kept(artifact_sql, 2, artifact_argtypes,
											  CURSOR_OPT_GENERIC_PLAN);
}

/*
 * Check one text field: not NULL, not empty, at most maxlen bytes, and (for
 * chain ids) no ':' so that the "key:chain" document keys stay unambiguous.
 */
static void
CheckField(const char *what, text *t, int maxlen, bool forbid_colon)
{
	int			len;
	const char *s;

	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", what)));
	len = VARSIZE_ANY_EXHDR(t);
	s = VARDATA_ANY(t);
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	if (len > maxlen)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long", what),
				 errdetail("It is %d bytes; the limit is %d bytes.", len, maxlen)));
	if (forbid_colon && memchr(s, ':', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not contain \":\"", what),
				 errdetail("Document keys are \"<idempotency_key>:<chain_id>\".")));
}

static text *
OptTextArg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return PG_GETARG_TEXT_PP(n);
}

/* Validate (project, key, chain) and return the effective project id. */
static text *
CheckDeploymentKey(text *project, text *key, text *chain)
{
	CheckField("idempotency_key", key, DEPLOY_KEY_MAX, false);
	CheckField("chain_id", chain, DEPLOY_CHAIN_MAX, true);
	if (project == NULL)
		return cstring_to_text(DEPLOY_DEFAULT_PROJECT);
	registry_check_project_text("project_id", project);
	return project;
}

/*
 * registry.check_deployment_key(idempotency_key, chain_id, project_id) ->
 * text: raises 22023 for a bad key, chain or project and returns the
 * effective project id ('_' when project_id is NULL).  The PL/pgSQL
 * functions of this area share the rules of registry.deploy through it.
 */
PG_FUNCTION_INFO_V1(registry_check_deployment_key);
Datum
registry_check_deployment_key(PG_FUNCTION_ARGS)
{
	text	   *key = OptTextArg(fcinfo, 0);
	text	   *chain = OptTextArg(fcinfo, 1);
	text	   *project = OptTextArg(fcinfo, 2);

	PG_RETURN_TEXT_P(CheckDeploymentKey(project, key, chain));
}

/*
 * registry.decode_hex(hex text, field text) -> bytea: hex with or without a
 * 0x prefix; 22P02 naming the field and the position of the first bad
 * character otherwise.
 */
PG_FUNCTION_INFO_V1(registry_decode_hex);
Datum
registry_decode_hex(PG_FUNCTION_ARGS)
{
	text	   *src = PG_GETARG_TEXT_PP(0);
	text	   *field = PG_GETARG_TEXT_PP(1);
	const char *s = VARDATA_ANY(src);
	size_t		len = VARSIZE_ANY_EXHDR(src);
	size_t		off;
	size_t		n = registry_hex_decoded_len(s, len, &off);
	size_t		bad = 0;
	bytea	   *result;
	HexStatus	st;

	if (n > (MaxAllocSize - VARHDRSZ))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too long", text_to_cstring(field))));
	result = (bytea *) palloc(VARHDRSZ + n);
	SET_VARSIZE(result, VARHDRSZ + n);
	st = registry_hex_decode(s, len, (unsigned char *) VARDATA(result), &bad);
	if (st == HEX_BAD_DIGIT)
	{
		unsigned char c = (unsigned char) s[bad];

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid hexadecimal in %s", text_to_cstring(field)),
				 (c >= 0x20 && c < 0x7f) ?
				 errdetail("Character %zu is \"%c\", not a hexadecimal digit.",
						   bad + 1, c) :
				 errdetail("Byte %zu is 0x%02x, not a hexadecimal digit.",
						   bad + 1, c)));
	}
	if (st == HEX_ODD_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid hexadecimal in %s", text_to_cstring(field)),
				 errdetail("It has an odd number of digits (%zu).", len - off)));
	PG_RETURN_BYTEA_P(result);
}

/* A stored deployment row, as read back through SPI. */
typedef struct DeployRow
{
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	char	   *contract;
	char	   *address;		/* NULL while pending or broadcast */
	bool		has_tx;
	bool		confirmed;
} DeployRow;

/* The columns FillRowFacts reads, in this order. */
#define DEPLOY_NFACTS 4
static const char *const deploy_fact_cols[DEPLOY_NFACTS] = {
	"contract", "address", "tx_hash", "confirmed"
};

/* Their numbers in desc (by name: the table's or the result type's). */
static void
FactColumns(TupleDesc desc, int16 *fnos)
{
	int			i;

	for (i = 0; i < DEPLOY_NFACTS; i++)
	{
		int			fno = SPI_fnumber(desc, deploy_fact_cols[i]);

		if (fno <= 0)
			REGISTRY_ALTERED_TABLE("deployments", deploy_fact_cols[i]);
		fnos[i] = (int16) fno;
	}
}

static char *
GetTextCol(HeapTuple tup, TupleDesc desc, int fno)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, fno, desc, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * Read the facts of row->tuple; fnos are the fact columns' numbers in
 * row->tupdesc when the caller knows them, else NULL.
 */
static void
FillRowFacts(DeployRow *row, const int16 *fnos)
{
	int16		own[DEPLOY_NFACTS];
	bool		isnull;
	Datum		d;

	if (fnos == NULL)
	{
		FactColumns(row->tupdesc, own);
		fnos = own;
	}
	row->contract = GetTextCol(row->tuple, row->tupdesc, fnos[0]);
	row->address = GetTextCol(row->tuple, row->tupdesc, fnos[1]);
	(void) heap_getattr(row->tuple, fnos[2], row->tupdesc, &isnull);
	row->has_tx = !isnull;
	d = heap_getattr(row->tuple, fnos[3], row->tupdesc, &isnull);
	row->confirmed = !isnull && DatumGetBool(d);
}

static bool
ReadRow(DeployRow *row)
{
	if (SPI_processed == 0)
		return false;
	row->tuple = SPI_tuptable->vals[0];
	row->tupdesc = SPI_tuptable->tupdesc;
	FillRowFacts(row, NULL);
	return true;
}

static void RevCacheReset(void);
static Oid	rev_relid = InvalidOid;	/* the registry.artifacts the cache is of */
static bool rev_callback_set = false;

/*
 * Any invalidation of registry.artifacts (the trigger artifacts_changed, or
 * DDL), or of the whole relation cache, empties the revision cache.
 */
static void
RevRelcacheCallback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == rev_relid)
		RevCacheReset();
}

typedef enum ProbeResult
{
	PROBE_ABSENT,
	PROBE_FOUND,
	PROBE_UNAVAILABLE,			/* use the SPI SELECT instead */
	PROBE_SKIPPED				/* not looked up: try the INSERT first */
} ProbeResult;

/*
 * Probe the primary-key index of registry.<relname> for the row whose key
 * columns (keycols, all text, in index order) equal keyvals, with a fresh
 * snapshot taken the way SPI takes one for a volatile function (new command
 * id; a new snapshot under READ COMMITTED).  Returns PROBE_UNAVAILABLE when
 * the caller lacks SELECT on the table or row-level security applies to it,
 * so that the SPI path raises the same errors and applies the same policies
 * as any other query.  A found row is copied into the current memory context.
 */
/*
 * May this session read relid directly, bypassing the executor?  Only when
 * it holds SELECT and no row-level security applies, so that every other
 * case goes through SPI and gets the same errors and policies as any query.
 */
static bool
DirectReadAllowed(Oid relid)
{
	return OidIsValid(relid) &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
}

static ProbeResult
ProbePrimaryKey(const char *relname, int nkeys, const char **keycols,
				Datum *keyvals, TupleDesc form_desc, HeapTuple *tuple_out,
				TupleDesc *desc_out, const char *want_col, Datum *col_out,
				bool *col_isnull)
{
	Oid			relid;
	Oid			pkoid;
	Relation	rel;
	Relation	idx;
	ScanKeyData skeys[INDEX_MAX_KEYS];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ProbeResult result = PROBE_ABSENT;
	int			i;

	relid = registry_relid_cached(relname);
	if (!DirectReadAllowed(relid))
		return PROBE_UNAVAILABLE;

	rel = table_open(relid, AccessShareLock);
	(void) RelationGetIndexList(rel);	/* sets rd_pkindex */
	pkoid = rel->rd_pkindex;
	if (!OidIsValid(pkoid))
	{
		table_close(rel, NoLock);
		return PROBE_UNAVAILABLE;
	}
	idx = index_open(pkoid, AccessShareLock);
	if (idx->rd_index->indnkeyatts != nkeys)
		result = PROBE_UNAVAILABLE;
	for (i = 0; i < nkeys && result != PROBE_UNAVAILABLE; i++)
	{
		AttrNumber	attno = idx->rd_index->indkey.values[i];

		if (attno <= 0 ||
			strcmp(NameStr(TupleDescAttr(RelationGetDescr(rel), attno - 1)->attname),
				   keycols[i]) != 0)
			result = PROBE_UNAVAILABLE;
		else
			ScanKeyEntryInitialize(&skeys[i], 0, i + 1, BTEqualStrategyNumber,
								   InvalidOid, idx->rd_indcollation[i], F_TEXTEQ,
								   keyvals[i]);
	}
	if (result == PROBE_UNAVAILABLE)
	{
		index_close(idx, NoLock);
		table_close(rel, NoLock);
		return result;
	}

	/* What SPI does before a statement of a volatile function. */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();

	slot = table_slot_create(rel, NULL);
#if PG_VERSION_NUM >= 180000
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), NULL, nkeys, 0);
#else
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), nkeys, 0);
#endif
	index_rescan(scan, skeys, nkeys, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		if (want_col != NULL)
		{
			int			fno = SPI_fnumber(RelationGetDescr(rel), want_col);
			Form_pg_attribute att;

			if (fno <= 0)
				REGISTRY_ALTERED_TABLE(relname, want_col);
			att = TupleDescAttr(RelationGetDescr(rel), fno - 1);
			*col_out = slot_getattr(slot, fno, col_isnull);
			if (!*col_isnull)
				*col_out = datumCopy(*col_out, att->attbyval, att->attlen);
		}
		else
		{
			/*
			 * Deformed and formed again (missing attributes get their
			 * defaults), with the caller's descriptor when the layouts agree.
			 */
			TupleDesc	reldesc = RelationGetDescr(rel);
			bool		same = form_desc != NULL && registry_same_layout(reldesc, form_desc);

			slot_getallattrs(slot);
			*desc_out = same ? form_desc : CreateTupleDescCopy(reldesc);
			*tuple_out = heap_form_tuple(*desc_out, slot->tts_values, slot->tts_isnull);
		}
		result = PROBE_FOUND;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return result;
}

/*
 * The deployment row of (project, key, chain), by a direct index probe,
 * formed with rowdesc (registry.deployment, the result type) when its layout
 * agrees with the table's; rowdesc_facts are FactColumns of rowdesc.
 */
static ProbeResult
DirectProbe(text *project, text *key, text *chain, TupleDesc rowdesc,
			const int16 *rowdesc_facts, DeployRow *row)
{
	const char *cols[3] = {"project_id", "idempotency_key", "chain_id"};
	Datum		vals[3];
	ProbeResult result;

	vals[0] = PointerGetDatum(project);
	vals[1] = PointerGetDatum(key);
	vals[2] = PointerGetDatum(chain);
	result = ProbePrimaryKey("deployments", 3, cols, vals, rowdesc, &row->tuple,
							 &row->tupdesc, NULL, NULL, NULL);
	if (result == PROBE_FOUND)
		FillRowFacts(row, row->tupdesc == rowdesc ? rowdesc_facts : NULL);
	return result;
}

/*
 * The revision cache: the current artifact revision of (project, name) as
 * the last direct probe of registry.artifacts saw it, absent included.  It
 * is dropped by every relcache invalidation of registry.artifacts, which the
 * statement trigger artifacts_changed sends for every change to the table
 * (in this session at the next command, in others when the writer commits).
 * It is used only where a probe would be (SELECT on the table, no row-level
 * security) and only under READ COMMITTED, where "current" means what a new
 * snapshot sees; and only while the trigger exists and fires always.
 */
#define REV_CACHE_SIZE 64
#define REV_CACHE_STORES 1024	/* misses stored before the memory is reset */

typedef struct RevEntry
{
	bool		used;
	bool		present;
	text	   *project;		/* in rev_cxt */
	text	   *name;
	bytea	   *sha;			/* when present */
} RevEntry;

static RevEntry rev_cache[REV_CACHE_SIZE];
static MemoryContext rev_cxt = NULL;
static uint64 rev_generation = 0;
static int	rev_trigger_ok = -1;	/* -1 unknown, 0 no, 1 yes */
static int	rev_stored = 0;			/* entries stored since the last reset */

/* Forget every entry and free their memory. */
static void
RevCacheClear(void)
{
	memset(rev_cache, 0, sizeof(rev_cache));
	if (rev_cxt != NULL)
		MemoryContextReset(rev_cxt);
	rev_generation++;
	rev_stored = 0;
}

/* registry.artifacts changed: the entries and the trigger's verdict. */
static void
RevCacheReset(void)
{
	RevCacheClear();
	rev_trigger_ok = -1;
}

static int
RevSlot(text *project, text *name)
{
	uint32		h = hash_any((const unsigned char *) VARDATA_ANY(project),
							 VARSIZE_ANY_EXHDR(project));

	h ^= hash_any((const unsigned char *) VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) * 31;
	return (int) (h % REV_CACHE_SIZE);
}

static bool
SameText(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

static text *
RevCopy(text *t)
{
	Size		len = VARSIZE_ANY_EXHDR(t);
	text	   *c = MemoryContextAlloc(rev_cxt, VARHDRSZ + len);

	SET_VARSIZE(c, VARHDRSZ + len);
	memcpy(VARDATA(c), VARDATA_ANY(t), len);
	return c;
}

/*
 * Does registry.artifacts carry the trigger that keeps the cache honest,
 * enabled ALWAYS (so that a replica's apply worker fires it too)?  Checked
 * once per invalidation of the table (creating, dropping or disabling a
 * trigger invalidates it).
 */
static bool
RevTriggerOk(Oid relid)
{
	if (rev_trigger_ok < 0)
	{
		Relation	rel = table_open(relid, AccessShareLock);
		TriggerDesc *td = rel->trigdesc;
		bool		ok = false;
		int			i;

		for (i = 0; td != NULL && i < td->numtriggers; i++)
		{
			Trigger    *t = &td->triggers[i];

			if (strcmp(t->tgname, "artifacts_changed") == 0 &&
				t->tgenabled == TRIGGER_FIRES_ALWAYS &&
				TRIGGER_FOR_AFTER(t->tgtype) && !TRIGGER_FOR_ROW(t->tgtype) &&
				TRIGGER_FOR_INSERT(t->tgtype) && TRIGGER_FOR_UPDATE(t->tgtype) &&
				TRIGGER_FOR_DELETE(t->tgtype) && TRIGGER_FOR_TRUNCATE(t->tgtype))
				ok = true;
		}
		table_close(rel, NoLock);
		/* the open may have taken in an invalidation: keep only a fresh verdict */
		if (rev_trigger_ok < 0)
			rev_trigger_ok = ok ? 1 : 0;
		return ok;
	}
	return rev_trigger_ok == 1;
}

/*
 * The current artifact revision (sha256 of the creation bytecode) of
 * (project, contract), for linking a new deployment to it; *isnull when the
 * project has no such artifact.  Direct probe, or SPI under RLS.
 */
static Datum
CurrentRevision(text *project, text *contract, bool *isnull)
{
	const char *cols[2] = {"project_id", "name"};
	Datum		vals[2];
	Datum		d = (Datum) 0;
	Datum		args[2];
	int			rc;

	Oid			relid;
	bool		cacheable = false;
	uint64		generation = 0;
	RevEntry   *e = NULL;
	ProbeResult probe;

	vals[0] = PointerGetDatum(project);
	vals[1] = PointerGetDatum(contract);
	*isnull = true;

	/* The cache, where a direct probe would answer (see above). */
	relid = registry_relid_cached("artifacts");
	if (!IsolationUsesXactSnapshot() && DirectReadAllowed(relid))
	{
		if (!rev_callback_set)
		{
			CacheRegisterRelcacheCallback(RevRelcacheCallback, (Datum) 0);
			rev_callback_set = true;
		}
		if (relid != rev_relid)
		{
			/* made for another registry.artifacts (or none yet) */
			RevCacheReset();
			rev_relid = relid;
		}
		/* this session's own changes, then other sessions' commits */
		CommandCounterIncrement();
		AcceptInvalidationMessages();
		if (RevTriggerOk(relid))
		{
			cacheable = true;
			generation = rev_generation;
			e = &rev_cache[RevSlot(project, contract)];
			if (e->used && SameText(e->project, project) && SameText(e->name, contract))
			{
				if (!e->present)
					return (Datum) 0;
				*isnull = false;
				return PointerGetDatum(DatumGetByteaPCopy(PointerGetDatum(e->sha)));
			}
		}
	}

	probe = ProbePrimaryKey("artifacts", 2, cols, vals, NULL, NULL, NULL,
							"bytecode_sha256", &d, isnull);
	if (cacheable && generation == rev_generation &&
		(probe == PROBE_FOUND || probe == PROBE_ABSENT))
	{
		if (rev_cxt == NULL)
			rev_cxt = AllocSetContextCreate(TopMemoryContext, "registry deploy revisions",
											ALLOCSET_SMALL_SIZES);
		/* a replaced entry's strings stay in rev_cxt until a reset: bound them */
		if (rev_stored >= REV_CACHE_STORES)
			RevCacheClear();
		rev_stored++;
		e->project = RevCopy(project);
		e->name = RevCopy(contract);
		e->present = (probe == PROBE_FOUND && !*isnull);
		e->sha = e->present ? (bytea *) RevCopy((text *) DatumGetPointer(d)) : NULL;
		e->used = true;
	}
	switch (probe)
	{
		case PROBE_FOUND:
			return d;
		case PROBE_ABSENT:
			*isnull = true;
			return (Datum) 0;
		case PROBE_UNAVAILABLE:
		case PROBE_SKIPPED:
			break;
	}
	args[0] = vals[0];
	args[1] = vals[1];
	rc = SPI_execute_plan(artifact_plan, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		REGISTRY_SPI_FAILED("registry.deploy: the artifact lookup", rc);
	if (SPI_processed > 0)
	{
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
		if (!*isnull)
			d = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
	}
	return d;
}

static void
RunPlan(SPIPlanPtr plan, Datum *values, const char *nulls, int expect)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, 1);

	if (rc != expect)
		REGISTRY_SPI_FAILED("registry.deploy: a statement", rc);
}

/* The function's result (a registry.deployment) from the SPI row. */
static Datum
ResultFromRow(DeployRow *row, TupleDesc rettupdesc, MemoryContext callerctx)
{
	return registry_row_datum(row->tuple, row->tupdesc, rettupdesc, callerctx,
							  "deployments");
}

/*
 * True when the stored row already holds every fact the call brings: same
 * contract, an address equal to the caller's, a tx hash when the caller has
 * one, and confirmation when the caller confirms.
 */
static bool
RowHasEverything(DeployRow *row, const char *contract, const char *address,
				 bool has_tx, bool confirmed)
{
	return strcmp(row->contract, contract) == 0 &&
		row->address != NULL && strcmp(row->address, address) == 0 &&
		(!has_tx || row->has_tx) &&
		(!confirmed || row->confirmed);
}

static void
ReportConflict(const char *project, const char *key, const char *chain,
			   DeployRow *row, const char *contract, const char *address)
{
	if (row->address != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("deployment \"%s\" on chain \"%s\" already exists with another %s",
						key, chain,
						strcmp(row->contract, contract) != 0 ? "contract" : "address"),
				 errdetail("Project \"%s\" stores contract \"%s\" at address %s; the call gave contract \"%s\" at address %s.",
						   project, row->contract, row->address, contract, address)));
	else
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("deployment \"%s\" on chain \"%s\" already exists with another contract",
						key, chain),
				 errdetail("Project \"%s\" stores a claim for contract \"%s\" with no address yet (stored address: none); the call gave contract \"%s\".",
						   project, row->contract, contract)));
}

/*
 * What registry.deploy keeps between calls (in static memory: its FmgrInfo
 * is made anew by every execution of the calling statement): the result
 * type, and for each column of it where a new row's value comes from (a
 * parameter of insert_sql, or one of the columns it returns), built again
 * whenever the type cache's descriptor of the result type changes.
 */
typedef struct DeployCallCache
{
	Oid			fn_oid;			/* the function this was made for */
	Oid			rettype;
	uint64		tupdesc_id;		/* the descriptor the map was built for */
	int			natts;
	int16	   *src;			/* per result column: 0..7 parameter $n - 1,
								 * DEPLOY_NARGS + j filled column j,
								 * -1 dropped */
	int16		facts[DEPLOY_NFACTS];	/* FactColumns of the result type */
} DeployCallCache;

static DeployCallCache deploy_cc;

static DeployCallCache *
GetCallCache(FunctionCallInfo fcinfo)
{
	DeployCallCache *cc = &deploy_cc;
	Oid			fn_oid = fcinfo->flinfo->fn_oid;

	if (cc->fn_oid != fn_oid)
	{
		Oid			rettype = get_func_rettype(fn_oid);

		if (get_typtype(rettype) != TYPTYPE_COMPOSITE)
			REGISTRY_NOT_COMPOSITE();
		cc->fn_oid = fn_oid;
		cc->rettype = rettype;
		cc->tupdesc_id = 0;
	}
	return cc;
}

static void
BuildResultMap(DeployCallCache *cc, TupleDesc rettupdesc)
{
	int			i;
	int			j;

	cc->tupdesc_id = 0;
	if (cc->src == NULL || cc->natts < rettupdesc->natts)
	{
		if (cc->src != NULL)
			pfree(cc->src);
		cc->src = MemoryContextAlloc(TopMemoryContext,
									 sizeof(int16) * Max(rettupdesc->natts, 1));
	}
	cc->natts = rettupdesc->natts;
	for (i = 0; i < rettupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(rettupdesc, i);
		const char *name = NameStr(att->attname);
		int			src = -1;

		if (att->attisdropped)
		{
			cc->src[i] = -1;
			continue;
		}
		for (j = 0; j < DEPLOY_NARGS && src < 0; j++)
			if (strcmp(name, deploy_param_cols[j]) == 0 &&
				att->atttypid == deploy_argtypes[j])
				src = j;
		for (j = 0; j < DEPLOY_NFILLED && src < 0; j++)
			if (strcmp(name, deploy_filled_cols[j]) == 0 &&
				att->atttypid == deploy_filled_types[j])
				src = DEPLOY_NARGS + j;
		if (src < 0)
			REGISTRY_ALTERED_TABLE("deployments", name);
		cc->src[i] = (int16) src;
	}
	FactColumns(rettupdesc, cc->facts);
}

/*
 * The result for a row just inserted, formed in callerctx from the
 * statement's parameters and the values the table filled in (filled, in
 * deploy_filled_cols order): the row as stored, since nothing rewrites a new
 * row on the way in (NewRowKnowable, NewRowRewritten).
 */
static Datum
NewRowResult(DeployCallCache *cc, TupleDesc rettupdesc, Datum *params,
			 const char *pnulls, Datum *filled, bool *fnulls,
			 MemoryContext callerctx)
{
	Datum	   *values;
	bool	   *nulls;
	MemoryContext old;
	HeapTuple	tuple;
	int			i;

	old = MemoryContextSwitchTo(callerctx);
	values = palloc(sizeof(Datum) * rettupdesc->natts);
	nulls = palloc(sizeof(bool) * rettupdesc->natts);
	for (i = 0; i < rettupdesc->natts; i++)
	{
		int			src = cc->src[i];

		if (src < 0)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
		}
		else if (src < DEPLOY_NARGS)
		{
			values[i] = params[src];
			nulls[i] = (pnulls[src] == 'n');
		}
		else
		{
			values[i] = filled[src - DEPLOY_NARGS];
			nulls[i] = fnulls[src - DEPLOY_NARGS];
		}
	}
	tuple = heap_form_tuple(rettupdesc, values, nulls);
	MemoryContextSwitchTo(old);
	return HeapTupleGetDatum(tuple);
}

/* The filled-in values insert_sql returned (the first row of SPI's result). */
static void
ReturnedFilled(Datum *filled, bool *fnulls)
{
	TupleDesc	spidesc = SPI_tuptable->tupdesc;
	int			j;

	if (spidesc->natts != DEPLOY_NFILLED)
		REGISTRY_ALTERED_TABLE("deployments", deploy_filled_cols[0]);
	for (j = 0; j < DEPLOY_NFILLED; j++)
		if (TupleDescAttr(spidesc, j)->atttypid != deploy_filled_types[j])
			REGISTRY_ALTERED_TABLE("deployments", deploy_filled_cols[j]);
	heap_deform_tuple(SPI_tuptable->vals[0], spidesc, filled, fnulls);
}

/*
 * The state column's rule (the generated column of registry.deployments;
 * pgTAP compares the two on every path that inserts).
 */
static const char *
DeployState(bool confirmed, bool has_address, bool has_tx_hash)
{
	if (confirmed)
		return "confirmed";
	if (has_address)
		return "deployed";
	if (has_tx_hash)
		return "broadcast";
	return "pending";
}

/*
 * True when registry.deployments has a BEFORE INSERT row trigger (an
 * operator's, never the extension's): it may change what is stored, so the
 * new row is read back instead of formed from the parameters.
 */
static bool
HasBeforeInsertRowTrigger(Relation rel)
{
	return rel->trigdesc != NULL && rel->trigdesc->trig_insert_before_row;
}

/*
 * After insert_sql has inserted a row (and so holds the table's lock): may
 * a trigger have rewritten it?
 */
static bool
NewRowRewritten(void)
{
	Oid			relid = registry_relid_cached("deployments");
	Relation	rel;
	bool		result;

	if (!OidIsValid(relid))
		return true;
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return true;
	result = HasBeforeInsertRowTrigger(rel);
	RelationClose(rel);
	return result;
}

/*
 * Can insert_known_sql insert the new row, so that it is exactly the
 * parameters plus what the call fills in?  Yes when registry.deployments has
 * no BEFORE INSERT row trigger, claimed_until no default, state is still the
 * stored generated column and the id sequence exists; *seqoid is that
 * sequence.  In a read-only transaction it says no, so that the refusal
 * names the INSERT rather than nextval().  It first takes the lock the
 * INSERT takes anyway, which takes in every change committed before and
 * makes a later CREATE TRIGGER or ALTER TABLE wait for this transaction:
 * nothing can change between the answer and the INSERT.
 */
static bool
NewRowKnowable(Oid *seqoid)
{
	Oid			relid = registry_relid_cached("deployments");
	Relation	rel;
	TupleDesc	desc;
	bool		ok;
	int			i;

	if (!OidIsValid(relid) || XactReadOnly)
		return false;			/* the INSERT reports it (not nextval) */
	LockRelationOid(relid, RowExclusiveLock);
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return false;
	ok = !HasBeforeInsertRowTrigger(rel);
	desc = RelationGetDescr(rel);
	for (i = 0; i < desc->natts && ok; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		if (strcmp(NameStr(att->attname), "claimed_until") == 0)
			ok = !att->atthasdef;
		else if (strcmp(NameStr(att->attname), "state") == 0)
			ok = att->attgenerated == ATTRIBUTE_GENERATED_STORED;
	}
	RelationClose(rel);
	if (!ok)
		return false;
	*seqoid = registry_relid_cached("deployments_id_seq");
	return OidIsValid(*seqoid);
}

/* Fill $8, the artifact revision a new or completed deployment links to. */
static void
SetRevisionArg(Datum *values, char *nulls, text *project, text *contract)
{
	bool		isnull;

	values[7] = CurrentRevision(project, contract, &isnull);
	nulls[7] = isnull ? 'n' : ' ';
}

/*
 * registry.deploy(idempotency_key, chain_id, contract, address,
 *				   tx_hash DEFAULT NULL, confirmed DEFAULT false,
 *				   project_id DEFAULT NULL) -> registry.deployment
 */
PG_FUNCTION_INFO_V1(registry_deploy);
Datum
registry_deploy(PG_FUNCTION_ARGS)
{
	text	   *key = OptTextArg(fcinfo, 0);
	text	   *chain = OptTextArg(fcinfo, 1);
	text	   *contract = OptTextArg(fcinfo, 2);
	text	   *address = OptTextArg(fcinfo, 3);
	text	   *tx_hash = OptTextArg(fcinfo, 4);
	bool		confirmed = (PG_NARGS() > 5 && !PG_ARGISNULL(5)) ? PG_GETARG_BOOL(5) : false;
	text	   *project = OptTextArg(fcinfo, 6);
	DeployCallCache *cc;
	TypeCacheEntry *tc;
	TupleDesc	rettupdesc;
	MemoryContext callerctx = CurrentMemoryContext;
	Datum		values[DEPLOY_NARGS_KNOWN];
	char		nulls[DEPLOY_NARGS_KNOWN];
	char	   *project_s;
	char	   *key_s;
	char	   *chain_s;
	char	   *contract_s;
	char	   *address_s;
	DeployRow	row;
	Datum		result;
	int			round;
	ProbeResult probe;
	bool		found;
	bool		spi_connected = false;
	bool		revision_known = false;
	int			streak;

	project = CheckDeploymentKey(project, key, chain);
	CheckField("contract", contract, DEPLOY_NAME_MAX, false);
	CheckField("address", address, DEPLOY_VALUE_MAX, false);
	if (tx_hash != NULL)
		CheckField("tx_hash", tx_hash, DEPLOY_VALUE_MAX, false);

	/*
	 * The result is a registry.deployment: its descriptor from the typcache,
	 * and the map from its columns to a new row's values.
	 */
	cc = GetCallCache(fcinfo);
	tc = lookup_type_cache(cc->rettype, TYPECACHE_TUPDESC);
	if (tc->tupDesc == NULL)
		REGISTRY_NOT_COMPOSITE();
	rettupdesc = tc->tupDesc;
	PinTupleDesc(rettupdesc);
	if (cc->tupdesc_id != tc->tupDesc_identifier)
	{
		BuildResultMap(cc, rettupdesc);
		cc->tupdesc_id = tc->tupDesc_identifier;
	}

	values[0] = PointerGetDatum(project);
	values[1] = PointerGetDatum(key);
	values[2] = PointerGetDatum(chain);
	values[3] = PointerGetDatum(contract);
	values[4] = PointerGetDatum(address);
	values[5] = PointerGetDatum(tx_hash);
	values[6] = BoolGetDatum(confirmed);
	memset(nulls, ' ', sizeof(nulls));
	if (tx_hash == NULL)
		nulls[5] = 'n';
	values[7] = (Datum) 0;
	nulls[7] = 'n';				/* looked up only when about to write */

	/*
	 * A session whose last calls all inserted new keys is most likely a
	 * deployer going through new keys: it tries the INSERT first, which finds
	 * a stored key by itself (without writing), and saves the probe.  A
	 * session replaying known keys probes first and writes nothing, and so
	 * does every call in a read-only transaction, where the INSERT would be
	 * refused even for a key that is stored.
	 */
	streak = deploy_new_streak;
	deploy_new_streak = 0;		/* stays 0 unless this call inserts */
	if (streak >= DEPLOY_NEW_STREAK && !XactReadOnly)
		probe = PROBE_SKIPPED;
	else
		probe = DirectProbe(project, key, chain, rettupdesc, cc->facts, &row);

	/* The strings the comparisons and messages need (not a new key's). */
	contract_s = text_to_cstring(contract);
	address_s = text_to_cstring(address);
	if (probe == PROBE_FOUND && RowHasEverything(&row, contract_s, address_s,
												 tx_hash != NULL, confirmed))
	{
		/* The common replay: no SPI, no write. */
		result = ResultFromRow(&row, rettupdesc, callerctx);
		ReleaseTupleDesc(rettupdesc);
		PG_RETURN_DATUM(result);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		REGISTRY_SPI_FAILED("SPI_connect", SPI_ERROR_CONNECT);
	spi_connected = true;
	EnsurePlans();

	found = (probe == PROBE_FOUND);
	if (probe == PROBE_UNAVAILABLE)
	{
		RunPlan(select_plan, values, nulls, SPI_OK_SELECT);
		found = ReadRow(&row);
	}
	if (!found)
	{
		Oid			seqoid;
		bool		known;
		Datum		filled[DEPLOY_NFILLED];
		bool		fnulls[DEPLOY_NFILLED];

		SetRevisionArg(values, nulls, project, contract);
		revision_known = true;
		known = NewRowKnowable(&seqoid);
		if (known)
		{
			/* What the column defaults would compute, computed here. */
			values[8] = Int64GetDatum(nextval_internal(seqoid, true));
			values[9] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
			nulls[8] = nulls[9] = ' ';
			RunPlan(insert_known_plan, values, nulls, SPI_OK_INSERT);
		}
		else
			RunPlan(insert_plan, values, nulls, SPI_OK_INSERT_RETURNING);
		if (SPI_processed > 0)
		{
			/* We inserted the key: the row is its parameters and what the
			 * table filled in, unless a trigger may have rewritten it. */
			deploy_new_streak = Min(streak + 1, DEPLOY_NEW_STREAK);
			if (known)
			{
				filled[0] = values[8];	/* id */
				filled[1] = CStringGetTextDatum(DeployState(confirmed, true,
															tx_hash != NULL));
				filled[2] = (Datum) 0;	/* claimed_until */
				filled[3] = filled[4] = values[9];	/* created_at, updated_at */
				memset(fnulls, false, sizeof(fnulls));
				fnulls[2] = true;
				result = NewRowResult(cc, rettupdesc, values, nulls,
									  filled, fnulls, callerctx);
			}
			else if (!NewRowRewritten())
			{
				ReturnedFilled(filled, fnulls);
				result = NewRowResult(cc, rettupdesc, values, nulls,
									  filled, fnulls, callerctx);
			}
			else
			{
				RunPlan(select_plan, values, nulls, SPI_OK_SELECT);
				if (!ReadRow(&row))
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("deployment \"%s\" on chain \"%s\" is not readable after its insert",
									text_to_cstring(key), text_to_cstring(chain)),
							 errhint("A trigger on registry.deployments changed the row's key, or a policy hides it.")));
				result = ResultFromRow(&row, rettupdesc, callerctx);
			}
			SPI_finish();
			ReleaseTupleDesc(rettupdesc);
			PG_RETURN_DATUM(result);
		}
		/* A concurrent caller inserted it first and has committed. */
		RunPlan(select_plan, values, nulls, SPI_OK_SELECT);
		if (!ReadRow(&row))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not read deployment \"%s\" on chain \"%s\" after a concurrent insert",
							text_to_cstring(key), text_to_cstring(chain)),
					 errhint("Retry the call.")));
	}

	project_s = text_to_cstring(project);
	key_s = text_to_cstring(key);
	chain_s = text_to_cstring(chain);
	for (round = 0; round < DEPLOY_MAX_ROUNDS; round++)
	{
		/* Immutable facts first: contract, and address once stored. */
		if (strcmp(row.contract, contract_s) != 0 ||
			(row.address != NULL && strcmp(row.address, address_s) != 0))
			ReportConflict(project_s, key_s, chain_s, &row, contract_s, address_s);

		/* Nothing to add: return the stored truth without writing. */
		if (RowHasEverything(&row, contract_s, address_s, tx_hash != NULL, confirmed))
			break;

		if (!revision_known)
			SetRevisionArg(values, nulls, project, contract);
		revision_known = true;
		RunPlan(update_plan, values, nulls, SPI_OK_UPDATE_RETURNING);
		if (ReadRow(&row))
			break;

		/* The row changed since we read it: read it again and re-decide. */
		RunPlan(select_plan, values, nulls, SPI_OK_SELECT);
		if (!ReadRow(&row))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("deployment \"%s\" on chain \"%s\" was deleted while being merged",
							key_s, chain_s),
					 errhint("Retry the call.")));
	}
	if (round == DEPLOY_MAX_ROUNDS)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not merge deployment \"%s\" on chain \"%s\": it keeps changing",
						key_s, chain_s),
				 errhint("Retry the call.")));

	result = ResultFromRow(&row, rettupdesc, callerctx);
	if (spi_connected)
		SPI_finish();
	ReleaseTupleDesc(rettupdesc);
	PG_RETURN_DATUM(result);
}

/*
 * registry.artifacts_changed(): statement-level trigger on registry.artifacts.
 * Every session's revision cache of registry.deploy is stale once the
 * statement's changes count: a relcache invalidation of the table says so
 * (to this session at its next command, to the others at commit).
 */
PG_FUNCTION_INFO_V1(registry_artifacts_changed);
Datum
registry_artifacts_changed(PG_FUNCTION_ARGS)
{
	return registry_invalidate_trigger(fcinfo, "registry.artifacts_changed()");
}

/*
 * registry.check_chain_id(text) -> text: returns its argument when it is a
 * valid chain id (non-empty, at most 100 bytes, no ':'), else raises 22023.
 */
PG_FUNCTION_INFO_V1(registry_check_chain_id);
Datum
registry_check_chain_id(PG_FUNCTION_ARGS)
{
	text	   *chain = OptTextArg(fcinfo, 0);

	CheckField("chain_id", chain, DEPLOY_CHAIN_MAX, true);
	PG_RETURN_TEXT_P(chain);
}

/*
 * registry.check_deploy_field(value text, field text) -> text: returns the
 * value when it is non-empty and at most 1000 bytes, else raises 22023
 * naming the field (contract names, addresses, tx hashes, artifact names).
 */
PG_FUNCTION_INFO_V1(registry_check_deploy_field);
Datum
registry_check_deploy_field(PG_FUNCTION_ARGS)
{
	text	   *value = OptTextArg(fcinfo, 0);
	char	   *field = PG_ARGISNULL(1) ? "value" : text_to_cstring(PG_GETARG_TEXT_PP(1));

	CheckField(field, value, DEPLOY_VALUE_MAX, false);
	PG_RETURN_TEXT_P(value);
}

/*
 * registry.deployment_row_ok(project_id, idempotency_key, chain_id, contract,
 * address, tx_hash, confirmed) -> boolean: the CHECK of registry.deployments
 * in one call.  The project id is valid; the key, chain id and contract are
 * not empty; the chain id holds no ':'; an address or tx hash, when present,
 * is not empty; a confirmed deployment has an address.  The rules are the
 * seven CHECKs 0.1.0 to 0.8.0 declared; one function call instead, because
 * the executor reads every CHECK's expression tree from its text for every
 * statement that writes the table.
 *
 * Not STRICT: address and tx_hash are nullable columns it judges.  A NULL in
 * one of the table's NOT NULL columns gives NULL (unknown, which a CHECK
 * lets pass): the column's NOT NULL constraint, checked first, reports it.
 */
PG_FUNCTION_INFO_V1(registry_deployment_row_ok);
Datum
registry_deployment_row_ok(PG_FUNCTION_ARGS)
{
	text	   *project;
	text	   *chain;
	text	   *address;
	text	   *tx_hash;
	const char *chain_p;
	int			chain_len;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		PG_ARGISNULL(3) || PG_ARGISNULL(6))
		PG_RETURN_NULL();

	project = PG_GETARG_TEXT_PP(0);
	if (!registry_valid_id(VARDATA_ANY(project), VARSIZE_ANY_EXHDR(project)))
		PG_RETURN_BOOL(false);
	if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) == 0 ||	/* idempotency_key */
		VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(3)) == 0)	/* contract */
		PG_RETURN_BOOL(false);
	chain = PG_GETARG_TEXT_PP(2);
	chain_p = VARDATA_ANY(chain);
	chain_len = VARSIZE_ANY_EXHDR(chain);
	if (chain_len == 0 || memchr(chain_p, ':', chain_len) != NULL)
		PG_RETURN_BOOL(false);
	address = PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4);
	if (address != NULL && VARSIZE_ANY_EXHDR(address) == 0)
		PG_RETURN_BOOL(false);
	tx_hash = PG_ARGISNULL(5) ? NULL : PG_GETARG_TEXT_PP(5);
	if (tx_hash != NULL && VARSIZE_ANY_EXHDR(tx_hash) == 0)
		PG_RETURN_BOOL(false);
	/* confirmed only with an address */
	PG_RETURN_BOOL(!PG_GETARG_BOOL(6) || address != NULL);
}
