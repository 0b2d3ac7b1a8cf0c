/*
 * Descriptor encoder, docs/abi.md §5.  Deterministic: the same world gives
 * the same bytes.  Only what the world reaches is written, types before
 * whatever refers to them, interfaces and packages in model order, strings
 * in order of first use.
 */
#include "abi/abi.h"
#include "abi/desc.h"
#include "abi/desc_int.h"
#include "wit/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct buf {
	uint8_t *v;
	uint32_t n, cap;
} buf;

typedef struct E {
	const rdy_wit_model *m;
	int32_t world;
	rdy__arena arena;
	jmp_buf jb;
	char *err;
	size_t errlen;
	int32_t *tmap, *imap, *pmap;       /* model index -> descriptor index; -1 not written */
	int32_t *torder, *iorder, *porder; /* descriptor index -> model index */
	uint32_t nt, ni, np;
	uint8_t *tneed, *ineed;            /* reached from the world */
	const char **strs;                 /* the string table, in order of first use */
	uint32_t nstrs, capstrs;
	uint32_t *slots;                   /* open addressing over strs: index + 1 */
	uint32_t capslots;
} E;

static _Noreturn void fail(E *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
	longjmp(e->jb, 1);
}

static void on_oom(void *ud)
{
	fail(ud, "out of memory");
}

static void put(E *e, buf *b, const void *p, uint32_t n)
{
	if (b->n + n > b->cap) {
		uint32_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *v = rdy__alloc(&e->arena, cap);
		if (b->n)
			memcpy(v, b->v, b->n);
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, p, n);
	b->n += n;
}

static void u8(E *e, buf *b, uint8_t v)
{
	put(e, b, &v, 1);
}

/* Unsigned LEB128 (§5.2). */
static void uleb(E *e, buf *b, uint32_t v)
{
	uint8_t t[5];
	uint32_t n = 0;
	do {
		t[n] = v & 0x7f;
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	put(e, b, t, n);
}

static uint32_t str_index(E *e, const char *s)
{
	if ((e->nstrs + 1) * 2 > e->capslots) {
		uint32_t cap = e->capslots ? e->capslots * 2 : 256;
		uint32_t *slots = rdy__allocn(&e->arena, cap, sizeof *slots);
		for (uint32_t i = 0; i < e->nstrs; i++) {
			uint32_t h = (uint32_t)XXH3_64bits(e->strs[i], strlen(e->strs[i])) & (cap - 1);
			while (slots[h])
				h = (h + 1) & (cap - 1);
			slots[h] = i + 1;
		}
		e->slots = slots;
		e->capslots = cap;
	}
	uint32_t h = (uint32_t)XXH3_64bits(s, strlen(s)) & (e->capslots - 1);
	for (; e->slots[h]; h = (h + 1) & (e->capslots - 1))
		if (!strcmp(e->strs[e->slots[h] - 1], s))
			return e->slots[h] - 1;
	*RDY_PUSH(&e->arena, e->strs, e->nstrs, e->capstrs) = s;
	e->slots[h] = e->nstrs;
	return e->nstrs - 1;
}

static void str(E *e, buf *b, const char *s)
{
	uleb(e, b, str_index(e, s));
}

/* An optional string: 0 absent, i + 1 string i. */
static void ostr(E *e, buf *b, const char *s)
{
	uleb(e, b, s ? str_index(e, s) + 1 : 0);
}

static void tref(E *e, buf *b, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		uleb(e, b, 0);
	else if (t < 0)
		uleb(e, b, (uint32_t)-t);
	else
		uleb(e, b, RDY_TREF_FIRST + (uint32_t)e->tmap[t]);
}

static void stability(E *e, buf *b, const rdy_wit_stability *s)
{
	u8(e, b, s->kind);
	if (s->kind == RDY_WIT_STAB_STABLE)
		str(e, b, s->since->text);
	else if (s->kind == RDY_WIT_STAB_UNSTABLE)
		str(e, b, s->feature);
	if (s->kind != RDY_WIT_STAB_UNKNOWN)
		ostr(e, b, s->deprecated ? s->deprecated->text : NULL);
}

/* ---- what the world reaches ------------------------------------------------ */

static void need_iface(E *e, int32_t i);

static void need_type(E *e, rdy_wit_type t)
{
	if (t < 0 || e->tneed[t])
		return;
	const rdy_wit_typedef *d = &e->m->types[t];
	e->tneed[t] = 1;
	need_type(e, d->a);
	need_type(e, d->b);
	for (uint32_t i = 0; i < d->ncases; i++)
		need_type(e, d->cases[i].type);
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		need_iface(e, d->owner);
}

static void need_func(E *e, const rdy_wit_func *f)
{
	need_type(e, f->resource);
	for (uint32_t i = 0; i < f->nparams; i++)
		need_type(e, f->params[i].type);
	need_type(e, f->result);
}

static void need_iface(E *e, int32_t i)
{
	if (e->ineed[i])
		return;
	e->ineed[i] = 1;
	const rdy_wit_interface *in = &e->m->interfaces[i];
	for (uint32_t k = 0; k < in->ntypes; k++)
		need_type(e, in->types[k].id);
	for (uint32_t k = 0; k < in->nfuncs; k++)
		need_func(e, &in->funcs[k]);
}

static void need_items(E *e, const rdy_wit_item *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!v[i].name)
			need_iface(e, v[i].key_iface);
		if (v[i].kind == RDY_WIT_ITEM_INTERFACE)
			need_iface(e, v[i].id);
		else if (v[i].kind == RDY_WIT_ITEM_FUNC)
			need_func(e, &v[i].func);
		else
			need_type(e, v[i].id);
	}
}

/* Numbers the reached types so that each comes after what it refers to. */
static void order_type(E *e, rdy_wit_type t)
{
	if (t < 0 || !e->tneed[t] || e->tmap[t] >= 0)
		return;
	const rdy_wit_typedef *d = &e->m->types[t];
	e->tmap[t] = -2; /* in progress; the model is acyclic */
	order_type(e, d->a);
	order_type(e, d->b);
	for (uint32_t i = 0; i < d->ncases; i++)
		order_type(e, d->cases[i].type);
	e->tmap[t] = (int32_t)e->nt;
	e->torder[e->nt++] = t;
}

static void number(E *e)
{
	const rdy_wit_model *m = e->m;
	for (uint32_t t = 0; t < m->ntypes; t++)
		order_type(e, (rdy_wit_type)t);
	for (uint32_t i = 0; i < m->ninterfaces; i++)
		if (e->ineed[i]) {
			e->imap[i] = (int32_t)e->ni;
			e->iorder[e->ni++] = (int32_t)i;
		}
	bool *pneed = rdy__allocn(&e->arena, m->npackages + 1, sizeof *pneed);
	for (uint32_t i = 0; i < e->ni; i++)
		if (m->interfaces[e->iorder[i]].package >= 0)
			pneed[m->interfaces[e->iorder[i]].package] = true;
	if (m->worlds[e->world].package >= 0)
		pneed[m->worlds[e->world].package] = true;
	for (uint32_t p = 0; p < m->npackages; p++)
		if (pneed[p]) {
			e->pmap[p] = (int32_t)e->np;
			e->porder[e->np++] = (int32_t)p;
		}
}

/* ---- ABI v1 admits it? ----------------------------------------------------------- */

/* Where an item sits, for a message: interface I, or the world when I < 0. */
static const char *where(E *e, int32_t i)
{
	if (i < 0)
		return rdy__sprintf(&e->arena, "world `%s`", e->m->worlds[e->world].name);
	char id[512];
	rdy_wit_interface_id(e->m, i, id, sizeof id);
	return rdy__strndup(&e->arena, id, strlen(id));
}

static void check_func(E *e, const rdy_abi_layouts *l, int32_t iface, const rdy_wit_func *f)
{
	if (f->kind == RDY_WIT_ASYNC_FREESTANDING || f->kind == RDY_WIT_ASYNC_METHOD || f->kind == RDY_WIT_ASYNC_STATIC)
		fail(e, "%s: function `%s` is async, which ABI v1 does not carry", where(e, iface), f->name);
	for (uint32_t i = 0; i < f->nparams; i++)
		if (rdy_abi_why_not(l, f->params[i].type))
			fail(e, "%s: function `%s`: parameter `%s`: %s", where(e, iface), f->name, f->params[i].name,
			     rdy_abi_why_not(l, f->params[i].type));
	if (rdy_abi_why_not(l, f->result))
		fail(e, "%s: function `%s`: result: %s", where(e, iface), f->name, rdy_abi_why_not(l, f->result));
}

static void check_v1(E *e, const rdy_abi_layouts *l)
{
	const rdy_wit_model *m = e->m;
	const rdy_wit_world *wd = &m->worlds[e->world];
	for (uint32_t i = 0; i < e->ni; i++) {
		const rdy_wit_interface *in = &m->interfaces[e->iorder[i]];
		for (uint32_t k = 0; k < in->nfuncs; k++)
			check_func(e, l, e->iorder[i], &in->funcs[k]);
		for (uint32_t k = 0; k < in->ntypes; k++)
			if (rdy_abi_why_not(l, in->types[k].id))
				fail(e, "%s: type `%s`: %s", where(e, e->iorder[i]), in->types[k].name,
				     rdy_abi_why_not(l, in->types[k].id));
	}
	for (uint32_t i = 0; i < wd->nimports + wd->nexports; i++) {
		const rdy_wit_item *it = i < wd->nimports ? &wd->imports[i] : &wd->exports[i - wd->nimports];
		if (it->kind == RDY_WIT_ITEM_FUNC)
			check_func(e, l, -1, &it->func);
		else if (it->kind == RDY_WIT_ITEM_TYPE && rdy_abi_why_not(l, it->id))
			fail(e, "%s: type `%s`: %s", where(e, -1), it->name, rdy_abi_why_not(l, it->id));
	}
	for (uint32_t i = 0; i < e->nt; i++)
		if (rdy_abi_why_not(l, e->torder[i]))
			fail(e, "%s: a type it uses: %s", where(e, -1), rdy_abi_why_not(l, e->torder[i]));
}

/* ---- sections ---------------------------------------------------------------------- */

static const uint8_t wire_kind[] = {
	[RDY_WIT_ALIAS] = RDY_K_ALIAS, [RDY_WIT_RECORD] = RDY_K_RECORD, [RDY_WIT_RESOURCE] = RDY_K_RESOURCE,
	[RDY_WIT_FLAGS] = RDY_K_FLAGS, [RDY_WIT_TUPLE] = RDY_K_TUPLE, [RDY_WIT_VARIANT] = RDY_K_VARIANT,
	[RDY_WIT_ENUM] = RDY_K_ENUM, [RDY_WIT_OPTION] = RDY_K_OPTION, [RDY_WIT_RESULT] = RDY_K_RESULT,
	[RDY_WIT_LIST] = RDY_K_LIST, [RDY_WIT_FIXED_LIST] = RDY_K_FIXED_LIST, [RDY_WIT_MAP] = RDY_K_MAP,
};

static void type(E *e, buf *b, const rdy_wit_typedef *d)
{
	u8(e, b, d->kind == RDY_WIT_HANDLE ? (d->borrow ? RDY_K_BORROW : RDY_K_OWN) : wire_kind[d->kind]);
	ostr(e, b, d->name);
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		uleb(e, b, 2 * (uint32_t)e->imap[d->owner] + 1);
	else
		uleb(e, b, d->owner_kind == RDY_WIT_OWNER_WORLD ? 2 : 0);
	stability(e, b, &d->stability);
	switch (d->kind) {
	case RDY_WIT_RECORD: case RDY_WIT_VARIANT: case RDY_WIT_ENUM: case RDY_WIT_FLAGS: case RDY_WIT_TUPLE:
		uleb(e, b, d->ncases);
		for (uint32_t i = 0; i < d->ncases; i++) {
			if (d->kind != RDY_WIT_TUPLE)
				str(e, b, d->cases[i].name);
			if (d->kind != RDY_WIT_ENUM && d->kind != RDY_WIT_FLAGS)
				tref(e, b, d->cases[i].type);
		}
		break;
	case RDY_WIT_RESOURCE:
		break;
	case RDY_WIT_RESULT: case RDY_WIT_MAP:
		tref(e, b, d->a);
		tref(e, b, d->b);
		break;
	case RDY_WIT_FIXED_LIST:
		tref(e, b, d->a);
		uleb(e, b, d->size);
		break;
	default: /* alias, handles, option, list */
		tref(e, b, d->a);
	}
}

static void func(E *e, buf *b, const rdy_wit_func *f)
{
	str(e, b, f->name);
	u8(e, b, (uint8_t)f->kind);
	if (f->kind != RDY_WIT_FREESTANDING && f->kind != RDY_WIT_ASYNC_FREESTANDING)
		tref(e, b, f->resource);
	uleb(e, b, f->nparams);
	for (uint32_t i = 0; i < f->nparams; i++) {
		str(e, b, f->params[i].name);
		tref(e, b, f->params[i].type);
	}
	tref(e, b, f->result);
	stability(e, b, &f->stability);
}

static void items(E *e, buf *b, const rdy_wit_item *v, uint32_t n)
{
	uleb(e, b, n);
	for (uint32_t i = 0; i < n; i++) {
		u8(e, b, v[i].kind);
		ostr(e, b, v[i].name);
		if (!v[i].name)
			uleb(e, b, (uint32_t)e->imap[v[i].key_iface]);
		if (v[i].kind == RDY_WIT_ITEM_INTERFACE) {
			uleb(e, b, (uint32_t)e->imap[v[i].id]);
			stability(e, b, &v[i].stability);
		} else if (v[i].kind == RDY_WIT_ITEM_FUNC) {
			func(e, b, &v[i].func);
		} else {
			uleb(e, b, (uint32_t)e->tmap[v[i].id]);
		}
	}
}

static void section(E *e, buf *out, uint8_t id, const buf *body)
{
	u8(e, out, id);
	uleb(e, out, body->n);
	put(e, out, body->v, body->n);
}

static void encode(E *e, int side, const char *producer, const char *const *features, uint32_t nfeatures,
		   buf *out)
{
	const rdy_wit_model *m = e->m;
	buf sec[8] = { { 0 } };
	ostr(e, &sec[RDY_SEC_PRODUCER], producer);
	uleb(e, &sec[RDY_SEC_FEATURES], nfeatures);
	for (uint32_t i = 0; i < nfeatures; i++)
		str(e, &sec[RDY_SEC_FEATURES], features[i]);
	buf *b = &sec[RDY_SEC_PACKAGES];
	uleb(e, b, e->np);
	for (uint32_t i = 0; i < e->np; i++) {
		const rdy_wit_package *p = &m->packages[e->porder[i]];
		str(e, b, p->ns);
		str(e, b, p->name);
		ostr(e, b, p->has_version ? p->version.text : NULL);
	}
	b = &sec[RDY_SEC_TYPES];
	uleb(e, b, e->nt);
	for (uint32_t i = 0; i < e->nt; i++)
		type(e, b, &m->types[e->torder[i]]);
	b = &sec[RDY_SEC_INTERFACES];
	uleb(e, b, e->ni);
	for (uint32_t i = 0; i < e->ni; i++) {
		const rdy_wit_interface *in = &m->interfaces[e->iorder[i]];
		uleb(e, b, in->package >= 0 ? (uint32_t)e->pmap[in->package] + 1 : 0);
		ostr(e, b, in->name);
		stability(e, b, &in->stability);
		uleb(e, b, in->ntypes);
		for (uint32_t k = 0; k < in->ntypes; k++) {
			str(e, b, in->types[k].name);
			uleb(e, b, (uint32_t)e->tmap[in->types[k].id]);
		}
		uleb(e, b, in->nfuncs);
		for (uint32_t k = 0; k < in->nfuncs; k++)
			func(e, b, &in->funcs[k]);
	}
	const rdy_wit_world *wd = &m->worlds[e->world];
	b = &sec[RDY_SEC_WORLDS];
	uleb(e, b, 1);
	uleb(e, b, wd->package >= 0 ? (uint32_t)e->pmap[wd->package] + 1 : 0);
	str(e, b, wd->name);
	stability(e, b, &wd->stability);
	items(e, b, wd->imports, wd->nimports);
	items(e, b, wd->exports, wd->nexports);
	/* the string table is built as the other sections are written, and goes first */
	b = &sec[RDY_SEC_STRINGS];
	uleb(e, b, e->nstrs);
	for (uint32_t i = 0; i < e->nstrs; i++) {
		uint32_t n = (uint32_t)strlen(e->strs[i]);
		uleb(e, b, n);
		put(e, b, e->strs[i], n);
	}
	put(e, out, RDY_DESC_MAGIC, 4);
	u8(e, out, RDY_DESC_MAJOR);
	u8(e, out, RDY_DESC_MINOR);
	u8(e, out, (uint8_t)side);
	u8(e, out, 0);
	put(e, out, "\0\0\0\0", 4); /* size, patched below */
	for (uint8_t id = RDY_SEC_STRINGS; id <= RDY_SEC_WORLDS; id++)
		section(e, out, id, &sec[id]);
	for (int i = 0; i < 4; i++)
		out->v[8 + i] = (uint8_t)(out->n >> (8 * i));
}

static int32_t *map_of(E *e, uint32_t n)
{
	int32_t *v = rdy__allocn(&e->arena, n + 1, sizeof *v);
	memset(v, 0xff, (n + 1) * sizeof *v);
	return v;
}

int rdy_desc_encode(const rdy_wit_model *m, int world, int side, const char *producer,
		    const char *const *features, uint32_t nfeatures, uint8_t **out, size_t *len,
		    char *err, size_t errlen)
{
	E e = { 0 };
	e.m = m;
	e.world = world;
	e.err = err;
	e.errlen = errlen;
	rdy__arena_init(&e.arena, on_oom, &e);
	rdy_abi_layouts *volatile l = NULL; /* read after longjmp */
	if (setjmp(e.jb)) {
		rdy_abi_layouts_free(l);
		rdy__arena_free(&e.arena);
		return -1;
	}
	if (world < 0 || (uint32_t)world >= m->nworlds)
		fail(&e, "no world %d in the model", world);
	if (side != RDY_SIDE_HOST && side != RDY_SIDE_PLUGIN)
		fail(&e, "side must be host or plugin");
	e.tneed = rdy__alloc(&e.arena, m->ntypes + 1);
	e.ineed = rdy__alloc(&e.arena, m->ninterfaces + 1);
	e.tmap = map_of(&e, m->ntypes);
	e.imap = map_of(&e, m->ninterfaces);
	e.pmap = map_of(&e, m->npackages);
	e.torder = map_of(&e, m->ntypes);
	e.iorder = map_of(&e, m->ninterfaces);
	e.porder = map_of(&e, m->npackages);
	const rdy_wit_world *wd = &m->worlds[world];
	need_items(&e, wd->imports, wd->nimports);
	need_items(&e, wd->exports, wd->nexports);
	number(&e);
	if (!(l = rdy_abi_layouts_new(m)))
		fail(&e, "out of memory");
	check_v1(&e, l);
	buf b = { 0 };
	encode(&e, side, producer, features, nfeatures, &b);
	*out = malloc(b.n);
	if (!*out)
		fail(&e, "out of memory");
	memcpy(*out, b.v, b.n);
	*len = b.n;
	rdy_abi_layouts_free(l);
	rdy__arena_free(&e.arena);
	return 0;
}
