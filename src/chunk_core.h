/*-------------------------------------------------------------------------
 *
 * chunk_core.h
 *		Chunk geometry, catalog key encoding and root-path normalisation of
 *		the ledger archive's chunk catalog (SPEC.md section 3), in plain C.
 *
 * Nothing here includes postgres.h: every function takes and returns plain
 * C values and reports failure through a ChunkStatus, so the same code runs
 * inside the server (src/chunk.c turns a status into an ereport) and under
 * libFuzzer (fuzz/chunk_fuzz.c).  No function allocates memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHUNK_CORE_H
#define CHUNK_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Constants of the real daemon. */
#define CHUNK_LEDGERS_PER_CHUNK		10000
#define CHUNK_GENESIS_LEDGER		2
#define CHUNK_CHUNKS_PER_BUCKET		1000
/* The "nothing ingested yet" watermark: the last ledger of any chunk < 0. */
#define CHUNK_PRE_GENESIS_LEDGER	1
/* The largest chunk whose id has the 8-digit text form keys use. */
#define CHUNK_MAX_KEYED_ID			99999999
/* Chunks per tx-hash index: default, and the limit of its 3-byte payload. */
#define CHUNK_DEFAULT_PER_TXHASH_INDEX	1000
#define CHUNK_MAX_PER_TXHASH_INDEX	((1 << 24) / CHUNK_LEDGERS_PER_CHUNK)

/* Buffer sizes (including the terminating NUL). */
#define CHUNK_ID_TEXT_SIZE			9	/* "%08d" */
#define CHUNK_BUCKET_TEXT_SIZE		6	/* "%05d" */
#define CHUNK_KEY_SIZE				32	/* "chunk:00000000:ledgers" is 22 */
#define CHUNK_HOT_KEY_SIZE			19	/* "hot:chunk:00000000" */

typedef enum ChunkStatus
{
	CHUNK_OK = 0,
	CHUNK_OUT_OF_RANGE,			/* the result does not fit: 22003 */
	CHUNK_BAD_VALUE,			/* an argument outside the domain: 22023 */
	CHUNK_BAD_SYNTAX			/* malformed text: 22P02 */
} ChunkStatus;

/* Per-chunk artifact kinds, in the byte order of their names. */
typedef enum ChunkKind
{
	CHUNK_KIND_INVALID = -1,
	CHUNK_KIND_EVENTS = 0,
	CHUNK_KIND_LEDGERS,
	CHUNK_KIND_TXHASH
} ChunkKind;

#define CHUNK_KIND_COUNT 3

/* Ledger/chunk arithmetic. */
extern ChunkStatus chunk_for_ledger(int64_t ledger, int64_t *chunk);
extern ChunkStatus chunk_first_ledger(int64_t chunk, int64_t *ledger);
extern ChunkStatus chunk_last_ledger(int64_t chunk, int64_t *ledger);
extern ChunkStatus chunk_last_complete_at(int64_t ledger, int64_t *chunk);
extern ChunkStatus chunk_retention_floor(int64_t upper_ledger,
										 int64_t retention_chunks,
										 int64_t earliest_ledger,
										 int64_t *floor_ledger);
extern bool chunk_below_floor(int64_t chunk, int64_t floor_ledger);

/* Text forms and keys. */
extern ChunkStatus chunk_format_id(int64_t chunk, char *buf);
extern ChunkStatus chunk_format_bucket(int64_t chunk, char *buf);
extern ChunkStatus chunk_format_key(int64_t chunk, ChunkKind kind, char *buf);
extern ChunkStatus chunk_format_hot_key(int64_t chunk, char *buf);
extern ChunkKind chunk_kind_from_name(const char *s, size_t len);
extern const char *chunk_kind_name(ChunkKind kind);
extern ChunkStatus chunk_parse_id(const char *s, size_t len, int64_t *chunk);
extern ChunkStatus chunk_parse_key(const char *s, size_t len,
								   int64_t *chunk, ChunkKind *kind);
extern ChunkStatus chunk_parse_hot_key(const char *s, size_t len,
									   int64_t *chunk);

/*
 * Lexical normalisation of an absolute storage-root path: repeated and
 * trailing slashes go, "." segments go, ".." removes the previous segment
 * (and stays at "/" at the top).  out must hold len + 1 bytes; *outlen gets
 * the length of the result (which is NUL-terminated).  Relative or empty
 * paths are CHUNK_BAD_VALUE.
 */
extern ChunkStatus chunk_normalize_path(const char *s, size_t len,
										char *out, size_t *outlen);

#endif							/* CHUNK_CORE_H */
