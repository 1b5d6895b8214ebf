/*
 * registry install script.  The Makefile copies it to
 * sql/registry--<default_version>.sql; every later release adds an upgrade
 * step sql/registry--A--B.sql.
 *
 * House rules (README "Extension patterns"): every object is schema-qualified
 * (registry.* / pg_catalog.*), every object created once (never replaced
 * in place: that is for upgrade steps), COMMENT ON every object,
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
				RAISE EXCEPTION 'unknown config spec type % for %', coalesce(fs ->> 'type', 'NULL'), name
					USING ERRCODE = '22023';
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

CREATE FUNCTION registry.deployment_row_ok(project_id text, idempotency_key text, chain_id text,
		contract text, address text, tx_hash text, confirmed boolean) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_deployment_row_ok'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.deployment_row_ok(text, text, text, text, text, text, boolean) IS
	'the CHECK of registry.deployments: a valid project id; key, chain id and contract not empty; no ":" in the chain id; address and tx_hash empty never (NULL allowed); confirmed only with an address. NULL when a NOT NULL column is NULL (its NOT NULL constraint reports it)';

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
	project_id text COLLATE "C" NOT NULL DEFAULT '_',
	idempotency_key text COLLATE "C" NOT NULL,
	chain_id text COLLATE "C" NOT NULL,
	contract text COLLATE "C" NOT NULL,
	address text,
	tx_hash text,
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
	-- every column rule in one call: the executor reads each CHECK's tree
	-- from its text for every statement that writes the table
	CONSTRAINT deployments_row_check CHECK (registry.deployment_row_ok(project_id, idempotency_key, chain_id,
		contract, address, tx_hash, confirmed)),
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

/*
 * registry.deploy keeps, per session, the current artifact revision of each
 * (project, contract) it has looked up, so that a new deployment does not
 * probe registry.artifacts every time.  This trigger keeps that cache
 * honest: any change to registry.artifacts tells every session that its
 * cache is stale (a relcache invalidation).  It fires ALWAYS, so that a
 * logical replica's apply worker sends it too; registry.deploy uses no cache
 * unless the trigger is there and enabled so.
 */
CREATE FUNCTION registry.artifacts_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'registry_artifacts_changed'
	LANGUAGE C;
COMMENT ON FUNCTION registry.artifacts_changed() IS
	'trigger: tells every session that the artifact revisions registry.deploy has cached are stale (a relcache invalidation of artifacts)';
CREATE TRIGGER artifacts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registry.artifacts
	FOR EACH STATEMENT EXECUTE FUNCTION registry.artifacts_changed();
ALTER TABLE registry.artifacts ENABLE ALWAYS TRIGGER artifacts_changed;
COMMENT ON TRIGGER artifacts_changed ON registry.artifacts IS
	'invalidates the per-session cache of artifact revisions that registry.deploy links new deployments to';

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

--
-- Content-addressed blobs (seed 003).  A blob is stored once per content
-- key, cut into chunks of registry.blob_chunk_size() bytes (256 KiB) keyed
-- (key, chunk_no), so a range read fetches only the chunks it overlaps, and
-- inside an uncompressed chunk only the TOAST pages of the slice
-- (STORAGE EXTERNAL allows sliced fetches).  Compressed blobs keep their
-- chunks in the column "packed" (default TOAST storage: pglz, or whatever
-- default_toast_compression says), whose slices decompress only up to the
-- end of the slice.
--
CREATE FUNCTION registry.blob_key(data bytea) RETURNS text
	AS 'MODULE_PATHNAME', 'blob_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.blob_key(bytea) IS
	'content key of the bytes: lowercase base32 (no padding, no multibase prefix) of the sha2-256 multihash 0x12 0x20 || digest';

CREATE FUNCTION registry.valid_blob_key(key text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'valid_blob_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.valid_blob_key(text) IS
	'true when the text is a well-formed content key (55 base32 characters of a sha2-256 multihash)';

CREATE FUNCTION registry.check_blob_key(key text) RETURNS text
	AS 'MODULE_PATHNAME', 'check_blob_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.check_blob_key(text) IS
	'returns its argument when it is a well-formed content key, else raises 22P02 saying why';

CREATE FUNCTION registry.blob_shard(key text) RETURNS text
	AS 'MODULE_PATHNAME', 'blob_shard_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.blob_shard(text) IS
	'flatfs next-to-last/2 shard directory of a key: the two characters before the last one, left-padded with _ (quux -> uu)';

CREATE FUNCTION registry.blob_chunk_size() RETURNS integer
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN 262144;
COMMENT ON FUNCTION registry.blob_chunk_size() IS
	'bytes per stored blob chunk (256 KiB): a range read touches only the chunks it overlaps';

CREATE TABLE registry.blobs (
	key			text PRIMARY KEY CHECK (registry.valid_blob_key(key)),
	size		bigint NOT NULL CHECK (size >= 0),
	compressed	boolean NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE registry.blobs IS
	'content-addressed blobs, one row per distinct content (shared by every project); the bytes live in registry.blob_chunks';
SELECT pg_catalog.pg_extension_config_dump('registry.blobs', '');

CREATE TABLE registry.blob_chunks (
	key			text NOT NULL REFERENCES registry.blobs (key) ON DELETE CASCADE,
	chunk_no	integer NOT NULL CHECK (chunk_no >= 0),
	raw			bytea,
	packed		bytea,
	PRIMARY KEY (key, chunk_no),
	CHECK ((raw IS NULL) <> (packed IS NULL))
);
ALTER TABLE registry.blob_chunks ALTER COLUMN raw SET STORAGE EXTERNAL;
COMMENT ON TABLE registry.blob_chunks IS
	'the bytes of each blob in 256 KiB chunks: raw (uncompressed, STORAGE EXTERNAL, sliced reads) or packed (TOAST-compressed)';
SELECT pg_catalog.pg_extension_config_dump('registry.blob_chunks', '');

CREATE FUNCTION registry.put_blob(data bytea, compress boolean DEFAULT true) RETURNS text
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	-- every statement here, and the foreign-key check of blob_chunks,
	-- reads one key through an index; see README, "Statistics that mislead"
	SET enable_seqscan = off
AS $$
DECLARE
	k text := registry.blob_key(data);
	n bigint := pg_catalog.length(data);
	cs integer := registry.blob_chunk_size();
	inserted boolean;
BEGIN
	LOOP
		inserted := false;
		INSERT INTO registry.blobs (key, size, compressed)
			VALUES (k, n, compress)
			ON CONFLICT (key) DO NOTHING
			RETURNING true INTO inserted;
		IF inserted THEN
			IF n <= cs THEN
				-- one chunk: the common case of source files
				IF compress THEN
					INSERT INTO registry.blob_chunks (key, chunk_no, packed) VALUES (k, 0, data);
				ELSE
					INSERT INTO registry.blob_chunks (key, chunk_no, raw) VALUES (k, 0, data);
				END IF;
			ELSIF compress THEN
				INSERT INTO registry.blob_chunks (key, chunk_no, packed)
				SELECT k, c, pg_catalog.substr(data, c * cs + 1, cs)
				  FROM pg_catalog.generate_series(0, GREATEST((n - 1) / cs, 0)::integer) AS c;
			ELSE
				INSERT INTO registry.blob_chunks (key, chunk_no, raw)
				SELECT k, c, pg_catalog.substr(data, c * cs + 1, cs)
				  FROM pg_catalog.generate_series(0, GREATEST((n - 1) / cs, 0)::integer) AS c;
			END IF;
			RETURN k;
		END IF;
		-- Already stored: hold it so a concurrent reclaim cannot delete it
		-- before this transaction ends (a reclaim locks it FOR UPDATE).
		PERFORM 1 FROM registry.blobs b WHERE b.key = k FOR KEY SHARE;
		IF FOUND THEN
			RETURN k;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION registry.put_blob(bytea, boolean) IS
	'stores the bytes once under their content key and returns the key; compress chooses TOAST-compressed chunks (the first writer of a content decides)';

CREATE FUNCTION registry.blob_size(key text) RETURNS bigint
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT b.size FROM registry.blobs b WHERE b.key = registry.check_blob_key(blob_size.key);
END;
COMMENT ON FUNCTION registry.blob_size(text) IS
	'size in bytes of a stored blob; NULL when no blob has the key; 22P02 for a malformed key';

CREATE FUNCTION registry.get_blob(key text, range_start bigint DEFAULT 0, range_end bigint DEFAULT NULL)
	RETURNS bytea
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	sz bigint;
	cs integer := registry.blob_chunk_size();
	lo bigint;
	hi bigint;
	result bytea;
BEGIN
	IF key IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT b.size INTO sz FROM registry.blobs b WHERE b.key = registry.check_blob_key(get_blob.key);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'blob % not found', key USING ERRCODE = 'P0002';
	END IF;
	lo := coalesce(range_start, 0);
	IF lo < 0 THEN
		RAISE EXCEPTION 'range not satisfiable: range_start % is negative', lo
			USING ERRCODE = '22023';
	END IF;
	IF range_end IS NULL THEN
		IF lo = 0 AND sz = 0 THEN
			RETURN '\x'::bytea;
		END IF;
		hi := sz - 1;
	ELSE
		IF range_end < lo THEN
			RAISE EXCEPTION 'range not satisfiable: range_end % is before range_start %', range_end, lo
				USING ERRCODE = '22023';
		END IF;
		hi := LEAST(range_end, sz - 1);
	END IF;
	IF lo >= sz THEN
		RAISE EXCEPTION 'range not satisfiable: range_start % is beyond the blob of % bytes', lo, sz
			USING ERRCODE = '22023';
	END IF;
	SELECT pg_catalog.string_agg(
			pg_catalog.substr(coalesce(c.raw, c.packed),
				(GREATEST(lo - c.chunk_no::bigint * cs, 0) + 1)::integer,
				(LEAST(hi - c.chunk_no::bigint * cs, cs - 1) - GREATEST(lo - c.chunk_no::bigint * cs, 0) + 1)::integer),
			'\x'::bytea ORDER BY c.chunk_no)
	  INTO result
	  FROM registry.blob_chunks c
	 WHERE c.key = get_blob.key
	   AND c.chunk_no BETWEEN (lo / cs)::integer AND (hi / cs)::integer;
	RETURN result;
END
$$;
COMMENT ON FUNCTION registry.get_blob(text, bigint, bigint) IS
	'bytes range_start..range_end (inclusive, 0-based, an end past the blob is clamped as in HTTP) of a blob; 22023 when the range is outside the blob, P0002 for an unknown key, 22P02 for a malformed one';

CREATE FUNCTION registry.unified_diff(a bytea, b bytea, label_a text DEFAULT 'a', label_b text DEFAULT 'b',
		context integer DEFAULT 3) RETURNS text
	AS 'MODULE_PATHNAME', 'unified_diff'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.unified_diff(bytea, bytea, text, text, integer) IS
	'unified diff (GNU diff -u format, linear-space Myers) turning a into b, empty when equal; NULL when either is not text (a NUL byte or invalid in the server encoding)';

--
-- The version registry (seed 001).  projects -> components -> versions; the
-- implementation of a version is a blob key (identical implementations are
-- stored once).  Lineage follows the primary parent (parents[1]); to make
-- long lineages cheap every version also sits on a "chain": a child that is
-- the first to continue its primary parent joins the parent's chain at the
-- next position, any later child starts a new chain (chain_id = its own id)
-- recorded in registry.version_branches.  A lineage is then a few range
-- scans (one per chain it crosses) instead of one probe per ancestor.
--
CREATE TABLE registry.projects (
	project_id	text PRIMARY KEY CHECK (registry.valid_project_id(project_id)),
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE registry.projects IS
	'projects of the version registry (created on first registration)';
SELECT pg_catalog.pg_extension_config_dump('registry.projects', '');

CREATE FUNCTION registry.valid_retention_policy(policy text) RETURNS boolean
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN policy = 'forever' OR policy OPERATOR(pg_catalog.~) '^keep-last-[1-9][0-9]{0,8}$';
COMMENT ON FUNCTION registry.valid_retention_policy(text) IS
	'true for forever and keep-last-N with 1 <= N <= 999999999';

CREATE TABLE registry.components (
	project_id	text NOT NULL REFERENCES registry.projects (project_id),
	name		text NOT NULL CHECK (registry.valid_project_id(name)),
	version_strategy text NOT NULL DEFAULT 'incremental'
		CHECK (version_strategy IN ('incremental', 'semantic')),
	retention_policy text NOT NULL DEFAULT 'forever'
		CHECK (retention_policy = 'forever'
			   OR retention_policy OPERATOR(pg_catalog.~) '^keep-last-[1-9][0-9]{0,8}$'),
	compression boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id, name)
);
COMMENT ON TABLE registry.components IS
	'components of a project: versioning strategy, retention policy, compression; registrations lock the row (FOR NO KEY UPDATE) to take the next seq';
SELECT pg_catalog.pg_extension_config_dump('registry.components', '');

CREATE FUNCTION registry.version_row_ok(project_id text, seq bigint, parents bigint[], primary_parent bigint,
		implementation text, size bigint, metadata jsonb, metrics jsonb, status text, depth integer,
		chain_pos integer) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_version_row_ok'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.version_row_ok(text, bigint, bigint[], bigint, text, bigint, jsonb, jsonb, text, integer, integer) IS
	'the CHECK of registry.versions: a valid project id; seq > 0; primary_parent IS NOT DISTINCT FROM parents[1]; implementation a blob key; size, depth, chain_pos >= 0; metadata and metrics JSON objects; status 1 to 64 bytes. NULL when a NOT NULL column is NULL (its NOT NULL constraint reports it)';

CREATE SEQUENCE registry.versions_id_seq;
COMMENT ON SEQUENCE registry.versions_id_seq IS 'ids of registry.versions';
SELECT pg_catalog.pg_extension_config_dump('registry.versions_id_seq', '');

CREATE TABLE registry.versions (
	id			bigint NOT NULL DEFAULT pg_catalog.nextval('registry.versions_id_seq'),
	project_id	text NOT NULL,
	component	text NOT NULL,
	seq			bigint NOT NULL,
	semver		registry.semver,
	parents		bigint[] NOT NULL DEFAULT '{}',
	primary_parent bigint,
	implementation text NOT NULL,
	size		bigint NOT NULL,
	metadata	jsonb NOT NULL DEFAULT '{}',
	metrics		jsonb NOT NULL DEFAULT '{}',
	test_results jsonb NOT NULL DEFAULT '{}',
	status		text NOT NULL DEFAULT 'registered',
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by	text NOT NULL DEFAULT CURRENT_USER,
	pruned_at	timestamptz,
	depth		integer NOT NULL,
	chain_id	bigint NOT NULL,
	chain_pos	integer NOT NULL,
	PRIMARY KEY (project_id, id),
	-- every column rule in one call: the executor reads each CHECK's tree
	-- from its text for every statement that writes the table
	CONSTRAINT versions_row_check CHECK (registry.version_row_ok(project_id, seq, parents, primary_parent,
		implementation, size, metadata, metrics, status, depth, chain_pos)),
	-- covering: registry.descendants reads a component's tree from this
	-- index alone (an index-only scan)
	CONSTRAINT versions_project_id_component_seq_key
		UNIQUE (project_id, component, seq) INCLUDE (id, primary_parent, depth, semver, pruned_at),
	FOREIGN KEY (project_id, component) REFERENCES registry.components (project_id, name)
);
ALTER SEQUENCE registry.versions_id_seq OWNED BY registry.versions.id;
-- partial: NULLs never conflict anyway, and a plain index on (project_id,
-- component, semver) looked as good as the seq key to a plan made without
-- statistics for "the component's highest seq" (it is smaller, and a sort of
-- the one row estimated is free), which then read the whole component
CREATE UNIQUE INDEX versions_semver_key ON registry.versions (project_id, component, semver)
	WHERE semver IS NOT NULL;
CREATE INDEX versions_id_idx ON registry.versions (id);
CREATE INDEX versions_primary_parent_idx ON registry.versions (primary_parent);
CREATE UNIQUE INDEX versions_chain_key ON registry.versions (project_id, chain_id, chain_pos)
	INCLUDE (id, seq, depth, semver, pruned_at);
CREATE INDEX versions_live_idx ON registry.versions (project_id, component, seq) WHERE pruned_at IS NULL;
CREATE INDEX versions_implementation_idx ON registry.versions (implementation) WHERE pruned_at IS NULL;
CREATE INDEX versions_metadata_idx ON registry.versions USING gin (metadata jsonb_path_ops);
CREATE INDEX versions_created_idx ON registry.versions (created_at);
CREATE INDEX versions_merge_idx ON registry.versions USING gin (parents)
	WHERE pg_catalog.cardinality(parents) > 1;
COMMENT ON TABLE registry.versions IS
	'registered versions: seq gap-free per component, semver for semantic components, parents (first = primary), implementation blob key, metadata/metrics/test_results, status; pruned_at is set when retention dropped the implementation content; depth/chain_id/chain_pos index the primary lineage';
SELECT pg_catalog.pg_extension_config_dump('registry.versions', '');

CREATE TABLE registry.version_branches (
	project_id	text NOT NULL CHECK (registry.valid_project_id(project_id)),
	parent_chain bigint NOT NULL,
	parent_pos	integer NOT NULL,
	child_chain bigint NOT NULL,
	PRIMARY KEY (project_id, parent_chain, parent_pos, child_chain)
);
COMMENT ON TABLE registry.version_branches IS
	'where a lineage chain branches: the chain child_chain starts under the version at (parent_chain, parent_pos)';
SELECT pg_catalog.pg_extension_config_dump('registry.version_branches', '');

CREATE TABLE registry.aliases (
	project_id	text NOT NULL,
	component	text NOT NULL,
	alias		text NOT NULL CHECK (alias OPERATOR(pg_catalog.~) '^[A-Za-z][A-Za-z0-9_.-]{0,62}$'),
	version_id	bigint NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (project_id, component, alias),
	FOREIGN KEY (project_id, component) REFERENCES registry.components (project_id, name),
	FOREIGN KEY (project_id, version_id) REFERENCES registry.versions (project_id, id)
);
CREATE INDEX aliases_version_idx ON registry.aliases (project_id, version_id);
COMMENT ON TABLE registry.aliases IS
	'named pointers (production, staging, ...) to a version of a component; aliased versions are never pruned';
SELECT pg_catalog.pg_extension_config_dump('registry.aliases', '');

-- ---------------------------------------------------------------------------
-- helpers

CREATE FUNCTION registry.check_component_name(name text) RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR NOT registry.valid_project_id(name) THEN
		RAISE EXCEPTION 'invalid component name: %', coalesce(quote_literal(name), 'NULL')
			USING ERRCODE = '22023',
				  DETAIL = 'A component name has 1 to 200 bytes and no control characters.';
	END IF;
	RETURN name;
END
$$;
COMMENT ON FUNCTION registry.check_component_name(text) IS
	'returns its argument when it is a valid component name, else raises 22023';

CREATE FUNCTION registry.blob_bytes(key text) RETURNS bytea
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.string_agg(coalesce(c.raw, c.packed), '\x'::bytea ORDER BY c.chunk_no)
	  FROM registry.blob_chunks c
	 WHERE c.key = blob_bytes.key;
END;
COMMENT ON FUNCTION registry.blob_bytes(text) IS
	'the whole content of a blob, or NULL when no blob has the key (no errors: for internal use and search)';

CREATE FUNCTION registry.version_or_raise(version_id bigint) RETURNS registry.versions
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v registry.versions;
BEGIN
	SELECT * INTO v FROM registry.versions x WHERE x.id = version_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % not found', coalesce(version_id::text, 'NULL') USING ERRCODE = 'P0002';
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION registry.version_or_raise(bigint) IS
	'the version row with this id, or P0002';

-- ---------------------------------------------------------------------------
-- retention

CREATE FUNCTION registry.reclaim_blob(key text) RETURNS boolean
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	-- every statement here reads one key through an index; see README,
	-- "Statistics that mislead"
	SET enable_seqscan = off
AS $$
BEGIN
	-- Lock first: a registration that reuses this content holds FOR KEY
	-- SHARE until it commits, so the check below (a fresh snapshot) sees it.
	PERFORM 1 FROM registry.blobs b WHERE b.key = reclaim_blob.key FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF EXISTS (SELECT 1 FROM registry.versions v
				WHERE v.implementation = reclaim_blob.key AND v.pruned_at IS NULL) THEN
		RETURN false;
	END IF;
	DELETE FROM registry.blobs b WHERE b.key = reclaim_blob.key;
	RETURN true;
END
$$;
COMMENT ON FUNCTION registry.reclaim_blob(text) IS
	'deletes a blob when no unpruned version references it; returns whether it did';

CREATE FUNCTION registry.apply_retention(project_id text, component text) RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c registry.components;
	keep bigint;
	r record;
	n integer := 0;
BEGIN
	SELECT * INTO c FROM registry.components x
	 WHERE x.project_id = apply_retention.project_id AND x.name = apply_retention.component;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'component % of project % not found', component, project_id USING ERRCODE = 'P0002';
	END IF;
	IF c.retention_policy = 'forever' THEN
		RETURN 0;
	END IF;
	keep := substr(c.retention_policy, 11)::bigint;
	FOR r IN
		SELECT v.id, v.implementation
		  FROM registry.versions v
		 WHERE v.project_id = c.project_id AND v.component = c.name
		   AND v.pruned_at IS NULL
		   AND v.seq <= (SELECT max(y.seq) FROM registry.versions y
						  WHERE y.project_id = c.project_id AND y.component = c.name) - keep
		   AND NOT EXISTS (SELECT 1 FROM registry.aliases a
							WHERE a.project_id = v.project_id AND a.version_id = v.id)
		 ORDER BY v.seq
	LOOP
		UPDATE registry.versions v SET pruned_at = pg_catalog.now()
		 WHERE v.project_id = c.project_id AND v.id = r.id;
		PERFORM registry.reclaim_blob(r.implementation);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION registry.apply_retention(text, text) IS
	'applies the component''s keep-last-N policy now: versions neither aliased nor among the newest N lose their implementation content (row kept, pruned_at set) and unreferenced blobs are reclaimed; returns how many were pruned';

-- One version, by its key: set_alias and drop_alias call it for the version
-- they release.  apply_retention would read every live version of the
-- component, and inside one transaction every version pruned so far too.
CREATE FUNCTION registry.prune_released(project_id text, version_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	comp text;
	s bigint;
	policy text;
	impl text;
BEGIN
	-- one key per statement: joined, the probes were planned on statistics
	-- as a scan of the whole component
	SELECT v.component, v.seq INTO comp, s FROM registry.versions v
	 WHERE v.project_id = prune_released.project_id AND v.id = prune_released.version_id
	   AND v.pruned_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	SELECT c.retention_policy INTO policy FROM registry.components c
	 WHERE c.project_id = prune_released.project_id AND c.name = comp;
	-- outside the newest N when the version N seqs later exists (seqs have
	-- no gaps)
	IF policy = 'forever' OR NOT EXISTS (
			SELECT 1 FROM registry.versions y
			 WHERE y.project_id = prune_released.project_id AND y.component = comp
			   AND y.seq = s + substr(policy, 11)::bigint) THEN
		RETURN false;
	END IF;
	UPDATE registry.versions v SET pruned_at = pg_catalog.now()
	 WHERE v.project_id = prune_released.project_id AND v.id = prune_released.version_id
	   AND v.pruned_at IS NULL
	   AND NOT EXISTS (SELECT 1 FROM registry.aliases a
						WHERE a.project_id = v.project_id AND a.version_id = v.id)
	RETURNING v.implementation INTO impl;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM registry.reclaim_blob(impl);
	RETURN true;
END
$$;
COMMENT ON FUNCTION registry.prune_released(text, bigint) IS
	'prunes one version now if its component''s keep-last-N policy puts it outside the newest N and no alias holds it (its blob is reclaimed when unreferenced); returns whether it did; false for an unknown or invisible version';

-- ---------------------------------------------------------------------------
-- components

CREATE FUNCTION registry.configure_component(project_id text, component text,
		version_strategy text DEFAULT NULL, retention_policy text DEFAULT NULL,
		compression boolean DEFAULT NULL)
	RETURNS registry.components
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c registry.components;
BEGIN
	IF configure_component.project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
	PERFORM registry.check_project_id(configure_component.project_id);
	PERFORM registry.check_component_name(configure_component.component);
	IF version_strategy IS NOT NULL AND version_strategy NOT IN ('incremental', 'semantic') THEN
		RAISE EXCEPTION 'unknown version strategy: %', quote_literal(version_strategy)
			USING ERRCODE = '22023', HINT = 'Use incremental or semantic.';
	END IF;
	IF retention_policy IS NOT NULL AND NOT registry.valid_retention_policy(retention_policy) THEN
		RAISE EXCEPTION 'invalid retention policy: %', quote_literal(retention_policy)
			USING ERRCODE = '22023', HINT = 'Use forever or keep-last-N with N >= 1.';
	END IF;
	INSERT INTO registry.projects AS p (project_id) VALUES (configure_component.project_id)
		ON CONFLICT DO NOTHING;
	INSERT INTO registry.components AS x (project_id, name) VALUES (configure_component.project_id, configure_component.component)
		ON CONFLICT DO NOTHING;
	SELECT * INTO c FROM registry.components x
	 WHERE x.project_id = configure_component.project_id AND x.name = configure_component.component
	   FOR UPDATE;
	IF version_strategy IS NOT NULL AND version_strategy <> c.version_strategy
	   AND EXISTS (SELECT 1 FROM registry.versions v WHERE v.project_id = c.project_id AND v.component = c.name) THEN
		RAISE EXCEPTION 'cannot change the version strategy of component % of project %', component, project_id
			USING ERRCODE = '55000',
				  DETAIL = format('It already has versions under the %s strategy.', c.version_strategy);
	END IF;
	UPDATE registry.components x
	   SET version_strategy = coalesce(configure_component.version_strategy, x.version_strategy),
		   retention_policy = coalesce(configure_component.retention_policy, x.retention_policy),
		   compression = coalesce(configure_component.compression, x.compression)
	 WHERE x.project_id = configure_component.project_id AND x.name = configure_component.component
	RETURNING * INTO c;
	PERFORM registry.apply_retention(c.project_id, c.name);
	RETURN c;
END
$$;
COMMENT ON FUNCTION registry.configure_component(text, text, text, text, boolean) IS
	'creates or changes a component: version_strategy incremental|semantic, retention_policy forever|keep-last-N (applied at once), compression; NULL keeps a setting';

-- ---------------------------------------------------------------------------
-- register

CREATE FUNCTION registry.register(project_id text, component text, implementation bytea,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	AS 'MODULE_PATHNAME', 'registry_register'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.register(text, text, bytea, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text) IS
	'registers a new version (creating project and component on first use) and returns it: seq is the next of the component; semantic components take an explicit version (duplicate = 23505) or a bump (default patch) from the primary parent or else the highest version (0.0.0 when none); applies retention';

-- the same C function: a text's bytes are its bytes in the database encoding
CREATE FUNCTION registry.register(project_id text, component text, implementation text,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	AS 'MODULE_PATHNAME', 'registry_register'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.register(text, text, text, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text) IS
	'registers a version whose implementation is text (stored as its bytes in the database encoding)';

-- ---------------------------------------------------------------------------
-- reading versions

CREATE FUNCTION registry.get_version(id bigint) RETURNS SETOF registry.versions
	LANGUAGE sql STABLE STRICT ROWS 1
BEGIN ATOMIC
	SELECT * FROM registry.versions v WHERE v.id = get_version.id;
END;
COMMENT ON FUNCTION registry.get_version(bigint) IS
	'the version with this id (no row when there is none)';

CREATE FUNCTION registry.get_version(project_id text, component text, ref text)
	RETURNS SETOF registry.versions
	LANGUAGE plpgsql STABLE STRICT ROWS 1
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF ref ~ '^[0-9]+$' THEN
		IF length(ref) > 18 THEN
			RAISE EXCEPTION 'seq % is out of range', ref USING ERRCODE = '22003';
		END IF;
		RETURN QUERY SELECT * FROM registry.versions v
		 WHERE v.project_id = get_version.project_id AND v.component = get_version.component
		   AND v.seq = ref::bigint;
	ELSIF ref ~ '^[0-9]' THEN
		RETURN QUERY SELECT * FROM registry.versions v
		 WHERE v.project_id = get_version.project_id AND v.component = get_version.component
		   AND v.semver OPERATOR(registry.=) ref::registry.semver;
	ELSE
		RETURN QUERY SELECT v.* FROM registry.aliases a
		  JOIN registry.versions v ON v.project_id = a.project_id AND v.id = a.version_id
		 WHERE a.project_id = get_version.project_id AND a.component = get_version.component
		   AND a.alias = ref;
	END IF;
END
$$;
COMMENT ON FUNCTION registry.get_version(text, text, text) IS
	'a version of a component by ref: digits = seq (7), starting with a digit = semantic version (1.4.0, 22P02 when malformed), else an alias (production); no row when there is none';

CREATE FUNCTION registry.get_implementation(version_id bigint) RETURNS bytea
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v registry.versions := registry.version_or_raise(version_id);
BEGIN
	IF v.pruned_at IS NOT NULL THEN
		RAISE EXCEPTION 'the implementation of version % was pruned', version_id
			USING ERRCODE = '55000',
				  DETAIL = format('Retention policy removed its content at %s.', v.pruned_at);
	END IF;
	RETURN registry.blob_bytes(v.implementation);
END
$$;
COMMENT ON FUNCTION registry.get_implementation(bigint) IS
	'the implementation bytes of a version; P0002 for an unknown version, 55000 when retention pruned it';

CREATE FUNCTION registry.get_implementation_text(version_id bigint) RETURNS text
	LANGUAGE sql STABLE
	RETURN pg_catalog.convert_from(registry.get_implementation(version_id), pg_catalog.getdatabaseencoding());
COMMENT ON FUNCTION registry.get_implementation_text(bigint) IS
	'the implementation of a version as text (22021 when it is not valid in the database encoding)';

CREATE FUNCTION registry.set_alias(project_id text, component text, alias text, version_id bigint)
	RETURNS registry.aliases
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v registry.versions;
	a registry.aliases;
	previous bigint;
BEGIN
	IF set_alias.project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
	PERFORM registry.check_project_id(set_alias.project_id);
	PERFORM registry.check_component_name(set_alias.component);
	IF alias IS NULL OR alias !~ '^[A-Za-z][A-Za-z0-9_.-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid alias: %', coalesce(quote_literal(alias), 'NULL')
			USING ERRCODE = '22023',
				  DETAIL = 'An alias starts with a letter and has up to 63 letters, digits, _, . or -.';
	END IF;
	SELECT * INTO v FROM registry.versions x
	 WHERE x.project_id = set_alias.project_id AND x.id = set_alias.version_id;
	IF NOT FOUND OR v.component IS DISTINCT FROM set_alias.component THEN
		RAISE EXCEPTION 'version % is not a version of component % of project %',
			coalesce(version_id::text, 'NULL'), component, project_id USING ERRCODE = 'P0002';
	END IF;
	-- the version the alias held, locked until commit so that no other move
	-- slips between this read and the update
	SELECT x.version_id INTO previous FROM registry.aliases x
	 WHERE x.project_id = set_alias.project_id AND x.component = set_alias.component
	   AND x.alias = set_alias.alias
	   FOR UPDATE;
	INSERT INTO registry.aliases AS x (project_id, component, alias, version_id)
		VALUES (set_alias.project_id, set_alias.component, set_alias.alias, set_alias.version_id)
		ON CONFLICT ON CONSTRAINT aliases_pkey
		DO UPDATE SET version_id = excluded.version_id, updated_at = pg_catalog.now()
	RETURNING * INTO a;
	-- a version the alias no longer holds is pruned now if the policy says so
	IF previous <> set_alias.version_id THEN
		PERFORM registry.prune_released(set_alias.project_id, previous);
	END IF;
	RETURN a;
END
$$;
COMMENT ON FUNCTION registry.set_alias(text, text, text, bigint) IS
	'points an alias (production, staging, ...) of a component at one of its versions, creating or moving it; a version it no longer holds is pruned at once when the retention policy says so';

CREATE FUNCTION registry.drop_alias(project_id text, component text, alias text) RETURNS boolean
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	released bigint;
BEGIN
	DELETE FROM registry.aliases a
	 WHERE a.project_id = drop_alias.project_id AND a.component = drop_alias.component
	   AND a.alias = drop_alias.alias
	RETURNING a.version_id INTO released;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	-- the version it held is pruned now if the policy says so
	PERFORM registry.prune_released(drop_alias.project_id, released);
	RETURN true;
END
$$;
COMMENT ON FUNCTION registry.drop_alias(text, text, text) IS
	'removes an alias; returns whether it existed (dropping a missing alias is not an error); the version it held is pruned at once when the retention policy says so';

-- ---------------------------------------------------------------------------
-- lineage

CREATE FUNCTION registry.get_lineage(version_id bigint)
	RETURNS TABLE (distance integer, id bigint, seq bigint, semver registry.semver, pruned boolean)
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s registry.versions := registry.version_or_raise(get_lineage.version_id);
	cur_chain bigint := s.chain_id;
	upto integer := s.chain_pos - 1;
	parent_id bigint;
BEGIN
	-- One range scan per chain the lineage crosses, then a hop from the
	-- chain's head to its primary parent.
	LOOP
		IF upto >= 0 THEN
			RETURN QUERY
			SELECT s.depth - v.depth, v.id, v.seq, v.semver, v.pruned_at IS NOT NULL
			  FROM registry.versions v
			 WHERE v.project_id = s.project_id AND v.chain_id = cur_chain AND v.chain_pos <= upto
			 ORDER BY v.chain_pos DESC;
		END IF;
		SELECT h.primary_parent INTO parent_id FROM registry.versions h
		 WHERE h.project_id = s.project_id AND h.id = cur_chain;
		EXIT WHEN parent_id IS NULL;
		SELECT p.chain_id, p.chain_pos INTO cur_chain, upto FROM registry.versions p
		 WHERE p.project_id = s.project_id AND p.id = parent_id;
	END LOOP;
END
$$;
COMMENT ON FUNCTION registry.get_lineage(bigint) IS
	'ancestors of a version by primary parent, nearest first (distance 1 = parent) up to the root, read from a covering index (join registry.versions on id for more columns); P0002 for an unknown version';

CREATE FUNCTION registry.descendants(version_id bigint)
	RETURNS TABLE (distance integer, id bigint, seq bigint, semver registry.semver, pruned boolean)
	AS 'MODULE_PATHNAME', 'registry_descendants'
	LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION registry.descendants(bigint) IS
	'every version below this one by primary parent, nearest first (distance 1 = child); P0002 for an unknown version';

CREATE FUNCTION registry.common_ancestor(a bigint, b bigint) RETURNS bigint
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	va registry.versions := registry.version_or_raise(a);
	vb registry.versions := registry.version_or_raise(b);
	result bigint;
BEGIN
	IF va.project_id <> vb.project_id OR va.component <> vb.component THEN
		RETURN NULL;
	END IF;
	SELECT x.id INTO result
	  FROM (SELECT va.id AS id, va.depth AS depth
			UNION ALL
			SELECT l.id, va.depth - l.distance FROM registry.get_lineage(va.id) l) x
	  JOIN (SELECT vb.id AS id
			UNION ALL
			SELECT l.id FROM registry.get_lineage(vb.id) l) y ON y.id = x.id
	 ORDER BY x.depth DESC
	 LIMIT 1;
	RETURN result;
END
$$;
COMMENT ON FUNCTION registry.common_ancestor(bigint, bigint) IS
	'nearest common ancestor by primary parents (a version counts as its own ancestor); NULL when none or across components; P0002 for an unknown version';

-- ---------------------------------------------------------------------------
-- search: criteria jsonb -> a WHERE clause whose only variable parts are
-- positions in one jsonb parameter ($1); user values never become SQL text.

CREATE FUNCTION registry.search_condition(criteria jsonb, INOUT params jsonb, top_level boolean,
		OUT cond text)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	val jsonb;
	parts text[] := '{}';
	sub record;
	subparts text[];
	elem jsonb;
	mname text;
	mspec jsonb;
	op text;
	opval jsonb;
	sqlop text;
	col text;
	i integer;
	ki integer;
BEGIN
	IF criteria IS NULL OR jsonb_typeof(criteria) <> 'object' THEN
		RAISE EXCEPTION 'search criteria must be a JSON object' USING ERRCODE = '22023';
	END IF;
	FOR k, val IN SELECT e.key, e.value FROM jsonb_each(criteria) e ORDER BY e.key LOOP
		CASE k
		WHEN 'project', 'component', 'status' THEN
			col := CASE k WHEN 'project' THEN 'v.project_id' WHEN 'component' THEN 'v.component' ELSE 'v.status' END;
			params := params || jsonb_build_array(val);
			i := jsonb_array_length(params) - 1;
			IF jsonb_typeof(val) = 'string' THEN
				parts := parts || format('%s = ($1->>%s)', col, i);
			ELSIF jsonb_typeof(val) = 'array'
				  AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(val) x WHERE jsonb_typeof(x) <> 'string') THEN
				parts := parts || format('%s = ANY (ARRAY(SELECT pg_catalog.jsonb_array_elements_text($1->%s)))', col, i);
			ELSE
				RAISE EXCEPTION 'search key % takes a string or an array of strings', k USING ERRCODE = '22023';
			END IF;
		WHEN 'metadata' THEN
			IF jsonb_typeof(val) <> 'object' THEN
				RAISE EXCEPTION 'search key metadata takes a JSON object (matched by containment)' USING ERRCODE = '22023';
			END IF;
			params := params || jsonb_build_array(val);
			parts := parts || format('v.metadata OPERATOR(pg_catalog.@>) ($1->%s)', jsonb_array_length(params) - 1);
		WHEN 'metrics' THEN
			IF jsonb_typeof(val) <> 'object' THEN
				RAISE EXCEPTION 'search key metrics takes a JSON object such as {"score": {">=": 0.9}}' USING ERRCODE = '22023';
			END IF;
			FOR mname, mspec IN SELECT e.key, e.value FROM jsonb_each(val) e ORDER BY e.key LOOP
				params := params || jsonb_build_array(mname);
				ki := jsonb_array_length(params) - 1;
				IF jsonb_typeof(mspec) <> 'object' THEN
					mspec := jsonb_build_object('=', mspec);
				END IF;
				FOR op, opval IN SELECT e.key, e.value FROM jsonb_each(mspec) e ORDER BY e.key LOOP
					sqlop := CASE op WHEN '=' THEN '=' WHEN '<>' THEN '<>' WHEN '!=' THEN '<>'
									 WHEN '<' THEN '<' WHEN '<=' THEN '<=' WHEN '>' THEN '>' WHEN '>=' THEN '>=' END;
					IF sqlop IS NULL THEN
						RAISE EXCEPTION 'unknown metric operator: %', op
							USING ERRCODE = '22023', HINT = 'Use =, <>, <, <=, > or >=.';
					END IF;
					params := params || jsonb_build_array(opval);
					i := jsonb_array_length(params) - 1;
					IF sqlop IN ('=', '<>') THEN
						parts := parts || format('(v.metrics -> ($1->>%s)) OPERATOR(pg_catalog.%s) ($1->%s)', ki, sqlop, i);
					ELSIF jsonb_typeof(opval) <> 'number' THEN
						RAISE EXCEPTION 'metric operator % of % takes a number', op, mname USING ERRCODE = '22023';
					ELSE
						parts := parts || format(
							'CASE WHEN pg_catalog.jsonb_typeof(v.metrics -> ($1->>%s)) = ''number'' '
							'THEN (v.metrics ->> ($1->>%s))::pg_catalog.numeric OPERATOR(pg_catalog.%s) ($1->>%s)::pg_catalog.numeric '
							'ELSE false END', ki, ki, sqlop, i);
					END IF;
				END LOOP;
			END LOOP;
		WHEN 'version' THEN
			IF jsonb_typeof(val) <> 'string' THEN
				RAISE EXCEPTION 'search key version takes a range text such as ^1.2' USING ERRCODE = '22023';
			END IF;
			PERFORM registry.satisfies('0.0.0'::registry.semver, val #>> '{}');
			params := params || jsonb_build_array(val);
			parts := parts || format('registry.satisfies(v.semver, $1->>%s)', jsonb_array_length(params) - 1);
		WHEN 'created_after', 'created_before' THEN
			BEGIN
				PERFORM (val #>> '{}')::timestamptz;
			EXCEPTION WHEN others THEN
				RAISE EXCEPTION 'search key % takes a timestamp, not %', k, val::text USING ERRCODE = '22023';
			END;
			IF jsonb_typeof(val) <> 'string' THEN
				RAISE EXCEPTION 'search key % takes a timestamp string', k USING ERRCODE = '22023';
			END IF;
			params := params || jsonb_build_array(val);
			parts := parts || format('v.created_at %s ($1->>%s)::pg_catalog.timestamptz',
									 CASE k WHEN 'created_after' THEN '>' ELSE '<' END,
									 jsonb_array_length(params) - 1);
		WHEN 'text' THEN
			IF jsonb_typeof(val) <> 'string' OR val #>> '{}' = '' THEN
				RAISE EXCEPTION 'search key text takes a non-empty string' USING ERRCODE = '22023';
			END IF;
			params := params || jsonb_build_array(val);
			parts := parts || format('(v.pruned_at IS NULL AND pg_catalog.position(registry.blob_bytes(v.implementation), '
									 'pg_catalog.convert_to($1->>%s, pg_catalog.getdatabaseencoding())) > 0)',
									 jsonb_array_length(params) - 1);
		WHEN 'any', 'all' THEN
			IF jsonb_typeof(val) <> 'array' THEN
				RAISE EXCEPTION 'search key % takes an array of criteria', k USING ERRCODE = '22023';
			END IF;
			subparts := '{}';
			FOR elem IN SELECT x FROM jsonb_array_elements(val) x LOOP
				SELECT * INTO sub FROM registry.search_condition(elem, params, false);
				params := sub.params;
				subparts := subparts || ('(' || sub.cond || ')');
			END LOOP;
			IF cardinality(subparts) = 0 THEN
				parts := parts || CASE k WHEN 'any' THEN 'false' ELSE 'true' END;
			ELSE
				parts := parts || ('(' || array_to_string(subparts, CASE k WHEN 'any' THEN ' OR ' ELSE ' AND ' END) || ')');
			END IF;
		WHEN 'not' THEN
			SELECT * INTO sub FROM registry.search_condition(val, params, false);
			params := sub.params;
			parts := parts || ('NOT coalesce((' || sub.cond || '), false)');
		WHEN 'order_by', 'limit', 'offset' THEN
			IF NOT top_level THEN
				RAISE EXCEPTION 'search key % is only allowed at the top level', k USING ERRCODE = '22023';
			END IF;
		ELSE
			RAISE EXCEPTION 'unknown search key: %', k
				USING ERRCODE = '22023',
					  HINT = 'Known keys: project, component, status, metadata, metrics, version, created_after, created_before, text, any, all, not, order_by, limit, offset.';
		END CASE;
	END LOOP;
	cond := CASE WHEN cardinality(parts) = 0 THEN 'true' ELSE array_to_string(parts, ' AND ') END;
END
$$;
COMMENT ON FUNCTION registry.search_condition(jsonb, jsonb, boolean) IS
	'compiles search criteria into a WHERE clause over registry.versions v whose values are all read from the jsonb parameter $1 (returned as params)';

CREATE FUNCTION registry.search_sql(criteria jsonb, OUT sql text, OUT params jsonb)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
	ob jsonb;
	o text;
	dir text;
	keys text[] := '{}';
	tail text := '';
BEGIN
	SELECT * INTO c FROM registry.search_condition(criteria, '[]'::jsonb, true);
	params := c.params;
	ob := criteria -> 'order_by';
	IF ob IS NOT NULL THEN
		IF jsonb_typeof(ob) = 'string' THEN
			ob := jsonb_build_array(ob);
		END IF;
		IF jsonb_typeof(ob) <> 'array' THEN
			RAISE EXCEPTION 'order_by takes a string or an array of strings' USING ERRCODE = '22023';
		END IF;
		FOR o IN SELECT x #>> '{}' FROM jsonb_array_elements(ob) x LOOP
			dir := 'ASC';
			IF o LIKE '-%' THEN
				dir := 'DESC';
				o := substr(o, 2);
			END IF;
			IF o = 'created_at' THEN
				keys := keys || ('v.created_at ' || dir);
			ELSIF o = 'version' THEN
				keys := keys || ('v.semver ' || dir || ' NULLS FIRST') || ('v.seq ' || dir);
			ELSIF o = 'seq' THEN
				keys := keys || ('v.seq ' || dir);
			ELSIF o = 'id' THEN
				keys := keys || ('v.id ' || dir);
			ELSIF o LIKE 'metrics.%' AND length(o) > 8 THEN
				params := params || jsonb_build_array(substr(o, 9));
				keys := keys || format('CASE WHEN pg_catalog.jsonb_typeof(v.metrics -> ($1->>%1$s)) = ''number'' '
									   'THEN (v.metrics ->> ($1->>%1$s))::pg_catalog.numeric END %2$s NULLS LAST',
									   jsonb_array_length(params) - 1, dir);
			ELSE
				RAISE EXCEPTION 'unknown order_by: %', coalesce(o, 'null')
					USING ERRCODE = '22023',
						  HINT = 'Use created_at, version, seq, id or metrics.<name>, with a leading - for descending order.';
			END IF;
		END LOOP;
	END IF;
	keys := keys || 'v.id'::text;
	FOREACH o IN ARRAY ARRAY['limit', 'offset'] LOOP
		IF criteria ? o THEN
			IF jsonb_typeof(criteria -> o) <> 'number' OR (criteria ->> o)::numeric < 0
			   OR (criteria ->> o)::numeric <> trunc((criteria ->> o)::numeric)
			   OR (criteria ->> o)::numeric > 9223372036854775807 THEN
				RAISE EXCEPTION '% takes a non-negative integer', o USING ERRCODE = '22023';
			END IF;
			params := params || jsonb_build_array(criteria -> o);
			tail := tail || format(' %s ($1->>%s)::pg_catalog.int8', upper(o), jsonb_array_length(params) - 1);
		END IF;
	END LOOP;
	sql := 'SELECT v.* FROM registry.versions v WHERE ' || c.cond
		|| ' ORDER BY ' || array_to_string(keys, ', ') || tail;
END
$$;
COMMENT ON FUNCTION registry.search_sql(jsonb) IS
	'the query registry.search runs for these criteria and its one parameter (for EXPLAIN and debugging)';

CREATE FUNCTION registry.search(criteria jsonb DEFAULT '{}') RETURNS SETOF registry.versions
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q record;
BEGIN
	SELECT * INTO q FROM registry.search_sql(coalesce(criteria, '{}'));
	RETURN QUERY EXECUTE q.sql USING q.params;
END
$$;
COMMENT ON FUNCTION registry.search(jsonb) IS
	'versions matching criteria: project, component, status (string or array), metadata (containment), metrics ({"score": {">=": 0.9}} with = <> < <= > >=), version (a registry.satisfies range), created_after/created_before, text (in the implementation), any [..] (OR), all [..], not {..}, order_by (created_at | version | seq | id | metrics.<name>, - for descending), limit, offset; unknown keys or operators are 22023';

CREATE FUNCTION registry.list_versions(project_id text, component text, filters jsonb DEFAULT '{}')
	RETURNS SETOF registry.versions
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f jsonb := coalesce(filters, '{}');
BEGIN
	IF jsonb_typeof(f) <> 'object' THEN
		RAISE EXCEPTION 'filters must be a JSON object' USING ERRCODE = '22023';
	END IF;
	IF f ? 'project' OR f ? 'component' THEN
		RAISE EXCEPTION 'filters must not contain project or component (they are arguments)' USING ERRCODE = '22023';
	END IF;
	f := f || jsonb_build_object('project', list_versions.project_id, 'component', list_versions.component);
	IF NOT f ? 'order_by' THEN
		f := f || '{"order_by": "version"}';
	END IF;
	RETURN QUERY SELECT * FROM registry.search(f);
END
$$;
COMMENT ON FUNCTION registry.list_versions(text, text, jsonb) IS
	'versions of a component in version order (semver precedence, then seq); filters as in registry.search';

-- ---------------------------------------------------------------------------
-- compare

CREATE FUNCTION registry.jsonb_changes(a jsonb, b jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.jsonb_build_object(
		'added', coalesce((SELECT pg_catalog.jsonb_object_agg(y.key, y.value)
							 FROM pg_catalog.jsonb_each(coalesce(b, '{}')) y
							WHERE NOT coalesce(a, '{}') OPERATOR(pg_catalog.?) y.key), '{}'),
		'removed', coalesce((SELECT pg_catalog.jsonb_object_agg(x.key, x.value)
							   FROM pg_catalog.jsonb_each(coalesce(a, '{}')) x
							  WHERE NOT coalesce(b, '{}') OPERATOR(pg_catalog.?) x.key), '{}'),
		'changed', coalesce((SELECT pg_catalog.jsonb_object_agg(x.key,
									 pg_catalog.jsonb_build_object('from', x.value, 'to', y.value))
							   FROM pg_catalog.jsonb_each(coalesce(a, '{}')) x
							   JOIN pg_catalog.jsonb_each(coalesce(b, '{}')) y ON y.key = x.key
							  WHERE x.value OPERATOR(pg_catalog.<>) y.value), '{}'));
END;
COMMENT ON FUNCTION registry.jsonb_changes(jsonb, jsonb) IS
	'keys of two JSON objects added, removed and changed ({"from": .., "to": ..}) going from a to b (a non-object counts as {})';

CREATE FUNCTION registry.compare_versions(a bigint, b bigint) RETURNS jsonb
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	va registry.versions := registry.version_or_raise(a);
	vb registry.versions := registry.version_or_raise(b);
	same_comp boolean := va.project_id = vb.project_id AND va.component = vb.component;
	prec integer;
	anc bigint;
	deltas jsonb;
	mchanges jsonb;
	d text;
	is_binary boolean := false;
	ba bytea;
	bb bytea;
BEGIN
	IF va.semver IS NOT NULL AND vb.semver IS NOT NULL THEN
		prec := CASE WHEN va.semver OPERATOR(registry.<) vb.semver THEN -1
					 WHEN va.semver OPERATOR(registry.>) vb.semver THEN 1 ELSE 0 END;
	ELSIF same_comp THEN
		prec := sign(va.seq - vb.seq)::integer;
	END IF;
	anc := registry.common_ancestor(a, b);

	mchanges := registry.jsonb_changes(jsonb_strip_nulls(va.metrics), jsonb_strip_nulls(vb.metrics));
	SELECT coalesce(jsonb_object_agg(x.key, jsonb_build_object(
				'from', x.value, 'to', y.value,
				'delta', CASE WHEN jsonb_typeof(x.value) = 'number' AND jsonb_typeof(y.value) = 'number'
							  THEN to_jsonb((y.value #>> '{}')::numeric - (x.value #>> '{}')::numeric) END)), '{}')
	  INTO deltas
	  FROM jsonb_each(va.metrics) x JOIN jsonb_each(vb.metrics) y ON y.key = x.key;

	IF va.implementation = vb.implementation THEN
		d := '';
	ELSIF va.pruned_at IS NULL AND vb.pruned_at IS NULL THEN
		ba := registry.blob_bytes(va.implementation);
		bb := registry.blob_bytes(vb.implementation);
		d := registry.unified_diff(ba, bb, format('a/%s', va.id), format('b/%s', vb.id), 3);
		is_binary := d IS NULL;
	END IF;

	RETURN jsonb_build_object(
		'a', va.id, 'b', vb.id,
		'same_component', same_comp,
		'precedence', prec,
		'seq_distance', CASE WHEN same_comp THEN vb.seq - va.seq END,
		'common_ancestor', anc,
		'a_version', coalesce(va.semver::text, va.seq::text),
		'b_version', coalesce(vb.semver::text, vb.seq::text),
		'metadata', registry.jsonb_changes(va.metadata, vb.metadata),
		'metrics', jsonb_build_object('added', mchanges -> 'added', 'removed', mchanges -> 'removed',
									  'deltas', deltas),
		'test_results', registry.jsonb_changes(
			CASE WHEN jsonb_typeof(va.test_results) = 'object' THEN va.test_results
				 ELSE jsonb_build_object('value', va.test_results) END,
			CASE WHEN jsonb_typeof(vb.test_results) = 'object' THEN vb.test_results
				 ELSE jsonb_build_object('value', vb.test_results) END),
		'status', CASE WHEN va.status <> vb.status THEN jsonb_build_object('from', va.status, 'to', vb.status) END,
		'same_implementation', va.implementation = vb.implementation,
		'pruned', va.pruned_at IS NOT NULL OR vb.pruned_at IS NOT NULL,
		'binary', is_binary,
		'diff', d);
END
$$;
COMMENT ON FUNCTION registry.compare_versions(bigint, bigint) IS
	'jsonb comparison of version a with b: precedence (-1/0/1), seq_distance (b.seq - a.seq), common_ancestor, metadata/test_results added/removed/changed, metric added/removed/deltas, same_implementation, and diff: a unified diff that GNU patch applies to a''s implementation to give b''s ('''' when equal; null when pruned or binary)';

-- ---------------------------------------------------------------------------
-- lineage picture

CREATE FUNCTION registry.dot_quote(s text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN '"' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
		s, '\', '\\'), '"', '\"'), E'\n', '\n'), E'\r', '') || '"';
COMMENT ON FUNCTION registry.dot_quote(text) IS
	'text as a Graphviz DOT quoted string';

CREATE FUNCTION registry.lineage_dot(version_id bigint, max_descendants integer DEFAULT 500) RETURNS text
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s registry.versions := registry.version_or_raise(version_id);
	ids bigint[];
	lines text[] := ARRAY['digraph lineage {', '  rankdir=BT;',
						  '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];'];
	r record;
	p bigint;
	i integer;
BEGIN
	IF max_descendants < 0 THEN
		RAISE EXCEPTION 'max_descendants must not be negative' USING ERRCODE = '22023';
	END IF;
	ids := ARRAY(SELECT l.id FROM registry.get_lineage(s.id) l)
		   || s.id
		   || ARRAY(SELECT d.id FROM registry.descendants(s.id) d ORDER BY d.distance, d.id LIMIT max_descendants);
	lines := lines || format('  label=%s;', registry.dot_quote(format('%s / %s: lineage of %s',
							 s.project_id, s.component, coalesce(s.semver::text, '#' || s.seq))));
	FOR r IN
		SELECT v.id, v.seq, v.semver, v.status, v.parents, v.pruned_at,
			   (SELECT string_agg(format('%s=%s', m.key, m.value), ' ' ORDER BY m.key <> 'score', m.key)
				  FROM (SELECT e.key, e.value FROM jsonb_each(v.metrics) e
						 WHERE jsonb_typeof(e.value) = 'number'
						 ORDER BY e.key <> 'score', e.key LIMIT 3) m) AS best
		  FROM registry.versions v
		 WHERE v.project_id = s.project_id AND v.id = ANY (ids)
		 ORDER BY v.id
	LOOP
		lines := lines || format('  v%s [label=%s%s];', r.id,
			registry.dot_quote(concat_ws(E'\n',
				CASE WHEN r.semver IS NOT NULL THEN format('%s (#%s)', r.semver, r.seq) ELSE format('#%s', r.seq) END,
				r.status || CASE WHEN r.pruned_at IS NOT NULL THEN ' (pruned)' ELSE '' END,
				r.best)),
			CASE WHEN r.id = s.id THEN ', fillcolor="#ffe08a", penwidth=2' ELSE '' END);
		i := 0;
		FOREACH p IN ARRAY r.parents LOOP
			i := i + 1;
			IF p = ANY (ids) THEN
				lines := lines || format('  v%s -> v%s%s;', r.id, p, CASE WHEN i > 1 THEN ' [style=dashed]' ELSE '' END);
			END IF;
		END LOOP;
	END LOOP;
	lines := lines || '}'::text;
	RETURN array_to_string(lines, E'\n') || E'\n';
END
$$;
COMMENT ON FUNCTION registry.lineage_dot(bigint, integer) IS
	'Graphviz DOT of a version''s ancestors and descendants (up to max_descendants): seq/semver, status and up to three numeric metrics (score first) per node, primary parent edges solid, other parents dashed; render with dot -Tsvg';

-- (end of section: blobs and the version registry)


-- ===========================================================================
-- Section: key/value store (seed 004)
-- ===========================================================================

/*
 * Key layout (src/kv_core.c): <kind>/<namespace>[/<rest>], kinds ns, wf, wfh,
 * sc, bt, dp, nx, id, sa, idem.  The namespace segment routes a key; list
 * prefixes of ns and nx may leave it out and list across namespaces.
 */
CREATE FUNCTION registry.ns_from_key(key text, OUT kind text, OUT ns text, OUT rest text)
	RETURNS record
	AS 'MODULE_PATHNAME', 'registry_ns_from_key'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.ns_from_key(text) IS
	'splits a key-value key into (kind, ns, rest) by the seed''s layout rules; 22023 for an unknown kind, an empty or over-4-KiB key; 22P02 for a key that does not follow its kind''s layout';

CREATE FUNCTION registry.split_prefix(prefix text, OUT kind text, OUT ns text, OUT suffix text)
	RETURNS record
	AS 'MODULE_PATHNAME', 'registry_split_prefix'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.split_prefix(text) IS
	'splits a list prefix into (kind, ns, suffix); ns is NULL when the prefix lists across namespaces (kinds ns and nx only); 22023 "missing namespace in prefix" for other kinds';

CREATE FUNCTION registry.kv_prefix_lo(prefix text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_kv_prefix_lo'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_prefix_lo(text) IS
	'the first key (in byte order) a list prefix covers; a namespace named in a prefix is whole (wf/a means wf/a/); validates the prefix like split_prefix';

CREATE FUNCTION registry.kv_prefix_hi(prefix text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_kv_prefix_hi'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_prefix_hi(text) IS
	'the smallest string past every key a list prefix covers: the prefix lists kv_prefix_lo(p) <= key < kv_prefix_hi(p) in byte order';

CREATE FUNCTION registry.kv_key_namespace(key text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_kv_key_namespace'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_key_namespace(text) IS
	'the namespace a key routes to, (registry.ns_from_key(key)).ns without building a row; raises the same errors';

CREATE FUNCTION registry.kv_row_ok(org text, namespace text, key text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_kv_row_ok'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_row_ok(text, text, text) IS
	'the CHECK of registry.kv: org is a valid project id and namespace is registry.kv_key_namespace(key) (a key with no namespace raises its error)';

CREATE FUNCTION registry.kv_org(org text) RETURNS text
	AS 'MODULE_PATHNAME', 'registry_kv_org'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_org(text) IS
	'the stored form of an org: the empty org is stored as _ (the seed''s sentinel); any other org follows the project-id rule (22023)';

CREATE FUNCTION registry.kv_check_limit(integer) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_kv_check_limit'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION registry.kv_check_limit(integer) IS
	'a list limit: NULL means no limit, a negative limit is 22023';

/*
 * One table for every (org, namespace) shard of the seed, hash-partitioned
 * on org: an org's rows sit in one partition, every listing (one namespace,
 * or ns/nx across namespaces) is one range scan of one partition's
 * (org, key) index, already in byte order.  Keys and orgs are COLLATE "C",
 * so order is byte order whatever the database's collation.
 */
CREATE TABLE registry.kv (
	org			text COLLATE "C" NOT NULL,
	namespace	text COLLATE "C" NOT NULL,
	key			text COLLATE "C" NOT NULL,
	value		bytea NOT NULL,
	upd			bigint NOT NULL,
	CONSTRAINT kv_pkey PRIMARY KEY (org, key),
	-- one constraint of one function call, and no generated column: the
	-- executor reads each constraint's expression tree from its text for
	-- every statement, and kv_put's throughput is measured against a plain
	-- table (bench/kv)
	CONSTRAINT kv_row_check CHECK (registry.kv_row_ok(org, namespace, key))
) PARTITION BY HASH (org);
COMMENT ON TABLE registry.kv IS
	'the namespaced key/value store of seed 004: one row per (org, key); org '''' is stored as _; namespace is derived from the key (a CHECK, which also validates the key); upd is nanoseconds since the Unix epoch; hash-partitioned on org (16 partitions kv_p00 .. kv_p15)';
SELECT pg_catalog.pg_extension_config_dump('registry.kv', '');

DO $kv$
DECLARE
	i integer;
	part text;
BEGIN
	FOR i IN 0..15 LOOP
		part := pg_catalog.format('kv_p%s', pg_catalog.lpad(i::text, 2, '0'));
		EXECUTE pg_catalog.format(
			'CREATE TABLE registry.%I PARTITION OF registry.kv FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
			part, i);
		EXECUTE pg_catalog.format(
			'COMMENT ON TABLE registry.%I IS %L', part,
			pg_catalog.format('partition %s of 16 of registry.kv (hash of org)', i));
		-- pg_dump dumps no data for a partitioned parent: each partition is
		-- config-dumped so its rows are.
		PERFORM pg_catalog.pg_extension_config_dump(
			pg_catalog.format('registry.%I', part)::regclass, '');
	END LOOP;
END
$kv$;

CREATE FUNCTION registry.kv_put(org text, key text, value bytea) RETURNS bigint
	AS 'MODULE_PATHNAME', 'registry_kv_put'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.kv_put(text, text, bytea) IS
	'stores value at (org, key), replacing any value; returns the new upd (nanoseconds since the Unix epoch)';

CREATE FUNCTION registry.kv_get(org text, key text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'registry_kv_get'
	LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION registry.kv_get(text, text) IS
	'the value stored at (org, key), or NULL when there is none';

CREATE FUNCTION registry.kv_del(org text, key text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'registry_kv_del'
	LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION registry.kv_del(text, text) IS
	'deletes (org, key); true when a row was deleted, false (a no-op) when the key was missing';

CREATE FUNCTION registry.kv_put_if_absent(org text, key text, value bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'registry_kv_put_if_absent'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.kv_put_if_absent(text, text, bytea) IS
	'stores value at (org, key) unless a value is there; returns the stored value either way, so racing writers agree on one';

CREATE FUNCTION registry.kv_list(org text, prefix text, after text DEFAULT NULL,
								 "limit" integer DEFAULT NULL)
	RETURNS TABLE (key text, value bytea, upd bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT k.key, k.value, k.upd
	  FROM registry.kv AS k
	 WHERE k.org = registry.kv_org(kv_list.org)
	   AND k.key >= registry.kv_prefix_lo(kv_list.prefix)
	   AND k.key < registry.kv_prefix_hi(kv_list.prefix)
	   AND k.key > COALESCE(kv_list.after, ''::text)
	 ORDER BY k.key
	 -- The limit is a subquery so that the planner cannot read its value:
	 -- it then plans for the first tenth of the rows, which is the ordered
	 -- scan of the (org, key) index.  Given a limit of 1,000 on a prefix
	 -- of 2,000 keys written in no particular order, it would otherwise
	 -- choose a bitmap scan of all 2,000 and a sort (random_page_cost = 4
	 -- prices a cached index scan as disk reads), about 2.5x slower.
	 LIMIT (SELECT registry.kv_check_limit(kv_list."limit"));
END;
COMMENT ON FUNCTION registry.kv_list(text, text, text, integer) IS
	'keys of an org under a prefix in byte order, after the key "after" (keyset pagination), at most "limit" rows; kinds ns and nx list across namespaces in one ordered result';

CREATE FUNCTION registry.kv_namespaces(org text) RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'registry_kv_namespaces'
	LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION registry.kv_namespaces(text) IS
	'every namespace that holds a key of the org, in byte order (a skip scan: one index probe per kind and namespace)';

CREATE FUNCTION registry.kv_orgs() RETURNS SETOF text
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH RECURSIVE o(org) AS (
		SELECT min(k.org) FROM registry.kv AS k
		UNION ALL
		SELECT (SELECT min(k.org) FROM registry.kv AS k WHERE k.org > o.org)
		  FROM o WHERE o.org IS NOT NULL
	)
	SELECT CASE WHEN o.org = '_' THEN ''::text ELSE o.org END AS org
	  FROM o
	 WHERE o.org IS NOT NULL
	 ORDER BY 1;
END;
COMMENT ON FUNCTION registry.kv_orgs() IS
	'every org that holds a key, in byte order; the empty org (stored as _) is reported as ''''';

CREATE FUNCTION registry.kv_batch(org text, ops jsonb) RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	op jsonb;
	n integer := 0;
	what text;
	k text;
	v bytea;
BEGIN
	IF org IS NULL OR ops IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN org IS NULL THEN 'org' ELSE 'ops' END
			USING ERRCODE = '22004';
	END IF;
	IF jsonb_typeof(ops) <> 'array' THEN
		RAISE EXCEPTION 'ops must be a JSON array'
			USING ERRCODE = '22023',
				  DETAIL = format('It is a JSON %s.', jsonb_typeof(ops));
	END IF;
	FOR op IN SELECT e FROM jsonb_array_elements(ops) AS e LOOP
		n := n + 1;
		IF jsonb_typeof(op) <> 'object' THEN
			RAISE EXCEPTION 'op % must be a JSON object', n USING ERRCODE = '22023';
		END IF;
		IF jsonb_typeof(op -> 'key') IS DISTINCT FROM 'string' THEN
			RAISE EXCEPTION 'op % needs a string "key"', n USING ERRCODE = '22023';
		END IF;
		what := op ->> 'op';
		k := op ->> 'key';
		IF what = 'put' THEN
			IF (op ? 'value') = (op ? 'value_base64') THEN
				RAISE EXCEPTION 'op % (put) needs exactly one of "value" and "value_base64"', n
					USING ERRCODE = '22023';
			END IF;
			IF op ? 'value' THEN
				IF jsonb_typeof(op -> 'value') <> 'string' THEN
					RAISE EXCEPTION 'op % (put) "value" must be a string', n USING ERRCODE = '22023';
				END IF;
				v := convert_to(op ->> 'value', 'UTF8');
			ELSE
				IF jsonb_typeof(op -> 'value_base64') <> 'string' THEN
					RAISE EXCEPTION 'op % (put) "value_base64" must be a string', n USING ERRCODE = '22023';
				END IF;
				BEGIN
					v := decode(op ->> 'value_base64', 'base64');
				EXCEPTION WHEN invalid_parameter_value OR invalid_text_representation THEN
					RAISE EXCEPTION 'op % (put) "value_base64" is not valid base64', n
						USING ERRCODE = '22P02';
				END;
			END IF;
			PERFORM registry.kv_put(org, k, v);
		ELSIF what = 'del' THEN
			PERFORM registry.kv_del(org, k);
		ELSE
			RAISE EXCEPTION 'op % has unknown "op" %', n, coalesce(op -> 'op', 'null'::jsonb)
				USING ERRCODE = '22023',
					  HINT = 'An op is {"op": "put", "key": …, "value": …} or {"op": "del", "key": …}.';
		END IF;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION registry.kv_batch(text, jsonb) IS
	'applies a JSON array of puts ({"op":"put","key":…,"value":text | "value_base64":…}) and deletes ({"op":"del","key":…}) in order, all or nothing; returns the number of ops';

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
 *
 * C with a per-backend cache (src/tenancy.c): every statement on a project
 * table calls it once (the policies' initplan), and the query behind it
 * costs about 0.1 ms, more than a granted role's kv_put or deploy replay
 * itself.  The cache is dropped by the trigger project_grants_changed and by
 * any change to roles or role memberships; a miss reads the grants with a
 * fresh snapshot.  (Under 0.1.0's SQL body a granted role's kv_put cost ~40x
 * the owner's; under 0.2.0's PL/pgSQL about 14x.)
 */
CREATE FUNCTION registry.accessible_projects(who name, need text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'registry_accessible_projects'
	LANGUAGE C STABLE STRICT PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
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
			IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m
							WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = grp)
							  AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = who)) THEN
				EXECUTE pg_catalog.format('GRANT %I TO %I', grp, who);
			END IF;
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

CREATE FUNCTION registry.project_grants_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'registry_project_grants_changed'
	LANGUAGE C;
COMMENT ON FUNCTION registry.project_grants_changed() IS
	'trigger: tells every session that its cached accessible_projects answers are stale (a relcache invalidation of project_grants)';
CREATE TRIGGER project_grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registry.project_grants
	FOR EACH STATEMENT EXECUTE FUNCTION registry.project_grants_changed();
-- ALWAYS: a logical replica's apply worker (session_replication_role = replica) must fire it too
ALTER TABLE registry.project_grants ENABLE ALWAYS TRIGGER project_grants_changed;
COMMENT ON TRIGGER project_grants_changed ON registry.project_grants IS
	'invalidates the per-session cache of registry.accessible_projects when grants change';

CREATE FUNCTION registry.grant_project(project_id text, role_name name, privilege text DEFAULT 'read')
	RETURNS registry.project_grants
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $fn$
DECLARE
	result registry.project_grants;
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
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
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
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


/*
 * Row-level security on every table that holds project data (the pattern
 * every new table follows, README "tenancy and security"):
 *   ENABLE ROW LEVEL SECURITY, then four policies named <table>_read,
 *   _insert, _update, _delete: reading needs 'read' on the row's project,
 *   writing needs 'write'; UPDATE checks both the old and the new row, so a
 *   row cannot be moved into (or out of) a project the role may not write.
 *   The array comes from an uncorrelated sub-select cast to text[], so the
 *   planner makes it an initplan evaluated once per statement.
 * The extension owner owns the tables and bypasses row-level security, as
 * superusers do.  Shared rows: active_chains' project '_' row (the global
 * active chain) is readable by every role that may read any project; the
 * default projects ('_' of deployments, 'default' of the chunk catalog) are
 * ordinary projects that must be granted like any other.  The key/value
 * store's org plays the project id (grant_project('my-org', ...)).
 */

ALTER TABLE registry.chunk_artifacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY chunk_artifacts_read ON registry.chunk_artifacts FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY chunk_artifacts_insert ON registry.chunk_artifacts FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_artifacts_update ON registry.chunk_artifacts FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_artifacts_delete ON registry.chunk_artifacts FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY chunk_artifacts_read ON registry.chunk_artifacts IS
	'rows of the projects the role may read';
COMMENT ON POLICY chunk_artifacts_insert ON registry.chunk_artifacts IS
	'new rows only in projects the role may write';
COMMENT ON POLICY chunk_artifacts_update ON registry.chunk_artifacts IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY chunk_artifacts_delete ON registry.chunk_artifacts IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.chunk_hot ENABLE ROW LEVEL SECURITY;
CREATE POLICY chunk_hot_read ON registry.chunk_hot FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY chunk_hot_insert ON registry.chunk_hot FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_hot_update ON registry.chunk_hot FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_hot_delete ON registry.chunk_hot FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY chunk_hot_read ON registry.chunk_hot IS
	'rows of the projects the role may read';
COMMENT ON POLICY chunk_hot_insert ON registry.chunk_hot IS
	'new rows only in projects the role may write';
COMMENT ON POLICY chunk_hot_update ON registry.chunk_hot IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY chunk_hot_delete ON registry.chunk_hot IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.chunk_config_pins ENABLE ROW LEVEL SECURITY;
CREATE POLICY chunk_config_pins_read ON registry.chunk_config_pins FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY chunk_config_pins_insert ON registry.chunk_config_pins FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_config_pins_update ON registry.chunk_config_pins FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_config_pins_delete ON registry.chunk_config_pins FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY chunk_config_pins_read ON registry.chunk_config_pins IS
	'rows of the projects the role may read';
COMMENT ON POLICY chunk_config_pins_insert ON registry.chunk_config_pins IS
	'new rows only in projects the role may write';
COMMENT ON POLICY chunk_config_pins_update ON registry.chunk_config_pins IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY chunk_config_pins_delete ON registry.chunk_config_pins IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.chunk_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY chunk_settings_read ON registry.chunk_settings FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY chunk_settings_insert ON registry.chunk_settings FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_settings_update ON registry.chunk_settings FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY chunk_settings_delete ON registry.chunk_settings FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY chunk_settings_read ON registry.chunk_settings IS
	'rows of the projects the role may read';
COMMENT ON POLICY chunk_settings_insert ON registry.chunk_settings IS
	'new rows only in projects the role may write';
COMMENT ON POLICY chunk_settings_update ON registry.chunk_settings IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY chunk_settings_delete ON registry.chunk_settings IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.artifacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY artifacts_read ON registry.artifacts FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY artifacts_insert ON registry.artifacts FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY artifacts_update ON registry.artifacts FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY artifacts_delete ON registry.artifacts FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY artifacts_read ON registry.artifacts IS
	'rows of the projects the role may read';
COMMENT ON POLICY artifacts_insert ON registry.artifacts IS
	'new rows only in projects the role may write';
COMMENT ON POLICY artifacts_update ON registry.artifacts IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY artifacts_delete ON registry.artifacts IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.artifact_revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY artifact_revisions_read ON registry.artifact_revisions FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY artifact_revisions_insert ON registry.artifact_revisions FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY artifact_revisions_update ON registry.artifact_revisions FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY artifact_revisions_delete ON registry.artifact_revisions FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY artifact_revisions_read ON registry.artifact_revisions IS
	'rows of the projects the role may read';
COMMENT ON POLICY artifact_revisions_insert ON registry.artifact_revisions IS
	'new rows only in projects the role may write';
COMMENT ON POLICY artifact_revisions_update ON registry.artifact_revisions IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY artifact_revisions_delete ON registry.artifact_revisions IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.deployments ENABLE ROW LEVEL SECURITY;
CREATE POLICY deployments_read ON registry.deployments FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY deployments_insert ON registry.deployments FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY deployments_update ON registry.deployments FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY deployments_delete ON registry.deployments FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY deployments_read ON registry.deployments IS
	'rows of the projects the role may read';
COMMENT ON POLICY deployments_insert ON registry.deployments IS
	'new rows only in projects the role may write';
COMMENT ON POLICY deployments_update ON registry.deployments IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY deployments_delete ON registry.deployments IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.active_chains ENABLE ROW LEVEL SECURITY;
CREATE POLICY active_chains_read ON registry.active_chains FOR SELECT
	USING ((project_id = '_' AND (SELECT registry.accessible_projects(CURRENT_USER, 'read')) <> '{}')
		   OR project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY active_chains_insert ON registry.active_chains FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY active_chains_update ON registry.active_chains FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY active_chains_delete ON registry.active_chains FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY active_chains_read ON registry.active_chains IS
	'rows of the projects the role may read, and the global row ''_'' for every role that may read some project';
COMMENT ON POLICY active_chains_insert ON registry.active_chains IS
	'new rows only in projects the role may write';
COMMENT ON POLICY active_chains_update ON registry.active_chains IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY active_chains_delete ON registry.active_chains IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.kv ENABLE ROW LEVEL SECURITY;
CREATE POLICY kv_read ON registry.kv FOR SELECT
	USING (org = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY kv_insert ON registry.kv FOR INSERT
	WITH CHECK (org = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY kv_update ON registry.kv FOR UPDATE
	USING (org = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (org = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY kv_delete ON registry.kv FOR DELETE
	USING (org = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY kv_read ON registry.kv IS
	'rows of the projects the role may read';
COMMENT ON POLICY kv_insert ON registry.kv IS
	'new rows only in projects the role may write';
COMMENT ON POLICY kv_update ON registry.kv IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY kv_delete ON registry.kv IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_read ON registry.projects FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY projects_insert ON registry.projects FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY projects_update ON registry.projects FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY projects_delete ON registry.projects FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY projects_read ON registry.projects IS
	'rows of the projects the role may read';
COMMENT ON POLICY projects_insert ON registry.projects IS
	'new rows only in projects the role may write';
COMMENT ON POLICY projects_update ON registry.projects IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY projects_delete ON registry.projects IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.components ENABLE ROW LEVEL SECURITY;
CREATE POLICY components_read ON registry.components FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY components_insert ON registry.components FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY components_update ON registry.components FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY components_delete ON registry.components FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY components_read ON registry.components IS
	'rows of the projects the role may read';
COMMENT ON POLICY components_insert ON registry.components IS
	'new rows only in projects the role may write';
COMMENT ON POLICY components_update ON registry.components IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY components_delete ON registry.components IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY versions_read ON registry.versions FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY versions_insert ON registry.versions FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY versions_update ON registry.versions FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY versions_delete ON registry.versions FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY versions_read ON registry.versions IS
	'rows of the projects the role may read';
COMMENT ON POLICY versions_insert ON registry.versions IS
	'new rows only in projects the role may write';
COMMENT ON POLICY versions_update ON registry.versions IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY versions_delete ON registry.versions IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.version_branches ENABLE ROW LEVEL SECURITY;
CREATE POLICY version_branches_read ON registry.version_branches FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY version_branches_insert ON registry.version_branches FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY version_branches_update ON registry.version_branches FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY version_branches_delete ON registry.version_branches FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY version_branches_read ON registry.version_branches IS
	'rows of the projects the role may read';
COMMENT ON POLICY version_branches_insert ON registry.version_branches IS
	'new rows only in projects the role may write';
COMMENT ON POLICY version_branches_update ON registry.version_branches IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY version_branches_delete ON registry.version_branches IS
	'deletes only rows of projects the role may write';

ALTER TABLE registry.aliases ENABLE ROW LEVEL SECURITY;
CREATE POLICY aliases_read ON registry.aliases FOR SELECT
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'read'))::text[]));
CREATE POLICY aliases_insert ON registry.aliases FOR INSERT
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY aliases_update ON registry.aliases FOR UPDATE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]))
	WITH CHECK (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
CREATE POLICY aliases_delete ON registry.aliases FOR DELETE
	USING (project_id = ANY ((SELECT registry.accessible_projects(CURRENT_USER, 'write'))::text[]));
COMMENT ON POLICY aliases_read ON registry.aliases IS
	'rows of the projects the role may read';
COMMENT ON POLICY aliases_insert ON registry.aliases IS
	'new rows only in projects the role may write';
COMMENT ON POLICY aliases_update ON registry.aliases IS
	'changes only to rows of projects the role may write, and only into such projects';
COMMENT ON POLICY aliases_delete ON registry.aliases IS
	'deletes only rows of projects the role may write';

/*
 * Blobs are content-addressed and shared by every project, so they carry no
 * project id.  A role reads a blob only when a version of a project it may
 * read references it (the EXISTS runs under registry.versions' own policy);
 * knowing a hash is not enough, so nobody can probe whether some other
 * project stores a given content.  Nobody but the owner writes the blob
 * tables directly (no write policy, no write privilege): a forged row under
 * the key of a content another project will store would corrupt it.  Blobs
 * are written by put_blob and deleted by reclaim_blob, both SECURITY
 * DEFINER (see their comments).
 */
ALTER TABLE registry.blobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY blobs_read ON registry.blobs FOR SELECT
	USING (EXISTS (SELECT FROM registry.versions AS v WHERE v.implementation OPERATOR(pg_catalog.=) blobs.key));
COMMENT ON POLICY blobs_read ON registry.blobs IS
	'a blob shows only to roles that can see a version referencing it';
ALTER TABLE registry.blob_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY blob_chunks_read ON registry.blob_chunks FOR SELECT
	USING (EXISTS (SELECT FROM registry.versions AS v WHERE v.implementation OPERATOR(pg_catalog.=) blob_chunks.key));
COMMENT ON POLICY blob_chunks_read ON registry.blob_chunks IS
	'the chunks of a blob show only to roles that can see a version referencing it';

/*
 * SECURITY DEFINER (owned by the extension owner, search_path pinned):
 * put_blob must find an existing blob of the same content even when no
 * version the caller may see references it yet (else its ON CONFLICT path
 * would loop), and it must write the blob tables, which nobody else may.
 * It stores only the bytes it is given, under their own hash, and returns
 * that hash, which the caller can compute anyway: it reveals nothing.
 * reclaim_blob must see every project's versions, or it would delete a
 * blob another project still references; it deletes only a blob that no
 * unpruned version of any project references.
 */
ALTER FUNCTION registry.put_blob(bytea, boolean) SECURITY DEFINER;
ALTER FUNCTION registry.reclaim_blob(text) SECURITY DEFINER;
-- The partitions of registry.kv are guarded exactly as the parent: the same
-- row-level security switches, policies (with their comments) and privileges,
-- copied from registry.kv by kv_guard_partition (called at the end of the
-- script, once the privileges are set).  A statement on registry.kv obeys
-- the parent's policies; kv_put, kv_get, kv_del and kv_put_if_absent go
-- straight to the org's partition, and only when its guard is the parent's
-- (src/kv.c checks this on every relcache change), so they obey the same.
CREATE FUNCTION registry.kv_guard_partition(part regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	parent oid := 'registry.kv'::regclass;
	pol record;
	acl record;
	c text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_inherits AS i WHERE i.inhrelid = part AND i.inhparent = parent) THEN
		RAISE EXCEPTION '% is not a partition of registry.kv', part
			USING ERRCODE = '22023';
	END IF;
	-- row-level security switches
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
	IF (SELECT relforcerowsecurity FROM pg_class WHERE oid = parent) THEN
		EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', part);
	ELSE
		EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', part);
	END IF;
	-- policies: the partition's own are replaced by copies of the parent's
	FOR pol IN SELECT p.polname FROM pg_policy AS p WHERE p.polrelid = part LOOP
		EXECUTE format('DROP POLICY %I ON %s', pol.polname, part);
	END LOOP;
	FOR pol IN
		SELECT p.oid, p.polname,
			   CASE p.polpermissive WHEN true THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS kind,
			   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
							 WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS cmd,
			   (SELECT string_agg(CASE r WHEN 0 THEN 'PUBLIC' ELSE r::regrole::text END, ', ')
				  FROM unnest(p.polroles) AS r) AS roles,
			   pg_get_expr(p.polqual, p.polrelid) AS qual,
			   pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck
		  FROM pg_policy AS p WHERE p.polrelid = parent ORDER BY p.polname
	LOOP
		EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', pol.polname, part,
					   pol.kind, pol.cmd, pol.roles,
					   CASE WHEN pol.qual IS NULL THEN '' ELSE format(' USING (%s)', pol.qual) END,
					   CASE WHEN pol.withcheck IS NULL THEN '' ELSE format(' WITH CHECK (%s)', pol.withcheck) END);
		c := obj_description(pol.oid, 'pg_policy');
		IF c IS NOT NULL THEN
			EXECUTE format('COMMENT ON POLICY %I ON %s IS %L', pol.polname, part, c);
		END IF;
	END LOOP;
	-- privileges: the parent's, to the same grantees
	FOR acl IN SELECT DISTINCT a.grantee FROM pg_class AS k, aclexplode(k.relacl) AS a
				WHERE k.oid = part AND a.grantee <> k.relowner LOOP
		EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', part,
					   CASE acl.grantee WHEN 0 THEN 'PUBLIC' ELSE acl.grantee::regrole::text END);
	END LOOP;
	FOR acl IN SELECT a.grantee, a.privilege_type, a.is_grantable
				 FROM pg_class AS k, aclexplode(k.relacl) AS a
				WHERE k.oid = parent AND a.grantee <> k.relowner LOOP
		EXECUTE format('GRANT %s ON TABLE %s TO %s%s', acl.privilege_type, part,
					   CASE acl.grantee WHEN 0 THEN 'PUBLIC' ELSE acl.grantee::regrole::text END,
					   CASE WHEN acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION registry.kv_guard_partition(regclass) IS
	'gives a partition of registry.kv the parent''s row-level security switches, policies (with comments) and privileges; run it for every partition an upgrade script adds, and again after changing the parent''s policies or grants';

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
REVOKE INSERT, UPDATE, DELETE ON registry.blobs, registry.blob_chunks FROM registry_writer;
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
REVOKE ALL ON FUNCTION registry.kv_guard_partition(regclass) FROM registry_writer;
SELECT registry.kv_guard_partition(i.inhrelid::regclass)
  FROM pg_catalog.pg_inherits AS i
 WHERE i.inhparent OPERATOR(pg_catalog.=) 'registry.kv'::pg_catalog.regclass
 ORDER BY i.inhrelid;

-- (end of section: tenancy and privileges)
