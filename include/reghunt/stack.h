/*
 * reghunt: fleet stacking (least frequency of occurrence) over hunt results.
 *
 * Reads `reghunt hunt -f jsonl` output (files, gzip files, folders of them) line by line and
 * aggregates the findings by a stack key, the persistence identity: location id + value name +
 * normalised data (rh_stack_key()), so the same per-user autostart of 500 hosts is one row and
 * a value planted on 2 hosts is another. Rows are ranked rare-and-risky first
 * (rh_stack_score()). Memory is bounded by distinct stack keys, hosts and (key, host) pairs,
 * never by the input's size; the caps are RH_STACK_MAX_* below (docs/limits.md). The rules,
 * the ranking and the output contract are documented in docs/fleet.md; the writers are
 * rh_report_stack() (report.h).
 */
#ifndef REGHUNT_STACK_H
#define REGHUNT_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "kb.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Distinct stack keys kept; findings of further new keys are dropped and counted. */
#define RH_STACK_MAX_KEYS (1u << 20)
/** Distinct hosts kept; findings of further new hosts are dropped and counted. */
#define RH_STACK_MAX_HOSTS (1u << 20)
/** Distinct (stack key, host) pairs kept (about 64 bytes each); beyond, findings are dropped. */
#define RH_STACK_MAX_PAIRS (1u << 24)
/** Bytes of one input line; a longer line is one malformed line. */
#define RH_STACK_MAX_LINE (16u << 20)
/** Folder nesting followed below an input folder. */
#define RH_STACK_MAX_DEPTH 32u
/** Entries of one folder. */
#define RH_STACK_MAX_DIR_ENTRIES 1000000u
/** Sample hosts kept per row (the lexically smallest). */
#define RH_STACK_SAMPLE_HOSTS 10u

typedef struct rh_stack rh_stack;

/** One aggregated row. Borrowed: valid until rh_stack_destroy(). Strings are NUL-terminated
 * UTF-8 (value_name and value_data may hold NULs: use their lengths). */
typedef struct rh_stack_row {
    const char *stack_key; /* location_id|name|data, normalised (rh_stack_key) */
    size_t stack_key_len;
    /* One representative finding: the one with the lexically smallest original value_data
     * (then value_name, target_path, technique). */
    const char *location_id;
    const char *technique;
    const char *value_name;
    size_t value_name_len;
    const char *value_data;
    size_t value_data_len;
    const char *target_path;
    size_t hosts;                        /* distinct hosts with this key */
    size_t total_hosts;                  /* distinct hosts in every input */
    double prevalence;                   /* hosts / total_hosts */
    double score;                        /* rh_stack_score(max_risk, hosts, total_hosts) */
    rh_risk max_risk;                    /* highest risk of its findings */
    uint64_t risk_counts[RH_RISK_COUNT]; /* findings per rh_risk */
    const char *const *sample_hosts;     /* the lexically smallest hosts, sorted */
    size_t n_sample_hosts;               /* <= RH_STACK_SAMPLE_HOSTS */
    uint64_t first_seen, last_seen;      /* FILETIME min/max of key_last_write and event_time;
                                            0 = none */
    /* Case-store verdicts (a case file input, or hunt JSONL recorded with --case): "tp",
     * "benign" or "review" when every host of the row carries that verdict, "mixed" when the
     * hosts' verdicts differ or some have none, NULL when no host has one. */
    const char *verdict;
    size_t verdict_hosts; /* hosts of the row with a verdict */
} rh_stack_row;

/** What was read. */
typedef struct rh_stack_stats {
    size_t files;        /* input files read (hunt JSONL) */
    size_t files_failed; /* unreadable, or not hunt JSONL */
    uint64_t lines;      /* non-empty lines read */
    uint64_t findings;   /* lines aggregated */
    uint64_t malformed;  /* lines that are not a hunt finding (one anomaly each) */
    uint64_t dropped;    /* findings dropped at a RH_STACK_MAX_* cap */
    size_t keys;         /* distinct stack keys */
    size_t total_hosts;  /* distinct hosts */
} rh_stack_stats;

/** Row filter applied by rh_stack_finish(). Zero-initialise, then set what you need. */
typedef struct rh_stack_filter {
    rh_risk min_risk;      /* keep rows whose max_risk >= min_risk (RH_RISK_INFO = all) */
    double max_prevalence; /* keep rows with prevalence <= this; <= 0 or >= 1 = all */
    size_t top;            /* keep the first `top` rows of the ranking; 0 = all */
} rh_stack_filter;

/**
 * Append the normalised form of s[0..n) (value data or value name) to out: ASCII case fold,
 * environment variables unified with their expanded forms, per-user parts, SIDs, GUIDs, long
 * hex runs, version folders and drive letters replaced by <user>, <sid>, <guid>, <hex>,
 * <ver>, <drive> (docs/fleet.md). Returns rh_buf_status(out).
 */
RH_API rh_status rh_stack_normalize(rh_buf *out, const char *s, size_t n);

/**
 * Append the stack key "location_id|name|data" to out, name and data normalised with
 * rh_stack_normalize() and every '|' of the location id and the name written as "<pipe>",
 * so the key splits one way only. Returns rh_buf_status(out).
 */
RH_API rh_status rh_stack_key(rh_buf *out, const char *location_id, size_t location_id_len,
                              const char *value_name, size_t value_name_len, const char *data,
                              size_t data_len);

/**
 * The rank score: 4^risk * log2(1 + total_hosts / hosts), risk 0 (Info) to 4 (Critical);
 * 0 when hosts or total_hosts is 0. Higher ranks first (docs/fleet.md).
 */
RH_API double rh_stack_score(rh_risk max_risk, size_t hosts, size_t total_hosts);

/** An empty stack. Owned: free with rh_stack_destroy(). Returns RH_OK or RH_ERR_NOMEM. */
RH_API rh_status rh_stack_create(rh_ctx *ctx, rh_stack **out);
/** Accepts NULL. */
RH_API void rh_stack_destroy(rh_stack *s);

/**
 * Read a case store (reghunt hunt --case; detected by the SQLite header, any name), a hunt
 * JSONL file (gzip or plain) or a folder (its *.jsonl, *.ndjson, *.jsonl.gz and
 * *.ndjson.gz files, recursively, in byte order of names). A malformed line is one anomaly
 * (source:line), counted, never fatal. A case store contributes the newest run of each host
 * it recorded (clean hosts included) with the current verdicts. A `{"record":"host"}` line
 * (hunt --host-lines) counts its host. Returns RH_OK, RH_ERR_IO (unreadable; one error diag),
 * RH_ERR_FORMAT (the file's first line is not a hunt finding: one error diag naming it; or a
 * foreign SQLite file), RH_ERR_UNSUPPORTED / RH_ERR_CORRUPT (a case of another schema version,
 * a damaged case), RH_ERR_NOMEM, or RH_ERR_STRICT. For a folder, the first failure of its files is
 * returned after every file was tried.
 */
RH_API rh_status rh_stack_add_path(rh_stack *s, const char *path);

/**
 * Aggregate one line of hunt JSONL (source and line are for diagnostics; source may be
 * NULL). Returns RH_OK (aggregated, or dropped at a cap), RH_ERR_FORMAT (not a hunt finding;
 * no diagnostic: the caller reports it), RH_ERR_NOMEM.
 */
RH_API rh_status rh_stack_add_line(rh_stack *s, const char *line, size_t len);

/** Compute prevalence and scores, filter and rank. Call once after the last add. filter may
 * be NULL (everything). Returns RH_OK or RH_ERR_NOMEM. */
RH_API rh_status rh_stack_finish(rh_stack *s, const rh_stack_filter *filter);

/** Rows listed after rh_stack_finish(), in rank order. */
RH_API size_t rh_stack_count(const rh_stack *s);
/** Row i of the ranking (NULL when out of range). Borrowed: valid until rh_stack_destroy(). */
RH_API const rh_stack_row *rh_stack_at(const rh_stack *s, size_t i);
/** Borrowed: valid until rh_stack_destroy(). */
RH_API const rh_stack_stats *rh_stack_get_stats(const rh_stack *s);

#ifdef __cplusplus
}
#endif
#endif
