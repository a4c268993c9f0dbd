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
    size_t item;                     /* rh_hunt_at() index of the finding being emitted */
    const struct report_format *fmt; /* rh_report_write(): the hunt format */
    const rh_stack *stack;           /* rh_report_stack(): the stack written (hunt is NULL) */
    const void *stack_fmt;           /* its format row (report_stack.c) */
    const rh_case *kase;             /* rh_report_case_*(): the case read (hunt is NULL) */
};

/* One row per format. Every function appends to r->out; report.c flushes it. */
struct report_format {
    const char *name;
    rh_status (*begin)(struct report *r);
    rh_status (*emit)(struct report *r, const rh_finding *f);
    rh_status (*end)(struct report *r);
};

extern const struct report_format report_text, report_json, report_jsonl, report_csv, report_md,
    report_html, report_ecs, report_navigator, report_timesketch;

/* Shared helpers (no escaping: callers escape with their format's function). Writers append
 * to sticky rh_bufs (text.h) and return the output buffer's status; scratch buffers hand their
 * error to the output with report_scratch_reset() or report_scratch_free(). */
void report_scratch_reset(rh_buf *o, rh_buf *tmp);
void report_scratch_free(rh_buf *o, rh_buf *tmp);
size_t report_count_listed(const struct report *r);
/* "(default)" for the unnamed value. */
void report_value_name(const rh_finding *f, const char **p, size_t *n);
/* The "rarest persistence" summary: up to REPORT_RARE_TOP stack keys of the hunt ranked
 * rare-and-risky first (rh_hunt_rare_at) whose highest risk is at least min_risk; none when
 * the hunt covered fewer than 2 hosts. Returns the count written to out. */
enum { REPORT_RARE_TOP = 10 };
size_t report_rare(const struct report *r, const rh_hunt_rare *out[REPORT_RARE_TOP]);
/* True when the report shows a hunt plan (hypothesis, plan fields). */
int report_has_plan(const struct report *r);
/* True when the hunt recorded data sources / coverage gaps (event inputs or rules). */
int report_has_coverage(const struct report *r);
/* True when the hunt matched threat-intelligence indicators (rh_hunt_ioc). */
int report_has_ti(const struct report *r);
/* The "Threat intelligence" section as plain text lines (unescaped): feeds, counters, expired
 * indicators (at most REPORT_TI_EXPIRED), and the hits of every listed finding. */
#define REPORT_TI_EXPIRED 100u
rh_status report_ti_text(const struct report *r, rh_buf *out);
/* Attack chains (rh_hunt_chain): listed when their risk is at least min_risk; their count;
 * the tactics of a mask in ATT&CK order joined by sep; every listed chain as plain text
 * lines (event strings already RH_ESC_TERMINAL-escaped onto one line; escape per format). */
int report_chain_listed(const struct report *r, const rh_hunt_chain *c);
size_t report_chains_listed(const struct report *r);
rh_status report_tactics_text(unsigned mask, const char *sep, rh_buf *o);
rh_status report_chains_text(const struct report *r, rh_buf *out);
/* Plan and coverage as plain text lines ('\n'-terminated, unescaped: escape per format). */
rh_status report_plan_text(const struct report *r, rh_buf *out);
rh_status report_coverage_text(const struct report *r, rh_buf *out);

/* ---- rh_finding's fields: the table src/hunt/finding_fields.def (report_fields.c) ---- */

/* The formats whose field list comes from the table (jsonl writes json's object). */
enum report_fields_format {
    REPORT_FIELDS_CSV = 0,
    REPORT_FIELDS_JSON = 1,
    REPORT_FIELDS_ECS = 2, /* the `reghunt` object of an ECS event */
    REPORT_FIELDS_FORMAT_COUNT = 3
};

/* REPORT_FIELD_<member>: one per row of the table, in struct order. */
enum report_field_id {
#define RH_FINDING_FIELD(member, ...) REPORT_FIELD_##member,
#include "hunt/finding_fields.def"
#undef RH_FINDING_FIELD
    REPORT_FIELD_COUNT
};

enum report_field_kind {
    REPORT_KIND_ID = 0, /* text (s, n) for every kind up to FLAG */
    REPORT_KIND_TEXT = 1,
    REPORT_KIND_TEXTN = 2,
    REPORT_KIND_ENUM = 3,
    REPORT_KIND_TIME = 4,  /* time */
    REPORT_KIND_FLAG = 5,  /* u: 0 or 1 */
    REPORT_KIND_KNOWN = 6, /* u: RH_KNOWN_* mask */
    REPORT_KIND_NUM = 7,   /* num: a count */
    REPORT_KIND_COUNT = 8
};

/* What a format writes for an absent optional field. */
enum report_field_absent {
    REPORT_ABSENT_KEEP = 0,  /* the field as it is: "" / empty cell / false */
    REPORT_ABSENT_OMIT = 1,  /* nothing (JSON: no key) */
    REPORT_ABSENT_JNULL = 2, /* JSON null */
    REPORT_ABSENT_COUNT = 3
};

/* One field of a finding as a format shows it (borrowed from the finding and the table). */
struct report_field {
    const char *name; /* column name or key in this format */
    enum report_field_kind kind;
    enum report_field_absent absent; /* applies when !present */
    int present;                     /* 0: an absent optional field (NULL, empty, 0) */
    const char *s;                   /* text kinds: never NULL ("" when absent) */
    size_t n;
    uint64_t time;
    unsigned u;
    uint64_t num;
};

/* The fields of fmt in its order: ids[0..return). */
size_t report_fields_order(enum report_fields_format fmt,
                           enum report_field_id ids[REPORT_FIELD_COUNT]);
/* Field id of finding f, named as fmt names it. */
void report_field_get(const rh_finding *f, enum report_field_id id, enum report_fields_format fmt,
                      struct report_field *out);
/* Name of field id in fmt ("" when it has none). */
const char *report_field_name(enum report_field_id id, enum report_fields_format fmt);
/* Position (1..) of field id in fmt, 0 = not in fmt (for tests). */
unsigned report_field_pos(enum report_field_id id, enum report_fields_format fmt);
/* ECS fields derived from field id outside the `reghunt` object ("" = none; for tests). */
const char *report_field_ecs(enum report_field_id id);

/* The names of the RH_KNOWN_* marks set in mask, in bit order: out[0..return). */
enum { REPORT_KNOWN_COUNT = 2 };
size_t report_known_names(unsigned mask, const char *out[REPORT_KNOWN_COUNT]);

/* The driver of every report: init r->out, begin, item(r, i) for each i < n, end, flushing to
 * the sink as the buffer grows and at the end; frees r->out. Returns the first error. */
rh_status report_run(struct report *r, rh_status (*begin)(struct report *r),
                     rh_status (*item)(struct report *r, size_t i), size_t n,
                     rh_status (*end)(struct report *r));
/* The Markdown escape (report_md.c): RH_ESC_HTML, then a backslash before | \ ` * _ [ ] ( ) ~
 * and a leading + - =. */
rh_status report_md_esc(rh_buf *out, const char *s, size_t n);

/* JSON building blocks shared by the json/jsonl and ecs formats (both are JSON: one escape
 * function, report_json_str, RH_ESC_JSON inside quotes). */
rh_status report_json_str(rh_buf *o, const char *s, size_t n);
/* ,"name":"escaped" (no leading comma when first). */
rh_status report_json_field(rh_buf *o, const char *name, const char *s, size_t n, int first);
/* The table's fields of fmt (JSON or ECS), comma-separated, without braces. */
rh_status report_json_fields(rh_buf *o, const rh_finding *f, enum report_fields_format fmt);

#endif
