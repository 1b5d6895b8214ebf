// FUZZ_SOURCES: src/semver_core.c
/*
 * libFuzzer target for the semver parser, key encoding, bumps and the
 * node-semver range parser (src/semver_core.c).  Built and run by
 * test/harness/fuzz.sh with -fsanitize=fuzzer,address,undefined.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks the
 * invariants the server relies on, and aborts when one breaks:
 *	 - a strictly parsed version prints back to text that parses to the same
 *	   key and build; its key is valid and decodes;
 *	 - a leniently parsed version prints to strict text with the same key;
 *	 - the abbreviated key never contradicts the full comparison;
 *	 - a bump yields a valid version of higher precedence;
 *	 - any byte string accepted as a key (binary input) round-trips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semver_core.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

/* an arena for the range parser: every block is freed after each input */
typedef struct Block
{
	struct Block *next;
	/* payload follows, max-aligned */
	long double align[];
} Block;

static Block *arena;

static void *
ArenaAlloc(void *ctx, size_t size)
{
	Block	   *b = malloc(sizeof(Block) + size);

	(void) ctx;
	if (b == NULL)
		return NULL;
	b->next = arena;
	arena = b;
	return b->align;
}

static void
ArenaFree(void)
{
	while (arena)
	{
		Block	   *n = arena->next;

		free(arena);
		arena = n;
	}
}

static uint8_t prev_key[4096];
static size_t prev_len;

/* Encode v, check the round trip through text, return a malloc'd key. */
static uint8_t *
CheckVersion(const sv_version *v, size_t *klen)
{
	uint8_t    *key = malloc(sv_key_bound(v));
	char	   *text;
	size_t		tlen;
	sv_version	w;
	sv_error	err;
	uint8_t    *key2;
	size_t		klen2;
	int			c;

	CHECK(key != NULL);
	*klen = sv_encode_key(v, key);
	CHECK(*klen <= sv_key_bound(v));
	CHECK(sv_key_valid(key, *klen));
	text = malloc(sv_text_bound(*klen) + v->build_len + 2);
	CHECK(text != NULL);
	tlen = sv_key_to_text(key, *klen, v->build, v->build_len, text);
	CHECK(tlen != (size_t) -1);
	CHECK(strlen(text) == tlen);
	CHECK(sv_parse_strict(text, tlen, &w, &err));
	key2 = malloc(sv_key_bound(&w));
	CHECK(key2 != NULL);
	klen2 = sv_encode_key(&w, key2);
	CHECK(sv_key_cmp(key, *klen, key2, klen2) == 0);
	CHECK(w.build_len == v->build_len &&
		  (v->build_len == 0 || memcmp(w.build, v->build, v->build_len) == 0));
	free(key2);
	free(text);

	/* abbreviated keys agree with the full comparison */
	c = sv_key_cmp(key, *klen, prev_key, prev_len);
	{
		uint64_t	a = sv_key_abbrev(key, *klen);
		uint64_t	b = sv_key_abbrev(prev_key, prev_len);

		if (a < b)
			CHECK(c < 0);
		if (a > b)
			CHECK(c > 0);
		if (c == 0)
			CHECK(a == b);
	}
	CHECK(sv_key_cmp(prev_key, prev_len, key, *klen) == -c);
	if (*klen <= sizeof(prev_key))
	{
		memcpy(prev_key, key, *klen);
		prev_len = *klen;
	}

	/* bumps go up and stay valid */
	for (int part = SV_BUMP_MAJOR; part <= SV_BUMP_PRERELEASE; part++)
	{
		char	   *out = malloc(sv_bump_bound(*klen));
		int			rc;

		CHECK(out != NULL);
		rc = sv_bump(key, *klen, (sv_bump_part) part, out);
		CHECK(rc == SV_BUMP_OK || rc == SV_BUMP_OVERFLOW);
		if (rc == SV_BUMP_OK)
		{
			uint8_t    *bk;
			size_t		bl;

			CHECK(sv_parse_strict(out, strlen(out), &w, &err));
			bk = malloc(sv_key_bound(&w));
			CHECK(bk != NULL);
			bl = sv_encode_key(&w, bk);
			CHECK(sv_key_cmp(bk, bl, key, *klen) > 0);
			free(bk);
		}
		free(out);
	}
	return key;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	sv_version	v;
	sv_error	err;
	sv_range	r;
	uint8_t    *key = NULL;
	size_t		klen = 0;

	if (sv_parse_strict(s, size, &v, &err))
		key = CheckVersion(&v, &klen);
	else
		CHECK(err.pos >= 1 && err.pos <= size + 1 && err.msg != NULL);

	if (sv_parse_lenient(s, size, &v, &err))
	{
		size_t		l2;
		uint8_t    *k2 = CheckVersion(&v, &l2);

		free(k2);
	}

	if (sv_range_parse(s, size, &r, &err, ArenaAlloc, NULL))
	{
		static const char *probe[] = {"0.0.0", "1.2.3", "1.2.3-alpha.1", "2.0.0-0", "0.1.0"};

		CHECK(r.nsets >= 1);
		for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++)
		{
			sv_version	pv;
			uint8_t		pk[64];
			size_t		pl;

			CHECK(sv_parse_strict(probe[i], strlen(probe[i]), &pv, &err));
			pl = sv_encode_key(&pv, pk);
			(void) sv_range_test(&r, pk, pl);
		}
		if (key)
			(void) sv_range_test(&r, key, klen);
	}
	else
		CHECK(err.pos >= 1 && err.pos <= size + 1 && err.msg != NULL);
	ArenaFree();

	/* the raw bytes as a key, as binary input or a corrupt page could give */
	if (sv_key_valid(data, size))
	{
		char	   *text = malloc(sv_text_bound(size) + 2);
		size_t		tl;
		uint8_t    *k2;

		CHECK(text != NULL);
		tl = sv_key_to_text(data, size, NULL, 0, text);
		CHECK(tl != (size_t) -1);
		CHECK(sv_parse_strict(text, tl, &v, &err));
		k2 = malloc(sv_key_bound(&v));
		CHECK(k2 != NULL);
		CHECK(sv_key_cmp(k2, sv_encode_key(&v, k2), data, size) == 0);
		free(k2);
		free(text);
	}
	else
	{
		/* decoding helpers must not crash on garbage either */
		char	   *text = malloc(sv_text_bound(size) + 2);
		sv_main		m;

		CHECK(text != NULL);
		(void) sv_key_to_text(data, size, NULL, 0, text);
		(void) sv_key_prerelease_text(data, size, text);
		(void) sv_key_main(data, size, &m);
		free(text);
	}
	(void) sv_build_cmp(s, size / 2, s + size / 2, size - size / 2);
	free(key);
	return 0;
}
