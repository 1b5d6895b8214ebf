// FUZZ_SOURCES: src/chunk_core.c
/*
 * libFuzzer target for the chunk catalog's plain-C core: the key and id
 * parsers, the path normaliser and the arithmetic.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc fuzz/chunk_fuzz.c src/chunk_core.c
 *
 * Besides "no crash, no sanitizer report" it checks the properties the SQL
 * functions promise:
 *  - a key that parses formats back to exactly the same bytes (key <-> id is
 *    a bijection), and so does an id and a hot key;
 *  - normalising a path is idempotent, never grows it, and leaves no "//",
 *    "/./", "/../" or trailing slash;
 *  - the arithmetic never returns a wrong number: when it reports CHUNK_OK
 *    the result agrees with a 128-bit recomputation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_core.h"

static void
Check(int cond)
{
	if (!cond)
		abort();
}

static void
FuzzKeys(const char *s, size_t len)
{
	int64_t		chunk;
	ChunkKind	kind;
	char		buf[CHUNK_KEY_SIZE];

	if (chunk_parse_key(s, len, &chunk, &kind) == CHUNK_OK)
	{
		Check(chunk >= 0 && chunk <= CHUNK_MAX_KEYED_ID);
		Check(chunk_format_key(chunk, kind, buf) == CHUNK_OK);
		Check(strlen(buf) == len && memcmp(buf, s, len) == 0);
	}
	if (chunk_parse_hot_key(s, len, &chunk) == CHUNK_OK)
	{
		Check(chunk_format_hot_key(chunk, buf) == CHUNK_OK);
		Check(strlen(buf) == len && memcmp(buf, s, len) == 0);
	}
	if (chunk_parse_id(s, len, &chunk) == CHUNK_OK)
	{
		Check(chunk_format_id(chunk, buf) == CHUNK_OK);
		Check(strlen(buf) == len && memcmp(buf, s, len) == 0);
	}
}

static void
FuzzPath(const char *s, size_t len)
{
	char	   *out = malloc(len + 1);
	char	   *again = malloc(len + 1);
	size_t		outlen,
				againlen;

	if (chunk_normalize_path(s, len, out, &outlen) == CHUNK_OK)
	{
		Check(outlen <= len && outlen >= 1 && out[0] == '/');
		Check(strlen(out) == outlen);
		Check(outlen == 1 || out[outlen - 1] != '/');
		Check(strstr(out, "//") == NULL);
		Check(strstr(out, "/./") == NULL && strstr(out, "/../") == NULL);
		Check(!(outlen >= 2 && strcmp(out + outlen - 2, "/.") == 0));
		Check(!(outlen >= 3 && strcmp(out + outlen - 3, "/..") == 0));
		Check(chunk_normalize_path(out, outlen, again, &againlen) == CHUNK_OK);
		Check(againlen == outlen && memcmp(again, out, outlen) == 0);
	}
	free(out);
	free(again);
}

static void
FuzzMath(const uint8_t *data, size_t size)
{
	int64_t		a,
				b,
				c,
				r;
	__int128	w;

	if (size < 24)
		return;
	memcpy(&a, data, 8);
	memcpy(&b, data + 8, 8);
	memcpy(&c, data + 16, 8);

	if (chunk_for_ledger(a, &r) == CHUNK_OK)
		Check(a >= 2 && r == (a - 2) / 10000);
	else
		Check(a < 2);
	if (chunk_first_ledger(a, &r) == CHUNK_OK)
	{
		w = (__int128) a * 10000 + 2;
		Check(a >= 0 && w == r);
	}
	else
		Check(a < 0 || (__int128) a * 10000 + 2 > INT64_MAX);
	if (chunk_last_ledger(a, &r) == CHUNK_OK)
	{
		w = a < 0 ? 1 : ((__int128) a + 1) * 10000 + 1;
		Check(w == r);
	}
	else
		Check(a >= 0 && ((__int128) a + 1) * 10000 + 1 > INT64_MAX);
	if (chunk_last_complete_at(a, &r) == CHUNK_OK)
		Check(a >= 1 && r == ((__int128) a + 1 - 2) / 10000 - 1);
	if (chunk_retention_floor(a, b, c, &r) == CHUNK_OK)
	{
		__int128	sliding = 2;

		Check(a >= 1 && b >= 0 && c >= 0);
		if (b > 0)
		{
			__int128	start = ((__int128) a - 1) / 10000 - 1 - b + 1;

			if (start < 0)
				start = 0;
			sliding = start * 10000 + 2;
		}
		Check(r == (sliding > c ? sliding : c));
		Check(r >= 2);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;

	FuzzKeys(s, size);
	FuzzPath(s, size);
	FuzzMath(data, size);
	return 0;
}
