/*-------------------------------------------------------------------------
 *
 * diff_core.h
 *		Line diff in unified format (as GNU diff -u prints it, so GNU patch
 *		applies it), in plain C without server headers so it can be fuzzed.
 *
 * The algorithm is Myers' O(ND) difference algorithm in its linear-space
 * form (E. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * 1986): the middle snake is found by searching from both ends, and the
 * two halves are solved in turn (with an explicit work stack, not C
 * recursion).  Lines are interned to integers first, so comparisons are
 * integer compares.  When the edit distance of a sub-problem exceeds a cost
 * bound proportional to 1/(size), that sub-problem is reported as a whole
 * replacement: the diff stays correct (patch applies it) but is no longer
 * minimal, and the time stays bounded.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DIFF_CORE_H
#define DIFF_CORE_H

#include <stddef.h>

/* Allocation and interrupt hooks: palloc and CHECK_FOR_INTERRUPTS in the
 * server, malloc in the fuzzer.  alloc/realloc may return NULL. */
typedef struct DiffHooks
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *ptr, size_t size);
	void		(*free) (void *ctx, void *ptr);
	void		(*tick) (void *ctx);	/* may be NULL */
	void	   *ctx;
} DiffHooks;

typedef struct DiffOutput
{
	char	   *data;			/* not NUL-terminated; NULL when empty */
	size_t		len;
	size_t		cap;
	long		hunks;			/* number of hunks written */
	long		deleted;		/* lines removed from a */
	long		inserted;		/* lines added from b */
} DiffOutput;

/*
 * Write the unified diff turning a into b to out (which must start zeroed).
 * Identical inputs give an empty output.  label_a/label_b go into the
 * "--- " and "+++ " lines.  context is the number of context lines (3 for
 * diff -u).  Returns 0, or -1 when an allocation failed (out->data is then
 * freed).
 */
extern int	diff_unified(const char *a, size_t alen, const char *b, size_t blen,
						 const char *label_a, const char *label_b, int context,
						 const DiffHooks *hooks, DiffOutput *out);

#endif							/* DIFF_CORE_H */
