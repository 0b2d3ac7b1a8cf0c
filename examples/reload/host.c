/*
 * The reload example's host: it adds a name to the tally plugin every
 * 50 ms and prints each reading, while a watch reloads the plugin each
 * time its file is rebuilt.  The state, the count and the list of names,
 * moves from build to build through rdy:reload/state; a build that the
 * check refuses, or whose restore refuses the state, leaves the old build
 * serving, its state untouched.
 *
 * usage: reload-host PLUGIN.so CACHE_DIR
 *
 * The module is opened reloadable, so the runtime loads a copy of the file
 * named by its SHA-256 in CACHE_DIR, never the file itself, which a build
 * may be rewriting.  The watch runs on its own thread, whose callback
 * reloads; the calls go on from the main thread meanwhile.  The host checks
 * every reading against what it sent: the count one more than the last
 * time, the list every name sent so far, in order.
 *
 * It runs until SIGTERM or SIGINT, then frees the instance and closes the
 * module, which unloads the build serving and checks that it is gone.
 * Exit status 0 when every reading and that unload were as they should be.
 */
#define _POSIX_C_SOURCE 200809L
#include "tally_host.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PERIOD_MS = 50, DEBOUNCE_MS = 150 };

static const char *const names[] = { "ada", "grace", "alan", "barbara", "edsger", "frances", "donald", "margaret" };
enum { NNAMES = sizeof names / sizeof *names };

typedef struct host {
	rdy_module *m;
	example_tally_plugin_t inst;
	char tried[65];                    /* the SHA-256 of the last build loaded or tried */
	pthread_mutex_t out;               /* keeps each report's lines together */
	unsigned bad;                      /* things not as they should be; atomic */
} host;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The watch's callback, on its thread: PATH has been replaced and is whole. */
static void changed(void *user, const char *path)
{
	host *h = user;
	rdy_error *err = NULL;
	uint8_t d[32];
	char sha[65];
	if (rdy_sha256_file(path, d, &err) != RDY_OK) {
		pthread_mutex_lock(&h->out);
		printf("%s was replaced, but cannot be read: %s\n", path, rdy_error_message(err));
		pthread_mutex_unlock(&h->out);
		rdy_error_free(err);
		return;
	}
	hex(d, sha);
	pthread_mutex_lock(&h->out);
	if (!strcmp(sha, h->tried)) {
		printf("%s was touched, but its bytes are the same: nothing to reload\n", path);
		pthread_mutex_unlock(&h->out);
		return;
	}
	memcpy(h->tried, sha, sizeof sha);
	printf("%s was replaced (sha256 %.12s...): reloading it\n", path, sha);
	pthread_mutex_unlock(&h->out);

	uint32_t was = rdy_module_build(h->m);
	rdy_reload_info info;
	int rc = rdy_module_reload(h->m, path, &info, &err);
	pthread_mutex_lock(&h->out);
	if (rc == RDY_OK) {
		printf("  build %u serves now: %u instance moved to it, %u with its state (rdy:reload/state)\n",
		       info.build, info.instances, info.restored);
		if (info.note[0]) {
			printf("  but build %u stays mapped: %s\n", was, info.note);
			__atomic_add_fetch(&h->bad, 1, __ATOMIC_RELAXED);
		} else {
			printf("  build %u is unloaded: the runtime checked that it is no longer mapped\n", was);
		}
	} else {
		printf("  refused; build %u goes on serving, its state untouched:\n    %s\n", was,
		       rdy_error_message(err));
	}
	pthread_mutex_unlock(&h->out);
	rdy_error_free(err);
}

/* Adds the Nth name (from 1) and checks the reading against SENT, the names sent so far. */
static void add(host *h, uint32_t n, const uint8_t *sent)
{
	example_tally_tally_reading_t r;
	rdy_string_t name = rdy_str(names[sent[n - 1]]);
	int32_t st = exports_example_tally_tally_add(&h->inst, &name, &r);
	char why[200] = "";
	if (st == RDY_OK) {
		if (r.count != n)
			snprintf(why, sizeof why, "the count is %u where %u names were sent", r.count, n);
		else if (r.names.len != n)
			snprintf(why, sizeof why, "the list has %zu names where %u were sent", r.names.len, n);
		for (uint32_t i = 0; !why[0] && i < n; i++) {
			const rdy_string_t *s = &r.names.ptr[i];
			if (s->len != strlen(names[sent[i]]) || memcmp(s->ptr, names[sent[i]], s->len))
				snprintf(why, sizeof why, "name %u of the list is \"%.*s\" where \"%s\" was sent", i + 1,
					 (int)(s->len > 32 ? 32 : s->len), s->ptr, names[sent[i]]);
		}
	}
	pthread_mutex_lock(&h->out);
	if (st != RDY_OK) {
		printf("#%u  the call failed: status %d (%s)\n", n, (int)st, rdy_strerror(st));
	} else {
		printf("#%-3u %-24.*s count %u, list of %zu:%s", n, (int)r.greeting.len, r.greeting.ptr, r.count,
		       r.names.len, r.names.len > 4 ? " ..." : "");
		for (size_t i = r.names.len > 4 ? r.names.len - 4 : 0; i < r.names.len; i++)
			printf(" %.*s", (int)r.names.ptr[i].len, r.names.ptr[i].ptr);
		printf("\n");
		if (why[0])
			printf("#%u  NOT AS SENT: %s\n", n, why);
		exports_example_tally_tally_add_release(&h->inst, &r);
	}
	pthread_mutex_unlock(&h->out);
	if (st != RDY_OK || why[0])
		__atomic_add_fetch(&h->bad, 1, __ATOMIC_RELAXED);
}

static _Noreturn void die(const char *what, rdy_error *err)
{
	fprintf(stderr, "reload-host: %s: %s\n", what, err ? rdy_error_message(err) : "out of memory");
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: reload-host PLUGIN.so CACHE_DIR\n");
		return 2;
	}
	const char *path = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static host h;
	pthread_mutex_init(&h.out, NULL);
	rdy_error *err = NULL;
	rdy_world *w = example_tally_plugin_world(&err);
	if (!w)
		die("world", err);
	rdy_open_config config = { .reloadable = true, .cache_dir = argv[2] };
	if (!(h.m = rdy_module_open_with(w, path, &config, &err)))
		die("open", err);
	if (example_tally_plugin_instantiate(h.m, NULL, NULL, &h.inst, &err) != RDY_OK)
		die("instantiate", err);
	snprintf(h.tried, sizeof h.tried, "%s", rdy_module_sha256(h.m));
	printf("opened %s, reloadable: build %u (sha256 %.12s...), loaded from its copy in %s\n", path,
	       rdy_module_build(h.m), h.tried, argv[2]);

	rdy_watch *watch = rdy_watch_new(DEBOUNCE_MS, &err);
	if (!watch || rdy_watch_add(watch, path, changed, &h, &err) != RDY_OK || rdy_watch_start(watch, &err) != RDY_OK)
		die("watch", err);
	printf("watching %s (%u ms debounce); adding a name every %u ms\n", path, DEBOUNCE_MS, PERIOD_MS);

	uint8_t *sent = NULL;
	uint32_t n = 0, cap = 0;
	while (!stop) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if (!(sent = realloc(sent, cap)))
				die("readings", NULL);
		}
		sent[n] = (uint8_t)(n % NNAMES);
		add(&h, ++n, sent);
		struct timespec t = { 0, PERIOD_MS * 1000000L };
		while (!stop && nanosleep(&t, &t) < 0 && errno == EINTR) {
		}
	}
	free(sent);

	/* No callback runs once the watch is freed: then the instance and the module can go. */
	int rc = rdy_watch_stop(watch, &err);
	rdy_watch_free(watch);
	if (rc != RDY_OK)
		die("watch", err);
	unsigned bad = __atomic_load_n(&h.bad, __ATOMIC_RELAXED);
	if (bad)
		printf("stopped after %u readings: %u of them, or of the reloads, were not as they should be\n", n, bad);
	else
		printf("stopped after %u readings: each count one more than the last, each list every name sent, "
		       "in order\n", n);
	uint32_t build = rdy_module_build(h.m);
	if (example_tally_plugin_free(&h.inst, &err) != RDY_OK)
		die("free", err);
	rc = rdy_module_close(h.m, &err);
	if (rc == RDY_OK) {
		printf("closed %s: build %u is unloaded, the runtime checked that it is no longer mapped\n", path, build);
	} else {
		printf("closed %s, but %s\n", path, rdy_error_message(err));
		rdy_error_free(err);
		bad++;
	}
	rdy_world_free(w);
	pthread_mutex_destroy(&h.out);
	return bad ? 1 : 0;
}
