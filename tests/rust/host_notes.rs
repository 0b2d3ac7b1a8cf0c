//! A Rust host of the notes world (tests/res/notes, test:notes/notes: the
//! host implements `note`, the plugin `folder`) through `rdy gen rust --side
//! host`, run against each plugin given: tests/res's C plugin and
//! tests/rust's Rust one.  What tests/res/test_res_notes.c checks of a C
//! host, here of the generated Rust one: the host's notes are objects of
//! its type, given (own), lent for a call (borrow), made when the plugin
//! asks, given back; borrows kept past their call, a lent note dropped,
//! another instance's handle, a forged handle inside a list, each refused
//! with the runtime's exact status and message; the destructors (the
//! note's Drop) run once each, in the order the handles go, with the
//! instance calling; a panic in the host's function reaches the plugin as
//! RDY_ETRAP, a panic in a destructor is caught; objects outlive the
//! world's struct, and freeing the instance destroys what it held.

mod bindings;

use bindings::{Folder, Imports, Note, NoteBorrow, NoteOwn, Notes};
use rdy::ErrorCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A note whose `text` panics: the plugin must see RDY_ETRAP.
const PANIC_TEXT: &str = "rdy: panic in text, please";
/// A note whose destructor panics after recording itself.
const PANIC_DROP: &str = "rdy: panic in drop, please";

/// What the host's side saw, shared by every instance's host value.
#[derive(Default)]
struct Seen {
    made: AtomicU32,
    /// The notes destroyed, by id, in order, and the instance calling each destructor.
    destroyed: Mutex<Vec<(u32, usize)>>,
    /// The last refusal inside the host's `total`.
    refused: Mutex<Option<rdy::Error>>,
    /// A handle that the host's `text` tries to drop, and what the drop gave.
    drop_in_text: Mutex<Option<u32>>,
    dropped_in_text: Mutex<Option<rdy::Result<()>>>,
}

impl Seen {
    /// A new note of the host's, id 1, 2, ...
    fn note(self: &Arc<Self>, text: &str) -> MyNote {
        let id = self.made.fetch_add(1, Ordering::Relaxed) + 1;
        MyNote { id, text: Mutex::new(text.to_string()), seen: Arc::clone(self) }
    }
    /// The destructors run since the last call: ids, and whether INST was calling each.
    fn destroyed(&self, inst: Option<&rdy::Instance>) -> Vec<u32> {
        let runs = std::mem::take(&mut *self.destroyed.lock().unwrap());
        let want = inst.map_or(0, |i| i.as_ptr() as usize);
        for (id, calling) in &runs {
            check(*calling == want, &format!("note {id}: destructor called by {calling:#x}, want {want:#x}"));
        }
        runs.into_iter().map(|(id, _)| id).collect()
    }
}

struct MyNote {
    id: u32,
    text: Mutex<String>,
    seen: Arc<Seen>,
}

impl Drop for MyNote {
    fn drop(&mut self) {
        self.seen.destroyed.lock().unwrap().push((self.id, rdy::calling() as usize));
        if *self.text.get_mut().unwrap() == PANIC_DROP {
            panic!("a destructor that panics");
        }
    }
}

struct Host(Arc<Seen>);

impl Note<Host> for MyNote {
    fn new(host: &Host, text: &str) -> Self {
        host.0.note(text)
    }
    fn text(&self, host: &Host) -> String {
        let drop_h = host.0.drop_in_text.lock().unwrap().take();
        if let Some(h) = drop_h {
            // SAFETY: this test touches the handle from this thread alone.
            let r = unsafe { MyNote::drop_own(NoteOwn { handle: h }) };
            let gone = r.is_ok(); // a bug: then self may be gone, and is not read
            *host.0.dropped_in_text.lock().unwrap() = Some(r);
            if gone {
                return String::new();
            }
        }
        let t = self.text.lock().unwrap().clone();
        if t == PANIC_TEXT {
            panic!("the host's text panics");
        }
        t
    }
    fn append(&self, _host: &Host, more: &str) {
        self.text.lock().unwrap().push_str(more);
    }
}

impl Imports for Host {
    type Note = MyNote;
    fn pad_make(&self, text: &str) -> Box<MyNote> {
        Box::new(self.0.note(text))
    }
    /// Handles inside a list, resolved for the calling instance; a refused one
    /// is recorded and traps (an import's only failure is RDY_ETRAP).
    fn pad_total(&self, notes: &[NoteBorrow]) -> u32 {
        let mut sum = 0;
        for n in notes {
            // SAFETY: the plugin lent the notes for this call, on this thread.
            match unsafe { MyNote::with_rep(n.handle, |note| note.text.lock().unwrap().len() as u32) } {
                Ok(len) => sum += len,
                Err(e) => {
                    *self.0.refused.lock().unwrap() = Some(e);
                    std::panic::resume_unwind(Box::new(()));
                }
            }
        }
        sum
    }
}

fn check(cond: bool, what: &str) {
    if !cond {
        eprintln!("FAIL: {what}");
        std::process::exit(1);
    }
}

/// The handle a refusal's message names ("PATH: handle 0x00200001 ...").
fn handle_in(msg: &str) -> u32 {
    let at = msg.find(": handle 0x").unwrap_or_else(|| panic!("no handle in {msg:?}"));
    u32::from_str_radix(&msg[at + 11..at + 19], 16).unwrap_or_else(|_| panic!("no handle in {msg:?}"))
}

/// Status ST with this thread's last handle refusal, which must be WANT.
fn refused(st: i32, code: ErrorCode, want: &str, what: &str) {
    check(st == code.raw(), &format!("{what}: status {st}, want {}", code.raw()));
    let msg = rdy::handle::last_error().unwrap_or_default();
    check(msg == want, &format!("{what}: message {msg:?}, want {want:?}"));
}

fn error_is(e: &rdy::Error, code: ErrorCode, want: &str, what: &str) {
    check(e.code() == code, &format!("{what}: {:?}, want {code:?}", e.code()));
    check(e.message() == want, &format!("{what}: message {:?}, want {want:?}", e.message()));
}

fn run(world: &rdy::World, path: &str) {
    let module = rdy::Module::open(world, path).expect("open");
    let seen = Arc::new(Seen::default());
    let a = Notes::instantiate(&module, Host(Arc::clone(&seen))).expect("instantiate a");
    let b = Notes::instantiate(&module, Host(Arc::clone(&seen))).expect("instantiate b");
    let ai = a.instance();

    // An own note moves to the plugin, which drops it: its destructor runs once, A calling.
    let n = seen.note("hello");
    let id = n.id;
    a.keep(Box::new(n)).unwrap();
    check(ai.nhandles() == 1, "a kept note is a handle");
    check(a.drop_kept().unwrap() == 1, "drop-kept");
    check(seen.destroyed(Some(ai)) == [id], "the kept note's destructor ran once");
    check(ai.nhandles() == 0, "no handle after the drop");

    // A lent note is read during the call; the borrow ends with it, and it is still ours.
    let n = seen.note("lent");
    check(a.peek(&n).unwrap().as_str() == Ok("lent"), "peek");
    check(ai.nhandles() == 0 && seen.destroyed(None).is_empty(), "a lend leaves nothing");
    n.append(&Host(Arc::clone(&seen)), "!");
    check(*n.text.lock().unwrap() == "lent!", "still the host's");

    // A borrow kept past its call is stale.
    a.stash(&n).unwrap();
    let st = a.read_stash().unwrap();
    let h = handle_in(&rdy::handle::last_error().unwrap_or_default());
    let want = format!("{path}: handle 0x{h:08x} is stale: it was lent for a call that has returned");
    refused(st, ErrorCode::Handle, &want, "a borrow kept past its call");

    // Borrows inside a list, lent by the world's struct for the call, then ended.
    let (n1, n2) = (seen.note("ab"), seen.note("cde"));
    let first = a
        .lend_note(&[&n1, &n2], |hs| {
            check(ai.nhandles() == 2, "two lent borrows");
            check(a.stash_list(hs).unwrap() == 5, "stash-list reads the lent notes");
            hs[0].handle
        })
        .unwrap();
    check(ai.nhandles() == 0, "the lends ended");
    let want = format!("{path}: handle 0x{first:08x} is stale: it was lent for a call that has returned");
    refused(a.read_stash().unwrap(), ErrorCode::Handle, &want, "a borrow inside a list kept past its call");

    // A lent note is not the plugin's to drop.
    let st = a.drop_lent(&n).unwrap();
    let h = handle_in(&rdy::handle::last_error().unwrap_or_default());
    let want = format!("{path}: handle 0x{h:08x} is a borrow: only an own handle can be dropped or given away");
    refused(st, ErrorCode::Handle, &want, "drop-lent");
    check(seen.destroyed(None).is_empty(), "no destructor for a lent note");

    // Given and given back: the same object, and no destructor.
    let n = Box::new(seen.note("round trip"));
    let p: *const MyNote = &*n;
    a.keep(n).unwrap();
    let back = a.give_back().unwrap();
    check(core::ptr::eq(&*back, p), "give-back returns the object given");
    check(ai.nhandles() == 0 && seen.destroyed(None).is_empty(), "given back, not destroyed");
    check(a.give_back().err().map(|e| e.code()) == Some(ErrorCode::Trap), "nothing to give back traps");
    let id = back.id;
    drop(back);
    check(seen.destroyed(None) == [id], "the host drops what it got back");

    // A note the host makes when the plugin asks.
    let before = seen.made.load(Ordering::Relaxed);
    a.ask("asked").unwrap();
    check(seen.made.load(Ordering::Relaxed) == before + 1 && ai.nhandles() == 1, "made on request");
    check(a.drop_kept().unwrap() == 1 && seen.destroyed(Some(ai)) == [before + 1], "the asked note dropped");

    // A handle of A's, used by B through the plugin's static.
    a.keep(Box::new(seen.note("A's"))).unwrap();
    check(a.read_shared().unwrap() == 0, "A reads its own");
    let st = b.read_shared().unwrap();
    let h = handle_in(&rdy::handle::last_error().unwrap_or_default());
    let want = format!("{path}: handle 0x{h:08x} belongs to another instance, of {path}");
    refused(st, ErrorCode::Handle, &want, "another instance's handle");
    // That handle, lent to the host's `text` while A reads it, cannot be dropped from there [H-LEND].
    *seen.drop_in_text.lock().unwrap() = Some(h);
    check(a.read_shared().unwrap() == 0, "A reads its own again");
    let r = seen.dropped_in_text.lock().unwrap().take().expect("text tried the drop");
    let want = format!("{path}: handle 0x{h:08x} is lent to a call in progress");
    error_is(&r.unwrap_err(), ErrorCode::Busy, &want, "a drop of a lent handle");
    check(seen.destroyed(None).is_empty() && ai.nhandles() == 1, "the lent note lives on");

    // Handles inside a list reach the host as handles, resolved for the calling instance.
    a.keep(Box::new(seen.note("defgh"))).unwrap();
    check(rdy::calling().is_null(), "no calling instance outside a call");
    check(a.total_kept(false).unwrap().get() == Ok(&8), "total of the kept notes");
    let r = a.total_kept(true).unwrap();
    check(r.get() == Err(&rdy::sys::RDY_ETRAP), "a refused handle traps the host's function");
    let e = seen.refused.lock().unwrap().take().expect("the host saw the refusal");
    error_is(&e, ErrorCode::Handle, &format!("{path}: handle 0x000ffffe was never issued"), "a forged handle");
    check(b.total_kept(false).unwrap().get() == Ok(&0), "B keeps none");
    check(rdy::calling().is_null(), "no calling instance after a call");
    // SAFETY: no call is running: the helper refuses before it reads a handle.
    let e = unsafe { MyNote::with_rep(1, |_| ()) }.err().expect("no instance is calling");
    check(e.code() == ErrorCode::Inval && e.message().starts_with("Note::with_rep: no instance"), "with_rep outside a call");
    check(a.drop_kept().unwrap() == 2 && seen.destroyed(Some(ai)).len() == 2, "both dropped");

    // A panic in the host's function reaches the plugin as RDY_ETRAP.
    let n = seen.note(PANIC_TEXT);
    check(a.peek(&n).err().map(|e| e.code()) == Some(ErrorCode::Trap), "a panic in text");
    check(ai.nhandles() == 0, "the lend ended on unwinding");
    drop(n);
    seen.destroyed(None);

    // The world's handle functions: a note as a handle, read, taken back, dropped.
    // SAFETY (each unsafe block below): this thread alone uses these handles.
    let own = a.new_note(Box::new(seen.note("x"))).unwrap();
    check(unsafe { a.with_note(own.handle, |n| n.text.lock().unwrap().clone()) }.unwrap() == "x", "with_note");
    let x = unsafe { a.take_note(own) }.unwrap();
    check(*x.text.lock().unwrap() == "x" && seen.destroyed(None).is_empty(), "take_note gives the object back");
    let want = format!("{path}: handle 0x{:08x} is stale: it was dropped", own.handle);
    error_is(&unsafe { a.drop_note(own) }.unwrap_err(), ErrorCode::Handle, &want, "a taken handle");
    let own = a.new_note(x).unwrap();
    let e = unsafe { b.with_note(own.handle, |_| ()) }.unwrap_err();
    let want = format!("{path}: handle 0x{:08x} belongs to another instance, of {path}", own.handle);
    error_is(&e, ErrorCode::Handle, &want, "another instance's note");
    unsafe { a.drop_note(own) }.unwrap();
    check(seen.destroyed(Some(ai)).len() == 1, "drop_note runs the destructor once");
    let want = format!("{path}: handle 0x{:08x} is stale: it was dropped", own.handle);
    error_is(&unsafe { a.with_note(own.handle, |_| ()) }.unwrap_err(), ErrorCode::Handle, &want, "a dropped note");

    // A folder of the plugin's holds the host's notes: dropping it drops them, in order.
    let f = Folder::new(&a).unwrap();
    let (f1, f2) = (seen.note("f1"), seen.note("f2"));
    let ids = [f1.id, f2.id];
    f.file(Box::new(f1)).unwrap();
    f.file(Box::new(f2)).unwrap();
    check(f.count().unwrap() == 2 && ai.nhandles() == 3, "a folder of two notes");
    drop(f);
    check(seen.destroyed(Some(ai)) == ids, "the folder's notes, destroyed in order");
    // A stale folder: refused before the note is given, which is dropped with the call.
    let raw = Folder::new(&a).unwrap().handle();
    let ghost = Folder::from_own(&a, raw);
    let late = seen.note("late");
    let late_id = late.id;
    let e = ghost.file(Box::new(late)).unwrap_err();
    error_is(&e, ErrorCode::Handle, &format!("{path}: handle 0x{:08x} is stale: it was dropped", raw.handle), "a stale folder");
    check(seen.destroyed(None) == [late_id] && ai.nhandles() == 0, "a refused call gives nothing");
    drop(ghost);

    // A panic in a destructor is caught; the plugin and the host go on.
    a.keep(Box::new(seen.note(PANIC_DROP))).unwrap();
    a.keep(Box::new(seen.note("after"))).unwrap();
    check(a.drop_kept().unwrap() == 2 && seen.destroyed(Some(ai)).len() == 2, "both destructors ran");
    check(a.peek(&seen.note("still")).unwrap().as_str() == Ok("still"), "the instance goes on");
    seen.destroyed(None);

    // Drop order: objects keep the instance; freeing it destroys what it holds.
    let (k1, k2, k3) = (seen.note("k1"), seen.note("k2"), seen.note("k3"));
    let (kept, filed) = ([k1.id, k2.id], k3.id);
    a.keep(Box::new(k1)).unwrap();
    a.keep(Box::new(k2)).unwrap();
    let f = Folder::new(&a).unwrap();
    f.file(Box::new(k3)).unwrap();
    let inst = ai.as_ptr() as usize;
    drop(a);
    check(seen.destroyed.lock().unwrap().is_empty(), "dropping the struct frees nothing");
    check(f.count().unwrap() == 1, "the folder works after the struct is gone");
    drop(f);
    let mut runs = std::mem::take(&mut *seen.destroyed.lock().unwrap());
    check(runs.first() == Some(&(filed, inst)), &format!("the folder's note first: {runs:?}"));
    runs.remove(0);
    runs.sort();
    check(runs == [(kept[0], inst), (kept[1], inst)], &format!("then the kept ones, by the kill: {runs:?}"));
    drop(b);
    check(seen.destroyed.lock().unwrap().is_empty(), "B held nothing");
    match module.close() {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::Kept => {}
        Err(e) => check(false, &format!("close: {e}")),
    }
    println!("host_notes: {path}: ok ({} notes made)", seen.made.load(Ordering::Relaxed));
}

fn main() {
    let world = bindings::world().expect("world");
    let paths: Vec<String> = std::env::args().skip(1).collect();
    check(!paths.is_empty(), "usage: host_notes PLUGIN.so...");
    for p in &paths {
        run(&world, p);
    }
}
