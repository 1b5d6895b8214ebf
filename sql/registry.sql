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

-- (end of section: semantic version type)


-- ===========================================================================
-- Section: blobs and the version registry (seeds 001, 003)
-- ===========================================================================

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
	'the namespace a key routes to, (registry.ns_from_key(key)).ns without building a row; raises the same errors (used by the CHECK of registry.kv)';

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
	-- one constraint, not two, and no generated column: the executor reads
	-- each constraint's expression tree for every statement, and kv_put's
	-- throughput is measured against a plain table (bench/kv)
	CONSTRAINT kv_row_check CHECK (registry.valid_project_id(org)
								   AND namespace = registry.kv_key_namespace(key))
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
	 LIMIT registry.kv_check_limit(kv_list."limit");
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

-- (end of section: tenancy and privileges)
