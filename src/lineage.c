/*-------------------------------------------------------------------------
 *
 * lineage.c
 *		registry.descendants: every version below one by primary parent,
 *		nearest first (distance, then id).
 *
 * Two ways to find them, chosen per call:
 *
 *	- by chains.  Every version sits on a lineage chain (chain_id,
 *	  chain_pos): a version continues its primary parent's chain when it is
 *	  the parent's first child, else it starts a chain that
 *	  registry.version_branches records under the parent.  Walking the
 *	  branches from the start version's chain, one query per generation,
 *	  gives every chain of the subtree, and each chain's members are one
 *	  range scan of versions_chain_key.  Cheap while the subtree has few
 *	  chains (a long unbranched lineage is one chain).
 *	- by one scan of the component.  One index-only scan of the component's
 *	  rows deeper than the start, in seq order (versions_project_id_
 *	  component_seq_key covers id, primary_parent and depth); a row is in the
 *	  subtree when its primary parent is, and a parent always comes first: it
 *	  existed when its child was registered, and a registration takes the
 *	  component's highest seq + 1 under the component's lock.  Only the
 *	  subtree's rows are kept.  Its cost is the component's size, whatever
 *	  the subtree's.
 *
 * The walk starts by chains and switches to the scan once it has found more
 * chains than 1/64 of the component's versions.  Measured on the 100,000-node
 * tree of bench/versions, a chain costs about 6 us (its share of the branch
 * queries and its range scan) and the scan about 0.4 us a row, so a subtree
 * with between 1/64 and 1/15 as many chains as its component has versions
 * would be cheaper by chains (at worst about 4x); a lower switch point
 * makes the walk that precedes the scan longer on big trees.
 *
 * Both ways read through SPI as the caller, so row-level security applies
 * as it does to a SELECT; an invisible start version is P0002.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "registry.h"

PG_FUNCTION_INFO_V1(registry_descendants);

/* switch from chains to the component scan past comp_size / SWITCH_RATIO chains */
#define SWITCH_RATIO 64

/* a set of version ids (simplehash) */
typedef struct IdEntry
{
	int64		id;
	char		status;
} IdEntry;

#define SH_PREFIX idset
#define SH_ELEMENT_TYPE IdEntry
#define SH_KEY_TYPE int64
#define SH_KEY id
#define SH_HASH_KEY(tb, key) \
	murmurhash32((uint32) ((uint64) (key) ^ ((uint64) (key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* one version read by either way, compact (the SPI tuples are not kept) */
typedef struct DescRow
{
	int64		id;
	int64		seq;
	Datum		semver;			/* a copy, or 0 for NULL */
	int32		dist;			/* depth below the start */
	bool		pruned;
} DescRow;

/* rows are fetched from a cursor this many at a time */
#define FETCH_BATCH 1024

/*
 * Result columns of both row queries: id, depth, seq, semver, pruned (and
 * primary_parent for the component scan).
 */
#define COL_ID 1
#define COL_DEPTH 2
#define COL_SEQ 3
#define COL_SEMVER 4
#define COL_PRUNED 5
#define COL_PARENT 6

/* the start version, and its component's size: the highest seq (gap-free) */
static const char start_sql[] =
"SELECT v.project_id, v.component, v.depth, v.chain_id, v.chain_pos,"
"       (SELECT x.seq FROM registry.versions AS x"
"         WHERE x.project_id OPERATOR(pg_catalog.=) v.project_id"
"           AND x.component OPERATOR(pg_catalog.=) v.component"
"         ORDER BY x.seq DESC LIMIT 1)"
" FROM registry.version_or_raise($1) AS v";

static const char branch_sql[] =
"SELECT b.child_chain"
" FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int8[]), pg_catalog.unnest($3::pg_catalog.int4[])) AS f (chain_id, pos)"
" JOIN registry.version_branches AS b"
"   ON b.project_id OPERATOR(pg_catalog.=) $1"
"  AND b.parent_chain OPERATOR(pg_catalog.=) f.chain_id"
"  AND b.parent_pos OPERATOR(pg_catalog.>=) f.pos";

static const char chain_rows_sql[] =
"SELECT x.id, x.depth, x.seq, x.semver, x.pruned_at IS NOT NULL"
" FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int8[]), pg_catalog.unnest($3::pg_catalog.int4[])) AS c (chain_id, pos)"
" CROSS JOIN LATERAL ("
"   SELECT y.id, y.depth, y.seq, y.semver, y.pruned_at FROM registry.versions AS y"
"    WHERE y.project_id OPERATOR(pg_catalog.=) $1"
"      AND y.chain_id OPERATOR(pg_catalog.=) c.chain_id"
"      AND y.chain_pos OPERATOR(pg_catalog.>=) c.pos"
"   OFFSET 0) AS x";

static const char comp_rows_sql[] =
"SELECT x.id, x.depth, x.seq, x.semver, x.pruned_at IS NOT NULL, x.primary_parent"
" FROM registry.versions AS x"
" WHERE x.project_id OPERATOR(pg_catalog.=) $1 AND x.component OPERATOR(pg_catalog.=) $2"
"   AND x.depth OPERATOR(pg_catalog.>) $3"
" ORDER BY x.seq";

/* the statements, prepared once per backend with generic plans */
typedef enum PlanId
{
	PLAN_START,
	PLAN_BRANCH,
	PLAN_CHAIN_ROWS,
	PLAN_COMP_ROWS,
	NUM_PLANS
} PlanId;

static const RegistryPlanDef plan_defs[NUM_PLANS] = {
	[PLAN_START] = {start_sql, 1, {INT8OID}, true},	/* index_order: the highest seq */
	[PLAN_BRANCH] = {branch_sql, 3, {TEXTOID, INT8ARRAYOID, INT4ARRAYOID}},
	[PLAN_CHAIN_ROWS] = {chain_rows_sql, 3, {TEXTOID, INT8ARRAYOID, INT4ARRAYOID}},
	[PLAN_COMP_ROWS] = {comp_rows_sql, 3, {TEXTOID, TEXTOID, INT4OID}},
};

static SPIPlanPtr plans[NUM_PLANS];

/* generic plans, made again while registry.versions keeps doubling */
static RegistryPlanSet plan_set = {"versions", NUM_PLANS, plan_defs, plans, false, 0, NULL};

#define KeptPlan(id) registry_plan(&plan_set, (id))

static void
RunPlan(PlanId id, Datum *values, const char *nulls, long count)
{
	int			rc = registry_execute(&plan_set, id, values, nulls, true, count);

	if (rc != SPI_OK_SELECT)
		REGISTRY_SPI_FAILED("SPI_execute_plan", rc);
}

/* a column of an SPI result row that the query never returns NULL in */
static Datum
NotNullColumn(SPITupleTable *tt, uint64 row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tt->vals[row], tt->tupdesc, col, &isnull);

	if (isnull)
		REGISTRY_CANNOT_HAPPEN("descendants: unexpected NULL in column %d", col);
	return d;
}

/* qsort comparator of the rows of one level: by id */
static int
CompareRowIds(const void *a, const void *b)
{
	int64		x = ((const DescRow *) a)->id;
	int64		y = ((const DescRow *) b)->id;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* $2 and $3 of the chain queries: the chain ids and the positions to start at */
static void
ChainArgs(Datum *args, int64 *chains, int32 *froms, int n)
{
	Datum	   *f = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		f[i] = Int32GetDatum(froms[i]);
	args[1] = PointerGetDatum(registry_int8_array(chains, n));
	args[2] = PointerGetDatum(construct_array(f, n, INT4OID, 4, true, TYPALIGN_INT));
}

/*
 * Run a row query through a cursor, FETCH_BATCH rows at a time, appending
 * each row to *rows in compact form (semver copied into semver_cxt) and
 * freeing the batch: each tuple is deformed once, while it is in cache.
 * With members (the component scan), a row is kept only when its primary
 * parent is in the set, and then joins it.
 */
static void
ReadRows(SPIPlanPtr plan, Datum *args, int32 start_depth, MemoryContext semver_cxt,
		 idset_hash *members, DescRow **rows, uint32 *nrows, uint32 *maxrows)
{
	Portal		portal = SPI_cursor_open(NULL, plan, args, NULL, true);

	if (portal == NULL)
		REGISTRY_SPI_FAILED("SPI_cursor_open", SPI_result);
	for (;;)
	{
		SPITupleTable *tt;
		uint64		i;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		tt = SPI_tuptable;
		if (*nrows + SPI_processed > *maxrows)
		{
			while (*nrows + SPI_processed > *maxrows)
				*maxrows *= 2;
			*rows = repalloc_huge(*rows, sizeof(DescRow) * (Size) *maxrows);
		}
		for (i = 0; i < SPI_processed; i++)
		{
			DescRow    *r = &(*rows)[*nrows];
			Datum		v[COL_PARENT];
			bool		n[COL_PARENT];
			bool		found;

			heap_deform_tuple(tt->vals[i], tt->tupdesc, v, n);
			if (n[COL_ID - 1] || n[COL_DEPTH - 1] || n[COL_SEQ - 1] || n[COL_PRUNED - 1])
				REGISTRY_CANNOT_HAPPEN("descendants: a NULL id, depth, seq or pruned");
			r->id = DatumGetInt64(v[COL_ID - 1]);
			if (members != NULL)
			{
				if (n[COL_PARENT - 1] ||
					idset_lookup(members, DatumGetInt64(v[COL_PARENT - 1])) == NULL)
					continue;
				idset_insert(members, r->id, &found);
			}
			r->dist = DatumGetInt32(v[COL_DEPTH - 1]) - start_depth;
			if (r->dist <= 0)
				REGISTRY_CANNOT_HAPPEN("descendants: a row at distance %d", r->dist);
			r->seq = DatumGetInt64(v[COL_SEQ - 1]);
			r->pruned = DatumGetBool(v[COL_PRUNED - 1]);
			r->semver = 0;
			if (!n[COL_SEMVER - 1])
			{
				MemoryContext old = MemoryContextSwitchTo(semver_cxt);

				r->semver = PointerGetDatum(PG_DETOAST_DATUM_COPY(v[COL_SEMVER - 1]));
				MemoryContextSwitchTo(old);
			}
			(*nrows)++;
		}
		SPI_freetuptable(tt);
	}
	SPI_cursor_close(portal);
}

/*
 * The rows in result order, nearest first and by id within a distance: a
 * counting sort by distance (stable, so a level keeps the read order, which
 * is already by id along a chain or a component), then a sort of any level
 * that is not.  Returns a new array: the output loop then reads memory in
 * order.
 */
static DescRow *
OrderRows(DescRow *rows, uint32 nrows)
{
	DescRow    *out = palloc_extended(sizeof(DescRow) * (Size) Max(nrows, 1),
									  MCXT_ALLOC_HUGE);
	uint32	   *start;
	int32		maxdist = 0;
	uint32		r;
	int32		d;

	for (r = 0; r < nrows; r++)
		maxdist = Max(maxdist, rows[r].dist);
	/* start[d] is where level d begins; start[maxdist + 1] == nrows */
	start = palloc0(sizeof(uint32) * ((Size) maxdist + 2));
	for (r = 0; r < nrows; r++)
		start[rows[r].dist + 1]++;
	for (d = 1; d <= maxdist; d++)
		start[d + 1] += start[d];
	for (r = 0; r < nrows; r++)
		out[start[rows[r].dist]++] = rows[r];
	/* now start[d] is where level d ends */
	for (d = 1; d <= maxdist; d++)
	{
		uint32		lo = start[d - 1];
		uint32		hi = start[d];

		for (r = lo + 1; r < hi; r++)
		{
			if (out[r - 1].id > out[r].id)
			{
				qsort(out + lo, hi - lo, sizeof(DescRow), CompareRowIds);
				break;
			}
		}
	}
	return out;
}

Datum
registry_descendants(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		start_id = PG_GETARG_INT64(0);
	TupleDesc	tupdesc;
	Tuplestorestate *tupstore;
	MemoryContext oldcxt;
	SPITupleTable *tt;
	Datum		values[5];
	bool		nulls[5];
	Datum		project;
	Datum		component;
	int32		start_depth;
	int64		start_chain;
	int32		start_pos;
	int64		comp_size;
	int64	   *chains;
	int32	   *froms;
	int			nchains = 1;
	int			maxchains = 64;
	int			fstart = 0;
	bool		by_scan = false;
	MemoryContext callercxt = CurrentMemoryContext;
	DescRow    *rows;
	uint32		nrows = 0;
	uint32		maxrows = 1024;
	uint32		r;

	registry_check_materialize(rsinfo);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		REGISTRY_NOT_COMPOSITE();

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	tupdesc = CreateTupleDescCopy(tupdesc);
	tupstore = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcxt);

	if (SPI_connect() != SPI_OK_CONNECT)
		REGISTRY_SPI_FAILED("SPI_connect", SPI_ERROR_CONNECT);
	registry_plans_follow_growth(&plan_set);

	/* the start version (P0002 when unknown or invisible) and its component's size */
	values[0] = Int64GetDatum(start_id);
	RunPlan(PLAN_START, values, NULL, 1);
	if (SPI_processed != 1)
		REGISTRY_CANNOT_HAPPEN("descendants: version_or_raise returned %lu rows",
							   (unsigned long) SPI_processed);
	tt = SPI_tuptable;
	project = NotNullColumn(tt, 0, 1);
	component = NotNullColumn(tt, 0, 2);
	start_depth = DatumGetInt32(NotNullColumn(tt, 0, 3));
	start_chain = DatumGetInt64(NotNullColumn(tt, 0, 4));
	start_pos = DatumGetInt32(NotNullColumn(tt, 0, 5));
	comp_size = DatumGetInt64(NotNullColumn(tt, 0, 6));

	/* the chains below the start, one generation of branches at a time */
	chains = palloc(sizeof(int64) * maxchains);
	froms = palloc(sizeof(int32) * maxchains);
	chains[0] = start_chain;
	froms[0] = start_pos;		/* branches at or below the start */
	while (fstart < nchains)
	{
		int			fend = nchains;
		uint64		i;

		CHECK_FOR_INTERRUPTS();
		if ((int64) nchains * SWITCH_RATIO > comp_size)
		{
			by_scan = true;
			break;
		}
		values[0] = project;
		ChainArgs(values, chains + fstart, froms + fstart, fend - fstart);
		RunPlan(PLAN_BRANCH, values, NULL, 0);
		for (i = 0; i < SPI_processed; i++)
		{
			if (nchains == maxchains)
			{
				maxchains *= 2;
				chains = repalloc(chains, sizeof(int64) * maxchains);
				froms = repalloc(froms, sizeof(int32) * maxchains);
			}
			chains[nchains] = DatumGetInt64(NotNullColumn(SPI_tuptable, i, 1));
			froms[nchains] = 0;
			nchains++;
		}
		SPI_freetuptable(SPI_tuptable);
		fstart = fend;
	}

	/*
	 * The subtree's rows are kept in SPI's procedure memory until the result
	 * is written: two 32-byte rows per version of the subtree (as read, and
	 * in result order), about 64 MB for a million.
	 */
	rows = palloc(sizeof(DescRow) * maxrows);
	if (by_scan)
	{
		/* sized for the component: the scan may add any of its rows */
		idset_hash *members = idset_create(CurrentMemoryContext,
										   (uint32) Min(comp_size + 1, PG_INT32_MAX / 4),
										   NULL);
		bool		found;

		idset_insert(members, start_id, &found);
		values[0] = project;
		values[1] = component;
		values[2] = Int32GetDatum(start_depth);
		ReadRows(KeptPlan(PLAN_COMP_ROWS), values, start_depth, callercxt, members,
				 &rows, &nrows, &maxrows);
	}
	else
	{
		froms[0] = start_pos + 1;	/* the start's own chain: below it */
		values[0] = project;
		ChainArgs(values, chains, froms, nchains);
		ReadRows(KeptPlan(PLAN_CHAIN_ROWS), values, start_depth, callercxt, NULL,
				 &rows, &nrows, &maxrows);
	}
	rows = OrderRows(rows, nrows);

	for (r = 0; r < nrows; r++)
	{
		DescRow    *row = &rows[r];

		values[0] = Int32GetDatum(row->dist);
		nulls[0] = false;
		values[1] = Int64GetDatum(row->id);
		nulls[1] = false;
		values[2] = Int64GetDatum(row->seq);
		nulls[2] = false;
		values[3] = row->semver;
		nulls[3] = (row->semver == 0);
		values[4] = BoolGetDatum(row->pruned);
		nulls[4] = false;
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	SPI_finish();

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	return (Datum) 0;
}
