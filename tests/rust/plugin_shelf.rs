//! The plugin of wit/shelf (test:shelf/app), in Rust: it uses every kind of
//! function of the host's books and shelves (a fallible constructor, methods
//! with own and borrow parameters, static functions, a handle inside an
//! option, handles inside a list), and its readers are objects of its own
//! that hold books of the host's, so that one call carries both.  A status
//! the host refuses with traps: the host's test sees RDY_ETRAP.

mod bindings;
use bindings::{BookBorrow, BookOwn, Guest, Host, Reader, Reading, ShelfBorrow};
use std::sync::Mutex;

struct Plugin {
    host: Host,
}

impl Guest for Plugin {
    fn new(host: Host) -> Self {
        Plugin { host }
    }
}

fn ok<T>(r: Result<T, i32>, what: &str) -> T {
    r.unwrap_or_else(|st| panic!("{what}: status {st}"))
}

fn borrow(b: BookOwn) -> BookBorrow {
    BookBorrow { handle: b.handle }
}

/// A reader holds one book of the host's at most; dropping it drops the book.
struct MyReader {
    host: Host,
    book: Mutex<Option<BookOwn>>,
}

impl Drop for MyReader {
    fn drop(&mut self) {
        if let Some(b) = self.book.get_mut().unwrap().take() {
            let _ = self.host.drop_book(b);
        }
    }
}

impl Reader<Plugin> for MyReader {
    fn new(inst: &Plugin) -> Self {
        MyReader { host: inst.host, book: Mutex::new(None) }
    }
    fn hold(&self, inst: &Plugin, b: BookOwn) {
        let before = self.book.lock().unwrap().replace(b);
        if let Some(old) = before {
            ok(inst.host.drop_book(old), "drop the book held before");
        }
    }
    fn pages(&self, inst: &Plugin) -> u32 {
        let held = *self.book.lock().unwrap();
        held.map_or(0, |b| ok(inst.host.store_book_pages(borrow(b)), "pages"))
    }
}

impl Reading for Plugin {
    type Reader = MyReader;

    fn make(&self, title: &str) -> Result<u32, String> {
        let r = ok(self.host.store_book_new(title), "the constructor");
        match r.get() {
            Ok(b) => {
                let pages = ok(self.host.store_book_pages(borrow(*b)), "pages");
                ok(self.host.drop_book(*b), "drop the new book");
                Ok(pages)
            }
            Err(e) => Err(e.as_str().unwrap_or("not UTF-8").to_string()),
        }
    }

    fn merge_into(&self, a: BookOwn, b: BookOwn) -> BookOwn {
        ok(self.host.store_book_merge(borrow(a), b), "merge");
        a
    }

    fn compare_blank(&self, b: BookBorrow, pages: u32) -> i32 {
        let blank = ok(self.host.store_book_blank(pages), "blank");
        let c = ok(self.host.store_book_compare(b, borrow(blank)), "compare");
        ok(self.host.drop_book(blank), "drop the blank book");
        c
    }

    fn round_trip(&self, b: BookOwn) -> BookOwn {
        let s = ok(self.host.store_shelf_new(), "a shelf");
        let sb = ShelfBorrow { handle: s.handle };
        ok(self.host.store_shelf_put(sb, b), "put");
        assert_eq!(ok(self.host.store_shelf_count(sb), "count"), 1);
        let back = ok(self.host.store_shelf_take_last(sb), "take-last");
        assert_eq!(ok(self.host.store_shelf_count(sb), "count"), 0);
        ok(self.host.drop_shelf(s), "drop the shelf");
        *back.get().expect("the book put")
    }

    fn titles(&self, books: &[BookBorrow]) -> Vec<String> {
        let t = ok(self.host.store_titles(books), "titles");
        t.as_slice().iter().map(|s| s.as_str().unwrap_or("not UTF-8").to_string()).collect()
    }

    fn retire(&self, a: Box<MyReader>, b: Box<MyReader>) {
        drop(a);
        drop(b);
    }

    fn lend_to(&self, b: BookOwn, r: Box<MyReader>) -> u32 {
        r.hold(self, b);
        r.pages(self)
    }

    fn reader_with(&self, b: BookOwn) -> Box<MyReader> {
        let r = MyReader::new(self);
        r.hold(self, b);
        Box::new(r)
    }
}

bindings::export!(Plugin => crate::bindings);
