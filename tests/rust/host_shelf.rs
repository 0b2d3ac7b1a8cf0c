//! A Rust host of wit/shelf (test:shelf/app) through `rdy gen rust --side
//! host`, calling plugin_shelf.rs: what the notes world does not reach of
//! the host-implemented resources.  The host's books and shelves are its
//! objects: a fallible constructor makes its handle itself (`into_own`), a
//! method takes an own book (the other one, consumed), static functions
//! make a book and compare two lent ones, a shelf gives a book back inside
//! an option, the titles of lent books are read through the calling
//! instance.  One call carrying a book of the host's and a reader of the
//! plugin's, and one carrying two readers, are refused on their last
//! handle: what was given or taken before is undone, the host's or the
//! plugin's destructor running once.  A second Imports type's helpers are
//! refused inside a call of the first's.  Every destructor is checked, with
//! the instance calling it.

mod bindings;

use bindings::{App, Book, BookBorrow, BookOwn, Imports, Reader, Shelf};
use rdy::ErrorCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// What the host's side saw.
#[derive(Default)]
struct Seen {
    /// What was destroyed, by title ("shelf" for a shelf), in order, and the instance calling.
    destroyed: Mutex<Vec<(String, usize)>>,
    /// What another host type's helper answered inside a call.
    foreign: Mutex<Option<rdy::Error>>,
}

impl Seen {
    fn book(self: &Arc<Self>, title: &str, pages: u32) -> MyBook {
        MyBook { title: title.to_string(), pages: AtomicU32::new(pages), seen: Arc::clone(self) }
    }
    fn destroyed(&self) -> Vec<(String, usize)> {
        std::mem::take(&mut *self.destroyed.lock().unwrap())
    }
}

struct MyBook {
    title: String,
    pages: AtomicU32,
    seen: Arc<Seen>,
}

impl Drop for MyBook {
    fn drop(&mut self) {
        self.seen.destroyed.lock().unwrap().push((self.title.clone(), rdy::calling() as usize));
    }
}

struct MyShelf {
    books: Mutex<Vec<Box<MyBook>>>,
    seen: Arc<Seen>,
}

impl Drop for MyShelf {
    fn drop(&mut self) {
        self.seen.destroyed.lock().unwrap().push(("shelf".to_string(), rdy::calling() as usize));
    }
}

/// The host; `Host<true>` is another Imports type, never instantiated.
struct Host<const OTHER: bool>(Arc<Seen>);

impl<const O: bool> Book<Host<O>> for MyBook {
    fn new(host: &Host<O>, title: &str) -> Result<BookOwn, String> {
        if title.is_empty() {
            return Err("an empty title".to_string());
        }
        let book = Box::new(host.0.book(title, 10 * title.len() as u32));
        <MyBook as Book<Host<O>>>::into_own(book).map_err(|e| e.to_string())
    }
    fn title(&self, _host: &Host<O>) -> String {
        self.title.clone()
    }
    fn pages(&self, _host: &Host<O>) -> u32 {
        self.pages.load(Ordering::Relaxed)
    }
    fn merge(&self, _host: &Host<O>, other: Box<Self>) {
        self.pages.fetch_add(other.pages.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    fn blank(host: &Host<O>, pages: u32) -> Box<Self> {
        Box::new(host.0.book("blank", pages))
    }
    fn compare(_host: &Host<O>, a: &Self, b: &Self) -> i32 {
        a.pages.load(Ordering::Relaxed).cmp(&b.pages.load(Ordering::Relaxed)) as i32
    }
}

impl<const O: bool> Shelf<Host<O>> for MyShelf {
    fn new(host: &Host<O>) -> Self {
        MyShelf { books: Mutex::new(Vec::new()), seen: Arc::clone(&host.0) }
    }
    fn put(&self, _host: &Host<O>, b: Box<MyBook>) {
        self.books.lock().unwrap().push(b);
    }
    fn take_last(&self, _host: &Host<O>) -> Option<BookOwn> {
        let last = self.books.lock().unwrap().pop()?;
        Some(<MyBook as Book<Host<O>>>::into_own(last).expect("a handle for the calling instance"))
    }
    fn count(&self, _host: &Host<O>) -> u32 {
        self.books.lock().unwrap().len() as u32
    }
}

impl<const O: bool> Imports for Host<O> {
    type Book = MyBook;
    type Shelf = MyShelf;
    fn store_titles(&self, books: &[BookBorrow]) -> Vec<String> {
        if let Some(b) = books.first() {
            // The other host type's helper: this call's instance is not one of its.
            // SAFETY: the plugin lent the books for this call, on this thread.
            let r = unsafe { <MyBook as Book<Host<true>>>::with_rep(b.handle, |_| ()) };
            *self.0.foreign.lock().unwrap() = r.err();
        }
        books
            .iter()
            // SAFETY: as above.
            .map(|b| unsafe { <MyBook as Book<Self>>::with_rep(b.handle, |x| x.title.clone()) }.expect("a lent book"))
            .collect()
    }
}

fn check(cond: bool, what: &str) {
    if !cond {
        eprintln!("FAIL: {what}");
        std::process::exit(1);
    }
}

fn titled(v: &[(String, usize)]) -> Vec<(&str, usize)> {
    v.iter().map(|(t, i)| (t.as_str(), *i)).collect()
}

fn stale(e: rdy::Error, path: &str, handle: u32, what: &str) {
    let want = format!("{path}: handle 0x{handle:08x} is stale: it was dropped");
    check(e.code() == ErrorCode::Handle && e.message() == want, &format!("{what}: {e:?}, want {want:?}"));
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: host_shelf PLUGIN.so");
        std::process::exit(2)
    });
    let world = bindings::world().expect("world");
    let module = rdy::Module::open(&world, &path).expect("open");
    let seen = Arc::new(Seen::default());
    let app = App::instantiate(&module, Host::<false>(Arc::clone(&seen))).expect("instantiate");
    let ai = app.instance().as_ptr() as usize;

    // A fallible constructor: the host makes the handle itself, for the calling instance.
    check(matches!(app.make("Dune").unwrap().get(), Ok(&40)), "make");
    check(titled(&seen.destroyed()) == [("Dune", ai)], "the plugin dropped the new book");
    let r = app.make("").unwrap();
    check(r.get().err().map(|s| s.as_str()) == Some(Ok("an empty title")), "the constructor's error");
    drop(r);
    check(seen.destroyed().is_empty(), "no book for an empty title");

    // A method with an own parameter: the other book is the host's again, and gone.
    let a = Box::new(seen.book("A", 10));
    let pa: *const MyBook = &*a;
    let m = app.merge_into(a, Box::new(seen.book("B", 5))).unwrap();
    check(core::ptr::eq(&*m, pa) && m.pages.load(Ordering::Relaxed) == 15, "merge-into gives A back, merged");
    check(titled(&seen.destroyed()) == [("B", ai)], "B dropped inside the host's merge, A calling");

    // Static functions: a new book, and two lent books compared.
    for (pages, want) in [(20, -1), (15, 0), (3, 1)] {
        check(app.compare_blank(&m, pages).unwrap() == want, &format!("compare-blank {pages}"));
        check(titled(&seen.destroyed()) == [("blank", ai)], "the blank book dropped by the plugin");
    }

    // A handle inside an option, made by the host's function: the same object comes back.
    let back = app.round_trip(m).unwrap();
    check(core::ptr::eq(&*back, pa), "round-trip gives the same book back");
    check(titled(&seen.destroyed()) == [("shelf", ai)], "the empty shelf dropped by the plugin");

    // Handles inside a list, lent by the world's struct, read through the calling instance.
    let (x, y) = (seen.book("x", 1), seen.book("y", 2));
    let titles = app
        .lend_book(&[&x, &y], |hs| {
            let t = app.titles(hs).unwrap();
            t.as_slice().iter().map(|s| s.as_str().unwrap().to_string()).collect::<Vec<_>>()
        })
        .unwrap();
    check(titles == ["x", "y"], &format!("titles: {titles:?}"));
    let e = seen.foreign.lock().unwrap().take().expect("the other host type's helper was refused");
    check(
        e.code() == ErrorCode::Inval && e.message().starts_with("Book::with_rep: no instance of this host's is calling"),
        &format!("another host type: {e:?}"),
    );
    check(app.instance().nhandles() == 0, "the lends ended");

    // The plugin's readers hold the host's books.
    let r1 = Reader::new(&app).unwrap();
    r1.hold(Box::new(seen.book("r1", 20))).unwrap();
    check(r1.pages().unwrap() == 20, "a reader's book");
    let r2 = app.reader_with(Box::new(seen.book("r2", 30))).unwrap();
    check(r2.pages().unwrap() == 30 && app.instance().nhandles() == 4, "two readers, two books");

    // Two readers taken, the second stale: the first, taken already, is destroyed (its book with it).
    let raw = Reader::new(&app).unwrap().handle();
    let e = app.retire(r1, Reader::from_own(&app, raw)).unwrap_err();
    stale(e, &path, raw.handle, "retire with a stale reader");
    check(titled(&seen.destroyed()) == [("r1", ai)], "the reader taken first destroyed, once");
    check(app.instance().nhandles() == 2, "r2 and its book are left");

    // A book given, then a stale reader: the book's new handle is dropped, the host's destructor runs.
    let raw = Reader::new(&app).unwrap().handle();
    let e = app.lend_to(Box::new(seen.book("given", 1)), Reader::from_own(&app, raw)).unwrap_err();
    stale(e, &path, raw.handle, "lend-to with a stale reader");
    check(titled(&seen.destroyed()) == [("given", ai)], "the given book destroyed, once");
    check(app.lend_to(Box::new(seen.book("lt", 7)), Reader::new(&app).unwrap()).unwrap() == 7, "lend-to");
    check(titled(&seen.destroyed()) == [("lt", ai)], "the reader and its book dropped by the plugin");
    app.retire(r2, Reader::new(&app).unwrap()).unwrap();
    check(titled(&seen.destroyed()) == [("r2", ai)] && app.instance().nhandles() == 0, "retire");

    // The world's handle functions for a shelf: made a handle, read, taken back.
    let own = app.new_shelf(Box::new(MyShelf { books: Mutex::new(Vec::new()), seen: Arc::clone(&seen) })).unwrap();
    // SAFETY (each unsafe block below): this thread alone uses the handle.
    check(unsafe { app.with_shelf(own.handle, |s| s.books.lock().unwrap().len()) }.unwrap() == 0, "with_shelf");
    let s = unsafe { app.take_shelf(own) }.unwrap();
    stale(unsafe { app.drop_shelf(own) }.unwrap_err(), &path, own.handle, "a taken shelf");
    drop(s);
    check(titled(&seen.destroyed()) == [("shelf", 0)], "the host drops what it took back");
    check(rdy::calling().is_null(), "no calling instance outside a call");

    drop((back, x, y));
    seen.destroyed();
    drop(app);
    check(seen.destroyed().is_empty(), "nothing was left in the instance");
    match module.close() {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::Kept => {}
        Err(e) => check(false, &format!("close: {e}")),
    }
    println!("host_shelf: {path}: ok");
}
