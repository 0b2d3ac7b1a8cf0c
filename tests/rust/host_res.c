/*
 * The C host of plugin_res.rs, the Rust plugin of tests/res's world, for
 * what tests/res's C plugin has no counterpart of: a panic in a method and
 * in a constructor reaches the host as RDY_ETRAP and changes nothing, a
 * panic in a destructor is caught (the handle is gone, the host goes on),
 * every destructor runs exactly once (counted, values summed), the
 * destructors of a killed instance's objects run, and the module unloads
 * and loads again.  tests/res's own hosts run the same plugin too
 * (tests/rust/CMakeLists.txt).
 */
#include "app_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAP_ADD 0xdeadbeefu
#define TRAP_BLOB "rdy: trap, please"
#define TRAP_DROP 0xdeadd0d0u

static int failures;
static unsigned checks;

#define CHECK(c)                                                                  \
	do {                                                                      \
		checks++;                                                         \
		if (!(c)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                               \
		}                                                                 \
	} while (0)

typedef test_res_things_counter_own_t own_t;

typedef struct hooks {
	uint32_t ndropped;
	uint64_t sum;                      /* of the values the destructors reported */
	uint32_t pokes;
} hooks;

static int32_t hook_poke(void *ctx)
{
	((hooks *)ctx)->pokes++;
	return RDY_OK;
}

static int32_t hook_dropped(void *ctx, uint32_t value)
{
	hooks *h = ctx;
	h->ndropped++;
	h->sum += value;
	return RDY_OK;
}

static const test_res_app_imports_t imports = { hook_poke, hook_dropped };

static own_t make(const test_res_app_t *inst, uint32_t start)
{
	own_t c = { 0 };
	CHECK(exports_test_res_things_constructor_counter(inst, start, &c) == RDY_OK);
	return c;
}

static uint32_t get(const test_res_app_t *inst, own_t c)
{
	uint32_t v = 0;
	CHECK(exports_test_res_things_method_counter_get(inst, test_res_things_counter_borrow(c), &v) == RDY_OK);
	return v;
}

static void traps(const test_res_app_t *a, hooks *h)
{
	own_t c = make(a, 5);
	/* A panic in a method: RDY_ETRAP, and the object is as it was. */
	CHECK(exports_test_res_things_method_counter_add(a, test_res_things_counter_borrow(c), TRAP_ADD) == RDY_ETRAP);
	CHECK(get(a, c) == 5);
	CHECK(exports_test_res_things_method_counter_add(a, test_res_things_counter_borrow(c), 2) == RDY_OK);
	CHECK(get(a, c) == 7);
	/* A panic in a constructor: RDY_ETRAP, no handle, no object. */
	size_t before = rdy_instance_nhandles(a->instance);
	uint8_t trap[] = TRAP_BLOB;
	test_res_app_list_u8_t bytes = { trap, sizeof trap - 1 };
	test_res_app_result_own_blob_string_t r;
	memset(&r, 0x5a, sizeof r);
	CHECK(exports_test_res_things_constructor_blob(a, &bytes, &r) == RDY_ETRAP);
	CHECK(rdy_instance_nhandles(a->instance) == before);
	CHECK(h->ndropped == 0);
	/* A blob made inside a result, by the plugin's own handle; its destructor reports size + 1000. */
	bytes.len = 4;
	CHECK(exports_test_res_things_constructor_blob(a, &bytes, &r) == RDY_OK);
	CHECK(!r.is_err);
	exports_test_res_things_constructor_blob_release(a, &r);
	uint32_t size = 0;
	CHECK(exports_test_res_things_method_blob_size(a, test_res_things_blob_borrow(r.val.ok), &size) == RDY_OK);
	CHECK(size == 4);
	CHECK(test_res_things_blob_drop(a, r.val.ok) == RDY_OK);
	CHECK(h->ndropped == 1 && h->sum == 1004);
	/* A panic in a destructor: caught, the handle is gone, the instance goes on. */
	own_t t = make(a, TRAP_DROP);
	CHECK(test_res_things_counter_drop(a, t) == RDY_OK);
	CHECK(h->ndropped == 1);
	CHECK(test_res_things_counter_drop(a, t) == RDY_EHANDLE);
	CHECK(get(a, c) == 7);
	/* Poke: the host's hook runs inside the method, and the object is still there. */
	CHECK(exports_test_res_things_method_counter_poke(a, test_res_things_counter_borrow(c)) == RDY_OK);
	CHECK(h->pokes == 1 && get(a, c) == 8);
	CHECK(test_res_things_counter_drop(a, c) == RDY_OK);
	CHECK(h->ndropped == 2 && h->sum == 1012);
	CHECK(rdy_instance_nhandles(a->instance) == 0);
}

/* N counters, absorbed pairwise and dropped: each destructor runs once, with its value. */
static void counts(const test_res_app_t *a, hooks *h, uint32_t n)
{
	own_t *v = malloc(n * sizeof *v);
	CHECK(v != NULL);
	if (!v)
		return;
	uint64_t want = 0;
	for (uint32_t i = 0; i < n; i++) {
		v[i] = make(a, i);
		want += i;
	}
	*h = (hooks){ 0 };
	/* Each odd one absorbs the even one before it: the even one is taken and destroyed. */
	uint64_t absorbed = 0;
	for (uint32_t i = 1; i < n; i += 2) {
		CHECK(exports_test_res_things_method_counter_absorb(a, test_res_things_counter_borrow(v[i]), v[i - 1]) ==
		      RDY_OK);
		absorbed += i - 1;
		CHECK(get(a, v[i]) == 2 * i - 1);
	}
	CHECK(h->ndropped == n / 2 && h->sum == absorbed);
	CHECK(rdy_instance_nhandles(a->instance) == n - n / 2);
	for (uint32_t i = 1; i < n; i += 2)
		CHECK(test_res_things_counter_drop(a, v[i]) == RDY_OK);
	CHECK(h->ndropped == n && h->sum == want + absorbed);
	free(v);
}

/* A killed instance's live objects are destroyed, each once. */
static void kill_with_objects(rdy_module *m)
{
	hooks h = { 0 };
	test_res_app_t a;
	rdy_error *err = NULL;
	CHECK(test_res_app_instantiate(m, &imports, &h, &a, &err) == RDY_OK);
	make(&a, 10);
	make(&a, 20);
	test_res_app_option_own_counter_t o;
	CHECK(exports_test_res_things_maybe(&a, 30, &o) == RDY_OK && o.is_some);
	CHECK(get(&a, o.val) == 30);
	CHECK(exports_test_res_things_maybe(&a, 0, &o) == RDY_OK && !o.is_some);
	CHECK(rdy_instance_nhandles(a.instance) == 3);
	test_res_app_kill(&a);
	CHECK(h.ndropped == 3 && h.sum == 60);
	CHECK(test_res_app_free(&a, NULL) == RDY_OK);
	CHECK(h.ndropped == 3);
}

static rdy_module *open_plugin(rdy_world *w)
{
	rdy_error *err = NULL;
	rdy_module *m = rdy_module_open(w, RES_PLUGIN, &err);
	if (!m) {
		fprintf(stderr, "%s\n", rdy_error_message(err));
		exit(1);
	}
	return m;
}

int main(void)
{
	rdy_error *err = NULL;
	rdy_world *w = test_res_app_world(&err);
	if (!w) {
		fprintf(stderr, "%s\n", rdy_error_message(err));
		return 1;
	}
	for (int round = 0; round < 2; round++) { /* the second after the module was unloaded */
		rdy_module *m = open_plugin(w);
		hooks h = { 0 };
		test_res_app_t a;
		CHECK(test_res_app_instantiate(m, &imports, &h, &a, &err) == RDY_OK);
		traps(&a, &h);
		counts(&a, &h, 1000);
		CHECK(test_res_app_free(&a, NULL) == RDY_OK);
		kill_with_objects(m);
		CHECK(rdy_module_close(m, NULL) == RDY_OK);
	}
	rdy_world_free(w);
	printf("rust_res_plugin: %u checks, %d failed\n", checks, failures);
	return failures != 0;
}
