//! tests/res's plugin through the crate: counters made by its constructor,
//! given handles, lent to its methods, dropped, refused when stale or dead.

mod common;

use rdy::sys::{rdy_func_v1, RDY_OK};
use rdy::{handle, ErrorCode, Instance, InstanceConfig, Module, World};
use std::ffi::c_void;
use std::sync::Mutex;

// test:res/app as the host sees it: imports hooks.poke, hooks.dropped;
// exports counter's constructor, get, add; resource 0 is `counter`.
const E_NEW: usize = 0;
const E_GET: usize = 1;
const E_ADD: usize = 2;
const COUNTER: u32 = 0;

#[derive(Default)]
struct Host {
    dropped: Mutex<Vec<u32>>,
}

unsafe extern "C" fn poke(_ctx: *mut c_void) -> i32 {
    RDY_OK
}

unsafe extern "C" fn dropped(ctx: *mut c_void, value: u32) -> i32 {
    // SAFETY: CTX is the Host the instance was made with.
    unsafe { &*(ctx as *const Host) }.dropped.lock().unwrap().push(value);
    RDY_OK
}

fn setup(host: &Host) -> Option<(std::path::PathBuf, Module, Instance)> {
    let w = World::new(&common::read(&common::var("RDY_TEST_RES_HOST")?)).unwrap();
    let path = common::var("RDY_TEST_RES_PLUGIN")?;
    let m = Module::open(&w, &path).unwrap();
    // SAFETY (of the transmutes): generic rdy_fn entries, cast back by the plugin.
    let imports = unsafe {
        [
            rdy_func_v1 {
                call: Some(std::mem::transmute::<unsafe extern "C" fn(*mut c_void) -> i32, unsafe extern "C" fn()>(
                    poke,
                )),
                release: None,
            },
            rdy_func_v1 {
                call: Some(
                    std::mem::transmute::<unsafe extern "C" fn(*mut c_void, u32) -> i32, unsafe extern "C" fn()>(
                        dropped,
                    ),
                ),
                release: None,
            },
        ]
    };
    assert_eq!(m.nimports(), 2);
    let config = InstanceConfig { imports: &imports, ctx: host as *const Host as *mut c_void, ..Default::default() };
    // SAFETY: the imports have hooks' signatures; HOST outlives the instance.
    let inst = unsafe { Instance::create(&m, &config) }.unwrap();
    Some((path, m, inst))
}

/// A new counter from START: the constructor's rep, given an own handle.
fn counter(inst: &Instance, start: u32) -> u32 {
    type NewFn = unsafe extern "C" fn(*mut c_void, u32, *mut *mut c_void) -> i32;
    let f = inst.exports().unwrap()[E_NEW].call.unwrap();
    let mut rep = std::ptr::null_mut();
    // SAFETY: the constructor's signature ([F-REP]: a rep result).
    assert_eq!(
        unsafe { std::mem::transmute::<unsafe extern "C" fn(), NewFn>(f)(inst.self_ptr(), start, &mut rep) },
        RDY_OK
    );
    // SAFETY: REP is a counter the plugin just made, of this instance.
    unsafe { inst.handle_new(COUNTER, rep) }.unwrap()
}

fn get(inst: &Instance, h: u32) -> rdy::Result<u32> {
    type GetFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut u32) -> i32;
    let f = inst.exports().unwrap()[E_GET].call.unwrap();
    inst.lend(COUNTER, h, |rep| {
        let mut r = 0;
        // SAFETY: `[method]counter.get` takes the lent rep.
        assert_eq!(
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), GetFn>(f)(inst.self_ptr(), rep, &mut r) },
            RDY_OK
        );
        r
    })
}

fn add(inst: &Instance, h: u32, n: u32) {
    type AddFn = unsafe extern "C" fn(*mut c_void, *mut c_void, u32) -> i32;
    let f = inst.exports().unwrap()[E_ADD].call.unwrap();
    let st = inst
        .lend(COUNTER, h, |rep| {
            // SAFETY: `[method]counter.add` takes the lent rep.
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), AddFn>(f)(inst.self_ptr(), rep, n) }
        })
        .unwrap();
    assert_eq!(st, RDY_OK);
}

#[test]
fn handles_are_checked_at_every_use() {
    let _serial = common::serial();
    let host = Host::default();
    let Some((path, m, inst)) = setup(&host) else { return };
    let p = path.display();
    let h = counter(&inst, 7);
    assert_eq!(get(&inst, h).unwrap(), 7);
    add(&inst, h, 5);
    assert_eq!(get(&inst, h).unwrap(), 12);
    assert!(!inst.handle_rep(COUNTER, h).unwrap().is_null());
    assert_eq!(inst.nhandles(), 1);

    // While lent, it cannot be dropped from this thread.
    let e = inst
        .lend(COUNTER, h, |_| {
            // SAFETY: no other thread borrows H.
            unsafe { inst.handle_drop_shared(COUNTER, h) }.unwrap_err()
        })
        .unwrap();
    assert_eq!(e.code(), ErrorCode::Busy);
    assert_eq!(e.message(), format!("{p}: handle 0x{h:08x} is lent to a call in progress"));

    // Live handles keep the instance: free gives it back.
    let refused = inst.free().unwrap_err();
    assert_eq!(refused.error.code(), ErrorCode::Busy);
    assert_eq!(refused.error.message(), format!("{p}: 1 handle is still live: 1 `test:res/things@1.0.0`.`counter`"));
    let mut inst = refused.value;

    inst.handle_drop(COUNTER, h).unwrap();
    assert_eq!(*host.dropped.lock().unwrap(), [12], "the plugin's destructor ran once");
    let stale = format!("{p}: handle 0x{h:08x} is stale: it was dropped");
    let e = inst.handle_drop(COUNTER, h).unwrap_err();
    assert_eq!((e.code(), e.message()), (ErrorCode::Handle, stale.as_str()));
    assert_eq!(handle::last_error().as_deref(), Some(stale.as_str()));
    let e = get(&inst, h).unwrap_err();
    assert_eq!((e.code(), e.message()), (ErrorCode::Handle, stale.as_str()));
    let e = inst.handle_rep(COUNTER, 0).unwrap_err();
    assert_eq!(e.message(), format!("{p}: handle 0 is never valid"));
    assert_eq!(*host.dropped.lock().unwrap(), [12], "nothing refused ran a destructor");

    // Taken, the object is the caller's: no destructor runs.
    let h2 = counter(&inst, 3);
    let rep = inst.handle_take(COUNTER, h2).unwrap();
    assert!(!rep.is_null());
    // SAFETY: REP is the counter just taken back, an object of this instance.
    let h3 = unsafe { inst.handle_new(COUNTER, rep) }.unwrap();
    assert_ne!(h2, h3);
    assert_eq!(get(&inst, h3).unwrap(), 3);
    inst.handle_drop(COUNTER, h3).unwrap();
    assert_eq!(*host.dropped.lock().unwrap(), [12, 3]);
    inst.free().unwrap();
    m.close().unwrap();
}

#[test]
fn killed_instances_turn_handles_dead() {
    let _serial = common::serial();
    let host = Host::default();
    let Some((path, m, mut inst)) = setup(&host) else { return };
    let p = path.display();
    let a = counter(&inst, 1);
    let b = counter(&inst, 2);
    inst.kill();
    assert!(inst.is_killed());
    let mut seen = host.dropped.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, [1, 2], "each object's destructor ran once");
    let e = inst.handle_rep(COUNTER, a).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Dead);
    assert_eq!(e.message(), format!("{p}: handle 0x{a:08x} is dead: its instance was freed by force"));
    let e = inst.with_build(|_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Dead);
    inst.handle_drop(COUNTER, b).unwrap(); // a dead handle's slot is freed by dropping it
    drop(inst); // frees the record and the dead handle A
    assert_eq!(host.dropped.lock().unwrap().len(), 2);
    m.close().unwrap();
}

/// Dropping an instance that still has live handles kills it: no panic, no
/// leak, each destructor once, and the module closes after.
#[test]
fn dropping_an_instance_with_live_handles_kills_it() {
    let _serial = common::serial();
    let host = Host::default();
    let Some((path, m, inst)) = setup(&host) else { return };
    counter(&inst, 9);
    drop(m);
    assert!(common::loaded(&path));
    drop(inst);
    assert_eq!(*host.dropped.lock().unwrap(), [9]);
    assert!(!common::loaded(&path), "the module closed with its instance");
}
