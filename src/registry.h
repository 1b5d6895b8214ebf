/*-------------------------------------------------------------------------
 *
 * registry.h
 *		Shared declarations for the registry extension.
 *
 * Every area of the extension (chunk catalog, deployments, semantic
 * versions, blobs, key/value store) lives in its own src/<area>.c file; the
 * helpers declared here are the few things they share: validation of the
 * tenancy key and small text conveniences.
 *
 *-------------------------------------------------------------------------
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "postgres.h"
#include "fmgr.h"

/* Upper bound of a project_id, in bytes (SPEC.md section 0). */
#define REGISTRY_PROJECT_ID_MAX 200

/*
 * Validate a project id given as bytes: non-empty, at most
 * REGISTRY_PROJECT_ID_MAX bytes, no control characters.  Raises 22023 naming
 * the argument ("what") on failure.
 */
extern void registry_check_project_id(const char *what, const char *s, int len);

/* Same check for a text datum (detoasted by the caller). */
extern void registry_check_project_text(const char *what, text *t);

/* Return a palloc'd NUL-terminated copy of a (detoasted) text argument. */
#define REGISTRY_TEXT_ARG_CSTRING(n) text_to_cstring(PG_GETARG_TEXT_PP(n))

#endif							/* REGISTRY_H */
