/*-------------------------------------------------------------------------
 *
 * chunk.c
 *		SQL-callable functions of the chunk catalog (SPEC.md section 3): the
 *		ledger/chunk arithmetic, the catalog keys and their parsers, and the
 *		storage-root locks of a daemon.
 *
 * The arithmetic and the key codec live in chunk_core.c (plain C); this
 * file turns their statuses into errors with SQLSTATEs.  The catalog
 * tables and the freeze/prune protocol are SQL objects (sql/registry.sql).
 *
 * Root locks are session-level advisory locks in a key space of their own
 * (database 0, so they are cluster-wide: one filesystem path, one lock,
 * whichever database a daemon uses), keyed by the first 64 bits of the
 * SHA-256 of the normalised path.  The lock manager drops session locks
 * when a backend exits, however it exits, so a dead daemon's roots are
 * free at once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#if PG_VERSION_NUM >= 140000
#include "common/cryptohash.h"
#else
#include "common/sha2.h"
#endif
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "chunk_core.h"
#include "registry.h"

/* locktag_field4 of a root lock: pg_advisory_lock uses 1 and 2. */
#define ROOT_LOCK_SPACE 21074

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------
 */

static void
ReportChunkArg(ChunkStatus st, const char *what, int64 value)
{
	switch (st)
	{
		case CHUNK_OK:
			return;
		case CHUNK_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s " INT64_FORMAT " is out of range", what, value)));
			break;
		case CHUNK_BAD_VALUE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s " INT64_FORMAT " is outside the domain of the function", what, value)));
			break;
		case CHUNK_BAD_SYNTAX:
			REGISTRY_CANNOT_HAPPEN("unexpected syntax status for a number");
	}
}

static void
CheckChunkForText(int64 chunk)
{
	if (chunk < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chunk " INT64_FORMAT " is negative", chunk),
				 errdetail("Chunk ids, buckets and keys exist for chunks 0 to %d.",
						   CHUNK_MAX_KEYED_ID)));
	if (chunk > CHUNK_MAX_KEYED_ID)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("chunk " INT64_FORMAT " does not fit the 8-digit chunk id", chunk),
				 errdetail("Chunk ids, buckets and keys exist for chunks 0 to %d.",
						   CHUNK_MAX_KEYED_ID)));
}

static ChunkKind
KindArg(text *t)
{
	ChunkKind	k = chunk_kind_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (k == CHUNK_KIND_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown chunk kind \"%s\"", text_to_cstring(t)),
				 errhint("The kinds are ledgers, events and txhash.")));
	return k;
}

/* ------------------------------------------------------------------------
 * Arithmetic
 * ------------------------------------------------------------------------
 */

/* registry.chunk_for_ledger(ledger bigint) -> bigint */
PG_FUNCTION_INFO_V1(registry_chunk_for_ledger);
Datum
registry_chunk_for_ledger(PG_FUNCTION_ARGS)
{
	int64		ledger = PG_GETARG_INT64(0);
	int64_t		chunk;

	if (chunk_for_ledger(ledger, &chunk) != CHUNK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger " INT64_FORMAT " is below the genesis ledger %d",
						ledger, CHUNK_GENESIS_LEDGER)));
	PG_RETURN_INT64(chunk);
}

/* registry.chunk_first_ledger(chunk bigint) -> bigint */
PG_FUNCTION_INFO_V1(registry_chunk_first_ledger);
Datum
registry_chunk_first_ledger(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	int64_t		ledger;
	ChunkStatus st = chunk_first_ledger(chunk, &ledger);

	if (st == CHUNK_BAD_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chunk " INT64_FORMAT " is negative and has no first ledger", chunk)));
	if (st == CHUNK_OUT_OF_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("first ledger of chunk " INT64_FORMAT " is out of range for type bigint", chunk)));
	PG_RETURN_INT64(ledger);
}

/* registry.chunk_last_ledger(chunk bigint) -> bigint (1 for chunk < 0) */
PG_FUNCTION_INFO_V1(registry_chunk_last_ledger);
Datum
registry_chunk_last_ledger(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	int64_t		ledger;

	if (chunk_last_ledger(chunk, &ledger) != CHUNK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("last ledger of chunk " INT64_FORMAT " is out of range for type bigint", chunk)));
	PG_RETURN_INT64(ledger);
}

/* registry.last_complete_chunk_at(ledger bigint) -> bigint (-1 when none) */
PG_FUNCTION_INFO_V1(registry_last_complete_chunk_at);
Datum
registry_last_complete_chunk_at(PG_FUNCTION_ARGS)
{
	int64		ledger = PG_GETARG_INT64(0);
	int64_t		chunk;

	if (chunk_last_complete_at(ledger, &chunk) != CHUNK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger " INT64_FORMAT " is below the pre-genesis watermark %d",
						ledger, CHUNK_PRE_GENESIS_LEDGER)));
	PG_RETURN_INT64(chunk);
}

/*
 * registry.effective_retention_floor(upper_ledger bigint, retention_chunks
 * bigint, earliest_ledger bigint) -> bigint
 */
PG_FUNCTION_INFO_V1(registry_effective_retention_floor);
Datum
registry_effective_retention_floor(PG_FUNCTION_ARGS)
{
	int64		upper = PG_GETARG_INT64(0);
	int64		retention = PG_GETARG_INT64(1);
	int64		earliest = PG_GETARG_INT64(2);
	int64_t		floor_ledger;

	if (upper < CHUNK_PRE_GENESIS_LEDGER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("upper_ledger " INT64_FORMAT " is below the pre-genesis watermark %d",
						upper, CHUNK_PRE_GENESIS_LEDGER)));
	if (retention < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_chunks must not be negative"),
				 errdetail("It is " INT64_FORMAT "; 0 keeps every chunk.", retention)));
	if (earliest < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("earliest_ledger must not be negative"),
				 errdetail("It is " INT64_FORMAT "; 0 means no earliest-ledger pin.", earliest)));
	ReportChunkArg(chunk_retention_floor(upper, retention, earliest, &floor_ledger),
				   "upper_ledger", upper);
	PG_RETURN_INT64(floor_ledger);
}

/* registry.chunk_below_floor(chunk bigint, floor_ledger bigint) -> boolean */
PG_FUNCTION_INFO_V1(registry_chunk_below_floor);
Datum
registry_chunk_below_floor(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(chunk_below_floor(PG_GETARG_INT64(0), PG_GETARG_INT64(1)));
}

/* ------------------------------------------------------------------------
 * Text forms and keys
 * ------------------------------------------------------------------------
 */

/* registry.chunk_id_text(chunk bigint) -> text, %08d */
PG_FUNCTION_INFO_V1(registry_chunk_id_text);
Datum
registry_chunk_id_text(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	char		buf[CHUNK_ID_TEXT_SIZE];

	CheckChunkForText(chunk);
	(void) chunk_format_id(chunk, buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* registry.chunk_bucket(chunk bigint) -> text, %05d of chunk / 1000 */
PG_FUNCTION_INFO_V1(registry_chunk_bucket);
Datum
registry_chunk_bucket(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	char		buf[CHUNK_BUCKET_TEXT_SIZE];

	CheckChunkForText(chunk);
	(void) chunk_format_bucket(chunk, buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* registry.chunk_key(chunk bigint, kind text) -> text */
PG_FUNCTION_INFO_V1(registry_chunk_key);
Datum
registry_chunk_key(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	ChunkKind	kind = KindArg(PG_GETARG_TEXT_PP(1));
	char		buf[CHUNK_KEY_SIZE];

	CheckChunkForText(chunk);
	(void) chunk_format_key(chunk, kind, buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* registry.hot_chunk_key(chunk bigint) -> text */
PG_FUNCTION_INFO_V1(registry_hot_chunk_key);
Datum
registry_hot_chunk_key(PG_FUNCTION_ARGS)
{
	int64		chunk = PG_GETARG_INT64(0);
	char		buf[CHUNK_HOT_KEY_SIZE];

	CheckChunkForText(chunk);
	(void) chunk_format_hot_key(chunk, buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* registry.valid_chunk_kind(kind text) -> boolean, for CHECK constraints */
PG_FUNCTION_INFO_V1(registry_valid_chunk_kind);
Datum
registry_valid_chunk_kind(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(chunk_kind_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) !=
				   CHUNK_KIND_INVALID);
}

static void
ReportBadKey(const char *what, text *t, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid %s: \"%s\"", what, text_to_cstring(t)),
			 errhint("%s", hint)));
}

/* registry.parse_chunk_id(text) -> bigint: exactly 8 digits */
PG_FUNCTION_INFO_V1(registry_parse_chunk_id);
Datum
registry_parse_chunk_id(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int64_t		chunk;

	if (chunk_parse_id(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &chunk) != CHUNK_OK)
		ReportBadKey("chunk id", t, "A chunk id is exactly 8 decimal digits.");
	PG_RETURN_INT64(chunk);
}

/* registry.parse_chunk_key(text) -> (chunk bigint, kind text) */
PG_FUNCTION_INFO_V1(registry_parse_chunk_key);
Datum
registry_parse_chunk_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int64_t		chunk;
	ChunkKind	kind;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (chunk_parse_key(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &chunk, &kind) != CHUNK_OK)
		ReportBadKey("chunk key", t,
					 "A chunk key is chunk:NNNNNNNN:KIND with exactly 8 digits and KIND one of ledgers, events, txhash.");
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		REGISTRY_NOT_COMPOSITE();
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(chunk);
	values[1] = CStringGetTextDatum(chunk_kind_name(kind));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* registry.parse_hot_chunk_key(text) -> bigint */
PG_FUNCTION_INFO_V1(registry_parse_hot_chunk_key);
Datum
registry_parse_hot_chunk_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int64_t		chunk;

	if (chunk_parse_hot_key(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &chunk) != CHUNK_OK)
		ReportBadKey("hot chunk key", t,
					 "A hot chunk key is hot:chunk:NNNNNNNN with exactly 8 digits.");
	PG_RETURN_INT64(chunk);
}

/* ------------------------------------------------------------------------
 * Root locks
 * ------------------------------------------------------------------------
 */

typedef struct HeldRoot
{
	char	   *path;			/* normalised, in TopMemoryContext */
	LOCKTAG		tag;
} HeldRoot;

static HeldRoot *held_roots = NULL;
static int	n_held_roots = 0;
static int	max_held_roots = 0;

/* Normalise a root argument, or raise 22023. Result is palloc'd. */
static char *
NormalizeRoot(text *t)
{
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	char	   *out = palloc(len + 1);
	size_t		outlen;

	if (chunk_normalize_path(s, len, out, &outlen) != CHUNK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("storage root \"%s\" is not an absolute path", text_to_cstring(t)),
				 errhint("Give roots as absolute paths such as /var/lib/archive/ledgers.")));
	return out;
}

static void
RootLockTag(const char *path, LOCKTAG *tag)
{
	uint8		digest[32];
#if PG_VERSION_NUM >= 140000
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) path, strlen(path)) < 0 ||
#if PG_VERSION_NUM >= 150000
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0
#else
		pg_cryptohash_final(ctx, digest) < 0
#endif
		)
		REGISTRY_CANNOT_HAPPEN("could not compute the SHA-256 of a storage root");
	pg_cryptohash_free(ctx);
#else
	pg_sha256_ctx ctx;

	pg_sha256_init(&ctx);
	pg_sha256_update(&ctx, (const uint8 *) path, strlen(path));
	pg_sha256_final(&ctx, digest);
#endif

	/* the first 64 bits of the digest, big-endian, as two 32-bit fields */
	SET_LOCKTAG_ADVISORY(*tag, InvalidOid,
						 ((uint32) digest[0] << 24) | ((uint32) digest[1] << 16) |
						 ((uint32) digest[2] << 8) | digest[3],
						 ((uint32) digest[4] << 24) | ((uint32) digest[5] << 16) |
						 ((uint32) digest[6] << 8) | digest[7],
						 ROOT_LOCK_SPACE);
}

static bool
RootLockHeldByMe(const LOCKTAG *tag)
{
#if PG_VERSION_NUM >= 170000
	return LockHeldByMe(tag, ExclusiveLock, false);
#else
	return LockHeldByMe(tag, ExclusiveLock);
#endif
}

/*
 * Forget bookkeeping entries whose lock this session no longer holds
 * (pg_advisory_unlock_all() and DISCARD ALL release every advisory lock,
 * ours included).
 */
static void
PruneHeldRoots(void)
{
	int			i,
				j = 0;

	for (i = 0; i < n_held_roots; i++)
	{
		if (RootLockHeldByMe(&held_roots[i].tag))
			held_roots[j++] = held_roots[i];
		else
			pfree(held_roots[i].path);
	}
	n_held_roots = j;
}

static int
FindHeldRoot(const char *path)
{
	int			i;

	for (i = 0; i < n_held_roots; i++)
		if (strcmp(held_roots[i].path, path) == 0)
			return i;
	return -1;
}

static void
RememberRoot(const char *path, const LOCKTAG *tag)
{
	if (n_held_roots == max_held_roots)
	{
		int			newmax = max_held_roots == 0 ? 8 : max_held_roots * 2;

		if (held_roots == NULL)
			held_roots = MemoryContextAlloc(TopMemoryContext, newmax * sizeof(HeldRoot));
		else
			held_roots = repalloc(held_roots, newmax * sizeof(HeldRoot));
		max_held_roots = newmax;
	}
	held_roots[n_held_roots].path = MemoryContextStrdup(TopMemoryContext, path);
	held_roots[n_held_roots].tag = *tag;
	n_held_roots++;
}

/* The pid of another backend holding the lock, or 0 when none is seen. */
static int
RootLockHolder(const LOCKTAG *tag)
{
	LockData   *data = GetLockStatusData();
	int			i;

	for (i = 0; i < data->nelements; i++)
	{
		LockInstanceData *inst = &data->locks[i];

		if (inst->holdMask != 0 && inst->pid != MyProcPid &&
			memcmp(&inst->locktag, tag, sizeof(LOCKTAG)) == 0)
			return inst->pid;
	}
	return 0;
}

/*
 * registry.lock_roots(roots text[]) -> text[]: locks every root or none.
 * Roots this session already holds are kept; the result is the normalised
 * form of each argument, duplicates removed, in argument order.
 */
PG_FUNCTION_INFO_V1(registry_lock_roots);
Datum
registry_lock_roots(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *enulls;
	int			nelems;
	char	  **paths;
	LOCKTAG    *tags;
	bool	   *taken;
	int			npaths = 0;
	int			i;
	Datum	   *out;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &nelems);
	if (nelems == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("roots must not be empty")));
	paths = palloc(nelems * sizeof(char *));
	tags = palloc(nelems * sizeof(LOCKTAG));
	taken = palloc0(nelems * sizeof(bool));

	/* Validate and normalise everything before taking any lock. */
	for (i = 0; i < nelems; i++)
	{
		char	   *p;
		int			j;
		bool		dup = false;

		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("roots must not contain null")));
		p = NormalizeRoot(DatumGetTextPP(elems[i]));
		for (j = 0; j < npaths; j++)
			if (strcmp(paths[j], p) == 0)
				dup = true;
		if (dup)
			continue;
		paths[npaths] = p;
		RootLockTag(p, &tags[npaths]);
		npaths++;
	}

	PruneHeldRoots();
	for (i = 0; i < npaths; i++)
	{
		LockAcquireResult res;

		if (FindHeldRoot(paths[i]) >= 0)
			continue;
		res = LockAcquire(&tags[i], ExclusiveLock, true, true);
		if (res == LOCKACQUIRE_NOT_AVAIL)
		{
			int			holder = RootLockHolder(&tags[i]);
			int			j;

			/* all or none: give back what this call took */
			for (j = 0; j < i; j++)
				if (taken[j])
					LockRelease(&tags[j], ExclusiveLock, true);
			if (holder != 0)
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("storage root \"%s\" is locked by another session", paths[i]),
						 errdetail("Process %d holds it; no root was locked.", holder)));
			else
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("storage root \"%s\" is locked by another session", paths[i]),
						 errdetail("No root was locked.")));
		}
		taken[i] = true;
	}
	for (i = 0; i < npaths; i++)
		if (taken[i])
			RememberRoot(paths[i], &tags[i]);

	out = palloc(npaths * sizeof(Datum));
	for (i = 0; i < npaths; i++)
		out[i] = CStringGetTextDatum(paths[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, npaths, TEXTOID, -1, false, TYPALIGN_INT));
}

/* registry.release_roots() -> integer: how many roots were released */
PG_FUNCTION_INFO_V1(registry_release_roots);
Datum
registry_release_roots(PG_FUNCTION_ARGS)
{
	int			n;
	int			i;

	PruneHeldRoots();
	n = n_held_roots;
	for (i = 0; i < n_held_roots; i++)
	{
		LockRelease(&held_roots[i].tag, ExclusiveLock, true);
		pfree(held_roots[i].path);
	}
	n_held_roots = 0;
	PG_RETURN_INT32(n);
}

/* registry.held_roots() -> text[]: the roots this session holds, in order */
PG_FUNCTION_INFO_V1(registry_held_roots);
Datum
registry_held_roots(PG_FUNCTION_ARGS)
{
	Datum	   *out;
	int			i;

	PruneHeldRoots();
	out = palloc((n_held_roots + 1) * sizeof(Datum));
	for (i = 0; i < n_held_roots; i++)
		out[i] = CStringGetTextDatum(held_roots[i].path);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n_held_roots, TEXTOID, -1, false, TYPALIGN_INT));
}

/* registry.normalize_root(text) -> text */
PG_FUNCTION_INFO_V1(registry_normalize_root);
Datum
registry_normalize_root(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(NormalizeRoot(PG_GETARG_TEXT_PP(0))));
}
