-- Foundation: the extension loads, its version agrees with the control
-- file, and the shared project-id rule behaves.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(9);

SELECT is(registry.version(),
          (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'registry'),
          'library version equals the installed extension version');
SELECT is((SELECT extrelocatable FROM pg_catalog.pg_extension WHERE extname = 'registry'),
          false, 'the extension is not relocatable');
SELECT is((SELECT n.nspname::text FROM pg_catalog.pg_extension e
             JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'registry'),
          'registry', 'the extension lives in schema registry');

SELECT ok(registry.valid_project_id('acme'), 'a plain project id is valid');
SELECT ok(NOT registry.valid_project_id(''), 'the empty project id is invalid');
SELECT ok(NOT registry.valid_project_id(repeat('x', 201)), 'a 201-byte project id is invalid');
SELECT ok(registry.valid_project_id(repeat('é', 100)), 'a 200-byte project id is valid');
SELECT throws_ok($$SELECT registry.check_project_id(E'a\tb')$$, '22023',
                 'project_id must not contain control characters',
                 'a control character is 22023');
SELECT throws_ok($$SELECT registry.check_project_id('')$$, '22023',
                 'project_id must not be empty', 'the empty project id is 22023');

SELECT * FROM finish();
ROLLBACK;
