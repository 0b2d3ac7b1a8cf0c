/*
 * A C host of test:rustkit/plugin (tests/rust/wit/kit), from `rdy gen c
 * --side host`, calling a Rust plugin built from `rdy gen rust`.
 *
 * usage: rust_host RUST-PLUGIN CHANGED-RUST-PLUGIN CHANGED-C-PLUGIN
 *
 * Calls every export and checks each result; a panic in the plugin must
 * reach the host as RDY_ETRAP, and the instance go on; a string that is
 * not UTF-8 must be refused with RDY_EINVAL.  Then both plugins of the
 * changed WIT must be refused with the same message, their paths aside.
 */
#include "kit_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

struct host_ctx {
	char logged[128];
	int scaled;
};

static int32_t host_log(void *ctx, const rdy_string_t *msg)
{
	struct host_ctx *h = ctx;
	snprintf(h->logged, sizeof h->logged, "%.*s", (int)msg->len, msg->ptr);
	return RDY_OK;
}

static int32_t host_scale(void *ctx, uint32_t x, uint32_t *ret)
{
	((struct host_ctx *)ctx)->scaled++;
	*ret = x * 10;
	return RDY_OK;
}

static int32_t host_name(void *ctx, rdy_string_t *ret)
{
	(void)ctx;
	return rdy_string_dup(ret, "c-host", 6) ? RDY_OK : RDY_ENOMEM;
}

static bool str_is(rdy_string_t s, const char *want)
{
	return s.len == strlen(want) && !memcmp(s.ptr, want, s.len);
}

static void calls(const test_rustkit_plugin_t *p, struct host_ctx *h)
{
	uint32_t u = 0;
	CHECK(exports_test_rustkit_api_add(p, 40, 2, &u) == RDY_OK && u == 42);

	rdy_string_t s, arg = rdy_str("rust");
	CHECK(exports_test_rustkit_api_greet(p, &arg, &s) == RDY_OK && str_is(s, "hello, rust"));
	exports_test_rustkit_api_greet_release(p, &s);
	rdy_string_t bad = { "\xff\xfe", 2 };  /* not UTF-8: refused, never read as str */
	CHECK(exports_test_rustkit_api_greet(p, &bad, &s) == RDY_EINVAL);

	int64_t xs[] = { 1, -5, 1000000000000 }, sum = 0;
	test_rustkit_plugin_list_s64_t l = { xs, 3 };
	CHECK(exports_test_rustkit_api_sum(p, &l, &sum) == RDY_OK && sum == 999999999996);

	test_rustkit_plugin_list_string_t words;
	arg = rdy_str(" a bb  ccc ");
	CHECK(exports_test_rustkit_api_words(p, &arg, &words) == RDY_OK && words.len == 3 &&
	      str_is(words.ptr[0], "a") && str_is(words.ptr[1], "bb") && str_is(words.ptr[2], "ccc"));
	exports_test_rustkit_api_words_release(p, &words);

	test_rustkit_types_point_t pts[] = { { 1, 2, rdy_str("a") }, { 3, -4, rdy_str("b") } };
	test_rustkit_plugin_list_point_t pl = { pts, 2 };
	test_rustkit_plugin_option_point_t found;
	arg = rdy_str("b");
	CHECK(exports_test_rustkit_api_find(p, &pl, &arg, &found) == RDY_OK && found.is_some && found.val.x == 6 &&
	      found.val.y == -8 && str_is(found.val.label, "b!"));
	exports_test_rustkit_api_find_release(p, &found);
	arg = rdy_str("z");
	CHECK(exports_test_rustkit_api_find(p, &pl, &arg, &found) == RDY_OK && !found.is_some);
	exports_test_rustkit_api_find_release(p, &found);

	test_rustkit_plugin_result_u32_string_t r;
	arg = rdy_str("123");
	CHECK(exports_test_rustkit_api_parse(p, &arg, &r) == RDY_OK && !r.is_err && r.val.ok == 123);
	exports_test_rustkit_api_parse_release(p, &r);
	arg = rdy_str("x1");
	CHECK(exports_test_rustkit_api_parse(p, &arg, &r) == RDY_OK && r.is_err &&
	      str_is(r.val.err, "x1: invalid digit found in string"));
	exports_test_rustkit_api_parse_release(p, &r);

	test_rustkit_api_perms_t perms = 0;
	CHECK(exports_test_rustkit_api_mix(p, TEST_RUSTKIT_TYPES_COLOR_GREEN, TEST_RUSTKIT_TYPES_PERMS_READ, &perms) ==
		      RDY_OK && perms == (TEST_RUSTKIT_TYPES_PERMS_READ | TEST_RUSTKIT_TYPES_PERMS_WRITE));
	/* An enum value past its cases is a value like any other to the plugin, not undefined behaviour. */
	CHECK(exports_test_rustkit_api_mix(p, 200, TEST_RUSTKIT_TYPES_PERMS_EXEC, &perms) == RDY_OK && perms == 0);

	double area = 0;
	test_rustkit_types_shape_t sh = { .tag = TEST_RUSTKIT_TYPES_SHAPE_RECT, .val.rect = { 3, 5 } };
	CHECK(exports_test_rustkit_api_area(p, &sh, &area) == RDY_OK && area == 15.0);
	sh.tag = TEST_RUSTKIT_TYPES_SHAPE_CIRCLE;
	sh.val.circle = 2.0;
	CHECK(exports_test_rustkit_api_area(p, &sh, &area) == RDY_OK && area == 12.0);
	sh.tag = TEST_RUSTKIT_TYPES_SHAPE_EMPTY;
	CHECK(exports_test_rustkit_api_area(p, &sh, &area) == RDY_OK && area == -1.0);

	test_rustkit_plugin_option_string_t os = { 0 };
	CHECK(exports_test_rustkit_api_maybe(p, &os, &u) == RDY_OK && u == 1000);
	os.is_some = 1;
	os.val = rdy_str("four");
	CHECK(exports_test_rustkit_api_maybe(p, &os, &u) == RDY_OK && u == 4);

	test_rustkit_plugin_tuple2_bool_char_t fl;
	CHECK(exports_test_rustkit_api_flip(p, true, 0xe9 /* é */, &fl) == RDY_OK && fl.f0 == false && fl.f1 == 0xc9);
	CHECK(exports_test_rustkit_api_flip(p, false, 0xd800 /* a surrogate: no char */, &fl) == RDY_EINVAL);

	CHECK(exports_test_rustkit_api_call_host(p, 7, &s) == RDY_OK && str_is(s, "c-host:70:no hint:2:1"));
	exports_test_rustkit_api_call_host_release(p, &s);
	CHECK(h->scaled == 1 && !strcmp(h->logged, "called with 7"));

	CHECK(exports_test_rustkit_api_boom(p, 13, &u) == RDY_ETRAP);
	CHECK(exports_test_rustkit_api_boom(p, 12, &u) == RDY_OK && u == 12);  /* the instance goes on */
	CHECK(exports_test_rustkit_api_add(p, 1, 1, &u) == RDY_OK && u == 2);
}

/* S with every PATH in it spelled `PATH`: each line of a refusal starts with it. */
static char *unpath(const char *s, const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	while (*s) {
		if (!strncmp(s, path, n)) {
			memcpy(o, "PATH", 4);  /* no longer than PATH itself, an absolute path */
			o += 4;
			s += n;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	return out;
}

/* The refusal's message, with its module's path spelled `PATH`. */
static char *refusal(rdy_world *w, const char *path)
{
	rdy_error *e = NULL;
	rdy_module *m = rdy_module_open(w, path, &e);
	if (m) {
		fprintf(stderr, "%s: loaded, but its WIT changed\n", path);
		rdy_module_close(m, NULL);
		failures++;
		return NULL;
	}
	CHECK(rdy_error_code(e) == RDY_EINCOMPATIBLE);
	const char *msg = rdy_error_message(e);
	char *out = unpath(msg, path);
	printf("%s refused:\n%s\n", path, msg);
	rdy_error_free(e);
	return out;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fputs("usage: rust_host RUST-PLUGIN CHANGED-RUST-PLUGIN CHANGED-C-PLUGIN\n", stderr);
		return 2;
	}
	rdy_error *e = NULL;
	rdy_world *w = test_rustkit_plugin_world(&e);
	rdy_module *m = w ? rdy_module_open(w, argv[1], &e) : NULL;
	if (!m) {
		fprintf(stderr, "%s\n", rdy_error_message(e));
		return 1;
	}
	struct host_ctx h = { "", 0 };
	test_rustkit_plugin_imports_t im = { host_log, host_scale, host_name, NULL };  /* no hint: it is gated */
	test_rustkit_plugin_t p;
	if (test_rustkit_plugin_instantiate(m, &im, &h, &p, &e) != RDY_OK) {
		fprintf(stderr, "%s\n", rdy_error_message(e));
		return 1;
	}
	calls(&p, &h);
	CHECK(test_rustkit_plugin_free(&p, &e) == RDY_OK);
	CHECK(rdy_module_close(m, &e) == RDY_OK);

	char *rust = refusal(w, argv[2]), *c = refusal(w, argv[3]);
	CHECK(rust && c && *rust && !strcmp(rust, c));
	free(rust);
	free(c);
	rdy_world_free(w);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	else
		puts("rust_host: every check passed");
	return failures != 0;
}
