/*
 * The resolution in the reference resolver's JSON schema (its serde output:
 * `worlds`, `interfaces`, `types`, `packages`, items referring by index).
 */
#include "wit/witint.h"

#include <stdio.h>
#include <string.h>

typedef struct J {
	FILE *f;
	const rdy_wit_model *m;
	int depth;
} J;

static void indent(J *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

void rdy_wit_json_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void str(J *j, const char *s)
{
	rdy_wit_json_string(s, j->f);
}

/* Object and array scaffolding: open, then `key` before each member. */
static void open_(J *j, char c)
{
	fputc(c, j->f);
	j->depth++;
}

static void close_(J *j, char c, bool empty)
{
	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
}

static void key(J *j, bool *first, const char *k)
{
	if (!*first)
		fputc(',', j->f);
	*first = false;
	indent(j);
	if (k) {
		str(j, k);
		fputs(": ", j->f);
	}
}

static const char *const prim_names[] = {
	"", "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "error-context"
};

static void type_ref(J *j, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		fputs("null", j->f);
	else if (t < 0)
		str(j, prim_names[-t]);
	else
		fprintf(j->f, "%d", t);
}

static void docs(J *j, bool *first, const char *d)
{
	if (!d)
		return;
	key(j, first, "docs");
	fputs("{\"contents\": ", j->f);
	str(j, d);
	fputc('}', j->f);
}

static void stability(J *j, bool *first, const rdy_wit_stability *s)
{
	if (s->kind == RDY_WIT_STAB_UNKNOWN)
		return;
	key(j, first, "stability");
	if (s->kind == RDY_WIT_STAB_STABLE) {
		fputs("{\"stable\": {\"since\": ", j->f);
		str(j, s->since->text);
	} else {
		fputs("{\"unstable\": {\"feature\": ", j->f);
		str(j, s->feature);
	}
	if (s->deprecated) {
		fputs(", \"deprecated\": ", j->f);
		str(j, s->deprecated->text);
	}
	fputs("}}", j->f);
}

static void cases(J *j, const rdy_wit_typedef *t, const char *outer, const char *inner, bool with_type)
{
	fprintf(j->f, "{\"%s\": {\"%s\": [", outer, inner);
	j->depth++;
	for (uint32_t i = 0; i < t->ncases; i++) {
		bool first = true;
		if (i)
			fputc(',', j->f);
		indent(j);
		open_(j, '{');
		key(j, &first, "name");
		str(j, t->cases[i].name);
		if (with_type) {
			key(j, &first, "type");
			type_ref(j, t->cases[i].type);
		}
		docs(j, &first, t->cases[i].docs);
		close_(j, '}', false);
	}
	j->depth--;
	if (t->ncases)
		indent(j);
	fputs("]}}", j->f);
}

static void kind(J *j, const rdy_wit_typedef *t)
{
	static const char *const one[] = {
		[RDY_WIT_ALIAS] = "type", [RDY_WIT_OPTION] = "option", [RDY_WIT_LIST] = "list",
		[RDY_WIT_FUTURE] = "future", [RDY_WIT_STREAM] = "stream",
	};
	switch (t->kind) {
	case RDY_WIT_ALIAS: case RDY_WIT_OPTION: case RDY_WIT_LIST: case RDY_WIT_FUTURE: case RDY_WIT_STREAM:
		fprintf(j->f, "{\"%s\": ", one[t->kind]);
		type_ref(j, t->a);
		fputc('}', j->f);
		break;
	case RDY_WIT_RECORD:
		cases(j, t, "record", "fields", true);
		break;
	case RDY_WIT_VARIANT:
		cases(j, t, "variant", "cases", true);
		break;
	case RDY_WIT_ENUM:
		cases(j, t, "enum", "cases", false);
		break;
	case RDY_WIT_FLAGS:
		cases(j, t, "flags", "flags", false);
		break;
	case RDY_WIT_TUPLE:
		fputs("{\"tuple\": {\"types\": [", j->f);
		for (uint32_t i = 0; i < t->ncases; i++) {
			if (i)
				fputs(", ", j->f);
			type_ref(j, t->cases[i].type);
		}
		fputs("]}}", j->f);
		break;
	case RDY_WIT_RESOURCE:
		fputs("\"resource\"", j->f);
		break;
	case RDY_WIT_HANDLE:
		fprintf(j->f, "{\"handle\": {\"%s\": %d}}", t->borrow ? "borrow" : "own", t->a);
		break;
	case RDY_WIT_RESULT:
		fputs("{\"result\": {\"ok\": ", j->f);
		type_ref(j, t->a);
		fputs(", \"err\": ", j->f);
		type_ref(j, t->b);
		fputs("}}", j->f);
		break;
	case RDY_WIT_FIXED_LIST:
		fputs("{\"fixed-length-list\": [", j->f);
		type_ref(j, t->a);
		fprintf(j->f, ", %u]}", t->size);
		break;
	case RDY_WIT_MAP:
		fputs("{\"map\": [", j->f);
		type_ref(j, t->a);
		fputs(", ", j->f);
		type_ref(j, t->b);
		fputs("]}", j->f);
		break;
	case RDY_WIT_UNKNOWN:
		fputs("\"unknown\"", j->f);
		break;
	}
}

static void function(J *j, const rdy_wit_func *f)
{
	static const char *const kinds[] = {
		"freestanding", "async-freestanding", "method", "async-method", "static", "async-static", "constructor"
	};
	bool first = true;
	open_(j, '{');
	key(j, &first, "name");
	str(j, f->name);
	key(j, &first, "kind");
	if (f->kind == RDY_WIT_FREESTANDING || f->kind == RDY_WIT_ASYNC_FREESTANDING)
		str(j, kinds[f->kind]);
	else
		fprintf(j->f, "{\"%s\": %d}", kinds[f->kind], f->resource);
	key(j, &first, "params");
	fputc('[', j->f);
	for (uint32_t i = 0; i < f->nparams; i++) {
		fputs(i ? ", {\"name\": " : "{\"name\": ", j->f);
		str(j, f->params[i].name);
		fputs(", \"type\": ", j->f);
		type_ref(j, f->params[i].type);
		fputc('}', j->f);
	}
	fputc(']', j->f);
	if (f->result != RDY_WIT_NONE) {
		key(j, &first, "result");
		type_ref(j, f->result);
	}
	docs(j, &first, f->docs);
	stability(j, &first, &f->stability);
	close_(j, '}', false);
}

static void named_map(J *j, const rdy_wit_named *v, uint32_t n)
{
	open_(j, '{');
	bool first = true;
	for (uint32_t i = 0; i < n; i++) {
		key(j, &first, v[i].name);
		fprintf(j->f, "%d", v[i].id);
	}
	close_(j, '}', n == 0);
}

static void world_items(J *j, const rdy_wit_item *v, uint32_t n)
{
	open_(j, '{');
	bool first = true;
	for (uint32_t i = 0; i < n; i++) {
		const rdy_wit_item *it = &v[i];
		char buf[32];
		if (!it->name)
			snprintf(buf, sizeof buf, "interface-%d", it->key_iface);
		key(j, &first, it->name ? it->name : buf);
		if (it->kind == RDY_WIT_ITEM_TYPE) {
			fprintf(j->f, "{\"type\": %d}", it->id);
		} else if (it->kind == RDY_WIT_ITEM_FUNC) {
			fputs("{\"function\": ", j->f);
			function(j, &it->func);
			fputc('}', j->f);
		} else {
			fprintf(j->f, "{\"interface\": {\"id\": %d", it->id);
			bool f2 = false;
			if (it->stability.kind != RDY_WIT_STAB_UNKNOWN) {
				j->depth++;
				stability(j, &f2, &it->stability);
				j->depth--;
			}
			fputs("}}", j->f);
		}
	}
	close_(j, '}', n == 0);
}

static void package_ref(J *j, int32_t p)
{
	if (p < 0)
		fputs("null", j->f);
	else
		fprintf(j->f, "%d", p);
}

static void str_or_null(J *j, const char *s)
{
	if (s)
		str(j, s);
	else
		fputs("null", j->f);
}

/* Each writes the members of element I of its array; `first` is in the caller. */
static void world_at(J *j, uint32_t i, bool *first)
{
	const rdy_wit_world *w = &j->m->worlds[i];
	key(j, first, "name");
	str(j, w->name);
	key(j, first, "imports");
	world_items(j, w->imports, w->nimports);
	key(j, first, "exports");
	world_items(j, w->exports, w->nexports);
	key(j, first, "package");
	package_ref(j, w->package);
	docs(j, first, w->docs);
	stability(j, first, &w->stability);
}

static void interface_at(J *j, uint32_t i, bool *first)
{
	const rdy_wit_interface *in = &j->m->interfaces[i];
	key(j, first, "name");
	str_or_null(j, in->name);
	key(j, first, "types");
	named_map(j, in->types, in->ntypes);
	key(j, first, "functions");
	open_(j, '{');
	bool f2 = true;
	for (uint32_t k = 0; k < in->nfuncs; k++) {
		key(j, &f2, in->funcs[k].name);
		function(j, &in->funcs[k]);
	}
	close_(j, '}', in->nfuncs == 0);
	docs(j, first, in->docs);
	stability(j, first, &in->stability);
	key(j, first, "package");
	package_ref(j, in->package);
}

static void type_at(J *j, uint32_t i, bool *first)
{
	const rdy_wit_typedef *t = &j->m->types[i];
	key(j, first, "name");
	str_or_null(j, t->name);
	key(j, first, "kind");
	kind(j, t);
	key(j, first, "owner");
	if (t->owner_kind == RDY_WIT_OWNER_NONE)
		fputs("null", j->f);
	else
		fprintf(j->f, "{\"%s\": %d}", t->owner_kind == RDY_WIT_OWNER_WORLD ? "world" : "interface", t->owner);
	docs(j, first, t->docs);
	stability(j, first, &t->stability);
}

static void package_at(J *j, uint32_t i, bool *first)
{
	const rdy_wit_package *p = &j->m->packages[i];
	key(j, first, "name");
	str(j, p->id);
	docs(j, first, p->docs);
	key(j, first, "interfaces");
	named_map(j, p->interfaces, p->ninterfaces);
	key(j, first, "worlds");
	named_map(j, p->worlds, p->nworlds);
}

/* An array of N objects, element I written by AT. */
static void array(J *j, uint32_t n, void (*at)(J *, uint32_t, bool *))
{
	open_(j, '[');
	for (uint32_t i = 0; i < n; i++) {
		bool first = true;
		if (i)
			fputc(',', j->f);
		indent(j);
		open_(j, '{');
		at(j, i, &first);
		close_(j, '}', false);
	}
	close_(j, ']', n == 0);
}

int rdy_wit_write_json(const rdy_wit *w, FILE *out)
{
	J j = { out, &w->m, 0 };
	bool first = true;
	open_(&j, '{');
	key(&j, &first, "worlds");
	array(&j, w->m.nworlds, world_at);
	key(&j, &first, "interfaces");
	array(&j, w->m.ninterfaces, interface_at);
	key(&j, &first, "types");
	array(&j, w->m.ntypes, type_at);
	key(&j, &first, "packages");
	array(&j, w->m.npackages, package_at);
	close_(&j, '}', false);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}
