//! Embeds the host side of the world example:filters/plugin, as generated
//! host bindings do: `rdy abi encode` (the `rdy` in environment variable RDY,
//! else the one on PATH) writes its descriptor into OUT_DIR, and main.rs
//! includes the bytes.  Also gives the binary an rpath to RDY_LIB_DIR, where
//! the rdy crate links librdy from.

use std::env;
use std::path::PathBuf;
use std::process::{exit, Command};

fn main() {
    let wit = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../wit");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it")).join("filters-host.desc");
    let rdy = env::var_os("RDY").filter(|v| !v.is_empty()).unwrap_or_else(|| "rdy".into());
    println!("cargo:rerun-if-env-changed=RDY");
    println!("cargo:rerun-if-env-changed=RDY_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    for f in ["types.wit", "world.wit"] {
        println!("cargo:rerun-if-changed={}", wit.join(f).display());
    }
    let status = Command::new(&rdy)
        .arg("abi")
        .arg("encode")
        .arg(&wit)
        .args(["--world", "example:filters/plugin", "--side", "host", "-o"])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: {} abi encode failed ({s})", rdy.to_string_lossy());
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
    if let Some(dir) = env::var_os("RDY_LIB_DIR").filter(|d| !d.is_empty()) {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.to_string_lossy());
    }
}
