//! A Rust plugin of the changed test:rustkit (tests/rust/wit/changed): the
//! host of wit/kit must refuse it as it refuses plugin_changed.c.
mod bindings;

struct Changed;

impl bindings::Guest for Changed {
    fn new(_host: bindings::Host) -> Self {
        Changed
    }
}

impl bindings::Api for Changed {
    fn add(&self, a: u32, b: u64) -> u32 {
        a.wrapping_add(b as u32)
    }
}

bindings::export!(Changed => crate::bindings);
