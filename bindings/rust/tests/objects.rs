//! tests/reload's objects plugins through the crate: after a reload, a
//! call on an object goes to the build that made it (Instance::with_build_for),
//! and that build retires, unloaded, once the object is dropped.

mod common;

use rdy::sys::{rdy_func_v1, rdy_string_t, RDY_OK};
use rdy::{Instance, InstanceConfig, Module, OpenConfig, World};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};

// test:objects/objects, host side: exports in descriptor order; handle type 0 is `item`.
const E_ITEM_NEW: usize = 0;
const E_MADE_BY: usize = 1;
const E_SERVING: usize = 3;
const ITEM: u32 = 0;

/// The host's marks: counted when the runtime destroys one.
unsafe extern "C" fn mark_new(_ctx: *mut c_void, n: u32, ret: *mut *mut c_void) -> i32 {
    // SAFETY: RET is the plugin's out-pointer for the call.
    unsafe { *ret = Box::into_raw(Box::new(n)).cast() };
    RDY_OK
}

unsafe extern "C" fn mark_drop(ctx: *mut c_void, rep: *mut c_void) {
    // SAFETY: REP came from mark_new; CTX is the test's counter.
    drop(unsafe { Box::from_raw(rep.cast::<u32>()) });
    unsafe { &*(ctx as *const AtomicU32) }.fetch_add(1, Ordering::Relaxed);
}

type NewFn = unsafe extern "C" fn(*mut c_void, *const rdy_string_t, *mut *mut c_void) -> i32;
type U32Fn = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut u32) -> i32;
type ServingFn = unsafe extern "C" fn(*mut c_void, *mut u32) -> i32;

/// A new item of the build serving, as an own handle of that build.
fn item(inst: &Instance) -> u32 {
    inst.with_build(|b| {
        let f = b.func(E_ITEM_NEW).expect("the constructor is bound").call.unwrap();
        let label = rdy_string_t { ptr: b"x".as_ptr().cast(), len: 1 };
        let mut rep = std::ptr::null_mut();
        // SAFETY: the constructor's signature; LABEL is borrowed for the call.
        assert_eq!(unsafe { std::mem::transmute::<unsafe extern "C" fn(), NewFn>(f)(b.self_ptr(), &label, &mut rep) }, RDY_OK);
        let mut h = 0;
        // SAFETY: REP is the object the build just made, given to the build's own record.
        assert_eq!(unsafe { rdy::sys::rdy_handle_new(b.instance(), ITEM, rep, &mut h) }, RDY_OK);
        h
    })
    .unwrap()
}

/// `item.made-by` on H, served by the build that made it: (its answer, the build serving).
fn made_by(inst: &Instance, h: u32) -> (u32, u32) {
    inst.with_build_for(h, |b| {
        let f = b.func(E_MADE_BY).expect("made-by is bound").call.unwrap();
        let mut rep = std::ptr::null_mut();
        // SAFETY: lent from the record of the build that serves the call, ended below.
        assert_eq!(unsafe { rdy::sys::rdy_outline_handle_lend(b.instance(), ITEM, h, &mut rep) }, RDY_OK);
        let mut by = 0;
        // SAFETY: made-by's signature, with the object's rep.
        let st = unsafe { std::mem::transmute::<unsafe extern "C" fn(), U32Fn>(f)(b.self_ptr(), rep, &mut by) };
        // SAFETY: the lend above, on this thread.
        unsafe { rdy::sys::rdy_outline_handle_unlend() };
        assert_eq!(st, RDY_OK);
        (by, b.build())
    })
    .unwrap()
}

fn serving(inst: &Instance) -> u32 {
    inst.with_build(|b| {
        let f = b.func(E_SERVING).expect("serving is bound").call.unwrap();
        let mut n = 0;
        // SAFETY: serving's signature.
        assert_eq!(unsafe { std::mem::transmute::<unsafe extern "C" fn(), ServingFn>(f)(b.self_ptr(), &mut n) }, RDY_OK);
        n
    })
    .unwrap()
}

#[test]
fn an_old_build_serves_its_objects_then_retires() {
    let _serial = common::serial();
    let Some(host) = common::var("RDY_TEST_OBJECTS_HOST") else { return };
    let a = need!("RDY_TEST_OBJECTS_A");
    let b = need!("RDY_TEST_OBJECTS_B");
    let w = World::new(&common::read(&host)).unwrap();
    let cache = common::work_dir("objects-cache");
    let mut m = Module::open_with(&w, &a, &OpenConfig::default().reloadable(true).cache_dir(&cache)).unwrap();
    let copy_a = cache.join(format!("{}.so", m.sha256().unwrap()));

    let marks = AtomicU32::new(0);
    let imports = [rdy_func_v1 {
        // SAFETY: the generic rdy_fn that the plugin casts back to mark_new's signature.
        call: Some(unsafe {
            std::mem::transmute::<unsafe extern "C" fn(*mut c_void, u32, *mut *mut c_void) -> i32, unsafe extern "C" fn()>(
                mark_new,
            )
        }),
        release: None,
    }];
    let drops: [rdy::sys::rdy_drop_fn; 1] = [Some(mark_drop)];
    let config = InstanceConfig {
        imports: &imports,
        ctx: &marks as *const AtomicU32 as *mut c_void,
        drops: &drops,
        ..Default::default()
    };
    // SAFETY: the imports' and destructor's signatures are the world's; MARKS outlives the instance.
    let mut inst = unsafe { Instance::create(&m, &config) }.unwrap();

    let one = item(&inst);
    assert_eq!(made_by(&inst, one), (1, 1));
    let info = m.reload(Some(&b)).unwrap();
    assert_eq!((info.build, info.instances, info.serving), (2, 1, 1));
    assert_eq!(serving(&inst), 2, "new calls go to build 2");
    assert_eq!(made_by(&inst, one), (1, 1), "the item is still served by build 1, which made it");
    let two = item(&inst);
    assert_eq!(made_by(&inst, two), (2, 2));
    assert!(common::loaded(&copy_a), "build 1 stays while its item lives");

    inst.handle_drop(ITEM, one).unwrap();
    assert!(!common::loaded(&copy_a), "build 1 retired and was unloaded with its last object");
    inst.handle_drop(ITEM, two).unwrap();
    assert_eq!(marks.load(Ordering::Relaxed), 0, "no mark was given");
    drop(inst);
    drop(m);
}
