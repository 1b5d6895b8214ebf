/*-------------------------------------------------------------------------
 *
 * register.c
 *		registry.register: a new version of a component.
 *
 * Under the component's row lock (FOR NO KEY UPDATE: a lock, not a new row
 * version) the next seq is the highest + 1, read in a fresh snapshot, so seqs
 * have no gaps and no duplicates whatever the concurrency, and an aborted
 * registration gives its seq back.  The project and the component are
 * created on first use.  Semantic components take an explicit version (a
 * duplicate is 23505) or a bump from the primary parent, or without a parent
 * from the highest version.  The implementation goes through
 * registry.put_blob (stored once per content); a child that is the first to
 * continue its primary parent joins the parent's lineage chain, any other
 * starts a chain recorded in registry.version_branches.  On keep-last-N
 * components the insert pushes one version out of the newest N, and that
 * one is pruned (RP_PRUNE).
 *
 * Every statement runs through SPI as the caller, so privileges and
 * row-level security apply as to the caller's own statements.  They are
 * kept generic plans that follow the growth of registry.versions (see
 * registry_plans_follow_growth).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "blob_core.h"
#include "registry.h"

/* the semver type's functions (semver.c) */
extern Datum semver_in(PG_FUNCTION_ARGS);
extern Datum semver_out(PG_FUNCTION_ARGS);
extern Datum semver_bump(PG_FUNCTION_ARGS);

/* arguments of registry.register */
#define ARG_PROJECT 0
#define ARG_COMPONENT 1
#define ARG_IMPLEMENTATION 2
#define ARG_METADATA 3
#define ARG_PARENTS 4
#define ARG_VERSION 5
#define ARG_BUMP 6
#define ARG_METRICS 7
#define ARG_TEST_RESULTS 8
#define ARG_STATUS 9

#define STATUS_MAX 64

typedef enum RegPlan
{
	RP_LOCK,					/* the component, locked */
	RP_NEW_PROJECT,
	RP_NEW_COMPONENT,
	RP_NEXT_SEQ,				/* no parent: the next seq */
	RP_PARENT,					/* the primary parent, the next seq, chain free? */
	RP_OTHER_PARENT,			/* the component of another parent */
	RP_HIGHEST_SEMVER,
	RP_SEMVER_TAKEN,
	RP_PUT_BLOB,
	RP_BRANCH,
	RP_INSERT,
	RP_PRUNE,
	RP_RECLAIM,
	RP_COUNT
} RegPlan;

#define EQ " OPERATOR(pg_catalog.=) "
#define KEY_COMPONENT "x.project_id" EQ "$1 AND x.component" EQ "$2"

/* type OIDs not known at compile time are filled in per backend */
static RegistryPlanDef reg_plan_defs[RP_COUNT] = {
	[RP_LOCK] = {
		"SELECT x.version_strategy, x.retention_policy, x.compression"
		" FROM registry.components AS x"
		" WHERE x.project_id" EQ "$1 AND x.name" EQ "$2 FOR NO KEY UPDATE",
	2, {TEXTOID, TEXTOID}},
	[RP_NEW_PROJECT] = {
		"INSERT INTO registry.projects (project_id) VALUES ($1) ON CONFLICT DO NOTHING",
	1, {TEXTOID}},
	[RP_NEW_COMPONENT] = {
		"INSERT INTO registry.components (project_id, name) VALUES ($1, $2)"
		" ON CONFLICT DO NOTHING",
	2, {TEXTOID, TEXTOID}},
	[RP_NEXT_SEQ] = {
		"SELECT x.seq OPERATOR(pg_catalog.+) 1 FROM registry.versions AS x"
		" WHERE " KEY_COMPONENT " ORDER BY x.seq DESC LIMIT 1",
	2, {TEXTOID, TEXTOID}, true},

	/*
	 * One statement (read under the lock, like the next seq) fetches the
	 * primary parent, the next seq and whether the parent's chain continues
	 * past it.
	 */
	[RP_PARENT] = {
		"SELECT p.component, p.depth, p.semver, p.chain_id, p.chain_pos,"
		"       (SELECT x.seq OPERATOR(pg_catalog.+) 1 FROM registry.versions AS x"
		"         WHERE " KEY_COMPONENT " ORDER BY x.seq DESC LIMIT 1),"
		"       NOT EXISTS (SELECT 1 FROM registry.versions AS y"
		"                    WHERE y.project_id" EQ "$1 AND y.chain_id" EQ "p.chain_id"
		"                      AND y.chain_pos" EQ "(p.chain_pos OPERATOR(pg_catalog.+) 1))"
		" FROM registry.versions AS p"
		" WHERE p.project_id" EQ "$1 AND p.id" EQ "$3",
	3, {TEXTOID, TEXTOID, INT8OID}, true},
	/*
	 * One probe per other parent, by the primary key: a single statement with
	 * "id = ANY ($3)" was planned, without statistics, as a scan of the whole
	 * project (an array of unknown length looks expensive to probe).
	 */
	[RP_OTHER_PARENT] = {
		"SELECT x.component FROM registry.versions AS x"
		" WHERE x.project_id" EQ "$1 AND x.id" EQ "$3",
	3, {TEXTOID, TEXTOID, INT8OID}},
	[RP_HIGHEST_SEMVER] = {
		"SELECT x.semver FROM registry.versions AS x"
		" WHERE " KEY_COMPONENT " AND x.semver IS NOT NULL"
		" ORDER BY x.semver DESC LIMIT 1",
	2, {TEXTOID, TEXTOID}, true},
	[RP_SEMVER_TAKEN] = {
		"SELECT x.id FROM registry.versions AS x"
		" WHERE " KEY_COMPONENT " AND x.semver OPERATOR(registry.=) $3",
	3, {TEXTOID, TEXTOID, InvalidOid}}, /* $3: registry.semver */
	[RP_PUT_BLOB] = {
		"SELECT registry.put_blob($1, $2)",
	2, {BYTEAOID, BOOLOID}},
	[RP_BRANCH] = {
		"INSERT INTO registry.version_branches (project_id, parent_chain, parent_pos, child_chain)"
		" VALUES ($1, $2, $3, $4)",
	4, {TEXTOID, INT8OID, INT4OID, INT8OID}},
	[RP_INSERT] = {
		"INSERT INTO registry.versions AS x"
		" (id, project_id, component, seq, semver, parents, primary_parent, implementation, size,"
		"  metadata, metrics, test_results, status, depth, chain_id, chain_pos)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		"  COALESCE($10, '{}'::pg_catalog.jsonb),"
		"  COALESCE($11, '{}'::pg_catalog.jsonb),"
		"  COALESCE($12, '{}'::pg_catalog.jsonb),"
		"  COALESCE($13, 'registered'::pg_catalog.text), $14, $15, $16)"
		" RETURNING x.*",
		16, {INT8OID, TEXTOID, TEXTOID, INT8OID, InvalidOid /* semver */ , INT8ARRAYOID,
			INT8OID, TEXTOID, INT8OID, JSONBOID, JSONBOID, JSONBOID, TEXTOID,
	INT4OID, INT8OID, INT4OID}},
	/*
	 * Retention, one step: the version that the new one pushes out of the
	 * newest N, unless an alias holds it.  Every older one was pruned when
	 * it was pushed out, or by apply_retention when a policy was tightened or
	 * an alias moved or was dropped, so one probe by the unique key keeps the
	 * policy.  (apply_retention reads every live version of the component:
	 * in one transaction that also reads every version pruned so far, whose
	 * old row versions stay in the indexes until vacuum.)
	 */
	[RP_PRUNE] = {
		"UPDATE registry.versions AS x SET pruned_at = pg_catalog.now()"
		" WHERE " KEY_COMPONENT " AND x.seq" EQ "$3 AND x.pruned_at IS NULL"
		"   AND NOT EXISTS (SELECT 1 FROM registry.aliases AS a"
		"                    WHERE a.project_id" EQ "x.project_id AND a.version_id" EQ "x.id)"
		" RETURNING x.implementation",
	3, {TEXTOID, TEXTOID, INT8OID}},
	[RP_RECLAIM] = {
		"SELECT registry.reclaim_blob($1)",
	1, {TEXTOID}},
};

static SPIPlanPtr reg_plans[RP_COUNT];
/* the tables a registration writes, whose foreign-key checks are planned */
static const char *const reg_written[] = {"versions", "blobs", "blob_chunks", "components", NULL};
static RegistryPlanSet reg_plan_set = {
	"versions", RP_COUNT, reg_plan_defs, reg_plans, false, 0, reg_written
};
static Oid	reg_semver_oid = InvalidOid;	/* what the plans were made with */

/* Run plan id with values/nulls; returns SPI_processed. */
static uint64
Run(RegPlan id, Datum *values, const char *nulls, int expect)
{
	int			rc = registry_execute(&reg_plan_set, id, values, nulls, false, 0);

	if (rc != expect)
		REGISTRY_SPI_FAILED("registry.register: a statement", rc);
	return SPI_processed;
}

static Datum
Col(int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
}

static Datum
NotNullCol(int col)
{
	bool		isnull;
	Datum		d = Col(col, &isnull);

	if (isnull)
		REGISTRY_CANNOT_HAPPEN("registry.register: unexpected NULL in column %d", col);
	return d;
}

static char *
SemverText(Datum v)
{
	return DatumGetCString(DirectFunctionCall1(semver_out, v));
}

/* "{1,2,3}", as bigint[] prints */
static char *
IdsText(int64 *ids, int n)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s" INT64_FORMAT, i > 0 ? "," : "", ids[i]);
	appendStringInfoChar(&s, '}');
	return s.data;
}

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* The parents argument: NULL elements, repeats and shape are 22023. */
static int64 *
ParentIds(ArrayType *arr, int *np)
{
	Datum	   *elems;
	bool	   *enulls;
	int64	   *ids;
	int64	   *sorted;
	int			n;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parents must be a one-dimensional array")));
	registry_int8_elements(arr, &elems, &enulls, &n);
	ids = palloc(sizeof(int64) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parents must not contain NULL")));
		ids[i] = DatumGetInt64(elems[i]);
	}
	if (n > 1)
	{
		sorted = palloc(sizeof(int64) * n);
		memcpy(sorted, ids, sizeof(int64) * n);
		qsort(sorted, n, sizeof(int64), CompareInt64);
		for (i = 1; i < n; i++)
			if (sorted[i] == sorted[i - 1])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parents must not repeat a version")));
	}
	*np = n;
	return ids;
}

/*
 * registry.semver accepts versions of up to 64 kB of text, but a version is
 * also a column of versions' (project_id, component, ...) indexes, whose
 * entries PostgreSQL caps at about 2.7 kB.  Refuse one that would not fit as
 * a bad value, before the INSERT fails with 54000 naming an index.
 */
static void
CheckVersionFitsIndexes(Datum project, Datum component, Datum sv)
{
	static const char *const cols[3] = {"project_id", "component", "semver"};
	Datum		values[3];

	values[0] = project;
	values[1] = component;
	values[2] = sv;
	registry_check_index_fit("versions", 3, cols, values, "version is too long to store",
							 "Any version of up to 1000 bytes fits.");
}

/* Checks of the arguments alone, in the order the SQL version had them. */
static void
CheckArguments(FunctionCallInfo fcinfo)
{
	text	   *t;

	if (PG_ARGISNULL(ARG_PROJECT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project_id must not be null")));
	registry_check_project_text("project_id", PG_GETARG_TEXT_PP(ARG_PROJECT));
	t = PG_ARGISNULL(ARG_COMPONENT) ? NULL : PG_GETARG_TEXT_PP(ARG_COMPONENT);
	if (t == NULL || !registry_valid_id(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid component name: %s",
						t == NULL ? "NULL" : quote_literal_cstr(text_to_cstring(t))),
				 errdetail("A component name has 1 to 200 bytes and no control characters.")));
	if (PG_ARGISNULL(ARG_IMPLEMENTATION))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("implementation must not be null")));
	if (!PG_ARGISNULL(ARG_METADATA) && !JB_ROOT_IS_OBJECT(PG_GETARG_JSONB_P(ARG_METADATA)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("metadata must be a JSON object")));
	if (!PG_ARGISNULL(ARG_METRICS) && !JB_ROOT_IS_OBJECT(PG_GETARG_JSONB_P(ARG_METRICS)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("metrics must be a JSON object")));
	if (!PG_ARGISNULL(ARG_STATUS))
	{
		int			len = VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(ARG_STATUS));

		if (len == 0 || len > STATUS_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("status must have 1 to %d bytes", STATUS_MAX)));
	}
	if (!PG_ARGISNULL(ARG_BUMP))
	{
		char	   *b = text_to_cstring(PG_GETARG_TEXT_PP(ARG_BUMP));

		if (strcmp(b, "major") != 0 && strcmp(b, "minor") != 0 &&
			strcmp(b, "patch") != 0 && strcmp(b, "prerelease") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown bump: %s", quote_literal_cstr(b)),
					 errhint("Use major, minor, patch or prerelease.")));
		if (!PG_ARGISNULL(ARG_VERSION))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("give either version or bump, not both")));
	}
}

/* The component's settings, read under its row lock. */
typedef struct Component
{
	bool		semantic;
	bool		forever;
	bool		compression;
	int64		keep;			/* keep-last-N: N */
} Component;

static void
LockComponent(Datum *key, Component *c)
{
	const char *strategy;
	const char *retention;

	if (Run(RP_LOCK, key, NULL, SPI_OK_SELECT) == 0)
	{
		Run(RP_NEW_PROJECT, key, NULL, SPI_OK_INSERT);
		Run(RP_NEW_COMPONENT, key, NULL, SPI_OK_INSERT);
		if (Run(RP_LOCK, key, NULL, SPI_OK_SELECT) == 0)
			REGISTRY_CANNOT_HAPPEN("registry.register: the component vanished");
	}
	strategy = TextDatumGetCString(NotNullCol(1));
	retention = TextDatumGetCString(NotNullCol(2));
	c->semantic = strcmp(strategy, "semantic") == 0;
	c->forever = strcmp(retention, "forever") == 0;
	c->keep = 0;
	if (!c->forever)
	{
		/* keep-last-N, 1 <= N <= 999999999: the table's CHECK says so */
		if (strncmp(retention, "keep-last-", 10) != 0)
			REGISTRY_CANNOT_HAPPEN("registry.register: retention policy \"%s\"", retention);
		c->keep = strtoi64(retention + 10, NULL, 10);
	}
	c->compression = DatumGetBool(NotNullCol(3));
}

PG_FUNCTION_INFO_V1(registry_register);
Datum
registry_register(PG_FUNCTION_ARGS)
{
	MemoryContext callerctx = CurrentMemoryContext;
	TupleDesc	rettupdesc;
	Oid			semver_oid;
	Oid			nsp;
	Oid			seq_oid;
	text	   *project;
	text	   *component;
	char	   *project_s;
	char	   *component_s;
	Datum		implementation;
	int64	   *ps = NULL;
	int			np = 0;
	Component	c;
	Datum		key[3];
	Datum		sv = (Datum) 0;
	bool		sv_null = true;
	Datum		base = (Datum) 0;
	bool		base_null = true;
	int64		newseq = 1;
	int64		newid;
	int64		cid;
	int32		cpos;
	int32		depth = 0;
	bool		chain_free = false;
	int64		parent_chain = 0;
	int32		parent_pos = 0;
	Datum		blob_key;
	Datum		values[16];
	char		nulls[16];
	Datum		result;
	bool		isnull;

	if (get_call_result_type(fcinfo, NULL, &rettupdesc) != TYPEFUNC_COMPOSITE)
		REGISTRY_NOT_COMPOSITE();
	CheckArguments(fcinfo);
	project = PG_GETARG_TEXT_PP(ARG_PROJECT);
	component = PG_GETARG_TEXT_PP(ARG_COMPONENT);
	project_s = text_to_cstring(project);
	component_s = text_to_cstring(component);
	implementation = PG_GETARG_DATUM(ARG_IMPLEMENTATION);
	if (!PG_ARGISNULL(ARG_PARENTS))
		ps = ParentIds(PG_GETARG_ARRAYTYPE_P(ARG_PARENTS), &np);

	/* the registry.semver type and the id sequence, in the function's schema */
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	semver_oid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								 CStringGetDatum("semver"), ObjectIdGetDatum(nsp));
	seq_oid = get_relname_relid("versions_id_seq", nsp);
	if (!OidIsValid(semver_oid) || !OidIsValid(seq_oid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the registry extension's objects are incomplete"),
				 errhint("Reinstall the extension.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		REGISTRY_SPI_FAILED("SPI_connect", SPI_ERROR_CONNECT);
	if (semver_oid != reg_semver_oid)
	{
		/* first call, or the extension was created again */
		registry_plans_reset(&reg_plan_set);
		reg_plan_defs[RP_SEMVER_TAKEN].types[2] = semver_oid;
		reg_plan_defs[RP_INSERT].types[4] = semver_oid;
		reg_semver_oid = semver_oid;
	}
	registry_plans_follow_growth(&reg_plan_set);

	key[0] = PointerGetDatum(project);
	key[1] = PointerGetDatum(component);
	LockComponent(key, &c);

	if (np == 0)
	{
		if (Run(RP_NEXT_SEQ, key, NULL, SPI_OK_SELECT) > 0)
			newseq = DatumGetInt64(NotNullCol(1));
	}
	else
	{
		char	   *pcomp;
		Datum		d;

		key[2] = Int64GetDatum(ps[0]);
		if (Run(RP_PARENT, key, NULL, SPI_OK_SELECT) == 0 ||
			strcmp(pcomp = TextDatumGetCString(NotNullCol(1)), component_s) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parent " INT64_FORMAT " is not a version of component %s of project %s",
							ps[0], component_s, project_s)));
		depth = DatumGetInt32(NotNullCol(2)) + 1;
		d = Col(3, &base_null);
		if (!base_null)
		{
			MemoryContext old = MemoryContextSwitchTo(callerctx);

			base = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
			MemoryContextSwitchTo(old);
		}
		parent_chain = DatumGetInt64(NotNullCol(4));
		parent_pos = DatumGetInt32(NotNullCol(5));
		d = Col(6, &isnull);
		if (!isnull)
			newseq = DatumGetInt64(d);
		chain_free = DatumGetBool(NotNullCol(7));
		for (int i = 1; i < np; i++)
		{
			key[2] = Int64GetDatum(ps[i]);
			if (Run(RP_OTHER_PARENT, key, NULL, SPI_OK_SELECT) == 0 ||
				strcmp(TextDatumGetCString(NotNullCol(1)), component_s) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parents %s are not all versions of component %s of project %s",
								IdsText(ps, np), component_s, project_s)));
		}
	}

	if (c.semantic)
	{
		if (!PG_ARGISNULL(ARG_VERSION))
			sv = PointerGetDatum(PG_DETOAST_DATUM(PG_GETARG_DATUM(ARG_VERSION)));
		else
		{
			if (np == 0 && Run(RP_HIGHEST_SEMVER, key, NULL, SPI_OK_SELECT) > 0)
			{
				Datum		d = Col(1, &base_null);

				if (!base_null)
					base = d;
			}
			if (base_null)
				base = DirectFunctionCall1(semver_in, CStringGetDatum("0.0.0"));
			sv = DirectFunctionCall2(semver_bump, base,
									 PG_ARGISNULL(ARG_BUMP) ?
									 CStringGetTextDatum("patch") :
									 PG_GETARG_DATUM(ARG_BUMP));
		}
		sv_null = false;
		CheckVersionFitsIndexes(PointerGetDatum(project), PointerGetDatum(component), sv);
		key[2] = sv;
		if (Run(RP_SEMVER_TAKEN, key, NULL, SPI_OK_SELECT) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("version %s of component %s of project %s already exists",
							SemverText(sv), component_s, project_s),
					 errdetail("It is version id " INT64_FORMAT ".",
							   DatumGetInt64(NotNullCol(1)))));
	}
	else if (!PG_ARGISNULL(ARG_VERSION) || !PG_ARGISNULL(ARG_BUMP))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("component %s of project %s uses incremental versioning",
						component_s, project_s),
				 errhint("Drop version and bump, or make the component semantic with registry.configure_component.")));

	/* the content, stored once (the text form passes its bytes) */
	values[0] = implementation;
	values[1] = BoolGetDatum(c.compression);
	Run(RP_PUT_BLOB, values, NULL, SPI_OK_SELECT);
	blob_key = NotNullCol(1);

	newid = nextval_internal(seq_oid, true);
	if (np > 0 && chain_free)
	{
		cid = parent_chain;
		cpos = parent_pos + 1;
	}
	else
	{
		cid = newid;
		cpos = 0;
		if (np > 0)
		{
			values[0] = PointerGetDatum(project);
			values[1] = Int64GetDatum(parent_chain);
			values[2] = Int32GetDatum(parent_pos);
			values[3] = Int64GetDatum(newid);
			Run(RP_BRANCH, values, NULL, SPI_OK_INSERT);
		}
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(newid);
	values[1] = PointerGetDatum(project);
	values[2] = PointerGetDatum(component);
	values[3] = Int64GetDatum(newseq);
	values[4] = sv;
	nulls[4] = sv_null ? 'n' : ' ';
	values[5] = PointerGetDatum(registry_int8_array(ps, np));
	values[6] = np > 0 ? Int64GetDatum(ps[0]) : (Datum) 0;
	nulls[6] = np > 0 ? ' ' : 'n';
	values[7] = blob_key;
	values[8] = Int64GetDatum((int64) (toast_raw_datum_size(implementation) - VARHDRSZ));
	values[9] = PG_ARGISNULL(ARG_METADATA) ? (Datum) 0 : PG_GETARG_DATUM(ARG_METADATA);
	nulls[9] = PG_ARGISNULL(ARG_METADATA) ? 'n' : ' ';
	values[10] = PG_ARGISNULL(ARG_METRICS) ? (Datum) 0 : PG_GETARG_DATUM(ARG_METRICS);
	nulls[10] = PG_ARGISNULL(ARG_METRICS) ? 'n' : ' ';
	values[11] = PG_ARGISNULL(ARG_TEST_RESULTS) ? (Datum) 0 : PG_GETARG_DATUM(ARG_TEST_RESULTS);
	nulls[11] = PG_ARGISNULL(ARG_TEST_RESULTS) ? 'n' : ' ';
	values[12] = PG_ARGISNULL(ARG_STATUS) ? (Datum) 0 : PG_GETARG_DATUM(ARG_STATUS);
	nulls[12] = PG_ARGISNULL(ARG_STATUS) ? 'n' : ' ';
	values[13] = Int32GetDatum(depth);
	values[14] = Int64GetDatum(cid);
	values[15] = Int32GetDatum(cpos);
	if (Run(RP_INSERT, values, nulls, SPI_OK_INSERT_RETURNING) != 1)
		REGISTRY_CANNOT_HAPPEN("registry.register: the insert returned no row");
	result = registry_row_datum(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								rettupdesc, callerctx, "versions");

	if (!c.forever && newseq > c.keep)
	{
		Datum		prune[3] = {key[0], key[1], Int64GetDatum(newseq - c.keep)};

		if (Run(RP_PRUNE, prune, NULL, SPI_OK_UPDATE_RETURNING) == 1)
		{
			bool		isnull;
			Datum		blob = SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull);

			if (isnull)
				REGISTRY_CANNOT_HAPPEN("registry.register: a version without implementation");
			blob = PointerGetDatum(DatumGetTextPCopy(blob));
			Run(RP_RECLAIM, &blob, NULL, SPI_OK_SELECT);
		}
	}

	SPI_finish();
	ReleaseTupleDesc(rettupdesc);
	PG_RETURN_DATUM(result);
}

/*
 * registry.version_row_ok(project_id, seq, parents, primary_parent,
 * implementation, size, metadata, metrics, status, depth, chain_pos) ->
 * boolean: the CHECK of registry.versions in one call.  The project id is
 * valid; seq is positive; primary_parent is parents[1] (both may be NULL);
 * implementation is a blob key; size, depth and chain_pos are not negative;
 * metadata and metrics are JSON objects; status is 1 to 64 bytes.  The
 * rules are the ten CHECKs 0.1.0 to 0.8.0 declared; one function call
 * instead, because the executor reads every CHECK's expression tree from
 * its text for every statement that writes the table.
 *
 * Not STRICT: primary_parent is nullable and judged.  A NULL in one of the
 * table's NOT NULL columns gives NULL (unknown, which a CHECK lets pass):
 * the column's NOT NULL constraint, checked first, reports it.
 */
PG_FUNCTION_INFO_V1(registry_version_row_ok);
Datum
registry_version_row_ok(PG_FUNCTION_ARGS)
{
	text	   *project;
	text	   *impl;
	text	   *status;
	ArrayType  *parents;
	Jsonb	   *metadata;
	Jsonb	   *metrics;
	bool		first_null;
	Datum		first_parent;
	int			i;

	for (i = 0; i < 11; i++)
		if (i != 3 && PG_ARGISNULL(i))
			PG_RETURN_NULL();

	project = PG_GETARG_TEXT_PP(0);
	if (!registry_valid_id(VARDATA_ANY(project), VARSIZE_ANY_EXHDR(project)))
		PG_RETURN_BOOL(false);
	if (PG_GETARG_INT64(1) <= 0 ||			/* seq */
		PG_GETARG_INT64(5) < 0 ||			/* size */
		PG_GETARG_INT32(9) < 0 ||			/* depth */
		PG_GETARG_INT32(10) < 0)			/* chain_pos */
		PG_RETURN_BOOL(false);

	/* primary_parent IS NOT DISTINCT FROM parents[1], subscripted as SQL does */
	parents = PG_GETARG_ARRAYTYPE_P(2);
	first_parent = registry_int8_subscript(parents, 1, &first_null);
	if (PG_ARGISNULL(3) != first_null ||
		(!first_null && DatumGetInt64(first_parent) != PG_GETARG_INT64(3)))
		PG_RETURN_BOOL(false);

	impl = PG_GETARG_TEXT_PP(4);
	if (blob_key_parse(VARDATA_ANY(impl), VARSIZE_ANY_EXHDR(impl), NULL) != BLOB_KEY_OK)
		PG_RETURN_BOOL(false);
	/* the root header alone says "object": no need to detoast the documents */
	metadata = (Jsonb *) PG_DETOAST_DATUM_SLICE(PG_GETARG_DATUM(6), 0, sizeof(uint32));
	metrics = (Jsonb *) PG_DETOAST_DATUM_SLICE(PG_GETARG_DATUM(7), 0, sizeof(uint32));
	if (!JB_ROOT_IS_OBJECT(metadata) || !JB_ROOT_IS_OBJECT(metrics))
		PG_RETURN_BOOL(false);
	status = PG_GETARG_TEXT_PP(8);
	PG_RETURN_BOOL(VARSIZE_ANY_EXHDR(status) > 0 && VARSIZE_ANY_EXHDR(status) <= 64);
}
