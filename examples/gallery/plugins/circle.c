/* Circles: the size is the radius. */
#include "figure_util.h"

struct example_gallery_figures_figure {
	double r;
};

int32_t exports_example_gallery_figures_kind(example_gallery_plugin_state_t *state, rdy_string_t *ret)
{
	(void)state;
	return text(ret, "circle");
}

int32_t exports_example_gallery_figures_constructor_figure(example_gallery_plugin_state_t *state, double size,
							   example_gallery_figures_figure_t **ret)
{
	if (!(*ret = malloc(sizeof **ret)))
		return RDY_ETRAP;
	(*ret)->r = size;
	state->live++;
	return RDY_OK;
}

void example_gallery_figures_figure_destructor(example_gallery_plugin_state_t *state,
					       example_gallery_figures_figure_t *rep)
{
	state->live--;
	free(rep);
}

int32_t exports_example_gallery_figures_method_figure_describe(example_gallery_plugin_state_t *state,
							       example_gallery_figures_figure_t *self, rdy_string_t *ret)
{
	(void)state;
	return text(ret, "circle of radius %g", self->r);
}

int32_t exports_example_gallery_figures_method_figure_area(example_gallery_plugin_state_t *state,
							   example_gallery_figures_figure_t *self, double *ret)
{
	(void)state;
	*ret = 3.14159265358979 * self->r * self->r;
	return RDY_OK;
}

int32_t exports_example_gallery_figures_method_figure_scale(example_gallery_plugin_state_t *state,
							    example_gallery_figures_figure_t *self, double factor)
{
	(void)state;
	self->r *= factor;
	return RDY_OK;
}
