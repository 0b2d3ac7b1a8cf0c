//! A Rust host of tests/res's world (test:res/app, resources the plugin
//! implements) through `rdy gen rust --side host`, run against each plugin
//! given: tests/res's C plugin and tests/rust's Rust one.  It checks
//! objects as structs that own their handle, borrows lent for a call, an
//! own argument taken, destructor runs counted exactly (each destructor
//! calls the host's `dropped`), a stale handle refused with the runtime's
//! exact message, and drop order: objects outlive the instance's struct,
//! and the instance is freed after the last of them.

mod bindings;

use bindings::{App, Blob, Counter, Imports};
use rdy::ErrorCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Seen {
    dropped: Mutex<Vec<u32>>,
    pokes: AtomicU32,
}

struct Host(Arc<Seen>);

impl Imports for Host {
    fn hooks_poke(&self) {
        self.0.pokes.fetch_add(1, Ordering::Relaxed);
    }
    fn hooks_dropped(&self, value: u32) {
        self.0.dropped.lock().unwrap().push(value);
    }
}

fn check(cond: bool, what: &str) {
    if !cond {
        eprintln!("FAIL: {what}");
        std::process::exit(1);
    }
}

fn run(world: &rdy::World, path: &str) {
    let module = rdy::Module::open(world, path).expect("open");
    let seen = Arc::new(Seen::default());
    let dropped = || seen.dropped.lock().unwrap().clone();
    let app = App::instantiate(&module, Host(Arc::clone(&seen))).expect("instantiate");
    check(app.has_counter_new() && app.has_total(), "has_");

    let c = Counter::new(&app, 5).unwrap();
    c.add(3).unwrap();
    check(c.get().unwrap() == 8, "counter get");
    c.poke().unwrap();
    check(seen.pokes.load(Ordering::Relaxed) == 1, "poke reached the host");
    check(c.get().unwrap() == 9, "poke added one");

    let d = Counter::make(&app, 10).unwrap();
    check(app.total(&c, &d).unwrap() == 19, "total of two borrows");
    check(!c.same(&d).unwrap(), "same: two objects");
    check(app.instance().nhandles() == 2, "two handles");
    let d_handle = d.handle();
    c.absorb(d).unwrap();
    check(c.get().unwrap() == 19, "absorb");
    check(dropped() == [10], &format!("absorb destroyed the other: {:?}", dropped()));
    check(app.instance().nhandles() == 1, "the taken handle is gone");

    // The handle that absorb took is stale now, with the runtime's message.
    let ghost = Counter::from_own(&app, d_handle);
    let e = ghost.get().err().expect("a stale handle is refused");
    let want = format!("{path}: handle 0x{:08x} is stale: it was dropped", d_handle.handle);
    check(e.code() == ErrorCode::Handle, &format!("stale code: {e:?}"));
    check(e.message() == want, &format!("stale message: {:?}, want {want:?}", e.message()));
    drop(ghost); // refused by the runtime: nothing runs
    check(dropped() == [10], "dropping a stale handle runs no destructor");

    let raw = c.handle();
    drop(c);
    check(dropped() == [10, 19], "dropping the struct runs the destructor once");
    let e = Counter::from_own(&app, raw).add(1).err().expect("stale after a drop");
    check(e.message() == format!("{path}: handle 0x{:08x} is stale: it was dropped", raw.handle), "stale after drop");

    // Handles inside results: adopted into structs.
    check(app.maybe(0).unwrap().get().is_none(), "maybe(0)");
    let m = app.maybe(7).unwrap();
    let m = Counter::from_own(&app, *m.get().expect("maybe(7)"));
    check(m.get().unwrap() == 7, "maybe(7) get");
    {
        let r = Blob::new(&app, b"abcd").unwrap();
        let b = Blob::from_own(&app, *r.get().ok().expect("blob"));
        check(b.size().unwrap() == 4, "blob size");
        check(app.instance().results().load(Ordering::Acquire) == 1, "the result is held");
    } // b dropped (1004), then r released
    check(app.instance().results().load(Ordering::Acquire) == 0, "the result is released");
    let r = Blob::new(&app, b"").unwrap();
    check(matches!(r.get(), Err(s) if s.as_str() == Ok("empty")), "an empty blob is refused");
    drop(r);
    drop(m);
    check(dropped() == [10, 19, 1004, 7], &format!("destructors so far: {:?}", dropped()));

    // Drop order: objects keep the instance; it is freed after the last.
    let x = Counter::new(&app, 1).unwrap();
    let y = Counter::new(&app, 2).unwrap();
    drop(app);
    check(dropped().len() == 4, "dropping the struct frees no object");
    check(x.get().unwrap() == 1 && y.get().unwrap() == 2, "objects work after the struct is gone");
    drop(y);
    drop(x);
    check(dropped() == [10, 19, 1004, 7, 2, 1], &format!("drop order: {:?}", dropped()));
    match module.close() {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::Kept => {}
        Err(e) => check(false, &format!("close: {e}")),
    }
    println!("host_res: {path}: ok");
}

fn main() {
    let world = bindings::world().expect("world");
    let paths: Vec<String> = std::env::args().skip(1).collect();
    check(!paths.is_empty(), "usage: host_res PLUGIN.so...");
    for p in &paths {
        run(&world, p);
    }
}
