#!/usr/bin/env bash
# Layout confirmed by the compilers (docs/abi.md §2): for every package of the
# shared corpus, the layout emitter's C must compile, static asserts and all,
# under each compiler given.
# usage: layout_check.sh EMITTER SHARED_DIR CC...
set -uo pipefail
emit=$1 shared=$2
shift 2
if [ ! -d "$shared/corpus" ]; then
	echo "skipped: no shared corpus at $shared"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=()
for j in "$shared"/corpus/wit-ui/*.wit.json; do
	n=$(basename "$j" .wit.json)
	case $n in kinds-of-deps|simple-wasm-text) continue ;; esac
	if [ -e "${j%.json}" ]; then cases+=("${j%.json}"); else cases+=("${j%.wit.json}"); fi
done
for d in "$shared"/corpus/wasi-0.2/*/; do cases+=("${d%/}"); done
declared=0 skipped=0 compiled=0 failed=0
for c in "${cases[@]}"; do
	out=$tmp/$(basename "$c").c
	if ! counts=$("$emit" "$c" --features active 2>&1 >"$out"); then
		echo "FAIL: emit $c: $counts"
		failed=$((failed + 1))
		continue
	fi
	read -r d s <<<"$counts"
	declared=$((declared + d)) skipped=$((skipped + s))
	for cc in "$@"; do
		if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -c "$out" -o "$tmp/x.o" 2>"$tmp/err"; then
			compiled=$((compiled + 1))
		else
			echo "FAIL: $cc rejects the layout of $c:"
			head -n 20 "$tmp/err"
			failed=$((failed + 1))
		fi
	done
done
echo "layout: ${#cases[@]} packages, $declared types asserted ($skipped not in ABI v1), $compiled compilations ($*), $failed failures"
[ "$failed" -eq 0 ]
