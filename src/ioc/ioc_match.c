/*
 * Matching: the observations of a finding become derived (property, value) pairs (file names
 * of paths, tokens of free text, hashes of a Sysmon Hashes field, parent domains, registry key
 * aliases); each pair is looked up in the hash set and scanned by its property's automaton;
 * the indicators found there plus the scan list are evaluated over all pairs.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ioc_internal.h"

rh_status rh_ioc_finish(rh_ioc_set *s)
{
    unsigned p;
    rh_status st = RH_OK;
    if (!s || s->finished) {
        return RH_ERR_ARG;
    }
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->mctx) {
        return RH_ERR_NOMEM;
    }
    pcre2_set_match_limit(s->mctx, IOC_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, IOC_RE_DEPTH_LIMIT);
    for (p = 0; p < IOC_P_COUNT && st == RH_OK; p++) {
        struct rh_ac_lit *l;
        size_t i, k = 0;
        for (i = 0; i < s->nlits; i++) {
            k += s->lit_prop[i] == p;
        }
        if (!k) {
            continue;
        }
        l = rh_calloc(s->ctx, k, sizeof(*l));
        if (!l) {
            return RH_ERR_NOMEM;
        }
        for (i = 0, k = 0; i < s->nlits; i++) {
            if (s->lit_prop[i] == p) {
                l[k++] = s->lits[i];
            }
        }
        st = rh_ac_build(s->ctx, &s->arena, &s->ac[p], l, k);
        rh_free(s->ctx, l);
        if (st == RH_ERR_LIMIT) {
            (void)rh_diagf(s->ctx, RH_DIAG_ERROR, "ioc", NULL, -1,
                           "LIKE literals of %s exceed the automaton's limits", ioc_prop_path(p));
        }
        s->has_ac[p] = st == RH_OK;
    }
    s->finished = st == RH_OK;
    return st;
}

const rh_ioc_stats *rh_ioc_get_stats(const rh_ioc_set *s)
{
    return &s->stats;
}

size_t rh_ioc_expired_count(const rh_ioc_set *s)
{
    return s ? s->nexp : 0;
}

const rh_ioc_indicator *rh_ioc_expired_at(const rh_ioc_set *s, size_t i)
{
    return s && i < s->nexp ? &s->expired[i].pub : NULL;
}

size_t rh_ioc_feed_count(const rh_ioc_set *s)
{
    return s ? s->nfeeds : 0;
}

int rh_ioc_feed_at(const rh_ioc_set *s, size_t i, const char **name, const char **format,
                   size_t *indicators)
{
    if (!s || i >= s->nfeeds) {
        return 0;
    }
    *name = s->feeds[i].name;
    *format = s->feeds[i].format;
    *indicators = s->feeds[i].count;
    return 1;
}

/* ---- the matcher ------------------------------------------------------------------------- */

struct dobs {
    uint8_t prop;
    uint32_t src; /* observation index */
    const char *s;
    size_t n;
};

struct rh_ioc_matcher {
    const rh_ioc_set *set;
    rh_ctx *ctx;
    uint32_t *stamp; /* per indicator: generation it was queued in */
    uint32_t gen;
    uint32_t *cand;
    size_t ncand, capcand;
    struct dobs *d;
    size_t nd, capd;
    rh_ioc_hit *hits;
    size_t nhits, caphits;
    struct rh_arena scratch;
    void *md; /* pcre2_match_data * */
};

rh_status rh_ioc_matcher_create(const rh_ioc_set *set, rh_ioc_matcher **out)
{
    rh_ioc_matcher *m;
    *out = NULL;
    if (!set || !set->finished) {
        return RH_ERR_ARG;
    }
    m = rh_calloc(set->ctx, 1, sizeof(*m));
    if (!m) {
        return RH_ERR_NOMEM;
    }
    m->set = set;
    m->ctx = set->ctx;
    m->stamp = rh_calloc(set->ctx, set->n ? set->n : 1, sizeof(uint32_t));
    m->md = pcre2_match_data_create(1, NULL);
    rh_arena_init(&m->scratch, set->ctx, 65536, 0);
    if (!m->stamp || !m->md) {
        rh_ioc_matcher_destroy(m);
        return RH_ERR_NOMEM;
    }
    *out = m;
    return RH_OK;
}

void rh_ioc_matcher_destroy(rh_ioc_matcher *m)
{
    if (!m) {
        return;
    }
    pcre2_match_data_free(m->md);
    rh_free(m->ctx, m->stamp);
    rh_free(m->ctx, m->cand);
    rh_free(m->ctx, m->d);
    rh_free(m->ctx, m->hits);
    rh_arena_free(&m->scratch);
    rh_free(m->ctx, m);
}

static rh_status derive(rh_ioc_matcher *m, unsigned prop, uint32_t src, const char *s, size_t n)
{
    rh_status st = RH_OK;
    struct dobs d;
    if (!n || m->nd >= IOC_MAX_DERIVED) {
        return RH_OK;
    }
    d.prop = (uint8_t)prop;
    d.src = src;
    d.s = s;
    d.n = n;
    IOC_RESERVE(m->ctx, m->d, m->capd, m->nd + 1, st);
    if (st == RH_OK) {
        m->d[m->nd++] = d;
    }
    return st;
}

static int is_hex(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

static rh_status derive_hash(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    if (!is_hex(s, n)) {
        return RH_OK;
    }
    return derive(m,
                  n == 32   ? IOC_P_MD5
                  : n == 40 ? IOC_P_SHA1
                  : n == 64 ? IOC_P_SHA256
                            : 0xff,
                  src, s, n == 32 || n == 40 || n == 64 ? n : 0);
}

/* A DNS name and its parents down to two labels (a.b.evil.com -> b.evil.com, evil.com). */
static rh_status derive_domain(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    rh_status st = derive(m, IOC_P_DOMAIN, src, s, n);
    size_t i, dots = 0, k;
    for (i = 0; i < n; i++) {
        dots += s[i] == '.';
    }
    for (k = 0, i = 0; st == RH_OK && dots >= 2 && i < n && k < 8; i++) {
        if (s[i] == '.') {
            st = derive(m, IOC_P_DOMAIN, src, s + i + 1, n - i - 1);
            dots--;
            k++;
        }
    }
    return st;
}

static rh_status derive_ip(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    return derive(m, memchr(s, ':', n) ? IOC_P_IPV6 : IOC_P_IPV4, src, s, n);
}

/* A path: whole, and its file name. */
static rh_status derive_path(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    size_t i = n;
    rh_status st;
    while (n && (s[0] == '"' || s[0] == '\'')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == '"' || s[n - 1] == '\'')) {
        n--;
    }
    st = derive(m, IOC_P_FILE_PATH, src, s, n);
    for (i = n; i > 0 && s[i - 1] != '\\' && s[i - 1] != '/'; i--) {
    }
    return st == RH_OK ? derive(m, IOC_P_FILE_NAME, src, s + i, n - i) : st;
}

static rh_status derive_url(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    rh_status st = derive(m, IOC_P_URL, src, s, n);
    const char *h = memchr(s, ':', n);
    size_t i, hl;
    if (st != RH_OK || !h || (size_t)(h - s) + 3 > n || h[1] != '/' || h[2] != '/') {
        return st;
    }
    h += 3;
    hl = n - (size_t)(h - s);
    for (i = 0; i < hl && h[i] != '/' && h[i] != ':' && h[i] != '?' && h[i] != '#'; i++) {
    }
    if (i && h[i - 1] >= '0' && h[i - 1] <= '9' && !memchr(h, ':', i)) {
        return derive_ip(m, src, h, i);
    }
    return derive_domain(m, src, h, i);
}

static int tok_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || c == ',' ||
           c == ';' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' || c == '=' ||
           c == '`' || c == '^' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Free text: every token as a URL, path, hash, IP or name. */
static rh_status derive_text(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    size_t i = 0, ntok = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK && ntok < IOC_MAX_TOKENS) {
        size_t j, l, dots = 0, digits = 0, k;
        const char *t;
        while (i < n && tok_sep(s[i])) {
            i++;
        }
        j = i;
        while (j < n && !tok_sep(s[j])) {
            j++;
        }
        t = s + i;
        l = j - i;
        i = j;
        if (!l) {
            continue;
        }
        ntok++;
        for (k = 0; k < l; k++) {
            dots += t[k] == '.';
            digits += t[k] >= '0' && t[k] <= '9';
        }
        if (l > 3 && memchr(t, ':', l) && l > (size_t)((const char *)memchr(t, ':', l) - t) + 2 &&
            ((const char *)memchr(t, ':', l))[1] == '/' &&
            ((const char *)memchr(t, ':', l))[2] == '/') {
            st = derive_url(m, src, t, l);
        } else if (memchr(t, '\\', l) || memchr(t, '/', l)) {
            st = derive_path(m, src, t, l);
        } else if (l == 32 || l == 40 || l == 64) {
            st = derive_hash(m, src, t, l);
        } else if (dots == 3 && digits + dots == l) {
            st = derive(m, IOC_P_IPV4, src, t, l);
        } else if (dots && memchr(t, ':', l) == NULL) {
            st = derive_domain(m, src, t, l);
            st = st == RH_OK ? derive(m, IOC_P_FILE_NAME, src, t, l) : st;
        } else if (memchr(t, ':', l)) {
            size_t colons = 0, other = 0;
            for (k = 0; k < l; k++) {
                colons += t[k] == ':';
                other += t[k] != ':' && t[k] != '.' && !is_hex(t + k, 1);
            }
            if (colons >= 2 && !other) {
                st = derive(m, IOC_P_IPV6, src, t, l);
            }
        }
    }
    return st;
}

/* Sysmon Hashes: "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." or one bare hash. */
static rh_status derive_hashes(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK) {
        size_t j = i, eq;
        while (j < n && s[j] != ',') {
            j++;
        }
        for (eq = i; eq < j && s[eq] != '='; eq++) {
        }
        if (eq < j) {
            if (!rh_ascii_eq(s + i, eq - i, "IMPHASH")) {
                st = derive_hash(m, src, s + eq + 1, j - eq - 1);
            }
        } else {
            st = derive_hash(m, src, s + i, j - i);
        }
        i = j + 1;
    }
    return st;
}

static rh_status derive_key(rh_ioc_matcher *m, uint32_t src, const char *s, size_t n)
{
    rh_buf b = RH_BUF_INIT(m->ctx), a1 = RH_BUF_INIT(m->ctx), a2 = RH_BUF_INIT(m->ctx);
    rh_status st = rh_regpath_normalize(s, n, &b);
    const char *k;
    st = st == RH_OK ? rh_regpath_aliases(b.data ? b.data : "", b.len, &a1, &a2) : st;
    if (st == RH_OK) {
        k = rh_arena_strndup(&m->scratch, b.data, b.len);
        st = k ? derive(m, IOC_P_REG_KEY, src, k, b.len) : RH_ERR_NOMEM;
    }
    if (st == RH_OK && a1.len) {
        k = rh_arena_strndup(&m->scratch, a1.data, a1.len);
        st = k ? derive(m, IOC_P_REG_KEY, src, k, a1.len) : RH_ERR_NOMEM;
    }
    if (st == RH_OK && a2.len) {
        k = rh_arena_strndup(&m->scratch, a2.data, a2.len);
        st = k ? derive(m, IOC_P_REG_KEY, src, k, a2.len) : RH_ERR_NOMEM;
    }
    rh_buf_free(&b);
    rh_buf_free(&a1);
    rh_buf_free(&a2);
    return st;
}

static rh_status derive_obs(rh_ioc_matcher *m, uint32_t src, const rh_ioc_obs *o)
{
    size_t n = o->n > IOC_MAX_OBS_BYTES ? IOC_MAX_OBS_BYTES : o->n;
    rh_status st;
    if (!o->s) {
        return RH_OK;
    }
    switch (o->field) {
    case RH_IOC_OBS_REG_KEY:
        return derive_key(m, src, o->s, n);
    case RH_IOC_OBS_VALUE_NAME:
        return derive(m, IOC_P_REG_VNAME, src, o->s, n);
    case RH_IOC_OBS_VALUE_DATA:
        st = derive(m, IOC_P_REG_VDATA, src, o->s, n);
        return st == RH_OK ? derive_text(m, src, o->s, n) : st;
    case RH_IOC_OBS_PATH:
        return derive_path(m, src, o->s, n);
    case RH_IOC_OBS_COMMAND_LINE:
        return derive_text(m, src, o->s, n);
    case RH_IOC_OBS_HASHES:
        return derive_hashes(m, src, o->s, n);
    case RH_IOC_OBS_IP:
        return derive_ip(m, src, o->s, n);
    case RH_IOC_OBS_HOSTNAME:
        return derive_domain(m, src, o->s, n);
    case RH_IOC_OBS_URL:
        return derive_url(m, src, o->s, n);
    default:
        return RH_OK;
    }
}

static rh_status queue(rh_ioc_matcher *m, uint32_t ind)
{
    rh_status st = RH_OK;
    if (m->stamp[ind] == m->gen) {
        return RH_OK;
    }
    m->stamp[ind] = m->gen;
    IOC_RESERVE(m->ctx, m->cand, m->capcand, m->ncand + 1, st);
    if (st == RH_OK) {
        m->cand[m->ncand++] = ind;
    }
    return st;
}

static int eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
    return rh_ascii_casecmp(a, an, b, bn) == 0;
}

/* Does comparison x hold for derived pair d? */
static int cmp_one(const rh_ioc_matcher *m, const struct ioc_node *x, const struct dobs *d)
{
    uint32_t i;
    int r = 0;
    switch (x->op) {
    case IOC_OP_EQ:
    case IOC_OP_IN:
        for (i = 0; i < x->nvals && !r; i++) {
            r = eq_ci(x->vals[i], x->lens[i], d->s, d->n);
        }
        break;
    case IOC_OP_LIKE:
        r = ioc_like(x->vals[0], x->lens[0], d->s, d->n);
        break;
    case IOC_OP_MATCHES:
        r = x->re && pcre2_match(x->re, (PCRE2_SPTR)d->s, d->n, 0, 0, m->md, m->set->mctx) >= 0;
        break;
    default:
        break;
    }
    return r != x->neg;
}

/* Evaluate x over every pair; *first: the first pair that satisfied a comparison. */
static int eval(const rh_ioc_matcher *m, const struct ioc_node *x, size_t *first)
{
    size_t i;
    switch (x->kind) {
    case IOC_N_AND:
        return eval(m, x->a, first) && eval(m, x->b, first);
    case IOC_N_OR:
        return eval(m, x->a, first) || eval(m, x->b, first);
    default:
        for (i = 0; i < m->nd; i++) {
            if (m->d[i].prop == x->prop && cmp_one(m, x, &m->d[i])) {
                if (*first == SIZE_MAX) {
                    *first = i;
                }
                return 1;
            }
        }
        return 0;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

rh_status rh_ioc_match(rh_ioc_matcher *m, const rh_ioc_obs *obs, size_t nobs,
                       const rh_ioc_hit **hits, size_t *nhits)
{
    const rh_ioc_set *s = m->set;
    rh_status st = RH_OK;
    size_t i;
    uint8_t buf[512];
    *hits = NULL;
    *nhits = 0;
    m->nd = m->ncand = m->nhits = 0;
    rh_arena_reset(&m->scratch);
    if (++m->gen == 0) {
        memset(m->stamp, 0, (s->n ? s->n : 1) * sizeof(uint32_t));
        m->gen = 1;
    }
    for (i = 0; i < nobs && st == RH_OK; i++) {
        st = derive_obs(m, (uint32_t)i, &obs[i]);
    }
    /* anchors */
    for (i = 0; i < m->nd && st == RH_OK; i++) {
        const struct dobs *d = &m->d[i];
        char *k = (d->n + 1 <= sizeof(buf)) ? (char *)buf : rh_arena_take(&m->scratch, d->n + 1, 1);
        struct rh_strmap_entry *e;
        if (!k) {
            return RH_ERR_NOMEM;
        }
        k[0] = (char)('0' + d->prop);
        memcpy(k + 1, d->s, d->n);
        e = rh_strmap_find(&s->exact, k, d->n + 1);
        if (e) {
            size_t a = e->val;
            while (a && st == RH_OK) {
                st = queue(m, s->anchors[a - 1].ind);
                a = s->anchors[a - 1].next;
            }
        }
        if (s->has_ac[d->prop]) {
            const struct rh_ac *ac = &s->ac[d->prop];
            uint32_t q = 0;
            size_t j;
            for (j = 0; j < d->n && st == RH_OK; j++) {
                unsigned char c = (unsigned char)d->s[j];
                uint32_t o, t;
                c = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
                if (ac->drow) {
                    /* pure DFA: premultiplied targets, bit 31 = outputs (common/ac.h) */
                    q = ac->drow[(q & 0x7fffffffu) + ac->cls[c]];
                    if (!(q & 0x80000000u)) {
                        continue;
                    }
                    t = (q & 0x7fffffffu) / ac->ncls;
                } else {
                    q = rh_ac_step(ac, q, ac->cls[c]);
                    t = q;
                }
                for (o = ac->out_off[t]; o < ac->out_off[t + 1] && st == RH_OK; o++) {
                    st = queue(m, ac->outs[o]);
                }
            }
        }
    }
    for (i = 0; i < s->nscan && st == RH_OK; i++) {
        st = queue(m, s->scan[i]);
    }
    if (st != RH_OK) {
        return st;
    }
    if (m->ncand > 1) {
        rh_sort(m->cand, m->ncand, sizeof(*m->cand), cmp_u32);
    }
    for (i = 0; i < m->ncand && st == RH_OK; i++) {
        const struct ioc_ind *ind = &s->inds[m->cand[i]];
        size_t first = SIZE_MAX, j;
        int ok = 0;
        const char *prop = NULL;
        if (ind->expr) {
            ok = eval(m, ind->expr, &first);
        } else {
            for (j = 0; j < m->nd && !ok; j++) {
                if (m->d[j].prop == ind->prop &&
                    eq_ci(ind->value, ind->vlen, m->d[j].s, m->d[j].n)) {
                    ok = 1;
                    first = j;
                }
            }
        }
        if (!ok) {
            continue;
        }
        if (first != SIZE_MAX) {
            prop = ioc_prop_path(m->d[first].prop);
        }
        IOC_RESERVE(m->ctx, m->hits, m->caphits, m->nhits + 1, st);
        if (st == RH_OK) {
            rh_ioc_hit *h = &m->hits[m->nhits++];
            h->ind = &ind->pub;
            h->obs = first == SIZE_MAX ? 0 : m->d[first].src;
            h->where = nobs ? obs[h->obs].where : NULL;
            h->prop = prop ? prop : "";
        }
    }
    *hits = m->hits;
    *nhits = m->nhits;
    return st;
}
