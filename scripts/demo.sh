#!/usr/bin/env bash
# The rdylib demo (make demo): a text-filter host and its plugins, from one
# WIT interface, examples/filters/; then the gallery, examples/gallery/: one
# collection of resource objects from three plugins, one of them unloaded
# while the others go on.
#
#   scripts/demo.sh [--valgrind] [BUILD_DIR]
#
# BUILD_DIR (default: build) must hold the rdy command and librdy, as `make`
# leaves them.  The script generates the C bindings with `rdy gen c`, builds
# three plugins (with gcc and clang), a fourth from a stale copy of the
# interface, and the host, all into BUILD_DIR/demo/; then it runs the host
# and checks what happened:
#
#   - the three plugins are accepted and run, the stale one is refused;
#   - the refusal is exactly examples/filters/expected-refusal.txt;
#   - none of the stale plugin's code ran (its constructor prints a line);
#   - `rdy check` gives the same diagnostic offline.
#
# It exits nonzero when any of that fails, so it doubles as a test.  With
# --valgrind the host runs under valgrind's memcheck, which must report no
# error and no leak.  When BUILD_DIR was configured with RDY_SANITIZE, the
# host is built with the same sanitizers (the plugins are not: each is built
# with its own compiler, whose sanitizer runtime may not be the host's).
set -euo pipefail

valgrind=0
if [ "${1-}" = --valgrind ]; then
	valgrind=1
	shift
fi
fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d "${1:-build}" ] || fail "no build directory ${1:-build}: build first (make)"
build=$(cd "${1:-build}" && pwd)
example=$root/examples/filters
out=$build/demo
world=example:filters/plugin

[ -x "$build/rdy" ] || fail "$build/rdy is missing: build first (make)"
[ -e "$build/librdy.so" ] || fail "$build/librdy.so is missing: build first (make)"
for cc in gcc clang; do
	command -v $cc >/dev/null || fail "$cc is needed: the demo builds plugins with both gcc and clang"
done
[ $valgrind = 0 ] || command -v valgrind >/dev/null || fail "--valgrind: valgrind is not installed"

# What CMake configured the build with: the runtime's compiler and sanitizers.
cache() {
	sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" 2>/dev/null
}
host_cc=$(cache CMAKE_C_COMPILER)
host_cc=${host_cc:-cc}
sanitize=$(cache RDY_SANITIZE)

warn=(-std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla)
# DWARF 4: the valgrind of Debian 12 cannot read the DWARF 5 that clang 14 writes.
cflags=("${warn[@]}" -O2 -g -gdwarf-4 -I "$root/include")
plugin_flags=(-fPIC -shared)
host_san=()
if [ -n "$sanitize" ]; then
	host_san=(-fsanitize="$sanitize" -fno-omit-frame-pointer -fno-sanitize-recover=all)
else
	# A plugin needs nothing but libc: the linker proves it here.
	plugin_flags+=("-Wl,--no-undefined")
fi

rm -rf "$out"
mkdir -p "$out/gen" "$out/gen-stale" "$out/plugins"

echo "== The rdylib demo: a text-filter host and its plugins =="
echo
echo "The interface is written once, in WIT: examples/filters/wit, world $world@1.0.0."
echo "The host provides functions to the plugins (log, config, dictionary, policy) and"
echo "calls the functions each plugin provides (about, check, apply, suggest); between"
echo "them travel records, variants, enums, flags, options, results, strings and lists."
echo
echo "Generating C bindings with $(basename "$build")/rdy gen c: one side for the host, one for"
echo "the plugins, and the plugins' side once more from examples/filters/wit-v0, a stale"
echo "draft of the interface in which span.len is a u64 instead of a u32."
gen() { # WIT SIDE DIR NAME
	"$build/rdy" gen c "$1" --world $world --side "$2" -o "$3" --name "$4"
}
gen "$example/wit" host "$out/gen" filters_host
gen "$example/wit" plugin "$out/gen" filters_plugin
gen "$example/wit-v0" plugin "$out/gen-stale" filters_plugin

echo
echo "Compiling, each file with ${warn[*]}:"
version() {
	"$1" -dumpfullversion 2>/dev/null || "$1" -dumpversion
}
plugin() { # NAME COMPILER GEN_DIR [NOTE]
	"$2" "${cflags[@]}" "${plugin_flags[@]}" -I "$3" -I "$example/plugins" \
		"$example/plugins/$1.c" "$3/filters_plugin.c" -o "$out/plugins/$1.so"
	printf '  plugins/%-14s with %s %s%s\n' "$1.so" "$2" "$(version "$2")" "${4-}"
}
plugin capitalize gcc "$out/gen"
plugin spell clang "$out/gen"
plugin redact gcc "$out/gen"
plugin stale clang "$out/gen-stale" ", from the stale draft"
"$host_cc" "${cflags[@]}" "${host_san[@]}" -I "$out/gen" "$example/host.c" "$out/gen/filters_host.c" \
	-L "$build" -lrdy -Wl,-rpath,"$build" -o "$out/filters-host"
printf '  %-22s with %s %s, linked with librdy%s\n' filters-host "$(basename "$host_cc")" \
	"$(version "$host_cc")" "${sanitize:+ (sanitizers: $sanitize)}"

plugins=(plugins/capitalize.so plugins/spell.so plugins/stale.so plugins/redact.so)
runner=()
if [ $valgrind = 1 ]; then
	runner=(valgrind -q --leak-check=full "--errors-for-leak-kinds=definite,indirect" --error-exitcode=99)
fi
echo
echo "Running the host on the four plugins, stale.so among them:"
echo "  cd $(basename "$build")/demo && ${runner[*]:+${runner[*]} }./filters-host ${plugins[*]}"
echo
cd "$out"
status=0
"${runner[@]}" ./filters-host "${plugins[@]}" >run.log 2>&1 || status=$?
sed 's/^/| /' run.log
echo

# ---- the checks ------------------------------------------------------------------

echo "Checking what happened:"
ok() { echo "  ok: $*"; }

[ $status = 0 ] || fail "the host exited with status $status"
ok "the host exited with status 0${runner[*]:+; valgrind found no error and no leak}"

grep -qx '3 plugins accepted and ran, 1 refused.' run.log ||
	fail "expected 3 plugins accepted and 1 refused; see $out/run.log"
ok "three plugins were accepted and ran, one was refused"

# The diagnostic: the indented lines under the REFUSED line.
awk '/^  plugins\/stale\.so: REFUSED/ { on = 1; next }
     on && /^    / { sub(/^    /, ""); print; next }
     { on = 0 }' run.log >refusal.txt
diff -u "$example/expected-refusal.txt" refusal.txt >refusal.diff ||
	fail "the refusal differs from examples/filters/expected-refusal.txt:
$(cat refusal.diff)"
ok "the refusal is exactly examples/filters/expected-refusal.txt:"
sed 's/^/      /' refusal.txt

! grep -q 'stale plugin code ran!' run.log || fail "the stale plugin's code ran inside the host"
ok "the stale plugin's constructor never ran in the host: no \"stale plugin code ran!\""

# The control: the same file, mapped by the system's loader, does run it.
control=$(LD_PRELOAD=$out/plugins/stale.so /bin/true 2>&1 || true)
[ "$control" = "stale plugin code ran!" ] ||
	fail "loading plugins/stale.so directly should print its line; it printed: $control"
ok "yet the constructor is real: LD_PRELOAD=plugins/stale.so /bin/true prints \"$control\""

offline=$("$build/rdy" check "$example/wit" plugins/stale.so --world $world 2>&1 || true)
[ "$(printf '%s\n' "$offline" | sed -n 's/^error: //p')" = "$(cat "$example/expected-refusal.txt")" ] ||
	fail "rdy check says otherwise:
$offline"
ok "rdy check, offline and without loading anything, gives the same diagnostic"


# ---- the gallery: dynamic dispatch and unloading ---------------------------------

gallery=$root/examples/gallery
gout=$out/gallery
gworld=example:gallery/plugin
mkdir -p "$gout/gen" "$gout/plugins"
echo
echo "== Dynamic dispatch: one collection of figures from three plugins =="
echo
echo "examples/gallery/wit declares a resource, figure, with a constructor and methods."
echo "Three plugins implement it (circles, squares, triangles); the host holds all their"
echo "figures in one array of (instance, handle) pairs and calls them alike.  Then it"
echo "unloads the circle plugin: refused while its figures live, done once they are"
echo "dropped, and the runtime checks that the object really left the process."
"$build/rdy" gen c "$gallery/wit" --world $gworld --side host -o "$gout/gen"
"$build/rdy" gen c "$gallery/wit" --world $gworld --side plugin -o "$gout/gen"
echo
echo "Compiling:"
figure() { # NAME COMPILER
	"$2" "${cflags[@]}" "${plugin_flags[@]}" -I "$gout/gen" -I "$gallery/plugins" \
		"$gallery/plugins/$1.c" "$gout/gen/plugin_plugin.c" -o "$gout/plugins/$1.so" -lm
	printf '  plugins/%-14s with %s %s\n' "$1.so" "$2" "$(version "$2")"
}
figure circle gcc
figure square clang
figure triangle gcc
"$host_cc" "${cflags[@]}" "${host_san[@]}" -I "$gout/gen" "$gallery/host.c" "$gout/gen/plugin_host.c" \
	-L "$build" -lrdy -Wl,-rpath,"$build" -o "$gout/gallery-host"
printf '  %-22s with %s %s, linked with librdy\n' gallery-host "$(basename "$host_cc")" "$(version "$host_cc")"
echo
echo "Running it:"
echo "  cd $(basename "$build")/demo/gallery && ${runner[*]:+${runner[*]} }./gallery-host plugins/circle.so plugins/square.so plugins/triangle.so"
echo
cd "$gout"
status=0
"${runner[@]}" ./gallery-host plugins/circle.so plugins/square.so plugins/triangle.so >run.log 2>&1 || status=$?
sed 's/^/| /' run.log
echo
echo "Checking what happened:"
[ $status = 0 ] || fail "the gallery host exited with status $status"
ok "the host exited with status 0${runner[*]:+; valgrind found no error and no leak}"
grep -qx '  6 figures, total area 91.492' run.log || fail "the six figures were not all called; see $gout/run.log"
ok "six figures from three plugins were called through one interface"
grep -qx '  refused: plugins/circle.so: 2 handles are still live: 2 `example:gallery/figures@1.0.0`.`figure`' run.log ||
	fail "unloading circle.so with live figures was not refused as it should be"
ok "unloading circle.so while its figures lived was refused, with what was alive"
grep -qx '  unloaded plugins/circle.so: the runtime checked that it is no longer mapped' run.log ||
	fail "circle.so was not unloaded cleanly; see $gout/run.log"
ok "once they were dropped, circle.so was unloaded and is no longer mapped"
grep -qx '  4 figures, total area 28.660' run.log || fail "the other plugins' figures did not go on"
ok "the other plugins' figures went on working"
grep -qx '  plugins/square.so: handle 0x[0-9a-f]\{8\} is stale: it was dropped' run.log ||
	fail "a handle of the unloaded plugin was not refused as stale"
ok "a handle kept from the unloaded plugin was refused, never followed"

echo
echo "demo: everything happened as it should."
