/*
 * registry 0.8.0 -> 0.9.0
 *
 * registry.deployments' seven CHECK constraints become one call of the new
 * C function registry.deployment_row_ok(project_id, idempotency_key,
 * chain_id, contract, address, tx_hash, confirmed), the same rules: a valid
 * project id; key, chain id and contract not empty; no ':' in the chain id;
 * an address or tx hash never empty (NULL allowed); confirmed only with an
 * address.  The executor parses every CHECK's expression tree from its text
 * for each statement that writes the table; one call is a much shorter tree
 * and cheaper to evaluate, for registry.deploy and hand-written SQL alike.
 *
 * registry.versions' ten CHECKs become one call of registry.version_row_ok
 * the same way (the same rules: valid project id, seq > 0, primary_parent
 * IS NOT DISTINCT FROM parents[1], implementation a blob key, size, depth
 * and chain_pos not negative, metadata and metrics JSON objects, status 1
 * to 64 bytes).
 *
 * Adding each constraint re-checks every row of its table once (a
 * sequential read, under the lock the update holds until it commits).  No
 * table's data is changed.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.9.0'" to load this file. \quit

CREATE FUNCTION registry.deployment_row_ok(project_id text, idempotency_key text, chain_id text,
		contract text, address text, tx_hash text, confirmed boolean) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_deployment_row_ok'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.deployment_row_ok(text, text, text, text, text, text, boolean) IS
	'the CHECK of registry.deployments: a valid project id; key, chain id and contract not empty; no ":" in the chain id; address and tx_hash empty never (NULL allowed); confirmed only with an address. NULL when a NOT NULL column is NULL (its NOT NULL constraint reports it)';

ALTER TABLE registry.deployments
	DROP CONSTRAINT deployments_project_id_check,
	DROP CONSTRAINT deployments_idempotency_key_check,
	DROP CONSTRAINT deployments_chain_id_check,
	DROP CONSTRAINT deployments_contract_check,
	DROP CONSTRAINT deployments_address_check,
	DROP CONSTRAINT deployments_tx_hash_check,
	DROP CONSTRAINT deployments_check,
	ADD CONSTRAINT deployments_row_check CHECK (registry.deployment_row_ok(project_id, idempotency_key, chain_id,
		contract, address, tx_hash, confirmed));

CREATE FUNCTION registry.version_row_ok(project_id text, seq bigint, parents bigint[], primary_parent bigint,
		implementation text, size bigint, metadata jsonb, metrics jsonb, status text, depth integer,
		chain_pos integer) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_version_row_ok'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.version_row_ok(text, bigint, bigint[], bigint, text, bigint, jsonb, jsonb, text, integer, integer) IS
	'the CHECK of registry.versions: a valid project id; seq > 0; primary_parent IS NOT DISTINCT FROM parents[1]; implementation a blob key; size, depth, chain_pos >= 0; metadata and metrics JSON objects; status 1 to 64 bytes. NULL when a NOT NULL column is NULL (its NOT NULL constraint reports it)';

ALTER TABLE registry.versions
	DROP CONSTRAINT versions_project_id_check,
	DROP CONSTRAINT versions_seq_check,
	DROP CONSTRAINT versions_check,
	DROP CONSTRAINT versions_implementation_check,
	DROP CONSTRAINT versions_size_check,
	DROP CONSTRAINT versions_metadata_check,
	DROP CONSTRAINT versions_metrics_check,
	DROP CONSTRAINT versions_status_check,
	DROP CONSTRAINT versions_depth_check,
	DROP CONSTRAINT versions_chain_pos_check,
	ADD CONSTRAINT versions_row_check CHECK (registry.version_row_ok(project_id, seq, parents, primary_parent,
		implementation, size, metadata, metrics, status, depth, chain_pos));
