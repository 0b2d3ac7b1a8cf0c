/* The compatibility rules of docs/abi.md §8 [C-MATCH] and semver tracks [S-TRACK], on pairs of worlds. */
#include "wittest.h"

#include "abi/check.h"

#include <stdlib.h>

typedef struct result {
	int rc;
	rdy_check_report r;
} result;

/* Checks world `w` of HOST against world `w` of PLUGIN, both WIT text. */
static result check(const char *host, const char *plugin)
{
	rdy_wit *h = wit_ok(host), *p = wit_ok(plugin);
	int hw = rdy_wit_select_world(h, 0, "w"), pw = rdy_wit_select_world(p, 0, "w");
	assert_true(hw >= 0 && pw >= 0);
	result res;
	res.rc = rdy_check_worlds(rdy_wit_get_model(h), hw, rdy_wit_get_model(p), pw, "p.so", &res.r);
	rdy_wit_free(h);
	rdy_wit_free(p);
	return res;
}

static void expect_ok(const char *host, const char *plugin, uint32_t nabsent)
{
	result res = check(host, plugin);
	if (res.rc != 0)
		fail_msg("expected compatible, got: %s", res.r.nerrors ? res.r.errors[0] : "?");
	assert_int_equal(res.r.nabsent, nabsent);
	rdy_check_report_free(&res.r);
}

/* The check fails with MSGS, in order (NULL-terminated). */
static void expect_errs(const char *host, const char *plugin, const char *const *msgs)
{
	result res = check(host, plugin);
	assert_int_equal(res.rc, 1);
	uint32_t n = 0;
	while (msgs[n])
		n++;
	for (uint32_t i = 0; i < n && i < res.r.nerrors; i++)
		if (strcmp(res.r.errors[i], msgs[i]))
			fail_msg("error %u: expected\n  %s\ngot\n  %s", i, msgs[i], res.r.errors[i]);
	assert_int_equal(res.r.nerrors, n);
	rdy_check_report_free(&res.r);
}

static void expect_err(const char *host, const char *plugin, const char *msg)
{
	const char *const msgs[] = { msg, NULL };
	expect_errs(host, plugin, msgs);
}

#define TYPES "interface types { record point { x: s32, y: s32 } }\n"
#define API "interface api { use types.{point}; area: func(p: point) -> u64; }\n"
#define WORLD "world w { import types; export api; }\n"

static void identical_worlds_match_by_hash(void **state)
{
	(void)state;
	const char *src = "package ex:s@1.2.0;\n" TYPES API WORLD;
	result res = check(src, src);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.r.walked, 0);
	assert_true(res.r.matched > 0);
	rdy_check_report_free(&res.r);
}

static void field_type_and_name(void **state)
{
	(void)state;
	expect_err("package ex:s@1.2.0;\n" TYPES API WORLD,
		   "package ex:s@1.2.0;\ninterface types { record point { x: s32, y: f32 } }\n" API WORLD,
		   "p.so: ex:s/types@1.2.0: record point: field y: host expects s32 (offset 4), plugin has f32");
	expect_err("package ex:s@1.2.0;\n" TYPES API WORLD,
		   "package ex:s@1.2.0;\ninterface types { record point { x: s32, z: s32 } }\n" API WORLD,
		   "p.so: ex:s/types@1.2.0: record point: field y: host expects `y` here, plugin has `z`");
	expect_err("package ex:s@1.2.0;\n" TYPES API WORLD,
		   "package ex:s@1.2.0;\ninterface types { record point { x: s32 } }\n" API WORLD,
		   "p.so: ex:s/types@1.2.0: record point: host expects 2 fields, plugin has 1");
}

static void functions(void **state)
{
	(void)state;
	const char *host = "package ex:s@1.2.0;\n" TYPES API WORLD;
	expect_err(host,
		   "package ex:s@1.2.0;\n" TYPES "interface api { use types.{point}; area: func(q: point) -> u64; }\n" WORLD,
		   "p.so: ex:s/api@1.2.0: function `area`: parameter `p`: plugin names it `q`");
	expect_err(host, "package ex:s@1.2.0;\n" TYPES "interface api { }\n" WORLD,
		   "p.so: ex:s/api@1.2.0: function `area` is missing from the plugin");
	expect_err(host,
		   "package ex:s@1.2.0;\n" TYPES "interface api { use types.{point}; area: func(p: point) -> u32; }\n" WORLD,
		   "p.so: ex:s/api@1.2.0: function `area`: result: host expects u64, plugin has u32");
	/* the plugin may offer more than the host asks for */
	expect_ok(host,
		  "package ex:s@1.2.0;\n" TYPES
		  "interface api { use types.{point}; area: func(p: point) -> u64; extra: func(); }\n" WORLD, 0);
}

static void since_gated_items_are_optional(void **state)
{
	(void)state;
	const char *host = "package ex:s@1.3.0;\n" TYPES
			   "interface api { use types.{point}; area: func(p: point) -> u64;"
			   " @since(version = 1.3.0) perimeter: func(p: point) -> u64; }\n" WORLD;
	result res = check(host, "package ex:s@1.2.0;\n" TYPES API WORLD);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.r.nabsent, 1);
	assert_string_equal(res.r.absent[0], "p.so: ex:s/api@1.3.0: function `perimeter` (since 1.3.0) is absent from the plugin; it binds as absent");
	rdy_check_report_free(&res.r);
}

static void plugin_imports_must_be_provided(void **state)
{
	(void)state;
	expect_err("package ex:s@1.2.0;\n" TYPES API WORLD,
		   "package ex:s@1.2.0;\n" TYPES API "interface log { log: func(m: string); }\n"
		   "world w { import types; import log; export api; }\n",
		   "p.so: ex:s/log@1.2.0 is missing from the host");
}

static void semver_tracks(void **state)
{
	(void)state;
	expect_ok("package ex:s@1.2.0;\n" TYPES API WORLD, "package ex:s@1.4.1;\n" TYPES API WORLD, 0);
	expect_ok("package ex:s@0.2.1;\n" TYPES API WORLD, "package ex:s@0.2.5;\n" TYPES API WORLD, 0);
	const char *const msgs[] = {
		"p.so: ex:s/types@0.3.0: plugin expects version 0.3.0, host has 0.2.0, which is not semver-compatible",
		"p.so: ex:s/api@0.2.0: host expects version 0.2.0, plugin has 0.3.0, which is not semver-compatible",
		NULL,
	};
	expect_errs("package ex:s@0.2.0;\n" TYPES API WORLD, "package ex:s@0.3.0;\n" TYPES API WORLD, msgs);
}

static void resources_compare_by_identity(void **state)
{
	(void)state;
	const char *const msgs[] = {
		"p.so: ex:r/api@1.0.0: type `file` is missing from the plugin",
		"p.so: ex:r/api@1.0.0: function `open`: result: host expects resource file, plugin has resource handle",
		NULL,
	};
	expect_errs("package ex:r@1.0.0;\ninterface api { resource file; open: func() -> file; }\n"
		    "world w { export api; }\n",
		    "package ex:r@1.0.0;\ninterface api { resource handle; open: func() -> handle; }\n"
		    "world w { export api; }\n",
		    msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_worlds_match_by_hash),
		cmocka_unit_test(field_type_and_name),
		cmocka_unit_test(functions),
		cmocka_unit_test(since_gated_items_are_optional),
		cmocka_unit_test(plugin_imports_must_be_provided),
		cmocka_unit_test(semver_tracks),
		cmocka_unit_test(resources_compare_by_identity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
