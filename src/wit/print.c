/* A resolved world printed back as WIT, elaborated: every import it needs, listed. */
#include "wit/witint.h"

#include <stdio.h>

static const char *const prim[] = {
	"", "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "error-context"
};

static void type_list(const rdy_wit_model *m, const rdy_wit_typedef *d, FILE *f)
{
	for (uint32_t i = 0; i < d->ncases; i++) {
		if (i)
			fputs(", ", f);
		rdy_wit_print_type(m, d->cases[i].type, f);
	}
}

void rdy_wit_print_type(const rdy_wit_model *m, rdy_wit_type t, FILE *f)
{
	if (t >= 0 && m->types[t].name)
		fputs(m->types[t].name, f);
	else
		rdy_wit_print_structure(m, t, f);
}

void rdy_wit_print_structure(const rdy_wit_model *m, rdy_wit_type t, FILE *f)
{
	if (t < 0) {
		fputs(t == RDY_WIT_NONE ? "_" : prim[-t], f);
		return;
	}
	const rdy_wit_typedef *d = &m->types[t];
	switch (d->kind) {
	case RDY_WIT_LIST: fputs("list<", f); rdy_wit_print_type(m, d->a, f); fputc('>', f); break;
	case RDY_WIT_FIXED_LIST: fputs("list<", f); rdy_wit_print_type(m, d->a, f); fprintf(f, ", %u>", d->size); break;
	case RDY_WIT_OPTION: fputs("option<", f); rdy_wit_print_type(m, d->a, f); fputc('>', f); break;
	case RDY_WIT_MAP: fputs("map<", f); rdy_wit_print_type(m, d->a, f); fputs(", ", f); rdy_wit_print_type(m, d->b, f); fputc('>', f); break;
	case RDY_WIT_TUPLE: fputs("tuple<", f); type_list(m, d, f); fputc('>', f); break;
	case RDY_WIT_HANDLE: fputs(d->borrow ? "borrow<" : "own<", f); rdy_wit_print_type(m, d->a, f); fputc('>', f); break;
	case RDY_WIT_FUTURE:
	case RDY_WIT_STREAM:
		fputs(d->kind == RDY_WIT_FUTURE ? "future" : "stream", f);
		if (d->a != RDY_WIT_NONE) {
			fputc('<', f);
			rdy_wit_print_type(m, d->a, f);
			fputc('>', f);
		}
		break;
	case RDY_WIT_RESULT:
		fputs("result", f);
		if (d->a != RDY_WIT_NONE || d->b != RDY_WIT_NONE) {
			fputc('<', f);
			rdy_wit_print_type(m, d->a, f);
			if (d->b != RDY_WIT_NONE) {
				fputs(", ", f);
				rdy_wit_print_type(m, d->b, f);
			}
			fputc('>', f);
		}
		break;
	case RDY_WIT_ALIAS: rdy_wit_print_type(m, d->a, f); break;
	default: fputs("?", f);
	}
}

void rdy_wit_print_func(const rdy_wit_model *m, const rdy_wit_func *fn, FILE *f)
{
	bool async = fn->kind == RDY_WIT_ASYNC_FREESTANDING || fn->kind == RDY_WIT_ASYNC_METHOD ||
		     fn->kind == RDY_WIT_ASYNC_STATIC;
	fprintf(f, "%sfunc(", async ? "async " : "");
	uint32_t first = fn->kind == RDY_WIT_METHOD || fn->kind == RDY_WIT_ASYNC_METHOD;
	for (uint32_t i = first; i < fn->nparams; i++) {
		fprintf(f, "%s%s: ", i > first ? ", " : "", fn->params[i].name);
		rdy_wit_print_type(m, fn->params[i].type, f);
	}
	fputc(')', f);
	if (fn->result != RDY_WIT_NONE) {
		fputs(" -> ", f);
		rdy_wit_print_type(m, fn->result, f);
	}
}

const char *rdy_wit_interface_id(const rdy_wit_model *m, int32_t iface, char *buf, size_t n)
{
	const rdy_wit_interface *in = &m->interfaces[iface];
	const rdy_wit_package *p = in->package >= 0 ? &m->packages[in->package] : NULL;
	if (!in->name)
		snprintf(buf, n, "an inline interface");
	else if (!p) /* only a decoded model has a named interface outside a package */
		snprintf(buf, n, "interface `%s`", in->name);
	else if (p->has_version)
		snprintf(buf, n, "%s:%s/%s@%s", p->ns, p->name, in->name, p->version.text);
	else
		snprintf(buf, n, "%s:%s/%s", p->ns, p->name, in->name);
	return buf;
}

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
