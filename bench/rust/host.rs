//! The Rust call benchmark (bench/README.md): a Rust host calls a Rust
//! plugin's export through rdylib, beside the same function of a plain
//! cdylib called through the `extern "C"` pointer dlsym gave.
//!
//! usage: bench_rust PLUGIN PLAIN [--reps R] [--ms MS]
//!        bench_rust PLUGIN PLAIN --loop VARIANT N
//!
//! PLUGIN is the Rust plugin built from bench/rust/plugin.rs and `rdy gen
//! rust --side plugin`, PLAIN the cdylib of plain.rs.  This host is built
//! with the module `rdy gen rust --side host` writes for bench/rust/wit
//! (bindings.rs beside it).  The variants, each a loop of its own of N
//! calls, each result added up:
//!
//!   plain    bench_rinc_inc(x) through the pointer dlsym gave
//!   rdylib   `inc` through the generated host bindings: Rinc::inc(x),
//!            a Result<u32, rdy::Error>, checked
//!   table    `inc` through the instance's bound export table by hand: the
//!            plugin's entry with its state, the status checked, the result
//!            through an out-pointer (what the bindings come down to)
//!
//! Timing as bench_call's: R repetitions (default 401), each running both
//! variants for about MS milliseconds (default 0.5), in an order that
//! alternates; the medians of the times and of their ratio in each
//! repetition.  Output, tab-separated, as bench_call's:
//!
//!   calls N  R
//!   ns    VARIANT  median  quartile1  quartile3  min
//!   ratio A/B      median  quartile1  quartile3  min
//!
//! --loop runs one variant's loop N times, for callgrind
//! (--toggle-collect=*loop_VARIANT*).

mod bindings;

use rdy::{Instance, Module};
use std::ffi::{c_char, c_int, c_void, CString};
use std::hint::black_box;
use std::process::exit;
use std::time::Instant;

type PlainFn = extern "C" fn(u32) -> u32;
type IncFn = unsafe extern "C" fn(*mut c_void, u32, *mut u32) -> i32;

extern "C" {
    fn dlopen(path: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, name: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
}
const RTLD_NOW: c_int = 2;

fn die(msg: &str) -> ! {
    eprintln!("bench_rust: {msg}");
    exit(1)
}

#[inline(never)]
fn loop_plain(f: PlainFn, n: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        sum = sum.wrapping_add(u64::from(f(black_box(i as u32))));
    }
    sum
}

#[inline(never)]
fn loop_rdylib(p: &bindings::Rinc, n: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        match p.inc(black_box(i as u32)) {
            Ok(r) => sum = sum.wrapping_add(u64::from(r)),
            Err(e) => die(&format!("inc: {e}")),
        }
    }
    sum
}

#[inline(never)]
fn loop_table(f: IncFn, state: *mut c_void, n: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        let mut r = 0u32;
        // SAFETY: F is the plugin's `inc` entry, STATE its instance's state, R a valid out-pointer.
        let st = unsafe { f(state, black_box(i as u32), &mut r) };
        if st != rdy::sys::RDY_OK {
            die(&format!("inc returned status {st}"));
        }
        sum = sum.wrapping_add(u64::from(r));
    }
    sum
}

fn stats(mut v: Vec<f64>) -> [f64; 4] {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    [q(0.5), q(0.25), q(0.75), v[0]]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        die("usage: bench_rust PLUGIN PLAIN [--reps R] [--ms MS] | --loop VARIANT N");
    }
    let (mut reps, mut ms, mut lp): (usize, f64, Option<(String, u64)>) = (401, 0.5, None);
    let mut i = 3;
    while i < args.len() {
        let v = |k: usize| args.get(k).unwrap_or_else(|| die(&format!("{} needs a value", args[i])));
        match args[i].as_str() {
            "--reps" => reps = v(i + 1).parse().unwrap_or_else(|_| die("--reps: a number")),
            "--ms" => ms = v(i + 1).parse().unwrap_or_else(|_| die("--ms: a number")),
            "--loop" => {
                let n = v(i + 2).parse().unwrap_or_else(|_| die("--loop: a number"));
                lp = Some((v(i + 1).clone(), n));
                i += 1;
            }
            a => die(&format!("unknown argument {a}")),
        }
        i += 2;
    }

    let world = bindings::world().unwrap_or_else(|e| die(&e.to_string()));
    let module = Module::open(&world, &args[1]).unwrap_or_else(|e| die(&e.to_string()));
    let typed = bindings::Rinc::instantiate(&module, ()).unwrap_or_else(|e| die(&e.to_string()));
    let inst = Instance::new(&module).unwrap_or_else(|e| die(&e.to_string()));
    let entry = inst.exports().and_then(|t| t.first()).unwrap_or_else(|| die("no export table"));
    let call = entry.call.unwrap_or_else(|| die("inc is absent"));
    // SAFETY: the loader checked the plugin's `inc` against the host's world: func(x: u32) -> u32,
    // lowered as int32_t (*)(state, uint32_t, uint32_t *) (docs/abi.md §3).
    let inc: IncFn = unsafe { std::mem::transmute(call) };
    let state = inst.self_ptr();

    let plain_path = CString::new(args[2].as_str()).unwrap_or_else(|_| die("PLAIN holds a NUL byte"));
    // SAFETY: dlopen and dlsym with valid C strings; the symbol is plain.rs's `extern "C" fn(u32) -> u32`.
    let plain: PlainFn = unsafe {
        let h = dlopen(plain_path.as_ptr(), RTLD_NOW);
        let p = if h.is_null() { std::ptr::null_mut() } else { dlsym(h, c"bench_rinc_inc".as_ptr()) };
        if p.is_null() {
            let e = dlerror();
            die(&if e.is_null() { "dlsym failed".into() } else { std::ffi::CStr::from_ptr(e).to_string_lossy().into_owned() });
        }
        std::mem::transmute::<*mut c_void, PlainFn>(p)
    };
    // Both compute the same: a wrong answer voids the timing.
    if loop_plain(plain, 1000) != loop_table(inc, state, 1000) || loop_plain(plain, 1000) != loop_rdylib(&typed, 1000) {
        die("the two variants disagree");
    }

    if let Some((variant, n)) = lp {
        let s = match variant.as_str() {
            "plain" => loop_plain(plain, n),
            "rdylib" => loop_rdylib(&typed, n),
            "table" => loop_table(inc, state, n),
            v => die(&format!("unknown variant {v}")),
        };
        black_box(s);
        return;
    }

    // Calibrate N so one timing takes about MS milliseconds.
    let mut n = 1024u64;
    loop {
        let t = Instant::now();
        black_box(loop_rdylib(&typed, n));
        let el = t.elapsed().as_secs_f64() * 1e3;
        if el >= ms || n >= 1 << 30 {
            n = ((n as f64) * ms / el.max(1e-6)).max(1.0) as u64;
            break;
        }
        n *= 4;
    }
    // Per repetition: the three loops in a rotated order; the ratios of this repetition's times.
    let mut t: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let (mut ratio, mut tratio) = (Vec::new(), Vec::new());
    for r in 0..reps {
        let mut now = [0f64; 3];
        for k in 0..3 {
            let which = (k + r) % 3;
            let s = Instant::now();
            black_box(match which {
                0 => loop_plain(plain, n),
                1 => loop_rdylib(&typed, n),
                _ => loop_table(inc, state, n),
            });
            now[which] = s.elapsed().as_secs_f64() * 1e9 / n as f64;
        }
        for k in 0..3 {
            t[k].push(now[k]);
        }
        ratio.push(now[1] / now[0]);
        tratio.push(now[2] / now[0]);
    }
    println!("calls\t{n}\t{reps}");
    for (k, name) in ["plain", "rdylib", "table"].iter().enumerate() {
        let s = stats(std::mem::take(&mut t[k]));
        println!("ns\t{name}\t{:.3}\t{:.3}\t{:.3}\t{:.3}", s[0], s[1], s[2], s[3]);
    }
    for (name, v) in [("rdylib/plain", ratio), ("table/plain", tratio)] {
        let s = stats(v);
        println!("ratio\t{name}\t{:.3}\t{:.3}\t{:.3}\t{:.3}", s[0], s[1], s[2], s[3]);
    }
    drop(typed);
    drop(inst);
    drop(module);
}
