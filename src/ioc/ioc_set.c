/*
 * The indicator set: creation, one indicator at a time (expiry, anchors, regexes), the
 * prefilter build, feeds and counters.
 *
 * Anchors: an indicator can only match when one of its anchors is seen. An exact value
 * (=, IN) anchors in the hash set under (property, value); a LIKE anchors by its longest
 * literal run in the property's Aho-Corasick automaton; AND takes the anchors of one side (the
 * one with fewer), OR needs both sides anchored. Negations, MATCHES and short LIKE literals
 * anchor nothing: such indicators go to the scan list, evaluated for every finding and capped
 * by max_scan.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>

#include "ioc_internal.h"

rh_status rh_ioc_create(rh_ctx *ctx, const rh_ioc_opts *opts, rh_ioc_set **out)
{
    rh_ioc_set *s;
    *out = NULL;
    s = rh_calloc(ctx, 1, sizeof(*s));
    if (!s) {
        return RH_ERR_NOMEM;
    }
    s->ctx = ctx;
    if (opts) {
        s->opts = *opts;
    }
    if (!s->opts.max_file_size) {
        s->opts.max_file_size = IOC_DEF_MAX_FILE;
    }
    if (!s->opts.max_indicators) {
        s->opts.max_indicators = IOC_DEF_MAX_INDS;
    }
    if (!s->opts.max_pattern_len) {
        s->opts.max_pattern_len = IOC_DEF_MAX_PATTERN;
    }
    if (!s->opts.max_scan) {
        s->opts.max_scan = IOC_DEF_MAX_SCAN;
    }
    if (!s->opts.max_reports) {
        s->opts.max_reports = IOC_DEF_MAX_REPORTS;
    }
    rh_arena_init(&s->arena, ctx, 1u << 20, 0);
    rh_strmap_init(&s->exact, ctx, rh_hash_fnv1a_ci, RH_STRMAP_ICASE, 1024,
                   s->opts.max_indicators * 2);
    *out = s;
    return RH_OK;
}

void rh_ioc_destroy(rh_ioc_set *s)
{
    size_t i;
    if (!s) {
        return;
    }
    for (i = 0; i < s->nres; i++) {
        pcre2_code_free(s->res[i]);
    }
    pcre2_match_context_free(s->mctx);
    rh_free(s->ctx, s->res);
    rh_free(s->ctx, s->inds);
    rh_free(s->ctx, s->expired);
    rh_free(s->ctx, s->feeds);
    rh_free(s->ctx, s->anchors);
    rh_free(s->ctx, s->lits);
    rh_free(s->ctx, s->lit_prop);
    rh_free(s->ctx, s->scan);
    rh_strmap_free(&s->exact);
    rh_arena_free(&s->arena);
    rh_free(s->ctx, s);
}

void ioc_report(rh_ioc_set *set, struct ioc_feed *feed, int unsupported, const char *id,
                const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (unsupported) {
        set->stats.unsupported++;
    } else {
        set->stats.invalid++;
    }
    if (feed->reports >= set->opts.max_reports) {
        if (feed->reports++ == set->opts.max_reports) {
            (void)rh_diagf(set->ctx, RH_DIAG_WARNING, "ioc", feed->name, -1,
                           "further unsupported or invalid indicators are only counted");
        }
        return;
    }
    feed->reports++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    (void)rh_diagf(set->ctx, RH_DIAG_WARNING, "ioc", feed->name, -1, "indicator %.120s: %s: %s",
                   id && id[0] ? id : "?", unsupported ? "unsupported" : "invalid", msg);
}

/* ---- anchors ------------------------------------------------------------------------------ */

static rh_status add_exact(rh_ioc_set *s, uint32_t ind, unsigned prop, const char *v, size_t n)
{
    struct rh_strmap_entry *e;
    char *k = rh_arena_take(&s->arena, n + 2, 1);
    rh_status st;
    if (!k) {
        return RH_ERR_NOMEM;
    }
    k[0] = (char)('0' + prop); /* not a letter: unaffected by the map's case folding */
    memcpy(k + 1, v, n);
    k[n + 1] = 0;
    IOC_RESERVE(s->ctx, s->anchors, s->capanch, s->nanch + 1, st);
    if (st != RH_OK) {
        return st;
    }
    st = rh_strmap_put(&s->exact, k, n + 1, &e, NULL);
    if (st != RH_OK) {
        return st;
    }
    s->anchors[s->nanch].ind = ind;
    s->anchors[s->nanch].next = (uint32_t)e->val;
    e->val = ++s->nanch;
    s->stats.exact++;
    return RH_OK;
}

/* The longest run of LIKE pattern bytes without % or _. */
static void like_literal(const char *p, size_t n, size_t *off, size_t *len)
{
    size_t i = 0, best = 0, bo = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '%' && p[j] != '_') {
            j++;
        }
        if (j - i > best) {
            best = j - i;
            bo = i;
        }
        i = j + 1;
    }
    *off = bo;
    *len = best;
}

static rh_status add_literal(rh_ioc_set *s, uint32_t ind, unsigned prop, const char *v, size_t n)
{
    uint8_t *f = rh_arena_take(&s->arena, n ? n : 1, 1);
    size_t i;
    rh_status st;
    if (!f) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        f[i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
    }
    IOC_RESERVE(s->ctx, s->lits, s->caplits, s->nlits + 1, st);
    if (st == RH_OK) {
        IOC_RESERVE(s->ctx, s->lit_prop, s->caplitp, s->nlits + 1, st);
    }
    if (st != RH_OK) {
        return st;
    }
    s->lits[s->nlits].p = f;
    s->lits[s->nlits].n = n;
    s->lits[s->nlits].owner = ind;
    s->lit_prop[s->nlits] = (uint8_t)prop;
    s->nlits++;
    s->stats.literal++;
    return RH_OK;
}

/* Number of anchors node x needs (SIZE_MAX: cannot be anchored). */
static size_t anchor_cost(const struct ioc_node *x)
{
    size_t a, b, ll, lo;
    switch (x->kind) {
    case IOC_N_AND:
        a = anchor_cost(x->a);
        b = anchor_cost(x->b);
        return a < b ? a : b;
    case IOC_N_OR:
        a = anchor_cost(x->a);
        b = anchor_cost(x->b);
        return a == SIZE_MAX || b == SIZE_MAX ? SIZE_MAX : a + b;
    default:
        if (x->neg || x->op == IOC_OP_MATCHES) {
            return SIZE_MAX;
        }
        if (x->op == IOC_OP_LIKE) {
            like_literal(x->vals[0], x->lens[0], &lo, &ll);
            return ll >= IOC_MIN_LITERAL ? 1 : SIZE_MAX;
        }
        return x->nvals;
    }
}

static rh_status add_anchors(rh_ioc_set *s, uint32_t ind, const struct ioc_node *x)
{
    rh_status st = RH_OK;
    size_t i, lo, ll;
    switch (x->kind) {
    case IOC_N_AND:
        return add_anchors(s, ind, anchor_cost(x->a) <= anchor_cost(x->b) ? x->a : x->b);
    case IOC_N_OR:
        st = add_anchors(s, ind, x->a);
        return st == RH_OK ? add_anchors(s, ind, x->b) : st;
    default:
        if (x->op == IOC_OP_LIKE) {
            like_literal(x->vals[0], x->lens[0], &lo, &ll);
            return add_literal(s, ind, x->prop, x->vals[0] + lo, ll);
        }
        for (i = 0; i < x->nvals && st == RH_OK; i++) {
            st = add_exact(s, ind, x->prop, x->vals[i], x->lens[i]);
        }
        return st;
    }
}

/* Compile every MATCHES of x; returns 0 and fills msg when one does not compile. */
static int compile_res(rh_ioc_set *s, struct ioc_node *x, char *msg, size_t msgsz, rh_status *st)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re;
    if (x->kind != IOC_N_CMP) {
        return compile_res(s, x->a, msg, msgsz, st) && compile_res(s, x->b, msg, msgsz, st);
    }
    if (x->op != IOC_OP_MATCHES) {
        return 1;
    }
    re = pcre2_compile((PCRE2_SPTR)x->vals[0], x->lens[0], PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec,
                       &eo, NULL);
    if (!re) {
        PCRE2_UCHAR e[120];
        pcre2_get_error_message(ec, e, sizeof(e));
        snprintf(msg, msgsz, "MATCHES regex at offset %zu: %s", (size_t)eo, (const char *)e);
        return 0;
    }
    IOC_RESERVE(s->ctx, s->res, s->capres, s->nres + 1, *st);
    if (*st != RH_OK) {
        pcre2_code_free(re);
        return 0;
    }
    s->res[s->nres++] = re;
    x->re = re;
    return 1;
}

rh_status ioc_add(rh_ioc_set *s, struct ioc_feed *feed, const struct ioc_ind *in)
{
    struct ioc_ind *d;
    uint32_t ind;
    rh_status st = RH_OK;
    if (s->n + s->nexp >= s->opts.max_indicators) {
        (void)rh_diagf(s->ctx, RH_DIAG_ERROR, "ioc", feed->name, -1,
                       "more than %zu indicators (rh_ioc_opts.max_indicators)",
                       s->opts.max_indicators);
        return RH_ERR_LIMIT;
    }
    if (in->expr) {
        char msg[200];
        if (!compile_res(s, in->expr, msg, sizeof(msg), &st)) {
            if (st != RH_OK) {
                return st;
            }
            ioc_report(s, feed, 0, in->pub.id, "%s", msg);
            return RH_OK;
        }
    }
    if (s->opts.now && in->pub.valid_until && in->pub.valid_until < s->opts.now) {
        IOC_RESERVE(s->ctx, s->expired, s->capexp, s->nexp + 1, st);
        if (st == RH_OK) {
            s->expired[s->nexp++] = *in;
            s->stats.expired++;
        }
        return st;
    }
    if (in->expr && anchor_cost(in->expr) == SIZE_MAX && s->nscan >= s->opts.max_scan) {
        ioc_report(s, feed, 1, in->pub.id,
                   "no exact value or literal to index, and %zu such indicators are loaded "
                   "already (rh_ioc_opts.max_scan)",
                   s->nscan);
        return RH_OK;
    }
    IOC_RESERVE(s->ctx, s->inds, s->cap, s->n + 1, st);
    if (st != RH_OK) {
        return st;
    }
    ind = (uint32_t)s->n;
    d = &s->inds[s->n++];
    *d = *in;
    if (!in->expr) {
        st = add_exact(s, ind, in->prop, in->value, in->vlen);
    } else if (anchor_cost(in->expr) == SIZE_MAX) {
        IOC_RESERVE(s->ctx, s->scan, s->capscan, s->nscan + 1, st);
        if (st == RH_OK) {
            s->scan[s->nscan++] = ind;
            s->stats.scanned++;
        }
    } else {
        st = add_anchors(s, ind, in->expr);
    }
    if (st == RH_OK) {
        s->stats.indicators++;
        feed->count++;
    }
    return st;
}

rh_status ioc_add_pattern(rh_ioc_set *s, struct ioc_feed *feed, const rh_ioc_indicator *pub)
{
    struct ioc_ind in;
    struct ioc_perr err;
    size_t n = strlen(pub->pattern);
    rh_status st;
    memset(&in, 0, sizeof(in));
    in.pub = *pub;
    if (n > s->opts.max_pattern_len) {
        ioc_report(s, feed, 0, pub->id, "pattern of %zu bytes (max_pattern_len %zu)", n,
                   s->opts.max_pattern_len);
        return RH_OK;
    }
    st = ioc_pattern_parse(&s->arena, pub->pattern, n, &in.expr, &err);
    if (st == RH_ERR_FORMAT || st == RH_ERR_UNSUPPORTED) {
        ioc_report(s, feed, st == RH_ERR_UNSUPPORTED, pub->id, "pattern offset %zu: %s", err.off,
                   err.msg);
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    /* A single exact comparison is kept as a plain value (no tree walk when it hits); the
     * pattern stays for display. */
    if (in.expr->kind == IOC_N_CMP && in.expr->op == IOC_OP_EQ && !in.expr->neg) {
        in.prop = in.expr->prop;
        in.value = in.expr->vals[0];
        in.vlen = in.expr->lens[0];
        in.expr = NULL;
    }
    return ioc_add(s, feed, &in);
}

rh_status ioc_add_value(rh_ioc_set *s, struct ioc_feed *feed, const rh_ioc_indicator *pub,
                        unsigned prop, const char *v, size_t n)
{
    struct ioc_ind in;
    memset(&in, 0, sizeof(in));
    in.pub = *pub;
    in.prop = (uint8_t)prop;
    if (prop == IOC_P_REG_KEY) {
        in.value = ioc_regkey_norm(&s->arena, v, n, &in.vlen);
    } else {
        in.value = rh_arena_strndup(&s->arena, v, n);
        in.vlen = n;
    }
    if (!in.value) {
        return RH_ERR_NOMEM;
    }
    return ioc_add(s, feed, &in);
}
