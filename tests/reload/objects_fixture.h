/*
 * What the object tests (test_objects.c, test_objects_edges.c) share: a
 * reloadable module of the wit-objects world opened from a plugin file,
 * one instance of it with the test's imports, and their teardown.  The
 * test defines RELOAD_WORK, and the marks' imports it passes.
 */
#ifndef OBJECTS_FIXTURE_H
#define OBJECTS_FIXTURE_H

#include "objects_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct fixture {
	rdy_world *w;
	rdy_module *m;
	test_objects_objects_t inst;
	char cache[256];
} fixture;

/* A fixture opened reloadable from PLUGIN, its cache named after TAG; NULL with the reason printed. */
static inline fixture *fixture_open(const char *plugin, const char *tag, const test_objects_objects_imports_t *imports)
{
	fixture *f = calloc(1, sizeof *f);
	rdy_error *err = NULL;
	if (!f)
		return NULL;
	snprintf(f->cache, sizeof f->cache, "%s/cache-%s-%d", RELOAD_WORK, tag, (int)getpid());
	f->w = test_objects_objects_world(&err);
	rdy_open_config c = { .reloadable = true, .cache_dir = f->cache };
	f->m = f->w ? rdy_module_open_with(f->w, plugin, &c, &err) : NULL;
	if (!f->m || test_objects_objects_instantiate(f->m, imports, NULL, &f->inst, &err) != RDY_OK) {
		fprintf(stderr, "%s\n", rdy_error_message(err));
		rdy_error_free(err);
		if (f->m)
			rdy_module_close(f->m, NULL);
		rdy_world_free(f->w);
		free(f);
		return NULL;
	}
	return f;
}

/* Frees the instance and closes the module: 0, or -1 with the refusal printed. */
static inline int fixture_close(fixture *f)
{
	rdy_error *err = NULL;
	int rc = test_objects_objects_free(&f->inst, &err);
	if (rc == RDY_OK)
		rc = rdy_module_close(f->m, &err);
	if (rc != RDY_OK)
		fprintf(stderr, "teardown: %s\n", rdy_error_message(err));
	rdy_error_free(err);
	rdy_world_free(f->w);
	free(f);
	return rc == RDY_OK ? 0 : -1;
}

#endif
