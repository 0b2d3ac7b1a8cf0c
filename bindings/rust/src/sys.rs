//! Raw declarations of `include/rdy.h`, `include/rdy/abi.h` and
//! `include/rdy_outline.h`: the C types with their exact layout (each size
//! and offset asserted at compile time here, and compared with the C
//! compiler's by `tests/layout.rs`), the status codes, and the functions.
//!
//! Everything here is `unsafe` to use and documented in the C headers; the
//! rest of the crate is the safe API over it.  The inline functions of
//! rdy.h that touch C thread-local variables (`rdy_handle_lend`,
//! `rdy_handle_unlend`, `rdy_live_enter`, `rdy_live_leave`) are reached
//! through their out-of-line forms, `rdy_outline_*`; those thread-local
//! variables themselves are not declared, Rust having no stable way to
//! reach a C `_Thread_local`.

#![allow(non_camel_case_types, non_upper_case_globals, missing_docs)]

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{offset_of, size_of};

macro_rules! opaque {
    ($($name:ident),*) => {$(
        /// An opaque type of the runtime, reached only through pointers.
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}
opaque!(rdy_error, rdy_world, rdy_module, rdy_instance, rdy_lock, rdy_watch, rdy_state);

// ---- include/rdy/abi.h ------------------------------------------------------

pub const RDY_ABI_MAJOR: u8 = 1;
pub const RDY_ABI_MINOR: u8 = 1;
pub const RDY_PLUGIN_SYMBOL: &str = "rdy_plugin_v1";
pub const RDY_DESCRIPTOR_SECTION: &str = ".note.rdy";
pub const RDY_DESCRIPTOR_NOTE_NAME: &str = "RDY";
pub const RDY_DESCRIPTOR_NOTE_TYPE: u32 = 1;
pub const RDY_ROOT_V1_0_SIZE: u32 = 72;

pub const RDY_OK: i32 = 0;
pub const RDY_ETRAP: i32 = 1;
pub const RDY_EABSENT: i32 = 2;
pub const RDY_ENOMEM: i32 = 3;
pub const RDY_EINVAL: i32 = 4;
pub const RDY_EIO: i32 = 5;
pub const RDY_EFORMAT: i32 = 6;
pub const RDY_EINCOMPATIBLE: i32 = 7;
pub const RDY_EDLOPEN: i32 = 8;
pub const RDY_EBUSY: i32 = 9;
pub const RDY_EDEAD: i32 = 10;
pub const RDY_EKEPT: i32 = 11;
pub const RDY_EHANDLE: i32 = 12;

/// `string`: UTF-8, not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_string_t {
    pub ptr: *const c_char,
    pub len: usize,
}

/// A function pointer of any signature, cast back to its exact type to call it.
pub type rdy_fn = Option<unsafe extern "C" fn()>;
/// A release ("post-return") function: frees what a call wrote to `ret`.
pub type rdy_release_fn = Option<unsafe extern "C" fn(self_: *mut c_void, ret: *mut c_void)>;

/// One function across the boundary: `call` NULL means absent.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct rdy_func_v1 {
    pub call: rdy_fn,
    pub release: rdy_release_fn,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_imports_v1 {
    pub ctx: *mut c_void,
    pub nfuncs: u32,
    pub size: u32,
    pub funcs: *const rdy_func_v1,
    pub handles: *const rdy_handles_v1,
    pub rt: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_handles_v1 {
    pub own_new: Option<unsafe extern "C" fn(*mut c_void, u32, *mut c_void, *mut u32) -> i32>,
    pub rep: Option<unsafe extern "C" fn(*mut c_void, u32, u32, *mut *mut c_void) -> i32>,
    pub take: Option<unsafe extern "C" fn(*mut c_void, u32, u32, *mut *mut c_void) -> i32>,
    pub drop: Option<unsafe extern "C" fn(*mut c_void, u32, u32) -> i32>,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_resource_v1 {
    pub drop: Option<unsafe extern "C" fn(self_: *mut rdy_state, rep: *mut c_void)>,
}

/// The type of a plugin's root symbol, `rdy_plugin_v1`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_plugin_root_v1 {
    pub magic: [u8; 4],
    pub major: u8,
    pub minor: u8,
    pub reserved: u16,
    pub size: u32,
    pub descriptor: *const u8,
    pub descriptor_len: usize,
    pub producer: *const c_char,
    pub exports: *const rdy_func_v1,
    pub nexports: u32,
    pub nimports: u32,
    pub instance_new: Option<unsafe extern "C" fn(*const rdy_imports_v1, *mut *mut c_void) -> i32>,
    pub instance_free: Option<unsafe extern "C" fn(*mut c_void)>,
    pub resources: *const rdy_resource_v1,
    pub nresources: u32,
    pub reserved2: u32,
}

// ---- include/rdy.h ----------------------------------------------------------

pub type rdy_drop_fn = Option<unsafe extern "C" fn(ctx: *mut c_void, rep: *mut c_void)>;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_instance_config {
    pub imports: *const rdy_func_v1,
    pub nimports: u32,
    pub ctx: *mut c_void,
    pub pass_instance: bool,
    pub drops: *const rdy_drop_fn,
    pub ndrops: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct rdy_handle_slot {
    pub key: u64,
    pub rep: *mut c_void,
    pub inst: *mut rdy_instance,
    pub prev: u32,
    pub next: u32,
}

pub const RDY__SLOT_LIVE: u32 = 1;
pub const RDY__SLOT_BORROW: u32 = 3;
pub const RDY__SLOT_DEAD: u32 = 0x10;
pub const RDY__PAGE_BITS: u32 = 10;
pub const RDY__PAGES: usize = 1024;
pub const RDY__LENDS: usize = 64;
pub const RDY__DEPTH: usize = 32;

#[repr(C)]
#[derive(Debug)]
pub struct rdy__lends_t {
    pub n: u32,
    pub h: [u32; RDY__LENDS],
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rdy_open_config {
    pub reloadable: bool,
    pub pinned: bool,
    pub cache_dir: *const c_char,
    pub lock: *const rdy_lock,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct rdy_reload_info {
    pub build: u32,
    pub instances: u32,
    pub restored: u32,
    pub serving: u32,
    pub note: [c_char; 512],
}

#[repr(C)]
#[derive(Debug)]
pub struct rdy_build {
    pub self_: *mut c_void,
    pub funcs: *const rdy_func_v1,
    pub instance: *mut rdy_instance,
    pub build: u32,
}

#[repr(C)]
#[derive(Debug)]
pub struct rdy_live {
    pub cur: *mut rdy_build,
}

#[repr(C)]
#[derive(Debug)]
pub struct rdy__reader_t {
    pub top: *mut *mut rdy_live,
    pub lim: *mut *mut rdy_live,
    pub registered: u32,
    pub in_: [*mut rdy_live; RDY__DEPTH],
}

pub type rdy_watch_fn = Option<unsafe extern "C" fn(user: *mut c_void, path: *const c_char)>;

extern "C" {
    pub fn rdy_error_code(e: *const rdy_error) -> c_int;
    pub fn rdy_error_message(e: *const rdy_error) -> *const c_char;
    pub fn rdy_error_free(e: *mut rdy_error);
    pub fn rdy_strerror(code: c_int) -> *const c_char;

    pub fn rdy_world_new(descriptor: *const u8, len: usize, err: *mut *mut rdy_error) -> *mut rdy_world;
    pub fn rdy_world_free(w: *mut rdy_world);
    pub fn rdy_world_nexports(w: *const rdy_world) -> u32;
    pub fn rdy_world_nimports(w: *const rdy_world) -> u32;
    pub fn rdy_world_expect(
        w: *mut rdy_world,
        plugin_descriptor: *const u8,
        len: usize,
        err: *mut *mut rdy_error,
    ) -> c_int;

    pub fn rdy_module_open(w: *mut rdy_world, path: *const c_char, err: *mut *mut rdy_error) -> *mut rdy_module;
    pub fn rdy_module_close(m: *mut rdy_module, err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_module_path(m: *const rdy_module) -> *const c_char;
    pub fn rdy_module_producer(m: *const rdy_module) -> *const c_char;
    pub fn rdy_module_nabsent(m: *const rdy_module) -> u32;
    pub fn rdy_module_absent(m: *const rdy_module, i: u32) -> *const c_char;
    pub fn rdy_module_ndeprecated(m: *const rdy_module) -> u32;
    pub fn rdy_module_deprecated(m: *const rdy_module, i: u32) -> *const c_char;

    pub fn rdy_instance_new(
        m: *mut rdy_module,
        imports: *const rdy_func_v1,
        nimports: u32,
        ctx: *mut c_void,
        err: *mut *mut rdy_error,
    ) -> *mut rdy_instance;
    pub fn rdy_instance_create(
        m: *mut rdy_module,
        config: *const rdy_instance_config,
        err: *mut *mut rdy_error,
    ) -> *mut rdy_instance;
    pub fn rdy_instance_ctx(inst: *const rdy_instance) -> *mut c_void;
    pub fn rdy_instance_calling() -> *mut rdy_instance;
    pub fn rdy_instance_free(inst: *mut rdy_instance, err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_instance_kill(inst: *mut rdy_instance);
    pub fn rdy_instance_nhandles(inst: *const rdy_instance) -> u32;
    pub fn rdy_instance_results(inst: *mut rdy_instance) -> *mut u64;
    pub fn rdy_instance_exports(inst: *const rdy_instance) -> *const rdy_func_v1;
    pub fn rdy_instance_self(inst: *const rdy_instance) -> *mut c_void;
    pub fn rdy_instance_module(inst: *const rdy_instance) -> *mut rdy_module;

    pub fn rdy_handle_new(inst: *mut rdy_instance, res: u32, rep: *mut c_void, handle: *mut u32) -> i32;
    pub fn rdy_handle_drop(inst: *mut rdy_instance, res: u32, handle: u32) -> i32;
    pub fn rdy_handle_take(inst: *mut rdy_instance, res: u32, handle: u32, rep: *mut *mut c_void) -> i32;
    pub fn rdy_handle_borrow(inst: *mut rdy_instance, res: u32, rep: *mut c_void, handle: *mut u32) -> i32;
    pub fn rdy_handle_end(inst: *mut rdy_instance, handle: u32);
    pub fn rdy_handle_rep(inst: *mut rdy_instance, res: u32, handle: u32, rep: *mut *mut c_void) -> i32;
    pub fn rdy_handle_error() -> *const c_char;

    pub static rdy__handle_pages: [*mut rdy_handle_slot; RDY__PAGES];
    pub fn rdy__handle_lend_slow(inst: *mut rdy_instance, res: u32, handle: u32, rep: *mut *mut c_void) -> i32;
    pub fn rdy__handle_orphan(inst: *mut rdy_instance, res: u32, rep: *mut c_void);

    pub fn rdy_module_open_with(
        w: *mut rdy_world,
        path: *const c_char,
        config: *const rdy_open_config,
        err: *mut *mut rdy_error,
    ) -> *mut rdy_module;
    pub fn rdy_module_reload(
        m: *mut rdy_module,
        path: *const c_char,
        info: *mut rdy_reload_info,
        err: *mut *mut rdy_error,
    ) -> c_int;
    pub fn rdy_module_build(m: *const rdy_module) -> u32;
    pub fn rdy_module_sha256(m: *const rdy_module) -> *const c_char;
    pub fn rdy_instance_live(inst: *const rdy_instance) -> *mut rdy_live;

    pub fn rdy_live_route(b: *const rdy_build, handle: u32) -> *const rdy_build;
    pub fn rdy_live_done(b: *const rdy_build, served: *const rdy_build);

    pub static mut rdy__reload_fence: c_int;
    pub fn rdy__live_enter_slow(live: *mut rdy_live) -> *const rdy_build;

    pub fn rdy_lock_read(file: *const c_char, err: *mut *mut rdy_error) -> *mut rdy_lock;
    pub fn rdy_lock_parse(
        text: *const c_char,
        len: usize,
        name: *const c_char,
        err: *mut *mut rdy_error,
    ) -> *mut rdy_lock;
    pub fn rdy_lock_free(l: *mut rdy_lock);
    pub fn rdy_lock_count(l: *const rdy_lock) -> u32;
    pub fn rdy_lock_name(l: *const rdy_lock, i: u32) -> *const c_char;
    pub fn rdy_lock_digest(l: *const rdy_lock, i: u32) -> *const u8;
    pub fn rdy_lock_find(l: *const rdy_lock, path: *const c_char, err: *mut *mut rdy_error) -> *const u8;
    pub fn rdy_sha256_file(path: *const c_char, digest: *mut [u8; 32], err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_cache_prune(
        cache_dir: *const c_char,
        max_age: u32,
        removed: *mut u32,
        err: *mut *mut rdy_error,
    ) -> c_int;

    pub fn rdy_watch_new(debounce_ms: c_uint, err: *mut *mut rdy_error) -> *mut rdy_watch;
    pub fn rdy_watch_add(
        w: *mut rdy_watch,
        path: *const c_char,
        f: rdy_watch_fn,
        user: *mut c_void,
        err: *mut *mut rdy_error,
    ) -> c_int;
    pub fn rdy_watch_fd(w: *const rdy_watch) -> c_int;
    pub fn rdy_watch_dispatch(w: *mut rdy_watch, timeout_ms: c_int, err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_watch_start(w: *mut rdy_watch, err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_watch_stop(w: *mut rdy_watch, err: *mut *mut rdy_error) -> c_int;
    pub fn rdy_watch_free(w: *mut rdy_watch);

    // ---- include/rdy_outline.h ----
    pub fn rdy_outline_handle_lend(inst: *mut rdy_instance, res: u32, handle: u32, rep: *mut *mut c_void) -> i32;
    pub fn rdy_outline_handle_unlend();
    pub fn rdy_outline_live_enter(live: *mut rdy_live) -> *const rdy_build;
    pub fn rdy_outline_live_leave();
    pub fn rdy_outline_calling_swap(inst: *mut rdy_instance) -> *mut rdy_instance;
}

// ---- layouts (LP64), as include/rdy/abi.h and include/rdy.h lay them out ----

macro_rules! layout {
    ($t:ty, $size:expr, $align:expr; $($field:ident @ $off:expr),*) => {
        const _: () = assert!(size_of::<$t>() == $size);
        const _: () = assert!(core::mem::align_of::<$t>() == $align);
        $(const _: () = assert!(offset_of!($t, $field) == $off);)*
    };
}

layout!(rdy_string_t, 16, 8; ptr @ 0, len @ 8);
layout!(rdy_func_v1, 16, 8; call @ 0, release @ 8);
layout!(rdy_imports_v1, 40, 8; ctx @ 0, nfuncs @ 8, size @ 12, funcs @ 16, handles @ 24, rt @ 32);
layout!(rdy_handles_v1, 32, 8; own_new @ 0, rep @ 8, take @ 16, drop @ 24);
layout!(rdy_resource_v1, 8, 8; drop @ 0);
layout!(rdy_plugin_root_v1, 88, 8; magic @ 0, major @ 4, minor @ 5, reserved @ 6, size @ 8, descriptor @ 16,
        descriptor_len @ 24, producer @ 32, exports @ 40, nexports @ 48, nimports @ 52, instance_new @ 56,
        instance_free @ 64, resources @ 72, nresources @ 80, reserved2 @ 84);
layout!(rdy_instance_config, 48, 8; imports @ 0, nimports @ 8, ctx @ 16, pass_instance @ 24, drops @ 32,
        ndrops @ 40);
layout!(rdy_handle_slot, 32, 8; key @ 0, rep @ 8, inst @ 16, prev @ 24, next @ 28);
layout!(rdy__lends_t, 260, 4; n @ 0, h @ 4);
layout!(rdy_open_config, 24, 8; reloadable @ 0, pinned @ 1, cache_dir @ 8, lock @ 16);
layout!(rdy_reload_info, 528, 4; build @ 0, instances @ 4, restored @ 8, serving @ 12, note @ 16);
layout!(rdy_build, 32, 8; self_ @ 0, funcs @ 8, instance @ 16, build @ 24);
layout!(rdy_live, 8, 8; cur @ 0);
layout!(rdy__reader_t, 280, 8; top @ 0, lim @ 8, registered @ 16, in_ @ 24);
const _: () = assert!(size_of::<rdy_fn>() == 8 && size_of::<rdy_drop_fn>() == 8 && size_of::<rdy_watch_fn>() == 8);
const _: () = assert!(RDY_ROOT_V1_0_SIZE as usize == offset_of!(rdy_plugin_root_v1, resources));
