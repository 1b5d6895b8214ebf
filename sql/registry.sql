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

--
-- The chunk catalog of a ledger-archive daemon: the chunk geometry and key
-- codec as C functions (src/chunk.c, src/chunk_core.c), the catalog tables,
-- the freeze/prune protocol (one transaction per step), the recomputed
-- watermark and retention floor, config pins and validation, and the
-- storage-root locks.  Every catalog table leads with project_id: one
-- database can hold the catalogs of several daemons; the default catalog is
-- the project 'default'.

-- --- geometry -------------------------------------------------------------

CREATE FUNCTION registry.chunk_for_ledger(ledger bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_chunk_for_ledger'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_for_ledger(bigint) IS
	'chunk holding a ledger: (ledger - 2) / 10000; 22023 below the genesis ledger 2';

CREATE FUNCTION registry.chunk_first_ledger(chunk bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_chunk_first_ledger'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_first_ledger(bigint) IS
	'first ledger of a chunk: chunk * 10000 + 2; 22023 for a negative chunk, 22003 on overflow';

CREATE FUNCTION registry.chunk_last_ledger(chunk bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_chunk_last_ledger'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_last_ledger(bigint) IS
	'last ledger of a chunk: (chunk + 1) * 10000 + 1, and 1 (nothing ingested yet) for every chunk < 0; 22003 on overflow';

CREATE FUNCTION registry.last_complete_chunk_at(ledger bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_last_complete_chunk_at'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.last_complete_chunk_at(bigint) IS
	'highest chunk wholly at or below a watermark ledger: (ledger + 1 - 2) / 10000 - 1, -1 when none; 22023 below 1';

CREATE FUNCTION registry.effective_retention_floor(upper_ledger bigint, retention_chunks bigint,
		earliest_ledger bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_effective_retention_floor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.effective_retention_floor(bigint, bigint, bigint) IS
	'retention floor ledger: max(sliding, earliest_ledger), sliding = 2 when retention_chunks is 0, else the first ledger of max(last_complete_chunk_at(upper_ledger) - retention_chunks + 1, 0); earliest_ledger 0 means no pin';

CREATE FUNCTION registry.chunk_below_floor(chunk bigint, floor_ledger bigint) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_chunk_below_floor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_below_floor(bigint, bigint) IS
	'true when the whole chunk lies below the floor ledger (a chunk straddling the floor is not below it)';

-- --- text forms and keys --------------------------------------------------

CREATE FUNCTION registry.chunk_id_text(chunk bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_chunk_id_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_id_text(bigint) IS
	'chunk id as text, %08d; chunks 0 to 99999999 (22023 below, 22003 above)';

CREATE FUNCTION registry.chunk_bucket(chunk bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_chunk_bucket'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_bucket(bigint) IS
	'directory bucket of a chunk: %05d of chunk / 1000';

CREATE FUNCTION registry.valid_chunk_kind(kind text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_valid_chunk_kind'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.valid_chunk_kind(text) IS
	'true for the per-chunk artifact kinds ledgers, events and txhash';

CREATE FUNCTION registry.chunk_key(chunk bigint, kind text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_chunk_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.chunk_key(bigint, text) IS
	'catalog key of a chunk artifact: chunk:{chunk:08d}:{ledgers|events|txhash}; 22023 for an unknown kind';

CREATE FUNCTION registry.hot_chunk_key(chunk bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_hot_chunk_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.hot_chunk_key(bigint) IS
	'catalog key of a chunk''s hot database: hot:chunk:{chunk:08d}';

CREATE FUNCTION registry.parse_chunk_id(id text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_parse_chunk_id'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.parse_chunk_id(text) IS
	'inverse of chunk_id_text: exactly 8 decimal digits, else 22P02';

CREATE FUNCTION registry.parse_chunk_key(key text, OUT chunk bigint, OUT kind text)
	AS 'MODULE_PATHNAME', 'registry_parse_chunk_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.parse_chunk_key(text) IS
	'inverse of chunk_key: (chunk, kind) of chunk:NNNNNNNN:KIND with exactly 8 digits and a known kind, else 22P02';

CREATE FUNCTION registry.parse_hot_chunk_key(key text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_parse_hot_chunk_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.parse_hot_chunk_key(text) IS
	'inverse of hot_chunk_key: the chunk of hot:chunk:NNNNNNNN with exactly 8 digits, else 22P02';

-- --- catalog tables -------------------------------------------------------

CREATE TABLE registry.chunk_artifacts (
	project_id text NOT NULL DEFAULT 'default'
		CHECK (registry.valid_project_id(project_id)),
	chunk bigint NOT NULL CHECK (chunk BETWEEN 0 AND 99999999),
	kind text NOT NULL CHECK (kind IN ('events', 'ledgers', 'txhash')),
	state text NOT NULL CHECK (state IN ('freezing', 'frozen', 'pruning')),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (registry.chunk_key(chunk, kind)) STORED,
	CONSTRAINT chunk_artifacts_pkey PRIMARY KEY (project_id, chunk, kind),
	CONSTRAINT chunk_artifacts_key_key UNIQUE (project_id, key)
);
CREATE INDEX chunk_artifacts_unfinished_idx ON registry.chunk_artifacts (project_id, key)
	WHERE state <> 'frozen';
COMMENT ON TABLE registry.chunk_artifacts IS
	'chunk catalog: per-chunk artifact keys chunk:NNNNNNNN:KIND and their state (freezing, frozen, pruning); absent = no file and no write in progress';
SELECT pg_catalog.pg_extension_config_dump('registry.chunk_artifacts', '');

CREATE TABLE registry.chunk_hot (
	project_id text NOT NULL DEFAULT 'default'
		CHECK (registry.valid_project_id(project_id)),
	chunk bigint NOT NULL CHECK (chunk BETWEEN 0 AND 99999999),
	state text NOT NULL CHECK (state IN ('transient', 'ready')),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (registry.hot_chunk_key(chunk)) STORED,
	CONSTRAINT chunk_hot_pkey PRIMARY KEY (project_id, chunk),
	CONSTRAINT chunk_hot_key_key UNIQUE (project_id, key)
);
COMMENT ON TABLE registry.chunk_hot IS
	'chunk catalog: hot-database keys hot:chunk:NNNNNNNN and their state (transient, ready)';
SELECT pg_catalog.pg_extension_config_dump('registry.chunk_hot', '');

CREATE TABLE registry.chunk_config_pins (
	project_id text NOT NULL DEFAULT 'default'
		CHECK (registry.valid_project_id(project_id)),
	key text NOT NULL
		CHECK (key IN ('config:earliest_ledger', 'config:chunks_per_txhash_index')),
	value text NOT NULL,
	pinned_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT chunk_config_pins_pkey PRIMARY KEY (project_id, key)
);
COMMENT ON TABLE registry.chunk_config_pins IS
	'chunk catalog: write-once config pins (config:earliest_ledger, config:chunks_per_txhash_index)';
SELECT pg_catalog.pg_extension_config_dump('registry.chunk_config_pins', '');

CREATE TABLE registry.chunk_settings (
	project_id text NOT NULL
		CHECK (registry.valid_project_id(project_id)),
	retention_chunks bigint NOT NULL DEFAULT 0 CHECK (retention_chunks >= 0),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT chunk_settings_pkey PRIMARY KEY (project_id)
);
COMMENT ON TABLE registry.chunk_settings IS
	'chunk catalog: per-catalog settings that may change (retention_chunks; 0 keeps every chunk)';
SELECT pg_catalog.pg_extension_config_dump('registry.chunk_settings', '');

-- --- protocol helpers -----------------------------------------------------

CREATE FUNCTION registry.chunk_check_args(chunk bigint, project_id text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF chunk_check_args.chunk IS NULL THEN
		RAISE EXCEPTION 'chunk must not be null' USING ERRCODE = '22004';
	END IF;
	IF chunk_check_args.project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.check_project_id(chunk_check_args.project_id);
	PERFORM registry.hot_chunk_key(chunk_check_args.chunk);	-- 22023 / 22003 outside 0..99999999
END;
$$;
COMMENT ON FUNCTION registry.chunk_check_args(bigint, text) IS
	'internal: raises 22004 for a null, 22023 for a bad project id or negative chunk, 22003 for a chunk beyond 99999999';

CREATE FUNCTION registry.chunk_kinds(kinds text[]) RETURNS text[]
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
BEGIN
	IF kinds IS NULL OR cardinality(kinds) = 0 THEN
		RAISE EXCEPTION 'kinds must not be empty' USING ERRCODE = '22023',
			HINT = 'Give one or more of ledgers, events, txhash.';
	END IF;
	FOREACH k IN ARRAY kinds LOOP
		IF k IS NULL THEN
			RAISE EXCEPTION 'kinds must not contain null' USING ERRCODE = '22004';
		END IF;
		IF NOT registry.valid_chunk_kind(k) THEN
			RAISE EXCEPTION 'unknown chunk kind "%"', k USING ERRCODE = '22023',
				HINT = 'The kinds are ledgers, events and txhash.';
		END IF;
	END LOOP;
	RETURN ARRAY(SELECT DISTINCT u COLLATE "C" FROM unnest(kinds) AS u ORDER BY 1);
END;
$$;
COMMENT ON FUNCTION registry.chunk_kinds(text[]) IS
	'internal: validates a kinds array (non-empty, no null, known kinds) and returns it sorted without duplicates';

-- --- protocol: per-chunk artifacts ----------------------------------------

CREATE FUNCTION registry.mark_chunk_freezing(chunk bigint, kinds text[],
		project_id text DEFAULT 'default') RETURNS text[]
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ks text[];
	marked text[] := '{}';
	k text;
	got text;
BEGIN
	PERFORM registry.chunk_check_args(mark_chunk_freezing.chunk, mark_chunk_freezing.project_id);
	ks := registry.chunk_kinds(mark_chunk_freezing.kinds);
	FOREACH k IN ARRAY ks LOOP
		-- absent, freezing and pruning become freezing (the redo path);
		-- a frozen kind is skipped.
		got := NULL;
		INSERT INTO registry.chunk_artifacts AS a (project_id, chunk, kind, state)
			VALUES (mark_chunk_freezing.project_id, mark_chunk_freezing.chunk, k, 'freezing')
			ON CONFLICT ON CONSTRAINT chunk_artifacts_pkey DO UPDATE
				SET state = 'freezing', updated_at = pg_catalog.now()
				WHERE a.state <> 'frozen'
			RETURNING a.kind INTO got;
		IF got IS NOT NULL THEN
			marked := marked || got;
		END IF;
	END LOOP;
	RETURN marked;
END;
$$;
COMMENT ON FUNCTION registry.mark_chunk_freezing(bigint, text[], text) IS
	'protocol step 1, before any I/O: marks each kind of the chunk freezing (absent, freezing and pruning keys alike: the idempotent redo path) and skips frozen kinds; returns the kinds the caller must now write';

CREATE FUNCTION registry.flip_chunk_frozen(chunk bigint, kinds text[],
		project_id text DEFAULT 'default') RETURNS text[]
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ks text[];
	k text;
	st text;
BEGIN
	PERFORM registry.chunk_check_args(flip_chunk_frozen.chunk, flip_chunk_frozen.project_id);
	ks := registry.chunk_kinds(flip_chunk_frozen.kinds);
	-- Lock every row first (in key order, so two callers cannot deadlock),
	-- check every state, then flip: all kinds or none.
	PERFORM 1 FROM registry.chunk_artifacts a
		WHERE a.project_id = flip_chunk_frozen.project_id AND a.chunk = flip_chunk_frozen.chunk
		  AND a.kind = ANY (ks)
		ORDER BY a.kind FOR UPDATE;
	FOREACH k IN ARRAY ks LOOP
		SELECT a.state INTO st FROM registry.chunk_artifacts a
			WHERE a.project_id = flip_chunk_frozen.project_id AND a.chunk = flip_chunk_frozen.chunk
			  AND a.kind = k;
		IF st IS DISTINCT FROM 'freezing' THEN
			RAISE EXCEPTION 'cannot flip % to frozen: its state is %',
				registry.chunk_key(flip_chunk_frozen.chunk, k), coalesce(st, 'absent')
				USING ERRCODE = '55000',
				DETAIL = 'Only a freezing key becomes frozen; no kind was flipped.';
		END IF;
	END LOOP;
	UPDATE registry.chunk_artifacts a SET state = 'frozen', updated_at = pg_catalog.now()
		WHERE a.project_id = flip_chunk_frozen.project_id AND a.chunk = flip_chunk_frozen.chunk
		  AND a.kind = ANY (ks);
	RETURN ks;
END;
$$;
COMMENT ON FUNCTION registry.flip_chunk_frozen(bigint, text[], text) IS
	'protocol step 2, after the caller wrote and fsynced: flips every given kind from freezing to frozen atomically, or none (55000 naming the key and its state)';

CREATE FUNCTION registry.demote_chunk_pruning(chunk bigint, kinds text[],
		project_id text DEFAULT 'default') RETURNS text[]
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ks text[];
	k text;
	st text;
BEGIN
	PERFORM registry.chunk_check_args(demote_chunk_pruning.chunk, demote_chunk_pruning.project_id);
	ks := registry.chunk_kinds(demote_chunk_pruning.kinds);
	PERFORM 1 FROM registry.chunk_artifacts a
		WHERE a.project_id = demote_chunk_pruning.project_id AND a.chunk = demote_chunk_pruning.chunk
		  AND a.kind = ANY (ks)
		ORDER BY a.kind FOR UPDATE;
	FOREACH k IN ARRAY ks LOOP
		SELECT a.state INTO st FROM registry.chunk_artifacts a
			WHERE a.project_id = demote_chunk_pruning.project_id AND a.chunk = demote_chunk_pruning.chunk
			  AND a.kind = k;
		IF st IS NULL THEN
			RAISE EXCEPTION 'cannot demote % to pruning: its state is absent',
				registry.chunk_key(demote_chunk_pruning.chunk, k)
				USING ERRCODE = '55000',
				DETAIL = 'An absent key has no file to prune; no kind was demoted.';
		END IF;
	END LOOP;
	UPDATE registry.chunk_artifacts a SET state = 'pruning', updated_at = pg_catalog.now()
		WHERE a.project_id = demote_chunk_pruning.project_id AND a.chunk = demote_chunk_pruning.chunk
		  AND a.kind = ANY (ks) AND a.state <> 'pruning';
	RETURN ks;
END;
$$;
COMMENT ON FUNCTION registry.demote_chunk_pruning(bigint, text[], text) IS
	'protocol sweep step: demotes every given kind to pruning before the caller unlinks its file (frozen keys, interrupted freezing keys, and pruning keys again as the redo path), all or none; 55000 for an absent key';

CREATE FUNCTION registry.delete_chunk_key(chunk bigint, kind text,
		project_id text DEFAULT 'default') RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	key text;
	st text;
BEGIN
	PERFORM registry.chunk_check_args(delete_chunk_key.chunk, delete_chunk_key.project_id);
	IF delete_chunk_key.kind IS NULL THEN
		RAISE EXCEPTION 'kind must not be null' USING ERRCODE = '22004';
	END IF;
	key := registry.chunk_key(delete_chunk_key.chunk, delete_chunk_key.kind);
	SELECT a.state INTO st FROM registry.chunk_artifacts a
		WHERE a.project_id = delete_chunk_key.project_id AND a.chunk = delete_chunk_key.chunk
		  AND a.kind = delete_chunk_key.kind
		FOR UPDATE;
	IF st IS DISTINCT FROM 'pruning' THEN
		RAISE EXCEPTION 'cannot delete %: its state is %', key, coalesce(st, 'absent')
			USING ERRCODE = '55000',
			DETAIL = 'Only a pruning key is deleted, after its file is unlinked.';
	END IF;
	DELETE FROM registry.chunk_artifacts a
		WHERE a.project_id = delete_chunk_key.project_id AND a.chunk = delete_chunk_key.chunk
		  AND a.kind = delete_chunk_key.kind;
END;
$$;
COMMENT ON FUNCTION registry.delete_chunk_key(bigint, text, text) IS
	'protocol sweep step, after the caller unlinked the file: deletes a pruning key (55000 naming any other state)';

-- --- protocol: hot databases ----------------------------------------------

CREATE FUNCTION registry.put_hot_transient(chunk bigint,
		project_id text DEFAULT 'default') RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	got bigint;
BEGIN
	PERFORM registry.chunk_check_args(put_hot_transient.chunk, put_hot_transient.project_id);
	INSERT INTO registry.chunk_hot AS h (project_id, chunk, state)
		VALUES (put_hot_transient.project_id, put_hot_transient.chunk, 'transient')
		ON CONFLICT ON CONSTRAINT chunk_hot_pkey DO UPDATE
			SET updated_at = pg_catalog.now()
			WHERE h.state = 'transient'
		RETURNING h.chunk INTO got;
	IF got IS NULL THEN
		RAISE EXCEPTION 'cannot mark % transient: its state is ready',
			registry.hot_chunk_key(put_hot_transient.chunk)
			USING ERRCODE = '55000',
			DETAIL = 'A ready hot database is deleted (after rmdir), never re-created.';
	END IF;
END;
$$;
COMMENT ON FUNCTION registry.put_hot_transient(bigint, text) IS
	'hot protocol step 1, before mkdir: marks the chunk''s hot database transient (again, idempotently, when it already is); 55000 when it is ready';

CREATE FUNCTION registry.flip_hot_ready(chunk bigint,
		project_id text DEFAULT 'default') RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st text;
BEGIN
	PERFORM registry.chunk_check_args(flip_hot_ready.chunk, flip_hot_ready.project_id);
	SELECT h.state INTO st FROM registry.chunk_hot h
		WHERE h.project_id = flip_hot_ready.project_id AND h.chunk = flip_hot_ready.chunk
		FOR UPDATE;
	IF st IS DISTINCT FROM 'transient' THEN
		RAISE EXCEPTION 'cannot flip % to ready: its state is %',
			registry.hot_chunk_key(flip_hot_ready.chunk), coalesce(st, 'absent')
			USING ERRCODE = '55000',
			DETAIL = 'Only a transient hot database becomes ready.';
	END IF;
	UPDATE registry.chunk_hot h SET state = 'ready', updated_at = pg_catalog.now()
		WHERE h.project_id = flip_hot_ready.project_id AND h.chunk = flip_hot_ready.chunk;
END;
$$;
COMMENT ON FUNCTION registry.flip_hot_ready(bigint, text) IS
	'hot protocol step 2, after fsync: flips the chunk''s hot database from transient to ready (55000 naming any other state)';

CREATE FUNCTION registry.delete_hot_key(chunk bigint,
		project_id text DEFAULT 'default') RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	got bigint;
BEGIN
	PERFORM registry.chunk_check_args(delete_hot_key.chunk, delete_hot_key.project_id);
	DELETE FROM registry.chunk_hot h
		WHERE h.project_id = delete_hot_key.project_id AND h.chunk = delete_hot_key.chunk
		RETURNING h.chunk INTO got;
	IF got IS NULL THEN
		RAISE EXCEPTION 'cannot delete %: its state is absent',
			registry.hot_chunk_key(delete_hot_key.chunk)
			USING ERRCODE = '55000';
	END IF;
END;
$$;
COMMENT ON FUNCTION registry.delete_hot_key(bigint, text) IS
	'hot protocol step 3, after rmdir: deletes the chunk''s hot key, transient or ready (55000 when absent)';

-- --- reads ----------------------------------------------------------------

CREATE FUNCTION registry.config_pin(key text, project_id text DEFAULT 'default') RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v text;
BEGIN
	IF config_pin.key IS NULL OR config_pin.project_id IS NULL THEN
		RAISE EXCEPTION 'key and project_id must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.check_project_id(config_pin.project_id);
	IF config_pin.key NOT IN ('config:earliest_ledger', 'config:chunks_per_txhash_index') THEN
		RAISE EXCEPTION 'unknown config pin "%"', config_pin.key USING ERRCODE = '22023',
			HINT = 'The pins are config:earliest_ledger and config:chunks_per_txhash_index.';
	END IF;
	SELECT p.value INTO v FROM registry.chunk_config_pins p
		WHERE p.project_id = config_pin.project_id AND p.key = config_pin.key;
	RETURN v;
END;
$$;
COMMENT ON FUNCTION registry.config_pin(text, text) IS
	'value of a write-once config pin, NULL when not set';

CREATE FUNCTION registry.last_committed_ledger(project_id text DEFAULT 'default') RETURNS bigint
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cold bigint;
	hot bigint;
	earliest bigint;
	through bigint;
BEGIN
	PERFORM registry.chunk_check_args(0, last_committed_ledger.project_id);
	-- cold term: the highest chunk whose three kinds are all frozen
	SELECT a.chunk INTO cold FROM registry.chunk_artifacts a
		WHERE a.project_id = last_committed_ledger.project_id AND a.state = 'frozen'
		GROUP BY a.chunk HAVING count(*) = 3
		ORDER BY a.chunk DESC LIMIT 1;
	through := registry.chunk_last_ledger(coalesce(cold, -1));
	-- hot term: everything below the highest ready hot chunk, when it leads
	SELECT max(h.chunk) INTO hot FROM registry.chunk_hot h
		WHERE h.project_id = last_committed_ledger.project_id AND h.state = 'ready';
	IF hot IS NOT NULL AND hot > coalesce(cold, -1) THEN
		through := greatest(through, registry.chunk_last_ledger(hot - 1));
	END IF;
	-- floor term: earliest_ledger - 1
	earliest := registry.config_pin('config:earliest_ledger', last_committed_ledger.project_id)::bigint;
	IF earliest IS NOT NULL THEN
		through := greatest(through, earliest - 1);
	END IF;
	RETURN through;
END;
$$;
COMMENT ON FUNCTION registry.last_committed_ledger(text) IS
	'the last committed ledger, recomputed from the catalog (never stored): max of the last ledger of the highest chunk whose kinds are all frozen, the last ledger below the highest ready hot chunk when it leads, and earliest_ledger - 1; 1 on an empty catalog';

CREATE FUNCTION registry.retention_floor(project_id text DEFAULT 'default') RETURNS bigint
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	retention bigint;
BEGIN
	PERFORM registry.chunk_check_args(0, retention_floor.project_id);
	SELECT s.retention_chunks INTO retention FROM registry.chunk_settings s
		WHERE s.project_id = retention_floor.project_id;
	RETURN registry.effective_retention_floor(
		registry.last_committed_ledger(retention_floor.project_id),
		coalesce(retention, 0),
		coalesce(registry.config_pin('config:earliest_ledger', retention_floor.project_id)::bigint, 0));
END;
$$;
COMMENT ON FUNCTION registry.retention_floor(text) IS
	'the current retention floor ledger of a catalog: effective_retention_floor(last_committed_ledger(), retention_chunks, config:earliest_ledger)';

CREATE FUNCTION registry.chunk_state(chunk bigint, kind text,
		project_id text DEFAULT 'default') RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st text;
BEGIN
	PERFORM registry.chunk_check_args(chunk_state.chunk, chunk_state.project_id);
	IF chunk_state.kind IS NULL THEN
		RAISE EXCEPTION 'kind must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.chunk_key(chunk_state.chunk, chunk_state.kind);
	SELECT a.state INTO st FROM registry.chunk_artifacts a
		WHERE a.project_id = chunk_state.project_id AND a.chunk = chunk_state.chunk
		  AND a.kind = chunk_state.kind;
	IF st IS NULL OR registry.chunk_below_floor(chunk_state.chunk,
												registry.retention_floor(chunk_state.project_id)) THEN
		RETURN NULL;
	END IF;
	RETURN st;
END;
$$;
COMMENT ON FUNCTION registry.chunk_state(bigint, text, text) IS
	'state of a chunk artifact key (freezing, frozen, pruning), NULL when absent or when the chunk lies below the retention floor';

CREATE FUNCTION registry.hot_state(chunk bigint, project_id text DEFAULT 'default') RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st text;
BEGIN
	PERFORM registry.chunk_check_args(hot_state.chunk, hot_state.project_id);
	SELECT h.state INTO st FROM registry.chunk_hot h
		WHERE h.project_id = hot_state.project_id AND h.chunk = hot_state.chunk;
	IF st IS NULL OR registry.chunk_below_floor(hot_state.chunk,
												registry.retention_floor(hot_state.project_id)) THEN
		RETURN NULL;
	END IF;
	RETURN st;
END;
$$;
COMMENT ON FUNCTION registry.hot_state(bigint, text) IS
	'state of a chunk''s hot database (transient, ready), NULL when absent or when the chunk lies below the retention floor';

CREATE FUNCTION registry.recovery_keys(project_id text DEFAULT 'default')
		RETURNS TABLE (key text, state text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM registry.chunk_check_args(0, recovery_keys.project_id);
	RETURN QUERY
		SELECT u.key, u.state FROM (
			SELECT a.key, a.state::text AS state FROM registry.chunk_artifacts a
				WHERE a.project_id = recovery_keys.project_id AND a.state <> 'frozen'
			UNION ALL
			SELECT h.key, h.state::text FROM registry.chunk_hot h
				WHERE h.project_id = recovery_keys.project_id AND h.state = 'transient'
		) u
		ORDER BY u.key COLLATE "C";
END;
$$;
COMMENT ON FUNCTION registry.recovery_keys(text) IS
	'startup recovery: every key left in freezing, pruning or transient, in byte order (below the retention floor too)';

CREATE FUNCTION registry.catalog_keys(prefix text DEFAULT '', project_id text DEFAULT 'default')
		RETURNS TABLE (key text, value text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF catalog_keys.prefix IS NULL THEN
		RAISE EXCEPTION 'prefix must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.chunk_check_args(0, catalog_keys.project_id);
	-- Keys use only [0-9a-z:_], all below '~', so [prefix, prefix || '~')
	-- holds exactly the keys starting with prefix: an index range scan.
	RETURN QUERY
		SELECT u.key::text, u.value FROM (
			SELECT a.key, a.state::text AS value FROM registry.chunk_artifacts a
				WHERE a.project_id = catalog_keys.project_id
				  AND a.key >= catalog_keys.prefix COLLATE "C"
				  AND a.key < (catalog_keys.prefix || '~') COLLATE "C"
			UNION ALL
			SELECT p.key COLLATE "C", p.value FROM registry.chunk_config_pins p
				WHERE p.project_id = catalog_keys.project_id
				  AND p.key >= catalog_keys.prefix COLLATE "C"
				  AND p.key < (catalog_keys.prefix || '~') COLLATE "C"
			UNION ALL
			SELECT h.key, h.state::text FROM registry.chunk_hot h
				WHERE h.project_id = catalog_keys.project_id
				  AND h.key >= catalog_keys.prefix COLLATE "C"
				  AND h.key < (catalog_keys.prefix || '~') COLLATE "C"
		) u
		WHERE starts_with(u.key, catalog_keys.prefix COLLATE "C")
		ORDER BY u.key COLLATE "C";
END;
$$;
COMMENT ON FUNCTION registry.catalog_keys(text, text) IS
	'the catalog as the daemon''s key/value view: every key starting with prefix and its value (a state or a pin), in byte order';

-- --- config ---------------------------------------------------------------

CREATE FUNCTION registry.set_config_pin(key text, value text,
		project_id text DEFAULT 'default') RETURNS text
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v text;
	n numeric;
	stored text;
BEGIN
	IF set_config_pin.key IS NULL OR set_config_pin.value IS NULL OR set_config_pin.project_id IS NULL THEN
		RAISE EXCEPTION 'key, value and project_id must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.check_project_id(set_config_pin.project_id);
	IF set_config_pin.value !~ '^[0-9]+$' THEN
		RAISE EXCEPTION 'config pin % must be a decimal integer', set_config_pin.key
			USING ERRCODE = '22023', DETAIL = format('The value given is %L.', set_config_pin.value);
	END IF;
	n := set_config_pin.value::numeric;
	CASE set_config_pin.key
		WHEN 'config:earliest_ledger' THEN
			IF n < 2 OR n > 9223372036854775807 OR (n - 2) % 10000 <> 0 THEN
				RAISE EXCEPTION 'config:earliest_ledger must be the first ledger of a chunk, at or above the genesis ledger 2'
					USING ERRCODE = '22023',
					DETAIL = format('The value given is %s; chunk boundaries are 2, 10002, 20002, ...', set_config_pin.value);
			END IF;
		WHEN 'config:chunks_per_txhash_index' THEN
			IF n < 1 OR n > 1677 THEN
				RAISE EXCEPTION 'config:chunks_per_txhash_index must be between 1 and 1677'
					USING ERRCODE = '22023',
					DETAIL = format('The value given is %s; 1677 = (1 << 24) / 10000 is the limit of the index''s 3-byte payload.', set_config_pin.value);
			END IF;
		ELSE
			RAISE EXCEPTION 'unknown config pin "%"', set_config_pin.key USING ERRCODE = '22023',
				HINT = 'The pins are config:earliest_ledger and config:chunks_per_txhash_index.';
	END CASE;
	v := n::bigint::text;		-- canonical: no leading zeros
	INSERT INTO registry.chunk_config_pins (project_id, key, value)
		VALUES (set_config_pin.project_id, set_config_pin.key, v)
		ON CONFLICT ON CONSTRAINT chunk_config_pins_pkey DO NOTHING;
	SELECT p.value INTO stored FROM registry.chunk_config_pins p
		WHERE p.project_id = set_config_pin.project_id AND p.key = set_config_pin.key;
	IF stored IS DISTINCT FROM v THEN
		RAISE EXCEPTION 'config pin % is already set to %', set_config_pin.key, stored
			USING ERRCODE = '23505',
			DETAIL = format('Pins are write-once; the value given was %s.', v);
	END IF;
	RETURN stored;
END;
$$;
COMMENT ON FUNCTION registry.set_config_pin(text, text, text) IS
	'sets a write-once config pin (config:earliest_ledger: a chunk boundary >= 2; config:chunks_per_txhash_index: 1 to 1677); setting the same value again returns it, a different value is 23505';

CREATE FUNCTION registry.set_retention(retention_chunks bigint,
		project_id text DEFAULT 'default') RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF set_retention.retention_chunks IS NULL THEN
		RAISE EXCEPTION 'retention_chunks must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM registry.chunk_check_args(0, set_retention.project_id);
	IF set_retention.retention_chunks < 0 THEN
		RAISE EXCEPTION 'retention_chunks must not be negative' USING ERRCODE = '22023',
			DETAIL = format('It is %s; 0 keeps every chunk.', set_retention.retention_chunks);
	END IF;
	INSERT INTO registry.chunk_settings AS s (project_id, retention_chunks)
		VALUES (set_retention.project_id, set_retention.retention_chunks)
		ON CONFLICT ON CONSTRAINT chunk_settings_pkey DO UPDATE
			SET retention_chunks = EXCLUDED.retention_chunks, updated_at = pg_catalog.now();
	RETURN registry.retention_floor(set_retention.project_id);
END;
$$;
COMMENT ON FUNCTION registry.set_retention(bigint, text) IS
	'sets how many complete chunks a catalog retains (0 = all) and returns the retention floor ledger it implies now';

CREATE FUNCTION registry.chunk_config_section(path text, spec jsonb, cfg jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	out jsonb := '{}';
	f text;
	fs jsonb;
	v jsonb;
	name text;
	n numeric;
BEGIN
	IF cfg IS NULL THEN
		cfg := '{}';
	END IF;
	IF jsonb_typeof(cfg) <> 'object' THEN
		RAISE EXCEPTION '% must be an object', coalesce(path, 'config') USING ERRCODE = '22023',
			DETAIL = format('It is %s.', cfg);
	END IF;
	FOR f IN SELECT jsonb_object_keys(cfg) LOOP
		IF NOT spec ? f THEN
			RAISE EXCEPTION 'unknown config field %', concat_ws('.', path, f) USING ERRCODE = '22023';
		END IF;
	END LOOP;
	FOR f, fs IN SELECT e.key, e.value FROM jsonb_each(spec) e LOOP
		name := concat_ws('.', path, f);
		v := cfg -> f;
		IF fs ->> 'type' = 'section' THEN
			out := out || jsonb_build_object(f, registry.chunk_config_section(name, fs -> 'fields', v));
			CONTINUE;
		END IF;
		IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
			IF fs ? 'default' THEN
				out := out || jsonb_build_object(f, fs -> 'default');
			END IF;
			CONTINUE;
		END IF;
		CASE fs ->> 'type'
			WHEN 'integer' THEN
				IF jsonb_typeof(v) <> 'number' OR (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric) THEN
					RAISE EXCEPTION '% must be an integer', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				n := (v #>> '{}')::numeric;
				IF fs ? 'min' AND n < (fs ->> 'min')::numeric THEN
					RAISE EXCEPTION '% must be at least %', name, fs ->> 'min' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ? 'max' AND n > (fs ->> 'max')::numeric THEN
					RAISE EXCEPTION '% must be at most %', name, fs ->> 'max' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ->> 'check' = 'chunk_boundary' AND (n - 2) % 10000 <> 0 THEN
					RAISE EXCEPTION '% must be the first ledger of a chunk', name USING ERRCODE = '22023',
						DETAIL = format('It is %s; chunk boundaries are 2, 10002, 20002, ...', v);
				END IF;
				out := out || jsonb_build_object(f, v);
			WHEN 'path' THEN
				IF jsonb_typeof(v) <> 'string' THEN
					RAISE EXCEPTION '% must be a string', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF left(v #>> '{}', 1) <> '/' THEN
					RAISE EXCEPTION '% must be an absolute path', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				out := out || jsonb_build_object(f, registry.normalize_root(v #>> '{}'));
			WHEN 'string' THEN
				IF jsonb_typeof(v) <> 'string' THEN
					RAISE EXCEPTION '% must be a string', name USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				IF fs ? 'one_of' AND NOT (fs -> 'one_of') @> jsonb_build_array(v) THEN
					RAISE EXCEPTION '% must be one of %', name, fs -> 'one_of' USING ERRCODE = '22023',
						DETAIL = format('It is %s.', v);
				END IF;
				out := out || jsonb_build_object(f, v);
			ELSE
				RAISE EXCEPTION 'unexpected config spec type %', fs ->> 'type' USING ERRCODE = 'XX000';
		END CASE;
	END LOOP;
	RETURN out;
END;
$$;
COMMENT ON FUNCTION registry.chunk_config_section(text, jsonb, jsonb) IS
	'internal: checks one section of a daemon config against its spec and fills in defaults (used by validate_config)';

CREATE FUNCTION registry.validate_config(config jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN registry.chunk_config_section(NULL, jsonb '{
		"service": {"type": "section", "fields": {
			"default_data_dir": {"type": "path"}}},
		"backfill": {"type": "section", "fields": {
			"chunks_per_txhash_index": {"type": "integer", "min": 1, "max": 1677, "default": 1000},
			"workers": {"type": "integer", "min": 1, "default": 40},
			"max_retries": {"type": "integer", "min": 0, "default": 3},
			"bsb": {"type": "section", "fields": {
				"bucket_path": {"type": "string"},
				"buffer_size": {"type": "integer", "min": 1, "default": 1000},
				"num_workers": {"type": "integer", "min": 1, "default": 20}}}}},
		"immutable_storage": {"type": "section", "fields": {
			"ledgers": {"type": "section", "fields": {"path": {"type": "path"}}},
			"events": {"type": "section", "fields": {"path": {"type": "path"}}},
			"txhash": {"type": "section", "fields": {"path": {"type": "path"}}}}},
		"catalog": {"type": "section", "fields": {
			"path": {"type": "path"}}},
		"streaming": {"type": "section", "fields": {
			"retention_chunks": {"type": "integer", "min": 0, "default": 0},
			"earliest_ledger": {"type": "integer", "min": 2, "check": "chunk_boundary", "default": 2},
			"hot_storage": {"type": "section", "fields": {"path": {"type": "path"}}}}},
		"logging": {"type": "section", "fields": {
			"level": {"type": "string", "one_of": ["debug", "info", "warn", "error"], "default": "info"},
			"format": {"type": "string", "one_of": ["text", "json"], "default": "text"}}}
	}', config);
COMMENT ON FUNCTION registry.validate_config(jsonb) IS
	'validates a daemon config (the TOML sections as JSON) and returns it with defaults applied; each malformed value (zero or over-max chunks_per_txhash_index, zero workers, negative retries, an earliest_ledger below genesis or off a chunk boundary, unknown fields, wrong types) is a 22023 naming the field';

-- --- storage-root locks ---------------------------------------------------

CREATE FUNCTION registry.normalize_root(root text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_normalize_root'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.normalize_root(text) IS
	'lexically normalised absolute path (repeated and trailing slashes, . and .. segments resolved); 22023 for a relative path';

CREATE FUNCTION registry.lock_roots(roots text[]) RETURNS text[]
	AS 'MODULE_PATHNAME', 'registry_lock_roots'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION registry.lock_roots(text[]) IS
	'locks every storage root for this session, or none: 55P03 naming a root another session holds; roots already held are kept; returns the normalised roots; a session that ends releases them';

CREATE FUNCTION registry.release_roots() RETURNS integer
	AS 'MODULE_PATHNAME', 'registry_release_roots'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION registry.release_roots() IS
	'releases every storage root this session holds and returns how many (0 when none: idempotent)';

CREATE FUNCTION registry.held_roots() RETURNS text[]
	AS 'MODULE_PATHNAME', 'registry_held_roots'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION registry.held_roots() IS
	'the storage roots this session holds, normalised';


-- (end of section: chunk catalog)


-- ===========================================================================
-- Section: artifacts and deployments (seed 000)
-- ===========================================================================

-- (end of section: artifacts and deployments)


-- ===========================================================================
-- Section: semantic version type
-- ===========================================================================

-- registry.semver: SemVer 2.0.0 versions (src/semver.c, src/semver_core.c).
-- Precedence is SemVer 2.0.0 section 11; equality and hashing ignore build
-- metadata; ranges follow node-semver.

CREATE TYPE registry.semver;

CREATE FUNCTION registry.semver_in(cstring) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_in(cstring) IS
	'input function of registry.semver: strict SemVer 2.0.0 syntax, 22P02 with the position otherwise';

CREATE FUNCTION registry.semver_out(registry.semver) RETURNS cstring
	AS 'MODULE_PATHNAME', 'semver_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_out(registry.semver) IS
	'output function of registry.semver';

CREATE FUNCTION registry.semver_recv(internal) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_recv(internal) IS
	'binary input of registry.semver: a format byte (1) followed by the version text';

CREATE FUNCTION registry.semver_send(registry.semver) RETURNS bytea
	AS 'MODULE_PATHNAME', 'semver_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_send(registry.semver) IS
	'binary output of registry.semver: a format byte (1) followed by the version text';

CREATE TYPE registry.semver (
	INPUT = registry.semver_in,
	OUTPUT = registry.semver_out,
	RECEIVE = registry.semver_recv,
	SEND = registry.semver_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE registry.semver IS
	'a semantic version (SemVer 2.0.0): ordered by precedence, equality and hashing ignore build metadata';

CREATE FUNCTION registry.to_semver(text) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'to_semver'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.to_semver(text) IS
	'lenient constructor: accepts v1.2, 1, 1.0beta1, =1.2.3, leading zeros and surrounding spaces';

CREATE CAST (registry.semver AS text) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST (registry.semver AS text) IS 'the version as SemVer text';
CREATE CAST (text AS registry.semver) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST (text AS registry.semver) IS 'strict SemVer text to a version (22P02 when invalid)';

-- comparison

CREATE FUNCTION registry.semver_cmp(registry.semver, registry.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_cmp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_cmp(registry.semver, registry.semver) IS
	'SemVer 2.0.0 precedence: -1, 0 or 1 (build metadata ignored)';

CREATE FUNCTION registry.semver_eq(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_eq'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_eq(registry.semver, registry.semver) IS
	'equal precedence (build metadata ignored)';
CREATE FUNCTION registry.semver_ne(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_ne'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_ne(registry.semver, registry.semver) IS
	'different precedence';
CREATE FUNCTION registry.semver_lt(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_lt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_lt(registry.semver, registry.semver) IS
	'lower precedence';
CREATE FUNCTION registry.semver_le(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_le'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_le(registry.semver, registry.semver) IS
	'lower or equal precedence';
CREATE FUNCTION registry.semver_gt(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_gt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_gt(registry.semver, registry.semver) IS
	'higher precedence';
CREATE FUNCTION registry.semver_ge(registry.semver, registry.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_ge'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_ge(registry.semver, registry.semver) IS
	'higher or equal precedence';

CREATE OPERATOR registry.= (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_eq,
	COMMUTATOR = OPERATOR(registry.=), NEGATOR = OPERATOR(registry.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES, MERGES
);
COMMENT ON OPERATOR registry.= (registry.semver, registry.semver) IS
	'equal precedence (build metadata ignored)';
CREATE OPERATOR registry.<> (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_ne,
	COMMUTATOR = OPERATOR(registry.<>), NEGATOR = OPERATOR(registry.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR registry.<> (registry.semver, registry.semver) IS
	'different precedence';
CREATE OPERATOR registry.< (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_lt,
	COMMUTATOR = OPERATOR(registry.>), NEGATOR = OPERATOR(registry.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
COMMENT ON OPERATOR registry.< (registry.semver, registry.semver) IS
	'lower precedence';
CREATE OPERATOR registry.<= (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_le,
	COMMUTATOR = OPERATOR(registry.>=), NEGATOR = OPERATOR(registry.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
COMMENT ON OPERATOR registry.<= (registry.semver, registry.semver) IS
	'lower or equal precedence';
CREATE OPERATOR registry.> (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_gt,
	COMMUTATOR = OPERATOR(registry.<), NEGATOR = OPERATOR(registry.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
COMMENT ON OPERATOR registry.> (registry.semver, registry.semver) IS
	'higher precedence';
CREATE OPERATOR registry.>= (
	LEFTARG = registry.semver, RIGHTARG = registry.semver,
	FUNCTION = registry.semver_ge,
	COMMUTATOR = OPERATOR(registry.<=), NEGATOR = OPERATOR(registry.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR registry.>= (registry.semver, registry.semver) IS
	'higher or equal precedence';

CREATE FUNCTION registry.semver_sortsupport(internal) RETURNS void
	AS 'MODULE_PATHNAME', 'semver_sortsupport'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_sortsupport(internal) IS
	'btree sort support for registry.semver (abbreviated keys: the first 8 bytes of the order-preserving key)';

CREATE FUNCTION registry.semver_hash(registry.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_hash(registry.semver) IS
	'hash of a version, consistent with = (build metadata ignored)';
CREATE FUNCTION registry.semver_hash_extended(registry.semver, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'semver_hash_extended'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_hash_extended(registry.semver, bigint) IS
	'seeded 64-bit hash of a version, consistent with = (build metadata ignored)';

CREATE OPERATOR CLASS registry.semver_ops
	DEFAULT FOR TYPE registry.semver USING btree AS
		OPERATOR 1 registry.<,
		OPERATOR 2 registry.<=,
		OPERATOR 3 registry.=,
		OPERATOR 4 registry.>=,
		OPERATOR 5 registry.>,
		FUNCTION 1 registry.semver_cmp(registry.semver, registry.semver),
		FUNCTION 2 registry.semver_sortsupport(internal);
COMMENT ON OPERATOR CLASS registry.semver_ops USING btree IS
	'SemVer 2.0.0 precedence order for registry.semver';

CREATE OPERATOR CLASS registry.semver_hash_ops
	DEFAULT FOR TYPE registry.semver USING hash AS
		OPERATOR 1 registry.=,
		FUNCTION 1 registry.semver_hash(registry.semver),
		FUNCTION 2 registry.semver_hash_extended(registry.semver, bigint);
COMMENT ON OPERATOR CLASS registry.semver_hash_ops USING hash IS
	'hashing of registry.semver consistent with = (build metadata ignored)';

CREATE FUNCTION registry.semver_cmp_build(registry.semver, registry.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_cmp_build'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_cmp_build(registry.semver, registry.semver) IS
	'a total order: precedence, then no build metadata below any, then build identifiers, then bytes';

CREATE FUNCTION registry.semver_smaller(registry.semver, registry.semver) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_smaller'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_smaller(registry.semver, registry.semver) IS
	'the lower of two versions (the first when equal)';
CREATE FUNCTION registry.semver_larger(registry.semver, registry.semver) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_larger'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_larger(registry.semver, registry.semver) IS
	'the higher of two versions (the first when equal)';

CREATE AGGREGATE registry.min(registry.semver) (
	SFUNC = registry.semver_smaller, STYPE = registry.semver,
	COMBINEFUNC = registry.semver_smaller, SORTOP = OPERATOR(registry.<),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE registry.min(registry.semver) IS 'the lowest version';
CREATE AGGREGATE registry.max(registry.semver) (
	SFUNC = registry.semver_larger, STYPE = registry.semver,
	COMBINEFUNC = registry.semver_larger, SORTOP = OPERATOR(registry.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE registry.max(registry.semver) IS 'the highest version';

-- accessors and bumps

CREATE FUNCTION registry.semver_major(registry.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'semver_major'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_major(registry.semver) IS 'the major version';
CREATE FUNCTION registry.semver_minor(registry.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'semver_minor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_minor(registry.semver) IS 'the minor version';
CREATE FUNCTION registry.semver_patch(registry.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'semver_patch'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_patch(registry.semver) IS 'the patch version';
CREATE FUNCTION registry.semver_prerelease(registry.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'semver_prerelease'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_prerelease(registry.semver) IS
	'the prerelease (without the hyphen), NULL for a release';
CREATE FUNCTION registry.semver_build(registry.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'semver_build'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_build(registry.semver) IS
	'the build metadata (without the plus), NULL when there is none';

CREATE FUNCTION registry.semver_bump(registry.semver, text) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_bump'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.semver_bump(registry.semver, text) IS
	'the next version: part major, minor, patch or prerelease, as node-semver''s inc (build metadata dropped)';

CREATE FUNCTION registry.version_cmp(text, text) RETURNS integer
	AS 'MODULE_PATHNAME', 'version_cmp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.version_cmp(text, text) IS
	'SemVer 2.0.0 precedence of two version texts: -1, 0 or 1 (22P02 for invalid text)';

-- ranges (node-semver)

CREATE FUNCTION registry.satisfies(registry.semver, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_satisfies'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.satisfies(registry.semver, text) IS
	'true when the version satisfies the node-semver range (^, ~, x-ranges, hyphen ranges, ||); 22P02 for a malformed range';

CREATE FUNCTION registry.max_satisfying(registry.semver[], text) RETURNS registry.semver
	AS 'MODULE_PATHNAME', 'semver_max_satisfying'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.max_satisfying(registry.semver[], text) IS
	'the highest version of the array that satisfies the node-semver range, NULL when none does';

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


/*
 * The scheme (README "Tenancy and security"):
 *  - three NOLOGIN group roles hold the table and function privileges:
 *    registry_reader (SELECT, STABLE functions), registry_writer (reader plus
 *    INSERT/UPDATE/DELETE and VOLATILE functions) and registry_admin (writer
 *    plus the grant functions).  The install script creates them when they
 *    do not exist yet (they are cluster-wide, so a second database reuses
 *    them, and DROP EXTENSION leaves them).
 *  - registry.project_grants says which role may do what in which project;
 *    row-level security on every project table admits only the projects
 *    granted to the current role or a role it is a member of.  The
 *    extension owner (the tables' owner) and superusers bypass RLS.
 *  - registry.grant_project() is the one call that lets a login role use a
 *    project: it records the grant (RLS lets only the project's admins, the
 *    owner and superusers do that) and a trigger makes the role a member of
 *    the matching group role.
 */
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'registry_reader') THEN
		CREATE ROLE registry_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'registry_writer') THEN
		CREATE ROLE registry_writer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'registry_admin') THEN
		CREATE ROLE registry_admin NOLOGIN;
	END IF;
	IF NOT pg_catalog.pg_has_role('registry_writer', 'registry_reader', 'MEMBER') THEN
		GRANT registry_reader TO registry_writer;
	END IF;
	IF NOT pg_catalog.pg_has_role('registry_admin', 'registry_writer', 'MEMBER') THEN
		GRANT registry_writer TO registry_admin;
	END IF;
END
$roles$;

CREATE TABLE registry.project_grants (
	project_id	text NOT NULL CHECK (registry.valid_project_id(project_id)),
	role_name	text NOT NULL CHECK (role_name <> ''),
	privilege	text NOT NULL CHECK (privilege IN ('read', 'write', 'admin')),
	granted_by	text NOT NULL DEFAULT CURRENT_USER,
	granted_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id, role_name)
);
CREATE INDEX project_grants_role_idx ON registry.project_grants (role_name);
COMMENT ON TABLE registry.project_grants IS
	'which role may read, write or administer which project; row-level security on every project table reads it';
SELECT pg_catalog.pg_extension_config_dump('registry.project_grants', '');

CREATE FUNCTION registry.privilege_rank(text) RETURNS integer
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN CASE $1 WHEN 'read' THEN 1 WHEN 'write' THEN 2 WHEN 'admin' THEN 3 END;
COMMENT ON FUNCTION registry.privilege_rank(text) IS
	'orders project privileges: read 1, write 2, admin 3 (NULL for anything else)';

/*
 * SECURITY DEFINER, because row-level security policies on project_grants
 * itself and on every project table call it: run as the invoker it would
 * read project_grants under that table's own policy, which calls it again.
 * It only answers a question about the role it is given; the policies always
 * pass current_user, which the caller cannot forge.
 */
CREATE FUNCTION registry.accessible_projects(who name, need text) RETURNS text[]
	LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	BEGIN ATOMIC
		SELECT COALESCE(pg_catalog.array_agg(DISTINCT g.project_id), '{}')
		  FROM registry.project_grants AS g
		  JOIN pg_catalog.pg_roles AS r ON r.rolname = g.role_name
		 WHERE registry.privilege_rank(g.privilege) >= registry.privilege_rank(need)
		   AND pg_catalog.pg_has_role(who, r.oid, 'MEMBER');
	END;
COMMENT ON FUNCTION registry.accessible_projects(name, text) IS
	'the projects on which the role (directly or through membership) holds at least the given privilege; used by the row-level security policies';

CREATE FUNCTION registry.my_projects(need text DEFAULT 'read') RETURNS TABLE (project_id text)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT p FROM pg_catalog.unnest(registry.accessible_projects(CURRENT_USER, need)) AS p ORDER BY 1;
	END;
COMMENT ON FUNCTION registry.my_projects(text) IS
	'the projects the current role may read (or write, or administer), by name';


CREATE FUNCTION registry.project_privilege(project_id text, who name DEFAULT CURRENT_USER) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT CASE pg_catalog.max(registry.privilege_rank(g.privilege))
				 WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 3 THEN 'admin' END
		  FROM pg_catalog.unnest(ARRAY['read', 'write', 'admin']) AS g(privilege)
		 WHERE project_privilege.project_id = ANY (registry.accessible_projects(who, g.privilege));
	END;
COMMENT ON FUNCTION registry.project_privilege(text, name) IS
	'the highest privilege (read, write, admin) the role holds on the project, NULL when none';

ALTER TABLE registry.project_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY project_grants_read ON registry.project_grants FOR SELECT
	USING (pg_catalog.pg_has_role(CURRENT_USER, role_name, 'MEMBER')
		   OR project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'admin'))::text[]));
CREATE POLICY project_grants_admin ON registry.project_grants FOR ALL
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'admin'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'admin'))::text[]));
COMMENT ON POLICY project_grants_read ON registry.project_grants IS
	'a role sees its own grants, and every grant of the projects it administers';
COMMENT ON POLICY project_grants_admin ON registry.project_grants IS
	'only a project''s admins (and the extension owner, and superusers) change its grants';

/*
 * SECURITY DEFINER, because changing membership of the group roles needs the
 * extension owner's rights (ADMIN OPTION on them), which the project admins
 * calling grant_project() do not have.  It runs only as the trigger of a
 * project_grants change that row-level security has already allowed, and it
 * only ever grants or revokes the three registry_* group roles to the role
 * named in that row.
 */
CREATE FUNCTION registry.project_grants_sync() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $fn$
DECLARE
	who		text;
	top		integer;
	grp		text;
	want	text;
BEGIN
	IF TG_OP = 'DELETE' THEN
		who := OLD.role_name;
	ELSE
		who := NEW.role_name;
	END IF;
	IF who IN ('registry_reader', 'registry_writer', 'registry_admin')
	   OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = who) THEN
		RETURN NULL;
	END IF;
	SELECT pg_catalog.max(registry.privilege_rank(g.privilege)) INTO top
	  FROM registry.project_grants AS g WHERE g.role_name = who;
	want := CASE top WHEN 1 THEN 'registry_reader' WHEN 2 THEN 'registry_writer'
					 WHEN 3 THEN 'registry_admin' END;
	FOREACH grp IN ARRAY ARRAY['registry_reader', 'registry_writer', 'registry_admin'] LOOP
		IF grp = want THEN
			EXECUTE pg_catalog.format('GRANT %I TO %I', grp, who);
		ELSIF EXISTS (SELECT FROM pg_catalog.pg_auth_members m
					   WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = grp)
						 AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = who)) THEN
			EXECUTE pg_catalog.format('REVOKE %I FROM %I', grp, who);
		END IF;
	END LOOP;
	RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION registry.project_grants_sync() IS
	'trigger: keeps a role''s membership of registry_reader/_writer/_admin equal to the highest privilege it was granted on any project';

CREATE TRIGGER project_grants_sync AFTER INSERT OR UPDATE OR DELETE ON registry.project_grants
	FOR EACH ROW EXECUTE FUNCTION registry.project_grants_sync();
COMMENT ON TRIGGER project_grants_sync ON registry.project_grants IS
	'makes each granted role a member of the group role its privileges need';

CREATE FUNCTION registry.grant_project(project_id text, role_name name, privilege text DEFAULT 'read')
	RETURNS registry.project_grants
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $fn$
DECLARE
	result registry.project_grants;
BEGIN
	PERFORM registry.check_project_id(project_id);
	IF privilege IS NULL OR registry.privilege_rank(privilege) IS NULL THEN
		RAISE EXCEPTION 'invalid project privilege "%"', privilege
			USING ERRCODE = '22023', HINT = 'Use read, write or admin.';
	END IF;
	IF role_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = role_name) THEN
		RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = '42704';
	END IF;
	IF NOT (pg_catalog.pg_has_role(CURRENT_USER,
								 (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'registry'),
								 'MEMBER')
			OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)
			OR registry.project_privilege(project_id) IS NOT DISTINCT FROM 'admin') THEN
		RAISE EXCEPTION 'permission denied to grant access to project "%"', project_id
			USING ERRCODE = '42501',
				  DETAIL = 'Only the project''s admins, the extension owner and superusers can grant it.';
	END IF;
	INSERT INTO registry.project_grants AS g (project_id, role_name, privilege)
		 VALUES (grant_project.project_id, grant_project.role_name, grant_project.privilege)
	ON CONFLICT ON CONSTRAINT project_grants_pkey
		DO UPDATE SET privilege = EXCLUDED.privilege, granted_by = CURRENT_USER, granted_at = pg_catalog.now()
	RETURNING g.* INTO result;
	RETURN result;
END
$fn$;
COMMENT ON FUNCTION registry.grant_project(text, name, text) IS
	'lets a role read, write or administer a project through every table and function (callable by the project''s admins, the extension owner and superusers)';

CREATE FUNCTION registry.revoke_project(project_id text, role_name name)
	RETURNS boolean
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $fn$
DECLARE
	n integer;
BEGIN
	PERFORM registry.check_project_id(project_id);
	IF NOT (pg_catalog.pg_has_role(CURRENT_USER,
								 (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'registry'),
								 'MEMBER')
			OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)
			OR registry.project_privilege(project_id) IS NOT DISTINCT FROM 'admin') THEN
		RAISE EXCEPTION 'permission denied to revoke access to project "%"', project_id
			USING ERRCODE = '42501',
				  DETAIL = 'Only the project''s admins, the extension owner and superusers can revoke it.';
	END IF;
	DELETE FROM registry.project_grants AS g
	 WHERE g.project_id = revoke_project.project_id AND g.role_name = revoke_project.role_name;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n > 0;
END
$fn$;
COMMENT ON FUNCTION registry.revoke_project(text, name) IS
	'takes a role''s access to a project away (true when it had one); idempotent';


-- Privileges, last, so they cover every object above.  Tables and sequences
-- are closed to PUBLIC; pure (IMMUTABLE) functions stay open to PUBLIC, as
-- built-in functions are; STABLE functions go to registry_reader, VOLATILE
-- ones to registry_writer, and the grant functions to registry_admin.
REVOKE ALL ON ALL TABLES IN SCHEMA registry FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA registry FROM PUBLIC;
GRANT USAGE ON SCHEMA registry TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA registry TO registry_reader;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA registry TO registry_writer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA registry TO registry_writer;
REVOKE INSERT, UPDATE, DELETE ON registry.project_grants FROM registry_writer;
GRANT INSERT, UPDATE, DELETE ON registry.project_grants TO registry_admin;

DO $privs$
DECLARE
	f regprocedure;
	v "char";
BEGIN
	FOR f, v IN
		SELECT p.oid::regprocedure, p.provolatile
		  FROM pg_catalog.pg_proc AS p
		  JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
		  JOIN pg_catalog.pg_extension AS e ON d.refclassid = 'pg_catalog.pg_extension'::regclass
			   AND d.refobjid = e.oid AND d.deptype = 'e'
		 WHERE e.extname = 'registry' AND p.provolatile <> 'i' AND p.prokind IN ('f', 'p')
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', f,
								  CASE v WHEN 's' THEN 'registry_reader' ELSE 'registry_writer' END);
	END LOOP;
END
$privs$;
REVOKE ALL ON FUNCTION registry.grant_project(text, name, text) FROM registry_writer;
REVOKE ALL ON FUNCTION registry.revoke_project(text, name) FROM registry_writer;
GRANT EXECUTE ON FUNCTION registry.grant_project(text, name, text) TO registry_admin;
GRANT EXECUTE ON FUNCTION registry.revoke_project(text, name) TO registry_admin;

-- (end of section: tenancy and privileges)
