/* What the commands share: subcommands, option parsing, loading WIT, selecting a world. */
#include "abi/desc.h"
#include "abi/elf.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int rdy_cli_usage(const rdy_cli_spec *s, const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", s->prefix, msg, arg ? " " : "", arg ? arg : "");
	fputs(s->usage, stderr);
	return RDY_EXIT_USAGE;
}

int rdy_cli_dispatch(const rdy_cli_spec *s, const rdy_cli_sub *subs, int argc, char **argv)
{
	if (argc < 2)
		return rdy_cli_usage(s, "missing subcommand", NULL);
	for (; subs->name; subs++)
		if (!strcmp(argv[1], subs->name))
			return subs->run(argc - 2, argv + 2);
	return rdy_cli_usage(s, "unknown subcommand", argv[1]);
}

/* The option ARG names, with *INLINE set to the value after `=` if it has one. */
static const rdy_cli_opt *find_opt(const rdy_cli_opt *o, const char *arg, const char **inline_value)
{
	for (; o->name; o++) {
		size_t n = strlen(o->name);
		if (strncmp(arg, o->name, n))
			continue;
		if (!arg[n]) {
			*inline_value = NULL;
			return o;
		}
		if (arg[n] == '=' && o->value) {
			*inline_value = arg + n + 1;
			return o;
		}
	}
	return NULL;
}

int rdy_cli_parse(const rdy_cli_spec *s, int argc, char **argv, const char **path)
{
	*path = NULL;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *v;
		const rdy_cli_opt *o = find_opt(s->opts, arg, &v);
		if (o && o->flag) {
			*o->flag = true;
		} else if (o) {
			if (!v && i + 1 >= argc)
				return rdy_cli_usage(s, "missing value after", arg);
			*o->value = v ? v : argv[++i];
		} else if (arg[0] == '-' && arg[1]) {
			return rdy_cli_usage(s, "unknown option", arg);
		} else if (*path) {
			return rdy_cli_usage(s, "unexpected argument", arg);
		} else {
			*path = arg;
		}
	}
	return *path ? RDY_EXIT_OK : rdy_cli_usage(s, "missing", s->operand);
}

rdy_wit *rdy_cli_load(const char *path, const char *features, int *pkg)
{
	rdy_wit *w = rdy_wit_new();
	if (!w) {
		fputs("error: out of memory\n", stderr);
		return NULL;
	}
	if ((features && rdy_wit_enable_features(w, features) < 0) ||
	    (*pkg = rdy_wit_load_path(w, path)) < 0) {
		fprintf(stderr, "error: %s\n", rdy_wit_errmsg(w));
		rdy_wit_free(w);
		return NULL;
	}
	return w;
}

int rdy_cli_select_world(rdy_wit *w, int pkg, const char *spec)
{
	int world = rdy_wit_select_world(w, pkg, spec);
	if (world < 0)
		fprintf(stderr, "error: %s\n", rdy_wit_errmsg(w));
	return world;
}


static int read_error(const char *file, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", file, what);
	return -1;
}

/* The whole of F, SIZE bytes: a standalone descriptor, which its header limits to 4 GiB. */
static int read_whole(const char *file, FILE *f, off_t size, uint8_t **out, size_t *len, char *err,
		      size_t errlen)
{
	if ((uint64_t)size > UINT32_MAX)
		return read_error(file, err, errlen, "too large for a descriptor");
	*len = (size_t)size;
	*out = malloc(*len ? *len : 1);
	if (!*out)
		return read_error(file, err, errlen, "out of memory");
	rewind(f);
	if (fread(*out, 1, *len, f) != *len) {
		free(*out);
		*out = NULL;
		return read_error(file, err, errlen, "read failed or the file changed while it was read");
	}
	return 0;
}

int rdy_cli_read_descriptor(const char *file, uint8_t **out, size_t *len, bool *elf, char *err, size_t errlen)
{
	FILE *f = fopen(file, "rb");
	*elf = false;
	if (!f)
		return read_error(file, err, errlen, strerror(errno));
	struct stat st;
	uint8_t head[4] = { 0 };
	int rc;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = read_error(file, err, errlen, "not a regular file");
	} else if (fread(head, 1, sizeof head, f) == 4 && !memcmp(head, "\x7f" "RDY", 4)) {
		rc = read_whole(file, f, st.st_size, out, len, err, errlen);
	} else if (!memcmp(head, "\x7f" "ELF", 4)) {
		*elf = true;
		rc = rdy_elf_read_descriptor(file, out, len, err, errlen);
	} else {
		rc = read_error(file, err, errlen, ferror(f) ? strerror(errno)
			       : "neither an rdylib descriptor nor an ELF file");
	}
	fclose(f);
	return rc;
}

int rdy_cli_features_split(const char *csv, rdy_cli_features *f)
{
	f->n = 0;
	f->csv = strdup(csv ? csv : "");
	f->v = f->csv ? malloc((strlen(f->csv) / 2 + 1) * sizeof *f->v) : NULL;
	if (!f->v) {
		rdy_cli_features_free(f);
		fputs("error: out of memory\n", stderr);
		return -1;
	}
	for (char *s = strtok(f->csv, ","); s; s = strtok(NULL, ","))
		f->v[f->n++] = s;
	return 0;
}

void rdy_cli_features_free(rdy_cli_features *f)
{
	free(f->v);
	free(f->csv);
	f->v = NULL;
	f->csv = NULL;
	f->n = 0;
}

int rdy_cli_side(const rdy_cli_spec *s, const char *value, int *side)
{
	if (!value)
		return rdy_cli_usage(s, "missing", "--side host|plugin");
	*side = !strcmp(value, "host") ? RDY_SIDE_HOST : !strcmp(value, "plugin") ? RDY_SIDE_PLUGIN : 0;
	if (!*side)
		return rdy_cli_usage(s, "--side must be host or plugin, not", value);
	return RDY_EXIT_OK;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Writes FILE.tmp and renames it over FILE, so FILE is never seen half written. */
int rdy_cli_write_file(const char *file, const uint8_t *p, size_t n)
{
	size_t len = strlen(file);
	char *tmp = malloc(len + sizeof ".tmp");
	if (!tmp) {
		fprintf(stderr, "error: %s: out of memory\n", file);
		return -1;
	}
	memcpy(tmp, file, len);
	memcpy(tmp + len, ".tmp", sizeof ".tmp");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write_all(fd, p, n) == 0;
	ok = (fd < 0 || close(fd) == 0) && ok;
	if (ok && rename(tmp, file) == 0) {
		free(tmp);
		return 0;
	}
	fprintf(stderr, "error: %s: %s\n", file, strerror(errno));
	if (fd >= 0)
		unlink(tmp);
	free(tmp);
	return -1;
}

static bool is_wit(const char *path)
{
	struct stat st;
	size_t n = strlen(path);
	return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (n > 4 && !strcmp(path + n - 4, ".wit"));
}

int rdy_cli_party_open(rdy_cli_party *p, const char *world, const char *features)
{
	if (is_wit(p->path)) {
		int pkg;
		if (!(p->wit = rdy_cli_load(p->path, features, &pkg)))
			return -1;
		p->world = rdy_cli_select_world(p->wit, pkg, world);
		p->m = rdy_wit_get_model(p->wit);
		return p->world < 0 ? -1 : 0;
	}
	uint8_t *bytes;
	size_t len;
	bool elf;
	char err[512];
	if (rdy_cli_read_descriptor(p->path, &bytes, &len, &elf, err, sizeof err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	p->desc = rdy_desc_decode(bytes, len, err, sizeof err);
	free(bytes);
	if (!p->desc) {
		fprintf(stderr, "error: %s: %s\n", p->path, err);
		return -1;
	}
	if (p->side && rdy_desc_side(p->desc) != p->side) {
		fprintf(stderr, "error: %s describes the %s side; give the %s's\n", p->path,
			p->side == RDY_SIDE_HOST ? "plugin" : "host", p->side == RDY_SIDE_HOST ? "host" : "plugin");
		return -1;
	}
	p->m = rdy_desc_model(p->desc);
	p->world = rdy_desc_world(p->desc);
	return 0;
}

void rdy_cli_party_close(rdy_cli_party *p)
{
	rdy_wit_free(p->wit);
	rdy_desc_free(p->desc);
}
