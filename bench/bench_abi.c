/*
 * Descriptor benchmarks (docs/abi.md §5, §6).
 *
 *   size: descriptor bytes per type and per function over every world of
 *         the WASI 0.2 packages (goal: at most 60 bytes per type);
 *   load: decode + hash of a generated world of 10,000 functions, as a
 *         loader does before binding a plugin (goal: under 1 ms).
 *
 * usage: bench_abi SHARED_DIR [RUNS]
 * SHARED_DIR holds corpus/wasi-0.2; without it the size figures are left
 * out.  Each load run decodes, builds the hash table and hashes the world;
 * the median and best of RUNS (default 200) runs are printed, with the
 * decode alone for comparison.
 */
#include "abi/desc.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { IFACES = 50, FUNCS = 200 };

static const char producer[] = "rdylib bench";

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench_abi: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint8_t *encode(const rdy_wit_model *m, int world, size_t *len)
{
	uint8_t *out;
	char err[512];
	if (rdy_desc_encode(m, world, RDY_SIDE_PLUGIN, producer, NULL, 0, &out, len, err, sizeof err))
		die("encode: %s", err);
	return out;
}

static rdy_desc *decode(const uint8_t *buf, size_t len)
{
	char err[512];
	rdy_desc *d = rdy_desc_decode(buf, len, err, sizeof err);
	if (!d)
		die("decode: %s", err);
	return d;
}

/* ---- size: every world of the WASI 0.2 packages --------------------------------- */

typedef struct sizes {
	unsigned worlds;
	size_t bytes, types, funcs;
} sizes;

/* Counts what the descriptor holds, read back from it. */
static void measure_world(const rdy_wit_model *m, int world, sizes *s)
{
	size_t len;
	uint8_t *b = encode(m, world, &len);
	rdy_desc *d = decode(b, len);
	const rdy_wit_model *dm = rdy_desc_model(d);
	const rdy_wit_world *w = &dm->worlds[rdy_desc_world(d)];
	s->worlds++;
	s->bytes += len;
	s->types += dm->ntypes;
	for (uint32_t i = 0; i < dm->ninterfaces; i++)
		s->funcs += dm->interfaces[i].nfuncs;
	for (uint32_t i = 0; i < w->nimports + w->nexports; i++)
		s->funcs += (i < w->nimports ? &w->imports[i] : &w->exports[i - w->nimports])->kind == RDY_WIT_ITEM_FUNC;
	rdy_desc_free(d);
	free(b);
}

/* The worlds of the package at PATH itself; those of its deps/ are counted with their own package. */
static void measure_package(const char *path, sizes *s)
{
	rdy_wit *w = rdy_wit_new();
	int pkg = w ? rdy_wit_load_path(w, path) : -1;
	if (pkg < 0)
		die("%s: %s", path, w ? rdy_wit_errmsg(w) : "out of memory");
	const rdy_wit_model *m = rdy_wit_get_model(w);
	for (uint32_t i = 0; i < m->packages[pkg].nworlds; i++)
		measure_world(m, m->packages[pkg].worlds[i].id, s);
	rdy_wit_free(w);
}

static void bench_size(const char *shared)
{
	char dir[1024], path[2048];
	snprintf(dir, sizeof dir, "%s/corpus/wasi-0.2", shared);
	struct dirent **e;
	int n = scandir(dir, &e, NULL, alphasort);
	if (n < 0) {
		printf("size: skipped, no %s\n", dir);
		return;
	}
	sizes s = { 0 };
	unsigned packages = 0;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, e[i]->d_name);
		DIR *sub = e[i]->d_name[0] != '.' ? opendir(path) : NULL;
		if (sub) {
			closedir(sub);
			measure_package(path, &s);
			packages++;
		}
		free(e[i]);
	}
	free(e);
	printf("size: WASI 0.2: %u packages, %u worlds, %zu descriptor bytes, %zu types, %zu functions\n", packages,
	       s.worlds, s.bytes, s.types, s.funcs);
	printf("size: %.1f bytes per type, %.1f bytes per function (goal: at most 60 per type)\n",
	       (double)s.bytes / (double)s.types, (double)s.bytes / (double)s.funcs);
}

/* ---- load: a generated world of 10,000 functions --------------------------------- */

typedef struct text {
	char *p;
	size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			die("vsnprintf failed");
		if ((size_t)k < t->cap - t->n) {
			t->n += (size_t)k;
			return;
		}
		t->cap = t->cap * 2 + (size_t)k + 1;
		if (!(t->p = realloc(t->p, t->cap)))
			die("out of memory");
	}
}

/* One of five signatures over the interface's records, variants, enums, flags and resource. */
static void func(text *t, unsigned i, unsigned k)
{
	switch (k % 5) {
	case 0:
		add(t, "  op%u: func(a%u: point, b: shape, c: list<point>) -> result<point, error>;\n", k, k);
		break;
	case 1:
		add(t, "  op%u: func(h: borrow<canvas>, s: list<string>, c: color) -> option<shape>;\n", k);
		break;
	case 2:
		add(t, "  op%u: func(p%u: tuple<u32, string, style>, n: u64) -> list<shape>;\n", k, k);
		break;
	case 3:
		add(t, "  op%u: func(r%u: list<tuple<string, point>>) -> own<canvas>;\n", k, k);
		break;
	default:
		add(t, "  op%u: func(x: s32, y: f64, z: list<list<u8>>) -> result<_, error>; // i%u\n", k, i);
	}
}

static void iface(text *t, unsigned i)
{
	add(t, "interface i%u {\n", i);
	add(t, "  record point { x: s32, y: s32, label%u: string }\n", i);
	add(t, "  variant shape { circle(f64), rect(point), poly(list<point>), empty }\n");
	add(t, "  variant error { too-small(u32), full, other(string) }\n");
	add(t, "  enum color { red, green, blue, c%u }\n", i);
	add(t, "  flags style { filled, dashed, shadow }\n");
	add(t, "  resource canvas { constructor(size: u32); add: func(s: shape) -> result<u32, error>; }\n");
	for (unsigned k = 0; k < FUNCS; k++)
		func(t, i, k);
	add(t, "}\n");
}

static char *big_world(size_t *len)
{
	text t = { 0 };
	add(&t, "package bench:big@1.0.0;\n");
	for (unsigned i = 0; i < IFACES; i++)
		iface(&t, i);
	add(&t, "world big {\n");
	for (unsigned i = 0; i < IFACES; i++)
		add(&t, "  %s i%u;\n", i < IFACES / 2 ? "import" : "export", i);
	add(&t, "}\n");
	*len = t.n;
	return t.p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One load: decode, then (when HASH) the hash table and the world's hash. */
static double load_once(const uint8_t *b, size_t len, bool hash)
{
	double t0 = now_ms();
	rdy_desc *d = decode(b, len);
	if (hash) {
		rdy_hashes *h = rdy_hashes_new(rdy_desc_model(d));
		if (!h)
			die("out of memory");
		rdy_hash w = rdy_hash_world(h, rdy_desc_world(d));
		if (w.lo == UINT64_MAX && w.hi == UINT64_MAX)
			die("hashing failed");
		rdy_hashes_free(h);
	}
	rdy_desc_free(d);
	return now_ms() - t0;
}

static void report(const char *what, const uint8_t *b, size_t len, bool hash, unsigned runs)
{
	double *t = malloc(runs * sizeof *t);
	if (!t)
		die("out of memory");
	load_once(b, len, hash); /* warm the allocator and caches */
	for (unsigned i = 0; i < runs; i++)
		t[i] = load_once(b, len, hash);
	qsort(t, runs, sizeof *t, cmp_double);
	printf("load: %s: median %.3f ms, best %.3f ms over %u runs\n", what, t[runs / 2], t[0], runs);
	free(t);
}

static void bench_load(unsigned runs)
{
	size_t n, len;
	char *src = big_world(&n);
	rdy_wit *w = rdy_wit_new();
	if (!w || rdy_wit_load_string(w, "big.wit", src, n) < 0)
		die("generated world: %s", w ? rdy_wit_errmsg(w) : "out of memory");
	const rdy_wit_model *m = rdy_wit_get_model(w);
	int world = rdy_wit_select_world(w, 0, "big");
	double t0 = now_ms();
	uint8_t *b = encode(m, world, &len);
	double enc = now_ms() - t0;
	rdy_desc *d = decode(b, len);
	const rdy_wit_model *dm = rdy_desc_model(d);
	size_t funcs = 0;
	for (uint32_t i = 0; i < dm->ninterfaces; i++)
		funcs += dm->interfaces[i].nfuncs;
	printf("load: generated world: %zu bytes of WIT, %u interfaces, %zu functions, %u types; descriptor %zu "
	       "bytes (%.1f per function), encoded in %.3f ms\n",
	       n, dm->ninterfaces, funcs, dm->ntypes, len, (double)len / (double)funcs, enc);
	rdy_desc_free(d);
	report("decode + hash (goal: under 1 ms)", b, len, true, runs);
	report("decode alone", b, len, false, runs);
	free(b);
	rdy_wit_free(w);
	free(src);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		die("usage: bench_abi SHARED_DIR [RUNS]");
	long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
	if (runs < 1 || runs > 1000000)
		die("RUNS must be between 1 and 1000000");
	bench_size(argv[1]);
	bench_load((unsigned)runs);
	return 0;
}
