#!/usr/bin/env python3
"""rdy diff over two real interface histories, built at test time.

usage: history.py RDY SOURCE_DIR SHARED_DIR WORKDIR [--update] [--oracle]

Each version of an interface is derived from a tree in the repository (or
in the shared corpus) by small, explicit text edits, the way a maintainer
would make the release, and written under WORKDIR:

- example:filters, the world `plugin` of examples/filters/wit (1.0.0):
  1.1.0 and 1.2.0 as they should be, a careless 1.3.0, and 2.0.0;
- wasi:cli, from the corpus's WASI 0.2.12 with its deps/: 0.2.0, 0.2.3,
  0.2.12 itself, a careless 0.2.13, and 0.3.0; diffed as the worlds
  wasi:cli/command, wasi:random/imports and wasi:http/proxy.

Every version must pass `rdy wit check` (and, with --oracle, the reference
resolver SHARED_DIR/tools/wit-oracle/run, about 4 s more).  Then
`rdy diff OLD NEW` runs on each pair of PAIRS and WASI_PAIRS, and

- its exit status must be the one the rules give (4 when anything
  changed, plus 8 when some change breaks an old or a new host);
- each change in its `--json` must carry the class the rules give, and
  say where the item binds as absent;
- its text output must equal expected/NAME.txt.

--update rewrites expected/ for review, except the file of a pair whose
output is not what the rules say: that one stays as it is, written by hand.
Without SHARED_DIR the example's half runs alone and, when it passes, the
test reports itself skipped (77).
"""
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")

# The exit status of rdy diff is a bitmask.
ERROR, USAGE, CHANGES, BREAKING = 1, 2, 4, 8


# --- editing -----------------------------------------------------------------

def sub(text, old, new, count=1):
    """TEXT with OLD replaced by NEW; OLD must occur exactly COUNT times."""
    n = text.count(old)
    if n != count:
        raise AssertionError(f"expected {count} of {old!r}, found {n}")
    return text.replace(old, new)


def resub(text, pattern, new, count=None):
    """TEXT with every match of PATTERN replaced; COUNT, when given, is the number of matches."""
    out, n = re.subn(pattern, new, text, flags=re.M)
    if n == 0 or (count is not None and n != count):
        raise AssertionError(f"expected {count or 'some'} matches of {pattern!r}, found {n}")
    return out


class Tree(dict):
    """A package directory: relative path -> text."""

    @classmethod
    def read(cls, root):
        t = cls()
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".wit"):
                    p = os.path.join(d, f)
                    with open(p, encoding="utf-8") as fh:
                        t[os.path.relpath(p, root)] = fh.read()
        return t

    def edit(self, path, fn, *args, **kw):
        t = Tree(self)
        t[path] = fn(t[path], *args, **kw)
        return t

    def each(self, fn):
        """Applies FN(path, text) -> text to every file."""
        t = Tree()
        for p, text in self.items():
            t[p] = fn(p, text)
        return t

    def write(self, root):
        shutil.rmtree(root, ignore_errors=True)
        for p, text in self.items():
            dst = os.path.join(root, p)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as fh:
                fh.write(text)


def lines(*ls):
    return "".join(line + "\n" for line in ls)


def insert_after(tree, path, anchor, text):
    """TREE with TEXT inserted after ANCHOR, which must occur once in PATH."""
    return tree.edit(path, sub, anchor, anchor + text)


def delete(tree, path, text):
    return tree.edit(path, sub, text, "")


def rename_version(tree, old, new):
    """Every `package ...@OLD;` and every `@OLD` reference becomes NEW, together."""
    pat = re.escape("@" + old) + r"(?![0-9A-Za-z+-]|\.[0-9A-Za-z])"
    total = 0

    def one(_, text):
        nonlocal total
        text, n = re.subn(pat, "@" + new, text)
        total += n
        return text

    t = tree.each(one)
    if not total:
        raise AssertionError(f"no @{old} to rename")
    return t


# --- example:filters ---------------------------------------------------------
#
# 1.0.0  examples/filters/wit as it is.
# 1.1.0  filter gains check-all and host gains config-words, both
#        @since(version = 1.1.0): either side may lack them.
# 1.2.0  a new interface `lexicon` that plugins import, gated 1.2.0 on the
#        interface and on the world's import; host's `dictionary` is
#        @deprecated(version = 1.2.0), paired with @since(version = 1.0.0).
# 1.3.0  (from 1.2.0) a careless minor release: filter gains `languages`
#        ungated; host gains `locale` gated @since(version = 1.0.0), a gate
#        copied from its neighbour instead of 1.3.0; filter drops
#        `check-all` (gated 1.1.0), "since check does the same"; record
#        `limits` gains a field.
# 2.0.0  (from 1.2.0) the breaking changes, properly in a new major: the
#        deprecated `dictionary` is removed, record `limits` gains the field.

CONFIG_WORDS = lines("    /// The host's setting KEY as a list of words, empty when it has none.",
                     "    @since(version = 1.1.0)",
                     "    config-words: func(key: string) -> list<string>;")
CHECK_ALL = lines("    /// What the filter notices in each of TEXTS, in order.",
                  "    @since(version = 1.1.0)",
                  "    check-all: func(texts: list<string>) -> list<list<finding>>;")
LEXICON = lines("/// Provided by the host: the words it knows, one lookup at a time.",
                "@since(version = 1.2.0)",
                "interface lexicon {",
                "    /// Whether WORD, in lower case, is one the host knows.",
                "    knows: func(word: string) -> bool;",
                "    /// At most LIMIT known words that start with PREFIX.",
                "    complete: func(prefix: string, limit: u32) -> list<string>;",
                "}",
                "")
DICTIONARY = lines("    /// The words the host knows, in lower case.",
                   "    dictionary: func() -> list<string>;")
DICTIONARY_DEPRECATED = lines("    /// The words the host knows, in lower case.",
                              "    @since(version = 1.0.0)",
                              "    @deprecated(version = 1.2.0)",
                              "    dictionary: func() -> list<string>;")
MAX_FINDINGS = lines("        /// The most findings a check may return.",
                     "        max-findings: u32,")
POLICY = "    policy: func() -> limits;\n"
SUGGEST = "    suggest: func(text: string) -> list<edit>;\n"
GRANTED = "        granted: caps,\n"


def filters_1_1(t):
    t = rename_version(t, "1.0.0", "1.1.0")
    t = insert_after(t, "world.wit", POLICY, CONFIG_WORDS)
    return insert_after(t, "world.wit", SUGGEST, CHECK_ALL)


def filters_1_2(t):
    t = rename_version(t, "1.1.0", "1.2.0")
    t = t.edit("world.wit", sub, DICTIONARY, DICTIONARY_DEPRECATED)
    t = t.edit("world.wit", sub, "/// A text filter:", LEXICON + "/// A text filter:")
    return insert_after(t, "world.wit", "    import host;\n",
                        lines("    @since(version = 1.2.0)", "    import lexicon;"))


def filters_1_3(t):
    t = rename_version(t, "1.2.0", "1.3.0")
    t = insert_after(t, "world.wit", SUGGEST, lines("    /// The languages the filter knows, as BCP 47 tags.",
                                                    "    languages: func() -> list<string>;"))
    t = insert_after(t, "world.wit", CONFIG_WORDS, lines("    /// The host's language, as a BCP 47 tag.",
                                                         "    @since(version = 1.0.0)",
                                                         "    locale: func() -> string;"))
    t = delete(t, "world.wit", CHECK_ALL)
    return insert_after(t, "types.wit", GRANTED, MAX_FINDINGS)


def filters_2_0(t):
    t = rename_version(t, "1.2.0", "2.0.0")
    t = delete(t, "world.wit", DICTIONARY_DEPRECATED)
    return insert_after(t, "types.wit", GRANTED, MAX_FINDINGS)


# name: (derived from, derivation)
FILTERS = {
    "1.0.0": (None, None),
    "1.1.0": ("1.0.0", filters_1_1),
    "1.2.0": ("1.1.0", filters_1_2),
    "1.3.0": ("1.2.0", filters_1_3),
    "2.0.0": ("1.2.0", filters_2_0),
}


# --- wasi:cli ----------------------------------------------------------------
#
# The corpus is WASI 0.2.12: every package at 0.2.12, `exit-with-code`
# (cli/exit.wit) gated @since(version = 0.2.12).  Upstream adds items in
# patch releases gated @since(version = 0.2.N), lets them start as
# @unstable(feature = F), and breaks only in a new track.
#
# 0.2.0   `exit-with-code` not there yet; wasi:http has no `field-name`
#         (@since 0.2.1) and its `field-key` is not yet deprecated (0.2.2),
#         so its functions take a `field-key`.
# 0.2.3   `exit-with-code` there as @unstable(feature = cli-exit-with-code).
# 0.2.12  the corpus as it is: `exit-with-code` stabilised, @since 0.2.12.
# 0.2.13  (from 0.2.12) a careless patch: wasi:random's world `imports`,
#         which wasi:cli's includes, drops `insecure-seed`, gated
#         @since(version = 0.2.0).
# 0.3.0   a new track, gates reset to @since(version = 0.3.0) as upstream
#         does; `initial-cwd` renamed `get-initial-cwd` (as upstream's 0.3);
#         wasi:http's deprecated `field-key` dropped.

EXIT_WITH_CODE = ("\n"
                  "  /// Exit the current instance and any linked instances, reporting the\n"
                  "  /// specified status code to the host.\n"
                  "  ///\n"
                  "  /// The meaning of the code depends on the context, with 0 usually meaning\n"
                  "  /// \"success\", and other values indicating various types of failure.\n"
                  "  ///\n"
                  "  /// This function does not return; the effect is analogous to a trap, but\n"
                  "  /// without the connotation that something bad has happened.\n"
                  "  @since(version = 0.2.12)\n"
                  "  exit-with-code: func(status-code: u8);\n")
HTTP = os.path.join("deps", "http", "types.wit")
FIELD_NAME = ("  /// Field names are always strings.\n"
              "  ///\n"
              "  /// Field names should always be treated as case insensitive by the `fields`\n"
              "  /// resource for the purposes of equality checking.\n"
              "  @since(version = 0.2.1)\n"
              "  type field-name = field-key;\n"
              "\n")
FIELD_KEY_DEPRECATED = ("  /// \n"
                        "  /// # Deprecation\n"
                        "  /// \n"
                        "  /// This type has been deprecated in favor of the `field-name` type.\n"
                        "  @since(version = 0.2.0)\n"
                        "  @deprecated(version = 0.2.2)\n")
FIELD_KEY = ("  /// Field keys are always strings.\n"
             "  ///\n"
             "  /// Field keys should always be treated as case insensitive by the `fields`\n"
             "  /// resource for the purposes of equality checking.\n"
             + FIELD_KEY_DEPRECATED +
             "  type field-key = string;\n"
             "\n")


def wasi_0_2_0(t):
    t = rename_version(t, "0.2.12", "0.2.0")
    t = delete(t, "exit.wit", EXIT_WITH_CODE)
    t = delete(t, HTTP, FIELD_NAME)
    t = t.edit(HTTP, sub, FIELD_KEY_DEPRECATED, "  @since(version = 0.2.0)\n")
    # The functions and types that take a field name took a field-key.
    t = t.edit(HTTP, resub, r"(name: |tuple<)field-name\b", r"\1field-key", count=7)
    return t


def wasi_0_2_3(t):
    t = rename_version(t, "0.2.12", "0.2.3")
    t = t.edit("exit.wit", sub, "  @since(version = 0.2.12)\n  exit-with-code",
               "  @unstable(feature = cli-exit-with-code)\n  exit-with-code")
    return t


def wasi_0_2_13(t):
    t = rename_version(t, "0.2.12", "0.2.13")
    t = t.edit(os.path.join("deps", "random", "world.wit"), sub,
               "\n    @since(version = 0.2.0)\n    import insecure-seed;\n", "\n")
    return t


def wasi_0_3_0(t):
    t = rename_version(t, "0.2.12", "0.3.0")
    t = t.edit(HTTP, sub, "  type field-name = field-key;\n", "  type field-name = string;\n")
    t = delete(t, HTTP, FIELD_KEY)
    t = t.each(lambda _, text: re.sub(r"@since\(version = 0\.2\.[0-9]+\)", "@since(version = 0.3.0)", text))
    t = t.edit("environment.wit", sub, "  initial-cwd: func()", "  get-initial-cwd: func()")
    return t


WASI = {
    "0.2.0": ("0.2.12", wasi_0_2_0),
    "0.2.3": ("0.2.12", wasi_0_2_3),
    "0.2.12": (None, None),
    "0.2.13": ("0.2.12", wasi_0_2_13),
    "0.3.0": ("0.2.12", wasi_0_3_0),
}


def derive(history, base):
    """version -> Tree, each derived from its parent in HISTORY."""
    trees = {}

    def get(v):
        if v not in trees:
            parent, fn = history[v]
            trees[v] = Tree(base) if parent is None else fn(get(parent))
        return trees[v]

    for v in history:
        get(v)
    return trees


# --- the pairs and what the rules say of them --------------------------------
#
# The loader's rules (docs/abi.md §8): interfaces match by ns:pkg/name and
# semver track; functions by name, with equal parameters and result; types
# structurally, names included; a provider may offer more than is asked; an
# item gated @since(X) that the providing side lacks binds as absent only
# when the provider's package is older than X, else it is an error, as is a
# missing ungated item; @unstable(feature = F) items exist only with F on;
# @deprecated is information.  A change "breaks old hosts" when an old host
# refuses a new plugin, "breaks new hosts" when a new host refuses an old
# plugin.  For an import the host is the provider, for an export the plugin.
#
# Each change is (direction, interface, item, what, class, absent), as in
# `rdy diff --json`; ABSENT says which pairing binds the item as absent.
# Version changes are counted apart.  On one track (compatible) they come
# one per package, its interfaces sharing its version, and VERSIONS is how
# many packages moved; the world's package is among them.  To another track
# each interface is refused both ways, and VERSIONS is how many interfaces;
# the world's own package version is then one more change, compatible, since
# worlds are chosen, not matched.  What else changed inside an interface on
# another track is listed too, and breaks both ways with it.

C, OLD_HOSTS, NEW_HOSTS, BOTH = "compatible", "breaks-old-hosts", "breaks-new-hosts", "breaks-both"
OLD_HOST_NEW_PLUGIN, NEW_HOST_OLD_PLUGIN = "old-host-new-plugin", "new-host-old-plugin"
FH, FF, FT, FL = ("example:filters/" + i for i in ("host", "filter", "types", "lexicon"))
EXIT = "wasi:cli/exit"
CLI_IFACES = 28          # wasi:cli/command's imports and its one export
CLI_PACKAGES = 6         # the packages they come from: cli, io, clocks, filesystem, sockets, random
FEATURE = "cli-exit-with-code"


class Pair:
    def __init__(self, old, new, world, exit, changes=(), versions=0, track="same", features=None, name=None):
        self.old, self.new, self.world, self.features = old, new, world, features
        self.exit, self.changes, self.versions, self.track = exit, list(changes), versions, track
        self.name = name or f"{old}--{new}" + (f"+{features}" if features else "")

    def argv(self, json_out=False):
        return (["diff", self.old, self.new, "--world", self.world] + (["--features", self.features] if
                self.features else []) + (["--json"] if json_out else []))


PAIRS = [
    # The same version twice: nothing to say.
    Pair("filters-1.0.0", "filters-1.0.0", "plugin", 0),
    # 1.1.0 adds a gated import and a gated export.  config-words: a new
    # plugin imports it, an old host (1.0.0 < 1.1.0) lacks it, so it binds
    # as absent; a new host offers more than an old plugin asks.
    # check-all: a new host wants it, an old plugin (1.0.0 < 1.1.0) lacks
    # it, so absent; an old host asks less than a new plugin offers.
    Pair("filters-1.0.0", "filters-1.1.0", "plugin", CHANGES, versions=1, changes=[
        ("import", FH, "config-words", "added", C, OLD_HOST_NEW_PLUGIN),
        ("export", FF, "check-all", "added", C, NEW_HOST_OLD_PLUGIN),
    ]),
    # 1.2.0 deprecates dictionary (information) and adds the interface
    # lexicon gated 1.2.0, which an old host (1.1.0) lacks: absent.
    Pair("filters-1.1.0", "filters-1.2.0", "plugin", CHANGES, versions=1, changes=[
        ("import", FH, "dictionary", "deprecated", C, None),
        ("import", FL, None, "added", C, OLD_HOST_NEW_PLUGIN),
    ]),
    # Two releases at once: the union of the two above.
    Pair("filters-1.0.0", "filters-1.2.0", "plugin", CHANGES, versions=1, changes=[
        ("import", FH, "config-words", "added", C, OLD_HOST_NEW_PLUGIN),
        ("import", FH, "dictionary", "deprecated", C, None),
        ("import", FL, None, "added", C, OLD_HOST_NEW_PLUGIN),
        ("export", FF, "check-all", "added", C, NEW_HOST_OLD_PLUGIN),
    ]),
    # Back from 1.2.0 to 1.0.0: whoever lacks a gated item is at 1.0.0,
    # older than its gate, so every removal binds as absent.  config-words
    # and lexicon: an old plugin imports them from a new (1.0.0) host;
    # check-all: an old host wants it from a new (1.0.0) plugin.
    Pair("filters-1.2.0", "filters-1.0.0", "plugin", CHANGES, versions=1, changes=[
        ("import", FH, "config-words", "removed", C, NEW_HOST_OLD_PLUGIN),
        ("import", FH, "dictionary", "stability", C, None),
        ("import", FL, None, "removed", C, NEW_HOST_OLD_PLUGIN),
        ("export", FF, "check-all", "removed", C, OLD_HOST_NEW_PLUGIN),
    ]),
    # The careless 1.3.0.  locale: a new plugin imports it, an old host at
    # 1.2.0 lacks it, and 1.2.0 is not older than its gate 1.0.0: refused.
    # limits: a record both sides use, changed: refused both ways.
    # check-all: an old host wants it, a new plugin at 1.3.0 (not older
    # than 1.1.0) lacks it: refused.  languages: ungated, a new host wants
    # it and an old plugin lacks it: refused.
    Pair("filters-1.2.0", "filters-1.3.0", "plugin", CHANGES | BREAKING, versions=1, changes=[
        ("import", FH, "locale", "added", OLD_HOSTS, None),
        ("import", FT, "limits", "changed", BOTH, None),
        ("export", FF, "check-all", "removed", OLD_HOSTS, None),
        ("export", FF, "languages", "added", NEW_HOSTS, None),
    ]),
    # The same release undone: each mistake breaks the other way round.
    Pair("filters-1.3.0", "filters-1.2.0", "plugin", CHANGES | BREAKING, versions=1, changes=[
        ("import", FH, "locale", "removed", NEW_HOSTS, None),
        ("import", FT, "limits", "changed", BOTH, None),
        ("export", FF, "check-all", "added", NEW_HOSTS, None),
        ("export", FF, "languages", "removed", OLD_HOSTS, None),
    ]),
    # 2.0.0: a new track, so no interface matches its 1.x namesake: every
    # one breaks both ways, and so does what changed inside one.
    Pair("filters-1.2.0", "filters-2.0.0", "plugin", CHANGES | BREAKING, versions=4, track="other", changes=[
        ("import", FH, "dictionary", "removed", BOTH, None),
        ("import", FT, "limits", "changed", BOTH, None),
    ]),
]

CLI_0_3 = [
    ("import", "wasi:cli/environment", "get-initial-cwd", "added", BOTH, None),
    ("import", "wasi:cli/environment", "initial-cwd", "removed", BOTH, None),
]

WASI_PAIRS = [
    # Only versions move, on track 0.2; exit-with-code is not there yet, or
    # is there only behind its feature, which is off.
    Pair("cli-0.2.0", "cli-0.2.3", "wasi:cli/command", CHANGES, versions=CLI_PACKAGES),
    # With the feature on, 0.2.3 has exit-with-code, gated only by the
    # feature, not @since: a new plugin imports it, an old host lacks it,
    # and nothing lets it bind as absent.
    Pair("cli-0.2.0", "cli-0.2.3", "wasi:cli/command", CHANGES | BREAKING, versions=CLI_PACKAGES, features=FEATURE,
         changes=[("import", EXIT, "exit-with-code", "added", OLD_HOSTS, None)]),
    # And back: an old plugin (built with the feature) imports it, a new
    # host lacks it.
    Pair("cli-0.2.3", "cli-0.2.0", "wasi:cli/command", CHANGES | BREAKING, versions=CLI_PACKAGES, features=FEATURE,
         changes=[("import", EXIT, "exit-with-code", "removed", NEW_HOSTS, None)]),
    # Stabilised in 0.2.12: without the feature it is new, @since 0.2.12,
    # and an old host at 0.2.3 predates that: absent.
    Pair("cli-0.2.3", "cli-0.2.12", "wasi:cli/command", CHANGES, versions=CLI_PACKAGES,
         changes=[("import", EXIT, "exit-with-code", "added", C, OLD_HOST_NEW_PLUGIN)]),
    # With the feature on, both have it with one signature: only its gate
    # changed.
    Pair("cli-0.2.3", "cli-0.2.12", "wasi:cli/command", CHANGES, versions=CLI_PACKAGES, features=FEATURE,
         changes=[("import", EXIT, "exit-with-code", "stability", C, None)]),
    # 0.2.0 to 0.2.12 directly, with the feature or without: the stable
    # gate decides, as 0.2.0 never had the function.
    Pair("cli-0.2.0", "cli-0.2.12", "wasi:cli/command", CHANGES, versions=CLI_PACKAGES,
         changes=[("import", EXIT, "exit-with-code", "added", C, OLD_HOST_NEW_PLUGIN)]),
    Pair("cli-0.2.0", "cli-0.2.12", "wasi:cli/command", CHANGES, versions=CLI_PACKAGES, features=FEATURE,
         changes=[("import", EXIT, "exit-with-code", "added", C, OLD_HOST_NEW_PLUGIN)]),
    # The careless 0.2.13: an old plugin imports insecure-seed, which a new
    # host lacks; the host's wasi:random is at 0.2.13, not older than the
    # gate 0.2.0, so the load is refused.  The gate is wasi:random's (the
    # item comes through `include`), not wasi:cli's.  Its golden file was
    # written by hand from the rules: rdy diff says `compatible` here.
    Pair("cli-0.2.12", "cli-0.2.13", "wasi:cli/command", CHANGES | BREAKING, versions=CLI_PACKAGES,
         changes=[("import", "wasi:random/insecure-seed", None, "removed", NEW_HOSTS, None)]),
    # The same in wasi:random's own world.
    Pair("cli-0.2.12/deps/random", "cli-0.2.13/deps/random", "wasi:random/imports", CHANGES | BREAKING, versions=1,
         name="random-0.2.12--random-0.2.13",
         changes=[("import", "wasi:random/insecure-seed", None, "removed", NEW_HOSTS, None)]),
    # wasi:http as upstream evolved it: 0.2.1 adds the type field-name,
    # gated, which an old host at 0.2.0 lacks: absent; 0.2.2 deprecates
    # field-key.  The functions that now take a field-name take the same
    # string as before.
    Pair("cli-0.2.0", "cli-0.2.3", "wasi:http/proxy", CHANGES, versions=5, name="http-0.2.0--http-0.2.3", changes=[
        ("import", "wasi:http/types", "field-key", "deprecated", C, None),
        ("import", "wasi:http/types", "field-name", "added", C, OLD_HOST_NEW_PLUGIN),
    ]),
    # 0.3: another track, every interface breaks both ways, and the rename
    # of initial-cwd inside one is said as what it is to a check, a removal
    # and an addition; the gates' reset to 0.3.0 is beside the point.
    Pair("cli-0.2.12", "cli-0.3.0", "wasi:cli/command", CHANGES | BREAKING, versions=CLI_IFACES, track="other",
         changes=CLI_0_3),
    Pair("cli-0.2.12", "cli-0.3.0", "wasi:cli/command", CHANGES | BREAKING, versions=CLI_IFACES, track="other",
         features=FEATURE, changes=CLI_0_3),
]


# --- running -----------------------------------------------------------------

def run(argv, cwd=None):
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd)


def validate(rdy, oracle, work, name, world, features):
    """Errors of `rdy wit check` (and the oracle's) on the version in WORK/NAME."""
    errs = []
    argv = [rdy, "wit", "check", name, "--world", world] + (["--features", ",".join(features)] if features else [])
    p = run(argv, cwd=work)
    if p.returncode:
        errs.append(f"{name}: rdy wit check exited {p.returncode}:\n{p.stdout}{p.stderr}")
    if oracle:
        p = run([oracle, os.path.join(work, name), world.split("/")[-1]])
        if p.returncode or p.stdout.strip() != "ok":
            errs.append(f"{name}: the reference resolver says:\n{p.stdout}{p.stderr}")
    return errs


def rule_errors(pair, doc, code):
    """How `rdy diff --json`'s DOC and exit status CODE differ from what the rules say of PAIR."""
    errs = []
    want_exit = (CHANGES if pair.changes or pair.versions else 0) | \
        (BREAKING if pair.track == "other" or any(c[4] != C for c in pair.changes) else 0)
    assert want_exit == pair.exit, f"{pair.name}: the table's exit {pair.exit} is not its changes' {want_exit}"
    if code != pair.exit:
        errs.append(f"exit status {code}, the rules say {pair.exit}")
    changes = doc.get("changes", [])
    versions = [c for c in changes if c.get("kind") == "version"]
    others = [c for c in changes if c.get("kind") != "version"]
    world = [c for c in versions if c.get("direction") == "world"]
    ifaces = [c for c in versions if c.get("direction") != "world"]
    other = pair.track == "other"
    if len(world) != (1 if other else 0) or any(c.get("class") != C for c in world):
        errs.append(f"the world's version: want {'one compatible change' if other else 'none'}, got {world}")
    if any(c.get("direction") != ("package" if not other else c.get("direction")) for c in ifaces):
        errs.append(f"a version change on one track not said per package: {ifaces}")
    if len(ifaces) != pair.versions:
        errs.append(f"{len(ifaces)} {'interfaces' if other else 'packages'} moved, the rules say {pair.versions}")
    want_class = BOTH if pair.track == "other" else C
    for c in ifaces:
        if c.get("class") != want_class:
            errs.append(f"{c.get('interface')}: version change classed {c.get('class')}, the rules say {want_class}")
    got = sorted((c.get("direction"), c.get("interface"), c.get("item"), c.get("what"), c.get("class"),
                  c.get("absent")) for c in others)
    want = sorted(pair.changes, key=lambda t: tuple(x or "" for x in t))
    got.sort(key=lambda t: tuple(x or "" for x in t))
    for t in want:
        if t not in got:
            errs.append(f"missing or classed otherwise: {t}")
    for t in got:
        if t not in want:
            errs.append(f"not what the rules say: {t}")
    nbreaking = sum(1 for c in changes if c.get("class") != C)
    if doc.get("changes_total") != len(changes) or doc.get("breaking") != nbreaking:
        errs.append(f"changes_total {doc.get('changes_total')} and breaking {doc.get('breaking')}, "
                    f"where the list has {len(changes)} and {nbreaking}")
    return errs


def golden_text(pair, code, out, err):
    head = f"$ rdy {' '.join(pair.argv())}\n# exit {code}\n"
    return head + out + (f"# stderr\n{err}" if err else "")


def check_pair(rdy, work, pair, update):
    """Failures of PAIR, or writes its golden file when UPDATE."""
    fails = []
    p = run([rdy] + pair.argv(), cwd=work)
    j = run([rdy] + pair.argv(json_out=True), cwd=work)
    try:
        doc = json.loads(j.stdout)
    except ValueError as e:
        return [f"{pair.name}: --json output is not JSON ({e}):\n{j.stdout}{j.stderr}"]
    if j.returncode != p.returncode:
        fails.append(f"{pair.name}: exit {p.returncode} as text, {j.returncode} with --json")
    fails += [f"{pair.name}: {e}" for e in rule_errors(pair, doc, p.returncode)]
    text = golden_text(pair, p.returncode, p.stdout, p.stderr)
    golden = os.path.join(EXPECTED, pair.name + ".txt")
    if update and fails:
        fails.append(f"{pair.name}: not what the rules say, so {os.path.relpath(golden, HERE)} is left as it is")
    elif update:
        os.makedirs(EXPECTED, exist_ok=True)
        with open(golden, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif not os.path.exists(golden):
        fails.append(f"{pair.name}: no {os.path.relpath(golden, HERE)}; run with --update and review it")
    else:
        with open(golden, encoding="utf-8") as fh:
            want = fh.read()
        if want != text:
            d = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                             os.path.relpath(golden, HERE), "rdy diff"))
            fails.append(f"{pair.name}: the output differs from the golden file:\n{d}")
    return fails


def check_usage(rdy, work):
    """The exit status for a usage error (2) and for an error (1)."""
    fails = []
    for argv, want in ((["diff", "filters-1.0.0"], USAGE),
                       (["diff", "filters-1.0.0", "filters-1.1.0", "--bogus"], USAGE),
                       (["diff", "filters-1.0.0", "no-such-dir", "--world", "plugin"], ERROR),
                       (["diff", "filters-1.0.0", "filters-1.1.0", "--world", "no-such-world"], ERROR)):
        p = run([rdy] + argv, cwd=work)
        if p.returncode != want:
            fails.append(f"rdy {' '.join(argv)}: exit {p.returncode}, want {want}\n{p.stdout}{p.stderr}")
        elif not p.stderr:
            fails.append(f"rdy {' '.join(argv)}: exit {want} with nothing said on stderr")
    return fails


def main(argv):
    update = "--update" in argv
    use_oracle = "--oracle" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return USAGE
    rdy, src, shared, work = (os.path.abspath(a) for a in args)
    t0 = time.monotonic()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    corpus = os.path.join(shared, "corpus", "wasi-0.2", "cli")
    have_wasi = os.path.isdir(corpus)
    oracle = os.path.join(shared, "tools", "wit-oracle", "run") if use_oracle else None
    if oracle and not os.path.exists(oracle):
        print(f"history: no reference resolver at {oracle}", file=sys.stderr)
        return ERROR

    fails = []
    for v, tree in derive(FILTERS, Tree.read(os.path.join(src, "examples", "filters", "wit"))).items():
        tree.write(os.path.join(work, f"filters-{v}"))
        fails += validate(rdy, oracle, work, f"filters-{v}", "plugin", [])
    pairs = list(PAIRS)
    if have_wasi:
        for v, tree in derive(WASI, Tree.read(corpus)).items():
            tree.write(os.path.join(work, f"cli-{v}"))
            fails += validate(rdy, oracle, work, f"cli-{v}", "wasi:cli/command", [])
            fails += validate(rdy, None, work, f"cli-{v}", "wasi:cli/command", [FEATURE])
        pairs += WASI_PAIRS
    if not fails:
        for pair in pairs:
            f = check_pair(rdy, work, pair, update)
            print(f"{'FAIL' if f else 'ok  '} {pair.name:48} exit {pair.exit}")
            fails += f
        fails += check_usage(rdy, work)
    if have_wasi and os.path.isdir(EXPECTED):
        names = {p.name + ".txt" for p in pairs}
        fails += [f"expected/{f}: no pair of that name; remove it" for f in sorted(os.listdir(EXPECTED))
                  if f not in names]
    for f in fails:
        print("FAIL:", f)
    print(f"history: {len(pairs)} pairs, {len(fails)} failures{', golden files written' if update else ''}, "
          f"{time.monotonic() - t0:.2f} s")
    if fails:
        return ERROR
    if not have_wasi:
        print(f"history: SKIP the wasi:cli half: no corpus at {corpus}")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
