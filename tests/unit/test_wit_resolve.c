/* Resolution rules (WIT.md; the reference resolver), checked on the model and on diagnostics. */
#include "wittest.h"

#include <stdlib.h>

static const rdy_wit_model *M(rdy_wit *w)
{
	return rdy_wit_get_model(w);
}

static const rdy_wit_interface *iface(rdy_wit *w, const char *pkg, const char *name)
{
	const rdy_wit_package *p = wit_pkg(w, pkg);
	int32_t id = wit_named(p->interfaces, p->ninterfaces, name);
	assert_true(id >= 0);
	return &M(w)->interfaces[id];
}

static const rdy_wit_world *world(rdy_wit *w, const char *pkg, const char *name)
{
	const rdy_wit_package *p = wit_pkg(w, pkg);
	int32_t id = wit_named(p->worlds, p->nworlds, name);
	assert_true(id >= 0);
	return &M(w)->worlds[id];
}

static const rdy_wit_typedef *type_of(rdy_wit *w, const rdy_wit_interface *in, const char *name)
{
	int32_t id = wit_named(in->types, in->ntypes, name);
	assert_true(id >= 0);
	return &M(w)->types[id];
}

static const rdy_wit_func *func_of(const rdy_wit_interface *in, const char *name)
{
	for (uint32_t i = 0; i < in->nfuncs; i++)
		if (!strcmp(in->funcs[i].name, name))
			return &in->funcs[i];
	fail_msg("no function %s", name);
	return NULL;
}

static void types_in_any_order(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n"
			    "interface i {\n"
			    "  record r { x: t, y: list<t> }\n"
			    "  type t = u32;\n"
			    "  variant v { none, some(r), other(tuple<t, string>) }\n"
			    "  flags f { a, b, c }\n"
			    "  enum e { x, y }\n"
			    "}\n");
	const rdy_wit_interface *in = iface(w, "a:b", "i");
	const rdy_wit_typedef *r = type_of(w, in, "r");
	assert_int_equal(r->kind, RDY_WIT_RECORD);
	assert_int_equal(r->ncases, 2);
	assert_string_equal(r->cases[0].name, "x");
	assert_int_equal(M(w)->types[r->cases[0].type].kind, RDY_WIT_ALIAS);
	assert_int_equal(M(w)->types[r->cases[1].type].kind, RDY_WIT_LIST);
	assert_int_equal(type_of(w, in, "f")->ncases, 3);
	rdy_wit_free(w);
	wit_err("package a:b; interface i { type a = b; type b = a; }", "type `b` depends on itself", "1:37");
	wit_err("package a:b; interface i { type a = c; }", "type `c` does not exist", "1:37");
	wit_err("package a:b; interface i { type a = u8; type a = u16; }", "name `a` is defined more than once",
		"1:46");
	wit_err("package a:b; interface i { enum e {} }", "empty enum", "1:33");
	wit_err("package a:b; interface i { variant v {} }", "empty variant", "1:36");
	wit_err("package a:b; interface i { x: func(); y: func(a: x); }", "cannot use function `x` as a type",
		"1:50");
	wit_err("package a:b; interface i { f: func(a: u8, a: u8); }", "param `a` is defined more than once",
		"1:43");
	wit_err("package a:b; interface i { type m = map<f32, u8>; }",
		"invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string",
		"1:37");
}

static void anonymous_types_are_shared(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b; interface i { f: func(a: list<u8>) -> list<u8>; g: func(b: list<u8>); }");
	const rdy_wit_interface *in = iface(w, "a:b", "i");
	assert_int_equal(func_of(in, "f")->params[0].type, func_of(in, "f")->result);
	assert_int_equal(func_of(in, "g")->params[0].type, func_of(in, "f")->result);
	rdy_wit_free(w);
}

static void resources(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n"
			    "interface i {\n"
			    "  resource r {\n"
			    "    constructor(x: u32);\n"
			    "    get: func() -> u32;\n"
			    "    make: static func() -> r;\n"
			    "  }\n"
			    "  resource s { constructor() -> result<s, string>; }\n"
			    "  take: func(a: r, b: borrow<r>) -> own<r>;\n"
			    "}\n");
	const rdy_wit_interface *in = iface(w, "a:b", "i");
	const rdy_wit_func *get = func_of(in, "[method]r.get");
	assert_int_equal(get->kind, RDY_WIT_METHOD);
	assert_string_equal(get->params[0].name, "self");
	const rdy_wit_typedef *self = &M(w)->types[get->params[0].type];
	assert_int_equal(self->kind, RDY_WIT_HANDLE);
	assert_true(self->borrow);
	const rdy_wit_func *take = func_of(in, "take");
	/* a plain use of a resource is an owned handle */
	assert_int_equal(M(w)->types[take->params[0].type].kind, RDY_WIT_HANDLE);
	assert_false(M(w)->types[take->params[0].type].borrow);
	assert_int_equal(take->params[0].type, take->result);
	assert_int_equal(func_of(in, "[constructor]r")->kind, RDY_WIT_CONSTRUCTOR);
	assert_int_equal(func_of(in, "[static]r.make")->kind, RDY_WIT_STATIC);
	rdy_wit_free(w);
	wit_err("package a:b; interface i { type t = u8; f: func(x: borrow<t>); }",
		"type `t` used in a handle must be a resource", "1:59");
	wit_err("package a:b; interface i { resource r { constructor(); constructor(); } }", "duplicate constructors",
		"1:56");
	wit_err("package a:b; interface i { resource r { constructor() -> u32; } }",
		"if a constructor return type is declared it must be a `result`", "1:58");
	wit_err("package a:b; interface i { resource r { constructor() -> result<u32>; } }",
		"the `ok` type must be the resource being constructed", "1:65");
	wit_err("package a:b; interface i { resource r { f: func(); f: static func(); } }",
		"duplicate function name `f`", "1:52");
	wit_err("package a:b; interface i { resource r; f: func() -> borrow<r>; }",
		"function `f` returns a type which contains a `borrow<T>` which is not supported", "1:40");
}

static void use_between_interfaces(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n"
			    "interface user { use types.{t as u, r}; f: func(x: u) -> r; }\n"
			    "interface types { type t = u32; resource r; }\n");
	const rdy_wit_interface *user = iface(w, "a:b", "user");
	const rdy_wit_typedef *u = type_of(w, user, "u");
	assert_int_equal(u->kind, RDY_WIT_ALIAS);
	assert_string_equal(M(w)->types[u->a].name, "t");
	rdy_wit_free(w);
	/* the reference reports a cycle at the declaration the edge leads to */
	wit_err("package a:b; interface a { use b.{x}; } interface b { use a.{y}; }",
		"interface or world `b` depends on itself", "1:51");
	wit_err("package a:b; interface a { use b.{x}; } interface b { }", "name `x` does not exist", "1:35");
	wit_err("package a:b; interface a { use b.{f}; } interface b { f: func(); }", "cannot import function `f`",
		"1:35");
	wit_err("package a:b; interface a { use w.{x}; } world w { }",
		"name `w` is defined as a world, not an interface", "1:32");
	wit_err("package a:b; interface a { use nope.{x}; }", "interface or world `nope` does not exist", "1:32");
	wit_err("package a:b; interface a {} interface a {}", "duplicate item named `a`", "1:39");
}

static void world_elaboration(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n"
			    "interface base { type t = u32; }\n"
			    "interface mid { use base.{t}; }\n"
			    "interface top { use mid.{t}; f: func() -> t; }\n"
			    "world w { export top; import g: func(); }\n");
	const rdy_wit_world *wd = world(w, "a:b", "w");
	/* exporting `top` imports what it uses, transitively, in dependency order */
	assert_int_equal(wd->nimports, 3);
	assert_null(wd->imports[0].name);
	assert_string_equal(M(w)->interfaces[wd->imports[0].id].name, "base");
	assert_string_equal(M(w)->interfaces[wd->imports[1].id].name, "mid");
	assert_string_equal(wd->imports[2].name, "g");
	assert_int_equal(wd->nexports, 1);
	rdy_wit_free(w);
	wit_err("package a:b;\n"
		"interface i1 { type t = u32; }\n"
		"interface i2 { use i1.{t}; }\n"
		"interface i3 { use i1.{t}; use i2.{t as t2}; }\n"
		"world w { export i1; export i3; }\n",
		"interface `a:b/i3` transitively depends on an interface in incompatible ways", "5:7");
	wit_err("package a:b; interface i {} world w { import i; import i; }", "interface cannot be imported more than once",
		"1:56");
	/* found by differential fuzzing: a labelled export does not export the interface under its own key */
	wit_err("package a:b;\n"
		"interface b { type t = u8; }\n"
		"interface beta { use b.{t}; }\n"
		"world w { export beta; export lbl: b; }\n",
		"interface `lbl` transitively depends on an interface in incompatible ways", "4:7");
	rdy_wit_free(wit_ok("package a:b;\n"
			    "interface b { type t = u8; }\n"
			    "interface beta { use b.{t}; }\n"
			    "world w { export lbl: b; export beta; }\n"));
	/* found by differential fuzzing: include copies an inline interface, not a labelled named one */
	wit_err("package a:b@0.1.0;\n"
		"interface pe { resource sc; }\n"
		"interface body { use pe.{sc as fs}; }\n"
		"interface lb { use body.{fs}; }\n"
		"world ff { export rr: pe; }\n"
		"world point { export sb: lb; include ff; }\n",
		"interface `rr` transitively depends on an interface in incompatible ways", "6:7");
	wit_err("package a:b; world w { import f: func(); import f: func(); }",
		"import `f` conflicts with prior func of same name", "1:49");
	wit_err("package a:b; world w { export get-x: func(); export GET-X: func(); }",
		"export `GET-X` in world `w` conflicts with export `get-x` (kebab-case identifiers are case-insensitive)",
		NULL);
}

static void include(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n"
			    "world base { import f: func(); export g: func(); }\n"
			    "world top { include base with { f as f2 } import f: func(); }\n");
	const rdy_wit_world *top = world(w, "a:b", "top");
	assert_int_equal(top->nimports, 2);
	assert_int_equal(top->nexports, 1);
	bool renamed = false;
	for (uint32_t i = 0; i < top->nimports; i++)
		renamed |= !strcmp(top->imports[i].name, "f2") && !strcmp(top->imports[i].func.name, "f2");
	assert_true(renamed);
	rdy_wit_free(w);
	wit_err("package a:b; world base { import f: func(); } world top { import f: func(); include base; }",
		"import of `f` shadows previously imported items", "1:85");
	wit_err("package a:b; world base {} world top { include base with { x as y } }",
		"no import or export kebab-name `x`. Note that an ID does not support renaming", "1:48");
	wit_err("package a:b; world a { include b; } world b { include a; }", "interface or world `b` depends on itself",
		"1:43");
}

static void gates(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b@1.2.0;\n"
			    "interface i {\n"
			    "  @since(version = 1.1.0) f: func();\n"
			    "  @unstable(feature = active) g: func();\n"
			    "  @unstable(feature = off) h: func();\n"
			    "  @since(version = 1.0.0) @deprecated(version = 1.2.0) d: func();\n"
			    "}\n");
	const rdy_wit_interface *in = iface(w, "a:b@1.2.0", "i");
	assert_int_equal(in->nfuncs, 3);
	assert_int_equal(func_of(in, "f")->stability.kind, RDY_WIT_STAB_STABLE);
	assert_string_equal(func_of(in, "f")->stability.since->text, "1.1.0");
	assert_string_equal(func_of(in, "g")->stability.feature, "active");
	assert_string_equal(func_of(in, "d")->stability.deprecated->text, "1.2.0");
	rdy_wit_free(w);
	wit_err("package a:b@1.0.0; interface i { @since(version = 1.1.0) f: func(); }",
		"feature gate cannot reference unreleased version 1.1.0 of package [a:b@1.0.0] (current version 1.0.0)",
		"1:58");
	wit_err("package a:b; interface i { @since(version = 1.0.0) f: func(); }",
		"package [a:b] contains a feature gate with a version specifier, so it must have a version", "1:52");
	wit_err("package a:b; interface i { @unstable(feature = off) type t = u8; f: func(x: t); }",
		"found a reference to a type which is excluded due to its feature not being activated", "1:66");
	wit_err("package a:b; interface i { @deprecated(version = 1.0.0) f: func(); }",
		"must pair @deprecated with either @since or @unstable", "1:29");
	wit_err("package a:b; interface i { @since(version = 1.0.0) @since(version = 1.0.0) f: func(); }",
		"unsupported combination of attributes", "1:53");
	wit_err("package a:b; @foo interface i {}", "unknown attribute `foo`", "1:15");
}

static void nested_packages(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:main;\n"
			    "world w { import a:dep/i@1.0.0; }\n"
			    "package a:dep@1.0.0 { interface i { type t = u8; } }\n");
	const rdy_wit_world *wd = world(w, "a:main", "w");
	assert_int_equal(wd->nimports, 1);
	assert_string_equal(M(w)->packages[M(w)->interfaces[wd->imports[0].id].package].id, "a:dep@1.0.0");
	rdy_wit_free(w);
	wit_err("package a:main; world w { import a:dep/i; }", "package 'a:dep' not found. known packages:", "1:34");
	wit_err("package a:main; world w { import a:dep/j; } package a:dep { interface i {} }",
		"interface 'j' not found in package 'a:dep'", "1:40");
	wit_err("package a:m; package a:x { world w { import a:y/i; } interface i {} }"
		" package a:y { world v { import a:x/i; } interface i {} }",
		"package `a:y` creates a dependency cycle", "1:45");
	wit_err("package a:x { interface i {} }", "no `package` header was found in any WIT file for this package", NULL);
	wit_err("world w {}", "no `package` header was found in any WIT file for this package", NULL);
}

static void select_world(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	const char *src = "package a:b@1.0.0; world one {} world two {}";
	int pkg = rdy_wit_load_string(w, "t.wit", src, strlen(src));
	assert_true(pkg >= 0);
	assert_true(rdy_wit_select_world(w, pkg, "one") >= 0);
	assert_true(rdy_wit_select_world(w, pkg, "a:b/two") >= 0);
	assert_true(rdy_wit_select_world(w, pkg, "a:b/two@1.0.0") >= 0);
	assert_int_equal(rdy_wit_select_world(w, pkg, NULL), -1);
	assert_non_null(strstr(rdy_wit_errmsg(w), "multiple worlds"));
	assert_int_equal(rdy_wit_select_world(w, pkg, "three"), -1);
	assert_string_equal(rdy_wit_errmsg(w), "world `three` not found in package `a:b@1.0.0`");
	assert_int_equal(rdy_wit_select_world(w, pkg, "a:b/one@2.0.0"), -1);
	assert_int_equal(rdy_wit_select_world(w, pkg, "one@1.0.0"), -1);
	/* a failed selection leaves the resolution usable */
	assert_true(rdy_wit_select_world(w, pkg, "two") >= 0);
	rdy_wit_free(w);
}

static void docs_kept_as_reference(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("/// The package.\npackage a:b;\n"
			    "/// First line.\n///\n///   indented\ninterface i {\n"
			    "  /** block */\n  f: func();\n}\n");
	assert_string_equal(wit_pkg(w, "a:b")->docs, "The package.");
	const rdy_wit_interface *in = iface(w, "a:b", "i");
	assert_string_equal(in->docs, "First line.\n\n  indented");
	assert_string_equal(func_of(in, "f")->docs, "block");
	rdy_wit_free(w);
}

static void diagnostic_rendering(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	const char *src = "package a:b;\ninterface i {\n  type t = nope;\n}\n";
	assert_int_equal(rdy_wit_load_string(w, "dir/x.wit", src, strlen(src)), -1);
	assert_string_equal(rdy_wit_errmsg(w), "type `nope` does not exist\n"
					       "     --> dir/x.wit:3:12\n"
					       "      |\n"
					       "    3 |   type t = nope;\n"
					       "      |            ^---");
	/* the resolution refuses further loads once one has failed */
	assert_int_equal(rdy_wit_load_string(w, "y.wit", "package c:d;", 12), -1);
	rdy_wit_free(w);
}

/* Every allocation failure point of a load fails cleanly and leaks nothing (SQLite's malloc tests). */
static void allocation_failures(void **state)
{
	(void)state;
	static const char *const inputs[] = {
		"package a:b@1.0.0;\n"
		"interface i { record r { x: u32, y: list<string> } resource res { constructor(); m: func() -> r; } }\n"
		"world w { import i; export f: func(x: option<u8>) -> result<u32, string>; }\n"
		"package c:d { interface j { type t = u8; } world v { import j; include a:b/w@1.0.0; } }\n",
		"package a:b; interface i { type t = nope; }\n",
		"package a:b@0.1.0; world base { @since(version = 0.1.0) import f: func(); } world top { include base with { f as g } }",
	};
	for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
		int outcome = -2;
		for (unsigned n = 1; n < 100000; n++) {
			rdy_wit *w = rdy_wit_new();
			rdy_wit_fail_allocation(w, n);
			int pkg = rdy_wit_load_string(w, "t.wit", inputs[k], strlen(inputs[k]));
			bool oom = pkg < 0 && !strcmp(rdy_wit_errmsg(w), "out of memory");
			if (!oom) {
				if (pkg >= 0) {
					FILE *f = fopen("/dev/null", "w");
					assert_int_equal(rdy_wit_write_json(w, f), 0);
					fclose(f);
				}
				rdy_wit_free(w);
				outcome = pkg >= 0;
				break;
			}
			rdy_wit_free(w);
		}
		assert_int_equal(outcome, k == 1 ? 0 : 1);
	}
}

/* Chains of definitions the input makes arbitrarily long stop with an error, never a stack overflow. */
static void long_chains(void **state)
{
	(void)state;
	size_t cap = 1 << 20, n = 0;
	char *src = malloc(cap);
	assert_non_null(src);
	n += (size_t)snprintf(src + n, cap - n, "package a:b;\ninterface i0 { type t = u32; }\n");
	for (int i = 1; i <= 10050; i++)
		n += (size_t)snprintf(src + n, cap - n, "interface i%d { use i%d.{t}; }\n", i, i - 1);
	snprintf(src + n, cap - n, "world w { import i10050; }\n");
	wit_err(src, "definitions refer to each other through more than 10000 levels", NULL);
	n = (size_t)snprintf(src, cap, "package a:b;\ninterface i {\n  type t0 = u32;\n");
	for (int i = 1; i <= 200; i++)
		n += (size_t)snprintf(src + n, cap - n, "  type t%d = t%d;\n", i, i - 1);
	snprintf(src + n, cap - n, "  f: func() -> t200;\n}\n");
	rdy_wit_free(wit_ok(src)); /* long, but within reach */
	free(src);
}

static void json_escapes(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b;\n/// say \"hi\" \\ \t tab\ninterface i {}\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(rdy_wit_write_json(w, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"contents\": \"say \\\"hi\\\" \\\\ \\t tab\""));
	free(buf);
	rdy_wit_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_in_any_order),
		cmocka_unit_test(anonymous_types_are_shared),
		cmocka_unit_test(resources),
		cmocka_unit_test(use_between_interfaces),
		cmocka_unit_test(world_elaboration),
		cmocka_unit_test(include),
		cmocka_unit_test(gates),
		cmocka_unit_test(nested_packages),
		cmocka_unit_test(select_world),
		cmocka_unit_test(docs_kept_as_reference),
		cmocka_unit_test(diagnostic_rendering),
		cmocka_unit_test(allocation_failures),
		cmocka_unit_test(long_chains),
		cmocka_unit_test(json_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
