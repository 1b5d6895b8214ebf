/*-------------------------------------------------------------------------
 *
 * diff.c
 *		registry.unified_diff(a, b, label_a, label_b, context): the unified
 *		diff of two byte strings (see diff_core.c), or NULL when either is
 *		not text (a NUL byte or invalid in the server encoding).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "registry.h"
#include "diff_core.h"

static void *
DiffAlloc(void *ctx, size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE);
}

static void *
DiffRealloc(void *ctx, void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

static void
DiffFree(void *ctx, void *ptr)
{
	pfree(ptr);
}

static void
DiffTick(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static bool
IsText(const char *s, int len)
{
	return pg_verifymbstr(s, len, true);
}

static char *
CheckLabel(text *t, const char *what)
{
	char	   *s = text_to_cstring(t);
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain control characters", what)));
	if (*s == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	return s;
}

/*
 * registry.unified_diff(a bytea, b bytea, label_a text, label_b text,
 *						 context integer) -> text
 */
PG_FUNCTION_INFO_V1(unified_diff);
Datum
unified_diff(PG_FUNCTION_ARGS)
{
	bytea	   *a = PG_GETARG_BYTEA_PP(0);
	bytea	   *b = PG_GETARG_BYTEA_PP(1);
	char	   *label_a = CheckLabel(PG_GETARG_TEXT_PP(2), "label_a");
	char	   *label_b = CheckLabel(PG_GETARG_TEXT_PP(3), "label_b");
	int32		context = PG_GETARG_INT32(4);
	DiffHooks	hooks;
	DiffOutput	out;
	text	   *result;

	if (context < 0 || context > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must be between 0 and 1000000 lines")));
	if (!IsText(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a)) ||
		!IsText(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)))
		PG_RETURN_NULL();

	hooks.alloc = DiffAlloc;
	hooks.realloc = DiffRealloc;
	hooks.free = DiffFree;
	hooks.tick = DiffTick;
	hooks.ctx = NULL;
	memset(&out, 0, sizeof(out));
	if (diff_unified(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
					 VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b),
					 label_a, label_b, context, &hooks, &out) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory computing a diff")));
	if (out.len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the diff is too long to return"),
				 errdetail("It has %zu bytes.", out.len)));
	result = (text *) palloc(out.len + VARHDRSZ);
	SET_VARSIZE(result, out.len + VARHDRSZ);
	if (out.len > 0)
		memcpy(VARDATA(result), out.data, out.len);
	PG_RETURN_TEXT_P(result);
}
