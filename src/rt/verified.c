/*
 * Verified descriptors and each world's cache of them (docs/abi.md §7.1).
 *
 * Decoding and checking a plugin's descriptor is most of what opening it
 * costs, and depends on nothing but the descriptor's bytes and the world.
 * Plugins built from one WIT by one rdylib carry the same bytes, and a
 * plugin opened again carries the bytes it carried before, so a world keeps
 * what it derived from each descriptor it accepted, keyed by the bytes
 * themselves: a copy, since the hash only narrows the search and memcmp
 * decides.  An open whose bytes are there goes straight on to dlopen.
 *
 * Only accepted descriptors are kept.  A refused one is decoded and checked
 * again at each open: its refusal must keep giving its full message, which
 * names the path being opened, and refusals are too rare for the time to
 * matter.
 */
#include "rt/rt.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* What rdy_world_expect's messages start with, where an open's give the path. */
#define EXPECTED "expected plugin descriptor"

static void verified_free(rdy__verified *v)
{
	for (uint32_t i = 0; i < v->nabsent + v->ndeprecated; i++)
		free(v->absent[i]);
	free(v->absent);
	free(v->import_map);
	free(v->res_map);
	free(v->res_rmap);
	free(v->resources);
	free(v->iresources);
	free(v->ires_map);
	free(v->export_map);
	free(v->imports);
	free(v->exports);
	rdy_desc_free(v->desc);
	free(v);
}

void rdy__verified_release(rdy__verified *v)
{
	if (--v->refs == 0)
		verified_free(v);
}

/* ---- decoding and checking, once per descriptor ----------------------------------- */

static int decode(rdy__verified *v, const char *who, const char *host_side, rdy_error **err)
{
	char msg[512];
	if (!(v->desc = rdy_desc_decode(v->bytes, v->len, msg, sizeof msg)))
		return rdy__nomem(msg) ? rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who)
				       : rdy__fail(err, RDY_EFORMAT, "%s: %s", who, msg);
	if (rdy_desc_side(v->desc) != RDY_SIDE_PLUGIN)
		return rdy__fail(err, RDY_EFORMAT, "%s: %s", who, host_side);
	return RDY_OK;
}

/*
 * The checker starts each line with "WHO: ", and WHO is the path of the
 * open that made the entry: each module puts its own path back.
 */
static void strip_who(char **lines, uint32_t n, const char *who)
{
	size_t k = strlen(who) + 2;
	for (uint32_t i = 0; i < n; i++)
		memmove(lines[i], lines[i] + k, strlen(lines[i] + k) + 1);
}

/* The compatibility check (§8); the lines of items that bind as absent, or are deprecated, are kept. */
static int check(const rdy_world *w, rdy__verified *v, const char *who, rdy_error **err)
{
	rdy_check_report r;
	rdy_check_model *plugin = rdy_check_model_new(rdy_desc_model(v->desc));
	int rc = plugin ? rdy_check_prepared(w->prep, w->w, plugin, rdy_desc_world(v->desc), who, &r) : -1;
	rdy_check_model_free(plugin);
	if (!plugin)
		memset(&r, 0, sizeof r);
	if (rc < 0)
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who);
	else if (rc > 0)
		rc = rdy__fail_lines(err, RDY_EINCOMPATIBLE, r.errors, r.nerrors);
	bool grow = rc == RDY_OK && r.ndeprecated;
	char **lines = grow ? realloc(r.absent, (r.nabsent + r.ndeprecated) * sizeof *lines) : r.absent;
	if (grow && !lines) {
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who);
	} else if (rc == RDY_OK) {
		if (r.ndeprecated)
			memcpy(lines + r.nabsent, r.deprecated, r.ndeprecated * sizeof *lines);
		strip_who(lines, r.nabsent + r.ndeprecated, who);
		v->absent = lines;
		v->nabsent = r.nabsent;
		v->ndeprecated = r.ndeprecated;
		free(r.deprecated);
		r.absent = r.deprecated = NULL; /* the lines are V's now; the report frees what they are about */
	} else {
		r.absent = lines;
	}
	rdy_check_report_free(&r);
	return rc;
}

/* The plugin's function lists, which its root symbol's tables must match, and how they bind. */
static int functions(const rdy_world *w, rdy__verified *v, const char *who, rdy_error **err)
{
	const rdy_wit_model *pm = rdy_desc_model(v->desc);
	int pw = rdy_desc_world(v->desc);
	if (rdy_abi_world_funcs(pm, pw, true, &v->exports, &v->nexports) < 0 ||
	    rdy_abi_world_funcs(pm, pw, false, &v->imports, &v->nimports) < 0 ||
	    rdy_abi_world_resources(pm, pw, true, &v->resources, &v->nresources) < 0 ||
	    rdy_abi_world_resources(pm, pw, false, &v->iresources, &v->niresources) < 0 || rdy__bind_maps(w, v) != RDY_OK)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who);
	return RDY_OK;
}

/* Decodes and checks the bytes, into *OUT with one reference, the caller's. */
static int verified_new(rdy_world *w, const uint8_t *bytes, size_t len, rdy_hash h, const char *who,
			const char *host_side, rdy__verified **out, rdy_error **err)
{
	rdy__verified *v = len <= SIZE_MAX - sizeof *v ? calloc(1, sizeof *v + len) : NULL;
	if (!v)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who);
	v->hash = h;
	v->len = len;
	memcpy(v->bytes, bytes, len);
	v->refs = 1;
	w->cache.decodes++;
	int rc = decode(v, who, host_side, err);
	if (rc == RDY_OK)
		rc = check(w, v, who, err);
	if (rc == RDY_OK)
		rc = functions(w, v, who, err);
	if (rc != RDY_OK) {
		verified_free(v);
		return rc;
	}
	*out = v;
	return RDY_OK;
}

/* ---- the cache ----------------------------------------------------------------- */

/*
 * The cache's key: only a first comparison, which memcmp confirms, so it
 * needs to tell descriptors apart, not to be collision-proof.  It hashes
 * the first KEY_PREFIX bytes, seeded with the length, rather than every
 * byte: hashing all 13 KB of a 1,000-function descriptor took about 0.8 us,
 * more than a tenth of what an open of a verified descriptor may add to
 * dlopen's own time (bench/README.md, "Load").  Two descriptors that share
 * their length and first bytes are both compared in full, from the start.
 */
enum { KEY_PREFIX = 256 };

static rdy_hash hash_of(const uint8_t *bytes, size_t len)
{
	return (rdy_hash){ XXH3_64bits_withSeed(bytes, len < KEY_PREFIX ? len : KEY_PREFIX, len), len };
}

/* The entry of these bytes, marked as just used, or NULL. */
static rdy__verified *cache_find(rdy__cache *c, const uint8_t *bytes, size_t len, rdy_hash h)
{
	for (uint32_t i = 0; i < c->n; i++) {
		rdy__verified *v = c->e[i];
		if (v->len == len && v->hash.lo == h.lo && v->hash.hi == h.hi && !memcmp(v->bytes, bytes, len)) {
			v->used = ++c->tick;
			c->hits++;
			return v;
		}
	}
	return NULL;
}

/* The least recently used entry, pinned ones only once no other is left. */
static uint32_t victim(const rdy__cache *c)
{
	uint32_t k = 0;
	for (uint32_t i = 1; i < c->n; i++) {
		const rdy__verified *a = c->e[i], *b = c->e[k];
		if (a->pinned != b->pinned ? b->pinned : a->used < b->used)
			k = i;
	}
	return k;
}

/*
 * Adds V, with a reference of the cache's.  When the cache is full one
 * entry goes; the modules that use it hold references of their own.
 */
static void cache_insert(rdy__cache *c, rdy__verified *v)
{
	if (c->n == RDY__CACHE_MAX) {
		uint32_t k = victim(c);
		rdy__verified_release(c->e[k]);
		c->e[k] = c->e[--c->n];
	}
	v->refs++;
	v->used = ++c->tick;
	c->e[c->n++] = v;
}

void rdy__cache_clear(rdy_world *w)
{
	while (w->cache.n)
		rdy__verified_release(w->cache.e[--w->cache.n]);
}

int rdy__verify(rdy_world *w, const uint8_t *bytes, size_t len, const char *who, const char *host_side,
		rdy__verified **out, rdy_error **err)
{
	rdy_hash h = hash_of(bytes, len);
	rdy__verified *v = cache_find(&w->cache, bytes, len, h);
	if (v) {
		v->refs++;
		*out = v;
		return RDY_OK;
	}
	int rc = verified_new(w, bytes, len, h, who, host_side, &v, err);
	if (rc == RDY_OK) {
		cache_insert(&w->cache, v);
		*out = v;
	}
	return rc;
}

void rdy__cache_stats_get(rdy_world *w, rdy__cache_stats *s)
{
	pthread_mutex_lock(&rdy__lock);
	*s = (rdy__cache_stats){ w->cache.hits, w->cache.decodes, w->cache.n, 0 };
	for (uint32_t i = 0; i < w->cache.n; i++)
		s->pinned += w->cache.e[i]->pinned;
	pthread_mutex_unlock(&rdy__lock);
}

/* ---- rdy_world_expect -------------------------------------------------------------- */

/*
 * Pinned, so that the plugins of the host's own WIT keep opening from the
 * cache whatever else passes through it; only when every entry is pinned
 * (a host that declared more descriptors than the cache holds) does the
 * least recently used of them go.
 */
RDY_API int rdy_world_expect(rdy_world *w, const uint8_t *plugin_descriptor, size_t len, rdy_error **err)
{
	if (!w || !plugin_descriptor)
		return rdy__fail(err, RDY_EINVAL, "%s", w ? EXPECTED ": no descriptor" : "rdy_world_expect: no world");
	pthread_mutex_lock(&rdy__lock);
	rdy__verified *v;
	int rc = rdy__verify(w, plugin_descriptor, len, EXPECTED, "the descriptor describes a host, not a plugin", &v,
			     err);
	if (rc == RDY_OK) {
		v->pinned = true;
		rdy__verified_release(v);
	}
	pthread_mutex_unlock(&rdy__lock);
	return rc;
}
