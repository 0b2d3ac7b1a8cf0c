#!/usr/bin/env python3
"""Differential fuzzing of `rdy wit check` against the reference WIT resolver.

usage: difffuzz.py [--count N] [--seed S] [--rdy PATH] [--out DIR] [--shared DIR]
                   [--jobs J] [--reduce] [--keep DIR] [--verbose]
       difffuzz.py --verify-oracle [--count N] [--seed S] [PATH...]

Each input is one .wit file: a mutated corpus file or a generated package.
Both resolvers judge it (the reference through oracle_batch.mjs, with feature
`active` on, and `rdy wit check FILE --features active`); every input on which
they disagree about accept/reject is saved to the output directory with both
verdicts.  The same seed always produces the same inputs.

--verify-oracle instead checks that oracle_batch.mjs answers exactly as the
shared wit-oracle/run does, over the corpus cases, the first --count
generated inputs and the PATHs (wit-oracle/run starts node for each input:
keep --count small).
"""
import argparse
import concurrent.futures
import json
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RDY_TIMEOUT = 20  # seconds; longer counts as a hang

# ---------------------------------------------------------------- the WIT lexicon

KEYWORDS = """use type func u8 u16 u32 u64 s8 s16 s32 s64 f32 f64 float32 float64 char
resource own borrow record flags variant enum bool string option result future stream
list map interface world import export include with as from static constructor package
async tuple error-context _""".split()
PRIMITIVES = "bool s8 s16 s32 s64 u8 u16 u32 u64 f32 f64 char string".split()
WORDS = """a b c x y foo bar baz qux alpha beta gamma delta point rect color size name
value item entry node tree store get set put run init read write open close handle
error code stream-x input output reader writer request response body headers fields
key data buf len count id kind state mode level first second left right test v1 v2""".split()
ODD_IDENTS = ["A", "Foo", "a-B", "aB", "a-", "-a", "a--b", "1a", "a-1b", "a1-b2", "%use",
              "%%a", "%a", "a_b", "\u00e9t\u00e9", "ABC-DEF", "a-BC", "%interface", "%type", "x0"]
GOOD_GATES = ["@since(version = 0.1.0)", "@since(version = 1.0.0)", "@since(version = 2.0.0)",
              "@unstable(feature = active)", "@unstable(feature = inactive)",
              "@since(version = 0.1.0) @deprecated(version = 0.2.0)"]
GATES = GOOD_GATES + ["@deprecated(version = 0.1.0)",
                      "@since(version = 1.0.0) @unstable(feature = active)",
                      "@since(version = x)", "@unstable(feature = %active)", "@unstable()",
                      "@since(feature = active)", "@since(version = 0.1.0-rc.1+b)"]
VERSIONS = ["0.1.0", "1.0.0", "0.2.0-rc.1", "1.2.3+build", "0.0.1", "2.0.0-alpha.1+x",
            "01.0.0", "1.0", "1", "1.0.0-", "0.2.12", "10.20.30"]

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<word>%?[A-Za-z0-9_\u0080-\uffff][A-Za-z0-9_.+\-\u0080-\uffff]*)
  | (?P<arrow>->)
  | (?P<punct>.)
""", re.S | re.X)
VERSION_RE = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.\-]+)?(?:\+[0-9A-Za-z.\-]+)?")
ITEM_START = re.compile(r"^(\s*)(?:[a-z%][\w-]*\s*:|interface\b|world\b|record\b|variant\b|"
                        r"enum\b|flags\b|resource\b|type\b|use\b|import\b|export\b|"
                        r"include\b|constructor\b)", re.M)


def tokens(src):
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(src)]


# ---------------------------------------------------------------- mutations


def significant(toks):
    return [i for i, (k, _) in enumerate(toks) if k not in ("ws", "comment")]


def m_delete(rng, src):
    t = tokens(src)
    idx = significant(t)
    if not idx:
        return src
    del t[rng.choice(idx)]
    return "".join(v for _, v in t)


def m_duplicate(rng, src):
    t = tokens(src)
    idx = significant(t)
    if not idx:
        return src
    i = rng.choice(idx)
    t.insert(i, (t[i][0], t[i][1] + " "))
    return "".join(v for _, v in t)


def m_swap(rng, src):
    t = tokens(src)
    idx = significant(t)
    if len(idx) < 2:
        return src
    k = rng.randrange(len(idx) - 1)
    i, j = idx[k], idx[k + 1] if rng.random() < 0.7 else rng.choice(idx)
    t[i], t[j] = t[j], t[i]
    return "".join(v for _, v in t)


def m_insert(rng, src):
    t = tokens(src)
    extra = rng.choice(KEYWORDS + list("{}()<>,:;=.*/@") + ["->", "_", "%", "u32", "foo"])
    t.insert(rng.randrange(len(t) + 1), ("word", " " + extra + " "))
    return "".join(v for _, v in t)


def m_keyword(rng, src):
    t = tokens(src)
    idx = [i for i, (k, v) in enumerate(t) if k == "word" and v in KEYWORDS]
    if not idx:
        return src
    i = rng.choice(idx)
    pool = PRIMITIVES if t[i][1] in PRIMITIVES and rng.random() < 0.6 else KEYWORDS
    t[i] = ("word", rng.choice(pool))
    return "".join(v for _, v in t)


def idents(t):
    return sorted({v for k, v in t if k == "word" and v not in KEYWORDS
                   and not v[0].isdigit() and not VERSION_RE.fullmatch(v)})


def m_rename(rng, src):
    t = tokens(src)
    names = idents(t)
    if not names:
        return src
    old = rng.choice(names)
    r = rng.random()
    new = (rng.choice(names) if r < 0.4 else rng.choice(ODD_IDENTS) if r < 0.6
           else rng.choice(KEYWORDS) if r < 0.7 else rng.choice(WORDS))
    every = rng.random() < 0.5
    hits = [i for i, (k, v) in enumerate(t) if k == "word" and v == old]
    for i in hits if every else [rng.choice(hits)]:
        t[i] = ("word", new)
    return "".join(v for _, v in t)


def m_lines(rng, src):
    lines = src.split("\n")
    if len(lines) < 2:
        return src
    i = rng.randrange(len(lines))
    op = rng.randrange(3)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[i])
    else:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def m_version(rng, src):
    found = list(VERSION_RE.finditer(src))
    if found and rng.random() < 0.7:
        m = rng.choice(found)
        return src[:m.start()] + rng.choice(VERSIONS) + src[m.end():]
    # add or drop a version on a package name or path (`ns:pkg` / `ns:pkg/iface`)
    paths = list(re.finditer(r"\b[a-z][\w-]*:[a-z][\w-]*(?:/[a-z][\w-]*)?(@[\w.+\-]+)?", src))
    if not paths:
        return src
    m = rng.choice(paths)
    if m.group(1):
        return src[:m.start(1)] + src[m.end(1):]
    return src[:m.end()] + "@" + rng.choice(VERSIONS) + src[m.end():]


def m_gate(rng, src):
    starts = list(ITEM_START.finditer(src))
    if not starts:
        return src
    m = rng.choice(starts)
    return src[:m.end(1)] + rng.choice(GATES) + "\n" + m.group(1) + src[m.end(1):]


def m_type(rng, src):
    t = tokens(src)
    idx = [i for i, (k, v) in enumerate(t) if k == "word" and v in PRIMITIVES]
    if not idx:
        return src
    g = Generator(rng)
    t[rng.choice(idx)] = ("word", g.type_expr(Scope(), 1))
    return "".join(v for _, v in t)


MUTATIONS = [m_delete, m_duplicate, m_swap, m_insert, m_keyword, m_rename, m_lines,
             m_version, m_gate, m_type]


# ---------------------------------------------------------------- a generator of WIT


class Scope:
    """Names visible where a type is written: plain types and resources."""

    def __init__(self):
        self.types, self.resources = [], []

    def has(self, name):
        return name in self.types or name in self.resources


class Generator:
    """Random WIT packages, mostly valid: references point at earlier definitions."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.versioned = False

    def chance(self, p):
        return self.rng.random() < p

    def ident(self):
        rng = self.rng
        for _ in range(50):
            name = rng.choice(WORDS)
            if self.chance(0.4):
                name += "-" + rng.choice(WORDS)
            if name not in self.used:
                break
        else:
            name = f"n{len(self.used)}"
        if self.chance(0.0005):
            name = rng.choice(ODD_IDENTS)
        elif self.chance(0.01):
            name = "%" + rng.choice(KEYWORDS[:-1])
        self.used.add(name)
        return name

    def gate(self):
        """Mostly valid: a version in a gate needs a versioned package."""
        if not self.chance(0.08):
            return ""
        if self.chance(0.03):
            return self.rng.choice(GATES) + " "
        pool = GOOD_GATES if self.versioned else [g for g in GOOD_GATES if "version" not in g]
        return self.rng.choice(pool) + " "

    def docs(self, indent):
        if not self.chance(0.1):
            return ""
        return self.rng.choice([f"{indent}/// {self.rng.choice(WORDS)} docs\n",
                                f"{indent}/** block {self.rng.choice(WORDS)} */\n"])

    def type_expr(self, scope, depth, param=False):
        rng = self.rng
        if depth > 3 or self.chance(0.45):
            pool = PRIMITIVES + scope.types
            if scope.resources:
                r = rng.choice(scope.resources)
                pool += [r, f"own<{r}>"] + ([f"borrow<{r}>"] * 3 if param else [])
                if self.chance(0.02):
                    pool.append(f"borrow<{r}>")
            return rng.choice(pool)
        sub = lambda: self.type_expr(scope, depth + 1, param)
        k = rng.randrange(13)
        if k == 0:
            return f"list<{sub()}>"
        if k == 1:
            return f"list<{sub()}, {rng.choice([1, 2, 4, 16])}>"  # 0 hangs the oracle's codegen
        if k == 2:
            return f"option<{sub()}>"
        if k == 3:
            return "result"
        if k == 4:
            return f"result<{sub()}>"
        if k == 5:
            return f"result<_, {sub()}>"
        if k == 6:
            return f"result<{sub()}, {sub()}>"
        if k == 7:
            return "tuple<" + ", ".join(sub() for _ in range(rng.randint(1, 3))) + ">"
        if k == 8:
            return rng.choice(["future", f"future<{sub()}>"])
        if k == 9:
            return rng.choice(["stream", f"stream<{sub()}>"])
        if k == 10:
            return f"map<{rng.choice(['string', 'u32', 'char', 's64'])}, {sub()}>"
        if k == 11:
            return "error-context"
        return f"list<{sub()}>"

    def func(self, scope, indent, kind="func", prefix=""):
        params = ", ".join(f"{self.ident()}: {self.type_expr(scope, 1, True)}"
                           for _ in range(self.rng.randint(0, 3)))
        res = f" -> {self.type_expr(scope, 1)}" if self.chance(0.6) else ""
        asy = "async " if self.chance(0.05) else ""
        static = "static " if kind == "static" else ""
        return (f"{self.docs(indent)}{indent}{self.gate()}{prefix}{self.ident()}: "
                f"{static}{asy}func({params}){res};\n")

    def resource(self, scope, indent):
        name = self.ident()
        scope.resources.append(name)
        if self.chance(0.3):
            return f"{indent}{self.gate()}resource {name};\n"
        body = ""
        inner = indent + "  "
        if self.chance(0.5):
            params = ", ".join(f"{self.ident()}: {self.type_expr(scope, 1, True)}"
                               for _ in range(self.rng.randint(0, 2)))
            body += f"{inner}{self.gate()}constructor({params});\n"
        for _ in range(self.rng.randint(0, 3)):
            body += self.func(scope, inner, self.rng.choice(["func", "func", "static"]))
        return f"{indent}{self.gate()}resource {name} {{\n{body}{indent}}}\n"

    def typedef(self, scope, indent):
        rng, g = self.rng, self.gate()
        k = rng.randrange(6)
        if k == 5:
            return self.resource(scope, indent)
        name = self.ident()
        if k == 0:
            body = ", ".join(f"{self.ident()}: {self.type_expr(scope, 1)}"
                             for _ in range(rng.randint(0 if self.chance(0.05) else 1, 4)))
            text = f"{indent}{g}record {name} {{ {body} }}\n"
        elif k == 1:
            cases = ", ".join(self.ident() + (f"({self.type_expr(scope, 1)})" if self.chance(0.5) else "")
                              for _ in range(rng.randint(1, 4)))
            text = f"{indent}{g}variant {name} {{ {cases} }}\n"
        elif k == 2:
            text = f"{indent}{g}enum {name} {{ {', '.join(self.ident() for _ in range(rng.randint(1, 4)))} }}\n"
        elif k == 3:
            text = f"{indent}{g}flags {name} {{ {', '.join(self.ident() for _ in range(rng.randint(0, 4)))} }}\n"
        else:
            text = f"{indent}{g}type {name} = {self.type_expr(scope, 1)};\n"
        scope.types.append(name)
        return self.docs(indent) + text

    def use(self, exported, scope, indent):
        """`use iface.{a, b as c};` over an earlier interface's types."""
        if not exported:
            return ""
        path, names, _ = self.rng.choice(exported)
        if not names:
            return f"{indent}use {path}.{{}};\n" if self.chance(0.2) else ""
        picked = self.rng.sample(names, self.rng.randint(1, min(3, len(names))))
        items = []
        for n, is_res in picked:
            if scope.has(n) and self.chance(0.95):
                continue
            local = self.ident() if self.chance(0.3) else n
            (scope.resources if is_res else scope.types).append(local)
            items.append(n if local == n else f"{n} as {local}")
        if not items:
            return ""
        return f"{indent}{self.gate()}use {path}.{{{', '.join(items)}}};\n"

    def iface_body(self, exported, indent):
        scope, body = Scope(), ""
        for _ in range(self.rng.randint(0, 2)):
            body += self.use(exported, scope, indent)
        for _ in range(self.rng.randint(0, 5)):
            body += self.typedef(scope, indent) if self.chance(0.55) else self.func(scope, indent)
        names = [(n, False) for n in scope.types] + [(n, True) for n in scope.resources]
        return body, names

    def world(self, ifaces, worlds, indent):
        rng, inner = self.rng, indent + "  "
        body, taken = "", []
        for _ in range(rng.randint(0, 6)):
            k = rng.randrange(8)
            side = rng.choice(["import", "export"])
            if k <= 2 and ifaces:
                ref, _, key = rng.choice(ifaces)
                if key in taken and self.chance(0.95):
                    continue
                taken.append(key)
                body += f"{inner}{self.gate()}{side} {ref};\n"
            elif k == 3:
                b, _ = self.iface_body([], inner + "  ")
                body += f"{inner}{side} {self.ident()}: interface {{\n{b}{inner}}}\n"
            elif k == 4:
                body += self.func(Scope(), inner, prefix=side + " ")
            elif k == 5 and worlds:
                w = rng.choice(worlds)
                with_ = f" with {{ {self.ident()} as {self.ident()} }}" if self.chance(0.2) else ";"
                body += f"{inner}{self.gate()}include {w}{with_}\n"
            elif k == 6 and ifaces:
                body += self.use(ifaces, Scope(), inner)
            elif k == 7 and ifaces:
                body += f"{inner}{self.gate()}{side} {self.ident()}: {rng.choice(ifaces)[0]};\n"
        name = self.ident()
        return name, f"{self.docs(indent)}{indent}{self.gate()}world {name} {{\n{body}{indent}}}\n"

    def package_items(self, pkg, ifaces, indent):
        """Interfaces and worlds of package PKG; adds its interfaces to IFACES.
        A package names its own interfaces plainly: `pkg/iface` would be a cycle."""
        out, worlds = "", []
        for _ in range(self.rng.randint(1, 4)):
            name = self.ident()
            body, names = self.iface_body(ifaces, indent + "  ")
            out += f"{self.docs(indent)}{indent}{self.gate()}interface {name} {{\n{body}{indent}}}\n\n"
            ifaces.append((name, names, f"{pkg}/{name}"))
        for _ in range(self.rng.randint(0, 2)):
            name, text = self.world(ifaces, worlds, indent)
            out += text + "\n"
            worlds.append(name)
        return out

    def package(self):
        """`package ns:name;`, optionally nested `package a:b { ... }` blocks, then items."""
        version = "@" + self.rng.choice(VERSIONS[:6]) if self.chance(0.4) else ""
        self.versioned = bool(version)
        ns, name = self.ident(), self.ident()
        head = f"{self.docs('')}package {ns}:{name}{version};\n\n"
        text, ifaces = "", []
        for _ in range(self.rng.choice([0, 0, 0, 0, 1, 1, 2])):
            nns, nname = self.ident(), self.ident()
            seen, self.versioned = list(ifaces), False
            items = self.package_items(f"{nns}:{nname}", seen, "  ")
            ifaces += [(f"{nns}:{nname}/{n}", names, key)
                       for n, names, key in seen[len(ifaces):]]
            text += f"package {nns}:{nname} {{\n{items}}}\n\n"
        self.versioned = bool(version)
        foreign = list(ifaces)
        for _ in range(self.rng.choice([0, 0, 1, 2]) if foreign else 0):
            ref, names, key = self.rng.choice(foreign)  # a top-level `use` names it locally
            alias = self.ident() if self.chance(0.5) else ref.rsplit("/", 1)[1]
            text += f"use {ref}{'' if ref.endswith('/' + alias) else ' as ' + alias};\n"
            ifaces.append((alias, names, key))
        if text and self.chance(0.05):  # the main package in braces too: invalid
            return text + f"package {ns}:{name}{version} {{\n" + \
                self.package_items(f"{ns}:{name}", ifaces, "  ") + "}\n"
        return head + text + self.package_items(f"{ns}:{name}", ifaces, "")


# ---------------------------------------------------------------- inputs


def seed_files(shared):
    corpus = os.path.join(shared, "corpus")
    found = []
    for sub in ("wit-ui", "wasi-0.2"):
        for d, dirs, files in os.walk(os.path.join(corpus, sub)):
            dirs.sort()
            found += [os.path.join(d, f) for f in sorted(files) if f.endswith(".wit")]
    texts = []
    for p in found:
        with open(p, encoding="utf-8", errors="replace") as f:
            texts.append((os.path.relpath(p, corpus), f.read()))
    return texts


def make_input(seed, i, seeds):
    """Input number I of run SEED: (text, how it was made)."""
    rng = random.Random(seed * 1_000_003 + i)
    r = rng.random()
    if r < 0.6 and seeds:
        origin, text = rng.choice(seeds)
        how = [origin]
    else:
        text, how = Generator(rng).package(), ["generated"]
        if r < 0.75:
            return text, how
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        m = rng.choice(MUTATIONS)
        text = m(rng, text)
        how.append(m.__name__[2:])
    return text, how


# ---------------------------------------------------------------- the two resolvers


class Oracle:
    """oracle_batch.mjs as a coprocess: paths in, JSON verdicts out, in order.

    The reference's code generator can run for minutes on some inputs, and a
    synchronous wasm call cannot be interrupted: an input unanswered within
    TIMEOUT seconds is judged a hang and the coprocess is restarted."""

    TIMEOUT = 30

    def __init__(self, shared, log=None):
        self.shared, self.log = shared, log
        self.proc = None
        self.spawn()
        if self.judge(os.path.join(shared, "corpus", "wit-ui", "empty.wit")).get("died"):
            print("difffuzz: installing the reference resolver (npm) ...", file=sys.stderr)
            subprocess.run([os.path.join(shared, "tools", "wit-oracle", "run"),
                            os.path.join(shared, "corpus", "wit-ui", "empty.wit")],
                           stdout=subprocess.DEVNULL)
            self.spawn()
            if self.judge(os.path.join(shared, "corpus", "wit-ui", "empty.wit")).get("died"):
                sys.exit("difffuzz: the reference resolver is unavailable (needs node and npm)")

    def spawn(self):
        self.close()
        argv = ["node", os.path.join(HERE, "oracle_batch.mjs"), "--json"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log or subprocess.DEVNULL,
                                     text=True, encoding="utf-8", bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self.read, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def read(proc, lines):
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def feed(self, paths):
        def write():
            try:
                for p in paths:
                    self.proc.stdin.write(p + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        threading.Thread(target=write, daemon=True).start()

    def judge_all(self, paths):
        """{path: verdict} for PATHS; a verdict is {"ok", "error"} plus "hang" or "died"."""
        out, i = {}, 0
        while i < len(paths):
            if self.proc is None:
                self.spawn()
            self.feed(paths[i:])
            while i < len(paths):
                try:
                    line = self.lines.get(timeout=self.TIMEOUT)
                except queue.Empty:
                    line = "hang"
                if line in (None, "hang"):
                    what = f"oracle gave no answer in {self.TIMEOUT} s" if line else "oracle_batch died"
                    out[paths[i]] = {"ok": False, "error": what, line and "hang" or "died": True}
                    i += 1
                    self.close()
                    break
                d = json.loads(line)
                out[d["path"]] = d
                i += 1
        return out

    def judge(self, path):
        return self.judge_all([path])[path]

    def close(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc = None


def run_rdy(rdy, path):
    """(verdict, detail): verdict is 'ok', 'error' or 'crash'."""
    try:
        p = subprocess.run([rdy, "wit", "check", path, "--features", "active"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=RDY_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "crash", f"timed out after {RDY_TIMEOUT} s"
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode == 0:
        return "ok", err
    if p.returncode == 1:
        return "error", err
    how = f"killed by signal {-p.returncode}" if p.returncode < 0 else f"exit {p.returncode}"
    return "crash", how + "\n" + err


def oracle_class(d):
    """What the oracle's answer says about the input.

    'ok' and 'error' are verdicts on the WIT: resolution errors carry the
    context "reading WIT file/dir at [...]" (generate_types in jco's
    js-component-bindgen-component).  Anything else is the oracle failing for
    its own reasons, which says nothing about validity: 'codegen' (type
    generation or world selection failed after resolving), 'trap' (a Rust
    panic, printed on the oracle's stderr), 'hang' (no answer in time)."""
    if d["ok"]:
        return "ok"
    msg = d["error"] or ""
    if d.get("hang") or d.get("died"):
        return "hang"
    if re.match(r"reading WIT (file|dir) at \[", msg):
        return "error"
    if msg.startswith("RuntimeError"):
        return "trap"
    return "codegen"


FINDINGS = ("rdy-accepts-invalid", "rdy-rejects-valid", "rdy-crash",
            "oracle-codegen", "oracle-trap", "oracle-hang")


def classify(o, r):
    """The finding for oracle class O and rdy verdict R, or None when they agree.
    When the oracle gave no verdict on the WIT, rdy accepting is reported apart
    (oracle-*): the input may well be valid; rdy rejecting is not a finding."""
    if r == "crash":
        return "rdy-crash"
    if o in ("codegen", "trap", "hang"):
        return "oracle-" + o if r == "ok" else None
    if o == r:
        return None
    return "rdy-accepts-invalid" if r == "ok" else "rdy-rejects-valid"


# ---------------------------------------------------------------- reduction


def token_units(text):
    """TEXT as tokens that each carry the white space after them."""
    units = []
    for kind, v in tokens(text):
        if kind == "ws" and units:
            units[-1] += v
        else:
            units.append(v)
    return units


def reduce_case(text, still, units):
    """Greedy delta reduction of TEXT by UNITS ('lines' or 'tokens') keeping still(text)."""
    parts = text.split("\n") if units == "lines" else token_units(text)
    join = "\n".join if units == "lines" else "".join
    chunk = max(1, len(parts) // 2)
    while chunk >= 1:
        i = 0
        while i < len(parts):
            trial = parts[:i] + parts[i + chunk:]
            if trial and still(join(trial)):
                parts = trial
            else:
                i += 1 if chunk <= 8 else chunk  # small chunks at every offset
        chunk //= 2
    return join(parts)


def reducer(args, oracle, workdir, finding):
    path = os.path.join(workdir, "reduce.wit")

    def still(text):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r, _ = run_rdy(args.rdy, path)
        return classify(oracle_class(oracle.judge(path)), r) == finding
    return still


# ---------------------------------------------------------------- main


def panic_text(path):
    """The reference's panic message for PATH (printed on stderr), for a trap."""
    try:
        p = subprocess.run(["node", os.path.join(HERE, "oracle_batch.mjs"), path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=Oracle.TIMEOUT)
    except subprocess.TimeoutExpired:
        return ""
    return "\n".join(l for l in p.stderr.splitlines() if l.strip())


def save(args, n, finding, text, how, od, rverdict, rdetail, reduced):
    base = os.path.join(args.out, f"{finding}-{n:06d}")
    with open(base + ".wit", "w", encoding="utf-8") as f:
        f.write(text)
    if reduced is not None:
        with open(base + ".min.wit", "w", encoding="utf-8") as f:
            f.write(reduced)
    with open(base + ".txt", "w", encoding="utf-8") as f:
        f.write(f"seed {args.seed} input {n}: {' + '.join(how)}\n")
        f.write("oracle: " + ("ok" if od["ok"] else "error: " + (od["error"] or "")) + "\n")
        if od.get("panic"):
            f.write("oracle stderr:\n" + od["panic"] + "\n")
        f.write(f"rdy: {rverdict}\n{rdetail}\n")


def root_cause(d):
    if d["ok"]:
        return "ok"
    lines = [l.strip() for l in (d["error"] or "").split("\n") if l.strip()]
    return "error: " + (lines[-1] if lines else "")  # the root cause is last in the chain


def generate(args, inputs, seeds):
    """Writes the inputs of this run; {path: (n, text, how)}."""
    made = {}
    for n in range(args.count):
        text, how = make_input(args.seed, n, seeds)
        p = os.path.join(inputs, f"in-{n:06d}.wit")
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        made[p] = (n, text, how)
    return made


def fuzz(args):
    seeds = seed_files(args.shared)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "oracle-stderr.log"), "w")
    oracle = Oracle(args.shared, log)
    work = tempfile.mkdtemp(prefix="difffuzz-")
    inputs = args.keep or work
    os.makedirs(inputs, exist_ok=True)
    print(f"difffuzz: seed {args.seed}, {args.count} inputs, {len(seeds)} seed files, rdy {args.rdy}")
    made = generate(args, inputs, seeds)
    paths = list(made)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rdy_runs = pool.map(lambda p: run_rdy(args.rdy, p), paths)
        verdicts = oracle.judge_all(paths)
        rdy_verdicts = dict(zip(paths, rdy_runs))
    counts, classes = {k: 0 for k in FINDINGS}, {}
    for p in paths:
        n, text, how = made[p]
        od = verdicts[p]
        o = oracle_class(od)
        if o == "trap":  # a panic inside the resolver is its verdict on the WIT
            od["panic"] = panic_text(p)
            if "wit-parser" in od["panic"]:
                o = "error"
        classes[o] = classes.get(o, 0) + 1
        r, detail = rdy_verdicts[p]
        finding = classify(o, r)
        if finding is None:
            continue
        counts[finding] += 1
        reduced = None
        if args.reduce and not finding.startswith("oracle-"):
            still = reducer(args, oracle, work, finding)
            reduced = reduce_case(reduce_case(text, still, "lines"), still, "tokens")
        save(args, n, finding, text, how, od, r, detail, reduced)
        if not finding.startswith("oracle-") or args.verbose:
            print(f"{finding} {n:06d} ({' + '.join(how)}): oracle {root_cause(od)[:100]} / rdy {r}")
    oracle.close()
    log.close()
    shutil.rmtree(work, ignore_errors=True)
    real = sum(counts[k] for k in FINDINGS if not k.startswith("oracle-"))
    print("oracle verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    for k in FINDINGS:
        print(f"  {k}: {counts[k]}")
    print(f"disagreements: {real}" + (f" (inputs and verdicts in {args.out})" if real else ""))
    if any(counts[k] for k in FINDINGS if k.startswith("oracle-")):
        print("  oracle-*: rdy accepted, and the oracle failed after or outside resolution "
              "(code generation, a panic, a hang); not counted as disagreements")
    return 1 if real else 0


def corpus_cases(shared):
    ui = os.path.join(shared, "corpus", "wit-ui")
    cases = []
    for base in (ui, os.path.join(ui, "parse-fail"), os.path.join(shared, "corpus", "wasi-0.2")):
        for f in sorted(os.listdir(base)):
            p = os.path.join(base, f)
            if f.endswith((".wit", ".wat")) or (os.path.isdir(p) and f != "parse-fail"):
                cases.append(p)
    return cases


def verify_oracle(args):
    """Compares oracle_batch.mjs with the shared one-input oracle, message for message."""
    work = tempfile.mkdtemp(prefix="difffuzz-verify-")
    cases = corpus_cases(args.shared) + list(generate(args, work, seed_files(args.shared)))
    cases += [os.path.abspath(p) for p in args.paths]
    oracle = Oracle(args.shared)
    batch = oracle.judge_all(cases)
    oracle.close()
    run = os.path.join(args.shared, "tools", "wit-oracle", "run")

    def single(p):
        try:
            out = subprocess.run([run, p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True, timeout=Oracle.TIMEOUT).stdout.strip()
        except subprocess.TimeoutExpired:
            out = "(hang)"
        return p, out
    agree = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for p, out in pool.map(single, cases):
            d = batch[p]
            mine = "(hang)" if d.get("hang") else "ok" if d["ok"] else "error: " + (d["error"] or "")
            if mine == out:
                agree += 1
            else:
                print(f"DIFFERS {p}\n  run:   {out[:300]!r}\n  batch: {mine[:300]!r}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"oracle_batch agrees with wit-oracle/run on {agree}/{len(cases)} inputs")
    return 0 if agree == len(cases) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rdy", default=os.path.join(REPO, "build", "rdy"))
    ap.add_argument("--out", help="where findings are saved (default: difffuzz-seedS in the "
                    "temporary directory)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--reduce", action="store_true", help="also save a reduced copy of each finding")
    ap.add_argument("--keep", metavar="DIR", help="keep every generated input in DIR")
    ap.add_argument("--verbose", action="store_true", help="also list the oracle-* inputs")
    ap.add_argument("--verify-oracle", action="store_true")
    ap.add_argument("paths", nargs="*", help="with --verify-oracle: more inputs to compare")
    args = ap.parse_args()
    args.shared = os.path.abspath(args.shared)
    if not os.path.isdir(os.path.join(args.shared, "corpus")):
        print(f"SKIP: the shared WIT corpus is absent ({args.shared}/corpus not found)")
        return 77
    if args.verify_oracle:
        return verify_oracle(args)
    if not os.access(args.rdy, os.X_OK):
        print(f"difffuzz: {args.rdy} is not an executable rdy binary (build it, or pass --rdy)")
        return 2
    args.rdy = os.path.abspath(args.rdy)
    args.out = os.path.abspath(args.out or os.path.join(tempfile.gettempdir(),
                                                        f"difffuzz-seed{args.seed}"))
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
