/*
 * Resources end to end (docs/abi.md §4, [H-REP], [F-REP], [H-API]): a host
 * holds handles to a plugin's objects through the generated bindings, and
 * every misuse gets its exact status and message, never a dereference.
 */
#include "app_host.h"
#include "res_test.h"

typedef test_res_things_counter_own_t own_t;
typedef test_res_things_counter_borrow_t borrow_t;

/* What the hooks saw and do. */
typedef struct hooks {
	const test_res_app_t *inst;        /* the instance poke acts on */
	enum { NOTHING, DROP, TAKE } poke; /* what poke does with TARGET */
	own_t target;
	int32_t poke_status;               /* what that returned */
	char poke_message[512];
	uint32_t dropped[16];              /* the values the destructors reported, in order */
	uint32_t ndropped;
	test_res_app_t *free_on_drop;      /* an instance each destructor frees, when set */
	int free_status;
} hooks;

static int32_t hook_poke(void *ctx)
{
	hooks *h = ctx;
	void *rep = NULL;
	if (h->poke == DROP)
		h->poke_status = test_res_things_counter_drop(h->inst, h->target);
	else if (h->poke == TAKE)
		h->poke_status = rdy_handle_take(h->inst->instance, 0 /* counter: the world's first resource */,
						 h->target.handle, &rep);
	snprintf(h->poke_message, sizeof h->poke_message, "%s", rdy_handle_error());
	return RDY_OK;
}

static int32_t hook_dropped(void *ctx, uint32_t value)
{
	hooks *h = ctx;
	if (h->ndropped < 16)
		h->dropped[h->ndropped] = value;
	h->ndropped++;
	if (h->free_on_drop) {
		h->free_status = test_res_app_free(h->free_on_drop, NULL);
		h->free_on_drop = NULL;
	}
	return RDY_OK;
}

static const test_res_app_imports_t imports = { hook_poke, hook_dropped };

typedef struct fixture {
	rdy_world *w;
	rdy_module *m;
	test_res_app_t a, b;
	hooks ha, hb;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	rdy_error *err = NULL;
	assert_non_null(f);
	assert_non_null(f->w = test_res_app_world(&err));
	if (!(f->m = rdy_module_open(f->w, RES_PLUGIN, &err)))
		fail_msg("%s", rdy_error_message(err));
	assert_int_equal(test_res_app_instantiate(f->m, &imports, &f->ha, &f->a, &err), RDY_OK);
	assert_int_equal(test_res_app_instantiate(f->m, &imports, &f->hb, &f->b, &err), RDY_OK);
	f->ha.inst = &f->a;
	f->hb.inst = &f->b;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	if (f->a.instance)
		test_res_app_kill(&f->a);
	if (f->b.instance)
		test_res_app_kill(&f->b);
	assert_int_equal(test_res_app_free(&f->a, NULL), RDY_OK);
	assert_int_equal(test_res_app_free(&f->b, NULL), RDY_OK);
	assert_int_equal(rdy_module_close(f->m, NULL), RDY_OK);
	rdy_world_free(f->w);
	free(f);
	return 0;
}

static own_t make(const test_res_app_t *inst, uint32_t start)
{
	own_t c = { 0 };
	assert_int_equal(exports_test_res_things_constructor_counter(inst, start, &c), RDY_OK);
	return c;
}

static uint32_t get(const test_res_app_t *inst, own_t c)
{
	uint32_t v = 0;
	assert_int_equal(exports_test_res_things_method_counter_get(inst, test_res_things_counter_borrow(c), &v), RDY_OK);
	return v;
}

static void methods_statics_and_destructors(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 5), d = { 0 };
	assert_int_equal(exports_test_res_things_method_counter_add(&f->a, test_res_things_counter_borrow(c), 3), RDY_OK);
	assert_int_equal(get(&f->a, c), 8);
	assert_int_equal(exports_test_res_things_static_counter_make(&f->a, 40, &d), RDY_OK);
	uint32_t total = 0;
	assert_int_equal(exports_test_res_things_total(&f->a, test_res_things_counter_borrow(c),
						       test_res_things_counter_borrow(d), &total), RDY_OK);
	assert_int_equal(total, 48);
	bool same = false;
	assert_int_equal(exports_test_res_things_method_counter_same(&f->a, test_res_things_counter_borrow(c),
								     test_res_things_counter_borrow(c), &same), RDY_OK);
	assert_true(same);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 2);
	assert_int_equal(f->ha.ndropped, 0);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(f->ha.ndropped, 1);
	assert_int_equal(f->ha.dropped[0], 8);
	/* Own moves: the plugin takes D over, and frees it itself. */
	own_t e = make(&f->a, 100);
	assert_int_equal(exports_test_res_things_method_counter_absorb(&f->a, test_res_things_counter_borrow(e), d), RDY_OK);
	assert_int_equal(get(&f->a, e), 140);
	assert_int_equal(f->ha.ndropped, 2);
	assert_int_equal(f->ha.dropped[1], 40);
	assert_int_equal(test_res_things_counter_drop(&f->a, e), RDY_OK);
	assert_int_equal(f->ha.dropped[2], 140);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 0);
}

static void handles_made_by_the_plugin(void **state)
{
	fixture *f = *state;
	test_res_app_list_u8_t bytes = { (uint8_t *)"abc", 3 };
	test_res_app_result_own_blob_string_t r;
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r), RDY_OK);
	exports_test_res_things_constructor_blob_release(&f->a, &r); /* the handle in it stays ours */
	assert_false(r.is_err);
	uint32_t size = 0;
	assert_int_equal(exports_test_res_things_method_blob_size(&f->a, test_res_things_blob_borrow(r.val.ok), &size),
			 RDY_OK);
	assert_int_equal(size, 3);
	assert_int_equal(test_res_things_blob_drop(&f->a, r.val.ok), RDY_OK);
	assert_int_equal(f->ha.dropped[0], 1003);
	/* The fallible constructor's error, released like any result. */
	bytes.len = 0;
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r), RDY_OK);
	assert_true(r.is_err);
	assert_memory_equal(r.val.err.ptr, "empty", 5);
	exports_test_res_things_constructor_blob_release(&f->a, &r);
	test_res_app_option_own_counter_t o;
	assert_int_equal(exports_test_res_things_maybe(&f->a, 7, &o), RDY_OK);
	assert_true(o.is_some);
	assert_int_equal(get(&f->a, o.val), 7);
	assert_int_equal(test_res_things_counter_drop(&f->a, o.val), RDY_OK);
}

/* [H-REP]: a handle is nonzero, its low 20 bits a slot, its high 12 a generation. */
static void handle_values(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 1), d = make(&f->a, 2);
	assert_int_not_equal(c.handle, 0);
	assert_int_not_equal(c.handle & 0xfffff, 0);
	assert_int_not_equal(c.handle, d.handle);
	assert_int_not_equal(c.handle >> 20, 0);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(test_res_things_counter_drop(&f->a, d), RDY_OK);
	/* Index 0 is never valid, whatever the generation; nor is a slot never given out. */
	uint32_t v;
	borrow_t zero = { 0 }, gen_only = { 0x00100000 }, unissued = { 0x000ffffe };
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, zero, &v), RDY_EHANDLE);
	assert_message("%s: handle 0 is never valid", RES_PLUGIN);
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, gen_only, &v), RDY_EHANDLE);
	assert_message("%s: handle 0x00100000 was never issued", RES_PLUGIN);
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, unissued, &v), RDY_EHANDLE);
	assert_message("%s: handle 0x000ffffe was never issued", RES_PLUGIN);
}

static void stale_handle_after_a_drop(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 1);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	uint32_t v = 99;
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, test_res_things_counter_borrow(c), &v),
			 RDY_EHANDLE);
	assert_message("%s: handle 0x%08x is stale: it was dropped", RES_PLUGIN, c.handle);
	assert_int_equal(v, 99);
	/* A new object in the same slot has another generation: the old handle stays stale. */
	own_t many[8];
	for (int i = 0; i < 8; i++)
		many[i] = make(&f->a, (uint32_t)i);
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, test_res_things_counter_borrow(c), &v),
			 RDY_EHANDLE);
	for (int i = 0; i < 8; i++)
		assert_int_equal(test_res_things_counter_drop(&f->a, many[i]), RDY_OK);
}

static void double_drop(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 3);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_EHANDLE);
	assert_message("%s: handle 0x%08x is stale: it was dropped", RES_PLUGIN, c.handle);
	assert_int_equal(f->ha.ndropped, 1);
}

static void handle_of_another_instance(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 3);
	uint32_t v = 0;
	assert_int_equal(exports_test_res_things_method_counter_get(&f->b, test_res_things_counter_borrow(c), &v),
			 RDY_EHANDLE);
	assert_message("%s: handle 0x%08x belongs to another instance, of %s", RES_PLUGIN, c.handle, RES_PLUGIN);
	assert_int_equal(test_res_things_counter_drop(&f->b, c), RDY_EHANDLE);
	assert_int_equal(f->hb.ndropped + f->ha.ndropped, 0);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
}

static void handle_of_another_type(void **state)
{
	fixture *f = *state;
	test_res_app_list_u8_t bytes = { (uint8_t *)"ab", 2 };
	test_res_app_result_own_blob_string_t r;
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r), RDY_OK);
	exports_test_res_things_constructor_blob_release(&f->a, &r); /* the handle in it stays ours */
	borrow_t forged = { r.val.ok.handle };
	uint32_t v = 0;
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, forged, &v), RDY_EHANDLE);
	assert_message("%s: handle 0x%08x is a `test:res/things@1.0.0`.`blob`, not a `test:res/things@1.0.0`.`counter`",
		       RES_PLUGIN, forged.handle);
	assert_int_equal(test_res_things_blob_drop(&f->a, r.val.ok), RDY_OK);
}

static void drop_while_lent(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 10);
	f->ha.poke = DROP;
	f->ha.target = c;
	assert_int_equal(exports_test_res_things_method_counter_poke(&f->a, test_res_things_counter_borrow(c)), RDY_OK);
	char want[512];
	snprintf(want, sizeof want, "%s: handle 0x%08x is lent to a call in progress", RES_PLUGIN, c.handle);
	assert_int_equal(f->ha.poke_status, RDY_EBUSY);
	assert_string_equal(f->ha.poke_message, want);
	f->ha.poke = TAKE;
	assert_int_equal(exports_test_res_things_method_counter_poke(&f->a, test_res_things_counter_borrow(c)), RDY_OK);
	assert_int_equal(f->ha.poke_status, RDY_EBUSY);
	assert_string_equal(f->ha.poke_message, want);
	/* Lent to the call as self, it cannot be given away in the same call either. */
	assert_int_equal(exports_test_res_things_method_counter_absorb(&f->a, test_res_things_counter_borrow(c), c),
			 RDY_EBUSY);
	assert_message("%s: handle 0x%08x is lent to a call in progress", RES_PLUGIN, c.handle);
	/* Every lend ended: now it drops. */
	assert_int_equal(get(&f->a, c), 12);
	assert_int_equal(f->ha.ndropped, 0);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(f->ha.ndropped, 1);
}

static void free_while_handles_live(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 1), d = make(&f->a, 2);
	test_res_app_list_u8_t bytes = { (uint8_t *)"x", 1 };
	test_res_app_result_own_blob_string_t r;
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r), RDY_OK);
	exports_test_res_things_constructor_blob_release(&f->a, &r); /* the handle in it stays ours */
	rdy_error *err = NULL;
	assert_int_equal(test_res_app_free(&f->a, &err), RDY_EBUSY);
	char want[512];
	snprintf(want, sizeof want,
		 "%s: 3 handles are still live: 2 `test:res/things@1.0.0`.`counter`, 1 `test:res/things@1.0.0`.`blob`",
		 RES_PLUGIN);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	/* Nothing changed: the instance still works. */
	assert_int_equal(get(&f->a, d), 2);
	assert_int_equal(rdy_module_close(f->m, &err), RDY_EBUSY);
	rdy_error_free(err);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(test_res_things_counter_drop(&f->a, d), RDY_OK);
	assert_int_equal(test_res_app_free(&f->a, &err), RDY_EBUSY);
	snprintf(want, sizeof want, "%s: 1 handle is still live: 1 `test:res/things@1.0.0`.`blob`", RES_PLUGIN);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	assert_int_equal(test_res_things_blob_drop(&f->a, r.val.ok), RDY_OK);
	assert_int_equal(test_res_app_free(&f->a, &err), RDY_OK);
	assert_null(f->a.instance);
	assert_int_equal(f->ha.ndropped, 3);
}

static void calls_after_a_kill_are_dead(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 4), d = make(&f->a, 5), other = make(&f->b, 6);
	test_res_app_kill(&f->a);
	/* Each object's destructor ran, once. */
	assert_int_equal(f->ha.ndropped, 2);
	assert_int_equal(f->ha.dropped[0] + f->ha.dropped[1], 9);
	uint32_t v = 0;
	assert_int_equal(exports_test_res_things_method_counter_get(&f->a, test_res_things_counter_borrow(c), &v),
			 RDY_EDEAD);
	assert_message("%s: handle 0x%08x is dead: its instance was freed by force", RES_PLUGIN, c.handle);
	own_t e = { 0 };
	assert_int_equal(exports_test_res_things_constructor_counter(&f->a, 1, &e), RDY_EDEAD);
	assert_int_equal(e.handle, 0);
	/* The other instance goes on. */
	assert_int_equal(get(&f->b, other), 6);
	/* Dropping a dead handle frees its slot, and runs nothing. */
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_OK);
	assert_int_equal(test_res_things_counter_drop(&f->a, c), RDY_EHANDLE);
	assert_int_equal(f->ha.ndropped, 2);
	assert_int_equal(test_res_things_counter_drop(&f->a, d), RDY_OK);
	assert_int_equal(test_res_app_free(&f->a, NULL), RDY_OK);
	assert_int_equal(test_res_things_counter_drop(&f->b, other), RDY_OK);
}

/* A result the host has not released yet keeps the instance: its memory is the plugin's. */
static void free_while_results_unreleased(void **state)
{
	fixture *f = *state;
	test_res_app_list_u8_t bytes = { NULL, 0 };
	test_res_app_result_own_blob_string_t r1, r2;
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r1), RDY_OK);
	assert_int_equal(exports_test_res_things_constructor_blob(&f->a, &bytes, &r2), RDY_OK);
	rdy_error *err = NULL;
	assert_int_equal(test_res_app_free(&f->a, &err), RDY_EBUSY);
	char want[512];
	snprintf(want, sizeof want, "%s: 2 results of its exports are still unreleased", RES_PLUGIN);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	exports_test_res_things_constructor_blob_release(&f->a, &r1);
	assert_int_equal(test_res_app_free(&f->a, &err), RDY_EBUSY);
	snprintf(want, sizeof want, "%s: 1 result of its exports is still unreleased", RES_PLUGIN);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	exports_test_res_things_constructor_blob_release(&f->a, &r2);
	assert_int_equal(test_res_app_free(&f->a, NULL), RDY_OK);
}

/* A release beyond the count (no call counted it) is ignored: the count cannot wrap and block the free. */
static void a_release_without_a_result_is_ignored(void **state)
{
	fixture *f = *state;
	test_res_app_result_own_blob_string_t r;
	memset(&r, 0, sizeof r);
	exports_test_res_things_constructor_blob_release(&f->a, &r);
	assert_int_equal(*f->a.results, 0);
	assert_int_equal(test_res_app_free(&f->a, NULL), RDY_OK);
}

/* After a kill, the instance takes no new handle; freeing it frees its dead handles' slots. */
static void a_killed_instance_and_its_dead_handles(void **state)
{
	fixture *f = *state;
	own_t c = make(&f->a, 4);
	test_res_app_kill(&f->a);
	uint32_t h = 0;
	assert_int_equal(rdy_handle_new(f->a.instance, 0, f, &h), RDY_EDEAD);
	assert_message("%s: no new handle: the instance is being freed or was freed by force", RES_PLUGIN);
	/* A dead handle is dropped through its own instance only. */
	assert_int_equal(test_res_things_counter_drop(&f->b, c), RDY_EHANDLE);
	assert_message("%s: handle 0x%08x belongs to another instance, of %s", RES_PLUGIN, c.handle, RES_PLUGIN);
	assert_int_equal(test_res_app_free(&f->a, NULL), RDY_OK);
	uint32_t v = 0;
	assert_int_equal(exports_test_res_things_method_counter_get(&f->b, test_res_things_counter_borrow(c), &v),
			 RDY_EHANDLE);
	assert_message("%s: handle 0x%08x is stale: it was dropped", RES_PLUGIN, c.handle);
	assert_int_equal(f->ha.ndropped, 1);
}

/* A kill runs destructors with no lock held: one may free another instance. */
static void a_destructor_may_free_another_instance(void **state)
{
	fixture *f = *state;
	make(&f->a, 4);
	f->ha.free_on_drop = &f->b;
	f->ha.free_status = -1;
	test_res_app_kill(&f->a);
	assert_int_equal(f->ha.free_status, RDY_OK);
	assert_null(f->b.instance);
	assert_int_equal(f->ha.ndropped, 1);
}

/* docs/abi.md §7.1, step 4: the fields of a 1.1 root, each wrong in one plugin. */
static void bad_resource_fields(void **state)
{
	(void)state;
	static const struct {
		const char *field, *message;
	} cases[] = {
		{ "size", "root symbol's size is 72 bytes; a plugin that exports resources needs 88 (ABI 1.1)" },
		{ "symsize", "root symbol's size is 88 bytes; the symbol `rdy_plugin_v1` holds 72" },
		{ "nresources", "root symbol's nresources is 1; its descriptor has 2 exported resources" },
		{ "reserved2", "root symbol's reserved2 field is 7, not 0" },
		{ "resources", "root symbol's resources is NULL" },
		{ "drop", "root symbol's resource 0, `test:res/things@1.0.0`.`counter`, has no destructor" },
	};
	rdy_error *err = NULL;
	rdy_world *w = test_res_app_world(&err);
	assert_non_null(w);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char path[1024], want[1200];
		snprintf(path, sizeof path, "%s/res_bad_%s.so", RES_BAD_DIR, cases[i].field);
		snprintf(want, sizeof want, "%s: %s", path, cases[i].message);
		assert_null(rdy_module_open(w, path, &err));
		assert_int_equal(rdy_error_code(err), RDY_EFORMAT);
		assert_string_equal(rdy_error_message(err), want);
		rdy_error_free(err);
		err = NULL;
	}
	rdy_world_free(w);
}

/*
 * A world with resources opens pinned, and reloadable: the copy is what
 * runs (tests/reload/test_objects.c reloads one with objects live).
 */
static void a_world_with_resources_opens_pinned_or_reloadable(void **state)
{
	(void)state;
	rdy_error *err = NULL;
	rdy_world *w = test_res_app_world(&err);
	assert_non_null(w);
	rdy_open_config c = { .pinned = true, .cache_dir = RES_BAD_DIR "/cache" };
	for (int reloadable = 0; reloadable < 2; reloadable++) {
		c.reloadable = reloadable;
		rdy_module *m = rdy_module_open_with(w, RES_PLUGIN, &c, &err);
		if (!m)
			fail_msg("%s", rdy_error_message(err));
		assert_non_null(rdy_module_sha256(m));
		assert_int_equal(rdy_module_reload(m, NULL, NULL, NULL), reloadable ? RDY_OK : RDY_EINVAL);
		assert_int_equal(rdy_module_close(m, NULL), RDY_OK);
	}
	rdy_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(methods_statics_and_destructors, setup, teardown),
		cmocka_unit_test_setup_teardown(handles_made_by_the_plugin, setup, teardown),
		cmocka_unit_test_setup_teardown(handle_values, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_handle_after_a_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(double_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(handle_of_another_instance, setup, teardown),
		cmocka_unit_test_setup_teardown(handle_of_another_type, setup, teardown),
		cmocka_unit_test_setup_teardown(drop_while_lent, setup, teardown),
		cmocka_unit_test_setup_teardown(free_while_handles_live, setup, teardown),
		cmocka_unit_test_setup_teardown(calls_after_a_kill_are_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(free_while_results_unreleased, setup, teardown),
		cmocka_unit_test_setup_teardown(a_release_without_a_result_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(a_killed_instance_and_its_dead_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(a_destructor_may_free_another_instance, setup, teardown),
		cmocka_unit_test(bad_resource_fields),
		cmocka_unit_test(a_world_with_resources_opens_pinned_or_reloadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
