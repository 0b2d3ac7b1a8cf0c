#!/usr/bin/env bash
# The functions of cmake/RdyGenerate.cmake, without the generator: generate/
# is built with fake_rdy.sh as RDY_EXECUTABLE.  Checks the command lines
# they run, that the outputs are built, that a change to any .wit file under
# the package (deps/ included), or a new one, runs the generator again and
# that nothing else does, and that misuse fails at configure time.
# usage: gen_check.sh CMAKE SOURCE_DIR CC
set -uo pipefail
cmake=$1 src=$2 cc=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

proj=$tmp/proj b=$tmp/b
export FAKE_RDY_LOG=$tmp/rdy.log
cp -r "$here/generate" "$proj"
cp -r "$here/consumer/wit" "$proj/wit"
mkdir -p "$proj/wit/deps/dep"
printf 'package pkg:dep;\n' >"$proj/wit/deps/dep/dep.wit"
: >"$FAKE_RDY_LOG"

configure() {
	"$cmake" -S "$proj" -B "$b" -DRDY_SOURCE_DIR="$src" -DRDY_EXECUTABLE="$proj/fake_rdy.sh" \
		-DCMAKE_C_COMPILER="$cc" "$@" >"$tmp/configure.log" 2>&1
}
# build WHAT RUNS: a build after WHAT runs the generator RUNS times.
build() {
	local before after
	before=$(wc -l <"$FAKE_RDY_LOG")
	if ! "$cmake" --build "$b" >"$tmp/build.log" 2>&1; then
		fail "build $1:"
		tail -n 30 "$tmp/build.log"
		return
	fi
	after=$(wc -l <"$FAKE_RDY_LOG")
	[ $((after - before)) -eq "$2" ] || fail "build $1: $((after - before)) generator runs, expected $2"
}

if ! configure; then
	fail "configure generate/:"
	tail -n 30 "$tmp/configure.log"
	exit 1
fi
build "from scratch" 7

# The exact command lines, in any order.
sort "$FAKE_RDY_LOG" >"$tmp/got"
sort >"$tmp/want" <<EOF
gen c $proj/wit --world pkg:demo/calculator@1.0.0 --side host -o $b/rdy-gen --name calculator_host
gen c $proj/wit/demo.wit --world My-World --side plugin -o $b/out/nested --name my_world_plugin --features x,y
gen c $proj/wit --world pkg:demo/no --side host -o $b/rdy-gen --name no_host
gen c $proj/wit --world calculator --side plugin -o $b/named --name custom --features x,y
gen c $proj/wit --world pkg:demo/calculator --side plugin -o $b/rdy-gen/calc_plugin --name calculator_plugin
gen c $proj/wit --world pkg:demo/calculator --side plugin -o $b/rdy-gen/calc_plugin2 --name calculator_plugin
gen c $proj/wit --world pkg:demo/calculator --side host -o $b/rdy-gen/calc_host --name calculator_host
EOF
if ! cmp -s "$tmp/got" "$tmp/want"; then
	fail "generator command lines differ (-expected +got):"
	diff "$tmp/want" "$tmp/got" | grep '^[<>]' | sed 's/^</-/; s/^>/+/'
fi

[ -f "$b/calc_plugin.so" ] || fail "rdy_add_plugin: no calc_plugin.so"
[ -f "$b/calc_plugin2.so" ] || fail "rdy_add_plugin SHARED: no calc_plugin2.so"
[ -x "$b/calc_host" ] || fail "rdy_add_host_bindings: no calc_host"

build "with nothing changed" 0
# The six that read the directory depend on deps/; the one reading demo.wit does not.
touch "$proj/wit/deps/dep/dep.wit"
build "after touching deps/dep/dep.wit" 6
touch "$proj/wit/demo.wit"
build "after touching demo.wit" 7
printf 'package pkg:more;\n' >"$proj/wit/deps/dep/more.wit"
build "after adding deps/dep/more.wit" 6
build "with nothing changed, again" 0

# Misuse stops the configuration with a message that says what is wrong.
bad() { # bad CASE MESSAGE
	if configure -DGEN_CHECK_BAD="$1"; then
		fail "GEN_CHECK_BAD=$1 configured"
	elif ! grep -qF "$2" "$tmp/configure.log"; then
		fail "GEN_CHECK_BAD=$1: no '$2' in: $(grep -A3 'CMake Error' "$tmp/configure.log")"
	fi
}
bad side "SIDE must be host or plugin, not \`both\`"
bad wit "WIT \`no-such-dir\` does not exist"
bad extra "rdy_generate: unexpected arguments: SURPLUS"
bad plugin-sources "rdy_add_plugin: SOURCES is required"
bad no-value "rdy_add_host_bindings: no value after WORLD"

[ "$failed" -eq 0 ] && echo "pkg_generate: all checks passed"
[ "$failed" -eq 0 ]
