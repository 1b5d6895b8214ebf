-- registry.json import and export: the seed's document format, one
-- transaction, errors naming the offending key, equal round trip.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
\set doc `cat test/registry.json`

BEGIN;
SELECT plan(24);
WITH d AS (DELETE FROM registry.active_chains RETURNING 1) SELECT 'active chains cleared' FROM (SELECT count(*) FROM d) AS s;

SELECT is(registry.import_json(:'doc'), '{"artifacts": 3, "deployments": 4}'::jsonb,
          'the sample registry.json imports three artifacts and four deployments');
SELECT is(registry.export_json(), :'doc'::jsonb, 'export of the import is the same document');
SELECT is((SELECT row(project_id, state, artifact_sha256 IS NOT NULL)::text
             FROM registry.get_deployment('counter-v1', '11155111', 'demo-dapp')),
          row('demo-dapp', 'confirmed', true)::text,
          'an imported deployment is confirmed and linked to its artifact revision');
SELECT is((SELECT project_id FROM registry.get_deployment('safe-main', '1')), '_',
          'a deployment without project_id goes to the default project');
SELECT is(registry.active_chain_id(), '11155111', 'active_chain_id becomes the global active chain');
SELECT is(registry.import_json(:'doc'), '{"artifacts": 3, "deployments": 4}'::jsonb,
          'importing the same document again is idempotent');
SELECT is(registry.export_json(), :'doc'::jsonb, 'and the export is unchanged');
SELECT is(registry.export_json('ops'),
          jsonb_build_object('artifacts', jsonb_build_object('ops:Multisig', :'doc'::jsonb #> '{artifacts,ops:Multisig}'),
                             'deployments', '{}'::jsonb, 'active_chain_id', '11155111'),
          'export_json of one project');
SELECT lives_ok($$SELECT * FROM registry.claim_deploy('pending-one', '5', 'Counter', 'demo-dapp')$$,
                'a pending claim');
SELECT is(registry.export_json(), :'doc'::jsonb, 'pending claims (no address) are not exported');
SELECT is(registry.export_json(NULL) #>> '{artifacts,demo-dapp:Token,updated_at}', '2025-03-14T09:27:01.5Z',
          'updated_at is written as RFC 3339 in UTC');

-- errors name the offending key and change nothing ----------------------------
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {"a:A": {"project_id": "a", "name": "A", "abi": [], "bytecode": "0x00"},
                                                              "b:B": {"project_id": "b", "name": "B", "abi": [], "bytecode": "0x0g"}}}')$$,
                 '22P02', 'artifact "b:B": invalid hexadecimal in bytecode', 'bad hex names the artifact key');
SELECT is((SELECT count(*) FROM registry.artifacts WHERE project_id IN ('a', 'b'))::int, 0,
          'the failed import stored nothing, not even the good record before the bad one');
SELECT throws_ok($$SELECT registry.import_json('{"deployments": {"counter-v1:31337": {"idempotency_key": "counter-v1",
                   "chain_id": "31337", "contract": "Counter", "address": "0x01", "project_id": "demo-dapp"}}}')$$,
                 '23505', 'deployment "counter-v1:31337": deployment "counter-v1" on chain "31337" already exists with another address',
                 'a conflicting deployment names its key');
SELECT throws_ok($$SELECT registry.import_json('{"deployments": {"k:2": {"idempotency_key": "k", "chain_id": "1", "contract": "C", "address": "0x01"}}}')$$,
                 '22023', 'deployment "k:2": the key does not match the record', 'a key that disagrees with its record');
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {"p:N": {"project_id": "p", "name": "N", "abi": [], "bytecode": "0x", "colour": 1}}}')$$,
                 '22023', 'artifact "p:N": unknown field "colour"', 'an unknown field names the key');
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {"p:N": {"project_id": "p", "name": "N", "abi": []}}}')$$,
                 '22023', 'artifact "p:N": missing field "bytecode"', 'a missing field names the key');
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {"p:N": {"project_id": "p", "name": "N", "abi": {}, "bytecode": "0x"}}}')$$,
                 '22023', 'artifact "p:N": abi must be a JSON array', 'a non-array abi names the key');
SELECT throws_ok($$SELECT registry.import_json('{"deployments": {"k:1": {"idempotency_key": "k", "chain_id": "1", "contract": "C", "address": "0x01", "confirmed": "yes"}}}')$$,
                 '22023', 'deployment "k:1": field "confirmed" must be a JSON boolean', 'a mistyped field names the key');
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {"p:N": {"project_id": "p", "name": "N", "abi": [], "bytecode": "0x", "updated_at": "yesterday-ish"}}}')$$,
                 '22007', NULL, 'a bad updated_at is 22007');
SELECT throws_ok($$SELECT registry.import_json('{"artefacts": {}}')$$,
                 '22023', 'registry document: unknown key "artefacts"', 'an unknown top-level key');
SELECT throws_ok($$SELECT registry.import_json('[]')$$,
                 '22023', 'registry document must be a JSON object', 'a document that is not an object');

-- a key:chain used by two projects cannot be one document ----------------------
SELECT lives_ok($$SELECT registry.deploy('safe-main', '1', 'Multisig', '0x02', project_id => 'ops')$$,
                'the same key in another project');
SELECT throws_ok($$SELECT registry.export_json()$$, '23505',
                 'deployment key "safe-main:1" exists in several projects',
                 'exporting everything refuses to merge two projects'' keys');

SELECT * FROM finish();
ROLLBACK;
