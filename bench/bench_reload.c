/*
 * Reload latency (bench/README.md, "Reload: latency"): rdy_module_reload of
 * a generated plugin with one live instance, beside a bare dlopen of the
 * same file, and what rdy__pin (the content-addressed copy every reload
 * makes, docs/abi.md §7.5) takes of it.
 *
 * usage: bench_reload [--ms MS] [--min-iters K] [--dir DIR] LABEL HOST_DESCRIPTOR BUILD_A BUILD_B [LABEL ...]...
 *
 * HOST_DESCRIPTOR is the host side of the plugins' world (`rdy abi encode
 * --side host`); BUILD_A and BUILD_B are two builds of one plugin whose
 * bytes differ (gen_load.py's user code compiled with -DBENCH_BUILD=1 and
 * 2), so that every reload loads a new file.  A module is opened from
 * BUILD_A with rdy_open_config { .reloadable = true, .cache_dir = a
 * temporary directory in DIR (default $TMPDIR, else /tmp), where the
 * copies this benchmark writes go too, removed at the end }, and one
 * instance made (rdy_instance_new: the
 * worlds import nothing).  Then, for at least K iterations (default 101)
 * and about MS ms (default 1000), these timings, in an order rotated from
 * one iteration to the next:
 *
 *   dlopen    dlopen(RTLD_NOW | RTLD_LOCAL) + dlclose of a fresh copy of the
 *             build the module does not serve (written, untimed, just
 *             before: a new file, as the reload's copy is)
 *   reload    rdy_module_reload(m, BUILD, &info) from the other build's
 *             file, which has settled (its ctime is far in the past), its
 *             copy not in the cache directory (removed, untimed, before:
 *             a build the host has not loaded before): pin, read, verify
 *             (a cache hit: both builds carry the same descriptor),
 *             dlopen, validate, bind, instance_new, hold and drain
 *             (membarrier), the state moved when the plugin exports
 *             rdy:reload/state, the swap, instance_free and the old
 *             build's dlclose and unload check
 *   seen      the same with the copy still in the cache directory from an
 *             earlier reload (a build loaded before): rdy__pin renames
 *             its new copy over it
 *   fresh     as reload, from a copy of the other build written (untimed)
 *             just before, as a build or an installer that has just
 *             replaced the file: rdy__pin waits until the coarse clock has
 *             passed the tick of the file's ctime.  The copy is written
 *             after a pause of a pseudo-random fraction of the tick
 *             (untimed), so that it falls anywhere in a tick, not in step
 *             with the naps of the timing before
 *   pin       rdy__pin alone (src/rt/pin.h) of the other build's settled
 *             file, into a second cache directory, its copy removed
 *             before: read, SHA-256, write the copy, rename it
 *   pinseen   the same over the copy already there
 *   pinfresh  rdy__pin alone of a copy written just before (after such a
 *             pause): the wait
 *   membarrier  membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) alone, as a
 *             reload's drain issues it
 *
 * Every reload must move the one instance (info.instances == 1), report
 * no note (the old build's object was unloaded: RDY_EKEPT otherwise), and
 * advance the build; with a state interface, info.restored must be 1.  A
 * touch into the past cannot stand for a settled file: setting a file's
 * times sets its ctime to now, and the ctime is what rdy__pin waits on.
 *
 * Output, tab-separated, times in microseconds:
 *   tick   NS                               CLOCK_REALTIME_COARSE's resolution
 *   plugin LABEL  functions  bytes  iterations  restored
 *   t      LABEL  TIMING  median  p90  min  mean
 */
#define _GNU_SOURCE /* nftw, CLOCK_REALTIME_COARSE */
#include "rdy.h"
#include "rt/pin.h"
#define BENCH_NAME "bench_reload"
#include "bench.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/membarrier.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("%s: cannot open", path);
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (size_t k; b && (k = fread(b + n, 1, cap - n, f)) > 0;) {
		n += k;
		if (n == cap && !(b = realloc(b, cap *= 2)))
			break;
	}
	if (!b || ferror(f))
		die("%s: cannot read", path);
	fclose(f);
	*len = n;
	return b;
}

/* Writes LEN bytes at P to PATH as an installer does: a new file, renamed over PATH. */
static void install(const char *path, const uint8_t *p, size_t len)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0)
		die("%s: cannot create", tmp);
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, p + off, len - off);
		if (k <= 0)
			die("%s: cannot write", tmp);
		off += (size_t)k;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		die("%s: cannot install", path);
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void assert_unloaded(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (h) {
		dlclose(h);
		die("%s stays loaded after dlclose: its dlopen time would not be a fresh load", path);
	}
}

/* ---- one plugin --------------------------------------------------------------------- */

enum { DLOPEN, RELOAD, SEEN, FRESH, PIN, PINSEEN, PINFRESH, MEMBARRIER, NTIMINGS };
static const char *const names[NTIMINGS] = { "dlopen", "reload", "seen", "fresh", "pin", "pinseen", "pinfresh",
					     "membarrier" };

typedef struct plugin {
	const char *label;
	const char *build[2];              /* the files A and B */
	uint8_t *bytes[2];                 /* their contents */
	size_t len[2];
	char dir[200];                     /* the temporary directory */
	char cache[256], pins[256], stage[256], dl[300], src[300], pinsrc[300];
	rdy_module *m;
	rdy_instance *inst;
	char hex[2][65];                   /* their SHA-256, once known: the names of their copies */
	int cur;                           /* the build serving: 0 (A) or 1 (B) */
	uint32_t builds;                   /* rdy_module_build */
	unsigned restored;                 /* reloads that moved the state */
} plugin;

static void reloaded(plugin *p, int rc, rdy_error *err, const rdy_reload_info *info, const char *from)
{
	if (rc != RDY_OK)
		die("%s: rdy_module_reload from %s: %s", p->label, from, rdy_error_message(err));
	if (info->instances != 1 || info->build != p->builds + 1 || info->note[0])
		die("%s: reload from %s: %u instances moved, build %u after %u%s%s", p->label, from, info->instances,
		    info->build, p->builds, info->note[0] ? ": " : "", info->note);
	p->builds = info->build;
	p->restored += info->restored;
	p->cur ^= 1;
	snprintf(p->hex[p->cur], sizeof p->hex[p->cur], "%s", rdy_module_sha256(p->m));
}

static long tick_ns = 4000000;         /* CLOCK_REALTIME_COARSE's resolution */

/* Sleeps a pseudo-random fraction of the coarse clock's tick (a fixed sequence). */
static void random_pause(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15u;
	x = x * 6364136223846793005u + 1442695040888963407u;
	struct timespec t = { 0, (long)((x >> 33) % (uint64_t)tick_ns) };
	while (nanosleep(&t, &t) < 0 && errno == EINTR) {
	}
}

/* Removes the copy of build K from the cache directory DIR, when there is one: a build not seen before. */
static void forget(const plugin *p, const char *dir, int k)
{
	char path[400];
	if (!p->hex[k][0])
		return;
	snprintf(path, sizeof path, "%s/%s.so", dir, p->hex[k]);
	if (unlink(path) < 0 && errno != ENOENT)
		die("%s: cannot remove it", path);
}

static double time_reload(plugin *p, bool seen)
{
	rdy_reload_info info;
	rdy_error *err = NULL;
	const char *from = p->build[p->cur ^ 1];
	if (!seen)
		forget(p, p->cache, p->cur ^ 1);
	double t0 = now_us();
	int rc = rdy_module_reload(p->m, from, &info, &err);
	double t = now_us() - t0;
	reloaded(p, rc, err, &info, from);
	return t;
}

static double time_fresh(plugin *p)
{
	rdy_reload_info info;
	rdy_error *err = NULL;
	forget(p, p->cache, p->cur ^ 1);
	random_pause();
	install(p->src, p->bytes[p->cur ^ 1], p->len[p->cur ^ 1]);
	double t0 = now_us();
	int rc = rdy_module_reload(p->m, p->src, &info, &err);
	double t = now_us() - t0;
	reloaded(p, rc, err, &info, p->src);
	return t;
}

static double time_dlopen(plugin *p)
{
	install(p->dl, p->bytes[p->cur ^ 1], p->len[p->cur ^ 1]);
	double t0 = now_us();
	void *h = dlopen(p->dl, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		die("dlopen: %s", dlerror());
	dlclose(h);
	double t = now_us() - t0;
	assert_unloaded(p->dl);
	return t;
}

static double time_pin(plugin *p, const char *path, bool seen)
{
	rdy_error *err = NULL;
	char *loaded = NULL;
	uint8_t digest[32];
	if (!seen)
		forget(p, p->pins, p->cur ^ 1);
	double t0 = now_us();
	int rc = rdy__pin(path, p->pins, NULL, &loaded, digest, &err);
	double t = now_us() - t0;
	if (rc != RDY_OK)
		die("%s: rdy__pin: %s", p->label, rdy_error_message(err));
	free(loaded);
	return t;
}

static double time_membarrier(void)
{
	double t0 = now_us();
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
		return -1;
	return now_us() - t0;
}

static double time_one(plugin *p, int k)
{
	switch (k) {
	case DLOPEN:
		return time_dlopen(p);
	case RELOAD:
	case SEEN:
		return time_reload(p, k == SEEN);
	case FRESH:
		return time_fresh(p);
	case PIN:
	case PINSEEN:
		return time_pin(p, p->build[p->cur ^ 1], k == PINSEEN);
	case PINFRESH:
		forget(p, p->pins, p->cur ^ 1);
		random_pause();
		install(p->pinsrc, p->bytes[p->cur ^ 1], p->len[p->cur ^ 1]);
		return time_pin(p, p->pinsrc, true);
	default:
		return time_membarrier();
	}
}

static void stat_line(const char *label, const char *name, double *x, unsigned n)
{
	qsort(x, n, sizeof *x, cmp_double);
	double med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2, sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += x[i];
	unsigned p90 = (unsigned)((n - 1) * 0.9 + 0.5);
	printf("t\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\n", label, name, med, x[p90], x[0], sum / n);
}

static void bench_plugin(const char *label, const char *desc_path, const char *a, const char *b, const char *base,
			 double ms, unsigned min_iters)
{
	plugin p = { .label = label, .build = { a, b } };
	for (int i = 0; i < 2; i++)
		p.bytes[i] = slurp(p.build[i], &p.len[i]);
	if (p.len[0] == p.len[1] && !memcmp(p.bytes[0], p.bytes[1], p.len[0]))
		die("%s: %s and %s have the same bytes: a reload would load no new file", label, a, b);
	snprintf(p.dir, sizeof p.dir, "%s/rdy-bench-reload-XXXXXX", base);
	if (!mkdtemp(p.dir))
		die("mkdtemp %s: cannot make it", p.dir);
	snprintf(p.cache, sizeof p.cache, "%s/cache", p.dir);
	snprintf(p.pins, sizeof p.pins, "%s/pins", p.dir);
	snprintf(p.stage, sizeof p.stage, "%s/stage", p.dir);
	snprintf(p.dl, sizeof p.dl, "%s/dl.so", p.stage);
	snprintf(p.src, sizeof p.src, "%s/plugin.so", p.stage);
	snprintf(p.pinsrc, sizeof p.pinsrc, "%s/pinned.so", p.stage);
	if (mkdir(p.stage, 0700) < 0)
		die("%s: cannot make it", p.stage);

	size_t len;
	uint8_t *desc = slurp(desc_path, &len);
	rdy_error *err = NULL;
	rdy_world *w = rdy_world_new(desc, len, &err);
	if (!w)
		die("%s: rdy_world_new: %s", desc_path, rdy_error_message(err));
	rdy_open_config c = { .reloadable = true, .cache_dir = p.cache };
	if (!(p.m = rdy_module_open_with(w, a, &c, &err)))
		die("%s: rdy_module_open_with: %s", a, rdy_error_message(err));
	if (!(p.inst = rdy_instance_new(p.m, NULL, 0, NULL, &err)))
		die("%s: rdy_instance_new: %s", a, rdy_error_message(err));
	p.builds = rdy_module_build(p.m);
	snprintf(p.hex[0], sizeof p.hex[0], "%s", rdy_module_sha256(p.m));

	/* Warm-up: every timing a few times; files in the page cache, caches warm. */
	for (unsigned i = 0; i < 3; i++)
		for (int k = 0; k < NTIMINGS; k++)
			time_one(&p, k);
	p.restored = 0;
	unsigned reloads0 = p.builds;

	unsigned cap = 1024, n = 0;
	double *t = malloc(sizeof(double) * NTIMINGS * cap);
	if (!t)
		die("out of memory");
	for (double start = now_us(); n < min_iters || (now_us() - start < ms * 1000 && n < 100000); n++) {
		if (n == cap && !(t = realloc(t, sizeof(double) * NTIMINGS * (cap *= 2))))
			die("out of memory");
		for (unsigned k = 0; k < NTIMINGS; k++) {
			int v = (int)((n + k) % NTIMINGS);
			t[(size_t)n * NTIMINGS + (size_t)v] = time_one(&p, v);
		}
	}
	unsigned reloads = p.builds - reloads0;

	printf("plugin\t%s\t%u\t%zu\t%u\t%u\n", label, rdy_world_nexports(w) + rdy_world_nimports(w), p.len[0], n,
	       p.restored == reloads ? 1 : p.restored == 0 ? 0 : 2);
	double *x = malloc(sizeof(double) * n);
	if (!x)
		die("out of memory");
	for (int v = 0; v < NTIMINGS; v++) {
		for (unsigned i = 0; i < n; i++)
			x[i] = t[(size_t)i * NTIMINGS + (size_t)v];
		if (v == MEMBARRIER && x[0] < 0)
			continue;
		stat_line(label, names[v], x, n);
	}
	fflush(stdout);

	if (rdy_instance_free(p.inst, &err) != RDY_OK || rdy_module_close(p.m, &err) != RDY_OK)
		die("%s: %s", label, rdy_error_message(err));
	rdy_world_free(w);
	nftw(p.dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(x);
	free(t);
	free(desc);
	free(p.bytes[0]);
	free(p.bytes[1]);
}

int main(int argc, char **argv)
{
	double ms = 1000;
	unsigned min_iters = 101;
	const char *base = getenv("TMPDIR");
	if (!base || !base[0])
		base = "/tmp";
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc)
			die("%s: missing value", argv[i]);
		if (!strcmp(argv[i], "--ms"))
			ms = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "--min-iters"))
			min_iters = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--dir"))
			base = argv[i + 1];
		else
			die("unknown option %s", argv[i]);
	}
	if (i >= argc || (argc - i) % 4 || !(ms > 0) || min_iters < 1 || strlen(base) > 150)
		die("usage: bench_reload [--ms MS] [--min-iters K] [--dir DIR] LABEL HOST_DESCRIPTOR BUILD_A BUILD_B...");
	struct timespec res;
	clock_getres(CLOCK_REALTIME_COARSE, &res);
	tick_ns = (long)res.tv_sec * 1000000000L + res.tv_nsec;
	if (tick_ns <= 0 || tick_ns > 100000000)
		tick_ns = 4000000;
	printf("tick\t%ld\n", tick_ns);
	for (; i < argc; i += 4)
		bench_plugin(argv[i], argv[i + 1], argv[i + 2], argv[i + 3], base, ms, min_iters);
	return 0;
}
