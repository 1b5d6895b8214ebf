-- registry walkthrough, part 90: tenancy.  grant_project lets a login role use
-- one project through every table and function; row-level security hides
-- the rest.  (Runs after the other parts, on the projects they created.)
\pset pager off
\set ON_ERROR_STOP on

\echo
\echo '== 1. Two login roles, each granted one project'
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'walk_shop') THEN CREATE ROLE walk_shop LOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'walk_kv') THEN CREATE ROLE walk_kv LOGIN; END IF;
END $$;
SELECT project_id, role_name, privilege FROM registry.grant_project('shop', 'walk_shop', 'write');
SELECT project_id, role_name, privilege FROM registry.grant_project('walk-org', 'walk_kv', 'read');
SELECT r AS role, pg_has_role(r, 'registry_writer', 'MEMBER') AS writer, pg_has_role(r, 'registry_reader', 'MEMBER') AS reader
  FROM unnest(ARRAY['walk_shop', 'walk_kv']) AS r;

\echo
\echo '== 2. As walk_shop: only project shop shows, through tables and functions'
SET ROLE walk_shop;
SELECT * FROM registry.my_projects();
SELECT DISTINCT project_id FROM registry.deployments;
SELECT project_id, name FROM registry.list_artifacts();
SELECT count(*) AS kv_rows_visible FROM registry.kv;
\echo a write into another project is 42501:
DO $$ BEGIN PERFORM registry.put_artifact('walk-other', 'X', '[]', '0x00');
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;
\echo and so is granting yourself more:
DO $$ BEGIN PERFORM registry.grant_project('walk-other', 'walk_shop', 'admin');
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;
RESET ROLE;

\echo
\echo '== 3. As walk_kv (read on org walk-org): reads yes, writes no'
SELECT registry.kv_put('walk-org', 'ns/greeting', convert_to('hello', 'UTF8')) > 0 AS stored_by_the_owner;
SET ROLE walk_kv;
SELECT convert_from(registry.kv_get('walk-org', 'ns/greeting'), 'UTF8') AS greeting;
DO $$ BEGIN PERFORM registry.kv_put('walk-org', 'ns/greeting', '\x00');
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM; END $$;
RESET ROLE;

\echo
\echo '== 4. revoke_project takes it back (and the group role with it)'
SELECT registry.revoke_project('walk-org', 'walk_kv') AS revoked;
SELECT pg_has_role('walk_kv', 'registry_reader', 'MEMBER') AS still_reader;
