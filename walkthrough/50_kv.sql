-- registry walkthrough, part 50: the namespaced key/value store (seed 004).
-- One table, registry.kv, stands for the seed's one-SQLite-file-per-(org,
-- namespace) layout: keys route by their namespace segment, list in byte
-- order by prefix, and the kinds ns and nx list across namespaces.
\pset pager off
\set ON_ERROR_STOP on

\echo
\echo '== 1. Key layouts: the namespace segment routes a key'
SELECT k AS key, r.*
  FROM unnest(ARRAY['ns/billing', 'wf/billing/invoice-42/run-1', 'wfh/billing/invoice-42/run-1/7',
                    'sc/billing/nightly', 'idem/billing/invoice-42/req-9', 'nx/billing/payments']) AS k,
       LATERAL registry.ns_from_key(k) AS r;

\echo
\echo '== 2. List prefixes: ns and nx may leave out the namespace; other kinds may not'
SELECT p AS prefix, s.*, registry.kv_prefix_lo(p) AS lo, registry.kv_prefix_hi(p) AS hi
  FROM unnest(ARRAY['ns/', 'nx', 'nx/billing/', 'wf/billing', 'wf/billing/invoice-']) AS p,
       LATERAL registry.split_prefix(p) AS s;
\set ON_ERROR_STOP off
SELECT * FROM registry.split_prefix('wf/');
SELECT * FROM registry.ns_from_key('wf/billing/only-a-workflow-id');
SELECT * FROM registry.ns_from_key('job/billing/x');
-- keys may take 4 KiB, but one that does not compress must fit the (org, key)
-- index (2704 bytes an entry): a 22023 that says so, not PostgreSQL's 54000
SELECT registry.kv_put('acme', 'sc/billing/' || (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 90) AS g), 'x');
\set ON_ERROR_STOP on

\echo
\echo '== 3. Put, get, delete (upd is nanoseconds since the Unix epoch)'
SELECT registry.kv_put('acme', 'ns/billing', '{"retention":"30d"}') > 0 AS stored;
SELECT registry.kv_put('acme', 'ns/search', '{"retention":"7d"}') > 0 AS stored;
SELECT count(registry.kv_put('acme', format('wf/billing/invoice-%s/run-1', i), convert_to('running', 'UTF8'))) AS workflows
  FROM generate_series(1, 5) AS i;
SELECT registry.kv_put('acme', 'nx/billing/payments', 'https://pay.internal') > 0 AS stored;
SELECT registry.kv_put('acme', 'nx/search/indexer', 'https://idx.internal') > 0 AS stored;
SELECT convert_from(registry.kv_get('acme', 'wf/billing/invoice-3/run-1'), 'UTF8') AS value;
SELECT registry.kv_get('acme', 'wf/billing/invoice-9/run-1') IS NULL AS missing_is_null;
SELECT registry.kv_del('acme', 'wf/billing/invoice-5/run-1') AS deleted,
       registry.kv_del('acme', 'wf/billing/invoice-5/run-1') AS deleted_again;
SELECT org, namespace, key, to_timestamp(upd / 1e9) AS upd_as_time
  FROM registry.kv WHERE org = 'acme' ORDER BY key LIMIT 3;

\echo
\echo '== 4. Listing: byte order, keyset pagination with after + limit'
SELECT key, convert_from(value, 'UTF8') AS value FROM registry.kv_list('acme', 'wf/billing/', NULL, 2);
SELECT key FROM registry.kv_list('acme', 'wf/billing/', 'wf/billing/invoice-2/run-1', 2);
SELECT count(registry.kv_put('acme', 'sa/billing/' || k, 'x')) AS attrs
  FROM unnest(ARRAY['a', 'B', '_', 'é', 'Z']) AS k;
SELECT string_agg(substr(key, 12), ' ') AS byte_order FROM registry.kv_list('acme', 'sa/billing/');

\echo
\echo '== 5. ns and nx list across every namespace of the org, one ordered result'
SELECT key FROM registry.kv_list('acme', 'ns/');
SELECT key, convert_from(value, 'UTF8') AS endpoint FROM registry.kv_list('acme', 'nx/');
SELECT * FROM registry.kv_namespaces('acme');

\echo
\echo '== 6. The empty org is stored as _ and reported as '''''
SELECT registry.kv_put('', 'sc/dev/tick', 'x') > 0 AS stored;
SELECT DISTINCT org AS stored_as FROM registry.kv WHERE org = '_';
SELECT quote_literal(o) AS org FROM registry.kv_orgs() AS o;

\echo
\echo '== 7. Batches are atomic'
SELECT registry.kv_batch('acme', '[{"op": "put", "key": "sc/billing/hourly", "value": "0 * * * *"},
                                   {"op": "put", "key": "bt/billing/b1", "value_base64": "AAEC"},
                                   {"op": "del", "key": "sc/billing/nightly"}]') AS ops;
\set ON_ERROR_STOP off
SELECT registry.kv_batch('acme', '[{"op": "put", "key": "sc/billing/weekly", "value": "x"},
                                   {"op": "put", "key": "oops", "value": "x"}]');
\set ON_ERROR_STOP on
SELECT key FROM registry.kv_list('acme', 'sc/billing/');

\echo
\echo '== 8. Idempotency records: racing writers agree on one value'
SELECT convert_from(registry.kv_put_if_absent('acme', 'idem/billing/invoice-1/req-1', 'run-A'), 'UTF8') AS first_writer;
SELECT convert_from(registry.kv_put_if_absent('acme', 'idem/billing/invoice-1/req-1', 'run-B'), 'UTF8') AS second_writer;

\echo
\echo '== 9. Plans: a listing is a range scan of the org''s partition only, in key order'
\echo '   (the limit is an InitPlan: the planner plans the ordered scan that stops after the page)'
SELECT tableoid::regclass AS partition, count(*) FROM registry.kv WHERE org = 'acme' GROUP BY 1;
EXPLAIN (COSTS OFF) SELECT * FROM registry.kv_list('acme', 'wf/billing/', 'wf/billing/invoice-2/run-1', 100);
EXPLAIN (COSTS OFF) SELECT * FROM registry.kv_list('acme', 'nx/', NULL, 100);

\echo
\echo '== 10. kv_put, kv_get, kv_del go straight to the org''s partition, which carries the parent''s policies and grants'
SELECT p.tableoid::regclass AS partition,
       (SELECT count(*) FROM pg_policy WHERE polrelid = p.tableoid) AS policies,
       (SELECT relacl FROM pg_class WHERE oid = p.tableoid) = (SELECT relacl FROM pg_class WHERE oid = 'registry.kv'::regclass) AS same_grants
  FROM (SELECT DISTINCT tableoid FROM registry.kv WHERE org = 'acme') AS p;
BEGIN;
SELECT convert_from(registry.kv_get('acme', 'ns/billing'), 'UTF8') AS value;
SELECT count(DISTINCT l.relation) AS kv_partitions_locked
  FROM pg_locks AS l JOIN pg_inherits AS i ON i.inhrelid = l.relation
 WHERE l.pid = pg_backend_pid() AND i.inhparent = 'registry.kv'::regclass;
COMMIT;
