/*
 * The functions of a world's imports or exports in descriptor order
 * (docs/abi.md §7): the order of the tables a plugin's root symbol and a
 * host's import registration hold.  The generator lays out its tables with
 * it and the loader binds with it, so both agree by construction.
 */
#ifndef RDY_ABI_FUNCS_H
#define RDY_ABI_FUNCS_H

#include "wit/wit.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rdy_abi_fref {
	uint32_t item;                     /* index into the world's imports or exports */
	int32_t iface;                     /* the item's interface, or -1 for a function item */
	const rdy_wit_func *func;
} rdy_abi_fref;

/*
 * The functions of world W's exports (EXPORTS) or imports: each interface
 * item's functions in order, and each function item, in item order.  *OUT
 * is malloc'd (NULL when there are none).  Returns 0, or -1 when memory runs
 * out.
 */
int rdy_abi_world_funcs(const rdy_wit_model *m, int w, bool exports, rdy_abi_fref **out, uint32_t *n);

/*
 * Maps each function of WANT's list (world WW of model WM) to the index of
 * the function of the same key in HAVE's list (world HW of HM), or
 * UINT32_MAX when HAVE lacks it.  Interfaces are keyed by package namespace,
 * name and interface name (the compatibility check has already matched
 * their versions), world functions and named inline interfaces by name.
 * MAP holds one entry per WANT function.
 */
void rdy_abi_bind(const rdy_wit_model *wm, int ww, const rdy_abi_fref *want, uint32_t nwant,
		  const rdy_wit_model *hm, int hw, const rdy_abi_fref *have, uint32_t nhave, bool exports,
		  uint32_t *map);

/* A resource of a world's exports or imports: type TYPE, of item ITEM. */
typedef struct rdy_abi_rref {
	uint32_t item;                     /* index into the world's imports or exports */
	int32_t iface;                     /* the item's interface, or -1 for a world's own resource */
	int32_t type;                      /* the resource's type index */
} rdy_abi_rref;

/*
 * The resources of world W's exports (EXPORTS) or imports in descriptor
 * order [R-RES]: those each interface item declares, in declaration order,
 * and each resource item of the world itself, item by item.  Resources an
 * interface only `use`s are the declaring interface's.  *OUT is malloc'd (NULL when there are none).  Returns 0,
 * or -1 when memory runs out.
 */
int rdy_abi_world_resources(const rdy_wit_model *m, int w, bool exports, rdy_abi_rref **out, uint32_t *n);

/*
 * Maps each resource of WANT's list to the index of HAVE's resource of the
 * same interface key and name, or UINT32_MAX; as rdy_abi_bind.
 */
void rdy_abi_bind_resources(const rdy_wit_model *wm, int ww, const rdy_abi_rref *want, uint32_t nwant,
			    const rdy_wit_model *hm, int hw, const rdy_abi_rref *have, uint32_t nhave, bool exports,
			    uint32_t *map);

#endif
