/*
 * Knowledge base internals shared with the scorer and the tests.
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

/* The built-in default rows (kb_defaults.def), for rules that consult another location's
 * defaults (the scorer's svchost group check). */
const rh_kb_default *kb_builtin_defaults(size_t *n);

/* True for "T1234" or "T1234.001". */
int kb_technique_valid(const char *s);

/* Name of flag bit `bit_index` (0 = absent_default ...) or NULL. */
const char *kb_flag_name(unsigned bit_index);

#endif
