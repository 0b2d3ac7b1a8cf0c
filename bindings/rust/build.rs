//! Finds librdy, the rdylib runtime, to link against: the directory in
//! `RDY_LIB_DIR` (CMake's build tree sets it), else what `pkg-config --libs
//! rdy` says (an installed rdylib), else the build stops and says so.
//! Nothing is downloaded or built here.

use std::env;
use std::process::{exit, Command};

fn main() {
    println!("cargo:rerun-if-env-changed=RDY_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(dir) = env::var_os("RDY_LIB_DIR").filter(|d| !d.is_empty()) {
        let dir = dir.to_string_lossy().into_owned();
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-lib=dylib=rdy");
        // This package's own tests and examples find the library where they
        // were linked; crates that depend on this one get no rpath from it.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        return;
    }
    match pkg_config() {
        Ok(()) => {}
        Err(why) => {
            eprintln!(
                "error: the rdy crate cannot find librdy: RDY_LIB_DIR is not set, and {why}.\n\
                 Set RDY_LIB_DIR to the directory holding librdy.so (a CMake build directory \
                 of rdylib, or lib/ under its install prefix), or install rdylib (`make install`) \
                 so that `pkg-config --libs rdy` finds it."
            );
            exit(1);
        }
    }
}

/// Emits the link flags of `pkg-config --libs rdy`: its -L and -l options.
fn pkg_config() -> Result<(), String> {
    let out = Command::new("pkg-config")
        .args(["--libs", "rdy"])
        .output()
        .map_err(|e| format!("pkg-config could not run ({e})"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(format!("`pkg-config --libs rdy` failed ({})", msg.trim()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut linked = false;
    for arg in text.split_whitespace() {
        if let Some(dir) = arg.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = arg.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
            linked |= lib == "rdy";
        }
    }
    if linked {
        Ok(())
    } else {
        Err(format!("`pkg-config --libs rdy` printed no -lrdy ({})", text.trim()))
    }
}
