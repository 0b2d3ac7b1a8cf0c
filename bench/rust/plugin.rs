//! The Rust plugin of the Rust call benchmark: bench:rinc's `inc`,
//! through the module `rdy gen rust` wrote next to it.
mod bindings;

struct Inc;

impl bindings::Guest for Inc {
    fn new(_host: bindings::Host) -> Self {
        Inc
    }
}

impl bindings::Api for Inc {
    fn inc(&self, x: u32) -> u32 {
        x.wrapping_add(1)
    }
}

bindings::export!(Inc => crate::bindings);
