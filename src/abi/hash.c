/*
 * Structural hashes, docs/abi.md §6: XXH3-128 over a canonical byte string
 * of each item's names and structure.  Docs, stability, the producer and
 * package versions beyond their semver track are left out, so equal hashes
 * mean "the same ABI" and nothing else.
 *
 * A hash embeds the hashes of what the item refers to, and those are always
 * computed first, so the one serialisation buffer is never in use twice:
 * rdy_hashes_new hashes every type, after which a type's hash is a lookup.
 */
#include "abi/desc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct rdy_hashes {
	const rdy_wit_model *m;
	rdy_hash *types;
	uint8_t *state;                    /* 0 not done, 1 in progress, 2 done */
	rdy_hash *ifaces;
	uint8_t *iface_done;
	uint8_t *buf;                      /* the byte string being hashed */
	size_t len, cap;
	bool oom;
	uint32_t depth;
	rdy_hash leaves[1 - RDY_WIT_ERROR_CONTEXT]; /* "no type", then primitive -t at t */
};

enum { MAX_DEPTH = 10000 };

static const rdy_hash failed = { UINT64_MAX, UINT64_MAX };

/* Room for N more bytes, or NULL (and h->oom) when memory runs out. */
static uint8_t *grow(rdy_hashes *h, size_t n)
{
	size_t cap = (h->cap ? h->cap * 2 : 1024) + n;
	uint8_t *b = h->oom ? NULL : realloc(h->buf, cap);
	if (!b) {
		h->oom = true;
		return NULL;
	}
	h->buf = b;
	h->cap = cap;
	return h->buf + h->len;
}

/* The next N bytes of the buffer, claimed; NULL when memory runs out. */
static inline uint8_t *room(rdy_hashes *h, size_t n)
{
	uint8_t *p = n <= h->cap - h->len ? h->buf + h->len : grow(h, n);
	if (p)
		h->len += n;
	return p;
}

/*
 * Little-endian whatever the host, so that hashes are the same everywhere;
 * on a little-endian host that is one store, which compilers do not always
 * find in the portable form.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void le32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void le64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
#else
static inline void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}
#endif

static inline void u32(rdy_hashes *h, uint32_t v)
{
	uint8_t *p = room(h, 4);
	if (p)
		le32(p, v);
}

static inline void tag(rdy_hashes *h, char c)
{
	uint8_t *p = room(h, 1);
	if (p)
		*p = (uint8_t)c;
}

static inline void str(rdy_hashes *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	uint8_t *p = room(h, 4 + n);
	if (p) {
		le32(p, (uint32_t)n);
		memcpy(p + 4, s ? s : "", n);
	}
}

static inline void hash(rdy_hashes *h, rdy_hash x)
{
	uint8_t *p = room(h, 16);
	if (p) {
		le64(p, x.lo);
		le64(p + 8, x.hi);
	}
}

/* Hashes the buffer and empties it. */
static rdy_hash digest(rdy_hashes *h)
{
	XXH128_hash_t d = XXH3_128bits(h->buf, h->len);
	h->len = 0;
	return h->oom ? failed : (rdy_hash){ d.low64, d.high64 };
}

const char *rdy_semver_track(const rdy_wit_package *p, char *buf, size_t n)
{
	const rdy_wit_version *v = &p->version;
	if (!p->has_version)
		snprintf(buf, n, "%s", "");
	else if (v->pre)
		snprintf(buf, n, "%s", v->text);
	else if (v->major)
		snprintf(buf, n, "%llu", (unsigned long long)v->major);
	else if (v->minor)
		snprintf(buf, n, "0.%llu", (unsigned long long)v->minor);
	else
		snprintf(buf, n, "0.0.%llu", (unsigned long long)v->patch);
	return buf;
}

static void track(rdy_hashes *h, const rdy_wit_package *p)
{
	char buf[96];
	str(h, rdy_semver_track(p, buf, sizeof buf));
}

static void package(rdy_hashes *h, int32_t p)
{
	if (p < 0 || (uint32_t)p >= h->m->npackages) {
		str(h, "");
		return;
	}
	str(h, h->m->packages[p].ns);
	str(h, h->m->packages[p].name);
	track(h, &h->m->packages[p]);
}

/* Where a resource is defined: package (by semver track), interface or world, then its name. */
static void owner(rdy_hashes *h, const rdy_wit_typedef *t)
{
	const rdy_wit_model *m = h->m;
	if (t->owner_kind == RDY_WIT_OWNER_INTERFACE && (uint32_t)t->owner < m->ninterfaces) {
		tag(h, 'i');
		package(h, m->interfaces[t->owner].package);
		str(h, m->interfaces[t->owner].name);
	} else if (t->owner_kind == RDY_WIT_OWNER_WORLD && (uint32_t)t->owner < m->nworlds) {
		tag(h, 'w');
		package(h, m->worlds[t->owner].package);
		str(h, m->worlds[t->owner].name);
	} else {
		tag(h, '-');
	}
	str(h, t->name);
}

/* A fixed, distinct hash for "no type" and for each primitive. */
static rdy_hash leaf(rdy_wit_type t)
{
	uint8_t b[5] = { 'p', (uint8_t)t, (uint8_t)(t >> 8), (uint8_t)(t >> 16), (uint8_t)(t >> 24) };
	XXH128_hash_t d = XXH3_128bits(b, sizeof b);
	return (rdy_hash){ d.low64, d.high64 };
}

/* The same, from the table rdy_hashes_new fills: signatures are mostly primitives. */
static rdy_hash leaf_of(const rdy_hashes *h, rdy_wit_type t)
{
	if (t == RDY_WIT_NONE)
		return h->leaves[0];
	if (t < 0 && t >= RDY_WIT_ERROR_CONTEXT)
		return h->leaves[-t];
	return leaf(t);
}

static rdy_hash type_hash(rdy_hashes *h, rdy_wit_type t);

static bool has_cases(const rdy_wit_typedef *d)
{
	return d->kind == RDY_WIT_RECORD || d->kind == RDY_WIT_VARIANT || d->kind == RDY_WIT_ENUM ||
	       d->kind == RDY_WIT_FLAGS || d->kind == RDY_WIT_TUPLE;
}

static void children(rdy_hashes *h, const rdy_wit_typedef *d)
{
	type_hash(h, d->a);
	type_hash(h, d->b);
	for (uint32_t i = 0; i < d->ncases; i++)
		type_hash(h, d->cases[i].type);
}

static void type_body(rdy_hashes *h, const rdy_wit_typedef *d)
{
	static const char tags[] = {
		[RDY_WIT_RECORD] = 'R', [RDY_WIT_RESOURCE] = 'r', [RDY_WIT_HANDLE] = 'h', [RDY_WIT_FLAGS] = 'F',
		[RDY_WIT_TUPLE] = 'T', [RDY_WIT_VARIANT] = 'V', [RDY_WIT_ENUM] = 'E', [RDY_WIT_OPTION] = 'O',
		[RDY_WIT_RESULT] = 'Q', [RDY_WIT_LIST] = 'L', [RDY_WIT_FIXED_LIST] = 'A', [RDY_WIT_MAP] = 'M',
		[RDY_WIT_FUTURE] = 'f', [RDY_WIT_STREAM] = 's', [RDY_WIT_UNKNOWN] = '?',
	};
	tag(h, tags[d->kind]);
	if (d->kind == RDY_WIT_RESOURCE) {
		owner(h, d);
		return;
	}
	if (d->kind == RDY_WIT_HANDLE) {
		tag(h, d->borrow ? 'b' : 'o');
		hash(h, type_hash(h, d->a));
		return;
	}
	if (!has_cases(d)) {
		hash(h, type_hash(h, d->a));
		hash(h, type_hash(h, d->b));
		u32(h, d->size);
		return;
	}
	if (d->kind != RDY_WIT_TUPLE)
		str(h, d->name);
	u32(h, d->ncases);
	for (uint32_t i = 0; i < d->ncases; i++) {
		if (d->kind != RDY_WIT_TUPLE)
			str(h, d->cases[i].name);
		if (d->kind != RDY_WIT_ENUM && d->kind != RDY_WIT_FLAGS)
			hash(h, type_hash(h, d->cases[i].type));
	}
}

/* Aliases are transparent: `type a = b` and `use i.{b as a}` hash as b. */
static rdy_hash type_hash(rdy_hashes *h, rdy_wit_type t)
{
	if (t < 0 || (uint32_t)t >= h->m->ntypes)
		return leaf_of(h, t);
	if (h->state[t] == 2)
		return h->types[t];
	if (h->state[t] == 1 || h->depth >= MAX_DEPTH)
		return failed; /* a cycle or a chain past the limit: the decoder refuses both earlier */
	const rdy_wit_typedef *d = &h->m->types[t];
	h->state[t] = 1;
	h->depth++;
	if (d->kind == RDY_WIT_ALIAS) {
		h->types[t] = type_hash(h, d->a);
	} else {
		children(h, d);
		type_body(h, d);
		h->types[t] = digest(h);
	}
	h->depth--;
	h->state[t] = 2;
	return h->types[t];
}

/* A hash rdy_hashes_new computed: any type's, or a primitive's; reading it never touches the buffer. */
static inline rdy_hash known(const rdy_hashes *h, rdy_wit_type t)
{
	if (t >= 0 && (uint32_t)t < h->m->ntypes)
		return h->types[t];
	return leaf_of(h, t);
}

rdy_hash rdy_hash_type(const rdy_hashes *h, rdy_wit_type t)
{
	return known(h, t);
}

rdy_hash rdy_hash_func(const rdy_hashes *hc, const rdy_wit_func *f)
{
	rdy_hashes *h = (rdy_hashes *)hc;
	tag(h, 'f');
	str(h, f->name);
	tag(h, (char)('0' + f->kind));
	hash(h, known(h, f->resource >= 0 ? f->resource : RDY_WIT_NONE));
	u32(h, f->nparams);
	for (uint32_t i = 0; i < f->nparams; i++) {
		str(h, f->params[i].name);
		hash(h, known(h, f->params[i].type));
	}
	hash(h, known(h, f->result));
	return digest(h);
}

rdy_hash rdy_hash_interface(const rdy_hashes *hc, int32_t i)
{
	rdy_hashes *h = (rdy_hashes *)hc;
	if (i < 0 || (uint32_t)i >= h->m->ninterfaces)
		return h->leaves[0];
	if (h->iface_done[i])
		return h->ifaces[i];
	const rdy_wit_interface *in = &h->m->interfaces[i];
	rdy_hash *fh = malloc((in->nfuncs + 1) * sizeof *fh);
	if (!fh)
		return failed;
	for (uint32_t k = 0; k < in->nfuncs; k++)
		fh[k] = rdy_hash_func(h, &in->funcs[k]);
	tag(h, 'I');
	package(h, in->package);
	str(h, in->name);
	u32(h, in->ntypes);
	for (uint32_t k = 0; k < in->ntypes; k++) {
		str(h, in->types[k].name);
		hash(h, known(h, in->types[k].id));
	}
	u32(h, in->nfuncs);
	for (uint32_t k = 0; k < in->nfuncs; k++)
		hash(h, fh[k]);
	free(fh);
	h->ifaces[i] = digest(h);
	h->iface_done[i] = 1;
	return h->ifaces[i];
}

static rdy_hash item_hash(rdy_hashes *h, const rdy_wit_item *it)
{
	if (it->kind == RDY_WIT_ITEM_INTERFACE)
		return rdy_hash_interface(h, it->id);
	if (it->kind == RDY_WIT_ITEM_FUNC)
		return rdy_hash_func(h, &it->func);
	return known(h, it->id);
}

static void items(rdy_hashes *h, const rdy_wit_item *v, uint32_t n, const rdy_hash *ih)
{
	u32(h, n);
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].name) {
			tag(h, 'n');
			str(h, v[i].name);
		} else if ((uint32_t)v[i].key_iface < h->m->ninterfaces) {
			tag(h, 'k');
			package(h, h->m->interfaces[v[i].key_iface].package);
			str(h, h->m->interfaces[v[i].key_iface].name);
		}
		hash(h, ih[i]);
	}
}

rdy_hash rdy_hash_world(const rdy_hashes *hc, int32_t w)
{
	rdy_hashes *h = (rdy_hashes *)hc;
	if (w < 0 || (uint32_t)w >= h->m->nworlds)
		return h->leaves[0];
	const rdy_wit_world *wd = &h->m->worlds[w];
	uint32_t n = wd->nimports + wd->nexports;
	rdy_hash *ih = malloc((n + 1) * sizeof *ih);
	if (!ih)
		return failed;
	for (uint32_t i = 0; i < n; i++)
		ih[i] = item_hash(h, i < wd->nimports ? &wd->imports[i] : &wd->exports[i - wd->nimports]);
	tag(h, 'W');
	package(h, wd->package);
	str(h, wd->name);
	items(h, wd->imports, wd->nimports, ih);
	items(h, wd->exports, wd->nexports, ih + wd->nimports);
	free(ih);
	return digest(h);
}

rdy_hashes *rdy_hashes_new(const rdy_wit_model *m)
{
	rdy_hashes *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->m = m;
	h->leaves[0] = leaf(RDY_WIT_NONE);
	for (int t = 1; t <= -RDY_WIT_ERROR_CONTEXT; t++)
		h->leaves[t] = leaf(-t);
	h->types = calloc(m->ntypes + 1, sizeof *h->types);
	h->state = calloc(m->ntypes + 1, 1);
	h->ifaces = calloc(m->ninterfaces + 1, sizeof *h->ifaces);
	h->iface_done = calloc(m->ninterfaces + 1, 1);
	if (!h->types || !h->state || !h->ifaces || !h->iface_done) {
		rdy_hashes_free(h);
		return NULL;
	}
	for (uint32_t i = 0; i < m->ntypes; i++) /* in order: referents come first */
		type_hash(h, (rdy_wit_type)i);
	if (h->oom) {
		rdy_hashes_free(h);
		return NULL;
	}
	return h;
}

void rdy_hashes_free(rdy_hashes *h)
{
	if (!h)
		return;
	free(h->types);
	free(h->state);
	free(h->ifaces);
	free(h->iface_done);
	free(h->buf);
	free(h);
}

const char *rdy_hash_hex(rdy_hash h, char buf[33])
{
	snprintf(buf, 33, "%016llx%016llx", (unsigned long long)h.hi, (unsigned long long)h.lo);
	return buf;
}
