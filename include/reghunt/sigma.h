/*
 * reghunt: native Sigma engine (specification v2.1).
 *
 * A compiler loads rule files (libyaml, depth-capped) and records every rule it cannot use
 * with the reason; rh_sigma_compiler_finish() turns the accepted rules into an immutable
 * rh_ruleset that any number of threads may share read-only. Each thread matches events
 * through its own rh_sigma_matcher (scratch buffers, regex match data, correlation state).
 *
 * Logsources are mapped to events through an rh_sigma_config: the built-in default follows
 * SigmaHQ's own test configuration (tests/thor.yml) plus Security 4657/4688 rewrites; a YAML
 * file in the same format replaces it (docs/sigma-support.md).
 */
#ifndef REGHUNT_SIGMA_H
#define REGHUNT_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "event.h"
#include "hive.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_sigma_config rh_sigma_config;
typedef struct rh_sigma_compiler rh_sigma_compiler;
typedef struct rh_ruleset rh_ruleset;
typedef struct rh_sigma_matcher rh_sigma_matcher;

/** What a loaded rule document is. */
typedef enum rh_sigma_kind {
    RH_SIGMA_DETECTION = 0,
    RH_SIGMA_CORRELATION = 1,
    RH_SIGMA_FILTER = 2,
} rh_sigma_kind;

/** A rule's metadata. Borrowed: valid until the ruleset is destroyed. Absent strings are "". */
typedef struct rh_sigma_rule_info {
    const char *id;
    const char *name; /* the optional `name:` used by correlations */
    const char *title;
    const char *status;
    const char *level;
    const char *description;
    const char *const *tags;
    size_t ntags;
    const char *category, *product, *service; /* logsource */
    const char *path;                         /* file the rule came from */
    int line;                                 /* line of the document start */
    rh_sigma_kind kind;
    const char *correlation_type; /* "event_count", ... for correlations, else "" */
    /* Correlations: the rules they reference (`rules:`), in their order; else NULL, 0. */
    const struct rh_sigma_rule_info *const *refs;
    size_t nrefs;
} rh_sigma_rule_info;

/** A rule that was not loaded. Borrowed: valid until the compiler is destroyed. */
typedef struct rh_sigma_reject {
    const char *path;
    const char *id;    /* "" when the document has no id */
    const char *title; /* "" when unknown */
    int line, col;     /* position of the offending YAML node (0 if none) */
    rh_status status;  /* RH_ERR_RULE, RH_ERR_UNSUPPORTED, RH_ERR_LIMIT, RH_ERR_FORMAT */
    const char *reason;
} rh_sigma_reject;

/* ---- configuration (logsource mapping, placeholders) --------------------------------------- */

/**
 * The built-in configuration (thor.yml semantics, see docs/sigma-support.md).
 * Owned: free with rh_sigma_config_free(). Returns RH_OK or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_sigma_config_default(rh_ctx *ctx, rh_sigma_config **out);

/**
 * Load a configuration file in thor.yml format (`logsources:` with category / product /
 * service / conditions / rewrite / fieldmappings / sources, plus reghunt's `transform:`), and
 * `placeholders: {name: [values]}` for the `expand` modifier. A file with `logsources:`
 * replaces the whole mapping of `cfg`; placeholders are added. Errors are reported with
 * file:line:col. Returns RH_OK, RH_ERR_IO, RH_ERR_RULE (bad file), RH_ERR_LIMIT or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_config_load(rh_sigma_config *cfg, const char *path);

/** Same from memory; `name` labels diagnostics. */
RH_API rh_status rh_sigma_config_load_mem(rh_sigma_config *cfg, const char *name, const char *text,
                                          size_t len);

/** Add one placeholder value for `%name%` (name without the percent signs). */
RH_API rh_status rh_sigma_config_add_placeholder(rh_sigma_config *cfg, const char *name,
                                                 const char *value);

/** Free a configuration. Accepts NULL. A compiler using it must be destroyed first. */
RH_API void rh_sigma_config_free(rh_sigma_config *cfg);

/* ---- compiler ---------------------------------------------------------------------------- */

/**
 * Create a compiler. cfg is borrowed (NULL = built-in default) and must outlive the compiler.
 * Owned: destroy with rh_sigma_compiler_destroy(). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_compiler_create(rh_ctx *ctx, const rh_sigma_config *cfg,
                                          rh_sigma_compiler **out);

/**
 * Load every rule document of one YAML file. Rules that cannot be used are recorded (see
 * rh_sigma_compiler_reject_at) and reported as RH_DIAG_WARNING; they never fail the call.
 * Returns RH_OK, RH_ERR_IO (unreadable file), RH_ERR_NOMEM or RH_ERR_ARG (after finish).
 */
RH_API rh_status rh_sigma_compiler_add_file(rh_sigma_compiler *c, const char *path);

/** Same for rule text in memory (copied); `name` labels the rule's path. */
RH_API rh_status rh_sigma_compiler_add_string(rh_sigma_compiler *c, const char *name,
                                              const char *text, size_t len);

/**
 * Load a file, or every *.yml / *.yaml file below a directory (sorted, recursive, symlinks
 * not followed). Returns as rh_sigma_compiler_add_file().
 */
RH_API rh_status rh_sigma_compiler_add_path(rh_sigma_compiler *c, const char *path);

/** Rules rejected so far (also after finish, which may reject correlations and filters). */
RH_API size_t rh_sigma_compiler_reject_count(const rh_sigma_compiler *c);
RH_API const rh_sigma_reject *rh_sigma_compiler_reject_at(const rh_sigma_compiler *c, size_t i);

/**
 * Resolve correlations and filters, build the indexes and hand the accepted rules over to a
 * new immutable ruleset. The compiler accepts no more rules afterwards but keeps its reject
 * list. Owned: destroy the ruleset with rh_ruleset_destroy(). Returns RH_OK, RH_ERR_NOMEM,
 * RH_ERR_LIMIT or RH_ERR_ARG (called twice).
 */
RH_API rh_status rh_sigma_compiler_finish(rh_sigma_compiler *c, rh_ruleset **out);

/** Destroy a compiler. Accepts NULL. Rulesets it produced stay valid. */
RH_API void rh_sigma_compiler_destroy(rh_sigma_compiler *c);

/* ---- ruleset ------------------------------------------------------------------------------ */

/** Number of loaded rules (detections, correlations and filters). */
RH_API size_t rh_ruleset_rule_count(const rh_ruleset *rs);

/** Borrowed: the i-th rule's metadata, or NULL when i is out of range. */
RH_API const rh_sigma_rule_info *rh_ruleset_rule_at(const rh_ruleset *rs, size_t i);

/** Destroy a ruleset. Accepts NULL. Every matcher using it must be destroyed first. */
RH_API void rh_ruleset_destroy(rh_ruleset *rs);

/* ---- detection logic, read-only (query converters: docs/queries.md) ------------------------ */

/** Kind of a compiled value. */
typedef enum rh_sigma_lvalue_kind {
    RH_SIGMA_LV_STRING = 0, /* string pattern: bytes with wildcard markers (after modifiers) */
    RH_SIGMA_LV_REGEX = 1,  /* `re`: bytes is the expression, re_flags its i/m/s modifiers */
    RH_SIGMA_LV_NULL = 2,   /* `null`: the field is absent (or empty) */
    RH_SIGMA_LV_EXISTS = 3, /* `exists`: num 1 = present, 0 = absent */
    RH_SIGMA_LV_OTHER = 4   /* numeric, time part, cidr, fieldref ...: `modifier` names it */
} rh_sigma_lvalue_kind;

/* Markers of rh_sigma_lvalue.wild, one per byte. */
#define RH_SIGMA_WILD_LIT   0 /* the byte itself */
#define RH_SIGMA_WILD_STAR  1 /* `*`: any run of characters */
#define RH_SIGMA_WILD_QMARK 2 /* `?`: one character */

/* Flags of rh_sigma_lvalue.re_flags. */
#define RH_SIGMA_RE_I 0x1u
#define RH_SIGMA_RE_M 0x2u
#define RH_SIGMA_RE_S 0x4u

/** One value of an item, in the rule's own case. */
typedef struct rh_sigma_lvalue {
    rh_sigma_lvalue_kind kind;
    const char *modifier;      /* the deciding modifier ("" for strings and null) */
    const char *bytes;         /* STRING / REGEX (NUL-terminated after len bytes) */
    const unsigned char *wild; /* STRING: len markers (RH_SIGMA_WILD_*) */
    size_t len;
    int cased;         /* `cased` modifier: compare case-sensitively */
    unsigned re_flags; /* REGEX: RH_SIGMA_RE_* */
    int64_t num;       /* EXISTS: 1 or 0 */
} rh_sigma_lvalue;

/* Flags of rh_sigma_litem.flags. */
#define RH_SIGMA_ITEM_ALL     0x1u /* `all`: every value must match (else any) */
#define RH_SIGMA_ITEM_NEQ     0x2u /* `neq`: the field differs from every value */
#define RH_SIGMA_ITEM_KEYWORD 0x4u /* no field: the values are searched in every field */

/** One `field|modifiers: values` item. */
typedef struct rh_sigma_litem {
    const char *field; /* as written in the rule ("" for keywords) */
    unsigned flags;
    const rh_sigma_lvalue *vals;
    size_t nvals;
} rh_sigma_litem;

/** A map of items, ANDed. */
typedef struct rh_sigma_lmap {
    const rh_sigma_litem *items;
    size_t nitems;
} rh_sigma_lmap;

/** A search identifier: its maps ORed. */
typedef struct rh_sigma_lsearch {
    const char *name;
    const rh_sigma_lmap *maps;
    size_t nmaps;
} rh_sigma_lsearch;

/** Condition operators. */
typedef enum rh_sigma_lop {
    RH_SIGMA_LC_SEARCH = 0, /* arg: index into searches */
    RH_SIGMA_LC_AND = 1,
    RH_SIGMA_LC_OR = 2,
    RH_SIGMA_LC_NOT = 3,
    RH_SIGMA_LC_ATLEAST = 4, /* arg: how many kids must hold */
    RH_SIGMA_LC_TRUE = 5,
    RH_SIGMA_LC_FALSE = 6
} rh_sigma_lop;

/** A condition node. */
typedef struct rh_sigma_lcond {
    rh_sigma_lop op;
    uint32_t arg;
    const struct rh_sigma_lcond *const *kids;
    size_t nkids;
} rh_sigma_lcond;

/**
 * The compiled detection of a rule: searches and condition, plus the Sigma filters that
 * suppress it (the rule matches when cond holds and no filter's cond holds).
 */
typedef struct rh_sigma_logic {
    const rh_sigma_lsearch *searches;
    size_t nsearches;
    const rh_sigma_lcond *cond;
    const struct rh_sigma_logic *filters;
    size_t nfilters;
    void *priv_; /* owner's storage */
} rh_sigma_logic;

/**
 * The detection logic of rule i of a ruleset (detections only: correlations give
 * RH_ERR_UNSUPPORTED). Owned: free with rh_sigma_logic_free(); independent of the ruleset's
 * lifetime. Returns RH_OK, RH_ERR_ARG (i out of range), RH_ERR_UNSUPPORTED or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_rule_logic(const rh_ruleset *rs, size_t i, rh_sigma_logic **out);

/** Free what rh_sigma_rule_logic() gave. Accepts NULL. */
RH_API void rh_sigma_logic_free(rh_sigma_logic *l);

/* ---- matching ----------------------------------------------------------------------------- */

/** One match. Borrowed: valid during the callback only. */
typedef struct rh_sigma_match {
    const rh_sigma_rule_info *rule;
    const rh_event *event; /* the event that matched (correlations: the last one; NULL at flush) */
    /* correlations only */
    const char *group;          /* "Field=value, ..." of the group-by fields ("" if none) */
    uint64_t value;             /* event count, distinct value count, or rules seen */
    uint64_t first_ts, last_ts; /* FILETIME of the first and last event of the window */
    /* 1: a match of a rule only correlations use (generate: false), reported because the
     * matcher has RH_SIGMA_MATCH_REFERENCED; not a detection of its own. */
    int referenced;
} rh_sigma_match;

/** Match callback: return RH_OK to continue; anything else stops matching and is returned. */
typedef rh_status (*rh_sigma_match_fn)(const rh_sigma_match *m, void *user);

/**
 * Create a per-thread matcher for a ruleset (borrowed; must outlive the matcher).
 * Owned: destroy with rh_sigma_matcher_destroy(). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_matcher_create(rh_ctx *ctx, const rh_ruleset *rs, rh_sigma_matcher **out);

/**
 * Match one event against every rule whose logsource fits it, calling fn for each detection
 * match (once per rule) and for each correlation that fires. Correlations expect events in
 * time order per group. Returns RH_OK, fn's status, or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_matcher_match(rh_sigma_matcher *m, const rh_event *ev,
                                        rh_sigma_match_fn fn, void *user);

/**
 * End of input: evaluate the correlation windows still open (lt/lte/eq/neq conditions) and
 * reset all correlation state. Returns RH_OK, fn's status or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_matcher_flush(rh_sigma_matcher *m, rh_sigma_match_fn fn, void *user);

/** Destroy a matcher. Accepts NULL. */
RH_API void rh_sigma_matcher_destroy(rh_sigma_matcher *m);

/* Flags for rh_sigma_matcher_set_flags(). */
/* Try every rule on every event: no event-id / channel index, no literal prefilter (each rule
 * still applies to its logsource's events only). Same matches in the same order, much slower:
 * for tests that check the indexes never drop a match. */
#define RH_SIGMA_MATCH_EXHAUSTIVE 0x1u

/* Also report matches of rules that only correlations use (generate: false), flagged
 * rh_sigma_match.referenced, so that a caller can tell which events a correlation's window
 * held (the hunt joins correlations to findings with them). */
#define RH_SIGMA_MATCH_REFERENCED 0x2u

/** Set RH_SIGMA_MATCH_* flags on a matcher (0 = default). */
RH_API void rh_sigma_matcher_set_flags(rh_sigma_matcher *m, unsigned flags);

/* ---- rules over hive state ----------------------------------------------------------------- */

/* Flags for rh_sigma_hive_opts.flags. */
#define RH_SIGMA_HIVE_KEYS    0x1u /* also emit one CreateKey event (Sysmon 12) per key */
#define RH_SIGMA_HIVE_DELETED 0x2u /* include deleted keys and values the hive recovered */

/** Options for rh_sigma_hive_events(). Zero-initialise. */
typedef struct rh_sigma_hive_opts {
    /* Sysmon-style root of the hive, e.g. "HKLM\\SOFTWARE", "HKLM\\System",
     * "HKU\\S-1-5-21-...", "HKU\\S-1-5-21-..._Classes". NULL: rh_sigma_hive_guess_root(). */
    const char *root;
    /* SID used by the guess for NTUSER.DAT / UsrClass.dat (NULL: "S-1-5-21-0-0-0-0"). */
    const char *sid;
    unsigned flags;
} rh_sigma_hive_opts;

/**
 * Guess a hive's Sysmon root from its embedded file name (SOFTWARE, SYSTEM, SAM, SECURITY,
 * NTUSER.DAT, UsrClass.dat, Amcache.hve, DEFAULT) and append it to out. `sid` as above.
 * Returns RH_OK, RH_NOT_FOUND (unknown hive: "HKLM\\<name>" is still appended) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_hive_guess_root(const rh_hive *hive, const char *sid, rh_buf *out);

/**
 * Turn hive contents into synthetic Sysmon registry events flagged RH_EVENT_FROM_STATE and
 * call fn for each: one SetValue event (ID 13) per value with TargetObject = root\key\value
 * (`(Default)` for the unnamed value) and Details rendered as Sysmon does (strings as-is,
 * `DWORD (0x%08x)`, `QWORD (0x%08x-0x%08x)` high-low, `Binary Data`, `(Empty)`), and with
 * RH_SIGMA_HIVE_KEYS one CreateKey event (ID 12) per key. Image is empty (unknown). In a SYSTEM
 * hive the current control set is renamed CurrentControlSet, as Sysmon shows it.
 * Returns RH_OK, fn's status or RH_ERR_NOMEM.
 */
RH_API rh_status rh_sigma_hive_events(rh_ctx *ctx, const rh_hive *hive,
                                      const rh_sigma_hive_opts *opts, rh_event_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
