//! sentences: a text filter written in Rust, a plugin of the same world as
//! the C filters (examples/filters/wit), loaded by the same hosts.
//!
//! It numbers the sentences of a text ("[1] ", "[2] ", ... at the start of
//! each) and, in check, counts the words of each.  Like capitalize.c, its
//! suggest is the heart of it: apply makes the edits suggest proposes, so
//! the two never disagree.  It reads the host's policy (a record with flags)
//! once per instance and logs through the host, both imports.
//!
//! The module `bindings` is what `rdy gen rust examples/filters/wit --side
//! plugin` writes; the demo builds this file with plain rustc as a cdylib:
//!
//!   rustc --edition 2021 -D warnings -O --crate-type cdylib sentences.rs
#![deny(unsafe_op_in_unsafe_fn)]

mod bindings;

use bindings::{
    Caps, Edit, FilterError, Finding, Guest, Host, Identity, Limits, RdyIntoAbi, RdyString, RdyTuple2, Severity, Span,
};

/// One instance: the host's imports and its policy, read when it starts.
struct Sentences {
    host: Host,
    limits: Limits,
}

impl Guest for Sentences {
    fn new(host: Host) -> Self {
        // A host that cannot say its policy cannot be served: the panic
        // reaches it as RDY_ETRAP from instance_new, and no instance is made.
        let limits = host.host_policy().expect("the host's policy");
        Sentences { host, limits }
    }
}

/// Whether C ends a sentence.
fn ends_sentence(c: u8) -> bool {
    matches!(c, b'.' | b'!' | b'?')
}

/// The sentences of TEXT, as spans: each from its first byte that is not a
/// space to its full stop (or the text's last byte that is not a space).
fn sentences(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && !ends_sentence(bytes[i]) {
            i += 1;
        }
        let mut end = (i + 1).min(bytes.len());
        while end > start && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        found.push(Span { start: offset(start), len: offset(end - start) });
        i = end.max(i + 1);
    }
    found
}

/// An offset into a text the filter accepted, which fits a span's u32.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("offsets fit: longer texts are refused first")
}

/// The words of SPAN in TEXT: runs of letters, as the C filters count them.
fn words(text: &str, at: &Span) -> usize {
    let s = &text.as_bytes()[at.start as usize..(at.start + at.len) as usize];
    s.split(|c| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).count()
}

/// The edits that number TEXT's sentences: an insertion at each one's start.
fn numbering(text: &str) -> Vec<Edit> {
    sentences(text)
        .iter()
        .enumerate()
        .map(|(n, at)| Edit::insert(RdyTuple2 { f0: at.start, f1: RdyString::new(&format!("[{}] ", n + 1)) }))
        .collect()
}

/// TEXT with EDITS (insertions, in order) made.
fn make_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 8 * edits.len());
    let mut from = 0;
    for e in edits {
        let ins = e.as_insert().expect("numbering makes insertions only");
        let at = ins.f0 as usize;
        out.push_str(&text[from..at]);
        out.push_str(ins.f1.as_str().expect("our own text"));
        from = at;
    }
    out.push_str(&text[from..]);
    out
}

/// Frees edits that the host will never see (results it does see are
/// freed by the generated release function).
fn discard(edits: Vec<Edit>) {
    for mut e in edits {
        // SAFETY: each edit's string was made by RdyString::new, in malloc'd
        // memory, and is owned by this vector alone.
        unsafe { bindings::RdyFree::rdy_free(&mut e) };
    }
}

impl bindings::Filter for Sentences {
    fn about(&self) -> Identity {
        Identity {
            name: RdyString::new("sentences"),
            summary: RdyString::new("Numbers the sentences and counts their words; written in Rust."),
            caps: Caps::REWRITES | Caps::CHECKS,
        }
    }

    fn check(&self, text: &str) -> Vec<Finding> {
        if u32::try_from(text.len()).is_err() {
            return Vec::new();
        }
        let all = sentences(text);
        all.iter()
            .enumerate()
            .map(|(n, at)| Finding {
                severity: Severity::INFO,
                at: Some(*at).into_abi(),
                message: RdyString::new(&format!("sentence {} of {}: {} words", n + 1, all.len(), words(text, at))),
            })
            .collect()
    }

    fn apply(&self, text: &str) -> Result<String, FilterError> {
        if !self.limits.granted.contains(Caps::REWRITES) {
            return Err(FilterError::unsupported());
        }
        if text.len() as u64 > self.limits.max_input {
            return Err(FilterError::too_large(self.limits.max_input));
        }
        let edits = numbering(text);
        let out = make_edits(text, &edits);
        // A host that fails to log is no reason for the filter to fail.
        let _ = self.host.host_log(Severity::INFO, &format!("numbered {} sentences", edits.len()));
        discard(edits);
        Ok(out)
    }

    fn suggest(&self, text: &str) -> Vec<Edit> {
        if u32::try_from(text.len()).is_err() {
            return Vec::new();
        }
        numbering(text)
    }
}

bindings::export!(Sentences => crate::bindings);
