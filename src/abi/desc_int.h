/* Shared by the descriptor encoder and decoder: the wire format's constants (docs/abi.md §5). */
#ifndef RDY_ABI_DESC_INT_H
#define RDY_ABI_DESC_INT_H

#include <stdint.h>

#define RDY_DESC_MAGIC "\x7fRDY"
enum {
	RDY_DESC_MAJOR = 1,
	RDY_DESC_MINOR = 0,
	RDY_DESC_HEADER = 12,              /* magic, major, minor, side, flags, u32 size */
};

/* Section ids, in the order they must appear; a reader skips ids it does not know. */
enum {
	RDY_SEC_STRINGS = 1,
	RDY_SEC_PRODUCER = 2,
	RDY_SEC_FEATURES = 3,
	RDY_SEC_PACKAGES = 4,
	RDY_SEC_TYPES = 5,
	RDY_SEC_INTERFACES = 6,
	RDY_SEC_WORLDS = 7,
};

/* Type kinds on the wire. */
enum {
	RDY_K_ALIAS, RDY_K_RECORD, RDY_K_RESOURCE, RDY_K_OWN, RDY_K_BORROW, RDY_K_FLAGS, RDY_K_TUPLE,
	RDY_K_VARIANT, RDY_K_ENUM, RDY_K_OPTION, RDY_K_RESULT, RDY_K_LIST, RDY_K_FIXED_LIST, RDY_K_MAP,
	RDY_K_COUNT
};

/* A type reference: 0 none, 1..14 the primitives (RDY_WIT_BOOL = -1 is 1), 15 + i type i. */
enum { RDY_TREF_FIRST = 15 };

#endif
