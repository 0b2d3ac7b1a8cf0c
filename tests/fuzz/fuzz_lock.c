/*
 * Fuzzes the lock file parser (include/rdy.h, "pinning").  Any bytes must
 * be refused with a message naming the lock and, for a line, its number;
 * or give a lock whose every entry is found again by its own name with its
 * own digest (rule 1 of the matching).  A broken property aborts.
 */
#include "fuzz.h"
#include "rdy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rdy_error *err = NULL;
	rdy_lock *l = rdy_lock_parse((const char *)data, size, "fuzz.lock", &err);
	if (!l) {
		const char *msg = rdy_error_message(err);
		if (!msg || (strncmp(msg, "fuzz.lock", 9) && strcmp(msg, "out of memory")))
			abort();
		rdy_error_free(err);
		return 0;
	}
	for (uint32_t i = 0; i < rdy_lock_count(l); i++) {
		const char *name = rdy_lock_name(l, i);
		const uint8_t *d = rdy_lock_digest(l, i);
		if (!name || !d)
			abort();
		/* A name found by rule 1 is pinned once: its digest must come back. */
		rdy_error *e = NULL;
		const uint8_t *found = rdy_lock_find(l, name, &e);
		if (!found || memcmp(found, d, 32))
			abort();
		rdy_error_free(e);
	}
	rdy_lock_free(l);
	return 0;
}
