//! A Rust plugin of test:rustkit/plugin (tests/rust/wit/kit), built with
//! rustc as a cdylib from the module `rdy gen rust` wrote next to it.
#![deny(unsafe_op_in_unsafe_fn)]

mod bindings;

use bindings::{Api, Color, Guest, Host, Perms, Point, RdyString, Shape};
use std::sync::atomic::{AtomicU32, Ordering};

struct Kit {
    host: Host,
    calls: AtomicU32,
}

impl Guest for Kit {
    fn new(host: Host) -> Self {
        Kit { host, calls: AtomicU32::new(0) }
    }
}

impl Api for Kit {
    fn add(&self, a: u32, b: u32) -> u32 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        a.wrapping_add(b)
    }
    fn greet(&self, name: &str) -> String {
        format!("hello, {name}")
    }
    fn sum(&self, xs: &[i64]) -> i64 {
        xs.iter().sum()
    }
    fn words(&self, s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }
    fn find(&self, xs: &[Point], label: &str) -> Option<Point> {
        xs.iter()
            .find(|p| p.label.as_str() == Ok(label))
            .map(|p| Point { x: p.x * 2, y: p.y * 2, label: RdyString::new(&format!("{label}!")) })
    }
    fn parse(&self, s: &str) -> Result<u32, String> {
        s.parse::<u32>().map_err(|e| format!("{s}: {e}"))
    }
    fn mix(&self, c: Color, p: Perms) -> Perms {
        match c {
            Color::RED => p | Perms::READ,
            Color::GREEN => p | Perms::WRITE,
            Color::BLUE => p | Perms::EXEC,
            _ => Perms::empty(),
        }
    }
    fn area(&self, s: &Shape) -> f64 {
        if let Some(r) = s.as_circle() {
            return 3.0 * r * r;
        }
        if let Some(r) = s.as_rect() {
            return f64::from(r.f0) * f64::from(r.f1);
        }
        -1.0
    }
    fn maybe(&self, s: Option<&str>) -> u32 {
        s.map_or(1000, |s| s.len() as u32)
    }
    fn flip(&self, b: bool, c: char) -> bindings::RdyTuple2<bindings::RdyBool, bindings::RdyChar> {
        let up = c.to_uppercase().next().unwrap_or(c);
        bindings::RdyTuple2 { f0: (!b).into(), f1: up.into() }
    }
    fn call_host(&self, x: u32) -> String {
        let scaled = self.host.host_scale(x).expect("scale");
        let name = self.host.host_name().expect("name");
        let name = name.as_str().expect("utf-8").to_owned();
        self.host.host_log(&format!("called with {x}")).expect("log");
        let hint = if self.host.has_host_hint() { "hint" } else { "no hint" };
        let absent = self.host.host_hint().err().unwrap_or(0);
        format!("{name}:{scaled}:{hint}:{absent}:{}", self.calls.load(Ordering::Relaxed))
    }
    fn boom(&self, x: u32) -> u32 {
        if x == 13 {
            panic!("boom: {x}");
        }
        x
    }
}

bindings::export!(Kit => crate::bindings);
