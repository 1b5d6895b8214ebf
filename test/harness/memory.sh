#!/usr/bin/env bash
# Memory harness (issue #7): one session calls every C function of the
# extension N times (REGISTRY_TEST_MODE=ci: 100,000 each; release: 1,000,000
# each; MEMORY_CALLS overrides) and its backend's footprint must stay flat:
# after a warm-up round (caches, plans), for each function the sum of
# total_bytes over pg_backend_memory_contexts and the backend's RssAnon (from
# /proc/self/status, read by the backend itself) are taken before and after
# its N calls.  Bounds: memory contexts grow by at most 64 kB per function
# and 1 MB over the whole run; RssAnon by at most 16 MB over the whole run
# (malloc keeps freed arenas, so RSS is the coarser of the two).  Every C
# function must have a row (coverage from the catalog; functions taking
# `internal` are reached through their callers: semver_sortsupport by an
# ORDER BY, semver_recv by a binary COPY round trip).
# Ends with "N passed, N failed".
set -uo pipefail
MODE=${REGISTRY_TEST_MODE:-ci}
if [ -n "${MEMORY_CALLS:-}" ]; then N=$MEMORY_CALLS
elif [ "$MODE" = release ]; then N=1000000
else N=100000; fi
DB=relinput_mem
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
bad() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }
tmp=$(mktemp -d)
chmod 777 "$tmp"
trap 'rm -rf "$tmp"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS relinput_mem_role" >/dev/null 2>&1' EXIT
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
	-c "CREATE DATABASE $DB" >/dev/null || exit 1
psql -X -q -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION registry CASCADE" >/dev/null || exit 1
# a role to grant and regrant a project to (the same privilege, so its role
# memberships stay put): each grant fires the statement trigger that drops
# the accessible_projects cache, and the next call fills it again
psql -X -q -d postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'relinput_mem_role') THEN CREATE ROLE relinput_mem_role; END IF; END \$\$" >/dev/null || exit 1

# function signature | expression of i (1..N) calling it
cat >"$tmp/calls" <<'CALLS'
registry.version()|registry.version()
registry.valid_project_id(text)|registry.valid_project_id('p' || i)
registry.check_project_id(text)|registry.check_project_id('p' || i)
registry.chunk_for_ledger(bigint)|registry.chunk_for_ledger(i + 2)
registry.chunk_first_ledger(bigint)|registry.chunk_first_ledger(i)
registry.chunk_last_ledger(bigint)|registry.chunk_last_ledger(i)
registry.last_complete_chunk_at(bigint)|registry.last_complete_chunk_at(i + 2)
registry.effective_retention_floor(bigint,bigint,bigint)|registry.effective_retention_floor(i::bigint * 10000, 2, 2)
registry.chunk_below_floor(bigint,bigint)|registry.chunk_below_floor(i, 100000)
registry.chunk_id_text(bigint)|registry.chunk_id_text(i)
registry.chunk_bucket(bigint)|registry.chunk_bucket(i)
registry.valid_chunk_kind(text)|registry.valid_chunk_kind(CASE WHEN i % 2 = 0 THEN 'ledgers' ELSE 'x' || i END)
registry.chunk_key(bigint,text)|registry.chunk_key(i, 'events')
registry.hot_chunk_key(bigint)|registry.hot_chunk_key(i)
registry.parse_chunk_id(text)|registry.parse_chunk_id(lpad(i::text, 8, '0'))
registry.parse_chunk_key(text)|registry.parse_chunk_key('chunk:' || lpad(i::text, 8, '0') || ':txhash')
registry.parse_hot_chunk_key(text)|registry.parse_hot_chunk_key('hot:chunk:' || lpad(i::text, 8, '0'))
registry.normalize_root(text)|registry.normalize_root('/data//x/./' || i || '/')
registry.lock_roots(text[])|registry.lock_roots(ARRAY['/mem/a', '/mem/b'])
registry.held_roots()|registry.held_roots()
registry.release_roots()|registry.release_roots()
registry.decode_hex(text,text)|registry.decode_hex('0x' || lpad(to_hex(i), 8, '0'), 'hex')
registry.check_deployment_key(text,text,text)|registry.check_deployment_key('k' || i, '1', 'memp')
registry.check_chain_id(text)|registry.check_chain_id((i % 1000)::text)
registry.check_deploy_field(text,text)|registry.check_deploy_field('v' || i, 'contract')
registry.deployment_row_ok(text,text,text,text,text,text,boolean)|registry.deployment_row_ok('p' || (i % 50), 'k' || i, (i % 9)::text, 'C', CASE WHEN i % 2 = 0 THEN '0x' || i END, CASE WHEN i % 3 = 0 THEN '0xt' || i END, i % 4 = 0)
registry.deploy(text,text,text,text,text,boolean,text)|registry.deploy('k' || (i % 5000), '1', 'C', '0x' || (i % 5000), NULL, false, 'memp')
registry.semver_in(cstring)|registry.semver_in(('1.2.' || i || '-rc.' || i)::cstring)
registry.semver_out(registry.semver)|registry.semver_out(('1.2.' || i || '+b' || i)::registry.semver)
registry.semver_send(registry.semver)|registry.semver_send(('1.2.' || i)::registry.semver)
registry.semver_recv(internal)|(SELECT 1)
registry.semver_sortsupport(internal)|(SELECT 1)
registry.to_semver(text)|registry.to_semver('v1.2.' || i)
registry.semver_cmp(registry.semver,registry.semver)|registry.semver_cmp(('1.2.' || i)::registry.semver, '1.2.3-a.b'::registry.semver)
registry.semver_eq(registry.semver,registry.semver)|registry.semver_eq(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_ne(registry.semver,registry.semver)|registry.semver_ne(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_lt(registry.semver,registry.semver)|registry.semver_lt(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_le(registry.semver,registry.semver)|registry.semver_le(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_gt(registry.semver,registry.semver)|registry.semver_gt(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_ge(registry.semver,registry.semver)|registry.semver_ge(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_hash(registry.semver)|registry.semver_hash(('1.2.' || i || '-x')::registry.semver)
registry.semver_hash_extended(registry.semver,bigint)|registry.semver_hash_extended(('1.2.' || i)::registry.semver, i)
registry.semver_cmp_build(registry.semver,registry.semver)|registry.semver_cmp_build(('1.2.3+' || i)::registry.semver, '1.2.3+b'::registry.semver)
registry.semver_smaller(registry.semver,registry.semver)|registry.semver_smaller(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_larger(registry.semver,registry.semver)|registry.semver_larger(('1.2.' || i)::registry.semver, '1.2.3'::registry.semver)
registry.semver_major(registry.semver)|registry.semver_major((i || '.0.0')::registry.semver)
registry.semver_minor(registry.semver)|registry.semver_minor(('0.' || i || '.0')::registry.semver)
registry.semver_patch(registry.semver)|registry.semver_patch(('0.0.' || i)::registry.semver)
registry.semver_prerelease(registry.semver)|registry.semver_prerelease(('0.0.1-rc.' || i)::registry.semver)
registry.semver_build(registry.semver)|registry.semver_build(('0.0.1+b.' || i)::registry.semver)
registry.semver_bump(registry.semver,text)|registry.semver_bump(('1.2.' || i)::registry.semver, 'minor')
registry.version_cmp(text,text)|registry.version_cmp('1.2.' || i, '1.10.0')
registry.satisfies(registry.semver,text)|registry.satisfies(('1.2.' || i)::registry.semver, '^1.2.3 || >=2.0.0 <3.0.0-0')
registry.max_satisfying(registry.semver[],text)|registry.max_satisfying(ARRAY[('1.2.' || i)::registry.semver, '1.3.0'::registry.semver], '~1.2')
registry.ns_from_key(text)|registry.ns_from_key('wf/ns' || (i % 7) || '/w' || i || '/r')
registry.split_prefix(text)|registry.split_prefix('wfh/ns/w' || i || '/')
registry.kv_prefix_lo(text)|registry.kv_prefix_lo('wf/ns/w' || i)
registry.kv_prefix_hi(text)|registry.kv_prefix_hi('wf/ns/w' || i)
registry.kv_key_namespace(text)|registry.kv_key_namespace('sc/ns' || (i % 7) || '/s' || i)
registry.kv_row_ok(text,text,text)|registry.kv_row_ok('o' || (i % 50), 'ns' || (i % 7), 'sc/ns' || (i % 7) || '/s' || i)
registry.kv_org(text)|registry.kv_org('org' || (i % 3))
registry.kv_check_limit(integer)|registry.kv_check_limit(i)
registry.kv_put(text,text,bytea)|registry.kv_put('memo' || (i % 40), 'wf/ns/w' || (i % 5000) || '/r', int4send(i)) + pg_temp.kv_touch(i)
registry.kv_get(text,text)|registry.kv_get('memo', 'wf/ns/w' || (i % 6000) || '/r')
registry.kv_put_if_absent(text,text,bytea)|registry.kv_put_if_absent('memo', 'sc/ns/s' || (i % 5000), int4send(i))
registry.kv_del(text,text)|registry.kv_del('memo', 'sc/ns/s' || i)
registry.kv_namespaces(text)|(SELECT count(*) FROM registry.kv_namespaces('memo'))
registry.blob_key(bytea)|registry.blob_key(int4send(i))
registry.valid_blob_key(text)|registry.valid_blob_key(registry.blob_key(int4send(i)))
registry.check_blob_key(text)|registry.check_blob_key(registry.blob_key(int4send(i)))
registry.blob_shard(text)|registry.blob_shard('ciq' || lpad(i::text, 52, 'a'))
registry.unified_diff(bytea,bytea,text,text,integer)|registry.unified_diff(convert_to('a' || chr(10) || i || chr(10) || 'c' || chr(10), 'UTF8'), convert_to('a' || chr(10) || (i + 1) || chr(10) || 'c' || chr(10), 'UTF8'), 'a', 'b', 3)
registry.accessible_projects(name,text)|registry.accessible_projects(current_user, (ARRAY['read', 'write', 'admin'])[1 + i % 3])
registry.descendants(bigint)|(SELECT count(*) FROM registry.descendants((SELECT t.ids[1 + (i * 67) % 200] FROM tree_ids AS t)))
registry.version_row_ok(text,bigint,bigint[],bigint,text,bigint,jsonb,jsonb,text,integer,integer)|registry.version_row_ok('p' || (i % 50), i, ARRAY[i, i + 1], CASE WHEN i % 3 > 0 THEN i END, registry.blob_key(int4send(i % 100)), i % 1000, jsonb_build_object('i', i), CASE WHEN i % 5 = 0 THEN '[]' ELSE '{}' END::jsonb, 's' || (i % 70), i % 9, i % 11)
registry.register(text,text,bytea,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)|registry.register('memr', 'b' || (i % 50), decode(lpad(to_hex(i), 8, '0'), 'hex'), metrics => '{"score": 1}')
registry.register(text,text,text,jsonb,bigint[],registry.semver,text,jsonb,jsonb,text)|registry.register('memr', 't' || (i % 50), 'v' || i, '{"k": 1}', status => 'candidate')
registry.artifacts_changed()|(CASE WHEN i % 100 = 1 THEN (SELECT string_agg((registry.put_artifact('mema', 'C' || j, '[]', '0x60' || lpad(to_hex((i + j) % 256), 2, '0'))).name, '') FROM generate_series(1, 7) AS j) ELSE '' END) || (registry.deploy('a' || i, '1', 'C' || (i % 3000), '0x' || i, NULL, false, 'mema')).state
registry.project_grants_changed()|(registry.grant_project('memo', 'relinput_mem_role', 'read')).privilege || cardinality(registry.accessible_projects('relinput_mem_role', 'read'))
CALLS

# Coverage: every C function of the extension has a row.
missing=$(psql -X -At -d "$DB" -c "
	SELECT string_agg(p.oid::regprocedure::text, ', ')
	  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.classid = 'pg_catalog.pg_proc'::regclass
	  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
	 WHERE d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'registry') AND d.deptype = 'e'
	   AND l.lanname = 'c'
	   AND p.oid::regprocedure::text NOT IN ($(cut -d'|' -f1 "$tmp/calls" | sed "s/.*/'&'/" | paste -sd,))")
nc=$(wc -l <"$tmp/calls")
if [ -z "$missing" ]; then ok "every C function of the extension is called ($nc)"; else bad "C functions without a memory row: $missing"; fi

# Memory contexts are summed without "WAL record construction": the server
# keeps that one for the backend's life, sized by the largest WAL record it
# has built (a GIN pending-list flush, an index split), so it steps up by up
# to 100 kB whenever such a record first happens, whoever caused it.
#
# The session: one psql, one backend.  Pure functions and readers: N calls in
# one statement; writers (deploy, kv_put, kv_put_if_absent, kv_del) and
# descendants: N statements in a DO loop committing every 10,000 (the
# writers' keys cycle through 5,000 values, so the tables stay small).
# Each function is called once before its measurement: a first call fills
# caches for the backend's life (its kept plans, and the relcache entries of
# the tables they name: kv_namespaces' generic plan opens all 16 kv
# partitions, about 250 kB, the first time), which is not growth per call.
{
	cat <<SQL
SET client_min_messages = warning;
CREATE TEMP TABLE mem (fn text, ctx0 bigint, ctx1 bigint, rss0 bigint, rss1 bigint, secs numeric);
CREATE FUNCTION pg_temp.ctx() RETURNS bigint LANGUAGE sql AS
	\$\$ SELECT sum(total_bytes)::bigint FROM pg_catalog.pg_backend_memory_contexts
	     WHERE name <> 'WAL record construction' \$\$;
CREATE FUNCTION pg_temp.rss() RETURNS bigint LANGUAGE sql AS
	\$\$ SELECT (regexp_match(pg_catalog.pg_read_file('/proc/self/status'), 'RssAnon:\\s+(\\d+) kB'))[1]::bigint * 1024 \$\$;
-- kv_put keeps plans per partition and drops them all when a relcache
-- invalidation names one in use: every 50th call touches a partition (a
-- GRANT that changes nothing still rewrites its pg_class row)
CREATE FUNCTION pg_temp.kv_touch(i int) RETURNS bigint LANGUAGE plpgsql AS \$\$
BEGIN
	IF i % 50 = 0 THEN
		EXECUTE pg_catalog.format('GRANT SELECT ON registry.kv_p%s TO registry_reader',
								  pg_catalog.lpad(((i / 50) % 16)::text, 2, '0'));
	END IF;
	RETURN 0;
END \$\$;
SQL
	# a 200-version tree for registry.descendants: big subtrees are read by
	# a component scan, small ones chain by chain
	cat <<'SQL'
DO $$
DECLARE ids bigint[] := '{}'; p bigint;
BEGIN
	FOR i IN 1..200 LOOP
		p := CASE WHEN i = 1 THEN NULL WHEN i % 5 = 0 THEN ids[1 + (i * 7) % cardinality(ids)]
		          ELSE ids[cardinality(ids)] END;
		ids := ids || (registry.register('memo', 'tree', 'v' || i,
		                                 parents => CASE WHEN p IS NULL THEN NULL ELSE ARRAY[p] END)).id;
	END LOOP;
END $$;
CREATE TEMP TABLE tree_ids AS
	SELECT array_agg(v.id ORDER BY v.id) AS ids FROM registry.versions AS v WHERE v.component = 'tree';
SQL
	# register makes its plans again, and has PostgreSQL's cached plans over
	# its tables made again, each time registry.versions has doubled, up to
	# 1,024 pages (8 MB): those rebuilds move the caches by a block now and
	# then, so the table is taken past that size before anything is measured
	cat <<'SQL'
DO $$ BEGIN FOR i IN 1..50000 LOOP PERFORM registry.register('memw', 'w' || (i % 50), 'w' || i); IF i % 10000 = 0 THEN COMMIT; END IF; END LOOP; END $$;
DO $$ BEGIN IF pg_catalog.pg_relation_size('registry.versions') < 1024 * 8192 THEN RAISE EXCEPTION 'the warm-up left registry.versions under 8 MB'; END IF; END $$;
SQL
	# warm-up: every call a few times, with the binary COPY and the sort
	while IFS='|' read -r fn expr; do
		echo "SELECT count($expr) FROM generate_series(1, 3) AS i;"
	done <"$tmp/calls"
	echo "SELECT registry.release_roots();"
	# (a temp table would fill the session's local buffers as it grows: sv is unlogged)
	cat <<SQL
CREATE UNLOGGED TABLE sv (v registry.semver);
INSERT INTO sv SELECT ('1.2.' || i)::registry.semver FROM generate_series(1, 1000) AS i;
COPY sv TO '$tmp/sv.bin' (FORMAT binary);
TRUNCATE sv;
COPY sv FROM '$tmp/sv.bin' (FORMAT binary);
TRUNCATE sv;
INSERT INTO mem VALUES ('warm-up');
DELETE FROM mem;
SQL
	echo "SELECT pg_temp.ctx() AS c0, pg_temp.rss() AS r0 \\gset"
	while IFS='|' read -r fn expr; do
		case "$fn" in
		'registry.semver_recv(internal)')
			# binary COPY out and in: semver_send / semver_recv per row
			cat <<SQL
SELECT pg_temp.ctx() AS a, pg_temp.rss() AS b, clock_timestamp() AS t \\gset
TRUNCATE sv;
INSERT INTO sv SELECT ('1.2.' || i || '-rc.' || i)::registry.semver FROM generate_series(1, $N) AS i;
COPY sv TO '$tmp/sv.bin' (FORMAT binary);
TRUNCATE sv;
COPY sv FROM '$tmp/sv.bin' (FORMAT binary);
SELECT pg_temp.ctx() AS c, pg_temp.rss() AS r, extract(epoch FROM clock_timestamp() - :'t') AS s \\gset
INSERT INTO mem VALUES ('$fn', :a, :c, :b, :r, :s);
TRUNCATE sv;
SQL
			;;
		'registry.semver_sortsupport(internal)')
			cat <<SQL
SELECT pg_temp.ctx() AS a, pg_temp.rss() AS b, clock_timestamp() AS t \\gset
SELECT count(*) FROM (SELECT ('1.' || (i % 97) || '.' || i || '-rc.' || (i % 13))::registry.semver AS v
                        FROM generate_series(1, $N) AS i ORDER BY 1) AS s;
SELECT pg_temp.ctx() AS c, pg_temp.rss() AS r, extract(epoch FROM clock_timestamp() - :'t') AS s \\gset
INSERT INTO mem VALUES ('$fn', :a, :c, :b, :r, :s);
SQL
			;;
		registry.deploy\(*|registry.kv_put\(*|registry.kv_put_if_absent\(*|registry.kv_del\(*|registry.project_grants_changed\(*|registry.artifacts_changed\(*|registry.descendants\(*|registry.register\(*)
			# writers: one call per statement, a commit every 10,000 calls.
			# descendants too: a set-returning function in a correlated
			# subquery is rescanned per outer row, and the executor keeps
			# about 1 kB of each rescan until the statement ends (the 0.3.0
			# PL/pgSQL descendants grew the same, 24 MB over 20,000 calls)
			cat <<SQL
DO \$\$ BEGIN FOR i IN 1..1 LOOP PERFORM $expr; END LOOP; END \$\$;
SELECT pg_temp.ctx() AS a, pg_temp.rss() AS b, clock_timestamp() AS t \\gset
DO \$\$ BEGIN FOR i IN 1..$N LOOP PERFORM $expr; IF i % 10000 = 0 THEN COMMIT; END IF; END LOOP; END \$\$;
SELECT pg_temp.ctx() AS c, pg_temp.rss() AS r, extract(epoch FROM clock_timestamp() - :'t') AS s \\gset
INSERT INTO mem VALUES ('$fn', :a, :c, :b, :r, :s);
SQL
			;;
		*)
			cat <<SQL
SELECT count($expr) FROM generate_series(1, 1) AS i;
SELECT registry.release_roots();
SELECT pg_temp.ctx() AS a, pg_temp.rss() AS b, clock_timestamp() AS t \\gset
SELECT count($expr) FROM generate_series(1, $N) AS i;
SELECT registry.release_roots();
SELECT pg_temp.ctx() AS c, pg_temp.rss() AS r, extract(epoch FROM clock_timestamp() - :'t') AS s \\gset
INSERT INTO mem VALUES ('$fn', :a, :c, :b, :r, :s);
SQL
			;;
		esac
	done <"$tmp/calls"
	echo "\\copy (SELECT fn, ctx1 - ctx0, rss1 - rss0, secs FROM mem) TO '$tmp/per_fn'"
	echo "CREATE TEMP TABLE total AS SELECT :c0::bigint AS c0, pg_temp.ctx() AS c1, :r0::bigint AS r0, pg_temp.rss() AS r1, pg_backend_pid() AS pid;"
	echo "\\copy total TO '$tmp/total'"
} >"$tmp/session.sql"
start=$(date +%s)
if ! psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -f "$tmp/session.sql" >"$tmp/out" 2>"$tmp/err"; then
	head -5 "$tmp/err"; tail -3 "$tmp/out"
	bad "the session made every call"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
secs=$(($(date +%s) - start))
ok "one session made $N calls of each of the $nc C functions (${secs}s)"

# Per function: memory contexts grow by at most 64 kB.
sort -t$'\t' -k2,2n "$tmp/per_fn" | tail -4 | sed "s/^/# /"
awk -F'\t' '$2 > 65536 { printf "  %s: contexts +%d bytes, RssAnon %+d bytes\n", $1, $2, $3 }' "$tmp/per_fn" >"$tmp/grew"
if [ -s "$tmp/grew" ]; then
	cat "$tmp/grew"
	bad "no function grows the backend's memory contexts by more than 64 kB over $N calls"
else
	maxfn=$(sort -t$'\t' -k2,2n "$tmp/per_fn" | tail -1 | awk -F'\t' '{ printf "%s %+d bytes", $1, $2 }')
	ok "no function grows the backend's memory contexts by more than 64 kB over $N calls (largest: $maxfn)"
fi
sort -t$'\t' -k3,3n "$tmp/per_fn" | tail -3 | awk -F'\t' '{ printf "# RssAnon %+d bytes over %s\n", $3, $1 }'
read -r c0 c1 r0 r1 pid <"$tmp/total"
dc=$((c1 - c0))
dr=$((r1 - r0))
echo "# backend $pid: memory contexts $c0 -> $c1 bytes ($dc), RssAnon $r0 -> $r1 bytes ($dr)"
if [ "$dc" -le 1048576 ]; then ok "memory contexts over the whole run: ${dc} bytes (bound 1 MB)"; else bad "memory contexts grew by ${dc} bytes over the whole run (bound 1 MB)"; fi
if [ "$dr" -le 16777216 ]; then ok "RssAnon over the whole run: ${dr} bytes (bound 16 MB)"; else bad "RssAnon grew by ${dr} bytes over the whole run (bound 16 MB)"; fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
