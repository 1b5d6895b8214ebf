// FUZZ_SOURCES: src/diff_core.c
/*
 * libFuzzer target for the unified diff: the input is split at its first
 * 0xff byte into a and b (else halved); the diff of a to b is applied back
 * to a by a strict hunk applier (as GNU patch reads it: context and removed
 * lines must match exactly, "\ No newline at end of file" drops the final
 * newline of the previous line) and must give b.  An empty diff means
 * a == b.  A small context is taken from the first byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_core.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void *A(void *c, size_t n) { (void) c; return malloc(n); }
static void *R(void *c, void *p, size_t n) { (void) c; return realloc(p, n); }
static void F(void *c, void *p) { (void) c; free(p); }

typedef struct Cursor
{
	const char *s;
	size_t		len;
	size_t		pos;
} Cursor;

/* next line of the diff without its '\n' (diff lines always end in '\n') */
static int
NextLine(Cursor *c, const char **line, size_t *len)
{
	const char *nl;

	if (c->pos >= c->len)
		return 0;
	nl = memchr(c->s + c->pos, '\n', c->len - c->pos);
	CHECK(nl != NULL);
	*line = c->s + c->pos;
	*len = (size_t) (nl - (c->s + c->pos));
	c->pos += *len + 1;
	return 1;
}

/* length of the line of a starting at pos, including its '\n' if any */
static size_t
LineLen(const char *a, size_t alen, size_t pos)
{
	const char *nl = memchr(a + pos, '\n', alen - pos);

	return nl ? (size_t) (nl - (a + pos)) + 1 : alen - pos;
}

static void
Apply(const char *a, size_t alen, const char *b, size_t blen, const char *d, size_t dlen)
{
	Cursor		c = {d, dlen, 0};
	const char *line;
	size_t		len;
	char	   *out = malloc(alen + dlen + 1);
	size_t		olen = 0;
	size_t		apos = 0;
	long		aline = 1;		/* 1-based number of the next line of a */

	CHECK(NextLine(&c, &line, &len) && len >= 4 && memcmp(line, "--- ", 4) == 0);
	CHECK(NextLine(&c, &line, &len) && len >= 4 && memcmp(line, "+++ ", 4) == 0);
	CHECK(NextLine(&c, &line, &len));
	for (;;)
	{
		long		os, oc = 1, ns, nc = 1;
		long		seen_old = 0, seen_new = 0;
		char		hdr[128];
		int			got;

		CHECK(len > 4 && len < sizeof(hdr) && memcmp(line, "@@ -", 4) == 0);
		memcpy(hdr, line, len);
		hdr[len] = '\0';
		if (sscanf(hdr, "@@ -%ld,%ld +%ld,%ld @@", &os, &oc, &ns, &nc) == 4)
			got = 4;
		else if (sscanf(hdr, "@@ -%ld +%ld,%ld @@", &os, &ns, &nc) == 3)
			got = 3, oc = 1;
		else if (sscanf(hdr, "@@ -%ld,%ld +%ld @@", &os, &oc, &ns) == 3)
			got = 3, nc = 1;
		else
		{
			got = sscanf(hdr, "@@ -%ld +%ld @@", &os, &ns);
			CHECK(got == 2);
			oc = nc = 1;
		}
		/* copy the lines of a before the hunk */
		{
			long		first = oc == 0 ? os + 1 : os;

			CHECK(first >= aline);
			while (aline < first)
			{
				size_t		l;

				CHECK(apos < alen);
				l = LineLen(a, alen, apos);
				memcpy(out + olen, a + apos, l);
				olen += l;
				apos += l;
				aline++;
			}
		}
		/* the hunk body */
		{
			int			more = NextLine(&c, &line, &len);

			while (more && (seen_old < oc || seen_new < nc))
			{
				char		kind = len > 0 ? line[0] : '?';
				const char *text = line + 1;
				size_t		tlen = len - 1;
				int			newline = 1;

				CHECK(kind == ' ' || kind == '-' || kind == '+');
				more = NextLine(&c, &line, &len);
				if (more && len > 0 && line[0] == '\\')
				{
					CHECK(len == 27 && memcmp(line, "\\ No newline at end of file", 27) == 0);
					newline = 0;
					more = NextLine(&c, &line, &len);
				}
				if (kind == ' ' || kind == '-')
				{
					size_t		l;

					CHECK(apos < alen);
					l = LineLen(a, alen, apos);
					CHECK(l == tlen + (size_t) newline);
					CHECK(memcmp(a + apos, text, tlen) == 0);
					CHECK(!newline || a[apos + tlen] == '\n');
					if (kind == ' ')
					{
						memcpy(out + olen, a + apos, l);
						olen += l;
						seen_new++;
					}
					apos += l;
					aline++;
					seen_old++;
				}
				else
				{
					memcpy(out + olen, text, tlen);
					olen += tlen;
					if (newline)
						out[olen++] = '\n';
					seen_new++;
				}
			}
			CHECK(seen_old == oc && seen_new == nc);
			if (!more)
				break;
		}
	}
	memcpy(out + olen, a + apos, alen - apos);
	olen += alen - apos;
	CHECK(olen == blen);
	CHECK(blen == 0 || memcmp(out, b, blen) == 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t		alen = sep ? (size_t) (sep - data) : size / 2;
	const char *b = sep ? s + alen + 1 : s + alen;
	size_t		blen = size - alen - (sep ? 1 : 0);
	int			context = size > 0 ? data[0] % 5 : 3;
	DiffHooks	h = {A, R, F, NULL, NULL};
	DiffOutput	o;

	memset(&o, 0, sizeof(o));
	CHECK(diff_unified(s, alen, b, blen, "a/x", "b/x", context, &h, &o) == 0);
	if (o.len == 0)
		CHECK(alen == blen && (alen == 0 || memcmp(s, b, alen) == 0));
	else
		Apply(s, alen, b, blen, o.data, o.len);
	free(o.data);
	return 0;
}
