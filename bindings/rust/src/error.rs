//! Errors: a status code and the runtime's full message.

use crate::sys;
use core::ffi::{c_char, CStr};
use core::fmt;

/// The status codes of `include/rdy/abi.h`, `RDY_E*`.  A plugin may trap
/// with a code of its own, which is [`ErrorCode::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `RDY_ETRAP`: the callee trapped.
    Trap,
    /// `RDY_EABSENT`: the item is absent (gated, and the other side lacks it).
    Absent,
    /// `RDY_ENOMEM`: out of memory.
    NoMem,
    /// `RDY_EINVAL`: a bad argument to the runtime.
    Inval,
    /// `RDY_EIO`: a file could not be read.
    Io,
    /// `RDY_EFORMAT`: not a plugin, or a bad descriptor or root symbol.
    Format,
    /// `RDY_EINCOMPATIBLE`: the plugin does not match the host's world.
    Incompatible,
    /// `RDY_EDLOPEN`: the dynamic loader refused the object.
    Dlopen,
    /// `RDY_EBUSY`: still in use (live instances, handles or results).
    Busy,
    /// `RDY_EDEAD`: the instance or handle was closed.
    Dead,
    /// `RDY_EKEPT`: unloaded, but the dynamic linker kept the object mapped.
    Kept,
    /// `RDY_EHANDLE`: not a valid handle here.
    Handle,
    /// Any other non-zero status: a plugin's own trap code.
    Other(i32),
}

impl ErrorCode {
    /// The code of a non-zero status.
    pub fn from_raw(status: i32) -> ErrorCode {
        match status {
            sys::RDY_ETRAP => ErrorCode::Trap,
            sys::RDY_EABSENT => ErrorCode::Absent,
            sys::RDY_ENOMEM => ErrorCode::NoMem,
            sys::RDY_EINVAL => ErrorCode::Inval,
            sys::RDY_EIO => ErrorCode::Io,
            sys::RDY_EFORMAT => ErrorCode::Format,
            sys::RDY_EINCOMPATIBLE => ErrorCode::Incompatible,
            sys::RDY_EDLOPEN => ErrorCode::Dlopen,
            sys::RDY_EBUSY => ErrorCode::Busy,
            sys::RDY_EDEAD => ErrorCode::Dead,
            sys::RDY_EKEPT => ErrorCode::Kept,
            sys::RDY_EHANDLE => ErrorCode::Handle,
            other => ErrorCode::Other(other),
        }
    }

    /// The status as the C API has it.
    pub fn raw(self) -> i32 {
        match self {
            ErrorCode::Trap => sys::RDY_ETRAP,
            ErrorCode::Absent => sys::RDY_EABSENT,
            ErrorCode::NoMem => sys::RDY_ENOMEM,
            ErrorCode::Inval => sys::RDY_EINVAL,
            ErrorCode::Io => sys::RDY_EIO,
            ErrorCode::Format => sys::RDY_EFORMAT,
            ErrorCode::Incompatible => sys::RDY_EINCOMPATIBLE,
            ErrorCode::Dlopen => sys::RDY_EDLOPEN,
            ErrorCode::Busy => sys::RDY_EBUSY,
            ErrorCode::Dead => sys::RDY_EDEAD,
            ErrorCode::Kept => sys::RDY_EKEPT,
            ErrorCode::Handle => sys::RDY_EHANDLE,
            ErrorCode::Other(code) => code,
        }
    }

    /// The runtime's short description of the code (`rdy_strerror`).
    pub fn describe(self) -> String {
        // SAFETY: rdy_strerror takes any int and returns NULL or a static
        // NUL-terminated string.
        unsafe { string_at(sys::rdy_strerror(self.raw())) }.unwrap_or_default()
    }
}

/// A failure of the runtime, or a trap: its code and its full message,
/// which names the module, the world, the interface, the item and the path
/// into the type, as the runtime wrote it.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    // Boxed, so that a `Result<T, Error>` of a small T fits in two
    // registers: the success of a call into a plugin costs no memory.
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    message: String,
}

/// What the functions of this crate return.
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl Error {
    /// An error of this crate's own, for what it refuses before calling the runtime.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { inner: Box::new(Inner { code, message: message.into() }) }
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.inner.code
    }

    /// The full message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Takes over an error the runtime set: copies it, then frees it.
    /// `fallback` is the status to report when the runtime set none.
    ///
    /// # Safety
    /// `err` is NULL or an error the runtime made and nothing else frees.
    pub(crate) unsafe fn from_raw(err: *mut sys::rdy_error, fallback: i32) -> Error {
        if err.is_null() {
            let code = ErrorCode::from_raw(if fallback == 0 { sys::RDY_EINVAL } else { fallback });
            return Error::new(code, code.describe());
        }
        // SAFETY: ERR is a live rdy_error (the caller's contract); its
        // message is a NUL-terminated string that lives as long as it.
        let (code, message) =
            unsafe { (sys::rdy_error_code(err), string_at(sys::rdy_error_message(err)).unwrap_or_default()) };
        // SAFETY: ERR is ours to free, once, and is not used after.
        unsafe { sys::rdy_error_free(err) };
        Error::new(ErrorCode::from_raw(code), message)
    }

    /// The error of a refused handle operation: STATUS with this thread's
    /// `rdy_handle_error` message.
    pub(crate) fn from_handle_status(status: i32) -> Error {
        let message = crate::handle::last_error().unwrap_or_else(|| ErrorCode::from_raw(status).describe());
        Error::new(ErrorCode::from_raw(status), message)
    }

    /// The error of a trap: STATUS returned by a call across the boundary,
    /// with FUNCTION naming what was called.
    pub fn from_status(status: i32, function: &str) -> Error {
        let code = ErrorCode::from_raw(status);
        Error::new(code, format!("{function}: {} (status {status})", code.describe()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("code", &self.inner.code).field("message", &self.inner.message).finish()
    }
}

impl std::error::Error for Error {}

/// A refusal that leaves the object as it was, giving it back: an
/// [`Instance::free`](crate::Instance::free) refused while handles or
/// results are live, a [`Module::close`](crate::Module::close) while
/// instances are.
pub struct Refused<T> {
    /// What was to be freed or closed, unchanged.
    pub value: T,
    /// Why it was refused.
    pub error: Error,
}

impl<T> fmt::Debug for Refused<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refused").field("error", &self.error).finish_non_exhaustive()
    }
}

impl<T> fmt::Display for Refused<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<T> std::error::Error for Refused<T> {}

/// Copies a NUL-terminated C string, lossily as UTF-8; None for NULL.
///
/// # Safety
/// `p` is NULL or points at a NUL-terminated string alive for this call.
pub(crate) unsafe fn string_at(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: P is not NULL and NUL-terminated (the caller's contract).
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}
