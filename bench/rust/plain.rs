//! The baseline of the Rust call benchmark: the same `inc` from a plain
//! cdylib, an `extern "C"` function found with dlsym.

/// x + 1.
#[unsafe(no_mangle)]
pub extern "C" fn bench_rinc_inc(x: u32) -> u32 {
    x.wrapping_add(1)
}
