#!/usr/bin/env bash
# `rdy abi encode` (docs/cli.md): the same world gives the same bytes, the
# options reach the descriptor, usage errors exit 2 and failures exit 1
# without leaving a file behind.
# usage: encode_check.sh RDY SOURCE_DIR FIXTURE.desc
set -uo pipefail
rdy=$1 src=$2 fixture=$3
wit=$src/examples/shapes/wit
. "$(dirname "$0")/lib.sh"

# status WANT ARGS...: rdy ARGS must exit WANT.
status() {
	local want=$1
	shift
	"$rdy" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" -eq "$want" ] || fail "rdy $*: exit $rc, expected $want: $(cat "$tmp/err")"
}

status 0 abi encode "$wit" --world example:shapes/plugin --side plugin -o "$tmp/a.desc"
status 0 abi encode "$wit" --world=plugin --side=plugin -o "$tmp/b.desc"
cmp -s "$tmp/a.desc" "$tmp/b.desc" || fail "two encodings of one world differ"
cmp -s "$tmp/a.desc" "$fixture" || fail "the encoding differs from the fixture's"
[ -e "$tmp/a.desc.tmp" ] && fail "the temporary file was left behind"

status 0 abi encode "$wit" --side host --features b,,a -o "$tmp/host.desc"
status 0 inspect "$tmp/host.desc"
grep -q 'host descriptor' "$tmp/out" || fail "--side host: $(head -n 1 "$tmp/out")"
grep -Eq '^  features  (a, b|b, a)$' "$tmp/out" || fail "--features b,,a: $(grep features "$tmp/out")"

status 2 abi
status 2 abi decode "$wit"
status 2 abi encode
status 2 abi encode "$wit" -o "$tmp/c.desc"
status 2 abi encode "$wit" --side guest -o "$tmp/c.desc"
status 2 abi encode "$wit" --side plugin
status 2 abi encode "$wit" --side plugin -o
status 2 abi encode "$wit" --side plugin --frobnicate -o "$tmp/c.desc"
status 2 inspect
status 2 inspect "$fixture" --verbose
status 1 abi encode "$tmp/no-such-dir" --side plugin -o "$tmp/c.desc"
status 1 abi encode "$wit" --world nope --side plugin -o "$tmp/c.desc"
printf 'package ex:a;\ninterface i { f: func() -> future<u8>; }\nworld w { export i; }\n' >"$tmp/async.wit"
status 1 abi encode "$tmp/async.wit" --side plugin -o "$tmp/c.desc"
grep -q "function \`f\`.*ABI v1 does not carry" "$tmp/err" || fail "a future: $(cat "$tmp/err")"
[ -e "$tmp/c.desc" ] && fail "a failed encoding wrote its output"
status 1 abi encode "$wit" --side plugin -o "$tmp/no-such-dir/c.desc"
grep -q "no-such-dir/c.desc: No such file or directory" "$tmp/err" || fail "unwritable output: $(cat "$tmp/err")"

finish encode
