/*
 * The compatibility matrix's host: opens each plugin for the world of a host
 * descriptor and prints, per plugin, either "loaded" or the loader's
 * diagnostic, exactly as rdy_error_message gives it.
 *
 * usage: matrix_host HOST.desc PLUGIN.so...
 */
#include <rdy.h>

#include <stdio.h>
#include <stdlib.h>

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
		    fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = n > 0 ? (size_t)n : 0;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: matrix_host HOST.desc PLUGIN.so...\n", stderr);
		return 2;
	}
	size_t len = 0;
	uint8_t *desc = slurp(argv[1], &len);
	rdy_error *err = NULL;
	rdy_world *w = desc ? rdy_world_new(desc, len, &err) : NULL;
	free(desc);
	if (!w) {
		fprintf(stderr, "matrix_host: %s: %s\n", argv[1], err ? rdy_error_message(err) : "cannot read");
		rdy_error_free(err);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		rdy_module *m = rdy_module_open(w, argv[i], &err);
		if (m) {
			printf("%s: loaded\n", argv[i]);
			rdy_module_close(m, NULL);
		} else {
			printf("%s\n", rdy_error_message(err));
			rdy_error_free(err);
			err = NULL;
		}
		fflush(stdout);
	}
	rdy_world_free(w);
	return 0;
}
