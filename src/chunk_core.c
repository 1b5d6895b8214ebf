/*-------------------------------------------------------------------------
 *
 * chunk_core.c
 *		Chunk geometry, catalog key encoding and root-path normalisation in
 *		plain C (see chunk_core.h).  No postgres.h: this file is also linked
 *		into the libFuzzer target fuzz/chunk_fuzz.c.
 *
 * Every computation checks its domain and its overflow before it happens,
 * so a caller gets a status instead of a wrong number.
 *
 *-------------------------------------------------------------------------
 */
#include "chunk_core.h"

#include <string.h>

static const char *const ChunkKindNames[CHUNK_KIND_COUNT] = {
	"events", "ledgers", "txhash"
};

#define CHUNK_KEY_PREFIX "chunk:"
#define CHUNK_KEY_PREFIX_LEN 6
#define CHUNK_HOT_KEY_PREFIX "hot:chunk:"
#define CHUNK_HOT_KEY_PREFIX_LEN 10
#define CHUNK_ID_DIGITS 8

/* chunk of ledger l = (l - 2) / 10000; ledgers below genesis have none. */
ChunkStatus
chunk_for_ledger(int64_t ledger, int64_t *chunk)
{
	if (ledger < CHUNK_GENESIS_LEDGER)
		return CHUNK_BAD_VALUE;
	*chunk = (ledger - CHUNK_GENESIS_LEDGER) / CHUNK_LEDGERS_PER_CHUNK;
	return CHUNK_OK;
}

/* first ledger of c = c * 10000 + 2, for c >= 0. */
ChunkStatus
chunk_first_ledger(int64_t chunk, int64_t *ledger)
{
	if (chunk < 0)
		return CHUNK_BAD_VALUE;
	if (chunk > (INT64_MAX - CHUNK_GENESIS_LEDGER) / CHUNK_LEDGERS_PER_CHUNK)
		return CHUNK_OUT_OF_RANGE;
	*ledger = chunk * CHUNK_LEDGERS_PER_CHUNK + CHUNK_GENESIS_LEDGER;
	return CHUNK_OK;
}

/* last ledger of c = (c + 1) * 10000 + 1; 1 for every c < 0. */
ChunkStatus
chunk_last_ledger(int64_t chunk, int64_t *ledger)
{
	if (chunk < 0)
	{
		*ledger = CHUNK_PRE_GENESIS_LEDGER;
		return CHUNK_OK;
	}
	/* (c + 1) * 10000 + 1 <= INT64_MAX */
	if (chunk > (INT64_MAX - (CHUNK_GENESIS_LEDGER - 1)) / CHUNK_LEDGERS_PER_CHUNK - 1)
		return CHUNK_OUT_OF_RANGE;
	*ledger = (chunk + 1) * CHUNK_LEDGERS_PER_CHUNK + (CHUNK_GENESIS_LEDGER - 1);
	return CHUNK_OK;
}

/*
 * The highest chunk wholly at or below ledger l: (l + 1 - 2) / 10000 - 1,
 * -1 when none.  l is a watermark, so it is at least 1 (the pre-genesis
 * watermark); the sum is computed as (l - 1) so it cannot overflow.
 */
ChunkStatus
chunk_last_complete_at(int64_t ledger, int64_t *chunk)
{
	if (ledger < CHUNK_PRE_GENESIS_LEDGER)
		return CHUNK_BAD_VALUE;
	*chunk = (ledger - (CHUNK_GENESIS_LEDGER - 1)) / CHUNK_LEDGERS_PER_CHUNK - 1;
	return CHUNK_OK;
}

/*
 * floor = max(sliding, earliest); sliding = genesis when retention is 0
 * chunks, else the first ledger of max(lastCompleteChunkAt(upper) -
 * retention + 1, 0).  earliest 0 means "no pin".
 */
ChunkStatus
chunk_retention_floor(int64_t upper_ledger, int64_t retention_chunks,
					  int64_t earliest_ledger, int64_t *floor_ledger)
{
	int64_t		sliding = CHUNK_GENESIS_LEDGER;
	int64_t		last_complete;
	ChunkStatus st;

	if (retention_chunks < 0 || earliest_ledger < 0)
		return CHUNK_BAD_VALUE;
	st = chunk_last_complete_at(upper_ledger, &last_complete);
	if (st != CHUNK_OK)
		return st;
	if (retention_chunks > 0)
	{
		/* last_complete >= -1 and retention >= 1: no overflow either way */
		int64_t		start = last_complete - retention_chunks + 1;

		if (start < 0)
			start = 0;
		st = chunk_first_ledger(start, &sliding);
		if (st != CHUNK_OK)
			return st;
	}
	*floor_ledger = sliding > earliest_ledger ? sliding : earliest_ledger;
	return CHUNK_OK;
}

/* A chunk straddling the floor is not below it. */
bool
chunk_below_floor(int64_t chunk, int64_t floor_ledger)
{
	int64_t		last;

	if (chunk_last_ledger(chunk, &last) != CHUNK_OK)
		return false;			/* beyond every ledger: above any floor */
	return last < floor_ledger;
}

static ChunkStatus
CheckKeyedChunk(int64_t chunk)
{
	if (chunk < 0)
		return CHUNK_BAD_VALUE;
	if (chunk > CHUNK_MAX_KEYED_ID)
		return CHUNK_OUT_OF_RANGE;
	return CHUNK_OK;
}

/* Write value as exactly width decimal digits (value fits). */
static void
PutDigits(char *buf, int64_t value, int width)
{
	int			i;

	for (i = width - 1; i >= 0; i--)
	{
		buf[i] = (char) ('0' + value % 10);
		value /= 10;
	}
}

ChunkStatus
chunk_format_id(int64_t chunk, char *buf)
{
	ChunkStatus st = CheckKeyedChunk(chunk);

	if (st != CHUNK_OK)
		return st;
	PutDigits(buf, chunk, CHUNK_ID_DIGITS);
	buf[CHUNK_ID_DIGITS] = '\0';
	return CHUNK_OK;
}

ChunkStatus
chunk_format_bucket(int64_t chunk, char *buf)
{
	ChunkStatus st = CheckKeyedChunk(chunk);

	if (st != CHUNK_OK)
		return st;
	PutDigits(buf, chunk / CHUNK_CHUNKS_PER_BUCKET, 5);
	buf[5] = '\0';
	return CHUNK_OK;
}

ChunkStatus
chunk_format_key(int64_t chunk, ChunkKind kind, char *buf)
{
	ChunkStatus st = CheckKeyedChunk(chunk);
	const char *name;
	size_t		nlen;

	if (st != CHUNK_OK)
		return st;
	if (kind < 0 || kind >= CHUNK_KIND_COUNT)
		return CHUNK_BAD_VALUE;
	name = ChunkKindNames[kind];
	nlen = strlen(name);
	memcpy(buf, CHUNK_KEY_PREFIX, CHUNK_KEY_PREFIX_LEN);
	PutDigits(buf + CHUNK_KEY_PREFIX_LEN, chunk, CHUNK_ID_DIGITS);
	buf[CHUNK_KEY_PREFIX_LEN + CHUNK_ID_DIGITS] = ':';
	memcpy(buf + CHUNK_KEY_PREFIX_LEN + CHUNK_ID_DIGITS + 1, name, nlen + 1);
	return CHUNK_OK;
}

ChunkStatus
chunk_format_hot_key(int64_t chunk, char *buf)
{
	ChunkStatus st = CheckKeyedChunk(chunk);

	if (st != CHUNK_OK)
		return st;
	memcpy(buf, CHUNK_HOT_KEY_PREFIX, CHUNK_HOT_KEY_PREFIX_LEN);
	PutDigits(buf + CHUNK_HOT_KEY_PREFIX_LEN, chunk, CHUNK_ID_DIGITS);
	buf[CHUNK_HOT_KEY_PREFIX_LEN + CHUNK_ID_DIGITS] = '\0';
	return CHUNK_OK;
}

ChunkKind
chunk_kind_from_name(const char *s, size_t len)
{
	int			k;

	for (k = 0; k < CHUNK_KIND_COUNT; k++)
	{
		if (strlen(ChunkKindNames[k]) == len && memcmp(ChunkKindNames[k], s, len) == 0)
			return (ChunkKind) k;
	}
	return CHUNK_KIND_INVALID;
}

const char *
chunk_kind_name(ChunkKind kind)
{
	if (kind < 0 || kind >= CHUNK_KIND_COUNT)
		return NULL;
	return ChunkKindNames[kind];
}

/* Exactly eight ASCII digits, nothing else. */
ChunkStatus
chunk_parse_id(const char *s, size_t len, int64_t *chunk)
{
	int64_t		v = 0;
	size_t		i;

	if (len != CHUNK_ID_DIGITS)
		return CHUNK_BAD_SYNTAX;
	for (i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return CHUNK_BAD_SYNTAX;
		v = v * 10 + (s[i] - '0');
	}
	*chunk = v;
	return CHUNK_OK;
}

/* chunk:{c:08d}:{ledgers|events|txhash} */
ChunkStatus
chunk_parse_key(const char *s, size_t len, int64_t *chunk, ChunkKind *kind)
{
	const size_t head = CHUNK_KEY_PREFIX_LEN + CHUNK_ID_DIGITS;
	ChunkKind	k;

	if (len < head + 2 || memcmp(s, CHUNK_KEY_PREFIX, CHUNK_KEY_PREFIX_LEN) != 0)
		return CHUNK_BAD_SYNTAX;
	if (s[head] != ':')
		return CHUNK_BAD_SYNTAX;
	if (chunk_parse_id(s + CHUNK_KEY_PREFIX_LEN, CHUNK_ID_DIGITS, chunk) != CHUNK_OK)
		return CHUNK_BAD_SYNTAX;
	k = chunk_kind_from_name(s + head + 1, len - head - 1);
	if (k == CHUNK_KIND_INVALID)
		return CHUNK_BAD_SYNTAX;
	*kind = k;
	return CHUNK_OK;
}

/* hot:chunk:{c:08d} */
ChunkStatus
chunk_parse_hot_key(const char *s, size_t len, int64_t *chunk)
{
	if (len != CHUNK_HOT_KEY_PREFIX_LEN + CHUNK_ID_DIGITS ||
		memcmp(s, CHUNK_HOT_KEY_PREFIX, CHUNK_HOT_KEY_PREFIX_LEN) != 0)
		return CHUNK_BAD_SYNTAX;
	return chunk_parse_id(s + CHUNK_HOT_KEY_PREFIX_LEN, CHUNK_ID_DIGITS, chunk);
}

ChunkStatus
chunk_normalize_path(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t		i = 0;
	size_t		o = 0;			/* out[0..o) is the result so far, no
								 * trailing slash */

	if (len == 0 || s[0] != '/')
		return CHUNK_BAD_VALUE;
	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			return CHUNK_BAD_VALUE;

	i = 0;
	while (i < len)
	{
		size_t		start;
		size_t		seglen;

		while (i < len && s[i] == '/')
			i++;
		start = i;
		while (i < len && s[i] != '/')
			i++;
		seglen = i - start;
		if (seglen == 0 || (seglen == 1 && s[start] == '.'))
			continue;
		if (seglen == 2 && s[start] == '.' && s[start + 1] == '.')
		{
			/* drop the last segment, if any */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;			/* the slash before it */
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, s + start, seglen);
		o += seglen;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*outlen = o;
	return CHUNK_OK;
}
