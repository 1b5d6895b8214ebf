/*-------------------------------------------------------------------------
 *
 * blob_core.h
 *		Content keys of the blob store, in plain C (no server headers), so
 *		they can be unit-tested and fuzzed outside the server.
 *
 * A content key is the lowercase RFC 4648 base32 text (no padding, no
 * multibase prefix) of the sha2-256 multihash of the content: the two bytes
 * 0x12 0x20 followed by the 32-byte digest.  34 bytes make 55 characters.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BLOB_CORE_H
#define BLOB_CORE_H

#include <stddef.h>
#include <stdint.h>

#define BLOB_DIGEST_LEN		32
#define BLOB_MULTIHASH_LEN	(BLOB_DIGEST_LEN + 2)
#define BLOB_KEY_LEN		55	/* ceil(34 * 8 / 5) */

/* Lowercase base32 of src[0..len), no padding; dst gets ceil(len*8/5) chars
 * and a NUL.  Returns the number of characters written. */
extern size_t blob_base32_encode(const uint8_t *src, size_t len, char *dst);

/* Decode lowercase base32 without padding.  Returns the number of bytes, or
 * -1 when a character is outside the alphabet or the unused trailing bits
 * are not zero (so every byte string has exactly one text form). */
extern long blob_base32_decode(const char *src, size_t len, uint8_t *dst, size_t dstcap);

/* Build the key of a sha2-256 digest into key (BLOB_KEY_LEN + 1 bytes). */
extern void blob_key_from_digest(const uint8_t *digest, char *key);

/* Why a text is not a content key. */
typedef enum BlobKeyError
{
	BLOB_KEY_OK = 0,
	BLOB_KEY_BAD_LENGTH,
	BLOB_KEY_BAD_CHARACTER,
	BLOB_KEY_BAD_PADDING,
	BLOB_KEY_NOT_SHA256
} BlobKeyError;

/* Parse a key; on success the digest goes to digest (may be NULL). */
extern BlobKeyError blob_key_parse(const char *key, size_t len, uint8_t *digest);

/* Human-readable reason for a BlobKeyError. */
extern const char *blob_key_error_text(BlobKeyError err);

/*
 * flatfs "next-to-last/2" shard of a key: the key is left-padded with
 * three '_' and the two characters before the last one are taken, so
 * "quux" -> "uu" and "a" -> "__".  out gets 3 bytes (two chars and a NUL).
 */
extern void blob_shard(const char *key, size_t len, char *out);

#endif							/* BLOB_CORE_H */
