/*
 * The out-of-line forms of rdy.h's inline functions (include/rdy_outline.h):
 * each is its namesake, compiled here, so that it reads and writes this
 * library's thread-local variables for callers that cannot.
 */
#include "rdy_outline.h"
#include "rt/rt.h"

RDY_API int32_t rdy_outline_handle_lend(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep)
{
	return rdy_handle_lend(inst, res, handle, rep);
}

RDY_API void rdy_outline_handle_unlend(void)
{
	rdy_handle_unlend();
}

RDY_API const rdy_build *rdy_outline_live_enter(rdy_live *live)
{
	return rdy_live_enter(live);
}

RDY_API void rdy_outline_live_leave(void)
{
	rdy_live_leave();
}

RDY_API rdy_instance *rdy_outline_calling_swap(rdy_instance *inst)
{
	rdy_instance *prev = rdy__calling;
	rdy__calling = inst;
	return prev;
}
