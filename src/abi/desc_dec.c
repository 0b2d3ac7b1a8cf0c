/*
 * Descriptor decoder, docs/abi.md §5.  It trusts no byte: every read is
 * bounds-checked against its section, every count is capped by the bytes
 * left before anything is allocated, every reference must point backwards
 * or into a table already read (so there are no cycles), and every size sum
 * is done by the layout engine in 64 bits.  Failures raise to one landing
 * pad that frees everything.
 */
#include "abi/abi.h"
#include "abi/desc.h"
#include "abi/desc_int.h"
#include "wit/arena.h"
#include "wit/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rdy_desc {
	rdy__arena arena;
	rdy__strtab names;
	rdy_wit_model m;
	int side;
	uint8_t minor;
	const char *producer;
	const char **features;
	uint32_t nfeatures;
};

typedef struct cur {                   /* a reader over [p, end) */
	const uint8_t *p, *end;
} cur;

typedef struct D {
	rdy_desc *d;
	jmp_buf jb;
	const uint8_t *base;               /* start of the descriptor, for offsets in messages */
	char *err;
	size_t errlen;
	const char **strs;
	uint32_t nstrs;
	int32_t *type_owner_iface;         /* per type: interface index it claims, -1 none */
} D;

/* AT is where the offending value starts, or NULL for a fault of the whole. */
static _Noreturn void fail(D *x, const uint8_t *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (at)
		snprintf(x->err, x->errlen, "invalid descriptor at byte %zu: %s", (size_t)(at - x->base), msg);
	else
		snprintf(x->err, x->errlen, "invalid descriptor: %s", msg);
	longjmp(x->jb, 1);
}

static void on_oom(void *ud)
{
	D *x = ud;
	snprintf(x->err, x->errlen, "out of memory");
	longjmp(x->jb, 1);
}

#define A(x) (&(x)->d->arena)

static inline uint8_t u8(D *x, cur *c)
{
	if (c->p >= c->end)
		fail(x, c->p, "unexpected end of section");
	return *c->p++;
}

static uint32_t uleb_long(D *x, cur *c)
{
	const uint8_t *at = c->p;
	uint32_t v = 0;
	for (int shift = 0;; shift += 7) {
		uint8_t b = u8(x, c);
		if (shift == 28 && (b & 0xf0))
			fail(x, at, "integer does not fit 32 bits");
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
}

/* Unsigned LEB128 of at most 32 bits (§5.2); almost every value takes one or two bytes. */
static inline uint32_t uleb(D *x, cur *c)
{
	if (c->end - c->p >= 2) {
		uint8_t b0 = c->p[0], b1 = c->p[1];
		if (b0 < 0x80) {
			c->p += 1;
			return b0;
		}
		if (b1 < 0x80) {
			c->p += 2;
			return (uint32_t)(b0 & 0x7f) | (uint32_t)b1 << 7;
		}
	}
	return uleb_long(x, c);
}

/* A count of items of at least MIN bytes each: capped by what is left. */
static uint32_t count(D *x, cur *c, uint32_t min)
{
	const uint8_t *at = c->p;
	uint32_t n = uleb(x, c);
	if ((uint64_t)n * min > (uint64_t)(c->end - c->p))
		fail(x, at, "count %u exceeds the bytes left in the section", n);
	return n;
}

static const char *str(D *x, cur *c)
{
	const uint8_t *at = c->p;
	uint32_t i = uleb(x, c);
	if (i >= x->nstrs)
		fail(x, at, "string %u out of range (%u strings)", i, x->nstrs);
	return x->strs[i];
}

static const char *ostr(D *x, cur *c)
{
	const uint8_t *at = c->p;
	uint32_t i = uleb(x, c);
	if (i > x->nstrs)
		fail(x, at, "string %u out of range (%u strings)", i - 1, x->nstrs);
	return i ? x->strs[i - 1] : NULL;
}

/* A type reference, which may only name primitives and types before LIMIT. */
static rdy_wit_type tref(D *x, cur *c, uint32_t limit, bool optional)
{
	const uint8_t *at = c->p;
	uint32_t v = uleb(x, c);
	if (v == 0 && optional)
		return RDY_WIT_NONE;
	if (v == 0)
		fail(x, at, "missing type reference");
	/* error-context is on the wire only so that the numbering is the model's (§2.9) */
	if (v == (uint32_t)-RDY_WIT_ERROR_CONTEXT)
		fail(x, at, "error-context, which ABI v1 does not carry");
	if (v < RDY_TREF_FIRST)
		return -(rdy_wit_type)v;
	if (v - RDY_TREF_FIRST >= limit)
		fail(x, at, "type reference %u does not point to an earlier type", v - RDY_TREF_FIRST);
	return (rdy_wit_type)(v - RDY_TREF_FIRST);
}

/* Semver text (§5.3), leniently split into its parts; the text is what compares. */
static const rdy_wit_version *version(D *x, const uint8_t *at, const char *s)
{
	rdy_wit_version *v = rdy__alloc(A(x), sizeof *v);
	const char *p = s;
	uint64_t *parts[3] = { &v->major, &v->minor, &v->patch };
	for (int i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			fail(x, at, "bad version `%s`", s);
		for (; *p >= '0' && *p <= '9'; p++) {
			if (*parts[i] > (UINT64_MAX - 9) / 10)
				fail(x, at, "bad version `%s`", s);
			*parts[i] = *parts[i] * 10 + (uint64_t)(*p - '0');
		}
		if (i < 2 && *p++ != '.')
			fail(x, at, "bad version `%s`", s);
	}
	const char *plus = strchr(p, '+');
	if (*p == '-')
		v->pre = rdy__intern(&x->d->names, p + 1, plus ? (size_t)(plus - p - 1) : strlen(p + 1));
	if (plus)
		v->build = plus + 1;
	else if (*p && *p != '-')
		fail(x, at, "bad version `%s`", s);
	v->text = s;
	return v;
}

static rdy_wit_stability stability(D *x, cur *c)
{
	rdy_wit_stability s = { 0 };
	const uint8_t *at = c->p;
	s.kind = u8(x, c);
	if (s.kind > RDY_WIT_STAB_UNSTABLE)
		fail(x, at, "bad stability kind %u", s.kind);
	at = c->p;
	if (s.kind == RDY_WIT_STAB_STABLE)
		s.since = version(x, at, str(x, c));
	else if (s.kind == RDY_WIT_STAB_UNSTABLE)
		s.feature = str(x, c);
	if (s.kind != RDY_WIT_STAB_UNKNOWN) {
		at = c->p;
		const char *dep = ostr(x, c);
		s.deprecated = dep ? version(x, at, dep) : NULL;
	}
	return s;
}

/* ---- sections ---------------------------------------------------------------------- */

static void strings(D *x, cur *c)
{
	x->nstrs = count(x, c, 1);
	x->strs = rdy__allocn(A(x), x->nstrs + 1, sizeof *x->strs);
	for (uint32_t i = 0; i < x->nstrs; i++) {
		const uint8_t *at = c->p;
		uint32_t n = uleb(x, c);
		if (n > (uint32_t)(c->end - c->p))
			fail(x, at, "string of %u bytes runs past the section", n);
		if (memchr(c->p, '\0', n) || rdy__utf8_valid((const char *)c->p, n) != n)
			fail(x, at, "string %u is not valid UTF-8 text", i);
		x->strs[i] = rdy__intern(&x->d->names, (const char *)c->p, n);
		c->p += n;
	}
}

static void producer(D *x, cur *c)
{
	x->d->producer = ostr(x, c);
}

static void features(D *x, cur *c)
{
	x->d->nfeatures = count(x, c, 1);
	x->d->features = rdy__allocn(A(x), x->d->nfeatures + 1, sizeof *x->d->features);
	for (uint32_t i = 0; i < x->d->nfeatures; i++)
		x->d->features[i] = str(x, c);
}

static void packages(D *x, cur *c)
{
	rdy_wit_model *m = &x->d->m;
	m->npackages = m->cappackages = count(x, c, 3);
	m->packages = rdy__allocn(A(x), m->npackages + 1, sizeof *m->packages);
	for (uint32_t i = 0; i < m->npackages; i++) {
		rdy_wit_package *p = &m->packages[i];
		const uint8_t *at = c->p;
		p->ns = str(x, c);
		p->name = str(x, c);
		const uint8_t *vat = c->p;
		const char *v = ostr(x, c);
		if (v) {
			p->has_version = true;
			p->version = *version(x, vat, v);
		}
		p->id = v ? rdy__sprintf(A(x), "%s:%s@%s", p->ns, p->name, v) : rdy__sprintf(A(x), "%s:%s", p->ns, p->name);
		for (uint32_t k = 0; k < i; k++)
			if (!strcmp(m->packages[k].id, p->id))
				fail(x, at, "package %s listed twice", p->id);
	}
}

static const uint8_t model_kind[RDY_K_COUNT] = {
	[RDY_K_ALIAS] = RDY_WIT_ALIAS, [RDY_K_RECORD] = RDY_WIT_RECORD, [RDY_K_RESOURCE] = RDY_WIT_RESOURCE,
	[RDY_K_OWN] = RDY_WIT_HANDLE, [RDY_K_BORROW] = RDY_WIT_HANDLE, [RDY_K_FLAGS] = RDY_WIT_FLAGS,
	[RDY_K_TUPLE] = RDY_WIT_TUPLE, [RDY_K_VARIANT] = RDY_WIT_VARIANT, [RDY_K_ENUM] = RDY_WIT_ENUM,
	[RDY_K_OPTION] = RDY_WIT_OPTION, [RDY_K_RESULT] = RDY_WIT_RESULT, [RDY_K_LIST] = RDY_WIT_LIST,
	[RDY_K_FIXED_LIST] = RDY_WIT_FIXED_LIST, [RDY_K_MAP] = RDY_WIT_MAP,
};

static bool is_resource(const rdy_wit_model *m, rdy_wit_type t)
{
	while (t >= 0 && m->types[t].kind == RDY_WIT_ALIAS)
		t = m->types[t].a; /* aliases point backwards: this ends */
	return t >= 0 && m->types[t].kind == RDY_WIT_RESOURCE;
}

static void cases(D *x, cur *c, rdy_wit_typedef *t, uint32_t self, bool named, bool typed)
{
	const uint8_t *at = c->p;
	t->ncases = count(x, c, 1);
	t->cases = rdy__allocn(A(x), t->ncases + 1, sizeof *t->cases);
	for (uint32_t i = 0; i < t->ncases; i++) {
		t->cases[i].name = named ? str(x, c) : NULL;
		t->cases[i].type = typed ? tref(x, c, self, t->kind == RDY_WIT_VARIANT) : RDY_WIT_NONE;
	}
	if ((t->kind == RDY_WIT_VARIANT || t->kind == RDY_WIT_ENUM) && !t->ncases)
		fail(x, at, "%s with no cases", t->kind == RDY_WIT_ENUM ? "enum" : "variant");
}

static void type(D *x, cur *c, uint32_t self)
{
	rdy_wit_model *m = &x->d->m;
	rdy_wit_typedef *t = &m->types[self];
	const uint8_t *at = c->p;
	uint8_t k = u8(x, c);
	if (k >= RDY_K_COUNT)
		fail(x, at, "unknown type kind %u", k);
	t->kind = model_kind[k];
	t->borrow = k == RDY_K_BORROW;
	t->a = t->b = RDY_WIT_NONE;
	t->name = ostr(x, c);
	uint32_t owner = uleb(x, c);
	x->type_owner_iface[self] = owner % 2 ? (int32_t)(owner / 2) : -1;
	t->owner_kind = owner == 0 ? RDY_WIT_OWNER_NONE : owner % 2 ? RDY_WIT_OWNER_INTERFACE : RDY_WIT_OWNER_WORLD;
	t->owner = owner == 0 ? -1 : owner % 2 ? (int32_t)(owner / 2) : (int32_t)(owner / 2 - 1);
	t->stability = stability(x, c);
	switch (t->kind) {
	case RDY_WIT_RECORD: case RDY_WIT_VARIANT:
		cases(x, c, t, self, true, true);
		break;
	case RDY_WIT_ENUM: case RDY_WIT_FLAGS:
		cases(x, c, t, self, true, false);
		break;
	case RDY_WIT_TUPLE:
		cases(x, c, t, self, false, true);
		break;
	case RDY_WIT_RESOURCE:
		break;
	case RDY_WIT_RESULT:
		t->a = tref(x, c, self, true);
		t->b = tref(x, c, self, true);
		break;
	case RDY_WIT_MAP:
		t->a = tref(x, c, self, false);
		t->b = tref(x, c, self, false);
		break;
	case RDY_WIT_FIXED_LIST:
		t->a = tref(x, c, self, false);
		t->size = uleb(x, c);
		break;
	default:
		t->a = tref(x, c, self, false);
	}
	if (t->kind == RDY_WIT_HANDLE && !is_resource(m, t->a))
		fail(x, at, "type %u: handle to a type that is not a resource", self);
	if ((t->kind == RDY_WIT_RECORD || t->kind == RDY_WIT_VARIANT || t->kind == RDY_WIT_ENUM ||
	     t->kind == RDY_WIT_FLAGS || t->kind == RDY_WIT_RESOURCE) && !t->name)
		fail(x, at, "type %u: a record, variant, enum, flags or resource needs a name", self);
}

static void types(D *x, cur *c)
{
	rdy_wit_model *m = &x->d->m;
	m->ntypes = m->captypes = count(x, c, 4);
	m->types = rdy__allocn(A(x), m->ntypes + 1, sizeof *m->types);
	x->type_owner_iface = rdy__allocn(A(x), m->ntypes + 1, sizeof *x->type_owner_iface);
	for (uint32_t i = 0; i < m->ntypes; i++)
		type(x, c, i);
}

static uint32_t index_in(D *x, cur *c, uint32_t n, const char *what)
{
	const uint8_t *at = c->p;
	uint32_t i = uleb(x, c);
	if (i >= n)
		fail(x, at, "%s %u out of range (%u)", what, i, n);
	return i;
}

static void func(D *x, cur *c, rdy_wit_func *f)
{
	const rdy_wit_model *m = &x->d->m;
	f->name = str(x, c);
	const uint8_t *at = c->p;
	uint8_t k = u8(x, c);
	if (k > RDY_WIT_CONSTRUCTOR)
		fail(x, at, "function `%s`: unknown kind %u", f->name, k);
	if (k == RDY_WIT_ASYNC_FREESTANDING || k == RDY_WIT_ASYNC_METHOD || k == RDY_WIT_ASYNC_STATIC)
		fail(x, at, "function `%s` is async, which ABI v1 does not carry", f->name);
	f->kind = k;
	f->resource = -1;
	if (k != RDY_WIT_FREESTANDING) {
		at = c->p;
		f->resource = tref(x, c, m->ntypes, false);
		if (!is_resource(m, f->resource))
			fail(x, at, "function `%s`: not a resource", f->name);
	}
	f->nparams = count(x, c, 2);
	f->params = rdy__allocn(A(x), f->nparams + 1, sizeof *f->params);
	for (uint32_t i = 0; i < f->nparams; i++) {
		f->params[i].name = str(x, c);
		f->params[i].type = tref(x, c, m->ntypes, false);
	}
	f->result = tref(x, c, m->ntypes, true);
	f->stability = stability(x, c);
}

/* Keys: a name (interned, so compared by address) or an interface index. */
typedef struct key {
	const char *name;
	int32_t iface;
} key;

static int key_cmp(const void *a, const void *b)
{
	const key *x = a, *y = b;
	if (x->name != y->name)
		return (uintptr_t)x->name < (uintptr_t)y->name ? -1 : 1;
	return x->iface < y->iface ? -1 : x->iface > y->iface;
}

/* Refuses two entries with the same key, which WIT cannot express: lookups by name would be ambiguous. */
static void unique(D *x, const uint8_t *at, key *keys, uint32_t n, const char *what)
{
	qsort(keys, n, sizeof *keys, key_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (!key_cmp(&keys[i - 1], &keys[i]))
			fail(x, at, "two %s named `%s`", what, keys[i].name ? keys[i].name : "(an interface)");
}

static void interfaces(D *x, cur *c)
{
	rdy_wit_model *m = &x->d->m;
	m->ninterfaces = m->capinterfaces = count(x, c, 4);
	m->interfaces = rdy__allocn(A(x), m->ninterfaces + 1, sizeof *m->interfaces);
	for (uint32_t i = 0; i < m->ninterfaces; i++) {
		rdy_wit_interface *in = &m->interfaces[i];
		const uint8_t *at = c->p;
		uint32_t p = uleb(x, c);
		if (p > m->npackages)
			fail(x, at, "package %u out of range", p - 1);
		in->package = (int32_t)p - 1;
		in->name = ostr(x, c);
		in->stability = stability(x, c);
		in->ntypes = in->captypes = count(x, c, 2);
		in->types = rdy__allocn(A(x), in->ntypes + 1, sizeof *in->types);
		for (uint32_t k = 0; k < in->ntypes; k++) {
			at = c->p;
			in->types[k].name = str(x, c);
			in->types[k].id = (int32_t)index_in(x, c, m->ntypes, "type");
			const rdy_wit_typedef *t = &m->types[in->types[k].id];
			if (t->name != in->types[k].name || x->type_owner_iface[in->types[k].id] != (int32_t)i)
				fail(x, at, "interface lists type `%s`, which does not belong to it", in->types[k].name);
		}
		in->nfuncs = in->capfuncs = count(x, c, 5);
		in->funcs = rdy__allocn(A(x), in->nfuncs + 1, sizeof *in->funcs);
		for (uint32_t k = 0; k < in->nfuncs; k++)
			func(x, c, &in->funcs[k]);
		key *keys = rdy__allocn(A(x), in->ntypes + in->nfuncs + 1, sizeof *keys);
		for (uint32_t k = 0; k < in->ntypes; k++)
			keys[k] = (key){ in->types[k].name, -1 };
		unique(x, c->p, keys, in->ntypes, "types");
		for (uint32_t k = 0; k < in->nfuncs; k++)
			keys[k] = (key){ in->funcs[k].name, -1 };
		unique(x, c->p, keys, in->nfuncs, "functions");
	}
	key *keys = rdy__allocn(A(x), m->ninterfaces + 1, sizeof *keys);
	uint32_t named = 0;
	for (uint32_t i = 0; i < m->ninterfaces; i++)
		if (m->interfaces[i].name)
			keys[named++] = (key){ m->interfaces[i].name, m->interfaces[i].package };
	unique(x, c->p, keys, named, "interfaces of one package");
	for (uint32_t t = 0; t < m->ntypes; t++)
		if (x->type_owner_iface[t] >= (int32_t)m->ninterfaces)
			fail(x, NULL, "type %u belongs to interface %d, which does not exist", t, x->type_owner_iface[t]);
}

static void items(D *x, cur *c, rdy_wit_item **v, uint32_t *n)
{
	const rdy_wit_model *m = &x->d->m;
	*n = count(x, c, 3);
	*v = rdy__allocn(A(x), *n + 1, sizeof **v);
	/*
	 * An interface is one item of a side at most, as WIT makes it: otherwise N
	 * items naming one interface of F functions would make tables of N * F
	 * entries out of N + F bytes.
	 */
	uint8_t *seen = rdy__allocn(A(x), m->ninterfaces + 1, 1);
	for (uint32_t i = 0; i < *n; i++) {
		rdy_wit_item *it = &(*v)[i];
		const uint8_t *at = c->p;
		it->kind = u8(x, c);
		if (it->kind > RDY_WIT_ITEM_TYPE)
			fail(x, at, "unknown item kind %u", it->kind);
		it->name = ostr(x, c);
		it->key_iface = it->name ? -1 : (int32_t)index_in(x, c, m->ninterfaces, "interface");
		if (it->kind == RDY_WIT_ITEM_INTERFACE) {
			it->id = (int32_t)index_in(x, c, m->ninterfaces, "interface");
			if (seen[it->id]++)
				fail(x, at, "interface %d is the item of two keys", it->id);
			it->stability = stability(x, c);
		} else if (it->kind == RDY_WIT_ITEM_FUNC) {
			func(x, c, &it->func);
		} else {
			it->id = (int32_t)index_in(x, c, m->ntypes, "type");
		}
		if (!it->name && it->kind != RDY_WIT_ITEM_INTERFACE)
			fail(x, at, "a function or type keyed by an interface");
		if (!it->name && !m->interfaces[it->key_iface].name)
			fail(x, at, "an item keyed by an inline interface, which has no name to match by");
	}
	key *keys = rdy__allocn(A(x), *n + 1, sizeof *keys);
	for (uint32_t i = 0; i < *n; i++)
		keys[i] = (key){ (*v)[i].name, (*v)[i].key_iface };
	unique(x, c->p, keys, *n, "world items");
}

static void worlds(D *x, cur *c)
{
	rdy_wit_model *m = &x->d->m;
	const uint8_t *at = c->p;
	m->nworlds = m->capworlds = count(x, c, 5);
	if (m->nworlds != 1)
		fail(x, at, "a descriptor describes one world, not %u", m->nworlds);
	m->worlds = rdy__allocn(A(x), 2, sizeof *m->worlds);
	rdy_wit_world *w = &m->worlds[0];
	at = c->p;
	uint32_t p = uleb(x, c);
	if (p > m->npackages)
		fail(x, at, "package %u out of range", p - 1);
	w->package = (int32_t)p - 1;
	w->name = str(x, c);
	w->stability = stability(x, c);
	items(x, c, &w->imports, &w->nimports);
	items(x, c, &w->exports, &w->nexports);
	w->capimports = w->nimports;
	w->capexports = w->nexports;
}

typedef void (*section_fn)(D *, cur *);

static const section_fn readers[] = {
	[RDY_SEC_STRINGS] = strings, [RDY_SEC_PRODUCER] = producer, [RDY_SEC_FEATURES] = features,
	[RDY_SEC_PACKAGES] = packages, [RDY_SEC_TYPES] = types, [RDY_SEC_INTERFACES] = interfaces,
	[RDY_SEC_WORLDS] = worlds,
};

/* Sections come in increasing id order; unknown ids are skipped (§5.1). */
static void sections(D *x, cur *c)
{
	uint8_t last = 0;
	uint32_t seen = 0;
	while (c->p < c->end) {
		const uint8_t *at = c->p;
		uint8_t id = u8(x, c);
		if (id <= last)
			fail(x, at, "section %u out of order", id);
		last = id;
		uint32_t n = uleb(x, c);
		if (n > (uint32_t)(c->end - c->p))
			fail(x, at, "section %u of %u bytes runs past the end", id, n);
		cur s = { c->p, c->p + n };
		c->p += n;
		if (id >= sizeof readers / sizeof readers[0])
			continue;
		readers[id](x, &s);
		if (s.p != s.end)
			fail(x, s.p, "section %u has %zu bytes left over", id, (size_t)(s.end - s.p));
		seen |= 1u << id;
	}
	for (uint8_t id = RDY_SEC_STRINGS; id <= RDY_SEC_WORLDS; id++)
		if (!(seen & (1u << id)))
			fail(x, NULL, "section %u is missing", id);
}

/* Values the checker will rely on: layouts exist and fit, world references are sound. */
static void validate(D *x)
{
	rdy_wit_model *m = &x->d->m;
	for (uint32_t t = 0; t < m->ntypes; t++)
		if (m->types[t].owner_kind == RDY_WIT_OWNER_WORLD && m->types[t].owner != 0)
			fail(x, NULL, "type %u belongs to world %d, which does not exist", t, m->types[t].owner);
	rdy_abi_layouts *l = rdy_abi_layouts_new(m);
	if (!l)
		on_oom(x);
	for (uint32_t t = 0; t < m->ntypes; t++) {
		const char *why = rdy_abi_why_not(l, (rdy_wit_type)t);
		if (why) {
			rdy_abi_layouts_free(l);
			fail(x, NULL, "type %u: %s", t, why);
		}
	}
	rdy_abi_layouts_free(l);
}

rdy_desc *rdy_desc_decode(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	D x = { 0 }; /* its address escapes, so it survives the longjmp intact */
	x.err = err;
	x.errlen = errlen;
	if (!(x.d = calloc(1, sizeof *x.d))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rdy__arena_init(&x.d->arena, on_oom, &x);
	rdy__strtab_init(&x.d->names, &x.d->arena);
	if (setjmp(x.jb)) {
		rdy__arena_free(&x.d->arena);
		free(x.d);
		return NULL;
	}
	x.base = buf;
	cur c = { buf, buf + len };
	if (len == 0)
		fail(&x, NULL, "empty input");
	if (len < 4 || memcmp(buf, RDY_DESC_MAGIC, 4))
		fail(&x, NULL, "not an rdylib descriptor (bad magic)");
	if (len < RDY_DESC_HEADER)
		fail(&x, NULL, "%zu bytes is shorter than the %d-byte header", len, RDY_DESC_HEADER);
	if (buf[4] != RDY_DESC_MAJOR)
		fail(&x, NULL, "ABI version %u.%u is not supported (this is version %u)", buf[4], buf[5], RDY_DESC_MAJOR);
	if (buf[6] != RDY_SIDE_HOST && buf[6] != RDY_SIDE_PLUGIN)
		fail(&x, NULL, "side %u is neither host (1) nor plugin (2)", buf[6]);
	if (buf[7] != 0)
		fail(&x, NULL, "reserved flags %#x are set", buf[7]);
	uint32_t size = (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
	if (size != len)
		fail(&x, NULL, "descriptor says %u bytes but %zu are given", size, len);
	x.d->side = buf[6];
	x.d->minor = buf[5];
	c.p += RDY_DESC_HEADER;
	sections(&x, &c);
	validate(&x);
	return x.d;
}

void rdy_desc_free(rdy_desc *d)
{
	if (!d)
		return;
	rdy__arena_free(&d->arena);
	free(d);
}

const rdy_wit_model *rdy_desc_model(const rdy_desc *d)
{
	return &d->m;
}

int rdy_desc_world(const rdy_desc *d)
{
	(void)d;
	return 0;
}

int rdy_desc_side(const rdy_desc *d)
{
	return d->side;
}

const char *rdy_desc_producer(const rdy_desc *d)
{
	return d->producer ? d->producer : "";
}

uint32_t rdy_desc_nfeatures(const rdy_desc *d)
{
	return d->nfeatures;
}

const char *rdy_desc_feature(const rdy_desc *d, uint32_t i)
{
	return i < d->nfeatures ? d->features[i] : NULL;
}

uint8_t rdy_desc_version_minor(const rdy_desc *d)
{
	return d->minor;
}
