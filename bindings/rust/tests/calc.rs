//! tests/rt's calc plugin through the crate: opened, called through the
//! raw export table, refused, and dropped in every order.

mod common;

use rdy::sys::{rdy_func_v1, rdy_string_t, RDY_OK};
use rdy::{ErrorCode, Instance, InstanceConfig, Module, World};
use std::ffi::c_void;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Mutex;

// The host's world (tests/rt/wit/host): its imports and exports, in descriptor order.
const H_LOG: usize = 0;
const H_SCALE: usize = 1;
const H_HINT: usize = 2;
const H_NIMPORTS: usize = 4;
const E_PING: usize = 0;
const E_ADD: usize = 1;
const E_GREET: usize = 2;
const E_TOTAL: usize = 3;
const E_SCALED: usize = 4;
const E_EXTRA: usize = 5;
const E_NEXPORTS: u32 = 6;

/// Each instance's host context.
struct Host {
    factor: u32,
    hint: u32,
    log: Mutex<Vec<String>>,
}

unsafe extern "C" fn host_log(ctx: *mut c_void, msg: *const rdy_string_t) -> i32 {
    // SAFETY: CTX is the Host the instance was made with; MSG a valid string for the call.
    let (h, msg) = unsafe { (&*(ctx as *const Host), &*msg) };
    // SAFETY: the plugin's bytes, MSG.LEN of them, borrowed for the call.
    let bytes = unsafe { std::slice::from_raw_parts(msg.ptr.cast::<u8>(), msg.len) };
    h.log.lock().unwrap().push(String::from_utf8_lossy(bytes).into_owned());
    RDY_OK
}

unsafe extern "C" fn host_scale(ctx: *mut c_void, x: u32, ret: *mut u32) -> i32 {
    // SAFETY: as host_log; RET is the plugin's out-pointer.
    unsafe { *ret = x * (*(ctx as *const Host)).factor };
    RDY_OK
}

unsafe extern "C" fn host_hint(ctx: *mut c_void, ret: *mut u32) -> i32 {
    // SAFETY: as host_scale.
    unsafe { *ret = (*(ctx as *const Host)).hint };
    RDY_OK
}

fn imports() -> Vec<rdy_func_v1> {
    let mut t = vec![rdy_func_v1::default(); H_NIMPORTS];
    // SAFETY (of the transmutes): each becomes the generic rdy_fn that the
    // plugin casts back to the exact signature it was declared with.
    unsafe {
        t[H_LOG].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, *const rdy_string_t) -> i32,
            unsafe extern "C" fn(),
        >(host_log));
        t[H_SCALE].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, u32, *mut u32) -> i32,
            unsafe extern "C" fn(),
        >(host_scale));
        t[H_HINT].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, *mut u32) -> i32,
            unsafe extern "C" fn(),
        >(host_hint));
    }
    t
}

fn world() -> Option<World> {
    let desc = common::var("RDY_TEST_RT_HOST")?;
    Some(World::new(&common::read(&desc)).expect("the host's descriptor decodes"))
}

fn instance(m: &Module, host: &Host) -> Instance {
    let imports = imports();
    let config = InstanceConfig { imports: &imports, ctx: host as *const Host as *mut c_void, ..Default::default() };
    // SAFETY: the imports have the host world's signatures, and HOST
    // outlives every instance of these tests.
    unsafe { Instance::create(m, &config) }.expect("instance")
}

type AddFn = unsafe extern "C" fn(*mut c_void, u32, u32, *mut u32) -> i32;
type TotalFn = unsafe extern "C" fn(*mut c_void, *mut u32) -> i32;
type GreetFn = unsafe extern "C" fn(*mut c_void, *const rdy_string_t, *mut rdy_string_t) -> i32;

fn add(inst: &Instance, a: u32, b: u32) -> u32 {
    inst.with_build(|b_| {
        let f = b_.func(E_ADD).expect("add is bound");
        let mut r = 0;
        // SAFETY: `add` of test:rt/calc has this signature (docs/abi.md §3).
        let st = unsafe {
            std::mem::transmute::<unsafe extern "C" fn(), AddFn>(f.call.unwrap())(b_.self_ptr(), a, b, &mut r)
        };
        assert_eq!(st, RDY_OK);
        r
    })
    .unwrap()
}

fn total(inst: &Instance) -> u32 {
    let f = inst.exports().unwrap()[E_TOTAL].call.unwrap();
    let mut r = 0;
    // SAFETY: `total` has this signature; the instance is live.
    let st = unsafe { std::mem::transmute::<unsafe extern "C" fn(), TotalFn>(f)(inst.self_ptr(), &mut r) };
    assert_eq!(st, RDY_OK);
    r
}

/// `greet`, its result copied and released as generated bindings do, counted in the instance's results.
fn greet(inst: &Instance, name: &str) -> String {
    inst.with_build(|b| {
        let f = b.func(E_GREET).unwrap();
        let arg = rdy_string_t { ptr: name.as_ptr().cast(), len: name.len() };
        let mut ret = rdy_string_t { ptr: std::ptr::null(), len: 0 };
        // SAFETY: `greet`'s signature; ARG is borrowed for the call.
        let st = unsafe {
            std::mem::transmute::<unsafe extern "C" fn(), GreetFn>(f.call.unwrap())(b.self_ptr(), &arg, &mut ret)
        };
        assert_eq!(st, RDY_OK);
        inst.results().fetch_add(1, Ordering::AcqRel);
        // SAFETY: the result's bytes are the plugin's until released, below.
        let s =
            String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ret.ptr.cast::<u8>(), ret.len) }).into_owned();
        assert_eq!(inst.results().load(Ordering::Acquire), 1);
        // SAFETY: the release of `greet`, given its own result, once.
        unsafe { f.release.expect("greet's result owns memory")(b.self_ptr(), (&mut ret as *mut rdy_string_t).cast()) };
        inst.results().fetch_sub(1, Ordering::AcqRel);
        s
    })
    .unwrap()
}

#[test]
fn opens_calls_and_closes() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let path = need!("RDY_TEST_RT_CALC");
    assert_eq!(w.nexports(), E_NEXPORTS);
    assert_eq!(w.nimports(), H_NIMPORTS as u32);
    let m = Module::open(&w, &path).unwrap();
    assert_eq!(m.path(), path);
    assert_eq!(m.producer(), "rdylib tests (by hand)");
    assert_eq!(m.build(), 1);
    assert_eq!(m.sha256(), None);
    let p = path.display();
    assert_eq!(
        m.absent(),
        [
            format!("{p}: function `ping` (since 1.1.0) is absent from the plugin; it binds as absent"),
            format!(
                "{p}: test:rt/calc@1.1.0: function `extra` (since 1.1.0) is absent from the plugin; it binds as absent"
            ),
        ]
    );
    assert_eq!(m.deprecated(), [format!("{p}: test:rt/host@1.0.0: function `hint` is deprecated since 1.1.0")]);

    let (ha, hb) =
        (Host { factor: 2, hint: 0, log: Mutex::default() }, Host { factor: 10, hint: 1, log: Mutex::default() });
    let a = instance(&m, &ha);
    let b = instance(&m, &hb);
    assert!(!a.is_reloadable());
    assert_eq!(a.ctx(), &ha as *const Host as *mut c_void);
    assert_ne!(a.self_ptr(), b.self_ptr());
    assert_eq!(a.exports().unwrap().len(), E_NEXPORTS as usize);
    for (i, f) in a.exports().unwrap().iter().enumerate() {
        assert_eq!(f.call.is_none(), i == E_PING || i == E_EXTRA, "export {i}");
    }
    assert_eq!(add(&a, 2, 3), 5);
    assert_eq!(add(&a, 10, 20), 30);
    assert_eq!(add(&b, 100, 1), 101);
    assert_eq!(total(&a), 35);
    assert_eq!(total(&b), 101);
    assert_eq!(greet(&a, "world"), "hello, world");
    assert_eq!(greet(&b, ""), "hello, ");

    // `scaled` calls back into each instance's own host.
    type ScaledFn = unsafe extern "C" fn(*mut c_void, u32, *mut u32) -> i32;
    for (inst, x, want) in [(&a, 5, 10), (&b, 7, 71)] {
        let f = inst.exports().unwrap()[E_SCALED].call.unwrap();
        let mut r = 0;
        // SAFETY: `scaled`'s signature; the instance is live.
        assert_eq!(
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), ScaledFn>(f)(inst.self_ptr(), x, &mut r) },
            RDY_OK
        );
        assert_eq!(r, want);
    }
    assert_eq!(*ha.log.lock().unwrap(), ["scaled 5"]);
    assert_eq!(*hb.log.lock().unwrap(), ["scaled 7"]);

    a.free().unwrap();
    drop(b);
    assert!(common::loaded(&path));
    m.close().unwrap();
    assert!(!common::loaded(&path), "closing the last module unloads the plugin");
}

#[test]
fn refused_loads_say_exactly_why() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let changed = need!("RDY_TEST_RT_CHANGED");
    let p = changed.display();
    let e = Module::open(&w, &changed).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Incompatible);
    let want = format!(
        "{p}: test:rt/host@1.0.0: function `log`: parameter `msg`: host expects string, plugin has list<u8>\n\
         {p}: test:rt/calc@1.1.0: function `add`: parameter `b`: host expects u32, plugin has u64"
    );
    assert_eq!(e.message(), want);
    assert_eq!(e.to_string(), want);
    assert!(format!("{e:?}").contains("Incompatible"));
    assert!(!common::loaded(&changed), "a plugin refused before dlopen is never loaded");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(boxed.to_string(), want);

    let dir = common::work_dir("refused");
    let missing = dir.join("missing.so");
    let e = Module::open(&w, &missing).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
    assert_eq!(e.message(), format!("{}: No such file or directory", missing.display()));
    let text = dir.join("text.so");
    std::fs::write(&text, "hello, world\n").unwrap();
    let e = Module::open(&w, &text).unwrap_err();
    assert_eq!((e.code(), e.message()), (ErrorCode::Format, format!("{}: not an ELF file", text.display()).as_str()));

    // Bad input to the crate itself is an error, not a panic.
    let e = Module::open(&w, Path::new("a\0b.so")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
    let e = World::new(b"not a descriptor").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Format);
    assert!(e.message().starts_with("host world: invalid descriptor: "), "{}", e.message());
    let e = World::new(&[]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Format);
    assert!(e.message().starts_with("host world: invalid descriptor: "), "{}", e.message());
}

#[test]
fn an_instance_without_the_imports_it_needs_is_refused() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let path = need!("RDY_TEST_RT_CALC");
    let m = Module::open(&w, &path).unwrap();
    let e = Instance::new(&m).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
    assert!(
        e.message().starts_with(&format!("{}: the host does not provide import ", path.display())),
        "{}",
        e.message()
    );
    // SAFETY: no import is given.
    let e = unsafe { Instance::create(&m, &InstanceConfig::default()) }.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
    assert_eq!(e.message(), format!("{}: 0 imports given, the host's world has 4", path.display()));
}

/// Dropped in any order, nothing fails or leaks: the module closes with its
/// last instance, and the plugin is unloaded then, not before.
#[test]
fn any_drop_order_closes_the_module_last() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let path = need!("RDY_TEST_RT_CALC");
    let host = Host { factor: 3, hint: 0, log: Mutex::default() };
    let m = Module::open(&w, &path).unwrap();
    drop(w); // the module keeps the runtime's world
    let a = instance(&m, &host);
    let b = instance(&m, &host);
    let e = m.close().unwrap_err(); // instances live: it stays open for them
    assert_eq!(e.code(), ErrorCode::Busy);
    assert_eq!(
        e.message(),
        format!("{}: 2 instances are still live; the module closes once they are freed", path.display())
    );
    assert_eq!(add(&a, 1, 2), 3);
    drop(a);
    assert!(common::loaded(&path));
    assert_eq!(add(&b, 4, 5), 9);
    drop(b);
    assert!(!common::loaded(&path), "the last instance closed the module");
}

#[test]
fn error_codes_round_trip() {
    for raw in 1..=12 {
        let code = ErrorCode::from_raw(raw);
        assert_ne!(code, ErrorCode::Other(raw));
        assert_eq!(code.raw(), raw);
    }
    assert_eq!(ErrorCode::from_raw(77), ErrorCode::Other(77));
    assert_eq!(ErrorCode::Incompatible.describe(), "the plugin does not match the host's world");
    assert_eq!(ErrorCode::Other(77).describe(), "the callee trapped with a status of its own");
    let e = rdy::Error::from_status(3, "calc.add");
    assert_eq!((e.code(), e.message()), (ErrorCode::NoMem, "calc.add: out of memory (status 3)"));
}

#[test]
fn an_instance_that_traps_at_birth_is_an_error() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let path = need!("RDY_TEST_RT_TRAP");
    let m = Module::open(&w, &path).unwrap();
    assert_eq!(m.producer(), "rdylib tests (stub)");
    let host = Host { factor: 1, hint: 0, log: Mutex::default() };
    let imports = imports();
    let config = InstanceConfig { imports: &imports, ctx: &host as *const Host as *mut c_void, ..Default::default() };
    // SAFETY: the host world's import signatures; HOST outlives the call.
    let e = unsafe { Instance::create(&m, &config) }.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Trap);
    assert_eq!(e.message(), format!("{}: instance_new trapped (status 7)", path.display()));
    m.close().unwrap();
}
