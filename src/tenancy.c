/*-------------------------------------------------------------------------
 *
 * tenancy.c
 *		registry.accessible_projects with a per-backend cache, and the
 *		trigger that invalidates it.
 *
 * Every row-level security policy of a project table asks, once per
 * statement, "which projects may CURRENT_USER read (write, administer)?".
 * Answering it from registry.project_grants and pg_has_role costs a query
 * (about 0.1 ms); a granted role's kv_put or deploy replay costs a few
 * microseconds otherwise.  So the answer is cached per backend, keyed by
 * (role name, privilege), and dropped whenever it may have changed:
 *
 *	- registry.project_grants changes: a statement-level trigger sends a
 *	  relcache invalidation for the table (to every backend at commit, to
 *	  this one at the end of the statement, and again when a transaction or
 *	  subtransaction that changed it aborts);
 *	- a role is created, dropped, renamed or altered (AUTHOID), or a role
 *	  membership changes (AUTHMEMROLEMEM): syscache invalidations.
 *
 * Each call first accepts pending invalidation messages, so a grant or
 * revoke committed by another session counts from this session's next
 * statement, as it did without the cache.  A cache miss reads the grants
 * with a fresh snapshot taken after that, and keeps the answer only when no
 * invalidation arrived while it was being computed: an answer computed from
 * a snapshot that misses a commit whose invalidation was already processed
 * is never stored.  The grants are therefore read as of the latest commit,
 * as PostgreSQL reads its own privileges, not as of a REPEATABLE READ
 * transaction's snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "registry.h"

/* A backend asks for few (role, privilege) pairs; beyond this, no caching. */
#define ACCESS_CACHE_SIZE 32

typedef struct AccessEntry
{
	NameData	who;
	int			need;			/* 1 read, 2 write, 3 admin */
	ArrayType  *projects;		/* text[], in TopMemoryContext */
} AccessEntry;

static AccessEntry access_cache[ACCESS_CACHE_SIZE];
static int	access_cache_len = 0;
static uint64 access_generation = 0;	/* bumped by every invalidation */
static Oid	grants_relid = InvalidOid;
static bool callbacks_registered = false;
static SPIPlanPtr access_plan = NULL;

static void
AccessCacheReset(void)
{
	int			i;

	for (i = 0; i < access_cache_len; i++)
		pfree(access_cache[i].projects);
	access_cache_len = 0;
	access_generation++;
}

static void
AccessRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == grants_relid)
	{
		AccessCacheReset();
		/* looked up again at the next fill (the table may be re-created) */
		grants_relid = InvalidOid;
	}
}

static void
AccessSyscacheCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	AccessCacheReset();
}

static int
PrivilegeRank(const char *need, int len)
{
	if (len == 4 && memcmp(need, "read", 4) == 0)
		return 1;
	if (len == 5 && memcmp(need, "write", 5) == 0)
		return 2;
	if (len == 5 && memcmp(need, "admin", 5) == 0)
		return 3;
	return 0;
}

static const char *const RankName[] = {NULL, "read", "write", "admin"};

/*
 * The grants query; returns a text[] in the caller's context.  With fresh,
 * under a snapshot taken now; else under the statement's snapshot.
 */
static ArrayType *
ComputeAccessibleProjects(Name who, int need, bool fresh)
{
	MemoryContext caller = CurrentMemoryContext;
	Datum		values[2];
	bool		isnull;
	Datum		d;
	ArrayType  *result;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		REGISTRY_SPI_FAILED("SPI_connect", SPI_ERROR_CONNECT);
	if (access_plan == NULL)
	{
		/* every name and operator qualified: no SET search_path needed */
		static const char *sql =
			"SELECT pg_catalog.array_agg(DISTINCT g.project_id) "
			"FROM registry.project_grants AS g "
			"JOIN pg_catalog.pg_roles AS r "
			"ON r.rolname::pg_catalog.text OPERATOR(pg_catalog.=) g.role_name "
			"WHERE registry.privilege_rank(g.privilege) OPERATOR(pg_catalog.>=) registry.privilege_rank($2) "
			"AND pg_catalog.pg_has_role($1, r.oid, 'MEMBER')";
		Oid			types[2] = {NAMEOID, TEXTOID};

		access_plan = registry_prepare_kept(sql, 2, types, 0);
	}
	values[0] = NameGetDatum(who);
	values[1] = CStringGetTextDatum(RankName[need]);
	if (fresh)
		rc = SPI_execute_snapshot(access_plan, values, NULL, GetLatestSnapshot(),
								  InvalidSnapshot, true, false, 1);
	else
		rc = SPI_execute_plan(access_plan, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		REGISTRY_SPI_FAILED("reading registry.project_grants", rc);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	MemoryContextSwitchTo(caller);
	if (isnull)
		result = construct_empty_array(TEXTOID);
	else
		result = DatumGetArrayTypePCopy(d);
	SPI_finish();
	return result;
}

/*
 * registry.accessible_projects(who name, need text) -> text[]: the projects
 * on which the role (directly or through membership) holds at least the
 * given privilege; '{}' for an unknown privilege.
 */
PG_FUNCTION_INFO_V1(registry_accessible_projects);
Datum
registry_accessible_projects(PG_FUNCTION_ARGS)
{
	Name		who = PG_GETARG_NAME(0);
	text	   *needt = PG_GETARG_TEXT_PP(1);
	int			need = PrivilegeRank(VARDATA_ANY(needt), VARSIZE_ANY_EXHDR(needt));
	uint64		generation;
	ArrayType  *result;
	bool		fresh;
	int			i;

	if (need == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));

	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(AccessRelcacheCallback, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, AccessSyscacheCallback, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, AccessSyscacheCallback, (Datum) 0);
		callbacks_registered = true;
	}

	/* what other sessions committed since our last look */
	AcceptInvalidationMessages();

	for (i = 0; i < access_cache_len; i++)
	{
		AccessEntry *e = &access_cache[i];

		if (e->need == need && strcmp(NameStr(e->who), NameStr(*who)) == 0)
			PG_RETURN_ARRAYTYPE_P(DatumGetArrayTypePCopy(PointerGetDatum(e->projects)));
	}

	/*
	 * A parallel operation (this call may be a policy's initplan under a
	 * Gather) may not take a new snapshot: answer from the statement's
	 * snapshot, as the uncached function did, and keep nothing.
	 */
	fresh = !IsInParallelMode();
	generation = access_generation;
	if (fresh && !OidIsValid(grants_relid))
		grants_relid = registry_relid("project_grants");
	result = ComputeAccessibleProjects(who, need, fresh);

	/* keep it only if nothing was invalidated while it was computed */
	if (fresh && OidIsValid(grants_relid) && generation == access_generation &&
		access_cache_len < ACCESS_CACHE_SIZE)
	{
		AccessEntry *e = &access_cache[access_cache_len];

		namestrcpy(&e->who, NameStr(*who));
		e->need = need;
		e->projects = (ArrayType *) MemoryContextAlloc(TopMemoryContext, VARSIZE(result));
		memcpy(e->projects, result, VARSIZE(result));
		access_cache_len++;
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * Statement-level trigger on registry.project_grants: every backend's cache
 * of accessible projects is invalid once the statement's changes count.
 */
PG_FUNCTION_INFO_V1(registry_project_grants_changed);
Datum
registry_project_grants_changed(PG_FUNCTION_ARGS)
{
	return registry_invalidate_trigger(fcinfo, "registry.project_grants_changed()");
}
