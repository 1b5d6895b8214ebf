#!/usr/bin/env bash
# Conformance of registry.semver with node-semver (the npm package `semver`,
# pinned below): thousands of generated version pairs and (version, range)
# pairs; the registry's semver_cmp / version_cmp / satisfies / max_satisfying
# must give node-semver's compare / satisfies / maxSatisfying answers for every
# one, and reject (22P02) exactly the ranges node-semver rejects.
# Run by ./run test with PGHOST/PGPORT/PGUSER, REGISTRY_REPO, REGISTRY_TEST_MODE.
set -uo pipefail
REPO=${REGISTRY_REPO:?run me from ./run test}
NODE_SEMVER=${NODE_SEMVER:-7.8.6}
MODE=${REGISTRY_TEST_MODE:-ci}
N=${SEMVER_NODE_N:-$([ "$MODE" = release ] && echo 200000 || echo 20000)}
SEED=${SEED:-$(date +%s)}
dir=$REPO/tmp_check/node
passed=0
failed=0
check() { # check <ok 0|1> <what>
	if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "ok   - $2"; else failed=$((failed + 1)); echo "FAIL - $2"; fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

mkdir -p "$dir"
if [ "$(cd "$dir" && node -p 'require("semver/package.json").version' 2>/dev/null)" != "$NODE_SEMVER" ]; then
	(cd "$dir" && npm install --no-audit --no-fund --silent --no-save "semver@$NODE_SEMVER" >/dev/null 2>&1)
fi
if ! got=$(cd "$dir" && node -p 'require("semver/package.json").version' 2>/dev/null); then
	check 1 "install node-semver $NODE_SEMVER with npm into tmp_check/node"
	finish
fi
check 0 "node-semver $got installed in tmp_check/node"

data=$dir/cases.tsv
(cd "$dir" && NODE_PATH=$dir/node_modules node "$REPO/test/harness/semver_gen.js" "$SEED" "$N") >"$data" || {
	check 1 "generate cases with node-semver (seed $SEED)"; finish; }
echo "# seed $SEED: $(grep -c '^cmp' "$data") version pairs, $(grep -c '^sat' "$data") (version, range) pairs, $(grep -c '^max' "$data") max_satisfying cases"
chmod a+r "$data"

db=semver_node_$$
psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null || { check 1 "create database"; finish; }
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '"$db"'" >/dev/null 2>&1' EXIT
res=$(psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION registry;
SET search_path = registry, public;
CREATE TABLE cases (kind text, a text, b text, expect text);
\copy cases FROM '$data' WITH (FORMAT text, DELIMITER E'\t')
CREATE FUNCTION try_sat(v text, r text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN registry.satisfies(v::registry.semver, r)::text;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN 'invalid';
END \$\$;
CREATE FUNCTION try_max(vs text, r text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN coalesce(registry.max_satisfying(string_to_array(vs, ',')::registry.semver[], r)::text, 'null');
EXCEPTION WHEN invalid_text_representation THEN
	RETURN 'invalid';
END \$\$;
CREATE TABLE got AS
SELECT kind, a, b, expect,
       CASE kind
         WHEN 'cmp' THEN registry.semver_cmp(a::registry.semver, b::registry.semver)::text
                         || '/' || registry.version_cmp(a, b)::text
         WHEN 'sat' THEN try_sat(a, b)
         ELSE try_max(a, b) END AS answer
  FROM cases;
SELECT 'cmp', count(*) FILTER (WHERE answer = expect || '/' || expect), count(*) FROM got WHERE kind = 'cmp';
SELECT 'sat', count(*) FILTER (WHERE answer = expect), count(*) FROM got WHERE kind = 'sat';
SELECT 'sattrue', count(*) FILTER (WHERE expect = 'true'), count(*) FILTER (WHERE expect = 'invalid') FROM got WHERE kind = 'sat';
SELECT 'max', count(*) FILTER (WHERE answer = expect), count(*) FROM got WHERE kind = 'max';
SELECT 'bad', kind, a, b, expect, answer FROM got
 WHERE answer IS DISTINCT FROM (CASE WHEN kind = 'cmp' THEN expect || '/' || expect ELSE expect END) LIMIT 25;
SQL
)
rc=$?
if [ $rc -ne 0 ]; then
	echo "$res" | tail -20
	check 1 "run the cases in PostgreSQL"
	finish
fi
echo "$res" | grep '^bad|' | sed 's/^bad|/# mismatch: /'
line() { echo "$res" | grep "^$1|"; }
IFS='|' read -r _ ok tot <<<"$(line cmp)"
check $([ "$ok" = "$tot" ] && [ "$tot" -gt 0 ] && echo 0 || echo 1) "semver_cmp and version_cmp equal node-semver compare on $ok of $tot version pairs"
IFS='|' read -r _ ok tot <<<"$(line sat)"
IFS='|' read -r _ ntrue ninv <<<"$(line sattrue)"
check $([ "$ok" = "$tot" ] && [ "$tot" -gt 0 ] && echo 0 || echo 1) "satisfies equals node-semver satisfies on $ok of $tot (version, range) pairs ($ntrue true, $ninv ranges rejected by both)"
IFS='|' read -r _ ok tot <<<"$(line max)"
check $([ "$ok" = "$tot" ] && [ "$tot" -gt 0 ] && echo 0 || echo 1) "max_satisfying equals node-semver maxSatisfying on $ok of $tot arrays"
finish
