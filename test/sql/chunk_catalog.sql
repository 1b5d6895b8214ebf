-- Chunk catalog, part 2: the catalog tables and the freeze/prune protocol,
-- the recomputed watermark, the retention gate and the key/value view.
-- Everything runs in the project 'chunk-test' inside one rolled-back
-- transaction.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(91);

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	o text := '';
BEGIN
	FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		o := o || r || E'\n';
	END LOOP;
	RETURN o;
END;
$$;

-- tables: keyed by project, config-dumped, constrained
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
             FROM pg_catalog.pg_extension e, unnest(e.extconfig) AS t(oid)
             JOIN pg_catalog.pg_class c ON c.oid = t.oid
            WHERE e.extname = 'registry' AND c.relname LIKE 'chunk%'),
          '{chunk_artifacts,chunk_config_pins,chunk_hot,chunk_settings}'::text[],
          'the four chunk catalog tables are config-dumped (pg_dump keeps their rows)');
SELECT col_is_pk('registry', 'chunk_artifacts', ARRAY['project_id', 'chunk', 'kind'],
                 'artifact keys are unique per (project_id, chunk, kind)');
SELECT col_is_pk('registry', 'chunk_hot', ARRAY['project_id', 'chunk'],
                 'hot keys are unique per (project_id, chunk)');
SELECT col_is_pk('registry', 'chunk_config_pins', ARRAY['project_id', 'key'],
                 'pins are unique per (project_id, key)');
SELECT throws_ok($$INSERT INTO registry.chunk_artifacts (project_id, chunk, kind, state)
                   VALUES ('chunk-test', 1, 'ledgers', 'melting')$$, '23514', NULL,
                 'a state outside freezing/frozen/pruning violates a CHECK');
SELECT throws_ok($$INSERT INTO registry.chunk_artifacts (project_id, chunk, kind, state)
                   VALUES ('chunk-test', 1, 'lfs', 'frozen')$$, '22023', NULL,
                 'an unknown kind cannot be stored');
SELECT throws_ok($$INSERT INTO registry.chunk_hot (project_id, chunk, state)
                   VALUES ('chunk-test', 1, 'frozen')$$, '23514', NULL,
                 'a hot state outside transient/ready violates a CHECK');
SELECT throws_ok($$INSERT INTO registry.chunk_hot (project_id, chunk, state)
                   VALUES ('', 1, 'ready')$$, '23514', NULL,
                 'an invalid project id violates a CHECK');

-- an empty catalog
SELECT is(registry.last_committed_ledger('chunk-test'), 1::bigint, 'an empty catalog has committed through ledger 1');
SELECT is(registry.retention_floor('chunk-test'), 2::bigint, 'an empty catalog has the genesis floor');
SELECT is(registry.chunk_state(0, 'ledgers', 'chunk-test'), NULL, 'an absent key has no state');
SELECT is(registry.hot_state(0, 'chunk-test'), NULL, 'an absent hot key has no state');
SELECT is((SELECT count(*)::int FROM registry.recovery_keys('chunk-test')), 0, 'nothing to recover');
SELECT is((SELECT count(*)::int FROM registry.catalog_keys('', 'chunk-test')), 0, 'no keys');

-- mark freezing
SELECT is(registry.mark_chunk_freezing(5, '{txhash,ledgers,events,ledgers}', 'chunk-test'),
          '{events,ledgers,txhash}'::text[], 'mark returns the kinds to write, sorted, once each');
SELECT is(registry.chunk_state(5, 'ledgers', 'chunk-test'), 'freezing', 'a marked key is freezing');
SELECT is(registry.mark_chunk_freezing(5, '{ledgers}', 'chunk-test'), '{ledgers}'::text[],
          're-marking a freezing key is the idempotent redo path');
SELECT is((SELECT array_agg(key ORDER BY key) FROM registry.recovery_keys('chunk-test')),
          '{chunk:00000005:events,chunk:00000005:ledgers,chunk:00000005:txhash}'::text[],
          'recovery lists the freezing keys');

-- flip frozen: all or none
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(6, '{ledgers}', 'chunk-test')$$, '55000',
                 'cannot flip chunk:00000006:ledgers to frozen: its state is absent',
                 'flipping a key that was never marked: 55000 naming the state');
SELECT registry.mark_chunk_freezing(6, '{ledgers,events}', 'chunk-test');
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(6, '{ledgers,events,txhash}', 'chunk-test')$$, '55000',
                 'cannot flip chunk:00000006:txhash to frozen: its state is absent',
                 'one unmarked kind refuses the whole flip');
SELECT is(registry.chunk_state(6, 'ledgers', 'chunk-test'), 'freezing', '... and no kind was flipped');
SELECT is(registry.flip_chunk_frozen(5, '{ledgers,events,txhash}', 'chunk-test'),
          '{events,ledgers,txhash}'::text[], 'three kinds flip at once');
SELECT is((SELECT array_agg(DISTINCT state) FROM registry.chunk_artifacts
            WHERE project_id = 'chunk-test' AND chunk = 5), '{frozen}'::text[], 'all three are frozen');
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(5, '{ledgers}', 'chunk-test')$$, '55000',
                 'cannot flip chunk:00000005:ledgers to frozen: its state is frozen',
                 'freezing a frozen key: 55000');
SELECT is(registry.mark_chunk_freezing(5, '{ledgers,events,txhash}', 'chunk-test'), '{}'::text[],
          'mark skips frozen kinds: nothing to write');
SELECT is(registry.chunk_state(5, 'ledgers', 'chunk-test'), 'frozen', '... and leaves them frozen');
SELECT is(registry.mark_chunk_freezing(5, '{ledgers}', 'chunk-test') ||
          registry.mark_chunk_freezing(7, '{ledgers}', 'chunk-test'), '{ledgers}'::text[],
          'a frozen kind is skipped, an absent one is marked');

-- demote and delete
SELECT throws_ok($$SELECT registry.demote_chunk_pruning(8, '{ledgers}', 'chunk-test')$$, '55000',
                 'cannot demote chunk:00000008:ledgers to pruning: its state is absent',
                 'pruning an absent key: 55000');
SELECT throws_ok($$SELECT registry.demote_chunk_pruning(7, '{ledgers,events}', 'chunk-test')$$, '55000',
                 'cannot demote chunk:00000007:events to pruning: its state is absent',
                 'one absent kind refuses the whole demotion');
SELECT is(registry.chunk_state(7, 'ledgers', 'chunk-test'), 'freezing', '... and nothing was demoted');
SELECT throws_ok($$SELECT registry.delete_chunk_key(5, 'ledgers', 'chunk-test')$$, '55000',
                 'cannot delete chunk:00000005:ledgers: its state is frozen',
                 'deleting a frozen key without demoting it: 55000');
SELECT is(registry.demote_chunk_pruning(5, '{ledgers,events,txhash}', 'chunk-test'),
          '{events,ledgers,txhash}'::text[], 'frozen kinds demote to pruning together');
SELECT is(registry.chunk_state(5, 'txhash', 'chunk-test'), 'pruning', 'a demoted key is pruning');
SELECT lives_ok($$SELECT registry.demote_chunk_pruning(5, '{ledgers}', 'chunk-test')$$,
                'demoting a pruning key again is the redo path');
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(5, '{ledgers}', 'chunk-test')$$, '55000',
                 'cannot flip chunk:00000005:ledgers to frozen: its state is pruning',
                 'a pruning key cannot be flipped back to frozen');
SELECT is(registry.demote_chunk_pruning(7, '{ledgers}', 'chunk-test'), '{ledgers}'::text[],
          'an interrupted freeze (freezing) can be abandoned by demoting it');
SELECT lives_ok($$SELECT registry.delete_chunk_key(5, 'ledgers', 'chunk-test')$$, 'a pruning key is deleted');
SELECT is(registry.chunk_state(5, 'ledgers', 'chunk-test'), NULL, 'a deleted key is absent');
SELECT throws_ok($$SELECT registry.delete_chunk_key(5, 'ledgers', 'chunk-test')$$, '55000',
                 'cannot delete chunk:00000005:ledgers: its state is absent', 'deleting an absent key: 55000');
SELECT throws_ok($$SELECT registry.delete_chunk_key(6, 'ledgers', 'chunk-test')$$, '55000',
                 'cannot delete chunk:00000006:ledgers: its state is freezing',
                 'deleting a freezing key without demoting it: 55000');
SELECT is(registry.mark_chunk_freezing(5, '{events}', 'chunk-test'), '{events}'::text[],
          're-marking a pruning key freezing is the redo path');

-- hot databases
SELECT lives_ok($$SELECT registry.put_hot_transient(9, 'chunk-test')$$, 'a hot key is put transient');
SELECT lives_ok($$SELECT registry.put_hot_transient(9, 'chunk-test')$$, 'putting it transient again is idempotent');
SELECT is(registry.hot_state(9, 'chunk-test'), 'transient', 'the hot key is transient');
SELECT throws_ok($$SELECT registry.flip_hot_ready(10, 'chunk-test')$$, '55000',
                 'cannot flip hot:chunk:00000010 to ready: its state is absent',
                 'flipping an absent hot key: 55000');
SELECT lives_ok($$SELECT registry.flip_hot_ready(9, 'chunk-test')$$, 'transient flips to ready');
SELECT is(registry.hot_state(9, 'chunk-test'), 'ready', 'the hot key is ready');
SELECT throws_ok($$SELECT registry.flip_hot_ready(9, 'chunk-test')$$, '55000',
                 'cannot flip hot:chunk:00000009 to ready: its state is ready', 'flipping a ready hot key: 55000');
SELECT throws_ok($$SELECT registry.put_hot_transient(9, 'chunk-test')$$, '55000',
                 'cannot mark hot:chunk:00000009 transient: its state is ready',
                 're-creating a ready hot key: 55000');
SELECT lives_ok($$SELECT registry.delete_hot_key(9, 'chunk-test')$$, 'a ready hot key is deleted after rmdir');
SELECT throws_ok($$SELECT registry.delete_hot_key(9, 'chunk-test')$$, '55000',
                 'cannot delete hot:chunk:00000009: its state is absent', 'deleting an absent hot key: 55000');
SELECT registry.put_hot_transient(11, 'chunk-test');
SELECT lives_ok($$SELECT registry.delete_hot_key(11, 'chunk-test')$$,
                'an interrupted (transient) hot key is deleted after rmdir');

-- arguments
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(-1, '{ledgers}', 'chunk-test')$$, '22023',
                 'chunk -1 is negative', 'a negative chunk: 22023');
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(100000000, '{ledgers}', 'chunk-test')$$, '22003', NULL,
                 'a chunk beyond 8 digits: 22003');
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(1, '{}', 'chunk-test')$$, '22023',
                 'kinds must not be empty', 'no kinds: 22023');
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(1, '{ledgers,NULL}', 'chunk-test')$$, '22004',
                 'kinds must not contain null', 'a null kind: 22004');
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(1, '{ledgers,lfs}', 'chunk-test')$$, '22023',
                 'unknown chunk kind "lfs"', 'an unknown kind: 22023');
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(NULL, '{ledgers}', 'chunk-test')$$, '22004',
                 'chunk must not be null', 'a null chunk: 22004');
SELECT throws_ok($$SELECT registry.put_hot_transient(1, E'a\nb')$$, '22023',
                 'project_id must not contain control characters', 'a bad project id: 22023');
SELECT throws_ok($$SELECT registry.chunk_state(1, 'lfs', 'chunk-test')$$, '22023', NULL,
                 'chunk_state of an unknown kind: 22023');

-- the key/value view, in byte order
SELECT registry.set_config_pin('config:earliest_ledger', '2', 'chunk-test');
SELECT registry.put_hot_transient(12, 'chunk-test');
SELECT is((SELECT array_agg(key || '=' || value) FROM registry.catalog_keys('', 'chunk-test')),
          '{chunk:00000005:events=freezing,chunk:00000005:txhash=pruning,chunk:00000006:events=freezing,chunk:00000006:ledgers=freezing,chunk:00000007:ledgers=pruning,config:earliest_ledger=2,hot:chunk:00000012=transient}'::text[],
          'catalog_keys lists every key with its value in byte order');
SELECT is((SELECT array_agg(key) FROM registry.catalog_keys('chunk:00000006:', 'chunk-test')),
          '{chunk:00000006:events,chunk:00000006:ledgers}'::text[], 'a prefix selects one chunk');
SELECT is((SELECT array_agg(key) FROM registry.catalog_keys('c', 'chunk-test')),
          (SELECT array_agg(key) FROM registry.catalog_keys('', 'chunk-test') WHERE key LIKE 'c%'),
          'a one-letter prefix selects chunk and config keys');
SELECT is((SELECT array_agg(key) FROM registry.catalog_keys('hot:', 'chunk-test')),
          '{hot:chunk:00000012}'::text[], 'the hot prefix selects hot keys');
SELECT is((SELECT count(*)::int FROM registry.catalog_keys('chunk:%', 'chunk-test')), 0,
          'a prefix is literal: % is not a wildcard');
SELECT is((SELECT count(*)::int FROM registry.catalog_keys('zzz', 'chunk-test')), 0, 'an unmatched prefix: no keys');
SELECT is((SELECT count(*)::int FROM registry.catalog_keys('', 'chunk-other')), 0,
          'another project sees none of these keys');
SELECT is((SELECT array_agg(key || '=' || state) FROM registry.recovery_keys('chunk-test')),
          '{chunk:00000005:events=freezing,chunk:00000005:txhash=pruning,chunk:00000006:events=freezing,chunk:00000006:ledgers=freezing,chunk:00000007:ledgers=pruning,hot:chunk:00000012=transient}'::text[],
          'recovery_keys lists exactly the freezing, pruning and transient keys');

-- one key is an index probe, a prefix is a range scan
SET LOCAL enable_seqscan = off;
SELECT matches(pg_temp.plan_of($$SELECT state FROM registry.chunk_artifacts
                                   WHERE project_id = 'x' AND chunk = 5 AND kind = 'ledgers'$$),
               'Index (Only )?Scan using chunk_artifacts_pkey', 'looking up one key is an index probe');
SELECT matches(pg_temp.plan_of($$SELECT key FROM registry.chunk_artifacts
                                   WHERE project_id = 'x' AND key >= 'chunk:0000' COLLATE "C"
                                     AND key < 'chunk:0000~' COLLATE "C"$$),
               'Index (Only )?Scan using chunk_artifacts_key_key', 'listing a prefix is an index range scan');
RESET enable_seqscan;

-- the watermark, recomputed
DELETE FROM registry.chunk_artifacts WHERE project_id = 'chunk-test';
DELETE FROM registry.chunk_hot WHERE project_id = 'chunk-test';
SELECT registry.mark_chunk_freezing(c, '{ledgers,events,txhash}', 'chunk-test'),
       registry.flip_chunk_frozen(c, '{ledgers,events,txhash}', 'chunk-test')
  FROM generate_series(0, 3) c;
SELECT is(registry.last_committed_ledger('chunk-test'), registry.chunk_last_ledger(3),
          'chunks 0..3 frozen: committed through the last ledger of chunk 3');
SELECT registry.mark_chunk_freezing(4, '{ledgers,events}', 'chunk-test');
SELECT registry.flip_chunk_frozen(4, '{ledgers,events}', 'chunk-test');
SELECT is(registry.last_committed_ledger('chunk-test'), 40001::bigint,
          'a chunk with only two kinds frozen does not count');
SELECT registry.put_hot_transient(6, 'chunk-test');
SELECT is(registry.last_committed_ledger('chunk-test'), 40001::bigint, 'a transient hot chunk does not count');
SELECT registry.flip_hot_ready(6, 'chunk-test');
SELECT is(registry.last_committed_ledger('chunk-test'), registry.chunk_last_ledger(5),
          'a ready hot chunk above the frozen ones: committed through the chunk below it');
SELECT registry.put_hot_transient(2, 'chunk-test');
SELECT registry.flip_hot_ready(2, 'chunk-test');
SELECT is(registry.last_committed_ledger('chunk-test'), registry.chunk_last_ledger(5),
          'ready hot chunks below the highest change nothing');
SELECT registry.delete_hot_key(6, 'chunk-test');
SELECT is(registry.last_committed_ledger('chunk-test'), 40001::bigint,
          'a hot chunk that does not lead the frozen ones does not count');
SELECT is(registry.last_committed_ledger('chunk-test'), 40001::bigint,
          'the watermark is never stored: recomputing gives the same answer');
SELECT is(registry.last_committed_ledger('chunk-pin'), 1::bigint, 'another project: 1');
SELECT registry.set_config_pin('config:earliest_ledger', '100002', 'chunk-pin');
SELECT is(registry.last_committed_ledger('chunk-pin'), 100001::bigint, 'an earliest_ledger pin: earliest - 1');

-- the retention gate
SELECT is(registry.set_retention(2, 'chunk-test'), 20002::bigint,
          'through chunk 3, keep 2 chunks: floor at the first ledger of chunk 2');
SELECT is(registry.retention_floor('chunk-test'), 20002::bigint, 'retention_floor agrees');
SELECT is(registry.chunk_state(1, 'ledgers', 'chunk-test'), NULL,
          'a chunk below the floor reads as absent although its row exists');
SELECT ok(EXISTS (SELECT 1 FROM registry.chunk_artifacts WHERE project_id = 'chunk-test' AND chunk = 1),
          '... the row is still there');
SELECT is(registry.chunk_state(2, 'ledgers', 'chunk-test'), 'frozen', 'a chunk at the floor reads');
SELECT is(registry.hot_state(2, 'chunk-test'), 'ready', 'a hot chunk at the floor reads');
SELECT is(registry.set_retention(1, 'chunk-test'), 30002::bigint, 'keep 1 chunk: floor at chunk 3');
SELECT is(registry.hot_state(2, 'chunk-test'), NULL, 'a hot chunk below the floor reads as absent');
SELECT ok((SELECT count(*) FROM registry.catalog_keys('chunk:00000001', 'chunk-test')) = 3,
          'the key/value view still lists keys below the floor, for the sweep');
SELECT is(registry.set_retention(0, 'chunk-test'), 2::bigint, 'retention 0 keeps everything: floor 2');
SELECT is(registry.chunk_state(0, 'ledgers', 'chunk-test'), 'frozen', 'chunk 0 reads again');
SELECT throws_ok($$SELECT registry.set_retention(-1, 'chunk-test')$$, '22023',
                 'retention_chunks must not be negative', 'a negative retention: 22023');

SELECT * FROM finish();
ROLLBACK;
