#!/usr/bin/env python3
"""Follows docs/guide.md step by step, so the tutorial cannot go stale.

usage: guide_test.py GUIDE BIN_DIR INCLUDE_DIR LIB_DIR

In the guide, a fenced block right after `<!-- file: PATH -->` is written to
PATH, and a block right after `<!-- run -->` is run: each `$ ` line is a
shell command (run in order, in one scratch directory, with `rdy` from
BIN_DIR on PATH and RDY_INCLUDE, RDY_LIB set as the guide's setup sets
them), and the lines up to the next command are its expected output,
stdout and stderr together.  A `...` line stands for any number of lines.

A block marked `<!-- run (needs rustc) -->` or `<!-- run (needs cargo) -->`
(§10, Rust) runs only where those commands are found: on PATH, in the
directory RDY_RUST_BIN names (CTest sets it), or in ~/.cargo/bin.  Elsewhere
it is skipped with a notice, unless RDY_GUIDE_RUST=require, which CTest sets
where CMake found them: then a missing one fails.  RDY_CRATE, as the guide's
setup sets it, is bindings/rust beside the guide's docs/.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARK = re.compile(r"^<!-- (file: (?P<path>\S+)|run(?: \(needs (?P<needs>[a-z, ]+)\))?) -->$")


def blocks(text):
    """Yields (kind, path or needed commands, lines, line number) for each marked fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        start = i + 1
        if start >= len(lines) or not lines[start].startswith("```"):
            raise SystemExit(f"guide line {i + 1}: a marker must be followed by a fenced block")
        end = start + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        if m.group("path"):
            yield "file", m.group("path"), lines[start + 1:end], i + 1
        else:
            needs = [n.strip() for n in (m.group("needs") or "").split(",") if n.strip()]
            yield "run", needs, lines[start + 1:end], i + 1
        i = end + 1


def matches(want, got):
    """Whether GOT lines fit WANT lines, where a `...` line matches any run of lines."""
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and want[0].rstrip() == got[0].rstrip() and matches(want[1:], got[1:])


def main():
    guide, bindir, include, libdir = (os.path.abspath(a) for a in sys.argv[1:5])
    text = open(guide).read()
    dirs = [bindir] + [d for d in [os.environ.get("RDY_RUST_BIN")] if d] + [os.environ.get("PATH", "")]
    dirs.append(os.path.expanduser("~/.cargo/bin"))
    env = dict(os.environ, PATH=os.pathsep.join(dirs), RDY_INCLUDE=include, RDY_LIB=libdir, LC_ALL="C",
               RDY_CRATE=os.path.join(os.path.dirname(os.path.dirname(guide)), "bindings", "rust"))
    require_rust = os.environ.get("RDY_GUIDE_RUST") == "require"
    fails = steps = skipped = 0
    with tempfile.TemporaryDirectory() as work:
        for kind, what, body, line in blocks(text):
            if kind == "file":
                path = what
                full = os.path.join(work, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write("\n".join(body) + "\n")
                continue
            missing = [n for n in what if not shutil.which(n, path=env["PATH"])]
            if missing:
                what = " and ".join(missing)
                if require_rust:
                    fails += 1
                    print(f"FAIL guide.md:{line}: {what} not found, and RDY_GUIDE_RUST=require")
                else:
                    skipped += 1
                    print(f"guide.md:{line}: skipped: {what} not found")
                continue
            cmds = []
            for ln in body:
                if ln.startswith("$ "):
                    cmds.append((ln[2:], []))
                elif cmds:
                    cmds[-1][1].append(ln)
            for cmd, want in cmds:
                steps += 1
                p = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=120)
                got = p.stdout.rstrip("\n").split("\n") if p.stdout.strip() else []
                if not matches(want, got):
                    fails += 1
                    print(f"FAIL guide.md:{line}: $ {cmd}\n--- want\n" + "\n".join(want) +
                          "\n--- got\n" + "\n".join(got))
    print(f"guide: {steps - fails} of {steps} commands gave the output the guide shows" +
          (f"; {skipped} block(s) skipped for want of rustc or cargo" if skipped else ""))
    return 1 if fails or not steps else 0


if __name__ == "__main__":
    sys.exit(main())
