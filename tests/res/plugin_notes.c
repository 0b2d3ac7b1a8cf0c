/*
 * The plugin of the notes tests: it holds handles to the host's notes
 * (test:notes/pad), through the generated plugin bindings, and misuses
 * them where a test asks it to.
 */
#include "notes_plugin.h"

#include <stdlib.h>

typedef test_notes_pad_note_own_t own_t;
typedef test_notes_pad_note_borrow_t borrow_t;

enum { MAX_KEPT = 8 };

struct rdy_state {
	const rdy_imports_v1 *im;
	own_t kept[MAX_KEPT];
	uint32_t nkept;
	borrow_t stash;
};

enum { FOLDER_MAX = 16 };

struct test_notes_user_folder {
	own_t notes[FOLDER_MAX];
	uint32_t n;
};

/* A handle kept where every instance sees it: what read-shared uses. */
static uint32_t shared;

int32_t test_notes_notes_instance_new(const rdy_imports_v1 *imports, test_notes_notes_state_t **state)
{
	if (!(*state = calloc(1, sizeof **state)))
		return RDY_ETRAP;
	(*state)->im = imports;
	return RDY_OK;
}

void test_notes_notes_instance_free(test_notes_notes_state_t *state)
{
	free(state);
}

static int32_t keep(test_notes_notes_state_t *state, own_t n)
{
	if (state->nkept == MAX_KEPT)
		return RDY_ETRAP;
	state->kept[state->nkept++] = n;
	shared = n.handle;
	return RDY_OK;
}

int32_t exports_test_notes_user_keep(test_notes_notes_state_t *state, own_t n)
{
	return keep(state, n);
}

int32_t exports_test_notes_user_drop_kept(test_notes_notes_state_t *state, uint32_t *ret)
{
	*ret = state->nkept;
	for (uint32_t i = 0; i < state->nkept; i++) {
		int32_t st = test_notes_pad_note_drop(state->im, state->kept[i]);
		if (st != RDY_OK)
			return st;
	}
	state->nkept = 0;
	return RDY_OK;
}

int32_t exports_test_notes_user_peek(test_notes_notes_state_t *state, borrow_t n, rdy_string_t *ret)
{
	return test_notes_pad_method_note_text(state->im, n, ret);
}

int32_t exports_test_notes_user_drop_lent(test_notes_notes_state_t *state, borrow_t n, int32_t *ret)
{
	own_t forged = { n.handle };
	*ret = test_notes_pad_note_drop(state->im, forged);
	return RDY_OK;
}

int32_t exports_test_notes_user_stash(test_notes_notes_state_t *state, borrow_t n)
{
	state->stash = n; /* the bug: a borrow lives only for its call */
	return RDY_OK;
}

int32_t exports_test_notes_user_read_stash(test_notes_notes_state_t *state, int32_t *ret)
{
	rdy_string_t s = { NULL, 0 };
	*ret = test_notes_pad_method_note_text(state->im, state->stash, &s);
	if (*ret == RDY_OK)
		test_notes_pad_method_note_text_release(state->im, &s);
	return RDY_OK;
}

int32_t exports_test_notes_user_give_back(test_notes_notes_state_t *state, own_t *ret)
{
	if (!state->nkept)
		return RDY_ETRAP;
	*ret = state->kept[--state->nkept];
	return RDY_OK;
}

int32_t exports_test_notes_user_ask(test_notes_notes_state_t *state, const rdy_string_t *text)
{
	own_t n;
	int32_t st = test_notes_pad_make(state->im, text, &n);
	return st != RDY_OK ? st : keep(state, n);
}

int32_t exports_test_notes_user_read_shared(test_notes_notes_state_t *state, int32_t *ret)
{
	borrow_t b = { shared };
	rdy_string_t s = { NULL, 0 };
	*ret = test_notes_pad_method_note_text(state->im, b, &s);
	if (*ret == RDY_OK)
		test_notes_pad_method_note_text_release(state->im, &s);
	return RDY_OK;
}

int32_t exports_test_notes_user_constructor_folder(test_notes_notes_state_t *state, test_notes_user_folder_t **ret)
{
	(void)state;
	return (*ret = calloc(1, sizeof **ret)) ? RDY_OK : RDY_ETRAP;
}

/* A folder's notes go with it: each handle dropped, so the host's destructor runs. */
void test_notes_user_folder_destructor(test_notes_notes_state_t *state, test_notes_user_folder_t *rep)
{
	for (uint32_t i = 0; i < rep->n; i++)
		test_notes_pad_note_drop(state->im, rep->notes[i]);
	free(rep);
}

int32_t exports_test_notes_user_method_folder_file(test_notes_notes_state_t *state, test_notes_user_folder_t *self,
						   own_t n)
{
	if (self->n == FOLDER_MAX) {
		test_notes_pad_note_drop(state->im, n);
		return RDY_ETRAP;
	}
	self->notes[self->n++] = n;
	return RDY_OK;
}

int32_t exports_test_notes_user_method_folder_count(test_notes_notes_state_t *state, test_notes_user_folder_t *self,
						    uint32_t *ret)
{
	(void)state;
	*ret = self->n;
	return RDY_OK;
}

int32_t exports_test_notes_user_total_kept(test_notes_notes_state_t *state, bool forge,
					   test_notes_notes_result_u32_s32_t *ret)
{
	borrow_t list[MAX_KEPT + 1];
	uint32_t n = 0;
	for (; n < state->nkept; n++)
		list[n].handle = state->kept[n].handle;
	if (forge)
		list[n++].handle = 0x000ffffe;
	test_notes_notes_list_borrow_note_t l = { list, n };
	uint32_t total = 0;
	int32_t st = test_notes_pad_total(state->im, &l, &total);
	ret->is_err = st != RDY_OK;
	if (st == RDY_OK)
		ret->val.ok = total;
	else
		ret->val.err = st;
	return RDY_OK;
}

int32_t exports_test_notes_user_stash_list(test_notes_notes_state_t *state, const test_notes_notes_list_borrow_note_t *notes,
					   uint32_t *ret)
{
	*ret = 0;
	for (size_t i = 0; i < notes->len; i++) {
		rdy_string_t s;
		int32_t st = test_notes_pad_method_note_text(state->im, notes->ptr[i], &s);
		if (st != RDY_OK)
			return st;
		*ret += (uint32_t)s.len;
		test_notes_pad_method_note_text_release(state->im, &s);
	}
	if (notes->len)
		state->stash = notes->ptr[0]; /* the bug again, inside a list */
	return RDY_OK;
}
