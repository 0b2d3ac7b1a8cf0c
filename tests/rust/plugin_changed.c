/* A C plugin of the changed test:rustkit: refused as plugin_changed.rs is. */
#include "changed_plugin.h"

struct rdy_state {
	int unused;
};

static struct rdy_state state;

int32_t test_rustkit_plugin_instance_new(const rdy_imports_v1 *imports, test_rustkit_plugin_state_t **s)
{
	(void)imports;
	*s = &state;
	return RDY_OK;
}

void test_rustkit_plugin_instance_free(test_rustkit_plugin_state_t *s)
{
	(void)s;
}

int32_t exports_test_rustkit_api_add(test_rustkit_plugin_state_t *s, uint32_t a, uint64_t b, uint32_t *ret)
{
	(void)s;
	*ret = a + (uint32_t)b;
	return RDY_OK;
}
