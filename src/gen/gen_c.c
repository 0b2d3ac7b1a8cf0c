/*
 * The C generator.  One pass names every type and function the world
 * reaches; a second writes the header (types, free functions, the calls of
 * this side) and a third the source (the descriptor, tables and thunks).
 *
 * Names follow wit-bindgen's C conventions: `<ns>_<pkg>_<iface>_<name>_t`
 * for types, `<ns>_<pkg>_<iface>_<func>` for imports and `exports_...` for
 * exports, with kebab-case turned into snake_case.
 */
#include "gen/gen.h"
#include "gen/gen_int.h"
#include "abi/abi.h"
#include "abi/desc.h"
#include "abi/funcs.h"
#include "wit/arena.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct anon {
	const char *mangled, *name;
	bool emitted;
};

/* A string -> int32 map, open addressing. */
struct smap {
	const char **k;
	int32_t *v;
	uint32_t n, cap;
};

typedef struct G {
	const rdy_gen_input *in;
	const rdy_wit_model *m;
	const rdy_wit_world *w;
	rdy_abi_layouts *l;
	rdy_hashes *hs;
	rdy__arena a;
	jmp_buf oom;
	FILE *h, *c;
	const char *wp;                    /* the world's prefix: "example_shapes_plugin" */
	const char **tname;                /* per type: its C name without `_t`, once named */
	const char ***members;             /* per type: its fields' or cases' C names, once made */
	uint8_t *state;                    /* per type: 0 new, 1 being emitted, 2 emitted */
	int8_t *needs_free;                /* per type: -1 unknown, 0, 1 */
	const char **short_owner;          /* per short type name seen: ambiguous when two owners */
	struct smap used;                  /* C identifiers taken */
	struct anon *anon;                 /* anonymous types by structure */
	uint32_t nanon, capanon;
	struct smap shorts;                /* short type name -> the type, or -1 when ambiguous */
	rdy_abi_fref *imp, *exp;
	uint32_t nimp, nexp;
	rdy_abi_rref *eres;                /* the resources the plugin implements [R-RES] */
	uint32_t neres;
	rdy_abi_rref *ires;                /* the resources the host implements: the world's imported ones */
	uint32_t nires;
	const char **imp_name, **imp_has, **exp_name, **exp_has; /* claimed once, in table order */
} G;

static void oom(void *ud)
{
	longjmp(((G *)ud)->oom, 1);
}

/* ---- identifiers -------------------------------------------------------------- */

static char *snake(G *g, const char *s)
{
	size_t n = strlen(s);
	char *r = rdy__strndup(&g->a, s, n);
	for (size_t i = 0; i < n; i++)
		r[i] = r[i] == '-' ? '_' : (char)tolower((unsigned char)r[i]);
	return r;
}

static char *upper(G *g, const char *s)
{
	char *r = rdy__strndup(&g->a, s, strlen(s));
	for (char *p = r; *p; p++)
		*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	return r;
}

/* Words C reserves, and names libc or GNU C define as macros. */
static const char *const reserved[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "bool", "true", "false", "alignas", "alignof", "noreturn", "static_assert",
	"thread_local", "complex", "imaginary", "errno", "stdin", "stdout", "stderr", "assert", "offsetof",
	"linux", "unix", "i386", "ret", "state", "ctx", "im", "p", "inst", "fn",
	/* C++ keywords, so the headers serve C++ too */
	"and", "and_eq", "asm", "bitand", "bitor", "catch", "class", "compl", "const_cast", "constexpr",
	"decltype", "delete", "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace", "new",
	"noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
	"reinterpret_cast", "static_cast", "template", "this", "throw", "try", "typeid", "typename", "using",
	"virtual", "wchar_t", "xor", "xor_eq", "char8_t", "char16_t", "char32_t", "concept", "requires",
	"co_await", "co_return", "co_yield", "consteval", "constinit", NULL
};

/* A member or parameter name: snake case, with `_` appended to a reserved word. */
static const char *member(G *g, const char *name)
{
	const char *s = snake(g, name);
	for (const char *const *r = reserved; *r; r++)
		if (!strcmp(*r, s))
			return rdy__sprintf(&g->a, "%s_", s);
	return s;
}

/*
 * Member names of one scope (a record's fields, a variant's cases, a
 * function's parameters): NAMES[i] spelled by member(), with `_2`, `_3` ...
 * after one that an earlier member of the scope already spells (`a` and `A`
 * are two WIT names and one C name).  Returns an array of N names.
 */
static const char **scoped(G *g, const char *const *names, uint32_t n);

static uint32_t strhash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of K in M: its value, or a new one set to -2 (absent) when ADD. */
static int32_t *smap_slot(G *g, struct smap *m, const char *k, bool add)
{
	if (add && m->n * 2 >= m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 256;
		const char **nk = rdy__allocn(&g->a, cap, sizeof *nk);
		int32_t *nv = rdy__allocn(&g->a, cap, sizeof *nv);
		for (uint32_t i = 0; i < m->cap; i++)
			if (m->k[i]) {
				uint32_t j = strhash(m->k[i]) & (cap - 1);
				while (nk[j])
					j = (j + 1) & (cap - 1);
				nk[j] = m->k[i];
				nv[j] = m->v[i];
			}
		m->k = nk;
		m->v = nv;
		m->cap = cap;
	}
	if (!m->cap)
		return NULL;
	uint32_t j = strhash(k) & (m->cap - 1);
	for (; m->k[j]; j = (j + 1) & (m->cap - 1))
		if (!strcmp(m->k[j], k))
			return &m->v[j];
	if (!add)
		return NULL;
	m->k[j] = k;
	m->v[j] = -2;
	m->n++;
	return &m->v[j];
}

static bool taken(G *g, const char *s, bool claim)
{
	int32_t *v = smap_slot(g, &g->used, s, claim);
	if (!v)
		return false;
	if (*v == -2) {
		*v = 0;
		return false;
	}
	return true;
}

/* Claims NAME, or NAME_2, NAME_3 ... when two WIT items spell the same C name. */
static const char *claim(G *g, const char *name)
{
	if (!taken(g, name, true))
		return name;
	for (uint32_t i = 2;; i++) {
		const char *s = rdy__sprintf(&g->a, "%s_%u", name, i);
		if (!taken(g, s, true))
			return s;
	}
}

/*
 * Claims BASE and BASE followed by each of SUFFIXES (NULL-terminated), or
 * BASE_2 and its family, and so on: every name the generated code derives
 * from one WIT item stays distinct from every other.
 */
static const char *claim_family(G *g, const char *base, const char *const *suffixes)
{
	for (uint32_t k = 1;; k++) {
		const char *cand = k == 1 ? base : rdy__sprintf(&g->a, "%s_%u", base, k);
		bool free_all = !taken(g, cand, false);
		for (const char *const *sf = suffixes; free_all && *sf; sf++)
			free_all = !taken(g, rdy__sprintf(&g->a, "%s%s", cand, *sf), false);
		if (!free_all)
			continue;
		taken(g, cand, true);
		for (const char *const *sf = suffixes; *sf; sf++)
			taken(g, rdy__sprintf(&g->a, "%s%s", cand, *sf), true);
		return cand;
	}
}

/* What a type's C name N brings along: N_t, N_free, a resource's handles, a map's entries. */
static const char *const type_family[] = {
	"_t", "_free", "_copy", "_own", "_own_t", "_borrow", "_borrow_t", "_entry", "_entry_t", NULL
};

/* A resource's: its rep type (the plugin's object) and the functions that handle it. */
static const char *const resource_family[] = {
	"_t", "_free", "_copy", "_own", "_own_t", "_borrow", "_borrow_t", "_entry", "_entry_t",
	"_new", "_rep", "_take", "_drop", "_destructor", "_lend", "_end", NULL
};

static const char **scoped(G *g, const char *const *names, uint32_t n)
{
	const char **out = rdy__allocn(&g->a, n + 1, sizeof *out);
	for (uint32_t i = 0; i < n; i++) {
		const char *base = member(g, names[i]), *cand = base;
		for (uint32_t k = 2;; k++) {
			bool clash = false;
			for (uint32_t j = 0; j < i && !clash; j++)
				clash = !strcmp(out[j], cand);
			if (!clash)
				break;
			cand = rdy__sprintf(&g->a, "%s_%u", base, k);
		}
		out[i] = cand;
	}
	return out;
}

/* The C member names of a record's fields or a variant's cases, made once per type. */
static const char *case_member(G *g, rdy_wit_type t, uint32_t i)
{
	if (!g->members[t]) {
		const rdy_wit_typedef *d = &g->m->types[t];
		const char **names = rdy__allocn(&g->a, d->ncases + 1, sizeof *names);
		for (uint32_t k = 0; k < d->ncases; k++)
			names[k] = d->cases[k].name ? d->cases[k].name : "";
		g->members[t] = scoped(g, names, d->ncases);
	}
	return g->members[t][i];
}

static const char *pkg_prefix(G *g, int32_t p)
{
	const rdy_wit_package *pk = &g->m->packages[p];
	return rdy__sprintf(&g->a, "%s_%s", snake(g, pk->ns), snake(g, pk->name));
}

/* The key under which world W names inline interface I, if any. */
static const char *inline_key(G *g, int32_t iface)
{
	const rdy_wit_item *v[2] = { g->w->imports, g->w->exports };
	uint32_t n[2] = { g->w->nimports, g->w->nexports };
	for (int s = 0; s < 2; s++)
		for (uint32_t i = 0; i < n[s]; i++)
			if (v[s][i].kind == RDY_WIT_ITEM_INTERFACE && v[s][i].id == iface && v[s][i].name)
				return v[s][i].name;
	return "iface";
}

static const char *iface_prefix(G *g, int32_t i)
{
	const rdy_wit_interface *in = &g->m->interfaces[i];
	if (in->name && in->package >= 0)
		return rdy__sprintf(&g->a, "%s_%s", pkg_prefix(g, in->package), snake(g, in->name));
	return rdy__sprintf(&g->a, "%s_%s", g->wp, snake(g, inline_key(g, i)));
}

/* ---- types ---------------------------------------------------------------------- */

static const char *const prim_c[] = {
	"", "bool", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t",
	"float", "double", "uint32_t", "rdy_string_t", "?"
};
static const char *const prim_w[] = {
	"", "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "?"
};

static rdy_wit_type unalias(G *g, rdy_wit_type t)
{
	return rdy_gen_unalias(g->m, t);
}

static const rdy_wit_typedef *def(G *g, rdy_wit_type t)
{
	return &g->m->types[t];
}

static const char *tname(G *g, rdy_wit_type t);

/* A type's part of an anonymous type's name: "u32", "point", "list_string". */
static const char *mangle(G *g, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return "void";
	if (t < 0)
		return prim_w[-t];
	const rdy_wit_typedef *d = def(g, t);
	if (d->name) {
		/* the short name, unless two distinct types of the model share it */
		int32_t *who = smap_slot(g, &g->shorts, snake(g, d->name), false);
		return who && *who == unalias(g, t) ? snake(g, d->name) : tname(g, t);
	}
	switch (d->kind) {
	case RDY_WIT_ALIAS: return mangle(g, d->a);
	case RDY_WIT_LIST: return rdy__sprintf(&g->a, "list_%s", mangle(g, d->a));
	case RDY_WIT_FIXED_LIST: return rdy__sprintf(&g->a, "list_%s_%u", mangle(g, d->a), d->size);
	case RDY_WIT_OPTION: return rdy__sprintf(&g->a, "option_%s", mangle(g, d->a));
	case RDY_WIT_RESULT: return rdy__sprintf(&g->a, "result_%s_%s", mangle(g, d->a), mangle(g, d->b));
	case RDY_WIT_MAP: return rdy__sprintf(&g->a, "map_%s_%s", mangle(g, d->a), mangle(g, d->b));
	case RDY_WIT_HANDLE: return rdy__sprintf(&g->a, "%s_%s", d->borrow ? "borrow" : "own", mangle(g, d->a));
	case RDY_WIT_TUPLE: {
		const char *s = rdy__sprintf(&g->a, "tuple%u", d->ncases);
		for (uint32_t i = 0; i < d->ncases; i++)
			s = rdy__sprintf(&g->a, "%s_%s", s, mangle(g, d->cases[i].type));
		return s;
	}
	default: return "unknown";
	}
}

/*
 * The C name of a type definition, without `_t`.  Named types take their
 * owner's prefix; anonymous ones the world's prefix and a name spelled from
 * their structure, shared by every anonymous type of the same structure.
 */
static const char *tname(G *g, rdy_wit_type t)
{
	if (g->tname[t])
		return g->tname[t];
	const rdy_wit_typedef *d = def(g, t);
	if (d->kind == RDY_WIT_HANDLE) {
		const char *r = tname(g, unalias(g, d->a));
		return g->tname[t] = rdy__sprintf(&g->a, "%s_%s", r, d->borrow ? "borrow" : "own");
	}
	if (d->kind == RDY_WIT_RESOURCE) { /* its handle types take the names beside it */
		const char *owner = d->owner_kind == RDY_WIT_OWNER_INTERFACE ? iface_prefix(g, d->owner) : g->wp;
		return g->tname[t] = claim_family(g, rdy__sprintf(&g->a, "%s_%s", owner, snake(g, d->name)), resource_family);
	}
	if (d->kind == RDY_WIT_ALIAS && !d->name)
		return g->tname[t] = d->a < 0 ? prim_c[-d->a] : tname(g, d->a);
	if (d->name) {
		const char *owner = d->owner_kind == RDY_WIT_OWNER_INTERFACE ? iface_prefix(g, d->owner) : g->wp;
		return g->tname[t] = claim_family(g, rdy__sprintf(&g->a, "%s_%s", owner, snake(g, d->name)), type_family);
	}
	const char *mg = mangle(g, t);
	if (strlen(mg) > 64) { /* a name past this helps nobody: spell the structural hash */
		char hex[33];
		mg = rdy__sprintf(&g->a, "anon_%.16s", rdy_hash_hex(rdy_hash_type(g->hs, t), hex));
	}
	for (uint32_t i = 0; i < g->nanon; i++)
		if (!strcmp(g->anon[i].mangled, mg))
			return g->tname[t] = g->anon[i].name;
	const char *name = claim_family(g, rdy__sprintf(&g->a, "%s_%s", g->wp, mg), type_family);
	*RDY_PUSH(&g->a, g->anon, g->nanon, g->capanon) = (struct anon){ mg, name, false };
	return g->tname[t] = name;
}

/* The C type spelling a value of T. */
static const char *ctype(G *g, rdy_wit_type t)
{
	if (t < 0)
		return prim_c[-t];
	rdy_wit_type u = unalias(g, t);
	if (u >= 0 && def(g, u)->kind == RDY_WIT_RESOURCE) /* a resource used as a value means own<R> */
		return rdy__sprintf(&g->a, "%s_own_t", tname(g, u));
	if (def(g, t)->kind == RDY_WIT_ALIAS && !def(g, t)->name)
		return ctype(g, def(g, t)->a);
	return rdy__sprintf(&g->a, "%s_t", tname(g, t));
}

/* The index of resource R in V (N of them), or -1. */
static int32_t rindex_of(const rdy_abi_rref *v, uint32_t n, rdy_wit_type r)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].type == r)
			return (int32_t)i;
	return -1;
}

static int32_t eres(G *g, rdy_wit_type r)
{
	return rindex_of(g->eres, g->neres, r);
}

/*
 * What a parameter or whole result of type T is, as far as handles go: when
 * T is own<R> or borrow<R> (or R as a value), R, with *BORROW telling
 * which, and *PLUGIN whether the plugin implements R (its index among the
 * world's exported resources in *K) or the host (among its imported ones).
 * Otherwise -1.
 */
static rdy_wit_type handle_of(G *g, rdy_wit_type t, bool *borrow, bool *plugin, int32_t *k)
{
	rdy_wit_type u = unalias(g, t);
	if (u < 0)
		return -1;
	const rdy_wit_typedef *d = def(g, u);
	*borrow = d->kind == RDY_WIT_HANDLE && d->borrow;
	if (d->kind == RDY_WIT_HANDLE)
		u = unalias(g, d->a);
	if (u < 0 || def(g, u)->kind != RDY_WIT_RESOURCE)
		return -1;
	if ((*k = eres(g, u)) >= 0) {
		*plugin = true;
		return u;
	}
	if ((*k = rindex_of(g->ires, g->nires, u)) >= 0) {
		*plugin = false;
		return u;
	}
	return -1;
}

/* A resource's handle type for the runtime [R-RES]: the world's exported resources, then its imported ones. */
static uint32_t handle_type(G *g, bool plugin, int32_t k)
{
	return plugin ? (uint32_t)k : g->neres + (uint32_t)k;
}

static bool needs_free(G *g, rdy_wit_type t)
{
	return rdy_gen_needs_free(g->m, g->needs_free, t);
}

/* The statement freeing what the value at EXPR (an lvalue of type T) owns. */
static const char *free_call(G *g, rdy_wit_type t, const char *expr)
{
	if (t == RDY_WIT_STRING)
		return rdy__sprintf(&g->a, "rdy_string_free(&%s);", expr);
	while (t >= 0 && def(g, t)->kind == RDY_WIT_ALIAS && !def(g, t)->name)
		t = def(g, t)->a;
	if (t == RDY_WIT_STRING)
		return rdy__sprintf(&g->a, "rdy_string_free(&%s);", expr);
	return rdy__sprintf(&g->a, "%s_free(&%s);", tname(g, t), expr);
}

static const char *uint_of(uint32_t bytes)
{
	return bytes == 1 ? "uint8_t" : bytes == 2 ? "uint16_t" : bytes == 4 ? "uint32_t" : "uint64_t";
}

/* Documentation as a C comment, indented by IND; "*" "/" inside is broken up. */
static void doc(G *g, FILE *f, const char *ind, const char *docs)
{
	if (!docs || !*docs)
		return;
	fprintf(f, "%s/*\n", ind);
	const char *s = docs;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		fprintf(f, "%s *%s", ind, n ? " " : "");
		for (size_t i = 0; i < n; i++) {
			fputc(s[i], f);
			if (s[i] == '*' && i + 1 < n && s[i + 1] == '/')
				fputc(' ', f);
		}
		fputc('\n', f);
		s += n + (e != NULL);
	}
	fprintf(f, "%s */\n", ind);
	(void)g;
}

static void assert_size(G *g, const char *cn, rdy_wit_type t)
{
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	fprintf(g->h, "RDY_STATIC_ASSERT(sizeof(%s_t) == %u && RDY_ALIGNOF(%s_t) == %u, \"%s_t: ABI v1 layout\");\n", cn,
		a->size, cn, a->align, cn);
}

static void emit_type(G *g, rdy_wit_type t);

/* What the side that implements resource T (the plugin) sees of it: its rep and the handle functions. */
static void emit_resource(G *g, rdy_wit_type t, const char *cn)
{
	int32_t k = eres(g, t), j = rindex_of(g->ires, g->nires, t);
	FILE *h = g->h;
	if (j >= 0 && g->in->side == RDY_SIDE_HOST) {
		fprintf(h, "/*\n * Your object of resource `%s`: you define struct %s.  Your functions\n"
			   " * get its pointer where a parameter or result is a handle of it; plugins\n"
			   " * see only handles (docs/abi.md §4).\n */\ntypedef struct %s %s_t;\n", def(g, t)->name, cn, cn, cn);
		return;
	}
	if (j >= 0) {
		fprintf(h, "/* Drops an own handle to the host's `%s`: the host's destructor runs, once. */\n"
			   "static inline int32_t %s_drop(const rdy_imports_v1 *im, %s_own_t own)\n{\n"
			   "\treturn im->handles->drop(im->rt, %uu, own.handle);\n}\n", def(g, t)->name, cn, cn,
			g->neres + (uint32_t)j);
		return;
	}
	if (k < 0)
		return;
	if (g->in->side == RDY_SIDE_HOST) {
		fprintf(h, "/* The plugin's object behind a handle: opaque here (docs/abi.md §4). */\n"
			   "typedef struct %s %s_t;\n", cn, cn);
		return;
	}
	fprintf(h, "/*\n * Your object of resource `%s`: you define struct %s.  The generated\n"
		   " * code hands you its pointer (its rep) where a method's self or a parameter\n"
		   " * or result is a handle of it; inside other types it stays a handle, which\n"
		   " * these functions turn into a rep and back (docs/abi.md §4).\n */\n", def(g, t)->name, cn);
	fprintf(h, "typedef struct %s %s_t;\n", cn, cn);
	fprintf(h, "/* A new own handle to REP, for a result: ownership goes with it. */\n"
		   "static inline int32_t %s_new(const rdy_imports_v1 *im, %s_t *rep, %s_own_t *out)\n{\n"
		   "\treturn im->handles->own_new(im->rt, %du, rep, &out->handle);\n}\n", cn, cn, cn, k);
	fprintf(h, "/* The object behind a handle that you were lent or given, checked. */\n"
		   "static inline int32_t %s_rep(const rdy_imports_v1 *im, uint32_t handle, %s_t **rep)\n{\n"
		   "\tvoid *p = NULL;\n"
		   "\tint32_t st = im->handles->rep(im->rt, %du, handle, &p);\n"
		   "\t*rep = (%s_t *)p;\n\treturn st;\n}\n", cn, cn, k, cn);
	fprintf(h, "/* Consumes an own handle you were given: its object is yours again. */\n"
		   "static inline int32_t %s_take(const rdy_imports_v1 *im, %s_own_t own, %s_t **rep)\n{\n"
		   "\tvoid *p = NULL;\n"
		   "\tint32_t st = im->handles->take(im->rt, %du, own.handle, &p);\n"
		   "\t*rep = (%s_t *)p;\n\treturn st;\n}\n", cn, cn, cn, k, cn);
	fprintf(h, "/* Drops an own handle you were given: %s_destructor runs, once. */\n"
		   "static inline int32_t %s_drop(const rdy_imports_v1 *im, %s_own_t own)\n{\n"
		   "\treturn im->handles->drop(im->rt, %du, own.handle);\n}\n", cn, cn, cn, k);
}

static void emit_deps(G *g, rdy_wit_type t)
{
	const rdy_wit_typedef *d = def(g, t);
	for (uint32_t i = 0; i < d->ncases; i++)
		if (d->cases[i].type >= 0)
			emit_type(g, d->cases[i].type);
	if (d->a >= 0 && d->a != RDY_WIT_NONE)
		emit_type(g, d->a);
	if (d->b >= 0 && d->b != RDY_WIT_NONE)
		emit_type(g, d->b);
}

/* A variant-like struct: TAG, then a union of the cases that carry a payload. */
static void emit_tagged(G *g, const char *cn, const char *tag, uint8_t disc, const char *const *names,
			const rdy_wit_type *types, uint32_t n, rdy_wit_type t)
{
	FILE *h = g->h;
	bool any = false;
	for (uint32_t i = 0; i < n; i++)
		any |= types[i] != RDY_WIT_NONE;
	fprintf(h, "typedef struct %s {\n\t%s %s;\n", cn, uint_of(disc), tag);
	if (any) {
		fputs("\tunion {\n", h);
		for (uint32_t i = 0; i < n; i++)
			if (types[i] != RDY_WIT_NONE)
				fprintf(h, "\t\t%s %s;\n", ctype(g, types[i]), names[i]);
		fputs("\t} val;\n", h);
	}
	fprintf(h, "} %s_t;\n", cn);
	assert_size(g, cn, t);
	if (any)
		fprintf(h, "RDY_STATIC_ASSERT(offsetof(%s_t, val) == %u, \"%s_t.val\");\n", cn, rdy_abi_layout(g->l, t)->payload,
			cn);
}

static void emit_free(G *g, rdy_wit_type t, const char *cn)
{
	if (!needs_free(g, t))
		return;
	const rdy_wit_typedef *d = def(g, t);
	FILE *h = g->h;
	fprintf(h, "/* Frees what *P owns (not P itself); P is left empty. */\n");
	fprintf(h, "static inline void %s_free(%s_t *p)\n{\n", cn, cn);
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		fprintf(h, "\t%s\n", free_call(g, d->a, "(*p)"));
		break;
	case RDY_WIT_RECORD:
	case RDY_WIT_TUPLE:
		for (uint32_t i = 0; i < d->ncases; i++)
			if (needs_free(g, d->cases[i].type))
				fprintf(h, "\t%s\n", free_call(g, d->cases[i].type,
					rdy__sprintf(&g->a, "p->%s", d->kind == RDY_WIT_RECORD ? case_member(g, t, i)
										  : rdy__sprintf(&g->a, "f%u", i))));
		break;
	case RDY_WIT_VARIANT:
		fputs("\tswitch (p->tag) {\n", h);
		for (uint32_t i = 0; i < d->ncases; i++)
			if (needs_free(g, d->cases[i].type))
				fprintf(h, "\tcase %u: %s break;\n", i,
					free_call(g, d->cases[i].type, rdy__sprintf(&g->a, "p->val.%s", case_member(g, t, i))));
		fputs("\tdefault: break;\n\t}\n", h);
		break;
	case RDY_WIT_OPTION:
		fprintf(h, "\tif (p->is_some)\n\t\t%s\n\tp->is_some = 0;\n", free_call(g, d->a, "p->val"));
		break;
	case RDY_WIT_RESULT:
		if (needs_free(g, d->a))
			fprintf(h, "\tif (!p->is_err)\n\t\t%s\n", free_call(g, d->a, "p->val.ok"));
		if (needs_free(g, d->b))
			fprintf(h, "\tif (p->is_err)\n\t\t%s\n", free_call(g, d->b, "p->val.err"));
		break;
	case RDY_WIT_FIXED_LIST:
		fprintf(h, "\tfor (size_t i = 0; i < %u; i++)\n\t\t%s\n", d->size, free_call(g, d->a, "p->elems[i]"));
		break;
	case RDY_WIT_LIST:
		if (needs_free(g, d->a))
			fprintf(h, "\tfor (size_t i = 0; i < p->len; i++)\n\t\t%s\n", free_call(g, d->a, "p->ptr[i]"));
		fputs("\tfree(p->ptr);\n\tp->ptr = NULL;\n\tp->len = 0;\n", h);
		break;
	case RDY_WIT_MAP:
		fputs("\tfor (size_t i = 0; i < p->len; i++) {\n", h);
		if (needs_free(g, d->a))
			fprintf(h, "\t\t%s\n", free_call(g, d->a, "p->ptr[i].f0"));
		if (needs_free(g, d->b))
			fprintf(h, "\t\t%s\n", free_call(g, d->b, "p->ptr[i].f1"));
		fputs("\t}\n\tfree(p->ptr);\n\tp->ptr = NULL;\n\tp->len = 0;\n", h);
		break;
	default:
		break;
	}
	fputs("}\n", h);
}

/* A deep copy of S into D, a statement's expression that is false when memory runs out. */
static const char *copy_call(G *g, rdy_wit_type t, const char *d, const char *s)
{
	while (t >= 0 && def(g, t)->kind == RDY_WIT_ALIAS && !def(g, t)->name)
		t = def(g, t)->a;
	if (t == RDY_WIT_STRING)
		return rdy__sprintf(&g->a, "rdy_string_dup(&%s, %s.ptr, %s.len)", d, s, s);
	return rdy__sprintf(&g->a, "%s_copy(&%s, &%s)", tname(g, t), d, s);
}

/*
 * T_copy: what a C user calls to keep a result past its release.  Every
 * copy leaves its destination empty when it fails, so that a failure
 * frees exactly what was copied before it.
 */
static void emit_copy(G *g, rdy_wit_type t, const char *cn)
{
	if (!needs_free(g, t))
		return;
	const rdy_wit_typedef *d = def(g, t);
	FILE *h = g->h;
	fprintf(h, "/*\n * A deep copy of *SRC into *DST, which owns it: free it with %s_free.\n"
		   " * Returns false when memory runs out, *DST then empty.  Handles are\n"
		   " * copied as values: the copy owns no handle of its own.\n */\n", cn);
	fprintf(h, "static inline bool %s_copy(%s_t *dst, const %s_t *src)\n{\n", cn, cn, cn);
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		fprintf(h, "\treturn %s;\n", copy_call(g, d->a, "(*dst)", "(*src)"));
		break;
	case RDY_WIT_RECORD:
	case RDY_WIT_TUPLE:
		fputs("\tmemset(dst, 0, sizeof *dst);\n", h);
		for (uint32_t i = 0; i < d->ncases; i++) {
			const char *m = d->kind == RDY_WIT_RECORD ? case_member(g, t, i) : rdy__sprintf(&g->a, "f%u", i);
			if (needs_free(g, d->cases[i].type))
				fprintf(h, "\tif (!%s) {\n\t\t%s_free(dst);\n\t\treturn false;\n\t}\n",
					copy_call(g, d->cases[i].type, rdy__sprintf(&g->a, "dst->%s", m),
						  rdy__sprintf(&g->a, "src->%s", m)), cn);
			else
				fprintf(h, "\tdst->%s = src->%s;\n", m, m);
		}
		fputs("\treturn true;\n", h);
		break;
	case RDY_WIT_VARIANT:
		fputs("\t*dst = *src;\n\tswitch (src->tag) {\n", h);
		for (uint32_t i = 0; i < d->ncases; i++)
			if (needs_free(g, d->cases[i].type)) {
				const char *m = case_member(g, t, i);
				fprintf(h, "\tcase %u: return %s;\n", i,
					copy_call(g, d->cases[i].type, rdy__sprintf(&g->a, "dst->val.%s", m),
						  rdy__sprintf(&g->a, "src->val.%s", m)));
			}
		fputs("\tdefault: return true;\n\t}\n", h);
		break;
	case RDY_WIT_OPTION:
		fprintf(h, "\t*dst = *src;\n\tif (src->is_some && !%s) {\n\t\tdst->is_some = 0;\n\t\treturn false;\n\t}\n"
			   "\treturn true;\n", copy_call(g, d->a, "dst->val", "src->val"));
		break;
	case RDY_WIT_RESULT:
		/* A payload whose copy fails is left empty, and so is *DST. */
		fputs("\t*dst = *src;\n", h);
		if (needs_free(g, d->a))
			fprintf(h, "\tif (!src->is_err)\n\t\treturn %s;\n", copy_call(g, d->a, "dst->val.ok", "src->val.ok"));
		if (needs_free(g, d->b))
			fprintf(h, "\tif (src->is_err)\n\t\treturn %s;\n", copy_call(g, d->b, "dst->val.err", "src->val.err"));
		fputs("\treturn true;\n", h);
		break;
	case RDY_WIT_FIXED_LIST:
		fprintf(h, "\tmemset(dst, 0, sizeof *dst);\n"
			   "\tfor (size_t i = 0; i < %u; i++) {\n\t\tif (!%s) {\n\t\t\twhile (i--)\n\t\t\t\t%s\n"
			   "\t\t\treturn false;\n\t\t}\n\t}\n\treturn true;\n", d->size,
			copy_call(g, d->a, "dst->elems[i]", "src->elems[i]"), free_call(g, d->a, "dst->elems[i]"));
		break;
	case RDY_WIT_LIST:
		if (!needs_free(g, d->a)) { /* the elements own nothing: one copy of the bytes */
			fprintf(h, "\tdst->len = 0;\n\tdst->ptr = NULL;\n\tif (!src->len)\n\t\treturn true;\n"
				   "\tif (src->len > SIZE_MAX / sizeof *src->ptr ||\n"
				   "\t    !(dst->ptr = (%s *)malloc(src->len * sizeof *src->ptr)))\n"
				   "\t\treturn false;\n\tmemcpy(dst->ptr, src->ptr, src->len * sizeof *src->ptr);\n"
				   "\tdst->len = src->len;\n\treturn true;\n", ctype(g, d->a));
			break;
		}
		/* fall through */
	case RDY_WIT_MAP:
		fprintf(h, "\tdst->len = 0;\n\tdst->ptr = NULL;\n\tif (!src->len)\n\t\treturn true;\n"
			   "\tif (src->len > SIZE_MAX / sizeof *src->ptr ||\n"
			   "\t    !(dst->ptr = (%s *)malloc(src->len * sizeof *src->ptr)))\n"
			   "\t\treturn false;\n\tfor (size_t i = 0; i < src->len; i++) {\n",
			d->kind == RDY_WIT_LIST ? ctype(g, d->a) : rdy__sprintf(&g->a, "%s_entry_t", cn));
		if (d->kind == RDY_WIT_LIST) {
			fprintf(h, "\t\tif (!%s) {\n\t\t\t%s_free(dst);\n\t\t\treturn false;\n\t\t}\n",
				copy_call(g, d->a, "dst->ptr[i]", "src->ptr[i]"), cn);
		} else {
			fputs("\t\tdst->ptr[i] = src->ptr[i];\n", h);
			if (needs_free(g, d->a))
				fprintf(h, "\t\tif (!%s) {\n\t\t\t%s_free(dst);\n\t\t\treturn false;\n\t\t}\n",
					copy_call(g, d->a, "dst->ptr[i].f0", "src->ptr[i].f0"), cn);
			if (needs_free(g, d->b))
				fprintf(h, "\t\tif (!%s) {\n%s\t\t\t%s_free(dst);\n\t\t\treturn false;\n\t\t}\n",
					copy_call(g, d->b, "dst->ptr[i].f1", "src->ptr[i].f1"),
					needs_free(g, d->a) ? rdy__sprintf(&g->a, "\t\t\t%s\n",
									   free_call(g, d->a, "dst->ptr[i].f0")) : "", cn);
		}
		fputs("\t\tdst->len = i + 1;\n\t}\n\treturn true;\n", h);
		break;
	default:
		fputs("\t*dst = *src;\n\treturn true;\n", h);
		break;
	}
	fputs("}\n", h);
}

/* A case's or flag's constant, TYPE_CASE, distinct from every other constant. */
static const char *constant(G *g, const char *type_upper, const char *name)
{
	return claim(g, rdy__sprintf(&g->a, "%s_%s", type_upper, upper(g, name)));
}

static void emit_body(G *g, rdy_wit_type t, const char *cn)
{
	const rdy_wit_typedef *d = def(g, t);
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	FILE *h = g->h;
	const char *up = upper(g, cn);
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		fprintf(h, "typedef %s %s_t;\n", ctype(g, d->a), cn);
		assert_size(g, cn, t);
		break;
	case RDY_WIT_RECORD:
	case RDY_WIT_TUPLE:
		fprintf(h, "typedef struct %s {\n", cn);
		for (uint32_t i = 0; i < d->ncases; i++) {
			doc(g, h, "\t", d->cases[i].docs);
			fprintf(h, "\t%s %s;\n", ctype(g, d->cases[i].type),
				d->kind == RDY_WIT_RECORD ? case_member(g, t, i) : rdy__sprintf(&g->a, "f%u", i));
		}
		if (!d->ncases)
			fputs("\tuint8_t reserved; /* C has no empty structs: always 0 */\n", h);
		fprintf(h, "} %s_t;\n", cn);
		assert_size(g, cn, t);
		for (uint32_t i = 0; i < d->ncases; i++)
			fprintf(h, "RDY_STATIC_ASSERT(offsetof(%s_t, %s) == %u, \"%s_t: ABI v1 layout\");\n", cn,
				d->kind == RDY_WIT_RECORD ? case_member(g, t, i) : rdy__sprintf(&g->a, "f%u", i),
				a->offsets[i], cn);
		break;
	case RDY_WIT_RESOURCE:
		fprintf(h, "/* Handles to %s: own moves ownership, borrow lends it for one call. */\n", d->name);
		fprintf(h, "typedef struct %s_own {\n\tuint32_t handle;\n} %s_own_t;\n", cn, cn);
		fprintf(h, "typedef struct %s_borrow {\n\tuint32_t handle;\n} %s_borrow_t;\n", cn, cn);
		fprintf(h, "RDY_STATIC_ASSERT(sizeof(%s_own_t) == 4 && sizeof(%s_borrow_t) == 4, \"handles\");\n", cn, cn);
		fprintf(h, "/* Borrows an own handle for one call. */\n"
			   "static inline %s_borrow_t %s_borrow(%s_own_t h)\n{\n\t%s_borrow_t b = { h.handle };\n\treturn b;\n}\n",
			cn, cn, cn, cn);
		emit_resource(g, t, cn);
		break;
	case RDY_WIT_FLAGS:
		if (a->words) {
			fprintf(h, "typedef struct %s {\n\tuint64_t words[%u];\n} %s_t;\n", cn, a->words, cn);
			fprintf(h, "/* Flag i is bit i %% 64 of words[i / 64]; the constants are the indices. */\n");
			for (uint32_t i = 0; i < d->ncases; i++)
				fprintf(h, "#define %s %uu\n", constant(g, up, d->cases[i].name), i);
		} else if (!d->ncases) {
			fprintf(h, "typedef uint8_t %s_t; /* no flags: always 0 */\n", cn);
		} else {
			fprintf(h, "typedef %s %s_t;\n", uint_of(a->size), cn);
			for (uint32_t i = 0; i < d->ncases; i++)
				fprintf(h, "#define %s ((%s_t)1 << %u)\n", constant(g, up, d->cases[i].name), cn, i);
		}
		assert_size(g, cn, t);
		break;
	case RDY_WIT_ENUM:
		fprintf(h, "typedef %s %s_t;\n", uint_of(a->size), cn);
		for (uint32_t i = 0; i < d->ncases; i++)
			fprintf(h, "#define %s %uu\n", constant(g, up, d->cases[i].name), i);
		assert_size(g, cn, t);
		break;
	case RDY_WIT_VARIANT: {
		const char **names = rdy__allocn(&g->a, d->ncases + 1, sizeof *names);
		rdy_wit_type *types = rdy__allocn(&g->a, d->ncases + 1, sizeof *types);
		for (uint32_t i = 0; i < d->ncases; i++) {
			names[i] = case_member(g, t, i);
			types[i] = d->cases[i].type;
		}
		for (uint32_t i = 0; i < d->ncases; i++)
			fprintf(h, "#define %s %uu\n", constant(g, up, d->cases[i].name), i);
		emit_tagged(g, cn, "tag", a->disc, names, types, d->ncases, t);
		break;
	}
	case RDY_WIT_OPTION: {
		fprintf(h, "typedef struct %s {\n\tuint8_t is_some;\n\t%s val;\n} %s_t;\n", cn, ctype(g, d->a), cn);
		assert_size(g, cn, t);
		fprintf(h, "RDY_STATIC_ASSERT(offsetof(%s_t, val) == %u, \"%s_t.val\");\n", cn, a->payload, cn);
		break;
	}
	case RDY_WIT_RESULT: {
		const char *names[2] = { "ok", "err" };
		rdy_wit_type types[2] = { d->a, d->b };
		emit_tagged(g, cn, "is_err", 1, names, types, 2, t);
		break;
	}
	case RDY_WIT_LIST:
		fprintf(h, "typedef struct %s {\n\t%s *ptr;\n\tsize_t len;\n} %s_t;\n", cn, ctype(g, d->a), cn);
		assert_size(g, cn, t);
		break;
	case RDY_WIT_FIXED_LIST:
		if (d->size)
			fprintf(h, "typedef struct %s {\n\t%s elems[%u];\n} %s_t;\n", cn, ctype(g, d->a), d->size, cn);
		else
			fprintf(h, "typedef struct %s {\n\tuint8_t reserved; /* always 0 */\n} %s_t;\n", cn, cn);
		assert_size(g, cn, t);
		break;
	case RDY_WIT_MAP:
		fprintf(h, "typedef struct %s_entry {\n\t%s f0;\n\t%s f1;\n} %s_entry_t;\n", cn, ctype(g, d->a),
			ctype(g, d->b), cn);
		fprintf(h, "typedef struct %s {\n\t%s_entry_t *ptr;\n\tsize_t len;\n} %s_t;\n", cn, cn, cn);
		assert_size(g, cn, t);
		break;
	default:
		break;
	}
}

/* Emits T after everything it refers to, once. */
static void emit_type(G *g, rdy_wit_type t)
{
	if (t < 0 || g->state[t])
		return;
	g->state[t] = 1;
	const rdy_wit_typedef *d = def(g, t);
	if (d->kind == RDY_WIT_HANDLE) {
		emit_type(g, unalias(g, d->a));
		g->state[t] = 2;
		return;
	}
	emit_deps(g, t);
	g->state[t] = 2;
	if (d->kind == RDY_WIT_ALIAS && !d->name)
		return;
	const char *cn = tname(g, t);
	/* An anonymous type of the same structure as one already declared shares its declaration. */
	if (!d->name)
		for (uint32_t i = 0; i < g->nanon; i++)
			if (g->anon[i].name == cn) {
				if (g->anon[i].emitted)
					return;
				g->anon[i].emitted = true;
			}
	FILE *h = g->h;
	const char *guard = upper(g, cn);
	fputc('\n', h);
	if (d->name) {
		char buf[256] = "";
		if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
			rdy_wit_interface_id(g->m, d->owner, buf, sizeof buf);
		fprintf(h, "/* %s `%s`%s%s */\n", d->kind == RDY_WIT_ALIAS ? "type" : d->kind == RDY_WIT_RECORD ? "record"
			: d->kind == RDY_WIT_VARIANT ? "variant" : d->kind == RDY_WIT_ENUM ? "enum"
			: d->kind == RDY_WIT_FLAGS ? "flags" : d->kind == RDY_WIT_RESOURCE ? "resource" : "type",
			d->name, *buf ? " of " : "", buf);
		doc(g, h, "", d->docs);
	}
	/* Guarded, so the headers of two worlds that share types can meet in one file. */
	fprintf(h, "#ifndef RDY_T_%s\n#define RDY_T_%s\n", guard, guard);
	emit_body(g, t, cn);
	emit_free(g, t, cn);
	emit_copy(g, t, cn);
	fputs("#endif\n", h);
}

/* ---- functions ------------------------------------------------------------------ */

static bool by_value(G *g, rdy_wit_type t)
{
	return rdy_gen_by_value(g->m, g->l, t);
}

/* The C name of a function's part: "add", "method_counter_get", "constructor_counter". */
static const char *func_part(G *g, const rdy_wit_func *f)
{
	const char *dot = strchr(f->name, '.');
	switch (f->kind) {
	case RDY_WIT_METHOD:
	case RDY_WIT_ASYNC_METHOD:
		return rdy__sprintf(&g->a, "method_%s_%s",
				    snake(g, rdy__strndup(&g->a, f->name + 8, (size_t)(dot - f->name - 8))), snake(g, dot + 1));
	case RDY_WIT_STATIC:
	case RDY_WIT_ASYNC_STATIC:
		return rdy__sprintf(&g->a, "static_%s_%s",
				    snake(g, rdy__strndup(&g->a, f->name + 8, (size_t)(dot - f->name - 8))), snake(g, dot + 1));
	case RDY_WIT_CONSTRUCTOR:
		return rdy__sprintf(&g->a, "constructor_%s", snake(g, f->name + 13));
	default:
		return snake(g, f->name);
	}
}

typedef struct fn {
	const rdy_abi_fref *r;
	const char *name;                  /* the C name: "exports_example_shapes_canvas_area" */
	const char *has;                   /* its query: "exports_example_shapes_canvas_has_area" */
	const char *prefix, *part;         /* its interface's prefix, and func_part */
	const char *params;                /* ", uint32_t a, const rdy_string_t *s, uint32_t *ret" */
	const char *types;                 /* the same, types only */
	const char *args;                  /* ", a, s, ret" */
	/* When handles are converted (conv below), else NULL: */
	const char *hparams;               /* the host's side: an export's wrapper's, an import's function's */
	const char *hbody;                 /* the wrapper's or the import thunk's body */
	const char *lbody;                 /* an export's: the same through a reloadable instance's rdy_live */
	const char *sbody;                 /* when LAZY: the whole wrapper, out of line */
	bool lazy;                         /* HBODY inlines its first lend's fast path, else calls SBODY */
} fn;

static bool may_be_absent(G *g, const rdy_abi_fref *r, bool exported);

/*
 * The host's side of a call whose parameters or result are handles of a
 * resource either side implements (docs/abi.md [F-REP], §4):
 *   (a) an export, the plugin implements R: the ABI has the plugin's rep,
 *       the host's wrapper a handle, which it lends (borrow) or takes (own);
 *   (b) an export, the host implements R: the ABI has a handle, the host's
 *       wrapper the host's rep, lent for the call as a new borrow handle
 *       (ended after it) or given as a new own handle;
 *   (c) an import, the host implements R: the ABI has a handle, the host's
 *       function the host's rep, which the thunk lends or takes.
 * A whole own<R> result goes the other way.  Steps run in parameter order
 * and are undone in reverse when one is refused.
 */
typedef struct conv {
	const char *ie;                    /* the rdy_instance: "inst->instance" or "inst" */
	const char *hp, *decl, *pre, *cargs, *undo, *after, *post;
	bool any;
	const char *route;                 /* the first handle of the plugin's object: "self.handle" */
	bool first_lend;                   /* the first step lends a handle of the plugin's object: */
	uint32_t first_t, first_i;         /* its handle type and parameter, */
	const char *first_name;
	size_t first_len;                  /* and the length of its text in PRE */
} conv;

/* The steps for parameter I, NAME, a handle of handle type T: lend, take, borrow or give. */
static void conv_steps(G *g, conv *c, bool exported, bool plugin, bool borrow, uint32_t t, const char *name, uint32_t i)
{
	if (exported && !plugin) { /* (b) */
		c->pre = rdy__sprintf(&g->a, "%s\tst = rdy_handle_%s(%s, %uu, %s, &h_%u.handle);\n\tif (st != RDY_OK) {\n%s\t}\n",
				      c->pre, borrow ? "borrow" : "new", c->ie, t, name, i, c->undo);
		c->undo = borrow ? rdy__sprintf(&g->a, "\t\trdy_handle_end(%s, h_%u.handle);\n%s", c->ie, i, c->undo)
				 : rdy__sprintf(&g->a, "\t\trdy_handle_drop(%s, %uu, h_%u.handle);\n%s", c->ie, t, i, c->undo);
		if (borrow)
			c->after = rdy__sprintf(&g->a, "%s\trdy_handle_end(%s, h_%u.handle);\n", c->after, c->ie, i);
	} else { /* (a), (c) */
		bool first = !*c->pre && exported && borrow;
		c->pre = rdy__sprintf(&g->a, "%s\tst = rdy_handle_%s(%s, %uu, %s.handle, &rep_%u);\n\tif (st != RDY_OK) {\n%s\t}\n",
				      c->pre, borrow ? "lend" : "take", c->ie, t, name, i, c->undo);
		if (first) {
			c->first_lend = true;
			c->first_t = t;
			c->first_i = i;
			c->first_name = name;
			c->first_len = strlen(c->pre);
		}
		c->undo = borrow ? rdy__sprintf(&g->a, "\t\trdy_handle_unlend();\n%s", c->undo)
				 : rdy__sprintf(&g->a, "\t\trdy__handle_orphan(%s, %uu, rep_%u);\n%s", c->ie, t, i, c->undo);
		if (borrow)
			c->after = rdy__sprintf(&g->a, "%s\trdy_handle_unlend();\n", c->after);
	}
}

/*
 * Parameter I in PASS 0 (the signatures, in parameter order, and the steps
 * of borrows) or PASS 1 (the steps of owns): every lend comes before any
 * take, so that a refusal changes nothing where it can.
 */
static void conv_param(G *g, conv *c, fn *f, bool exported, const rdy_wit_param *p, const char *name, uint32_t i,
		       int pass)
{
	bool borrow, plugin;
	int32_t k;
	rdy_wit_type r = handle_of(g, p->type, &borrow, &plugin, &k);
	bool converts = r >= 0 && !(!exported && plugin);
	if (converts && pass == (borrow ? 0 : 1))
		conv_steps(g, c, exported, plugin, borrow, handle_type(g, plugin, k), name, i);
	if (pass)
		return;
	const char *ty = by_value(g, p->type) ? ctype(g, p->type) : rdy__sprintf(&g->a, "const %s *", ctype(g, p->type));
	const char *sp = by_value(g, p->type) ? " " : "", *arg = name;
	if (!converts) {
		c->hp = rdy__sprintf(&g->a, "%s, %s%s%s", c->hp, ty, sp, name);
	} else {
		const char *cn = tname(g, r), *kind = borrow ? "borrow" : "own";
		c->any = true;
		if (exported && !plugin) { /* (b) */
			c->hp = rdy__sprintf(&g->a, "%s, %s_t *%s", c->hp, cn, name);
			c->decl = rdy__sprintf(&g->a, "%s\t%s_%s_t h_%u = { 0 };\n", c->decl, cn, kind, i);
			arg = rdy__sprintf(&g->a, "h_%u", i);
		} else { /* (a), (c) */
			c->hp = exported ? rdy__sprintf(&g->a, "%s, %s_%s_t %s", c->hp, cn, kind, name)
					 : rdy__sprintf(&g->a, "%s, %s_t *%s", c->hp, cn, name);
			if (exported) {
				ty = rdy__sprintf(&g->a, "%s_t *", cn);
				sp = "";
			}
			c->decl = rdy__sprintf(&g->a, "%s\tvoid *rep_%u = NULL;\n", c->decl, i);
			arg = rdy__sprintf(&g->a, "(%s_t *)rep_%u", cn, i);
			if (exported && !c->route)
				c->route = rdy__sprintf(&g->a, "%s.handle", name);
		}
	}
	f->params = rdy__sprintf(&g->a, "%s, %s%s%s", f->params, ty, sp, name);
	f->types = rdy__sprintf(&g->a, "%s, %s", f->types, ty);
	f->args = rdy__sprintf(&g->a, "%s, %s", f->args, name);
	c->cargs = rdy__sprintf(&g->a, "%s, %s", c->cargs, arg);
}

static void conv_result(G *g, conv *c, fn *f, bool exported, rdy_wit_type result)
{
	bool borrow, plugin;
	int32_t k;
	rdy_wit_type r = handle_of(g, result, &borrow, &plugin, &k);
	const char *ty = ctype(g, result), *hty = ty;
	if (r < 0 || (!exported && plugin)) {
		c->cargs = rdy__sprintf(&g->a, "%s, ret", c->cargs);
	} else {
		const char *cn = tname(g, r);
		uint32_t t = handle_type(g, plugin, k);
		c->any = true;
		if (exported && !plugin) { /* (b): the plugin gives back an object of the host's */
			hty = rdy__sprintf(&g->a, "%s_t *", cn);
			c->decl = rdy__sprintf(&g->a, "%s\t%s h_ret = { 0 };\n\tvoid *rep_ret = NULL;\n", c->decl, ty);
			c->cargs = rdy__sprintf(&g->a, "%s, &h_ret", c->cargs);
			c->post = rdy__sprintf(&g->a, "\tif (st == RDY_OK && (st = rdy_handle_take(%s, %uu, h_ret.handle, &rep_ret)) == RDY_OK)\n"
						   "\t\t*ret = (%s_t *)rep_ret;\n", c->ie, t, cn);
		} else { /* (a), (c): the implementer gives a rep, made a new own handle */
			if (exported)
				ty = rdy__sprintf(&g->a, "%s_t *", cn);
			else
				hty = rdy__sprintf(&g->a, "%s_t *", cn);
			c->decl = rdy__sprintf(&g->a, "%s\t%s_t *rep_ret = NULL;\n", c->decl, cn);
			c->cargs = rdy__sprintf(&g->a, "%s, &rep_ret", c->cargs);
			c->post = rdy__sprintf(&g->a, "\tif (st == RDY_OK && (st = rdy_handle_new(%s, %uu, rep_ret, &ret->handle)) != RDY_OK)\n"
						   "\t\trdy__handle_orphan(%s, %uu, rep_ret);\n", c->ie, t, c->ie, t);
		}
	}
	c->hp = rdy__sprintf(&g->a, "%s, %s%sret", c->hp, hty, hty[strlen(hty) - 1] == '*' ? "*" : " *");
	f->params = rdy__sprintf(&g->a, "%s, %s%sret", f->params, ty, ty[strlen(ty) - 1] == '*' ? "*" : " *");
	f->types = rdy__sprintf(&g->a, "%s, %s%s", f->types, ty, ty[strlen(ty) - 1] == '*' ? "*" : " *");
	f->args = rdy__sprintf(&g->a, "%s, ret", f->args);
}

static fn describe_fn(G *g, const rdy_abi_fref *r, bool exported)
{
	fn f = { r, NULL, NULL, NULL, NULL, "", "", "", NULL, NULL, NULL, NULL, false };
	f.prefix = r->iface >= 0 ? iface_prefix(g, r->iface) : g->wp;
	f.part = func_part(g, r->func);
	uint32_t i = (uint32_t)(r - (exported ? g->exp : g->imp));
	f.name = (exported ? g->exp_name : g->imp_name)[i];
	f.has = (exported ? g->exp_has : g->imp_has)[i];
	const char **pn = rdy__allocn(&g->a, r->func->nparams + 1, sizeof *pn);
	for (i = 0; i < r->func->nparams; i++)
		pn[i] = r->func->params[i].name;
	pn = scoped(g, pn, r->func->nparams);
	conv c = { exported ? "inst->instance" : "inst", "", "", "", "", "\t\treturn st;\n", "", "", false, NULL, false, 0, 0, NULL, 0 };
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < r->func->nparams; i++)
			conv_param(g, &c, &f, exported, &r->func->params[i], pn[i], i, pass);
	if (r->func->result != RDY_WIT_NONE)
		conv_result(g, &c, &f, exported, r->func->result);
	if (c.any) {
		/* An absent export must not take anything: it answers before any step. */
		uint32_t x = (uint32_t)(r - g->exp);
		const char *absent = exported && may_be_absent(g, r, true)
			? rdy__sprintf(&g->a, "\tif (!inst->funcs[%u].call)\n\t\treturn RDY_EABSENT;\n", x) : "";
		const char *counted = exported && r->func->result != RDY_WIT_NONE && needs_free(g, r->func->result)
			? "\tif (st == RDY_OK)\n\t\t__atomic_add_fetch(inst->results, 1, __ATOMIC_RELAXED);\n" : "";
		f.hparams = c.hp;
		/*
		 * A reloadable instance's call goes out of line (LBODY).  Where the
		 * first step lends one of the plugin's objects, the wrapper inlines
		 * that lend's fast path alone (rdy_handle_lend_fast) and goes out
		 * of line, whole (SBODY), for anything else: a reloadable
		 * instance's host record, which names no build's handle, among it.
		 * So a module opened without `reloadable` pays no test for
		 * reloading; other wrappers test W_t.live first.
		 */
		if (exported && c.first_lend && !*absent) {
			f.sbody = rdy__sprintf(&g->a, "\tif (inst->live)\n\t\treturn %s__live_%u(inst%s);\n\tint32_t st;\n%s%s"
						      "\tst = inst->exports.%s(inst->state%s);\n%s%s%s\treturn st;\n",
					       g->wp, x, f.args, c.decl, c.pre, f.name, c.cargs, c.after, c.post, counted);
			c.pre = rdy__sprintf(&g->a, "\tif (!rdy_handle_lend_fast(%s, %uu, %s.handle, &rep_%u))\n"
						    "\t\treturn %s__slow_%u(inst%s);\n%s",
					     c.ie, c.first_t, c.first_name, c.first_i, g->wp, x, f.args, c.pre + c.first_len);
			f.lazy = true;
		}
		/* A host function knows its calling instance through rdy_instance_calling while it runs. */
		f.hbody = exported
			? rdy__sprintf(&g->a, "\tint32_t st;\n%s%s%s\tst = inst->exports.%s(inst->state%s);\n%s%s%s\treturn st;\n",
				       absent, c.decl, c.pre, f.name, c.cargs, c.after, c.post, counted)
			: rdy__sprintf(&g->a, "\tint32_t st;\n\trdy_instance *prev;\n%s%s\tprev = rdy__calling;\n"
					      "\trdy__calling = inst;\n\tst = hb->imports.%s(hb->ctx%s);\n\trdy__calling = prev;\n"
					      "%s%s\treturn st;\n", c.decl, c.pre, f.name, c.cargs, c.after, c.post);
		if (exported) {
			/*
			 * The same steps on the build that serves the call: the one
			 * serving now, or, for a call on an object, the build that
			 * made it (docs/abi.md §7.5, "Objects").  Every way out ends
			 * the call.
			 */
			fn scratch = f;
			conv l = { "rdy__in", "", "", "", "", "\t\tgoto out;\n", "", "", false, NULL, false, 0, 0, NULL, 0 };
			for (int pass = 0; pass < 2; pass++)
				for (i = 0; i < r->func->nparams; i++)
					conv_param(g, &l, &scratch, exported, &r->func->params[i], pn[i], i, pass);
			if (r->func->result != RDY_WIT_NONE)
				conv_result(g, &l, &scratch, exported, r->func->result);
			f.lbody = rdy__sprintf(&g->a,
				"\tif (!inst->state) /* killed: its plugin state is gone (W_kill) */\n\t\treturn RDY_EDEAD;\n"
				"\tconst rdy_build *rdy__b = rdy_live_enter(inst->live);\n\tif (!rdy__b)\n\t\treturn RDY_EBUSY;\n"
				"\tconst rdy_build *rdy__o = %s;\n\trdy_instance *rdy__in = rdy__o->instance;\n"
				"\tint32_t st = RDY_EABSENT;\n%s\tif (!rdy__o->funcs[%u].call)\n\t\tgoto out;\n%s"
				"\tst = ((int32_t (*)(struct rdy_state *%s))rdy__o->funcs[%u].call)((struct rdy_state *)rdy__o->self%s);\n"
				"%s%s%sout:\n\trdy_live_done(rdy__b, rdy__o);\n\treturn st;\n",
				l.route ? rdy__sprintf(&g->a, "rdy_live_route(rdy__b, %s)", l.route) : "rdy__b", l.decl, x,
				l.pre, f.types, x, l.cargs, l.after, l.post, counted);
		}
	}
	return f;
}

static bool gated(const rdy_wit_stability *s)
{
	return s->kind == RDY_WIT_STAB_STABLE && s->since;
}

/* Whether the other side may lack F: it, its interface or its world item is gated @since. */
static bool may_be_absent(G *g, const rdy_abi_fref *r, bool exported)
{
	const rdy_wit_item *it = exported ? &g->w->exports[r->item] : &g->w->imports[r->item];
	return gated(&r->func->stability) || (r->iface >= 0 && (gated(&it->stability) ||
		gated(&g->m->interfaces[r->iface].stability)));
}

/* The comment above a function: its WIT, its docs, and who owns what. */
static void fn_comment(G *g, FILE *out, const fn *f, const char *ind, const char *role)
{
	char *sig = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&sig, &len);
	if (!s)
		longjmp(g->oom, 1);
	rdy_wit_print_func(g->m, f->r->func, s);
	fclose(s);
	char id[256] = "the world";
	if (f->r->iface >= 0)
		rdy_wit_interface_id(g->m, f->r->iface, id, sizeof id);
	fprintf(out, "\n%s/* %s: `%s` in %s\n%s *   %s\n", ind, role, f->r->func->name, id, ind, sig);
	free(sig);
	const rdy_wit_stability *st = &f->r->func->stability;
	if (gated(st))
		fprintf(out, "%s * Gated @since(version = %s): it may be absent (RDY_EABSENT).\n", ind, st->since->text);
	if (st->deprecated)
		fprintf(out, "%s * Deprecated since %s.\n", ind, st->deprecated->text);
	for (uint32_t i = 0; i < f->r->func->nparams; i++) {
		rdy_wit_type t = unalias(g, f->r->func->params[i].type);
		if (t >= 0 && (def(g, t)->kind == RDY_WIT_RESOURCE || (def(g, t)->kind == RDY_WIT_HANDLE && !def(g, t)->borrow))) {
			fprintf(out, "%s * `%s` is an own<> handle: ownership moves to the callee.\n", ind,
				f->r->func->params[i].name);
		}
	}
	if (f->r->func->result != RDY_WIT_NONE && needs_free(g, f->r->func->result))
		fprintf(out, "%s * Arguments are borrowed for the call.  On success *ret is owned by the\n"
			"%s * callee's side until the matching _release: memory is freed by the side\n"
			"%s * that allocated it.\n", ind, ind, ind);
	else
		fprintf(out, "%s * Arguments are borrowed for the call.\n", ind);
	fprintf(out, "%s */\n", ind);
	doc(g, out, ind, f->r->func->docs);
}

/* ---- the two sides ------------------------------------------------------------- */

static void banner(G *g, FILE *f)
{
	const rdy_wit_package *p = &g->m->packages[g->w->package];
	fprintf(f, "/*\n * Generated by rdy gen c (%s) from %s: world %s:%s/%s%s%s, %s side.\n"
		   " * Do not edit: regenerate from the WIT.  The ABI is docs/abi.md, version 1.\n */\n",
		g->in->producer, g->in->source ? g->in->source : "WIT", p->ns, p->name, g->w->name,
		p->has_version ? "@" : "", p->has_version ? p->version.text : "",
		g->in->side == RDY_SIDE_HOST ? "host" : "plugin");
}

static void emit_byte_list(G *g, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(g->c, "%s0x%02x,", i % 16 ? " " : "\n\t", b[i]);
}

static void emit_bytes(G *g, const char *name, const uint8_t *b, size_t n)
{
	fprintf(g->c, "static const uint8_t %s[%zu] = {", name, n);
	emit_byte_list(g, b, n);
	fputs("\n};\n", g->c);
}

/*
 * The world's descriptor in its ELF note, NAME: the note's desc is the
 * descriptor's bytes.  TYPE, when not NULL, is the note's type, declared in
 * the header with NAME; otherwise the note is static to the source.
 */
static void emit_descriptor(G *g, const char *name, const char *type)
{
	FILE *c = g->c;
	size_t n = g->in->desc_len;
	fprintf(c, "\n/*\n * The world's descriptor (docs/abi.md §5): what the loader checks.  Its ELF\n"
		   " * note is read from the file, before any of the plugin's code runs.\n */\n");
	fprintf(c, "__attribute__((section(RDY_DESCRIPTOR_SECTION), used, aligned(4)))\n");
	if (type)
		fprintf(c, "const %s %s = RDY_DESCRIPTOR_NOTE_INIT(%zu, {", type, name, n);
	else
		fprintf(c, "static const RDY_DESCRIPTOR_NOTE(%zu) %s = RDY_DESCRIPTOR_NOTE_INIT(%zu, {", n, name, n);
	emit_byte_list(g, g->in->desc, n);
	fputs("\n});\n", c);
}

static void emit_plugin(G *g)
{
	FILE *h = g->h, *c = g->c;
	const char *wp = g->wp;
	fprintf(h, "\n/* ---- instances -------------------------------------------------------------- */\n\n");
	fprintf(h, "/*\n * Your plugin's state for one instance: you define struct rdy_state.  The\n"
		   " * export table points at your functions themselves, so their type is the\n"
		   " * one the host calls through, and a call takes no extra jump.\n */\n");
	fprintf(h, "typedef struct rdy_state %s_state_t;\n\n", wp);
	fprintf(h, "/*\n * Your functions stay inside the plugin: the root symbol is its only export.\n"
		   " * Define RDY_PLUGIN_API before including this header to change that.\n */\n"
		   "#ifndef RDY_PLUGIN_API\n#define RDY_PLUGIN_API __attribute__((visibility(\"hidden\")))\n#endif\n\n");
	fprintf(h, "/*\n * You implement these two.  instance_new makes the state of a new instance\n"
		   " * in *state and returns RDY_OK, or traps (RDY_ETRAP).  IMPORTS is how the\n"
		   " * instance calls its host; it stays valid until instance_free.\n */\n");
	fprintf(h, "RDY_PLUGIN_API int32_t %s_instance_new(const rdy_imports_v1 *imports, %s_state_t **state);\n", wp, wp);
	fprintf(h, "RDY_PLUGIN_API void %s_instance_free(%s_state_t *state);\n", wp, wp);

	fprintf(h, "\n/* ---- exports: you implement these ------------------------------------------ */\n");
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		fn_comment(g, h, &f, "", "Export");
		if (g->exp[i].func->result != RDY_WIT_NONE && needs_free(g, g->exp[i].func->result))
			fprintf(h, "/* Fill *ret with memory from malloc: the generated release frees it. */\n");
		fprintf(h, "RDY_PLUGIN_API int32_t %s(%s_state_t *state%s);\n", f.name, wp, f.params);
	}
	for (uint32_t i = 0; i < g->neres; i++) {
		const char *cn = tname(g, g->eres[i].type);
		fprintf(h, "\n/*\n * Resource `%s`: frees your object once its last own handle is dropped,\n"
			   " * or its instance is freed by force.  Runs exactly once per object.\n */\n",
			def(g, g->eres[i].type)->name);
		fprintf(h, "RDY_PLUGIN_API void %s_destructor(%s_state_t *state, %s_t *rep);\n", cn, wp, cn);
	}

	fprintf(h, "\n/* ---- imports: the host's functions -------------------------------------------- */\n");
	for (uint32_t i = 0; i < g->nimp; i++) {
		fn f = describe_fn(g, &g->imp[i], false);
		fn_comment(g, h, &f, "", "Import");
		fprintf(h, "static inline int32_t %s(const rdy_imports_v1 *im%s)\n{\n", f.name, f.params);
		fprintf(h, "\trdy_fn fn = im->funcs[%u].call;\n\tif (!fn)\n\t\treturn RDY_EABSENT;\n", i);
		fprintf(h, "\treturn ((int32_t (*)(void *%s))fn)(im->ctx%s);\n}\n", f.types, f.args);
		fprintf(h, "static inline bool %s(const rdy_imports_v1 *im)\n{\n\treturn im->funcs[%u].call != NULL;\n}\n",
			f.has, i);
		if (g->imp[i].func->result != RDY_WIT_NONE && needs_free(g, g->imp[i].func->result))
			fprintf(h, "/* Releases a result of %s: the host frees what it allocated. */\n"
				   "static inline void %s_release(const rdy_imports_v1 *im, %s *ret)\n{\n"
				   "\tif (im->funcs[%u].release)\n\t\tim->funcs[%u].release(im->ctx, ret);\n}\n",
				f.name, f.name, ctype(g, g->imp[i].func->result), i, i);
	}

	/* The source: descriptor, thunks, tables, root symbol. */
	fprintf(c, "#include \"%s.h\"\n", g->in->base);
	emit_descriptor(g, "rdy__descriptor_note", NULL);
	fprintf(c, "\n/* Release functions: what an export's result owns goes back to free(). */\n");
	for (uint32_t i = 0; i < g->nexp; i++) {
		if (g->exp[i].func->result != RDY_WIT_NONE && needs_free(g, g->exp[i].func->result)) {
			const char *ty = ctype(g, g->exp[i].func->result);
			fprintf(c, "static void rdy__release_%u(void *state, void *ret)\n{\n\t(void)state;\n\t%s\n}\n", i,
				free_call(g, g->exp[i].func->result, rdy__sprintf(&g->a, "(*(%s *)ret)", ty)));
		}
	}
	if (g->nexp) {
		fprintf(c, "\nstatic const rdy_func_v1 rdy__exports[%u] = {\n", g->nexp);
		for (uint32_t i = 0; i < g->nexp; i++) {
			bool rel = g->exp[i].func->result != RDY_WIT_NONE && needs_free(g, g->exp[i].func->result);
			fprintf(c, "\t{ (rdy_fn)%s, %s },\n", describe_fn(g, &g->exp[i], true).name,
				rel ? rdy__sprintf(&g->a, "rdy__release_%u", i) : "NULL");
		}
		fputs("};\n", c);
	}
	if (g->neres) {
		fprintf(c, "\n/* Destructors, in descriptor order [R-RES]. */\n");
		for (uint32_t i = 0; i < g->neres; i++) {
			const char *cn = tname(g, g->eres[i].type);
			fprintf(c, "static void rdy__drop_%u(struct rdy_state *state, void *rep)\n{\n\t%s_destructor(state, (%s_t *)rep);\n}\n",
				i, cn, cn);
		}
		fprintf(c, "\nstatic const rdy_resource_v1 rdy__resources[%u] = {\n", g->neres);
		for (uint32_t i = 0; i < g->neres; i++)
			fprintf(c, "\t{ rdy__drop_%u },\n", i);
		fputs("};\n", c);
	}
	fprintf(c, "\nstatic int32_t rdy__instance_new(const rdy_imports_v1 *imports, void **state)\n{\n"
		   "\t%s_state_t *s = NULL;\n\tint32_t st = %s_instance_new(imports, &s);\n"
		   "\tif (st == RDY_OK)\n\t\t*state = s;\n\treturn st;\n}\n", wp, wp);
	fprintf(c, "\nstatic void rdy__instance_free(void *state)\n{\n\t%s_instance_free((%s_state_t *)state);\n}\n", wp,
		wp);
	fprintf(c, "\n/* The root symbol (docs/abi.md §7): everything the loader needs, in one place. */\n");
	fprintf(c, "__attribute__((visibility(\"default\")))\nconst rdy_plugin_root_v1 rdy_plugin_v1 = {\n"
		   "\t.magic = { 0x7f, 'R', 'D', 'Y' },\n\t.major = RDY_ABI_MAJOR,\n\t.minor = RDY_ABI_MINOR,\n"
		   "\t.size = sizeof(rdy_plugin_root_v1),\n\t.descriptor = rdy__descriptor_note.desc,\n"
		   "\t.descriptor_len = sizeof rdy__descriptor_note.desc,\n\t.producer = \"%s\",\n"
		   "\t.exports = %s,\n\t.nexports = %u,\n\t.nimports = %u,\n"
		   "\t.instance_new = rdy__instance_new,\n\t.instance_free = rdy__instance_free,\n"
		   "\t.resources = %s,\n\t.nresources = %u,\n};\n",
		g->in->producer, g->nexp ? "rdy__exports" : "NULL", g->nexp, g->nimp,
		g->neres ? "rdy__resources" : "NULL", g->neres);
}

/*
 * When the host implements resources its imports need the calling instance
 * (to check and make handles), so the plugin's imports receive the
 * instance, and thunks pass the host's own CTX to its functions; the host's
 * block holds that CTX and a copy of its imports.
 */
static void emit_host_thunks(G *g)
{
	FILE *c = g->c;
	const char *wp = g->wp;
	fprintf(c, "\n/* What the thunks reach through the instance: the host's CTX and functions. */\n"
		   "typedef struct %s_host {\n\tvoid *ctx;\n\t%s_imports_t imports;\n} %s_host_t;\n", wp, wp, wp);
	for (uint32_t i = 0; i < g->nimp; i++) {
		fn f = describe_fn(g, &g->imp[i], false);
		fprintf(c, "\nstatic int32_t rdy__import_%u(void *ctx%s)\n{\n", i, f.params);
		if (f.hbody)
			fprintf(c, "\trdy_instance *inst = (rdy_instance *)ctx;\n"
				   "\tconst %s_host_t *hb = (const %s_host_t *)rdy_instance_ctx(inst);\n%s}\n", wp, wp, f.hbody);
		else
			fprintf(c, "\trdy_instance *inst = (rdy_instance *)ctx, *prev = rdy__calling;\n"
				   "\tconst %s_host_t *hb = (const %s_host_t *)rdy_instance_ctx(inst);\n"
				   "\trdy__calling = inst;\n\tint32_t st = hb->imports.%s(hb->ctx%s);\n"
				   "\trdy__calling = prev;\n\treturn st;\n}\n", wp, wp, f.name, f.args);
	}
	for (uint32_t i = 0; i < g->nires; i++) {
		const char *cn = tname(g, g->ires[i].type);
		fprintf(c, "\nstatic void rdy__hdrop_%u(void *ctx, void *rep)\n{\n\tconst %s_host_t *hb = (const %s_host_t *)ctx;\n"
			   "\thb->imports.%s_destructor(hb->ctx, (%s_t *)rep);\n}\n", i, wp, wp, cn, cn);
	}
}

/* rdy__KIND_I: a function of export I's type that only returns STATUS. */
static void emit_stub(G *g, uint32_t i, const char *kind, const char *status)
{
	fn f = describe_fn(g, &g->exp[i], true);
	fprintf(g->c, "static int32_t rdy__%s_%u(struct rdy_state *state%s)\n{\n\t(void)state;\n", kind, i, f.params);
	for (const char *a = f.args; *a;) { /* ", a, b, ret": one (void) per argument */
		a += 2;
		size_t n = strcspn(a, ",");
		fprintf(g->c, "\t(void)%.*s;\n", (int)n, a);
		a += n;
	}
	fprintf(g->c, "\treturn %s;\n}\n", status);
}

static void emit_host(G *g)
{
	FILE *h = g->h, *c = g->c;
	const char *wp = g->wp;
	fprintf(h, "\n/* ---- the world -------------------------------------------------------------- */\n\n");
	fprintf(h, "/*\n * The world's host descriptor, in its ELF note (docs/abi.md §5.1): its bytes\n"
		   " * are %s_descriptor_note.desc, %zu of them.\n */\n", wp, g->in->desc_len);
	fprintf(h, "typedef RDY_DESCRIPTOR_NOTE(%zu) %s_descriptor_note_t;\n", g->in->desc_len, wp);
	fprintf(h, "extern const %s_descriptor_note_t %s_descriptor_note;\n\n", wp, wp);
	fprintf(h, "/* The world as this host expects it, for rdy_module_open.  Free it with rdy_world_free. */\n");
	fprintf(h, "rdy_world *%s_world(rdy_error **err);\n", wp);

	fprintf(h, "\n/*\n * The functions this host provides to its plugins (their imports).  Each\n"
		   " * receives the CTX given to %s_instantiate.  Fill *ret with memory from\n"
		   " * malloc: the generated release frees it once the plugin is done.  A NULL\n"
		   " * entry is an import this host does not provide.\n */\n", wp);
	fprintf(h, "typedef struct %s_imports {\n", wp);
	for (uint32_t i = 0; i < g->nimp; i++) {
		fn f = describe_fn(g, &g->imp[i], false);
		fn_comment(g, h, &f, "\t", "Import");
		fprintf(h, "\tint32_t (*%s)(void *ctx%s);\n", f.name, f.hparams ? f.hparams : f.params);
	}
	for (uint32_t i = 0; i < g->nires; i++) {
		const char *cn = tname(g, g->ires[i].type);
		fprintf(h, "\n\t/* Frees your `%s` once the last own handle to it is dropped, or its\n"
			   "\t * instance is killed; once per object. */\n\tvoid (*%s_destructor)(void *ctx, %s_t *rep);\n",
			def(g, g->ires[i].type)->name, cn, cn);
	}
	if (!g->nimp && !g->nires)
		fputs("\tuint8_t reserved; /* this world imports nothing */\n", h);
	fprintf(h, "} %s_imports_t;\n", wp);

	fprintf(h, "\n/*\n * The instance's exports, typed.  Where the plugin lacks a gated item, the\n"
		   " * entry is a stub that returns RDY_EABSENT, so a call needs no test.\n */\n");
	fprintf(h, "typedef struct %s_exports {\n", wp);
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		fprintf(h, "\tint32_t (*%s)(struct rdy_state *%s);\n", f.name, f.types);
	}
	if (!g->nexp)
		fputs("\tuint8_t reserved; /* this world exports nothing */\n", h);
	fprintf(h, "} %s_exports_t;\n", wp);

	fprintf(h, "\n/* One instance of a plugin. */\ntypedef struct %s {\n\trdy_instance *instance;\n"
		   "\tstruct rdy_state *state;     /* the plugin's, passed to every export */\n"
		   "\tconst rdy_func_v1 *funcs;    /* the raw table, with the release functions */\n"
		   "\t%s_exports_t exports;\n"
		   "\tvoid *host;                  /* your imports and context, when you implement resources */\n"
		   "\tuint64_t *results;           /* results not yet released: the runtime's count */\n"
		   "\trdy_live *live;              /* a reloadable module's: calls go to the build it names */\n"
		   "} %s_t;\n", wp, wp, wp);
	fprintf(h, "\n/*\n * Creates an instance of module M, binding IMPORTS (copied) with CTX as their\n"
		   " * first argument.  Returns RDY_OK, or a status with the reason in *err.\n */\n");
	fprintf(h, "int %s_instantiate(rdy_module *m, const %s_imports_t *imports, void *ctx, %s_t *out,\n"
		   "\t\t rdy_error **err);\n", wp, wp, wp);
	fprintf(h, "/*\n * Frees the instance: the plugin frees its state.  Refused with RDY_EBUSY\n"
		   " * while handles to its objects are live or results of its exports are\n"
		   " * unreleased (the message in *err counts them).\n */\n"
		   "int %s_free(%s_t *inst, rdy_error **err);\n", wp, wp);
	fprintf(h, "/*\n * Frees the plugin's side of the instance even though handles are live:\n"
		   " * each object's destructor runs, and from then on every call through INST\n"
		   " * and every use of its handles returns RDY_EDEAD.  %s_free frees\n"
		   " * what is left.\n */\nvoid %s_kill(%s_t *inst);\n", wp, wp, wp);
	for (uint32_t i = 0; i < g->neres; i++) {
		const char *cn = tname(g, g->eres[i].type);
		fprintf(h, "\n/* Drops an own handle to a `%s`: the plugin's destructor runs, once. */\n"
			   "static inline int32_t %s_drop(const %s_t *inst, %s_own_t own)\n{\n"
			   "\treturn rdy_handle_drop(inst->instance, %uu, own.handle);\n}\n",
			def(g, g->eres[i].type)->name, cn, wp, cn, i);
	}
	for (uint32_t i = 0; i < g->nires; i++) {
		const char *cn = tname(g, g->ires[i].type), *name = def(g, g->ires[i].type)->name;
		uint32_t t = handle_type(g, false, (int32_t)i);
		fprintf(h, "\n/*\n * Handles of your `%s` inside other types, for instance INST: W_t's\n"
			   " * instance, or rdy_instance_calling() inside one of your functions that\n"
			   " * a plugin called (a whole parameter or result is your pointer already).\n"
			   " * _new gives REP to INST as a new own handle; _lend lends it for one\n"
			   " * call as a borrow handle, which _end ends once the call returns (the\n"
			   " * plugin cannot use it after); _rep reads a handle's object, valid for\n"
			   " * the call; _take takes an own handle back; _drop drops one (your\n"
			   " * destructor runs, once).\n */\n", name);
		fprintf(h, "static inline int32_t %s_new(rdy_instance *inst, %s_t *rep, %s_own_t *out)\n{\n"
			   "\treturn rdy_handle_new(inst, %uu, rep, &out->handle);\n}\n", cn, cn, cn, t);
		fprintf(h, "static inline int32_t %s_lend(rdy_instance *inst, %s_t *rep, %s_borrow_t *out)\n{\n"
			   "\treturn rdy_handle_borrow(inst, %uu, rep, &out->handle);\n}\n", cn, cn, cn, t);
		fprintf(h, "static inline void %s_end(rdy_instance *inst, %s_borrow_t lent)\n{\n"
			   "\trdy_handle_end(inst, lent.handle);\n}\n", cn, cn);
		fprintf(h, "static inline int32_t %s_rep(rdy_instance *inst, uint32_t handle, %s_t **rep)\n{\n"
			   "\tvoid *p = NULL;\n\tint32_t st = rdy_handle_rep(inst, %uu, handle, &p);\n"
			   "\t*rep = (%s_t *)p;\n\treturn st;\n}\n", cn, cn, t, cn);
		fprintf(h, "static inline int32_t %s_take(rdy_instance *inst, %s_own_t own, %s_t **rep)\n{\n"
			   "\tvoid *p = NULL;\n\tint32_t st = rdy_handle_take(inst, %uu, own.handle, &p);\n"
			   "\t*rep = (%s_t *)p;\n\treturn st;\n}\n", cn, cn, cn, t, cn);
		fprintf(h, "static inline int32_t %s_drop(rdy_instance *inst, %s_own_t own)\n{\n"
			   "\treturn rdy_handle_drop(inst, %uu, own.handle);\n}\n", cn, cn, t);
	}

	fprintf(h, "\n/* ---- exports: calls into the plugin ---------------------------------------- */\n");
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		fn_comment(g, h, &f, "", "Export");
		if (f.hbody) {
			fprintf(h, "/* The wrapper's way through a reloadable instance (W_t.live). */\n"
				   "int32_t %s__live_%u(const %s_t *inst%s);\n", wp, i, wp, f.hparams);
			if (f.lazy)
				fprintf(h, "/* The wrapper, whole, when the first lend is not its fast path's. */\n"
					   "int32_t %s__slow_%u(const %s_t *inst%s);\n"
					   "static inline int32_t %s(const %s_t *inst%s)\n{\n%s}\n",
					wp, i, wp, f.hparams, f.name, wp, f.hparams, f.hbody);
			else
				fprintf(h, "static inline int32_t %s(const %s_t *inst%s)\n{\n"
					   "\tif (__builtin_expect(inst->live != NULL, 0)) /* reloadable: out of line */\n"
					   "\t\treturn %s__live_%u(inst%s);\n%s}\n",
					f.name, wp, f.hparams, wp, i, f.args, f.hbody);
		} else {
			/*
			 * A reloadable instance's call inlines rdy_live_begin and
			 * rdy_live_end: out of line (rdy__live_N) it would cost a
			 * frame of its own, about as much as the rest.  The table's
			 * entry takes the slow path, an absent item and a killed
			 * instance (W_kill leaves W_t.live: releases of results go
			 * through it to the build serving, whose table is the one
			 * live, after a reload as before).
			 */
			fprintf(h, "static inline int32_t %s(const %s_t *inst%s)\n{\n\tint32_t st;\n"
				   "\tif (__builtin_expect(inst->live != NULL, 0)) { /* reloadable: the build serving now */\n"
				   "\t\trdy_live **rdy__at;\n"
				   "\t\t/* A NULL state: killed (W_kill), and the table's entry is a stub. */\n"
				   "\t\tconst rdy_build *rdy__b = inst->state ? rdy_live_begin(inst->live, &rdy__at) : NULL;\n"
				   "\t\tif (__builtin_expect(rdy__b && rdy__b->funcs[%u].call, 1)) {\n"
				   "\t\t\tst = ((int32_t (*)(struct rdy_state *%s))rdy__b->funcs[%u].call)((struct rdy_state *)rdy__b->self%s);\n"
				   "\t\t\trdy_live_end(rdy__at);\n"
				   "\t\t} else {\n\t\t\tif (rdy__b)\n\t\t\t\trdy_live_end(rdy__at);\n"
				   "\t\t\tst = inst->exports.%s(inst->state%s); /* waits for a reload, or finds it absent */\n"
				   "\t\t}\n\t} else {\n\t\tst = inst->exports.%s(inst->state%s);\n\t}\n",
				f.name, wp, f.params, i, f.types, i, f.args, f.name, f.args, f.name, f.args);
			if (g->exp[i].func->result != RDY_WIT_NONE && needs_free(g, g->exp[i].func->result))
				fprintf(h, "\tif (st == RDY_OK) /* counted until its release: the instance cannot go before */\n"
					   "\t\t__atomic_add_fetch(inst->results, 1, __ATOMIC_RELAXED);\n");
			fprintf(h, "\treturn st;\n}\n");
		}
		fprintf(h, "static inline bool %s(const %s_t *inst)\n{\n\tif (!inst->live)\n"
			   "\t\treturn inst->funcs[%u].call != NULL;\n"
			   "\tconst rdy_build *rdy__b = rdy_live_enter(inst->live);\n\tbool rdy__has = rdy__b && rdy__b->funcs[%u].call;\n"
			   "\tif (rdy__b)\n\t\trdy_live_leave();\n\treturn rdy__has;\n}\n",
			f.has, wp, i, i);
		if (g->exp[i].func->result != RDY_WIT_NONE && needs_free(g, g->exp[i].func->result))
			fprintf(h, "/*\n * Releases a result of %s: the plugin frees what it allocated.\n"
				   " * Once per successful call of the wrapper above, which counted it: the\n"
				   " * instance cannot be freed while a result is unreleased.\n */\n"
				   "static inline void %s_release(const %s_t *inst, %s *ret)\n{\n"
				   "\tif (inst->live) { /* the build serving now: a reloadable plugin's builds free alike */\n"
				   "\t\tconst rdy_build *rdy__b = rdy_live_enter(inst->live);\n"
				   "\t\tif (rdy__b && rdy__b->funcs[%u].release)\n\t\t\trdy__b->funcs[%u].release(rdy__b->self, ret);\n"
				   "\t\tif (rdy__b)\n\t\t\trdy_live_leave();\n"
				   "\t} else if (inst->funcs[%u].release) {\n\t\tinst->funcs[%u].release(inst->state, ret);\n\t}\n"
				   "\tuint64_t n = __atomic_load_n(inst->results, __ATOMIC_RELAXED);\n"
				   "\twhile (n && !__atomic_compare_exchange_n(inst->results, &n, n - 1, true, __ATOMIC_RELAXED,\n"
				   "\t\t\t\t\t\t   __ATOMIC_RELAXED))\n\t\t;\n}\n",
				f.name, f.name, wp, ctype(g, g->exp[i].func->result), i, i, i, i);
	}

	fprintf(c, "#include \"%s.h\"\n", g->in->base);
	/* In its note as well, so `rdy check HOST-BINARY PLUGIN` finds what the host expects. */
	emit_descriptor(g, rdy__sprintf(&g->a, "%s_descriptor_note", wp), rdy__sprintf(&g->a, "%s_descriptor_note_t", wp));
	if (g->in->peer) {
		fprintf(c, "\n/*\n * What a plugin built from the same WIT carries.  rdy_world_expect checks it\n"
			   " * once, so such a plugin opens without its descriptor being decoded and\n"
			   " * checked again.\n */\n");
		emit_bytes(g, "rdy__plugin_descriptor", g->in->peer, g->in->peer_len);
		fprintf(c, "\nrdy_world *%s_world(rdy_error **err)\n{\n"
			   "\trdy_world *w = rdy_world_new(%s_descriptor_note.desc, sizeof %s_descriptor_note.desc, err);\n"
			   "\tif (w && rdy_world_expect(w, rdy__plugin_descriptor, sizeof rdy__plugin_descriptor, err) != RDY_OK) {\n"
			   "\t\trdy_world_free(w);\n\t\treturn NULL;\n\t}\n\treturn w;\n}\n", wp, wp, wp);
	} else {
		fprintf(c, "\nrdy_world *%s_world(rdy_error **err)\n{\n"
			   "\treturn rdy_world_new(%s_descriptor_note.desc, sizeof %s_descriptor_note.desc, err);\n}\n",
			wp, wp, wp);
	}
	for (uint32_t i = 0; i < g->nimp; i++)
		if (g->imp[i].func->result != RDY_WIT_NONE && needs_free(g, g->imp[i].func->result)) {
			const char *ty = ctype(g, g->imp[i].func->result);
			fprintf(c, "\nstatic void rdy__release_%u(void *ctx, void *ret)\n{\n\t(void)ctx;\n\t%s\n}\n", i,
				free_call(g, g->imp[i].func->result, rdy__sprintf(&g->a, "(*(%s *)ret)", ty)));
		}
	for (uint32_t i = 0; i < g->nexp; i++) {
		if (!may_be_absent(g, &g->exp[i], true))
			continue;
		fprintf(c, "\n/* Stands for %s when the plugin lacks it. */\n", g->exp[i].func->name);
		emit_stub(g, i, "absent", "RDY_EABSENT");
	}
	/* For a reloadable module: the call goes to the build its rdy_live names now. */
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		/*
		 * Two functions: the slow path apart, so that the fast one saves
		 * one register only, for its place in the thread's record.
		 */
		for (int slow = 1; slow >= 0; slow--)
			fprintf(c, "\n/* %s through a reloadable instance's rdy_live, which stands for the state%s. */\n"
				   "%sstatic int32_t rdy__live_%s%u(struct rdy_state *rdy__live%s)\n{\n"
				   "%s"
				   "\tif (!rdy__b)\n\t\treturn %s;\n"
				   "\tint32_t rdy__st = rdy__b->funcs[%u].call\n"
				   "\t\t? ((int32_t (*)(struct rdy_state *%s))rdy__b->funcs[%u].call)((struct rdy_state *)rdy__b->self%s)\n"
				   "\t\t: RDY_EABSENT;\n\t%s;\n\treturn rdy__st;\n}\n",
				g->exp[i].func->name, slow ? "; the slow path" : "",
				slow ? "__attribute__((noinline, cold))\n" : "", slow ? "slow_" : "", i, f.params,
				slow ? "\tconst rdy_build *rdy__b = rdy_live_enter((rdy_live *)rdy__live);\n"
				     : "\trdy_live **rdy__at;\n"
				       "\tconst rdy_build *rdy__b = rdy_live_begin((rdy_live *)rdy__live, &rdy__at);\n",
				slow ? "RDY_EBUSY" : rdy__sprintf(&g->a, "rdy__live_slow_%u(rdy__live%s)", i, f.args), i, f.types,
				i, f.args, slow ? "rdy_live_leave()" : "rdy_live_end(rdy__at)");
	}
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		if (f.lbody)
			fprintf(c, "\n/* %s through a reloadable instance's rdy_live. */\nint32_t %s__live_%u(const %s_t *inst%s)\n{\n%s}\n",
				f.name, wp, i, wp, f.hparams, f.lbody);
		if (f.sbody)
			fprintf(c, "\n/* %s, whole. */\nint32_t %s__slow_%u(const %s_t *inst%s)\n{\n%s}\n", f.name, wp, i, wp,
				f.hparams, f.sbody);
	}
	if (g->nires)
		emit_host_thunks(g);
	fprintf(c, "\nint %s_instantiate(rdy_module *m, const %s_imports_t *imports, void *ctx, %s_t *out,\n"
		   "\t\t rdy_error **err)\n{\n", wp, wp, wp);
	if (g->nires) {
		fprintf(c, "\t%s_host_t *hb = (%s_host_t *)malloc(sizeof *hb);\n\tif (!hb)\n\t\treturn RDY_ENOMEM;\n"
			   "\thb->ctx = ctx;\n\thb->imports = *imports;\n", wp, wp);
		fprintf(c, "\tconst rdy_drop_fn drops[%u] = {\n", g->nires);
		for (uint32_t i = 0; i < g->nires; i++)
			fprintf(c, "\t\timports->%s_destructor ? rdy__hdrop_%u : NULL,\n", tname(g, g->ires[i].type), i);
		fputs("\t};\n", c);
	}
	if (g->nimp) {
		fprintf(c, "\tconst rdy_func_v1 table[%u] = {\n", g->nimp);
		for (uint32_t i = 0; i < g->nimp; i++) {
			fn f = describe_fn(g, &g->imp[i], false);
			bool rel = g->imp[i].func->result != RDY_WIT_NONE && needs_free(g, g->imp[i].func->result);
			const char *rl = rel ? rdy__sprintf(&g->a, "rdy__release_%u", i) : "NULL";
			if (g->nires)
				fprintf(c, "\t\t{ imports->%s ? (rdy_fn)rdy__import_%u : NULL, %s },\n", f.name, i, rl);
			else
				fprintf(c, "\t\t{ (rdy_fn)imports->%s, %s },\n", f.name, rl);
		}
		fputs("\t};\n", c);
	} else if (!g->nires) {
		fputs("\t(void)imports;\n", c);
	}
	fprintf(c, "\tconst rdy_instance_config config = { %s, %u, %s, %s, %s, %u };\n", g->nimp ? "table" : "NULL", g->nimp,
		g->nires ? "hb" : "ctx", g->nires ? "true" : "false", g->nires ? "drops" : "NULL", g->nires);
	fprintf(c, "\trdy_instance *inst = rdy_instance_create(m, &config, err);\n");
	fprintf(c, "\tif (!inst) {\n%s\t\treturn err && *err ? rdy_error_code(*err) : RDY_ENOMEM;\n\t}\n",
		g->nires ? "\t\tfree(hb);\n" : "");
	fprintf(c, "\tmemset(out, 0, sizeof *out);\n\tout->instance = inst;\n\tout->state = rdy_instance_self(inst);\n"
		   "\tout->funcs = rdy_instance_exports(inst);\n\tout->results = rdy_instance_results(inst);\n"
		   "\tout->live = rdy_instance_live(inst);\n%s",
		g->nires ? "\tout->host = hb;\n" : "");
	for (uint32_t i = 0; i < g->nexp; i++) {
		fn f = describe_fn(g, &g->exp[i], true);
		if (may_be_absent(g, &g->exp[i], true))
			fprintf(c, "\tout->exports.%s = out->funcs[%u].call ? (int32_t (*)(struct rdy_state *%s))out->funcs[%u].call\n"
				   "\t\t\t\t\t\t   : rdy__absent_%u;\n", f.name, i, f.types, i, i);
		else
			fprintf(c, "\tout->exports.%s = (int32_t (*)(struct rdy_state *%s))out->funcs[%u].call;\n", f.name, f.types, i);
	}
	/*
	 * A reloadable module's instance: each export goes through its rdy_live
	 * (docs/abi.md §7.5), which stands in for the state, so that the typed
	 * calls stay as they are and a module opened as before pays nothing.
	 */
	fprintf(c, "\tif (out->live) {\n\t\tout->state = (struct rdy_state *)out->live;\n");
	for (uint32_t i = 0; i < g->nexp; i++)
		fprintf(c, "\t\tout->exports.%s = rdy__live_%u;\n", describe_fn(g, &g->exp[i], true).name, i);
	fprintf(c, "\t}\n\treturn RDY_OK;\n}\n");
	fprintf(c, "\nint %s_free(%s_t *inst, rdy_error **err)\n{\n\tint rc = rdy_instance_free(inst->instance, err);\n"
		   "\tif (rc == RDY_OK) {\n\t\tfree(inst->host);\n\t\tmemset(inst, 0, sizeof *inst);\n\t}\n\treturn rc;\n}\n",
		wp, wp);
	/* After a kill every export is a stub that answers RDY_EDEAD: the plugin's state is gone. */
	for (uint32_t i = 0; i < g->nexp; i++) {
		fputc('\n', c);
		emit_stub(g, i, "dead", "RDY_EDEAD");
	}
	fprintf(c, "\nvoid %s_kill(%s_t *inst)\n{\n\trdy_instance_kill(inst->instance);\n", wp, wp);
	for (uint32_t i = 0; i < g->nexp; i++)
		fprintf(c, "\tinst->exports.%s = rdy__dead_%u;\n", describe_fn(g, &g->exp[i], true).name, i);
	fprintf(c, "\tinst->state = NULL;\n}\n");
}

/* ---- driver --------------------------------------------------------------------- */

/* Claims each function's name, its _release and its _has_ query, together. */
static void name_funcs(G *g, const rdy_abi_fref *v, uint32_t n, bool exported, const char ***names, const char ***has)
{
	static const char *const family[] = { "_release", NULL };
	*names = rdy__allocn(&g->a, n + 1, sizeof **names);
	*has = rdy__allocn(&g->a, n + 1, sizeof **has);
	for (uint32_t i = 0; i < n; i++) {
		const char *prefix = v[i].iface >= 0 ? iface_prefix(g, v[i].iface) : g->wp;
		const char *part = func_part(g, v[i].func), *ex = exported ? "exports_" : "";
		for (uint32_t k = 1;; k++) {
			const char *sfx = k == 1 ? "" : rdy__sprintf(&g->a, "_%u", k);
			const char *name = rdy__sprintf(&g->a, "%s%s_%s%s", ex, prefix, part, sfx);
			const char *q = rdy__sprintf(&g->a, "%s%s_has_%s%s", ex, prefix, part, sfx);
			if (taken(g, name, false) || taken(g, rdy__sprintf(&g->a, "%s_release", name), false) ||
			    taken(g, q, false))
				continue;
			(*names)[i] = claim_family(g, name, family);
			(*has)[i] = claim(g, q);
			break;
		}
	}
}

/* emit_type, for rdy_gen_each_item_type and rdy_gen_each_func_type. */
static void emit_named(void *g, rdy_wit_type t)
{
	emit_type(g, t);
}

static void run(G *g)
{
	const rdy_gen_input *in = g->in;
	g->tname = rdy__allocn(&g->a, g->m->ntypes + 1, sizeof *g->tname);
	g->members = rdy__allocn(&g->a, g->m->ntypes + 1, sizeof *g->members);
	g->state = rdy__allocn(&g->a, g->m->ntypes + 1, 1);
	g->needs_free = rdy__allocn(&g->a, g->m->ntypes + 1, 1);
	memset(g->needs_free, -1, g->m->ntypes + 1);
	for (uint32_t i = 0; i < g->m->ntypes; i++) {
		if (!g->m->types[i].name)
			continue;
		int32_t *who = smap_slot(g, &g->shorts, snake(g, g->m->types[i].name), true);
		int32_t u = unalias(g, (rdy_wit_type)i);
		*who = *who == -2 || *who == u ? u : -1;
	}
	const rdy_wit_package *p = &g->m->packages[g->w->package];
	g->wp = rdy__sprintf(&g->a, "%s_%s_%s", snake(g, p->ns), snake(g, p->name), snake(g, g->w->name));
	/* The world's own API comes first: WIT items never take these names. */
	static const char *const world_api[] = {
		"_t", "_imports", "_imports_t", "_exports", "_exports_t", "_state", "_state_t", "_instance_new",
		"_instance_free", "_world", "_descriptor", "_descriptor_note", "_descriptor_note_t", "_instantiate", "_free",
		"_kill", "_host", "_host_t", NULL
	};
	claim_family(g, g->wp, world_api);
	bool host = in->side == RDY_SIDE_HOST;
	const char *guard = upper(g, rdy__sprintf(&g->a, "RDY_GEN_%s_%s_H", g->wp, host ? "host" : "plugin"));

	banner(g, g->h);
	fprintf(g->h, "#ifndef %s\n#define %s\n\n", guard, guard);
	fprintf(g->h, "#include <%s>\n\n#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n"
		      "#include <stdlib.h>\n", host ? "rdy.h" : "rdy/abi.h");
	fprintf(g->h, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
	fprintf(g->h, "\n/* ---- types ------------------------------------------------------------------ */\n");
	rdy_gen_each_item_type(g->m, g->w->imports, g->w->nimports, emit_named, g);
	rdy_gen_each_item_type(g->m, g->w->exports, g->w->nexports, emit_named, g);
	rdy_gen_each_func_type(g->imp, g->nimp, emit_named, g);
	rdy_gen_each_func_type(g->exp, g->nexp, emit_named, g);

	name_funcs(g, g->imp, g->nimp, false, &g->imp_name, &g->imp_has);
	name_funcs(g, g->exp, g->nexp, true, &g->exp_name, &g->exp_has);

	banner(g, g->c);
	fputs("#include <string.h>\n", g->c);
	if (host)
		emit_host(g);
	else
		emit_plugin(g);
	fprintf(g->h, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

int rdy_gen_c(const rdy_gen_input *in, FILE *h, FILE *c, char *err, size_t errlen)
{
	G *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->in = in;
	g->m = in->m;
	g->w = &in->m->worlds[in->world];
	g->h = h;
	g->c = c;
	rdy__arena_init(&g->a, oom, g);
	int rc = -1;
	if (setjmp(g->oom)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	g->l = rdy_abi_layouts_new(in->m);
	g->hs = rdy_hashes_new(in->m);
	if (!g->l || !g->hs || rdy_abi_world_funcs(in->m, in->world, false, &g->imp, &g->nimp) < 0 ||
	    rdy_abi_world_funcs(in->m, in->world, true, &g->exp, &g->nexp) < 0 ||
	    rdy_abi_world_resources(in->m, in->world, true, &g->eres, &g->neres) < 0 ||
	    rdy_abi_world_resources(in->m, in->world, false, &g->ires, &g->nires) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	run(g);
	rc = 0;
out:
	free(g->imp);
	free(g->exp);
	free(g->eres);
	free(g->ires);
	rdy_abi_layouts_free(g->l);
	rdy_hashes_free(g->hs);
	rdy__arena_free(&g->a);
	free(g);
	return rc;
}

void rdy_gen_default_base(const rdy_wit_model *m, int world, int side, char *buf, size_t n)
{
	const char *name = m->worlds[world].name;
	size_t k = 0;
	for (; name[k] && k + 1 < n; k++)
		buf[k] = name[k] == '-' ? '_' : (char)tolower((unsigned char)name[k]);
	snprintf(buf + k, n - k, "_%s", side == RDY_SIDE_HOST ? "host" : "plugin");
}
