//! filters-host-rs: the text-filter host of examples/filters, written in
//! Rust over the rdy crate (bindings/rust), for the same world,
//! example:filters/plugin, as host.c.
//!
//!   filters-host-rs PLUGIN.so...
//!
//! It opens each plugin with `rdy::Module::open`, which checks it against
//! the world this host was built with (its descriptor, embedded by
//! build.rs) before any of the plugin's code runs; C plugins and Rust
//! plugins alike.  It provides the world's `host` interface (log, config,
//! dictionary, policy) as Rust functions, and calls each plugin's `filter`
//! (about, check, apply, suggest) on a sample text, through all of them in a
//! row, on a text over its policy's limit and on bytes that are not UTF-8.
//!
//! The calls go through the raw export table (`Instance::with_build`), as
//! bindings/rust/tests/calc.rs does: generated Rust host bindings do not
//! exist yet, and will replace the hand-written calls and types (abi.rs)
//! with typed functions.
//!
//! Exit status: 0 when every accepted plugin ran as it should, whether or
//! not some were refused; 1 when a call failed; 2 on a usage error.

mod abi;

use abi::*;
use rdy::sys::{rdy_func_v1, rdy_string_t, RDY_OK};
use rdy::{ErrorCode, Instance, InstanceConfig, Module, World};
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The host side of the world, as `rdy abi encode --side host` wrote it.
static DESCRIPTOR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/filters-host.desc"));

/// The host's policy: the longest text a filter may rewrite.
const MAX_INPUT: u64 = 200;

const SAMPLE: &str = "the quick brwon fox jumps over  the lazy dog. alice keeps the secret code in teh lab";

/// The host's settings, as config returns them.
const SETTINGS: &[(&str, &str)] = &[("redact.words", "secret, code")];

/// The host's dictionary, as dictionary returns it.
const DICTIONARY: &[&str] = &[
    "a", "alice", "brown", "code", "dog", "fox", "in", "jumps", "keeps", "lab", "lazy", "over", "quick", "secret",
    "the",
];

/// Results of config and dictionary that plugins hold: the host allocated
/// them, and only its release functions free them (docs/abi.md [F-OWN]).
static LENT: AtomicUsize = AtomicUsize::new(0);
static LENT_TOTAL: AtomicUsize = AtomicUsize::new(0);

/// What one plugin's imports reach: their context.
struct Ctx {
    name: Mutex<String>,
    calls: AtomicU32,
}

impl Ctx {
    fn name(&self) -> String {
        self.name.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

// ---- the host's functions, which plugins import ---------------------------------

/// CTX as the plugin's context.
///
/// # Safety
/// CTX is the `Ctx` its instance was created with, alive while it lives.
unsafe fn ctx<'a>(ctx: *mut c_void) -> &'a Ctx {
    // SAFETY: by the caller's contract.
    let c = unsafe { &*(ctx as *const Ctx) };
    c.calls.fetch_add(1, Ordering::Relaxed);
    c
}

/// A copy of S that the host owns until its release function frees it.
fn lend(s: &str) -> rdy_string_t {
    let b: Box<[u8]> = s.as_bytes().into();
    let len = b.len();
    rdy_string_t { ptr: Box::into_raw(b).cast::<u8>().cast(), len }
}

/// Frees a string made by `lend`.
///
/// # Safety
/// S came from `lend` and is freed once.
unsafe fn unlend(s: &rdy_string_t) {
    // SAFETY: by the caller's contract: a Box<[u8]> of S.LEN bytes.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(s.ptr as *mut u8, s.len)) });
}

fn severity_name(s: Severity) -> &'static str {
    ["info", "warning", "error"].get(usize::from(s)).copied().unwrap_or("(unknown severity)")
}

unsafe extern "C" fn host_log(c: *mut c_void, level: Severity, msg: *const rdy_string_t) -> i32 {
    // SAFETY: the runtime passes the instance's context; MSG is valid for the call.
    let (c, msg) = unsafe { (ctx(c), text(&*msg)) };
    println!("      [{} logs, {}] {msg}", c.name(), severity_name(level));
    RDY_OK
}

unsafe extern "C" fn host_config(c: *mut c_void, key: *const rdy_string_t, ret: *mut Opt<rdy_string_t>) -> i32 {
    // SAFETY: as host_log; RET has room for the result.
    let key = unsafe {
        ctx(c);
        bytes(&*key)
    };
    let r = match SETTINGS.iter().find(|(k, _)| k.as_bytes() == key) {
        Some((_, v)) => {
            LENT.fetch_add(1, Ordering::AcqRel);
            LENT_TOTAL.fetch_add(1, Ordering::Relaxed);
            Opt { is_some: 1, val: lend(v) }
        }
        None => Opt { is_some: 0, val: rdy_string_t { ptr: std::ptr::null(), len: 0 } },
    };
    // SAFETY: RET is the plugin's out-pointer.
    unsafe { ret.write(r) };
    RDY_OK
}

unsafe extern "C" fn release_config(_ctx: *mut c_void, ret: *mut c_void) {
    // SAFETY: RET is a result host_config wrote, released once.
    let r = unsafe { &*(ret as *const Opt<rdy_string_t>) };
    if r.is_some != 0 {
        // SAFETY: host_config made it with lend.
        unsafe { unlend(&r.val) };
        LENT.fetch_sub(1, Ordering::AcqRel);
    }
}

unsafe extern "C" fn host_dictionary(c: *mut c_void, ret: *mut List<rdy_string_t>) -> i32 {
    // SAFETY: as host_log.
    unsafe { ctx(c) };
    let words: Box<[rdy_string_t]> = DICTIONARY.iter().map(|w| lend(w)).collect();
    let len = words.len();
    LENT.fetch_add(1, Ordering::AcqRel);
    LENT_TOTAL.fetch_add(1, Ordering::Relaxed);
    // SAFETY: RET is the plugin's out-pointer.
    unsafe { ret.write(List { ptr: Box::into_raw(words).cast(), len }) };
    RDY_OK
}

unsafe extern "C" fn release_dictionary(_ctx: *mut c_void, ret: *mut c_void) {
    // SAFETY: RET is a result host_dictionary wrote, released once: a boxed
    // slice of strings made by lend.
    unsafe {
        let r = &*(ret as *const List<rdy_string_t>);
        let words = Box::from_raw(std::ptr::slice_from_raw_parts_mut(r.ptr as *mut rdy_string_t, r.len));
        for w in words.iter() {
            unlend(w);
        }
    }
    LENT.fetch_sub(1, Ordering::AcqRel);
}

unsafe extern "C" fn host_policy(c: *mut c_void, ret: *mut Limits) -> i32 {
    // SAFETY: as host_log; RET is the plugin's out-pointer.
    unsafe {
        ctx(c);
        ret.write(Limits { max_input: MAX_INPUT, granted: CAPS_REWRITES | CAPS_CHECKS | CAPS_USES_DICTIONARY });
    }
    RDY_OK
}

/// The import table, in the order of the host's descriptor.
fn imports() -> Vec<rdy_func_v1> {
    type Generic = unsafe extern "C" fn();
    let mut t = vec![rdy_func_v1::default(); NIMPORTS];
    // SAFETY (of the transmutes): each becomes the generic rdy_fn that the
    // plugin casts back to the exact signature the world gives it.
    unsafe {
        t[H_LOG].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, Severity, *const rdy_string_t) -> i32,
            Generic,
        >(host_log));
        t[H_CONFIG].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, *const rdy_string_t, *mut Opt<rdy_string_t>) -> i32,
            Generic,
        >(host_config));
        t[H_DICTIONARY].call = Some(std::mem::transmute::<
            unsafe extern "C" fn(*mut c_void, *mut List<rdy_string_t>) -> i32,
            Generic,
        >(host_dictionary));
        t[H_POLICY].call =
            Some(std::mem::transmute::<unsafe extern "C" fn(*mut c_void, *mut Limits) -> i32, Generic>(host_policy));
    }
    t[H_CONFIG].release = Some(release_config);
    t[H_DICTIONARY].release = Some(release_dictionary);
    t
}

// ---- calling a plugin: what generated host bindings will do -----------------------

/// Calls export E of INST: with TEXT as its one string parameter when it
/// has one, its result read by READ into something the host owns, then
/// released to the plugin.  Err is the call's status.
fn call<R, T>(inst: &Instance, e: usize, text: Option<&[u8]>, read: impl FnOnce(&R) -> T) -> Result<T, i32> {
    type NoArg<R> = unsafe extern "C" fn(*mut c_void, *mut R) -> i32;
    type TextArg<R> = unsafe extern "C" fn(*mut c_void, *const rdy_string_t, *mut R) -> i32;
    inst.with_build(|b| {
        let f = b.func(e).copied().unwrap_or_default();
        let Some(fp) = f.call else { return Err(ErrorCode::Absent.raw()) };
        let mut ret = MaybeUninit::<R>::uninit();
        // SAFETY: export E of the world has this signature (docs/abi.md §3):
        // the instance's state, the string argument for the call when it
        // takes one, the out-pointer for its result.
        let st = unsafe {
            match text {
                None => std::mem::transmute::<unsafe extern "C" fn(), NoArg<R>>(fp)(b.self_ptr(), ret.as_mut_ptr()),
                Some(t) => {
                    let arg = rdy_string_t { ptr: t.as_ptr().cast(), len: t.len() };
                    std::mem::transmute::<unsafe extern "C" fn(), TextArg<R>>(fp)(b.self_ptr(), &arg, ret.as_mut_ptr())
                }
            }
        };
        if st != RDY_OK {
            return Err(st);
        }
        inst.results().fetch_add(1, Ordering::AcqRel);
        // SAFETY: a call that returns RDY_OK has written its result.
        let owned = read(unsafe { ret.assume_init_ref() });
        if let Some(release) = f.release {
            // SAFETY: the release of export E, given its own result, once.
            unsafe { release(b.self_ptr(), ret.as_mut_ptr().cast()) };
        }
        inst.results().fetch_sub(1, Ordering::AcqRel);
        Ok(owned)
    })
    .unwrap_or_else(|e| Err(e.code().raw()))
}

/// What `about` says, copied.
struct About {
    name: String,
    summary: String,
    caps: Caps,
}

/// One finding of `check`, copied.
struct Found {
    severity: Severity,
    at: Option<Span>,
    message: String,
}

/// Why `apply` gave no text, copied.
enum Declined {
    BadInput(String),
    Unsupported,
    TooLarge(u64),
    Unknown(u8),
}

/// One edit of `suggest`, copied.
enum Change {
    Insert(u32, Vec<u8>),
    Delete(Span),
    Replace(Span, Vec<u8>),
    Unknown(u8),
}

fn about(inst: &Instance) -> Result<About, i32> {
    call(inst, E_ABOUT, None, |id: &Identity| {
        // SAFETY: the plugin's strings, valid until the release.
        unsafe { About { name: text(&id.name), summary: text(&id.summary), caps: id.caps } }
    })
}

fn check(inst: &Instance, t: &[u8]) -> Result<Vec<Found>, i32> {
    call(inst, E_CHECK, Some(t), |l: &List<Finding>| {
        // SAFETY: the plugin's list and strings, valid until the release.
        unsafe { elements(l) }
            .iter()
            .map(|f| Found {
                severity: f.severity,
                at: (f.at.is_some != 0).then_some(f.at.val),
                // SAFETY: as above.
                message: unsafe { text(&f.message) },
            })
            .collect()
    })
}

fn apply(inst: &Instance, t: &[u8]) -> Result<Result<Vec<u8>, Declined>, i32> {
    call(inst, E_APPLY, Some(t), |r: &ApplyResult| {
        // SAFETY: IS_ERR says which member the plugin wrote, and the tag
        // which case; its strings are valid until the release.
        unsafe {
            if r.is_err == 0 {
                return Ok(bytes(&r.val.ok).to_vec());
            }
            let e = &r.val.err;
            Err(match e.tag {
                FILTER_ERROR_BAD_INPUT => Declined::BadInput(text(&e.val.bad_input)),
                FILTER_ERROR_UNSUPPORTED => Declined::Unsupported,
                FILTER_ERROR_TOO_LARGE => Declined::TooLarge(e.val.too_large),
                tag => Declined::Unknown(tag),
            })
        }
    })
}

fn suggest(inst: &Instance, t: &[u8]) -> Result<Vec<Change>, i32> {
    call(inst, E_SUGGEST, Some(t), |l: &List<Edit>| {
        // SAFETY: the tag says which member was written; the list and its
        // strings are valid until the release.
        unsafe { elements(l) }
            .iter()
            .map(|e| unsafe {
                match e.tag {
                    EDIT_INSERT => Change::Insert(e.val.insert.f0, bytes(&e.val.insert.f1).to_vec()),
                    EDIT_DELETE => Change::Delete(e.val.delete),
                    EDIT_REPLACE => Change::Replace(e.val.replace.at, bytes(&e.val.replace.text).to_vec()),
                    tag => Change::Unknown(tag),
                }
            })
            .collect()
    })
}

// ---- printing --------------------------------------------------------------------------

fn quoted(b: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(b))
}

fn caps_words(caps: Caps) -> String {
    let names = ["rewrite text", "check text", "use the host's dictionary"];
    let got: Vec<&str> = names.iter().enumerate().filter(|(i, _)| caps & (1 << i) != 0).map(|(_, n)| *n).collect();
    if got.is_empty() {
        "nothing".into()
    } else {
        got.join(", ")
    }
}

/// Where AT falls in TEXT; a span past its end is shown, not followed.
fn span_words(t: &[u8], at: Span) -> String {
    let (start, len) = (at.start as usize, at.len as usize);
    match t.get(start..start.saturating_add(len)) {
        Some(s) => format!("at byte {start}, {}", quoted(s)),
        None => format!("at bytes {start}..{}, past the end of the text", start + len),
    }
}

fn declined_words(d: &Declined) -> String {
    match d {
        Declined::BadInput(why) => format!("it cannot take this text: \"{why}\""),
        Declined::Unsupported => "it does not rewrite text".into(),
        Declined::TooLarge(limit) => format!("the text is too large, the limit is {limit} bytes"),
        Declined::Unknown(tag) => format!("an error the host does not know (case {tag})"),
    }
}

fn change_words(t: &[u8], c: &Change) -> String {
    match c {
        Change::Insert(at, s) => format!("insert {} at byte {at}", quoted(s)),
        Change::Delete(at) => format!("delete {}", span_words(t, *at)),
        Change::Replace(at, s) => format!("replace {} with {}", span_words(t, *at), quoted(s)),
        Change::Unknown(tag) => format!("an edit the host does not know (case {tag})"),
    }
}

/// TEXT with CHANGES made, or None when they do not fit it: unknown cases,
/// out of order, overlapping or past its end.  They come from a plugin, so
/// the host checks them all before it copies a byte.
fn make_changes(t: &[u8], changes: &[Change]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(t.len());
    let mut from = 0usize;
    for c in changes {
        let (at, with): (Span, &[u8]) = match c {
            Change::Insert(at, s) => (Span { start: *at, len: 0 }, s),
            Change::Delete(at) => (*at, &[]),
            Change::Replace(at, s) => (*at, s),
            Change::Unknown(_) => return None,
        };
        let (start, end) = (at.start as usize, at.start as usize + at.len as usize);
        if start < from || end > t.len() {
            return None;
        }
        out.extend_from_slice(&t[from..start]);
        out.extend_from_slice(with);
        from = end;
    }
    out.extend_from_slice(&t[from..]);
    Some(out)
}

// ---- the run ----------------------------------------------------------------------------

/// One plugin named on the command line.  Field order is drop order: the
/// instance goes before its module and before the context its imports reach.
struct Plugin {
    inst: Option<Instance>,
    module: Option<Module>,
    ctx: Box<Ctx>,
    path: String,
}

impl Plugin {
    fn name(&self) -> String {
        self.ctx.name()
    }

    /// Reports a call that failed; always false.
    fn trapped(&self, func: &str, status: i32) -> bool {
        let code = ErrorCode::from_raw(status);
        println!("    {}'s {func} failed with status {status}: {}", self.name(), code.describe());
        false
    }
}

/// Opens P and starts one instance; Ok(false) when librdy refused the file.
fn open(world: &World, p: &mut Plugin, imports: &[rdy_func_v1]) -> Result<bool, ()> {
    let module = match Module::open(world, &p.path) {
        Ok(m) => m,
        Err(e) => {
            println!("  {}: REFUSED ({}); none of its code ran:", p.path, e.code().describe());
            for line in e.message().lines() {
                println!("    {line}");
            }
            return Ok(false);
        }
    };
    println!("  {}: accepted, it matches the world (built by {})", p.path, module.producer());
    let config = InstanceConfig { imports, ctx: &*p.ctx as *const Ctx as *mut c_void, ..Default::default() };
    // SAFETY: the imports have the world's signatures (imports() above), and
    // the context is boxed in P, which outlives the instance (field order).
    let inst = match unsafe { Instance::create(&module, &config) } {
        Ok(i) => i,
        Err(e) => {
            println!("    could not start it: {e}");
            p.module = Some(module);
            return Err(());
        }
    };
    p.module = Some(module);
    let a = match about(&inst) {
        Ok(a) => a,
        Err(st) => {
            p.inst = Some(inst);
            p.trapped("about", st);
            return Err(());
        }
    };
    p.inst = Some(inst);
    if let Ok(mut n) = p.ctx.name.lock() {
        *n = a.name.clone();
    }
    println!("    it is {}: {}", a.name, a.summary);
    println!("    it can: {}", caps_words(a.caps));
    Ok(true)
}

fn run_each(p: &Plugin, inst: &Instance, t: &[u8]) -> bool {
    let mut ok = true;
    println!("\n  {}, on the sample:", p.name());
    match check(inst, t) {
        Ok(found) => {
            println!("    check: {} finding{}", found.len(), if found.len() == 1 { "" } else { "s" });
            for f in &found {
                let at = f.at.map_or_else(|| "about the whole text".into(), |at| span_words(t, at));
                println!("      {} {at}: {}", severity_name(f.severity), f.message);
            }
        }
        Err(st) => ok = p.trapped("check", st),
    }
    match apply(inst, t) {
        Ok(Ok(out)) => println!("    apply: rewrote it as {}", quoted(&out)),
        Ok(Err(d)) => println!("    apply: declined: {}", declined_words(&d)),
        Err(st) => ok = p.trapped("apply", st),
    }
    match suggest(inst, t) {
        Ok(changes) => {
            println!("    suggest: {} edit{}", changes.len(), if changes.len() == 1 { "" } else { "s" });
            for c in &changes {
                println!("      {}", change_words(t, c));
            }
        }
        Err(st) => ok = p.trapped("suggest", st),
    }
    ok
}

/// One plugin's turn in the pipeline: its rewrite of CUR, or None.
fn pipeline_step(p: &Plugin, inst: &Instance, cur: &[u8]) -> Result<Option<Vec<u8>>, ()> {
    match apply(inst, cur) {
        Ok(Ok(out)) => {
            println!("    {} rewrote it: {}", p.name(), quoted(&out));
            Ok(Some(out))
        }
        Ok(Err(Declined::Unsupported)) => {
            let changes = suggest(inst, cur).map_err(|st| {
                p.trapped("suggest", st);
            })?;
            print!("    {} does not rewrite, ", p.name());
            match make_changes(cur, &changes) {
                None => println!("and its edits do not fit the text: the host skips them"),
                Some(_) if changes.is_empty() => println!("and it suggests no edit"),
                Some(out) => {
                    let n = changes.len();
                    println!(
                        "so the host made its {n} suggested edit{}: {}",
                        if n == 1 { "" } else { "s" },
                        quoted(&out)
                    );
                    return Ok(Some(out));
                }
            }
            Ok(None)
        }
        Ok(Err(d)) => {
            println!("    {} declined: {}", p.name(), declined_words(&d));
            Ok(None)
        }
        Err(st) => {
            p.trapped("apply", st);
            Err(())
        }
    }
}

fn run(world: &World, plugins: &mut [Plugin]) -> bool {
    let imports = imports();
    let (mut accepted, mut refused, mut ok) = (0, 0, true);
    let n = plugins.len();
    println!(
        "Opening {n} plugin{}; librdy checks each against the world before it runs any of its code.",
        if n == 1 { "" } else { "s" }
    );
    for p in plugins.iter_mut() {
        match open(world, p, &imports) {
            Ok(true) => accepted += 1,
            Ok(false) => refused += 1,
            Err(()) => ok = false,
        }
    }
    let live = |ps: &[Plugin]| -> Vec<usize> { (0..ps.len()).filter(|&i| ps[i].inst.is_some()).collect() };

    let sample = SAMPLE.as_bytes();
    println!("\nThe sample text ({} bytes):\n  {}", sample.len(), quoted(sample));
    for &i in &live(plugins) {
        let p = &plugins[i];
        ok &= run_each(p, p.inst.as_ref().expect("live"), sample);
    }

    println!("\nThe sample through every plugin in turn, each one's output the next one's input:");
    let mut cur = sample.to_vec();
    for &i in &live(plugins) {
        let p = &plugins[i];
        match pipeline_step(p, p.inst.as_ref().expect("live"), &cur) {
            Ok(Some(next)) => cur = next,
            Ok(None) => {}
            Err(()) => {
                ok = false;
                break;
            }
        }
    }
    println!("  result: {}", quoted(&cur));

    let long: Vec<u8> = sample.iter().copied().cycle().take(MAX_INPUT as usize + 50).collect();
    println!("\nA text of {} bytes, over the host's limit of {MAX_INPUT}:", long.len());
    for &i in &live(plugins) {
        let p = &plugins[i];
        match apply(p.inst.as_ref().expect("live"), &long) {
            Ok(Ok(out)) => println!("    {}: rewrote it as {}", p.name(), quoted(&out)),
            Ok(Err(d)) => println!("    {}: declined: {}", p.name(), declined_words(&d)),
            Err(st) => ok = p.trapped("apply", st),
        }
    }

    // WIT strings are UTF-8.  Generated Rust plugins check that before they
    // call their code, and answer RDY_EINVAL; C plugins take the bytes as
    // they come, and these ones are written to.
    let bad = b"caf\xe9 au lait";
    println!("\nBytes that are not UTF-8 (caf\\xe9 au lait), to check:");
    for &i in &live(plugins) {
        let p = &plugins[i];
        match check(p.inst.as_ref().expect("live"), bad) {
            Ok(found) => {
                println!("    {}: {} finding{}", p.name(), found.len(), if found.len() == 1 { "" } else { "s" })
            }
            Err(st) if ErrorCode::from_raw(st) == ErrorCode::Inval => {
                println!("    {}: refused the argument: status {st}, RDY_EINVAL", p.name())
            }
            Err(st) => ok = p.trapped("check", st),
        }
    }

    let calls: Vec<String> = live(plugins)
        .iter()
        .map(|&i| format!("{} {}", plugins[i].name(), plugins[i].ctx.calls.load(Ordering::Relaxed)))
        .collect();
    println!("\nCalls from the plugins to the host's functions: {}.", calls.join(", "));
    println!("Closing every plugin.");
    for p in plugins.iter_mut() {
        if let Some(inst) = p.inst.take() {
            if let Err(e) = inst.free() {
                println!("  {}: could not free its instance: {}", p.path, e.error);
                ok = false;
            }
        }
        if let Some(m) = p.module.take() {
            if let Err(e) = m.close() {
                println!("  {}: could not close it: {e}", p.path);
                ok = false;
            }
        }
    }
    let (lent, total) = (LENT.load(Ordering::Acquire), LENT_TOTAL.load(Ordering::Relaxed));
    if lent == 0 {
        println!("The plugins released every result the host lent them ({total} in all).");
    } else {
        println!("The plugins kept {lent} of the {total} results the host lent them.");
        ok = false;
    }
    println!("{accepted} plugin{} accepted and ran, {refused} refused.", if accepted == 1 { "" } else { "s" });
    ok
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: filters-host-rs PLUGIN.so...");
        return ExitCode::from(2);
    }
    let world = match World::new(DESCRIPTOR) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("filters-host-rs: {e}");
            return ExitCode::FAILURE;
        }
    };
    assert_eq!((world.nimports() as usize, world.nexports() as usize), (NIMPORTS, NEXPORTS));
    let mut plugins: Vec<Plugin> = paths
        .into_iter()
        .map(|path| {
            // Until the plugin names itself, the log calls it by its file's name.
            let base = path.rsplit('/').next().unwrap_or(&path);
            let name = base.split('.').next().unwrap_or(base).to_owned();
            Plugin {
                inst: None,
                module: None,
                ctx: Box::new(Ctx { name: Mutex::new(name), calls: AtomicU32::new(0) }),
                path,
            }
        })
        .collect();
    println!("filters-host-rs: a text-filter host in Rust, over the rdy crate, for example:filters/plugin@1.0.0.");
    if run(&world, &mut plugins) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
