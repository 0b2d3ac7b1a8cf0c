/*
 * Reading a plugin's descriptor from its ELF file without loading it
 * (docs/abi.md §5): the bytes of the `.rdy.descriptor` section, and whether
 * the file defines the root symbol that the loader will look up (§7).
 *
 * Part of the runtime's static reader: it depends on libc and libelf only,
 * and no file, however damaged, makes it crash.
 */
#ifndef RDY_ABI_ELF_H
#define RDY_ABI_ELF_H

#include <stddef.h>
#include <stdint.h>

#define RDY_ELF_SECTION ".rdy.descriptor"

/*
 * Reads the descriptor of the ELF file at PATH.  On success *OUT holds the
 * descriptor's bytes, exactly its declared size *LEN, malloc'd (the caller
 * frees it), and 0 is returned.  Otherwise -1, with a message naming PATH
 * and what is wrong in ERR.  Only the section's framing is checked here
 * (type, bounds, header, zero padding); rdy_desc_decode checks the rest.
 */
int rdy_elf_read_descriptor(const char *path, uint8_t **out, size_t *len, char *err,
			    size_t errlen);

/*
 * Reads a plugin as a loader must before dlopen (§7): its descriptor, as
 * rdy_elf_read_descriptor does, and then its root symbol ROOT in the dynamic
 * symbol table, which must be a defined data object that dlsym can find, of
 * at least MIN_SIZE bytes.  Returns 0 with *OUT and *LEN set as above; -1
 * when the file is not such a plugin; -2 when it could not be read at all
 * (missing, not a regular file, a failed read); -3 when memory ran out.
 * Each failure leaves a message naming PATH in ERR.
 */
int rdy_elf_read_plugin(const char *path, const char *root, uint64_t min_size, uint8_t **out, size_t *len,
			char *err, size_t errlen);

#endif
