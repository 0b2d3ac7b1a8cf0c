/*
 * A plugin that gets only as far as its root symbol allows.  The build
 * compiles it once per field of rdy_plugin_root_v1, with -DRT_<FIELD>=VALUE
 * making that one field wrong, and once as it is, when the root is valid
 * but every instance traps at birth.  With RT_UNDEFINED it needs a symbol
 * that nothing defines, so that dlopen (RTLD_NOW) refuses it.
 *
 * Its exports stand in for the calc interface of wit/plugin and are never
 * called.
 */
#include "plugin.h"

#include <string.h>

#ifndef RT_MAGIC3
#define RT_MAGIC3 'Y'
#endif
#ifndef RT_MINOR
#define RT_MINOR 0
#endif
#ifndef RT_MAJOR
#define RT_MAJOR RDY_ABI_MAJOR
#endif
#ifndef RT_SIZE
#define RT_SIZE RDY_ROOT_V1_0_SIZE
#endif
#ifndef RT_RESERVED
#define RT_RESERVED 0
#endif
#ifndef RT_DESCRIPTOR
#define RT_DESCRIPTOR rt_descriptor
#endif
#ifndef RT_DESCRIPTOR_LEN
#define RT_DESCRIPTOR_LEN sizeof rt_descriptor
#endif
#ifndef RT_PRODUCER
#define RT_PRODUCER "rdylib tests (stub)"
#endif
#ifndef RT_EXPORTS
#define RT_EXPORTS exports
#endif
#ifndef RT_NEXPORTS
#define RT_NEXPORTS 4
#endif
#ifndef RT_NIMPORTS
#define RT_NIMPORTS 4
#endif
#ifndef RT_CALL
#define RT_CALL placeholder
#endif
#ifndef RT_INSTANCE_NEW
#define RT_INSTANCE_NEW instance_new
#endif
#ifndef RT_INSTANCE_FREE
#define RT_INSTANCE_FREE instance_free
#endif

#ifdef RT_UNDEFINED
void rt_nowhere(void);
#endif

static void placeholder(void)
{
#ifdef RT_UNDEFINED
	rt_nowhere();
#endif
}

/* Some variants leave out what follows, hence `unused`. */
__attribute__((unused)) static const rdy_func_v1 exports[] = {
	{ placeholder, NULL },
	{ placeholder, NULL },
	{ RT_CALL, NULL },
	{ placeholder, NULL },
};

/* The descriptor with its last byte changed, for -DRT_DESCRIPTOR=changed. */
static uint8_t changed[sizeof rt_descriptor];

__attribute__((constructor)) static void change(void)
{
	memcpy(changed, rt_descriptor, sizeof changed);
	changed[sizeof changed - 1] ^= 1;
}

__attribute__((unused)) static int32_t instance_new(const rdy_imports_v1 *imports, void **self)
{
	(void)imports;
	(void)self;
	return 7;
}

__attribute__((unused)) static void instance_free(void *self)
{
	(void)self;
}

RT_EXPORT const rdy_plugin_root_v1 rdy_plugin_v1 = {
	.magic = { 0x7f, 'R', 'D', RT_MAGIC3 },
	.major = RT_MAJOR,
	.minor = RT_MINOR, /* a 1.0 root: no resources */
	.reserved = RT_RESERVED,
	.size = RT_SIZE,
	.descriptor = RT_DESCRIPTOR,
	.descriptor_len = RT_DESCRIPTOR_LEN,
	.producer = RT_PRODUCER,
	.exports = RT_EXPORTS,
	.nexports = RT_NEXPORTS,
	.nimports = RT_NIMPORTS,
	.instance_new = RT_INSTANCE_NEW,
	.instance_free = RT_INSTANCE_FREE,
};
