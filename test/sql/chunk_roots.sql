-- Chunk catalog, part 4: storage-root locks in one session (the races
-- between sessions are in test/specs/chunk_races.spec and the crash
-- harness test/harness/chunk_crash.sh).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(14);

SELECT is(registry.release_roots(), 0, 'releasing with nothing held is a no-op');
SELECT is(registry.held_roots(), '{}'::text[], 'nothing is held');
SELECT is(registry.lock_roots('{/chunk-test/ledgers/,/chunk-test/hot/../ledgers,/chunk-test//hot/.}'),
          '{/chunk-test/ledgers,/chunk-test/hot}'::text[],
          'roots are normalised and spellings of one root are one lock');
SELECT is(registry.held_roots(), '{/chunk-test/ledgers,/chunk-test/hot}'::text[], 'held_roots lists them');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_locks
            WHERE locktype = 'advisory' AND database = 0 AND objsubid = 21074
              AND pid = pg_catalog.pg_backend_pid() AND granted),
          2, 'two cluster-wide advisory locks (database 0, objsubid 21074) are held');
SELECT is(registry.lock_roots('{/chunk-test/ledgers,/chunk-test/events}'),
          '{/chunk-test/ledgers,/chunk-test/events}'::text[], 'locking again adds roots and keeps the held ones');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_locks
            WHERE locktype = 'advisory' AND database = 0 AND objsubid = 21074
              AND pid = pg_catalog.pg_backend_pid()),
          3, 'a root held twice is one lock');
SELECT throws_ok($$SELECT registry.lock_roots('{/chunk-test/x,relative/path}')$$, '22023',
                 'storage root "relative/path" is not an absolute path', 'a relative root: 22023');
SELECT is(cardinality(registry.held_roots()), 3, '... and nothing was locked');
SELECT throws_ok($$SELECT registry.lock_roots('{}')$$, '22023', 'roots must not be empty', 'no roots: 22023');
SELECT throws_ok($$SELECT registry.lock_roots('{/a,NULL}')$$, '22004', 'roots must not contain null', 'a null root: 22004');
SELECT is(registry.release_roots(), 3, 'release_roots releases every root');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_locks
            WHERE locktype = 'advisory' AND database = 0 AND objsubid = 21074
              AND pid = pg_catalog.pg_backend_pid()),
          0, 'no root lock is left');
SELECT is(registry.release_roots(), 0, 'release_roots again is idempotent');

SELECT * FROM finish();
ROLLBACK;
