/*
 * What every test plugin has, as a generated one will: its descriptor in the
 * .rdy.descriptor section, from desc.inc, which the build encodes for each
 * plugin with the rdy it has just built.  Beside it, a constructor that
 * leaves a mark, the file named by $RDY_RT_MARK, so that a test can tell
 * whether any of the plugin's code ran.
 */
#ifndef RDY_TEST_RT_PLUGIN_H
#define RDY_TEST_RT_PLUGIN_H

#include "rdy/abi.h"

#include <stdio.h>
#include <stdlib.h>

/* Plugins build with -fvisibility=hidden: only this is exported. */
#define RT_EXPORT __attribute__((visibility("default")))

__attribute__((section(RDY_DESCRIPTOR_SECTION), used))
static const uint8_t rt_descriptor[] = {
#include "desc.inc"
};

__attribute__((constructor)) static void rt_mark(void)
{
	const char *path = getenv("RDY_RT_MARK");
	FILE *f = path ? fopen(path, "w") : NULL;
	if (f)
		fclose(f);
}

#endif
