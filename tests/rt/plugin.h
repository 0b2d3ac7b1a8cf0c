/*
 * What every test plugin has, as a generated one will: its descriptor in its
 * ELF note (RDY_DESCRIPTOR_NOTE), from desc.inc, which the build encodes for each
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

/* The descriptor's size: a compound literal in sizeof makes no object. */
enum {
	RT_DESCRIPTOR_BYTES_LEN = sizeof((const uint8_t[]){
#include "desc.inc"
	})
};

__attribute__((section(RDY_DESCRIPTOR_SECTION), used, aligned(4)))
static const RDY_DESCRIPTOR_NOTE(RT_DESCRIPTOR_BYTES_LEN) rt_descriptor_note =
	{ 4, RT_DESCRIPTOR_BYTES_LEN, RDY_DESCRIPTOR_NOTE_TYPE, RDY_DESCRIPTOR_NOTE_NAME, {
#include "desc.inc"
	} };
#define rt_descriptor (rt_descriptor_note.desc)

__attribute__((constructor)) static void rt_mark(void)
{
	const char *path = getenv("RDY_RT_MARK");
	FILE *f = path ? fopen(path, "w") : NULL;
	if (f)
		fclose(f);
}

#endif
