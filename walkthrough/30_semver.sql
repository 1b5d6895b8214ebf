-- registry walkthrough, part 30: the semantic-version type registry.semver.
\pset pager off
SET search_path = registry, public;

\echo
\echo '== Input and output: SemVer 2.0.0 syntax, build metadata kept'
SELECT '1.2.3'::semver AS release, '1.2.3-rc.1'::semver AS prerelease,
       '1.2.3-rc.1+build.5'::semver AS with_build;

\echo
\echo '== Strict input: bad syntax is 22P02 with the position (each statement fails on purpose)'
\set ON_ERROR_STOP 0
SELECT '1.02.3'::semver;
SELECT '1.2'::semver;
SELECT '1.0.0-alpha..1'::semver;
SELECT '99999999999999999999.0.0'::semver;
\set ON_ERROR_STOP 1

\echo
\echo '== The lenient constructor to_semver(text)'
SELECT t AS input, to_semver(t) AS version
  FROM unnest(ARRAY['v1.2', '1', '1.0beta1', '  =2.0.0-rc.1  ', '01.002.0003']) AS t;

\echo
\echo '== Precedence (SemVer 2.0.0 section 11)'
SELECT v, rank() OVER (ORDER BY v)
  FROM unnest('{1.0.0,2.0.0,1.0.0-rc.1,1.0.0-beta.11,1.0.0-beta.2,1.0.0-alpha.beta,1.0.0-alpha.1,1.0.0-alpha,1.0.0-beta}'::semver[]) AS v
 ORDER BY v;
SELECT semver_cmp('1.0.0-beta.2', '1.0.0-beta.11') AS numeric_ids,
       semver_cmp('1.0.0-1', '1.0.0-a') AS numeric_below_alpha,
       version_cmp('1.10.0', '1.9.0') AS version_cmp_on_text;

\echo
\echo '== Build metadata: ignored by =, by hashing, and by ORDER BY; semver_cmp_build orders by it too'
SELECT '1.0.0+a'::semver = '1.0.0+b'::semver AS equal,
       semver_hash('1.0.0+a') = semver_hash('1.0.0+b') AS same_hash,
       semver_cmp_build('1.0.0+a', '1.0.0+b') AS cmp_build;
SELECT v, count(*) FROM unnest('{1.0.0+a,1.0.0+b,1.0.0,2.0.0+x}'::semver[]) AS v GROUP BY v ORDER BY v;

\echo
\echo '== Accessors'
SELECT semver_major(v), semver_minor(v), semver_patch(v), semver_prerelease(v), semver_build(v)
  FROM (SELECT '3.14.15-rc.9+sha.2653'::semver AS v) s;

\echo
\echo '== Bumps (node-semver inc rules)'
SELECT v, semver_bump(v, 'major') AS major, semver_bump(v, 'minor') AS minor,
       semver_bump(v, 'patch') AS patch, semver_bump(v, 'prerelease') AS prerelease
  FROM unnest('{1.2.3,1.0.0-rc.1,1.2.0-beta}'::semver[]) AS v;

\echo
\echo '== Ranges in node-semver grammar: ^ ~ x-ranges, hyphen ranges, sets, ||'
SELECT r AS range,
       satisfies('1.2.3', r) AS "1.2.3",
       satisfies('1.3.0-beta', r) AS "1.3.0-beta",
       satisfies('2.0.0', r) AS "2.0.0"
  FROM unnest(ARRAY['^1.2', '~1.2.3', '1.x', '>=1 <2', '1.0.0 - 2.0.0', '>=1.3.0-alpha <1.4', '^2 || ~1.2', '*']) AS r;
SELECT max_satisfying('{1.2.3,1.2.9,1.3.0,2.0.0}'::semver[], '~1.2') AS best_for_tilde,
       max_satisfying('{1.2.3,1.2.9,1.3.0,2.0.0}'::semver[], '^3') AS none;
\set ON_ERROR_STOP 0
SELECT satisfies('1.0.0', '>>1');
\set ON_ERROR_STOP 1

\echo
\echo '== A table of versions: btree index, min/max, hash join'
CREATE TEMP TABLE releases (pkg text, v semver);
INSERT INTO releases VALUES ('core', '1.0.0'), ('core', '1.1.0-rc.1'), ('core', '1.1.0'),
                            ('core', '1.10.0'), ('core', '1.2.0'), ('cli', '0.9.0'), ('cli', '1.0.0+linux');
CREATE INDEX ON releases (v);
SELECT pkg, min(v), max(v) FROM releases GROUP BY pkg ORDER BY pkg;
SELECT a.pkg, b.pkg AS same_version_in, a.v FROM releases a JOIN releases b ON a.v = b.v AND a.pkg < b.pkg;
SELECT v FROM releases WHERE v >= '1.1.0-0' AND v < '2.0.0' ORDER BY v;
