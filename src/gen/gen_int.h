/*
 * The generators' shared questions about a world's types (types.c), for
 * gen_c.c and gen_rust.c alike.
 */
#ifndef RDY_GEN_INT_H
#define RDY_GEN_INT_H

#include "abi/abi.h"
#include "abi/funcs.h"
#include "wit/wit.h"

#include <stdbool.h>
#include <stdint.h>

/* T with its aliases followed: a primitive (negative) or a type that is no alias. */
rdy_wit_type rdy_gen_unalias(const rdy_wit_model *m, rdy_wit_type t);
/* Whether a value of T owns memory its receiver releases; MEMO, per type, starts at -1. */
bool rdy_gen_needs_free(const rdy_wit_model *m, int8_t *memo, rdy_wit_type t);
/* Whether T crosses by value (else by pointer), as docs/abi.md §3 lowers it. */
bool rdy_gen_by_value(const rdy_wit_model *m, rdy_abi_layouts *l, rdy_wit_type t);

typedef void rdy_gen_type_fn(void *ctx, rdy_wit_type t);
/* FN for each type the items V name: a type item, or each type of an interface item. */
void rdy_gen_each_item_type(const rdy_wit_model *m, const rdy_wit_item *v, uint32_t n, rdy_gen_type_fn *fn, void *ctx);
/* FN for each parameter's type, resource and result of the functions V. */
void rdy_gen_each_func_type(const rdy_abi_fref *v, uint32_t n, rdy_gen_type_fn *fn, void *ctx);

#endif
