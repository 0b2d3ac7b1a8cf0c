/*
 * librdy: the rdylib runtime.  A host opens plugins with it, checked against
 * its own world before any plugin code runs.
 *
 *   rdy_world    what the host expects: its descriptor, decoded once
 *   rdy_module   one plugin file, checked, loaded and bound
 *   rdy_instance one instance of a module, with its own state
 *
 * Generated host bindings wrap these in typed calls; most programs need only
 * rdy_world_new, rdy_module_open/close and the error functions.
 *
 * Threads: calls into instances may run concurrently from any thread (the
 * runtime takes no lock on a call).  Opening, closing, instance creation and
 * freeing, rdy_world_expect and rdy_world_free are serialised by one lock,
 * which is held while plugin code runs for them (constructors, destructors,
 * instance_new, instance_free): that code must not call these functions.
 * An instance must not be freed while a call into it is running.
 */
#ifndef RDY_H
#define RDY_H

#include "rdy/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An error: a status code (RDY_E*) and the full diagnostic text, naming the
 * module, the world, the interface, the item and the path into the type.
 * Functions that can fail take `rdy_error **err`; on failure they set *ERR
 * (when ERR is not NULL) to an error the caller frees.
 */
typedef struct rdy_error rdy_error;

int rdy_error_code(const rdy_error *e);
const char *rdy_error_message(const rdy_error *e);
void rdy_error_free(rdy_error *e);
/* A short description of a status code: "the item is absent". */
const char *rdy_strerror(int code);

/* The host's world, from the descriptor its generated bindings embed. */
typedef struct rdy_world rdy_world;

rdy_world *rdy_world_new(const uint8_t *descriptor, size_t len, rdy_error **err);
/* Frees the world; modules opened with it keep it alive until they close. */
void rdy_world_free(rdy_world *w);
/* The number of functions the host imports from (exports to) plugins. */
uint32_t rdy_world_nexports(const rdy_world *w);
uint32_t rdy_world_nimports(const rdy_world *w);
/*
 * Declares the descriptor that plugins built from the same WIT as this host
 * carry (the world's plugin side, which generated host bindings embed).  It
 * is decoded and checked now, once; a plugin whose descriptor is
 * byte-for-byte the same then opens without decoding or checking it again.
 * Returns RDY_OK or the code set in *ERR (RDY_EINCOMPATIBLE when it does not
 * match the host's world, RDY_EFORMAT when it is not a plugin descriptor).
 * The messages start with "expected plugin descriptor: ", where an open's
 * give the plugin's path.
 *
 * Without it the world still learns: every descriptor an open decodes and
 * accepts is kept, up to 64 (the least recently used go first, a declared
 * one last), so a plugin opened again, or another built the same way,
 * skips the decoding and the check too.  What is found there was decoded
 * and checked against this world; the file is still read and its root
 * symbol still validated.
 */
int rdy_world_expect(rdy_world *w, const uint8_t *plugin_descriptor, size_t len, rdy_error **err);

typedef struct rdy_module rdy_module;

/*
 * Opens the plugin at PATH for world W: reads its descriptor from the file,
 * checks it against W, and only then loads it (dlopen, RTLD_NOW |
 * RTLD_LOCAL), validates its root symbol against what was read and binds its
 * exports.  A plugin refused before dlopen has run no code.
 */
rdy_module *rdy_module_open(rdy_world *w, const char *path, rdy_error **err);
/*
 * Closes a module.  Refused with RDY_EBUSY, and nothing changes, while it
 * has live instances.  Otherwise the module is freed, and the close of the
 * last open module of a loaded object unloads it and checks that it is
 * gone: RDY_EKEPT when the dynamic linker keeps it mapped, with the likely
 * reason in *ERR (docs/abi.md §7.3).  Returns RDY_OK or the code set in *ERR.
 */
int rdy_module_close(rdy_module *m, rdy_error **err);
const char *rdy_module_path(const rdy_module *m);
const char *rdy_module_producer(const rdy_module *m);
/*
 * The items that bind as absent, being gated @since: the host's that the
 * plugin lacks, and the plugin's imports that the host's world lacks.  One
 * line each, as `rdy check` prints them.
 */
uint32_t rdy_module_nabsent(const rdy_module *m);
const char *rdy_module_absent(const rdy_module *m, uint32_t i);
/*
 * The items that bind although either side marks them @deprecated, one line
 * each, as `rdy check` prints them: "PATH: IFACE: function `f` is deprecated
 * since 1.4.0".  A host may log them; nothing else changes.
 */
uint32_t rdy_module_ndeprecated(const rdy_module *m);
const char *rdy_module_deprecated(const rdy_module *m, uint32_t i);

typedef struct rdy_instance rdy_instance;

/*
 * Creates an instance of M.  IMPORTS holds the host's functions that plugins
 * import, NIMPORTS of them in the order of the host's descriptor (generated
 * bindings build it); CTX is passed as the first argument of each.  An
 * import the plugin needs and the host leaves NULL fails the call, unless
 * the plugin gates it.  IMPORTS is copied.
 */
rdy_instance *rdy_instance_new(rdy_module *m, const rdy_func_v1 *imports, uint32_t nimports, void *ctx,
			       rdy_error **err);
/* The destructor of one of the host's objects: REP, with the instance's CTX. */
typedef void (*rdy_drop_fn)(void *ctx, void *rep);

/* How rdy_instance_create makes an instance. */
typedef struct rdy_instance_config {
	const rdy_func_v1 *imports;        /* as rdy_instance_new's IMPORTS */
	uint32_t nimports;
	void *ctx;                         /* the host's context */
	/*
	 * When true the plugin's imports receive the instance itself as their
	 * first argument, and reach CTX with rdy_instance_ctx: generated host
	 * bindings do so when the host implements resources, to know which
	 * instance a handle is for.
	 */
	bool pass_instance;
	/*
	 * The destructors of the host's objects, one per resource the world
	 * imports (docs/abi.md [R-RES]), run when a plugin drops its last own
	 * handle to one, or its instance is killed; NULL runs nothing.
	 */
	const rdy_drop_fn *drops;
	uint32_t ndrops;
} rdy_instance_config;

/* rdy_instance_new, with every option; NDROPS must be the world's imported resources. */
rdy_instance *rdy_instance_create(rdy_module *m, const rdy_instance_config *config, rdy_error **err);
/* The host's context of INST, as given when it was created. */
void *rdy_instance_ctx(const rdy_instance *inst);
/*
 * Inside a host function that a plugin called, when the host implements
 * resources, or a destructor of the host's that the runtime runs for an
 * instance: that instance, on this thread (NULL elsewhere).  For the handles a call brings inside other types, which
 * the host resolves with the generated R_rep(instance, handle, &rep).
 */
rdy_instance *rdy_instance_calling(void);

/*
 * Frees the instance's state (the plugin's instance_free) and the instance.
 * Refused with RDY_EBUSY, and nothing changes, while handles to its
 * objects are live (the message counts them by resource type) or results
 * of its exports are unreleased (rdy_instance_results).  Returns
 * RDY_OK or the code set in *ERR.
 */
int rdy_instance_free(rdy_instance *inst, rdy_error **err);
/*
 * Kills the instance even though handles are live: each handle turns dead,
 * so that using it returns RDY_EDEAD, the destructor of each object runs,
 * once, and then the plugin's instance_free.  What is left, the instance's
 * record, stays until rdy_instance_free, so that dead handles are told
 * from stale ones; its exports must not be called (generated bindings
 * answer RDY_EDEAD for them).  Dropping a dead handle frees its slot;
 * rdy_instance_free frees the rest, which are stale from then on.  The
 * destructors run with no lock held.
 */
void rdy_instance_kill(rdy_instance *inst);
/* The number of live handles to INST's objects. */
uint32_t rdy_instance_nhandles(const rdy_instance *inst);
/*
 * For generated bindings: INST's count of results not yet released, which
 * they add to and take from atomically around each export that returns
 * memory.  rdy_instance_free is refused while it is not 0: the memory is
 * the plugin's, and its release function goes with the plugin.
 */
uint64_t *rdy_instance_results(rdy_instance *inst);
/*
 * The bound exports, in the order of the host's descriptor: exactly
 * rdy_world_nexports of them, CALL NULL for an absent one.  Valid until the
 * instance is freed.
 */
const rdy_func_v1 *rdy_instance_exports(const rdy_instance *inst);
/* The plugin's state for this instance: the first argument of every export. */
void *rdy_instance_self(const rdy_instance *inst);
rdy_module *rdy_instance_module(const rdy_instance *inst);

/*
 * Resource handles (docs/abi.md §4).  A handle is a uint32_t the runtime
 * gives out: the low 20 bits are a slot of its table, never 0, and the high
 * 12 a generation, so a handle whose object was dropped is refused for at
 * least the next 4,094 reuses of its slot.  Each slot records the handle's
 * resource type, its instance and the object (its rep, the plugin's
 * pointer).  RES is the resource's handle type: its index among the host
 * world's exported resources, then its imported ones, in descriptor order
 * (docs/abi.md [R-RES]); generated bindings name it R_RES.
 *
 * A refused handle is never dereferenced: the call returns RDY_EHANDLE
 * (stale, never issued, of another type or of another instance), RDY_EDEAD
 * (its instance was freed by force) or RDY_EBUSY (lent to a call in
 * progress), and rdy_handle_error gives the message.
 *
 * Threads: handles of any instances may be used from any threads at once,
 * a handle too, but a handle must not be dropped or taken while another
 * thread is in a call that borrows it (that is a use after free in the
 * host program, which the runtime cannot see); from the thread of the call
 * itself, through a callback, it is refused.
 */

/* A new own handle to REP, an object of INST of resource RES. */
int32_t rdy_handle_new(rdy_instance *inst, uint32_t res, void *rep, uint32_t *handle);
/* Drops own HANDLE of INST: the plugin's destructor runs, once. */
int32_t rdy_handle_drop(rdy_instance *inst, uint32_t res, uint32_t handle);
/* Consumes own HANDLE, giving back its rep: the object is its implementer's again. */
int32_t rdy_handle_take(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep);
/*
 * A borrow handle to REP, an object of the host's, lent to INST for one
 * call; rdy_handle_end ends it when the call returns, after which it is
 * refused as stale.  It cannot be dropped or taken.
 */
int32_t rdy_handle_borrow(rdy_instance *inst, uint32_t res, void *rep, uint32_t *handle);
void rdy_handle_end(rdy_instance *inst, uint32_t handle);
/* The rep behind HANDLE, checked, without lending it. */
int32_t rdy_handle_rep(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep);
/*
 * The message of this thread's last refused handle operation, starting
 * with the module's path: "plugins/a.so: handle 0x00100001 is stale: it
 * was dropped".  Valid until the next refusal on this thread.
 */
const char *rdy_handle_error(void);

/*
 * For generated bindings: the table's slots, and each thread's handles lent
 * to calls in progress.  rdy_handle_lend checks HANDLE inline, as the
 * out-of-line functions above do, lends it and gives its rep; every
 * successful lend is followed by exactly one rdy_handle_unlend on the same
 * thread, once the call returns.
 */
typedef struct rdy_handle_slot {
	uint64_t key;                      /* handle << 32 | res << 8 | state; atomic */
	void *rep;
	rdy_instance *inst;
	uint32_t prev, next;
} rdy_handle_slot;

/* A slot's state: a live own handle, a live borrow (bit 1 more), dead; 0 and 0x20 are free. */
enum { RDY__SLOT_LIVE = 1, RDY__SLOT_BORROW = 3, RDY__SLOT_DEAD = 0x10 };
enum { RDY__PAGE_BITS = 10, RDY__PAGES = 1024, RDY__LENDS = 64 };

typedef struct rdy__lends_t {
	uint32_t n;
	uint32_t h[RDY__LENDS];
} rdy__lends_t;

#ifdef __cplusplus
#define RDY_THREAD_LOCAL thread_local
#else
#define RDY_THREAD_LOCAL _Thread_local
#endif

extern rdy_handle_slot *rdy__handle_pages[RDY__PAGES];
extern RDY_THREAD_LOCAL rdy__lends_t rdy__lends;
/* The instance whose call into the host runs on this thread (rdy_instance_calling); thunks set it. */
extern RDY_THREAD_LOCAL rdy_instance *rdy__calling;
/*
 * rdy_handle_lend's way for all but a live own handle: a borrow handle is
 * lent here, anything else refused with its message.
 */
int32_t rdy__handle_lend_slow(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep);
/* Destroys the plugin's object REP that no handle holds (a result whose handle could not be made). */
void rdy__handle_orphan(rdy_instance *inst, uint32_t res, void *rep);

static inline int32_t rdy_handle_lend(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep)
{
	rdy_handle_slot *page = __atomic_load_n(&rdy__handle_pages[(handle >> RDY__PAGE_BITS) & (RDY__PAGES - 1)],
						__ATOMIC_ACQUIRE);
	rdy__lends_t *l = &rdy__lends;
	if (page) {
		rdy_handle_slot *s = &page[handle & ((1u << RDY__PAGE_BITS) - 1)];
		if (__atomic_load_n(&s->key, __ATOMIC_ACQUIRE) == ((uint64_t)handle << 32 | (uint64_t)res << 8 | RDY__SLOT_LIVE) &&
		    __atomic_load_n(&s->inst, __ATOMIC_RELAXED) == inst && l->n < RDY__LENDS) {
			l->h[l->n++] = handle;
			*rep = s->rep;
			return RDY_OK;
		}
	}
	return rdy__handle_lend_slow(inst, res, handle, rep);
}

static inline void rdy_handle_unlend(void)
{
	rdy__lends.n--;
}

#ifdef __cplusplus
}
#endif

#endif
