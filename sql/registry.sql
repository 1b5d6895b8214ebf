/*
 * registry install script.  The Makefile copies it to
 * sql/registry--<default_version>.sql; every later release adds an upgrade
 * step sql/registry--A--B.sql.
 *
 * House rules (README "Extension patterns"): every object is schema-qualified
 * (registry.* / pg_catalog.*), no CREATE OR REPLACE, COMMENT ON every object,
 * pg_extension_config_dump on every user table and sequence, pure functions
 * IMMUTABLE STRICT PARALLEL SAFE, PL/pgSQL with a pinned search_path.
 *
 * The file is cut into one section per area; keep each area's objects inside
 * its own section.
 */

\echo Use "CREATE EXTENSION registry" to load this file. \quit

-- ===========================================================================
-- Section: foundation (shared by every area)
-- ===========================================================================

CREATE FUNCTION registry.version() RETURNS text
	AS 'MODULE_PATHNAME', 'registry_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.version() IS
	'version of the loaded registry shared library';

CREATE FUNCTION registry.valid_project_id(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_valid_project_id'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.valid_project_id(text) IS
	'true when the text is a valid project id: 1 to 200 bytes, no control characters';

CREATE FUNCTION registry.check_project_id(text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_check_project_id_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.check_project_id(text) IS
	'returns its argument when it is a valid project id, else raises 22023 saying why';

-- (end of section: foundation)


-- ===========================================================================
-- Section: chunk catalog (seed 002)
-- ===========================================================================

-- (end of section: chunk catalog)


-- ===========================================================================
-- Section: artifacts and deployments (seed 000)
-- ===========================================================================

/*
 * Tenancy: every row carries a non-null project_id leading its unique key.
 * The seed keys deployments by (idempotency_key, chain_id) with an optional
 * project; here the key is (project_id, idempotency_key, chain_id) and a
 * NULL project means the default project '_', so one tenant's keys can never
 * collide with (or reveal) another's once row-level security is on.
 */

-- Validation helpers shared by the C and PL/pgSQL functions of this area.
CREATE FUNCTION registry.decode_hex(hex text, field text DEFAULT 'hex') RETURNS bytea
	AS 'MODULE_PATHNAME', 'registry_decode_hex'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.decode_hex(text, text) IS
	'decodes hexadecimal text with or without a 0x prefix; 22P02 naming the field and the first bad character otherwise';

CREATE FUNCTION registry.encode_hex(bytes bytea) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN '0x' OPERATOR(pg_catalog.||) pg_catalog.encode(bytes, 'hex');
COMMENT ON FUNCTION registry.encode_hex(bytea) IS
	'bytes as 0x-prefixed lowercase hexadecimal text';

CREATE FUNCTION registry.check_deployment_key(idempotency_key text, chain_id text, project_id text)
	RETURNS text
	AS 'MODULE_PATHNAME', 'registry_check_deployment_key'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.check_deployment_key(text, text, text) IS
	'raises 22023 for a bad idempotency key, chain id or project id; returns the effective project id (''_'' when NULL)';

CREATE FUNCTION registry.check_chain_id(chain_id text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_check_chain_id'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.check_chain_id(text) IS
	'returns a valid chain id (non-empty, at most 100 bytes, no ":"), else raises 22023';

CREATE FUNCTION registry.check_deploy_field(value text, field text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_check_deploy_field'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.check_deploy_field(text, text) IS
	'returns a non-empty value of at most 1000 bytes, else raises 22023 naming the field';

-- Artifacts ----------------------------------------------------------------

CREATE TABLE registry.artifacts (
	project_id text COLLATE "C" NOT NULL CHECK (registry.valid_project_id(project_id)),
	name text COLLATE "C" NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
	path text,
	abi jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(abi) OPERATOR(pg_catalog.=) 'array'),
	bytecode bytea NOT NULL,
	deployed_bytecode bytea,
	compiler jsonb,
	bytecode_sha256 bytea NOT NULL GENERATED ALWAYS AS (pg_catalog.sha256(bytecode)) STORED,
	updated_at timestamptz DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id, name)
);
COMMENT ON TABLE registry.artifacts IS
	'compiled artifacts, the current compile of each (project_id, name); bytecode_sha256 names its revision';
SELECT pg_catalog.pg_extension_config_dump('registry.artifacts', '');

CREATE TABLE registry.artifact_revisions (
	project_id text COLLATE "C" NOT NULL,
	name text COLLATE "C" NOT NULL,
	bytecode_sha256 bytea NOT NULL GENERATED ALWAYS AS (pg_catalog.sha256(bytecode)) STORED,
	bytecode bytea NOT NULL,
	deployed_bytecode bytea,
	abi jsonb NOT NULL,
	compiler jsonb,
	path text,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id, name, bytecode_sha256),
	FOREIGN KEY (project_id, name) REFERENCES registry.artifacts (project_id, name)
);
COMMENT ON TABLE registry.artifact_revisions IS
	'every distinct creation bytecode an artifact name ever had, keyed by its sha256 (the latest metadata put with that bytecode)';
SELECT pg_catalog.pg_extension_config_dump('registry.artifact_revisions', '');

CREATE TYPE registry.artifact_record AS (
	project_id text,
	name text,
	path text,
	abi jsonb,
	bytecode text,
	deployed_bytecode text,
	compiler jsonb,
	bytecode_sha256 bytea,
	updated_at timestamptz
);
COMMENT ON TYPE registry.artifact_record IS
	'an artifact as the functions return it: bytecode as 0x-prefixed hexadecimal text';

CREATE FUNCTION registry.put_artifact(project_id text, name text, abi jsonb, bytecode text,
									  deployed_bytecode text DEFAULT NULL,
									  compiler jsonb DEFAULT NULL,
									  path text DEFAULT NULL,
									  updated_at timestamptz DEFAULT pg_catalog.now())
	RETURNS registry.artifact_record
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	code bytea;
	deployed bytea;
	stamp timestamptz := coalesce(put_artifact.updated_at, now());
	given timestamptz := put_artifact.updated_at;
BEGIN
	IF put_artifact.project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
	PERFORM registry.check_project_id(put_artifact.project_id);
	PERFORM registry.check_deploy_field(put_artifact.name, 'name');
	IF put_artifact.abi IS NULL THEN
		RAISE EXCEPTION 'abi must not be null' USING ERRCODE = '22023';
	END IF;
	IF jsonb_typeof(put_artifact.abi) <> 'array' THEN
		RAISE EXCEPTION 'abi must be a JSON array'
			USING ERRCODE = '22023',
			DETAIL = format('It is a JSON %s.', jsonb_typeof(put_artifact.abi));
	END IF;
	IF put_artifact.bytecode IS NULL THEN
		RAISE EXCEPTION 'bytecode must not be null' USING ERRCODE = '22023';
	END IF;
	code := registry.decode_hex(put_artifact.bytecode, 'bytecode');
	deployed := registry.decode_hex(put_artifact.deployed_bytecode, 'deployed_bytecode');

	INSERT INTO registry.artifacts AS a
		(project_id, name, path, abi, bytecode, deployed_bytecode, compiler, updated_at)
	VALUES (put_artifact.project_id, put_artifact.name, put_artifact.path, put_artifact.abi,
			code, deployed, put_artifact.compiler, given)
	ON CONFLICT (project_id, name) DO UPDATE
		SET path = EXCLUDED.path, abi = EXCLUDED.abi, bytecode = EXCLUDED.bytecode,
			deployed_bytecode = EXCLUDED.deployed_bytecode, compiler = EXCLUDED.compiler,
			updated_at = EXCLUDED.updated_at;

	INSERT INTO registry.artifact_revisions AS r
		(project_id, name, bytecode, deployed_bytecode, abi, compiler, path, created_at, updated_at)
	VALUES (put_artifact.project_id, put_artifact.name, code, deployed, put_artifact.abi,
			put_artifact.compiler, put_artifact.path, stamp, stamp)
	ON CONFLICT (project_id, name, bytecode_sha256) DO UPDATE
		SET deployed_bytecode = EXCLUDED.deployed_bytecode, abi = EXCLUDED.abi,
			compiler = EXCLUDED.compiler, path = EXCLUDED.path, updated_at = EXCLUDED.updated_at;

	RETURN (SELECT g FROM registry.get_artifact(put_artifact.project_id, put_artifact.name) AS g);
END
$$;
COMMENT ON FUNCTION registry.put_artifact(text, text, jsonb, text, text, jsonb, text, timestamptz) IS
	'upserts an artifact by (project_id, name), keeping its creation bytecode as a revision; bytecode as hex text with or without 0x; updated_at defaults to now(), NULL means unknown';

CREATE FUNCTION registry.get_artifact(project_id text, name text)
	RETURNS SETOF registry.artifact_record
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT a.project_id, a.name, a.path, a.abi, registry.encode_hex(a.bytecode),
		   registry.encode_hex(a.deployed_bytecode), a.compiler, a.bytecode_sha256, a.updated_at
	  FROM registry.artifacts AS a
	 WHERE a.project_id = registry.check_project_id($1) AND a.name = $2;
END;
COMMENT ON FUNCTION registry.get_artifact(text, text) IS
	'the artifact (project_id, name), or no row when absent';

CREATE FUNCTION registry.list_artifacts(project_id text DEFAULT NULL)
	RETURNS SETOF registry.artifact_record
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT a.project_id, a.name, a.path, a.abi, registry.encode_hex(a.bytecode),
		   registry.encode_hex(a.deployed_bytecode), a.compiler, a.bytecode_sha256, a.updated_at
	  FROM registry.artifacts AS a
	 WHERE $1 IS NULL OR a.project_id = registry.check_project_id($1)
	 ORDER BY a.name, a.project_id;
END;
COMMENT ON FUNCTION registry.list_artifacts(text) IS
	'artifacts of a project ordered by name; NULL lists every project the caller may see';

CREATE FUNCTION registry.artifact_revisions(project_id text, name text)
	RETURNS TABLE (bytecode_sha256 bytea, bytecode text, deployed_bytecode text, abi jsonb,
				   compiler jsonb, path text, created_at timestamptz, updated_at timestamptz,
				   is_current boolean)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.bytecode_sha256, registry.encode_hex(r.bytecode), registry.encode_hex(r.deployed_bytecode),
		   r.abi, r.compiler, r.path, r.created_at, r.updated_at,
		   r.bytecode_sha256 = a.bytecode_sha256
	  FROM registry.artifact_revisions AS r
	  JOIN registry.artifacts AS a ON a.project_id = r.project_id AND a.name = r.name
	 WHERE r.project_id = registry.check_project_id($1) AND r.name = $2
	 ORDER BY r.created_at, r.bytecode_sha256;
END;
COMMENT ON FUNCTION registry.artifact_revisions(text, text) IS
	'every distinct creation bytecode the artifact ever had, oldest first, with the current one flagged';

CREATE FUNCTION registry.artifact_json(project_id text, name text, bytecode_sha256 bytea DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.jsonb_build_object(
			'_format', 'hh-sol-artifact-1',
			'contractName', r.name,
			'sourceName', COALESCE(r.path, ''),
			'abi', r.abi,
			'bytecode', registry.encode_hex(r.bytecode),
			'deployedBytecode', COALESCE(registry.encode_hex(r.deployed_bytecode), '0x'),
			'linkReferences', '{}'::jsonb,
			'deployedLinkReferences', '{}'::jsonb)
	  FROM registry.artifact_revisions AS r
	  JOIN registry.artifacts AS a ON a.project_id = r.project_id AND a.name = r.name
	 WHERE r.project_id = registry.check_project_id($1) AND r.name = $2
	   AND r.bytecode_sha256 = COALESCE($3, a.bytecode_sha256);
END;
COMMENT ON FUNCTION registry.artifact_json(text, text, bytea) IS
	'the artifact (or the revision with that sha256) as a Hardhat artifact file (hh-sol-artifact-1); NULL when absent';

-- Deployments --------------------------------------------------------------

CREATE SEQUENCE registry.deployments_id_seq;
COMMENT ON SEQUENCE registry.deployments_id_seq IS
	'insertion order of deployments (breaks created_at ties in latest_deployment)';
SELECT pg_catalog.pg_extension_config_dump('registry.deployments_id_seq', '');

CREATE TABLE registry.deployments (
	project_id text COLLATE "C" NOT NULL DEFAULT '_' CHECK (registry.valid_project_id(project_id)),
	idempotency_key text COLLATE "C" NOT NULL CHECK (idempotency_key OPERATOR(pg_catalog.<>) ''),
	chain_id text COLLATE "C" NOT NULL
		CHECK (chain_id OPERATOR(pg_catalog.<>) '' AND pg_catalog.strpos(chain_id, ':') OPERATOR(pg_catalog.=) 0),
	contract text COLLATE "C" NOT NULL CHECK (contract OPERATOR(pg_catalog.<>) ''),
	address text CHECK (address OPERATOR(pg_catalog.<>) ''),
	tx_hash text CHECK (tx_hash OPERATOR(pg_catalog.<>) ''),
	confirmed boolean NOT NULL DEFAULT false,
	state text NOT NULL GENERATED ALWAYS AS (
		CASE WHEN confirmed THEN 'confirmed'
			 WHEN address IS NOT NULL THEN 'deployed'
			 WHEN tx_hash IS NOT NULL THEN 'broadcast'
			 ELSE 'pending' END) STORED,
	artifact_sha256 bytea,
	claimed_until timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	id bigint NOT NULL DEFAULT pg_catalog.nextval('registry.deployments_id_seq'::pg_catalog.regclass),
	PRIMARY KEY (project_id, idempotency_key, chain_id),
	CHECK (NOT confirmed OR address IS NOT NULL),
	FOREIGN KEY (project_id, contract, artifact_sha256)
		REFERENCES registry.artifact_revisions (project_id, name, bytecode_sha256)
);
ALTER SEQUENCE registry.deployments_id_seq OWNED BY registry.deployments.id;
CREATE INDEX deployments_latest_idx ON registry.deployments (project_id, chain_id, contract, created_at, id);
CREATE INDEX deployments_bytecode_idx ON registry.deployments (artifact_sha256)
	WHERE artifact_sha256 IS NOT NULL;
COMMENT ON TABLE registry.deployments IS
	'deployments keyed by (project_id, idempotency_key, chain_id); state pending -> broadcast -> deployed -> confirmed; artifact_sha256 is the artifact revision used';
SELECT pg_catalog.pg_extension_config_dump('registry.deployments', '');

CREATE TYPE registry.deployment AS (
	project_id text COLLATE "C",
	idempotency_key text COLLATE "C",
	chain_id text COLLATE "C",
	contract text COLLATE "C",
	address text,
	tx_hash text,
	confirmed boolean,
	state text,
	artifact_sha256 bytea,
	claimed_until timestamptz,
	created_at timestamptz,
	updated_at timestamptz,
	id bigint
);
COMMENT ON TYPE registry.deployment IS
	'a deployment as the functions return it: the columns of registry.deployments (a plain type, so returning it does not copy the table''s constraints on every call)';

CREATE FUNCTION registry.deploy(idempotency_key text, chain_id text, contract text, address text,
								tx_hash text DEFAULT NULL, confirmed boolean DEFAULT false,
								project_id text DEFAULT NULL)
	RETURNS registry.deployment
	AS 'MODULE_PATHNAME', 'registry_deploy'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.deploy(text, text, text, text, text, boolean, text) IS
	'idempotent deploy record: inserts a new key, returns the stored row (filling a missing tx_hash, confirmed only false -> true, writing nothing when nothing is new) for the same contract and address, 23505 naming the stored address otherwise';

CREATE FUNCTION registry.get_deployment(idempotency_key text, chain_id text, project_id text DEFAULT NULL)
	RETURNS SETOF registry.deployment
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT d.* FROM registry.deployments AS d
	 WHERE d.project_id = registry.check_deployment_key($1, $2, $3)
	   AND d.idempotency_key = $1 AND d.chain_id = $2;
END;
COMMENT ON FUNCTION registry.get_deployment(text, text, text) IS
	'the deployment (idempotency_key, chain_id) of a project (NULL: the default project ''_''), or no row';

CREATE FUNCTION registry.list_deployments(project_id text DEFAULT NULL, chain_id text DEFAULT NULL)
	RETURNS SETOF registry.deployment
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT d.* FROM registry.deployments AS d
	 WHERE ($1 IS NULL OR d.project_id = registry.check_project_id($1))
	   AND ($2 IS NULL OR d.chain_id = $2)
	 ORDER BY d.project_id, d.chain_id, d.created_at, d.id;
END;
COMMENT ON FUNCTION registry.list_deployments(text, text) IS
	'deployments of a project (NULL: every project the caller may see), optionally of one chain, oldest first';

CREATE FUNCTION registry.deployments_of_bytecode(bytecode_sha256 bytea)
	RETURNS SETOF registry.deployment
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF bytecode_sha256 IS NULL OR length(bytecode_sha256) <> 32 THEN
		RAISE EXCEPTION 'bytecode_sha256 must be 32 bytes'
			USING ERRCODE = '22023',
			DETAIL = format('It is %s bytes.', coalesce(length(bytecode_sha256)::text, 'NULL, not 32'));
	END IF;
	RETURN QUERY SELECT d.* FROM registry.deployments AS d
				  WHERE d.artifact_sha256 = deployments_of_bytecode.bytecode_sha256
				  ORDER BY d.created_at, d.id;
END
$$;
COMMENT ON FUNCTION registry.deployments_of_bytecode(bytea) IS
	'every deployment (across the projects the caller may see) made from the artifact revision with this sha256';

CREATE FUNCTION registry.deployments_of_bytecode(bytecode text)
	RETURNS SETOF registry.deployment
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT d.* FROM registry.deployments_of_bytecode(
		pg_catalog.sha256(registry.decode_hex($1, 'bytecode'))) AS d;
END;
COMMENT ON FUNCTION registry.deployments_of_bytecode(text) IS
	'every deployment (across the projects the caller may see) made from this creation bytecode (hex text)';

-- Active chain -------------------------------------------------------------

CREATE TABLE registry.active_chains (
	project_id text COLLATE "C" NOT NULL CHECK (registry.valid_project_id(project_id)),
	chain_id text COLLATE "C" NOT NULL
		CHECK (chain_id OPERATOR(pg_catalog.<>) '' AND pg_catalog.strpos(chain_id, ':') OPERATOR(pg_catalog.=) 0),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id)
);
COMMENT ON TABLE registry.active_chains IS
	'the active chain: project ''_'' holds the global value, any other row a per-project override';
SELECT pg_catalog.pg_extension_config_dump('registry.active_chains', '');

CREATE FUNCTION registry.active_chain_id(project_id text DEFAULT NULL) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT c.chain_id FROM registry.active_chains AS c
	 WHERE c.project_id = COALESCE(registry.check_project_id($1), '_')
		OR c.project_id = '_'
	 ORDER BY c.project_id = '_'
	 LIMIT 1;
END;
COMMENT ON FUNCTION registry.active_chain_id(text) IS
	'the active chain of a project (its override, else the global value), or the global value for NULL; NULL when unset';

CREATE FUNCTION registry.set_active_chain(chain_id text, project_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	p text := coalesce(registry.check_project_id(set_active_chain.project_id), '_');
BEGIN
	IF set_active_chain.chain_id IS NULL THEN
		DELETE FROM registry.active_chains AS c WHERE c.project_id = p;
	ELSE
		INSERT INTO registry.active_chains AS c (project_id, chain_id)
		VALUES (p, registry.check_chain_id(set_active_chain.chain_id))
		ON CONFLICT (project_id) DO UPDATE
			SET chain_id = EXCLUDED.chain_id, updated_at = now()
			WHERE c.chain_id IS DISTINCT FROM EXCLUDED.chain_id;
	END IF;
	RETURN registry.active_chain_id(set_active_chain.project_id);
END
$$;
COMMENT ON FUNCTION registry.set_active_chain(text, text) IS
	'sets the global active chain (project NULL) or a per-project override; NULL chain_id removes it; returns the now effective chain';

CREATE FUNCTION registry.latest_deployment(project_id text, contract text,
										   chain_id text DEFAULT NULL, nth integer DEFAULT 1)
	RETURNS SETOF registry.deployment
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p text;
	chain text := latest_deployment.chain_id;
BEGIN
	IF nth IS NULL OR nth < 1 THEN
		RAISE EXCEPTION 'nth must be at least 1' USING ERRCODE = '22023';
	END IF;
	PERFORM registry.check_deploy_field(latest_deployment.contract, 'contract');
	IF chain IS NULL THEN
		chain := registry.active_chain_id(latest_deployment.project_id);
		IF chain IS NULL THEN
			RAISE EXCEPTION 'no chain_id given and no active chain set'
				USING ERRCODE = '22023',
				HINT = 'Pass chain_id or call registry.set_active_chain.';
		END IF;
	END IF;
	p := registry.check_deployment_key('-', chain, latest_deployment.project_id);
	RETURN QUERY SELECT d.* FROM registry.deployments AS d
				  WHERE d.project_id = p AND d.chain_id = chain
					AND d.contract = latest_deployment.contract AND d.address IS NOT NULL
				  ORDER BY d.created_at DESC, d.id DESC
				  OFFSET nth - 1 LIMIT 1;
END
$$;
COMMENT ON FUNCTION registry.latest_deployment(text, text, text, integer) IS
	'the n-th most recent deployment (with an address) of a contract on a chain (NULL: the active chain); no row when there is none';

CREATE FUNCTION registry.claim_deploy(idempotency_key text, chain_id text, contract text,
									  project_id text DEFAULT NULL,
									  lease interval DEFAULT '5 minutes')
	RETURNS TABLE (claimed boolean, deployment registry.deployment)
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	p text := registry.check_deployment_key(claim_deploy.idempotency_key, claim_deploy.chain_id,
											claim_deploy.project_id);
	r registry.deployment;
BEGIN
	PERFORM registry.check_deploy_field(claim_deploy.contract, 'contract');
	IF lease IS NULL OR lease <= interval '0' THEN
		RAISE EXCEPTION 'lease must be a positive interval' USING ERRCODE = '22023';
	END IF;

	-- A new key: this caller holds the claim.  A concurrent first claim makes
	-- the INSERT wait for it and then do nothing.
	INSERT INTO registry.deployments AS d
		(project_id, idempotency_key, chain_id, contract, claimed_until, artifact_sha256)
	VALUES (p, claim_deploy.idempotency_key, claim_deploy.chain_id, claim_deploy.contract,
			clock_timestamp() + lease,
			(SELECT a.bytecode_sha256 FROM registry.artifacts AS a
			  WHERE a.project_id = p AND a.name = claim_deploy.contract))
	ON CONFLICT (project_id, idempotency_key, chain_id) DO NOTHING
	RETURNING d.* INTO r;
	IF FOUND THEN
		RETURN QUERY SELECT true, r;
		RETURN;
	END IF;

	-- The key exists: lock its newest version so that claimants of an
	-- expired lease are served one at a time.
	SELECT d.* INTO r FROM registry.deployments AS d
	 WHERE d.project_id = p AND d.idempotency_key = claim_deploy.idempotency_key
	   AND d.chain_id = claim_deploy.chain_id
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'could not read deployment "%" on chain "%" after a concurrent claim',
			claim_deploy.idempotency_key, claim_deploy.chain_id
			USING ERRCODE = '40001', HINT = 'Retry the call.';
	END IF;
	IF r.contract <> claim_deploy.contract THEN
		RAISE EXCEPTION 'deployment "%" on chain "%" already exists with another contract',
			claim_deploy.idempotency_key, claim_deploy.chain_id
			USING ERRCODE = '23505',
			DETAIL = format('Project "%s" stores contract "%s" at address %s; the call gave contract "%s".',
							p, r.contract, coalesce(r.address, 'none (not deployed yet)'),
							claim_deploy.contract);
	END IF;
	IF r.address IS NULL AND (r.claimed_until IS NULL OR r.claimed_until <= clock_timestamp()) THEN
		-- An expired (or lease-less) claim: take it over.
		UPDATE registry.deployments AS d
		   SET claimed_until = clock_timestamp() + lease, updated_at = now()
		 WHERE d.project_id = p AND d.idempotency_key = claim_deploy.idempotency_key
		   AND d.chain_id = claim_deploy.chain_id
		RETURNING d.* INTO r;
		RETURN QUERY SELECT true, r;
		RETURN;
	END IF;
	RETURN QUERY SELECT false, r;
END
$$;
COMMENT ON FUNCTION registry.claim_deploy(text, text, text, text, interval) IS
	'exactly-once deploy: claimed = true when this caller must broadcast (a new key or an expired pending claim; a tx_hash in the row means: look up that transaction first); false with the current row otherwise';

CREATE FUNCTION registry.record_broadcast(idempotency_key text, chain_id text, tx_hash text,
										  project_id text DEFAULT NULL)
	RETURNS registry.deployment
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	p text := registry.check_deployment_key(record_broadcast.idempotency_key,
											record_broadcast.chain_id, record_broadcast.project_id);
	r registry.deployment;
BEGIN
	PERFORM registry.check_deploy_field(record_broadcast.tx_hash, 'tx_hash');
	SELECT d.* INTO r FROM registry.deployments AS d
	 WHERE d.project_id = p AND d.idempotency_key = record_broadcast.idempotency_key
	   AND d.chain_id = record_broadcast.chain_id
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deployment "%" on chain "%" does not exist',
			record_broadcast.idempotency_key, record_broadcast.chain_id
			USING ERRCODE = 'P0002', HINT = 'Claim it first with registry.claim_deploy.';
	END IF;
	IF r.tx_hash IS NOT DISTINCT FROM record_broadcast.tx_hash THEN
		RETURN r;
	END IF;
	IF r.address IS NOT NULL AND r.tx_hash IS NOT NULL THEN
		RAISE EXCEPTION 'deployment "%" on chain "%" is already %',
			record_broadcast.idempotency_key, record_broadcast.chain_id, r.state
			USING ERRCODE = '55000',
			DETAIL = format('It was deployed at %s by transaction %s.', r.address, r.tx_hash);
	END IF;
	-- Pending or broadcast: the newest broadcast (a replacement) wins;
	-- deployed without a hash: fill it.
	UPDATE registry.deployments AS d
	   SET tx_hash = record_broadcast.tx_hash, updated_at = now()
	 WHERE d.project_id = p AND d.idempotency_key = record_broadcast.idempotency_key
	   AND d.chain_id = record_broadcast.chain_id
	RETURNING d.* INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION registry.record_broadcast(text, text, text, text) IS
	'stores the transaction hash of a claimed deployment as soon as it is broadcast, so a crash before the receipt is recoverable';

CREATE FUNCTION registry.confirm_deployment(idempotency_key text, chain_id text,
											project_id text DEFAULT NULL, address text DEFAULT NULL)
	RETURNS registry.deployment
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	p text := registry.check_deployment_key(confirm_deployment.idempotency_key,
											confirm_deployment.chain_id, confirm_deployment.project_id);
	r registry.deployment;
BEGIN
	SELECT d.* INTO r FROM registry.deployments AS d
	 WHERE d.project_id = p AND d.idempotency_key = confirm_deployment.idempotency_key
	   AND d.chain_id = confirm_deployment.chain_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deployment "%" on chain "%" does not exist',
			confirm_deployment.idempotency_key, confirm_deployment.chain_id
			USING ERRCODE = 'P0002';
	END IF;
	IF r.address IS NULL AND confirm_deployment.address IS NULL THEN
		RAISE EXCEPTION 'deployment "%" on chain "%" is % and has no address yet',
			confirm_deployment.idempotency_key, confirm_deployment.chain_id, r.state
			USING ERRCODE = '55000',
			HINT = 'Pass the address from the receipt, or call registry.deploy.';
	END IF;
	RETURN registry.deploy(confirm_deployment.idempotency_key, confirm_deployment.chain_id,
						   r.contract, coalesce(confirm_deployment.address, r.address),
						   NULL, true, p);
END
$$;
COMMENT ON FUNCTION registry.confirm_deployment(text, text, text, text) IS
	'marks a deployment confirmed (completing a pending or broadcast one when the address is given); idempotent';


-- registry.json import and export -------------------------------------------

CREATE FUNCTION registry.import_json(doc jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	rec jsonb;
	f text;
	at text := 'registry document';
	n_art integer := 0;
	n_dep integer := 0;
	art_fields constant text[] := ARRAY['project_id', 'name', 'path', 'abi', 'bytecode',
										'deployedBytecode', 'compiler', 'updated_at'];
	art_strings constant text[] := ARRAY['project_id', 'name', 'path', 'bytecode',
										 'deployedBytecode', 'updated_at'];
	art_required constant text[] := ARRAY['project_id', 'name', 'abi', 'bytecode'];
	dep_fields constant text[] := ARRAY['idempotency_key', 'chain_id', 'contract', 'address',
										'tx_hash', 'confirmed', 'project_id'];
	dep_strings constant text[] := ARRAY['idempotency_key', 'chain_id', 'contract', 'address',
										 'tx_hash', 'project_id'];
	dep_required constant text[] := ARRAY['idempotency_key', 'chain_id', 'contract', 'address'];
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	IF doc IS NULL OR jsonb_typeof(doc) <> 'object' THEN
		RAISE EXCEPTION 'registry document must be a JSON object' USING ERRCODE = '22023';
	END IF;
	BEGIN
		FOR f IN SELECT jsonb_object_keys(doc) LOOP
			IF f NOT IN ('artifacts', 'deployments', 'active_chain_id') THEN
				RAISE EXCEPTION 'unknown key "%"', f USING ERRCODE = '22023',
					HINT = 'The keys are "artifacts", "deployments" and "active_chain_id".';
			END IF;
		END LOOP;
		IF jsonb_typeof(doc -> 'artifacts') NOT IN ('object', 'null') THEN
			RAISE EXCEPTION '"artifacts" must be a JSON object' USING ERRCODE = '22023';
		END IF;
		IF jsonb_typeof(doc -> 'deployments') NOT IN ('object', 'null') THEN
			RAISE EXCEPTION '"deployments" must be a JSON object' USING ERRCODE = '22023';
		END IF;
		IF jsonb_typeof(doc -> 'active_chain_id') NOT IN ('string', 'null') THEN
			RAISE EXCEPTION '"active_chain_id" must be a JSON string' USING ERRCODE = '22023';
		END IF;

		FOR k, rec IN SELECT e.key, e.value FROM jsonb_each(
				CASE jsonb_typeof(doc -> 'artifacts') WHEN 'object' THEN doc -> 'artifacts' ELSE '{}' END) AS e
				ORDER BY e.key LOOP
			at := format('artifact "%s"', k);
			IF jsonb_typeof(rec) <> 'object' THEN
				RAISE EXCEPTION 'the record must be a JSON object' USING ERRCODE = '22023';
			END IF;
			FOR f IN SELECT jsonb_object_keys(rec) LOOP
				IF f <> ALL (art_fields) THEN
					RAISE EXCEPTION 'unknown field "%"', f USING ERRCODE = '22023';
				END IF;
				IF f = ANY (art_strings) AND jsonb_typeof(rec -> f) <> 'string' THEN
					RAISE EXCEPTION 'field "%" must be a JSON string', f USING ERRCODE = '22023';
				END IF;
			END LOOP;
			FOREACH f IN ARRAY art_required LOOP
				IF NOT rec ? f THEN
					RAISE EXCEPTION 'missing field "%"', f USING ERRCODE = '22023';
				END IF;
			END LOOP;
			IF k <> (rec ->> 'project_id') || ':' || (rec ->> 'name') THEN
				RAISE EXCEPTION 'the key does not match the record'
					USING ERRCODE = '22023',
					DETAIL = format('The record says "%s:%s".', rec ->> 'project_id', rec ->> 'name');
			END IF;
			PERFORM registry.put_artifact(rec ->> 'project_id', rec ->> 'name', rec -> 'abi',
										  rec ->> 'bytecode', rec ->> 'deployedBytecode',
										  rec -> 'compiler', rec ->> 'path',
										  (rec ->> 'updated_at')::timestamptz);
			n_art := n_art + 1;
		END LOOP;

		FOR k, rec IN SELECT e.key, e.value FROM jsonb_each(
				CASE jsonb_typeof(doc -> 'deployments') WHEN 'object' THEN doc -> 'deployments' ELSE '{}' END) AS e
				ORDER BY e.key LOOP
			at := format('deployment "%s"', k);
			IF jsonb_typeof(rec) <> 'object' THEN
				RAISE EXCEPTION 'the record must be a JSON object' USING ERRCODE = '22023';
			END IF;
			FOR f IN SELECT jsonb_object_keys(rec) LOOP
				IF f <> ALL (dep_fields) THEN
					RAISE EXCEPTION 'unknown field "%"', f USING ERRCODE = '22023';
				END IF;
				IF f = ANY (dep_strings) AND jsonb_typeof(rec -> f) <> 'string' THEN
					RAISE EXCEPTION 'field "%" must be a JSON string', f USING ERRCODE = '22023';
				END IF;
				IF f = 'confirmed' AND jsonb_typeof(rec -> f) <> 'boolean' THEN
					RAISE EXCEPTION 'field "confirmed" must be a JSON boolean' USING ERRCODE = '22023';
				END IF;
			END LOOP;
			FOREACH f IN ARRAY dep_required LOOP
				IF NOT rec ? f THEN
					RAISE EXCEPTION 'missing field "%"', f USING ERRCODE = '22023';
				END IF;
			END LOOP;
			IF k <> (rec ->> 'idempotency_key') || ':' || (rec ->> 'chain_id') THEN
				RAISE EXCEPTION 'the key does not match the record'
					USING ERRCODE = '22023',
					DETAIL = format('The record says "%s:%s".', rec ->> 'idempotency_key', rec ->> 'chain_id');
			END IF;
			PERFORM registry.deploy(rec ->> 'idempotency_key', rec ->> 'chain_id', rec ->> 'contract',
									rec ->> 'address', nullif(rec ->> 'tx_hash', ''),
									coalesce((rec ->> 'confirmed')::boolean, false),
									nullif(rec ->> 'project_id', ''));
			n_dep := n_dep + 1;
		END LOOP;

		at := '"active_chain_id"';
		IF jsonb_typeof(doc -> 'active_chain_id') = 'string' THEN
			PERFORM registry.set_active_chain(nullif(doc ->> 'active_chain_id', ''));
		END IF;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
								det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		msg := format('%s: %s', at, msg);
		IF det <> '' AND hnt <> '' THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hnt;
		ELSIF det <> '' THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
		ELSIF hnt <> '' THEN
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hnt;
		ELSE
			RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
		END IF;
	END;
	RETURN jsonb_build_object('artifacts', n_art, 'deployments', n_dep);
END
$$;
COMMENT ON FUNCTION registry.import_json(jsonb) IS
	'loads a registry.json document (artifacts upserted, deployments through registry.deploy, active_chain_id as the global value) in one statement; errors name the offending key and change nothing';

CREATE FUNCTION registry.export_json(project_id text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p text := registry.check_project_id(export_json.project_id);
	dup record;
	arts jsonb;
	deps jsonb;
	chain text;
BEGIN
	SELECT d.idempotency_key || ':' || d.chain_id AS k,
		   string_agg(d.project_id, ', ' ORDER BY d.project_id) AS projects
	  INTO dup
	  FROM registry.deployments AS d
	 WHERE d.address IS NOT NULL AND (p IS NULL OR d.project_id = p)
	 GROUP BY 1 HAVING count(*) > 1
	 ORDER BY 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'deployment key "%" exists in several projects', dup.k
			USING ERRCODE = '23505', DETAIL = format('Projects: %s.', dup.projects),
			HINT = 'Export one project at a time with registry.export_json(project_id).';
	END IF;
	SELECT a.project_id || ':' || a.name AS k INTO dup
	  FROM registry.artifacts AS a
	 WHERE p IS NULL OR a.project_id = p
	 GROUP BY 1 HAVING count(*) > 1
	 ORDER BY 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'artifact key "%" names several artifacts', dup.k
			USING ERRCODE = '23505',
			HINT = 'Export one project at a time with registry.export_json(project_id).';
	END IF;

	SELECT coalesce(jsonb_object_agg(a.project_id || ':' || a.name,
			jsonb_build_object('project_id', a.project_id, 'name', a.name, 'abi', a.abi,
							   'bytecode', registry.encode_hex(a.bytecode))
			|| CASE WHEN a.updated_at IS NULL THEN '{}' ELSE jsonb_build_object('updated_at',
				   to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
				   || coalesce(nullif(rtrim(to_char(a.updated_at AT TIME ZONE 'UTC', '.US'), '0'), '.'), '')
				   || 'Z') END
			|| CASE WHEN a.path IS NULL THEN '{}' ELSE jsonb_build_object('path', a.path) END
			|| CASE WHEN a.deployed_bytecode IS NULL THEN '{}'
					ELSE jsonb_build_object('deployedBytecode', registry.encode_hex(a.deployed_bytecode)) END
			|| CASE WHEN a.compiler IS NULL THEN '{}' ELSE jsonb_build_object('compiler', a.compiler) END),
			'{}')
	  INTO arts
	  FROM registry.artifacts AS a
	 WHERE p IS NULL OR a.project_id = p;

	SELECT coalesce(jsonb_object_agg(d.idempotency_key || ':' || d.chain_id,
			jsonb_build_object('idempotency_key', d.idempotency_key, 'chain_id', d.chain_id,
							   'contract', d.contract, 'address', d.address,
							   'confirmed', d.confirmed)
			|| CASE WHEN d.tx_hash IS NULL THEN '{}' ELSE jsonb_build_object('tx_hash', d.tx_hash) END
			|| CASE WHEN d.project_id = '_' THEN '{}' ELSE jsonb_build_object('project_id', d.project_id) END),
			'{}')
	  INTO deps
	  FROM registry.deployments AS d
	 WHERE d.address IS NOT NULL AND (p IS NULL OR d.project_id = p);

	IF p IS NULL THEN
		chain := registry.active_chain_id(NULL);
	ELSE
		chain := registry.active_chain_id(p);
	END IF;
	RETURN jsonb_build_object('artifacts', arts, 'deployments', deps)
		|| CASE WHEN chain IS NULL THEN '{}' ELSE jsonb_build_object('active_chain_id', chain) END;
END
$$;
COMMENT ON FUNCTION registry.export_json(text) IS
	'the registry.json document of one project (or of everything the caller may see): artifacts, deployments that have an address, and the effective active chain';

-- (end of section: artifacts and deployments)


-- ===========================================================================
-- Section: semantic version type
-- ===========================================================================

-- (end of section: semantic version type)


-- ===========================================================================
-- Section: blobs and the version registry (seeds 001, 003)
-- ===========================================================================

-- (end of section: blobs and the version registry)


-- ===========================================================================
-- Section: key/value store (seed 004)
-- ===========================================================================

-- (end of section: key/value store)


-- ===========================================================================
-- Section: tenancy and privileges (last: it covers every table above)
-- ===========================================================================

-- (end of section: tenancy and privileges)
