/*
 * The per-call cost of reload-safety (bench/README.md, "Reload: calls"): the
 * same export called through the generated host bindings on an instance of
 * a module opened as usual (reload disabled: the wrapper calls the table
 * entry straight) and on one of a module opened with
 * rdy_open_config.reloadable (the wrapper goes through rdy_live_enter and
 * rdy_live_leave, docs/abi.md §7.5).
 *
 * usage: bench_live PLUGIN [--reps R] [--ms MS] [--threads T] [--cache DIR]
 *        bench_live PLUGIN --loop VARIANT N [--cache DIR]
 *
 * PLUGIN is bench_live.so (bench/wit/live.wit, live_plugin.c), export
 * inc: func(x: u32) -> u32.  It is opened twice: with rdy_module_open, and
 * with rdy_module_open_with { .reloadable = true, .cache_dir = DIR }, which
 * loads a content-addressed copy of the file in DIR (a temporary directory,
 * removed at the end, unless --cache names one): two loaded objects of the
 * same bytes, so both variants run the same machine code in the plugin.
 * One loop function, loop_inc, makes N calls of exports_bench_live_api_inc
 * on the instance it is given, checking each status and adding up the
 * results; the variants differ only in that instance:
 *
 *   off    an instance of the module opened as usual: inst->live is NULL
 *   live   an instance of the reloadable module: inst->live is set
 *   fence  the same, with this thread's record set as where membarrier(2)
 *          is unavailable (rdy__reader.lim = rdy__reader.in): every call
 *          takes the slow path, whose atomics order the record (informative;
 *          the record is restored after each timing)
 *
 * Timing as bench_call: each of R repetitions (default 401) times every
 * variant once, about MS ms each (default 0.5), in an order rotated from
 * one repetition to the next.  Then, with T threads (default 8; 0: none),
 * each of R/4 + 1 repetitions runs off and live in turn, T threads making N
 * calls each at once into the same instance, each thread timing its own
 * calls with its CPU-time clock.  Output, tab-separated:
 *
 *   calls  N  R                                       calls per timing, repetitions
 *   fence  F                                          rdy__reload_fence as the runtime set it (1: no membarrier)
 *   ns     VARIANT  median  q1  q3  min               nanoseconds per call
 *   ratio  A/B      median  q1  q3  min               A's time over B's in the same repetition
 *   diff   A-B      median  q1  q3  min               A's time less B's in the same repetition, ns per call
 *   threads T  N  R
 *   tns    VARIANT  median  q1  q3  min               per repetition, the median over the threads of
 *                                                     their CPU ns per call
 *   tratio live/off median  q1  q3  min
 *
 * --loop runs VARIANT's loop once, N calls, and nothing else timed, for
 * valgrind --tool=callgrind --toggle-collect=loop_inc (bench/run).
 */
#define _GNU_SOURCE /* nftw */
#include "live_host.h"
#define BENCH_NAME "bench_live"
#include "bench.h"

#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the loop -------------------------------------------------------------------- */

/* Every variant: N calls through the generated wrapper, which tests inst->live. */
BENCH_NOINLINE uint32_t loop_inc(const bench_live_live_t *inst, uint64_t n);
BENCH_NOINLINE uint32_t loop_inc(const bench_live_live_t *inst, uint64_t n)
{
	uint32_t x = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t r;
		if (exports_bench_live_api_inc(inst, (uint32_t)i, &r) != RDY_OK)
			abort();
		x += r;
		BENCH_OPAQUE(x);
	}
	return x;
}

/* ---- setup ----------------------------------------------------------------------- */

enum { OFF, LIVE, FENCE, NVARIANTS };
static const char *const names[NVARIANTS] = { "off", "live", "fence" };

typedef struct bench {
	rdy_world *world;
	rdy_module *plain, *reloadable;
	bench_live_live_t off, live;
	char cache[256];
	bool own_cache;                    /* made here: removed at the end */
	int fence;                         /* rdy__reload_fence as the runtime set it */
} bench;

static void check_error(const char *what, rdy_error *err)
{
	if (err)
		die("%s: %s", what, rdy_error_message(err));
}

static void setup(bench *b, const char *path, const char *cache)
{
	rdy_error *err = NULL;
	if (cache) {
		snprintf(b->cache, sizeof b->cache, "%s", cache);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(b->cache, sizeof b->cache, "%s/rdy-bench-live-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(b->cache))
			die("mkdtemp %s: cannot make it", b->cache);
		b->own_cache = true;
	}
	b->world = bench_live_live_world(&err);
	check_error("world", err);
	bench_live_live_imports_t imports = { 0 };
	if (!(b->plain = rdy_module_open(b->world, path, &err)))
		check_error("rdy_module_open", err);
	if (bench_live_live_instantiate(b->plain, &imports, NULL, &b->off, &err) != RDY_OK)
		check_error("instantiate", err);
	rdy_open_config c = { .reloadable = true, .cache_dir = b->cache };
	if (!(b->reloadable = rdy_module_open_with(b->world, path, &c, &err)))
		check_error("rdy_module_open_with (reloadable)", err);
	if (bench_live_live_instantiate(b->reloadable, &imports, NULL, &b->live, &err) != RDY_OK)
		check_error("instantiate (reloadable)", err);
	if (b->off.live || !b->live.live)
		die("the instances are not as expected: off.live %p, live.live %p", (void *)b->off.live,
		    (void *)b->live.live);
	/* The first call registers the thread, which sets rdy__reload_fence. */
	uint32_t r;
	if (exports_bench_live_api_inc(&b->live, 1, &r) != RDY_OK || r != 2)
		die("a call into the reloadable instance failed");
	b->fence = rdy__reload_fence;
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void teardown(bench *b)
{
	rdy_error *err = NULL;
	if (bench_live_live_free(&b->off, &err) != RDY_OK || bench_live_live_free(&b->live, &err) != RDY_OK)
		check_error("instance free", err);
	if (rdy_module_close(b->plain, &err) != RDY_OK || rdy_module_close(b->reloadable, &err) != RDY_OK)
		check_error("rdy_module_close", err);
	rdy_world_free(b->world);
	if (b->own_cache)
		nftw(b->cache, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static uint32_t run(const bench *b, int v, uint64_t n)
{
	if (v == OFF)
		return loop_inc(&b->off, n);
	if (v == LIVE)
		return loop_inc(&b->live, n);
	rdy_live **lim = rdy__reader.lim;
	rdy__reader.lim = rdy__reader.in;
	uint32_t x = loop_inc(&b->live, n);
	rdy__reader.lim = lim;
	return x;
}

/* The sum of i + 1 for i < n, modulo 2^32: what every loop returns. */
static uint32_t expected(uint64_t n)
{
	return (uint32_t)(n % 2 ? (n + 1) / 2 * n : n / 2 * (n + 1));
}

static void run_checked(const bench *b, int v, uint64_t n)
{
	if (run(b, v, n) != expected(n))
		die("%s: wrong result", names[v]);
}

/* ---- timing ---------------------------------------------------------------------- */

static double clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint32_t sink;

static double time_ns(const bench *b, int v, uint64_t n)
{
	double t0 = clock_ns(CLOCK_MONOTONIC);
	sink = run(b, v, n);
	return (clock_ns(CLOCK_MONOTONIC) - t0) / (double)n;
}

static double median_of(double *x, unsigned r)
{
	qsort(x, r, sizeof *x, cmp_double);
	return r % 2 ? x[r / 2] : (x[r / 2 - 1] + x[r / 2]) / 2;
}

static void stats(const char *kind, const char *name, double *x, unsigned r, int digits)
{
	double med = median_of(x, r);
	printf("%s\t%s\t%.*f\t%.*f\t%.*f\t%.*f\n", kind, name, digits, med, digits, x[r / 4], digits,
	       x[(3 * r) / 4], digits, x[0]);
}

static double *alloc_doubles(size_t n)
{
	double *p = malloc(sizeof(double) * n);
	if (!p)
		die("out of memory");
	return p;
}

static uint64_t calibrate(const bench *b, double ms)
{
	uint64_t n = 100000;
	for (int v = 0; v < NVARIANTS; v++)
		run_checked(b, v, n);
	double slowest = 0;
	for (int v = 0; v < NVARIANTS; v++) {
		double t = 1e9;
		for (int k = 0; k < 5; k++) {
			double x = time_ns(b, v, n);
			t = x < t ? x : t;
		}
		slowest = t > slowest ? t : slowest;
	}
	return (uint64_t)(ms * 1e6 / (slowest > 0.05 ? slowest : 0.05));
}

static void bench_time(const bench *b, unsigned reps, uint64_t n)
{
	printf("calls\t%llu\t%u\n", (unsigned long long)n, reps);
	printf("fence\t%d\n", b->fence);
	double *t = alloc_doubles((size_t)NVARIANTS * reps), *x = alloc_doubles(reps);
	for (unsigned r = 0; r < reps; r++)
		for (int k = 0; k < NVARIANTS; k++) {
			int v = (int)((r + (unsigned)k) % NVARIANTS);
			t[v * reps + r] = time_ns(b, v, n);
		}
	static const struct {
		const char *name;
		int a, b;
	} pairs[] = { { "live/off", LIVE, OFF }, { "fence/off", FENCE, OFF } };
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		for (unsigned r = 0; r < reps; r++)
			x[r] = t[pairs[i].a * reps + r] / t[pairs[i].b * reps + r];
		stats("ratio", pairs[i].name, x, reps, 4);
		char d[32];
		snprintf(d, sizeof d, "%s-%s", names[pairs[i].a], names[pairs[i].b]);
		for (unsigned r = 0; r < reps; r++)
			x[r] = t[pairs[i].a * reps + r] - t[pairs[i].b * reps + r];
		stats("diff", d, x, reps, 3);
	}
	for (int v = 0; v < NVARIANTS; v++)
		stats("ns", names[v], &t[v * reps], reps, 3);
	free(x);
	free(t);
}

/* ---- threads ----------------------------------------------------------------------- */

typedef struct crew {
	const bench *b;
	pthread_barrier_t start, end;
	int variant;                       /* set before start; -1: leave */
	uint64_t n;
	double *ns;                        /* per thread: CPU ns per call of the last round */
} crew;

typedef struct worker {
	crew *c;
	unsigned id;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	crew *c = w->c;
	for (;;) {
		pthread_barrier_wait(&c->start);
		int v = c->variant;
		if (v < 0)
			break;
		double t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		uint32_t x = run(c->b, v, c->n);
		c->ns[w->id] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)c->n;
		if (x != expected(c->n))
			die("%s: wrong result in a thread", names[v]);
		pthread_barrier_wait(&c->end);
	}
	return NULL;
}

static void bench_threads(const bench *b, unsigned nthreads, unsigned reps, uint64_t n)
{
	crew c = { .b = b, .n = n };
	c.ns = alloc_doubles(nthreads);
	if (pthread_barrier_init(&c.start, NULL, nthreads + 1) || pthread_barrier_init(&c.end, NULL, nthreads + 1))
		die("pthread_barrier_init failed");
	pthread_t *t = malloc(nthreads * sizeof *t);
	worker *w = malloc(nthreads * sizeof *w);
	if (!t || !w)
		die("out of memory");
	for (unsigned i = 0; i < nthreads; i++) {
		w[i] = (worker){ &c, i };
		if (pthread_create(&t[i], NULL, work, &w[i]))
			die("pthread_create failed");
	}
	printf("threads\t%u\t%llu\t%u\n", nthreads, (unsigned long long)n, reps);
	/* OFF and LIVE only; one warm-up round each (the first call of a thread registers it). */
	double *tns = alloc_doubles(2 * reps), *x = alloc_doubles(reps);
	for (unsigned r = 0; r < reps + 1; r++) {
		for (int k = 0; k < 2; k++) {
			int v = (int)((r + (unsigned)k) % 2);
			c.variant = v;
			pthread_barrier_wait(&c.start);
			pthread_barrier_wait(&c.end);
			if (r > 0)
				tns[v * reps + r - 1] = median_of(c.ns, nthreads);
		}
	}
	c.variant = -1;
	pthread_barrier_wait(&c.start);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	for (unsigned r = 0; r < reps; r++)
		x[r] = tns[LIVE * reps + r] / tns[OFF * reps + r];
	stats("tratio", "live/off", x, reps, 4);
	for (int v = 0; v < 2; v++)
		stats("tns", names[v], &tns[v * reps], reps, 3);
	free(x);
	free(tns);
	free(w);
	free(t);
	free(c.ns);
	pthread_barrier_destroy(&c.start);
	pthread_barrier_destroy(&c.end);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: bench_live PLUGIN [--reps R] [--ms MS] [--threads T] [--cache DIR] | PLUGIN --loop VARIANT N");
	unsigned reps = 401, nthreads = 8;
	double ms = 0.5;
	int loop = -1;
	uint64_t loop_n = 0;
	const char *cache = NULL;
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
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			long v = strtol(argv[++i], NULL, 10);
			if (v < 0 || v > 256)
				die("--threads: between 0 and 256");
			nthreads = (unsigned)v;
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache = argv[++i];
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

	static bench b;
	setup(&b, argv[1], cache);
	if (loop >= 0) {
		run_checked(&b, loop, loop_n);
	} else {
		uint64_t n = calibrate(&b, ms);
		bench_time(&b, reps, n);
		if (nthreads)
			bench_threads(&b, nthreads, reps / 4 + 1, n);
	}
	teardown(&b);
	return 0;
}
