/*
 * Scorer internals shared by score.c (phases and verdict), score_values.c (defaults, lists,
 * binary data, vendor components) and score_checks.c (location-specific rules).
 */
#ifndef RH_SCORE_INTERNAL_H
#define RH_SCORE_INTERNAL_H

#include "common/common.h"
#include "interp/interp_internal.h"
#include "reghunt/kb.h"
#include "reghunt/score.h"

/* ---- weights (docs/scoring.md, "Points") ------------------------------------------------ */

#define PTS_INFO     0
#define PTS_LOW      20
#define PTS_MEDIUM   40
#define PTS_HIGH     60
#define PTS_CRITICAL 90

/* Features that make an otherwise known or empty-looking value suspicious again. */
#define MALICIOUS_FEATS                                                                            \
    (RH_FEAT_INLINE_SCRIPT | RH_FEAT_ENCODED | RH_FEAT_BASE64 | RH_FEAT_OBFUSCATED |               \
     RH_FEAT_DOWNLOAD | RH_FEAT_RAW_IP | RH_FEAT_URL | RH_FEAT_UNC | RH_FEAT_MASQUERADE |          \
     RH_FEAT_SYSNAME_MISPLACED | RH_FEAT_HIDDEN_WINDOW | RH_FEAT_POLICY_BYPASS |                   \
     RH_FEAT_DOUBLE_EXT | RH_FEAT_ODD_EXT | RH_FEAT_SCROBJ | RH_FEAT_NON_ASCII |                   \
     RH_FEAT_CONTROL_CHARS | RH_FEAT_RUNDLL_ORDINAL | RH_FEAT_USER_WRITABLE)

/* ---- state ------------------------------------------------------------------------------ */

struct list_ctx;

struct sc {
    rh_ctx *ctx;
    const rh_score_input *in;
    rh_score_result *out;
    rh_buf reasons;
    rh_buf tmp;
    int points;
    int floor;    /* minimum points from specific rules */
    int cap;      /* maximum points (INT_MAX = none) */
    int strong;   /* independent strong signals (confidence) */
    int specific; /* a location-specific rule fired */
    int nondefault_items;
    uint64_t feats; /* union over analysed items */
    rh_path_class worst_class;
    int worst_class_pts;
    int have_class;
    char *target;
    char lolbin[32];  /* first LOLBin / script host seen ("" = none) */
    int sysdir_bare;  /* a bare name resolved to the system folder */
    int said_differs; /* a "differs from the Windows default" reason was given */
    /* the value as the phases see it (rh_score_value) */
    const char *text; /* string data (NULL for binary / numbers), tn bytes */
    size_t tn;
    rh_interp_mode mode;           /* path mode for dllpath/folder rows, else command */
    int hidden;                    /* value name hidden (why_hidden says how) */
    const char *why_hidden;        /* static */
    int empty, present;            /* data runs nothing / data present and not empty */
    struct list_ctx *lc;           /* list statistics of phase 1 */
    const rh_kb_default *defs[16]; /* applicable defaults (select_defaults) */
    size_t ndefs;
    rh_status st;
};

struct list_ctx {
    struct sc *s;
    rh_interp_mode mode;
    int items, nondefault, default_seen, vendor_seen;
    const char *vendor_label; /* last known vendor item (static) */
    char first_bad[160];
};

/* One reason (printf format; attacker text is sanitised to UTF-8); at most 24 per value. */
void sc_reason(struct sc *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 2, 3)))
#endif
    ;
void sc_floor(struct sc *s, int pts);
void sc_cap(struct sc *s, int pts);
/* Short, bounded, printable excerpt of attacker text for reasons. */
const char *sc_excerpt(char *buf, size_t cap, const char *s, size_t n);
/* Interpret one item (command line or path) and merge its features and target. */
void sc_analyze(struct sc *s, rh_interp_mode mode, const char *t, size_t n);

/* score_values.c */
void sc_select_defaults(struct sc *s);
int sc_is_default(struct sc *s, const char *v, size_t vn);
int sc_has_defaults(const struct sc *s);
const char *sc_default_shown(const struct sc *s);
void sc_check_known_defaults(struct sc *s);
int sc_builtin_default_holds(const struct sc *s, const char *loc_id, const char *key,
                             const char *name, size_t nl);
void sc_analyze_list(struct sc *s, const char *t, size_t n, rh_interp_mode mode, const char *seps,
                     struct list_ctx *lc);
int sc_component_after(const char *key, size_t kn, const char *marker, char *buf, size_t cap);
void sc_last_component(const char *key, size_t kn, char *buf, size_t cap);
rh_status sc_lookup_value(struct sc *s, rh_kb_hive hive, const char *key, const char *name,
                          uint32_t *type);
int sc_lookup_number(struct sc *s, rh_kb_hive hive, const char *key, const char *name, uint64_t *v);
const char *sc_data_text(const rh_score_input *in, size_t *n);
void sc_analyze_binary(struct sc *s);
int sc_empty_payload(const rh_score_input *in, const char *text, size_t tn);
void sc_check_vendor(struct sc *s);
int sc_key_is_depend(const char *key, size_t kn);

/* score_checks.c */
void sc_check_clsid_ref(struct sc *s, const char *t, size_t n);
void sc_check_runonceex(struct sc *s, const char *t, size_t n);
void sc_check_startupapproved(struct sc *s);
void sc_check_pending_rename(struct sc *s, const char *t, size_t n);
void sc_run_check(struct sc *s, const char *text, size_t tn, const struct list_ctx *lc);

#endif
