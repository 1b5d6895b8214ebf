-- Version registry: register(project, component, implementation text, ...)
-- is the bytea form's C function (a text's bytes are its bytes in the
-- database encoding): it must give the same rows, the same SQLSTATEs and
-- keep the caller's identity.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(14);

SELECT is((SELECT pg_catalog.array_agg(DISTINCT l.lanname || ' ' || p.prosrc)
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
            WHERE p.oid IN ('registry.register(text, text, text, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text)'::regprocedure,
                            'registry.register(text, text, bytea, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text)'::regprocedure)),
          '{"c registry_register"}', 'both forms of register are one C function');
SELECT is((SELECT row(p.prosecdef, p.proconfig)::text FROM pg_catalog.pg_proc p
            WHERE p.oid = 'registry.register(text, text, text, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text)'::regprocedure),
          '(f,)', 'it is SECURITY INVOKER with no SET clause (its statements name every object with its schema)');

-- the same row as the bytea form, every argument passed through
CREATE TEMP TABLE rt AS SELECT * FROM registry.register('vt-regtext', 'a', E'x = 1\n', '{"k": "v"}',
	metrics => '{"score": 0.5}', test_results => '{"t1": "pass"}', status => 'candidate');
CREATE TEMP TABLE rb AS SELECT * FROM registry.register('vt-regtext', 'b', convert_to(E'x = 1\n', 'UTF8'), '{"k": "v"}',
	metrics => '{"score": 0.5}', test_results => '{"t1": "pass"}', status => 'candidate');
SELECT is((SELECT row(seq, implementation, size, metadata, metrics, test_results, status, created_by, parents)::text FROM rt),
          (SELECT row(seq, implementation, size, metadata, metrics, test_results, status, created_by, parents)::text FROM rb),
          'text and bytea implementations give the same version row');
SELECT is(registry.get_implementation((SELECT id FROM rt)), convert_to(E'x = 1\n', 'UTF8'), 'the text is stored as its bytes');
SELECT is((SELECT seq FROM registry.register('vt-regtext', 'a', 'x = 2', parents => ARRAY[(SELECT id FROM rt)])), 2::bigint,
          'parents are passed through');
SELECT is((SELECT primary_parent FROM registry.versions WHERE project_id = 'vt-regtext' AND component = 'a' AND seq = 2),
          (SELECT id FROM rt), 'and become the primary parent');

-- semantic: version and bump are passed through, errors keep their SQLSTATE
SELECT is((registry.configure_component('vt-regtext', 's', 'semantic')).version_strategy, 'semantic', 'a semantic component');
SELECT is((SELECT semver::text FROM registry.register('vt-regtext', 's', 'v1', version => '1.2.3')), '1.2.3', 'an explicit version');
SELECT is((SELECT semver::text FROM registry.register('vt-regtext', 's', 'v2', bump => 'minor')), '1.3.0', 'a bump');
SELECT throws_ok($$SELECT registry.register('vt-regtext', 's', 'v3', version => '1.2.3')$$, '23505', NULL,
                 'a duplicate version through the text form is 23505');
SELECT throws_ok($$SELECT registry.register('vt-regtext', 'a', 'v', bump => 'patch')$$, '22023', NULL,
                 'a bump on an incremental component through the text form is 22023');
SELECT throws_ok($$SELECT registry.register('vt-regtext', 'a', NULL::text)$$, '22023', 'implementation must not be null',
                 'a NULL text implementation is 22023');
SELECT throws_ok($$SELECT registry.register('', 'a', 'x')$$, '22023', NULL, 'a bad project id through the text form is 22023');
SELECT throws_ok($$SELECT registry.register('vt-regtext', 'a', 'x', parents => ARRAY[-1::bigint])$$, '22023', NULL,
                 'an unknown parent through the text form is 22023');

SELECT * FROM finish();
ROLLBACK;
