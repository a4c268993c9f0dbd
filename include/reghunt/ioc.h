/*
 * reghunt: threat-intelligence indicators (IOCs). Loads STIX 2.1 bundles, MISP event JSON and
 * plain indicator lists into one immutable set and matches them against what a finding
 * carries (docs/threat-intel.md).
 *
 * Loading: rh_ioc_create(), any number of rh_ioc_load_file()/rh_ioc_load_mem(), then
 * rh_ioc_finish() (builds the prefilter). STIX patterns are parsed by a recursive-descent
 * parser over the STIX 2.1 patterning grammar; an indicator whose pattern is invalid or uses a
 * construct reghunt does not evaluate (qualifiers WITHIN/REPEATS/START-STOP, FOLLOWEDBY,
 * ordering comparisons, ISSUBSET/ISSUPERSET, EXISTS, object paths other than the ones listed
 * in the docs) is reported through the rh_diag callback with its id and the reason, counted,
 * and not loaded. Revoked indicators are skipped and counted; indicators whose valid_until
 * lies before opts.now are kept in the expired list (rh_ioc_expired_at) and never matched.
 *
 * Matching: exact values sit in hash sets, LIKE literals in an Aho-Corasick automaton per
 * property; only indicators whose anchor was seen (plus the few without any anchor) are
 * evaluated, so a match costs the same with 10 or 10 million indicators.
 *
 * Every string is UTF-8 from the feed (attacker-controlled: escape it for output).
 * Threads: after rh_ioc_finish() the set is read-only; each thread matches with its own
 * rh_ioc_matcher.
 */
#ifndef REGHUNT_IOC_H
#define REGHUNT_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_ioc_set rh_ioc_set;
typedef struct rh_ioc_matcher rh_ioc_matcher;

/** Caps and clock; 0 in a cap selects the default in brackets (docs/limits.md). */
typedef struct rh_ioc_opts {
    uint64_t max_file_size; /* bytes of a MISP feed, one STIX object or list line [1 GiB] */
    size_t max_indicators;  /* indicators kept over all feeds, expired included [16 M] */
    size_t max_pattern_len; /* bytes of one STIX pattern, list line or MISP value [64 KiB] */
    size_t max_scan;        /* indicators with no exact or literal anchor (evaluated for
                               every finding: MATCHES, short LIKE, negations) [10000] */
    size_t max_reports;     /* unsupported/invalid indicators reported one by one per feed;
                               later ones are only counted [50] */
    uint64_t now;           /* FILETIME that valid_until is checked against; 0 = nothing expires */
} rh_ioc_opts;

/** Counters over every feed loaded. */
typedef struct rh_ioc_stats {
    size_t feeds;       /* files / buffers loaded */
    size_t indicators;  /* active indicators (matchable) */
    size_t exact;       /* exact-value anchors in the hash sets */
    size_t literal;     /* LIKE literals in the automata */
    size_t scanned;     /* indicators without anchor, evaluated for every finding */
    size_t expired;     /* valid_until before opts.now: listed, never matched */
    size_t revoked;     /* STIX revoked / MISP deleted: skipped */
    size_t unsupported; /* constructs or types reghunt does not evaluate: reported, skipped */
    size_t invalid;     /* syntax errors, undetectable list lines: reported, skipped */
    size_t ignored;     /* feed objects that are not indicators (identities, reports, ...) */
} rh_ioc_stats;

/** One indicator. Borrowed: valid until rh_ioc_destroy(). */
typedef struct rh_ioc_indicator {
    const char *id;       /* STIX id, MISP attribute uuid, or "<file>:<line>" */
    const char *name;     /* STIX name, MISP comment / event info; "" when none */
    const char *source;   /* the feed file (or the name given to rh_ioc_load_mem) */
    const char *type;     /* "stix-pattern", "md5", "domain", "regkey", ... */
    const char *pattern;  /* the STIX pattern, or the value (MISP, list) */
    uint64_t valid_until; /* FILETIME, 0 = none */
} rh_ioc_indicator;

/**
 * Create an empty set. opts may be NULL (defaults, nothing expires). Owned: free with
 * rh_ioc_destroy(). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_ioc_create(rh_ctx *ctx, const rh_ioc_opts *opts, rh_ioc_set **out);
RH_API void rh_ioc_destroy(rh_ioc_set *set);

/**
 * Load one feed; the format is sniffed: a JSON object with "type": "bundle" (or an array /
 * object holding STIX objects) is STIX, one with "Event" or "Attribute" is MISP, anything not
 * starting with '{' or '[' is a plain list. Bad indicators are reported and skipped (see the
 * file comment); a feed that cannot be read or parsed at all fails with one diag naming the
 * file and offset. Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT, RH_ERR_LIMIT, RH_ERR_NOMEM or
 * RH_ERR_ARG (after finish).
 */
RH_API rh_status rh_ioc_load_file(rh_ioc_set *set, const char *path);
/** Same for a feed in memory; name is its source in diags and hits. Borrowed for the call. */
RH_API rh_status rh_ioc_load_mem(rh_ioc_set *set, const char *name, const void *data, size_t len);

/** Build the prefilter. Call once after the last load. Returns RH_OK, RH_ERR_NOMEM, RH_ERR_LIMIT.
 */
RH_API rh_status rh_ioc_finish(rh_ioc_set *set);

/** Borrowed: valid until rh_ioc_destroy(). */
RH_API const rh_ioc_stats *rh_ioc_get_stats(const rh_ioc_set *set);
/** Expired indicators in load order (borrowed; NULL when out of range). */
RH_API size_t rh_ioc_expired_count(const rh_ioc_set *set);
RH_API const rh_ioc_indicator *rh_ioc_expired_at(const rh_ioc_set *set, size_t i);
/** Feeds in load order: name, format ("stix", "misp", "list") and indicators kept from it. */
RH_API size_t rh_ioc_feed_count(const rh_ioc_set *set);
RH_API int rh_ioc_feed_at(const rh_ioc_set *set, size_t i, const char **name, const char **format,
                          size_t *indicators);

/** What an observation handed to rh_ioc_match() is. */
typedef enum rh_ioc_field {
    RH_IOC_OBS_REG_KEY = 0,  /* registry key path (HKLM\..., HKU\<SID>\..., HKEY_...) */
    RH_IOC_OBS_VALUE_NAME,   /* registry value name */
    RH_IOC_OBS_VALUE_DATA,   /* registry value data: compared whole and searched for tokens */
    RH_IOC_OBS_PATH,         /* a file path: compared whole and by its file name */
    RH_IOC_OBS_COMMAND_LINE, /* free text: searched for paths, names, hashes, hosts, URLs */
    RH_IOC_OBS_HASHES,       /* Sysmon Hashes ("SHA256=...,MD5=...") or one bare hash */
    RH_IOC_OBS_IP,           /* an IPv4 or IPv6 address */
    RH_IOC_OBS_HOSTNAME,     /* a DNS name (matches indicators for it and its parents) */
    RH_IOC_OBS_URL,          /* a URL */
    RH_IOC_OBS_COUNT
} rh_ioc_field;

/** One thing a finding carries. Borrowed for the rh_ioc_match() call. */
typedef struct rh_ioc_obs {
    rh_ioc_field field;
    const char *s;
    size_t n;
    const char *where; /* the caller's label, handed back in hits ("value data") */
} rh_ioc_obs;

/** One indicator that matched. */
typedef struct rh_ioc_hit {
    const rh_ioc_indicator *ind;
    size_t obs;        /* index of the first observation that satisfied a comparison */
    const char *where; /* that observation's label */
    const char *prop;  /* the property compared ("file:hashes.'SHA-256'", "domain-name:value") */
} rh_ioc_hit;

/** A matcher of a finished set (scratch for one thread). Owned: rh_ioc_matcher_destroy(). */
RH_API rh_status rh_ioc_matcher_create(const rh_ioc_set *set, rh_ioc_matcher **out);
RH_API void rh_ioc_matcher_destroy(rh_ioc_matcher *m);

/**
 * Match the observations of one finding. *hits (borrowed until the next call on m) lists each
 * matching indicator once, in load order. Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_ioc_match(rh_ioc_matcher *m, const rh_ioc_obs *obs, size_t nobs,
                              const rh_ioc_hit **hits, size_t *nhits);

#ifdef __cplusplus
}
#endif
#endif
