/*
 * What both generators (gen_c.c, gen_rust.c) ask of a world's types, and
 * answer alike: which types own memory to release, which are passed by
 * value, and the types a world or its functions name, in the order that
 * they must be emitted from.
 */
#include "gen/gen_int.h"

rdy_wit_type rdy_gen_unalias(const rdy_wit_model *m, rdy_wit_type t)
{
	while (t >= 0 && m->types[t].kind == RDY_WIT_ALIAS)
		t = m->types[t].a;
	return t;
}

bool rdy_gen_needs_free(const rdy_wit_model *m, int8_t *memo, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return false;
	if (t < 0)
		return t == RDY_WIT_STRING;
	if (memo[t] >= 0)
		return memo[t];
	const rdy_wit_typedef *d = &m->types[t];
	bool r = false;
	switch (d->kind) {
	case RDY_WIT_LIST:
	case RDY_WIT_MAP:
		r = true;
		break;
	case RDY_WIT_FIXED_LIST: /* list<T, 0> holds no T */
		r = d->size && rdy_gen_needs_free(m, memo, d->a);
		break;
	case RDY_WIT_ALIAS:
	case RDY_WIT_OPTION:
		r = rdy_gen_needs_free(m, memo, d->a);
		break;
	case RDY_WIT_RESULT:
		r = rdy_gen_needs_free(m, memo, d->a) || rdy_gen_needs_free(m, memo, d->b);
		break;
	case RDY_WIT_RECORD:
	case RDY_WIT_TUPLE:
	case RDY_WIT_VARIANT:
		for (uint32_t i = 0; i < d->ncases && !r; i++)
			r = rdy_gen_needs_free(m, memo, d->cases[i].type);
		break;
	default:
		break;
	}
	memo[t] = r;
	return r;
}

bool rdy_gen_by_value(const rdy_wit_model *m, rdy_abi_layouts *l, rdy_wit_type t)
{
	t = rdy_gen_unalias(m, t);
	if (t < 0)
		return t != RDY_WIT_STRING;
	const rdy_wit_typedef *d = &m->types[t];
	return d->kind == RDY_WIT_ENUM || d->kind == RDY_WIT_HANDLE || d->kind == RDY_WIT_RESOURCE ||
	       (d->kind == RDY_WIT_FLAGS && !rdy_abi_layout(l, t)->words);
}

void rdy_gen_each_item_type(const rdy_wit_model *m, const rdy_wit_item *v, uint32_t n, rdy_gen_type_fn *fn, void *ctx)
{
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].kind == RDY_WIT_ITEM_TYPE) {
			fn(ctx, v[i].id);
		} else if (v[i].kind == RDY_WIT_ITEM_INTERFACE) {
			const rdy_wit_interface *in = &m->interfaces[v[i].id];
			for (uint32_t k = 0; k < in->ntypes; k++)
				fn(ctx, in->types[k].id);
		}
	}
}

void rdy_gen_each_func_type(const rdy_abi_fref *v, uint32_t n, rdy_gen_type_fn *fn, void *ctx)
{
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < v[i].func->nparams; k++)
			fn(ctx, v[i].func->params[k].type);
		if (v[i].func->resource >= 0)
			fn(ctx, v[i].func->resource);
		fn(ctx, v[i].func->result);
	}
}
