/* Helpers for the WIT front-end tests: load text, expect success or an exact diagnostic. */
#ifndef RDY_WITTEST_H
#define RDY_WITTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "wit/wit.h"

/* Loads SRC as the file "t.wit" with feature "active" on; fails the test on error. */
static inline rdy_wit *wit_ok(const char *src)
{
	rdy_wit *w = rdy_wit_new();
	assert_non_null(w);
	assert_int_equal(rdy_wit_enable_feature(w, "active"), 0);
	int pkg = rdy_wit_load_string(w, "t.wit", src, strlen(src));
	if (pkg < 0)
		fail_msg("expected success, got:\n%s", rdy_wit_errmsg(w));
	return w;
}

/*
 * Loads SRC, which must fail with a first line of MSG and, when LOC is not
 * NULL, the location line "--> t.wit:LOC".
 */
static inline void wit_err(const char *src, const char *msg, const char *loc)
{
	rdy_wit *w = rdy_wit_new();
	assert_non_null(w);
	rdy_wit_enable_feature(w, "active");
	int pkg = rdy_wit_load_string(w, "t.wit", src, strlen(src));
	if (pkg >= 0)
		fail_msg("expected the error `%s`, but the input resolved", msg);
	const char *e = rdy_wit_errmsg(w);
	size_t n = strcspn(e, "\n");
	if (strlen(msg) != n || strncmp(e, msg, n))
		fail_msg("expected message `%s`, got:\n%s", msg, e);
	if (loc) {
		char want[256];
		snprintf(want, sizeof want, "\n     --> t.wit:%s\n", loc);
		if (!strstr(e, want))
			fail_msg("expected location t.wit:%s, got:\n%s", loc, e);
	}
	rdy_wit_free(w);
}

static inline const rdy_wit_package *wit_pkg(rdy_wit *w, const char *id)
{
	const rdy_wit_model *m = rdy_wit_get_model(w);
	for (uint32_t i = 0; i < m->npackages; i++)
		if (!strcmp(m->packages[i].id, id))
			return &m->packages[i];
	fail_msg("no package %s", id);
	return NULL;
}

static inline int32_t wit_named(const rdy_wit_named *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].id;
	return -1;
}

#endif
