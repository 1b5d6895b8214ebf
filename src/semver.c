/*-------------------------------------------------------------------------
 *
 * semver.c
 *		The registry.semver type: SemVer 2.0.0 versions with node-semver
 *		ranges.
 *
 * On disk a value is a varlena holding
 *		keylen		1 byte (< 0x80) or 4 bytes big-endian with the top bit set
 *		key			the order-preserving key of semver_core.h
 *		build		build metadata without the '+', to the end of the datum
 * so "1.2.3" takes 5 bytes on disk (a 1-byte header, keylen, 4 key bytes - 1).
 * Comparison, equality and hashing look at the key only, so build metadata
 * is ignored by all three, and the sort support's abbreviated key is the
 * first 8 key bytes, which never contradicts the full comparison.
 *
 * The parsing and comparison themselves are in semver_core.c (plain C).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/hyperloglog.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif

#include "semver_core.h"

/* A stored value that does not decode: only a damaged page or datum gives one. */
#define SV_CORRUPT() \
	ereport(ERROR, \
			(errcode(ERRCODE_DATA_CORRUPTED), \
			 errmsg("corrupt registry.semver value")))

/* Binary format of send/recv: a format byte, then the version as text. */
#define SEMVER_BINARY_FORMAT 1

/* A version's text form is limited so that every size below fits an int. */
#define SEMVER_MAX_TEXT 65535

/*
 * Detoast only what needs it: a value with a short header is used in place
 * (the sort paths call this once per tuple or comparison).
 */
static inline struct varlena *
SvDetoast(Datum d)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_COMPRESSED(p) || VARATT_IS_EXTERNAL(p))
		return pg_detoast_datum_packed(p);
	return p;
}

#define DatumGetSemverPP(X)		SvDetoast(X)
#define PG_GETARG_SEMVER_PP(n)	DatumGetSemverPP(PG_GETARG_DATUM(n))

/* The parts of a stored value. */
typedef struct SvParts
{
	const uint8 *key;
	size_t		keylen;
	const char *build;
	size_t		buildlen;
} SvParts;

static inline void
SvSplit(const struct varlena *v, SvParts *p)
{
	const uint8 *d = (const uint8 *) VARDATA_ANY(v);
	size_t		n = VARSIZE_ANY_EXHDR(v);
	size_t		hdr;
	size_t		klen;

	if (n >= 1 && d[0] < 0x80)
	{
		hdr = 1;
		klen = d[0];
	}
	else if (n >= 4)
	{
		hdr = 4;
		klen = ((size_t) (d[0] & 0x7f) << 24) | ((size_t) d[1] << 16) |
			((size_t) d[2] << 8) | d[3];
	}
	else
		SV_CORRUPT();
	if (klen > n - hdr)
		SV_CORRUPT();
	p->key = d + hdr;
	p->keylen = klen;
	p->build = (const char *) d + hdr + klen;
	p->buildlen = n - hdr - klen;
}

/* Build a datum from a parsed version. */
static struct varlena *
SvMake(const sv_version *v)
{
	size_t		bound = sv_key_bound(v);
	uint8	   *keybuf = palloc(bound);
	size_t		klen = sv_encode_key(v, keybuf);
	size_t		hdr = klen < 0x80 ? 1 : 4;
	size_t		total = VARHDRSZ + hdr + klen + v->build_len;
	struct varlena *r = palloc(total);
	uint8	   *d = (uint8 *) VARDATA(r);

	SET_VARSIZE(r, total);
	if (hdr == 1)
		d[0] = (uint8) klen;
	else
	{
		d[0] = (uint8) (0x80 | (klen >> 24));
		d[1] = (uint8) (klen >> 16);
		d[2] = (uint8) (klen >> 8);
		d[3] = (uint8) klen;
	}
	memcpy(d + hdr, keybuf, klen);
	if (v->build_len > 0)
		memcpy(d + hdr + klen, v->build, v->build_len);
	pfree(keybuf);
	return r;
}

static char *
SvToCString(const struct varlena *v)
{
	SvParts		p;
	char	   *out;

	SvSplit(v, &p);
	out = palloc(sv_text_bound(p.keylen) + p.buildlen + 2);
	if (sv_key_to_text(p.key, p.keylen, p.build, p.buildlen, out) == (size_t) -1)
		SV_CORRUPT();
	return out;
}

static inline int
SvCmp(const struct varlena *a, const struct varlena *b)
{
	SvParts		pa,
				pb;

	SvSplit(a, &pa);
	SvSplit(b, &pb);
	return sv_key_cmp(pa.key, pa.keylen, pb.key, pb.keylen);
}

/*
 * Parse strict or lenient text; on failure report 22P02 (softly through
 * escontext where the server has soft errors) and return NULL.
 */
static struct varlena *
SvParse(const char *s, size_t len, bool lenient, const char *what, Node *escontext)
{
	sv_version	v;
	sv_error	err;
	int			ok;

	if (len > SEMVER_MAX_TEXT)
	{
#if PG_VERSION_NUM >= 160000
		ereturn(escontext, NULL,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid input syntax for type %s", what),
				errdetail("The version is %zu bytes long; the limit is %d bytes.",
						  len, SEMVER_MAX_TEXT));
#else
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid input syntax for type %s", what),
				errdetail("The version is %zu bytes long; the limit is %d bytes.",
						  len, SEMVER_MAX_TEXT));
#endif
	}
	ok = lenient ? sv_parse_lenient(s, len, &v, &err) : sv_parse_strict(s, len, &v, &err);
	if (!ok)
	{
		char	   *shown = pnstrdup(s, Min(len, 200));

#if PG_VERSION_NUM >= 160000
		ereturn(escontext, NULL,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid input syntax for type %s: \"%s\"", what, shown),
				errdetail("At character %zu: %s.", err.pos, err.msg));
#else
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid input syntax for type %s: \"%s\"", what, shown),
				errdetail("At character %zu: %s.", err.pos, err.msg));
#endif
	}
	return SvMake(&v);
}

/* ---------------------------------------------------------------------
 * I/O
 * ---------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(semver_in);
Datum
semver_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	struct varlena *r;
	Node	   *escontext = NULL;

#if PG_VERSION_NUM >= 160000
	escontext = fcinfo->context;
#endif
	r = SvParse(s, strlen(s), false, "semver", escontext);
	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(semver_out);
Datum
semver_out(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);

	PG_RETURN_CSTRING(SvToCString(v));
}

PG_FUNCTION_INFO_V1(semver_recv);
Datum
semver_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			format = pq_getmsgbyte(buf);
	const char *s;
	int			len;

	if (format != SEMVER_BINARY_FORMAT)
		ereport(ERROR,
				errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				errmsg("unsupported binary format %d for type semver", format),
				errdetail("This server reads format %d.", SEMVER_BINARY_FORMAT));
	len = buf->len - buf->cursor;
	s = pq_getmsgbytes(buf, len);
	PG_RETURN_POINTER(SvParse(s, (size_t) len, false, "semver", NULL));
}

PG_FUNCTION_INFO_V1(semver_send);
Datum
semver_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);
	char	   *s = SvToCString(v);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SEMVER_BINARY_FORMAT);
	pq_sendbytes(&buf, s, strlen(s));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* registry.to_semver(text): the lenient constructor */
PG_FUNCTION_INFO_V1(to_semver);
Datum
to_semver(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_POINTER(SvParse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true,
							  "semver", NULL));
}

/* ---------------------------------------------------------------------
 * Comparison
 * ---------------------------------------------------------------------
 */

#define SEMVER_CMP_FN(name, expr) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	struct varlena *a = PG_GETARG_SEMVER_PP(0); \
	struct varlena *b = PG_GETARG_SEMVER_PP(1); \
	int			c = SvCmp(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	expr; \
}

SEMVER_CMP_FN(semver_cmp, PG_RETURN_INT32(c))
SEMVER_CMP_FN(semver_eq, PG_RETURN_BOOL(c == 0))
SEMVER_CMP_FN(semver_ne, PG_RETURN_BOOL(c != 0))
SEMVER_CMP_FN(semver_lt, PG_RETURN_BOOL(c < 0))
SEMVER_CMP_FN(semver_le, PG_RETURN_BOOL(c <= 0))
SEMVER_CMP_FN(semver_gt, PG_RETURN_BOOL(c > 0))
SEMVER_CMP_FN(semver_ge, PG_RETURN_BOOL(c >= 0))

PG_FUNCTION_INFO_V1(semver_smaller);
Datum
semver_smaller(PG_FUNCTION_ARGS)
{
	Datum		a = PG_GETARG_DATUM(0);
	Datum		b = PG_GETARG_DATUM(1);

	PG_RETURN_DATUM(SvCmp(DatumGetSemverPP(a), DatumGetSemverPP(b)) <= 0 ? a : b);
}

PG_FUNCTION_INFO_V1(semver_larger);
Datum
semver_larger(PG_FUNCTION_ARGS)
{
	Datum		a = PG_GETARG_DATUM(0);
	Datum		b = PG_GETARG_DATUM(1);

	PG_RETURN_DATUM(SvCmp(DatumGetSemverPP(a), DatumGetSemverPP(b)) >= 0 ? a : b);
}

/* registry.semver_cmp_build(a, b): precedence, then build metadata */
PG_FUNCTION_INFO_V1(semver_cmp_build);
Datum
semver_cmp_build(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_SEMVER_PP(0);
	struct varlena *b = PG_GETARG_SEMVER_PP(1);
	SvParts		pa,
				pb;
	int			c;

	SvSplit(a, &pa);
	SvSplit(b, &pb);
	c = sv_key_cmp(pa.key, pa.keylen, pb.key, pb.keylen);
	if (c == 0)
		c = sv_build_cmp(pa.build, pa.buildlen, pb.build, pb.buildlen);
	PG_RETURN_INT32(c);
}

PG_FUNCTION_INFO_V1(semver_hash);
Datum
semver_hash(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);
	SvParts		p;
	Datum		h;

	SvSplit(v, &p);
	h = hash_any(p.key, (int) p.keylen);
	PG_FREE_IF_COPY(v, 0);
	return h;
}

PG_FUNCTION_INFO_V1(semver_hash_extended);
Datum
semver_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);
	uint64		seed = (uint64) PG_GETARG_INT64(1);
	SvParts		p;
	Datum		h;

	SvSplit(v, &p);
	h = hash_any_extended(p.key, (int) p.keylen, seed);
	PG_FREE_IF_COPY(v, 0);
	return h;
}

/* ---------------------------------------------------------------------
 * Sort support with an abbreviated key
 * ---------------------------------------------------------------------
 */

static int
SvFastCmp(Datum x, Datum y, SortSupport ssup)
{
	struct varlena *a = DatumGetSemverPP(x);
	struct varlena *b = DatumGetSemverPP(y);
	int			c = SvCmp(a, b);

	if ((Pointer) a != DatumGetPointer(x))
		pfree(a);
	if ((Pointer) b != DatumGetPointer(y))
		pfree(b);
	return c;
}

#if SIZEOF_DATUM >= 8
typedef struct SvSortState
{
	int64		input_count;
	bool		estimating;
	hyperLogLogState abbr_card;
} SvSortState;

#if PG_VERSION_NUM < 150000
static int
SvAbbrevCmp(Datum x, Datum y, SortSupport ssup)
{
	if (x > y)
		return 1;
	if (x < y)
		return -1;
	return 0;
}
#endif

static Datum
SvAbbrevConvert(Datum original, SortSupport ssup)
{
	SvSortState *ss = (SvSortState *) ssup->ssup_extra;
	struct varlena *v = DatumGetSemverPP(original);
	SvParts		p;
	uint64		abbrev;

	SvSplit(v, &p);
	{
		/* the first 8 key bytes, big-endian, zero-padded (sv_key_abbrev) */
		uint64		be = 0;

		memcpy(&be, p.key, Min(p.keylen, sizeof(be)));
		abbrev = pg_ntoh64(be);
	}
	if ((Pointer) v != DatumGetPointer(original))
		pfree(v);
	ss->input_count++;
	if (ss->estimating)
	{
		uint32		tmp = (uint32) (abbrev ^ (abbrev >> 32));

		addHyperLogLog(&ss->abbr_card, DatumGetUInt32(hash_uint32(tmp)));
	}
	return (Datum) abbrev;
}

/*
 * Abbreviation pays unless nearly every value shares the same first 8 key
 * bytes (numeric_abbrev_abort's rule).
 */
static bool
SvAbbrevAbort(int memtupcount, SortSupport ssup)
{
	SvSortState *ss = (SvSortState *) ssup->ssup_extra;
	double		abbr_card;

	if (memtupcount < 10000 || ss->input_count < 10000 || !ss->estimating)
		return false;
	abbr_card = estimateHyperLogLog(&ss->abbr_card);
	if (abbr_card > 100000.0)
	{
		ss->estimating = false;
		return false;
	}
	if (abbr_card < ss->input_count / 10000.0 + 0.5)
		return true;
	return false;
}
#endif							/* SIZEOF_DATUM >= 8 */

PG_FUNCTION_INFO_V1(semver_sortsupport);
Datum
semver_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = SvFastCmp;
#if SIZEOF_DATUM >= 8
	if (ssup->abbreviate)
	{
		SvSortState *ss;
		MemoryContext old = MemoryContextSwitchTo(ssup->ssup_cxt);

		ss = palloc0(sizeof(SvSortState));
		ss->estimating = true;
		initHyperLogLog(&ss->abbr_card, 10);
		MemoryContextSwitchTo(old);
		ssup->ssup_extra = ss;
		ssup->abbrev_full_comparator = SvFastCmp;
#if PG_VERSION_NUM >= 150000
		ssup->comparator = ssup_datum_unsigned_cmp;
#else
		ssup->comparator = SvAbbrevCmp;
#endif
		ssup->abbrev_converter = SvAbbrevConvert;
		ssup->abbrev_abort = SvAbbrevAbort;
	}
#endif
	PG_RETURN_VOID();
}

/* ---------------------------------------------------------------------
 * Accessors and bumps
 * ---------------------------------------------------------------------
 */

static void
SvMain(struct varlena *v, sv_main *m, SvParts *p)
{
	SvSplit(v, p);
	if (!sv_key_main(p->key, p->keylen, m))
		SV_CORRUPT();
}

PG_FUNCTION_INFO_V1(semver_major);
Datum
semver_major(PG_FUNCTION_ARGS)
{
	sv_main		m;
	SvParts		p;

	SvMain(PG_GETARG_SEMVER_PP(0), &m, &p);
	PG_RETURN_INT64((int64) m.major);
}

PG_FUNCTION_INFO_V1(semver_minor);
Datum
semver_minor(PG_FUNCTION_ARGS)
{
	sv_main		m;
	SvParts		p;

	SvMain(PG_GETARG_SEMVER_PP(0), &m, &p);
	PG_RETURN_INT64((int64) m.minor);
}

PG_FUNCTION_INFO_V1(semver_patch);
Datum
semver_patch(PG_FUNCTION_ARGS)
{
	sv_main		m;
	SvParts		p;

	SvMain(PG_GETARG_SEMVER_PP(0), &m, &p);
	PG_RETURN_INT64((int64) m.patch);
}

/* registry.semver_prerelease(v): the prerelease text, NULL for a release */
PG_FUNCTION_INFO_V1(semver_prerelease);
Datum
semver_prerelease(PG_FUNCTION_ARGS)
{
	SvParts		p;
	char	   *buf;
	size_t		n;

	SvSplit(PG_GETARG_SEMVER_PP(0), &p);
	buf = palloc(sv_text_bound(p.keylen) + 1);
	n = sv_key_prerelease_text(p.key, p.keylen, buf);
	if (n == (size_t) -1)
		SV_CORRUPT();
	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, (int) n));
}

/* registry.semver_build(v): the build metadata, NULL when there is none */
PG_FUNCTION_INFO_V1(semver_build);
Datum
semver_build(PG_FUNCTION_ARGS)
{
	SvParts		p;

	SvSplit(PG_GETARG_SEMVER_PP(0), &p);
	if (p.buildlen == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(p.build, (int) p.buildlen));
}

PG_FUNCTION_INFO_V1(semver_bump);
Datum
semver_bump(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);
	char	   *part = text_to_cstring(PG_GETARG_TEXT_PP(1));
	sv_bump_part bp;
	SvParts		p;
	char	   *out;
	int			rc;

	if (strcmp(part, "major") == 0)
		bp = SV_BUMP_MAJOR;
	else if (strcmp(part, "minor") == 0)
		bp = SV_BUMP_MINOR;
	else if (strcmp(part, "patch") == 0)
		bp = SV_BUMP_PATCH;
	else if (strcmp(part, "prerelease") == 0)
		bp = SV_BUMP_PRERELEASE;
	else
		ereport(ERROR,
				errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("unknown version part \"%s\"", part),
				errhint("Use major, minor, patch or prerelease."));
	SvSplit(v, &p);
	out = palloc(sv_bump_bound(p.keylen));
	rc = sv_bump(p.key, p.keylen, bp, out);
	if (rc == SV_BUMP_OVERFLOW)
		ereport(ERROR,
				errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				errmsg("version part out of range"),
				errdetail("Bumping the %s part would exceed %lld.", part,
						  (long long) PG_INT64_MAX));
	if (rc != SV_BUMP_OK)
		SV_CORRUPT();
	PG_RETURN_POINTER(SvParse(out, strlen(out), false, "semver", NULL));
}

/* registry.version_cmp(text, text): -1, 0 or 1 for strict version texts */
PG_FUNCTION_INFO_V1(version_cmp);
Datum
version_cmp(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	sv_version	va,
				vb;
	sv_error	err;
	uint8		kabuf[64],
				kbbuf[64];
	uint8	   *ka = kabuf,
			   *kb = kbbuf;
	size_t		la,
				lb;
	text	   *bad = NULL;

	if (!sv_parse_strict(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), &va, &err))
		bad = a;
	else if (!sv_parse_strict(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &vb, &err))
		bad = b;
	if (bad)
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid input syntax for type semver: \"%s\"",
					   text_to_cstring(bad)),
				errdetail("At character %zu: %s.", err.pos, err.msg));
	if (sv_key_bound(&va) > sizeof(kabuf))
		ka = palloc(sv_key_bound(&va));
	if (sv_key_bound(&vb) > sizeof(kbbuf))
		kb = palloc(sv_key_bound(&vb));
	la = sv_encode_key(&va, ka);
	lb = sv_encode_key(&vb, kb);
	PG_RETURN_INT32(sv_key_cmp(ka, la, kb, lb));
}

/* ---------------------------------------------------------------------
 * Ranges
 * ---------------------------------------------------------------------
 */

static void *
SvAlloc(void *ctx, size_t size)
{
	return MemoryContextAlloc((MemoryContext) ctx, size);
}

/* A parsed range cached in fn_extra for the rows of one query. */
typedef struct SvRangeCache
{
	MemoryContext cxt;
	char	   *text;
	int			len;
	sv_range	range;
} SvRangeCache;

static const sv_range *
SvGetRange(FunctionCallInfo fcinfo, text *rt)
{
	SvRangeCache *cache = (SvRangeCache *) fcinfo->flinfo->fn_extra;
	const char *s = VARDATA_ANY(rt);
	int			len = VARSIZE_ANY_EXHDR(rt);
	sv_error	err;

	if (cache != NULL && cache->len == len && memcmp(cache->text, s, len) == 0)
		return &cache->range;
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SvRangeCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
										   "semver range cache",
										   ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = cache;
	}
	MemoryContextReset(cache->cxt);
	cache->text = NULL;
	cache->len = -1;
	if (!sv_range_parse(s, (size_t) len, &cache->range, &err, SvAlloc, cache->cxt))
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("invalid semver range: \"%s\"", text_to_cstring(rt)),
				errdetail("At character %zu: %s.", err.pos, err.msg));
	cache->text = MemoryContextAlloc(cache->cxt, len + 1);
	memcpy(cache->text, s, len);
	cache->len = len;
	return &cache->range;
}

PG_FUNCTION_INFO_V1(semver_satisfies);
Datum
semver_satisfies(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_SEMVER_PP(0);
	text	   *rt = PG_GETARG_TEXT_PP(1);
	const sv_range *r = SvGetRange(fcinfo, rt);
	SvParts		p;

	SvSplit(v, &p);
	PG_RETURN_BOOL(sv_range_test(r, p.key, p.keylen));
}

/* registry.max_satisfying(semver[], range): the highest match, or NULL */
PG_FUNCTION_INFO_V1(semver_max_satisfying);
Datum
semver_max_satisfying(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	text	   *rt = PG_GETARG_TEXT_PP(1);
	const sv_range *r = SvGetRange(fcinfo, rt);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	struct varlena *best = NULL;
	SvParts		bestp = {0};

	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		struct varlena *v;
		SvParts		p;

		if (nulls[i])
			continue;
		v = DatumGetSemverPP(elems[i]);
		SvSplit(v, &p);
		if (!sv_range_test(r, p.key, p.keylen))
			continue;
		if (best == NULL || sv_key_cmp(p.key, p.keylen, bestp.key, bestp.keylen) > 0)
		{
			best = v;
			bestp = p;
		}
	}
	if (best == NULL)
		PG_RETURN_NULL();
	/* a copy with a regular header, not a pointer into the array */
	PG_RETURN_POINTER(pg_detoast_datum_copy(best));
}
