/*
 * The gallery: one collection of figures made by several plugins behind one
 * interface, all called alike.  Each entry is a plugin instance and a
 * handle; the host never sees inside a figure.  Then one plugin's figures
 * are dropped and the plugin unloaded, while the others go on.
 *
 * usage: gallery-host PLUGIN.so...   (the first one is the one unloaded)
 */
#include "plugin_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef example_gallery_plugin_t plugin_t;
typedef example_gallery_figures_figure_own_t figure_t;

typedef struct plugin {
	const char *path;
	rdy_module *module;
	plugin_t inst;
	char kind[32];
} plugin;

/* A figure in the gallery: whose it is, and the handle. */
typedef struct entry {
	plugin *p;
	figure_t f;
} entry;

static _Noreturn void die(const char *what, rdy_error *err)
{
	fprintf(stderr, "gallery: %s: %s\n", what, err ? rdy_error_message(err) : rdy_handle_error());
	exit(1);
}

static void open_plugin(rdy_world *w, plugin *p)
{
	rdy_error *err = NULL;
	if (!(p->module = rdy_module_open(w, p->path, &err)))
		die("open", err);
	if (example_gallery_plugin_instantiate(p->module, NULL, NULL, &p->inst, &err) != RDY_OK)
		die("instantiate", err);
	rdy_string_t k;
	if (exports_example_gallery_figures_kind(&p->inst, &k) != RDY_OK)
		die("kind", NULL);
	snprintf(p->kind, sizeof p->kind, "%.*s", (int)k.len, k.ptr);
	exports_example_gallery_figures_kind_release(&p->inst, &k);
}

/* Calls describe and area on every figure, whoever made it. */
static void show(const entry *g, size_t n)
{
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		const plugin_t *inst = &g[i].p->inst;
		example_gallery_figures_figure_borrow_t b = example_gallery_figures_figure_borrow(g[i].f);
		rdy_string_t d;
		double a;
		if (exports_example_gallery_figures_method_figure_describe(inst, b, &d) != RDY_OK ||
		    exports_example_gallery_figures_method_figure_area(inst, b, &a) != RDY_OK)
			die("call", NULL);
		printf("  %-24.*s area %8.3f   (from %s)\n", (int)d.len, d.ptr, a, g[i].p->path);
		exports_example_gallery_figures_method_figure_describe_release(inst, &d);
		total += a;
	}
	printf("  %zu figures, total area %.3f\n", n, total);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gallery-host PLUGIN.so PLUGIN.so...\n");
		return 2;
	}
	rdy_error *err = NULL;
	rdy_world *w = example_gallery_plugin_world(&err);
	if (!w)
		die("world", err);
	size_t np = (size_t)argc - 1, n = 0;
	plugin *ps = calloc(np, sizeof *ps);
	entry *g = calloc(np * 2, sizeof *g);
	if (!ps || !g)
		return 1;
	for (size_t i = 0; i < np; i++) {
		ps[i].path = argv[i + 1];
		open_plugin(w, &ps[i]);
		printf("loaded %s: it makes %ss\n", ps[i].path, ps[i].kind);
		for (double size = 1; size <= 2; size++) {
			if (exports_example_gallery_figures_constructor_figure(&ps[i].inst, size, &g[n].f) != RDY_OK)
				die("constructor", NULL);
			g[n++].p = &ps[i];
		}
	}

	printf("\nThe gallery: %zu figures from %zu plugins, one collection, called alike:\n", n, np);
	show(g, n);

	printf("\nEvery figure scaled by 2, through the same call:\n");
	for (size_t i = 0; i < n; i++)
		if (exports_example_gallery_figures_method_figure_scale(&g[i].p->inst,
									example_gallery_figures_figure_borrow(g[i].f), 2) != RDY_OK)
			die("scale", NULL);
	show(g, n);

	/* Unload the first plugin: refused while its figures live, then done once they are dropped. */
	plugin *gone = &ps[0];
	printf("\nUnloading %s while its figures are in the gallery:\n", gone->path);
	if (example_gallery_plugin_free(&gone->inst, &err) != RDY_EBUSY)
		die("free: it should have been refused", NULL);
	printf("  refused: %s\n", rdy_error_message(err));
	rdy_error_free(err);
	err = NULL;
	figure_t old = { 0 };
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (g[i].p == gone) {
			old = g[i].f;
			if (example_gallery_figures_figure_drop(&gone->inst, g[i].f) != RDY_OK)
				die("drop", NULL);
		} else {
			g[kept++] = g[i];
		}
	}
	printf("  dropped its %zu figures\n", n - kept);
	n = kept;
	if (example_gallery_plugin_free(&gone->inst, &err) != RDY_OK)
		die("free", err);
	int rc = rdy_module_close(gone->module, &err);
	if (rc == RDY_OK)
		printf("  unloaded %s: the runtime checked that it is no longer mapped\n", gone->path);
	else if (rc == RDY_EKEPT)
		printf("  closed, but %s\n", rdy_error_message(err));
	else
		die("close", err);
	rdy_error_free(err);
	err = NULL;

	printf("\nThe other plugins' figures go on:\n");
	show(g, n);

	/* A handle of the unloaded plugin is refused, not followed into unmapped memory. */
	double a;
	int32_t st = exports_example_gallery_figures_method_figure_area(&g[0].p->inst,
									 example_gallery_figures_figure_borrow(old), &a);
	printf("\nA handle kept from %s, used after the unload: status %d (%s)\n  %s\n", gone->path, (int)st,
	       rdy_strerror(st), rdy_handle_error());

	for (size_t i = 0; i < n; i++)
		if (example_gallery_figures_figure_drop(&g[i].p->inst, g[i].f) != RDY_OK)
			die("drop", NULL);
	for (size_t i = 1; i < np; i++) {
		if (example_gallery_plugin_free(&ps[i].inst, &err) != RDY_OK)
			die("free", err);
		rc = rdy_module_close(ps[i].module, &err);
		if (rc != RDY_OK && rc != RDY_EKEPT)
			die("close", err);
		rdy_error_free(err);
		err = NULL;
	}
	rdy_world_free(w);
	free(g);
	free(ps);
	printf("\ngallery: done\n");
	return 0;
}
