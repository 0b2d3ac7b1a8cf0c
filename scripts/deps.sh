#!/usr/bin/env bash
# Installs the Debian packages rdylib needs to build, test and fuzz.  Silent
# when everything is present.  As root it installs what is missing with
# apt-get; otherwise it prints the command to run and fails.
set -euo pipefail

# libclang-rt-N-dev holds the libFuzzer and sanitizer runtimes of clang N.
clang_major=14
if command -v clang >/dev/null 2>&1; then
	clang_major=$(clang -dumpversion | cut -d. -f1)
fi

packages=(cmake gcc g++ clang make pkg-config libcmocka-dev libxxhash-dev libelf-dev
          libssl-dev python3 valgrind "libclang-rt-$clang_major-dev")

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; make sure these (or their equivalents) are installed:" >&2
	echo "  ${packages[*]}" >&2
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages; install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
