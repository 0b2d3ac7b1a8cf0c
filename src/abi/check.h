/*
 * The compatibility check of docs/abi.md §8: does what a plugin provides
 * satisfy what a host expects, and does the host provide what the plugin
 * imports?  Both sides are models (decoded descriptors or resolved WIT).
 */
#ifndef RDY_ABI_CHECK_H
#define RDY_ABI_CHECK_H

#include "wit/wit.h"

#include <stdint.h>

typedef struct rdy_check_report {
	char **errors;                     /* each a full diagnostic line; the check failed if any */
	uint32_t nerrors;
	char **absent;                     /* optional (@since-gated) items the other side lacks */
	uint32_t nabsent;
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

/* Whether two package versions are on the same semver track (§6.1); unversioned matches only unversioned. */
bool rdy_semver_compatible(const rdy_wit_package *a, const rdy_wit_package *b);

#endif
