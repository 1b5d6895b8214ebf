/*-------------------------------------------------------------------------
 *
 * diff_core.c
 *		Linear-space Myers diff of lines, printed as a unified diff.
 *		Plain C, no server headers (see diff_core.h).
 *
 *-------------------------------------------------------------------------
 */
#include "diff_core.h"

#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

typedef struct Line
{
	const char *start;
	size_t		len;			/* including the '\n' when there is one */
	uint64_t	hash;
} Line;

typedef struct Range
{
	long		xoff,
				xlim,
				yoff,
				ylim;
} Range;

typedef struct Ctx
{
	const DiffHooks *h;
	long	   *xv;				/* interned line ids of a */
	long	   *yv;
	char	   *xch;			/* 1 = line of a is deleted */
	char	   *ych;			/* 1 = line of b is inserted */
	long	   *fd;				/* forward furthest x per diagonal */
	long	   *bd;				/* backward furthest x per diagonal */
	long		too_expensive;	/* cost bound of one middle-snake search */
	unsigned long ticks;
} Ctx;

static void *
Alloc(const DiffHooks *h, size_t n)
{
	return h->alloc(h->ctx, n ? n : 1);
}

static void
Free(const DiffHooks *h, void *p)
{
	if (p)
		h->free(h->ctx, p);
}

static void
Tick(Ctx *c)
{
	if (c->h->tick && (++c->ticks & 0x3ff) == 0)
		c->h->tick(c->h->ctx);
}

/* Split text into lines; returns the count, or -1 on allocation failure. */
static long
SplitLines(const DiffHooks *h, const char *s, size_t len, Line **out)
{
	long		n = 0;
	size_t		i;
	Line	   *lines;
	size_t		start = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	if (len > 0 && s[len - 1] != '\n')
		n++;
	lines = Alloc(h, sizeof(Line) * (size_t) (n + 1));
	if (lines == NULL)
		return -1;
	n = 0;
	for (i = 0; i < len; i++)
	{
		if (s[i] == '\n')
		{
			lines[n].start = s + start;
			lines[n].len = i + 1 - start;
			n++;
			start = i + 1;
		}
	}
	if (start < len)
	{
		lines[n].start = s + start;
		lines[n].len = len - start;
		n++;
	}
	for (i = 0; i < (size_t) n; i++)
	{
		uint64_t	hv = 1469598103934665603ULL;	/* FNV-1a */
		size_t		k;

		for (k = 0; k < lines[i].len; k++)
		{
			hv ^= (unsigned char) lines[i].start[k];
			hv *= 1099511628211ULL;
		}
		lines[i].hash = hv;
	}
	*out = lines;
	return n;
}

/* Intern the lines of both files into integer ids (equal lines, equal ids). */
static int
Intern(const DiffHooks *h, Line *la, long na, Line *lb, long nb, long *xv, long *yv)
{
	size_t		cap = 16;
	long	   *slots;			/* index into the combined line list, or -1 */
	long		total = na + nb;
	long		i;

	while (cap < (size_t) total * 2 + 2)
		cap <<= 1;
	slots = Alloc(h, sizeof(long) * cap);
	if (slots == NULL)
		return -1;
	for (i = 0; i < (long) cap; i++)
		slots[i] = -1;
	for (i = 0; i < total; i++)
	{
		Line	   *l = i < na ? &la[i] : &lb[i - na];
		size_t		pos = (size_t) l->hash & (cap - 1);
		long		id;

		for (;;)
		{
			long		s = slots[pos];
			Line	   *o;

			if (s < 0)
			{
				slots[pos] = i;
				id = i;
				break;
			}
			o = s < na ? &la[s] : &lb[s - na];
			if (o->hash == l->hash && o->len == l->len &&
				memcmp(o->start, l->start, l->len) == 0)
			{
				id = s;
				break;
			}
			pos = (pos + 1) & (cap - 1);
		}
		if (i < na)
			xv[i] = id;
		else
			yv[i - na] = id;
	}
	Free(h, slots);
	return 0;
}

/*
 * Find a point (xmid, ymid) on an optimal path through the box by the
 * bidirectional search.  Returns 0 when the cost bound was exceeded.
 */
static int
MiddleSnake(Ctx *c, long xoff, long xlim, long yoff, long ylim,
			long *xmid, long *ymid)
{
	long	   *fd = c->fd;
	long	   *bd = c->bd;
	const long *xv = c->xv;
	const long *yv = c->yv;
	const long	dmin = xoff - ylim;
	const long	dmax = xlim - yoff;
	const long	fmid = xoff - yoff;
	const long	bmid = xlim - ylim;
	long		fmin = fmid,
				fmax = fmid;
	long		bmin = bmid,
				bmax = bmid;
	long		cost;
	int			odd = ((fmid - bmid) & 1) != 0;

	fd[fmid] = xoff;
	bd[bmid] = xlim;

	for (cost = 1;; cost++)
	{
		long		d;

		Tick(c);
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		for (d = fmax; d >= fmin; d -= 2)
		{
			long		x,
						y;
			long		tlo = fd[d - 1];
			long		thi = fd[d + 1];
			long		x0 = tlo < thi ? thi : tlo + 1;

			for (x = x0, y = x0 - d;
				 x < xlim && y < ylim && xv[x] == yv[y];
				 x++, y++)
				;
			fd[d] = x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x)
			{
				*xmid = x;
				*ymid = y;
				return 1;
			}
		}

		if (bmin > dmin)
			bd[--bmin - 1] = LONG_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = LONG_MAX;
		else
			--bmax;
		for (d = bmax; d >= bmin; d -= 2)
		{
			long		x,
						y;
			long		tlo = bd[d - 1];
			long		thi = bd[d + 1];
			long		x0 = tlo < thi ? tlo : thi - 1;

			for (x = x0, y = x0 - d;
				 xoff < x && yoff < y && xv[x - 1] == yv[y - 1];
				 x--, y--)
				;
			bd[d] = x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d])
			{
				*xmid = x;
				*ymid = y;
				return 1;
			}
		}

		if (cost >= c->too_expensive)
			return 0;
	}
}

static int
CompareSeq(Ctx *c, long na, long nb)
{
	const DiffHooks *h = c->h;
	size_t		cap = 64;
	size_t		top = 0;
	Range	   *stack = Alloc(h, sizeof(Range) * cap);

	if (stack == NULL)
		return -1;
	stack[top].xoff = 0;
	stack[top].xlim = na;
	stack[top].yoff = 0;
	stack[top].ylim = nb;
	top++;

	while (top > 0)
	{
		Range		r = stack[--top];
		long		xmid,
					ymid;
		long		i;

		Tick(c);
		while (r.xoff < r.xlim && r.yoff < r.ylim && c->xv[r.xoff] == c->yv[r.yoff])
			r.xoff++, r.yoff++;
		while (r.xlim > r.xoff && r.ylim > r.yoff &&
			   c->xv[r.xlim - 1] == c->yv[r.ylim - 1])
			r.xlim--, r.ylim--;

		if (r.xoff == r.xlim || r.yoff == r.ylim ||
			!MiddleSnake(c, r.xoff, r.xlim, r.yoff, r.ylim, &xmid, &ymid))
		{
			for (i = r.xoff; i < r.xlim; i++)
				c->xch[i] = 1;
			for (i = r.yoff; i < r.ylim; i++)
				c->ych[i] = 1;
			continue;
		}

		if (top + 2 > cap)
		{
			Range	   *ns = h->realloc(h->ctx, stack, sizeof(Range) * cap * 2);

			if (ns == NULL)
			{
				Free(h, stack);
				return -1;
			}
			stack = ns;
			cap *= 2;
		}
		stack[top].xoff = xmid;
		stack[top].xlim = r.xlim;
		stack[top].yoff = ymid;
		stack[top].ylim = r.ylim;
		top++;
		stack[top].xoff = r.xoff;
		stack[top].xlim = xmid;
		stack[top].yoff = r.yoff;
		stack[top].ylim = ymid;
		top++;
	}
	Free(h, stack);
	return 0;
}

/* Output buffer. */
static int
Put(const DiffHooks *h, DiffOutput *o, const char *s, size_t n)
{
	if (o->len + n > o->cap)
	{
		size_t		ncap = o->cap ? o->cap : 256;
		char	   *nd;

		while (ncap < o->len + n)
			ncap *= 2;
		nd = o->data ? h->realloc(h->ctx, o->data, ncap) : Alloc(h, ncap);
		if (nd == NULL)
			return -1;
		o->data = nd;
		o->cap = ncap;
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	return 0;
}

static int
PutStr(const DiffHooks *h, DiffOutput *o, const char *s)
{
	return Put(h, o, s, strlen(s));
}

static int
PutLine(const DiffHooks *h, DiffOutput *o, char prefix, const Line *l)
{
	if (Put(h, o, &prefix, 1) < 0 || Put(h, o, l->start, l->len) < 0)
		return -1;
	if (l->len == 0 || l->start[l->len - 1] != '\n')
		return PutStr(h, o, "\n\\ No newline at end of file\n");
	return 0;
}

/* GNU diff's range format: "start" for one line, "start,count" else,
 * and for an empty range the number of the line before it. */
static void
FormatRange(char *buf, size_t bufsz, long start0, long count)
{
	if (count == 1)
		snprintf(buf, bufsz, "%ld", start0 + 1);
	else if (count == 0)
		snprintf(buf, bufsz, "%ld,0", start0);
	else
		snprintf(buf, bufsz, "%ld,%ld", start0 + 1, count);
}

typedef struct Block
{
	long		i0,
				i1,
				j0,
				j1;
} Block;

static int
WriteHunks(const DiffHooks *h, DiffOutput *o, Line *la, long na, Line *lb, long nb,
		   const char *xch, const char *ych, int context,
		   const char *label_a, const char *label_b)
{
	Block	   *blocks;
	long		nblocks = 0;
	long		i = 0,
				j = 0;
	long		b;
	int			rc = 0;

	blocks = Alloc(h, sizeof(Block) * (size_t) (na + nb + 1));
	if (blocks == NULL)
		return -1;
	while (i < na || j < nb)
	{
		if (i < na && j < nb && !xch[i] && !ych[j])
		{
			i++, j++;
			continue;
		}
		blocks[nblocks].i0 = i;
		blocks[nblocks].j0 = j;
		while (i < na && xch[i])
			i++;
		while (j < nb && ych[j])
			j++;
		blocks[nblocks].i1 = i;
		blocks[nblocks].j1 = j;
		if (blocks[nblocks].i0 == i && blocks[nblocks].j0 == j)
		{
			/* cannot happen with a valid edit script; stay safe */
			if (i < na)
				i++;
			if (j < nb)
				j++;
			continue;
		}
		nblocks++;
	}
	if (nblocks == 0)
		goto done;

	if (PutStr(h, o, "--- ") < 0 || PutStr(h, o, label_a) < 0 ||
		PutStr(h, o, "\n+++ ") < 0 || PutStr(h, o, label_b) < 0 ||
		PutStr(h, o, "\n") < 0)
		goto fail;

	for (b = 0; b < nblocks;)
	{
		long		e = b;
		long		astart,
					aend,
					bstart,
					bend,
					k,
					x;
		char		ra[48],
					rb[48];

		while (e + 1 < nblocks && blocks[e + 1].i0 - blocks[e].i1 <= 2L * context)
			e++;
		astart = blocks[b].i0 - context;
		if (astart < 0)
			astart = 0;
		bstart = blocks[b].j0 - (blocks[b].i0 - astart);
		aend = blocks[e].i1 + context;
		if (aend > na)
			aend = na;
		bend = blocks[e].j1 + (aend - blocks[e].i1);
		FormatRange(ra, sizeof(ra), astart, aend - astart);
		FormatRange(rb, sizeof(rb), bstart, bend - bstart);
		if (PutStr(h, o, "@@ -") < 0 || PutStr(h, o, ra) < 0 ||
			PutStr(h, o, " +") < 0 || PutStr(h, o, rb) < 0 ||
			PutStr(h, o, " @@\n") < 0)
			goto fail;
		o->hunks++;

		x = astart;
		for (k = b; k <= e; k++)
		{
			long		t;

			for (; x < blocks[k].i0; x++)
				if (PutLine(h, o, ' ', &la[x]) < 0)
					goto fail;
			for (t = blocks[k].i0; t < blocks[k].i1; t++)
				if (PutLine(h, o, '-', &la[t]) < 0)
					goto fail;
			for (t = blocks[k].j0; t < blocks[k].j1; t++)
				if (PutLine(h, o, '+', &lb[t]) < 0)
					goto fail;
			o->deleted += blocks[k].i1 - blocks[k].i0;
			o->inserted += blocks[k].j1 - blocks[k].j0;
			x = blocks[k].i1;
		}
		for (; x < aend; x++)
			if (PutLine(h, o, ' ', &la[x]) < 0)
				goto fail;
		b = e + 1;
	}
	goto done;
fail:
	rc = -1;
done:
	Free(h, blocks);
	return rc;
}

int
diff_unified(const char *a, size_t alen, const char *b, size_t blen,
			 const char *label_a, const char *label_b, int context,
			 const DiffHooks *hooks, DiffOutput *out)
{
	Ctx			c;
	Line	   *la = NULL,
			   *lb = NULL;
	long	   *diagbase = NULL;
	long		na = 0,
				nb = 0;
	long		diags;
	long		bound;
	int			rc = -1;

	memset(&c, 0, sizeof(c));
	c.h = hooks;
	if (context < 0)
		context = 0;

	na = SplitLines(hooks, a, alen, &la);
	if (na < 0)
		goto done;
	nb = SplitLines(hooks, b, blen, &lb);
	if (nb < 0)
		goto done;

	diags = na + nb + 3;
	c.xv = Alloc(hooks, sizeof(long) * (size_t) (na + 1));
	c.yv = Alloc(hooks, sizeof(long) * (size_t) (nb + 1));
	c.xch = Alloc(hooks, (size_t) na + 1);
	c.ych = Alloc(hooks, (size_t) nb + 1);
	diagbase = Alloc(hooks, sizeof(long) * (size_t) diags * 2);
	if (!c.xv || !c.yv || !c.xch || !c.ych || !diagbase)
		goto done;
	memset(c.xch, 0, (size_t) na + 1);
	memset(c.ych, 0, (size_t) nb + 1);
	/* diagonals run from -(nb+1) to na+1 */
	c.fd = diagbase + nb + 1;
	c.bd = diagbase + diags + nb + 1;

	/* Bound the work of one search to about 2^26 snake steps. */
	bound = (1L << 26) / (na + nb + 1);
	c.too_expensive = bound < 256 ? 256 : bound;

	if (Intern(hooks, la, na, lb, nb, c.xv, c.yv) < 0)
		goto done;
	if (CompareSeq(&c, na, nb) < 0)
		goto done;
	rc = WriteHunks(hooks, out, la, na, lb, nb, c.xch, c.ych, context,
					label_a, label_b);

done:
	Free(hooks, diagbase);
	Free(hooks, c.xv);
	Free(hooks, c.yv);
	Free(hooks, c.xch);
	Free(hooks, c.ych);
	Free(hooks, la);
	Free(hooks, lb);
	if (rc < 0)
	{
		Free(hooks, out->data);
		out->data = NULL;
		out->len = out->cap = 0;
	}
	return rc;
}
