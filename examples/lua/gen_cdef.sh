#!/bin/sh
# gen_cdef.sh — prints the ffi.cdef text of powersvc.lua from the public header
# (a development aid: powersvc.lua carries its own copy, and test_powersvc.lua
# checks that copy against the header). Usage: sh gen_cdef.sh [path/to/powersvc.h]
# The header's #include lines are dropped (LuaJIT knows the stdint types),
# PSVC_API is defined away, comments and macros go with the preprocessor.
set -eu
header=${1:-$(dirname "$0")/../../include/powersvc.h}
grep -v '^#include' "$header" | ${CC:-cc} -E -P -undef -DPSVC_API= -x c - | sed -e 's/^ //' -e '/^$/d'
