/*-------------------------------------------------------------------------
 *
 * blob_core.c
 *		Content keys of the blob store: base32 of the sha2-256 multihash,
 *		parsing and flatfs sharding.  Plain C, no server headers.
 *
 *-------------------------------------------------------------------------
 */
#include "blob_core.h"

#include <string.h>

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

size_t
blob_base32_encode(const uint8_t *src, size_t len, char *dst)
{
	size_t		out = 0;
	uint32_t	buffer = 0;
	int			bits = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		buffer = (buffer << 8) | src[i];
		bits += 8;
		while (bits >= 5)
		{
			dst[out++] = b32_alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
		buffer &= (1u << bits) - 1;
	}
	if (bits > 0)
		dst[out++] = b32_alphabet[(buffer << (5 - bits)) & 31];
	dst[out] = '\0';
	return out;
}

static int
B32Value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long
blob_base32_decode(const char *src, size_t len, uint8_t *dst, size_t dstcap)
{
	size_t		out = 0;
	uint32_t	buffer = 0;
	int			bits = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		int			v = B32Value(src[i]);

		if (v < 0)
			return -1;
		buffer = (buffer << 5) | (uint32_t) v;
		bits += 5;
		if (bits >= 8)
		{
			if (out >= dstcap)
				return -1;
			dst[out++] = (uint8_t) (buffer >> (bits - 8));
			bits -= 8;
			buffer &= (1u << bits) - 1;
		}
	}
	/* leftover bits must be fewer than a byte and all zero */
	if (bits >= 5 || buffer != 0)
		return -1;
	return (long) out;
}

void
blob_key_from_digest(const uint8_t *digest, char *key)
{
	uint8_t		mh[BLOB_MULTIHASH_LEN];

	mh[0] = 0x12;				/* sha2-256 */
	mh[1] = 0x20;				/* 32 bytes */
	memcpy(mh + 2, digest, BLOB_DIGEST_LEN);
	blob_base32_encode(mh, sizeof(mh), key);
}

BlobKeyError
blob_key_parse(const char *key, size_t len, uint8_t *digest)
{
	uint8_t		mh[BLOB_MULTIHASH_LEN];
	long		n;
	size_t		i;

	if (len != BLOB_KEY_LEN)
		return BLOB_KEY_BAD_LENGTH;
	for (i = 0; i < len; i++)
		if (B32Value(key[i]) < 0)
			return BLOB_KEY_BAD_CHARACTER;
	n = blob_base32_decode(key, len, mh, sizeof(mh));
	if (n != BLOB_MULTIHASH_LEN)
		return BLOB_KEY_BAD_PADDING;
	if (mh[0] != 0x12 || mh[1] != 0x20)
		return BLOB_KEY_NOT_SHA256;
	if (digest)
		memcpy(digest, mh + 2, BLOB_DIGEST_LEN);
	return BLOB_KEY_OK;
}

const char *
blob_key_error_text(BlobKeyError err)
{
	switch (err)
	{
		case BLOB_KEY_OK:
			return "valid";
		case BLOB_KEY_BAD_LENGTH:
			return "A content key has exactly 55 characters.";
		case BLOB_KEY_BAD_CHARACTER:
			return "A content key uses only the lowercase base32 alphabet a-z and 2-7.";
		case BLOB_KEY_BAD_PADDING:
			return "The unused low bits of the last character must be zero.";
		case BLOB_KEY_NOT_SHA256:
			return "The multihash is not sha2-256 with a 32-byte digest (it must start with 0x12 0x20).";
	}
	return "unknown";
}

void
blob_shard(const char *key, size_t len, char *out)
{
	/* str = "___" + key; offset = len(str) - 3; take str[offset, offset+2) */
	size_t		total = len + 3;
	size_t		off = total - 3;
	int			i;

	for (i = 0; i < 2; i++)
	{
		size_t		pos = off + i;

		out[i] = pos < 3 ? '_' : key[pos - 3];
	}
	out[2] = '\0';
}
