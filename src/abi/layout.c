/*
 * Type layout, docs/abi.md §2.  Sizes are computed in 64 bits and refused
 * past 2^31, so no sum or product here can overflow.
 */
#include "abi/abi.h"

#include <stdlib.h>
#include <string.h>

struct rdy_abi_layouts {
	const rdy_wit_model *m;
	rdy_abi_type *types;               /* one per model type */
	uint8_t *state;                    /* 0 not done, 1 in progress, 2 done */
	bool oom;
};

#define LIMIT ((uint64_t)1 << 31)

static const rdy_abi_type prims[] = {
	[1] = { 1, 1, 0, 0, 0, NULL, 0 },   /* bool */
	[2] = { 1, 1, 0, 0, 0, NULL, 0 },   /* u8 */
	[3] = { 2, 2, 0, 0, 0, NULL, 0 },   /* u16 */
	[4] = { 4, 4, 0, 0, 0, NULL, 0 },   /* u32 */
	[5] = { 8, 8, 0, 0, 0, NULL, 0 },   /* u64 */
	[6] = { 1, 1, 0, 0, 0, NULL, 0 },   /* s8 */
	[7] = { 2, 2, 0, 0, 0, NULL, 0 },   /* s16 */
	[8] = { 4, 4, 0, 0, 0, NULL, 0 },   /* s32 */
	[9] = { 8, 8, 0, 0, 0, NULL, 0 },   /* s64 */
	[10] = { 4, 4, 0, 0, 0, NULL, 0 },  /* f32 */
	[11] = { 8, 8, 0, 0, 0, NULL, 0 },  /* f64 */
	[12] = { 4, 4, 0, 0, 0, NULL, 0 },  /* char: a Unicode scalar value in a uint32_t */
	[13] = { 16, 8, 0, 0, 0, NULL, 0 }, /* string: { const uint8_t *ptr; size_t len; } */
	[14] = { 0, 1, 0, 0, RDY_ABI_NOT_IN_V1, NULL, 0 }, /* error-context */
};

static const rdy_abi_type none = { 0, 1, 0, 0, 0, NULL, 0 };

uint8_t rdy_abi_disc_size(uint32_t ncases)
{
	return ncases <= 256 ? 1 : ncases <= 65536 ? 2 : 4;
}

static uint64_t align_up(uint64_t x, uint32_t a)
{
	return (x + a - 1) & ~(uint64_t)(a - 1);
}

static const rdy_abi_type *get(rdy_abi_layouts *l, rdy_wit_type t);

/* A struct of members laid out in order (record, tuple, the {disc, payload} pairs). */
typedef struct acc {
	uint64_t size;
	uint32_t align;
	uint8_t status;
} acc;

static uint64_t add(acc *a, const rdy_abi_type *m)
{
	uint64_t off = align_up(a->size, m->align);
	a->size = off + m->size;
	if (m->align > a->align)
		a->align = m->align;
	if (m->status && !a->status)
		a->status = m->status;
	return off;
}

static void finish(rdy_abi_type *out, acc *a)
{
	/* zero-sized aggregates keep one reserved byte: C has no empty structs (§2.4) */
	if (a->size == 0)
		a->size = 1;
	a->size = align_up(a->size, a->align);
	out->align = a->align;
	out->status = a->status;
	if (a->size >= LIMIT && !out->status)
		out->status = RDY_ABI_TOO_LARGE;
	out->size = out->status == RDY_ABI_TOO_LARGE ? 0 : (uint32_t)a->size;
}

static uint32_t *offsets(rdy_abi_layouts *l, uint32_t n)
{
	uint32_t *v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		l->oom = true;
	return v;
}

/* {disc, payload}: option, result and variant share it; PAYLOAD is the union of the cases. */
static void tagged(rdy_abi_layouts *l, rdy_abi_type *out, uint8_t disc, const rdy_wit_type *cases, uint32_t n)
{
	rdy_abi_type u = { 0, 1, 0, 0, 0, NULL, 0 };
	bool any = false;
	for (uint32_t i = 0; i < n; i++) {
		if (cases[i] == RDY_WIT_NONE)
			continue;
		const rdy_abi_type *c = get(l, cases[i]);
		any = true;
		if (c->size > u.size)
			u.size = c->size;
		if (c->align > u.align)
			u.align = c->align;
		if (c->status && !u.status)
			u.status = c->status;
	}
	u.size = (uint32_t)align_up(u.size, u.align);
	acc a = { 0, 1, 0 };
	rdy_abi_type d = { disc, disc, 0, 0, 0, NULL, 0 };
	add(&a, &d);
	out->disc = disc;
	if (any)
		out->payload = (uint32_t)add(&a, &u);
	finish(out, &a);
}

static void flags(rdy_abi_type *out, uint32_t n)
{
	if (n <= 64) {
		out->size = out->align = n <= 8 ? 1 : n <= 16 ? 2 : n <= 32 ? 4 : 8;
		if (n == 0)
			out->size = out->align = 1;
		return;
	}
	out->words = (n + 63) / 64;
	out->size = out->words * 8;
	out->align = 8;
}

static void compute(rdy_abi_layouts *l, rdy_abi_type *out, const rdy_wit_typedef *d)
{
	acc a = { 0, 1, 0 };
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		*out = *get(l, d->a);
		out->offsets = NULL; /* the target owns them; rdy_abi_layout follows aliases */
		break;
	case RDY_WIT_RECORD:
	case RDY_WIT_TUPLE:
		out->offsets = offsets(l, d->ncases);
		for (uint32_t i = 0; i < d->ncases && out->offsets; i++) {
			uint64_t off = add(&a, get(l, d->cases[i].type));
			out->offsets[i] = off < LIMIT ? (uint32_t)off : 0;
		}
		finish(out, &a);
		break;
	case RDY_WIT_RESOURCE:
	case RDY_WIT_HANDLE:
		out->size = out->align = 4; /* a handle: uint32_t (§2.7) */
		break;
	case RDY_WIT_FLAGS:
		flags(out, d->ncases);
		break;
	case RDY_WIT_ENUM:
		out->size = out->align = out->disc = rdy_abi_disc_size(d->ncases);
		break;
	case RDY_WIT_VARIANT: {
		rdy_wit_type *cs = calloc(d->ncases ? d->ncases : 1, sizeof *cs);
		if (!cs) {
			l->oom = true;
			break;
		}
		for (uint32_t i = 0; i < d->ncases; i++)
			cs[i] = d->cases[i].type;
		tagged(l, out, rdy_abi_disc_size(d->ncases), cs, d->ncases);
		free(cs);
		break;
	}
	case RDY_WIT_OPTION: {
		rdy_wit_type cs[2] = { RDY_WIT_NONE, d->a };
		tagged(l, out, 1, cs, 2);
		break;
	}
	case RDY_WIT_RESULT: {
		rdy_wit_type cs[2] = { d->a, d->b };
		tagged(l, out, 1, cs, 2);
		break;
	}
	case RDY_WIT_LIST:
	case RDY_WIT_MAP:
		/* { T *ptr; size_t len; }; a map is a list of (key, value) tuples (§2.5) */
		out->size = 16;
		out->align = 8;
		out->status = get(l, d->a)->status ? get(l, d->a)->status : d->kind == RDY_WIT_MAP ? get(l, d->b)->status : 0;
		break;
	case RDY_WIT_FIXED_LIST: {
		const rdy_abi_type *e = get(l, d->a);
		a.size = (uint64_t)e->size * d->size;
		a.align = d->size ? e->align : 1; /* list<T, 0> is a reserved byte (§2.4) */
		a.status = e->status;
		finish(out, &a);
		break;
	}
	case RDY_WIT_FUTURE:
	case RDY_WIT_STREAM:
	case RDY_WIT_UNKNOWN:
		out->align = 1;
		out->status = RDY_ABI_NOT_IN_V1;
		break;
	}
}

static const rdy_abi_type *get(rdy_abi_layouts *l, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return &none;
	if (t < 0)
		return t >= RDY_WIT_ERROR_CONTEXT ? &prims[-t] : &none;
	if ((uint32_t)t >= l->m->ntypes)
		return &none;
	if (l->state[t] == 0) {
		l->state[t] = 1;
		compute(l, &l->types[t], &l->m->types[t]);
		l->state[t] = 2;
	}
	return &l->types[t];
}

rdy_abi_layouts *rdy_abi_layouts_new(const rdy_wit_model *m)
{
	rdy_abi_layouts *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->m = m;
	l->types = calloc(m->ntypes ? m->ntypes : 1, sizeof *l->types);
	l->state = calloc(m->ntypes ? m->ntypes : 1, 1);
	if (!l->types || !l->state) {
		rdy_abi_layouts_free(l);
		return NULL;
	}
	/* types refer only to earlier ones in a resolved model, so one pass in order suffices */
	for (uint32_t i = 0; i < m->ntypes && !l->oom; i++)
		get(l, (rdy_wit_type)i);
	if (l->oom) {
		rdy_abi_layouts_free(l);
		return NULL;
	}
	return l;
}

void rdy_abi_layouts_free(rdy_abi_layouts *l)
{
	if (!l)
		return;
	if (l->types)
		for (uint32_t i = 0; i < l->m->ntypes; i++)
			free(l->types[i].offsets);
	free(l->types);
	free(l->state);
	free(l);
}

const rdy_abi_type *rdy_abi_layout(const rdy_abi_layouts *l, rdy_wit_type t)
{
	return get((rdy_abi_layouts *)l, t);
}

const char *rdy_abi_why_not(const rdy_abi_layouts *l, rdy_wit_type t)
{
	const rdy_abi_type *a = rdy_abi_layout(l, t);
	if (a->status == RDY_ABI_OK)
		return NULL;
	if (a->status == RDY_ABI_TOO_LARGE)
		return "its size exceeds 2^31 bytes";
	return "it contains a future, stream or error-context, which ABI v1 does not carry";
}
