/*
 * Sigma engine internals: arena, YAML tree, compiled rules, modifier table, matcher state.
 */
#ifndef RH_SIGMA_INTERNAL_H
#define RH_SIGMA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "reghunt/sigma.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- arena: everything a ruleset owns lives in one rh_arena (allocations zeroed) ---------------
 */

#define SIGMA_ARENA_BLOCK (64u * 1024u)

/* ---- YAML tree ----------------------------------------------------------------------------- */

enum ynode_kind { YN_SCALAR = 0, YN_SEQ = 1, YN_MAP = 2 };

struct ynode {
    uint8_t kind;
    uint8_t plain; /* scalar written without quotes (null/true/numbers are only plain) */
    int line, col; /* 1-based */
    const char *s; /* scalar text, NUL-terminated */
    size_t len;
    struct ynode **kids; /* SEQ: n items; MAP: n pairs as kids[2i] key, kids[2i+1] value */
    size_t n;
};

/*
 * Parse every document of a YAML stream into trees allocated in `a`. Errors are reported
 * (RH_DIAG_ERROR with file:line:col) and returned as RH_ERR_RULE (syntax, aliases),
 * RH_ERR_LIMIT (nesting deeper than max_depth) or RH_ERR_NOMEM. *err_line/col locate it.
 */
rh_status sigma_yaml_parse(rh_ctx *ctx, struct rh_arena *a, const char *name, const char *text,
                           size_t len, uint32_t max_depth, struct ynode ***docs, size_t *ndocs,
                           int *err_line, int *err_col, char *err, size_t errsz);

/* Map lookup by exact key; NULL if absent or not a map. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
bool ynode_is_null(const struct ynode *n);

/* ---- field interning ----------------------------------------------------------------------- */

struct sigma_strtab {
    struct rh_strmap map; /* name -> id (val), keys copied */
    uint32_t n;           /* ids are 0 .. n-1 in interning order */
};

void sigma_strtab_init(rh_ctx *ctx, struct sigma_strtab *t);
/* Returns the id of `s`, adding it; UINT32_MAX on OOM or past 2^24 names. */
uint32_t sigma_strtab_intern(struct sigma_strtab *t, const char *s, size_t n);
/* Returns the id or UINT32_MAX. */
uint32_t sigma_strtab_find(const struct sigma_strtab *t, const char *s, size_t n);
void sigma_strtab_free(struct sigma_strtab *t);

/* Fixed ids of the event header fields, interned first in every ruleset. */
enum {
    SIGMA_F_EVENTID = 0,
    SIGMA_F_CHANNEL,
    SIGMA_F_PROVIDER,
    SIGMA_F_COMPUTER,
    SIGMA_F_RECORDID,
    SIGMA_F_USERID,
    SIGMA_F_NVIRTUAL
};

/* ---- values, items, searches, conditions ------------------------------------------------- */

/* Shape of a string pattern after wildcard analysis. */
enum sigma_pkind { PK_EXACT = 0, PK_PREFIX, PK_SUFFIX, PK_CONTAINS, PK_GLOB, PK_ANY };

/* Wildcard markers in a pattern's parallel `wild` array. */
enum { W_LIT = 0, W_STAR = 1, W_QMARK = 2 };

struct sigma_modifier;
struct sigma_view;
struct sigma_matcher_fwd;

/* One value of an item, after all modifiers. */
struct sig_value {
    const struct sigma_modifier *mod; /* row whose match() decides */
    uint8_t pkind;                    /* enum sigma_pkind, for string patterns */
    uint8_t cased;
    uint8_t has_num;    /* YAML plain integer: also compare numerically with INT/HEX fields */
    uint8_t is_null;    /* `null`: field absent */
    int64_t num;        /* plain integer / numeric modifiers' operand */
    double fnum;        /* numeric modifiers: operand as double */
    const uint8_t *lit; /* EXACT/PREFIX/SUFFIX/CONTAINS: the literal (folded unless cased) */
    size_t litlen;
    const uint8_t *pat, *wild; /* GLOB: full pattern (folded unless cased) and markers */
    size_t patlen;
    uint32_t fid;     /* fieldref: the other field's id */
    int aux;          /* modifier-specific (time part, comparison op, cidr family...) */
    void *data;       /* modifier-owned (pcre2 code, cidr bytes) */
    const char *text; /* the value as written (for diagnostics) */
    /* the value after the modifier chain, unfolded, with its wildcard markers (W_*): what a
     * query converter needs (rh_sigma_rule_logic); `re`: the expression and its i/m/s flags */
    const uint8_t *raw, *rawwild;
    size_t rawlen;
    uint32_t re_flags;
};

/* Item flags. */
#define SIG_I_ALL     0x1u /* AND over values */
#define SIG_I_NEQ     0x2u /* field must differ from every value */
#define SIG_I_KEYWORD 0x4u /* no field: search every field value */

struct sig_item {
    uint32_t fid;      /* rule-side field id (UINT32_MAX for keywords) */
    const char *field; /* the field name as written ("" for keywords) */
    uint32_t flags;
    struct sig_value *vals;
    size_t nvals;
};

/* A map: items ANDed. */
struct sig_map {
    struct sig_item *items;
    size_t n;
};

/* A search identifier: maps ORed (a single map for a plain map). */
struct sig_search {
    const char *name;
    struct sig_map *maps;
    size_t nmaps;
};

enum { C_ID = 0, C_AND, C_OR, C_NOT, C_ATLEAST, C_TRUE, C_FALSE };

struct cnode {
    uint8_t op;
    uint32_t id; /* C_ID: search index; C_ATLEAST: threshold */
    struct cnode **kids;
    size_t n;
};

/* ---- logsource mapping ----------------------------------------------------------------------- */

enum sigma_transform { SIGMA_TX_NONE = 0, SIGMA_TX_SEC4657 = 1, SIGMA_TX_COUNT = 2 };

struct sigma_cfg_cond {
    char *field;
    char **values;
    size_t nvalues;
};

struct sigma_cfg_entry {
    char *name;
    char *category, *product, *service; /* NULL = not given */
    char *rewrite_product, *rewrite_service;
    uint32_t *eids;
    size_t neids;
    struct sigma_cfg_cond *conds; /* other field conditions (EventType: CreateKey) */
    size_t nconds;
    char **sources; /* channel names ("WinEventLog:" stripped) */
    size_t nsources;
    char **fm_from, **fm_to; /* fieldmappings rule field -> event field */
    size_t nfm;
    int transform;
};

struct sigma_placeholder {
    char *name;
    char **values;
    size_t n;
};

struct rh_sigma_config {
    rh_ctx *ctx;
    struct sigma_cfg_entry *entries;
    size_t n, cap;
    struct sigma_placeholder *ph;
    size_t nph, capph;
};

/* The built-in configuration text (YAML, thor.yml format). */
extern const char sigma_default_config[];

/* ---- compiled ruleset ----------------------------------------------------------------------- */

/* A binding: how one logsource entry selects events for a rule. */
struct sig_binding {
    uint32_t *eids; /* empty = any event id */
    size_t neids;
    uint32_t *chans; /* interned channel ids (folded); empty = any channel */
    size_t nchans;
    struct sig_item *conds; /* extra conditions on the (transformed) event */
    size_t nconds;
    uint32_t *fmap;          /* rule fid -> event fid (NULL = identity); sized ruleset nfids */
    char **fm_from, **fm_to; /* kept until finish builds fmap */
    size_t nfm;
    int transform;
    uint32_t index; /* for per-event caching of the conditions */
};

/* Fields a prefilter set may span. */
#define SIG_PF_MAXF 8

/* Rule-side pseudo field of keyword literals: any field of the event (event side: the id
 * fields.n, one past the interned fields). */
#define SIG_PF_ANYFIELD (UINT32_MAX - 1)

/* Prefilter: the rule can only match if one of its literals occurs in its field, for some of
 * these fields (the literals live in the per-field automata). nf == 0: no prefilter. */
struct sig_prefilter {
    uint32_t fids[SIG_PF_MAXF]; /* event-side field ids */
    uint32_t nf;
};

struct sig_corr;
struct sig_filter_ref;

struct sig_rule {
    rh_sigma_rule_info info;
    uint32_t index;
    struct sig_search *searches;
    size_t nsearches;
    struct cnode *cond;
    /* filters that suppress this rule: their own searches + condition */
    struct sig_rule **filters;
    size_t nfilters;
    struct sig_corr *corr; /* correlations only */
    uint32_t *corr_users;  /* correlations fed by this rule */
    size_t ncorr_users;
    bool emit; /* false when only correlations use it (generate: false) */
    struct sig_binding **bindings;
    size_t nbindings;
};

/* One (rule, binding) pair the dispatcher considers. */
struct sig_entry {
    struct sig_rule *rule;
    const struct sig_binding *b;
    struct sig_prefilter pf;
    uint32_t pf_index; /* index among prefiltered entries (for hit stamps) */
    /* dispatch: the only event ids the entry can match (when drestrict) */
    bool drestrict;
    uint32_t *deids; /* sorted */
    uint32_t ndeids;
};

/* The Aho-Corasick automaton (common/ac.h) of one event field's prefilter literals. */
struct sig_ac {
    uint32_t fid;
    struct rh_ac ac;
};

enum corr_type { CORR_EVENT_COUNT = 0, CORR_VALUE_COUNT, CORR_TEMPORAL, CORR_TEMPORAL_ORDERED };

struct sig_corr_cond {
    int op; /* 0 gt 1 gte 2 lt 3 lte 4 eq 5 neq */
    uint64_t v;
};

struct sig_corr {
    int type;
    char **rule_refs; /* ids or names, resolved at finish */
    size_t nrefs;
    uint32_t *rules; /* rule indexes */
    char **group_by;
    size_t ngroup;
    /* aliases: alias name -> per referenced rule field */
    char **alias_names;
    char ***alias_fields; /* [alias][ref] (NULL = use alias name) */
    size_t naliases;
    uint64_t timespan; /* FILETIME ticks */
    struct sig_corr_cond conds[2];
    size_t nconds;
    char *value_field;
    bool generate;
    uint32_t index; /* index among correlations */
    uint32_t *gfid; /* group-by field ids after aliases: [ref * ngroup + g] */
    uint32_t *vfid; /* value_count field id per ref */
};

struct rh_ruleset {
    rh_ctx *ctx;
    struct rh_arena arena;
    struct sig_rule **rules;
    size_t nrules;
    struct sigma_strtab fields;   /* interned field names */
    struct sigma_strtab channels; /* interned folded channel names */
    size_t nbindings;
    struct sig_entry *entries;
    size_t nentries;
    /* dispatch (sigma_dispatch.c): entries that can only match some event ids (< 65536), per
     * id; else entries for any id of their binding's channels, per channel; else the rest.
     * Each list: its entries without a prefilter (sorted by entry index) and the automata of
     * the others, as ac_gen indexes (transform * (nacs + 1) + automaton). */
    uint32_t *eid_off, *eid_list; /* 65537 offsets */
    uint32_t *eid_acs_off, *eid_acs;
    uint32_t *chan_off, *chan_list; /* channels.n + 1 offsets */
    uint32_t *chan_acs_off, *chan_acs;
    uint32_t *any_list, *any_acs;
    size_t nany, nany_acs;
    uint32_t *pf_entry; /* pf_index -> entry index (increasing) */
    uint32_t npf;       /* prefiltered entries */
    struct sig_ac *acs; /* one per prefilter field */
    size_t nacs;
    uint32_t *ac_of_fid; /* fid -> ac index + 1 (0 = none); sized fields.n */
    struct sig_rule **corrs;
    size_t ncorrs;
    /* modifier-owned values to free */
    struct sig_value **owned;
    size_t nowned, capowned;
};

/* ---- compiler ----------------------------------------------------------------------------- */

struct sigma_reject_rec {
    rh_sigma_reject r;
};

struct rh_sigma_compiler {
    rh_ctx *ctx;
    const rh_sigma_config *cfg;
    rh_sigma_config *own_cfg;
    rh_ruleset *rs; /* being built */
    struct sigma_reject_rec *rejects;
    size_t nrejects, caprejects;
    struct rh_arena rej_arena;
    struct sig_rule **filters; /* filter documents, attached at finish */
    size_t nfilters, capfilters;
    size_t caprules;
    struct sig_binding **bcache; /* per config entry */
    bool *bcache_nc;
    struct sig_binding *any_binding;
    bool finished;
};

/* Compile-time state for one rule document. */
struct sigma_build {
    rh_sigma_compiler *c;
    rh_ruleset *rs;
    struct rh_arena *a;
    const char *path;
    const char *id, *title;
    char err[256];
    int err_line, err_col;
    rh_status err_status;
    uint32_t depth_cap;
};

/* Record an error on the build; returns -1 for chaining. */
int sigma_fail(struct sigma_build *b, const struct ynode *at, rh_status st, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 4, 5)))
#endif
    ;

/* Compile a detection section into searches + condition. 0 or -1 (error recorded). */
int sigma_compile_detection(struct sigma_build *b, const struct ynode *det, struct sig_rule *r);
/* Compile one item `field|mods: value(s)`. */
int sigma_compile_item(struct sigma_build *b, const char *key, const struct ynode *keynode,
                       const struct ynode *val, struct sig_item *out);
/* Parse a condition string against the rule's searches. */
int sigma_parse_condition(struct sigma_build *b, const struct ynode *at, const char *text,
                          struct sig_rule *r, struct cnode **out);
/* Compile a correlation section. */
int sigma_compile_correlation(struct sigma_build *b, const struct ynode *doc, struct sig_rule *r);
/* Resolve the bindings of a rule's logsource. 0 or -1. */
int sigma_bind_logsource(struct sigma_build *b, const struct ynode *ls, struct sig_rule *r);

/* Config helpers. */
rh_status sigma_config_parse(rh_sigma_config *cfg, const char *name, const char *text, size_t len,
                             bool replace);
const struct sigma_placeholder *sigma_config_placeholder(const rh_sigma_config *cfg,
                                                         const char *name, size_t len);

/* ---- modifiers ---------------------------------------------------------------------------- */

/* A value while its modifier chain is applied: bytes with wildcard markers. */
struct mval {
    uint8_t *b;
    uint8_t *w;
    size_t n, cap;
    bool typed;         /* converted by a type modifier (re, cidr, gt, ...): no more string ops */
    struct sig_value v; /* typed form */
};

struct mod_state {
    struct sigma_build *b;
    const struct ynode *at;
    struct mval *vals;
    size_t nvals, cap;
    uint32_t item_flags;
    bool cased;
    bool has_type; /* a type modifier was applied */
    bool wrap_set; /* contains/startswith/endswith applied */
    bool after_re; /* i/m/s allowed */
    uint32_t re_flags;
    const struct sigma_modifier *type;
    int time_part; /* 0 none; else index of minute/hour/... */
    bool fieldref;
    const char *field; /* field name of the item (for diagnostics) */
};

/* Context passed to match functions. */
struct sigma_mctx;

/* The field a value is compared with: raw and folded text. */
struct sig_fieldval {
    const rh_event_field *f; /* NULL = absent */
    const uint8_t *fold;     /* folded value (computed lazily by the matcher) */
    size_t foldlen;
};

typedef int (*sigma_setup_fn)(struct mod_state *st);
typedef int (*sigma_finish_fn)(struct mod_state *st, struct mval *v);
typedef bool (*sigma_match_fn)(const struct sig_value *v, struct sigma_mctx *m,
                               const struct sig_fieldval *fv);
typedef void (*sigma_free_fn)(struct sig_value *v);

struct sigma_modifier {
    const char *name;
    sigma_setup_fn setup;   /* applied in chain order at compile time */
    sigma_finish_fn finish; /* once per value after the chain (NULL: nothing) */
    sigma_match_fn match;   /* NULL for pure transformations */
    sigma_free_fn free;     /* NULL: nothing owned */
};

const struct sigma_modifier *sigma_modifier_find(const char *name, size_t len);
/* The implicit string-pattern row used when no type modifier applies. */
extern const struct sigma_modifier sigma_mod_string;
extern const struct sigma_modifier sigma_mod_null;

/* Helpers the rows share (sigma_modifiers.c). */
/* Append one byte and its wildcard marker (W_LIT...). 0, or -1 on OOM. */
int sigma_mval_put(rh_ctx *ctx, struct mval *v, uint8_t byte, uint8_t w);
/* Free the state's values and take nv (n values, owned) in their place. */
void sigma_mod_replace_vals(struct mod_state *st, struct mval *nv, size_t n);
/* Record "out of memory" on the build; returns -1. */
int sigma_mod_nomem(struct mod_state *st);
/* Make every value a typed value of `row`; an error after another type modifier. */
int sigma_mod_set_type(struct mod_state *st, const struct sigma_modifier *row);
/* The row named by a NUL-terminated name, or NULL. */
const struct sigma_modifier *sigma_modifier_named(const char *name);

/* Rows of modifiers.def defined outside sigma_modifiers.c. Byte rewrites
 * (sigma_modifiers_enc.c): */
int sigma_mod_windash_setup(struct mod_state *st);
int sigma_mod_base64_setup(struct mod_state *st);
int sigma_mod_base64offset_setup(struct mod_state *st);
int sigma_mod_utf16le_setup(struct mod_state *st);
int sigma_mod_utf16be_setup(struct mod_state *st);
int sigma_mod_utf16_setup(struct mod_state *st);
/* Numbers, time parts and networks (sigma_modifiers_num.c): */
int sigma_mod_lt_setup(struct mod_state *st);
int sigma_mod_lte_setup(struct mod_state *st);
int sigma_mod_gt_setup(struct mod_state *st);
int sigma_mod_gte_setup(struct mod_state *st);
int sigma_mod_minute_setup(struct mod_state *st);
int sigma_mod_hour_setup(struct mod_state *st);
int sigma_mod_day_setup(struct mod_state *st);
int sigma_mod_week_setup(struct mod_state *st);
int sigma_mod_month_setup(struct mod_state *st);
int sigma_mod_year_setup(struct mod_state *st);
int sigma_mod_num_finish(struct mod_state *st, struct mval *v);
bool sigma_mod_num_match(const struct sig_value *v, struct sigma_mctx *m,
                         const struct sig_fieldval *fv);
int sigma_mod_cidr_setup(struct mod_state *st);
int sigma_mod_cidr_finish(struct mod_state *st, struct mval *v);
bool sigma_mod_cidr_match(const struct sig_value *v, struct sigma_mctx *m,
                          const struct sig_fieldval *fv);

/* Parse a YAML scalar into an mval using the spec's escaping table. */
int sigma_mval_from_text(struct mod_state *st, struct mval *v, const char *s, size_t n,
                         bool wildcards);
/* Finish a string value into v->v (pattern analysis and folding). */
int sigma_mval_finish_string(struct mod_state *st, struct mval *v);
void sigma_mval_free(rh_ctx *ctx, struct mval *v);

/* Case folding used for patterns and field values (upper case, per code point). */
rh_status sigma_fold(rh_buf *out, const uint8_t *p, size_t n);

/* memmem without _GNU_SOURCE. */
const void *sigma_memmem(const void *hay, size_t hn, const void *needle, size_t nn);

/* Wildcard glob over code points; pattern and subject already folded (or both cased). */
bool sigma_glob(const uint8_t *pat, const uint8_t *wild, size_t pn, const uint8_t *s, size_t sn);

/* ---- matcher ---------------------------------------------------------------------------- */

struct sigma_view {
    const rh_event *ev;
    rh_event ev_copy;   /* for transformed views */
    rh_event_field *xf; /* extra/transformed fields */
    size_t nxf, capxf;
    rh_buf xbuf;                /* storage for transformed strings */
    const rh_event_field **all; /* real + virtual fields */
    size_t nall, capall;
    int32_t *slot; /* fid -> index into all, valid when slot_gen[fid] == gen */
    uint32_t *slot_gen;
    uint32_t *fold_gen; /* per index in all */
    size_t *fold_off, *fold_len;
    size_t capfold;
    rh_buf fold;
    uint32_t gen;
    bool built;
    char virt[SIGMA_F_NVIRTUAL][32];
    rh_event_field vfields[SIGMA_F_NVIRTUAL];
};

struct sigma_corr_state;

struct rh_sigma_matcher {
    rh_ctx *ctx;
    const rh_ruleset *rs;
    struct sigma_view views[SIGMA_TX_COUNT];
    uint32_t gen;
    uint32_t *rule_gen;    /* rule matched this event */
    uint32_t *binding_gen; /* binding conditions evaluated */
    uint8_t *binding_ok;
    uint32_t *pf_gen; /* prefilter hit stamps per pf_index */
    uint32_t *hits;   /* pf_index stamped for this event, in stamp order */
    size_t nhits;
    uint32_t *ac_gen; /* per ac: scanned for this event (per view) */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    uint32_t chan_id;
    rh_buf tmp;
    struct sigma_corr_state *corr;
    size_t ncorr;
    unsigned flags; /* RH_SIGMA_MATCH_* */
};

struct sigma_mctx {
    rh_sigma_matcher *m;
    struct sigma_view *view;
    const uint32_t *fmap;
};

/* Field value of fid in the current view (after the binding's field map). */
void sigma_view_field(struct sigma_mctx *mc, uint32_t fid, struct sig_fieldval *out);
/* Folded text of field index i of the view. */
void sigma_view_fold(struct sigma_mctx *mc, size_t i, const uint8_t **p, size_t *n);

bool sigma_eval_search(struct sigma_mctx *mc, const struct sig_search *s);
bool sigma_eval_item(struct sigma_mctx *mc, const struct sig_item *it);
bool sigma_eval_cond(struct sigma_mctx *mc, const struct sig_rule *r, const struct cnode *c);

/* Build the event id / channel dispatch lists (sigma_dispatch.c). */
rh_status sigma_dispatch_build(rh_ruleset *rs);

/* Build the prefilter automata (sigma_prefilter.c). */
rh_status sigma_prefilter_build(rh_ruleset *rs);

/* Correlations (sigma_corr.c). */
rh_status sigma_corr_resolve(rh_sigma_compiler *c);
rh_status sigma_corr_state_create(rh_sigma_matcher *m);
void sigma_corr_state_free(rh_sigma_matcher *m);
rh_status sigma_corr_feed(rh_sigma_matcher *m, const struct sig_rule *r, struct sigma_mctx *mc,
                          const rh_event *ev, rh_sigma_match_fn fn, void *user);
rh_status sigma_corr_flush(rh_sigma_matcher *m, rh_sigma_match_fn fn, void *user);

/* Record a reject on the compiler (copies strings). */
rh_status sigma_reject(rh_sigma_compiler *c, const char *path, const char *id, const char *title,
                       int line, int col, rh_status st, const char *reason);

#endif
