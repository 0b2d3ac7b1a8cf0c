/*
 * The compatibility rules of versions, docs/abi.md §8.1 [V-*], one test per
 * row of its table: what `rdy diff` says of a change, and that the check the
 * loader runs agrees, both ways, on every pair.
 */
#include "wittest.h"

#include "abi/diff.h"

#include <stdlib.h>

typedef struct want {
	uint8_t breaks, absent, what;
	const char *line;                  /* the change's first line */
} want;

enum { OLD = RDY_DIFF_OLD_HOSTS, NEW = RDY_DIFF_NEW_HOSTS, BOTH = OLD | NEW };

/* Whether HOST accepts PLUGIN, world `w` of each, as the loader's check says. */
static bool accepts(rdy_wit *host, rdy_wit *plugin)
{
	rdy_check_report r;
	int rc = rdy_check_worlds(rdy_wit_get_model(host), rdy_wit_select_world(host, 0, "w"), rdy_wit_get_model(plugin),
				  rdy_wit_select_world(plugin, 0, "w"), "p.so", &r);
	assert_true(rc >= 0);
	rdy_check_report_free(&r);
	return rc == 0;
}

/* Diffs world `w` of OLD_SRC and NEW_SRC: the changes must be W, in order, and the loader must agree. */
static void expect(const char *old_src, const char *new_src, const want *w, uint32_t n)
{
	rdy_wit *o = wit_ok(old_src), *nw = wit_ok(new_src);
	rdy_diff d;
	assert_int_equal(rdy_diff_worlds(rdy_wit_get_model(o), rdy_wit_select_world(o, 0, "w"), rdy_wit_get_model(nw),
					 rdy_wit_select_world(nw, 0, "w"), &d),
			 0);
	uint8_t breaks = 0;
	for (uint32_t i = 0; i < d.n; i++) {
		const rdy_diff_change *c = &d.v[i];
		breaks |= c->breaks;
		if (i >= n)
			fail_msg("unexpected change %u: %s", i, c->lines[0]);
		if (strcmp(c->lines[0], w[i].line) || c->breaks != w[i].breaks || c->absent != w[i].absent ||
		    c->at.what != w[i].what)
			fail_msg("change %u: expected\n  %s (breaks %u, absent %u, what %u)\ngot\n  %s (breaks %u, absent %u, what %u)",
				 i, w[i].line, w[i].breaks, w[i].absent, w[i].what, c->lines[0], c->breaks, c->absent,
				 c->at.what);
	}
	assert_int_equal(d.n, n);
	/* The loader: an old host with a new plugin, a new host with an old plugin. */
	assert_int_equal(accepts(o, nw), !(breaks & OLD));
	assert_int_equal(accepts(nw, o), !(breaks & NEW));
	rdy_diff_free(&d);
	rdy_wit_free(o);
	rdy_wit_free(nw);
}

#define TYPES "interface types { record point { x: s32, y: s32 } flags style { bold, italic } }\n"
#define LOG "interface log { log: func(m: string); }\n"
#define WORLD "world w { import log; export api; }\n"
#define API(extra) "interface api { use types.{point, style}; area: func(p: point, s: style) -> u64;" extra " }\n"
#define PKG(v) "package ex:s@" v ";\n"
#define BASE(v) PKG(v) TYPES LOG API("") WORLD

/* One line for the package: its three interfaces share its version, and the world's note goes. */
static const char *const ver = "ex:s: at 1.3.0, was 1.2.0: both on semver track 1 (3 interfaces)";

/* [V-TRACK] versions on one semver track are one interface; on two, none. */
static void v_track(void **state)
{
	(void)state;
	const want minor[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, ver },
	};
	expect(BASE("1.2.0"), BASE("1.3.0"), minor, 1);
	const want major[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, "the world's package ex:s is at 2.0.0, was 1.2.0; a host chooses its world, "
		  "so only its items' versions must match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/log: at 2.0.0, was 1.2.0: semver track 2, was 1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/types: at 2.0.0, was 1.2.0: semver track 2, was 1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/api: at 2.0.0, was 1.2.0: semver track 2, was 1, so they do not match" },
	};
	expect(BASE("1.2.0"), BASE("2.0.0"), major, 4);
	const want zero[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, "the world's package ex:s is at 0.3.0, was 0.2.1; a host chooses its world, "
		  "so only its items' versions must match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/log: at 0.3.0, was 0.2.1: semver track 0.3, was 0.2, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/types: at 0.3.0, was 0.2.1: semver track 0.3, was 0.2, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/api: at 0.3.0, was 0.2.1: semver track 0.3, was 0.2, so they do not match" },
	};
	expect(BASE("0.2.1"), BASE("0.3.0"), zero, 4);
	const want patch0[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, "ex:s: at 0.2.5, was 0.2.1: both on semver track 0.2 (3 interfaces)" },
	};
	expect(BASE("0.2.1"), BASE("0.2.5"), patch0, 1);
	const want tiny[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, "the world's package ex:s is at 0.0.2, was 0.0.1; a host chooses its world, "
		  "so only its items' versions must match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/log: at 0.0.2, was 0.0.1: semver track 0.0.2, was 0.0.1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/types: at 0.0.2, was 0.0.1: semver track 0.0.2, was 0.0.1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/api: at 0.0.2, was 0.0.1: semver track 0.0.2, was 0.0.1, so they do not match" },
	};
	expect(BASE("0.0.1"), BASE("0.0.2"), tiny, 4);
	const want pre[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, "the world's package ex:s is at 1.0.0, was 1.0.0-rc.1; a host chooses its world, "
		  "so only its items' versions must match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/log: at 1.0.0, was 1.0.0-rc.1: semver track 1, was 1.0.0-rc.1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/types: at 1.0.0, was 1.0.0-rc.1: semver track 1, was 1.0.0-rc.1, so they do not match" },
		{ BOTH, 0, RDY_CHECK_VERSIONED, "ex:s/api: at 1.0.0, was 1.0.0-rc.1: semver track 1, was 1.0.0-rc.1, so they do not match" },
	};
	expect(BASE("1.0.0-rc.1"), BASE("1.0.0"), pre, 4);
	expect(BASE("1.2.0"), BASE("1.2.0"), NULL, 0);
}

/* [V-ADD] an export added without a gate: new hosts refuse old plugins; an import: old hosts refuse new plugins. */
static void v_add(void **state)
{
	(void)state;
	const want exp[] = { { NEW, 0, RDY_CHECK_ADDED, "ex:s/api: function `perimeter` was added without a @since gate" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG API(" perimeter: func(p: point) -> u64;") WORLD, exp, 1);
	const want imp[] = { { OLD, 0, RDY_CHECK_ADDED, "ex:s/log: function `warn` was added without a @since gate" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES "interface log { log: func(m: string); warn: func(m: string); }\n"
		   API("") WORLD, imp, 1);
	const want iface[] = { { NEW, 0, RDY_CHECK_ADDED, "ex:s/draw was added without a @since gate" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG API("") "interface draw { draw: func(); }\n"
		   "world w { import log; export api; export draw; }\n", iface, 1);
	/* Gated, but at a version the old one has already: it should have had it. */
	const want early[] = { { NEW, 0, RDY_CHECK_ADDED, "ex:s/api: function `perimeter` was added, gated "
							  "@since(version = 1.1.0), which old at 1.2.0 should have had" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG
		   API(" @since(version = 1.1.0) perimeter: func(p: point) -> u64;") WORLD, early, 1);
}

/* [V-GATE] an item added gated @since the new version binds as absent where the old one provides it. */
static void v_gate(void **state)
{
	(void)state;
	const want exp[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, ver },
		{ 0, NEW, RDY_CHECK_ADDED, "ex:s/api: function `perimeter` (since 1.3.0) was added" },
	};
	expect(BASE("1.2.0"), PKG("1.3.0") TYPES LOG API(" @since(version = 1.3.0) perimeter: func(p: point) -> u64;")
		   WORLD, exp, 2);
	const want imp[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, ver },
		{ 0, OLD, RDY_CHECK_ADDED, "ex:s/log: function `warn` (since 1.3.0) was added" },
	};
	expect(BASE("1.2.0"), PKG("1.3.0") TYPES
		   "interface log { log: func(m: string); @since(version = 1.3.0) warn: func(m: string); }\n" API("") WORLD,
		   imp, 2);
	const want iface[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, ver },
		{ 0, NEW, RDY_CHECK_ADDED, "ex:s/draw (since 1.3.0) was added" },
	};
	expect(BASE("1.2.0"), PKG("1.3.0") TYPES LOG API("") "interface draw { draw: func(); }\n"
		   "world w { import log; export api; @since(version = 1.3.0) export draw; }\n", iface, 2);
}

/* [V-REMOVE] a removed export breaks old hosts, a removed import new hosts, gated or not. */
static void v_remove(void **state)
{
	(void)state;
	const want exp[] = { { OLD, 0, RDY_CHECK_REMOVED, "ex:s/api: function `area` was removed" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG "interface api { use types.{point, style}; }\n" WORLD, exp, 1);
	const want gated[] = {
		{ OLD, 0, RDY_CHECK_REMOVED, "ex:s/api: function `perimeter` (since 1.1.0) was removed, though new is at 1.2.0" },
	};
	expect(PKG("1.2.0") TYPES LOG API(" @since(version = 1.1.0) perimeter: func(p: point) -> u64;") WORLD, BASE("1.2.0"),
	       gated, 1);
	const want imp[] = { { NEW, 0, RDY_CHECK_REMOVED, "ex:s/log was removed" } };
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG API("") "world w { export api; }\n", imp, 1);
}

/* [V-CHANGE] a changed function or type breaks both ways, and is said once, where the type is defined. */
static void v_change(void **state)
{
	(void)state;
	const want field[] = {
		{ BOTH, 0, RDY_CHECK_CHANGED, "ex:s/types: record point: field y: old has s32 (offset 4), new has f32" },
	};
	expect(BASE("1.2.0"), PKG("1.2.0") "interface types { record point { x: s32, y: f32 } flags style { bold, italic } }\n"
		   LOG API("") WORLD, field, 1);
	const want flag[] = {
		{ BOTH, 0, RDY_CHECK_CHANGED, "ex:s/types: flags style: old has 2 flags, new has 3" },
	};
	expect(BASE("1.2.0"), PKG("1.2.0") "interface types { record point { x: s32, y: s32 } flags style { bold, italic, "
		   "underline } }\n" LOG API("") WORLD, flag, 1);
	const want param[] = {
		{ BOTH, 0, RDY_CHECK_CHANGED, "ex:s/api: function `area`: old has 2 parameters, new has 3" },
	};
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG
		   "interface api { use types.{point, style}; area: func(p: point, s: style, k: u8) -> u64; }\n" WORLD,
		   param, 1);
	const want kase[] = {
		{ BOTH, 0, RDY_CHECK_CHANGED, "ex:s/v: variant shape: old has 1 case, new has 2" },
	};
	expect(PKG("1.2.0") "interface v { variant shape { dot(u32) } f: func(s: shape); }\nworld w { export v; }\n",
	       PKG("1.2.0") "interface v { variant shape { dot(u32), line(u64) } f: func(s: shape); }\n"
			    "world w { export v; }\n", kase, 1);
}

/* [V-DEPRECATE] a deprecation, and any other change of a gate, is compatible and said. */
static void v_deprecate(void **state)
{
	(void)state;
	const want dep[] = {
		{ 0, 0, RDY_CHECK_VERSIONED, ver },
		{ 0, 0, RDY_CHECK_DEPRECATED, "ex:s/api: function `area` is deprecated since 1.3.0" },
	};
	expect(BASE("1.2.0"), PKG("1.3.0") TYPES LOG
		   "interface api { use types.{point, style}; @since(version = 1.0.0) @deprecated(version = 1.3.0)"
		   " area: func(p: point, s: style) -> u64; }\n" WORLD, dep, 2);
	const want stable[] = {
		{ 0, 0, RDY_CHECK_RESTABLED,
		  "ex:s/api: function `area`: @since(version = 1.2.0), was @unstable(feature = active)" },
	};
	expect(PKG("1.2.0") TYPES LOG "interface api { use types.{point, style}; @unstable(feature = active)"
				      " area: func(p: point, s: style) -> u64; }\n" WORLD,
	       PKG("1.2.0") TYPES LOG "interface api { use types.{point, style}; @since(version = 1.2.0)"
				      " area: func(p: point, s: style) -> u64; }\n" WORLD, stable, 1);
	/* Documentation is no change at all. */
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG "/// Areas.\ninterface api { use types.{point, style};\n"
						      "/// The area.\narea: func(p: point, s: style) -> u64; }\n" WORLD,
	       NULL, 0);
}

/* [V-UNSTABLE] an @unstable item exists only with its feature on: without it on one side, it was added or removed. */
static void v_unstable(void **state)
{
	(void)state;
	const want exp[] = {
		{ NEW, 0, RDY_CHECK_ADDED, "ex:s/api: function `perimeter` (@unstable feature `active`) was added" },
	};
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG
		   API(" @unstable(feature = active) perimeter: func(p: point) -> u64;") WORLD, exp, 1);
	/* With the feature off, the item is not there at all: nothing changed. */
	expect(BASE("1.2.0"), PKG("1.2.0") TYPES LOG
		   API(" @unstable(feature = other) perimeter: func(p: point) -> u64;") WORLD, NULL, 0);
}

/* The check's own words for the same rules, as the loader prints them. */
static void check_messages(void **state)
{
	(void)state;
	rdy_wit *h = wit_ok(PKG("1.2.0") TYPES LOG
			    API(" @since(version = 1.1.0) perimeter: func(p: point) -> u64;"
				" @unstable(feature = active) volume: func(p: point) -> u64;"
				" @since(version = 1.0.0) @deprecated(version = 1.2.0) old: func();") WORLD);
	rdy_wit *p = wit_ok(PKG("1.2.0") TYPES LOG API(" old: func();") WORLD);
	rdy_check_report r;
	assert_int_equal(rdy_check_worlds(rdy_wit_get_model(h), rdy_wit_select_world(h, 0, "w"), rdy_wit_get_model(p),
					  rdy_wit_select_world(p, 0, "w"), "p.so", &r),
			 1);
	assert_int_equal(r.nerrors, 2);
	assert_string_equal(r.errors[0], "p.so: ex:s/api@1.2.0: function `perimeter` is missing from the plugin, "
					 "though it is there since 1.1.0 and the plugin is at 1.2.0");
	assert_string_equal(r.errors[1], "p.so: ex:s/api@1.2.0: function `volume` (@unstable feature `active`) is "
					 "missing from the plugin, which was generated without that feature");
	assert_int_equal(r.ndeprecated, 1);
	assert_string_equal(r.deprecated[0], "p.so: ex:s/api@1.2.0: function `old` is deprecated since 1.2.0");
	assert_string_equal(r.errors_at[0].iface, "ex:s/api");
	assert_string_equal(r.errors_at[0].item, "perimeter");
	assert_int_equal(r.errors_at[0].kind, RDY_CHECK_FUNC);
	assert_int_equal(r.errors_at[0].what, RDY_CHECK_MISSING);
	assert_false(r.errors_at[0].import);
	rdy_check_report_free(&r);
	rdy_wit_free(h);
	rdy_wit_free(p);
}

/* A diff lists every change, however many: the check's cap on errors is for loads. */
static void many_changes(void **state)
{
	(void)state;
	char old[8192] = PKG("1.2.0") "interface api {\n", new_[8192] = PKG("1.2.0") "interface api {\n";
	for (int i = 0; i < 80; i++) {
		snprintf(old + strlen(old), sizeof old - strlen(old), "g%d: func(a: u32);\n", i);
		snprintf(new_ + strlen(new_), sizeof new_ - strlen(new_), "g%d: func(a: u64);\n", i);
	}
	strcat(old, "}\nworld w { export api; }\n");
	strcat(new_, "}\nworld w { export api; }\n");
	rdy_wit *o = wit_ok(old), *n = wit_ok(new_);
	rdy_diff d;
	assert_int_equal(rdy_diff_worlds(rdy_wit_get_model(o), rdy_wit_select_world(o, 0, "w"), rdy_wit_get_model(n),
					 rdy_wit_select_world(n, 0, "w"), &d),
			 0);
	assert_int_equal(d.n, 80);
	assert_int_equal(d.nbreaking, 80);
	for (uint32_t i = 0; i < d.n; i++)
		assert_int_equal(d.v[i].breaks, BOTH);
	rdy_diff_free(&d);
	rdy_wit_free(o);
	rdy_wit_free(n);
}

/* A world's own items match by name across its package's tracks; a gate of another track proves nothing. */
static void world_items_across_tracks(void **state)
{
	(void)state;
	rdy_wit *h = wit_ok("package a:w@2.0.0;\nworld w { export f: func(); }\n");
	rdy_wit *p = wit_ok("package a:w@1.5.0;\nworld w { @since(version = 1.5.0) import clock: func() -> u64;"
			    " export f: func(); }\n");
	rdy_check_report r;
	assert_int_equal(rdy_check_worlds(rdy_wit_get_model(h), 0, rdy_wit_get_model(p), 0, "p.so", &r), 0);
	assert_int_equal(r.nabsent, 1);
	rdy_check_report_free(&r);
	rdy_wit_free(h);
	rdy_wit_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v_track),
		cmocka_unit_test(v_add),
		cmocka_unit_test(v_gate),
		cmocka_unit_test(v_remove),
		cmocka_unit_test(v_change),
		cmocka_unit_test(v_deprecate),
		cmocka_unit_test(v_unstable),
		cmocka_unit_test(check_messages),
		cmocka_unit_test(many_changes),
		cmocka_unit_test(world_items_across_tracks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
