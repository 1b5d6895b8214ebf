/*-------------------------------------------------------------------------
 *
 * kv_core.c
 *		Key layout rules of the namespaced key/value store: parsing of keys
 *		and list prefixes and the byte range a prefix lists.  Plain C, no
 *		server headers (see kv_core.h).
 *
 *-------------------------------------------------------------------------
 */
#include "kv_core.h"

#include <string.h>

const KvKind kv_kinds[] = {
	{"ns", 0, 1, "ns/<name>"},
	{"wf", 2, 0, "wf/<ns>/<workflowId>/<runId>"},
	{"wfh", 3, 0, "wfh/<ns>/<workflowId>/<runId>/<eventId>"},
	{"sc", 1, 0, "sc/<ns>/<scheduleId>"},
	{"bt", 1, 0, "bt/<ns>/<batchId>"},
	{"dp", 1, 0, "dp/<ns>/<deploymentName>"},
	{"nx", 1, 1, "nx/<ns>/<endpointName>"},
	{"id", 1, 0, "id/<ns>/<email>"},
	{"sa", 1, 0, "sa/<ns>/<attrName>"},
	{"idem", 2, 0, "idem/<ns>/<workflowId>/<requestId>"},
	{NULL, 0, 0, NULL}
};

const KvKind *
kv_find_kind(const char *s, size_t len)
{
	const KvKind *k;

	for (k = kv_kinds; k->name != NULL; k++)
	{
		if (strlen(k->name) == len && memcmp(k->name, s, len) == 0)
			return k;
	}
	return NULL;
}

int
kv_status_is_syntax(KvStatus st)
{
	return st >= KV_ERR_EMPTY_SEGMENT;
}

static const char *
FindSlash(const char *s, size_t len)
{
	return (const char *) memchr(s, '/', len);
}

/*
 * Split off the kind (everything up to the first "/" or the end) and look it
 * up.  On success (*tail, *tail_len) is what follows the "/" (tail is NULL when
 * there is no "/").
 */
static KvStatus
ParseKind(const char *s, size_t len, KvParts *out,
		  const char **tail, size_t *tail_len)
{
	const char *slash;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return KV_ERR_EMPTY;
	if (len > KV_KEY_MAX)
		return KV_ERR_TOO_LONG;
	slash = FindSlash(s, len);
	out->kind_ptr = s;
	out->kind_len = slash ? (size_t) (slash - s) : len;
	if (out->kind_len == 0)
		return KV_ERR_EMPTY_SEGMENT;
	out->kind = kv_find_kind(s, out->kind_len);
	if (out->kind == NULL)
		return KV_ERR_UNKNOWN_KIND;
	if (slash)
	{
		*tail = slash + 1;
		*tail_len = len - out->kind_len - 1;
	}
	else
	{
		*tail = NULL;
		*tail_len = 0;
	}
	return KV_OK;
}

/*
 * Count the "/"-separated segments of s; -1 if one is empty.  A trailing "/"
 * is an empty last segment unless allow_trailing.
 */
static int
CountSegments(const char *s, size_t len, int allow_trailing)
{
	int			n = 0;
	size_t		start = 0;
	size_t		i;

	if (len == 0)
		return allow_trailing ? 0 : -1;
	for (i = 0; i <= len; i++)
	{
		if (i == len || s[i] == '/')
		{
			if (i == start)
			{
				if (!(allow_trailing && i == len))
					return -1;
			}
			else
				n++;
			start = i + 1;
		}
	}
	return n;
}

KvStatus
kv_parse_key(const char *key, size_t len, KvParts *out)
{
	const char *tail;
	size_t		tail_len;
	const char *slash;
	KvStatus	st;
	int			nseg;

	st = ParseKind(key, len, out, &tail, &tail_len);
	if (st != KV_OK)
		return st;
	if (tail == NULL || tail_len == 0)
		return KV_ERR_KEY_NO_NS;
	if (tail[0] == '/')
		return KV_ERR_EMPTY_SEGMENT;
	out->ns = tail;
	if (out->kind->rest_segments == 0)
	{
		/* ns/<name>: the name is the namespace; nothing may follow it */
		if (FindSlash(tail, tail_len) != NULL)
			return KV_ERR_NAME_SLASH;
		out->ns_len = tail_len;
		out->rest = tail + tail_len;
		out->rest_len = 0;
		return KV_OK;
	}
	slash = FindSlash(tail, tail_len);
	if (slash == NULL)
	{
		out->ns_len = tail_len;
		return KV_ERR_FEW_SEGMENTS;
	}
	out->ns_len = (size_t) (slash - tail);
	out->rest = slash + 1;
	out->rest_len = tail_len - out->ns_len - 1;
	nseg = CountSegments(out->rest, out->rest_len, 0);
	if (nseg < 0)
		return KV_ERR_EMPTY_SEGMENT;
	if (nseg < out->kind->rest_segments)
		return KV_ERR_FEW_SEGMENTS;
	return KV_OK;
}

KvStatus
kv_parse_prefix(const char *prefix, size_t len, KvParts *out)
{
	const char *tail;
	size_t		tail_len;
	const char *slash;
	KvStatus	st;

	st = ParseKind(prefix, len, out, &tail, &tail_len);
	if (st != KV_OK)
		return st;
	if (tail == NULL || tail_len == 0)
	{
		/* "wf" or "wf/": no namespace */
		out->ns = NULL;
		out->ns_len = 0;
		out->rest = prefix + len;
		out->rest_len = 0;
		return out->kind->cross_namespace ? KV_OK : KV_ERR_PREFIX_NO_NS;
	}
	if (tail[0] == '/')
		return KV_ERR_EMPTY_SEGMENT;
	out->ns = tail;
	slash = FindSlash(tail, tail_len);
	if (slash == NULL)
	{
		out->ns_len = tail_len;
		out->rest = tail + tail_len;
		out->rest_len = 0;
		return KV_OK;
	}
	out->ns_len = (size_t) (slash - tail);
	out->rest = slash + 1;
	out->rest_len = tail_len - out->ns_len - 1;
	if (out->kind->rest_segments == 0 && out->rest_len > 0)
		return KV_ERR_NAME_SLASH;
	if (CountSegments(out->rest, out->rest_len, 1) < 0)
		return KV_ERR_EMPTY_SEGMENT;
	return KV_OK;
}

/* Byte successor: drop trailing 0xff bytes, increment the last one. */
static size_t
ByteSuccessor(unsigned char *b, size_t len)
{
	while (len > 0)
	{
		if (b[len - 1] != 0xff)
		{
			b[len - 1]++;
			return len;
		}
		len--;
	}
	return 0;
}

/* Encode code point cp at b; returns its length. */
static size_t
Utf8Encode(unsigned char *b, unsigned int cp)
{
	if (cp < 0x80)
	{
		b[0] = (unsigned char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		b[0] = (unsigned char) (0xc0 | (cp >> 6));
		b[1] = (unsigned char) (0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000)
	{
		b[0] = (unsigned char) (0xe0 | (cp >> 12));
		b[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char) (0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char) (0xf0 | (cp >> 18));
	b[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3f));
	b[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
	b[3] = (unsigned char) (0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the character that ends at b[len - 1]; returns its start offset, or
 * -1 when the tail is not one well-formed UTF-8 character.
 */
static long
Utf8LastChar(const unsigned char *b, size_t len, unsigned int *cp)
{
	size_t		start = len;
	size_t		n,
				i;
	unsigned int c;
	unsigned char lead;

	while (start > 0 && len - start < 4 && (b[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return -1;
	start--;
	lead = b[start];
	n = len - start;
	if (lead < 0x80)
	{
		if (n != 1)
			return -1;
		*cp = lead;
		return (long) start;
	}
	if ((lead & 0xe0) == 0xc0 && n == 2)
		c = lead & 0x1f;
	else if ((lead & 0xf0) == 0xe0 && n == 3)
		c = lead & 0x0f;
	else if ((lead & 0xf8) == 0xf0 && n == 4)
		c = lead & 0x07;
	else
		return -1;
	for (i = 1; i < n; i++)
		c = (c << 6) | (b[start + i] & 0x3f);
	/* reject overlong forms, surrogates and values past U+10FFFF */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		(c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return -1;
	*cp = c;
	return (long) start;
}

size_t
kv_successor(char *buf, size_t len, int utf8)
{
	unsigned char *b = (unsigned char *) buf;

	if (!utf8)
		return ByteSuccessor(b, len);
	while (len > 0)
	{
		unsigned int cp;
		long		start = Utf8LastChar(b, len, &cp);

		if (start < 0)
			return ByteSuccessor(b, len);
		if (cp < 0x10ffff)
		{
			cp++;
			if (cp == 0xd800)
				cp = 0xe000;
			return (size_t) start + Utf8Encode(b + start, cp);
		}
		len = (size_t) start;
	}
	return 0;
}

KvStatus
kv_prefix_range(const char *prefix, size_t len, int utf8,
				char *lo, size_t *lo_len, char *hi, size_t *hi_len)
{
	KvParts		p;
	KvStatus	st;
	size_t		n = 0;

	st = kv_parse_prefix(prefix, len, &p);
	if (st != KV_OK)
		return st;
	memcpy(lo, p.kind_ptr, p.kind_len);
	n = p.kind_len;
	lo[n++] = '/';
	if (p.ns != NULL)
	{
		memcpy(lo + n, p.ns, p.ns_len);
		n += p.ns_len;
		if (p.kind->rest_segments == 0)
		{
			/*
			 * ns/<name> names exactly one key: [ns/<name>, ns/<name>\x01),
			 * since no key holds a NUL byte.
			 */
			*lo_len = n;
			memcpy(hi, lo, n);
			hi[n] = '\x01';
			*hi_len = n + 1;
			return KV_OK;
		}
		/* a namespace named in a prefix is whole: wf/def means wf/def/ */
		lo[n++] = '/';
		memcpy(lo + n, p.rest, p.rest_len);
		n += p.rest_len;
	}
	*lo_len = n;
	memcpy(hi, lo, n);
	/* lo starts with an ASCII kind and "/", so a successor always exists */
	*hi_len = kv_successor(hi, n, utf8);
	return KV_OK;
}
