#!/bin/sh
# librdy.so exports exactly the functions and objects that its public
# headers (include/rdy.h, include/rdy_outline.h) declare, less their inline
# functions: the runtime's own internals and those of the archives linked
# into it stay hidden.
# Usage: exports_check.sh NM LIBRDY.SO HEADER...
set -eu
nm=$1 lib=$2
shift 2
header="$*"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A prototype names its function before its parameter list; an object is
# declared extern, its name before a `[` or a `;`.
{
	sed -n '/^static inline/d; s/^[a-z].*[ *]\(rdy_[a-z_0-9]*\)(.*/\1/p' "$@"
	sed -n 's/^extern .*[ *]\(rdy_[a-z_0-9]*\)[[;].*/\1/p' "$@"
} | sort -u >"$tmp/declared"
"$nm" -D --defined-only "$lib" | awk '{ print $NF }' |
	grep -v '^__odr_asan' | sort -u >"$tmp/exported" # ASan's indicators of exported objects
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
	echo "rt_exports: $lib exports other than what $header declares (< declared, > exported):" >&2
	diff "$tmp/declared" "$tmp/exported" >&2 || true
	exit 1
fi
echo "rt_exports: $(wc -l <"$tmp/exported") functions and objects, as declared"
