#!/usr/bin/env bash
# update-baseline.sh — regenerate the committed ABI baseline from a build:
# tests/abi/libpowersvc.abi (abidw) and tests/abi/symbols.txt (exported
# symbols). Run it only for a conscious ABI change (docs/abi.md says when
# that is allowed), and commit both files with the change that needs them,
# saying why.
#
#   tests/abi/update-baseline.sh [BUILD_DIR]     (default: build/test)
#
# The build must be a plain one with debug info: the `test` or `default`
# preset (RelWithDebInfo), not asan or coverage. The output does not depend
# on where the checkout lives (no absolute paths), so a baseline written here
# compares cleanly in CI's fresh clone.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/test}
lib=$build/libpowersvc.so

die() { printf 'update-baseline: %s\n' "$*" >&2; exit 1; }

command -v abidw >/dev/null || die "abidw not found (install abigail-tools)"
[ -f "$lib" ] || die "no $lib: build first (cmake --workflow --preset test)"
cache=$build/CMakeCache.txt
if [ -f "$cache" ]; then
  grep -Eq '^PSVC_(SANITIZE|COVERAGE):BOOL=ON' "$cache" &&
    die "$build is a sanitizer or coverage build; use the test or default preset"
fi
readelf -S "$lib" | grep -q '\.debug_info' ||
  die "$lib has no debug info; use the test or default preset (RelWithDebInfo)"

# The flags make the baseline independent of the checkout's location: no
# corpus or compilation-directory paths and source locations as bare file
# names (powersvc.h:163). The locations must stay: abidiff --headers-dir2
# tells public types from private ones by them, and would silently ignore
# every type of a baseline without locations. Also: no undefined (libc)
# symbols or DT_NEEDED entries, type ids derived from the types (stable
# across regenerations), and only the types declared in include/.
abidw --headers-dir "$root/include" --drop-private-types \
      --no-corpus-path --no-comp-dir-path --short-locs \
      --drop-undefined-syms --no-elf-needed --type-id-style hash \
      --out-file "$here/libpowersvc.abi" "$lib"

{
  echo "# Exported symbols of libpowersvc.so (nm -D --defined-only), checked by"
  echo "# abi.symbols (check-symbols.sh). Written by update-baseline.sh: see docs/abi.md."
  bash "$here/check-symbols.sh" --list "$lib"
} >"$here/symbols.txt"

grep -q . "$here/libpowersvc.abi" || die "abidw wrote an empty baseline"
echo "update-baseline: wrote tests/abi/libpowersvc.abi and tests/abi/symbols.txt from $lib"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" --no-pager diff --stat -- tests/abi/libpowersvc.abi tests/abi/symbols.txt || true
  git -C "$root" --no-pager diff -- tests/abi/symbols.txt || true
fi
echo "update-baseline: review the diff, and say in the commit why the ABI changed (docs/abi.md)"
