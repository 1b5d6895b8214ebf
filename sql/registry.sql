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

CREATE SEQUENCE registry.versions_id_seq;
COMMENT ON SEQUENCE registry.versions_id_seq IS 'ids of registry.versions';
SELECT pg_catalog.pg_extension_config_dump('registry.versions_id_seq', '');

CREATE TABLE registry.versions (
	id			bigint NOT NULL DEFAULT pg_catalog.nextval('registry.versions_id_seq'),
	project_id	text NOT NULL CHECK (registry.valid_project_id(project_id)),
	component	text NOT NULL,
	seq			bigint NOT NULL CHECK (seq > 0),
	semver		registry.semver,
	parents		bigint[] NOT NULL DEFAULT '{}',
	primary_parent bigint CHECK (primary_parent IS NOT DISTINCT FROM parents[1]),
	implementation text NOT NULL CHECK (registry.valid_blob_key(implementation)),
	size		bigint NOT NULL CHECK (size >= 0),
	metadata	jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	metrics		jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(metrics) = 'object'),
	test_results jsonb NOT NULL DEFAULT '{}',
	status		text NOT NULL DEFAULT 'registered' CHECK (status <> '' AND pg_catalog.octet_length(status) <= 64),
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by	text NOT NULL DEFAULT CURRENT_USER,
	pruned_at	timestamptz,
	depth		integer NOT NULL CHECK (depth >= 0),
	chain_id	bigint NOT NULL,
	chain_pos	integer NOT NULL CHECK (chain_pos >= 0),
	PRIMARY KEY (project_id, id),
	UNIQUE (project_id, component, seq),
	FOREIGN KEY (project_id, component) REFERENCES registry.components (project_id, name)
);
ALTER SEQUENCE registry.versions_id_seq OWNED BY registry.versions.id;
CREATE UNIQUE INDEX versions_semver_key ON registry.versions (project_id, component, semver);
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
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c registry.components;
	pp registry.versions;
	v registry.versions;
	ps bigint[] := coalesce(register.parents, '{}');
	np integer := coalesce(cardinality(register.parents), 0);
	sv registry.semver;
	base registry.semver;
	newid bigint;
	newseq bigint;
	cid bigint;
	cpos integer;
	d integer := 0;
	k text;
	found_parents bigint;
BEGIN
	PERFORM registry.check_project_id(register.project_id);
	PERFORM registry.check_component_name(register.component);
	IF register.implementation IS NULL THEN
		RAISE EXCEPTION 'implementation must not be null' USING ERRCODE = '22023';
	END IF;
	IF register.metadata IS NOT NULL AND jsonb_typeof(register.metadata) <> 'object' THEN
		RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
	END IF;
	IF register.metrics IS NOT NULL AND jsonb_typeof(register.metrics) <> 'object' THEN
		RAISE EXCEPTION 'metrics must be a JSON object' USING ERRCODE = '22023';
	END IF;
	IF register.status IS NOT NULL AND (register.status = '' OR octet_length(register.status) > 64) THEN
		RAISE EXCEPTION 'status must have 1 to 64 bytes' USING ERRCODE = '22023';
	END IF;
	IF register.bump IS NOT NULL AND register.bump NOT IN ('major', 'minor', 'patch', 'prerelease') THEN
		RAISE EXCEPTION 'unknown bump: %', quote_literal(register.bump)
			USING ERRCODE = '22023', HINT = 'Use major, minor, patch or prerelease.';
	END IF;
	IF register.version IS NOT NULL AND register.bump IS NOT NULL THEN
		RAISE EXCEPTION 'give either version or bump, not both' USING ERRCODE = '22023';
	END IF;
	IF np > 0 THEN
		IF array_position(ps, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'parents must not contain NULL' USING ERRCODE = '22023';
		END IF;
		IF np > 1 AND (SELECT count(DISTINCT x) FROM unnest(ps) AS x) <> np THEN
			RAISE EXCEPTION 'parents must not repeat a version' USING ERRCODE = '22023';
		END IF;
	END IF;

	-- The component row lock serializes registrations of one component
	-- (a lock, not an update: no new row version per registration); under
	-- it the next seq is the highest + 1, read in a fresh snapshot, so seqs
	-- have no gaps and no duplicates, and an aborted registration gives
	-- its seq back.
	SELECT * INTO c FROM registry.components x
	 WHERE x.project_id = register.project_id AND x.name = register.component
	   FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		INSERT INTO registry.projects AS p (project_id) VALUES (register.project_id)
			ON CONFLICT DO NOTHING;
		INSERT INTO registry.components AS x (project_id, name)
			VALUES (register.project_id, register.component)
			ON CONFLICT DO NOTHING;
		SELECT * INTO c FROM registry.components x
		 WHERE x.project_id = register.project_id AND x.name = register.component
		   FOR NO KEY UPDATE;
	END IF;
	SELECT x.seq + 1 INTO newseq FROM registry.versions x
	 WHERE x.project_id = register.project_id AND x.component = register.component
	 ORDER BY x.seq DESC LIMIT 1;
	newseq := coalesce(newseq, 1);

	IF np > 0 THEN
		SELECT * INTO pp FROM registry.versions x
		 WHERE x.project_id = register.project_id AND x.id = ps[1];
		IF NOT FOUND OR pp.component <> register.component THEN
			RAISE EXCEPTION 'parent % is not a version of component % of project %',
				ps[1], register.component, register.project_id USING ERRCODE = '22023';
		END IF;
		IF np > 1 THEN
			SELECT count(*) INTO found_parents FROM registry.versions x
			 WHERE x.project_id = register.project_id AND x.id = ANY (ps[2:])
			   AND x.component = register.component;
			IF found_parents <> np - 1 THEN
				RAISE EXCEPTION 'parents % are not all versions of component % of project %',
					ps, register.component, register.project_id USING ERRCODE = '22023';
			END IF;
		END IF;
		d := pp.depth + 1;
	END IF;

	IF c.version_strategy = 'semantic' THEN
		IF register.version IS NOT NULL THEN
			sv := register.version;
		ELSE
			IF np > 0 THEN
				base := pp.semver;
			ELSE
				SELECT x.semver INTO base FROM registry.versions x
				 WHERE x.project_id = register.project_id AND x.component = register.component
				   AND x.semver IS NOT NULL
				 ORDER BY x.semver DESC LIMIT 1;
			END IF;
			sv := registry.semver_bump(coalesce(base, '0.0.0'::registry.semver), coalesce(register.bump, 'patch'));
		END IF;
		SELECT x.id INTO newid FROM registry.versions x
		 WHERE x.project_id = register.project_id AND x.component = register.component AND x.semver OPERATOR(registry.=) sv;
		IF FOUND THEN
			RAISE EXCEPTION 'version % of component % of project % already exists', sv::text,
				register.component, register.project_id
				USING ERRCODE = '23505', DETAIL = format('It is version id %s.', newid);
		END IF;
	ELSIF register.version IS NOT NULL OR register.bump IS NOT NULL THEN
		RAISE EXCEPTION 'component % of project % uses incremental versioning', register.component, register.project_id
			USING ERRCODE = '22023',
				  HINT = 'Drop version and bump, or make the component semantic with registry.configure_component.';
	END IF;

	k := registry.put_blob(register.implementation, c.compression);
	newid := nextval('registry.versions_id_seq');

	IF np = 0 THEN
		cid := newid;
		cpos := 0;
	ELSIF NOT EXISTS (SELECT 1 FROM registry.versions x
					   WHERE x.project_id = register.project_id AND x.chain_id = pp.chain_id
						 AND x.chain_pos = pp.chain_pos + 1) THEN
		cid := pp.chain_id;
		cpos := pp.chain_pos + 1;
	ELSE
		cid := newid;
		cpos := 0;
		INSERT INTO registry.version_branches (project_id, parent_chain, parent_pos, child_chain)
			VALUES (register.project_id, pp.chain_id, pp.chain_pos, newid);
	END IF;

	INSERT INTO registry.versions AS x
		(id, project_id, component, seq, semver, parents, primary_parent, implementation, size,
		 metadata, metrics, test_results, status, depth, chain_id, chain_pos)
	VALUES (newid, register.project_id, register.component, newseq, sv, ps, ps[1], k,
			octet_length(register.implementation),
			coalesce(register.metadata, '{}'), coalesce(register.metrics, '{}'),
			coalesce(register.test_results, '{}'), coalesce(register.status, 'registered'),
			d, cid, cpos)
	RETURNING * INTO v;

	IF c.retention_policy <> 'forever' THEN
		PERFORM registry.apply_retention(c.project_id, c.name);
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION registry.register(text, text, bytea, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text) IS
	'registers a new version (creating project and component on first use) and returns it: seq is the next of the component; semantic components take an explicit version (duplicate = 23505) or a bump (default patch) from the primary parent or else the highest version (0.0.0 when none); applies retention';

CREATE FUNCTION registry.register(project_id text, component text, implementation text,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	LANGUAGE sql VOLATILE
BEGIN ATOMIC
	SELECT registry.register(register.project_id, register.component,
		pg_catalog.convert_to(register.implementation, pg_catalog.getdatabaseencoding()),
		register.metadata, register.parents, register.version, register.bump,
		register.metrics, register.test_results, register.status);
END;
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
BEGIN
	PERFORM registry.check_project_id(set_alias.project_id);
	IF alias IS NULL OR alias !~ '^[A-Za-z][A-Za-z0-9_.-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid alias: %', coalesce(quote_literal(alias), 'NULL')
			USING ERRCODE = '22023',
				  DETAIL = 'An alias starts with a letter and has up to 63 letters, digits, _, . or -.';
	END IF;
	SELECT * INTO v FROM registry.versions x
	 WHERE x.project_id = set_alias.project_id AND x.id = set_alias.version_id;
	IF NOT FOUND OR v.component <> set_alias.component THEN
		RAISE EXCEPTION 'version % is not a version of component % of project %',
			coalesce(version_id::text, 'NULL'), component, project_id USING ERRCODE = 'P0002';
	END IF;
	INSERT INTO registry.aliases AS x (project_id, component, alias, version_id)
		VALUES (set_alias.project_id, set_alias.component, set_alias.alias, set_alias.version_id)
		ON CONFLICT ON CONSTRAINT aliases_pkey
		DO UPDATE SET version_id = excluded.version_id, updated_at = pg_catalog.now()
	RETURNING * INTO a;
	RETURN a;
END
$$;
COMMENT ON FUNCTION registry.set_alias(text, text, text, bigint) IS
	'points an alias (production, staging, ...) of a component at one of its versions, creating or moving it';

CREATE FUNCTION registry.drop_alias(project_id text, component text, alias text) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT
BEGIN ATOMIC
	WITH d AS (
		DELETE FROM registry.aliases a
		 WHERE a.project_id = drop_alias.project_id AND a.component = drop_alias.component
		   AND a.alias = drop_alias.alias
		RETURNING 1)
	SELECT count(*) > 0 FROM d;
END;
COMMENT ON FUNCTION registry.drop_alias(text, text, text) IS
	'removes an alias; returns whether it existed (dropping a missing alias is not an error)';

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
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s registry.versions := registry.version_or_raise(descendants.version_id);
	chains bigint[] := ARRAY[s.chain_id];
	froms integer[] := ARRAY[s.chain_pos + 1];
	frontier bigint[] := ARRAY[s.chain_id];
	branch_from integer[] := ARRAY[s.chain_pos];
	next_chains bigint[];
BEGIN
	-- Collect the chains below the version, one query per generation of
	-- branches, then read their members with one range scan each.
	LOOP
		SELECT array_agg(b.child_chain) INTO next_chains
		  FROM unnest(frontier, branch_from) AS f (chain_id, pos)
		  JOIN registry.version_branches b
			ON b.project_id = s.project_id AND b.parent_chain = f.chain_id AND b.parent_pos >= f.pos;
		EXIT WHEN next_chains IS NULL;
		chains := chains || next_chains;
		froms := froms || array_fill(0, ARRAY[cardinality(next_chains)]);
		frontier := next_chains;
		branch_from := array_fill(0, ARRAY[cardinality(next_chains)]);
	END LOOP;
	RETURN QUERY
	SELECT v.depth - s.depth, v.id, v.seq, v.semver, v.pruned_at IS NOT NULL
	  FROM unnest(chains, froms) AS c (chain_id, pos)
	  CROSS JOIN LATERAL (
		SELECT x.depth, x.id, x.seq, x.semver, x.pruned_at FROM registry.versions x
		 WHERE x.project_id = s.project_id AND x.chain_id = c.chain_id AND x.chain_pos >= c.pos
		 OFFSET 0) v
	 ORDER BY v.depth, v.id;
END
$$;
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

-- (end of section: key/value store)


-- ===========================================================================
-- Section: tenancy and privileges (last: it covers every table above)
-- ===========================================================================

-- (end of section: tenancy and privileges)
