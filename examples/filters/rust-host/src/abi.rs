//! The world example:filters/plugin as the host sees it: its types in the
//! C layout of docs/abi.md §2, and the order of its imports and exports in
//! the host's descriptor.
//!
//! Written by hand for now.  Generated Rust host bindings (`rdy gen rust
//! --side host`, not there yet) will replace this module and the calls in
//! main.rs with typed functions; the layouts below are the ones
//! `rdy gen c --side host` asserts with `_Static_assert`, and are asserted
//! here the same way, so a mistake fails the build rather than a call.

use rdy::sys::rdy_string_t;
use std::mem::{align_of, offset_of, size_of};

// The host's imports (interface `host`), in descriptor order.
pub const H_LOG: usize = 0;
pub const H_CONFIG: usize = 1;
pub const H_DICTIONARY: usize = 2;
pub const H_POLICY: usize = 3;
pub const NIMPORTS: usize = 4;

// The plugins' exports (interface `filter`), in descriptor order.
pub const E_ABOUT: usize = 0;
pub const E_CHECK: usize = 1;
pub const E_APPLY: usize = 2;
pub const E_SUGGEST: usize = 3;
pub const NEXPORTS: usize = 4;

/// `severity`: info, warning, error.
pub type Severity = u8;
/// `caps`: bit 0 rewrites, bit 1 checks, bit 2 uses-dictionary.
pub type Caps = u8;
pub const CAPS_REWRITES: Caps = 1 << 0;
pub const CAPS_CHECKS: Caps = 1 << 1;
pub const CAPS_USES_DICTIONARY: Caps = 1 << 2;

/// `list<T>`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct List<T> {
    pub ptr: *const T,
    pub len: usize,
}

/// `option<T>`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Opt<T> {
    pub is_some: u8,
    pub val: T,
}

/// `record span`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

/// `record finding`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Finding {
    pub severity: Severity,
    pub at: Opt<Span>,
    pub message: rdy_string_t,
}

/// `record replacement`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Replacement {
    pub at: Span,
    pub text: rdy_string_t,
}

/// `tuple<u32, string>`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Insert {
    pub f0: u32,
    pub f1: rdy_string_t,
}

/// `variant edit`: insert, delete, replace.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Edit {
    pub tag: u8,
    pub val: EditVal,
}
#[repr(C)]
#[derive(Clone, Copy)]
pub union EditVal {
    pub insert: Insert,
    pub delete: Span,
    pub replace: Replacement,
}
pub const EDIT_INSERT: u8 = 0;
pub const EDIT_DELETE: u8 = 1;
pub const EDIT_REPLACE: u8 = 2;

/// `variant filter-error`: bad-input(string), unsupported, too-large(u64).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FilterError {
    pub tag: u8,
    pub val: FilterErrorVal,
}
#[repr(C)]
#[derive(Clone, Copy)]
pub union FilterErrorVal {
    pub bad_input: rdy_string_t,
    pub too_large: u64,
}
pub const FILTER_ERROR_BAD_INPUT: u8 = 0;
pub const FILTER_ERROR_UNSUPPORTED: u8 = 1;
pub const FILTER_ERROR_TOO_LARGE: u8 = 2;

/// `result<string, filter-error>`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ApplyResult {
    pub is_err: u8,
    pub val: ApplyVal,
}
#[repr(C)]
#[derive(Clone, Copy)]
pub union ApplyVal {
    pub ok: rdy_string_t,
    pub err: FilterError,
}

/// `record identity`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Identity {
    pub name: rdy_string_t,
    pub summary: rdy_string_t,
    pub caps: Caps,
}

/// `record limits`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Limits {
    pub max_input: u64,
    pub granted: Caps,
}

// The layouts, as `rdy gen c` asserts them for the same world.
const _: () = assert!(size_of::<Span>() == 8 && align_of::<Span>() == 4);
const _: () = assert!(size_of::<Opt<Span>>() == 12 && offset_of!(Opt<Span>, val) == 4);
const _: () = assert!(size_of::<Finding>() == 32 && align_of::<Finding>() == 8);
const _: () = assert!(offset_of!(Finding, at) == 4 && offset_of!(Finding, message) == 16);
const _: () = assert!(size_of::<Replacement>() == 24 && offset_of!(Replacement, text) == 8);
const _: () = assert!(size_of::<Insert>() == 24 && offset_of!(Insert, f1) == 8);
const _: () = assert!(size_of::<Edit>() == 32 && offset_of!(Edit, val) == 8);
const _: () = assert!(size_of::<FilterError>() == 24 && offset_of!(FilterError, val) == 8);
const _: () = assert!(size_of::<ApplyResult>() == 32 && offset_of!(ApplyResult, val) == 8);
const _: () = assert!(size_of::<Identity>() == 40 && offset_of!(Identity, caps) == 32);
const _: () = assert!(size_of::<Limits>() == 16 && offset_of!(Limits, granted) == 8);
const _: () = assert!(size_of::<Opt<rdy_string_t>>() == 24 && offset_of!(Opt<rdy_string_t>, val) == 8);
const _: () = assert!(size_of::<List<rdy_string_t>>() == 16);

/// The bytes of a string the other side passed or returned, valid as long as it is.
///
/// # Safety
/// S describes S.LEN readable bytes (any pointer when LEN is 0).
pub unsafe fn bytes(s: &rdy_string_t) -> &[u8] {
    if s.len == 0 {
        return &[];
    }
    // SAFETY: by the caller's contract.
    unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) }
}

/// A plugin's string as Rust text: lossy, since it comes from another program.
///
/// # Safety
/// As for [`bytes`].
pub unsafe fn text(s: &rdy_string_t) -> String {
    // SAFETY: by the caller's contract.
    String::from_utf8_lossy(unsafe { bytes(s) }).into_owned()
}

/// The elements of a list the other side returned.
///
/// # Safety
/// L describes L.LEN readable elements.
pub unsafe fn elements<T>(l: &List<T>) -> &[T] {
    if l.len == 0 {
        return &[];
    }
    // SAFETY: by the caller's contract.
    unsafe { std::slice::from_raw_parts(l.ptr, l.len) }
}
