/*
 * The WIT syntax tree, one per parsed file (WIT.md "Lexical structure" and
 * "Item: ..." sections; the reference's ast.rs).  Everything lives in the
 * resolution's arena; names are interned.
 */
#ifndef RDY_WIT_AST_H
#define RDY_WIT_AST_H

#include "wit/lex.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rdy__id {
	const char *name;                  /* interned, without a leading '%' */
	rdy__span span;
} rdy__id;

typedef struct rdy__docs {
	rdy__span *v;                      /* every comment before the item */
	uint32_t n, cap;
	rdy__span span;                    /* first comment to last, trailing blanks cut */
} rdy__docs;

typedef rdy_wit_version rdy__version;

enum { RDY_ATTR_SINCE, RDY_ATTR_UNSTABLE, RDY_ATTR_DEPRECATED, RDY_ATTR_EXTERNAL_ID };

typedef struct rdy__attr {
	uint8_t kind;
	rdy__span span;                    /* the attribute's name */
	rdy__version version;              /* since, deprecated */
	const char *feature;               /* unstable */
	rdy__span text;                    /* external-id: the string literal */
} rdy__attr;

typedef struct rdy__attrs {
	rdy__attr *v;
	uint32_t n, cap;
} rdy__attrs;

typedef enum rdy__akind {
	RDY_A_BOOL, RDY_A_U8, RDY_A_U16, RDY_A_U32, RDY_A_U64,
	RDY_A_S8, RDY_A_S16, RDY_A_S32, RDY_A_S64, RDY_A_F32, RDY_A_F64,
	RDY_A_CHAR, RDY_A_STRING, RDY_A_ERROR_CONTEXT,
	RDY_A_NAME, RDY_A_LIST, RDY_A_MAP, RDY_A_FIXED_LIST, RDY_A_OWN,
	RDY_A_BORROW, RDY_A_RESOURCE, RDY_A_RECORD, RDY_A_FLAGS,
	RDY_A_VARIANT, RDY_A_TUPLE, RDY_A_ENUM, RDY_A_OPTION, RDY_A_RESULT,
	RDY_A_FUTURE, RDY_A_STREAM
} rdy__akind;

typedef struct rdy__atype rdy__atype;
typedef struct rdy__anfunc rdy__anfunc;

typedef struct rdy__afield {           /* record field, case, flag, tuple member */
	rdy__docs docs;
	rdy__id name;
	rdy__atype *type;                  /* NULL: flag, enum case, empty case */
} rdy__afield;

enum { RDY_RF_METHOD, RDY_RF_STATIC, RDY_RF_CTOR };

struct rdy__atype {
	rdy__akind kind;
	rdy__span span;
	rdy__id name;                      /* NAME, OWN, BORROW */
	rdy__atype *a, *b;                 /* element, ok/err, key/value; NULL if absent */
	uint32_t size;                     /* FIXED_LIST */
	rdy__afield *items;                /* RECORD, FLAGS, VARIANT, ENUM, TUPLE */
	uint32_t nitems, capitems;
	rdy__anfunc *funcs;                /* RESOURCE */
	uint32_t nfuncs, capfuncs;
};

typedef struct rdy__aparam {
	rdy__id name;
	rdy__atype *type;
} rdy__aparam;

typedef struct rdy__afunc {
	rdy__span span;                    /* the `func` keyword */
	bool async;
	rdy__aparam *params;
	uint32_t nparams, capparams;
	rdy__atype *result;                /* NULL when none */
} rdy__afunc;

struct rdy__anfunc {                   /* a named function */
	rdy__docs docs;
	rdy__attrs attrs;
	rdy__id name;
	uint8_t rkind;                     /* RDY_RF_* inside a resource */
	rdy__afunc func;
};

typedef struct rdy__atypedef {
	rdy__docs docs;
	rdy__attrs attrs;
	rdy__id name;
	rdy__atype *type;
} rdy__atypedef;

typedef struct rdy__pkgname {
	rdy__docs docs;
	rdy__span span;
	rdy__id ns, name;
	bool has_version;
	rdy__version version;
	rdy__span version_span;
} rdy__pkgname;

typedef struct rdy__usepath {
	bool foreign;                      /* ns:pkg/name[@version] */
	rdy__pkgname pkg;                  /* when foreign */
	rdy__id name;
} rdy__usepath;

typedef struct rdy__usename {
	rdy__id name, as;                  /* as.name == NULL when absent */
} rdy__usename;

typedef struct rdy__ause {
	rdy__span span;
	rdy__attrs attrs;
	rdy__usepath from;
	rdy__usename *names;
	uint32_t nnames, capnames;
	rdy__id as;                        /* top-level `use ... as x` */
} rdy__ause;

typedef struct rdy__ainclude {
	rdy__attrs attrs;
	rdy__usepath from;
	rdy__usename *names;
	uint32_t nnames, capnames;
} rdy__ainclude;

typedef struct rdy__aiitem rdy__aiitem;

typedef struct rdy__aiitems {
	rdy__aiitem *v;
	uint32_t n, cap;
} rdy__aiitems;

enum { RDY_EXT_INTERFACE, RDY_EXT_PATH, RDY_EXT_FUNC, RDY_EXT_IMPLEMENTS };

typedef struct rdy__aextern {          /* what an import or export names */
	uint8_t kind;
	rdy__id id;                        /* INTERFACE, FUNC, IMPLEMENTS: the label */
	rdy__aiitems items;                /* INTERFACE */
	rdy__usepath path;                 /* PATH, IMPLEMENTS */
	rdy__afunc func;                   /* FUNC */
} rdy__aextern;

enum { RDY_II_TYPE, RDY_II_FUNC, RDY_II_USE };

struct rdy__aiitem {
	uint8_t kind;
	rdy__atypedef type;
	rdy__anfunc func;
	rdy__ause use;
};

enum { RDY_WI_IMPORT, RDY_WI_EXPORT, RDY_WI_USE, RDY_WI_TYPE, RDY_WI_INCLUDE };

typedef struct rdy__awitem {
	uint8_t kind;
	rdy__docs docs;
	rdy__attrs attrs;
	rdy__aextern ext;                  /* IMPORT, EXPORT */
	rdy__ause use;
	rdy__atypedef type;
	rdy__ainclude include;
} rdy__awitem;

typedef struct rdy__aiface {
	rdy__docs docs;
	rdy__attrs attrs;
	rdy__id name;
	rdy__aiitems items;
} rdy__aiface;

typedef struct rdy__aworld {
	rdy__docs docs;
	rdy__attrs attrs;
	rdy__id name;
	rdy__awitem *items;
	uint32_t nitems, capitems;
} rdy__aworld;

typedef struct rdy__afile rdy__afile;

enum { RDY_AI_INTERFACE, RDY_AI_WORLD, RDY_AI_USE, RDY_AI_PACKAGE };

typedef struct rdy__aitem {
	uint8_t kind;
	rdy__aiface iface;
	rdy__aworld world;
	rdy__ause use;
	rdy__afile *pkg;
} rdy__aitem;

typedef struct rdy__decls {
	rdy__aitem *v;
	uint32_t n, cap;
} rdy__decls;

struct rdy__afile {
	bool has_package;
	rdy__pkgname package;
	rdy__decls decls;
};

struct rdy_wit;
/* Parses one source file: `package ns:name;` header, then items (WIT.md "wit-file"). */
rdy__afile *rdy__parse_file(struct rdy_wit *w, const char *text, uint32_t len, uint32_t base);
/* Orders versions as the semver crate does (build metadata included). */
int rdy__version_cmp(const rdy__version *a, const rdy__version *b);

#endif
