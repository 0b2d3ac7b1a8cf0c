//! The resource tests' plugin (tests/res, world test:res/app) in Rust: the
//! same counters and blobs as tests/res/plugin.c, through `rdy gen rust`.
//! Each destructor (the object's Drop) tells the host its value, so the C
//! hosts count destructor runs exactly.  Two traps that the C plugin lacks:
//! `counter.add(TRAP_ADD)` and a blob of TRAP_BLOB's bytes panic, and in a
//! counter dropped with TRAP_DROP its Drop panics; the runtime must see
//! RDY_ETRAP (or, from a destructor, nothing) and go on.

mod bindings;
use bindings::{Blob, BlobOwn, Counter, CounterOwn, Guest, Host, Things};
use std::sync::atomic::{AtomicU32, Ordering};

pub const TRAP_ADD: u32 = 0xdead_beef;
pub const TRAP_BLOB: &[u8] = b"rdy: trap, please";
pub const TRAP_DROP: u32 = 0xdead_d0d0;

struct Plugin {
    host: Host,
}

impl Guest for Plugin {
    fn new(host: Host) -> Self {
        Plugin { host }
    }
}

struct MyCounter {
    value: AtomicU32,
    host: Host,
}

impl Drop for MyCounter {
    fn drop(&mut self) {
        let v = self.value.load(Ordering::Relaxed);
        if v == TRAP_DROP {
            panic!("a destructor that panics");
        }
        let _ = self.host.hooks_dropped(v);
    }
}

struct MyBlob {
    size: u32,
    host: Host,
}

impl Drop for MyBlob {
    fn drop(&mut self) {
        let _ = self.host.hooks_dropped(1000 + self.size);
    }
}

impl Counter<Plugin> for MyCounter {
    fn new(inst: &Plugin, start: u32) -> Self {
        MyCounter { value: AtomicU32::new(start), host: inst.host }
    }
    fn get(&self, _inst: &Plugin) -> u32 {
        self.value.load(Ordering::Relaxed)
    }
    fn add(&self, _inst: &Plugin, n: u32) {
        if n == TRAP_ADD {
            panic!("counter.add: the trap value");
        }
        self.value.fetch_add(n, Ordering::Relaxed);
    }
    fn poke(&self, inst: &Plugin) {
        let r = inst.host.hooks_poke();
        // Still ours: the host could not drop it while it was lent.
        self.value.fetch_add(1, Ordering::Relaxed);
        if let Err(st) = r {
            panic!("hooks.poke: status {st}");
        }
    }
    fn absorb(&self, _inst: &Plugin, other: Box<Self>) {
        self.value.fetch_add(other.get(_inst), Ordering::Relaxed);
        // OTHER is dropped here: its destructor reports it.
    }
    fn same(&self, _inst: &Plugin, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
    fn make(inst: &Plugin, start: u32) -> Box<Self> {
        Box::new(Self::new(inst, start))
    }
}

impl Blob<Plugin> for MyBlob {
    fn new(inst: &Plugin, bytes: &[u8]) -> Result<BlobOwn, String> {
        if bytes.is_empty() {
            return Err("empty".to_string());
        }
        if bytes == TRAP_BLOB {
            panic!("blob: the trap bytes");
        }
        let b = MyBlob { size: bytes.len() as u32, host: inst.host };
        Ok(b.into_own(&inst.host).unwrap_or_else(|st| panic!("blob: no handle: {st}")))
    }
    fn size(&self, _inst: &Plugin) -> u32 {
        self.size
    }
}

impl Things for Plugin {
    type Counter = MyCounter;
    type Blob = MyBlob;
    fn total(&self, a: &MyCounter, b: &MyCounter) -> u32 {
        a.get(self).wrapping_add(b.get(self))
    }
    fn maybe(&self, start: u32) -> Option<CounterOwn> {
        if start == 0 {
            return None;
        }
        let c = MyCounter::new(self, start);
        Some(c.into_own(&self.host).unwrap_or_else(|st| panic!("maybe: no handle: {st}")))
    }
}

bindings::export!(Plugin => crate::bindings);
