-- Artifacts: put/get/list, hex bytecode, revisions by sha256, the Hardhat
-- artifact JSON, and every bad input with its SQLSTATE.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(38);

-- put and get ---------------------------------------------------------------
SELECT is((registry.put_artifact('art-a', 'Token', '[{"type":"constructor"}]', '0x6080AB',
                                 '60ff', '{"version":"0.8.24"}', 'contracts/Token.sol')).bytecode,
          '0x6080ab', 'put_artifact returns bytecode as lowercase 0x hex');
SELECT is((SELECT deployed_bytecode FROM registry.get_artifact('art-a', 'Token')),
          '0x60ff', 'hex without 0x is accepted and returned with 0x');
SELECT is((SELECT row(path, abi, compiler)::text FROM registry.get_artifact('art-a', 'Token')),
          row('contracts/Token.sol', '[{"type":"constructor"}]'::jsonb, '{"version":"0.8.24"}'::jsonb)::text,
          'path, abi and compiler are stored');
SELECT is((SELECT bytecode FROM registry.artifacts WHERE project_id = 'art-a' AND name = 'Token'),
          '\x6080ab'::bytea, 'bytecode is stored as bytea');
SELECT is((SELECT bytecode_sha256 FROM registry.get_artifact('art-a', 'Token')),
          sha256('\x6080ab'::bytea), 'the revision id is the sha256 of the creation bytecode');
SELECT is((SELECT count(*) FROM registry.get_artifact('art-a', 'Nope'))::int, 0,
          'get_artifact of an absent name returns no row');
SELECT is((SELECT count(*) FROM registry.get_artifact('art-zz', 'Token'))::int, 0,
          'get_artifact of another project returns no row');

-- upsert, revisions ---------------------------------------------------------
SELECT is((registry.put_artifact('art-a', 'Token', '[]', '0x6081')).bytecode, '0x6081',
          'put_artifact again replaces the current compile');
SELECT is((SELECT row(path, deployed_bytecode, compiler)::text FROM registry.get_artifact('art-a', 'Token')),
          row(NULL::text, NULL::text, NULL::jsonb)::text,
          'omitted optional arguments are cleared by the upsert');
SELECT is((SELECT count(*) FROM registry.artifacts WHERE project_id = 'art-a')::int, 1,
          'one artifact row per (project_id, name)');
SELECT is((SELECT array_agg(bytecode ORDER BY created_at, bytecode_sha256)::text
             FROM registry.artifact_revisions('art-a', 'Token')),
          (SELECT array_agg(b ORDER BY ord)::text FROM (VALUES (1, '0x6080ab'), (2, '0x6081')) v(ord, b)),
          'both creation bytecodes are kept as revisions, oldest first');
SELECT is((SELECT bytecode FROM registry.artifact_revisions('art-a', 'Token') WHERE is_current),
          '0x6081', 'the current revision is flagged');
SELECT lives_ok($$SELECT registry.put_artifact('art-a', 'Token', '[1]', '0x6080ab', '0x60ff')$$,
                'going back to an old bytecode');
SELECT is((SELECT count(*) FROM registry.artifact_revisions('art-a', 'Token'))::int, 2,
          'a bytecode seen before is not a new revision');
SELECT is((SELECT abi FROM registry.artifact_revisions('art-a', 'Token') WHERE is_current),
          '[1]'::jsonb, 'its revision carries the latest metadata put with that bytecode');

-- Hardhat artifact JSON ---------------------------------------------------------
SELECT lives_ok($$SELECT registry.put_artifact('art-a', 'Token', '[{"type":"function","name":"f"}]', '0x6082',
                             '0x6083', NULL, 'contracts/Token.sol')$$, 'a third compile');
SELECT is(registry.artifact_json('art-a', 'Token'),
          '{"_format": "hh-sol-artifact-1", "contractName": "Token", "sourceName": "contracts/Token.sol",
            "abi": [{"type":"function","name":"f"}], "bytecode": "0x6082", "deployedBytecode": "0x6083",
            "linkReferences": {}, "deployedLinkReferences": {}}'::jsonb,
          'artifact_json is a Hardhat artifact');
SELECT is(registry.artifact_json('art-a', 'Token', sha256('\x6081'::bytea)) ->> 'bytecode', '0x6081',
          'artifact_json of an older revision by sha256');
SELECT is(registry.artifact_json('art-a', 'Token', sha256('\x6081'::bytea)) ->> 'deployedBytecode', '0x',
          'a revision without deployed bytecode says 0x');
SELECT is(registry.artifact_json('art-a', 'Missing'), NULL, 'artifact_json of an absent artifact is NULL');

-- list ------------------------------------------------------------------------
SELECT lives_ok($$SELECT registry.put_artifact('art-a', 'Alpha', '[]', '0x00')$$, 'put Alpha');
SELECT lives_ok($$SELECT registry.put_artifact('art-b', 'Beta', '[]', '0x')$$, 'put Beta in another project');
SELECT is((SELECT array_agg(name)::text FROM registry.list_artifacts('art-a')), '{Alpha,Token}',
          'list_artifacts orders by name');
SELECT is((SELECT array_agg(project_id || '/' || name)::text FROM registry.list_artifacts()
            WHERE project_id LIKE 'art-%'),
          '{art-a/Alpha,art-b/Beta,art-a/Token}', 'list_artifacts(NULL) lists every project');
SELECT is((SELECT bytecode FROM registry.get_artifact('art-b', 'Beta')), '0x',
          'an empty bytecode (0x) is accepted');

-- bad input -----------------------------------------------------------------
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', '[]', '0x6')$$, '22P02',
                 'invalid hexadecimal in bytecode', 'odd-length bytecode is 22P02');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', '[]', '0x60zz')$$, '22P02',
                 'invalid hexadecimal in bytecode', 'a non-hex digit is 22P02');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', '[]', '0x60', '0xg0')$$, '22P02',
                 'invalid hexadecimal in deployed_bytecode', 'bad deployed bytecode names its field');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', '{"a":1}', '0x60')$$, '22023',
                 'abi must be a JSON array', 'an abi object is 22023');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', NULL, '0x60')$$, '22023',
                 'abi must not be null', 'a NULL abi is 22023');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', '', '[]', '0x60')$$, '22023',
                 'name must not be empty', 'an empty name is 22023');
SELECT throws_ok($$SELECT registry.put_artifact('', 'X', '[]', '0x60')$$, '22023',
                 'project_id must not be empty', 'an empty project is 22023');
SELECT throws_ok($$SELECT registry.put_artifact(NULL, 'X', '[]', '0x60')$$, '22023',
                 'project_id must not be null', 'a NULL project is 22023');
SELECT throws_ok($$SELECT registry.put_artifact('art-a', 'X', '[]', NULL)$$, '22023',
                 'bytecode must not be null', 'a NULL bytecode is 22023');
SELECT throws_ok($$SELECT * FROM registry.get_artifact('', 'X')$$, '22023',
                 'project_id must not be empty', 'get_artifact checks the project id');
SELECT throws_ok($$SELECT registry.decode_hex(E'0x6\u00e9', 'bytecode')$$, '22P02',
                 'invalid hexadecimal in bytecode', 'a multibyte character is 22P02');
SELECT is((SELECT count(*) FROM registry.artifacts WHERE name = 'X')::int, 0,
          'failed puts stored nothing');
SELECT throws_ok($$INSERT INTO registry.artifacts (project_id, name, abi, bytecode) VALUES ('art-a', 'Y', '"x"', '\x00')$$,
                 '23514', NULL, 'the table itself refuses a non-array abi');

SELECT * FROM finish();
ROLLBACK;
