/*
 * The WIT front end: lexer, parser and resolver.
 *
 * A resolution (rdy_wit) owns everything it produces in one arena and frees
 * it in one place.  Packages are added to it with rdy_wit_load_path or
 * rdy_wit_load_string; each call resolves the package together with its
 * deps/ and merges the result, as the reference resolver's Resolve::push_path
 * does (WIT.md, crates/wit-parser).
 */
#ifndef RDY_WIT_H
#define RDY_WIT_H

#include <stddef.h>
#include <stdio.h>

typedef struct rdy_wit rdy_wit;

#include <stdbool.h>
#include <stdint.h>

/*
 * The resolved model, as the reference's Resolve: arrays of packages,
 * interfaces, worlds and types, referring to each other by index.  It is
 * owned by the resolution and valid until rdy_wit_free.
 */

typedef struct rdy_wit_span {
	uint32_t start, end;               /* offsets in the resolution's source map */
} rdy_wit_span;

typedef struct rdy_wit_version {
	uint64_t major, minor, patch;
	const char *pre;                   /* pre-release, or NULL */
	const char *build;                 /* build metadata, or NULL */
	const char *text;                  /* canonical text */
} rdy_wit_version;

/* Semver precedence of A and B: <0, 0 or >0; build metadata orders last. */
int rdy_wit_version_cmp(const rdy_wit_version *a, const rdy_wit_version *b);

/* A type reference: >= 0 indexes rdy_wit_model.types, < 0 is a primitive. */
typedef int32_t rdy_wit_type;
enum {
	RDY_WIT_BOOL = -1, RDY_WIT_U8 = -2, RDY_WIT_U16 = -3, RDY_WIT_U32 = -4,
	RDY_WIT_U64 = -5, RDY_WIT_S8 = -6, RDY_WIT_S16 = -7, RDY_WIT_S32 = -8,
	RDY_WIT_S64 = -9, RDY_WIT_F32 = -10, RDY_WIT_F64 = -11, RDY_WIT_CHAR = -12,
	RDY_WIT_STRING = -13, RDY_WIT_ERROR_CONTEXT = -14
};
#define RDY_WIT_NONE INT32_MIN         /* no type: no result, no payload */

enum { RDY_WIT_STAB_UNKNOWN, RDY_WIT_STAB_STABLE, RDY_WIT_STAB_UNSTABLE };

typedef struct rdy_wit_stability {
	uint8_t kind;
	const rdy_wit_version *since;      /* STABLE */
	const char *feature;               /* UNSTABLE */
	const rdy_wit_version *deprecated; /* either, or NULL */
} rdy_wit_stability;

typedef enum rdy_wit_kind {
	RDY_WIT_ALIAS, RDY_WIT_RECORD, RDY_WIT_RESOURCE, RDY_WIT_HANDLE,
	RDY_WIT_FLAGS, RDY_WIT_TUPLE, RDY_WIT_VARIANT, RDY_WIT_ENUM,
	RDY_WIT_OPTION, RDY_WIT_RESULT, RDY_WIT_LIST, RDY_WIT_FIXED_LIST,
	RDY_WIT_MAP, RDY_WIT_FUTURE, RDY_WIT_STREAM, RDY_WIT_UNKNOWN
} rdy_wit_kind;

enum { RDY_WIT_OWNER_NONE, RDY_WIT_OWNER_INTERFACE, RDY_WIT_OWNER_WORLD };

typedef struct rdy_wit_case {          /* field, case, flag or tuple member */
	const char *name;                  /* NULL for tuple members */
	rdy_wit_type type;                 /* RDY_WIT_NONE for flags, enum cases, empty cases */
	const char *docs;
	rdy_wit_span span;                 /* its name, or its type for tuple members */
} rdy_wit_case;

typedef struct rdy_wit_typedef {
	const char *name;                  /* NULL when anonymous */
	rdy_wit_kind kind;
	bool borrow;                       /* HANDLE: borrow<T> rather than own<T> */
	uint8_t owner_kind;                /* RDY_WIT_OWNER_* */
	int32_t owner;                     /* interface or world index */
	rdy_wit_case *cases;               /* RECORD, FLAGS, TUPLE, VARIANT, ENUM */
	uint32_t ncases;
	rdy_wit_type a, b;                 /* ALIAS target, element, ok/err, key/value, HANDLE resource */
	uint32_t size;                     /* FIXED_LIST length */
	const char *docs;
	rdy_wit_stability stability;
	rdy_wit_span span;
} rdy_wit_typedef;

typedef enum rdy_wit_fkind {
	RDY_WIT_FREESTANDING, RDY_WIT_ASYNC_FREESTANDING, RDY_WIT_METHOD,
	RDY_WIT_ASYNC_METHOD, RDY_WIT_STATIC, RDY_WIT_ASYNC_STATIC,
	RDY_WIT_CONSTRUCTOR
} rdy_wit_fkind;

typedef struct rdy_wit_param {
	const char *name;
	rdy_wit_type type;
} rdy_wit_param;

typedef struct rdy_wit_func {
	const char *name;                  /* "[method]r.m", "[static]r.f", "[constructor]r" or plain */
	rdy_wit_fkind kind;
	int32_t resource;                  /* the resource type of methods and the like, else -1 */
	rdy_wit_param *params;
	uint32_t nparams;
	rdy_wit_type result;               /* RDY_WIT_NONE when there is none */
	const char *docs;
	rdy_wit_stability stability;
	rdy_wit_span span;
} rdy_wit_func;

typedef struct rdy_wit_named {
	const char *name;
	int32_t id;
} rdy_wit_named;

typedef struct rdy_wit_interface {
	const char *name;                  /* NULL for an inline interface of a world */
	int32_t package;                   /* -1 while unresolved */
	rdy_wit_named *types;
	uint32_t ntypes, captypes;
	rdy_wit_func *funcs;
	uint32_t nfuncs, capfuncs;
	const char *docs;
	rdy_wit_stability stability;
	rdy_wit_span span;
} rdy_wit_interface;

enum { RDY_WIT_ITEM_INTERFACE, RDY_WIT_ITEM_FUNC, RDY_WIT_ITEM_TYPE };

typedef struct rdy_wit_item {          /* one import or export of a world */
	const char *name;                  /* its key, or NULL when keyed by interface */
	int32_t key_iface;                 /* the key's interface when name == NULL */
	uint8_t kind;                      /* RDY_WIT_ITEM_* */
	int32_t id;                        /* INTERFACE: interface index; TYPE: type index */
	rdy_wit_func func;                 /* FUNC */
	rdy_wit_stability stability;       /* INTERFACE */
	rdy_wit_span span;
} rdy_wit_item;

typedef struct rdy_wit_include rdy_wit_include;

typedef struct rdy_wit_world {
	const char *name;
	int32_t package;
	rdy_wit_item *imports;
	uint32_t nimports, capimports;
	rdy_wit_item *exports;
	uint32_t nexports, capexports;
	const char *docs;
	rdy_wit_stability stability;
	rdy_wit_span span;
	rdy_wit_include *includes;         /* pending `include`s; none once resolved */
	uint32_t nincludes, capincludes;
} rdy_wit_world;

typedef struct rdy_wit_package {
	const char *ns, *name;
	bool has_version;
	rdy_wit_version version;
	const char *id;                    /* "ns:name" or "ns:name@version" */
	const char *docs;
	rdy_wit_named *interfaces;
	uint32_t ninterfaces, capinterfaces;
	rdy_wit_named *worlds;
	uint32_t nworlds, capworlds;
	rdy_wit_span span;
} rdy_wit_package;

typedef struct rdy_wit_model {
	rdy_wit_package *packages;
	uint32_t npackages, cappackages;
	rdy_wit_interface *interfaces;
	uint32_t ninterfaces, capinterfaces;
	rdy_wit_world *worlds;
	uint32_t nworlds, capworlds;
	rdy_wit_typedef *types;
	uint32_t ntypes, captypes;
} rdy_wit_model;

/* The resolved packages so far. */
const rdy_wit_model *rdy_wit_get_model(const rdy_wit *w);

/* A new, empty resolution, or NULL when memory runs out. */
rdy_wit *rdy_wit_new(void);
/* Frees the resolution and everything it produced; NULL does nothing. */
void rdy_wit_free(rdy_wit *w);

/* Turns on an @unstable(feature = NAME) gate.  Call before loading. */
int rdy_wit_enable_feature(rdy_wit *w, const char *name);
/* Same, for a comma-separated list ("a,b"); empty items are ignored. */
int rdy_wit_enable_features(rdy_wit *w, const char *csv);

/*
 * Loads a `.wit` file or a package directory (all `*.wit` files in it, plus
 * its `deps/` folder).  Returns the id of the main package, or -1 with the
 * diagnostic in rdy_wit_errmsg.  A failed load leaves the resolution unusable
 * for further loads.
 */
int rdy_wit_load_path(rdy_wit *w, const char *path);
/* Same, for one file's text held in memory; NAME is used in diagnostics. */
int rdy_wit_load_string(rdy_wit *w, const char *name, const char *text, size_t len);

/*
 * The last error, rendered as the reference renders it:
 *   MESSAGE
 *        --> FILE:LINE:COL
 *         |
 *      12 | source line
 *         |   ^--
 * or "" when there was none.
 */
const char *rdy_wit_errmsg(const rdy_wit *w);

/*
 * Picks a world of package PKG the way the reference does: NULL picks the
 * package's only world; "name" a world of PKG; "ns:pkg/name[@version]" any
 * loaded package's world.  Returns the world id or -1 with a diagnostic.
 */
int rdy_wit_select_world(rdy_wit *w, int pkg, const char *spec);

/*
 * The interface's name as messages give it, into BUF[N]: "ns:pkg/name@1.2.0",
 * "ns:pkg/name" without a version, or "an inline interface".  Returns BUF.
 */
const char *rdy_wit_interface_id(const rdy_wit_model *m, int32_t iface, char *buf, size_t n);

/* Prints world WORLD back as WIT, with its elaborated imports and exports. */
void rdy_wit_print_world(rdy_wit *w, int world, FILE *out);

/* Prints T as WIT: its name, or its structure when it has none ("list<point>"). */
void rdy_wit_print_type(const rdy_wit_model *m, rdy_wit_type t, FILE *out);
/* Prints T's structure even when it has a name: "list<u8>" for `type bytes = list<u8>`. */
void rdy_wit_print_structure(const rdy_wit_model *m, rdy_wit_type t, FILE *out);
/* Prints F's signature as WIT, "func(a: T) -> R", leaving out a method's self. */
void rdy_wit_print_func(const rdy_wit_model *m, const rdy_wit_func *f, FILE *out);

/* Caps the memory a resolution may use (0: no cap); loads past it fail cleanly. */
void rdy_wit_set_memory_limit(rdy_wit *w, size_t bytes);

/*
 * Fault injection for tests: the Nth request for memory from now on fails
 * (0 turns it off).  A load that meets it fails with "out of memory".
 */
void rdy_wit_fail_allocation(rdy_wit *w, unsigned n);

/* Writes the resolution in the reference's JSON schema (*.wit.json). */
int rdy_wit_write_json(const rdy_wit *w, FILE *out);
/* Writes S as a JSON string, quoted and escaped. */
void rdy_wit_json_string(const char *s, FILE *out);

#endif
