/*
 * Dispatch index: which (rule, binding) entries an event can match at all.
 *
 * An entry can only match events whose id is in its binding's list (logsource mapping) AND in
 * the set its condition requires: `EventID: 4624` in `selection` of `selection and not filter`
 * restricts the rule to 4624, `EventID` under `or` adds up the alternatives, under `not` it
 * restricts nothing. Entries with a finite set are listed under each id; the others under each
 * channel of their binding, or on a list tried for every event. The analysis is conservative:
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
    qsort(s.v, n, sizeof(uint32_t), cmp_u32);
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

rh_status sigma_dispatch_build(rh_ruleset *rs)
{
    struct dctx d = {rs->ctx, false};
    size_t nch = rs->channels.n, i, k, neid = 0, nchl = 0;
    struct eidset *sets = rh_calloc(rs->ctx, rs->nentries + 1, sizeof(*sets));
    uint32_t *cnt = NULL;
    rh_status st = RH_ERR_NOMEM;
    rs->eid_off = sigma_arena_array(&rs->arena, 65537, sizeof(uint32_t));
    rs->chan_off = sigma_arena_array(&rs->arena, nch + 1, sizeof(uint32_t));
    cnt = rh_calloc(rs->ctx, 65536 + nch + 1, sizeof(uint32_t));
    if (!sets || !rs->eid_off || !rs->chan_off || !cnt) {
        goto out;
    }
    rs->nany = 0;
    for (i = 0; i < rs->nentries; i++) {
        const struct sig_binding *b = rs->entries[i].b;
        sets[i] = entry_eids(&d, &rs->entries[i]);
        if (d.oom) {
            goto out;
        }
        if (!sets[i].any) {
            for (k = 0; k < sets[i].n; k++) {
                rs->eid_off[sets[i].v[k] + 1]++;
            }
            neid += sets[i].n;
        } else if (b->nchans) {
            for (k = 0; k < b->nchans; k++) {
                if (k == 0 || b->chans[k] != b->chans[k - 1]) {
                    rs->chan_off[b->chans[k] + 1]++;
                    nchl++;
                }
            }
        } else {
            rs->nany++;
        }
    }
    for (i = 0; i < 65536; i++) {
        rs->eid_off[i + 1] += rs->eid_off[i];
    }
    for (i = 0; i < nch; i++) {
        rs->chan_off[i + 1] += rs->chan_off[i];
    }
    rs->eid_list = sigma_arena_array(&rs->arena, neid ? neid : 1, sizeof(uint32_t));
    rs->chan_list = sigma_arena_array(&rs->arena, nchl ? nchl : 1, sizeof(uint32_t));
    rs->any_list = sigma_arena_array(&rs->arena, rs->nany ? rs->nany : 1, sizeof(uint32_t));
    if (!rs->eid_list || !rs->chan_list || !rs->any_list) {
        goto out;
    }
    /* Fill in entry order: every list stays sorted by entry (= rule) index. */
    rs->nany = 0;
    for (i = 0; i < rs->nentries; i++) {
        const struct sig_binding *b = rs->entries[i].b;
        if (!sets[i].any) {
            for (k = 0; k < sets[i].n; k++) {
                uint32_t x = sets[i].v[k];
                rs->eid_list[rs->eid_off[x] + cnt[x]++] = (uint32_t)i;
            }
        } else if (b->nchans) {
            for (k = 0; k < b->nchans; k++) {
                if (k == 0 || b->chans[k] != b->chans[k - 1]) {
                    uint32_t c = b->chans[k];
                    rs->chan_list[rs->chan_off[c] + cnt[65536 + c]] = (uint32_t)i;
                    cnt[65536 + c]++;
                }
            }
        } else {
            rs->any_list[rs->nany++] = (uint32_t)i;
        }
    }
    st = RH_OK;
out:
    for (i = 0; sets && i < rs->nentries; i++) {
        es_free(&d, &sets[i]);
    }
    rh_free(rs->ctx, sets);
    rh_free(rs->ctx, cnt);
    return st;
}
