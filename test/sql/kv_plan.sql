-- Key/value store, part 3: query plans.  Listing 1,000 keys under a prefix
-- is one range scan of the (org, key) index of one partition (the org's)
-- that reads exactly the rows it lists, however big the table; a page
-- (after + limit) is an ordered index scan with no sort.  The prepared
-- (generic) form prunes the other partitions at executor start.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(18);

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	result text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END
$$;
CREATE FUNCTION pg_temp.analyze_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	result text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END
$$;

-- 1,000 keys under wf/big/ among 30,000 keys of the org, and 20 other orgs
SELECT is((SELECT count(registry.kv_put('kvt-plan', format('wf/big/w%s/r', lpad(i::text, 5, '0')), 'v'))::int
             FROM generate_series(1, 1000) AS i), 1000, '1,000 keys under wf/big/');
INSERT INTO registry.kv (org, namespace, key, value, upd)
SELECT 'kvt-plan', 'ns' || (i % 10), format('wf/ns%s/w%s/r', i % 10, i), '\x00', 0
  FROM generate_series(1, 29000) AS i;
INSERT INTO registry.kv (org, namespace, key, value, upd)
SELECT 'kvt-plan-' || (i % 20), 'big', format('wf/big/w%s/r', i), '\x00', 0
  FROM generate_series(1, 20000) AS i;
ANALYZE registry.kv;
SELECT ok(set_config('kvt.part', (SELECT DISTINCT tableoid::regclass::text FROM registry.kv WHERE org = 'kvt-plan'), true) ~ '^registry\.kv_p[0-9]{2}$',
          'every row of the org sits in one partition');

SELECT matches(pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$),
               'Index Scan (using|on) ' || replace(current_setting('kvt.part'), 'registry.', '') || '_pkey',
               'a prefix listing scans the (org, key) index of the org''s partition');
SELECT alike(pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$),
             '%Index Cond: ((org = ''kvt-plan''::text) AND (key >= ''wf/big/''::text) AND (key < ''wf/big0''::text)%',
             'the prefix is an index range: key >= lo and key < hi');
SELECT is((SELECT count(*)::int FROM regexp_matches(
             pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$), 'kv_p[0-9]+', 'g')),
          (SELECT count(*)::int FROM regexp_matches(
             pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$),
             replace(current_setting('kvt.part'), 'registry.', '') || '(_pkey)?[ \n]', 'g')),
          'no other partition is in the plan');
SELECT matches(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$),
               'Index Scan (using|on) kv_p[0-9]+_pkey[^\n]*\(actual rows=1000 loops=1\)',
               'the index scan reads exactly the 1,000 rows listed, of 60,000');
SELECT unalike(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/')$$),
               '%Rows Removed%', 'and no row is read only to be filtered out');
SELECT alike(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/', 'wf/big/w00500/r', 100)$$),
             '%Limit (actual rows=100 loops=1)%Index Scan%(actual rows=100 loops=1)%key > ''wf/big/w00500/r''::text%',
             'a page starts at "after" in the index and reads only the rows it returns');
SELECT unalike(pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'wf/big/', 'wf/big/w00500/r', 100)$$),
               '%Sort%', 'with no sort: the index gives byte order');

-- A page of a prefix with somewhat more keys than the page, written in no
-- particular order: 1,500 keys under wf/m3/ among 30,000 of one org.  Seeing
-- the limit, the planner reads all 1,500 with a bitmap scan and sorts them
-- (it prices a cached index scan as disk reads); kv_list hides its limit so
-- that the page is the ordered index scan that stops after 1,000 rows.
INSERT INTO registry.kv (org, namespace, key, value, upd)
SELECT 'kvt-mix', 'm' || n, format('wf/m%s/w%s/r', n, lpad(i::text, 5, '0')), '\x00', 0
  FROM generate_series(1, 1500) AS i, generate_series(1, 20) AS n
 ORDER BY (i * 617) % 1500, n;
ANALYZE registry.kv;
CREATE FUNCTION pg_temp.list_visible_limit(org text, prefix text, "limit" integer)
	RETURNS TABLE (key text, value bytea, upd bigint) LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT k.key, k.value, k.upd FROM registry.kv AS k
	 WHERE k.org = registry.kv_org(list_visible_limit.org)
	   AND k.key >= registry.kv_prefix_lo(list_visible_limit.prefix)
	   AND k.key < registry.kv_prefix_hi(list_visible_limit.prefix)
	 ORDER BY k.key LIMIT registry.kv_check_limit(list_visible_limit."limit");
END;
SELECT alike(pg_temp.analyze_of($$SELECT * FROM pg_temp.list_visible_limit('kvt-mix', 'wf/m3/', 1000)$$),
             '%Sort%Bitmap Heap Scan%(actual rows=1500 loops=1)%',
             'precondition: the same query with its limit in sight reads all 1,500 keys and sorts them');
SELECT matches(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-mix', 'wf/m3/', NULL, 1000)$$),
               'Index Scan (using|on) kv_p[0-9]+_pkey[^\n]*\(actual rows=1000 loops=1\)',
               'kv_list''s page of 1,000 of 1,500 keys is an index scan that reads 1,000 rows');
SELECT unalike(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-mix', 'wf/m3/', NULL, 1000)$$),
               '%Sort%', 'with no sort');
SELECT matches(pg_temp.analyze_of($$SELECT * FROM registry.kv_list('kvt-mix', 'wf/m3/') LIMIT 10$$),
               'Index Scan (using|on) kv_p[0-9]+_pkey[^\n]*\(actual rows=10 loops=1\)',
               'a LIMIT written around kv_list (no limit of its own) stops the index scan after 10 rows');

-- cross-namespace kinds: still one range scan, already merged in key order
SELECT is((SELECT count(registry.kv_put('kvt-plan', format('nx/ns%s/ep%s', i % 10, i), 'v'))::int
             FROM generate_series(1, 50) AS i), 50, '50 endpoints over 10 namespaces');
SELECT alike(pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'nx/')$$),
            '%Index Scan using%Index Cond: ((org = ''kvt-plan''::text) AND (key >= ''nx/''::text) AND (key < ''nx0''::text)%',
            'nx/ is one index range over every namespace');
SELECT unalike(pg_temp.plan_of($$SELECT * FROM registry.kv_list('kvt-plan', 'nx/', NULL, 20)$$),
               '%Sort%', 'a page of it needs no sort: one ordered result, not per-namespace pieces');

-- the prepared form: a generic plan prunes the other partitions at start-up
PREPARE kvt_list(text, text) AS SELECT * FROM registry.kv_list($1, $2, NULL, 1000);
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT alike(pg_temp.analyze_of($$EXECUTE kvt_list('kvt-plan', 'wf/big/')$$),
            '%Subplans Removed: 15%', 'the generic plan keeps one partition of 16');
SELECT matches(pg_temp.analyze_of($$EXECUTE kvt_list('kvt-plan', 'wf/big/')$$),
               'Index Scan (using|on) ' || replace(current_setting('kvt.part'), 'registry.', '') || '_pkey[^\n]*\(actual rows=1000 loops=1\)',
               'and range-scans the org''s partition''s index for exactly the 1,000 rows');
DEALLOCATE kvt_list;

SELECT * FROM finish();
ROLLBACK;
