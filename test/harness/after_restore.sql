-- Run by dump_restore.sh (psql -v ON_ERROR_STOP=1) in the restored database,
-- as the superuser: every area still works on restored data, and row-level
-- security still keeps projects apart.  Any failed check raises, so psql
-- exits non-zero.  Everything is rolled back.
\set QUIET on
SET client_min_messages = warning;
BEGIN;

CREATE FUNCTION pg_temp.expect(what text, got text, want text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF got IS DISTINCT FROM want THEN
		RAISE EXCEPTION 'after restore: % gave %, expected %', what, coalesce(got, 'NULL'), coalesce(want, 'NULL');
	END IF;
	RAISE NOTICE 'ok - %', what;
END $$;

-- register an artifact and deploy it
SELECT pg_temp.expect('put_artifact',
	(registry.put_artifact('restored', 'Counter', '[]', '0x600a')).name, 'Counter');
SELECT pg_temp.expect('deploy',
	(registry.deploy('restored-k', '5', 'Counter', '0xabc', NULL, false, 'restored')).address, '0xabc');
SELECT pg_temp.expect('deploy replay',
	(registry.deploy('restored-k', '5', 'Counter', '0xabc', NULL, false, 'restored')).state, 'deployed');
SELECT pg_temp.expect('confirm_deployment',
	(registry.confirm_deployment('restored-k', '5', 'restored')).state, 'confirmed');

-- a chunk protocol round: freezing, frozen, pruning, deleted
SELECT pg_temp.expect('mark_chunk_freezing',
	pg_catalog.array_length(registry.mark_chunk_freezing(7, '{events,ledgers}', 'restored'), 1)::text, '2');
SELECT pg_temp.expect('flip_chunk_frozen',
	pg_catalog.array_length(registry.flip_chunk_frozen(7, '{events,ledgers}', 'restored'), 1)::text, '2');
SELECT pg_temp.expect('chunk_state', registry.chunk_state(7, 'events', 'restored'), 'frozen');
SELECT registry.demote_chunk_pruning(7, '{events}', 'restored') \g /dev/null
SELECT registry.delete_chunk_key(7, 'events', 'restored') \g /dev/null
SELECT pg_temp.expect('the pruned key is gone', registry.chunk_state(7, 'events', 'restored'), NULL);

-- key/value store, on restored orgs and a new one
SELECT registry.kv_put('restored', 'ns/after', '\x0102') \g /dev/null
SELECT pg_temp.expect('kv_put/kv_get', registry.kv_get('restored', 'ns/after')::text, '\x0102');
SELECT pg_temp.expect('kv_list sees the restored rows too',
	((SELECT pg_catalog.count(*) FROM registry.kv) >= 2)::text, 'true');

-- tenancy: a role granted one project sees it and only it
CREATE ROLE after_restore_a;
SELECT registry.grant_project('restored', 'after_restore_a', 'write') \g /dev/null
SET LOCAL ROLE after_restore_a;
SELECT pg_temp.expect('a granted role reads its project',
	registry.kv_get('restored', 'ns/after')::text, '\x0102');
SELECT pg_temp.expect('and only its project',
	(SELECT pg_catalog.string_agg(DISTINCT project_id, ',') FROM registry.deployments), 'restored');
RESET ROLE;

ROLLBACK;
