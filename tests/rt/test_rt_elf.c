/*
 * The loader's static reading of a plugin (rdy_elf_read_plugin, src/abi/elf.c)
 * on a real one, rt_calc.so: its root symbol is found through .dynsym, and
 * no damaged byte in what the reader reads (the ELF header, the dynamic
 * symbols and their names, the descriptor, the section headers) makes it
 * crash or read out of bounds; the sanitizers and valgrind watch.
 */
#define _GNU_SOURCE                    /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/elf.h"
#include "rdy/abi.h"

#define PLUGIN RT_PLUGIN_DIR "/rt_calc.so"

static char root[64];
static uint8_t *so;                    /* rt_calc.so's bytes */
static size_t len;

static const char *put(const uint8_t *bytes, size_t n)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/damaged.so", root);
	unlink(path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Reads PATH, which may pass or fail, but only with bytes or a message that names it. */
static int read_any(const char *path, char *err, size_t errlen)
{
	rdy_elf_plugin read;
	int rc = rdy_elf_read_plugin(path, RDY_PLUGIN_SYMBOL, sizeof(rdy_plugin_root_v1), &read, err, errlen);
	if (rc == 0) {
		assert_true(read.len >= 12);
		assert_memory_equal(read.desc, "\x7fRDY", 4);
		assert_true(read.root_size >= sizeof(rdy_plugin_root_v1));
	} else {
		assert_null(read.buf);
		assert_null(read.desc);
		assert_int_equal(read.len, 0);
		assert_int_equal(strncmp(err, path, strlen(path)), 0);
	}
	rdy_elf_plugin_free(&read);
	return rc;
}

static void reads_descriptor_and_root(void **state)
{
	(void)state;
	char err[256] = "";
	if (read_any(PLUGIN, err, sizeof err) != 0)
		fail_msg("%s", err);
}

/* The name in .dynstr, changed: dlsym would not find it, and neither does the reader. */
static void renamed_root(void **state)
{
	(void)state;
	uint8_t *name = memmem(so, len, RDY_PLUGIN_SYMBOL, sizeof RDY_PLUGIN_SYMBOL);
	assert_non_null(name);
	name[0] = 'R';
	char err[256], want[256];
	const char *path = put(so, len);
	assert_int_equal(read_any(path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: no root symbol `rdy_plugin_v1`: not an rdylib plugin", path);
	assert_string_equal(err, want);
	name[0] = 'r';
}

static void damage(size_t from, size_t to)
{
	char err[512];
	for (size_t i = from; i < to && i < len; i++) {
		so[i] ^= 0xff;
		read_any(put(so, len), err, sizeof err);
		so[i] ^= 0xff;
	}
}

static void every_damaged_byte_it_reads(void **state)
{
	(void)state;
	Elf64_Ehdr eh;
	memcpy(&eh, so, sizeof eh);
	const uint8_t *desc = memmem(so, len, "\x7fRDY\x01\x00\x02\x00", 8);
	assert_non_null(desc);
	damage(0, 0x600);                  /* headers, .dynsym, .dynstr */
	damage((size_t)(desc - so), (size_t)(desc - so) + 16);
	damage(eh.e_shoff, len);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/rdy-rt-elf-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	FILE *f = fopen(PLUGIN, "rb");
	if (!f)
		return -1;
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	len = n > 0 ? (size_t)n : 0;
	so = len ? malloc(len) : NULL;
	rewind(f);
	int rc = so && fread(so, 1, len, f) == len ? 0 : -1;
	fclose(f);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	free(so);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_descriptor_and_root),
		cmocka_unit_test(renamed_root),
		cmocka_unit_test(every_damaged_byte_it_reads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
