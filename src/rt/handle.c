/*
 * The handle table (docs/abi.md §4): one per process, so that a handle of
 * any instance can be told apart from every other, and refused rather than
 * dereferenced when it is stale, of another type or of another instance.
 *
 * A handle is a slot index (low 20 bits, never 0) and a generation (high
 * 12).  Slots live in pages of 1,024 that never move, so generated code
 * checks a handle inline (rdy_handle_lend in rdy.h) while other threads
 * make and drop handles: a slot's key, the handle, its type and its state
 * in one 64-bit word, is read and written atomically.  Freed slots queue
 * up and the one freed longest ago is reused first, which keeps a stale
 * handle detectable for as long as possible; its generation moves on by
 * one at each reuse, skipping 0, so 4,095 reuses pass before it repeats.
 *
 * Changes to the table take one lock.  No plugin code runs under it: a
 * destructor runs after its slot is freed, so it may drop other handles.
 *
 * Lends: a call that borrows a handle records it in its thread's list
 * (rdy__lends) for its duration, and a drop or take of a lent handle from
 * that thread, through a callback, is refused.
 */
#include "rt/rt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum {
	INDEX_BITS = 20,
	INDEX_MASK = (1u << INDEX_BITS) - 1,
	PAGE_SLOTS = 1u << RDY__PAGE_BITS,
	GEN_MAX = (1u << (32 - INDEX_BITS)) - 1,
	SLOT_FREE = 0,                     /* free: dropped or taken, or never used (key 0) */
	SLOT_ENDED = 0x20,                 /* free: a borrow whose call returned */
};

RDY_API rdy_handle_slot *rdy__handle_pages[RDY__PAGES];
RDY_API RDY_THREAD_LOCAL rdy__lends_t rdy__lends;
RDY_API RDY_THREAD_LOCAL rdy_instance *rdy__calling;
static RDY_THREAD_LOCAL char message[512];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t fresh = 1;                 /* the next slot never used; slot 0 never is */
static uint32_t free_head, free_tail;      /* freed slots, oldest first, linked by next */

static uint64_t key_of(uint32_t h, uint32_t res, uint32_t state)
{
	return (uint64_t)h << 32 | (uint64_t)(res & 0xffffffu) << 8 | state;
}

static uint32_t key_handle(uint64_t k)
{
	return (uint32_t)(k >> 32);
}

static uint32_t key_res(uint64_t k)
{
	return (uint32_t)(k >> 8) & 0xffffffu;
}

static uint32_t key_state(uint64_t k)
{
	return (uint32_t)k & 0xffu;
}

/* The slot of index I, or NULL when its page was never made. */
static rdy_handle_slot *slot_at(uint32_t i)
{
	rdy_handle_slot *page = __atomic_load_n(&rdy__handle_pages[(i >> RDY__PAGE_BITS) & (RDY__PAGES - 1)],
						__ATOMIC_ACQUIRE);
	return page ? &page[i & (PAGE_SLOTS - 1)] : NULL;
}

static uint64_t load_key(const rdy_handle_slot *s)
{
	return __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
}

static void store_key(rdy_handle_slot *s, uint64_t k)
{
	__atomic_store_n(&s->key, k, __ATOMIC_RELEASE);
}

static int32_t refuse(const rdy_instance *inst, int32_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets this thread's message, "PATH: " and FMT, and returns CODE. */
static int32_t refuse(const rdy_instance *inst, int32_t code, const char *fmt, ...)
{
	int n = snprintf(message, sizeof message, "%s: ", inst ? inst->module->path : "rdy");
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof message)
		vsnprintf(message + n, sizeof message - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

RDY_API rdy_instance *rdy_instance_calling(void)
{
	return rdy__calling;
}

RDY_API const char *rdy_handle_error(void)
{
	return message;
}

/* This thread's lend of H, if any. */
static bool lent(uint32_t h)
{
	for (uint32_t i = 0; i < rdy__lends.n; i++)
		if (rdy__lends.h[i] == h)
			return true;
	return false;
}

/*
 * Why H cannot be used as a handle of INST's resource RES, as a status and
 * this thread's message; RDY_OK when it can.  Needs no lock: a race with a
 * drop of H is the host's (rdy.h, "Threads").
 */
static int32_t check(const rdy_instance *inst, uint32_t res, uint32_t h, rdy_handle_slot **out)
{
	if (!inst)
		return refuse(NULL, RDY_EINVAL, "handle 0x%08x: no instance", h);
	uint32_t i = h & INDEX_MASK;
	if (!h)
		return refuse(inst, RDY_EHANDLE, "handle 0 is never valid");
	rdy_handle_slot *s = i ? slot_at(i) : NULL;
	uint64_t k = s ? load_key(s) : 0;
	if (!s || !k)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x was never issued", h);
	/* Read once: a slot another thread frees meanwhile is stale, never a NULL dereference. */
	const rdy_instance *owner = __atomic_load_n(&s->inst, __ATOMIC_RELAXED);
	if (key_handle(k) == h && key_state(k) == SLOT_ENDED)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x is stale: it was lent for a call that has returned", h);
	if (key_handle(k) != h || key_state(k) == SLOT_FREE)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x is stale: it was dropped", h);
	if (key_state(k) == RDY__SLOT_DEAD)
		return refuse(inst, RDY_EDEAD, "handle 0x%08x is dead: its instance was freed by force", h);
	if (!owner)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x is stale: it was dropped", h);
	if (owner != inst && owner->lv && owner->lv == inst->lv)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x is of an object of build %u, and build %u serves this call: "
			      "objects of two builds cannot meet in one call", h, owner->build.build, inst->build.build);
	if (owner != inst)
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x belongs to another instance, of %s", h,
			      owner->module->path);
	if (key_res(k) != res) {
		char want[300], have[300];
		rdy__res_name(inst->module, res, want, sizeof want);
		rdy__res_name(inst->module, key_res(k), have, sizeof have);
		return refuse(inst, RDY_EHANDLE, "handle 0x%08x is a %s, not a %s", h, have, want);
	}
	*out = s;
	return RDY_OK;
}

rdy_instance *rdy__handle_owner(uint32_t h)
{
	rdy_handle_slot *s = (h & INDEX_MASK) ? slot_at(h & INDEX_MASK) : NULL;
	uint64_t k = s ? load_key(s) : 0;
	/* Only H's own slot, live or dead: a stale handle routes nowhere, and check() refuses it. */
	if (key_handle(k) != h || (key_state(k) != RDY__SLOT_LIVE && key_state(k) != RDY__SLOT_DEAD))
		return NULL;
	return __atomic_load_n(&s->inst, __ATOMIC_RELAXED);
}

/*
 * The build that handle H names through INST: for the host's record of a
 * reloadable instance, the build of the instance that made H (one swapped
 * out serves its objects until they are gone), else the build serving;
 * for anything else INST itself.  Unchecked: check() refuses what is wrong.
 */
static rdy_instance *route(rdy_instance *inst, uint32_t h)
{
	if (!inst || !inst->lv || inst != inst->lv->anchor)
		return inst;
	rdy_instance *o = rdy__handle_owner(h);
	return o && o->lv == inst->lv ? o : rdy__serving(inst);
}

RDY_API int32_t rdy__handle_lend_slow(rdy_instance *inst, uint32_t res, uint32_t h, void **rep)
{
	inst = route(inst, h);
	rdy_handle_slot *s;
	int32_t st = check(inst, res, h, &s);
	if (st != RDY_OK)
		return st;
	rdy__lends_t *l = &rdy__lends;
	if (l->n == RDY__LENDS)
		return refuse(inst, RDY_EBUSY, "handle 0x%08x: %d handles are lent to calls in progress on this thread "
					       "already", h, RDY__LENDS);
	l->h[l->n++] = h;
	*rep = s->rep;
	return RDY_OK;
}

RDY_API int32_t rdy_handle_rep(rdy_instance *inst, uint32_t res, uint32_t h, void **rep)
{
	inst = route(inst, h);
	rdy_handle_slot *s;
	int32_t st = check(inst, res, h, &s);
	if (st == RDY_OK)
		*rep = s->rep;
	return st;
}

/* A slot for a new handle, its generation moved on; under the lock.  NULL when the table is full. */
static rdy_handle_slot *slot_new(uint32_t *h)
{
	uint32_t i;
	rdy_handle_slot *s;
	if (free_head) {
		i = free_head;
		s = slot_at(i);
		free_head = s->next;
		if (!free_head)
			free_tail = 0;
	} else {
		if (fresh > INDEX_MASK)
			return NULL;
		i = fresh;
		rdy_handle_slot **pp = &rdy__handle_pages[i >> RDY__PAGE_BITS];
		if (!*pp) {
			rdy_handle_slot *page = calloc(PAGE_SLOTS, sizeof *page);
			if (!page)
				return NULL;
			__atomic_store_n(pp, page, __ATOMIC_RELEASE);
		}
		fresh++;
		s = slot_at(i);
	}
	uint32_t gen = key_handle(load_key(s)) >> INDEX_BITS;
	gen = gen >= GEN_MAX ? 1 : gen + 1;
	*h = gen << INDEX_BITS | i;
	return s;
}

/* Puts S, of handle H, at the end of the free queue, remembering H and how it ended; under the lock. */
static void slot_free(rdy_handle_slot *s, uint32_t h, uint32_t res, uint32_t state)
{
	s->next = 0;
	s->prev = 0;
	s->rep = NULL;
	__atomic_store_n(&s->inst, NULL, __ATOMIC_RELAXED);
	store_key(s, key_of(h, res, state));
	uint32_t i = h & INDEX_MASK;
	if (free_tail)
		slot_at(free_tail)->next = i;
	else
		free_head = i;
	free_tail = i;
}

/* An instance's list of slots (its live handles, or its dead ones), linked by index; under the lock. */
static void list_add(uint32_t *head, uint32_t *count, rdy_handle_slot *s, uint32_t i)
{
	s->prev = 0;
	s->next = *head;
	if (*head)
		slot_at(*head)->prev = i;
	*head = i;
	++*count;
}

static void list_remove(uint32_t *head, uint32_t *count, rdy_handle_slot *s)
{
	if (s->prev)
		slot_at(s->prev)->next = s->next;
	else
		*head = s->next;
	if (s->next)
		slot_at(s->next)->prev = s->prev;
	--*count;
}

/* Whether handle type RES of INST's world is an object of the plugin's (an exported resource). */
static bool is_object(const rdy_instance *inst, uint32_t res)
{
	return res < inst->module->world->nresources;
}

/* INST's list of live handles, and its count of objects among them; under the lock. */
static void live_add(rdy_instance *inst, rdy_handle_slot *s, uint32_t i, uint32_t res)
{
	list_add(&inst->first, &inst->nhandles, s, i);
	inst->nobjects += is_object(inst, res);
}

static void live_remove(rdy_instance *inst, rdy_handle_slot *s, uint32_t res)
{
	list_remove(&inst->first, &inst->nhandles, s);
	inst->nobjects -= is_object(inst, res);
}

/* A new handle of STATE, own or borrow. */
static int32_t handle_new(rdy_instance *inst, uint32_t res, void *rep, uint32_t state, uint32_t *handle)
{
	if (!inst)
		return refuse(NULL, RDY_EINVAL, "a new handle: no instance");
	if (res >= rdy__ntypes(inst->module))
		return refuse(inst, RDY_EINVAL, "a new handle: no resource %u", res);
	if (__atomic_load_n(&inst->closing, __ATOMIC_ACQUIRE))
		return refuse(inst, RDY_EDEAD, "no new handle: the instance is being freed or was freed by force");
	pthread_mutex_lock(&lock);
	uint32_t h;
	rdy_handle_slot *s = slot_new(&h);
	if (s) {
		s->rep = rep;
		__atomic_store_n(&s->inst, inst, __ATOMIC_RELAXED);
		live_add(inst, s, h & INDEX_MASK, res);
		store_key(s, key_of(h, res, state));
		*handle = h;
	}
	pthread_mutex_unlock(&lock);
	if (!s)
		return refuse(inst, RDY_ENOMEM, fresh > INDEX_MASK ? "the handle table is full: %u live handles"
								  : "out of memory", INDEX_MASK);
	return RDY_OK;
}

RDY_API int32_t rdy_handle_new(rdy_instance *inst, uint32_t res, void *rep, uint32_t *handle)
{
	inst = rdy__serving(inst); /* a reloadable instance: its build serving now */
	return handle_new(inst, res, rep, RDY__SLOT_LIVE, handle);
}

RDY_API int32_t rdy_handle_borrow(rdy_instance *inst, uint32_t res, void *rep, uint32_t *handle)
{
	inst = rdy__serving(inst); /* a reloadable instance: its build serving now */
	return handle_new(inst, res, rep, RDY__SLOT_BORROW, handle);
}

RDY_API void rdy_handle_end(rdy_instance *inst, uint32_t h)
{
	inst = route(inst, h);
	rdy_handle_slot *s = (h & INDEX_MASK) ? slot_at(h & INDEX_MASK) : NULL;
	if (!s || !inst)
		return;
	pthread_mutex_lock(&lock);
	uint64_t k = load_key(s);
	/* Only a borrow of INST's ends (a dead one too): anything else is left as it is. */
	if (key_handle(k) == h && s->inst == inst &&
	    (key_state(k) == RDY__SLOT_BORROW || key_state(k) == RDY__SLOT_DEAD)) {
		if (key_state(k) == RDY__SLOT_BORROW)
			live_remove(s->inst, s, key_res(k));
		else
			list_remove(&s->inst->dead_first, &s->inst->ndead, s);
		slot_free(s, h, key_res(k), SLOT_ENDED);
	}
	pthread_mutex_unlock(&lock);
}

/*
 * Frees own handle H for a drop or a take, giving its rep; under no lock.
 * A drop frees a dead handle's slot too (*DEAD set); a take of one is
 * refused, and changes nothing, as every refusal.
 */
static int32_t release(rdy_instance *inst, uint32_t res, uint32_t h, bool drop, void **rep, bool *dead)
{
	if (lent(h)) {
		rdy_handle_slot *s;
		int32_t st = check(inst, res, h, &s);
		return st != RDY_OK ? st : refuse(inst, RDY_EBUSY, "handle 0x%08x is lent to a call in progress", h);
	}
	pthread_mutex_lock(&lock);
	rdy_handle_slot *s = NULL;
	int32_t st = check(inst, res, h, &s);
	/* A dead handle is the host's to free: it has no object any more, only its slot. */
	if (st == RDY_EDEAD && drop) {
		s = slot_at(h & INDEX_MASK);
		if (s->inst != inst) {
			st = refuse(inst, RDY_EHANDLE, "handle 0x%08x belongs to another instance, of %s", h,
				    s->inst->module->path);
		} else if (key_res(load_key(s)) == res) {
			list_remove(&inst->dead_first, &inst->ndead, s);
			slot_free(s, h, res, SLOT_FREE);
			*dead = true;
			st = RDY_OK;
		}
	} else if (st == RDY_OK && key_state(load_key(s)) == RDY__SLOT_BORROW) {
		st = refuse(inst, RDY_EHANDLE, "handle 0x%08x is a borrow: only an own handle can be dropped or given away",
			    h);
	} else if (st == RDY_OK) {
		*rep = s->rep;
		live_remove(inst, s, res);
		slot_free(s, h, res, SLOT_FREE);
	}
	pthread_mutex_unlock(&lock);
	return st;
}

/* The destructor of REP, of handle type RES of INST's module: the host's or the plugin's. */
static void destroy(rdy_instance *inst, uint32_t res, void *rep)
{
	const rdy_module *m = inst->module;
	const rdy_world *w = m->world;
	if (res >= w->nresources && res - w->nresources < w->niresources) {
		if (inst->drops && inst->drops[res - w->nresources]) {
			rdy_instance *prev = rdy__calling; /* the destructor's instance, for rdy_instance_calling */
			rdy__calling = inst;
			inst->drops[res - w->nresources](inst->ctx, rep);
			rdy__calling = prev;
		}
		return;
	}
	uint32_t p = m->v->res_rmap ? m->v->res_rmap[res] : UINT32_MAX;
	if (p != UINT32_MAX && m->has_resources && !inst->dead)
		m->root->resources[p].drop(inst->self, rep);
}

RDY_API void rdy__handle_orphan(rdy_instance *inst, uint32_t res, void *rep)
{
	inst = rdy__serving(inst); /* a reloadable instance: its build serving now */
	if (inst && res < rdy__ntypes(inst->module))
		destroy(inst, res, rep);
}

/*
 * A drop or take through the host's record of a reloadable instance LV:
 * counted as a call into it, so that a reload waits for the destructor,
 * and, for an object of a build swapped out, as a call into that build,
 * which may retire once the call is over.
 */
static int32_t release_live(rdy__live *lv, uint32_t res, uint32_t h, bool drop, void **rep)
{
	const rdy_build *b = rdy_live_enter(&lv->pub);
	if (!b)
		return refuse(lv->anchor, RDY_EBUSY, "handle 0x%08x: calls nest deeper than %d on this thread", h,
			      RDY__DEPTH);
	rdy_instance *cur = b->instance, *o = rdy__handle_owner(h);
	if (!o || o->lv != lv || o == cur || !__atomic_load_n(&o->retiring, __ATOMIC_ACQUIRE))
		o = cur;
	if (o != cur)
		__atomic_add_fetch(&o->calls, 1, __ATOMIC_SEQ_CST);
	void *r = NULL;
	bool dead = false;
	int32_t st = release(o, res, h, drop, &r, &dead);
	if (st == RDY_OK && drop && !dead)
		destroy(o, res, r);
	if (st == RDY_OK && !drop)
		*rep = r;
	rdy_live_leave();
	if (o != cur) {
		__atomic_sub_fetch(&o->calls, 1, __ATOMIC_SEQ_CST);
		rdy__settle(lv);
	}
	return st;
}

RDY_API int32_t rdy_handle_drop(rdy_instance *inst, uint32_t res, uint32_t h)
{
	if (inst && inst->lv && inst == inst->lv->anchor)
		return release_live(inst->lv, res, h, true, NULL);
	void *rep = NULL;
	bool dead = false;
	int32_t st = release(inst, res, h, true, &rep, &dead);
	if (st == RDY_OK && !dead)
		destroy(inst, res, rep);
	return st;
}

RDY_API int32_t rdy_handle_take(rdy_instance *inst, uint32_t res, uint32_t h, void **rep)
{
	if (inst && inst->lv && inst == inst->lv->anchor)
		return release_live(inst->lv, res, h, false, rep);
	bool dead = false;
	return release(inst, res, h, false, rep, &dead);
}

RDY_API uint32_t rdy_instance_nhandles(const rdy_instance *inst)
{
	inst = rdy__serving((rdy_instance *)inst);
	if (!inst)
		return 0;
	pthread_mutex_lock(&lock);
	uint32_t n = inst->nhandles;
	pthread_mutex_unlock(&lock);
	return n;
}

uint32_t rdy__handles_objects(rdy_instance *inst)
{
	pthread_mutex_lock(&lock);
	uint32_t n = inst->nobjects;
	pthread_mutex_unlock(&lock);
	return n;
}

int rdy__handles_busy(rdy_instance *inst, rdy_error **err)
{
	pthread_mutex_lock(&lock);
	uint32_t n = inst->nhandles;
	if (!n) {
		pthread_mutex_unlock(&lock);
		return RDY_OK;
	}
	uint32_t ntypes = rdy__ntypes(inst->module);
	uint32_t *count = calloc(ntypes, sizeof *count);
	if (count)
		for (uint32_t i = inst->first; i; i = slot_at(i)->next)
			count[key_res(load_key(slot_at(i)))]++;
	pthread_mutex_unlock(&lock);
	if (!count)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", inst->module->path);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		fprintf(f, "%s: %u handle%s still live:", inst->module->path, n, n == 1 ? " is" : "s are");
		const char *sep = " ";
		for (uint32_t r = 0; r < ntypes; r++) {
			if (!count[r])
				continue;
			char name[300];
			rdy__res_name(inst->module, r, name, sizeof name);
			fprintf(f, "%s%u %s", sep, count[r], name);
			sep = ", ";
		}
		if (fclose(f))
			text = NULL;
	}
	free(count);
	int rc = text ? rdy__fail(err, RDY_EBUSY, "%s", text) : rdy__fail(err, RDY_ENOMEM, "%s: out of memory",
									   inst->module->path);
	free(text);
	return rc;
}

void rdy__handles_kill(rdy_instance *inst)
{
	/* Each destructor runs with the lock released, since it may drop other handles of INST. */
	for (;;) {
		pthread_mutex_lock(&lock);
		uint32_t i = inst->first;
		if (!i) {
			pthread_mutex_unlock(&lock);
			return;
		}
		rdy_handle_slot *s = slot_at(i);
		uint64_t k = load_key(s);
		void *rep = s->rep;
		const rdy_world *w = inst->module->world;
		bool held = key_state(k) == RDY__SLOT_LIVE && key_res(k) >= w->nresources &&
			    key_res(k) - w->nresources < w->niresources;
		live_remove(inst, s, key_res(k));
		if (held) { /* the host's object, held by the plugin: its holder is gone, and so is the handle */
			slot_free(s, key_handle(k), key_res(k), SLOT_FREE);
		} else {    /* the host holds it, or a call in progress borrows it: dead until dropped or ended */
			list_add(&inst->dead_first, &inst->ndead, s, i);
			s->rep = NULL;
			store_key(s, key_of(key_handle(k), key_res(k), RDY__SLOT_DEAD));
		}
		pthread_mutex_unlock(&lock);
		if (key_state(k) == RDY__SLOT_LIVE) /* a borrow's object is its owner's */
			destroy(inst, key_res(k), rep);
	}
}

void rdy__handles_free_dead(rdy_instance *inst)
{
	pthread_mutex_lock(&lock);
	while (inst->dead_first) {
		rdy_handle_slot *s = slot_at(inst->dead_first);
		uint64_t k = load_key(s);
		list_remove(&inst->dead_first, &inst->ndead, s);
		slot_free(s, key_handle(k), key_res(k), SLOT_FREE);
	}
	pthread_mutex_unlock(&lock);
}

/* ---- the functions plugins call, through rdy_imports_v1.handles ---------------------- */

/* Handle type of the plugin's resource P (its exported ones, then its imported ones), or UINT32_MAX. */
static uint32_t plugin_res(const rdy_instance *inst, uint32_t p)
{
	const rdy__verified *v = inst->module->v;
	if (p < v->nresources)
		return v->res_map[p];
	return p - v->nresources < v->niresources ? v->ires_map[p - v->nresources] : UINT32_MAX;
}

/* The handle type of the plugin's resource P in *RES, or a refusal. */
static int32_t plugin_res_of(rdy_instance *inst, uint32_t p, uint32_t *res)
{
	*res = plugin_res(inst, p);
	return *res == UINT32_MAX ? refuse(inst, RDY_EINVAL, "the plugin has no resource %u", p) : RDY_OK;
}

static int32_t p_own_new(void *rt, uint32_t p, void *rep, uint32_t *h)
{
	uint32_t res;
	int32_t st = plugin_res_of(rt, p, &res);
	return st != RDY_OK ? st : rdy_handle_new(rt, res, rep, h);
}

static int32_t p_rep(void *rt, uint32_t p, uint32_t h, void **rep)
{
	uint32_t res;
	int32_t st = plugin_res_of(rt, p, &res);
	return st != RDY_OK ? st : rdy_handle_rep(rt, res, h, rep);
}

static int32_t p_take(void *rt, uint32_t p, uint32_t h, void **rep)
{
	uint32_t res;
	int32_t st = plugin_res_of(rt, p, &res);
	return st != RDY_OK ? st : rdy_handle_take(rt, res, h, rep);
}

static int32_t p_drop(void *rt, uint32_t p, uint32_t h)
{
	uint32_t res;
	int32_t st = plugin_res_of(rt, p, &res);
	return st != RDY_OK ? st : rdy_handle_drop(rt, res, h);
}

const rdy_handles_v1 rdy__handles = { p_own_new, p_rep, p_take, p_drop };
