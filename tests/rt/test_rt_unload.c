/*
 * Verified unloading (docs/abi.md §7.3): after the close of a module's
 * object, dl_iterate_phdr must no longer list it, and when the dynamic
 * linker keeps it the close says so, RDY_EKEPT, with the reason read from
 * the file.  Each kept plugin is the calc plugin plus one thing that keeps
 * it: -z nodelete, a C++ thread_local with a destructor (plugin_cxx.cc,
 * used from instance_new), STB_GNU_UNIQUE symbols (the same, from g++).
 *
 * A kept object stays in the process for good, so every test has plugins
 * of its own, or copies of them in a scratch directory.
 */
#define _GNU_SOURCE                    /* dl_iterate_phdr */
#include "rt_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEPT ": unloaded, but the dynamic linker kept it mapped: "
#define NODELETE "it is marked NODELETE (linked with -z nodelete)"
#define UNIQUE_TAIL "), which glibc never unloads (build with -fno-gnu-unique)"

static char dir[64];                   /* a scratch directory */

/* ---- helpers -------------------------------------------------------------- */

/* An instance of M, made on this thread, and a call through it. */
static rdy_instance *used(rdy_module *m, rt_host *h)
{
	rdy_error *e = NULL;
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, h, &e);
	if (!inst)
		fail_msg("rdy_instance_new: %s", rdy_error_message(e));
	uint32_t r = 0;
	assert_int_equal(rt_add(inst, 40, 2, &r), RDY_OK);
	assert_int_equal(r, 42);
	return inst;
}

/* Opens PATH, makes an instance on this thread, calls it, frees it; the module stays open. */
static rdy_module *open_used(rdy_world *w, const char *path)
{
	rdy_module *m = rt_open(w, path);
	rt_host h = { .factor = 1 };
	assert_int_equal(rdy_instance_free(used(m, &h), NULL), RDY_OK);
	return m;
}

typedef struct lookup {
	const char *name;
	bool found;
} lookup;

static int find(struct dl_phdr_info *info, size_t size, void *arg)
{
	lookup *l = arg;
	(void)size;
	l->found = info->dlpi_name && !strcmp(info->dlpi_name, l->name);
	return l->found;
}

/* Whether dl_iterate_phdr lists the object loaded from PATH. */
static bool listed(const char *path)
{
	lookup l = { path, false };
	dl_iterate_phdr(find, &l);
	return l.found;
}

/* Closing M, of the file at PATH, gives RDY_OK, and its object is no longer mapped. */
static void closes_clean(rdy_module *m, const char *path)
{
	assert_true(listed(path));
	rdy_error *e = NULL;
	int rc = rdy_module_close(m, &e);
	if (rc != RDY_OK)
		fail_msg("rdy_module_close: %d `%s`", rc, rdy_error_message(e));
	assert_null(e);
	if (listed(path))
		fail_msg("%s: closed with RDY_OK, but still mapped", path);
}

/* Closing M, of the file at PATH, gives RDY_EKEPT, "PATH: unloaded, ...: REASON", and the object stays. */
static void closes_kept(rdy_module *m, const char *path, const char *reason)
{
	char want[4096];
	snprintf(want, sizeof want, "%s" KEPT "%s", path, reason);
	rdy_error *e = NULL;
	int rc = rdy_module_close(m, &e);
	if (rc != RDY_EKEPT || strcmp(rdy_error_message(e), want))
		fail_msg("expected %d `%s`\n     got %d `%s`", RDY_EKEPT, want, rc, rdy_error_message(e));
	rdy_error_free(e);
	assert_true(listed(path));
}

/* PATH, opened, used on this thread and closed: RDY_EKEPT with REASON. */
static void kept(const char *path, const char *reason)
{
	rdy_world *w = rt_world();
	closes_kept(open_used(w, path), path, reason);
	rdy_world_free(w);
}

/* A copy of plugins/NAME.so in the scratch directory, at PATH[N], as AS. */
static void copy(const char *name, const char *as, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, as);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cp '" RT_PLUGIN_DIR "/%s.so' '%s'", name, path);
	assert_int_equal(system(cmd), 0);
}

/* Skips the test when this build's C++ compiler makes no STB_GNU_UNIQUE symbols: only g++ does. */
static void needs_gnu_unique(void)
{
	if (RT_GNU_UNIQUE)
		return;
	print_message("skipped: the C++ compiler of this build is not g++, and emits no STB_GNU_UNIQUE symbols\n");
	skip();
}

/* ---- tests ---------------------------------------------------------------- */

/* A plain plugin: close gives RDY_OK, and the object is gone. */
static void a_clean_plugin_is_unmapped(void **state)
{
	(void)state;
	const char *path = RT_PLUGIN("rt_calc");
	rdy_world *w = rt_world();
	closes_clean(open_used(w, path), path);
	rdy_world_free(w);
}

/* Only the close of the last module of an object unloads it; the others give RDY_OK and leave it. */
static void the_last_module_of_an_object_unloads_it(void **state)
{
	(void)state;
	const char *path = RT_PLUGIN("rt_calc");
	rdy_world *w = rt_world();
	rdy_module *m = open_used(w, path), *n = open_used(w, path);
	assert_int_equal(rdy_module_close(m, NULL), RDY_OK);
	assert_true(listed(path));
	closes_clean(n, path);
	rdy_world_free(w);
}

/* Linked with -z nodelete.  The module is freed all the same: it opens and closes again. */
static void nodelete_keeps_it(void **state)
{
	(void)state;
	const char *path = RT_PLUGIN("rt_nodelete");
	rdy_world *w = rt_world();
	closes_kept(open_used(w, path), path, NODELETE);
	closes_kept(open_used(w, path), path, NODELETE);
	assert_int_equal(rdy_module_close(rt_open(w, path), NULL), RDY_EKEPT);  /* ERR may be NULL */
	rdy_world_free(w);
	assert_string_equal(rdy_strerror(RDY_EKEPT), "unloaded, but the dynamic linker kept the object mapped");
}

/*
 * A thread_local with a destructor, first used by instance_new on this
 * thread, which is alive at the close: glibc 2.36 keeps the object until it
 * exits.  g++ calls libstdc++'s __cxa_thread_atexit, which calls glibc's
 * __cxa_thread_atexit_impl; the plugin references the first.
 */
static void thread_local_destructors_keep_it(void **state)
{
	(void)state;
	kept(RT_PLUGIN("rt_tls"), "it registers thread-local destructors (__cxa_thread_atexit), and glibc keeps it "
				  "until every thread that ran one has exited");
}

static void *instance_thread(void *m)
{
	rt_host h = { .factor = 1 };
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, NULL);
	uint32_t r = 0;
	bool ok = inst && rt_add(inst, 1, 2, &r) == RDY_OK && r == 3;
	return ok && rdy_instance_free(inst, NULL) == RDY_OK ? m : NULL;
}

/* The same plugin, used only on a thread that has exited by the close: its destructors ran, nothing keeps it. */
static void thread_local_destructors_of_exited_threads_do_not(void **state)
{
	(void)state;
	char path[128];
	copy("rt_tls", "tls.so", path, sizeof path);
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, path);
	pthread_t t;
	void *ok = NULL;
	assert_int_equal(pthread_create(&t, NULL, instance_thread, m), 0);
	assert_int_equal(pthread_join(t, &ok), 0);
	assert_ptr_equal(ok, m);
	closes_clean(m, path);
	rdy_world_free(w);
}

/* A template's static data member, of default visibility: g++ makes it STB_GNU_UNIQUE. */
static void unique_symbols_keep_it(void **state)
{
	(void)state;
	needs_gnu_unique();
	kept(RT_PLUGIN("rt_unique"), "it defines STB_GNU_UNIQUE symbols (`_ZN6sharedIiE5countE`" UNIQUE_TAIL);
}

/* Four of them: three are named, in the order of .dynsym. */
static void three_unique_symbols_are_named(void **state)
{
	(void)state;
	needs_gnu_unique();
	kept(RT_PLUGIN("rt_unique4"), "it defines STB_GNU_UNIQUE symbols (`_ZN6sharedIjE5countE`, "
				      "`_ZN6sharedIlE5countE`, `_ZN6sharedIiE5countE` and 1 more" UNIQUE_TAIL);
}

/* Every reason the file shows, joined by "; ". */
static void reasons_are_joined(void **state)
{
	(void)state;
	needs_gnu_unique();
	kept(RT_PLUGIN("rt_nodelete_unique"),
	     NODELETE "; it defines STB_GNU_UNIQUE symbols (`_ZN6sharedIiE5countE`" UNIQUE_TAIL);
}

/* The file shows no reason: here the host's own dlopen of it holds it. */
static void another_dlopen_keeps_it(void **state)
{
	(void)state;
	const char *path = RT_PLUGIN("rt_calc");
	rdy_world *w = rt_world();
	rdy_module *m = open_used(w, path);
	void *dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(dl);
	closes_kept(m, path,
		    "something else still references it (another dlopen of the same file, or a loaded library "
		    "that depends on it)");
	assert_int_equal(dlclose(dl), 0);
	assert_false(listed(path));
	rdy_world_free(w);
}

/* The file is gone, or replaced, by the close: the reason is unknown, and why. */
static void an_unreadable_file_leaves_the_reason_unknown(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *then;              /* what becomes of the file: a new one, the old one being mapped */
		const char *reason;
	} cases[] = {
		{ "gone.so", "rm '%s'", "the reason is unknown: its file cannot be read (No such file or directory)" },
		{ "dir.so", "rm '%s' && mkdir '%s'", "the reason is unknown: its file is not a regular file" },
		{ "text.so", "rm '%s' && echo text > '%s'", "the reason is unknown: its file is not an ELF file" },
	};
	rdy_world *w = rt_world();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char path[128], cmd[512];
		copy("rt_calc", cases[i].name, path, sizeof path);
		rdy_module *m = open_used(w, path);
		void *dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);  /* keeps it */
		assert_non_null(dl);
		snprintf(cmd, sizeof cmd, cases[i].then, path, path);
		assert_int_equal(system(cmd), 0);
		closes_kept(m, path, cases[i].reason);
		assert_int_equal(dlclose(dl), 0);
		assert_false(listed(path));
	}
	rdy_world_free(w);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/rdy-rt-unload-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_clean_plugin_is_unmapped),
		cmocka_unit_test(the_last_module_of_an_object_unloads_it),
		cmocka_unit_test(nodelete_keeps_it),
		cmocka_unit_test(thread_local_destructors_keep_it),
		cmocka_unit_test(thread_local_destructors_of_exited_threads_do_not),
		cmocka_unit_test(unique_symbols_keep_it),
		cmocka_unit_test(three_unique_symbols_are_named),
		cmocka_unit_test(reasons_are_joined),
		cmocka_unit_test(another_dlopen_keeps_it),
		cmocka_unit_test(an_unreadable_file_leaves_the_reason_unknown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
