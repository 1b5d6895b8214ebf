#!/usr/bin/env bash
# Upgrade test: for every frozen release (test/upgrade/registry--X.sql,
# copied into the private server tree's extension directory), a database
# created at that release and updated with ALTER EXTENSION registry UPDATE has
# the same catalog as a fresh install of the current version: functions with
# their attributes (definition, volatility, strictness, parallel safety,
# SECURITY DEFINER, settings, ACL), tables, columns, defaults, constraints,
# indexes, policies, triggers, comments, members and extconfig.  Rows stored
# at the old release survive the update.  The update runs with hostile objects planted
# by an unprivileged role in public (a text = operator, look-alike
# built-ins) and the superuser's search_path pointing there: none may run.
# Ends with "N passed, N failed".
set -uo pipefail
REPO=${REGISTRY_REPO:?run me from ./run test}
BIN=${REGISTRY_PGBIN:?}
EXTDIR=$BIN/../../../../share/postgresql/15/extension
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok - $2"; else fail=$((fail + 1)); echo "not ok - $2"; fi; }
q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$REPO/tmp_check/upgrade
rm -rf "$work"; mkdir -p "$work"
cleanup() { q -d postgres -c "DROP DATABASE IF EXISTS upg_old WITH (FORCE)" -c "DROP DATABASE IF EXISTS upg_new WITH (FORCE)" >/dev/null 2>&1; }
trap cleanup EXIT

cur=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$REPO/registry.control")
if [ "$cur" = 0.1.0 ]; then
	echo "# the current version is 0.1.0: nothing to upgrade from"
	check 0 "no upgrade step is needed for the first release"
	echo "$pass passed, $fail failed"; exit 0
fi
upgrade_from() {	# upgrade_from VERSION: create at VERSION, update, compare
local from=$1 OLD=$REPO/test/upgrade/registry--$1.sql rc n kind
echo "# from $from"
cleanup
cp "$OLD" "$EXTDIR/registry--$from.sql"; check $? "$from copied into the private server's extension directory"

q -d postgres -c "CREATE DATABASE upg_old" -c "CREATE DATABASE upg_new" >/dev/null
q -d upg_old -c "CREATE EXTENSION registry VERSION '$from'" >/dev/null 2>"$work/old.err"
check $? "CREATE EXTENSION registry VERSION '$from'"

# rows of every area at the old release (0.1.0's API)
q -d upg_old >/dev/null 2>"$work/data.err" <<'SQL'
SELECT registry.mark_chunk_freezing(1, '{events,ledgers}', 'upg');
SELECT registry.flip_chunk_frozen(1, '{events}', 'upg');
SELECT registry.put_hot_transient(2, 'upg');
SELECT registry.set_config_pin('config:earliest_ledger', '2', 'upg');
SELECT registry.set_retention(4, 'upg');
SELECT registry.put_artifact('upg', 'Tok', '[]', '0x6001');
SELECT registry.deploy('k1', '7', 'Tok', '0xaa', NULL, false, 'upg');
SELECT registry.set_active_chain('7');
SELECT registry.kv_put('upg', 'ns/a', '\x01');
SELECT registry.configure_component('upg', 'comp', version_strategy => 'semantic');
SELECT registry.register('upg', 'comp', 'body one'::text, version => '1.0.0');
SELECT registry.set_alias('upg', 'comp', 'prod', (registry.get_version('upg', 'comp', '1.0.0')).id);
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'upg_user') THEN CREATE ROLE upg_user; END IF; END $$;
SELECT registry.grant_project('upg', 'upg_user', 'read');
SQL
check $? "rows stored in every area at $from"
digest="SELECT t || ' ' || n FROM (
  SELECT c.oid::regclass::text AS t,
         (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) || md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) AS n FROM %s x', c.oid::regclass), false, false, '')))[1]::text AS n
    FROM pg_class c WHERE c.relnamespace = 'registry'::regnamespace AND c.relkind = 'r') s ORDER BY 1"
q -d upg_old -c "$digest" >"$work/rows_before"

# hostile objects an unprivileged role plants in public, on the superuser's path
q -d upg_old >/dev/null 2>"$work/hostile.err" <<'SQL'
CREATE TABLE public.upg_trace (what text);
GRANT INSERT ON public.upg_trace TO PUBLIC;
GRANT CREATE ON SCHEMA public TO PUBLIC;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'upg_hostile') THEN CREATE ROLE upg_hostile; END IF; END $$;
SET ROLE upg_hostile;
CREATE FUNCTION public.eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('= text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.eq);
CREATE FUNCTION public.oideq(oid, oid) RETURNS boolean LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('= oid'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.oideq);
CREATE FUNCTION public.format(text, VARIADIC text[]) RETURNS text LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('format'); RETURN pg_catalog.format($1, VARIADIC $2); END $f$;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('lower'); RETURN pg_catalog.lower($1); END $f$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('now'); RETURN pg_catalog.now(); END $f$;
CREATE FUNCTION public.pg_extension_config_dump(regclass, text) RETURNS void LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('pg_extension_config_dump'); END $f$;
CREATE FUNCTION public.accessible_projects(name, text) RETURNS text[] LANGUAGE plpgsql AS
	$f$ BEGIN INSERT INTO public.upg_trace VALUES ('accessible_projects'); RETURN '{}'; END $f$;
RESET ROLE;
SQL
check $? "an unprivileged role planted hostile objects in public"

PGOPTIONS="-c search_path=public,pg_catalog" q -d upg_old -c "ALTER EXTENSION registry UPDATE" 2>"$work/update.err"
rc=$?; [ $rc = 0 ] || cat "$work/update.err"
check $rc "$from: ALTER EXTENSION registry UPDATE (search_path = public, pg_catalog)"
check "$([ "$(q -d upg_old -c "SELECT extversion FROM pg_extension WHERE extname = 'registry'")" = "$cur" ]; echo $?)" "the extension is at $cur"
n=$(q -d upg_old -c "SELECT count(*) FROM public.upg_trace")
[ "$n" = 0 ]; check $? "no hostile object ran during the update ($n traces)"

q -d upg_old -c "$digest" >"$work/rows_after"
diff "$work/rows_before" "$work/rows_after" >"$work/rows.diff"; rc=$?
[ $rc = 0 ] || head -20 "$work/rows.diff"
check $rc "every row stored at $from is unchanged after the update ($(wc -l <"$work/rows_before") tables)"
q -d upg_old -c "DROP TABLE public.upg_trace" -c "DROP OPERATOR public.= (text, text)" -c "DROP OPERATOR public.= (oid, oid)" \
	-c "DROP FUNCTION public.eq(text, text), public.oideq(oid, oid), public.format(text, text[]), public.lower(text), public.now(), public.pg_extension_config_dump(regclass, text), public.accessible_projects(name, text)" >/dev/null

q -d upg_new -c "CREATE EXTENSION registry" >/dev/null
check $? "CREATE EXTENSION registry (fresh $cur)"

# the catalog of the extension, one line per fact, by kind
cat >"$work/catalog.sql" <<'SQL'
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'registry'),
mem AS (SELECT d.classid, d.objid FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (SELECT c.* FROM pg_class c WHERE c.relnamespace = 'registry'::regnamespace)
SELECT kind, line FROM (
  SELECT 'member' AS kind, pg_describe_object(classid, objid, 0) AS line FROM mem
  UNION ALL
  SELECT 'function', p.oid::regprocedure || ' ' || concat_ws(' | ', p.provolatile, p.proisstrict, p.proparallel, p.prosecdef,
         p.proleakproof, p.proconfig::text, p.proacl::text, pg_get_userbyid(p.proowner),
         CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE md5(pg_get_functiondef(p.oid)) END)
    FROM pg_proc p WHERE p.pronamespace = 'registry'::regnamespace
  UNION ALL
  SELECT 'table', c.relname || ' ' || concat_ws(' | ', c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text,
         c.reloptions::text, c.relpersistence, pg_get_expr(c.relpartbound, c.oid), pg_get_partkeydef(c.oid))
    FROM rels c
  UNION ALL
  SELECT 'column', c.relname || '.' || a.attname || ' ' || concat_ws(' | ', format_type(a.atttypid, a.atttypmod), a.attnotnull,
         a.attgenerated, a.attidentity, a.attstorage, a.attcollation::regcollation::text, a.attacl::text,
         pg_get_expr(ad.adbin, ad.adrelid))
    FROM rels c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
  UNION ALL
  SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'registry'::regnamespace
  UNION ALL
  SELECT 'index', pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels c ON c.oid = i.indrelid
  UNION ALL
  SELECT 'policy', c.relname || ' ' || concat_ws(' | ', p.polname, p.polcmd, p.polpermissive, p.polroles::regrole[]::text,
         pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
    FROM pg_policy p JOIN rels c ON c.oid = p.polrelid
  UNION ALL
  SELECT 'trigger', pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN rels c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || replace(d.description, E'\n', ' ')
    FROM pg_description d WHERE d.objoid >= 16384
  UNION ALL
  SELECT 'type', t.typname || ' ' || concat_ws(' | ', t.typtype, t.typacl::text, t.typcollation)
    FROM pg_type t WHERE t.typnamespace = 'registry'::regnamespace
  UNION ALL
  SELECT 'sequence', s.seqrelid::regclass || ' ' || concat_ws(' | ', s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN rels c ON c.oid = s.seqrelid
  UNION ALL
  SELECT 'extconfig', (SELECT string_agg(x::regclass::text || ' ' || coalesce(y, ''), ', ' ORDER BY x::regclass::text)
                         FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(x, y) WHERE e.extname = 'registry')
  UNION ALL
  SELECT 'schema', n.nspname || ' ' || coalesce(n.nspacl::text, '') FROM pg_namespace n WHERE n.nspname = 'registry'
) s ORDER BY 1, 2;
SQL
q -d upg_old -F ' :: ' -f "$work/catalog.sql" >"$work/old.cat"
q -d upg_new -F ' :: ' -f "$work/catalog.sql" >"$work/new.cat"
for kind in member function table column constraint index policy trigger comment type sequence extconfig schema; do
	grep "^$kind :: " "$work/old.cat" >"$work/old.$kind"
	grep "^$kind :: " "$work/new.cat" >"$work/new.$kind"
	n=$(wc -l <"$work/new.$kind")
	diff "$work/new.$kind" "$work/old.$kind" >"$work/$kind.diff"; rc=$?
	[ $rc = 0 ] || { echo "# fresh (<) vs updated (>) $kind:"; head -10 "$work/$kind.diff" | cut -c1-300; }
	[ "$n" -gt 0 ] || { rc=1; echo "# no $kind line at all: the comparison would be empty"; }
	check $rc "$kind: updated from $from equals fresh ($n lines)"
done

}

olds=$(cd "$REPO/test/upgrade" && ls registry--*.sql | sed 's/^registry--\(.*\)\.sql$/\1/' | sort -V)
[ -n "$olds" ]; check $? "frozen install scripts of earlier releases: $(echo $olds)"
for v in $olds; do
	[ "$v" = "$cur" ] && { echo "# $v is the current version: a frozen script must be of an earlier release"; check 1 "frozen $v"; continue; }
	upgrade_from "$v"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
