/*
 * Prevalence inside one hunt: every finding's stack key (rh_stack_key, the identity `reghunt
 * stack` groups by), how many hunted hosts share it, how many hosts the hunt covered (clean
 * hosts included), and the stack keys ranked rare-and-risky first (rh_stack_score) for the
 * reports' "rarest persistence" summary. Hosts are one host by rh_host_key (as in fusion).
 */
#include <stdlib.h>

#include "hunt_internal.h"
#include "reghunt/stack.h"

void hunt_prevalence_free(rh_hunt *h)
{
    rh_free(h->ctx, h->hunt_hosts);
    rh_free(h->ctx, h->rare);
    h->hunt_hosts = NULL;
    h->rare = NULL;
    h->nhunt_hosts = h->nrare = 0;
}

struct prev {
    rh_hunt *h;
    struct rh_strmap hosts; /* rh_host_key part of the name (borrowed) -> host index + 1 */
    struct rh_strmap keys;  /* stack key (the finding's copy, borrowed) -> rare index + 1 */
    struct rh_strmap pairs; /* (rare index, host index) as 8 bytes -> 0 */
};

/* The index of host `name`, added when new. */
static rh_status host_of(struct prev *p, const char *name, size_t *out)
{
    struct rh_strmap_entry *e;
    bool added = false;
    size_t start = 0, n = rh_host_key(name, strlen(name), &start);
    rh_status st = rh_strmap_put(&p->hosts, name + start, n, &e, &added);
    if (st != RH_OK) {
        return st;
    }
    if (added) {
        p->h->hunt_hosts[p->h->nhunt_hosts].name = name;
        p->h->hunt_hosts[p->h->nhunt_hosts].findings = 0;
        e->val = ++p->h->nhunt_hosts;
    }
    *out = e->val - 1;
    return RH_OK;
}

/* Count finding f (host index hid) under its stack key; *rid is its rare index. */
static rh_status count_key(struct prev *p, struct hunt_finding *f, size_t hid, size_t *rid)
{
    rh_hunt *h = p->h;
    struct rh_strmap_entry *e;
    bool added = false;
    unsigned char pair[8];
    uint32_t a, b;
    rh_hunt_rare *r;
    rh_status st = rh_strmap_put(&p->keys, f->pub.stack_key, f->pub.stack_key_len, &e, &added);
    if (st != RH_OK) {
        return st;
    }
    if (added) {
        memset(&h->rare[h->nrare], 0, sizeof(h->rare[0]));
        h->rare[h->nrare].example = &f->pub;
        e->val = ++h->nrare;
    }
    *rid = e->val - 1;
    r = &h->rare[*rid];
    r->findings++;
    if (f->pub.risk > r->max_risk) {
        r->max_risk = f->pub.risk;
    }
    a = (uint32_t)*rid;
    b = (uint32_t)hid;
    memcpy(pair, &a, 4);
    memcpy(pair + 4, &b, 4);
    st = rh_strmap_put(&p->pairs, (const char *)pair, sizeof(pair), &e, &added);
    if (st == RH_OK && added) {
        r->hosts++;
    }
    return st;
}

static int cmp_rare(const void *pa, const void *pb)
{
    const rh_hunt_rare *a = pa, *b = pb;
    size_t an = a->example->stack_key_len, bn = b->example->stack_key_len;
    int c;
    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    c = memcmp(a->example->stack_key, b->example->stack_key, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static rh_status prevalence_run(struct prev *p, rh_buf *key, size_t *rid)
{
    rh_hunt *h = p->h;
    size_t i, hid;
    rh_status st = RH_OK;
    for (i = 0; i < h->nhosts && st == RH_OK; i++) {
        if (h->hosts[i].name) {
            st = host_of(p, h->hosts[i].name, &hid);
        }
    }
    for (i = 0; i < h->n && st == RH_OK; i++) {
        struct hunt_finding *f = h->f[i];
        st = host_of(p, f->pub.host, &hid);
        if (st != RH_OK) {
            break;
        }
        h->hunt_hosts[hid].findings++;
        rh_buf_reset(key);
        st = rh_stack_key(key, f->pub.location_id, strlen(f->pub.location_id), f->pub.value_name,
                          f->pub.value_name_len, f->pub.value_data, f->pub.value_data_len);
        if (st == RH_OK) {
            st = hunt_finding_set(h->ctx, &f->pub.stack_key, key->data ? key->data : "", key->len);
        }
        if (st == RH_OK) {
            f->pub.stack_key_len = key->len;
            st = count_key(p, f, hid, &rid[i]);
        }
    }
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < h->n; i++) {
        h->f[i]->pub.stack_hosts = h->rare[rid[i]].hosts;
        h->f[i]->pub.total_hosts = h->nhunt_hosts;
    }
    for (i = 0; i < h->nrare; i++) {
        h->rare[i].score = rh_stack_score(h->rare[i].max_risk, h->rare[i].hosts, h->nhunt_hosts);
    }
    if (h->nrare > 1) {
        rh_sort(h->rare, h->nrare, sizeof(h->rare[0]), cmp_rare);
    }
    return RH_OK;
}

rh_status hunt_prevalence(rh_hunt *h)
{
    struct prev p;
    rh_buf key;
    size_t *rid;
    rh_status st;
    hunt_prevalence_free(h);
    h->hunt_hosts = rh_calloc(h->ctx, h->nhosts + h->n + 1, sizeof(*h->hunt_hosts));
    h->rare = rh_calloc(h->ctx, h->n + 1, sizeof(*h->rare));
    rid = rh_calloc(h->ctx, h->n + 1, sizeof(*rid));
    if (!h->hunt_hosts || !h->rare || !rid) {
        rh_free(h->ctx, rid);
        hunt_prevalence_free(h);
        return RH_ERR_NOMEM;
    }
    p.h = h;
    rh_strmap_init(&p.hosts, h->ctx, rh_hash_fnv1a_ci, RH_STRMAP_ICASE, 64,
                   HUNT_MAX_FINDINGS + h->nhosts);
    rh_strmap_init(&p.keys, h->ctx, rh_hash_fnv1a, 0, 256, HUNT_MAX_FINDINGS);
    rh_strmap_init(&p.pairs, h->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 256, HUNT_MAX_FINDINGS);
    rh_buf_init(&key, h->ctx);
    st = prevalence_run(&p, &key, rid);
    rh_buf_free(&key);
    rh_strmap_free(&p.hosts);
    rh_strmap_free(&p.keys);
    rh_strmap_free(&p.pairs);
    rh_free(h->ctx, rid);
    if (st != RH_OK) {
        hunt_prevalence_free(h);
    }
    return st;
}

rh_status rh_hunt_set_verdict(rh_hunt *h, size_t i, const char *verdict, const char *note)
{
    struct hunt_finding *f;
    char *v = NULL, *n = NULL;
    if (!h || !h->finished || i >= h->n) {
        return RH_ERR_ARG;
    }
    f = h->f[i];
    if (verdict) {
        v = rh_strdup(h->ctx, verdict);
        n = note && note[0] ? rh_strdup(h->ctx, note) : NULL;
        if (!v || (note && note[0] && !n)) {
            rh_free(h->ctx, v);
            rh_free(h->ctx, n);
            return RH_ERR_NOMEM;
        }
    }
    rh_free(h->ctx, (char *)f->pub.verdict);
    rh_free(h->ctx, (char *)f->pub.verdict_note);
    f->pub.verdict = v;
    f->pub.verdict_note = n;
    return RH_OK;
}

size_t rh_hunt_host_count(const rh_hunt *h)
{
    return h ? h->nhunt_hosts : 0;
}

const rh_hunt_host *rh_hunt_host_at(const rh_hunt *h, size_t i)
{
    return h && i < h->nhunt_hosts ? &h->hunt_hosts[i] : NULL;
}

size_t rh_hunt_rare_count(const rh_hunt *h)
{
    return h ? h->nrare : 0;
}

const rh_hunt_rare *rh_hunt_rare_at(const rh_hunt *h, size_t i)
{
    return h && i < h->nrare ? &h->rare[i] : NULL;
}
