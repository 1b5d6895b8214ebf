#!/usr/bin/env bash
# Chunk catalog crash harness (./run test runs it; REGISTRY_PGBIN and
# REGISTRY_REPO come from ./run).
#
# On a private cluster under tmp_check/chunk/crash it runs the catalog
# protocol one step at a time and cuts the power (`pg_ctl stop -m immediate`)
# between every pair of steps, each time with the next step's transaction
# open (it must leave no trace: a multi-kind flip included).  After every
# restart it checks that every key is in a legal state, that the key/value
# view holds exactly what the committed steps wrote, and that
# recovery_keys() names exactly the interrupted keys; then it redoes the
# interrupted step, which must complete.  A second project is recovered by a sweep driven only by
# recovery_keys().  Then root locks: two sessions cannot hold one root,
# terminating the holder's backend frees it, and a crash frees it too.
#
# Prints one line per check and ends with "N passed, N failed".
set -uo pipefail

REPO=${REGISTRY_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${REGISTRY_PGBIN:?REGISTRY_PGBIN must name the bin directory of the test server}
BASE=$REPO/tmp_check/chunk
DATA=$BASE/crash
SOCK=$BASE/crashsock
PORT=5492
DB=chunk_crash
START=$(date +%s)
PASS=0
FAIL=0
BG=()

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
		echo "#   got:  $(printf '%s' "$got" | tr '\n' ' ')"
		echo "#   want: $(printf '%s' "$want" | tr '\n' ' ')"
	fi
}

server_start() {
	as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
}

crash() {
	as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
	local p
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
	BG=()
	server_start
}

cleanup() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	[ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
}
trap cleanup EXIT

# Open a session that runs $1 and then sleeps with its transaction (or its
# session) open; return once the statement has run.
hold_open() {
	local sql=$1 tag=$2 i
	printf '%s\n' "$sql" "SELECT pg_catalog.pg_sleep(120) /* $tag */;" |
		psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$DB" >/dev/null 2>&1 &
	BG+=($!)
	for i in $(seq 1 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%/* $tag */%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ] && return 0
		sleep 0.05
	done
	echo "# the held session \"$tag\" never reached its sleep" >&2
	return 1
}

# --- a private cluster ---------------------------------------------------
mkdir -p "$BASE"
rm -rf "$DATA" "$SOCK"
mkdir -p "$DATA" "$SOCK"
[ "$(id -u)" = 0 ] && chown postgres: "$BASE" "$DATA" "$SOCK"
as_pg "$BIN/initdb" -N -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null || { echo "initdb failed"; echo "0 passed, 1 failed"; exit 1; }
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_buffers = 32MB
fsync = on
logging_collector = off
CONF
server_start || { echo "the server did not start"; echo "0 passed, 1 failed"; exit 1; }
psql -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null
q "CREATE EXTENSION registry"

STATE_SQL="SELECT coalesce(string_agg(key || '=' || value, ' ' ORDER BY key COLLATE \"C\"), '') FROM registry.catalog_keys('', 'crash')"
RECOVERY_SQL="SELECT coalesce(string_agg(key, ' ' ORDER BY key COLLATE \"C\"), '') FROM registry.recovery_keys('crash')"
LEGAL_SQL="SELECT (SELECT count(*) FROM registry.chunk_artifacts WHERE state NOT IN ('freezing', 'frozen', 'pruning'))
                + (SELECT count(*) FROM registry.chunk_hot WHERE state NOT IN ('transient', 'ready'))"

K2="chunk:00000002"
H3="hot:chunk:00000003"
STEPS=(
	"SELECT registry.put_hot_transient(3, 'crash')"
	"SELECT registry.flip_hot_ready(3, 'crash')"
	"SELECT registry.mark_chunk_freezing(2, '{ledgers,events,txhash}', 'crash')"
	"SELECT registry.flip_chunk_frozen(2, '{ledgers,events,txhash}', 'crash')"
	"SELECT registry.demote_chunk_pruning(2, '{ledgers,events,txhash}', 'crash')"
	"SELECT registry.delete_chunk_key(2, 'ledgers', 'crash')"
	"SELECT registry.delete_chunk_key(2, 'events', 'crash')"
	"SELECT registry.delete_chunk_key(2, 'txhash', 'crash')"
	"SELECT registry.delete_hot_key(3, 'crash')"
)
# the catalog after step i (index 0 = before any step) and its interrupted keys
AFTER=(
	""
	"$H3=transient"
	"$H3=ready"
	"$K2:events=freezing $K2:ledgers=freezing $K2:txhash=freezing $H3=ready"
	"$K2:events=frozen $K2:ledgers=frozen $K2:txhash=frozen $H3=ready"
	"$K2:events=pruning $K2:ledgers=pruning $K2:txhash=pruning $H3=ready"
	"$K2:events=pruning $K2:txhash=pruning $H3=ready"
	"$K2:txhash=pruning $H3=ready"
	"$H3=ready"
	""
)
RECOVER=(
	""
	"$H3"
	""
	"$K2:events $K2:ledgers $K2:txhash"
	""
	"$K2:events $K2:ledgers $K2:txhash"
	"$K2:events $K2:txhash"
	"$K2:txhash"
	""
	""
)

echo "# protocol: ${#STEPS[@]} steps; a power cut between every pair, with the next step in flight"
after_cut() {
	local i=$1 what=$2
	check "$what: the catalog holds exactly the committed steps" "$(q "$STATE_SQL")" "${AFTER[$i]}"
	check "$what: every key is in a legal state" "$(q "$LEGAL_SQL")" "0"
	check "$what: recovery_keys names exactly the interrupted keys" "$(q "$RECOVERY_SQL")" "${RECOVER[$i]}"
}
for i in "${!STEPS[@]}"; do
	n=$((i + 1))
	step=${STEPS[$i]}
	# the power fails after step i committed, while step n's transaction is open
	hold_open "BEGIN; $step;" "crash-step-$n" || { check "step $n reaches its open transaction" no yes; continue; }
	crash
	after_cut "$i" "cut after step $i, inside step $n"
	# redo the interrupted step: it completes
	check "step $n redone after the restart completes" "$(q "$step" >/dev/null 2>&1 && echo done)" "done"
done
crash
after_cut "${#STEPS[@]}" "cut after step ${#STEPS[@]}"

# --- startup recovery driven by recovery_keys() alone -------------------
echo "# startup recovery: a daemon that crashed with work in flight"
q "SELECT registry.mark_chunk_freezing(4, '{ledgers,events,txhash}', 'crash-rec');
   SELECT registry.flip_chunk_frozen(4, '{ledgers,events,txhash}', 'crash-rec');
   SELECT registry.mark_chunk_freezing(5, '{ledgers,events,txhash}', 'crash-rec');
   SELECT registry.flip_chunk_frozen(5, '{ledgers}', 'crash-rec');
   SELECT registry.mark_chunk_freezing(6, '{ledgers}', 'crash-rec');
   SELECT registry.flip_chunk_frozen(6, '{ledgers}', 'crash-rec');
   SELECT registry.demote_chunk_pruning(6, '{ledgers}', 'crash-rec');
   SELECT registry.put_hot_transient(7, 'crash-rec');" >/dev/null
crash
check "recovery_keys after the crash: the freezing, pruning and transient keys, nothing else" \
	"$(q "SELECT string_agg(key || '=' || state, ' ' ORDER BY key COLLATE \"C\") FROM registry.recovery_keys('crash-rec')")" \
	"chunk:00000005:events=freezing chunk:00000005:txhash=freezing chunk:00000006:ledgers=pruning hot:chunk:00000007=transient"
# the sweep: freezing -> re-mark (rewrite) and flip; pruning -> unlink and delete; transient -> reopen and flip ready
q "DO \$\$
DECLARE r record; c bigint; k text;
BEGIN
	FOR r IN SELECT * FROM registry.recovery_keys('crash-rec') LOOP
		IF r.key LIKE 'hot:%' THEN
			PERFORM registry.flip_hot_ready(registry.parse_hot_chunk_key(r.key), 'crash-rec');
		ELSE
			SELECT p.chunk, p.kind INTO c, k FROM registry.parse_chunk_key(r.key) p;
			IF r.state = 'freezing' THEN
				PERFORM registry.flip_chunk_frozen(c, registry.mark_chunk_freezing(c, ARRAY[k], 'crash-rec'), 'crash-rec');
			ELSE
				PERFORM registry.delete_chunk_key(c, k, 'crash-rec');
			END IF;
		END IF;
	END LOOP;
END
\$\$" >/dev/null
crash
check "after the sweep and another power cut: nothing left to recover" \
	"$(q "SELECT count(*) FROM registry.recovery_keys('crash-rec')")" "0"
check "after the sweep: chunks 4 and 5 frozen, chunk 6 gone, hot chunk 7 ready" \
	"$(q "SELECT string_agg(key || '=' || value, ' ' ORDER BY key COLLATE \"C\") FROM registry.catalog_keys('', 'crash-rec')")" \
	"chunk:00000004:events=frozen chunk:00000004:ledgers=frozen chunk:00000004:txhash=frozen chunk:00000005:events=frozen chunk:00000005:ledgers=frozen chunk:00000005:txhash=frozen hot:chunk:00000007=ready"
check "the watermark is recomputed after the crash: through chunk 6 (below the ready hot chunk 7)" \
	"$(q "SELECT registry.last_committed_ledger('crash-rec')")" "70001"

# --- pg_dump keeps the catalog --------------------------------------------
echo "# pg_dump round trip"
q "SELECT registry.set_config_pin('config:earliest_ledger', '40002', 'crash-rec');
   SELECT registry.set_retention(2, 'crash-rec');" >/dev/null
DUMP_SQL="SELECT string_agg(key || '=' || value, ' ' ORDER BY key COLLATE \"C\") || ' floor=' || registry.retention_floor('crash-rec') FROM registry.catalog_keys('', 'crash-rec')"
before=$(q "$DUMP_SQL")
"$BIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -f "$BASE/crash.dump.sql"
psql -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE ${DB}_restored" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "${DB}_restored" -f "$BASE/crash.dump.sql" >/dev/null 2>&1
after=$(psql -X -A -t -q -h "$SOCK" -p "$PORT" -U postgres -d "${DB}_restored" -c "$DUMP_SQL" 2>&1)
check "before the dump: the catalog holds keys, a pin and a retention floor of 50002" "${before##* }" "floor=50002"
check "pg_dump and restore keep every key, state, pin and the retention setting" "$after" "$before"

# --- root locks across sessions -----------------------------------------
echo "# root locks"
try_lock() {
	psql -X -A -t -q -h "$SOCK" -p "$PORT" -U postgres -d "$DB" 2>&1 <<SQL
\set VERBOSITY verbose
SELECT registry.lock_roots('$1');
SELECT 'held=' || array_to_string(registry.held_roots(), ',');
SQL
}
hold_open "SELECT registry.lock_roots('{/srv/archive/ledgers,/srv/archive/hot}');" "crash-holder" ||
	check "a holder session locks its roots" no yes
holder=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE '%/* crash-holder */%' AND pid <> pg_backend_pid()")
out=$(try_lock '{/srv/archive/events,/srv/archive//hot/}')
check "a second session is refused with 55P03 naming the shared root" \
	"$(printf '%s\n' "$out" | grep -c 'ERROR:  55P03: storage root "/srv/archive/hot" is locked by another session')" "1"
check "the refusal names the holder's process" \
	"$(printf '%s\n' "$out" | grep -c "DETAIL:  Process $holder holds it; no root was locked.")" "1"
check "the refused session holds none of its roots (all or none)" "$(printf '%s\n' "$out" | grep '^held=')" "held="
out=$(try_lock '{/srv/archive/events}')
check "an unshared root is free for the second session" "$(printf '%s\n' "$out" | grep '^held=')" "held=/srv/archive/events"
check "the holder's backend is terminated" "$(q "SELECT pg_terminate_backend($holder, 5000)")" "t"
out=$(try_lock '{/srv/archive/events,/srv/archive/hot/.}')
check "after the holder died its root is free" "$(printf '%s\n' "$out" | grep '^held=')" "held=/srv/archive/events,/srv/archive/hot"
hold_open "SELECT registry.lock_roots('{/srv/archive/ledgers}');" "crash-holder2" ||
	check "a holder session locks its root" no yes
check "a root held by a live session is refused" \
	"$(try_lock '{/srv/archive/ledgers}' | grep -c 'ERROR:  55P03')" "1"
crash
check "after a power cut every root is free" "$(try_lock '{/srv/archive/ledgers}' | grep '^held=')" "held=/srv/archive/ledgers"

echo "# $(($(date +%s) - START)) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
