// FUZZ_SOURCES: src/hex_core.c
/*
 * libFuzzer target for the plain-C hex decoder used by registry.put_artifact
 * and friends: decoding must never read or write out of bounds, and a
 * successful decode must re-encode to the same digits (case-folded, without
 * the optional 0x prefix).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "../src/hex_core.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *) data;
	size_t		off;
	size_t		n = registry_hex_decoded_len(src, size, &off);
	unsigned char *dst = malloc(n + 1);
	size_t		bad = (size_t) -1;
	HexStatus	st = registry_hex_decode(src, size, dst, &bad);

	if (st == HEX_OK)
	{
		char	   *enc = malloc(2 * n + 1);
		size_t		i;

		if ((size - off) != 2 * n)
			abort();
		registry_hex_encode(dst, n, enc);
		for (i = 0; i < 2 * n; i++)
			if (enc[i] != tolower((unsigned char) src[off + i]))
				abort();
		free(enc);
	}
	else if (st == HEX_BAD_DIGIT)
	{
		if (bad < off || bad >= size || isxdigit((unsigned char) src[bad]))
			abort();
	}
	else if (st == HEX_ODD_LENGTH)
	{
		if (bad != size || (size - off) % 2 == 0)
			abort();
	}
	free(dst);
	return 0;
}
