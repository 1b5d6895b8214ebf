-- Search-path safety, in the manner of contrib/seg's security test: an
-- unprivileged role plants hostile look-alikes of the built-ins the
-- extension uses (an = operator for text and others, lower, sha256, now,
-- jsonb_build_object, ...) in its own schema AHEAD of pg_catalog on its
-- search_path, plus pg_temp shadows, then calls every STABLE and VOLATILE
-- function of the extension.  Each call gives the same result as under a
-- clean search_path, and no hostile object ever runs: each one bumps the
-- sequence public.sec_trace (not rolled back with the calls), which must
-- stay untouched.  A last control proves the trap does spring when a query
-- does not qualify its names.  (ALTER EXTENSION ... UPDATE under hostile
-- objects is test/harness/upgrade.sh.)
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(6);

CREATE SEQUENCE public.sec_trace;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.sec_trace TO PUBLIC;
CREATE ROLE sec_hostile LOGIN;
CREATE SCHEMA sec_evil AUTHORIZATION sec_hostile;
SELECT registry.grant_project('sec-p', 'sec_hostile', 'admin') IS NOT NULL \g /dev/null

-- data of the project, as the extension owner
SELECT registry.mark_chunk_freezing(1, '{events,ledgers}', 'sec-p') IS NOT NULL,
	   registry.flip_chunk_frozen(1, '{events}', 'sec-p') IS NOT NULL,
	   registry.mark_chunk_freezing(2, '{events}', 'sec-p') IS NOT NULL,
	   registry.put_hot_transient(1, 'sec-p') IS NULL,
	   registry.put_hot_transient(2, 'sec-p') IS NULL,
	   registry.set_config_pin('config:earliest_ledger', '2', 'sec-p') IS NOT NULL,
	   registry.put_artifact('sec-p', 'Tok', '[{"type":"constructor"}]', '0x6001', '0x60', '{"v":1}') IS NOT NULL,
	   registry.deploy('k1', '7', 'Tok', '0xaa', NULL, false, 'sec-p') IS NOT NULL,
	   (SELECT count(*) FROM registry.claim_deploy('k2', '7', 'Tok', 'sec-p')) = 1,
	   registry.set_active_chain('7', 'sec-p') IS NOT NULL,
	   registry.kv_put('sec-p', 'ns/a', '\x01') IS NOT NULL,
	   registry.kv_put('sec-p', 'wf/prod/o/r', '\x02') IS NOT NULL \g /dev/null
SELECT registry.flip_chunk_frozen(1, '{ledgers}', 'sec-p') IS NOT NULL \g /dev/null
SELECT registry.configure_component('sec-p', 'c', version_strategy => 'semantic', retention_policy => 'keep-last-5') IS NOT NULL \g /dev/null
SELECT (registry.register('sec-p', 'c', 'v1 body'::text, '{"m": 1}', version => '1.0.0', metrics => '{"score": 1}')).id AS s1 \gset
SELECT (registry.register('sec-p', 'c', 'v2 body'::text, '{"m": 2}', parents => ARRAY[:s1::bigint], bump => 'minor')).id AS s2 \gset
SELECT (registry.register('sec-p', 'c', 'v3 body'::text, '{"m": 3}', parents => ARRAY[:s1::bigint], bump => 'patch')).id AS s3 \gset
SELECT registry.set_alias('sec-p', 'c', 'prod', :s2) IS NOT NULL \g /dev/null
SELECT registry.blob_key(convert_to('v1 body', 'UTF8')) AS sk \gset

-- every call, with a result free of clocks and sequence numbers
CREATE TEMP TABLE sec_calls (fn regprocedure, sql text);
INSERT INTO sec_calls VALUES
 ('registry.mark_chunk_freezing(bigint,text[],text)', $$SELECT registry.mark_chunk_freezing(3, '{events}', 'sec-p')$$),
 ('registry.flip_chunk_frozen(bigint,text[],text)', $$SELECT registry.flip_chunk_frozen(2, '{events}', 'sec-p')$$),
 ('registry.demote_chunk_pruning(bigint,text[],text)', $$SELECT registry.demote_chunk_pruning(1, '{events}', 'sec-p')$$),
 ('registry.delete_chunk_key(bigint,text,text)', $$SELECT registry.delete_chunk_key(1, 'ledgers', 'sec-p') FROM registry.demote_chunk_pruning(1, '{ledgers}', 'sec-p') AS d$$),
 ('registry.put_hot_transient(bigint,text)', $$SELECT registry.put_hot_transient(5, 'sec-p')$$),
 ('registry.flip_hot_ready(bigint,text)', $$SELECT registry.flip_hot_ready(2, 'sec-p')$$),
 ('registry.delete_hot_key(bigint,text)', $$SELECT registry.delete_hot_key(1, 'sec-p')$$),
 ('registry.config_pin(text,text)', $$SELECT registry.config_pin('config:earliest_ledger', 'sec-p')$$),
 ('registry.last_committed_ledger(text)', $$SELECT registry.last_committed_ledger('sec-p')$$),
 ('registry.retention_floor(text)', $$SELECT registry.retention_floor('sec-p')$$),
 ('registry.chunk_state(bigint,text,text)', $$SELECT registry.chunk_state(1, 'events', 'sec-p')$$),
 ('registry.hot_state(bigint,text)', $$SELECT registry.hot_state(1, 'sec-p')$$),
 ('registry.recovery_keys(text)', $$SELECT * FROM registry.recovery_keys('sec-p')$$),
 ('registry.catalog_keys(text,text)', $$SELECT * FROM registry.catalog_keys('', 'sec-p')$$),
 ('registry.set_config_pin(text,text,text)', $$SELECT registry.set_config_pin('config:chunks_per_txhash_index', '4', 'sec-p')$$),
 ('registry.set_retention(bigint,text)', $$SELECT registry.set_retention(3, 'sec-p')$$),
 ('registry.lock_roots(text[])', $$SELECT registry.lock_roots('{/sec/a,/sec/b}')$$),
 ('registry.held_roots()', $$SELECT registry.held_roots()$$),
 ('registry.release_roots()', $$SELECT registry.release_roots()$$),
 ('registry.put_artifact(text,text,jsonb,text,text,jsonb,text,timestamp with time zone)',
  $$SELECT (a).name, (a).bytecode, (a).abi FROM registry.put_artifact('sec-p', 'Tok', '[]', '0x6002') AS a$$),
 ('registry.get_artifact(text,text)', $$SELECT a.name, a.bytecode, a.abi, a.compiler FROM registry.get_artifact('sec-p', 'Tok') AS a$$),
 ('registry.list_artifacts(text)', $$SELECT a.name, a.bytecode FROM registry.list_artifacts('sec-p') AS a$$),
 ('registry.artifact_revisions(text,text)', $$SELECT r.bytecode_sha256 FROM registry.artifact_revisions('sec-p', 'Tok') AS r$$),
 ('registry.artifact_json(text,text,bytea)', $$SELECT registry.artifact_json('sec-p', 'Tok') - 'updated_at'$$),
 ('registry.deploy(text,text,text,text,text,boolean,text)',
  $$SELECT d.address, d.state, d.artifact_sha256 FROM registry.deploy('k1', '7', 'Tok', '0xaa', '0xtt', false, 'sec-p') AS d$$),
 ('registry.get_deployment(text,text,text)', $$SELECT d.address, d.state FROM registry.get_deployment('k1', '7', 'sec-p') AS d$$),
 ('registry.list_deployments(text,text)', $$SELECT d.idempotency_key, d.state FROM registry.list_deployments('sec-p') AS d$$),
 ('registry.deployments_of_bytecode(bytea)', $$SELECT d.idempotency_key FROM registry.deployments_of_bytecode(pg_catalog.sha256('\x6001'::bytea)) AS d$$),
 ('registry.deployments_of_bytecode(text)', $$SELECT d.idempotency_key FROM registry.deployments_of_bytecode('0x6001'::text) AS d$$),
 ('registry.active_chain_id(text)', $$SELECT registry.active_chain_id('sec-p')$$),
 ('registry.set_active_chain(text,text)', $$SELECT registry.set_active_chain('9', 'sec-p')$$),
 ('registry.latest_deployment(text,text,text,integer)', $$SELECT d.address FROM registry.latest_deployment('sec-p', 'Tok') AS d$$),
 ('registry.claim_deploy(text,text,text,text,interval)', $$SELECT c.claimed FROM registry.claim_deploy('k3', '7', 'Tok', 'sec-p') AS c$$),
 ('registry.record_broadcast(text,text,text,text)', $$SELECT d.tx_hash, d.state FROM registry.record_broadcast('k2', '7', '0xt2', 'sec-p') AS d$$),
 ('registry.confirm_deployment(text,text,text,text)', $$SELECT d.state FROM registry.confirm_deployment('k1', '7', 'sec-p') AS d$$),
 ('registry.import_json(jsonb)', $$SELECT registry.import_json('{"artifacts": {}, "deployments": {"k9:7": {"project_id": "sec-p", "idempotency_key": "k9", "chain_id": "7", "contract": "Tok", "address": "0x9", "confirmed": false}}}')$$),
 ('registry.export_json(text)', $$SELECT registry.export_json('sec-p') #- '{artifacts,Tok,updated_at}'$$),
 ('registry.kv_put(text,text,bytea)', $$SELECT registry.kv_put('sec-p', 'ns/b', '\x03') > 0$$),
 ('registry.kv_get(text,text)', $$SELECT registry.kv_get('sec-p', 'ns/a')$$),
 ('registry.kv_del(text,text)', $$SELECT registry.kv_del('sec-p', 'ns/a')$$),
 ('registry.kv_put_if_absent(text,text,bytea)', $$SELECT registry.kv_put_if_absent('sec-p', 'ns/a', '\x09')$$),
 ('registry.kv_list(text,text,text,integer)', $$SELECT l.key, l.value FROM registry.kv_list('sec-p', 'ns/') AS l$$),
 ('registry.kv_namespaces(text)', $$SELECT * FROM registry.kv_namespaces('sec-p')$$),
 ('registry.kv_orgs()', $$SELECT * FROM registry.kv_orgs()$$),
 ('registry.kv_batch(text,jsonb)', $$SELECT registry.kv_batch('sec-p', '[{"op": "put", "key": "ns/c", "value": "AQ=="}, {"op": "del", "key": "ns/a"}]')$$),
 ('registry.accessible_projects(name,text)', $$SELECT registry.accessible_projects('sec_hostile', 'write')$$),
 ('registry.my_projects(text)', $$SELECT * FROM registry.my_projects()$$),
 ('registry.project_privilege(text,name)', $$SELECT registry.project_privilege('sec-p')$$),
 ('registry.grant_project(text,name,text)', $$SELECT g.project_id, g.role_name, g.privilege FROM registry.grant_project('sec-p', 'sec_hostile', 'admin') AS g$$),
 ('registry.revoke_project(text,name)', $$SELECT registry.revoke_project('sec-p', 'nobody_such')$$),
 ('registry.kv_guard_partition(regclass)', $$SELECT registry.kv_guard_partition('registry.kv_p00')$$),  -- owner only: 42501 either way
 ('registry.put_blob(bytea,boolean)', $$SELECT registry.put_blob('loose bytes')$$),
 ('registry.blob_size(text)', format($$SELECT registry.blob_size(%L)$$, :'sk')),
 ('registry.get_blob(text,bigint,bigint)', format($$SELECT registry.get_blob(%L, 1, 4)$$, :'sk')),
 ('registry.blob_bytes(text)', format($$SELECT registry.blob_bytes(%L)$$, :'sk')),
 ('registry.reclaim_blob(text)', format($$SELECT registry.reclaim_blob(%L)$$, :'sk')),
 ('registry.version_or_raise(bigint)', format($$SELECT (registry.version_or_raise(%s)).semver$$, :s2)),
 ('registry.apply_retention(text,text)', $$SELECT registry.apply_retention('sec-p', 'c')$$),
 ('registry.prune_released(text,bigint)', format($$SELECT registry.prune_released('sec-p', %s)$$, :s1)),
 ('registry.configure_component(text,text,text,text,boolean)', $$SELECT (registry.configure_component('sec-p', 'c', retention_policy => 'keep-last-2')).retention_policy$$),
 ('registry.register(text,text,bytea,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)', format($$SELECT (registry.register('sec-p', 'c', '\x0102'::bytea, parents => ARRAY[%s::bigint])).semver$$, :s2)),
 ('registry.register(text,text,text,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)', $$SELECT (registry.register('sec-p', 'c', 'text body'::text, version => '3.0.0')).semver$$),
 ('registry.get_version(bigint)', format($$SELECT v.semver FROM registry.get_version(%s::bigint) AS v$$, :s2)),
 ('registry.get_version(text,text,text)', $$SELECT v.semver FROM registry.get_version('sec-p', 'c', 'prod') AS v$$),
 ('registry.get_implementation(bigint)', format($$SELECT registry.get_implementation(%s)$$, :s1)),
 ('registry.get_implementation_text(bigint)', format($$SELECT registry.get_implementation_text(%s)$$, :s1)),
 ('registry.set_alias(text,text,text,bigint)', format($$SELECT a.alias FROM registry.set_alias('sec-p', 'c', 'beta', %s) AS a$$, :s3)),
 ('registry.drop_alias(text,text,text)', $$SELECT registry.drop_alias('sec-p', 'c', 'prod')$$),
 ('registry.get_lineage(bigint)', format($$SELECT l.distance, l.semver FROM registry.get_lineage(%s) AS l$$, :s3)),
 ('registry.descendants(bigint)', format($$SELECT d.distance, d.semver FROM registry.descendants(%s) AS d$$, :s1)),
 ('registry.common_ancestor(bigint,bigint)', format($$SELECT registry.common_ancestor(%s, %s) OPERATOR(pg_catalog.=) %s::bigint$$, :s2, :s3, :s1)),
 ('registry.compare_versions(bigint,bigint)', format($$SELECT registry.compare_versions(%s, %s) OPERATOR(pg_catalog.->>) 'diff'$$, :s2, :s3)),
 ('registry.lineage_dot(bigint,integer)', format($$SELECT pg_catalog.length(registry.lineage_dot(%s)) OPERATOR(pg_catalog.>) 0$$, :s1)),
 ('registry.list_versions(text,text,jsonb)', $$SELECT v.semver, v.metadata FROM registry.list_versions('sec-p', 'c', '{"metadata": {"m": 2}}') AS v$$),
 ('registry.search(jsonb)', $$SELECT v.semver FROM registry.search('{"project": "sec-p", "metadata": {"m": 1}, "metrics": {"score": {">=": 1}}, "version": "^1.0"}') AS v$$),
 ('registry.search_sql(jsonb)', $$SELECT (registry.search_sql('{"project": "sec-p", "text": "body"}')).sql$$),
 ('registry.search_condition(jsonb,jsonb,boolean)', $$SELECT (registry.search_condition('{"component": "c"}', '[]', true)).cond$$);
GRANT SELECT ON sec_calls TO PUBLIC;

SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
				 JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
				 JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'registry'
				WHERE p.provolatile <> 'i' AND p.prorettype <> 'pg_catalog.trigger'::regtype
			   EXCEPT SELECT fn::text FROM sec_calls ORDER BY 1),
		  '{}'::text[], 'every STABLE and VOLATILE function of the extension is called');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
				 JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
				 JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'registry'
				 JOIN pg_catalog.pg_language l ON l.oid = p.prolang
				WHERE l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL
				  AND NOT EXISTS (SELECT FROM pg_catalog.unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp')
				ORDER BY 1),
		  '{}'::text[], 'every SQL and PL/pgSQL function is bound at creation (SQL-standard body) or pins its search_path');

-- Each call under search path sp, rolled back; the result (or SQLSTATE) as text.
CREATE FUNCTION pg_temp.run_calls(sp text) RETURNS TABLE (f text, result text)
	LANGUAGE plpgsql AS $$
DECLARE
	c record;
	r text;
	st text;
BEGIN
	FOR c IN SELECT s.fn, s.sql FROM sec_calls AS s ORDER BY s.fn::text LOOP
		BEGIN
			PERFORM pg_catalog.set_config('search_path', sp, true);
			EXECUTE 'SELECT pg_catalog.array_agg(x)::pg_catalog.text FROM (' || c.sql || ') AS x' INTO r;
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, public', true);
			RAISE EXCEPTION USING ERRCODE = 'RG000', MESSAGE = CASE WHEN r IS NULL THEN '<null>' ELSE r END;
		EXCEPTION WHEN OTHERS THEN
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, public', true);
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, r = MESSAGE_TEXT;
			f := c.fn::text;
			result := CASE WHEN st OPERATOR(pg_catalog.=) 'RG000' THEN r ELSE st OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) r END;
			RETURN NEXT;
		END;
	END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.run_calls(text) TO PUBLIC;

SET LOCAL ROLE sec_hostile;
CREATE TEMP TABLE sec_clean AS SELECT * FROM pg_temp.run_calls('pg_catalog, public');

-- the hostile objects, in the hostile role's own schema
CREATE FUNCTION sec_evil.trap(text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_catalog.nextval('public.sec_trace'); END $$;
CREATE FUNCTION sec_evil.eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('= text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR sec_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = sec_evil.eq);
CREATE FUNCTION sec_evil.lt(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('< text'); RETURN $1 OPERATOR(pg_catalog.<) $2; END $$;
CREATE OPERATOR sec_evil.< (LEFTARG = text, RIGHTARG = text, FUNCTION = sec_evil.lt);
CREATE FUNCTION sec_evil.ne(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('<> text'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END $$;
CREATE OPERATOR sec_evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = sec_evil.ne);
CREATE FUNCTION sec_evil.beq(bytea, bytea) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('= bytea'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR sec_evil.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = sec_evil.beq);
CREATE FUNCTION sec_evil.ieq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('= bigint'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR sec_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = sec_evil.ieq);
CREATE FUNCTION sec_evil.lower(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('lower'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION sec_evil.upper(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('upper'); RETURN pg_catalog.upper($1); END $$;
CREATE FUNCTION sec_evil.sha256(bytea) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('sha256'); RETURN pg_catalog.sha256($1); END $$;
CREATE FUNCTION sec_evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('now'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION sec_evil.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('jsonb_build_object'); RETURN pg_catalog.jsonb_build_object($1, $2); END $$;
CREATE FUNCTION sec_evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('jsonb_typeof'); RETURN pg_catalog.jsonb_typeof($1); END $$;
CREATE FUNCTION sec_evil.length(text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('length'); RETURN pg_catalog.length($1); END $$;
CREATE FUNCTION sec_evil.strpos(text, text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('strpos'); RETURN pg_catalog.strpos($1, $2); END $$;
CREATE FUNCTION sec_evil.encode(bytea, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('encode'); RETURN pg_catalog.encode($1, $2); END $$;
CREATE FUNCTION sec_evil.decode(text, text) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('decode'); RETURN pg_catalog.decode($1, $2); END $$;
CREATE FUNCTION sec_evil.lpad(text, integer, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('lpad'); RETURN pg_catalog.lpad($1, $2, $3); END $$;
CREATE FUNCTION sec_evil.format(text, VARIADIC text[]) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('format'); RETURN pg_catalog.format($1, VARIADIC $2); END $$;
CREATE FUNCTION sec_evil.pg_has_role(name, oid, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('pg_has_role'); RETURN true; END $$;
CREATE FUNCTION sec_evil.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sec_evil.trap('current_setting'); RETURN pg_catalog.current_setting($1); END $$;
-- pg_temp shadows: tables named like the extension's (pg_temp is searched
-- first for relations; the operator there must never be found either)
CREATE FUNCTION pg_temp.teq(text, text) RETURNS boolean LANGUAGE sql AS
	$f$ SELECT pg_catalog.nextval('public.sec_trace') IS NULL OR $1 OPERATOR(pg_catalog.=) $2 $f$;
CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.teq);
CREATE TEMP TABLE deployments (LIKE registry.deployments);
CREATE TEMP TABLE artifacts (LIKE registry.artifacts);
CREATE TEMP TABLE kv (LIKE registry.kv);
CREATE TEMP TABLE chunk_artifacts (LIKE registry.chunk_artifacts);
CREATE TEMP TABLE project_grants (LIKE registry.project_grants);
CREATE TEMP TABLE active_chains (LIKE registry.active_chains);

CREATE TEMP TABLE sec_hostile_run AS
	SELECT * FROM pg_temp.run_calls('sec_evil, pg_catalog, public, registry');
RESET ROLE;

SELECT is((SELECT count(*) FROM sec_clean), (SELECT count(*) FROM sec_calls), 'every call ran (clean search path)');
SELECT is(ARRAY(SELECT f || ' -> ' || result FROM sec_clean c
				 WHERE result IS DISTINCT FROM (SELECT h.result FROM sec_hostile_run h WHERE h.f = c.f)
				ORDER BY 1),
		  '{}'::text[], 'every call gives the same result with hostile objects ahead of pg_catalog');
SELECT is((SELECT is_called FROM public.sec_trace), false, 'no hostile object ever ran');

-- control: an unqualified query under that search path does run the traps
SET LOCAL ROLE sec_hostile;
SELECT pg_catalog.set_config('search_path', 'sec_evil, pg_catalog, public', true) \g /dev/null
SELECT lower('X') = 'x' \g /dev/null
RESET ROLE;
RESET search_path;
SELECT ok((SELECT is_called FROM public.sec_trace), 'control: the traps fire for an unqualified query');

SELECT * FROM finish();
ROLLBACK;
