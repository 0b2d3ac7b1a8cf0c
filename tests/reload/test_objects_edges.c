/*
 * Objects across reloads (docs/abi.md §7.5, "Objects"), at their edges:
 * a kill racing a drop of an old build's last object, calls through a
 * killed instance, and a retiring build's instance_free kept apart from
 * any instance_new (§7.3).
 *
 * OBJECTS_A and OBJECTS_B are objects.c built as builds 1 and 2.
 */
#include "objects_fixture.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef test_objects_shelf_item_own_t item_t;

struct test_objects_marks_mark {
	uint32_t n;
};

static uint32_t marks_gone; /* atomic */

/*
 * A destructor that can be made to wait: for the mark numbered BLOCK_ON it
 * says so (IN_DTOR) and waits for GO, at most 5 s, so that another thread
 * can act while a kill is inside it.
 */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static uint32_t block_on;  /* 0: never wait */
static bool in_dtor, go;

static void mark_destructor(void *ctx, test_objects_marks_mark_t *rep)
{
	(void)ctx;
	pthread_mutex_lock(&gate_lock);
	if (block_on && rep->n == block_on) {
		in_dtor = true;
		pthread_cond_broadcast(&gate_cond);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		while (!go && pthread_cond_timedwait(&gate_cond, &gate_lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&gate_lock);
	free(rep);
	__atomic_add_fetch(&marks_gone, 1, __ATOMIC_RELAXED);
}

static int32_t mark_new(void *ctx, uint32_t n, test_objects_marks_mark_t **ret)
{
	(void)ctx;
	if (!(*ret = malloc(sizeof **ret)))
		return RDY_ETRAP;
	(*ret)->n = n;
	return RDY_OK;
}

static const test_objects_objects_imports_t imports = { mark_new, mark_destructor };

/* The fixture of PLUGIN, its destructor's gate open. */
static int setup_of(void **state, const char *plugin)
{
	fixture *f = fixture_open(plugin, "objects-edges", &imports);
	if (!f)
		return -1;
	__atomic_store_n(&marks_gone, 0, __ATOMIC_RELAXED);
	block_on = 0;
	in_dtor = go = false;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_of(state, OBJECTS_A);
}

static int teardown(void **state)
{
	return fixture_close(*state);
}

static item_t item(const test_objects_objects_t *inst, const char *label)
{
	item_t it = { 0 };
	rdy_string_t s = rdy_str(label);
	assert_int_equal(exports_test_objects_shelf_constructor_item(inst, &s, &it), RDY_OK);
	return it;
}

static void keep_mark(const test_objects_objects_t *inst, uint32_t n)
{
	test_objects_marks_mark_t *m = NULL;
	assert_int_equal(mark_new(NULL, n, &m), RDY_OK);
	assert_int_equal(exports_test_objects_shelf_keep(inst, m), RDY_OK);
}

static void reload(fixture *f, const char *path, uint32_t serving_old)
{
	rdy_reload_info info;
	rdy_error *err = NULL;
	if (rdy_module_reload(f->m, path, &info, &err) != RDY_OK)
		fail_msg("reload: %s", rdy_error_message(err));
	assert_int_equal(info.serving, serving_old);
}

/* ---- a kill and a drop of an old build's last object, at once ------------------------ */

static void *kill_thread(void *arg)
{
	test_objects_objects_kill(arg);
	return NULL;
}

/*
 * rdy__retire_all (reload.c) marks the old builds CLOSING under the lock,
 * then kills each with no lock held: its host destructors run, and only
 * then is it marked DEAD.  Meanwhile a drop of the build's last object
 * settles it, and take_empty, which skips DEAD builds but not CLOSING ones,
 * takes it: retire_list frees its state and its record, and closes its
 * module, under the kill still working on it.  The kill then reads the
 * freed record and calls instance_free again (use after free, double
 * free).  Here the kill waits in the destructor of the mark that build 1
 * keeps while the host drops build 1's item.
 */
static void a_kill_and_a_drop_of_an_old_object_at_once(void **state)
{
	fixture *f = *state;
	item_t one = item(&f->inst, "one"); /* made first: the kill reaches the mark first */
	keep_mark(&f->inst, 77);
	reload(f, OBJECTS_B, 1);
	block_on = 77;
	pthread_t k;
	assert_int_equal(pthread_create(&k, NULL, kill_thread, &f->inst), 0);
	pthread_mutex_lock(&gate_lock);
	while (!in_dtor)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	/* The kill is inside build 1's host destructor: build 1's item is still live. */
	int32_t st = test_objects_shelf_item_drop(&f->inst, one);
	pthread_mutex_lock(&gate_lock);
	go = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	pthread_join(k, NULL);
	assert_int_equal(st, RDY_OK);
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 1);
}

/* ---- a killed reloadable instance -------------------------------------------------- */

/*
 * W_kill points every export at a stub answering RDY_EDEAD, and the state
 * is freed.  An export whose handles the wrapper converts (here the
 * constructor, whose result is a new handle) goes through W__live_N when
 * W_t.live is set, and the build serving is the killed one, whose
 * rdy_build.self still names the freed state (rdy_instance_kill clears
 * rdy_instance.self, not build.self): were the plugin to run on it, ASan
 * would report a heap-use-after-free in its constructor; without ASan the
 * status is still RDY_EDEAD, from the refused handle, but the handle
 * functions ran: the thread's message changed, which a stub leaves.
 * W__live_N tests the state first.
 */
static void a_killed_instance_calls_no_plugin_code(void **state)
{
	fixture *f = *state;
	reload(f, OBJECTS_B, 0); /* the state is build 2's: not the first build's either */
	test_objects_objects_kill(&f->inst);
	/* A message of this thread's that a stub leaves as it is. */
	void *rep = NULL;
	assert_int_equal(rdy_handle_rep(NULL, 0, 0, &rep), RDY_EINVAL);
	char before[512];
	snprintf(before, sizeof before, "%s", rdy_handle_error());
	item_t it = { 0 };
	rdy_string_t s = rdy_str("after the kill");
	assert_int_equal(exports_test_objects_shelf_constructor_item(&f->inst, &s, &it), RDY_EDEAD);
	assert_string_equal(rdy_handle_error(), before);
}

/* ---- instance_free of a retiring build, and instance_new ------------------------------- */

static int setup_serial(void **state)
{
	return setup_of(state, OBJECTS_SERIAL);
}

typedef struct create_run {
	fixture *f;
	test_objects_objects_t other;
	int rc;
	char message[512];
} create_run;

/* Once build 1 retires (its kept mark's destructor runs), makes a second instance of the module. */
static void *create_thread(void *arg)
{
	create_run *c = arg;
	pthread_mutex_lock(&gate_lock);
	while (!in_dtor)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	rdy_error *err = NULL;
	c->rc = test_objects_objects_instantiate(c->f->m, &imports, NULL, &c->other, &err);
	snprintf(c->message, sizeof c->message, "%s", c->rc == RDY_OK ? "" : rdy_error_message(err));
	rdy_error_free(err);
	return NULL;
}

/*
 * docs/abi.md §7.3: one lock serialises instance creation and freeing, so
 * instance_new and instance_free never run concurrently.  retire_list
 * (reload.c) runs a retiring build's instance_free with no lock held, so
 * an instance_new of the same object may run at once.  The plugin
 * (objects_serial.c) traps an instance_new that overlaps an
 * instance_free.  Both builds are one file, so one object.
 */
static void a_retiring_build_is_freed_under_the_lock(void **state)
{
	fixture *f = *state;
	item_t one = item(&f->inst, "one");
	keep_mark(&f->inst, 5);
	reload(f, OBJECTS_SERIAL, 1);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, item(&f->inst, "arm")), RDY_OK);
	/* The gate only says when the destructor runs: GO is set, so it does not wait. */
	go = true;
	block_on = 5;
	create_run c = { f, { 0 }, -1, "" };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, create_thread, &c), 0);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, one), RDY_OK); /* build 1 retires */
	pthread_join(t, NULL);
	if (c.rc == RDY_OK)
		assert_int_equal(test_objects_objects_free(&c.other, NULL), RDY_OK);
	else
		fail_msg("an instance made while build 1 retired: %s", c.message);
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 1);
}

int main(int argc, char **argv)
{
	if (argc > 1) /* one test by name, or a pattern */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_kill_and_a_drop_of_an_old_object_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_killed_instance_calls_no_plugin_code, setup, teardown),
		cmocka_unit_test_setup_teardown(a_retiring_build_is_freed_under_the_lock, setup_serial, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
