/*
 * librdy: out-of-line forms of the inline functions of rdy.h, for languages
 * that call the runtime through a C FFI and cannot reach C's _Thread_local
 * variables (rdy__lends, rdy__reader, rdy__calling), Rust among them.  Each
 * does exactly what its inline namesake does, on the calling thread, at the
 * cost of a call; C hosts keep using the inline ones.
 */
#ifndef RDY_OUTLINE_H
#define RDY_OUTLINE_H

#include "rdy.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * rdy_handle_lend: checks HANDLE, lends it to a call and gives its rep.
 * Every RDY_OK is followed by exactly one rdy_outline_handle_unlend on the
 * same thread, in the reverse order of the lends, once the call returns.
 */
int32_t rdy_outline_handle_lend(rdy_instance *inst, uint32_t res, uint32_t handle, void **rep);
/* rdy_handle_unlend: ends this thread's last lend. */
void rdy_outline_handle_unlend(void);

/*
 * rdy_live_enter: records that a call into LIVE runs on this thread and
 * gives the build serving it, or NULL when calls nest deeper than
 * RDY__DEPTH.  Every build given is followed by exactly one
 * rdy_outline_live_leave on the same thread, in the reverse order of the
 * enters, once the call returns.
 */
const rdy_build *rdy_outline_live_enter(rdy_live *live);
/* rdy_live_leave: ends this thread's innermost call entered. */
void rdy_outline_live_leave(void);

/*
 * Makes INST the instance that rdy_instance_calling gives on this thread,
 * as generated thunks do around a host function that a plugin called, and
 * returns the one it replaces, which the thunk puts back when the host
 * function returns.
 */
rdy_instance *rdy_outline_calling_swap(rdy_instance *inst);

#ifdef __cplusplus
}
#endif

#endif
