/*
 * Handles across threads (docs/abi.md §4, include/rdy.h "Threads"), for
 * TSan: threads make, call and drop handles of their own on two instances
 * at once, while all of them also borrow one shared handle and try their
 * handles on the wrong instance and after dropping them.  Every status is
 * checked, and every destructor count at the end.
 */
#include "app_host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, ROUNDS = 2000 };

typedef test_res_things_counter_own_t own_t;

static pthread_mutex_t drops_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t drops, dropped_sum;

static int32_t hook_poke(void *ctx)
{
	(void)ctx;
	return RDY_OK;
}

static int32_t hook_dropped(void *ctx, uint32_t value)
{
	(void)ctx;
	pthread_mutex_lock(&drops_lock);
	drops++;
	dropped_sum += value;
	pthread_mutex_unlock(&drops_lock);
	return RDY_OK;
}

static const test_res_app_imports_t imports = { hook_poke, hook_dropped };

static test_res_app_t inst[2];
static own_t shared;
static int failures;

#define CHECK(cond)                                                                          \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, rdy_handle_error()); \
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);                   \
			return NULL;                                                          \
		}                                                                             \
	} while (0)

static void *worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	const test_res_app_t *mine = &inst[id % 2], *other = &inst[(id + 1) % 2];
	for (uint32_t r = 0; r < ROUNDS; r++) {
		own_t c;
		uint32_t v = 0;
		CHECK(exports_test_res_things_constructor_counter(mine, 1, &c) == RDY_OK);
		CHECK(exports_test_res_things_method_counter_add(mine, test_res_things_counter_borrow(c), r) == RDY_OK);
		CHECK(exports_test_res_things_method_counter_get(mine, test_res_things_counter_borrow(c), &v) == RDY_OK);
		CHECK(v == r + 1);
		/* The shared handle, borrowed by every thread at once. */
		CHECK(exports_test_res_things_method_counter_get(&inst[0], test_res_things_counter_borrow(shared), &v) ==
		      RDY_OK);
		CHECK(v == 7);
		/* Mine, on the other instance: refused, whatever the other threads do. */
		CHECK(exports_test_res_things_method_counter_get(other, test_res_things_counter_borrow(c), &v) ==
		      RDY_EHANDLE);
		CHECK(test_res_things_counter_drop(mine, c) == RDY_OK);
		CHECK(exports_test_res_things_method_counter_get(mine, test_res_things_counter_borrow(c), &v) ==
		      RDY_EHANDLE);
	}
	return NULL;
}

/*
 * One thread makes and drops counters on instance 0 and publishes each
 * handle; another uses the published handle through instance 1 meanwhile:
 * refused every time, as another instance's or as stale, and never a
 * dereference of a slot being freed.
 */
static uint32_t published;
static int publishing = 1;

static void *publisher(void *arg)
{
	(void)arg;
	for (uint32_t r = 0; r < ROUNDS * 4; r++) {
		own_t c;
		CHECK(exports_test_res_things_constructor_counter(&inst[0], 1, &c) == RDY_OK);
		__atomic_store_n(&published, c.handle, __ATOMIC_RELEASE);
		CHECK(test_res_things_counter_drop(&inst[0], c) == RDY_OK);
	}
	__atomic_store_n(&publishing, 0, __ATOMIC_RELEASE);
	return NULL;
}

static void *intruder(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&publishing, __ATOMIC_ACQUIRE)) {
		test_res_things_counter_borrow_t b = { __atomic_load_n(&published, __ATOMIC_ACQUIRE) };
		uint32_t v;
		if (!b.handle)
			continue;
		CHECK(exports_test_res_things_method_counter_get(&inst[1], b, &v) == RDY_EHANDLE);
	}
	return NULL;
}

int main(void)
{
	rdy_error *err = NULL;
	rdy_world *w = test_res_app_world(&err);
	rdy_module *m = w ? rdy_module_open(w, RES_PLUGIN, &err) : NULL;
	if (!m) {
		fprintf(stderr, "%s\n", rdy_error_message(err));
		return 1;
	}
	for (int i = 0; i < 2; i++)
		if (test_res_app_instantiate(m, &imports, NULL, &inst[i], &err) != RDY_OK) {
			fprintf(stderr, "%s\n", rdy_error_message(err));
			return 1;
		}
	if (exports_test_res_things_constructor_counter(&inst[0], 7, &shared) != RDY_OK)
		return 1;
	pthread_t t[THREADS];
	for (unsigned i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i))
			return 1;
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_t pub, intr;
	if (pthread_create(&pub, NULL, publisher, NULL) || pthread_create(&intr, NULL, intruder, NULL))
		return 1;
	pthread_join(pub, NULL);
	pthread_join(intr, NULL);
	drops -= (uint64_t)ROUNDS * 4;
	dropped_sum -= (uint64_t)ROUNDS * 4;
	int bad = failures;
	if (test_res_things_counter_drop(&inst[0], shared) != RDY_OK)
		bad++;
	/* Every counter's destructor ran once: THREADS * ROUNDS of them with values r + 1, and the shared one. */
	uint64_t want_sum = 7 + (uint64_t)THREADS * ROUNDS * (ROUNDS + 1) / 2;
	if (drops != (uint64_t)THREADS * ROUNDS + 1 || dropped_sum != want_sum) {
		fprintf(stderr, "destructors: %llu runs, sum %llu; want %llu, %llu\n", (unsigned long long)drops,
			(unsigned long long)dropped_sum, (unsigned long long)THREADS * ROUNDS + 1,
			(unsigned long long)want_sum);
		bad++;
	}
	for (int i = 0; i < 2; i++)
		if (test_res_app_free(&inst[i], &err) != RDY_OK) {
			fprintf(stderr, "%s\n", rdy_error_message(err));
			bad++;
		}
	if (rdy_module_close(m, NULL) != RDY_OK)
		bad++;
	rdy_world_free(w);
	printf("test_res_threads: %d threads x %d rounds, %llu destructors: %s\n", THREADS, ROUNDS,
	       (unsigned long long)drops, bad ? "FAILED" : "ok");
	return bad != 0;
}
