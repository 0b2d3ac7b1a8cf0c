/*
 * The world's cache of verified descriptors (docs/abi.md §7.1), through
 * librdy.a, whose counters (rdy__cache_stats_get, not exported by
 * librdy.so) tell a hit from a decode.  A hit must give exactly what a
 * decode gives: the same modules, the same absent lines with the path of
 * the open at hand, the same refusals after dlopen.  A descriptor one byte
 * off is decoded and checked afresh.  Eviction keeps the bound and never
 * frees an entry a module uses (the sanitizers and valgrind watch).
 */
#define _GNU_SOURCE                    /* memmem */
#include "rt_test.h"
#include "rt/rt.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The calc plugin's descriptor, as the build embedded it in rt_calc.so. */
static const uint8_t plugin_desc[] = {
#include "plugin/desc.inc"
};

static char root[64];                  /* a scratch directory */
static uint8_t *calc;                  /* rt_calc.so's bytes */
static size_t calc_len;
static size_t desc_at;                 /* where they hold the descriptor */
static size_t producer_at;             /* where the descriptor holds its producer's text */
static size_t add_at;                  /* where it holds the name `add` */

/* ---- helpers -------------------------------------------------------------- */

static rdy__cache_stats stats(rdy_world *w)
{
	rdy__cache_stats s;
	rdy__cache_stats_get(w, &s);
	return s;
}

/* W's cache has made HITS hits and DECODES decodes, and holds ENTRIES, PINNED of them pinned. */
static void expect_stats(rdy_world *w, uint64_t hits, uint64_t decodes, uint32_t entries, uint32_t pinned)
{
	rdy__cache_stats s = stats(w);
	if (s.hits != hits || s.decodes != decodes || s.entries != entries || s.pinned != pinned)
		fail_msg("expected %lu hits, %lu decodes, %u entries, %u pinned;\n"
			 "     got %lu hits, %lu decodes, %u entries, %u pinned",
			 (unsigned long)hits, (unsigned long)decodes, entries, pinned, (unsigned long)s.hits,
			 (unsigned long)s.decodes, s.entries, s.pinned);
}

/* Opening PATH fails with CODE and exactly MSG. */
static void refused(rdy_world *w, const char *path, int code, const char *msg)
{
	rdy_error *e = NULL;
	assert_null(rdy_module_open(w, path, &e));
	if (rdy_error_code(e) != code || strcmp(rdy_error_message(e), msg))
		fail_msg("expected %d `%s`\n     got %d `%s`", code, msg, rdy_error_code(e), rdy_error_message(e));
	rdy_error_free(e);
}

/* rt_calc's absent lines (test_rt.c, gated_exports_bind_as_absent), for PATH. */
static void expect_absent(const rdy_module *m, const char *path)
{
	static const char *const lines[] = {
		"function `ping` (since 1.1.0) is absent from the plugin; it binds as absent",
		"test:rt/calc@1.1.0: function `extra` (since 1.1.0) is absent from the plugin; it binds as absent",
	};
	assert_int_equal(rdy_module_nabsent(m), 2);
	for (uint32_t i = 0; i < 2; i++) {
		char want[512];
		snprintf(want, sizeof want, "%s: %s", path, lines[i]);
		assert_string_equal(rdy_module_absent(m, i), want);
	}
	assert_null(rdy_module_absent(m, 2));
}

/* An instance of M works: its exports, its imports, and a refusal that names a plugin's import. */
static void expect_working(rdy_module *m)
{
	rt_host h = { .factor = 3 };
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, NULL);
	assert_non_null(inst);
	uint32_t r = 0;
	assert_int_equal(rt_add(inst, 2, 3, &r), RDY_OK);
	assert_int_equal(r, 5);
	assert_int_equal(rt_scaled(inst, 5, &r), RDY_OK);
	assert_int_equal(r, 15);
	char out[64];
	assert_int_equal(rt_greet(inst, "cache", out, sizeof out), RDY_OK);
	assert_string_equal(out, "hello, cache");
	assert_null(rdy_instance_exports(inst)[E_PING].call);
	rdy_instance_free(inst, NULL);
	rdy_func_v1 table[H_NIMPORTS];
	memcpy(table, rt_imports, sizeof table);
	table[H_SCALE].call = NULL;
	rdy_error *e = NULL;
	assert_null(rdy_instance_new(m, table, H_NIMPORTS, &h, &e));
	char want[256];
	snprintf(want, sizeof want, "%s: the host does not provide import `test:rt/host@1.0.0`.`scale`",
		 rdy_module_path(m));
	assert_string_equal(rdy_error_message(e), want);
	rdy_error_free(e);
}

/* Writes LEN bytes to NAME in the scratch directory; returns its path, valid until the next call. */
static const char *put(const char *name, const void *bytes, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", root, name);
	unlink(path);                      /* a new file, never one that is mapped */
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Descriptor K of many: the calc plugin's, its producer's last two letters changed (K < 676). */
static void vary(uint8_t *desc, unsigned k)
{
	desc[producer_at + 0] = (uint8_t)('a' + k % 26);
	desc[producer_at + 1] = (uint8_t)('a' + k / 26);
}

/* rt_calc.so with descriptor K of many (vary), as NAME; its path, valid until the next put. */
static const char *calc_variant(const char *name, unsigned k)
{
	uint8_t *so = malloc(calc_len);
	assert_non_null(so);
	memcpy(so, calc, calc_len);
	vary(so + desc_at, k);
	const char *path = put(name, so, calc_len);
	free(so);
	return path;
}

/* Declares descriptor K of many (vary), which must be accepted. */
static void expect_variant(rdy_world *w, unsigned k)
{
	uint8_t d[sizeof plugin_desc];
	memcpy(d, plugin_desc, sizeof d);
	vary(d, k);
	rdy_error *e = NULL;
	if (rdy_world_expect(w, d, sizeof d, &e) != RDY_OK)
		fail_msg("rdy_world_expect: %s", rdy_error_message(e));
}

static size_t find(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
	const uint8_t *p = memmem(hay, n, needle, k);
	assert_non_null(p);
	assert_null(memmem(p + 1, n - (size_t)(p - hay) - 1, needle, k));  /* just once */
	return (size_t)(p - hay);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/rdy-rt-cache-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	FILE *f = fopen(RT_PLUGIN("rt_calc"), "rb");
	if (!f || fseek(f, 0, SEEK_END) || (calc_len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET) ||
	    !(calc = malloc(calc_len)) || fread(calc, 1, calc_len, f) != calc_len)
		return -1;
	fclose(f);
	desc_at = find(calc, calc_len, plugin_desc, sizeof plugin_desc);
	rdy_desc *d = rdy_desc_decode(plugin_desc, sizeof plugin_desc, NULL, 0);
	const char *producer = d ? rdy_desc_producer(d) : NULL;
	if (!producer || strlen(producer) < 2)
		return -1;
	producer_at = find(plugin_desc, sizeof plugin_desc, producer, strlen(producer)) + strlen(producer) - 2;
	rdy_desc_free(d);
	add_at = find(plugin_desc, sizeof plugin_desc, "\003add", 4) + 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(calc);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- hits ------------------------------------------------------------------ */

/* The second open of a file, and an open of a copy elsewhere, are hits that give what the first gave. */
static void opening_again_is_a_hit(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	expect_stats(w, 0, 1, 1, 0);
	expect_absent(m, path);
	rt_close(m);
	m = rt_open(w, path);
	expect_stats(w, 1, 1, 1, 0);
	assert_string_equal(rdy_module_producer(m), "rdylib tests (by hand)");
	expect_absent(m, path);
	expect_working(m);
	/* Two modules at once share the entry; a copy of the file at another path names its own path. */
	const char *copy = put("copy.so", calc, calc_len);
	rdy_module *n = rt_open(w, copy);
	expect_stats(w, 2, 1, 1, 0);
	expect_absent(n, copy);
	expect_absent(m, path);
	expect_working(n);
	rt_close(m);
	expect_working(n);
	rt_close(n);
	rdy_world_free(w);
}

/* A hit skips decode and check, never the steps after: a bad root symbol is refused every time. */
static void a_hit_still_validates_the_root_symbol(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	static const struct {
		const char *plugin;
		const char *msg;
	} cases[] = {
		{ RT_PLUGIN("rt_bad_nexports"),
		  "root symbol's nexports is 3; its descriptor has 4 exported functions" },
		{ RT_PLUGIN("rt_bad_descriptor"), "root symbol's descriptor differs from the descriptor note" },
		{ RT_PLUGIN("rt_bad_call"), "root symbol's export 2, `test:rt/calc@1.0.0`.`total`, has no call" },
		{ RT_PLUGIN("rt_undefined"), "dlopen: undefined symbol: rt_nowhere" },
	};
	uint64_t hits = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: %s", cases[i].plugin, cases[i].msg);
		for (int k = 0; k < 2; k++)
			refused(w, cases[i].plugin, i == 3 ? RDY_EDLOPEN : RDY_EFORMAT, msg);
		expect_stats(w, hits += 2, 1, 1, 0);  /* they all carry rt_calc's descriptor */
	}
	expect_working(m);
	rt_close(m);
	rdy_world_free(w);
}

/* ---- what is not cached --------------------------------------------------------- */

/* A refused descriptor is decoded and checked at every open, and refused the same way. */
static void refusals_are_not_cached(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_changed");
	char msg[1024];
	snprintf(msg, sizeof msg,
		 "%s: test:rt/host@1.0.0: function `log`: parameter `msg`: host expects string, plugin has list<u8>\n"
		 "%s: test:rt/calc@1.1.0: function `add`: parameter `b`: host expects u32, plugin has u64",
		 path, path);
	for (uint64_t k = 1; k <= 3; k++) {
		refused(w, path, RDY_EINCOMPATIBLE, msg);
		expect_stats(w, 0, k, 0, 0);
	}
	rdy_world_free(w);
}

/* One byte off a cached descriptor is another descriptor: decoded and checked, accepted or refused on its own. */
static void one_byte_off_is_decoded_again(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	/* The producer's text: as compatible as before. */
	const char *path = calc_variant("producer.so", 0);
	rdy_module *n = rt_open(w, path);
	expect_stats(w, 0, 2, 2, 0);
	expect_absent(n, path);
	expect_working(n);
	rt_close(n);
	/* `add` renamed `adc`: the host's `add` is missing. */
	uint8_t *so = malloc(calc_len);
	assert_non_null(so);
	memcpy(so, calc, calc_len);
	so[desc_at + add_at + 2] = 'c';
	path = put("adc.so", so, calc_len);
	free(so);
	char msg[512];
	snprintf(msg, sizeof msg, "%s: test:rt/calc@1.1.0: function `add` is missing from the plugin", path);
	refused(w, path, RDY_EINCOMPATIBLE, msg);
	expect_stats(w, 0, 3, 2, 0);
	/* The same refusal as a world that has seen nothing. */
	rdy_world *fresh = rt_world();
	refused(fresh, path, RDY_EINCOMPATIBLE, msg);
	rdy_world_free(fresh);
	rt_close(m);
	rdy_world_free(w);
}

/* ---- rdy_world_expect ------------------------------------------------------------ */

static void expect_makes_the_first_open_a_hit(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	expect_stats(w, 0, 1, 1, 1);
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	expect_stats(w, 1, 1, 1, 1);
	expect_absent(m, path);        /* the path, not "expected plugin descriptor" */
	expect_working(m);
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	expect_stats(w, 2, 1, 1, 1);
	rt_close(m);
	rdy_world_free(w);
}

/* A descriptor an open cached, then declared, is pinned; refused declarations leave nothing. */
static void expect_pins_what_an_open_cached(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rt_close(rt_open(w, RT_PLUGIN("rt_calc")));
	expect_stats(w, 0, 1, 1, 0);
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	expect_stats(w, 1, 1, 1, 1);
	assert_int_equal(rdy_world_expect(w, rt_host_desc, rt_host_desc_len, NULL), RDY_EFORMAT);
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc - 1, NULL), RDY_EFORMAT);
	expect_stats(w, 1, 3, 1, 1);
	rdy_world_free(w);
}

/* ---- the bound ------------------------------------------------------------------ */

/*
 * A full cache evicts an entry a module still uses: the module keeps it,
 * and works on, until it closes.  Declared descriptors go only once every
 * entry is declared, the least recently used first.
 */
static void eviction_never_frees_an_entry_in_use(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	for (unsigned k = 0; k < RDY__CACHE_MAX; k++)
		expect_variant(w, k);
	expect_stats(w, 0, RDY__CACHE_MAX + 1, RDY__CACHE_MAX, RDY__CACHE_MAX);
	expect_absent(m, path);        /* rt_calc's entry is gone from the cache, not from M */
	expect_working(m);
	rdy_module *n = rt_open(w, path);
	expect_stats(w, 0, RDY__CACHE_MAX + 2, RDY__CACHE_MAX, RDY__CACHE_MAX - 1);
	rt_close(m);
	expect_working(n);
	/* Variant 0 went for rt_calc, the least recently used of the declared. */
	expect_variant(w, 1);
	expect_stats(w, 1, RDY__CACHE_MAX + 2, RDY__CACHE_MAX, RDY__CACHE_MAX - 1);
	expect_variant(w, 0);
	expect_stats(w, 1, RDY__CACHE_MAX + 3, RDY__CACHE_MAX, RDY__CACHE_MAX);
	rt_close(n);
	rdy_world_free(w);
}

/* Opened descriptors go least recently used first, and before any declared one. */
static void opened_entries_go_first_least_recently_used(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	for (unsigned k = 0; k < RDY__CACHE_MAX - 3; k++)
		expect_variant(w, 300 + k); /* never one of the files' */
	char a[128], b[128];
	snprintf(a, sizeof a, "%s", calc_variant("a.so", 0));
	snprintf(b, sizeof b, "%s", calc_variant("b.so", 1));
	rt_close(rt_open(w, a));
	rt_close(rt_open(w, b));
	rt_close(rt_open(w, a));       /* now b is the least recently used */
	uint64_t decodes = RDY__CACHE_MAX;
	expect_stats(w, 1, decodes, RDY__CACHE_MAX, RDY__CACHE_MAX - 2);
	for (unsigned k = 2; k < 2 + 2 * RDY__CACHE_MAX; k++) {
		/* Each new one evicts the one before it, b first: a is used on every round. */
		rt_close(rt_open(w, calc_variant("c.so", k)));
		rt_close(rt_open(w, a));
		expect_stats(w, k, ++decodes, RDY__CACHE_MAX, RDY__CACHE_MAX - 2);
	}
	rt_close(rt_open(w, b));
	expect_stats(w, 2 + 2 * RDY__CACHE_MAX - 1, ++decodes, RDY__CACHE_MAX, RDY__CACHE_MAX - 2);
	rt_close(rt_open(w, RT_PLUGIN("rt_calc")));  /* declared: never evicted by these */
	expect_stats(w, 2 + 2 * RDY__CACHE_MAX, decodes, RDY__CACHE_MAX, RDY__CACHE_MAX - 2);
	rdy_world_free(w);
}

/* Freeing the world first is safe with a full cache: the modules hold their entries, and the world. */
static void the_last_close_frees_the_cache(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	for (unsigned k = 0; k < RDY__CACHE_MAX + 5; k++)
		expect_variant(w, k);
	rdy_world_free(w);
	expect_absent(m, RT_PLUGIN("rt_calc"));
	expect_working(m);
	rt_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opening_again_is_a_hit),
		cmocka_unit_test(a_hit_still_validates_the_root_symbol),
		cmocka_unit_test(refusals_are_not_cached),
		cmocka_unit_test(one_byte_off_is_decoded_again),
		cmocka_unit_test(expect_makes_the_first_open_a_hit),
		cmocka_unit_test(expect_pins_what_an_open_cached),
		cmocka_unit_test(eviction_never_frees_an_entry_in_use),
		cmocka_unit_test(opened_entries_go_first_least_recently_used),
		cmocka_unit_test(the_last_close_frees_the_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
