/*
 * The reload tests' plugin, built several times from this one file:
 * RELOAD_BUILD is the number every answer carries; RELOAD_FAIL_INIT makes
 * instance_new trap, RELOAD_FAIL_RESTORE makes restore refuse the state.
 * Calls come from many threads at once: the count is atomic, the names
 * under a mutex.
 *
 * The state moves across builds as: the count, 8 bytes little-endian, the
 * number of restores, 4; then per name its length, 4, and its bytes.
 */
#include "app_plugin.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef RELOAD_BUILD
#error "RELOAD_BUILD must be defined"
#endif

struct rdy_state {
	const rdy_imports_v1 *host;
	uint64_t count;                    /* atomic */
	uint32_t restores;                 /* set before any call reaches the instance */
	pthread_mutex_t lock;              /* over the names */
	rdy_string_t *names;
	uint32_t nnames;
};

int32_t test_reload_app_instance_new(const rdy_imports_v1 *imports, test_reload_app_state_t **state)
{
#ifdef RELOAD_FAIL_INIT
	(void)imports;
	(void)state;
	return RDY_ETRAP;
#else
	struct rdy_state *s = calloc(1, sizeof *s);
	if (!s || pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return RDY_ETRAP;
	}
	s->host = imports;
	*state = s;
	return RDY_OK;
#endif
}

void test_reload_app_instance_free(test_reload_app_state_t *s)
{
	for (uint32_t i = 0; i < s->nnames; i++)
		free((char *)s->names[i].ptr);
	free(s->names);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int32_t exports_test_reload_counter_add(test_reload_app_state_t *s, uint32_t n, test_reload_counter_served_t *ret)
{
	ret->build = RELOAD_BUILD;
	ret->restores = s->restores;
	ret->count = __atomic_add_fetch(&s->count, n, __ATOMIC_RELAXED);
	return RDY_OK;
}

/* Appends a copy of LEN bytes at P; false when memory runs out.  Under the lock. */
static bool append(test_reload_app_state_t *s, const char *p, size_t len)
{
	rdy_string_t copy;
	rdy_string_t *v = realloc(s->names, (s->nnames + 1) * sizeof *v);
	if (!v)
		return false;
	s->names = v;
	if (!rdy_string_dup(&copy, p, len))
		return false;
	s->names[s->nnames++] = copy;
	return true;
}

int32_t exports_test_reload_counter_push(test_reload_app_state_t *s, const rdy_string_t *name)
{
	pthread_mutex_lock(&s->lock);
	bool ok = append(s, name->ptr, name->len);
	pthread_mutex_unlock(&s->lock);
	if (ok && test_reload_host_has_hook(s->host))
		return test_reload_host_hook(s->host);
	return ok ? RDY_OK : RDY_ETRAP;
}

int32_t exports_test_reload_counter_names(test_reload_app_state_t *s, test_reload_app_list_string_t *ret)
{
	pthread_mutex_lock(&s->lock);
	test_reload_app_list_string_t all = { (rdy_string_t *)s->names, s->nnames };
	bool ok = test_reload_app_list_string_copy(ret, &all);
	pthread_mutex_unlock(&s->lock);
	return ok ? RDY_OK : RDY_ETRAP;
}

static void put(uint8_t **p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

#ifndef RELOAD_FAIL_RESTORE
static uint64_t get(const uint8_t **p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)*(*p)++ << (8 * i);
	return v;
}
#endif

int32_t exports_rdy_reload_state_save(test_reload_app_state_t *s, test_reload_app_list_u8_t *ret)
{
	pthread_mutex_lock(&s->lock);
	size_t len = 12;
	for (uint32_t i = 0; i < s->nnames; i++)
		len += 4 + s->names[i].len;
	uint8_t *buf = malloc(len), *p = buf;
	if (buf) {
		put(&p, __atomic_load_n(&s->count, __ATOMIC_RELAXED), 8);
		put(&p, s->restores, 4);
		for (uint32_t i = 0; i < s->nnames; i++) {
			put(&p, s->names[i].len, 4);
			memcpy(p, s->names[i].ptr, s->names[i].len);
			p += s->names[i].len;
		}
	}
	pthread_mutex_unlock(&s->lock);
	ret->ptr = buf;
	ret->len = buf ? len : 0;
	return buf ? RDY_OK : RDY_ETRAP;
}

/* An error result whose message is the NUL-terminated MSG. */
static int32_t refuse(test_reload_app_result_void_string_t *ret, const char *msg)
{
	ret->is_err = 1;
	return rdy_string_dup(&ret->val.err, msg, strlen(msg)) ? RDY_OK : RDY_ETRAP;
}

int32_t exports_rdy_reload_state_restore(test_reload_app_state_t *s, const test_reload_app_list_u8_t *state,
					 test_reload_app_result_void_string_t *ret)
{
	memset(ret, 0, sizeof *ret);
#ifdef RELOAD_FAIL_RESTORE
	(void)s;
	(void)state;
	return refuse(ret, "this build reads no earlier build's state");
#else
	const uint8_t *p = state->ptr, *end = state->ptr + state->len;
	if (state->len < 12)
		return refuse(ret, "the state is shorter than its count");
	uint64_t count = get(&p, 8);
	uint32_t restores = (uint32_t)get(&p, 4);
	pthread_mutex_lock(&s->lock);
	bool ok = true;
	while (ok && p < end) {
		if (end - p < 4) {
			ok = false;
			break;
		}
		uint32_t len = (uint32_t)get(&p, 4);
		ok = (size_t)(end - p) >= len && append(s, (const char *)p, len);
		p += ok ? len : 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		return refuse(ret, "the state's names are cut short");
	__atomic_store_n(&s->count, count, __ATOMIC_RELAXED);
	s->restores = restores + 1;
	return RDY_OK;
#endif
}
