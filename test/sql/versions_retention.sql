-- Version registry: keep-last-N retention (content pruned, rows and
-- lineage kept, aliases protected, unreferenced blobs reclaimed).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(31);

SELECT registry.configure_component('vt-ret', 'keep', retention_policy => 'keep-last-2') IS NOT NULL \g /dev/null
CREATE TEMP TABLE s (seq bigint PRIMARY KEY, id bigint);
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'shared content', metrics => '{"score": 1}');
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 2', parents => ARRAY[(SELECT id FROM s WHERE seq = 1)]);
SELECT is((SELECT count(*) FROM registry.versions WHERE project_id = 'vt-ret' AND pruned_at IS NOT NULL), 0::bigint,
          'nothing is pruned while there are N versions');
-- another component holds the same content as version 1
SELECT registry.register('vt-ret', 'other', 'shared content') IS NOT NULL \g /dev/null
SELECT registry.set_alias('vt-ret', 'keep', 'production', (SELECT id FROM s WHERE seq = 2)) IS NOT NULL \g /dev/null
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 3', parents => ARRAY[(SELECT id FROM s WHERE seq = 2)]);
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NOT NULL),
          '{1}', 'registering version N+1 prunes the oldest');
SELECT is((SELECT metrics FROM registry.versions WHERE id = (SELECT id FROM s WHERE seq = 1)), '{"score": 1}',
          'a pruned version keeps its row and metrics');
SELECT ok(registry.blob_size(registry.blob_key('shared content')) IS NOT NULL,
          'a blob still referenced by another version is kept');
SELECT throws_ok(format('SELECT registry.get_implementation(%s)', (SELECT id FROM s WHERE seq = 1)), '55000', NULL,
                 'the implementation of a pruned version is 55000');
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 4', parents => ARRAY[(SELECT id FROM s WHERE seq = 3)]);
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{2,3,4}', 'an aliased version is never pruned');
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 5', parents => ARRAY[(SELECT id FROM s WHERE seq = 4)]);
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{2,4,5}', 'the newest N and the aliased ones keep their content');
SELECT is(registry.blob_size(registry.blob_key('content 3')), NULL, 'the blob of a pruned version is reclaimed');
SELECT is((SELECT count(*) FROM registry.blob_chunks WHERE key = registry.blob_key('content 3')), 0::bigint, 'with its chunks');
SELECT is((SELECT array_agg(l.distance ORDER BY l.distance) FROM registry.get_lineage((SELECT id FROM s WHERE seq = 5)) l),
          '{1,2,3,4}', 'lineage runs through pruned versions');
SELECT is((SELECT count(*) FROM registry.get_lineage((SELECT id FROM s WHERE seq = 5)) l WHERE l.pruned), 2::bigint,
          'and marks them pruned');
SELECT is(registry.compare_versions((SELECT id FROM s WHERE seq = 3), (SELECT id FROM s WHERE seq = 5)) -> 'pruned', 'true',
          'compare_versions says when a side was pruned');
SELECT is((SELECT count(*) FROM registry.search(jsonb_build_object('project', 'vt-ret', 'text', 'content 3'))), 0::bigint,
          'pruned content is not searchable');
-- moving an alias away from an old version prunes it at once, and so does
-- dropping one: a registration prunes only the version it pushes out
SELECT registry.set_alias('vt-ret', 'keep', 'staging', (SELECT id FROM s WHERE seq = 4)) IS NOT NULL \g /dev/null
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 6', parents => ARRAY[(SELECT id FROM s WHERE seq = 5)]);
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 7', parents => ARRAY[(SELECT id FROM s WHERE seq = 6)]);
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{2,4,6,7}', 'two aliased versions outside the newest N keep their content');
SELECT registry.set_alias('vt-ret', 'keep', 'staging', (SELECT id FROM s WHERE seq = 7)) IS NOT NULL \g /dev/null
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{2,6,7}', 'set_alias moving an alias away prunes the version it held at once');
SELECT registry.set_alias('vt-ret', 'keep', 'staging', (SELECT id FROM s WHERE seq = 7)) IS NOT NULL \g /dev/null
SELECT is((SELECT count(*) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          3::bigint, 'setting an alias to the version it holds changes nothing');
SELECT ok(registry.drop_alias('vt-ret', 'keep', 'production'), 'drop_alias says the alias existed');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{6,7}', 'drop_alias prunes the version it held at once');
SELECT ok(NOT registry.drop_alias('vt-ret', 'keep', 'production'), 'dropping it again says it did not exist');
SELECT ok(registry.drop_alias('vt-ret', 'keep', 'staging'), 'dropping the alias of a version among the newest N');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{6,7}', 'prunes nothing');
-- tightening the policy prunes at once
SELECT registry.configure_component('vt-ret', 'keep', retention_policy => 'keep-last-1') IS NOT NULL \g /dev/null
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{7}', 'configure_component applies a tighter policy at once');
-- re-registering pruned content stores it again
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 3');
SELECT is(registry.get_implementation_text((SELECT id FROM s WHERE seq = 8)), 'content 3', 'pruned content can be registered again');
SELECT is((SELECT max(seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep'), 8::bigint,
          'seqs continue without gaps');

-- many registrations in one transaction, on statistics taken when the
-- component was new: each prunes one version and reclaims its blob, and the
-- blobs it deletes stay in registry.blobs' file until vacuum.  Looking up
-- one key of registry.blobs (put_blob, reclaim_blob and the foreign-key
-- check of a new chunk) was planned as a sequential scan of that file.
SELECT registry.configure_component('vt-ret', 'bulk', retention_policy => 'keep-last-2') IS NOT NULL \g /dev/null
CREATE FUNCTION pg_temp.grow(a integer, b integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE prev bigint;
BEGIN
	SELECT max(id) INTO prev FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'bulk';
	FOR i IN a..b LOOP
		prev := (registry.register('vt-ret', 'bulk', 'bulk ' || i,
				 parents => CASE WHEN prev IS NULL THEN NULL ELSE ARRAY[prev] END)).id;
	END LOOP;
END $$;
SELECT pg_temp.grow(1, 5);
ANALYZE registry.versions, registry.blobs, registry.blob_chunks;
CREATE TEMP TABLE scans AS SELECT pg_catalog.pg_stat_get_xact_numscans('registry.blobs'::regclass) AS n;
SELECT pg_temp.grow(6, 300);
SELECT is(pg_catalog.pg_stat_get_xact_numscans('registry.blobs'::regclass) - (SELECT n FROM scans), 0::bigint,
          '300 registrations with pruning scan registry.blobs sequentially not once');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'bulk' AND pruned_at IS NULL),
          '{299,300}', 'and keep the newest two');
SELECT is((SELECT count(*) FROM registry.blobs b
            WHERE b.key IN (SELECT implementation FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'bulk')),
          2::bigint, 'with the blobs of those two only');
-- an alias that moves in the same transaction prunes the one version it
-- releases, without reading the versions pruned so far
CREATE FUNCTION pg_temp.versions_index_reads() RETURNS bigint LANGUAGE sql
	RETURN (SELECT pg_catalog.sum(pg_catalog.pg_stat_get_xact_tuples_returned(indexrelid))::bigint
			  FROM pg_catalog.pg_index WHERE indrelid = 'registry.versions'::regclass);
CREATE FUNCTION pg_temp.bulk(seq bigint) RETURNS bigint LANGUAGE sql
	RETURN (SELECT id FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'bulk' AND versions.seq = bulk.seq);
SELECT registry.set_alias('vt-ret', 'bulk', 'production', pg_temp.bulk(300)) IS NOT NULL \g /dev/null
SELECT pg_temp.grow(301, 302);
SELECT is(registry.prune_released('vt-ret', pg_temp.bulk(300)), false, 'prune_released keeps a version an alias holds');
SELECT is(registry.prune_released('vt-ret', pg_temp.bulk(301)), false, 'and one among the newest N');
SELECT pg_temp.bulk(302) AS v302 \gset
CREATE TEMP TABLE reads AS SELECT pg_temp.versions_index_reads() AS n;
SELECT registry.set_alias('vt-ret', 'bulk', 'production', :v302) IS NOT NULL \g /dev/null
SELECT cmp_ok(pg_temp.versions_index_reads() - (SELECT n FROM reads), '<', 50::bigint,
              'moving the alias reads fewer than 50 index entries of registry.versions');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'bulk' AND pruned_at IS NULL),
          '{301,302}', 'and prunes the version it released');

SELECT * FROM finish();
ROLLBACK;
