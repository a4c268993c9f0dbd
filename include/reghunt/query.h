/*
 * reghunt: hunt queries for SIEM and EDR platforms (docs/queries.md).
 *
 * A query pack holds, for each chosen backend, one query per knowledge-base location (the
 * location's key and value over that platform's registry telemetry, minus the location's
 * Windows defaults) and one per convertible Sigma registry rule. Each query carries a header
 * (technique, location, hypothesis, what a hit means) in the backend's comment syntax. Every
 * string that reaches a query goes through the backend's one escape function
 * (rh_query_escape); header text goes through rh_query_comment.
 */
#ifndef REGHUNT_QUERY_H
#define REGHUNT_QUERY_H

#include <stddef.h>

#include "ctx.h"
#include "kb.h"
#include "sigma.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Query backends: platform + telemetry. Never renumbered. */
typedef enum rh_query_backend {
    RH_QB_SPLUNK = 0,       /* Splunk SPL over Sysmon 12/13/14 (Splunk Add-on for Sysmon) */
    RH_QB_SPLUNK_CIM = 1,   /* Splunk SPL tstats over the CIM Endpoint.Registry data model */
    RH_QB_KQL_MDE = 2,      /* KQL over Defender for Endpoint DeviceRegistryEvents */
    RH_QB_KQL_SENTINEL = 3, /* KQL over Sentinel ASIM imRegistry */
    RH_QB_ESQL = 4,         /* Elastic ES|QL over ECS registry.* */
    RH_QB_EQL = 5,          /* Elastic EQL over ECS registry.* */
    RH_QB_LUCENE = 6,       /* Elastic Lucene query string over ECS registry.* */
    RH_QB_COUNT = 7
} rh_query_backend;

/** "splunk", "splunk-cim", "kql-mde", "kql-sentinel", "esql", "eql", "lucene" ("?" else). */
RH_API const char *rh_query_backend_name(rh_query_backend b);
/** File extension without the dot: "spl", "kql", "esql", "eql", "lucene". */
RH_API const char *rh_query_backend_ext(rh_query_backend b);
/** Platform and telemetry in words ("Microsoft Defender for Endpoint: DeviceRegistryEvents"). */
RH_API const char *rh_query_backend_platform(rh_query_backend b);
/** Parse a backend name (case-insensitive). Returns RH_OK or RH_NOT_FOUND. */
RH_API rh_status rh_query_backend_parse(const char *s, rh_query_backend *out);

/**
 * Append `n` bytes of UTF-8 text as the body of a string literal of backend b (no quotes
 * added; no wildcard meaning): the backend's one escape function. Control characters that the
 * language cannot write in a literal become its escape form or, where it has none, `?`.
 */
RH_API rh_status rh_query_escape(rh_buf *out, rh_query_backend b, const char *s, size_t n);

/**
 * Append one header comment line of backend b holding `text` (control characters, line
 * separators and the language's comment terminators neutralised), ending with a newline.
 */
RH_API rh_status rh_query_comment(rh_buf *out, rh_query_backend b, const char *text);

/** One generated query. Borrowed: valid until the pack is destroyed. */
typedef struct rh_query {
    rh_query_backend backend;
    const char *id;        /* location id, or "sigma:" + rule id (title when it has none) */
    const char *source;    /* "kb" or "sigma" */
    const char *technique; /* ATT&CK id ("" when a rule has no attack tag) */
    const char *technique_name;
    const char *location;   /* "HKLM\\SOFTWARE\\...\\Run [*]", or the rule's title */
    const char *hypothesis; /* what the query tests */
    const char *hit_means;  /* what a hit means */
    const char *notes;      /* approximations and dropped exclusions ("" if none) */
    size_t exclusions;      /* Windows defaults excluded */
    const char *header;     /* the header, in the backend's comment syntax, newline-ended */
    const char *text;       /* the query itself, newline-ended */
} rh_query;

/** A rule that a backend cannot express: reported, never silently dropped. */
typedef struct rh_query_skip {
    rh_query_backend backend;
    const char *rule;   /* title (id) */
    const char *path;   /* rule file */
    const char *reason; /* the construct, e.g. "regular expression" */
} rh_query_skip;

typedef struct rh_query_pack rh_query_pack;

/** Create an empty pack. Owned: free with rh_query_pack_destroy(). */
RH_API rh_status rh_query_pack_create(rh_ctx *ctx, rh_query_pack **out);
RH_API void rh_query_pack_destroy(rh_query_pack *p);

/**
 * Add one query for location `loc` for backend b (exposed for tests: any location, also one
 * made by hand). Returns RH_OK, RH_ERR_ARG or RH_ERR_NOMEM.
 */
RH_API rh_status rh_query_pack_add_location(rh_query_pack *p, rh_query_backend b,
                                            const rh_kb_location *loc);

/**
 * Add the queries of every location of kb, for every backend whose bit (1u << b) is set in
 * `backends`, keeping only the locations whose technique starts with one of `techniques`
 * (all when ntechniques is 0; "T1547" also keeps "T1547.001"). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_query_pack_add_kb(rh_query_pack *p, const rh_kb *kb, unsigned backends,
                                      const char *const *techniques, size_t ntechniques);

/**
 * Add the queries of every registry rule of rs (logsource category registry_set,
 * registry_add, registry_delete or registry_event) for each backend of `backends`, with the
 * same technique filter (over the rules' attack.tNNNN tags). A rule that a backend cannot
 * express, and every rule that is not a registry rule, is recorded as a skip. Returns RH_OK
 * or RH_ERR_NOMEM.
 */
RH_API rh_status rh_query_pack_add_rules(rh_query_pack *p, const rh_ruleset *rs, unsigned backends,
                                         const char *const *techniques, size_t ntechniques);

/** Queries in the order added; skips in the order found. */
RH_API size_t rh_query_pack_count(const rh_query_pack *p);
RH_API const rh_query *rh_query_pack_at(const rh_query_pack *p, size_t i);
RH_API size_t rh_query_pack_skip_count(const rh_query_pack *p);
RH_API const rh_query_skip *rh_query_pack_skip_at(const rh_query_pack *p, size_t i);

/* Writers (src/report/report_queries.c): append to out, check rh_buf_status once. */

/** The file of backend b: every query of b, header then text, a blank line between. */
RH_API rh_status rh_query_pack_file(const rh_query_pack *p, rh_query_backend b, rh_buf *out);

/**
 * The Markdown hunt plan: one row per backend (file, platform, queries, skipped rules), the
 * queries by technique and the skipped rules. files[b] is the file name of backend b (NULL for
 * a backend not in the pack).
 */
RH_API rh_status rh_query_pack_plan(const rh_query_pack *p, const char *const files[RH_QB_COUNT],
                                    rh_buf *out);

/** The whole pack as one JSON document (queries and skips), for tooling. */
RH_API rh_status rh_query_pack_json(const rh_query_pack *p, rh_buf *out);

#ifdef __cplusplus
}
#endif
#endif
