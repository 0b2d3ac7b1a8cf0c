/*
 * Pinning (docs/abi.md §7, "How a pinned plugin is loaded"): a plugin is
 * loaded from a private, content-addressed copy of its file, never from the
 * file itself, and a host's lock file may say which SHA-256 each plugin
 * must have.  Internal to librdy; the lock files' API is in include/rdy.h.
 *
 * Threads: rdy__pin takes no lock of the runtime's, and may be called from
 * several threads at once, for the same file and cache directory too; a
 * rdy_lock is never changed once read, so any threads may share one.
 */
#ifndef RDY_RT_PIN_H
#define RDY_RT_PIN_H

#include "rdy.h"

#include <stdint.h>

/*
 * Copies the plugin at PATH into the cache directory CACHE_DIR, named by the
 * SHA-256 of its bytes, and says where: what a pinned open reads and loads
 * in place of PATH.
 *
 *   1. PATH is opened once (O_RDONLY, O_NONBLOCK: a FIFO does not block),
 *      and from then on only that descriptor is used.  It must be a
 *      regular file, not empty.
 *   2. The file must have settled: its ctime must lie in an earlier tick
 *      of the coarse real-time clock than now (two seconds earlier on a
 *      file system whose timestamps have whole seconds), so that any write
 *      from now on gives it another ctime.  Until then rdy__pin waits,
 *      a few milliseconds at a time.
 *   3. It is read whole through the descriptor (pread), each block hashed
 *      (OpenSSL's EVP SHA-256) and written, the same bytes, to a new file
 *      in CACHE_DIR, created with O_EXCL under a temporary name
 *      (".tmp-PID-N", mode 0400).  Before the read, lseek(SEEK_DATA) waits
 *      for a write in progress to finish on the file systems whose
 *      SEEK_DATA takes the inode's lock (ext4, tmpfs, btrfs).
 *   4. fstat again: when the size, the inode, the mtime or the ctime
 *      changed, or the bytes read are not the size, the file was written
 *      meanwhile, and steps 2 to 4 start again, through the same
 *      descriptor, with the copy emptied.  Past rdy__pin_patience_ms of
 *      this, the file is refused (RDY_EBUSY).
 *   5. With LOCK, the digest must be the one LOCK pins for PATH
 *      (rdy_lock_find): else the copy is deleted and the plugin refused
 *      (RDY_EINCOMPATIBLE), before anything is loaded.
 *   6. The copy is renamed to CACHE_DIR/<64 lowercase hex>.so.  rename
 *      replaces whatever had that name, so an entry already there is
 *      never trusted, whatever was done to it: the file under that name is
 *      now the one just written from the hashed bytes.
 *
 * CACHE_DIR NULL means $XDG_CACHE_HOME/rdy (when that is an absolute path),
 * else $HOME/.cache/rdy.  The directory and its missing parents are created
 * with mode 0700; it must belong to this process's effective user and be
 * writable by no one else.
 *
 * On success returns RDY_OK, sets *LOADED to "CACHE_DIR/<hex>.so"
 * (malloc'd, the caller frees it) and DIGEST to the SHA-256.  DIGEST is set
 * too when LOCK refuses the digest.  Otherwise returns the code set in *ERR
 * and *LOADED is NULL.  Every message starts with PATH (docs/abi.md gives
 * them all):
 *
 *   RDY_EINVAL         "rdy__pin: no path", the cache directory's name or
 *                      privacy ("PATH: cache directory C is writable by
 *                      its group and others (mode 0777)")
 *   RDY_EIO            PATH unreadable, not a regular file, the cache
 *                      directory unusable, a failed write (ENOSPC) or rename
 *   RDY_EFORMAT        "PATH: the file is empty"
 *   RDY_EBUSY          "PATH: the file kept changing while it was read (for
 *                      N ms); try again once it is written"
 *   RDY_EINCOMPATIBLE  "PATH: not in LOCK", "PATH: SHA-256 is H, LOCK pins H2"
 *   RDY_ENOMEM         "PATH: out of memory"
 *
 * What is loaded afterwards from *LOADED is exactly what was hashed, unless
 * this very user rewrites the copy in the meantime, in a directory only it
 * can write to.
 */
int rdy__pin(const char *path, const char *cache_dir, const rdy_lock *lock, char **loaded, uint8_t digest[32],
	     rdy_error **err);

/* How long rdy__pin waits for a file that keeps changing, in milliseconds: 3000.  Tests lower it. */
extern int rdy__pin_patience_ms;

/* DIGEST as 64 lowercase hexadecimal digits and a NUL. */
void rdy__sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
