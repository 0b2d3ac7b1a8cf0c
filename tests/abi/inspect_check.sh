#!/usr/bin/env bash
# `rdy inspect` (docs/cli.md): the plugin fixture and its descriptor file give
# the same report, --json is valid JSON with the promised keys, and damaged
# or foreign files fail with exit 1 and a message, never with a crash.
# usage: inspect_check.sh RDY FIXTURE.so FIXTURE.desc PYTHON
set -uo pipefail
rdy=$1 so=$2 desc=$3 python=$4
. "$(dirname "$0")/lib.sh"

# inspect FILE [ARGS...]: runs rdy inspect, output in $tmp/out and $tmp/err, status in $rc.
inspect() {
	"$rdy" inspect "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# refused WHAT FILE PATTERN: inspect must exit 1 with "error: FILE: ..." matching PATTERN.
refused() {
	inspect "$2"
	if [ "$rc" -ne 1 ]; then
		fail "$1: exit $rc, expected 1; stderr: $(head -c 300 "$tmp/err")"
	elif ! grep -q "^error: $2: .*$3" "$tmp/err"; then
		fail "$1: message does not match '$3': $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "$1: printed a report on failure"
	fi
}

# The same report from the plugin and from its descriptor, but for the first line.
inspect "$so"
[ "$rc" -eq 0 ] || fail "inspect $so: exit $rc: $(cat "$tmp/err")"
cp "$tmp/out" "$tmp/so.txt"
inspect "$desc"
[ "$rc" -eq 0 ] || fail "inspect $desc: exit $rc: $(cat "$tmp/err")"
cp "$tmp/out" "$tmp/desc.txt"
grep -q '^world example:shapes/plugin@1.2.0 ' "$tmp/so.txt" || fail "the plugin's report names no world example:shapes/plugin@1.2.0"
grep -q 'plugin descriptor, ABI 1\.0' "$tmp/so.txt" || fail "the plugin's header line: $(head -n 1 "$tmp/so.txt")"
diff <(tail -n +2 "$tmp/so.txt") <(tail -n +2 "$tmp/desc.txt") >/dev/null ||
	fail "the plugin and its descriptor file give different reports"

# --json parses, has the keys the CLI promises and agrees with the file's size.
inspect "$so" --json
cp "$tmp/out" "$tmp/so.json"
inspect "$desc" --json
cp "$tmp/out" "$tmp/desc.json"
"$python" - "$tmp/so.json" "$tmp/desc.json" "$(stat -c %s "$desc")" <<'EOF' || fail "--json"
import json, sys
so, desc = (json.load(open(p)) for p in sys.argv[1:3])
for d in (so, desc):
    for k in ("size_bytes", "types", "functions", "side", "producer", "abi_version",
              "features", "world", "interfaces", "type_table"):
        assert k in d, "missing key " + k
    assert d["size_bytes"] == int(sys.argv[3]), d["size_bytes"]
    assert d["types"] == len(d["type_table"]) and d["functions"] > 0
    assert d["side"] == "plugin" and d["world"]["name"] == "example:shapes/plugin@1.2.0"
    assert all(len(t["hash"]) == 32 and t["size"] > 0 for t in d["type_table"])
for d in (so, desc):
    del d["file"], d["container"]
assert so == desc, "the plugin and its descriptor file differ"
EOF

# Files that are not plugins, or not whole.
: >"$tmp/empty"
refused "an empty file" "$tmp/empty" "neither an rdylib descriptor nor an ELF file"
echo "just some text" >"$tmp/text"
refused "a text file" "$tmp/text" "neither an rdylib descriptor nor an ELF file"
refused "a missing file" "$tmp/missing" "No such file"
refused "a directory" "$tmp" "not a regular file"
refused "an ELF file without a descriptor" "$rdy" 'no `RDY` note (not an rdylib plugin?)'
size=$(stat -c %s "$so")
for n in 4 20 63 64 200 1000 $((size / 2)) $((size - 100)) $((size - 1)); do
	head -c "$n" "$so" >"$tmp/cut.so"
	refused "the plugin cut to $n bytes" "$tmp/cut.so" "truncated"
done
dsize=$(stat -c %s "$desc")
for n in 4 11 12 $((dsize / 2)) $((dsize - 1)); do
	head -c "$n" "$desc" >"$tmp/cut.desc"
	refused "the descriptor cut to $n bytes" "$tmp/cut.desc" "."
done

# Bytes all over the descriptor, and the bytes of the plugin a reader trusts, damaged in turn.
"$python" "$(dirname "$0")/inspect_damage.py" "$rdy" "$so" "$desc" "$tmp" || fail "damaged copies"

finish inspect
