/*
 * Reading packages from files and directories, and pushing them into the
 * resolution in dependency order (the reference's Resolve::push_path,
 * push_dir, parse_deps_dir and sort_unresolved_packages).
 *
 * No file or directory handle is held while anything that can raise runs:
 * contents and listings are read whole first, so a raise leaks nothing.
 */
#include "wit/upkg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_FILE = 64 << 20 };

typedef struct group {                 /* what one file or directory holds */
	rdy__upkg *main;
	rdy__upkg **nested;
	uint32_t nnested, capnested;
} group;

typedef struct groups {
	group *v;
	uint32_t n, cap;
} groups;

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *join(rdy_wit *w, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return rdy__sprintf(&w->arena, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* The whole file, or NULL with errno set. */
static char *slurp(rdy_wit *w, const char *path, uint32_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MAX_FILE) {
		size_t cap = (size_t)st.st_size + 1, got = 0;
		buf = malloc(cap);
		while (buf) {
			ssize_t r = read(fd, buf + got, cap - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r < 0) {
					free(buf);
					buf = NULL;
				}
				break;
			}
			got += (size_t)r;
			if (got == cap || got > MAX_FILE) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
		}
		*len = (uint32_t)got;
	} else {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EFBIG;
	}
	int saved = errno;
	close(fd);
	if (!buf) {
		errno = saved;
		return NULL;
	}
	char *copy = rdy__strndup(&w->arena, buf, *len);
	free(buf);
	return copy;
}

static char *read_source(rdy_wit *w, const char *path, uint32_t *len)
{
	char *text = slurp(w, path, len);
	if (!text)
		rdy__wit_fail_plain(w, "failed to read path for WIT [%s]: %s", path, strerror(errno));
	if (rdy__utf8_valid(text, *len) != *len)
		rdy__wit_fail_plain(w, "input file is not valid utf-8 [%s]", path);
	return text;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The directory's entries, sorted by name. */
static const char **list_dir(rdy_wit *w, const char *path, uint32_t *n)
{
	DIR *d = opendir(path);
	if (!d)
		rdy__wit_fail_plain(w, "failed to read directory \"%s\": %s", path, strerror(errno));
	const char **v = NULL;
	uint32_t cap = 0;
	*n = 0;
	size_t count = 0;
	struct dirent *e;
	/* names are copied with malloc: the arena may not raise while the DIR is open */
	char **tmp = NULL;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char **t = realloc(tmp, (count + 1) * sizeof *t);
		char *s = strdup(e->d_name);
		if (!t || !s) {
			free(s);
			tmp = t ? t : tmp;
			break;
		}
		tmp = t;
		tmp[count++] = s;
	}
	closedir(d);
	for (size_t i = 0; i < count; i++) {
		const char *s = NULL;
		if (!w->poisoned)
			s = rdy__strndup(&w->arena, tmp[i], strlen(tmp[i]));
		free(tmp[i]);
		*RDY_PUSH(&w->arena, v, *n, cap) = s;
	}
	free(tmp);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

/* Parses one file's text: its package plus any nested `package x:y { }` blocks. */
static void parse_source(rdy_wit *w, group *g, rdy__afile ***files, uint32_t *nfiles, uint32_t *cap,
			 const char *path, const char *text, uint32_t len)
{
	uint32_t base = rdy__wit_add_source(w, path, text, len);
	rdy__afile *f = rdy__parse_file(w, text, len, base);
	rdy__decls kept = { 0 };
	for (uint32_t i = 0; i < f->decls.n; i++) {
		if (f->decls.v[i].kind != RDY_AI_PACKAGE) {
			*RDY_PUSH(&w->arena, kept.v, kept.n, kept.cap) = f->decls.v[i];
			continue;
		}
		rdy__afile *nested = f->decls.v[i].pkg;
		*RDY_PUSH(&w->arena, g->nested, g->nnested, g->capnested) = rdy__resolve_ast(w, &nested, 1);
	}
	f->decls = kept;
	*RDY_PUSH(&w->arena, *files, *nfiles, *cap) = f;
}

/* UnresolvedPackageGroup::parse_dir: every `*.wit` file of a directory, by name. */
static group parse_dir(rdy_wit *w, const char *path)
{
	group g = { 0 };
	uint32_t n, nfiles = 0, cap = 0;
	rdy__afile **files = NULL;
	const char **names = list_dir(w, path, &n);
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		const char *p = join(w, path, names[i]);
		if (l < 4 || strcmp(names[i] + l - 4, ".wit") || is_dir(p))
			continue;
		uint32_t len;
		char *text = read_source(w, p, &len);
		parse_source(w, &g, &files, &nfiles, &cap, p, text, len);
	}
	g.main = rdy__resolve_ast(w, files, nfiles);
	return g;
}

static group parse_text(rdy_wit *w, const char *path, const char *text, uint32_t len)
{
	group g = { 0 };
	rdy__afile **files = NULL;
	uint32_t nfiles = 0, cap = 0;
	if (rdy__utf8_valid(text, len) != len)
		rdy__wit_fail_plain(w, "input file is not valid utf-8 [%s]", path);
	parse_source(w, &g, &files, &nfiles, &cap, path, text, len);
	g.main = rdy__resolve_ast(w, files, nfiles);
	return g;
}

static group parse_file(rdy_wit *w, const char *path)
{
	uint32_t len;
	char *text = read_source(w, path, &len);
	size_t l = strlen(path);
	if (l > 5 && (!strcmp(path + l - 5, ".wasm") || !strcmp(path + l - 4, ".wat")))
		rdy__wit_fail_plain(w, "WebAssembly-encoded WIT packages are not supported [%s]", path);
	return parse_text(w, path, text, len);
}

static void parse_deps(rdy_wit *w, const char *path, groups *out)
{
	if (!is_dir(path))
		return;
	uint32_t n;
	const char **names = list_dir(w, path, &n);
	for (uint32_t i = 0; i < n; i++) {
		const char *p = join(w, path, names[i]);
		size_t l = strlen(names[i]);
		group g;
		if (is_dir(p)) {
			rdy__wit_push_context(w, "failed to parse package: %s", p);
			g = parse_dir(w, p);
			rdy__wit_pop_context(w);
		} else if ((l > 4 && !strcmp(names[i] + l - 4, ".wit")) || (l > 4 && !strcmp(names[i] + l - 4, ".wat")) ||
			   (l > 5 && !strcmp(names[i] + l - 5, ".wasm"))) {
			g = parse_file(w, p);
		} else {
			continue;
		}
		*RDY_PUSH(&w->arena, out->v, out->n, out->cap) = g;
	}
}

/* ---- ordering packages by dependency --------------------------------------- */

typedef struct pent {
	rdy__upkg *u;
	bool done;
} pent;

typedef struct plist {
	pent *v;                           /* sorted by package name */
	uint32_t n, cap;
	const rdy__pkgname **visiting;
	uint32_t nvisiting, capvisiting;
	rdy__upkg **order;
	uint32_t norder, caporder;
} plist;

static pent *plist_find(plist *l, const rdy__pkgname *n)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (!rdy__pkgname_cmp(rdy__upkg_name(l->v[i].u), n))
			return &l->v[i];
	return NULL;
}

static const char *pkg_text(rdy_wit *w, const rdy__pkgname *n)
{
	return n->has_version ? rdy__sprintf(&w->arena, "%s:%s@%s", n->ns.name, n->name.name, n->version.text)
			      : rdy__sprintf(&w->arena, "%s:%s", n->ns.name, n->name.name);
}

static void plist_insert(rdy_wit *w, plist *l, rdy__upkg *u)
{
	const rdy__pkgname *n = rdy__upkg_name(u);
	pent *prev = plist_find(l, n);
	if (prev)
		rdy__wit_fail_plain(w, "package `%s` is defined in two different locations:\n  * %s\n  * %s\n", pkg_text(w, n),
				    rdy__wit_location(w, n->span.start),
				    rdy__wit_location(w, rdy__upkg_name(prev->u)->span.start));
	uint32_t at = 0;
	while (at < l->n && rdy__pkgname_cmp(rdy__upkg_name(l->v[at].u), n) < 0)
		at++;
	RDY_PUSH(&w->arena, l->v, l->n, l->cap);
	memmove(&l->v[at + 1], &l->v[at], (l->n - 1 - at) * sizeof *l->v);
	l->v[at] = (pent){ u, false };
}

static void visit(rdy_wit *w, plist *l, pent *p)
{
	if (p->done)
		return;
	if (l->nvisiting > 10000)
		rdy__wit_fail_plain(w, "packages depend on each other through more than 10000 levels");
	uint32_t n = rdy__upkg_ndeps(p->u);
	const rdy__pkgname **names = rdy__allocn(&w->arena, n ? n : 1, sizeof *names);
	rdy_wit_span *spans = rdy__allocn(&w->arena, n ? n : 1, sizeof *spans);
	rdy__upkg_deps(p->u, names, spans, &n, n);
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < l->nvisiting; k++)
			if (!rdy__pkgname_cmp(l->visiting[k], names[i]))
				rdy__wit_fail(w, spans[i], "package `%s` creates a dependency cycle", pkg_text(w, names[i]));
		*RDY_PUSH(&w->arena, l->visiting, l->nvisiting, l->capvisiting) = names[i];
		pent *d = plist_find(l, names[i]);
		if (d)
			visit(w, l, d);
		l->nvisiting--;
	}
	p->done = true;
	*RDY_PUSH(&w->arena, l->order, l->norder, l->caporder) = p->u;
}

/* Pushes the main group and its dependencies, dependencies first; returns the main package. */
static int32_t push_groups(rdy_wit *w, const group *main, const groups *deps)
{
	plist l = { 0 };
	for (uint32_t gi = 0; gi <= deps->n; gi++) {
		const group *g = gi == 0 ? main : &deps->v[gi - 1];
		for (uint32_t i = 0; i < g->nnested; i++)
			plist_insert(w, &l, g->nested[i]);
		plist_insert(w, &l, g->main);
	}
	for (uint32_t i = 0; i < l.n; i++)
		visit(w, &l, &l.v[i]);
	int32_t main_id = -1;
	for (uint32_t i = 0; i < l.norder; i++) {
		int32_t id = rdy__append(w, l.order[i]);
		if (l.order[i] == main->main)
			main_id = id;
	}
	return main_id;
}

int32_t rdy__load_path(rdy_wit *w, const char *path)
{
	groups deps = { 0 };
	if (!is_dir(path)) {
		group g = parse_file(w, path);
		return push_groups(w, &g, &deps);
	}
	rdy__wit_push_context(w, "failed to resolve directory while parsing WIT for path [%s]", path);
	rdy__wit_push_context(w, "failed to parse package: %s", path);
	group g = parse_dir(w, path);
	rdy__wit_pop_context(w);
	parse_deps(w, join(w, path, "deps"), &deps);
	int32_t id = push_groups(w, &g, &deps);
	rdy__wit_pop_context(w);
	return id;
}

int32_t rdy__load_text(rdy_wit *w, const char *name, const char *text, uint32_t len)
{
	groups deps = { 0 };
	group g = parse_text(w, name, rdy__strndup(&w->arena, text, len), len);
	return push_groups(w, &g, &deps);
}
