-- Version registry: lineage (nearest first, with distance), descendants,
-- common ancestors and the Graphviz picture; the chain index checked
-- against a plain recursive walk of primary parents on a random tree.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(29);

-- a small hand-made tree:  a <- b <- d ; a <- c ; e = merge(d, c)
CREATE TEMP TABLE t (name text PRIMARY KEY, id bigint);
INSERT INTO t SELECT 'a', id FROM registry.register('vt-lin', 'tree', 'a');
INSERT INTO t SELECT 'b', id FROM registry.register('vt-lin', 'tree', 'b', parents => ARRAY[(SELECT id FROM t WHERE name = 'a')]);
INSERT INTO t SELECT 'c', id FROM registry.register('vt-lin', 'tree', 'c', parents => ARRAY[(SELECT id FROM t WHERE name = 'a')]);
INSERT INTO t SELECT 'd', id FROM registry.register('vt-lin', 'tree', 'd', parents => ARRAY[(SELECT id FROM t WHERE name = 'b')]);
INSERT INTO t SELECT 'e', id FROM registry.register('vt-lin', 'tree', 'e',
    parents => ARRAY[(SELECT id FROM t WHERE name = 'd'), (SELECT id FROM t WHERE name = 'c')]);

SELECT is((SELECT string_agg(t.name || ':' || l.distance, ' ' ORDER BY l.distance)
             FROM registry.get_lineage((SELECT id FROM t WHERE name = 'e')) l JOIN t ON t.id = l.id),
          'd:1 b:2 a:3', 'lineage follows primary parents, nearest first, with distance');
SELECT is((SELECT count(*) FROM registry.get_lineage((SELECT id FROM t WHERE name = 'a'))), 0::bigint,
          'a root has an empty lineage');
SELECT is((SELECT string_agg(t.name || ':' || d.distance, ' ' ORDER BY d.distance, t.name)
             FROM registry.descendants((SELECT id FROM t WHERE name = 'a')) d JOIN t ON t.id = d.id),
          'b:1 c:1 d:2 e:3', 'descendants of the root, nearest first');
SELECT is((SELECT string_agg(t.name, ' ' ORDER BY t.name)
             FROM registry.descendants((SELECT id FROM t WHERE name = 'c')) d JOIN t ON t.id = d.id),
          NULL, 'descendants follow primary parents (e merges c but its primary parent is d)');
SELECT is((SELECT string_agg(t.name, ' ' ORDER BY t.name)
             FROM registry.descendants((SELECT id FROM t WHERE name = 'b')) d JOIN t ON t.id = d.id),
          'd e', 'descendants of an inner node');
SELECT is(registry.common_ancestor((SELECT id FROM t WHERE name = 'd'), (SELECT id FROM t WHERE name = 'c')),
          (SELECT id FROM t WHERE name = 'a'), 'common ancestor of cousins');
SELECT is(registry.common_ancestor((SELECT id FROM t WHERE name = 'e'), (SELECT id FROM t WHERE name = 'b')),
          (SELECT id FROM t WHERE name = 'b'), 'a version is its own ancestor');
SELECT is(registry.common_ancestor((SELECT id FROM t WHERE name = 'c'), (SELECT id FROM t WHERE name = 'c')),
          (SELECT id FROM t WHERE name = 'c'), 'common ancestor with itself');
INSERT INTO t SELECT 'root2', id FROM registry.register('vt-lin', 'tree', 'root2');
INSERT INTO t SELECT 'other', id FROM registry.register('vt-lin', 'elsewhere', 'x');
INSERT INTO t SELECT 'q', id FROM registry.register('vt-lin', 'tree', 'q',
                   metrics => '{"score": 0.25, "note": "a \"quoted\" \\ value"}', status => 'with "quote"');
SELECT is(registry.common_ancestor((SELECT id FROM t WHERE name = 'c'), (SELECT id FROM t WHERE name = 'root2')),
          NULL, 'two roots have no common ancestor');
SELECT is(registry.common_ancestor((SELECT id FROM t WHERE name = 'c'), (SELECT id FROM t WHERE name = 'other')),
          NULL, 'versions of different components have no common ancestor');
SELECT throws_ok($$SELECT * FROM registry.get_lineage(-1)$$, 'P0002', 'version -1 not found', 'lineage of an unknown version is P0002');
SELECT throws_ok($$SELECT * FROM registry.descendants(-1)$$, 'P0002', NULL, 'descendants of an unknown version is P0002');
SELECT throws_ok($$SELECT registry.common_ancestor(-1, -2)$$, 'P0002', NULL, 'common_ancestor of an unknown version is P0002');

-- lineage_dot
SELECT matches(registry.lineage_dot((SELECT id FROM t WHERE name = 'b')), '^digraph lineage \{.*\}\n$',
               'lineage_dot returns a DOT digraph');
SELECT is((SELECT count(*) FROM regexp_matches(registry.lineage_dot((SELECT id FROM t WHERE name = 'b')), ' -> ', 'g')),
          3::bigint, 'it holds the edges among the ancestors and descendants');
SELECT matches(registry.lineage_dot((SELECT id FROM t WHERE name = 'a')), 'v[0-9]+ -> v[0-9]+ \[style=dashed\]',
               'a secondary parent edge is dashed');
SELECT matches(registry.lineage_dot((SELECT id FROM t WHERE name = 'q')),
               'with \\"quote\\"', 'labels are escaped');
SELECT throws_ok($$SELECT registry.lineage_dot(-1)$$, 'P0002', NULL, 'lineage_dot of an unknown version is P0002');

-- a random tree of 400 versions: most continue the newest version (long
-- chains), some branch off anywhere, some merge
SELECT setseed(0.42);
DO $$
DECLARE
	ids bigint[] := '{}';
	p bigint[];
	r double precision;
	v bigint;
BEGIN
	FOR i IN 1..400 LOOP
		r := random();
		IF i = 1 OR r < 0.03 THEN
			p := NULL;
		ELSIF r < 0.70 THEN
			p := ARRAY[ids[cardinality(ids)]];
		ELSIF r < 0.95 THEN
			p := ARRAY[ids[1 + floor(random() * cardinality(ids))::int]];
		ELSE
			p := ARRAY[ids[1 + floor(random() * cardinality(ids))::int]];
			v := ids[1 + floor(random() * cardinality(ids))::int];
			IF v <> p[1] THEN p := p || v; END IF;
		END IF;
		SELECT id INTO v FROM registry.register('vt-lin', 'random', 'impl ' || i, parents => p);
		ids := ids || v;
	END LOOP;
END
$$;
CREATE TEMP TABLE naive_anc AS
WITH RECURSIVE w (start, id, dist) AS (
	SELECT v.id, v.primary_parent, 1 FROM registry.versions v
	 WHERE v.project_id = 'vt-lin' AND v.component = 'random' AND v.primary_parent IS NOT NULL
  UNION ALL
	SELECT w.start, v.primary_parent, w.dist + 1 FROM w JOIN registry.versions v ON v.id = w.id
	 WHERE v.primary_parent IS NOT NULL)
SELECT * FROM w;
CREATE INDEX ON naive_anc (start);
ANALYZE naive_anc;
SELECT ok((SELECT max(dist) FROM naive_anc) > 20, 'the random tree has long lineages');
SELECT ok((SELECT count(*) FROM registry.version_branches WHERE project_id = 'vt-lin') > 50, 'and many branches');
SELECT is((SELECT count(*) FROM (
             (SELECT v.id, l.id, l.distance FROM registry.versions v, registry.get_lineage(v.id) l
               WHERE v.project_id = 'vt-lin' AND v.component = 'random'
              EXCEPT ALL SELECT start, id, dist FROM naive_anc)
             UNION ALL
             (SELECT start, id, dist FROM naive_anc
              EXCEPT ALL SELECT v.id, l.id, l.distance FROM registry.versions v, registry.get_lineage(v.id) l
               WHERE v.project_id = 'vt-lin' AND v.component = 'random')) x),
          0::bigint, 'get_lineage equals a recursive walk of primary parents for all 400 versions');
SELECT ok(NOT EXISTS (SELECT 1 FROM registry.versions v
                       WHERE v.project_id = 'vt-lin' AND v.component = 'random'
                         AND ARRAY(SELECT l.id FROM registry.get_lineage(v.id) l)
                             <> ARRAY(SELECT n.id FROM naive_anc n WHERE n.start = v.id ORDER BY n.dist)),
          'and lists them nearest first');
SELECT is((SELECT count(*) FROM (
             (SELECT v.id, d.id, d.distance FROM registry.versions v, registry.descendants(v.id) d
               WHERE v.project_id = 'vt-lin' AND v.component = 'random'
              EXCEPT ALL SELECT id, start, dist FROM naive_anc)
             UNION ALL
             (SELECT id, start, dist FROM naive_anc
              EXCEPT ALL SELECT v.id, d.id, d.distance FROM registry.versions v, registry.descendants(v.id) d
               WHERE v.project_id = 'vt-lin' AND v.component = 'random')) x),
          0::bigint, 'descendants are exactly the inverse of lineage for all 400 versions');
SELECT ok(NOT EXISTS (SELECT 1 FROM registry.versions v
                       WHERE v.project_id = 'vt-lin' AND v.component = 'random'
                         AND ARRAY(SELECT d.id FROM registry.descendants(v.id) d)
                             <> ARRAY(SELECT n.start FROM naive_anc n WHERE n.id = v.id ORDER BY n.dist, n.start)),
          'and lists them nearest first, then by id');
-- descendants reads a small subtree chain by chain and a large one (more
-- chains than 1/64 of the component's versions) by one scan of the
-- component: the root's subtree here takes the scan, a leaf's parent the
-- chains, so the two assertions above cover both ways.
SELECT ok((SELECT count(*) FROM registry.version_branches WHERE project_id = 'vt-lin') > 400 / 64,
          'the random root''s subtree has enough chains to be read by a component scan');

-- seq, semver and pruned come through both ways: s1's subtree (two
-- chains in 75 versions) is read by a component scan, s4's (one chain) by
-- its chain
SELECT registry.configure_component('vt-lin', 'sem', 'semantic', 'keep-last-2') IS NOT NULL \g /dev/null
SELECT id AS s1 FROM registry.register('vt-lin', 'sem', 'v1'::text, version => '1.0.0') \gset
SELECT id AS s2 FROM registry.register('vt-lin', 'sem', 'v2'::text, parents => ARRAY[:s1::bigint], bump => 'minor') \gset
SELECT id AS s3 FROM registry.register('vt-lin', 'sem', 'v3'::text, parents => ARRAY[:s2::bigint]) \gset
SELECT id AS s4 FROM registry.register('vt-lin', 'sem', 'v4'::text, parents => ARRAY[:s2::bigint], bump => 'major') \gset
DO $$
DECLARE p bigint := (SELECT max(id) FROM registry.versions WHERE project_id = 'vt-lin' AND component = 'sem');
BEGIN
	FOR i IN 5..75 LOOP
		p := (registry.register('vt-lin', 'sem', 'v' || i, parents => ARRAY[p])).id;
	END LOOP;
END $$;
SELECT is((SELECT string_agg(format('%s:%s:%s', d.distance, d.semver, d.pruned), ' ')
             FROM (SELECT * FROM registry.descendants(:s1) LIMIT 4) d),
          '1:1.1.0:t 2:1.1.1:t 2:2.0.0:t 3:2.0.1:t',
          'descendants carry each version''s semver and whether retention pruned it');
SELECT is((SELECT string_agg(format('%s:%s:%s:%s', d.distance, d.seq, d.semver, d.pruned), ' ')
             FROM (SELECT * FROM registry.descendants(:s1) d ORDER BY d.distance DESC LIMIT 2) d),
          '73:75:2.0.71:f 72:74:2.0.70:f', 'the newest two are not pruned');
SELECT is((SELECT count(*) FROM registry.descendants(:s4) d JOIN registry.versions v ON v.id = d.id
            WHERE d.seq = v.seq AND d.semver OPERATOR(registry.=) v.semver
              AND d.pruned = (v.pruned_at IS NOT NULL) AND d.distance = v.depth - 2),
          71::bigint, 'a chain''s members carry the same (71 rows, read by the chain)');

SELECT is((SELECT count(*) FROM registry.versions a, registry.versions b
            WHERE a.project_id = 'vt-lin' AND a.component = 'random' AND b.project_id = 'vt-lin' AND b.component = 'random'
              AND a.seq % 29 = 0 AND b.seq % 13 = 0
              AND registry.common_ancestor(a.id, b.id) IS DISTINCT FROM
                  (SELECT x.id FROM (SELECT a.id, 0 AS dist UNION ALL SELECT n.id, n.dist FROM naive_anc n WHERE n.start = a.id) x
                     JOIN (SELECT b.id UNION ALL SELECT n.id FROM naive_anc n WHERE n.start = b.id) y ON y.id = x.id
                    ORDER BY x.dist LIMIT 1)),
          0::bigint, 'common_ancestor agrees with the naive walk on many pairs');

SELECT * FROM finish();
ROLLBACK;
