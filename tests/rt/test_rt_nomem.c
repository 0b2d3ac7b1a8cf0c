/*
 * Running out of memory (STYLE.md, practice 10): the test links librdy.a
 * with --wrap, so every malloc, calloc and realloc of the runtime and of the
 * decoder and checker inside it comes here, where the Nth can be made to
 * fail.  Each of rdy_world_new, rdy_world_expect, rdy_module_open and
 * rdy_instance_new is run with its first, second, ... allocation failing
 * until it succeeds: every failure must give RDY_ENOMEM, leak nothing (the
 * sanitizers and valgrind watch), leave no plugin loaded and nothing in the
 * world's cache.  rdy_module_open is swept twice: on a descriptor the world
 * has not seen (decoded and checked) and on one it has (a cache hit).  When every allocation from the Nth on
 * fails, even the error's own, the error is the static "out of memory".
 */
#define _GNU_SOURCE                    /* RTLD_NOLOAD */
#include "rt_test.h"
#include "rt/rt.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The calc plugin's descriptor, as the build embedded it in rt_calc.so. */
static const uint8_t plugin_desc[] = {
#include "plugin/desc.inc"
};

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static unsigned long countdown;        /* allocations until the one that fails; 0: none fails */
static bool sticky;                    /* once one has failed, so does every later one */
static bool failed;                    /* one has failed since arm() */

static bool fail_now(void)
{
	if (failed && sticky)
		return true;
	if (!countdown || --countdown)
		return false;
	failed = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

static void arm(unsigned long n, bool always)
{
	countdown = n;
	sticky = always;
	failed = false;
}

/* Whether an allocation failed since arm(); no more will. */
static bool disarm(void)
{
	countdown = 0;
	sticky = false;
	return failed;
}

/*
 * A failure from the Nth allocation on: "SUBJECT: out of memory", or when
 * ALWAYS, the static error, since the error's own allocation failed too.
 */
static void expect_nomem(rdy_error *e, const char *subject, unsigned long n, bool always)
{
	char want[512];
	snprintf(want, sizeof want, "%s: out of memory", subject);
	const char *msg = rdy_error_message(e);
	if (rdy_error_code(e) != RDY_ENOMEM || strcmp(msg, always ? "out of memory" : want))
		fail_msg("allocation %lu: got %d `%s`", n, rdy_error_code(e), msg);
	rdy_error_free(e);
}

static bool loaded(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static void world_new(bool always)
{
	unsigned long n = 1;
	for (;; n++) {
		rdy_error *e = NULL;
		arm(n, always);
		rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, &e);
		bool hit = disarm();
		if (!w) {
			assert_true(hit);
			expect_nomem(e, "host world", n, always);
			continue;
		}
		rdy_world_free(w);
		if (!hit)
			break;
	}
	assert_true(n > 3);
}

static rdy__cache_stats stats(rdy_world *w)
{
	rdy__cache_stats s;
	rdy__cache_stats_get(w, &s);
	return s;
}

/*
 * Opens rt_calc in W with the Nth allocation failing (from the Nth on when
 * ALWAYS); whether it opened.  A failure leaves it unloaded.
 */
static bool open_failing(rdy_world *w, unsigned long n, bool always, bool *hit)
{
	const char *path = RT_PLUGIN("rt_calc");
	rdy_error *e = NULL;
	arm(n, always);
	rdy_module *m = rdy_module_open(w, path, &e);
	*hit = disarm();
	if (!m) {
		assert_true(*hit);
		expect_nomem(e, path, n, always);
		if (loaded(path))
			fail_msg("allocation %lu: refused, but still loaded", n);
		return false;
	}
	assert_int_equal(rdy_module_close(m, NULL), RDY_OK);
	return true;
}

/* A descriptor the world has not seen: each time a new world, so each open decodes and checks. */
static void module_open(bool always)
{
	unsigned long n = 1;
	for (;; n++) {
		rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
		assert_non_null(w);
		bool hit, opened = open_failing(w, n, always, &hit);
		/* A failure before the decode leaves no trace, one after the check may leave the entry. */
		rdy__cache_stats s = stats(w);
		assert_true(s.decodes <= 1 && s.entries <= s.decodes && s.hits == 0);
		if (opened)
			assert_int_equal(s.entries, 1);
		rdy_world_free(w);
		if (opened && !hit)
			break;
	}
	assert_true(n > 10);
}

/* A descriptor the world has decoded and checked before: every open is a hit. */
static void module_open_cached(bool always)
{
	rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
	assert_non_null(w);
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	unsigned long n = 1;
	for (;; n++) {
		bool hit, opened = open_failing(w, n, always, &hit);
		if (opened && !hit)
			break;
	}
	rdy__cache_stats s = stats(w);
	assert_int_equal(s.decodes, 1);    /* rdy_world_expect's */
	assert_true(s.hits > 0 && s.hits <= n);
	assert_true(n > 3);
	rdy_world_free(w);
}

/* A failed declaration leaves nothing in the cache. */
static void world_expect(bool always)
{
	unsigned long n = 1;
	for (;; n++) {
		rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
		assert_non_null(w);
		rdy_error *e = NULL;
		arm(n, always);
		int rc = rdy_world_expect(w, plugin_desc, sizeof plugin_desc, &e);
		bool hit = disarm();
		rdy__cache_stats s = stats(w);
		if (rc != RDY_OK) {
			assert_true(hit);
			expect_nomem(e, "expected plugin descriptor", n, always);
			assert_int_equal(s.entries, 0);
		} else {
			assert_int_equal(s.entries, 1);
			assert_int_equal(s.pinned, 1);
		}
		rdy_world_free(w);
		if (rc == RDY_OK && !hit)
			break;
	}
	assert_true(n > 10);
}

static void instance_new(bool always)
{
	const char *path = RT_PLUGIN("rt_calc");
	rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
	rdy_module *m = rdy_module_open(w, path, NULL);
	assert_non_null(m);
	rt_host h = { .factor = 1 };
	unsigned long n = 1;
	for (;; n++) {
		rdy_error *e = NULL;
		arm(n, always);
		rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, &e);
		bool hit = disarm();
		if (!inst) {
			assert_true(hit);
			expect_nomem(e, path, n, always);
			continue;
		}
		uint32_t r = 0;
		assert_int_equal(rt_add(inst, 1, 2, &r), RDY_OK);
		assert_int_equal(r, 3);
		rdy_instance_free(inst, NULL);
		if (!hit)
			break;
	}
	assert_int_equal(rdy_module_close(m, NULL), RDY_OK);  /* no failure left an instance counted */
	rdy_world_free(w);
}

static void each_allocation_of_world_new(void **state)
{
	(void)state;
	world_new(false);
	world_new(true);
}

static void each_allocation_of_world_expect(void **state)
{
	(void)state;
	world_expect(false);
	world_expect(true);
}

static void each_allocation_of_module_open(void **state)
{
	(void)state;
	module_open(false);
	module_open(true);
}

static void each_allocation_of_module_open_cached(void **state)
{
	(void)state;
	module_open_cached(false);
	module_open_cached(true);
}

static void each_allocation_of_instance_new(void **state)
{
	(void)state;
	instance_new(false);
	instance_new(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_allocation_of_world_new),
		cmocka_unit_test(each_allocation_of_world_expect),
		cmocka_unit_test(each_allocation_of_module_open),
		cmocka_unit_test(each_allocation_of_module_open_cached),
		cmocka_unit_test(each_allocation_of_instance_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
