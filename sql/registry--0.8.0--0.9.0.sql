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
 * Adding the constraint re-checks every row of registry.deployments once (a
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
