#!/usr/bin/env bash
# abicheck.sh — compare a freshly built libpowersvc with the committed ABI
# baseline (docs/abi.md). .ci/run runs it on the `test` preset's library.
#
#   tests/abi/abicheck.sh BUILT_LIB [BASELINE]
#
# BUILT_LIB must carry debug info (the presets build RelWithDebInfo or Debug).
# BASELINE defaults to tests/abi/libpowersvc.abi, written by abidw through
# update-baseline.sh. The headers are this checkout's include/: only types
# declared there are public, so the library's private structs (psvc_ctx,
# psvc_customer, ...) may change freely.
#
# abidiff's exit status is a bit mask:
#     1  ABIDIFF_ERROR                    -> fail
#     2  ABIDIFF_USAGE_ERROR              -> fail
#     4  ABIDIFF_ABI_CHANGE               -> see below
#     8  ABIDIFF_ABI_INCOMPATIBLE_CHANGE  -> fail (removed functions or symbols)
# abidiff sets 8 only for what it can prove incompatible. A changed struct
# layout (members moved, inserted, removed, retyped) or a changed parameter
# type comes with bit 4 alone, like an added function. So with bit 4 the
# report's summary decides: added functions and variables pass (reported);
# any changed or removed one fails. That includes members appended to a
# size-first struct, which docs/abi.md allows in a minor release: such a
# change is recorded deliberately with update-baseline.sh, never waved
# through.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

{ [ $# -ge 1 ] && [ $# -le 2 ]; } || { echo "usage: $0 BUILT_LIB [BASELINE]" >&2; exit 2; }
lib=$1
baseline=${2:-$here/libpowersvc.abi}
[ -f "$lib" ] || { echo "abicheck: no such library: $lib" >&2; exit 2; }
[ -f "$baseline" ] || { echo "abicheck: no baseline: $baseline" >&2; exit 2; }
command -v abidiff >/dev/null || { echo "abicheck: abidiff not found (install abigail-tools)" >&2; exit 2; }

# abidiff --fail-no-debug-info does not catch a library without DWARF when
# the other side is an abixml file (libabigail 2.2): it then compares symbol
# names only and misses every layout change. So check it here.
if ! readelf -S "$lib" 2>/dev/null | grep -Eq '\.(z?debug_info)\b'; then
  echo "abicheck: $lib has no debug info (.debug_info); build with -g:" >&2
  echo "          the test or default preset (RelWithDebInfo), or Debug" >&2
  exit 2
fi

echo "abicheck: $(abidiff --version)"
echo "abicheck: baseline $baseline"
echo "abicheck: library  $lib"
echo "abicheck: headers  $root/include"

# --fail-no-debug-info: without DWARF abidiff would quietly compare symbol
#   names only, which is the symbol test's job, not this one's (checked
#   above as well, since this flag alone is not enough).
# --headers-dir2 + --drop-private-types: types not declared in include/ are
#   opaque to integrators and not compared. (The baseline keeps its source
#   locations for this reason; see update-baseline.sh.)
# No --no-added-syms: added functions are shown, so that review sees them.
status=0
report=$(abidiff --fail-no-debug-info \
                 --headers-dir2 "$root/include" --drop-private-types \
                 "$baseline" "$lib" 2>&1) || status=$?
echo
printf '%s\n' "${report:-(no differences)}"
echo

fail() {
  printf 'FAIL: %s (abidiff status %d)\n' "$1" "$status"
  shift
  printf '      %s\n' "$@"
  exit 1
}

(( status & 1 )) && fail "abidiff reported an error"
(( status & 2 )) && fail "abidiff usage error"
(( status & ~15 )) && fail "abidiff set an unknown status bit"
(( status & 8 )) &&
  fail "incompatible ABI change against $(basename "$baseline")" \
       "Removing a public function or symbol, or changing a symbol's version," \
       "is allowed only with a new major version and SONAME (docs/abi.md)."

if (( status & 4 )); then
  # "Functions changes summary: 0 Removed, 1 Changed (2 filtered out), 3 Added functions"
  # "Variables changes summary: 0 Removed, 0 Changed, 0 Added variable"
  # "Function symbols changes summary: 0 Removed, 1 Added function symbol not referenced by debug info"
  bad=$(grep -E '^(Functions|Variables|Function symbols|Variable symbols) changes summary:' <<<"$report" |
        grep -E '[^0-9]([1-9][0-9]*) (Removed|Changed)' || true)
  summary=$(grep -c 'changes summary:' <<<"$report" || true)
  if [ -n "$bad" ] || [ "$summary" -eq 0 ]; then
    hint=("No public function, struct layout or parameter may change within a major"
          "version (docs/abi.md).")
    if grep -q 'data member insertion' <<<"$report" &&
       ! grep -Eq 'data member (change|deletion)|offset changed|type size hasn.t changed' <<<"$report"; then
      hint+=("This looks like members appended at the end of a struct: allowed only"
             "for a struct that starts with uint32_t size (or the store table, with a"
             "new PSVC_STORE_ABI), when the library honours it. If so, record it"
             "deliberately: tests/abi/update-baseline.sh.")
    fi
    fail "public functions, variables or types changed or were removed" "${hint[@]}"
  fi
  echo "OK (with additions): the library adds to the baseline's ABI, which is compatible."
  echo "   The symbol test (abi.symbols) asks for new exports to be recorded in"
  echo "   symbols.txt: tests/abi/update-baseline.sh, with a note (docs/abi.md)."
  exit 0
fi
echo "OK: no ABI change against $(basename "$baseline")"
