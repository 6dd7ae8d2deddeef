#!/usr/bin/env bash
# run.sh — the install test (ctest: abi.install; docs/abi.md).
#
#   run.sh BUILD_DIR [SOURCE_DIR]
#
# Installs BUILD_DIR with `cmake --install` into a temporary prefix and then,
# entirely outside the source and build trees, builds and runs:
#   1. consumer.c with `cc $(pkg-config --cflags --libs libpowersvc)`,
#   2. the README's C example, the same way (so the README never lies),
#   3. consumer.c with CMake: find_package(powersvc) and powersvc::powersvc,
#   4. consumer.c with CMake and powersvc::powersvc_static.
# Each program must build and exit 0, and each must really use the installed
# copy (not a system one, not the build tree).
#
# Environment (abi.cmake sets it): CC, PSVC_CMAKE, PSVC_CMAKE_GENERATOR, and
# PSVC_CONSUMER_FLAGS (compile and link flags for the consumers: the
# sanitizer or coverage flags of the build, since the installed library
# carries that instrumentation).
set -euo pipefail
export LC_ALL=C

die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }

{ [ $# -ge 1 ] && [ $# -le 2 ]; } || die "usage: $0 BUILD_DIR [SOURCE_DIR]"
build=$(cd "$1" && pwd)
src=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
here=$src/tests/install
cc=${CC:-cc}
cmake=${PSVC_CMAKE:-cmake}
read -r -a flags <<<"${PSVC_CONSUMER_FLAGS:-}"
warn=(-Wall -Wextra -Werror)

command -v pkg-config >/dev/null || die "pkg-config not found (install pkg-config)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/psvc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# Fails unless PROGRAM loads libpowersvc from the installed prefix.
uses_installed_lib() {
  local prog=$1 line
  line=$(ldd "$prog" | grep 'libpowersvc\.so') || die "$prog does not link libpowersvc.so"
  case $line in
    *"=> $prefix/"*) printf '    %s\n' "$line" ;;
    *) die "$prog loads libpowersvc from elsewhere: $line" ;;
  esac
}

# ---- install -----------------------------------------------------------------
step "cmake --install $build --prefix <tmp>/prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; die "cmake --install failed"; }
sed "s|$prefix|<prefix>|" "$tmp/install.log"

pc=$(find "$prefix" -name libpowersvc.pc -print -quit)
[ -n "$pc" ] || die "libpowersvc.pc was not installed"
libdir=$(cd "$(dirname "$pc")/.." && pwd)
for f in "$prefix/include/powersvc.h" "$libdir/libpowersvc.a" \
         "$libdir/libpowersvc.so" "$libdir/libpowersvc.so.1" \
         "$libdir/cmake/powersvc/powersvcConfig.cmake" \
         "$libdir/cmake/powersvc/powersvcConfigVersion.cmake" \
         "$libdir/cmake/powersvc/powersvcTargets.cmake"; do
  [ -e "$f" ] || die "not installed: ${f#"$prefix"/}"
done
# the SONAME link points at the real file, libpowersvc.so.MAJOR.MINOR.PATCH
real=$(readlink -f "$libdir/libpowersvc.so.1")
case $(basename "$real") in
  libpowersvc.so.1.*.*) ;;
  *) die "libpowersvc.so.1 points at $(basename "$real")" ;;
esac

# ---- 1. pkg-config -----------------------------------------------------------
step "pkg-config: cc \$(pkg-config --cflags --libs libpowersvc)"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
pcdir=$(pkg-config --variable=pcfiledir libpowersvc)
[ "$(cd "$pcdir" && pwd)" = "$(dirname "$pc")" ] ||
  die "pkg-config found another libpowersvc.pc: $pcdir"
read -r -a pcflags <<<"$(pkg-config --cflags --libs libpowersvc)"
printf '    pkg-config flags: %s\n' "${pcflags[*]//$prefix/<prefix>}"
[ "$(pkg-config --modversion libpowersvc)" = "$(sed -n 's/^#define PSVC_VERSION_STRING "\(.*\)"/\1/p' "$src/include/powersvc.h")" ] ||
  die "pkg-config --modversion does not match PSVC_VERSION_STRING"

"$cc" "${flags[@]}" "${warn[@]}" -o "$tmp/consumer_pc" "$here/consumer.c" "${pcflags[@]}"
pclibdir=$(pkg-config --variable=libdir libpowersvc)
LD_LIBRARY_PATH=$pclibdir uses_installed_lib "$tmp/consumer_pc"
LD_LIBRARY_PATH=$pclibdir "$tmp/consumer_pc"

# ---- 2. the README's example ---------------------------------------------------
step "README.md's C example, built with pkg-config"
awk '/^```c[[:space:]]*$/ { inside = 1; found = 1; next }
     /^```/ && inside { exit }
     inside { print }
     END { if (!found) exit 1 }' "$src/README.md" >"$tmp/readme_example.c" ||
  die "README.md has no \`\`\`c code block"
"$cc" "${flags[@]}" "${warn[@]}" -o "$tmp/readme_example" "$tmp/readme_example.c" "${pcflags[@]}"
status=0
LD_LIBRARY_PATH=$pclibdir "$tmp/readme_example" >"$tmp/readme_example.out" || status=$?
[ "$status" -eq 0 ] ||
  { cat "$tmp/readme_example.out"; die "the README's example exited with status $status"; }
sed 's/^/    /' "$tmp/readme_example.out"

# ---- 3 and 4. CMake find_package ------------------------------------------------------
step "CMake: find_package(powersvc) with powersvc::powersvc and powersvc::powersvc_static"
gen=()
[ -n "${PSVC_CMAKE_GENERATOR:-}" ] && gen=(-G "$PSVC_CMAKE_GENERATOR")
"$cmake" -S "$here" -B "$tmp/cmake-build" "${gen[@]}" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="${flags[*]} ${warn[*]}" \
  -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
  >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; die "configuring the CMake consumer failed"; }
found=$(sed -n 's/^powersvc_DIR:PATH=//p' "$tmp/cmake-build/CMakeCache.txt")
case $found in
  "$prefix"/*) printf '    powersvc_DIR=%s\n' "${found/#$prefix/<prefix>}" ;;
  *) die "find_package(powersvc) found another copy: $found" ;;
esac
"$cmake" --build "$tmp/cmake-build" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log"; die "building the CMake consumer failed"; }

uses_installed_lib "$tmp/cmake-build/consumer_shared"
"$tmp/cmake-build/consumer_shared"

if readelf -d "$tmp/cmake-build/consumer_static" | grep -q 'libpowersvc'; then
  die "consumer_static needs libpowersvc.so: it was not linked statically"
fi
echo "    consumer_static: no libpowersvc.so in its NEEDED entries"
"$tmp/cmake-build/consumer_static"

printf '\nOK: installed libpowersvc works with pkg-config, find_package (shared, static) and the README example\n'
