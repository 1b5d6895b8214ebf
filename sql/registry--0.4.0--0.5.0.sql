/*
 * registry 0.4.0 -> 0.5.0
 *
 * versions_semver_key becomes a partial index (see below); rebuilding it
 * locks registry.versions for the time of one index build.
 *
 * registry.register is C (src/register.c), both forms (bytea and text
 * implementations) one function.  Its statements are kept generic plans
 * that are made again while registry.versions is small and keeps doubling:
 * the PL/pgSQL version's plans, made when the table was nearly empty, could
 * read a whole project per call for the rest of the session.  CREATE OR
 * REPLACE keeps the functions' grants; it also drops the SET search_path of
 * the PL/pgSQL version, which the C function does not need (its statements
 * name every object with its schema).
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.5.0'" to load this file. \quit

-- The unique index on (project_id, component, semver) becomes partial (WHERE
-- semver IS NOT NULL: the same uniqueness, since NULLs never conflict).  As a
-- full index it competed with the seq key for "the component's highest seq"
-- in plans made without statistics, and could win (smaller, and a sort of
-- the one row estimated costs nothing), reading the whole component.
DROP INDEX registry.versions_semver_key;
CREATE UNIQUE INDEX versions_semver_key ON registry.versions (project_id, component, semver)
	WHERE semver IS NOT NULL;

CREATE OR REPLACE FUNCTION registry.register(project_id text, component text, implementation bytea,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	AS 'MODULE_PATHNAME', 'registry_register'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.register(text, text, bytea, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text) IS
	'registers a new version (creating project and component on first use) and returns it: seq is the next of the component; semantic components take an explicit version (duplicate = 23505) or a bump (default patch) from the primary parent or else the highest version (0.0.0 when none); applies retention';

-- the same C function: a text's bytes are its bytes in the database encoding
CREATE OR REPLACE FUNCTION registry.register(project_id text, component text, implementation text,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	AS 'MODULE_PATHNAME', 'registry_register'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION registry.register(text, text, text, jsonb, bigint[], registry.semver, text, jsonb, jsonb, text) IS
	'registers a version whose implementation is text (stored as its bytes in the database encoding)';
