use crate::{sys, Error, Result};
use core::ptr;

/// The host's world: what it expects of plugins, from the descriptor its
/// generated bindings embed (`W_world` in C).  Modules opened with it keep
/// the runtime's world alive, so it may be dropped before them.
pub struct World {
    raw: *mut sys::rdy_world,
}

// SAFETY: a world is immutable once made but for its cache, which the
// runtime changes only under its one lock (include/rdy.h, "Threads").
unsafe impl Send for World {}
// SAFETY: as above; every function taking a world may run on any thread.
unsafe impl Sync for World {}

impl World {
    /// Decodes the host's DESCRIPTOR (the host side of the world).
    pub fn new(descriptor: &[u8]) -> Result<World> {
        let mut err = ptr::null_mut();
        // SAFETY: the pointer and length describe DESCRIPTOR, which the
        // runtime reads during the call only; ERR receives an error or NULL.
        let raw = unsafe { sys::rdy_world_new(descriptor.as_ptr(), descriptor.len(), &mut err) };
        if raw.is_null() {
            // SAFETY: the runtime set ERR for the failure, ours to free.
            return Err(unsafe { Error::from_raw(err, sys::RDY_EINVAL) });
        }
        Ok(World { raw })
    }

    /// Declares the descriptor that plugins built from the same WIT carry,
    /// so they open without decoding and checking again (`rdy_world_expect`).
    pub fn expect(&self, plugin_descriptor: &[u8]) -> Result<()> {
        let mut err = ptr::null_mut();
        // SAFETY: RAW is live while self is; the slice is read during the call only.
        let rc =
            unsafe { sys::rdy_world_expect(self.raw, plugin_descriptor.as_ptr(), plugin_descriptor.len(), &mut err) };
        if rc == sys::RDY_OK {
            return Ok(());
        }
        // SAFETY: a failure set ERR, ours to free.
        Err(unsafe { Error::from_raw(err, rc) })
    }

    /// The number of functions the host calls in plugins: the length of every
    /// instance's export table.
    pub fn nexports(&self) -> u32 {
        // SAFETY: RAW is live while self is.
        unsafe { sys::rdy_world_nexports(self.raw) }
    }

    /// The number of functions the host provides to plugins: the length of
    /// an import table.
    pub fn nimports(&self) -> u32 {
        // SAFETY: RAW is live while self is.
        unsafe { sys::rdy_world_nimports(self.raw) }
    }

    /// The runtime's world, for calls through [`sys`](crate::sys).
    pub fn as_ptr(&self) -> *mut sys::rdy_world {
        self.raw
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // SAFETY: RAW came from rdy_world_new and is freed once; modules
        // opened with it hold their own reference.
        unsafe { sys::rdy_world_free(self.raw) }
    }
}

impl core::fmt::Debug for World {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("World").field("nexports", &self.nexports()).field("nimports", &self.nimports()).finish()
    }
}
