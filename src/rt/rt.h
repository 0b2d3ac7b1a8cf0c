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
#include "abi/desc.h"
#include "abi/funcs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RDY_API __attribute__((visibility("default")))

/*
 * The one lock (rdy.h, "Threads"): held across rdy_module_open and
 * rdy_module_close, rdy_instance_new and rdy_instance_free and
 * rdy_world_free, so plugin constructors, instance_new and instance_free
 * never run concurrently, and reference and instance counts change under
 * it.  Calls through export tables take no lock.
 */
extern pthread_mutex_t rdy__lock;

struct rdy_world {
	rdy_desc *desc;                    /* the host's descriptor, decoded */
	const rdy_wit_model *m;
	int w;
	rdy_abi_fref *exports;             /* what the host calls, in its descriptor's order */
	uint32_t nexports;
	rdy_abi_fref *imports;             /* what the host provides, in the same order */
	uint32_t nimports;
	uint32_t refs;                     /* the host's, plus one per open module; under the lock */
};

struct rdy_module {
	rdy_world *world;                  /* holds one of its references */
	char *path;                        /* as given to rdy_module_open */
	rdy_desc *desc;                    /* the plugin's descriptor, read from the file */
	void *dl;                          /* the dlopen handle */
	const rdy_plugin_root_v1 *root;    /* validated, inside the loaded object */
	rdy_func_v1 *exports;              /* bound: world->nexports, in the host's order */
	rdy_abi_fref *imports;             /* the plugin's imports, in its descriptor's order */
	uint32_t *import_map;              /* for each, the host's import index or UINT32_MAX */
	uint32_t nimports;
	char **absent;                     /* the check's lines for items that bind as absent */
	uint32_t nabsent;
	uint32_t live;                     /* instances not yet freed; under the lock */
};

struct rdy_instance {
	rdy_module *module;
	void *self;                        /* the plugin's state */
	rdy_imports_v1 imports;            /* what instance_new was given; lives as long as the instance */
	rdy_func_v1 funcs[];               /* its table: the plugin's imports, in its order */
};

/*
 * Sets *ERR (when ERR is not NULL) to an error of CODE with the message
 * FMT, and returns CODE.  When memory runs out the error is the static
 * "out of memory" one.
 */
int rdy__fail(rdy_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, for a message of N lines joined by newlines. */
int rdy__fail_lines(rdy_error **err, int code, char *const *lines, uint32_t n);
/*
 * Whether the decoder's message MSG reports that memory ran out.  It says so
 * at the end, though not always alone ("invalid descriptor: out of memory").
 */
bool rdy__nomem(const char *msg);

/* Drops a reference to W, freeing it with the last; under the lock. */
void rdy__world_release(rdy_world *w);

/*
 * Binding (docs/abi.md §7): fills M's export table, in the host's order,
 * from its root symbol, whose exports are PEXPORTS, and maps its imports to
 * the host's.  Returns RDY_OK or RDY_ENOMEM.
 */
int rdy__bind(rdy_module *m, const rdy_abi_fref *pexports, uint32_t npexports);
/* Whether the plugin may do without import I of M: it gates the function or its interface @since. */
bool rdy__import_gated(const rdy_module *m, uint32_t i);
/* How messages name function F of world W: "`ns:pkg/iface@1.0.0`.`func`", or "`func`" for a world's own. */
void rdy__func_name(const rdy_wit_model *m, int w, bool exports, const rdy_abi_fref *f, char *buf, size_t n);

#endif
