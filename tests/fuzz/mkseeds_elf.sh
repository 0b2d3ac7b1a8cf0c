#!/usr/bin/env bash
# usage: tests/fuzz/mkseeds_elf.sh [CC]
# Regenerates the shared objects among tests/fuzz/seeds/elf/, the ELF
# fuzzer's seeds: a plugin as the loader's static read sees it (a descriptor
# note, docs/abi.md §5.1, and the root symbol), and, for rdy_elf_read_keep,
# small objects, linked as a plugin would be, with what can keep an object
# mapped after dlclose (docs/abi.md
# §7.3): DF_1_NODELETE, defined STB_GNU_UNIQUE symbols (written in assembly,
# so that no C++ compiler is needed), references to __cxa_thread_atexit and
# __cxa_thread_atexit_impl.  No C library, no build id, one segment for
# code and data, stripped: each is under 2 KiB.
set -euo pipefail
cc=${1:-cc}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$root/tests/fuzz/seeds/elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# unique NAME...: a defined STB_GNU_UNIQUE data object of each NAME.
unique() {
	local name
	for name; do
		printf '__asm__(".pushsection .data\\n.globl %s\\n.type %s, @gnu_unique_object\\n'`
			`'.size %s, 4\\n%s: .long 1\\n.popsection");\n' "$name" "$name" "$name" "$name"
	done
}

# registrar NAME: an undefined reference to NAME, through a data pointer.
registrar() {
	printf 'extern int %s(void (*)(void *), void *, void *);\n' "$1"
	printf 'int (*ref_%s)(void (*)(void *), void *, void *) = %s;\n' "$1" "$1"
}

# seed NAME [LDFLAGS...]: links $tmp/NAME.c into $out/NAME.so.
seed() {
	local name=$1
	shift
	"$cc" -shared -fPIC -nostdlib -Os -o "$out/$name.so" "$tmp/$name.c" \
		-Wl,-z,noseparate-code -Wl,--build-id=none -Wl,-z,norelro "$@"
	strip "$out/$name.so"
}

{ unique _ZN6sharedIiE5countE; registrar __cxa_thread_atexit; } >"$tmp/keep-every-reason.c"
seed keep-every-reason -Wl,-z,nodelete

{
	unique _ZN6sharedIjE5countE _ZN6sharedIlE5countE _ZN6sharedIiE5countE _ZN6sharedImE5countE
	registrar __cxa_thread_atexit_impl
	registrar __cxa_thread_atexit
} >"$tmp/keep-unique4-tls.c"
seed keep-unique4-tls

# A plugin: a descriptor note (a header and 8 more bytes: the reader frames
# it, it does not decode it) and an 88-byte root symbol, as rdy_plugin_v1.
cat >"$tmp/plugin-note.c" <<'EOF_C'
__attribute__((section(".note.rdy"), used, aligned(4)))
static const struct { unsigned namesz, descsz, type; char name[4]; unsigned char desc[20]; } note = {
	4, 20, 1, "RDY", { 0x7f, 'R', 'D', 'Y', 1, 0, 2, 0, 20, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }
};
__attribute__((visibility("default"))) const struct { const void *p[11]; } rdy_plugin_v1 = { { &note } };
EOF_C
seed plugin-note

ls -l "$out"/keep-*.so "$out"/plugin-*.so
