#!/usr/bin/env python3
"""The evolution matrix: old and new, host and plugin, over kinds of change.

usage: evolve.py RDY CC INCLUDE LIBRDY WORKDIR [SANITIZE] [--expect-only]

Each kind of change is an edit of base.wit (the old side) that gives the
new side.  For every kind four programs are built from the generated
bindings: an old host, a new host, an old plugin and a new plugin (the old
ones once per distinct old text), and four cells are run: old host with old
plugin, new with new (both must load, everything present), old host with
new plugin and new host with old plugin.

The host and the plugin are generic C written here from the prototypes of
the generated headers.  The plugin implements every export by zeroing its
result and returning RDY_OK; the first export called reports, for each of
the plugin's imports, its `_has_` answer and the status of calling it with
zeroed arguments.  The host implements every import the same way, opens the
plugin and prints `load ok` (with the loader's notes of absent items) or
`load refused` with the loader's exact diagnostic, then for each of its
exports the `_has_` answer and the status of calling it.

`rdy diff OLD.wit NEW.wit --world plugin --json` predicts every cell: which
side refuses (the classes of its changes), and which items bind as absent
(`absent`), all others being present.  Any cell that disagrees with the
prediction fails the test, as does a prediction that disagrees with the
table below (what each kind must give), or with `rdy diff` of the two built
plugins.  Every kind's diff must find a change (exit bit 4), and a breaking
change (exit bit 8) exactly when the kind is breaking.

--expect-only checks the cells against the table alone, for a rdy without
`diff`.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORLD = "plugin"
OHNP = "old-host-new-plugin"
NHOP = "new-host-old-plugin"
CELLS = [("old host, old plugin", "old", "old"), ("new host, new plugin", "new", "new"),
         ("old host, new plugin", "old", "new"), ("new host, old plugin", "new", "old")]
CELL_KEY = {("old", "new"): OHNP, ("new", "old"): NHOP}


def sub(old, new, count=1):
    def f(text):
        assert old in text, old
        return text.replace(old, new, count)
    return f


def chain(*fs):
    def f(text):
        for g in fs:
            text = g(text)
        return text
    return f


def version(v):
    return sub("package test:evo@1.2.0;", f"package test:evo@{v};")


# The 0.x kinds' old side: base.wit as a 0.2.0 package (a gate may not name
# a version the package has not reached).
ZERO = chain(version("0.2.0"), lambda t: t.replace("@since(version = 1.1.0)", "@since(version = 0.1.0)"))
BUMP = version("1.3.0")
IDENT = lambda t: t  # noqa: E731

STATS = "interface stats {\n    count: func() -> u32;\n}\n\nworld plugin {"
CLOCK = "interface clock {\n    now: func() -> u64;\n}\n\nworld plugin {"

# name: (description, old side from base.wit, edit giving the new side,
#        the cells that refuse, the items absent: (cell, direction, interface or None, item or None))
# An absent item None is the whole interface; an interface None is the world's own function.
KINDS = {
    "export-added": (
        "an exported function added, ungated",
        IDENT, sub("    bytes: func(n: u32) -> list<u8>;\n",
                   "    bytes: func(n: u32) -> list<u8>;\n    reset: func();\n"),
        {NHOP}, []),
    "export-added-gated": (
        "an exported function added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("    bytes: func(n: u32) -> list<u8>;\n",
                               "    bytes: func(n: u32) -> list<u8>;\n"
                               "    @since(version = 1.3.0)\n    later: func() -> u32;\n")),
        set(), [(NHOP, "export", "test:evo/api", "later")]),
    "export-removed": (
        "an exported function removed, ungated",
        IDENT, sub("    name: func() -> string;\n", ""),
        {OHNP}, []),
    "export-removed-gated": (
        "an exported function gated @since(1.1.0) removed, in 1.3.0",
        IDENT, chain(BUMP, sub("    /// Gated since 1.1.0.\n    @since(version = 1.1.0)\n"
                               "    extra: func() -> result<u32, string>;\n", "")),
        {OHNP}, []),
    "interface-added": (
        "an exported interface added, ungated",
        IDENT, chain(sub("world plugin {", STATS), sub("    export api;\n", "    export api;\n    export stats;\n")),
        {NHOP}, []),
    "interface-added-gated": (
        "an exported interface added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("world plugin {", STATS),
                     sub("    export api;\n", "    export api;\n    @since(version = 1.3.0)\n    export stats;\n")),
        set(), [(NHOP, "export", "test:evo/stats", None)]),
    "world-export-added-gated": (
        "a world's exported function added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("    export version: func() -> string;\n",
                               "    export version: func() -> string;\n"
                               "    @since(version = 1.3.0)\n    export ping: func() -> u32;\n")),
        set(), [(NHOP, "export", None, "ping")]),
    "record-changed": (
        "a record's field type changed",
        IDENT, sub("        y: s32,", "        y: f32,"),
        {OHNP, NHOP}, []),
    "variant-case-added": (
        "a variant case added",
        IDENT, sub("        empty,\n", "        empty,\n        circle(f64),\n"),
        {OHNP, NHOP}, []),
    "flag-added": (
        "a flag added",
        IDENT, sub("        italic,\n", "        italic,\n        underline,\n"),
        {OHNP, NHOP}, []),
    "param-changed": (
        "a parameter's type changed",
        IDENT, sub("scale: func(x: u32, factor: u32)", "scale: func(x: u32, factor: f32)"),
        {OHNP, NHOP}, []),
    "result-changed": (
        "a result's type changed",
        IDENT, sub("area: func(s: shape) -> f64;", "area: func(s: shape) -> f32;"),
        {OHNP, NHOP}, []),
    "import-added": (
        "an imported function added, ungated",
        IDENT, sub("    mark: func(p: point) -> bool;\n",
                   "    mark: func(p: point) -> bool;\n    clock: func() -> u64;\n"),
        {OHNP}, []),
    "import-added-gated": (
        "an imported function added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("    mark: func(p: point) -> bool;\n",
                               "    mark: func(p: point) -> bool;\n"
                               "    @since(version = 1.3.0)\n    clock: func() -> u64;\n")),
        set(), [(OHNP, "import", "test:evo/host", "clock")]),
    "import-removed": (
        "an imported function removed, ungated",
        IDENT, sub("    lookup: func(key: u32) -> option<string>;\n", ""),
        {NHOP}, []),
    "import-removed-gated": (
        "an imported function gated @since(1.1.0) removed, in 1.3.0",
        IDENT, chain(BUMP, sub("    /// A hint, gated since 1.1.0.\n    @since(version = 1.1.0)\n"
                               "    hint: func() -> u32;\n", "")),
        {NHOP}, []),
    "import-interface-added-gated": (
        "an imported interface added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("world plugin {", CLOCK),
                     sub("    import host;\n", "    import host;\n    @since(version = 1.3.0)\n    import clock;\n")),
        set(), [(OHNP, "import", "test:evo/clock", None)]),
    "world-import-added-gated": (
        "a world's imported function added @since(1.3.0), in 1.3.0",
        IDENT, chain(BUMP, sub("    import host;\n",
                               "    import host;\n    @since(version = 1.3.0)\n    import now: func() -> u64;\n")),
        set(), [(OHNP, "import", None, "now")]),
    "minor-bump": (
        "the package's minor version bumped, 1.2.0 to 1.3.0",
        IDENT, BUMP,
        set(), []),
    "major-bump": (
        "the package's major version bumped, 1.2.0 to 2.0.0",
        IDENT, version("2.0.0"),
        {OHNP, NHOP}, []),
    "deprecated": (
        "a function deprecated in 1.3.0",
        IDENT, chain(BUMP, sub("    @since(version = 1.1.0)\n    extra:",
                               "    @since(version = 1.1.0)\n    @deprecated(version = 1.3.0)\n    extra:")),
        set(), []),
    "zero-minor": (
        "a 0.x package's minor version bumped, 0.2.0 to 0.3.0",
        ZERO, sub("package test:evo@0.2.0;", "package test:evo@0.3.0;"),
        {OHNP, NHOP}, []),
    "zero-patch": (
        "a 0.x package's patch version bumped, 0.2.0 to 0.2.1",
        ZERO, sub("package test:evo@0.2.0;", "package test:evo@0.2.1;"),
        set(), []),
}

FLAGS = ["-std=c11", "-O1", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wno-unused-parameter"]


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


# ---- reading the generated headers ------------------------------------------------

class Param:
    """One C parameter: its type as written, its name, and how to make a zeroed one."""

    def __init__(self, decl):
        m = re.fullmatch(r"(.*?)\s*\b(\w+)", decl.strip())
        if not m:
            raise ValueError(f"cannot read parameter `{decl}`")
        self.type, self.name = m.group(1), m.group(2)
        self.ptr = self.type.endswith("*")
        self.const = self.type.startswith("const ")
        base = self.type.rstrip("*").strip()
        self.base = base[len("const "):] if self.const else base
        if self.type.count("*") > 1 or "(" in self.type:
            raise ValueError(f"unexpected parameter `{decl}`")

    def decl(self):
        return f"{self.type}{'' if self.ptr else ' '}{self.name}"

    @property
    def result(self):
        return self.ptr and not self.const


def params(text):
    text = (text or "").strip()
    return [Param(p) for p in text.split(",")] if text else []


def where(block):
    """Export: `add` in test:rt/calc@1.1.0 -> ("test:rt/calc", "add"); in the world -> ("-", "add")."""
    m = re.match(r"(\S+)` in (the world|\S+)", block)
    if not m:
        raise ValueError(f"cannot read item heading: {block[:80]}")
    iface = "-" if m.group(2) == "the world" else m.group(2).split("@")[0]
    return iface, m.group(1)


class Func:
    def __init__(self, iface, item, call, args, has=None, release=None, proto=None):
        self.iface, self.item, self.call, self.args = iface, item, call, args
        self.has, self.release, self.proto = has, release, proto


def blocks(text, marker):
    return text.split(marker)[1:]


def read_host_header(path):
    text = open(path).read()
    prefix = re.search(r"^rdy_world \*(\w+)_world\(rdy_error \*\*err\);", text, re.M).group(1)
    imp = re.search(r"typedef struct %s_imports \{(.*?)\} %s_imports_t;" % (prefix, prefix), text, re.S).group(1)
    imports = []
    for b in blocks(imp, "/* Import: `"):
        iface, item = where(b)
        m = re.search(r"int32_t \(\*(\w+)\)\(void \*ctx(?:, ([^;]*))?\);", b)
        imports.append(Func(iface, item, m.group(1), params(m.group(2))))
    exp = text.split("---- exports: calls into the plugin", 1)
    exports = []
    for b in blocks(exp[1] if len(exp) > 1 else "", "/* Export: `"):
        iface, item = where(b)
        call = re.search(r"static inline int32_t (\w+)\(const %s_t \*inst(?:, ([^)]*))?\)" % prefix, b)
        has = re.search(r"static inline bool (\w+)\(const %s_t \*inst\)" % prefix, b)
        rel = re.search(r"static inline void (%s_release)\(" % call.group(1), b)
        exports.append(Func(iface, item, call.group(1), params(call.group(2)), has.group(1),
                            rel.group(1) if rel else None))
    return prefix, imports, exports


def read_plugin_header(path):
    text = open(path).read()
    m = re.search(r"RDY_PLUGIN_API int32_t (\w+)_instance_new\(const rdy_imports_v1 \*imports, (\w+) \*\*state\);",
                  text)
    prefix, state = m.group(1), m.group(2)
    rest = text.split("---- exports: you implement these", 1)[1]
    exp, _, imp = rest.partition("---- imports: the host's functions")
    exports = []
    for b in blocks(exp, "/* Export: `"):
        iface, item = where(b)
        m = re.search(r"RDY_PLUGIN_API (int32_t (\w+)\(%s \*state(?:, ([^)]*))?\));" % state, b)
        exports.append(Func(iface, item, m.group(2), params(m.group(3)), proto=m.group(1)))
    imports = []
    for b in blocks(imp, "/* Import: `"):
        iface, item = where(b)
        call = re.search(r"static inline int32_t (\w+)\(const rdy_imports_v1 \*im(?:, ([^)]*))?\)", b)
        has = re.search(r"static inline bool (\w+)\(const rdy_imports_v1 \*im\)", b)
        rel = re.search(r"static inline void (%s_release)\(" % call.group(1), b)
        imports.append(Func(iface, item, call.group(1), params(call.group(2)), has.group(1),
                            rel.group(1) if rel else None))
    return prefix, state, exports, imports


# ---- writing the generic host and plugin ------------------------------------------

def zero_result(args, indent="\t"):
    return "".join(f"{indent}memset({a.name}, 0, sizeof *{a.name});\n" for a in args if a.result)


def call_zeroed(f, first, tag, indent="\t"):
    """A block that calls F with zeroed arguments and prints TAG IFACE ITEM has=H call=S."""
    out = [f"{indent}{{\n"]
    passed = [first]
    res = None
    for i, a in enumerate(f.args):
        out.append(f"{indent}\t{a.base} a{i};\n{indent}\tmemset(&a{i}, 0, sizeof a{i});\n")
        passed.append(f"&a{i}" if a.ptr else f"a{i}")
        if a.result:
            res = f"&a{i}"
    out.append(f"{indent}\tint has = {f.has}({first});\n")
    out.append(f"{indent}\tint32_t st = {f.call}({', '.join(passed)});\n")
    if f.release and res:
        out.append(f"{indent}\tif (st == RDY_OK)\n{indent}\t\t{f.release}({first}, {res});\n")
    out.append(f'{indent}\tprintf("{tag} {f.iface} {f.item} has=%d call=%d\\n", has, (int)st);\n')
    out.append(f"{indent}}}\n")
    return "".join(out)


def host_source(header):
    prefix, imports, exports = read_host_header(header)
    out = [f'/* The evolution matrix\'s generic host, written by evolve.py from {os.path.basename(header)}. */\n'
           f'#include "{os.path.basename(header)}"\n\n#include <stdio.h>\n#include <string.h>\n\n']
    for i, f in enumerate(imports):
        decl = ", ".join(["void *ctx"] + [a.decl() for a in f.args])
        out.append(f"static int32_t imp{i}({decl})\n{{\n{zero_result(f.args)}\treturn RDY_OK;\n}}\n\n")
    inits = ", ".join(f".{f.call} = imp{i}" for i, f in enumerate(imports)) or "0"
    out.append(f"static const {prefix}_imports_t imports = {{ {inits} }};\n\n")
    out.append('''static void print_lines(const char *tag, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\\n');
		int n = nl ? (int)(nl - text) : (int)strlen(text);
		printf("%s %.*s\\n", tag, n, text);
		text += n + (nl != NULL);
	}
}

static void fail(const char *what, rdy_error **err)
{
	printf("%s failed %d\\n", what, rdy_error_code(*err));
	print_lines("diag", rdy_error_message(*err));
	rdy_error_free(*err);
	*err = NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: host PLUGIN.so\\n", stderr);
		return 2;
	}
	rdy_error *err = NULL;
''')
    out.append(f'''	rdy_world *w = {prefix}_world(&err);
	if (!w) {{
		fprintf(stderr, "host: %s\\n", rdy_error_message(err));
		return 1;
	}}
	rdy_module *m = rdy_module_open(w, argv[1], &err);
	if (!m) {{
		printf("load refused %d\\n", rdy_error_code(err));
		print_lines("diag", rdy_error_message(err));
		rdy_error_free(err);
		rdy_world_free(w);
		return 0;
	}}
	printf("load ok\\n");
	for (uint32_t i = 0; i < rdy_module_nabsent(m); i++)
		printf("absent %s\\n", rdy_module_absent(m, i));
	{prefix}_t inst;
	if ({prefix}_instantiate(m, &imports, NULL, &inst, &err) != RDY_OK) {{
		fail("instantiate", &err);
		rdy_module_close(m, NULL);
		rdy_world_free(w);
		return 0;
	}}
''')
    for f in exports:
        out.append(call_zeroed(f, "&inst", "export"))
    out.append(f'''	fflush(stdout);
	int ok = 1;
	if ({prefix}_free(&inst, &err) != RDY_OK) {{
		fail("instance free", &err);
		ok = 0;
	}}
	if (ok && rdy_module_close(m, &err) != RDY_OK) {{
		fail("close", &err);
		ok = 0;
	}}
	rdy_world_free(w);
	if (ok)
		printf("done\\n");
	return 0;
}}
''')
    return "".join(out), imports, exports


def plugin_source(header):
    prefix, state, exports, imports = read_plugin_header(header)
    out = [f'/* The evolution matrix\'s generic plugin, written by evolve.py from {os.path.basename(header)}. */\n'
           f'#include "{os.path.basename(header)}"\n\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n'
           "struct rdy_state {\n\tconst rdy_imports_v1 *im;\n\tint reported;\n};\n\n"
           f"RDY_PLUGIN_API int32_t {prefix}_instance_new(const rdy_imports_v1 *imports, {state} **state)\n{{\n"
           "\tstruct rdy_state *s = calloc(1, sizeof *s);\n\tif (!s)\n\t\treturn RDY_ENOMEM;\n"
           "\ts->im = imports;\n\t*state = s;\n\treturn RDY_OK;\n}\n\n"
           f"RDY_PLUGIN_API void {prefix}_instance_free({state} *state)\n{{\n\tfree(state);\n}}\n\n"
           "/* The plugin's imports, each called once with zeroed arguments, on the first call of an export. */\n"
           "static void report(struct rdy_state *s)\n{\n\tif (s->reported)\n\t\treturn;\n\ts->reported = 1;\n"]
    for f in imports:
        out.append(call_zeroed(f, "s->im", "import"))
    out.append("\tfflush(stdout);\n}\n\n")
    for f in exports:
        out.append(f"{f.proto}\n{{\n\treport(state);\n{zero_result(f.args)}\treturn RDY_OK;\n}}\n\n")
    return "".join(out), exports, imports


# ---- building ----------------------------------------------------------------------

class Side:
    """One built program: a host or a plugin, with the functions it declares."""

    def __init__(self, path, exports, imports):
        self.path, self.exports, self.imports = path, exports, imports


def build_side(cfg, d, wit, side):
    rdy, cc, include, librdy, san = cfg
    os.makedirs(d, exist_ok=True)
    run([rdy, "gen", "c", wit, "--world", WORLD, "--side", side, "-o", d, "--name", "bindings"])
    header = os.path.join(d, "bindings.h")
    main_c = os.path.join(d, f"{side}.c")
    if side == "host":
        src, imports, exports = host_source(header)
        out = os.path.join(d, "host")
        libdir = os.path.dirname(librdy)
        link = [librdy, f"-Wl,-rpath,{libdir}"]
        shared = []
    else:
        src, exports, imports = plugin_source(header)
        out = os.path.join(d, "plugin.so")
        link = []
        shared = ["-fPIC", "-shared"]
    with open(main_c, "w") as f:
        f.write(src)
    run([cc, *FLAGS, *san, *shared, "-I", include, "-I", d, main_c, os.path.join(d, "bindings.c"), *link,
         "-o", out])
    return Side(out, [(f.iface, f.item) for f in exports], [(f.iface, f.item) for f in imports])


# ---- running a cell -------------------------------------------------------------------

STATUS = {}
EABSENT = 2


def status_names(include):
    text = open(os.path.join(include, "rdy", "abi.h")).read()
    for name, num in re.findall(r"\b(RDY_[A-Z]+) = (\d+)", text):
        STATUS[int(num)] = name
    global EABSENT
    EABSENT = {v: k for k, v in STATUS.items()}["RDY_EABSENT"]


def sname(n):
    return STATUS.get(n, str(n))


class Outcome:
    def __init__(self, out):
        self.raw = out
        lines = out.splitlines()
        self.loaded = bool(lines) and lines[0] == "load ok"
        self.refused = bool(lines) and lines[0].startswith("load refused ")
        self.code = int(lines[0].split()[2]) if self.refused else None
        self.diag = [ln[5:] for ln in lines if ln.startswith("diag ")]
        self.notes = [ln[7:] for ln in lines if ln.startswith("absent ")]
        self.done = "done" in lines
        self.seen = {}
        for ln in lines:
            m = re.fullmatch(r"(export|import) (\S+) (\S+) has=(\d+) call=(\d+)", ln)
            if m:
                self.seen[(m.group(1), m.group(2), m.group(3))] = (int(m.group(4)), int(m.group(5)))


def run_cell(host, plugin):
    p = subprocess.run([host.path, plugin.path], capture_output=True, text=True)
    got = Outcome(p.stdout)
    got.exit, got.stderr = p.returncode, p.stderr
    return got


# ---- predictions --------------------------------------------------------------------

class Prediction:
    """What a cell should give: refused or not, and the items that bind as absent."""

    def __init__(self, refuses, absent):
        self.refuses = set(refuses)     # cells, OHNP / NHOP
        self.absent = list(absent)      # (cell, direction, interface or None, item or None)

    def is_absent(self, cell, direction, iface, item):
        for c, d, i, it in self.absent:
            if c != cell or d not in (direction, "world"):
                continue
            if (i or "-") == iface and (it is None or it == item):
                return True
        return False

    def cell_absent(self, cell):
        return [a for a in self.absent if a[0] == cell]

    def summary(self):
        return (sorted(self.refuses), sorted((c, d, i or "-", it or "*") for c, d, i, it in self.absent))


def classify(refuses):
    if refuses == {OHNP, NHOP}:
        return "breaks-both"
    if refuses == {OHNP}:
        return "breaks-old-hosts"
    if refuses == {NHOP}:
        return "breaks-new-hosts"
    return "compatible"


REFUSES = {"compatible": set(), "breaks-old-hosts": {OHNP}, "breaks-new-hosts": {NHOP}, "breaks-both": {OHNP, NHOP}}


def diff(rdy, old, new):
    """Runs rdy diff: (exit code, JSON, stderr, argv)."""
    argv = [rdy, "diff", old, new, "--json"] + (["--world", WORLD] if old.endswith(".wit") else [])
    p = subprocess.run(argv, capture_output=True, text=True)
    p.stderr = "\n".join(p.stderr.strip().splitlines()[:10])
    try:
        doc = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError as e:
        doc = None
        p = subprocess.CompletedProcess(argv, p.returncode, p.stdout, f"{p.stderr}\n(bad JSON: {e})")
    return p.returncode, doc, p.stderr, argv


def predict(doc):
    """A Prediction from rdy diff's JSON, and the problems with the JSON itself."""
    problems = []
    refuses, absent = set(), []
    changes = doc.get("changes")
    if not isinstance(changes, list):
        return Prediction(set(), []), ["no list of changes"]
    for c in changes:
        cls = c.get("class")
        if cls not in REFUSES:
            problems.append(f"unknown class {cls!r} in {c}")
            continue
        refuses |= REFUSES[cls]
        a = c.get("absent")
        if a is not None:
            if a not in (OHNP, NHOP):
                problems.append(f"unknown absent {a!r} in {c}")
            elif c.get("item") is None and c.get("kind") != "interface":
                problems.append(f"absent without an item, and not an interface: {c}")
            else:
                absent.append((a, c.get("direction"), c.get("interface"), c.get("item")))
    if doc.get("changes_total") != len(changes):
        problems.append(f"changes_total is {doc.get('changes_total')}, changes lists {len(changes)}")
    nbreak = sum(1 for c in changes if c.get("class") != "compatible")
    if doc.get("breaking") != nbreak:
        problems.append(f"breaking is {doc.get('breaking')}, changes list {nbreak} that are not compatible")
    return Prediction(refuses, absent), problems


def check_cell(pred, cellkey, host, plugin, got):
    """The disagreements of outcome GOT with prediction PRED in one cell."""
    errs = []
    if got.exit:
        errs.append(f"{host.path} {plugin.path} exited {got.exit}:\n      "
                    + (got.raw + got.stderr).strip()[-3000:].replace("\n", "\n      "))
    want_refused = cellkey in pred.refuses
    if want_refused:
        if not got.refused:
            errs.append(f"want: refused; got: {first_line(got)}")
        elif got.code != 7:
            errs.append(f"want: refused as incompatible (RDY_EINCOMPATIBLE); got {sname(got.code)}: "
                        + " / ".join(got.diag))
        return errs
    if not got.loaded:
        return errs + [f"want: loaded; got: {first_line(got)}"]
    if not got.done:
        errs.append("the host did not finish:\n      " + got.raw.replace("\n", "\n      "))
    for direction, side in (("export", host.exports), ("import", plugin.imports)):
        for iface, item in side:
            absent = pred.is_absent(cellkey, direction, iface, item)
            want = (0, EABSENT) if absent else (1, 0)
            have = got.seen.get((direction, iface, item))
            if have is None:
                errs.append(f"{direction} {iface} {item}: want has={want[0]} call={sname(want[1])}; "
                            "got no report")
            elif have != want:
                errs.append(f"{direction} {iface} {item}: want has={want[0]} call={sname(want[1])}; "
                            f"got has={have[0]} call={sname(have[1])}")
    # The loader notes what binds as absent: notes exactly when something is predicted absent.
    notes = [n for n in got.notes if "absent" in n]
    if bool(notes) != bool(pred.cell_absent(cellkey)):
        errs.append(f"the loader's notes of absent items: want {'some' if pred.cell_absent(cellkey) else 'none'}; "
                    f"got {got.notes or 'none'}")
    return errs


def first_line(got):
    lines = got.raw.splitlines()
    if not lines:
        return "no output"
    if got.refused:
        return f"refused ({sname(got.code)}): " + " / ".join(got.diag)
    return lines[0]


# ---- the driver ---------------------------------------------------------------------

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    expect_only = "--expect-only" in sys.argv[1:]
    if len(args) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    rdy, cc, include, librdy, work = args[:5]
    librdy = os.path.abspath(librdy)
    san = ["-fsanitize=" + args[5], "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"] \
        if len(args) == 6 and args[5] else []
    cfg = (rdy, cc, include, librdy, san)
    status_names(include)
    t0 = time.monotonic()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    base = open(os.path.join(HERE, "base.wit")).read()

    # The texts: old ones shared between kinds, by content.
    olds, texts = {}, {}
    for name, (_, old_f, new_f, _, _) in KINDS.items():
        old = old_f(base)
        key = "base" if old == base else "old-" + hashlib.sha256(old.encode()).hexdigest()[:8]
        if key not in olds:
            d = os.path.join(work, key)
            os.makedirs(d)
            with open(os.path.join(d, "old.wit"), "w") as f:
                f.write(old)
            olds[key] = d
        d = os.path.join(work, name)
        os.makedirs(d)
        with open(os.path.join(d, "new.wit"), "w") as f:
            f.write(new_f(old))
        texts[name] = (key, os.path.join(olds[key], "old.wit"), os.path.join(d, "new.wit"))

    # Four programs a kind, the old ones once per old text, two at a time.
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for key, d in olds.items():
            for side in ("host", "plugin"):
                jobs[(key, side)] = pool.submit(build_side, cfg, os.path.join(d, side), os.path.join(d, "old.wit"),
                                                side)
        for name, (_, _, new_wit) in texts.items():
            d = os.path.dirname(new_wit)
            for side in ("host", "plugin"):
                jobs[(name, side)] = pool.submit(build_side, cfg, os.path.join(d, side), new_wit, side)
        built = {}
        for k, j in jobs.items():
            try:
                built[k] = j.result()
            except (RuntimeError, ValueError, AttributeError) as e:
                print(f"FAIL: building the {k[1]} of {k[0]}: {e}")
    if len(built) != len(jobs):
        print(f"evolve: {len(jobs) - len(built)} of {len(jobs)} programs could not be built")
        return 1
    t_build = time.monotonic() - t0

    fails = []
    if not expect_only:
        # The control: a world against itself changes nothing.
        bw = os.path.join(olds["base"], "old.wit")
        rc, doc, err, argv = diff(rdy, bw, bw)
        if rc == 2 and "unknown command" in err:
            print(f"FAIL: {rdy} has no diff command: {err.strip().splitlines()[0]}")
            return 1
        if rc != 0 or not doc or doc.get("changes") != [] or doc.get("changes_total") != 0:
            fails.append(f"control: {' '.join(argv)}: want exit 0 and no changes; got exit {rc}: "
                         f"{json.dumps(doc) if doc else err.strip()}")
        else:
            print(f"ok  {'control':30} base.wit against itself: no change, exit 0")

    for name, (what, _, _, refuses, absent) in KINDS.items():
        key, old_wit, new_wit = texts[name]
        sides = {"old": (built[(key, "host")], built[(key, "plugin")]),
                 "new": (built[(name, "host")], built[(name, "plugin")])}
        expected = Prediction(refuses, absent)
        kfails = []
        if expect_only:
            pred = expected
        else:
            rc, doc, err, argv = diff(rdy, old_wit, new_wit)
            if doc is None or rc & 3:
                fails.append(f"{name} ({what}): {' '.join(argv)} exited {rc}: {err.strip()}")
                print(f"FAIL {name}")
                continue
            pred, problems = predict(doc)
            kfails += [f"rdy diff's JSON: {p}" for p in problems]
            breaking = bool(refuses)
            if not rc & 4:
                kfails.append(f"rdy diff: want exit bit 4 (changes found); got exit {rc}")
            if bool(rc & 8) != breaking:
                kfails.append(f"rdy diff: want exit bit 8 {'set' if breaking else 'clear'} "
                              f"(the kind is {classify(set(refuses))}); got exit {rc}")
            if not doc.get("changes"):
                kfails.append("rdy diff lists no change")
            if pred.summary() != expected.summary():
                kfails.append(f"rdy diff predicts {classify(pred.refuses)}, absent {pred.summary()[1]};\n"
                              f"      the kind is {classify(expected.refuses)}, absent {expected.summary()[1]}\n"
                              f"      changes: {json.dumps(doc.get('changes'))}")
            # The same diff between the two built plugins, from their descriptors.
            so_old, so_new = sides["old"][1].path, sides["new"][1].path
            rc2, doc2, err2, argv2 = diff(rdy, so_old, so_new)
            if doc2 is None or rc2 & 3:
                kfails.append(f"{' '.join(argv2)} exited {rc2}: {err2.strip()}")
            else:
                pred2, problems2 = predict(doc2)
                kfails += [f"rdy diff of the plugins' JSON: {p}" for p in problems2]
                # Bit 8 alike; bit 4 too, as every kind changes the descriptor (a version at least).
                if pred2.summary() != pred.summary() or (rc2 & 12) != (rc & 12):
                    kfails.append(f"rdy diff of the two plugins predicts otherwise than of the WIT (exit {rc2} "
                                  f"against {rc}): {pred2.summary()} against {pred.summary()}")
        for label, h, p in CELLS:
            host, plugin = sides[h][0], sides[p][1]
            got = run_cell(host, plugin)
            cellkey = CELL_KEY.get((h, p))
            for e in check_cell(pred, cellkey, host, plugin, got):
                kfails.append(f"{label}: {e}")
            if not expect_only and cellkey:
                # The loader against the table too, so that a wrong diff and a wrong loader cannot agree unseen.
                if (cellkey in expected.refuses) != got.refused:
                    kfails.append(f"{label}: the kind wants it {'refused' if cellkey in expected.refuses else 'loaded'}"
                                  f"; got {first_line(got)}")
        if kfails:
            fails += [f"{name} ({what}): {k}" for k in kfails]
            print(f"FAIL {name}")
        else:
            cls = classify(pred.refuses)
            ab = ", ".join(f"{d} {i or '-'} {it or '*'} absent in {c}" for c, d, i, it in pred.absent)
            print(f"ok  {name:30} {cls}{'; ' + ab if ab else ''}")

    for f in fails:
        print("FAIL:", f)
    nk = len(KINDS)
    bad = len({f.split(" ")[0] for f in fails} & set(KINDS))
    secs = time.monotonic() - t0
    if fails:
        print(f"evolve: {bad} of {nk} kinds failed, {len(fails)} failures ({secs:.1f}s)")
        return 1
    print(f"evolve: {nk} kinds of change, {4 * nk} cells, each as "
          f"{'the table' if expect_only else 'rdy diff'} predicts "
          f"({len(built)} programs built in {t_build:.1f}s, {secs:.1f}s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
