/*
 * The host's world: its descriptor, decoded once, its functions in
 * descriptor order, and the plugin descriptors checked against it
 * (verified.c).
 */
#include "rt/rt.h"

#include <stdlib.h>

pthread_mutex_t rdy__lock = PTHREAD_MUTEX_INITIALIZER;

static void world_free(rdy_world *w)
{
	rdy__cache_clear(w);
	free(w->exports);
	free(w->imports);
	free(w->resources);
	free(w->iresources);
	rdy_check_model_free(w->prep);
	rdy_desc_free(w->desc);
	free(w);
}

static rdy_world *world_fail(rdy_world *w, rdy_error **err, int code, const char *msg)
{
	rdy__fail(err, code, "host world: %s", msg);
	world_free(w);
	return NULL;
}

RDY_API rdy_world *rdy_world_new(const uint8_t *descriptor, size_t len, rdy_error **err)
{
	if (!descriptor) {
		rdy__fail(err, RDY_EINVAL, "host world: no descriptor");
		return NULL;
	}
	rdy_world *w = calloc(1, sizeof *w);
	if (!w) {
		rdy__fail(err, RDY_ENOMEM, "host world: out of memory");
		return NULL;
	}
	char msg[512];
	if (!(w->desc = rdy_desc_decode(descriptor, len, msg, sizeof msg)))
		return rdy__nomem(msg) ? world_fail(w, err, RDY_ENOMEM, "out of memory")
				       : world_fail(w, err, RDY_EFORMAT, msg);
	if (rdy_desc_side(w->desc) != RDY_SIDE_HOST)
		return world_fail(w, err, RDY_EINVAL, "the descriptor describes a plugin; give the host's");
	w->m = rdy_desc_model(w->desc);
	w->w = rdy_desc_world(w->desc);
	if (rdy_abi_world_funcs(w->m, w->w, true, &w->exports, &w->nexports) < 0 ||
	    rdy_abi_world_funcs(w->m, w->w, false, &w->imports, &w->nimports) < 0 ||
	    rdy_abi_world_resources(w->m, w->w, true, &w->resources, &w->nresources) < 0 ||
	    rdy_abi_world_resources(w->m, w->w, false, &w->iresources, &w->niresources) < 0 ||
	    !(w->prep = rdy_check_model_new(w->m)))
		return world_fail(w, err, RDY_ENOMEM, "out of memory");
	w->refs = 1;
	return w;
}

void rdy__world_release(rdy_world *w)
{
	if (--w->refs == 0)
		world_free(w);
}

RDY_API void rdy_world_free(rdy_world *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&rdy__lock);
	rdy__world_release(w);
	pthread_mutex_unlock(&rdy__lock);
}

RDY_API uint32_t rdy_world_nexports(const rdy_world *w)
{
	return w ? w->nexports : 0;
}

RDY_API uint32_t rdy_world_nimports(const rdy_world *w)
{
	return w ? w->nimports : 0;
}
