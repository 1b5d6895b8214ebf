#!/usr/bin/env bash
# pg_dump round trip: a database populated by every walkthrough script is
# dumped, restored into a fresh cluster, and every table of schema registry
# is compared row for row (an order-independent digest of every row, the
# multiset equivalent of EXCEPT both ways).  Then test/harness/after_restore.sql
# proves the restored database still works.
set -uo pipefail
REPO=${REGISTRY_REPO:?run me from ./run test}
BIN=${REGISTRY_PGBIN:?}
work=$REPO/tmp_check/dump_restore
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok - $2"; else fail=$((fail + 1)); echo "not ok - $2"; fi; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

rm -rf "$work"; mkdir -p "$work/sock"; chown -R postgres: "$work" 2>/dev/null || true
src="-X -q -v ON_ERROR_STOP=1 -d dump_src"

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS dump_src" -c 'CREATE DATABASE dump_src' >/dev/null
psql $src -c 'CREATE EXTENSION registry CASCADE' >/dev/null
ok=0
for f in "$REPO"/walkthrough/*.sql; do
	(cd "$REPO" && psql $src -f "$f" >/dev/null 2>"$work/walk.err") || { ok=1; echo "walkthrough $(basename "$f") failed:"; cat "$work/walk.err"; }
done
check $ok "every walkthrough script populates the source database"

"$BIN/pg_dump" -Fc -f "$work/dump" dump_src
check $? "pg_dump of the populated database"

as_pg "$BIN/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5479\n" "$work/sock" >>"$work/data/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
trap 'as_pg "$BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1' EXIT
dst="-X -q -v ON_ERROR_STOP=1 -h $work/sock -p 5479 -d dump_dst"
psql -X -q -h "$work/sock" -p 5479 -d postgres -c 'CREATE DATABASE dump_dst' >/dev/null
"$BIN/pg_restore" -h "$work/sock" -p 5479 -d dump_dst --exit-on-error "$work/dump" 2>"$work/restore.err"
rc=$?; [ $rc = 0 ] || cat "$work/restore.err"
check $rc "pg_restore into a fresh cluster"

tables=$(psql -X -At -d dump_src -c "SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'registry' AND c.relkind = 'r' ORDER BY 1")
digest="SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM %s t"
n=0
for t in $tables; do
	q=$(printf "$digest" "$t")
	a=$(psql -X -At -d dump_src -c "$q")
	b=$(psql -X -At -h "$work/sock" -p 5479 -d dump_dst -c "$q" 2>&1)
	[ "$a" = "$b" ]; check $? "$t: identical rows after restore ($a)"
	n=$((n + 1))
done
[ "$n" -gt 0 ]; check $? "there were tables to compare ($n)"

if [ -f "$REPO/test/harness/after_restore.sql" ]; then
	psql $dst -f "$REPO/test/harness/after_restore.sql" >"$work/after.out" 2>&1
	rc=$?; [ $rc = 0 ] || cat "$work/after.out"
	check $rc "the restored database works (after_restore.sql)"
fi
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS dump_src' >/dev/null
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
