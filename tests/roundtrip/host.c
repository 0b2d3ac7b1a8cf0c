/*
 * The round-trip test's host.
 *
 *   roundtrip_host [--count N] [--seed S] PLUGIN...
 *
 * Opens each PLUGIN for world test:roundtrip/rt and, for every case of
 * gen_roundtrip.py, sends N random values (1000 by default) through the
 * plugin's echo, xform and relay, checking each result against its own
 * expectation and each argument the plugin passes to the host's imports
 * during a relay.  Every result is released, every value of the host's own
 * freed.  Prints one line per case; exits 1 on the first plugin that fails
 * to load and after all cases when any value or status was wrong, naming
 * the case, the value's index and the function.
 */
#include "rt_host.h"
#include "rt_ops.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rt_host {
	test_roundtrip_rt_t inst;
	const char *plugin;
	unsigned long count;
	uint64_t seed;
	/* during a relay: the case and the arguments the host's import must see */
	int expect_case;
	const void *expect[16];
	unsigned import_calls, import_bad;
	uint64_t ticked;                   /* what the plugin reported through host.tick */
	unsigned ticks;
	unsigned long failures, checked;
	unsigned shown;                    /* failures shown for the current type */
	int quiet;
};

struct rt_case {
	const char *name;
	void (*run)(struct rt_host *h);
};

/* Failures shown per type; the summary line counts the rest. */
#define RT_SHOW_MAX 5

static void rt_fail(struct rt_host *h, const char *what, unsigned long i, const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void rt_fail(struct rt_host *h, const char *what, unsigned long i, const char *fn, const char *fmt, ...)
{
	h->failures++;
	if (h->shown++ >= RT_SHOW_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "roundtrip: FAIL %s: type %s, value #%lu (seed %" PRIu64 "), %s: ", h->plugin, what, i, h->seed,
		fn);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Checks one call; true when it returned RDY_OK, the right value and made the right import calls. */
static bool rt_check(struct rt_host *h, const char *what, unsigned long i, const char *fn, int32_t st, bool same,
		     unsigned import_calls, unsigned import_bad)
{
	h->checked++;
	if (st != RDY_OK) {
		rt_fail(h, what, i, fn, "status %d (%s)%s", (int)st, rdy_strerror(st),
			import_bad ? ": the host's import saw a wrong argument" : "");
		return false;
	}
	if (import_calls != 1 || import_bad) {
		rt_fail(h, what, i, fn, "%u calls of the host's import, %u with a wrong argument (expected 1, 0)",
			import_calls, import_bad);
		return false;
	}
	if (!same) {
		rt_fail(h, what, i, fn, "the result differs from the expected value");
		return false;
	}
	return true;
}

static void rt_summary(struct rt_host *h, const char *what, const unsigned long ok[3])
{
	bool bad = ok[0] != h->count || ok[1] != h->count || ok[2] != h->count;
	if (bad || !h->quiet)
		fprintf(bad ? stderr : stdout, "roundtrip: %s%-16s %lu values: echo %lu ok, xform %lu ok, relay %lu ok\n",
			bad ? "FAIL " : "", what, h->count, ok[0], ok[1], ok[2]);
	h->shown = 0;
}

static int32_t rt_import_tick(void *ctx, uint64_t calls)
{
	struct rt_host *h = ctx;
	h->ticked = calls;
	h->ticks++;
	return RDY_OK;
}

#include "rt_host_cases.h"

static int usage(void)
{
	fputs("usage: roundtrip_host [--count N] [--seed S] [--quiet] PLUGIN...\n", stderr);
	return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

/* Runs every case against the plugin at PATH; false when it could not be loaded. */
static bool run_plugin(struct rt_host *h, rdy_world *w, const char *path)
{
	rdy_error *err = NULL;
	h->plugin = path;
	rdy_module *m = rdy_module_open(w, path, &err);
	if (!m) {
		fprintf(stderr, "roundtrip: %s: %s\n", path, err ? rdy_error_message(err) : "cannot open");
		rdy_error_free(err);
		return false;
	}
	test_roundtrip_rt_imports_t imports;
	rt_set_imports(&imports);
	int st = test_roundtrip_rt_instantiate(m, &imports, h, &h->inst, &err);
	if (st != RDY_OK) {
		fprintf(stderr, "roundtrip: %s: instantiate: %s\n", path, err ? rdy_error_message(err) : rdy_strerror(st));
		rdy_error_free(err);
		rdy_module_close(m, NULL);
		return false;
	}
	printf("roundtrip: %s (%s), %lu values per type, seed %" PRIu64 "\n", path, rdy_module_producer(m), h->count,
	       h->seed);
	clock_t t0 = clock();
	unsigned long before = h->failures;
	for (size_t c = 0; c < RT_NCASES; c++)
		rt_cases[c].run(h);

	/* The instance kept its state across every call: 3 per value and case. */
	uint64_t calls = 0, want = (uint64_t)h->count * 3 * RT_NCASES;
	st = exports_test_roundtrip_api_calls(&h->inst, &calls);
	if (st != RDY_OK || calls != want)
		rt_fail(h, "-", 0, "calls", "status %d, %" PRIu64 " calls counted, expected %" PRIu64, st, calls, want);
	st = exports_test_roundtrip_api_reset(&h->inst);
	if (st != RDY_OK || h->ticks != 1 || h->ticked != want)
		rt_fail(h, "-", 0, "reset", "status %d, %u ticks of %" PRIu64 ", expected 1 of %" PRIu64, st, h->ticks,
			h->ticked, want);

	test_roundtrip_rt_free(&h->inst, NULL);
	if (rdy_module_close(m, &err) != RDY_OK) {
		rt_fail(h, "-", 0, "close", "%s", err ? rdy_error_message(err) : "failed");
		rdy_error_free(err);
	}
	printf("roundtrip: %s: %zu types, %lu calls checked, %lu failures, %.2f s CPU\n", path, (size_t)RT_NCASES,
	       (unsigned long)want, h->failures - before, (double)(clock() - t0) / CLOCKS_PER_SEC);
	return true;
}

int main(int argc, char **argv)
{
	struct rt_host h;
	memset(&h, 0, sizeof h);
	h.count = 1000;
	h.seed = 20240601;
	h.expect_case = -1;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		uint64_t v;
		if (!strcmp(argv[i], "--count") && i + 1 < argc && parse_u64(argv[i + 1], &v)) {
			h.count = (unsigned long)v;
			i++;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_u64(argv[i + 1], &v)) {
			h.seed = v;
			i++;
		} else if (!strcmp(argv[i], "--quiet")) {
			h.quiet = 1;
		} else {
			return usage();
		}
	}
	if (i == argc)
		return usage();

	rdy_error *err = NULL;
	rdy_world *w = test_roundtrip_rt_world(&err);
	if (!w) {
		fprintf(stderr, "roundtrip: world: %s\n", err ? rdy_error_message(err) : "failed");
		rdy_error_free(err);
		return 1;
	}
	bool loaded = true;
	for (; i < argc && loaded; i++) {
		h.ticks = 0;
		h.ticked = 0;
		loaded = run_plugin(&h, w, argv[i]);
	}
	rdy_world_free(w);
	if (!loaded)
		return 1;
	if (h.failures) {
		fprintf(stderr, "roundtrip: %lu of %lu checks failed\n", h.failures, h.checked);
		return 1;
	}
	printf("roundtrip: all %lu checks passed\n", h.checked);
	return 0;
}
