use crate::module::ModuleInner;
use crate::{sys, Error, ErrorCode, Module, Refused, Result};
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::AtomicU64;
use std::sync::Arc;

/// How [`Instance::create`] makes an instance (`rdy_instance_config`).
#[derive(Clone, Copy, Debug)]
pub struct InstanceConfig<'a> {
    /// The host's functions that plugins import, [`Module::nimports`] of
    /// them in the order of the host's descriptor; `call` None for one the
    /// host leaves out (refused unless the plugin gates it).  Copied.
    pub imports: &'a [sys::rdy_func_v1],
    /// The host's context: the first argument of each import.
    pub ctx: *mut c_void,
    /// The imports receive the instance itself as their first argument,
    /// and reach `ctx` through `rdy_instance_ctx`.
    pub pass_instance: bool,
    /// The destructors of the host's objects, one per resource the world
    /// imports; None runs nothing.  Copied.
    pub drops: &'a [sys::rdy_drop_fn],
}

impl Default for InstanceConfig<'_> {
    fn default() -> Self {
        InstanceConfig { imports: &[], ctx: ptr::null_mut(), pass_instance: false, drops: &[] }
    }
}

/// An instance of a [`Module`]: the plugin's state, called through its
/// export table.
///
/// It holds a share of its module, which therefore stays open at least as
/// long as it (see the crate's documentation, "Ownership").  Calls may run
/// from any threads at once through `&Instance`; what frees or kills needs
/// the instance itself or `&mut`, so that no call through it is running.
///
/// Dropping it frees it (`rdy_instance_free`).  Where that is refused,
/// because handles to its objects are live, the drop kills it first
/// ([`Instance::kill`]: every handle turns dead and each object's
/// destructor runs once) and frees it then; only unreleased results keep
/// it, and its module, allocated, since their memory and release function
/// are the plugin's.  [`Instance::free`] reports a refusal instead.
pub struct Instance {
    raw: *mut sys::rdy_instance,
    module: Arc<ModuleInner>,
    killed: bool,
    // Read once at creation, so that a call makes no call into librdy to
    // find its way: the instance's rdy_live when its module is reloadable,
    // else its export table and state, which stay while it lives.
    live: *mut sys::rdy_live,
    funcs: *const sys::rdy_func_v1,
    state: *mut c_void,
}

// SAFETY: the runtime lets calls into an instance, and its handle
// functions, run on any thread at once (include/rdy.h, "Threads"); freeing
// and killing take the instance by value or `&mut`.
unsafe impl Send for Instance {}
// SAFETY: as above: every `&self` method may run concurrently.
unsafe impl Sync for Instance {}

impl Instance {
    /// Creates an instance of MODULE that imports nothing from the host:
    /// every import is absent, which suits plugins that import nothing or
    /// gate all their imports (others are refused with `RDY_EINVAL`).
    pub fn new(module: &Module) -> Result<Instance> {
        let none = vec![sys::rdy_func_v1::default(); module.nimports() as usize];
        // SAFETY: no import is given, so there is no function or context
        // whose validity could be wrong.
        unsafe { Instance::create(module, &InstanceConfig { imports: &none, ..InstanceConfig::default() }) }
    }

    /// Creates an instance of MODULE with CONFIG (`rdy_instance_create`).
    ///
    /// # Safety
    /// Each import's `call` has the exact C signature that the host's
    /// descriptor gives its function (with the context, or the instance
    /// when `pass_instance`, first), as generated bindings make them, and
    /// each `release` frees only what its function's results own; `ctx`
    /// and what the imports and drops reach through it stay valid until the
    /// instance is freed; the drops free objects of the resource they are
    /// given for.
    pub unsafe fn create(module: &Module, config: &InstanceConfig<'_>) -> Result<Instance> {
        let len = |n: usize| {
            u32::try_from(n).map_err(|_| Error::new(ErrorCode::Inval, format!("{n} entries: too many for the runtime")))
        };
        let c = sys::rdy_instance_config {
            imports: config.imports.as_ptr(),
            nimports: len(config.imports.len())?,
            ctx: config.ctx,
            pass_instance: config.pass_instance,
            drops: if config.drops.is_empty() { ptr::null() } else { config.drops.as_ptr() },
            ndrops: len(config.drops.len())?,
        };
        let mut err = ptr::null_mut();
        // SAFETY: the module is live; C's arrays are CONFIG's slices with
        // their lengths, copied by the runtime; the functions and context
        // are valid by the caller's contract.
        let raw = unsafe { sys::rdy_instance_create(module.as_ptr(), &c, &mut err) };
        if raw.is_null() {
            // SAFETY: the failure set ERR, ours to free.
            return Err(unsafe { Error::from_raw(err, sys::RDY_EINVAL) });
        }
        // SAFETY: RAW is the live instance just made.
        let (live, funcs, state) =
            unsafe { (sys::rdy_instance_live(raw), sys::rdy_instance_exports(raw), sys::rdy_instance_self(raw)) };
        Ok(Instance { raw, module: Arc::clone(&module.inner), killed: false, live, funcs, state })
    }

    /// The bound exports, in the order of the host's descriptor
    /// ([`Module::nexports`] of them, `call` None for an absent one).  None
    /// for an instance of a reloadable module, whose table a reload
    /// replaces and frees: call it through [`Instance::with_build`], which
    /// is right for both.
    ///
    /// Calling one is `unsafe`: cast `call` to the function's exact type
    /// and pass [`Instance::self_ptr`] first.  None may be called once the
    /// instance was killed.
    pub fn exports(&self) -> Option<&[sys::rdy_func_v1]> {
        if self.is_reloadable() {
            return None;
        }
        // SAFETY: the table of a module that is not reloadable holds
        // nexports entries and lives until the instance is freed, which the
        // borrow of self excludes.
        Some(unsafe { slice(self.funcs, self.module.nexports) })
    }

    /// The plugin's state for this instance: the first argument of every
    /// export.  For a reloadable module, the build serving now's, which a
    /// reload may free: use [`Build::self_ptr`] in [`Instance::with_build`].
    pub fn self_ptr(&self) -> *mut c_void {
        // SAFETY: the instance is live.
        unsafe { sys::rdy_instance_self(self.raw) }
    }

    /// The host's context, as given at creation.
    pub fn ctx(&self) -> *mut c_void {
        // SAFETY: the instance is live.
        unsafe { sys::rdy_instance_ctx(self.raw) }
    }

    /// The count of results of its exports not yet released, which
    /// bindings add to after each call whose result owns memory and take
    /// from at each release; freeing is refused while it is not 0.
    pub fn results(&self) -> &AtomicU64 {
        // SAFETY: the counter is a u64, aligned, that lives as long as the
        // instance and is only ever accessed atomically (include/rdy.h).
        unsafe { AtomicU64::from_ptr(sys::rdy_instance_results(self.raw)) }
    }

    /// The number of live handles to its objects.
    pub fn nhandles(&self) -> u32 {
        // SAFETY: the instance is live.
        unsafe { sys::rdy_instance_nhandles(self.raw) }
    }

    /// Whether its module is reloadable: calls then go through the build serving it.
    pub fn is_reloadable(&self) -> bool {
        !self.live.is_null()
    }

    /// Whether [`Instance::kill`] has run.
    pub fn is_killed(&self) -> bool {
        self.killed
    }

    /// Runs F with the build serving this instance, for one call into it:
    /// for a reloadable module, a reload waits for F to return before it
    /// frees that build and holds new calls while it swaps
    /// (`rdy_live_enter`/`rdy_live_leave`); otherwise it is the instance's
    /// own exports and state.  `Err` with [`ErrorCode::Dead`] once killed,
    /// and [`ErrorCode::Busy`] when calls nest deeper than 32 on this thread.
    #[inline]
    pub fn with_build<R>(&self, f: impl FnOnce(&Build<'_>) -> R) -> Result<R> {
        if self.killed {
            return Err(Error::new(ErrorCode::Dead, "the instance was killed: its exports cannot be called"));
        }
        let live = self.live;
        if live.is_null() {
            let build = Build {
                self_ptr: self.state,
                // SAFETY: as in exports: not reloadable, live while self is borrowed.
                funcs: unsafe { slice(self.funcs, self.module.nexports) },
                instance: self.raw,
                build: 1,
                _thread: PhantomData,
            };
            return Ok(f(&build));
        }
        // SAFETY: LIVE is the live instance's; the enter is matched by the
        // guard's leave on this thread, in reverse order, since the guard
        // lives exactly for F's call.
        let b = unsafe { sys::rdy_outline_live_enter(live) };
        if b.is_null() {
            return Err(Error::new(ErrorCode::Busy, "calls into instances nest deeper than 32 on this thread"));
        }
        let _leave = Leave;
        // SAFETY: B is the build serving, valid until the leave; its
        // table holds the world's nexports entries.
        let build = unsafe {
            Build {
                self_ptr: (*b).self_,
                funcs: slice((*b).funcs, self.module.nexports),
                instance: (*b).instance,
                build: (*b).build,
                _thread: PhantomData,
            }
        };
        Ok(f(&build))
    }

    /// [`Instance::with_build`] for a call that names one of the plugin's
    /// objects by HANDLE (a method, or a function given the object): for
    /// a reloadable module, the build that made the object serves it,
    /// which is an earlier one when a reload swapped that build out while
    /// the object lived (`rdy_live_route`, docs/abi.md §7.5, "Objects");
    /// otherwise as `with_build`.  The handle itself is checked when the
    /// call lends or takes it from [`Build::instance`].
    #[inline]
    pub fn with_build_for<R>(&self, handle: u32, f: impl FnOnce(&Build<'_>) -> R) -> Result<R> {
        if self.killed {
            return Err(Error::new(ErrorCode::Dead, "the instance was killed: its exports cannot be called"));
        }
        let live = self.live;
        if live.is_null() {
            return self.with_build(f);
        }
        // SAFETY: as in with_build; the enter is ended by the guard's
        // rdy_live_done, on this thread, once F returns or unwinds.
        let b = unsafe { sys::rdy_outline_live_enter(live) };
        if b.is_null() {
            return Err(Error::new(ErrorCode::Busy, "calls into instances nest deeper than 32 on this thread"));
        }
        // SAFETY: B serves LIVE, entered above; the build routed to stays
        // until the guard's rdy_live_done.
        let o = unsafe { sys::rdy_live_route(b, handle) };
        let _done = Done { b, o };
        // SAFETY: O is a build of this instance, valid until the guard
        // drops; its table holds the world's nexports entries.
        let build = unsafe {
            Build {
                self_ptr: (*o).self_,
                funcs: slice((*o).funcs, self.module.nexports),
                instance: (*o).instance,
                build: (*o).build,
                _thread: PhantomData,
            }
        };
        Ok(f(&build))
    }

    /// Kills the instance although handles are live (`rdy_instance_kill`):
    /// each handle turns dead, each object's destructor runs once, then the
    /// plugin's `instance_free`.  Its exports cannot be called after.
    pub fn kill(&mut self) {
        if !self.killed {
            // SAFETY: the instance is live, and `&mut self` means no call
            // through this instance runs.
            unsafe { sys::rdy_instance_kill(self.raw) };
            self.killed = true;
        }
    }

    /// Frees the instance (`rdy_instance_free`).  Refused, with the
    /// instance given back unchanged, while handles to its objects are
    /// live or results of its exports unreleased ([`ErrorCode::Busy`]).
    pub fn free(self) -> Result<(), Refused<Instance>> {
        let mut err = ptr::null_mut();
        // SAFETY: the instance is live and owned here: no call into it runs.
        let rc = unsafe { sys::rdy_instance_free(self.raw, &mut err) };
        if rc != sys::RDY_OK {
            // SAFETY: the refusal set ERR, ours to free.
            let error = unsafe { Error::from_raw(err, rc) };
            return Err(Refused { value: self, error });
        }
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the instance is freed; only its share of the module is
        // left to drop, once, and THIS is never used again.
        drop(unsafe { ptr::read(&this.module) });
        Ok(())
    }

    /// The runtime's instance, for calls through [`sys`](crate::sys); valid while self is.
    pub fn as_ptr(&self) -> *mut sys::rdy_instance {
        self.raw
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let mut err = ptr::null_mut();
        // SAFETY: the instance is live and owned: no call into it runs.
        let mut rc = unsafe { sys::rdy_instance_free(self.raw, &mut err) };
        if rc != sys::RDY_OK {
            // SAFETY: the refusal set ERR, ours to free.
            drop(unsafe { Error::from_raw(err, rc) });
            self.kill();
            err = ptr::null_mut();
            // SAFETY: as above; the killed instance's dead handles go with it.
            rc = unsafe { sys::rdy_instance_free(self.raw, &mut err) };
            if rc != sys::RDY_OK {
                // SAFETY: as above.  Unreleased results keep the instance,
                // and so the module, which then refuses to close.
                drop(unsafe { Error::from_raw(err, rc) });
            }
        }
    }
}

impl core::fmt::Debug for Instance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Instance").field("raw", &self.raw).field("killed", &self.killed).finish()
    }
}

/// Ends the call that [`Instance::with_build`] entered, on unwinding too.
struct Leave;

impl Drop for Leave {
    fn drop(&mut self) {
        // SAFETY: made right after a successful enter on this thread, and
        // dropped before any later enter's guard is (calls nest).
        unsafe { sys::rdy_outline_live_leave() }
    }
}

/// Ends the call that [`Instance::with_build_for`] entered and routed, on unwinding too.
struct Done {
    b: *const sys::rdy_build,
    o: *const sys::rdy_build,
}

impl Drop for Done {
    fn drop(&mut self) {
        // SAFETY: B was entered on this thread and O routed from it; this
        // guard is dropped before any later enter's (calls nest).
        unsafe { sys::rdy_live_done(self.b, self.o) }
    }
}

/// The build that serves one call into an instance ([`Instance::with_build`]):
/// its state, the first argument of every export, and its export table.
/// It cannot leave the call's thread or outlive the call.
pub struct Build<'a> {
    self_ptr: *mut c_void,
    funcs: &'a [sys::rdy_func_v1],
    instance: *mut sys::rdy_instance,
    build: u32,
    _thread: PhantomData<*const ()>,
}

impl Build<'_> {
    /// The build's instance state: the first argument of every export.
    #[inline]
    pub fn self_ptr(&self) -> *mut c_void {
        self.self_ptr
    }

    /// The exports, in the order of the host's descriptor.
    #[inline]
    pub fn funcs(&self) -> &[sys::rdy_func_v1] {
        self.funcs
    }

    /// Export I when it is present (its `call` not NULL), else None.
    #[inline]
    pub fn func(&self, i: usize) -> Option<&sys::rdy_func_v1> {
        self.funcs.get(i).filter(|f| f.call.is_some())
    }

    /// The build's instance record, for its handles and results.
    #[inline]
    pub fn instance(&self) -> *mut sys::rdy_instance {
        self.instance
    }

    /// The build number serving (1 for a module that is not reloadable).
    #[inline]
    pub fn build(&self) -> u32 {
        self.build
    }
}

/// Inside a host function that a plugin called, or a host destructor the
/// runtime runs: that instance, on this thread (`rdy_instance_calling`);
/// NULL elsewhere.
pub fn calling() -> *mut sys::rdy_instance {
    // SAFETY: reads this thread's record; no arguments.
    unsafe { sys::rdy_instance_calling() }
}

/// Runs F with INST as this thread's calling instance ([`calling`]), as
/// a generated import thunk does around the host's function, and puts the
/// previous one back after, on unwinding too.
///
/// # Safety
/// INST is NULL or a live instance that outlives F's run.
pub unsafe fn with_calling<R>(inst: *mut sys::rdy_instance, f: impl FnOnce() -> R) -> R {
    struct Restore(*mut sys::rdy_instance);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: puts back the instance this thread had, which is live
            // (the outer thunk's) or NULL.
            unsafe { sys::rdy_outline_calling_swap(self.0) };
        }
    }
    // SAFETY: INST is live or NULL (the caller's contract).
    let _restore = Restore(unsafe { sys::rdy_outline_calling_swap(inst) });
    f()
}

/// N entries at P as a slice; empty for NULL or 0.
///
/// # Safety
/// P is NULL or points at N entries that outlive 'a.
#[inline]
unsafe fn slice<'a>(p: *const sys::rdy_func_v1, n: u32) -> &'a [sys::rdy_func_v1] {
    if p.is_null() || n == 0 {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { core::slice::from_raw_parts(p, n as usize) }
}
