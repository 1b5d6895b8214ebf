/*
 * registry 0.1.0 -> 0.2.0
 *
 * 0.1.0 is the first complete release (chunk catalog, artifacts and
 * deployments, the semver type, blobs and the version registry, the
 * key/value store, the tenancy framework); its install script is kept
 * frozen in test/upgrade/registry--0.1.0.sql for the upgrade test.
 * 0.2.0 adds what follows.  Every statement is schema-qualified.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.2.0'" to load this file. \quit

-- registry.register(text ...): PL/pgSQL instead of a SQL-standard body, so
-- its call of register(bytea ...) is a cached plan, not parsed and planned per call
CREATE OR REPLACE FUNCTION registry.register(project_id text, component text, implementation text,
		metadata jsonb DEFAULT '{}', parents bigint[] DEFAULT NULL,
		version registry.semver DEFAULT NULL, bump text DEFAULT NULL,
		metrics jsonb DEFAULT NULL, test_results jsonb DEFAULT NULL, status text DEFAULT NULL)
	RETURNS registry.versions
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- PL/pgSQL, not a SQL-standard body: a SQL function called from a
	-- FROM clause is parsed and planned again on every call, which cost a
	-- fifth of a registration; this one is a cached simple expression.
	RETURN registry.register(register.project_id, register.component,
		pg_catalog.convert_to(register.implementation, pg_catalog.getdatabaseencoding()),
		register.metadata, register.parents, register.version, register.bump,
		register.metrics, register.test_results, register.status);
END
$$;
