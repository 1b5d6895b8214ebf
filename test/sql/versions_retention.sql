-- Version registry: keep-last-N retention (content pruned, rows and
-- lineage kept, aliases protected, unreferenced blobs reclaimed).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(16);

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
-- dropping the alias and tightening the policy prunes at once
SELECT registry.drop_alias('vt-ret', 'keep', 'production') \g /dev/null
SELECT registry.configure_component('vt-ret', 'keep', retention_policy => 'keep-last-1') IS NOT NULL \g /dev/null
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep' AND pruned_at IS NULL),
          '{5}', 'configure_component applies a tighter policy at once');
-- re-registering pruned content stores it again
INSERT INTO s SELECT seq, id FROM registry.register('vt-ret', 'keep', 'content 3');
SELECT is(registry.get_implementation_text((SELECT id FROM s WHERE seq = 6)), 'content 3', 'pruned content can be registered again');
SELECT is((SELECT max(seq) FROM registry.versions WHERE project_id = 'vt-ret' AND component = 'keep'), 6::bigint,
          'seqs continue without gaps');

SELECT * FROM finish();
ROLLBACK;
