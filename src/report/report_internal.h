/*
 * Reporter internals: the format table and the state shared by every reporter.
 */
#ifndef RH_REPORT_INTERNAL_H
#define RH_REPORT_INTERNAL_H

#include "common/common.h"
#include "reghunt/report.h"

#define REPORT_FLUSH_AT 16384u /* bytes buffered before the sink is called */

struct report {
    rh_ctx *ctx;
    const rh_hunt *hunt;
    rh_report_opts opts;
    rh_buf out;
    rh_report_write_fn fn;
    void *user;
    size_t listed, index;
};

/* One row per format. Every function appends to r->out; report.c flushes it. */
struct report_format {
    const char *name;
    rh_status (*begin)(struct report *r);
    rh_status (*emit)(struct report *r, const rh_finding *f);
    rh_status (*end)(struct report *r);
};

extern const struct report_format report_text, report_json, report_jsonl, report_csv, report_md,
    report_html, report_ecs;

/* Shared helpers (no escaping: callers escape with their format's function). Writers append
 * to sticky rh_bufs (text.h) and return the output buffer's status; scratch buffers hand their
 * error to the output with report_scratch_reset() or report_scratch_free(). */
void report_scratch_reset(rh_buf *o, rh_buf *tmp);
void report_scratch_free(rh_buf *o, rh_buf *tmp);
size_t report_count_listed(const struct report *r);
/* "(default)" for the unnamed value. */
void report_value_name(const rh_finding *f, const char **p, size_t *n);
/* True when the report shows a hunt plan (hypothesis, plan fields). */
int report_has_plan(const struct report *r);
/* True when the hunt recorded data sources / coverage gaps (event inputs or rules). */
int report_has_coverage(const struct report *r);
/* Plan and coverage as plain text lines ('\n'-terminated, unescaped: escape per format). */
rh_status report_plan_text(const struct report *r, rh_buf *out);
rh_status report_coverage_text(const struct report *r, rh_buf *out);

/* JSON building blocks shared by the json/jsonl and ecs formats (both are JSON: one escape
 * function, report_json_str, RH_ESC_JSON inside quotes). */
rh_status report_json_str(rh_buf *o, const char *s, size_t n);
/* ,"name":"escaped" (no leading comma when first). */
rh_status report_json_field(rh_buf *o, const char *name, const char *s, size_t n, int first);
/* The finding's boolean flags and known_good array, then the closing brace. */
rh_status report_json_flags_close(rh_buf *o, const rh_finding *f);

#endif
