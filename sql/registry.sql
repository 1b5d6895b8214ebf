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
			IF compress THEN
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

-- (end of section: blobs and the version registry)


-- ===========================================================================
-- Section: key/value store (seed 004)
-- ===========================================================================

-- (end of section: key/value store)


-- ===========================================================================
-- Section: tenancy and privileges (last: it covers every table above)
-- ===========================================================================

-- (end of section: tenancy and privileges)
