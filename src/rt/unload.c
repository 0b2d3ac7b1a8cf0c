/*
 * Verified unloading (docs/abi.md §7.3): see unload.h.
 *
 * The object is named by what dlinfo gives before dlclose, its base address
 * and its name, since its link map is freed with it.  When it stays mapped,
 * its file says what can keep it: DF_1_NODELETE, STB_GNU_UNIQUE symbols
 * (glibc makes their object NODELETE) or thread-local destructors (glibc
 * keeps the object while a thread that registered one lives).  The file is
 * read as src/abi/elf.c reads it: libelf with ELF_C_READ, each section
 * checked to lie in the file before its bytes are read.
 */
#define _GNU_SOURCE                    /* dlinfo, dl_iterate_phdr */
#include "rt/unload.h"
#include "rt/rt.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

enum { NAMED = 3 };                    /* unique symbols a message names */

/* What in an object's file can keep it mapped; the names are libelf's, valid until elf_end. */
typedef struct pins {
	bool nodelete;                     /* DF_1_NODELETE in DT_FLAGS_1 */
	uint32_t nunique;                  /* defined STB_GNU_UNIQUE symbols */
	const char *unique[NAMED];         /* the first of them */
	uint32_t ntls;
	const char *tls[2];                /* the thread-local destructor registrars it references */
} pins;

static bool in_file(const GElf_Shdr *sh, uint64_t fsize)
{
	return sh->sh_offset <= fsize && sh->sh_size <= fsize - sh->sh_offset;
}

static void read_flags(Elf_Scn *scn, pins *p)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Dyn dyn;
	for (int i = 0; d && gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++)
		if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODELETE))
			p->nodelete = true;
}

static bool registers_tls_destructors(const char *name)
{
	return !strcmp(name, "__cxa_thread_atexit_impl") || !strcmp(name, "__cxa_thread_atexit");
}

/* The dynamic symbols of SCN, named in section STRNDX. */
static void read_symbols(Elf *elf, Elf_Scn *scn, size_t strndx, pins *p)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Sym sym;
	for (int i = 1; d && gelf_getsym(d, i, &sym); i++) {
		const char *name = elf_strptr(elf, strndx, sym.st_name);
		if (!name)
			continue;
		if (GELF_ST_BIND(sym.st_info) == STB_GNU_UNIQUE && sym.st_shndx != SHN_UNDEF) {
			if (p->nunique < NAMED)
				p->unique[p->nunique] = name;
			p->nunique++;
		} else if (sym.st_shndx == SHN_UNDEF && registers_tls_destructors(name) && p->ntls < 2) {
			p->tls[p->ntls++] = name;
		}
	}
}

/* Whether section NDX is a string table whose bytes are in the file. */
static bool strings_in_file(Elf *elf, size_t ndx, uint64_t fsize)
{
	Elf_Scn *scn = elf_getscn(elf, ndx);
	GElf_Shdr sh;
	return scn && gelf_getshdr(scn, &sh) && sh.sh_type == SHT_STRTAB && in_file(&sh, fsize);
}

static pins read_pins(Elf *elf, uint64_t fsize)
{
	pins p = { 0 };
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !in_file(&sh, fsize))
			continue;
		if (sh.sh_type == SHT_DYNAMIC)
			read_flags(scn, &p);
		else if (sh.sh_type == SHT_DYNSYM && strings_in_file(elf, sh.sh_link, fsize))
			read_symbols(elf, scn, sh.sh_link, &p);
	}
	return p;
}

/* The reasons, joined by "; ", or the one left when the file shows none. */
static void say(FILE *f, const pins *p)
{
	const char *sep = "";
	if (p->nodelete) {
		fputs("it is marked NODELETE (linked with -z nodelete)", f);
		sep = "; ";
	}
	if (p->nunique) {
		fprintf(f, "%sit defines STB_GNU_UNIQUE symbols (", sep);
		for (uint32_t i = 0; i < p->nunique && i < NAMED; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->unique[i]);
		if (p->nunique > NAMED)
			fprintf(f, " and %u more", (unsigned)(p->nunique - NAMED));
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
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(f, UNKNOWN "its file cannot be read (%s)", strerror(errno));
		return;
	}
	struct stat st;
	Elf *elf = NULL;
	if (fstat(fd, &st) < 0)
		fprintf(f, UNKNOWN "its file cannot be read (%s)", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		fputs(UNKNOWN "its file is not a regular file", f);
	else if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_READ, NULL)))
		fprintf(f, UNKNOWN "libelf: %s", elf_errmsg(-1));
	else if (elf_kind(elf) != ELF_K_ELF)
		fputs(UNKNOWN "its file is not an ELF file", f);
	else {
		pins p = read_pins(elf, (uint64_t)st.st_size);
		say(f, &p);
	}
	elf_end(elf);
	close(fd);
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

int rdy__unload(void *dl, const char *path, rdy_error **err)
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
	char *why = reason(path);
	int rc = rdy__fail(err, RDY_EKEPT, "%s: unloaded, but the dynamic linker kept it mapped: %s", path,
			   why ? why : UNKNOWN "out of memory");
	free(why);
	return rc;
}
