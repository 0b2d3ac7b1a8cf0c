/*
 * Resources the host implements (docs/abi.md §4, [F-REP] (b) and (c)): a
 * plugin holds handles to the host's notes, given, lent, made on request
 * and given back, and every misuse gets its exact status and message.
 */
#include "notes_host.h"
#include "res_test.h"

struct test_notes_pad_note {
	char text[64];
	int id;
};

typedef test_notes_pad_note_t note_t;

/* The host's side: its notes' destructors, counted, and what the functions saw. */
typedef struct host {
	int destroyed[16];                 /* ids, in order */
	unsigned ndestroyed;
	rdy_instance *destroyed_for;       /* rdy_instance_calling() in the last destructor */
	int made;
} host;

static note_t *note_new(host *h, const char *text)
{
	note_t *n = calloc(1, sizeof *n);
	assert_non_null(n);
	snprintf(n->text, sizeof n->text, "%s", text);
	n->id = ++h->made;
	return n;
}

static int32_t constructor(void *ctx, const rdy_string_t *text, note_t **ret)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.*s", (int)text->len, text->ptr);
	*ret = note_new(ctx, buf);
	return RDY_OK;
}

static int32_t text(void *ctx, note_t *self, rdy_string_t *ret)
{
	(void)ctx;
	return rdy_string_dup(ret, self->text, strlen(self->text)) ? RDY_OK : RDY_ETRAP;
}

static int32_t append(void *ctx, note_t *self, const rdy_string_t *more)
{
	(void)ctx;
	size_t n = strlen(self->text);
	snprintf(self->text + n, sizeof self->text - n, "%.*s", (int)more->len, more->ptr);
	return RDY_OK;
}

/* Handles inside a list: resolved through the calling instance. */
static int32_t total(void *ctx, const test_notes_notes_list_borrow_note_t *notes, uint32_t *ret)
{
	(void)ctx;
	uint32_t sum = 0;
	for (size_t i = 0; i < notes->len; i++) {
		note_t *n;
		int32_t st = test_notes_pad_note_rep(rdy_instance_calling(), notes->ptr[i].handle, &n);
		if (st != RDY_OK)
			return st;
		sum += (uint32_t)strlen(n->text);
	}
	*ret = sum;
	return RDY_OK;
}

static void destructor(void *ctx, note_t *rep)
{
	host *h = ctx;
	h->destroyed_for = rdy_instance_calling();
	if (h->ndestroyed < 16)
		h->destroyed[h->ndestroyed] = rep->id;
	h->ndestroyed++;
	free(rep);
}

static const test_notes_notes_imports_t imports = { constructor, text, append, constructor, total, destructor };

typedef struct fixture {
	rdy_world *w;
	rdy_module *m;
	test_notes_notes_t a, b;
	host h;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	rdy_error *err = NULL;
	assert_non_null(f);
	assert_non_null(f->w = test_notes_notes_world(&err));
	if (!(f->m = rdy_module_open(f->w, RES_PLUGIN, &err)))
		fail_msg("%s", rdy_error_message(err));
	assert_int_equal(test_notes_notes_instantiate(f->m, &imports, &f->h, &f->a, &err), RDY_OK);
	assert_int_equal(test_notes_notes_instantiate(f->m, &imports, &f->h, &f->b, &err), RDY_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	test_notes_notes_kill(&f->a);
	test_notes_notes_kill(&f->b);
	assert_int_equal(test_notes_notes_free(&f->a, NULL), RDY_OK);
	assert_int_equal(test_notes_notes_free(&f->b, NULL), RDY_OK);
	assert_int_equal(rdy_module_close(f->m, NULL), RDY_OK);
	rdy_world_free(f->w);
	free(f);
	return 0;
}

/* An own note moves to the plugin, which calls its methods and drops it: the destructor runs once. */
static void given_used_and_dropped(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "hello");
	assert_int_equal(exports_test_notes_user_keep(&f->a, n), RDY_OK);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 1);
	uint32_t dropped = 0;
	assert_int_equal(exports_test_notes_user_drop_kept(&f->a, &dropped), RDY_OK);
	assert_int_equal(dropped, 1);
	assert_int_equal(f->h.ndestroyed, 1);
	assert_int_equal(f->h.destroyed[0], 1);
	assert_ptr_equal(f->h.destroyed_for, f->a.instance);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 0);
}

/* A lent note is read during the call; the borrow ends with it, and nothing is destroyed. */
static void lent_for_a_call(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "lent");
	rdy_string_t s;
	assert_int_equal(exports_test_notes_user_peek(&f->a, n, &s), RDY_OK);
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.ptr, "lent", 4);
	exports_test_notes_user_peek_release(&f->a, &s);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 0);
	assert_int_equal(f->h.ndestroyed, 0);
	free(n);
}

static void a_borrow_kept_past_its_call(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "short-lived");
	assert_int_equal(exports_test_notes_user_stash(&f->a, n), RDY_OK);
	int32_t st = 0;
	assert_int_equal(exports_test_notes_user_read_stash(&f->a, &st), RDY_OK);
	assert_int_equal(st, RDY_EHANDLE);
	/* The handle's value, for the message: the plugin's stash is the handle it was lent. */
	const char *msg = rdy_handle_error();
	unsigned h = 0;
	assert_int_equal(sscanf(msg, RES_PLUGIN ": handle 0x%x", &h), 1);
	assert_message("%s: handle 0x%08x is stale: it was lent for a call that has returned", RES_PLUGIN, h);
	free(n);
}

/* Borrows inside a list, made with R_lend and ended with R_end: kept past the call, refused. */
static void borrows_inside_a_list(void **state)
{
	fixture *f = *state;
	note_t *n1 = note_new(&f->h, "ab"), *n2 = note_new(&f->h, "cde");
	test_notes_pad_note_borrow_t b[2];
	assert_int_equal(test_notes_pad_note_lend(f->a.instance, n1, &b[0]), RDY_OK);
	assert_int_equal(test_notes_pad_note_lend(f->a.instance, n2, &b[1]), RDY_OK);
	test_notes_notes_list_borrow_note_t l = { b, 2 };
	uint32_t len = 0;
	assert_int_equal(exports_test_notes_user_stash_list(&f->a, &l, &len), RDY_OK);
	assert_int_equal(len, 5);
	/* Ending through another instance, or none, leaves the borrow as it is. */
	test_notes_pad_note_end(f->b.instance, b[0]);
	test_notes_pad_note_end(NULL, b[0]);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 2);
	test_notes_pad_note_end(f->a.instance, b[0]);
	test_notes_pad_note_end(f->a.instance, b[1]);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 0);
	int32_t st = 0;
	assert_int_equal(exports_test_notes_user_read_stash(&f->a, &st), RDY_OK);
	assert_int_equal(st, RDY_EHANDLE);
	assert_message("%s: handle 0x%08x is stale: it was lent for a call that has returned", RES_PLUGIN, b[0].handle);
	assert_int_equal(f->h.ndestroyed, 0);
	free(n1);
	free(n2);
}

static void a_lent_note_cannot_be_dropped(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "not yours");
	int32_t st = 0;
	assert_int_equal(exports_test_notes_user_drop_lent(&f->a, n, &st), RDY_OK);
	assert_int_equal(st, RDY_EHANDLE);
	unsigned h = 0;
	assert_int_equal(sscanf(rdy_handle_error(), RES_PLUGIN ": handle 0x%x", &h), 1);
	assert_message("%s: handle 0x%08x is a borrow: only an own handle can be dropped or given away", RES_PLUGIN,
		       h);
	assert_int_equal(f->h.ndestroyed, 0);
	free(n);
}

/* The plugin gives a note back: the host has its object again, and no destructor runs. */
static void given_back(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "round trip"), *back = NULL;
	assert_int_equal(exports_test_notes_user_keep(&f->a, n), RDY_OK);
	assert_int_equal(exports_test_notes_user_give_back(&f->a, &back), RDY_OK);
	assert_ptr_equal(back, n);
	assert_int_equal(rdy_instance_nhandles(f->a.instance), 0);
	assert_int_equal(f->h.ndestroyed, 0);
	free(n);
}

/* A note the host makes when the plugin asks: then freeing the instance is refused until it is dropped. */
static void made_on_request(void **state)
{
	fixture *f = *state;
	rdy_string_t t = rdy_str("asked");
	assert_int_equal(exports_test_notes_user_ask(&f->a, &t), RDY_OK);
	assert_int_equal(f->h.made, 1);
	rdy_error *err = NULL;
	assert_int_equal(test_notes_notes_free(&f->a, &err), RDY_EBUSY);
	char want[256];
	snprintf(want, sizeof want, "%s: 1 handle is still live: 1 `test:notes/pad@1.0.0`.`note`", RES_PLUGIN);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	uint32_t dropped = 0;
	assert_int_equal(exports_test_notes_user_drop_kept(&f->a, &dropped), RDY_OK);
	assert_int_equal(f->h.ndestroyed, 1);
	assert_int_equal(test_notes_notes_free(&f->a, NULL), RDY_OK);
	assert_int_equal(test_notes_notes_instantiate(f->m, &imports, &f->h, &f->a, NULL), RDY_OK);
}

/* A handle of instance A, used by instance B (through the plugin's static): refused. */
static void another_instances_handle(void **state)
{
	fixture *f = *state;
	note_t *n = note_new(&f->h, "A's");
	assert_int_equal(exports_test_notes_user_keep(&f->a, n), RDY_OK);
	int32_t st = 0;
	assert_int_equal(exports_test_notes_user_read_shared(&f->a, &st), RDY_OK);
	assert_int_equal(st, RDY_OK);
	assert_int_equal(exports_test_notes_user_read_shared(&f->b, &st), RDY_OK);
	assert_int_equal(st, RDY_EHANDLE);
	unsigned h = 0;
	assert_int_equal(sscanf(rdy_handle_error(), RES_PLUGIN ": handle 0x%x", &h), 1);
	assert_message("%s: handle 0x%08x belongs to another instance, of %s", RES_PLUGIN, h, RES_PLUGIN);
}

/* Handles inside another type reach the host as handles, which it resolves for the calling instance. */
static void handles_inside_a_list(void **state)
{
	fixture *f = *state;
	assert_null(rdy_instance_calling());
	assert_int_equal(exports_test_notes_user_keep(&f->a, note_new(&f->h, "abc")), RDY_OK);
	assert_int_equal(exports_test_notes_user_keep(&f->a, note_new(&f->h, "defgh")), RDY_OK);
	test_notes_notes_result_u32_s32_t r;
	assert_int_equal(exports_test_notes_user_total_kept(&f->a, false, &r), RDY_OK);
	assert_false(r.is_err);
	assert_int_equal(r.val.ok, 8);
	assert_int_equal(exports_test_notes_user_total_kept(&f->a, true, &r), RDY_OK);
	assert_true(r.is_err);
	assert_int_equal(r.val.err, RDY_EHANDLE);
	assert_message("%s: handle 0x000ffffe was never issued", RES_PLUGIN);
	/* Instance B holds none of A's notes: through B, A's handles are another instance's. */
	assert_int_equal(exports_test_notes_user_total_kept(&f->b, false, &r), RDY_OK);
	assert_false(r.is_err);
	assert_int_equal(r.val.ok, 0);
	assert_null(rdy_instance_calling());
}

/* Killing the instance destroys the notes it holds, once each. */
static void kill_destroys_what_it_holds(void **state)
{
	fixture *f = *state;
	assert_int_equal(exports_test_notes_user_keep(&f->a, note_new(&f->h, "one")), RDY_OK);
	assert_int_equal(exports_test_notes_user_keep(&f->a, note_new(&f->h, "two")), RDY_OK);
	test_notes_notes_kill(&f->a);
	assert_int_equal(f->h.ndestroyed, 2);
	assert_int_equal(f->h.destroyed[0] + f->h.destroyed[1], 3);
	uint32_t n = 0;
	assert_int_equal(exports_test_notes_user_drop_kept(&f->a, &n), RDY_EDEAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(given_used_and_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(lent_for_a_call, setup, teardown),
		cmocka_unit_test_setup_teardown(a_borrow_kept_past_its_call, setup, teardown),
		cmocka_unit_test_setup_teardown(borrows_inside_a_list, setup, teardown),
		cmocka_unit_test_setup_teardown(a_lent_note_cannot_be_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(given_back, setup, teardown),
		cmocka_unit_test_setup_teardown(made_on_request, setup, teardown),
		cmocka_unit_test_setup_teardown(another_instances_handle, setup, teardown),
		cmocka_unit_test_setup_teardown(handles_inside_a_list, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_destroys_what_it_holds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
