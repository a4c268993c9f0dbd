/*
 * Literal prefilter: for each (rule, binding) pick a set of literals one of which must occur
 * in one field for the rule to match at all, then compile all the sets of a field into one
 * Aho-Corasick DFA over folded bytes. Per event, a field is scanned once (lazily, only when a
 * candidate rule needs it) and only the rules whose literal was seen are evaluated. Rules
 * without a usable literal (only negations, regexes, null, numbers...) are always evaluated.
 */
#include <stdlib.h>

#include "sigma_internal.h"

/* Prefilter DFAs larger than this (states x classes) are dropped: the rules stay correct,
 * they are just evaluated without a prefilter. 16M cells = 64 MiB. */
#define SIGMA_AC_MAX_CELLS (16u << 20)

struct lset {
    uint32_t fid; /* rule-side; UINT32_MAX = none */
    const uint8_t **lits;
    size_t *lens;
    size_t n;
    size_t minlen;
    bool cased_fold_needed;
};

struct pf_ctx {
    rh_ctx *ctx;
    struct sigma_arena *a;
    bool oom;
};

static void lset_free(struct pf_ctx *p, struct lset *s)
{
    rh_free(p->ctx, s->lits);
    rh_free(p->ctx, s->lens);
    s->lits = NULL;
    s->lens = NULL;
    s->n = 0;
    s->fid = UINT32_MAX;
}

static bool lset_add(struct pf_ctx *p, struct lset *s, const uint8_t *lit, size_t len)
{
    const uint8_t **nl = rh_realloc(p->ctx, s->lits, (s->n + 1) * sizeof(*nl));
    size_t *nn;
    if (!nl) {
        p->oom = true;
        return false;
    }
    s->lits = nl;
    nn = rh_realloc(p->ctx, s->lens, (s->n + 1) * sizeof(*nn));
    if (!nn) {
        p->oom = true;
        return false;
    }
    s->lens = nn;
    s->lits[s->n] = lit;
    s->lens[s->n] = len;
    if (s->n == 0 || len < s->minlen) {
        s->minlen = len;
    }
    s->n++;
    return true;
}

/* The longest literal run of a value, folded. false if the value offers none. */
static bool value_literal(struct pf_ctx *p, const struct sig_value *v, const uint8_t **lit,
                          size_t *len)
{
    const uint8_t *best = NULL;
    size_t bl = 0;
    if (v->mod != &sigma_mod_string || v->has_num || v->is_null) {
        return false;
    }
    if (v->pkind == PK_GLOB) {
        size_t i = 0;
        while (i < v->patlen) {
            size_t j = i;
            while (j < v->patlen && v->wild[j] == W_LIT) {
                j++;
            }
            if (j - i > bl) {
                best = v->pat + i;
                bl = j - i;
            }
            i = j + 1;
        }
    } else if (v->pkind != PK_ANY) {
        best = v->lit;
        bl = v->litlen;
    }
    if (!best || bl == 0) {
        return false;
    }
    if (v->cased) {
        rh_buf fb = RH_BUF_INIT(p->ctx);
        uint8_t *c;
        if (sigma_fold(&fb, best, bl) != RH_OK) {
            rh_buf_free(&fb);
            p->oom = true;
            return false;
        }
        c = sigma_arena_alloc(p->a, fb.len + 1);
        if (!c) {
            rh_buf_free(&fb);
            p->oom = true;
            return false;
        }
        memcpy(c, fb.data, fb.len);
        bl = fb.len;
        best = c;
        rh_buf_free(&fb);
    }
    *lit = best;
    *len = bl;
    return true;
}

static bool item_set(struct pf_ctx *p, const struct sig_item *it, struct lset *out)
{
    size_t i;
    out->fid = UINT32_MAX;
    out->n = 0;
    if (it->flags & (SIG_I_NEQ | SIG_I_KEYWORD)) {
        return false;
    }
    if (it->flags & SIG_I_ALL) {
        /* Every value must match: the longest single literal is enough. */
        const uint8_t *bl = NULL;
        size_t bn = 0;
        for (i = 0; i < it->nvals; i++) {
            const uint8_t *l;
            size_t n;
            if (value_literal(p, &it->vals[i], &l, &n) && n > bn) {
                bl = l;
                bn = n;
            }
        }
        if (!bl) {
            return false;
        }
        out->fid = it->fid;
        return lset_add(p, out, bl, bn);
    }
    for (i = 0; i < it->nvals; i++) {
        const uint8_t *l;
        size_t n;
        if (!value_literal(p, &it->vals[i], &l, &n)) {
            lset_free(p, out);
            return false;
        }
        if (!lset_add(p, out, l, n)) {
            lset_free(p, out);
            return false;
        }
    }
    out->fid = it->fid;
    return true;
}

static bool better(const struct lset *a, const struct lset *b)
{
    if (b->fid == UINT32_MAX) {
        return a->fid != UINT32_MAX;
    }
    if (a->fid == UINT32_MAX) {
        return false;
    }
    if (a->minlen != b->minlen) {
        return a->minlen > b->minlen;
    }
    return a->n < b->n;
}

static void take(struct pf_ctx *p, struct lset *best, struct lset *cand)
{
    if (better(cand, best)) {
        lset_free(p, best);
        *best = *cand;
        cand->lits = NULL;
        cand->lens = NULL;
    }
    lset_free(p, cand);
}

static bool merge(struct pf_ctx *p, struct lset *acc, struct lset *add)
{
    size_t i;
    if (acc->fid == UINT32_MAX) {
        *acc = *add;
        add->lits = NULL;
        add->lens = NULL;
        add->n = 0;
        return true;
    }
    if (add->fid != acc->fid) {
        lset_free(p, add);
        return false;
    }
    for (i = 0; i < add->n; i++) {
        if (!lset_add(p, acc, add->lits[i], add->lens[i])) {
            lset_free(p, add);
            return false;
        }
    }
    lset_free(p, add);
    return true;
}

static void search_set(struct pf_ctx *p, const struct sig_search *s, struct lset *out)
{
    size_t i, j;
    struct lset acc = {UINT32_MAX, NULL, NULL, 0, 0, false};
    for (i = 0; i < s->nmaps; i++) {
        struct lset best = {UINT32_MAX, NULL, NULL, 0, 0, false};
        for (j = 0; j < s->maps[i].n; j++) {
            struct lset c = {UINT32_MAX, NULL, NULL, 0, 0, false};
            if (item_set(p, &s->maps[i].items[j], &c)) {
                take(p, &best, &c);
            } else {
                lset_free(p, &c);
            }
        }
        if (best.fid == UINT32_MAX || !merge(p, &acc, &best)) {
            lset_free(p, &best);
            lset_free(p, &acc);
            return;
        }
    }
    *out = acc;
}

static void cond_set(struct pf_ctx *p, const struct sig_rule *r, const struct cnode *c,
                     struct lset *out)
{
    size_t i;
    out->fid = UINT32_MAX;
    out->n = 0;
    switch (c->op) {
    case C_ID:
        search_set(p, &r->searches[c->id], out);
        return;
    case C_AND: {
        struct lset best = {UINT32_MAX, NULL, NULL, 0, 0, false};
        for (i = 0; i < c->n; i++) {
            struct lset k = {UINT32_MAX, NULL, NULL, 0, 0, false};
            cond_set(p, r, c->kids[i], &k);
            take(p, &best, &k);
        }
        *out = best;
        return;
    }
    case C_OR:
    case C_ATLEAST: {
        struct lset acc = {UINT32_MAX, NULL, NULL, 0, 0, false};
        for (i = 0; i < c->n; i++) {
            struct lset k = {UINT32_MAX, NULL, NULL, 0, 0, false};
            cond_set(p, r, c->kids[i], &k);
            if (k.fid == UINT32_MAX || !merge(p, &acc, &k)) {
                lset_free(p, &k);
                lset_free(p, &acc);
                return;
            }
        }
        *out = acc;
        return;
    }
    default:
        return;
    }
}

/* ---- Aho-Corasick ---------------------------------------------------------------------------- */

struct ac_lit {
    const uint8_t *p;
    size_t n;
    uint32_t owner; /* pf_index */
};

static rh_status ac_build(rh_ruleset *rs, struct sig_ac *ac, struct ac_lit *lits, size_t nlits)
{
    rh_ctx *ctx = rs->ctx;
    size_t total = 1, i, j;
    uint32_t *delta = NULL, *fail = NULL, *queue = NULL, *own_cnt = NULL, *outlink = NULL;
    uint32_t nstates = 1, ncls = 1, qh = 0, qt = 0;
    uint32_t *term = NULL;
    size_t cells;
    rh_status st = RH_ERR_NOMEM;
    memset(ac->cls, 0, sizeof(ac->cls));
    for (i = 0; i < nlits; i++) {
        total += lits[i].n;
        for (j = 0; j < lits[i].n; j++) {
            if (!ac->cls[lits[i].p[j]]) {
                ac->cls[lits[i].p[j]] = (uint8_t)ncls++;
                if (ncls > 255) {
                    /* more than 254 distinct bytes: fold the rest into class 0 is wrong, so
                     * give up on this automaton (very unusual). */
                    return RH_ERR_LIMIT;
                }
            }
        }
    }
    if (!rh_mul_sz(total, ncls, &cells) || cells > SIGMA_AC_MAX_CELLS) {
        return RH_ERR_LIMIT;
    }
    delta = rh_calloc(ctx, cells, sizeof(uint32_t));
    term = rh_calloc(ctx, total, sizeof(uint32_t));
    fail = rh_calloc(ctx, total, sizeof(uint32_t));
    queue = rh_calloc(ctx, total, sizeof(uint32_t));
    own_cnt = rh_calloc(ctx, total + 1, sizeof(uint32_t));
    outlink = rh_calloc(ctx, total, sizeof(uint32_t));
    if (!delta || !term || !fail || !queue || !own_cnt || !outlink) {
        goto out;
    }
    /* Trie (0 = no edge; the root is state 0 and never a child). */
    for (i = 0; i < nlits; i++) {
        uint32_t s = 0;
        for (j = 0; j < lits[i].n; j++) {
            uint32_t c = ac->cls[lits[i].p[j]];
            uint32_t *d = &delta[(size_t)s * ncls + c];
            if (!*d) {
                *d = nstates++;
            }
            s = *d;
        }
        term[i] = s;
        own_cnt[s]++;
    }
    /* BFS: failure links and full DFA transitions. */
    for (i = 0; i < ncls; i++) {
        uint32_t t = delta[i];
        if (t) {
            fail[t] = 0;
            queue[qt++] = t;
        }
    }
    while (qh < qt) {
        uint32_t s = queue[qh++];
        uint32_t f = fail[s];
        outlink[s] = own_cnt[f] ? f : outlink[f];
        for (i = 0; i < ncls; i++) {
            uint32_t *d = &delta[(size_t)s * ncls + i];
            if (*d) {
                fail[*d] = delta[(size_t)f * ncls + i];
                queue[qt++] = *d;
            } else {
                *d = delta[(size_t)f * ncls + i];
            }
        }
    }
    /* Outputs: own plus everything along the output links (flattened). */
    ac->out_off = sigma_arena_array(&rs->arena, (size_t)nstates + 1, sizeof(uint32_t));
    if (!ac->out_off) {
        goto out;
    }
    {
        size_t tot = 0;
        uint32_t s;
        for (s = 0; s < nstates; s++) {
            uint32_t t = s;
            ac->out_off[s] = (uint32_t)tot;
            while (t) {
                tot += own_cnt[t];
                t = outlink[t];
            }
            if (tot > (1u << 26)) {
                st = RH_ERR_LIMIT;
                goto out;
            }
        }
        ac->out_off[nstates] = (uint32_t)tot;
        ac->outs = sigma_arena_array(&rs->arena, tot ? tot : 1, sizeof(uint32_t));
        if (!ac->outs) {
            goto out;
        }
        /* own outputs by state: bucket literals */
        {
            uint32_t *own_off = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
            uint32_t *own = rh_calloc(ctx, nlits ? nlits : 1, sizeof(uint32_t));
            uint32_t *fillc = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
            if (!own_off || !own || !fillc) {
                rh_free(ctx, own_off);
                rh_free(ctx, own);
                rh_free(ctx, fillc);
                goto out;
            }
            for (s = 0; s < nstates; s++) {
                own_off[s + 1] = own_off[s] + own_cnt[s];
            }
            for (i = 0; i < nlits; i++) {
                own[own_off[term[i]] + fillc[term[i]]++] = lits[i].owner;
            }
            for (s = 0; s < nstates; s++) {
                uint32_t t = s, k = ac->out_off[s];
                while (t) {
                    uint32_t q;
                    for (q = own_off[t]; q < own_off[t + 1]; q++) {
                        ac->outs[k++] = own[q];
                    }
                    t = outlink[t];
                }
            }
            rh_free(ctx, own_off);
            rh_free(ctx, own);
            rh_free(ctx, fillc);
        }
    }
    ac->delta = sigma_arena_array(&rs->arena, (size_t)nstates * ncls, sizeof(uint32_t));
    if (!ac->delta) {
        goto out;
    }
    memcpy(ac->delta, delta, (size_t)nstates * ncls * sizeof(uint32_t));
    ac->nstates = nstates;
    ac->ncls = ncls;
    st = RH_OK;
out:
    rh_free(ctx, delta);
    rh_free(ctx, term);
    rh_free(ctx, fail);
    rh_free(ctx, queue);
    rh_free(ctx, own_cnt);
    rh_free(ctx, outlink);
    return st;
}

rh_status sigma_prefilter_build(rh_ruleset *rs)
{
    struct pf_ctx p = {rs->ctx, &rs->arena, false};
    size_t i, nfids = rs->fields.n;
    size_t *per_fid = NULL;
    rh_status st = RH_OK;
    struct lset *sets = rh_calloc(rs->ctx, rs->nentries + 1, sizeof(*sets));
    rs->ac_of_fid = sigma_arena_array(&rs->arena, nfids + 1, sizeof(uint32_t));
    per_fid = rh_calloc(rs->ctx, nfids + 1, sizeof(size_t));
    if (!sets || !rs->ac_of_fid || !per_fid) {
        rh_free(rs->ctx, sets);
        rh_free(rs->ctx, per_fid);
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < rs->nentries; i++) {
        struct sig_entry *e = &rs->entries[i];
        sets[i].fid = UINT32_MAX;
        cond_set(&p, e->rule, e->rule->cond, &sets[i]);
        if (p.oom) {
            st = RH_ERR_NOMEM;
            break;
        }
        if (sets[i].fid != UINT32_MAX) {
            uint32_t efid = e->b->fmap ? e->b->fmap[sets[i].fid] : sets[i].fid;
            e->pf.fid = efid;
            e->pf_index = rs->npf++;
            per_fid[efid] += sets[i].n;
        }
    }
    if (st == RH_OK) {
        size_t f;
        for (f = 0; f < nfids; f++) {
            if (per_fid[f]) {
                rs->nacs++;
            }
        }
        rs->acs = sigma_arena_array(&rs->arena, rs->nacs ? rs->nacs : 1, sizeof(struct sig_ac));
        if (!rs->acs) {
            st = RH_ERR_NOMEM;
        }
        rs->nacs = 0;
        for (f = 0; f < nfids && st == RH_OK; f++) {
            struct ac_lit *lits;
            size_t nl = 0;
            rh_status bs;
            if (!per_fid[f]) {
                continue;
            }
            lits = rh_calloc(rs->ctx, per_fid[f], sizeof(*lits));
            if (!lits) {
                st = RH_ERR_NOMEM;
                break;
            }
            for (i = 0; i < rs->nentries; i++) {
                struct sig_entry *e = &rs->entries[i];
                size_t k;
                if (e->pf.fid != f) {
                    continue;
                }
                for (k = 0; k < sets[i].n; k++) {
                    lits[nl].p = sets[i].lits[k];
                    lits[nl].n = sets[i].lens[k];
                    lits[nl].owner = e->pf_index;
                    nl++;
                }
            }
            rs->acs[rs->nacs].fid = (uint32_t)f;
            bs = ac_build(rs, &rs->acs[rs->nacs], lits, nl);
            rh_free(rs->ctx, lits);
            if (bs == RH_OK) {
                rs->ac_of_fid[f] = (uint32_t)(++rs->nacs);
            } else if (bs == RH_ERR_LIMIT) {
                /* Too big: these entries run without a prefilter. */
                for (i = 0; i < rs->nentries; i++) {
                    if (rs->entries[i].pf.fid == f) {
                        rs->entries[i].pf.fid = UINT32_MAX;
                    }
                }
            } else {
                st = bs;
            }
        }
    }
    for (i = 0; i < rs->nentries; i++) {
        lset_free(&p, &sets[i]);
    }
    rh_free(rs->ctx, sets);
    rh_free(rs->ctx, per_fid);
    return st;
}
