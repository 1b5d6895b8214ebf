-- Key/value store, part 4: the partition layout and the recipe (README) by
-- which a new extension version's upgrade script splits a hash partition in
-- two.  Run here inside a transaction that rolls back, so it changes nothing.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(14);

SELECT is((SELECT string_agg(pg_catalog.pg_get_expr(c.relpartbound, c.oid), ' | ' ORDER BY c.relname)
             FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'registry.kv'::regclass AND c.relname IN ('kv_p00', 'kv_p15')),
          'FOR VALUES WITH (modulus 16, remainder 0) | FOR VALUES WITH (modulus 16, remainder 15)',
          'partitions kv_p00 .. kv_p15 are the 16 remainders of hash(org) modulo 16');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_depend d
            WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
              AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'registry')
              AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::regclass
              AND d.objid IN (SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = 'registry.kv'::regclass)),
          16, 'the partitions belong to the extension (CREATE EXTENSION recreates them on restore)');

-- orgs whose rows sit in kv_p03
CREATE TEMP TABLE kvt_orgs AS
SELECT o FROM (SELECT 'kvt-split-' || i AS o FROM generate_series(1, 400) AS i) s
 WHERE pg_catalog.satisfies_hash_partition('registry.kv'::regclass, 16, 3, o::text COLLATE "C");
SELECT ok((SELECT count(*) FROM kvt_orgs) > 10, 'some test orgs hash to remainder 3');
SELECT is((SELECT count(registry.kv_put(o, 'sc/n/k' || i, 'v'))::int FROM kvt_orgs, generate_series(1, 5) AS i),
          (SELECT count(*)::int * 5 FROM kvt_orgs), 'five keys for each of them');
SELECT is((SELECT count(DISTINCT tableoid)::int FROM registry.kv WHERE org IN (SELECT o FROM kvt_orgs)), 1,
          'all in one partition');
CREATE TEMP TABLE kvt_before AS SELECT org, key, value, upd FROM registry.kv WHERE org IN (SELECT o FROM kvt_orgs);

-- the split: detach, two partitions of modulus 32, move the rows back in
ALTER TABLE registry.kv DETACH PARTITION registry.kv_p03;
CREATE TABLE registry.kv_p03_32 PARTITION OF registry.kv FOR VALUES WITH (MODULUS 32, REMAINDER 3);
CREATE TABLE registry.kv_p19_32 PARTITION OF registry.kv FOR VALUES WITH (MODULUS 32, REMAINDER 19);
INSERT INTO registry.kv SELECT * FROM registry.kv_p03;
ALTER EXTENSION registry DROP TABLE registry.kv_p03;
DROP TABLE registry.kv_p03;

SELECT is((SELECT count(*)::int FROM pg_catalog.pg_inherits WHERE inhparent = 'registry.kv'::regclass), 17,
          'after the split: 15 partitions of modulus 16 and 2 of modulus 32');
SELECT set_eq($$SELECT org, key, value, upd FROM registry.kv WHERE org IN (SELECT o FROM kvt_orgs)$$,
              $$SELECT org, key, value, upd FROM kvt_before$$, 'no row is lost or changed');
SELECT is((SELECT count(DISTINCT tableoid)::int FROM registry.kv WHERE org IN (SELECT o FROM kvt_orgs)), 2,
          'the orgs are now spread over the two new partitions');
SELECT ok(registry.kv_put((SELECT min(o) FROM kvt_orgs), 'sc/n/new', 'x') > 0, 'kv_put routes to the new partitions');
SELECT is((SELECT count(*)::int FROM registry.kv_list((SELECT min(o) FROM kvt_orgs), 'sc/n/')), 6,
          'kv_list reads them');

-- the new partitions get the parent's guard (the recipe's last step), and
-- kv_put goes straight to them again: no pg_inherits scan per call
SELECT ok(registry.kv_put((SELECT min(o) FROM kvt_orgs), 'sc/n/unguarded', 'x') > 0,
		  'kv_put works on a partition without the parent''s guard (through registry.kv)');
SELECT registry.kv_guard_partition(p) FROM unnest('{registry.kv_p03_32, registry.kv_p19_32}'::regclass[]) AS p \g /dev/null
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_policy WHERE polrelid = 'registry.kv_p19_32'::regclass), 4,
		  'kv_guard_partition copied the parent''s four policies');
SELECT count(registry.kv_put(o, 'sc/n/warm', 'x')) FROM kvt_orgs \g /dev/null
SELECT pg_catalog.pg_stat_get_xact_numscans('pg_catalog.pg_inherits_relid_seqno_index'::regclass) AS s0 \gset
SELECT is((SELECT count(registry.kv_put(o, 'sc/n/routed', 'x'))::int FROM kvt_orgs), (SELECT count(*)::int FROM kvt_orgs),
		  'a put for every org');
SELECT is(pg_catalog.pg_stat_get_xact_numscans('pg_catalog.pg_inherits_relid_seqno_index'::regclass) - :s0, 0::bigint,
		  'each went straight to its new partition');

SELECT * FROM finish();
ROLLBACK;
