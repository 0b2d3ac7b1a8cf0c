//! Safe Rust over librdy, the rdylib runtime (`include/rdy.h`): open native
//! plugins checked against the host's world before any of their code runs,
//! create instances, call their exports, track resource handles, and swap
//! in new builds while the program runs.
//!
//! - [`sys`]: the raw C declarations, layouts asserted at compile time;
//! - [`World`]: the host's world, from its descriptor;
//! - [`Module`], [`OpenConfig`], [`ReloadInfo`]: one plugin file, checked and loaded;
//! - [`Instance`], [`InstanceConfig`], [`Build`]: an instance of a module
//!   and the exports it is called through;
//! - [`handle`]: resource handles (docs/abi.md §4);
//! - [`Lock`], [`sha256_file`], [`cache_prune`]: pinning and lock files;
//! - [`Watch`]: a callback when a plugin file is replaced;
//! - [`Error`], [`ErrorCode`], [`Refused`]: what fails.
//!
//! Host bindings that `rdy gen rust` writes build their typed calls on
//! [`Instance::with_build`], [`Instance::lend`] and [`with_calling`]; a program that
//! uses generated bindings rarely needs more than [`World`] and [`Module`].
//!
//! # Ownership
//!
//! A [`Module`] is shared: each [`Instance`] holds a reference to the
//! module it was made from, and the module is closed when the `Module` and
//! all its instances are gone.  So an instance can never outlive its
//! module, and no drop order fails or leaks.  [`Module::close`] closes at
//! once and reports what the runtime says (`RDY_EKEPT`), and is refused,
//! giving the module back, while instances live.  Shared ownership was
//! chosen over a lifetime (`Instance<'m>`) because a reload
//! ([`Module::reload`], `&mut self`) must run while instances live and
//! other threads call them: with a borrow, no reload could ever take place
//! while an instance exists.  The runtime keeps each module's world alive,
//! so a [`World`] may be dropped before its modules.

#![deny(missing_docs)]

pub mod sys;

mod error;
pub mod handle;
mod instance;
mod lock;
mod module;
mod watch;
mod world;

pub use error::{Error, ErrorCode, Refused, Result};
pub use instance::{calling, with_calling, Build, Instance, InstanceConfig};
pub use lock::{cache_prune, sha256_file, Lock};
pub use module::{Module, OpenConfig, ReloadInfo};
pub use watch::Watch;
pub use world::World;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// PATH as a C string; a path with a NUL byte is refused (`RDY_EINVAL`).
pub(crate) fn c_path(path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::new(ErrorCode::Inval, format!("{}: the path holds a NUL byte", path.display())))
}
