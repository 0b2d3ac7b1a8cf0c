#!/usr/bin/env python3
"""Generated C compiles: `rdy gen c` over every world of the shared corpus.

usage: gen_corpus.py RDY SHARED INCLUDE CC... [--jobs N] [--verbose]

For every world of every wit-ui passing case, every wasi-0.2 package and
every tests/gen/*.wit (names that C reserves or that clash in C),
both sides are generated, and each compiler given compiles the header and
source with -std=c11 -Wall -Wextra -Wpedantic -Werror; a C++ compiler, when
there is one, checks that the header also reads as C++11.  A world that ABI v1
does not carry (async functions, future, stream, error-context) must be
refused by the generator with a message naming the item; those are counted
and listed.  Any other failure fails the test.

Exit status: 0 when everything passes, 1 otherwise, 77 (skip) when the
shared corpus is absent.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
OUT_OF_SCOPE = {"kinds-of-deps", "simple-wasm-text"}
FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wshadow",
         "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wvla"]
NOT_IN_V1 = "ABI v1"


def cases(shared):
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):  # names C reserves or that clash once spelled in C
        if name.endswith(".wit"):
            yield "tests/gen/" + name[:-4], os.path.join(here, name)
    ui = os.path.join(shared, "corpus", "wit-ui")
    for name in sorted(os.listdir(ui)):
        if name.endswith(".wit.json"):
            base = name[: -len(".wit.json")]
            if base in OUT_OF_SCOPE:
                continue
            path = os.path.join(ui, base + ".wit")
            if not os.path.exists(path):
                path = os.path.join(ui, base)
            yield "wit-ui/" + base, path
    wasi = os.path.join(shared, "corpus", "wasi-0.2")
    for name in sorted(os.listdir(wasi)):
        if os.path.isdir(os.path.join(wasi, name)):
            yield "wasi-0.2/" + name, os.path.join(wasi, name)


def worlds(rdy, path):
    """Fully qualified names of every world the resolution holds."""
    p = subprocess.run([rdy, "wit", "json", path, "--features", "active"], capture_output=True, timeout=60)
    if p.returncode:
        raise RuntimeError(p.stderr.decode(errors="replace"))
    d = json.loads(p.stdout)
    out = []
    for w in d["worlds"]:
        pkg = d["packages"][w["package"]]["name"]
        ns_name, _, ver = pkg.partition("@")
        out.append(f"{ns_name}/{w['name']}" + (f"@{ver}" if ver else ""))
    return out


def one(rdy, include, ccs, label, path, world, side, tmp):
    """Returns (status, detail): 'ok', 'refused' or 'fail'."""
    d = tempfile.mkdtemp(dir=tmp)
    g = subprocess.run([rdy, "gen", "c", path, "--world", world, "--side", side, "--features", "active",
                        "-o", d, "--name", "b"], capture_output=True, timeout=60)
    err = g.stderr.decode(errors="replace").strip()
    if g.returncode:
        if g.returncode == 1 and NOT_IN_V1 in err:
            return "refused", err
        return "fail", f"rdy gen c exited {g.returncode}: {err}"
    for cc in ccs:
        # b.c includes b.h first, so the header is proved self-contained too.
        argv = [cc, *FLAGS, "-I", include, "-c", os.path.join(d, "b.c"), "-o", os.path.join(d, "b.o")]
        c = subprocess.run(argv, capture_output=True, timeout=120)
        if c.returncode:
            return "fail", f"{os.path.basename(cc)}: " + c.stderr.decode(errors="replace")[:4000]
    # The header serves C++ too: extern "C", static_assert, no C++ keyword as a name.
    if CXX:
        with open(os.path.join(d, "b.cc"), "w") as f:
            f.write('#include "b.h"\n')
        argv = [CXX, "-std=c++11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only",
                "-I", include, "-I", d, os.path.join(d, "b.cc")]
        c = subprocess.run(argv, capture_output=True, timeout=120)
        if c.returncode:
            return "fail", f"{os.path.basename(CXX)}: " + c.stderr.decode(errors="replace")[:4000]
    return "ok", ""


CXX = shutil.which("g++") or shutil.which("clang++")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rdy")
    ap.add_argument("shared")
    ap.add_argument("include")
    ap.add_argument("ccs", nargs="+")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.shared, "corpus")):
        print(f"gen_corpus: no shared corpus at {a.shared}; skipping")
        return SKIP
    jobs, failures = [], []
    for label, path in cases(a.shared):
        try:
            for w in worlds(a.rdy, path):
                for side in ("host", "plugin"):
                    jobs.append((label, path, w, side))
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            failures.append(f"{label}: cannot list worlds: {e}")
    counts = {"ok": 0, "refused": 0, "fail": 0}
    refused = []
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        futs = {ex.submit(one, a.rdy, a.include, a.ccs, *j, tmp): j for j in jobs}
        for f in concurrent.futures.as_completed(futs):
            label, path, w, side = futs[f]
            status, detail = f.result()
            counts[status] += 1
            if status == "refused":
                refused.append(f"{label} {w} ({side}): {detail.splitlines()[0]}")
            elif status == "fail":
                failures.append(f"{label} {w} ({side}): {detail}")
            elif a.verbose:
                print(f"ok {label} {w} ({side})")
    for line in sorted(refused):
        print("refused by v1:", line)
    for line in failures:
        print("FAIL:", line)
    compilers = ", ".join(os.path.basename(c) for c in a.ccs)
    print(f"gen_corpus: {counts['ok']} world sides generated and compiled warning-free by {compilers}; "
          f"{counts['refused']} refused as not in ABI v1; {len(failures)} failed")
    return 1 if failures or not counts["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
