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
 * destructors run with no lock held.  A kill must not overlap a call into
 * the instance on another thread: it does not wait for calls in flight,
 * and the plugin's state they run on is freed (nor may the generated
 * bindings' W_kill, which rewrites the wrapper's table, overlap one).
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

/*
 * rdy_handle_lend's inline part alone: true when HANDLE is a live own
 * handle of INST's resource RES, now lent, *REP its object; false, with
 * nothing lent, for anything else, which rdy_handle_lend takes out of line
 * (generated wrappers go out of line whole then, a reloadable instance's
 * too: its host record names no build's handle).
 */
static inline bool rdy_handle_lend_fast(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep)
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
			return true;
		}
	}
	return false;
}

static inline int32_t rdy_handle_lend(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep)
{
	return rdy_handle_lend_fast(inst, res, handle, rep) ? RDY_OK : rdy__handle_lend_slow(inst, res, handle, rep);
}

static inline void rdy_handle_unlend(void)
{
	rdy__lends.n--;
}

/* ---- reloading (docs/abi.md §7.5) ----------------------------------------------- */

typedef struct rdy_lock rdy_lock;

/* How rdy_module_open_with opens a plugin; zeroed, it opens as rdy_module_open does. */
typedef struct rdy_open_config {
	/*
	 * The module's instances can move to a new build (rdy_module_reload).
	 * Such a module loads a content-addressed copy of its file, never the
	 * file itself, as PINNED does.
	 */
	bool reloadable;
	/*
	 * Load a private copy of the file, named by the SHA-256 of its bytes,
	 * in CACHE_DIR (NULL: $XDG_CACHE_HOME/rdy, else ~/.cache/rdy): the
	 * bytes hashed are the bytes loaded, and a file being rewritten is
	 * never loaded half written.
	 */
	bool pinned;
	const char *cache_dir;
	/* When not NULL, a plugin whose SHA-256 is not LOCK's for it is refused before dlopen (implies PINNED). */
	const rdy_lock *lock;
} rdy_open_config;

rdy_module *rdy_module_open_with(rdy_world *w, const char *path, const rdy_open_config *config, rdy_error **err);

/* What a reload did. */
typedef struct rdy_reload_info {
	uint32_t build;                    /* the build now serving: 1 at open, one more per reload */
	uint32_t instances;                /* live instances moved to it */
	uint32_t restored;                 /* of them, those whose state moved through rdy:reload/state */
	uint32_t serving;                  /* of them, those whose old build still serves objects the host holds */
	char note[512];                    /* empty, or why the old build's file stayed mapped (RDY_EKEPT) */
} rdy_reload_info;

/*
 * Replaces the build behind reloadable module M with the plugin at PATH
 * (M's own path when NULL), for every live instance, in this order:
 *
 *   1. a content-addressed copy of PATH is made and checked against M's
 *      world, and loaded;
 *   2. a new instance of it is made for each live instance of M, with the
 *      same imports and context;
 *   3. calls into M's instances are held at their start, and those in
 *      flight run to their end;
 *   4. each instance's state moves across when the plugins export
 *      rdy:reload/state (the old build's save, the new build's restore);
 *   5. the new builds are swapped in, at once for every instance, and the
 *      held calls go on into them.
 *
 * Any failure (the check, dlopen, the root symbol, an instance_new that
 * traps, a save or restore that traps or returns an error) undoes every
 * step: the old build goes on serving, and *ERR says why.  The old build's
 * instances are freed once the new ones serve; its file is unloaded, as
 * rdy_module_close would, with the old module.  But an old build whose
 * objects the host holds handles to serves the calls that name them
 * (methods, drops) until the last is gone, then retires the same way:
 * its state is the one saved, frozen for the instance and live for its
 * objects; new objects come from the new build.  M stays valid and is the
 * new build.  Returns RDY_OK or the code set in *ERR; RDY_EBUSY when
 * called from inside a call into one of M's instances.  Serialised with
 * opening and closing.
 */
int rdy_module_reload(rdy_module *m, const char *path, rdy_reload_info *info, rdy_error **err);
/* The build serving M's instances: 1 at open, one more per successful reload. */
uint32_t rdy_module_build(const rdy_module *m);
/* The SHA-256 of the bytes loaded, in hex, for a pinned or reloadable module; NULL otherwise. */
const char *rdy_module_sha256(const rdy_module *m);

/*
 * For generated bindings: a call into an instance of a reloadable module
 * goes through its rdy_live, which names the build serving it.
 *
 *   const rdy_build *b = rdy_live_enter(live);
 *   if (!b) return RDY_EBUSY;          (calls nest deeper than RDY__DEPTH)
 *   st = ((fn)b->funcs[i].call)(b->self, ...);
 *   rdy_live_leave();
 *
 * rdy_live_enter records on this thread that a call into LIVE is running,
 * then reads the build: a reload waits for the calls so recorded to end
 * before it frees a build, and swaps builds while it holds new calls (they
 * wait in rdy_live_enter, then go to the new build).  The recording is a
 * plain store; the reload pays for the ordering with membarrier(2).  The
 * generated wrappers inline the fast path alone (rdy_live_begin and
 * rdy_live_end, below) and leave the rest to rdy_live_enter.
 */
typedef struct rdy_build {
	void *self;                        /* the build's instance state */
	const rdy_func_v1 *funcs;          /* its exports, bound in the host's order */
	rdy_instance *instance;            /* its record, for handles and results */
	uint32_t build;                    /* rdy_module_build when it began serving */
} rdy_build;

typedef struct rdy_live {
	rdy_build *cur;                    /* atomic; NULL while a reload holds calls */
} rdy_live;

/* The instance's rdy_live when its module is reloadable, else NULL. */
rdy_live *rdy_instance_live(const rdy_instance *inst);

enum { RDY__DEPTH = 32 };

/*
 * A thread's record of the calls into reloadable instances it is running:
 * IN[0] up to TOP, one live instance per call, innermost last.  The fast
 * path tests TOP < LIM, which fails before the thread's first call (both
 * NULL), where membarrier(2) cannot order its records (LIM is IN: every
 * call takes the slow path) and when calls nest RDY__DEPTH deep.
 */
typedef struct rdy__reader_t {
	rdy_live **top;                    /* where the next call's record goes */
	rdy_live **lim;                    /* IN + RDY__DEPTH, IN, or NULL: see above */
	uint32_t registered;               /* in the runtime's list of threads */
	rdy_live *in[RDY__DEPTH];          /* atomic: the live instance of each call running */
} rdy__reader_t;

extern RDY_THREAD_LOCAL rdy__reader_t rdy__reader;
/* Set where membarrier(2) is unavailable; tests set it before a thread's first call to try that path. */
extern int rdy__reload_fence;
const rdy_build *rdy__live_enter_slow(rdy_live *live);

/*
 * rdy_live_enter's fast path alone: NULL where rdy_live_enter would go on to
 * its slow path.  Else *AT is the call's place in the thread's record, and
 * rdy_live_end(*AT) ends the call (as rdy_live_leave, without reading the
 * record again: a call's end does not wait on its start through memory).
 */
static inline const rdy_build *rdy_live_begin(rdy_live *live, rdy_live ***at)
{
	rdy__reader_t *r = &rdy__reader;
	rdy_live **p = r->top;
	if ((uintptr_t)p < (uintptr_t)r->lim) { /* registered, ordered by membarrier, room to nest */
		__atomic_store_n(p, live, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* a reload's membarrier orders the two */
		const rdy_build *b = __atomic_load_n(&live->cur, __ATOMIC_ACQUIRE);
		if (b) {
			r->top = p + 1;
			*at = p;
			return b;
		}
		__atomic_store_n(p, (rdy_live *)0, __ATOMIC_RELEASE);
	}
	return (const rdy_build *)0;
}

static inline void rdy_live_end(rdy_live **at)
{
	rdy__reader.top = at;
	__atomic_store_n(at, (rdy_live *)0, __ATOMIC_RELEASE);
}

/* rdy_live_enter's fast path alone: NULL where rdy_live_enter would go on to its slow path. */
static inline const rdy_build *rdy_live_try(rdy_live *live)
{
	rdy_live **at;
	return rdy_live_begin(live, &at);
}

/*
 * For generated bindings, in a call through LIVE that names an object of
 * the plugin's by HANDLE, where B serves LIVE: the build that serves the
 * call, which is an earlier one when HANDLE is of an object that build
 * made (rdy_module_reload).  The call ends with rdy_live_done in place of
 * rdy_live_leave, which lets that build retire once it has no objects.
 */
const rdy_build *rdy_live_route(const rdy_build *b, uint32_t handle);
void rdy_live_done(const rdy_build *b, const rdy_build *served);

static inline const rdy_build *rdy_live_enter(rdy_live *live)
{
	const rdy_build *b = rdy_live_try(live);
	return b ? b : rdy__live_enter_slow(live);
}

static inline void rdy_live_leave(void)
{
	rdy__reader_t *r = &rdy__reader;
	rdy_live **p = r->top - 1;
	r->top = p;
	__atomic_store_n(p, (rdy_live *)0, __ATOMIC_RELEASE);
}

/* ---- pinning: content-addressed copies and lock files ------------------------- */

/*
 * A lock: the SHA-256 that each plugin must have.  A lock file has the text
 * that sha256sum prints (`rdy lock PLUGINS... > rdy.lock` writes one, and
 * `sha256sum -c rdy.lock` checks one): a line per plugin, its digest as 64
 * hexadecimal digits, two spaces (or a space and `*`) and its file name,
 * with sha256sum's escapes (a line that starts with `\` has `\\` for a
 * backslash and `\n` for a newline in the name).  Capital hexadecimal
 * digits are read too.  Nothing else: no blank line, no comment, no
 * carriage return ending a line.  A name may appear twice with the same
 * digest only.
 *
 * The entry for a plugin opened as PATH is, in this order:
 *   1. the entry named PATH exactly;
 *   2. else the entry that names the same file, a relative name being taken
 *      from the lock file's directory (both resolved with realpath);
 *   3. else the entry whose last component is PATH's, when all such
 *      entries agree on the digest.
 * A PATH none of them finds is "not in" the lock.
 *
 * A lock is never changed once read: threads may share it.  The host keeps
 * it until the modules opened with it are closed.
 */

/*
 * Reads the lock file FILE.  NULL on failure, with RDY_EIO ("FILE: No such
 * file or directory") or RDY_EFORMAT for a malformed line, naming the file
 * and the line and what is wrong: "rdy.lock:3: the digest has 40
 * hexadecimal digits; SHA-256's has 64".
 */
rdy_lock *rdy_lock_read(const char *file, rdy_error **err);
/* The same, from the LEN bytes at TEXT (a lock the host embeds); NAME stands for FILE. */
rdy_lock *rdy_lock_parse(const char *text, size_t len, const char *name, rdy_error **err);
void rdy_lock_free(rdy_lock *l);
/* Its entries, in the order of the file, a name that appears twice once: their names and digests. */
uint32_t rdy_lock_count(const rdy_lock *l);
const char *rdy_lock_name(const rdy_lock *l, uint32_t i);
const uint8_t *rdy_lock_digest(const rdy_lock *l, uint32_t i);
/*
 * The 32 bytes of the digest that L pins for a plugin opened as PATH, by
 * the rules above; NULL with RDY_EINCOMPATIBLE, "PATH: not in rdy.lock",
 * when there is none.
 */
const uint8_t *rdy_lock_find(const rdy_lock *l, const char *path, rdy_error **err);
/*
 * The SHA-256 of the file at PATH, read once through one descriptor when
 * it has settled, as a pinned open reads it (docs/abi.md §7).  Returns
 * RDY_OK or the code set in *ERR.
 */
int rdy_sha256_file(const char *path, uint8_t digest[32], rdy_error **err);
/*
 * Removes from the cache directory (NULL: the default one, as a pinned
 * open uses it) the copies not made or used for MAX_AGE seconds, and the
 * temporary files that a crash left behind (unwritten for a minute), and
 * nothing else.  A loaded copy may go: its mapping stays.  *REMOVED (when
 * not NULL) counts the files removed.  Returns RDY_OK or the code set in
 * *ERR; a cache directory that is not there has nothing to prune.
 */
int rdy_cache_prune(const char *cache_dir, uint32_t max_age, uint32_t *removed, rdy_error **err);

/* ---- watching: reloads when a plugin file is replaced ------------------------- */

/*
 * A watch calls the host back when a plugin file has been replaced and is
 * whole; the callback reloads (rdy_module_reload), logs, or both.  Linux
 * (inotify).  Each path is watched as a name in its directory, so a file
 * replaced by a rename, or deleted and created again, stays watched, and
 * other files of the directory are ignored.
 *
 * A name fires once when, after a change, DEBOUNCE_MS pass without another
 * event for it: a burst (a linker's writes, cp over the file, two builds in
 * a row) fires once.  A file renamed over is whole at once.  A file written
 * in place, or created empty, fires only once the writer has closed it,
 * however long it writes, quiet or not: a partial file never fires.  A name
 * that is gone fires only once it is back.  A directory removed and made
 * again is watched again.  src/rt/watch.c gives the rules in full.
 *
 * Threads: callbacks run on the thread that dispatches, without a lock
 * held; they may call rdy_watch_add, not rdy_watch_dispatch, rdy_watch_stop
 * or rdy_watch_free.  rdy_watch_add may be called from any thread.
 */
typedef struct rdy_watch rdy_watch;
/* Called with the USER and the PATH, as given, of rdy_watch_add. */
typedef void (*rdy_watch_fn)(void *user, const char *path);

/* A watch with no files, DEBOUNCE_MS its quiet period (0: none; 100 to 300 suit builds). */
rdy_watch *rdy_watch_new(unsigned debounce_ms, rdy_error **err);
/*
 * Calls FN(USER, PATH) when the plugin file at PATH is replaced.  PATH need
 * not exist yet; its directory must.  A relative PATH is resolved against
 * the working directory at each change.  Returns RDY_OK or the code set in
 * *ERR: RDY_EINVAL for a path that names a directory, RDY_EIO when the
 * directory cannot be watched (missing, unreadable, the inotify limit).
 */
int rdy_watch_add(rdy_watch *w, const char *path, rdy_watch_fn fn, void *user, rdy_error **err);
/*
 * For poll, select or epoll: readable when rdy_watch_dispatch has work,
 * events to read or a file settled (its timer is inside).
 */
int rdy_watch_fd(const rdy_watch *w);
/*
 * Reads the events, runs the callbacks of the files that have settled, and
 * returns their number; when none has, waits up to TIMEOUT_MS (-1: without
 * end) for one to.  0 only reads and runs what is due.  On failure returns
 * minus the code set in *ERR: RDY_EBUSY while the watch is dispatching
 * already (from a callback, another thread, or started), RDY_EIO.
 */
int rdy_watch_dispatch(rdy_watch *w, int timeout_ms, rdy_error **err);
/*
 * Dispatches on a thread of the watch's own, every signal blocked, until
 * rdy_watch_stop: the callbacks run there.  RDY_EBUSY when dispatching
 * already.  rdy_watch_stop returns RDY_OK (not started, too), the code set
 * in *ERR of a failure that ended the thread early, or RDY_EBUSY from a
 * callback.
 */
int rdy_watch_start(rdy_watch *w, rdy_error **err);
int rdy_watch_stop(rdy_watch *w, rdy_error **err);
/* Stops the thread, if started, and frees W; changes still pending never fire. */
void rdy_watch_free(rdy_watch *w);

#ifdef __cplusplus
}
#endif

#endif
