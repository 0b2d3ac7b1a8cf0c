//! Resource handles (docs/abi.md §4): 32-bit values the runtime gives out
//! and checks at every use, so that a stale, foreign or dead handle is
//! refused, never dereferenced.  The operations are methods of
//! [`Instance`]; a refusal is an [`Error`] with the runtime's message,
//! "PATH: handle 0x00100001 is stale: it was dropped".
//!
//! RES, in every method, is the resource's handle type: its index among the
//! host world's exported resources, then its imported ones, in descriptor
//! order (docs/abi.md [R-RES]).
//!
//! Dropping or taking a handle while another thread's call borrows it would
//! free an object in use; the methods that do so take `&mut Instance`, so
//! no call through that instance runs meanwhile.  Generated bindings that
//! keep that rule by other means use the `unsafe` `_shared` forms.

use crate::error::string_at;
use crate::{sys, Error, Instance, Result};
use core::ffi::c_void;
use core::ptr;

/// The message of this thread's last refused handle operation
/// (`rdy_handle_error`), None when there was none.
pub fn last_error() -> Option<String> {
    // SAFETY: the message is this thread's, valid until its next refusal,
    // and copied at once.
    unsafe { string_at(sys::rdy_handle_error()) }
}

fn status(rc: i32) -> Result<()> {
    if rc == sys::RDY_OK {
        Ok(())
    } else {
        Err(Error::from_handle_status(rc))
    }
}

impl Instance {
    /// A new own handle to REP, an object of this instance of resource RES
    /// (`rdy_handle_new`): the handle now owns it.
    ///
    /// # Safety
    /// REP is an object of resource RES of the side that implements it
    /// (this instance's plugin for its exported resources), which its
    /// destructor may free when the handle is dropped.
    pub unsafe fn handle_new(&self, res: u32, rep: *mut c_void) -> Result<u32> {
        let mut h = 0;
        // SAFETY: the instance is live; REP is valid by the caller's contract.
        status(unsafe { sys::rdy_handle_new(self.as_ptr(), res, rep, &mut h) })?;
        Ok(h)
    }

    /// Drops own HANDLE (`rdy_handle_drop`): the object's destructor runs, once.
    pub fn handle_drop(&mut self, res: u32, handle: u32) -> Result<()> {
        // SAFETY: `&mut self`: no call through this instance borrows HANDLE.
        unsafe { self.handle_drop_shared(res, handle) }
    }

    /// [`Instance::handle_drop`] through a shared reference.
    ///
    /// # Safety
    /// No call on another thread borrows HANDLE (include/rdy.h, "Threads").
    pub unsafe fn handle_drop_shared(&self, res: u32, handle: u32) -> Result<()> {
        // SAFETY: the instance is live; the runtime checks HANDLE.
        status(unsafe { sys::rdy_handle_drop(self.as_ptr(), res, handle) })
    }

    /// Consumes own HANDLE, giving back its rep (`rdy_handle_take`): the
    /// object is its implementer's again, and no destructor runs.
    pub fn handle_take(&mut self, res: u32, handle: u32) -> Result<*mut c_void> {
        // SAFETY: `&mut self`: no call through this instance borrows HANDLE.
        unsafe { self.handle_take_shared(res, handle) }
    }

    /// [`Instance::handle_take`] through a shared reference.
    ///
    /// # Safety
    /// As [`Instance::handle_drop_shared`].
    pub unsafe fn handle_take_shared(&self, res: u32, handle: u32) -> Result<*mut c_void> {
        let mut rep = ptr::null_mut();
        // SAFETY: the instance is live; the runtime checks HANDLE.
        status(unsafe { sys::rdy_handle_take(self.as_ptr(), res, handle, &mut rep) })?;
        Ok(rep)
    }

    /// The rep behind HANDLE, checked, without lending it (`rdy_handle_rep`).
    pub fn handle_rep(&self, res: u32, handle: u32) -> Result<*mut c_void> {
        let mut rep = ptr::null_mut();
        // SAFETY: the instance is live; the runtime checks HANDLE.
        status(unsafe { sys::rdy_handle_rep(self.as_ptr(), res, handle, &mut rep) })?;
        Ok(rep)
    }

    /// A borrow handle to REP, an object of the host's of resource RES, lent
    /// to this instance until [`Instance::handle_end`] (`rdy_handle_borrow`).
    ///
    /// # Safety
    /// REP stays valid, as an object of resource RES, until the handle ends.
    pub unsafe fn handle_borrow(&self, res: u32, rep: *mut c_void) -> Result<u32> {
        let mut h = 0;
        // SAFETY: the instance is live; REP is valid by the caller's contract.
        status(unsafe { sys::rdy_handle_borrow(self.as_ptr(), res, rep, &mut h) })?;
        Ok(h)
    }

    /// Ends borrow HANDLE of this instance (`rdy_handle_end`); anything
    /// else is left as it is.  It is refused as stale from then on.
    pub fn handle_end(&self, handle: u32) {
        // SAFETY: the instance is live; the runtime ends only a borrow of its own.
        unsafe { sys::rdy_handle_end(self.as_ptr(), handle) }
    }

    /// Lends HANDLE for one call: checks it, records on this thread that a
    /// call borrows it, runs F with its rep, and ends the lend when F
    /// returns, on unwinding too (`rdy_handle_lend`/`rdy_handle_unlend`).
    /// While F runs, the handle cannot be dropped or taken from this thread
    /// (a callback gets [`ErrorCode::Busy`](crate::ErrorCode::Busy)).  Lends nest: lend each
    /// borrowed argument of a call inside the last one's F.
    pub fn lend<R>(&self, res: u32, handle: u32, f: impl FnOnce(*mut c_void) -> R) -> Result<R> {
        let mut rep = ptr::null_mut();
        // SAFETY: the instance is live; the runtime checks HANDLE, and a
        // successful lend is ended by the guard below, on this thread, before
        // any lend made after it is not (F's lends end inside F).
        status(unsafe { sys::rdy_outline_handle_lend(self.as_ptr(), res, handle, &mut rep) })?;
        struct Unlend;
        impl Drop for Unlend {
            fn drop(&mut self) {
                // SAFETY: ends this thread's last lend, the one made above.
                unsafe { sys::rdy_outline_handle_unlend() }
            }
        }
        let _unlend = Unlend;
        Ok(f(rep))
    }
}
