/*
 * The compatibility check, docs/abi.md §8.  Items are matched by name (and
 * interfaces by package, name and semver track); equal hashes settle a
 * match at once, otherwise both structures are walked and the first
 * difference of each item is reported with its path:
 *
 *   MODULE: IFACE: record point: field y: host expects s32 (offset 4), plugin has f32
 *
 * Exports go from the plugin (it provides) to the host (it expects);
 * imports go the other way, and their messages say so.
 */
#include "abi/check.h"
#include "abi/abi.h"
#include "abi/desc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rdy_check_model {
	const rdy_wit_model *m;
	rdy_hashes *h;                     /* every type's hash; interfaces' as they are asked for */
	rdy_abi_layouts *l;                /* made when a message first needs an offset */
};

typedef struct side {
	const rdy_wit_model *m;
	rdy_check_model *p;
	rdy_hashes *h;
	const char *who;                   /* "host" or "plugin" */
} side;

typedef struct C {
	side *want, *have;                 /* who expects the item, who provides it */
	side host, plugin;
	const char *module;
	rdy_check_report *r;
	char path[1024];
	size_t plen;
	bool oom;
	uint32_t depth;
	int32_t *failed;                   /* (host type, plugin type) pairs already reported */
	uint32_t nfailed, capfailed;
} C;

enum { MAX_DEPTH = 10000, MAX_ERRORS = 64 };

/* ---- messages ---------------------------------------------------------------- */

static size_t push(C *c, const char *fmt, ...)
{
	size_t old = c->plen;
	if (c->plen && c->plen + 2 < sizeof c->path) {
		memcpy(c->path + c->plen, ": ", 3);
		c->plen += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n < sizeof c->path - c->plen ? (size_t)n : sizeof c->path - c->plen - 1;
	return old;
}

static void pop(C *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

static void add(C *c, char ***v, uint32_t *n, const char *detail)
{
	if (c->oom || (v == &c->r->errors && *n >= MAX_ERRORS))
		return;
	size_t len = strlen(c->module) + c->plen + strlen(detail) + 8;
	char *msg = malloc(len);
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!msg || !nv) {
		free(msg);
		if (nv)
			*v = nv;
		c->oom = true;
		return;
	}
	snprintf(msg, len, "%s: %s%s%s", c->module, c->path, c->plen ? ": " : "", detail);
	*v = nv;
	(*v)[(*n)++] = msg;
}

static void error(C *c, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	add(c, &c->r->errors, &c->r->nerrors, detail);
}

/* A missing item: optional when its expecter gated it @since (weak linking), else an error. */
static void missing(C *c, const rdy_wit_stability *s, const char *what)
{
	char detail[512];
	if (s->kind == RDY_WIT_STAB_STABLE) {
		snprintf(detail, sizeof detail, "%s (since %s) is absent from the %s; it binds as absent", what,
			 s->since->text, c->have->who);
		add(c, &c->r->absent, &c->r->nabsent, detail);
		return;
	}
	error(c, "%s is missing from the %s", what, c->have->who);
}

static const char *const kind_names[] = {
	[RDY_WIT_ALIAS] = "type", [RDY_WIT_RECORD] = "record", [RDY_WIT_RESOURCE] = "resource",
	[RDY_WIT_HANDLE] = "handle", [RDY_WIT_FLAGS] = "flags", [RDY_WIT_TUPLE] = "tuple",
	[RDY_WIT_VARIANT] = "variant", [RDY_WIT_ENUM] = "enum", [RDY_WIT_OPTION] = "option",
	[RDY_WIT_RESULT] = "result", [RDY_WIT_LIST] = "list", [RDY_WIT_FIXED_LIST] = "list",
	[RDY_WIT_MAP] = "map", [RDY_WIT_FUTURE] = "future", [RDY_WIT_STREAM] = "stream",
	[RDY_WIT_UNKNOWN] = "unknown",
};

/* "record point", "u32", "list<string>": how a person would name the type. */
static void describe(const rdy_wit_model *m, rdy_wit_type t, char *buf, size_t n)
{
	if (t >= 0 && m->types[t].name && m->types[t].kind != RDY_WIT_ALIAS) {
		snprintf(buf, n, "%s %s", kind_names[m->types[t].kind], m->types[t].name);
		return;
	}
	FILE *f = fmemopen(buf, n, "w");
	if (!f) {
		snprintf(buf, n, "?");
		return;
	}
	rdy_wit_print_type(m, t, f);
	fclose(f);
	buf[n - 1] = '\0';
}

/* Types differ: said host first, whichever side expects; OFFSET is the host's, or -1. */
static void differ(C *c, rdy_wit_type w, rdy_wit_type h, int64_t offset)
{
	bool host_wants = c->want == &c->host;
	char a[256], b[256], off[48] = "";
	describe(c->host.m, host_wants ? w : h, a, sizeof a);
	describe(c->plugin.m, host_wants ? h : w, b, sizeof b);
	if (offset >= 0)
		snprintf(off, sizeof off, " (offset %lld)", (long long)offset);
	error(c, "host expects %s%s, plugin has %s", a, off, b);
}

/* ---- identity ------------------------------------------------------------------ */

bool rdy_semver_compatible(const rdy_wit_package *a, const rdy_wit_package *b)
{
	char x[96], y[96];
	return !strcmp(rdy_semver_track(a, x, sizeof x), rdy_semver_track(b, y, sizeof y));
}

static const rdy_wit_package *pkg(const rdy_wit_model *m, int32_t p)
{
	static const rdy_wit_package none = { 0 };
	return p >= 0 && (uint32_t)p < m->npackages ? &m->packages[p] : &none;
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Same package (namespace and name) and interface name, any version. */
static bool same_iface_name(const side *x, int32_t i, const side *y, int32_t j)
{
	const rdy_wit_interface *a = &x->m->interfaces[i], *b = &y->m->interfaces[j];
	const rdy_wit_package *p = pkg(x->m, a->package), *q = pkg(y->m, b->package);
	return same_name(a->name, b->name) && same_name(p->ns, q->ns) && same_name(p->name, q->name);
}


/* ---- types ----------------------------------------------------------------------- */

static rdy_wit_type unalias(const rdy_wit_model *m, rdy_wit_type t)
{
	for (uint32_t guard = 0; t >= 0 && m->types[t].kind == RDY_WIT_ALIAS && guard < MAX_DEPTH; guard++)
		t = m->types[t].a;
	return t;
}

static bool hash_eq(rdy_hash a, rdy_hash b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static bool same_type(C *c, rdy_wit_type w, rdy_wit_type h, int64_t offset);

static bool same_cases(C *c, rdy_wit_type wt, rdy_wit_type ht)
{
	const rdy_wit_typedef *w = &c->want->m->types[wt], *h = &c->have->m->types[ht];
	static const char *const member[] = {
		[RDY_WIT_RECORD] = "field", [RDY_WIT_VARIANT] = "case", [RDY_WIT_ENUM] = "case",
		[RDY_WIT_FLAGS] = "flag", [RDY_WIT_TUPLE] = "member",
	};
	bool host_wants = c->want == &c->host;
	const rdy_wit_typedef *hd = host_wants ? w : h, *pd = host_wants ? h : w;
	if (w->ncases != h->ncases) {
		error(c, "host expects %u %ss, plugin has %u", hd->ncases, member[w->kind], pd->ncases);
		return false;
	}
	const rdy_abi_type *lay = NULL;
	if (w->kind == RDY_WIT_RECORD || w->kind == RDY_WIT_TUPLE) {
		if (!c->host.p->l && !(c->host.p->l = rdy_abi_layouts_new(c->host.m)))
			c->oom = true;
		else
			lay = rdy_abi_layout(c->host.p->l, host_wants ? wt : ht);
	}
	for (uint32_t i = 0; i < w->ncases; i++) {
		size_t old = w->kind == RDY_WIT_TUPLE ? push(c, "member %u", i)
						      : push(c, "%s %s", member[w->kind],
							     host_wants ? w->cases[i].name : h->cases[i].name);
		bool ok = true;
		if (w->kind != RDY_WIT_TUPLE && !same_name(w->cases[i].name, h->cases[i].name)) {
			error(c, "host expects `%s` here, plugin has `%s`", host_wants ? w->cases[i].name : h->cases[i].name,
			      host_wants ? h->cases[i].name : w->cases[i].name);
			ok = false;
		} else if ((w->cases[i].type == RDY_WIT_NONE) != (h->cases[i].type == RDY_WIT_NONE)) {
			error(c, "host expects %s payload, plugin has %s", hd->cases[i].type == RDY_WIT_NONE ? "no" : "a",
			      pd->cases[i].type == RDY_WIT_NONE ? "none" : "one");
			ok = false;
		} else if (w->cases[i].type != RDY_WIT_NONE) {
			ok = same_type(c, w->cases[i].type, h->cases[i].type,
				       lay && lay->offsets ? (int64_t)lay->offsets[i] : -1);
		}
		pop(c, old);
		if (!ok)
			return false;
	}
	return true;
}

/* Resources compare by identity: where they are defined, and their name. */
static bool same_resource(C *c, rdy_wit_type wt, rdy_wit_type ht)
{
	const rdy_wit_typedef *w = &c->want->m->types[wt], *h = &c->have->m->types[ht];
	bool same = same_name(w->name, h->name) && w->owner_kind == h->owner_kind;
	if (same && w->owner_kind == RDY_WIT_OWNER_INTERFACE)
		same = same_iface_name(c->want, w->owner, c->have, h->owner);
	if (!same)
		differ(c, wt, ht, -1);
	return same;
}

static bool same_structure(C *c, rdy_wit_type wt, rdy_wit_type ht, int64_t offset)
{
	const rdy_wit_typedef *w = &c->want->m->types[wt], *h = &c->have->m->types[ht];
	bool named = w->kind == RDY_WIT_RECORD || w->kind == RDY_WIT_VARIANT || w->kind == RDY_WIT_ENUM ||
		     w->kind == RDY_WIT_FLAGS;
	if (w->kind != h->kind || w->borrow != h->borrow || (named && !same_name(w->name, h->name)) ||
	    (w->kind == RDY_WIT_FIXED_LIST && w->size != h->size)) {
		differ(c, wt, ht, offset);
		return false;
	}
	switch (w->kind) {
	case RDY_WIT_RESOURCE:
		return same_resource(c, wt, ht);
	case RDY_WIT_RECORD: case RDY_WIT_VARIANT: case RDY_WIT_ENUM: case RDY_WIT_FLAGS: {
		size_t old = push(c, "%s %s", kind_names[w->kind], w->name);
		bool ok = same_cases(c, wt, ht);
		pop(c, old);
		return ok;
	}
	case RDY_WIT_TUPLE:
		return same_cases(c, wt, ht);
	case RDY_WIT_RESULT:
		if ((w->a == RDY_WIT_NONE) != (h->a == RDY_WIT_NONE) || (w->b == RDY_WIT_NONE) != (h->b == RDY_WIT_NONE)) {
			differ(c, wt, ht, offset);
			return false;
		}
		return (w->a == RDY_WIT_NONE || same_type(c, w->a, h->a, -1)) &&
		       (w->b == RDY_WIT_NONE || same_type(c, w->b, h->b, -1));
	default:
		return same_type(c, w->a, h->a, -1) && (w->b == RDY_WIT_NONE || same_type(c, w->b, h->b, -1));
	}
}

static bool same_type(C *c, rdy_wit_type w, rdy_wit_type h, int64_t offset)
{
	w = unalias(c->want->m, w);
	h = unalias(c->have->m, h);
	if (w < 0 || h < 0) {
		if (w != h)
			differ(c, w, h, offset);
		return w == h;
	}
	if (hash_eq(rdy_hash_type(c->want->h, w), rdy_hash_type(c->have->h, h)))
		return true;
	int32_t hp = c->want == &c->host ? w : h, pp = c->want == &c->host ? h : w;
	for (uint32_t i = 0; i < c->nfailed; i += 2)
		if (c->failed[i] == hp && c->failed[i + 1] == pp)
			return false; /* reported already, where it was first met */
	if (c->depth >= MAX_DEPTH) {
		error(c, "types nest too deeply to compare");
		return false;
	}
	c->depth++;
	bool ok = same_structure(c, w, h, offset);
	c->depth--;
	if (!ok && c->nfailed + 2 <= c->capfailed) {
		c->failed[c->nfailed++] = hp;
		c->failed[c->nfailed++] = pp;
	}
	return ok;
}

/* ---- functions and interfaces ------------------------------------------------- */

static void same_func(C *c, const rdy_wit_func *w, const rdy_wit_func *h)
{
	if (hash_eq(rdy_hash_func(c->want->h, w), rdy_hash_func(c->have->h, h))) {
		c->r->matched++;
		return;
	}
	c->r->walked++;
	size_t old = push(c, "function `%s`", w->name);
	if (w->kind != h->kind) {
		error(c, "%s expects another kind of function", c->want->who);
	} else if (w->nparams != h->nparams) {
		error(c, "%s expects %u parameter%s, %s has %u", c->want->who, w->nparams, w->nparams == 1 ? "" : "s",
		      c->have->who, h->nparams);
	} else {
		bool ok = true;
		for (uint32_t i = 0; i < w->nparams && ok; i++) {
			size_t o = push(c, "parameter `%s`", w->params[i].name);
			if (!same_name(w->params[i].name, h->params[i].name)) {
				error(c, "%s names it `%s`", c->have->who, h->params[i].name);
				ok = false;
			} else {
				ok = same_type(c, w->params[i].type, h->params[i].type, -1);
			}
			pop(c, o);
		}
		if (ok) {
			size_t o = push(c, "result");
			if ((w->result == RDY_WIT_NONE) != (h->result == RDY_WIT_NONE))
				error(c, "%s expects %s, %s has %s", c->want->who, w->result == RDY_WIT_NONE ? "none" : "one",
				      c->have->who, h->result == RDY_WIT_NONE ? "none" : "one");
			else if (w->result != RDY_WIT_NONE)
				same_type(c, w->result, h->result, -1);
			pop(c, o);
		}
	}
	pop(c, old);
}

static const rdy_wit_func *find_func(const rdy_wit_interface *in, const char *name)
{
	for (uint32_t i = 0; i < in->nfuncs; i++)
		if (same_name(in->funcs[i].name, name))
			return &in->funcs[i];
	return NULL;
}

static void same_iface(C *c, int32_t wi, int32_t hi)
{
	if (hash_eq(rdy_hash_interface(c->want->h, wi), rdy_hash_interface(c->have->h, hi))) {
		c->r->matched++;
		return;
	}
	const rdy_wit_interface *w = &c->want->m->interfaces[wi], *h = &c->have->m->interfaces[hi];
	for (uint32_t i = 0; i < w->ntypes; i++) {
		const rdy_wit_typedef *wt = &c->want->m->types[w->types[i].id];
		if (wt->kind == RDY_WIT_ALIAS && wt->a >= 0 && c->want->m->types[wt->a].owner_kind == RDY_WIT_OWNER_INTERFACE &&
		    c->want->m->types[wt->a].owner != wi)
			continue; /* `use`d from another interface: compared there */
		int32_t ht = -1;
		for (uint32_t k = 0; k < h->ntypes && ht < 0; k++)
			if (same_name(h->types[k].name, w->types[i].name))
				ht = h->types[k].id;
		if (ht < 0) {
			char what[256];
			snprintf(what, sizeof what, "type `%s`", w->types[i].name);
			missing(c, &c->want->m->types[w->types[i].id].stability, what);
			continue;
		}
		c->r->walked++;
		same_type(c, w->types[i].id, ht, -1);
	}
	for (uint32_t i = 0; i < w->nfuncs; i++) {
		const rdy_wit_func *hf = find_func(h, w->funcs[i].name);
		if (!hf) {
			char what[256];
			snprintf(what, sizeof what, "function `%s`", w->funcs[i].name);
			missing(c, &w->funcs[i].stability, what);
			continue;
		}
		same_func(c, &w->funcs[i], hf);
	}
}

/* ---- worlds ------------------------------------------------------------------------- */

/* The item of V that matches W's key: by name, or by interface identity (any version). */
static const rdy_wit_item *find_item(C *c, const rdy_wit_item *w, const rdy_wit_item *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (w->name ? same_name(v[i].name, w->name)
			    : !v[i].name && same_iface_name(c->want, w->key_iface, c->have, v[i].key_iface))
			return &v[i];
	}
	return NULL;
}

static rdy_wit_stability item_stability(const side *s, const rdy_wit_item *it)
{
	if (it->kind == RDY_WIT_ITEM_FUNC)
		return it->func.stability;
	if (it->kind == RDY_WIT_ITEM_TYPE)
		return s->m->types[it->id].stability;
	return it->stability;
}

static void same_item(C *c, const rdy_wit_item *w, const rdy_wit_item *v, uint32_t n)
{
	char label[256];
	if (w->name)
		snprintf(label, sizeof label, "%s `%s`",
			 w->kind == RDY_WIT_ITEM_FUNC ? "function" : w->kind == RDY_WIT_ITEM_TYPE ? "type" : "interface", w->name);
	else
		rdy_wit_interface_id(c->want->m, w->key_iface, label, sizeof label);
	const rdy_wit_item *h = find_item(c, w, v, n);
	if (!h) {
		rdy_wit_stability s = item_stability(c->want, w);
		missing(c, &s, label);
		return;
	}
	if (h->kind != w->kind) {
		error(c, "%s: %s expects %s, %s has another kind of item", label, c->want->who,
		      w->kind == RDY_WIT_ITEM_INTERFACE ? "an interface" : w->kind == RDY_WIT_ITEM_FUNC ? "a function" : "a type",
		      c->have->who);
		return;
	}
	if (w->kind == RDY_WIT_ITEM_FUNC) {
		same_func(c, &w->func, &h->func);
		return;
	}
	if (w->kind == RDY_WIT_ITEM_TYPE) {
		size_t old = push(c, "%s", label);
		c->r->walked++;
		same_type(c, w->id, h->id, -1);
		pop(c, old);
		return;
	}
	const rdy_wit_package *wp = pkg(c->want->m, c->want->m->interfaces[w->id].package);
	const rdy_wit_package *hp = pkg(c->have->m, c->have->m->interfaces[h->id].package);
	size_t old = push(c, "%s", rdy_wit_interface_id(c->want->m, w->id, label, sizeof label));
	if (!rdy_semver_compatible(wp, hp))
		error(c, "%s expects version %s, %s has %s, which is not semver-compatible", c->want->who,
		      wp->has_version ? wp->version.text : "(none)", c->have->who,
		      hp->has_version ? hp->version.text : "(none)");
	else
		same_iface(c, w->id, h->id);
	pop(c, old);
}

static void direction(C *c, side *want, side *have, const rdy_wit_item *w, uint32_t nw, const rdy_wit_item *v,
		      uint32_t nv)
{
	c->want = want;
	c->have = have;
	for (uint32_t i = 0; i < nw; i++)
		same_item(c, &w[i], v, nv);
}

rdy_check_model *rdy_check_model_new(const rdy_wit_model *m)
{
	rdy_check_model *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->m = m;
	if (!(p->h = rdy_hashes_new(m))) {
		free(p);
		return NULL;
	}
	return p;
}

void rdy_check_model_free(rdy_check_model *p)
{
	if (!p)
		return;
	rdy_hashes_free(p->h);
	rdy_abi_layouts_free(p->l);
	free(p);
}

int rdy_check_prepared(rdy_check_model *host, int hw, rdy_check_model *plugin, int pw, const char *module,
		       rdy_check_report *report)
{
	memset(report, 0, sizeof *report);
	C c = { 0 };
	c.module = module;
	c.r = report;
	c.host = (side){ host->m, host, host->h, "host" };
	c.plugin = (side){ plugin->m, plugin, plugin->h, "plugin" };
	const rdy_wit_world *h = &host->m->worlds[hw], *p = &plugin->m->worlds[pw];
	c.capfailed = 2 * MAX_ERRORS;
	c.failed = malloc(c.capfailed * sizeof *c.failed);
	c.oom = !c.failed;
	/*
	 * The plugin expects its imports from the host, the host expects the
	 * world's exports from the plugin.  Imports first: shared types live
	 * there, so a difference is reported where it is defined.
	 */
	direction(&c, &c.plugin, &c.host, p->imports, p->nimports, h->imports, h->nimports);
	direction(&c, &c.host, &c.plugin, h->exports, h->nexports, p->exports, p->nexports);
	free(c.failed);
	return c.oom ? -1 : report->nerrors ? 1 : 0;
}

int rdy_check_worlds(const rdy_wit_model *host, int hw, const rdy_wit_model *plugin, int pw, const char *module,
		     rdy_check_report *report)
{
	memset(report, 0, sizeof *report);
	rdy_check_model *h = rdy_check_model_new(host), *p = rdy_check_model_new(plugin);
	int rc = h && p ? rdy_check_prepared(h, hw, p, pw, module, report) : -1;
	rdy_check_model_free(h);
	rdy_check_model_free(p);
	return rc;
}

void rdy_check_report_free(rdy_check_report *r)
{
	for (uint32_t i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	for (uint32_t i = 0; i < r->nabsent; i++)
		free(r->absent[i]);
	free(r->errors);
	free(r->absent);
	memset(r, 0, sizeof *r);
}
