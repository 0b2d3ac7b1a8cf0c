/* Functions of a world in descriptor order, and binding one side's to the other's. */
#include "abi/funcs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const rdy_wit_item *items(const rdy_wit_model *m, int w, bool exports, uint32_t *n)
{
	const rdy_wit_world *wd = &m->worlds[w];
	*n = exports ? wd->nexports : wd->nimports;
	return exports ? wd->exports : wd->imports;
}

int rdy_abi_world_funcs(const rdy_wit_model *m, int w, bool exports, rdy_abi_fref **out, uint32_t *n)
{
	uint32_t ni;
	uint64_t total = 0;
	const rdy_wit_item *it = items(m, w, exports, &ni);
	for (uint32_t i = 0; i < ni; i++)
		total += it[i].kind == RDY_WIT_ITEM_FUNC ? 1
			 : it[i].kind == RDY_WIT_ITEM_INTERFACE ? m->interfaces[it[i].id].nfuncs : 0;
	*out = NULL;
	*n = 0;
	if (!total)
		return 0;
	/* Decoded models cannot get here (one item per interface), but never trust a sum. */
	if (total > UINT32_MAX || total > SIZE_MAX / sizeof(rdy_abi_fref))
		return -1;
	rdy_abi_fref *v = malloc((size_t)total * sizeof *v);
	if (!v)
		return -1;
	uint32_t k = 0;
	for (uint32_t i = 0; i < ni; i++) {
		if (it[i].kind == RDY_WIT_ITEM_FUNC) {
			v[k++] = (rdy_abi_fref){ i, -1, &it[i].func };
		} else if (it[i].kind == RDY_WIT_ITEM_INTERFACE) {
			const rdy_wit_interface *in = &m->interfaces[it[i].id];
			for (uint32_t f = 0; f < in->nfuncs; f++)
				v[k++] = (rdy_abi_fref){ i, it[i].id, &in->funcs[f] };
		}
	}
	*out = v;
	*n = k;
	return 0;
}

static bool eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_key(const rdy_wit_model *am, const rdy_wit_item *a, const rdy_wit_model *bm, const rdy_wit_item *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->name || b->name)
		return eq(a->name, b->name);
	const rdy_wit_interface *x = &am->interfaces[a->key_iface], *y = &bm->interfaces[b->key_iface];
	if (!eq(x->name, y->name) || (x->package < 0) != (y->package < 0))
		return false;
	if (x->package < 0)
		return true;
	const rdy_wit_package *p = &am->packages[x->package], *q = &bm->packages[y->package];
	return eq(p->ns, q->ns) && eq(p->name, q->name);
}

void rdy_abi_bind(const rdy_wit_model *wm, int ww, const rdy_abi_fref *want, uint32_t nwant,
		  const rdy_wit_model *hm, int hw, const rdy_abi_fref *have, uint32_t nhave, bool exports,
		  uint32_t *map)
{
	uint32_t unused;
	const rdy_wit_item *wi = items(wm, ww, exports, &unused), *hi = items(hm, hw, exports, &unused);
	/* Both lists are grouped by item, so a scan per item keeps this linear for matching orders. */
	uint32_t start = 0;
	for (uint32_t i = 0; i < nwant; i++) {
		map[i] = UINT32_MAX;
		const rdy_wit_item *a = &wi[want[i].item];
		for (uint32_t n = 0; n < nhave; n++) {
			uint32_t k = (start + n) % nhave;
			if (eq(have[k].func->name, want[i].func->name) && same_key(wm, a, hm, &hi[have[k].item])) {
				map[i] = k;
				start = k + 1 == nhave ? 0 : k + 1;
				break;
			}
		}
	}
}

int rdy_abi_world_resources(const rdy_wit_model *m, int w, bool exports, rdy_abi_rref **out, uint32_t *n)
{
	uint32_t ni;
	uint64_t total = 0;
	const rdy_wit_item *it = items(m, w, exports, &ni);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t k = 0;
		for (uint32_t i = 0; i < ni; i++) {
			if (it[i].kind == RDY_WIT_ITEM_TYPE && m->types[it[i].id].kind == RDY_WIT_RESOURCE) {
				if (pass)
					(*out)[k] = (rdy_abi_rref){ i, -1, it[i].id };
				k++;
			}
			if (it[i].kind != RDY_WIT_ITEM_INTERFACE)
				continue;
			const rdy_wit_interface *in = &m->interfaces[it[i].id];
			for (uint32_t t = 0; t < in->ntypes; t++) {
				int32_t id = in->types[t].id;
				const rdy_wit_typedef *d = &m->types[id];
				if (d->kind != RDY_WIT_RESOURCE)
					continue;
				if (pass)
					(*out)[k] = (rdy_abi_rref){ i, it[i].id, id };
				k++;
			}
		}
		if (!pass) {
			total = k;
			*out = NULL;
			*n = 0;
			if (!total)
				return 0;
			if (!(*out = malloc((size_t)total * sizeof **out)))
				return -1;
		} else {
			*n = k;
		}
	}
	return 0;
}

void rdy_abi_bind_resources(const rdy_wit_model *wm, int ww, const rdy_abi_rref *want, uint32_t nwant,
			    const rdy_wit_model *hm, int hw, const rdy_abi_rref *have, uint32_t nhave, bool exports,
			    uint32_t *map)
{
	uint32_t unused;
	const rdy_wit_item *wi = items(wm, ww, exports, &unused), *hi = items(hm, hw, exports, &unused);
	for (uint32_t i = 0; i < nwant; i++) {
		map[i] = UINT32_MAX;
		for (uint32_t k = 0; k < nhave; k++)
			if (eq(wm->types[want[i].type].name, hm->types[have[k].type].name) &&
			    same_key(wm, &wi[want[i].item], hm, &hi[have[k].item])) {
				map[i] = k;
				break;
			}
	}
}
