/*
 * Resolution within one package (the reference's ast/resolve.rs): the
 * parsed files of a package become an unresolved package whose names all
 * point at local items or at placeholders for other packages' items.
 *
 * Phases, in order: register foreign references; name and order the
 * package's interfaces and worlds (a topological sort, so `use` never sees
 * an unresolved interface); create placeholder types for foreign `use`s;
 * resolve interfaces, then worlds.
 */
#include "wit/upkg.h"

#include <string.h>

enum { NT_IFACE, NT_WORLD, NT_TYPE, NT_FUNC, NT_FOREIGN };

typedef struct nent {
	const char *name;
	int32_t id;
	uint8_t kind;                      /* NT_* */
	rdy_wit_span span;
	const void *ast;                   /* what defines it, where a pass needs that */
	uint32_t file;
} nent;

typedef struct nmap {                  /* a small insertion-ordered map keyed by interned name */
	nent *v;
	uint32_t n, cap;
} nmap;

typedef struct anon {                  /* dedup table of anonymous types */
	int32_t *slots;                    /* type index + 1, 0 = empty */
	uint32_t cap, count;
} anon;

typedef struct R {
	rdy_wit *w;
	rdy__upkg *u;
	rdy__afile **files;
	uint32_t nfiles, cur;
	nmap *ast_items;                   /* per file: names in scope at top level */
	nmap package_items;                /* interfaces and worlds of the package */
	nmap *iface_types;                 /* per local interface: its names */
	uint32_t niface_types, capiface_types;
	nmap type_lookup;                  /* names of the interface or world being resolved */
	anon anon;
} R;

#define ARENA(r) (&(r)->w->arena)

static nent *nmap_get(nmap *m, const char *name)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (m->v[i].name == name)
			return &m->v[i];
	return NULL;
}

/* Inserts NAME; returns the entry, and whether it was there already. */
static nent *nmap_put(R *r, nmap *m, const char *name, bool *existed)
{
	nent *e = nmap_get(m, name);
	*existed = e != NULL;
	if (!e) {
		e = RDY_PUSH(ARENA(r), m->v, m->n, m->cap);
		memset(e, 0, sizeof *e);
		e->name = name;
	}
	return e;
}

/* ---- docs and attributes ------------------------------------------------ */

/* Doc comments as the reference keeps them: markers cut, common indent removed. */
static const char *docs(R *r, const rdy__docs *d)
{
	if (!d->n)
		return NULL;
	const char **lines = rdy__allocn(ARENA(r), d->n, sizeof *lines);
	size_t *lens = rdy__allocn(ARENA(r), d->n, sizeof *lens);
	size_t minws = SIZE_MAX, total = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		const rdy__source *src = NULL;
		for (uint32_t k = 0; k < r->w->nsrcs; k++)
			if (r->w->srcs[k].offset <= d->v[i].start)
				src = &r->w->srcs[k];
		const char *s = src->text + (d->v[i].start - src->offset);
		size_t n = d->v[i].end - d->v[i].start;
		if (n >= 5 && !memcmp(s, "/**", 3) && !memcmp(s + n - 2, "*/", 2)) {
			s += 3;
			n -= 5;
		} else {
			while (n && *s == '/')
				s++, n--;
		}
		while (n && strchr(" \t\n\r\f\v", s[n - 1]))
			n--;
		lines[i] = s;
		lens[i] = n;
		if (n) {
			size_t ws = 0;
			while (ws < n && strchr(" \t\n\r\f\v", s[ws]))
				ws++;
			if (ws < minws)
				minws = ws;
		}
		total += n + 1;
	}
	if (minws == SIZE_MAX)
		minws = 0;
	char *out = rdy__alloc(ARENA(r), total + 1), *o = out;
	for (uint32_t i = 0; i < d->n; i++) {
		const char *s = lines[i];
		size_t n = lens[i], k = 0;
		while (k < minws && k < n && s[k] == ' ')
			k++;
		if (k == minws) {
			s += k;
			n -= k;
		}
		/* `lines()` splits on \n and drops a \r before it */
		for (size_t j = 0; j < n; j++)
			if (!(s[j] == '\r' && j + 1 < n && s[j + 1] == '\n'))
				*o++ = s[j];
		*o++ = '\n';
	}
	while (o > out && o[-1] == '\n')
		o--;
	*o = '\0';
	return rdy__intern_span(r->w, out, (size_t)(o - out));
}

static rdy_wit_version *version_copy(R *r, const rdy__version *v)
{
	rdy_wit_version *c = rdy__alloc(ARENA(r), sizeof *c);
	*c = *v;
	return c;
}

/* @since / @unstable, each optionally with @deprecated, as the reference allows. */
static rdy_wit_stability stability(R *r, const rdy__attrs *all)
{
	rdy_wit_stability s = { 0 };
	rdy__attrs gates = { 0 }, *a = &gates;
	for (uint32_t i = 0; i < all->n; i++) /* @external-id names an item; it gates nothing */
		if (all->v[i].kind != RDY_ATTR_EXTERNAL_ID)
			*RDY_PUSH(ARENA(r), gates.v, gates.n, gates.cap) = all->v[i];
	if (a->n == 0)
		return s;
	const rdy__attr *x = &a->v[0], *y = a->n > 1 ? &a->v[1] : NULL;
	if (a->n == 1 && x->kind == RDY_ATTR_DEPRECATED)
		rdy__wit_fail(r->w, x->span, "must pair @deprecated with either @since or @unstable");
	if (a->n > 2 || (y && (x->kind == y->kind || (x->kind != RDY_ATTR_DEPRECATED && y->kind != RDY_ATTR_DEPRECATED))))
		rdy__wit_fail(r->w, y->span, "unsupported combination of attributes");
	if (y && x->kind == RDY_ATTR_DEPRECATED) {
		const rdy__attr *t = x;
		x = y;
		y = t;
	}
	if (x->kind == RDY_ATTR_SINCE) {
		s.kind = RDY_WIT_STAB_STABLE;
		s.since = version_copy(r, &x->version);
	} else {
		s.kind = RDY_WIT_STAB_UNSTABLE;
		s.feature = x->feature;
	}
	if (y)
		s.deprecated = version_copy(r, &y->version);
	return s;
}

/* ---- allocation ----------------------------------------------------------- */

static int32_t alloc_iface(R *r, rdy_wit_span span)
{
	rdy_wit_interface *i = RDY_PUSH(ARENA(r), r->u->m.interfaces, r->u->m.ninterfaces, r->u->m.capinterfaces);
	memset(i, 0, sizeof *i);
	i->package = -1;
	i->span = span;
	nmap *t = RDY_PUSH(ARENA(r), r->iface_types, r->niface_types, r->capiface_types);
	memset(t, 0, sizeof *t);
	return (int32_t)(r->u->m.ninterfaces - 1);
}

static int32_t alloc_world(R *r, rdy_wit_span span)
{
	rdy_wit_world *wd = RDY_PUSH(ARENA(r), r->u->m.worlds, r->u->m.nworlds, r->u->m.capworlds);
	memset(wd, 0, sizeof *wd);
	wd->package = -1;
	wd->span = span;
	return (int32_t)(r->u->m.nworlds - 1);
}

static int32_t alloc_type(R *r, const rdy_wit_typedef *t)
{
	*RDY_PUSH(ARENA(r), r->u->m.types, r->u->m.ntypes, r->u->m.captypes) = *t;
	return (int32_t)(r->u->m.ntypes - 1);
}

static rdy_wit_typedef *ty(R *r, int32_t id)
{
	return &r->u->m.types[id];
}

/* ---- walking every path of a package -------------------------------------- */

enum { WI_WORLD, WI_INTERFACE, WI_UNKNOWN };

typedef void (*path_fn)(R *r, const rdy__id *owner, const rdy__attrs *attrs, const rdy__usepath *path,
			const rdy__ause *use, int kind, void *ctx);

static void visit_iface_uses(R *r, const rdy__id *owner, const rdy__aiitems *items, path_fn f, void *ctx)
{
	for (uint32_t i = 0; i < items->n; i++)
		if (items->v[i].kind == RDY_II_USE)
			f(r, owner, &items->v[i].use.attrs, &items->v[i].use.from, &items->v[i].use, WI_INTERFACE, ctx);
}

static void visit_extern(R *r, const rdy__awitem *it, path_fn f, void *ctx)
{
	if (it->ext.kind == RDY_EXT_INTERFACE)
		visit_iface_uses(r, NULL, &it->ext.items, f, ctx);
	else if (it->ext.kind == RDY_EXT_PATH || it->ext.kind == RDY_EXT_IMPLEMENTS)
		f(r, NULL, &it->attrs, &it->ext.path, NULL, WI_INTERFACE, ctx);
}

/* The reference's DeclList::for_each_path: worlds visit imports before exports. */
static void for_each_path(R *r, const rdy__decls *d, path_fn f, void *ctx)
{
	for (uint32_t i = 0; i < d->n; i++) {
		const rdy__aitem *it = &d->v[i];
		if (it->kind == RDY_AI_WORLD) {
			const rdy__aworld *wd = &it->world;
			for (uint32_t k = 0; k < wd->nitems; k++) {
				const rdy__awitem *wi = &wd->items[k];
				if (wi->kind == RDY_WI_USE)
					f(r, NULL, &wi->use.attrs, &wi->use.from, &wi->use, WI_INTERFACE, ctx);
				else if (wi->kind == RDY_WI_INCLUDE)
					f(r, &wd->name, &wi->include.attrs, &wi->include.from, NULL, WI_WORLD, ctx);
			}
			for (uint32_t k = 0; k < wd->nitems; k++)
				if (wd->items[k].kind == RDY_WI_IMPORT)
					visit_extern(r, &wd->items[k], f, ctx);
			for (uint32_t k = 0; k < wd->nitems; k++)
				if (wd->items[k].kind == RDY_WI_EXPORT)
					visit_extern(r, &wd->items[k], f, ctx);
		} else if (it->kind == RDY_AI_INTERFACE) {
			visit_iface_uses(r, &it->iface.name, &it->iface.items, f, ctx);
		} else if (it->kind == RDY_AI_USE) {
			f(r, NULL, &it->use.attrs, &it->use.from, NULL, WI_UNKNOWN, ctx);
		}
	}
}

/* ---- foreign dependencies ------------------------------------------------- */

int rdy__pkgname_cmp(const rdy__pkgname *a, const rdy__pkgname *b)
{
	int c = strcmp(a->ns.name, b->ns.name);
	if (!c)
		c = strcmp(a->name.name, b->name.name);
	if (!c && a->has_version != b->has_version)
		c = a->has_version ? 1 : -1;
	if (!c && a->has_version)
		c = rdy__version_cmp(&a->version, &b->version);
	return c;
}

static rdy__fdep *find_dep(rdy__upkg *u, const rdy__pkgname *n)
{
	for (uint32_t i = 0; i < u->ndeps; i++)
		if (!rdy__pkgname_cmp(&u->deps[i].name, n))
			return &u->deps[i];
	return NULL;
}

static rdy__fitem *find_fitem(rdy__fdep *d, const char *name)
{
	for (uint32_t i = 0; i < d->nitems; i++)
		if (d->items[i].name == name)
			return &d->items[i];
	return NULL;
}

static void foreign_dep_cb(R *r, const rdy__id *owner, const rdy__attrs *attrs, const rdy__usepath *path,
			   const rdy__ause *use, int kind, void *ctx)
{
	(void)owner, (void)use, (void)ctx;
	if (!path->foreign)
		return;
	rdy_wit_stability s = stability(r, attrs);
	rdy__fdep *d = find_dep(r->u, &path->pkg);
	if (!d) {
		d = RDY_PUSH(ARENA(r), r->u->deps, r->u->ndeps, r->u->capdeps);
		memset(d, 0, sizeof *d);
		d->name = path->pkg;
		d->span = path->pkg.span;
	}
	rdy__fitem *fi = find_fitem(d, path->name.name);
	if (!fi) {
		fi = RDY_PUSH(ARENA(r), d->items, d->nitems, d->capitems);
		memset(fi, 0, sizeof *fi);
		fi->name = path->name.name;
		fi->world = kind == WI_WORLD;
		fi->id = fi->world ? alloc_world(r, path->name.span) : alloc_iface(r, path->name.span);
	}
	*RDY_PUSH(ARENA(r), fi->stabs, fi->nstabs, fi->capstabs) = s;
}

/* ---- topological sort ------------------------------------------------------- */

typedef struct dep_node {
	const char *name;
	rdy__id *deps;
	uint32_t ndeps, capdeps;
} dep_node;

typedef struct dep_graph {
	dep_node *v;
	uint32_t n, cap;
} dep_graph;

static dep_node *graph_node(R *r, dep_graph *g, const char *name, bool create)
{
	for (uint32_t i = 0; i < g->n; i++)
		if (g->v[i].name == name)
			return &g->v[i];
	if (!create)
		return NULL;
	dep_node *n = RDY_PUSH(ARENA(r), g->v, g->n, g->cap);
	memset(n, 0, sizeof *n);
	n->name = name;
	return n;
}

/*
 * The reference's toposort: among ready nodes the earliest-declared goes
 * first; a missing node or a cycle is reported at the offending edge.
 */
static const char **toposort(R *r, const char *kind, dep_graph *g)
{
	uint32_t n = g->n;
	uint32_t *remaining = rdy__allocn(ARENA(r), n ? n : 1, sizeof *remaining);
	uint32_t **rev = rdy__allocn(ARENA(r), n ? n : 1, sizeof *rev);
	uint32_t *nrev = rdy__allocn(ARENA(r), n ? n : 1, sizeof *nrev), *caprev = rdy__allocn(ARENA(r), n ? n : 1, sizeof *caprev);
	for (uint32_t i = 0; i < n; i++) {
		remaining[i] = g->v[i].ndeps;
		for (uint32_t k = 0; k < g->v[i].ndeps; k++) {
			dep_node *d = graph_node(r, g, g->v[i].deps[k].name, false);
			if (!d)
				rdy__wit_fail(r->w, g->v[i].deps[k].span, "%s `%s` does not exist", kind, g->v[i].deps[k].name);
			uint32_t j = (uint32_t)(d - g->v);
			*RDY_PUSH(ARENA(r), rev[j], nrev[j], caprev[j]) = i;
		}
	}
	/* a min-heap of ready node indices */
	uint32_t *heap = rdy__allocn(ARENA(r), n ? n : 1, sizeof *heap), hn = 0;
	const char **order = rdy__allocn(ARENA(r), n + 1, sizeof *order);
	uint32_t on = 0;
#define HEAP_PUSH(x)                                                          \
	do {                                                                  \
		uint32_t c_ = hn++;                                           \
		heap[c_] = (x);                                               \
		while (c_ && heap[(c_ - 1) / 2] > heap[c_]) {                 \
			uint32_t p_ = (c_ - 1) / 2, t_ = heap[p_];            \
			heap[p_] = heap[c_];                                  \
			heap[c_] = t_;                                        \
			c_ = p_;                                              \
		}                                                             \
	} while (0)
	for (uint32_t i = 0; i < n; i++)
		if (!remaining[i])
			HEAP_PUSH(i);
	while (hn) {
		uint32_t top = heap[0];
		heap[0] = heap[--hn];
		for (uint32_t c = 0;;) {
			uint32_t l = 2 * c + 1, m = c;
			if (l < hn && heap[l] < heap[m])
				m = l;
			if (l + 1 < hn && heap[l + 1] < heap[m])
				m = l + 1;
			if (m == c)
				break;
			uint32_t t = heap[m];
			heap[m] = heap[c];
			heap[c] = t;
			c = m;
		}
		order[on++] = g->v[top].name;
		for (uint32_t k = 0; k < nrev[top]; k++)
			if (--remaining[rev[top][k]] == 0)
				HEAP_PUSH(rev[top][k]);
	}
#undef HEAP_PUSH
	if (on == n)
		return order;
	for (uint32_t i = 0; i < n; i++) {
		if (!remaining[i])
			continue;
		for (uint32_t k = 0; k < g->v[i].ndeps; k++) {
			dep_node *d = graph_node(r, g, g->v[i].deps[k].name, false);
			if (remaining[d - g->v])
				rdy__wit_fail(r->w, g->v[i].deps[k].span, "%s `%s` depends on itself", kind,
					      g->v[i].deps[k].name);
		}
	}
	rdy__wit_fail_plain(r->w, "internal error: cycle not found");
}

/* ---- interfaces and worlds of the package -------------------------------- */

typedef struct order_ctx {
	nmap *file_ns;                     /* this file's top-level names */
	nmap *pkg_spans;                   /* the package's interfaces and worlds */
	dep_graph *g;
} order_ctx;

static void order_cb(R *r, const rdy__id *owner, const rdy__attrs *attrs, const rdy__usepath *path,
		     const rdy__ause *use, int kind, void *ctx)
{
	(void)attrs, (void)use, (void)kind;
	order_ctx *c = ctx;
	if (!owner || path->foreign)
		return;
	dep_node *node = graph_node(r, c->g, owner->name, false);
	nent *e = nmap_get(c->file_ns, path->name.name);
	if (e && e->kind == NT_FOREIGN)
		return;
	if (e) {
		*RDY_PUSH(ARENA(r), node->deps, node->ndeps, node->capdeps) = *(const rdy__id *)e->ast;
		return;
	}
	if (!nmap_get(c->pkg_spans, path->name.name))
		rdy__wit_fail(r->w, path->name.span, "interface or world `%s` does not exist", path->name.name);
	*RDY_PUSH(ARENA(r), node->deps, node->ndeps, node->capdeps) = path->name;
}

static const rdy__id *decl_name(const rdy__aitem *it)
{
	return it->kind == RDY_AI_INTERFACE ? &it->iface.name : &it->world.name;
}

/* Checks names, sorts interfaces and worlds by `use`, allocates them and fills the scopes. */
static void populate_ast_items(R *r, int32_t **iface_order, uint32_t *niface, int32_t **world_order,
			       uint32_t *nworld)
{
	nmap pkg = { 0 };
	dep_graph g = { 0 };
	bool ex;
	for (uint32_t f = 0; f < r->nfiles; f++) {
		const rdy__decls *d = &r->files[f]->decls;
		for (uint32_t i = 0; i < d->n; i++) {
			if (d->v[i].kind == RDY_AI_USE)
				continue;
			const rdy__id *name = decl_name(&d->v[i]);
			nent *e = nmap_put(r, &pkg, name->name, &ex);
			if (ex)
				rdy__wit_fail(r->w, name->span, "duplicate item named `%s`", name->name);
			e->span = name->span;
			e->kind = d->v[i].kind == RDY_AI_INTERFACE ? NT_IFACE : NT_WORLD;
			e->ast = &d->v[i];
			e->file = f;
			graph_node(r, &g, name->name, true);
		}
	}
	for (uint32_t f = 0; f < r->nfiles; f++) {
		const rdy__decls *d = &r->files[f]->decls;
		nmap ns = { 0 };
		for (uint32_t i = 0; i < d->n; i++) {
			const rdy__aitem *it = &d->v[i];
			const rdy__id *name;
			nent *e;
			if (it->kind == RDY_AI_USE) {
				name = it->use.as.name ? &it->use.as : &it->use.from.name;
				e = nmap_put(r, &ns, name->name, &ex);
				e->kind = it->use.from.foreign ? NT_FOREIGN : NT_IFACE;
				e->ast = &it->use.from.name;
			} else {
				name = decl_name(it);
				e = nmap_put(r, &ns, name->name, &ex);
				e->kind = NT_IFACE;
				e->ast = name;
			}
			if (ex)
				rdy__wit_fail(r->w, name->span, "duplicate name `%s` in this file", name->name);
		}
		order_ctx c = { &ns, &pkg, &g };
		for_each_path(r, d, order_cb, &c);
	}
	const char **order = toposort(r, "interface or world", &g);
	nmap ids = { 0 };
	*iface_order = rdy__allocn(ARENA(r), g.n + 1, sizeof **iface_order);
	*world_order = rdy__allocn(ARENA(r), g.n + 1, sizeof **world_order);
	*niface = *nworld = 0;
	for (uint32_t i = 0; i < g.n; i++) {
		nent *p = nmap_get(&pkg, order[i]);
		nent *e = nmap_put(r, &ids, order[i], &ex);
		e->kind = p->kind;
		e->ast = p->ast;
		e->file = p->file;
		if (p->kind == NT_IFACE) {
			e->id = alloc_iface(r, p->span);
			r->u->m.interfaces[e->id].name = order[i];
			(*iface_order)[(*niface)++] = e->id;
		} else {
			e->id = alloc_world(r, p->span);
			r->u->m.worlds[e->id].name = order[i];
			(*world_order)[(*nworld)++] = e->id;
		}
	}
	r->ast_items = rdy__allocn(ARENA(r), r->nfiles ? r->nfiles : 1, sizeof *r->ast_items);
	for (uint32_t f = 0; f < r->nfiles; f++) {
		const rdy__decls *d = &r->files[f]->decls;
		for (uint32_t i = 0; i < d->n; i++) {
			const rdy__aitem *it = &d->v[i];
			const char *name;
			nent item = { 0 };
			if (it->kind == RDY_AI_USE) {
				if (it->use.attrs.n)
					rdy__wit_fail(r->w, it->use.span, "attributes not allowed on top-level use");
				name = (it->use.as.name ? it->use.as : it->use.from.name).name;
				if (!it->use.from.foreign) {
					nent *t = nmap_get(&ids, it->use.from.name.name);
					if (!t)
						rdy__wit_fail(r->w, it->use.from.name.span,
							      "interface or world `%s` does not exist", it->use.from.name.name);
					item = *t;
				} else {
					rdy__fitem *fi = find_fitem(find_dep(r->u, &it->use.from.pkg), it->use.from.name.name);
					item.kind = fi->world ? NT_WORLD : NT_IFACE;
					item.id = fi->id;
				}
			} else {
				name = decl_name(it)->name;
				item = *nmap_get(&ids, name);
			}
			nent *e = nmap_put(r, &r->ast_items[f], name, &ex);
			e->kind = item.kind;
			e->id = item.id;
			if (it->kind != RDY_AI_USE) {
				e = nmap_put(r, &r->package_items, name, &ex);
				e->kind = item.kind;
				e->id = item.id;
				e->ast = item.ast;
				e->file = item.file;
			}
		}
	}
}

/* A path names an interface or world of this package or a placeholder of another's. */
static nent resolve_path(R *r, const rdy__usepath *p)
{
	if (p->foreign) {
		rdy__fitem *fi = find_fitem(find_dep(r->u, &p->pkg), p->name.name);
		return (nent){ .kind = fi->world ? NT_WORLD : NT_IFACE, .id = fi->id };
	}
	nent *e = nmap_get(&r->ast_items[r->cur], p->name.name);
	if (!e)
		e = nmap_get(&r->package_items, p->name.name);
	if (!e)
		rdy__wit_fail(r->w, p->name.span, "interface or world `%s` does not exist", p->name.name);
	return *e;
}

static int32_t path_iface(R *r, const rdy__usepath *p)
{
	nent e = resolve_path(r, p);
	if (e.kind != NT_IFACE)
		rdy__wit_fail(r->w, p->name.span, "name `%s` is defined as a world, not an interface", p->name.name);
	return e.id;
}

static int32_t path_world(R *r, const rdy__usepath *p)
{
	nent e = resolve_path(r, p);
	if (e.kind != NT_WORLD)
		rdy__wit_fail(r->w, p->name.span, "name `%s` is defined as an interface, not a world", p->name.name);
	return e.id;
}

static void named_push(R *r, rdy_wit_named **v, uint32_t *n, uint32_t *cap, const char *name, int32_t id)
{
	rdy_wit_named *e = RDY_PUSH(ARENA(r), *v, *n, *cap);
	e->name = name;
	e->id = id;
}

static void foreign_types_cb(R *r, const rdy__id *owner, const rdy__attrs *attrs, const rdy__usepath *path,
			     const rdy__ause *use, int kind, void *ctx)
{
	(void)owner, (void)kind, (void)ctx;
	if (!use)
		return;
	rdy_wit_stability s = stability(r, attrs);
	int32_t iface = path_iface(r, path);
	if ((uint32_t)iface >= r->u->nforeign_ifaces)
		return;
	nmap *lookup = &r->iface_types[iface];
	for (uint32_t i = 0; i < use->nnames; i++) {
		const rdy__id *n = &use->names[i].name;
		bool ex;
		nent *e = nmap_put(r, lookup, n->name, &ex);
		if (ex)
			continue;
		rdy_wit_typedef t = { 0 };
		t.kind = RDY_WIT_UNKNOWN;
		t.name = n->name;
		t.stability = s;
		t.owner_kind = RDY_WIT_OWNER_INTERFACE;
		t.owner = iface;
		t.span = n->span;
		t.a = t.b = RDY_WIT_NONE;
		e->kind = NT_TYPE;
		e->id = alloc_type(r, &t);
		e->span = n->span;
		rdy_wit_interface *in = &r->u->m.interfaces[iface];
		named_push(r, &in->types, &in->ntypes, &in->captypes, n->name, e->id);
	}
}

/* ---- types -------------------------------------------------------------------- */

static uint64_t anon_hash(const rdy_wit_typedef *t)
{
	uint64_t h = 1469598103934665603ull;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ull)
	MIX(t->kind);
	MIX(t->borrow);
	MIX((uint32_t)t->a);
	MIX((uint32_t)t->b);
	MIX(t->size);
	MIX(t->ncases);
	for (uint32_t i = 0; i < t->ncases; i++) {
		MIX((uintptr_t)t->cases[i].name);
		MIX((uint32_t)t->cases[i].type);
	}
#undef MIX
	return h;
}

static bool anon_eq(const rdy_wit_typedef *x, const rdy_wit_typedef *y)
{
	if (x->kind != y->kind || x->borrow != y->borrow || x->a != y->a || x->b != y->b || x->size != y->size ||
	    x->ncases != y->ncases)
		return false;
	for (uint32_t i = 0; i < x->ncases; i++)
		if (x->cases[i].name != y->cases[i].name || x->cases[i].type != y->cases[i].type)
			return false;
	return true;
}

/* Interns an anonymous type (the reference's anon_type_def). */
static rdy_wit_type anon_type(R *r, rdy_wit_typedef *t)
{
	if (t->kind == RDY_WIT_ALIAS)
		return t->a;
	if (t->kind == RDY_WIT_HANDLE && !t->borrow)
		return t->a; /* own<T> is T itself until rdy__append makes it a handle */
	anon *a = &r->anon;
	if ((a->count + 1) * 2 > a->cap) {
		uint32_t ncap = a->cap ? a->cap * 2 : 64;
		int32_t *slots = rdy__allocn(ARENA(r), ncap, sizeof *slots);
		for (uint32_t i = 0; i < a->cap; i++) {
			if (!a->slots[i])
				continue;
			uint32_t h = (uint32_t)anon_hash(ty(r, a->slots[i] - 1)) & (ncap - 1);
			while (slots[h])
				h = (h + 1) & (ncap - 1);
			slots[h] = a->slots[i];
		}
		a->slots = slots;
		a->cap = ncap;
	}
	uint32_t h = (uint32_t)anon_hash(t) & (a->cap - 1);
	for (; a->slots[h]; h = (h + 1) & (a->cap - 1))
		if (anon_eq(ty(r, a->slots[h] - 1), t))
			return a->slots[h] - 1;
	int32_t id = alloc_type(r, t);
	a->slots[h] = id + 1;
	a->count++;
	return id;
}

static int32_t resolve_type_name(R *r, const rdy__id *n)
{
	nent *e = nmap_get(&r->type_lookup, n->name);
	if (!e)
		rdy__wit_fail(r->w, n->span, "name `%s` does not exist", n->name);
	if (e->kind != NT_TYPE)
		rdy__wit_fail(r->w, n->span, "cannot use function `%s` as a type", n->name);
	return e->id;
}

static int32_t validate_resource(R *r, const rdy__id *n)
{
	int32_t id = resolve_type_name(r, n), cur = id;
	for (;;) {
		rdy_wit_typedef *t = ty(r, cur);
		if (t->kind == RDY_WIT_RESOURCE)
			return id;
		if (t->kind == RDY_WIT_ALIAS && t->a >= 0) {
			cur = t->a;
			continue;
		}
		if (t->kind == RDY_WIT_UNKNOWN) {
			rdy__reqres *q = RDY_PUSH(ARENA(r), r->u->reqres, r->u->nreqres, r->u->capreqres);
			q->type = cur;
			q->span = n->span;
			return id;
		}
		rdy__wit_fail(r->w, n->span, "type `%s` used in a handle must be a resource", n->name);
	}
}

static rdy_wit_type resolve_type(R *r, const rdy__atype *a, const rdy_wit_stability *s);

static rdy_wit_type opt_type(R *r, const rdy__atype *a, const rdy_wit_stability *s)
{
	return a ? resolve_type(r, a, s) : RDY_WIT_NONE;
}

static const rdy_wit_type prim_of[] = {
	[RDY_A_BOOL] = RDY_WIT_BOOL, [RDY_A_U8] = RDY_WIT_U8, [RDY_A_U16] = RDY_WIT_U16,
	[RDY_A_U32] = RDY_WIT_U32, [RDY_A_U64] = RDY_WIT_U64, [RDY_A_S8] = RDY_WIT_S8,
	[RDY_A_S16] = RDY_WIT_S16, [RDY_A_S32] = RDY_WIT_S32, [RDY_A_S64] = RDY_WIT_S64,
	[RDY_A_F32] = RDY_WIT_F32, [RDY_A_F64] = RDY_WIT_F64, [RDY_A_CHAR] = RDY_WIT_CHAR,
	[RDY_A_STRING] = RDY_WIT_STRING, [RDY_A_ERROR_CONTEXT] = RDY_WIT_ERROR_CONTEXT,
};

static void check_resource_funcs(R *r, const rdy__atype *a)
{
	int ctors = 0;
	for (uint32_t i = 0; i < a->nfuncs; i++) {
		const rdy__anfunc *f = &a->funcs[i];
		if (f->rkind == RDY_RF_CTOR) {
			if (++ctors > 1)
				rdy__wit_fail(r->w, f->name.span, "duplicate constructors");
			continue;
		}
		for (uint32_t k = 0; k < i; k++)
			if (a->funcs[k].rkind != RDY_RF_CTOR && a->funcs[k].name.name == f->name.name)
				rdy__wit_fail(r->w, f->name.span, "duplicate function name `%s`", f->name.name);
	}
}

static void resolve_cases(R *r, const rdy__atype *a, rdy_wit_typedef *t, const rdy_wit_stability *s, bool typed)
{
	t->ncases = a->nitems;
	t->cases = rdy__allocn(ARENA(r), a->nitems ? a->nitems : 1, sizeof *t->cases);
	for (uint32_t i = 0; i < a->nitems; i++) {
		const rdy__afield *f = &a->items[i];
		t->cases[i].name = f->name.name;
		t->cases[i].docs = f->name.name ? docs(r, &f->docs) : NULL;
		t->cases[i].type = typed ? opt_type(r, f->type, s) : RDY_WIT_NONE;
		t->cases[i].span = f->name.name ? f->name.span : f->type->span;
	}
}

static bool valid_map_key(rdy_wit_type k)
{
	return k < 0 && k != RDY_WIT_F32 && k != RDY_WIT_F64 && k != RDY_WIT_ERROR_CONTEXT;
}

/* The definition a syntax tree type denotes (the reference's resolve_type_def). */
static rdy_wit_typedef resolve_type_def(R *r, const rdy__atype *a, const rdy_wit_stability *s)
{
	rdy_wit_typedef t = { 0 };
	t.a = t.b = RDY_WIT_NONE;
	t.span = a->span;
	switch (a->kind) {
	case RDY_A_NAME:
		t.kind = RDY_WIT_ALIAS;
		t.a = resolve_type_name(r, &a->name);
		break;
	case RDY_A_LIST:
	case RDY_A_OPTION:
		t.kind = a->kind == RDY_A_LIST ? RDY_WIT_LIST : RDY_WIT_OPTION;
		t.a = resolve_type(r, a->a, s);
		break;
	case RDY_A_FIXED_LIST:
		t.kind = RDY_WIT_FIXED_LIST;
		t.a = resolve_type(r, a->a, s);
		t.size = a->size;
		break;
	case RDY_A_MAP:
		t.kind = RDY_WIT_MAP;
		t.a = resolve_type(r, a->a, s);
		t.b = resolve_type(r, a->b, s);
		if (!valid_map_key(t.a))
			rdy__wit_fail(r->w, a->span,
				      "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string");
		break;
	case RDY_A_OWN:
	case RDY_A_BORROW:
		t.kind = RDY_WIT_HANDLE;
		t.borrow = a->kind == RDY_A_BORROW;
		t.a = validate_resource(r, &a->name);
		break;
	case RDY_A_RESOURCE:
		check_resource_funcs(r, a);
		t.kind = RDY_WIT_RESOURCE;
		break;
	case RDY_A_RECORD:
		t.kind = RDY_WIT_RECORD;
		resolve_cases(r, a, &t, s, true);
		break;
	case RDY_A_FLAGS:
	case RDY_A_ENUM:
		t.kind = a->kind == RDY_A_FLAGS ? RDY_WIT_FLAGS : RDY_WIT_ENUM;
		if (a->kind == RDY_A_ENUM && !a->nitems)
			rdy__wit_fail(r->w, a->span, "empty enum");
		resolve_cases(r, a, &t, s, false);
		break;
	case RDY_A_VARIANT:
		if (!a->nitems)
			rdy__wit_fail(r->w, a->span, "empty variant");
		t.kind = RDY_WIT_VARIANT;
		resolve_cases(r, a, &t, s, true);
		break;
	case RDY_A_TUPLE:
		t.kind = RDY_WIT_TUPLE;
		resolve_cases(r, a, &t, s, true);
		break;
	case RDY_A_RESULT:
		t.kind = RDY_WIT_RESULT;
		t.a = opt_type(r, a->a, s);
		t.b = opt_type(r, a->b, s);
		break;
	case RDY_A_FUTURE:
	case RDY_A_STREAM:
		t.kind = a->kind == RDY_A_FUTURE ? RDY_WIT_FUTURE : RDY_WIT_STREAM;
		t.a = opt_type(r, a->a, s);
		break;
	default:
		t.kind = RDY_WIT_ALIAS;
		t.a = prim_of[a->kind];
	}
	return t;
}

/* An anonymous type inherits the first known stability among what it refers to. */
static rdy_wit_stability find_stability(R *r, const rdy_wit_typedef *t, const rdy_wit_stability *s)
{
	if (s->kind != RDY_WIT_STAB_UNKNOWN)
		return *s;
	rdy_wit_type refs[2] = { RDY_WIT_NONE, RDY_WIT_NONE };
	switch (t->kind) {
	case RDY_WIT_ALIAS: case RDY_WIT_HANDLE: case RDY_WIT_LIST: case RDY_WIT_FIXED_LIST:
	case RDY_WIT_OPTION: case RDY_WIT_FUTURE: case RDY_WIT_STREAM:
		refs[0] = t->a;
		break;
	case RDY_WIT_MAP: case RDY_WIT_RESULT:
		refs[0] = t->a;
		refs[1] = t->b;
		break;
	case RDY_WIT_TUPLE:
		for (uint32_t i = 0; i < t->ncases; i++)
			if (t->cases[i].type >= 0 && ty(r, t->cases[i].type)->stability.kind != RDY_WIT_STAB_UNKNOWN)
				return ty(r, t->cases[i].type)->stability;
		return *s;
	default:
		return *s;
	}
	for (int i = 0; i < 2; i++)
		if (refs[i] >= 0 && ty(r, refs[i])->stability.kind != RDY_WIT_STAB_UNKNOWN)
			return ty(r, refs[i])->stability;
	return *s;
}

static rdy_wit_type resolve_type(R *r, const rdy__atype *a, const rdy_wit_stability *s)
{
	rdy_wit_typedef t = resolve_type_def(r, a, s);
	t.stability = find_stability(r, &t, s);
	t.owner = -1;
	return anon_type(r, &t);
}

static void define_name(R *r, const rdy__id *n, uint8_t kind, int32_t id)
{
	bool ex;
	nent *e = nmap_put(r, &r->type_lookup, n->name, &ex);
	if (ex)
		rdy__wit_fail(r->w, n->span, "name `%s` is defined more than once", n->name);
	e->kind = kind;
	e->id = id;
	e->span = n->span;
}

static void collect_deps(R *r, const rdy__atype *a, dep_node *node)
{
	if (!a)
		return;
	switch (a->kind) {
	case RDY_A_NAME: case RDY_A_OWN: case RDY_A_BORROW:
		*RDY_PUSH(ARENA(r), node->deps, node->ndeps, node->capdeps) = a->name;
		break;
	case RDY_A_RECORD: case RDY_A_TUPLE: case RDY_A_VARIANT:
		for (uint32_t i = 0; i < a->nitems; i++)
			collect_deps(r, a->items[i].type, node);
		break;
	case RDY_A_LIST: case RDY_A_FIXED_LIST: case RDY_A_OPTION: case RDY_A_MAP:
	case RDY_A_RESULT: case RDY_A_FUTURE: case RDY_A_STREAM:
		collect_deps(r, a->a, node);
		collect_deps(r, a->b, node);
		break;
	default:
		break;
	}
}

static void resolve_use(R *r, uint8_t owner_kind, int32_t owner, const rdy__ause *u)
{
	int32_t from = path_iface(r, &u->from);
	rdy_wit_stability s = stability(r, &u->attrs);
	for (uint32_t i = 0; i < u->nnames; i++) {
		const rdy__usename *n = &u->names[i];
		nent *e = nmap_get(&r->iface_types[from], n->name.name);
		if (!e)
			rdy__wit_fail(r->w, n->name.span, "name `%s` does not exist", n->name.name);
		if (e->kind != NT_TYPE)
			rdy__wit_fail(r->w, n->name.span, "cannot import function `%s`", n->name.name);
		const rdy__id *as = n->as.name ? &n->as : &n->name;
		rdy_wit_typedef t = { 0 };
		t.kind = RDY_WIT_ALIAS;
		t.a = e->id;
		t.b = RDY_WIT_NONE;
		t.name = as->name;
		t.owner_kind = owner_kind;
		t.owner = owner;
		t.stability = s;
		t.span = n->name.span;
		define_name(r, as, NT_TYPE, alloc_type(r, &t));
	}
}

typedef struct tyitem {                /* a `use` or a type definition of a scope */
	const rdy__ause *use;
	const rdy__atypedef *def;
} tyitem;

/* Defines the scope's types in dependency order (the reference's resolve_types). */
static void resolve_types(R *r, uint8_t owner_kind, int32_t owner, const tyitem *items, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (items[i].use)
			resolve_use(r, owner_kind, owner, items[i].use);
	dep_graph g = { 0 };
	const rdy__atypedef **defs = rdy__allocn(ARENA(r), n ? n : 1, sizeof *defs);
	uint32_t ndefs = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (items[i].def) {
			const rdy__atypedef *d = items[i].def;
			if (graph_node(r, &g, d->name.name, false))
				rdy__wit_fail(r->w, d->name.span, "name `%s` is defined more than once", d->name.name);
			dep_node *node = graph_node(r, &g, d->name.name, true);
			collect_deps(r, d->type, node);
			defs[ndefs++] = d;
		} else {
			for (uint32_t k = 0; k < items[i].use->nnames; k++) {
				const rdy__usename *un = &items[i].use->names[k];
				dep_node *node = graph_node(r, &g, (un->as.name ? un->as : un->name).name, true);
				node->ndeps = 0;
				for (uint32_t j = 0; j < ndefs; j++)
					if (defs[j] && defs[j]->name.name == node->name)
						defs[j] = NULL; /* a later `use` of the name replaces the definition */
			}
		}
	}
	const char **order = toposort(r, "type", &g);
	for (uint32_t i = 0; i < g.n; i++) {
		const rdy__atypedef *d = NULL;
		for (uint32_t j = 0; j < ndefs; j++)
			if (defs[j] && defs[j]->name.name == order[i]) {
				d = defs[j];
				defs[j] = NULL;
				break;
			}
		if (!d)
			continue;
		rdy_wit_stability s = stability(r, &d->attrs);
		rdy_wit_typedef t = resolve_type_def(r, d->type, &s);
		t.name = d->name.name;
		t.docs = docs(r, &d->docs);
		t.stability = s;
		t.owner_kind = owner_kind;
		t.owner = owner;
		t.span = d->name.span;
		define_name(r, &d->name, NT_TYPE, alloc_type(r, &t));
	}
}

/* ---- functions ------------------------------------------------------------ */

static rdy_wit_type resolve_ctor_result(R *r, int32_t res, const rdy__atype *a)
{
	rdy_wit_stability none = { 0 };
	rdy_wit_type t = resolve_type(r, a, &none);
	if (t < 0 || ty(r, t)->kind != RDY_WIT_RESULT)
		rdy__wit_fail(r->w, a->span, "if a constructor return type is declared it must be a `result`");
	if (ty(r, t)->a != res)
		rdy__wit_fail(r->w, a->kind == RDY_A_RESULT && a->a ? a->a->span : a->span,
			      "the `ok` type must be the resource being constructed");
	return t;
}

static rdy_wit_func resolve_function(R *r, const rdy__docs *d, const rdy__attrs *attrs, const char *name,
				     const rdy__afunc *f, rdy_wit_fkind kind, int32_t res, rdy_wit_span span)
{
	rdy_wit_func fn = { 0 };
	rdy_wit_stability none = { 0 };
	fn.docs = docs(r, d);
	fn.stability = stability(r, attrs);
	fn.name = name;
	fn.kind = kind;
	fn.resource = res;
	fn.span = span;
	bool method = kind == RDY_WIT_METHOD || kind == RDY_WIT_ASYNC_METHOD;
	fn.nparams = f->nparams + method;
	fn.params = rdy__allocn(ARENA(r), fn.nparams ? fn.nparams : 1, sizeof *fn.params);
	uint32_t n = 0;
	if (method) {
		rdy_wit_typedef b = { 0 };
		b.kind = RDY_WIT_HANDLE;
		b.borrow = true;
		b.a = res;
		b.b = RDY_WIT_NONE;
		b.owner = -1;
		b.span = f->span;
		b.stability = find_stability(r, &b, &none);
		fn.params[n].name = rdy__internz(&r->w->names, "self");
		fn.params[n++].type = anon_type(r, &b);
	}
	for (uint32_t i = 0; i < f->nparams; i++) {
		const rdy__aparam *p = &f->params[i];
		rdy_wit_type t = resolve_type(r, p->type, &none);
		for (uint32_t k = 0; k < n; k++)
			if (fn.params[k].name == p->name.name)
				rdy__wit_fail(r->w, p->name.span, "param `%s` is defined more than once", p->name.name);
		fn.params[n].name = p->name.name;
		fn.params[n++].type = t;
	}
	if (kind == RDY_WIT_CONSTRUCTOR)
		fn.result = f->result ? resolve_ctor_result(r, res, f->result) : res;
	else
		fn.result = opt_type(r, f->result, &none);
	return fn;
}

static rdy_wit_func resolve_resource_func(R *r, const rdy__anfunc *f, const rdy__id *res)
{
	nent *e = nmap_get(&r->type_lookup, res->name);
	int32_t rid = e->id;
	const char *name;
	rdy_wit_fkind kind;
	if (f->rkind == RDY_RF_METHOD) {
		name = rdy__sprintf(ARENA(r), "[method]%s.%s", res->name, f->name.name);
		kind = f->func.async ? RDY_WIT_ASYNC_METHOD : RDY_WIT_METHOD;
	} else if (f->rkind == RDY_RF_STATIC) {
		name = rdy__sprintf(ARENA(r), "[static]%s.%s", res->name, f->name.name);
		kind = f->func.async ? RDY_WIT_ASYNC_STATIC : RDY_WIT_STATIC;
	} else {
		name = rdy__sprintf(ARENA(r), "[constructor]%s", res->name);
		kind = RDY_WIT_CONSTRUCTOR;
	}
	return resolve_function(r, &f->docs, &f->attrs, rdy__internz(&r->w->names, name), &f->func, kind, rid,
				f->name.span);
}

/* ---- interfaces and worlds ---------------------------------------------------- */

static void push_func(R *r, rdy_wit_interface *in, rdy_wit_func fn)
{
	*RDY_PUSH(ARENA(r), in->funcs, in->nfuncs, in->capfuncs) = fn;
}

static void resolve_interface(R *r, int32_t id, const rdy__aiitems *items, const rdy__docs *d,
			      const rdy__attrs *attrs)
{
	r->u->m.interfaces[id].docs = docs(r, d);
	r->u->m.interfaces[id].stability = stability(r, attrs);
	tyitem *tis = rdy__allocn(ARENA(r), items->n ? items->n : 1, sizeof *tis);
	uint32_t nt = 0;
	for (uint32_t i = 0; i < items->n; i++) {
		if (items->v[i].kind == RDY_II_USE)
			tis[nt++] = (tyitem){ &items->v[i].use, NULL };
		else if (items->v[i].kind == RDY_II_TYPE)
			tis[nt++] = (tyitem){ NULL, &items->v[i].type };
	}
	resolve_types(r, RDY_WIT_OWNER_INTERFACE, id, tis, nt);
	rdy_wit_interface *in = &r->u->m.interfaces[id];
	for (uint32_t i = 0; i < r->type_lookup.n; i++)
		named_push(r, &in->types, &in->ntypes, &in->captypes, r->type_lookup.v[i].name, r->type_lookup.v[i].id);
	for (uint32_t i = 0; i < items->n; i++) {
		const rdy__aiitem *it = &items->v[i];
		if (it->kind == RDY_II_FUNC) {
			define_name(r, &it->func.name, NT_FUNC, -1);
			rdy_wit_fkind k = it->func.func.async ? RDY_WIT_ASYNC_FREESTANDING : RDY_WIT_FREESTANDING;
			rdy_wit_func fn = resolve_function(r, &it->func.docs, &it->func.attrs, it->func.name.name,
							   &it->func.func, k, -1, it->func.name.span);
			push_func(r, &r->u->m.interfaces[id], fn);
		} else if (it->kind == RDY_II_TYPE && it->type.type->kind == RDY_A_RESOURCE) {
			for (uint32_t k = 0; k < it->type.type->nfuncs; k++) {
				rdy_wit_func fn = resolve_resource_func(r, &it->type.type->funcs[k], &it->type.name);
				push_func(r, &r->u->m.interfaces[id], fn);
			}
		}
	}
	r->iface_types[id] = r->type_lookup;
	memset(&r->type_lookup, 0, sizeof r->type_lookup);
}

static void resolve_include(R *r, int32_t wid, const rdy__ainclude *inc)
{
	rdy_wit_include in = { 0 };
	in.stability = stability(r, &inc->attrs);
	in.world = path_world(r, &inc->from);
	in.names = inc->names;
	in.nnames = inc->nnames;
	in.span = inc->from.name.span;
	rdy_wit_world *wd = &r->u->m.worlds[wid];
	*RDY_PUSH(ARENA(r), wd->includes, wd->nincludes, wd->capincludes) = in;
}

static rdy_wit_item *world_insert(R *r, int32_t wid, bool import, rdy_wit_item *item, rdy_wit_span span,
				  const char *desc)
{
	rdy_wit_world *wd = &r->u->m.worlds[wid];
	rdy_wit_item *v = import ? wd->imports : wd->exports;
	uint32_t n = import ? wd->nimports : wd->nexports;
	for (uint32_t i = 0; i < n; i++) {
		bool same = item->name ? v[i].name == item->name : (!v[i].name && v[i].key_iface == item->key_iface);
		if (!same)
			continue;
		if (!item->name)
			break;
		static const char *const kinds[] = { "interface", "func", "type" };
		rdy__wit_fail(r->w, span, "%s `%s` conflicts with prior %s of same name", desc, item->name,
			      kinds[v[i].kind]);
	}
	item->span = span;
	if (import) {
		*RDY_PUSH(ARENA(r), wd->imports, wd->nimports, wd->capimports) = *item;
		return &wd->imports[wd->nimports - 1];
	}
	*RDY_PUSH(ARENA(r), wd->exports, wd->nexports, wd->capexports) = *item;
	return &wd->exports[wd->nexports - 1];
}

static rdy_wit_item resolve_world_item(R *r, const rdy__awitem *it)
{
	rdy_wit_item item = { 0 };
	item.key_iface = -1;
	const rdy__aextern *e = &it->ext;
	switch (e->kind) {
	case RDY_EXT_INTERFACE: {
		nmap saved = r->type_lookup;
		memset(&r->type_lookup, 0, sizeof r->type_lookup);
		int32_t id = alloc_iface(r, e->id.span);
		resolve_interface(r, id, &e->items, &it->docs, &it->attrs);
		r->type_lookup = saved;
		item.kind = RDY_WIT_ITEM_INTERFACE;
		item.id = id;
		item.stability = r->u->m.interfaces[id].stability;
		item.name = e->id.name;
		break;
	}
	case RDY_EXT_PATH:
	case RDY_EXT_IMPLEMENTS:
		item.stability = stability(r, &it->attrs);
		item.kind = RDY_WIT_ITEM_INTERFACE;
		item.id = path_iface(r, &e->path);
		if (e->kind == RDY_EXT_IMPLEMENTS)
			item.name = e->id.name;
		else
			item.key_iface = item.id;
		break;
	default:
		item.kind = RDY_WIT_ITEM_FUNC;
		item.func = resolve_function(r, &it->docs, &it->attrs, e->id.name, &e->func,
					     e->func.async ? RDY_WIT_ASYNC_FREESTANDING : RDY_WIT_FREESTANDING, -1,
					     e->id.span);
		item.name = item.func.name;
	}
	return item;
}

static rdy_wit_span extern_span(const rdy__aextern *e)
{
	return e->kind == RDY_EXT_PATH ? e->path.name.span : e->id.span;
}

static void resolve_world(R *r, int32_t wid, const rdy__aworld *wd)
{
	r->u->m.worlds[wid].docs = docs(r, &wd->docs);
	r->u->m.worlds[wid].stability = stability(r, &wd->attrs);
	tyitem *tis = rdy__allocn(ARENA(r), wd->nitems ? wd->nitems : 1, sizeof *tis);
	uint32_t nt = 0;
	for (uint32_t i = 0; i < wd->nitems; i++) {
		if (wd->items[i].kind == RDY_WI_USE)
			tis[nt++] = (tyitem){ &wd->items[i].use, NULL };
		else if (wd->items[i].kind == RDY_WI_TYPE)
			tis[nt++] = (tyitem){ NULL, &wd->items[i].type };
	}
	resolve_types(r, RDY_WIT_OWNER_WORLD, wid, tis, nt);
	for (uint32_t i = 0; i < wd->nitems; i++)
		if (wd->items[i].kind == RDY_WI_INCLUDE)
			resolve_include(r, wid, &wd->items[i].include);
	for (uint32_t i = 0; i < r->type_lookup.n; i++) {
		rdy_wit_item item = { 0 };
		item.name = r->type_lookup.v[i].name;
		item.key_iface = -1;
		item.kind = RDY_WIT_ITEM_TYPE;
		item.id = r->type_lookup.v[i].id;
		world_insert(r, wid, true, &item, r->type_lookup.v[i].span, "import");
	}
	int32_t *seen[2] = { NULL, NULL };
	uint32_t nseen[2] = { 0, 0 }, capseen[2] = { 0, 0 };
	for (uint32_t i = 0; i < wd->nitems; i++) {
		const rdy__awitem *it = &wd->items[i];
		if (it->kind == RDY_WI_TYPE && it->type.type->kind == RDY_A_RESOURCE) {
			for (uint32_t k = 0; k < it->type.type->nfuncs; k++) {
				rdy_wit_item item = { 0 };
				item.kind = RDY_WIT_ITEM_FUNC;
				item.key_iface = -1;
				item.func = resolve_resource_func(r, &it->type.type->funcs[k], &it->type.name);
				item.name = item.func.name;
				world_insert(r, wid, true, &item, it->type.type->funcs[k].name.span, "import");
			}
			continue;
		}
		if (it->kind != RDY_WI_IMPORT && it->kind != RDY_WI_EXPORT)
			continue;
		bool import = it->kind == RDY_WI_IMPORT;
		rdy_wit_item item = resolve_world_item(r, it);
		if (item.kind == RDY_WIT_ITEM_INTERFACE && it->ext.kind != RDY_EXT_IMPLEMENTS) {
			for (uint32_t k = 0; k < nseen[!import]; k++)
				if (seen[!import][k] == item.id)
					rdy__wit_fail(r->w, extern_span(&it->ext), "interface cannot be %s more than once",
						      import ? "imported" : "exported");
			*RDY_PUSH(ARENA(r), seen[!import], nseen[!import], capseen[!import]) = item.id;
		}
		world_insert(r, wid, import, &item, extern_span(&it->ext), import ? "import" : "export");
	}
	memset(&r->type_lookup, 0, sizeof r->type_lookup);
}

/* ---- the package ---------------------------------------------------------------- */

static void package_header(R *r)
{
	const rdy__pkgname *name = NULL;
	for (uint32_t f = 0; f < r->nfiles; f++) {
		const rdy__afile *file = r->files[f];
		if (file->has_package) {
			if (name && rdy__pkgname_cmp(name, &file->package))
				rdy__wit_fail(r->w, file->package.span,
					      "package identifier `%s:%s%s%s` does not match previous package name of `%s:%s%s%s`",
					      file->package.ns.name, file->package.name.name,
					      file->package.has_version ? "@" : "",
					      file->package.has_version ? file->package.version.text : "", name->ns.name,
					      name->name.name, name->has_version ? "@" : "",
					      name->has_version ? name->version.text : "");
			name = &file->package;
			const char *d = docs(r, &file->package.docs);
			if (d) {
				if (r->u->docs)
					rdy__wit_fail(r->w, file->package.docs.span,
						      "found doc comments on multiple 'package' items");
				r->u->docs = d;
			}
		}
		for (uint32_t i = 0; i < file->decls.n; i++)
			if (file->decls.v[i].kind == RDY_AI_PACKAGE)
				rdy__wit_fail(r->w, file->decls.v[i].pkg->package.span,
					      "nested packages must be placed at the top-level");
	}
	if (!name)
		rdy__wit_fail_plain(r->w, "no `package` header was found in any WIT file for this package");
	r->u->name = *name;
}

rdy__upkg *rdy__resolve_ast(rdy_wit *w, rdy__afile **files, uint32_t nfiles)
{
	R rr = { 0 }, *r = &rr;
	r->w = w;
	r->files = files;
	r->nfiles = nfiles;
	r->u = rdy__alloc(&w->arena, sizeof *r->u);
	package_header(r);
	for (uint32_t f = 0; f < nfiles; f++)
		for_each_path(r, &files[f]->decls, foreign_dep_cb, NULL);
	r->u->nforeign_ifaces = r->u->m.ninterfaces;
	r->u->nforeign_worlds = r->u->m.nworlds;
	int32_t *iorder, *worder;
	uint32_t ni, nw;
	populate_ast_items(r, &iorder, &ni, &worder, &nw);
	for (uint32_t f = 0; f < nfiles; f++) {
		r->cur = f;
		for_each_path(r, &files[f]->decls, foreign_types_cb, NULL);
	}
	r->u->nforeign_types = r->u->m.ntypes;
	for (uint32_t i = 0; i < ni; i++) {
		const rdy_wit_interface *in = &r->u->m.interfaces[iorder[i]];
		nent *e = nmap_get(&r->package_items, in->name);
		const rdy__aitem *it = e->ast;
		r->cur = e->file;
		resolve_interface(r, iorder[i], &it->iface.items, &it->iface.docs, &it->iface.attrs);
	}
	for (uint32_t i = 0; i < nw; i++) {
		nent *e = nmap_get(&r->package_items, r->u->m.worlds[worder[i]].name);
		const rdy__aitem *it = e->ast;
		r->cur = e->file;
		resolve_world(r, worder[i], &it->world);
	}
	return r->u;
}

const rdy__pkgname *rdy__upkg_name(const rdy__upkg *u)
{
	return &u->name;
}
