/* Equilateral triangles: the size is the side; the height is kept as well. */
#include "figure_util.h"

#include <math.h>

struct example_gallery_figures_figure {
	double side, height;
};

int32_t exports_example_gallery_figures_kind(example_gallery_plugin_state_t *state, rdy_string_t *ret)
{
	(void)state;
	return text(ret, "triangle");
}

int32_t exports_example_gallery_figures_constructor_figure(example_gallery_plugin_state_t *state, double size,
							   example_gallery_figures_figure_t **ret)
{
	if (!(*ret = malloc(sizeof **ret)))
		return RDY_ETRAP;
	(*ret)->side = size;
	(*ret)->height = size * sqrt(3.0) / 2;
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
	return text(ret, "triangle of side %g", self->side);
}

int32_t exports_example_gallery_figures_method_figure_area(example_gallery_plugin_state_t *state,
							   example_gallery_figures_figure_t *self, double *ret)
{
	(void)state;
	*ret = self->side * self->height / 2;
	return RDY_OK;
}

int32_t exports_example_gallery_figures_method_figure_scale(example_gallery_plugin_state_t *state,
							    example_gallery_figures_figure_t *self, double factor)
{
	(void)state;
	self->side *= factor;
	self->height *= factor;
	return RDY_OK;
}
