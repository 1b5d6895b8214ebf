-- Chunk catalog, part 1: the pure C functions (geometry, text forms, keys
-- and their parsers).  Every vector of SPEC.md section 3 is here.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(112);

-- the functions are C, IMMUTABLE, STRICT, PARALLEL SAFE
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_proc p
            JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE p.pronamespace = 'registry'::regnamespace
             AND p.proname IN ('chunk_for_ledger', 'chunk_first_ledger', 'chunk_last_ledger',
                               'last_complete_chunk_at', 'effective_retention_floor',
                               'chunk_below_floor', 'chunk_id_text', 'chunk_bucket', 'chunk_key',
                               'hot_chunk_key', 'parse_chunk_id', 'parse_chunk_key',
                               'parse_hot_chunk_key', 'valid_chunk_kind', 'normalize_root')
             AND l.lanname = 'c' AND p.provolatile = 'i' AND p.proisstrict
             AND p.proparallel = 's'),
          15, 'the 15 pure chunk functions are C, IMMUTABLE, STRICT and PARALLEL SAFE');
SELECT is((SELECT pg_catalog.format_type(p.prorettype, NULL) || '(' ||
                  pg_catalog.oidvectortypes(p.proargtypes) || ')'
             FROM pg_catalog.pg_proc p
            WHERE p.oid = 'registry.effective_retention_floor'::regproc),
          'bigint(bigint, bigint, bigint)', 'effective_retention_floor works on bigint');

-- chunk of a ledger: the SPEC vectors
SELECT is(registry.chunk_for_ledger(2), 0::bigint, 'ledger 2 (genesis) is in chunk 0');
SELECT is(registry.chunk_for_ledger(3), 0::bigint, 'ledger 3 is in chunk 0');
SELECT is(registry.chunk_for_ledger(10001), 0::bigint, 'ledger 10001 is in chunk 0');
SELECT is(registry.chunk_for_ledger(10002), 1::bigint, 'ledger 10002 is in chunk 1');
SELECT is(registry.chunk_for_ledger(20001), 1::bigint, 'ledger 20001 is in chunk 1');
SELECT is(registry.chunk_for_ledger(20002), 2::bigint, 'ledger 20002 is in chunk 2');
SELECT is(registry.chunk_for_ledger(10000002), 1000::bigint, 'ledger 10000002 is in chunk 1000');
SELECT is(registry.chunk_for_ledger(9223372036854775807), 922337203685477::bigint,
          'the largest bigint ledger has a chunk');
SELECT throws_ok('SELECT registry.chunk_for_ledger(1)', '22023',
                 'ledger 1 is below the genesis ledger 2', 'ledger 1 has no chunk: 22023');
SELECT throws_ok('SELECT registry.chunk_for_ledger(0)', '22023', NULL, 'ledger 0: 22023');
SELECT throws_ok('SELECT registry.chunk_for_ledger(-9223372036854775808)', '22023', NULL,
                 'the smallest bigint ledger: 22023');
SELECT is(registry.chunk_for_ledger(NULL), NULL, 'NULL in, NULL out');

-- first and last ledgers
SELECT is(registry.chunk_first_ledger(0), 2::bigint, 'chunk 0 starts at ledger 2');
SELECT is(registry.chunk_last_ledger(0), 10001::bigint, 'chunk 0 ends at ledger 10001');
SELECT is(registry.chunk_first_ledger(1), 10002::bigint, 'chunk 1 starts at ledger 10002');
SELECT is(registry.chunk_last_ledger(1), 20001::bigint, 'chunk 1 ends at ledger 20001');
SELECT is(registry.chunk_first_ledger(999), 9990002::bigint, 'chunk 999 starts at ledger 9990002');
SELECT is(registry.chunk_last_ledger(999), 10000001::bigint, 'chunk 999 ends at ledger 10000001');
SELECT is(registry.chunk_first_ledger(1000), 10000002::bigint, 'chunk 1000 starts at ledger 10000002');
SELECT is(registry.chunk_last_ledger(-1), 1::bigint, 'the last ledger of chunk -1 is 1 (nothing ingested yet)');
SELECT is(registry.chunk_last_ledger(-2), 1::bigint, 'the last ledger of chunk -2 is 1');
SELECT is(registry.chunk_last_ledger(-9223372036854775808), 1::bigint,
          'the last ledger of the smallest bigint chunk is 1');
SELECT throws_ok('SELECT registry.chunk_first_ledger(-1)', '22023',
                 'chunk -1 is negative and has no first ledger', 'a negative chunk has no first ledger: 22023');
SELECT is(registry.chunk_first_ledger(922337203685477), 9223372036854770002::bigint,
          'the last chunk whose first ledger fits a bigint');
SELECT throws_ok('SELECT registry.chunk_first_ledger(922337203685478)', '22003',
                 'first ledger of chunk 922337203685478 is out of range for type bigint',
                 'first ledger overflow: 22003, not a wrapped number');
SELECT is(registry.chunk_last_ledger(922337203685476), 9223372036854770001::bigint,
          'the last chunk whose last ledger fits a bigint');
SELECT throws_ok('SELECT registry.chunk_last_ledger(922337203685477)', '22003', NULL,
                 'last ledger overflow: 22003');
SELECT throws_ok('SELECT registry.chunk_last_ledger(9223372036854775807)', '22003', NULL,
                 'last ledger of the largest bigint chunk: 22003');
SELECT is((SELECT count(*)::int FROM generate_series(0, 3000) c
            WHERE registry.chunk_for_ledger(registry.chunk_first_ledger(c)) <> c
               OR registry.chunk_for_ledger(registry.chunk_last_ledger(c)) <> c
               OR registry.chunk_last_ledger(c) + 1 <> registry.chunk_first_ledger(c + 1)),
          0, 'chunks 0..3000 tile the ledgers: first and last map back, no gaps');

-- last complete chunk at a watermark
SELECT is(registry.last_complete_chunk_at(1), -1::bigint, 'watermark 1: no complete chunk (-1)');
SELECT is(registry.last_complete_chunk_at(2), -1::bigint, 'watermark 2: no complete chunk');
SELECT is(registry.last_complete_chunk_at(10000), -1::bigint, 'watermark 10000: chunk 0 is not complete');
SELECT is(registry.last_complete_chunk_at(10001), 0::bigint, 'watermark 10001: chunk 0 is complete');
SELECT is(registry.last_complete_chunk_at(20000), 0::bigint, 'watermark 20000: chunk 0 is the last complete');
SELECT is(registry.last_complete_chunk_at(20001), 1::bigint, 'watermark 20001: chunk 1 is complete');
SELECT is(registry.last_complete_chunk_at(10000001), 999::bigint, 'watermark 10000001: chunk 999');
SELECT is(registry.last_complete_chunk_at(9223372036854775807), 922337203685476::bigint,
          'the largest bigint watermark does not overflow');
SELECT throws_ok('SELECT registry.last_complete_chunk_at(0)', '22023',
                 'ledger 0 is below the pre-genesis watermark 1', 'watermark 0: 22023');
SELECT is((SELECT count(*)::int FROM generate_series(-1, 2000) c
            WHERE registry.last_complete_chunk_at(registry.chunk_last_ledger(c)) <> c),
          0, 'last_complete_chunk_at(chunk_last_ledger(c)) = c for c = -1..2000');

-- retention floor
SELECT is(registry.effective_retention_floor(1, 0, 0), 2::bigint, 'empty store, keep all: floor 2');
SELECT is(registry.effective_retention_floor(60001, 0, 0), 2::bigint, 'retention 0 keeps every chunk: floor 2');
SELECT is(registry.effective_retention_floor(60001, 2, 0), 40002::bigint,
          'through chunk 5, keep 2: the floor is chunk 4''s first ledger');
SELECT is(registry.effective_retention_floor(65000, 2, 0), 40002::bigint,
          'a partial chunk above does not move the sliding floor');
SELECT is(registry.effective_retention_floor(60001, 6, 0), 2::bigint, 'keep exactly all 6 chunks: floor 2');
SELECT is(registry.effective_retention_floor(10001, 5, 0), 2::bigint,
          'a young store clamps to chunk 0, never a wrapped number');
SELECT is(registry.effective_retention_floor(1, 9223372036854775807, 0), 2::bigint,
          'the largest retention on an empty store clamps to genesis');
SELECT is(registry.effective_retention_floor(60001, 2, 100002), 100002::bigint,
          'an earliest_ledger above the sliding floor wins');
SELECT is(registry.effective_retention_floor(60001, 2, 10002), 40002::bigint,
          'a sliding floor above earliest_ledger wins');
SELECT is(registry.effective_retention_floor(60001, 0, 20002), 20002::bigint,
          'retention 0 with a pin: the pin is the floor');
SELECT throws_ok('SELECT registry.effective_retention_floor(60001, -1, 0)', '22023',
                 'retention_chunks must not be negative', 'negative retention: 22023');
SELECT throws_ok('SELECT registry.effective_retention_floor(60001, 1, -1)', '22023',
                 'earliest_ledger must not be negative', 'negative earliest_ledger: 22023');
SELECT throws_ok('SELECT registry.effective_retention_floor(0, 1, 2)', '22023',
                 'upper_ledger 0 is below the pre-genesis watermark 1', 'upper_ledger 0: 22023');

-- below the floor
SELECT ok(registry.chunk_below_floor(3, 40002), 'chunk 3 (ends 40001) is below floor 40002');
SELECT ok(NOT registry.chunk_below_floor(4, 40002), 'chunk 4 (starts 40002) is not below floor 40002');
SELECT ok(NOT registry.chunk_below_floor(4, 45000), 'chunk 4 straddles floor 45000: not below it');
SELECT ok(registry.chunk_below_floor(3, 45000), 'chunk 3 is below floor 45000');
SELECT ok(NOT registry.chunk_below_floor(0, 2), 'nothing is below the genesis floor');

-- text forms
SELECT is(registry.chunk_id_text(0), '00000000', 'chunk id 0 is 00000000');
SELECT is(registry.chunk_id_text(42), '00000042', 'chunk id 42 is 00000042');
SELECT is(registry.chunk_id_text(99999999), '99999999', 'chunk id 99999999 is the largest');
SELECT throws_ok('SELECT registry.chunk_id_text(100000000)', '22003',
                 'chunk 100000000 does not fit the 8-digit chunk id', 'a 9-digit chunk id: 22003');
SELECT throws_ok('SELECT registry.chunk_id_text(-1)', '22023',
                 'chunk -1 is negative', 'a negative chunk id: 22023');
SELECT is(registry.chunk_bucket(0), '00000', 'chunk 0 is in bucket 00000');
SELECT is(registry.chunk_bucket(999), '00000', 'chunk 999 is in bucket 00000');
SELECT is(registry.chunk_bucket(1000), '00001', 'chunk 1000 is in bucket 00001');
SELECT is(registry.chunk_bucket(99999999), '99999', 'chunk 99999999 is in bucket 99999');
SELECT throws_ok('SELECT registry.chunk_bucket(-1)', '22023', NULL, 'a negative chunk has no bucket: 22023');
SELECT throws_ok('SELECT registry.chunk_bucket(100000000)', '22003', NULL, 'bucket of a 9-digit chunk: 22003');

-- keys
SELECT is(registry.chunk_key(0, 'ledgers'), 'chunk:00000000:ledgers', 'ledgers key of chunk 0');
SELECT is(registry.chunk_key(7, 'events'), 'chunk:00000007:events', 'events key of chunk 7');
SELECT is(registry.chunk_key(1000, 'txhash'), 'chunk:00001000:txhash', 'txhash key of chunk 1000');
SELECT is(registry.hot_chunk_key(12), 'hot:chunk:00000012', 'hot key of chunk 12');
SELECT throws_ok($$SELECT registry.chunk_key(1, 'lfs')$$, '22023',
                 'unknown chunk kind "lfs"', 'an unknown kind: 22023');
SELECT throws_ok($$SELECT registry.chunk_key(1, 'Ledgers')$$, '22023', NULL, 'kinds are case-sensitive');
SELECT throws_ok($$SELECT registry.chunk_key(-1, 'ledgers')$$, '22023', NULL, 'a key of a negative chunk: 22023');
SELECT throws_ok($$SELECT registry.chunk_key(100000000, 'ledgers')$$, '22003', NULL,
                 'a key of a 9-digit chunk: 22003');
SELECT throws_ok($$SELECT registry.hot_chunk_key(100000000)$$, '22003', NULL, 'a hot key of a 9-digit chunk: 22003');

-- parsers: the inverse, exactly 8 digits, known kinds only
SELECT is(registry.parse_chunk_key('chunk:00000003:txhash'), ROW(3::bigint, 'txhash'::text),
          'parse_chunk_key gives (chunk, kind)');
SELECT is((registry.parse_chunk_key('chunk:99999999:events')).chunk, 99999999::bigint, 'the largest chunk parses');
SELECT is(registry.parse_hot_chunk_key('hot:chunk:00000012'), 12::bigint, 'parse_hot_chunk_key gives the chunk');
SELECT is(registry.parse_chunk_id('00000042'), 42::bigint, 'parse_chunk_id inverts chunk_id_text');
SELECT is((SELECT count(*)::int
             FROM generate_series(0::bigint, 99999999, 999983) c, unnest('{ledgers,events,txhash}'::text[]) k
            WHERE registry.parse_chunk_key(registry.chunk_key(c, k)) IS DISTINCT FROM ROW(c, k)
               OR registry.parse_hot_chunk_key(registry.hot_chunk_key(c)) <> c
               OR registry.parse_chunk_id(registry.chunk_id_text(c)) <> c),
          0, 'key -> (chunk, kind) -> key round-trips across the whole id range');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:3:ledgers')$$, '22P02',
                 'invalid chunk key: "chunk:3:ledgers"', 'too few digits: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:000000003:ledgers')$$, '22P02', NULL, 'nine digits: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:0000000a:ledgers')$$, '22P02', NULL, 'a letter: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:-0000003:ledgers')$$, '22P02', NULL, 'a sign: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:+0000003:ledgers')$$, '22P02', NULL, 'a plus sign: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk: 0000003:ledgers')$$, '22P02', NULL, 'a space: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:00000003:lfs')$$, '22P02', NULL, 'an unknown kind: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:00000003:Ledgers')$$, '22P02', NULL, 'a capital kind: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:00000003:ledgers ')$$, '22P02', NULL, 'trailing space: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:00000003:')$$, '22P02', NULL, 'no kind: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('chunk:00000003')$$, '22P02', NULL, 'no kind separator: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('CHUNK:00000003:ledgers')$$, '22P02', NULL, 'a capital prefix: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('')$$, '22P02', NULL, 'the empty key: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_key('hot:chunk:00000003')$$, '22P02', NULL,
                 'a hot key is not a chunk key: 22P02');
SELECT throws_ok($$SELECT registry.parse_hot_chunk_key('hot:chunk:1')$$, '22P02',
                 'invalid hot chunk key: "hot:chunk:1"', 'a short hot key: 22P02');
SELECT throws_ok($$SELECT registry.parse_hot_chunk_key('hot:chunk:000000001')$$, '22P02', NULL,
                 'a 9-digit hot key: 22P02');
SELECT throws_ok($$SELECT registry.parse_hot_chunk_key('hot:chunk:0000000x')$$, '22P02', NULL,
                 'a letter in a hot key: 22P02');
SELECT throws_ok($$SELECT registry.parse_hot_chunk_key('hot:chunk:00000001:ledgers')$$, '22P02', NULL,
                 'a hot key with a kind: 22P02');
SELECT throws_ok($$SELECT registry.parse_hot_chunk_key('chunk:00000001:ledgers')$$, '22P02', NULL,
                 'a chunk key is not a hot key: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_id('4242')$$, '22P02',
                 'invalid chunk id: "4242"', 'a short chunk id: 22P02');
SELECT throws_ok($$SELECT registry.parse_chunk_id('0000004２')$$, '22P02', NULL,
                 'a non-ASCII digit: 22P02');

-- root paths
SELECT is(registry.normalize_root('/data/ledgers/'), '/data/ledgers', 'a trailing slash goes');
SELECT is(registry.normalize_root('//data///./ledgers/.'), '/data/ledgers', 'repeated slashes and . segments go');
SELECT is(registry.normalize_root('/data/hot/../ledgers'), '/data/ledgers', '.. removes the segment before it');
SELECT is(registry.normalize_root('/../..'), '/', '.. stops at /');
SELECT is(registry.normalize_root('/data/..'), '/', 'the parent of /data is /');
SELECT throws_ok($$SELECT registry.normalize_root('data/ledgers')$$, '22023',
                 'storage root "data/ledgers" is not an absolute path', 'a relative root: 22023');
SELECT throws_ok($$SELECT registry.normalize_root('')$$, '22023', NULL, 'the empty root: 22023');

SELECT * FROM finish();
ROLLBACK;
