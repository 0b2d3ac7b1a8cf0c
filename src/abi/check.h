/*
 * The compatibility check of docs/abi.md §8: does what a plugin provides
 * satisfy what a host expects, and does the host provide what the plugin
 * imports?  Both sides are models (decoded descriptors or resolved WIT).
 */
#ifndef RDY_ABI_CHECK_H
#define RDY_ABI_CHECK_H

#include "wit/wit.h"

#include <stdint.h>

/* What an entry of a report is about, for `rdy diff`: the item and the change. */
enum { RDY_CHECK_FUNC, RDY_CHECK_TYPE, RDY_CHECK_IFACE, RDY_CHECK_VERSION };
enum {
	RDY_CHECK_CHANGED,                 /* both have it, and it differs */
	RDY_CHECK_ADDED,                   /* only the newer has it (diff mode) */
	RDY_CHECK_REMOVED,                 /* only the older has it (diff mode) */
	RDY_CHECK_MISSING,                 /* the provider lacks it (check mode) */
	RDY_CHECK_VERSIONED,               /* the package's version differs */
	RDY_CHECK_DEPRECATED,              /* it is, or became, @deprecated */
	RDY_CHECK_RESTABLED,               /* its gate changed otherwise */
};

typedef struct rdy_check_at {
	char *iface;                       /* "ns:pkg/name", no version; NULL: the world's own item */
	char *item;                        /* a function's or type's WIT name; NULL: the interface */
	uint8_t kind;                      /* RDY_CHECK_FUNC ... */
	uint8_t what;                      /* RDY_CHECK_CHANGED ... */
	bool import;                       /* an import of the world, else an export */
} rdy_check_at;

typedef struct rdy_check_report {
	char **errors;                     /* each a full diagnostic line; the check failed if any */
	uint32_t nerrors;
	char **absent;                     /* optional (@since-gated) items the other side lacks */
	uint32_t nabsent;
	char **deprecated;                 /* items that bind although one side marks them @deprecated */
	uint32_t ndeprecated;
	rdy_check_at *errors_at, *absent_at, *deprecated_at;
	char **notes;                      /* diff mode: changes that are no error (versions, gates) */
	rdy_check_at *notes_at;
	uint32_t nnotes;
	uint32_t matched;                  /* items found equal by hash, without a walk */
	uint32_t walked;                   /* items compared structurally */
} rdy_check_report;

/*
 * Compares world HW of HOST with world PW of PLUGIN.  MODULE names the
 * plugin in messages.  Returns 0 when compatible, 1 when not (see
 * REPORT->errors), -1 when memory runs out.  Free the report with
 * rdy_check_report_free.
 */
int rdy_check_worlds(const rdy_wit_model *host, int hw, const rdy_wit_model *plugin, int pw, const char *module,
		     rdy_check_report *report);
/* Frees the report; a caller that keeps a list of lines sets its pointer (not its count) to NULL first. */
void rdy_check_report_free(rdy_check_report *report);

/*
 * A model prepared for checks: its structural hashes, computed once, and
 * its layouts, made only when a message needs an offset.  A host that
 * checks many plugins prepares its world once.  The model must outlive it.
 */
typedef struct rdy_check_model rdy_check_model;
rdy_check_model *rdy_check_model_new(const rdy_wit_model *m); /* NULL when memory runs out */
void rdy_check_model_free(rdy_check_model *p);

/*
 * rdy_check_worlds on prepared models.  Not thread-safe on one prepared
 * model: hashes of interfaces are memoised as the check asks for them.
 */
int rdy_check_prepared(rdy_check_model *host, int hw, rdy_check_model *plugin, int pw, const char *module,
		       rdy_check_report *report);

/*
 * The check in diff mode, for `rdy diff`: OLD and NEW are two versions of
 * one world, one playing the host and the other the plugin (OLD_IS_HOST).
 * Messages name the sides "old" and "new" instead of "host" and "plugin",
 * missing items are ADDED or REMOVED, no hash short-cuts a walk, and
 * compatible differences (versions on one track, gates, deprecations) are
 * reported as notes.  Returns as rdy_check_prepared.
 */
int rdy_check_diff(rdy_check_model *old, int ow, rdy_check_model *new_, int nw, bool old_is_host,
		   rdy_check_report *report);

/* Whether two package versions are on the same semver track (§6.1); unversioned matches only unversioned. */
bool rdy_semver_compatible(const rdy_wit_package *a, const rdy_wit_package *b);

#endif
