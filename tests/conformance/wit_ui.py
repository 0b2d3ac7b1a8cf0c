#!/usr/bin/env python3
"""WIT conformance: runs `rdy wit` over the reference resolver's test suite.

usage: wit_ui.py RDY SHARED [--suite ui|wasi|all] [--only NAME] [--jobs N] [--verbose]

SHARED is the shared material beside the checkout (normally ../shared).

Suite `ui` (corpus/wit-ui, the reference resolver's tests/ui):
  - passing cases: every NAME.wit or NAME/ with a NAME.wit.json is resolved
    with `rdy wit json CASE --features active` and compared by meaning, docs
    included, with tools/wit-compare.py;
  - failing cases: every parse-fail/NAME.wit or parse-fail/NAME/ must make
    `rdy wit check CASE --features active` exit 1;
  - error locations: where NAME.wit.result has a `--> PATH:LINE:COL` line, the
    first `--> ` line rdy prints must name the same file (compared from
    `parse-fail/` on), line and column.
Suite `wasi` (corpus/wasi-0.2): every package directory must resolve with
`rdy wit check DIR`.

Exit status: 0 when every selected check passes (at least LOCATIONS_MIN
locations must match in a full run), 1 otherwise, 77 (skip) when the shared
corpus is absent, 2 on bad usage.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
LOCATIONS_MIN = 140
TIMEOUT = 60  # seconds for one rdy run; a hang is a failure, not a stuck test
# Cases whose packages are WebAssembly binaries or text, which rdylib does not decode.
OUT_OF_SCOPE = {"kinds-of-deps", "simple-wasm-text"}
LOCATION = re.compile(r"^\s*--> (.+):(\d+):(\d+)\s*$", re.M)


class Outcome:
    """The result of one case: ok, and the lines that explain a failure."""

    def __init__(self, kind, name, ok, detail=(), located=None):
        self.kind, self.name, self.ok = kind, name, ok
        self.detail = list(detail)
        self.located = located  # None: no expected location; else True/False


def run(argv, stdout=subprocess.PIPE):
    """Runs argv; returns (exit status or a description of an abnormal end, stdout, stderr)."""
    try:
        p = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timed out after {TIMEOUT} s", b"", b""
    except OSError as e:
        return f"cannot run: {e}", b"", b""
    if p.returncode < 0:
        return f"killed by signal {-p.returncode}", p.stdout or b"", p.stderr
    return p.returncode, p.stdout or b"", p.stderr


def ended(status):
    return f"exit {status}" if isinstance(status, int) else status


def text(b, lines):
    """The first LINES lines of output B, for a report."""
    return b.decode("utf-8", "replace").splitlines()[:lines]


def source_of(base, name):
    """The .wit file or package directory of case NAME in BASE, or None."""
    for p in (os.path.join(base, name + ".wit"), os.path.join(base, name)):
        if os.path.exists(p):
            return p
    return None


def location_key(path, line, col):
    """A location comparable between the reference's paths and ours."""
    i = path.rfind("parse-fail/")
    return (path[i + len("parse-fail/"):] if i >= 0 else path, int(line), int(col))


def passing_case(args, ui, name):
    src = source_of(ui, name)
    if src is None:
        return Outcome("pass", name, False, ["no NAME.wit or NAME/ beside NAME.wit.json"])
    expected = os.path.join(ui, name + ".wit.json")
    with tempfile.NamedTemporaryFile(prefix="wit-ui-", suffix=".json") as out:
        status, _, err = run([args.rdy, "wit", "json", src, "--features", "active"], stdout=out)
        if status != 0:
            return Outcome("pass", name, False,
                           [f"rdy wit json: {ended(status)}"] + text(err, 12 if args.verbose else 4))
        cmp_argv = [sys.executable, args.compare, "--docs", expected, out.name]
        if args.verbose:
            cmp_argv += ["--max", "50"]
        status, diff, err = run(cmp_argv)
    if status == 0:
        return Outcome("pass", name, True)
    return Outcome("pass", name, False, text(diff + err, 60 if args.verbose else 6))


def expected_location(result_file):
    with open(result_file, encoding="utf-8", errors="replace") as f:
        m = LOCATION.search(f.read())
    return location_key(*m.groups()) if m else None


def failing_case(args, pf, name):
    src = source_of(pf, name)
    want = expected_location(os.path.join(pf, name + ".wit.result"))
    status, _, err = run([args.rdy, "wit", "check", src, "--features", "active"])
    if status != 1:
        what = "accepted" if status == 0 else ended(status)
        return Outcome("fail", name, False, [f"not rejected: {what}"] + text(err, 4),
                       located=False if want else None)
    if want is None:
        return Outcome("fail", name, True)
    m = LOCATION.search(err.decode("utf-8", "replace"))
    got = location_key(*m.groups()) if m else None
    if got == want:
        return Outcome("fail", name, True, located=True)
    show = lambda loc: "%s:%d:%d" % loc if loc else "(no --> line)"
    detail = [f"location: expected {show(want)}, got {show(got)}"]
    return Outcome("fail", name, True, detail + text(err, 6 if args.verbose else 2), located=False)


def wasi_case(args, base, name):
    status, _, err = run([args.rdy, "wit", "check", os.path.join(base, name)])
    if status == 0:
        return Outcome("wasi", name, True)
    return Outcome("wasi", name, False, [f"rdy wit check: {ended(status)}"] + text(err, 6))


def ui_jobs(args):
    ui = os.path.join(args.shared, "corpus", "wit-ui")
    pf = os.path.join(ui, "parse-fail")
    passing = sorted(f[:-len(".wit.json")] for f in os.listdir(ui) if f.endswith(".wit.json"))
    failing = sorted(f[:-len(".wit.result")] for f in os.listdir(pf)
                     if f.endswith(".wit.result") and source_of(pf, f[:-len(".wit.result")]))
    jobs = [(passing_case, ui, n) for n in passing if n not in OUT_OF_SCOPE]
    jobs += [(failing_case, pf, n) for n in failing]
    return jobs


def wasi_jobs(args):
    base = os.path.join(args.shared, "corpus", "wasi-0.2")
    return [(wasi_case, base, n) for n in sorted(os.listdir(base))
            if os.path.isdir(os.path.join(base, n))]


def selected(job, only):
    name = job[2]
    return only is None or only in (name, "parse-fail/" + name if job[0] is failing_case else name)


def report(outcomes, args, full_run):
    """Prints failures and totals; returns True when the selection passes."""
    for o in outcomes:
        if not o.ok or o.located is False:
            prefix = {"pass": "", "fail": "parse-fail/", "wasi": "wasi-0.2/"}[o.kind]
            print(f"{'FAIL' if not o.ok else 'LOCATION'} {prefix}{o.name}")
            for line in o.detail:
                print("    " + line)
    ok = True
    count = lambda kind: [o for o in outcomes if o.kind == kind]
    passing, failing, wasi = count("pass"), count("fail"), count("wasi")
    if passing:
        good = sum(o.ok for o in passing)
        print(f"passing cases: {good}/{len(passing)} equal")
        ok = good == len(passing)
    if failing:
        rejected = sum(o.ok for o in failing)
        print(f"failing cases: {rejected}/{len(failing)} rejected")
        located = [o for o in failing if o.located is not None]
        matched = sum(bool(o.located) for o in located)
        print(f"error locations: {matched}/{len(located)} match"
              + (f" (at least {LOCATIONS_MIN} required)" if full_run else ""))
        need = LOCATIONS_MIN if full_run else len(located)
        ok = ok and rejected == len(failing) and matched >= need
    if wasi:
        good = sum(o.ok for o in wasi)
        print(f"wasi-0.2: {good}/{len(wasi)} resolve")
        ok = ok and good == len(wasi)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rdy")
    ap.add_argument("shared")
    ap.add_argument("--suite", choices=("ui", "wasi", "all"), default="ui")
    ap.add_argument("--only", metavar="NAME", help="run only case NAME (or parse-fail/NAME)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    corpus = os.path.join(args.shared, "corpus")
    if not os.path.isdir(os.path.join(corpus, "wit-ui")) or \
       not os.path.isdir(os.path.join(corpus, "wasi-0.2")):
        print(f"SKIP: the shared WIT corpus is absent ({corpus} not found); "
              "place the shared material at ../shared beside the checkout")
        return SKIP
    if not os.access(args.rdy, os.X_OK):
        print(f"error: {args.rdy} is not an executable rdy binary")
        return 2
    args.compare = os.path.join(args.shared, "tools", "wit-compare.py")

    jobs = []
    if args.suite in ("ui", "all"):
        jobs += ui_jobs(args)
    if args.suite in ("wasi", "all"):
        jobs += wasi_jobs(args)
    jobs = [j for j in jobs if selected(j, args.only)]
    if not jobs:
        print(f"error: no case named {args.only}")
        return 2
    if args.suite in ("ui", "all") and args.only is None:
        print("skipped: " + ", ".join(sorted(OUT_OF_SCOPE)) + " (need a WebAssembly decoder)")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda j: j[0](args, j[1], j[2]), jobs))
    return 0 if report(outcomes, args, args.only is None) else 1


if __name__ == "__main__":
    sys.exit(main())
