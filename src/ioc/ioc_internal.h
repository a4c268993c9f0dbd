/*
 * IOC internals: the properties indicators compare, the compiled STIX pattern tree
 * (ioc_pattern.c), the set (ioc_set.c), the feed loaders (ioc_load.c) over the feed window
 * (ioc_feed_in.c) and matching (ioc_match.c).
 */
#ifndef RH_IOC_INTERNAL_H
#define RH_IOC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "common/common.h"
#include "reghunt/ioc.h"
#include "reghunt/regpath.h"

/* Defaults of rh_ioc_opts (docs/limits.md). */
#define IOC_DEF_MAX_FILE    (1ull << 30) /* 1 GiB: a 1M-indicator STIX bundle is ~300 MB */
#define IOC_DEF_MAX_INDS    (16u << 20)  /* 16 M indicators (~100 bytes each kept) */
#define IOC_DEF_MAX_PATTERN 65536u       /* STIX patterns of real feeds stay under 2 KiB */
#define IOC_DEF_MAX_SCAN    10000u       /* unanchored indicators evaluated per finding */
#define IOC_DEF_MAX_REPORTS 50u          /* diags per feed, then counted only */
/* Fixed caps (why: hostile patterns and findings). */
#define IOC_MAX_DEPTH      64u     /* nesting of parentheses / brackets in one pattern */
#define IOC_MAX_IN         4096u   /* values of one IN (...) set */
#define IOC_MAX_DERIVED    8192u   /* derived observations (tokens, names, parents) per match */
#define IOC_MAX_TOKENS     512u    /* tokens taken from one free-text observation */
#define IOC_MAX_OBS_BYTES  65536u  /* bytes of one observation looked at */
#define IOC_MIN_LITERAL    3u      /* shorter LIKE literals are not anchored (scanned) */
#define IOC_RE_MATCH_LIMIT 100000u /* PCRE2 match limit per MATCHES evaluation */
#define IOC_RE_DEPTH_LIMIT 1000u   /* PCRE2 depth (backtracking) limit */

/* Properties an indicator compares (STIX object paths and the list/MISP types). */
enum ioc_prop {
    IOC_P_MD5 = 0,
    IOC_P_SHA1,
    IOC_P_SHA256,
    IOC_P_FILE_NAME,
    IOC_P_FILE_PATH,
    IOC_P_DOMAIN,
    IOC_P_IPV4,
    IOC_P_IPV6,
    IOC_P_URL,
    IOC_P_REG_KEY,
    IOC_P_REG_VNAME,
    IOC_P_REG_VDATA,
    IOC_P_COUNT
};

/* The STIX object path of a property ("file:hashes.'SHA-256'"). */
const char *ioc_prop_path(unsigned prop);

enum ioc_node_kind { IOC_N_AND = 0, IOC_N_OR, IOC_N_CMP };
enum ioc_op { IOC_OP_EQ = 0, IOC_OP_LIKE, IOC_OP_MATCHES, IOC_OP_IN };

/* A node of a compiled pattern: AND/OR of two children, or one comparison. Observation
 * expressions joined by AND/OR are kept as the same nodes (every observation is evaluated over
 * the one finding). Values are unescaped and, for registry keys, rh_regpath_normalize()d. */
struct ioc_node {
    uint8_t kind, op, neg, prop;
    uint32_t nvals;
    struct ioc_node *a, *b;
    const char **vals;
    size_t *lens;
    void *re; /* pcre2_code * of MATCHES (owned by the set's regex list) */
};

/* Make room for `need` elements in arr (capacity cap); st = RH_OK, RH_ERR_NOMEM or LIMIT. */
#define IOC_RESERVE(ctx, arr, cap, need, st)                                                       \
    do {                                                                                           \
        void *p_ = (arr);                                                                          \
        (st) = rh_array_reserve((ctx), &p_, &(cap), (need), sizeof(*(arr)));                       \
        (arr) = p_;                                                                                \
    } while (0)

struct ioc_perr {
    size_t off;      /* byte offset in the pattern */
    int unsupported; /* 1: a valid construct reghunt does not evaluate */
    char msg[160];
};

/* Parse a STIX 2.1 pattern into nodes from arena a. Returns RH_OK, RH_ERR_FORMAT (syntax
 * error: err set), RH_ERR_UNSUPPORTED (err set) or RH_ERR_NOMEM. Regexes are not compiled. */
rh_status ioc_pattern_parse(struct rh_arena *a, const char *s, size_t n, struct ioc_node **out,
                            struct ioc_perr *err);

/* SQL LIKE (% any run, _ one byte), ASCII case-insensitive. */
int ioc_like(const char *p, size_t pn, const char *s, size_t sn);

/* rh_regpath_normalize() of a key into a, NULL on failure. */
const char *ioc_regkey_norm(struct rh_arena *a, const char *s, size_t n, size_t *out_len);

struct ioc_ind {
    rh_ioc_indicator pub;
    struct ioc_node *expr; /* NULL: a single exact value (prop, value) */
    uint8_t prop;          /* expr == NULL: the property */
    const char *value;     /* expr == NULL: the value (normalised, in the set's arena) */
    size_t vlen;
};

struct ioc_anchor {
    uint32_t ind;
    uint32_t next; /* index + 1 of the next anchor of the same key, 0 = none */
};

struct ioc_feed {
    const char *name;
    const char *format;
    size_t count;
    size_t reports;
};

struct rh_ioc_set {
    rh_ctx *ctx;
    rh_ioc_opts opts;
    struct rh_arena arena;
    struct ioc_ind *inds; /* active indicators */
    size_t n, cap;
    struct ioc_ind *expired;
    size_t nexp, capexp;
    struct ioc_feed *feeds;
    size_t nfeeds, capfeeds;
    struct rh_strmap exact; /* prop byte + value (ICASE) -> anchor index + 1 */
    struct ioc_anchor *anchors;
    size_t nanch, capanch;
    struct rh_ac_lit *lits; /* LIKE literals (folded, in the arena), owner = indicator */
    uint8_t *lit_prop;
    size_t nlits, caplits, caplitp;
    struct rh_ac ac[IOC_P_COUNT];
    int has_ac[IOC_P_COUNT];
    uint32_t *scan; /* indicators without anchor */
    size_t nscan, capscan;
    void **res; /* compiled regexes */
    size_t nres, capres;
    void *mctx; /* pcre2_match_context * */
    rh_ioc_stats stats;
    int finished;
};

/* ioc_set.c: add one indicator; pub strings must live in set->arena. expr NULL: exact value
 * (prop, value). Handles expiry, anchors and regex compilation; a MATCHES that does
 * not compile is reported and counted invalid (RH_OK). */
rh_status ioc_add(rh_ioc_set *set, struct ioc_feed *feed, const struct ioc_ind *in);
/* Report a skipped indicator (unsupported or invalid) for the feed, counted. */
void ioc_report(rh_ioc_set *set, struct ioc_feed *feed, int unsupported, const char *id,
                const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 5, 6)))
#endif
    ;
/* The STIX pattern of an indicator: parse, report and add. */
rh_status ioc_add_pattern(rh_ioc_set *set, struct ioc_feed *feed, const rh_ioc_indicator *pub);
/* A plain value of a known property (lists, MISP, STIX observables). */
rh_status ioc_add_value(rh_ioc_set *set, struct ioc_feed *feed, const rh_ioc_indicator *pub,
                        unsigned prop, const char *v, size_t n);

/* ioc_feed_in.c */
/* A window over a feed: all of it (memory), or a file read in steps, bytes before the element
 * being parsed dropped, so a bundle or list costs the window and its largest element, never
 * the file. */
struct feed_in {
    rh_ioc_set *s;
    struct ioc_feed *feed;
    int fd;        /* -1: buf holds the whole feed */
    char *buf;     /* window (owned when fd >= 0) */
    size_t len;    /* bytes in buf */
    size_t cap;    /* bytes allocated (fd >= 0) */
    size_t pos;    /* parse position in buf */
    size_t pin;    /* bytes from here are kept when reading more (SIZE_MAX: none) */
    uint64_t base; /* feed offset of buf[0] */
    bool eof;
};

#define FEED_STEP ((size_t)1 << 20)

/* Skip one JSON value at p[*pos] (bounded nesting): 1, 0 when malformed, 2 when p ends inside
 * it (more input may complete it; a scalar reaching the end counts as incomplete). */
int ioc_skip_value(const char *p, size_t n, size_t *pos);
/* Read more, dropping the bytes before `keep` (<= pos; the caller's offsets into buf move down
 * by *shift). RH_END at the end of the feed. */
rh_status ioc_in_more(struct feed_in *in, size_t keep, size_t *shift);
/* Skip whitespace; the next byte, or -1 at the end of the feed (or an error in *st). */
int ioc_in_peek(struct feed_in *in, rh_status *st);
/* One error diagnostic at feed offset of buf[at]; RH_ERR_FORMAT. */
rh_status ioc_bad_json(struct feed_in *in, size_t at, const char *what);
/* The JSON value at the parse position: buf[*start, pos) after the call. */
rh_status ioc_in_value(struct feed_in *in, size_t *start);
/* Expect byte c next (after whitespace). */
rh_status ioc_in_expect(struct feed_in *in, char c, const char *what);
/* After a member or element: consume ',' (*more = 1) or the closing `close` (*more = 0); else
 * an error naming what was expected. */
rh_status ioc_in_next(struct feed_in *in, char close, int *more);
/* Parse buf[start, end) with jansson into *out (owned); an error names the feed offset. */
rh_status ioc_in_json(struct feed_in *in, size_t start, size_t end, json_t **out);
typedef rh_status (*ioc_elem_fn)(rh_ioc_set *s, struct ioc_feed *feed, const json_t *o);
/* Parse each element of the array at the parse position alone and hand it to fn. */
rh_status ioc_each_element(struct feed_in *in, ioc_elem_fn fn);

/* ioc_load.c */
/* Type of a plain indicator value (list lines): an ioc_prop, or -1 when not recognised. */
int ioc_detect(const char *s, size_t n);

#endif
