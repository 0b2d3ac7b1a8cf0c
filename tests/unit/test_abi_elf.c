/*
 * The static ELF reader (src/abi/elf.c): the framing of the descriptor note,
 * docs/abi.md §5, and what in a shared object can keep it mapped
 * after dlclose, §7.3, on ELF files built here byte by byte, and no crash on
 * any truncation or single damaged byte of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/elf.h"
#include "rdy/abi.h"

static char root[64];

/* How the ELF file build() writes differs from a valid plugin's: all zero, it does not. */
typedef struct spec {
	bool other_owner;                  /* the note's owner is GNU, not RDY */
	uint32_t note_type;                /* 0: RDY_DESCRIPTOR_NOTE_TYPE */
	uint32_t declared;                 /* the size the descriptor's header declares; 0: 20 */
	uint32_t body;                     /* descriptor bytes written, header included; 0: 20 */
	bool no_pad;                       /* no bytes after them in the note's desc; otherwise 4 */
	uint8_t pad_byte;
	bool twice;                        /* a second descriptor note after the first */
	bool bad_magic;
	bool no_segment;                   /* no program headers */
	bool note_section;                 /* a section header of type SHT_NOTE for the notes */
} spec;

typedef struct image {
	uint8_t b[2048];
	size_t len;
	size_t shoff;                      /* where the section headers start */
} image;

static const char strtab[] = "\0.shstrtab";
enum { NAME_SHSTRTAB = 1 };

/* Where build() puts its program header, a PT_NOTE, and the notes it covers. */
enum { PHOFF = sizeof(Elf64_Ehdr), NOTES = PHOFF + sizeof(Elf64_Phdr) };

static void section(image *im, int i, uint32_t name, uint32_t type, uint64_t flags, uint64_t off, uint64_t size)
{
	Elf64_Shdr sh = { 0 };
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_offset = off;
	sh.sh_size = size;
	sh.sh_addralign = 1;
	memcpy(im->b + im->shoff + (size_t)i * sizeof sh, &sh, sizeof sh);
}

/*
 * The ELF header of an ELF64 shared object whose SHNUM section headers start
 * at IM->SHOFF, the first one after the null section holding their names,
 * and whose PHNUM program headers start at PHOFF; the file ends with the
 * section headers.
 */
static void elf_header(image *im, uint16_t shnum, uint16_t phnum)
{
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof eh;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = shnum;
	eh.e_shstrndx = 1;
	eh.e_shoff = im->shoff;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = phnum;
	eh.e_phoff = phnum ? PHOFF : 0;
	memcpy(im->b, &eh, sizeof eh);
	im->len = im->shoff + shnum * sizeof(Elf64_Shdr);
	assert_true(im->len <= sizeof im->b);
}

/* A note at AT, of OWNER (3 characters) and TYPE, with the N bytes DESC: its size, padding included. */
static size_t note(uint8_t *at, const char *owner, uint32_t type, const uint8_t *desc, uint32_t n)
{
	Elf64_Nhdr h = { 4, n, type };
	memcpy(at, &h, sizeof h);
	memcpy(at + sizeof h, owner, 4);
	memcpy(at + sizeof h + 4, desc, n);
	return sizeof h + 4 + ((n + 3) & ~(size_t)3);
}

/* An ELF64 shared object: headers, a PT_NOTE's notes, the section names, then the section headers. */
static void build(image *im, const spec *s)
{
	memset(im, 0, sizeof *im);
	uint32_t body = s->body ? s->body : 20, declared = s->declared ? s->declared : 20, pad = s->no_pad ? 0 : 4;
	uint8_t d[64] = { 0 };
	memcpy(d, s->bad_magic ? "\x7eRDY\x01\x00\x02\x00" : "\x7fRDY\x01\x00\x02\x00", 8);
	for (int i = 0; i < 4; i++)
		d[8 + i] = (uint8_t)(declared >> (8 * i));
	for (uint32_t i = 12; i < body; i++)
		d[i] = (uint8_t)i;
	memset(d + body, s->pad_byte, pad);
	const char *owner = s->other_owner ? "GNU" : RDY_DESCRIPTOR_NOTE_NAME;
	uint32_t type = s->note_type ? s->note_type : RDY_DESCRIPTOR_NOTE_TYPE;
	size_t at = NOTES;
	for (int i = 0; i < 1 + s->twice; i++)
		at += note(im->b + at, owner, type, d, body + pad);
	size_t names = at;
	im->shoff = (names + sizeof strtab + 7) & ~(size_t)7;
	elf_header(im, s->note_section ? 3 : 2, !s->no_segment);
	memcpy(im->b + names, strtab, sizeof strtab);
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTES, .p_vaddr = NOTES,
			  .p_filesz = at - NOTES, .p_memsz = at - NOTES, .p_align = 4 };
	if (!s->no_segment)
		memcpy(im->b + PHOFF, &ph, sizeof ph);
	section(im, 1, NAME_SHSTRTAB, SHT_STRTAB, 0, names, sizeof strtab);
	if (s->note_section)
		section(im, 2, 0, SHT_NOTE, SHF_ALLOC, NOTES, at - NOTES);
}

/* The program header of the notes, to damage it. */
static Elf64_Phdr *note_segment(image *im)
{
	return (Elf64_Phdr *)(void *)(im->b + PHOFF);
}

/* Section header I, to complete or damage it. */
static Elf64_Shdr *header(image *im, int i)
{
	return (Elf64_Shdr *)(void *)(im->b + im->shoff + (size_t)i * sizeof(Elf64_Shdr));
}

/* A symbol of the .dynsym that build_dso writes. */
typedef struct dsym {
	const char *name;
	unsigned bind;                     /* STB_GLOBAL, STB_GNU_UNIQUE, ... */
	bool undefined;                    /* SHN_UNDEF; otherwise defined in .dynamic, as good a section as any */
} dsym;

#define DEF(name, bind) { name, bind, false }
#define UNDEF(name) { name, STB_GLOBAL, true }

/* What the shared object build_dso writes holds in .dynamic and .dynsym. */
typedef struct dso {
	uint64_t flags_1;                  /* DT_FLAGS_1; 0: none */
	bool flags_after_null;             /* a DT_NULL before DT_FLAGS_1 */
	dsym syms[6];                      /* up to the first without a name */
} dso;

static const char dso_strtab[] = "\0.shstrtab\0.dynstr\0.dynsym\0.dynamic";
enum { DSO_DYNSTR = 2, DSO_DYNSYM, DSO_DYNAMIC, DSO_SECTIONS };

/* An ELF64 shared object: headers, the section names, .dynstr, .dynsym, .dynamic, then the section headers. */
static void build_dso(image *im, const dso *s)
{
	memset(im, 0, sizeof *im);
	Elf64_Sym syms[1 + sizeof s->syms / sizeof *s->syms] = { { 0 } };
	size_t names = sizeof(Elf64_Ehdr), dynstr = names + sizeof dso_strtab, at = dynstr + 1, nsyms = 1;
	for (const dsym *y = s->syms; y < s->syms + sizeof s->syms / sizeof *s->syms && y->name; y++, nsyms++) {
		syms[nsyms].st_name = (uint32_t)(at - dynstr);
		syms[nsyms].st_info = ELF64_ST_INFO(y->bind, STT_OBJECT);
		syms[nsyms].st_shndx = y->undefined ? SHN_UNDEF : DSO_DYNAMIC;
		memcpy(im->b + at, y->name, strlen(y->name) + 1);
		at += strlen(y->name) + 1;
	}
	size_t dynsym = (at + 7) & ~(size_t)7, dynamic = dynsym + nsyms * sizeof *syms;
	Elf64_Dyn dyn[3] = { { 0 } }, *d = dyn + s->flags_after_null;
	if (s->flags_1)
		*d = (Elf64_Dyn){ .d_tag = DT_FLAGS_1, .d_un.d_val = s->flags_1 };
	im->shoff = dynamic + sizeof dyn;
	elf_header(im, DSO_SECTIONS, 0);
	memcpy(im->b + names, dso_strtab, sizeof dso_strtab);
	memcpy(im->b + dynsym, syms, nsyms * sizeof *syms);
	memcpy(im->b + dynamic, dyn, sizeof dyn);
	section(im, 1, 1, SHT_STRTAB, 0, names, sizeof dso_strtab);   /* names at 1, 11, 19 and 27 of dso_strtab */
	section(im, DSO_DYNSTR, 11, SHT_STRTAB, SHF_ALLOC, dynstr, at - dynstr);
	section(im, DSO_DYNSYM, 19, SHT_DYNSYM, SHF_ALLOC, dynsym, nsyms * sizeof *syms);
	section(im, DSO_DYNAMIC, 27, SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, dynamic, sizeof dyn);
	for (int i = DSO_DYNSYM; i <= DSO_DYNAMIC; i++) {
		header(im, i)->sh_link = DSO_DYNSTR;
		header(im, i)->sh_addralign = 8;
	}
	header(im, DSO_DYNSYM)->sh_info = 1;
	header(im, DSO_DYNSYM)->sh_entsize = sizeof *syms;
	header(im, DSO_DYNAMIC)->sh_entsize = sizeof *dyn;
}

static const char *put(const char *name, const void *bytes, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", root, name);
	unlink(path);                      /* rewriting in place would have ext4 flush it on close */
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Reading PATH must fail with a message that names it and contains WANT. */
static void refused(const char *path, const char *want)
{
	uint8_t *out = (uint8_t *)"untouched";
	size_t len = 99;
	char err[256] = "";
	assert_int_equal(rdy_elf_read_descriptor(path, &out, &len, err, sizeof err), -1);
	assert_null(out);
	assert_int_equal(len, 0);
	if (strncmp(err, path, strlen(path)) || strncmp(err + strlen(path), ": ", 2) || !strstr(err, want))
		fail_msg("expected `%s: ...%s...`, got `%s`", path, want, err);
}

static void refused_spec(const spec *s, const char *want)
{
	image im;
	build(&im, s);
	refused(put("x.so", im.b, im.len), want);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/rdy-abi-elf-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void reads_the_descriptor(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256] = "";
	if (rdy_elf_read_descriptor(put("ok.so", im.b, im.len), &out, &len, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(len, 20);               /* the declared size: the padding is left out */
	assert_memory_equal(out, im.b + NOTES + sizeof(Elf64_Nhdr) + 4, 20);
	free(out);
}

static void note_without_padding(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ .no_pad = true });
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(rdy_elf_read_descriptor(put("ok.so", im.b, im.len), &out, &len, NULL, 0), 0);
	assert_int_equal(len, 20);
	free(out);
}

/* A relocatable object has no segments: its SHT_NOTE sections are read instead, and only then. */
static void note_in_a_section(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ .no_segment = true, .note_section = true });
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256] = "";
	if (rdy_elf_read_descriptor(put("x.o", im.b, im.len), &out, &len, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(len, 20);
	assert_memory_equal(out, im.b + NOTES + sizeof(Elf64_Nhdr) + 4, 20);
	free(out);
	build(&im, &(spec){ .no_segment = true, .note_section = true, .twice = true });
	refused(put("x.o", im.b, im.len), "2 `RDY` notes; there must be one");
	build(&im, &(spec){ .note_section = true });
	note_segment(&im)->p_type = PT_NULL;       /* a loadable file's notes are its PT_NOTE segments' */
	refused(put("x.so", im.b, im.len), "no `RDY` note (not an rdylib plugin?)");
}

static void no_note(void **state)
{
	(void)state;
	refused_spec(&(spec){ .other_owner = true }, "no `RDY` note (not an rdylib plugin?)");
	refused_spec(&(spec){ .note_type = 2 }, "no `RDY` note (not an rdylib plugin?)");
	refused_spec(&(spec){ .no_segment = true }, "no `RDY` note (not an rdylib plugin?)");
	refused("/proc/self/exe", "no `RDY` note");
}

/* The note and the descriptor's header, each wrong in one way. */
static void framing(void **state)
{
	(void)state;
	static const struct {
		spec s;
		const char *want;
	} cases[] = {
		{ { .twice = true }, "2 `RDY` notes; there must be one" },
		{ { .body = 8, .no_pad = true }, "the `RDY` note is truncated: 8 bytes, a descriptor header needs 12" },
		{ { .declared = 25 }, "the `RDY` note is truncated: the descriptor declares 25 bytes, the note holds 24" },
		{ { .declared = 11 }, "the descriptor in the `RDY` note declares 11 bytes, less than its own header" },
		{ { .bad_magic = true }, "the `RDY` note does not hold a descriptor (bad magic)" },
		{ { .pad_byte = 0xcc }, "the `RDY` note has a non-zero byte after the descriptor, at offset 20" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		refused_spec(&cases[i].s, cases[i].want);
}

static void headers_out_of_bounds(void **state)
{
	(void)state;
	image im;
	char want[128];
	build(&im, &(spec){ 0 });
	note_segment(&im)->p_offset = 4000;
	snprintf(want, sizeof want, "note segment 0 is truncated: 40 bytes at offset 4000, the file has %zu", im.len);
	refused(put("x.so", im.b, im.len), want);
	build(&im, &(spec){ 0 });
	note_segment(&im)->p_filesz = UINT64_MAX - 8;  /* offset + size wraps around */
	refused(put("x.so", im.b, im.len), "note segment 0 is truncated: 18446744073709551607 bytes at offset 120");
	build(&im, &(spec){ 0 });
	((Elf64_Nhdr *)(void *)(im.b + NOTES))->n_descsz = 1000;
	refused(put("x.so", im.b, im.len), "note segment 0 is damaged: its note at byte 0 runs past the segment's end");
	build(&im, &(spec){ 0 });
	note_segment(&im)->p_filesz = 10;
	refused(put("x.so", im.b, im.len), "note segment 0 is damaged: its note at byte 0 runs past the segment's end");
	build(&im, &(spec){ 0 });
	((Elf64_Ehdr *)(void *)im.b)->e_phoff = 100000;
	snprintf(want, sizeof want, "file is truncated: its program header table starts at byte 100000, the file has %zu",
		 im.len);
	refused(put("x.so", im.b, im.len), want);
	build(&im, &(spec){ 0 });
	snprintf(want, sizeof want, "file is truncated: its section header table starts at byte %zu, the file has %zu",
		 im.shoff, im.len - 1);
	refused(put("x.so", im.b, im.len - 1), want);
}

/*
 * A large image: build()'s, its notes' segment grown to hold EXTRA more
 * bytes written by FILL, the section names and headers moved past them.
 */
static uint8_t *grown(size_t extra, void (*fill)(uint8_t *at, size_t extra), size_t *len)
{
	image im;
	build(&im, &(spec){ .no_pad = true });
	size_t notes = NOTES + sizeof(Elf64_Nhdr) + 4 + 20, tail = im.len - notes;
	uint8_t *b = calloc(1, im.len + extra);
	assert_non_null(b);
	memcpy(b, im.b, notes);
	fill(b + notes, extra);
	memcpy(b + notes + extra, im.b + notes, tail);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)b;
	Elf64_Shdr names;                                /* header 1, now at an offset maybe not 8-aligned */
	uint8_t *at = b + eh->e_shoff + extra + sizeof names;
	memcpy(&names, at, sizeof names);
	names.sh_offset += extra;
	memcpy(at, &names, sizeof names);
	eh->e_shoff += extra;
	((Elf64_Phdr *)(void *)(b + PHOFF))->p_filesz += extra;
	*len = im.len + extra;
	return b;
}

/* EXTRA / 12 empty notes of another owner. */
static void empty_notes(uint8_t *at, size_t extra)
{
	for (size_t i = 0; i + 12 <= extra; i += 12)
		memcpy(at + i, &(Elf64_Nhdr){ 0, 0, 1 }, 12);
}

/* EXTRA zero bytes: the descriptor note's padding, once its descsz counts them. */
static void zeros(uint8_t *at, size_t extra)
{
	(void)at;
	(void)extra;
}

/* What a hostile file can make the reader do is bounded: the notes it walks, the bytes it keeps. */
static void bounded(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = grown(4096 * 12, empty_notes, &len);
	refused(put("x.so", b, len), "more than 4096 ELF notes: not a file as linkers write them");
	free(b);

	/* Padding: up to 4096 zero bytes after the descriptor, no more. */
	for (size_t extra = 4096; extra <= 4100; extra += 4) {
		b = grown(extra, zeros, &len);
		((Elf64_Nhdr *)(void *)(b + NOTES))->n_descsz += (uint32_t)extra;
		uint8_t *out = NULL;
		size_t n = 0;
		char err[256] = "";
		int rc = rdy_elf_read_descriptor(put("x.so", b, len), &out, &n, err, sizeof err);
		if (extra == 4096 && (rc != 0 || n != 20))
			fail_msg("4096 bytes of padding: %s", err);
		if (extra > 4096 && (rc == 0 || !strstr(err, "the `RDY` note holds 4100 bytes after the descriptor; "
								 "at most 4096 may follow it")))
			fail_msg("4100 bytes of padding: %s", rc ? err : "read");
		free(out);
		free(b);
	}

	/* A descriptor declared larger than 64 MiB is refused before a byte of it is read: the file is sparse. */
	image im;
	build(&im, &(spec){ .no_pad = true });
	uint32_t huge = (64u << 20) + 1;
	Elf64_Nhdr *n = (Elf64_Nhdr *)(void *)(im.b + NOTES);
	n->n_descsz = huge;
	for (int i = 0; i < 4; i++)
		im.b[NOTES + sizeof *n + 4 + 8 + i] = (uint8_t)(huge >> (8 * i));
	note_segment(&im)->p_filesz = sizeof *n + 4 + huge;
	const char *path = put("sparse.so", im.b, im.len);
	assert_int_equal(truncate(path, (off_t)(NOTES + sizeof *n + 4 + huge)), 0);
	refused(path, "the descriptor in the `RDY` note declares 67108865 bytes; at most 67108864 are read");
	unlink(path);

	/* Offsets past what pread takes are past the file's end. */
	build(&im, &(spec){ 0 });
	((Elf64_Ehdr *)(void *)im.b)->e_shoff = UINT64_C(1) << 63;
	refused(put("x.so", im.b, im.len),
		"file is truncated: its section header table starts at byte 9223372036854775808, the file has");
}

/* Only this machine's ELF class and byte order can be loaded, and only they are read. */
static void foreign_elf(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	im.b[EI_CLASS] = ELFCLASS32;
	refused(put("x.so", im.b, im.len), "a 32-bit little-endian ELF file; this machine loads 64-bit little-endian ones");
	build(&im, &(spec){ 0 });
	im.b[EI_DATA] = ELFDATA2MSB;
	refused(put("x.so", im.b, im.len), "a 64-bit big-endian ELF file; this machine loads 64-bit little-endian ones");
	build(&im, &(spec){ 0 });
	((Elf64_Ehdr *)(void *)im.b)->e_phentsize = 32;
	refused(put("x.so", im.b, im.len), "ELF header is truncated or damaged");
}

static void not_elf(void **state)
{
	(void)state;
	refused(put("empty", "", 0), "not an ELF file");
	refused(put("text", "hello, world\n", 13), "not an ELF file");
	image im;
	build(&im, &(spec){ 0 });
	refused(put("short.so", im.b, 20), "ELF header is truncated or damaged");
	refused(root, "not a regular file");
	refused("/dev/zero", "not a regular file");   /* its bytes are read, but it is no file */
	char missing[128];
	snprintf(missing, sizeof missing, "%s/missing.so", root);
	refused(missing, "No such file or directory");
}

static void short_error_buffer(void **state)
{
	(void)state;
	uint8_t *out;
	size_t len;
	char err[8];
	assert_int_equal(rdy_elf_read_descriptor(put("empty", "", 0), &out, &len, err, sizeof err), -1);
	assert_int_equal(strlen(err), sizeof err - 1);
	assert_int_equal(rdy_elf_read_descriptor(put("empty", "", 0), &out, &len, NULL, 0), -1);
}

/* Reads PATH, which may succeed or fail but must stay in bounds (the sanitizers and valgrind watch). */
static void read_any(const char *path)
{
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256];
	if (rdy_elf_read_descriptor(path, &out, &len, err, sizeof err) == 0) {
		assert_true(len >= 12);
		assert_memory_equal(out, "\x7fRDY", 4);
	} else {
		assert_null(out);
		assert_true(err[0] != '\0');
	}
	free(out);
}

/* Has VISIT read each truncation of IM. */
static void each_truncation(const image *im, void (*visit)(const char *path))
{
	for (size_t n = 0; n < im->len; n++)
		visit(put("cut.so", im->b, n));
}

/* Has VISIT read IM with each of its bytes damaged in three ways, one at a time. */
static void each_damaged_byte(image *im, void (*visit)(const char *path))
{
	static const uint8_t masks[] = { 0xff, 0x80, 0x01 };
	for (size_t i = 0; i < im->len; i++)
		for (size_t k = 0; k < sizeof masks; k++) {
			im->b[i] ^= masks[k];
			visit(put("damaged.so", im->b, im->len));
			im->b[i] ^= masks[k];
		}
}

static void every_truncation(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	each_truncation(&im, read_any);
}

static void every_damaged_byte(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	each_damaged_byte(&im, read_any);
}

/* ---- what can keep a shared object mapped (rdy_elf_read_keep) ------------------- */

/*
 * What rdy_elf_read_keep reads from PATH, as text: each reason it finds,
 * joined by "; " ("nothing" for none), or "error RC: ERR".  The result's
 * invariants are checked on the way.
 */
static const char *keep_of(const char *path)
{
	static char text[1024];
	rdy_elf_keep k;
	char err[256] = "untouched";
	int rc = rdy_elf_read_keep(path, &k, err, sizeof err);
	if (rc) {
		assert_true(rc >= RDY_ELF_KEEP_ENOMEM && rc <= RDY_ELF_KEEP_EIO);
		assert_false(k.nodelete || k.nunique || k.ntls || k.unique[0]);
		snprintf(text, sizeof text, "error %d: %s", rc, err);
		return text;
	}
	assert_string_equal(err, "");
	size_t n = 0;
	const char *sep = "";
	text[0] = '\0';
	if (k.nodelete) {
		n += (size_t)snprintf(text + n, sizeof text - n, "nodelete");
		sep = "; ";
	}
	if (k.nunique) {
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%u unique:", sep, (unsigned)k.nunique);
		sep = "; ";
	}
	for (uint32_t i = 0; i < RDY_ELF_KEEP_NAMED; i++) {
		assert_true(!k.unique[i] == (i >= k.nunique));
		if (k.unique[i])
			n += (size_t)snprintf(text + n, sizeof text - n, " %s", k.unique[i]);
	}
	assert_in_range(k.ntls, 0, 2);
	if (k.ntls) {
		n += (size_t)snprintf(text + n, sizeof text - n, "%stls:", sep);
		sep = "; ";
	}
	for (uint32_t i = 0; i < k.ntls; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " %s", k.tls[i]);
	if (!*sep)
		snprintf(text, sizeof text, "nothing");
	rdy_elf_keep_free(&k);
	assert_false(k.nodelete || k.nunique || k.ntls || k.unique[0]);
	return text;
}

static const char *keep_of_dso(const dso *s)
{
	image im;
	build_dso(&im, s);
	return keep_of(put("keep.so", im.b, im.len));
}

/* Linked with -z nodelete: DF_1_NODELETE among other flags, in DT_FLAGS_1 before DT_NULL. */
static void keep_nodelete(void **state)
{
	(void)state;
	assert_string_equal(keep_of_dso(&(dso){ .flags_1 = DF_1_NOW | DF_1_NODELETE }), "nodelete");
	assert_string_equal(keep_of_dso(&(dso){ .flags_1 = DF_1_NOW }), "nothing");
	assert_string_equal(keep_of_dso(&(dso){ .flags_1 = DF_1_NODELETE, .flags_after_null = true }), "nothing");
}

/* Defined STB_GNU_UNIQUE symbols: all counted, three named, in .dynsym's order; an undefined one is not. */
static void keep_unique(void **state)
{
	(void)state;
	dso s = { .syms = { DEF("_ZN1AIiE1xE", STB_GNU_UNIQUE), DEF("plain", STB_GLOBAL),
			    { "_ZN1BIiE1xE", STB_GNU_UNIQUE, true } } };
	assert_string_equal(keep_of_dso(&s), "1 unique: _ZN1AIiE1xE");
	s = (dso){ .syms = { DEF("_ZN1AIiE1xE", STB_GNU_UNIQUE), DEF("_ZN1AIjE1xE", STB_GNU_UNIQUE),
			     DEF("weak", STB_WEAK), DEF("_ZN1AIlE1xE", STB_GNU_UNIQUE),
			     DEF("_ZN1AImE1xE", STB_GNU_UNIQUE) } };
	assert_string_equal(keep_of_dso(&s), "4 unique: _ZN1AIiE1xE _ZN1AIjE1xE _ZN1AIlE1xE");
}

/* Undefined references to either registrar of thread-local destructors, in .dynsym's order; a definition is none. */
static void keep_thread_local_destructors(void **state)
{
	(void)state;
	dso s = { .syms = { UNDEF("__cxa_thread_atexit") } };
	assert_string_equal(keep_of_dso(&s), "tls: __cxa_thread_atexit");
	s = (dso){ .syms = { DEF("__cxa_thread_atexit_impl", STB_GLOBAL), UNDEF("atexit"),
			     { "__cxa_thread_atexit_impl", STB_WEAK, true }, UNDEF("__cxa_thread_atexit") } };
	assert_string_equal(keep_of_dso(&s), "tls: __cxa_thread_atexit_impl __cxa_thread_atexit");
	s = (dso){ .syms = { DEF("__cxa_thread_atexit_impl", STB_GLOBAL) } };
	assert_string_equal(keep_of_dso(&s), "nothing");
}

static const dso every_reason = {
	.flags_1 = DF_1_NODELETE, .syms = { UNDEF("__cxa_thread_atexit"), DEF("_ZN1AIiE1xE", STB_GNU_UNIQUE) }
};

static void keep_every_reason(void **state)
{
	(void)state;
	assert_string_equal(keep_of_dso(&every_reason), "nodelete; 1 unique: _ZN1AIiE1xE; tls: __cxa_thread_atexit");
	assert_string_equal(keep_of_dso(&(dso){ 0 }), "nothing");
	assert_string_equal(keep_of("/proc/self/exe"), "nothing");   /* this test, linked without -z nodelete */
}

/* A file that cannot be read, is not ELF, or is cut short: what can be read of it, or why nothing can. */
static void keep_damaged(void **state)
{
	(void)state;
	char missing[128];
	snprintf(missing, sizeof missing, "%s/missing.so", root);
	assert_string_equal(keep_of(missing), "error -1: No such file or directory");
	assert_string_equal(keep_of(root), "error -2: ");
	assert_string_equal(keep_of(put("empty", "", 0)), "error -4: ");
	assert_string_equal(keep_of(put("text", "hello, world\n", 13)), "error -4: ");
	image im;
	build_dso(&im, &every_reason);
	assert_string_equal(keep_of(put("cut.so", im.b, 63)), "error -4: ");   /* less than an ELF header */
	/* The section header table cut: libelf sees no sections, so there is nothing to find. */
	assert_string_equal(keep_of(put("cut.so", im.b, im.len - 1)), "nothing");
	/* Sections past the end of the file are passed over, and so are the symbols of a string table that is. */
	build_dso(&im, &every_reason);
	header(&im, DSO_DYNSYM)->sh_offset = 4000;
	assert_string_equal(keep_of(put("x.so", im.b, im.len)), "nodelete");
	build_dso(&im, &every_reason);
	header(&im, DSO_DYNSTR)->sh_size = UINT64_MAX - 8;
	assert_string_equal(keep_of(put("x.so", im.b, im.len)), "nodelete");
	build_dso(&im, &every_reason);
	header(&im, DSO_DYNAMIC)->sh_offset = 4000;
	assert_string_equal(keep_of(put("x.so", im.b, im.len)), "1 unique: _ZN1AIiE1xE; tls: __cxa_thread_atexit");
	/* A section count in section 0 (e_shnum 0) larger than ELF allows: libelf refuses the file. */
	build_dso(&im, &every_reason);
	((Elf64_Ehdr *)(void *)im.b)->e_shnum = 0;
	header(&im, 0)->sh_size = (uint64_t)1 << 40;
	assert_string_equal(keep_of(put("x.so", im.b, im.len)), "error -3: invalid ELF file data");
}

static void keep_short_error_buffer(void **state)
{
	(void)state;
	char missing[128], err[8];
	snprintf(missing, sizeof missing, "%s/missing.so", root);
	rdy_elf_keep k;
	assert_int_equal(rdy_elf_read_keep(missing, &k, err, sizeof err), RDY_ELF_KEEP_EIO);
	assert_string_equal(err, "No such");
	assert_int_equal(rdy_elf_read_keep(missing, &k, NULL, 0), RDY_ELF_KEEP_EIO);
}

static void keep_any(const char *path)
{
	keep_of(path);
}

/* No truncation or single damaged byte of a shared object with every reason makes the reader misbehave. */
static void keep_every_truncation_and_damaged_byte(void **state)
{
	(void)state;
	image im;
	build_dso(&im, &every_reason);
	each_truncation(&im, keep_any);
	each_damaged_byte(&im, keep_any);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_descriptor),
		cmocka_unit_test(note_without_padding),
		cmocka_unit_test(no_note),
		cmocka_unit_test(note_in_a_section),
		cmocka_unit_test(framing),
		cmocka_unit_test(headers_out_of_bounds),
		cmocka_unit_test(foreign_elf),
		cmocka_unit_test(bounded),
		cmocka_unit_test(not_elf),
		cmocka_unit_test(short_error_buffer),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(every_damaged_byte),
		cmocka_unit_test(keep_nodelete),
		cmocka_unit_test(keep_unique),
		cmocka_unit_test(keep_thread_local_destructors),
		cmocka_unit_test(keep_every_reason),
		cmocka_unit_test(keep_damaged),
		cmocka_unit_test(keep_short_error_buffer),
		cmocka_unit_test(keep_every_truncation_and_damaged_byte),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
