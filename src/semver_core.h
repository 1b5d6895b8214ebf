/*-------------------------------------------------------------------------
 *
 * semver_core.h
 *		Semantic versions (SemVer 2.0.0) and node-semver ranges in plain C.
 *
 * Nothing here includes postgres.h: the parser, the comparison, the range
 * language and the bump rules take C strings and byte buffers, so the same
 * code is linked into the server (src/semver.c) and into the libFuzzer
 * target (fuzz/semver_fuzz.c).
 *
 * The central idea is the "key": an order-preserving byte encoding of the
 * precedence-relevant part of a version (major, minor, patch, prerelease).
 * Two versions compare exactly as memcmp() compares their keys, and no key
 * is a proper prefix of another, so
 *	 - comparison and equality are memcmp(),
 *	 - hashing hashes the key (build metadata is not part of it),
 *	 - the first 8 bytes of the key, big-endian, are an abbreviated sort key
 *	   that can never contradict the full comparison.
 *
 * Key grammar (bytes):
 *	 key	 := uint(major) uint(minor) uint(patch) ( 0x02 | 0x01 ident* 0x00 )
 *	 uint(v) := v < 0xF8 ? [v] : [0xF7 + k] followed by v in k big-endian bytes
 *				(k = 1..8, the fewest bytes that hold v)
 *	 ident	 := 0x01 uint(n)				numeric, at most 19 digits
 *			  | 0x02 len32 digits			numeric, 20 digits or more
 *			  | 0x03 chars 0x00				alphanumeric (chars are never 0)
 * A release (0x02) sorts above every prerelease (0x01 ...); a shorter
 * prerelease list ends with 0x00 and sorts below a longer one; numeric
 * identifiers sort below alphanumeric ones and by value among themselves;
 * alphanumeric ones sort in ASCII order.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEMVER_CORE_H
#define SEMVER_CORE_H

#include <stddef.h>
#include <stdint.h>

/* The largest major/minor/patch accepted: bigint's maximum. */
#define SV_NUM_MAX	((uint64_t) INT64_MAX)

/* A parsed version; the strings point into the parsed input. */
typedef struct sv_version
{
	uint64_t	major;
	uint64_t	minor;
	uint64_t	patch;
	const char *pre;			/* prerelease without the '-', or NULL */
	size_t		pre_len;
	const char *build;			/* build metadata without the '+', or NULL */
	size_t		build_len;
} sv_version;

/* Where and why parsing failed; pos is a 1-based byte position. */
typedef struct sv_error
{
	size_t		pos;
	const char *msg;
} sv_error;

/* Strict SemVer 2.0.0 syntax.  Returns 1 on success, 0 with *err set. */
extern int	sv_parse_strict(const char *s, size_t len, sv_version *out, sv_error *err);

/*
 * Lenient syntax: surrounding whitespace, a leading 'v'/'V'/'=', missing
 * minor or patch (0), leading zeros, a prerelease without its '-'
 * ("1.0beta1").  Numeric prerelease identifiers lose their leading zeros in
 * the key.  Returns 1 on success, 0 with *err set.
 */
extern int	sv_parse_lenient(const char *s, size_t len, sv_version *out, sv_error *err);

/* Upper bound of the key size of v. */
extern size_t sv_key_bound(const sv_version *v);

/* Write the key of v into buf (sv_key_bound(v) bytes); returns its length. */
extern size_t sv_encode_key(const sv_version *v, uint8_t *buf);

/* Compare two keys: <0, 0, >0. */
extern int	sv_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* The first 8 bytes of the key, big-endian, zero-padded. */
extern uint64_t sv_key_abbrev(const uint8_t *key, size_t len);

/* The decoded main part of a key. */
typedef struct sv_main
{
	uint64_t	major;
	uint64_t	minor;
	uint64_t	patch;
	size_t		pre_off;		/* offset of the first identifier tag, or 0
								 * for a release */
	size_t		main_end;		/* offset just past the release/prerelease
								 * marker */
} sv_main;

/* Decode the main part.  Returns 1, or 0 if the key is malformed. */
extern int	sv_key_main(const uint8_t *key, size_t len, sv_main *m);

/*
 * Upper bound of the text of a key (without build metadata): major.minor.patch
 * and the prerelease.
 */
extern size_t sv_text_bound(size_t keylen);

/*
 * Write the prerelease of a key as text (no '-', no NUL) into out
 * (sv_text_bound(len) bytes).  Returns the length written (0 for a release),
 * or (size_t) -1 if the key is malformed.
 */
extern size_t sv_key_prerelease_text(const uint8_t *key, size_t len, char *out);

/*
 * Write the whole version text "M.m.p[-pre][+build]" plus a NUL into out
 * (sv_text_bound(len) + build_len + 2 bytes).  Returns the length without
 * the NUL, or (size_t) -1 if the key is malformed.
 */
extern size_t sv_key_to_text(const uint8_t *key, size_t len,
							 const char *build, size_t build_len, char *out);

/*
 * Total order including build metadata (for semver_cmp_build): precedence
 * first, then "no build" below any build, then build identifiers compared as
 * prerelease identifiers are (numeric ones by value, ignoring leading zeros),
 * and finally the bytes, so that only identical versions compare equal.
 */
extern int	sv_build_cmp(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Validate a well-formed key (used by binary receive).  Returns 1 if key
 * is exactly one well-formed key with numbers within SV_NUM_MAX.
 */
extern int	sv_key_valid(const uint8_t *key, size_t len);

/* Validate build metadata text (identifiers [0-9A-Za-z-]+ joined by dots). */
extern int	sv_build_valid(const char *s, size_t len);

/* ---------------------------------------------------------------------
 * Bumps.  The result is written as text "M.m.p[-pre]" (build metadata is
 * dropped) into out, of at least sv_bump_bound(keylen) bytes, NUL-terminated.
 * ---------------------------------------------------------------------
 */
typedef enum sv_bump_part
{
	SV_BUMP_MAJOR,
	SV_BUMP_MINOR,
	SV_BUMP_PATCH,
	SV_BUMP_PRERELEASE
} sv_bump_part;

#define SV_BUMP_OK			0
#define SV_BUMP_OVERFLOW	1
#define SV_BUMP_BADKEY		2

extern size_t sv_bump_bound(size_t keylen);
extern int	sv_bump(const uint8_t *key, size_t len, sv_bump_part part, char *out);

/* ---------------------------------------------------------------------
 * node-semver ranges.
 * ---------------------------------------------------------------------
 */

/* Memory for the range parser: an allocator that never frees one block. */
typedef void *(*sv_alloc_fn) (void *ctx, size_t size);

typedef enum sv_op
{
	SV_OP_ANY,					/* node's ANY comparator ("", "*", "x") */
	SV_OP_TRUE,					/* always true, not ANY (an upper bound
								 * beyond the number range) */
	SV_OP_FALSE,				/* always false (a lower bound beyond it) */
	SV_OP_LT,
	SV_OP_LE,
	SV_OP_GT,
	SV_OP_GE,
	SV_OP_EQ
} sv_op;

typedef struct sv_comparator
{
	sv_op		op;
	int			has_pre;		/* the bound carries a prerelease */
	uint64_t	major;
	uint64_t	minor;
	uint64_t	patch;
	const uint8_t *key;
	size_t		keylen;
} sv_comparator;

typedef struct sv_range
{
	int			nsets;
	int		   *set_start;		/* nsets + 1 offsets into comps */
	sv_comparator *comps;
	int			ncomps;
	int			any_set;		/* some set is only ANY: the range is "*" */
} sv_range;

/*
 * Parse a range in node-semver's grammar (non-loose).  Returns 1 on success,
 * 0 with *err set (a syntax error).
 */
extern int	sv_range_parse(const char *s, size_t len, sv_range *out, sv_error *err,
						   sv_alloc_fn alloc, void *ctx);

/* Does the version with this key satisfy the range? (node's Range.test) */
extern int	sv_range_test(const sv_range *r, const uint8_t *key, size_t keylen);

#endif							/* SEMVER_CORE_H */
