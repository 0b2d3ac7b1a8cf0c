use crate::error::string_at;
use crate::{c_path, sys, Error, ErrorCode, Lock, Result, World};
use core::ffi::{c_char, CStr};
use core::ptr;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How [`Module::open_with`] opens a plugin (`rdy_open_config`); the
/// default opens as [`Module::open`] does.
#[derive(Clone, Debug, Default)]
pub struct OpenConfig {
    /// The module's instances can move to a new build ([`Module::reload`]);
    /// it loads a content-addressed copy of its file, as `pinned` does.
    pub reloadable: bool,
    /// Load a private copy of the file, named by its SHA-256, in `cache_dir`.
    pub pinned: bool,
    /// Where pinned copies go; None: `$XDG_CACHE_HOME/rdy`, else `~/.cache/rdy`.
    pub cache_dir: Option<PathBuf>,
    /// Refuse a plugin whose SHA-256 is not the lock's for it (implies `pinned`).
    /// The module keeps the lock alive as long as it is open.
    pub lock: Option<Lock>,
}

impl OpenConfig {
    /// Sets `reloadable`.
    pub fn reloadable(mut self, on: bool) -> Self {
        self.reloadable = on;
        self
    }
    /// Sets `pinned`.
    pub fn pinned(mut self, on: bool) -> Self {
        self.pinned = on;
        self
    }
    /// Sets `cache_dir`.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }
    /// Sets `lock`.
    pub fn lock(mut self, lock: Lock) -> Self {
        self.lock = Some(lock);
        self
    }
}

/// What a reload did (`rdy_reload_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReloadInfo {
    /// The build now serving: 1 at open, one more per reload.
    pub build: u32,
    /// The live instances moved to it.
    pub instances: u32,
    /// Of them, those whose state moved through `rdy:reload/state`.
    pub restored: u32,
    /// Of them, those whose old build still serves objects the host holds.
    pub serving: u32,
    /// Empty, or why the old build's file stayed mapped (the `RDY_EKEPT` message).
    pub note: String,
}

/// The runtime's module, shared by the [`Module`] and its instances and
/// closed when the last of them goes.
pub(crate) struct ModuleInner {
    pub(crate) raw: *mut sys::rdy_module,
    pub(crate) nexports: u32,
    pub(crate) nimports: u32,
    _lock: Option<Lock>, // the runtime reads it at each reload
}

// SAFETY: the runtime serialises the functions that change a module (open,
// close, instance creation and freeing, reload) with one lock; the rest
// read it, and [`Module::reload`] takes `&mut Module`, so no Rust reader of
// what a reload replaces runs alongside it.
unsafe impl Send for ModuleInner {}
// SAFETY: as above.
unsafe impl Sync for ModuleInner {}

impl Drop for ModuleInner {
    fn drop(&mut self) {
        if self.raw.is_null() {
            return; // closed by Module::close
        }
        let mut err = ptr::null_mut();
        // SAFETY: the last reference is going, so no instance of the
        // module lives: the close frees it, once.  Its outcome (RDY_EKEPT)
        // cannot be reported from a drop; Module::close reports it.
        let rc = unsafe { sys::rdy_module_close(self.raw, &mut err) };
        if rc != sys::RDY_OK {
            // SAFETY: a failure set ERR, ours to free.
            drop(unsafe { Error::from_raw(err, rc) });
        }
    }
}

/// One plugin file, checked against a [`World`], loaded and bound.
///
/// Every [`Instance`](crate::Instance) made from it holds a share of it: the
/// runtime's module is closed when the `Module` and all its instances have
/// been dropped (see the crate's documentation, "Ownership").
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl Module {
    /// Opens the plugin at PATH for WORLD (`rdy_module_open`): reads its
    /// descriptor, checks it against the world, and only then loads it.
    /// A plugin refused before loading has run no code; the error names
    /// what does not match.
    pub fn open(world: &World, path: impl AsRef<Path>) -> Result<Module> {
        Module::open_with(world, path, &OpenConfig::default())
    }

    /// Opens the plugin at PATH with CONFIG (`rdy_module_open_with`).
    pub fn open_with(world: &World, path: impl AsRef<Path>, config: &OpenConfig) -> Result<Module> {
        let path = c_path(path.as_ref())?;
        let dir = config.cache_dir.as_deref().map(c_path).transpose()?;
        let c = sys::rdy_open_config {
            reloadable: config.reloadable,
            pinned: config.pinned,
            cache_dir: dir.as_ref().map_or(ptr::null(), |d| d.as_ptr()),
            lock: config.lock.as_ref().map_or(ptr::null(), Lock::as_ptr),
        };
        let mut err = ptr::null_mut();
        // SAFETY: the world is live; PATH, C and the strings and lock it
        // points at outlive the call (the runtime copies the cache
        // directory, and the lock is kept alive in the module below).
        let raw = unsafe { sys::rdy_module_open_with(world.as_ptr(), path.as_ptr(), &c, &mut err) };
        if raw.is_null() {
            // SAFETY: the failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, sys::RDY_EINVAL) });
        }
        let inner =
            ModuleInner { raw, nexports: world.nexports(), nimports: world.nimports(), _lock: config.lock.clone() };
        Ok(Module { inner: Arc::new(inner) })
    }

    /// Closes the module now (`rdy_module_close`).  `Err` with
    /// [`ErrorCode::Kept`] when the dynamic linker kept the object mapped
    /// (the module is closed all the same), and with [`ErrorCode::Busy`]
    /// while instances of it live: it then closes once the last of them
    /// is dropped.
    pub fn close(self) -> Result<()> {
        let path = self.path().display().to_string();
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => {
                let n = Arc::strong_count(&shared) - 1;
                let (s, are) = if n == 1 { ("", "is") } else { ("s", "are") };
                return Err(Error::new(
                    ErrorCode::Busy,
                    format!("{path}: {n} instance{s} {are} still live; the module closes once they are freed"),
                ));
            }
        };
        let mut inner = inner;
        let raw = core::mem::replace(&mut inner.raw, ptr::null_mut());
        let mut err = ptr::null_mut();
        // SAFETY: this is the only reference, so no instance lives; the
        // module is freed whatever the outcome, and INNER, its pointer
        // taken, does not close it again.  The lock it holds outlives the call.
        let rc = unsafe { sys::rdy_module_close(raw, &mut err) };
        drop(inner);
        if rc == sys::RDY_OK {
            return Ok(());
        }
        // SAFETY: a failure set ERR, ours to free.
        Err(unsafe { Error::from_raw(err, rc) })
    }

    /// Replaces the build behind this reloadable module with the plugin at
    /// PATH (the module's own path when None), moving every live instance
    /// to it (`rdy_module_reload`, docs/abi.md §7.5).  On failure the old
    /// build goes on serving and nothing the host sees changes.
    pub fn reload(&mut self, path: Option<&Path>) -> Result<ReloadInfo> {
        let path = path.map(c_path).transpose()?;
        // SAFETY: an all-zero rdy_reload_info is valid (integers and a char array).
        let mut info: sys::rdy_reload_info = unsafe { core::mem::zeroed() };
        let mut err = ptr::null_mut();
        // SAFETY: the module is live and `&mut self` keeps other Rust
        // readers of it away; PATH outlives the call.
        let rc = unsafe {
            sys::rdy_module_reload(
                self.inner.raw,
                path.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
                &mut info,
                &mut err,
            )
        };
        if rc != sys::RDY_OK {
            // SAFETY: a failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, rc) });
        }
        // SAFETY: NOTE is NUL-terminated within its 512 bytes, as the runtime writes it.
        let note = unsafe { CStr::from_ptr(info.note.as_ptr()) }.to_string_lossy().into_owned();
        Ok(ReloadInfo {
            build: info.build,
            instances: info.instances,
            restored: info.restored,
            serving: info.serving,
            note,
        })
    }

    /// The path it was opened with.
    pub fn path(&self) -> &Path {
        // SAFETY: the module is live; its path is NUL-terminated and lives
        // until it is closed or reloaded, which `&self` excludes.
        Path::new(OsStr::from_bytes(unsafe { c_str(sys::rdy_module_path(self.inner.raw)) }))
    }

    /// The producer the plugin names (compiler, rdylib version).
    pub fn producer(&self) -> String {
        // SAFETY: as path.
        unsafe { string_at(sys::rdy_module_producer(self.inner.raw)) }.unwrap_or_default()
    }

    /// The build serving its instances: 1 at open, one more per reload.
    pub fn build(&self) -> u32 {
        // SAFETY: the module is live.
        unsafe { sys::rdy_module_build(self.inner.raw) }
    }

    /// The SHA-256 of the bytes loaded, in hex, for a pinned or reloadable module.
    pub fn sha256(&self) -> Option<String> {
        // SAFETY: as path.
        unsafe { string_at(sys::rdy_module_sha256(self.inner.raw)) }
    }

    /// The items that bind as absent, being gated `@since`, one line each as `rdy check` prints them.
    pub fn absent(&self) -> Vec<String> {
        // SAFETY: the module is live; I < the count.
        self.lines(sys::rdy_module_nabsent, |m, i| unsafe { sys::rdy_module_absent(m, i) })
    }

    /// The items that bind although marked `@deprecated`, one line each.
    pub fn deprecated(&self) -> Vec<String> {
        // SAFETY: the module is live; I < the count.
        self.lines(sys::rdy_module_ndeprecated, |m, i| unsafe { sys::rdy_module_deprecated(m, i) })
    }

    fn lines(
        &self,
        count: unsafe extern "C" fn(*const sys::rdy_module) -> u32,
        line: impl Fn(*const sys::rdy_module, u32) -> *const c_char,
    ) -> Vec<String> {
        // SAFETY: the module is live.
        let n = unsafe { count(self.inner.raw) };
        // SAFETY: each line is NUL-terminated and lives as long as the build.
        (0..n).filter_map(|i| unsafe { string_at(line(self.inner.raw, i)) }).collect()
    }

    /// The length of each instance's export table ([`World::nexports`]).
    pub fn nexports(&self) -> u32 {
        self.inner.nexports
    }

    /// The length of an import table ([`World::nimports`]).
    pub fn nimports(&self) -> u32 {
        self.inner.nimports
    }

    /// The runtime's module, for calls through [`sys`](crate::sys); valid while self is.
    pub fn as_ptr(&self) -> *mut sys::rdy_module {
        self.inner.raw
    }
}

/// The bytes of a NUL-terminated string, empty for NULL.
///
/// # Safety
/// P is NULL or a NUL-terminated string that outlives 'a.
unsafe fn c_str<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        return b"";
    }
    // SAFETY: the caller's contract.
    unsafe { CStr::from_ptr(p) }.to_bytes()
}

impl core::fmt::Debug for Module {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Module").field("path", &self.path()).field("build", &self.build()).finish()
    }
}
