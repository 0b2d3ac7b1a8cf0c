/*
 * Helpers over a resolved model that need no parser: printing types and
 * naming interfaces.  The runtime uses them on decoded descriptors.
 */
#include "wit/wit.h"

#include <stdio.h>
#include <string.h>

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

/* ---- versions ---------------------------------------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Compares dot-separated identifiers: numeric ones numerically and below alphanumeric ones. */
static int cmp_ids(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		bool na = strspn(a, "0123456789") >= la, nb = strspn(b, "0123456789") >= lb;
		int c;
		if (na && nb)
			c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
		else if (na != nb)
			c = na ? -1 : 1;
		else {
			c = memcmp(a, b, la < lb ? la : lb);
			if (!c)
				c = la < lb ? -1 : la > lb;
		}
		if (c)
			return c < 0 ? -1 : 1;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

int rdy_wit_version_cmp(const rdy_wit_version *a, const rdy_wit_version *b)
{
	int c = cmp_u64(a->major, b->major);
	if (!c)
		c = cmp_u64(a->minor, b->minor);
	if (!c)
		c = cmp_u64(a->patch, b->patch);
	if (!c && (a->pre || b->pre))
		c = !a->pre ? 1 : !b->pre ? -1 : cmp_ids(a->pre, b->pre);
	if (!c && (a->build || b->build))
		c = !a->build ? -1 : !b->build ? 1 : cmp_ids(a->build, b->build);
	return c;
}
