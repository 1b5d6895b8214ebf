/*
 * registry 0.9.0 -> 0.10.0
 *
 * Retention on a keep-last-N component is kept one step at a time.  A
 * registration prunes the one version it pushes out of the newest N (unless
 * an alias holds it) with one probe by the unique key (registry.register, in
 * C); until 0.9.0 it ran registry.apply_retention, which reads every live
 * version of the component and, inside one transaction, every version that
 * transaction pruned too (their old row versions stay in the indexes until
 * vacuum), so registering thousands of versions in one transaction slowed
 * with every call.
 *
 * For that to keep the policy, every other way a version can become
 * prunable prunes at once: configure_component already applied a tightened
 * policy at once; now set_alias does when it moves an alias away from a
 * version, and drop_alias when it drops one, through the new
 * registry.prune_released(project_id, version_id), which prunes that one
 * version if the policy puts it outside the newest N (one probe: the
 * version N seqs later exists) and no other alias holds it.  Until 0.9.0
 * such a version was pruned at the next registration.
 *
 * registry.put_blob and registry.reclaim_blob (which deletes the blob of a
 * pruned version when nothing else uses it) run with enable_seqscan off:
 * inside one transaction the blobs that pruning deletes stay in the table's
 * file until vacuum, and with statistics from before, their one-key
 * lookups, and the foreign-key check of a new blob chunk that put_blob
 * causes, were planned as sequential scans of that growing file.
 *
 * No table's data is changed.  A version that lost its alias under 0.9.0
 * and has not been pruned since (no registration in its component after
 * that) stays unpruned until registry.apply_retention runs for its
 * component, or its component's policy is set again; to prune every such
 * version now:
 *   SELECT registry.apply_retention(project_id, name)
 *     FROM registry.components WHERE retention_policy <> 'forever';
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.10.0'" to load this file. \quit

-- Pruning inside a long transaction deletes blobs that stay in the table's
-- file until vacuum; with statistics from before, PostgreSQL planned
-- one-key lookups of registry.blobs as sequential scans of that file.
ALTER FUNCTION registry.put_blob(bytea, boolean) SET enable_seqscan = off;
ALTER FUNCTION registry.reclaim_blob(text) SET enable_seqscan = off;

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

-- privileges as the install script gives a VOLATILE function
REVOKE ALL ON FUNCTION registry.prune_released(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION registry.prune_released(text, bigint) TO registry_writer;

CREATE OR REPLACE FUNCTION registry.set_alias(project_id text, component text, alias text, version_id bigint)
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

CREATE OR REPLACE FUNCTION registry.drop_alias(project_id text, component text, alias text) RETURNS boolean
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
