-- registry.deploy under row-level security and without privileges: the
-- direct index probe steps aside and the SPI path applies policies and
-- privileges exactly like any query (no hidden row leaks through deploy).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(10);

CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;

CREATE ROLE registry_deploy_tester;
CREATE ROLE registry_deploy_nobody;
GRANT USAGE ON SCHEMA registry TO registry_deploy_tester, registry_deploy_nobody;
GRANT SELECT, INSERT, UPDATE ON registry.deployments, registry.artifacts TO registry_deploy_tester;
GRANT SELECT ON registry.artifact_revisions TO registry_deploy_tester;
GRANT USAGE ON SEQUENCE registry.deployments_id_seq TO registry_deploy_tester;
-- EXECUTE on writing functions comes with the group role (tenancy section).
GRANT registry_writer TO registry_deploy_tester;
GRANT EXECUTE ON FUNCTION registry.deploy(text, text, text, text, text, boolean, text) TO registry_deploy_nobody;

SELECT lives_ok($$SELECT registry.deploy('rls-k', '1', 'Token', '0xhidden', NULL, false, 'rls-hidden')$$,
                'a deployment in a project the tester will not see');
SELECT lives_ok($$SELECT registry.put_artifact('rls-seen', 'Token', '[]', '0x6001')$$,
                'an artifact in the visible project');
ALTER TABLE registry.deployments ENABLE ROW LEVEL SECURITY;
ALTER TABLE registry.artifacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY rls_seen ON registry.deployments USING (project_id = 'rls-seen');
CREATE POLICY rls_seen ON registry.artifacts USING (project_id = 'rls-seen');

SET LOCAL ROLE registry_deploy_tester;
SELECT address AS ins, encode(artifact_sha256, 'hex') AS rev
  FROM registry.deploy('rls-k', '1', 'Token', '0xseen', NULL, false, 'rls-seen') \gset
SELECT address AS rep FROM registry.deploy('rls-k', '1', 'Token', '0xseen', NULL, false, 'rls-seen') \gset
SELECT tx_hash AS merged FROM registry.deploy('rls-k', '1', 'Token', '0xseen', '0xt', false, 'rls-seen') \gset
SELECT pg_temp.err($$SELECT registry.deploy('rls-k', '1', 'Token', '0xother', NULL, false, 'rls-seen')$$) AS conflict \gset
SELECT pg_temp.err($$SELECT registry.deploy('rls-k', '1', 'Token', '0xmine', NULL, false, 'rls-hidden')$$) AS hidden \gset
SELECT pg_temp.err($$SELECT registry.deploy('rls-k', '1', 'Token', '0xhidden', NULL, false, 'rls-hidden')$$) AS hidden_same \gset
SET LOCAL ROLE registry_deploy_nobody;
SELECT pg_temp.err($$SELECT registry.deploy('rls-n', '1', 'Token', '0x1', NULL, false, 'rls-seen')$$) AS nopriv \gset
RESET ROLE;

SELECT is(:'ins'::text, '0xseen', 'under RLS a new key is inserted');
SELECT is(:'rev'::text, encode(sha256('\x6001'::bytea), 'hex'), 'and linked to the visible artifact revision');
SELECT is(:'rep'::text, '0xseen', 'a replay under RLS returns the stored row');
SELECT is(:'merged'::text, '0xt', 'a merge under RLS fills the tx hash');
SELECT is(:'conflict'::text, '23505: deployment "rls-k" on chain "1" already exists with another address',
          'another address under RLS is 23505');
SELECT is(:'hidden'::text, '42501: new row violates row-level security policy for table "deployments"',
          'a key in a hidden project is refused without revealing the stored address');
SELECT is(:'hidden_same'::text, :'hidden', 'even with the stored payload nothing is returned');
SELECT is(:'nopriv'::text, '42501: permission denied for table deployments',
          'without SELECT on the table deploy is 42501');

SELECT * FROM finish();
ROLLBACK;
