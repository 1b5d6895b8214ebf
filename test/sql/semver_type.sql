-- registry.semver: input and output, SemVer 2.0.0 precedence, the
-- hash/equality contract, index scans and sorts against semver_cmp,
-- accessors, bumps, the lenient constructor, casts and binary I/O.
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
CREATE FUNCTION pg_temp.explain_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q;
END $f$;
SELECT plan(219);

-- ---------------------------------------------------------------- input/output
-- every valid example of semver.org's regular-expression test list prints back unchanged
SELECT is(v::registry.semver::text, v, format('valid: %s', v))
  FROM unnest(ARRAY[
    '0.0.4', '1.2.3', '10.20.30', '1.1.2-prerelease+meta', '1.1.2+meta', '1.1.2+meta-valid',
    '1.0.0-alpha', '1.0.0-beta', '1.0.0-alpha.beta', '1.0.0-alpha.beta.1', '1.0.0-alpha.1',
    '1.0.0-alpha0.valid', '1.0.0-alpha.0valid',
    '1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay', '1.0.0-rc.1+build.1',
    '2.0.0-rc.1+build.123', '1.2.3-beta', '10.2.3-DEV-SNAPSHOT', '1.2.3-SNAPSHOT-123', '1.0.0',
    '2.0.0', '1.1.7', '2.0.0+build.1848', '2.0.1-alpha.1227', '1.0.0-alpha+beta',
    '1.2.3----RC-SNAPSHOT.12.9.1--.12+788', '1.2.3----R-S.12.9.1--.12+meta',
    '1.2.3----RC-SNAPSHOT.12.9.1--.12', '1.0.0+0.build.1-rc.10000aaa-kk-0.1', '1.0.0-0A.is.legal',
    '9223372036854775807.9223372036854775807.9223372036854775807',
    '1.0.0-123456789012345678901234567890.99999999999999999999'
  ]) AS v;

-- every invalid example of that list is 22P02
SELECT throws_ok(format('SELECT %L::registry.semver', v), '22P02',
                 format('invalid input syntax for type semver: "%s"', v), format('invalid: %s', v))
  FROM unnest(ARRAY[
    '1', '1.2', '1.2.3-0123', '1.2.3-0123.0123', '1.1.2+.123', '+invalid', '-invalid',
    '-invalid+invalid', '-invalid.01', 'alpha', 'alpha.beta', 'alpha.beta.1', 'alpha.1',
    'alpha+beta', 'alpha_beta', 'alpha.', 'alpha..', 'beta', '1.0.0-alpha_beta', '-alpha.',
    '1.0.0-alpha..', '1.0.0-alpha..1', '1.0.0-alpha...1', '1.0.0-alpha....1',
    '1.0.0-alpha.....1', '1.0.0-alpha......1', '1.0.0-alpha.......1', '01.1.1', '1.01.1',
    '1.1.01', '1.2.3.DEV', '1.2-SNAPSHOT', '1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788',
    '1.2-RC-SNAPSHOT', '-1.0.3-gamma+b7718', '+justmeta', '9.8.7+meta+meta',
    '9.8.7-whatever+meta+meta',
    '99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12',
    -- and a few more of our own
    '', ' 1.2.3', '1.2.3 ', 'v1.2.3', '1.2.3-', '1.2.3+', '1.2.3-a.01', '1.2.3-é',
    '9223372036854775808.0.0', '99999999999999999999999.999999999999999999.99999999999999999'
  ]) AS v;

SELECT is(pg_temp.err_detail($$SELECT '1.2.03'::registry.semver$$),
          'At character 5: leading zero in a numeric part.', 'the detail gives the position of a leading zero');
SELECT is(pg_temp.err_detail($$SELECT '1.0.0-alpha..1'::registry.semver$$),
          'At character 13: empty identifier.', 'the detail gives the position of an empty identifier');
SELECT is(pg_temp.err_detail($$SELECT '1.0.0-alpha_beta'::registry.semver$$),
          'At character 12: invalid character in an identifier.', 'the detail gives the position of a bad character');
SELECT is(pg_temp.err_detail($$SELECT '9223372036854775808.0.0'::registry.semver$$),
          'At character 1: numeric part exceeds the bigint range.', 'numbers beyond bigint are refused with their position');
SELECT is(pg_temp.err_detail($$SELECT '1.2'::registry.semver$$),
          'At character 4: unexpected end of input, expected "." and a patch version.',
          'a missing patch version is explained');

-- soft input errors where the server has them (16+: pg_input_is_valid), hard 22P02 before
CREATE FUNCTION pg_temp.soft_errors_work() RETURNS boolean LANGUAGE plpgsql AS $f$
DECLARE
	r boolean;
BEGIN
	IF current_setting('server_version_num')::int >= 160000 THEN
		EXECUTE $q$SELECT NOT pg_input_is_valid('1.2', 'registry.semver')
		               AND pg_input_is_valid('1.2.3-rc.1', 'registry.semver')
		               AND (SELECT message = 'invalid input syntax for type semver: "1.02.3"'
		                      FROM pg_input_error_info('1.02.3', 'registry.semver'))$q$ INTO r;
		RETURN r;
	END IF;
	BEGIN
		PERFORM '1.2'::registry.semver;
	EXCEPTION WHEN invalid_text_representation THEN
		RETURN true;
	END;
	RETURN false;
END $f$;
SELECT ok(pg_temp.soft_errors_work(), 'bad input is a soft error on 16+ (pg_input_is_valid) and 22P02 before');

-- ---------------------------------------------------------------- precedence (SemVer 2.0.0 section 11)
SELECT ok(a::registry.semver < b::registry.semver AND registry.semver_cmp(a::registry.semver, b::registry.semver) = -1
          AND registry.semver_cmp(b::registry.semver, a::registry.semver) = 1 AND b::registry.semver > a::registry.semver
          AND a::registry.semver <> b::registry.semver AND registry.version_cmp(a, b) = -1,
          format('%s < %s', a, b))
  FROM (VALUES
    ('1.0.0', '2.0.0'), ('2.0.0', '2.1.0'), ('2.1.0', '2.1.1'),
    ('1.0.0-alpha', '1.0.0'),
    ('1.0.0-alpha', '1.0.0-alpha.1'), ('1.0.0-alpha.1', '1.0.0-alpha.beta'),
    ('1.0.0-alpha.beta', '1.0.0-beta'), ('1.0.0-beta', '1.0.0-beta.2'),
    ('1.0.0-beta.2', '1.0.0-beta.11'), ('1.0.0-beta.11', '1.0.0-rc.1'), ('1.0.0-rc.1', '1.0.0'),
    -- numeric identifiers numerically, even beyond 64 bits; numeric below alphanumeric
    ('1.0.0-2', '1.0.0-10'), ('1.0.0-18446744073709551615', '1.0.0-18446744073709551616'),
    ('1.0.0-99999999999999999999', '1.0.0-100000000000000000000'), ('1.0.0-999', '1.0.0-0a'),
    ('1.0.0-9999999999999999999999', '1.0.0--'),
    -- alphanumeric identifiers in ASCII order
    ('1.0.0-A', '1.0.0-a'), ('1.0.0--', '1.0.0-0a'), ('1.0.0-Z', '1.0.0-a'), ('1.0.0-a', '1.0.0-aa'),
    ('1.0.0-rc.1', '1.0.0-rc.1.0'),
    ('9.9.9', '10.0.0'), ('0.0.247', '0.0.248'), ('0.0.255', '0.0.256'), ('1.2.65535', '1.2.65536'),
    ('9223372036854775806.0.0', '9223372036854775807.0.0')
  ) AS t(a, b);

SELECT is(array_agg(v ORDER BY v)::text[],
          ARRAY['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2',
                '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1'],
          'ORDER BY gives the precedence chain of section 11')
  FROM unnest('{2.1.1,1.0.0-beta.11,1.0.0,1.0.0-alpha.beta,2.0.0,1.0.0-rc.1,1.0.0-alpha,2.1.0,1.0.0-beta.2,1.0.0-beta,1.0.0-alpha.1}'::registry.semver[]) AS v;

-- build metadata is ignored by precedence, equality and hashing
SELECT ok('1.0.0+a'::registry.semver = '1.0.0+b'::registry.semver, '1.0.0+a = 1.0.0+b');
SELECT ok(NOT ('1.0.0+a'::registry.semver <> '1.0.0+b'::registry.semver), 'not 1.0.0+a <> 1.0.0+b');
SELECT is(registry.semver_cmp('1.0.0-rc.1+x', '1.0.0-rc.1'), 0, 'cmp ignores build metadata');
SELECT is(registry.semver_hash('1.0.0+a'), registry.semver_hash('1.0.0+b'), 'equal versions hash alike');
SELECT is(registry.semver_hash_extended('1.0.0-rc.1+a', 42), registry.semver_hash_extended('1.0.0-rc.1+zz.9', 42),
          'equal versions hash alike with a seed');
SELECT isnt(registry.semver_hash_extended('1.0.0', 0), registry.semver_hash_extended('1.0.0', 1),
            'the seed changes the extended hash');
SELECT isnt(registry.semver_hash('1.0.0'), registry.semver_hash('1.0.1'), 'different versions hash apart');
SELECT is(registry.semver_hash(v::registry.semver), registry.semver_hash(split_part(v, '+', 1)::registry.semver),
          format('hash(%s) ignores the build', v))
  FROM unnest(ARRAY['0.0.0+0', '1.2.3-alpha.1+exp.sha.5114f85', '9223372036854775807.0.0+x']) AS v;

-- semver_cmp_build: a total order
SELECT is(registry.semver_cmp_build(a::registry.semver, b::registry.semver), c, format('semver_cmp_build(%s, %s) = %s', a, b, c))
  FROM (VALUES ('1.0.0', '1.0.0+a', -1), ('1.0.0+a', '1.0.0+b', -1), ('1.0.0+2', '1.0.0+10', -1),
               ('1.0.0+10', '1.0.0+a', -1), ('1.0.0+a', '1.0.0+a.1', -1), ('1.0.0+001', '1.0.0+1', -1),
               ('1.0.0+a', '1.0.0+a', 0), ('1.0.0+zzz', '1.0.1', -1), ('1.0.1', '1.0.0+zzz', 1)) AS t(a, b, c);

-- the hash/equality contract where the executor relies on it
CREATE TEMP TABLE hv (v registry.semver);
INSERT INTO hv SELECT (g % 7) || '.' || (g % 3) || '.0' || CASE WHEN g % 5 = 0 THEN '-rc.' || (g % 4) ELSE '' END
                      || '+build.' || g
  FROM generate_series(1, 2000) g;
SET LOCAL enable_sort = off;
SELECT is((SELECT count(*) FROM (SELECT v FROM hv GROUP BY v) s),
          (SELECT count(DISTINCT split_part(v::text, '+', 1)) FROM hv),
          'hash aggregate groups by precedence, not by build');
SET LOCAL enable_sort = on;
SET LOCAL enable_hashagg = off;
SELECT is((SELECT count(*) FROM (SELECT v FROM hv GROUP BY v) s),
          (SELECT count(DISTINCT split_part(v::text, '+', 1)) FROM hv), 'sort aggregate agrees');
RESET enable_hashagg;
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_nestloop = off;
SELECT is((SELECT count(*) FROM hv a JOIN hv b ON a.v = b.v),
          (SELECT sum(n * n)::bigint FROM (SELECT count(*) AS n FROM hv GROUP BY v) s),
          'hash join matches across build metadata');
RESET enable_mergejoin;
RESET enable_nestloop;
CREATE INDEX hv_hash ON hv USING hash (v);
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT count(*) FROM hv WHERE v = '3.0.0+anything'), (SELECT count(*) FROM hv WHERE registry.semver_cmp(v, '3.0.0') = 0),
          'a hash index finds every build of a version');
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT is(hashed, (SELECT count(DISTINCT registry.semver_hash(v)) FROM hv), 'one hash per equal group')
  FROM (SELECT count(DISTINCT v) AS hashed FROM hv) s;

-- ---------------------------------------------------------------- sorts and indexes agree with semver_cmp
-- random versions built to stress the abbreviated key: shared 8-byte prefixes, long
-- prereleases, numbers on both sides of the 1-byte/2-byte boundary, duplicates, builds
SELECT setseed(0.5);
CREATE TEMP TABLE sv AS
SELECT (ma || '.' || mi || '.' || pa || pre || bld)::registry.semver AS v
  FROM (SELECT (ARRAY[0, 1, 2, 247, 248, 255, 256, 65535, 65536, 4294967296, 9223372036854775807])[1 + floor(random() * 11)::int] AS ma,
               floor(random() * 300)::int AS mi,
               floor(random() * 300)::int AS pa,
               CASE WHEN random() < 0.4 THEN '-' || (ARRAY['0', '1', '10', '247', '248', '99999999999999999999', 'a', 'alpha',
                                                            'alpha.1', 'alpha.10', 'alpha.beta', 'alphabetagamma.1',
                                                            'alphabetagamma.2', 'rc.1.2.3', '-', 'A-1', 'x.y.z.1'])[1 + floor(random() * 17)::int]
                    ELSE '' END AS pre,
               CASE WHEN random() < 0.2 THEN '+b' || floor(random() * 5)::int ELSE '' END AS bld
          FROM generate_series(1, 30000)) g;
SET LOCAL work_mem = '64MB';
SELECT is((SELECT count(*) FROM (SELECT v, lag(v) OVER (ORDER BY v) AS p FROM sv) s
            WHERE registry.semver_cmp(p, v) > 0), 0::bigint,
          'an in-memory sort (abbreviated keys) never disagrees with semver_cmp');
SET LOCAL work_mem = '64kB';
SELECT is((SELECT count(*) FROM (SELECT v, lag(v) OVER (ORDER BY v) AS p FROM sv) s
            WHERE registry.semver_cmp(p, v) > 0), 0::bigint,
          'an external sort never disagrees with semver_cmp');
RESET work_mem;
SELECT is((SELECT count(*) FROM (SELECT v, lag(v) OVER (ORDER BY v DESC) AS p FROM sv) s
            WHERE registry.semver_cmp(p, v) < 0), 0::bigint, 'a descending sort agrees');
-- sorted order agrees with pairwise comparison of all pairs of a sample
SELECT is((SELECT count(*) FROM
             (SELECT v, row_number() OVER (ORDER BY v) AS r FROM (SELECT DISTINCT v FROM sv LIMIT 600) d) a,
             (SELECT v, row_number() OVER (ORDER BY v) AS r FROM (SELECT DISTINCT v FROM sv LIMIT 600) d) b
            WHERE sign(a.r - b.r) <> registry.semver_cmp(a.v, b.v)), 0::bigint,
          'rank order equals semver_cmp on every pair of 600 distinct versions');
CREATE INDEX sv_btree ON sv (v);
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok((SELECT count(*) FROM (SELECT v, lag(v) OVER (ORDER BY v) AS p FROM sv) s
            WHERE registry.semver_cmp(p, v) > 0) = 0
          AND (SELECT 'Index Only Scan' = ANY (SELECT split_part(trim(l), ' using', 1)
                                              FROM pg_temp.explain_lines('SELECT v FROM pg_temp.sv ORDER BY v') l)),
          'an index scan returns semver_cmp order');
SELECT is((SELECT array_agg(v ORDER BY v) FROM sv), (SELECT array_agg(v) FROM (SELECT v FROM sv ORDER BY v) s),
          'index order equals sort order');
SELECT is((SELECT count(*) FROM sv WHERE v >= '256.0.0' AND v < '65535.0.0-0'),
          (SELECT count(*) FROM sv WHERE registry.semver_cmp(v, '256.0.0') >= 0 AND registry.semver_cmp(v, '65535.0.0-0') < 0),
          'an index range scan equals the comparison function');
SELECT is((SELECT min(v) FROM sv)::text, (SELECT v FROM sv ORDER BY v LIMIT 1)::text, 'min uses the order');
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT is((SELECT max(v) FROM sv), (SELECT v FROM sv ORDER BY v DESC LIMIT 1), 'max aggregate');
SELECT is(registry.min(v), '1.0.0-alpha'::registry.semver, 'min aggregate')
  FROM unnest('{1.0.0,1.0.0-alpha,2.0.0}'::registry.semver[]) v;
SELECT is((SELECT count(*) FROM sv WHERE v = '0.0.0'::registry.semver) >= 0, true, 'the btree opclass answers =');
SELECT ok(EXISTS (SELECT 1 FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
                   WHERE c.opcname = 'semver_ops' AND a.amname = 'btree' AND c.opcdefault)
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
                   WHERE c.opcname = 'semver_hash_ops' AND a.amname = 'hash' AND c.opcdefault),
          'default btree and hash operator classes');
SELECT is((SELECT count(*) FROM pg_catalog.pg_operator
            WHERE oprleft = 'registry.semver'::regtype AND oprright = 'registry.semver'::regtype
              AND oprcom <> 0 AND oprnegate <> 0 AND oprrest <> 0 AND oprjoin <> 0), 6::bigint,
          'six operators with commutator, negator, restrict and join estimators');
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proisstrict::text || proparallel::text)
             FROM pg_catalog.pg_proc p
            WHERE pronamespace = 'registry'::regnamespace
              AND (proname LIKE 'semver%' OR proname IN ('to_semver', 'version_cmp'))),
          ARRAY['itrues'], 'every semver function is IMMUTABLE STRICT PARALLEL SAFE');

-- ---------------------------------------------------------------- accessors
SELECT is(ARRAY[registry.semver_major(v), registry.semver_minor(v), registry.semver_patch(v)], ARRAY[ma, mi, pa],
          format('numbers of %s', v))
  FROM (VALUES ('1.2.3-rc.1+b'::registry.semver, 1::bigint, 2::bigint, 3::bigint),
               ('9223372036854775807.0.65536', 9223372036854775807, 0, 65536)) AS t(v, ma, mi, pa);
SELECT is(registry.semver_prerelease('1.2.3-rc.1.x-y+b.7'), 'rc.1.x-y', 'prerelease');
SELECT is(registry.semver_build('1.2.3-rc.1.x-y+b.7'), 'b.7', 'build');
SELECT ok(registry.semver_prerelease('1.2.3+b') IS NULL AND registry.semver_build('1.2.3-x') IS NULL,
          'absent prerelease and build are NULL');
SELECT is(registry.semver_prerelease('1.0.0-123456789012345678901234567890'), '123456789012345678901234567890',
          'a numeric identifier beyond 64 bits survives');
SELECT ok(registry.semver_major(NULL) IS NULL, 'accessors are strict');

-- ---------------------------------------------------------------- bumps (node-semver's inc)
SELECT is(registry.semver_bump(v::registry.semver, part)::text, want, format('bump %s %s -> %s', part, v, want))
  FROM (VALUES ('1.2.3', 'major', '2.0.0'), ('1.2.3', 'minor', '1.3.0'), ('1.2.3', 'patch', '1.2.4'),
               ('1.2.3', 'prerelease', '1.2.4-0'), ('1.2.3+b.1', 'patch', '1.2.4'),
               ('1.0.0-rc.1', 'major', '1.0.0'), ('1.1.0-rc.1', 'major', '2.0.0'),
               ('1.2.0-5', 'minor', '1.2.0'), ('1.2.1-5', 'minor', '1.3.0'),
               ('1.2.0-5', 'patch', '1.2.0'), ('1.2.4-0', 'prerelease', '1.2.4-1'),
               ('1.0.0-rc.1', 'prerelease', '1.0.0-rc.2'), ('1.0.0-beta', 'prerelease', '1.0.0-beta.0'),
               ('1.0.0-alpha.9.beta', 'prerelease', '1.0.0-alpha.10.beta'),
               ('1.0.0-9999999999999999999', 'prerelease', '1.0.0-10000000000000000000'),
               ('1.0.0-x.99999999999999999999', 'prerelease', '1.0.0-x.100000000000000000000'),
               ('9223372036854775807.0.0-rc', 'major', '9223372036854775807.0.0')) AS t(v, part, want);
SELECT throws_ok($$SELECT registry.semver_bump('9223372036854775807.0.0', 'major')$$, '22003',
                 'version part out of range', 'bumping past bigint is 22003');
SELECT throws_ok($$SELECT registry.semver_bump('1.0.0', 'build')$$, '22023',
                 'unknown version part "build"', 'an unknown part is 22023');

-- ---------------------------------------------------------------- lenient constructor
SELECT is(registry.to_semver(t)::text, want, format('to_semver(%L) = %s', t, want))
  FROM (VALUES ('v1.2', '1.2.0'), ('1', '1.0.0'), ('1.0beta1', '1.0.0-beta1'), ('  1.2.3  ', '1.2.3'),
               ('=1.2.3', '1.2.3'), ('V2', '2.0.0'), ('01.002.0003', '1.2.3'), ('1.2.3-01', '1.2.3-1'),
               ('1.2.3rc.1+b', '1.2.3-rc.1+b'), ('1.2-alpha', '1.2.0-alpha')) AS t(t, want);
SELECT is(registry.to_semver(E'\t1.2.3\n')::text, '1.2.3', 'to_semver trims tabs and newlines');
SELECT throws_ok(format('SELECT registry.to_semver(%L)', t), '22P02', NULL, format('to_semver(%L) is 22P02', t))
  FROM unnest(ARRAY['', '   ', 'v', '1.2.3.4', '1..2', 'x', '1.2.3-', '1.2.3+', '1.2.3 4', '99999999999999999999']) AS t;

-- ---------------------------------------------------------------- casts, version_cmp, binary I/O
SELECT is('1.2.3-rc.1+b'::registry.semver::text, '1.2.3-rc.1+b', 'cast to text');
SELECT is(('1.2.3'::text)::registry.semver, '1.2.3'::registry.semver, 'cast from text');
SELECT throws_ok($$SELECT ('1.2'::text)::registry.semver$$, '22P02', NULL, 'the cast from text is strict');
SELECT is(registry.version_cmp('1.0.0-rc.1+a', '1.0.0-rc.1+b'), 0, 'version_cmp ignores build metadata');
SELECT is(registry.version_cmp('1.10.0', '1.9.0'), 1, 'version_cmp compares numerically');
SELECT throws_ok($$SELECT registry.version_cmp('1.0.0', 'one')$$, '22P02',
                 'invalid input syntax for type semver: "one"', 'version_cmp rejects invalid text');
SELECT is(registry.semver_send('1.2.3-a+b'), '\x01312e322e332d612b62'::bytea,
          'binary output is a format byte then the text');
CREATE TEMP TABLE bin_src (b bytea);
INSERT INTO bin_src VALUES ('\x01312e322e332d612b62'), ('\x01302e302e30');
CREATE TEMP TABLE bin_dst (v registry.semver);
DO $$
BEGIN
	EXECUTE format('COPY (SELECT v FROM unnest(%L::registry.semver[]) v) TO %L WITH (FORMAT binary)',
	               '{1.2.3-a+b,0.0.0,9223372036854775807.1.2-x.99999999999999999999}',
	               '/tmp/registry_semver_test_' || pg_backend_pid() || '.bin');
	-- read it back and remove the file
	EXECUTE format('COPY pg_temp.bin_dst FROM PROGRAM %L WITH (FORMAT binary)',
	               format('cat %1$s; rm -f %1$s', '/tmp/registry_semver_test_' || pg_backend_pid() || '.bin'));
END $$;
SELECT is((SELECT array_agg(v::text ORDER BY v) FROM bin_dst),
          ARRAY['0.0.0', '1.2.3-a+b', '9223372036854775807.1.2-x.99999999999999999999'],
          'binary COPY round trip');
CREATE FUNCTION pg_temp.recv_bytes(b bytea) RETURNS registry.semver LANGUAGE plpgsql AS $f$
DECLARE
	f text := '/tmp/registry_semver_test_' || pg_backend_pid() || '.bin';
	r registry.semver;
BEGIN
	-- write b as one binary field, then read that field back as a semver
	EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', b, f);
	CREATE TEMP TABLE recv_tmp (v registry.semver) ON COMMIT DROP;
	EXECUTE format('COPY pg_temp.recv_tmp FROM PROGRAM %L WITH (FORMAT binary)', format('cat %1$s; rm -f %1$s', f));
	SELECT v INTO r FROM pg_temp.recv_tmp;
	DROP TABLE pg_temp.recv_tmp;
	RETURN r;
END $f$;
SELECT is(pg_temp.recv_bytes('\x01312e322e33')::text, '1.2.3', 'binary input of format 1');
SELECT throws_ok($$SELECT pg_temp.recv_bytes('\x02312e322e33')$$, '22P03',
                 'unsupported binary format 2 for type semver', 'an unknown binary format is 22P03');
SELECT throws_ok($$SELECT pg_temp.recv_bytes('\x01312e30322e33')$$, '22P02', NULL,
                 'binary input is validated like text input');

-- A damaged stored value (only a broken page or datum makes one: input and
-- binary receive validate) is XX001 wherever it must be decoded, never a
-- crash or a wrong answer.  A binary-coercible cast from bytea, created in
-- this rolled-back transaction, forges such values.
CREATE CAST (bytea AS registry.semver) WITHOUT FUNCTION;
SELECT throws_ok($$SELECT ('\x'::bytea::registry.semver)::text$$, 'XX001', 'corrupt registry.semver value',
                 'an empty datum is XX001 on output');
SELECT throws_ok($$SELECT registry.semver_major('\x05aa'::bytea::registry.semver)$$, 'XX001', NULL,
                 'a key length past the end of the datum is XX001');
SELECT throws_ok($$SELECT registry.semver_major('\xffffffff'::bytea::registry.semver)$$, 'XX001', NULL,
                 'a four-byte key length past the end is XX001');
SELECT throws_ok($$SELECT registry.semver_major('\x01ff'::bytea::registry.semver)$$, 'XX001', NULL,
                 'a key that does not decode is XX001 for an accessor');
SELECT throws_ok($$SELECT registry.semver_send('\x01ff'::bytea::registry.semver)$$, 'XX001', NULL,
                 'and for binary output');
SELECT throws_ok($$SELECT registry.semver_bump('\x01ff'::bytea::registry.semver, 'minor')$$, 'XX001', NULL,
                 'and for a bump');
SELECT throws_ok($$SELECT registry.semver_hash('\x05aa'::bytea::registry.semver)$$, 'XX001', NULL,
                 'and for hashing');
SELECT throws_ok($$SELECT registry.semver_cmp('\x'::bytea::registry.semver, '1.0.0')$$, 'XX001', NULL,
                 'and for a comparison with no key at all');
SELECT throws_ok($$SELECT array_agg(v ORDER BY v)::text FROM (VALUES ('\x01ff'::bytea::registry.semver), ('1.0.0'), ('2.0.0')) t (v)$$,
                 'XX001', NULL, 'a sort compares the stored keys without decoding them; printing the result is XX001');

SELECT * FROM finish();
ROLLBACK;
