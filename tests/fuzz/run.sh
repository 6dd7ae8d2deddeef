#!/usr/bin/env bash
# run.sh — runs every libFuzzer target of tests/fuzz on its seed corpus.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]    (default 60 s each, all targets)
#
# Builds the `fuzz` preset first (clang, ASan + UBSan). The committed seeds
# in corpus/<name>/ are copied to a scratch corpus, so a run never changes
# the tree; a crash leaves its input as build/fuzz/crash-* and fails the
# run. Two targets run at a time (PSVC_FUZZ_JOBS). Prints each target's
# executions, coverage and corpus size.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(calendar ical journal api csv)
jobs=${PSVC_FUZZ_JOBS:-2}

cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

one() {
  local t=$1 secs=$2 maxlen
  case $t in journal | csv) maxlen=8192 ;; api) maxlen=2048 ;; *) maxlen=4096 ;; esac
  local work log=build/fuzz/fuzz_$t.log
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$t/." "$work/"
  if "build/fuzz/tests/fuzz/fuzz_$t" "$work" -max_total_time="$secs" -timeout=20 \
      -rss_limit_mb=2560 -max_len="$maxlen" -print_final_stats=1 \
      -artifact_prefix=build/fuzz/ >"$log" 2>&1; then
    printf '=== fuzz_%-9s %5s s  %s\n' "$t" "$secs" "$(grep -E 'DONE' "$log" | tail -n 1)"
    rm -rf "$work"
  else
    rm -rf "$work"
    tail -n 40 "$log"
    printf '=== fuzz_%s FAILED (log: %s)\n' "$t" "$log"
    return 1
  fi
}
export -f one

printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "one {} $secs"
