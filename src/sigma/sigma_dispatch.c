/*
 * Dispatch index: which (rule, binding) entries an event can match at all.
 *
 * An entry can only match events whose id is in its binding's list (logsource mapping) AND in
 * the set its condition requires: `EventID: 4624` in `selection` of `selection and not filter`
 * restricts the rule to 4624, `EventID` under `or` adds up the alternatives, under `not` it
 * restricts nothing. Entries with a finite set are listed under each id; the others under each
 * channel of their binding, or on a list for every event. Each list keeps its entries without
 * a literal prefilter; for the prefiltered ones it keeps the automata to scan, and the matcher
 * tries only the entries whose literals show up (in rule order). The analysis is conservative:
 * anything it does not understand (modifiers, negation, numbers out of range, an EventID
 * field renamed by a field mapping) leaves the entry unrestricted.
 *
 * The event id the conditions see is the header's, except when an event carries a data
 * field literally named EventID (it then shadows the header): rh_sigma_matcher_match() sends
 * such events through every entry.
 */
#include <stdlib.h>

#include "sigma_internal.h"

/* Sets larger than this are treated as unrestricted. */
#define EIDSET_MAX 4096

struct eidset {
    bool any;    /* unrestricted */
    uint32_t *v; /* sorted, unique (when !any) */
    size_t n;
};

struct dctx {
    rh_ctx *ctx;
    bool oom;
};

static void es_free(struct dctx *d, struct eidset *s)
{
    rh_free(d->ctx, s->v);
    s->v = NULL;
    s->n = 0;
}

static struct eidset es_any(void)
{
    struct eidset s = {true, NULL, 0};
    return s;
}

static struct eidset es_empty(void)
{
    struct eidset s = {false, NULL, 0};
    return s;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Set from an unsorted array (copied). */
static struct eidset es_from(struct dctx *d, const uint32_t *v, size_t n)
{
    struct eidset s = es_empty();
    size_t i, k = 0;
    if (n > EIDSET_MAX) {
        return es_any();
    }
    if (!n) {
        return s;
    }
    s.v = rh_calloc(d->ctx, n, sizeof(uint32_t));
    if (!s.v) {
        d->oom = true;
        return es_any();
    }
    memcpy(s.v, v, n * sizeof(uint32_t));
    rh_sort(s.v, n, sizeof(uint32_t), cmp_u32);
    for (i = 0; i < n; i++) {
        if (k == 0 || s.v[k - 1] != s.v[i]) {
            s.v[k++] = s.v[i];
        }
    }
    s.n = k;
    return s;
}

/* a &= b; b is consumed. */
static void es_and(struct dctx *d, struct eidset *a, struct eidset *b)
{
    size_t i = 0, j = 0, k = 0;
    if (b->any) {
        es_free(d, b);
        return;
    }
    if (a->any) {
        *a = *b;
        *b = es_empty();
        return;
    }
    while (i < a->n && j < b->n) {
        if (a->v[i] < b->v[j]) {
            i++;
        } else if (a->v[i] > b->v[j]) {
            j++;
        } else {
            a->v[k++] = a->v[i];
            i++;
            j++;
        }
    }
    a->n = k;
    es_free(d, b);
}

/* a |= b; b is consumed. */
static void es_or(struct dctx *d, struct eidset *a, struct eidset *b)
{
    uint32_t *v;
    size_t i = 0, j = 0, k = 0;
    if (a->any) {
        es_free(d, b);
        return;
    }
    if (b->any || a->n + b->n > EIDSET_MAX) {
        es_free(d, a);
        es_free(d, b);
        *a = es_any();
        return;
    }
    if (!b->n) {
        es_free(d, b);
        return;
    }
    v = rh_calloc(d->ctx, a->n + b->n, sizeof(uint32_t));
    if (!v) {
        d->oom = true;
        es_free(d, a);
        es_free(d, b);
        *a = es_any();
        return;
    }
    while (i < a->n || j < b->n) {
        if (j >= b->n || (i < a->n && a->v[i] < b->v[j])) {
            v[k++] = a->v[i++];
        } else if (i >= a->n || b->v[j] < a->v[i]) {
            v[k++] = b->v[j++];
        } else {
            v[k++] = a->v[i++];
            j++;
        }
    }
    es_free(d, a);
    es_free(d, b);
    a->v = v;
    a->n = k;
}

/* The event id a value requires of the EventID field (the header's, an INT field holding
 * the id and its decimal text). false: not understood. */
static bool value_eid(const struct sig_value *v, uint32_t *out)
{
    size_t i;
    uint32_t x = 0;
    if (v->mod != &sigma_mod_string || v->is_null) {
        return false;
    }
    if (v->has_num) {
        /* compared numerically with the INT field */
        if (v->num < 0 || v->num > 65535) {
            return false;
        }
        *out = (uint32_t)v->num;
        return true;
    }
    /* compared as text with the decimal rendering: canonical digits only */
    if (v->pkind != PK_EXACT || v->litlen == 0 || v->litlen > 5 ||
        (v->litlen > 1 && v->lit[0] == '0')) {
        return false;
    }
    for (i = 0; i < v->litlen; i++) {
        if (v->lit[i] < '0' || v->lit[i] > '9') {
            return false;
        }
        x = x * 10 + (uint32_t)(v->lit[i] - '0');
    }
    if (x > 65535) {
        return false;
    }
    *out = x;
    return true;
}

static struct eidset item_eids(struct dctx *d, const struct sig_item *it, const uint32_t *fmap)
{
    uint32_t vals[64];
    size_t i;
    if (it->flags & (SIG_I_KEYWORD | SIG_I_NEQ)) {
        return es_any();
    }
    if ((fmap ? fmap[it->fid] : it->fid) != SIGMA_F_EVENTID) {
        return es_any();
    }
    if (it->nvals > 64 || ((it->flags & SIG_I_ALL) && it->nvals != 1)) {
        return es_any();
    }
    for (i = 0; i < it->nvals; i++) {
        if (!value_eid(&it->vals[i], &vals[i])) {
            return es_any();
        }
    }
    /* no values: the item never matches */
    return es_from(d, vals, it->nvals);
}

static struct eidset search_eids(struct dctx *d, const struct sig_search *s, const uint32_t *fmap)
{
    struct eidset acc = es_empty(); /* no map: the search never matches */
    size_t i, j;
    for (i = 0; i < s->nmaps && !acc.any; i++) {
        struct eidset m = es_any(); /* no item: the map matches */
        for (j = 0; j < s->maps[i].n; j++) {
            struct eidset t = item_eids(d, &s->maps[i].items[j], fmap);
            es_and(d, &m, &t);
        }
        es_or(d, &acc, &m);
    }
    return acc;
}

static struct eidset cond_eids(struct dctx *d, const struct sig_rule *r, const struct cnode *c,
                               const uint32_t *fmap)
{
    struct eidset acc;
    size_t i;
    switch (c->op) {
    case C_ID:
        return search_eids(d, &r->searches[c->id], fmap);
    case C_AND:
        acc = es_any();
        for (i = 0; i < c->n; i++) {
            struct eidset k = cond_eids(d, r, c->kids[i], fmap);
            es_and(d, &acc, &k);
        }
        return acc;
    case C_OR:
    case C_ATLEAST: /* true only if at least one kid is */
        acc = es_empty();
        for (i = 0; i < c->n && !acc.any; i++) {
            struct eidset k = cond_eids(d, r, c->kids[i], fmap);
            es_or(d, &acc, &k);
        }
        return acc;
    case C_FALSE:
        return es_empty();
    default: /* C_NOT, C_TRUE */
        return es_any();
    }
}

/* Event ids an entry can match: its binding's ids and its condition's. */
static struct eidset entry_eids(struct dctx *d, const struct sig_entry *e)
{
    const struct sig_binding *b = e->b;
    struct eidset s = cond_eids(d, e->rule, e->rule->cond, b->fmap);
    if (b->neids) {
        bool small = true;
        size_t k;
        for (k = 0; k < b->neids; k++) {
            small = small && b->eids[k] < 65536;
        }
        if (small) {
            struct eidset t = es_from(d, b->eids, b->neids);
            es_and(d, &s, &t);
        }
    }
    return s;
}

/* Growing u32 array. */
struct u32v {
    uint32_t *v;
    size_t n, cap;
};

static bool u32v_push(struct dctx *d, struct u32v *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 256;
        uint32_t *t = rh_realloc(d->ctx, a->v, ncap * sizeof(uint32_t));
        if (!t) {
            d->oom = true;
            return false;
        }
        a->v = t;
        a->cap = ncap;
    }
    a->v[a->n++] = x;
    return true;
}

/* Copy to the arena (at least one element). */
static uint32_t *u32v_arena(rh_ruleset *rs, const struct u32v *a)
{
    uint32_t *t = rh_arena_array(&rs->arena, a->n ? a->n : 1, sizeof(uint32_t));
    if (t && a->n) {
        memcpy(t, a->v, a->n * sizeof(uint32_t));
    }
    return t;
}

/*
 * One dispatch list (the entries of an event id, of a channel, or of neither) is split into
 * the entries without a prefilter, tried on every event of the list, and the (view,
 * automaton) pairs of the prefiltered ones: the matcher scans those and tries only the
 * entries whose literals were seen.
 */
struct splitter {
    struct dctx *d;
    rh_ruleset *rs;
    struct u32v plain, pairs;
    uint32_t *seen; /* pair -> list stamp */
    uint32_t stamp;
};

static void split_list(struct splitter *sp, const uint32_t *list, size_t n)
{
    const rh_ruleset *rs = sp->rs;
    size_t i, k;
    sp->stamp++;
    for (i = 0; i < n; i++) {
        const struct sig_entry *e = &rs->entries[list[i]];
        if (!e->pf.nf) {
            u32v_push(sp->d, &sp->plain, list[i]);
            continue;
        }
        for (k = 0; k < e->pf.nf; k++) {
            uint32_t pair = (uint32_t)e->b->transform * (uint32_t)(rs->nacs + 1) +
                            (rs->ac_of_fid[e->pf.fids[k]] - 1);
            if (sp->seen[pair] != sp->stamp) {
                sp->seen[pair] = sp->stamp;
                u32v_push(sp->d, &sp->pairs, pair);
            }
        }
    }
}

rh_status sigma_dispatch_build(rh_ruleset *rs)
{
    struct dctx d = {rs->ctx, false};
    size_t nch = rs->channels.n, i, k, neid = 0, nchl = 0, nany = 0;
    struct eidset *sets = rh_calloc(rs->ctx, rs->nentries + 1, sizeof(*sets));
    uint32_t *cnt = NULL, *eoff = NULL, *coff = NULL, *elist = NULL, *clist = NULL, *alist = NULL;
    struct splitter sp;
    rh_status st = RH_ERR_NOMEM;
    memset(&sp, 0, sizeof(sp));
    sp.d = &d;
    sp.rs = rs;
    sp.seen = rh_calloc(rs->ctx, (rs->nacs + 1) * SIGMA_TX_COUNT, sizeof(uint32_t));
    eoff = rh_calloc(rs->ctx, 65537, sizeof(uint32_t));
    coff = rh_calloc(rs->ctx, nch + 1, sizeof(uint32_t));
    cnt = rh_calloc(rs->ctx, 65536 + nch + 1, sizeof(uint32_t));
    rs->eid_off = rh_arena_array(&rs->arena, 65537, sizeof(uint32_t));
    rs->eid_acs_off = rh_arena_array(&rs->arena, 65537, sizeof(uint32_t));
    rs->chan_off = rh_arena_array(&rs->arena, nch + 1, sizeof(uint32_t));
    rs->chan_acs_off = rh_arena_array(&rs->arena, nch + 1, sizeof(uint32_t));
    rs->pf_entry = rh_arena_array(&rs->arena, rs->npf + 1, sizeof(uint32_t));
    if (!sets || !sp.seen || !eoff || !coff || !cnt || !rs->eid_off || !rs->eid_acs_off ||
        !rs->chan_off || !rs->chan_acs_off || !rs->pf_entry) {
        goto out;
    }
    /* Full lists first: every entry under its event ids, else its channels, else "any". */
    for (i = 0; i < rs->nentries; i++) {
        struct sig_entry *e = &rs->entries[i];
        const struct sig_binding *b = e->b;
        sets[i] = entry_eids(&d, e);
        if (d.oom) {
            goto out;
        }
        if (e->pf.nf) {
            rs->pf_entry[e->pf_index] = (uint32_t)i;
        }
        if (!sets[i].any) {
            for (k = 0; k < sets[i].n; k++) {
                eoff[sets[i].v[k] + 1]++;
            }
            neid += sets[i].n;
            /* prefilter hits are checked against the entry's ids */
            e->deids = rh_arena_array(&rs->arena, sets[i].n ? sets[i].n : 1, sizeof(uint32_t));
            if (!e->deids) {
                goto out;
            }
            if (sets[i].n) {
                memcpy(e->deids, sets[i].v, sets[i].n * sizeof(uint32_t));
            }
            e->ndeids = (uint32_t)sets[i].n;
            e->drestrict = true;
        } else if (b->nchans) {
            for (k = 0; k < b->nchans; k++) {
                if (k == 0 || b->chans[k] != b->chans[k - 1]) {
                    coff[b->chans[k] + 1]++;
                    nchl++;
                }
            }
        } else {
            nany++;
        }
    }
    for (i = 0; i < 65536; i++) {
        eoff[i + 1] += eoff[i];
    }
    for (i = 0; i < nch; i++) {
        coff[i + 1] += coff[i];
    }
    elist = rh_calloc(rs->ctx, neid + 1, sizeof(uint32_t));
    clist = rh_calloc(rs->ctx, nchl + 1, sizeof(uint32_t));
    alist = rh_calloc(rs->ctx, nany + 1, sizeof(uint32_t));
    if (!elist || !clist || !alist) {
        goto out;
    }
    /* Fill in entry order: every list stays sorted by entry (= rule) index. */
    nany = 0;
    for (i = 0; i < rs->nentries; i++) {
        const struct sig_binding *b = rs->entries[i].b;
        if (!sets[i].any) {
            for (k = 0; k < sets[i].n; k++) {
                uint32_t x = sets[i].v[k];
                elist[eoff[x] + cnt[x]++] = (uint32_t)i;
            }
        } else if (b->nchans) {
            for (k = 0; k < b->nchans; k++) {
                if (k == 0 || b->chans[k] != b->chans[k - 1]) {
                    uint32_t c = b->chans[k];
                    clist[coff[c] + cnt[65536 + c]] = (uint32_t)i;
                    cnt[65536 + c]++;
                }
            }
        } else {
            alist[nany++] = (uint32_t)i;
        }
    }
    /* Split every list. */
    for (i = 0; i < 65536; i++) {
        rs->eid_off[i] = (uint32_t)sp.plain.n;
        rs->eid_acs_off[i] = (uint32_t)sp.pairs.n;
        split_list(&sp, elist + eoff[i], eoff[i + 1] - eoff[i]);
    }
    rs->eid_off[65536] = (uint32_t)sp.plain.n;
    rs->eid_acs_off[65536] = (uint32_t)sp.pairs.n;
    rs->eid_list = u32v_arena(rs, &sp.plain);
    rs->eid_acs = u32v_arena(rs, &sp.pairs);
    sp.plain.n = sp.pairs.n = 0;
    for (i = 0; i < nch; i++) {
        rs->chan_off[i] = (uint32_t)sp.plain.n;
        rs->chan_acs_off[i] = (uint32_t)sp.pairs.n;
        split_list(&sp, clist + coff[i], coff[i + 1] - coff[i]);
    }
    rs->chan_off[nch] = (uint32_t)sp.plain.n;
    rs->chan_acs_off[nch] = (uint32_t)sp.pairs.n;
    rs->chan_list = u32v_arena(rs, &sp.plain);
    rs->chan_acs = u32v_arena(rs, &sp.pairs);
    sp.plain.n = sp.pairs.n = 0;
    split_list(&sp, alist, nany);
    rs->nany = sp.plain.n;
    rs->nany_acs = sp.pairs.n;
    rs->any_list = u32v_arena(rs, &sp.plain);
    rs->any_acs = u32v_arena(rs, &sp.pairs);
    if (d.oom || !rs->eid_list || !rs->eid_acs || !rs->chan_list || !rs->chan_acs ||
        !rs->any_list || !rs->any_acs) {
        goto out;
    }
    st = RH_OK;
out:
    for (i = 0; sets && i < rs->nentries; i++) {
        es_free(&d, &sets[i]);
    }
    rh_free(rs->ctx, sets);
    rh_free(rs->ctx, cnt);
    rh_free(rs->ctx, eoff);
    rh_free(rs->ctx, coff);
    rh_free(rs->ctx, elist);
    rh_free(rs->ctx, clist);
    rh_free(rs->ctx, alist);
    rh_free(rs->ctx, sp.seen);
    rh_free(rs->ctx, sp.plain.v);
    rh_free(rs->ctx, sp.pairs.v);
    return st;
}
