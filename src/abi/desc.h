/*
 * The binary descriptor of ABI v1 (docs/abi.md §5) and structural hashes
 * (§6).
 *
 * A descriptor describes one world from one side: what a host expects or
 * what a plugin provides.  Decoding trusts no byte of its input and yields a
 * model of the same shape as the WIT front end's (wit/wit.h), holding just
 * what the world reaches, so the layout engine, the hashes and the checker
 * work the same on either.
 */
#ifndef RDY_ABI_DESC_H
#define RDY_ABI_DESC_H

#include "wit/wit.h"

#include <stddef.h>
#include <stdint.h>

enum { RDY_SIDE_HOST = 1, RDY_SIDE_PLUGIN = 2 };

typedef struct rdy_hash {              /* XXH3-128 */
	uint64_t lo, hi;
} rdy_hash;

typedef struct rdy_desc rdy_desc;

/*
 * Encodes world WORLD of M for SIDE.  PRODUCER names what made it ("rdylib
 * 0.1.0 (gcc 12.2)"); FEATURES lists the @unstable features that were on, or
 * NULL.  On success *OUT is malloc'd (the caller frees it) and 0 is
 * returned; on failure -1 and a message in ERR.  Types ABI v1 does not carry
 * make the encoding fail, naming the item.
 */
int rdy_desc_encode(const rdy_wit_model *m, int world, int side, const char *producer,
		    const char *const *features, uint32_t nfeatures, uint8_t **out, size_t *len,
		    char *err, size_t errlen);

/*
 * Decodes LEN bytes.  Returns NULL with a message in ERR when the bytes are
 * not a valid descriptor; when memory runs out the message is exactly "out
 * of memory", and every other one starts "invalid descriptor".  The result
 * does not point into BUF.
 */
rdy_desc *rdy_desc_decode(const uint8_t *buf, size_t len, char *err, size_t errlen);
void rdy_desc_free(rdy_desc *d);

const rdy_wit_model *rdy_desc_model(const rdy_desc *d);
int rdy_desc_world(const rdy_desc *d);          /* the described world, in the model */
int rdy_desc_side(const rdy_desc *d);
const char *rdy_desc_producer(const rdy_desc *d);
uint32_t rdy_desc_nfeatures(const rdy_desc *d);
const char *rdy_desc_feature(const rdy_desc *d, uint32_t i);
uint8_t rdy_desc_version_minor(const rdy_desc *d);

/* Structural hashes of a model (§6): computed, never read from input. */
typedef struct rdy_hashes rdy_hashes;
rdy_hashes *rdy_hashes_new(const rdy_wit_model *m);  /* NULL when memory runs out */
void rdy_hashes_free(rdy_hashes *h);
rdy_hash rdy_hash_type(const rdy_hashes *h, rdy_wit_type t);
rdy_hash rdy_hash_func(const rdy_hashes *h, const rdy_wit_func *f);
rdy_hash rdy_hash_interface(const rdy_hashes *h, int32_t iface);
rdy_hash rdy_hash_world(const rdy_hashes *h, int32_t world);
/*
 * The semver track of a package's version, as the component model
 * canonicalises it (§6.1): "1" for 1.x.y, "0.2" for 0.2.z, "0.0.3", a
 * pre-release whole, "" without a version.  Into BUF[N]; returns BUF.
 */
const char *rdy_semver_track(const rdy_wit_package *p, char *buf, size_t n);

/* 32 lowercase hex digits, hi then lo, into BUF[33]. */
const char *rdy_hash_hex(rdy_hash h, char buf[33]);

#endif
