#!/usr/bin/env bash
# The rdylib demo (make demo): a text-filter host and its plugins, from one
# WIT interface, examples/filters/; then the gallery, examples/gallery/: one
# collection of resource objects from three plugins, one of them unloaded
# while the others go on; then hot reload, examples/reload/: a running host
# picks up a plugin rebuilt in place, its state carried over, and rolls back
# two builds that cannot take over.
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
# The gallery and the reload parts check their outcomes likewise
# (examples/gallery/README.md, examples/reload/README.md); the reload part
# waits for each outcome in the host's log, never for a fixed time.
#
# Then Rust, when rustc is there (else a one-line notice): a filter written in
# Rust (examples/filters/rust/sentences.rs, from `rdy gen rust`, built by
# rustc), loaded by the C host beside the C filters; and, when cargo is there
# too, the filters host in Rust (examples/filters/rust-host, over the rdy
# crate), run on the C filters and the Rust one, which must print what the
# C host prints for them, line for line.
#
# It exits nonzero when any of that fails, so it doubles as a test.  With
# --valgrind each host runs under valgrind's memcheck, which must report no
# error and no leak.  When BUILD_DIR was configured with RDY_SANITIZE, the
# hosts are built with the same sanitizers (the plugins are not: each is built
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

# ---- hot reload: new code, the same state ----------------------------------------

reload=$root/examples/reload
rout=$out/reload
rworld=example:tally/plugin
mkdir -p "$rout/gen" "$rout/gen-edited" "$rout/src" "$rout/plugins"
echo
echo "== Hot reload: new code, the same state =="
echo
echo "examples/reload/wit declares a tally: add(name) answers a reading, with a greeting"
echo "for the name, the count of names so far and their list.  The plugin,"
echo "examples/reload/tally.c, keeps the count and the list, and exports rdy:reload/state"
echo "(wit/reload) beside it: one build saves them, the next restores them.  The host"
echo "opens the plugin reloadable, watches its file, and reloads it each time it is"
echo "rebuilt, while it goes on adding a name every 50 ms from another thread."
"$build/rdy" gen c "$reload/wit" --world $rworld --side host -o "$rout/gen" --name tally_host
"$build/rdy" gen c "$reload/wit" --world $rworld --side plugin -o "$rout/gen" --name tally_plugin
cp "$reload/tally.c" "$rout/src/tally.c"
cd "$rout"
tally() { # GEN_DIR: builds src/tally.c in place, over the file the host watches
	gcc "${cflags[@]}" "${plugin_flags[@]}" -I "$1" src/tally.c "$1/tally_plugin.c" -o plugins/tally.so
}
# Edits FILE with sed's EXPRESSION and shows the lines it changed.
edit() { # FILE EXPRESSION
	cp "$1" "$1.was"
	sed -i "$2" "$1"
	! cmp -s "$1" "$1.was" || fail "the edit $2 changed nothing in $1"
	{ diff "$1.was" "$1" || true; } | sed -n 's/^< /     -/p; s/^> /     +/p'
	rm "$1.was"
}
echo
echo "Compiling:"
tally gen
printf '  plugins/%-14s with gcc %s: the first build, from a copy of tally.c in src/\n' tally.so "$(version gcc)"
"$host_cc" "${cflags[@]}" "${host_san[@]}" -I gen "$reload/host.c" gen/tally_host.c \
	-L "$build" -lrdy -Wl,-rpath,"$build" -o reload-host
printf '  %-22s with %s %s, linked with librdy%s\n' reload-host "$(basename "$host_cc")" \
	"$(version "$host_cc")" "${sanitize:+ (sanitizers: $sanitize)}"

# The host runs in the background; each step waits for its outcome in the log.
patience=30
[ $valgrind = 0 ] || patience=120
host_pid=
trap '[ -z "$host_pid" ] || kill "$host_pid" 2>/dev/null || true' EXIT
readings() {
	grep -c '^#[0-9]' run.log || true
}
# Waits until the log has N lines (1 when not given) that match REGEX (grep -E).
await() { # WHAT REGEX [N]
	local start=$SECONDS
	until [ "$(grep -cE -- "$2" run.log || true)" -ge "${3:-1}" ]; do
		kill -0 "$host_pid" 2>/dev/null || fail "the host ended before $1; see $rout/run.log"
		[ $((SECONDS - start)) -lt $patience ] || fail "no $1 after $patience seconds; see $rout/run.log"
		sleep 0.05
	done
}
# Waits for three readings more than there are now.
three_more() {
	local n
	n=$(readings)
	await "three more readings after #$n" '^#[0-9]' $((n + 3))
}
echo
echo "Starting the host in the background, its output to run.log:"
echo "  cd $(basename "$build")/demo/reload && ${runner[*]:+${runner[*]} }./reload-host plugins/tally.so cache &"
: >run.log
"${runner[@]}" ./reload-host plugins/tally.so cache >run.log 2>&1 &
host_pid=$!
await "first readings" '^#3 '
echo "  it opened build 1 and its readings began: \"$(sed -n 's/^#1 *\(.*!\).*/\1/p' run.log)\", count 1, ..."

echo
echo "1. New code.  The plugin's source is edited:"
edit src/tally.c 's/^#define GREETING "Hello"$/#define GREETING "Welcome back"/'
echo "   and compiled in place, gcc -o plugins/tally.so over the file the host is watching."
tally gen
await "reload of the new build" '^  build 2 serves now'
three_more
first=$(grep -m1 '^#[0-9]* *Welcome back' run.log | sed 's/^#\([0-9]*\).*/\1/')
echo "   The host reloaded it: build 2 serves, and from reading #$first on the greeting is"
echo "   the new one while the count and the list go on from build 1's."

echo
echo "2. A changed interface.  The plugin's copy of the WIT is edited:"
cp -rL "$reload/wit" wit-edited
edit wit-edited/tally.wit 's/^        count: u32,$/        count: u64,/'
echo "   its bindings generated again from it, and the plugin compiled in place."
"$build/rdy" gen c wit-edited --world $rworld --side plugin -o gen-edited --name tally_plugin
tally gen-edited
await "refusal of the build from the changed WIT" '^  refused; build 2 goes on'
three_more
echo "   The check refused it before any of its code ran; build 2 goes on."

echo
echo "3. A state the new build cannot read.  The source changes the format of its saved"
echo "   state, with no way to read the old one:"
edit src/tally.c 's/^#define STATE_FORMAT 1$/#define STATE_FORMAT 2/'
echo "   and is compiled in place."
tally gen
await "refusal of the build whose restore refuses" '^  refused; build 2 goes on' 2
three_more
echo "   Its restore refused build 2's state: the reload rolled back, and build 2 goes on."

echo
echo "Stopping the host (SIGTERM): it frees its instance and closes the module."
kill -TERM "$host_pid"
status=0
wait "$host_pid" || status=$?
host_pid=
echo
echo "What it printed (each run of readings cut to its first and last two):"
awk 'function flush() {
		if (n > 4) {
			print run[1]; print run[2]
			printf "    (%d more readings)\n", n - 4
			print run[n - 1]; print run[n]
		} else {
			for (i = 1; i <= n; i++) print run[i]
		}
		n = 0
	}
	/^#[0-9]/ { run[++n] = $0; next }
	{ flush(); print }
	END { flush() }' run.log | sed 's/^/| /'
echo
echo "Checking what happened:"
[ $status = 0 ] || fail "the reload host exited with status $status; see $rout/run.log"
ok "the host exited with status 0${runner[*]:+; valgrind found no error and no leak}"
! grep -q 'NOT AS SENT\|the call failed' run.log || fail "a reading was not as it should be; see $rout/run.log"
# Every reading: numbered 1, 2, 3...; its count its number; its list as long; the greeting
# "Hello" up to the reload and "Welcome back" from then on.
awk '/^#[0-9]/ {
		n++
		if ($1 != "#" n) { print "reading " n " is numbered " $1; bad = 1; exit 1 }
		if (!match($0, /count [0-9]+, list of [0-9]+:/)) { print "reading " n " has no count"; bad = 1; exit 1 }
		split(substr($0, RSTART, RLENGTH), f, /[ ,:]+/)
		if (f[2] != n || f[5] != n) { print "reading " n " has count " f[2] " and a list of " f[5]; bad = 1; exit 1 }
		g = $2 == "Hello," ? 1 : $2 == "Welcome" ? 2 : 0
		if (g < last || !g) { print "reading " n " greets with " $2 " after the greeting of build " last; bad = 1; exit 1 }
		last = g
		if (g == 2 && !reloading) { print "reading " n " is new code before the reload began"; bad = 1; exit 1 }
	}
	/^plugins\/tally\.so was replaced/ { reloading = 1 }
	END { if (bad) exit 1; if (n < 12 || last != 2) { print n " readings, the last with the greeting of build " last; exit 1 } }' \
	run.log >readings.txt || fail "the readings: $(cat readings.txt)"
n=$(readings)
ok "$n readings, numbered 1 to $n: each count one more than the last, each list as long as the count"
grep -qx 'stopped after [0-9]* readings: each count one more than the last, each list every name sent, in order' run.log ||
	fail "the host found a reading not as it should be; see $rout/run.log"
ok "and the host found each list to be every name it had sent, in order"
[ "$(grep -c '^plugins/tally.so was replaced (sha256 [0-9a-f]\{12\}...): reloading it' run.log)" = 3 ] ||
	fail "the host did not see the plugin replaced three times; see $rout/run.log"
touched=$(grep -c '^plugins/tally.so was touched, but its bytes are the same' run.log || true)
ok "the watch called the host back for each of the three builds, once it was written whole$(
	[ "$touched" = 0 ] || echo " (and $touched time(s) more for the same bytes, which the host skipped)")"
grep -qx '  build 2 serves now: 1 instance moved to it, 1 with its state (rdy:reload/state)' run.log ||
	fail "the new build did not take over with the state; see $rout/run.log"
grep -qx '  build 1 is unloaded: the runtime checked that it is no longer mapped' run.log ||
	fail "build 1 was not unloaded; see $rout/run.log"
ok "the new code took over at reading #$first, the count and the list from build 1, which was unloaded"
refusal='    plugins/tally.so: example:tally/tally@1.0.0: record reading: field count: host expects u32 (offset 16), plugin has u64'
grep -qxF "$refusal" run.log || fail "the build from the changed WIT was not refused as it should be; see $rout/run.log"
ok "the build from the changed WIT was refused by the check:"
echo "      ${refusal#    }"
refusal='    plugins/tally.so: rdy:reload/state restore refused the state: it is in format 1, and this build reads format 2 only; the old build goes on'
grep -qxF "$refusal" run.log || fail "the build with the new state format was not refused as it should be; see $rout/run.log"
ok "the build with the new state format was refused by its own restore:"
echo "      ${refusal#    }"
awk '/^  refused; build 2 goes on/ { r++ } r == 2 && /^#[0-9]/ { after++ } END { exit !(after >= 3) }' run.log ||
	fail "the readings did not go on after the second refusal; see $rout/run.log"
ok "after each refusal build 2 went on, its count and list untouched: no reading lost"
grep -qx 'closed plugins/tally.so: build 2 is unloaded, the runtime checked that it is no longer mapped' run.log ||
	fail "the last build was not unloaded cleanly; see $rout/run.log"
ok "closing the module unloaded build 2, and the runtime checked that it is no longer mapped"

# ---- Rust: a plugin of the filters world, and a host over the rdy crate ------------

# rustc and cargo as CMake finds them: on PATH, else in ~/.cargo/bin; RUSTC and
# CARGO name them outright (cargo itself uses RUSTC too).  RDY_DEMO_RUST=require
# (tests/demo sets it where CMake found both) turns a missing one into a failure.
tool() { # NAME VARIABLE
	if [ -n "${!2-}" ]; then
		command -v "${!2}" || true
	elif command -v "$1" >/dev/null; then
		command -v "$1"
	elif [ -x "$HOME/.cargo/bin/$1" ]; then
		echo "$HOME/.cargo/bin/$1"
	fi
}
rust_skip() { # WHY
	[ "${RDY_DEMO_RUST-}" != require ] || fail "$1, and RDY_DEMO_RUST=require"
	echo "Rust: skipped: $1."
}
rustc_cmd=$(tool rustc RUSTC)
cargo_cmd=$(tool cargo CARGO)
echo
if [ -z "$rustc_cmd" ]; then
	rust_skip "rustc is not installed (the Rust plugin needs rustc, the Rust host cargo)"
else
	echo "== Rust: a filter plugin in Rust, and the filters host in Rust =="
	echo
	rsout=$out/rust
	mkdir -p "$rsout/sentences"
	cd "$out"
	echo "examples/filters/rust/sentences.rs is one more filter, written in Rust, for the"
	echo "same WIT world as the C filters.  It numbers the sentences of a text and counts their"
	echo "words.  Its bindings come from rdy gen rust, one module, which it includes as"
	echo "\`mod bindings\`: it implements the trait Filter, and export! makes the root symbol"
	echo "the loader looks for.  rustc builds it as a cdylib, no cargo needed:"
	"$build/rdy" gen rust "$example/wit" --world $world --side plugin -o "$rsout/sentences/bindings.rs"
	cp "$example/rust/sentences.rs" "$rsout/sentences/sentences.rs"
	rustc_flags=(--edition 2021 -D warnings -O -C panic=unwind --crate-type cdylib)
	b=$(basename "$build")
	echo "  $b/rdy gen rust examples/filters/wit --side plugin -o $b/demo/rust/sentences/bindings.rs"
	echo "  cp examples/filters/rust/sentences.rs $b/demo/rust/sentences/"
	echo "  rustc ${rustc_flags[*]} $b/demo/rust/sentences/sentences.rs -o $b/demo/plugins/sentences.so"
	"$rustc_cmd" "${rustc_flags[@]}" "$rsout/sentences/sentences.rs" -o plugins/sentences.so
	printf '  plugins/%-14s with %s\n' sentences.so "$("$rustc_cmd" --version)"

	echo
	echo "The C host, filters-host, unchanged, loads it beside the C plugins: librdy checks it"
	echo "as it checks them, and the host calls it as it calls them:"
	echo "  cd $(basename "$build")/demo && ${runner[*]:+${runner[*]} }./filters-host ${plugins[*]} plugins/sentences.so"
	status=0
	"${runner[@]}" ./filters-host "${plugins[@]}" plugins/sentences.so >run-c-rust.log 2>&1 || status=$?
	echo
	echo "What it printed about the Rust plugin (run-c-rust.log has the rest):"
	{ grep -E 'sentences|^  result:|accepted and ran' run-c-rust.log || true; } | sed 's/^/| /'
	echo
	echo "Checking what happened:"
	[ $status = 0 ] || fail "the C host with the Rust plugin exited with status $status; see $out/run-c-rust.log"
	ok "the C host exited with status 0${runner[*]:+; valgrind found no error and no leak}"
	grep -qx '4 plugins accepted and ran, 1 refused.' run-c-rust.log ||
		fail "expected 4 plugins accepted (sentences.so among them) and 1 refused; see $out/run-c-rust.log"
	grep -qx '    it is sentences: Numbers the sentences and counts their words; written in Rust.' run-c-rust.log ||
		fail "the Rust plugin did not say who it is; see $out/run-c-rust.log"
	ok "the Rust plugin was accepted beside the three C ones, and the stale one refused as before"
	grep -qx '      info at byte 46, "alice keeps the secret code in teh lab": sentence 2 of 2: 8 words' run-c-rust.log ||
		fail "the Rust plugin's check did not find the second sentence; see $out/run-c-rust.log"
	pipeline='  result: "[1] The quick brown fox jumps over the lazy dog. [2] Alice keeps the ###### #### in the lab."'
	grep -qxF "$pipeline" run-c-rust.log ||
		fail "the pipeline did not end with the Rust plugin's numbering; see $out/run-c-rust.log"
	ok "its check, apply and suggest ran, and it numbered the sentences at the end of the pipeline:"
	echo "      ${pipeline#  }"
	grep -qx '    sentences: declined: the text is too large, the limit is 200 bytes' run-c-rust.log ||
		fail "the Rust plugin did not decline the text over the host's limit; see $out/run-c-rust.log"
	grep -q '^Calls from the plugins .*, sentences 3\.$' run-c-rust.log ||
		fail "the Rust plugin did not call the host's functions as it should; see $out/run-c-rust.log"
	ok "it read the host's policy and logged through the host (3 calls), and declined the long text"

	echo
	if [ -n "$sanitize" ]; then
		echo "Rust host: skipped: $(basename "$build") is built with sanitizers ($sanitize), and a Rust program cannot link that librdy without their runtime."
	elif [ -z "$cargo_cmd" ]; then
		rust_skip "cargo is not installed, so the Rust host (examples/filters/rust-host) is not built"
	else
		echo "examples/filters/rust-host is the filters host again, in Rust: a cargo package over the"
		echo "rdy crate (bindings/rust) and the host bindings its build script generates (rdy gen rust"
		echo "--side host).  It opens plugins with rdy::Module::open, gives them the host's functions"
		echo "through the generated trait Imports, and calls their exports through the generated typed"
		echo "methods.  cargo builds it offline, into the build directory:"
		cargo_target=$build/demo-cargo
		echo "  CARGO_TARGET_DIR=$(basename "$build")/demo-cargo cargo build --offline --locked --manifest-path examples/filters/rust-host/Cargo.toml"
		if ! RDY_LIB_DIR=$build RDY=$build/rdy CARGO_TARGET_DIR=$cargo_target RUSTFLAGS=-Dwarnings RUSTC=$rustc_cmd \
			"$cargo_cmd" build --offline --locked -j 2 --quiet --manifest-path "$example/rust-host/Cargo.toml" \
			>cargo.log 2>&1; then
			cat cargo.log >&2
			fail "cargo could not build examples/filters/rust-host"
		fi
		cp "$cargo_target/debug/filters-host-rs" filters-host-rs
		printf '  %-22s with %s\n' filters-host-rs "$("$cargo_cmd" --version)"
		echo
		echo "Running the Rust host on the C plugins and the Rust one, stale.so among them:"
		echo "  cd $(basename "$build")/demo && ${runner[*]:+${runner[*]} }./filters-host-rs ${plugins[*]} plugins/sentences.so"
		echo
		status=0
		"${runner[@]}" ./filters-host-rs "${plugins[@]}" plugins/sentences.so >run-rust.log 2>&1 || status=$?
		sed 's/^/| /' run-rust.log
		echo
		echo "Checking what happened:"
		[ $status = 0 ] || fail "the Rust host exited with status $status; see $out/run-rust.log"
		ok "the Rust host exited with status 0${runner[*]:+; valgrind found no error and no leak}"
		grep -qx '4 plugins accepted and ran, 1 refused.' run-rust.log ||
			fail "the Rust host did not accept 4 plugins and refuse 1; see $out/run-rust.log"
		awk '/^  plugins\/stale\.so: REFUSED/ { on = 1; next }
		     on && /^    / { sub(/^    /, ""); print; next }
		     { on = 0 }' run-rust.log >refusal-rust.txt
		diff -u "$example/expected-refusal.txt" refusal-rust.txt >refusal-rust.diff ||
			fail "the Rust host's refusal differs from examples/filters/expected-refusal.txt:
$(cat refusal-rust.diff)"
		! grep -q 'stale plugin code ran!' run-rust.log || fail "the stale plugin's code ran inside the Rust host"
		ok "it refused stale.so with exactly examples/filters/expected-refusal.txt, none of its code run"
		# What both hosts do, from opening the plugins to the text over the limit, they
		# must print alike: the same calls, the same results, the same host callbacks.
		both() { # LOG
			awk '/^Opening / { on = 1 } /^Bytes that are not UTF-8|^Calls from the plugins/ { on = 0 } on' "$1"
		}
		both run-c-rust.log >both-c.txt
		both run-rust.log >both-rust.txt
		[ -s both-c.txt ] || fail "no output to compare in $out/run-c-rust.log"
		diff -u both-c.txt both-rust.txt >both.diff ||
			fail "the Rust host and the C host differ on the same plugins:
$(cat both.diff)"
		ok "from opening the plugins to the long text it printed what the C host printed, line for line:"
		echo "      $(wc -l <both-c.txt) lines: each plugin's about, check, apply and suggest, the pipeline, the callbacks"
		grep -qx '    sentences: refused the argument: status 4, RDY_EINVAL' run-rust.log ||
			fail "the Rust plugin did not refuse a string that is not UTF-8; see $out/run-rust.log"
		grep -qx '    capitalize: 2 findings' run-rust.log ||
			fail "capitalize did not check the bytes that are not UTF-8; see $out/run-rust.log"
		ok "bytes that are not UTF-8: the C filters took them, the Rust one's bindings refused them (RDY_EINVAL)"
		grep -qx "The host lent the plugins [1-9][0-9]* results\\? (config, dictionary), copies that the bindings' release functions free." run-rust.log ||
			fail "the plugins got no result of the Rust host's config and dictionary; see $out/run-rust.log"
		ok "the plugins got the Rust host's config and dictionary through its Imports${runner[*]:+; valgrind found every copy freed}"
	fi
fi

echo
echo "demo: everything happened as it should."
