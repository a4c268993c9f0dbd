/*
 * Fusion of hive findings with event logs and Sigma rules (docs/correlation.md,
 * docs/hunting.md "Fusion"):
 *   - rh_hunt_add_events() indexes events (rh_evidence), keeps registry writes at knowledge-
 *     base locations and Sigma matches;
 *   - hunt_sigma_hive() runs the rules over each hive's synthetic state events;
 *   - hunt_fuse() (from rh_hunt_finish) merges everything on host + key + value: one finding
 *     per persistence value, with its fusion state, the writer's process tree, the event time
 *     and the writer's image; records without a hive finding become findings of their own.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- fusion of one finding ------------------------------------------------------------------ */

const char *hunt_gap_reason(rh_hunt *h, const char *host, rh_evidence_fusion state, rh_buf *tmp)
{
    size_t hi;
    rh_evidence_host eh;
    rh_buf_reset(tmp);
    if (state == RH_FUSION_LOG_GAP) {
        return "no write event although registry logs cover the key's last-write time "
               "(logging gap or cleared log)";
    }
    if (state != RH_FUSION_UNCOVERED) {
        return NULL;
    }
    if (rh_evidence_host_find(h->ev, host, &hi) != RH_OK ||
        rh_evidence_host_get(h->ev, hi, &eh) != RH_OK || !eh.has_registry_logs) {
        if (rh_buf_printf(tmp, "no Sysmon logs for host %s: uncorroborated", host) != RH_OK) {
            return "uncorroborated";
        }
        return tmp->data;
    }
    return "registry logs do not cover the key's last-write time: uncorroborated";
}

/* Ask the index about finding f; set fusion state, evidence, time, writer; add reasons. */
static rh_status fuse_finding(rh_hunt *h, struct hunt_finding *f)
{
    rh_evidence_subject subj;
    rh_evidence_verdict v;
    rh_buf val = RH_BUF_INIT(h->ctx), key = RH_BUF_INIT(h->ctx), text = RH_BUF_INIT(h->ctx);
    rh_buf tmp = RH_BUF_INIT(h->ctx);
    rh_status st;
    const char *why;
    st = rh_buf_append(&key, f->pub.key_path, f->pub.key_path_len);
    st = st == RH_OK ? rh_evidence_text(&val, f->pub.value_name, f->pub.value_name_len) : st;
    st = st == RH_OK ? rh_buf_puts(&val, "") : st;
    st = st == RH_OK ? rh_buf_puts(&key, "") : st;
    if (st != RH_OK) {
        goto out;
    }
    memset(&subj, 0, sizeof(subj));
    subj.host = f->pub.host;
    subj.key_path = key.data;
    subj.value_name = val.data;
    subj.presence = f->pub.deleted           ? RH_PRESENCE_DELETED
                    : f->pub.from_log_replay ? RH_PRESENCE_REPLAYED
                                             : RH_PRESENCE_LIVE;
    subj.last_write = f->pub.key_last_write;
    subj.user_name = f->pub.user;
    subj.user_sid = f->pub.user_sid;
    st = rh_evidence_state(h->ev, &subj, &v);
    if (st != RH_OK) {
        goto out;
    }
    st = hunt_finding_set(h->ctx, &f->pub.fusion_state, rh_evidence_fusion_name(v.state),
                          strlen(rh_evidence_fusion_name(v.state)));
    if (st == RH_OK && v.writes) {
        rh_evidence_list wl;
        const rh_evidence_write *w = NULL;
        size_t i;
        memset(&wl, 0, sizeof(wl));
        st = rh_evidence_writes(h->ev, f->pub.host, key.data, val.data, 0, &wl);
        for (i = wl.count; st == RH_OK && i > 0; i--) {
            const rh_evidence_write *c = wl.items[i - 1];
            if ((c->op == RH_EVIDENCE_OP_SET_VALUE || c->op == RH_EVIDENCE_OP_CREATE_KEY) &&
                rh_evidence_write_for_user(c, f->pub.user, f->pub.user_sid)) {
                w = c;
                break;
            }
        }
        if (st == RH_OK && w) {
            st = hunt_write_evidence(h, f->pub.host, w, f->pub.target_path, &text);
            if (st == RH_OK && text.len) {
                st = hunt_finding_set(h->ctx, &f->pub.evidence, text.data, text.len);
                f->pub.evidence_len = text.len;
            }
            f->pub.event_time = w->time;
            st = st == RH_OK ? hunt_finding_set_writer(h->ctx, f, &w->writer) : st;
            if (st == RH_OK && w->writer.image) {
                st = hunt_finding_set(h->ctx, &f->pub.process_executable, w->writer.image,
                                      strlen(w->writer.image));
            }
            if (st == RH_OK && v.state == RH_FUSION_CONFIRMED) {
                rh_buf_reset(&tmp);
                st = rh_buf_printf(&tmp, "write confirmed by %s event %u (%zu write(s) logged)",
                                   w->channel ? w->channel : "an", w->event_id, v.writes);
                st = st == RH_OK ? hunt_add_reason(h, f, tmp.data) : st;
                if (f->pub.confidence < RH_CONF_HIGH) {
                    f->pub.confidence++;
                }
            }
        }
        rh_evidence_list_free(h->ev, &wl);
    }
    why = st == RH_OK ? hunt_gap_reason(h, f->pub.host, v.state, &tmp) : NULL;
    if (why) {
        st = hunt_add_reason(h, f, why);
    }
out:
    rh_buf_free(&val);
    rh_buf_free(&key);
    rh_buf_free(&text);
    rh_buf_free(&tmp);
    return st == RH_ERR_LIMIT ? RH_OK : st;
}

/* ---- the fusion pass ------------------------------------------------------------------------ */

static int cmp_hit(const void *pa, const void *pb)
{
    const struct hit_ord *a = pa, *b = pb;
    int r = strcmp(a->key, b->key);
    if (r) {
        return r;
    }
    if (a->x->kind != b->x->kind) {
        return a->x->kind < b->x->kind ? -1 : 1;
    }
    if (a->x->time != b->x->time) {
        return a->x->time < b->x->time ? -1 : 1;
    }
    if (a->x->record_id != b->x->record_id) {
        return a->x->record_id < b->x->record_id ? -1 : 1;
    }
    if ((r = strcmp(a->x->source, b->x->source)) != 0) {
        return r;
    }
    if (a->x->rule && b->x->rule && a->x->rule != b->x->rule) {
        return strcmp(a->x->rule->id, b->x->rule->id);
    }
    return a->i < b->i ? -1 : a->i > b->i;
}

static int in_range(const rh_hunt *h, uint64_t t)
{
    return t && (!h->opts.window_from || t >= h->opts.window_from) &&
           (!h->opts.window_to || t <= h->opts.window_to);
}

rh_status hunt_fuse(rh_hunt *h)
{
    struct mindex mi;
    struct hit_ord *ord = NULL;
    size_t i, j, k, nkb = h->n;
    rh_status st = RH_OK;
    hunt_mindex_init(h->ctx, &mi);
    if (h->nhits) {
        ord = rh_calloc(h->ctx, h->nhits, sizeof(*ord));
        if (!ord) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < nkb && st == RH_OK; i++) {
            st = hunt_push_map(h, &mi, i);
        }
        for (i = 0; i < h->nhits && st == RH_OK; i++) {
            st = hunt_resolve_hkcu(h, &h->hits[i], &mi);
        }
        for (i = 0; i < h->nhits && st == RH_OK; i++) {
            ord[i].key = hunt_hit_key(h->ctx, h, &h->hits[i]);
            ord[i].i = i;
            ord[i].x = &h->hits[i];
            if (!ord[i].key) {
                st = RH_ERR_NOMEM;
            }
        }
        if (st == RH_OK) {
            rh_sort(ord, h->nhits, sizeof(*ord), cmp_hit);
        }
    }
    /* 1. Sigma over hive state: merge into kb findings, else a finding of its own. */
    for (i = 0; i < h->nhits && st == RH_OK; i++) {
        size_t idx;
        if (ord[i].x->kind != HIT_SIGMA_STATE) {
            continue;
        }
        if (hunt_mindex_get(&mi, ord[i].key, &idx)) {
            st = hunt_merge_sigma(h, h->f[idx], ord[i].x);
        } else {
            st = hunt_finding_from_sigma(h, ord[i].x, &mi);
        }
    }
    /* 2. Fusion of every hive-state finding with the event index. */
    for (i = 0; h->ev && i < h->n && st == RH_OK; i++) {
        st = fuse_finding(h, h->f[i]);
    }
    /* 3. Registry writes without a hive finding: one finding per host + key + value. */
    for (i = 0; i < h->nhits && st == RH_OK; i = j) {
        size_t idx, nw = 0, last = i;
        for (j = i; j < h->nhits && strcmp(ord[j].key, ord[i].key) == 0; j++) {
            if (ord[j].x->kind == HIT_WRITE) {
                nw++;
                last = j;
            }
        }
        if (!nw) {
            continue;
        }
        if (hunt_mindex_get(&mi, ord[i].key, &idx)) {
            h->stats.merged += nw;
            for (k = i; k < j && st == RH_OK; k++) {
                if (ord[k].x->kind == HIT_WRITE && ord[k].x->user_inferred) {
                    st = hunt_note_inferred(h, h->f[idx]);
                }
            }
            continue;
        }
        st = hunt_finding_from_write(h, ord[last].x, nw, &mi);
    }
    /* 4. Sigma over events: merge, else a finding of its own. */
    for (i = 0; i < h->nhits && st == RH_OK; i++) {
        size_t idx;
        if (ord[i].x->kind != HIT_SIGMA_EVENT) {
            continue;
        }
        if (hunt_mindex_get(&mi, ord[i].key, &idx)) {
            st = hunt_merge_sigma(h, h->f[idx], ord[i].x);
            if (st == RH_OK && ord[i].x->user_inferred) {
                st = hunt_note_inferred(h, h->f[idx]);
            }
        } else {
            st = hunt_finding_from_sigma(h, ord[i].x, &mi);
        }
    }
    /* 4b. Sigma correlations: join the findings of their windows' events, else a finding. */
    if (st == RH_OK && h->ncorrs) {
        st = hunt_join_correlations(h, ord, &mi);
    }
    /* 5. Threat intelligence (before the counters: a hit can raise the risk). */
    if (st == RH_OK && h->opts.ioc) {
        st = hunt_ioc_apply(h);
    }
    /* 6. Hunt window, counters. */
    memset(h->stats.by_risk, 0, sizeof(h->stats.by_risk));
    memset(h->stats.by_fusion, 0, sizeof(h->stats.by_fusion));
    h->stats.known_good = 0;
    h->stats.outside_window = 0;
    for (i = 0; i < h->n && st == RH_OK; i++) {
        rh_finding *f = &h->f[i]->pub;
        rh_evidence_fusion fs;
        if (h->opts.window_from || h->opts.window_to) {
            f->in_window = in_range(h, f->key_last_write) || in_range(h, f->event_time);
            if (f->in_window) {
                st = hunt_add_reason(h, h->f[i], "inside the hunt window");
            } else {
                h->stats.outside_window++;
            }
        }
        if ((unsigned)f->risk <= RH_RISK_CRITICAL) {
            h->stats.by_risk[f->risk]++;
        }
        h->stats.known_good += f->known_good != 0;
        if (rh_evidence_fusion_parse(f->fusion_state, &fs) == RH_OK) {
            h->stats.by_fusion[fs]++;
        }
    }
    if (st == RH_OK && (h->ev || h->opts.rules)) {
        st = hunt_build_sources(h);
    }
    for (i = 0; ord && i < h->nhits; i++) {
        rh_free(h->ctx, ord[i].key);
    }
    rh_free(h->ctx, ord);
    hunt_mindex_free(h->ctx, &mi);
    return st;
}

void hunt_fuse_free(rh_hunt *h)
{
    size_t i, k;
    for (i = 0; i < h->nhits; i++) {
        hunt_hit_free(h->ctx, &h->hits[i]);
    }
    rh_free(h->ctx, h->hits);
    for (i = 0; i < h->nhosts; i++) {
        for (k = 0; k < h->hosts[i].nusers; k++) {
            rh_free(h->ctx, h->hosts[i].users[k].sid);
            rh_free(h->ctx, h->hosts[i].users[k].user);
            rh_free(h->ctx, h->hosts[i].users[k].hku);
        }
        rh_free(h->ctx, h->hosts[i].users);
        rh_free(h->ctx, h->hosts[i].name);
    }
    rh_free(h->ctx, h->hosts);
    for (i = 0; i < h->npool; i++) {
        rh_free(h->ctx, h->pool[i]);
    }
    rh_free(h->ctx, h->pool);
    rh_free(h->ctx, h->sources);
    for (i = 0; i < h->ngaps; i++) {
        rh_free(h->ctx, h->gaps[i]);
    }
    rh_free(h->ctx, h->gaps);
    for (i = 0; i < h->ncorrs; i++) {
        rh_free(h->ctx, h->corrs[i].group);
        rh_free(h->ctx, h->corrs[i].host);
    }
    rh_free(h->ctx, h->corrs);
    rh_sigma_matcher_destroy(h->matcher);
    rh_sigma_matcher_destroy(h->state_matcher);
    rh_evidence_destroy(h->ev);
}
