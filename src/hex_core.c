/*-------------------------------------------------------------------------
 *
 * hex_core.c
 *		Plain-C hexadecimal decoding for bytecode given as text.
 *
 * Accepts an optional "0x" or "0X" prefix followed by an even number of
 * hexadecimal digits (either case).  Reports the first offending position
 * so the SQL layer can say where the input went wrong.
 *
 *-------------------------------------------------------------------------
 */
#include "hex_core.h"

static int
HexValue(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
registry_hex_decoded_len(const char *src, size_t len, size_t *digits_off)
{
	size_t		off = 0;

	if (len >= 2 && src[0] == '0' && (src[1] == 'x' || src[1] == 'X'))
		off = 2;
	if (digits_off)
		*digits_off = off;
	return (len - off) / 2;
}

HexStatus
registry_hex_decode(const char *src, size_t len, unsigned char *dst, size_t *bad_pos)
{
	size_t		off;
	size_t		i;
	size_t		o = 0;

	(void) registry_hex_decoded_len(src, len, &off);

	/* Report a bad digit before an odd length: it is the more precise error */
	for (i = off; i < len; i++)
	{
		if (HexValue((unsigned char) src[i]) < 0)
		{
			if (bad_pos)
				*bad_pos = i;
			return HEX_BAD_DIGIT;
		}
	}
	if ((len - off) % 2 != 0)
	{
		if (bad_pos)
			*bad_pos = len;
		return HEX_ODD_LENGTH;
	}
	for (i = off; i + 1 < len; i += 2)
		dst[o++] = (unsigned char) ((HexValue((unsigned char) src[i]) << 4) |
									HexValue((unsigned char) src[i + 1]));
	return HEX_OK;
}

void
registry_hex_encode(const unsigned char *src, size_t n, char *dst)
{
	static const char digits[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 0x0f];
	}
}
