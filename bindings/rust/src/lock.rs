use crate::error::string_at;
use crate::{c_path, sys, Error, ErrorCode, Result};
use core::ptr;
use std::ffi::CString;
use std::path::Path;
use std::sync::Arc;

/// A lock: the SHA-256 that each plugin must have, read from a lock file
/// in `sha256sum`'s format (include/rdy.h gives the rules).  Never changed
/// once read; clones share it, and each module opened with it keeps it.
#[derive(Clone)]
pub struct Lock {
    raw: Arc<RawLock>,
}

struct RawLock(*mut sys::rdy_lock);

// SAFETY: a lock is never changed once read: threads may share it (include/rdy.h).
unsafe impl Send for RawLock {}
// SAFETY: as above.
unsafe impl Sync for RawLock {}

impl Drop for RawLock {
    fn drop(&mut self) {
        // SAFETY: the last share is going, and every module that used it
        // held a share, so none is open: freed once.
        unsafe { sys::rdy_lock_free(self.0) }
    }
}

fn made(raw: *mut sys::rdy_lock, err: *mut sys::rdy_error) -> Result<Lock> {
    if raw.is_null() {
        // SAFETY: the failure set ERR, ours to free.
        return Err(unsafe { Error::from_raw(err, sys::RDY_EIO) });
    }
    Ok(Lock { raw: Arc::new(RawLock(raw)) })
}

impl Lock {
    /// Reads the lock file FILE (`rdy_lock_read`): [`ErrorCode::Io`], or
    /// [`ErrorCode::Format`] naming the line and what is wrong with it.
    pub fn read(file: impl AsRef<Path>) -> Result<Lock> {
        let file = c_path(file.as_ref())?;
        let mut err = ptr::null_mut();
        // SAFETY: FILE outlives the call; ERR receives an error or NULL.
        made(unsafe { sys::rdy_lock_read(file.as_ptr(), &mut err) }, err)
    }

    /// Parses TEXT, a lock the host embeds, NAME standing for its file (`rdy_lock_parse`).
    pub fn parse(text: &[u8], name: &str) -> Result<Lock> {
        let name = CString::new(name)
            .map_err(|_| Error::new(ErrorCode::Inval, format!("{name:?}: the name holds a NUL byte")))?;
        let mut err = ptr::null_mut();
        // SAFETY: TEXT and NAME outlive the call, TEXT read as LEN bytes.
        made(unsafe { sys::rdy_lock_parse(text.as_ptr().cast(), text.len(), name.as_ptr(), &mut err) }, err)
    }

    /// Its entries, in the order of the file: each name and digest.
    pub fn entries(&self) -> Vec<(String, [u8; 32])> {
        let l = self.as_ptr();
        // SAFETY: the lock is live and never changes.
        let n = unsafe { sys::rdy_lock_count(l) };
        (0..n)
            .map(|i| {
                // SAFETY: I < the count; the name is NUL-terminated and the
                // digest 32 bytes, both living as long as the lock.
                unsafe { (string_at(sys::rdy_lock_name(l, i)).unwrap_or_default(), digest(sys::rdy_lock_digest(l, i))) }
            })
            .collect()
    }

    /// The digest the lock pins for a plugin opened as PATH (`rdy_lock_find`);
    /// [`ErrorCode::Incompatible`], "PATH: not in rdy.lock", when none.
    pub fn find(&self, path: impl AsRef<Path>) -> Result<[u8; 32]> {
        let path = c_path(path.as_ref())?;
        let mut err = ptr::null_mut();
        // SAFETY: the lock is live and PATH outlives the call.
        let d = unsafe { sys::rdy_lock_find(self.as_ptr(), path.as_ptr(), &mut err) };
        if d.is_null() {
            // SAFETY: the failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, sys::RDY_EINCOMPATIBLE) });
        }
        // SAFETY: a found digest is 32 bytes that live as long as the lock.
        Ok(unsafe { digest(d) })
    }

    /// The runtime's lock, for calls through [`sys`](crate::sys); valid while self is.
    pub fn as_ptr(&self) -> *const sys::rdy_lock {
        self.raw.0
    }
}

impl core::fmt::Debug for Lock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Lock").field("entries", &self.entries().len()).finish()
    }
}

/// Copies the 32 bytes at P; zeros for NULL.
///
/// # Safety
/// P is NULL or points at 32 readable bytes.
unsafe fn digest(p: *const u8) -> [u8; 32] {
    let mut d = [0u8; 32];
    if !p.is_null() {
        // SAFETY: the caller's contract; D is 32 bytes of our own.
        unsafe { ptr::copy_nonoverlapping(p, d.as_mut_ptr(), 32) };
    }
    d
}

/// The SHA-256 of the file at PATH, read as a pinned open reads it (`rdy_sha256_file`).
pub fn sha256_file(path: impl AsRef<Path>) -> Result<[u8; 32]> {
    let path = c_path(path.as_ref())?;
    let mut d = [0u8; 32];
    let mut err = ptr::null_mut();
    // SAFETY: PATH outlives the call; D is the 32 bytes it writes.
    let rc = unsafe { sys::rdy_sha256_file(path.as_ptr(), &mut d, &mut err) };
    if rc != sys::RDY_OK {
        // SAFETY: the failure set ERR, ours to free.
        return Err(unsafe { Error::from_raw(err, rc) });
    }
    Ok(d)
}

/// Removes from CACHE_DIR (None: the default one) the pinned copies not
/// made or used for MAX_AGE seconds and the temporary files a crash left
/// behind (`rdy_cache_prune`); returns the number of files removed.
pub fn cache_prune(cache_dir: Option<&Path>, max_age: u32) -> Result<u32> {
    let dir = cache_dir.map(c_path).transpose()?;
    let mut removed = 0;
    let mut err = ptr::null_mut();
    // SAFETY: DIR outlives the call; REMOVED is ours.
    let rc = unsafe {
        sys::rdy_cache_prune(dir.as_ref().map_or(ptr::null(), |d| d.as_ptr()), max_age, &mut removed, &mut err)
    };
    if rc != sys::RDY_OK {
        // SAFETY: the failure set ERR, ours to free.
        return Err(unsafe { Error::from_raw(err, rc) });
    }
    Ok(removed)
}
