/*
 * `rdy inspect FILE [--json]`: what a descriptor describes, with the layout
 * and the structural hash of every item.  FILE is a descriptor as `rdy abi
 * encode` writes it, or an ELF file carrying one in its .rdy.descriptor
 * section, read statically: a plugin is never loaded, let alone run.
 */
#include "abi/abi.h"
#include "abi/desc.h"
#include "abi/elf.h"
#include "rdy/abi.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] = "usage: rdy inspect FILE [--json]\n";

typedef struct view {
	const char *file;
	bool elf;                          /* read from an ELF file's section */
	size_t size;                       /* descriptor bytes */
	const rdy_desc *d;
	const rdy_wit_model *m;
	const rdy_wit_world *world;
	int world_id;
	rdy_abi_layouts *l;
	rdy_hashes *h;
} view;

/* ---- text of names, types, signatures, all malloc'd ---- */

/* Running out of memory while writing the report ends the command: a partial report is no use. */
static _Noreturn void out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	exit(RDY_EXIT_FAIL);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!s)
		out_of_memory();
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* Text written to a stream, collected: begin, print to the stream, then end. */
static FILE *text_begin(char **s, size_t *n)
{
	*s = NULL;
	FILE *f = open_memstream(s, n);
	if (!f)
		out_of_memory();
	return f;
}

static char *text_end(FILE *f, char *const *s)
{
	if (fclose(f) != 0 || !*s)
		out_of_memory();
	return *s;
}

/* T as WIT: its name, or with STRUCTURE what it is made of even when it has one. */
static char *type_text(const view *v, rdy_wit_type t, bool structure)
{
	char *s;
	size_t n;
	FILE *f = text_begin(&s, &n);
	(structure ? rdy_wit_print_structure : rdy_wit_print_type)(v->m, t, f);
	return text_end(f, &s);
}

static char *signature_text(const view *v, const rdy_wit_func *fn)
{
	char *s;
	size_t n;
	FILE *f = text_begin(&s, &n);
	rdy_wit_print_func(v->m, fn, f);
	return text_end(f, &s);
}

static char *hash_text(rdy_hash h)
{
	char buf[33];
	return fmt("%s", rdy_hash_hex(h, buf));
}

/* "ns:pkg/NAME@version", or just NAME outside a package. */
static char *qualified(view *v, int32_t pkg, const char *name)
{
	if (pkg < 0 || (uint32_t)pkg >= v->m->npackages)
		return fmt("%s", name);
	const rdy_wit_package *p = &v->m->packages[pkg];
	if (p->has_version)
		return fmt("%s:%s/%s@%s", p->ns, p->name, name, p->version.text);
	return fmt("%s:%s/%s", p->ns, p->name, name);
}

/* An interface's name; one declared inline in the world is named by its key there. */
static char *iface_name(view *v, int32_t id)
{
	const rdy_wit_interface *in = &v->m->interfaces[id];
	if (in->name)
		return qualified(v, in->package, in->name);
	const rdy_wit_item *lists[2] = { v->world->imports, v->world->exports };
	uint32_t counts[2] = { v->world->nimports, v->world->nexports };
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; i < counts[k]; i++)
			if (lists[k][i].kind == RDY_WIT_ITEM_INTERFACE && lists[k][i].id == id && lists[k][i].name)
				return fmt("%s (inline in world %s)", lists[k][i].name, v->world->name);
	return fmt("interface %d", id);
}

/* "@since(version = 1.1.0) @deprecated(version = 1.2.0)", or NULL when there is no gate. */
static char *stability_text(const rdy_wit_stability *s)
{
	bool since = s->kind == RDY_WIT_STAB_STABLE && s->since;
	if (!since && s->kind != RDY_WIT_STAB_UNSTABLE)
		return NULL;
	const char *gate = since ? "since(version" : "unstable(feature";
	const char *value = since ? s->since->text : s->feature;
	if (!s->deprecated)
		return fmt("@%s = %s)", gate, value);
	return fmt("@%s = %s) @deprecated(version = %s)", gate, value, s->deprecated->text);
}

static const char *side_name(int side)
{
	return side == RDY_SIDE_HOST ? "host" : side == RDY_SIDE_PLUGIN ? "plugin" : "unknown";
}

static const char *kind_name(rdy_wit_kind k)
{
	static const char *const names[] = {
		[RDY_WIT_ALIAS] = "type", [RDY_WIT_RECORD] = "record", [RDY_WIT_RESOURCE] = "resource",
		[RDY_WIT_HANDLE] = "handle", [RDY_WIT_FLAGS] = "flags", [RDY_WIT_TUPLE] = "tuple",
		[RDY_WIT_VARIANT] = "variant", [RDY_WIT_ENUM] = "enum", [RDY_WIT_OPTION] = "option",
		[RDY_WIT_RESULT] = "result", [RDY_WIT_LIST] = "list", [RDY_WIT_FIXED_LIST] = "fixed-list",
		[RDY_WIT_MAP] = "map", [RDY_WIT_FUTURE] = "future", [RDY_WIT_STREAM] = "stream",
		[RDY_WIT_UNKNOWN] = "unknown",
	};
	return (unsigned)k < sizeof names / sizeof *names ? names[k] : "unknown";
}

static uint32_t count_functions(const view *v)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < v->m->ninterfaces; i++)
		n += v->m->interfaces[i].nfuncs;
	for (uint32_t i = 0; i < v->world->nimports; i++)
		n += v->world->imports[i].kind == RDY_WIT_ITEM_FUNC;
	for (uint32_t i = 0; i < v->world->nexports; i++)
		n += v->world->exports[i].kind == RDY_WIT_ITEM_FUNC;
	return n;
}

/* Types named by no interface and no world: the anonymous ones, shown on their own. */
static bool *named_types(const view *v)
{
	bool *named = calloc(v->m->ntypes ? v->m->ntypes : 1, sizeof *named);
	if (!named)
		out_of_memory();
	for (uint32_t i = 0; i < v->m->ninterfaces; i++)
		for (uint32_t k = 0; k < v->m->interfaces[i].ntypes; k++)
			named[v->m->interfaces[i].types[k].id] = true;
	for (uint32_t i = 0; i < v->world->nimports; i++)
		if (v->world->imports[i].kind == RDY_WIT_ITEM_TYPE)
			named[v->world->imports[i].id] = true;
	for (uint32_t i = 0; i < v->world->nexports; i++)
		if (v->world->exports[i].kind == RDY_WIT_ITEM_TYPE)
			named[v->world->exports[i].id] = true;
	return named;
}

/* ---- text output: rows of aligned columns ---- */

enum { NCOLS = 3 };                    /* what; its layout or its gate; its hash */

/* A cell wider than its column's cap overflows rather than pushing every row to the right. */
static const size_t caps[NCOLS] = { 44, 28, 32 };

typedef struct row {
	int depth;                         /* indentation of the first cell, in steps of two */
	char *cell[NCOLS];                 /* owned; NULL when empty */
} row;

typedef struct table {
	view *v;
	row *rows;
	size_t n, cap;
} table;

static void add_row(table *t, int depth, char *what, char *detail, char *hash)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		row *r = realloc(t->rows, cap * sizeof *r);
		if (!r)
			out_of_memory();
		t->rows = r;
		t->cap = cap;
	}
	t->rows[t->n++] = (row){ depth, { what, detail, hash } };
}

static size_t cell_width(const row *r, int c)
{
	size_t n = r->cell[c] ? strlen(r->cell[c]) : 0;
	return c == 0 ? n + 2 * (size_t)r->depth : n;
}

/* Prints the rows with every column aligned, then frees them. */
static void print_table(table *t)
{
	size_t w[NCOLS] = { 0 };
	for (size_t i = 0; i < t->n; i++) {
		const row *r = &t->rows[i];
		bool alone = !r->cell[1] && !r->cell[2];   /* a line of its own sets no column */
		for (int c = 0; c < NCOLS - 1; c++)
			if (cell_width(r, c) > w[c] && cell_width(r, c) <= caps[c] && !(c == 0 && alone))
				w[c] = cell_width(r, c);
	}
	for (size_t i = 0; i < t->n; i++) {
		row *r = &t->rows[i];
		int last = NCOLS - 1;
		while (last > 0 && !r->cell[last])
			last--;
		for (int c = 0; c <= last; c++) {
			if (c > 0 && !w[c] && !r->cell[c])
				continue;          /* a column empty throughout takes no room */
			printf("%*s%s", c ? 0 : 2 * r->depth, "", r->cell[c] ? r->cell[c] : "");
			size_t cw = cell_width(r, c);
			if (c < last)
				printf("%*s", (int)(w[c] > cw ? w[c] - cw : 0) + 2, "");
		}
		putchar('\n');
		for (int c = 0; c < NCOLS; c++)
			free(r->cell[c]);
	}
	free(t->rows);
	*t = (table){ t->v, NULL, 0, 0 };
}

/* "size 8, align 4", then the type's gate if it has one. */
static char *type_detail(view *v, int32_t id)
{
	const rdy_abi_type *a = rdy_abi_layout(v->l, id);
	char *layout = a->status == RDY_ABI_OK ? fmt("size %u, align %u", a->size, a->align) : fmt("not in ABI v1");
	char *gate = stability_text(&v->m->types[id].stability);
	if (!gate)
		return layout;
	char *s = fmt("%s  %s", layout, gate);
	free(layout);
	free(gate);
	return s;
}

/* The members of a tagged type: the tag, then each case with its payload's offset. */
static void tagged_rows(table *t, int depth, const rdy_abi_type *a, const rdy_wit_case *cases, uint32_t n)
{
	view *v = t->v;
	add_row(t, depth, fmt("tag: u%u", 8u * a->disc), fmt("offset 0"), NULL);
	for (uint32_t i = 0; i < n; i++) {
		const rdy_wit_case *c = &cases[i];
		if (c->type == RDY_WIT_NONE) {
			add_row(t, depth, fmt("%s", c->name), fmt("tag %u", i), NULL);
			continue;
		}
		char *ty = type_text(v, c->type, false);
		add_row(t, depth, fmt("%s(%s)", c->name, ty), fmt("tag %u, offset %u", i, a->payload), NULL);
		free(ty);
	}
}

/* option<T> and result<T, E> as the variants they are (docs/abi.md §2.3). */
static void option_result_rows(table *t, int depth, const rdy_wit_typedef *d, const rdy_abi_type *a)
{
	rdy_wit_case cases[2] = { { "none", RDY_WIT_NONE, NULL, { 0, 0 } }, { "some", d->a, NULL, { 0, 0 } } };
	if (d->kind == RDY_WIT_RESULT) {
		cases[0] = (rdy_wit_case){ "ok", d->a, NULL, { 0, 0 } };
		cases[1] = (rdy_wit_case){ "err", d->b, NULL, { 0, 0 } };
	}
	tagged_rows(t, depth, a, cases, 2);
}

static void member_rows(table *t, int depth, const rdy_wit_typedef *d, const rdy_abi_type *a)
{
	view *v = t->v;
	for (uint32_t i = 0; i < d->ncases; i++) {
		char *ty = type_text(v, d->cases[i].type, false);
		char *what = d->cases[i].name ? fmt("%s: %s", d->cases[i].name, ty) : fmt("f%u: %s", i, ty);
		add_row(t, depth, what, fmt("offset %u", a->offsets ? a->offsets[i] : 0), NULL);
		free(ty);
	}
}

static void label_rows(table *t, int depth, const rdy_wit_typedef *d, const rdy_abi_type *a)
{
	for (uint32_t i = 0; i < d->ncases; i++) {
		char *where = d->kind == RDY_WIT_ENUM ? fmt("value %u", i)
			      : a->words ? fmt("word %u, bit %u", i / 64, i % 64) : fmt("bit %u", i);
		add_row(t, depth, fmt("%s", d->cases[i].name), where, NULL);
	}
}

/* The parts of type ID, one row each, under its own row. */
static void part_rows(table *t, int depth, int32_t id)
{
	const rdy_wit_typedef *d = &t->v->m->types[id];
	const rdy_abi_type *a = rdy_abi_layout(t->v->l, id);
	if (a->status != RDY_ABI_OK)
		return;
	switch (d->kind) {
	case RDY_WIT_RECORD: case RDY_WIT_TUPLE: member_rows(t, depth, d, a); break;
	case RDY_WIT_VARIANT: tagged_rows(t, depth, a, d->cases, d->ncases); break;
	case RDY_WIT_OPTION: case RDY_WIT_RESULT: option_result_rows(t, depth, d, a); break;
	case RDY_WIT_ENUM: case RDY_WIT_FLAGS: label_rows(t, depth, d, a); break;
	default: break;
	}
}

static int32_t owner_package(const view *v, const rdy_wit_typedef *d)
{
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		return v->m->interfaces[d->owner].package;
	if (d->owner_kind == RDY_WIT_OWNER_WORLD)
		return v->m->worlds[d->owner].package;
	return -1;
}

/* An alias's target as WIT writes it: "types.point" within a package, qualified across. */
static char *alias_target(view *v, const rdy_wit_typedef *d)
{
	const rdy_wit_typedef *to = d->a >= 0 ? &v->m->types[d->a] : NULL;
	if (!to || !to->name || to->owner_kind != RDY_WIT_OWNER_INTERFACE)
		return type_text(v, d->a, false);
	const rdy_wit_interface *in = &v->m->interfaces[to->owner];
	if (in->name && in->package == owner_package(v, d))
		return fmt("%s.%s", in->name, to->name);
	char *iface = iface_name(v, to->owner);
	char *s = fmt("%s.%s", iface, to->name);
	free(iface);
	return s;
}

/* A type as WIT declares it: "record point", "type point = types.point", "type bytes = list<u8>". */
static char *type_title(view *v, const char *name, int32_t id)
{
	const rdy_wit_typedef *d = &v->m->types[id];
	if (!name)
		return type_text(v, id, true);
	switch (d->kind) {
	case RDY_WIT_RECORD: case RDY_WIT_VARIANT: case RDY_WIT_ENUM: case RDY_WIT_FLAGS: case RDY_WIT_RESOURCE:
		return fmt("%s %s", kind_name(d->kind), name);
	default:
		break;
	}
	char *what = d->kind == RDY_WIT_ALIAS ? alias_target(v, d) : type_text(v, id, true);
	char *s = fmt("type %s = %s", name, what);
	free(what);
	return s;
}

static void type_rows(table *t, int depth, const char *name, int32_t id)
{
	view *v = t->v;
	const rdy_wit_typedef *d = &v->m->types[id];
	add_row(t, depth, type_title(v, name, id), type_detail(v, id), hash_text(rdy_hash_type(v->h, id)));
	if (d->kind != RDY_WIT_ALIAS)
		part_rows(t, depth + 1, id);
}

/* "PREFIX NAME: SIGNATURE", the signature on a line of its own when it would be too wide. */
static void func_rows(table *t, int depth, const char *prefix, const char *name, const rdy_wit_func *fn)
{
	view *v = t->v;
	char *sig = signature_text(v, fn);
	size_t width = 2 * (size_t)depth + (prefix ? strlen(prefix) + 1 : 0) + strlen(name) + 2 + strlen(sig);
	bool wrap = width > caps[0];
	add_row(t, depth, fmt("%s%s%s%s%s", prefix ? prefix : "", prefix ? " " : "", name, wrap ? "" : ": ",
			       wrap ? "" : sig),
		stability_text(&fn->stability), hash_text(rdy_hash_func(v->h, fn)));
	if (wrap)
		add_row(t, depth + 2, sig, NULL, NULL);
	else
		free(sig);
}

static void item_rows(table *t, const rdy_wit_item *items, uint32_t n, const char *dir)
{
	view *v = t->v;
	for (uint32_t i = 0; i < n; i++) {
		const rdy_wit_item *it = &items[i];
		if (it->kind == RDY_WIT_ITEM_FUNC) {
			func_rows(t, 1, dir, it->name, &it->func);
		} else if (it->kind == RDY_WIT_ITEM_TYPE) {
			char *title = type_title(v, it->name, it->id);
			add_row(t, 1, fmt("%s %s", dir, title), type_detail(v, it->id),
				hash_text(rdy_hash_type(v->h, it->id)));
			free(title);
		} else {
			char *name = iface_name(v, it->id);
			add_row(t, 1, fmt("%s %s", dir, name), stability_text(&it->stability),
				hash_text(rdy_hash_interface(v->h, it->id)));
			free(name);
		}
	}
}

static void print_header(view *v)
{
	uint32_t nf = count_functions(v);
	printf("%s: %s descriptor, ABI 1.%u, %zu bytes, %u type%s, %u function%s%s\n", v->file,
	       side_name(rdy_desc_side(v->d)), rdy_desc_version_minor(v->d), v->size, v->m->ntypes,
	       v->m->ntypes == 1 ? "" : "s", nf, nf == 1 ? "" : "s",
	       v->elf ? " (ELF note `" RDY_DESCRIPTOR_NOTE_NAME "`)" : "");
	printf("  producer  %s\n  features  ", rdy_desc_producer(v->d));
	for (uint32_t i = 0; i < rdy_desc_nfeatures(v->d); i++)
		printf("%s%s", i ? ", " : "", rdy_desc_feature(v->d, i));
	puts(rdy_desc_nfeatures(v->d) ? "" : "(none)");
}

static void world_rows(table *t)
{
	view *v = t->v;
	char *name = qualified(v, v->world->package, v->world->name);
	add_row(t, 0, NULL, NULL, NULL);
	add_row(t, 0, fmt("world %s", name), stability_text(&v->world->stability),
		hash_text(rdy_hash_world(v->h, v->world_id)));
	free(name);
	item_rows(t, v->world->imports, v->world->nimports, "import");
	item_rows(t, v->world->exports, v->world->nexports, "export");
}

static void interface_rows(table *t, int32_t id)
{
	view *v = t->v;
	const rdy_wit_interface *in = &v->m->interfaces[id];
	char *name = iface_name(v, id);
	add_row(t, 0, NULL, NULL, NULL);
	add_row(t, 0, fmt("interface %s", name), stability_text(&in->stability),
		hash_text(rdy_hash_interface(v->h, id)));
	free(name);
	for (uint32_t k = 0; k < in->ntypes; k++)
		type_rows(t, 1, in->types[k].name, in->types[k].id);
	for (uint32_t k = 0; k < in->nfuncs; k++)
		func_rows(t, 1, NULL, in->funcs[k].name, &in->funcs[k]);
}

static void anonymous_rows(table *t, const bool *named)
{
	size_t before = t->n;
	for (uint32_t id = 0; id < t->v->m->ntypes; id++)
		if (!named[id]) {
			if (t->n == before) {
				add_row(t, 0, NULL, NULL, NULL);
				add_row(t, 0, fmt("anonymous types"), NULL, NULL);
			}
			type_rows(t, 1, NULL, (int32_t)id);
		}
}

/* One table for the whole report, so that every block shares its columns. */
static void print_text(view *v)
{
	bool *named = named_types(v);
	table t = { v, NULL, 0, 0 };
	print_header(v);
	world_rows(&t);
	for (uint32_t i = 0; i < v->m->ninterfaces; i++)
		interface_rows(&t, (int32_t)i);
	anonymous_rows(&t, named);
	print_table(&t);
	free(named);
}

/* ---- JSON output: one object, type_table entries one per line ---- */

/* S as a JSON string, or null. */
static void jstr(const char *s)
{
	if (s)
		rdy_wit_json_string(s, stdout);
	else
		fputs("null", stdout);
}

/* The same, for a string of ours, which is freed. */
static void jtake(char *s)
{
	jstr(s);
	free(s);
}

static void jtype(view *v, const char *key, rdy_wit_type t)
{
	printf(", \"%s\": ", key);
	jtake(t == RDY_WIT_NONE ? NULL : type_text(v, t, false));
}

static void jhash(rdy_hash h)
{
	char buf[33];
	printf(", \"hash\": \"%s\"", rdy_hash_hex(h, buf));
}

static void jfunc(view *v, const char *kind, const rdy_wit_func *fn)
{
	printf("{%s%s%s\"name\": ", kind ? "\"kind\": \"" : "", kind ? kind : "", kind ? "\", " : "");
	rdy_wit_json_string(fn->name, stdout);
	fputs(", \"signature\": ", stdout);
	jtake(signature_text(v, fn));
	fputs(", \"stability\": ", stdout);
	jtake(stability_text(&fn->stability));
	jhash(rdy_hash_func(v->h, fn));
	putchar('}');
}

static void jitems(view *v, const rdy_wit_item *items, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const rdy_wit_item *it = &items[i];
		fputs(i ? ", " : "", stdout);
		if (it->kind == RDY_WIT_ITEM_FUNC) {
			jfunc(v, "function", &it->func);
			continue;
		}
		bool type = it->kind == RDY_WIT_ITEM_TYPE;
		printf("{\"kind\": \"%s\", \"name\": ", type ? "type" : "interface");
		if (type) {
			jstr(it->name);
			printf(", \"index\": %d", it->id);
		} else {
			jtake(iface_name(v, it->id));
			fputs(", \"stability\": ", stdout);
			jtake(stability_text(&it->stability));
		}
		jhash(type ? rdy_hash_type(v->h, it->id) : rdy_hash_interface(v->h, it->id));
		putchar('}');
	}
}

static void jworld(view *v)
{
	fputs(",\n  \"world\": {\"name\": ", stdout);
	jtake(qualified(v, v->world->package, v->world->name));
	fputs(", \"stability\": ", stdout);
	jtake(stability_text(&v->world->stability));
	jhash(rdy_hash_world(v->h, v->world_id));
	fputs(", \"imports\": [", stdout);
	jitems(v, v->world->imports, v->world->nimports);
	fputs("], \"exports\": [", stdout);
	jitems(v, v->world->exports, v->world->nexports);
	fputs("]}", stdout);
}

static void jinterface(view *v, int32_t id)
{
	const rdy_wit_interface *in = &v->m->interfaces[id];
	fputs("{\"name\": ", stdout);
	jtake(iface_name(v, id));
	fputs(", \"stability\": ", stdout);
	jtake(stability_text(&in->stability));
	jhash(rdy_hash_interface(v->h, id));
	fputs(", \"types\": [", stdout);
	for (uint32_t k = 0; k < in->ntypes; k++) {
		printf("%s{\"name\": ", k ? ", " : "");
		rdy_wit_json_string(in->types[k].name, stdout);
		printf(", \"index\": %d}", in->types[k].id);
	}
	fputs("], \"functions\": [", stdout);
	for (uint32_t k = 0; k < in->nfuncs; k++) {
		fputs(k ? ",\n      " : "\n      ", stdout);
		jfunc(v, NULL, &in->funcs[k]);
	}
	fputs(in->nfuncs ? "\n    ]}" : "]}", stdout);
}

/* Names and types of a record's fields, a variant's cases, an enum's or flags' labels. */
static void jcases(view *v, const char *key, const rdy_wit_typedef *d, bool typed)
{
	printf(", \"%s\": [", key);
	for (uint32_t i = 0; i < d->ncases; i++) {
		fputs(i ? ", " : "", stdout);
		if (typed)
			fputs("{\"name\": ", stdout);
		if (d->cases[i].name)
			jstr(d->cases[i].name);
		else
			printf("\"f%u\"", i);
		if (typed) {
			jtype(v, "type", d->cases[i].type);
			putchar('}');
		}
	}
	putchar(']');
}

static void joffsets(const rdy_wit_typedef *d, const rdy_abi_type *a)
{
	fputs(", \"offsets\": [", stdout);
	for (uint32_t i = 0; i < d->ncases && a->offsets; i++)
		printf("%s%u", i ? ", " : "", a->offsets[i]);
	putchar(']');
}

/* What each kind adds to its entry in the type table. */
static void jparts(view *v, const rdy_wit_typedef *d, const rdy_abi_type *a)
{
	bool tagged = d->kind == RDY_WIT_VARIANT || d->kind == RDY_WIT_OPTION || d->kind == RDY_WIT_RESULT;
	if (tagged || d->kind == RDY_WIT_ENUM)
		printf(", \"tag_size\": %u", a->disc);
	if (tagged)
		printf(", \"payload_offset\": %u", a->payload);
	switch (d->kind) {
	case RDY_WIT_RECORD: case RDY_WIT_TUPLE: jcases(v, "fields", d, true); joffsets(d, a); break;
	case RDY_WIT_VARIANT: jcases(v, "cases", d, true); break;
	case RDY_WIT_ENUM: jcases(v, "cases", d, false); break;
	case RDY_WIT_FLAGS: jcases(v, "flags", d, false); printf(", \"words\": %u", a->words); break;
	case RDY_WIT_OPTION: jtype(v, "some", d->a); break;
	case RDY_WIT_RESULT: jtype(v, "ok", d->a); jtype(v, "err", d->b); break;
	case RDY_WIT_LIST: jtype(v, "element", d->a); break;
	case RDY_WIT_FIXED_LIST: jtype(v, "element", d->a); printf(", \"length\": %u", d->size); break;
	case RDY_WIT_MAP: jtype(v, "key", d->a); jtype(v, "value", d->b); break;
	case RDY_WIT_ALIAS: jtype(v, "target", d->a); break;
	case RDY_WIT_HANDLE:
		printf(", \"handle\": \"%s\"", d->borrow ? "borrow" : "own");
		jtype(v, "resource", d->a);
		break;
	default: break;
	}
}

static void jtype_entry(view *v, int32_t id)
{
	const rdy_wit_typedef *d = &v->m->types[id];
	const rdy_abi_type *a = rdy_abi_layout(v->l, id);
	printf("{\"index\": %d, \"name\": ", id);
	jstr(d->name);
	printf(", \"kind\": \"%s\"", kind_name(d->kind));
	jtype(v, "wit", id);
	fputs(", \"owner\": ", stdout);
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		jtake(iface_name(v, d->owner));
	else if (d->owner_kind == RDY_WIT_OWNER_WORLD)
		jtake(qualified(v, v->m->worlds[d->owner].package, v->m->worlds[d->owner].name));
	else
		jstr(NULL);
	printf(", \"size\": %u, \"align\": %u, \"in_abi_v1\": %s", a->size, a->align,
	       a->status == RDY_ABI_OK ? "true" : "false");
	fputs(", \"stability\": ", stdout);
	jtake(stability_text(&d->stability));
	jparts(v, d, a);
	jhash(rdy_hash_type(v->h, id));
	putchar('}');
}

static void print_json(view *v)
{
	fputs("{\n  \"file\": ", stdout);
	rdy_wit_json_string(v->file, stdout);
	printf(",\n  \"container\": \"%s\",\n  \"side\": \"%s\",\n  \"abi_version\": \"1.%u\",\n  \"producer\": ",
	       v->elf ? "elf" : "descriptor", side_name(rdy_desc_side(v->d)), rdy_desc_version_minor(v->d));
	rdy_wit_json_string(rdy_desc_producer(v->d), stdout);
	fputs(",\n  \"features\": [", stdout);
	for (uint32_t i = 0; i < rdy_desc_nfeatures(v->d); i++) {
		fputs(i ? ", " : "", stdout);
		rdy_wit_json_string(rdy_desc_feature(v->d, i), stdout);
	}
	printf("],\n  \"size_bytes\": %zu,\n  \"types\": %u,\n  \"functions\": %u", v->size, v->m->ntypes,
	       count_functions(v));
	jworld(v);
	fputs(",\n  \"interfaces\": [", stdout);
	for (uint32_t i = 0; i < v->m->ninterfaces; i++) {
		fputs(i ? ",\n    " : "\n    ", stdout);
		jinterface(v, (int32_t)i);
	}
	fputs(v->m->ninterfaces ? "\n  ],\n  \"type_table\": [" : "],\n  \"type_table\": [", stdout);
	for (uint32_t i = 0; i < v->m->ntypes; i++) {
		fputs(i ? ",\n    " : "\n    ", stdout);
		jtype_entry(v, (int32_t)i);
	}
	fputs(v->m->ntypes ? "\n  ]\n}\n" : "]\n}\n", stdout);
}

/* ---- the command ---- */

static int report(view *v, bool json)
{
	v->m = rdy_desc_model(v->d);
	v->world_id = rdy_desc_world(v->d);
	v->world = &v->m->worlds[v->world_id];
	v->l = rdy_abi_layouts_new(v->m);
	v->h = rdy_hashes_new(v->m);
	if (!v->l || !v->h)
		out_of_memory();
	if (json)
		print_json(v);
	else
		print_text(v);
	rdy_hashes_free(v->h);
	rdy_abi_layouts_free(v->l);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "error: cannot write the report: %s\n", strerror(errno));
		return RDY_EXIT_FAIL;
	}
	return RDY_EXIT_OK;
}

int rdy_cmd_inspect(int argc, char **argv)
{
	bool json = false;
	view v = { 0 };
	const rdy_cli_opt opts[] = { { "--json", NULL, &json }, { NULL, NULL, NULL } };
	const rdy_cli_spec spec = { "rdy inspect", usage, "FILE", opts };
	int rc = rdy_cli_parse(&spec, argc - 1, argv + 1, &v.file);
	if (rc)
		return rc;
	uint8_t *bytes = NULL;
	char err[512];
	if (rdy_cli_read_descriptor(v.file, &bytes, &v.size, &v.elf, err, sizeof err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return RDY_EXIT_FAIL;
	}
	rdy_desc *d = rdy_desc_decode(bytes, v.size, err, sizeof err);
	free(bytes);
	if (!d) {
		fprintf(stderr, "error: %s: %s\n", v.file, err);
		return RDY_EXIT_FAIL;
	}
	v.d = d;
	rc = report(&v, json);
	rdy_desc_free(d);
	return rc;
}
