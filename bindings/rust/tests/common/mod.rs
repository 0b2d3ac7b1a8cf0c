//! What the plugin tests share: the paths CMake gives them (tests/rust_crate),
//! and a look at whether an object is still mapped.

#![allow(dead_code)]

use std::ffi::{c_char, c_int, c_void, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The path in environment variable NAME.  Without it the test is skipped
/// (None), unless RDY_TEST_REQUIRE is set, as CTest sets it: then it fails.
pub fn var(name: &str) -> Option<PathBuf> {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ if std::env::var_os("RDY_TEST_REQUIRE").is_some() => panic!("{name} is not set"),
        _ => {
            eprintln!("skipped: {name} is not set (tests/rust_crate sets it)");
            None
        }
    }
}

#[macro_export]
macro_rules! need {
    ($name:expr) => {
        match common::var($name) {
            Some(p) => p,
            None => return,
        }
    };
}

/// A fresh directory under RDY_TEST_WORK (else the system's temporary one) for NAME.
pub fn work_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("RDY_TEST_WORK").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

extern "C" {
    fn dlopen(file: *const c_char, flags: c_int) -> *mut c_void;
    fn dlclose(handle: *mut c_void) -> c_int;
}

/// Whether the object at PATH is mapped in this process (dlopen RTLD_NOLOAD).
pub fn loaded(path: &Path) -> bool {
    const RTLD_NOW: c_int = 2;
    const RTLD_NOLOAD: c_int = 4;
    let p = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: P is a NUL-terminated path; RTLD_NOLOAD loads nothing.
    let h = unsafe { dlopen(p.as_ptr(), RTLD_NOW | RTLD_NOLOAD) };
    if !h.is_null() {
        // SAFETY: H is the reference the dlopen above took.
        unsafe { dlclose(h) };
    }
    !h.is_null()
}

/// The file's bytes.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serialises the tests of one binary that load the same plugins, since
/// whether a plugin is still mapped depends on every test's modules.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
