/*
 * registry 0.5.0 -> 0.6.0
 *
 * kv_put, kv_get, kv_del and kv_put_if_absent run their statement on the
 * org's partition of registry.kv instead of on registry.kv, when that is the
 * same thing: the partition has the parent's owner, layout, row-level
 * security switches, policies and privileges (src/kv.c checks, and falls
 * back to the parent otherwise).  Until this release a partition had
 * row-level security on, no policy and no privileges, so every access went
 * through the parent.  Now each partition gets copies of the parent's
 * policies and grants, from the new registry.kv_guard_partition, which an
 * upgrade script that adds partitions runs for each new one.
 *
 * Nothing is rewritten and no table is scanned: the step takes a moment
 * and brief locks on registry.kv's partitions.
 */

\echo Use "ALTER EXTENSION registry UPDATE TO '0.6.0'" to load this file. \quit

CREATE FUNCTION registry.kv_guard_partition(part regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	parent oid := 'registry.kv'::regclass;
	pol record;
	acl record;
	c text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_inherits AS i WHERE i.inhrelid = part AND i.inhparent = parent) THEN
		RAISE EXCEPTION '% is not a partition of registry.kv', part
			USING ERRCODE = '22023';
	END IF;
	-- row-level security switches
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
	IF (SELECT relforcerowsecurity FROM pg_class WHERE oid = parent) THEN
		EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', part);
	ELSE
		EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', part);
	END IF;
	-- policies: the partition's own are replaced by copies of the parent's
	FOR pol IN SELECT p.polname FROM pg_policy AS p WHERE p.polrelid = part LOOP
		EXECUTE format('DROP POLICY %I ON %s', pol.polname, part);
	END LOOP;
	FOR pol IN
		SELECT p.oid, p.polname,
			   CASE p.polpermissive WHEN true THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS kind,
			   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
							 WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS cmd,
			   (SELECT string_agg(CASE r WHEN 0 THEN 'PUBLIC' ELSE r::regrole::text END, ', ')
				  FROM unnest(p.polroles) AS r) AS roles,
			   pg_get_expr(p.polqual, p.polrelid) AS qual,
			   pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck
		  FROM pg_policy AS p WHERE p.polrelid = parent ORDER BY p.polname
	LOOP
		EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', pol.polname, part,
					   pol.kind, pol.cmd, pol.roles,
					   CASE WHEN pol.qual IS NULL THEN '' ELSE format(' USING (%s)', pol.qual) END,
					   CASE WHEN pol.withcheck IS NULL THEN '' ELSE format(' WITH CHECK (%s)', pol.withcheck) END);
		c := obj_description(pol.oid, 'pg_policy');
		IF c IS NOT NULL THEN
			EXECUTE format('COMMENT ON POLICY %I ON %s IS %L', pol.polname, part, c);
		END IF;
	END LOOP;
	-- privileges: the parent's, to the same grantees
	FOR acl IN SELECT DISTINCT a.grantee FROM pg_class AS k, aclexplode(k.relacl) AS a
				WHERE k.oid = part AND a.grantee <> k.relowner LOOP
		EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', part,
					   CASE acl.grantee WHEN 0 THEN 'PUBLIC' ELSE acl.grantee::regrole::text END);
	END LOOP;
	FOR acl IN SELECT a.grantee, a.privilege_type, a.is_grantable
				 FROM pg_class AS k, aclexplode(k.relacl) AS a
				WHERE k.oid = parent AND a.grantee <> k.relowner LOOP
		EXECUTE format('GRANT %s ON TABLE %s TO %s%s', acl.privilege_type, part,
					   CASE acl.grantee WHEN 0 THEN 'PUBLIC' ELSE acl.grantee::regrole::text END,
					   CASE WHEN acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION registry.kv_guard_partition(regclass) IS
	'gives a partition of registry.kv the parent''s row-level security switches, policies (with comments) and privileges; run it for every partition an upgrade script adds, and again after changing the parent''s policies or grants';

REVOKE ALL ON FUNCTION registry.kv_guard_partition(regclass) FROM PUBLIC;
SELECT registry.kv_guard_partition(i.inhrelid::regclass)
  FROM pg_catalog.pg_inherits AS i
 WHERE i.inhparent OPERATOR(pg_catalog.=) 'registry.kv'::pg_catalog.regclass
 ORDER BY i.inhrelid;
