/*
 * Reading a plugin's descriptor from its ELF file without loading it
 * (docs/abi.md §5): the bytes of the `.rdy.descriptor` section.
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

#endif
