/*
 * An unresolved package: one package's items resolved against each other
 * but not yet against other packages (the reference's UnresolvedPackage).
 *
 * Local arrays come in a fixed order that rdy__append relies on: the
 * interfaces and worlds of other packages that this one names come first,
 * as placeholders, and so do the types it uses from them (kind UNKNOWN).
 */
#ifndef RDY_WIT_UPKG_H
#define RDY_WIT_UPKG_H

#include "wit/witint.h"

typedef struct rdy__fitem {            /* an interface or world of another package */
	const char *name;
	bool world;
	int32_t id;                        /* local placeholder index */
	rdy_wit_stability *stabs;          /* one per mention */
	uint32_t nstabs, capstabs;
} rdy__fitem;

typedef struct rdy__fdep {             /* another package this one names */
	rdy__pkgname name;
	rdy_wit_span span;                 /* first mention */
	rdy__fitem *items;
	uint32_t nitems, capitems;
} rdy__fdep;

typedef struct rdy__reqres {           /* a handle to a foreign type, to check once known */
	int32_t type;
	rdy_wit_span span;
} rdy__reqres;

struct rdy__upkg {
	rdy__pkgname name;                 /* name.span is where the package is named */
	const char *docs;
	rdy_wit_model m;                   /* local types, interfaces, worlds */
	rdy__fdep *deps;
	uint32_t ndeps, capdeps;
	uint32_t nforeign_ifaces, nforeign_worlds, nforeign_types;
	rdy__reqres *reqres;
	uint32_t nreqres, capreqres;
};

#endif
