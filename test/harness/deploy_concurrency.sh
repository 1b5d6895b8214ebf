#!/usr/bin/env bash
# Concurrency harness for registry.deploy and registry.claim_deploy.
#
# 8 pgbench clients against one database on the test cluster:
#   A. fresh keys raced by all clients at once (same payload): one row per
#      key, no failed transaction, every call returns the expected row;
#   B. a random mix over a few hundred shared keys, replays and merges
#      (tx hash filled, confirmed false -> true): every returned row agrees
#      with what the call knows, and the stored row is the merged truth;
#   C. the same key raced with different addresses: exactly one call per
#      key succeeds, the others get 23505, and the winner's address is stored;
#   D. claim_deploy raced by all clients: exactly one claimed = true per key.
# Ends with "N passed, N failed".  Runs in well under 90 s in ci mode.
set -uo pipefail

MODE=${REGISTRY_TEST_MODE:-ci}
PGBIN=${REGISTRY_PGBIN:-$(dirname "$(command -v pgbench)")}
DB=deploy_harness
CLIENTS=8
if [ "$MODE" = release ]; then
	KEYS=2000; TX_A=2000; TX_B=5000; TX_C=1000; TX_D=2000
else
	KEYS=300; TX_A=300; TX_B=1000; TX_C=200; TX_D=300
fi

PASS=0
FAIL=0
check() {
	# check "description" "expected" "actual"
	if [ "$2" = "$3" ]; then
		PASS=$((PASS + 1)); echo "ok - $1"
	else
		FAIL=$((FAIL + 1)); echo "not ok - $1 (expected '$2', got '$3')"
	fi
}
q() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null || {
	echo "cannot create database $DB"; echo "0 passed, 1 failed"; exit 1; }
trap '"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1' EXIT
q "CREATE EXTENSION registry" || { echo "0 passed, 1 failed"; exit 1; }
q "CREATE SEQUENCE seq_a; CREATE SEQUENCE seq_c; CREATE SEQUENCE seq_d;
   CREATE TABLE log_c (k bigint, client int, outcome text, address text);
   CREATE TABLE log_d (k bigint, claimed boolean);
   CREATE FUNCTION must(ok boolean, what text) RETURNS int LANGUAGE plpgsql AS \$\$
   BEGIN
     IF ok IS NOT TRUE THEN RAISE EXCEPTION 'check failed: %', what; END IF;
     RETURN 1;
   END \$\$;
   CREATE FUNCTION try_deploy(k bigint, client int) RETURNS void LANGUAGE plpgsql AS \$\$
   DECLARE a text := '0xc' || client;
   BEGIN
     PERFORM registry.deploy('c' || k, '1', 'Token', a, NULL, false, 'harness');
     INSERT INTO log_c VALUES (k, client, 'ok', a);
   EXCEPTION WHEN unique_violation THEN
     INSERT INTO log_c VALUES (k, client, 'conflict', a);
   END \$\$;"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1' EXIT

run_bench() {
	# run_bench name script transactions-per-client
	local out rc
	out=$("$PGBIN/pgbench" -n -c "$CLIENTS" -j "$CLIENTS" -t "$3" -f "$2" -D keys="$KEYS" "$DB" 2>&1)
	rc=$?
	local done_tx
	done_tx=$(printf '%s\n' "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	check "$1: pgbench exits cleanly" 0 "$rc"
	check "$1: all $((CLIENTS * $3)) transactions succeed" "$((CLIENTS * $3))/$((CLIENTS * $3))" "${done_tx:-0}/$((CLIENTS * $3))"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out" | grep -i 'error\|abort' | head -5
}

# A: fresh keys, each raced by all clients at once with the same payload.
cat >"$tmp/a.sql" <<'SQL'
SELECT must(d.address = '0x' || md5(d.idempotency_key) AND d.contract = 'Token', 'returned row ' || d::text)
  FROM (SELECT 'a' || (nextval('seq_a') / 8) AS k) AS s,
       registry.deploy(s.k, '1', 'Token', '0x' || md5(s.k), NULL, false, 'harness') AS d;
SQL
run_bench "A fresh-key race" "$tmp/a.sql" "$TX_A"
check "A: exactly one row per key" "0" "$(q "SELECT count(*) FROM (SELECT idempotency_key FROM registry.deployments WHERE idempotency_key LIKE 'a%' GROUP BY 1 HAVING count(*) <> 1) x")"
check "A: one key per 8 calls" "$(( (CLIENTS * TX_A) / 8 + 1 ))" "$(q "SELECT count(*) FROM registry.deployments WHERE idempotency_key LIKE 'a%'")"
check "A: stored addresses are the deployed ones" "0" "$(q "SELECT count(*) FROM registry.deployments WHERE idempotency_key LIKE 'a%' AND address <> '0x' || md5(idempotency_key)")"

# B: random replays and merges over shared keys.
cat >"$tmp/b.sql" <<'SQL'
\set k random(1, :keys)
\set t random(0, 3)
SELECT must(d.address = '0x' || md5('b' || :k)
            AND (:t = 0 OR d.tx_hash = '0xtx' || :k)
            AND (:t < 3 OR d.confirmed), 'returned row ' || d::text)
  FROM registry.deploy('b' || :k, '1', 'Token', '0x' || md5('b' || :k),
                       CASE WHEN :t > 0 THEN '0xtx' || :k END, :t = 3, 'harness') AS d;
SQL
run_bench "B replay/merge mix" "$tmp/b.sql" "$TX_B"
check "B: exactly one row per key" "0" "$(q "SELECT count(*) FROM (SELECT idempotency_key FROM registry.deployments WHERE idempotency_key LIKE 'b%' GROUP BY 1 HAVING count(*) <> 1) x")"
check "B: stored rows hold the merged facts" "0" "$(q "SELECT count(*) FROM registry.deployments WHERE idempotency_key LIKE 'b%' AND (address <> '0x' || md5(idempotency_key) OR tx_hash IS DISTINCT FROM '0xtx' || substr(idempotency_key, 2) AND tx_hash IS NOT NULL)")"
check "B: confirmed rows are in state confirmed" "0" "$(q "SELECT count(*) FROM registry.deployments WHERE idempotency_key LIKE 'b%' AND confirmed <> (state = 'confirmed')")"

# C: one key raced with a different address per client.
cat >"$tmp/c.sql" <<'SQL'
SELECT try_deploy(nextval('seq_c') / 8, :client_id);
SQL
run_bench "C different-address race" "$tmp/c.sql" "$TX_C"
check "C: exactly one winning address per key" "0" "$(q "SELECT count(*) FROM (SELECT k FROM log_c GROUP BY k HAVING count(DISTINCT address) FILTER (WHERE outcome = 'ok') <> 1) x")"
check "C: the winner's address is stored" "0" "$(q "SELECT count(*) FROM log_c l JOIN registry.deployments d ON d.project_id = 'harness' AND d.idempotency_key = 'c' || l.k AND d.chain_id = '1' WHERE l.outcome = 'ok' AND d.address <> l.address")"
check "C: every loser got 23505" "$(( CLIENTS * TX_C ))" "$(q "SELECT count(*) FROM log_c WHERE outcome IN ('ok', 'conflict')")"
check "C: some calls really conflicted" "t" "$(q "SELECT count(*) > 0 FROM log_c WHERE outcome = 'conflict'")"

# D: claims raced by every client.
cat >"$tmp/d.sql" <<'SQL'
INSERT INTO log_d SELECT s.k, c.claimed
  FROM (SELECT nextval('seq_d') / 8 AS k) AS s,
       registry.claim_deploy('d' || s.k, '1', 'Token', 'harness') AS c;
SQL
run_bench "D claim race" "$tmp/d.sql" "$TX_D"
check "D: exactly one claimed = true per key" "0" "$(q "SELECT count(*) FROM (SELECT k FROM log_d GROUP BY k HAVING count(*) FILTER (WHERE claimed) <> 1) x")"
check "D: one pending row per claimed key" "$(q "SELECT count(DISTINCT k) FROM log_d")" "$(q "SELECT count(*) FROM registry.deployments WHERE idempotency_key LIKE 'd%' AND state = 'pending'")"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
