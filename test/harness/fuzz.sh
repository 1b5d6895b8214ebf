#!/usr/bin/env bash
# Builds every libFuzzer target fuzz/<area>_fuzz.c with
#   clang -fsanitize=fuzzer,address,undefined
# (linking the plain-C sources named on its "// FUZZ_SOURCES:" line) and runs
# each for a bounded time from its seed corpus fuzz/corpus/<area>/ (copied to
# tmp_check/fuzz/, so runs never write into the repository).  A crash, a
# leak, a sanitizer report or a failed invariant (abort) fails the target.
# REGISTRY_TEST_MODE=ci: 20 s per target (fewer when there are more than four
# targets, so the harness stays within about 90 s, but at least 10 s each);
# release: 300 s each; FUZZ_SECONDS overrides both.  It also checks that every
# src/*_core.c is linked by a target and every target has a seed corpus.  A target may name extra
# compiler or linker flags on a "// FUZZ_CFLAGS:" line.
set -uo pipefail
REPO=${REGISTRY_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
MODE=${REGISTRY_TEST_MODE:-ci}
work=$REPO/tmp_check/fuzz
passed=0
failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "ok   - $2"; else failed=$((failed + 1)); echo "FAIL - $2"; fi; }

if ! command -v clang >/dev/null 2>&1; then
	check 1 "clang is installed (apt-get install clang libclang-rt-14-dev)"
	echo "$passed passed, $failed failed"
	exit 1
fi
mkdir -p "$work"
shopt -s nullglob
targets=("$REPO"/fuzz/*_fuzz.c)
if [ ${#targets[@]} -eq 0 ]; then
	check 1 "at least one fuzz target under fuzz/"
fi
# Every plain-C core (src/*_core.c: the parsers and arithmetic) is linked by
# some target, and every target has a checked-in seed corpus.
for core in "$REPO"/src/*_core.c; do
	rel=src/$(basename "$core")
	if grep -l "^// FUZZ_SOURCES:.*[[:space:]]$rel\([[:space:]]\|\$\)" "${targets[@]}" >/dev/null 2>&1; then
		check 0 "$rel is fuzzed (named on a // FUZZ_SOURCES: line)"
	else
		check 1 "$rel is fuzzed (named on a // FUZZ_SOURCES: line of some fuzz/*_fuzz.c)"
	fi
done
for src in "${targets[@]}"; do
	area=$(basename "$src" _fuzz.c)
	n=$(ls "$REPO/fuzz/corpus/$area" 2>/dev/null | wc -l)
	if [ "$n" -gt 0 ]; then check 0 "fuzz/corpus/$area holds a seed corpus ($n files)"; else check 1 "fuzz/corpus/$area holds a seed corpus"; fi
done
if [ -n "${FUZZ_SECONDS:-}" ]; then
	SECS=$FUZZ_SECONDS
elif [ "$MODE" = release ]; then
	SECS=300
else
	SECS=$((90 / (${#targets[@]} > 0 ? ${#targets[@]} : 1)))
	[ "$SECS" -gt 20 ] && SECS=20
	[ "$SECS" -lt 10 ] && SECS=10
fi
for src in "${targets[@]}"; do
	name=$(basename "$src" .c)
	area=${name%_fuzz}
	sources=$(sed -n 's|^// FUZZ_SOURCES:[[:space:]]*||p' "$src" | head -1)
	if [ -z "$sources" ]; then
		check 1 "$name: has a // FUZZ_SOURCES: line"
		continue
	fi
	srcs=()
	for f in $sources; do srcs+=("$REPO/$f"); done
	read -r -a extra <<<"$(sed -n 's|^// FUZZ_CFLAGS:[[:space:]]*||p' "$src" | head -1)"
	bin=$work/$name
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$REPO/src" -o "$bin" "$src" "${srcs[@]}" "${extra[@]}" >"$work/$name.build.log" 2>&1; then
		tail -20 "$work/$name.build.log"
		check 1 "$name: builds with clang -fsanitize=fuzzer,address,undefined"
		continue
	fi
	corpus=$work/corpus_$area
	mkdir -p "$corpus"
	[ -d "$REPO/fuzz/corpus/$area" ] && cp -n "$REPO/fuzz/corpus/$area"/* "$corpus"/ 2>/dev/null
	rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
	log=$work/$name.log
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 "$corpus" >"$log" 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -1)
	if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed' "$log"; then
		grep -E 'ERROR:|runtime error:|invariant failed|SUMMARY' "$log" | head -10
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head -3
		check 1 "$name: ${SECS}s of fuzzing without a crash, leak or sanitizer report (exit $rc, ${execs:-?} executions)"
	else
		check 0 "$name: ${SECS}s of fuzzing, ${execs:-?} executions, $(ls "$corpus" | wc -l) corpus entries, no crash, leak or sanitizer report"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
