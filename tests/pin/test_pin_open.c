/*
 * Pinning through the host's API, rdy_module_open_with and librdy.so: a
 * plugin whose SHA-256 is not the lock's is refused with the exact message
 * and no code of it runs (tests/rt's plugins leave a mark from their
 * constructor); one that is pinned runs from its content-addressed copy,
 * so rewriting its file afterwards changes nothing that is loaded.
 */
#define _GNU_SOURCE                    /* RTLD_NOLOAD */
#include "pin_test.h"
#include "rt_test.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char mark[128];

static bool marked(void)
{
	return access(mark, F_OK) == 0;
}

static bool mapped(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static void copy_file(const char *from, const char *to)
{
	size_t n;
	uint8_t *b = pin_slurp(from, &n);
	pin_put(to, b, n);
	free(b);
}

static void file_hex(const char *path, char hex[65])
{
	uint8_t d[32];
	assert_int_equal(rdy_sha256_file(path, d, NULL), RDY_OK);
	pin_hex(d, hex);
}

static int setup(void **state)
{
	if (pin_setup(state) < 0)
		return -1;
	snprintf(mark, sizeof mark, "%s/mark", pin_root);
	return setenv("RDY_RT_MARK", mark, 1);
}

/* Refused by the lock: no copy is loaded, and none of the plugin's code has run. */
static void a_plugin_not_pinned_runs_no_code(void **state)
{
	(void)state;
	const char *plugin = pin_path(1, "calc.so"), *cache = pin_path(0, "cache"), *lockfile = pin_path(2, "rdy.lock");
	copy_file(PIN_CALC, plugin);
	char hex[65], other[65], line[512];
	file_hex(plugin, hex);
	file_hex(PIN_CHANGED, other);
	snprintf(line, sizeof line, "%s  %s\n", other, plugin);
	pin_put(lockfile, line, strlen(line));
	rdy_lock *l = rdy_lock_read(lockfile, NULL);
	assert_non_null(l);
	rdy_world *w = rt_world();
	rdy_open_config c = { .lock = l, .cache_dir = cache };
	rdy_error *e = NULL;
	unlink(mark);
	assert_null(rdy_module_open_with(w, plugin, &c, &e));
	pin_expect_error(e, RDY_EINCOMPATIBLE, "%s: SHA-256 is %s, %s pins %s", plugin, hex, lockfile, other);
	assert_false(marked());
	assert_int_equal(pin_count_entries(cache), 0);
	const char *stranger = pin_path(3, "stranger.so");
	copy_file(PIN_CALC, stranger);
	assert_null(rdy_module_open_with(w, stranger, &c, &e));
	pin_expect_error(e, RDY_EINCOMPATIBLE, "%s: not in %s", stranger, lockfile);
	assert_false(marked());
	rdy_lock_free(l);

	/* The lock that pins it: it loads, from the copy, and runs. */
	snprintf(line, sizeof line, "%s  %s\n", hex, plugin);
	pin_put(lockfile, line, strlen(line));
	assert_non_null(l = rdy_lock_read(lockfile, NULL));
	c.lock = l;
	rdy_module *m = rdy_module_open_with(w, plugin, &c, &e);
	if (!m)
		fail_msg("%s", rdy_error_message(e));
	assert_true(marked());
	assert_string_equal(rdy_module_path(m), plugin);
	char copy[512];
	snprintf(copy, sizeof copy, "%s/%s.so", cache, hex);
	assert_true(mapped(copy));
	assert_false(mapped(plugin));
	/* Rewriting the file changes nothing loaded. */
	copy_file(PIN_CHANGED, plugin);
	rt_host h = { .factor = 2 };
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, NULL);
	assert_non_null(inst);
	uint32_t r = 0;
	assert_int_equal(rt_add(inst, 2, 3, &r), RDY_OK);
	assert_int_equal(r, 5);
	assert_int_equal(rdy_instance_free(inst, NULL), RDY_OK);
	rt_close(m);
	assert_false(mapped(copy));
	rdy_lock_free(l);
	rdy_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_plugin_not_pinned_runs_no_code, setup, pin_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
