//! tests/reload's plugins through the crate: a reloadable module moved to a
//! new build with its state, a refused reload that changes nothing, pinning
//! and locks.

mod common;

use rdy::sys::{rdy_func_v1, RDY_OK};
use rdy::{sha256_file, ErrorCode, Instance, InstanceConfig, Lock, Module, OpenConfig, World};
use std::ffi::c_void;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// test:reload/counter's `served`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Served {
    build: u32,
    restores: u32,
    count: u64,
}

unsafe extern "C" fn hook(ctx: *mut c_void) -> i32 {
    // SAFETY: CTX is the AtomicU32 the instance was made with.
    unsafe { &*(ctx as *const AtomicU32) }.fetch_add(1, Ordering::Relaxed);
    RDY_OK
}

fn instance(m: &Module, hooks: &AtomicU32) -> Instance {
    let imports = [rdy_func_v1 {
        // SAFETY: the generic rdy_fn that the plugin casts back to hook's signature.
        call: Some(unsafe {
            std::mem::transmute::<unsafe extern "C" fn(*mut c_void) -> i32, unsafe extern "C" fn()>(hook)
        }),
        release: None,
    }];
    let config =
        InstanceConfig { imports: &imports, ctx: hooks as *const AtomicU32 as *mut c_void, ..Default::default() };
    // SAFETY: host.hook's signature; HOOKS outlives the instance.
    unsafe { Instance::create(m, &config) }.unwrap()
}

/// `counter.add`, through the build serving.
fn add(inst: &Instance, n: u32) -> Served {
    type AddFn = unsafe extern "C" fn(*mut c_void, u32, *mut Served) -> i32;
    inst.with_build(|b| {
        let mut s = Served::default();
        let f = b.func(0).expect("add is bound").call.unwrap();
        // SAFETY: `add`'s signature; `served` has no memory to release.
        assert_eq!(unsafe { std::mem::transmute::<unsafe extern "C" fn(), AddFn>(f)(b.self_ptr(), n, &mut s) }, RDY_OK);
        assert_eq!(b.build(), s.build, "the build serving is the one that answered");
        s
    })
    .unwrap()
}

fn world() -> Option<World> {
    Some(World::new(&common::read(&common::var("RDY_TEST_RELOAD_HOST")?)).unwrap())
}

#[test]
fn reload_moves_instances_and_their_state() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let a = need!("RDY_TEST_RELOAD_A");
    let b = need!("RDY_TEST_RELOAD_B");
    let changed = need!("RDY_TEST_RELOAD_CHANGED");
    let cache = common::work_dir("reload-cache");
    let config = OpenConfig::default().reloadable(true).cache_dir(&cache);
    let mut m = Module::open_with(&w, &a, &config).unwrap();
    assert_eq!(m.build(), 1);
    let sha = m.sha256().expect("a reloadable module is pinned");
    assert_eq!(sha, common::hex(&sha256_file(&a).unwrap()));
    assert!(cache.join(format!("{sha}.so")).exists(), "it loads the content-addressed copy");

    let hooks = AtomicU32::new(0);
    let inst = instance(&m, &hooks);
    assert!(inst.is_reloadable());
    assert!(inst.exports().is_none(), "a reloadable instance is called through its build");
    assert_eq!(add(&inst, 2), Served { build: 1, restores: 0, count: 2 });
    assert_eq!(add(&inst, 3), Served { build: 1, restores: 0, count: 5 });

    let info = m.reload(Some(&b)).unwrap();
    assert_eq!((info.build, info.instances, info.restored, info.note.as_str()), (2, 1, 1, ""));
    assert_eq!(m.build(), 2);
    assert_eq!(m.path(), b, "the module is the new build, opened from B");
    assert_eq!(m.sha256().unwrap(), common::hex(&sha256_file(&b).unwrap()));
    assert_eq!(add(&inst, 1), Served { build: 2, restores: 1, count: 6 }, "the state moved to build 2");
    inst.with_build(|bd| assert_eq!(bd.build(), 2)).unwrap();

    // A build of another world is refused, and build 2 goes on serving.
    let e = m.reload(Some(&changed)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Incompatible);
    assert_eq!(
        e.message(),
        format!(
            "{}: test:reload/counter@1.0.0: record served: field count: host expects u64 (offset 8), plugin has u32",
            changed.display()
        )
    );
    assert_eq!(m.build(), 2);
    assert_eq!(add(&inst, 1), Served { build: 2, restores: 1, count: 7 });

    drop(inst);
    m.close().unwrap();
}

#[test]
fn only_a_reloadable_module_reloads() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let a = need!("RDY_TEST_RELOAD_A");
    let mut m = Module::open(&w, &a).unwrap();
    assert_eq!(m.sha256(), None);
    let e = m.reload(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
    assert_eq!(m.build(), 1);
    let e = m.reload(Some(Path::new("nul\0.so"))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
}

#[test]
fn locks_admit_only_the_digest_they_pin() {
    let _serial = common::serial();
    let Some(w) = world() else { return };
    let a = need!("RDY_TEST_RELOAD_A");
    let b = need!("RDY_TEST_RELOAD_B");
    let da = sha256_file(&a).unwrap();
    let text = format!("{}  {}\n", common::hex(&da), b.display()); // B's name, A's digest
    let lock = Lock::parse(text.as_bytes(), "test.lock").unwrap();
    assert_eq!(lock.entries(), [(b.display().to_string(), da)]);
    assert_eq!(lock.find(&b).unwrap(), da);
    let e = lock.find("elsewhere/none.so").unwrap_err();
    assert_eq!((e.code(), e.message()), (ErrorCode::Incompatible, "elsewhere/none.so: not in test.lock"));

    let cache = common::work_dir("lock-cache");
    let config = OpenConfig::default().cache_dir(&cache).lock(lock.clone());
    let e = Module::open_with(&w, &b, &config).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Incompatible);
    let db = common::hex(&sha256_file(&b).unwrap());
    assert_eq!(e.message(), format!("{}: SHA-256 is {db}, test.lock pins {}", b.display(), common::hex(&da)));

    let good = Lock::parse(format!("{}  {}\n", common::hex(&da), a.display()).as_bytes(), "good.lock").unwrap();
    let m = Module::open_with(&w, &a, &OpenConfig::default().cache_dir(&cache).lock(good)).unwrap();
    assert_eq!(m.sha256().unwrap(), common::hex(&da));
    drop(m);

    let e = Lock::parse(b"abc  x.so\n", "bad.lock").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Format);
    assert!(e.message().starts_with("bad.lock:1: "), "{}", e.message());
    let e = Lock::read(cache.join("missing.lock")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
    assert_eq!(rdy::cache_prune(Some(&cache), 3600).unwrap(), 0, "every copy is fresh");
}
