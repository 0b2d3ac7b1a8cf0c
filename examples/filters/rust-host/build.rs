//! Generates the host side of the world example:filters/plugin, as the demo
//! generates the Rust plugin's side before rustc builds it: `rdy gen rust
//! --side host` (the `rdy` in environment variable RDY, else the one on
//! PATH) writes the module into OUT_DIR, and main.rs includes it as
//! `mod bindings`.  Also gives the binary an rpath to RDY_LIB_DIR, where the
//! rdy crate links librdy from.

use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::{exit, Command};

fn main() {
    let wit = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../wit");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    let bindings = out_dir.join("bindings.rs");
    let rdy = env::var_os("RDY").filter(|v| !v.is_empty()).unwrap_or_else(|| "rdy".into());
    println!("cargo:rerun-if-env-changed=RDY");
    println!("cargo:rerun-if-env-changed=RDY_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    // A new rdy may generate other code: when RDY names a file, it is an input.
    if PathBuf::from(&rdy).components().count() > 1 {
        println!("cargo:rerun-if-changed={}", rdy.to_string_lossy());
    }
    for f in ["types.wit", "world.wit"] {
        println!("cargo:rerun-if-changed={}", wit.join(f).display());
    }
    let status = Command::new(&rdy)
        .arg("gen")
        .arg("rust")
        .arg(&wit)
        .args(["--world", "example:filters/plugin", "--side", "host", "-o"])
        .arg(&bindings)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: {} gen rust failed ({s})", rdy.to_string_lossy());
            exit(1);
        }
        Err(e) => {
            eprintln!(
                "error: cannot run {} ({e}): set RDY to the rdy command of an rdylib build",
                rdy.to_string_lossy()
            );
            exit(1);
        }
    }
    // The module begins with an inner attribute, which include! does not
    // take; a `mod` item with a path to the file does.
    let Some(path) = bindings.to_str() else {
        eprintln!("error: OUT_DIR is not UTF-8: {}", out_dir.display());
        exit(1);
    };
    let item = format!("/// The host side of example:filters/plugin, from `rdy gen rust --side host`.\n#[path = {path:?}]\nmod bindings;\n");
    if let Err(e) = fs::write(out_dir.join("bindings_mod.rs"), item) {
        eprintln!("error: cannot write to OUT_DIR: {e}");
        exit(1);
    }
    if let Some(dir) = env::var_os("RDY_LIB_DIR").filter(|d| !d.is_empty()) {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.to_string_lossy());
    }
}
