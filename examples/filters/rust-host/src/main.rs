//! filters-host-rs: the text-filter host of examples/filters, written in
//! Rust for the same world, example:filters/plugin, as host.c: over the
//! bindings that `rdy gen rust --side host` writes (build.rs generates them
//! into OUT_DIR: `mod bindings` below) and the rdy crate (bindings/rust).
//!
//!   filters-host-rs PLUGIN.so...
//!
//! It opens each plugin with `rdy::Module::open`, which checks it against
//! the world of the bindings (`bindings::world()`, from the host descriptor
//! they embed) before any of the plugin's code runs; C plugins and Rust
//! plugins alike.  It implements the world's `host` interface (log, config,
//! dictionary, policy) as the generated trait `Imports`, and calls each
//! plugin's `filter` (about, check, apply, suggest) through the typed
//! methods of the generated `Plugin`: on a sample text, through all of them
//! in a row, on a text over its policy's limit and on bytes that are not
//! UTF-8.  Those bytes alone go through the instance's export table
//! (`check_bytes`): a typed method takes `&str`, which Rust keeps UTF-8.
//!
//! Exit status: 0 when every accepted plugin ran as it should, whether or
//! not some were refused; 1 when a call failed; 2 on a usage error.

include!(concat!(env!("OUT_DIR"), "/bindings_mod.rs"));

use bindings::{Caps, Edit, FilterError, Finding, Imports, Limits, RdyList, RdyString, Severity, Span, RDY_OK};
use rdy::{ErrorCode, Module, World};
use std::borrow::Cow;
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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

/// Results of config and dictionary that own memory, lent to the plugins:
/// the generated import table copies each into memory of the host's, which
/// its release functions free when the plugin is done (docs/abi.md [F-OWN]).
static LENT: AtomicUsize = AtomicUsize::new(0);

/// What one plugin's imports reach: its name, for the log, and a count.
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

/// The host's functions for one instance.  The instance owns the value (its
/// context, as in C), so each plugin's calls reach its own; the host keeps
/// a share of the `Ctx` to read them.
struct HostFns(Arc<Ctx>);

impl HostFns {
    /// The plugin's context, with one more call counted.
    fn called(&self) -> &Ctx {
        self.0.calls.fetch_add(1, Ordering::Relaxed);
        &self.0
    }
}

/// The generated thunks refuse a string that is not UTF-8 (RDY_EINVAL)
/// before these run, and catch their panics (RDY_ETRAP).
impl Imports for HostFns {
    fn host_log(&self, level: Severity, msg: &str) {
        println!("      [{} logs, {}] {msg}", self.called().name(), severity_name(level));
    }

    fn host_config(&self, key: &str) -> Option<String> {
        self.called();
        let value = SETTINGS.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string());
        if value.is_some() {
            LENT.fetch_add(1, Ordering::Relaxed);
        }
        value
    }

    fn host_dictionary(&self) -> Vec<String> {
        self.called();
        LENT.fetch_add(1, Ordering::Relaxed);
        DICTIONARY.iter().map(|w| w.to_string()).collect()
    }

    fn host_policy(&self) -> Limits {
        self.called();
        Limits { max_input: MAX_INPUT, granted: Caps::REWRITES | Caps::CHECKS | Caps::USES_DICTIONARY }
    }
}

// ---- calling a plugin ----------------------------------------------------------------

/// `check` of bytes that are not UTF-8, which the typed `check`, taking
/// `&str`, cannot be given: through the instance's export table, as a C
/// host calls it.  The number of findings, or why the call failed.
fn check_bytes(inst: &bindings::Plugin, t: &[u8]) -> rdy::Result<usize> {
    /// `check`'s entry in the export table: its place in `interface filter`.
    const CHECK: usize = 1;
    type Check = unsafe extern "C" fn(*mut c_void, *const RdyString, *mut RdyList<Finding>) -> i32;
    inst.instance().with_build(|b| {
        let Some(f) = b.func(CHECK).copied() else {
            return Err(rdy::Error::new(ErrorCode::Absent, "check: absent: the plugin does not provide it"));
        };
        let Some(call) = f.call else { unreachable!("func gives present exports only") };
        let arg = RdyString { ptr: t.as_ptr(), len: t.len() };
        let mut ret = MaybeUninit::<RdyList<Finding>>::uninit();
        // SAFETY: export CHECK of the world has this type (docs/abi.md §3):
        // the instance's state, the string argument, valid for the call, and
        // room for the result.
        let st =
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), Check>(call)(b.self_ptr(), &arg, ret.as_mut_ptr()) };
        if st != RDY_OK {
            return Err(rdy::Error::from_status(st, "check"));
        }
        // SAFETY: a call that returns RDY_OK has written its result.
        let n = unsafe { ret.assume_init_ref() }.len;
        if let Some(release) = f.release {
            // SAFETY: the release of export CHECK, given its own result, once.
            unsafe { release(b.self_ptr(), ret.as_mut_ptr().cast()) };
        }
        Ok(n)
    })?
}

// ---- printing --------------------------------------------------------------------------

/// A plugin's string as Rust text: lossy, since it comes from another program.
fn lossy(s: &RdyString) -> Cow<'_, str> {
    String::from_utf8_lossy(s.as_bytes())
}

fn quoted(b: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(b))
}

fn severity_name(s: Severity) -> &'static str {
    ["info", "warning", "error"].get(usize::from(s.0)).copied().unwrap_or("(unknown severity)")
}

fn caps_words(caps: Caps) -> String {
    let names = ["rewrite text", "check text", "use the host's dictionary"];
    let got: Vec<&str> =
        names.iter().enumerate().filter(|(i, _)| caps.bits() & (1 << i) != 0).map(|(_, n)| *n).collect();
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

fn declined_words(e: &FilterError) -> String {
    if let Some(why) = e.as_bad_input() {
        format!("it cannot take this text: \"{}\"", lossy(why))
    } else if e.tag == FilterError::UNSUPPORTED {
        "it does not rewrite text".into()
    } else if let Some(limit) = e.as_too_large() {
        format!("the text is too large, the limit is {limit} bytes")
    } else {
        format!("an error the host does not know (case {})", e.tag)
    }
}

fn edit_words(t: &[u8], e: &Edit) -> String {
    if let Some(ins) = e.as_insert() {
        format!("insert {} at byte {}", quoted(ins.f1.as_bytes()), ins.f0)
    } else if let Some(at) = e.as_delete() {
        format!("delete {}", span_words(t, *at))
    } else if let Some(r) = e.as_replace() {
        format!("replace {} with {}", span_words(t, r.at), quoted(r.text.as_bytes()))
    } else {
        format!("an edit the host does not know (case {})", e.tag)
    }
}

/// What edit E does: the span it replaces and the bytes it puts there; None
/// for a case the host does not know.
fn edit_parts(e: &Edit) -> Option<(Span, &[u8])> {
    if let Some(ins) = e.as_insert() {
        Some((Span { start: ins.f0, len: 0 }, ins.f1.as_bytes()))
    } else if let Some(at) = e.as_delete() {
        Some((*at, &[]))
    } else {
        e.as_replace().map(|r| (r.at, r.text.as_bytes()))
    }
}

/// TEXT with EDITS made, or None when they do not fit it: unknown cases,
/// out of order, overlapping, past its end, or leaving bytes that are not
/// UTF-8.  They come from a plugin, so the host checks them all before it
/// copies a byte.
fn make_changes(t: &str, edits: &[Edit]) -> Option<String> {
    let t = t.as_bytes();
    let mut out = Vec::with_capacity(t.len());
    let mut from = 0usize;
    for e in edits {
        let (at, with) = edit_parts(e)?;
        let (start, end) = (at.start as usize, at.start as usize + at.len as usize);
        if start < from || end > t.len() {
            return None;
        }
        out.extend_from_slice(&t[from..start]);
        out.extend_from_slice(with);
        from = end;
    }
    out.extend_from_slice(&t[from..]);
    String::from_utf8(out).ok()
}

// ---- the run ----------------------------------------------------------------------------

/// One plugin named on the command line.  Field order is drop order: the
/// instance goes before its module.
struct Loaded {
    inst: Option<bindings::Plugin>,
    module: Option<Module>,
    ctx: Arc<Ctx>,
    path: String,
}

impl Loaded {
    fn name(&self) -> String {
        self.ctx.name()
    }

    /// Reports a call that failed; always false.
    fn trapped(&self, func: &str, e: &rdy::Error) -> bool {
        let code = e.code();
        println!("    {}'s {func} failed with status {}: {}", self.name(), code.raw(), code.describe());
        false
    }
}

/// Opens P and starts one instance; Ok(false) when librdy refused the file.
fn open(world: &World, p: &mut Loaded) -> Result<bool, ()> {
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
    let inst = match bindings::Plugin::instantiate(&module, HostFns(Arc::clone(&p.ctx))) {
        Ok(i) => i,
        Err(e) => {
            println!("    could not start it: {e}");
            p.module = Some(module);
            return Err(());
        }
    };
    p.module = Some(module);
    // The plugin's strings, read where they lie, released with `id`.
    let (name, summary, caps) = match inst.about() {
        Ok(id) => (lossy(&id.name).into_owned(), lossy(&id.summary).into_owned(), id.caps),
        Err(e) => {
            p.inst = Some(inst);
            p.trapped("about", &e);
            return Err(());
        }
    };
    p.inst = Some(inst);
    if let Ok(mut n) = p.ctx.name.lock() {
        n.clone_from(&name);
    }
    println!("    it is {name}: {summary}");
    println!("    it can: {}", caps_words(caps));
    Ok(true)
}

fn run_each(p: &Loaded, inst: &bindings::Plugin, t: &str) -> bool {
    let mut ok = true;
    println!("\n  {}, on the sample:", p.name());
    match inst.check(t) {
        Ok(found) => {
            let found = found.as_slice();
            println!("    check: {} finding{}", found.len(), if found.len() == 1 { "" } else { "s" });
            for f in found {
                let at = f.at.get().map_or_else(|| "about the whole text".into(), |at| span_words(t.as_bytes(), *at));
                println!("      {} {at}: {}", severity_name(f.severity), lossy(&f.message));
            }
        }
        Err(e) => ok = p.trapped("check", &e),
    }
    match inst.apply(t) {
        Ok(r) => match r.get() {
            Ok(out) => println!("    apply: rewrote it as {}", quoted(out.as_bytes())),
            Err(e) => println!("    apply: declined: {}", declined_words(e)),
        },
        Err(e) => ok = p.trapped("apply", &e),
    }
    match inst.suggest(t) {
        Ok(edits) => {
            let edits = edits.as_slice();
            println!("    suggest: {} edit{}", edits.len(), if edits.len() == 1 { "" } else { "s" });
            for e in edits {
                println!("      {}", edit_words(t.as_bytes(), e));
            }
        }
        Err(e) => ok = p.trapped("suggest", &e),
    }
    ok
}

/// One plugin's turn in the pipeline: its rewrite of CUR, or None.
fn pipeline_step(p: &Loaded, inst: &bindings::Plugin, cur: &str) -> Result<Option<String>, ()> {
    let r = inst.apply(cur).map_err(|e| {
        p.trapped("apply", &e);
    })?;
    match r.get() {
        Ok(out) => {
            println!("    {} rewrote it: {}", p.name(), quoted(out.as_bytes()));
            match out.as_str() {
                Ok(s) => Ok(Some(s.to_owned())),
                Err(_) => {
                    println!("    which is not UTF-8, so the next plugin cannot be given it: the host skips it");
                    Ok(None)
                }
            }
        }
        Err(e) if e.tag == FilterError::UNSUPPORTED => {
            let edits = inst.suggest(cur).map_err(|e| {
                p.trapped("suggest", &e);
            })?;
            let edits = edits.as_slice();
            print!("    {} does not rewrite, ", p.name());
            match make_changes(cur, edits) {
                None => println!("and its edits do not fit the text: the host skips them"),
                Some(_) if edits.is_empty() => println!("and it suggests no edit"),
                Some(out) => {
                    let n = edits.len();
                    println!(
                        "so the host made its {n} suggested edit{}: {}",
                        if n == 1 { "" } else { "s" },
                        quoted(out.as_bytes())
                    );
                    return Ok(Some(out));
                }
            }
            Ok(None)
        }
        Err(e) => {
            println!("    {} declined: {}", p.name(), declined_words(e));
            Ok(None)
        }
    }
}

fn run(world: &World, plugins: &mut [Loaded]) -> bool {
    let (mut accepted, mut refused, mut ok) = (0, 0, true);
    let n = plugins.len();
    println!(
        "Opening {n} plugin{}; librdy checks each against the world before it runs any of its code.",
        if n == 1 { "" } else { "s" }
    );
    for p in plugins.iter_mut() {
        match open(world, p) {
            Ok(true) => accepted += 1,
            Ok(false) => refused += 1,
            Err(()) => ok = false,
        }
    }
    let live = |ps: &[Loaded]| -> Vec<usize> { (0..ps.len()).filter(|&i| ps[i].inst.is_some()).collect() };

    println!("\nThe sample text ({} bytes):\n  {}", SAMPLE.len(), quoted(SAMPLE.as_bytes()));
    for &i in &live(plugins) {
        let p = &plugins[i];
        ok &= run_each(p, p.inst.as_ref().expect("live"), SAMPLE);
    }

    println!("\nThe sample through every plugin in turn, each one's output the next one's input:");
    let mut cur = SAMPLE.to_owned();
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
    println!("  result: {}", quoted(cur.as_bytes()));

    let long: String = SAMPLE.chars().cycle().take(MAX_INPUT as usize + 50).collect();
    println!("\nA text of {} bytes, over the host's limit of {MAX_INPUT}:", long.len());
    for &i in &live(plugins) {
        let p = &plugins[i];
        match p.inst.as_ref().expect("live").apply(&long) {
            Ok(r) => match r.get() {
                Ok(out) => println!("    {}: rewrote it as {}", p.name(), quoted(out.as_bytes())),
                Err(e) => println!("    {}: declined: {}", p.name(), declined_words(e)),
            },
            Err(e) => ok = p.trapped("apply", &e),
        }
    }

    // WIT strings are UTF-8.  Generated Rust plugins check that before they
    // call their code, and answer RDY_EINVAL; C plugins take the bytes as
    // they come, and these ones are written to.
    let bad = b"caf\xe9 au lait";
    println!("\nBytes that are not UTF-8 (caf\\xe9 au lait), to check:");
    for &i in &live(plugins) {
        let p = &plugins[i];
        match check_bytes(p.inst.as_ref().expect("live"), bad) {
            Ok(n) => println!("    {}: {n} finding{}", p.name(), if n == 1 { "" } else { "s" }),
            Err(e) if e.code() == ErrorCode::Inval => {
                println!("    {}: refused the argument: status {}, RDY_EINVAL", p.name(), e.code().raw())
            }
            Err(e) => ok = p.trapped("check", &e),
        }
    }

    let calls: Vec<String> = live(plugins)
        .iter()
        .map(|&i| format!("{} {}", plugins[i].name(), plugins[i].ctx.calls.load(Ordering::Relaxed)))
        .collect();
    println!("\nCalls from the plugins to the host's functions: {}.", calls.join(", "));
    println!("Closing every plugin.");
    for p in plugins.iter_mut() {
        // Dropped, the instance is freed: no result or object of it is held.
        drop(p.inst.take());
        if let Some(m) = p.module.take() {
            if let Err(e) = m.close() {
                println!("  {}: could not close it: {e}", p.path);
                ok = false;
            }
        }
    }
    let lent = LENT.load(Ordering::Relaxed);
    println!(
        "The host lent the plugins {lent} result{} (config, dictionary), copies that the bindings' release functions free.",
        if lent == 1 { "" } else { "s" }
    );
    println!("{accepted} plugin{} accepted and ran, {refused} refused.", if accepted == 1 { "" } else { "s" });
    ok
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: filters-host-rs PLUGIN.so...");
        return ExitCode::from(2);
    }
    let world = match bindings::world() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("filters-host-rs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut plugins: Vec<Loaded> = paths
        .into_iter()
        .map(|path| {
            // Until the plugin names itself, the log calls it by its file's name.
            let base = path.rsplit('/').next().unwrap_or(&path);
            let name = base.split('.').next().unwrap_or(base).to_owned();
            Loaded {
                inst: None,
                module: None,
                ctx: Arc::new(Ctx { name: Mutex::new(name), calls: AtomicU32::new(0) }),
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
