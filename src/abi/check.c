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
	bool deprecations;                 /* some item is @deprecated: walk even equal interfaces */
};

typedef struct side {
	const rdy_wit_model *m;
	rdy_check_model *p;
	rdy_hashes *h;
	const char *who;                   /* "host" or "plugin"; in diff mode "old" or "new" */
	const rdy_wit_package *wpkg;       /* its world's package */
	bool old;                          /* diff mode: the older version */
} side;

typedef struct C {
	side *want, *have;                 /* who expects the item, who provides it */
	side host, plugin;
	const char *module;                /* before each line, or NULL */
	rdy_check_report *r;
	bool diff;                         /* rdy_check_diff: see check.h */
	rdy_check_at at;                   /* the item being checked, for the report */
	char at_iface[256];
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

enum { L_ERRORS, L_ABSENT, L_DEPRECATED, L_NOTES };

static char *dup(C *c, const char *t)
{
	char *d = t ? strdup(t) : NULL;
	c->oom |= t && !d;
	return d;
}

/* Adds "MODULE: PATH: DETAIL" to list L, as a change WHAT of the item being checked. */
static void add(C *c, int l, uint8_t what, const char *detail)
{
	rdy_check_report *r = c->r;
	char ***v = l == L_ERRORS ? &r->errors : l == L_ABSENT ? &r->absent : l == L_DEPRECATED ? &r->deprecated
											  : &r->notes;
	rdy_check_at **at = l == L_ERRORS ? &r->errors_at : l == L_ABSENT ? &r->absent_at
				: l == L_DEPRECATED ? &r->deprecated_at : &r->notes_at;
	uint32_t *n = l == L_ERRORS ? &r->nerrors : l == L_ABSENT ? &r->nabsent : l == L_DEPRECATED ? &r->ndeprecated
											   : &r->nnotes;
	if (c->oom || (l == L_ERRORS && *n >= MAX_ERRORS && !c->diff)) /* a diff lists every change */
		return;
	const char *module = c->module ? c->module : "";
	size_t len = strlen(module) + c->plen + strlen(detail) + 8;
	char *msg = malloc(len);
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (nv)
		*v = nv;
	rdy_check_at *na = nv ? realloc(*at, (*n + 1) * sizeof *na) : NULL;
	if (na)
		*at = na;
	if (!msg || !nv || !na) {
		free(msg);
		c->oom = true;
		return;
	}
	snprintf(msg, len, "%s%s%s%s%s", module, *module ? ": " : "", c->path, c->plen ? ": " : "", detail);
	rdy_check_at a = c->at;
	a.what = what;
	a.iface = dup(c, c->at_iface[0] ? c->at_iface : NULL);
	a.item = dup(c, c->at.item);
	(*v)[*n] = msg;
	(*at)[(*n)++] = a;
}

static void say(C *c, int l, uint8_t what, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	add(c, l, what, detail);
}

#define error(c, ...) say(c, L_ERRORS, RDY_CHECK_CHANGED, __VA_ARGS__)

/* How a side is said to hold what it holds: the host "expects" in a check; in a diff each "has". */
static const char *verb(const C *c, bool expects)
{
	return expects && !c->diff ? "expects" : "has";
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * A missing item.  When its expecter gated it @since(X), it is optional
 * (weak linking) if the provider's package, GATE's, is older than X: a
 * provider at X or later claims to have it.  Else it is an error.  PROV is
 * the provider's package of the item, or NULL when unknown.
 */
static void missing(C *c, const rdy_wit_stability *s, const char *what, const rdy_wit_package *gate,
		    const rdy_wit_package *prov)
{
	bool added = c->have->old;
	uint8_t kind = !c->diff ? RDY_CHECK_MISSING : added ? RDY_CHECK_ADDED : RDY_CHECK_REMOVED;
	if (s->kind == RDY_WIT_STAB_STABLE && s->since) {
		bool known = prov && gate && prov->has_version && same_name(prov->ns, gate->ns) &&
			     same_name(prov->name, gate->name) && rdy_semver_compatible(prov, gate);
		if (!known || rdy_wit_version_cmp(&prov->version, s->since) < 0) {
			if (c->diff)
				say(c, L_ABSENT, kind, "%s (since %s) was %s", what, s->since->text, added ? "added" : "removed");
			else
				say(c, L_ABSENT, kind, "%s (since %s) is absent from the %s; it binds as absent", what,
				    s->since->text, c->have->who);
		} else if (c->diff && added) {
			say(c, L_ERRORS, kind, "%s was added, gated @since(version = %s), which old at %s should have had",
			    what, s->since->text, prov->version.text);
		} else if (c->diff) {
			say(c, L_ERRORS, kind, "%s (since %s) was removed, though new is at %s", what, s->since->text,
			    prov->version.text);
		} else {
			say(c, L_ERRORS, kind, "%s is missing from the %s, though it is there since %s and the %s is at %s",
			    what, c->have->who, s->since->text, c->have->who, prov->version.text);
		}
	} else if (s->kind == RDY_WIT_STAB_UNSTABLE && s->feature) {
		if (c->diff)
			say(c, L_ERRORS, kind, "%s (@unstable feature `%s`) was %s", what, s->feature,
			    added ? "added" : "removed");
		else
			say(c, L_ERRORS, kind, "%s (@unstable feature `%s`) is missing from the %s, "
			    "which was generated without that feature", what, s->feature, c->have->who);
	} else if (c->diff) {
		say(c, L_ERRORS, kind, "%s was %s", what, added ? "added without a @since gate" : "removed");
	} else {
		say(c, L_ERRORS, kind, "%s is missing from the %s", what, c->have->who);
	}
}

/* "@since(version = 1.0.0) @deprecated(version = 1.2.0)", "@unstable(feature = x)" or "no gate". */
static const char *gate_text(const rdy_wit_stability *s, char *buf, size_t n)
{
	int k = 0;
	if (s->kind == RDY_WIT_STAB_STABLE && s->since)
		k = snprintf(buf, n, "@since(version = %s)", s->since->text);
	else if (s->kind == RDY_WIT_STAB_UNSTABLE && s->feature)
		k = snprintf(buf, n, "@unstable(feature = %s)", s->feature);
	if (s->deprecated && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, " @deprecated(version = %s)", s->deprecated->text);
	else if (!k)
		snprintf(buf, n, "no gate");
	return buf;
}

static bool same_version(const rdy_wit_version *a, const rdy_wit_version *b)
{
	return a == b || (a && b && !rdy_wit_version_cmp(a, b));
}

static bool same_stability(const rdy_wit_stability *a, const rdy_wit_stability *b)
{
	return a->kind == b->kind && same_version(a->since, b->since) && same_name(a->feature, b->feature) &&
	       same_version(a->deprecated, b->deprecated);
}

/*
 * An item both sides have: in a check, a line when either side marks it
 * @deprecated; in a diff, a note when its gate changed (once: in the
 * direction where the old version plays the host).
 */
static void stability(C *c, const rdy_wit_stability *w, const rdy_wit_stability *h, const char *what)
{
	if (!c->diff) {
		const rdy_wit_version *d = w->deprecated ? w->deprecated : h->deprecated;
		if (d)
			say(c, L_DEPRECATED, RDY_CHECK_DEPRECATED, "%s is deprecated since %s", what, d->text);
		return;
	}
	if (!c->host.old || same_stability(w, h))
		return;
	const rdy_wit_stability *o = c->want->old ? w : h, *n = c->want->old ? h : w;
	char a[160], b[160];
	if (n->deprecated && !o->deprecated)
		say(c, L_NOTES, RDY_CHECK_DEPRECATED, "%s is deprecated since %s", what, n->deprecated->text);
	else
		say(c, L_NOTES, RDY_CHECK_RESTABLED, "%s: %s, was %s", what, gate_text(n, a, sizeof a),
		    gate_text(o, b, sizeof b));
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
	error(c, "%s %s %s%s, %s has %s", c->host.who, verb(c, true), a, off, c->plugin.who, b);
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
		error(c, "%s %s %u %s%s, %s has %u", c->host.who, verb(c, true), hd->ncases, member[w->kind],
		      hd->ncases == 1 ? "" : "s", c->plugin.who, pd->ncases);
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
			error(c, "%s %s `%s` here, %s has `%s`", c->host.who, verb(c, true),
			      host_wants ? w->cases[i].name : h->cases[i].name, c->plugin.who,
			      host_wants ? h->cases[i].name : w->cases[i].name);
			ok = false;
		} else if ((w->cases[i].type == RDY_WIT_NONE) != (h->cases[i].type == RDY_WIT_NONE)) {
			error(c, "%s %s %s payload, %s has %s", c->host.who, verb(c, true),
			      hd->cases[i].type == RDY_WIT_NONE ? "no" : "a", c->plugin.who,
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
	if (!ok && c->nfailed + 2 > c->capfailed) {
		int32_t *f = realloc(c->failed, 2 * c->capfailed * sizeof *f);
		if (f) {
			c->failed = f;
			c->capfailed *= 2;
		}
	}
	if (!ok && c->nfailed + 2 <= c->capfailed) {
		c->failed[c->nfailed++] = hp;
		c->failed[c->nfailed++] = pp;
	}
	return ok;
}

/* ---- functions and interfaces ------------------------------------------------- */

static void same_func(C *c, const rdy_wit_func *w, const rdy_wit_func *h)
{
	if (c->diff || c->want->p->deprecations || c->have->p->deprecations) {
		char what[256];
		snprintf(what, sizeof what, "function `%s`", w->name);
		stability(c, &w->stability, &h->stability, what);
	}
	if (hash_eq(rdy_hash_func(c->want->h, w), rdy_hash_func(c->have->h, h))) {
		c->r->matched++;
		return;
	}
	c->r->walked++;
	size_t old = push(c, "function `%s`", w->name);
	if (w->kind != h->kind) {
		error(c, "%s %s another kind of function", c->want->who, verb(c, true));
	} else if (w->nparams != h->nparams) {
		error(c, "%s %s %u parameter%s, %s has %u", c->want->who, verb(c, true), w->nparams,
		      w->nparams == 1 ? "" : "s", c->have->who, h->nparams);
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
				error(c, "%s %s %s, %s has %s", c->want->who, verb(c, true),
				      w->result == RDY_WIT_NONE ? "none" : "one", c->have->who,
				      h->result == RDY_WIT_NONE ? "none" : "one");
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

/* Sets the item the report's next entries are about; returns the one before. */
static rdy_check_at about(C *c, uint8_t kind, const char *item)
{
	rdy_check_at was = c->at;
	c->at.kind = kind;
	c->at.item = (char *)item;
	return was;
}

static void same_iface(C *c, int32_t wi, int32_t hi)
{
	bool walk = c->diff || c->want->p->deprecations || c->have->p->deprecations;
	if (!walk && hash_eq(rdy_hash_interface(c->want->h, wi), rdy_hash_interface(c->have->h, hi))) {
		c->r->matched++;
		return;
	}
	const rdy_wit_interface *w = &c->want->m->interfaces[wi], *h = &c->have->m->interfaces[hi];
	const rdy_wit_package *wp = pkg(c->want->m, w->package), *hp = pkg(c->have->m, h->package);
	for (uint32_t i = 0; i < w->ntypes; i++) {
		const rdy_wit_typedef *wt = &c->want->m->types[w->types[i].id];
		if (wt->kind == RDY_WIT_ALIAS && wt->a >= 0 && c->want->m->types[wt->a].owner_kind == RDY_WIT_OWNER_INTERFACE &&
		    c->want->m->types[wt->a].owner != wi)
			continue; /* `use`d from another interface: compared there */
		int32_t ht = -1;
		for (uint32_t k = 0; k < h->ntypes && ht < 0; k++)
			if (same_name(h->types[k].name, w->types[i].name))
				ht = h->types[k].id;
		rdy_check_at was = about(c, RDY_CHECK_TYPE, w->types[i].name);
		char what[256];
		snprintf(what, sizeof what, "type `%s`", w->types[i].name);
		if (ht < 0) {
			missing(c, &wt->stability, what, wp, hp);
		} else {
			stability(c, &wt->stability, &c->have->m->types[ht].stability, what);
			c->r->walked++;
			same_type(c, w->types[i].id, ht, -1);
		}
		c->at = was;
	}
	for (uint32_t i = 0; i < w->nfuncs; i++) {
		const rdy_wit_func *hf = find_func(h, w->funcs[i].name);
		rdy_check_at was = about(c, RDY_CHECK_FUNC, w->funcs[i].name);
		if (!hf) {
			char what[256];
			snprintf(what, sizeof what, "function `%s`", w->funcs[i].name);
			missing(c, &w->funcs[i].stability, what, wp, hp);
		} else {
			same_func(c, &w->funcs[i], hf);
		}
		c->at = was;
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

/*
 * The provider's version of package P, for a gate P declared where the
 * provider lacks the item: a package of the same name on the same semver
 * track, which the provider's other interfaces bring (a world included
 * from another package loses its items' gates, so an interface's own gate,
 * in its own package, may be all there is).  NULL when it has none.
 */
static const rdy_wit_package *same_package(const side *have, const rdy_wit_package *p)
{
	for (uint32_t i = 0; i < have->m->npackages; i++) {
		const rdy_wit_package *q = &have->m->packages[i];
		if (same_name(q->ns, p->ns) && same_name(q->name, p->name) && rdy_semver_compatible(q, p))
			return q;
	}
	return NULL;
}

/* An item's gate: the function's or type's own; an interface's on its world item, else on its declaration. */
static rdy_wit_stability item_stability(const side *s, const rdy_wit_item *it, const rdy_wit_package **gate)
{
	if (it->kind == RDY_WIT_ITEM_FUNC)
		return it->func.stability;
	if (it->kind == RDY_WIT_ITEM_TYPE)
		return s->m->types[it->id].stability;
	if (it->stability.kind != RDY_WIT_STAB_UNKNOWN || it->id < 0)
		return it->stability;
	*gate = pkg(s->m, s->m->interfaces[it->id].package);
	return s->m->interfaces[it->id].stability;
}

/* "ns:pkg/name", without a version: what an interface is about in a report. */
static void iface_key(C *c, const rdy_wit_item *w)
{
	if (w->name) {
		snprintf(c->at_iface, sizeof c->at_iface, "%s", w->name);
		return;
	}
	const rdy_wit_interface *in = &c->want->m->interfaces[w->key_iface];
	const rdy_wit_package *p = pkg(c->want->m, in->package);
	if (p->ns)
		snprintf(c->at_iface, sizeof c->at_iface, "%s:%s/%s", p->ns, p->name, in->name ? in->name : "?");
	else
		snprintf(c->at_iface, sizeof c->at_iface, "%s", in->name ? in->name : "?");
}

static void same_item(C *c, const rdy_wit_item *w, const rdy_wit_item *v, uint32_t n)
{
	char label[256];
	c->at_iface[0] = '\0';
	if (w->kind == RDY_WIT_ITEM_INTERFACE)
		iface_key(c, w);
	if (w->name)
		snprintf(label, sizeof label, "%s `%s`",
			 w->kind == RDY_WIT_ITEM_FUNC ? "function" : w->kind == RDY_WIT_ITEM_TYPE ? "type" : "interface", w->name);
	else if (c->diff)
		snprintf(label, sizeof label, "%s", c->at_iface); /* two versions: the interface, without either */
	else
		rdy_wit_interface_id(c->want->m, w->key_iface, label, sizeof label);
	about(c, w->kind == RDY_WIT_ITEM_FUNC ? RDY_CHECK_FUNC : w->kind == RDY_WIT_ITEM_TYPE ? RDY_CHECK_TYPE
											    : RDY_CHECK_IFACE,
	      w->kind == RDY_WIT_ITEM_FUNC ? w->func.name : w->kind == RDY_WIT_ITEM_TYPE ? w->name : NULL);
	const rdy_wit_item *h = find_item(c, w, v, n);
	const rdy_wit_package *gate = c->want->wpkg;
	rdy_wit_stability s = item_stability(c->want, w, &gate);
	if (!h) {
		missing(c, &s, label, gate, gate == c->want->wpkg ? c->have->wpkg : same_package(c->have, gate));
		return;
	}
	if (h->kind != w->kind) {
		error(c, "%s: %s %s %s, %s has another kind of item", label, c->want->who, verb(c, true),
		      w->kind == RDY_WIT_ITEM_INTERFACE ? "an interface" : w->kind == RDY_WIT_ITEM_FUNC ? "a function" : "a type",
		      c->have->who);
		return;
	}
	const rdy_wit_package *hgate = c->have->wpkg;
	rdy_wit_stability hs = item_stability(c->have, h, &hgate);
	if (w->kind == RDY_WIT_ITEM_FUNC) {
		same_func(c, &w->func, &h->func);
		return;
	}
	if (w->kind == RDY_WIT_ITEM_TYPE) {
		size_t old = push(c, "%s", label);
		stability(c, &s, &hs, label);
		c->r->walked++;
		same_type(c, w->id, h->id, -1);
		pop(c, old);
		return;
	}
	const rdy_wit_package *wp = pkg(c->want->m, c->want->m->interfaces[w->id].package);
	const rdy_wit_package *hp = pkg(c->have->m, c->have->m->interfaces[h->id].package);
	size_t old = push(c, "%s", c->diff ? label : rdy_wit_interface_id(c->want->m, w->id, label, sizeof label));
	if (!rdy_semver_compatible(wp, hp) && c->diff) {
		const rdy_wit_package *o = c->want->old ? wp : hp, *nw = c->want->old ? hp : wp;
		char t1[96], t2[96];
		if (nw->has_version && o->has_version)
			say(c, L_ERRORS, RDY_CHECK_VERSIONED, "at %s, was %s: semver track %s, was %s, so they do not match",
			    nw->version.text, o->version.text, rdy_semver_track(nw, t1, sizeof t1),
			    rdy_semver_track(o, t2, sizeof t2));
		else
			say(c, L_ERRORS, RDY_CHECK_VERSIONED, "at %s, was %s: a version matches only a version, so they do not match",
			    nw->has_version ? nw->version.text : "no version", o->has_version ? o->version.text : "no version");
		same_iface(c, w->id, h->id); /* what else changed, which rdy_diff_worlds classes with the version */
	} else if (!rdy_semver_compatible(wp, hp)) {
		say(c, L_ERRORS, RDY_CHECK_VERSIONED, "%s %s version %s, %s has %s, which is not semver-compatible",
		    c->want->who, verb(c, true), wp->has_version ? wp->version.text : "(none)", c->have->who,
		    hp->has_version ? hp->version.text : "(none)");
	} else {
		if (c->diff && c->host.old && wp->has_version && !same_version(&wp->version, &hp->version)) {
			const rdy_wit_package *o = c->want->old ? wp : hp, *nw = c->want->old ? hp : wp;
			char track[96];
			say(c, L_NOTES, RDY_CHECK_VERSIONED, "at %s, was %s: both on semver track %s", nw->version.text,
			    o->version.text, rdy_semver_track(nw, track, sizeof track));
		}
		stability(c, &s, &hs, "the interface");
		same_iface(c, w->id, h->id);
	}
	pop(c, old);
}

static void direction(C *c, side *want, side *have, bool import, const rdy_wit_item *w, uint32_t nw,
		      const rdy_wit_item *v, uint32_t nv)
{
	c->want = want;
	c->have = have;
	c->at.import = import;
	for (uint32_t i = 0; i < nw; i++)
		same_item(c, &w[i], v, nv);
	c->at_iface[0] = '\0';
}

/* Whether any item of M is @deprecated. */
static bool any_deprecated(const rdy_wit_model *m)
{
	for (uint32_t i = 0; i < m->ntypes; i++)
		if (m->types[i].stability.deprecated)
			return true;
	for (uint32_t i = 0; i < m->ninterfaces; i++) {
		const rdy_wit_interface *in = &m->interfaces[i];
		if (in->stability.deprecated)
			return true;
		for (uint32_t k = 0; k < in->nfuncs; k++)
			if (in->funcs[k].stability.deprecated)
				return true;
	}
	for (uint32_t i = 0; i < m->nworlds; i++) {
		const rdy_wit_world *w = &m->worlds[i];
		for (uint32_t k = 0; k < w->nimports + w->nexports; k++) {
			const rdy_wit_item *it = k < w->nimports ? &w->imports[k] : &w->exports[k - w->nimports];
			if (it->stability.deprecated || (it->kind == RDY_WIT_ITEM_FUNC && it->func.stability.deprecated))
				return true;
		}
	}
	return false;
}

rdy_check_model *rdy_check_model_new(const rdy_wit_model *m)
{
	rdy_check_model *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->m = m;
	p->deprecations = any_deprecated(m);
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

static side side_of(rdy_check_model *p, int w, const char *who, bool old)
{
	return (side){ p->m, p, p->h, who, pkg(p->m, p->m->worlds[w].package), old };
}

static int run(C *c, const rdy_wit_world *h, const rdy_wit_world *p)
{
	c->capfailed = 2 * MAX_ERRORS;
	c->failed = malloc(c->capfailed * sizeof *c->failed);
	c->oom = !c->failed;
	/*
	 * The plugin expects its imports from the host, the host expects the
	 * world's exports from the plugin.  Imports first: shared types live
	 * there, so a difference is reported where it is defined.
	 */
	direction(c, &c->plugin, &c->host, true, p->imports, p->nimports, h->imports, h->nimports);
	direction(c, &c->host, &c->plugin, false, h->exports, h->nexports, p->exports, p->nexports);
	free(c->failed);
	return c->oom ? -1 : c->r->nerrors ? 1 : 0;
}

int rdy_check_prepared(rdy_check_model *host, int hw, rdy_check_model *plugin, int pw, const char *module,
		       rdy_check_report *report)
{
	memset(report, 0, sizeof *report);
	C c = { 0 };
	c.module = module;
	c.r = report;
	c.host = side_of(host, hw, "host", false);
	c.plugin = side_of(plugin, pw, "plugin", false);
	return run(&c, &host->m->worlds[hw], &plugin->m->worlds[pw]);
}

int rdy_check_diff(rdy_check_model *old, int ow, rdy_check_model *new_, int nw, bool old_is_host,
		   rdy_check_report *report)
{
	memset(report, 0, sizeof *report);
	C c = { 0 };
	c.r = report;
	c.diff = true;
	side o = side_of(old, ow, "old", true), n = side_of(new_, nw, "new", false);
	c.host = old_is_host ? o : n;
	c.plugin = old_is_host ? n : o;
	return run(&c, &c.host.m->worlds[old_is_host ? ow : nw], &c.plugin.m->worlds[old_is_host ? nw : ow]);
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

/* N lines and what they are about; TEXT may be NULL when the caller took the lines. */
static void lines_free(char **text, rdy_check_at *at, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (text)
			free(text[i]);
		if (at) {
			free(at[i].iface);
			free(at[i].item);
		}
	}
	free(text);
	free(at);
}

void rdy_check_report_free(rdy_check_report *r)
{
	lines_free(r->errors, r->errors_at, r->nerrors);
	lines_free(r->absent, r->absent_at, r->nabsent);
	lines_free(r->deprecated, r->deprecated_at, r->ndeprecated);
	lines_free(r->notes, r->notes_at, r->nnotes);
	memset(r, 0, sizeof *r);
}
