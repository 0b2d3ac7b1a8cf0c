/*
 * The descriptor note of an ELF file (docs/abi.md §5), its root symbol
 * (§7), and what in it can keep its object mapped (§7.3), read statically.
 *
 * Nothing in the file is trusted: every offset and size is checked against
 * the file's real size before a byte is read.  The file is read with pread
 * rather than mapped, so a file truncated while it is being read gives an
 * error, not SIGBUS.
 *
 * The loader reads a plugin before every dlopen, so that read is made
 * cheap: one read of the file's first bytes holds, as linkers lay a shared
 * object out, the ELF and program headers, the descriptor's note and the
 * dynamic symbols; one more reads the section headers, to find .dynsym.
 * The headers are this machine's <elf.h> types (a file of another class or
 * byte order cannot be loaded here, and is refused as such).  What can keep
 * an object mapped is read rarely, after an unload failed, through libelf.
 */
#include "abi/elf.h"
#include "abi/desc_int.h"
#include "rdy/abi.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* This machine's ELF class and byte order: the only files it can load. */
#if __ELF_NATIVE_CLASS == 64
#define NATIVE_CLASS ELFCLASS64
#else
#define NATIVE_CLASS ELFCLASS32
#endif
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

/*
 * How much of a file is read at once, first: as linkers lay out a shared
 * object, its ELF and program headers, its notes (the descriptor among
 * them, for up to some 1,200 functions) and its .dynsym and .dynstr.
 */
#define HEAD 16384

/*
 * Bounds on what a hostile file can make the reader do: the notes it walks
 * (a shared object has a handful; thousands of SystemTap probes are still
 * fewer), the descriptor's size (a world of 10,000 functions needs about
 * 130 KB) and the zero bytes a note may hold after it.
 */
#define MAX_NOTES 4096
#define MAX_DESCRIPTOR (64u << 20)
#define MAX_PADDING 4096

/* How messages name the descriptor's note. */
#define NOTE "`" RDY_DESCRIPTOR_NOTE_NAME "`"

typedef struct reader {
	const char *path;
	int fd;
	uint64_t fsize;                    /* the file's size; UNKNOWN until a read or fstat tells */
	Elf *elf;                          /* rdy_elf_read_keep's */
	int status;                        /* when failing: -1 a bad file, -2 an unreadable one, -3 no memory */
	char *err;
	size_t errlen;
	uint8_t *head;                     /* the file's first NHEAD bytes, malloc'd */
	size_t nhead;
	ElfW(Ehdr) eh;                     /* from the head, once check_header passed */
	const uint8_t *sh;                 /* the section header table, NSH entries: in the head or SH_OWN */
	uint64_t nsh;
	uint8_t *sh_own;
	uint8_t *desc_own;                 /* the descriptor note's bytes, when they are not all in the head */
	unsigned notes;                    /* walked so far, at most MAX_NOTES */
} reader;

#define UNKNOWN UINT64_MAX

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

/*
 * Opens the file to read its descriptor, with one system call: whether it
 * is a regular file, and its size, are asked (fstat) only when a read
 * fails or goes past what the first read got.  O_NONBLOCK: opening a FIFO
 * would otherwise wait for a writer.
 */
static int open_file(reader *r)
{
	r->fsize = UNKNOWN;
	if ((r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return unreadable(r, "%s", strerror(errno));
	return 0;
}

/* The file's size, asked now if no read has told it; UNKNOWN when fstat fails (a read will then say why). */
static uint64_t file_size(reader *r)
{
	struct stat st;
	if (r->fsize == UNKNOWN && fstat(r->fd, &st) == 0)
		r->fsize = (uint64_t)st.st_size;
	return r->fsize;
}

/*
 * Whether the open file is a regular one (or fstat cannot tell): asked only
 * once a read failed or refused what it read, so that a directory, a FIFO
 * or a device whose bytes happen to be read (/dev/zero) is reported as what
 * it is.
 */
static bool regular(reader *r)
{
	struct stat st;
	return fstat(r->fd, &st) != 0 || S_ISREG(st.st_mode);
}

/* Why a read of the file failed with errno E: it is not a regular file, or the read itself. */
static int read_failed(reader *r, int e)
{
	if (!regular(r))
		return unreadable(r, "not a regular file");
	return unreadable(r, "read failed: %s", strerror(e));
}

/* Whether the N bytes at OFF are all in the head. */
static bool in_head(const reader *r, uint64_t off, uint64_t n)
{
	return off <= r->nhead && n <= r->nhead - off;
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

/* Whether the N bytes at OFF are all in the file: in the head, or within its size. */
static bool within(reader *r, uint64_t off, uint64_t n)
{
	if (in_head(r, off, n))
		return true;
	uint64_t size = file_size(r);
	return off <= size && n <= size - off;
}

/* Whether the bytes of the section SH are all in the file. */
static bool in_file(reader *r, const GElf_Shdr *sh)
{
	return within(r, sh->sh_offset, sh->sh_size);
}

/*
 * N bytes at OFF, which the caller checked are in the file: in the head, or
 * read into *OWN, which the caller frees.  NULL when that read fails.
 */
static const uint8_t *bytes(reader *r, uint64_t off, uint64_t n, uint8_t **own)
{
	*own = NULL;
	if (in_head(r, off, n))
		return r->head + off;
	if (n > SIZE_MAX - 1 || !(*own = malloc((size_t)n + 1))) {
		r->status = -3;
		fail(r, "out of memory");
		return NULL;
	}
	if (read_at(r, off, *own, (size_t)n) < 0) {
		free(*own);
		*own = NULL;
		return NULL;
	}
	return *own;
}

/*
 * Up to N bytes at OFF into BUF: how many there were (fewer at the end of
 * the file), or -1 when a read fails.
 */
static int64_t read_upto(reader *r, uint64_t off, uint8_t *buf, size_t n)
{
	size_t got = 0;
	if (off > INT64_MAX || n > INT64_MAX - off)
		return 0;                          /* past any file's end: pread would refuse the offset */
	while (got < n) {
		ssize_t k = pread(r->fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return read_failed(r, errno);
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (int64_t)got;
}

/* The file's first bytes, up to HEAD of them, in one read; fewer tell the file's size. */
static int read_head(reader *r)
{
	if (!(r->head = malloc(HEAD))) {
		r->status = -3;
		return fail(r, "out of memory");
	}
	int64_t k = read_upto(r, 0, r->head, HEAD);
	if (k < 0)
		return -1;
	r->nhead = (size_t)k;
	if (r->nhead < HEAD)
		r->fsize = r->nhead;
	return 0;
}

static const char *class_name(unsigned c)
{
	return c == ELFCLASS32 ? "32-bit" : c == ELFCLASS64 ? "64-bit" : "unknown-class";
}

static const char *data_name(unsigned d)
{
	return d == ELFDATA2LSB ? "little-endian" : d == ELFDATA2MSB ? "big-endian" : "unknown-byte-order";
}

static int truncated_sections(reader *r)
{
	return fail(r, "file is truncated: its section header table starts at byte %llu, the file has %llu",
		    (unsigned long long)r->eh.e_shoff, (unsigned long long)file_size(r));
}

/* N section headers into R->SH: in the head, or read whole (a short read: the file is truncated). */
static int section_headers(reader *r, uint64_t n)
{
	uint64_t off = r->eh.e_shoff, size = n * sizeof(ElfW(Shdr));
	r->nsh = n;
	if (in_head(r, off, size)) {
		r->sh = r->head + off;
		return 0;
	}
	if (size > SIZE_MAX || !(r->sh_own = malloc((size_t)size))) {
		r->status = -3;
		return fail(r, "out of memory");
	}
	r->sh = r->sh_own;
	int64_t k = read_upto(r, off, r->sh_own, (size_t)size);
	return k < 0 ? -1 : (uint64_t)k < size ? truncated_sections(r) : 0;
}

/*
 * The section header table, all of it, into R->SH and R->NSH (0 without a
 * table): what finds .dynsym, or the notes of a relocatable object.  Read
 * whole, it also shows that the file is not cut short, as a plugin copied
 * or downloaded in part would be.
 */
static int read_sections(reader *r)
{
	const ElfW(Ehdr) *eh = &r->eh;
	if (!eh->e_shoff)
		return 0;
	if (eh->e_shnum)
		return section_headers(r, eh->e_shnum);
	/* 0 sections with a table: the count is in section 0's header. */
	ElfW(Shdr) s0;
	if (section_headers(r, 1) < 0)
		return -1;
	memcpy(&s0, r->sh, sizeof s0);
	free(r->sh_own);
	r->sh = r->sh_own = NULL;
	r->nsh = 0;
	if (!s0.sh_size)
		return 0;
	if (s0.sh_size > UINT64_MAX / sizeof s0 || !within(r, eh->e_shoff, s0.sh_size * sizeof s0))
		return truncated_sections(r);
	return section_headers(r, s0.sh_size);
}

/*
 * The ELF header, of this machine's class and byte order: only such a file
 * can be loaded here, and only such a file is read, with <elf.h>'s types.
 */
static int check_header(reader *r)
{
	const uint8_t *id = r->head;
	if (r->nhead < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return fail(r, "not an ELF file");
	if (r->nhead < EI_NIDENT || r->nhead < sizeof r->eh)
		return fail(r, "ELF header is truncated or damaged");
	if (id[EI_CLASS] != NATIVE_CLASS || id[EI_DATA] != NATIVE_DATA)
		return fail(r, "a %s %s ELF file; this machine loads %s %s ones", class_name(id[EI_CLASS]),
			    data_name(id[EI_DATA]), class_name(NATIVE_CLASS), data_name(NATIVE_DATA));
	memcpy(&r->eh, r->head, sizeof r->eh);
	const ElfW(Ehdr) *eh = &r->eh;
	if (id[EI_VERSION] != EV_CURRENT || eh->e_ehsize < sizeof *eh ||
	    (eh->e_phnum && eh->e_phentsize != sizeof(ElfW(Phdr))) ||
	    (eh->e_shoff && eh->e_shentsize != sizeof(ElfW(Shdr))) || eh->e_phnum == PN_XNUM)
		return fail(r, "ELF header is truncated or damaged");
	if (read_sections(r) < 0)
		return -1;
	uint64_t size = (uint64_t)eh->e_phnum * sizeof(ElfW(Phdr));
	if (eh->e_phnum && !within(r, eh->e_phoff, size))
		return fail(r, "file is truncated: its program header table starts at byte %llu, "
			    "the file has %llu", (unsigned long long)eh->e_phoff, (unsigned long long)file_size(r));
	return 0;
}

/* Where the descriptor's bytes are in the file: the desc of its note. */
typedef struct note {
	uint64_t off, size;
} note;

/* The index of the first non-zero byte of the N at P, or N. */
static uint64_t first_nonzero(const uint8_t *p, uint64_t n)
{
	uint64_t i = 0;
	while (i < n && !p[i])
		i++;
	return i;
}

static uint64_t align_up(uint64_t n, uint64_t a)
{
	return (n + a - 1) & ~(a - 1);
}

/*
 * The notes of a PT_NOTE segment or an SHT_NOTE section (WHAT, numbered I):
 * SIZE bytes at OFF, aligned to ALIGN.  Each descriptor note is counted in
 * *FOUND, the first kept in *OUT.
 */
static int scan_notes(reader *r, const char *what, uint64_t i, uint64_t off, uint64_t size, uint64_t align, note *out,
		      unsigned *found)
{
	if (!within(r, off, size))
		return fail(r, "note %s %llu is truncated: %llu bytes at offset %llu, the file has %llu", what,
			    (unsigned long long)i, (unsigned long long)size, (unsigned long long)off,
			    (unsigned long long)file_size(r));
	align = align == 8 ? 8 : 4;                    /* the gABI's: 8-byte notes pad to 8 */
	/* Each note's header and first name bytes, never its desc: a descriptor note may be larger than the head. */
	for (uint64_t at = 0; at < size;) {
		ElfW(Nhdr) n;
		uint8_t *own;
		uint64_t k = size - at < sizeof n + 4 ? size - at : sizeof n + 4, desc = 0;
		const uint8_t *b = bytes(r, off + at, k, &own);
		if (!b)
			return -1;
		bool ours = false;
		if (k >= sizeof n) {
			memcpy(&n, b, sizeof n);
			desc = at + align_up(sizeof n + (uint64_t)n.n_namesz, align);
			ours = k == sizeof n + 4 && n.n_namesz == sizeof RDY_DESCRIPTOR_NOTE_NAME &&
			       n.n_type == RDY_DESCRIPTOR_NOTE_TYPE &&
			       !memcmp(b + sizeof n, RDY_DESCRIPTOR_NOTE_NAME, sizeof RDY_DESCRIPTOR_NOTE_NAME);
		}
		free(own);
		if (++r->notes > MAX_NOTES)
			return fail(r, "more than %d ELF notes: not a file as linkers write them", MAX_NOTES);
		if (!desc || desc > size || n.n_descsz > size - desc)
			return fail(r, "note %s %llu is damaged: its note at byte %llu runs past the %s's end", what,
				    (unsigned long long)i, (unsigned long long)at, what);
		if (ours && (*found)++ == 0)
			*out = (note){ off + desc, n.n_descsz };
		at = desc + align_up(n.n_descsz, align);
	}
	return 0;
}

/* The notes of the file's PT_NOTE segments, as a loader sees them. */
static int segment_notes(reader *r, note *out, unsigned *found)
{
	const ElfW(Ehdr) *eh = &r->eh;
	uint8_t *own;
	const uint8_t *ph = bytes(r, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(ElfW(Phdr)), &own);
	if (!ph)
		return -1;
	int rc = 0;
	for (unsigned i = 0; i < eh->e_phnum && rc == 0; i++) {
		ElfW(Phdr) p;
		memcpy(&p, ph + (size_t)i * sizeof p, sizeof p);
		if (p.p_type == PT_NOTE)
			rc = scan_notes(r, "segment", i, p.p_offset, p.p_filesz, p.p_align, out, found);
	}
	free(own);
	return rc;
}

/* The notes of the file's SHT_NOTE sections: a relocatable object has no segments. */
static int section_notes(reader *r, note *out, unsigned *found)
{
	int rc = 0;
	for (uint64_t i = 0; i < r->nsh && rc == 0; i++) {
		ElfW(Shdr) s;
		memcpy(&s, r->sh + i * sizeof s, sizeof s);
		if (s.sh_type == SHT_NOTE)
			rc = scan_notes(r, "section", i, s.sh_offset, s.sh_size, s.sh_addralign, out, found);
	}
	return rc;
}

/* The one descriptor note: in the PT_NOTE segments, or the SHT_NOTE sections of a file without segments. */
static int find_note(reader *r, note *out)
{
	unsigned found = 0;
	if ((r->eh.e_phnum ? segment_notes(r, out, &found) : section_notes(r, out, &found)) < 0)
		return -1;
	if (found > 1)
		return fail(r, "%u " NOTE " notes; there must be one", found);
	if (!found)
		return fail(r, "no " NOTE " note (not an rdylib plugin?)");
	return 0;
}

/*
 * The descriptor the note N holds, as §5.1 frames it, into *DESC and *LEN:
 * a header, the size it declares at most the note's, and only zero bytes
 * after it.  *DESC points into the head, or into R->DESC_OWN when the note
 * lies past it.
 */
static int frame(reader *r, const note *n, const uint8_t **desc, size_t *len)
{
	if (n->size < RDY_DESC_HEADER)
		return fail(r, "the " NOTE " note is truncated: %llu bytes, a descriptor header needs %d",
			    (unsigned long long)n->size, RDY_DESC_HEADER);
	uint8_t h[RDY_DESC_HEADER], *own;
	const uint8_t *d = bytes(r, n->off, sizeof h, &own);
	if (!d)
		return -1;
	memcpy(h, d, sizeof h);
	free(own);
	uint32_t size = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
	if (memcmp(h, RDY_DESC_MAGIC, 4))
		return fail(r, "the " NOTE " note does not hold a descriptor (bad magic)");
	if (size < RDY_DESC_HEADER)
		return fail(r, "the descriptor in the " NOTE " note declares %u bytes, less than its own header",
			    (unsigned)size);
	if (size > n->size)
		return fail(r, "the " NOTE " note is truncated: the descriptor declares %u bytes, the note holds %llu",
			    (unsigned)size, (unsigned long long)n->size);
	if (size > MAX_DESCRIPTOR)
		return fail(r, "the descriptor in the " NOTE " note declares %u bytes; at most %u are read",
			    (unsigned)size, MAX_DESCRIPTOR);
	if (n->size - size > MAX_PADDING)
		return fail(r, "the " NOTE " note holds %llu bytes after the descriptor; at most %d may follow it",
			    (unsigned long long)(n->size - size), MAX_PADDING);
	/* Only now are the bytes read: the descriptor and its padding, at most MAX_PADDING more. */
	if (!(d = bytes(r, n->off, n->size, &r->desc_own)))
		return -1;
	uint64_t z = first_nonzero(d + size, n->size - size);
	if (z < n->size - size)
		return fail(r, "the " NOTE " note has a non-zero byte after the descriptor, at offset %llu",
			    (unsigned long long)(size + z));
	*desc = d;
	*len = size;
	return 0;
}

static int read_descriptor(reader *r, const uint8_t **desc, size_t *len)
{
	note n = { 0, 0 };
	if (open_file(r) < 0)
		return -1;
	if (read_head(r) < 0 || check_header(r) < 0 || find_note(r, &n) < 0 || frame(r, &n, desc, len) < 0) {
		if (r->status == -1 && !regular(r))
			return unreadable(r, "not a regular file");
		return -1;
	}
	return 0;
}

/* The buffer that holds DESC, taken from R so that finish leaves it: the head, or the descriptor's own. */
static void *take(reader *r, const uint8_t *desc)
{
	uint8_t **p = r->desc_own && desc == r->desc_own ? &r->desc_own : &r->head;
	void *buf = *p;
	*p = NULL;
	return buf;
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

/* Whether the symbol SYM, named in STRS (N bytes), is NAME and one dlsym could return: a defined data object, not hidden. */
static bool is_root(const ElfW(Sym) *sym, const uint8_t *strs, uint64_t n, const char *name, size_t len)
{
	unsigned bind = ELF64_ST_BIND(sym->st_info), vis = ELF64_ST_VISIBILITY(sym->st_other);
	return sym->st_name < n && n - sym->st_name > len && !memcmp(strs + sym->st_name, name, len + 1) &&
	       sym->st_shndx != SHN_UNDEF && sym->st_shndx < SHN_LORESERVE && sym->st_value != 0 &&
	       ELF64_ST_TYPE(sym->st_info) == STT_OBJECT && (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       (vis == STV_DEFAULT || vis == STV_PROTECTED);
}

/* Where symbols are read from: .dynsym, its names, and its version indexes (NULL: none). */
typedef struct symtab {
	const uint8_t *syms, *strs, *versym;
	uint64_t n, nstrs;
} symtab;

/*
 * The root among the symbols of T named NAME, as dlsym picks it (glibc's
 * check_match, asked for no version): a symbol without a version (index 0
 * or 1) at once; otherwise the one symbol of a version that is not hidden,
 * if there is just one (`rdy_plugin_v1@@V`, not `rdy_plugin_v1@V`).  Its
 * size into *SIZE; 1 when there is none.
 */
static int scan_symbols(reader *r, const symtab *t, const char *name, uint64_t min_size, uint64_t *size)
{
	size_t len = strlen(name);
	uint64_t pick = 0, versioned = 0;
	unsigned versions = 0;
	for (uint64_t i = 1; i < t->n && !pick; i++) {
		ElfW(Sym) sym;
		memcpy(&sym, t->syms + i * sizeof sym, sizeof sym);
		if (!is_root(&sym, t->strs, t->nstrs, name, len))
			continue;
		uint16_t v = 0;
		if (t->versym)
			memcpy(&v, t->versym + i * sizeof v, sizeof v);
		if ((v & 0x7fff) < 2)
			pick = i;
		else if (!(v & 0x8000) && versions++ == 0)
			versioned = i;
	}
	if (!pick && versions == 1)
		pick = versioned;
	if (!pick)
		return 1;
	ElfW(Sym) sym;
	memcpy(&sym, t->syms + pick * sizeof sym, sizeof sym);
	if (sym.st_size < min_size)
		return fail(r, "root symbol `%s` is %llu bytes; ABI v1's is at least %llu", name,
			    (unsigned long long)sym.st_size, (unsigned long long)min_size);
	*size = sym.st_size;
	return 0;
}

/* Section header I of the table. */
static ElfW(Shdr) section_header(const reader *r, uint64_t i)
{
	ElfW(Shdr) sh;
	memcpy(&sh, r->sh + i * sizeof sh, sizeof sh);
	return sh;
}

/*
 * The dynamic symbol NAME as dlsym would find it: a defined data object,
 * global or weak, not hidden, of the version dlsym picks, and at least
 * MIN_SIZE bytes, in the first SHT_DYNSYM section, with its string table
 * and its SHT_GNU_versym section if it has one.  A file without a usable
 * .dynsym has none.  Its size goes to *SIZE.
 */
static int find_root(reader *r, const char *name, uint64_t min_size, uint64_t *size)
{
	uint8_t *own[3] = { NULL, NULL, NULL };
	symtab t = { 0 };
	int rc = 1;
	uint64_t i = 0;
	while (i < r->nsh && section_header(r, i).sh_type != SHT_DYNSYM)
		i++;
	ElfW(Shdr) dyn = i < r->nsh ? section_header(r, i) : (ElfW(Shdr)){ 0 }, str = { 0 }, ver = { 0 };
	if (i < r->nsh && dyn.sh_link < r->nsh)
		str = section_header(r, dyn.sh_link);
	t.n = dyn.sh_size / sizeof(ElfW(Sym));
	for (uint64_t k = 0; k < r->nsh && str.sh_type == SHT_STRTAB; k++) {
		ElfW(Shdr) sh = section_header(r, k);
		if (sh.sh_type == SHT_GNU_versym && sh.sh_link == i && sh.sh_size / sizeof(uint16_t) >= t.n) {
			ver = sh;
			break;
		}
	}
	if (str.sh_type == SHT_STRTAB && within(r, dyn.sh_offset, dyn.sh_size) && within(r, str.sh_offset, str.sh_size) &&
	    (!ver.sh_type || within(r, ver.sh_offset, t.n * sizeof(uint16_t)))) {
		t.nstrs = str.sh_size;
		if (!(t.syms = bytes(r, dyn.sh_offset, dyn.sh_size, &own[0])) ||
		    !(t.strs = bytes(r, str.sh_offset, str.sh_size, &own[1])) ||
		    (ver.sh_type && !(t.versym = bytes(r, ver.sh_offset, t.n * sizeof(uint16_t), &own[2]))))
			rc = -1;
		else
			rc = scan_symbols(r, &t, name, min_size, size);
	}
	for (int k = 0; k < 3; k++)
		free(own[k]);
	if (rc > 0)
		return fail(r, "no root symbol `%s`: not an rdylib plugin", name);
	return rc;
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
	free(r->head);
	free(r->sh_own);
	free(r->desc_own);
	elf_end(r->elf);
	if (r->fd >= 0)
		close(r->fd);
	return rc;
}

int rdy_elf_read_descriptor(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	reader r = { .path = path, .fd = -1, .status = -1, .err = err, .errlen = errlen };
	const uint8_t *desc;
	*out = NULL;
	*len = 0;
	if (read_descriptor(&r, &desc, len) < 0) {
		*len = 0;
		return finish(&r, -1);
	}
	*out = take(&r, desc);
	memmove(*out, desc, *len);         /* to the start of its buffer, which the caller frees */
	return finish(&r, 0);
}

int rdy_elf_read_plugin(const char *path, const char *root, uint64_t min_size, rdy_elf_plugin *out, char *err,
			size_t errlen)
{
	reader r = { .path = path, .fd = -1, .status = -1, .err = err, .errlen = errlen };
	*out = (rdy_elf_plugin){ 0 };
	const uint8_t *desc;
	size_t len;
	if (read_descriptor(&r, &desc, &len) < 0 || find_root(&r, root, min_size, &out->root_size) < 0)
		return finish(&r, r.status);
	out->desc = desc;
	out->len = len;
	out->buf = take(&r, desc);
	return finish(&r, 0);
}

void rdy_elf_plugin_free(rdy_elf_plugin *p)
{
	free(p->buf);
	*p = (rdy_elf_plugin){ 0 };
}

/* TEXT, or as much of it as fits, in ERR. */
static void detail(char *err, size_t errlen, const char *text)
{
	if (errlen)
		snprintf(err, errlen, "%s", text);
}

int rdy_elf_read_keep(const char *path, rdy_elf_keep *keep, char *err, size_t errlen)
{
	reader r = { .path = path, .fd = -1, .status = -1 };
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
