-- registry walkthrough, part 10: the chunk catalog of a ledger archive.
\pset pager off
\pset null '(null)'
-- a little helper for this tour: run a statement, show its SQLSTATE and message
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

\echo
\echo '=== 1. Chunk geometry: 10,000 ledgers per chunk, genesis ledger 2 ==='
SELECT l AS ledger, registry.chunk_for_ledger(l) AS chunk
  FROM unnest(ARRAY[2, 3, 10001, 10002, 20001, 20002, 10000002]::bigint[]) AS l;
SELECT c AS chunk, registry.chunk_first_ledger(c) AS first_ledger, registry.chunk_last_ledger(c) AS last_ledger,
       registry.chunk_id_text(c) AS id, registry.chunk_bucket(c) AS bucket
  FROM unnest(ARRAY[0, 1, 999, 1000]::bigint[]) AS c;
\echo 'chunk -1 is the "nothing ingested yet" watermark; last_complete_chunk_at is -1 before chunk 0 completes:'
SELECT registry.chunk_last_ledger(-1) AS last_ledger_of_chunk_minus_1,
       registry.last_complete_chunk_at(10000) AS at_10000,
       registry.last_complete_chunk_at(10001) AS at_10001;

\echo
\echo '=== 2. Retention floor: max(sliding, earliest); a chunk straddling the floor is kept ==='
SELECT registry.effective_retention_floor(60001, 0, 0) AS keep_all,
       registry.effective_retention_floor(60001, 2, 0) AS keep_2_chunks,
       registry.effective_retention_floor(10001, 5, 0) AS young_store,
       registry.effective_retention_floor(60001, 2, 100002) AS pinned_earliest;
SELECT registry.chunk_below_floor(3, 45000) AS chunk_3_below_45000,
       registry.chunk_below_floor(4, 45000) AS chunk_4_straddles_45000;

\echo
\echo '=== 3. Keys: exactly 8 digits both ways ==='
SELECT registry.chunk_key(42, 'ledgers') AS artifact_key, registry.hot_chunk_key(42) AS hot_key,
       (registry.parse_chunk_key('chunk:00000042:txhash')).*,
       registry.parse_hot_chunk_key('hot:chunk:00000042') AS hot_chunk;

\echo
\echo '=== 4. Errors are SQLSTATEs, never wrong numbers ==='
SELECT s AS statement, pg_temp.try(s) AS result FROM unnest(ARRAY[
	'SELECT registry.chunk_for_ledger(1)',
	'SELECT registry.chunk_first_ledger(922337203685478)',
	'SELECT registry.chunk_id_text(100000000)',
	'SELECT registry.parse_chunk_key(''chunk:42:ledgers'')',
	'SELECT registry.parse_hot_chunk_key(''hot:chunk:0000004x'')',
	'SELECT registry.chunk_key(1, ''lfs'')']) AS s;

\echo
\echo '=== 5. The freeze protocol, one transaction per step (catalog "mainnet") ==='
\echo 'mark freezing before any I/O; it returns the kinds to write:'
SELECT registry.mark_chunk_freezing(0, '{ledgers,events,txhash}', 'mainnet');
\echo '... the daemon writes and fsyncs the three files, then flips them together:'
SELECT registry.flip_chunk_frozen(0, '{ledgers,events,txhash}', 'mainnet');
\echo 're-marking is the redo path; frozen kinds are skipped (nothing to write):'
SELECT registry.mark_chunk_freezing(0, '{ledgers,events,txhash}', 'mainnet');
SELECT registry.mark_chunk_freezing(1, '{ledgers,events,txhash}', 'mainnet');
SELECT registry.flip_chunk_frozen(1, '{ledgers,events,txhash}', 'mainnet');
\echo 'a hot database: transient before mkdir, ready after fsync:'
SELECT registry.put_hot_transient(2, 'mainnet');
SELECT registry.flip_hot_ready(2, 'mainnet');
\echo 'a chunk whose write was interrupted, and a hot database being created:'
SELECT registry.mark_chunk_freezing(3, '{ledgers}', 'mainnet');
SELECT registry.put_hot_transient(3, 'mainnet');
SELECT registry.set_config_pin('config:earliest_ledger', '2', 'mainnet');

\echo
\echo '=== 6. The catalog as the daemon sees it: keys in byte order ==='
SELECT * FROM registry.catalog_keys('', 'mainnet');
SELECT * FROM registry.catalog_keys('chunk:00000001', 'mainnet');
\echo 'startup recovery lists the interrupted keys:'
SELECT * FROM registry.recovery_keys('mainnet');
SELECT registry.chunk_state(1, 'ledgers', 'mainnet') AS chunk_1_ledgers, registry.chunk_state(3, 'events', 'mainnet') AS chunk_3_events,
       registry.hot_state(2, 'mainnet') AS hot_2;

\echo
\echo '=== 7. Illegal transitions: 55000 naming the current state ==='
SELECT s AS statement, pg_temp.try(s) AS result FROM unnest(ARRAY[
	'SELECT registry.flip_chunk_frozen(0, ''{ledgers}'', ''mainnet'')',
	'SELECT registry.flip_chunk_frozen(3, ''{ledgers,events}'', ''mainnet'')',
	'SELECT registry.demote_chunk_pruning(9, ''{ledgers}'', ''mainnet'')',
	'SELECT registry.delete_chunk_key(1, ''ledgers'', ''mainnet'')',
	'SELECT registry.flip_hot_ready(2, ''mainnet'')',
	'SELECT registry.put_hot_transient(2, ''mainnet'')',
	'SELECT registry.set_config_pin(''config:earliest_ledger'', ''10002'', ''mainnet'')']) AS s;
\echo 'chunk 3 ledgers is still freezing: the refused flip changed nothing'
SELECT registry.chunk_state(3, 'ledgers', 'mainnet');

\echo
\echo '=== 8. The watermark is recomputed, never stored ==='
\echo 'chunks 0 and 1 are frozen, hot chunk 2 is ready (the live chunk): committed through chunk 1'
SELECT registry.last_committed_ledger('mainnet');

\echo
\echo '=== 9. Retention: keep 1 chunk; reads below the floor are not-found ==='
SELECT registry.set_retention(1, 'mainnet') AS floor_ledger;
SELECT registry.chunk_state(0, 'ledgers', 'mainnet') AS chunk_0_below_floor,
       registry.chunk_state(1, 'ledgers', 'mainnet') AS chunk_1;
\echo 'the sweep demotes, the daemon unlinks, then the key is deleted:'
SELECT registry.demote_chunk_pruning(0, '{ledgers,events,txhash}', 'mainnet');
SELECT registry.delete_chunk_key(0, k, 'mainnet') FROM unnest('{ledgers,events,txhash}'::text[]) k;
SELECT * FROM registry.catalog_keys('chunk:', 'mainnet');

\echo
\echo '=== 10. Config validation: defaults, and a 22023 naming the field ==='
SELECT jsonb_pretty(registry.validate_config('{"backfill": {"workers": 8}, "streaming": {"retention_chunks": 100}}') -> 'backfill');
SELECT c AS config, pg_temp.try(format('SELECT registry.validate_config(%L)', c)) AS result FROM unnest(ARRAY[
	'{"backfill": {"chunks_per_txhash_index": 0}}',
	'{"backfill": {"chunks_per_txhash_index": 1678}}',
	'{"backfill": {"workers": 0}}',
	'{"backfill": {"max_retries": -1}}',
	'{"streaming": {"earliest_ledger": 1}}',
	'{"streaming": {"earliest_ledger": 10001}}',
	'{"backfill": {"wokers": 8}}']) AS c;

\echo
\echo '=== 11. Storage-root locks: all or none, one lock per root however it is spelled ==='
SELECT registry.lock_roots('{/srv/archive/ledgers/,/srv/archive/hot/../events,/srv//archive/hot}');
SELECT registry.held_roots();
SELECT locktype, database, objsubid, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND objsubid = 21074 AND pid = pg_backend_pid();
SELECT pg_temp.try('SELECT registry.lock_roots(''{relative/path}'')') AS relative_root;
SELECT registry.release_roots();
SELECT registry.release_roots() AS again_is_a_no_op;
\echo 'a second daemon on a shared root gets 55P03 naming it; a dead session frees its roots (see test/harness/chunk_crash.sh)'
