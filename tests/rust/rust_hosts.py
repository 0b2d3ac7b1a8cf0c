#!/usr/bin/env python3
"""Generated Rust hosts compile: every world's host side, against the rdy crate.

usage: rust_hosts.py RDY CARGO CRATE SOURCE SHARED WORKDIR

The worlds are rust_layouts.py's (every world of the project's WIT, of the
wit-ui corpus and of the WASI 0.2 packages).  For each, `rdy gen rust
--side host` writes a module; all modules go into one library crate that
depends on the rdy crate (CRATE, a path dependency), checked by `cargo
check --offline` with -D warnings.  So the host side of every world
compiles, the resources its host implements (its imported ones, which most
WASI worlds have) included.  A world the generator refuses must be refused
for a reason rust_layouts.py accepts (ABI v1's async types); those are
counted and listed.  When the crate fails, the worlds of the modules that
rustc names are listed.

Exit status: 0 when everything passes, 1 otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rust_layouts  # noqa: E402  (the same worlds, the same refusals)


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    rdy, cargo, crate, source, shared, work = sys.argv[1:]
    rust_layouts.RDY = rdy
    src = os.path.join(work, "src")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    mods, fails, refused = rust_layouts.generate("host", source, shared, src)
    with_res = 0
    for name, _ in mods:
        with open(os.path.join(src, name + ".rs")) as f:
            with_res += "fn __rdy_hdrop_0<" in f.read()
    rust_layouts.write_crate_root(os.path.join(src, "lib.rs"), mods)
    with open(os.path.join(work, "Cargo.toml"), "w") as f:
        f.write("[package]\nname = \"rdy-gen-host-worlds\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n"
                f"[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\nrdy = {{ path = \"{crate}\" }}\n\n[workspace]\n")
    env = dict(os.environ, RUSTFLAGS="-Dwarnings", CARGO_TARGET_DIR=os.path.join(work, "target"))
    t = time.monotonic()
    p = subprocess.run([cargo, "check", "--offline", "-q", "-j", "2", "--manifest-path", os.path.join(work, "Cargo.toml")],
                       capture_output=True, env=env, timeout=1800)
    took = time.monotonic() - t
    if p.returncode:
        text = p.stderr.decode(errors="replace")
        named = dict(mods)
        at_fault = sorted(set(re.findall(r"src/(w\d+)\.rs", text)), key=lambda n: int(n[1:]))
        for name in at_fault:
            fails.append(f"{named.get(name, '?')} ({name}.rs)")
        fails.append("cargo check:\n" + text[:6000])
    for r in refused:
        print(f"refused (expected): {r}")
    for x in fails:
        print(f"FAIL: {x}")
    print(f"rust_hosts: {len(mods)} worlds' hosts checked in one crate ({took:.1f} s), {with_res} of them "
          f"implementing resources, {len(refused)} refused, {len(fails)} failed")
    return 1 if fails or not mods or not with_res else 0


if __name__ == "__main__":
    sys.exit(main())
