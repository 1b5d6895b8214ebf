-- Tenancy: grant_project / revoke_project, the group roles they manage, and
-- the row-level security of project_grants itself.  (Every project table's
-- own policies are tested in tenancy_tables.)
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(24);

CREATE ROLE regress_alice LOGIN;
CREATE ROLE regress_bob LOGIN;
CREATE ROLE regress_carol LOGIN;
CREATE ROLE regress_team NOLOGIN;
GRANT regress_team TO regress_carol;

SELECT has_role('registry_reader', 'the group role registry_reader exists');
SELECT ok(pg_has_role('registry_admin', 'registry_writer', 'MEMBER')
          AND pg_has_role('registry_writer', 'registry_reader', 'MEMBER'),
          'admin includes writer includes reader');

SELECT is((registry.grant_project('tenancy-a', 'regress_alice', 'admin')).privilege, 'admin',
          'the superuser grants admin on project tenancy-a to alice');
SELECT ok(pg_has_role('regress_alice', 'registry_admin', 'MEMBER'),
          'alice became a member of registry_admin');
SELECT is((registry.grant_project('tenancy-b', 'regress_bob', 'write')).privilege, 'write',
          'bob gets write on tenancy-b');
SELECT ok(pg_has_role('regress_bob', 'registry_writer', 'MEMBER')
          AND NOT pg_has_role('regress_bob', 'registry_admin', 'MEMBER'),
          'bob is a writer, not an admin');
SELECT is((registry.grant_project('tenancy-c', 'regress_team', 'read')).privilege, 'read',
          'a group role can be granted a project');

SELECT throws_ok($$SELECT registry.grant_project('tenancy-a', 'regress_bob', 'owner')$$, '22023',
                 'invalid project privilege "owner"', 'an unknown privilege is 22023');
SELECT throws_ok($$SELECT registry.grant_project('tenancy-a', 'regress_nobody', 'read')$$, '42704',
                 'role "regress_nobody" does not exist', 'an unknown role is 42704');
SELECT throws_ok($$SELECT registry.grant_project('', 'regress_bob', 'read')$$, '22023',
                 'project_id must not be empty', 'an empty project id is 22023');
SELECT throws_ok($$SELECT registry.grant_project(NULL, 'regress_bob', 'read')$$, '22023', 'project_id must not be null',
                 'a NULL project is 22023');
SELECT throws_ok($$SELECT registry.revoke_project(NULL, 'regress_bob')$$, '22023', 'project_id must not be null',
                 'revoke_project: a NULL project is 22023, not a silent no-op');

SET LOCAL ROLE regress_carol;
SELECT is(ARRAY(SELECT project_id FROM registry.my_projects()), ARRAY['tenancy-c'],
          'carol reads tenancy-c through her membership of regress_team');
SELECT is(registry.project_privilege('tenancy-c'), 'read', 'project_privilege says read');
SELECT is(registry.project_privilege('tenancy-a'), NULL, 'and nothing on tenancy-a');
RESET ROLE;

SET LOCAL ROLE regress_bob;
SELECT is(ARRAY(SELECT project_id || '/' || role_name FROM registry.project_grants ORDER BY 1),
          ARRAY['tenancy-b/regress_bob'], 'bob sees only his own grant');
SELECT throws_ok($$SELECT registry.grant_project('tenancy-b', 'regress_carol', 'read')$$, '42501',
                 NULL, 'a writer cannot grant his project to others');
SELECT throws_ok($$SELECT registry.grant_project('tenancy-a', 'regress_bob', 'admin')$$, '42501',
                 NULL, 'nor make himself admin of another project');
SELECT throws_ok($$INSERT INTO registry.project_grants (project_id, role_name, privilege)
                   VALUES ('tenancy-a', 'regress_bob', 'admin')$$, '42501',
                 NULL, 'nor insert a grant row directly');
RESET ROLE;

SET LOCAL ROLE regress_alice;
SELECT is((registry.grant_project('tenancy-a', 'regress_bob', 'read')).granted_by, 'regress_alice',
          'an admin of tenancy-a grants it to bob');
SELECT is(ARRAY(SELECT role_name FROM registry.project_grants WHERE project_id = 'tenancy-a' ORDER BY 1),
          ARRAY['regress_alice', 'regress_bob'], 'and sees every grant of tenancy-a');
SELECT throws_ok($$SELECT registry.revoke_project('tenancy-b', 'regress_bob')$$, '42501',
                 NULL, 'but cannot revoke grants of tenancy-b');
RESET ROLE;

SELECT ok(registry.revoke_project('tenancy-b', 'regress_bob'), 'revoking bob''s write on tenancy-b');
SELECT ok(pg_has_role('regress_bob', 'registry_reader', 'MEMBER')
          AND NOT pg_has_role('regress_bob', 'registry_writer', 'MEMBER'),
          'leaves bob a reader only (his read on tenancy-a remains)');

SELECT * FROM finish();
ROLLBACK;
