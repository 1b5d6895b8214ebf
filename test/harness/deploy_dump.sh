#!/usr/bin/env bash
# pg_dump round trip of the artifacts and deployments tables: they are
# config-dumped extension tables, so a dump of a database with the extension
# restores its user data (in foreign-key order) into a fresh database.
# Ends with "N passed, N failed".
set -uo pipefail
PGBIN=${REGISTRY_PGBIN:-$(dirname "$(command -v pg_dump)")}
REPO=${REGISTRY_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
SRC=deploy_dump_src
DST=deploy_dump_dst
PASS=0
FAIL=0
check() {
	if [ "$2" = "$3" ]; then PASS=$((PASS + 1)); echo "ok - $1"
	else FAIL=$((FAIL + 1)); echo "not ok - $1 (expected '$2', got '$3')"; fi
}
psqlq() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	psqlq -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
psqlq -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" \
	-c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" 2>/dev/null

psqlq -d "$SRC" -v doc="$(cat "$REPO/test/registry.json")" >/dev/null <<'SQL'
CREATE EXTENSION registry;
SELECT registry.import_json(:'doc');
SELECT registry.put_artifact('demo-dapp', 'Counter', '[]', '0x6099');
SELECT registry.claim_deploy('in-flight', '5', 'Counter', 'demo-dapp');
SELECT registry.set_active_chain('31337', 'demo-dapp');
SQL
check "source database loaded" "4" "$(psqlq -d "$SRC" -c "SELECT count(*) FROM registry.deployments WHERE address IS NOT NULL")"

"$PGBIN/pg_dump" -Fc -f "$tmp/dump" "$SRC" 2>"$tmp/dump.err"
check "pg_dump succeeds" "0" "$?"
"$PGBIN/pg_restore" -d "$DST" "$tmp/dump" 2>"$tmp/restore.err"
check "pg_restore succeeds without errors" "0" "$?"
[ -s "$tmp/restore.err" ] && head -5 "$tmp/restore.err"

q="SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
     SELECT format('%s', d) AS x FROM registry.deployments AS d
     UNION ALL SELECT format('%s', r) FROM registry.artifact_revisions AS r
     UNION ALL SELECT format('%s', a) FROM registry.artifacts AS a
     UNION ALL SELECT format('%s', c) FROM registry.active_chains AS c) s"
src_sum=$(psqlq -d "$SRC" -c "$q")
check "the source checksum is computed" "32" "${#src_sum}"
check "every row of the four tables survives" "$src_sum" "$(psqlq -d "$DST" -c "$q")"
src_doc=$(psqlq -d "$SRC" -c "SELECT registry.export_json('demo-dapp')")
check "the source export has the demo-dapp deployments" "3" "$(psqlq -d "$SRC" -c "SELECT count(*) FROM jsonb_object_keys(registry.export_json('demo-dapp') -> 'deployments')")"
check "export_json is the same" "$src_doc" "$(psqlq -d "$DST" -c "SELECT registry.export_json('demo-dapp')")"
check "the id sequence continues after the restored rows" "t" \
	"$(psqlq -d "$DST" -c "SELECT nextval('registry.deployments_id_seq') > max(id) FROM registry.deployments")"
check "the restored claim is still pending" "pending" \
	"$(psqlq -d "$DST" -c "SELECT state FROM registry.get_deployment('in-flight', '5', 'demo-dapp')")"
check "deploy works on the restored data (replay)" "confirmed" \
	"$(psqlq -d "$DST" -c "SELECT state FROM registry.deploy('counter-v1', '11155111', 'Counter', '0x5FbDB2315678afecb367f032d93F642f64180aa3', NULL, false, 'demo-dapp')")"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
