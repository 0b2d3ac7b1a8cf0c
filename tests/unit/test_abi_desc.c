/*
 * The descriptor (docs/abi.md §5) and the structural hashes (§6): round
 * trips over the shared corpus, golden hashes, what the hashes see and what
 * they leave out, the decoder's exact errors, and every one-byte corruption
 * and truncation of real descriptors.
 *
 * The tests that need the shared corpus run last; without it the program
 * exits 77 (skipped) once the others have passed.
 */
#include "wittest.h"

#include "abi/desc.h"
#include "abi/desc_int.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORPUS RDY_SHARED_DIR "/corpus"
#define SHAPES RDY_SOURCE_DIR "/examples/shapes/wit"

/* wit-ui cases that need a WebAssembly decoder (corpus README). */
static const char *const out_of_scope[] = { "kinds-of-deps", "simple-wasm-text" };

static const char *const features[] = { "active" };
static const char producer[] = "rdylib-test 0.1.0 (unit)";

/* ---- helpers ------------------------------------------------------------------- */

static bool hash_eq(rdy_hash a, rdy_hash b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static rdy_hash world_hash(const rdy_wit_model *m, int world)
{
	rdy_hashes *h = rdy_hashes_new(m);
	assert_non_null(h);
	rdy_hash r = rdy_hash_world(h, world);
	rdy_hashes_free(h);
	return r;
}

static uint8_t *encode_ok(const rdy_wit_model *m, int world, const char *prod, const char *const *feat,
			  uint32_t nfeat, size_t *len)
{
	uint8_t *out;
	char err[512];
	if (rdy_desc_encode(m, world, RDY_SIDE_PLUGIN, prod, feat, nfeat, &out, len, err, sizeof err))
		fail_msg("encode: %s", err);
	return out;
}

static rdy_desc *decode_ok(const uint8_t *buf, size_t len)
{
	char err[512];
	rdy_desc *d = rdy_desc_decode(buf, len, err, sizeof err);
	if (!d)
		fail_msg("decode: %s", err);
	return d;
}

/* Encodes what D decoded, with D's own side, producer and features. */
static uint8_t *reencode(const rdy_desc *d, size_t *len)
{
	const char *feat[16];
	uint32_t n = rdy_desc_nfeatures(d);
	assert_true(n <= 16);
	for (uint32_t i = 0; i < n; i++)
		feat[i] = rdy_desc_feature(d, i);
	uint8_t *out;
	char err[512];
	if (rdy_desc_encode(rdy_desc_model(d), rdy_desc_world(d), rdy_desc_side(d), rdy_desc_producer(d), feat, n,
			    &out, len, err, sizeof err))
		fail_msg("re-encode: %s", err);
	return out;
}

/* Loads PATH with feature "active" on; *PKG is its main package. */
static rdy_wit *load_path(const char *path, int *pkg)
{
	rdy_wit *w = rdy_wit_new();
	assert_non_null(w);
	assert_int_equal(rdy_wit_enable_feature(w, "active"), 0);
	if ((*pkg = rdy_wit_load_path(w, path)) < 0)
		fail_msg("%s: %s", path, rdy_wit_errmsg(w));
	return w;
}

/* Loads PATH and picks world SPEC ("ns:pkg/name@version" or a name of the main package). */
static int load_world(const char *path, const char *spec, rdy_wit **out)
{
	int pkg;
	rdy_wit *w = load_path(path, &pkg);
	int world = rdy_wit_select_world(w, pkg, spec);
	if (world < 0)
		fail_msg("%s: %s", path, rdy_wit_errmsg(w));
	*out = w;
	return world;
}

static void world_label(const rdy_wit_model *m, int world, char *buf, size_t n)
{
	const rdy_wit_world *wd = &m->worlds[world];
	snprintf(buf, n, "%s/%s", wd->package >= 0 ? m->packages[wd->package].id : "-", wd->name);
}

/* ---- what ABI v1 refuses (§2.9), found independently of the encoder --------------- */

typedef struct reach {
	const rdy_wit_model *m;
	uint8_t *iface_seen, *type_seen;
	const char *names[64];             /* functions and types outside ABI v1 */
	unsigned n;
} reach;

static bool not_v1(const rdy_wit_model *m, rdy_wit_type t)
{
	if (t == RDY_WIT_ERROR_CONTEXT)
		return true;
	if (t < 0)
		return false;
	const rdy_wit_typedef *d = &m->types[t];
	if (d->kind == RDY_WIT_FUTURE || d->kind == RDY_WIT_STREAM)
		return true;
	if (not_v1(m, d->a) || not_v1(m, d->b))
		return true;
	for (uint32_t i = 0; i < d->ncases; i++)
		if (not_v1(m, d->cases[i].type))
			return true;
	return false;
}

static void offender(reach *r, const char *name)
{
	if (r->n < sizeof r->names / sizeof r->names[0])
		r->names[r->n++] = name;
}

static void reach_iface(reach *r, int32_t i);

/* A type pulls in the interface that owns it, as the encoder's reach does (§5.4). */
static void reach_type(reach *r, rdy_wit_type t)
{
	if (t < 0 || r->type_seen[t])
		return;
	const rdy_wit_typedef *d = &r->m->types[t];
	r->type_seen[t] = 1;
	reach_type(r, d->a);
	reach_type(r, d->b);
	for (uint32_t i = 0; i < d->ncases; i++)
		reach_type(r, d->cases[i].type);
	if (d->owner_kind == RDY_WIT_OWNER_INTERFACE)
		reach_iface(r, d->owner);
}

static void reach_func(reach *r, const rdy_wit_func *f)
{
	bool bad = f->kind == RDY_WIT_ASYNC_FREESTANDING || f->kind == RDY_WIT_ASYNC_METHOD ||
		   f->kind == RDY_WIT_ASYNC_STATIC || not_v1(r->m, f->result);
	reach_type(r, f->resource);
	reach_type(r, f->result);
	for (uint32_t i = 0; i < f->nparams; i++) {
		bad |= not_v1(r->m, f->params[i].type);
		reach_type(r, f->params[i].type);
	}
	if (bad)
		offender(r, f->name);
}

static void reach_iface(reach *r, int32_t i)
{
	if (r->iface_seen[i])
		return;
	r->iface_seen[i] = 1;
	const rdy_wit_interface *in = &r->m->interfaces[i];
	for (uint32_t k = 0; k < in->ntypes; k++) {
		if (not_v1(r->m, in->types[k].id))
			offender(r, in->types[k].name);
		reach_type(r, in->types[k].id);
	}
	for (uint32_t k = 0; k < in->nfuncs; k++)
		reach_func(r, &in->funcs[k]);
}

static void reach_items(reach *r, const rdy_wit_item *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!v[i].name)
			reach_iface(r, v[i].key_iface);
		if (v[i].kind == RDY_WIT_ITEM_INTERFACE) {
			reach_iface(r, v[i].id);
		} else if (v[i].kind == RDY_WIT_ITEM_FUNC) {
			reach_func(r, &v[i].func);
		} else {
			if (not_v1(r->m, v[i].id))
				offender(r, v[i].name);
			reach_type(r, v[i].id);
		}
	}
}

/* The functions and types of WORLD that ABI v1 cannot carry; R is freed by the caller. */
static void offenders(const rdy_wit_model *m, int world, reach *r)
{
	*r = (reach){ .m = m };
	r->iface_seen = calloc(m->ninterfaces + 1, 1);
	r->type_seen = calloc(m->ntypes + 1, 1);
	assert_non_null(r->iface_seen);
	assert_non_null(r->type_seen);
	reach_items(r, m->worlds[world].imports, m->worlds[world].nimports);
	reach_items(r, m->worlds[world].exports, m->worlds[world].nexports);
	free(r->iface_seen);
	free(r->type_seen);
}

static bool names_one_of(const char *msg, const reach *r)
{
	char quoted[256];
	for (unsigned i = 0; i < r->n; i++) {
		snprintf(quoted, sizeof quoted, "`%s`", r->names[i]);
		if (strstr(msg, quoted))
			return true;
	}
	return false;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && !strcmp(s + n - k, tail);
}

/* ---- round trip over the corpus (§5.4 [D-CANON], §6 [S-HASH], §2.9 [V1-ASYNC]) ----- */

typedef struct tally {
	unsigned packages, worlds, refused;
} tally;

static void refused(const char *label, const rdy_wit_model *m, int world, const reach *r, tally *t)
{
	uint8_t *out = NULL;
	size_t len;
	char err[512] = "";
	if (!rdy_desc_encode(m, world, RDY_SIDE_PLUGIN, producer, features, 1, &out, &len, err, sizeof err)) {
		free(out);
		fail_msg("%s: encodes although it reaches `%s`, which ABI v1 does not carry", label, r->names[0]);
	}
	if (!names_one_of(err, r))
		fail_msg("%s: the refusal names no offending function or type: %s", label, err);
	if (!ends_with(err, "is async, which ABI v1 does not carry") &&
	    !ends_with(err, "it contains a future, stream or error-context, which ABI v1 does not carry"))
		fail_msg("%s: the refusal gives no reason: %s", label, err);
	printf("  refused %s: %s\n", label, err);
	t->refused++;
}

static void round_trip_world(const rdy_wit_model *m, const rdy_hashes *h, int world, tally *t)
{
	char label[256];
	world_label(m, world, label, sizeof label);
	t->worlds++;
	reach r;
	offenders(m, world, &r);
	if (r.n) {
		refused(label, m, world, &r, t);
		return;
	}
	size_t na, nb;
	uint8_t *a = encode_ok(m, world, producer, features, 1, &na);
	rdy_desc *d = decode_ok(a, na);
	assert_int_equal(rdy_desc_side(d), RDY_SIDE_PLUGIN);
	assert_string_equal(rdy_desc_producer(d), producer);
	assert_int_equal(rdy_desc_nfeatures(d), 1);
	assert_string_equal(rdy_desc_feature(d, 0), "active");
	uint8_t *b = reencode(d, &nb);
	if (na != nb || memcmp(a, b, na))
		fail_msg("%s: re-encoding the decoded descriptor changes it (%zu bytes, then %zu)", label, na, nb);
	if (!hash_eq(rdy_hash_world(h, world), world_hash(rdy_desc_model(d), rdy_desc_world(d))))
		fail_msg("%s: the decoded world hashes differently", label);
	free(a);
	free(b);
	rdy_desc_free(d);
}

/* Every world of the resolution, those of deps/ included. */
static void round_trip_path(const char *path, tally *t)
{
	int pkg;
	rdy_wit *w = load_path(path, &pkg);
	const rdy_wit_model *m = rdy_wit_get_model(w);
	rdy_hashes *h = rdy_hashes_new(m);
	assert_non_null(h);
	for (uint32_t i = 0; i < m->nworlds; i++)
		round_trip_world(m, h, (int)i, t);
	rdy_hashes_free(h);
	rdy_wit_free(w);
	t->packages++;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void wasi_packages(tally *t)
{
	struct dirent **e;
	int n = scandir(CORPUS "/wasi-0.2", &e, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", CORPUS "/wasi-0.2", e[i]->d_name);
		if (e[i]->d_name[0] != '.' && is_dir(path))
			round_trip_path(path, t);
		free(e[i]);
	}
	free(e);
}

/* A passing wit-ui case is NAME.wit or NAME/ beside NAME.wit.json. */
static void wit_ui_case(const char *json, tally *t)
{
	size_t n = strlen(json) - strlen(".wit.json");
	for (size_t i = 0; i < sizeof out_of_scope / sizeof out_of_scope[0]; i++)
		if (strlen(out_of_scope[i]) == n && !strncmp(json, out_of_scope[i], n))
			return;
	char path[512];
	snprintf(path, sizeof path, "%s/%.*s.wit", CORPUS "/wit-ui", (int)n, json);
	if (access(path, F_OK) != 0)
		snprintf(path, sizeof path, "%s/%.*s", CORPUS "/wit-ui", (int)n, json);
	round_trip_path(path, t);
}

static void wit_ui_cases(tally *t)
{
	struct dirent **e;
	int n = scandir(CORPUS "/wit-ui", &e, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (ends_with(e[i]->d_name, ".wit.json"))
			wit_ui_case(e[i]->d_name, t);
		free(e[i]);
	}
	free(e);
}

static void round_trip_corpus(void **state)
{
	(void)state;
	tally wasi = { 0 }, ui = { 0 };
	wasi_packages(&wasi);
	wit_ui_cases(&ui);
	printf("round trip: WASI 0.2: %u packages, %u worlds, %u refused by ABI v1\n", wasi.packages, wasi.worlds,
	       wasi.refused);
	printf("round trip: wit-ui: %u cases, %u worlds, %u refused by ABI v1\n", ui.packages, ui.worlds, ui.refused);
	assert_int_equal(wasi.packages, 7);
	assert_int_equal(wasi.refused, 0);
	assert_int_equal(ui.refused, 1); /* async.wit; the other cases with futures have no world */
}

/* The encoder's refusals name the item and the reason (§2.9 [V1-ASYNC]). */
static void refuses(const char *world, const char *want)
{
	rdy_wit *w = wit_ok("package t:v@1.0.0;\n"
			    "interface s { f: func(x: stream<u8>); }\n"
			    "interface fu { type t = future<u32>; g: func() -> t; }\n"
			    "interface e { h: func() -> result<u32, error-context>; }\n"
			    "interface r { record rec { x: future<u8> } }\n"
			    "world ws { import s; }\n"
			    "world wf { import fu; }\n"
			    "world we { export e; }\n"
			    "world wr { import r; }\n"
			    "world wa { import k: async func(); }\n"
			    "world wt { export x: func(a: stream<string>); }\n");
	int wd = rdy_wit_select_world(w, 0, world);
	assert_true(wd >= 0);
	uint8_t *out = NULL;
	size_t len;
	char err[512] = "";
	assert_int_equal(rdy_desc_encode(rdy_wit_get_model(w), wd, RDY_SIDE_HOST, NULL, NULL, 0, &out, &len, err,
					 sizeof err),
			 -1);
	assert_null(out);
	assert_string_equal(err, want);
	rdy_wit_free(w);
}

static void encoder_refuses_what_v1_does_not_carry(void **state)
{
	(void)state;
	const char *why = "it contains a future, stream or error-context, which ABI v1 does not carry";
	char want[512];
	snprintf(want, sizeof want, "t:v/s@1.0.0: function `f`: parameter `x`: %s", why);
	refuses("ws", want);
	snprintf(want, sizeof want, "t:v/fu@1.0.0: function `g`: result: %s", why);
	refuses("wf", want);
	snprintf(want, sizeof want, "t:v/e@1.0.0: function `h`: result: %s", why);
	refuses("we", want);
	snprintf(want, sizeof want, "t:v/r@1.0.0: type `rec`: %s", why);
	refuses("wr", want);
	refuses("wa", "world `wa`: function `k` is async, which ABI v1 does not carry");
	snprintf(want, sizeof want, "world `wt`: function `x`: parameter `a`: %s", why);
	refuses("wt", want);
}

/* ---- golden hashes (§6 [S-HASH]) ------------------------------------------------------ */

/*
 * These constants pin the hash definition.  A change to one means the
 * hashes changed for every descriptor ever written: docs/abi.md §6 must
 * describe the new definition, and the change needs a new ABI version.
 */
static void golden(const char *path, const char *spec, const char *want)
{
	rdy_wit *w;
	int world = load_world(path, spec, &w);
	const rdy_wit_model *m = rdy_wit_get_model(w);
	char hex[33];
	assert_string_equal(rdy_hash_hex(world_hash(m, world), hex), want);
	size_t len;
	uint8_t *b = encode_ok(m, world, producer, features, 1, &len);
	rdy_desc *d = decode_ok(b, len);
	assert_string_equal(rdy_hash_hex(world_hash(rdy_desc_model(d), rdy_desc_world(d)), hex), want);
	rdy_desc_free(d);
	free(b);
	rdy_wit_free(w);
}

static void golden_hashes(void **state)
{
	(void)state;
	golden(CORPUS "/wasi-0.2/http", "wasi:http/proxy@0.2.12", "c414751cd525b8f4ff8921eeb46065fa");
	golden(CORPUS "/wasi-0.2/cli", "wasi:cli/command@0.2.12", "ef2567d08bb7548128fd0e7556906a8a");
	golden(CORPUS "/wasi-0.2/io", "wasi:io/imports@0.2.12", "c853a36683f9266c7f38f70a46562a19");
	golden(CORPUS "/wit-ui/world-top-level-resources.wit", "proxy", "2fe7651511ce9ddcf0bdd432abab0986");
}

/* ---- what the hashes see (§6 [S-HASH], §6.1 [S-TRACK]) ------------------------------------ */

/* Holes in one WIT package; NULL takes the default. */
typedef struct holes {
	const char *version, *iface, *rec, *field, *ftype, *vcase, *fn, *param, *exp;
} holes;

static const char *dflt(const char *s, const char *def)
{
	return s ? s : def;
}

static rdy_hash hash_of(holes h)
{
	char src[2048];
	snprintf(src, sizeof src,
		 "package t:h@%s;\n"
		 "%sinterface i {\n"
		 "  %srecord r { %s: %s, y: string }\n"
		 "  variant v { %s(r), none }\n"
		 "  resource res { get: func() -> u32; }\n"
		 "  %sf: func(%s: r, q: v) -> option<res>;\n"
		 "}\n"
		 "world w {\n"
		 "  import i;\n"
		 "  %sexport g: func(n: u32) -> list<u8>;\n"
		 "}\n",
		 dflt(h.version, "1.2.3"), dflt(h.iface, ""), dflt(h.rec, ""), dflt(h.field, "x"), dflt(h.ftype, "u32"),
		 dflt(h.vcase, "some"), dflt(h.fn, ""), dflt(h.param, "p"), dflt(h.exp, ""));
	rdy_wit *w = wit_ok(src);
	const rdy_wit_model *m = rdy_wit_get_model(w);
	int world = rdy_wit_select_world(w, 0, "w");
	assert_true(world >= 0);
	rdy_hash r = world_hash(m, world);
	rdy_wit_free(w);
	return r;
}

static void hashes_leave_out_docs_and_stability(void **state)
{
	(void)state;
	rdy_hash base = hash_of((holes){ 0 });
	assert_true(hash_eq(base, hash_of((holes){ .iface = "/// An interface.\n", .rec = "/// A record.\n  ",
						     .fn = "/// A function.\n  ", .exp = "/// An export.\n  " })));
	assert_true(hash_eq(base, hash_of((holes){ .iface = "@since(version = 1.0.0)\n",
						     .rec = "@since(version = 1.1.0) @deprecated(version = 1.2.0)\n  ",
						     .fn = "@unstable(feature = active)\n  ",
						     .exp = "@since(version = 1.2.0)\n  " })));
}

static void hashes_follow_semver_tracks(void **state)
{
	(void)state;
	rdy_hash v1 = hash_of((holes){ .version = "1.2.3" });
	assert_true(hash_eq(v1, hash_of((holes){ .version = "1.2.4" })));
	assert_true(hash_eq(v1, hash_of((holes){ .version = "1.9.0" })));
	assert_false(hash_eq(v1, hash_of((holes){ .version = "2.0.0" })));
	assert_false(hash_eq(v1, hash_of((holes){ .version = "1.2.3-rc.1" })));
	rdy_hash v02 = hash_of((holes){ .version = "0.2.0" });
	assert_true(hash_eq(v02, hash_of((holes){ .version = "0.2.7" })));
	assert_false(hash_eq(v02, hash_of((holes){ .version = "0.3.0" })));
	rdy_hash v003 = hash_of((holes){ .version = "0.0.3" });
	assert_false(hash_eq(v003, hash_of((holes){ .version = "0.0.4" })));
	assert_false(hash_eq(v02, v1));
}

static void hashes_see_names_and_types(void **state)
{
	(void)state;
	rdy_hash seen[5] = {
		hash_of((holes){ 0 }),
		hash_of((holes){ .field = "z" }),
		hash_of((holes){ .ftype = "s32" }),
		hash_of((holes){ .vcase = "other" }),
		hash_of((holes){ .param = "p2" }),
	};
	for (int i = 0; i < 5; i++)
		for (int k = i + 1; k < 5; k++)
			if (hash_eq(seen[i], seen[k]))
				fail_msg("variants %d and %d hash alike", i, k);
}

/* The producer and the features are in the descriptor but not in the hash. */
static void hashes_leave_out_producer_and_features(void **state)
{
	(void)state;
	rdy_wit *w;
	int world = load_world(SHAPES, "plugin", &w);
	const rdy_wit_model *m = rdy_wit_get_model(w);
	const char *const other[] = { "active", "extra" };
	size_t na, nb, nc;
	uint8_t *a = encode_ok(m, world, "one producer", features, 1, &na);
	uint8_t *b = encode_ok(m, world, "another producer", features, 1, &nb);
	uint8_t *c = encode_ok(m, world, "one producer", other, 2, &nc);
	assert_true(na != nb || memcmp(a, b, na));
	assert_true(na != nc || memcmp(a, c, na));
	rdy_desc *da = decode_ok(a, na), *db = decode_ok(b, nb), *dc = decode_ok(c, nc);
	rdy_hash h = world_hash(m, world);
	assert_true(hash_eq(h, world_hash(rdy_desc_model(da), 0)));
	assert_true(hash_eq(h, world_hash(rdy_desc_model(db), 0)));
	assert_true(hash_eq(h, world_hash(rdy_desc_model(dc), 0)));
	assert_string_equal(rdy_desc_producer(db), "another producer");
	assert_int_equal(rdy_desc_nfeatures(dc), 2);
	rdy_desc_free(da);
	rdy_desc_free(db);
	rdy_desc_free(dc);
	free(a);
	free(b);
	free(c);
	rdy_wit_free(w);
}

/* ---- decode errors (§5.1–§5.3, §5.5 [D-TRUST]) ------------------------------------------ */

typedef struct sec {
	uint8_t id;
	const char *body;
	size_t n;
} sec;

#define SEC(id, lit) ((sec){ (id), (lit), sizeof(lit) - 1 })

/* Header (plugin side) and the sections as given; every length here is below 128. */
static size_t build(uint8_t *out, const sec *s, size_t n)
{
	size_t len = RDY_DESC_HEADER;
	memcpy(out, RDY_DESC_MAGIC "\x01\x00\x02\x00", 8);
	for (size_t i = 0; i < n; i++) {
		assert_true(s[i].n < 128);
		out[len++] = s[i].id;
		out[len++] = (uint8_t)s[i].n;
		memcpy(out + len, s[i].body, s[i].n);
		len += s[i].n;
	}
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(len >> (8 * i));
	return len;
}

/*
 * The smallest descriptor: the empty world `w` (string 0).  Its sections
 * start at bytes 12, 17, 20, 23, 26, 29 and 32, each payload two bytes
 * after its id; it is 40 bytes long.  OVER replaces one section's payload
 * (or, with an id past 7, adds a section at the end).
 */
static size_t tiny(uint8_t *out, sec over)
{
	sec s[8] = {
		SEC(RDY_SEC_STRINGS, "\x01\x01w"), SEC(RDY_SEC_PRODUCER, "\x00"), SEC(RDY_SEC_FEATURES, "\x00"),
		SEC(RDY_SEC_PACKAGES, "\x00"), SEC(RDY_SEC_TYPES, "\x00"), SEC(RDY_SEC_INTERFACES, "\x00"),
		SEC(RDY_SEC_WORLDS, "\x01\x00\x00\x00\x00\x00"),
	};
	size_t n = 7;
	if (over.id >= 1 && over.id <= 7)
		s[over.id - 1] = over;
	else if (over.id)
		s[n++] = over;
	return build(out, s, n);
}

static void expect_error(const uint8_t *buf, size_t len, const char *want)
{
	char err[512] = "";
	rdy_desc *d = rdy_desc_decode(buf, len, err, sizeof err);
	if (d) {
		rdy_desc_free(d);
		fail_msg("expected `%s`, but the descriptor decoded", want);
	}
	assert_string_equal(err, want);
}

static void decode_errors_in_the_header(void **state)
{
	(void)state;
	uint8_t b[256];
	size_t n = tiny(b, (sec){ 0 });
	assert_int_equal(n, 40);
	rdy_desc_free(decode_ok(b, n));
	expect_error(b, 0, "invalid descriptor: empty input");
	expect_error(b, 8, "invalid descriptor: 8 bytes is shorter than the 12-byte header");
	b[3] = 'Z';
	expect_error(b, n, "invalid descriptor: not an rdylib descriptor (bad magic)");
	expect_error(b, 2, "invalid descriptor: not an rdylib descriptor (bad magic)");
	b[3] = 'Y';
	b[4] = 2;
	expect_error(b, n, "invalid descriptor: ABI version 2.0 is not supported (this is version 1)");
	b[4] = 1;
	b[6] = 3;
	expect_error(b, n, "invalid descriptor: side 3 is neither host (1) nor plugin (2)");
	b[6] = 0;
	expect_error(b, n, "invalid descriptor: side 0 is neither host (1) nor plugin (2)");
	b[6] = RDY_SIDE_HOST;
	b[7] = 1;
	expect_error(b, n, "invalid descriptor: reserved flags 0x1 are set");
	b[7] = 0;
	b[8] = 41;
	expect_error(b, n, "invalid descriptor: descriptor says 41 bytes but 40 are given");
	expect_error(b, n - 1, "invalid descriptor: descriptor says 41 bytes but 39 are given");
	b[8] = 40;
	b[5] = 7; /* a later minor version of 1 is read as far as this reader knows it */
	rdy_desc *d = decode_ok(b, n);
	assert_int_equal(rdy_desc_version_minor(d), 7);
	assert_int_equal(rdy_desc_side(d), RDY_SIDE_HOST);
	rdy_desc_free(d);
}

static void decode_errors_in_the_framing(void **state)
{
	(void)state;
	uint8_t b[256];
	sec s[7] = {
		SEC(1, "\x01\x01w"), SEC(3, "\x00"), SEC(2, "\x00"), SEC(4, "\x00"),
		SEC(5, "\x00"),      SEC(6, "\x00"), SEC(7, "\x01\x00\x00\x00\x00\x00"),
	};
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 20: section 2 out of order");
	s[2] = SEC(3, "\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 20: section 3 out of order");
	s[2] = SEC(4, "\x00");
	expect_error(b, build(b, s + 1, 6), "invalid descriptor at byte 18: section 4 out of order");
	const sec no3[6] = { SEC(1, "\x01\x01w"), SEC(2, "\x00"), SEC(4, "\x00"),
			     SEC(5, "\x00"),       SEC(6, "\x00"), SEC(7, "\x01\x00\x00\x00\x00\x00") };
	expect_error(b, build(b, no3, 6), "invalid descriptor: section 3 is missing");
	expect_error(b, build(b, no3, 5), "invalid descriptor: section 3 is missing");
	expect_error(b, build(b, (sec[]){ SEC(1, "\x00"), SEC(2, "\x00"), SEC(3, "\x00") }, 3),
		     "invalid descriptor: section 4 is missing");
	/* the worlds section claims one byte more than there is */
	size_t n = tiny(b, (sec){ 0 });
	b[33] = 7;
	expect_error(b, n, "invalid descriptor at byte 32: section 7 of 7 bytes runs past the end");
	/* the exports count's continuation bit promises a byte past the end */
	expect_error(b, tiny(b, SEC(7, "\x01\x00\x00\x00\x00\x80")), "invalid descriptor at byte 40: unexpected end of section");
	expect_error(b, tiny(b, SEC(2, "\x00\x00")), "invalid descriptor at byte 20: section 2 has 1 bytes left over");
	expect_error(b, tiny(b, SEC(1, "\x01\x05w")), "invalid descriptor at byte 15: string of 5 bytes runs past the section");
	expect_error(b, tiny(b, SEC(1, "\x64\x01w")),
		     "invalid descriptor at byte 14: count 100 exceeds the bytes left in the section");
	expect_error(b, tiny(b, SEC(1, "\xff\xff\xff\xff\x7f")), "invalid descriptor at byte 14: integer does not fit 32 bits");
	expect_error(b, tiny(b, SEC(1, "\xff\xff\xff\xff\x8f\x01")),
		     "invalid descriptor at byte 14: integer does not fit 32 bits");
	/* ids past 7 are skipped, whatever they hold */
	rdy_desc_free(decode_ok(b, tiny(b, SEC(8, "\xff\xff\xff"))));
	rdy_desc_free(decode_ok(b, tiny(b, SEC(255, ""))));
}

static void decode_errors_in_strings(void **state)
{
	(void)state;
	uint8_t b[256];
	expect_error(b, tiny(b, SEC(1, "\x01\x01\xff")), "invalid descriptor at byte 15: string 0 is not valid UTF-8 text");
	expect_error(b, tiny(b, SEC(1, "\x01\x02\xc0\x80")),
		     "invalid descriptor at byte 15: string 0 is not valid UTF-8 text");
	expect_error(b, tiny(b, SEC(1, "\x02\x01w\x01\x00")),
		     "invalid descriptor at byte 17: string 1 is not valid UTF-8 text");
	/* the world's name is string 1 of 1 */
	expect_error(b, tiny(b, SEC(7, "\x01\x00\x01\x00\x00\x00")),
		     "invalid descriptor at byte 36: string 1 out of range (1 strings)");
	expect_error(b, tiny(b, SEC(2, "\x02")), "invalid descriptor at byte 19: string 1 out of range (1 strings)");
	/* a non-ASCII name is text like any other */
	rdy_desc *d = decode_ok(b, tiny(b, SEC(1, "\x01\x02\xc3\xa9")));
	assert_string_equal(rdy_desc_model(d)->worlds[0].name, "\xc3\xa9");
	rdy_desc_free(d);
}

/* Types start at byte 29, after the types section's id, length and count. */
static void decode_errors_in_types(void **state)
{
	(void)state;
	uint8_t b[256];
	/* type 0: list<type 0> */
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x00\x00\x0f")),
		     "invalid descriptor at byte 33: type reference 0 does not point to an earlier type");
	/* type 0: list<u8>; type 1: own<type 0> */
	expect_error(b, tiny(b, SEC(5, "\x02\x0b\x00\x00\x00\x02\x03\x00\x00\x00\x0f")),
		     "invalid descriptor at byte 34: type 1: handle to a type that is not a resource");
	expect_error(b, tiny(b, SEC(5, "\x01\x0e\x00\x00\x00")), "invalid descriptor at byte 29: unknown type kind 14");
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x00\x00\x00")), "invalid descriptor at byte 33: missing type reference");
	expect_error(b, tiny(b, SEC(5, "\x01\x01\x00\x00\x00\x00")),
		     "invalid descriptor at byte 29: type 0: a record, variant, enum, flags or resource needs a name");
	expect_error(b, tiny(b, SEC(5, "\x01\x08\x01\x00\x00\x00")), "invalid descriptor at byte 33: enum with no cases");
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x00\x00\x0e")),
		     "invalid descriptor at byte 33: error-context, which ABI v1 does not carry");
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x00\x03\x00")), "invalid descriptor at byte 32: bad stability kind 3");
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x00\x01\x00\x00\x02")),
		     "invalid descriptor at byte 33: bad version `w`");
	expect_error(b, tiny(b, SEC(5, "\x01\x0b\x00\x03\x00\x02")),
		     "invalid descriptor: type 0 belongs to interface 1, which does not exist");
	expect_error(b, tiny(b, SEC(5, "\x01\x0c\x00\x00\x00\x05\xff\xff\xff\xff\x07")),
		     "invalid descriptor: type 0: its size exceeds 2^31 bytes");
}

/*
 * Strings "w" and "f"; the world imports function `f` (item at byte 41, the
 * function's kind at 44, its first parameter's type at 47).
 */
static void decode_errors_in_functions(void **state)
{
	(void)state;
	uint8_t b[256];
	sec s[7] = {
		SEC(1, "\x02\x01w\x01" "f"), SEC(2, "\x00"), SEC(3, "\x00"), SEC(4, "\x00"), SEC(5, "\x00"),
		SEC(6, "\x00"),              SEC(7, "\x01\x00\x00\x00\x01\x01\x02\x01\x00\x01\x01\x04\x00\x00\x00"),
	};
	rdy_desc *d = decode_ok(b, build(b, s, 7));
	assert_string_equal(rdy_desc_model(d)->worlds[0].imports[0].func.params[0].name, "f");
	assert_int_equal(rdy_desc_model(d)->worlds[0].imports[0].func.params[0].type, RDY_WIT_U32);
	rdy_desc_free(d);
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x01\x02\x01\x01\x01\x01\x04\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 44: function `f` is async, which ABI v1 does not carry");
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x01\x02\x01\x00\x01\x01\x0e\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 47: error-context, which ABI v1 does not carry");
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x01\x02\x01\x02\x04\x00\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 45: function `f`: not a resource");
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x01\x02\x01\x07\x00\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 44: function `f`: unknown kind 7");
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x03\x02\x01\x00\x00\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 41: unknown item kind 3");
	s[6] = SEC(7, "\x01\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 43: interface 0 out of range (0)");
	s[6] = SEC(7, "\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 36: a descriptor describes one world, not 2");
}

/*
 * One interface under two keys of a side is refused: WIT never makes it, and
 * N such items over F functions would ask the loader for N * F table entries
 * out of N + F bytes.
 */
static void decode_refuses_an_interface_under_two_keys(void **state)
{
	(void)state;
	uint8_t b[256];
	sec s[7] = {
		SEC(1, "\x03\x01p\x01i\x01w"), SEC(2, "\x01"), SEC(3, "\x00"), SEC(4, "\x00"), SEC(5, "\x00"),
		SEC(6, "\x01\x00\x02\x00\x00\x00"),
		SEC(7, "\x01\x00\x02\x00\x02\x00\x01\x00\x00\x00\x03\x00\x00\x00"),
	};
	expect_error(b, build(b, s, 7), "invalid descriptor at byte 52: interface 0 is the item of two keys");
	s[6] = SEC(7, "\x01\x00\x02\x00\x01\x00\x01\x00\x00\x01\x00\x03\x00\x00");
	rdy_desc *d = decode_ok(b, build(b, s, 7)); /* once an import, once an export: as WIT allows */
	rdy_desc_free(d);
}

/*
 * A decoded model may hold what a resolved one never does, and must encode
 * all the same: here a named interface outside any package (found by
 * fuzz_desc; the encoder read the package before the model's first).
 */
static void decoded_oddities_encode(void **state)
{
	(void)state;
	uint8_t b[256];
	sec s[7] = {
		SEC(1, "\x03\x01p\x01i\x01w"), SEC(2, "\x01"), SEC(3, "\x00"), SEC(4, "\x00"), SEC(5, "\x00"),
		SEC(6, "\x01\x00\x02\x00\x00\x00"), SEC(7, "\x01\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00"),
	};
	size_t n = build(b, s, 7), n2;
	rdy_desc *d = decode_ok(b, n);
	assert_int_equal(rdy_desc_model(d)->interfaces[0].package, -1);
	assert_string_equal(rdy_desc_model(d)->interfaces[0].name, "i");
	uint8_t *again = reencode(d, &n2);
	assert_int_equal(n2, n);
	assert_memory_equal(again, b, n);
	free(again);
	rdy_desc_free(d);
}

/* An unknown section at the end is skipped: the descriptor means what it meant. */
static void unknown_sections_are_skipped(void **state)
{
	(void)state;
	rdy_wit *w;
	int world = load_world(SHAPES, "plugin", &w);
	const rdy_wit_model *m = rdy_wit_get_model(w);
	size_t n, nb;
	uint8_t *a = encode_ok(m, world, producer, features, 1, &n);
	uint8_t *grown = realloc(a, n + 5);
	assert_non_null(grown);
	a = grown;
	memcpy(a + n, "\xc8\x03" "abc", 5); /* id 200, 3 bytes */
	for (int i = 0; i < 4; i++)
		a[8 + i] = (uint8_t)((n + 5) >> (8 * i));
	rdy_desc *d = decode_ok(a, n + 5);
	assert_true(hash_eq(world_hash(m, world), world_hash(rdy_desc_model(d), 0)));
	uint8_t *b = reencode(d, &nb);
	assert_int_equal(nb, n);
	assert_memory_equal(a + RDY_DESC_HEADER, b + RDY_DESC_HEADER, n - RDY_DESC_HEADER);
	free(a);
	free(b);
	rdy_desc_free(d);
	rdy_wit_free(w);
}

/* ---- mutation: every byte flipped, every length cut ------------------------------------- */

/*
 * Whether two decoded worlds are the same by §6's definition, compared
 * structurally rather than by hash: what it leaves out (docs, stability,
 * the producer, features, versions past their semver track, the owner of a
 * type that is not a resource, which alias a reference goes through) may
 * differ.  MEMO[a] is b + 1 once type a of A is known to equal type b of B.
 */
typedef struct same {
	const rdy_wit_model *a, *b;
	int32_t *memo;
} same;

static bool same_str(const char *x, const char *y)
{
	return !strcmp(x ? x : "", y ? y : ""); /* the hash writes a missing name as an empty one */
}

static bool same_track(const rdy_wit_package *p, const rdy_wit_package *q)
{
	const rdy_wit_version *v = &p->version, *u = &q->version;
	if (p->has_version != q->has_version)
		return false;
	if (!p->has_version)
		return true;
	if (v->pre || u->pre)
		return !strcmp(v->text, u->text);
	if (v->major != u->major)
		return false;
	if (v->major)
		return true;
	return v->minor == u->minor && (v->minor || v->patch == u->patch);
}

static bool same_package(const same *s, int32_t p, int32_t q)
{
	bool pin = p >= 0 && (uint32_t)p < s->a->npackages, qin = q >= 0 && (uint32_t)q < s->b->npackages;
	if (!pin || !qin)
		return pin == qin;
	const rdy_wit_package *x = &s->a->packages[p], *y = &s->b->packages[q];
	return same_str(x->ns, y->ns) && same_str(x->name, y->name) && same_track(x, y);
}

static bool same_owner(const same *s, const rdy_wit_typedef *x, const rdy_wit_typedef *y)
{
	if (x->owner_kind != y->owner_kind)
		return false;
	if (x->owner_kind == RDY_WIT_OWNER_INTERFACE)
		return same_package(s, s->a->interfaces[x->owner].package, s->b->interfaces[y->owner].package) &&
		       same_str(s->a->interfaces[x->owner].name, s->b->interfaces[y->owner].name);
	if (x->owner_kind == RDY_WIT_OWNER_WORLD)
		return same_package(s, s->a->worlds[x->owner].package, s->b->worlds[y->owner].package) &&
		       same_str(s->a->worlds[x->owner].name, s->b->worlds[y->owner].name);
	return true;
}

static rdy_wit_type unalias(const rdy_wit_model *m, rdy_wit_type t)
{
	while (t >= 0 && m->types[t].kind == RDY_WIT_ALIAS)
		t = m->types[t].a;
	return t;
}

static bool same_type(const same *s, rdy_wit_type x, rdy_wit_type y);

static bool same_cases(const same *s, const rdy_wit_typedef *x, const rdy_wit_typedef *y)
{
	if (x->ncases != y->ncases || (x->kind != RDY_WIT_TUPLE && !same_str(x->name, y->name)))
		return false;
	for (uint32_t i = 0; i < x->ncases; i++)
		if ((x->kind != RDY_WIT_TUPLE && !same_str(x->cases[i].name, y->cases[i].name)) ||
		    !same_type(s, x->cases[i].type, y->cases[i].type))
			return false;
	return true;
}

static bool same_body(const same *s, const rdy_wit_typedef *x, const rdy_wit_typedef *y)
{
	switch (x->kind) {
	case RDY_WIT_RESOURCE:
		return same_owner(s, x, y) && same_str(x->name, y->name);
	case RDY_WIT_HANDLE:
		return x->borrow == y->borrow && same_type(s, x->a, y->a);
	case RDY_WIT_RECORD: case RDY_WIT_VARIANT: case RDY_WIT_ENUM: case RDY_WIT_FLAGS: case RDY_WIT_TUPLE:
		return same_cases(s, x, y);
	default:
		return same_type(s, x->a, y->a) && same_type(s, x->b, y->b) && x->size == y->size;
	}
}

static bool same_type(const same *s, rdy_wit_type x, rdy_wit_type y)
{
	x = unalias(s->a, x);
	y = unalias(s->b, y);
	if (x < 0 || y < 0)
		return x == y; /* primitives and "none" */
	if (s->memo[x] == y + 1)
		return true;
	const rdy_wit_typedef *dx = &s->a->types[x], *dy = &s->b->types[y];
	if (dx->kind != dy->kind || !same_body(s, dx, dy))
		return false;
	s->memo[x] = y + 1;
	return true;
}

static bool same_func(const same *s, const rdy_wit_func *f, const rdy_wit_func *g)
{
	if (!same_str(f->name, g->name) || f->kind != g->kind || f->nparams != g->nparams ||
	    !same_type(s, f->resource >= 0 ? f->resource : RDY_WIT_NONE, g->resource >= 0 ? g->resource : RDY_WIT_NONE) ||
	    !same_type(s, f->result, g->result))
		return false;
	for (uint32_t i = 0; i < f->nparams; i++)
		if (!same_str(f->params[i].name, g->params[i].name) || !same_type(s, f->params[i].type, g->params[i].type))
			return false;
	return true;
}

static bool same_iface(const same *s, int32_t i, int32_t k)
{
	const rdy_wit_interface *x = &s->a->interfaces[i], *y = &s->b->interfaces[k];
	if (!same_package(s, x->package, y->package) || !same_str(x->name, y->name) || x->ntypes != y->ntypes ||
	    x->nfuncs != y->nfuncs)
		return false;
	for (uint32_t t = 0; t < x->ntypes; t++)
		if (!same_str(x->types[t].name, y->types[t].name) || !same_type(s, x->types[t].id, y->types[t].id))
			return false;
	for (uint32_t f = 0; f < x->nfuncs; f++)
		if (!same_func(s, &x->funcs[f], &y->funcs[f]))
			return false;
	return true;
}

static bool same_item(const same *s, const rdy_wit_item *x, const rdy_wit_item *y)
{
	if (x->kind != y->kind || !x->name != !y->name)
		return false;
	if (x->name ? !same_str(x->name, y->name)
		    : !same_package(s, s->a->interfaces[x->key_iface].package, s->b->interfaces[y->key_iface].package) ||
			      !same_str(s->a->interfaces[x->key_iface].name, s->b->interfaces[y->key_iface].name))
		return false;
	if (x->kind == RDY_WIT_ITEM_INTERFACE)
		return same_iface(s, x->id, y->id);
	if (x->kind == RDY_WIT_ITEM_FUNC)
		return same_func(s, &x->func, &y->func);
	return same_type(s, x->id, y->id);
}

static bool same_items(const same *s, const rdy_wit_item *x, uint32_t nx, const rdy_wit_item *y, uint32_t ny)
{
	if (nx != ny)
		return false;
	for (uint32_t i = 0; i < nx; i++)
		if (!same_item(s, &x[i], &y[i]))
			return false;
	return true;
}

static bool same_world(const rdy_wit_model *a, const rdy_wit_model *b)
{
	same s = { a, b, calloc(a->ntypes + 1, sizeof *s.memo) };
	assert_non_null(s.memo);
	const rdy_wit_world *x = &a->worlds[0], *y = &b->worlds[0];
	bool r = same_package(&s, x->package, y->package) && same_str(x->name, y->name) &&
		 same_items(&s, x->imports, x->nimports, y->imports, y->nimports) &&
		 same_items(&s, x->exports, x->nexports, y->exports, y->nexports);
	free(s.memo);
	return r;
}

typedef struct mutation {
	const char *label;
	const rdy_wit_model *orig;         /* the unmutated descriptor, decoded */
	rdy_hash hash;
	size_t prod_start, prod_end;       /* the producer string's bytes */
	unsigned different, rejected, producer, ignored;
} mutation;

/* One corrupted descriptor: refused with a message, or decoded and judged by its hash. */
static void judge(mutation *mu, const uint8_t *buf, size_t len, size_t at, uint8_t flip)
{
	char err[512] = "";
	rdy_desc *d = rdy_desc_decode(buf, len, err, sizeof err);
	if (!d) {
		if (!err[0])
			fail_msg("%s: byte %zu ^ %#x: refused without a message", mu->label, at, flip);
		mu->rejected++;
		return;
	}
	const rdy_wit_model *m = rdy_desc_model(d);
	bool eq = hash_eq(world_hash(m, 0), mu->hash), alike = same_world(mu->orig, m);
	rdy_desc_free(d);
	if (at >= mu->prod_start && at < mu->prod_end) {
		if (!eq)
			fail_msg("%s: byte %zu ^ %#x in the producer changes the hash", mu->label, at, flip);
		mu->producer++;
	} else if (eq != alike) {
		fail_msg("%s: byte %zu ^ %#x: the hash is %s but the worlds are %s", mu->label, at, flip,
			 eq ? "equal" : "different", alike ? "the same" : "different");
	} else if (eq) {
		mu->ignored++;
	} else {
		mu->different++;
	}
}

/* A cut descriptor is refused as it stands, and with its size field made to agree. */
static unsigned truncations(const mutation *mu, const uint8_t *orig, size_t n)
{
	uint8_t *b = malloc(n);
	assert_non_null(b);
	char err[512];
	unsigned cut = 0;
	for (size_t len = 0; len < n; len++) {
		memcpy(b, orig, len);
		rdy_desc *d = rdy_desc_decode(b, len, err, sizeof err);
		for (int i = 0; i < 4 && len >= RDY_DESC_HEADER; i++)
			b[8 + i] = (uint8_t)(len >> (8 * i));
		rdy_desc *e = len >= RDY_DESC_HEADER ? rdy_desc_decode(b, len, err, sizeof err) : NULL;
		if (d || e)
			fail_msg("%s: the first %zu bytes decode", mu->label, len);
		cut++;
	}
	free(b);
	return cut;
}

/* Where S's bytes first occur in B: the producer is unlike any other string. */
static size_t find(const uint8_t *b, size_t n, const char *s)
{
	for (size_t i = 0; i + strlen(s) <= n; i++)
		if (!memcmp(b + i, s, strlen(s)))
			return i;
	fail_msg("`%s` is not in the descriptor", s);
	return n;
}

static void mutate(const char *path, const char *spec)
{
	rdy_wit *w;
	int world = load_world(path, spec, &w);
	size_t n;
	uint8_t *orig = encode_ok(rdy_wit_get_model(w), world, producer, features, 1, &n);
	rdy_desc *d = decode_ok(orig, n);
	mutation mu = { .label = spec, .orig = rdy_desc_model(d), .hash = world_hash(rdy_desc_model(d), 0) };
	mu.prod_start = find(orig, n, producer);
	mu.prod_end = mu.prod_start + strlen(producer);
	uint8_t *b = malloc(n);
	assert_non_null(b);
	memcpy(b, orig, n);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			uint8_t flip = k ? 0x01 : 0xff;
			b[i] ^= flip;
			judge(&mu, b, n, i, flip);
			b[i] ^= flip;
		}
	unsigned cut = truncations(&mu, orig, n);
	printf("mutation: %s: %zu bytes: %u flips decode with a different hash, %u are rejected, %u change only the "
	       "producer, %u only what the hash leaves out; %u truncations rejected\n",
	       spec, n, mu.different, mu.rejected, mu.producer, mu.ignored, cut);
	assert_int_equal(mu.different + mu.rejected + mu.producer + mu.ignored, 2 * n);
	assert_true(mu.different > 0 && mu.rejected > 0 && mu.producer > 0);
	free(b);
	free(orig);
	rdy_desc_free(d);
	rdy_wit_free(w);
}

static void mutation_shapes(void **state)
{
	(void)state;
	mutate(SHAPES, "example:shapes/plugin@1.2.0");
}

static void mutation_wasi(void **state)
{
	(void)state;
	mutate(CORPUS "/wasi-0.2/cli", "wasi:cli/command@0.2.12");
	mutate(CORPUS "/wasi-0.2/http", "wasi:http/proxy@0.2.12");
}

static bool have_corpus(void)
{
	return is_dir(CORPUS "/wasi-0.2") && is_dir(CORPUS "/wit-ui");
}

int main(void)
{
	const struct CMUnitTest always[] = {
		cmocka_unit_test(hashes_leave_out_docs_and_stability),
		cmocka_unit_test(hashes_follow_semver_tracks),
		cmocka_unit_test(hashes_see_names_and_types),
		cmocka_unit_test(hashes_leave_out_producer_and_features),
		cmocka_unit_test(decode_errors_in_the_header),
		cmocka_unit_test(decode_errors_in_the_framing),
		cmocka_unit_test(decode_errors_in_strings),
		cmocka_unit_test(decode_errors_in_types),
		cmocka_unit_test(decode_errors_in_functions),
		cmocka_unit_test(unknown_sections_are_skipped),
		cmocka_unit_test(decoded_oddities_encode),
		cmocka_unit_test(decode_refuses_an_interface_under_two_keys),
		cmocka_unit_test(encoder_refuses_what_v1_does_not_carry),
		cmocka_unit_test(mutation_shapes),
	};
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(round_trip_corpus),
		cmocka_unit_test(golden_hashes),
		cmocka_unit_test(mutation_wasi),
	};
	int failed = cmocka_run_group_tests_name("descriptor", always, NULL, NULL);
	if (failed)
		return failed;
	if (!have_corpus()) {
		printf("no shared corpus at %s: the corpus tests are skipped\n", CORPUS);
		return 77;
	}
	return cmocka_run_group_tests_name("descriptor over the shared corpus", corpus, NULL, NULL);
}
