/*
 * Verified unloading (docs/abi.md §7.3): see unload.h.
 *
 * The object is named by what dlinfo gives before dlclose, its base address
 * and its name, since its link map is freed with it.  When it stays mapped,
 * its file says what can keep it (rdy_elf_read_keep, src/abi/elf.c):
 * DF_1_NODELETE, STB_GNU_UNIQUE symbols (glibc makes their object NODELETE)
 * or thread-local destructors (glibc keeps the object while a thread that
 * registered one lives).
 */
#define _GNU_SOURCE                    /* dlinfo, dl_iterate_phdr */
#include "rt/unload.h"
#include "rt/rt.h"
#include "abi/elf.h"

#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The runtime's open modules of one object. */
typedef struct held {
	void *dl;                          /* the handle dlopen gave each of them */
	uint32_t modules;
} held;

static held *holds;                    /* one per loaded object; under the lock */
static uint32_t nholds, capacity;

static held *find(void *dl)
{
	for (uint32_t i = 0; i < nholds; i++)
		if (holds[i].dl == dl)
			return &holds[i];
	return NULL;
}

int rdy__unload_hold(void *dl)
{
	held *h = find(dl);
	if (h) {
		h->modules++;
		return RDY_OK;
	}
	if (nholds == capacity) {
		uint32_t n = capacity ? capacity * 2 : 8;
		held *p = realloc(holds, n * sizeof *p);
		if (!p)
			return RDY_ENOMEM;
		holds = p;
		capacity = n;
	}
	holds[nholds++] = (held){ dl, 1 };
	return RDY_OK;
}

/* Drops one module's count of DL's object; whether it was the last module. */
static bool release(void *dl)
{
	held *h = find(dl);
	if (h && --h->modules)
		return false;
	if (h)
		*h = holds[--nholds];
	if (!nholds) {
		free(holds);
		holds = NULL;
		capacity = 0;
	}
	return true;
}

/* A loaded object, as dl_iterate_phdr names it. */
typedef struct object {
	uintptr_t addr;                    /* l_addr, dlpi_addr */
	char *name;                        /* l_name, dlpi_name, a copy; NULL when memory ran out: the address alone */
	bool mapped;
} object;

static int find_mapped(struct dl_phdr_info *info, size_t size, void *arg)
{
	object *o = arg;
	(void)size;
	o->mapped = info->dlpi_addr == o->addr && (!o->name || (info->dlpi_name && !strcmp(info->dlpi_name, o->name)));
	return o->mapped;
}

/* The reasons, joined by "; ", or the one left when the file shows none. */
static void say(FILE *f, const rdy_elf_keep *p)
{
	const char *sep = "";
	if (p->nodelete) {
		fputs("it is marked NODELETE (linked with -z nodelete)", f);
		sep = "; ";
	}
	if (p->nunique) {
		fprintf(f, "%sit defines STB_GNU_UNIQUE symbols (", sep);
		for (uint32_t i = 0; i < p->nunique && i < RDY_ELF_KEEP_NAMED; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->unique[i]);
		if (p->nunique > RDY_ELF_KEEP_NAMED)
			fprintf(f, " and %u more", (unsigned)(p->nunique - RDY_ELF_KEEP_NAMED));
		fputs("), which glibc never unloads (build with -fno-gnu-unique)", f);
		sep = "; ";
	}
	if (p->ntls) {
		fprintf(f, "%sit registers thread-local destructors (%s%s%s), and glibc keeps it until every thread "
			"that ran one has exited", sep, p->tls[0], p->ntls > 1 ? ", " : "", p->ntls > 1 ? p->tls[1] : "");
		sep = "; ";
	}
	if (!*sep)
		fputs("something else still references it (another dlopen of the same file, or a loaded library that "
		      "depends on it)", f);
}

#define UNKNOWN "the reason is unknown: "

/* Why the object of the file at PATH stays mapped, read from the file; never fails, whatever the file. */
static void explain(FILE *f, const char *path)
{
	rdy_elf_keep k;
	char detail[256];
	switch (rdy_elf_read_keep(path, &k, detail, sizeof detail)) {
	case 0:
		say(f, &k);
		rdy_elf_keep_free(&k);
		break;
	case RDY_ELF_KEEP_EIO:
		fprintf(f, UNKNOWN "its file cannot be read (%s)", detail);
		break;
	case RDY_ELF_KEEP_ENOTREG:
		fputs(UNKNOWN "its file is not a regular file", f);
		break;
	case RDY_ELF_KEEP_ELIBELF:
		fprintf(f, UNKNOWN "libelf: %s", detail);
		break;
	case RDY_ELF_KEEP_ENOTELF:
		fputs(UNKNOWN "its file is not an ELF file", f);
		break;
	default:
		fputs(UNKNOWN "out of memory", f);
	}
}

/* explain's text, malloc'd; NULL when memory runs out. */
static char *reason(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	explain(f, path);
	bool ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(text);
		return NULL;
	}
	return text;
}

int rdy__unload(void *dl, const char *file, const char *path, rdy_error **err)
{
	struct link_map *lm = NULL;
	/* dlinfo fails only for a handle dlopen did not give. */
	if (!release(dl) || dlinfo(dl, RTLD_DI_LINKMAP, &lm) != 0) {
		dlclose(dl);
		return RDY_OK;
	}
	object o = { (uintptr_t)lm->l_addr, strdup(lm->l_name), false };
	dlclose(dl);
	dl_iterate_phdr(find_mapped, &o);
	free(o.name);
	if (!o.mapped)
		return RDY_OK;
	char *why = reason(file);
	int rc = rdy__fail(err, RDY_EKEPT, "%s: unloaded, but the dynamic linker kept it mapped: %s", path,
			   why ? why : UNKNOWN "out of memory");
	free(why);
	return rc;
}
