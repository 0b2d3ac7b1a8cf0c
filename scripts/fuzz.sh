#!/usr/bin/env bash
# usage: scripts/fuzz.sh BUILD SECONDS
# Runs every libFuzzer target BUILD/tests/fuzz/fuzz_NAME for SECONDS each.
# It starts from tests/fuzz/seeds/NAME and from copies of the extra seeds
# below; libFuzzer writes only to its first directory, BUILD/fuzz/NAME/corpus,
# and puts findings in BUILD/fuzz/NAME/.  Exits non-zero when a target finds
# a crash, leak, timeout or out-of-memory.
set -euo pipefail

build=${1:?usage: fuzz.sh BUILD SECONDS}
seconds=${2:?usage: fuzz.sh BUILD SECONDS}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=$root/../shared/corpus

# extra_seeds NAME DIR: copies seeds kept elsewhere into DIR: for the WIT
# target, the example packages and the shared corpus's .wit files.
extra_seeds() {
	if [ "$1" = elf ]; then
		# a real plugin object: the in-tree fixture of the same build
		cp "$build/tests/abi/libfixture_plugin.so" "$2/" 2>/dev/null || true
		return 0
	fi
	[ "$1" = wit ] || return 0
	local f rel
	while read -r f; do
		rel=${f#"$root"/}
		rel=${rel#../}
		cp "$f" "$2/${rel//\//_}"
	done < <(find "$root/examples" "$shared" -name '*.wit' -type f 2>/dev/null)
	echo "fuzz: $1: $(find "$2" -type f | wc -l) extra seeds from examples/ and the shared corpus"
}

shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
ran=0 failed=0
for exe in "${targets[@]}"; do
	case $exe in *_replay) continue ;; esac
	[ -x "$exe" ] || continue
	name=${exe##*/fuzz_}
	out=$build/fuzz/$name
	rm -rf "$out/extra"
	mkdir -p "$out/corpus" "$out/extra"
	extra_seeds "$name" "$out/extra"
	args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048
	      -print_final_stats=1 -artifact_prefix="$out/")
	dict=$root/tests/fuzz/$name.dict
	[ -f "$dict" ] && args+=(-dict="$dict")
	echo "fuzz: $name for ${seconds}s"
	if ! "$exe" "${args[@]}" "$out/corpus" "$root/tests/fuzz/seeds/$name" "$out/extra" \
		>"$out/log" 2>&1; then
		tail -n 60 "$out/log"
		echo "fuzz: $name FAILED; reproducer in $out/ (log: $out/log)"
		failed=$((failed + 1))
	else
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$out/log" \
			| sed "s/^/fuzz: $name: /"
	fi
	rm -rf "$out/extra"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "fuzz: no targets in $build/tests/fuzz" >&2; exit 1; }
echo "fuzz: $ran targets, $failed failed"
[ "$failed" -eq 0 ]
