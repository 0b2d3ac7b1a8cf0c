#!/usr/bin/env python3
"""Follows docs/guide.md step by step, so the tutorial cannot go stale.

usage: guide_test.py GUIDE BIN_DIR INCLUDE_DIR LIB_DIR

In the guide, a fenced block right after `<!-- file: PATH -->` is written to
PATH, and a block right after `<!-- run -->` is run: each `$ ` line is a
shell command (run in order, in one scratch directory, with `rdy` from
BIN_DIR on PATH and RDY_INCLUDE, RDY_LIB set as the guide's setup sets
them), and the lines up to the next command are its expected output,
stdout and stderr together.  A `...` line stands for any number of lines.
"""
import os
import re
import subprocess
import sys
import tempfile

MARK = re.compile(r"^<!-- (file: (?P<path>\S+)|run) -->$")


def blocks(text):
    """Yields (kind, path, lines) for each marked fenced block, with its line number."""
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
        yield ("run" if m.group(0) == "<!-- run -->" else "file"), m.group("path"), lines[start + 1:end], i + 1
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
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), RDY_INCLUDE=include,
               RDY_LIB=libdir, LC_ALL="C")
    fails = steps = 0
    with tempfile.TemporaryDirectory() as work:
        for kind, path, body, line in blocks(text):
            if kind == "file":
                full = os.path.join(work, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write("\n".join(body) + "\n")
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
    print(f"guide: {steps - fails} of {steps} commands gave the output the guide shows")
    return 1 if fails or not steps else 0


if __name__ == "__main__":
    sys.exit(main())
