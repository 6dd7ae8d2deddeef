#!/usr/bin/env bash
# analyze.sh — gcc's static analyzer (-fanalyzer) over every lib/ file,
# warnings as errors (issue 9). Each file is compiled on its own, as the
# build does, with the build's definitions and include paths.
#
#   tests/lint/analyze.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for f in lib/*.c; do
  if ! gcc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib -O1 \
      -fanalyzer -Wall -Wextra -Werror -c "$f" -o "$out/$(basename "$f").o"; then
    status=1
  fi
done
[ $status -eq 0 ] && echo "gcc -fanalyzer: $(ls lib/*.c | wc -l) files of lib/, no warnings"
exit $status
