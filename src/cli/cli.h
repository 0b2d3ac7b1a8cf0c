/* The `rdy` command: one entry per subcommand, and what they share. */
#ifndef RDY_CLI_H
#define RDY_CLI_H

#include "wit/wit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RDY_EXIT_OK = 0, RDY_EXIT_FAIL = 1, RDY_EXIT_USAGE = 2 };

int rdy_cmd_wit(int argc, char **argv);
int rdy_cmd_abi(int argc, char **argv);
int rdy_cmd_inspect(int argc, char **argv);
int rdy_cmd_check(int argc, char **argv);
int rdy_cmd_gen(int argc, char **argv);
int rdy_cmd_diff(int argc, char **argv);
int rdy_cmd_lock(int argc, char **argv);

typedef struct rdy_cli_opt {
	const char *name;                  /* "--world", "-o"; NULL ends a table */
	const char **value;                /* an option with a value: `NAME V` or `NAME=V` */
	bool *flag;                        /* an option without one */
} rdy_cli_opt;

typedef struct rdy_cli_spec {
	const char *prefix;                /* "rdy wit": starts every usage message */
	const char *usage;                 /* the command's usage lines */
	const char *operand;               /* "PATH": named when it is missing */
	const rdy_cli_opt *opts;
} rdy_cli_spec;

typedef struct rdy_cli_sub {
	const char *name;                  /* "check"; NULL ends a table */
	int (*run)(int argc, char **argv); /* gets the arguments after the name */
} rdy_cli_sub;

/* Runs the subcommand of SUBS that ARGV[1] names; a usage error when there is none. */
int rdy_cli_dispatch(const rdy_cli_spec *s, const rdy_cli_sub *subs, int argc, char **argv);

/* Prints "PREFIX: MSG ARG" and the usage on stderr; returns RDY_EXIT_USAGE. */
int rdy_cli_usage(const rdy_cli_spec *s, const char *msg, const char *arg);

/*
 * Parses ARGV: the options of S, in any order, and exactly one operand,
 * stored in *PATH.  Slots of options not given are left as they were.
 * Returns RDY_EXIT_OK, or RDY_EXIT_USAGE after printing the usage.
 */
int rdy_cli_parse(const rdy_cli_spec *s, int argc, char **argv, const char **path);

/* Loads the WIT at PATH with FEATURES (a,b or NULL) on; NULL after printing the error. */
rdy_wit *rdy_cli_load(const char *path, const char *features, int *pkg);

/* Selects world SPEC of package PKG as rdy_wit_select_world; -1 after printing the error. */
int rdy_cli_select_world(rdy_wit *w, int pkg, const char *spec);

/*
 * The descriptor bytes of FILE, which is a standalone descriptor or an ELF
 * file carrying one (read statically, never loaded), told apart by their
 * magic.  *OUT is malloc'd.  Returns 0, or -1 with "FILE: why" in ERR.
 */
int rdy_cli_read_descriptor(const char *file, uint8_t **out, size_t *len, bool *elf, char *err, size_t errlen);

/* The @unstable features of --features a,b: the names, empty ones left out as rdy_wit_enable_features does. */
typedef struct rdy_cli_features {
	char *csv;                         /* a copy of the option, split in place */
	const char **v;
	uint32_t n;
} rdy_cli_features;

/* Splits CSV (NULL: none); -1 after printing "out of memory".  Free with rdy_cli_features_free. */
int rdy_cli_features_split(const char *csv, rdy_cli_features *f);
void rdy_cli_features_free(rdy_cli_features *f);

/* One side of `rdy check` or `rdy diff`: a world given as WIT, a descriptor, or an ELF file carrying one. */
typedef struct rdy_cli_party {
	const char *path;
	int side;                          /* what a descriptor must describe: RDY_SIDE_HOST, _PLUGIN, or 0: either */
	rdy_wit *wit;                      /* when given as WIT */
	struct rdy_desc *desc;             /* when given as a descriptor */
	const rdy_wit_model *m;
	int world;
} rdy_cli_party;

/* Opens P->path (world WORLD and FEATURES apply to WIT); -1 after printing the error.  Close it even then. */
int rdy_cli_party_open(rdy_cli_party *p, const char *world, const char *features);
void rdy_cli_party_close(rdy_cli_party *p);

/* --side VALUE as RDY_SIDE_HOST or RDY_SIDE_PLUGIN in *SIDE; a usage error when missing or wrong. */
int rdy_cli_side(const rdy_cli_spec *s, const char *value, int *side);

/* Writes FILE.tmp and renames it over FILE; -1 after printing the error. */
int rdy_cli_write_file(const char *file, const uint8_t *p, size_t n);

#endif
