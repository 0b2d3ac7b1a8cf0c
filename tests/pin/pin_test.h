/*
 * What the pinning tests share: a scratch directory, files read and
 * written whole, SHA-256 of bytes in memory (OpenSSL, as the runtime), and
 * the exact check of an error.
 */
#ifndef RDY_TEST_PIN_H
#define RDY_TEST_PIN_H

#include "rdy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The scratch directory, made by pin_setup and removed by pin_teardown. */
extern char pin_root[64];
int pin_setup(void **state);
int pin_teardown(void **state);

/* NAME in the scratch directory; valid until the next call with the same SLOT (0..7). */
const char *pin_path(int slot, const char *name);

/* The bytes of PATH, malloc'd, failing the test when it cannot be read. */
uint8_t *pin_slurp(const char *path, size_t *len);
/* Writes LEN bytes to PATH, a new file (the old one unlinked first). */
void pin_put(const char *path, const void *bytes, size_t len);
/* SHA-256 of LEN bytes, and as hex. */
void pin_sha256(const void *bytes, size_t len, uint8_t digest[32]);
void pin_hex(const uint8_t digest[32], char hex[65]);

/* E is an error of CODE with exactly the message FMT...; E is freed. */
void pin_expect_error(rdy_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The names in directory DIR other than . and .., how many. */
unsigned pin_count_entries(const char *dir);

#endif
