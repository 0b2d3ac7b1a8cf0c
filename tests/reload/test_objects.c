/*
 * Objects across reloads (docs/abi.md §7.5, "Objects"): a build swapped
 * out while the host holds handles to its objects serves them, and only
 * them, until the last is dropped; then it retires, and the host's objects
 * it kept are destroyed with it.  Under threads (objects_under_reloads),
 * every object is served by the build that made it however many reloads
 * pass, and every old build retires.
 *
 * OBJECTS_A and OBJECTS_B are one source (objects.c) built as builds 1 and 2.
 */
#include "objects_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef test_objects_shelf_item_own_t item_t;

/* The host's marks: each destructor run is counted. */
struct test_objects_marks_mark {
	uint32_t n;
};

static uint32_t marks_gone; /* atomic */

static void mark_destructor(void *ctx, test_objects_marks_mark_t *rep)
{
	(void)ctx;
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

static int setup(void **state)
{
	fixture *f = fixture_open(OBJECTS_A, "objects", &imports);
	if (!f)
		return -1;
	__atomic_store_n(&marks_gone, 0, __ATOMIC_RELAXED);
	*state = f;
	return 0;
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

static uint32_t made_by(const test_objects_objects_t *inst, item_t it)
{
	uint32_t b = 0;
	test_objects_shelf_item_borrow_t self = { it.handle };
	assert_int_equal(exports_test_objects_shelf_method_item_made_by(inst, self, &b), RDY_OK);
	return b;
}

static uint32_t bump(const test_objects_objects_t *inst, item_t it, uint32_t n)
{
	uint32_t v = 0;
	test_objects_shelf_item_borrow_t self = { it.handle };
	assert_int_equal(exports_test_objects_shelf_method_item_bump(inst, self, n, &v), RDY_OK);
	return v;
}

static uint32_t serving(const test_objects_objects_t *inst)
{
	uint32_t b = 0;
	assert_int_equal(exports_test_objects_shelf_serving(inst, &b), RDY_OK);
	return b;
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
	assert_int_equal(info.instances, 1);
	assert_int_equal(info.restored, 1);
	assert_int_equal(info.serving, serving_old);
}

static void objects_stay_with_their_build(void **state)
{
	fixture *f = *state;
	item_t one = item(&f->inst, "one");
	assert_int_equal(bump(&f->inst, one, 5), 5);
	keep_mark(&f->inst, 1);
	reload(f, OBJECTS_B, 1);
	assert_int_equal(serving(&f->inst), 2);
	/* Build 1 still serves its item, with its count in its own memory. */
	assert_int_equal(made_by(&f->inst, one), 1);
	assert_int_equal(bump(&f->inst, one, 1), 6);
	item_t two = item(&f->inst, "two");
	assert_int_equal(made_by(&f->inst, two), 2);
	assert_int_equal(bump(&f->inst, two, 10), 10);
	/* Objects of two builds cannot meet in one call: the first names the build, which refuses the second. */
	uint32_t sum = 0;
	assert_int_equal(exports_test_objects_shelf_sum(&f->inst, (test_objects_shelf_item_borrow_t){ one.handle },
							(test_objects_shelf_item_borrow_t){ two.handle }, &sum),
			 RDY_EHANDLE);
	char want[512];
	snprintf(want, sizeof want, "%s: handle 0x%08x is of an object of build 2, and build 1 serves this call: "
		 "objects of two builds cannot meet in one call", OBJECTS_A, two.handle);
	assert_string_equal(rdy_handle_error(), want);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, two), RDY_OK);
	/* The instance cannot go while build 1 has objects. */
	rdy_error *err = NULL;
	assert_int_equal(test_objects_objects_free(&f->inst, &err), RDY_EBUSY);
	snprintf(want, sizeof want, "%s: 1 handle to objects of a build swapped out (build 1) is still live", OBJECTS_B);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	/* Build 1 kept the host's mark: it goes when build 1 retires, at the drop of its last item. */
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 0);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, one), RDY_OK);
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 1);
	/* A dropped handle of a retired build is stale, like any other. */
	uint32_t b = 0;
	assert_int_equal(exports_test_objects_shelf_method_item_made_by(&f->inst, (test_objects_shelf_item_borrow_t){ one.handle },
									 &b), RDY_EHANDLE);
}

/* A reload with no objects held retires the old build at once: its mark goes during the reload. */
static void an_empty_build_retires_at_once(void **state)
{
	fixture *f = *state;
	keep_mark(&f->inst, 1);
	reload(f, OBJECTS_B, 0);
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 1);
	assert_int_equal(serving(&f->inst), 2);
}

/* Builds stack up: build 1 and build 2 both serve their items while build 3 serves the instance. */
static void builds_stack_up(void **state)
{
	fixture *f = *state;
	item_t one = item(&f->inst, "one");
	reload(f, OBJECTS_B, 1);
	item_t two = item(&f->inst, "two");
	reload(f, OBJECTS_A, 1);
	item_t three = item(&f->inst, "three");
	assert_int_equal(made_by(&f->inst, one), 1);
	assert_int_equal(made_by(&f->inst, two), 2);
	assert_int_equal(made_by(&f->inst, three), 1); /* build 3 is OBJECTS_A again */
	assert_int_equal(bump(&f->inst, two, 7), 7);
	assert_int_equal(rdy_module_build(f->m), 3);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, two), RDY_OK);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, one), RDY_OK);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, three), RDY_OK);
}

/* A kill reaches the old builds: their objects' handles turn dead, and their kept marks go. */
static void a_kill_reaches_old_builds(void **state)
{
	fixture *f = *state;
	item_t one = item(&f->inst, "one");
	keep_mark(&f->inst, 1);
	reload(f, OBJECTS_B, 1);
	keep_mark(&f->inst, 2);
	test_objects_objects_kill(&f->inst);
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), 2);
	uint32_t b = 0;
	assert_int_equal(exports_test_objects_shelf_method_item_made_by(&f->inst, (test_objects_shelf_item_borrow_t){ one.handle },
									 &b), RDY_EDEAD);
	assert_int_equal(test_objects_shelf_item_drop(&f->inst, one), RDY_OK); /* frees the dead handle's slot */
}

/* ---- under threads ----------------------------------------------------------------- */

enum { THREADS = 4 };

typedef struct run {
	fixture *f;
	uint32_t done;                     /* atomic */
	uint64_t calls, wrong;             /* atomic */
	char first[256];                   /* the first wrong answer */
} run;

/* Counts a wrong answer, describing the first. */
static void wrong(run *r, const char *fmt, ...)
{
	if (__atomic_fetch_add(&r->wrong, 1, __ATOMIC_RELAXED) == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof r->first, fmt, ap);
		va_end(ap);
	}
}

/* Makes an item, uses it a while, drops it: every answer must come from the build that made it. */
static void *user(void *arg)
{
	run *r = arg;
	const test_objects_objects_t *inst = &r->f->inst;
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		item_t it = { 0 };
		rdy_string_t s = rdy_str("x");
		uint32_t by = 0, v = 0, b = 0;
		int32_t st = exports_test_objects_shelf_constructor_item(inst, &s, &it);
		if (st == RDY_OK)
			st = exports_test_objects_shelf_method_item_made_by(inst, (test_objects_shelf_item_borrow_t){ it.handle }, &by);
		if (st != RDY_OK) {
			wrong(r, "a new item: status %d: %s", (int)st, rdy_handle_error());
			continue;
		}
		for (uint32_t k = 1; k <= 50; k++) {
			test_objects_shelf_item_borrow_t self = { it.handle };
			if ((st = exports_test_objects_shelf_method_item_bump(inst, self, 1, &v)) != RDY_OK || v != k)
				wrong(r, "bump %u of an item of build %u: status %d, count %u: %s", k, by, (int)st, v,
				      rdy_handle_error());
			else if ((st = exports_test_objects_shelf_method_item_made_by(inst, self, &b)) != RDY_OK || b != by)
				wrong(r, "an item of build %u: status %d, made by %u: %s", by, (int)st, b, rdy_handle_error());
			__atomic_add_fetch(&r->calls, 2, __ATOMIC_RELAXED);
		}
		if ((st = test_objects_shelf_item_drop(inst, it)) != RDY_OK)
			wrong(r, "a drop: status %d: %s", (int)st, rdy_handle_error());
	}
	return NULL;
}

static unsigned reloads = 40;

static void objects_under_reloads(void **state)
{
	fixture *f = *state;
	run r = { f, 0, 0, 0, "" };
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, user, &r), 0);
	unsigned serving_old = 0;
	for (unsigned i = 0; i < reloads; i++) {
		keep_mark(&f->inst, i); /* goes when the build serving now retires */
		rdy_reload_info info;
		rdy_error *err = NULL;
		if (rdy_module_reload(f->m, i % 2 ? OBJECTS_A : OBJECTS_B, &info, &err) != RDY_OK)
			fail_msg("reload %u: %s", i, rdy_error_message(err));
		serving_old += info.serving;
	}
	__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("objects: %u reloads, %u of them leaving the old build serving objects, %llu calls from %d threads, "
	       "%llu wrong\n", reloads, serving_old, (unsigned long long)r.calls, THREADS, (unsigned long long)r.wrong);
	if (r.wrong)
		fail_msg("%llu wrong answers, the first: %s", (unsigned long long)r.wrong, r.first);
	/* Every item is dropped: every old build has retired, and its mark with it. */
	assert_int_equal(__atomic_load_n(&marks_gone, __ATOMIC_RELAXED), reloads);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		reloads = (unsigned)strtoul(argv[1], NULL, 10);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(objects_stay_with_their_build, setup, teardown),
		cmocka_unit_test_setup_teardown(an_empty_build_retires_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(builds_stack_up, setup, teardown),
		cmocka_unit_test_setup_teardown(a_kill_reaches_old_builds, setup, teardown),
		cmocka_unit_test_setup_teardown(objects_under_reloads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
