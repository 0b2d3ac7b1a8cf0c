/*
 * Reading a plugin's descriptor from its ELF file without loading it
 * (docs/abi.md §5): the bytes of its descriptor note (owner `RDY`, in a
 * PT_NOTE segment), and whether the file defines the root symbol that the
 * loader will look up (§7).  And,
 * for a shared object the dynamic linker kept mapped after its last
 * dlclose, what in its file can keep it (§7.3).
 *
 * Part of the runtime's static reader: it depends on libc and libelf only,
 * and no file, however damaged, makes it crash.  The descriptor and the
 * root symbol are read from files of this machine's ELF class and byte
 * order, the only ones it can load.
 */
#ifndef RDY_ABI_ELF_H
#define RDY_ABI_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reads the descriptor of the ELF file at PATH.  On success *OUT holds the
 * descriptor's bytes, exactly its declared size *LEN, malloc'd (the caller
 * frees it), and 0 is returned.  Otherwise -1, with a message naming PATH
 * and what is wrong in ERR.  Only the note's framing is checked here (one
 * note, in the file, a descriptor header, zero padding); rdy_desc_decode
 * checks the rest.
 */
int rdy_elf_read_descriptor(const char *path, uint8_t **out, size_t *len, char *err,
			    size_t errlen);

/* What rdy_elf_read_plugin read; rdy_elf_plugin_free frees it. */
typedef struct rdy_elf_plugin {
	const uint8_t *desc;               /* the descriptor's bytes, exactly its declared size LEN, inside BUF */
	size_t len;
	uint64_t root_size;                /* the root symbol's st_size */
	void *buf;                         /* what holds them, malloc'd: no copy is made of the bytes read */
} rdy_elf_plugin;

/*
 * Reads a plugin as a loader must before dlopen (§7): its descriptor, as
 * rdy_elf_read_descriptor does, and then its root symbol ROOT in the dynamic
 * symbol table, which must be a defined data object that dlsym can find, of
 * at least MIN_SIZE bytes.  Returns 0 with *OUT filled in; -1 when the file
 * is not such a plugin; -2 when it could not be read at all (missing, not a
 * regular file, a failed read); -3 when memory ran out.  Each failure leaves
 * *OUT all zero and a message naming PATH in ERR.
 */
int rdy_elf_read_plugin(const char *path, const char *root, uint64_t min_size, rdy_elf_plugin *out, char *err,
			size_t errlen);

void rdy_elf_plugin_free(rdy_elf_plugin *p);

enum { RDY_ELF_KEEP_NAMED = 3 };       /* unique symbols rdy_elf_keep names */

/*
 * What in a shared object's file can keep glibc from unmapping it at its
 * last dlclose: DF_1_NODELETE; defined STB_GNU_UNIQUE symbols, which make
 * glibc mark their object NODELETE; references to the registrars of
 * thread-local destructors, whose object glibc keeps while a thread that
 * registered one lives.  All zero: none of these.
 */
typedef struct rdy_elf_keep {
	bool nodelete;                     /* DF_1_NODELETE in DT_FLAGS_1, before DT_NULL, of a dynamic section */
	uint32_t nunique;                  /* defined STB_GNU_UNIQUE symbols in .dynsym */
	char *unique[RDY_ELF_KEEP_NAMED];  /* the first of them, in .dynsym's order, malloc'd; NULL past nunique */
	uint32_t ntls;                     /* undefined references in .dynsym to a registrar, the first 2 */
	const char *tls[2];                /* their names, static strings: __cxa_thread_atexit(_impl) */
} rdy_elf_keep;

/* Why rdy_elf_read_keep read nothing. */
enum {
	RDY_ELF_KEEP_EIO = -1,             /* the file could not be opened or stat'd: ERR holds strerror's text */
	RDY_ELF_KEEP_ENOTREG = -2,         /* it is not a regular file */
	RDY_ELF_KEEP_ELIBELF = -3,         /* libelf refused it: ERR holds libelf's message */
	RDY_ELF_KEEP_ENOTELF = -4,         /* it is not an ELF file, or too short to hold an ELF header */
	RDY_ELF_KEEP_ENOMEM = -5,
};

/*
 * Reads what in the shared object at PATH can keep it mapped.  Returns 0
 * with *KEEP filled in, for rdy_elf_keep_free to release, or one of the
 * codes above with *KEEP all zero and ERR holding the detail they name ("",
 * for the others).  A dynamic section or symbol table whose bytes are not
 * all in the file, or a symbol table whose string table is not, is passed
 * over; a file whose section header table lies past its end has no
 * sections.  No file, however damaged, makes it crash.
 */
int rdy_elf_read_keep(const char *path, rdy_elf_keep *keep, char *err, size_t errlen);

/* Frees the names in KEEP and zeroes it. */
void rdy_elf_keep_free(rdy_elf_keep *keep);

#endif
