/*
 * `rdy diff`: the changes between two versions of one world, each classed
 * by what the loader would do with hosts and plugins built from either
 * (docs/abi.md §8.1).  It runs the loader's own check (check.h) both ways,
 * the old version as the host and the new as the plugin, then the other way
 * round, so that what it predicts and what the loader does cannot differ.
 */
#ifndef RDY_ABI_DIFF_H
#define RDY_ABI_DIFF_H

#include "abi/check.h"

/* Who refuses, or who sees an item absent: the cells of the matrix. */
enum {
	RDY_DIFF_OLD_HOSTS = 1,            /* an old host with a new plugin */
	RDY_DIFF_NEW_HOSTS = 2,            /* a new host with an old plugin */
};

typedef struct rdy_diff_change {
	rdy_check_at at;                   /* the item and the change; at.what is never RDY_CHECK_MISSING */
	uint8_t breaks;                    /* RDY_DIFF_* whose loads are refused; 0: compatible */
	uint8_t absent;                    /* RDY_DIFF_* where the item binds as absent, or 0 */
	char **lines;                      /* what changed, as the check says it, "old"/"new" for "host"/"plugin" */
	uint32_t nlines;
} rdy_diff_change;

typedef struct rdy_diff {
	rdy_diff_change *v;
	uint32_t n;
	uint32_t nbreaking;                /* changes with breaks != 0 */
} rdy_diff;

/*
 * Compares world OW of OLD with world NW of NEW into *OUT (free it with
 * rdy_diff_free).  Changes come imports first, then exports, each sorted by
 * interface and item.  Returns 0, or -1 when memory runs out.
 */
int rdy_diff_worlds(const rdy_wit_model *old, int ow, const rdy_wit_model *new_, int nw, rdy_diff *out);
void rdy_diff_free(rdy_diff *d);

#endif
