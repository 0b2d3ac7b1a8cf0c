/*
 * Binding a checked plugin to its host (docs/abi.md §7): the host calls the
 * plugin's exports through a table in the order of the host's descriptor,
 * and the plugin calls the host's imports through a table in the order of
 * its own.  Functions are matched by key (rdy_abi_bind), never by position,
 * since the two descriptors may list different items.  Matching depends on
 * the two descriptors alone, so it is done once per verified descriptor;
 * each module then fills its table through the maps.
 */
#include "rt/rt.h"

#include <stdio.h>
#include <stdlib.h>

static const rdy_wit_item *item(const rdy_wit_model *m, int w, bool exports, const rdy_abi_fref *f)
{
	return exports ? &m->worlds[w].exports[f->item] : &m->worlds[w].imports[f->item];
}

void rdy__func_name(const rdy_wit_model *m, int w, bool exports, const rdy_abi_fref *f, char *buf, size_t n)
{
	const rdy_wit_item *it = item(m, w, exports, f);
	char id[256];
	if (f->iface < 0)
		snprintf(buf, n, "`%s`", f->func->name);
	else
		snprintf(buf, n, "`%s`.`%s`", it->name ? it->name : rdy_wit_interface_id(m, f->iface, id, sizeof id),
			 f->func->name);
}

static bool since(const rdy_wit_stability *s)
{
	return s->kind == RDY_WIT_STAB_STABLE && s->since;
}

uint32_t rdy__ntypes(const rdy_module *m)
{
	return m->world->nresources + m->world->niresources + m->v->nresources;
}

void rdy__res_name(const rdy_module *m, uint32_t res, char *buf, size_t n)
{
	const rdy_world *w = m->world;
	const rdy__verified *v = m->v;
	const rdy_wit_model *rm = w->m;
	const rdy_abi_rref *r = NULL;
	uint32_t base = w->nresources + w->niresources;
	if (res < w->nresources) {
		r = &w->resources[res];
	} else if (res < base) {
		r = &w->iresources[res - w->nresources];
	} else if (res - base < v->nresources) {
		rm = rdy_desc_model(v->desc);
		r = &v->resources[res - base];
	}
	if (r)
		rdy__rref_name(rm, r, buf, n);
	else
		snprintf(buf, n, "resource %u", res);
}

void rdy__rref_name(const rdy_wit_model *m, const rdy_abi_rref *r, char *buf, size_t n)
{
	char id[256];
	if (r->iface < 0)
		snprintf(buf, n, "`%s`", m->types[r->type].name);
	else
		snprintf(buf, n, "`%s`.`%s`", rdy_wit_interface_id(m, r->iface, id, sizeof id), m->types[r->type].name);
}

bool rdy__import_gated(const rdy__verified *v, uint32_t i)
{
	const rdy_abi_fref *f = &v->imports[i];
	const rdy_wit_item *it = item(rdy_desc_model(v->desc), rdy_desc_world(v->desc), false, f);
	return since(&f->func->stability) || (f->iface >= 0 && since(&it->stability));
}

/* By key, once per descriptor: every module of V only copies through the maps. */
int rdy__bind_maps(const rdy_world *w, rdy__verified *v)
{
	const rdy_wit_model *pm = rdy_desc_model(v->desc);
	int pw = rdy_desc_world(v->desc);
	v->export_map = w->nexports ? malloc(w->nexports * sizeof *v->export_map) : NULL;
	v->import_map = v->nimports ? malloc(v->nimports * sizeof *v->import_map) : NULL;
	if ((w->nexports && !v->export_map) || (v->nimports && !v->import_map))
		return RDY_ENOMEM;
	rdy_abi_bind(w->m, w->w, w->exports, w->nexports, pm, pw, v->exports, v->nexports, true, v->export_map);
	rdy_abi_bind(pm, pw, v->imports, v->nimports, w->m, w->w, w->imports, w->nimports, false, v->import_map);
	v->identity = w->nexports == v->nexports;
	for (uint32_t i = 0; i < w->nexports && v->identity; i++)
		v->identity = v->export_map[i] == i;
	/* Handle types: the world's resources first, exported then imported, then the plugin's that the world lacks. */
	uint32_t base = w->nresources + w->niresources;
	if (v->niresources) {
		if (!(v->ires_map = malloc(v->niresources * sizeof *v->ires_map)))
			return RDY_ENOMEM;
		rdy_abi_bind_resources(pm, pw, v->iresources, v->niresources, w->m, w->w, w->iresources, w->niresources,
				       false, v->ires_map);
		for (uint32_t i = 0; i < v->niresources; i++)
			if (v->ires_map[i] != UINT32_MAX)
				v->ires_map[i] += w->nresources;
	}
	if (v->nresources) {
		uint32_t ntypes = base + v->nresources;
		if (!(v->res_map = malloc(v->nresources * sizeof *v->res_map)) ||
		    !(v->res_rmap = malloc(ntypes * sizeof *v->res_rmap)))
			return RDY_ENOMEM;
		rdy_abi_bind_resources(pm, pw, v->resources, v->nresources, w->m, w->w, w->resources, w->nresources,
				       true, v->res_map);
		for (uint32_t i = 0; i < ntypes; i++)
			v->res_rmap[i] = i < base ? UINT32_MAX : i - base;
		for (uint32_t i = 0; i < v->nresources; i++) {
			if (v->res_map[i] == UINT32_MAX)
				v->res_map[i] = base + i;
			else
				v->res_rmap[v->res_map[i]] = i;
		}
	}
	return RDY_OK;
}

/*
 * The host's table: the root's own when the plugin's exports are the host's,
 * in the same order (the common case of a plugin built from the host's WIT),
 * else a copy through the map.
 */
int rdy__bind(rdy_module *m)
{
	uint32_t n = m->world->nexports;
	const uint32_t *map = m->v->export_map;
	if (m->v->identity) {
		m->exports = m->root->exports;
		return RDY_OK;
	}
	rdy_func_v1 *t = n ? malloc(n * sizeof *t) : NULL;
	if (n && !t)
		return RDY_ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		t[i] = map[i] == UINT32_MAX ? (rdy_func_v1){ NULL, NULL } : m->root->exports[map[i]];
	m->exports = m->exports_copy = t;
	return RDY_OK;
}
