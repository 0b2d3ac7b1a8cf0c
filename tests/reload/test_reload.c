/*
 * Reloading (docs/abi.md §7.5) through generated bindings: state moves
 * across builds, every failure rolls back with its reason, and under load
 * (test_reload_stress) no call fails, is lost, or reaches a build after
 * its swap.
 *
 * The plugins are one source built several times (plugin.c): RELOAD_A and
 * RELOAD_B answer 1 and 2; RELOAD_TRAP's instance_new traps; RELOAD_REFUSE's
 * restore refuses the state; RELOAD_CHANGED was built from a WIT whose
 * record differs, so the check refuses it.
 *
 *   test_reload [RELOADS]     the stress test's reload count (default 200)
 */
#include "app_host.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

static unsigned reloads = 200;

/* What the host's hook does from inside a call to push, on the fixture it is given as context. */
typedef struct hook_ctx {
	enum { HOOK_NONE, HOOK_RELOAD, HOOK_OTHER } what;
	rdy_module *m;                     /* HOOK_RELOAD reloads it, and records the outcome */
	int status;
	char message[512];
	const test_reload_app_t *other;    /* HOOK_OTHER calls add on it, once a reload is under way */
	uint32_t in_hook;                  /* atomic: the hook has begun */
	uint32_t go;                       /* atomic: the reload has been started */
} hook_ctx;

static hook_ctx no_hook = { HOOK_NONE, NULL, 0, "", NULL, 0, 0 };

static int32_t hook(void *ctx)
{
	hook_ctx *h = ctx;
	if (h->what == HOOK_RELOAD) {
		rdy_error *err = NULL;
		h->status = rdy_module_reload(h->m, RELOAD_B, NULL, &err);
		snprintf(h->message, sizeof h->message, "%s", err ? rdy_error_message(err) : "");
		rdy_error_free(err);
	} else if (h->what == HOOK_OTHER) {
		__atomic_store_n(&h->in_hook, 1, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&h->go, __ATOMIC_ACQUIRE))
			sched_yield();
		struct timespec ts = { 0, 50 * 1000000 }; /* the reload is holding calls by now, or soon */
		nanosleep(&ts, NULL);
		test_reload_counter_served_t s;
		h->status = exports_test_reload_counter_add(h->other, 1, &s);
	}
	return RDY_OK;
}

static const test_reload_app_imports_t imports = { hook };

typedef struct fixture {
	rdy_world *w;
	rdy_module *m;
	test_reload_app_t inst;
	char cache[256];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	rdy_error *err = NULL;
	snprintf(f->cache, sizeof f->cache, "%s/cache-%d", RELOAD_WORK, (int)getpid());
	f->w = test_reload_app_world(&err);
	rdy_open_config c = { .reloadable = true, .cache_dir = f->cache };
	f->m = f->w ? rdy_module_open_with(f->w, RELOAD_A, &c, &err) : NULL;
	if (!f->m || test_reload_app_instantiate(f->m, &imports, &no_hook, &f->inst, &err) != RDY_OK) {
		fprintf(stderr, "%s\n", rdy_error_message(err));
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	rdy_error *err = NULL;
	int rc = test_reload_app_free(&f->inst, &err);
	if (rc == RDY_OK)
		rc = rdy_module_close(f->m, &err);
	if (rc != RDY_OK)
		fprintf(stderr, "teardown: %s\n", rdy_error_message(err));
	rdy_error_free(err);
	rdy_world_free(f->w);
	free(f);
	return rc == RDY_OK ? 0 : -1;
}

static test_reload_counter_served_t add(const test_reload_app_t *inst, uint32_t n)
{
	test_reload_counter_served_t s = { 0, 0, 0 };
	assert_int_equal(exports_test_reload_counter_add(inst, n, &s), RDY_OK);
	return s;
}

static void push(const test_reload_app_t *inst, const char *name)
{
	rdy_string_t s = rdy_str(name);
	assert_int_equal(exports_test_reload_counter_push(inst, &s), RDY_OK);
}

/* The names, joined by commas. */
static void names(const test_reload_app_t *inst, char *buf, size_t n)
{
	test_reload_app_list_string_t v;
	assert_int_equal(exports_test_reload_counter_names(inst, &v), RDY_OK);
	buf[0] = '\0';
	for (size_t i = 0; i < v.len; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%.*s", i ? "," : "", (int)v.ptr[i].len, v.ptr[i].ptr);
	exports_test_reload_counter_names_release(inst, &v);
}

static int expect_reload(fixture *f, const char *path, int code, const char *msg, rdy_reload_info *info)
{
	rdy_error *err = NULL;
	int rc = rdy_module_reload(f->m, path, info, &err);
	if (rc != code)
		fail_msg("reload %s: expected %d, got %d: %s", path, code, rc, err ? rdy_error_message(err) : "");
	if (msg && (!err || !strstr(rdy_error_message(err), msg)))
		fail_msg("reload %s: expected a message with `%s`, got `%s`", path, msg, err ? rdy_error_message(err) : "");
	rdy_error_free(err);
	return rc;
}

/* The count, the names and the build number move across; the module is the new build. */
static void state_moves_across(void **state)
{
	fixture *f = *state;
	push(&f->inst, "ada");
	push(&f->inst, "grace");
	assert_int_equal(add(&f->inst, 40).count, 40);
	assert_int_equal(add(&f->inst, 0).build, 1);
	assert_int_equal(rdy_module_build(f->m), 1);
	const char *sha_a = rdy_module_sha256(f->m);
	assert_non_null(sha_a);
	char before[65];
	snprintf(before, sizeof before, "%s", sha_a);

	rdy_reload_info info;
	expect_reload(f, RELOAD_B, RDY_OK, NULL, &info);
	assert_int_equal(info.build, 2);
	assert_int_equal(info.instances, 1);
	assert_int_equal(info.restored, 1);
	assert_string_equal(info.note, "");
	test_reload_counter_served_t s = add(&f->inst, 2);
	assert_int_equal(s.build, 2);
	assert_int_equal(s.restores, 1);
	assert_int_equal(s.count, 42);
	char buf[256];
	names(&f->inst, buf, sizeof buf);
	assert_string_equal(buf, "ada,grace");
	assert_int_equal(rdy_module_build(f->m), 2);
	assert_string_equal(rdy_module_path(f->m), RELOAD_B);
	assert_string_not_equal(rdy_module_sha256(f->m), before);

	/* And back: the same file as the first build, loaded afresh. */
	expect_reload(f, RELOAD_A, RDY_OK, NULL, &info);
	assert_int_equal(info.build, 3);
	s = add(&f->inst, 1);
	assert_int_equal(s.build, 1);
	assert_int_equal(s.count, 43);
	assert_string_equal(rdy_module_sha256(f->m), before);
}

/* Each failure leaves the old build serving, its state whole, and says why. */
static void failures_roll_back(void **state)
{
	fixture *f = *state;
	push(&f->inst, "ada");
	add(&f->inst, 7);
	rdy_reload_info info;
	expect_reload(f, RELOAD_CHANGED, RDY_EINCOMPATIBLE,
		      "test:reload/counter@1.0.0: record served: field count: host expects u64 (offset 8), plugin has u32",
		      &info);
	assert_int_equal(info.build, 0);
	expect_reload(f, RELOAD_TRAP, RDY_ETRAP, "instance_new trapped", NULL);
	expect_reload(f, RELOAD_REFUSE, RDY_ETRAP,
		      "rdy:reload/state restore refused the state: this build reads no earlier build's state; the old "
		      "build goes on", NULL);
	expect_reload(f, RELOAD_WORK "/missing.so", RDY_EIO, NULL, NULL);
	test_reload_counter_served_t s = add(&f->inst, 1);
	assert_int_equal(s.build, 1);
	assert_int_equal(s.count, 8);
	assert_int_equal(rdy_module_build(f->m), 1);
	char buf[64];
	names(&f->inst, buf, sizeof buf);
	assert_string_equal(buf, "ada");
	/* And a good reload still goes through. */
	expect_reload(f, RELOAD_B, RDY_OK, NULL, &info);
	assert_int_equal(add(&f->inst, 1).count, 9);
}

/* A module opened as usual cannot be reloaded; a reloadable one can be closed as usual. */
static void only_reloadable_modules(void **state)
{
	(void)state;
	rdy_error *err = NULL;
	rdy_world *w = test_reload_app_world(&err);
	rdy_module *m = rdy_module_open(w, RELOAD_A, &err);
	assert_non_null(m);
	assert_null(rdy_module_sha256(m));
	assert_int_equal(rdy_module_reload(m, RELOAD_B, NULL, &err), RDY_EINVAL);
	assert_non_null(strstr(rdy_error_message(err), "not opened as reloadable"));
	rdy_error_free(err);
	assert_int_equal(rdy_module_close(m, NULL), RDY_OK);
	rdy_world_free(w);
}

/*
 * A killed instance has nothing to move: it stays dead through a reload,
 * and the others move.  A result it returned before the kill is released
 * after the reload, through the build serving: the first build's table and
 * file are gone by then (under valgrind or ASan, a read of them shows).
 */
static void a_killed_instance_stays_dead(void **state)
{
	fixture *f = *state;
	test_reload_app_t other;
	rdy_error *err = NULL;
	assert_int_equal(test_reload_app_instantiate(f->m, &imports, &no_hook, &other, &err), RDY_OK);
	add(&f->inst, 3);
	add(&other, 4);
	push(&other, "kept");
	test_reload_app_list_string_t kept;
	assert_int_equal(exports_test_reload_counter_names(&other, &kept), RDY_OK);
	test_reload_app_kill(&other);
	rdy_reload_info info;
	expect_reload(f, RELOAD_B, RDY_OK, NULL, &info);
	assert_int_equal(info.instances, 1);
	test_reload_counter_served_t s = { 0, 0, 0 };
	assert_int_equal(exports_test_reload_counter_add(&other, 1, &s), RDY_EDEAD);
	assert_true(exports_test_reload_counter_has_add(&other)); /* the item is there; a call is refused */
	assert_int_equal(test_reload_app_free(&other, NULL), RDY_EBUSY); /* the result is unreleased */
	exports_test_reload_counter_names_release(&other, &kept);
	s = add(&f->inst, 1);
	assert_int_equal(s.build, 2);
	assert_int_equal(s.count, 4);
	assert_int_equal(test_reload_app_free(&other, NULL), RDY_OK);
	expect_reload(f, RELOAD_A, RDY_OK, NULL, &info);
	assert_int_equal(add(&f->inst, 1).count, 5);
}

/* A reload from inside a call would wait for that call: refused, and nothing changes. */
static void no_reload_from_inside_a_call(void **state)
{
	fixture *f = *state;
	test_reload_app_t inst;
	hook_ctx h = { HOOK_RELOAD, f->m, 0, "", NULL, 0, 0 };
	assert_int_equal(test_reload_app_instantiate(f->m, &imports, &h, &inst, NULL), RDY_OK);
	push(&inst, "ada");
	assert_int_equal(h.status, RDY_EBUSY);
	assert_non_null(strstr(h.message, "reload from inside a call into a reloadable instance"));
	assert_int_equal(rdy_module_build(f->m), 1);
	assert_int_equal(test_reload_app_free(&inst, NULL), RDY_OK);
}

typedef struct reloader {
	fixture *f;
	hook_ctx *h;
	int rc;
} reloader;

/* Starts a reload to B once the hook runs, and tells the hook it has. */
static void *reload_when_hooked(void *arg)
{
	reloader *r = arg;
	while (!__atomic_load_n(&r->h->in_hook, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&r->h->go, 1, __ATOMIC_RELEASE);
	rdy_error *err = NULL;
	r->rc = rdy_module_reload(r->f->m, RELOAD_B, NULL, &err);
	if (r->rc != RDY_OK)
		fprintf(stderr, "reload: %s\n", rdy_error_message(err));
	rdy_error_free(err);
	return NULL;
}

/*
 * A call into one instance calls into another while a reload holds both:
 * the inner call goes to the old build, since the reload waits for the
 * outer one, which waits for the inner.  Then both move.
 */
static void a_call_into_another_held_instance(void **state)
{
	fixture *f = *state;
	test_reload_app_t a;
	hook_ctx h = { HOOK_OTHER, NULL, -1, "", &f->inst, 0, 0 };
	assert_int_equal(test_reload_app_instantiate(f->m, &imports, &h, &a, NULL), RDY_OK);
	reloader r = { f, &h, -1 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, reload_when_hooked, &r), 0);
	push(&a, "ada");
	pthread_join(t, NULL);
	assert_int_equal(h.status, RDY_OK);
	assert_int_equal(r.rc, RDY_OK);
	assert_int_equal(rdy_module_build(f->m), 2);
	test_reload_counter_served_t s = add(&f->inst, 1);
	assert_int_equal(s.build, 2);
	assert_int_equal(s.count, 2); /* the inner call's 1, moved across */
	assert_int_equal(test_reload_app_free(&a, NULL), RDY_OK);
}

/* ---- the stress test ----------------------------------------------------------------- */

enum { THREADS = 8, MAX_RELOADS = 100000 };


typedef struct stress {
	fixture *f;
	uint32_t done;                     /* atomic: the main thread is finished */
	uint32_t epoch;                    /* atomic: successful reloads so far */
	uint64_t calls, failures, stale;   /* atomic */
	char first_failure[256];
} stress;

/*
 * Calls add(1) until told to stop.  Each answer says how many reloads its
 * state has been through: a call that began once reload E had returned
 * must say at least E (no retired build served it), and one that ended
 * before reload E+2 began at most E+1.
 */
static void *caller(void *arg)
{
	stress *s = arg;
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		uint32_t e0 = __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE);
		test_reload_counter_served_t r = { 0, 0, 0 };
		int32_t st = exports_test_reload_counter_add(&s->f->inst, 1, &r);
		uint32_t e1 = __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE);
		__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
		if (st != RDY_OK) {
			if (__atomic_fetch_add(&s->failures, 1, __ATOMIC_RELAXED) == 0)
				snprintf(s->first_failure, sizeof s->first_failure, "status %d", (int)st);
			continue;
		}
		if (r.restores < e0 || r.restores > e1 + 1 || r.build != (r.restores % 2 ? 2u : 1u))
			__atomic_add_fetch(&s->stale, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void stress_reloads(void **state)
{
	fixture *f = *state;
	stress *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->f = f;
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, caller, s), 0);
	/* Alternate A and B; every fifth reload is a failure of one kind or another. */
	static const char *const bad[] = { RELOAD_CHANGED, RELOAD_TRAP, RELOAD_REFUSE };
	static const int bad_code[] = { RDY_EINCOMPATIBLE, RDY_ETRAP, RDY_ETRAP };
	unsigned ok = 0, rolled_back = 0;
	for (unsigned i = 0; i < reloads; i++) {
		rdy_error *err = NULL;
		if (i % 5 == 4) {
			int k = (int)(i / 5 % 3);
			int rc = rdy_module_reload(f->m, bad[k], NULL, &err);
			if (rc != bad_code[k])
				fail_msg("reload %u of %s: expected %d, got %d: %s", i, bad[k], bad_code[k], rc,
					 err ? rdy_error_message(err) : "");
			rolled_back++;
		} else {
			uint32_t next = ok % 2 ? 1 : 2; /* A serves even epochs, B odd ones */
			int rc = rdy_module_reload(f->m, next == 1 ? RELOAD_A : RELOAD_B, NULL, &err);
			if (rc != RDY_OK)
				fail_msg("reload %u: %s", i, rdy_error_message(err));
			__atomic_add_fetch(&s->epoch, 1, __ATOMIC_RELEASE);
			ok++;
		}
		rdy_error_free(err);
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	uint64_t calls = s->calls;
	test_reload_counter_served_t last = add(&f->inst, 0);
	printf("stress: %u reloads (%u swapped, %u rolled back), %llu calls from %d threads, %llu failed, "
	       "%llu served by a build already swapped out\n", reloads, ok, rolled_back, (unsigned long long)calls,
	       THREADS, (unsigned long long)s->failures, (unsigned long long)s->stale);
	if (s->failures)
		fail_msg("%llu calls failed, the first with %s", (unsigned long long)s->failures, s->first_failure);
	assert_int_equal(s->stale, 0);
	/* No call lost: the count moved through every swap and every rollback. */
	assert_int_equal(last.count, calls);
	assert_int_equal(rdy_module_build(f->m), 1 + ok);
	free(s);
}

/* The same where membarrier(2) is unavailable: readers order their record and read themselves. */
static void stress_reloads_fenced(void **state)
{
	unsigned all = reloads;
	rdy__reload_fence = 1;
	reloads = all / 4 ? all / 4 : 1;
	stress_reloads(state);
	reloads = all;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		reloads = (unsigned)strtoul(argv[1], NULL, 10);
	if (reloads > MAX_RELOADS)
		reloads = MAX_RELOADS;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(state_moves_across, setup, teardown),
		cmocka_unit_test_setup_teardown(failures_roll_back, setup, teardown),
		cmocka_unit_test(only_reloadable_modules),
		cmocka_unit_test_setup_teardown(a_killed_instance_stays_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(no_reload_from_inside_a_call, setup, teardown),
		cmocka_unit_test_setup_teardown(a_call_into_another_held_instance, setup, teardown),
		cmocka_unit_test_setup_teardown(stress_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(stress_reloads_fenced, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
