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
