-- Blobs: content keys (sha2-256 multihash in base32), store-once, inclusive
-- ranges, chunked storage, compression, shards and every bad input.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(41);

-- keys: vectors computed independently (python: base32(b'\x12\x20' + sha256(x)))
SELECT is(registry.blob_key('hello'::bytea),
          'ciqcz4snxjp3biyoe3udwkwfxhrj4gywdzob7j2clzzqim3csofzqja',
          'key of "hello" is the base32 sha2-256 multihash');
SELECT is(registry.blob_key(''::bytea),
          'ciqohmgeikmpyhautl57jsezn64sij5oihsgjg4tjssjlgi3pbjlqvi',
          'key of the empty blob');
SELECT ok(registry.valid_blob_key(registry.blob_key('x'::bytea)), 'a computed key is valid');
SELECT ok(NOT registry.valid_blob_key('ciqcz4snxjp3biyoe3udwkwfxhrj4gywdzob7j2clzzqim3csofzqjb'),
          'non-zero trailing bits make a key invalid');
SELECT throws_ok($$SELECT registry.check_blob_key('abc')$$, '22P02',
                 'invalid blob key: "abc"', 'a short key is 22P02');
SELECT throws_ok($$SELECT registry.check_blob_key(upper(registry.blob_key('hello')))$$, '22P02',
                 NULL, 'an uppercase key is 22P02');
SELECT throws_ok($$SELECT registry.check_blob_key('b' || substr(registry.blob_key('hello'), 2))$$, '22P02',
                 NULL, 'a key that is not a sha2-256 multihash is 22P02');
SELECT throws_ok($$SELECT registry.check_blob_key('ciqcz4snxjp3biyoe3udwkwfxhrj4gywdzob7j2clzzqim3csofzqj1')$$,
                 '22P02', NULL, 'a character outside base32 is 22P02');

-- shards (flatfs next-to-last/2)
SELECT is(registry.blob_shard('quux'), 'uu', 'shard of quux is uu');
SELECT is(registry.blob_shard('a'), '__', 'shard of a one-character key is padded');
SELECT is(registry.blob_shard('ab'), '_a', 'shard of a two-character key is padded');
SELECT is(registry.blob_shard(registry.blob_key('hello')), 'qj', 'shard of a real key: the two characters before the last');
SELECT throws_ok($$SELECT registry.blob_shard('')$$, '22023', NULL, 'shard of the empty key is 22023');
SELECT throws_ok($$SELECT registry.blob_shard('a/b')$$, '22023', NULL, 'shard of a key with a slash is 22023');

-- store once
SELECT is(registry.put_blob('\x00010203040506'::bytea), registry.blob_key('\x00010203040506'::bytea),
          'put_blob returns the content key');
SELECT is(registry.put_blob('\x00010203040506'::bytea, false), registry.blob_key('\x00010203040506'::bytea),
          'putting the same content again returns the same key');
SELECT is((SELECT count(*) FROM registry.blobs WHERE key = registry.blob_key('\x00010203040506'::bytea)),
          1::bigint, 'identical content is stored once');
SELECT is((SELECT count(*) FROM registry.blob_chunks WHERE key = registry.blob_key('\x00010203040506'::bytea)),
          1::bigint, 'a small blob is one chunk');

-- ranges
SELECT is(registry.get_blob(registry.blob_key('\x00010203040506'::bytea)), '\x00010203040506'::bytea,
          'get_blob without a range returns everything');
SELECT is(registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 2, 4), '\x020304'::bytea,
          'the range end is inclusive');
SELECT is(registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 6, 6), '\x06'::bytea,
          'a one-byte range at the end');
SELECT is(registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 5, 1000), '\x0506'::bytea,
          'an end past the blob is clamped, as in HTTP');
SELECT is(registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 3), '\x03040506'::bytea,
          'a start without an end reads to the end');
SELECT throws_ok($$SELECT registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 7)$$, '22023',
                 'range not satisfiable: range_start 7 is beyond the blob of 7 bytes', 'a start past the end is 22023');
SELECT throws_ok($$SELECT registry.get_blob(registry.blob_key('\x00010203040506'::bytea), -1, 2)$$, '22023',
                 NULL, 'a negative start is 22023');
SELECT throws_ok($$SELECT registry.get_blob(registry.blob_key('\x00010203040506'::bytea), 4, 3)$$, '22023',
                 NULL, 'an end before the start is 22023');
SELECT throws_ok($$SELECT registry.get_blob(registry.blob_key('never stored blob'::bytea))$$, 'P0002',
                 NULL, 'an unknown key is P0002');
SELECT throws_ok($$SELECT registry.get_blob('nope')$$, '22P02', NULL, 'a malformed key is 22P02');
SELECT is(registry.blob_size(registry.blob_key('never stored blob'::bytea)), NULL,
          'blob_size of an unknown key is NULL');
SELECT is(registry.blob_size(registry.blob_key('\x00010203040506'::bytea)), 7::bigint, 'blob_size');

-- the empty blob
SELECT is(registry.put_blob(''::bytea), registry.blob_key(''::bytea), 'the empty blob can be stored');
SELECT is(registry.get_blob(registry.blob_key(''::bytea)), ''::bytea, 'and read back whole');
SELECT throws_ok($$SELECT registry.get_blob(registry.blob_key(''::bytea), 0, 0)$$, '22023',
                 NULL, 'any explicit range of the empty blob is 22023');

-- chunked storage: 600 KiB + 5 bytes spans three 256 KiB chunks
CREATE TEMP TABLE big AS
  SELECT string_agg(decode(md5(i::text), 'hex'), '' ORDER BY i) AS data
    FROM generate_series(1, 38400) AS i;
UPDATE big SET data = data || '\x0102030405'::bytea;
SELECT is((SELECT length(data) FROM big), 614405, 'the test blob has 614405 bytes');
SELECT registry.put_blob(data, false) IS NOT NULL FROM big \g /dev/null
SELECT is((SELECT count(*) FROM registry.blob_chunks c, big WHERE c.key = registry.blob_key(big.data)),
          3::bigint, 'a 600 KiB blob is three chunks');
SELECT is((SELECT registry.get_blob(registry.blob_key(data)) = data FROM big), true,
          'a multi-chunk blob reads back whole');
SELECT is((SELECT registry.get_blob(registry.blob_key(data), 262140, 262150) = substr(data, 262141, 11) FROM big),
          true, 'a range across a chunk boundary');
SELECT is((SELECT registry.get_blob(registry.blob_key(data), 100000, 600000) = substr(data, 100001, 500001) FROM big),
          true, 'a range over three chunks');
SELECT is((SELECT bool_and(raw IS NOT NULL AND packed IS NULL AND pg_column_size(raw) = length(raw))
             FROM registry.blob_chunks c, big WHERE c.key = registry.blob_key(big.data)),
          true, 'compress => false keeps the chunks uncompressed');

-- compression: a compressible blob stored compressed takes less room
SELECT registry.put_blob(convert_to(repeat('compress me ', 50000), 'UTF8')) IS NOT NULL \g /dev/null
SELECT ok((SELECT sum(pg_column_size(packed)) < 600000 AND bool_and(raw IS NULL)
             FROM registry.blob_chunks WHERE key = registry.blob_key(convert_to(repeat('compress me ', 50000), 'UTF8'))),
          'compressed chunks are smaller than the content');
SELECT is(registry.get_blob(registry.blob_key(convert_to(repeat('compress me ', 50000), 'UTF8')), 299995, 300010),
          substr(convert_to(repeat('compress me ', 50000), 'UTF8'), 299996, 16),
          'a range of a compressed blob');

SELECT * FROM finish();
ROLLBACK;
