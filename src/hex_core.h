/*-------------------------------------------------------------------------
 *
 * hex_core.h
 *		Plain-C hexadecimal decoding for bytecode given as text.
 *
 * No PostgreSQL headers: the parser is also linked into the libFuzzer
 * target fuzz/deploy_fuzz.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HEX_CORE_H
#define HEX_CORE_H

#include <stddef.h>

typedef enum HexStatus
{
	HEX_OK = 0,
	HEX_ODD_LENGTH,				/* an odd number of hex digits */
	HEX_BAD_DIGIT				/* a character that is not a hex digit */
} HexStatus;

/*
 * Number of bytes the hex text src[0..len) decodes to, after an optional
 * "0x"/"0X" prefix; *digits_off receives the offset of the first digit.
 */
extern size_t registry_hex_decoded_len(const char *src, size_t len, size_t *digits_off);

/*
 * Decode src[0..len) (optional "0x"/"0X" prefix) into dst, which must hold
 * registry_hex_decoded_len() bytes.  On HEX_BAD_DIGIT, *bad_pos is the 0-based offset
 * of the offending character in src; on HEX_ODD_LENGTH it is len.
 */
extern HexStatus registry_hex_decode(const char *src, size_t len, unsigned char *dst,
							size_t *bad_pos);

/* Encode n bytes as lowercase hex into dst (2n chars, no prefix, no NUL). */
extern void registry_hex_encode(const unsigned char *src, size_t n, char *dst);

#endif							/* HEX_CORE_H */
