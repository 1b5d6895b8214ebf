#!/usr/bin/env bash
# versions harness: (1) compare_versions(a, b)->>'diff' applied with GNU
# patch to a's implementation gives b's, over many generated pairs (empty
# files, missing final newlines, control characters, CRs, UTF-8, lines that
# look like diff headers, long files); (2) lineage_dot renders with
# dot -Tsvg; (3) a pg_dump / restore round trip keeps the registry.
# Run by ./run test with PGHOST/PGPORT/PGUSER set; REGISTRY_TEST_MODE=ci|release.
set -uo pipefail
pass=0
fail=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

export PGOPTIONS="-c client_min_messages=warning"
PAIRS=300
[ "${REGISTRY_TEST_MODE:-ci}" = release ] && PAIRS=3000
DB=versions_harness
DB2=versions_harness_restored
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
BIN=${REGISTRY_PGBIN:-$(pg_config --bindir)}

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $DB2" -c "CREATE DATABASE $DB" \
	|| { bad "create database"; finish; }
"${PSQL[@]}" -d $DB -c "CREATE EXTENSION registry" || { bad "create extension"; finish; }

# --- 1. diffs apply with patch -------------------------------------------
"${PSQL[@]}" -d $DB -v pairs=$PAIRS >/dev/null <<'SQL' || { bad "generating pairs"; finish; }
CREATE FUNCTION pg_temp.rand_line() RETURNS text LANGUAGE sql AS $$
	SELECT (ARRAY['', ' ', E'\t', 'int x = 1;', '}', '{', 'return x;', 'é ü 中文 ✓', E'a\rb', E'crlf\r',
	              E'ctl \x01\x02\x1b[0m', '--- a/file', '+++ b/file', '@@ -1,2 +1,2 @@', '\ No newline at end of file',
	              ' leading space', '-minus', '+plus', repeat('long ', 200), 'x', 'y', 'z'])
	       [1 + floor(random() * 22)::int]
$$;
CREATE FUNCTION pg_temp.mutate(lines text[]) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	b text[] := lines;
	pos int;
BEGIN
	FOR k IN 1..floor(random() * 12)::int LOOP
		pos := 1 + floor(random() * (cardinality(b) + 1))::int;
		CASE floor(random() * 3)::int
		WHEN 0 THEN b := b[1:pos - 1] || b[pos + 1:];
		WHEN 1 THEN b := b[1:pos - 1] || pg_temp.rand_line() || b[pos:];
		ELSE b := b[1:pos - 1] || pg_temp.rand_line() || b[pos + 1:];
		END CASE;
	END LOOP;
	RETURN b;
END
$$;
SELECT setseed(0.5);
CREATE TABLE pairs (n int PRIMARY KEY, a text, b text, va bigint, vb bigint);
INSERT INTO pairs (n, a, b)
SELECT n,
       CASE WHEN cardinality(la) = 0 THEN '' ELSE array_to_string(la, E'\n') || CASE WHEN random() < 0.6 THEN E'\n' ELSE '' END END,
       CASE WHEN cardinality(lb) = 0 THEN '' ELSE array_to_string(lb, E'\n') || CASE WHEN random() < 0.6 THEN E'\n' ELSE '' END END
  FROM (SELECT n, la,
               CASE WHEN n % 10 = 3 THEN ARRAY(SELECT pg_temp.rand_line() FROM generate_series(1, floor(random() * 30)::int))
                    WHEN n % 10 = 4 THEN '{}'::text[]
                    ELSE pg_temp.mutate(la) END AS lb
          FROM (SELECT n,
                       CASE WHEN n % 10 = 5 THEN '{}'::text[]
                            ELSE ARRAY(SELECT pg_temp.rand_line()
                                         FROM generate_series(1, CASE WHEN n % 25 = 0 THEN 3000 + floor(random() * 2000)::int
                                                                      ELSE floor(random() * 60)::int END)) END AS la
                  FROM generate_series(1, :pairs) AS n) x) y;
UPDATE pairs SET va = (registry.register('vt-harness', 'c' || n, a)).id;
UPDATE pairs SET vb = (registry.register('vt-harness', 'c' || n, b, parents => ARRAY[va])).id;
SQL

applied=0
wrong=0
emptydiff_ok=0
while IFS='|' read -r n a b d; do
	printf '%s' "$a" | base64 -d >"$work/a"
	printf '%s' "$b" | base64 -d >"$work/b"
	printf '%s' "$d" | base64 -d >"$work/d"
	if [ ! -s "$work/d" ]; then
		if cmp -s "$work/a" "$work/b"; then emptydiff_ok=$((emptydiff_ok + 1)); else
			wrong=$((wrong + 1)); echo "# pair $n: empty diff but the files differ"; fi
		continue
	fi
	rm -f "$work/out"
	if patch -s -f -o "$work/out" "$work/a" "$work/d" >"$work/patch.log" 2>&1 && cmp -s "$work/out" "$work/b"; then
		applied=$((applied + 1))
	else
		wrong=$((wrong + 1))
		[ "$wrong" -le 3 ] && { echo "# pair $n does not apply:"; head -5 "$work/patch.log"; }
	fi
done < <("${PSQL[@]}" -d $DB -At -F '|' -c "
	SELECT n, translate(encode(convert_to(a, 'UTF8'), 'base64'), E'\n', ''),
	          translate(encode(convert_to(b, 'UTF8'), 'base64'), E'\n', ''),
	          translate(encode(convert_to(registry.compare_versions(va, vb)->>'diff', 'UTF8'), 'base64'), E'\n', '')
	  FROM pairs ORDER BY n")
total=$((applied + emptydiff_ok + wrong))
if [ "$total" -eq "$PAIRS" ] && [ "$wrong" -eq 0 ]; then
	ok "patch applies compare_versions(a, b)->>'diff' to a and gives b on $applied pairs ($emptydiff_ok identical pairs have an empty diff)"
else
	bad "diff/patch: $wrong of $total pairs wrong (expected $PAIRS pairs)"
fi

# --- 2. lineage_dot renders ------------------------------------------------
"${PSQL[@]}" -d $DB >/dev/null <<'SQL' || bad "building a lineage tree"
DO $$
DECLARE ids bigint[] := '{}'; v bigint; p bigint[];
BEGIN
	FOR i IN 1..40 LOOP
		p := CASE WHEN i = 1 THEN NULL
				  WHEN i % 9 = 0 THEN ARRAY[ids[i - 1], ids[i / 2]]
				  WHEN i % 4 = 0 THEN ARRAY[ids[i / 2]]
				  ELSE ARRAY[ids[i - 1]] END;
		SELECT id INTO v FROM registry.register('vt-harness', 'dot "tree" \ <x>', 'impl ' || i, parents => p,
			metrics => jsonb_build_object('score', i / 40.0), status => CASE WHEN i % 3 = 0 THEN 'rejected "no"' ELSE 'ok' END);
		ids := ids || v;
	END LOOP;
END $$;
SQL
"${PSQL[@]}" -d $DB -At -c "SELECT registry.lineage_dot(id) FROM registry.versions
	WHERE project_id = 'vt-harness' AND component = 'dot \"tree\" \\ <x>' AND seq = 10" >"$work/lineage.dot"
if dot -Tsvg "$work/lineage.dot" >"$work/lineage.svg" 2>"$work/dot.err" && grep -q '<svg' "$work/lineage.svg"; then
	ok "dot -Tsvg renders lineage_dot ($(grep -c -- '->' "$work/lineage.dot") edges, hostile names and statuses)"
else
	bad "dot -Tsvg rejected lineage_dot: $(head -3 "$work/dot.err")"
fi

# --- 3. pg_dump round trip ---------------------------------------------------
if "$BIN/pg_dump" -Fc -d $DB -f "$work/dump" 2>"$work/dump.err" \
	&& "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB2" \
	&& "$BIN/pg_restore" -d $DB2 "$work/dump" 2>"$work/restore.err"; then
	q="SELECT count(*), sum(seq), count(DISTINCT implementation),
	          md5(string_agg(registry.get_implementation_text(id), '|' ORDER BY id))
	     FROM registry.versions WHERE project_id = 'vt-harness'"
	before=$("${PSQL[@]}" -d $DB -At -c "$q")
	after=$("${PSQL[@]}" -d $DB2 -At -c "$q")
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		ok "pg_dump / pg_restore keeps every version and implementation ($before)"
	else
		bad "pg_dump round trip differs: before [$before] after [$after]"
	fi
	next=$("${PSQL[@]}" -d $DB2 -At -c "SELECT seq FROM registry.register('vt-harness', 'c1', 'after restore')")
	if [ "$next" = 3 ]; then ok "after a restore, seqs continue (c1 gets seq 3)"; else bad "after restore the next seq is [$next], not 3"; fi
else
	bad "pg_dump/pg_restore failed: $(head -3 "$work/dump.err" "$work/restore.err" 2>/dev/null)"
fi

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1
finish
