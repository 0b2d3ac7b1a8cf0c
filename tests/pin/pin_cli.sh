#!/usr/bin/env bash
# `rdy lock PLUGIN...`: prints each plugin's SHA-256 as sha256sum does, so
# that sha256sum -c checks the lock; refuses what is not an rdylib plugin,
# and then prints nothing; usage errors exit 2 (docs/cli.md).
# usage: pin_cli.sh RDY CALC_SO CHANGED_SO NOROOT_SO
set -uo pipefail
rdy=$1 calc=$2 changed=$3 noroot=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect STATUS TEXT CMD...: exit STATUS and TEXT somewhere in stderr
	local want=$1 text=$2
	shift 2
	err=$("$@" 2>&1 >"$tmp/out")
	st=$?
	if [ "$st" != "$want" ] || ! grep -qF -- "$text" <<<"$err"; then
		echo "FAIL: $* (exit $st, want $want and '$text')"
		echo "$err" | head -n 10
		fail=1
	fi
}
same() { # same WHAT A B
	if ! cmp -s "$2" "$3"; then
		echo "FAIL: $1"
		diff "$2" "$3" | head -n 10
		fail=1
	fi
}

cd "$tmp"
cp "$calc" calc.so
cp "$changed" "odd name.so"
cp "$calc" 'back\slash.so'
printf 'not a plugin\n' > notes.txt

# The same text as sha256sum's, names as given, escapes and all.
"$rdy" lock calc.so "odd name.so" 'back\slash.so' > rdy.lock || { echo "FAIL: rdy lock"; fail=1; }
sha256sum calc.so "odd name.so" 'back\slash.so' > want.lock
same "rdy lock prints what sha256sum prints" want.lock rdy.lock
sha256sum -c --strict --quiet rdy.lock || { echo "FAIL: sha256sum -c rdy.lock"; fail=1; }
"$rdy" lock -- calc.so > dashdash.lock && sha256sum calc.so > want1.lock
same "rdy lock -- calc.so" want1.lock dashdash.lock

# A tampered plugin fails the check.
printf 'x' >> calc.so
sha256sum -c --quiet rdy.lock >/dev/null 2>&1 && { echo "FAIL: sha256sum -c passed a tampered plugin"; fail=1; }
cp "$calc" calc.so

# Refusals: nothing is printed, exit 1, each reason on stderr.
expect 1 "error: notes.txt: not an ELF file" "$rdy" lock calc.so notes.txt
[ -s "$tmp/out" ] && { echo "FAIL: rdy lock printed a partial lock"; fail=1; }
expect 1 "rdy lock: 1 of 2 plugins could not be pinned; nothing printed" "$rdy" lock calc.so notes.txt
expect 1 "error: missing.so: No such file or directory" "$rdy" lock missing.so
expect 1 "error: $tmp: not a regular file" "$rdy" lock "$tmp"
expect 1 "no root symbol \`rdy_plugin_v1\`: not an rdylib plugin" "$rdy" lock "$noroot"
: > empty.so
expect 1 "error: empty.so: not an ELF file" "$rdy" lock empty.so
expect 1 "rdy lock: 3 of 3 plugins could not be pinned" "$rdy" lock empty.so missing.so notes.txt
cp "$calc" "$(printf 'cr\rname.so')"
expect 1 "a file name with a carriage return cannot be pinned" "$rdy" lock "$(printf 'cr\rname.so')"

# Usage.
expect 2 "rdy lock: missing PLUGIN" "$rdy" lock
expect 2 "rdy lock: unknown option --frobnicate" "$rdy" lock --frobnicate calc.so
"$rdy" lock --help | grep -qF "usage: rdy lock PLUGIN..." || { echo "FAIL: rdy lock --help"; fail=1; }
"$rdy" --help | grep -qF "lock PLUGIN..." || { echo "FAIL: rdy --help lacks lock"; fail=1; }

[ $fail = 0 ] && echo "pin_cli: ok"
exit $fail
