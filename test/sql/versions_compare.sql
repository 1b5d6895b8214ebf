-- Version registry: compare_versions (precedence, distance, ancestor,
-- metadata/metric/test-result changes, same implementation, unified diff).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(20);

SELECT registry.configure_component('vt-cmp', 'sem', 'semantic') IS NOT NULL \g /dev/null
CREATE TEMP TABLE s (name text PRIMARY KEY, id bigint);
INSERT INTO s SELECT 'a', id FROM registry.register('vt-cmp', 'sem', E'one\ntwo\nthree\n',
    '{"model": "m1", "temp": 0.2, "old": true}', version => '1.0.0',
    metrics => '{"score": 0.5, "latency": 20, "gone": 1}', test_results => '{"unit": "pass", "lint": "fail"}');
INSERT INTO s SELECT 'b', id FROM registry.register('vt-cmp', 'sem', E'one\n2\nthree\nfour', '{"model": "m2", "temp": 0.2, "new": 1}',
    parents => ARRAY[(SELECT id FROM s WHERE name = 'a')], bump => 'minor',
    metrics => '{"score": 0.75, "latency": "n/a", "fresh": 3}', test_results => '{"unit": "pass", "lint": "pass"}', status => 'candidate');
INSERT INTO s SELECT 'c', id FROM registry.register('vt-cmp', 'sem', E'one\ntwo\nthree\n',
    parents => ARRAY[(SELECT id FROM s WHERE name = 'a')], version => '0.9.0');
INSERT INTO s SELECT 'bin', id FROM registry.register('vt-cmp', 'sem', '\x00ff00'::bytea, version => '3.0.0');

CREATE TEMP TABLE cmp AS SELECT registry.compare_versions((SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'b')) AS j;
SELECT is((SELECT j->'precedence' FROM cmp), '-1', 'precedence: 1.0.0 < 1.1.0');
SELECT is((SELECT j->'seq_distance' FROM cmp), '1', 'seq distance');
SELECT is((SELECT (j->>'common_ancestor')::bigint FROM cmp), (SELECT id FROM s WHERE name = 'a'), 'nearest common ancestor');
SELECT is((SELECT j->'metadata' FROM cmp),
          '{"added": {"new": 1}, "changed": {"model": {"to": "m2", "from": "m1"}}, "removed": {"old": true}}',
          'metadata keys added, removed and changed');
SELECT is((SELECT j->'metrics'->'deltas'->'score' FROM cmp), '{"to": 0.75, "from": 0.5, "delta": 0.25}', 'a numeric metric delta');
SELECT is((SELECT j->'metrics'->'deltas'->'latency' FROM cmp), '{"to": "n/a", "from": 20, "delta": null}',
          'a metric that stopped being a number has no delta');
SELECT is((SELECT j->'metrics'->'added' FROM cmp), '{"fresh": 3}', 'metrics added');
SELECT is((SELECT j->'metrics'->'removed' FROM cmp), '{"gone": 1}', 'metrics removed');
SELECT is((SELECT j->'test_results'->'changed' FROM cmp), '{"lint": {"to": "pass", "from": "fail"}}', 'test-result changes');
SELECT is((SELECT j->'status' FROM cmp), '{"to": "candidate", "from": "registered"}', 'status change');
SELECT is((SELECT j->'same_implementation' FROM cmp), 'false', 'different implementations');
SELECT is((SELECT j->>'diff' FROM cmp),
          format(E'--- a/%s\n+++ b/%s\n@@ -1,3 +1,4 @@\n one\n-two\n+2\n three\n+four\n\\ No newline at end of file\n',
                 (SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'b')),
          'the unified diff, with the missing final newline marked');

SELECT is(registry.compare_versions((SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'c'))->'same_implementation',
          'true', 'same implementation');
SELECT is(registry.compare_versions((SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'c'))->>'diff',
          '', 'identical implementations: an empty diff');
SELECT is(registry.compare_versions((SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'c'))->'precedence',
          '1', 'precedence: 1.0.0 > 0.9.0 although registered earlier');
SELECT is(registry.compare_versions((SELECT id FROM s WHERE name = 'b'), (SELECT id FROM s WHERE name = 'c'))->'seq_distance',
          '1', 'seq distance between siblings');
SELECT is(registry.compare_versions((SELECT id FROM s WHERE name = 'a'), (SELECT id FROM s WHERE name = 'bin'))
            - ARRAY['a', 'b', 'common_ancestor', 'metadata', 'metrics', 'test_results', 'status', 'a_version', 'b_version',
                    'seq_distance', 'same_component', 'same_implementation', 'precedence'],
          '{"diff": null, "binary": true, "pruned": false}', 'a binary implementation has no text diff');
SELECT is(registry.unified_diff('', E'x\n'), E'--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n', 'diff from an empty file');
SELECT is(registry.unified_diff(E'x\n', ''), E'--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n', 'diff to an empty file');
SELECT throws_ok($$SELECT registry.compare_versions(-1, -2)$$, 'P0002', NULL, 'an unknown version is P0002');

SELECT * FROM finish();
ROLLBACK;
