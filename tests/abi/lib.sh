# Sourced by the CLI checks of this folder: a scratch directory, removed on
# exit, and failures counted rather than fatal, so that one run reports all.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# finish NAME: the summary line and the exit status.
finish() {
	[ "$failed" -eq 0 ] && echo "$1: all checks passed"
	[ "$failed" -eq 0 ]
}
