-- Version registry: components, register (incremental and semantic),
-- get_version by id / seq / semver / alias, aliases, implementations.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(89);

-- configure_component: defaults, changes, bad values
SELECT is((registry.configure_component('vt-reg', 'cfg')).version_strategy, 'incremental',
          'configure_component creates a component with the incremental strategy');
SELECT ok(EXISTS (SELECT 1 FROM registry.projects WHERE project_id = 'vt-reg'), 'and its project');
SELECT is((SELECT row(retention_policy, compression)::text FROM registry.components
            WHERE project_id = 'vt-reg' AND name = 'cfg'), '(forever,t)', 'defaults: forever, compressed');
SELECT is((registry.configure_component('vt-reg', 'cfg', retention_policy => 'keep-last-3', compression => false)).retention_policy,
          'keep-last-3', 'retention can be changed');
SELECT is((SELECT compression FROM registry.components WHERE project_id = 'vt-reg' AND name = 'cfg'), false,
          'compression can be changed');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', 'cfg', retention_policy => 'keep-last-0')$$,
                 '22023', 'invalid retention policy: ''keep-last-0''', 'keep-last-0 is 22023');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', 'cfg', retention_policy => 'keep-last-x')$$,
                 '22023', NULL, 'keep-last-x is 22023');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', 'cfg', retention_policy => 'keep-last-')$$,
                 '22023', NULL, 'keep-last- is 22023');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', 'cfg', version_strategy => 'calendar')$$,
                 '22023', 'unknown version strategy: ''calendar''', 'an unknown strategy is 22023');
SELECT throws_ok($$SELECT registry.configure_component('', 'cfg')$$, '22023', NULL, 'an empty project is 22023');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', E'a\nb')$$, '22023', NULL,
                 'a component name with a control character is 22023');

-- register: incremental
CREATE TEMP TABLE r AS SELECT * FROM registry.register('vt-reg', 'inc', 'print(1)', '{"author": "ann"}');
SELECT is((SELECT seq FROM r), 1::bigint, 'the first version of a new component has seq 1');
SELECT ok(EXISTS (SELECT 1 FROM registry.components WHERE project_id = 'vt-reg' AND name = 'inc'),
          'register creates the component on first use');
SELECT is((SELECT row(status, metadata, metrics, test_results, parents, semver IS NULL)::text FROM r),
          '(registered,"{""author"": ""ann""}",{},{},{},t)', 'defaults of a registered version');
SELECT is((SELECT implementation FROM r), registry.blob_key('print(1)'::bytea),
          'the implementation is the blob key of the text''s bytes');
SELECT is((SELECT created_by FROM r), current_user::text, 'created_by is the registering role');
INSERT INTO r SELECT * FROM registry.register('vt-reg', 'inc', 'print(2)', parents => ARRAY[(SELECT id FROM r WHERE seq = 1)],
                                              metrics => '{"score": 0.7}', test_results => '{"passed": 10}', status => 'candidate');
INSERT INTO r SELECT * FROM registry.register('vt-reg', 'inc', 'print(1)'::bytea);
SELECT is((SELECT array_agg(seq ORDER BY id) FROM r), '{1,2,3}'::bigint[], 'seqs are 1, 2, 3');
SELECT is((SELECT primary_parent FROM r WHERE seq = 2), (SELECT id FROM r WHERE seq = 1), 'primary_parent is parents[1]');
SELECT is((SELECT count(DISTINCT implementation) FROM r), 2::bigint, 'identical implementations share one key');
SELECT is((SELECT count(*) FROM registry.blobs WHERE key = registry.blob_key('print(1)'::bytea)), 1::bigint,
          'and are stored once');
SELECT is(registry.get_implementation_text((SELECT id FROM r WHERE seq = 2)), 'print(2)', 'get_implementation_text');
SELECT is(registry.get_implementation((SELECT id FROM r WHERE seq = 3)), '\x7072696e74283129'::bytea, 'get_implementation');
SELECT throws_ok($$SELECT registry.get_implementation(-5)$$, 'P0002', 'version -5 not found', 'an unknown version is P0002');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', version => '1.0.0')$$, '22023', NULL,
                 'an explicit version on an incremental component is 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', bump => 'minor')$$, '22023', NULL,
                 'a bump on an incremental component is 22023');
SELECT throws_ok($$SELECT registry.configure_component('vt-reg', 'inc', 'semantic')$$, '55000', NULL,
                 'changing the strategy of a component with versions is 55000');

-- bad input to register
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', parents => ARRAY[-1::bigint])$$, '22023',
                 'parent -1 is not a version of component inc of project vt-reg', 'an unknown parent is 22023');
SELECT throws_ok(format($$SELECT registry.register('vt-reg', 'other', 'x', parents => ARRAY[%s::bigint])$$,
                        (SELECT id FROM r WHERE seq = 1)), '22023', NULL, 'a parent of another component is 22023');
SELECT throws_ok(format($$SELECT registry.register('vt-reg', 'inc', 'x', parents => ARRAY[%1$s, %1$s]::bigint[])$$,
                        (SELECT id FROM r WHERE seq = 1)), '22023', 'parents must not repeat a version', 'repeated parents are 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', parents => ARRAY[NULL]::bigint[])$$, '22023', NULL,
                 'a NULL parent is 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', metadata => '[1]')$$, '22023',
                 'metadata must be a JSON object', 'array metadata is 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', metrics => '3')$$, '22023', NULL, 'scalar metrics are 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', NULL::text)$$, '22023', NULL, 'a NULL implementation is 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'inc', 'x', status => '')$$, '22023', NULL, 'an empty status is 22023');
SELECT throws_ok($$SELECT registry.register(repeat('p', 201), 'inc', 'x')$$, '22023', NULL, 'a 201-byte project is 22023');
SELECT throws_ok($$SELECT registry.register(NULL, 'inc', 'x')$$, '22023', 'project_id must not be null',
                 'a NULL project is 22023 (not a NOT NULL violation on an internal table)');
SELECT throws_ok($$SELECT registry.register(NULL, 'inc', '\x00'::bytea)$$, '22023', 'project_id must not be null',
                 'a NULL project is 22023 (bytea implementation)');
SELECT throws_ok($$SELECT registry.configure_component(NULL, 'cfg')$$, '22023', 'project_id must not be null',
                 'configure_component: a NULL project is 22023');
SELECT throws_ok($$SELECT registry.set_alias(NULL, 'inc', 'prod', 1)$$, '22023', 'project_id must not be null',
                 'set_alias: a NULL project is 22023');
SELECT throws_ok($$SELECT registry.set_alias('vt-reg', NULL, 'prod', (SELECT min(id) FROM registry.versions WHERE project_id = 'vt-reg'))$$,
                 '22023', 'invalid component name: NULL', 'set_alias: a NULL component is 22023 (it reached the INSERT)');
SELECT is((SELECT max(seq) FROM registry.versions WHERE project_id = 'vt-reg' AND component = 'inc'), 3::bigint,
          'failed registrations leave no gap in seq');

-- semantic components
SELECT registry.configure_component('vt-reg', 'sem', 'semantic') IS NOT NULL \g /dev/null
CREATE TEMP TABLE s AS SELECT * FROM registry.register('vt-reg', 'sem', 'v1');
SELECT is((SELECT semver::text FROM s), '0.0.1', 'no version and no bump: patch bump from 0.0.0');
INSERT INTO s SELECT * FROM registry.register('vt-reg', 'sem', 'v2', bump => 'minor');
SELECT is((SELECT semver::text FROM s WHERE seq = 2), '0.1.0', 'bump minor from the highest version');
INSERT INTO s SELECT * FROM registry.register('vt-reg', 'sem', 'v3', version => '1.4.0');
SELECT is((SELECT semver::text FROM s WHERE seq = 3), '1.4.0', 'an explicit version');
INSERT INTO s SELECT * FROM registry.register('vt-reg', 'sem', 'v4', parents => ARRAY[(SELECT id FROM s WHERE seq = 2)], bump => 'patch');
SELECT is((SELECT semver::text FROM s WHERE seq = 4), '0.1.1', 'bump patch from the primary parent');
INSERT INTO s SELECT * FROM registry.register('vt-reg', 'sem', 'v5', bump => 'major');
SELECT is((SELECT semver::text FROM s WHERE seq = 5), '2.0.0', 'bump major from the highest version');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'sem', 'dup', version => '1.4.0')$$, '23505',
                 'version 1.4.0 of component sem of project vt-reg already exists', 'a duplicate version is 23505');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'sem', 'x', version => '3.0.0', bump => 'major')$$, '22023',
                 'give either version or bump, not both', 'version and bump together are 22023');
SELECT throws_ok($$SELECT registry.register('vt-reg', 'sem', 'x', bump => 'huge')$$, '22023', NULL, 'an unknown bump is 22023');

-- compression maps onto how the implementation's blob is stored
SELECT registry.configure_component('vt-reg', 'raw', compression => false) IS NOT NULL \g /dev/null
SELECT registry.register('vt-reg', 'raw', repeat('uncompressed ', 1000)) IS NOT NULL \g /dev/null
SELECT registry.register('vt-reg', 'packed', repeat('compressed! ', 1000)) IS NOT NULL \g /dev/null
SELECT ok((SELECT raw IS NOT NULL AND packed IS NULL FROM registry.blob_chunks
            WHERE key = registry.blob_key(convert_to(repeat('uncompressed ', 1000), 'UTF8'))),
          'a component without compression stores raw chunks');
SELECT ok((SELECT packed IS NOT NULL AND pg_column_size(packed) < 12000 FROM registry.blob_chunks
            WHERE key = registry.blob_key(convert_to(repeat('compressed! ', 1000), 'UTF8'))),
          'a compressed component stores compressed chunks');

-- get_version
SELECT is((SELECT seq FROM registry.get_version((SELECT id FROM s WHERE seq = 3))), 3::bigint, 'get_version by id');
SELECT is((SELECT count(*) FROM registry.get_version(-1::bigint)), 0::bigint, 'get_version of an unknown id: no row');
SELECT is((SELECT semver::text FROM registry.get_version('vt-reg', 'sem', '4')), '0.1.1', 'get_version by seq');
SELECT is((SELECT seq FROM registry.get_version('vt-reg', 'sem', '1.4.0')), 3::bigint, 'get_version by semver');
SELECT is((SELECT count(*) FROM registry.get_version('vt-reg', 'sem', '9.9.9')), 0::bigint, 'an unknown semver: no row');
SELECT throws_ok($$SELECT * FROM registry.get_version('vt-reg', 'sem', '1.4.x.y')$$, '22P02', NULL,
                 'a malformed semver ref is 22P02');

-- aliases
SELECT is((registry.set_alias('vt-reg', 'sem', 'production', (SELECT id FROM s WHERE seq = 3))).alias, 'production', 'set_alias');
SELECT is((SELECT seq FROM registry.get_version('vt-reg', 'sem', 'production')), 3::bigint, 'get_version by alias');
SELECT registry.set_alias('vt-reg', 'sem', 'production', (SELECT id FROM s WHERE seq = 5)) IS NOT NULL \g /dev/null
SELECT is((SELECT seq FROM registry.get_version('vt-reg', 'sem', 'production')), 5::bigint, 'set_alias moves an alias');
SELECT throws_ok(format($$SELECT registry.set_alias('vt-reg', 'sem', 'prod', %s)$$, (SELECT id FROM r WHERE seq = 1)),
                 'P0002', NULL, 'an alias to a version of another component is P0002');
SELECT throws_ok(format($$SELECT registry.set_alias('vt-reg', 'sem', '7up', %s)$$, (SELECT id FROM s WHERE seq = 1)),
                 '22023', NULL, 'an alias that starts with a digit is 22023');
SELECT is(registry.drop_alias('vt-reg', 'sem', 'production'), true, 'drop_alias');
SELECT is(registry.drop_alias('vt-reg', 'sem', 'production'), false, 'dropping a missing alias returns false');
SELECT is((SELECT count(*) FROM registry.get_version('vt-reg', 'sem', 'production')), 0::bigint, 'a dropped alias resolves to no row');

-- the table's own rules (one CHECK, registry.version_row_ok), for writes that bypass register
SELECT is(ARRAY(SELECT conname::text FROM pg_constraint
                 WHERE conrelid = 'registry.versions'::regclass AND contype = 'c'),
          ARRAY['versions_row_check'], 'registry.versions has one CHECK, versions_row_check');
SELECT registry.register('vt-reg', 'rowchk', 'body one'::text) IS NOT NULL AS registered \gset
SELECT registry.register('vt-reg', 'rowchk', 'body two'::text, parents => ARRAY[(SELECT id FROM registry.versions
         WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 1)]) IS NOT NULL AS registered \gset
SELECT throws_ok(format($$UPDATE registry.versions SET %s WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 2$$, change),
                 '23514', 'new row for relation "versions" violates check constraint "versions_row_check"',
                 'the table refuses ' || what)
  FROM (VALUES ('seq = 0', 'seq 0'),
               ('size = -1', 'a negative size'),
               ('depth = -1', 'a negative depth'),
               ('chain_pos = -1', 'a negative chain position'),
               ('primary_parent = NULL', 'a primary parent other than parents[1]'),
               ('parents = ''{}''', 'parents without the primary parent'),
               ('implementation = ''sha256:xyz''', 'an implementation that is not a blob key'),
               ('metadata = ''[]''', 'metadata that is not an object'),
               ('metrics = ''1''', 'metrics that are not an object'),
               ('status = ''''', 'an empty status'),
               ('status = repeat(''s'', 65)', 'a status over 64 bytes'))
       AS t(change, what);
SELECT lives_ok($$UPDATE registry.versions SET status = repeat('s', 64), metadata = '{"a": 1}', parents = parents || 0::bigint
                   WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 2$$,
                'a 64-byte status, an object and an extra parent pass the CHECK');
SELECT lives_ok($$UPDATE registry.versions SET primary_parent = NULL, parents = '{NULL}'
                   WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 1$$,
                'a NULL primary parent matches a NULL parents[1]');
-- the CHECK reads only the root header of metadata and metrics (a slice of a toasted value)
SELECT lives_ok($$UPDATE registry.versions SET metadata = (SELECT jsonb_object_agg('k' || g, md5(g::text)) FROM generate_series(1, 20000) AS g)
                   WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 2$$,
                'a large metadata object passes the CHECK');
SELECT lives_ok($$UPDATE registry.versions SET status = 'toasted' WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 2$$,
                'and passes again when the row is updated with that metadata stored out of line');
SELECT throws_ok($$UPDATE registry.versions SET metrics = (SELECT jsonb_agg(md5(g::text)) FROM generate_series(1, 20000) AS g)
                    WHERE project_id = 'vt-reg' AND component = 'rowchk' AND seq = 2$$,
                 '23514', 'new row for relation "versions" violates check constraint "versions_row_check"',
                 'a large metrics array is refused');
SELECT is(registry.version_row_ok('p', 1, '[0:1]={5,6}', 6, registry.blob_key('x'::bytea), 0, '{}', '{}', 'ok', 0, 0), true,
          'version_row_ok subscripts parents[1] as SQL does (lower bound 0)');
SELECT is(registry.version_row_ok('p', 1, '{{5}}', NULL, registry.blob_key('x'::bytea), 0, '{}', '{}', 'ok', 0, 0), true,
          'version_row_ok: parents[1] of a two-dimensional array is NULL, as in SQL');
SELECT is(registry.version_row_ok('p', NULL, '{}', NULL, registry.blob_key('x'::bytea), 0, '{}', '{}', 'ok', 0, 0), NULL,
          'version_row_ok is NULL when a NOT NULL column is NULL');

-- a version is a column of versions' unique indexes, whose entries PostgreSQL
-- caps at 2704 bytes: one that cannot fit is 22023 before the INSERT's 54000
SELECT throws_ok($$SELECT registry.register('vt-reg', 'sem', 'long', version => ('1.0.0-' || (SELECT left(string_agg(md5(g::text), ''), 2700) FROM generate_series(1, 100) AS g))::registry.semver)$$,
                 '22023', 'version is too long to store', 'an incompressible 2,706-byte version is 22023');
SELECT lives_ok($$SELECT registry.configure_component(repeat('p', 200), repeat('c', 200), 'semantic')$$,
                'a semantic component with a 200-byte project and name');
SELECT is((SELECT seq FROM registry.register(repeat('p', 200), repeat('c', 200), 'x',
                                              version => ('1.0.0-' || repeat('a.', 496) || 'a')::registry.semver)), 1::bigint,
          'a 999-byte version of one-letter identifiers (the widest stored form per byte) fits with them');
SELECT is((SELECT seq FROM registry.register('vt-reg', 'sem', 'compressible', version => ('1.0.0-' || repeat('b', 3000))::registry.semver)), 6::bigint,
          'a 3,006-byte version that compresses is stored');

SELECT * FROM finish();
ROLLBACK;
