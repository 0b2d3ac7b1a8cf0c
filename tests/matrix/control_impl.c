/* The control plugin of the compatibility matrix: base.wit, implemented. */
#include "bindings.h"

#include <string.h>

struct rdy_state {
	uint32_t plotted;
};

int32_t test_matrix_plugin_instance_new(const rdy_imports_v1 *imports, test_matrix_plugin_state_t **state)
{
	(void)imports;
	*state = calloc(1, sizeof **state);
	return *state ? RDY_OK : RDY_ETRAP;
}

void test_matrix_plugin_instance_free(test_matrix_plugin_state_t *state)
{
	free(state);
}

int32_t exports_test_matrix_api_plot(test_matrix_plugin_state_t *state, const test_matrix_api_point_t *p,
				     test_matrix_api_color_t c, test_matrix_api_style_t s, uint32_t *ret)
{
	*ret = (uint32_t)(p->x + p->y) + c + s + state->plotted++;
	return RDY_OK;
}

int32_t exports_test_matrix_api_area(test_matrix_plugin_state_t *state, const test_matrix_api_shape_t *s, double *ret)
{
	(void)state;
	*ret = s->tag == TEST_MATRIX_TYPES_SHAPE_DOT ? 0.0 : 1.0;
	return RDY_OK;
}

int32_t exports_test_matrix_api_name(test_matrix_plugin_state_t *state, rdy_string_t *ret)
{
	(void)state;
	return rdy_string_dup(ret, "control", strlen("control")) ? RDY_OK : RDY_ETRAP;
}
