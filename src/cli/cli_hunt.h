/*
 * reghunt hunt / baseline: the shared collection + hunt runner (cli_cmd_hunt.c).
 */
#ifndef RH_CLI_HUNT_H
#define RH_CLI_HUNT_H

#include "cli.h"

struct cli_hunt_args {
    const char *const *paths;
    int npaths;
    int deleted, no_logs, verbose;
    int live; /* --live: the running Windows system's registry too */
    const char *date;
    const rh_baseline *baseline;
    const rh_allowlist *allowlist;
    const rh_ruleset *rules;         /* -r: Sigma rules, or NULL */
    uint64_t window_from, window_to; /* --from / --to (FILETIME, 0 = open) */
    rh_case *kase;                   /* --case: note every input read into it, or NULL */
    const rh_ioc_set *ioc;           /* --ioc: indicators, or NULL */
};

/* Read the collection and hunt it. On success returns RH_EXIT_OK with *hunt (finished) and
 * *kb set (free with rh_hunt_destroy / rh_kb_destroy); otherwise an exit code after one
 * error line. */
int cli_hunt_collect(rh_ctx *ctx, const struct cli_hunt_args *a, rh_kb **kb, rh_hunt **hunt);

#endif
