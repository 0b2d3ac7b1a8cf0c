/*
 * Verified unloading (docs/abi.md §7.3).  dlopen gives every open of one
 * object the same handle, so the runtime counts its modules of each handle,
 * and only the close of the last one unloads.  That close is checked: after
 * dlclose, dl_iterate_phdr must no longer list the object.  When it does,
 * the likely reason is read from the object's file with libelf.
 *
 * Both functions run under rdy__lock.
 */
#ifndef RDY_RT_UNLOAD_H
#define RDY_RT_UNLOAD_H

#include "rdy.h"

/* Counts one more open module of the object of DL.  Returns RDY_OK or RDY_ENOMEM. */
int rdy__unload_hold(void *dl);

/*
 * Drops a module's count of the object of DL, loaded from FILE (opened as
 * PATH, which messages name: FILE is its pinned copy, or PATH itself), and
 * dlcloses DL.  The close of the last module is checked: RDY_OK when the
 * object is gone, RDY_EKEPT with "PATH: unloaded, but the dynamic linker
 * kept it mapped: REASON" in *ERR when it stays.  DL is closed either way.
 */
int rdy__unload(void *dl, const char *file, const char *path, rdy_error **err);

#endif
