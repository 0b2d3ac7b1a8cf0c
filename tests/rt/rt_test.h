/*
 * The host's side of tests/rt/wit, shared by the runtime's tests: its
 * descriptor, its imports and typed calls of the plugins' exports, written
 * by hand as generated host bindings will be.
 */
#ifndef RDY_TEST_RT_H
#define RDY_TEST_RT_H

#include "rdy.h"

#include <stddef.h>
#include <stdint.h>

/* A plugin the build made, by target name. */
#define RT_PLUGIN(name) RT_PLUGIN_DIR "/" name ".so"

/* The host's imports and exports, in the order of its descriptor (wit/host). */
enum { H_LOG, H_SCALE, H_HINT, H_CLOCK, H_NIMPORTS };
enum { E_PING, E_ADD, E_GREET, E_TOTAL, E_SCALED, E_EXTRA, E_NEXPORTS };

/* One instance's host context: what its imports act on. */
typedef struct rt_host {
	uint32_t factor;                   /* `scale` multiplies by it */
	uint32_t hint;                     /* what `hint` answers */
	char log[64];                      /* the last message logged, NUL-terminated */
	uint32_t nlogs;
} rt_host;

/* The host's descriptor, encoded by the build from wit/host. */
extern const uint8_t rt_host_desc[];
extern const size_t rt_host_desc_len;

/* The host's imports: log, scale and hint, acting on the rt_host given as context. */
extern const rdy_func_v1 rt_imports[H_NIMPORTS];

/* Calls of a plugin's exports through INST's table; each returns the callee's status. */
int32_t rt_add(const rdy_instance *inst, uint32_t a, uint32_t b, uint32_t *ret);
int32_t rt_total(const rdy_instance *inst, uint32_t *ret);
int32_t rt_scaled(const rdy_instance *inst, uint32_t x, uint32_t *ret);
/* Copies the greeting into OUT[N], NUL-terminated, and releases the result. */
int32_t rt_greet(const rdy_instance *inst, const char *name, char *out, size_t n);

/*
 * For the cmocka tests: the host's world, a plugin opened in it and a
 * module closed, each failing the test with the runtime's message when
 * refused.
 */
rdy_world *rt_world(void);
rdy_module *rt_open(rdy_world *w, const char *path);
void rt_close(rdy_module *m);

#endif
