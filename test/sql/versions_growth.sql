-- Version registry: register's statements are kept generic plans.  A plan
-- made while registry.versions is nearly empty cannot tell its indexes apart
-- (every one starts with project_id and all look equally cheap), and may pick
-- one that matches only project_id; kept for the session, it would make each
-- registration read the whole project.  register makes its plans again while
-- the table keeps doubling.  Proof from the statistics of this transaction:
-- after 3,000 registrations in one transaction and one session (no ANALYZE
-- can run meanwhile), one more registration reads a handful of index
-- entries, not thousands.
--
-- Statistics can mislead the planner even when the plans are made again: a
-- registry whose file is larger than its live rows (here another session's
-- registrations that rolled back) makes any new component look like one row,
-- and the highest seq of a component (ORDER BY seq DESC LIMIT 1) was then
-- planned as a bitmap scan and a sort that read the whole component at every
-- call.  register and descendants run those statements in the index's order
-- whatever the estimates (enable_sort off for them), and this file starts in
-- that state.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
DO $$
DECLARE prev bigint;
BEGIN
	FOR p IN 1..100 LOOP
		prev := NULL;
		FOR i IN 1..4 LOOP
			prev := (registry.register('vt-growth-gone-' || p, 'c', 'gone ' || i,
					 parents => CASE WHEN prev IS NULL THEN NULL ELSE ARRAY[prev] END)).id;
		END LOOP;
	END LOOP;
END $$;
ROLLBACK;
-- a new session: register's plans are made with the file as it is now
\c
SET client_min_messages = warning;

BEGIN;
SELECT plan(15);

CREATE TEMP TABLE idx_reads (n bigint);
CREATE TEMP TABLE blob_reads (n bigint);
CREATE FUNCTION pg_temp.versions_index_reads() RETURNS bigint LANGUAGE sql
	RETURN (SELECT pg_catalog.sum(pg_catalog.pg_stat_get_xact_tuples_returned(indexrelid))::bigint
			  FROM pg_catalog.pg_index WHERE indrelid = 'registry.versions'::regclass);

-- the first registrations: a new project whose versions each continue the
-- previous one, plus a branch now and then; statistics are taken after the
-- first five, as autovacuum would in a new database (every plan made after
-- that, PostgreSQL's foreign-key checks included, sees tables of one page)
CREATE FUNCTION pg_temp.grow(n_from integer, n_to integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v bigint; prev bigint;
BEGIN
	SELECT max(id) INTO prev FROM registry.versions WHERE project_id = 'vt-growth';
	FOR i IN n_from..n_to LOOP
		IF i = 6 THEN	-- descendants makes its plans while the table is tiny
			PERFORM pg_catalog.count(*) FROM registry.descendants(prev);
		END IF;
		v := (registry.register('vt-growth', 'c', 'body ' || i,
				parents => CASE WHEN prev IS NULL THEN NULL
							   WHEN i % 10 = 0 THEN ARRAY[prev - 5]
							   ELSE ARRAY[prev] END)).id;
		prev := v;
	END LOOP;
END $$;
SELECT pg_temp.grow(1, 5);
ANALYZE registry.versions, registry.blobs, registry.blob_chunks;
SELECT pg_temp.grow(6, 3000);
SELECT is((SELECT pg_catalog.count(*) FROM registry.versions WHERE project_id = 'vt-growth'), 3000::bigint,
          '3,000 versions registered in one transaction');

SELECT (SELECT id FROM registry.versions WHERE project_id = 'vt-growth' ORDER BY seq DESC LIMIT 1) AS tip \gset
INSERT INTO idx_reads SELECT pg_temp.versions_index_reads();
INSERT INTO blob_reads SELECT pg_catalog.pg_stat_get_xact_tuples_returned('registry.blobs'::regclass);
SELECT (registry.register('vt-growth', 'c', 'one more', parents => ARRAY[:tip::bigint])).seq AS s \gset
SELECT is(:s::bigint, 3001::bigint, 'the next registration takes seq 3001');
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM idx_reads), '<', 50::bigint,
              'one registration reads fewer than 50 index entries of registry.versions, not the whole project');
-- the foreign-key check of its blob chunk was planned when registry.blobs
-- was empty (a sequential scan); register has it planned again as the
-- tables grow, so it does not scan every blob
SELECT cmp_ok(pg_catalog.pg_stat_get_xact_tuples_returned('registry.blobs'::regclass) - (SELECT n FROM blob_reads), '<', 50::bigint,
              'nor reads registry.blobs whole (its foreign-key check is planned again too)');


-- a merge (two parents) checks its second parent by the primary key, not by
-- reading the component
SELECT (SELECT id FROM registry.versions WHERE project_id = 'vt-growth' ORDER BY seq DESC LIMIT 1) AS tip2 \gset
DELETE FROM idx_reads;
INSERT INTO idx_reads SELECT pg_temp.versions_index_reads();
SELECT is((registry.register('vt-growth', 'c', 'a merge', parents => ARRAY[:tip2, :tip]::bigint[])).parents,
          ARRAY[:tip2, :tip]::bigint[], 'a merge of the two newest versions registers');
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM idx_reads), '<', 50::bigint,
              'and reads fewer than 50 index entries of registry.versions');

-- registry.descendants makes its plans again the same way (its plans made on
-- the tiny table happen to be right today; this guards them)
SELECT (SELECT id FROM registry.versions WHERE project_id = 'vt-growth' AND seq = 2990) AS mid \gset
CREATE TEMP TABLE want AS
WITH RECURSIVE d (id, distance) AS (
	SELECT v.id, 1 FROM registry.versions v WHERE v.project_id = 'vt-growth' AND v.primary_parent = :mid
	UNION ALL
	SELECT v.id, d.distance + 1 FROM d JOIN registry.versions v ON v.project_id = 'vt-growth' AND v.primary_parent = d.id)
SELECT distance, id FROM d;
DELETE FROM idx_reads;
INSERT INTO idx_reads SELECT pg_temp.versions_index_reads();
CREATE TEMP TABLE got AS SELECT distance, id FROM registry.descendants(:mid);
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM idx_reads), '<', 100::bigint,
              'descendants of a version near the tip reads fewer than 100 index entries of registry.versions');
SELECT set_eq('SELECT distance, id FROM got', 'SELECT distance, id FROM want',
              'and returns what a recursive CTE over primary_parent finds');

-- a semantic component's next version without a parent is the highest
-- version's bump: one index entry too (ORDER BY semver DESC LIMIT 1), for a
-- component that is new to the statistics and grows in this transaction
SELECT registry.configure_component('vt-growth', 'sem', 'semantic') IS NOT NULL \g /dev/null
DO $$
BEGIN
	FOR i IN 1..600 LOOP
		PERFORM registry.register('vt-growth', 'sem', 'sem ' || i);
	END LOOP;
END $$;
DELETE FROM idx_reads;
INSERT INTO idx_reads SELECT pg_temp.versions_index_reads();
SELECT is((registry.register('vt-growth', 'sem', 'sem 601')).semver::text, '0.0.601',
          'the 601st version of a semantic component bumps the highest, 0.0.600');
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM idx_reads), '<', 50::bigint,
              'and reads fewer than 50 index entries of registry.versions');

-- keep-last-N retention in the same transaction: a registration prunes the
-- one version it pushes out of the newest N by its key; reading the live
-- versions of the component (apply_retention, 0.9.0) also read every version
-- pruned so far, whose old row versions stay in the indexes until vacuum,
-- and reclaiming a blob was planned as a sequential scan of registry.blobs,
-- whose deleted rows stay in its file until vacuum
CREATE TEMP TABLE seq_scans (rel regclass, n bigint);
SELECT registry.configure_component('vt-growth', 'kept', retention_policy => 'keep-last-2') IS NOT NULL \g /dev/null
DO $$
DECLARE prev bigint;
BEGIN
	FOR i IN 1..600 LOOP
		prev := (registry.register('vt-growth', 'kept', 'kept ' || i,
				 parents => CASE WHEN prev IS NULL THEN NULL ELSE ARRAY[prev] END)).id;
	END LOOP;
END $$;
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions
            WHERE project_id = 'vt-growth' AND component = 'kept' AND pruned_at IS NULL),
          '{599,600}', 'keep-last-2: after 600 registrations in one transaction the newest two keep their content');
DELETE FROM idx_reads;
INSERT INTO idx_reads SELECT pg_temp.versions_index_reads();
INSERT INTO seq_scans SELECT r, pg_catalog.pg_stat_get_xact_numscans(r)
  FROM unnest(ARRAY['registry.versions', 'registry.blobs', 'registry.blob_chunks']::regclass[]) AS r;
SELECT is((registry.register('vt-growth', 'kept', 'kept 601',
           parents => ARRAY[(SELECT id FROM registry.versions WHERE project_id = 'vt-growth' AND component = 'kept' AND seq = 600)])).seq,
          601::bigint, 'the 601st registers');
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM idx_reads), '<', 50::bigint,
              'reading fewer than 50 index entries of registry.versions');
SELECT is((SELECT pg_catalog.sum(pg_catalog.pg_stat_get_xact_numscans(rel) - n) FROM seq_scans), 0::numeric,
          'and no sequential scan of registry.versions, registry.blobs or registry.blob_chunks');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions
            WHERE project_id = 'vt-growth' AND component = 'kept' AND pruned_at IS NULL),
          '{600,601}', 'and it pruned the 599th');

SELECT * FROM finish();
ROLLBACK;
