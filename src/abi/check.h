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

/* Whether two package versions are on the same semver track (§6.1); unversioned matches only unversioned. */
bool rdy_semver_compatible(const rdy_wit_package *a, const rdy_wit_package *b);

#endif
