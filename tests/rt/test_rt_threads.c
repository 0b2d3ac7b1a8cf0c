/*
 * Concurrency (rdy.h, "Threads"): eight threads call one module's exports
 * through their own instances, without a lock, while others open, call and
 * close other modules, have plugins refused, declare plugin descriptors
 * (rdy_world_expect, which shares the world's cache with the opens), and
 * create and free instances of the module being called while trying to
 * close it.  `make tsan` runs it
 * under ThreadSanitizer (label concurrency); the instance count must come
 * out exact, or the final close would fail or come early.
 *
 * Worker threads report failures as strings; only the main thread asserts.
 */
#include "rt_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The calc plugin's descriptor, as the build embedded it in rt_calc.so. */
static const uint8_t plugin_desc[] = {
#include "plugin/desc.inc"
};

enum { CALLERS = 8, CALLS = 3000, OPENERS = 2, CHURNERS = 2, ROUNDS = 40 };

static rdy_world *world;
static rdy_module *shared;             /* what every caller calls */
static char copy[64];                  /* a copy of rt_calc.so: an object of its own, loaded and unloaded */
static atomic_bool stop;               /* the openers and churners are done: callers may stop */

/*
 * Calls of one instance, at least CALLS of them and on until the other
 * threads are done, each checked against what its own state and host give.
 */
static const char *calls(const rdy_instance *inst, rt_host *h, uint32_t id)
{
	uint32_t r, sum = 0;
	char out[64], want[64];
	snprintf(want, sizeof want, "hello, caller %u", (unsigned)id);
	for (uint32_t i = 0; i < CALLS || !atomic_load(&stop); i++) {
		if (rt_add(inst, id, i, &r) || r != id + i)
			return "add";
		if (i >= CALLS)
			sched_yield();             /* valgrind runs one thread at a time: let the others on */
		sum += r;
		if (i % 32)
			continue;
		if (rt_greet(inst, want + 7, out, sizeof out) || strcmp(out, want))
			return "greet";
		if (rt_scaled(inst, i, &r) || r != i * h->factor)
			return "scaled";
	}
	if (rt_total(inst, &r) || r != sum)
		return "total";
	return NULL;
}

static void *caller(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;
	rt_host h = { .factor = id + 1 };
	rdy_instance *inst = rdy_instance_new(shared, rt_imports, H_NIMPORTS, &h, NULL);
	if (!inst)
		return "caller: rdy_instance_new failed";
	const char *bad = calls(inst, &h, id);
	rdy_instance_free(inst, NULL);
	return (void *)bad;
}

/* Opens, uses and closes modules of their own, and has others refused. */
static void *opener(void *arg)
{
	(void)arg;
	for (int k = 0; k < ROUNDS; k++) {
		rdy_error *e = NULL;
		rdy_module *m = rdy_module_open(world, k % 2 ? copy : RT_PLUGIN("rt_calc"), NULL);
		if (!m)
			return "opener: rdy_module_open failed";
		rt_host h = { .factor = 1 };
		rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, NULL);
		uint32_t r = 0;
		bool ok = inst && rt_add(inst, 20, 22, &r) == RDY_OK && r == 42;
		rdy_instance_free(inst, NULL);
		if (!ok || rdy_module_close(m, NULL) != RDY_OK)
			return "opener: its own module failed";
		if (rdy_module_open(world, RT_PLUGIN("rt_changed"), &e) || rdy_error_code(e) != RDY_EINCOMPATIBLE)
			return "opener: rt_changed was not refused";
		rdy_error_free(e);
		if (rdy_module_open(world, RT_PLUGIN("rt_bad_descriptor"), &e) || rdy_error_code(e) != RDY_EFORMAT)
			return "opener: rt_bad_descriptor was not refused";
		rdy_error_free(e);
		if (rdy_world_expect(world, plugin_desc, sizeof plugin_desc, NULL) != RDY_OK)
			return "opener: rdy_world_expect refused the plugin descriptor";
		if (rdy_world_expect(world, rt_host_desc, rt_host_desc_len, NULL) != RDY_EFORMAT)
			return "opener: rdy_world_expect accepted the host's descriptor";
	}
	return NULL;
}

/* Instances of the shared module come and go; closing it is refused throughout. */
static void *churner(void *arg)
{
	(void)arg;
	const char *path = rdy_module_path(shared);
	for (int k = 0; k < ROUNDS * 5; k++) {
		rt_host h = { .factor = 1 };
		rdy_instance *inst = rdy_instance_new(shared, rt_imports, H_NIMPORTS, &h, NULL);
		if (!inst)
			return "churner: rdy_instance_new failed";
		rdy_instance_free(inst, NULL);
		rdy_error *e = NULL;
		bool busy = rdy_module_close(shared, &e) == RDY_EBUSY;
		const char *msg = rdy_error_message(e);
		busy = busy && !strncmp(msg, path, strlen(path)) && strstr(msg, " still live");
		rdy_error_free(e);
		if (!busy)
			return "churner: closing a module in use was not refused";
	}
	return NULL;
}

static void concurrent_calls_opens_and_closes(void **state)
{
	(void)state;
	world = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
	assert_non_null(world);
	shared = rdy_module_open(world, RT_PLUGIN("rt_calc"), NULL);
	assert_non_null(shared);
	rt_host h = { .factor = 1 };
	rdy_instance *held = rdy_instance_new(shared, rt_imports, H_NIMPORTS, &h, NULL);
	assert_non_null(held);
	pthread_t t[CALLERS + OPENERS + CHURNERS];
	size_t n = 0;
	for (uintptr_t i = 0; i < CALLERS; i++)
		assert_int_equal(pthread_create(&t[n++], NULL, caller, (void *)i), 0);
	for (int i = 0; i < OPENERS; i++)
		assert_int_equal(pthread_create(&t[n++], NULL, opener, NULL), 0);
	for (int i = 0; i < CHURNERS; i++)
		assert_int_equal(pthread_create(&t[n++], NULL, churner, NULL), 0);
	for (size_t i = n; i-- > 0;) {      /* callers last: they run until the rest are done */
		void *bad;
		if (i == CALLERS - 1)
			atomic_store(&stop, true);
		assert_int_equal(pthread_join(t[i], &bad), 0);
		if (bad)
			fail_msg("thread %zu: %s", i, (const char *)bad);
	}
	rdy_instance_free(held, NULL);
	assert_int_equal(rdy_module_close(shared, NULL), RDY_OK);
	rdy_world_free(world);
}

/* The copy is a file of its own, so dlopen loads it as another object. */
static int setup(void **state)
{
	(void)state;
	char dir[] = "/tmp/rdy-rt-threads-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	snprintf(copy, sizeof copy, "%s/rt_calc.so", dir);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", RT_PLUGIN("rt_calc"), copy);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf \"$(dirname '%s')\"", copy);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_calls_opens_and_closes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
