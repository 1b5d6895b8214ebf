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
#include "access/tupdesc.h"

/* Upper bound of a project_id, in bytes (SPEC.md section 0). */
#define REGISTRY_PROJECT_ID_MAX 200

/*
 * Validate a project id given as bytes: non-empty, at most
 * REGISTRY_PROJECT_ID_MAX bytes, no control characters.  Raises 22023 naming
 * the argument ("what") on failure.
 */
extern void registry_check_project_id(const char *what, const char *s, int len);

/* The same rule as a predicate (registry.valid_project_id, component names). */
extern bool registry_valid_id(const char *s, int len);

/* Same check for a text datum (detoasted by the caller). */
extern void registry_check_project_text(const char *what, text *t);

/*
 * SPI_prepare_cursor + SPI_keepplan: a plan kept for the backend's life.
 * Callers pass schema-qualified SQL with $n parameters only.
 */
struct _SPI_plan;
struct ReturnSetInfo;
extern struct _SPI_plan *registry_prepare_kept(const char *sql, int nargs,
											   Oid *argtypes, int cursor_options);

/* SPI_freeplan of each non-NULL plan of an array, setting it to NULL */
extern void registry_free_plans(struct _SPI_plan **plans, int n);

/*
 * The OID of table (or sequence) relname in schema registry, InvalidOid when
 * there is none (the extension is being dropped or was altered by hand).
 */
extern Oid	registry_relid(const char *relname);
extern Oid	registry_relid_cached(const char *relname);
extern Datum registry_invalidate_trigger(FunctionCallInfo fcinfo, const char *name);

/*
 * Kept generic plans of a set of statements, dropped and prepared again
 * while the table they read (watch, in schema registry) is small and keeps
 * doubling: see registry.c.  registry_plans_follow_growth is called once per
 * call of the function, inside SPI, before registry_plan.
 */
typedef struct RegistryPlanDef
{
	const char *sql;
	int			nargs;
	Oid			types[16];
	bool		index_order;	/* planned with enable_sort off: see
								 * registry_execute */
} RegistryPlanDef;

typedef struct RegistryPlanSet
{
	const char *watch;
	int			nplans;
	const RegistryPlanDef *defs;
	struct _SPI_plan **plans;	/* nplans entries, NULL until prepared */
	bool		planned;
	uint32		planned_at;		/* the watched table's blocks then */
	const char *const *invalidate;	/* NULL-terminated: registry tables whose
									 * cached plans are redone with these */
} RegistryPlanSet;

extern struct _SPI_plan *registry_plan(RegistryPlanSet *set, int id);
extern void registry_plans_follow_growth(RegistryPlanSet *set);
/* SPI_execute_plan of a statement of the set; returns SPI's code */
extern int	registry_execute(RegistryPlanSet *set, int id, Datum *values,
							 const char *nulls, bool read_only, long count);
/* drop every plan of the set (they are prepared again on next use) */
extern void registry_plans_reset(RegistryPlanSet *set);

/* bigint[] from int64s, and the elements of a bigint[] */
struct ArrayType;
extern struct ArrayType *registry_int8_array(const int64 *v, int n);
extern Datum registry_int8_subscript(struct ArrayType *arr, int index, bool *isnull);
extern void registry_int8_elements(struct ArrayType *arr, Datum **elems,
								   bool **nulls, int *n);

/*
 * A function's composite result from a row read through SPI (a table's own
 * row type), copied into callerctx so it outlives SPI_finish; relname names
 * the table in the 55000 error when its columns were altered by hand.
 */
struct HeapTupleData;
extern bool registry_same_layout(TupleDesc a, TupleDesc b);
extern Datum registry_row_datum(struct HeapTupleData *tuple, TupleDesc rowdesc,
								TupleDesc rettupdesc, MemoryContext callerctx,
								const char *relname);

/*
 * A write's check that its row fits the B-tree indexes of registry.relname.
 * PostgreSQL refuses an index entry over BTMaxItemSize (2704 bytes on 8 kB
 * pages, after trying to compress it) with 54000 naming an internal index.
 * registry_check_index_fit() forms the row's entry in each plain-column
 * B-tree index exactly as an INSERT would, from the given varlena columns
 * (any other column counts as NULL if variable-width, as zero otherwise),
 * and raises 22023 with errmsg_text and hint when one would not fit.  While
 * the given columns take at most REGISTRY_ROW_ALWAYS_FITS bytes every index
 * of ours fits, and it returns at once.
 */
#define REGISTRY_ROW_ALWAYS_FITS 2000
extern void registry_check_index_fit(const char *relname, int ncols,
									 const char *const *colnames, const Datum *values,
									 const char *errmsg_text, const char *hint);

/*
 * A set-returning function's check that its caller takes a materialized
 * set (the error PostgreSQL's own SRFs give otherwise).
 */
extern void registry_check_materialize(struct ReturnSetInfo *rsinfo);

/*
 * Errors no caller can provoke with its arguments: an SPI call that failed
 * without raising (it returns a code instead), a "cannot happen" status.
 * 55000 when the extension's own objects are not as installed (a column of
 * one of its tables dropped or renamed by hand).  Macros, not functions, so
 * the compiler sees ereport's noreturn.
 */
#define REGISTRY_SPI_FAILED(what, rc) \
	ereport(ERROR, \
			(errcode(ERRCODE_INTERNAL_ERROR), \
			 errmsg_internal("%s failed: %s", (what), SPI_result_code_string(rc))))
#define REGISTRY_CANNOT_HAPPEN(...) \
	ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal(__VA_ARGS__)))
#define REGISTRY_ALTERED_TABLE(rel, col) \
	ereport(ERROR, \
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), \
			 errmsg("registry.%s has no column \"%s\"", (rel), (col)), \
			 errhint("The extension's tables were altered by hand; restore them or reinstall the extension.")))
/* the error PostgreSQL itself gives a composite-returning function called wrongly */
#define REGISTRY_NOT_COMPOSITE() \
	ereport(ERROR, \
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
			 errmsg("function returning record called in context that cannot accept type record")))

/* Return a palloc'd NUL-terminated copy of a (detoasted) text argument. */
#define REGISTRY_TEXT_ARG_CSTRING(n) text_to_cstring(PG_GETARG_TEXT_PP(n))

#endif							/* REGISTRY_H */
