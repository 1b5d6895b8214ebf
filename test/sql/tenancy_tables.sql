-- Row-level security across every table and every public function: role
-- ten_a (write on project ten-a) and role ten_b (write on ten-b) see and
-- change only their own project; ten_none (a registry_writer member with no
-- project) sees nothing.  Tables and functions are enumerated from the
-- catalog, so one added without a policy or without a case here fails.
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(111);

CREATE ROLE ten_a LOGIN;
CREATE ROLE ten_b LOGIN;
CREATE ROLE ten_none LOGIN;
GRANT registry_writer TO ten_none;
SELECT registry.grant_project(p, r, 'write') IS NOT NULL
  FROM (VALUES ('ten-a', 'ten_a'), ('ten-b', 'ten_b')) AS v(p, r) \g /dev/null

-- the project column of each table holding project data
CREATE TEMP TABLE ten_tables AS
SELECT c.oid::regclass AS tab, a.attname AS col
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
	   AND d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'registry')
  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname IN ('project_id', 'org')
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.oid <> 'registry.project_grants'::regclass;
GRANT SELECT ON ten_tables TO PUBLIC;

SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
				 JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_class'::regclass
				  AND d.objid = c.oid AND d.deptype = 'e'
				WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
				  AND c.oid NOT IN (SELECT tab FROM ten_tables) ORDER BY 1),
		  ARRAY['registry.blob_chunks', 'registry.blobs', 'registry.project_grants'],
		  'every table but project_grants and the shared blob tables has a project_id (or org) column');
SELECT is(ARRAY(SELECT tab::text FROM ten_tables t JOIN pg_catalog.pg_class c ON c.oid = t.tab
				WHERE NOT c.relrowsecurity ORDER BY 1),
		  '{}'::text[], 'every project table has row-level security enabled');
SELECT is(ARRAY(SELECT t.tab::text || ' ' || cmd FROM ten_tables t
				CROSS JOIN (VALUES ('r'), ('a'), ('w'), ('d')) AS m(cmd)
				WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_policy p
								   WHERE p.polrelid = t.tab AND p.polcmd = m.cmd AND p.polpermissive)
				ORDER BY 1),
		  '{}'::text[], 'every project table has a read, insert, update and delete policy');
-- a partition is guarded exactly as its parent (kv_put and friends go
-- straight to it): RLS switches, policies and privileges
CREATE FUNCTION pg_temp.guard_of(rel regclass) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' / ', c.relrowsecurity, c.relforcerowsecurity, c.relowner::regrole, c.relacl::text,
					 (SELECT string_agg(concat_ws(' ', p.polname, p.polcmd, p.polpermissive, p.polroles::text,
												  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
												  obj_description(p.oid, 'pg_policy')), ' | ' ORDER BY p.polname)
						FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid))
	  FROM pg_catalog.pg_class c WHERE c.oid = rel
$$;
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class c
				JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid
				WHERE c.relnamespace = 'registry'::regnamespace
				  AND pg_temp.guard_of(c.oid) IS DISTINCT FROM pg_temp.guard_of(i.inhparent)
				ORDER BY 1),
		  '{}'::text[], 'every partition has its parent''s RLS switches, policies (with comments) and privileges');
SELECT ok(pg_temp.guard_of('registry.kv') LIKE '%kv_update w t%', 'and the parent''s guard is what is compared');

-- data of both projects, written as the extension owner
SELECT registry.mark_chunk_freezing(c, '{events,ledgers}', p) IS NOT NULL,
	   registry.flip_chunk_frozen(c, '{events}', p) IS NOT NULL,
	   registry.put_hot_transient(c, p) IS NULL,
	   registry.set_config_pin('config:earliest_ledger', '2', p) IS NOT NULL,
	   registry.set_retention(5, p) IS NOT NULL,
	   registry.put_artifact(p, 'Tok', '[]', '0x6001') IS NOT NULL,
	   registry.deploy('k1', '7', 'Tok', '0xaa' || r, NULL, false, p) IS NOT NULL,
	   registry.set_active_chain('7', p) IS NOT NULL,
	   registry.kv_put(p, 'ns/key', '\x01') IS NOT NULL
  FROM (VALUES ('ten-a', 'a', 3), ('ten-b', 'b', 4)) AS v(p, r, c) \g /dev/null

SELECT registry.set_active_chain('5') IS NOT NULL \g /dev/null
-- versions: a shared implementation (one blob, both projects), one of each
-- project's own, a branch and an alias
SELECT registry.configure_component(p, 'comp', version_strategy => 'semantic') IS NOT NULL,
	   registry.register(p, 'comp', 'impl-shared'::bytea, version => '1.0.0') IS NOT NULL,
	   registry.register(p, 'comp', ('impl-' || r)::bytea, version => '2.0.0') IS NOT NULL
  FROM (VALUES ('ten-a', 'a'), ('ten-b', 'b')) AS v(p, r) \g /dev/null
SELECT (registry.get_version('ten-a', 'comp', '1.0.0')).id AS a0 \gset
SELECT registry.register('ten-a', 'comp', 'impl-a1'::bytea, parents => ARRAY[:a0::bigint], bump => 'minor') IS NOT NULL,
	   registry.register('ten-a', 'comp', 'impl-a2'::bytea, parents => ARRAY[:a0::bigint], bump => 'patch') IS NOT NULL \g /dev/null
SELECT (registry.get_version('ten-b', 'comp', '1.0.0')).id AS b0 \gset
SELECT (registry.register('ten-b', 'comp', 'impl-b1'::bytea, parents => ARRAY[:b0::bigint], bump => 'minor')).id AS b1 \gset
SELECT (registry.register('ten-b', 'comp', 'impl-b2'::bytea, parents => ARRAY[:b0::bigint], bump => 'patch')).id AS b2 \gset
SELECT registry.set_alias(p, 'comp', 'prod', (registry.get_version(p, 'comp', '1.0.0')).id) IS NOT NULL
  FROM (VALUES ('ten-a'), ('ten-b')) AS v(p) \g /dev/null
SELECT registry.blob_key('impl-shared'::bytea) AS k_shared, registry.blob_key('impl-b1'::bytea) AS k_b \gset

-- a digest of every row of project ten-b, to prove nothing changed it
CREATE FUNCTION pg_temp.b_digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t record; d text; acc text := '';
BEGIN
	FOR t IN SELECT * FROM ten_tables ORDER BY tab::text LOOP
		EXECUTE format('SELECT count(*) || md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) FROM %s x WHERE %I = ''ten-b''',
					   t.tab, t.col) INTO d;
		acc := acc || t.tab || ':' || d || ' ';
	END LOOP;
	RETURN md5(acc);
END $$;
SELECT pg_temp.b_digest() AS b_before \gset

-- Per table, as ten_a: rows of ten-b are invisible, ten-a's are there
-- (the global active chain '_' row aside), and every write into ten-b fails.
CREATE FUNCTION pg_temp.table_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	t record; n bigint; own bigint; cols text; vals text; st text;
BEGIN
	FOR t IN SELECT * FROM ten_tables ORDER BY tab::text LOOP
		EXECUTE format('SELECT count(*) FILTER (WHERE %1$I = ''ten-b''), count(*) FILTER (WHERE %1$I = ''ten-a'') FROM %2$s WHERE %1$I <> ''_''',
					   t.col, t.tab) INTO n, own;
		RETURN NEXT t.tab || ' read: ' || n || ' of ten-b, ' || CASE WHEN own > 0 THEN 'some' ELSE 'none' END || ' of ten-a';
		EXECUTE format('WITH u AS (UPDATE %s SET %I = %I WHERE %I = ''ten-b'' RETURNING 1) SELECT count(*) FROM u',
					   t.tab, t.col, t.col, t.col) INTO n;
		RETURN NEXT t.tab || ' update of ten-b: ' || n || ' rows';
		EXECUTE format('WITH u AS (DELETE FROM %s WHERE %I = ''ten-b'' RETURNING 1) SELECT count(*) FROM u',
					   t.tab, t.col) INTO n;
		RETURN NEXT t.tab || ' delete of ten-b: ' || n || ' rows';
		SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
			   string_agg(CASE WHEN a.attname = t.col THEN '''ten-b''' ELSE format('%I', a.attname) END, ', ' ORDER BY a.attnum)
		  INTO cols, vals
		  FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = t.tab AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
		BEGIN
			EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s WHERE %I = ''ten-a'' LIMIT 1',
						   t.tab, cols, vals, t.tab, t.col);
			st := 'no error';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
		END;
		RETURN NEXT t.tab || ' insert into ten-b: ' || st;
		BEGIN
			EXECUTE format('UPDATE %s SET %I = ''ten-b'' WHERE %I = ''ten-a''', t.tab, t.col, t.col);
			st := 'no error';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
		END;
		RETURN NEXT t.tab || ' move a row into ten-b: ' || st;
	END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.table_checks() TO PUBLIC;

SET LOCAL ROLE ten_a;
CREATE TEMP TABLE ten_a_tables AS SELECT * FROM pg_temp.table_checks() AS r;
RESET ROLE;
SELECT is(ARRAY(SELECT r FROM ten_a_tables WHERE r !~ '(: 0 of ten-b, some of ten-a|: 0 rows|: 42501)$'),
		  '{}'::text[], 'as ten_a, every table: no ten-b row read, updated or deleted; inserting or moving into ten-b is 42501');
SELECT is((SELECT count(*) FROM ten_a_tables), (SELECT count(*) * 5 FROM ten_tables), 'five checks ran per table');

SET LOCAL ROLE ten_none;
CREATE TEMP TABLE ten_none_tables AS SELECT * FROM pg_temp.table_checks() AS r;
RESET ROLE;
-- (with no visible row of ten-a there is nothing to copy or move: those two are no-ops)
SELECT is(ARRAY(SELECT r FROM ten_none_tables WHERE r !~ '(: 0 of ten-b, none of ten-a|: 0 rows|into ten-b: no error)$'),
		  '{}'::text[], 'as a registry_writer member without projects, every table reads as empty and writes fail');
SET LOCAL ROLE ten_none;
SELECT is((SELECT count(*) FROM registry.active_chains), 0::bigint, 'not even the global active chain shows to a role without projects');
RESET ROLE;
SET LOCAL ROLE ten_a;
SELECT is((SELECT count(*) FROM registry.active_chains WHERE project_id = '_'),
		  (SELECT count(*) FROM registry.active_chains WHERE project_id = '_'), 'the global active chain row shows to every role with a project');
RESET ROLE;

-- Every public (STABLE or VOLATILE) function, called as ten_a on project ten-b.
CREATE TEMP TABLE ten_called (fn regprocedure);
GRANT INSERT ON ten_called TO PUBLIC;
CREATE FUNCTION pg_temp.called(f text) RETURNS text LANGUAGE sql AS $$
	INSERT INTO ten_called VALUES (f::regprocedure) RETURNING f $$;
GRANT EXECUTE ON FUNCTION pg_temp.called(text) TO PUBLIC;

SET LOCAL ROLE ten_a;
-- chunk catalog: readers see nothing of ten-b; writers fail with 42501 or find nothing
SELECT is(registry.chunk_state(4, 'events', 'ten-b'), NULL, pg_temp.called('registry.chunk_state(bigint,text,text)'));
SELECT is(registry.chunk_state(3, 'events', 'ten-a'), 'frozen', 'chunk_state reads ten-a');
SELECT is(registry.hot_state(4, 'ten-b'), NULL, pg_temp.called('registry.hot_state(bigint,text)'));
SELECT is(registry.config_pin('config:earliest_ledger', 'ten-b'), NULL, pg_temp.called('registry.config_pin(text,text)'));
SELECT is(registry.last_committed_ledger('ten-b'), registry.last_committed_ledger('ten-none-such'), pg_temp.called('registry.last_committed_ledger(text)'));
SELECT is(registry.retention_floor('ten-b'), registry.retention_floor('ten-none-such'), pg_temp.called('registry.retention_floor(text)'));
SELECT is_empty($$SELECT * FROM registry.recovery_keys('ten-b')$$, pg_temp.called('registry.recovery_keys(text)'));
SELECT is_empty($$SELECT * FROM registry.catalog_keys('', 'ten-b')$$, pg_temp.called('registry.catalog_keys(text,text)'));
SELECT isnt_empty($$SELECT * FROM registry.catalog_keys('', 'ten-a')$$, 'catalog_keys lists ten-a');
SELECT throws_ok($$SELECT registry.mark_chunk_freezing(9, '{events}', 'ten-b')$$, '42501', NULL, pg_temp.called('registry.mark_chunk_freezing(bigint,text[],text)'));
SELECT throws_ok($$SELECT registry.flip_chunk_frozen(4, '{ledgers}', 'ten-b')$$, '55000', NULL, pg_temp.called('registry.flip_chunk_frozen(bigint,text[],text)') || ' (no visible freezing key)');
SELECT throws_ok($$SELECT registry.demote_chunk_pruning(4, '{events}', 'ten-b')$$, '55000', NULL, pg_temp.called('registry.demote_chunk_pruning(bigint,text[],text)') || ' (no visible frozen key)');
SELECT throws_ok($$SELECT registry.delete_chunk_key(4, 'events', 'ten-b')$$, '55000', NULL, pg_temp.called('registry.delete_chunk_key(bigint,text,text)') || ' (the hidden key reads as absent)');
SELECT throws_ok($$SELECT registry.put_hot_transient(9, 'ten-b')$$, '42501', NULL, pg_temp.called('registry.put_hot_transient(bigint,text)'));
SELECT throws_ok($$SELECT registry.flip_hot_ready(4, 'ten-b')$$, '55000', NULL, pg_temp.called('registry.flip_hot_ready(bigint,text)') || ' (no visible transient key)');
SELECT throws_ok($$SELECT registry.delete_hot_key(4, 'ten-b')$$, '55000', NULL, pg_temp.called('registry.delete_hot_key(bigint,text)') || ' (the hidden key reads as absent)');
SELECT throws_ok($$SELECT registry.set_config_pin('config:chunks_per_txhash_index', '5', 'ten-b')$$, '42501', NULL, pg_temp.called('registry.set_config_pin(text,text,text)'));
SELECT throws_ok($$SELECT registry.set_retention(1, 'ten-b')$$, '42501', NULL, pg_temp.called('registry.set_retention(bigint,text)'));
-- root locks are advisory locks on object-store roots, not project rows
SELECT is(registry.lock_roots('{/ten-root}'), '{/ten-root}', pg_temp.called('registry.lock_roots(text[])') || ' (no project data)');
SELECT is(registry.held_roots(), '{/ten-root}', pg_temp.called('registry.held_roots()'));
SELECT is(registry.release_roots(), 1, pg_temp.called('registry.release_roots()'));

-- artifacts and deployments
SELECT throws_ok($$SELECT registry.put_artifact('ten-b', 'Tok', '[]', '0x6002')$$, '42501', NULL, pg_temp.called('registry.put_artifact(text,text,jsonb,text,text,jsonb,text,timestamp with time zone)'));
SELECT is((SELECT count(*) FROM registry.get_artifact('ten-b', 'Tok')), 0::bigint, pg_temp.called('registry.get_artifact(text,text)'));
SELECT is((registry.get_artifact('ten-a', 'Tok')).name, 'Tok', 'get_artifact reads ten-a');
SELECT is_empty($$SELECT * FROM registry.list_artifacts('ten-b')$$, pg_temp.called('registry.list_artifacts(text)'));
SELECT is((SELECT array_agg(DISTINCT project_id) FROM registry.list_artifacts()), '{ten-a}', 'list_artifacts() lists only ten-a');
SELECT is_empty($$SELECT * FROM registry.artifact_revisions('ten-b', 'Tok')$$, pg_temp.called('registry.artifact_revisions(text,text)'));
SELECT is(registry.artifact_json('ten-b', 'Tok'), NULL, pg_temp.called('registry.artifact_json(text,text,bytea)'));
SELECT throws_ok($$SELECT registry.deploy('k1', '7', 'Tok', '0xab', NULL, false, 'ten-b')$$, '42501', NULL, pg_temp.called('registry.deploy(text,text,text,text,text,boolean,text)'));
SELECT is((SELECT count(*) FROM registry.get_deployment('k1', '7', 'ten-b')), 0::bigint, pg_temp.called('registry.get_deployment(text,text,text)'));
SELECT is((registry.get_deployment('k1', '7', 'ten-a')).address, '0xaaa', 'get_deployment reads ten-a');
SELECT is_empty($$SELECT * FROM registry.list_deployments('ten-b')$$, pg_temp.called('registry.list_deployments(text,text)'));
SELECT is((SELECT array_agg(DISTINCT project_id) FROM registry.list_deployments()), '{ten-a}', 'list_deployments() lists only ten-a');
SELECT is((SELECT array_agg(DISTINCT project_id) FROM registry.deployments_of_bytecode(sha256('\x6001'::bytea))), '{ten-a}',
		  pg_temp.called('registry.deployments_of_bytecode(bytea)') || ' (the same bytecode in ten-b stays hidden)');
SELECT is((SELECT array_agg(DISTINCT project_id) FROM registry.deployments_of_bytecode('0x6001'::text)), '{ten-a}',
		  pg_temp.called('registry.deployments_of_bytecode(text)'));
SELECT is(registry.active_chain_id('ten-a'), '7', 'active_chain_id reads ten-a''s override');
SELECT is(registry.active_chain_id('ten-b'), '5', pg_temp.called('registry.active_chain_id(text)') || ' (ten-b''s override hidden, the global value shows)');
SELECT throws_ok($$SELECT registry.set_active_chain('8', 'ten-b')$$, '42501', NULL, pg_temp.called('registry.set_active_chain(text,text)'));
SELECT is((SELECT count(*) FROM registry.latest_deployment('ten-b', 'Tok', '7')), 0::bigint, pg_temp.called('registry.latest_deployment(text,text,text,integer)'));
SELECT throws_ok($$SELECT registry.claim_deploy('k2', '7', 'Tok', 'ten-b')$$, '42501', NULL, pg_temp.called('registry.claim_deploy(text,text,text,text,interval)'));
SELECT throws_ok($$SELECT registry.record_broadcast('k1', '7', '0xt', 'ten-b')$$, 'P0002', NULL, pg_temp.called('registry.record_broadcast(text,text,text,text)') || ' (not found)');
SELECT throws_ok($$SELECT registry.confirm_deployment('k1', '7', 'ten-b', '0xbbb')$$, 'P0002', NULL, pg_temp.called('registry.confirm_deployment(text,text,text,text)') || ' (not found)');
SELECT throws_ok($$SELECT registry.import_json('{"artifacts": {}, "deployments": {"k9:7": {"project_id": "ten-b", "idempotency_key": "k9", "chain_id": "7", "contract": "Tok", "address": "0x9", "confirmed": false}}}')$$,
				 '42501', NULL, pg_temp.called('registry.import_json(jsonb)'));
SELECT is(registry.export_json('ten-b') -> 'deployments', registry.export_json('ten-none-such') -> 'deployments', pg_temp.called('registry.export_json(text)'));

-- key/value store: the org is the project
SELECT throws_ok($$SELECT registry.kv_put('ten-b', 'ns/x', '\x02')$$, '42501', NULL, pg_temp.called('registry.kv_put(text,text,bytea)'));
SELECT is(registry.kv_get('ten-b', 'ns/key'), NULL, pg_temp.called('registry.kv_get(text,text)'));
SELECT is(registry.kv_get('ten-a', 'ns/key'), '\x01'::bytea, 'kv_get reads ten-a');
SELECT is(registry.kv_del('ten-b', 'ns/key'), false, pg_temp.called('registry.kv_del(text,text)'));
SELECT throws_ok($$SELECT registry.kv_put_if_absent('ten-b', 'ns/key', '\x03')$$, '42501', NULL, pg_temp.called('registry.kv_put_if_absent(text,text,bytea)'));
SELECT is_empty($$SELECT * FROM registry.kv_list('ten-b', 'ns/')$$, pg_temp.called('registry.kv_list(text,text,text,integer)'));
SELECT is_empty($$SELECT * FROM registry.kv_namespaces('ten-b')$$, pg_temp.called('registry.kv_namespaces(text)'));
SELECT is(ARRAY(SELECT * FROM registry.kv_orgs() AS o WHERE o LIKE 'ten-%'), '{ten-a}', pg_temp.called('registry.kv_orgs()'));
SELECT throws_ok($$SELECT registry.kv_batch('ten-b', '[{"op": "put", "key": "ns/y", "value": "AQ=="}]')$$, '42501', NULL, pg_temp.called('registry.kv_batch(text,jsonb)'));

-- blobs and versions
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; msg text;
BEGIN
	EXECUTE 'SELECT array_agg(x)::text FROM (' || q || ') AS x' INTO r;
	RETURN 'ok ' || coalesce(r, '<none>');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st;
END $$;
SELECT is(registry.blob_size(registry.put_blob('ten-a loose bytes')), NULL,
		  pg_temp.called('registry.put_blob(bytea,boolean)') || ' (a blob no visible version references stays unreadable, even to its writer)');
SELECT is(registry.blob_size(:'k_b'), NULL, pg_temp.called('registry.blob_size(text)') || ' (ten-b''s blob)');
SELECT is(registry.blob_size(:'k_shared'), 11::bigint, 'blob_size reads a blob a ten-a version references (shared with ten-b)');
SELECT throws_ok($$SELECT registry.get_blob('$$ || :'k_b' || $$')$$, 'P0002', NULL, pg_temp.called('registry.get_blob(text,bigint,bigint)') || ' (as if absent)');
SELECT is(registry.blob_bytes(:'k_b'), NULL, pg_temp.called('registry.blob_bytes(text)'));
SELECT is(registry.blob_bytes(:'k_shared'), 'impl-shared'::bytea, 'blob_bytes reads the shared blob');
SELECT is((SELECT count(*) FROM registry.blobs WHERE key = :'k_b'), 0::bigint, 'the blob row of ten-b is invisible in the table');
SELECT is(registry.reclaim_blob(:'k_b'), false, pg_temp.called('registry.reclaim_blob(text)') || ' (ten-b''s versions still reference it, though ten_a cannot see them)');
SELECT is(pg_temp.outcome($$SELECT registry.version_or_raise($$ || :b1 || $$)$$), 'P0002', pg_temp.called('registry.version_or_raise(bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.apply_retention('ten-b', 'comp')$$), 'P0002', pg_temp.called('registry.apply_retention(text,text)'));
SELECT is(registry.prune_released('ten-b', :b1), false, pg_temp.called('registry.prune_released(text,bigint)') || ' (ten-b''s version is invisible: nothing to prune)');
SELECT is(pg_temp.outcome($$SELECT registry.configure_component('ten-b', 'comp', retention_policy => 'keep-last-1')$$), '42501', pg_temp.called('registry.configure_component(text,text,text,text,boolean)'));
SELECT is(pg_temp.outcome($$SELECT registry.register('ten-b', 'comp', '\x01'::bytea)$$), '42501', pg_temp.called('registry.register(text,text,bytea,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)'));
SELECT is(pg_temp.outcome($$SELECT registry.register('ten-b', 'comp', 'x'::text)$$), '42501', pg_temp.called('registry.register(text,text,text,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)'));
SELECT is(pg_temp.outcome($$SELECT registry.register('ten-a', 'comp', 'x'::text, parents => ARRAY[$$ || :b1 || $$::bigint])$$), '22023', 'register cannot take a parent from ten-b');
SELECT is(pg_temp.outcome($$SELECT * FROM registry.get_version($$ || :b1 || $$::bigint)$$), 'ok <none>', pg_temp.called('registry.get_version(bigint)'));
SELECT is(pg_temp.outcome($$SELECT * FROM registry.get_version('ten-b', 'comp', 'prod')$$), 'ok <none>', pg_temp.called('registry.get_version(text,text,text)'));
SELECT is(pg_temp.outcome($$SELECT registry.get_implementation($$ || :b1 || $$)$$), 'P0002', pg_temp.called('registry.get_implementation(bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.get_implementation_text($$ || :b1 || $$)$$), 'P0002', pg_temp.called('registry.get_implementation_text(bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.set_alias('ten-b', 'comp', 'mine', $$ || :b1 || $$)$$), 'P0002', pg_temp.called('registry.set_alias(text,text,text,bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.set_alias('ten-a', 'comp', 'mine', $$ || :b1 || $$)$$), 'P0002', 'set_alias cannot point ten-a''s alias at a ten-b version');
SELECT is(pg_temp.outcome($$SELECT registry.drop_alias('ten-b', 'comp', 'prod')$$), 'ok {(f)}', pg_temp.called('registry.drop_alias(text,text,text)'));
SELECT is(pg_temp.outcome($$SELECT * FROM registry.get_lineage($$ || :b1 || $$)$$), 'P0002', pg_temp.called('registry.get_lineage(bigint)'));
SELECT is(pg_temp.outcome($$SELECT * FROM registry.descendants($$ || :b0 || $$)$$), 'P0002', pg_temp.called('registry.descendants(bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.common_ancestor($$ || :b1 || $$, $$ || :b2 || $$)$$), 'P0002', pg_temp.called('registry.common_ancestor(bigint,bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.compare_versions($$ || :b1 || $$, $$ || :b2 || $$)$$), 'P0002', pg_temp.called('registry.compare_versions(bigint,bigint)'));
SELECT is(pg_temp.outcome($$SELECT registry.lineage_dot($$ || :b0 || $$)$$), 'P0002', pg_temp.called('registry.lineage_dot(bigint,integer)'));
SELECT is(pg_temp.outcome($$SELECT * FROM registry.list_versions('ten-b', 'comp')$$), 'ok <none>', pg_temp.called('registry.list_versions(text,text,jsonb)'));
SELECT is(pg_temp.outcome($$SELECT DISTINCT project_id FROM registry.search('{}')$$), 'ok {(ten-a)}', pg_temp.called('registry.search(jsonb)') || ' (finds only ten-a)');
SELECT isnt((registry.search_sql('{}')).sql, NULL, pg_temp.called('registry.search_sql(jsonb)') || ' (builds text, reads no row)');
SELECT isnt((registry.search_condition('{}', '[]', true)).cond, NULL, pg_temp.called('registry.search_condition(jsonb,jsonb,boolean)') || ' (builds text, reads no row)');

-- the tenancy functions themselves
SELECT is(registry.accessible_projects('ten_a', 'read'), '{ten-a}', pg_temp.called('registry.accessible_projects(name,text)'));
SELECT is(ARRAY(SELECT * FROM registry.my_projects()), '{ten-a}', pg_temp.called('registry.my_projects(text)'));
SELECT is(registry.project_privilege('ten-b'), NULL, pg_temp.called('registry.project_privilege(text,name)'));
SELECT throws_ok($$SELECT registry.grant_project('ten-b', 'ten_a', 'admin')$$, '42501', NULL, pg_temp.called('registry.grant_project(text,name,text)'));
SELECT throws_ok($$SELECT registry.revoke_project('ten-b', 'ten_b')$$, '42501', NULL, pg_temp.called('registry.revoke_project(text,name)'));
SELECT throws_ok($$SELECT registry.kv_guard_partition('registry.kv_p00')$$, '42501', NULL, pg_temp.called('registry.kv_guard_partition(regclass)') || ' (the owner''s alone)');
SELECT is((SELECT count(*) FROM registry.project_grants WHERE project_id = 'ten-b'), 0::bigint, 'ten_a sees no grant of ten-b');
RESET ROLE;

SELECT is(pg_temp.b_digest(), :'b_before', 'every row of ten-b is unchanged after all of ten_a''s attempts');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
				 JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
				 JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'registry'
				WHERE p.provolatile <> 'i' AND p.prorettype <> 'pg_catalog.trigger'::regtype
			   EXCEPT SELECT fn::text FROM ten_called ORDER BY 1),
		  '{}'::text[], 'every STABLE and VOLATILE function of the extension was called as ten_a on ten-b');

-- ten_b sees its own project and nothing of ten-a, through a few readers
SET LOCAL ROLE ten_b;
SELECT is((registry.get_deployment('k1', '7', 'ten-b')).address, '0xaab', 'ten_b reads its own deployment');
SELECT is((SELECT count(*) FROM registry.get_deployment('k1', '7', 'ten-a')), 0::bigint, 'and not ten-a''s');
SELECT is(registry.kv_get('ten-a', 'ns/key'), NULL, 'nor ten-a''s keys');
RESET ROLE;

-- a role with no group role at all can call nothing
CREATE ROLE ten_nobody LOGIN;
SET LOCAL ROLE ten_nobody;
SELECT throws_ok($$SELECT * FROM registry.deployments$$, '42501', NULL, 'a role without a group role cannot read a table');
SELECT throws_ok($$SELECT registry.kv_get('ten-a', 'ns/key')$$, '42501', NULL, 'nor call a reader');
SELECT throws_ok($$SELECT registry.deploy('k1', '7', 'Tok', '0xaaa', NULL, false, 'ten-a')$$, '42501', NULL, 'nor a writer');
RESET ROLE;

-- revoking takes the project away
SELECT ok(registry.revoke_project('ten-a', 'ten_a'), 'revoke_project');
SET LOCAL ROLE ten_a;
SELECT throws_ok($$SELECT registry.kv_get('ten-a', 'ns/key')$$, '42501', NULL, 'after the last revoke ten_a has no group role left');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
