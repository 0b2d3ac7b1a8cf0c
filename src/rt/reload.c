/*
 * Reloading (docs/abi.md §7.5): a reloadable module's instances move to a
 * new build of the plugin while the host runs.
 *
 * Calls.  A call into a reloadable instance reads the build serving it from
 * its rdy_live, after recording on its thread, in rdy__reader, that a call
 * into that instance is running (rdy_live_enter, rdy.h).  The record is a
 * plain store, not ordered against the read by any fence: a reload orders
 * them for every thread at once with membarrier(2), which runs a full
 * barrier on each of the process's running threads.  So after a reload has
 * set an instance's build to NULL and called membarrier, every thread's
 * call into it either shows in its record, and the reload waits for it to
 * end, or reads NULL, and waits in rdy__live_enter_slow for the reload to
 * end.  This is the asymmetric fence of urcu-memb; liburcu itself is not
 * used because ThreadSanitizer cannot see its ordering and reports every
 * grace period as a race, while this code's atomics it can follow.  Where
 * membarrier is unavailable (rdy__reload_fence), every call takes the slow
 * path, which orders its record and read with sequentially consistent
 * atomics.
 *
 * A reload.  Under rdy__lock: the new file is pinned, checked and loaded
 * as any open; a new instance is made for each live one; calls are held
 * (each instance's build set to NULL) and those in flight drained; state
 * moves through rdy:reload/state; then the modules' contents are swapped,
 * so that the host's rdy_module is the new build, and the instances'
 * builds set to the new ones.  Held calls go on into them.  The old builds'
 * states are freed and their module closed as rdy_module_close would.  Any
 * failure before the swap restores the old builds and undoes the rest.
 */
#define _GNU_SOURCE
#include "rt/rt.h"
#include "rt/unload.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

RDY_API RDY_THREAD_LOCAL rdy__reader_t rdy__reader;
RDY_API int rdy__reload_fence; /* membarrier(2) is unavailable: every call takes the slow path */

/* ---- readers ------------------------------------------------------------------ */

/* Every thread that has called into a reloadable instance: the reload scans them. */
static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static rdy__reader_t **readers;
static uint32_t nreaders, capreaders;
static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;
static bool reader_key_ok;

/* Calls held by a reload wait here. */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;

static long membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

/* A thread ends: its record goes from the list, after any reload's scan of it. */
static void reader_exit(void *p)
{
	rdy__reader_t *r = p;
	pthread_mutex_lock(&readers_lock);
	for (uint32_t i = 0; i < nreaders; i++) {
		if (readers[i] == r) {
			readers[i] = readers[--nreaders];
			break;
		}
	}
	r->registered = 0;
	r->top = r->lim = NULL;
	pthread_mutex_unlock(&readers_lock);
}

static void reader_init(void)
{
	reader_key_ok = pthread_key_create(&reader_key, reader_exit) == 0;
	/* Readers need no fence once the process is registered for expedited membarriers. */
	if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
		__atomic_store_n(&rdy__reload_fence, 1, __ATOMIC_SEQ_CST);
}

/* Adds this thread's record to the list; false when memory runs out. */
static bool reader_register(rdy__reader_t *r)
{
	pthread_once(&reader_once, reader_init);
	/* The exit hook first: a record in the list must leave it when its thread ends. */
	if (!reader_key_ok || pthread_setspecific(reader_key, r) != 0)
		return false;
	pthread_mutex_lock(&readers_lock);
	bool ok = true;
	if (nreaders == capreaders) {
		uint32_t cap = capreaders ? 2 * capreaders : 16;
		rdy__reader_t **v = realloc(readers, cap * sizeof *v);
		if (v) {
			readers = v;
			capreaders = cap;
		} else {
			ok = false;
		}
	}
	if (ok) {
		readers[nreaders++] = r;
		/* Where membarrier cannot order this thread's records, its calls take the slow path. */
		r->registered = 1;
		r->top = r->in;
		r->lim = __atomic_load_n(&rdy__reload_fence, __ATOMIC_ACQUIRE) ? r->in : r->in + RDY__DEPTH;
	}
	pthread_mutex_unlock(&readers_lock);
	return ok;
}

RDY_API const rdy_build *rdy__live_enter_slow(rdy_live *live)
{
	rdy__reader_t *r = &rdy__reader;
	if (!r->registered && !reader_register(r))
		return NULL;
	uint32_t d = (uint32_t)(r->top - r->in);
	if (d >= RDY__DEPTH)
		return NULL;
	for (;;) {
		/* A sequentially consistent exchange and load: ordered whether or not membarrier works. */
		(void)__atomic_exchange_n(&r->in[d], live, __ATOMIC_SEQ_CST);
		const rdy_build *b = __atomic_load_n(&live->cur, __ATOMIC_SEQ_CST);
		/*
		 * Held, but this thread is inside a call into an instance the
		 * reload holds too, which it waits for: LIVE's build, still its
		 * record's until the swap, serves this call, else neither would
		 * end.  (A reload holds all its instances at once.)
		 */
		bool inside_held = false;
		for (uint32_t k = 0; k < d && !inside_held; k++)
			inside_held = r->in[k] && !__atomic_load_n(&r->in[k]->cur, __ATOMIC_ACQUIRE);
		if (!b && inside_held)
			b = &__atomic_load_n(&((rdy__live *)live)->cur, __ATOMIC_ACQUIRE)->build;
		if (b) {
			r->top = &r->in[d + 1];
			return b;
		}
		__atomic_store_n(&r->in[d], (rdy_live *)NULL, __ATOMIC_RELEASE);
		pthread_mutex_lock(&held_lock);
		while (!__atomic_load_n(&live->cur, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&held_cond, &held_lock);
		pthread_mutex_unlock(&held_lock);
	}
}

/* Whether this thread is inside a call into any reloadable instance. */
static bool inside_a_call(void)
{
	return rdy__reader.registered && rdy__reader.top != rdy__reader.in;
}

/*
 * Waits until no thread is inside a call into any of the N instances LV,
 * whose builds are NULL already, so that no call can start either.
 */
static void drain(rdy__live *const *lv, uint32_t n)
{
	pthread_once(&reader_once, reader_init);
	static int order;
	(void)__atomic_fetch_add(&order, 1, __ATOMIC_SEQ_CST); /* for the slow path's readers */
	/*
	 * For the fast path's: membarrier as registered.  Should that fail now
	 * (it did not at registration), the global command does the same,
	 * slowly; failing that, the stores of any running call are made
	 * visible long before a millisecond passes, on any machine this runs on.
	 */
	if (!__atomic_load_n(&rdy__reload_fence, __ATOMIC_RELAXED) && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
	    membarrier(MEMBARRIER_CMD_GLOBAL) != 0) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	/*
	 * Scan, and wait with the list unlocked: a thread that makes its first
	 * call, or ends, takes the list's lock, and may do so inside a call.
	 * Threads found clear stay clear, since the instances are held.
	 */
	for (uint32_t spins = 0;; spins++) {
		bool busy = false;
		pthread_mutex_lock(&readers_lock);
		for (uint32_t t = 0; t < nreaders && !busy; t++)
			for (uint32_t k = 0; k < RDY__DEPTH && !busy; k++) {
				rdy_live *in = __atomic_load_n(&readers[t]->in[k], __ATOMIC_SEQ_CST);
				for (uint32_t i = 0; in && i < n && !busy; i++)
					busy = in == &lv[i]->pub;
			}
		pthread_mutex_unlock(&readers_lock);
		if (!busy)
			return;
		if (spins < 64) {
			sched_yield();
		} else {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
}

/* Lets held calls go on, into whatever each instance's build is now. */
static void release_held(void)
{
	pthread_mutex_lock(&held_lock);
	pthread_cond_broadcast(&held_cond);
	pthread_mutex_unlock(&held_lock);
}

/* ---- builds that outlive their swap ------------------------------------------------ */

/*
 * Objects.  A handle names an object of one build, which only that build's
 * code understands.  So a build swapped out while the host held handles to
 * its objects goes on serving them: it stays on its rdy__live's OLD list,
 * RETIRING, and calls that name one of its objects are routed to it
 * (rdy_live_route), counted in its CALLS.  Once it has neither objects nor
 * such calls it retires: the host's objects it still held are destroyed,
 * its state freed, and the last retiring build of a module closes it.
 *
 * A build retires at the end of the call, or the drop, that left it empty
 * (settle).  Retiring takes rdy__lock, which a thread inside a call must
 * not wait for while a reload may run (docs/abi.md §7.5, "Waiting"): there
 * it only tries, and what it leaves retires at the next settle, reload or
 * rdy_instance_free.
 */

/* Drops one of old module OM's retiring builds, closing it with the last; under the lock. */
static void module_drop(rdy_module *om, rdy_error **kept)
{
	if (--om->live)
		return;
	rdy_world *w = om->world;
	rdy__unload(om->dl, om->file, om->path, kept);
	om->dl = NULL;
	rdy__module_free(om);
	rdy__world_release(w);
}

/*
 * Retires the builds of LIST, linked by next_old, taken from every list;
 * under no lock.  A killed one (DEAD) has only its record left.
 */
static void retire_list(rdy_instance *list, rdy_error **kept)
{
	while (list) {
		rdy_instance *o = list;
		list = o->next_old;
		/*
		 * The host's objects it held die with it, with no lock held
		 * ([H-DROP]); then its state, under the lock, as a kill frees
		 * it: instance_new and instance_free never overlap (§7.3).
		 */
		if (!o->dead) {
			__atomic_store_n(&o->closing, true, __ATOMIC_RELEASE);
			rdy__handles_kill(o);
		}
		pthread_mutex_lock(&rdy__lock);
		if (!o->dead)
			o->module->root->instance_free(o->self);
		rdy_module *om = o->module;
		rdy__instance_release(o);
		module_drop(om, kept);
		pthread_mutex_unlock(&rdy__lock);
	}
}

/*
 * Takes from LV's old builds those left without objects or calls (or, with
 * ALL, every one); under the lock.  One being killed is the kill's until
 * rdy_instance_free.  Objects are read before calls: a drop counts its
 * call before it takes the object away.
 */
static rdy_instance *take_empty(rdy__live *lv, bool all)
{
	rdy_instance *out = NULL;
	for (rdy_instance **p = &lv->old; *p;) {
		rdy_instance *o = *p;
		bool keep = !all && (o->dead || __atomic_load_n(&o->closing, __ATOMIC_ACQUIRE) || rdy__handles_objects(o) ||
				     __atomic_load_n(&o->calls, __ATOMIC_SEQ_CST));
		if (keep) {
			p = &o->next_old;
			continue;
		}
		__atomic_store_n(p, o->next_old, __ATOMIC_RELEASE);
		o->next_old = out;
		out = o;
	}
	return out;
}

void rdy__settle(rdy__live *lv)
{
	if (!__atomic_load_n(&lv->old, __ATOMIC_ACQUIRE))
		return;
	if (inside_a_call() ? pthread_mutex_trylock(&rdy__lock) != 0 : pthread_mutex_lock(&rdy__lock) != 0)
		return;
	rdy_instance *done = take_empty(lv, false);
	pthread_mutex_unlock(&rdy__lock);
	retire_list(done, NULL);
}

int rdy__retiring_busy(rdy__live *lv, rdy_error **err)
{
	uint32_t n = 0, builds = 0, first = 0;
	for (rdy_instance *o = lv->old; o; o = o->next_old) {
		uint32_t k = o->dead ? 0 : rdy__handles_objects(o);
		if (k) {
			n += k;
			builds++;
			first = first && first < o->build.build ? first : o->build.build;
		}
	}
	if (!n)
		return RDY_OK;
	return rdy__fail(err, RDY_EBUSY, "%s: %u handle%s to objects of %s swapped out (build %u%s) %s still live",
			 lv->cur->module->path, n, n == 1 ? "" : "s", builds == 1 ? "a build" : "builds", first,
			 builds == 1 ? "" : " and later", n == 1 ? "is" : "are");
}

rdy_instance *rdy__retire_take(rdy__live *lv)
{
	return take_empty(lv, true);
}

void rdy__retire(rdy_instance *list)
{
	retire_list(list, NULL);
}

void rdy__retire_all(rdy__live *lv)
{
	/* A kill: every old build dies as its instance does, its handles dead until dropped or freed. */
	pthread_mutex_lock(&rdy__lock);
	rdy_instance *list = NULL;
	for (rdy_instance *o = lv->old; o; o = o->next_old) {
		if (!o->dead && !o->closing) {
			__atomic_store_n(&o->closing, true, __ATOMIC_RELEASE);
			o->next_kill = list;
			list = o;
		}
	}
	pthread_mutex_unlock(&rdy__lock);
	for (rdy_instance *o = list; o; o = o->next_kill) {
		rdy__handles_kill(o);
		pthread_mutex_lock(&rdy__lock);
		o->module->root->instance_free(o->self);
		o->self = NULL;
		o->build.self = NULL;
		o->dead = true;
		pthread_mutex_unlock(&rdy__lock);
	}
}

RDY_API const rdy_build *rdy_live_route(const rdy_build *b, uint32_t handle)
{
	rdy_instance *o = rdy__handle_owner(handle), *cur = b->instance;
	if (!o || o == cur || o->lv != cur->lv || !__atomic_load_n(&o->retiring, __ATOMIC_ACQUIRE))
		return b;
	__atomic_add_fetch(&o->calls, 1, __ATOMIC_SEQ_CST);
	return &o->build;
}

RDY_API void rdy_live_done(const rdy_build *b, const rdy_build *served)
{
	rdy__live *lv = b->instance->lv;
	rdy_live_leave();
	if (served != b) {
		__atomic_sub_fetch(&served->instance->calls, 1, __ATOMIC_SEQ_CST);
		rdy__settle(lv);
	}
}

/* ---- rdy:reload/state ------------------------------------------------------------ */

/* `list<u8>` and `result<_, string>` as ABI v1 lays them out [L-LIST], [L-TAGGED]. */
typedef struct bytes {
	const uint8_t *ptr;
	size_t len;
} bytes;

typedef struct restore_result {
	uint8_t is_err;
	rdy_string_t err;
} restore_result;

typedef int32_t save_fn(void *self, bytes *ret);
typedef int32_t restore_fn(void *self, const bytes *state, restore_result *ret);

/* A module's save and restore, when its plugin exports rdy:reload/state 0.1 with their signatures. */
typedef struct state_fns {
	const rdy_func_v1 *save, *restore;
} state_fns;

static bool is_u8_list(const rdy_wit_model *pm, rdy_wit_type t)
{
	return t >= 0 && pm->types[t].kind == RDY_WIT_LIST && pm->types[t].a == RDY_WIT_U8;
}

static state_fns state_of(const rdy_module *m)
{
	state_fns s = { NULL, NULL };
	const rdy__verified *v = m->v;
	const rdy_wit_model *pm = rdy_desc_model(v->desc);
	for (uint32_t i = 0; i < v->nexports; i++) {
		const rdy_abi_fref *f = &v->exports[i];
		if (f->iface < 0)
			continue;
		const rdy_wit_interface *in = &pm->interfaces[f->iface];
		if (in->package < 0 || !in->name || strcmp(in->name, "state"))
			continue;
		const rdy_wit_package *p = &pm->packages[in->package];
		if (!p->ns || strcmp(p->ns, "rdy") || !p->name || strcmp(p->name, "reload") || !p->has_version ||
		    p->version.major || p->version.minor != 1 || p->version.pre)
			continue;
		const rdy_wit_func *fn = f->func;
		if (!strcmp(fn->name, "save") && fn->nparams == 0 && is_u8_list(pm, fn->result))
			s.save = &m->root->exports[i];
		else if (!strcmp(fn->name, "restore") && fn->nparams == 1 && is_u8_list(pm, fn->params[0].type) &&
			 fn->result >= 0 && pm->types[fn->result].kind == RDY_WIT_RESULT &&
			 pm->types[fn->result].a == RDY_WIT_NONE && pm->types[fn->result].b == RDY_WIT_STRING)
			s.restore = &m->root->exports[i];
	}
	return s;
}

/* Moves OLD's state to NEW through save and restore; RDY_OK when either lacks its half. */
static int move_state(const rdy_module *om, rdy_instance *old, const rdy_module *nm, rdy_instance *new_, bool *moved,
		      rdy_error **err)
{
	state_fns o = state_of(om), n = state_of(nm);
	*moved = false;
	if (!o.save || !n.restore)
		return RDY_OK;
	bytes state = { NULL, 0 };
	int32_t st = ((save_fn *)o.save->call)(old->self, &state);
	if (st != RDY_OK)
		return rdy__fail(err, RDY_ETRAP, "%s: rdy:reload/state save trapped (status %d); the old build goes on",
				 om->path, (int)st);
	restore_result r = { 0, { NULL, 0 } };
	st = ((restore_fn *)n.restore->call)(new_->self, &state, &r);
	if (o.save->release)
		o.save->release(old->self, &state);
	if (st != RDY_OK)
		return rdy__fail(err, RDY_ETRAP, "%s: rdy:reload/state restore trapped (status %d); the old build goes on",
				 nm->path, (int)st);
	if (r.is_err) {
		int rc = rdy__fail(err, RDY_ETRAP, "%s: rdy:reload/state restore refused the state: %.*s; the old build "
				   "goes on", nm->path, (int)(r.err.len > 1000 ? 1000 : r.err.len),
				   r.err.ptr ? r.err.ptr : "");
		if (n.restore->release)
			n.restore->release(new_->self, &r);
		return rc;
	}
	*moved = true;
	return RDY_OK;
}

/* ---- reload ---------------------------------------------------------------------- */

RDY_API uint32_t rdy_module_build(const rdy_module *m)
{
	return m ? m->build : 0;
}

RDY_API const char *rdy_module_sha256(const rdy_module *m)
{
	return m && m->sha256[0] ? m->sha256 : NULL;
}

/* Frees the N new builds B, made of module NM and never served, and NM; under the lock. */
static void undo(rdy_module *nm, rdy_instance **b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (b[i]) {
			nm->root->instance_free(b[i]->self);
			rdy__instance_release(b[i]);
		}
	}
	rdy_world *w = nm->world;
	rdy__unload(nm->dl, nm->file, nm->path, NULL);
	nm->dl = NULL;
	rdy__module_free(nm);
	rdy__world_release(w);
}

/*
 * The steps after the module is loaded; under the lock.  NM is freed, or
 * kept by the old builds that still serve objects.  *DONE: the old builds
 * to retire once the lock is released.
 */
static int reload_instances(rdy_module *m, rdy_module *nm, rdy_reload_info *info, rdy_instance **done, rdy_error **err)
{
	/*
	 * A killed instance has no state to move: it stays as it is, answering
	 * RDY_EDEAD.  One being killed runs its destructors without the lock:
	 * its build must stay until that ends.
	 */
	uint32_t n = 0, all = 0;
	for (rdy__live *p = m->lives; p; p = p->next) {
		if (__atomic_load_n(&p->cur->closing, __ATOMIC_ACQUIRE) && !p->cur->dead) {
			undo(nm, NULL, 0);
			return rdy__fail(err, RDY_EBUSY, "%s: an instance is being killed; reload once that is done", m->path);
		}
		n += !p->cur->dead;
		all++;
	}
	/* LV: the N instances that move, then the killed ones, held too while their records change. */
	rdy__live **lv = all ? malloc(all * sizeof *lv) : NULL;
	rdy_instance **b = n ? calloc(n, sizeof *b) : NULL;
	if ((all && !lv) || (n && !b)) {
		free(lv);
		free(b);
		undo(nm, NULL, 0);
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	}
	uint32_t i = 0, k = n;
	for (rdy__live *p = m->lives; p; p = p->next)
		lv[p->cur->dead ? k++ : i++] = p;
	int rc = RDY_OK;
	for (i = 0; i < n && rc == RDY_OK; i++) {
		rdy_error *e = NULL;
		if (!(b[i] = rdy__instance_build(nm, lv[i], &e))) {
			rc = rdy_error_code(e);
			if (err)
				*err = e;
			else
				rdy_error_free(e);
		}
	}
	if (rc != RDY_OK) {
		undo(nm, b, n);
		free(lv);
		free(b);
		return rc;
	}
	/* Hold new calls, and let those in flight end. */
	for (i = 0; i < all; i++)
		__atomic_store_n(&lv[i]->pub.cur, (rdy_build *)NULL, __ATOMIC_SEQ_CST);
	drain(lv, all);
	uint32_t restored = 0;
	for (i = 0; i < n && rc == RDY_OK; i++) {
		bool moved;
		rc = move_state(m, lv[i]->cur, nm, b[i], &moved, err);
		restored += moved;
	}
	if (rc != RDY_OK) {
		for (i = 0; i < all; i++)
			__atomic_store_n(&lv[i]->pub.cur, &lv[i]->cur->build, __ATOMIC_RELEASE);
		release_held();
		undo(nm, b, n);
		free(lv);
		free(b);
		return rc;
	}
	/* The swap: M becomes the new build, NM the old one, which the old builds now name. */
	rdy_module t = *m;
	*m = *nm;
	*nm = t;
	m->lives = nm->lives;
	nm->lives = NULL;
	m->build = nm->build + 1;
	m->live = nm->live;
	nm->live = 0; /* from now on: its old builds not yet retired */
	nm->retired = true;
	uint32_t kept = 0;
	for (i = 0; i < n; i++) {
		rdy_instance *was = lv[i]->cur, *now = b[i];
		was->module = nm;
		now->module = m;
		now->build.build = m->build;
		nm->live++;
		/*
		 * An old build whose objects the host holds serves them until
		 * they are gone: marked so before any call can see the new build.
		 */
		if (rdy__handles_objects(was)) {
			__atomic_store_n(&was->retiring, true, __ATOMIC_RELEASE);
			was->next_old = lv[i]->old;
			__atomic_store_n(&lv[i]->old, was, __ATOMIC_RELEASE);
			kept++;
		} else {
			was->next_old = *done;
			*done = was;
		}
		__atomic_store_n(&lv[i]->cur, now, __ATOMIC_RELEASE);
		__atomic_store_n(&lv[i]->pub.cur, &now->build, __ATOMIC_RELEASE);
	}
	/* A killed instance's record now names the new build's table, which its generated release still reads. */
	for (i = n; i < all; i++) {
		lv[i]->cur->module = m;
		lv[i]->cur->build.funcs = m->exports;
		__atomic_store_n(&lv[i]->pub.cur, &lv[i]->cur->build, __ATOMIC_RELEASE);
	}
	release_held();
	/* Earlier builds left empty by a drop that could not retire them then go too. */
	for (i = 0; i < n; i++) {
		rdy_instance *e = take_empty(lv[i], false);
		while (e) {
			rdy_instance *next = e->next_old;
			e->next_old = *done;
			*done = e;
			e = next;
		}
	}
	if (!nm->live) { /* no instances: nothing to retire, the old build closes now */
		nm->live = 1;
		rdy_error *e = NULL;
		module_drop(nm, &e);
		if (e && info)
			snprintf(info->note, sizeof info->note, "%s", rdy_error_message(e));
		rdy_error_free(e);
	}
	if (info) {
		info->build = m->build;
		info->instances = n;
		info->restored = restored;
		info->serving = kept;
	}
	free(lv);
	free(b);
	return RDY_OK;
}

RDY_API int rdy_module_reload(rdy_module *m, const char *path, rdy_reload_info *info, rdy_error **err)
{
	if (info)
		memset(info, 0, sizeof *info);
	if (!m)
		return rdy__fail(err, RDY_EINVAL, "rdy_module_reload: no module");
	if (inside_a_call())
		return rdy__fail(err, RDY_EBUSY, "%s: reload from inside a call into a reloadable instance, which it "
				 "would wait for", m->path);
	/* What the new build is opened with, read under the lock: another reload may be swapping M. */
	pthread_mutex_lock(&rdy__lock);
	bool reloadable = m->reloadable, nodir = m->cache_dir != NULL;
	char *src = strdup(path ? path : m->path), *dir = m->cache_dir ? strdup(m->cache_dir) : NULL;
	rdy_open_config c = { true, true, dir, m->lock };
	pthread_mutex_unlock(&rdy__lock);
	int rc = RDY_OK;
	char *file = NULL, sha256[65];
	if (!reloadable)
		rc = rdy__fail(err, RDY_EINVAL, "%s: not opened as reloadable (rdy_open_config.reloadable)", src ? src : "");
	else if (!src || (nodir && !dir))
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", src ? src : "rdy_module_reload");
	else
		rc = rdy__pin_for(src, &c, &file, sha256, err); /* unlocked: it may wait for a file being written */
	if (rc == RDY_OK) {
		rdy_error *e = NULL;
		rdy_instance *done = NULL;
		pthread_mutex_lock(&rdy__lock);
		rdy_module *nm = rdy__module_new(m->world, src, &c, file, sha256, &e);
		if (nm) {
			rc = reload_instances(m, nm, info, &done, err);
		} else {
			rc = rdy_error_code(e);
			if (err)
				*err = e;
			else
				rdy_error_free(e);
		}
		pthread_mutex_unlock(&rdy__lock);
		/* The old builds retire without the lock, since the host's destructors may run ([H-DROP]). */
		rdy_error *kept = NULL;
		retire_list(done, &kept);
		if (kept && info)
			snprintf(info->note, sizeof info->note, "%s", rdy_error_message(kept));
		rdy_error_free(kept);
	}
	free(src);
	free(dir);
	return rc;
}
