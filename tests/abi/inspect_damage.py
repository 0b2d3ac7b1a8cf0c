#!/usr/bin/env python3
"""Damages a plugin and its descriptor a byte at a time and runs `rdy inspect`
on each copy: every one must be reported (exit 0) or refused with a message
(exit 1), never crash.  Every third byte of the descriptor is hit, and in the
plugin what a reader trusts most: the whole ELF header and section name
table, the section headers and the descriptor's section sampled.

usage: inspect_damage.py RDY PLUGIN.so PLUGIN.desc TMPDIR
"""
import os
import struct
import subprocess
import sys


def elf_targets(s):
    """Offsets worth damaging in the ELF64 little-endian file S."""
    shoff, = struct.unpack_from("<Q", s, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", s, 0x3A)
    hit = set(range(64))
    for i in range(shnum):
        base = shoff + i * shentsize
        name, kind, _, _, off, size = struct.unpack_from("<IIQQQQ", s, base)
        step = 1 if i == shstrndx else 8
        hit.update(range(base, base + shentsize, step))
        if i == shstrndx:
            hit.update(range(off, off + size))
        elif kind == 1 and s[off:off + 4] == b"\x7fRDY":
            hit.update(range(off, off + size, 7))
    return sorted(o for o in hit if o < len(s))


def run(rdy, path, what):
    p = subprocess.run([rdy, "inspect", path], capture_output=True)
    if p.returncode not in (0, 1) or (p.returncode == 1 and not p.stderr.startswith(b"error: ")):
        print(f"FAIL: {what}: exit {p.returncode}: {p.stderr[:300]!r}")
        return 1
    return 0


def main():
    rdy, so, desc, tmp = sys.argv[1:5]
    failed = runs = 0
    for src, offsets in ((desc, lambda s: range(0, len(s), 3)), (so, elf_targets)):
        s = open(src, "rb").read()
        for i in offsets(s):
            path = f"{tmp}/damaged"
            if os.path.exists(path):
                os.remove(path)  # rewriting in place would have ext4 flush it on close
            with open(path, "wb") as f:
                f.write(s[:i] + bytes([s[i] ^ 0xFF]) + s[i + 1:])
            failed += run(rdy, path, f"{src} with byte {i} flipped")
            runs += 1
    print(f"damage: {runs} damaged copies, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
