/*
 * A shared object with a valid plugin descriptor and no usable root symbol:
 * none at all, or with RT_SMALL_ROOT one too small to be an
 * rdy_plugin_root_v1.  With RT_VERSIONED_ROOT (linked with versions.map)
 * the root has symbol versions: 1, only rdy_plugin_v1@RT_OLD, a hidden
 * version, which dlsym never returns; 2, that and rdy_plugin_v1@@RT_NEW, the
 * default, too small, which dlsym does return.  The loader must refuse
 * each before dlopen, for what dlsym would find.
 */
#include "plugin.h"

#ifdef RT_SMALL_ROOT
RT_EXPORT const uint64_t rdy_plugin_v1 = 0;
#endif

#ifdef RT_VERSIONED_ROOT
RT_EXPORT const uint8_t rt_old_root[256] = { 1 };
__asm__(".symver rt_old_root, rdy_plugin_v1@RT_OLD");
#if RT_VERSIONED_ROOT > 1
RT_EXPORT const uint64_t rt_new_root = 1;
__asm__(".symver rt_new_root, rdy_plugin_v1@@RT_NEW");
#endif
#endif

/* Some code of its own, as a real library has. */
RT_EXPORT int rt_answer(void);
RT_EXPORT int rt_answer(void)
{
	return 42;
}
