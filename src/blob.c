/*-------------------------------------------------------------------------
 *
 * blob.c
 *		SQL-callable pieces of the content-addressed blob store: the content
 *		key of a byte string (sha2-256 multihash in base32), key validation
 *		and flatfs sharding.  The tables and put/get live in SQL
 *		(sql/registry.sql, section "blobs and the version registry").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#if PG_VERSION_NUM >= 140000
#include "common/cryptohash.h"
#endif
#include "common/sha2.h"

#include "registry.h"
#include "blob_core.h"

/* sha2-256 with the server's own implementation (no OpenSSL link of ours). */
static void
Sha256(const uint8 *data, size_t len, uint8 *digest)
{
#if PG_VERSION_NUM >= 140000
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
#if PG_VERSION_NUM >= 150000
		pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) < 0
#else
		pg_cryptohash_final(ctx, digest) < 0
#endif
		)
	{
		pg_cryptohash_free(ctx);
		REGISTRY_CANNOT_HAPPEN("could not compute sha2-256 digest");
	}
	pg_cryptohash_free(ctx);
#else
	pg_sha256_ctx ctx;

	pg_sha256_init(&ctx);
	pg_sha256_update(&ctx, data, len);
	pg_sha256_final(&ctx, digest);
#endif
}

/*
 * registry.blob_key(bytea) -> text: the content key of the bytes.
 */
PG_FUNCTION_INFO_V1(blob_key);
Datum
blob_key(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		key[BLOB_KEY_LEN + 1];

	Sha256((const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), digest);
	blob_key_from_digest(digest, key);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key, BLOB_KEY_LEN));
}

/*
 * registry.valid_blob_key(text) -> boolean, for CHECK constraints.
 */
PG_FUNCTION_INFO_V1(valid_blob_key);
Datum
valid_blob_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(blob_key_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), NULL) == BLOB_KEY_OK);
}

/*
 * registry.check_blob_key(text) -> text: returns the key, or raises 22P02
 * saying what is wrong with it.
 */
PG_FUNCTION_INFO_V1(check_blob_key);
Datum
check_blob_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	BlobKeyError err;

	err = blob_key_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), NULL);
	if (err != BLOB_KEY_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid blob key: \"%s\"", text_to_cstring(t)),
				 errdetail("%s", blob_key_error_text(err))));
	PG_RETURN_TEXT_P(t);
}

/*
 * registry.blob_shard(text) -> text: flatfs next-to-last/2 shard directory.
 */
PG_FUNCTION_INFO_V1(blob_shard_sql);
Datum
blob_shard_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	char		out[3];
	int			i;

	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0x80 || (unsigned char) s[i] < 0x20 ||
			s[i] == '/')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a blob key must be printable ASCII without '/'"),
					 errdetail("Byte %d is 0x%02x.", i + 1, (unsigned char) s[i])));
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a blob key must not be empty")));
	blob_shard(s, len, out);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, 2));
}
