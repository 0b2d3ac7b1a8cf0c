/*
 * Call benchmarks (bench/README.md): the cost of calling a plugin's export
 * through rdylib, beside a plain dlsym function pointer and a direct call,
 * and the cost of passing a string of 1 B beside one of 1 MiB.
 *
 * usage: bench_call PLUGIN [--reps R] [--ms MS]
 *        bench_call PLUGIN --loop VARIANT N
 *
 * PLUGIN is bench_calls.so, built from bench/wit/calls.wit and
 * calls_plugin.c.  It is opened with rdy_module_open and instantiated
 * through the generated host bindings, and opened a second time with
 * dlopen, which returns the same object, to look up the user's function
 * exports_bench_calls_api_inc.  The variants, each a loop of its own
 * (loop_<variant>), of N calls, each call's status checked and its result
 * added up (the calls are independent: the processor may overlap them):
 *
 *   direct   a function of this program with the same signature, not inlined
 *   dlsym    exports_bench_calls_api_inc through the pointer dlsym gave (its exported alias)
 *   rdylib   exports_bench_calls_api_inc(&inst, ...), the generated wrapper:
 *            the instance's typed table entry, called with the instance's
 *            state; the entry is the user's function itself
 *   len1     rdylib call of len(s) with a 1-byte string
 *   len1m    the same with a 1 MiB string
 *   ptr      the method cell.add through a dlsym pointer, called with the
 *            object's pointer: a plain function-pointer call with a
 *            pointer argument
 *   method   cell.add through the generated wrapper, with a borrowed
 *            handle: the handle checked and lent, the call, the lend ended
 *   newfree  the constructor and the destructor through dlsym pointers: an
 *            object made and freed, with no handle
 *   newdrop  the constructor and the drop through the generated wrappers:
 *            the same, with a handle made and dropped
 *
 * Timing: each of R repetitions (default 401) runs every variant once, in
 * an order rotated from one repetition to the next, each for about MS
 * milliseconds (default 0.5; N is calibrated once): short timings, many of
 * them, so that a preempted one is an outlier the median ignores.  Output,
 * tab-separated:
 *
 *   calls N  R                                        calls per timing, repetitions
 *   ns    VARIANT  median  quartile1  quartile3  min   nanoseconds per call over the repetitions
 *   ratio A/B      median  quartile1  quartile3  min   A's time over B's in the same repetition
 *
 * --loop runs one variant's loop N times and nothing else timed, for
 * valgrind --tool=callgrind --toggle-collect=loop_VARIANT (bench/run);
 * len1 and len1m run loop_len.
 */
#define _GNU_SOURCE /* dladdr */
#include "calls_host.h"
#define BENCH_NAME "bench_call"
#include "bench.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int32_t (*inc_fn)(void *state, uint32_t x, uint32_t *ret);
typedef int32_t (*add_fn)(void *state, void *self, uint32_t x, uint32_t *ret);
typedef int32_t (*new_fn)(void *state, uint32_t value, void **ret);
typedef void (*free_fn)(void *state, void *rep);

enum { SMALL = 1, BIG = 1 << 20 };

/* ---- the variants' loops --------------------------------------------------------- */

/* The direct call's callee: what exports_bench_calls_api_inc does, in this program. */
BENCH_NOINLINE int32_t direct_inc(void *state, uint32_t x, uint32_t *ret);
BENCH_NOINLINE int32_t direct_inc(void *state, uint32_t x, uint32_t *ret)
{
	(void)state;
	*ret = x + 1;
	return RDY_OK;
}

BENCH_NOINLINE uint32_t loop_direct(void *state, uint64_t n);
BENCH_NOINLINE uint32_t loop_direct(void *state, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (direct_inc(state, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

BENCH_NOINLINE uint32_t loop_dlsym(inc_fn f, void *state, uint64_t n);
BENCH_NOINLINE uint32_t loop_dlsym(inc_fn f, void *state, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (f(state, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

BENCH_NOINLINE uint32_t loop_rdylib(const bench_calls_calls_t *inst, uint64_t n);
BENCH_NOINLINE uint32_t loop_rdylib(const bench_calls_calls_t *inst, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (exports_bench_calls_api_inc(inst, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

/* len1 and len1m: the same loop, over the string S. */
BENCH_NOINLINE uint32_t loop_len(const bench_calls_calls_t *inst, const rdy_string_t *s, uint64_t n);
BENCH_NOINLINE uint32_t loop_len(const bench_calls_calls_t *inst, const rdy_string_t *s, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (exports_bench_calls_api_len(inst, s, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

BENCH_NOINLINE uint32_t loop_ptr(add_fn f, void *state, void *self, uint64_t n);
BENCH_NOINLINE uint32_t loop_ptr(add_fn f, void *state, void *self, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (f(state, self, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

BENCH_NOINLINE uint32_t loop_method(const bench_calls_calls_t *inst, bench_calls_api_cell_own_t c, uint64_t n);
BENCH_NOINLINE uint32_t loop_method(const bench_calls_calls_t *inst, bench_calls_api_cell_own_t c, uint64_t n)
{
	uint32_t x = 0;
	bench_calls_api_cell_borrow_t b = bench_calls_api_cell_borrow(c);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (exports_bench_calls_api_method_cell_add(inst, b, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

/* newfree and newdrop return N, the objects made and freed. */
BENCH_NOINLINE uint32_t loop_newfree(new_fn mk, free_fn fr, void *state, uint64_t n);
BENCH_NOINLINE uint32_t loop_newfree(new_fn mk, free_fn fr, void *state, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		void *rep;
		if (mk(state, (uint32_t)i, &rep) != RDY_OK)
			abort();
		fr(state, rep);
		x++;
		BENCH_OPAQUE(x);
	}
	return x;
}

BENCH_NOINLINE uint32_t loop_newdrop(const bench_calls_calls_t *inst, uint64_t n);
BENCH_NOINLINE uint32_t loop_newdrop(const bench_calls_calls_t *inst, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		bench_calls_api_cell_own_t c;
		if (exports_bench_calls_api_constructor_cell(inst, (uint32_t)i, &c) != RDY_OK ||
		    bench_calls_api_cell_drop(inst, c) != RDY_OK)
			abort();
		x++;
		BENCH_OPAQUE(x);
	}
	return x;
}

/* ---- setup ----------------------------------------------------------------------- */

typedef struct bench {
	rdy_world *world;
	rdy_module *module;
	bench_calls_calls_t inst;
	void *dl;
	inc_fn f;
	add_fn add;
	new_fn mk;
	free_fn fr;
	bench_calls_api_cell_own_t cell;   /* value 1, so that add returns what inc does */
	void *cell_rep;
	rdy_string_t small, big;
} bench;

enum { DIRECT, DLSYM, RDYLIB, LEN1, LEN1M, PTR, METHOD, NEWFREE, NEWDROP, NVARIANTS };
static const char *const names[NVARIANTS] = { "direct", "dlsym", "rdylib", "len1", "len1m",
					      "ptr", "method", "newfree", "newdrop" };

static uint32_t run(const bench *b, int v, uint64_t n)
{
	switch (v) {
	case DIRECT:
		return loop_direct(b->inst.state, n);
	case DLSYM:
		return loop_dlsym(b->f, b->inst.state, n);
	case RDYLIB:
		return loop_rdylib(&b->inst, n);
	case LEN1:
		return loop_len(&b->inst, &b->small, n);
	case LEN1M:
		return loop_len(&b->inst, &b->big, n);
	case PTR:
		return loop_ptr(b->add, b->inst.state, b->cell_rep, n);
	case METHOD:
		return loop_method(&b->inst, b->cell, n);
	case NEWFREE:
		return loop_newfree(b->mk, b->fr, b->inst.state, n);
	default:
		return loop_newdrop(&b->inst, n);
	}
}

static void check_error(const char *what, rdy_error *err)
{
	if (err)
		die("%s: %s", what, rdy_error_message(err));
}

static rdy_module *instantiate(rdy_world *w, const char *path, bench_calls_calls_t *inst)
{
	rdy_error *err = NULL;
	rdy_module *m = rdy_module_open(w, path, &err);
	check_error("rdy_module_open", err);
	bench_calls_calls_imports_t imports = { 0 };
	if (bench_calls_calls_instantiate(m, &imports, NULL, inst, &err) != RDY_OK)
		check_error("instantiate", err);
	return m;
}

static void setup(bench *b, const char *path)
{
	rdy_error *err = NULL;
	memset(b, 0, sizeof *b);
	b->world = bench_calls_calls_world(&err);
	check_error("world", err);
	b->module = instantiate(b->world, path, &b->inst);

	/* The object rdy_module_open loaded: dlopen finds it by its path and returns it again. */
	if (!(b->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
		die("dlopen: %s", dlerror());
	void *sym = dlsym(b->dl, "bench_inc_exported");
	if (!sym)
		die("dlsym: bench_inc_exported: %s", dlerror());
	memcpy(&b->f, &sym, sizeof b->f);
	Dl_info a, t;
	void *entry;
	memcpy(&entry, &b->inst.exports.exports_bench_calls_api_inc, sizeof entry);
	if (!dladdr(sym, &a) || !dladdr(entry, &t) || a.dli_fbase != t.dli_fbase)
		die("the dlsym pointer and the rdylib table are not in the same loaded object");
	static const char *const aliases[] = { "bench_add_exported", "bench_new_exported", "bench_free_exported" };
	void *syms[3];
	for (int i = 0; i < 3; i++)
		if (!(syms[i] = dlsym(b->dl, aliases[i])))
			die("dlsym: %s: %s", aliases[i], dlerror());
	memcpy(&b->add, &syms[0], sizeof b->add);
	memcpy(&b->mk, &syms[1], sizeof b->mk);
	memcpy(&b->fr, &syms[2], sizeof b->fr);
	if (exports_bench_calls_api_constructor_cell(&b->inst, 1, &b->cell) != RDY_OK ||
	    rdy_handle_rep(b->inst.instance, 0 /* cell: the world's only resource */, b->cell.handle, &b->cell_rep) !=
		    RDY_OK)
		die("cell: %s", rdy_handle_error());

	char *s = malloc(SMALL), *l = malloc(BIG);
	if (!s || !l)
		die("out of memory");
	memset(s, 'a', SMALL);
	memset(l, 'a', BIG);
	b->small = (rdy_string_t){ s, SMALL };
	b->big = (rdy_string_t){ l, BIG };
}

/* What loop V returns after N calls. */
static uint32_t expected(int v, uint64_t n)
{
	if (v <= RDYLIB || v == PTR || v == METHOD) /* the sum of i + 1 for i < n, modulo 2^32 */
		return (uint32_t)(n % 2 ? (n + 1) / 2 * n : n / 2 * (n + 1));
	if (v == NEWFREE || v == NEWDROP)
		return (uint32_t)n;
	return (uint32_t)(n * (uint64_t)(v == LEN1 ? SMALL + 'a' : BIG + 'a'));
}

/* Runs variant V N times, checking its result. */
static void run_checked(const bench *b, int v, uint64_t n)
{
	if (run(b, v, n) != expected(v, n))
		die("%s: wrong result", names[v]);
}

static void teardown(bench *b)
{
	free((void *)(uintptr_t)b->small.ptr);
	free((void *)(uintptr_t)b->big.ptr);
	dlclose(b->dl);
	if (bench_calls_api_cell_drop(&b->inst, b->cell) != RDY_OK)
		die("cell: %s", rdy_handle_error());
	if (bench_calls_calls_free(&b->inst, NULL) != RDY_OK)
		die("the instance still has handles");
	rdy_module_close(b->module, NULL);
	rdy_world_free(b->world);
}

/* ---- timing ---------------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint32_t sink;

static double time_ns(const bench *b, int v, uint64_t n)
{
	double t0 = now_ns();
	sink = run(b, v, n);
	return (now_ns() - t0) / (double)n;
}

/* "median first-quartile third-quartile min" of the R values at X (sorted in place). */
static void stats(const char *kind, const char *name, double *x, unsigned r, int digits)
{
	qsort(x, r, sizeof *x, cmp_double);
	double med = r % 2 ? x[r / 2] : (x[r / 2 - 1] + x[r / 2]) / 2;
	printf("%s\t%s\t%.*f\t%.*f\t%.*f\t%.*f\n", kind, name, digits, med, digits, x[r / 4], digits,
	       x[(3 * r) / 4], digits, x[0]);
}

static void bench_time(const bench *b, unsigned reps, double ms)
{
	/* N: about MS milliseconds of the slowest inc variant, measured after a warm-up. */
	uint64_t n = 100000;
	int nv = 0, vs[NVARIANTS];
	for (int v = 0; v < NVARIANTS; v++)
		vs[nv++] = v;
	for (int i = 0; i < nv; i++)
		run_checked(b, vs[i], n);
	double slowest = 0;
	for (int i = 0; i < nv; i++) {
		double t = 1e9;
		for (int k = 0; k < 5; k++) {
			double x = time_ns(b, vs[i], n);
			t = x < t ? x : t;
		}
		slowest = t > slowest ? t : slowest;
	}
	n = (uint64_t)(ms * 1e6 / (slowest > 0.05 ? slowest : 0.05));
	printf("calls\t%llu\t%u\n", (unsigned long long)n, reps);

	double *t = malloc(sizeof(double) * NVARIANTS * reps);
	if (!t)
		die("out of memory");
	for (unsigned r = 0; r < reps; r++)
		for (int k = 0; k < nv; k++) {
			int v = vs[(r + (unsigned)k) % (unsigned)nv];
			t[v * reps + r] = time_ns(b, v, n);
		}

	static const struct {
		const char *name;
		int a, b;
	} ratios[] = { { "rdylib/dlsym", RDYLIB, DLSYM },
		       { "dlsym/direct", DLSYM, DIRECT },
		       { "rdylib/direct", RDYLIB, DIRECT },
		       { "len1m/len1", LEN1M, LEN1 },
		       { "method/ptr", METHOD, PTR },
		       { "newdrop/newfree", NEWDROP, NEWFREE } };
	double *x = malloc(sizeof(double) * reps);
	if (!x)
		die("out of memory");
	for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
		for (unsigned r = 0; r < reps; r++)
			x[r] = t[ratios[i].a * reps + r] / t[ratios[i].b * reps + r];
		stats("ratio", ratios[i].name, x, reps, 4);
	}
	for (int i = 0; i < nv; i++)
		stats("ns", names[vs[i]], &t[vs[i] * reps], reps, 3);
	free(x);
	free(t);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: bench_call PLUGIN [--reps R] [--ms MS] | PLUGIN --loop VARIANT N");
	unsigned reps = 401;
	double ms = 0.5;
	int loop = -1;
	uint64_t loop_n = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			long v = strtol(argv[++i], NULL, 10);
			if (v < 1 || v > 10000)
				die("--reps: between 1 and 10000");
			reps = (unsigned)v;
		} else if (!strcmp(argv[i], "--ms") && i + 1 < argc) {
			ms = strtod(argv[++i], NULL);
			if (!(ms > 0 && ms < 1e5))
				die("--ms: a positive number of milliseconds");
		} else if (!strcmp(argv[i], "--loop") && i + 2 < argc) {
			for (int v = 0; v < NVARIANTS; v++)
				if (!strcmp(argv[i + 1], names[v]))
					loop = v;
			if (loop < 0)
				die("--loop: no variant `%s`", argv[i + 1]);
			loop_n = strtoull(argv[i + 2], NULL, 10);
			i += 2;
		} else {
			die("unknown argument `%s`", argv[i]);
		}
	}

	static bench b; /* not on the stack: keeps the table clear of the loops' frames */
	setup(&b, argv[1]);
	if (loop >= 0)
		run_checked(&b, loop, loop_n);
	else
		bench_time(&b, reps, ms);
	teardown(&b);
	return 0;
}
