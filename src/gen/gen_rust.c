/*
 * The Rust generator.  One module: the ABI types of every type the world
 * reaches, laid out as the C declarations of `rdy gen c` (docs/abi.md §2)
 * and asserted so against the layout engine; then, for the plugin side
 * (core and std only), a trait per exported interface, which the plugin
 * implements, a `Host` with the imports, and an `export!` macro that makes
 * the root symbol, the export table and the thunks that catch panics; for
 * the host side (core, std and the rdy crate), the descriptors and
 * `world()`, an `Imports` trait registered through thunks that catch
 * panics, and the world's instance struct with one method per export and
 * one struct per resource the plugin implements (docs/cli.md).
 *
 * Anonymous types are spelled with generic ABI types (`RdyList<T>`,
 * `RdyOption<T>`, `RdyTuple2<A, B>`), named ones in CamelCase.
 */
#include "gen/gen.h"
#include "gen/gen_int.h"
#include "abi/abi.h"
#include "abi/desc.h"
#include "abi/funcs.h"
#include "wit/arena.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Names taken in one Rust namespace: a type's members, the crate's types, Host's methods. */
typedef struct scope {
	const char **v;
	uint32_t n, cap;
} scope;

typedef struct R {
	const rdy_gen_input *in;
	const rdy_wit_model *m;
	const rdy_wit_world *w;
	rdy_abi_layouts *l;
	rdy__arena a;
	jmp_buf oom;
	FILE *o;
	char *err;
	size_t errlen;
	const char **tname;                /* per type: its Rust name, once named */
	uint8_t *state;                    /* per type: 0 new, 1 being emitted, 2 emitted */
	int8_t *needs_free;                /* per type: -1 unknown, 0, 1 */
	int32_t *shorts_owner;             /* per type: another type of the same short name, or -1 */
	scope types;                       /* the module's type and trait names */
	scope asserted;                    /* anonymous types whose layout is asserted already */
	uint32_t tuples;                   /* bit N: RdyTupleN is used */
	rdy_abi_fref *imp, *exp;
	uint32_t nimp, nexp;
	rdy_abi_rref *eres, *ires;
	uint32_t neres, nires;
} R;

static void oom(void *ud)
{
	longjmp(((R *)ud)->oom, 1);
}

/* ---- identifiers -------------------------------------------------------------- */

static const char *const keywords[] = {
	"as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
	"impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
	"static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
	"await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
	"unsized", "virtual", "yield", "try", "gen", "union", NULL
};

static bool in_scope(const scope *s, const char *name)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

/* Claims NAME in S, or NAME2, NAME3 ... (SEP between) when it is taken. */
static const char *claim(R *g, scope *s, const char *name, const char *sep)
{
	const char *cand = name;
	for (uint32_t k = 2; in_scope(s, cand); k++)
		cand = rdy__sprintf(&g->a, "%s%s%u", name, sep, k);
	*RDY_PUSH(&g->a, s->v, s->n, s->cap) = cand;
	return cand;
}

static const char *fix_keyword(R *g, const char *s)
{
	for (const char *const *k = keywords; *k; k++)
		if (!strcmp(*k, s))
			return rdy__sprintf(&g->a, "%s_", s);
	return s;
}

/* kebab-case to snake_case, keywords with a trailing `_`. */
static const char *snake(R *g, const char *s)
{
	char *r = rdy__strndup(&g->a, s, strlen(s));
	for (char *p = r; *p; p++)
		*p = *p == '-' ? '_' : (char)tolower((unsigned char)*p);
	return fix_keyword(g, r);
}

static const char *upper(R *g, const char *s)
{
	char *r = rdy__strndup(&g->a, s, strlen(s));
	for (char *p = r; *p; p++)
		*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	return r;
}

/* kebab-case (or snake_case) to CamelCase: each word's first letter upper. */
static const char *camel(R *g, const char *s)
{
	char *r = rdy__alloc(&g->a, strlen(s) + 1), *q = r;
	bool start = true;
	for (; *s; s++) {
		if (*s == '-' || *s == '_') {
			start = true;
			continue;
		}
		*q++ = start ? (char)toupper((unsigned char)*s) : *s;
		start = false;
	}
	return r;
}

/* ---- types ---------------------------------------------------------------------- */

static const char *const prim_rs[] = {
	"", "RdyBool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "RdyChar", "RdyString", "?"
};

static const rdy_wit_typedef *def(R *g, rdy_wit_type t)
{
	return &g->m->types[t];
}

static rdy_wit_type unalias(R *g, rdy_wit_type t)
{
	return rdy_gen_unalias(g->m, t);
}

static const char *iface_label(R *g, int32_t iface)
{
	const rdy_wit_interface *in = &g->m->interfaces[iface];
	if (in->name)
		return in->name;
	for (uint32_t s = 0; s < 2; s++) {
		const rdy_wit_item *v = s ? g->w->exports : g->w->imports;
		uint32_t n = s ? g->w->nexports : g->w->nimports;
		for (uint32_t i = 0; i < n; i++)
			if (v[i].kind == RDY_WIT_ITEM_INTERFACE && v[i].id == iface && v[i].name)
				return v[i].name;
	}
	return "iface";
}

/*
 * The Rust name of a named type: its CamelCase name, with its interface's
 * in front when another type of the model has the same short name, and a
 * number after when even that is taken.
 */
static const char *tname(R *g, rdy_wit_type t)
{
	if (g->tname[t])
		return g->tname[t];
	const rdy_wit_typedef *d = def(g, t);
	const char *base = camel(g, d->name);
	if (g->shorts_owner[t] >= 0 && d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		base = rdy__sprintf(&g->a, "%s%s", camel(g, iface_label(g, d->owner)), base);
	return g->tname[t] = claim(g, &g->types, base, "");
}

static const char *rty(R *g, rdy_wit_type t);

static const char *payload_ty(R *g, rdy_wit_type t)
{
	return t == RDY_WIT_NONE ? "()" : rty(g, t);
}

/* The Rust ABI type of a value of T: laid out exactly as its C type. */
static const char *rty(R *g, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return "()";
	if (t < 0)
		return prim_rs[-t];
	const rdy_wit_typedef *d = def(g, t);
	switch (d->kind) {
	case RDY_WIT_ALIAS: /* a resource's alias as a value is its own handle, as the resource's */
		return d->name && !(unalias(g, t) >= 0 && def(g, unalias(g, t))->kind == RDY_WIT_RESOURCE) ? tname(g, t)
											       : rty(g, d->a);
	case RDY_WIT_RESOURCE:
		return rdy__sprintf(&g->a, "%sOwn", tname(g, t));
	case RDY_WIT_HANDLE:
		return rdy__sprintf(&g->a, "%s%s", tname(g, unalias(g, d->a)), d->borrow ? "Borrow" : "Own");
	case RDY_WIT_TUPLE: {
		if (!d->ncases)
			return "RdyEmpty";
		g->tuples |= 1u << d->ncases;
		const char *s = rdy__sprintf(&g->a, "RdyTuple%u<", d->ncases);
		for (uint32_t i = 0; i < d->ncases; i++)
			s = rdy__sprintf(&g->a, "%s%s%s", s, i ? ", " : "", rty(g, d->cases[i].type));
		return rdy__sprintf(&g->a, "%s>", s);
	}
	case RDY_WIT_OPTION:
		return rdy__sprintf(&g->a, "RdyOption<%s>", rty(g, d->a));
	case RDY_WIT_RESULT:
		return rdy__sprintf(&g->a, "RdyResult<%s, %s>", payload_ty(g, d->a), payload_ty(g, d->b));
	case RDY_WIT_LIST:
		return rdy__sprintf(&g->a, "RdyList<%s>", rty(g, d->a));
	case RDY_WIT_FIXED_LIST:
		return d->size ? rdy__sprintf(&g->a, "[%s; %u]", rty(g, d->a), d->size) : "RdyEmpty";
	case RDY_WIT_MAP:
		g->tuples |= 1u << 2;
		return rdy__sprintf(&g->a, "RdyList<RdyTuple2<%s, %s>>", rty(g, d->a), rty(g, d->b));
	default:
		return tname(g, t);
	}
}

static bool needs_free(R *g, rdy_wit_type t)
{
	return rdy_gen_needs_free(g->m, g->needs_free, t);
}

static const char *uint_of(uint32_t bytes)
{
	return bytes == 1 ? "u8" : bytes == 2 ? "u16" : bytes == 4 ? "u32" : "u64";
}

/* WIT documentation as `///` lines (or `//!` for INNER), indented by IND. */
static void doc(R *g, const char *ind, const char *docs)
{
	if (!docs || !*docs)
		return;
	for (const char *s = docs; *s;) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		fprintf(g->o, "%s///%s%.*s\n", ind, n ? " " : "", (int)n, s);
		s += n + (e != NULL);
	}
}

static void assert_layout(R *g, const char *ty, rdy_wit_type t)
{
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	fprintf(g->o, "const _: () = assert!(size_of::<%s>() == %u && align_of::<%s>() == %u);\n", ty, a->size, ty,
		a->align);
}

static void assert_offset(R *g, const char *ty, const char *member, uint32_t off)
{
	fprintf(g->o, "const _: () = assert!(offset_of!(%s, %s) == %u);\n", ty, member, off);
}

/* The member names of one scope: snake case, `_2` after a name already spelled. */
static const char **members(R *g, rdy_wit_type t)
{
	const rdy_wit_typedef *d = def(g, t);
	scope s = { 0 };
	const char **out = rdy__allocn(&g->a, d->ncases + 1, sizeof *out);
	for (uint32_t i = 0; i < d->ncases; i++)
		out[i] = claim(g, &s, d->kind == RDY_WIT_TUPLE ? rdy__sprintf(&g->a, "f%u", i) : snake(g, d->cases[i].name),
			       "_");
	return out;
}

static const char **consts(R *g, rdy_wit_type t)
{
	const rdy_wit_typedef *d = def(g, t);
	scope s = { 0 };
	const char **out = rdy__allocn(&g->a, d->ncases + 1, sizeof *out);
	for (uint32_t i = 0; i < d->ncases; i++)
		out[i] = claim(g, &s, upper(g, d->cases[i].name), "_");
	return out;
}

/* The impls every generated type has: ABI identity for results and views, and its free. */
static void emit_traits(R *g, const char *cn, bool by_ref, const char *free_body)
{
	FILE *o = g->o;
	fprintf(o, "impl RdyIntoAbi for %s {\n    type Abi = %s;\n    fn into_abi(self) -> %s {\n        self\n    }\n}\n", cn,
		cn, cn);
	if (by_ref)
		fprintf(o, "impl<'a> RdyView<'a> for %s {\n    type Out = &'a %s;\n"
			   "    fn view(&'a self) -> Result<&'a %s, i32> {\n        Ok(self)\n    }\n}\n", cn, cn, cn);
	else
		fprintf(o, "impl<'a> RdyView<'a> for %s {\n    type Out = %s;\n"
			   "    fn view(&'a self) -> Result<%s, i32> {\n        Ok(*self)\n    }\n}\n", cn, cn, cn);
	fprintf(o, "impl RdyFree for %s {\n    unsafe fn rdy_free(&mut self) {\n%s    }\n}\n", cn, free_body);
}

static void emit_record(R *g, rdy_wit_type t, const char *cn)
{
	const rdy_wit_typedef *d = def(g, t);
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	const char **mem = members(g, t);
	FILE *o = g->o;
	fprintf(o, "#[repr(C)]\n#[derive(Clone, Copy)]\npub struct %s {\n", cn);
	for (uint32_t i = 0; i < d->ncases; i++) {
		doc(g, "    ", d->cases[i].docs);
		fprintf(o, "    pub %s: %s,\n", mem[i], rty(g, d->cases[i].type));
	}
	if (!d->ncases)
		fputs("    /// C has no empty structs: always 0.\n    pub reserved: u8,\n", o);
	fputs("}\n", o);
	assert_layout(g, cn, t);
	for (uint32_t i = 0; i < d->ncases; i++)
		assert_offset(g, cn, mem[i], a->offsets[i]);
	const char *body = "";
	for (uint32_t i = 0; i < d->ncases; i++)
		if (needs_free(g, d->cases[i].type))
			body = rdy__sprintf(&g->a, "%s        unsafe { self.%s.rdy_free() };\n", body, mem[i]);
	emit_traits(g, cn, true, body);
}

/*
 * A variant: the tag as the raw integer the other side wrote, and the
 * payloads in a union that only the accessors read, after checking the tag.
 */
static void emit_variant(R *g, rdy_wit_type t, const char *cn)
{
	const rdy_wit_typedef *d = def(g, t);
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	const char **mem = members(g, t), **cst = consts(g, t), *tag = uint_of(a->disc);
	FILE *o = g->o;
	bool any = false;
	for (uint32_t i = 0; i < d->ncases; i++)
		any |= d->cases[i].type != RDY_WIT_NONE;
	const char *un = any ? claim(g, &g->types, rdy__sprintf(&g->a, "%sPayload", cn), "") : NULL;
	fprintf(o, "#[repr(C)]\n#[derive(Clone, Copy)]\npub struct %s {\n"
		   "    /// The case index: one of the constants below, unless the other side wrote garbage.\n"
		   "    pub tag: %s,\n%s}\n", cn, tag, any ? rdy__sprintf(&g->a, "    pub val: %s,\n", un) : "");
	if (any) {
		fprintf(o, "#[repr(C)]\n#[derive(Clone, Copy)]\npub union %s {\n", un);
		for (uint32_t i = 0; i < d->ncases; i++)
			if (d->cases[i].type != RDY_WIT_NONE)
				fprintf(o, "    pub %s: core::mem::ManuallyDrop<%s>,\n", mem[i], rty(g, d->cases[i].type));
		fputs("}\n", o);
	}
	assert_layout(g, cn, t);
	if (any)
		assert_offset(g, cn, "val", a->payload);
	fprintf(o, "impl %s {\n", cn);
	for (uint32_t i = 0; i < d->ncases; i++) {
		doc(g, "    ", d->cases[i].docs);
		fprintf(o, "    pub const %s: %s = %u;\n", cst[i], tag, i);
	}
	for (uint32_t i = 0; i < d->ncases; i++) {
		rdy_wit_type ct = d->cases[i].type;
		if (ct == RDY_WIT_NONE) {
			fprintf(o, "    /// The case `%s`.\n    pub fn %s() -> Self {\n        // SAFETY: every byte pattern is a valid payload.\n"
				   "        let mut v: Self = unsafe { core::mem::zeroed() };\n        v.tag = Self::%s;\n        v\n    }\n",
				d->cases[i].name, mem[i], cst[i]);
			continue;
		}
		fprintf(o, "    /// The case `%s`, carrying V.\n    pub fn %s(v: %s) -> Self {\n"
			   "        // SAFETY: every byte pattern is a valid payload.\n"
			   "        let mut r: Self = unsafe { core::mem::zeroed() };\n        r.tag = Self::%s;\n"
			   "        r.val.%s = core::mem::ManuallyDrop::new(v);\n        r\n    }\n",
			d->cases[i].name, mem[i], rty(g, ct), cst[i], mem[i]);
		fprintf(o, "    /// The payload of `%s`, when that is the case.\n    pub fn as_%s(&self) -> Option<&%s> {\n"
			   "        if self.tag == Self::%s {\n            // SAFETY: the tag says this member was written.\n"
			   "            Some(unsafe { &self.val.%s })\n        } else {\n            None\n        }\n    }\n",
			d->cases[i].name, mem[i], rty(g, ct), cst[i], mem[i]);
	}
	/*
	 * A Rust enum to match on, the payload borrowed: the tag is read once,
	 * and a tag no case has is Unknown, never undefined behaviour.
	 */
	const char *vn = claim(g, &g->types, rdy__sprintf(&g->a, "%sCase", cn), "");
	bool taken = false;
	for (uint32_t i = 0; i < d->ncases; i++)
		taken |= !strcmp(mem[i], "case");
	const char *getter = taken ? "case_" : "case";
	fprintf(o, "    /// The value as a Rust enum to match on, each payload borrowed.\n"
		   "    pub fn %s(&self) -> %s%s {\n        match self.tag {\n", getter, vn, any ? "<'_>" : "");
	scope vs = { 0 };
	const char **vc = rdy__allocn(&g->a, d->ncases + 1, sizeof *vc);
	claim(g, &vs, "Unknown", "");
	for (uint32_t i = 0; i < d->ncases; i++) {
		vc[i] = claim(g, &vs, fix_keyword(g, camel(g, d->cases[i].name)), "");
		if (d->cases[i].type == RDY_WIT_NONE)
			fprintf(o, "            Self::%s => %s::%s,\n", cst[i], vn, vc[i]);
		else
			fprintf(o, "            // SAFETY: the tag says this member was written.\n"
				   "            Self::%s => %s::%s(unsafe { &self.val.%s }),\n", cst[i], vn, vc[i], mem[i]);
	}
	fprintf(o, "            t => %s::Unknown(t),\n        }\n    }\n}\n", vn);
	fprintf(o, "/// `%s` to match on (`%s::%s`): a case per case, its payload borrowed.\n"
		   "#[derive(Clone, Copy)]\npub enum %s%s {\n", cn, cn, getter, vn, any ? "<'a>" : "");
	for (uint32_t i = 0; i < d->ncases; i++) {
		doc(g, "    ", d->cases[i].docs);
		if (d->cases[i].type == RDY_WIT_NONE)
			fprintf(o, "    %s,\n", vc[i]);
		else
			fprintf(o, "    %s(&'a %s),\n", vc[i], rty(g, d->cases[i].type));
	}
	fprintf(o, "    /// A tag no case has: the other side wrote garbage.\n    Unknown(%s),\n}\n", tag);
	const char *body = "";
	for (uint32_t i = 0; i < d->ncases; i++)
		if (needs_free(g, d->cases[i].type))
			body = rdy__sprintf(&g->a, "%s        if self.tag == Self::%s {\n"
						   "            unsafe { (*self.val.%s).rdy_free() };\n        }\n", body, cst[i], mem[i]);
	emit_traits(g, cn, true, body);
}

/*
 * Enums and flags are transparent integers with named constants, never
 * Rust enums: a Rust enum holding a discriminant it does not declare is
 * undefined behaviour, and the other side's memory can hold any value.
 */
static void emit_enum(R *g, rdy_wit_type t, const char *cn)
{
	const rdy_wit_typedef *d = def(g, t);
	const char **cst = consts(g, t), *ty = uint_of(rdy_abi_layout(g->l, t)->size);
	FILE *o = g->o;
	fprintf(o, "/// An enum as its case index.  A transparent integer, not a Rust enum: a value\n"
		   "/// read from the other side's memory may be any %s, and a Rust enum holding\n"
		   "/// an undeclared discriminant would be undefined behaviour.  Compare it with\n"
		   "/// the constants; `is_known` tells whether it is one of them.\n", ty);
	fprintf(o, "#[repr(transparent)]\n#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]\npub struct %s(pub %s);\n", cn, ty);
	assert_layout(g, cn, t);
	fprintf(o, "impl %s {\n", cn);
	for (uint32_t i = 0; i < d->ncases; i++) {
		doc(g, "    ", d->cases[i].docs);
		fprintf(o, "    pub const %s: Self = Self(%u);\n", cst[i], i);
	}
	fprintf(o, "    /// Whether this is one of the %u cases.\n    pub fn is_known(self) -> bool {\n"
		   "        (self.0 as u64) < %u\n    }\n}\n", d->ncases, d->ncases);
	emit_traits(g, cn, false, "");
}

static void emit_flags(R *g, rdy_wit_type t, const char *cn)
{
	const rdy_wit_typedef *d = def(g, t);
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	const char **cst = consts(g, t);
	FILE *o = g->o;
	if (a->words) {
		fprintf(o, "/// Flags as bits: flag i is bit i %% 64 of `words[i / 64]`; the constants are indices.\n"
			   "#[repr(C)]\n#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]\n"
			   "pub struct %s {\n    pub words: [u64; %u],\n}\n", cn, a->words);
		assert_layout(g, cn, t);
		fprintf(o, "impl %s {\n", cn);
		for (uint32_t i = 0; i < d->ncases; i++)
			fprintf(o, "    pub const %s: u32 = %u;\n", cst[i], i);
		fprintf(o, "    /// Whether flag I is set.\n    pub fn contains(&self, i: u32) -> bool {\n"
			   "        i < %u && self.words[(i / 64) as usize] & (1u64 << (i %% 64)) != 0\n    }\n"
			   "    /// Sets flag I (a flag past the last is ignored).\n    pub fn insert(&mut self, i: u32) {\n"
			   "        if i < %u {\n            self.words[(i / 64) as usize] |= 1u64 << (i %% 64);\n        }\n    }\n}\n",
			d->ncases, d->ncases);
		emit_traits(g, cn, true, "");
		return;
	}
	const char *ty = uint_of(a->size);
	fprintf(o, "/// Flags as a bit set, bit i for the i-th flag.  Any bits the other side sets\n"
		   "/// are kept as they are: every value of the integer is valid.\n"
		   "#[repr(transparent)]\n#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]\npub struct %s(pub %s);\n", cn, ty);
	assert_layout(g, cn, t);
	fprintf(o, "impl %s {\n", cn);
	for (uint32_t i = 0; i < d->ncases; i++) {
		doc(g, "    ", d->cases[i].docs);
		fprintf(o, "    pub const %s: Self = Self(1 << %u);\n", cst[i], i);
	}
	fprintf(o, "    /// No flag set.\n    pub const fn empty() -> Self {\n        Self(0)\n    }\n"
		   "    /// The raw bits.\n    pub const fn bits(self) -> %s {\n        self.0\n    }\n"
		   "    /// Whether every flag of OTHER is set in self.\n    pub const fn contains(self, other: Self) -> bool {\n"
		   "        self.0 & other.0 == other.0\n    }\n}\n", ty);
	fprintf(o, "impl core::ops::BitOr for %s {\n    type Output = Self;\n    fn bitor(self, r: Self) -> Self {\n"
		   "        Self(self.0 | r.0)\n    }\n}\n", cn);
	fprintf(o, "impl core::ops::BitOrAssign for %s {\n    fn bitor_assign(&mut self, r: Self) {\n        self.0 |= r.0;\n    }\n}\n", cn);
	fprintf(o, "impl core::ops::BitAnd for %s {\n    type Output = Self;\n    fn bitand(self, r: Self) -> Self {\n"
		   "        Self(self.0 & r.0)\n    }\n}\n", cn);
	emit_traits(g, cn, false, "");
}

static void emit_resource(R *g, rdy_wit_type t, const char *cn)
{
	FILE *o = g->o;
	for (int b = 0; b < 2; b++) {
		const char *hn = rdy__sprintf(&g->a, "%s%s", cn, b ? "Borrow" : "Own");
		fprintf(o, "/// %s handle to resource `%s` (docs/abi.md §4): a number only the runtime\n"
			   "/// interprets%s.\n", b ? "A borrow" : "An own", def(g, t)->name,
			b ? "; valid for the call it was lent to" : "; ownership moves with it");
		fprintf(o, "#[repr(C)]\n#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]\npub struct %s {\n    pub handle: u32,\n}\n", hn);
		fprintf(o, "const _: () = assert!(size_of::<%s>() == 4 && align_of::<%s>() == 4);\n", hn, hn);
		emit_traits(g, hn, false, "");
	}
}

static void emit_type(R *g, rdy_wit_type t);

static void emit_deps(R *g, rdy_wit_type t)
{
	const rdy_wit_typedef *d = def(g, t);
	for (uint32_t i = 0; i < d->ncases; i++)
		emit_type(g, d->cases[i].type);
	emit_type(g, d->a);
	emit_type(g, d->b);
}

/* The layout of an anonymous type, asserted once per spelling. */
static void assert_anon(R *g, rdy_wit_type t)
{
	const rdy_wit_typedef *d = def(g, t);
	if (d->kind == RDY_WIT_ALIAS || d->kind == RDY_WIT_HANDLE || d->kind == RDY_WIT_RESOURCE)
		return;
	const char *ty = rty(g, t);
	if (in_scope(&g->asserted, ty))
		return;
	*RDY_PUSH(&g->a, g->asserted.v, g->asserted.n, g->asserted.cap) = ty;
	const rdy_abi_type *a = rdy_abi_layout(g->l, t);
	assert_layout(g, ty, t);
	if (d->kind == RDY_WIT_OPTION || (d->kind == RDY_WIT_RESULT && (d->a != RDY_WIT_NONE || d->b != RDY_WIT_NONE)))
		assert_offset(g, ty, "val", a->payload);
	if (d->kind == RDY_WIT_TUPLE)
		for (uint32_t i = 0; i < d->ncases; i++)
			assert_offset(g, ty, rdy__sprintf(&g->a, "f%u", i), a->offsets[i]);
}

/* Emits T after what it refers to, once. */
static void emit_type(R *g, rdy_wit_type t)
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
	if (!d->name) {
		assert_anon(g, t);
		return;
	}
	/* A type that `use` brings in is the original under its own name. */
	if (d->kind == RDY_WIT_ALIAS && d->a >= 0 && def(g, d->a)->name && !strcmp(def(g, d->a)->name, d->name) &&
	    !g->tname[t]) {
		g->tname[t] = unalias(g, t) >= 0 && def(g, unalias(g, t))->kind == RDY_WIT_RESOURCE ? tname(g, d->a)
												    : rty(g, d->a);
		return;
	}
	const char *cn = tname(g, t);
	char buf[256] = "";
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		rdy_wit_interface_id(g->m, d->owner, buf, sizeof buf);
	fprintf(g->o, "\n// %s `%s`%s%s\n", d->kind == RDY_WIT_ALIAS ? "type" : d->kind == RDY_WIT_RECORD ? "record"
		: d->kind == RDY_WIT_VARIANT ? "variant" : d->kind == RDY_WIT_ENUM ? "enum"
		: d->kind == RDY_WIT_FLAGS ? "flags" : "resource", d->name, *buf ? " of " : "", buf);
	doc(g, "", d->docs);
	switch (d->kind) {
	case RDY_WIT_ALIAS:
		fprintf(g->o, "pub type %s = %s;\n", cn, rty(g, d->a));
		/* An alias of an alias may end in a primitive: unalias is negative then. */
		if (d->a >= 0 && (unalias(g, d->a) < 0 || def(g, unalias(g, d->a))->kind != RDY_WIT_RESOURCE))
			assert_layout(g, cn, t);
		break;
	case RDY_WIT_RECORD: emit_record(g, t, cn); break;
	case RDY_WIT_VARIANT: emit_variant(g, t, cn); break;
	case RDY_WIT_ENUM: emit_enum(g, t, cn); break;
	case RDY_WIT_FLAGS: emit_flags(g, t, cn); break;
	case RDY_WIT_RESOURCE: emit_resource(g, t, cn); break;
	default: break;
	}
}

/* ---- functions ------------------------------------------------------------------ */

/* [F-ARGS]: primitives but string, enums, flags of at most 64 bits and handles pass by value. */
static bool by_value(R *g, rdy_wit_type t)
{
	return rdy_gen_by_value(g->m, g->l, t);
}

/* The type a plugin's function sees for a parameter: borrowed views (`&str`, slices, Option). */
static const char *vty(R *g, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return "()";
	if (t == RDY_WIT_BOOL)
		return "bool";
	if (t == RDY_WIT_CHAR)
		return "char";
	if (t == RDY_WIT_STRING)
		return "&str";
	if (t < 0)
		return prim_rs[-t];
	const rdy_wit_typedef *d = def(g, t);
	switch (d->kind) {
	case RDY_WIT_ALIAS: return vty(g, d->a);
	case RDY_WIT_LIST: return rdy__sprintf(&g->a, "&[%s]", rty(g, d->a));
	case RDY_WIT_MAP: return rdy__sprintf(&g->a, "&[RdyTuple2<%s, %s>]", rty(g, d->a), rty(g, d->b));
	case RDY_WIT_OPTION: return rdy__sprintf(&g->a, "Option<%s>", vty(g, d->a));
	case RDY_WIT_RESULT: return rdy__sprintf(&g->a, "Result<%s, %s>", vty(g, d->a), vty(g, d->b));
	case RDY_WIT_ENUM:
	case RDY_WIT_HANDLE:
	case RDY_WIT_RESOURCE: return rty(g, t);
	case RDY_WIT_FLAGS: return rdy_abi_layout(g->l, t)->words ? rdy__sprintf(&g->a, "&%s", rty(g, t)) : rty(g, t);
	default: return rdy__sprintf(&g->a, "&%s", rty(g, t));
	}
}

/* The type a plugin's function returns for a result: owned Rust values, made ABI values by RdyIntoAbi. */
static const char *oty(R *g, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return "()";
	if (t == RDY_WIT_BOOL)
		return "bool";
	if (t == RDY_WIT_CHAR)
		return "char";
	if (t == RDY_WIT_STRING)
		return "String";
	if (t < 0)
		return prim_rs[-t];
	const rdy_wit_typedef *d = def(g, t);
	switch (d->kind) {
	case RDY_WIT_ALIAS: return oty(g, d->a);
	case RDY_WIT_LIST: return rdy__sprintf(&g->a, "Vec<%s>", oty(g, d->a));
	case RDY_WIT_OPTION: return rdy__sprintf(&g->a, "Option<%s>", oty(g, d->a));
	case RDY_WIT_RESULT: return rdy__sprintf(&g->a, "Result<%s, %s>", oty(g, d->a), oty(g, d->b));
	default: return rty(g, t);
	}
}

/* The name of a function's part: "add", "counter_get" for `[method]counter.get`. */
static const char *func_part(R *g, const rdy_wit_func *f)
{
	const char *dot = strchr(f->name, '.');
	switch (f->kind) {
	case RDY_WIT_METHOD:
	case RDY_WIT_STATIC:
		return snake(g, rdy__sprintf(&g->a, "%.*s_%s", (int)(dot - f->name - 8), f->name + 8, dot + 1));
	case RDY_WIT_CONSTRUCTOR:
		return snake(g, rdy__sprintf(&g->a, "%s_new", f->name + 13));
	default:
		return snake(g, f->name);
	}
}

static const char **param_names(R *g, const rdy_wit_func *f)
{
	scope s = { 0 };
	claim(g, &s, "inst", "_"); /* a resource's functions receive the instance */
	const char **out = rdy__allocn(&g->a, f->nparams + 1, sizeof *out);
	for (uint32_t i = 0; i < f->nparams; i++)
		out[i] = claim(g, &s, snake(g, f->params[i].name), "_");
	return out;
}

/*
 * Where a parameter or whole result of T is own<R> or borrow<R> (or R as a
 * value) of a resource R among the N resources RES, R's index there, with
 * *BORROW telling which; otherwise -1.
 */
static int32_t res_index(R *g, rdy_wit_type t, bool *borrow, const rdy_abi_rref *res, uint32_t n)
{
	rdy_wit_type u = unalias(g, t);
	*borrow = false;
	if (u < 0)
		return -1;
	const rdy_wit_typedef *d = def(g, u);
	if (d->kind == RDY_WIT_HANDLE) {
		*borrow = d->borrow;
		u = unalias(g, d->a);
	}
	if (u < 0 || def(g, u)->kind != RDY_WIT_RESOURCE)
		return -1;
	for (uint32_t k = 0; k < n; k++)
		if (res[k].type == u)
			return (int32_t)k;
	return -1;
}

/*
 * res_index among the world's exported resources, those the plugin
 * implements: such a value crosses an export as the plugin's rep [F-REP].
 */
static int32_t prep(R *g, rdy_wit_type t, bool *borrow)
{
	return res_index(g, t, borrow, g->eres, g->neres);
}

/* The ABI type of an export's parameter (REPS: reps for the plugin's own resources). */
static const char *abi_param(R *g, rdy_wit_type t, bool reps)
{
	bool b;
	if (reps && prep(g, t, &b) >= 0)
		return "*mut c_void";
	return by_value(g, t) ? rty(g, t) : rdy__sprintf(&g->a, "*const %s", rty(g, t));
}

static const char *abi_result(R *g, rdy_wit_type t, bool reps)
{
	bool b;
	if (reps && prep(g, t, &b) >= 0)
		return "*mut *mut c_void";
	return rdy__sprintf(&g->a, "*mut %s", rty(g, t));
}

/* The ABI signature: "*mut c_void, u32, *const RdyString, *mut u32". */
static const char *abi_sig(R *g, const rdy_wit_func *f, bool reps)
{
	const char *s = "*mut c_void";
	for (uint32_t i = 0; i < f->nparams; i++)
		s = rdy__sprintf(&g->a, "%s, %s", s, abi_param(g, f->params[i].type, reps));
	if (f->result != RDY_WIT_NONE)
		s = rdy__sprintf(&g->a, "%s, %s", s, abi_result(g, f->result, reps));
	return s;
}

static void fn_comment(R *g, const rdy_abi_fref *r, const char *ind)
{
	char *sig = NULL, id[256] = "the world";
	size_t len = 0;
	FILE *s = open_memstream(&sig, &len);
	if (!s)
		longjmp(g->oom, 1);
	rdy_wit_print_func(g->m, r->func, s);
	fclose(s);
	if (r->iface >= 0)
		rdy_wit_interface_id(g->m, r->iface, id, sizeof id);
	fprintf(g->o, "%s/// `%s` in %s: `%s`\n", ind, r->func->name, id, sig ? sig : "");
	free(sig);
	const rdy_wit_stability *st = &r->func->stability;
	if (st->kind == RDY_WIT_STAB_STABLE && st->since)
		fprintf(g->o, "%s/// Gated @since(version = %s).\n", ind, st->since->text);
	if (st->deprecated)
		fprintf(g->o, "%s/// Deprecated since %s.\n", ind, st->deprecated->text);
	if (r->func->docs && *r->func->docs) {
		fprintf(g->o, "%s///\n", ind);
		doc(g, ind, r->func->docs);
	}
}

/* ---- the plugin's side: exports --------------------------------------------------- */

typedef struct etrait {
	int32_t iface;                     /* -1: the world's own functions, in trait Guest */
	uint32_t item;
	const char *name;
	int32_t res;                       /* a resource's trait: its index in eres, else -1 */
	uint32_t owner;                    /* a resource's trait: the trait holding its type */
	const char *assoc;                 /* a resource's trait: the associated type's name there */
	scope sc;                          /* the trait's method names */
	scope super;                       /* an interface's trait: traits it requires */
} etrait;

typedef struct etraits {
	etrait *v;
	uint32_t n;
	int32_t *of_res;                   /* per exported resource: its trait */
	const char **method;               /* per export: its method's name */
	uint32_t *owner;                   /* per export: its trait */
} etraits;

/* The trait of interface item ITEM (IFACE), made when new; 0 (Guest) for the world's own items. */
static uint32_t iface_trait(R *g, etraits *e, int32_t iface, uint32_t item)
{
	if (iface < 0)
		return 0;
	for (uint32_t k = 1; k < e->n; k++)
		if (e->v[k].res < 0 && e->v[k].item == item)
			return k;
	etrait *t = &e->v[e->n];
	*t = (etrait){ iface, item, claim(g, &g->types, camel(g, iface_label(g, iface)), ""), -1, 0, NULL, { 0 }, { 0 } };
	claim(g, &t->sc, "new", "_");
	return e->n++;
}

/* The Rust type of the plugin's object of exported resource K, as GEN (a type implementing Guest) sees it. */
static const char *objty(R *g, const etraits *e, uint32_t k, const char *gen)
{
	const etrait *rt = &e->v[e->of_res[k]];
	return rdy__sprintf(&g->a, "<%s as %s>::%s", gen, e->v[rt->owner].name, rt->assoc);
}

/*
 * The trait of each exported interface with functions or resources, Guest
 * for the world's own, and one per resource the plugin implements, which
 * its object's type implements: constructor, methods, static functions.
 */
static etraits export_traits(R *g)
{
	etraits e = { 0 };
	uint32_t cap = 1 + g->nexp + 2 * g->neres;
	e.v = rdy__allocn(&g->a, cap, sizeof *e.v);
	e.method = rdy__allocn(&g->a, g->nexp + 1, sizeof *e.method);
	e.owner = rdy__allocn(&g->a, g->nexp + 1, sizeof *e.owner);
	e.of_res = rdy__allocn(&g->a, g->neres + 1, sizeof *e.of_res);
	e.v[0] = (etrait){ -1, 0, "Guest", -1, 0, NULL, { 0 }, { 0 } };
	claim(g, &e.v[0].sc, "new", "_");
	e.n = 1;
	for (uint32_t i = 0; i < g->nexp; i++)
		if (g->exp[i].iface >= 0)
			iface_trait(g, &e, g->exp[i].iface, g->exp[i].item);
	static const char *const helpers[] = { "into_own", "into_held", "take_own", "with_rep", NULL };
	for (uint32_t k = 0; k < g->neres; k++) {
		uint32_t ow = iface_trait(g, &e, g->eres[k].iface, g->eres[k].item);
		rdy_wit_type t = g->eres[k].type;
		etrait *rt = &e.v[e.n];
		*rt = (etrait){ g->eres[k].iface, g->eres[k].item, tname(g, t), (int32_t)k, ow, NULL, { 0 }, { 0 } };
		for (const char *const *h = helpers; *h; h++)
			claim(g, &rt->sc, *h, "_");
		e.of_res[k] = (int32_t)e.n++;
	}
	/* The associated types' names: unique within their trait. */
	for (uint32_t k = 0; k < e.n; k++) {
		scope s = { 0 };
		claim(g, &s, "Self", "");
		for (uint32_t j = 0; j < e.n; j++)
			if (e.v[j].res >= 0 && e.v[j].owner == k)
				e.v[j].assoc = claim(g, &s, camel(g, def(g, g->eres[e.v[j].res].type)->name), "");
	}
	for (uint32_t i = 0; i < g->nexp; i++) {
		const rdy_wit_func *f = g->exp[i].func;
		bool b;
		int32_t k = f->resource >= 0 ? prep(g, f->resource, &b) : -1;
		if (k >= 0) {
			uint32_t t = (uint32_t)e.of_res[k];
			const char *dot = strchr(f->name, '.');
			e.owner[i] = t;
			e.method[i] = claim(g, &e.v[t].sc, f->kind == RDY_WIT_CONSTRUCTOR || !dot ? "new" : snake(g, dot + 1), "_");
		} else {
			e.owner[i] = iface_trait(g, &e, g->exp[i].iface, g->exp[i].item);
			e.method[i] = claim(g, &e.v[e.owner[i]].sc, func_part(g, f), "_");
		}
		/* An interface's trait requires the traits holding the other resources its functions' reps name. */
		uint32_t home = e.v[e.owner[i]].res >= 0 ? e.v[e.owner[i]].owner : e.owner[i];
		for (uint32_t p = 0; p <= f->nparams; p++) {
			rdy_wit_type pt = p < f->nparams ? f->params[p].type : f->result;
			int32_t r = pt == RDY_WIT_NONE ? -1 : prep(g, pt, &b);
			if (r < 0)
				continue;
			uint32_t need = e.v[e.of_res[r]].owner;
			if (home && need != home && !in_scope(&e.v[home].super, e.v[need].name))
				*RDY_PUSH(&g->a, e.v[home].super.v, e.v[home].super.n, e.v[home].super.cap) = e.v[need].name;
		}
	}
	return e;
}

/* A parameter's type in a trait's method: the object for a rep, else the view. GEN names the Guest type. */
static const char *trait_param(R *g, const etraits *e, rdy_wit_type t, const char *gen, int32_t self_res)
{
	bool b;
	int32_t k = prep(g, t, &b);
	if (k < 0)
		return vty(g, t);
	const char *ob = k == self_res ? "Self" : objty(g, e, (uint32_t)k, gen);
	return rdy__sprintf(&g->a, b ? "&%s" : "Box<%s>", ob);
}

static const char *trait_result(R *g, const etraits *e, rdy_wit_type t, const char *gen, int32_t self_res)
{
	bool b;
	int32_t k = prep(g, t, &b);
	if (k < 0)
		return oty(g, t);
	return rdy__sprintf(&g->a, "Box<%s>", k == self_res ? "Self" : objty(g, e, (uint32_t)k, gen));
}

/* Whether export I is its resource's constructor returning the object itself. */
static bool plain_ctor(R *g, const etraits *e, uint32_t i)
{
	const rdy_wit_func *f = g->exp[i].func;
	bool b;
	return f->kind == RDY_WIT_CONSTRUCTOR && e->v[e->owner[i]].res >= 0 && prep(g, f->result, &b) == e->v[e->owner[i]].res;
}

static void emit_resource_trait(R *g, const etraits *e, uint32_t k)
{
	FILE *o = g->o;
	const etrait *t = &e->v[k];
	rdy_wit_type rt = g->eres[t->res].type;
	const char *cn = t->name, *ow = e->v[t->owner].name;
	char id[256] = "the world";
	if (t->iface >= 0)
		rdy_wit_interface_id(g->m, t->iface, id, sizeof id);
	fprintf(o, "\n/// The resource `%s` of %s, which this plugin implements: your object's\n"
		   "/// type implements this trait, and `%s::%s` names it.  The host sees only\n"
		   "/// handles; the generated code hands you the object (docs/abi.md §4).\n"
		   "/// Dropping it is its destructor: the runtime drops it when the last own\n"
		   "/// handle goes, or when the instance is freed by force.  G is your `Guest`\n"
		   "/// type, whose instance every function receives as `inst`.\n",
		def(g, rt)->name, id, ow, t->assoc);
	doc(g, "", def(g, rt)->docs);
	fprintf(o, "pub trait %s<G: %s<%s = Self> + ?Sized>: Sized + Send + Sync + 'static {\n", cn, ow, t->assoc);
	for (uint32_t i = 0; i < g->nexp; i++) {
		if (e->owner[i] != k)
			continue;
		const rdy_wit_func *f = g->exp[i].func;
		const char **pn = param_names(g, f);
		bool method = f->kind == RDY_WIT_METHOD;
		fn_comment(g, &g->exp[i], "    ");
		fprintf(o, "    fn %s(%sinst: &G", e->method[i], method ? "&self, " : "");
		for (uint32_t p = method; p < f->nparams; p++)
			fprintf(o, ", %s: %s", pn[p], trait_param(g, e, f->params[p].type, "G", t->res));
		fputc(')', o);
		if (plain_ctor(g, e, i))
			fputs(" -> Self", o);
		else if (f->result != RDY_WIT_NONE)
			fprintf(o, " -> %s", trait_result(g, e, f->result, "G", t->res));
		fputs(";\n", o);
	}
	uint32_t r = (uint32_t)t->res;
	fprintf(o, "    /// A new own handle to the object, for a value that carries one (an\n"
		   "    /// option, a record...): ownership goes with it.  When the runtime\n"
		   "    /// refuses (RDY_EDEAD while the instance is being freed), the object is\n"
		   "    /// dropped and the status returned.\n"
		   "    fn into_own(self, host: &Host) -> Result<%sOwn, i32> {\n"
		   "        let p = Box::into_raw(Box::new(self)) as *mut c_void;\n        let mut h = 0u32;\n"
		   "        // SAFETY: the runtime fills handles and rt for ABI 1.1 plugins [H-API].\n"
		   "        let st = unsafe { ((*host.handles()).own_new)(host.rt(), %u, p, &mut h) };\n"
		   "        if st == RDY_OK {\n            Ok(%sOwn { handle: h })\n        } else {\n"
		   "            // SAFETY: no handle was made: the Box is still only ours.\n"
		   "            drop(unsafe { Box::from_raw(p as *mut Self) });\n            Err(st)\n        }\n    }\n",
		cn, r, cn);
	fprintf(o, "    /// As `into_own`, held: the handle is dropped when the `%sHeld` is.\n"
		   "    fn into_held(self, host: &Host) -> Result<%sHeld, i32> {\n"
		   "        Ok(%sHeld::new(host, self.into_own(host)?))\n    }\n", cn, cn, cn);
	fprintf(o, "    /// Takes back the object of an own handle that you were given: the handle\n"
		   "    /// is gone, the object yours again (its destructor has not run).\n"
		   "    fn take_own(host: &Host, own: %sOwn) -> Result<Box<Self>, i32> {\n"
		   "        let mut p = core::ptr::null_mut();\n"
		   "        // SAFETY: as into_own; the runtime checks the handle and its type.\n"
		   "        let st = unsafe { ((*host.handles()).take)(host.rt(), %u, own.handle, &mut p) };\n"
		   "        if st != RDY_OK {\n            return Err(st);\n        }\n"
		   "        // SAFETY: the rep of a handle of this resource is a Box<Self> of into_own\n"
		   "        // or of a result, and taking it made it ours alone.\n"
		   "        Ok(unsafe { Box::from_raw(p as *mut Self) })\n    }\n", cn, r);
	fprintf(o, "    /// Runs F with the object of a handle (own or borrow) that you hold or\n"
		   "    /// were lent for this call, checked by the runtime.\n"
		   "    fn with_rep<T, F: FnOnce(&Self) -> T>(host: &Host, handle: u32, f: F) -> Result<T, i32> {\n"
		   "        let mut p = core::ptr::null_mut();\n"
		   "        // SAFETY: as into_own.\n"
		   "        let st = unsafe { ((*host.handles()).rep)(host.rt(), %u, handle, &mut p) };\n"
		   "        if st != RDY_OK {\n            return Err(st);\n        }\n"
		   "        // SAFETY: the handle is live, so its object is, for the call.\n"
		   "        Ok(f(unsafe { &*(p as *const Self) }))\n    }\n}\n", r);
	fprintf(o, "\n/// An own handle to this plugin's `%s` that the plugin holds: dropping it\n"
		   "/// drops the handle, and the object's destructor runs once the runtime\n"
		   "/// lets it go (docs/abi.md [H-DROP]).  `into_own` gives the handle away.\n"
		   "pub struct %sHeld {\n    own: %sOwn,\n    host: Host,\n}\n", def(g, rt)->name, cn, cn);
	fprintf(o, "impl %sHeld {\n    /// Holds OWN, a handle you were given or made.\n"
		   "    pub fn new(host: &Host, own: %sOwn) -> Self {\n        Self { own, host: *host }\n    }\n"
		   "    /// The handle, still held.\n    pub fn handle(&self) -> %sOwn {\n        self.own\n    }\n"
		   "    /// Gives the handle away (into a result): it is no longer dropped here.\n"
		   "    pub fn into_own(self) -> %sOwn {\n        let own = self.own;\n        core::mem::forget(self);\n        own\n    }\n}\n",
		cn, cn, cn, cn);
	fprintf(o, "impl Drop for %sHeld {\n    fn drop(&mut self) {\n"
		   "        // A refused drop (the instance is being freed) leaves nothing to do.\n"
		   "        // SAFETY: as into_own.\n"
		   "        let _ = unsafe { ((*self.host.handles()).drop)(self.host.rt(), %u, self.own.handle) };\n    }\n}\n",
		cn, r);
}

static void emit_traits_decl(R *g, const etraits *e)
{
	FILE *o = g->o;
	fputs("\n// ---- exports: you implement these traits ------------------------------------\n", o);
	for (uint32_t k = 0; k < e->n; k++) {
		const etrait *tr = &e->v[k];
		if (tr->res >= 0)
			continue;
		fputc('\n', o);
		if (k == 0) {
			fputs("/// Your plugin: one value of your type per instance, made by `new` and\n"
			      "/// dropped when the host frees the instance.  The host may call an\n"
			      "/// instance from several threads at once, so the exports take `&self`:\n"
			      "/// keep mutable state behind a Mutex or atomics.  A panic in any of these\n"
			      "/// functions reaches the host as the trap status RDY_ETRAP.\n", o);
			fputs("pub trait Guest: Sized + Send + Sync + 'static", o);
			for (uint32_t j = 1; j < e->n; j++)
				if (e->v[j].res < 0)
					fprintf(o, " + %s", e->v[j].name);
			fputs(" {\n    /// A new instance.  HOST reaches the host's imports for as long as the\n"
			      "    /// instance lives; keep it in your value if you call them later.\n"
			      "    fn new(host: Host) -> Self;\n", o);
		} else {
			char id[256];
			rdy_wit_interface_id(g->m, tr->iface, id, sizeof id);
			fprintf(o, "/// The exported interface `%s`.\n", id);
			doc(g, "", g->m->interfaces[tr->iface].docs);
			fprintf(o, "pub trait %s", tr->name);
			for (uint32_t j = 0; j < tr->super.n; j++)
				fprintf(o, "%s%s", j ? " + " : ": ", tr->super.v[j]);
			fputs(" {\n", o);
		}
		for (uint32_t j = 0; j < e->n; j++)
			if (e->v[j].res >= 0 && e->v[j].owner == k)
				fprintf(o, "    /// Your object of resource `%s`.\n    type %s: %s<Self>;\n",
					def(g, g->eres[e->v[j].res].type)->name, e->v[j].assoc, e->v[j].name);
		for (uint32_t i = 0; i < g->nexp; i++) {
			if (e->owner[i] != k)
				continue;
			const rdy_wit_func *f = g->exp[i].func;
			const char **pn = param_names(g, f);
			fn_comment(g, &g->exp[i], "    ");
			fprintf(o, "    fn %s(&self", e->method[i]);
			for (uint32_t p = 0; p < f->nparams; p++)
				fprintf(o, ", %s: %s", pn[p], trait_param(g, e, f->params[p].type, "Self", -1));
			fputc(')', o);
			if (f->result != RDY_WIT_NONE)
				fprintf(o, " -> %s", trait_result(g, e, f->result, "Self", -1));
			fputs(";\n", o);
		}
		fputs("}\n", o);
	}
	for (uint32_t k = 0; k < e->n; k++)
		if (e->v[k].res >= 0)
			emit_resource_trait(g, e, k);
}

/* The argument a thunk passes on for parameter I (ABI name pI). */
static const char *arg_conv(R *g, const etraits *e, rdy_wit_type t, uint32_t i)
{
	rdy_wit_type u = unalias(g, t);
	bool b;
	int32_t k = prep(g, t, &b);
	if (k >= 0 && b)
		return rdy__sprintf(&g->a, "unsafe { (p%u as *const %s).as_ref() }.ok_or(RDY_EINVAL)?", i,
				    objty(g, e, (uint32_t)k, "T"));
	if (k >= 0)
		return rdy__sprintf(&g->a, "if p%u.is_null() {\n            return Err(RDY_EINVAL);\n        } else {\n"
					   "            // SAFETY: the host took the handle: the object is ours alone [F-REP].\n"
					   "            unsafe { Box::from_raw(p%u as *mut %s) }\n        }", i, i,
				    objty(g, e, (uint32_t)k, "T"));
	if (!by_value(g, t))
		return rdy__sprintf(&g->a, "RdyView::view(unsafe { &*p%u })?", i);
	if (u == RDY_WIT_BOOL)
		return rdy__sprintf(&g->a, "p%u.get()", i);
	if (u == RDY_WIT_CHAR)
		return rdy__sprintf(&g->a, "p%u.get().ok_or(RDY_EINVAL)?", i);
	return rdy__sprintf(&g->a, "p%u", i);
}

static void emit_thunk(R *g, const etraits *e, uint32_t i)
{
	const rdy_wit_func *f = g->exp[i].func;
	const etrait *tr = &e->v[e->owner[i]];
	FILE *o = g->o;
	bool b;
	fprintf(o, "\n/// The export table's entry %u: `%s`.\n#[doc(hidden)]\npub unsafe extern \"C\" fn __rdy_export_%u<T: Guest>(state: *mut c_void",
		i, f->name, i);
	for (uint32_t p = 0; p < f->nparams; p++)
		fprintf(o, ", p%u: %s", p, abi_param(g, f->params[p].type, true));
	if (f->result != RDY_WIT_NONE)
		fprintf(o, ", ret: %s", abi_result(g, f->result, true));
	fputs(") -> i32 {\n    rdy_guard(|| {\n        // SAFETY: STATE is the Box<T> that instance_new made, alive until instance_free.\n"
	      "        let this: &T = unsafe { &*(state as *const T) };\n", o);
	/* Own reps first: the host took them, so they are dropped (destroyed) if a later argument is refused. */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t p = 0; p < f->nparams; p++) {
			int32_t k = prep(g, f->params[p].type, &b);
			if ((k >= 0 && !b) == (pass == 0))
				fprintf(o, "        let a%u = %s;\n", p, arg_conv(g, e, f->params[p].type, p));
		}
	const char *callee = tr->res >= 0 ? rdy__sprintf(&g->a, "<%s as %s<T>>", objty(g, e, (uint32_t)tr->res, "T"), tr->name)
					  : rdy__sprintf(&g->a, "<T as %s>", tr->name);
	bool method = tr->res >= 0 && f->kind == RDY_WIT_METHOD;
	fprintf(o, "        %s%s::%s(%sthis", f->result != RDY_WIT_NONE ? "let out = " : "", callee, e->method[i],
		method ? "a0, " : "");
	for (uint32_t p = method; p < f->nparams; p++)
		fprintf(o, ", a%u", p);
	fputs(");\n", o);
	if (f->result != RDY_WIT_NONE && prep(g, f->result, &b) >= 0)
		fprintf(o, "        // The host makes the new own handle of the rep [F-REP].\n"
			   "        let rep = Box::into_raw(%s) as *mut c_void;\n"
			   "        // SAFETY: RET points at room for the rep [F-RESULT].\n        unsafe { ret.write(rep) };\n",
			plain_ctor(g, e, i) ? "Box::new(out)" : "out");
	else if (f->result != RDY_WIT_NONE)
		fprintf(o, "        let abi: %s = RdyIntoAbi::into_abi(out);\n"
			   "        // SAFETY: RET points at room for the result [F-RESULT].\n        unsafe { ret.write(abi) };\n",
			rty(g, f->result));
	fputs("        Ok(())\n    })\n}\n", o);
	if (f->result != RDY_WIT_NONE && needs_free(g, f->result))
		fprintf(o, "#[doc(hidden)]\npub unsafe extern \"C\" fn __rdy_release_%u(_state: *mut c_void, ret: *mut c_void) {\n"
			   "    // SAFETY: RET is a result that export %u wrote, owned by this plugin [F-OWN].\n"
			   "    unsafe { (*(ret as *mut %s)).rdy_free() };\n}\n", i, i, rty(g, f->result));
}

static void emit_exports(R *g)
{
	etraits e = export_traits(g);
	emit_traits_decl(g, &e);
	FILE *o = g->o;
	fputs("\n// ---- the export table and the root symbol: export! puts them in your crate --\n", o);
	for (uint32_t i = 0; i < g->nexp; i++)
		emit_thunk(g, &e, i);
	fprintf(o, "\n#[doc(hidden)]\npub const fn __rdy_exports<T: Guest>() -> [RdyFuncV1; %u] {\n    [\n", g->nexp);
	for (uint32_t i = 0; i < g->nexp; i++) {
		const rdy_wit_func *f = g->exp[i].func;
		const char *sig = rdy__sprintf(&g->a, "unsafe extern \"C\" fn(%s) -> i32", abi_sig(g, f, true));
		bool rel = f->result != RDY_WIT_NONE && needs_free(g, f->result);
		fprintf(o, "        RdyFuncV1 {\n            // SAFETY: the host calls it back through this exact type.\n"
			   "            call: Some(unsafe { core::mem::transmute::<%s, unsafe extern \"C\" fn()>(__rdy_export_%u::<T> as %s) }),\n"
			   "            release: %s,\n        },\n", sig, i, sig,
			rel ? rdy__sprintf(&g->a, "Some(__rdy_release_%u)", i) : "None");
	}
	fputs("    ]\n}\n", o);
	if (!g->neres)
		return;
	fputs("\n// ---- destructors, in resource order [R-RES] ----------------------------------\n", o);
	for (uint32_t k = 0; k < g->neres; k++)
		fprintf(o, "\n/// The destructor of `%s`: drops the object.  A panic in its Drop cannot\n"
			   "/// be reported (the runtime's destructor returns nothing): it is caught,\n"
			   "/// so that no unwind crosses the boundary, and the object is gone either way.\n"
			   "#[doc(hidden)]\npub unsafe extern \"C\" fn __rdy_drop_%u<T: Guest>(_state: *mut c_void, rep: *mut c_void) {\n"
			   "    // SAFETY: REP is the Box of an object of this resource, which the runtime\n"
			   "    // destroys once [H-DROP].\n"
			   "    let _ = std::panic::catch_unwind(|| drop(unsafe { Box::from_raw(rep as *mut %s) }));\n}\n",
			def(g, g->eres[k].type)->name, k, objty(g, &e, k, "T"));
	fprintf(o, "\n#[doc(hidden)]\npub const fn __rdy_resources<T: Guest>() -> [RdyResourceV1; %u] {\n    [\n", g->neres);
	for (uint32_t k = 0; k < g->neres; k++)
		fprintf(o, "        RdyResourceV1 { drop: __rdy_drop_%u::<T> },\n", k);
	fputs("    ]\n}\n", o);
}

/* ---- the plugin's side: imports --------------------------------------------------- */

static const char *host_param(R *g, rdy_wit_type t)
{
	rdy_wit_type u = unalias(g, t);
	if (u == RDY_WIT_BOOL)
		return "bool";
	if (u == RDY_WIT_CHAR)
		return "char";
	if (u == RDY_WIT_STRING)
		return "&str";
	if (u >= 0 && def(g, u)->kind == RDY_WIT_LIST)
		return rdy__sprintf(&g->a, "&[%s]", rty(g, def(g, u)->a));
	return by_value(g, t) ? rty(g, t) : rdy__sprintf(&g->a, "&%s", rty(g, t));
}

/* The ABI argument for a Host method's parameter NAME; a borrowed view lives in local vI. */
static const char *host_arg(R *g, rdy_wit_type t, const char *name, uint32_t i, const char **pre)
{
	rdy_wit_type u = unalias(g, t);
	if (u == RDY_WIT_BOOL)
		return rdy__sprintf(&g->a, "RdyBool::from(%s)", name);
	if (u == RDY_WIT_CHAR)
		return rdy__sprintf(&g->a, "RdyChar::from(%s)", name);
	if (u == RDY_WIT_STRING || (u >= 0 && def(g, u)->kind == RDY_WIT_LIST)) {
		*pre = rdy__sprintf(&g->a, "%s        let __v%u = %s::borrowed(%s);\n", *pre, i,
				    u == RDY_WIT_STRING ? "RdyString" : "RdyList", name);
		return rdy__sprintf(&g->a, "&__v%u", i);
	}
	return by_value(g, t) ? name : rdy__sprintf(&g->a, "%s as *const _", name);
}

static void emit_import(R *g, uint32_t i, scope *hs)
{
	const rdy_abi_fref *r = &g->imp[i];
	const rdy_wit_func *f = r->func;
	FILE *o = g->o;
	const char *part = func_part(g, f);
	if (r->iface >= 0)
		part = rdy__sprintf(&g->a, "%s_%s", snake(g, iface_label(g, r->iface)), part);
	const char *name = claim(g, hs, fix_keyword(g, part), "_");
	const char *has = claim(g, hs, rdy__sprintf(&g->a, "has_%s", part), "_");
	const char **pn = param_names(g, f), *pre = "", *args = "";
	bool rel = f->result != RDY_WIT_NONE && needs_free(g, f->result);
	const char *rt = f->result == RDY_WIT_NONE ? "()" : rty(g, f->result);
	fputc('\n', o);
	fn_comment(g, r, "    ");
	fprintf(o, "    /// Arguments are borrowed for the call; a status other than RDY_OK is the error%s.\n",
		rel ? ", and the result is released to the host when you drop it" : "");
	fprintf(o, "    pub fn %s(&self", name);
	for (uint32_t p = 0; p < f->nparams; p++) {
		fprintf(o, ", %s: %s", pn[p], host_param(g, f->params[p].type));
		args = rdy__sprintf(&g->a, "%s, %s", args, host_arg(g, f->params[p].type, pn[p], p, &pre));
	}
	fprintf(o, ") -> Result<%s, i32> {\n", rel ? rdy__sprintf(&g->a, "RdyReturned<%s>", rt) : rt);
	fprintf(o, "        let Some(__f) = self.func(%u) else {\n            return Err(RDY_EABSENT);\n        };\n%s", i, pre);
	fprintf(o, "        // SAFETY: the host put a function of this exact type in the table [R-ROOT].\n"
		   "        let __f = unsafe { core::mem::transmute::<unsafe extern \"C\" fn(), unsafe extern \"C\" fn(%s) -> i32>(__f) };\n",
		abi_sig(g, f, false));
	if (f->result == RDY_WIT_NONE) {
		fprintf(o, "        // SAFETY: the arguments are valid for the call.\n"
			   "        let __st = unsafe { __f(self.ctx()%s) };\n        if __st == RDY_OK {\n            Ok(())\n"
			   "        } else {\n            Err(__st)\n        }\n    }\n", args);
	} else {
		fprintf(o, "        let mut __ret = MaybeUninit::<%s>::uninit();\n"
			   "        // SAFETY: the arguments are valid for the call; RET has room for the result.\n"
			   "        let __st = unsafe { __f(self.ctx()%s, __ret.as_mut_ptr()) };\n        if __st != RDY_OK {\n            return Err(__st);\n        }\n"
			   "        // SAFETY: the host wrote the result; every bit pattern is a valid ABI value.\n"
			   "        let __v = unsafe { __ret.assume_init() };\n", rt, args);
		if (rel)
			fprintf(o, "        Ok(RdyReturned { v: __v, im: self.im, index: %u })\n    }\n", i);
		else
			fputs("        Ok(__v)\n    }\n", o);
	}
	fprintf(o, "    /// Whether the host provides `%s` (a gated import may be absent).\n"
		   "    pub fn %s(&self) -> bool {\n        self.func(%u).is_some()\n    }\n", f->name, has, i);
}

static void emit_host(R *g)
{
	FILE *o = g->o;
	fputs("\n// ---- imports: the host's functions ------------------------------------------\n\n", o);
	fputs("/// How an instance reaches its host: the imports the runtime passed to\n"
	      "/// instance_new, valid until the instance is freed, so keep it only in your\n"
	      "/// instance's value.\n#[derive(Clone, Copy)]\npub struct Host {\n    im: *const RdyImportsV1,\n}\n"
	      "// SAFETY: the import table is read only; the host's functions take any thread.\n"
	      "unsafe impl Send for Host {}\nunsafe impl Sync for Host {}\n", o);
	fprintf(o, "impl Host {\n    fn ctx(&self) -> *mut c_void {\n        // SAFETY: IM lives as long as the instance.\n"
		   "        unsafe { (*self.im).ctx }\n    }\n"
		   "    fn func(&self, i: usize) -> Option<unsafe extern \"C\" fn()> {\n"
		   "        // SAFETY: the runtime gives %u entries (the root symbol's nimports).\n"
		   "        unsafe { (*(*self.im).funcs.add(i)).call }\n    }\n", g->nimp);
	fputs("    fn handles(&self) -> *const RdyHandlesV1 {\n        // SAFETY: IM lives as long as the instance.\n"
	      "        unsafe { (*self.im).handles }\n    }\n"
	      "    fn rt(&self) -> *mut c_void {\n        // SAFETY: IM lives as long as the instance.\n"
	      "        unsafe { (*self.im).rt }\n    }\n", o);
	scope hs = { 0 };
	claim(g, &hs, "ctx", "_");
	claim(g, &hs, "func", "_");
	claim(g, &hs, "handles", "_");
	claim(g, &hs, "rt", "_");
	for (uint32_t i = 0; i < g->nimp; i++)
		emit_import(g, i, &hs);
	for (uint32_t k = 0; k < g->neres; k++) {
		rdy_wit_type t = g->eres[k].type;
		const char *n = claim(g, &hs, rdy__sprintf(&g->a, "drop_%s", snake(g, def(g, t)->name)), "_");
		fprintf(o, "\n    /// Drops an own handle to your `%s` that you were given or made: its\n"
			   "    /// destructor runs once the runtime lets the object go.\n"
			   "    pub fn %s(&self, own: %sOwn) -> Result<(), i32> {\n"
			   "        // SAFETY: the runtime fills handles and rt for ABI 1.1 plugins [H-API].\n"
			   "        let st = unsafe { ((*self.handles()).drop)(self.rt(), %u, own.handle) };\n"
			   "        if st == RDY_OK {\n            Ok(())\n        } else {\n            Err(st)\n        }\n    }\n",
			def(g, t)->name, n, tname(g, t), k);
	}
	for (uint32_t j = 0; j < g->nires; j++) {
		rdy_wit_type t = g->ires[j].type;
		const char *n = claim(g, &hs, rdy__sprintf(&g->a, "drop_%s", snake(g, def(g, t)->name)), "_");
		fprintf(o, "\n    /// Drops an own handle to the host's `%s`: the host's destructor runs, once.\n"
			   "    pub fn %s(&self, own: %sOwn) -> Result<(), i32> {\n"
			   "        // SAFETY: the runtime fills handles and rt for ABI 1.1 plugins [H-API].\n"
			   "        let st = unsafe { ((*(*self.im).handles).drop)((*self.im).rt, %u, own.handle) };\n"
			   "        if st == RDY_OK {\n            Ok(())\n        } else {\n            Err(st)\n        }\n    }\n",
			def(g, t)->name, n, tname(g, t), g->neres + j);
	}
	fputs("}\n", o);
}

/* ---- the module ------------------------------------------------------------------- */

/* The ABI types and traits every module carries, one line per string. */
static const char *const prelude[] = {
	"use core::ffi::{c_char, c_void};\n",
	"use core::mem::{align_of, offset_of, size_of, MaybeUninit};\n",
	"\n",
	"// ---- the ABI (docs/abi.md) ---------------------------------------------------\n",
	"\n",
	"/// Status codes [F-STATUS]: 0 is success, anything else a trap.\n",
	"pub const RDY_OK: i32 = 0;\n",
	"/// What a plugin returns for a panic.\n",
	"pub const RDY_ETRAP: i32 = 1;\n",
	"/// A gated item the other side lacks.\n",
	"pub const RDY_EABSENT: i32 = 2;\n",
	"pub const RDY_ENOMEM: i32 = 3;\n",
	"/// What a plugin returns for an argument that is not what its type says\n",
	"/// (a string that is not UTF-8, a char that is not a scalar value).\n",
	"pub const RDY_EINVAL: i32 = 4;\n",
	"\n",
	"unsafe extern \"C\" {\n",
	"    fn malloc(n: usize) -> *mut c_void;\n",
	"    fn free(p: *mut c_void);\n",
	"}\n",
	"\n",
	"/// Memory for results comes from C's malloc, so it is freed alike by every\n",
	"/// build of a plugin, in C or Rust (docs/abi.md §7.5, Results).\n",
	"fn rdy_alloc<T>(n: usize) -> *mut T {\n",
	"    let bytes = n.checked_mul(size_of::<T>()).expect(\"rdy: allocation too large\");\n",
	"    // SAFETY: malloc takes any size; the result is checked.\n",
	"    let p = unsafe { malloc(if bytes == 0 { 1 } else { bytes }) } as *mut T;\n",
	"    assert!(!p.is_null(), \"rdy: out of memory\");\n",
	"    p\n",
	"}\n",
	"\n",
	"/// `bool` [L-PRIM]: one byte, 0 or 1.  Not a Rust bool, which may hold only\n",
	"/// those two: the byte comes from the other side's memory.\n",
	"#[repr(transparent)]\n",
	"#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]\n",
	"pub struct RdyBool(pub u8);\n",
	"impl RdyBool {\n",
	"    /// Any byte but 0 is true.\n",
	"    pub fn get(self) -> bool {\n",
	"        self.0 != 0\n",
	"    }\n",
	"}\n",
	"impl From<bool> for RdyBool {\n",
	"    fn from(b: bool) -> Self {\n",
	"        Self(b as u8)\n",
	"    }\n",
	"}\n",
	"\n",
	"/// `char` [L-PRIM]: a Unicode scalar value in a u32, checked when read.\n",
	"#[repr(transparent)]\n",
	"#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]\n",
	"pub struct RdyChar(pub u32);\n",
	"impl RdyChar {\n",
	"    /// None when the value is not a Unicode scalar value.\n",
	"    pub fn get(self) -> Option<char> {\n",
	"        char::from_u32(self.0)\n",
	"    }\n",
	"}\n",
	"impl From<char> for RdyChar {\n",
	"    fn from(c: char) -> Self {\n",
	"        Self(c as u32)\n",
	"    }\n",
	"}\n",
	"\n",
	"/// `string` [L-PRIM]: UTF-8 bytes, not NUL-terminated.  As the other side\n",
	"/// wrote it: `as_str` checks the bytes.\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy, Debug)]\n",
	"pub struct RdyString {\n",
	"    pub ptr: *const u8,\n",
	"    pub len: usize,\n",
	"}\n",
	"impl RdyString {\n",
	"    /// A view of S for the length of a call (the host's imports take these).\n",
	"    pub fn borrowed(s: &str) -> Self {\n",
	"        Self { ptr: s.as_ptr(), len: s.len() }\n",
	"    }\n",
	"    /// An owned copy of S in malloc'd memory, for results: the generated\n",
	"    /// release function frees it.\n",
	"    pub fn new(s: &str) -> Self {\n",
	"        let p = rdy_alloc::<u8>(s.len());\n",
	"        // SAFETY: P has room for the bytes.\n",
	"        unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len()) };\n",
	"        Self { ptr: p, len: s.len() }\n",
	"    }\n",
	"    /// The bytes.  The value must be one the other side passed or returned,\n",
	"    /// still valid: arguments for the call, results until released.\n",
	"    pub fn as_bytes(&self) -> &[u8] {\n",
	"        if self.len == 0 {\n",
	"            return &[];\n",
	"        }\n",
	"        // SAFETY: PTR and LEN describe LEN readable bytes [L-PRIM].\n",
	"        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }\n",
	"    }\n",
	"    /// The text, or an error when the bytes are not UTF-8.\n",
	"    pub fn as_str(&self) -> Result<&str, core::str::Utf8Error> {\n",
	"        core::str::from_utf8(self.as_bytes())\n",
	"    }\n",
	"}\n",
	"\n",
	"/// `list<T>` [L-LIST]: a pointer and a length.\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy, Debug)]\n",
	"pub struct RdyList<T> {\n",
	"    pub ptr: *const T,\n",
	"    pub len: usize,\n",
	"}\n",
	"impl<T> RdyList<T> {\n",
	"    /// A view of S for the length of a call.\n",
	"    pub fn borrowed(s: &[T]) -> Self {\n",
	"        Self { ptr: s.as_ptr(), len: s.len() }\n",
	"    }\n",
	"    /// The elements, valid as long as the value (see RdyString::as_bytes).\n",
	"    pub fn as_slice(&self) -> &[T] {\n",
	"        if self.len == 0 {\n",
	"            return &[];\n",
	"        }\n",
	"        // SAFETY: PTR and LEN describe LEN elements [L-LIST].\n",
	"        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }\n",
	"    }\n",
	"}\n",
	"\n",
	"/// `option<T>` [L-TAGGED]: VAL is meaningful when IS_SOME is 1.\n",
	"#[repr(C)]\n",
	"pub struct RdyOption<T> {\n",
	"    pub is_some: u8,\n",
	"    pub val: MaybeUninit<T>,\n",
	"}\n",
	"impl<T: Copy> Clone for RdyOption<T> {\n",
	"    fn clone(&self) -> Self {\n",
	"        *self\n",
	"    }\n",
	"}\n",
	"impl<T: Copy> Copy for RdyOption<T> {}\n",
	"impl<T> RdyOption<T> {\n",
	"    /// The payload, when there is one.\n",
	"    pub fn get(&self) -> Option<&T> {\n",
	"        // SAFETY: IS_SOME says VAL was written.\n",
	"        (self.is_some != 0).then(|| unsafe { self.val.assume_init_ref() })\n",
	"    }\n",
	"}\n",
	"\n",
	"/// `result<T, E>` [L-TAGGED]: the union's OK or ERR, by IS_ERR; an absent\n",
	"/// payload is `()`.\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy)]\n",
	"pub struct RdyResult<T: Copy, E: Copy> {\n",
	"    pub is_err: u8,\n",
	"    pub val: RdyResultVal<T, E>,\n",
	"}\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy)]\n",
	"pub union RdyResultVal<T: Copy, E: Copy> {\n",
	"    pub ok: T,\n",
	"    pub err: E,\n",
	"}\n",
	"impl<T: Copy, E: Copy> RdyResult<T, E> {\n",
	"    /// The payload, Ok or Err by the tag.\n",
	"    pub fn get(&self) -> Result<&T, &E> {\n",
	"        // SAFETY: IS_ERR says which member was written.\n",
	"        unsafe {\n",
	"            if self.is_err != 0 {\n",
	"                Err(&self.val.err)\n",
	"            } else {\n",
	"                Ok(&self.val.ok)\n",
	"            }\n",
	"        }\n",
	"    }\n",
	"}\n",
	"\n",
	"/// An empty record or tuple, or `list<T, 0>` [L-EMPTY]: one reserved byte, 0.\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy, Debug, Default)]\n",
	"pub struct RdyEmpty {\n",
	"    pub reserved: u8,\n",
	"}\n",
	"\n",
	"/// A function across the boundary [R-ROOT]: CALL None means absent.\n",
	"#[repr(C)]\n",
	"#[derive(Clone, Copy)]\n",
	"pub struct RdyFuncV1 {\n",
	"    pub call: Option<unsafe extern \"C\" fn()>,\n",
	"    pub release: Option<unsafe extern \"C\" fn(*mut c_void, *mut c_void)>,\n",
	"}\n",
	"\n",
	"/// The runtime's handle functions [H-API].\n",
	"#[repr(C)]\n",
	"pub struct RdyHandlesV1 {\n",
	"    pub own_new: unsafe extern \"C\" fn(*mut c_void, u32, *mut c_void, *mut u32) -> i32,\n",
	"    pub rep: unsafe extern \"C\" fn(*mut c_void, u32, u32, *mut *mut c_void) -> i32,\n",
	"    pub take: unsafe extern \"C\" fn(*mut c_void, u32, u32, *mut *mut c_void) -> i32,\n",
	"    pub drop: unsafe extern \"C\" fn(*mut c_void, u32, u32) -> i32,\n",
	"}\n",
	"\n",
	"/// What an instance sees of its host [R-INST].\n",
	"#[repr(C)]\n",
	"pub struct RdyImportsV1 {\n",
	"    pub ctx: *mut c_void,\n",
	"    pub nfuncs: u32,\n",
	"    pub size: u32,\n",
	"    pub funcs: *const RdyFuncV1,\n",
	"    pub handles: *const RdyHandlesV1,\n",
	"    pub rt: *mut c_void,\n",
	"}\n",
	"\n",
	"/// A plugin's destructor of one of its resources [R-ROOT].\n",
	"#[repr(C)]\n",
	"pub struct RdyResourceV1 {\n",
	"    pub drop: unsafe extern \"C\" fn(*mut c_void, *mut c_void),\n",
	"}\n",
	"\n",
	"/// The plugin's root symbol, `rdy_plugin_v1` [R-ROOT], ABI 1.1.\n",
	"#[repr(C)]\n",
	"pub struct RdyPluginRoot {\n",
	"    pub magic: [u8; 4],\n",
	"    pub major: u8,\n",
	"    pub minor: u8,\n",
	"    pub reserved: u16,\n",
	"    pub size: u32,\n",
	"    pub descriptor: *const u8,\n",
	"    pub descriptor_len: usize,\n",
	"    pub producer: *const c_char,\n",
	"    pub exports: *const RdyFuncV1,\n",
	"    pub nexports: u32,\n",
	"    pub nimports: u32,\n",
	"    pub instance_new: unsafe extern \"C\" fn(*const RdyImportsV1, *mut *mut c_void) -> i32,\n",
	"    pub instance_free: unsafe extern \"C\" fn(*mut c_void),\n",
	"    pub resources: *const RdyResourceV1,\n",
	"    pub nresources: u32,\n",
	"    pub reserved2: u32,\n",
	"}\n",
	"// SAFETY: the root is immutable and points at immutable data only.\n",
	"unsafe impl Sync for RdyPluginRoot {}\n",
	"const _: () = assert!(size_of::<RdyPluginRoot>() == 88);\n",
	"const _: () = assert!(size_of::<RdyImportsV1>() == 40 && offset_of!(RdyImportsV1, rt) == 32);\n",
	"const _: () = assert!(size_of::<RdyString>() == 16 && align_of::<RdyString>() == 8);\n",
	"\n",
	"/// A result the host returned that owns the host's memory: dereferences to\n",
	"/// the value, and hands it back to the host's release function when dropped\n",
	"/// [F-OWN].  Copy out what you keep before that.\n",
	"pub struct RdyReturned<T> {\n",
	"    v: T,\n",
	"    im: *const RdyImportsV1,\n",
	"    index: usize,\n",
	"}\n",
	"impl<T> core::ops::Deref for RdyReturned<T> {\n",
	"    type Target = T;\n",
	"    fn deref(&self) -> &T {\n",
	"        &self.v\n",
	"    }\n",
	"}\n",
	"impl<T> Drop for RdyReturned<T> {\n",
	"    fn drop(&mut self) {\n",
	"        // SAFETY: IM lives as long as the instance that made the call.\n",
	"        let f = unsafe { &*(*self.im).funcs.add(self.index) };\n",
	"        if let Some(release) = f.release {\n",
	"            // SAFETY: V is the result the call wrote, released once.\n",
	"            unsafe { release((*self.im).ctx, &mut self.v as *mut T as *mut c_void) };\n",
	"        }\n",
	"    }\n",
	"}\n",
	"\n",
	"/// What an export's parameter gives the plugin's function: a borrowed,\n",
	"/// checked view (`&str`, a slice, an Option), or an error status.\n",
	"pub trait RdyView<'a> {\n",
	"    type Out;\n",
	"    fn view(&'a self) -> Result<Self::Out, i32>;\n",
	"}\n",
	"/// How a plugin's function's result becomes the ABI value the host reads;\n",
	"/// strings and lists are copied into malloc'd memory.\n",
	"pub trait RdyIntoAbi {\n",
	"    type Abi;\n",
	"    fn into_abi(self) -> Self::Abi;\n",
	"}\n",
	"/// Frees what a value owns (not the value): strings, lists, nested values.\n",
	"pub trait RdyFree {\n",
	"    /// # Safety\n",
	"    /// The value must own its memory, allocated with malloc.\n",
	"    unsafe fn rdy_free(&mut self);\n",
	"}\n",
	"\n",
	"macro_rules! rdy_plain {\n",
	"    ($($t:ty),*) => {$(\n",
	"        impl<'a> RdyView<'a> for $t {\n",
	"            type Out = $t;\n",
	"            fn view(&'a self) -> Result<$t, i32> {\n",
	"                Ok(*self)\n",
	"            }\n",
	"        }\n",
	"        impl RdyIntoAbi for $t {\n",
	"            type Abi = $t;\n",
	"            fn into_abi(self) -> $t {\n",
	"                self\n",
	"            }\n",
	"        }\n",
	"        impl RdyFree for $t {\n",
	"            unsafe fn rdy_free(&mut self) {}\n",
	"        }\n",
	"    )*};\n",
	"}\n",
	"rdy_plain!((), u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);\n",
	"\n",
	"impl<'a> RdyView<'a> for RdyBool {\n",
	"    type Out = bool;\n",
	"    fn view(&'a self) -> Result<bool, i32> {\n",
	"        Ok(self.get())\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for bool {\n",
	"    type Abi = RdyBool;\n",
	"    fn into_abi(self) -> RdyBool {\n",
	"        RdyBool::from(self)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for RdyBool {\n",
	"    type Abi = RdyBool;\n",
	"    fn into_abi(self) -> RdyBool {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl RdyFree for RdyBool {\n",
	"    unsafe fn rdy_free(&mut self) {}\n",
	"}\n",
	"impl<'a> RdyView<'a> for RdyChar {\n",
	"    type Out = char;\n",
	"    fn view(&'a self) -> Result<char, i32> {\n",
	"        self.get().ok_or(RDY_EINVAL)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for char {\n",
	"    type Abi = RdyChar;\n",
	"    fn into_abi(self) -> RdyChar {\n",
	"        RdyChar::from(self)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for RdyChar {\n",
	"    type Abi = RdyChar;\n",
	"    fn into_abi(self) -> RdyChar {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl RdyFree for RdyChar {\n",
	"    unsafe fn rdy_free(&mut self) {}\n",
	"}\n",
	"\n",
	"impl<'a> RdyView<'a> for RdyString {\n",
	"    type Out = &'a str;\n",
	"    fn view(&'a self) -> Result<&'a str, i32> {\n",
	"        if self.ptr.is_null() && self.len != 0 {\n",
	"            return Err(RDY_EINVAL);\n",
	"        }\n",
	"        self.as_str().map_err(|_| RDY_EINVAL)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for String {\n",
	"    type Abi = RdyString;\n",
	"    fn into_abi(self) -> RdyString {\n",
	"        RdyString::new(&self)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for RdyString {\n",
	"    type Abi = RdyString;\n",
	"    fn into_abi(self) -> RdyString {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl RdyFree for RdyString {\n",
	"    unsafe fn rdy_free(&mut self) {\n",
	"        // SAFETY: the caller's contract: PTR came from malloc.\n",
	"        unsafe { free(self.ptr as *mut c_void) };\n",
	"        self.ptr = core::ptr::null();\n",
	"        self.len = 0;\n",
	"    }\n",
	"}\n",
	"\n",
	"impl<'a, T: 'a> RdyView<'a> for RdyList<T> {\n",
	"    type Out = &'a [T];\n",
	"    fn view(&'a self) -> Result<&'a [T], i32> {\n",
	"        if self.ptr.is_null() && self.len != 0 {\n",
	"            return Err(RDY_EINVAL);\n",
	"        }\n",
	"        Ok(self.as_slice())\n",
	"    }\n",
	"}\n",
	"impl<T: RdyIntoAbi> RdyIntoAbi for Vec<T> {\n",
	"    type Abi = RdyList<T::Abi>;\n",
	"    fn into_abi(self) -> RdyList<T::Abi> {\n",
	"        let len = self.len();\n",
	"        let p = rdy_alloc::<T::Abi>(len);\n",
	"        for (i, x) in self.into_iter().enumerate() {\n",
	"            // SAFETY: P has room for LEN elements.\n",
	"            unsafe { p.add(i).write(x.into_abi()) };\n",
	"        }\n",
	"        RdyList { ptr: p, len }\n",
	"    }\n",
	"}\n",
	"impl<T> RdyIntoAbi for RdyList<T> {\n",
	"    type Abi = RdyList<T>;\n",
	"    fn into_abi(self) -> RdyList<T> {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl<T: RdyFree> RdyFree for RdyList<T> {\n",
	"    unsafe fn rdy_free(&mut self) {\n",
	"        for i in 0..self.len {\n",
	"            // SAFETY: the list owns its elements.\n",
	"            unsafe { (*(self.ptr as *mut T).add(i)).rdy_free() };\n",
	"        }\n",
	"        // SAFETY: the caller's contract: PTR came from malloc.\n",
	"        unsafe { free(self.ptr as *mut c_void) };\n",
	"        self.ptr = core::ptr::null();\n",
	"        self.len = 0;\n",
	"    }\n",
	"}\n",
	"\n",
	"impl<'a, T: RdyView<'a>> RdyView<'a> for RdyOption<T> {\n",
	"    type Out = Option<T::Out>;\n",
	"    fn view(&'a self) -> Result<Option<T::Out>, i32> {\n",
	"        match self.is_some {\n",
	"            0 => Ok(None),\n",
	"            1 => Ok(Some(self.get().ok_or(RDY_EINVAL)?.view()?)),\n",
	"            _ => Err(RDY_EINVAL),\n",
	"        }\n",
	"    }\n",
	"}\n",
	"impl<T: RdyIntoAbi> RdyIntoAbi for Option<T> {\n",
	"    type Abi = RdyOption<T::Abi>;\n",
	"    fn into_abi(self) -> RdyOption<T::Abi> {\n",
	"        match self {\n",
	"            Some(v) => RdyOption { is_some: 1, val: MaybeUninit::new(v.into_abi()) },\n",
	"            None => RdyOption { is_some: 0, val: MaybeUninit::zeroed() },\n",
	"        }\n",
	"    }\n",
	"}\n",
	"impl<T> RdyIntoAbi for RdyOption<T> {\n",
	"    type Abi = RdyOption<T>;\n",
	"    fn into_abi(self) -> RdyOption<T> {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl<T: RdyFree> RdyFree for RdyOption<T> {\n",
	"    unsafe fn rdy_free(&mut self) {\n",
	"        if self.is_some != 0 {\n",
	"            // SAFETY: IS_SOME says VAL was written.\n",
	"            unsafe { self.val.assume_init_mut().rdy_free() };\n",
	"        }\n",
	"        self.is_some = 0;\n",
	"    }\n",
	"}\n",
	"\n",
	"impl<'a, T: Copy + RdyView<'a>, E: Copy + RdyView<'a>> RdyView<'a> for RdyResult<T, E> {\n",
	"    type Out = Result<T::Out, E::Out>;\n",
	"    fn view(&'a self) -> Result<Result<T::Out, E::Out>, i32> {\n",
	"        match self.is_err {\n",
	"            0 | 1 => Ok(match self.get() {\n",
	"                Ok(v) => Ok(v.view()?),\n",
	"                Err(e) => Err(e.view()?),\n",
	"            }),\n",
	"            _ => Err(RDY_EINVAL),\n",
	"        }\n",
	"    }\n",
	"}\n",
	"impl<T: RdyIntoAbi, E: RdyIntoAbi> RdyIntoAbi for Result<T, E>\n",
	"where\n",
	"    T::Abi: Copy,\n",
	"    E::Abi: Copy,\n",
	"{\n",
	"    type Abi = RdyResult<T::Abi, E::Abi>;\n",
	"    fn into_abi(self) -> RdyResult<T::Abi, E::Abi> {\n",
	"        match self {\n",
	"            Ok(v) => RdyResult { is_err: 0, val: RdyResultVal { ok: v.into_abi() } },\n",
	"            Err(e) => RdyResult { is_err: 1, val: RdyResultVal { err: e.into_abi() } },\n",
	"        }\n",
	"    }\n",
	"}\n",
	"impl<T: Copy, E: Copy> RdyIntoAbi for RdyResult<T, E> {\n",
	"    type Abi = RdyResult<T, E>;\n",
	"    fn into_abi(self) -> RdyResult<T, E> {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl<T: Copy + RdyFree, E: Copy + RdyFree> RdyFree for RdyResult<T, E> {\n",
	"    unsafe fn rdy_free(&mut self) {\n",
	"        // SAFETY: IS_ERR says which member was written.\n",
	"        unsafe {\n",
	"            if self.is_err != 0 {\n",
	"                self.val.err.rdy_free()\n",
	"            } else {\n",
	"                self.val.ok.rdy_free()\n",
	"            }\n",
	"        }\n",
	"    }\n",
	"}\n",
	"\n",
	"impl<'a, T: 'a, const N: usize> RdyView<'a> for [T; N] {\n",
	"    type Out = &'a [T; N];\n",
	"    fn view(&'a self) -> Result<&'a [T; N], i32> {\n",
	"        Ok(self)\n",
	"    }\n",
	"}\n",
	"impl<T, const N: usize> RdyIntoAbi for [T; N] {\n",
	"    type Abi = [T; N];\n",
	"    fn into_abi(self) -> [T; N] {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl<T: RdyFree, const N: usize> RdyFree for [T; N] {\n",
	"    unsafe fn rdy_free(&mut self) {\n",
	"        for x in self.iter_mut() {\n",
	"            // SAFETY: the array owns its elements.\n",
	"            unsafe { x.rdy_free() };\n",
	"        }\n",
	"    }\n",
	"}\n",
	"impl<'a> RdyView<'a> for RdyEmpty {\n",
	"    type Out = &'a RdyEmpty;\n",
	"    fn view(&'a self) -> Result<&'a RdyEmpty, i32> {\n",
	"        Ok(self)\n",
	"    }\n",
	"}\n",
	"impl RdyIntoAbi for RdyEmpty {\n",
	"    type Abi = RdyEmpty;\n",
	"    fn into_abi(self) -> RdyEmpty {\n",
	"        self\n",
	"    }\n",
	"}\n",
	"impl RdyFree for RdyEmpty {\n",
	"    unsafe fn rdy_free(&mut self) {}\n",
	"}\n",
	"\n",
	"/// Runs F for an export: its error status, or RDY_ETRAP when it panics, so\n",
	"/// that no unwind crosses the boundary [F-STATUS].\n",
	"fn rdy_guard<F: FnOnce() -> Result<(), i32>>(f: F) -> i32 {\n",
	"    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {\n",
	"        Ok(Ok(())) => RDY_OK,\n",
	"        Ok(Err(st)) => st,\n",
	"        Err(_) => RDY_ETRAP,\n",
	"    }\n",
	"}\n",
	NULL
};

/* RdyTupleN<T0, ...>: a tuple [L-STRUCT], as a generic C struct. */
static void emit_tuple(R *g, uint32_t n)
{
	FILE *o = g->o;
	const char *params = "", *bounds = "";
	for (uint32_t i = 0; i < n; i++) {
		params = rdy__sprintf(&g->a, "%s%sT%u", params, i ? ", " : "", i);
		bounds = rdy__sprintf(&g->a, "%s%sT%u: RdyFree", bounds, i ? ", " : "", i);
	}
	fprintf(o, "\n/// A tuple of %u [L-STRUCT].\n#[repr(C)]\n#[derive(Clone, Copy, Debug)]\npub struct RdyTuple%u<%s> {\n", n, n,
		params);
	for (uint32_t i = 0; i < n; i++)
		fprintf(o, "    pub f%u: T%u,\n", i, i);
	fputs("}\n", o);
	fprintf(o, "impl<'a, %s> RdyView<'a> for RdyTuple%u<%s>\nwhere\n    Self: 'a,\n{\n    type Out = &'a Self;\n"
		   "    fn view(&'a self) -> Result<&'a Self, i32> {\n        Ok(self)\n    }\n}\n", params, n, params);
	fprintf(o, "impl<%s> RdyIntoAbi for RdyTuple%u<%s> {\n    type Abi = Self;\n    fn into_abi(self) -> Self {\n        self\n    }\n}\n",
		params, n, params);
	fprintf(o, "impl<%s> RdyFree for RdyTuple%u<%s> {\n    unsafe fn rdy_free(&mut self) {\n", bounds, n, params);
	for (uint32_t i = 0; i < n; i++)
		fprintf(o, "        // SAFETY: the caller's contract holds for each member.\n        unsafe { self.f%u.rdy_free() };\n", i);
	fputs("    }\n}\n", o);
}

static void emit_descriptor(R *g)
{
	FILE *o = g->o;
	size_t n = g->in->desc_len;
	fprintf(o, "\n/// The ELF note that holds the world's descriptor (docs/abi.md §5.1, [D-ELF]).\n"
		   "#[repr(C)]\npub struct RdyDescriptorNote {\n    pub namesz: u32,\n    pub descsz: u32,\n    pub ty: u32,\n"
		   "    pub name: [u8; 4],\n    pub desc: [u8; %zu],\n}\n", n);
	fprintf(o, "\n/// The world's descriptor (docs/abi.md §5), in the note the loader reads\n"
		   "/// before it runs any of the plugin's code; the root symbol points at it.\n"
		   "#[unsafe(link_section = \".note.rdy\")]\n#[used]\npub static RDY_DESCRIPTOR: RdyDescriptorNote = RdyDescriptorNote {\n"
		   "    namesz: 4,\n    descsz: %zu,\n    ty: 1,\n    name: *b\"RDY\\0\",\n    desc: [", n);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%s0x%02x,", i % 16 ? " " : "\n        ", g->in->desc[i]);
	fputs("\n    ],\n};\n", o);
}

static void emit_root(R *g)
{
	FILE *o = g->o;
	fprintf(o, "\n#[doc(hidden)]\npub unsafe extern \"C\" fn __rdy_instance_new<T: Guest>(im: *const RdyImportsV1, out: *mut *mut c_void) -> i32 {\n"
		   "    rdy_guard(|| {\n        let p = Box::into_raw(Box::new(T::new(Host { im })));\n"
		   "        // SAFETY: OUT is where the runtime wants the state.\n        unsafe { out.write(p as *mut c_void) };\n"
		   "        Ok(())\n    })\n}\n");
	fprintf(o, "#[doc(hidden)]\npub unsafe extern \"C\" fn __rdy_instance_free<T: Guest>(state: *mut c_void) {\n"
		   "    // A panic in Drop cannot be reported here: the state is gone either way.\n"
		   "    // SAFETY: STATE is the Box<T> that __rdy_instance_new made, freed once.\n"
		   "    let _ = std::panic::catch_unwind(|| drop(unsafe { Box::from_raw(state as *mut T) }));\n}\n");
	fprintf(o, "#[doc(hidden)]\npub const fn __rdy_root<T: Guest>(exports: *const RdyFuncV1, resources: *const RdyResourceV1) -> RdyPluginRoot {\n"
		   "    RdyPluginRoot {\n        magic: [0x7f, b'R', b'D', b'Y'],\n        major: 1,\n        minor: 1,\n"
		   "        reserved: 0,\n        size: size_of::<RdyPluginRoot>() as u32,\n"
		   "        descriptor: &RDY_DESCRIPTOR.desc as *const u8,\n        descriptor_len: %zu,\n"
		   "        producer: c\"%s\".as_ptr(),\n        exports,\n        nexports: %u,\n        nimports: %u,\n"
		   "        instance_new: __rdy_instance_new::<T>,\n        instance_free: __rdy_instance_free::<T>,\n"
		   "        resources,\n        nresources: %u,\n        reserved2: 0,\n    }\n}\n",
		g->in->desc_len, g->in->producer, g->nexp, g->nimp, g->neres);
	fprintf(o, "\n/// Makes your crate an rdylib plugin of this world: `export!(MyPlugin => crate::bindings);`,\n"
		   "/// where `MyPlugin: Guest` and `crate::bindings` is the path of this module.\n"
		   "/// It defines the root symbol `rdy_plugin_v1` (docs/abi.md §7) and the export\n"
		   "/// table; invoke it once, in a crate built as a cdylib.\n"
		   "#[allow(unused_macros)]\nmacro_rules! export {\n    ($ty:ty => $($p:ident)::+) => {\n        const _: () = {\n%s"
		   "%s            #[allow(non_upper_case_globals)]\n            #[unsafe(no_mangle)]\n"
		   "            pub static rdy_plugin_v1: $($p)::+::RdyPluginRoot =\n"
		   "                $($p)::+::__rdy_root::<$ty>(%s, %s);\n        };\n    };\n}\n"
		   "#[allow(unused_imports)]\npub(crate) use export;\n",
		g->nexp ? rdy__sprintf(&g->a, "            static EXPORTS: [$($p)::+::RdyFuncV1; %u] = $($p)::+::__rdy_exports::<$ty>();\n", g->nexp) : "",
		g->neres ? rdy__sprintf(&g->a, "            static RESOURCES: [$($p)::+::RdyResourceV1; %u] = $($p)::+::__rdy_resources::<$ty>();\n", g->neres) : "",
		g->nexp ? "&EXPORTS as *const _ as *const $($p)::+::RdyFuncV1" : "core::ptr::null()",
		g->neres ? "&RESOURCES as *const _ as *const $($p)::+::RdyResourceV1" : "core::ptr::null()");
}

/* ---- the host's side ---------------------------------------------------------------- */

/*
 * The host side reuses the types above.  Its imports are a trait the host
 * implements (`Imports`), registered as the import table through thunks
 * that catch panics; its exports are methods of the world's struct and of
 * one struct per resource the plugin implements, each owning a handle.
 */

typedef struct hnames {
	const char *world;                 /* the instance struct */
	const char **imeth, **ihas;        /* per import: its trait method, its has_ method or NULL */
	const char **emeth, **ehas;        /* per export: its method, its has_ method */
	int32_t *eowner;                   /* per export: the resource struct (index in eres), or -1 */
	const char **rname;                /* per exported resource: its struct */
	/*
	 * Resources the host implements (the world's imported ones, ires).  With
	 * any, the world's struct and the plugin's resources' structs are generic
	 * over the host's Imports type H, whose associated types are its objects.
	 */
	const char *gd, *gu;               /* "<H: Imports>" and "<H>", or "" */
	const char *wty;                   /* the world's struct as a type: "Notes<H>" */
	const char **rty;                  /* per exported resource: its struct as a type */
	int32_t *iowner;                   /* per import: the imported resource whose trait has it, or -1 */
	const char **iname;                /* per imported resource: its trait, and its type's name in Imports */
	const char **ilend, **iwith, **itake, **igive, **idrop; /* per imported resource: the world's helpers */
} hnames;

static bool gated(const rdy_wit_func *f)
{
	return f->stability.kind == RDY_WIT_STAB_STABLE && f->stability.since;
}

/*
 * res_index among the world's imported resources, those the host
 * implements: such a value is the host's object on the host's side
 * [F-REP] (b), (c).
 */
static int32_t hrep(R *g, rdy_wit_type t, bool *borrow)
{
	return res_index(g, t, borrow, g->ires, g->nires);
}

/* The runtime's handle type of imported resource J [R-RES]: after the exported ones. */
static uint32_t hres(R *g, int32_t j)
{
	return g->neres + (uint32_t)j;
}

/* The host's object of imported resource J, as seen from WHO ("H", "Self"), or "Self" in J's own trait (OWN). */
static const char *hobj(R *g, const hnames *hn, int32_t j, const char *who, int32_t own)
{
	return j == own ? "Self" : rdy__sprintf(&g->a, "<%s as Imports>::%s", who, hn->iname[j]);
}

static void emit_host_descriptors(R *g)
{
	FILE *o = g->o;
	fprintf(o, "\n/// The world's host descriptor (docs/abi.md §5), as `rdy gen c --side host` embeds it.\n"
		   "pub static RDY_HOST_DESCRIPTOR: [u8; %zu] = [", g->in->desc_len);
	for (size_t i = 0; i < g->in->desc_len; i++)
		fprintf(o, "%s0x%02x,", i % 16 ? " " : "\n    ", g->in->desc[i]);
	fputs("\n];\n", o);
	fprintf(o, "\n/// What a plugin built from the same WIT carries: `world` declares it, so such\n"
		   "/// a plugin opens without its descriptor being decoded and checked again.\n"
		   "pub static RDY_PLUGIN_DESCRIPTOR: [u8; %zu] = [", g->in->peer_len);
	for (size_t i = 0; i < g->in->peer_len; i++)
		fprintf(o, "%s0x%02x,", i % 16 ? " " : "\n    ", g->in->peer[i]);
	fputs("\n];\n", o);
	fputs("\n/// The host's world, from its descriptor: open plugins with it (`rdy::Module::open`).\n"
	      "pub fn world() -> rdy::Result<rdy::World> {\n    let w = rdy::World::new(&RDY_HOST_DESCRIPTOR)?;\n"
	      "    w.expect(&RDY_PLUGIN_DESCRIPTOR)?;\n    Ok(w)\n}\n", o);
}

/* The type a host's function takes for an import's parameter: its own object for a whole handle of it. */
static const char *hparam_ty(R *g, const hnames *hn, rdy_wit_type t, const char *who, int32_t own)
{
	bool b;
	int32_t j = hrep(g, t, &b);
	if (j < 0)
		return vty(g, t);
	return rdy__sprintf(&g->a, b ? "&%s" : "Box<%s>", hobj(g, hn, j, who, own));
}

/* The type a host's function returns for an import's result; Self for a constructor of its own trait's object. */
static const char *hresult_ty(R *g, const hnames *hn, const rdy_wit_func *f, const char *who, int32_t own)
{
	bool b;
	int32_t j = hrep(g, f->result, &b);
	if (j < 0)
		return oty(g, f->result);
	if (f->kind == RDY_WIT_CONSTRUCTOR && j == own)
		return "Self";
	return rdy__sprintf(&g->a, "Box<%s>", hobj(g, hn, j, who, own));
}

/* Parameter names for a host's function, which receives the Imports value as `host`. */
static const char **host_param_names(R *g, const rdy_wit_func *f)
{
	scope s = { 0 };
	claim(g, &s, "inst", "_");
	claim(g, &s, "host", "_");
	const char **out = rdy__allocn(&g->a, f->nparams + 1, sizeof *out);
	for (uint32_t i = 0; i < f->nparams; i++)
		out[i] = claim(g, &s, snake(g, f->params[i].name), "_");
	return out;
}

/* What the thunks and the resource traits of a world whose host implements resources share. */
static const char *const hres_helpers[] = {
	"\n// ---- the host's objects: handles of the resources you implement --------------\n",
	"\nthread_local! {\n"
	"    /// The instance calling the host on this thread, with the Imports type it was\n"
	"    /// made with, while a thunk or destructor of these bindings runs.\n"
	"    static RDY_CALLING: core::cell::Cell<(*mut rdy::sys::rdy_instance, Option<core::any::TypeId>)> =\n"
	"        const { core::cell::Cell::new((core::ptr::null_mut(), None)) };\n}\n",
	"\n/// Runs F as a call from INST, made with the host type H: `rdy::calling()` and\n"
	"/// the resource traits' handle functions act on INST while it runs, and the\n"
	"/// previous caller is back after, on unwinding too.\n///\n/// # Safety\n"
	"/// INST is NULL or a live instance made with H that outlives F's run.\n"
	"unsafe fn rdy_called<H: Imports + ?Sized, R>(inst: *mut rdy::sys::rdy_instance, f: impl FnOnce() -> R) -> R {\n"
	"    struct Back((*mut rdy::sys::rdy_instance, Option<core::any::TypeId>));\n"
	"    impl Drop for Back {\n        fn drop(&mut self) {\n            RDY_CALLING.with(|c| c.set(self.0));\n        }\n    }\n"
	"    let _back = Back(RDY_CALLING.with(|c| c.replace((inst, Some(core::any::TypeId::of::<H>())))));\n"
	"    // SAFETY: INST is NULL or live (the caller's contract).\n"
	"    unsafe { rdy::with_calling(inst, f) }\n}\n",
	"\n/// The instance calling the host on this thread, when one made with H is.\n"
	"fn rdy_caller<H: Imports + ?Sized>(what: &str) -> rdy::Result<*mut rdy::sys::rdy_instance> {\n"
	"    let (inst, ty) = RDY_CALLING.with(|c| c.get());\n"
	"    if inst.is_null() || ty != Some(core::any::TypeId::of::<H>()) {\n"
	"        return Err(rdy::Error::new(\n            rdy::ErrorCode::Inval,\n"
	"            format!(\"{what}: no instance of this host's is calling: it works inside your import functions and destructors\"),\n"
	"        ));\n    }\n    Ok(inst)\n}\n",
	"\n/// A handle a plugin passed to the host, lent for the host's function; the\n/// lend ends when the guard is dropped.\n"
	"struct RdyLent {\n    rep: *mut c_void,\n}\nimpl RdyLent {\n"
	"    /// # Safety\n    /// INST is live; the guard is dropped on this thread, before any lend made after it.\n"
	"    unsafe fn new(inst: *mut rdy::sys::rdy_instance, res: u32, handle: u32) -> Result<RdyLent, i32> {\n"
	"        let mut rep = core::ptr::null_mut();\n"
	"        // SAFETY: INST is live; the runtime checks HANDLE.\n"
	"        let st = unsafe { rdy::sys::rdy_outline_handle_lend(inst, res, handle, &mut rep) };\n"
	"        if st != RDY_OK {\n            return Err(st);\n        }\n        Ok(RdyLent { rep })\n    }\n}\n"
	"impl Drop for RdyLent {\n    fn drop(&mut self) {\n        // SAFETY: ends this thread's last lend, the one this guard made.\n"
	"        unsafe { rdy::sys::rdy_outline_handle_unlend() }\n    }\n}\n",
	"\n/// Takes own HANDLE of INST's: its rep, the implementer's again.\n///\n/// # Safety\n/// INST is live.\n"
	"unsafe fn rdy_took(inst: *mut rdy::sys::rdy_instance, res: u32, handle: u32) -> Result<*mut c_void, i32> {\n"
	"    let mut rep = core::ptr::null_mut();\n    // SAFETY: INST is live; the runtime checks HANDLE.\n"
	"    let st = unsafe { rdy::sys::rdy_handle_take(inst, res, handle, &mut rep) };\n"
	"    if st != RDY_OK {\n        return Err(st);\n    }\n    Ok(rep)\n}\n",
	"\n/// A new own handle for INST to OBJ, the host's object of resource RES; when\n"
	"/// the runtime refuses, the status and the object back.\n///\n"
	"/// # Safety\n/// INST is live, and the objects of its resource RES are T's.\n"
	"unsafe fn rdy_give<T>(inst: *mut rdy::sys::rdy_instance, res: u32, obj: Box<T>) -> Result<u32, (i32, Box<T>)> {\n"
	"    let rep = Box::into_raw(obj) as *mut c_void;\n    let mut h = 0u32;\n"
	"    // SAFETY: INST is live; the handle owns the Box from now on.\n"
	"    let st = unsafe { rdy::sys::rdy_handle_new(inst, res, rep, &mut h) };\n"
	"    if st != RDY_OK {\n        // SAFETY: no handle was made: the Box is still only ours.\n"
	"        return Err((st, unsafe { Box::from_raw(rep as *mut T) }));\n    }\n    Ok(h)\n}\n"
	"\n/// A refused `rdy_give` as an error with the runtime's message, read before\n"
	"/// the object is dropped (its Drop may use handles too).\n"
	"fn rdy_not_given<T>(r: Result<u32, (i32, Box<T>)>) -> rdy::Result<u32> {\n"
	"    r.map_err(|(st, obj)| {\n        let e = handle_error(st);\n        drop(obj);\n        e\n    })\n}\n",
	"\n/// A borrow handle of the host's object, lent to one call into the plugin and\n/// ended when the guard is dropped [F-REP] (b).\n"
	"struct RdyBorrowed {\n    inst: *mut rdy::sys::rdy_instance,\n    handle: u32,\n}\nimpl RdyBorrowed {\n"
	"    /// # Safety\n    /// INST is live, and OBJ, of its resource RES, outlives the guard.\n"
	"    unsafe fn new<T>(inst: *mut rdy::sys::rdy_instance, res: u32, obj: &T) -> rdy::Result<RdyBorrowed> {\n"
	"        let mut handle = 0u32;\n"
	"        // SAFETY: INST is live; OBJ stays valid until the guard ends the borrow.\n"
	"        let st = unsafe { rdy::sys::rdy_handle_borrow(inst, res, obj as *const T as *mut c_void, &mut handle) };\n"
	"        if st != RDY_OK {\n            return Err(handle_error(st));\n        }\n        Ok(RdyBorrowed { inst, handle })\n    }\n}\n"
	"impl Drop for RdyBorrowed {\n    fn drop(&mut self) {\n"
	"        // SAFETY: the instance outlives the call; the runtime ends only this borrow.\n"
	"        unsafe { rdy::sys::rdy_handle_end(self.inst, self.handle) }\n    }\n}\n",
	"\n/// An own handle of the host's object made for one call into the plugin: when\n"
	"/// a later step is refused before the call, the guard drops it, and the object\n/// with it [F-REP] (b); once the call is made, the plugin has it.\n"
	"struct RdyGiven {\n    inst: *mut rdy::sys::rdy_instance,\n    res: u32,\n    handle: u32,\n}\nimpl RdyGiven {\n"
	"    /// # Safety\n    /// INST is live, and the objects of its resource RES are T's.\n"
	"    unsafe fn new<T>(inst: *mut rdy::sys::rdy_instance, res: u32, obj: Box<T>) -> rdy::Result<RdyGiven> {\n"
	"        // SAFETY: the caller's contract.\n"
	"        let handle = rdy_not_given(unsafe { rdy_give(inst, res, obj) })?;\n"
	"        Ok(RdyGiven { inst, res, handle })\n    }\n"
	"    /// The call was made: the handle is the plugin's.\n    fn given(self) {\n        core::mem::forget(self);\n    }\n}\n"
	"impl Drop for RdyGiven {\n    fn drop(&mut self) {\n"
	"        // SAFETY: the instance is live, and no call has the new handle yet.\n"
	"        let _ = unsafe { rdy::sys::rdy_handle_drop(self.inst, self.res, self.handle) };\n    }\n}\n",
	NULL
};

/* One host's function's declaration: in Imports (OWN -1, WHO "Self") or in imported resource OWN's trait (WHO "H"). */
static void emit_hfunc_decl(R *g, const hnames *hn, uint32_t i, const char *who, int32_t own)
{
	FILE *o = g->o;
	const rdy_wit_func *f = g->imp[i].func;
	const char **pn = own >= 0 ? host_param_names(g, f) : param_names(g, f); /* only a resource's take `host` */
	bool method = own >= 0 && f->kind == RDY_WIT_METHOD;
	fn_comment(g, &g->imp[i], "    ");
	fprintf(o, "    fn %s(%s", hn->imeth[i], method ? "&self, host: &H" : own >= 0 ? "host: &H" : "&self");
	for (uint32_t p = method; p < f->nparams; p++)
		fprintf(o, ", %s: %s", pn[p], hparam_ty(g, hn, f->params[p].type, who, own));
	fputc(')', o);
	if (f->result != RDY_WIT_NONE)
		fprintf(o, " -> %s", hresult_ty(g, hn, f, who, own));
	fputs(";\n", o);
}

/* The trait of imported resource J, which the host's object's type implements. */
static void emit_hres_trait(R *g, const hnames *hn, int32_t j)
{
	FILE *o = g->o;
	rdy_wit_type t = g->ires[j].type;
	const char *cn = hn->iname[j];
	uint32_t res = hres(g, j);
	char id[256] = "the world";
	if (g->ires[j].iface >= 0)
		rdy_wit_interface_id(g->m, g->ires[j].iface, id, sizeof id);
	fprintf(o, "\n/// The resource `%s` of %s, which this host implements: your object's\n"
		   "/// type implements this trait, and `Imports::%s` names it.  Plugins see only\n"
		   "/// handles; the generated code hands you the object (docs/abi.md §4): a\n"
		   "/// borrow as `&Self`, lent for the call, an own handle as `Box<Self>`, yours.\n"
		   "/// Dropping it is its destructor: the runtime drops it when the plugin drops\n"
		   "/// its last own handle, or its instance is freed by force.  H is your\n"
		   "/// `Imports` type, whose value every function receives as `host`.  A panic\n"
		   "/// returns RDY_ETRAP to the plugin; a panic in Drop is caught and ignored.\n",
		def(g, t)->name, id, cn);
	doc(g, "", def(g, t)->docs);
	fprintf(o, "pub trait %s<H: Imports<%s = Self> + ?Sized>: Sized + Send + Sync + 'static {\n", cn, cn);
	for (uint32_t i = 0; i < g->nimp; i++)
		if (hn->iowner[i] == j)
			emit_hfunc_decl(g, hn, i, "H", j);
	fprintf(o, "    /// A new own handle to the object for the instance calling you (inside\n"
		   "    /// your import functions and destructors), for a value that carries one\n"
		   "    /// (an option, a record...): ownership goes with it.  When the runtime\n"
		   "    /// refuses, or no instance of H's is calling, the object is dropped.\n"
		   "    fn into_own(self: Box<Self>) -> rdy::Result<%sOwn> {\n"
		   "        let inst = rdy_caller::<H>(\"%s::into_own\")?;\n"
		   "        // SAFETY: INST is calling, so live; its resource %u's objects are H's, Self.\n"
		   "        let handle = rdy_not_given(unsafe { rdy_give(inst, %u, self) })?;\n"
		   "        Ok(%sOwn { handle })\n    }\n", cn, cn, res, res, cn);
	fprintf(o, "    /// Takes back the object of own handle OWN of the instance calling you: the\n"
		   "    /// handle is gone, the object yours again (no destructor runs).\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// No call on another thread may use the handle meanwhile, lending it or\n"
		   "    /// reading its object (include/rdy.h, \"Threads\").\n"
		   "    unsafe fn take_own(own: %sOwn) -> rdy::Result<Box<Self>> {\n"
		   "        let inst = rdy_caller::<H>(\"%s::take_own\")?;\n"
		   "        // SAFETY: INST is calling, so live; the runtime checks the handle.\n"
		   "        let rep = unsafe { rdy_took(inst, %u, own.handle) }.map_err(handle_error)?;\n"
		   "        // SAFETY: the rep of a handle of this resource of an instance of H's is a\n"
		   "        // Box<Self> of this host's, ours alone once taken.\n"
		   "        Ok(unsafe { Box::from_raw(rep as *mut Self) })\n    }\n", cn, cn, res);
	fprintf(o, "    /// Runs F with the object of HANDLE (own or borrow) of the instance calling\n"
		   "    /// you, checked and lent for F's run, so that it cannot be dropped on this\n"
		   "    /// thread meanwhile.\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// No other thread may drop or take HANDLE, or end its lend, while F runs\n"
		   "    /// (include/rdy.h, \"Threads\").\n"
		   "    unsafe fn with_rep<T, F: FnOnce(&Self) -> T>(handle: u32, f: F) -> rdy::Result<T> {\n"
		   "        let inst = rdy_caller::<H>(\"%s::with_rep\")?;\n"
		   "        // SAFETY: INST is calling, so live; the guard is dropped here, on this thread.\n"
		   "        let lent = unsafe { RdyLent::new(inst, %u, handle) }.map_err(handle_error)?;\n"
		   "        // SAFETY: as take_own's: a Box<Self>, lent while F runs.\n"
		   "        Ok(f(unsafe { &*(lent.rep as *const Self) }))\n    }\n", cn, res);
	fprintf(o, "    /// Drops own handle OWN of the instance calling you: the object's\n"
		   "    /// destructor runs, once.\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// As for `take_own`: no call on another thread may use the handle meanwhile.\n"
		   "    unsafe fn drop_own(own: %sOwn) -> rdy::Result<()> {\n"
		   "        let inst = rdy_caller::<H>(\"%s::drop_own\")?;\n"
		   "        // SAFETY: INST is calling, so live; the runtime checks the handle.\n"
		   "        let st = unsafe { rdy::sys::rdy_handle_drop(inst, %u, own.handle) };\n"
		   "        if st != RDY_OK {\n            return Err(handle_error(st));\n        }\n        Ok(())\n    }\n}\n",
		cn, cn, res);
}

/* The thunk of import I of a world whose host implements resources: CTX is the calling instance. */
static void emit_hthunk(R *g, const hnames *hn, uint32_t i)
{
	const rdy_wit_func *f = g->imp[i].func;
	FILE *o = g->o;
	bool b;
	int32_t own = hn->iowner[i];
	fprintf(o, "\n/// The import table's entry %u: `%s`.  CTX is the calling instance (the\n"
		   "/// instance's config has pass_instance).\n"
		   "unsafe extern \"C\" fn __rdy_import_%u<H: Imports>(ctx: *mut c_void", i, f->name, i);
	for (uint32_t p = 0; p < f->nparams; p++)
		fprintf(o, ", p%u: %s", p, abi_param(g, f->params[p].type, false));
	if (f->result != RDY_WIT_NONE)
		fprintf(o, ", ret: %s", abi_result(g, f->result, false));
	fputs(") -> i32 {\n    let inst = ctx as *mut rdy::sys::rdy_instance;\n"
	      "    let body = move || -> Result<(), i32> {\n"
	      "        // SAFETY: INST is the calling instance, live for the call, which instantiate\n"
	      "        // made with the Box<H> as its context.\n"
	      "        let host: &H = unsafe { &*(rdy::sys::rdy_instance_ctx(inst) as *const H) };\n", o);
	/* Values first, then lends, then takes: a refused step changes nothing where it can [F-REP] (c). */
	for (uint32_t p = 0; p < f->nparams; p++)
		if (hrep(g, f->params[p].type, &b) < 0)
			fprintf(o, "        let a%u = %s;\n", p, arg_conv(g, NULL, f->params[p].type, p));
	for (uint32_t p = 0; p < f->nparams; p++) {
		int32_t j = hrep(g, f->params[p].type, &b);
		if (j < 0 || !b)
			continue;
		const char *x = hobj(g, hn, j, "H", -1);
		fprintf(o, "        // SAFETY: INST is live; the guard is dropped in this closure, on this thread.\n"
			   "        let __l%u = unsafe { RdyLent::new(inst, %u, p%u.handle) }?;\n"
			   "        // SAFETY: the rep of a handle of this resource of an instance of H's is a Box\n"
			   "        // of H's object, lent for the call.\n"
			   "        let a%u: &%s = unsafe { &*(__l%u.rep as *const %s) };\n", p, hres(g, j), p, p, x, p, x);
	}
	for (uint32_t p = 0; p < f->nparams; p++) {
		int32_t j = hrep(g, f->params[p].type, &b);
		if (j < 0 || b)
			continue;
		const char *x = hobj(g, hn, j, "H", -1);
		fprintf(o, "        // SAFETY: INST is live; taken, the rep (a Box of H's object) is ours alone.\n"
			   "        let a%u: Box<%s> = unsafe { Box::from_raw(rdy_took(inst, %u, p%u.handle)? as *mut %s) };\n",
			p, x, hres(g, j), p, x);
	}
	bool method = own >= 0 && f->kind == RDY_WIT_METHOD;
	fputs(f->result != RDY_WIT_NONE ? "        let out = " : "        ", o);
	if (own >= 0)
		fprintf(o, "<%s as %s<H>>::%s(%shost", hobj(g, hn, own, "H", -1), hn->iname[own], hn->imeth[i], method ? "a0, " : "");
	else
		fprintf(o, "host.%s(", hn->imeth[i]);
	for (uint32_t p = method; p < f->nparams; p++)
		fprintf(o, "%sa%u", p > method || own >= 0 ? ", " : "", p);
	fputs(");\n", o);
	int32_t rj = f->result != RDY_WIT_NONE ? hrep(g, f->result, &b) : -1;
	if (rj >= 0)
		fprintf(o, "        // The object is the calling instance's now, by a new own handle [F-REP] (c).\n"
			   "        // SAFETY: INST is live; its resource %u's objects are H's.\n"
			   "        let h = unsafe { rdy_give(inst, %u, %s) }.map_err(|(st, _)| st)?;\n"
			   "        // SAFETY: RET points at room for the result [F-RESULT].\n"
			   "        unsafe { ret.write(%s { handle: h }) };\n",
			hres(g, rj), hres(g, rj), f->kind == RDY_WIT_CONSTRUCTOR && rj == own ? "Box::new(out)" : "out",
			rty(g, f->result));
	else if (f->result != RDY_WIT_NONE)
		fprintf(o, "        let abi: %s = RdyIntoAbi::into_abi(out);\n"
			   "        // SAFETY: RET points at room for the result [F-RESULT].\n        unsafe { ret.write(abi) };\n",
			rty(g, f->result));
	fputs("        Ok(())\n    };\n"
	      "    // SAFETY: INST is live for the call, an instance that instantiate made with H.\n"
	      "    rdy_guard(|| unsafe { rdy_called::<H, _>(inst, body) })\n}\n", o);
}

static void emit_host_imports(R *g, hnames *hn)
{
	FILE *o = g->o;
	bool b;
	scope ms = { 0 }, *ts = rdy__allocn(&g->a, g->nires + 1, sizeof *ts);
	hn->imeth = rdy__allocn(&g->a, g->nimp + 1, sizeof *hn->imeth);
	hn->ihas = rdy__allocn(&g->a, g->nimp + 1, sizeof *hn->ihas);
	hn->iowner = rdy__allocn(&g->a, g->nimp + 1, sizeof *hn->iowner);
	static const char *const helpers[] = { "into_own", "take_own", "with_rep", "drop_own", NULL };
	for (uint32_t j = 0; j < g->nires; j++)
		for (const char *const *h = helpers; *h; h++)
			claim(g, &ts[j], *h, "_");
	fputs("\n// ---- imports: you implement this trait ---------------------------------------\n\n"
	      "/// The host's functions that plugins import, one method per function.  The\n"
	      "/// runtime may call them from any thread.  A panic reaches the plugin as\n"
	      "/// RDY_ETRAP; a string argument that is not UTF-8 is refused with RDY_EINVAL\n"
	      "/// before your method runs.  Results are copied into memory that the\n"
	      "/// generated release functions free once the plugin is done with them.\n", o);
	if (g->nires)
		fputs("/// The resources this host implements are your types, named here, each\n"
		      "/// implementing its trait (constructor, methods, static functions).\n", o);
	fputs("pub trait Imports: Send + Sync + 'static {\n", o);
	for (uint32_t j = 0; j < g->nires; j++)
		fprintf(o, "    /// Your object of resource `%s`.\n    type %s: %s<Self>;\n", def(g, g->ires[j].type)->name,
			hn->iname[j], hn->iname[j]);
	for (uint32_t i = 0; i < g->nimp; i++) {
		const rdy_wit_func *f = g->imp[i].func;
		const char *part = func_part(g, f);
		int32_t j = f->resource >= 0 ? hrep(g, f->resource, &b) : -1;
		hn->iowner[i] = j;
		if (g->imp[i].iface >= 0)
			part = rdy__sprintf(&g->a, "%s_%s", snake(g, iface_label(g, g->imp[i].iface)), part);
		if (j >= 0) {
			const char *dot = strchr(f->name, '.');
			hn->imeth[i] = claim(g, &ts[j], f->kind == RDY_WIT_CONSTRUCTOR || !dot ? "new" : snake(g, dot + 1), "_");
		} else {
			hn->imeth[i] = claim(g, &ms, fix_keyword(g, part), "_");
		}
		hn->ihas[i] = gated(f) ? claim(g, &ms, rdy__sprintf(&g->a, "has_%s", part), "_") : NULL;
	}
	for (uint32_t i = 0; i < g->nimp; i++) {
		const rdy_wit_func *f = g->imp[i].func;
		if (hn->iowner[i] < 0)
			emit_hfunc_decl(g, hn, i, "Self", -1);
		if (hn->ihas[i])
			fprintf(o, "    /// Whether you provide `%s` (gated: when false, plugins see it absent).\n"
				   "    fn %s(&self) -> bool {\n        true\n    }\n", f->name, hn->ihas[i]);
	}
	fputs("}\n", o);
	if (!g->nimp && !g->nires)
		fputs("/// A world without imports: any host will do.\nimpl Imports for () {}\n", o);
	if (g->nires) {
		for (uint32_t j = 0; j < g->nires; j++)
			emit_hres_trait(g, hn, (int32_t)j);
		for (const char *const *h = hres_helpers; *h; h++)
			fputs(*h, o);
	}
	for (uint32_t i = 0; i < g->nimp; i++) {
		const rdy_wit_func *f = g->imp[i].func;
		if (g->nires) {
			emit_hthunk(g, hn, i);
		} else {
			fprintf(o, "\n/// The import table's entry %u: `%s`.\nunsafe extern \"C\" fn __rdy_import_%u<H: Imports>(ctx: *mut c_void", i,
				f->name, i);
			for (uint32_t p = 0; p < f->nparams; p++)
				fprintf(o, ", p%u: %s", p, abi_param(g, f->params[p].type, false));
			if (f->result != RDY_WIT_NONE)
				fprintf(o, ", ret: %s", abi_result(g, f->result, false));
			fputs(") -> i32 {\n    rdy_guard(|| {\n        // SAFETY: CTX is the Box<H> of the instance, alive until it is freed.\n"
			      "        let host: &H = unsafe { &*(ctx as *const H) };\n", o);
			for (uint32_t p = 0; p < f->nparams; p++)
				fprintf(o, "        let a%u = %s;\n", p, arg_conv(g, NULL, f->params[p].type, p));
			fprintf(o, "        %shost.%s(", f->result != RDY_WIT_NONE ? "let out = " : "", hn->imeth[i]);
			for (uint32_t p = 0; p < f->nparams; p++)
				fprintf(o, "%sa%u", p ? ", " : "", p);
			fputs(");\n", o);
			if (f->result != RDY_WIT_NONE)
				fprintf(o, "        let abi: %s = RdyIntoAbi::into_abi(out);\n"
					   "        // SAFETY: RET points at room for the result [F-RESULT].\n        unsafe { ret.write(abi) };\n",
					rty(g, f->result));
			fputs("        Ok(())\n    })\n}\n", o);
		}
		if (f->result != RDY_WIT_NONE && needs_free(g, f->result))
			fprintf(o, "/// Frees a result of `__rdy_import_%u`, as the C host's release functions do [F-OWN].\n"
				   "unsafe extern \"C\" fn __rdy_import_release_%u(_ctx: *mut c_void, ret: *mut c_void) {\n"
				   "    // SAFETY: RET is a result that the thunk wrote, released once.\n"
				   "    unsafe { (*(ret as *mut %s)).rdy_free() };\n}\n", i, i, rty(g, f->result));
	}
	for (uint32_t j = 0; j < g->nires; j++)
		fprintf(o, "\n/// The destructor of the host's `%s`: drops your object, once [H-DROP].  A\n"
			   "/// panic in its Drop cannot be reported (the runtime's destructor returns\n"
			   "/// nothing): it is caught, so that no unwind crosses the boundary, and the\n"
			   "/// object is gone either way.\n"
			   "unsafe extern \"C\" fn __rdy_hdrop_%u<H: Imports>(_ctx: *mut c_void, rep: *mut c_void) {\n"
			   "    // The runtime runs a host's destructor with the handle's instance calling.\n"
			   "    let inst = rdy::calling();\n"
			   "    // SAFETY: REP is the Box of an object of this resource, which the runtime\n"
			   "    // destroys once [H-DROP].\n"
			   "    let body = move || drop(unsafe { Box::from_raw(rep as *mut %s) });\n"
			   "    // SAFETY: INST is live while its destructor runs, an instance made with H.\n"
			   "    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe { rdy_called::<H, _>(inst, body) }));\n}\n",
			def(g, g->ires[j].type)->name, j, hobj(g, hn, (int32_t)j, "H", -1));
}

/* The ABI type of an export's call, for transmute. */
static const char *efn_ty(R *g, const rdy_wit_func *f)
{
	return rdy__sprintf(&g->a, "unsafe extern \"C\" fn(%s) -> i32", abi_sig(g, f, true));
}

/* The Rust type a host's export method returns. */
static const char *eret_ty(R *g, const hnames *hn, const rdy_wit_func *f)
{
	bool b;
	if (f->result == RDY_WIT_NONE)
		return "()";
	int32_t k = prep(g, f->result, &b);
	if (k >= 0)
		return hn->rty[k];
	if ((k = hrep(g, f->result, &b)) >= 0)
		return rdy__sprintf(&g->a, "Box<%s>", hobj(g, hn, k, "H", -1));
	if (needs_free(g, f->result))
		return rdy__sprintf(&g->a, "Returned<%s>", rty(g, f->result));
	rdy_wit_type u = unalias(g, f->result);
	return u == RDY_WIT_BOOL ? "bool" : u == RDY_WIT_CHAR ? "char" : rty(g, f->result);
}

/*
 * One export's method.  Its steps, before the call, in docs/abi.md [F-REP]'s
 * order: every borrow, in parameter order (a plugin's object lent, a host's
 * object lent as a new borrow handle), then every own (a plugin's object
 * taken, a host's object given as a new own handle).  Each step is a guard
 * that undoes it when a later one is refused: a lend ended, a taken object
 * destroyed, a given handle dropped; once the call is made, the owns are the
 * plugin's.
 */
static void emit_host_export(R *g, const hnames *hn, uint32_t i)
{
	FILE *o = g->o;
	const rdy_wit_func *f = g->exp[i].func;
	const char **pn = param_names(g, f), *pre = "", *args = "";
	int32_t owner = hn->eowner[i];
	bool method = owner >= 0 && f->kind == RDY_WIT_METHOD, b;
	const char *route = NULL, *shared = method ? "self.inner" : "w.inner";
	if (owner < 0)
		shared = "self.inner";
	fputc('\n', o);
	fn_comment(g, &g->exp[i], "    ");
	/* Inlined into the caller, so that a call costs what the plugin's entry does, or little more. */
	fprintf(o, "    #[inline]\n    pub fn %s(%s", hn->emeth[i], method ? "&self" : owner >= 0 ? rdy__sprintf(&g->a, "w: &%s", hn->wty) : "&self");
	const char *lends = "", *takes = "", *made = "";
	for (uint32_t p = 0; p < f->nparams; p++) {
		rdy_wit_type t = f->params[p].type;
		int32_t k = prep(g, t, &b), j = k < 0 ? hrep(g, t, &b) : -1;
		const char *nm = p == 0 && method ? "self" : pn[p];
		if (!(p == 0 && method))
			fprintf(o, ", %s: %s", pn[p], k >= 0 ? rdy__sprintf(&g->a, "%s%s", b ? "&" : "", hn->rty[k])
					     : j >= 0 ? rdy__sprintf(&g->a, b ? "&%s" : "Box<%s>", hobj(g, hn, j, "H", -1))
						      : host_param(g, t));
		if (k >= 0) {
			if (!route)
				route = rdy__sprintf(&g->a, "%s.handle", nm);
			if (b) {
				lends = rdy__sprintf(&g->a, "%s            let __l%u = Lend::new(__b, %d, %s.handle)?;\n", lends, p, k, nm);
			} else {
				takes = rdy__sprintf(&g->a, "%s            let __r%u = RdyTaken { inst: __b.instance(), res: %d, rep: take(__b, %d, &%s)? };\n"
							    "            %s.disown();\n", takes, p, k, k, nm, nm);
				made = rdy__sprintf(&g->a, "%s            __r%u.given();\n", made, p);
			}
			args = rdy__sprintf(&g->a, "%s, %s", args, b ? rdy__sprintf(&g->a, "__l%u.rep", p) : rdy__sprintf(&g->a, "__r%u.rep", p));
		} else if (j >= 0) {
			const char *rn = tname(g, g->ires[j].type);
			if (b) {
				lends = rdy__sprintf(&g->a, "%s            // SAFETY: the build's instance is live; %s outlives the call, and the\n"
							    "            // guard ends the borrow after it.\n"
							    "            let __h%u = unsafe { RdyBorrowed::new(__b.instance(), %u, %s) }?;\n",
						     lends, nm, p, hres(g, j), nm);
				args = rdy__sprintf(&g->a, "%s, %sBorrow { handle: __h%u.handle }", args, rn, p);
			} else {
				takes = rdy__sprintf(&g->a, "%s            // SAFETY: the build's instance is live; it was made with H.\n"
							    "            let __g%u = unsafe { RdyGiven::new(__b.instance(), %u, %s) }?;\n",
						     takes, p, hres(g, j), nm);
				made = rdy__sprintf(&g->a, "%s            __g%u.given();\n", made, p);
				args = rdy__sprintf(&g->a, "%s, %sOwn { handle: __g%u.handle }", args, rn, p);
			}
		} else {
			args = rdy__sprintf(&g->a, "%s, %s", args, host_arg(g, t, pn[p], p, &pre));
		}
	}
	const char *rt = eret_ty(g, hn, f);
	int32_t rk = f->result != RDY_WIT_NONE ? prep(g, f->result, &b) : -1;
	int32_t rj = f->result != RDY_WIT_NONE && rk < 0 ? hrep(g, f->result, &b) : -1;
	/*
	 * A call that converts no handle needs no build where the instance is
	 * not reloadable: its entry and the state were read once, at
	 * instantiation (RdyDirect), so that it costs what a call through the
	 * table by hand does.  The call's steps are a closure both ways share.
	 */
	bool direct = !route && !*lends && !*takes && rk < 0 && rj < 0;
	const char *self_ptr = direct ? "__s" : "__b.self_ptr()";
	fprintf(o, ") -> rdy::Result<%s> {\n%s", rt, pre);
	fprintf(o, "        let __w = &%s;\n", shared);
	if (direct) {
		fprintf(o, "        let __call = |__c: unsafe extern \"C\" fn(), __s: *mut c_void| -> rdy::Result<%s> {\n", rt);
	} else {
		fprintf(o, "        __w.inst.%s|__b| -> rdy::Result<%s> {\n", route ? rdy__sprintf(&g->a, "with_build_for(%s, ", route) : "with_build(", rt);
		fprintf(o, "            let Some(__c) = __b.func(%u).and_then(|f| f.call) else {\n"
			   "                return Err(absent(\"%s\"));\n            };\n", i, f->name);
		fputs(lends, o);
		fputs(takes, o);
	}
	fprintf(o, "            // SAFETY: export %u has this exact type (docs/abi.md §3).\n"
		   "            let __c = unsafe { core::mem::transmute::<unsafe extern \"C\" fn(), %s>(__c) };\n", i, efn_ty(g, f));
	if (f->result == RDY_WIT_NONE) {
		fprintf(o, "            // SAFETY: the arguments are valid for the call.\n"
			   "            let __st = unsafe { __c(%s%s) };\n%s"
			   "            if __st != RDY_OK {\n                return Err(rdy::Error::from_status(__st, \"%s\"));\n            }\n"
			   "            Ok(())\n", self_ptr, args, made, f->name);
	} else {
		const char *abit = rk >= 0 ? "*mut c_void" : rty(g, f->result);
		fprintf(o, "            let mut __ret = MaybeUninit::<%s>::uninit();\n"
			   "            // SAFETY: the arguments are valid for the call; RET has room for the result.\n"
			   "            let __st = unsafe { __c(%s%s, __ret.as_mut_ptr()) };\n%s"
			   "            if __st != RDY_OK {\n                return Err(rdy::Error::from_status(__st, \"%s\"));\n            }\n"
			   "            // SAFETY: the call succeeded, so the plugin wrote the result.\n"
			   "            let __v = unsafe { __ret.assume_init() };\n", abit, self_ptr, args, made, f->name);
		rdy_wit_type u = unalias(g, f->result);
		if (rk >= 0)
			fprintf(o, "            let handle = own_new(__b, %d, __v)?;\n"
				   "            Ok(%s { inner: __w.clone(), handle%s })\n", rk, hn->rname[rk],
				*hn->gu ? ", _h: core::marker::PhantomData" : "");
		else if (rj >= 0)
			fprintf(o, "            // The host's object comes back: its handle is taken [F-REP] (b).\n"
				   "            // SAFETY: the build's instance is live; the runtime checks the handle.\n"
				   "            let rep = unsafe { rdy_took(__b.instance(), %u, __v.handle) }.map_err(handle_error)?;\n"
				   "            // SAFETY: the rep of a handle of this resource of an instance made with H\n"
				   "            // is a Box of H's object, ours alone once taken.\n"
				   "            Ok(unsafe { Box::from_raw(rep as *mut %s) })\n", hres(g, rj), hobj(g, hn, rj, "H", -1));
		else if (needs_free(g, f->result))
			fprintf(o, "            __w.inst.results().fetch_add(1, core::sync::atomic::Ordering::AcqRel);\n"
				   "            Ok(Returned { v: __v, inner: __w.clone(), index: %u })\n", i);
		else if (u == RDY_WIT_BOOL)
			fputs("            Ok(__v.get())\n", o);
		else if (u == RDY_WIT_CHAR)
			fprintf(o, "            __v.get().ok_or_else(|| rdy::Error::from_status(RDY_EINVAL, \"%s: not a char\"))\n", f->name);
		else
			fputs("            Ok(__v)\n", o);
	}
	if (direct)
		fprintf(o, "        };\n        if let Some(__c) = __w.direct.calls[%u] {\n"
			   "            return __call(__c, __w.direct.state);\n        }\n"
			   "        __w.inst.with_build(|__b| -> rdy::Result<%s> {\n"
			   "            let Some(__c) = __b.func(%u).and_then(|f| f.call) else {\n"
			   "                return Err(absent(\"%s\"));\n            };\n"
			   "            __call(__c, __b.self_ptr())\n", i, rt, i, f->name);
	fputs("        })?\n    }\n", o);
}

/* The world's struct's handle functions for imported resource J, for values that carry handles. */
static void emit_hres_world(R *g, const hnames *hn, int32_t j)
{
	FILE *o = g->o;
	const char *tn = tname(g, g->ires[j].type), *x = hobj(g, hn, j, "H", -1), *name = def(g, g->ires[j].type)->name;
	uint32_t res = hres(g, j);
	fprintf(o, "    /// A new own handle of this instance's to your `%s` OBJ, for a value that\n"
		   "    /// carries one (an option, a record...): ownership goes with it.  When the\n"
		   "    /// runtime refuses (a killed instance), the object is dropped.\n"
		   "    pub fn %s(&self, obj: Box<%s>) -> rdy::Result<%sOwn> {\n"
		   "        // SAFETY: the instance lives while self does, made with H.\n"
		   "        let handle = rdy_not_given(unsafe { rdy_give(self.inner.inst.as_ptr(), %u, obj) })?;\n"
		   "        Ok(%sOwn { handle })\n    }\n", name, hn->igive[j], x, tn, res, tn);
	fprintf(o, "    /// Lends OBJS to this instance as borrow handles, for a value that carries\n"
		   "    /// them (a list of borrows...): F gets the handles, in order, and they end\n"
		   "    /// when it returns, after which the plugin's uses of them are refused as\n"
		   "    /// stale.  When one is refused, those lent before it end, and F does not run.\n"
		   "    pub fn %s<T>(&self, objs: &[&%s], f: impl FnOnce(&[%sBorrow]) -> T) -> rdy::Result<T> {\n"
		   "        let mut lent = Vec::with_capacity(objs.len());\n        for obj in objs {\n"
		   "            // SAFETY: the instance is live; OBJ outlives the guards, dropped here.\n"
		   "            lent.push(unsafe { RdyBorrowed::new(self.inner.inst.as_ptr(), %u, *obj) }?);\n        }\n"
		   "        let handles: Vec<%sBorrow> = lent.iter().map(|l| %sBorrow { handle: l.handle }).collect();\n"
		   "        Ok(f(&handles))\n    }\n", hn->ilend[j], x, tn, res, tn, tn);
	fprintf(o, "    /// Runs F with your object behind HANDLE (own or borrow) of this instance's,\n"
		   "    /// checked and lent for F's run, so that it cannot be dropped on this thread\n"
		   "    /// meanwhile.\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// No other thread may drop or take HANDLE, or end its lend, while F runs:\n"
		   "    /// the runtime refuses those on the thread that lent it only (include/rdy.h,\n"
		   "    /// \"Threads\").\n"
		   "    pub unsafe fn %s<T>(&self, handle: u32, f: impl FnOnce(&%s) -> T) -> rdy::Result<T> {\n"
		   "        // SAFETY: the rep of a handle of this resource of an instance made with H is\n"
		   "        // a Box of H's object, lent while F runs.\n"
		   "        self.inner.inst.lend(%u, handle, |rep| f(unsafe { &*(rep as *const %s) }))\n    }\n",
		hn->iwith[j], x, res, x);
	fprintf(o, "    /// Takes back your object from own handle OWN of this instance's: the handle\n"
		   "    /// is gone, and no destructor runs.\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// As for every drop or take, no call on another thread may use the handle\n"
		   "    /// meanwhile, lending it or reading its object (include/rdy.h, \"Threads\").\n"
		   "    pub unsafe fn %s(&self, own: %sOwn) -> rdy::Result<Box<%s>> {\n"
		   "        // SAFETY: the instance is live; a handle lent on this thread is refused.\n"
		   "        let rep = unsafe { self.inner.inst.handle_take_shared(%u, own.handle) }?;\n"
		   "        // SAFETY: as in %s: a Box of H's object, ours alone once taken.\n"
		   "        Ok(unsafe { Box::from_raw(rep as *mut %s) })\n    }\n", hn->itake[j], tn, x, res, hn->iwith[j], x);
	fprintf(o, "    /// Drops own handle OWN of this instance's: your destructor runs, once.\n"
		   "    ///\n    /// # Safety\n    ///\n"
		   "    /// As for `%s`: no call on another thread may use the handle meanwhile.\n"
		   "    pub unsafe fn %s(&self, own: %sOwn) -> rdy::Result<()> {\n"
		   "        // SAFETY: the instance is live; a handle lent on this thread is refused.\n"
		   "        unsafe { self.inner.inst.handle_drop_shared(%u, own.handle) }\n    }\n", hn->itake[j], hn->idrop[j], tn, res);
}

static void emit_host_exports(R *g, hnames *hn)
{
	FILE *o = g->o;
	bool b;
	hn->emeth = rdy__allocn(&g->a, g->nexp + 1, sizeof *hn->emeth);
	hn->ehas = rdy__allocn(&g->a, g->nexp + 1, sizeof *hn->ehas);
	hn->eowner = rdy__allocn(&g->a, g->nexp + 1, sizeof *hn->eowner);
	scope ws = { 0 }, *rs = rdy__allocn(&g->a, g->neres + 1, sizeof *rs);
	static const char *const wtaken[] = { "instantiate", "instance", "inner", NULL };
	static const char *const rtaken[] = { "from_own", "handle", "borrow", "into_own", "disown", "inner", NULL };
	for (const char *const *t = wtaken; *t; t++)
		claim(g, &ws, *t, "_");
	if (g->nires)
		claim(g, &ws, "_h", "_");
	for (uint32_t k = 0; k < g->neres; k++) {
		for (const char *const *t = rtaken; *t; t++)
			claim(g, &rs[k], *t, "_");
		if (g->nires)
			claim(g, &rs[k], "_h", "_");
	}
	for (uint32_t i = 0; i < g->nexp; i++) {
		const rdy_wit_func *f = g->exp[i].func;
		int32_t k = f->resource >= 0 ? prep(g, f->resource, &b) : -1;
		hn->eowner[i] = k;
		const char *part = func_part(g, f);
		if (k >= 0) {
			const char *dot = strchr(f->name, '.');
			hn->emeth[i] = claim(g, &rs[k], f->kind == RDY_WIT_CONSTRUCTOR || !dot ? "new" : snake(g, dot + 1), "_");
		} else {
			hn->emeth[i] = claim(g, &ws, part, "_");
		}
		hn->ehas[i] = claim(g, &ws, rdy__sprintf(&g->a, "has_%s", part), "_");
	}
	/* The handle functions for the host's objects, after the exports, whose names come first. */
	const char ***helpers[] = { &hn->igive, &hn->ilend, &hn->iwith, &hn->itake, &hn->idrop };
	static const char *const verbs[] = { "new", "lend", "with", "take", "drop" };
	for (uint32_t v = 0; v < 5; v++) {
		*helpers[v] = rdy__allocn(&g->a, g->nires + 1, sizeof **helpers[v]);
		for (uint32_t j = 0; j < g->nires; j++)
			(*helpers[v])[j] = claim(g, &ws, rdy__sprintf(&g->a, "%s_%s", verbs[v], snake(g, def(g, g->ires[j].type)->name)), "_");
	}
	const char *w = hn->world;
	fputs("\n// ---- exports: the plugin's functions, called through an instance -------------\n", o);
	fprintf(o, "\n/// What an instance and its objects share: the runtime's instance, then your\n"
		   "/// imports, dropped in that order.\npub struct RdyShared {\n    inst: rdy::Instance,\n"
		   "    direct: RdyDirect,\n"
		   "    _host: Box<dyn core::any::Any + Send + Sync>,\n}\n");
	fprintf(o, "\n/// For an instance of a module that is not reloadable: each export's entry\n"
		   "/// (None where the plugin lacks it) and the plugin's state, read once, at\n"
		   "/// instantiation, so that a call needs no build.  All None for a reloadable\n"
		   "/// one, whose calls go through `rdy::Instance::with_build`.  Valid while the\n"
		   "/// instance lives unkilled: killing takes `&mut rdy::Instance`, which the\n"
		   "/// shared instance never gives.\n"
		   "#[derive(Clone, Copy)]\npub struct RdyDirect {\n"
		   "    calls: [Option<unsafe extern \"C\" fn()>; %u],\n    state: *mut c_void,\n}\n"
		   "// SAFETY: the entries and the state are the instance's, which is Send and Sync.\n"
		   "unsafe impl Send for RdyDirect {}\n"
		   "// SAFETY: as for Send.\nunsafe impl Sync for RdyDirect {}\n"
		   "impl RdyDirect {\n    fn of(inst: &rdy::Instance) -> Self {\n"
		   "        let mut calls = [None; %u];\n"
		   "        if let Some(table) = inst.exports() {\n"
		   "            for (c, f) in calls.iter_mut().zip(table) {\n                *c = f.call;\n            }\n        }\n"
		   "        Self { calls, state: if inst.is_reloadable() { core::ptr::null_mut() } else { inst.self_ptr() } }\n"
		   "    }\n}\n", g->nexp, g->nexp);
	fprintf(o, "\n/// An instance of a plugin of this world: one method per export.  Objects of\n"
		   "/// the plugin's resources and unreleased results hold a share of it, so the\n"
		   "/// instance is freed once they and it are all dropped, never before.\n%s"
		   "pub struct %s%s {\n    inner: Arc<RdyShared>,\n%s}\n",
		g->nires ? "/// H is the host's `Imports` type, whose objects its functions take and give.\n" : "",
		w, hn->gd, g->nires ? "    _h: core::marker::PhantomData<fn() -> H>,\n" : "");
	fprintf(o, "\nimpl%s %s {\n    /// Creates an instance of MODULE whose imports HOST implements.\n"
		   "    pub fn instantiate%s(module: &rdy::Module, host: H) -> rdy::Result<Self> {\n"
		   "        let host = Box::new(host);\n        let ctx = &*host as *const H as *mut c_void;\n"
		   "        let imports: [rdy::sys::rdy_func_v1; %u] = [\n", hn->gd, hn->wty, g->nires ? "" : "<H: Imports>", g->nimp);
	for (uint32_t i = 0; i < g->nimp; i++) {
		const rdy_wit_func *f = g->imp[i].func;
		const char *sig = rdy__sprintf(&g->a, "unsafe extern \"C\" fn(%s) -> i32", abi_sig(g, f, false));
		bool rel = f->result != RDY_WIT_NONE && needs_free(g, f->result);
		fprintf(o, "            rdy::sys::rdy_func_v1 {\n"
			   "                // SAFETY: the plugin calls it back through this exact type.\n"
			   "                call: %sSome(unsafe { core::mem::transmute::<%s, unsafe extern \"C\" fn()>(__rdy_import_%u::<H> as %s) })%s,\n"
			   "                release: %s,\n            },\n",
			hn->ihas[i] ? rdy__sprintf(&g->a, "if !host.%s() {\n                    None\n                } else {\n                    ", hn->ihas[i]) : "",
			sig, i, sig, hn->ihas[i] ? "\n                }" : "",
			rel ? rdy__sprintf(&g->a, "Some(__rdy_import_release_%u)", i) : "None");
	}
	fputs("        ];\n", o);
	if (g->nires) {
		/* The imports receive the calling instance, which reaches CTX, so that they can check its handles [F-REP] (c). */
		fprintf(o, "        let drops: [rdy::sys::rdy_drop_fn; %u] = [", g->nires);
		for (uint32_t j = 0; j < g->nires; j++)
			fprintf(o, "%sSome(__rdy_hdrop_%u::<H>)", j ? ", " : "", j);
		fputs("];\n"
		      "        // SAFETY: each import has the exact type of its function, and its release\n"
		      "        // frees only what the function returned; each drop frees an object of its\n"
		      "        // resource; CTX is the Box<H> that the instance's share keeps, dropped\n"
		      "        // after the instance.\n"
		      "        let inst = unsafe {\n            rdy::Instance::create(\n                module,\n"
		      "                &rdy::InstanceConfig { imports: &imports, ctx, pass_instance: true, drops: &drops },\n"
		      "            )\n        }?;\n"
		      "        let direct = RdyDirect::of(&inst);\n"
		      "        Ok(Self { inner: Arc::new(RdyShared { inst, direct, _host: host }), _h: core::marker::PhantomData })\n    }\n", o);
	} else {
		fputs("        // SAFETY: each import has the exact type of its function, and its release\n"
		      "        // frees only what the function returned; CTX is the Box<H> that the\n"
		      "        // instance's share keeps, dropped after the instance.\n"
		      "        let inst = unsafe {\n            rdy::Instance::create(\n                module,\n"
		      "                &rdy::InstanceConfig { imports: &imports, ctx, ..rdy::InstanceConfig::default() },\n"
		      "            )\n        }?;\n        let direct = RdyDirect::of(&inst);\n"
		      "        Ok(Self { inner: Arc::new(RdyShared { inst, direct, _host: host }) })\n    }\n", o);
	}
	fputs("    /// The runtime's instance (handles, results, kill).\n"
	      "    pub fn instance(&self) -> &rdy::Instance {\n        &self.inner.inst\n    }\n", o);
	for (uint32_t j = 0; j < g->nires; j++)
		emit_hres_world(g, hn, (int32_t)j);
	for (uint32_t i = 0; i < g->nexp; i++) {
		fprintf(o, "    /// Whether the plugin provides `%s` (a gated export may be absent).\n"
			   "    pub fn %s(&self) -> bool {\n        self.inner.inst.with_build(|b| b.func(%u).is_some()).unwrap_or(false)\n    }\n",
			g->exp[i].func->name, hn->ehas[i], i);
		if (hn->eowner[i] < 0)
			emit_host_export(g, hn, i);
	}
	fputs("}\n", o);
	for (uint32_t k = 0; k < g->neres; k++) {
		const char *cn = hn->rname[k];
		const char *tn = tname(g, g->eres[k].type);
		fprintf(o, "\n/// An object of the plugin's resource `%s`: it owns its handle, and dropping\n"
			   "/// it drops the handle, which runs the plugin's destructor (docs/abi.md §4).\n"
			   "pub struct %s%s {\n    inner: Arc<RdyShared>,\n    handle: u32,\n%s}\n", def(g, g->eres[k].type)->name, cn,
			hn->gd, g->nires ? "    _h: core::marker::PhantomData<fn() -> H>,\n" : "");
		fprintf(o, "\nimpl%s %s {\n"
			   "    /// Takes over OWN, an own handle of W's that a result carried.\n"
			   "    pub fn from_own(w: &%s, own: %sOwn) -> Self {\n        Self { inner: w.inner.clone(), handle: own.handle%s }\n    }\n"
			   "    /// The handle, still owned here.\n    pub fn handle(&self) -> %sOwn {\n        %sOwn { handle: self.handle }\n    }\n"
			   "    /// A borrow of the handle, for an argument that carries one.\n"
			   "    pub fn borrow(&self) -> %sBorrow {\n        %sBorrow { handle: self.handle }\n    }\n"
			   "    /// Gives the handle away: it is no longer dropped here.\n"
			   "    pub fn into_own(self) -> %sOwn {\n        %sOwn { handle: self.disown() }\n    }\n"
			   "    /// The handle, no longer owned here (taken or given away), and the share dropped.\n"
			   "    fn disown(self) -> u32 {\n        let me = core::mem::ManuallyDrop::new(self);\n"
			   "        // SAFETY: ME is never used or dropped again: its share moves out once.\n"
			   "        drop(unsafe { core::ptr::read(&me.inner) });\n        me.handle\n    }\n",
			hn->gd, hn->rty[k], hn->wty, tn, g->nires ? ", _h: core::marker::PhantomData" : "", tn, tn, tn, tn, tn, tn);
		for (uint32_t i = 0; i < g->nexp; i++)
			if (hn->eowner[i] == (int32_t)k)
				emit_host_export(g, hn, i);
		fputs("}\n", o);
		fprintf(o, "\nimpl%s Drop for %s {\n    fn drop(&mut self) {\n"
			   "        // A refused drop (a dead handle) leaves nothing to do.\n"
			   "        // SAFETY: the handle is owned here, and no call borrows it: a borrow\n"
			   "        // would hold `&self`.\n"
			   "        let _ = unsafe { self.inner.inst.handle_drop_shared(%u, self.handle) };\n    }\n}\n", hn->gd, hn->rty[k], k);
	}
}

/* What the host's calls share: the guard of results, lends, takes, new handles. */
static const char *const host_helpers =
	"\n/// A result that owns memory of the plugin: it derefs to the ABI value, read\n"
	"/// in place (no copy), and releases it to the plugin when dropped [F-OWN].\n"
	"pub struct Returned<T> {\n    v: T,\n    inner: Arc<RdyShared>,\n    index: usize,\n}\n"
	"impl<T> core::ops::Deref for Returned<T> {\n    type Target = T;\n    fn deref(&self) -> &T {\n        &self.v\n    }\n}\n"
	"impl<T> Drop for Returned<T> {\n    fn drop(&mut self) {\n        let v = &mut self.v as *mut T as *mut c_void;\n"
	"        // A killed instance releases nothing: its memory goes with it.\n"
	"        let _ = self.inner.inst.with_build(|b| {\n"
	"            if let Some(r) = b.funcs().get(self.index).and_then(|f| f.release) {\n"
	"                // SAFETY: the release of this export, given its own result, once.\n"
	"                unsafe { r(b.self_ptr(), v) };\n            }\n        });\n"
	"        self.inner.inst.results().fetch_sub(1, core::sync::atomic::Ordering::AcqRel);\n    }\n}\n"
	"\nfn absent(name: &str) -> rdy::Error {\n"
	"    rdy::Error::new(rdy::ErrorCode::Absent, format!(\"{name}: absent: the plugin does not provide it\"))\n}\n"
	"\nfn handle_error(st: i32) -> rdy::Error {\n    let code = rdy::ErrorCode::from_raw(st);\n"
	"    rdy::Error::new(code, rdy::handle::last_error().unwrap_or_else(|| code.describe()))\n}\n"
	"\n/// A handle lent for one call; the lend ends when it is dropped.\nstruct Lend {\n    rep: *mut c_void,\n}\n"
	"impl Lend {\n    fn new(b: &rdy::Build<'_>, res: u32, handle: u32) -> rdy::Result<Lend> {\n"
	"        let mut rep = core::ptr::null_mut();\n"
	"        // SAFETY: the build's instance is live for the call; the runtime checks HANDLE,\n"
	"        // and the lend is ended by Drop on this thread, in reverse order.\n"
	"        let st = unsafe { rdy::sys::rdy_outline_handle_lend(b.instance(), res, handle, &mut rep) };\n"
	"        if st != RDY_OK {\n            return Err(handle_error(st));\n        }\n        Ok(Lend { rep })\n    }\n}\n"
	"impl Drop for Lend {\n    fn drop(&mut self) {\n        // SAFETY: ends this thread's last lend, the one this guard made.\n"
	"        unsafe { rdy::sys::rdy_outline_handle_unlend() }\n    }\n}\n"
	"\n/// Takes the own handle of an object for a call that consumes it: its rep.\n"
	"fn take<T: RdyHandle>(b: &rdy::Build<'_>, res: u32, obj: &T) -> rdy::Result<*mut c_void> {\n"
	"    let mut rep = core::ptr::null_mut();\n"
	"    // SAFETY: the build's instance is live; the runtime checks the handle.\n"
	"    let st = unsafe { rdy::sys::rdy_handle_take(b.instance(), res, obj.raw_handle(), &mut rep) };\n"
	"    if st != RDY_OK {\n        return Err(handle_error(st));\n    }\n    Ok(rep)\n}\n"
	"\n/// A new own handle to REP, an object a call returned.\n"
	"fn own_new(b: &rdy::Build<'_>, res: u32, rep: *mut c_void) -> rdy::Result<u32> {\n    let mut h = 0u32;\n"
	"    // SAFETY: REP is an object of resource RES that the build's plugin just made.\n"
	"    let st = unsafe { rdy::sys::rdy_handle_new(b.instance(), res, rep, &mut h) };\n"
	"    if st != RDY_OK {\n        // SAFETY: the object has no handle: the runtime destroys it.\n"
	"        unsafe { rdy::sys::rdy__handle_orphan(b.instance(), res, rep) };\n        return Err(handle_error(st));\n    }\n"
	"    Ok(h)\n}\n"
	"\n/// A plugin's object taken from its handle for a call that consumes it: when a\n"
	"/// later step is refused before the call, the guard destroys it (the plugin's\n"
	"/// destructor runs) [F-REP]; once the call is made, the plugin has it.\n"
	"struct RdyTaken {\n    inst: *mut rdy::sys::rdy_instance,\n    res: u32,\n    rep: *mut c_void,\n}\n"
	"impl RdyTaken {\n    /// The call was made: the object is the plugin's.\n    fn given(self) {\n        core::mem::forget(self);\n    }\n}\n"
	"impl Drop for RdyTaken {\n    fn drop(&mut self) {\n"
	"        // SAFETY: the build's instance is live; the object has no handle any more.\n"
	"        unsafe { rdy::sys::rdy__handle_orphan(self.inst, self.res, self.rep) };\n    }\n}\n"
	"\n/// The objects' structs: their raw handle.\ntrait RdyHandle {\n    fn raw_handle(&self) -> u32;\n}\n";

static void emit_host_side(R *g)
{
	hnames hn = { 0 };
	hn.world = claim(g, &g->types, camel(g, g->w->name), "");
	hn.gd = g->nires ? "<H: Imports>" : "";
	hn.gu = g->nires ? "<H>" : "";
	hn.wty = rdy__sprintf(&g->a, "%s%s", hn.world, hn.gu);
	hn.rname = rdy__allocn(&g->a, g->neres + 1, sizeof *hn.rname);
	hn.rty = rdy__allocn(&g->a, g->neres + 1, sizeof *hn.rty);
	for (uint32_t k = 0; k < g->neres; k++) {
		hn.rname[k] = tname(g, g->eres[k].type);
		hn.rty[k] = rdy__sprintf(&g->a, "%s%s", hn.rname[k], hn.gu);
	}
	hn.iname = rdy__allocn(&g->a, g->nires + 1, sizeof *hn.iname);
	for (uint32_t j = 0; j < g->nires; j++)
		hn.iname[j] = tname(g, g->ires[j].type);
	emit_host_descriptors(g);
	emit_host_imports(g, &hn);
	fputs(host_helpers, g->o);
	for (uint32_t k = 0; k < g->neres; k++)
		fprintf(g->o, "impl%s RdyHandle for %s {\n    fn raw_handle(&self) -> u32 {\n        self.handle\n    }\n}\n", hn.gd,
			hn.rty[k]);
	emit_host_exports(g, &hn);
}

static void banner(R *g)
{
	const rdy_wit_package *p = &g->m->packages[g->w->package];
	bool host = g->in->side == RDY_SIDE_HOST;
	fprintf(g->o, "// Generated by rdy gen rust (%s) from %s: world %s:%s/%s%s%s, %s side.\n"
		      "// Do not edit: regenerate from the WIT.  The ABI is docs/abi.md, version 1.\n%s",
		g->in->producer, g->in->source ? g->in->source : "WIT", p->ns, p->name, g->w->name,
		p->has_version ? "@" : "", p->has_version ? p->version.text : "", host ? "host" : "plugin",
		host ? "// Include it as a module of a host crate (`mod bindings;`); it needs core,\n"
		       "// std and the rdy crate (bindings/rust).\n"
		     : "// Include it as a module of a cdylib crate (`mod bindings;`); it needs only\n"
		       "// core and std.\n");
	fputs("// A world's bindings hold more than one plugin uses.\n#![allow(dead_code)]\n\n", g->o);
}

/* emit_type, for rdy_gen_each_item_type and rdy_gen_each_func_type. */
static void emit_named(void *g, rdy_wit_type t)
{
	emit_type(g, t);
}

static void run(R *g)
{
	uint32_t nt = g->m->ntypes + 1;
	g->tname = rdy__allocn(&g->a, nt, sizeof *g->tname);
	g->state = rdy__allocn(&g->a, nt, 1);
	g->needs_free = rdy__allocn(&g->a, nt, 1);
	memset(g->needs_free, -1, nt);
	g->shorts_owner = rdy__allocn(&g->a, nt, sizeof *g->shorts_owner);
	const char **cam = rdy__allocn(&g->a, nt, sizeof *cam);
	for (uint32_t i = 0; i < g->m->ntypes; i++)
		cam[i] = g->m->types[i].name ? camel(g, g->m->types[i].name) : NULL;
	for (uint32_t i = 0; i < g->m->ntypes; i++) {
		g->shorts_owner[i] = -1;
		for (uint32_t j = 0; j < g->m->ntypes && cam[i]; j++)
			if (j != i && cam[j] && !strcmp(cam[i], cam[j]) && unalias(g, (rdy_wit_type)i) != unalias(g, (rdy_wit_type)j)) {
				g->shorts_owner[i] = (int32_t)j;
				break;
			}
	}
	static const char *const taken[] = {
		"Guest", "Host", "RdyBool", "RdyChar", "RdyString", "RdyList", "RdyOption", "RdyResult", "RdyResultVal",
		"RdyEmpty", "RdyFuncV1", "RdyHandlesV1", "RdyImportsV1", "RdyResourceV1", "RdyPluginRoot", "RdyReturned",
		"RdyView", "RdyIntoAbi", "RdyFree", "Self", "Option", "Result", "Vec", "String", "Box", "Some", "None",
		"Ok", "Err", "Copy", "Clone", "Send", "Sync", "Sized", "Drop", "ManuallyDrop", "MaybeUninit", "T", NULL
	};
	for (const char *const *t = taken; *t; t++)
		claim(g, &g->types, *t, "");
	for (uint32_t n = 0; n < 32; n++)
		claim(g, &g->types, rdy__sprintf(&g->a, "RdyTuple%u", n), "");
	static const char *const host_taken[] = { "Imports", "Returned", "Lend", "RdyShared", "RdyDirect", "RdyHandle", "Arc", "H",
						  "RdyTaken", "RdyLent", "RdyBorrowed", "RdyGiven", NULL };
	if (g->in->side == RDY_SIDE_HOST)
		for (const char *const *t = host_taken; *t; t++)
			claim(g, &g->types, *t, "");
	banner(g);
	for (const char *const *p = prelude; *p; p++)
		fputs(*p, g->o);
	fputs("\n// ---- types -------------------------------------------------------------------\n", g->o);
	rdy_gen_each_item_type(g->m, g->w->imports, g->w->nimports, emit_named, g);
	rdy_gen_each_item_type(g->m, g->w->exports, g->w->nexports, emit_named, g);
	rdy_gen_each_func_type(g->imp, g->nimp, emit_named, g);
	rdy_gen_each_func_type(g->exp, g->nexp, emit_named, g);
	if (g->in->side == RDY_SIDE_HOST) {
		fputs("\nuse std::sync::Arc;\n", g->o);
		emit_host_side(g);
	} else {
		emit_exports(g);
		emit_host(g);
		emit_descriptor(g);
		emit_root(g);
	}
	for (uint32_t n = 1; n < 32; n++)
		if (g->tuples & (1u << n))
			emit_tuple(g, n);
}

int rdy_gen_rust(const rdy_gen_input *in, FILE *out, char *err, size_t errlen)
{
	R *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->in = in;
	g->m = in->m;
	g->w = &in->m->worlds[in->world];
	g->o = out;
	g->err = err;
	g->errlen = errlen;
	rdy__arena_init(&g->a, oom, g);
	int rc = -1;
	if (setjmp(g->oom)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	g->l = rdy_abi_layouts_new(in->m);
	if (!g->l || rdy_abi_world_funcs(in->m, in->world, false, &g->imp, &g->nimp) < 0 ||
	    rdy_abi_world_funcs(in->m, in->world, true, &g->exp, &g->nexp) < 0 ||
	    rdy_abi_world_resources(in->m, in->world, true, &g->eres, &g->neres) < 0 ||
	    rdy_abi_world_resources(in->m, in->world, false, &g->ires, &g->nires) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (in->side == RDY_SIDE_HOST && !in->peer) {
		snprintf(err, errlen, "rdy gen rust --side host: no plugin-side descriptor given");
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
	rdy__arena_free(&g->a);
	free(g);
	return rc;
}
