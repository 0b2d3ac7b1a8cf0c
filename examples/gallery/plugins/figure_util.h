/*
 * What the gallery's plugins share: an instance with no state of its own,
 * and a result string made with printf.  Each plugin is one file beside
 * this one, with its own object and its own arithmetic.
 */
#ifndef FIGURE_UTIL_H
#define FIGURE_UTIL_H

#include "plugin_plugin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct rdy_state {
	unsigned live; /* how many of this instance's figures exist now */
};

int32_t example_gallery_plugin_instance_new(const rdy_imports_v1 *imports, example_gallery_plugin_state_t **state)
{
	(void)imports;
	return (*state = calloc(1, sizeof **state)) ? RDY_OK : RDY_ETRAP;
}

void example_gallery_plugin_instance_free(example_gallery_plugin_state_t *state)
{
	free(state);
}

/* *RET, a new string from FMT; the generated release frees it. */
static int32_t text(rdy_string_t *ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int32_t text(rdy_string_t *ret, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return n >= 0 && rdy_string_dup(ret, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) ? RDY_OK
												     : RDY_ETRAP;
}

#endif
