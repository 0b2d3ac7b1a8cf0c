/*
 * Arena allocation and name interning for one resolution.
 *
 * Every allocation of a resolution comes from its arena and is released by
 * rdy__arena_free in one place.  Running out of memory is not reported by
 * return value: the arena calls its `oom` hook, which does not return
 * (the front end longjmps to the API boundary, as Lua's luaD_throw does).
 */
#ifndef RDY_WIT_ARENA_H
#define RDY_WIT_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct rdy__chunk rdy__chunk;

typedef struct rdy__arena {
	rdy__chunk *head;                  /* newest chunk; older ones follow */
	void (*oom)(void *ud);             /* called when malloc fails; must not return */
	void *ud;
	size_t total;                      /* bytes obtained from malloc */
	size_t limit;                      /* 0, or a cap on total (fuzzing) */
	size_t chunk;                      /* smallest chunk to ask malloc for */
	uint32_t fail_at;                  /* 0, or fail the fail_at-th chunk (fault injection) */
	uint32_t chunks;                   /* chunks obtained so far */
} rdy__arena;

void rdy__arena_init(rdy__arena *a, void (*oom)(void *), void *ud);
void rdy__arena_free(rdy__arena *a);
void *rdy__alloc(rdy__arena *a, size_t size);          /* zeroed, aligned to 16 */
void *rdy__allocn(rdy__arena *a, size_t n, size_t size); /* checked n*size */
char *rdy__strndup(rdy__arena *a, const char *s, size_t len);
char *rdy__sprintf(rdy__arena *a, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Growable arrays living in an arena: `T *v; uint32_t n, cap;` fields used
 * through RDY_PUSH.  Growth copies into a new block; the old block stays in
 * the arena until the resolution is freed (arrays here are small).
 */
void rdy__reserve(rdy__arena *a, void *vp, uint32_t n, uint32_t *cap, size_t elem);
#define RDY_PUSH(a, v, n, cap) \
	(rdy__reserve((a), &(v), (n), &(cap), sizeof *(v)), &(v)[(n)++])

/*
 * Interned names: equal strings intern to the same pointer, so names are
 * compared with ==.  The table belongs to the arena's owner.
 */
typedef struct rdy__strtab {
	const char **slots;                /* open addressing, NULL = empty */
	uint32_t cap, count;
	rdy__arena *arena;
} rdy__strtab;

void rdy__strtab_init(rdy__strtab *t, rdy__arena *a);
const char *rdy__intern(rdy__strtab *t, const char *s, size_t len);
const char *rdy__internz(rdy__strtab *t, const char *s);

#endif
