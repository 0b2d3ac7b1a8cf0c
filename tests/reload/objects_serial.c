/*
 * A plugin of the wit-objects world (test_objects_edges.c) that checks
 * docs/abi.md §7.3: instance_new and instance_free never run concurrently.
 * One file, loaded once however many builds of it serve (a reload to the
 * same file gives the same object), so its globals see every build.
 *
 * An item labelled "arm" arms the check: the next instance_free marks
 * itself running and waits up to a second, and an instance_new waits up to
 * a second for one to run.  An instance_new that finds an instance_free
 * running returns RDY_ETRAP: the host sees `instance_new trapped`.
 */
#include "objects_plugin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rdy_state {
	const rdy_imports_v1 *host;
	uint32_t made;
	test_objects_marks_mark_own_t marks[64];
	uint32_t nmarks;
};

struct test_objects_shelf_item {
	uint32_t count;
};

static int armed, freeing, seen; /* atomic */

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
}

int32_t test_objects_objects_instance_new(const rdy_imports_v1 *imports, test_objects_objects_state_t **state)
{
	bool overlap = __atomic_load_n(&freeing, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 1000 && !overlap && __atomic_load_n(&armed, __ATOMIC_SEQ_CST); i++) {
		nap();
		overlap = __atomic_load_n(&freeing, __ATOMIC_SEQ_CST);
	}
	if (overlap) {
		__atomic_store_n(&seen, 1, __ATOMIC_SEQ_CST);
		return RDY_ETRAP;
	}
	struct rdy_state *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->host = imports;
	*state = s;
	return RDY_OK;
}

void test_objects_objects_instance_free(test_objects_objects_state_t *s)
{
	if (__atomic_load_n(&armed, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&freeing, 1, __ATOMIC_SEQ_CST);
		for (int i = 0; i < 1000 && !__atomic_load_n(&seen, __ATOMIC_SEQ_CST); i++)
			nap();
		__atomic_store_n(&freeing, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
	}
	for (uint32_t i = 0; i < s->nmarks; i++)
		test_objects_marks_mark_drop(s->host, s->marks[i]);
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
	if (label->len == 3 && !memcmp(label->ptr, "arm", 3))
		__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	test_objects_shelf_item_t *it = calloc(1, sizeof *it);
	if (!it)
		return RDY_ETRAP;
	s->made++;
	*ret = it;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_method_item_made_by(test_objects_objects_state_t *s,
						       test_objects_shelf_item_t *self, uint32_t *ret)
{
	(void)s;
	(void)self;
	*ret = 9;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_method_item_bump(test_objects_objects_state_t *s, test_objects_shelf_item_t *self,
						    uint32_t n, uint32_t *ret)
{
	(void)s;
	*ret = self->count += n;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_serving(test_objects_objects_state_t *s, uint32_t *ret)
{
	(void)s;
	*ret = 9;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_keep(test_objects_objects_state_t *s, test_objects_marks_mark_own_t m)
{
	if (s->nmarks == 64) {
		test_objects_marks_mark_drop(s->host, m);
		return RDY_ETRAP;
	}
	s->marks[s->nmarks++] = m;
	return RDY_OK;
}

int32_t exports_test_objects_shelf_sum(test_objects_objects_state_t *s, test_objects_shelf_item_t *a,
				       test_objects_shelf_item_t *b, uint32_t *ret)
{
	(void)s;
	*ret = a->count + b->count;
	return RDY_OK;
}

int32_t exports_rdy_reload_state_save(test_objects_objects_state_t *s, test_objects_objects_list_u8_t *ret)
{
	(void)s;
	ret->ptr = NULL;
	ret->len = 0;
	return RDY_OK;
}

int32_t exports_rdy_reload_state_restore(test_objects_objects_state_t *s, const test_objects_objects_list_u8_t *state,
					 test_objects_objects_result_void_string_t *ret)
{
	(void)s;
	(void)state;
	memset(ret, 0, sizeof *ret);
	return RDY_OK;
}
