// FUZZ_SOURCES: src/blob_core.c
/*
 * libFuzzer target for the blob key code: base32 round trips, key parsing
 * (never accepts a text that does not re-encode to itself) and flatfs
 * shards.  Invariant failures abort with "invariant failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_core.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *enc = malloc(size * 8 / 5 + 2);
	uint8_t    *dec = malloc(size + 1);
	size_t		n;
	long		m;
	uint8_t		digest[BLOB_DIGEST_LEN];
	char		key[BLOB_KEY_LEN + 1];
	char		shard[3];

	/* bytes -> base32 -> bytes */
	n = blob_base32_encode(data, size, enc);
	CHECK(n == (size * 8 + 4) / 5);
	m = blob_base32_decode(enc, n, dec, size + 1);
	CHECK(m == (long) size);
	CHECK(size == 0 || memcmp(dec, data, size) == 0);

	/* text -> key parse: an accepted key re-encodes to the same text */
	if (blob_key_parse((const char *) data, size, digest) == BLOB_KEY_OK)
	{
		CHECK(size == BLOB_KEY_LEN);
		blob_key_from_digest(digest, key);
		CHECK(memcmp(key, data, BLOB_KEY_LEN) == 0);
	}
	CHECK(blob_key_error_text(blob_key_parse((const char *) data, size, NULL)) != NULL);

	/* any 32 bytes make a valid key */
	if (size >= BLOB_DIGEST_LEN)
	{
		blob_key_from_digest(data, key);
		CHECK(strlen(key) == BLOB_KEY_LEN);
		CHECK(blob_key_parse(key, BLOB_KEY_LEN, digest) == BLOB_KEY_OK);
		CHECK(memcmp(digest, data, BLOB_DIGEST_LEN) == 0);
		CHECK(key[0] == 'c' && key[1] == 'i' && key[2] == 'q');
	}

	/* shards: always two characters, from the key or '_' padding */
	blob_shard((const char *) data, size, shard);
	CHECK(shard[2] == '\0');
	if (size >= 3)
		CHECK(shard[0] == (char) data[size - 3] && shard[1] == (char) data[size - 2]);
	else
		CHECK(shard[0] == '_');

	free(enc);
	free(dec);
	return 0;
}
