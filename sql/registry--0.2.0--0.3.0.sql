/*
 * registry 0.2.0 -> 0.3.0
 *
 * A NULL project_id given to register, configure_component, set_alias,
 * grant_project or revoke_project is a 22023 "project_id must not be null"
 * (it was a 23502 naming the internal table registry.projects, or, for
 * revoke_project, silently nothing).  set_alias checks the component name
 * (22023) and compares it NULL-safely: a NULL component reached the INSERT
 * and failed there with 23502.  registry.accessible_projects, which every
 * row-level security policy calls once per statement, is C with a
 * per-session cache (src/tenancy.c), invalidated by the new statement
 * trigger project_grants_changed and by changes to roles and memberships:
 * a granted role's calls no longer pay a grants query each.  Every
 * statement is schema-qualified.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.3.0'" to load this file. \quit

CREATE OR REPLACE FUNCTION registry.configure_component(project_id text, component text,
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

CREATE OR REPLACE FUNCTION registry.register(project_id text, component text, implementation bytea,
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
	chain_free boolean;
BEGIN
	IF register.project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = '22023';
	END IF;
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
	IF np = 0 THEN
		SELECT x.seq + 1 INTO newseq FROM registry.versions x
		 WHERE x.project_id = register.project_id AND x.component = register.component
		 ORDER BY x.seq DESC LIMIT 1;
	ELSE
		-- One statement (read under the lock, like the next seq) fetches
		-- the primary parent, the next seq and whether the parent's chain
		-- continues past it, instead of three.
		SELECT x.component, x.depth, x.semver, x.chain_id, x.chain_pos,
			   (SELECT y.seq + 1 FROM registry.versions y
				 WHERE y.project_id = register.project_id AND y.component = register.component
				 ORDER BY y.seq DESC LIMIT 1),
			   NOT EXISTS (SELECT 1 FROM registry.versions y
							WHERE y.project_id = register.project_id AND y.chain_id = x.chain_id
							  AND y.chain_pos = x.chain_pos + 1)
		  INTO pp.component, pp.depth, pp.semver, pp.chain_id, pp.chain_pos, newseq, chain_free
		  FROM registry.versions x
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
	newseq := coalesce(newseq, 1);

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
	ELSIF chain_free THEN
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

CREATE OR REPLACE FUNCTION registry.set_alias(project_id text, component text, alias text, version_id bigint)
	RETURNS registry.aliases
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v registry.versions;
	a registry.aliases;
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
	INSERT INTO registry.aliases AS x (project_id, component, alias, version_id)
		VALUES (set_alias.project_id, set_alias.component, set_alias.alias, set_alias.version_id)
		ON CONFLICT ON CONSTRAINT aliases_pkey
		DO UPDATE SET version_id = excluded.version_id, updated_at = pg_catalog.now()
	RETURNING * INTO a;
	RETURN a;
END
$$;

CREATE OR REPLACE FUNCTION registry.grant_project(project_id text, role_name name, privilege text DEFAULT 'read')
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

CREATE OR REPLACE FUNCTION registry.revoke_project(project_id text, role_name name)
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

-- tenancy: accessible_projects in C with a per-session cache
CREATE OR REPLACE FUNCTION registry.accessible_projects(who name, need text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'registry_accessible_projects'
	LANGUAGE C STABLE STRICT PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION registry.project_grants_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'registry_project_grants_changed'
	LANGUAGE C;
COMMENT ON FUNCTION registry.project_grants_changed() IS
	'trigger: tells every session that its cached accessible_projects answers are stale (a relcache invalidation of project_grants)';
CREATE TRIGGER project_grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registry.project_grants
	FOR EACH STATEMENT EXECUTE FUNCTION registry.project_grants_changed();
COMMENT ON TRIGGER project_grants_changed ON registry.project_grants IS
	'invalidates the per-session cache of registry.accessible_projects when grants change';
REVOKE ALL ON FUNCTION registry.project_grants_changed() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION registry.project_grants_changed() TO registry_writer;
