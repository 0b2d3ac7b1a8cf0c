#!/usr/bin/env python3
"""The round-trip test's Rust plugin: from gen_roundtrip.py's type table,

  lib.rs    a plugin of world test:roundtrip/rt over the module that
            `rdy gen rust --side plugin` writes (bindings.rs, next to it),
            doing for every case what plugin.c does: echo returns a deep
            copy of its arguments, xform their transform, and relay
            transforms them, has the host transform them again through its
            import, and returns a copy of what the host returned

usage: gen_roundtrip_rust.py OUTDIR

The signatures of the plugin's functions are spelled here from the rules of
docs/cli.md ("rdy gen rust", Types and The plugin side), independently of
the generator: a binding that spells a type otherwise fails to compile.
The operations work on the ABI types (the C layouts): each parameter's view
becomes its ABI value (borrowed), which the operation copies or transforms
into malloc'd memory, exactly as rt_ops.h does in C; the result then becomes
the owned Rust value the signature returns, which the generated code copies
back into malloc'd memory for the host.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_roundtrip as g  # noqa: E402

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
}

PRIM_RS = {"u8": "u8", "u16": "u16", "u32": "u32", "u64": "u64", "s8": "i8", "s16": "i16", "s32": "i32",
           "s64": "i64", "f32": "f32", "f64": "f64"}


def camel(n):
    return "".join(p[:1].upper() + p[1:] for p in n.split("-"))


def field(n):
    s = g.snake(n)
    return s + "_" if s in RUST_KEYWORDS else s


def kind_of(name):
    return g.DEFMAP[name][1]


def abi(t):
    """The ABI type (docs/cli.md, Types) of T, as Rust spells it."""
    if t is None:
        return "()"
    k, a = t.kind, t.args
    if k == "prim":
        return {"bool": "RdyBool", "char": "RdyChar", "string": "RdyString"}.get(a[0]) or PRIM_RS[a[0]]
    if k == "ref":
        if kind_of(a[0]) == "alias":
            return abi(g.DEFMAP[a[0]][2])
        return camel(a[0])
    if k == "list":
        return f"RdyList<{abi(a[0])}>"
    if k == "fixed":
        return "RdyEmpty" if a[1] == 0 else f"[{abi(a[0])}; {a[1]}]"
    if k == "option":
        return f"RdyOption<{abi(a[0])}>"
    if k == "result":
        return f"RdyResult<{abi(a[0])}, {abi(a[1])}>"
    if k == "tuple":
        if not a[0]:
            return "RdyEmpty"
        return f"RdyTuple{len(a[0])}<" + ", ".join(abi(e) for e in a[0]) + ">"
    if k == "map":
        return f"RdyList<RdyTuple2<{abi(a[0])}, {abi(a[1])}>>"
    raise AssertionError(k)


def view(t):
    """What an export's parameter of type T arrives as."""
    if t is None:
        return "()"
    t = g.resolve(t)
    k, a = t.kind, t.args
    if k == "prim":
        return {"bool": "bool", "char": "char", "string": "&str"}.get(a[0]) or PRIM_RS[a[0]]
    if k == "list":
        return f"&[{abi(a[0])}]"
    if k == "map":
        return f"&[RdyTuple2<{abi(a[0])}, {abi(a[1])}>]"
    if k == "option":
        return f"Option<{view(a[0])}>"
    if k == "result":
        return f"Result<{view(a[0])}, {view(a[1])}>"
    if g.by_value(t):
        return abi(t)
    return "&" + abi(t)


def has_map(t):
    if t is None:
        return False
    t = g.resolve(t)
    if t.kind == "map":
        return True
    if t.kind in ("list", "option"):
        return has_map(t.args[0])
    if t.kind == "result":
        return has_map(t.args[0]) or has_map(t.args[1])
    return False


def owned(t):
    """What an export returns for type T: the owned Rust value."""
    if t is None:
        return "()"
    t = g.resolve(t)
    k, a = t.kind, t.args
    if k == "prim":
        return {"bool": "bool", "char": "char", "string": "String"}.get(a[0]) or PRIM_RS[a[0]]
    if k == "list":
        # The Own trait below turns every RdyList inside into a Vec: no map may sit there.
        assert not has_map(a[0]), t
        return f"Vec<{owned(a[0])}>"
    if k == "option":
        assert not has_map(a[0]), t
        return f"Option<{owned(a[0])}>"
    if k == "result":
        assert not has_map(a[0]) and not has_map(a[1]), t
        return f"Result<{owned(a[0])}, {owned(a[1])}>"
    return abi(t)


def host_arg(t, x, string, boolean, char):
    """X, an ABI value of type T, as a host-side Rust function takes it:
    STRING, BOOLEAN and CHAR (formats of X) for those, a slice for a list,
    else by value or by reference as the ABI passes it."""
    r = g.resolve(t)
    prims = {"string": string, "bool": boolean, "char": char}
    if r.kind == "prim" and r.args[0] in prims:
        return prims[r.args[0]].format(x=x)
    if r.kind == "list":
        return f"{x}.as_slice()"
    if g.by_value(r):
        return x
    return "&" + x


def import_arg(t, x):
    """The host's import takes X (an ABI value) as: &str and slices for strings and lists."""
    return host_arg(t, x, '{x}.as_str().expect("the transform makes UTF-8")', "{x}.0 != 0",
                    'char::from_u32({x}.0).expect("the transform makes scalar values")')


def tuple_arities():
    seen = set()

    def walk(t):
        if t is None:
            return
        if t.kind == "tuple":
            if t.args[0]:
                seen.add(len(t.args[0]))
            for e in t.args[0]:
                walk(e)
        elif t.kind == "map":
            seen.add(2)
            walk(t.args[0])
            walk(t.args[1])
        elif t.kind in ("list", "fixed", "option"):
            walk(t.args[0])
        elif t.kind == "result":
            walk(t.args[0])
            walk(t.args[1])

    for name, kind, data, _ in g.DEFS + g.WORLD_DEFS:
        if kind == "alias":
            walk(data)
        elif kind == "record":
            for _, ft in data:
                walk(ft)
        elif kind == "variant":
            for _, ct in data:
                walk(ct)
    for c in g.CASES:
        for _, pt in c.params:
            walk(pt)
        walk(c.result)
    return sorted(seen)


PRELUDE = r'''//! Generated by tests/roundtrip/gen_roundtrip_rust.py: the round-trip
//! test's plugin in Rust, over the module `rdy gen rust --side plugin` wrote
//! for world test:roundtrip/rt.  For every case it does what plugin.c does:
//! echo returns a deep copy of its arguments, xform their transform (the
//! transforms of rt_ops.h), relay transforms them, has the host transform
//! them again and returns a copy of the host's result.
#![deny(unsafe_op_in_unsafe_fn)]

mod bindings;

use bindings::*;
use core::ffi::c_void;
use core::mem::{ManuallyDrop, MaybeUninit};
use std::sync::atomic::{AtomicU64, Ordering};

'''

# The operations on the ABI types, shared with the Rust host
# (gen_roundtrip_rust_host.py), which also needs c_void, ManuallyDrop and
# MaybeUninit in scope.
OPS = r'''extern "C" {
    fn malloc(n: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// Room for N values of T from malloc (null for none, as rt_alloc), which
/// the generated release functions free.
fn rt_alloc<T>(n: usize) -> *mut T {
    if n == 0 {
        return core::ptr::null_mut();
    }
    let size = n.checked_mul(core::mem::size_of::<T>()).expect("size");
    // SAFETY: malloc has no precondition.
    let p = unsafe { malloc(size) } as *mut T;
    if p.is_null() {
        std::process::abort();
    }
    p
}

/// Frees what rt_alloc (or the other side's malloc) returned.
fn rt_free<T>(p: *const T) {
    // SAFETY: P is null or came from malloc, and is freed once.
    unsafe { free(p as *mut c_void) };
}

// ---- the operations of rt_ops.h, on the ABI types --------------------------------

/// A deep copy and the transform, both in malloc'd memory.
trait Ops: Sized {
    fn copy(&self) -> Self;
    fn xform(&self) -> Self;
}

macro_rules! ops_int {
    ($($t:ty, $u:ty, $k:expr);*) => {$(
        impl Ops for $t {
            fn copy(&self) -> Self {
                *self
            }
            fn xform(&self) -> Self {
                (*self as $u).wrapping_mul($k).wrapping_add(1) as $t
            }
        }
    )*};
}
ops_int!(u8, u8, 37; u16, u16, 40503; u32, u32, 2654435761; u64, u64, 0x9e3779b97f4a7c15;
         i8, u8, 37; i16, u16, 40503; i32, u32, 2654435761; i64, u64, 0x9e3779b97f4a7c15);

impl Ops for f32 {
    fn copy(&self) -> Self {
        *self
    }
    fn xform(&self) -> Self {
        *self * 2.0
    }
}
impl Ops for f64 {
    fn copy(&self) -> Self {
        *self
    }
    fn xform(&self) -> Self {
        *self * 2.0
    }
}
impl Ops for () {
    fn copy(&self) -> Self {}
    fn xform(&self) -> Self {}
}
impl Ops for RdyBool {
    fn copy(&self) -> Self {
        RdyBool(self.0)
    }
    fn xform(&self) -> Self {
        RdyBool((self.0 == 0) as u8)
    }
}

const RT_NSCALARS: u32 = 0x10f800;

fn rt_valid_char(c: u32) -> bool {
    c < 0x110000 && !(0xd800..=0xdfff).contains(&c)
}

fn rt_xform_char(c: u32) -> u32 {
    if !rt_valid_char(c) {
        return 0xfffd;
    }
    let index = if c < 0xd800 { c } else { c - 0x800 };
    let i = (index + 0x1234) % RT_NSCALARS;
    if i < 0xd800 {
        i
    } else {
        i + 0x800
    }
}

impl Ops for RdyChar {
    fn copy(&self) -> Self {
        RdyChar(self.0)
    }
    fn xform(&self) -> Self {
        RdyChar(rt_xform_char(self.0))
    }
}

/// rt_utf8_get: the scalar at S[*I], advancing *I; U+FFFD for a byte that
/// does not start valid UTF-8.
fn rt_utf8_get(s: &[u8], i: &mut usize) -> u32 {
    let b = s[*i];
    let (mut c, n) = if b < 0x80 {
        *i += 1;
        return b as u32;
    } else if b & 0xe0 == 0xc0 {
        ((b & 0x1f) as u32, 1)
    } else if b & 0xf0 == 0xe0 {
        ((b & 0x0f) as u32, 2)
    } else if b & 0xf8 == 0xf0 {
        ((b & 0x07) as u32, 3)
    } else {
        *i += 1;
        return 0xfffd;
    };
    if *i + n >= s.len() {
        *i += 1;
        return 0xfffd;
    }
    for k in 1..=n {
        if s[*i + k] & 0xc0 != 0x80 {
            *i += 1;
            return 0xfffd;
        }
        c = (c << 6) | (s[*i + k] & 0x3f) as u32;
    }
    if c < [0x80, 0x800, 0x10000][n - 1] {
        *i += 1;
        return 0xfffd;
    }
    *i += n + 1;
    if rt_valid_char(c) {
        c
    } else {
        0xfffd
    }
}

fn rt_string(bytes: &[u8]) -> RdyString {
    let p = rt_alloc::<u8>(bytes.len() + 1);
    // SAFETY: P has room for the bytes.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
    RdyString { ptr: p, len: bytes.len() }
}

impl Ops for RdyString {
    fn copy(&self) -> Self {
        rt_string(self.as_bytes())
    }
    /// Each scalar transformed as a char, in reverse order.
    fn xform(&self) -> Self {
        let s = self.as_bytes();
        let mut cs = Vec::new();
        let mut i = 0;
        while i < s.len() {
            cs.push(rt_utf8_get(s, &mut i));
        }
        let mut out = String::new();
        for &c in cs.iter().rev() {
            out.push(char::from_u32(rt_xform_char(c)).expect("a scalar value"));
        }
        rt_string(out.as_bytes())
    }
}

fn rt_list<'a, T: 'a + Ops, I: ExactSizeIterator<Item = &'a T>>(it: I, xf: bool) -> RdyList<T> {
    let len = it.len();
    let p = rt_alloc::<T>(len);
    for (i, x) in it.enumerate() {
        // SAFETY: P has room for LEN values.
        unsafe { p.add(i).write(if xf { x.xform() } else { x.copy() }) };
    }
    RdyList { ptr: p, len }
}

/// Lists (and maps) come out reversed from xform.
impl<T: Ops> Ops for RdyList<T> {
    fn copy(&self) -> Self {
        rt_list(self.as_slice().iter(), false)
    }
    fn xform(&self) -> Self {
        rt_list(self.as_slice().iter().rev(), true)
    }
}
impl<T: Ops, const N: usize> Ops for [T; N] {
    fn copy(&self) -> Self {
        core::array::from_fn(|i| self[i].copy())
    }
    fn xform(&self) -> Self {
        core::array::from_fn(|i| self[N - 1 - i].xform())
    }
}
impl Ops for RdyEmpty {
    fn copy(&self) -> Self {
        RdyEmpty { reserved: 0 }
    }
    fn xform(&self) -> Self {
        RdyEmpty { reserved: 0 }
    }
}
fn rt_option<T>(v: Option<T>) -> RdyOption<T> {
    match v {
        Some(v) => RdyOption { is_some: 1, val: MaybeUninit::new(v) },
        None => RdyOption { is_some: 0, val: MaybeUninit::zeroed() },
    }
}
impl<T: Ops> Ops for RdyOption<T> {
    fn copy(&self) -> Self {
        rt_option(self.get().map(Ops::copy))
    }
    fn xform(&self) -> Self {
        rt_option(self.get().map(Ops::xform))
    }
}
fn rt_result<T: Copy, E: Copy>(v: Result<T, E>) -> RdyResult<T, E> {
    match v {
        Ok(v) => RdyResult { is_err: 0, val: RdyResultVal { ok: v } },
        Err(e) => RdyResult { is_err: 1, val: RdyResultVal { err: e } },
    }
}
impl<T: Ops + Copy, E: Ops + Copy> Ops for RdyResult<T, E> {
    fn copy(&self) -> Self {
        rt_result(self.get().map(Ops::copy).map_err(Ops::copy))
    }
    fn xform(&self) -> Self {
        rt_result(self.get().map(Ops::xform).map_err(Ops::xform))
    }
}

// ---- parameters: a view becomes its ABI value, borrowed ------------------------

trait ToAbi {
    type A;
    fn abi(&self) -> Self::A;
}
impl<T: Copy> ToAbi for &T {
    type A = T;
    fn abi(&self) -> T {
        **self
    }
}
impl ToAbi for &str {
    type A = RdyString;
    fn abi(&self) -> RdyString {
        RdyString::borrowed(self)
    }
}
impl<T> ToAbi for &[T] {
    type A = RdyList<T>;
    fn abi(&self) -> RdyList<T> {
        RdyList::borrowed(self)
    }
}
macro_rules! abi_self {
    ($($t:ty),*) => {$(
        impl ToAbi for $t {
            type A = $t;
            fn abi(&self) -> $t {
                *self
            }
        }
    )*};
}
abi_self!((), u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);
impl ToAbi for bool {
    type A = RdyBool;
    fn abi(&self) -> RdyBool {
        RdyBool(*self as u8)
    }
}
impl ToAbi for char {
    type A = RdyChar;
    fn abi(&self) -> RdyChar {
        RdyChar(*self as u32)
    }
}
impl<V: ToAbi> ToAbi for Option<V> {
    type A = RdyOption<V::A>;
    fn abi(&self) -> Self::A {
        rt_option(self.as_ref().map(ToAbi::abi))
    }
}
impl<V: ToAbi, E: ToAbi> ToAbi for Result<V, E>
where
    V::A: Copy,
    E::A: Copy,
{
    type A = RdyResult<V::A, E::A>;
    fn abi(&self) -> Self::A {
        rt_result(self.as_ref().map(ToAbi::abi).map_err(ToAbi::abi))
    }
}

// ---- results: an ABI value becomes the owned Rust value, its memory freed ------

trait Own {
    type O;
    fn own(self) -> Self::O;
}
impl Own for RdyString {
    type O = String;
    fn own(self) -> String {
        let s = String::from_utf8(self.as_bytes().to_vec()).expect("the transforms make UTF-8");
        rt_free(self.ptr);
        s
    }
}
impl Own for RdyBool {
    type O = bool;
    fn own(self) -> bool {
        self.0 != 0
    }
}
impl Own for RdyChar {
    type O = char;
    fn own(self) -> char {
        char::from_u32(self.0).expect("the transforms make scalar values")
    }
}
impl<T: Own> Own for RdyList<T> {
    type O = Vec<T::O>;
    fn own(self) -> Vec<T::O> {
        // SAFETY: the list owns its values, each moved out once before the buffer is freed.
        let v = (0..self.len).map(|i| unsafe { self.ptr.add(i).read() }.own()).collect();
        rt_free(self.ptr);
        v
    }
}
impl<T: Own> Own for RdyOption<T> {
    type O = Option<T::O>;
    fn own(self) -> Option<T::O> {
        // SAFETY: IS_SOME says VAL was written.
        (self.is_some != 0).then(|| unsafe { self.val.assume_init() }.own())
    }
}
impl<T: Own + Copy, E: Own + Copy> Own for RdyResult<T, E> {
    type O = Result<T::O, E::O>;
    fn own(self) -> Self::O {
        // SAFETY: IS_ERR says which member was written.
        unsafe {
            if self.is_err != 0 {
                Err(self.val.err.own())
            } else {
                Ok(self.val.ok.own())
            }
        }
    }
}
macro_rules! own_self {
    ($($t:ty),*) => {$(
        impl Own for $t {
            type O = $t;
            fn own(self) -> $t {
                self
            }
        }
    )*};
}
own_self!((), u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, RdyEmpty);
impl<T, const N: usize> Own for [T; N] {
    type O = [T; N];
    fn own(self) -> [T; N] {
        self
    }
}
'''


def gen_tuples():
    o = ["// ---- tuples ----------------------------------------------------------------", ""]
    for n in tuple_arities():
        ps = ", ".join(f"T{i}" for i in range(n))
        bounds = ", ".join(f"T{i}: Ops" for i in range(n))
        o += [f"impl<{bounds}> Ops for RdyTuple{n}<{ps}> {{"]
        for op in ("copy", "xform"):
            fs = ", ".join(f"f{i}: self.f{i}.{op}()" for i in range(n))
            o += [f"    fn {op}(&self) -> Self {{", f"        RdyTuple{n} {{ {fs} }}", "    }"]
        o += ["}", f"impl<{ps}> Own for RdyTuple{n}<{ps}> {{", "    type O = Self;",
              "    fn own(self) -> Self {", "        self", "    }", "}", ""]
    return o


def gen_named():
    o = ["// ---- the named types ---------------------------------------------------------", ""]
    for name, kind, data, _ in g.DEFS + g.WORLD_DEFS:
        if kind == "alias":
            continue  # an alias is the type it names
        ty = camel(name)
        o.append(f"// {kind} {name}")
        o += [f"impl Own for {ty} {{", "    type O = Self;", "    fn own(self) -> Self {", "        self", "    }", "}"]
        if g.by_value(g.T("ref", name)):
            o += [f"impl ToAbi for {ty} {{", f"    type A = {ty};", f"    fn abi(&self) -> {ty} {{", "        *self",
                  "    }", "}"]
        o.append(f"impl Ops for {ty} {{")
        for op in ("copy", "xform"):
            xf = op == "xform"
            body = []
            if kind == "record":
                if not data:
                    body = [f"{ty} {{ reserved: 0 }}"]
                else:
                    body = [f"{ty} {{"] + [f"    {field(f)}: self.{field(f)}.{op}()," for f, _ in data] + ["}"]
            elif kind == "variant":
                if all(ct is None for _, ct in data):
                    body = [f"{ty} {{ tag: self.tag }}"]
                else:
                    body = ["// SAFETY: every byte pattern is a valid payload.",
                            f"let mut d: {ty} = unsafe {{ core::mem::zeroed() }};", "d.tag = self.tag;",
                            "match self.tag {"]
                    for i, (c, ct) in enumerate(data):
                        if ct is None:
                            continue
                        m = field(c)
                        body += [f"    {i} => {{",
                                 "        // SAFETY: the tag says which member was written.",
                                 f"        let s: &{abi(ct)} = unsafe {{ &self.val.{m} }};",
                                 f"        d.val.{m} = ManuallyDrop::new(s.{op}());", "    }"]
                    body += ["    _ => {}", "}", "d"]
            elif kind == "enum":
                n = len(data)
                rs = g.uint_for(n).replace("uint", "u").replace("_t", "")
                body = [f"{ty}(((self.0 as u32 + 1) % {n}) as {rs})" if xf else "*self"]
            elif kind == "flags":
                n = len(data)
                scalar, words = g.flags_c(n)
                if words == 0:
                    rs = scalar.replace("uint", "u").replace("_t", "")
                    mask = "0" if n == 0 else ("u64::MAX" if n == 64 else f"((1u64 << {n}) - 1)")
                    body = [f"{ty}((!(self.0 as u64) & {mask}) as {rs})" if xf else "*self"]
                else:
                    last = n - 64 * (words - 1)
                    lmask = "u64::MAX" if last == 64 else f"(1u64 << {last}) - 1"
                    if xf:
                        body = [f"{ty} {{",
                                f"    words: core::array::from_fn(|i| !self.words[i] & if i == {words - 1} {{ {lmask} }} else {{ u64::MAX }}),",
                                "}"]
                    else:
                        body = [f"{ty} {{ words: self.words }}"]
            else:
                raise AssertionError(kind)
            o += [f"    fn {op}(&self) -> Self {{"] + ["        " + b for b in body] + ["    }"]
        o += ["}", ""]
    return o


def gen_funcs():
    api, world = [], []
    for c in g.CASES:
        cs = g.snake(c.name)
        n = len(c.params)
        decl = "".join(f", p{k}: {view(pt)}" for k, (_, pt) in enumerate(c.params))
        ret = owned(c.result)
        # A map is returned as its ABI type (RdyList of RdyTuple2), which Own would make a Vec.
        convert = g.resolve(c.result).kind != "map"
        imp = f"host_xform_{cs}" if c.scope == "api" else f"xform_{cs}"

        def build(op, srcs):
            if c.multi:
                fs = ", ".join(f"f{k}: {s}.{op}()" for k, s in enumerate(srcs))
                return f"RdyTuple{n} {{ {fs} }}"
            return f"{srcs[0]}.{op}()"

        fns = []
        for fn, op in (("echo", "copy"), ("xform", "xform")):
            fns += [f"fn {fn}_{cs}(&self{decl}) -> {ret} {{", "    self.count();",
                    f"    let r: {abi(c.result)} = {build(op, [f'p{k}.abi()' for k in range(n)])};",
                    "    r.own()" if convert else "    r", "}"]
        body = ["self.count();"]
        for k, (_, pt) in enumerate(c.params):
            body.append(f"let mut x{k}: {abi(pt)} = p{k}.abi().xform();")
        args = ", ".join(import_arg(pt, f"x{k}") for k, (_, pt) in enumerate(c.params))
        body += [f"let r = self.host.{imp}({args}).unwrap_or_else(|st| panic!(\"{imp}: status {{st}}\"));",
                 f"let out: {abi(c.result)} = {'(*r)' if g.needs_free(c.result) else 'r'}.copy();"]
        if g.needs_free(c.result):
            body.append("drop(r);")
        for k in range(n):
            body.append(f"// SAFETY: x{k} owns its malloc'd memory, freed once.")
            body.append(f"unsafe {{ x{k}.rdy_free() }};")
        body.append("out.own()" if convert else "out")
        fns += [f"fn relay_{cs}(&self{decl}) -> {ret} {{"] + ["    " + b for b in body] + ["}"]
        (api if c.scope == "api" else world).extend(fns)
    return api, world


def gen_ops():
    """Lines of Rust: the operations on the ABI types (OPS, then those of tuples and named types)."""
    return [OPS] + gen_tuples() + gen_named()


def gen_lib():
    ops = gen_ops()
    o = [PRELUDE.lstrip("\n") + ops[0]] + ops[1:]
    api, world = gen_funcs()
    ind = lambda ls: ["    " + l if l else l for l in ls]  # noqa: E731
    o += ["// ---- the plugin ------------------------------------------------------------------", "",
          "struct Rt {", "    host: Host,", "    calls: AtomicU64,", "}", "",
          "impl Rt {", "    fn count(&self) {", "        self.calls.fetch_add(1, Ordering::Relaxed);", "    }", "}", "",
          "impl Guest for Rt {", "    fn new(host: Host) -> Self {", "        Rt { host, calls: AtomicU64::new(0) }",
          "    }"]
    o += ind(world) + ["}", "", "impl Api for Rt {"] + ind(api)
    o += ind(["fn calls(&self) -> u64 {", "    self.calls.load(Ordering::Relaxed)", "}",
              "fn reset(&self) {", "    let n = self.calls.swap(0, Ordering::Relaxed);",
              "    self.host.host_tick(n).unwrap_or_else(|st| panic!(\"host_tick: status {st}\"));", "}"])
    o += ["}", "", "bindings::export!(Rt => crate::bindings);"]
    return "\n".join(o) + "\n"


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: gen_roundtrip_rust.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    g.write_if_changed(os.path.join(out, "lib.rs"), gen_lib())


if __name__ == "__main__":
    main()
