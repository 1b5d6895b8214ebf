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

-- reliability (issue #7): chunk_config_section raised XX000 for a spec field of unknown type,
-- which any caller can pass; it is a 22023 now.
CREATE OR REPLACE FUNCTION registry.chunk_config_section(path text, spec jsonb, cfg jsonb) RETURNS jsonb
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

-- ---------------------------------------------------------------------------
-- tenancy and security: row-level security on every table that holds project
-- data, blobs readable only through a visible version, the kv partitions
-- closed (same statements as the tenancy section of sql/registry.sql)
-- ---------------------------------------------------------------------------

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
-- The partitions of registry.kv: every access goes through the parent, whose
-- policies apply; a partition has row-level security on and no policy (so
-- nothing for anyone but the owner) and no privileges (see below).
DO $kvparts$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits AS i
				 WHERE i.inhparent OPERATOR(pg_catalog.=) 'registry.kv'::pg_catalog.regclass ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
	END LOOP;
END
$kvparts$;

REVOKE INSERT, UPDATE, DELETE ON registry.blobs, registry.blob_chunks FROM registry_writer;
DO $kvparts$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits AS i
				 WHERE i.inhparent OPERATOR(pg_catalog.=) 'registry.kv'::pg_catalog.regclass ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON TABLE %s FROM registry_reader, registry_writer', part);
	END LOOP;
END
$kvparts$;

-- accessible_projects becomes PL/pgSQL (its plan is kept for the session; the
-- SQL body was planned on every statement under RLS), and the grant trigger
-- no longer re-grants a membership the role already has (a NOTICE per grant)
CREATE OR REPLACE FUNCTION registry.accessible_projects(who name, need text) RETURNS text[]
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $fn$
BEGIN
	RETURN (SELECT COALESCE(pg_catalog.array_agg(DISTINCT g.project_id), '{}')
			  FROM registry.project_grants AS g
			  JOIN pg_catalog.pg_roles AS r ON r.rolname = g.role_name
			 WHERE registry.privilege_rank(g.privilege) >= registry.privilege_rank(need)
			   AND pg_catalog.pg_has_role(who, r.oid, 'MEMBER'));
END
$fn$;
CREATE OR REPLACE FUNCTION registry.project_grants_sync() RETURNS trigger
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
