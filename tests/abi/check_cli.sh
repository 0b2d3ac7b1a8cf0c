#!/usr/bin/env bash
# rdy check: the offline compatibility check on the shapes example, as WIT,
# as descriptors and as the ELF fixture; a changed field is refused with the
# loader's message (docs/abi.md §8).  rdy diff on the same inputs: its exit
# status bits, its errors, and the same text whatever form an input takes.
# usage: check_cli.sh RDY SOURCE_DIR FIXTURE_SO
set -uo pipefail
rdy=$1 src=$2 so=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect STATUS TEXT CMD...: exit STATUS and TEXT somewhere in the output
	local want=$1 text=$2
	shift 2
	out=$("$@" 2>&1)
	st=$?
	if [ "$st" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
		echo "FAIL: $* (exit $st, want $want and '$text')"
		echo "$out" | head -n 10
		fail=1
	fi
}
shapes=$src/examples/shapes/wit
cp -r "$shapes" "$tmp/bad"
sed -i 's/y: s32/y: f32/' "$tmp/bad/types.wit"
"$rdy" abi encode "$tmp/bad" --world plugin --side plugin -o "$tmp/bad.desc" || fail=1
"$rdy" abi encode "$shapes" --world plugin --side host -o "$tmp/host.desc" || fail=1

expect 0 "compatible with" "$rdy" check "$shapes" "$so" --world plugin
expect 0 "compatible with" "$rdy" check "$tmp/host.desc" "$so"
expect 1 "$tmp/bad.desc: example:shapes/types@1.2.0: record point: field y: host expects s32 (offset 4), plugin has f32" \
	"$rdy" check "$tmp/host.desc" "$tmp/bad.desc"
expect 1 "refused: 1 incompatibility" "$rdy" check "$shapes" "$tmp/bad.desc" --world plugin
expect 1 "describes the plugin side; give the host's" "$rdy" check "$so" "$so"
expect 1 "neither an rdylib descriptor nor an ELF file" "$rdy" check "$tmp/host.desc" "$src/README.md"
expect 1 "No such file or directory" "$rdy" check "$tmp/host.desc" "$tmp/missing.so"
expect 2 "give HOST and PLUGIN" "$rdy" check "$so"

# rdy diff: 0 no change, 4 changes, 12 breaking ones; 1 unreadable, 2 usage.
expect 0 "no changes" "$rdy" diff "$shapes" "$shapes" --world plugin
expect 0 "no changes" "$rdy" diff "$tmp/host.desc" "$so"
expect 12 "breaks both       import  example:shapes/types: record point: field y: old has s32 (offset 4), new has f32" \
	"$rdy" diff "$shapes" "$tmp/bad" --world plugin
expect 12 "1 change, 1 breaking" "$rdy" diff "$so" "$tmp/bad.desc"
expect 12 '"class": "breaks-both"' "$rdy" diff "$so" "$tmp/bad.desc" --json
expect 2 "give OLD and NEW" "$rdy" diff "$so"
expect 2 "unexpected argument --frobnicate" "$rdy" diff "$so" "$so" --frobnicate
expect 1 "No such file or directory" "$rdy" diff "$so" "$tmp/missing.so"
expect 1 "neither an rdylib descriptor nor an ELF file" "$rdy" diff "$src/README.md" "$so"
printf 'package a:b;\nworld w { export f: func(; }\n' > "$tmp/broken.wit"
expect 1 "broken.wit:2:" "$rdy" diff "$tmp/broken.wit" "$so"
# @unstable items are chosen when bindings are generated, and the descriptor
# records the features: a plugin built without `fancy` lacks `g`, by name.
mkdir -p "$tmp/u"
printf 'package t:u@1.0.0;\ninterface api {\n  f: func();\n  @unstable(feature = fancy)\n  g: func();\n}\nworld w { export api; }\n' \
	> "$tmp/u/u.wit"
"$rdy" gen c "$tmp/u/u.wit" --world w --side plugin -o "$tmp/u/on" --features fancy >/dev/null &&
	"$rdy" gen c "$tmp/u/u.wit" --world w --side plugin -o "$tmp/u/off" >/dev/null &&
	cc -std=c11 -I"$src/include" -I"$tmp/u/on" -c "$tmp/u/on/w_plugin.c" -o "$tmp/u/on.o" &&
	cc -std=c11 -I"$src/include" -I"$tmp/u/off" -c "$tmp/u/off/w_plugin.c" -o "$tmp/u/off.o" ||
	{ echo "FAIL: building the @unstable fixtures"; fail=1; }
expect 0 "features  fancy" "$rdy" inspect "$tmp/u/on.o"
expect 1 "function \`g\` (@unstable feature \`fancy\`) is missing from the plugin, which was generated without that feature" \
	"$rdy" check "$tmp/u/u.wit" "$tmp/u/off.o" --world w --features fancy
expect 0 "compatible with" "$rdy" check "$tmp/u/u.wit" "$tmp/u/off.o" --world w
expect 12 "breaks new hosts  export  t:u/api: function \`g\` (@unstable feature \`fancy\`) was added" \
	"$rdy" diff "$tmp/u/off.o" "$tmp/u/on.o"
json=$("$rdy" diff "$shapes" "$tmp/bad" --world plugin --json)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["changes_total"] == 1 and d["breaking"] == 1, d' <<<"$json" ||
	{ echo "FAIL: rdy diff --json is not the JSON it should be"; fail=1; }
[ "$fail" -eq 0 ] && echo "rdy check, rdy diff: all cases passed"
exit "$fail"
