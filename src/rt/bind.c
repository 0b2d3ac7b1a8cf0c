/*
 * Binding a checked plugin to its host (docs/abi.md §7): the host calls the
 * plugin's exports through a table in the order of the host's descriptor,
 * and the plugin calls the host's imports through a table in the order of
 * its own.  Functions are matched by key (rdy_abi_bind), never by position,
 * since the two descriptors may list different items.
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

bool rdy__import_gated(const rdy_module *m, uint32_t i)
{
	const rdy_abi_fref *f = &m->imports[i];
	const rdy_wit_item *it = item(rdy_desc_model(m->desc), rdy_desc_world(m->desc), false, f);
	return since(&f->func->stability) || (f->iface >= 0 && since(&it->stability));
}

int rdy__bind(rdy_module *m, const rdy_abi_fref *pexports, uint32_t npexports)
{
	const rdy_world *w = m->world;
	const rdy_wit_model *pm = rdy_desc_model(m->desc);
	int pw = rdy_desc_world(m->desc);
	uint32_t *map = w->nexports ? malloc(w->nexports * sizeof *map) : NULL;
	m->exports = w->nexports ? malloc(w->nexports * sizeof *m->exports) : NULL;
	m->import_map = m->nimports ? malloc(m->nimports * sizeof *m->import_map) : NULL;
	if ((w->nexports && (!map || !m->exports)) || (m->nimports && !m->import_map)) {
		free(map);
		return RDY_ENOMEM;
	}
	rdy_abi_bind(w->m, w->w, w->exports, w->nexports, pm, pw, pexports, npexports, true, map);
	for (uint32_t i = 0; i < w->nexports; i++)
		m->exports[i] = map[i] == UINT32_MAX ? (rdy_func_v1){ NULL, NULL } : m->root->exports[map[i]];
	free(map);
	rdy_abi_bind(pm, pw, m->imports, m->nimports, w->m, w->w, w->imports, w->nimports, false, m->import_map);
	return RDY_OK;
}
