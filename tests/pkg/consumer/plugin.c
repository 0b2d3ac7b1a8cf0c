/* The consumer's plugin: calc.add, with a call count as its state. */
#include "calculator_plugin.h"

struct rdy_state {
	uint32_t calls;
};

int32_t pkg_demo_calculator_instance_new(const rdy_imports_v1 *imports, pkg_demo_calculator_state_t **state)
{
	(void)imports;
	*state = calloc(1, sizeof **state);
	return *state ? RDY_OK : RDY_ENOMEM;
}

void pkg_demo_calculator_instance_free(pkg_demo_calculator_state_t *state)
{
	free(state);
}

int32_t exports_pkg_demo_calc_add(pkg_demo_calculator_state_t *state, uint32_t a, uint32_t b, uint32_t *ret)
{
	state->calls++;
	*ret = a + b;
	return RDY_OK;
}
