/*
 * librdy's internals: the objects behind the handles of include/rdy.h, the
 * lock that serialises their lifetimes, and the error helpers.
 *
 * The library is built with -fvisibility=hidden; RDY_API marks the
 * definitions of the public functions, the only symbols librdy.so exports.
 */
#ifndef RDY_RT_H
#define RDY_RT_H

#include "rdy.h"
#include "abi/check.h"
#include "abi/desc.h"
#include "abi/funcs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RDY_API __attribute__((visibility("default")))

/*
 * The one lock (rdy.h, "Threads"): held across rdy_module_open and
 * rdy_module_close, rdy_instance_new and rdy_instance_free, rdy_world_expect
 * and rdy_world_free, so plugin constructors, instance_new and instance_free
 * never run concurrently, and reference and instance counts and the worlds'
 * caches change under it.  Calls through export tables take no lock.
 */
extern pthread_mutex_t rdy__lock;

/*
 * What opening derives from a plugin's descriptor alone, decoded and checked
 * against one world (docs/abi.md §7.1): shared by every module of that
 * world whose descriptor has the same bytes, and kept in the world's cache
 * so that such a plugin opens without decoding or checking again.  Fixed
 * once made, but for the fields marked "under the lock".
 */
typedef struct rdy__verified {
	rdy_hash hash;                     /* of BYTES' length and first bytes: the cache's first comparison */
	rdy_desc *desc;                    /* the plugin's descriptor, decoded */
	rdy_abi_fref *exports;             /* the plugin's exports, in its root symbol's order */
	uint32_t nexports;
	rdy_abi_fref *imports;             /* the plugin's imports, in its descriptor's order */
	uint32_t nimports;
	uint32_t *export_map;              /* for each of the world's exports, the plugin's index or UINT32_MAX */
	bool identity;                     /* EXPORT_MAP is 0, 1, ... of the plugin's every export: no copy is needed */
	uint32_t *import_map;              /* for each of the plugin's imports, the host's index or UINT32_MAX */
	rdy_abi_rref *resources;           /* the plugin's exported resources, in its root symbol's order */
	uint32_t nresources;
	uint32_t *res_map;                 /* for each, its handle type: the world's index, or past the world's */
	uint32_t *res_rmap;                /* for each handle type (the world's, then the rest), the plugin's index */
	rdy_abi_rref *iresources;          /* the plugin's imported resources, in its order */
	uint32_t niresources;
	uint32_t *ires_map;                /* for each, the world's handle type, or UINT32_MAX */
	char **absent;                     /* the check's lines, less "MODULE: ": those of items that bind */
	uint32_t nabsent;                  /* as absent, then NDEPRECATED of @deprecated items */
	uint32_t ndeprecated;
	uint32_t refs;                     /* the cache's, plus one per open module; under the lock */
	bool pinned;                       /* declared by rdy_world_expect: evicted last; under the lock */
	uint64_t used;                     /* the cache's tick when last found or made: LRU; under the lock */
	size_t len;
	uint8_t bytes[];                   /* the descriptor, a copy: the cache's key, compared whole */
} rdy__verified;

/* Enough for every plugin build a host meets in practice; each entry holds one descriptor. */
enum { RDY__CACHE_MAX = 64 };

/* A world's verified descriptors, least recently used evicted first; under the lock. */
typedef struct rdy__cache {
	rdy__verified *e[RDY__CACHE_MAX];
	uint32_t n;
	uint64_t tick;
	uint64_t hits, decodes;            /* for tests: rdy__cache_stats */
} rdy__cache;

struct rdy_world {
	rdy_desc *desc;                    /* the host's descriptor, decoded */
	const rdy_wit_model *m;
	int w;
	rdy_abi_fref *exports;             /* what the host calls, in its descriptor's order */
	uint32_t nexports;
	rdy_abi_fref *imports;             /* what the host provides, in the same order */
	uint32_t nimports;
	rdy_abi_rref *resources;           /* the exported resources: handle types 0 .. nresources-1 */
	uint32_t nresources;
	rdy_abi_rref *iresources;          /* the imported ones, the host's: handle types from nresources on */
	uint32_t niresources;
	rdy_check_model *prep;             /* the host's hashes, made once for every check; under the lock */
	rdy__cache cache;                  /* plugin descriptors checked against this world; under the lock */
	uint32_t refs;                     /* the host's, plus one per open module; under the lock */
};

/* Only what depends on the loaded object; the rest is its descriptor's, shared. */
struct rdy_module {
	rdy_world *world;                  /* holds one of its references */
	rdy__verified *v;                  /* its descriptor, verified: holds one of its references */
	char *path;                        /* as given to rdy_module_open */
	void *dl;                          /* the dlopen handle */
	const rdy_plugin_root_v1 *root;    /* validated, inside the loaded object */
	const rdy_func_v1 *exports;        /* bound: world->nexports, in the host's order */
	rdy_func_v1 *exports_copy;         /* what EXPORTS points at, malloc'd; NULL: the root's own table */
	uint64_t root_size;                /* the root symbol's st_size, as the static read found it */
	char **absent;                     /* V's absent lines, each after "PATH: "; one allocation */
	uint32_t live;                     /* instances not yet freed; under the lock */
	bool has_resources;                /* the root symbol is 1.1's and its resources were validated */
	/* Pinning and reloading (reload.c): */
	char *file;                        /* what was read and loaded: PATH, or its content-addressed copy */
	char sha256[65];                   /* of the bytes loaded, when pinned; else empty */
	bool reloadable;
	char *cache_dir;                   /* as configured, or NULL */
	const struct rdy_lock *lock;       /* as configured, or NULL: the host's, which outlives the module */
	uint32_t build;                    /* 1 at open, one more per reload */
	struct rdy__live *lives;           /* its reloadable instances, a list; under the lock */
	/*
	 * An old build that still serves objects of its own (reload.c): LIVE
	 * counts its retiring instances, and the last to retire closes it.
	 */
	bool retired;
};

/* A reloadable instance: what stays while builds come and go (reload.c). */
typedef struct rdy__live {
	rdy_live pub;                      /* what generated bindings read: the build serving */
	rdy_instance *anchor;              /* the host's rdy_instance, never a build; always valid */
	rdy_instance *cur;                 /* the build serving; atomic, written under the lock */
	rdy_instance *old;                 /* retiring builds, serving their objects; a list, under the lock */
	rdy_func_v1 *imports;              /* the host's, in its order: each build is bound from them */
	uint32_t nimports;
	void *ctx;
	bool pass_instance;
	uint64_t results;                  /* results of every build not yet released; atomic */
	struct rdy__live *next;            /* in its module's list */
} rdy__live;

struct rdy_instance {
	rdy_module *module;
	void *self;                        /* the plugin's state */
	uint32_t first;                    /* its live handles' slots, a list; under the handle lock */
	uint32_t nhandles;
	uint32_t dead_first;               /* its dead handles' slots, freed with it; under the handle lock */
	uint32_t ndead;
	bool dead;                         /* killed: the plugin's state is freed; under the lock */
	bool closing;                      /* being killed or freed: no new handles; atomic */
	void *ctx;                         /* the host's */
	uint64_t results;                  /* results of its exports not yet released; atomic */
	rdy_drop_fn *drops;                /* the host's destructors, world->niresources of them */
	rdy_imports_v1 imports;            /* what instance_new was given; lives as long as the instance */
	rdy__live *lv;                     /* when its module is reloadable: the instance across builds */
	rdy_build build;                   /* what a call through LV reads when this build serves */
	/* A reloadable instance's build, swapped out while the host held objects of its (reload.c): */
	uint32_t nobjects;                 /* live handles to the plugin's objects; under the handle lock */
	uint32_t calls;                    /* calls routed to it by a handle, in progress; atomic */
	bool retiring;                     /* swapped out, serving its objects until they are gone; atomic */
	rdy_instance *next_old;            /* in its rdy__live's list */
	rdy_instance *next_kill;           /* in a kill's list of them */
	rdy_func_v1 funcs[];               /* its table: the plugin's imports, in its order */
};

/* The build of INST serving now: INST itself unless it is a reloadable instance's host record. */
static inline rdy_instance *rdy__serving(rdy_instance *inst)
{
	return inst && inst->lv && inst == inst->lv->anchor ? __atomic_load_n(&inst->lv->cur, __ATOMIC_ACQUIRE) : inst;
}

/*
 * Sets *ERR (when ERR is not NULL) to an error of CODE with the message
 * FMT, and returns CODE.  When memory runs out the error is the static
 * "out of memory" one.
 */
int rdy__fail(rdy_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, for a message of N lines joined by newlines. */
int rdy__fail_lines(rdy_error **err, int code, char *const *lines, uint32_t n);
/*
 * Whether the decoder's message MSG reports that memory ran out: then it is
 * exactly "out of memory" (abi/desc.h).
 */
bool rdy__nomem(const char *msg);

/* Drops a reference to W, freeing it with the last; under the lock. */
void rdy__world_release(rdy_world *w);

/*
 * The verified descriptor of the LEN bytes at BYTES for W, in *OUT with a
 * reference for the caller: from W's cache, or decoded and checked now and
 * cached.  WHO names the plugin in messages (its path); HOST_SIDE is the
 * message, after "WHO: ", for a host's descriptor.  Returns RDY_OK or the
 * code set in *ERR; under the lock.
 */
int rdy__verify(rdy_world *w, const uint8_t *bytes, size_t len, const char *who, const char *host_side,
		rdy__verified **out, rdy_error **err);
/* Drops a reference to V, freeing it with the last; under the lock. */
void rdy__verified_release(rdy__verified *v);
/* Empties W's cache; under the lock.  Modules keep the entries they hold. */
void rdy__cache_clear(rdy_world *w);

/* What a world's cache did, for the tests of librdy.a; not exported by librdy.so. */
typedef struct rdy__cache_stats {
	uint64_t hits;                     /* opens and rdy_world_expect calls that found their descriptor */
	uint64_t decodes;                  /* descriptors decoded and checked, refused ones included */
	uint32_t entries, pinned;          /* held now */
} rdy__cache_stats;
void rdy__cache_stats_get(rdy_world *w, rdy__cache_stats *s);

/*
 * Binding (docs/abi.md §7): maps the world's exports to V's by key, and V's
 * imports to the world's.  Returns RDY_OK or RDY_ENOMEM.
 */
int rdy__bind_maps(const rdy_world *w, rdy__verified *v);
/*
 * Fills M's export table, in the host's order, from its validated root
 * symbol through its descriptor's map.  Returns RDY_OK or RDY_ENOMEM.
 */
int rdy__bind(rdy_module *m);
/* Whether the plugin may do without import I of V: it gates the function or its interface @since. */
bool rdy__import_gated(const rdy__verified *v, uint32_t i);
/* The handle types of M: the world's exported and imported resources, then the plugin's extra ones. */
uint32_t rdy__ntypes(const rdy_module *m);

/* How messages name handle type RES of module M: "`ns:pkg/iface@1.0.0`.`counter`". */
void rdy__res_name(const rdy_module *m, uint32_t res, char *buf, size_t n);
/* How messages name resource R of model M: "`ns:pkg/iface@1.0.0`.`counter`", or "`r`" for a world's own. */
void rdy__rref_name(const rdy_wit_model *m, const rdy_abi_rref *r, char *buf, size_t n);
/* The runtime's handle functions, given to every instance [H-API]. */
extern const rdy_handles_v1 rdy__handles;
/*
 * The live handles of INST: 0 when none, else a status with a message
 * counting them by resource type in *ERR (RDY_EBUSY).  Takes the handle lock.
 */
int rdy__handles_busy(rdy_instance *inst, rdy_error **err);
/*
 * Kills INST's handles: each turns dead (RDY_EDEAD from then on), and the
 * destructor of its object runs, once.  Takes the handle lock, and holds
 * no lock while a destructor runs.
 */
void rdy__handles_kill(rdy_instance *inst);
/* Frees the slots of INST's dead handles, as INST goes: later uses are stale.  Takes the handle lock. */
void rdy__handles_free_dead(rdy_instance *inst);
/* INST's live handles to the plugin's objects (its exported resources). */
uint32_t rdy__handles_objects(rdy_instance *inst);
/* The instance that HANDLE's slot names now, or NULL: unchecked, for routing only. */
rdy_instance *rdy__handle_owner(uint32_t handle);

/*
 * Builds swapped out that serve their objects until they are gone
 * (reload.c).  rdy__settle retires LV's builds left without objects or
 * calls, when it can take the lock.  Under the lock: rdy__retiring_busy
 * refuses while they have objects; rdy__retire_take takes every one, for
 * rdy__retire to retire (or free, when killed) with the lock released.
 * rdy__retire_all kills them, for rdy_instance_kill, under no lock.
 */
void rdy__settle(rdy__live *lv);
int rdy__retiring_busy(rdy__live *lv, rdy_error **err);
rdy_instance *rdy__retire_take(rdy__live *lv);
void rdy__retire(rdy_instance *list);
void rdy__retire_all(rdy__live *lv);

/* How messages name function F of world W: "`ns:pkg/iface@1.0.0`.`func`", or "`func`" for a world's own. */
void rdy__func_name(const rdy_wit_model *m, int w, bool exports, const rdy_abi_fref *f, char *buf, size_t n);

/*
 * Opening (open.c), for reload.c too.  rdy__pin_for makes PATH's pinned
 * copy when C asks for one (pinned, reloadable or a lock): *FILE (malloc'd,
 * else NULL) and its SHA-256 in hex; not under the lock, since it may wait
 * for a file being written (pin.h).  rdy__module_new opens a module as
 * rdy_module_open_with does, from FILE when not NULL (it takes it), under
 * the lock.  rdy__instance_build makes an instance of M from a reloadable
 * instance's saved imports (instance.c), under the lock.
 */
int rdy__pin_for(const char *path, const rdy_open_config *c, char **file, char sha256[65], rdy_error **err);
rdy_module *rdy__module_new(rdy_world *w, const char *path, const rdy_open_config *c, char *file,
			    const char *sha256, rdy_error **err);
void rdy__module_free(rdy_module *m);
rdy_instance *rdy__instance_build(rdy_module *m, rdy__live *lv, rdy_error **err);
/* Frees a build's record after its plugin state is gone; under the lock. */
void rdy__instance_release(rdy_instance *inst);

#endif
