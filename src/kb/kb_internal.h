/*
 * Knowledge base internals shared by the kb files, the scorer and the tests.
 */
#ifndef RH_KB_INTERNAL_H
#define RH_KB_INTERNAL_H

#include "reghunt/kb.h"

/* Deepest key pattern (components). The deepest real row has 13. */
#define KB_MAX_PATTERN_DEPTH 32
/* Components of a key path considered for matching; real paths stay below 64 levels and a
 * deeper path cannot match any pattern except through "**", which we stop following here. */
#define KB_MAX_PATH_DEPTH 256
/* Locations returned for one key (overlapping patterns); the table has at most ~6 per key. */
#define KB_MAX_HITS 64
/* A user TSV file: 16 MiB and 100k lines are far beyond any real location list. */
#define KB_MAX_TSV_BYTES (16u << 20)
#define KB_MAX_TSV_LINES 100000

/* Kind of one key-pattern component. */
enum kb_comp_kind { KC_LIT = 0, KC_GLOB = 1, KC_STAR = 2, KC_DSTAR = 3 };

/* Windows defaults (kb_defaults.c): the built-in rows of kb_defaults.def plus one row per user
 * TSV row with a `defaults` column, grouped by location in `rows`. */
struct kb_defaults {
    rh_kb_default *rows; /* grouped by location, in location order */
    size_t n;
    rh_kb_default *user; /* user rows, load order */
    size_t nuser, capuser;
};

/* Rebuild defs->rows for locs and point every location's defaults/ndefaults into it. */
rh_status kb_defaults_index(rh_ctx *ctx, struct kb_defaults *defs, rh_kb_location *locs,
                            size_t nlocs);

/* A user row for location `id` was loaded: drop earlier user defaults of that id, then add
 * `data` (owned by the kb, NULL = none) for every family with `source`. */
rh_status kb_defaults_user(rh_ctx *ctx, struct kb_defaults *defs, const char *id, const char *data,
                           const char *source);

void kb_defaults_free(rh_ctx *ctx, struct kb_defaults *defs);

/* ---- the kb object: built in kb.c, matched in kb_match.c --------------------------------- */

struct kb_node {
    const char *comp; /* borrowed from the location's key pattern */
    uint32_t comp_len;
    uint8_t kind;
    uint32_t first_child, next_sibling; /* node indices, 0 = none (0 is a root) */
    uint32_t loc_first;                 /* index into kb->node_locs, chain via loc_next */
};

struct kb_entry {
    char *prefix;
    uint32_t depth_below;
};

struct rh_kb {
    rh_ctx *ctx;
    rh_kb_location *locs;
    size_t nlocs, caplocs;
    unsigned *spec; /* specificity per location */
    char **owned;   /* strings owned by user rows */
    size_t nowned, capowned;
    struct kb_node *nodes; /* nodes[h] is the root of hive h */
    size_t nnodes, capnodes;
    uint32_t *locref; /* pairs: (location index, next) for node terminal lists */
    size_t nlocref, caplocref;
    struct kb_entry *entries[RH_KB_HIVE_COUNT];
    size_t nentries[RH_KB_HIVE_COUNT];
    struct kb_defaults defs; /* kb_defaults.c */
};

/* The built-in default rows (kb_defaults.def), for rules that consult another location's
 * defaults (the scorer's svchost group check). */
const rh_kb_default *kb_builtin_defaults(size_t *n);

/* True for "T1234" or "T1234.001". */
int kb_technique_valid(const char *s);

/* Name of flag bit `bit_index` (0 = absent_default ...) or NULL. */
const char *kb_flag_name(unsigned bit_index);

#endif
