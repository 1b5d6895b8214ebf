-- Tenancy, part 3: registry.accessible_projects keeps a per-session cache
-- of its answers (src/tenancy.c).  Every way the answer can change must
-- drop it before the next statement: grants and revokes through the API,
-- direct writes to project_grants (INSERT, UPDATE, DELETE, TRUNCATE), role
-- memberships, renamed, dropped and created roles, superuser status, and a
-- grant rolled back with its (sub)transaction.  Each check reads through a
-- policy as the role, right after the change, in the same session.
-- (Another session's commits: isolation spec tenancy_sessions.)
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(24);

CREATE ROLE regress_cache_app LOGIN;
CREATE ROLE regress_cache_team NOLOGIN;
CREATE ROLE regress_cache_su LOGIN;
-- a standing grant on a project with no rows keeps the role a member of
-- registry_reader (table privileges); which rows it sees is the policy's
SELECT (registry.grant_project('cache-z', 'regress_cache_app', 'read')).privilege;

SELECT count(registry.kv_put(o, 'ns/' || o, '\x01')) FROM unnest(ARRAY['cache-a', 'cache-b', 'cache-t']) o;

-- what the role sees through the kv policy, and what accessible_projects says
CREATE FUNCTION pg_temp.seen(r text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE result text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	SELECT coalesce(string_agg(org, ',' ORDER BY org), '') INTO result
	  FROM registry.kv WHERE org LIKE 'cache-%';
	RESET ROLE;
	RETURN result;
END $$;
CREATE FUNCTION pg_temp.acc(r text) RETURNS text LANGUAGE sql AS $$
	SELECT array_to_string(ARRAY(SELECT x FROM unnest(registry.accessible_projects(r::name, 'read')) x
								  WHERE x LIKE 'cache-%' AND x <> 'cache-z' ORDER BY 1), ',') $$;

SELECT is(pg_temp.seen('regress_cache_app'), '', 'no grant: nothing');
SELECT is(pg_temp.seen('regress_cache_app'), '', 'asked again (now cached): still nothing');

SELECT (registry.grant_project('cache-a', 'regress_cache_app', 'read')).privilege;
SELECT is(pg_temp.seen('regress_cache_app'), 'cache-a', 'grant_project counts from the next statement');

SELECT (registry.revoke_project('cache-a', 'regress_cache_app'))::text;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'revoke_project counts from the next statement');

-- direct writes to the table, as the owner
INSERT INTO registry.project_grants (project_id, role_name, privilege) VALUES ('cache-b', 'regress_cache_app', 'read');
SELECT is(pg_temp.seen('regress_cache_app'), 'cache-b', 'a row INSERTed into project_grants counts');
UPDATE registry.project_grants SET project_id = 'cache-a' WHERE role_name = 'regress_cache_app' AND project_id = 'cache-b';
SELECT is(pg_temp.seen('regress_cache_app'), 'cache-a', 'an UPDATE of project_grants counts');
UPDATE registry.project_grants SET privilege = 'write' WHERE role_name = 'regress_cache_app' AND project_id = 'cache-a';
SELECT is(array_to_string(registry.accessible_projects('regress_cache_app', 'write'), ','), 'cache-a',
          'a privilege raised by UPDATE counts for write');
DELETE FROM registry.project_grants WHERE role_name = 'regress_cache_app' AND project_id = 'cache-a';
SELECT is(pg_temp.seen('regress_cache_app'), '', 'a DELETE from project_grants counts');
SELECT is(array_to_string(registry.accessible_projects('regress_cache_app', 'write'), ','), '',
          'and for write too');

-- memberships: a grant to a group counts through membership, and stops with it
SELECT (registry.grant_project('cache-t', 'regress_cache_team', 'read')).privilege;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'a grant to a group the role is not in: nothing');
GRANT regress_cache_team TO regress_cache_app;
SELECT is(pg_temp.seen('regress_cache_app'), 'cache-t', 'GRANT team TO app: the team''s project counts');
REVOKE regress_cache_team FROM regress_cache_app;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'REVOKE team FROM app: it stops');

-- grants are by role name: roles renamed, dropped and created under a granted name
CREATE ROLE regress_cache_old;
SELECT (registry.grant_project('cache-b', 'regress_cache_old', 'read')).privilege;
ALTER ROLE regress_cache_old RENAME TO regress_cache_gone;
SELECT is(pg_temp.acc('regress_cache_gone'), '', 'a renamed role leaves its grant under the old name');
ALTER ROLE regress_cache_app RENAME TO regress_cache_old;
SELECT is(pg_temp.seen('regress_cache_old'), 'cache-b', 'a role renamed into the granted name gets it');
ALTER ROLE regress_cache_old RENAME TO regress_cache_app;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'renamed back: it stops');
DROP ROLE regress_cache_gone;
CREATE ROLE regress_cache_old;
SELECT is(pg_temp.acc('regress_cache_old'), 'cache-b', 'a role created under the granted name gets it');
DROP ROLE regress_cache_old;
SELECT throws_ok($$SELECT pg_temp.acc('regress_cache_old')$$, '42704', NULL,
                 'once that role is dropped, asking about it is 42704 (no cached answer for a role that is gone)');

-- superuser status makes pg_has_role true for every role
SELECT is(pg_temp.acc('regress_cache_su'), '', 'an ordinary role with no grant: nothing');
ALTER ROLE regress_cache_su SUPERUSER;
SELECT ok(pg_temp.acc('regress_cache_su') LIKE '%cache-t%', 'made superuser: a member of every role, so every grant counts');
ALTER ROLE regress_cache_su NOSUPERUSER;
SELECT is(pg_temp.acc('regress_cache_su'), '', 'NOSUPERUSER: nothing again');

-- a grant rolled back with its subtransaction, and TRUNCATE
SAVEPOINT s;
SELECT (registry.grant_project('cache-a', 'regress_cache_app', 'read')).privilege;
SELECT pg_temp.seen('regress_cache_app');
ROLLBACK TO SAVEPOINT s;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'a grant rolled back with its savepoint does not count');
SELECT (registry.grant_project('cache-a', 'regress_cache_app', 'read')).privilege;
SELECT pg_temp.seen('regress_cache_app');
TRUNCATE registry.project_grants;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'TRUNCATE project_grants counts');

-- a revoke written the way a logical replica's apply worker writes it
-- (session_replication_role = replica): the trigger fires ALWAYS
SELECT (registry.grant_project('cache-a', 'regress_cache_app', 'read')).privilege;
SELECT is(pg_temp.seen('regress_cache_app'), 'cache-a', 'granted again');
SET LOCAL session_replication_role = replica;
DELETE FROM registry.project_grants;
SET LOCAL session_replication_role = origin;
SELECT is(pg_temp.seen('regress_cache_app'), '', 'a revoke written as a replica''s apply worker counts');

SELECT * FROM finish();
ROLLBACK;
