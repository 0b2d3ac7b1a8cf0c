/*
 * A shared object with a valid plugin descriptor and no usable root symbol:
 * none at all, or with RT_SMALL_ROOT one too small to be an
 * rdy_plugin_root_v1.  The loader must refuse it before dlopen.
 */
#include "plugin.h"

#ifdef RT_SMALL_ROOT
RT_EXPORT const uint64_t rdy_plugin_v1 = 0;
#endif

/* Some code of its own, as a real library has. */
RT_EXPORT int rt_answer(void);
RT_EXPORT int rt_answer(void)
{
	return 42;
}
