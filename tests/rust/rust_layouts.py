#!/usr/bin/env python3
"""Generated Rust compiles, and agrees with the layout engine.

usage: rust_layouts.py RDY RUSTC SOURCE SHARED WORKDIR

For every world of the project's WIT (every directory under tests/,
examples/ and wit/ that holds .wit files, or each file alone where the
directory does not resolve as one package) and, when SHARED has them, of the
wit-ui corpus and the WASI 0.2 packages, `rdy gen rust --side plugin` writes
a module; all modules are compiled at once as one crate with rustc
--edition 2021 -D warnings, so each module's const asserts prove that Rust
lays out every type as the layout engine does.  When the crate fails, each
module is compiled alone to name the worlds at fault.  A world the generator
refuses must be refused with a message naming why (ABI v1's async types);
those are counted and listed.  Resources the plugin implements are
generated, so every world with them compiles too.

Exit status: 0 when everything passes, 1 otherwise.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time

REFUSALS = ("ABI v1",)
SKIP_DIRS = {"fuzz"}  # the fuzz seeds are meant to be invalid WIT, some of them


def wit_dirs(source):
    for top in ("tests", "examples", "wit"):
        for root, dirs, files in os.walk(os.path.join(source, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and d != "deps")
            wits = sorted(f for f in files if f.endswith(".wit"))
            if wits:
                yield os.path.relpath(root, source), root, [os.path.join(root, f) for f in wits]


def shared_cases(shared):
    ui = os.path.join(shared, "corpus", "wit-ui")
    if os.path.isdir(ui):
        for name in sorted(os.listdir(ui)):
            if name.endswith(".wit.json"):
                base = name[: -len(".wit.json")]
                if base in ("kinds-of-deps", "simple-wasm-text"):
                    continue
                path = os.path.join(ui, base + ".wit")
                yield "wit-ui/" + base, path if os.path.exists(path) else os.path.join(ui, base)
    wasi = os.path.join(shared, "corpus", "wasi-0.2")
    if os.path.isdir(wasi):
        for name in sorted(os.listdir(wasi)):
            if os.path.isdir(os.path.join(wasi, name)):
                yield "wasi-0.2/" + name, os.path.join(wasi, name)


def worlds(rdy, path):
    p = subprocess.run([rdy, "wit", "json", path, "--features", "active"], capture_output=True, timeout=60)
    if p.returncode:
        return None
    d = json.loads(p.stdout)
    out = []
    for w in d["worlds"]:
        pkg = d["packages"][w["package"]]["name"]
        ns_name, _, ver = pkg.partition("@")
        out.append(f"{ns_name}/{w['name']}" + (f"@{ver}" if ver else ""))
    return out


def cases(source, shared):
    for label, root, files in wit_dirs(source):
        if worlds_of := worlds_cached(root):
            yield label, root, worlds_of
            continue
        for f in files:
            ws = worlds_cached(f)
            if ws is None and not os.path.basename(f).startswith("err-"):
                yield os.path.relpath(f, source), f, None
            elif ws:
                yield os.path.relpath(f, source), f, ws
    for label, path in shared_cases(shared):
        yield label, path, worlds_cached(path)


_cache = {}


def worlds_cached(path):
    if path not in _cache:
        _cache[path] = worlds(RDY, path)
    return _cache[path]


def rustc(rustc_exe, src, out):
    return subprocess.run([rustc_exe, "--edition", "2021", "-D", "warnings", "--crate-type", "lib",
                           "--emit", "metadata", "-o", out, src], capture_output=True, timeout=600)


def generate(side, source, shared, out_dir):
    """`rdy gen rust --side SIDE` of every world of the cases, each into
    OUT_DIR/wN.rs: the modules made, as (name, label), the failures and the
    refusals (REFUSALS), each a line."""
    mods, fails, refused = [], [], []
    for label, path, ws in cases(source, shared):
        if ws is None:
            fails.append(f"{label}: does not resolve")
            continue
        for w in ws:
            name = f"w{len(mods)}"
            out = os.path.join(out_dir, name + ".rs")
            g = subprocess.run([RDY, "gen", "rust", path, "--world", w, "--side", side, "--features", "active",
                                "-o", out], capture_output=True, timeout=60)
            err = g.stderr.decode(errors="replace").strip()
            if g.returncode == 1 and any(r in err for r in REFUSALS):
                refused.append(f"{label} {w}: {err}")
            elif g.returncode:
                fails.append(f"{label} {w}: rdy gen rust exited {g.returncode}: {err}")
            else:
                mods.append((name, f"{label} {w}"))
    return mods, fails, refused


def write_crate_root(path, mods):
    """A crate root at PATH with each module of MODS, (name, label), beside it."""
    with open(path, "w") as f:
        f.write("#![deny(unsafe_op_in_unsafe_fn)]\n")
        for name, label in mods:
            f.write(f"// {label}\n#[path = \"{name}.rs\"]\npub mod {name};\n")


def main():
    global RDY
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    RDY, rustc_exe, source, shared, work = sys.argv[1:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    mods, fails, refused = generate("plugin", source, shared, work)
    crate = os.path.join(work, "all.rs")
    write_crate_root(crate, mods)
    t = time.monotonic()
    p = rustc(rustc_exe, crate, os.path.join(work, "all.rmeta"))
    took = time.monotonic() - t
    if p.returncode:
        for name, label in mods:  # name the worlds at fault
            one = os.path.join(work, name + "_alone.rs")
            with open(one, "w") as f:
                f.write(f"#![deny(unsafe_op_in_unsafe_fn)]\n#[path = \"{name}.rs\"]\npub mod {name};\n")
            q = rustc(rustc_exe, one, os.path.join(work, name + ".rmeta"))
            if q.returncode:
                fails.append(f"{label} ({name}.rs): rustc:\n" + q.stderr.decode(errors="replace")[:3000])
        if not fails:
            fails.append("the crate of all worlds: rustc:\n" + p.stderr.decode(errors="replace")[:3000])
    for r in refused:
        print(f"refused (expected): {r}")
    for x in fails:
        print(f"FAIL: {x}")
    print(f"rust_layouts: {len(mods)} worlds compiled in one crate ({took:.1f} s), {len(refused)} refused, "
          f"{len(fails)} failed")
    return 1 if fails or not mods else 0


if __name__ == "__main__":
    sys.exit(main())
