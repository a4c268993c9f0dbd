/*
 * reghunt: hunt reports. One table of reporters {name, begin, emit, end}; each format has
 * exactly one escape function built on rh_escape_append(), so attacker-controlled strings
 * (control characters, bidi overrides, CSV formula payloads, markup) are neutralised in one
 * place per format. The JSON schema is documented in docs/hunt-output.md.
 *
 * Formats: "text" (the hunt report blocks plus a summary table), "json" (one document),
 * "jsonl" (one finding per line), "csv", "md" (Markdown), "html" (one self-contained file
 * with a strict Content-Security-Policy), "ecs" (NDJSON, Elastic Common Schema, one event
 * per finding). Reports contain no wall-clock time: the same hunt gives byte-identical
 * output.
 */
#ifndef REGHUNT_REPORT_H
#define REGHUNT_REPORT_H

#include <stddef.h>

#include "case.h"
#include "ctx.h"
#include "hunt.h"
#include "kb.h"
#include "stack.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Output sink: write len bytes; return RH_OK or RH_ERR_IO. */
typedef rh_status (*rh_report_write_fn)(void *user, const char *data, size_t len);

/** Report options. Zero-initialise (memset) before setting fields: later fields are optional. */
typedef struct rh_report_opts {
    rh_risk min_risk; /* findings below are counted but not listed (known-good ones are) */
    /* Hunt plan shown in the HTML report header (NULL = none). Borrowed for the call. */
    const char *hypothesis; /* one line: what the analyst set out to find */
    const char *hunt_plan;  /* preformatted text: techniques, data sources, coverage gaps */
    /* Hunt plan fields (NULL = none), echoed in text, json, md and html. Borrowed. */
    const char *plan_techniques;   /* "T1547.001, T1546.012" */
    const char *plan_data_sources; /* "hives, Sysmon" */
    int window_only; /* list only findings inside the hunt window (others are counted) */
    /* jsonl: after the findings, one {"record":"host",...} line per hunted host (hosts with no
     * finding included), for `reghunt stack` (docs/hunt-output.md). */
    int host_lines;
} rh_report_opts;

/** Number of formats and the name of format i ("text", ...; NULL when out of range). */
RH_API size_t rh_report_format_count(void);
RH_API const char *rh_report_format_name(size_t i);

/**
 * True when a finding is listed under min_risk: risk >= min_risk, or flagged known-good
 * (known-good findings are never dropped silently).
 */
RH_API int rh_report_listed(const rh_finding *f, rh_risk min_risk);

/** rh_report_listed() plus the window rule: with window_only, in_window is also required. */
RH_API int rh_report_listed_opts(const rh_finding *f, const rh_report_opts *opts);

/**
 * Write the report of a finished hunt in `format` through fn (called with chunks of at most
 * a few KiB). opts may be NULL (min_risk Low). Returns RH_OK, RH_ERR_ARG (unknown format),
 * RH_ERR_NOMEM or the first error of fn.
 */
RH_API rh_status rh_report_write(rh_ctx *ctx, const char *format, const rh_hunt *hunt,
                                 const rh_report_opts *opts, rh_report_write_fn fn, void *user);

/** Stack report formats (text json jsonl csv md html): count and name of format i. */
RH_API size_t rh_report_stack_format_count(void);
RH_API const char *rh_report_stack_format_name(size_t i);

/**
 * Write the rows of a finished stack (rh_stack_finish()) in `format` through fn, escaped per
 * format as the hunt reports are (docs/fleet.md). Returns RH_OK, RH_ERR_ARG (unknown format),
 * RH_ERR_NOMEM or the first error of fn.
 */
RH_API rh_status rh_report_stack(rh_ctx *ctx, const char *format, const rh_stack *stack,
                                 rh_report_write_fn fn, void *user);

/** Case report formats (text jsonl): count and name of format i (NULL when out of range). */
RH_API size_t rh_report_case_format_count(void);
RH_API const char *rh_report_case_format_name(size_t i);

/**
 * Write the runs loaded by rh_case_runs_load() (`reghunt case runs`) in `format` through fn,
 * escaped per format (RH_ESC_TERMINAL, RH_ESC_JSON). Returns RH_OK, RH_ERR_ARG (unknown
 * format), RH_ERR_NOMEM or the first error of fn.
 */
RH_API rh_status rh_report_case_runs(rh_ctx *ctx, const char *format, const rh_case *c,
                                     rh_report_write_fn fn, void *user);

/**
 * Write the changes loaded by rh_case_diff_load() (`reghunt case diff`): text groups them by
 * host; jsonl is one object per change (docs/fleet.md). Returns as rh_report_case_runs().
 */
RH_API rh_status rh_report_case_diff(rh_ctx *ctx, const char *format, const rh_case *c,
                                     rh_report_write_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
