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

-- registry.register(bytea ...): with parents, one statement reads the primary
-- parent, the next seq and whether the parent's chain continues (was three)
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
