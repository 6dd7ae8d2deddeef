#!/usr/bin/env bash
# run.sh — runs every libFuzzer target of tests/fuzz on its seed corpus.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]    (default 60 s each, all targets)
#
# Builds the `fuzz` preset first (clang, ASan + UBSan). The committed seeds
# in corpus/<name>/ are copied to a scratch corpus, so a run never changes
# the tree; a crash leaves its input as build/fuzz/crash-* and fails the
# run. Prints each target's executions, coverage and corpus size.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(calendar ical journal api)

cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

declare -A maxlen=([calendar]=4096 [ical]=4096 [journal]=8192 [api]=2048)
status=0
for t in "${targets[@]}"; do
  bin=build/fuzz/tests/fuzz/fuzz_$t
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$t/." "$work/"
  printf '=== fuzz_%s, %s s\n' "$t" "$secs"
  log=build/fuzz/fuzz_$t.log
  if ! "$bin" "$work" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
      -max_len="${maxlen[$t]}" -print_final_stats=1 -artifact_prefix=build/fuzz/ \
      >"$log" 2>&1; then
    status=1
    tail -n 40 "$log"
    printf '=== fuzz_%s FAILED (log: %s)\n' "$t" "$log"
  else
    grep -E 'DONE' "$log" | tail -n 1 || true
  fi
  rm -rf "$work"
done
exit $status
