-- Deployments: the idempotent registry.deploy (C), claims and broadcasts,
-- lookups, the active chain, and every bad input with its SQLSTATE.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(129);

-- SQLSTATE and DETAIL of an error, for checking what DETAIL says.
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; det text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || det;
END $$;

-- deploy: insert, replay, monotonic merge ---------------------------------------
SELECT is((SELECT row(project_id, idempotency_key, chain_id, contract, address, tx_hash, confirmed, state)::text
             FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa')),
          row('_', 'dep-k1', '1', 'Token', '0xaaa', NULL, false, 'deployed')::text,
          'a new key is inserted in the default project ''_'' as deployed');
CREATE TEMP TABLE v1 AS SELECT xmin::text AS x_min, ctid::text AS x_ctid FROM registry.deployments
 WHERE idempotency_key = 'dep-k1';
SELECT is((SELECT address FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa')), '0xaaa',
          'a replay returns the stored row');
SELECT is((SELECT xmin::text || ctid::text FROM registry.deployments WHERE idempotency_key = 'dep-k1'),
          (SELECT x_min || x_ctid FROM v1), 'a replay with nothing new writes no row version');
SELECT is((SELECT row(tx_hash, state)::text FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa', '0xt1')),
          row('0xt1', 'deployed')::text, 'a missing tx_hash is filled');
SELECT isnt((SELECT ctid::text FROM registry.deployments WHERE idempotency_key = 'dep-k1'),
            (SELECT x_ctid FROM v1), 'filling the tx_hash wrote a new row version');
SELECT is((SELECT tx_hash FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa', '0xt2')), '0xt1',
          'a stored tx_hash is kept (first fact wins)');
SELECT is((SELECT row(confirmed, state)::text FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa', NULL, true)),
          row(true, 'confirmed')::text, 'confirmed moves false -> true');
SELECT is((SELECT confirmed FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa', NULL, false)), true,
          'confirmed never moves back');
SELECT is((SELECT confirmed FROM registry.deploy('dep-k1', '1', 'Token', '0xaaa', NULL, NULL)), true,
          'confirmed NULL is false');
SELECT is((SELECT count(*) FROM registry.deployments WHERE idempotency_key = 'dep-k1')::int, 1,
          'still one row for the key');

-- deploy: conflicts ---------------------------------------------------------
SELECT throws_ok($$SELECT registry.deploy('dep-k1', '1', 'Token', '0xbbb')$$, '23505',
                 'deployment "dep-k1" on chain "1" already exists with another address',
                 'another address is 23505');
SELECT is(pg_temp.err($$SELECT registry.deploy('dep-k1', '1', 'Token', '0xbbb')$$),
          '23505: Project "_" stores contract "Token" at address 0xaaa; the call gave contract "Token" at address 0xbbb.',
          'the 23505 DETAIL names the stored address');
SELECT throws_ok($$SELECT registry.deploy('dep-k1', '1', 'Other', '0xaaa')$$, '23505',
                 'deployment "dep-k1" on chain "1" already exists with another contract',
                 'another contract is 23505');
SELECT is((SELECT address FROM registry.deploy('dep-k1', '2', 'Token', '0xbbb')), '0xbbb',
          'the same key on another chain is another deployment');
SELECT is((SELECT row(project_id, address)::text FROM registry.deploy('dep-k1', '1', 'Token', '0xccc', project_id => 'dep-p')),
          row('dep-p', '0xccc')::text, 'the same key in another project is another deployment');

-- deploy: a session whose last three calls inserted new keys tries the
-- INSERT first; a stored key must still be found, merged or refused exactly
-- as above
SELECT is((SELECT count(*) FROM (VALUES ('dep-s1'), ('dep-s2')) k (k), registry.deploy(k, '1', 'Token', '0x5'))::int,
          2, 'two new keys');
SELECT is((SELECT state FROM registry.deploy('dep-n1', '1', 'Token', '0xn1')), 'deployed',
          'a third new key in a row (the next call goes INSERT-first)');
SELECT throws_ok($$SELECT registry.deploy('dep-k1', '1', 'Token', '0xbbb')$$, '23505',
                 'deployment "dep-k1" on chain "1" already exists with another address',
                 'after a new key: another address for a stored key is 23505');
SELECT is((SELECT count(*) FROM (VALUES ('dep-n2'), ('dep-s3'), ('dep-s4')) k (k), registry.deploy(k, '1', 'Token', '0x5'))::int,
          3, 'three new keys in a row');
SELECT is((SELECT row(address, tx_hash)::text FROM registry.deploy('dep-n1', '1', 'Token', '0xn1', '0xtn1')),
          row('0xn1', '0xtn1')::text, 'after a new key: a replay that brings a tx_hash fills it');
SELECT is((SELECT count(*) FROM (VALUES ('dep-s5'), ('dep-s6'), ('dep-n3')) k (k), registry.deploy(k, '1', 'Token', '0xn3'))::int,
          3, 'three new keys in a row');
CREATE TEMP TABLE n3 AS SELECT xmin::text || ctid::text AS v FROM registry.deployments
 WHERE idempotency_key = 'dep-n3';
SELECT is((SELECT address FROM registry.deploy('dep-n3', '1', 'Token', '0xn3')), '0xn3',
          'after a new key: a replay of that key returns it');
SELECT is((SELECT xmin::text || ctid::text FROM registry.deployments WHERE idempotency_key = 'dep-n3'),
          (SELECT v FROM n3), 'after a new key: a replay with nothing new writes no row version');

-- deploy: bad input -----------------------------------------------------------
SELECT throws_ok($$SELECT registry.deploy('', '1', 'T', '0x1')$$, '22023',
                 'idempotency_key must not be empty', 'an empty key is 22023');
SELECT throws_ok($$SELECT registry.deploy(NULL, '1', 'T', '0x1')$$, '22023',
                 'idempotency_key must not be null', 'a NULL key is 22023');
SELECT throws_ok($$SELECT registry.deploy(repeat('k', 1001), '1', 'T', '0x1')$$, '22023',
                 'idempotency_key is too long', 'a 1001-byte key is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '', 'T', '0x1')$$, '22023',
                 'chain_id must not be empty', 'an empty chain is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1:2', 'T', '0x1')$$, '22023',
                 'chain_id must not contain ":"', 'a chain id with a colon is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1', '', '0x1')$$, '22023',
                 'contract must not be empty', 'an empty contract is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1', 'T', NULL)$$, '22023',
                 'address must not be null', 'a NULL address is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1', 'T', '0x1', '')$$, '22023',
                 'tx_hash must not be empty', 'an empty tx_hash is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1', 'T', '0x1', NULL, false, '')$$, '22023',
                 'project_id must not be empty', 'an empty project is 22023');
SELECT throws_ok($$SELECT registry.deploy('k', '1', 'T', '0x1', NULL, false, E'a\nb')$$, '22023',
                 'project_id must not contain control characters', 'a control character in the project is 22023');
SELECT is((SELECT count(*) FROM registry.deployments WHERE idempotency_key = 'k')::int, 0,
          'failed deploys stored nothing');

-- artifact revisions ------------------------------------------------------------
SELECT lives_ok($$SELECT registry.put_artifact('dep-p', 'Vault', '[]', '0x6001')$$, 'put Vault');
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-v1', '1', 'Vault', '0xv1', project_id => 'dep-p')),
          sha256('\x6001'::bytea), 'deploy links the artifact revision current at that moment');
SELECT lives_ok($$SELECT registry.put_artifact('dep-p', 'Vault', '[]', '0x6002')$$, 'recompile Vault');
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-v2', '1', 'Vault', '0xv2', project_id => 'dep-p')),
          sha256('\x6002'::bytea), 'a later deploy links the new revision');
SELECT is(registry.artifact_json('dep-p', 'Vault',
            (SELECT artifact_sha256 FROM registry.get_deployment('dep-v1', '1', 'dep-p'))) ->> 'bytecode',
          '0x6001', 'the older deployment still reaches the exact compile it used');
SELECT is((SELECT artifact_sha256 FROM registry.get_deployment('dep-k1', '1')), NULL,
          'a deployment of a contract without an artifact links no revision');
SELECT is((SELECT array_agg(idempotency_key)::text FROM registry.deployments_of_bytecode('0x6001')),
          '{dep-v1}', 'deployments_of_bytecode by hex bytecode');
SELECT is((SELECT array_agg(idempotency_key)::text FROM registry.deployments_of_bytecode(sha256('\x6002'::bytea))),
          '{dep-v2}', 'deployments_of_bytecode by sha256');
-- deploy: a new key's result is formed from the call and the columns the
-- table fills in (id, state, claimed_until, created_at, updated_at); it must
-- be the stored row in every column, on both insert paths
CREATE FUNCTION pg_temp.stored(k text, p text) RETURNS text LANGUAGE sql AS $$
	SELECT row(project_id, idempotency_key, chain_id, contract, address, tx_hash, confirmed,
	           state, artifact_sha256, claimed_until, created_at, updated_at, id)::registry.deployment::text
	  FROM registry.deployments WHERE idempotency_key = k AND project_id = p AND chain_id = '1'
$$;
SELECT lives_ok($$SELECT registry.put_artifact('dep-q', 'Vault', '[]', '0x6003')$$, 'put Vault in dep-q');
SELECT is((SELECT address FROM registry.deploy('dep-v1', '1', 'Vault', '0xv1', project_id => 'dep-p')), '0xv1',
          'a replay (the next new key is looked up first)');
CREATE TEMP TABLE r1 AS SELECT d::text AS got FROM registry.deploy('dep-r1', '1', 'Vault', '0xr1', '0xtr1', true, 'dep-q') AS d;
SELECT is((SELECT got FROM r1), pg_temp.stored('dep-r1', 'dep-q'),
          'a new key looked up first: the result is the stored row, every column');
SELECT is((SELECT count(*) FROM (VALUES ('dep-r2'), ('dep-r3')) k (k), registry.deploy(k, '1', 'Token', '0x5', project_id => 'dep-q'))::int,
          2, 'two more new keys (three in a row)');
CREATE TEMP TABLE r4 AS SELECT d::text AS got FROM registry.deploy('dep-r4', '1', 'Vault', '0xr4', project_id => 'dep-q') AS d;
SELECT is((SELECT got FROM r4), pg_temp.stored('dep-r4', 'dep-q'),
          'a new key INSERT-first: the result is the stored row, every column');
SELECT isnt((SELECT artifact_sha256 FROM registry.get_deployment('dep-r4', '1', 'dep-q')), NULL,
            'that row links its artifact revision');
-- the revision cache: a second new key of one contract reads the revision
-- from the session's cache (no index scan of artifacts); any change to
-- artifacts is seen at once; with the trigger disabled there is no cache
SELECT pg_stat_get_xact_numscans('registry.artifacts_pkey'::regclass) AS scans0 \gset
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c1', '1', 'Vault', '0xc1', project_id => 'dep-q')),
          sha256('\x6003'::bytea), 'a new key links the current revision');
SELECT pg_stat_get_xact_numscans('registry.artifacts_pkey'::regclass) AS scans1 \gset
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c2', '1', 'Vault', '0xc2', project_id => 'dep-q')),
          sha256('\x6003'::bytea), 'another new key of the same contract links it too');
SELECT is(pg_stat_get_xact_numscans('registry.artifacts_pkey'::regclass) - :scans1, 0::bigint,
          'the second reads the revision from the session cache (no index scan of artifacts)');
SELECT lives_ok($$SELECT registry.put_artifact('dep-q', 'Vault', '[]', '0x6005')$$, 'recompile Vault in dep-q');
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c3', '1', 'Vault', '0xc3', project_id => 'dep-q')),
          sha256('\x6005'::bytea), 'a recompile in this transaction is linked at once');
UPDATE registry.artifacts SET bytecode = '\x6003' WHERE project_id = 'dep-q' AND name = 'Vault';
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c4', '1', 'Vault', '0xc4', project_id => 'dep-q')),
          sha256('\x6003'::bytea), 'a direct UPDATE of registry.artifacts is seen at once');
ALTER TABLE registry.artifacts DISABLE TRIGGER artifacts_changed;
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c5', '1', 'Vault', '0xc5', project_id => 'dep-q')),
          sha256('\x6003'::bytea), 'trigger disabled: a new key links the current revision');
UPDATE registry.artifacts SET bytecode = '\x6005' WHERE project_id = 'dep-q' AND name = 'Vault';
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c6', '1', 'Vault', '0xc6', project_id => 'dep-q')),
          sha256('\x6005'::bytea), 'trigger disabled: a change nothing announced is still seen (no cache)');
ALTER TABLE registry.artifacts ENABLE ALWAYS TRIGGER artifacts_changed;
SELECT is((SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'registry.artifacts'::regclass
            AND tgname = 'artifacts_changed'), 'A', 'artifacts_changed fires ALWAYS (replicas too)');
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c7', '1', 'Vault', '0xc7', project_id => 'dep-q')),
          sha256('\x6005'::bytea), 'trigger enabled again: the revision is cached');
SET LOCAL session_replication_role = replica;
UPDATE registry.artifacts SET bytecode = '\x6003' WHERE project_id = 'dep-q' AND name = 'Vault';
SET LOCAL session_replication_role = origin;
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c8', '1', 'Vault', '0xc8', project_id => 'dep-q')),
          sha256('\x6003'::bytea), 'a change written as a replica''s apply worker is seen at once');
-- an invalidation of registry.deployments first (DDL), then a change to artifacts
ALTER TABLE registry.deployments ALTER COLUMN address SET STATISTICS 100;
UPDATE registry.artifacts SET bytecode = '\x6005' WHERE project_id = 'dep-q' AND name = 'Vault';
SELECT is((SELECT artifact_sha256 FROM registry.deploy('dep-c9', '1', 'Vault', '0xc9', project_id => 'dep-q')),
          sha256('\x6005'::bytea), 'a change to artifacts after DDL on deployments is seen at once');

-- a BEFORE INSERT trigger (an operator's) may change the row: deploy returns what was stored
CREATE FUNCTION pg_temp.lower_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.address := lower(NEW.address); RETURN NEW; END $$;
CREATE TRIGGER lower_address BEFORE INSERT ON registry.deployments
	FOR EACH ROW EXECUTE FUNCTION pg_temp.lower_address();
SELECT is((SELECT address FROM registry.deploy('dep-t1', '1', 'Token', '0xABC', project_id => 'dep-q')), '0xabc',
          'with a BEFORE INSERT trigger, a new key returns the row as the trigger stored it');
DROP TRIGGER lower_address ON registry.deployments;
-- a new key's id, created_at and updated_at are what the column defaults
-- compute: the sequence's next value and now()
CREATE TEMP TABLE n1 AS SELECT * FROM registry.deploy('dep-n1', '1', 'Token', '0xn1', project_id => 'dep-q');
SELECT is((SELECT id FROM n1), currval('registry.deployments_id_seq'), 'a new key''s id is the sequence''s next value');
SELECT is((SELECT array[created_at, updated_at] FROM n1), array[now(), now()],
          'a new key''s created_at and updated_at are now()');
-- in a read-only transaction (a hot standby) a replay writes nothing and
-- works; a new key is refused as the INSERT it needs
SAVEPOINT ro;
SELECT is((SELECT count(*) FROM (VALUES ('dep-s1'), ('dep-s2'), ('dep-s3')) k (k), registry.deploy(k, '1', 'Token', '0xs', project_id => 'dep-q'))::int,
          3, 'three new keys in a row (the next call would try the INSERT first)');
SET LOCAL transaction_read_only = on;
SELECT is((SELECT address FROM registry.deploy('dep-s3', '1', 'Token', '0xs', project_id => 'dep-q')), '0xs',
          'read-only transaction: a replay returns the stored row, even after a run of new keys');
SELECT throws_ok($$SELECT registry.deploy('dep-ro', '1', 'Token', '0xro', project_id => 'dep-q')$$, '25006',
                 'cannot execute INSERT in a read-only transaction', 'read-only transaction: a new key is 25006, naming the INSERT');
ROLLBACK TO SAVEPOINT ro;
-- an operator's default for claimed_until: the result is still the stored row
ALTER TABLE registry.deployments ALTER COLUMN claimed_until SET DEFAULT '2030-01-01 00:00:00+00';
CREATE TEMP TABLE d1 AS SELECT d::text AS got FROM registry.deploy('dep-d1', '1', 'Token', '0xd1', project_id => 'dep-q') AS d;
SELECT is((SELECT got FROM d1), pg_temp.stored('dep-d1', 'dep-q'),
          'with a default for claimed_until, a new key''s result is the stored row, every column');
SELECT is((SELECT claimed_until FROM registry.deployments WHERE idempotency_key = 'dep-d1'),
          '2030-01-01 00:00:00+00'::timestamptz, 'the stored row holds that default');
ALTER TABLE registry.deployments ALTER COLUMN claimed_until DROP DEFAULT;
CREATE TEMP TABLE d2 AS SELECT d::text AS got FROM registry.deploy('dep-d2', '1', 'Token', '0xd2', '0xtd2', project_id => 'dep-q') AS d;
SELECT is((SELECT got FROM d2), pg_temp.stored('dep-d2', 'dep-q'),
          'default dropped again: a new key with a tx hash, the result is the stored row, every column');
-- the result type changed by hand: an extra column is 55000, a dropped one is skipped
ALTER TYPE registry.deployment ADD ATTRIBUTE extra int;
SELECT throws_ok($$SELECT registry.deploy('dep-x1', '1', 'Token', '0xx1', project_id => 'dep-q')$$, '55000',
                 'registry.deployments has no column "extra"', 'a result type with a column the table lacks is 55000');
ALTER TYPE registry.deployment DROP ATTRIBUTE extra;
CREATE TEMP TABLE x1 AS SELECT d::text AS got FROM registry.deploy('dep-x1', '1', 'Token', '0xx1', project_id => 'dep-q') AS d;
SELECT is((SELECT got FROM x1), pg_temp.stored('dep-x1', 'dep-q'),
          'a result type with a dropped column: the new row without it');

SELECT throws_ok($$SELECT * FROM registry.deployments_of_bytecode('\x01'::bytea)$$, '22023',
                 'bytecode_sha256 must be 32 bytes', 'a digest of the wrong length is 22023');
SELECT throws_ok($$SELECT * FROM registry.deployments_of_bytecode('0x0')$$, '22P02',
                 'invalid hexadecimal in bytecode', 'bad hex bytecode is 22P02');

-- lookups -------------------------------------------------------------------
SELECT is((SELECT count(*) FROM registry.get_deployment('dep-none', '1'))::int, 0,
          'get_deployment of an absent key returns no row');
SELECT is((SELECT address FROM registry.get_deployment('dep-k1', '1', 'dep-p')), '0xccc',
          'get_deployment within a project');
SELECT is((SELECT array_agg(idempotency_key || '@' || chain_id)::text FROM registry.list_deployments('dep-p')),
          '{dep-k1@1,dep-v1@1,dep-v2@1}', 'list_deployments of a project, oldest first');
SELECT is((SELECT array_agg(idempotency_key || '@' || chain_id)::text FROM registry.list_deployments(NULL, '2')
            WHERE idempotency_key LIKE 'dep-%'),
          '{dep-k1@2}', 'list_deployments of every project on one chain');
SELECT is((SELECT address FROM registry.latest_deployment('dep-p', 'Vault', '1')), '0xv2',
          'latest_deployment is the most recent');
SELECT is((SELECT address FROM registry.latest_deployment('dep-p', 'Vault', '1', 2)), '0xv1',
          'latest_deployment nth = 2 is the one before');
SELECT is((SELECT count(*) FROM registry.latest_deployment('dep-p', 'Vault', '1', 3))::int, 0,
          'no third deployment');
SELECT throws_ok($$SELECT * FROM registry.latest_deployment('dep-p', 'Vault', '1', 0)$$, '22023',
                 'nth must be at least 1', 'nth 0 is 22023');

-- active chain ------------------------------------------------------------------
WITH d AS (DELETE FROM registry.active_chains RETURNING 1) SELECT 'active chains cleared' FROM (SELECT count(*) FROM d) AS s;
SELECT is(registry.active_chain_id(), NULL, 'no active chain by default');
SELECT throws_ok($$SELECT * FROM registry.latest_deployment('dep-p', 'Vault')$$, '22023',
                 'no chain_id given and no active chain set', 'latest_deployment needs a chain');
SELECT is(registry.set_active_chain('1'), '1', 'set the global active chain');
SELECT is(registry.active_chain_id('dep-p'), '1', 'a project without an override sees the global chain');
SELECT is(registry.set_active_chain('2', 'dep-p'), '2', 'set a project override');
SELECT is(registry.active_chain_id('dep-p'), '2', 'the override wins for its project');
SELECT is(registry.active_chain_id(), '1', 'the global value is unchanged');
SELECT is((SELECT address FROM registry.latest_deployment('dep-p', 'Token')), NULL,
          'latest_deployment without a chain uses the project''s active chain (nothing on 2)');
SELECT is(registry.set_active_chain(NULL, 'dep-p'), '1', 'removing the override falls back to the global chain');
SELECT is((SELECT address FROM registry.latest_deployment('dep-p', 'Vault')), '0xv2',
          'latest_deployment on the active chain');
SELECT throws_ok($$SELECT registry.set_active_chain('')$$, '22023', 'chain_id must not be empty',
                 'an empty chain id is 22023');
SELECT throws_ok($$SELECT registry.set_active_chain('1', '')$$, '22023', 'project_id must not be empty',
                 'an empty project is 22023');

-- claims, broadcasts, confirmations -----------------------------------------------
SELECT is((SELECT row(claimed, (deployment).state, (deployment).address)::text
             FROM registry.claim_deploy('dep-c1', '1', 'Vault', 'dep-p')),
          row(true, 'pending', NULL::text)::text, 'the first claim of a key must broadcast');
SELECT is((SELECT (deployment).artifact_sha256 FROM registry.claim_deploy('dep-c1', '1', 'Vault', 'dep-p')),
          sha256('\x6002'::bytea), 'a claim links the current artifact revision');
SELECT is((SELECT claimed FROM registry.claim_deploy('dep-c1', '1', 'Vault', 'dep-p')), false,
          'a second claim of a live lease must not broadcast');
SELECT throws_ok($$SELECT * FROM registry.claim_deploy('dep-c1', '1', 'Token', 'dep-p')$$, '23505',
                 'deployment "dep-c1" on chain "1" already exists with another contract',
                 'a claim for another contract is 23505');
SELECT is((SELECT row(state, tx_hash)::text FROM registry.record_broadcast('dep-c1', '1', '0xtx1', 'dep-p')),
          row('broadcast', '0xtx1')::text, 'record_broadcast stores the hash: broadcast');
SELECT is((SELECT tx_hash FROM registry.record_broadcast('dep-c1', '1', '0xtx2', 'dep-p')), '0xtx2',
          'a replacement transaction replaces the hash while not deployed');
SELECT throws_ok($$SELECT registry.confirm_deployment('dep-c1', '1', 'dep-p')$$, '55000',
                 'deployment "dep-c1" on chain "1" is broadcast and has no address yet',
                 'confirming without an address is 55000');
SELECT is((SELECT row(state, address, tx_hash)::text FROM registry.deploy('dep-c1', '1', 'Vault', '0xc1', NULL, false, 'dep-p')),
          row('deployed', '0xc1', '0xtx2')::text, 'deploy completes a broadcast claim and keeps its hash');
SELECT is((SELECT row(claimed, (deployment).address)::text FROM registry.claim_deploy('dep-c1', '1', 'Vault', 'dep-p')),
          row(false, '0xc1')::text, 'a claim of a deployed key returns it, claimed = false');
SELECT throws_ok($$SELECT registry.record_broadcast('dep-c1', '1', '0xother', 'dep-p')$$, '55000',
                 'deployment "dep-c1" on chain "1" is already deployed', 'a different hash after deploy is 55000');
SELECT is((SELECT state FROM registry.confirm_deployment('dep-c1', '1', 'dep-p')), 'confirmed',
          'confirm_deployment confirms');
SELECT is((SELECT state FROM registry.confirm_deployment('dep-c1', '1', 'dep-p')), 'confirmed',
          'confirm_deployment is idempotent');
SELECT throws_ok($$SELECT registry.confirm_deployment('dep-c1', '1', 'dep-p', '0xzzz')$$, '23505',
                 NULL, 'confirming with another address is 23505');
SELECT throws_ok($$SELECT registry.confirm_deployment('dep-none', '1')$$, 'P0002',
                 'deployment "dep-none" on chain "1" does not exist', 'confirming an unknown key is P0002');
SELECT throws_ok($$SELECT registry.record_broadcast('dep-none', '1', '0x1')$$, 'P0002',
                 'deployment "dep-none" on chain "1" does not exist', 'broadcasting an unknown key is P0002');
SELECT throws_ok($$SELECT registry.record_broadcast('dep-c1', '1', '', 'dep-p')$$, '22023',
                 'tx_hash must not be empty', 'an empty hash is 22023');

-- an expired claim is taken over; confirm_deployment can complete a claim
SELECT is((SELECT claimed FROM registry.claim_deploy('dep-c2', '1', 'Vault', 'dep-p', '1 millisecond')), true,
          'claim with a short lease');
SELECT pg_sleep(0.01) IS NOT NULL AS slept \gset
SELECT is((SELECT claimed FROM registry.claim_deploy('dep-c2', '1', 'Vault', 'dep-p')), true,
          'an expired pending claim is claimed again');
SELECT is((SELECT row(state, confirmed)::text FROM registry.confirm_deployment('dep-c2', '1', 'dep-p', '0xc2')),
          row('confirmed', true)::text, 'confirm_deployment with the address completes a claim');
SELECT throws_ok($$SELECT * FROM registry.claim_deploy('dep-c3', '1', 'Vault', 'dep-p', '0 seconds')$$, '22023',
                 'lease must be a positive interval', 'a zero lease is 22023');

-- the table's own rules (one CHECK, registry.deployment_row_ok), for writes that bypass deploy
SELECT is(ARRAY(SELECT conname::text FROM pg_constraint
                 WHERE conrelid = 'registry.deployments'::regclass AND contype = 'c'),
          ARRAY['deployments_row_check'], 'registry.deployments has one CHECK, deployments_row_check');
SELECT lives_ok($$INSERT INTO registry.deployments (project_id, idempotency_key, chain_id, contract, address, tx_hash, confirmed)
                  VALUES ('dep-p', 'dep-direct', '1', 'Token', '0xd1', '0xt', true)$$,
                'a valid row written directly passes the CHECK');
SELECT throws_ok(format($$INSERT INTO registry.deployments (project_id, idempotency_key, chain_id, contract, address, tx_hash, confirmed)
                          VALUES (%s, %s, %s, %s, %s, %s, %s)$$, VARIADIC r), '23514',
                 'new row for relation "deployments" violates check constraint "deployments_row_check"',
                 'the table refuses ' || what)
  FROM (VALUES (ARRAY['''''', '''dep-d1''', '''1''', '''T''', 'NULL', 'NULL', 'false'], 'an empty project id'),
               (ARRAY['repeat(''x'', 5000)', '''dep-d1''', '''1''', '''T''', 'NULL', 'NULL', 'false'], 'an invalid project id'),
               (ARRAY['''dep-p''', '''''', '''1''', '''T''', 'NULL', 'NULL', 'false'], 'an empty idempotency key'),
               (ARRAY['''dep-p''', '''dep-d1''', '''''', '''T''', 'NULL', 'NULL', 'false'], 'an empty chain id'),
               (ARRAY['''dep-p''', '''dep-d1''', '''eip155:1''', '''T''', 'NULL', 'NULL', 'false'], 'a chain id with '':'''),
               (ARRAY['''dep-p''', '''dep-d1''', '''1''', '''''', 'NULL', 'NULL', 'false'], 'an empty contract'),
               (ARRAY['''dep-p''', '''dep-d1''', '''1''', '''T''', '''''', 'NULL', 'false'], 'an empty address'),
               (ARRAY['''dep-p''', '''dep-d1''', '''1''', '''T''', '''0xa''', '''''', 'false'], 'an empty tx_hash'),
               (ARRAY['''dep-p''', '''dep-d1''', '''1''', '''T''', 'NULL', '''0xt''', 'true'], 'confirmed without an address'))
       AS t(r, what);
SELECT throws_ok($$UPDATE registry.deployments SET address = NULL WHERE idempotency_key = 'dep-direct'$$, '23514',
                 'new row for relation "deployments" violates check constraint "deployments_row_check"',
                 'an update that leaves a confirmed row without an address is refused');
SELECT throws_ok($$INSERT INTO registry.deployments (project_id, idempotency_key, chain_id, contract)
                   VALUES ('dep-p', NULL, '1', 'T')$$, '23502', NULL,
                 'a NULL key is the column''s NOT NULL error, not the CHECK''s');
SELECT is(registry.deployment_row_ok('dep-p', NULL, '1', 'T', NULL, NULL, false), NULL,
          'deployment_row_ok is NULL when a NOT NULL column is NULL');
SELECT is(registry.deployment_row_ok('dep-p', 'k', '1', 'T', NULL, NULL, false), true,
          'deployment_row_ok: a pending claim''s row (no address, no hash) is valid');
SELECT is(registry.deployment_row_ok('dep-p', 'k', '1', 'T', NULL, '0xt', false), true,
          'deployment_row_ok: a broadcast row (hash, no address) is valid');

SELECT * FROM finish();
ROLLBACK;
