-- registry walkthrough, part 40: the version registry over content-addressed blobs.
\pset pager off
\set ON_ERROR_STOP 1

\echo
\echo === Blobs: content keys, stored once, inclusive ranges, flatfs shards ===
SELECT registry.put_blob('hello, registry'::bytea) AS key;
SELECT registry.put_blob('hello, registry'::bytea) = registry.blob_key('hello, registry'::bytea) AS same_key_again,
       registry.blob_size(registry.blob_key('hello, registry'::bytea)) AS size,
       registry.blob_shard(registry.blob_key('hello, registry'::bytea)) AS shard,
       registry.blob_shard('quux') AS shard_of_quux;
SELECT registry.get_blob(registry.blob_key('hello, registry'::bytea), 7, 14) AS bytes_7_to_14,
       convert_from(registry.get_blob(registry.blob_key('hello, registry'::bytea), 7, 14), 'UTF8') AS as_text;
\echo a range outside the blob is 22023:
DO $$ BEGIN PERFORM registry.get_blob(registry.blob_key('hello, registry'::bytea), 100);
EXCEPTION WHEN invalid_parameter_value THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;

\echo
\echo === Components: strategy, retention, compression ===
SELECT * FROM registry.configure_component('demo', 'solver', version_strategy => 'semantic',
                                           retention_policy => 'keep-last-4', compression => true);
\echo a bad retention policy is 22023:
DO $$ BEGIN PERFORM registry.configure_component('demo', 'solver', retention_policy => 'keep-last-0');
EXCEPTION WHEN invalid_parameter_value THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;

\echo
\echo === register: an explicit version, bumps from the parent or the highest version ===
SELECT id, seq, semver, status, metrics FROM registry.register('demo', 'solver',
    E'def solve(xs):\n    return sorted(xs)\n', '{"model": "base", "run": "r1"}',
    version => '1.0.0', metrics => '{"score": 0.61, "ms": 120}', status => 'accepted') \gset v1_
SELECT id, seq, semver, status, metrics FROM registry.register('demo', 'solver',
    E'def solve(xs):\n    xs = list(xs)\n    xs.sort()\n    return xs\n', '{"model": "m2", "run": "r1"}',
    parents => ARRAY[:v1_id::bigint], bump => 'minor', metrics => '{"score": 0.74, "ms": 95}') \gset v2_
SELECT id, seq, semver, status, metrics FROM registry.register('demo', 'solver',
    E'def solve(xs):\n    return sorted(xs, key=int)\n', '{"model": "m2", "run": "r2"}',
    parents => ARRAY[:v1_id::bigint], bump => 'patch', metrics => '{"score": 0.69, "ms": 101}',
    test_results => '{"unit": "pass"}') \gset v3_
SELECT id, seq, semver, status, metrics FROM registry.register('demo', 'solver',
    E'def solve(xs):\n    xs = list(xs)\n    xs.sort(key=int)\n    return xs\n', '{"model": "m3", "run": "r2"}',
    parents => ARRAY[:v2_id::bigint, :v3_id::bigint], metrics => '{"score": 0.93, "ms": 88}',
    status => 'candidate') \gset v4_
SELECT id, seq, semver, parents, primary_parent, implementation, created_by
  FROM registry.list_versions('demo', 'solver');
\echo a duplicate version is 23505:
DO $$ BEGIN PERFORM registry.register('demo', 'solver', 'x', version => '1.0.0');
EXCEPTION WHEN unique_violation THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;

\echo
\echo === get_version by id, seq, semver and alias ===
SELECT * FROM registry.set_alias('demo', 'solver', 'production', :v2_id);
SELECT 'by id' AS how, seq, semver FROM registry.get_version(:v4_id::bigint)
UNION ALL SELECT 'seq 3', seq, semver FROM registry.get_version('demo', 'solver', '3')
UNION ALL SELECT 'semver 1.1.0', seq, semver FROM registry.get_version('demo', 'solver', '1.1.0')
UNION ALL SELECT 'alias production', seq, semver FROM registry.get_version('demo', 'solver', 'production');
SELECT registry.get_implementation_text(:v4_id) AS implementation_of_v4;

\echo
\echo === Lineage, descendants, common ancestor ===
SELECT * FROM registry.get_lineage(:v4_id);
SELECT * FROM registry.descendants(:v1_id);
SELECT registry.common_ancestor(:v2_id, :v3_id) = :v1_id AS v1_is_the_common_ancestor;

\echo
\echo === compare_versions: precedence, ancestor, metadata/metric changes and a unified diff ===
SELECT jsonb_pretty(registry.compare_versions(:v1_id, :v4_id) - 'diff') AS comparison;
SELECT registry.compare_versions(:v1_id, :v4_id) ->> 'diff' AS diff;

\echo
\echo === search: containment, metric thresholds, version ranges, OR, NOT, order and limit ===
SELECT id, semver, metadata, metrics FROM registry.search(
    '{"project": "demo", "metadata": {"model": "m2"}, "metrics": {"score": {">=": 0.7}}, "version": "^1.0"}');
SELECT id, semver, status FROM registry.search(
    '{"project": "demo", "any": [{"status": "accepted"}, {"text": "sort(key=int)"}], "not": {"metadata": {"run": "r1"}},
      "order_by": "-metrics.score", "limit": 5}');
SELECT * FROM registry.search_sql('{"project": "demo", "metrics": {"score": {">": 0.9}}}');
\echo an unknown key is 22023 and names itself:
DO $$ BEGIN PERFORM registry.search('{"colour": "red"}');
EXCEPTION WHEN invalid_parameter_value THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;

\echo
\echo === Retention keep-last-4 (version 5 arrives): the oldest unaliased version loses its content, keeps its row ===
SELECT id, seq, semver FROM registry.register('demo', 'solver', E'def solve(xs):\n    return list(sorted(xs))\n',
    parents => ARRAY[:v4_id::bigint], metrics => '{"score": 0.95}');
SELECT seq, semver, pruned_at IS NOT NULL AS pruned, metrics,
       EXISTS (SELECT 1 FROM registry.aliases a WHERE a.version_id = v.id) AS aliased
  FROM registry.list_versions('demo', 'solver') v;
\echo the pruned implementation is 55000:
DO $$ BEGIN PERFORM registry.get_implementation((SELECT id FROM registry.get_version('demo', 'solver', '1')));
EXCEPTION WHEN object_not_in_prerequisite_state THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;

\echo
\echo === Version 6 arrives: seq 2 is outside the newest 4 but the alias production holds it ===
SELECT seq, semver FROM registry.register('demo', 'solver', E'def solve(xs):\n    return sorted(xs)\n',
    parents => ARRAY[(SELECT id FROM registry.get_version('demo', 'solver', '5'))]);
\echo moving the alias to version 6 releases seq 2, pruned at once:
SELECT alias, version_id FROM registry.set_alias('demo', 'solver', 'production',
    (SELECT id FROM registry.get_version('demo', 'solver', '6')));
SELECT seq, semver, pruned_at IS NOT NULL AS pruned,
       EXISTS (SELECT 1 FROM registry.aliases a WHERE a.version_id = v.id) AS aliased
  FROM registry.list_versions('demo', 'solver') v ORDER BY seq;

\echo
\echo === lineage_dot: Graphviz DOT (render with dot -Tsvg) ===
SELECT registry.lineage_dot(:v4_id);
