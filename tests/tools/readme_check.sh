#!/usr/bin/env bash
# readme_check.sh — the README's Python and Lua examples run and print what
# the README says (ctest docs.readme; its C example is run by abi.install).
#
#   readme_check.sh LIBRARY README [PYTHON [LUAJIT]]
set -euo pipefail
lib=$1 readme=$2 py=${3:-} lua=${4:-}
root=$(cd "$(dirname "$readme")" && pwd)
want="crew on site after 2100 of 2400 s: MET"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
block() {
  awk -v lang="$1" '$0 ~ "^```" lang "[[:space:]]*$" { n++; inside = (n == 1); next }
                    /^```/ { inside = 0; next } inside { print }' "$readme"
}
grep -qF "prints \`$want\`" "$readme" || { echo "README no longer says it prints: $want"; exit 1; }
if [ -n "$py" ]; then
  block python >"$tmp/example.py"
  got=$(PSVC_LIB=$lib PYTHONPATH=$root/examples/python "$py" -B "$tmp/example.py")
  [ "$got" = "$want" ] || { echo "README Python example printed: $got"; exit 1; }
  echo "Python example: $got"
fi
if [ -n "$lua" ]; then
  block lua >"$tmp/example.lua"
  got=$(PSVC_LIB=$lib LUA_PATH="$root/examples/lua/?.lua" "$lua" "$tmp/example.lua")
  [ "$got" = "$want" ] || { echo "README Lua example printed: $got"; exit 1; }
  echo "Lua example: $got"
fi
