/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput once over each file named on
 * the command line, descending into directories, so that seed corpora run
 * as ordinary tests in builds without libFuzzer.  Each input sits in a buffer
 * of exactly its size, as libFuzzer gives it, so a sanitizer or valgrind
 * catches any read past its end.  Exits 1 when an argument cannot be read or
 * no input was found.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay(const char *path, unsigned *count);

static int fail(const char *path)
{
	fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
	return -1;
}

static int replay_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0, n;

	if (!f)
		return fail(path);
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(grown = realloc(buf, cap)))
				break;
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f) || !feof(f)) {
		free(buf);
		fclose(f);
		return fail(path);
	}
	fclose(f);
	/* Shrink to the exact size; a zero-byte input still gets its own block. */
	if ((grown = realloc(buf, len ? len : 1)))
		buf = grown;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	++*count;
	return 0;
}

static int replay_child(const char *dir, const char *name, unsigned *count)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	int rc;

	if (!path)
		return fail(dir);
	snprintf(path, len, "%s/%s", dir, name);
	rc = replay(path, count);
	free(path);
	return rc;
}

static int replay_dir(const char *path, unsigned *count)
{
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort), rc = 0;

	if (n < 0)
		return fail(path);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (rc == 0 && strcmp(name, ".") && strcmp(name, ".."))
			rc = replay_child(path, name, count);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int replay(const char *path, unsigned *count)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return fail(path);
	return S_ISDIR(st.st_mode) ? replay_dir(path, count) : replay_file(path, count);
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i], &count) != 0)
			return 1;
	printf("replay: %u inputs\n", count);
	return count ? 0 : 1;
}
