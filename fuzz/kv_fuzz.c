// FUZZ_SOURCES: src/kv_core.c
/*
 * libFuzzer target for the key layout rules of the key/value store
 * (src/kv_core.c).  Beyond "no crash, no out-of-bounds", it checks:
 *  - a parsed key's parts point inside the input and put back together give
 *    the input; the namespace is non-empty and holds no "/";
 *  - a list prefix's range [lo, hi) is non-empty and holds every string
 *    that starts with lo (tried with the highest byte and, in UTF-8 mode,
 *    the highest character appended), except for ns/<name>, which lists
 *    exactly one key;
 *  - a valid key lies inside the ranges of its namespace prefix and of its
 *    kind's cross-namespace prefix when there is one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv_core.h"

static int
ByteCmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		n = alen < blen ? alen : blen;
	int			c = memcmp(a, b, n);

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
Inside(const char *p, size_t len, const char *base, size_t baselen)
{
	return p >= base && p + len <= base + baselen;
}

/* key in [lo, hi) for the prefix */
static void
CheckInRange(const char *prefix, size_t plen, const char *key, size_t klen, int utf8)
{
	static char lo[KV_BOUND_MAX],
				hi[KV_BOUND_MAX];
	size_t		lo_len,
				hi_len;

	if (kv_prefix_range(prefix, plen, utf8, lo, &lo_len, hi, &hi_len) != KV_OK)
		abort();
	if (ByteCmp(lo, lo_len, key, klen) > 0 || ByteCmp(key, klen, hi, hi_len) >= 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	KvParts		p;
	KvStatus	st;
	int			utf8;

	int			exact = kv_parse_prefix(s, size, &p) == KV_OK &&
		p.ns != NULL && p.kind->rest_segments == 0;

	for (utf8 = 0; utf8 <= 1; utf8++)
	{
		static char lo[KV_BOUND_MAX],
					hi[KV_BOUND_MAX],
					probe[KV_BOUND_MAX + 8];
		size_t		lo_len,
					hi_len;

		st = kv_prefix_range(s, size, utf8, lo, &lo_len, hi, &hi_len);
		if (st == KV_OK && exact)
		{
			/* [ns/<name>, ns/<name>\x01) */
			if (hi_len != lo_len + 1 || memcmp(lo, hi, lo_len) != 0 || hi[lo_len] != '\x01')
				abort();
		}
		else if (st == KV_OK)
		{
			if (lo_len > KV_BOUND_MAX || hi_len == 0 || hi_len > KV_BOUND_MAX)
				abort();
			if (ByteCmp(lo, lo_len, hi, hi_len) >= 0)
				abort();
			/* the largest strings that start with lo are still below hi */
			memcpy(probe, lo, lo_len);
			if (utf8)
			{
				memcpy(probe + lo_len, "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf", 8);
				if (ByteCmp(probe, lo_len + 8, hi, hi_len) >= 0)
					abort();
			}
			else
			{
				memset(probe + lo_len, 0xff, 8);
				if (ByteCmp(probe, lo_len + 8, hi, hi_len) >= 0)
					abort();
			}
		}
	}

	st = kv_parse_prefix(s, size, &p);
	if (st == KV_OK)
	{
		if (p.kind == NULL || !Inside(p.kind_ptr, p.kind_len, s, size) ||
			!Inside(p.rest, p.rest_len, s, size))
			abort();
		if (p.ns == NULL ? !p.kind->cross_namespace
			: (p.ns_len == 0 || !Inside(p.ns, p.ns_len, s, size) ||
			   memchr(p.ns, '/', p.ns_len) != NULL))
			abort();
	}

	st = kv_parse_key(s, size, &p);
	if (st == KV_OK)
	{
		static char buf[KV_KEY_MAX + 8];
		size_t		n;

		if (p.kind == NULL || p.ns == NULL || p.ns_len == 0 ||
			!Inside(p.kind_ptr, p.kind_len, s, size) ||
			!Inside(p.ns, p.ns_len, s, size) ||
			!Inside(p.rest, p.rest_len, s, size) ||
			memchr(p.ns, '/', p.ns_len) != NULL || size > KV_KEY_MAX)
			abort();
		/* put back together */
		n = 0;
		memcpy(buf, p.kind_ptr, p.kind_len);
		n += p.kind_len;
		buf[n++] = '/';
		memcpy(buf + n, p.ns, p.ns_len);
		n += p.ns_len;
		if (p.kind->rest_segments > 0)
		{
			buf[n++] = '/';
			memcpy(buf + n, p.rest, p.rest_len);
			n += p.rest_len;
		}
		else if (p.rest_len != 0)
			abort();
		if (n != size || memcmp(buf, s, size) != 0)
			abort();
		/* the key is listed by its namespace prefix ... */
		n = p.kind_len + 1 + p.ns_len;
		for (utf8 = 0; utf8 <= 1; utf8++)
		{
			CheckInRange(s, n, s, size, utf8);
			if (p.kind->rest_segments > 0)
				CheckInRange(s, size, s, size, utf8);	/* ... by itself ... */
			if (p.kind->cross_namespace)
				CheckInRange(s, p.kind_len + 1, s, size, utf8);	/* ... and by kind/ */
		}
	}
	return 0;
}
