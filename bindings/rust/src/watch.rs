use crate::{c_path, sys, Error, Result};
use core::ffi::{c_char, c_void, CStr};
use core::ptr;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Mutex;

type Callback = Mutex<Box<dyn FnMut(&Path) + Send>>;

/// A watch (`rdy_watch_*`, Linux inotify): calls back when a plugin file
/// has been replaced and is whole, after a quiet period, so that the host
/// can reload it.  Callbacks run on the thread that dispatches
/// ([`Watch::dispatch`]) or on the watch's own ([`Watch::start`]); a
/// callback that panics is stopped there, and the watch goes on.
pub struct Watch {
    raw: *mut sys::rdy_watch,
    // Boxed so that each keeps its address, a watch's USER, as the vector grows.
    #[allow(clippy::vec_box)]
    callbacks: Mutex<Vec<Box<Callback>>>,
}

// SAFETY: rdy_watch_add may be called from any thread, dispatching is
// refused (RDY_EBUSY) while it runs elsewhere, and the callbacks are Send.
unsafe impl Send for Watch {}
// SAFETY: as above.
unsafe impl Sync for Watch {}

unsafe extern "C" fn trampoline(user: *mut c_void, path: *const c_char) {
    // SAFETY: USER is a Callback that the watch keeps until it is freed;
    // PATH is the NUL-terminated path given to rdy_watch_add.
    let (cb, path) =
        unsafe { (&*(user as *const Callback), Path::new(OsStr::from_bytes(CStr::from_ptr(path).to_bytes()))) };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let mut f = cb.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(path)
    }));
}

fn status(rc: i32, err: *mut sys::rdy_error) -> Result<()> {
    if rc == sys::RDY_OK {
        return Ok(());
    }
    // SAFETY: the failure set ERR, ours to free.
    Err(unsafe { Error::from_raw(err, rc) })
}

impl Watch {
    /// A watch with no files; DEBOUNCE_MS its quiet period (0: none; 100 to 300 suit builds).
    pub fn new(debounce_ms: u32) -> Result<Watch> {
        let mut err = ptr::null_mut();
        // SAFETY: ERR receives an error or NULL.
        let raw = unsafe { sys::rdy_watch_new(debounce_ms, &mut err) };
        if raw.is_null() {
            // SAFETY: the failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, sys::RDY_EIO) });
        }
        Ok(Watch { raw, callbacks: Mutex::new(Vec::new()) })
    }

    /// Calls F with PATH when the plugin file at PATH is replaced.  PATH
    /// need not exist yet; its directory must.
    pub fn add(&self, path: impl AsRef<Path>, f: impl FnMut(&Path) + Send + 'static) -> Result<()> {
        let path = c_path(path.as_ref())?;
        let cb: Box<Callback> = Box::new(Mutex::new(Box::new(f)));
        let user = &*cb as *const Callback as *mut c_void;
        let mut list = self.callbacks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut err = ptr::null_mut();
        // SAFETY: the watch is live; USER stays at its address, kept in
        // CALLBACKS until the watch is freed; PATH outlives the call.
        let rc = unsafe { sys::rdy_watch_add(self.raw, path.as_ptr(), Some(trampoline), user, &mut err) };
        status(rc, err)?;
        list.push(cb);
        Ok(())
    }

    /// For poll, select or epoll: readable when [`Watch::dispatch`] has work.
    pub fn fd(&self) -> i32 {
        // SAFETY: the watch is live.
        unsafe { sys::rdy_watch_fd(self.raw) }
    }

    /// Reads the events and runs the callbacks of the files that have
    /// settled, returning their number; when none has, waits up to
    /// TIMEOUT_MS (-1: without end) for one to.  [`ErrorCode::Busy`](crate::ErrorCode::Busy)
    /// while dispatching elsewhere already, from a callback too.
    pub fn dispatch(&self, timeout_ms: i32) -> Result<u32> {
        let mut err = ptr::null_mut();
        // SAFETY: the watch is live; the runtime refuses a dispatch that
        // would run alongside another.
        let n = unsafe { sys::rdy_watch_dispatch(self.raw, timeout_ms, &mut err) };
        if n < 0 {
            // SAFETY: the failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, -n) });
        }
        Ok(n as u32)
    }

    /// Dispatches on a thread of the watch's own until [`Watch::stop`].
    pub fn start(&self) -> Result<()> {
        let mut err = ptr::null_mut();
        // SAFETY: the watch is live.
        let rc = unsafe { sys::rdy_watch_start(self.raw, &mut err) };
        status(rc, err)
    }

    /// Stops the watch's thread: the error of a failure that ended it early.
    pub fn stop(&self) -> Result<()> {
        let mut err = ptr::null_mut();
        // SAFETY: the watch is live; from a callback it is refused.
        let rc = unsafe { sys::rdy_watch_stop(self.raw, &mut err) };
        status(rc, err)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // SAFETY: freed once; it stops its thread first, so no callback
        // runs after, and only then are the callbacks dropped (with self).
        unsafe { sys::rdy_watch_free(self.raw) }
    }
}

impl core::fmt::Debug for Watch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Watch").field("fd", &self.fd()).finish()
    }
}
