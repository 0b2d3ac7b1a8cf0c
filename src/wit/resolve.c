/*
 * Resolution across packages (the reference's resolve.rs Remap::append):
 * an unresolved package is copied into the resolution's model, its
 * placeholders bound to packages loaded before it, feature gates applied,
 * `include`s expanded and every world elaborated.
 *
 * Local indices map to global ones through the `map` arrays; -1 marks an
 * item left out because its feature gate is off, and any reference to it is
 * an error.
 */
#include "wit/upkg.h"

#include <string.h>
#include <strings.h>

typedef struct M {
	rdy_wit *w;
	rdy__upkg *u;
	int32_t pkg;
	int32_t *types, *ifaces, *worlds;  /* local -> global, -1 when gated out */
	int32_t first_world;               /* global worlds from here on are this package's */
	rdy_wit_named *own;                /* resource (by id) -> its anonymous own<T> */
	uint32_t nown, capown;
	int8_t *borrow;                    /* per global type: -1 unknown, 0/1 contains a borrow */
	uint32_t nborrow;
	uint32_t depth;                    /* of the recursive walks below */
} M;

/*
 * The recursive walks follow chains of definitions (aliases, `use`s between
 * interfaces) whose length the input chooses; past this depth they stop with
 * an error rather than exhaust the stack.
 */
enum { MAX_DEPTH = 10000 };

static void enter(M *m)
{
	if (++m->depth > MAX_DEPTH)
		rdy__wit_fail_plain(m->w, "definitions refer to each other through more than %d levels", MAX_DEPTH);
}

#define G(m) (&(m)->w->m)
#define ARENA(m) (&(m)->w->arena)

/* A private copy of an array, to change without touching what it was copied from. */
static void *dup_array(M *m, const void *v, uint32_t n, size_t elem)
{
	void *c = rdy__allocn(ARENA(m), n ? n : 1, elem);
	if (n)
		memcpy(c, v, (size_t)n * elem);
	return c;
}

static _Noreturn void excluded(M *m, const char *desc, const rdy_wit_span *span, const char *extra)
{
	const char *msg = "found a reference to a %s which is excluded due to its feature not being activated%s";
	if (span)
		rdy__wit_fail(m->w, *span, msg, desc, extra);
	rdy__wit_fail_plain(m->w, msg, desc, extra);
}

static int32_t map_id(M *m, const int32_t *map, int32_t id, const char *desc, const rdy_wit_span *span,
		      const char *extra)
{
	if (map[id] < 0)
		excluded(m, desc, span, extra);
	return map[id];
}

static int32_t map_type(M *m, int32_t id, const rdy_wit_span *span)
{
	return map_id(m, m->types, id, "type", span, "");
}

static int32_t map_iface(M *m, int32_t id, const rdy_wit_span *span)
{
	return map_id(m, m->ifaces, id, "interface", span, "");
}

static rdy_wit_typedef *gty(M *m, int32_t id)
{
	return &G(m)->types[id];
}

static int32_t push_type(M *m, const rdy_wit_typedef *t)
{
	*RDY_PUSH(ARENA(m), G(m)->types, G(m)->ntypes, G(m)->captypes) = *t;
	return (int32_t)G(m)->ntypes - 1;
}

static const rdy_wit_package *pkg_of(M *m)
{
	return &G(m)->packages[m->pkg];
}

/* Whether an item with stability S is in, raising for a @since past the package's version. */
static bool include_stability(M *m, const rdy_wit_stability *s, const rdy_wit_span *span)
{
	if (s->kind == RDY_WIT_STAB_UNKNOWN)
		return true;
	if (s->kind == RDY_WIT_STAB_UNSTABLE) {
		for (uint32_t i = 0; i < m->w->nfeatures; i++)
			if (m->w->features[i] == s->feature)
				return true;
		return false;
	}
	const rdy_wit_package *p = pkg_of(m);
	const char *fmt = NULL;
	if (!p->has_version)
		fmt = "package [%s] contains a feature gate with a version specifier, so it must have a version";
	else if (rdy__version_cmp(s->since, &p->version) > 0)
		fmt = "feature gate cannot reference unreleased version %s of package [%s] (current version %s)";
	if (!fmt)
		return true;
	const char *msg = p->has_version ? rdy__sprintf(ARENA(m), fmt, s->since->text, p->id, p->version.text)
					 : rdy__sprintf(ARENA(m), fmt, p->id);
	if (span)
		rdy__wit_fail(m->w, *span, "%s", msg);
	rdy__wit_fail_plain(m->w, "%s", msg);
}

/* ---- foreign dependencies --------------------------------------------------- */

static int32_t find_package(M *m, const rdy__pkgname *n)
{
	for (uint32_t i = 0; i < G(m)->npackages; i++) {
		const rdy_wit_package *p = &G(m)->packages[i];
		if (p->ns == n->ns.name && p->name == n->name.name && p->has_version == n->has_version &&
		    (!p->has_version || !rdy__version_cmp(&p->version, &n->version)))
			return (int32_t)i;
	}
	return -1;
}

static const char *pkgname_text(M *m, const rdy__pkgname *n)
{
	return n->has_version ? rdy__sprintf(ARENA(m), "%s:%s@%s", n->ns.name, n->name.name, n->version.text)
			      : rdy__sprintf(ARENA(m), "%s:%s", n->ns.name, n->name.name);
}

static _Noreturn void package_not_found(M *m, const rdy__fdep *d)
{
	size_t len = 0;
	for (uint32_t i = 0; i < G(m)->npackages; i++)
		len += strlen(G(m)->packages[i].id) + 5;
	char *known = rdy__alloc(ARENA(m), len + 1), *o = known;
	for (uint32_t i = 0; i < G(m)->npackages; i++)
		o += sprintf(o, "\n    %s", G(m)->packages[i].id);
	rdy__wit_fail(m->w, d->span, "package '%s' not found. known packages:%s", pkgname_text(m, &d->name), known);
}

static int32_t named_find(const rdy_wit_named *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].name == name)
			return v[i].id;
	return -1;
}

static bool any_enabled(M *m, const rdy__fitem *fi, const rdy_wit_span *span)
{
	bool on = false;
	for (uint32_t i = 0; i < fi->nstabs && !on; i++)
		on = include_stability(m, &fi->stabs[i], span);
	return on;
}

/* Binds a placeholder to the item of a loaded package it names, or to -1 when gated out. */
static void bind_foreign_item(M *m, const rdy__fdep *d, const rdy__fitem *fi)
{
	int32_t p = find_package(m, &d->name);
	if (p < 0)
		package_not_found(m, d);
	const rdy_wit_package *pk = &G(m)->packages[p];
	const char *what = fi->world ? "world" : "interface";
	int32_t *slot = fi->world ? &m->worlds[fi->id] : &m->ifaces[fi->id];
	const rdy_wit_span *span = fi->world ? &m->u->m.worlds[fi->id].span : &m->u->m.interfaces[fi->id].span;
	if (!any_enabled(m, fi, span)) {
		*slot = -1;
		return;
	}
	*slot = fi->world ? named_find(pk->worlds, pk->nworlds, fi->name)
			  : named_find(pk->interfaces, pk->ninterfaces, fi->name);
	if (*slot < 0)
		rdy__wit_fail(m->w, *span, "%s '%s' not found in package '%s'", what, fi->name, pk->id);
}

static const rdy__fitem *foreign_of(M *m, bool world, int32_t id, const rdy__fdep **dep)
{
	for (uint32_t i = 0; i < m->u->ndeps; i++)
		for (uint32_t k = 0; k < m->u->deps[i].nitems; k++) {
			const rdy__fitem *fi = &m->u->deps[i].items[k];
			if (fi->world == world && fi->id == id) {
				*dep = &m->u->deps[i];
				return fi;
			}
		}
	return NULL;
}

static void process_foreign_deps(M *m)
{
	const rdy__fdep *d = NULL;
	for (uint32_t i = 0; i < m->u->nforeign_ifaces; i++) {
		const rdy__fitem *fi = foreign_of(m, false, (int32_t)i, &d);
		bind_foreign_item(m, d, fi);
	}
	for (uint32_t i = 0; i < m->u->nforeign_worlds; i++) {
		const rdy__fitem *fi = foreign_of(m, true, (int32_t)i, &d);
		bind_foreign_item(m, d, fi);
	}
	for (uint32_t i = 0; i < m->u->nforeign_types; i++) {
		const rdy_wit_typedef *t = &m->u->m.types[i];
		if (!include_stability(m, &t->stability, &t->span)) {
			m->types[i] = -1;
			continue;
		}
		int32_t iface = map_iface(m, t->owner, NULL);
		const rdy_wit_interface *in = &G(m)->interfaces[iface];
		m->types[i] = named_find(in->types, in->ntypes, t->name);
		if (m->types[i] < 0)
			rdy__wit_fail(m->w, t->span, "type `%s` not defined in interface", t->name);
	}
	for (uint32_t i = 0; i < m->u->nreqres; i++) {
		const rdy__reqres *q = &m->u->reqres[i];
		int32_t id = m->types[q->type];
		if (id < 0)
			continue;
		while (gty(m, id)->kind == RDY_WIT_ALIAS && gty(m, id)->a >= 0)
			id = gty(m, id)->a;
		if (gty(m, id)->kind != RDY_WIT_RESOURCE)
			rdy__wit_fail(m->w, q->span, "type used in a handle must be a resource");
	}
}

/* ---- types and functions --------------------------------------------------------- */

/* own<T> for a reference to resource T, one per T (the reference's own_handles). */
static int32_t own_handle(M *m, int32_t id)
{
	int32_t h = named_find(m->own, m->nown, (const char *)(uintptr_t)(id + 1));
	if (h >= 0)
		return h;
	rdy_wit_typedef t = { 0 };
	t.kind = RDY_WIT_HANDLE;
	t.a = id;
	t.b = RDY_WIT_NONE;
	t.owner = -1;
	h = push_type(m, &t);
	rdy_wit_named *e = RDY_PUSH(ARENA(m), m->own, m->nown, m->capown);
	e->name = (const char *)(uintptr_t)(id + 1);
	e->id = h;
	return h;
}

/* Maps a use of a type; a use of a resource means an owned handle to it. */
static void update_ty(M *m, rdy_wit_type *t, const rdy_wit_span *span)
{
	if (*t < 0)
		return;
	*t = map_type(m, *t, span);
	int32_t cur = *t;
	while (gty(m, cur)->kind == RDY_WIT_ALIAS && gty(m, cur)->a >= 0)
		cur = gty(m, cur)->a;
	if (gty(m, cur)->kind == RDY_WIT_RESOURCE)
		*t = own_handle(m, *t);
}

static void update_typedef(M *m, rdy_wit_typedef *t, const rdy_wit_span *span)
{
	t->cases = dup_array(m, t->cases, t->ncases, sizeof *t->cases);
	switch (t->kind) {
	case RDY_WIT_HANDLE:
		t->a = map_type(m, t->a, span);
		break;
	case RDY_WIT_ALIAS:
		if (t->a >= 0)
			t->a = map_type(m, t->a, span);
		break;
	case RDY_WIT_RECORD:
		for (uint32_t i = 0; i < t->ncases; i++)
			update_ty(m, &t->cases[i].type, &t->cases[i].span);
		break;
	case RDY_WIT_TUPLE: case RDY_WIT_VARIANT:
		for (uint32_t i = 0; i < t->ncases; i++)
			update_ty(m, &t->cases[i].type, span);
		break;
	case RDY_WIT_OPTION: case RDY_WIT_LIST: case RDY_WIT_FIXED_LIST: case RDY_WIT_FUTURE:
	case RDY_WIT_STREAM: case RDY_WIT_MAP: case RDY_WIT_RESULT:
		update_ty(m, &t->a, span);
		update_ty(m, &t->b, span);
		break;
	default:
		break;
	}
}

static bool has_borrow(M *m, rdy_wit_type t);

static bool has_borrow_(M *m, rdy_wit_type t)
{
	if (t < 0)
		return false;
	if ((uint32_t)t >= m->nborrow) {
		uint32_t n = G(m)->ntypes + 64;
		int8_t *b = rdy__alloc(ARENA(m), n);
		memset(b, -1, n);
		if (m->nborrow)
			memcpy(b, m->borrow, m->nborrow);
		m->borrow = b;
		m->nborrow = n;
	}
	if (m->borrow[t] >= 0)
		return m->borrow[t];
	const rdy_wit_typedef *d = gty(m, t);
	bool r = false;
	if (d->kind == RDY_WIT_HANDLE)
		r = d->borrow;
	else if (d->kind != RDY_WIT_RESOURCE) {
		r = has_borrow(m, d->a) || has_borrow(m, d->b);
		for (uint32_t i = 0; i < d->ncases && !r; i++)
			r = has_borrow(m, d->cases[i].type);
	}
	m->borrow[t] = r;
	return r;
}

static bool has_borrow(M *m, rdy_wit_type t)
{
	enter(m);
	bool r = has_borrow_(m, t);
	m->depth--;
	return r;
}

static void update_function(M *m, rdy_wit_func *f, const rdy_wit_span *span)
{
	if (f->resource >= 0)
		f->resource = map_type(m, f->resource, span);
	f->params = dup_array(m, f->params, f->nparams, sizeof *f->params);
	for (uint32_t i = 0; i < f->nparams; i++)
		update_ty(m, &f->params[i].type, span);
	update_ty(m, &f->result, span);
	if (has_borrow(m, f->result))
		rdy__wit_fail(m->w, *span, "function `%s` returns a type which contains a `borrow<T>` which is not supported",
			      f->name);
}

static void append_types(M *m)
{
	for (uint32_t i = m->u->nforeign_types; i < m->u->m.ntypes; i++) {
		rdy_wit_typedef t = m->u->m.types[i];
		if (!include_stability(m, &t.stability, &t.span)) {
			m->types[i] = -1;
			continue;
		}
		update_typedef(m, &t, &t.span);
		if (!t.name && t.owner_kind == RDY_WIT_OWNER_NONE && t.kind == RDY_WIT_HANDLE && !t.borrow) {
			m->types[i] = own_handle(m, t.a);
			continue;
		}
		m->types[i] = push_type(m, &t);
	}
}

static void append_interfaces(M *m)
{
	for (uint32_t i = m->u->nforeign_ifaces; i < m->u->m.ninterfaces; i++) {
		rdy_wit_interface in = m->u->m.interfaces[i];
		if (!include_stability(m, &in.stability, &in.span)) {
			m->ifaces[i] = -1;
			continue;
		}
		in.package = m->pkg;
		rdy_wit_named *types = rdy__allocn(ARENA(m), in.ntypes ? in.ntypes : 1, sizeof *types);
		uint32_t nt = 0;
		for (uint32_t k = 0; k < in.ntypes; k++)
			if (m->types[in.types[k].id] >= 0) {
				types[nt] = in.types[k];
				types[nt++].id = map_type(m, in.types[k].id, &in.span);
			}
		in.types = types;
		in.ntypes = in.captypes = nt;
		rdy_wit_func *funcs = rdy__allocn(ARENA(m), in.nfuncs ? in.nfuncs : 1, sizeof *funcs);
		uint32_t nf = 0;
		for (uint32_t k = 0; k < in.nfuncs; k++) {
			rdy_wit_func f = in.funcs[k];
			if (!include_stability(m, &f.stability, &f.span))
				continue;
			update_function(m, &f, &f.span);
			funcs[nf++] = f;
		}
		in.funcs = funcs;
		in.nfuncs = in.capfuncs = nf;
		*RDY_PUSH(ARENA(m), G(m)->interfaces, G(m)->ninterfaces, G(m)->capinterfaces) = in;
		m->ifaces[i] = (int32_t)G(m)->ninterfaces - 1;
	}
	for (uint32_t i = m->u->nforeign_types; i < m->u->m.ntypes; i++) {
		const rdy_wit_typedef *t = &m->u->m.types[i];
		if (m->types[i] >= 0 && t->owner_kind == RDY_WIT_OWNER_INTERFACE)
			gty(m, m->types[i])->owner = map_id(m, m->ifaces, t->owner, "interface", &t->span,
							    "; this type is not gated by a feature but its interface is");
	}
}

static rdy_wit_stability item_stability(M *m, const rdy_wit_item *it)
{
	if (it->kind == RDY_WIT_ITEM_FUNC)
		return it->func.stability;
	if (it->kind == RDY_WIT_ITEM_TYPE)
		return gty(m, it->id)->stability;
	return it->stability;
}

static void update_items(M *m, rdy_wit_item **v, uint32_t *n, uint32_t *cap)
{
	rdy_wit_item *src = *v;
	uint32_t count = *n;
	*v = NULL;
	*n = *cap = 0;
	for (uint32_t i = 0; i < count; i++) {
		rdy_wit_item it = src[i];
		if (it.kind == RDY_WIT_ITEM_TYPE)
			it.id = map_type(m, it.id, &it.span);
		rdy_wit_stability s = item_stability(m, &it);
		if (!include_stability(m, &s, &it.span))
			continue;
		if (!it.name)
			it.key_iface = map_iface(m, it.key_iface, &it.span);
		if (it.kind == RDY_WIT_ITEM_INTERFACE)
			it.id = map_iface(m, it.id, &it.span);
		else if (it.kind == RDY_WIT_ITEM_FUNC)
			update_function(m, &it.func, &it.span);
		*RDY_PUSH(ARENA(m), *v, *n, *cap) = it;
	}
}

static void append_worlds(M *m)
{
	for (uint32_t i = m->u->nforeign_worlds; i < m->u->m.nworlds; i++) {
		rdy_wit_world wd = m->u->m.worlds[i];
		if (!include_stability(m, &wd.stability, &wd.span)) {
			m->worlds[i] = -1;
			continue;
		}
		update_items(m, &wd.imports, &wd.nimports, &wd.capimports);
		update_items(m, &wd.exports, &wd.nexports, &wd.capexports);
		*RDY_PUSH(ARENA(m), G(m)->worlds, G(m)->nworlds, G(m)->capworlds) = wd;
		m->worlds[i] = (int32_t)G(m)->nworlds - 1;
	}
	for (uint32_t i = m->u->nforeign_types; i < m->u->m.ntypes; i++) {
		int32_t id = m->types[i];
		if (id >= 0 && gty(m, id)->owner_kind == RDY_WIT_OWNER_WORLD && m->u->m.types[i].owner_kind == RDY_WIT_OWNER_WORLD)
			gty(m, id)->owner = map_id(m, m->worlds, m->u->m.types[i].owner, "world", &m->u->m.types[i].span,
						   "; this type is not gated by a feature but its interface is");
	}
}

/* ---- include ------------------------------------------------------------------- */

typedef struct cloner {
	M *m;
	uint8_t prev_kind, new_kind;       /* owners: what is cloned from, and into */
	int32_t prev, next;
	rdy_wit_named *map;                /* type id + 1 -> clone */
	uint32_t nmap, capmap;
} cloner;

static void clone_type_id(cloner *c, int32_t *id);

static void clone_ty(cloner *c, rdy_wit_type *t)
{
	if (*t >= 0)
		clone_type_id(c, t);
}

static void clone_type_def(cloner *c, rdy_wit_typedef *d)
{
	M *m = c->m;
	if (d->owner_kind != RDY_WIT_OWNER_NONE && d->owner_kind == c->prev_kind && d->owner == c->prev) {
		d->owner_kind = c->new_kind;
		d->owner = c->next;
	}
	d->cases = dup_array(m, d->cases, d->ncases, sizeof *d->cases);
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		if (d->a >= 0 && gty(m, d->a)->owner_kind == c->prev_kind && gty(m, d->a)->owner == c->prev)
			clone_type_id(c, &d->a);
		break;
	case RDY_WIT_HANDLE:
		clone_type_id(c, &d->a);
		break;
	case RDY_WIT_RESOURCE: case RDY_WIT_FLAGS: case RDY_WIT_ENUM: case RDY_WIT_UNKNOWN:
		break;
	default:
		clone_ty(c, &d->a);
		clone_ty(c, &d->b);
		for (uint32_t i = 0; i < d->ncases; i++)
			clone_ty(c, &d->cases[i].type);
	}
}

static void clone_type_id(cloner *c, int32_t *id)
{
	enter(c->m);
	int32_t done = named_find(c->map, c->nmap, (const char *)(uintptr_t)(*id + 1));
	if (done < 0) {
		rdy_wit_typedef d = *gty(c->m, *id);
		clone_type_def(c, &d);
		done = push_type(c->m, &d);
		rdy_wit_named *e = RDY_PUSH(ARENA(c->m), c->map, c->nmap, c->capmap);
		e->name = (const char *)(uintptr_t)(*id + 1);
		e->id = done;
	}
	*id = done;
	c->m->depth--;
}

static void clone_function(cloner *c, rdy_wit_func *f)
{
	if (f->resource >= 0)
		clone_type_id(c, &f->resource);
	f->params = dup_array(c->m, f->params, f->nparams, sizeof *f->params);
	for (uint32_t i = 0; i < f->nparams; i++)
		clone_ty(c, &f->params[i].type);
	clone_ty(c, &f->result);
}

static void clone_interface(cloner *c, int32_t *id)
{
	M *m = c->m;
	rdy_wit_interface in = G(m)->interfaces[*id];
	cloner inner = { m, RDY_WIT_OWNER_INTERFACE, RDY_WIT_OWNER_INTERFACE, *id, (int32_t)G(m)->ninterfaces, NULL, 0, 0 };
	rdy_wit_named *types = dup_array(m, in.types, in.ntypes, sizeof *types);
	for (uint32_t i = 0; i < in.ntypes; i++)
		clone_type_id(&inner, &types[i].id);
	rdy_wit_func *funcs = dup_array(m, in.funcs, in.nfuncs, sizeof *funcs);
	for (uint32_t i = 0; i < in.nfuncs; i++)
		clone_function(&inner, &funcs[i]);
	in.types = types;
	in.captypes = in.ntypes;
	in.funcs = funcs;
	in.capfuncs = in.nfuncs;
	in.package = m->pkg;
	*RDY_PUSH(ARENA(m), G(m)->interfaces, G(m)->ninterfaces, G(m)->capinterfaces) = in;
	*id = (int32_t)G(m)->ninterfaces - 1;
}

/* `name` renamed by a `with { a as b }` entry, or NULL (the reference's rename). */
static const char *include_rename(M *m, const char *orig, const rdy__usename *n)
{
	if (orig == n->name.name)
		return n->as.name;
	const char *close = strchr(orig, ']');
	if (!close)
		return NULL;
	const char *rest = close + 1, *dot = strchr(rest, '.');
	size_t klen = (size_t)(rest - orig), nlen = strlen(n->name.name);
	if (dot && (size_t)(dot - rest) == nlen && !memcmp(rest, n->name.name, nlen))
		return rdy__internz(&m->w->names, rdy__sprintf(ARENA(m), "%.*s%s%s", (int)klen, orig, n->as.name, dot));
	if (!strcmp(rest, n->name.name))
		return rdy__internz(&m->w->names, rdy__sprintf(ARENA(m), "%.*s%s", (int)klen, orig, n->as.name));
	return NULL;
}

static bool stab_eq(const rdy_wit_stability *a, const rdy_wit_stability *b)
{
	if (a->kind != b->kind || (!a->deprecated) != (!b->deprecated))
		return false;
	if (a->deprecated && rdy__version_cmp(a->deprecated, b->deprecated))
		return false;
	if (a->kind == RDY_WIT_STAB_STABLE)
		return !rdy__version_cmp(a->since, b->since);
	return a->kind != RDY_WIT_STAB_UNSTABLE || a->feature == b->feature;
}

static void merge_include_stability(M *m, const rdy_wit_stability *from, rdy_wit_stability *into, bool external)
{
	if (external && from->kind == RDY_WIT_STAB_STABLE) {
		memset(into, 0, sizeof *into);
		return;
	}
	if (stab_eq(from, into) || from->kind == RDY_WIT_STAB_UNKNOWN)
		return;
	if (into->kind == RDY_WIT_STAB_UNKNOWN) {
		*into = *from;
		return;
	}
	rdy__wit_fail_plain(m->w, "mismatch in stability of an included interface");
}

static rdy_wit_item *find_item(rdy_wit_item *v, uint32_t n, const rdy_wit_item *key)
{
	for (uint32_t i = 0; i < n; i++)
		if (key->name ? v[i].name == key->name : (!v[i].name && v[i].key_iface == key->key_iface))
			return &v[i];
	return NULL;
}

static void include_item(M *m, cloner *c, int32_t wid, bool import, const rdy_wit_item *src,
			 const rdy_wit_include *inc, bool external)
{
	rdy_wit_world *wd = &G(m)->worlds[wid];
	rdy_wit_item **v = import ? &wd->imports : &wd->exports;
	uint32_t *n = import ? &wd->nimports : &wd->nexports, *cap = import ? &wd->capimports : &wd->capexports;
	rdy_wit_item it = *src;
	if (!it.name) {
		/* as the reference's entry().or_insert() then merge: a fresh entry is merged with itself */
		rdy_wit_item *prev = find_item(*v, *n, &it);
		if (!prev) {
			prev = RDY_PUSH(ARENA(m), *v, *n, *cap);
			*prev = it;
		}
		merge_include_stability(m, &src->stability, &prev->stability, external);
		return;
	}
	const char *name = it.name;
	for (uint32_t i = 0; i < inc->nnames; i++) {
		const char *r = include_rename(m, it.name, &inc->names[i]);
		if (r) {
			name = r;
			break;
		}
	}
	if (it.kind == RDY_WIT_ITEM_TYPE) {
		clone_type_id(c, &it.id);
		gty(m, it.id)->name = name;
	} else if (it.kind == RDY_WIT_ITEM_FUNC) {
		clone_function(c, &it.func);
		it.func.name = name;
	} else if (!G(m)->interfaces[it.id].name) {
		clone_interface(c, &it.id); /* an inline interface; a labelled named one stays itself */
	}
	wd = &G(m)->worlds[wid];
	it.name = name;
	if (find_item(*v, *n, &it))
		rdy__wit_fail(m->w, inc->span, "%s of `%s` shadows previously %sed items", import ? "import" : "export",
			      name, import ? "import" : "export");
	*RDY_PUSH(ARENA(m), *v, *n, *cap) = it;
}

static void resolve_include(M *m, int32_t wid, const rdy_wit_include *inc)
{
	int32_t from = map_id(m, m->worlds, inc->world, "world", &inc->span, "");
	rdy_wit_world src = G(m)->worlds[from];
	for (uint32_t i = 0; i < inc->nnames; i++) {
		bool used = false;
		for (uint32_t k = 0; k < src.nimports + src.nexports && !used; k++) {
			const rdy_wit_item *it = k < src.nimports ? &src.imports[k] : &src.exports[k - src.nimports];
			used = it->name && include_rename(m, it->name, &inc->names[i]);
		}
		if (!used)
			rdy__wit_fail(m->w, inc->span,
				      "no import or export kebab-name `%s`. Note that an ID does not support renaming",
				      inc->names[i].name.name);
	}
	bool external = from < m->first_world;
	cloner c = { m, RDY_WIT_OWNER_WORLD, RDY_WIT_OWNER_WORLD, from, wid, NULL, 0, 0 };
	for (uint32_t i = 0; i < src.nimports; i++)
		include_item(m, &c, wid, true, &src.imports[i], inc, external);
	for (uint32_t i = 0; i < src.nexports; i++)
		include_item(m, &c, wid, false, &src.exports[i], inc, external);
}

static void check_case_clash(M *m, const rdy_wit_world *wd, const rdy_wit_item *v, uint32_t n, const char *what)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; v[i].name && k < i; k++)
			if (v[k].name && v[k].name != v[i].name && !strcasecmp(v[k].name, v[i].name))
				rdy__wit_fail_plain(m->w,
						    "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
						    what, v[i].name, wd->name, what, v[k].name);
}

static void process_includes(M *m, int32_t wid)
{
	rdy_wit_world *wd = &G(m)->worlds[wid];
	rdy_wit_include *incs = wd->includes;
	uint32_t n = wd->nincludes;
	wd->includes = NULL;
	wd->nincludes = wd->capincludes = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!include_stability(m, &incs[i].stability, &incs[i].span))
			continue;
		resolve_include(m, wid, &incs[i]);
	}
	wd = &G(m)->worlds[wid];
	check_case_clash(m, wd, wd->imports, wd->nimports, "import");
	check_case_clash(m, wd, wd->exports, wd->nexports, "export");
}

/* ---- elaboration ----------------------------------------------------------------- */

typedef struct items {
	rdy_wit_item *v;
	uint32_t n, cap;
} items;

static int32_t type_iface_dep(M *m, int32_t id)
{
	const rdy_wit_typedef *t = gty(m, id);
	if (t->kind != RDY_WIT_ALIAS || t->a < 0)
		return -1;
	const rdy_wit_typedef *o = gty(m, t->a);
	if (o->owner_kind == t->owner_kind && o->owner == t->owner)
		return -1;
	return o->owner_kind == RDY_WIT_OWNER_INTERFACE ? o->owner : -1;
}

static int sort_key(M *m, const rdy_wit_item *it)
{
	if (it->kind == RDY_WIT_ITEM_INTERFACE)
		return 0;
	if (it->kind == RDY_WIT_ITEM_TYPE) {
		const rdy_wit_typedef *t = gty(m, it->id);
		if (t->kind == RDY_WIT_ALIAS && t->a >= 0 &&
		    (gty(m, t->a)->owner_kind != t->owner_kind || gty(m, t->a)->owner != t->owner))
			return 1;
		return 2;
	}
	return it->func.resource < 0 ? 3 : 4;
}

static void sort_items(M *m, items *it)
{
	rdy_wit_item *out = rdy__allocn(ARENA(m), it->n ? it->n : 1, sizeof *out);
	uint32_t o = 0;
	for (int k = 0; k <= 4; k++)
		for (uint32_t i = 0; i < it->n; i++)
			if (sort_key(m, &it->v[i]) == k)
				out[o++] = it->v[i];
	it->v = out;
	it->cap = it->n;
}

static rdy_wit_item iface_item(int32_t key_iface, const char *name, int32_t id, const rdy_wit_stability *s)
{
	rdy_wit_item it = { 0 };
	it.name = name;
	it.key_iface = key_iface;
	it.kind = RDY_WIT_ITEM_INTERFACE;
	it.id = id;
	it.stability = *s;
	return it;
}

/* Inserts or, as IndexMap::insert does, replaces in place. */
static void items_put(M *m, items *v, const rdy_wit_item *it)
{
	rdy_wit_item *prev = find_item(v->v, v->n, it);
	if (prev)
		*prev = *it;
	else
		*RDY_PUSH(ARENA(m), v->v, v->n, v->cap) = *it;
}

static void elaborate_import(M *m, items *imports, const rdy_wit_item *key, int32_t id, const rdy_wit_stability *s)
{
	if (find_item(imports->v, imports->n, key))
		return;
	enter(m);
	const rdy_wit_interface *in = &G(m)->interfaces[id];
	for (uint32_t i = 0; i < in->ntypes; i++) {
		int32_t dep = type_iface_dep(m, in->types[i].id);
		if (dep < 0)
			continue;
		rdy_wit_item k = iface_item(dep, NULL, dep, s);
		elaborate_import(m, imports, &k, dep, s);
		in = &G(m)->interfaces[id];
	}
	rdy_wit_item it = iface_item(key->key_iface, key->name, id, s);
	*RDY_PUSH(ARENA(m), imports->v, imports->n, imports->cap) = it;
	m->depth--;
}

typedef struct xstate {
	items *imports, *exports;
	const rdy_wit_item *export_ifaces; /* the world's exported interfaces */
	uint32_t nexport_ifaces;
	int32_t *required;                 /* interfaces that must be imported */
	uint32_t nrequired, caprequired;
} xstate;

static bool is_required(const xstate *x, int32_t id)
{
	for (uint32_t i = 0; i < x->nrequired; i++)
		if (x->required[i] == id)
			return true;
	return false;
}

/* Whether the world exports interface ID under its own key (a labelled export does not count). */
static bool is_exported_iface(const xstate *x, int32_t id)
{
	for (uint32_t i = 0; i < x->nexport_ifaces; i++)
		if (!x->export_ifaces[i].name && x->export_ifaces[i].key_iface == id)
			return true;
	return false;
}

static bool add_world_export(M *m, xstate *x, int32_t id, const rdy_wit_item *key, bool add_export,
			     const rdy_wit_stability *s);

/* The reference's add_world_export: false when an interface would be both imported and exported. */
static bool add_world_export_(M *m, xstate *x, int32_t id, const rdy_wit_item *key, bool add_export,
			      const rdy_wit_stability *s)
{
	if (find_item(x->exports->v, x->exports->n, key))
		return add_export;
	if (!add_export && is_required(x, id))
		return true;
	const rdy_wit_interface *in = &G(m)->interfaces[id];
	for (uint32_t i = 0; i < in->ntypes; i++) {
		int32_t dep = type_iface_dep(m, in->types[i].id);
		if (dep < 0)
			continue;
		rdy_wit_item k = iface_item(dep, NULL, dep, s);
		if (!add_world_export(m, x, dep, &k, add_export && is_exported_iface(x, dep), s))
			return false;
		in = &G(m)->interfaces[id];
	}
	rdy_wit_item it = iface_item(key->key_iface, key->name, id, s);
	if (add_export) {
		if (is_required(x, id))
			return false;
		items_put(m, x->exports, &it);
	} else {
		*RDY_PUSH(ARENA(m), x->required, x->nrequired, x->caprequired) = id;
		items_put(m, x->imports, &it);
	}
	return true;
}

static bool add_world_export(M *m, xstate *x, int32_t id, const rdy_wit_item *key, bool add_export,
			     const rdy_wit_stability *s)
{
	enter(m);
	bool r = add_world_export_(m, x, id, key, add_export, s);
	m->depth--;
	return r;
}

static const char *world_key_name(M *m, const rdy_wit_item *it)
{
	if (it->name)
		return it->name;
	char id[512];
	return rdy__internz(&m->w->names, rdy_wit_interface_id(G(m), it->key_iface, id, sizeof id));
}

/* Lists every interface a world needs, in dependency order (the reference's elaborate_world). */
static void elaborate_world(M *m, int32_t wid)
{
	rdy_wit_world *wd = &G(m)->worlds[wid];
	items src = { wd->imports, wd->nimports, wd->capimports };
	sort_items(m, &src);
	items imports = { 0 }, exports = { 0 }, xifaces = { 0 };
	for (uint32_t i = 0; i < src.n; i++) {
		const rdy_wit_item *it = &src.v[i];
		if (it->kind == RDY_WIT_ITEM_INTERFACE) {
			elaborate_import(m, &imports, it, it->id, &it->stability);
		} else if (it->kind == RDY_WIT_ITEM_TYPE) {
			int32_t dep = type_iface_dep(m, it->id);
			if (dep >= 0) {
				rdy_wit_item k = iface_item(dep, NULL, dep, &gty(m, it->id)->stability);
				elaborate_import(m, &imports, &k, dep, &gty(m, it->id)->stability);
			}
			*RDY_PUSH(ARENA(m), imports.v, imports.n, imports.cap) = *it;
		} else {
			*RDY_PUSH(ARENA(m), imports.v, imports.n, imports.cap) = *it;
		}
	}
	wd = &G(m)->worlds[wid];
	for (uint32_t i = 0; i < wd->nexports; i++) {
		if (wd->exports[i].kind == RDY_WIT_ITEM_INTERFACE)
			*RDY_PUSH(ARENA(m), xifaces.v, xifaces.n, xifaces.cap) = wd->exports[i];
		else
			*RDY_PUSH(ARENA(m), exports.v, exports.n, exports.cap) = wd->exports[i];
	}
	xstate x = { &imports, &exports, xifaces.v, xifaces.n, NULL, 0, 0 };
	for (uint32_t i = 0; i < xifaces.n; i++) {
		const rdy_wit_item *it = &xifaces.v[i];
		if (!add_world_export(m, &x, it->id, it, true, &it->stability))
			rdy__wit_fail(m->w, G(m)->worlds[wid].span,
				      "interface `%s` transitively depends on an interface in incompatible ways",
				      world_key_name(m, it));
	}
	sort_items(m, &imports);
	wd = &G(m)->worlds[wid];
	wd->imports = imports.v;
	wd->nimports = wd->capimports = imports.n;
	wd->exports = exports.v;
	wd->nexports = exports.n;
	wd->capexports = exports.cap;
}

/* ---- the package ----------------------------------------------------------------- */

static void register_package(M *m)
{
	const rdy__pkgname *n = &m->u->name;
	if (find_package(m, n) >= 0)
		rdy__wit_fail_plain(m->w, "attempting to re-add package `%s` when it's already present in this `Resolve`",
				    pkgname_text(m, n));
	rdy_wit_package *p = RDY_PUSH(ARENA(m), G(m)->packages, G(m)->npackages, G(m)->cappackages);
	memset(p, 0, sizeof *p);
	p->ns = n->ns.name;
	p->name = n->name.name;
	p->has_version = n->has_version;
	p->version = n->version;
	p->id = rdy__internz(&m->w->names, pkgname_text(m, n));
	p->docs = m->u->docs;
	p->span = n->span;
	m->pkg = (int32_t)G(m)->npackages - 1;
}

static int32_t *new_map(M *m, uint32_t n)
{
	int32_t *v = rdy__allocn(ARENA(m), n ? n : 1, sizeof *v);
	memset(v, 0xff, (n ? n : 1) * sizeof *v);
	return v;
}

int32_t rdy__append(rdy_wit *w, rdy__upkg *u)
{
	M mm = { 0 }, *m = &mm;
	m->w = w;
	m->u = u;
	m->types = new_map(m, u->m.ntypes);
	m->ifaces = new_map(m, u->m.ninterfaces);
	m->worlds = new_map(m, u->m.nworlds);
	register_package(m);
	process_foreign_deps(m);
	append_types(m);
	append_interfaces(m);
	m->first_world = (int32_t)G(m)->nworlds;
	append_worlds(m);
	for (uint32_t i = u->nforeign_worlds; i < u->m.nworlds; i++) {
		if (m->worlds[i] < 0)
			continue;
		process_includes(m, m->worlds[i]);
		elaborate_world(m, m->worlds[i]);
	}
	rdy_wit_package *p = &G(m)->packages[m->pkg];
	for (uint32_t i = u->nforeign_ifaces; i < u->m.ninterfaces; i++) {
		int32_t id = m->ifaces[i];
		if (id < 0)
			continue;
		G(m)->interfaces[id].package = m->pkg;
		if (G(m)->interfaces[id].name)
			*RDY_PUSH(ARENA(m), p->interfaces, p->ninterfaces, p->capinterfaces) =
				(rdy_wit_named){ G(m)->interfaces[id].name, id };
	}
	for (uint32_t i = u->nforeign_worlds; i < u->m.nworlds; i++) {
		int32_t id = m->worlds[i];
		if (id < 0)
			continue;
		G(m)->worlds[id].package = m->pkg;
		*RDY_PUSH(ARENA(m), p->worlds, p->nworlds, p->capworlds) = (rdy_wit_named){ G(m)->worlds[id].name, id };
	}
	return m->pkg;
}

uint32_t rdy__upkg_ndeps(const rdy__upkg *u)
{
	return u->ndeps;
}

void rdy__upkg_deps(const rdy__upkg *u, const rdy__pkgname **names, rdy_wit_span *spans, uint32_t *n, uint32_t max)
{
	*n = 0;
	for (uint32_t i = 0; i < u->ndeps && *n < max; i++, (*n)++) {
		names[*n] = &u->deps[i].name;
		spans[*n] = u->deps[i].span;
	}
}
