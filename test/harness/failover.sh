#!/usr/bin/env bash
# Failover to a synchronous standby (./run test runs it; REGISTRY_PGBIN and
# REGISTRY_REPO come from ./run).  To run it alone after `./run test` built
# the private server copy:
#   REGISTRY_PGBIN=$PWD/tmp_check/pg/usr/lib/postgresql/15/bin REGISTRY_REPO=$PWD \
#     REGISTRY_TEST_MODE=ci bash test/harness/failover.sh
#
# Under tmp_check/failover/: a primary and a standby made with
# pg_basebackup -R (streaming replication over the unix socket), the standby
# named in synchronous_standby_names and synchronous_commit = remote_apply, so
# a commit is acknowledged only once the standby has applied it.  On the
# standby, a deploy replay and kv_put_if_absent of a recorded key must work
# (they write nothing) and a new deploy key must be refused.  Clients
# run registry.deploy, registry.kv_put and (when installed) registry.register
# and log every call psql acknowledged; the primary and all its processes are
# killed with SIGKILL, the standby is promoted, and every acknowledged write
# must be on it with its acknowledged values; then the registry must work on
# the new primary at once (a deploy, a claim, a register, a kv_put, a chunk
# step).  Then a fresh standby is cloned from the new primary and the round
# repeats: 2 failovers in ci mode, 5 in release; the writes of every earlier
# round must survive every later failover too.  Ends with "N passed, N failed".
set -uo pipefail

REPO=${REGISTRY_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${REGISTRY_PGBIN:?REGISTRY_PGBIN must name the bin directory of the test server}
MODE=${REGISTRY_TEST_MODE:-ci}
BASE=$REPO/tmp_check/failover
SOCK=$BASE/sock
LOGS=$BASE/logs
NODES=("$BASE/node0" "$BASE/node1")
PORTS=(5494 5495)
DB=failover
CLIENTS=4
if [ "$MODE" = release ]; then
	LOAD=${FAILOVER_LOAD_SECONDS:-15} ROUNDS=${FAILOVERS:-5}
else
	LOAD=${FAILOVER_LOAD_SECONDS:-4} ROUNDS=${FAILOVERS:-2}
fi
START=$(date +%s)
PASS=0
FAIL=0
CPIDS=()

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# qp PORT SQL
qp() {
	psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$1" -U postgres -d "$DB" -c "$2"
}

check() {
	local what=$1 got=$2 want=$3
	if [ "$got" = "$want" ]; then
		PASS=$((PASS + 1))
		echo "ok - $what"
	else
		FAIL=$((FAIL + 1))
		echo "not ok - $what"
		echo "#   got:  $(printf '%s' "$got" | tr '\n' ' ' | cut -c1-600)"
		echo "#   want: $(printf '%s' "$want" | tr '\n' ' ' | cut -c1-600)"
	fi
}

# count_check "text with %s" "total|good": passes when good = total
count_check() {
	local r=$2
	if ! printf '%s' "$r" | grep -Eq '^[0-9]+\|[0-9]+$'; then
		# shellcheck disable=SC2059
		check "$(printf "$1" "?")" "$r" "two counts"
		return
	fi
	# shellcheck disable=SC2059
	check "$(printf "$1" "${r%%|*}")" "${r#*|}" "${r%%|*}"
}

row() { printf '%s\n' "$res" | grep "^$1|" | cut -d'|' -f2-; }

bail() {
	check "$1" no yes
	echo "$PASS passed, $FAIL failed"
	exit 1
}

power_cut() {
	local data=$1 pm kids p i alive
	pm=$(head -1 "$data/postmaster.pid" 2>/dev/null) || return 1
	# freeze the postmaster first: otherwise it can fork a backend between
	# the listing of its children and the kill, and that orphan lives on
	# (holding the shared memory, or a client waiting for it forever)
	kill -STOP "$pm" 2>/dev/null
	kids=$(ps -o pid= --ppid "$pm" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -9 "$pm" $kids 2>/dev/null
	for i in $(seq 1 200); do
		alive=0
		for p in $pm $kids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

cleanup() {
	touch "$LOGS/stop" 2>/dev/null
	local p d
	for p in "${CPIDS[@]}"; do wait "$p" 2>/dev/null; done
	for d in "${NODES[@]}"; do
		[ -f "$d/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
	done
}
trap cleanup EXIT

# --- the first primary ----------------------------------------------------
mkdir -p "$BASE"
for d in "${NODES[@]}"; do
	[ -f "$d/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
done
rm -rf "${NODES[@]}" "$SOCK" "$LOGS"
mkdir -p "${NODES[0]}" "$SOCK" "$LOGS"
[ "$(id -u)" = 0 ] && chown postgres: "$BASE" "${NODES[0]}" "$SOCK"
as_pg "$BIN/initdb" -N -D "${NODES[0]}" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null || bail "initdb of the primary"
cat >>"${NODES[0]}/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = ${PORTS[0]}
shared_buffers = 32MB
max_connections = 30
fsync = on
wal_level = replica
max_wal_senders = 4
hot_standby = on
logging_collector = off
CONF
as_pg "$BIN/pg_ctl" -D "${NODES[0]}" -l "${NODES[0]}/server.log" -w -t 60 start >/dev/null || bail "the primary starts"
psql -X -q -h "$SOCK" -p "${PORTS[0]}" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null
qp "${PORTS[0]}" "CREATE EXTENSION registry" >/dev/null || bail "CREATE EXTENSION registry on the primary"
HAS_REGISTER=$(qp "${PORTS[0]}" "SELECT count(*) FROM pg_catalog.pg_proc WHERE proname = 'register' AND pronamespace = 'registry'::regnamespace" | grep -c '^[1-9]')
echo "# $ROUNDS failovers; registry.register $([ "$HAS_REGISTER" = 1 ] && echo included || echo 'not installed (skipped)'); load for $LOAD s with $CLIENTS clients each round"

# --- load on the primary -------------------------------------------------
client() {
	local i=$1 round=$2
	local log=$LOGS/c$i.log n=0 out k
	local cq=(timeout 60 psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PPORT" -U postgres -d "$DB" -c)
	while [ ! -e "$LOGS/stop" ]; do
		n=$((n + 1))
		k="fo-r$round-c$i-n$n"
		case $((n % 3)) in
		0)
			out=$("${cq[@]}" "SELECT address, tx_hash, confirmed FROM registry.deploy('$k', '7', 'Token', '0x$(printf '%040x' "$n")', '0xd$k', $([ $((n % 2)) = 0 ] && echo true || echo false), 'failover')" 2>/dev/null) &&
				printf 'deploy\t%s\t%s\n' "$k" "$out" >>"$log"
			;;
		1)
			out=$("${cq[@]}" "SELECT registry.kv_put('fo-org', 'wf/fo/$k/run', convert_to('value $k', 'UTF8'))" 2>/dev/null) &&
				printf 'kv\t%s\t%s\n' "$k" "$out" >>"$log"
			;;
		2)
			if [ "$HAS_REGISTER" = 1 ]; then
				out=$("${cq[@]}" "SELECT id, seq, implementation FROM registry.register('failover', 'comp-$((i % 2))', convert_to('impl $k ' || repeat('y', $((n * 53 % 2000))), 'UTF8'))" 2>/dev/null) &&
					printf 'register\t%s\t%s\n' "$k" "$out" >>"$log"
			fi
			;;
		esac
	done
}

cur=0
TOTAL_ACKED=0
for round in $(seq 1 "$ROUNDS"); do
	nxt=$((1 - cur))
	PRI=${NODES[$cur]} PPORT=${PORTS[$cur]} STB=${NODES[$nxt]} SPORT=${PORTS[$nxt]}
	echo "# round $round: primary $(basename "$PRI") (port $PPORT), standby $(basename "$STB") (port $SPORT)"

	# a synchronous standby cloned from the primary
	rm -rf "$STB"
	as_pg "$BIN/pg_basebackup" -h "$SOCK" -p "$PPORT" -U postgres -D "$STB" -R -X stream -c fast >/dev/null 2>"$BASE/basebackup.err" ||
		bail "round $round: pg_basebackup -R makes the standby ($(tail -1 "$BASE/basebackup.err"))"
	cat >>"$STB/postgresql.conf" <<CONF
port = $SPORT
cluster_name = 'standby$round'
CONF
	as_pg "$BIN/pg_ctl" -D "$STB" -l "$STB/server.log" -w -t 60 start >/dev/null || bail "round $round: the standby starts"
	qp "$PPORT" "ALTER SYSTEM SET synchronous_standby_names = 'standby$round'" >/dev/null
	qp "$PPORT" "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" >/dev/null
	qp "$PPORT" "SELECT pg_catalog.pg_reload_conf()" >/dev/null
	state=""
	for i in $(seq 1 300); do
		state=$(qp "$PPORT" "SELECT application_name || ' ' || state || ' ' || sync_state FROM pg_catalog.pg_stat_replication")
		[ "$state" = "standby$round streaming sync" ] && break
		sleep 0.1
	done
	check "round $round: the standby streams from the primary as its synchronous standby" "$state" "standby$round streaming sync"
	check "round $round: the primary acknowledges a commit only once the standby applied it" \
		"$(qp "$PPORT" "SHOW synchronous_commit")" "remote_apply"
	check "round $round: the standby is read-only, in recovery" "$(qp "$SPORT" "SELECT pg_catalog.pg_is_in_recovery()")" "t"

	# on the standby, the calls that bring nothing new work: a deploy replay
	# and an idempotency record read through kv_put_if_absent; a new key is
	# refused as the INSERT it needs
	qp "$PPORT" "SELECT 1 FROM registry.deploy('standby-$round', '7', 'Token', '0x00000000000000000000000000000000000000aa', '0xsb', true, 'failover')" >/dev/null
	qp "$PPORT" "SELECT 1 FROM registry.kv_put_if_absent('failover', 'idem/standby/wf$round/req', 'run-$round')" >/dev/null
	check "round $round: on the standby, a deploy replay returns the stored row" \
		"$(qp "$SPORT" "SELECT state || ' ' || address FROM registry.deploy('standby-$round', '7', 'Token', '0x00000000000000000000000000000000000000aa', '0xsb', true, 'failover')" 2>&1)" \
		"confirmed 0x00000000000000000000000000000000000000aa"
	check "round $round: on the standby, kv_put_if_absent returns the recorded value" \
		"$(qp "$SPORT" "SELECT pg_catalog.convert_from(registry.kv_put_if_absent('failover', 'idem/standby/wf$round/req', 'other'), 'UTF8')" 2>&1)" \
		"run-$round"
	check "round $round: on the standby, a new deploy key is refused as an INSERT" \
		"$(qp "$SPORT" "SELECT 1 FROM registry.deploy('standby-new-$round', '7', 'Token', '0x00000000000000000000000000000000000000ab', NULL, false, 'failover')" 2>&1 | head -1)" \
		"ERROR:  cannot execute INSERT in a read-only transaction"

	# load, then the primary dies
	rm -f "$LOGS"/c*.log "$LOGS/stop"
	for i in $(seq 1 "$CLIENTS"); do
		: >"$LOGS/c$i.log"
		client "$i" "$round" &
		CPIDS+=($!)
	done
	sleep "$LOAD"
	power_cut "$PRI" || check "round $round: every process of the primary died" no yes
	touch "$LOGS/stop"
	for p in "${CPIDS[@]}"; do wait "$p" 2>/dev/null; done
	CPIDS=()
	cat "$LOGS"/c*.log >"$LOGS/acked.tsv"
	acked=$(wc -l <"$LOGS/acked.tsv")
	cat "$LOGS/acked.tsv" >>"$LOGS/all.tsv"
	TOTAL_ACKED=$((TOTAL_ACKED + acked))
	echo "# round $round: the primary was killed (SIGKILL) after $acked acknowledged writes ($(cut -f1 "$LOGS/acked.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}'))"
	missing=""
	for op in deploy kv $([ "$HAS_REGISTER" = 1 ] && echo register); do
		grep -q "^$op"$'\t' "$LOGS/acked.tsv" || missing+="$op "
	done
	check "round $round: every kind of write was acknowledged before the failover" "$missing" ""

	# promote the standby
	t0=$(date +%s%N)
	as_pg "$BIN/pg_ctl" -D "$STB" -w -t 60 promote >/dev/null || bail "round $round: the standby is promoted"
	echo "# round $round: promoted in $((($(date +%s%N) - t0) / 1000000)) ms"
	check "round $round: the promoted standby is a primary" "$(qp "$SPORT" "SELECT pg_catalog.pg_is_in_recovery()")" "f"

	# every write acknowledged so far (this round and every earlier one)
	res=$(psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$SPORT" -U postgres -d "$DB" 2>&1 <<SQL
CREATE TEMP TABLE ack (op text, k text, v text);
\copy ack FROM '$LOGS/all.tsv'
CREATE TEMP TABLE a AS SELECT op, k, string_to_array(v, '|') AS f FROM ack;
SELECT 'deploy', count(*), count(*) FILTER (WHERE d.address = a.f[1] AND d.tx_hash = a.f[2] AND d.confirmed::text = CASE a.f[3] WHEN 't' THEN 'true' ELSE 'false' END)
  FROM a LEFT JOIN registry.deployments d ON d.project_id = 'failover' AND d.idempotency_key = a.k AND d.chain_id = '7'
 WHERE a.op = 'deploy';
SELECT 'kv', count(*), count(*) FILTER (WHERE kv.value = pg_catalog.convert_to('value ' || a.k, 'UTF8') AND kv.upd = a.f[1]::bigint)
  FROM a LEFT JOIN registry.kv ON kv.org = 'fo-org' AND kv.key = 'wf/fo/' || a.k || '/run'
 WHERE a.op = 'kv';
SELECT 'kv-get', count(*), count(*) FILTER (WHERE registry.kv_get('fo-org', 'wf/fo/' || a.k || '/run') = pg_catalog.convert_to('value ' || a.k, 'UTF8'))
  FROM a WHERE a.op = 'kv';
SQL
)
	printf '%s\n' "$res" | grep -q '^kv-get|' || check "round $round: the checker ran on the new primary" "$res" "its rows"
	count_check "round $round: %s deploys acknowledged so far are on the new primary with their address, tx hash and confirmation" "$(row deploy)"
	count_check "round $round: %s kv_put writes acknowledged so far are on the new primary with their value and upd" "$(row kv)"
	count_check "round $round: %s of them read back through registry.kv_get" "$(row kv-get)"
	if [ "$HAS_REGISTER" = 1 ]; then
		res=$(psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$SPORT" -U postgres -d "$DB" 2>&1 <<SQL
CREATE TEMP TABLE ack (op text, k text, v text);
\copy ack FROM '$LOGS/all.tsv'
CREATE TEMP TABLE a AS SELECT op, k, string_to_array(v, '|') AS f FROM ack;
SELECT 'register', count(*), count(*) FILTER (WHERE v.seq = a.f[2]::bigint AND v.implementation = a.f[3]
	AND pg_catalog.convert_from(registry.get_blob(v.implementation), 'UTF8') LIKE 'impl ' || a.k || ' %')
  FROM a LEFT JOIN registry.versions v ON v.project_id = 'failover' AND v.id = a.f[1]::bigint
 WHERE a.op = 'register';
SELECT 'gapfree', count(*), count(*) FILTER (WHERE n = mx AND nd = n)
  FROM (SELECT component, count(*) AS n, count(DISTINCT seq) AS nd, max(seq) AS mx
		  FROM registry.versions WHERE project_id = 'failover' GROUP BY component) s;
SQL
)
		count_check "round $round: %s registrations acknowledged so far are on the new primary (id, seq, implementation blob)" "$(row register)"
		count_check "round $round: %s components on the new primary: seqs 1..n, no gap or duplicate" "$(row gapfree)"
	fi

	# the registry works on the new primary at once
	check "round $round: a deploy succeeds on the new primary" \
		"$(qp "$SPORT" "SELECT state FROM registry.deploy('after-failover-$round', '7', 'Token', '0x00000000000000000000000000000000000000ff', '0xaf', true, 'failover')" 2>&1)" "confirmed"
	check "round $round: a claim succeeds on the new primary" \
		"$(qp "$SPORT" "SELECT claimed FROM registry.claim_deploy('after-failover-claim-$round', '7', 'Token', 'failover', '1 minute')" 2>&1)" "t"
	check "round $round: a kv_put succeeds on the new primary" \
		"$(qp "$SPORT" "SELECT registry.kv_put('fo-org', 'wf/fo/after/$round', 'x') > 0" 2>&1)" "t"
	check "round $round: a chunk step succeeds on the new primary" \
		"$(qp "$SPORT" "SELECT registry.put_hot_transient($round, 'failover'); SELECT registry.hot_state($round, 'failover')" 2>&1 | tail -1)" "transient"
	if [ "$HAS_REGISTER" = 1 ]; then
		want=$(qp "$SPORT" "SELECT coalesce(max(seq), 0) + 1 FROM registry.versions WHERE project_id = 'failover' AND component = 'comp-0'")
		check "round $round: a register succeeds on the new primary and takes the next seq" \
			"$(qp "$SPORT" "SELECT seq FROM registry.register('failover', 'comp-0', convert_to('after failover $round', 'UTF8'))" 2>&1)" "$want"
	fi
	cur=$nxt
done

echo "# $ROUNDS failovers with $TOTAL_ACKED acknowledged writes checked in $(($(date +%s) - START)) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
