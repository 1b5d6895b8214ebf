-- registry walkthrough, part 20: artifacts and deployments (seed 000).
\pset pager off
\pset null '(null)'

\echo
\echo '=== Artifacts: bytecode goes in as hex text (with or without 0x), comes out as 0x... ==='
SELECT name, bytecode, deployed_bytecode, path
  FROM registry.put_artifact('shop', 'Token', '[{"type":"constructor","inputs":[]}]',
                             '6080604052', '0x6080', '{"name":"solc","version":"0.8.24"}',
                             'contracts/Token.sol');
SELECT name, bytecode FROM registry.put_artifact('shop', 'Vault', '[]', '0x60016002');
SELECT project_id, name, bytecode, compiler FROM registry.get_artifact('shop', 'Token');
SELECT count(*) AS absent_rows FROM registry.get_artifact('shop', 'Nope');
SELECT project_id, name FROM registry.list_artifacts('shop');

\echo
\echo '=== A recompile keeps the old bytecode as a revision, identified by its sha256 ==='
SELECT idempotency_key, state, encode(artifact_sha256, 'hex') AS artifact_revision
  FROM registry.deploy('token-v1', '31337', 'Token', '0x5FbDB2315678afecb367f032d93F642f64180aa3',
                       project_id => 'shop');
SELECT name, bytecode FROM registry.put_artifact('shop', 'Token', '[{"type":"constructor","inputs":[]}]',
                                                  '0x6080604053', '0x6081', NULL, 'contracts/Token.sol');
SELECT encode(bytecode_sha256, 'hex') AS sha256, bytecode, is_current
  FROM registry.artifact_revisions('shop', 'Token');
\echo 'The deployment made before the recompile still points at the exact compile it used:'
SELECT d.idempotency_key, encode(d.artifact_sha256, 'hex') AS revision,
       registry.artifact_json('shop', 'Token', d.artifact_sha256) ->> 'bytecode' AS its_bytecode
  FROM registry.get_deployment('token-v1', '31337', 'shop') AS d;
\echo 'The Hardhat artifact file of the current compile:'
SELECT jsonb_pretty(registry.artifact_json('shop', 'Token'));

\echo
\echo '=== registry.deploy (C): idempotent by (project, idempotency_key, chain) ==='
SELECT project_id, idempotency_key, chain_id, contract, address, tx_hash, confirmed, state
  FROM registry.deploy('vault-main', '1', 'Vault', '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9');
\echo 'A replay returns the stored row and writes nothing (same ctid, same xmin):'
SELECT ctid, xmin FROM registry.deployments WHERE idempotency_key = 'vault-main';
SELECT address, state FROM registry.deploy('vault-main', '1', 'Vault', '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9');
SELECT ctid, xmin FROM registry.deployments WHERE idempotency_key = 'vault-main';
\echo 'So a replay also works in a read-only transaction (or on a hot standby):'
BEGIN TRANSACTION READ ONLY;
SELECT address, state FROM registry.deploy('vault-main', '1', 'Vault', '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9');
COMMIT;
\echo 'Monotonic merge: a missing tx_hash is filled, confirmed only goes false -> true:'
SELECT tx_hash, confirmed, state
  FROM registry.deploy('vault-main', '1', 'Vault', '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9', '0xabc123', true);
SELECT tx_hash, confirmed, state
  FROM registry.deploy('vault-main', '1', 'Vault', '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9', NULL, false);
\echo 'Another address for the same key is a conflict whose DETAIL names the stored address:'
\set ON_ERROR_STOP off
\set VERBOSITY default
SELECT * FROM registry.deploy('vault-main', '1', 'Vault', '0x0000000000000000000000000000000000000001');
SELECT * FROM registry.put_artifact('shop', 'Bad', '[]', '0x60zz');
SELECT * FROM registry.put_artifact('shop', 'Bad', '{}', '0x60');
\set ON_ERROR_STOP on

\echo
\echo '=== Exactly-once across racing daemons: claim, broadcast, complete ==='
SELECT claimed, (deployment).state FROM registry.claim_deploy('vault-l2', '10', 'Vault', 'shop', '5 minutes');
\echo 'A second daemon asks while the lease is live: it must not broadcast.'
SELECT claimed, (deployment).state FROM registry.claim_deploy('vault-l2', '10', 'Vault', 'shop');
\echo 'The winner records the hash the moment it broadcasts (a crash now loses nothing):'
SELECT state, tx_hash FROM registry.record_broadcast('vault-l2', '10', '0xfeedbeef', 'shop');
\echo 'The receipt arrives: deploy completes the row and keeps the hash; then it is confirmed.'
SELECT state, address, tx_hash FROM registry.deploy('vault-l2', '10', 'Vault', '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', NULL, false, 'shop');
SELECT state FROM registry.confirm_deployment('vault-l2', '10', 'shop');
SELECT claimed, (deployment).state, (deployment).address FROM registry.claim_deploy('vault-l2', '10', 'Vault', 'shop');

\echo
\echo '=== Lookups ==='
SELECT project_id, idempotency_key, chain_id, contract, state FROM registry.list_deployments('shop');
SELECT project_id, idempotency_key, chain_id FROM registry.deployments_of_bytecode('0x60016002');
SELECT idempotency_key, address FROM registry.deploy('token-v2', '31337', 'Token', '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', project_id => 'shop');
SELECT 1 AS nth, address FROM registry.latest_deployment('shop', 'Token', '31337')
UNION ALL
SELECT 2, address FROM registry.latest_deployment('shop', 'Token', '31337', 2);

\echo
\echo '=== Active chain: a global value with per-project overrides ==='
SELECT registry.set_active_chain('1') AS global, registry.set_active_chain('31337', 'shop') AS shop_override;
SELECT registry.active_chain_id() AS global, registry.active_chain_id('shop') AS shop,
       registry.active_chain_id('other') AS other_project;
SELECT address AS latest_token_on_shop_active_chain FROM registry.latest_deployment('shop', 'Token');

\echo
\echo '=== registry.json: import the sample file, export it back ==='
\set doc `cat test/registry.json`
SELECT registry.import_json(:'doc');
SELECT registry.export_json('demo-dapp') -> 'deployments' -> 'counter-v1:11155111' AS exported_record;
SELECT registry.export_json('demo-dapp') = jsonb_build_object(
         'artifacts', (SELECT jsonb_object_agg(key, value) FROM jsonb_each(:'doc'::jsonb -> 'artifacts') WHERE key LIKE 'demo-dapp:%'),
         'deployments', (SELECT jsonb_object_agg(key, value) FROM jsonb_each(:'doc'::jsonb -> 'deployments') WHERE value ->> 'project_id' = 'demo-dapp'),
         'active_chain_id', '11155111') AS export_equals_import;
\echo 'A bad document changes nothing and names the offending key:'
\set ON_ERROR_STOP off
SELECT registry.import_json('{"artifacts": {"shop:X": {"project_id": "shop", "name": "X", "abi": [], "bytecode": "0x1"}}}');
\set ON_ERROR_STOP on
SELECT count(*) AS artifacts_named_x FROM registry.artifacts WHERE name = 'X';
