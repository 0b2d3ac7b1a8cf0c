/*
 * rdylib native ABI, version 1: the binary contract between a host and its
 * plugins (docs/abi.md §3, §7).
 *
 * Generated bindings include this header on both sides.  It declares data
 * only and calls nothing in the runtime, so a plugin that includes it links
 * against nothing but libc.
 */
#ifndef RDY_ABI_V1_H
#define RDY_ABI_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RDY_ABI_MAJOR 1
#define RDY_ABI_MINOR 1

/* Generated headers assert layouts in a way that C11 and C++11 both read. */
#ifdef __cplusplus
#define RDY_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define RDY_ALIGNOF(t) alignof(t)
#else
#define RDY_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define RDY_ALIGNOF(t) _Alignof(t)
#endif

/* The name of the plugin's root symbol [R-ROOT]. */
#define RDY_PLUGIN_SYMBOL "rdy_plugin_v1"
/*
 * A plugin's descriptor is the desc of an ELF note [D-ELF]: owner "RDY",
 * type 1, in an allocated SHT_NOTE section (a name starting with .note
 * makes it one), which linkers put in a PT_NOTE segment at the start of the
 * file.  RDY_DESCRIPTOR_NOTE(N) is the note's type for N bytes, aligned to 4.
 */
#define RDY_DESCRIPTOR_SECTION ".note.rdy"
#define RDY_DESCRIPTOR_NOTE_NAME "RDY"
#define RDY_DESCRIPTOR_NOTE_TYPE 1
#define RDY_DESCRIPTOR_NOTE(n)                                                                                         \
	struct {                                                                                                       \
		uint32_t namesz, descsz, type;                                                                         \
		char name[4];                                                                                          \
		uint8_t desc[n];                                                                                       \
	}
/* Its initializer: RDY_DESCRIPTOR_NOTE_INIT(N, { the descriptor's bytes }). */
#define RDY_DESCRIPTOR_NOTE_INIT(n, ...) { 4, (n), RDY_DESCRIPTOR_NOTE_TYPE, RDY_DESCRIPTOR_NOTE_NAME, __VA_ARGS__ }

/*
 * Status codes.  Every function across the boundary returns int32_t
 * [F-STATUS]: RDY_OK on success, anything else is a trap.  Plugin code traps
 * by returning RDY_ETRAP (or any code of its own other than the ones below);
 * the runtime's own failures use the rest.
 */
enum {
	RDY_OK = 0,
	RDY_ETRAP = 1,          /* the callee trapped */
	RDY_EABSENT = 2,        /* the item is absent: gated, and the other side lacks it */
	RDY_ENOMEM = 3,         /* out of memory */
	RDY_EINVAL = 4,         /* a bad argument to the runtime */
	RDY_EIO = 5,            /* a file could not be read */
	RDY_EFORMAT = 6,        /* not a plugin: not ELF, no or bad descriptor, bad root symbol */
	RDY_EINCOMPATIBLE = 7,  /* the plugin does not match the host's world */
	RDY_EDLOPEN = 8,        /* the dynamic loader refused the object */
	RDY_EBUSY = 9,          /* still in use: live instances, handles or results */
	RDY_EDEAD = 10,         /* the instance or handle was closed */
	RDY_EKEPT = 11,         /* unloaded, but the dynamic linker kept the object mapped */
	RDY_EHANDLE = 12        /* not a valid handle here: stale, never issued, of another type or instance */
};

/* `string` [L-PRIM]: UTF-8, not NUL-terminated.  16 bytes, align 8. */
typedef struct rdy_string {
	const char *ptr;
	size_t len;
} rdy_string_t;

/* A borrowed view of a NUL-terminated string, for arguments. */
static inline rdy_string_t rdy_str(const char *s)
{
	rdy_string_t r = { s, s ? strlen(s) : 0 };
	return r;
}

/*
 * An owned copy of LEN bytes at S, for results: malloc'd, released by the
 * generated release functions.  Returns false when memory runs out, *OUT
 * then empty.
 */
static inline bool rdy_string_dup(rdy_string_t *out, const char *s, size_t len)
{
	char *p = (char *)malloc(len ? len : 1);
	if (!p) {
		out->ptr = NULL;
		out->len = 0;
		return false;
	}
	if (len)
		memcpy(p, s, len);
	out->ptr = p;
	out->len = len;
	return true;
}

/* Frees an owned string's bytes and empties it. */
static inline void rdy_string_free(rdy_string_t *s)
{
	free((void *)(uintptr_t)s->ptr);
	s->ptr = NULL;
	s->len = 0;
}

/*
 * A function pointer of any signature.  The table entries below hold one;
 * generated code casts it back to the function's exact type to call it.
 */
typedef void (*rdy_fn)(void);

/*
 * A release ("post-return") function [F-OWN]: frees what a call wrote to
 * *RET (string bytes, list storage, nested values), never RET itself.  SELF
 * is the callee's instance state or host context.
 */
typedef void (*rdy_release_fn)(void *self, void *ret);

/*
 * A plugin instance's state.  Each plugin defines struct rdy_state for
 * itself (a plugin implements one world); hosts never see inside.  Exports
 * take it as their first parameter, so the export table can point at the
 * plugin's own functions and the host call them through their exact type.
 */
struct rdy_state;

/* One function across the boundary: CALL NULL means absent. */
typedef struct rdy_func_v1 {
	rdy_fn call;
	rdy_release_fn release;  /* NULL when the result owns no memory */
} rdy_func_v1;

/*
 * What a plugin instance sees of its host: the host's context, passed as the
 * first argument of every import, and the imported functions in the order of
 * the plugin's descriptor (§7).  The runtime keeps it alive as long as the
 * instance.
 */
typedef struct rdy_handles_v1 rdy_handles_v1;
typedef struct rdy_imports_v1 {
	void *ctx;
	uint32_t nfuncs;
	/*
	 * Since 1.1: how much of this struct the runtime filled, in bytes.
	 * The loader refuses a plugin of a newer minor version than its own,
	 * so every field the plugin knows of is filled; size is for tools.
	 */
	uint32_t size;
	const rdy_func_v1 *funcs;
	/* Since 1.1: the runtime's handle functions and their context [H-API]. */
	const rdy_handles_v1 *handles;
	void *rt;
} rdy_imports_v1;

/*
 * The runtime's handle functions [H-API], for the resources a plugin
 * implements (its exported resources, numbered in the order of
 * rdy_plugin_root_v1.resources).  RT is rdy_imports_v1.rt.  Each returns a
 * status [F-STATUS]; a refused handle is RDY_EHANDLE or RDY_EDEAD and is
 * never dereferenced.  Generated plugin code wraps them as
 * <resource>_new, _rep, _take and _drop.
 */
struct rdy_handles_v1 {
	/* A new own handle to REP, of resource RES. */
	int32_t (*own_new)(void *rt, uint32_t res, void *rep, uint32_t *handle);
	/* The rep behind HANDLE, which must be one of RES's and this instance's. */
	int32_t (*rep)(void *rt, uint32_t res, uint32_t handle, void **rep);
	/* Consumes an own HANDLE, giving back its rep: the object is the plugin's again. */
	int32_t (*take)(void *rt, uint32_t res, uint32_t handle, void **rep);
	/* Drops an own HANDLE: its destructor runs, once. */
	int32_t (*drop)(void *rt, uint32_t res, uint32_t handle);
};

/*
 * One resource a plugin implements [R-ROOT]: its destructor, which frees
 * the object REP once its last own handle is dropped.
 */
typedef struct rdy_resource_v1 {
	void (*drop)(struct rdy_state *self, void *rep);
} rdy_resource_v1;

/*
 * The type of the plugin's root symbol, `rdy_plugin_v1` [R-ROOT] (the
 * object and its type cannot share a name in C).  Generated code defines
 * the symbol; the loader validates every field before using any.
 */
typedef struct rdy_plugin_root_v1 {
	uint8_t magic[4];        /* 7f 52 44 59, as the descriptor */
	uint8_t major, minor;    /* RDY_ABI_MAJOR, RDY_ABI_MINOR */
	uint16_t reserved;       /* 0 */
	uint32_t size;           /* sizeof (rdy_plugin_root_v1); later minor versions append fields */
	const uint8_t *descriptor; /* the same bytes as the .rdy.descriptor section */
	size_t descriptor_len;
	const char *producer;    /* NUL-terminated, as the descriptor's producer */
	const rdy_func_v1 *exports; /* the exported functions, in descriptor order */
	uint32_t nexports;
	uint32_t nimports;       /* how many imported functions rdy_imports_v1 must hold */
	/* Creates an instance: its state in *SELF.  IMPORTS outlives the instance. */
	int32_t (*instance_new)(const rdy_imports_v1 *imports, void **self);
	/* Frees an instance's state; called once per successful instance_new. */
	void (*instance_free)(void *self);
	/* Since 1.1: the exported resources, in descriptor order [R-RES]. */
	const rdy_resource_v1 *resources;
	uint32_t nresources;
	uint32_t reserved2;      /* 0 */
} rdy_plugin_root_v1;

/* The size of a 1.0 root symbol, which has no resources. */
#define RDY_ROOT_V1_0_SIZE 72

#ifdef __cplusplus
}
#endif

#endif
