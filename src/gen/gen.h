/*
 * `rdy gen c`: C bindings for one side of a world (docs/cli.md, "Generated
 * C").  The generator writes a header and a source file; both follow the
 * ABI of docs/abi.md and assert every size and offset the layout engine
 * computes, so the C compiler confirms the layout of each build.
 */
#ifndef RDY_GEN_H
#define RDY_GEN_H

#include "wit/wit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rdy_gen_input {
	const rdy_wit_model *m;
	int world;
	int side;                          /* RDY_SIDE_HOST or RDY_SIDE_PLUGIN */
	const uint8_t *desc;               /* the world's descriptor for SIDE (rdy_desc_encode) */
	size_t desc_len;
	const uint8_t *peer;               /* host side: the world's plugin-side descriptor, or NULL */
	size_t peer_len;
	const char *base;                  /* the files' base name: BASE.h, BASE.c */
	const char *source;                /* the WIT path, for the banner */
	const char *producer;              /* "rdylib 0.1.0", the descriptor's producer */
} rdy_gen_input;

/*
 * Writes the header to H and the source to C.  Returns 0, or -1 with a
 * message in ERR (out of memory; a name the C bindings cannot spell).
 */
int rdy_gen_c(const rdy_gen_input *in, FILE *h, FILE *c, char *err, size_t errlen);

/*
 * `rdy gen rust`: writes one Rust module for SIDE (plugin only, for now) to
 * OUT (docs/cli.md, "rdy gen rust").  Returns 0, or -1 with a message in ERR
 * (out of memory; the host side; resources the plugin implements).
 */
int rdy_gen_rust(const rdy_gen_input *in, FILE *out, char *err, size_t errlen);

/* The default base name for world WORLD and SIDE: "<world>_<side>", snake case. */
void rdy_gen_default_base(const rdy_wit_model *m, int world, int side, char *buf, size_t n);

#endif
