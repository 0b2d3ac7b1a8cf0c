#!/usr/bin/env python3
"""The compatibility matrix: host and plugin pairs that differ in one thing.

usage: matrix.py RDY MATRIX_HOST CC INCLUDE WORKDIR

Every variant is a copy of base.wit with one change.  Its plugin is
generated with `rdy gen c`, built into a shared object that also carries a
constructor which would create a file, and opened by a host built from the
unchanged base.wit.  The loader must refuse it with exactly the text given
below, create no file (no plugin code ran), and `rdy check` must print the
same text.  The unchanged plugin must load, as the control.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def sub(old, new, count=1):
    def f(text):
        assert old in text, old
        return text.replace(old, new, count)
    return f


# name: (what differs, change to base.wit, world, the loader's exact message with {so} for the plugin)
VARIANTS = {
    "field-type": ("a field's type", sub("y: s32,", "y: f32,"), "plugin",
                   "{so}: test:matrix/types@1.0.0: record point: field y: host expects s32 (offset 4), plugin has f32"),
    "field-order": ("a field's order", sub("x: s32,\n        y: s32,", "y: s32,\n        x: s32,"), "plugin",
                    "{so}: test:matrix/types@1.0.0: record point: field x: host expects `x` here, plugin has `y`"),
    "field-name": ("a field's name", sub("y: s32,", "z: s32,"), "plugin",
                   "{so}: test:matrix/types@1.0.0: record point: field y: host expects `y` here, plugin has `z`"),
    "field-added": ("an added field", sub("y: s32,\n", "y: s32,\n        z: s32,\n"), "plugin",
                    "{so}: test:matrix/types@1.0.0: record point: host expects 2 fields, plugin has 3"),
    "func-removed": ("a removed function", sub("    name: func() -> string;\n", ""), "plugin",
                     "{so}: test:matrix/api@1.0.0: function `name` is missing from the plugin"),
    "param-changed": ("a changed parameter", sub("area: func(s: shape)", "area: func(s: shape, scale: f32)"), "plugin",
                      "{so}: test:matrix/api@1.0.0: function `area`: host expects 1 parameter, plugin has 2"),
    "result-changed": ("a changed result", sub("area: func(s: shape) -> f64;", "area: func(s: shape) -> f32;"),
                       "plugin",
                       "{so}: test:matrix/api@1.0.0: function `area`: result: host expects f64, plugin has f32"),
    "enum-label": ("an enum label", sub("        blue,\n", "        cyan,\n"), "plugin",
                   "{so}: test:matrix/types@1.0.0: enum color: case blue: host expects `blue` here, plugin has `cyan`"),
    "variant-case": ("a variant case", sub("label(string),", "label(u32),"), "plugin",
                     "{so}: test:matrix/types@1.0.0: variant shape: case label: host expects string, plugin has u32"),
    "flag": ("a flag", sub("        underline,\n", "        strike,\n"), "plugin",
             "{so}: test:matrix/types@1.0.0: flags style: flag underline: host expects `underline` here, plugin has `strike`"),
    "other-world": ("another world", lambda t: t, "tool",
                    "{so}: test:matrix/api@1.0.0 is missing from the plugin"),
    "major-version": ("another package major version", sub("test:matrix@1.0.0", "test:matrix@2.0.0"), "plugin",
                      "{so}: test:matrix/types@2.0.0: plugin expects version 2.0.0, host has 1.0.0, "
                      "which is not semver-compatible\n"
                      "{so}: test:matrix/api@1.0.0: host expects version 1.0.0, plugin has 2.0.0, "
                      "which is not semver-compatible"),
}

PROBE = r'''
/* Proves the loader ran no code of a refused plugin: this would leave a file. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void probe(void)
{
	const char *p = getenv("RDY_MATRIX_PROBE");
	if (p) {
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0)
			close(fd);
	}
}
'''

FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fPIC", "-shared"]


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def build(rdy, cc, include, work, name, wit_text, world, impl=None):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "matrix.wit"), "w") as f:
        f.write(wit_text)
    run([rdy, "gen", "c", os.path.join(d, "matrix.wit"), "--world", world, "--side", "plugin", "-o", d,
         "--name", "bindings"])
    with open(os.path.join(d, "probe.c"), "w") as f:
        f.write(PROBE)
    so = os.path.join(d, f"{name}.so")
    srcs = [os.path.join(d, "bindings.c"), os.path.join(d, "probe.c")] + ([impl] if impl else [])
    # A refused plugin's own functions are left undefined, so they must be
    # default-visibility symbols: the loader must refuse it before dlopen.
    vis = [] if impl else ["-DRDY_PLUGIN_API="]
    run([cc, *FLAGS, *vis, "-I", include, "-I", d, *srcs, "-o", so])
    return so


def main():
    rdy, host, cc, include, work = sys.argv[1:6]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    base = open(os.path.join(HERE, "base.wit")).read()
    host_desc = os.path.join(work, "host.desc")
    run([rdy, "abi", "encode", os.path.join(HERE, "base.wit"), "--world", "plugin", "--side", "host",
         "-o", host_desc])
    fails = []
    control = build(rdy, cc, include, work, "control", base, "plugin", os.path.join(HERE, "control_impl.c"))
    plugins = {}
    for name, (_, change, world, _) in VARIANTS.items():
        plugins[name] = build(rdy, cc, include, work, name, change(base), world)
    probe = os.path.join(work, "probe.ran")
    env = dict(os.environ, RDY_MATRIX_PROBE=probe)
    line = run([host, host_desc, control], env=env).stdout.rstrip("\n")
    if line != f"{control}: loaded":
        fails.append(f"control: want it loaded, got: {line}")
    if not os.path.exists(probe):
        fails.append("control: its constructor did not run, so the probe proves nothing")
    elif os.unlink(probe) is None:
        print(f"ok  {'the unchanged plugin':32} loads, and its constructor runs")
    for name, (what, _, _, want) in VARIANTS.items():
        so = plugins[name]
        want = want.format(so=so)
        # One plugin at a time, so a file left behind names the culprit.
        line = run([host, host_desc, so], env=env).stdout.rstrip("\n")
        if line != want:
            fails.append(f"{name} ({what}):\n  want: {want}\n  got:  {line}")
        if os.path.exists(probe):
            fails.append(f"{name} ({what}): the refused plugin's constructor ran")
            os.unlink(probe)
        chk = subprocess.run([rdy, "check", host_desc, so], capture_output=True, text=True)
        errs = [ln[len("error: "):] for ln in chk.stderr.splitlines() if ln.startswith("error: ")]
        if chk.returncode != 1 or errs != line.split("\n"):
            fails.append(f"{name} ({what}): rdy check differs from the loader (exit {chk.returncode}):\n"
                         f"  loader: {line}\n  check:  {errs}")
        if not fails or not fails[-1].startswith(name):
            print(f"ok  {what:32} {want}")
    for f in fails:
        print("FAIL:", f)
    print(f"matrix: {len(VARIANTS) - len({f.split(' ')[0] for f in fails})} of {len(VARIANTS)} differences "
          "refused with their exact message; control loaded" if not fails else f"matrix: {len(fails)} failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
