/* What the pinning tests share: see pin_test.h. */
#define _GNU_SOURCE                    /* nftw's FTW_DEPTH and FTW_PHYS */
#include "pin_test.h"

#include <dirent.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

char pin_root[64];

int pin_setup(void **state)
{
	(void)state;
	strcpy(pin_root, "/tmp/rdy-pin-XXXXXX");
	return mkdtemp(pin_root) ? 0 : -1;
}

/* Directories the tests made unwritable become writable again, so that everything goes. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	(void)st;
	return 0;
}

int pin_teardown(void **state)
{
	(void)state;
	nftw(pin_root, open_up, 16, FTW_PHYS);
	return nftw(pin_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *pin_path(int slot, const char *name)
{
	static char paths[8][256];
	snprintf(paths[slot], sizeof paths[slot], "%s/%s", pin_root, name);
	return paths[slot];
}

uint8_t *pin_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot be read", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	uint8_t *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

void pin_put(const char *path, const void *bytes, size_t len)
{
	unlink(path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void pin_sha256(const void *bytes, size_t len, uint8_t digest[32])
{
	unsigned n = 0;
	assert_int_equal(EVP_Digest(bytes, len, digest, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
}

void pin_hex(const uint8_t digest[32], char hex[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

void pin_expect_error(rdy_error *e, int code, const char *fmt, ...)
{
	char want[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	if (!e)
		fail_msg("expected the error \"%s\", got none", want);
	if (rdy_error_code(e) != code || strcmp(rdy_error_message(e), want))
		fail_msg("expected %d \"%s\"\n     got %d \"%s\"", code, want, rdy_error_code(e), rdy_error_message(e));
	rdy_error_free(e);
}

unsigned pin_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	unsigned n = 0;
	for (struct dirent *de; (de = readdir(d));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}
