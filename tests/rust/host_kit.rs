//! A Rust host of tests/rust/wit/kit through `rdy gen rust --side host`:
//! the generated `Imports` trait, instance struct and result guards, run
//! against the Rust plugin librust_kit.so (argv[1]).  It checks real
//! results, the host's imports as the plugin sees them (an absent gated
//! one, a panicking one as a trap), a panic in the plugin as ErrorCode::Trap,
//! and that the host goes on, then drops the instance and closes the module.

mod bindings;

use bindings::{Color, Imports, Perms, Plugin, Point, RdyOption, RdyString, Shape, ShapeCase};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

struct Host {
    log: Arc<Mutex<Vec<String>>>,
}

impl Imports for Host {
    fn host_log(&self, msg: &str) {
        self.log.lock().unwrap().push(msg.to_owned());
    }
    fn host_scale(&self, x: u32) -> u32 {
        if x == 99 {
            panic!("host_scale: a panicking import");
        }
        x * 3
    }
    fn host_name(&self) -> String {
        "rusty".to_owned()
    }
    fn host_hint(&self) -> u32 {
        panic!("hint is absent: the plugin cannot call it")
    }
    fn has_host_hint(&self) -> bool {
        false
    }
}

fn check(cond: bool, what: &str) {
    if !cond {
        eprintln!("FAIL: {what}");
        std::process::exit(1);
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: host_kit PLUGIN.so");
    let world = bindings::world().expect("world");
    let module = rdy::Module::open(&world, &path).expect("open");
    let log = Arc::new(Mutex::new(Vec::new()));
    let kit = Plugin::instantiate(&module, Host { log: Arc::clone(&log) }).expect("instantiate");

    check(kit.has_add() && kit.has_boom(), "has_ of present exports");
    check(kit.add(2, 40).unwrap() == 42, "add");
    check(kit.add(u32::MAX, 2).unwrap() == 1, "add wraps");

    {
        let g = kit.greet("rdy").unwrap();
        check(g.as_str() == Ok("hello, rdy"), "greet");
        check(kit.instance().results().load(Ordering::Acquire) == 1, "a held result is counted");
    }
    check(kit.instance().results().load(Ordering::Acquire) == 0, "a dropped result is released");

    check(kit.sum(&[1, -5, 100]).unwrap() == 96, "sum");
    let words = kit.words("zero-copy  plugins here").unwrap();
    let w: Vec<&str> = words.as_slice().iter().map(|s| s.as_str().unwrap()).collect();
    check(w == ["zero-copy", "plugins", "here"], "words");

    let pts = [
        Point { x: 1, y: 2, label: RdyString::borrowed("a") },
        Point { x: 3, y: 4, label: RdyString::borrowed("b") },
    ];
    let found = kit.find(&pts, "b").unwrap();
    let p = found.get().expect("find b");
    check(p.x == 6 && p.y == 8 && p.label.as_str() == Ok("b!"), "find");
    check(kit.find(&pts, "z").unwrap().get().is_none(), "find none");
    drop(found);

    let ok = kit.parse("123").unwrap();
    check(matches!(ok.get(), Ok(&123)), "parse ok");
    let bad = kit.parse("x1").unwrap();
    match bad.get() {
        Err(e) => check(e.as_str().unwrap().starts_with("x1: "), "parse error text"),
        Ok(_) => check(false, "parse x1 fails"),
    }

    check(kit.mix(Color::GREEN, Perms::READ).unwrap() == Perms::READ | Perms::WRITE, "mix");
    check(kit.area(&Shape::rect(bindings::RdyTuple2 { f0: 3, f1: 5 })).unwrap() == 15.0, "area rect");
    check(kit.area(&Shape::circle(2.0)).unwrap() == 12.0, "area circle");
    // A variant as a Rust enum to match on; a tag no case has is Unknown.
    let cases = [Shape::circle(2.0), Shape::rect(bindings::RdyTuple2 { f0: 3, f1: 5 }), Shape::empty()];
    let seen: Vec<String> = cases
        .iter()
        .map(|s| match s.case() {
            ShapeCase::Circle(r) => format!("circle {r}"),
            ShapeCase::Rect(t) => format!("rect {}x{}", t.f0, t.f1),
            ShapeCase::Empty => "empty".into(),
            ShapeCase::Unknown(t) => format!("unknown {t}"),
        })
        .collect();
    check(seen == ["circle 2", "rect 3x5", "empty"], "variant cases");
    let mut garbage = Shape::empty();
    garbage.tag = 7;
    check(matches!(garbage.case(), ShapeCase::Unknown(7)), "a tag no case has");
    let none: RdyOption<RdyString> = RdyOption { is_some: 0, val: core::mem::MaybeUninit::zeroed() };
    let some = RdyOption { is_some: 1, val: core::mem::MaybeUninit::new(RdyString::borrowed("four")) };
    check(kit.maybe(&none).unwrap() == 1000 && kit.maybe(&some).unwrap() == 4, "maybe");
    let f = kit.flip(true, 'q').unwrap();
    check(!f.f0.get() && f.f1.get() == Some('Q'), "flip");

    // The plugin calls the host: scale, name, log, and hint, which is absent.
    let s = kit.call_host(5).unwrap();
    check(s.as_str() == Ok("rusty:15:no hint:2:2"), &format!("call_host: {:?}", s.as_str()));
    drop(s);
    check(*log.lock().unwrap() == ["called with 5"], "the host's log");

    // A panic in the plugin is a trap, and the instance goes on.
    let e = match kit.boom(13) {
        Err(e) => e,
        Ok(_) => panic!("boom(13) returned"),
    };
    check(e.code() == rdy::ErrorCode::Trap, &format!("boom is a trap: {e:?}"));
    check(kit.boom(7).unwrap() == 7, "boom(7) after the trap");
    // A panicking import is a trap to the plugin, which then panics: a trap again.
    let e = kit.call_host(99).err().expect("call_host(99) fails");
    check(e.code() == rdy::ErrorCode::Trap, "a panicking import");
    check(kit.add(1, 1).unwrap() == 2, "add after the traps");

    // Results still held keep the instance, and so the module: release them.
    check(kit.instance().results().load(Ordering::Acquire) == 3, "three results held");
    drop((words, ok, bad));
    check(kit.instance().results().load(Ordering::Acquire) == 0, "all results released");
    drop(kit);
    match module.close() {
        Ok(()) => {}
        Err(e) if e.code() == rdy::ErrorCode::Kept => {}
        Err(e) => check(false, &format!("close: {e}")),
    }
    println!("host_kit: ok");
}
