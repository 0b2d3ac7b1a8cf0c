#!/usr/bin/env bash
# Packaging (docs/packaging.md), as a user meets it: this build installed
# under a scratch DESTDIR with prefix /usr; the files where they belong and
# naming no directory of the build; a program built with pkg-config alone;
# the CMake package's version check; and consumer/, a project of its own,
# built with find_package(rdy) and run: its host opens its plugin and calls it.
#
# tests/pkg/CMakeLists.txt sets the environment: RDY_PKG_CMAKE, RDY_PKG_BUILD,
# RDY_PKG_SOURCE_DIR, RDY_PKG_BINDIR, RDY_PKG_LIBDIR, RDY_PKG_INCLUDEDIR,
# RDY_PKG_CMAKEDIR, RDY_PKG_VERSION, RDY_PKG_CC, RDY_PKG_FLAGS (sanitizers),
# RDY_PKG_RUNTIME (ON when librdy is built), RDY_PKG_WERROR.
#
# Exits 77 (skipped), after every check it can make, while the runtime or
# `rdy gen` is not built yet.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmake=$RDY_PKG_CMAKE build=$RDY_PKG_BUILD cc=$RDY_PKG_CC flags=${RDY_PKG_FLAGS:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 skipped=()

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# run LOG CMD...: CMD's output goes to LOG, and is shown if CMD fails.
run() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 && return 0
	echo "--- $* failed; its output:"
	tail -n 40 "$log"
	return 1
}

stage=$tmp/stage
prefix=/usr
# A GNUInstallDirs directory, absolute or relative to the prefix, in the stage.
staged() {
	case $1 in
	/*) echo "$stage$1" ;;
	*) echo "$stage$prefix/$1" ;;
	esac
}
bindir=$(staged "$RDY_PKG_BINDIR")
libdir=$(staged "$RDY_PKG_LIBDIR")
incdir=$(staged "$RDY_PKG_INCLUDEDIR")
cmakedir=$(staged "$RDY_PKG_CMAKEDIR")
pcdir=$libdir/pkgconfig

# ---- the install tree ----------------------------------------------------------
if ! DESTDIR=$stage run "$tmp/install.log" "$cmake" --install "$build" --prefix "$prefix"; then
	fail "cmake --install $build --prefix $prefix with DESTDIR"
	exit 1
fi

expect_file() {
	[ -f "$1" ] || fail "not installed: ${1#"$stage"}"
}
[ -x "$bindir/rdy" ] || fail "not installed, or not executable: ${bindir#"$stage"}/rdy"
expect_file "$incdir/rdy.h"
expect_file "$incdir/rdy/abi.h"
for f in rdyConfig.cmake rdyConfigVersion.cmake rdyTargets.cmake RdyGenerate.cmake; do
	expect_file "$cmakedir/$f"
done
if [ "$RDY_PKG_RUNTIME" = ON ]; then
	expect_file "$libdir/librdy.a"
	expect_file "$pcdir/rdy.pc"
	[ -L "$libdir/librdy.so" ] || fail "not installed: the link ${libdir#"$stage"}/librdy.so"
	[ -e "$libdir/librdy.so.0" ] || fail "not installed: ${libdir#"$stage"}/librdy.so.0"
	soname=$(readelf -d "$libdir/librdy.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	[ "$soname" = librdy.so.0 ] || fail "librdy.so: SONAME is '$soname', expected librdy.so.0"
else
	skipped+=("librdy is not built yet (src/rt): no library, rdy.pc or host to check")
fi
# Moved or staged, the package must still work: nothing may name the build.
if grep -rlF -e "$build" -e "$RDY_PKG_SOURCE_DIR" "$cmakedir" "$pcdir" 2>/dev/null; then
	fail "installed files above name the build or source directory"
fi

version=$("$bindir/rdy" --version 2>&1)
[ "$version" = "rdy $RDY_PKG_VERSION" ] || fail "installed rdy --version: '$version'"

# ---- pkg-config ----------------------------------------------------------------
# rdy.pc names the real prefix, /usr; the sysroot maps it into the stage, as
# when building against a staged or cross root.
pc() {
	PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$stage pkg-config "$@"
}
if [ "$RDY_PKG_RUNTIME" = ON ]; then
	grep -qx "prefix=$prefix" "$pcdir/rdy.pc" || fail "rdy.pc: prefix is not $prefix: $(grep '^prefix=' "$pcdir/rdy.pc")"
	[ "$(pc --modversion rdy)" = "$RDY_PKG_VERSION" ] || fail "pkg-config --modversion rdy: $(pc --modversion rdy 2>&1)"
	pcflags=$(pc --cflags --libs rdy) || fail "pkg-config --cflags --libs rdy: $pcflags"
	for want in "-I$incdir" "-L$libdir" -lrdy; do
		[[ " $pcflags " == *" $want "* ]] || fail "pkg-config --cflags --libs rdy: no $want in: $pcflags"
	done
	static=$(pc --static --libs rdy)
	for want in -lrdy -lelf -lxxhash -ldl -lpthread; do
		[[ " $static " == *" $want "* ]] || fail "pkg-config --static --libs rdy: no $want in: $static"
	done
	# shellcheck disable=SC2086 # the flags are words
	if run "$tmp/pc_host.log" "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $flags \
		"$here/pc_host.c" -o "$tmp/pc_host" $pcflags; then
		if ! out=$(LD_LIBRARY_PATH=$libdir "$tmp/pc_host" 2>&1) || [ -z "$out" ]; then
			fail "pc_host (pkg-config build) failed: $out"
		fi
	else
		fail "a host built with \`pkg-config --cflags --libs rdy\` does not compile or link"
	fi
fi

# ---- the CMake package ---------------------------------------------------------
# The version file: 0.x accepts only its own minor version.  rdy_DIR, as a
# project without C has no library architecture to search lib/<multiarch>.
IFS=. read -r major minor _ <<<"$RDY_PKG_VERSION"
probe=$tmp/probe
mkdir -p "$probe"
cat >"$probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(rdy_version_probe LANGUAGES NONE)
find_package(rdy ${WANT} QUIET)
message(STATUS "rdy_FOUND=${rdy_FOUND}")
EOF
probe_version() { # probe_version WANT FOUND
	"$cmake" -S "$probe" -B "$probe/b-$1" -DWANT="$1" -Drdy_DIR="$cmakedir" >"$probe/$1.log" 2>&1
	grep -q "rdy_FOUND=$2\$" "$probe/$1.log" ||
		fail "find_package(rdy $1) should give rdy_FOUND=$2: $(grep -E 'rdy_FOUND|Error' "$probe/$1.log")"
}
probe_version "$major.$minor" 1
probe_version "$major.$((minor + 1))" 0
[ "$minor" -gt 0 ] && probe_version "$major.$((minor - 1))" 0
probe_version "$((major + 1)).0" 0

# Without the generator, rdy refuses `gen` as an unknown command; with it,
# `gen c` without arguments is a usage error that names the command.
rdy_gen_ok=1
gen_usage=$("$bindir/rdy" gen c 2>&1)
if grep -q 'unknown command' <<<"$gen_usage"; then
	rdy_gen_ok=0
	skipped+=("rdy gen is not built yet (src/gen): consumer/ was only configured, not built")
fi

consumer=$tmp/consumer
consumer_args=(-S "$here/consumer" -B "$consumer" -DCMAKE_PREFIX_PATH="$stage$prefix"
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" -DCMAKE_BUILD_TYPE=Debug
	-DCONSUMER_WERROR="$RDY_PKG_WERROR")
if [ "$rdy_gen_ok" = 0 ] || [ "$RDY_PKG_RUNTIME" != ON ]; then
	consumer_args+=(-DCONSUMER_PROBE=ON)
fi
if ! run "$tmp/consumer-configure.log" "$cmake" "${consumer_args[@]}"; then
	fail "consumer/: find_package(rdy) and configure"
elif ! grep -qF "consumer: rdy $RDY_PKG_VERSION from $cmakedir" "$tmp/consumer-configure.log"; then
	fail "consumer/ found another rdy: $(grep 'consumer: rdy' "$tmp/consumer-configure.log")"
elif [ "$rdy_gen_ok" = 1 ] && [ "$RDY_PKG_RUNTIME" = ON ]; then
	if ! run "$tmp/consumer-build.log" "$cmake" --build "$consumer" -j2; then
		fail "consumer/: build"
	else
		plugin=$consumer/calc_plugin.so
		[ -f "$plugin" ] || fail "consumer/: no calc_plugin.so (rdy_add_plugin names it without lib)"
		# A plugin links nothing but libc, and exports only its root symbol
		# (sanitizers add their runtimes and symbols).
		if [ -z "$flags" ]; then
			needed=$(readelf -d "$plugin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v '^libc\.so' || true)
			[ -z "$needed" ] || fail "calc_plugin.so needs more than libc: $needed"
			exported=$(nm -D --defined-only "$plugin" | awk '$2 != "A" { print $3 }')
			[ "$exported" = rdy_plugin_v1 ] || fail "calc_plugin.so exports more than rdy_plugin_v1:" "$exported"
		fi
		needs_rdy() { readelf -d "$consumer/$1" | grep -q 'NEEDED.*\[librdy\.so\.0\]'; }
		needs_rdy calc_host || fail "calc_host does not load librdy.so.0"
		needs_rdy calc_host_static && fail "calc_host_static loads librdy.so.0: not linked with librdy.a"
		for host in calc_host calc_host_static; do
			out=$("$consumer/$host" "$plugin" 2>&1)
			[ "$out" = "add(2, 40) = 42" ] || fail "consumer/$host: '$out'"
		done
		# The installed CLI agrees: the host embeds the world it expects.
		out=$("$bindir/rdy" check "$consumer/calc_host" "$plugin" 2>&1) ||
			fail "rdy check calc_host calc_plugin.so: $out"
	fi
fi

if [ "$failed" -ne 0 ]; then
	echo "pkg_install: $failed check(s) failed"
	exit 1
fi
if [ ${#skipped[@]} -ne 0 ]; then
	printf 'pkg_install: SKIPPED in part: %s\n' "${skipped[@]}"
	exit 77
fi
echo "pkg_install: all checks passed"
