/*
 * Throughput of the WIT front end (parse + resolve), measured in-process.
 *
 *   bench_wit [--time-ms N] [--rounds K] [--tsv] DIR...
 *
 * Each DIR is a package directory, loaded as rdy_wit_load_path loads it: its
 * own *.wit files and its deps/ (a dependency is a *.wit file or a directory
 * of them).  The bytes of all those files are the input size.
 *
 * One iteration is rdy_wit_new, rdy_wit_load_path, rdy_wit_free: nothing is
 * cached between iterations.  A package gets about N ms in all, split into K
 * rounds; each round times its iterations one by one and keeps the median,
 * and the best of the K medians is reported (the least disturbed round).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "wit/wit.h"

#define MAX_ROUNDS 64
#define MIN_ITERS_PER_ROUND 3

struct result {
	const char *dir;
	long long bytes;    /* all .wit files the package load reads */
	int files;
	long iters;         /* iterations per round */
	double best_ns;     /* best of the rounds' median iteration time */
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);
	return n > 0 && (size_t)n < size;
}

/* Adds the size of PATH, when it is a regular *.wit file, to *bytes. */
static void count_file(const char *path, long long *bytes, int *files)
{
	struct stat st;
	if (ends_with(path, ".wit") && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		*bytes += (long long)st.st_size;
		(*files)++;
	}
}

/* Sizes the *.wit files of DIR; with DEPS, also descends one level into dirs. */
static int count_dir(const char *dir, int deps, long long *bytes, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !join(path, sizeof path, dir, e->d_name))
			continue;
		if (deps && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			count_dir(path, 0, bytes, files);
		else
			count_file(path, bytes, files);
	}
	closedir(d);
	return 0;
}

/* The input of one package load: DIR's files plus those of DIR/deps. */
static int package_size(const char *dir, long long *bytes, int *files)
{
	char deps[4096];

	*bytes = 0;
	*files = 0;
	if (count_dir(dir, 0, bytes, files) != 0)
		return -1;
	if (join(deps, sizeof deps, dir, "deps"))
		count_dir(deps, 1, bytes, files);
	return 0;
}

/* One timed iteration; returns its duration in ns, or -1 with the diagnostic printed. */
static double load_once(const char *dir)
{
	double t0 = now_ns(), t1;
	rdy_wit *w = rdy_wit_new();
	int id;

	if (!w) {
		fprintf(stderr, "bench_wit: out of memory\n");
		return -1;
	}
	id = rdy_wit_load_path(w, dir);
	if (id < 0) {
		fprintf(stderr, "bench_wit: %s: %s\n", dir, rdy_wit_errmsg(w));
		rdy_wit_free(w);
		return -1;
	}
	rdy_wit_free(w);
	t1 = now_ns();
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median time of ITERS iterations, or -1 when a load fails. */
static double round_median(const char *dir, long iters, double *samples)
{
	long i;

	for (i = 0; i < iters; i++)
		if ((samples[i] = load_once(dir)) < 0)
			return -1;
	qsort(samples, (size_t)iters, sizeof *samples, cmp_double);
	return iters % 2 ? samples[iters / 2]
	                 : (samples[iters / 2 - 1] + samples[iters / 2]) / 2;
}

static int measure(struct result *r, double time_ms, int rounds)
{
	double first, *samples, median = -1;
	int k;

	if (package_size(r->dir, &r->bytes, &r->files) != 0) {
		fprintf(stderr, "bench_wit: %s: %s\n", r->dir, strerror(errno));
		return -1;
	}
	if ((first = load_once(r->dir)) < 0) /* also warms the caches */
		return -1;
	r->iters = (long)(time_ms * 1e6 / rounds / (first > 1 ? first : 1));
	if (r->iters < MIN_ITERS_PER_ROUND)
		r->iters = MIN_ITERS_PER_ROUND;
	if (r->iters > 1000000)
		r->iters = 1000000;
	if (!(samples = malloc((size_t)r->iters * sizeof *samples))) {
		fprintf(stderr, "bench_wit: out of memory\n");
		return -1;
	}
	r->best_ns = -1;
	for (k = 0; k < rounds; k++) {
		if ((median = round_median(r->dir, r->iters, samples)) < 0)
			break;
		if (r->best_ns < 0 || median < r->best_ns)
			r->best_ns = median;
	}
	free(samples);
	return median < 0 ? -1 : 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static void print_result(const struct result *r, int tsv)
{
	double ms = r->best_ns / 1e6;
	double mbs = (double)r->bytes / 1e6 / (r->best_ns / 1e9);

	if (tsv)
		printf("%s\t%lld\t%d\t%ld\t%.0f\n", r->dir, r->bytes, r->files,
		       r->iters, r->best_ns);
	else
		printf("%-20s %9lld %6d %9.3f %9.1f\n", base_name(r->dir), r->bytes,
		       r->files, ms, mbs);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_wit [--time-ms N] [--rounds K] [--tsv] DIR...\n");
	return 2;
}

int main(int argc, char **argv)
{
	double time_ms = 1000, total_ns = 0;
	long long total_bytes = 0;
	int rounds = 5, tsv = 0, failed = 0, measured = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--time-ms") == 0 && i + 1 < argc)
			time_ms = atof(argv[++i]);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--tsv") == 0)
			tsv = 1;
		else
			return usage();
	}
	if (i == argc || time_ms <= 0 || rounds < 1 || rounds > MAX_ROUNDS)
		return usage();
	if (!tsv)
		printf("%-20s %9s %6s %9s %9s\n", "package", "bytes", "files", "ms", "MB/s");
	for (; i < argc; i++) {
		struct result r = { argv[i], 0, 0, 0, 0 };
		if (measure(&r, time_ms, rounds) != 0) {
			failed = 1;
			continue;
		}
		print_result(&r, tsv);
		total_bytes += r.bytes;
		total_ns += r.best_ns;
		measured++;
	}
	if (!tsv && measured > 0)
		printf("%-20s %9lld %6s %9.3f %9.1f\n", "all (per package)", total_bytes, "",
		       total_ns / 1e6 / measured, (double)total_bytes / 1e6 / (total_ns / 1e9));
	return failed;
}
