-- registry.satisfies and registry.max_satisfying: node-semver's range
-- grammar and meaning.  Every expected answer below was checked against
-- node-semver 7 (test/harness/semver_node.sh compares thousands more).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
SET search_path = registry, public;

BEGIN;
-- the DETAIL of the error a statement raises
CREATE FUNCTION pg_temp.err_detail(stmt text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	d text;
BEGIN
	EXECUTE stmt;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN d;
END $f$;
SELECT plan(183 + 16);

-- (range, version, satisfies?) from node-semver's own include/exclude fixtures
SELECT is(registry.satisfies(v::registry.semver, r), expect,
          format('%s satisfies %L: %s', v, r, expect))
  FROM (VALUES
    ('1.0.0 - 2.0.0', '1.2.3', true),
    ('^1.2.3+build', '1.2.3', true),
    ('^1.2.3+build', '1.3.0', true),
    ('1.2.3-pre+asdf - 2.4.3-pre+asdf', '1.2.3', true),
    ('1.2.3-pre+asdf - 2.4.3-pre+asdf', '1.2.3-pre.2', true),
    ('1.2.3-pre+asdf - 2.4.3-pre+asdf', '2.4.3-alpha', true),
    ('1.2.3+asdf - 2.4.3+asdf', '1.2.3', true),
    ('1.0.0', '1.0.0', true),
    ('>=*', '0.2.4', true),
    ('', '1.0.0', true),
    ('*', '1.2.3', true),
    ('>=1.0.0', '1.0.0', true),
    ('>=1.0.0', '1.0.1', true),
    ('>1.0.0', '1.1.0', true),
    ('<=2.0.0', '2.0.0', true),
    ('<=2.0.0', '0.2.9', true),
    ('<2.0.0', '1.9999.9999', true),
    ('>= 1.0.0', '1.0.0', true),
    ('>=  1.0.0', '1.0.1', true),
    ('> 1.0.0', '1.0.1', true),
    ('<=   2.0.0', '2.0.0', true),
    ('<    2.0.0', '0.2.9', true),
    ('0.1.20 || 1.2.4', '1.2.4', true),
    ('>=0.2.3 || <0.0.1', '0.0.0', true),
    ('>=0.2.3 || <0.0.1', '0.2.3', true),
    ('||', '1.3.4', true),
    ('2.x.x', '2.1.3', true),
    ('1.2.x', '1.2.3', true),
    ('1.2.x || 2.x', '2.1.3', true),
    ('x', '1.2.3', true),
    ('2.*.*', '2.1.3', true),
    ('2', '2.1.2', true),
    ('2.3', '2.3.1', true),
    ('~0.0.1', '0.0.1', true),
    ('~x', '0.0.9', true),
    ('~2', '2.0.9', true),
    ('~2.4', '2.4.0', true),
    ('~>3.2.1', '3.2.2', true),
    ('~1', '1.2.3', true),
    ('~>1', '1.2.3', true),
    ('~> 1', '1.2.3', true),
    ('~1.0', '1.0.2', true),
    ('~ 1.0', '1.0.2', true),
    ('~ 1.0.3', '1.0.12', true),
    ('>=1', '1.0.0', true),
    ('>= 1', '1.0.0', true),
    ('<1.2', '1.1.1', true),
    ('< 1.2', '1.1.1', true),
    ('~v0.5.4-pre', '0.5.5', true),
    ('~v0.5.4-pre', '0.5.4', true),
    ('=0.7.x', '0.7.2', true),
    ('<=0.7.x', '0.7.2', true),
    ('>=0.7.x', '0.7.2', true),
    ('<=0.7.x', '0.6.2', true),
    ('~1.2.1 >=1.2.3', '1.2.3', true),
    ('~1.2.1 =1.2.3', '1.2.3', true),
    ('~1.2.1 1.2.3', '1.2.3', true),
    ('>=1.2.1 1.2.3', '1.2.3', true),
    ('1.2.3 >=1.2.1', '1.2.3', true),
    ('>=1.2.3 >=1.2.1', '1.2.3', true),
    ('>=1.2.1 >=1.2.3', '1.2.3', true),
    ('>=1.2', '1.2.8', true),
    ('^1.2.3', '1.8.1', true),
    ('^0.1.2', '0.1.2', true),
    ('^0.1', '0.1.2', true),
    ('^0.0.1', '0.0.1', true),
    ('^1.2', '1.4.2', true),
    ('^1.2 ^1', '1.4.2', true),
    ('^1.2.3-alpha', '1.2.3-pre', true),
    ('^1.2.0-alpha', '1.2.0-pre', true),
    ('^0.0.1-alpha', '0.0.1-beta', true),
    ('^0.0.1-alpha', '0.0.1', true),
    ('^0.1.1-alpha', '0.1.1-beta', true),
    ('^x', '1.2.3', true),
    ('x - 1.0.0', '0.9.7', true),
    ('x - 1.x', '0.9.7', true),
    ('1.0.0 - x', '1.9.7', true),
    ('1.x - x', '1.9.7', true),
    ('<=7.x', '7.9.9', true),
    ('>=1.0.0 <1.1.0-pre', '1.1.0-alpha', true),
    ('>=1.0.0 <1.1.0-pre', '1.0.5', true),
    ('1.0.0 - 2.0.0', '2.2.3', false),
    ('1.2.3+asdf - 2.4.3+asdf', '1.2.3-pre.2', false),
    ('1.2.3+asdf - 2.4.3+asdf', '2.4.3-alpha', false),
    ('^1.2.3+build', '2.0.0', false),
    ('^1.2.3+build', '1.2.0', false),
    ('^1.2.3', '1.2.3-pre', false),
    ('^1.2', '1.2.0-pre', false),
    ('>1.2', '1.3.0-beta', false),
    ('<=1.2.3', '1.2.3-beta', false),
    ('^1.2.3', '1.2.3-beta', false),
    ('=0.7.x', '0.7.0-asdf', false),
    ('>=0.7.x', '0.7.0-asdf', false),
    ('<=0.7.x', '0.7.0-asdf', false),
    ('1.0.0', '1.0.1', false),
    ('>=1.0.0', '0.0.0', false),
    ('>=1.0.0', '0.0.1', false),
    ('>=1.0.0', '0.1.0', false),
    ('>1.0.0', '0.0.1', false),
    ('>1.0.0', '0.1.0', false),
    ('<=2.0.0', '3.0.0', false),
    ('<=2.0.0', '2.9999.9999', false),
    ('<=2.0.0', '2.2.9', false),
    ('<2.0.0', '2.9999.9999', false),
    ('<2.0.0', '2.2.9', false),
    ('>=0.1.97', '0.1.93', false),
    ('0.1.20 || 1.2.4', '1.2.3', false),
    ('>=0.2.3 || <0.0.1', '0.0.3', false),
    ('>=0.2.3 || <0.0.1', '0.2.2', false),
    ('2.x.x', '1.1.3', false),
    ('2.x.x', '3.1.3', false),
    ('1.2.x', '1.3.3', false),
    ('1.2.x || 2.x', '3.1.3', false),
    ('1.2.x || 2.x', '1.1.3', false),
    ('2.*.*', '1.1.3', false),
    ('2.*.*', '3.1.3', false),
    ('1.2.*', '1.3.3', false),
    ('1.2.* || 2.*', '3.1.3', false),
    ('1.2.* || 2.*', '1.1.3', false),
    ('2', '1.1.2', false),
    ('2.3', '2.4.1', false),
    ('~0.0.1', '0.1.0-alpha', false),
    ('~0.0.1', '0.1.0', false),
    ('~2.4', '2.5.0', false),
    ('~2.4', '2.3.9', false),
    ('~>3.2.1', '3.3.2', false),
    ('~>3.2.1', '3.2.0', false),
    ('~1', '0.2.3', false),
    ('~>1', '2.2.3', false),
    ('~1.0', '1.1.0', false),
    ('<1', '1.0.0', false),
    ('>=1.2', '1.1.1', false),
    ('~v0.5.4-beta', '0.5.4-alpha', false),
    ('=0.7.x', '0.8.2', false),
    ('>=0.7.x', '0.6.2', false),
    ('<0.7.x', '0.7.2', false),
    ('<1.2.3', '1.2.3-beta', false),
    ('=1.2.3', '1.2.3-beta', false),
    ('>1.2', '1.2.8', false),
    ('^0.0.1', '0.0.2-alpha', false),
    ('^0.0.1', '0.0.2', false),
    ('^1.2.3', '2.0.0-alpha', false),
    ('^1.2.3', '1.2.2', false),
    ('^1.2', '1.1.9', false),
    ('^1.0.0', '2.0.0-rc1', false),
    ('1 - 2', '2.0.0-pre', false),
    ('1 - 2', '1.0.0-pre', false),
    ('1.0 - 2', '1.0.0-pre', false),
    ('1.1.x', '1.0.0-a', false),
    ('1.1.x', '1.1.0-a', false),
    ('1.1.x', '1.2.0-a', false),
    ('1.x', '1.0.0-a', false),
    ('1.x', '1.1.0-a', false),
    ('1.x', '1.2.0-a', false),
    ('>=1.0.0 <1.1.0', '1.1.0', false),
    ('>=1.0.0 <1.1.0', '1.1.0-pre', false),
    ('>=1.0.0 <1.1.0-pre', '1.1.0-pre', false),
    ('<2 || >4', '3.0.0', false),
    ('* || 1.2.3-beta', '1.2.3-beta', false),
    ('1.2.3-beta || *', '1.2.3-beta', false),
    ('>=1.2.3-beta <2', '1.2.3-beta.2', true),
    ('>=1.2.3-beta <2', '1.2.4-beta.2', false),
    ('>1.2.3-beta.1', '1.2.3', true),
    ('>x', '1.0.0', false),
    ('<x', '0.0.0', false),
    ('<=x', '1.0.0', true),
    ('>=0.0.0', '0.0.0', true),
    ('>=0.0.0', '1.0.0-0', false),
    ('<0.0.0-0', '0.0.0-0', false)
  ) AS t(r, v, expect);

-- malformed ranges are 22P02
SELECT throws_ok(format('SELECT registry.satisfies(%L, %L)', '1.0.0', r), '22P02', NULL,
                 format('range %L is rejected with 22P02', r))
  FROM unnest(ARRAY['>>1', '1.2.3.4', 'blerg', '1.2.3 -2', '~', '^', '1.x.3', 'x.1', '>=1.2.3-01', '1 | 2', '1.2.3 - 2.3.4 5', '01.2.3', '1.2-beta', '>=']) AS r;

SELECT throws_ok($$SELECT registry.satisfies('1.0.0', '>=1.2.3-01')$$, '22P02',
                 'invalid semver range: ">=1.2.3-01"', 'the error names the range');
SELECT is(pg_temp.err_detail($$SELECT registry.satisfies('1.0.0', '1.2.3 || 1.x.3')$$),
          'At character 10: a number cannot follow an x in a version range.',
          'the detail gives the position and the reason');

-- a range parsed once serves every row (fn_extra cache), and changing ranges per row works
SELECT is((SELECT count(*) FROM generate_series(0, 99) g
            WHERE registry.satisfies(('1.' || g || '.0')::registry.semver, '^1.10.0 <1.20')),
          10::bigint, 'one range over many rows');
SELECT is((SELECT array_agg(registry.satisfies('1.5.0', r) ORDER BY o)
             FROM (VALUES (1, '^1'), (2, '~1.4'), (3, '1.5.x'), (4, '>1.5.0')) AS t(o, r)),
          ARRAY[true, false, true, false], 'a different range on every row');

-- max_satisfying
SELECT is(registry.max_satisfying('{1.2.3,1.2.4,1.3.0,2.0.0}'::registry.semver[], '~1.2'),
          '1.2.4'::registry.semver, 'max_satisfying picks the highest match');
SELECT is(registry.max_satisfying('{1.2.3,1.2.4-beta,1.2.4}'::registry.semver[], '^1.2.3-alpha')::text,
          '1.2.4', 'max_satisfying skips prereleases the range does not allow');
SELECT is(registry.max_satisfying('{1.2.3-beta.1,1.2.3-beta.2,1.2.2}'::registry.semver[], '>=1.2.3-beta <1.3')::text,
          '1.2.3-beta.2', 'max_satisfying with an allowed prerelease');
SELECT ok(registry.max_satisfying('{1.2.3,1.2.4}'::registry.semver[], '^2') IS NULL,
          'max_satisfying is NULL when nothing matches');
SELECT is(registry.max_satisfying(ARRAY['1.0.0', NULL, '1.1.0+b']::registry.semver[], '*')::text,
          '1.1.0+b', 'max_satisfying skips NULL elements and keeps build metadata');
SELECT ok(registry.max_satisfying('{}'::registry.semver[], '*') IS NULL,
          'max_satisfying of an empty array is NULL');
SELECT throws_ok($$SELECT registry.max_satisfying('{1.0.0}'::registry.semver[], '>>1')$$, '22P02', NULL,
                 'max_satisfying rejects a malformed range');

-- NULLs and volatility
SELECT ok(registry.satisfies(NULL, '*') IS NULL AND registry.satisfies('1.0.0', NULL) IS NULL,
          'satisfies is strict');
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proisstrict::text || proparallel::text)
             FROM pg_catalog.pg_proc
            WHERE proname IN ('satisfies', 'max_satisfying')
              AND pronamespace = 'registry'::regnamespace),
          ARRAY['itrues'], 'range functions are IMMUTABLE STRICT PARALLEL SAFE');

-- a huge range (many comparator sets) parses and answers
SELECT ok(registry.satisfies('999.0.0', (SELECT string_agg(g || '.x', ' || ') FROM generate_series(0, 999) g)),
          'a range of 1000 comparator sets');
SELECT ok(registry.satisfies('9223372036854775807.0.0', '^9223372036854775807'),
          'a caret on the largest major version matches it (no overflow)');
SELECT ok(NOT registry.satisfies('9223372036854775807.5.0', '>9223372036854775807'),
          'above the largest major version nothing matches (no overflow)');

SELECT * FROM finish();
ROLLBACK;
