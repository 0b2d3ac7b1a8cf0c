/*
 * Load benchmark (bench/README.md): opening a generated plugin with
 * rdy_module_open beside a bare dlopen of the same file.
 *
 * usage: bench_load [--ms MS] [--min-iters K] LABEL HOST_DESCRIPTOR PLUGIN [LABEL HOST_DESCRIPTOR PLUGIN]...
 *
 * HOST_DESCRIPTOR is the host side of the plugin's world, written by
 * `rdy abi encode --side host`: the bytes generated host bindings embed and
 * pass to rdy_world_new.  For each plugin, iterations run five timings,
 * in an order rotated from one iteration to the next:
 *
 *   dlopen  dlopen(PLUGIN, RTLD_NOW | RTLD_LOCAL) + dlclose
 *   open    rdy_module_open(world, PLUGIN) + rdy_module_close in a world
 *           that has opened PLUGIN before (the warm-up), so its descriptor
 *           is a verified one (docs/abi.md §7.1): read the descriptor from
 *           the file, find it in the world's cache, dlopen (as above),
 *           validate the root symbol, bind; close undoes it and dlcloses
 *   cold    the same in a world that has opened plugins before but whose
 *           cache of verified descriptors was emptied just before (outside
 *           the timing; an internal of the runtime): read, decode, check,
 *           dlopen, validate, bind, as the first open of a plugin built
 *           from other bytes than any the host has seen
 *   first   the same in a world made for this iteration alone (made and
 *           freed outside the timing): a process's very first open, which
 *           also pays what the host's world leaves for its first check
 *           (the hashes of its interfaces, memoised as checks ask)
 *   floor   the static read's four system calls alone (time_floor): what
 *           any read of the file before dlopen costs at least
 *
 * for at least K iterations (default 20) and about MS milliseconds (default
 * 1000).  After each close the object must be gone (dlopen RTLD_NOLOAD
 * fails), so that every dlopen maps and relocates it afresh; the file
 * stays in the page cache.  The runtime does not time its phases, so
 * the runtime's own cost is the difference of the medians, open - dlopen
 * (check+bind of a verified descriptor), cold - dlopen or first - dlopen
 * (decode, check and bind).
 *
 * The phases are then timed one by one outside the runtime, with the same
 * library functions the runtime calls (src/abi): read (rdy_elf_read_plugin:
 * the descriptor and the root symbol, from the file), decode, check
 * (rdy_check_prepared, the host's side prepared once as rdy_world_new
 * prepares it) and bind (the function lists of both sides and rdy_abi_bind
 * both ways).  They are what a cold open pays; they leave out the
 * runtime's own bookkeeping and its validation of the root symbol.
 *
 * Output, tab-separated, per plugin:
 *   load  LABEL  functions  iterations  dlopen_us  open_us  world_us
 *         read_us  decode_us  check_us  bind_us  cold_us  first_us  floor_us
 * (medians, in microseconds; world_us: rdy_world_new + rdy_world_free of the
 * host's descriptor, which a host pays once; floor_us: the static read's
 * system calls alone, time_floor, interleaved with the four timings).
 */
#include "abi/check.h"
#include "abi/desc.h"
#include "abi/elf.h"
#include "abi/funcs.h"
#include "rdy.h"
#include "rt/rt.h"                     /* rdy__cache_clear, for the cold open */
#define BENCH_NAME "bench_load"
#include "bench.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double median(double *x, unsigned n)
{
	qsort(x, n, sizeof *x, cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

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

/* The object at PATH must not stay loaded once closed. */
static void assert_unloaded(const char *path, const char *after)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (h) {
		dlclose(h);
		die("%s stays loaded after %s: its dlopen time would not be a fresh load", path, after);
	}
}

static double time_dlopen(const char *path)
{
	double t0 = now_us();
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		die("dlopen: %s", dlerror());
	dlclose(h);
	return now_us() - t0;
}

static double time_open(rdy_world *w, const char *path)
{
	rdy_error *err = NULL;
	double t0 = now_us();
	rdy_module *m = rdy_module_open(w, path, &err);
	if (!m)
		die("rdy_module_open: %s", rdy_error_message(err));
	if (rdy_module_close(m, &err) != RDY_OK)
		die("rdy_module_close: %s", rdy_error_message(err));
	return now_us() - t0;
}

/*
 * What any static read before dlopen costs here at least: the system calls
 * of the loader's (docs/abi.md §7.1, step 1) for a plugin laid out as
 * linkers lay it out, and nothing else: open, a read of the first 16 KiB
 * (headers, notes, .dynsym), a read of the section header table, close.
 */
static double time_floor(const char *path)
{
	static uint8_t head[16384], sections[1 << 16];
	double t0 = now_us();
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	Elf64_Ehdr eh;
	if (fd < 0 || pread(fd, head, sizeof head, 0) < (ssize_t)sizeof eh)
		die("%s: cannot read", path);
	memcpy(&eh, head, sizeof eh);
	size_t n = (size_t)eh.e_shnum * sizeof(Elf64_Shdr);
	if (n > sizeof sections || pread(fd, sections, n, (off_t)eh.e_shoff) != (ssize_t)n)
		die("%s: cannot read its section headers", path);
	close(fd);
	return now_us() - t0;
}

/* An open in W of a descriptor W has not verified: its cache is emptied first, untimed. */
static double time_cold_open(rdy_world *w, const char *path)
{
	pthread_mutex_lock(&rdy__lock);
	rdy__cache_clear(w);
	pthread_mutex_unlock(&rdy__lock);
	return time_open(w, path);
}

/* A process's first open: in a world that has never checked anything, made and freed untimed. */
static double time_first_open(const uint8_t *desc, size_t len, const char *path)
{
	rdy_error *err = NULL;
	rdy_world *w = rdy_world_new(desc, len, &err);
	if (!w)
		die("rdy_world_new: %s", rdy_error_message(err));
	double t = time_open(w, path);
	rdy_world_free(w);
	return t;
}

/* ---- the phases, one by one -------------------------------------------------------- */

enum { READ, DECODE, CHECK, BIND, NPHASES };

typedef struct host {
	rdy_desc *d;
	const rdy_wit_model *m;
	rdy_check_model *prep;             /* prepared once, as rdy_world_new does */
	int w;
	rdy_abi_fref *exports, *imports;
	uint32_t nexports, nimports;
} host;

static void phases_once(const host *h, const char *path, double t[NPHASES])
{
	char msg[1024];
	rdy_elf_plugin read;
	double t0 = now_us();
	if (rdy_elf_read_plugin(path, RDY_PLUGIN_SYMBOL, sizeof(rdy_plugin_root_v1), &read, msg, sizeof msg))
		die("%s", msg);
	double t1 = now_us();
	rdy_desc *d = rdy_desc_decode(read.desc, read.len, msg, sizeof msg);
	if (!d)
		die("%s: %s", path, msg);
	double t2 = now_us();
	rdy_check_report r;
	rdy_check_model *plugin = rdy_check_model_new(rdy_desc_model(d));
	if (!plugin || rdy_check_prepared(h->prep, h->w, plugin, rdy_desc_world(d), path, &r))
		die("%s: not compatible%s%s", path, plugin && r.nerrors ? ": " : "",
		    plugin && r.nerrors ? r.errors[0] : "");
	rdy_check_report_free(&r);
	rdy_check_model_free(plugin);
	double t3 = now_us();
	const rdy_wit_model *pm = rdy_desc_model(d);
	int pw = rdy_desc_world(d);
	rdy_abi_fref *pexports, *pimports;
	uint32_t npexports, npimports;
	if (rdy_abi_world_funcs(pm, pw, true, &pexports, &npexports) ||
	    rdy_abi_world_funcs(pm, pw, false, &pimports, &npimports))
		die("out of memory");
	uint32_t *emap = malloc((h->nexports + 1) * sizeof *emap), *imap = malloc((npimports + 1) * sizeof *imap);
	if (!emap || !imap)
		die("out of memory");
	rdy_abi_bind(h->m, h->w, h->exports, h->nexports, pm, pw, pexports, npexports, true, emap);
	rdy_abi_bind(pm, pw, pimports, npimports, h->m, h->w, h->imports, h->nimports, false, imap);
	double t4 = now_us();
	for (uint32_t i = 0; i < h->nexports; i++)
		if (emap[i] == UINT32_MAX)
			die("%s: export %u unbound", path, i);
	free(emap);
	free(imap);
	free(pexports);
	free(pimports);
	rdy_desc_free(d);
	rdy_elf_plugin_free(&read);
	t[READ] = t1 - t0;
	t[DECODE] = t2 - t1;
	t[CHECK] = t3 - t2;
	t[BIND] = t4 - t3;
}

/* ---- one plugin ----------------------------------------------------------------- */

static void bench_plugin(const char *label, const char *desc_path, const char *path, double ms, unsigned min_iters)
{
	size_t len;
	uint8_t *desc = slurp(desc_path, &len);
	rdy_error *err = NULL;

	/* The host's world, as its generated bindings make it. */
	unsigned nw = 0;
	double *tw = malloc(sizeof(double) * 64);
	for (double start = now_us(); nw < 64 && (nw < 5 || now_us() - start < ms * 100); nw++) {
		double t0 = now_us();
		rdy_world *w = rdy_world_new(desc, len, &err);
		if (!w)
			die("%s: rdy_world_new: %s", desc_path, rdy_error_message(err));
		rdy_world_free(w);
		tw[nw] = now_us() - t0;
	}
	rdy_world *w = rdy_world_new(desc, len, &err), *wc = rdy_world_new(desc, len, &err);
	if (!w || !wc)
		die("%s: rdy_world_new: %s", desc_path, rdy_error_message(err));
	uint32_t nfuncs = rdy_world_nexports(w) + rdy_world_nimports(w);

	/*
	 * Warm-up: the file into the page cache, the allocator and the loader's
	 * caches warm, the descriptor verified in W, so that each timed open in
	 * W finds it there, and WC's first check done.
	 */
	time_dlopen(path);
	time_open(w, path);
	time_cold_open(wc, path);
	time_first_open(desc, len, path);
	assert_unloaded(path, "rdy_module_close");

	unsigned cap = 1024, n = 0;
	double *a = malloc(sizeof(double) * cap), *b = malloc(sizeof(double) * cap), *c = malloc(sizeof(double) * cap),
	       *f = malloc(sizeof(double) * cap), *fl = malloc(sizeof(double) * cap);
	if (!a || !b || !c || !f || !fl || !tw)
		die("out of memory");
	for (double start = now_us(); n < min_iters || (now_us() - start < ms * 1000 && n < 100000); n++) {
		if (n == cap && (!(a = realloc(a, sizeof(double) * (cap *= 2))) ||
				 !(b = realloc(b, sizeof(double) * cap)) || !(c = realloc(c, sizeof(double) * cap)) ||
				 !(f = realloc(f, sizeof(double) * cap)) || !(fl = realloc(fl, sizeof(double) * cap))))
			die("out of memory");
		for (unsigned k = 0; k < 5; k++) {
			switch ((n + k) % 5) {
			case 0:
				a[n] = time_dlopen(path);
				break;
			case 1:
				b[n] = time_open(w, path);
				break;
			case 2:
				c[n] = time_cold_open(wc, path);
				break;
			case 3:
				fl[n] = time_floor(path);
				break;
			default:
				f[n] = time_first_open(desc, len, path);
			}
		}
		if (n < 3) {
			assert_unloaded(path, "dlclose");
		}
	}
	assert_unloaded(path, "the benchmark");

	/* The phases, outside the runtime. */
	host h;
	char msg[512];
	if (!(h.d = rdy_desc_decode(desc, len, msg, sizeof msg)))
		die("%s: %s", desc_path, msg);
	h.m = rdy_desc_model(h.d);
	h.w = rdy_desc_world(h.d);
	if (!(h.prep = rdy_check_model_new(h.m)))
		die("out of memory");
	if (rdy_abi_world_funcs(h.m, h.w, true, &h.exports, &h.nexports) ||
	    rdy_abi_world_funcs(h.m, h.w, false, &h.imports, &h.nimports))
		die("out of memory");
	unsigned np = n < 1000 ? n : 1000;
	double *p[NPHASES];
	for (int k = 0; k < NPHASES; k++)
		if (!(p[k] = malloc(sizeof(double) * np)))
			die("out of memory");
	for (unsigned i = 0; i < np; i++) {
		double t[NPHASES];
		phases_once(&h, path, t);
		for (int k = 0; k < NPHASES; k++)
			p[k][i] = t[k];
	}

	printf("load\t%s\t%u\t%u\t%.2f\t%.2f\t%.2f", label, nfuncs, n, median(a, n), median(b, n), median(tw, nw));
	for (int k = 0; k < NPHASES; k++)
		printf("\t%.2f", median(p[k], np));
	printf("\t%.2f\t%.2f\t%.2f\n", median(c, n), median(f, n), median(fl, n));
	fflush(stdout);

	for (int k = 0; k < NPHASES; k++)
		free(p[k]);
	free(h.exports);
	free(h.imports);
	rdy_check_model_free(h.prep);
	rdy_desc_free(h.d);
	rdy_world_free(w);
	rdy_world_free(wc);
	free(a);
	free(b);
	free(c);
	free(f);
	free(fl);
	free(tw);
	free(desc);
}

int main(int argc, char **argv)
{
	double ms = 1000;
	unsigned min_iters = 20;
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc)
			die("%s: missing value", argv[i]);
		if (!strcmp(argv[i], "--ms"))
			ms = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "--min-iters"))
			min_iters = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else
			die("unknown option %s", argv[i]);
	}
	if (i >= argc || (argc - i) % 3 || !(ms > 0) || min_iters < 1)
		die("usage: bench_load [--ms MS] [--min-iters K] LABEL HOST_DESCRIPTOR PLUGIN...");
	for (; i < argc; i += 3)
		bench_plugin(argv[i], argv[i + 1], argv[i + 2], ms, min_iters);
	return 0;
}
