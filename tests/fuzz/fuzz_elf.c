/*
 * Fuzzes the ELF reader: the input is written to a file, which
 * rdy_elf_read_keep reads as the runtime reads a plugin that stayed mapped
 * after dlclose, and rdy_elf_read_descriptor as any plugin on disk; what
 * the latter returns is decoded as a descriptor.  Any file must give bytes
 * or an error naming it, and what can keep it mapped or why that is unknown.
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

/* What can keep the object of FILE mapped: a result as elf.h describes it, or one of its errors. */
static void check_keep(const char *file)
{
	rdy_elf_keep k;
	char err[256] = "untouched";
	int rc = rdy_elf_read_keep(file, &k, err, sizeof err);
	if (rc < RDY_ELF_KEEP_ENOMEM || rc > 0 || (rc && (k.nodelete || k.nunique || k.ntls || k.unique[0])))
		abort();
	if ((rc == RDY_ELF_KEEP_EIO || rc == RDY_ELF_KEEP_ELIBELF) != (err[0] != '\0'))
		abort();                   /* the detail is given for these two, and only for them */
	if (k.ntls > 2)
		abort();
	for (uint32_t i = 0; i < RDY_ELF_KEEP_NAMED; i++)
		if (!k.unique[i] != (i >= k.nunique))
			abort();
	for (uint32_t i = 0; i < k.ntls; i++)
		if (strcmp(k.tls[i], "__cxa_thread_atexit_impl") && strcmp(k.tls[i], "__cxa_thread_atexit"))
			abort();
	rdy_elf_keep_free(&k);
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
	check_keep(file);
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
	/* The loader's reader: the same note, and the root symbol in .dynsym. */
	rdy_elf_plugin read;
	int rc = rdy_elf_read_plugin(file, "rdy_plugin_v1", 72, &read, err, sizeof err);
	if (rc < 0 && (!strstr(err, file) || read.buf || read.desc || read.len))
		abort();
	if (rc == 0 && (read.len < 12 || memcmp(read.desc, "\x7fRDY", 4)))
		abort();
	rdy_elf_plugin_free(&read);
	return 0;
}
