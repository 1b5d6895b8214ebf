/*-------------------------------------------------------------------------
 *
 * registry.c
 *		Module entry points and helpers shared by every area.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/builtins.h"

#include "registry.h"

#ifndef REGISTRY_VERSION
#define REGISTRY_VERSION "unknown"
#endif

#if PG_VERSION_NUM >= 180000
PG_MODULE_MAGIC_EXT(.name = "registry",.version = REGISTRY_VERSION);
#else
PG_MODULE_MAGIC;
#endif

void
registry_check_project_id(const char *what, const char *s, int len)
{
	int			i;

	if (len <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	if (len > REGISTRY_PROJECT_ID_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long", what),
				 errdetail("It is %d bytes; the limit is %d bytes.",
						   len, REGISTRY_PROJECT_ID_MAX)));
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain control characters", what),
					 errdetail("Byte %d is 0x%02x.", i + 1, c)));
	}
}

void
registry_check_project_text(const char *what, text *t)
{
	registry_check_project_id(what, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/*
 * registry.version() -> text: the version of the loaded shared library, so a
 * mismatch between the installed SQL objects and the module can be spotted.
 */
PG_FUNCTION_INFO_V1(registry_version);
Datum
registry_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(REGISTRY_VERSION));
}

/*
 * registry.valid_project_id(text) -> boolean: the tenancy-key rule, used by
 * CHECK constraints; the wrappers raise 22023 through check_project_id.
 */
PG_FUNCTION_INFO_V1(registry_valid_project_id);
Datum
registry_valid_project_id(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			i;

	if (len <= 0 || len > REGISTRY_PROJECT_ID_MAX)
		PG_RETURN_BOOL(false);
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

/*
 * registry.check_project_id(text) -> text: returns its argument, or raises
 * 22023 explaining what is wrong with it.
 */
PG_FUNCTION_INFO_V1(registry_check_project_id_sql);
Datum
registry_check_project_id_sql(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	registry_check_project_text("project_id", t);
	PG_RETURN_TEXT_P(t);
}

SPIPlanPtr
registry_prepare_kept(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL)
		REGISTRY_SPI_FAILED(sql, SPI_result);
	if (SPI_keepplan(plan) != 0)
		REGISTRY_SPI_FAILED("SPI_keepplan", SPI_ERROR_ARGUMENT);
	return plan;
}

void
registry_check_materialize(ReturnSetInfo *rsinfo)
{
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
}
