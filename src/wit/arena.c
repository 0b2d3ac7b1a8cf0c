#include "wit/arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct rdy__chunk {
	rdy__chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

enum { CHUNK_MIN = 64 * 1024 };

void rdy__arena_init(rdy__arena *a, void (*oom)(void *), void *ud)
{
	memset(a, 0, sizeof *a);
	a->oom = oom;
	a->ud = ud;
	a->chunk = CHUNK_MIN;
}

void rdy__arena_free(rdy__arena *a)
{
	rdy__chunk *c = a->head, *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->total = 0;
}

static rdy__chunk *new_chunk(rdy__arena *a, size_t need)
{
	size_t size = need > a->chunk ? need : a->chunk;
	rdy__chunk *c = NULL;
	bool inject = a->fail_at && ++a->chunks == a->fail_at;
	if (!inject && size <= SIZE_MAX - sizeof *c && (!a->limit || a->total + size <= a->limit))
		c = calloc(1, sizeof *c + size); /* zeroed once: an arena never reuses memory */
	if (!c) {
		a->oom(a->ud);
		abort(); /* the hook must not return */
	}
	a->total += size;
	c->used = 0;
	c->size = size;
	c->next = a->head;
	a->head = c;
	return c;
}

void *rdy__alloc(rdy__arena *a, size_t size)
{
	rdy__chunk *c = a->head;
	size = (size + 15) & ~(size_t)15;
	if (size == 0)
		size = 16;
	if (!c || c->size - c->used < size)
		c = new_chunk(a, size);
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

void *rdy__allocn(rdy__arena *a, size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - 16) / size) {
		a->oom(a->ud);
		abort();
	}
	return rdy__alloc(a, n * size);
}

char *rdy__strndup(rdy__arena *a, const char *s, size_t len)
{
	char *p = rdy__alloc(a, len + 1);
	memcpy(p, s, len);
	return p;
}

char *rdy__sprintf(rdy__arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = rdy__alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void *grow(rdy__arena *a, void *v, uint32_t n, uint32_t *cap, size_t elem)
{
	uint32_t ncap = *cap ? *cap * 2 : 4;
	if (ncap < *cap) {
		a->oom(a->ud);
		abort();
	}
	void *nv = rdy__allocn(a, ncap, elem);
	if (n)
		memcpy(nv, v, (size_t)n * elem);
	*cap = ncap;
	return nv;
}

/* VP points at an array pointer of any type; its representation is copied, not punned. */
void rdy__reserve(rdy__arena *a, void *vp, uint32_t n, uint32_t *cap, size_t elem)
{
	void *v;
	if (n < *cap)
		return;
	memcpy(&v, vp, sizeof v);
	v = grow(a, v, n, cap, elem);
	memcpy(vp, &v, sizeof v);
}

void rdy__strtab_init(rdy__strtab *t, rdy__arena *a)
{
	memset(t, 0, sizeof *t);
	t->arena = a;
}

static void intern_rehash(rdy__strtab *t)
{
	uint32_t ncap = t->cap ? t->cap * 2 : 256;
	const char **slots = rdy__allocn(t->arena, ncap, sizeof *slots);
	for (uint32_t i = 0; i < t->cap; i++) {
		const char *s = t->slots[i];
		if (!s)
			continue;
		uint32_t h = (uint32_t)XXH3_64bits(s, strlen(s)) & (ncap - 1);
		while (slots[h])
			h = (h + 1) & (ncap - 1);
		slots[h] = s;
	}
	t->slots = slots;
	t->cap = ncap;
}

const char *rdy__intern(rdy__strtab *t, const char *s, size_t len)
{
	if ((t->count + 1) * 4 >= t->cap * 3)
		intern_rehash(t);
	uint32_t h = (uint32_t)XXH3_64bits(s, len) & (t->cap - 1);
	for (; t->slots[h]; h = (h + 1) & (t->cap - 1)) {
		const char *e = t->slots[h];
		if (strlen(e) == len && memcmp(e, s, len) == 0)
			return e;
	}
	t->count++;
	return t->slots[h] = rdy__strndup(t->arena, s, len);
}

const char *rdy__internz(rdy__strtab *t, const char *s)
{
	return rdy__intern(t, s, strlen(s));
}
