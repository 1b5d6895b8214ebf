#!/usr/bin/env bash
# Crash under load (./run test runs it; REGISTRY_PGBIN and REGISTRY_REPO come
# from ./run; REGISTRY_TEST_MODE=ci gives 3 crash cycles, release gives 20).
#
# A private cluster under tmp_check/crash_load/ (fsync on).  Each cycle runs 8
# concurrent clients, one psql process per call (one transaction each):
#   - registry.deploy of a new key, then the same key again with confirmed;
#   - registry.claim_deploy (2 s lease) -> record_broadcast -> confirm_deployment;
#   - registry.claim_deploy of keys every client races for (1 h lease);
#   - the chunk protocol, one step per call (hot transient -> ready -> freezing
#     x3 -> frozen x3 -> hot deleted -> events pruning -> events deleted);
#   - registry.register (when the version registry is installed) into 4
#     components that two clients share.
# A client appends a line to its log only after psql returned success, i.e.
# after the COMMIT was acknowledged.  At a random moment the postmaster and
# every backend are killed with SIGKILL (a power cut), the clients stop, the
# server restarts (crash recovery) and the checker compares the database with
# the acknowledged log.  Prints one line per check, ends with
# "N passed, N failed".
set -uo pipefail

REPO=${REGISTRY_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${REGISTRY_PGBIN:?REGISTRY_PGBIN must name the bin directory of the test server}
MODE=${REGISTRY_TEST_MODE:-ci}
BASE=$REPO/tmp_check/crash_load
DATA=$BASE/data
SOCK=$BASE/sock
LOGS=$BASE/logs
PORT=5493
DB=crash_load
CLIENTS=8
if [ "$MODE" = release ]; then CYCLES=${CRASH_CYCLES:-20}; else CYCLES=${CRASH_CYCLES:-3}; fi
START=$(date +%s)
PASS=0
FAIL=0
CPIDS=()

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

q() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -c "$1"
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
		check "$(printf "$1" "?")" "$r" "two counts"
		return
	fi
	# shellcheck disable=SC2059
	check "$(printf "$1" "${r%%|*}")" "${r#*|}" "${r%%|*}"
}

server_start() {
	as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 120 start >/dev/null
}

# SIGKILL the postmaster and every process it started, all at once.
power_cut() {
	local pm kids p i
	pm=$(head -1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
	# freeze the postmaster first: otherwise it can fork a backend between
	# the listing of its children and the kill, and that orphan lives on
	# (holding the shared memory, or a client waiting for it forever)
	kill -STOP "$pm" 2>/dev/null
	kids=$(ps -o pid= --ppid "$pm" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -9 "$pm" $kids 2>/dev/null
	for i in $(seq 1 200); do
		local alive=0
		for p in $pm $kids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

stop_clients() {
	local p
	touch "$LOGS/stop"
	for p in "${CPIDS[@]}"; do wait "$p" 2>/dev/null; done
	CPIDS=()
	rm -f "$LOGS/stop"
}

cleanup() {
	touch "$LOGS/stop" 2>/dev/null
	local p
	for p in "${CPIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
}
trap cleanup EXIT

# --- one client ------------------------------------------------------------
# Each call is one psql process (one transaction).  The log line is written
# only after psql exited 0.  Fields are tab-separated: op key values...
client() {
	local i=$1 cyc=$2
	local log=$LOGS/c$i.log n=0 out k
	local ch=0 step=-1 proj="ck-y$cyc-c$i" comp="comp-$((i % 4))"
	local cq=(timeout 60 psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -c)
	local chunk_steps=(
		"registry.put_hot_transient(%d, '%s')"
		"registry.flip_hot_ready(%d, '%s')"
		"registry.mark_chunk_freezing(%d, '{ledgers,events,txhash}', '%s')"
		"registry.flip_chunk_frozen(%d, '{ledgers,events,txhash}', '%s')"
		"registry.delete_hot_key(%d, '%s')"
		"registry.demote_chunk_pruning(%d, '{events}', '%s')"
		"registry.delete_chunk_key(%d, 'events', '%s')"
	)
	while [ ! -e "$LOGS/stop" ]; do
		n=$((n + 1))
		k="y$cyc-c$i-n$n"
		case $((n % 5)) in
		0)
			out=$("${cq[@]}" "SELECT address, tx_hash, confirmed FROM registry.deploy('$k', '1', 'Token', '0x$(printf '%040x' "$n")', '0xd$k', false, 'crash')" 2>/dev/null) &&
				printf 'deploy\t%s\t%s\n' "$k" "$out" >>"$log" || continue
			out=$("${cq[@]}" "SELECT address, tx_hash, confirmed FROM registry.deploy('$k', '1', 'Token', '0x$(printf '%040x' "$n")', NULL, true, 'crash')" 2>/dev/null) &&
				printf 'deployc\t%s\t%s\n' "$k" "$out" >>"$log"
			;;
		1)
			out=$("${cq[@]}" "SELECT claimed FROM registry.claim_deploy('$k', '1', 'Token', 'crash', '2 seconds')" 2>/dev/null) &&
				printf 'claim\t%s\t%s\n' "$k" "$out" >>"$log" || continue
			out=$("${cq[@]}" "SELECT tx_hash FROM registry.record_broadcast('$k', '1', '0xb$k', 'crash')" 2>/dev/null) &&
				printf 'bcast\t%s\t%s\n' "$k" "$out" >>"$log" || continue
			out=$("${cq[@]}" "SELECT address, tx_hash, confirmed FROM registry.confirm_deployment('$k', '1', 'crash', '0x$(printf 'c%039x' "$n")')" 2>/dev/null) &&
				printf 'confirm\t%s\t%s\n' "$k" "$out" >>"$log"
			;;
		2)
			k="shared-y$cyc-$((n % 7))"
			out=$("${cq[@]}" "SELECT claimed FROM registry.claim_deploy('$k', '1', 'Token', 'crash', '1 hour')" 2>/dev/null) &&
				printf 'sclaim\t%s\t%s\n' "$k" "$out" >>"$log"
			;;
		3)
			if [ "$HAS_REGISTER" = 1 ]; then
				out=$("${cq[@]}" "SELECT id, seq, implementation FROM registry.register('crash', '$comp', convert_to('impl $k ' || repeat('x', $((n * 37 % 3000))), 'UTF8'), '{\"client\": $i}')" 2>/dev/null) &&
					printf 'register\t%s\t%s\n' "$k" "$out" >>"$log"
			fi
			;;
		4)
			local nstep=$((step + 1)) nch=$ch
			[ "$nstep" -ge ${#chunk_steps[@]} ] && { nstep=0; nch=$((ch + 1)); }
			# shellcheck disable=SC2059
			"${cq[@]}" "SELECT $(printf "${chunk_steps[$nstep]}" "$nch" "$proj")" >/dev/null 2>&1 &&
				{ step=$nstep; ch=$nch; printf 'chunk\t%s\t%s|%s\n' "$proj" "$ch" "$step" >>"$log"; }
			;;
		esac
	done
}

# --- a private cluster ---------------------------------------------------
mkdir -p "$BASE"
[ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
rm -rf "$DATA" "$SOCK" "$LOGS"
mkdir -p "$DATA" "$SOCK" "$LOGS"
[ "$(id -u)" = 0 ] && chown postgres: "$BASE" "$DATA" "$SOCK"
as_pg "$BIN/initdb" -N -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null || { echo "initdb failed"; echo "0 passed, 1 failed"; exit 1; }
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_buffers = 32MB
max_connections = 40
fsync = on
synchronous_commit = on
full_page_writes = on
logging_collector = off
CONF
server_start || { echo "the server did not start"; echo "0 passed, 1 failed"; exit 1; }
psql -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null
q "CREATE EXTENSION registry" >/dev/null
q "CREATE TABLE public.registry_crash_winners (k text)" >/dev/null
HAS_REGISTER=$(q "SELECT count(*) FROM pg_catalog.pg_proc WHERE proname = 'register' AND pronamespace = 'registry'::regnamespace" | grep -c '^[1-9]')
echo "# mode $MODE: $CYCLES crash cycles, $CLIENTS clients; registry.register $([ "$HAS_REGISTER" = 1 ] && echo included || echo 'not installed (skipped)')"

# The chunk catalog after step s of the per-client sequence (-1 = nothing).
chunk_after() {
	case $1 in
	-1) echo "" ;;
	0) echo "hot=transient" ;;
	1) echo "hot=ready" ;;
	2) echo "events=freezing hot=ready ledgers=freezing txhash=freezing" ;;
	3) echo "events=frozen hot=ready ledgers=frozen txhash=frozen" ;;
	4) echo "events=frozen ledgers=frozen txhash=frozen" ;;
	5) echo "events=pruning ledgers=frozen txhash=frozen" ;;
	6) echo "ledgers=frozen txhash=frozen" ;;
	esac
}
LAST_STEP=6

TOTAL_ACKED=0
EXPIRED=0
HELD=0
for cyc in $(seq 1 "$CYCLES"); do
	rm -f "$LOGS"/c*.log
	# two claims abandoned at once (a daemon that died right after claiming),
	# so that every cycle has unfinished claims whose lease runs out, whatever
	# the moment of the power cut (c0.log: acknowledged like the clients' calls)
	: >"$LOGS/c0.log"
	for j in 1 2; do
		out=$(q "SELECT claimed FROM registry.claim_deploy('y$cyc-abandoned-$j', '1', 'Token', 'crash', '2 seconds')") &&
			printf 'claim\t%s\t%s\n' "y$cyc-abandoned-$j" "$out" >>"$LOGS/c0.log"
	done
	for i in $(seq 1 "$CLIENTS"); do
		: >"$LOGS/c$i.log"
		client "$i" "$cyc" &
		CPIDS+=($!)
	done
	# a random moment: 2.0 .. 6.0 s of load in ci, 2.0 .. 9.0 s in release
	if [ "$MODE" = release ]; then span=70; else span=40; fi
	sleep "$((20 + RANDOM % span))e-1"
	power_cut || check "cycle $cyc: every server process died" no yes
	stop_clients
	cat "$LOGS"/c*.log >"$LOGS/acked.tsv"
	cat "$LOGS/acked.tsv" >>"$LOGS/all.tsv"
	acked=$(wc -l <"$LOGS/acked.tsv")
	TOTAL_ACKED=$((TOTAL_ACKED + acked))
	server_start || { check "cycle $cyc: the server restarts after the power cut" no yes; break; }
	echo "# cycle $cyc: $acked acknowledged calls ($(cut -f1 "$LOGS/acked.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}'))"

	# Load the acknowledged log into a temporary table and compare in SQL.
	res=$(psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$DB" 2>&1 <<SQL
CREATE TEMP TABLE ack (op text, k text, v text);
\copy ack FROM '$LOGS/acked.tsv'
CREATE TEMP TABLE a AS SELECT op, k, string_to_array(v, '|') AS f FROM ack;
-- 1 deploy: row present with the acknowledged address and tx hash
SELECT 'deploy', count(*), count(*) FILTER (WHERE d.address IS NOT DISTINCT FROM a.f[1] AND d.tx_hash IS NOT DISTINCT FROM nullif(a.f[2], '')
	AND (a.f[3] = 'f' OR d.confirmed))
  FROM a LEFT JOIN registry.deployments d ON d.project_id = 'crash' AND d.idempotency_key = a.k AND d.chain_id = '1'
 WHERE a.op IN ('deploy', 'deployc');
-- 2 claim: acknowledged claims (own keys) are rows, and a new key is always claimed
SELECT 'claim', count(*), count(*) FILTER (WHERE d.idempotency_key IS NOT NULL AND a.f[1] = 't')
  FROM a LEFT JOIN registry.deployments d ON d.project_id = 'crash' AND d.idempotency_key = a.k AND d.chain_id = '1'
 WHERE a.op = 'claim';
-- 3 broadcast: the acknowledged tx hash is stored (a later confirm keeps it)
SELECT 'bcast', count(*), count(*) FILTER (WHERE d.tx_hash = a.f[1])
  FROM a LEFT JOIN registry.deployments d ON d.project_id = 'crash' AND d.idempotency_key = a.k AND d.chain_id = '1'
 WHERE a.op = 'bcast';
-- 4 confirm: confirmed with the acknowledged address and tx hash
SELECT 'confirm', count(*), count(*) FILTER (WHERE d.confirmed AND d.address = a.f[1] AND d.tx_hash = a.f[2] AND a.f[3] = 't')
  FROM a LEFT JOIN registry.deployments d ON d.project_id = 'crash' AND d.idempotency_key = a.k AND d.chain_id = '1'
 WHERE a.op = 'confirm';
-- 5 shared claims: over every cycle so far, at most one acknowledged winner per key
INSERT INTO registry_crash_winners SELECT k FROM a WHERE op = 'sclaim' AND f[1] = 't';
SELECT 'sclaim', (SELECT count(*) FROM a WHERE op = 'sclaim'),
	(SELECT count(*) FROM (SELECT k FROM registry_crash_winners GROUP BY k HAVING count(*) > 1) x);
-- 6 shared keys won by an acknowledged claim are rows with a live claim
SELECT 'sclaim-row', count(DISTINCT w.k), count(DISTINCT w.k) FILTER (WHERE d.claimed_until > clock_timestamp())
  FROM registry_crash_winners w LEFT JOIN registry.deployments d ON d.project_id = 'crash' AND d.idempotency_key = w.k AND d.chain_id = '1';
-- 7 every deployment row is in a legal state
SELECT 'legal-dep', count(*), count(*) FILTER (WHERE (state = 'confirmed') = confirmed
	AND (address IS NULL) = (state IN ('pending', 'broadcast'))
	AND (address IS NOT NULL OR claimed_until IS NOT NULL)
	AND (state <> 'broadcast' OR tx_hash IS NOT NULL))
  FROM registry.deployments WHERE project_id = 'crash';
-- 8 chunk catalog: every key in a legal state, the key matches its chunk and kind
SELECT 'legal-chunk',
	(SELECT count(*) FROM registry.chunk_artifacts) + (SELECT count(*) FROM registry.chunk_hot),
	(SELECT count(*) FROM registry.chunk_artifacts WHERE state IN ('freezing', 'frozen', 'pruning') AND key = registry.chunk_key(chunk, kind))
	+ (SELECT count(*) FROM registry.chunk_hot WHERE state IN ('transient', 'ready') AND key = registry.hot_chunk_key(chunk));
SQL
)
	if ! printf '%s\n' "$res" | grep -q '^legal-chunk|'; then
		check "cycle $cyc: the checker ran" "$res" "its rows"
		continue
	fi
	row() { printf '%s\n' "$res" | grep "^$1|" | cut -d'|' -f2-; }
	count_check "cycle $cyc: %s acknowledged deploys present with their address, tx hash and confirmation" "$(row deploy)"
	count_check "cycle $cyc: %s acknowledged claims of new keys are rows (and were claimed)" "$(row claim)"
	count_check "cycle $cyc: %s acknowledged broadcasts keep their tx hash" "$(row bcast)"
	count_check "cycle $cyc: %s acknowledged confirmations are confirmed with their address" "$(row confirm)"
	r=$(row sclaim); check "cycle $cyc: ${r%%|*} racing claims on shared keys: no key has two acknowledged winners (all cycles)" "${r#*|}" "0"
	[ -n "$r" ] || check "cycle $cyc: the shared-claim check ran" no yes
	count_check "cycle $cyc: %s shared keys with an acknowledged winner hold a live 1 h claim" "$(row sclaim-row)"
	count_check "cycle $cyc: %s deployment rows in legal states (pending/broadcast rows carry a lease)" "$(row legal-dep)"
	count_check "cycle $cyc: %s chunk catalog keys in legal states" "$(row legal-chunk)"

	# Claims either hold or expire.  Own keys were claimed with a 2 s lease:
	# wait until every one has run out, then a new claimant must take each
	# unfinished one over.  Shared keys hold a 1 h lease: a new claimant is
	# refused and the lease is unchanged.
	r=$(q "SELECT pg_catalog.pg_sleep(least(5, greatest(0, extract(epoch FROM max(claimed_until) - clock_timestamp()) + 0.2)))
		  FROM registry.deployments WHERE project_id = 'crash' AND address IS NULL AND idempotency_key LIKE 'y$cyc-%';
		SELECT count(*) || '|' || count(*) FILTER (WHERE (c.x).claimed)
		  FROM registry.deployments d,
			   LATERAL (SELECT registry.claim_deploy(d.idempotency_key, d.chain_id, d.contract, 'crash', '1 hour') AS x) c
		 WHERE d.project_id = 'crash' AND d.address IS NULL AND d.idempotency_key LIKE 'y$cyc-%'" | tail -1)
	count_check "cycle $cyc: %s unfinished claims whose lease ran out are taken over by a new claimant" "$r"
	n=${r%%|*}; [[ $n =~ ^[0-9]+$ ]] || n=0; EXPIRED=$((EXPIRED + n))
	r=$(q "WITH h AS (SELECT idempotency_key, chain_id, contract, claimed_until FROM registry.deployments
					 WHERE project_id = 'crash' AND address IS NULL AND idempotency_key LIKE 'shared-y$cyc-%')
		SELECT count(*) || '|' || count(*) FILTER (WHERE NOT (c.x).claimed AND ((c.x).deployment).claimed_until = h.claimed_until)
		  FROM h, LATERAL (SELECT registry.claim_deploy(h.idempotency_key, h.chain_id, h.contract, 'crash', '1 hour') AS x) c")
	count_check "cycle $cyc: %s shared claims with a running lease hold (a new claimant is refused, the lease unchanged)" "$r"
	n=${r%%|*}; [[ $n =~ ^[0-9]+$ ]] || n=0; HELD=$((HELD + n))

	# Chunk protocol: per client, every earlier chunk completed, the last
	# acknowledged step is there and the step in flight is all or nothing
	# (the three-kind mark and flip included).
	bad=""
	nchunks=0
	for i in $(seq 1 "$CLIENTS"); do
		proj="ck-y$cyc-c$i"
		last=$(awk -F'\t' -v p="$proj" '$1 == "chunk" && $2 == p {v = $3} END {print v}' "$LOGS/acked.tsv")
		if [ -n "$last" ]; then lch=${last%|*}; lst=${last#*|}; else lch=0; lst=-1; fi
		actual=$(q "SELECT c.chunk || ':' || coalesce(string_agg(x.kv, ' ' ORDER BY x.kv), '')
			FROM (SELECT chunk FROM registry.chunk_artifacts WHERE project_id = '$proj'
				  UNION SELECT chunk FROM registry.chunk_hot WHERE project_id = '$proj') c
			CROSS JOIN LATERAL (SELECT kind || '=' || state AS kv FROM registry.chunk_artifacts a WHERE a.project_id = '$proj' AND a.chunk = c.chunk
								UNION ALL SELECT 'hot=' || state FROM registry.chunk_hot h WHERE h.project_id = '$proj' AND h.chunk = c.chunk) x
			GROUP BY c.chunk ORDER BY c.chunk")
		# the acknowledged state, and the state if the call in flight committed
		want1="" want2=""
		for c in $(seq 0 $((lch - 1))); do want1+="$c:$(chunk_after $LAST_STEP)"$'\n'; done
		want2=$want1
		s=$(chunk_after "$lst"); [ -n "$s" ] && want1+="$lch:$s"$'\n'
		if [ "$lst" -lt "$LAST_STEP" ]; then
			want2+="$lch:$(chunk_after $((lst + 1)))"$'\n'
		else
			want2+="$lch:$(chunk_after $LAST_STEP)"$'\n'"$((lch + 1)):$(chunk_after 0)"$'\n'
		fi
		want1=${want1%$'\n'}
		want2=${want2%$'\n'}
		nchunks=$((nchunks + lch + 1))
		if [ "$actual" != "$want1" ] && [ "$actual" != "$want2" ]; then
			bad+="$proj: have [$actual] want [$want1] or [$want2]; "
		fi
	done
	check "cycle $cyc: chunk protocol of $CLIENTS clients ($nchunks chunks): acknowledged steps present, the step in flight all or nothing" "$bad" ""

	if [ "$HAS_REGISTER" = 1 ]; then
		res=$(psql -X -A -t -q -F '|' -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$DB" 2>&1 <<SQL
CREATE TEMP TABLE ack (op text, k text, v text);
\copy ack FROM '$LOGS/acked.tsv'
CREATE TEMP TABLE a AS SELECT op, k, string_to_array(v, '|') AS f FROM ack;
SELECT 'register', count(*), count(*) FILTER (WHERE v.seq = a.f[2]::bigint AND v.implementation = a.f[3]
	AND v.metadata ? 'client' AND v.component LIKE 'comp-%'
	AND pg_catalog.convert_from(registry.get_blob(v.implementation), 'UTF8') LIKE 'impl ' || a.k || ' %')
  FROM a LEFT JOIN registry.versions v ON v.project_id = 'crash' AND v.id = a.f[1]::bigint
 WHERE a.op = 'register';
SELECT 'gapfree', count(*), count(*) FILTER (WHERE n = mx AND nd = n)
  FROM (SELECT component, count(*) AS n, count(DISTINCT seq) AS nd, max(seq) AS mx
		  FROM registry.versions WHERE project_id = 'crash' GROUP BY component) s;
SELECT 'blobs', count(*), count(*) FILTER (WHERE b.key IS NOT NULL AND b.size = v.size
	AND registry.blob_key(registry.get_blob(v.implementation)) = v.implementation)
  FROM registry.versions v LEFT JOIN registry.blobs b ON b.key = v.implementation
 WHERE v.project_id = 'crash';
SQL
)
		count_check "cycle $cyc: %s acknowledged registrations present with their id, seq and implementation" "$(printf '%s\n' "$res" | grep '^register|' | cut -d'|' -f2-)"
		count_check "cycle $cyc: %s components: seqs 1..n with no gap or duplicate" "$(printf '%s\n' "$res" | grep '^gapfree|' | cut -d'|' -f2-)"
		count_check "cycle $cyc: %s versions (acknowledged or not) have their whole implementation blob (never half-present)" "$(printf '%s\n' "$res" | grep '^blobs|' | cut -d'|' -f2-)"
	fi
done

# Every kind of call was exercised (a check over nothing proves nothing).
ops="bcast chunk claim confirm deploy deployc sclaim"
[ "$HAS_REGISTER" = 1 ] && ops+=" register"
missing=""
for op in $ops; do grep -q "^$op"$'\t' "$LOGS/all.tsv" 2>/dev/null || missing+="$op "; done
check "every kind of call was acknowledged at least once over the run ($ops)" "$missing" ""
check "claims were judged after restarts: $EXPIRED expired ones taken over, $HELD running ones held" \
	"$([ "$EXPIRED" -gt 0 ] && [ "$HELD" -gt 0 ] && echo yes)" "yes"

echo "# $CYCLES power cuts under load survived with $TOTAL_ACKED acknowledged calls checked in $(($(date +%s) - START)) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
