/*
 * A plugin whose root symbol gets one 1.1 field wrong: the generated root,
 * renamed rdy_plugin_v1_generated, copied by a constructor into the real
 * one with the field named by the definition RES_BAD_*.  The loader must
 * refuse each (docs/abi.md §7.1, step 4).
 */
#include "app_plugin.h"

#include <string.h>

extern const rdy_plugin_root_v1 rdy_plugin_v1_generated;

#if defined(RES_BAD_SYMSIZE)
/* A 1.0-sized symbol whose size field claims 1.1's: the loader must not read past it. */
__attribute__((visibility("default"), aligned(8))) unsigned char rdy_plugin_v1[RDY_ROOT_V1_0_SIZE];

__attribute__((constructor)) static void fill(void)
{
	rdy_plugin_root_v1 r = rdy_plugin_v1_generated;
	memcpy(rdy_plugin_v1, &r, sizeof rdy_plugin_v1);
}
#else
__attribute__((visibility("default"))) rdy_plugin_root_v1 rdy_plugin_v1;

__attribute__((constructor)) static void fill(void)
{
	rdy_plugin_v1 = rdy_plugin_v1_generated;
#if defined(RES_BAD_SIZE)
	rdy_plugin_v1.size = RDY_ROOT_V1_0_SIZE;
#elif defined(RES_BAD_NRESOURCES)
	rdy_plugin_v1.nresources = 1;
#elif defined(RES_BAD_RESERVED2)
	rdy_plugin_v1.reserved2 = 7;
#elif defined(RES_BAD_RESOURCES)
	rdy_plugin_v1.resources = NULL;
#elif defined(RES_BAD_DROP)
	static const rdy_resource_v1 no_destructor[2];
	rdy_plugin_v1.resources = no_destructor;
#endif
}
#endif
