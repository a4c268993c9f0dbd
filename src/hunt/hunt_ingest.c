/*
 * Event input of the hunt: rh_hunt_add_events*() index events (rh_evidence) and keep the
 * registry writes at knowledge-base locations and the Sigma matches as hits; hunt_sigma_hive()
 * runs the rules over each hive's synthetic state events; hunt_note_host() records what the
 * collection held for each host.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- hits ------------------------------------------------------------------------------------ */

void hunt_hit_free(rh_ctx *ctx, struct hunt_hit *x)
{
    rh_free(ctx, x->host);
    rh_free(ctx, x->target);
    rh_free(ctx, x->details);
    rh_free(ctx, x->source);
    rh_free(ctx, x->image);
    rh_free(ctx, x->guid);
    rh_free(ctx, x->user);
    rh_free(ctx, x->user_sid);
    rh_free(ctx, x->user_name);
    rh_free(ctx, x->hive_kind);
    rh_free(ctx, x->extra);
    rh_free(ctx, x->writer_sid);
}

static rh_status hit_push(rh_hunt *h, struct hunt_hit *x)
{
    rh_ctx *ctx = h->ctx;
    if (!x->host || !x->target || !x->details || !x->source || !x->image || !x->guid || !x->user ||
        !x->user_sid || !x->user_name || !x->hive_kind || !x->extra || !x->writer_sid) {
        hunt_hit_free(ctx, x);
        return RH_ERR_NOMEM;
    }
    if (h->nhits >= HUNT_MAX_HITS) {
        hunt_hit_free(ctx, x);
        return RH_OK; /* counted in stats by the caller; the cap is documented */
    }
    if (h->nhits == h->caphits) {
        size_t nc = h->caphits ? h->caphits * 2 : 64;
        struct hunt_hit *nh = rh_realloc(ctx, h->hits, nc * sizeof(*nh));
        if (!nh) {
            hunt_hit_free(ctx, x);
            return RH_ERR_NOMEM;
        }
        h->hits = nh;
        h->caphits = nc;
    }
    h->hits[h->nhits++] = *x;
    return RH_OK;
}

/* A copy of an actor field's text ("" when absent). */
static char *actor_str(rh_ctx *ctx, const rh_event_field *f)
{
    return f ? rh_strndup(ctx, f->value, f->value_len) : rh_strdup(ctx, "");
}

/* Fill a hit from a logged event: its registry path, and the writer and data as the evidence
 * index reads them (rh_evidence_actor_of). */
static void hit_from_event(rh_ctx *ctx, struct hunt_hit *x, const rh_event *e, int kind)
{
    rh_buf raw = RH_BUF_INIT(ctx);
    rh_evidence_actor a;
    rh_evidence_actor_of(e, &a);
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->host = rh_strdup(ctx, e->computer);
    if (rh_event_registry_path(e, &raw, NULL) == RH_OK && raw.data) {
        x->target = rh_strndup(ctx, raw.data, raw.len);
        x->target_len = raw.len;
    } else {
        x->target = rh_strdup(ctx, "");
    }
    rh_buf_free(&raw);
    x->details = actor_str(ctx, a.details);
    x->source = rh_strdup(ctx, e->source);
    x->image = actor_str(ctx, a.image);
    x->guid = actor_str(ctx, a.guid);
    x->user = actor_str(ctx, a.user_name);
    x->user_sid = rh_strdup(ctx, "");
    x->user_name = rh_strdup(ctx, "");
    x->hive_kind = rh_strdup(ctx, "");
    x->extra = actor_str(ctx, a.subject);
    /* Sysmon's System UserID is the Sysmon service (SYSTEM), not the writer. */
    x->writer_sid = a.user_sid                     ? actor_str(ctx, a.user_sid)
                    : a.cls.sysmon || !e->user_sid ? rh_strdup(ctx, "")
                                                   : rh_strdup(ctx, e->user_sid);
    x->pid = a.pid;
    x->event_id = e->event_id;
    x->time = a.time;
    x->ts = e->timestamp;
    x->record_id = e->record_id;
}

/* A correlation that fired: kept for the join to the findings of its window's events
 * (hunt_join_correlations). */
static rh_status corr_push(rh_hunt *h, const rh_sigma_match *m)
{
    struct hunt_corr c;
    rh_status st;
    if (h->ncorrs >= HUNT_MAX_HITS) {
        return RH_OK; /* the cap of hits (documented) */
    }
    memset(&c, 0, sizeof(c));
    c.rule = m->rule;
    c.group = rh_strdup(h->ctx, m->group ? m->group : "");
    c.host = rh_strdup(h->ctx, m->event && m->event->computer ? m->event->computer : "");
    c.value = m->value;
    c.first = m->first_ts;
    c.last = m->last_ts;
    if (!c.group || !c.host) {
        rh_free(h->ctx, c.group);
        rh_free(h->ctx, c.host);
        return RH_ERR_NOMEM;
    }
    RH_ARRAY_PUSH(h->ctx, h->corrs, h->ncorrs, h->capcorrs, c, st);
    if (st != RH_OK) {
        rh_free(h->ctx, c.group);
        rh_free(h->ctx, c.host);
    }
    h->stats.sigma_correlations++;
    return st;
}

static rh_status on_event_match(const rh_sigma_match *m, void *user)
{
    rh_hunt *h = user;
    struct hunt_hit x;
    if (m->rule && m->rule->kind == RH_SIGMA_CORRELATION) {
        return corr_push(h, m);
    }
    if (!m->event || !m->rule || m->rule->kind != RH_SIGMA_DETECTION) {
        return RH_OK;
    }
    if (!m->referenced) {
        h->stats.sigma_event_hits++;
    }
    hit_from_event(h->ctx, &x, m->event, m->referenced ? HIT_SIGMA_REF : HIT_SIGMA_EVENT);
    x.rule = m->rule;
    return hit_push(h, &x);
}

rh_status hunt_sigma_flush(rh_hunt *h)
{
    return h->matcher ? rh_sigma_matcher_flush(h->matcher, on_event_match, h) : RH_OK;
}

/* A registry value set (the evidence index's classification: Sysmon 13, 4657 not deleting). */
static int is_set_write(const rh_event *e)
{
    rh_evidence_class cls;
    rh_evidence_classify(e, &cls);
    return cls.kind == RH_EVIDENCE_KIND_WRITE && cls.op == RH_EVIDENCE_OP_SET_VALUE;
}

static rh_status on_event(const rh_event *e, void *user)
{
    rh_hunt *h = user;
    rh_status st;
    h->stats.events++;
    st = rh_evidence_add_event(h->ev, e);
    if (st == RH_OK && is_set_write(e)) {
        rh_buf raw = RH_BUF_INIT(h->ctx);
        struct target_map m;
        hunt_map_init(&m, h->ctx);
        st = rh_event_registry_path(e, &raw, NULL);
        if (st == RH_OK && raw.data) {
            st = hunt_map_target(raw.data, raw.len, &m);
            if (st == RH_OK && hunt_kb_loc(h, &m)) {
                struct hunt_hit x;
                hit_from_event(h->ctx, &x, e, HIT_WRITE);
                st = hit_push(h, &x);
            }
        }
        st = st == RH_NOT_FOUND ? RH_OK : st;
        hunt_map_free(&m);
        rh_buf_free(&raw);
    }
    if (st == RH_OK && h->matcher) {
        st = rh_sigma_matcher_match(h->matcher, e, on_event_match, h);
    }
    return st;
}

/* Events of an input read from a host folder: those without a Computer get the host's name,
 * so that a minimal export inside <host>/ joins that host's hives. */
struct host_default {
    rh_hunt *h;
    const char *host;
};

static rh_status on_event_in_host(const rh_event *e, void *user)
{
    const struct host_default *d = user;
    rh_event copy;
    if (d->host && d->host[0] && (!e->computer || !e->computer[0])) {
        copy = *e;
        copy.computer = d->host;
        return on_event(&copy, d->h);
    }
    return on_event(e, d->h);
}

rh_status rh_hunt_add_events_mem(rh_hunt *h, const char *name, const void *data, size_t len,
                                 const char *host)
{
    struct host_default d;
    rh_status st;
    if (!h || !name || (!data && len) || h->finished) {
        return RH_ERR_ARG;
    }
    if (!h->ev) {
        st = rh_evidence_create(h->ctx, NULL, &h->ev);
        if (st != RH_OK) {
            return st;
        }
    }
    d.h = h;
    d.host = host;
    st = rh_events_read_mem(h->ctx, name, data, len, NULL, on_event_in_host, &d);
    if (st == RH_OK) {
        h->stats.event_inputs++;
    } else {
        h->stats.event_inputs_failed++;
    }
    return st;
}

rh_status hunt_collection_events(rh_hunt *h, rh_collection *coll)
{
    size_t i, n = rh_collection_events_count(coll);
    rh_status st = RH_OK;
    if (n && !h->ev) {
        st = rh_evidence_create(h->ctx, NULL, &h->ev);
    }
    for (i = 0; i < n && st == RH_OK; i++) {
        const rh_coll_events *ce = rh_collection_events_at(coll, i);
        const rh_coll_host *ho = rh_collection_host_at(coll, ce->host);
        struct host_default d;
        d.h = h;
        d.host = ho ? ho->name : NULL;
        if (h->opts.progress) {
            h->opts.progress(h->opts.progress_user, i, n, ce->source);
        }
        st = rh_collection_events_read(coll, i, NULL, on_event_in_host, &d);
        if (st == RH_OK) {
            h->stats.event_inputs++;
        } else {
            h->stats.event_inputs_failed++;
        }
        if (st != RH_ERR_NOMEM && st != RH_ERR_STRICT) {
            st = RH_OK; /* one unreadable log does not stop the hunt: diag raised, counted */
        }
    }
    return st;
}

rh_status rh_hunt_add_events(rh_hunt *h, const char *path)
{
    rh_status st;
    if (!h || !path || h->finished) {
        return RH_ERR_ARG;
    }
    if (!h->ev) {
        st = rh_evidence_create(h->ctx, NULL, &h->ev);
        if (st != RH_OK) {
            return st;
        }
    }
    st = rh_events_read_file(h->ctx, path, NULL, on_event, h);
    if (st == RH_OK) {
        h->stats.event_inputs++;
    } else {
        h->stats.event_inputs_failed++;
    }
    return st;
}

rh_evidence *rh_hunt_evidence(const rh_hunt *h)
{
    return h ? h->ev : NULL;
}

/* ---- rules over hive state ------------------------------------------------------------------ */

struct state_ctx {
    rh_hunt *h;
    const rh_coll_host *host;
    const rh_coll_hive *ch;
    const rh_event *cur;
};

static rh_status on_state_match(const rh_sigma_match *m, void *user)
{
    struct state_ctx *s = user;
    rh_ctx *ctx = s->h->ctx;
    struct hunt_hit x;
    const rh_event *e = m->event;
    const rh_event_field *tf, *df;
    if (!e || !m->rule || m->rule->kind != RH_SIGMA_DETECTION) {
        return RH_OK;
    }
    s->h->stats.sigma_state_hits++;
    memset(&x, 0, sizeof(x));
    x.kind = HIT_SIGMA_STATE;
    x.rule = m->rule;
    x.host = rh_strdup(ctx, s->host->name);
    tf = rh_event_field_get(e, "TargetObject");
    df = rh_event_field_get(e, "Details");
    if (tf && tf->value) {
        x.target = rh_strndup(ctx, tf->value, tf->value_len);
        x.target_len = tf->value_len;
    } else {
        x.target = rh_strdup(ctx, "");
    }
    x.details = df && df->value ? rh_strndup(ctx, df->value, df->value_len) : rh_strdup(ctx, "");
    x.source = rh_strdup(ctx, s->ch->source);
    x.image = rh_strdup(ctx, "");
    x.guid = rh_strdup(ctx, "");
    x.user = rh_strdup(ctx, "");
    x.user_sid = rh_strdup(ctx, s->ch->user_sid);
    x.user_name = rh_strdup(ctx, s->ch->user);
    x.hive_kind = rh_strdup(ctx, rh_hive_kind_name(s->ch->kind));
    x.extra = rh_strdup(ctx, "");
    x.writer_sid = rh_strdup(ctx, "");
    x.event_id = e->event_id;
    x.key_last_write = e->timestamp;
    x.record_id = e->record_id;
    return hit_push(s->h, &x);
}

static rh_status on_state_event(const rh_event *e, void *user)
{
    struct state_ctx *s = user;
    return rh_sigma_matcher_match(s->h->state_matcher, e, on_state_match, s);
}

rh_status hunt_sigma_hive(rh_hunt *h, const rh_coll_host *host, const rh_coll_hive *ch,
                          const rh_hive *hv)
{
    rh_sigma_hive_opts ho;
    rh_buf root = RH_BUF_INIT(h->ctx);
    struct state_ctx s;
    rh_status st = RH_OK;
    if (!h->state_matcher) {
        return RH_OK;
    }
    memset(&ho, 0, sizeof(ho));
    switch (ch->kind) {
    case RH_HIVE_KIND_SOFTWARE:
        st = rh_buf_lit(&root, "HKLM\\SOFTWARE");
        break;
    case RH_HIVE_KIND_SYSTEM:
        st = rh_buf_lit(&root, "HKLM\\System");
        break;
    case RH_HIVE_KIND_DEFAULT:
        st = rh_buf_lit(&root, "HKU\\.DEFAULT");
        break;
    case RH_HIVE_KIND_NTUSER:
    case RH_HIVE_KIND_USRCLASS:
        st = rh_buf_printf(&root, "HKU\\%s%s",
                           ch->user_sid ? ch->user_sid : (ch->user ? ch->user : "UNKNOWN"),
                           ch->kind == RH_HIVE_KIND_USRCLASS ? "_Classes" : "");
        break;
    default:
        rh_buf_free(&root);
        return RH_OK;
    }
    if (st == RH_OK) {
        ho.root = root.data;
        s.h = h;
        s.host = host;
        s.ch = ch;
        s.cur = NULL;
        st = rh_sigma_hive_events(h->ctx, hv, &ho, on_state_event, &s);
    }
    rh_buf_free(&root);
    return st;
}

/* ---- hosts ---------------------------------------------------------------------------------- */

rh_status hunt_note_host(rh_hunt *h, rh_collection *coll, size_t hi, size_t first, size_t end)
{
    const rh_coll_host *host = rh_collection_host_at(coll, hi);
    struct hunt_host_rec *r, *nh;
    size_t i;
    nh = rh_realloc(h->ctx, h->hosts, (h->nhosts + 1) * sizeof(*nh));
    if (!nh) {
        return RH_ERR_NOMEM;
    }
    h->hosts = nh;
    r = &h->hosts[h->nhosts];
    memset(r, 0, sizeof(*r));
    r->name = rh_strdup(h->ctx, host->name);
    if (!r->name) {
        return RH_ERR_NOMEM;
    }
    r->build = host->build;
    h->nhosts++;
    r->users = rh_calloc(h->ctx, end - first + 1, sizeof(*r->users));
    if (!r->users) {
        return RH_ERR_NOMEM;
    }
    for (i = first; i < end; i++) {
        const rh_coll_hive *ch = rh_collection_hive_at(coll, i);
        if ((unsigned)ch->kind < RH_HIVE_KIND_COUNT) {
            r->hives[ch->kind]++;
        }
        if (ch->kind == RH_HIVE_KIND_NTUSER) {
            /* hku as hunt_host() builds the prefix of the hive's findings */
            r->users[r->nusers].sid = ch->user_sid ? rh_strdup(h->ctx, ch->user_sid) : NULL;
            r->users[r->nusers].user = ch->user ? rh_strdup(h->ctx, ch->user) : NULL;
            r->users[r->nusers].hku =
                rh_strdup(h->ctx, ch->user_sid ? ch->user_sid : (ch->user ? ch->user : "UNKNOWN"));
            if ((ch->user_sid && !r->users[r->nusers].sid) ||
                (ch->user && !r->users[r->nusers].user) || !r->users[r->nusers].hku) {
                rh_free(h->ctx, r->users[r->nusers].sid);
                rh_free(h->ctx, r->users[r->nusers].user);
                rh_free(h->ctx, r->users[r->nusers].hku);
                return RH_ERR_NOMEM;
            }
            r->nusers++;
        }
    }
    return RH_OK;
}

const char *hunt_user_of_sid(const struct hunt_host_rec *r, const char *sid)
{
    size_t i;
    for (i = 0; r && sid && sid[0] && i < r->nusers; i++) {
        if (r->users[i].sid && strcmp(r->users[i].sid, sid) == 0) {
            return r->users[i].user;
        }
    }
    return NULL;
}
