/*
 * The runtime (include/rdy.h) through librdy.so: plugins opened, bound,
 * instantiated, called and closed, and every way a file is refused, each
 * with its exact status and message.  Each refused plugin has a
 * constructor that leaves a mark (plugin.h), so the tests also prove that a
 * plugin refused before dlopen ran no code.
 */
#define _GNU_SOURCE                    /* RTLD_NOLOAD: is the object still mapped? */
#include "rt_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The calc plugin's descriptor, as the build embedded it in rt_calc.so. */
static const uint8_t plugin_desc[] = {
#include "plugin/desc.inc"
};

/* The descriptor of a plugin of another world (wit/changed), as rt_changed.so embeds it. */
static const uint8_t changed_desc[] = {
#include "changed/desc.inc"
};

static char root[64];                  /* a scratch directory */
static char mark[96];                  /* the file a plugin's constructor creates */

/* ---- helpers -------------------------------------------------------------- */

static rdy_instance *instance(rdy_module *m, rt_host *h)
{
	rdy_error *e = NULL;
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, h, &e);
	if (!inst)
		fail_msg("rdy_instance_new: %s", rdy_error_message(e));
	return inst;
}

/* E has CODE and the message "SUBJECT: " then FMT; it is freed. */
static void expect_error(rdy_error *e, int code, const char *subject, const char *fmt, ...)
{
	char want[4096];
	int n = snprintf(want, sizeof want, "%s: ", subject);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want + n, sizeof want - (size_t)n, fmt, ap);
	va_end(ap);
	assert_non_null(e);
	if (rdy_error_code(e) != code || strcmp(rdy_error_message(e), want))
		fail_msg("expected %d `%s`\n     got %d `%s`", code, want, rdy_error_code(e), rdy_error_message(e));
	rdy_error_free(e);
}

static bool marked(void)
{
	return access(mark, F_OK) == 0;
}

/* Whether the object at PATH is mapped in this process. */
static bool loaded(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

/* Opening PATH fails with CODE and "PATH: MSG", and no code of the plugin has run. */
static void refused(rdy_world *w, const char *path, int code, const char *msg)
{
	unlink(mark);
	rdy_error *e = NULL;
	assert_null(rdy_module_open(w, path, &e));
	expect_error(e, code, path, "%s", msg);
	assert_null(rdy_module_open(w, path, NULL));  /* ERR may be NULL */
	if (marked())
		fail_msg("%s: refused, but the plugin's constructor ran", path);
}

/* As refused, for a plugin refused after dlopen: it is unloaded again. */
static void refused_loaded(rdy_world *w, const char *path, int code, const char *msg)
{
	rdy_error *e = NULL;
	assert_null(rdy_module_open(w, path, &e));
	expect_error(e, code, path, "%s", msg);
	if (loaded(path))
		fail_msg("%s: refused, but still loaded", path);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	uint8_t *b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
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

/* Where the calc plugin's file holds its descriptor. */
static size_t descriptor_offset(const uint8_t *so, size_t len)
{
	const uint8_t *p = memmem(so, len, plugin_desc, sizeof plugin_desc);
	assert_non_null(p);
	return (size_t)(p - so);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/rdy-rt-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(mark, sizeof mark, "%s/mark", root);
	return setenv("RDY_RT_MARK", mark, 1);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- what works ----------------------------------------------------------- */

static void opens_calls_and_closes(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	assert_int_equal(rdy_world_nexports(w), E_NEXPORTS);
	assert_int_equal(rdy_world_nimports(w), H_NIMPORTS);
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	assert_string_equal(rdy_module_path(m), RT_PLUGIN("rt_calc"));
	assert_string_equal(rdy_module_producer(m), "rdylib tests (by hand)");
	rt_host ha = { .factor = 2 }, hb = { .factor = 3 };
	rdy_instance *a = instance(m, &ha), *b = instance(m, &hb);
	assert_ptr_equal(rdy_instance_module(a), m);
	assert_ptr_not_equal(rdy_instance_self(a), rdy_instance_self(b));
	assert_ptr_equal(rdy_instance_exports(a), rdy_instance_exports(b));
	uint32_t r = 0;
	assert_int_equal(rt_add(a, 2, 3, &r), RDY_OK);
	assert_int_equal(r, 5);
	assert_int_equal(rt_add(a, 10, 20, &r), RDY_OK);
	assert_int_equal(rt_add(b, 100, 1, &r), RDY_OK);
	assert_int_equal(r, 101);
	assert_int_equal(rt_total(a, &r), RDY_OK);
	assert_int_equal(r, 35);           /* each instance has its own state */
	assert_int_equal(rt_total(b, &r), RDY_OK);
	assert_int_equal(r, 101);
	char out[64];
	assert_int_equal(rt_greet(a, "world", out, sizeof out), RDY_OK);
	assert_string_equal(out, "hello, world");
	assert_int_equal(rt_greet(b, "", out, sizeof out), RDY_OK);
	assert_string_equal(out, "hello, ");
	rdy_instance_free(a, NULL);
	rdy_instance_free(b, NULL);
	rt_close(m);
	assert_false(loaded(RT_PLUGIN("rt_calc")));
	rdy_world_free(w);
}

/* The control for every `refused`: loading a plugin does run its constructor. */
static void the_mark_shows_plugin_code_ran(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	unlink(mark);
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	assert_true(marked());
	rt_close(m);
	rdy_world_free(w);
}

/* Each instance's imports reach its own host context, whatever the host's order. */
static void imports_are_bound_per_instance(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	rt_host ha = { .factor = 2 }, hb = { .factor = 10, .hint = 1 };
	rdy_func_v1 table[H_NIMPORTS];
	memcpy(table, rt_imports, sizeof table);
	rdy_instance *a = rdy_instance_new(m, table, H_NIMPORTS, &ha, NULL);
	memset(table, 0, sizeof table);   /* the runtime copied it */
	rdy_instance *b = instance(m, &hb);
	assert_non_null(a);
	uint32_t r = 0;
	assert_int_equal(rt_scaled(a, 5, &r), RDY_OK);
	assert_int_equal(r, 10);
	assert_string_equal(ha.log, "scaled 5");
	assert_int_equal(rt_scaled(b, 7, &r), RDY_OK);
	assert_int_equal(r, 71);
	assert_string_equal(hb.log, "scaled 7");
	assert_int_equal(ha.nlogs, 1);
	assert_int_equal(hb.nlogs, 1);
	rdy_instance_free(a, NULL);
	rdy_instance_free(b, NULL);
	rt_close(m);
	rdy_world_free(w);
}

/*
 * What the plugin lacks and the host gates binds as absent: CALL NULL, and a
 * line each.  The plugin's gated import `clock`, which the host leaves out,
 * is no such line: rt_calc's instance_new checks that it sees it absent.
 * The host's world deprecates `hint`, which the plugin imports: a line too.
 */
static void gated_exports_bind_as_absent(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	rt_host h = { .factor = 1 };
	rdy_instance *inst = instance(m, &h);
	const rdy_func_v1 *t = rdy_instance_exports(inst);
	for (int i = 0; i < E_NEXPORTS; i++) {
		bool absent = i == E_PING || i == E_EXTRA;
		assert_int_equal(t[i].call == NULL, absent);
		assert_int_equal(t[i].release == NULL, i != E_GREET);
	}
	assert_int_equal(rdy_module_nabsent(m), 2);
	char want[512];
	snprintf(want, sizeof want, "%s: function `ping` (since 1.1.0) is absent from the plugin; it binds as absent",
		 path);
	assert_string_equal(rdy_module_absent(m, 0), want);
	snprintf(want, sizeof want,
		 "%s: test:rt/calc@1.1.0: function `extra` (since 1.1.0) is absent from the plugin; it binds as absent",
		 path);
	assert_string_equal(rdy_module_absent(m, 1), want);
	assert_null(rdy_module_absent(m, 2));
	assert_int_equal(rdy_module_ndeprecated(m), 1);
	snprintf(want, sizeof want, "%s: test:rt/host@1.0.0: function `hint` is deprecated since 1.1.0", path);
	assert_string_equal(rdy_module_deprecated(m, 0), want);
	assert_null(rdy_module_deprecated(m, 1));
	assert_int_equal(rdy_module_ndeprecated(NULL), 0);
	rdy_instance_free(inst, NULL);
	rt_close(m);
	rdy_world_free(w);
}

/* `hint` is gated @since in the plugin's world: the host may leave it out, and the plugin does without. */
static void gated_imports_may_be_left_out(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc"));
	rdy_func_v1 table[H_NIMPORTS];
	memcpy(table, rt_imports, sizeof table);
	table[H_HINT] = (rdy_func_v1){ NULL, NULL };
	rt_host h = { .factor = 2, .hint = 100 };
	rdy_error *e = NULL;
	rdy_instance *inst = rdy_instance_new(m, table, H_NIMPORTS, &h, &e);
	if (!inst)
		fail_msg("%s", rdy_error_message(e));
	uint32_t r = 0;
	assert_int_equal(rt_scaled(inst, 5, &r), RDY_OK);
	assert_int_equal(r, 10);
	rdy_instance_free(inst, NULL);
	rt_close(m);
	rdy_world_free(w);
}

static void ungated_imports_must_be_given(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	rt_host h = { .factor = 2 };
	static const struct {
		int missing;
		const char *name;
	} cases[] = { { H_SCALE, "scale" }, { H_LOG, "log" } };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rdy_func_v1 table[H_NIMPORTS];
		memcpy(table, rt_imports, sizeof table);
		table[cases[i].missing].call = NULL;
		rdy_error *e = NULL;
		assert_null(rdy_instance_new(m, table, H_NIMPORTS, &h, &e));
		expect_error(e, RDY_EINVAL, path, "the host does not provide import `test:rt/host@1.0.0`.`%s`",
			     cases[i].name);
	}
	rdy_error *e = NULL;
	assert_null(rdy_instance_new(m, rt_imports, H_NIMPORTS - 1, &h, &e));
	expect_error(e, RDY_EINVAL, path, "3 imports given, the host's world has 4");
	assert_null(rdy_instance_new(m, NULL, H_NIMPORTS, &h, &e));
	expect_error(e, RDY_EINVAL, path, "0 imports given, the host's world has 4");
	rt_close(m);                       /* no instance was counted */
	rdy_world_free(w);
}

static void close_waits_for_instances(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	rt_host h = { .factor = 1 };
	rdy_instance *a = instance(m, &h), *b = instance(m, &h);
	rdy_error *e = NULL;
	assert_int_equal(rdy_module_close(m, &e), RDY_EBUSY);
	expect_error(e, RDY_EBUSY, path, "2 instances are still live");
	uint32_t r = 0;
	assert_int_equal(rt_add(b, 1, 2, &r), RDY_OK);   /* untouched */
	assert_int_equal(r, 3);
	rdy_instance_free(a, NULL);
	assert_int_equal(rdy_module_close(m, &e), RDY_EBUSY);
	expect_error(e, RDY_EBUSY, path, "1 instance is still live");
	assert_int_equal(rdy_module_close(m, NULL), RDY_EBUSY);
	rdy_instance_free(b, NULL);
	rt_close(m);
	rdy_world_free(w);
}

static void instance_new_traps(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_trap");
	rdy_module *m = rt_open(w, path);
	assert_string_equal(rdy_module_producer(m), "rdylib tests (stub)");
	rt_host h = { 0 };
	rdy_error *e = NULL;
	assert_null(rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, &e));
	expect_error(e, RDY_ETRAP, path, "instance_new trapped (status 7)");
	rt_close(m);
	rdy_world_free(w);
}

/* Modules hold the world: freeing it first is safe, and the last close frees it. */
static void modules_keep_their_world(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, RT_PLUGIN("rt_calc")), *n = rt_open(w, RT_PLUGIN("rt_calc"));
	rdy_world_free(w);
	rt_host h = { .factor = 1 };
	rdy_instance *inst = instance(m, &h);
	uint32_t r = 0;
	assert_int_equal(rt_add(inst, 4, 5, &r), RDY_OK);
	assert_int_equal(r, 9);
	rdy_instance_free(inst, NULL);
	rt_close(m);
	inst = instance(n, &h);
	assert_int_equal(rt_total(inst, &r), RDY_OK);
	assert_int_equal(r, 0);
	rdy_instance_free(inst, NULL);
	rt_close(n);
}

/* Without a slash dlopen would search the library path; the runtime loads the file it checked. */
static void a_bare_file_name_is_the_file_here(void **state)
{
	(void)state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(RT_PLUGIN_DIR), 0);
	rdy_world *w = rt_world();
	rdy_module *m = rt_open(w, "rt_calc.so");
	assert_string_equal(rdy_module_path(m), "rt_calc.so");
	rt_host h = { .factor = 1 };
	rdy_instance *inst = instance(m, &h);
	char out[32];
	assert_int_equal(rt_greet(inst, "there", out, sizeof out), RDY_OK);
	assert_string_equal(out, "hello, there");
	rdy_instance_free(inst, NULL);
	rt_close(m);
	rdy_world_free(w);
	assert_int_equal(chdir(cwd), 0);
}

/* ---- what is refused before dlopen ---------------------------------------- */

static void incompatible_plugin(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *path = RT_PLUGIN("rt_changed");
	char msg[1024];
	snprintf(msg, sizeof msg,
		 "test:rt/host@1.0.0: function `log`: parameter `msg`: host expects string, plugin has list<u8>\n"
		 "%s: test:rt/calc@1.1.0: function `add`: parameter `b`: host expects u32, plugin has u64",
		 path);
	refused(w, path, RDY_EINCOMPATIBLE, msg);
	rdy_world_free(w);
}

static void not_a_plugin_file(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	refused(w, put("empty.so", "", 0), RDY_EFORMAT, "not an ELF file");
	refused(w, put("text.so", "hello, world\n", 13), RDY_EFORMAT, "not an ELF file");
	refused(w, root, RDY_EIO, "not a regular file");
	char missing[128];
	snprintf(missing, sizeof missing, "%s/missing.so", root);
	refused(w, missing, RDY_EIO, "No such file or directory");
	rdy_world_free(w);
}

static void truncated_plugin(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	size_t len;
	uint8_t *so = slurp(RT_PLUGIN("rt_calc"), &len);
	Elf64_Ehdr eh;
	memcpy(&eh, so, sizeof eh);
	char msg[256];
	snprintf(msg, sizeof msg, "file is truncated: its section header table starts at byte %llu, the file has %zu",
		 (unsigned long long)eh.e_shoff, len - 1);
	refused(w, put("cut.so", so, len - 1), RDY_EFORMAT, msg);
	refused(w, put("cut.so", so, 40), RDY_EFORMAT, "ELF header is truncated or damaged");
	/* Every cut is refused as a bad file, before any of it runs. */
	for (size_t n = 0; n < len; n += n < 256 ? 1 : 61) {
		const char *path = put("cut.so", so, n);
		rdy_error *e = NULL;
		unlink(mark);
		assert_null(rdy_module_open(w, path, &e));
		assert_int_equal(rdy_error_code(e), RDY_EFORMAT);
		assert_int_equal(strncmp(rdy_error_message(e), path, strlen(path)), 0);
		rdy_error_free(e);
		assert_false(marked());
	}
	free(so);
	rdy_world_free(w);
}

static void no_root_symbol(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	refused(w, RT_PLUGIN("rt_noroot"), RDY_EFORMAT, "no root symbol `rdy_plugin_v1`: not an rdylib plugin");
	refused(w, RT_PLUGIN("rt_smallroot"), RDY_EFORMAT,
		"root symbol `rdy_plugin_v1` is 8 bytes; ABI v1's is at least 72");
	/* Versioned roots: what dlsym would return, the default version's, or none when only a hidden one is there. */
	refused(w, RT_PLUGIN("rt_verold"), RDY_EFORMAT, "no root symbol `rdy_plugin_v1`: not an rdylib plugin");
	refused(w, RT_PLUGIN("rt_verboth"), RDY_EFORMAT,
		"root symbol `rdy_plugin_v1` is 8 bytes; ABI v1's is at least 72");
	rdy_world_free(w);
}

/* The calc plugin with a byte of its descriptor section changed. */
static void damaged_descriptor(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	size_t len;
	uint8_t *so = slurp(RT_PLUGIN("rt_calc"), &len);
	size_t at = descriptor_offset(so, len);
	static const struct {
		size_t offset;
		uint8_t value;
		int code;
		const char *msg;
	} cases[] = {
		{ 0, 0x7e, RDY_EFORMAT, "the `RDY` note does not hold a descriptor (bad magic)" },
		{ 4, 2, RDY_EFORMAT, "invalid descriptor: ABI version 2.0 is not supported (this is version 1)" },
		{ 6, 1, RDY_EFORMAT, "its descriptor describes a host, not a plugin" },
		{ 7, 4, RDY_EFORMAT, "invalid descriptor: reserved flags 0x4 are set" },
		{ 14, 0x7f, RDY_EFORMAT,
		  "invalid descriptor at byte 14: count 127 exceeds the bytes left in the section" },
		{ 17, 0xff, RDY_EFORMAT, "invalid descriptor at byte 15: string 0 is not valid UTF-8 text" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint8_t old = so[at + cases[i].offset];
		so[at + cases[i].offset] = cases[i].value;
		refused(w, put("damaged.so", so, len), cases[i].code, cases[i].msg);
		so[at + cases[i].offset] = old;
	}
	free(so);
	rdy_world_free(w);
}

/* ---- what is refused after dlopen ------------------------------------------ */

static void dlopen_refuses(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	/* RTLD_NOW: the missing symbol fails the load before any constructor runs. */
	refused(w, RT_PLUGIN("rt_undefined"), RDY_EDLOPEN, "dlopen: undefined symbol: rt_nowhere");
	rdy_world_free(w);
}

/* Each field of the root symbol, wrong in the plugin rt_bad_FIELD. */
static void bad_root_fields(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	char section[96];
	snprintf(section, sizeof section, "descriptor_len is 1; the descriptor note holds %zu",
		 sizeof plugin_desc);
	const struct {
		const char *plugin;
		const char *msg;
	} cases[] = {
		{ RT_PLUGIN("rt_bad_magic"), "magic is 7f 52 44 58, not 7f 52 44 59" },
		{ RT_PLUGIN("rt_bad_major"), "ABI version 2.0 is not supported (this is version 1)" },
		{ RT_PLUGIN("rt_bad_minor"), "ABI version 1.2 is newer than this runtime's 1.1" },
		{ RT_PLUGIN("rt_bad_size"), "size is 8 bytes; ABI v1's is at least 72" },
		{ RT_PLUGIN("rt_bad_reserved"), "reserved field is 1, not 0" },
		{ RT_PLUGIN("rt_bad_descriptor_null"), "descriptor is NULL" },
		{ RT_PLUGIN("rt_bad_descriptor_len"), section },
		{ RT_PLUGIN("rt_bad_descriptor"), "descriptor differs from the descriptor note" },
		{ RT_PLUGIN("rt_bad_nexports"), "nexports is 3; its descriptor has 4 exported functions" },
		{ RT_PLUGIN("rt_bad_nimports"), "nimports is 2; its descriptor has 4 imported functions" },
		{ RT_PLUGIN("rt_bad_exports"), "exports is NULL" },
		{ RT_PLUGIN("rt_bad_call"), "export 2, `test:rt/calc@1.0.0`.`total`, has no call" },
		{ RT_PLUGIN("rt_bad_instance_new"), "instance_new is NULL" },
		{ RT_PLUGIN("rt_bad_instance_free"), "instance_free is NULL" },
		{ RT_PLUGIN("rt_bad_producer"), "producer is NULL" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char msg[256];
		snprintf(msg, sizeof msg, "root symbol's %s", cases[i].msg);
		refused_loaded(w, cases[i].plugin, RDY_EFORMAT, msg);
	}
	rdy_world_free(w);
}

/* ---- declared plugin descriptors ------------------------------------------- */

/*
 * rdy_world_expect checks as an open does, its messages starting with
 * "expected plugin descriptor" where an open's give the path.  What it
 * accepts, plugins carrying the same bytes open with (test_rt_cache counts
 * the hits); what it refuses changes nothing.
 */
static void expected_plugin_descriptors(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	const char *who = "expected plugin descriptor";
	rdy_error *e = NULL;
	assert_int_equal(rdy_world_expect(w, changed_desc, sizeof changed_desc, &e), RDY_EINCOMPATIBLE);
	expect_error(e, RDY_EINCOMPATIBLE, who,
		     "test:rt/host@1.0.0: function `log`: parameter `msg`: host expects string, plugin has list<u8>\n"
		     "%s: test:rt/calc@1.1.0: function `add`: parameter `b`: host expects u32, plugin has u64",
		     who);
	assert_int_equal(rdy_world_expect(w, rt_host_desc, rt_host_desc_len, &e), RDY_EFORMAT);
	expect_error(e, RDY_EFORMAT, who, "the descriptor describes a host, not a plugin");
	assert_int_equal(rdy_world_expect(w, (const uint8_t *)"hello", 5, &e), RDY_EFORMAT);
	expect_error(e, RDY_EFORMAT, who, "invalid descriptor: not an rdylib descriptor (bad magic)");
	assert_int_equal(rdy_world_expect(w, NULL, 0, &e), RDY_EINVAL);
	expect_error(e, RDY_EINVAL, who, "no descriptor");
	assert_int_equal(rdy_world_expect(NULL, plugin_desc, sizeof plugin_desc, &e), RDY_EINVAL);
	expect_error(e, RDY_EINVAL, "rdy_world_expect", "no world");
	assert_int_equal(rdy_world_expect(w, changed_desc, sizeof changed_desc, NULL), RDY_EINCOMPATIBLE);
	/* A refused declaration leaves the plugins as they were. */
	const char *path = RT_PLUGIN("rt_changed");
	char msg[1024];
	snprintf(msg, sizeof msg,
		 "test:rt/host@1.0.0: function `log`: parameter `msg`: host expects string, plugin has list<u8>\n"
		 "%s: test:rt/calc@1.1.0: function `add`: parameter `b`: host expects u32, plugin has u64",
		 path);
	refused(w, path, RDY_EINCOMPATIBLE, msg);
	e = NULL;
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, &e), RDY_OK);
	assert_null(e);
	assert_int_equal(rdy_world_expect(w, plugin_desc, sizeof plugin_desc, NULL), RDY_OK);
	path = RT_PLUGIN("rt_calc");
	rdy_module *m = rt_open(w, path);
	char want[512];
	snprintf(want, sizeof want, "%s: function `ping` (since 1.1.0) is absent from the plugin; it binds as absent",
		 path);
	assert_string_equal(rdy_module_absent(m, 0), want);
	rt_host h = { .factor = 1 };
	rdy_instance *inst = instance(m, &h);
	uint32_t r = 0;
	assert_int_equal(rt_add(inst, 40, 2, &r), RDY_OK);
	assert_int_equal(r, 42);
	rdy_instance_free(inst, NULL);
	refused_loaded(w, RT_PLUGIN("rt_bad_nexports"), RDY_EFORMAT,
		       "root symbol's nexports is 3; its descriptor has 4 exported functions");
	rt_close(m);
	rdy_world_free(w);
}

/* ---- the API's own edges --------------------------------------------------- */

static void bad_host_descriptors(void **state)
{
	(void)state;
	rdy_error *e = NULL;
	assert_null(rdy_world_new((const uint8_t *)"hello", 5, &e));
	expect_error(e, RDY_EFORMAT, "host world", "invalid descriptor: not an rdylib descriptor (bad magic)");
	assert_null(rdy_world_new(plugin_desc, sizeof plugin_desc, &e));
	expect_error(e, RDY_EINVAL, "host world", "the descriptor describes a plugin; give the host's");
	assert_null(rdy_world_new(NULL, 0, &e));
	expect_error(e, RDY_EINVAL, "host world", "no descriptor");
	assert_null(rdy_world_new(plugin_desc, sizeof plugin_desc - 1, NULL));
	rdy_world_free(NULL);
	assert_int_equal(rdy_world_nexports(NULL), 0);
}

static void null_arguments(void **state)
{
	(void)state;
	rdy_world *w = rt_world();
	rdy_error *e = NULL;
	assert_null(rdy_module_open(NULL, "p.so", &e));
	expect_error(e, RDY_EINVAL, "p.so", "no world");
	assert_null(rdy_module_open(w, NULL, &e));
	expect_error(e, RDY_EINVAL, "rdy_module_open", "no path");
	assert_null(rdy_instance_new(NULL, rt_imports, H_NIMPORTS, NULL, &e));
	expect_error(e, RDY_EINVAL, "rdy_instance_new", "no module");
	assert_int_equal(rdy_module_close(NULL, &e), RDY_OK);
	rdy_instance_free(NULL, NULL);
	assert_null(rdy_instance_exports(NULL));
	assert_null(rdy_module_path(NULL));
	assert_int_equal(rdy_module_nabsent(NULL), 0);
	rdy_world_free(w);
}

static void error_objects(void **state)
{
	(void)state;
	assert_string_equal(rdy_strerror(RDY_OK), "success");
	assert_string_equal(rdy_strerror(RDY_EABSENT), "the item is absent");
	assert_string_equal(rdy_strerror(RDY_EINCOMPATIBLE), "the plugin does not match the host's world");
	assert_string_equal(rdy_strerror(RDY_EDEAD), "the instance or handle was closed");
	assert_string_equal(rdy_strerror(77), "the callee trapped with a status of its own");
	assert_string_equal(rdy_strerror(-1), "the callee trapped with a status of its own");
	assert_int_equal(rdy_error_code(NULL), RDY_OK);
	assert_string_equal(rdy_error_message(NULL), "");
	rdy_error_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opens_calls_and_closes),
		cmocka_unit_test(the_mark_shows_plugin_code_ran),
		cmocka_unit_test(imports_are_bound_per_instance),
		cmocka_unit_test(gated_exports_bind_as_absent),
		cmocka_unit_test(gated_imports_may_be_left_out),
		cmocka_unit_test(ungated_imports_must_be_given),
		cmocka_unit_test(close_waits_for_instances),
		cmocka_unit_test(instance_new_traps),
		cmocka_unit_test(modules_keep_their_world),
		cmocka_unit_test(a_bare_file_name_is_the_file_here),
		cmocka_unit_test(incompatible_plugin),
		cmocka_unit_test(not_a_plugin_file),
		cmocka_unit_test(truncated_plugin),
		cmocka_unit_test(no_root_symbol),
		cmocka_unit_test(damaged_descriptor),
		cmocka_unit_test(dlopen_refuses),
		cmocka_unit_test(bad_root_fields),
		cmocka_unit_test(expected_plugin_descriptors),
		cmocka_unit_test(bad_host_descriptors),
		cmocka_unit_test(null_arguments),
		cmocka_unit_test(error_objects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
