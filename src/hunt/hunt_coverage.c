/*
 * What the hunt searched: data sources per host (hives and event channels with their time
 * ranges) and coverage gaps (docs/correlation.md, "Coverage").
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- sources and gaps ----------------------------------------------------------------------- */

static const char *pool_add(rh_hunt *h, const char *s)
{
    char **np;
    char *p = rh_strdup(h->ctx, s);
    if (!p) {
        return NULL;
    }
    np = rh_realloc(h->ctx, h->pool, (h->npool + 1) * sizeof(*np));
    if (!np) {
        rh_free(h->ctx, p);
        return NULL;
    }
    h->pool = np;
    h->pool[h->npool++] = p;
    return p;
}

static rh_status add_source(rh_hunt *h, const char *host, const char *kind, const char *name,
                            uint64_t count, uint64_t first, uint64_t last)
{
    rh_hunt_source *ns;
    size_t i;
    for (i = 0; i < h->nsources; i++) {
        rh_hunt_source *s = &h->sources[i];
        if (strcmp(s->host, host) == 0 && strcmp(s->kind, kind) == 0 &&
            strcmp(s->name, name) == 0) {
            s->count += count;
            if (first && (!s->first || first < s->first)) {
                s->first = first;
            }
            if (last > s->last) {
                s->last = last;
            }
            return RH_OK;
        }
    }
    ns = rh_realloc(h->ctx, h->sources, (h->nsources + 1) * sizeof(*ns));
    if (!ns) {
        return RH_ERR_NOMEM;
    }
    h->sources = ns;
    ns = &h->sources[h->nsources];
    ns->host = pool_add(h, host);
    ns->kind = kind;
    ns->name = pool_add(h, name);
    ns->count = count;
    ns->first = first;
    ns->last = last;
    if (!ns->host || !ns->name) {
        return RH_ERR_NOMEM;
    }
    h->nsources++;
    return RH_OK;
}

static rh_status add_gap(rh_hunt *h, const char *text)
{
    char **ng = rh_realloc(h->ctx, h->gaps, (h->ngaps + 1) * sizeof(*ng));
    if (!ng) {
        return RH_ERR_NOMEM;
    }
    h->gaps = ng;
    h->gaps[h->ngaps] = rh_strdup(h->ctx, text);
    if (!h->gaps[h->ngaps]) {
        return RH_ERR_NOMEM;
    }
    h->ngaps++;
    return RH_OK;
}

static int cmp_source(const void *pa, const void *pb)
{
    const rh_hunt_source *a = pa, *b = pb;
    int r = strcmp(a->host, b->host);
    if (r) {
        return r;
    }
    if ((r = strcmp(a->kind, b->kind)) != 0) {
        return r;
    }
    return strcmp(a->name, b->name);
}

rh_status hunt_build_sources(rh_hunt *h)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    size_t i, k;
    rh_status st = RH_OK;
    for (i = 0; i < h->nhosts && st == RH_OK; i++) {
        for (k = 0; k < RH_HIVE_KIND_COUNT && st == RH_OK; k++) {
            if (h->hosts[i].hives[k]) {
                st = add_source(h, h->hosts[i].name, "hive", rh_hive_kind_name((rh_hive_kind)k),
                                h->hosts[i].hives[k], 0, 0);
            }
        }
    }
    for (i = 0; h->ev && i < rh_evidence_host_count(h->ev) && st == RH_OK; i++) {
        rh_evidence_host eh;
        const struct hunt_host_rec *hr;
        const char *name;
        if (rh_evidence_host_get(h->ev, i, &eh) != RH_OK) {
            continue;
        }
        hr = hunt_host_rec(h, eh.name);
        name = hr ? hr->name : (eh.name[0] ? eh.name : "(unknown host)");
        for (k = 0; k < eh.nstats && st == RH_OK; k++) {
            const rh_evidence_stat *s = &eh.stats[k];
            st = add_source(h, name, "events", s->channel ? s->channel : "?", s->count, s->first,
                            s->last);
        }
        if (st == RH_OK && !hr && h->nhosts) {
            rh_buf_reset(&b);
            st = rh_buf_printf(&b,
                               "no hives for host %s: its registry events cannot be compared "
                               "with state (event-only)",
                               name);
            st = st == RH_OK ? add_gap(h, b.data) : st;
        }
    }
    if (st == RH_OK && h->nsources > 1) {
        rh_sort(h->sources, h->nsources, sizeof(h->sources[0]), cmp_source);
    }
    for (i = 0; i < h->nhosts && st == RH_OK; i++) {
        size_t hi;
        rh_evidence_host eh;
        int logs = h->ev && rh_evidence_host_find(h->ev, h->hosts[i].name, &hi) == RH_OK &&
                   rh_evidence_host_get(h->ev, hi, &eh) == RH_OK && eh.has_registry_logs;
        if (!logs) {
            rh_buf_reset(&b);
            st = rh_buf_printf(&b,
                               "no Sysmon logs for host %s: registry findings for it are "
                               "uncorroborated",
                               h->hosts[i].name);
            st = st == RH_OK ? add_gap(h, b.data) : st;
        }
    }
    if (st == RH_OK && h->stats.event_inputs_failed) {
        rh_buf_reset(&b);
        st =
            rh_buf_printf(&b, "%zu event input(s) could not be read", h->stats.event_inputs_failed);
        st = st == RH_OK ? add_gap(h, b.data) : st;
    }
    rh_buf_free(&b);
    return st;
}

size_t rh_hunt_source_count(const rh_hunt *h)
{
    return h ? h->nsources : 0;
}

const rh_hunt_source *rh_hunt_source_at(const rh_hunt *h, size_t i)
{
    return h && i < h->nsources ? &h->sources[i] : NULL;
}

size_t rh_hunt_gap_count(const rh_hunt *h)
{
    return h ? h->ngaps : 0;
}

const char *rh_hunt_gap_at(const rh_hunt *h, size_t i)
{
    return h && i < h->ngaps ? h->gaps[i] : NULL;
}
