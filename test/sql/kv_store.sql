-- Key/value store, part 2: registry.kv and its API (put, get, del, list with
-- keyset pagination, cross-namespace listing, namespaces, orgs, batch,
-- put_if_absent).  Every org used here starts with "kvt-", so the file
-- neither sees nor disturbs other areas' data; it all rolls back.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(93);

-- the table
SELECT is((SELECT c.relkind::text FROM pg_catalog.pg_class c WHERE c.oid = 'registry.kv'::regclass),
          'p', 'registry.kv is partitioned');
SELECT is((SELECT pg_catalog.pg_get_partkeydef('registry.kv'::regclass)), 'HASH (org)',
          'registry.kv is hash-partitioned on org');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_inherits WHERE inhparent = 'registry.kv'::regclass),
          16, 'sixteen partitions');
SELECT is((SELECT string_agg(a.attname || ':' || co.collname, ',' ORDER BY a.attnum)
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
            WHERE a.attrelid = 'registry.kv'::regclass AND a.attname IN ('org', 'namespace', 'key')),
          'org:C,namespace:C,key:C', 'org, namespace and key are COLLATE "C"');
SELECT is((SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i
            WHERE i.indrelid = 'registry.kv'::regclass AND i.indisprimary),
          'CREATE UNIQUE INDEX kv_pkey ON ONLY registry.kv USING btree (org, key)',
          'the primary key is (org, key): org leads it');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_extension e, unnest(e.extconfig) AS c(oid)
            WHERE e.extname = 'registry'
              AND (c.oid = 'registry.kv'::regclass
                   OR c.oid IN (SELECT inhrelid FROM pg_catalog.pg_inherits
                                 WHERE inhparent = 'registry.kv'::regclass))),
          17, 'registry.kv and each partition are config-dumped (pg_dump keeps the rows)');

-- put / get / del
SELECT ok(registry.kv_put('kvt-a', 'wf/prod/order-1/run-1', '\x0102'::bytea) > 0, 'kv_put stores a key');
SELECT is(registry.kv_get('kvt-a', 'wf/prod/order-1/run-1'), '\x0102'::bytea, 'kv_get reads it back');
SELECT is((SELECT namespace FROM registry.kv WHERE org = 'kvt-a' AND key = 'wf/prod/order-1/run-1'),
          'prod', 'the namespace column is derived from the key');
SELECT ok((SELECT abs(upd - (extract(epoch FROM clock_timestamp()) * 1e9)::bigint) < 60e9
             FROM registry.kv WHERE org = 'kvt-a' AND key = 'wf/prod/order-1/run-1'),
          'upd is nanoseconds since the Unix epoch');
SELECT ok(registry.kv_put('kvt-a', 'wf/prod/order-1/run-1', 'v2') >=
          (SELECT upd FROM registry.kv WHERE org = 'kvt-a' AND key = 'wf/prod/order-1/run-1'),
          'kv_put returns the new upd');
SELECT is(registry.kv_get('kvt-a', 'wf/prod/order-1/run-1'), 'v2'::bytea, 'a second put replaces the value');
SELECT is((SELECT count(*)::int FROM registry.kv WHERE org = 'kvt-a'), 1, 'an upsert keeps one row');
SELECT is(registry.kv_get('kvt-a', 'wf/prod/order-1/run-2'), NULL, 'kv_get of a missing key is NULL');
SELECT is(registry.kv_get('kvt-b', 'wf/prod/order-1/run-1'), NULL, 'orgs are separate');
SELECT is(registry.kv_del('kvt-a', 'wf/prod/order-1/run-1'), true, 'kv_del deletes and says so');
SELECT is(registry.kv_del('kvt-a', 'wf/prod/order-1/run-1'), false, 'kv_del of a missing key is a no-op');
SELECT is(registry.kv_get('kvt-a', 'wf/prod/order-1/run-1'), NULL, 'the key is gone');
SELECT is(registry.kv_put('kvt-a', 'sc/prod/' || repeat('k', 4088), '') > 0, true,
          'a 4096-byte key and an empty value are stored');
SELECT is(length(registry.kv_get('kvt-a', 'sc/prod/' || repeat('k', 4088))), 0, 'the empty value reads back');

-- the empty org
SELECT ok(registry.kv_put('', 'sc/kvt-empty/s1', 'e') > 0, 'the empty org is accepted');
SELECT is((SELECT count(*)::int FROM registry.kv WHERE org = '_' AND key = 'sc/kvt-empty/s1'), 1,
          'the empty org is stored as _');
SELECT is(registry.kv_get('_', 'sc/kvt-empty/s1'), 'e'::bytea, '_ addresses the empty org');
SELECT ok('' IN (SELECT registry.kv_orgs()), 'kv_orgs reports the empty org as ''''');
SELECT ok('_' NOT IN (SELECT registry.kv_orgs()), 'kv_orgs never reports the sentinel _');
SELECT is(registry.kv_del('', 'sc/kvt-empty/s1'), true, 'the empty org''s key is deleted');

-- bad input
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'zz/prod/x', 'v')$$, '22023',
                 'unknown kind "zz" in key', 'kv_put: an unknown kind is 22023');
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'wf/prod/x', 'v')$$, '22P02',
                 'too few segments in key', 'kv_put: a key off its layout is 22P02');
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'sc/prod/' || repeat('k', 4089), 'v')$$, '22023',
                 'key is too long', 'kv_put: a key over 4 KiB is 22023');
-- a key within 4 KiB that does not compress cannot fit the (org, key) index
-- (PostgreSQL caps an entry at 2704 bytes): 22023 before the INSERT's 54000
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'sc/prod/' || (SELECT left(string_agg(md5(g::text), ''), 3000) FROM generate_series(1, 100) AS g), 'v')$$,
                 '22023', 'key is too long to index', 'kv_put: an incompressible 3,008-byte key is 22023');
SELECT throws_ok($$SELECT registry.kv_put_if_absent('kvt-a', 'idem/prod/wf/' || (SELECT left(string_agg(md5(g::text), ''), 2697) FROM generate_series(1, 100) AS g), 'v')$$,
                 '22023', 'key is too long to index', 'kv_put_if_absent: an incompressible 2,710-byte key is 22023');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-a', jsonb_build_array(jsonb_build_object('op', 'put', 'key', 'sc/prod/' || (SELECT left(string_agg(md5(g::text), ''), 3000) FROM generate_series(1, 100) AS g), 'value', '00')))$$,
                 '22023', 'key is too long to index', 'kv_batch: the same key is 22023');
SELECT ok(registry.kv_put(repeat('o', 200), 'sc/prod/' || (SELECT left(string_agg(md5(g::text), ''), 1792) FROM generate_series(1, 100) AS g), 'v') > 0,
          'an incompressible key that takes 2,000 bytes with its 200-byte org is stored');
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'sc//x', 'v')$$, '22P02',
                 'empty segment in key', 'kv_put: an empty segment is 22P02');
SELECT throws_ok($$SELECT registry.kv_put(repeat('o', 201), 'sc/p/x', 'v')$$, '22023',
                 'org is too long', 'kv_put: a bad org is 22023');
SELECT throws_ok($$SELECT registry.kv_put('kvt-a', 'sc/p/x', NULL)$$, '22004',
                 'value must not be null', 'kv_put: a NULL value is 22004');
SELECT throws_ok($$SELECT registry.kv_put(NULL, 'sc/p/x', 'v')$$, '22004',
                 'org must not be null', 'kv_put: a NULL org is 22004');
SELECT throws_ok($$SELECT registry.kv_get('kvt-a', 'nope')$$, '22023',
                 'unknown kind "nope" in key', 'kv_get validates the key');
SELECT throws_ok($$SELECT registry.kv_del('kvt-a', 'sc/p')$$, '22P02',
                 'too few segments in key', 'kv_del validates the key');
SELECT throws_ok($$INSERT INTO registry.kv VALUES ('kvt-a', 'other', 'sc/prod/x', 'v', 0)$$, '23514',
                 NULL, 'the table refuses a namespace that disagrees with the key');
SELECT throws_ok($$INSERT INTO registry.kv VALUES ('kvt-a', 'p', 'zz/p/x', 'v', 0)$$, '22023',
                 'unknown kind "zz" in key', 'the table refuses a key off the layout');
SELECT lives_ok($$INSERT INTO registry.kv VALUES ('kvt-a', 'direct', 'sc/direct/x', 'v', 0)$$,
                'a direct INSERT of a good key and its namespace works');
SELECT throws_ok($$UPDATE registry.kv SET key = 'sc/prod/' WHERE org = 'kvt-a' AND key = 'sc/direct/x'$$, '22P02',
                 'empty segment in key', 'an UPDATE of the key is checked too');
SELECT throws_ok($$UPDATE registry.kv SET key = 'sc/other/x' WHERE org = 'kvt-a' AND key = 'sc/direct/x'$$, '23514',
                 NULL, 'and may not move the key to another namespace without its namespace column');
SELECT throws_ok($$INSERT INTO registry.kv VALUES ('', 'p', 'sc/p/x', 'v', 0)$$, '23514',
                 NULL, 'the table refuses an org that is not stored form');

-- listing in byte order, whatever the collation
SELECT is((SELECT count(registry.kv_put('kvt-o', 'sc/ord/' || k, convert_to(k, 'UTF8')))::int
             FROM unnest(ARRAY['a', 'B', '_', 'é', E'\x7f', 'A', 'b']) AS k), 7, 'seven keys stored');
SELECT is((SELECT array_agg(substr(key, 8)) FROM registry.kv_list('kvt-o', 'sc/ord/')),
          ARRAY['A', 'B', '_', 'a', 'b', E'\x7f', 'é'],
          'kv_list returns keys in byte order');
SELECT is((SELECT array_agg(substr(key, 8)) FROM registry.kv_list('kvt-o', 'sc/ord/')),
          (SELECT array_agg(substr(key, 8) ORDER BY convert_to(key, 'UTF8')) FROM registry.kv WHERE org = 'kvt-o'),
          'the order is the order of the keys'' UTF-8 bytes');
SELECT isnt((SELECT array_agg(substr(key, 8)) FROM registry.kv_list('kvt-o', 'sc/ord/')),
            (SELECT array_agg(substr(key, 8) ORDER BY key COLLATE "und-x-icu") FROM registry.kv WHERE org = 'kvt-o'),
            'and not a linguistic order (ICU root collation sorts these keys differently)');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-o', 'sc/ord/', 'sc/ord/_', 2)),
          ARRAY['sc/ord/a', 'sc/ord/b'], 'after + limit: the next page');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/ord/', NULL, 0)), 0, 'limit 0 lists nothing');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/ord/', 'sc/ord/é')), 0, 'after the last key: nothing');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/ord/', 'a')), 7,
          'an "after" below the prefix lists everything');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/ord/', 'zz')), 0,
          'an "after" past the prefix lists nothing');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/ord')), 7,
          'sc/ord is the whole namespace ord');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-o', 'sc/or')), 0,
          'sc/or names namespace "or", not a byte prefix of "ord"');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-o', 'sc/ord/a')),
          ARRAY['sc/ord/a'], 'a suffix narrows the listing');
SELECT throws_ok($$SELECT * FROM registry.kv_list('kvt-o', 'sc/')$$, '22023',
                 'missing namespace in prefix', 'kv_list: sc/ without a namespace is 22023');
SELECT throws_ok($$SELECT * FROM registry.kv_list('kvt-o', 'zz/ord/')$$, '22023',
                 'unknown kind "zz" in prefix', 'kv_list: an unknown kind is 22023');
SELECT throws_ok($$SELECT * FROM registry.kv_list('kvt-o', 'sc/ord/', NULL, -1)$$, '22023',
                 'limit must not be negative', 'kv_list: a negative limit is 22023');
SELECT throws_ok($$SELECT * FROM registry.kv_list(E'kvt\x01', 'sc/ord/')$$, '22023',
                 'org must not contain control characters', 'kv_list: a bad org is 22023');

-- pagination walks every key once
SELECT is((SELECT count(registry.kv_put('kvt-p', format('wf/pg/w%s/r', i), '\x00'))::int
             FROM generate_series(1, 95) AS i), 95, '95 keys stored');
CREATE TEMP TABLE kvt_pages (n int, key text);
DO $$
DECLARE
	cur text := NULL;
	page int := 0;
	got int;
BEGIN
	LOOP
		page := page + 1;
		INSERT INTO kvt_pages SELECT page, l.key FROM registry.kv_list('kvt-p', 'wf/pg/', cur, 10) AS l;
		GET DIAGNOSTICS got = ROW_COUNT;
		EXIT WHEN got = 0;
		SELECT max(key COLLATE "C") INTO cur FROM kvt_pages WHERE n = page;
	END LOOP;
END
$$;
SELECT is((SELECT count(*)::int FROM kvt_pages), 95, 'paging by 10 returns 95 rows');
SELECT is((SELECT count(DISTINCT key)::int FROM kvt_pages), 95, 'no key twice');
SELECT is((SELECT max(n) FROM kvt_pages), 10, 'in ten pages (the eleventh is empty)');

-- cross-namespace listing: one ordered result
SELECT is((SELECT count(registry.kv_put('kvt-x', k, 'v'))::int
             FROM unnest(ARRAY['ns/zeta', 'ns/alpha', 'ns/mid', 'nx/zeta/ep1', 'nx/alpha/ep2', 'nx/mid/ep0',
                               'nx/alpha/ep1', 'wf/alpha/w/r', 'sc/mid/s']) AS k), 9, 'nine keys stored');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-x', 'ns/')),
          ARRAY['ns/alpha', 'ns/mid', 'ns/zeta'], 'ns/ lists every namespace key, in order');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-x', 'nx')),
          ARRAY['nx/alpha/ep1', 'nx/alpha/ep2', 'nx/mid/ep0', 'nx/zeta/ep1'],
          'nx lists every endpoint of every namespace, merged in key order');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-x', 'nx/', 'nx/alpha/ep2', 2)),
          ARRAY['nx/mid/ep0', 'nx/zeta/ep1'], 'a cross-namespace listing pages across namespaces');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-x', 'nx/alpha/')),
          ARRAY['nx/alpha/ep1', 'nx/alpha/ep2'], 'nx/<ns>/ lists one namespace');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-x', 'ns/mid')),
          ARRAY['ns/mid'], 'ns/<name> lists that namespace''s key only');
SELECT is((SELECT count(*)::int FROM registry.kv_list('kvt-x', 'ns/mi')), 0,
          'ns/mi is namespace "mi", which has no key');

-- namespaces and orgs
SELECT is((SELECT array_agg(n) FROM registry.kv_namespaces('kvt-x') AS n),
          ARRAY['alpha', 'mid', 'zeta'], 'kv_namespaces: distinct, in byte order');
SELECT is((SELECT count(*)::int FROM registry.kv_namespaces('kvt-none')), 0,
          'kv_namespaces of an org without keys is empty');
SELECT throws_ok($$SELECT registry.kv_namespaces(repeat('o', 300))$$, '22023',
                 'org is too long', 'kv_namespaces validates the org');
SELECT is((SELECT array_agg(o) FROM registry.kv_orgs() AS o WHERE o LIKE 'kvt-%'),
          ARRAY['kvt-a', 'kvt-o', 'kvt-p', 'kvt-x'], 'kv_orgs: every org with a key, in order');

-- batch: atomic puts and deletes
SELECT is(registry.kv_batch('kvt-b', '[{"op": "put", "key": "sc/b/1", "value": "one"},
                                       {"op": "put", "key": "sc/b/2", "value_base64": "AAEC"},
                                       {"op": "put", "key": "sc/b/3", "value": "three"},
                                       {"op": "del", "key": "sc/b/3"},
                                       {"op": "del", "key": "sc/b/never"}]'), 5,
          'kv_batch applies five ops');
SELECT is((SELECT array_agg(key || '=' || encode(value, 'hex')) FROM registry.kv_list('kvt-b', 'sc/b/')),
          ARRAY['sc/b/1=6f6e65', 'sc/b/2=000102'], 'in order: text and base64 values, the delete applied');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[{"op": "put", "key": "sc/b/4", "value": "x"},
                                                      {"op": "del", "key": "sc/b/1"},
                                                      {"op": "put", "key": "zz/b/5", "value": "x"}]')$$,
                 '22023', 'unknown kind "zz" in key', 'a bad op fails the batch');
SELECT is((SELECT array_agg(key) FROM registry.kv_list('kvt-b', 'sc/b/')),
          ARRAY['sc/b/1', 'sc/b/2'], 'and none of its ops is applied');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '{"op": "put"}')$$, '22023',
                 'ops must be a JSON array', 'kv_batch: ops must be an array');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[{"op": "upsert", "key": "sc/b/1"}]')$$, '22023',
                 'op 1 has unknown "op" "upsert"', 'kv_batch: an unknown op is 22023');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[{"op": "put", "key": "sc/b/1"}]')$$, '22023',
                 'op 1 (put) needs exactly one of "value" and "value_base64"', 'kv_batch: a put needs a value');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[{"op": "del", "key": 7}]')$$, '22023',
                 'op 1 needs a string "key"', 'kv_batch: the key must be a string');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[7]')$$, '22023',
                 'op 1 must be a JSON object', 'kv_batch: an op must be an object');
SELECT throws_ok($$SELECT registry.kv_batch('kvt-b', '[{"op": "put", "key": "sc/b/9", "value_base64": "!!"}]')$$,
                 '22P02', 'op 1 (put) "value_base64" is not valid base64', 'kv_batch: bad base64 is 22P02');
SELECT is(registry.kv_batch('kvt-b', '[]'), 0, 'an empty batch does nothing');

-- put_if_absent: the first value stays
SELECT is(registry.kv_put_if_absent('kvt-i', 'idem/prod/wf1/req1', 'run-A'), 'run-A'::bytea,
          'kv_put_if_absent stores a new key and returns its value');
SELECT is(registry.kv_put_if_absent('kvt-i', 'idem/prod/wf1/req1', 'run-B'), 'run-A'::bytea,
          'a second writer gets the stored value back');
SELECT is(registry.kv_get('kvt-i', 'idem/prod/wf1/req1'), 'run-A'::bytea, 'and the stored value is unchanged');
-- in a read-only transaction (a hot standby) a recorded value is still
-- returned; a new key is refused as the INSERT it needs
SAVEPOINT ro;
SET LOCAL transaction_read_only = on;
SELECT is(registry.kv_put_if_absent('kvt-i', 'idem/prod/wf1/req1', 'run-C'), 'run-A'::bytea,
          'read-only transaction: kv_put_if_absent of a stored key returns the stored value');
SELECT throws_ok($$SELECT registry.kv_put_if_absent('kvt-i', 'idem/prod/wf1/req2', 'run-C')$$, '25006',
                 'cannot execute INSERT in a read-only transaction',
                 'read-only transaction: kv_put_if_absent of a new key is 25006');
ROLLBACK TO SAVEPOINT ro;
SELECT throws_ok($$SELECT registry.kv_put_if_absent('kvt-i', 'idem/prod/wf1', 'x')$$, '22P02',
                 'too few segments in key', 'kv_put_if_absent validates the key');

SELECT * FROM finish();
ROLLBACK;
