/*
 * The plugin of the object tests (test_objects.c), built twice from this
 * file: OBJECTS_BUILD is the number each answer carries.  Its state moves
 * across builds as 4 bytes, the count of items made so far; its items and
 * the host's marks it keeps stay with the build that has them.
 */
#include "objects_plugin.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef OBJECTS_BUILD
#error "OBJECTS_BUILD must be defined"
#endif

enum { MARKS = 64 };

struct rdy_state {
	const rdy_imports_v1 *host;
	uint32_t made;                     /* atomic: items made by this instance's builds */
	pthread_mutex_t lock;              /* over the marks */
	test_objects_marks_mark_own_t marks[MARKS];
	uint32_t nmarks;
};

struct test_objects_shelf_item {
	uint32_t count;                    /* atomic */
	char label[32];
};

int32_t test_objects_objects_instance_new(const rdy_imports_v1 *imports, test_objects_objects_state_t **state)
{
	struct rdy_state *s = calloc(1, sizeof *s);
	if (!s || pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return RDY_ETRAP;
	}
	s->host = imports;
	*state = s;
	return RDY_OK;
}

/* The marks it kept go with the build: each is dropped, so the host's destructor runs. */
void test_objects_objects_instance_free(test_objects_objects_state_t *s)
{
	for (uint32_t i = 0; i < s->nmarks; i++)
		test_objects_marks_mark_drop(s->host, s->marks[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void test_objects_shelf_item_destructor(test_objects_objects_state_t *s, test_objects_shelf_item_t *rep)
{
	(void)s;
	free(rep);
}

int32_t exports_test_objects_shelf_constructor_item(test_objects_objects_state_t *s, const rdy_string_t *label,
						    test_objects_shelf_item_t **ret)
{
	test_objects_shelf_item_t *it = calloc(1, sizeof *it);
	if (!it)
		return RDY_ETRAP;
	size_t n = label->len < sizeof it->label - 1 ? label->len : sizeof it->label - 1;
	memcpy(it->label, label->ptr, n);
	__atomic_add_fetch(&s->made, 1, __ATOMIC_RELAXED);
	*ret = it;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_method_item_made_by(test_objects_objects_state_t *s,
						       test_objects_shelf_item_t *self, uint32_t *ret)
{
	(void)s;
	(void)self;
	*ret = OBJECTS_BUILD;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_method_item_bump(test_objects_objects_state_t *s, test_objects_shelf_item_t *self,
						    uint32_t n, uint32_t *ret)
{
	(void)s;
	*ret = __atomic_add_fetch(&self->count, n, __ATOMIC_RELAXED);
	return RDY_OK;
}

int32_t exports_test_objects_shelf_serving(test_objects_objects_state_t *s, uint32_t *ret)
{
	(void)s;
	*ret = OBJECTS_BUILD;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_keep(test_objects_objects_state_t *s, test_objects_marks_mark_own_t m)
{
	pthread_mutex_lock(&s->lock);
	bool room = s->nmarks < MARKS;
	if (room)
		s->marks[s->nmarks++] = m;
	pthread_mutex_unlock(&s->lock);
	if (!room)
		test_objects_marks_mark_drop(s->host, m);
	return room ? RDY_OK : RDY_ETRAP;
}

int32_t exports_test_objects_shelf_sum(test_objects_objects_state_t *s, test_objects_shelf_item_t *a,
				       test_objects_shelf_item_t *b, uint32_t *ret)
{
	(void)s;
	*ret = __atomic_load_n(&a->count, __ATOMIC_RELAXED) + __atomic_load_n(&b->count, __ATOMIC_RELAXED);
	return RDY_OK;
}

int32_t exports_rdy_reload_state_save(test_objects_objects_state_t *s, test_objects_objects_list_u8_t *ret)
{
	uint8_t *buf = malloc(4);
	if (!buf)
		return RDY_ETRAP;
	uint32_t made = __atomic_load_n(&s->made, __ATOMIC_RELAXED);
	memcpy(buf, &made, 4);
	ret->ptr = buf;
	ret->len = 4;
	return RDY_OK;
}

int32_t exports_rdy_reload_state_restore(test_objects_objects_state_t *s, const test_objects_objects_list_u8_t *state,
					 test_objects_objects_result_void_string_t *ret)
{
	memset(ret, 0, sizeof *ret);
	if (state->len != 4) {
		static const char msg[] = "the state is not 4 bytes";
		ret->is_err = 1;
		return rdy_string_dup(&ret->val.err, msg, sizeof msg - 1) ? RDY_OK : RDY_ETRAP;
	}
	uint32_t made;
	memcpy(&made, state->ptr, 4);
	__atomic_store_n(&s->made, made, __ATOMIC_RELAXED);
	return RDY_OK;
}
