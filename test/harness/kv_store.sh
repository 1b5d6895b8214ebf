#!/usr/bin/env bash
# Key/value store harness (run by ./run test with PGHOST/PGPORT/PGUSER set to
# the throwaway cluster and REGISTRY_PGBIN to its binaries):
#  1. pagination under concurrent writes: while pgbench inserts new keys and
#     rewrites existing ones under one prefix, a reader pages through the
#     prefix again and again (kv_list with after + limit); every walk must be
#     strictly increasing (no key repeated) and hold every key that existed
#     before the walk began (none skipped);
#  2. pg_dump keeps the store: a dump (plain and custom format) restored into a
#     new database holds the same rows, the empty org included.
# Ends with "N passed, N failed"; bounded (ci: ~15 s, release: ~60 s).
set -uo pipefail
BIN=${REGISTRY_PGBIN:-$(pg_config --bindir)}
MODE=${REGISTRY_TEST_MODE:-ci}
DB=kv_harness
DB2=kv_harness_restored
PASSED=0
FAILED=0
check() {
	if [ "$2" = "$3" ]; then
		PASSED=$((PASSED + 1)); echo "ok - $1"
	else
		FAILED=$((FAILED + 1)); echo "not ok - $1 (got '$2', want '$3')"
	fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1' EXIT

q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" \
	-c "CREATE DATABASE $DB" 2>/dev/null
q -d $DB -c "CREATE EXTENSION registry"

# --- 1. pagination under concurrent writes --------------------------------
if [ "$MODE" = release ]; then SECS=40; else SECS=8; fi
q -d $DB -c "SELECT count(registry.kv_put('kvh', format('sc/pg/k%s', lpad((i * 10)::text, 7, '0')), 'v')) FROM generate_series(1, 2000) AS i" >/dev/null
cat >"$tmp/writer.sql" <<'SQL'
\set i random(1, 20000)
\set j random(1, 2000)
SELECT registry.kv_put('kvh', format('sc/pg/k%s', lpad((:i * 10 + 5)::text, 7, '0')), 'new');
SELECT registry.kv_put('kvh', format('sc/pg/k%s', lpad((:j * 10)::text, 7, '0')), 'rewritten');
SQL
"$BIN/pgbench" -n -c 2 -j 2 -T "$SECS" -f "$tmp/writer.sql" $DB >"$tmp/pgbench.out" 2>&1 &
wpid=$!
q -d $DB >"$tmp/walks.out" <<SQL
CREATE TEMP TABLE walk (n int, pos int, key text COLLATE "C");
CREATE TEMP TABLE before (n int, key text COLLATE "C");
DO \$\$
DECLARE
	n int := 0;
	pos int;
	cur text;
	r record;
	t0 timestamptz := clock_timestamp();
BEGIN
	WHILE clock_timestamp() < t0 + interval '$SECS seconds' - interval '1 second' OR n < 3 LOOP
		n := n + 1;
		INSERT INTO before SELECT n, key FROM registry.kv WHERE org = 'kvh' AND key LIKE 'sc/pg/%';
		cur := NULL;
		pos := 0;
		LOOP
			r := NULL;
			FOR r IN SELECT key FROM registry.kv_list('kvh', 'sc/pg/', cur, 37) LOOP
				pos := pos + 1;
				INSERT INTO walk VALUES (n, pos, r.key);
				cur := r.key;
			END LOOP;
			EXIT WHEN r IS NULL;
		END LOOP;
	END LOOP;
END
\$\$;
SELECT count(DISTINCT n) FROM walk;
SELECT count(*) FROM walk w JOIN walk v ON v.n = w.n AND v.pos = w.pos + 1 WHERE v.key <= w.key;
SELECT count(*) FROM before b WHERE NOT EXISTS (SELECT FROM walk w WHERE w.n = b.n AND w.key = b.key);
SELECT count(DISTINCT key) > 2000 FROM walk;
SQL
wait $wpid
wrc=$?
mapfile -t res <"$tmp/walks.out"
echo "# ${res[0]:-0} full walks while pgbench wrote: $(grep -E '^(number of transactions actually processed|tps)' "$tmp/pgbench.out" | tr '\n' ' ')"
check "the concurrent writer ran" "$wrc" 0
check "at least three full walks ran" "$([ "${res[0]:-0}" -ge 3 ] && echo yes)" yes
check "no walk repeats a key or goes backwards" "${res[1]:-x}" 0
check "no walk skips a key that existed when it began" "${res[2]:-x}" 0
check "the walks saw keys the writer added while they ran" "${res[3]:-x}" t

# --- 2. pg_dump keeps the store ------------------------------------------
q -d $DB -c "SELECT count(registry.kv_put(o, k, decode(md5(o || k), 'hex')))
               FROM unnest(ARRAY['', 'acme', 'globex']) AS o,
                    unnest(ARRAY['ns/prod', 'wf/prod/w1/r1', E'sc/prod/\u00e9', 'nx/dev/ep']) AS k" >/dev/null
sig="SELECT count(*) || ' ' || md5(string_agg(org || '|' || namespace || '|' || key || '|' || encode(value, 'hex') || '|' || upd, ',' ORDER BY org, key)) FROM registry.kv"
want=$(q -d $DB -c "$sig")
"$BIN/pg_dump" -d $DB -f "$tmp/plain.sql"
q -d postgres -c "CREATE DATABASE $DB2"
q -d $DB2 -f "$tmp/plain.sql" >/dev/null 2>"$tmp/restore.err"
check "a plain pg_dump restores every row" "$(q -d $DB2 -c "$sig")" "$want"
check "the restored empty org is still reported as ''" "$(q -d $DB2 -c "SELECT count(*) FROM registry.kv_orgs() o WHERE o = ''")" 1
q -d postgres -c "DROP DATABASE $DB2" -c "CREATE DATABASE $DB2"
"$BIN/pg_dump" -Fc -d $DB -f "$tmp/custom.dump"
"$BIN/pg_restore" -d $DB2 "$tmp/custom.dump" 2>>"$tmp/restore.err"
check "a custom-format pg_dump restores every row" "$(q -d $DB2 -c "$sig")" "$want"
check "kv_list works on the restored database" \
	"$(q -d $DB2 -c "SELECT string_agg(key, ' ') FROM registry.kv_list('acme', 'ns/')")" "ns/prod"
[ -s "$tmp/restore.err" ] && sed 's/^/# restore: /' "$tmp/restore.err" | head -5

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
