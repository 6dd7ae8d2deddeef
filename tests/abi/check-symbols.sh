#!/usr/bin/env bash
# check-symbols.sh — the exported-symbol test (ctest: abi.symbols; docs/abi.md).
#
#   check-symbols.sh LIB [GOLDEN]   check LIB against GOLDEN (default: symbols.txt
#                                   next to this script)
#   check-symbols.sh --list LIB     print LIB's exported symbols in the golden
#                                   format (update-baseline.sh uses this)
#
# The exported symbols are `nm -D --defined-only LIB`, one line each as
# name@@VERSION (e.g. psvc_ctx_open@@PSVC_1.0), sorted bytewise, without the
# version-node symbols themselves (PSVC_1.0, PSVC_1.1, ...). The check fails
#  - if a symbol is not a public psvc_ name (internal psvc__ names included),
#  - if a symbol is not at a PSVC_x.y version node,
#  - if the list differs from GOLDEN in any way (a removed symbol is an ABI
#    break; an added one must be a conscious change: update-baseline.sh),
#  - if the SONAME is not libpowersvc.so.1.
# The symbol list lives in GOLDEN only; nothing here knows any symbol name.
set -euo pipefail
export LC_ALL=C

# Changes only with a major version (and a new SONAME): docs/abi.md.
EXPECTED_SONAME=libpowersvc.so.1

die() { printf 'check-symbols: %s\n' "$*" >&2; exit 2; }

for tool in nm readelf; do
  command -v "$tool" >/dev/null || die "'$tool' not found (install binutils)"
done

# All defined dynamic symbols but the version-node ones, as name@@VERSION.
list_symbols() {
  local lib=$1 out
  out=$(nm -D --defined-only "$lib") || die "nm failed on $lib"
  # nm prints "ADDRESS TYPE NAME"; a version node is an absolute (A) symbol
  # named after the node. Only PSVC_ nodes are left out: any other would be
  # reported as a foreign export.
  awk '!($2 == "A" && $3 ~ /^PSVC_[0-9]+\.[0-9]+$/) { print $NF }' \
    <<<"$out" | sort -u
}

if [ "${1:-}" = "--list" ]; then
  [ $# -eq 2 ] || die "usage: $0 --list LIB"
  [ -f "$2" ] || die "no such library: $2"
  list_symbols "$2"
  exit 0
fi

{ [ $# -ge 1 ] && [ $# -le 2 ]; } || die "usage: $0 LIB [GOLDEN] | $0 --list LIB"
lib=$1
golden=${2:-$(dirname "$0")/symbols.txt}
[ -f "$lib" ] || die "no such library: $lib"
[ -f "$golden" ] || die "no golden symbol list: $golden"

current=$(list_symbols "$lib")
failed=0

[ -n "$current" ] || { echo "FAIL: $lib exports no symbols at all"; exit 1; }
if ! grep -q '@' <<<"$current"; then
  echo "FAIL: nm printed no symbol versions: this nm is too old (binutils >= 2.35 needed)"
  exit 1
fi

# 1. Every export is a public name at a PSVC_ version node.
bad_name=$(grep -Ev '^psvc_[A-Za-z0-9][A-Za-z0-9_]*@' <<<"$current" || true)
if [ -n "$bad_name" ]; then
  failed=1
  echo "FAIL: exported symbols that are not public psvc_* names (mark internal"
  echo "      functions static or leave out PSVC_API; internal names are psvc__*):"
  sed 's/^/    /' <<<"$bad_name"
fi
bad_node=$(grep -Ev '@@?PSVC_[0-9]+\.[0-9]+$' <<<"$current" || true)
if [ -n "$bad_node" ]; then
  failed=1
  echo "FAIL: exported symbols not at a PSVC_x.y version node (lib/libpowersvc.map):"
  sed 's/^/    /' <<<"$bad_node"
fi

# 2. The list is exactly the golden one.
expected=$(grep -Ev '^[[:space:]]*(#|$)' "$golden" | sort -u)
added=$(comm -13 <(printf '%s\n' "$expected") <(printf '%s\n' "$current"))
removed=$(comm -23 <(printf '%s\n' "$expected") <(printf '%s\n' "$current"))
if [ -n "$added$removed" ]; then
  failed=1
  echo "FAIL: the exported symbols differ from $golden"
  if [ -n "$removed" ]; then
    echo "  in symbols.txt but not exported (removed or moved to another version"
    echo "  node: an incompatible ABI change, allowed only with a new major version):"
    sed 's/^/    - /' <<<"$removed"
  fi
  if [ -n "$added" ]; then
    echo "  exported but not in symbols.txt (new exports must be a conscious change:"
    echo "  see docs/abi.md, then run tests/abi/update-baseline.sh):"
    sed 's/^/    + /' <<<"$added"
  fi
  echo "  diff -u symbols.txt current:"
  diff -u --label symbols.txt --label current \
    <(printf '%s\n' "$expected") <(printf '%s\n' "$current") | sed 's/^/    /' || true
fi

# 3. The SONAME.
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" != "$EXPECTED_SONAME" ]; then
  failed=1
  echo "FAIL: SONAME is '${soname:-none}', expected '$EXPECTED_SONAME'"
fi

if [ "$failed" -ne 0 ]; then
  exit 1
fi
printf 'OK: %s exports the %d symbols of %s, all psvc_* at PSVC_ nodes; SONAME %s\n' \
  "$lib" "$(wc -l <<<"$current")" "$golden" "$soname"
