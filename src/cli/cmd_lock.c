/*
 * `rdy lock PLUGIN...`: a lock file on stdout, the SHA-256 of each plugin
 * as sha256sum prints it, so that `rdy lock plugins/a.so plugins/b.so > rdy.lock` pins
 * them for a host (include/rdy.h, rdy_lock_read) and `sha256sum -c
 * rdy.lock` checks them.  Each PLUGIN must be what the loader's static read
 * accepts (docs/abi.md §7.1, step 1): an ELF file with an rdylib descriptor
 * and a root symbol.  Nothing is loaded.
 */
#include "abi/elf.h"
#include "cli/cli.h"
#include "rdy/abi.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] = "usage: rdy lock PLUGIN... > rdy.lock\n";

enum { BLOCK = 1 << 16, TRIES = 5 };

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* One pass over FD: its bytes into MD, their count in *GOT.  0, or -1 with errno set. */
static int hash_pass(int fd, EVP_MD_CTX *md, uint8_t *buf, uint64_t *got)
{
	*got = 0;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t k = pread(fd, buf, BLOCK, (off_t)*got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			return 0;
		if (!EVP_DigestUpdate(md, buf, (size_t)k)) {
			errno = ENOMEM;
			return -1;
		}
		*got += (uint64_t)k;
	}
}

/*
 * The SHA-256 of FILE, read through one descriptor, as 64 lowercase hex
 * digits in HEX; a read during which fstat saw the file change is made
 * again.  0, or -1 after printing the error.
 */
static int hash_file(const char *file, char hex[65])
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "error: %s: %s\n", file, strerror(errno));
		return -1;
	}
	uint8_t *buf = malloc(BLOCK), digest[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;
	const char *why = NULL;
	struct stat a, b;
	if (!buf || !md)
		why = strerror(ENOMEM);
	for (int i = 0; !why && rc < 0 && i < TRIES; i++) {
		uint64_t got;
		if (fstat(fd, &a) < 0 || hash_pass(fd, md, buf, &got) < 0 || fstat(fd, &b) < 0)
			why = strerror(errno);
		else if (!S_ISREG(a.st_mode))
			why = "not a regular file";
		else if (same(&a, &b) && got == (uint64_t)a.st_size && EVP_DigestFinal_ex(md, digest, NULL))
			rc = 0;
		else
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL); /* being written: 10 ms */
	}
	if (rc < 0)
		fprintf(stderr, "error: %s: %s\n", file, why ? why : "the file kept changing while it was read");
	for (int i = 0; rc == 0 && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	EVP_MD_CTX_free(md);
	free(buf);
	close(fd);
	return rc;
}

/* FILE's line, as sha256sum writes it, to OUT: a name with `\` or a newline is escaped. */
static void print_line(FILE *out, const char *hex, const char *file)
{
	bool esc = strpbrk(file, "\\\n") != NULL;
	fprintf(out, "%s%s  ", esc ? "\\" : "", hex);
	for (const char *p = file; *p; p++) {
		if (esc && *p == '\\')
			fputs("\\\\", out);
		else if (esc && *p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('\n', out);
}

/* FILE checked and hashed, its line appended to OUT: 0, or -1 after printing the error. */
static int lock_one(const char *file, FILE *out)
{
	if (strchr(file, '\r')) {
		fprintf(stderr, "error: %s: a file name with a carriage return cannot be pinned\n", file);
		return -1;
	}
	char err[1024], hex[65];
	rdy_elf_plugin read;
	int rc = rdy_elf_read_plugin(file, RDY_PLUGIN_SYMBOL, RDY_ROOT_V1_0_SIZE, &read, err, sizeof err);
	rdy_elf_plugin_free(&read);
	if (rc < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	if (hash_file(file, hex) < 0)
		return -1;
	print_line(out, hex, file);
	return 0;
}

int rdy_cmd_lock(int argc, char **argv)
{
	int first = 1;
	for (; first < argc; first++) {
		const char *a = argv[first];
		if (!strcmp(a, "--")) {
			first++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return RDY_EXIT_OK;
		}
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "rdy lock: unknown option %s\n%s", a, usage);
			return RDY_EXIT_USAGE;
		}
		break;
	}
	if (first >= argc) {
		fprintf(stderr, "rdy lock: missing PLUGIN\n%s", usage);
		return RDY_EXIT_USAGE;
	}
	/* Every plugin first: a lock is printed whole, or not at all. */
	char *text = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);
	if (!out) {
		fputs("error: out of memory\n", stderr);
		return RDY_EXIT_FAIL;
	}
	int failed = 0;
	for (int i = first; i < argc; i++)
		failed += lock_one(argv[i], out) < 0;
	if (fclose(out) != 0 || !text) {
		free(text);
		fputs("error: out of memory\n", stderr);
		return RDY_EXIT_FAIL;
	}
	int rc = RDY_EXIT_OK;
	if (failed) {
		fprintf(stderr, "rdy lock: %d of %d plugins could not be pinned; nothing printed\n", failed, argc - first);
		rc = RDY_EXIT_FAIL;
	} else if (fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0) {
		fprintf(stderr, "error: stdout: %s\n", strerror(errno));
		rc = RDY_EXIT_FAIL;
	}
	free(text);
	return rc;
}
