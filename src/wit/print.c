/* A resolved world printed back as WIT, elaborated: every import it needs, listed. */
#include "wit/witint.h"

#include <stdio.h>

static void items(const rdy_wit *w, const rdy_wit_item *v, uint32_t n, const char *dir, FILE *f)
{
	for (uint32_t i = 0; i < n; i++) {
		const rdy_wit_item *it = &v[i];
		if (it->kind == RDY_WIT_ITEM_TYPE) {
			fprintf(f, "  %s type %s\n", dir, it->name);
		} else if (it->kind == RDY_WIT_ITEM_FUNC) {
			fprintf(f, "  %s %s: ", dir, it->name);
			rdy_wit_print_func(&w->m, &it->func, f);
			fputs(";\n", f);
		} else if (it->name) {
			fprintf(f, "  %s %s: interface { %u function%s }\n", dir, it->name, w->m.interfaces[it->id].nfuncs,
				w->m.interfaces[it->id].nfuncs == 1 ? "" : "s");
		} else {
			char id[512];
			fprintf(f, "  %s %s;\n", dir, rdy_wit_interface_id(&w->m, it->id, id, sizeof id));
		}
	}
}

void rdy_wit_print_world(rdy_wit *w, int world, FILE *f)
{
	const rdy_wit_world *wd = &w->m.worlds[world];
	const rdy_wit_package *p = &w->m.packages[wd->package];
	if (p->has_version)
		fprintf(f, "world %s:%s/%s@%s {\n", p->ns, p->name, wd->name, p->version.text);
	else
		fprintf(f, "world %s:%s/%s {\n", p->ns, p->name, wd->name);
	items(w, wd->imports, wd->nimports, "import", f);
	items(w, wd->exports, wd->nexports, "export", f);
	fputs("}\n", f);
}
