//! The notes tests' plugin (tests/res/notes, world test:notes/notes) in
//! Rust: tests/res/plugin_notes.c through `rdy gen rust --side plugin`.  It
//! holds handles to the host's notes (test:notes/pad), and misuses them
//! where a test asks it to, exactly as the C plugin does: the same limits,
//! the same values returned, the same static shared by every instance, so
//! that tests/res's C hosts of this world run it unchanged.
//!
//! Where the C plugin returns RDY_ETRAP (a full keep or folder, nothing to
//! give back), this one panics through `resume_unwind`, which the generated
//! export catches as RDY_ETRAP without running the panic hook: the property
//! test provokes thousands of them, and each would otherwise print a
//! message.  Where the C plugin returns a refused host call's status as its
//! own (peek, drop-kept, stash-list, ask), this one traps too, since a
//! Rust export fails only by trapping; no test of the world tells the two
//! apart.

mod bindings;
use bindings::{Folder, Guest, Host, NoteBorrow, NoteOwn, User};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

const MAX_KEPT: usize = 8;
const FOLDER_MAX: usize = 16;

/// A handle kept where every instance sees it: what read-shared uses.
static SHARED: AtomicU32 = AtomicU32::new(0);

/// RDY_ETRAP for the host, quietly: the export's guard catches the unwind.
/// No lock may be held then, or it would be poisoned for every later call.
fn trap() -> ! {
    std::panic::resume_unwind(Box::new(()))
}

struct State {
    kept: Vec<NoteOwn>,
    stash: NoteBorrow,
}

struct Plugin {
    host: Host,
    state: Mutex<State>,
}

impl Guest for Plugin {
    fn new(host: Host) -> Self {
        Plugin { host, state: Mutex::new(State { kept: Vec::new(), stash: NoteBorrow { handle: 0 } }) }
    }
}

impl Plugin {
    fn keep_it(&self, n: NoteOwn) {
        let kept = {
            let mut s = self.state.lock().unwrap();
            let room = s.kept.len() < MAX_KEPT;
            if room {
                s.kept.push(n);
            }
            room
        };
        if !kept {
            trap();
        }
        SHARED.store(n.handle, Ordering::Relaxed);
    }

    /// The status of the host's `text` of HANDLE: the text is released at once.
    fn text_status(&self, handle: u32) -> i32 {
        match self.host.pad_note_text(NoteBorrow { handle }) {
            Ok(_) => 0,
            Err(st) => st,
        }
    }
}

/// A folder of the host's notes: each note is dropped when the folder is.
struct MyFolder {
    host: Host,
    notes: Mutex<Vec<NoteOwn>>,
}

impl Drop for MyFolder {
    fn drop(&mut self) {
        for n in self.notes.get_mut().unwrap().drain(..) {
            let _ = self.host.drop_note(n);
        }
    }
}

impl Folder<Plugin> for MyFolder {
    fn new(inst: &Plugin) -> Self {
        MyFolder { host: inst.host, notes: Mutex::new(Vec::new()) }
    }
    fn file(&self, inst: &Plugin, n: NoteOwn) {
        let filed = {
            let mut notes = self.notes.lock().unwrap();
            let room = notes.len() < FOLDER_MAX;
            if room {
                notes.push(n);
            }
            room
        };
        if !filed {
            let _ = inst.host.drop_note(n);
            trap();
        }
    }
    fn count(&self, _inst: &Plugin) -> u32 {
        self.notes.lock().unwrap().len() as u32
    }
}

impl User for Plugin {
    type Folder = MyFolder;

    fn keep(&self, n: NoteOwn) {
        self.keep_it(n);
    }

    fn drop_kept(&self) -> u32 {
        let kept = std::mem::take(&mut self.state.lock().unwrap().kept);
        for n in &kept {
            if self.host.drop_note(*n).is_err() {
                trap();
            }
        }
        kept.len() as u32
    }

    fn peek(&self, n: NoteBorrow) -> String {
        match self.host.pad_note_text(n) {
            Ok(t) => String::from_utf8_lossy(t.as_bytes()).into_owned(),
            Err(_) => trap(),
        }
    }

    fn drop_lent(&self, n: NoteBorrow) -> i32 {
        match self.host.drop_note(NoteOwn { handle: n.handle }) {
            Ok(()) => 0,
            Err(st) => st,
        }
    }

    fn stash(&self, n: NoteBorrow) {
        self.state.lock().unwrap().stash = n; // the bug: a borrow lives only for its call
    }

    fn read_stash(&self) -> i32 {
        let stash = self.state.lock().unwrap().stash;
        self.text_status(stash.handle)
    }

    fn stash_list(&self, notes: &[NoteBorrow]) -> u32 {
        let mut len = 0u32;
        for n in notes {
            match self.host.pad_note_text(*n) {
                Ok(t) => len += t.len as u32,
                Err(_) => trap(),
            }
        }
        if let Some(first) = notes.first() {
            self.state.lock().unwrap().stash = *first; // the bug again, inside a list
        }
        len
    }

    fn give_back(&self) -> NoteOwn {
        let last = self.state.lock().unwrap().kept.pop();
        last.unwrap_or_else(|| trap())
    }

    fn ask(&self, text: &str) {
        match self.host.pad_make(text) {
            Ok(n) => self.keep_it(n),
            Err(_) => trap(),
        }
    }

    fn read_shared(&self) -> i32 {
        self.text_status(SHARED.load(Ordering::Relaxed))
    }

    fn total_kept(&self, forge: bool) -> Result<u32, i32> {
        let mut list: Vec<NoteBorrow> =
            self.state.lock().unwrap().kept.iter().map(|n| NoteBorrow { handle: n.handle }).collect();
        if forge {
            list.push(NoteBorrow { handle: 0x000f_fffe });
        }
        self.host.pad_total(&list)
    }
}

bindings::export!(Plugin => crate::bindings);
