/*
 * Fuzzes the ELF reader: the input is written to a file, which
 * rdy_elf_read_descriptor reads as any plugin on disk; what it returns is
 * decoded as a descriptor.  Any file must give bytes or an error naming it.
 */
#include "fuzz.h"
#include "abi/desc.h"
#include "abi/elf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void remove_scratch(void)
{
	unlink(path);
}

/* One scratch file per process, rewritten for each input and removed at exit. */
static const char *scratch(void)
{
	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/rdy-fuzz-elf-%ld", (long)getpid());
		atexit(remove_scratch);
	}
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *file = scratch();
	FILE *f = fopen(file, "wb");
	if (!f)
		return 0;
	size_t put = fwrite(data, 1, size, f);
	fclose(f);
	if (put != size)
		return 0;
	uint8_t *bytes = NULL;
	size_t len = 0;
	char err[512] = "";
	if (rdy_elf_read_descriptor(file, &bytes, &len, err, sizeof err) < 0) {
		if (!strstr(err, file))
			abort(); /* every refusal names the file */
		return 0;
	}
	char derr[512];
	rdy_desc *d = rdy_desc_decode(bytes, len, derr, sizeof derr);
	rdy_desc_free(d);
	free(bytes);
	/* The loader's reader: the same section, and the root symbol in .dynsym. */
	bytes = NULL;
	int rc = rdy_elf_read_plugin(file, "rdy_plugin_v1", 72, &bytes, &len, err, sizeof err);
	if (rc < 0 && !strstr(err, file))
		abort();
	free(bytes);
	return 0;
}
