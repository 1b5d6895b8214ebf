-- Key/value store, part 5: kv_put, kv_get, kv_del and kv_put_if_absent run
-- their statement on the org's partition, and only when that partition is
-- guarded exactly as registry.kv (src/kv.c, "Routing").  A statement on the
-- parent leaves two traces that a routed one does not: an INSERT maps its
-- ON CONFLICT index onto the partition with a pg_inherits scan, and a
-- generic SELECT locks every partition.  Each check below that the routing
-- happened, or that it stood back, reads one of those.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(29);

CREATE FUNCTION pg_temp.inherits_scans() RETURNS bigint LANGUAGE sql AS $$
	SELECT pg_catalog.pg_stat_get_xact_numscans('pg_catalog.pg_inherits_relid_seqno_index'::regclass)
$$;
CREATE FUNCTION pg_temp.kv_tables_locked() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(DISTINCT l.relation) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_inherits i ON i.inhrelid = l.relation
	 WHERE l.pid = pg_catalog.pg_backend_pid() AND i.inhparent = 'registry.kv'::regclass
$$;
-- the first test org hashing to each of two remainders, and their partitions
SELECT min(o) FILTER (WHERE pg_catalog.satisfies_hash_partition('registry.kv'::regclass, 16, 1, o COLLATE "C")) AS org_a,
	   min(o) FILTER (WHERE pg_catalog.satisfies_hash_partition('registry.kv'::regclass, 16, 2, o COLLATE "C")) AS org_b
  FROM (SELECT 'kvr-' || i AS o FROM generate_series(1, 200) AS i) s \gset
SELECT 'registry.kv_p01' AS leaf_a, 'registry.kv_p02' AS leaf_b \gset

-- locks first, while this transaction holds none on the partitions
SELECT is(registry.kv_get(:'org_a', 'ns/x'), NULL, 'kv_get of a missing key');
SELECT is(pg_temp.kv_tables_locked(), 1::bigint, 'kv_get locked only the org''s partition');
SELECT ok(NOT registry.kv_del(:'org_a', 'ns/x') AND pg_temp.kv_tables_locked() = 1, 'so did kv_del');
PREPARE kvr_get(text, text) AS SELECT value FROM registry.kv WHERE org = $1 AND key = $2;
SET LOCAL plan_cache_mode = force_generic_plan;
EXECUTE kvr_get(:'org_a', 'ns/x');
SELECT is(pg_temp.kv_tables_locked(), 16::bigint, 'the same read on registry.kv, as a generic plan, locks all 16');
RESET plan_cache_mode;

CREATE ROLE kvr_a;
GRANT registry_writer TO kvr_a;
SELECT registry.grant_project(:'org_a', 'kvr_a', 'write') IS NOT NULL \g /dev/null
-- first calls: the backend loads each partition's bounds once
SELECT count(registry.kv_put(o, 'ns/' || o, '\x01')) FROM (VALUES (:'org_a'), (:'org_b')) v(o) \g /dev/null

SELECT pg_temp.inherits_scans() AS s0 \gset
INSERT INTO registry.kv VALUES (:'org_a', 'warm', 'wf/warm/a/b', '\x00', 0) ON CONFLICT (org, key) DO UPDATE SET upd = 1;
INSERT INTO registry.kv VALUES (:'org_a', 'warm', 'wf/warm/a/b', '\x00', 0) ON CONFLICT (org, key) DO UPDATE SET upd = 2;
SELECT ok(pg_temp.inherits_scans() - :s0 >= 2, 'an upsert on registry.kv scans pg_inherits every time');
SELECT pg_temp.inherits_scans() AS s0 \gset
SELECT is((SELECT count(registry.kv_put(o, 'wf/n/w' || i || '/r', '\x02'))::int
			 FROM (VALUES (:'org_a'), (:'org_b')) v(o), generate_series(1, 20) i), 40, '40 puts');
SELECT is(pg_temp.inherits_scans() - :s0, 0::bigint, 'kv_put went to the partition: no pg_inherits scan');
SELECT is((SELECT count(*)::int FROM ONLY registry.kv_p01 WHERE org = :'org_a' AND key LIKE 'wf/n/%'), 20,
		  'the rows are in the org''s partition');
-- rows PostgreSQL routed (an INSERT on the parent) are found by the routed
-- reads for 300 orgs: the partition is computed as PostgreSQL computes it
INSERT INTO registry.kv (org, namespace, key, value, upd)
SELECT 'kvr-many-' || i, 'many', 'sc/many/k', pg_catalog.int4send(i), 0 FROM generate_series(1, 300) AS i;
SELECT is((SELECT count(*)::int FROM generate_series(1, 300) AS i
			WHERE registry.kv_get('kvr-many-' || i, 'sc/many/k') = pg_catalog.int4send(i)), 300,
		  'kv_get finds each of 300 orgs'' rows where PostgreSQL put them');
SELECT is((SELECT count(*)::int FROM generate_series(1, 300) AS i WHERE registry.kv_del('kvr-many-' || i, 'sc/many/k')), 300,
		  'and kv_del deletes each');
SELECT is(registry.kv_put_if_absent(:'org_a', 'idem/n/w/q', '\x03'), '\x03'::bytea, 'kv_put_if_absent stores');
SELECT is(registry.kv_put_if_absent(:'org_a', 'idem/n/w/q', '\x04'), '\x03'::bytea, 'and returns the stored value');

-- as a granted role: the partition's policies (copies of the parent's) hold
SET LOCAL ROLE kvr_a;
SELECT ok(registry.kv_put(:'org_a', 'ns/role', '\x05') > 0, 'kvr_a writes its org');
SELECT throws_ok(format($$SELECT registry.kv_put(%L, 'ns/role', '\x05')$$, :'org_b'), '42501', NULL,
				 'but not another org');
SELECT is(registry.kv_get(:'org_b', 'ns/' || :'org_b'), NULL, 'nor reads it');
RESET ROLE;

-- a partition whose policy differs from the parent's is not used
ALTER POLICY kv_insert ON registry.kv_p02 WITH CHECK (true);
ALTER POLICY kv_read ON registry.kv_p02 USING (true);
SET LOCAL ROLE kvr_a;
SELECT throws_ok(format($$SELECT registry.kv_put(%L, 'ns/sneak', '\x06')$$, :'org_b'), '42501', NULL,
				 'a partition with a looser policy is passed over: the parent''s policy refuses');
RESET ROLE;
SELECT registry.kv_guard_partition(:'leaf_b') \g /dev/null
SELECT ok((SELECT bool_and(coalesce(pg_get_expr(polwithcheck, polrelid), pg_get_expr(polqual, polrelid)) LIKE '%accessible_projects%')
			 FROM pg_policy WHERE polrelid = :'leaf_b'::regclass AND polname IN ('kv_insert', 'kv_read')),
		  'kv_guard_partition restores the parent''s policies');

-- kv_guard_partition copies grants and policy roles whose names need quoting
CREATE ROLE "KvR Mixed";
GRANT SELECT ON registry.kv TO "KvR Mixed";
CREATE POLICY "kvr extra" ON registry.kv FOR SELECT TO "KvR Mixed" USING (false);
SELECT registry.kv_guard_partition(:'leaf_b') \g /dev/null
SELECT ok(pg_catalog.has_table_privilege('KvR Mixed', :'leaf_b'::regclass, 'SELECT'),
		  'kv_guard_partition copies a grant to a role whose name needs quoting');
SELECT is((SELECT polroles::regrole[]::text FROM pg_policy WHERE polrelid = :'leaf_b'::regclass AND polname = 'kvr extra'),
		  '{"\"KvR Mixed\""}', 'and a policy for that role');
DROP POLICY "kvr extra" ON registry.kv;
REVOKE SELECT ON registry.kv FROM "KvR Mixed";
SELECT registry.kv_guard_partition(:'leaf_b') \g /dev/null
DROP ROLE "KvR Mixed";

-- privileges: the parent's decide
REVOKE INSERT ON registry.kv FROM registry_writer;
SET LOCAL ROLE kvr_a;
SELECT throws_ok(format($$SELECT registry.kv_put(%L, 'ns/role', '\x07')$$, :'org_a'), '42501',
				 'permission denied for table kv', 'without INSERT on registry.kv, kv_put is refused');
RESET ROLE;
GRANT INSERT ON registry.kv TO registry_writer;
REVOKE INSERT ON registry.kv_p01 FROM registry_writer;
SET LOCAL ROLE kvr_a;
SELECT ok(registry.kv_put(:'org_a', 'ns/role', '\x08') > 0,
		  'without INSERT on the partition only, kv_put goes through registry.kv');
RESET ROLE;
SELECT registry.kv_guard_partition(:'leaf_a') \g /dev/null

-- a renamed partition, and a decoy under its old name
SELECT ok(registry.kv_put(:'org_a', 'ns/before', '\x09') > 0, 'a put before the rename');
ALTER TABLE registry.kv_p01 RENAME TO kv_p01_moved;
CREATE TABLE registry.kv_p01 (LIKE registry.kv INCLUDING ALL);
SELECT ok(registry.kv_put(:'org_a', 'ns/after', '\x0a') > 0, 'a put after it');
SELECT is((SELECT count(*)::int FROM registry.kv_p01), 0, 'nothing went to the decoy table');
SELECT is(registry.kv_get(:'org_a', 'ns/after'), '\x0a'::bytea, 'the row is in the renamed partition');
DROP TABLE registry.kv_p01;
ALTER TABLE registry.kv_p01_moved RENAME TO kv_p01;

-- a statement trigger on the parent fires for kv_put (it is not routed)
CREATE TEMP TABLE kvr_fired (n int);
CREATE FUNCTION pg_temp.kvr_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO kvr_fired VALUES (1); RETURN NULL; END $$;
CREATE TRIGGER kvr_stmt AFTER INSERT ON registry.kv FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.kvr_count();
SELECT registry.kv_put(:'org_a', 'ns/trig', '\x0b') \g /dev/null
SELECT is((SELECT count(*)::int FROM kvr_fired), 1, 'a statement trigger on registry.kv fires for kv_put');
DROP TRIGGER kvr_stmt ON registry.kv;
-- and one on the partition does not fire (it would not for a statement on
-- the parent)
TRUNCATE kvr_fired;
CREATE TRIGGER kvr_stmt_leaf AFTER INSERT ON registry.kv_p01 FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.kvr_count();
SELECT registry.kv_put(:'org_a', 'ns/trig2', '\x0b') \g /dev/null
SELECT is((SELECT count(*)::int FROM kvr_fired), 0, 'a statement trigger on the partition does not fire for kv_put');
DROP TRIGGER kvr_stmt_leaf ON registry.kv_p01;

-- a row trigger that changes the guard and calls kv_put while kv_put runs
CREATE FUNCTION pg_temp.kvr_nested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.key = 'ns/outer' THEN
		EXECUTE 'GRANT SELECT ON registry.kv TO registry_reader';	-- a relcache invalidation
		PERFORM registry.kv_put(NEW.org, 'ns/inner', '\x0c');
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER kvr_row AFTER INSERT ON registry.kv FOR EACH ROW EXECUTE FUNCTION pg_temp.kvr_nested();
SELECT ok(registry.kv_put(:'org_a', 'ns/outer', '\x0d') > 0, 'kv_put whose trigger calls kv_put');
SELECT is(ARRAY[registry.kv_get(:'org_a', 'ns/outer'), registry.kv_get(:'org_a', 'ns/inner')],
		  ARRAY['\x0d', '\x0c']::bytea[], 'both rows are stored');
DROP TRIGGER kvr_row ON registry.kv;

SELECT * FROM finish();
ROLLBACK;
