-- Chunk catalog, part 3: write-once config pins and the config validator
-- (the seed's malformed-case matrix: each case a 22023 naming the field).
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(41);

-- pins
SELECT is(registry.config_pin('config:earliest_ledger', 'chunk-cfg'), NULL, 'an unset pin is NULL');
SELECT is(registry.set_config_pin('config:earliest_ledger', '20002', 'chunk-cfg'), '20002', 'a pin is set');
SELECT is(registry.config_pin('config:earliest_ledger', 'chunk-cfg'), '20002', 'and read back');
SELECT is(registry.set_config_pin('config:earliest_ledger', '20002', 'chunk-cfg'), '20002',
          'setting the same value again is fine');
SELECT is(registry.set_config_pin('config:earliest_ledger', '0020002', 'chunk-cfg'), '20002',
          'the same number with leading zeros is the same value');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', '30002', 'chunk-cfg')$$, '23505',
                 'config pin config:earliest_ledger is already set to 20002',
                 'a different value later: 23505 naming the stored value');
SELECT is(registry.config_pin('config:earliest_ledger', 'chunk-cfg'), '20002', '... which is unchanged');
SELECT is(registry.config_pin('config:earliest_ledger', 'chunk-cfg2'), NULL, 'pins are per project');
SELECT is(registry.set_config_pin('config:chunks_per_txhash_index', '1677', 'chunk-cfg'), '1677',
          'chunks_per_txhash_index 1677 is the maximum');
SELECT throws_ok($$SELECT registry.set_config_pin('config:chunks_per_txhash_index', '0', 'chunk-cfg2')$$, '22023',
                 'config:chunks_per_txhash_index must be between 1 and 1677', 'a zero cpi pin: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:chunks_per_txhash_index', '1678', 'chunk-cfg2')$$, '22023',
                 NULL, 'an over-max cpi pin: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', '1', 'chunk-cfg2')$$, '22023',
                 'config:earliest_ledger must be the first ledger of a chunk, at or above the genesis ledger 2',
                 'an earliest_ledger below genesis: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', '10001', 'chunk-cfg2')$$, '22023',
                 NULL, 'an earliest_ledger off a chunk boundary: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', '99999999999999999999', 'chunk-cfg2')$$,
                 '22023', NULL, 'an earliest_ledger beyond bigint: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', '-2', 'chunk-cfg2')$$, '22023',
                 'config pin config:earliest_ledger must be a decimal integer', 'a signed value: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:earliest_ledger', 'two', 'chunk-cfg2')$$, '22023',
                 NULL, 'a non-number: 22023');
SELECT throws_ok($$SELECT registry.set_config_pin('config:retention', '5', 'chunk-cfg2')$$, '22023',
                 'unknown config pin "config:retention"', 'an unknown pin: 22023');
SELECT throws_ok($$SELECT registry.config_pin('earliest_ledger', 'chunk-cfg2')$$, '22023',
                 'unknown config pin "earliest_ledger"', 'reading an unknown pin: 22023');
SELECT is((SELECT array_agg(key || '=' || value) FROM registry.catalog_keys('config:', 'chunk-cfg')),
          '{config:chunks_per_txhash_index=1677,config:earliest_ledger=20002}'::text[],
          'pins appear in the key/value view');

-- validate_config: defaults
SELECT is(registry.validate_config('{}') #> '{backfill,chunks_per_txhash_index}', '1000'::jsonb,
          'chunks_per_txhash_index defaults to 1000');
SELECT is(registry.validate_config('{}') #> '{streaming,earliest_ledger}', '2'::jsonb,
          'earliest_ledger defaults to genesis');
SELECT is(registry.validate_config('{}') #> '{streaming,retention_chunks}', '0'::jsonb,
          'retention_chunks defaults to 0 (keep all)');
SELECT is(registry.validate_config('{"backfill": {"workers": 8, "max_retries": 0, "chunks_per_txhash_index": 1677},
                                     "streaming": {"earliest_ledger": 10000002, "retention_chunks": 100,
                                                   "hot_storage": {"path": "/mnt/hot/"}},
                                     "catalog": {"path": "/mnt//meta"},
                                     "immutable_storage": {"ledgers": {"path": "/mnt/ledgers"}},
                                     "logging": {"level": "debug", "format": "json"}}')
          #> '{backfill}',
          '{"workers": 8, "max_retries": 0, "chunks_per_txhash_index": 1677, "bsb": {"buffer_size": 1000, "num_workers": 20}}'::jsonb,
          'a valid config keeps its values and gains the defaults');
SELECT is(registry.validate_config('{"streaming": {"hot_storage": {"path": "/mnt/hot/"}}, "catalog": {"path": "/mnt//meta"}}')
          #>> '{streaming,hot_storage,path}', '/mnt/hot', 'paths come back normalised');

-- validate_config: the malformed-case matrix
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"chunks_per_txhash_index": 0}}')$$, '22023',
                 'backfill.chunks_per_txhash_index must be at least 1', 'zero chunks per index: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"chunks_per_txhash_index": 1678}}')$$, '22023',
                 'backfill.chunks_per_txhash_index must be at most 1677', 'over-max chunks per index: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"workers": 0}}')$$, '22023',
                 'backfill.workers must be at least 1', 'zero workers: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"max_retries": -1}}')$$, '22023',
                 'backfill.max_retries must be at least 0', 'negative retries: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"streaming": {"earliest_ledger": 1}}')$$, '22023',
                 'streaming.earliest_ledger must be at least 2', 'a floor below genesis: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"streaming": {"earliest_ledger": 10001}}')$$, '22023',
                 'streaming.earliest_ledger must be the first ledger of a chunk', 'a floor off a chunk boundary: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"streaming": {"retention_chunks": -3}}')$$, '22023',
                 'streaming.retention_chunks must be at least 0', 'a negative retention: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"workers": 2.5}}')$$, '22023',
                 'backfill.workers must be an integer', 'a fractional number: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"workers": "8"}}')$$, '22023',
                 'backfill.workers must be an integer', 'a string for a number: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"bsb": {"num_workers": 0}}}')$$, '22023',
                 'backfill.bsb.num_workers must be at least 1', 'a nested section names the full path');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": {"wokers": 8}}')$$, '22023',
                 'unknown config field backfill.wokers', 'an unknown field: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"bogus": {}}')$$, '22023',
                 'unknown config field bogus', 'an unknown section: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"backfill": 5}')$$, '22023',
                 'backfill must be an object', 'a section that is not an object: 22023');
SELECT throws_ok($$SELECT registry.validate_config('[]')$$, '22023',
                 'config must be an object', 'a config that is not an object: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"catalog": {"path": "meta"}}')$$, '22023',
                 'catalog.path must be an absolute path', 'a relative path: 22023');
SELECT throws_ok($$SELECT registry.validate_config('{"logging": {"level": "loud"}}')$$, '22023',
                 'logging.level must be one of ["debug", "info", "warn", "error"]', 'an unknown log level: 22023');
SELECT is(registry.validate_config(NULL), NULL, 'NULL in, NULL out');

SELECT * FROM finish();
ROLLBACK;
