/* The front end's public entry points: each sets the failure landing pad. */
#include "wit/witint.h"

#include <stdlib.h>
#include <string.h>

static const char oom_msg[] = "out of memory";

static void on_oom(void *ud)
{
	rdy_wit *w = ud;
	w->err = oom_msg;
	w->poisoned = true;
	if (w->jmp)
		longjmp(*w->jmp, 1);
	abort(); /* every allocation happens under an entry point */
}

rdy_wit *rdy_wit_new(void)
{
	rdy_wit *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	rdy__arena_init(&w->arena, on_oom, w);
	rdy__strtab_init(&w->names, &w->arena);
	w->err = "";
	return w;
}

void rdy_wit_free(rdy_wit *w)
{
	if (!w)
		return;
	rdy__arena_free(&w->arena);
	free(w);
}

const char *rdy_wit_errmsg(const rdy_wit *w)
{
	return w->err ? w->err : "";
}

const rdy_wit_model *rdy_wit_get_model(const rdy_wit *w)
{
	return &w->m;
}

void rdy_wit_set_memory_limit(rdy_wit *w, size_t bytes)
{
	w->arena.limit = bytes;
}

void rdy_wit_fail_allocation(rdy_wit *w, unsigned n)
{
	w->arena.fail_at = n;
	w->arena.chunks = 0;
	w->arena.chunk = 256; /* small chunks: many distinct failure points */
}

/* Runs BODY with failures landing here; evaluates to its value or -1. */
#define GUARDED(w, body)                                                   \
	do {                                                               \
		jmp_buf jb_;                                               \
		if ((w)->poisoned) {                                       \
			(w)->err = "this resolution is unusable after a failed load"; \
			return -1;                                         \
		}                                                          \
		(w)->jmp = &jb_;                                           \
		(w)->nctx = 0;                                             \
		if (setjmp(jb_)) {                                         \
			(w)->jmp = NULL;                                   \
			return -1;                                         \
		}                                                          \
		int r_ = (body);                                           \
		(w)->jmp = NULL;                                           \
		return r_;                                                 \
	} while (0)

static int enable(rdy_wit *w, const char *name, size_t len)
{
	const char *s = rdy__intern(&w->names, name, len);
	for (uint32_t i = 0; i < w->nfeatures; i++)
		if (w->features[i] == s)
			return 0;
	*RDY_PUSH(&w->arena, w->features, w->nfeatures, w->capfeatures) = s;
	return 0;
}

int rdy_wit_enable_feature(rdy_wit *w, const char *name)
{
	GUARDED(w, enable(w, name, strlen(name)));
}

static int enable_csv(rdy_wit *w, const char *csv)
{
	while (*csv) {
		size_t n = strcspn(csv, ",");
		size_t a = 0, b = n;
		while (a < b && (csv[a] == ' ' || csv[a] == '\t'))
			a++;
		while (b > a && (csv[b - 1] == ' ' || csv[b - 1] == '\t'))
			b--;
		if (b > a)
			enable(w, csv + a, b - a);
		csv += n + (csv[n] == ',');
	}
	return 0;
}

int rdy_wit_enable_features(rdy_wit *w, const char *csv)
{
	GUARDED(w, enable_csv(w, csv));
}

int rdy_wit_load_path(rdy_wit *w, const char *path)
{
	GUARDED(w, rdy__load_path(w, path));
}

int rdy_wit_load_string(rdy_wit *w, const char *name, const char *text, size_t len)
{
	if (len > UINT32_MAX / 2) {
		w->err = "input too large";
		return -1;
	}
	GUARDED(w, rdy__load_text(w, name, text, (uint32_t)len));
}

/* ---- world selection (the reference's Resolve::select_world) ------------ */

static int32_t world_in(rdy_wit *w, int32_t pkg, const char *name, size_t len)
{
	const rdy_wit_package *p = &w->m.packages[pkg];
	for (uint32_t i = 0; i < p->nworlds; i++)
		if (strlen(p->worlds[i].name) == len && !memcmp(p->worlds[i].name, name, len))
			return p->worlds[i].id;
	return -1;
}

static int select_qualified(rdy_wit *w, const char *spec)
{
	const char *slash = strchr(spec, '/'), *colon = strchr(spec, ':');
	if (!slash || !colon || colon > slash)
		rdy__wit_fail_plain(w, "invalid world name `%s`: expected `name` or `ns:pkg/name[@version]`", spec);
	const char *at = strchr(slash, '@');
	size_t nslen = (size_t)(colon - spec), plen = (size_t)(slash - colon - 1);
	size_t wlen = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
	int32_t found = -1;
	uint32_t matches = 0;
	for (uint32_t i = 0; i < w->m.npackages; i++) {
		const rdy_wit_package *p = &w->m.packages[i];
		if (strlen(p->ns) != nslen || memcmp(p->ns, spec, nslen) || strlen(p->name) != plen ||
		    memcmp(p->name, colon + 1, plen))
			continue;
		if (at && (!p->has_version || strcmp(p->version.text, at + 1)))
			continue;
		found = (int32_t)i;
		matches++;
	}
	if (!matches)
		rdy__wit_fail_plain(w, "no package named `%.*s` found", (int)(at ? (size_t)(at - spec) : strlen(spec)) -
					   (int)wlen - 1, spec);
	if (matches > 1)
		rdy__wit_fail_plain(w, "package `%.*s` is loaded at several versions; name one, as in `%.*s@VERSION`",
				    (int)(nslen + plen + 1), spec, (int)strlen(spec), spec);
	int32_t id = world_in(w, found, slash + 1, wlen);
	if (id < 0)
		rdy__wit_fail_plain(w, "world `%.*s` not found in package `%s`", (int)wlen, slash + 1,
				    w->m.packages[found].id);
	return id;
}

static int select_world(rdy_wit *w, int pkg, const char *spec)
{
	if (spec && strchr(spec, ':'))
		return select_qualified(w, spec);
	if (pkg < 0 || (uint32_t)pkg >= w->m.npackages)
		rdy__wit_fail_plain(w, "no main package to select a world from");
	const rdy_wit_package *p = &w->m.packages[pkg];
	if (spec) {
		if (strchr(spec, '@'))
			rdy__wit_fail_plain(w, "world name `%s` may carry a version only when qualified, as in `ns:pkg/name@1.0.0`",
					    spec);
		int32_t id = world_in(w, pkg, spec, strlen(spec));
		if (id < 0)
			rdy__wit_fail_plain(w, "world `%s` not found in package `%s`", spec, p->id);
		return id;
	}
	if (p->nworlds == 1)
		return p->worlds[0].id;
	if (!p->nworlds)
		rdy__wit_fail_plain(w, "package `%s` contains no worlds", p->id);
	const char *names = "";
	for (uint32_t i = 0; i < p->nworlds; i++)
		names = rdy__sprintf(&w->arena, "%s\n  %s", names, p->worlds[i].name);
	rdy__wit_fail_plain(w, "there are multiple worlds in `%s`; one must be chosen with --world:%s", p->id, names);
}

int rdy_wit_select_world(rdy_wit *w, int pkg, const char *spec)
{
	if (w->poisoned) {
		w->err = "this resolution is unusable after a failed load";
		return -1;
	}
	jmp_buf jb;
	w->jmp = &jb;
	w->nctx = 0;
	if (setjmp(jb)) {
		w->jmp = NULL;
		w->poisoned = false; /* a failed selection leaves the model intact */
		return -1;
	}
	int r = select_world(w, pkg, spec);
	w->jmp = NULL;
	return r;
}
