/*
 * The plugin of the resource tests: counters and blobs, through the
 * generated plugin bindings.  Each destructor tells the host, so the tests
 * count destructor runs exactly.
 */
#include "app_plugin.h"

#include <stdlib.h>

struct rdy_state {
	const rdy_imports_v1 *im;
};

struct test_res_things_counter {
	uint32_t value;
};

struct test_res_things_blob {
	uint32_t size;
};

int32_t test_res_app_instance_new(const rdy_imports_v1 *imports, test_res_app_state_t **state)
{
	if (!(*state = malloc(sizeof **state)))
		return RDY_ETRAP;
	(*state)->im = imports;
	return RDY_OK;
}

void test_res_app_instance_free(test_res_app_state_t *state)
{
	free(state);
}

void test_res_things_counter_destructor(test_res_app_state_t *state, test_res_things_counter_t *rep)
{
	test_res_hooks_dropped(state->im, rep->value);
	free(rep);
}

void test_res_things_blob_destructor(test_res_app_state_t *state, test_res_things_blob_t *rep)
{
	test_res_hooks_dropped(state->im, 1000 + rep->size);
	free(rep);
}

static test_res_things_counter_t *counter(uint32_t start)
{
	test_res_things_counter_t *c = malloc(sizeof *c);
	if (c)
		c->value = start;
	return c;
}

int32_t exports_test_res_things_constructor_counter(test_res_app_state_t *state, uint32_t start,
						    test_res_things_counter_t **ret)
{
	(void)state;
	return (*ret = counter(start)) ? RDY_OK : RDY_ETRAP;
}

int32_t exports_test_res_things_method_counter_get(test_res_app_state_t *state, test_res_things_counter_t *self,
						   uint32_t *ret)
{
	(void)state;
	*ret = self->value;
	return RDY_OK;
}

int32_t exports_test_res_things_method_counter_add(test_res_app_state_t *state, test_res_things_counter_t *self,
						   uint32_t n)
{
	(void)state;
	self->value += n;
	return RDY_OK;
}

int32_t exports_test_res_things_method_counter_poke(test_res_app_state_t *state, test_res_things_counter_t *self)
{
	int32_t st = test_res_hooks_poke(state->im);
	self->value++; /* still ours: the host could not drop it while it was lent */
	return st;
}

int32_t exports_test_res_things_method_counter_absorb(test_res_app_state_t *state, test_res_things_counter_t *self,
						      test_res_things_counter_t *other)
{
	self->value += other->value;
	test_res_things_counter_destructor(state, other); /* the object is ours now: it ends here */
	return RDY_OK;
}

int32_t exports_test_res_things_method_counter_same(test_res_app_state_t *state, test_res_things_counter_t *self,
						    test_res_things_counter_t *other, bool *ret)
{
	(void)state;
	*ret = self == other;
	return RDY_OK;
}

int32_t exports_test_res_things_static_counter_make(test_res_app_state_t *state, uint32_t start,
						    test_res_things_counter_t **ret)
{
	return exports_test_res_things_constructor_counter(state, start, ret);
}

int32_t exports_test_res_things_constructor_blob(test_res_app_state_t *state, const test_res_app_list_u8_t *bytes,
						 test_res_app_result_own_blob_string_t *ret)
{
	if (!bytes->len) {
		ret->is_err = true;
		return rdy_string_dup(&ret->val.err, "empty", 5) ? RDY_OK : RDY_ETRAP;
	}
	test_res_things_blob_t *b = malloc(sizeof *b);
	if (!b)
		return RDY_ETRAP;
	b->size = (uint32_t)bytes->len;
	ret->is_err = false;
	int32_t st = test_res_things_blob_new(state->im, b, &ret->val.ok);
	if (st != RDY_OK)
		free(b);
	return st;
}

int32_t exports_test_res_things_method_blob_size(test_res_app_state_t *state, test_res_things_blob_t *self,
						 uint32_t *ret)
{
	(void)state;
	*ret = self->size;
	return RDY_OK;
}

int32_t exports_test_res_things_total(test_res_app_state_t *state, test_res_things_counter_t *a,
				      test_res_things_counter_t *b, uint32_t *ret)
{
	(void)state;
	*ret = a->value + b->value;
	return RDY_OK;
}

int32_t exports_test_res_things_maybe(test_res_app_state_t *state, uint32_t start,
				      test_res_app_option_own_counter_t *ret)
{
	if (!start) {
		ret->is_some = false;
		return RDY_OK;
	}
	test_res_things_counter_t *c = counter(start);
	if (!c)
		return RDY_ETRAP;
	ret->is_some = true;
	int32_t st = test_res_things_counter_new(state->im, c, &ret->val);
	if (st != RDY_OK)
		free(c);
	return st;
}
