#!/usr/bin/env bash
# tutorial_check.sh — keeps docs/tutorial.md true (ctest docs.tutorial):
# compiles the page's C program against the freshly built library, runs it
# and compares its output with the page's first ```text block; then runs
# the page's Python program with the binding of examples/python and
# compares its output with the ```text block that follows it.
#
#   tutorial_check.sh CC INCLUDE_DIR LIBRARY DOC [PYTHON [CFLAGS]]
set -euo pipefail
cc=$1 inc=$2 lib=$3 doc=$4 py=${5:-} extra=${6:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# block LANG N: the N-th ```LANG block of the page (1-based)
block() {
  awk -v lang="$1" -v want="$2" '
    $0 ~ "^```" lang "[[:space:]]*$" { n++; inside = (n == want); next }
    /^```/ { inside = 0; next }
    inside { print }' "$doc"
}

block c 1 >"$tmp/tutorial.c"
[ -s "$tmp/tutorial.c" ] || { echo "docs/tutorial.md has no C program"; exit 1; }
# shellcheck disable=SC2086 # extra: several flags
"$cc" -std=c11 -Wall -Wextra -Werror $extra -I"$inc" "$tmp/tutorial.c" -o "$tmp/tutorial" \
  -L"$(dirname "$lib")" -lpowersvc -Wl,-rpath,"$(dirname "$lib")"
"$tmp/tutorial" >"$tmp/c.out"
block text 1 >"$tmp/c.want"
if ! diff -u "$tmp/c.want" "$tmp/c.out"; then
  echo "docs/tutorial.md: the C program's output differs from the page (above)"
  exit 1
fi
echo "C program: output as on the page ($(wc -l <"$tmp/c.out") lines)"

block python 1 >"$tmp/tutorial.py"
if [ -z "$py" ]; then
  echo "Python: not checked (no python3)"
  exit 0
fi
PSVC_LIB=$lib PYTHONPATH=$(dirname "$doc")/../examples/python "$py" -B "$tmp/tutorial.py" \
  >"$tmp/py.out"
block text 2 >"$tmp/py.want"
if ! diff -u "$tmp/py.want" "$tmp/py.out"; then
  echo "docs/tutorial.md: the Python program's output differs from the page (above)"
  exit 1
fi
echo "Python program: output as on the page ($(wc -l <"$tmp/py.out") lines)"
