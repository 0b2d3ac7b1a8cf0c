/*
 * What the cmocka tests of resources share: the headers cmocka needs, and
 * the check of a refused handle's message.
 */
#ifndef RES_TEST_H
#define RES_TEST_H

#include <rdy.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* This thread's last handle refusal says exactly FMT, formatted. */
static void assert_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void assert_message(const char *fmt, ...)
{
	char want[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	assert_string_equal(rdy_handle_error(), want);
}

#endif
