/*
 * The native ABI v1 (docs/abi.md): type layout on LP64 targets.
 *
 * A layout table is computed once for a resolved model and gives, for every
 * type, its size, alignment and the offsets of its parts, exactly as the C
 * declarations that `rdy gen c` emits lay them out.
 */
#ifndef RDY_ABI_H
#define RDY_ABI_H

#include "wit/wit.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum rdy_abi_status {
	RDY_ABI_OK,
	RDY_ABI_NOT_IN_V1,                 /* future, stream, error-context, or contains one */
	RDY_ABI_TOO_LARGE                  /* size past 2^31 bytes */
} rdy_abi_status;

typedef struct rdy_abi_type {
	uint32_t size, align;
	uint32_t payload;                  /* variant, option, result: offset of the payload */
	uint8_t disc;                      /* discriminant bytes: variant, option, result, enum */
	uint8_t status;                    /* rdy_abi_status */
	uint32_t *offsets;                 /* record fields, tuple members; NULL otherwise */
	uint32_t words;                    /* flags past 64: the number of uint64_t words */
} rdy_abi_type;

typedef struct rdy_abi_layouts rdy_abi_layouts;

/* Lays out every type of M; NULL when memory runs out.  M must not change afterwards. */
rdy_abi_layouts *rdy_abi_layouts_new(const rdy_wit_model *m);
void rdy_abi_layouts_free(rdy_abi_layouts *l);

/* The layout of a type reference (primitives included). */
const rdy_abi_type *rdy_abi_layout(const rdy_abi_layouts *l, rdy_wit_type t);

/* Discriminant bytes for a variant or enum of N cases, and storage of N flags. */
uint8_t rdy_abi_disc_size(uint32_t ncases);

/* Why a type is not in v1, naming the construct (NULL when it is in v1). */
const char *rdy_abi_why_not(const rdy_abi_layouts *l, rdy_wit_type t);

#endif
