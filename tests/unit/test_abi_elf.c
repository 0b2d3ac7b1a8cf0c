/*
 * The static ELF reader (src/abi/elf.c): the framing of the .rdy.descriptor
 * section, docs/abi.md §5, on ELF files built here byte by byte, and no
 * crash on any truncation or single damaged byte of them.
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

static char root[64];

/* How the ELF file build() writes differs from a valid plugin's: all zero, it does not. */
typedef struct spec {
	bool other_name;                   /* the section is .data, not .rdy.descriptor */
	uint32_t type;                     /* of the section; 0: SHT_PROGBITS */
	uint64_t flags;                    /* beside SHF_ALLOC */
	uint32_t declared;                 /* the size the descriptor's header declares; 0: 20 */
	uint32_t body;                     /* descriptor bytes written, header included; 0: 20 */
	bool no_pad;                       /* no bytes after them; otherwise 4 */
	uint8_t pad_byte;
	bool twice;                        /* a second section of the same name */
	bool bad_magic;
} spec;

typedef struct image {
	uint8_t b[1024];
	size_t len;
	size_t shoff;                      /* where the section headers start */
} image;

static const char strtab[] = "\0.shstrtab\0" RDY_ELF_SECTION "\0.data";
enum { NAME_SHSTRTAB = 1, NAME_DESC = 11, NAME_DATA = 11 + sizeof RDY_ELF_SECTION };

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

/* An ELF64 shared object: headers, the names, the descriptor, then the section headers. */
static void build(image *im, const spec *s)
{
	memset(im, 0, sizeof *im);
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
	eh.e_shnum = s->twice ? 4 : 3;
	eh.e_shstrndx = 1;
	uint32_t body = s->body ? s->body : 20, declared = s->declared ? s->declared : 20, pad = s->no_pad ? 0 : 4;
	uint32_t type = s->type ? s->type : SHT_PROGBITS, name = s->other_name ? NAME_DATA : NAME_DESC;
	size_t names = sizeof eh, desc = names + sizeof strtab, size = (size_t)body + pad;
	im->shoff = (desc + size + 7) & ~(size_t)7;
	eh.e_shoff = im->shoff;
	memcpy(im->b, &eh, sizeof eh);
	memcpy(im->b + names, strtab, sizeof strtab);
	uint8_t *d = im->b + desc;
	memcpy(d, s->bad_magic ? "\x7eRDY\x01\x00\x02\x00" : "\x7fRDY\x01\x00\x02\x00", 8);
	for (int i = 0; i < 4; i++)
		d[8 + i] = (uint8_t)(declared >> (8 * i));
	for (uint32_t i = 12; i < body; i++)
		d[i] = (uint8_t)i;
	memset(d + body, s->pad_byte, pad);
	section(im, 1, NAME_SHSTRTAB, SHT_STRTAB, 0, names, sizeof strtab);
	section(im, 2, name, type, SHF_ALLOC | s->flags, desc, size);
	if (s->twice)
		section(im, 3, name, type, SHF_ALLOC | s->flags, desc, size);
	im->len = im->shoff + eh.e_shnum * sizeof(Elf64_Shdr);
	assert_true(im->len <= sizeof im->b);
}

/* The section header of the descriptor, to damage it. */
static Elf64_Shdr *desc_header(image *im)
{
	return (Elf64_Shdr *)(void *)(im->b + im->shoff + 2 * sizeof(Elf64_Shdr));
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
	assert_memory_equal(out, im.b + sizeof(Elf64_Ehdr) + sizeof strtab, 20);
	free(out);
}

static void section_without_padding(void **state)
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

static void no_section(void **state)
{
	(void)state;
	refused_spec(&(spec){ .other_name = true }, "no .rdy.descriptor section (not an rdylib plugin?)");
	refused("/proc/self/exe", "no .rdy.descriptor section");
}

/* The section and the descriptor's header, each wrong in one way. */
static void framing(void **state)
{
	(void)state;
	static const struct {
		spec s;
		const char *want;
	} cases[] = {
		{ { .type = SHT_NOBITS }, "section .rdy.descriptor has no bytes in the file (SHT_NOBITS)" },
		{ { .type = SHT_NOTE }, "section .rdy.descriptor has type 7, not SHT_PROGBITS" },
		{ { .flags = SHF_COMPRESSED }, "section .rdy.descriptor is compressed" },
		{ { .twice = true }, "2 sections named .rdy.descriptor; there must be one" },
		{ { .body = 8, .no_pad = true }, "is truncated: 8 bytes, a descriptor header needs 12" },
		{ { .declared = 25 }, "is truncated: the descriptor declares 25 bytes, the section holds 24" },
		{ { .declared = 11 }, "the descriptor in .rdy.descriptor declares 11 bytes, less than its own header" },
		{ { .bad_magic = true }, "does not start with a descriptor (bad magic)" },
		{ { .pad_byte = 0xcc }, "has a non-zero byte after the descriptor, at offset 20" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		refused_spec(&cases[i].s, cases[i].want);
}

static void section_out_of_bounds(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	desc_header(&im)->sh_offset = 4000;
	refused(put("x.so", im.b, im.len), "is truncated: 24 bytes at offset 4000, the file has");
	build(&im, &(spec){ 0 });
	desc_header(&im)->sh_size = UINT64_MAX - 8;   /* offset + size wraps around */
	refused(put("x.so", im.b, im.len), "is truncated: 18446744073709551607 bytes at offset 97");
	build(&im, &(spec){ 0 });
	refused(put("x.so", im.b, im.len - 1),
		"file is truncated: its section header table starts at byte 128, the file has 319");
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

static void every_truncation(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	for (size_t n = 0; n < im.len; n++)
		read_any(put("cut.so", im.b, n));
}

static void every_damaged_byte(void **state)
{
	(void)state;
	image im;
	build(&im, &(spec){ 0 });
	static const uint8_t masks[] = { 0xff, 0x80, 0x01 };
	for (size_t i = 0; i < im.len; i++)
		for (size_t k = 0; k < sizeof masks; k++) {
			im.b[i] ^= masks[k];
			read_any(put("damaged.so", im.b, im.len));
			im.b[i] ^= masks[k];
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_descriptor),
		cmocka_unit_test(section_without_padding),
		cmocka_unit_test(no_section),
		cmocka_unit_test(framing),
		cmocka_unit_test(section_out_of_bounds),
		cmocka_unit_test(not_elf),
		cmocka_unit_test(short_error_buffer),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(every_damaged_byte),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
