/*
 * The descriptor section of an ELF file (docs/abi.md §5), its root symbol
 * (§7), and what in it can keep its object mapped (§7.3), read statically.
 *
 * Nothing in the file is trusted: libelf parses the headers, and every
 * offset and size it hands back is checked against the file's real size
 * before a byte is read.  The file is read with pread rather than mapped, so
 * a file truncated while it is being read gives an error, not SIGBUS.
 */
#include "abi/elf.h"
#include "abi/desc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct reader {
	const char *path;
	int fd;
	uint64_t fsize;                    /* the file's size when opened */
	Elf *elf;
	int status;                        /* when failing: -1 a bad file, -2 an unreadable one, -3 no memory */
	char *err;
	size_t errlen;
} reader;

static void say(reader *r, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void say(reader *r, const char *fmt, va_list ap)
{
	if (!r->errlen)
		return;
	int n = snprintf(r->err, r->errlen, "%s: ", r->path);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
}

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int unreadable(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Always -1: the message is "PATH: " and FMT. */
static int fail(reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(r, fmt, ap);
	va_end(ap);
	return -1;
}

/* As fail, for a file that could not be read at all. */
static int unreadable(reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(r, fmt, ap);
	va_end(ap);
	r->status = -2;
	return -1;
}

/* N bytes at OFF, all of them, or -1: the range was checked, so a short read means the file changed. */
static int read_at(reader *r, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(r->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return unreadable(r, "read failed: %s", strerror(errno));
		if (k == 0)
			return unreadable(r, "file shrank while it was being read");
		got += (size_t)k;
	}
	return 0;
}

/* Opens the file: 0, RDY_ELF_KEEP_EIO with errno saying why, or RDY_ELF_KEEP_ENOTREG. */
static int open_regular(reader *r)
{
	struct stat st;
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) < 0)
		return RDY_ELF_KEEP_EIO;
	if (!S_ISREG(st.st_mode))
		return RDY_ELF_KEEP_ENOTREG;
	r->fsize = (uint64_t)st.st_size;
	return 0;
}

static int open_file(reader *r)
{
	int rc = open_regular(r);
	if (rc == RDY_ELF_KEEP_EIO)
		return unreadable(r, "%s", strerror(errno));
	if (rc == RDY_ELF_KEEP_ENOTREG)
		return unreadable(r, "not a regular file");
	return 0;
}

/*
 * Hands the open file to libelf, which reads it with pread (ELF_C_READ) as
 * it is asked for parts: 0, RDY_ELF_KEEP_ELIBELF when libelf refuses it
 * (elf_errmsg(-1) says why), or RDY_ELF_KEEP_ENOTELF.
 */
static int begin_elf(reader *r)
{
	if (elf_version(EV_CURRENT) == EV_NONE || !(r->elf = elf_begin(r->fd, ELF_C_READ, NULL)))
		return RDY_ELF_KEEP_ELIBELF;
	return elf_kind(r->elf) == ELF_K_ELF ? 0 : RDY_ELF_KEEP_ENOTELF;
}

/*
 * libelf treats a file whose section header table lies past its end as one
 * without sections; a cut-off plugin is reported as such instead.
 */
static int check_section_table(reader *r, const GElf_Ehdr *eh)
{
	uint64_t n = eh->e_shnum ? eh->e_shnum : 1;   /* 0: the count is in section 0's header */
	uint64_t entsize = eh->e_shentsize ? eh->e_shentsize : 1;
	if (eh->e_shoff && (eh->e_shoff > r->fsize || (r->fsize - eh->e_shoff) / entsize < n))
		return fail(r, "file is truncated: its section header table starts at byte %llu, "
			    "the file has %llu", (unsigned long long)eh->e_shoff, (unsigned long long)r->fsize);
	return 0;
}

static int open_elf(reader *r)
{
	if (elf_version(EV_CURRENT) == EV_NONE)         /* as begin_elf would find, said here as such */
		return fail(r, "libelf: %s", elf_errmsg(-1));
	GElf_Ehdr eh;
	if (begin_elf(r) == 0 && gelf_getehdr(r->elf, &eh))
		return check_section_table(r, &eh);
	uint8_t head[SELFMAG];
	if (r->fsize >= SELFMAG && read_at(r, 0, head, SELFMAG) == 0 && !memcmp(head, ELFMAG, SELFMAG))
		return fail(r, "ELF header is truncated or damaged");
	return fail(r, "not an ELF file");
}

/* The header of the one section named RDY_ELF_SECTION. */
static int find_section(reader *r, GElf_Shdr *out)
{
	size_t strndx;
	if (elf_getshdrstrndx(r->elf, &strndx) != 0)
		return fail(r, "no usable section header table: %s", elf_errmsg(-1));
	unsigned found = 0;
	for (Elf_Scn *scn = elf_nextscn(r->elf, NULL); scn; scn = elf_nextscn(r->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return fail(r, "damaged section header %zu: %s", elf_ndxscn(scn), elf_errmsg(-1));
		const char *name = elf_strptr(r->elf, strndx, sh.sh_name);
		if (name && !strcmp(name, RDY_ELF_SECTION) && found++ == 0)
			*out = sh;
	}
	if (found > 1)
		return fail(r, "%u sections named " RDY_ELF_SECTION "; there must be one", found);
	if (!found)
		return fail(r, "no " RDY_ELF_SECTION " section (not an rdylib plugin?)");
	return 0;
}

/* Whether the bytes of the section SH are all in the file. */
static bool in_file(const reader *r, const GElf_Shdr *sh)
{
	return sh->sh_offset <= r->fsize && sh->sh_size <= r->fsize - sh->sh_offset;
}

/* The section holds its bytes in the file, all of them, and at least a descriptor header. */
static int check_section(reader *r, const GElf_Shdr *sh)
{
	if (sh->sh_type == SHT_NOBITS)
		return fail(r, "section " RDY_ELF_SECTION " has no bytes in the file (SHT_NOBITS)");
	if (sh->sh_type != SHT_PROGBITS)
		return fail(r, "section " RDY_ELF_SECTION " has type %u, not SHT_PROGBITS", (unsigned)sh->sh_type);
	if (sh->sh_flags & SHF_COMPRESSED)
		return fail(r, "section " RDY_ELF_SECTION " is compressed");
	if (!in_file(r, sh))
		return fail(r, "section " RDY_ELF_SECTION " is truncated: %llu bytes at offset %llu, the file has %llu",
			    (unsigned long long)sh->sh_size, (unsigned long long)sh->sh_offset,
			    (unsigned long long)r->fsize);
	if (sh->sh_size < RDY_DESC_HEADER)
		return fail(r, "section " RDY_ELF_SECTION " is truncated: %llu bytes, a descriptor header needs %d",
			    (unsigned long long)sh->sh_size, RDY_DESC_HEADER);
	return 0;
}

/* The size the descriptor's header declares, at most the section's size. */
static int declared_size(reader *r, const GElf_Shdr *sh, uint32_t *size)
{
	uint8_t h[RDY_DESC_HEADER];
	if (read_at(r, sh->sh_offset, h, RDY_DESC_HEADER) < 0)
		return -1;
	if (memcmp(h, RDY_DESC_MAGIC, 4))
		return fail(r, "section " RDY_ELF_SECTION " does not start with a descriptor (bad magic)");
	*size = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
	if (*size < RDY_DESC_HEADER)
		return fail(r, "the descriptor in " RDY_ELF_SECTION " declares %u bytes, less than its own header",
			    (unsigned)*size);
	if (*size > sh->sh_size)
		return fail(r, "section " RDY_ELF_SECTION " is truncated: the descriptor declares %u bytes, "
			    "the section holds %llu", (unsigned)*size, (unsigned long long)sh->sh_size);
	return 0;
}

/* Only alignment padding, zero bytes, may follow the descriptor's SIZE bytes in the section. */
static int check_padding(reader *r, const GElf_Shdr *sh, uint32_t size)
{
	uint8_t buf[4096];
	for (uint64_t at = size; at < sh->sh_size;) {
		size_t n = sh->sh_size - at < sizeof buf ? (size_t)(sh->sh_size - at) : sizeof buf;
		if (read_at(r, sh->sh_offset + at, buf, n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return fail(r, "section " RDY_ELF_SECTION " has a non-zero byte after the descriptor, "
					    "at offset %llu", (unsigned long long)(at + i));
		at += n;
	}
	return 0;
}

static int read_descriptor(reader *r, uint8_t **out, size_t *len)
{
	GElf_Shdr sh;
	uint32_t size = 0;
	if (open_file(r) < 0 || open_elf(r) < 0 || find_section(r, &sh) < 0 || check_section(r, &sh) < 0 ||
	    declared_size(r, &sh, &size) < 0 || check_padding(r, &sh, size) < 0)
		return -1;
	uint8_t *buf = malloc(size);
	if (!buf) {
		r->status = -3;
		return fail(r, "out of memory");
	}
	if (read_at(r, sh.sh_offset, buf, size) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = size;
	return 0;
}

/* The data of SCN, a symbol table with the header SH, and the index of its string table; NULL unless both are in the file. */
static Elf_Data *symbols(reader *r, Elf_Scn *scn, const GElf_Shdr *sh, size_t *strndx)
{
	GElf_Shdr str;
	Elf_Scn *s = elf_getscn(r->elf, sh->sh_link);
	if (!in_file(r, sh) || !s || !gelf_getshdr(s, &str) || str.sh_type != SHT_STRTAB || !in_file(r, &str))
		return NULL;
	*strndx = sh->sh_link;
	return elf_getdata(scn, NULL);
}

/* As symbols, for the first section of type TYPE. */
static Elf_Data *symbol_table(reader *r, uint32_t type, size_t *strndx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(r->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return symbols(r, scn, &sh, strndx);
	return NULL;
}

/*
 * The dynamic symbol NAME as dlsym would find it: a defined data object,
 * global or weak, not hidden, and at least MIN_SIZE bytes.  A file without a
 * usable .dynsym has none.
 */
static int find_root(reader *r, const char *name, uint64_t min_size)
{
	size_t strndx = 0;
	Elf_Data *d = symbol_table(r, SHT_DYNSYM, &strndx);
	GElf_Sym sym;
	for (int i = 1; d && gelf_getsym(d, i, &sym); i++) {
		const char *s = elf_strptr(r->elf, strndx, sym.st_name);
		unsigned bind = GELF_ST_BIND(sym.st_info), vis = GELF_ST_VISIBILITY(sym.st_other);
		if (!s || strcmp(s, name) || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    GELF_ST_TYPE(sym.st_info) != STT_OBJECT || (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    (vis != STV_DEFAULT && vis != STV_PROTECTED))
			continue;
		if (sym.st_size < min_size)
			return fail(r, "root symbol `%s` is %llu bytes; ABI v1's is at least %llu", name,
				    (unsigned long long)sym.st_size, (unsigned long long)min_size);
		return 0;
	}
	return fail(r, "no root symbol `%s`: not an rdylib plugin", name);
}

/* Whether the dynamic section SCN has DF_1_NODELETE in a DT_FLAGS_1 before its DT_NULL. */
static bool nodelete(Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Dyn dyn;
	for (int i = 0; d && gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++)
		if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODELETE))
			return true;
	return false;
}

/* NAME's own static copy when it names a registrar of thread-local destructors (glibc's, libstdc++'s); else NULL. */
static const char *registrar(const char *name)
{
	static const char *const names[] = { "__cxa_thread_atexit_impl", "__cxa_thread_atexit" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(name, names[i]))
			return names[i];
	return NULL;
}

/* Adds the symbols D of .dynsym, named in section STRNDX, to K: -1 when memory runs out. */
static int add_symbols(reader *r, Elf_Data *d, size_t strndx, rdy_elf_keep *k)
{
	GElf_Sym sym;
	for (int i = 1; gelf_getsym(d, i, &sym); i++) {
		const char *name = elf_strptr(r->elf, strndx, sym.st_name);
		if (!name)
			continue;
		const char *tls = sym.st_shndx == SHN_UNDEF ? registrar(name) : NULL;
		if (GELF_ST_BIND(sym.st_info) == STB_GNU_UNIQUE && sym.st_shndx != SHN_UNDEF) {
			if (k->nunique < RDY_ELF_KEEP_NAMED && !(k->unique[k->nunique] = strdup(name)))
				return -1;
			k->nunique++;
		} else if (tls && k->ntls < 2) {
			k->tls[k->ntls++] = tls;
		}
	}
	return 0;
}

/* What every dynamic section and .dynsym of the file shows, in the order of the section headers, into K. */
static int read_keep(reader *r, rdy_elf_keep *k)
{
	for (Elf_Scn *scn = elf_nextscn(r->elf, NULL); scn; scn = elf_nextscn(r->elf, scn)) {
		GElf_Shdr sh;
		size_t strndx = 0;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNAMIC && in_file(r, &sh) && nodelete(scn))
			k->nodelete = true;
		else if (sh.sh_type == SHT_DYNSYM && (d = symbols(r, scn, &sh, &strndx)) &&
			 add_symbols(r, d, strndx, k) < 0)
			return RDY_ELF_KEEP_ENOMEM;
	}
	return 0;
}

static int finish(reader *r, int rc)
{
	elf_end(r->elf);
	if (r->fd >= 0)
		close(r->fd);
	return rc;
}

int rdy_elf_read_descriptor(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	reader r = { path, -1, 0, NULL, -1, err, errlen };
	*out = NULL;
	*len = 0;
	return finish(&r, read_descriptor(&r, out, len));
}

int rdy_elf_read_plugin(const char *path, const char *root, uint64_t min_size, uint8_t **out, size_t *len,
			char *err, size_t errlen)
{
	reader r = { path, -1, 0, NULL, -1, err, errlen };
	*out = NULL;
	*len = 0;
	if (read_descriptor(&r, out, len) < 0)
		return finish(&r, r.status);
	if (find_root(&r, root, min_size) == 0)
		return finish(&r, 0);
	free(*out);
	*out = NULL;
	*len = 0;
	return finish(&r, -1);
}

/* TEXT, or as much of it as fits, in ERR. */
static void detail(char *err, size_t errlen, const char *text)
{
	if (errlen)
		snprintf(err, errlen, "%s", text);
}

int rdy_elf_read_keep(const char *path, rdy_elf_keep *keep, char *err, size_t errlen)
{
	reader r = { path, -1, 0, NULL, -1, NULL, 0 };
	*keep = (rdy_elf_keep){ 0 };
	detail(err, errlen, "");
	int rc = open_regular(&r);
	if (rc == RDY_ELF_KEEP_EIO)
		detail(err, errlen, strerror(errno));
	if (rc == 0 && (rc = begin_elf(&r)) == RDY_ELF_KEEP_ELIBELF)
		detail(err, errlen, elf_errmsg(-1));
	if (rc == 0 && (rc = read_keep(&r, keep)) < 0)
		rdy_elf_keep_free(keep);
	return finish(&r, rc);
}

void rdy_elf_keep_free(rdy_elf_keep *keep)
{
	for (int i = 0; i < RDY_ELF_KEEP_NAMED; i++)
		free(keep->unique[i]);
	*keep = (rdy_elf_keep){ 0 };
}
