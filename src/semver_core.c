/*-------------------------------------------------------------------------
 *
 * semver_core.c
 *		SemVer 2.0.0 parsing, precedence, bumps and node-semver ranges in
 *		plain C (see semver_core.h for the key encoding).
 *
 * No allocation happens here except through the allocator a caller gives
 * the range parser, so the server (palloc) and the fuzzer (an arena) share
 * every line.
 *
 *-------------------------------------------------------------------------
 */
#include "semver_core.h"

#include <string.h>

#define IS_DIGIT(c)		((c) >= '0' && (c) <= '9')
#define IS_ALPHA(c)		(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_IDENT(c)		(IS_DIGIT(c) || IS_ALPHA(c) || (c) == '-')
#define IS_SPACE(c)		((c) == ' ' || (c) == '\t' || (c) == '\n' || \
						 (c) == '\r' || (c) == '\v' || (c) == '\f')

/* Numeric identifiers of at most this many digits are keyed as integers. */
#define SV_SMALL_DIGITS 19

static int
set_err(sv_error *err, size_t pos, const char *msg)
{
	if (err)
	{
		err->pos = pos + 1;
		err->msg = msg;
	}
	return 0;
}

/*
 * Read a major/minor/patch number at s[*i].  strict: no leading zeros.
 */
static int
parse_number(const char *s, size_t len, size_t *i, uint64_t *val, int strict,
			 sv_error *err)
{
	size_t		start = *i;
	uint64_t	v = 0;

	if (*i >= len || !IS_DIGIT(s[*i]))
		return set_err(err, *i, *i >= len ? "unexpected end of input, expected a digit"
					   : "expected a digit");
	if (strict && s[*i] == '0' && *i + 1 < len && IS_DIGIT(s[*i + 1]))
		return set_err(err, *i, "leading zero in a numeric part");
	while (*i < len && IS_DIGIT(s[*i]))
	{
		unsigned	d = (unsigned) (s[*i] - '0');

		if (v > (SV_NUM_MAX - d) / 10)
			return set_err(err, start, "numeric part exceeds the bigint range");
		v = v * 10 + d;
		(*i)++;
	}
	*val = v;
	return 1;
}

/*
 * Read dot-separated identifiers [0-9A-Za-z-]+ at s[*i] up to the end or a
 * '+' (when stop_at_plus).  numeric_strict: numeric identifiers must not have
 * leading zeros (prerelease in strict syntax).
 */
static int
parse_idents(const char *s, size_t len, size_t *i, int numeric_strict,
			 int stop_at_plus, int stop_at_space, sv_error *err)
{
	for (;;)
	{
		size_t		start = *i;
		int			all_digits = 1;

		while (*i < len && IS_IDENT(s[*i]))
		{
			if (!IS_DIGIT(s[*i]))
				all_digits = 0;
			(*i)++;
		}
		if (*i == start)
		{
			if (*i >= len)
				return set_err(err, *i, "unexpected end of input, expected an identifier");
			if (s[*i] == '.' || s[*i] == '+' || (stop_at_space && IS_SPACE(s[*i])))
				return set_err(err, *i, "empty identifier");
			return set_err(err, *i, "invalid character in an identifier");
		}
		if (numeric_strict && all_digits && *i - start > 1 && s[start] == '0')
			return set_err(err, start, "leading zero in a numeric identifier");
		if (*i >= len)
			return 1;
		if (s[*i] == '.')
		{
			(*i)++;
			continue;
		}
		if (s[*i] == '+' && stop_at_plus)
			return 1;
		if (stop_at_space && IS_SPACE(s[*i]))
			return 1;
		return set_err(err, *i, "invalid character in an identifier");
	}
}

int
sv_parse_strict(const char *s, size_t len, sv_version *out, sv_error *err)
{
	size_t		i = 0;
	size_t		start;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return set_err(err, 0, "empty version");
	if (!parse_number(s, len, &i, &out->major, 1, err))
		return 0;
	if (i >= len || s[i] != '.')
		return set_err(err, i, i >= len ? "unexpected end of input, expected \".\" and a minor version"
					   : "expected \".\" after the major version");
	i++;
	if (!parse_number(s, len, &i, &out->minor, 1, err))
		return 0;
	if (i >= len || s[i] != '.')
		return set_err(err, i, i >= len ? "unexpected end of input, expected \".\" and a patch version"
					   : "expected \".\" after the minor version");
	i++;
	if (!parse_number(s, len, &i, &out->patch, 1, err))
		return 0;
	if (i < len && s[i] == '-')
	{
		i++;
		start = i;
		if (!parse_idents(s, len, &i, 1, 1, 0, err))
			return 0;
		out->pre = s + start;
		out->pre_len = i - start;
	}
	if (i < len && s[i] == '+')
	{
		i++;
		start = i;
		if (!parse_idents(s, len, &i, 0, 0, 0, err))
			return 0;
		out->build = s + start;
		out->build_len = i - start;
	}
	if (i < len)
		return set_err(err, i, "unexpected character after the patch version");
	return 1;
}

int
sv_parse_lenient(const char *s, size_t len, sv_version *out, sv_error *err)
{
	size_t		i = 0;
	size_t		start;
	uint64_t   *parts[3];
	int			k;

	memset(out, 0, sizeof(*out));
	parts[0] = &out->major;
	parts[1] = &out->minor;
	parts[2] = &out->patch;
	while (len > 0 && IS_SPACE(s[len - 1]))
		len--;
	while (i < len && IS_SPACE(s[i]))
		i++;
	while (i < len && (s[i] == 'v' || s[i] == 'V' || s[i] == '='))
		i++;
	while (i < len && IS_SPACE(s[i]))
		i++;
	if (i >= len)
		return set_err(err, i, "empty version");
	for (k = 0; k < 3; k++)
	{
		if (!parse_number(s, len, &i, parts[k], 0, err))
			return 0;
		if (k < 2 && i < len && s[i] == '.' && i + 1 < len && IS_DIGIT(s[i + 1]))
			i++;
		else
			break;
	}
	if (i < len && (s[i] == '-' || IS_ALPHA(s[i])))
	{
		if (s[i] == '-')
			i++;
		start = i;
		if (!parse_idents(s, len, &i, 0, 1, 0, err))
			return 0;
		out->pre = s + start;
		out->pre_len = i - start;
	}
	if (i < len && s[i] == '+')
	{
		i++;
		start = i;
		if (!parse_idents(s, len, &i, 0, 0, 0, err))
			return 0;
		out->build = s + start;
		out->build_len = i - start;
	}
	if (i < len)
		return set_err(err, i, "unexpected character in the version");
	return 1;
}

/* ---------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------
 */

static size_t
put_uint(uint8_t *buf, uint64_t v)
{
	int			k;
	int			j;

	if (v < 0xF8)
	{
		buf[0] = (uint8_t) v;
		return 1;
	}
	for (k = 1; k < 8 && (v >> (8 * k)) != 0; k++)
		;
	buf[0] = (uint8_t) (0xF7 + k);
	for (j = 0; j < k; j++)
		buf[1 + j] = (uint8_t) (v >> (8 * (k - 1 - j)));
	return 1 + k;
}

/* Read a uint at key[*i]; returns 0 if truncated or not minimal. */
static int
get_uint(const uint8_t *key, size_t len, size_t *i, uint64_t *v)
{
	uint8_t		b;
	int			k;
	int			j;
	uint64_t	r = 0;

	if (*i >= len)
		return 0;
	b = key[(*i)++];
	if (b < 0xF8)
	{
		*v = b;
		return 1;
	}
	k = b - 0xF7;
	if (*i + k > len)
		return 0;
	for (j = 0; j < k; j++)
		r = (r << 8) | key[(*i)++];
	/* minimal encoding only, so that equal values have equal keys */
	if (k == 1 ? r < 0xF8 : (r >> (8 * (k - 1))) == 0)
		return 0;
	*v = r;
	return 1;
}

size_t
sv_key_bound(const sv_version *v)
{
	/* 3 numbers, marker, and per identifier at most 6 bytes of overhead */
	return 3 * 9 + 2 + v->pre_len + 6 * (v->pre_len / 2 + 1) + 8;
}

size_t
sv_encode_key(const sv_version *v, uint8_t *buf)
{
	size_t		n = 0;
	size_t		i;

	n += put_uint(buf + n, v->major);
	n += put_uint(buf + n, v->minor);
	n += put_uint(buf + n, v->patch);
	if (v->pre == NULL || v->pre_len == 0)
	{
		buf[n++] = 0x02;
		return n;
	}
	buf[n++] = 0x01;
	i = 0;
	while (i < v->pre_len)
	{
		size_t		start = i;
		size_t		end;
		int			all_digits = 1;

		while (i < v->pre_len && v->pre[i] != '.')
		{
			if (!IS_DIGIT(v->pre[i]))
				all_digits = 0;
			i++;
		}
		end = i;
		if (all_digits)
		{
			size_t		d = start;

			while (d + 1 < end && v->pre[d] == '0')
				d++;
			if (end - d <= SV_SMALL_DIGITS)
			{
				uint64_t	val = 0;

				for (; d < end; d++)
					val = val * 10 + (uint64_t) (v->pre[d] - '0');
				buf[n++] = 0x01;
				n += put_uint(buf + n, val);
			}
			else
			{
				size_t		nd = end - d;

				buf[n++] = 0x02;
				buf[n++] = (uint8_t) (nd >> 24);
				buf[n++] = (uint8_t) (nd >> 16);
				buf[n++] = (uint8_t) (nd >> 8);
				buf[n++] = (uint8_t) nd;
				memcpy(buf + n, v->pre + d, nd);
				n += nd;
			}
		}
		else
		{
			buf[n++] = 0x03;
			memcpy(buf + n, v->pre + start, end - start);
			n += end - start;
			buf[n++] = 0x00;
		}
		if (i < v->pre_len)
			i++;				/* the dot */
	}
	buf[n++] = 0x00;
	return n;
}

int
sv_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int			r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r < 0 ? -1 : 1;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

uint64_t
sv_key_abbrev(const uint8_t *key, size_t len)
{
	uint64_t	r = 0;
	size_t		j;

	for (j = 0; j < 8; j++)
		r = (r << 8) | (j < len ? key[j] : 0);
	return r;
}

int
sv_key_main(const uint8_t *key, size_t len, sv_main *m)
{
	size_t		i = 0;

	if (!get_uint(key, len, &i, &m->major) ||
		!get_uint(key, len, &i, &m->minor) ||
		!get_uint(key, len, &i, &m->patch) || i >= len)
		return 0;
	if (key[i] == 0x02)
		m->pre_off = 0;
	else if (key[i] == 0x01)
		m->pre_off = i + 1;
	else
		return 0;
	m->main_end = i + 1;
	return 1;
}

size_t
sv_text_bound(size_t keylen)
{
	/* every key byte yields at most 20 characters (a 2-byte number: 3 chars) */
	return 3 * 21 + 2 + 3 * keylen;
}

static size_t
put_dec(char *out, uint64_t v)
{
	char		tmp[24];
	size_t		n = 0;
	size_t		j;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (j = 0; j < n; j++)
		out[j] = tmp[n - 1 - j];
	return n;
}

/*
 * Walk the prerelease identifiers starting at key[off]; write them as text
 * into out when out is not NULL.  Returns the text length, or -1 if the
 * key is malformed (including trailing bytes).
 */
static size_t
walk_prerelease(const uint8_t *key, size_t len, size_t off, char *out)
{
	size_t		i = off;
	size_t		n = 0;
	int			first = 1;

	for (;;)
	{
		uint8_t		tag;

		if (i >= len)
			return (size_t) -1;
		tag = key[i++];
		if (tag == 0x00)
			break;
		if (!first)
		{
			if (out)
				out[n] = '.';
			n++;
		}
		first = 0;
		if (tag == 0x01)
		{
			uint64_t	v;
			char		tmp[24];
			size_t		d;

			if (!get_uint(key, len, &i, &v))
				return (size_t) -1;
			d = put_dec(tmp, v);
			if (d > SV_SMALL_DIGITS)
				return (size_t) -1;
			if (out)
				memcpy(out + n, tmp, d);
			n += d;
		}
		else if (tag == 0x02)
		{
			size_t		nd;
			size_t		j;

			if (i + 4 > len)
				return (size_t) -1;
			nd = ((size_t) key[i] << 24) | ((size_t) key[i + 1] << 16) |
				((size_t) key[i + 2] << 8) | key[i + 3];
			i += 4;
			if (nd <= SV_SMALL_DIGITS || nd > len - i || key[i] == '0')
				return (size_t) -1;
			for (j = 0; j < nd; j++)
				if (!IS_DIGIT(key[i + j]))
					return (size_t) -1;
			if (out)
				memcpy(out + n, key + i, nd);
			n += nd;
			i += nd;
		}
		else if (tag == 0x03)
		{
			size_t		start = i;
			int			all_digits = 1;

			while (i < len && key[i] != 0x00)
			{
				if (!IS_IDENT(key[i]))
					return (size_t) -1;
				if (!IS_DIGIT(key[i]))
					all_digits = 0;
				i++;
			}
			if (i >= len || i == start || all_digits)
				return (size_t) -1;
			if (out)
				memcpy(out + n, key + start, i - start);
			n += i - start;
			i++;
		}
		else
			return (size_t) -1;
	}
	if (first || i != len)
		return (size_t) -1;
	return n;
}

size_t
sv_key_prerelease_text(const uint8_t *key, size_t len, char *out)
{
	sv_main		m;

	if (!sv_key_main(key, len, &m))
		return (size_t) -1;
	if (m.pre_off == 0)
		return 0;
	return walk_prerelease(key, len, m.pre_off, out);
}

size_t
sv_key_to_text(const uint8_t *key, size_t len, const char *build,
			   size_t build_len, char *out)
{
	sv_main		m;
	size_t		n = 0;

	if (!sv_key_main(key, len, &m))
		return (size_t) -1;
	n += put_dec(out + n, m.major);
	out[n++] = '.';
	n += put_dec(out + n, m.minor);
	out[n++] = '.';
	n += put_dec(out + n, m.patch);
	if (m.pre_off != 0)
	{
		size_t		p;

		out[n++] = '-';
		p = walk_prerelease(key, len, m.pre_off, out + n);
		if (p == (size_t) -1)
			return (size_t) -1;
		n += p;
	}
	if (build_len > 0)
	{
		out[n++] = '+';
		memcpy(out + n, build, build_len);
		n += build_len;
	}
	out[n] = '\0';
	return n;
}

int
sv_key_valid(const uint8_t *key, size_t len)
{
	sv_main		m;

	if (!sv_key_main(key, len, &m))
		return 0;
	if (m.major > SV_NUM_MAX || m.minor > SV_NUM_MAX || m.patch > SV_NUM_MAX)
		return 0;
	if (m.pre_off == 0)
		return m.main_end == len;	/* the release marker ends the key */
	return walk_prerelease(key, len, m.pre_off, NULL) != (size_t) -1;
}

int
sv_build_valid(const char *s, size_t len)
{
	size_t		i = 0;

	if (len == 0)
		return 1;
	return parse_idents(s, len, &i, 0, 0, 0, NULL) && i == len;
}

/* Compare two identifiers as node-semver's compareIdentifiers would. */
static int
ident_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int			an = 1,
				bn = 1;
	size_t		j;
	int			r;

	for (j = 0; j < al; j++)
		if (!IS_DIGIT(a[j]))
			an = 0;
	for (j = 0; j < bl; j++)
		if (!IS_DIGIT(b[j]))
			bn = 0;
	if (an && bn)
	{
		while (al > 1 && *a == '0')
			a++, al--;
		while (bl > 1 && *b == '0')
			b++, bl--;
		if (al != bl)
			return al < bl ? -1 : 1;
		r = memcmp(a, b, al);
		return r < 0 ? -1 : (r > 0 ? 1 : 0);
	}
	if (an != bn)
		return an ? -1 : 1;
	r = memcmp(a, b, al < bl ? al : bl);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return al < bl ? -1 : (al > bl ? 1 : 0);
}

int
sv_build_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i = 0,
				j = 0;
	int			r;

	if (alen == 0 || blen == 0)
		return alen == blen ? 0 : (alen == 0 ? -1 : 1);
	for (;;)
	{
		size_t		as = i,
					bs = j;

		if (i >= alen && j >= blen)
			break;
		if (i >= alen)
			return -1;
		if (j >= blen)
			return 1;
		while (i < alen && a[i] != '.')
			i++;
		while (j < blen && b[j] != '.')
			j++;
		r = ident_cmp(a + as, i - as, b + bs, j - bs);
		if (r != 0)
			return r;
		if (i < alen)
			i++;
		if (j < blen)
			j++;
	}
	r = memcmp(a, b, alen < blen ? alen : blen);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* ---------------------------------------------------------------------
 * Bumps (node-semver's inc without an identifier)
 * ---------------------------------------------------------------------
 */

size_t
sv_bump_bound(size_t keylen)
{
	return sv_text_bound(keylen) + 8;
}

int
sv_bump(const uint8_t *key, size_t len, sv_bump_part part, char *out)
{
	sv_main		m;
	int			pre;
	size_t		n = 0;

	if (!sv_key_main(key, len, &m))
		return SV_BUMP_BADKEY;
	pre = m.pre_off != 0;
	switch (part)
	{
		case SV_BUMP_MAJOR:
			if (m.minor != 0 || m.patch != 0 || !pre)
			{
				if (m.major >= SV_NUM_MAX)
					return SV_BUMP_OVERFLOW;
				m.major++;
			}
			m.minor = m.patch = 0;
			pre = 0;
			break;
		case SV_BUMP_MINOR:
			if (m.patch != 0 || !pre)
			{
				if (m.minor >= SV_NUM_MAX)
					return SV_BUMP_OVERFLOW;
				m.minor++;
			}
			m.patch = 0;
			pre = 0;
			break;
		case SV_BUMP_PATCH:
			if (!pre)
			{
				if (m.patch >= SV_NUM_MAX)
					return SV_BUMP_OVERFLOW;
				m.patch++;
			}
			pre = 0;
			break;
		case SV_BUMP_PRERELEASE:
			if (!pre)
			{
				if (m.patch >= SV_NUM_MAX)
					return SV_BUMP_OVERFLOW;
				m.patch++;
			}
			break;
	}
	n += put_dec(out + n, m.major);
	out[n++] = '.';
	n += put_dec(out + n, m.minor);
	out[n++] = '.';
	n += put_dec(out + n, m.patch);
	if (part == SV_BUMP_PRERELEASE)
	{
		out[n++] = '-';
		if (!pre)
			out[n++] = '0';
		else
		{
			size_t		p = walk_prerelease(key, len, m.pre_off, out + n);
			size_t		s,
						e,
						k;
			int			found = 0;

			if (p == (size_t) -1)
				return SV_BUMP_BADKEY;
			/* find the last all-digit identifier and add one to it */
			e = p;
			while (!found)
			{
				int			digits = 1;

				s = e;
				while (s > 0 && out[n + s - 1] != '.')
					s--;
				for (k = s; k < e; k++)
					if (!IS_DIGIT(out[n + k]))
						digits = 0;
				if (digits && e > s)
				{
					/* decimal increment of out[n+s .. n+e) */
					k = e;
					while (k > s && out[n + k - 1] == '9')
					{
						out[n + k - 1] = '0';
						k--;
					}
					if (k > s)
					{
						out[n + k - 1]++;
					}
					else
					{
						memmove(out + n + s + 1, out + n + s, p - s);
						out[n + s] = '1';
						p++;
					}
					found = 1;
					break;
				}
				if (s == 0)
					break;
				e = s - 1;
			}
			n += p;
			if (!found)
			{
				out[n++] = '.';
				out[n++] = '0';
			}
		}
	}
	out[n] = '\0';
	return SV_BUMP_OK;
}

/* ---------------------------------------------------------------------
 * Ranges: a hand-written parser for node-semver's range grammar that
 * produces the same comparator sets node-semver's desugaring does.
 * ---------------------------------------------------------------------
 */

/* A partial version as ranges write it: 1, 1.2, 1.x, 1.2.3-pre */
typedef struct sv_partial
{
	int			nparts;			/* parts written, 1..3 */
	int			isx[3];			/* part is x/X/ * or missing */
	uint64_t	num[3];
	const char *pre;
	size_t		pre_len;
} sv_partial;

typedef struct range_builder
{
	sv_alloc_fn alloc;
	void	   *ctx;
	sv_comparator *comps;
	int			ncomps;
	int			cap;
	int		   *set_start;
	int			nsets;
	int			set_cap;
} range_builder;

static int
rb_grow_comps(range_builder *rb)
{
	int			ncap = rb->cap ? rb->cap * 2 : 8;
	sv_comparator *n = rb->alloc(rb->ctx, sizeof(sv_comparator) * (size_t) ncap);

	if (n == NULL)
		return 0;
	if (rb->ncomps > 0)
		memcpy(n, rb->comps, sizeof(sv_comparator) * (size_t) rb->ncomps);
	rb->comps = n;
	rb->cap = ncap;
	return 1;
}

static int
rb_add_set_start(range_builder *rb, int start)
{
	if (rb->nsets + 1 >= rb->set_cap)
	{
		int			ncap = rb->set_cap ? rb->set_cap * 2 : 8;
		int		   *n = rb->alloc(rb->ctx, sizeof(int) * (size_t) ncap);

		if (n == NULL)
			return 0;
		if (rb->nsets > 0)
			memcpy(n, rb->set_start, sizeof(int) * (size_t) (rb->nsets + 1));
		rb->set_start = n;
		rb->set_cap = ncap;
	}
	rb->set_start[rb->nsets] = start;
	return 1;
}

/*
 * Add a comparator op M.m.p[-pre].  over: a number of the bound overflowed
 * (node would compute M+1 beyond our range): an upper bound beyond every
 * version is always true, a lower bound beyond every version always false.
 */
static int
rb_add(range_builder *rb, sv_op op, uint64_t M, uint64_t m, uint64_t p,
	   const char *pre, size_t pre_len, int over)
{
	sv_comparator *c;
	sv_version	v;
	uint8_t    *key;

	if (rb->ncomps >= rb->cap && !rb_grow_comps(rb))
		return 0;
	c = &rb->comps[rb->ncomps++];
	memset(c, 0, sizeof(*c));
	if (over)
	{
		c->op = (op == SV_OP_LT || op == SV_OP_LE) ? SV_OP_TRUE : SV_OP_FALSE;
		return 1;
	}
	/* node-semver: ">=0.0.0" is replaced by "" (ANY) */
	if (op == SV_OP_GE && M == 0 && m == 0 && p == 0 && pre_len == 0)
	{
		c->op = SV_OP_ANY;
		return 1;
	}
	c->op = op;
	c->major = M;
	c->minor = m;
	c->patch = p;
	c->has_pre = pre_len > 0;
	memset(&v, 0, sizeof(v));
	v.major = M;
	v.minor = m;
	v.patch = p;
	v.pre = pre;
	v.pre_len = pre_len;
	key = rb->alloc(rb->ctx, sv_key_bound(&v));
	if (key == NULL)
		return 0;
	c->keylen = sv_encode_key(&v, key);
	c->key = key;
	return 1;
}

static int
rb_any(range_builder *rb)
{
	if (rb->ncomps >= rb->cap && !rb_grow_comps(rb))
		return 0;
	memset(&rb->comps[rb->ncomps], 0, sizeof(sv_comparator));
	rb->comps[rb->ncomps++].op = SV_OP_ANY;
	return 1;
}

static int
is_xchar(char c)
{
	return c == 'x' || c == 'X' || c == '*';
}

/*
 * Parse a partial version at s[*i .. end): optional 'v', then up to three
 * parts (number or x), a prerelease only after three parts, and build
 * metadata (ignored, as node-semver strips it from ranges).  The partial
 * must run to `end` or to whitespace.
 */
static int
parse_partial(const char *s, size_t end, size_t *i, sv_partial *pt, sv_error *err)
{
	int			k;

	memset(pt, 0, sizeof(*pt));
	pt->isx[0] = pt->isx[1] = pt->isx[2] = 1;
	if (*i < end && s[*i] == 'v')
		(*i)++;
	for (k = 0; k < 3; k++)
	{
		if (*i >= end)
			return set_err(err, *i, "unexpected end of range, expected a version");
		if (is_xchar(s[*i]))
		{
			(*i)++;
			pt->isx[k] = 1;
		}
		else if (IS_DIGIT(s[*i]))
		{
			if (!parse_number(s, end, i, &pt->num[k], 1, err))
				return 0;
			pt->isx[k] = 0;
		}
		else
			return set_err(err, *i, "expected a version number or x");
		pt->nparts = k + 1;
		if (k < 2 && *i < end && s[*i] == '.')
			(*i)++;
		else
			break;
	}
	if (pt->nparts == 3 && *i < end && s[*i] == '-')
	{
		size_t		start;

		(*i)++;
		start = *i;
		if (!parse_idents(s, end, i, 1, 1, 1, err))
			return 0;
		pt->pre = s + start;
		pt->pre_len = *i - start;
	}
	if (*i < end && s[*i] == '+')
	{
		(*i)++;
		if (!parse_idents(s, end, i, 0, 0, 1, err))
			return 0;
	}
	if (*i < end && !IS_SPACE(s[*i]))
		return set_err(err, *i, "unexpected character in a range version");
	return 1;
}

static int
inc(uint64_t a, uint64_t *r)
{
	if (a >= SV_NUM_MAX)
		return 1;
	*r = a + 1;
	return 0;
}

#define PX(pt, k)	((pt)->isx[k])

/* replaceXRange for an operator (possibly "") and a partial */
static int
add_xrange(range_builder *rb, sv_op op, int have_op, const sv_partial *pt,
		   size_t pos, sv_error *err)
{
	uint64_t	M = pt->num[0],
				m = pt->num[1],
				p = pt->num[2];
	int			xM = PX(pt, 0);
	int			xm = xM || PX(pt, 1);
	int			xp = xm || PX(pt, 2);
	uint64_t	t = 0;
	int			over = 0;

	if (!xp)
	{
		/* a full version */
		return rb_add(rb, have_op ? op : SV_OP_EQ, M, m, p, pt->pre, pt->pre_len, 0);
	}
	/* invalidXRangeOrder: 1.x.3, x.1 */
	if ((PX(pt, 0) && !PX(pt, 1)) || (PX(pt, 1) && pt->nparts == 3 && !PX(pt, 2)))
		return set_err(err, pos, "a number cannot follow an x in a version range");
	if (have_op && op == SV_OP_EQ)
		have_op = 0;
	if (xM)
	{
		if (have_op && (op == SV_OP_LT || op == SV_OP_GT))
			return rb_add(rb, SV_OP_LT, 0, 0, 0, "0", 1, 0);	/* <0.0.0-0 */
		return rb_any(rb);
	}
	if (have_op)
	{
		if (xm)
			m = 0;
		p = 0;
		if (op == SV_OP_GT)
		{
			op = SV_OP_GE;
			if (xm)
			{
				over = inc(M, &t);
				M = t;
				m = 0;
			}
			else
			{
				over = inc(m, &t);
				m = t;
			}
			p = 0;
		}
		else if (op == SV_OP_LE)
		{
			op = SV_OP_LT;
			if (xm)
			{
				over = inc(M, &t);
				M = t;
			}
			else
			{
				over = inc(m, &t);
				m = t;
			}
		}
		if (op == SV_OP_LT)
			return rb_add(rb, op, M, m, p, "0", 1, over);
		return rb_add(rb, op, M, m, p, NULL, 0, over);
	}
	if (xm)
	{
		if (!rb_add(rb, SV_OP_GE, M, 0, 0, NULL, 0, 0))
			return 0;
		over = inc(M, &t);
		return rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over);
	}
	/* xp */
	if (!rb_add(rb, SV_OP_GE, M, m, 0, NULL, 0, 0))
		return 0;
	over = inc(m, &t);
	return rb_add(rb, SV_OP_LT, M, t, 0, "0", 1, over);
}

static int
add_tilde(range_builder *rb, const sv_partial *pt)
{
	uint64_t	M = pt->num[0],
				m = pt->num[1],
				p = pt->num[2];
	uint64_t	t = 0;
	int			over;

	if (PX(pt, 0))
		return rb_any(rb);
	if (PX(pt, 1))
	{
		over = inc(M, &t);
		return rb_add(rb, SV_OP_GE, M, 0, 0, NULL, 0, 0) &&
			rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over);
	}
	over = inc(m, &t);
	if (PX(pt, 2))
		return rb_add(rb, SV_OP_GE, M, m, 0, NULL, 0, 0) &&
			rb_add(rb, SV_OP_LT, M, t, 0, "0", 1, over);
	return rb_add(rb, SV_OP_GE, M, m, p, pt->pre, pt->pre_len, 0) &&
		rb_add(rb, SV_OP_LT, M, t, 0, "0", 1, over);
}

static int
add_caret(range_builder *rb, const sv_partial *pt)
{
	uint64_t	M = pt->num[0],
				m = pt->num[1],
				p = pt->num[2];
	uint64_t	t = 0;
	int			over;

	if (PX(pt, 0))
		return rb_any(rb);
	if (PX(pt, 1))
	{
		over = inc(M, &t);
		return rb_add(rb, SV_OP_GE, M, 0, 0, NULL, 0, 0) &&
			rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over);
	}
	if (PX(pt, 2))
	{
		if (!rb_add(rb, SV_OP_GE, M, m, 0, NULL, 0, 0))
			return 0;
		if (M == 0)
		{
			over = inc(m, &t);
			return rb_add(rb, SV_OP_LT, M, t, 0, "0", 1, over);
		}
		over = inc(M, &t);
		return rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over);
	}
	if (!rb_add(rb, SV_OP_GE, M, m, p, pt->pre, pt->pre_len, 0))
		return 0;
	if (M == 0 && m == 0)
	{
		over = inc(p, &t);
		return rb_add(rb, SV_OP_LT, M, m, t, "0", 1, over);
	}
	if (M == 0)
	{
		over = inc(m, &t);
		return rb_add(rb, SV_OP_LT, M, t, 0, "0", 1, over);
	}
	over = inc(M, &t);
	return rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over);
}

/* hyphenReplace: "A - B" */
static int
add_hyphen(range_builder *rb, const sv_partial *f, const sv_partial *to)
{
	uint64_t	t = 0;
	int			over;
	int			any_added = 0;

	if (!PX(f, 0))
	{
		if (PX(f, 1))
		{
			if (!rb_add(rb, SV_OP_GE, f->num[0], 0, 0, NULL, 0, 0))
				return 0;
		}
		else if (PX(f, 2))
		{
			if (!rb_add(rb, SV_OP_GE, f->num[0], f->num[1], 0, NULL, 0, 0))
				return 0;
		}
		else if (!rb_add(rb, SV_OP_GE, f->num[0], f->num[1], f->num[2],
						 f->pre, f->pre_len, 0))
			return 0;
		any_added = 1;
	}
	if (!PX(to, 0))
	{
		if (PX(to, 1))
		{
			over = inc(to->num[0], &t);
			if (!rb_add(rb, SV_OP_LT, t, 0, 0, "0", 1, over))
				return 0;
		}
		else if (PX(to, 2))
		{
			over = inc(to->num[1], &t);
			if (!rb_add(rb, SV_OP_LT, to->num[0], t, 0, "0", 1, over))
				return 0;
		}
		else if (!rb_add(rb, SV_OP_LE, to->num[0], to->num[1], to->num[2],
						 to->pre, to->pre_len, 0))
			return 0;
		any_added = 1;
	}
	if (!any_added)
		return rb_any(rb);
	return 1;
}

/* Parse one comparator set s[start .. end) (already trimmed). */
static int
parse_set(range_builder *rb, const char *s, size_t start, size_t end, sv_error *err)
{
	size_t		i = start;

	if (start == end)
		return rb_any(rb);

	/* a hyphen range is the whole set: partial ws+ '-' ws+ partial */
	{
		sv_partial a,
					b;
		size_t		j = start;
		sv_error	dummy;

		if (parse_partial(s, end, &j, &a, &dummy) && j < end && IS_SPACE(s[j]))
		{
			size_t		k = j;

			while (k < end && IS_SPACE(s[k]))
				k++;
			if (k < end && s[k] == '-' && k + 1 < end && IS_SPACE(s[k + 1]))
			{
				k++;
				while (k < end && IS_SPACE(s[k]))
					k++;
				if (!parse_partial(s, end, &k, &b, err))
					return 0;
				while (k < end && IS_SPACE(s[k]))
					k++;
				if (k != end)
					return set_err(err, k, "a hyphen range must be the whole comparator set");
				return add_hyphen(rb, &a, &b);
			}
		}
	}

	while (i < end)
	{
		sv_partial	pt;
		size_t		cstart;

		while (i < end && IS_SPACE(s[i]))
			i++;
		if (i >= end)
			break;
		cstart = i;
		if (s[i] == '~')
		{
			i++;
			if (i < end && s[i] == '>')
				i++;
			while (i < end && IS_SPACE(s[i]))
				i++;
			if (!parse_partial(s, end, &i, &pt, err) || !add_tilde(rb, &pt))
				return 0;
		}
		else if (s[i] == '^')
		{
			i++;
			while (i < end && IS_SPACE(s[i]))
				i++;
			if (!parse_partial(s, end, &i, &pt, err) || !add_caret(rb, &pt))
				return 0;
		}
		else
		{
			sv_op		op = SV_OP_EQ;
			int			have_op = 0;

			if (s[i] == '<' || s[i] == '>')
			{
				int			lt = s[i] == '<';

				i++;
				have_op = 1;
				if (i < end && s[i] == '=')
				{
					i++;
					op = lt ? SV_OP_LE : SV_OP_GE;
				}
				else
					op = lt ? SV_OP_LT : SV_OP_GT;
			}
			else if (s[i] == '=')
			{
				i++;
				have_op = 1;
				op = SV_OP_EQ;
			}
			if (have_op)
				while (i < end && IS_SPACE(s[i]))
					i++;
			if (!parse_partial(s, end, &i, &pt, err) ||
				!add_xrange(rb, op, have_op, &pt, cstart, err))
				return 0;
		}
	}
	return 1;
}

int
sv_range_parse(const char *s, size_t len, sv_range *out, sv_error *err,
			   sv_alloc_fn alloc, void *ctx)
{
	range_builder rb;
	size_t		i = 0;
	int			k;

	memset(&rb, 0, sizeof(rb));
	memset(out, 0, sizeof(*out));
	rb.alloc = alloc;
	rb.ctx = ctx;

	for (;;)
	{
		size_t		start = i,
					end,
					next;
		int			found = 0;

		/* find the next "||" */
		while (i < len)
		{
			if (s[i] == '|')
			{
				if (i + 1 < len && s[i + 1] == '|')
				{
					found = 1;
					break;
				}
				return set_err(err, i, "a single \"|\" is not a range operator");
			}
			if (s[i] == '\0')
				return set_err(err, i, "invalid character in a range");
			i++;
		}
		end = i;
		next = found ? i + 2 : i;
		while (start < end && IS_SPACE(s[start]))
			start++;
		while (end > start && IS_SPACE(s[end - 1]))
			end--;
		if (!rb_add_set_start(&rb, rb.ncomps))
			return set_err(err, start, "out of memory");
		if (!parse_set(&rb, s, start, end, err))
			return 0;
		rb.nsets++;
		if (!found)
			break;
		i = next;
	}
	if (!rb_add_set_start(&rb, rb.ncomps))
		return set_err(err, 0, "out of memory");
	out->nsets = rb.nsets;
	out->set_start = rb.set_start;
	out->comps = rb.comps;
	out->ncomps = rb.ncomps;
	out->any_set = 0;
	for (k = 0; k < rb.nsets; k++)
	{
		int			c,
					all_any = 1;

		for (c = rb.set_start[k]; c < rb.set_start[k + 1]; c++)
			if (rb.comps[c].op != SV_OP_ANY)
				all_any = 0;
		if (all_any)
			out->any_set = 1;
	}
	return 1;
}

static int
comp_test(const sv_comparator *c, const uint8_t *key, size_t keylen)
{
	int			r;

	switch (c->op)
	{
		case SV_OP_ANY:
		case SV_OP_TRUE:
			return 1;
		case SV_OP_FALSE:
			return 0;
		default:
			break;
	}
	r = sv_key_cmp(key, keylen, c->key, c->keylen);
	switch (c->op)
	{
		case SV_OP_LT:
			return r < 0;
		case SV_OP_LE:
			return r <= 0;
		case SV_OP_GT:
			return r > 0;
		case SV_OP_GE:
			return r >= 0;
		case SV_OP_EQ:
			return r == 0;
		default:
			return 0;
	}
}

int
sv_range_test(const sv_range *r, const uint8_t *key, size_t keylen)
{
	sv_main		m;
	int			k;

	if (!sv_key_main(key, keylen, &m))
		return 0;
	if (r->any_set)
		return m.pre_off == 0;
	for (k = 0; k < r->nsets; k++)
	{
		int			c,
					ok = 1;

		for (c = r->set_start[k]; c < r->set_start[k + 1] && ok; c++)
			ok = comp_test(&r->comps[c], key, keylen);
		if (!ok)
			continue;
		if (m.pre_off == 0)
			return 1;
		/* a prerelease needs a comparator with a prerelease on its M.m.p */
		for (c = r->set_start[k]; c < r->set_start[k + 1]; c++)
		{
			const sv_comparator *cp = &r->comps[c];

			if (cp->op == SV_OP_ANY || cp->op == SV_OP_TRUE || cp->op == SV_OP_FALSE)
				continue;
			if (cp->has_pre && cp->major == m.major && cp->minor == m.minor &&
				cp->patch == m.patch)
				return 1;
		}
	}
	return 0;
}
