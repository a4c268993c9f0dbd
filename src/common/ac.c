/*
 * Aho-Corasick automaton over bytes (the caller folds case first if it wants to), shared by
 * the Sigma literal prefilter (src/sigma/sigma_prefilter.c) and the IOC substring/LIKE
 * prefilter (src/ioc/). Each literal has an owner number; a scan reports the owners of every
 * literal that ends at each position.
 */
#include <stdlib.h>

#include "ac.h"
#include "common.h"

/* An automaton whose full DFA has at most this many cells (states x byte classes) is a pure
 * DFA (4 MiB); a larger one keeps full rows for its first RH_AC_PARTIAL_CELLS cells of
 * breadth-first states and sparse trie edges + failure links below them. */
#define RH_AC_DENSE_CELLS   (1u << 20)
#define RH_AC_PARTIAL_CELLS (1u << 18)

static int cmp_lit(const void *a, const void *b)
{
    const struct rh_ac_lit *x = a, *y = b;
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
 * edges and fall back along failure links (rh_ac_step), so memory stays linear in the total
 * literal length: SigmaHQ's CommandLine literals (14k, 178 kB) would need a 16M-cell DFA.
 */
rh_status rh_ac_build(rh_ctx *ctx, struct rh_arena *arena, struct rh_ac *ac, struct rh_ac_lit *lits,
                      size_t nlits)
{
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
    ndense = cells <= RH_AC_DENSE_CELLS ? nstates : RH_AC_PARTIAL_CELLS / ncls;
    if (ndense < 1) {
        ndense = 1;
    }
    if (ndense > nstates) {
        ndense = nstates;
    }
    ac->ncls = ncls;
    ac->nstates = nstates;
    ac->ndense = ndense;
    ac->delta = rh_arena_array(arena, (size_t)ndense * ncls, sizeof(uint32_t));
    ac->fail = rh_arena_array(arena, nstates, sizeof(uint32_t));
    ac->edge_off = rh_arena_array(arena, (size_t)nstates + 1, sizeof(uint32_t));
    ac->edge_cls = rh_arena_array(arena, nstates, 1);
    ac->edge_to = rh_arena_array(arena, nstates, sizeof(uint32_t));
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
                row[c] = s ? rh_ac_step(ac, ac->fail[s], c) : 0;
            }
            for (e = ac->edge_off[s]; e < ac->edge_off[s + 1]; e++) {
                row[ac->edge_cls[e]] = ac->edge_to[e];
            }
        }
        for (e = ac->edge_off[s]; e < ac->edge_off[s + 1]; e++) {
            ac->fail[ac->edge_to[e]] = s ? rh_ac_step(ac, ac->fail[s], ac->edge_cls[e]) : 0;
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
    ac->out_off = rh_arena_array(arena, (size_t)nstates + 1, sizeof(uint32_t));
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
        ac->outs = rh_arena_array(arena, tot ? tot : 1, sizeof(uint32_t));
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
        /* Pure DFA: premultiply the targets in place (cells <= RH_AC_DENSE_CELLS < 2^31)
         * and flag those with outputs; rh_ac_step() is not used on it any more. */
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
