/*
 * Literal prefilter: for each (rule, binding) pick a set of (field, literal) pairs one of which
 * must occur for the rule to match at all (a few fields at most: `Image|endswith: x` or
 * `OriginalFileName: y` is one set over two fields), then compile all the literals of a field
 * into one Aho-Corasick automaton over folded bytes. Per event, a field is scanned once
 * (lazily, only when a candidate rule needs it) and only the rules whose literal was seen are
 * evaluated. Rules without a usable literal (only negations, regexes, null, numbers...) are
 * always evaluated.
 */
#include <stdlib.h>

#include "sigma_internal.h"

/* An automaton whose full DFA has at most this many cells (states x byte classes) is a pure
 * DFA (4 MiB); a larger one keeps full rows for its first SIGMA_AC_PARTIAL_CELLS cells of
 * breadth-first states and sparse trie edges + failure links below them. */
#define SIGMA_AC_DENSE_CELLS   (1u << 20)
#define SIGMA_AC_PARTIAL_CELLS (1u << 18)

struct lset {
    bool ok;        /* a usable set */
    uint32_t *fids; /* rule-side field of each literal */
    const uint8_t **lits;
    size_t *lens;
    size_t n;
    size_t minlen;
    uint32_t f[SIG_PF_MAXF]; /* distinct fields */
    uint32_t nf;
};

#define LSET_NONE                                                                                  \
    {                                                                                              \
        false, NULL, NULL, NULL, 0, 0, {0}, 0                                                      \
    }

struct pf_ctx {
    rh_ctx *ctx;
    struct rh_arena *a;
    bool oom;
};

static void lset_free(struct pf_ctx *p, struct lset *s)
{
    rh_free(p->ctx, s->fids);
    rh_free(p->ctx, s->lits);
    rh_free(p->ctx, s->lens);
    s->fids = NULL;
    s->lits = NULL;
    s->lens = NULL;
    s->n = 0;
    s->nf = 0;
    s->ok = false;
}

static bool lset_add(struct pf_ctx *p, struct lset *s, uint32_t fid, const uint8_t *lit, size_t len)
{
    uint32_t *nfid;
    const uint8_t **nl;
    size_t *nn, k;
    for (k = 0; k < s->nf && s->f[k] != fid; k++) {
    }
    if (k == s->nf) {
        if (s->nf == SIG_PF_MAXF) {
            return false; /* too many fields: no prefilter */
        }
        s->f[s->nf++] = fid;
    }
    nfid = rh_realloc(p->ctx, s->fids, (s->n + 1) * sizeof(*nfid));
    if (!nfid) {
        p->oom = true;
        return false;
    }
    s->fids = nfid;
    nl = rh_realloc(p->ctx, s->lits, (s->n + 1) * sizeof(*nl));
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
    s->fids[s->n] = fid;
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
        c = rh_arena_zalloc(p->a, fb.len + 1);
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
    uint32_t fid = (it->flags & SIG_I_KEYWORD) ? SIG_PF_ANYFIELD : it->fid;
    *out = (struct lset)LSET_NONE;
    if (it->flags & SIG_I_NEQ) {
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
        out->ok = lset_add(p, out, fid, bl, bn);
        return out->ok;
    }
    for (i = 0; i < it->nvals; i++) {
        const uint8_t *l;
        size_t n;
        if (!value_literal(p, &it->vals[i], &l, &n) || !lset_add(p, out, fid, l, n)) {
            lset_free(p, out);
            return false;
        }
    }
    /* No values: the item never matches, and an empty set says so. */
    out->ok = true;
    return true;
}

static bool better(const struct lset *a, const struct lset *b)
{
    if (!b->ok) {
        return a->ok;
    }
    if (!a->ok) {
        return false;
    }
    if (a->minlen != b->minlen) {
        return a->minlen > b->minlen;
    }
    if (a->nf != b->nf) {
        return a->nf < b->nf;
    }
    return a->n < b->n;
}

static void take(struct pf_ctx *p, struct lset *best, struct lset *cand)
{
    if (better(cand, best)) {
        lset_free(p, best);
        *best = *cand;
        *cand = (struct lset)LSET_NONE;
    }
    lset_free(p, cand);
}

/* acc |= add (either one must hold). add is consumed. false: acc is no longer usable. */
static bool merge(struct pf_ctx *p, struct lset *acc, struct lset *add)
{
    size_t i;
    if (!acc->ok) {
        *acc = *add;
        *add = (struct lset)LSET_NONE;
        return acc->ok;
    }
    for (i = 0; i < add->n; i++) {
        if (!lset_add(p, acc, add->fids[i], add->lits[i], add->lens[i])) {
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
    struct lset acc = LSET_NONE;
    *out = (struct lset)LSET_NONE;
    for (i = 0; i < s->nmaps; i++) {
        struct lset best = LSET_NONE;
        for (j = 0; j < s->maps[i].n; j++) {
            struct lset c = LSET_NONE;
            if (item_set(p, &s->maps[i].items[j], &c)) {
                take(p, &best, &c);
            } else {
                lset_free(p, &c);
            }
        }
        if (!best.ok || !merge(p, &acc, &best)) {
            lset_free(p, &best);
            lset_free(p, &acc);
            return;
        }
    }
    if (s->nmaps == 0) {
        return; /* an empty search: leave it to evaluation */
    }
    *out = acc;
}

static void cond_set(struct pf_ctx *p, const struct sig_rule *r, const struct cnode *c,
                     struct lset *out)
{
    size_t i;
    *out = (struct lset)LSET_NONE;
    switch (c->op) {
    case C_ID:
        search_set(p, &r->searches[c->id], out);
        return;
    case C_AND: {
        struct lset best = LSET_NONE;
        for (i = 0; i < c->n; i++) {
            struct lset k = LSET_NONE;
            cond_set(p, r, c->kids[i], &k);
            take(p, &best, &k);
        }
        *out = best;
        return;
    }
    case C_OR:
    case C_ATLEAST: {
        struct lset acc = LSET_NONE;
        if (c->op == C_ATLEAST && c->id == 0) {
            return; /* "0 of": always true */
        }
        for (i = 0; i < c->n; i++) {
            struct lset k = LSET_NONE;
            cond_set(p, r, c->kids[i], &k);
            if (!k.ok || !merge(p, &acc, &k)) {
                lset_free(p, &k);
                lset_free(p, &acc);
                return;
            }
        }
        if (c->n == 0) {
            return;
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

static int cmp_lit(const void *a, const void *b)
{
    const struct ac_lit *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    if (c) {
        return c;
    }
    if (x->n != y->n) {
        return x->n < y->n ? -1 : 1;
    }
    return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/*
 * Trie over the literals in breadth-first order, failure links, and full DFA rows for the
 * first `ndense` states (all of them when the table is small enough: a pure DFA; otherwise the
 * shallow states, where most input bytes are consumed). Deeper states keep their sparse trie
 * edges and fall back along failure links (sigma_ac_step), so memory stays linear in the total
 * literal length: SigmaHQ's CommandLine literals (14k, 178 kB) would need a 16M-cell DFA.
 */
static rh_status ac_build(rh_ruleset *rs, struct sig_ac *ac, struct ac_lit *lits, size_t nlits)
{
    rh_ctx *ctx = rs->ctx;
    size_t total = 1, maxlen = 0, i, j, cells;
    uint32_t ncls = 1, nstates = 1, ndense, s;
    uint32_t *par = NULL, *ccnt = NULL, *coff = NULL, *cfill = NULL, *kids = NULL;
    uint32_t *order = NULL, *newid = NULL, *term = NULL, *own_cnt = NULL, *outlink = NULL;
    uint8_t *pcls = NULL;
    uint32_t *path = NULL;
    rh_status st = RH_ERR_NOMEM;
    memset(ac->cls, 0, sizeof(ac->cls));
    for (i = 0; i < nlits; i++) {
        total += lits[i].n;
        if (lits[i].n > maxlen) {
            maxlen = lits[i].n;
        }
        for (j = 0; j < lits[i].n; j++) {
            if (!ac->cls[lits[i].p[j]]) {
                if (ncls >= 255) {
                    /* more than 254 distinct bytes: give up on this automaton (unusual) */
                    return RH_ERR_LIMIT;
                }
                ac->cls[lits[i].p[j]] = (uint8_t)ncls++;
            }
        }
    }
    if (total > (1u << 26)) {
        return RH_ERR_LIMIT;
    }
    rh_sort(lits, nlits, sizeof(*lits), cmp_lit);
    par = rh_calloc(ctx, total, sizeof(uint32_t));
    pcls = rh_calloc(ctx, total, 1);
    ccnt = rh_calloc(ctx, total + 1, sizeof(uint32_t));
    term = rh_calloc(ctx, nlits ? nlits : 1, sizeof(uint32_t));
    path = rh_calloc(ctx, maxlen + 1, sizeof(uint32_t));
    if (!par || !pcls || !ccnt || !term || !path) {
        goto out;
    }
    /* Trie from the sorted literals: a literal shares the path of the previous one up to their
     * common prefix. Children of a node are created in increasing byte order. */
    for (i = 0; i < nlits; i++) {
        size_t l = 0;
        if (i > 0) {
            size_t m = lits[i].n < lits[i - 1].n ? lits[i].n : lits[i - 1].n;
            while (l < m && lits[i].p[l] == lits[i - 1].p[l]) {
                l++;
            }
        }
        for (j = l; j < lits[i].n; j++) {
            uint32_t t = nstates++;
            par[t] = path[j];
            pcls[t] = ac->cls[lits[i].p[j]];
            ccnt[par[t]]++;
            path[j + 1] = t;
        }
        term[i] = path[lits[i].n];
    }
    /* Child lists (by creation order = byte order), then breadth-first renumbering. */
    coff = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
    cfill = rh_calloc(ctx, nstates, sizeof(uint32_t));
    kids = rh_calloc(ctx, nstates, sizeof(uint32_t));
    order = rh_calloc(ctx, nstates, sizeof(uint32_t));
    newid = rh_calloc(ctx, nstates, sizeof(uint32_t));
    own_cnt = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
    outlink = rh_calloc(ctx, nstates, sizeof(uint32_t));
    if (!coff || !cfill || !kids || !order || !newid || !own_cnt || !outlink) {
        goto out;
    }
    for (s = 0; s < nstates; s++) {
        coff[s + 1] = coff[s] + ccnt[s];
    }
    for (s = 1; s < nstates; s++) {
        kids[coff[par[s]] + cfill[par[s]]++] = s;
    }
    {
        uint32_t qh = 0, qt = 0;
        order[qt++] = 0;
        while (qh < qt) {
            uint32_t o = order[qh++];
            uint32_t k;
            for (k = coff[o]; k < coff[o + 1]; k++) {
                order[qt++] = kids[k];
            }
        }
        for (s = 0; s < nstates; s++) {
            newid[order[s]] = s;
        }
    }
    if (!rh_mul_sz(nstates, ncls, &cells)) {
        st = RH_ERR_LIMIT;
        goto out;
    }
    ndense = cells <= SIGMA_AC_DENSE_CELLS ? nstates : SIGMA_AC_PARTIAL_CELLS / ncls;
    if (ndense < 1) {
        ndense = 1;
    }
    if (ndense > nstates) {
        ndense = nstates;
    }
    ac->ncls = ncls;
    ac->nstates = nstates;
    ac->ndense = ndense;
    ac->delta = rh_arena_array(&rs->arena, (size_t)ndense * ncls, sizeof(uint32_t));
    ac->fail = rh_arena_array(&rs->arena, nstates, sizeof(uint32_t));
    ac->edge_off = rh_arena_array(&rs->arena, (size_t)nstates + 1, sizeof(uint32_t));
    ac->edge_cls = rh_arena_array(&rs->arena, nstates, 1);
    ac->edge_to = rh_arena_array(&rs->arena, nstates, sizeof(uint32_t));
    if (!ac->delta || !ac->fail || !ac->edge_off || !ac->edge_cls || !ac->edge_to) {
        goto out;
    }
    /* Sparse edges in the new numbering: the children of a state are consecutive states. */
    for (s = 0; s < nstates; s++) {
        uint32_t o = order[s], k, e = ac->edge_off[s];
        for (k = coff[o]; k < coff[o + 1]; k++) {
            ac->edge_cls[e] = pcls[kids[k]];
            ac->edge_to[e] = newid[kids[k]];
            e++;
        }
        ac->edge_off[s + 1] = e;
    }
    /* Breadth-first: failure links and dense rows (they only use shallower states). */
    for (s = 0; s < nstates; s++) {
        uint32_t e;
        if (s < ndense) {
            uint32_t *row = &ac->delta[(size_t)s * ncls];
            uint32_t c;
            for (c = 0; c < ncls; c++) {
                row[c] = s ? sigma_ac_step(ac, ac->fail[s], c) : 0;
            }
            for (e = ac->edge_off[s]; e < ac->edge_off[s + 1]; e++) {
                row[ac->edge_cls[e]] = ac->edge_to[e];
            }
        }
        for (e = ac->edge_off[s]; e < ac->edge_off[s + 1]; e++) {
            ac->fail[ac->edge_to[e]] = s ? sigma_ac_step(ac, ac->fail[s], ac->edge_cls[e]) : 0;
        }
    }
    /* Outputs: own plus everything along the output links (flattened). */
    for (i = 0; i < nlits; i++) {
        term[i] = newid[term[i]];
        own_cnt[term[i]]++;
    }
    for (s = 1; s < nstates; s++) {
        uint32_t f = ac->fail[s];
        outlink[s] = own_cnt[f] ? f : outlink[f];
    }
    ac->out_off = rh_arena_array(&rs->arena, (size_t)nstates + 1, sizeof(uint32_t));
    if (!ac->out_off) {
        goto out;
    }
    {
        size_t tot = 0;
        uint32_t *own_off, *own, *fillc;
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
        ac->outs = rh_arena_array(&rs->arena, tot ? tot : 1, sizeof(uint32_t));
        own_off = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
        own = rh_calloc(ctx, nlits ? nlits : 1, sizeof(uint32_t));
        fillc = rh_calloc(ctx, (size_t)nstates + 1, sizeof(uint32_t));
        if (!ac->outs || !own_off || !own || !fillc) {
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
    if (ndense == nstates) {
        /* Pure DFA: premultiply the targets in place (cells <= SIGMA_AC_DENSE_CELLS < 2^31)
         * and flag those with outputs; sigma_ac_step() is not used on it any more. */
        for (i = 0; i < cells; i++) {
            uint32_t t = ac->delta[i];
            ac->delta[i] = t * ncls | (ac->out_off[t] != ac->out_off[t + 1] ? 0x80000000u : 0);
        }
        ac->drow = ac->delta;
    }
    st = RH_OK;
out:
    rh_free(ctx, par);
    rh_free(ctx, pcls);
    rh_free(ctx, ccnt);
    rh_free(ctx, term);
    rh_free(ctx, path);
    rh_free(ctx, coff);
    rh_free(ctx, cfill);
    rh_free(ctx, kids);
    rh_free(ctx, order);
    rh_free(ctx, newid);
    rh_free(ctx, own_cnt);
    rh_free(ctx, outlink);
    return st;
}

rh_status sigma_prefilter_build(rh_ruleset *rs)
{
    struct pf_ctx p = {rs->ctx, &rs->arena, false};
    size_t i, k, nfids = rs->fields.n;
    size_t *per_fid = NULL;
    rh_status st = RH_OK;
    struct lset *sets = rh_calloc(rs->ctx, rs->nentries + 1, sizeof(*sets));
    rs->ac_of_fid = rh_arena_array(&rs->arena, nfids + 1, sizeof(uint32_t));
    per_fid = rh_calloc(rs->ctx, nfids + 1, sizeof(size_t));
    if (!sets || !rs->ac_of_fid || !per_fid) {
        rh_free(rs->ctx, sets);
        rh_free(rs->ctx, per_fid);
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < rs->nentries; i++) {
        struct sig_entry *e = &rs->entries[i];
        cond_set(&p, e->rule, e->rule->cond, &sets[i]);
        if (p.oom) {
            st = RH_ERR_NOMEM;
            break;
        }
        if (!sets[i].ok || sets[i].n == 0) {
            continue;
        }
        /* rule-side fields -> event-side fields */
        for (k = 0; k < sets[i].n; k++) {
            uint32_t f = sets[i].fids[k];
            if (f == SIG_PF_ANYFIELD) {
                f = (uint32_t)nfids; /* keywords: every field of the event */
            } else if (e->b->fmap) {
                f = e->b->fmap[f];
            }
            sets[i].fids[k] = f;
            per_fid[f]++;
        }
        e->pf.nf = 0;
        for (k = 0; k < sets[i].n; k++) {
            uint32_t f = sets[i].fids[k], q;
            for (q = 0; q < e->pf.nf && e->pf.fids[q] != f; q++) {
            }
            if (q == e->pf.nf) {
                e->pf.fids[e->pf.nf++] = f;
            }
        }
        e->pf_index = rs->npf++;
    }
    if (st == RH_OK) {
        size_t f;
        for (f = 0; f <= nfids; f++) {
            if (per_fid[f]) {
                rs->nacs++;
            }
        }
        rs->acs = rh_arena_array(&rs->arena, rs->nacs ? rs->nacs : 1, sizeof(struct sig_ac));
        if (!rs->acs) {
            st = RH_ERR_NOMEM;
        }
        rs->nacs = 0;
        for (f = 0; f <= nfids && st == RH_OK; f++) {
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
                if (!e->pf.nf) {
                    continue;
                }
                for (k = 0; k < sets[i].n; k++) {
                    if (sets[i].fids[k] == f) {
                        lits[nl].p = sets[i].lits[k];
                        lits[nl].n = sets[i].lens[k];
                        lits[nl].owner = e->pf_index;
                        nl++;
                    }
                }
            }
            rs->acs[rs->nacs].fid = (uint32_t)f;
            bs = ac_build(rs, &rs->acs[rs->nacs], lits, nl);
            rh_free(rs->ctx, lits);
            if (bs == RH_OK) {
                rs->ac_of_fid[f] = (uint32_t)(++rs->nacs);
            } else if (bs == RH_ERR_LIMIT) {
                /* No automaton for this field: its entries run without a prefilter. */
                memset(&rs->acs[rs->nacs], 0, sizeof(rs->acs[rs->nacs]));
                for (i = 0; i < rs->nentries; i++) {
                    struct sig_entry *e = &rs->entries[i];
                    for (k = 0; k < e->pf.nf; k++) {
                        if (e->pf.fids[k] == f) {
                            e->pf.nf = 0;
                            break;
                        }
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
