#!/usr/bin/env python3
"""The round-trip test's generator: one type table, and from it

  roundtrip.wit       package test:roundtrip@1.0.0, world `rt`: interface
                      `types` names every type of the table; `api` (exported)
                      has echo-T, xform-T and relay-T for each case; `host`
                      (imported) has xform-T; the world adds a type and
                      functions of its own
  rt_ops.h            C operations on every type, shared by both sides:
                      rand (seeded), eq (deep; floats bitwise), copy (deep,
                      malloc), xform (a deterministic transform), free
  rt_plugin_funcs.h   the plugin's exports, for plugin.c to include
  rt_host_cases.h     the host's imports and one runner per case, for
                      host.c to include

usage: gen_roundtrip.py OUTDIR

The C operations spell only the names the generator gives named types
(`test_roundtrip_types_<name>_t`) and primitives; anonymous types inside
them are handled inline, through member access.  A few cases use an
anonymous type directly in a signature, and spell the name `rdy gen c`
documents for it (`test_roundtrip_rt_<structure>_t`).
"""

import os
import sys

NS, PKG, WORLD = "test", "roundtrip", "rt"
VERSION = "1.0.0"
PFX = f"{NS}_{PKG}"            # test_roundtrip
WP = f"{PFX}_{WORLD}"          # the world's prefix: test_roundtrip_rt

# ---- type expressions -------------------------------------------------------------

PRIMS = {
    "bool": "bool", "u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t",
    "s8": "int8_t", "s16": "int16_t", "s32": "int32_t", "s64": "int64_t",
    "f32": "float", "f64": "double", "char": "uint32_t", "string": "rdy_string_t",
}


class T:
    """A type expression: kind is prim, ref, list, fixed, option, result, tuple, map."""

    def __init__(self, kind, *args):
        self.kind = kind
        self.args = args

    def __repr__(self):
        return wit(self)


def parse(s):
    toks = []
    i = 0
    while i < len(s):
        c = s[i]
        if c.isspace():
            i += 1
        elif c in "<>,":
            toks.append(c)
            i += 1
        else:
            j = i
            while j < len(s) and (s[j].isalnum() or s[j] in "-_%"):
                j += 1
            if j == i:
                raise SystemExit(f"bad type {s!r}")
            toks.append(s[i:j])
            i = j
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take(want=None):
        t = toks[pos[0]]
        if want is not None and t != want:
            raise SystemExit(f"type {s!r}: expected {want}, got {t}")
        pos[0] += 1
        return t

    def ty():
        w = take()
        if w in PRIMS:
            return T("prim", w)
        if w == "list":
            take("<")
            e = ty()
            if peek() == ",":
                take(",")
                n = int(take())
                take(">")
                return T("fixed", e, n)
            take(">")
            return T("list", e)
        if w == "option":
            take("<")
            e = ty()
            take(">")
            return T("option", e)
        if w == "result":
            if peek() != "<":
                return T("result", None, None)
            take("<")
            if peek() == "_":
                take("_")
                take(",")
                err = ty()
                take(">")
                return T("result", None, err)
            ok = ty()
            err = None
            if peek() == ",":
                take(",")
                err = ty()
            take(">")
            return T("result", ok, err)
        if w == "tuple":
            take("<")
            es = []
            while peek() != ">":
                es.append(ty())
                if peek() == ",":
                    take(",")
            take(">")
            return T("tuple", es)
        if w == "map":
            take("<")
            k = ty()
            take(",")
            v = ty()
            take(">")
            return T("map", k, v)
        return T("ref", w.lstrip("%"))

    t = ty()
    if pos[0] != len(toks):
        raise SystemExit(f"type {s!r}: trailing {toks[pos[0]:]}")
    return t


def wit_name(n):
    return n if n not in WIT_KEYWORDS else "%" + n


WIT_KEYWORDS = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "float32", "float64", "char", "bool", "string", "option", "result", "list", "tuple", "map",
    "record", "flags", "variant", "enum", "resource", "own", "borrow", "static", "interface",
    "world", "import", "export", "package", "constructor", "include", "with", "as", "from",
    "future", "stream", "error-context", "async", "self",
}


def wit(t):
    k, a = t.kind, t.args
    if k == "prim":
        return a[0]
    if k == "ref":
        return wit_name(a[0])
    if k == "list":
        return f"list<{wit(a[0])}>"
    if k == "fixed":
        return f"list<{wit(a[0])}, {a[1]}>"
    if k == "option":
        return f"option<{wit(a[0])}>"
    if k == "result":
        ok, err = a
        if ok is None and err is None:
            return "result"
        if ok is None:
            return f"result<_, {wit(err)}>"
        if err is None:
            return f"result<{wit(ok)}>"
        return f"result<{wit(ok)}, {wit(err)}>"
    if k == "tuple":
        return "tuple<" + ", ".join(wit(e) for e in a[0]) + ">"
    if k == "map":
        return f"map<{wit(a[0])}, {wit(a[1])}>"
    raise AssertionError(k)


# ---- the table ----------------------------------------------------------------------
#
# Named definitions, in the order the WIT declares them.  Each is
# (name, kind, data, options): kind record (data: [(field, type)]), variant
# ([(case, type or None)]), enum ([case]), flags ([flag]) or alias (type).
# Every one of them is also a test case, and so is every primitive; the
# cases after them add anonymous types in signatures and functions of
# several parameters.

DEFS = []


def record(name, fields, **o):
    DEFS.append((name, "record", [(f, parse(t)) for f, t in fields], o))


def variant(name, cases, **o):
    DEFS.append((name, "variant", [(c, parse(t) if t else None) for c, t in cases], o))


def enum(name, cases, **o):
    DEFS.append((name, "enum", list(cases), o))


def flags(name, names, **o):
    DEFS.append((name, "flags", list(names), o))


def alias(name, t, **o):
    DEFS.append((name, "alias", parse(t), o))


# records
record("point", [("x", "s32"), ("y", "s32")])
record("all-prims", [("f-bool", "bool"), ("f-u8", "u8"), ("f-u16", "u16"), ("f-u32", "u32"),
                     ("f-u64", "u64"), ("f-s8", "s8"), ("f-s16", "s16"), ("f-s32", "s32"),
                     ("f-s64", "s64"), ("f-f32", "f32"), ("f-f64", "f64"), ("f-char", "char"),
                     ("f-string", "string")])
# Field names that C or the generated code reserve (they gain a `_`).
record("keywords", [("type", "u8"), ("int", "u16"), ("state", "u32"), ("ret", "string"),
                    ("ctx", "char"), ("p", "bool"), ("errno", "s8"), ("default", "f32")])
record("person", [("name", "string"), ("age", "u8"), ("email", "option<string>"),
                  ("tags", "list<string>"), ("pos", "point")])
record("inner", [("flag", "bool"), ("depth", "u16"), ("label", "option<string>")])
record("nested", [("id", "u64"), ("who", "person"), ("path", "list<point>"),
                  ("extra", "option<inner>"), ("tail", "u8")])
record("empty-rec", [])
record("padded", [("a", "u8"), ("b", "u64"), ("c", "u8"), ("d", "u16"), ("e", "f32"), ("f", "u8")])

# enums (a 300-case one needs a 16-bit tag)
enum("color", ["red", "green", "blue", "cyan", "magenta"])
enum("single", ["only"])
enum("big-enum", [f"e{i}" for i in range(300)])

# flags at every representation boundary, and past 64
flags("no-flags", [])
flags("flags3", ["read", "write", "exec"])
for n in (8, 9, 16, 17, 32, 33, 64, 65, 70, 128, 130):
    flags(f"flags{n}", [f"b{i}" for i in range(n)])

# variants: with and without payloads, one case, a string payload, 300 cases
variant("shape", [("nothing", None), ("circle", "f64"), ("rect", "point"), ("label", "string"),
                  ("poly", "list<point>"), ("who", "person"), ("code", "u8")])
variant("no-payload", [("a", None), ("b", None), ("c", None)])
variant("one-case", [("only", "u16")])
variant("str-or-int", [("s", "string"), ("i", "s64")])
_big_payloads = [None, "u8", "string", "point", None, "f64", "list<u16>", "option<string>"]
variant("big-variant", [(f"v{i}", _big_payloads[i % len(_big_payloads)]) for i in range(300)])

# tuples, holding flags and enums among the rest
alias("tup-fe", "tuple<flags9, color, flags70, bool, big-enum, flags3>")
alias("tup-one", "tuple<string>")
alias("tup-empty", "tuple<>")
alias("tup-mixed", "tuple<u8, u64, u8, f32, string, char, s16, shape>")

# options
alias("opt-u8", "option<u8>")
alias("opt-str", "option<string>")
alias("opt-opt", "option<option<s32>>")
alias("opt-opt-str", "option<option<string>>")
alias("opt-person", "option<person>")
alias("opt-list", "option<list<u16>>")
alias("opt-flags", "option<flags70>")

# results: every shape
alias("res-full", "result<u32, string>")
alias("res-err", "result<_, string>")
alias("res-ok", "result<person>")
alias("res-bare", "result")
alias("res-vs", "result<shape, string>")
alias("res-nested", "option<result<list<tuple<string, u16>>, option<s64>>>")
alias("res-res", "result<result<u8, string>, result<_, color>>")

# lists
alias("bytes", "list<u8>", maxlen=2000)
alias("strs", "list<string>")
alias("list-f64", "list<f64>")
alias("list-char", "list<char>")
alias("lorec", "list<option<person>>")          # list<option<record>>, anonymous inside
alias("opt-person-list", "list<opt-person>")     # the same through a named alias
alias("lol", "list<list<s32>>")
alias("lolos", "list<list<option<string>>>")
alias("list-flags", "list<flags130>")
alias("list-empty", "list<empty-rec>")
alias("list-tup", "list<tuple<string, u16>>")

# fixed-length lists
alias("fix-u8", "list<u8, 4>")
alias("fix-str", "list<string, 3>")
alias("fix-rec", "list<point, 2>")
alias("fix-fix", "list<list<string, 2>, 3>")
alias("list-fix", "list<list<u16, 3>>")
alias("fix-zero", "list<u8, 0>")
alias("fix-zero-str", "list<string, 0>")
alias("fix-opt", "list<option<shape>, 2>")
record("with-fixed", [("a", "u8"), ("arr", "list<u32, 3>"), ("b", "u8"), ("names", "list<string, 2>")])

# maps
alias("str-map", "map<string, u32>")
alias("map-nested", "map<u8, list<option<string>>>")

# combinations
variant("fancy", [("a", "tup-fe"), ("b", "list<shape>"), ("c", "option<res-full>"), ("d", None),
                  ("e", "map<string, fix-u8>")])
record("everything", [("prims", "all-prims"), ("s", "shape"), ("fl", "flags70"), ("col", "color"),
                      ("fancies", "list<fancy>"), ("big", "option<big-variant>"),
                      ("nest", "nested"), ("kw", "keywords")])

# The multi-parameter function's result: the tuple of its transformed arguments.
MIX_PARAMS = [("a", "u8"), ("b", "person"), ("c", "flags9"), ("d", "flags70"), ("e", "color"),
              ("f", "string"), ("g", "list<u16>"), ("h", "f64"), ("state", "u32"), ("ret", "bool"),
              ("im", "char"), ("i", "shape"), ("j", "flags64")]
alias("mix-out", "tuple<" + ", ".join(t for _, t in MIX_PARAMS) + ">")

# A type of the world's own.
WORLD_DEFS = [("wrec", "record", [("a", parse("u8")), ("s", parse("string")), ("l", parse("list<u16>")), ("o", parse("option<string>"))], {})]

DEFMAP = {d[0]: d for d in DEFS + WORLD_DEFS}


class Case:
    """Functions echo-NAME, xform-NAME, relay-NAME (and the host's xform-NAME).

    params: [(name, type)]; result: the type returned.  One parameter `v`
    returns its own type; several return the tuple `multi` names.
    scope: "api" (the interfaces) or "world" (functions of the world).
    """

    def __init__(self, name, params, result, scope="api", multi=False):
        self.name, self.params, self.result, self.scope, self.multi = name, params, result, scope, multi


CASES = []
for p in PRIMS:
    CASES.append(Case(p, [("v", T("prim", p))], T("prim", p)))
for d in DEFS:
    CASES.append(Case(d[0], [("v", T("ref", d[0]))], T("ref", d[0])))
# Anonymous types straight in signatures: their C names come from the generator.
for n, t in [("anon-lorec", "list<option<person>>"), ("anon-res", "result<shape, string>"),
             ("anon-tup", "tuple<flags9, color>"), ("anon-oos", "option<option<string>>"),
             ("anon-fix", "list<u16, 4>"), ("anon-map", "map<string, u32>"),
             ("anon-bare", "result"), ("anon-lol", "list<list<u8>>")]:
    CASES.append(Case(n, [("v", parse(t))], parse(t)))
CASES.append(Case("mix", [(n, parse(t)) for n, t in MIX_PARAMS], T("ref", "mix-out"), multi=True))
CASES.append(Case("wrec", [("v", T("ref", "wrec"))], T("ref", "wrec"), scope="world"))

# ---- the generator's rules, as docs/abi.md and rdy gen c state them --------------------

RESERVED = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "bool", "true", "false", "alignas", "alignof", "noreturn", "static_assert",
    "thread_local", "complex", "imaginary", "errno", "stdin", "stdout", "stderr", "assert", "offsetof",
    "linux", "unix", "i386", "ret", "state", "ctx", "im", "p",
}


def snake(s):
    return s.replace("-", "_").lower()


def member(s):
    s = snake(s)
    return s + "_" if s in RESERVED else s


def owner_prefix(name):
    return WP if name in {d[0] for d in WORLD_DEFS} else f"{PFX}_types"


def cname(name):
    """The C name of named type NAME, without `_t`."""
    return f"{owner_prefix(name)}_{snake(name)}"


def resolve(t):
    """Follows named aliases to what they name."""
    while t.kind == "ref" and DEFMAP[t.args[0]][1] == "alias":
        t = DEFMAP[t.args[0]][2]
    return t


def mangle(t):
    if t is None:
        return "void"
    k, a = t.kind, t.args
    if k == "prim":
        return a[0]
    if k == "ref":
        return snake(a[0])
    if k == "list":
        return f"list_{mangle(a[0])}"
    if k == "fixed":
        return f"list_{mangle(a[0])}_{a[1]}"
    if k == "option":
        return f"option_{mangle(a[0])}"
    if k == "result":
        return "result_" + "_".join("void" if x is None else mangle(x) for x in a)
    if k == "tuple":
        return f"tuple{len(a[0])}" + "".join("_" + mangle(e) for e in a[0])
    if k == "map":
        return f"map_{mangle(a[0])}_{mangle(a[1])}"
    raise AssertionError(k)


def ctype(t):
    if t.kind == "prim":
        return PRIMS[t.args[0]]
    if t.kind == "ref":
        return cname(t.args[0]) + "_t"
    m = mangle(t)
    assert len(m) <= 64, m
    return f"{WP}_{m}_t"


def needs_free(t):
    if t is None:
        return False
    k, a = t.kind, t.args
    if k == "prim":
        return a[0] == "string"
    if k == "ref":
        name, dk, data, _ = DEFMAP[a[0]]
        if dk == "alias":
            return needs_free(data)
        if dk == "record":
            return any(needs_free(ft) for _, ft in data)
        if dk == "variant":
            return any(needs_free(ct) for _, ct in data)
        return False
    if k in ("list", "map"):
        return True
    if k == "fixed":  # list<T, 0> holds no T
        return a[1] > 0 and needs_free(a[0])
    if k == "option":
        return needs_free(a[0])
    if k == "result":
        return needs_free(a[0]) or needs_free(a[1])
    if k == "tuple":
        return any(needs_free(e) for e in a[0])
    raise AssertionError(k)


def by_value(t):
    t = resolve(t)
    if t.kind == "prim":
        return t.args[0] != "string"
    if t.kind == "ref":
        _, dk, data, _ = DEFMAP[t.args[0]]
        return dk == "enum" or (dk == "flags" and len(data) <= 64)
    return False


def free_fn(t):
    """The generated function freeing a value of T, or None."""
    if not needs_free(t):
        return None
    if t.kind == "prim":
        return "rdy_string_free"
    return ctype(t)[:-2] + "_free"


def copy_call(t, d, s):
    """The generated deep copy of S into D, an expression that is false when memory runs out."""
    if t.kind == "prim":
        return f"rdy_string_dup(&{d}, {s}.ptr, {s}.len)"
    return f"{ctype(t)[:-2]}_copy(&{d}, &{s})"


def uint_for(n):
    return "uint8_t" if n <= 256 else "uint16_t" if n <= 65536 else "uint32_t"


def flags_c(n):
    if n == 0:
        return "uint8_t", 0
    if n <= 64:
        return ("uint8_t" if n <= 8 else "uint16_t" if n <= 16 else "uint32_t" if n <= 32 else "uint64_t"), 0
    return None, (n + 63) // 64


# ---- C operations, inline on lvalues ------------------------------------------------------
#
# Each emitter returns lines of C.  DST, SRC, A, B are lvalue expressions;
# D is the nesting depth, which names loop variables so that none shadows
# another.  Named types call their own functions; anonymous ones are
# expanded here.

def maxlen(d):
    return 6 if d == 0 else 3


def ind(lines, n=1):
    return ["\t" * n + l for l in lines]


def e_rand(t, lv, d, cap=None):
    k, a = t.kind, t.args
    if k == "prim":
        if a[0] == "string":
            return [f"rt_rand_string(r, &({lv}));"]
        return [f"{lv} = rt_rand_{a[0]}(r);"]
    if k == "ref":
        return [f"rt_rand_{snake(a[0])}(r, &({lv}));"]
    n, i = f"n{d}", f"i{d}"
    if k == "list":
        return [f"{{", f"\tsize_t {n} = rt_len(r, {cap or maxlen(d)});",
                f"\t({lv}).len = {n};", f"\t({lv}).ptr = rt_alloc({n}, sizeof *({lv}).ptr);",
                f"\tfor (size_t {i} = 0; {i} < {n}; {i}++) {{"] + \
            ind(e_rand(a[0], f"({lv}).ptr[{i}]", d + 1), 2) + ["\t}", "}"]
    if k == "map":
        return [f"{{", f"\tsize_t {n} = rt_len(r, {cap or maxlen(d)});",
                f"\t({lv}).len = {n};", f"\t({lv}).ptr = rt_alloc({n}, sizeof *({lv}).ptr);",
                f"\tfor (size_t {i} = 0; {i} < {n}; {i}++) {{"] + \
            ind(e_rand(a[0], f"({lv}).ptr[{i}].f0", d + 1), 2) + \
            ind(e_rand(a[1], f"({lv}).ptr[{i}].f1", d + 1), 2) + ["\t}", "}"]
    if k == "fixed":
        if a[1] == 0:
            return [f"({lv}).reserved = 0;"]
        return [f"for (size_t {i} = 0; {i} < {a[1]}; {i}++) {{"] + \
            ind(e_rand(a[0], f"({lv}).elems[{i}]", d + 1)) + ["}"]
    if k == "option":
        return [f"({lv}).is_some = rt_below(r, 4) != 0;", f"if (({lv}).is_some) {{"] + \
            ind(e_rand(a[0], f"({lv}).val", d + 1)) + ["}"]
    if k == "result":
        ok, err = a
        out = [f"({lv}).is_err = rt_below(r, 2) != 0;"]
        if ok is not None:
            out += [f"if (!({lv}).is_err) {{"] + ind(e_rand(ok, f"({lv}).val.ok", d + 1)) + ["}"]
        if err is not None:
            out += [f"if (({lv}).is_err) {{"] + ind(e_rand(err, f"({lv}).val.err", d + 1)) + ["}"]
        return out
    if k == "tuple":
        if not a[0]:
            return [f"({lv}).reserved = 0;"]
        out = []
        for j, e in enumerate(a[0]):
            out += e_rand(e, f"({lv}).f{j}", d)
        return out
    raise AssertionError(k)


def e_eq(t, x, y, d):
    """Lines that `return false` when X and Y differ."""
    k, a = t.kind, t.args
    if k == "prim":
        if a[0] == "string":
            return [f"if (!rt_eq_string(&({x}), &({y})))", "\treturn false;"]
        return [f"if (!rt_eq_{a[0]}({x}, {y}))", "\treturn false;"]
    if k == "ref":
        return [f"if (!rt_eq_{snake(a[0])}(&({x}), &({y})))", "\treturn false;"]
    i = f"i{d}"
    if k == "list":
        return [f"if (({x}).len != ({y}).len)", "\treturn false;",
                f"for (size_t {i} = 0; {i} < ({x}).len; {i}++) {{"] + \
            ind(e_eq(a[0], f"({x}).ptr[{i}]", f"({y}).ptr[{i}]", d + 1)) + ["}"]
    if k == "map":
        return [f"if (({x}).len != ({y}).len)", "\treturn false;",
                f"for (size_t {i} = 0; {i} < ({x}).len; {i}++) {{"] + \
            ind(e_eq(a[0], f"({x}).ptr[{i}].f0", f"({y}).ptr[{i}].f0", d + 1)) + \
            ind(e_eq(a[1], f"({x}).ptr[{i}].f1", f"({y}).ptr[{i}].f1", d + 1)) + ["}"]
    if k == "fixed":
        if a[1] == 0:
            return [f"if (({x}).reserved != ({y}).reserved)", "\treturn false;"]
        return [f"for (size_t {i} = 0; {i} < {a[1]}; {i}++) {{"] + \
            ind(e_eq(a[0], f"({x}).elems[{i}]", f"({y}).elems[{i}]", d + 1)) + ["}"]
    if k == "option":
        return [f"if (({x}).is_some != ({y}).is_some)", "\treturn false;", f"if (({x}).is_some) {{"] + \
            ind(e_eq(a[0], f"({x}).val", f"({y}).val", d + 1)) + ["}"]
    if k == "result":
        ok, err = a
        out = [f"if (({x}).is_err != ({y}).is_err)", "\treturn false;"]
        if ok is not None:
            out += [f"if (!({x}).is_err) {{"] + ind(e_eq(ok, f"({x}).val.ok", f"({y}).val.ok", d + 1)) + ["}"]
        if err is not None:
            out += [f"if (({x}).is_err) {{"] + ind(e_eq(err, f"({x}).val.err", f"({y}).val.err", d + 1)) + ["}"]
        return out
    if k == "tuple":
        if not a[0]:
            return [f"if (({x}).reserved != ({y}).reserved)", "\treturn false;"]
        out = []
        for j, e in enumerate(a[0]):
            out += e_eq(e, f"({x}).f{j}", f"({y}).f{j}", d)
        return out
    raise AssertionError(k)


def e_map(t, dst, src, d, op):
    """copy (OP "copy") or transform (OP "xform") SRC into DST, which is zeroed."""
    k, a = t.kind, t.args
    xf = op == "xform"
    if k == "prim":
        if a[0] == "string":
            return [f"rt_{op}_string(&({dst}), &({src}));"]
        return [f"{dst} = rt_xform_{a[0]}({src});" if xf else f"{dst} = {src};"]
    if k == "ref":
        return [f"rt_{op}_{snake(a[0])}(&({dst}), &({src}));"]
    n, i = f"n{d}", f"i{d}"
    # lists, maps and fixed lists come out reversed from xform
    if k in ("list", "map"):
        j = f"{n} - 1 - {i}" if xf else i
        body = (e_map(a[0], f"({dst}).ptr[{i}]", f"({src}).ptr[{j}]", d + 1, op) if k == "list" else
                e_map(a[0], f"({dst}).ptr[{i}].f0", f"({src}).ptr[{j}].f0", d + 1, op) +
                e_map(a[1], f"({dst}).ptr[{i}].f1", f"({src}).ptr[{j}].f1", d + 1, op))
        return [f"{{", f"\tsize_t {n} = ({src}).len;", f"\t({dst}).len = {n};",
                f"\t({dst}).ptr = rt_alloc({n}, sizeof *({dst}).ptr);",
                f"\tfor (size_t {i} = 0; {i} < {n}; {i}++) {{"] + ind(body, 2) + ["\t}", "}"]
    if k == "fixed":
        if a[1] == 0:
            return [f"({dst}).reserved = 0;"]
        j = f"{a[1]} - 1 - {i}" if xf else i
        return [f"for (size_t {i} = 0; {i} < {a[1]}; {i}++) {{"] + \
            ind(e_map(a[0], f"({dst}).elems[{i}]", f"({src}).elems[{j}]", d + 1, op)) + ["}"]
    if k == "option":
        return [f"({dst}).is_some = ({src}).is_some;", f"if (({src}).is_some) {{"] + \
            ind(e_map(a[0], f"({dst}).val", f"({src}).val", d + 1, op)) + ["}"]
    if k == "result":
        ok, err = a
        out = [f"({dst}).is_err = ({src}).is_err;"]
        if ok is not None:
            out += [f"if (!({src}).is_err) {{"] + ind(e_map(ok, f"({dst}).val.ok", f"({src}).val.ok", d + 1, op)) + ["}"]
        if err is not None:
            out += [f"if (({src}).is_err) {{"] + ind(e_map(err, f"({dst}).val.err", f"({src}).val.err", d + 1, op)) + ["}"]
        return out
    if k == "tuple":
        if not a[0]:
            return [f"({dst}).reserved = 0;"]
        out = []
        for j, e in enumerate(a[0]):
            out += e_map(e, f"({dst}).f{j}", f"({src}).f{j}", d, op)
        return out
    raise AssertionError(k)


def e_free(t, lv):
    f = free_fn(t)
    return [f"{f}(&({lv}));"] if f else []


# ---- rt_ops.h ---------------------------------------------------------------------------

OPS_PRELUDE = r"""
/*
 * Round-trip test: operations on every type of test:roundtrip, shared by the
 * host and the plugin.  Generated by tests/roundtrip/gen_roundtrip.py; include
 * it after the generated bindings of either side.
 */
#ifndef RT_OPS_H
#define RT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- support ------------------------------------------------------------------- */

typedef struct rt_rng {
	uint64_t s;
} rt_rng;

/* splitmix64: small, seedable, good enough to spread test values. */
static inline uint64_t rt_next(rt_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A value in [0, n), n > 0. */
static inline uint32_t rt_below(rt_rng *r, uint32_t n)
{
	return (uint32_t)(rt_next(r) % n);
}

static inline void rt_seed(rt_rng *r, uint64_t seed, const char *name)
{
	uint64_t h = 1469598103934665603u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	r->s = seed ^ h;
	(void)rt_next(r);
}

/* A length in [0, max]: empty one time in eight, else uniform in [1, max]. */
static inline size_t rt_len(rt_rng *r, uint32_t max)
{
	if (rt_below(r, 8) == 0)
		return 0;
	return 1 + rt_below(r, max);
}

static inline void *rt_alloc(size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *p = calloc(n, size);
	if (!p) {
		fputs("roundtrip: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* ---- primitives ------------------------------------------------------------------ */

/* Integers: the extremes now and then, random bits otherwise. */
static inline uint64_t rt_bits(rt_rng *r)
{
	switch (rt_below(r, 16)) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return 1;
	case 3: return UINT64_MAX >> 1;          /* the largest signed value, truncated */
	case 4: return (uint64_t)1 << 63;        /* the smallest */
	default: return rt_next(r);
	}
}

static inline bool rt_rand_bool(rt_rng *r) { return rt_below(r, 2) != 0; }
static inline uint8_t rt_rand_u8(rt_rng *r) { return (uint8_t)rt_bits(r); }
static inline uint16_t rt_rand_u16(rt_rng *r) { return (uint16_t)rt_bits(r); }
static inline uint32_t rt_rand_u32(rt_rng *r) { return (uint32_t)rt_bits(r); }
static inline uint64_t rt_rand_u64(rt_rng *r) { return rt_bits(r); }
/* Signed values come from the bits of the unsigned ones, in two's complement. */
static inline int8_t rt_s8(uint64_t b) { uint8_t u = (uint8_t)b; int8_t v; memcpy(&v, &u, 1); return v; }
static inline int16_t rt_s16(uint64_t b) { uint16_t u = (uint16_t)b; int16_t v; memcpy(&v, &u, 2); return v; }
static inline int32_t rt_s32(uint64_t b) { uint32_t u = (uint32_t)b; int32_t v; memcpy(&v, &u, 4); return v; }
static inline int64_t rt_s64(uint64_t b) { int64_t v; memcpy(&v, &b, 8); return v; }
static inline int8_t rt_rand_s8(rt_rng *r) { return rt_s8(rt_bits(r)); }
static inline int16_t rt_rand_s16(rt_rng *r) { return rt_s16(rt_bits(r)); }
static inline int32_t rt_rand_s32(rt_rng *r) { return rt_s32(rt_bits(r)); }
static inline int64_t rt_rand_s64(rt_rng *r) { return rt_s64(rt_bits(r)); }

/* Floats: any bit pattern but a NaN (infinities, zeros of both signs, subnormals). */
static inline float rt_rand_f32(rt_rng *r)
{
	static const float special[] = { 0.0f, -0.0f, 1.0f, -1.5f, 1e-40f, 3.4e38f };
	if (rt_below(r, 8) == 0)
		return special[rt_below(r, sizeof special / sizeof *special)];
	for (;;) {
		uint32_t b = (uint32_t)rt_next(r);
		if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu))
			continue;
		float f;
		memcpy(&f, &b, 4);
		return f;
	}
}

static inline double rt_rand_f64(rt_rng *r)
{
	static const double special[] = { 0.0, -0.0, 1.0, -2.5, 5e-324, 1.7e308 };
	if (rt_below(r, 8) == 0)
		return special[rt_below(r, sizeof special / sizeof *special)];
	for (;;) {
		uint64_t b = rt_next(r);
		if ((b & 0x7ff0000000000000u) == 0x7ff0000000000000u && (b & 0x000fffffffffffffu))
			continue;
		double f;
		memcpy(&f, &b, 8);
		return f;
	}
}

/* Chars: Unicode scalar values only, from every UTF-8 length. */
#define RT_NSCALARS 0x10f800u /* 0x110000 less the 0x800 surrogates */

static inline uint32_t rt_scalar(uint32_t index)
{
	return index < 0xd800u ? index : index + 0x800u;
}

static inline uint32_t rt_scalar_index(uint32_t c)
{
	return c < 0xd800u ? c : c - 0x800u;
}

static inline bool rt_valid_char(uint32_t c)
{
	return c < 0x110000u && (c < 0xd800u || c > 0xdfffu);
}

static inline uint32_t rt_rand_char(rt_rng *r)
{
	switch (rt_below(r, 6)) {
	case 0: case 1: return 0x20 + rt_below(r, 0x5f);         /* printable ASCII */
	case 2: return rt_below(r, 0x80);                         /* any ASCII */
	case 3: return 0x80 + rt_below(r, 0x780);                 /* two bytes */
	case 4: return rt_scalar(0x800 + rt_below(r, 0xf800 - 0x800)); /* three */
	default: return 0x10000 + rt_below(r, 0x100000);          /* four */
	}
}

static inline size_t rt_utf8_put(uint32_t c, char *p)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xe0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		p[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * The scalar at S[*I] (advancing *I), or U+FFFD for a byte that does not
 * start valid UTF-8: every string this test makes is valid, and the
 * comparisons catch any other.
 */
static inline uint32_t rt_utf8_get(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char b = s[*i];
	uint32_t c;
	size_t n;
	if (b < 0x80) { *i += 1; return b; }
	else if ((b & 0xe0) == 0xc0) { c = b & 0x1f; n = 1; }
	else if ((b & 0xf0) == 0xe0) { c = b & 0x0f; n = 2; }
	else if ((b & 0xf8) == 0xf0) { c = b & 0x07; n = 3; }
	else { *i += 1; return 0xfffd; }
	if (*i + n >= len) { *i += 1; return 0xfffd; }
	for (size_t k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) { *i += 1; return 0xfffd; }
		c = (c << 6) | (s[*i + k] & 0x3f);
	}
	if (c < (n == 1 ? 0x80u : n == 2 ? 0x800u : 0x10000u)) { *i += 1; return 0xfffd; } /* overlong */
	*i += n + 1;
	return rt_valid_char(c) ? c : 0xfffd;
}

static inline void rt_rand_string(rt_rng *r, rdy_string_t *s)
{
	size_t n = rt_len(r, 16);
	char *p = (char *)rt_alloc(n * 4 + 1, 1);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += rt_utf8_put(rt_rand_char(r), p + len);
	s->ptr = p;
	s->len = len;
}

/* Equality: floats bit for bit (so -0 is not 0, and no NaN is generated). */
static inline bool rt_eq_bool(bool a, bool b) { return a == b; }
static inline bool rt_eq_u8(uint8_t a, uint8_t b) { return a == b; }
static inline bool rt_eq_u16(uint16_t a, uint16_t b) { return a == b; }
static inline bool rt_eq_u32(uint32_t a, uint32_t b) { return a == b; }
static inline bool rt_eq_u64(uint64_t a, uint64_t b) { return a == b; }
static inline bool rt_eq_s8(int8_t a, int8_t b) { return a == b; }
static inline bool rt_eq_s16(int16_t a, int16_t b) { return a == b; }
static inline bool rt_eq_s32(int32_t a, int32_t b) { return a == b; }
static inline bool rt_eq_s64(int64_t a, int64_t b) { return a == b; }
static inline bool rt_eq_char(uint32_t a, uint32_t b) { return a == b; }
static inline bool rt_eq_f32(float a, float b) { return !memcmp(&a, &b, sizeof a); }
static inline bool rt_eq_f64(double a, double b) { return !memcmp(&a, &b, sizeof a); }
static inline bool rt_eq_string(const rdy_string_t *a, const rdy_string_t *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->ptr, b->ptr, a->len));
}

static inline void rt_copy_string(rdy_string_t *d, const rdy_string_t *s)
{
	char *p = (char *)rt_alloc(s->len + 1, 1);
	if (s->len)
		memcpy(p, s->ptr, s->len);
	d->ptr = p;
	d->len = s->len;
}

/*
 * The transform: a bijection on each type, and not its own inverse where
 * the type allows it (bool's `not` is), so a relay that skipped a step
 * shows.  Integers multiply by an odd constant and add one; floats double
 * (exactly, or to an infinity); chars move along the scalar values.
 */
static inline bool rt_xform_bool(bool v) { return !v; }
static inline uint8_t rt_xform_u8(uint8_t v) { return (uint8_t)(v * 37u + 1u); }
static inline uint16_t rt_xform_u16(uint16_t v) { return (uint16_t)(v * 40503u + 1u); }
static inline uint32_t rt_xform_u32(uint32_t v) { return v * 2654435761u + 1u; }
static inline uint64_t rt_xform_u64(uint64_t v) { return v * 0x9e3779b97f4a7c15u + 1u; }
static inline int8_t rt_xform_s8(int8_t v) { uint8_t u; memcpy(&u, &v, 1); return rt_s8(rt_xform_u8(u)); }
static inline int16_t rt_xform_s16(int16_t v) { uint16_t u; memcpy(&u, &v, 2); return rt_s16(rt_xform_u16(u)); }
static inline int32_t rt_xform_s32(int32_t v) { uint32_t u; memcpy(&u, &v, 4); return rt_s32(rt_xform_u32(u)); }
static inline int64_t rt_xform_s64(int64_t v) { uint64_t u; memcpy(&u, &v, 8); return rt_s64(rt_xform_u64(u)); }
static inline float rt_xform_f32(float v) { return v * 2.0f; }
static inline double rt_xform_f64(double v) { return v * 2.0; }
static inline uint32_t rt_xform_char(uint32_t c)
{
	if (!rt_valid_char(c))
		return 0xfffd;
	return rt_scalar((rt_scalar_index(c) + 0x1234u) % RT_NSCALARS);
}

/* Strings: each scalar transformed as a char, in reverse order. */
static inline void rt_xform_string(rdy_string_t *d, const rdy_string_t *s)
{
	const unsigned char *in = (const unsigned char *)s->ptr;
	uint32_t *cs = (uint32_t *)rt_alloc(s->len + 1, sizeof *cs);
	size_t n = 0;
	for (size_t i = 0; i < s->len;)
		cs[n++] = rt_utf8_get(in, s->len, &i);
	char *p = (char *)rt_alloc(n * 4 + 1, 1);
	size_t len = 0;
	for (size_t i = n; i-- > 0;)
		len += rt_utf8_put(rt_xform_char(cs[i]), p + len);
	free(cs);
	d->ptr = p;
	d->len = len;
}

"""


def named_ops(name, kind, data, opts):
    """The four functions of a named type."""
    ct = cname(name) + "_t"
    s = snake(name)
    rand, eq, copy, xform = [], [], [], []
    if kind == "alias":
        rand = e_rand(data, "(*p)", 0, cap=opts.get("maxlen"))
        eq = e_eq(data, "(*a)", "(*b)", 0)
        copy = e_map(data, "(*d)", "(*s)", 0, "copy")
        xform = e_map(data, "(*d)", "(*s)", 0, "xform")
    elif kind == "record":
        if not data:
            rand = ["p->reserved = 0;"]
            eq = ["if (a->reserved != b->reserved)", "\treturn false;"]
            copy = xform = ["d->reserved = 0;"]
        for f, ft in data:
            m = member(f)
            rand += e_rand(ft, f"p->{m}", 0)
            eq += e_eq(ft, f"a->{m}", f"b->{m}", 0)
            copy += e_map(ft, f"d->{m}", f"s->{m}", 0, "copy")
            xform += e_map(ft, f"d->{m}", f"s->{m}", 0, "xform")
    elif kind == "variant":
        tag = uint_for(len(data))
        rand = [f"p->tag = ({tag})rt_below(r, {len(data)});"]
        eq = ["if (a->tag != b->tag)", "\treturn false;"]
        copy = ["d->tag = s->tag;"]
        xform = ["d->tag = s->tag;"]
        if any(ct_ is not None for _, ct_ in data):
            for lst, sel in ((rand, "p"), (eq, "a"), (copy, "s"), (xform, "s")):
                lst.append(f"switch ({sel}->tag) {{")
            for i, (c, pt) in enumerate(data):
                if pt is None:
                    continue
                m = member(c)
                rand += [f"case {i}:"] + ind(e_rand(pt, f"p->val.{m}", 0)) + ["\tbreak;"]
                eq += [f"case {i}:"] + ind(e_eq(pt, f"a->val.{m}", f"b->val.{m}", 0)) + ["\tbreak;"]
                copy += [f"case {i}:"] + ind(e_map(pt, f"d->val.{m}", f"s->val.{m}", 0, "copy")) + ["\tbreak;"]
                xform += [f"case {i}:"] + ind(e_map(pt, f"d->val.{m}", f"s->val.{m}", 0, "xform")) + ["\tbreak;"]
            for lst in (rand, eq, copy, xform):
                lst += ["default:", "\tbreak;", "}"]
    elif kind == "enum":
        n = len(data)
        rand = [f"*p = ({ct})rt_below(r, {n});"]
        eq = ["if (*a != *b)", "\treturn false;"]
        copy = ["*d = *s;"]
        xform = [f"*d = ({ct})((*s + 1u) % {n}u);"]
    elif kind == "flags":
        n = len(data)
        scalar, words = flags_c(n)
        if words == 0:
            mask = "0u" if n == 0 else ("UINT64_MAX" if n == 64 else f"(((uint64_t)1 << {n}) - 1)")
            rand = [f"*p = ({ct})(rt_next(r) & {mask});"]
            eq = ["if (*a != *b)", "\treturn false;"]
            copy = ["*d = *s;"]
            xform = [f"*d = ({ct})(~(uint64_t)*s & {mask});"]
        else:
            last = n - 64 * (words - 1)
            lmask = "UINT64_MAX" if last == 64 else f"(((uint64_t)1 << {last}) - 1)"
            rand = [f"for (size_t i = 0; i < {words}; i++)",
                    f"\tp->words[i] = rt_next(r) & (i == {words - 1} ? {lmask} : UINT64_MAX);"]
            eq = [f"for (size_t i = 0; i < {words}; i++)", "\tif (a->words[i] != b->words[i])", "\t\treturn false;"]
            copy = [f"for (size_t i = 0; i < {words}; i++)", "\td->words[i] = s->words[i];"]
            xform = [f"for (size_t i = 0; i < {words}; i++)",
                     f"\td->words[i] = ~s->words[i] & (i == {words - 1} ? {lmask} : UINT64_MAX);"]
    else:
        raise AssertionError(kind)
    fr = free_fn(T("ref", name))
    out = [
        f"static inline void rt_rand_{s}(rt_rng *r, {ct} *p)", "{", "\t(void)r;", f"\tmemset(p, 0, sizeof *p);"]
    out += ind(rand) + ["}", ""]
    out += [f"static inline bool rt_eq_{s}(const {ct} *a, const {ct} *b)", "{"] + ind(eq) + ["\treturn true;", "}", ""]
    out += [f"static inline void rt_copy_{s}({ct} *d, const {ct} *s)", "{", "\t(void)s;", "\tmemset(d, 0, sizeof *d);"] + \
        ind(copy) + ["}", ""]
    out += [f"static inline void rt_xform_{s}({ct} *d, const {ct} *s)", "{", "\t(void)s;", "\tmemset(d, 0, sizeof *d);"] + \
        ind(xform) + ["}", ""]
    out += [f"static inline void rt_free_{s}({ct} *p)", "{"] + (["\t" + f"{fr}(p);"] if fr else ["\t(void)p;"]) + ["}", ""]
    return out


def case_ops(c):
    """Helpers on a case's parameter and result types: rtc_<case>_<op><k>."""
    cs = snake(c.name)
    out = [f"/* case {c.name} */"]
    for k, (pn, pt) in enumerate(c.params):
        ct = ctype(pt)
        out += [f"static inline void rtc_{cs}_rand{k}(rt_rng *r, {ct} *p)", "{", "\t(void)r;", "\tmemset(p, 0, sizeof *p);"] + \
            ind(e_rand(pt, "(*p)", 0)) + ["}"]
        out += [f"static inline bool rtc_{cs}_eq{k}(const {ct} *a, const {ct} *b)", "{"] + \
            ind(e_eq(pt, "(*a)", "(*b)", 0)) + ["\treturn true;", "}"]
        for op in ("copy", "xform"):
            out += [f"static inline void rtc_{cs}_{op}{k}({ct} *d, const {ct} *s)", "{", "\t(void)s;", "\tmemset(d, 0, sizeof *d);"] + \
                ind(e_map(pt, "(*d)", "(*s)", 0, op)) + ["}"]
        out += [f"static inline void rtc_{cs}_free{k}({ct} *p)", "{"] + \
            (ind(e_free(pt, "(*p)")) or ["\t(void)p;"]) + ["}"]
    rt_ = c.result
    ct = ctype(rt_)
    out += [f"static inline bool rtc_{cs}_eqr(const {ct} *a, const {ct} *b)", "{"] + \
        ind(e_eq(rt_, "(*a)", "(*b)", 0)) + ["\treturn true;", "}"]
    out += [f"static inline void rtc_{cs}_copyr({ct} *d, const {ct} *s)", "{", "\t(void)s;", "\tmemset(d, 0, sizeof *d);"] + \
        ind(e_map(rt_, "(*d)", "(*s)", 0, "copy")) + ["}"]
    out += [f"static inline void rtc_{cs}_freer({ct} *p)", "{"] + (ind(e_free(rt_, "(*p)")) or ["\t(void)p;"]) + ["}"]
    # The results of echo and xform, built from the arguments.
    args = "".join(f", const {ctype(pt)} *{member(pn)}" for pn, pt in c.params)
    for op in ("copy", "xform"):
        body = ["memset(ret, 0, sizeof *ret);"]
        if c.multi:
            for k, (pn, pt) in enumerate(c.params):
                body.append(f"rtc_{cs}_{op}{k}(&ret->f{k}, {member(pn)});")
        else:
            body.append(f"rtc_{cs}_{op}0(ret, {member(c.params[0][0])});")
        out += [f"static inline void rtc_{cs}_{'echo' if op == 'copy' else 'xf'}({ct} *ret{args})", "{"] + \
            ind(body) + ["}"]
    return out + [""]


def gen_ops():
    out = [OPS_PRELUDE.lstrip("\n"), "/* ---- named types ---------------------------------------------------------------- */", ""]
    alldefs = DEFS + WORLD_DEFS
    for name, kind, data, opts in alldefs:
        ct = cname(name) + "_t"
        s = snake(name)
        out += [f"static inline void rt_rand_{s}(rt_rng *r, {ct} *p);",
                f"static inline bool rt_eq_{s}(const {ct} *a, const {ct} *b);",
                f"static inline void rt_copy_{s}({ct} *d, const {ct} *s);",
                f"static inline void rt_xform_{s}({ct} *d, const {ct} *s);"]
    out.append("")
    for d in alldefs:
        out += [f"/* {d[1]} {d[0]} */"] + named_ops(*d)
    out += ["/* ---- cases ------------------------------------------------------------------------ */", ""]
    for c in CASES:
        out += case_ops(c)
    out += ["#endif"]
    return "\n".join(out) + "\n"


# ---- the WIT ------------------------------------------------------------------------------

def gen_wit():
    o = [f"// Generated by tests/roundtrip/gen_roundtrip.py: the round-trip test's world.",
         f"package {NS}:{PKG}@{VERSION};", "", "/// Every type the test carries, named.", "interface types {"]

    def body(name, kind, data, ind_):
        if kind == "record":
            if not data:
                return [f"{ind_}record {name} {{}}"]
            return [f"{ind_}record {name} {{"] + [f"{ind_}    {wit_name(f)}: {wit(t)}," for f, t in data] + [f"{ind_}}}"]
        if kind == "variant":
            return [f"{ind_}variant {name} {{"] + \
                [f"{ind_}    {wit_name(c)}{'(' + wit(t) + ')' if t else ''}," for c, t in data] + [f"{ind_}}}"]
        if kind == "enum":
            return [f"{ind_}enum {name} {{"] + [f"{ind_}    {c}," for c in data] + [f"{ind_}}}"]
        if kind == "flags":
            if not data:
                return [f"{ind_}flags {name} {{}}"]
            return [f"{ind_}flags {name} {{"] + [f"{ind_}    {c}," for c in data] + [f"{ind_}}}"]
        return [f"{ind_}type {name} = {wit(data)};"]

    for name, kind, data, _ in DEFS:
        o += body(name, kind, data, "    ")
    o += ["}", ""]
    used = ", ".join(d[0] for d in DEFS)

    def sig(c):
        ps = ", ".join(f"{wit_name(n)}: {wit(t)}" for n, t in c.params)
        return f"func({ps}) -> {wit(c.result)}"

    o += ["/// What the plugin provides: for each case, echo, transform, and relay", "/// through the host.",
          "interface api {", f"    use types.{{{used}}};", ""]
    for c in CASES:
        if c.scope == "api":
            o += [f"    echo-{c.name}: {sig(c)};", f"    xform-{c.name}: {sig(c)};", f"    relay-{c.name}: {sig(c)};"]
    o += ["", "    /// How many calls this instance has served.", "    calls: func() -> u64;",
          "    /// Reports the count to the host (host.tick) and starts it again.", "    reset: func();", "}", ""]
    o += ["/// What the host provides.", "interface host {", f"    use types.{{{used}}};", ""]
    for c in CASES:
        if c.scope == "api":
            o += [f"    xform-{c.name}: {sig(c)};"]
    o += ["", "    /// Told the plugin's call count on reset.", "    tick: func(calls: u64);", "}", ""]
    o += [f"world {WORLD} {{", "    import host;", "    export api;", ""]
    for name, kind, data, _ in WORLD_DEFS:
        o += body(name, kind, data, "    ")
    for c in CASES:
        if c.scope == "world":
            o += [f"    export echo-{c.name}: {sig(c)};", f"    export xform-{c.name}: {sig(c)};",
                  f"    export relay-{c.name}: {sig(c)};", f"    import xform-{c.name}: {sig(c)};"]
    o += ["}"]
    return "\n".join(o) + "\n"


# ---- the two sides -------------------------------------------------------------------------

def fn_names(c):
    """(the export's C stem, the import's C name) for case C."""
    cs = snake(c.name)
    if c.scope == "world":
        return f"exports_{WP}", f"{WP}_xform_{cs}"
    return f"exports_{PFX}_api", f"{PFX}_host_xform_{cs}"


def param_decl(c):
    out = ""
    for pn, pt in c.params:
        ct = ctype(pt)
        out += f", {ct} {member(pn)}" if by_value(pt) else f", const {ct} *{member(pn)}"
    return out


def ptr(pn, pt):
    return f"&{member(pn)}" if by_value(pt) else member(pn)


def gen_plugin():
    o = ["/* Generated by tests/roundtrip/gen_roundtrip.py: the plugin's exports. */", ""]
    for c in CASES:
        cs = snake(c.name)
        exp, imp = fn_names(c)
        rct = ctype(c.result)
        decl = param_decl(c)
        ptrs = ", ".join(ptr(pn, pt) for pn, pt in c.params)
        for fn, op in (("echo", "echo"), ("xform", "xf")):
            o += [f"int32_t {exp}_{fn}_{cs}({WP}_state_t *state{decl}, {rct} *ret)", "{",
                  "\tstate->calls++;", f"\trtc_{cs}_{op}(ret, {ptrs});", "\treturn RDY_OK;", "}", ""]
        # relay: transform the arguments, have the host transform them again, copy its result
        body = ["state->calls++;"]
        args = ""
        for k, (pn, pt) in enumerate(c.params):
            body += [f"{ctype(pt)} x{k};", f"rtc_{cs}_xform{k}(&x{k}, {ptr(pn, pt)});"]
            args += f", x{k}" if by_value(pt) else f", &x{k}"
        body += [f"{rct} tmp;", "memset(&tmp, 0, sizeof tmp);",
                 f"int32_t st = {imp}(state->im{args}, &tmp);"]
        for k in range(len(c.params)):
            body.append(f"rtc_{cs}_free{k}(&x{k});")
        body += ["if (st != RDY_OK)", "\treturn st;", f"rtc_{cs}_copyr(ret, &tmp);"]
        if needs_free(c.result):
            body.append(f"{imp}_release(state->im, &tmp);")
        body.append("return RDY_OK;")
        o += [f"int32_t {exp}_relay_{cs}({WP}_state_t *state{decl}, {rct} *ret)", "{"] + ind(body) + ["}", ""]
    return "\n".join(o)


def gen_host():
    o = ["/* Generated by tests/roundtrip/gen_roundtrip.py: the host's imports and one runner per case. */", ""]
    o += ["enum {"] + [f"\tRT_CASE_{snake(c.name).upper()}," for c in CASES] + ["\tRT_NCASES", "};", ""]
    assert max(len(c.params) for c in CASES) <= 16, "host.c: struct rt_host holds 16 expected arguments"
    imports = []
    for c in CASES:
        cs = snake(c.name)
        exp, imp = fn_names(c)
        rct = ctype(c.result)
        decl = param_decl(c)
        idn = f"RT_CASE_{cs.upper()}"
        # the import: check the arguments against what the plugin should send, transform them
        body = ["struct rt_host *rt_h = ctx;", "rt_h->import_calls++;", f"if (rt_h->expect_case != {idn}) {{",
                "\trt_h->import_bad++;", "\treturn RDY_ETRAP;", "}"]
        for k, (pn, pt) in enumerate(c.params):
            body += [f"if (!rtc_{cs}_eq{k}({ptr(pn, pt)}, (const {ctype(pt)} *)rt_h->expect[{k}])) {{",
                     "\trt_h->import_bad++;", "\treturn RDY_ETRAP;", "}"]
        ptrs = ", ".join(ptr(pn, pt) for pn, pt in c.params)
        body += [f"rtc_{cs}_xf(ret, {ptrs});", "return RDY_OK;"]
        o += [f"static int32_t rt_import_{cs}(void *ctx{decl}, {rct} *ret)", "{"] + ind(body) + ["}", ""]
        imports.append((imp, f"rt_import_{cs}"))

        # the runner
        n = len(c.params)
        call_args = "".join(f", p{k}" if by_value(pt) else f", &p{k}" for k, (pn, pt) in enumerate(c.params))
        pp = ", ".join(f"&p{k}" for k in range(n))
        xp = ", ".join(f"&x{k}" for k in range(n))
        rel = needs_free(c.result)
        body = [f"rt_rng rng;", f"rt_seed(&rng, h->seed, \"{c.name}\");", "unsigned long ok[3] = { 0, 0, 0 };",
                "for (unsigned long i = 0; i < h->count; i++) {"]
        inner = []
        for k, (pn, pt) in enumerate(c.params):
            inner += [f"{ctype(pt)} p{k}, x{k};", f"rtc_{cs}_rand{k}(&rng, &p{k});", f"rtc_{cs}_xform{k}(&x{k}, &p{k});"]
        inner += [f"{rct} want, got;", "int32_t st;", "bool same;"]
        steps = [("echo", f"rtc_{cs}_echo(&want, {pp});", 0), ("xform", f"rtc_{cs}_xf(&want, {pp});", 1),
                 ("relay", f"rtc_{cs}_xf(&want, {xp});", 2)]
        for fn, mk, slot in steps:
            inner += [f"/* {fn} */", mk, "memset(&got, 0, sizeof got);"]
            if fn == "relay":
                inner += [f"h->expect_case = {idn};", "h->import_calls = 0;", "h->import_bad = 0;"]
                inner += [f"h->expect[{k}] = &x{k};" for k in range(n)]
            inner += [f"st = {exp}_{fn}_{cs}(&h->inst{call_args}, &got);",
                      f"same = st == RDY_OK && rtc_{cs}_eqr(&got, &want);"]
            if rel:
                # A result kept past its release: the generated deep copy, equal, freed on its own.
                inner += ["if (same) {", f"	{rct} kept;", f"	same = {copy_call(c.result, 'kept', 'got')};",
                          "	if (same) {", f"		same = rtc_{cs}_eqr(&kept, &want);", f"		{free_fn(c.result)}(&kept);",
                          "	}", "}"]
            if fn == "relay":
                inner += ["h->expect_case = -1;",
                          f"if (rt_check(h, \"{c.name}\", i, \"{fn}\", st, same, h->import_calls, h->import_bad))",
                          f"\tok[{slot}]++;"]
            else:
                inner += [f"if (rt_check(h, \"{c.name}\", i, \"{fn}\", st, same, 1, 0))", f"\tok[{slot}]++;"]
            if rel:
                inner += ["if (st == RDY_OK)", f"\t{exp}_{fn}_{cs}_release(&h->inst, &got);"]
            inner += [f"rtc_{cs}_freer(&want);"]
        for k in range(n):
            inner += [f"rtc_{cs}_free{k}(&p{k});", f"rtc_{cs}_free{k}(&x{k});"]
        body += ind(inner) + ["}", f"rt_summary(h, \"{c.name}\", ok);"]
        o += [f"static void rt_run_{cs}(struct rt_host *h)", "{"] + ind(body) + ["}", ""]

    o += ["static const struct rt_case rt_cases[RT_NCASES] = {"]
    o += [f"\t{{ \"{c.name}\", rt_run_{snake(c.name)} }}," for c in CASES]
    o += ["};", ""]
    o += [f"static void rt_set_imports({WP}_imports_t *im)", "{", "\tmemset(im, 0, sizeof *im);"]
    o += [f"\tim->{imp} = {fn};" for imp, fn in imports]
    o += [f"\tim->{PFX}_host_tick = rt_import_tick;", "}", ""]
    return "\n".join(o)


def write_if_changed(path, text):
    """Writes TEXT to PATH whole, unless PATH holds it already: an unchanged
    file keeps its time, so nothing (make, cargo) rebuilds for nothing."""
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: gen_roundtrip.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {
        "roundtrip.wit": gen_wit(),
        "rt_ops.h": gen_ops(),
        "rt_plugin_funcs.h": gen_plugin(),
        "rt_host_cases.h": gen_host(),
    }
    for name, text in files.items():
        write_if_changed(os.path.join(out, name), text)


if __name__ == "__main__":
    main()
