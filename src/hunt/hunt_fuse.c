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

#include "hunt_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- small helpers ------------------------------------------------------------------------ */

static char *dup_n(rh_ctx *ctx, const char *s, size_t n)
{
    char *p = rh_malloc(ctx, n + 1);
    if (p) {
        if (n) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

static char *dup_s(rh_ctx *ctx, const char *s)
{
    return dup_n(ctx, s ? s : "", s ? strlen(s) : 0);
}

/* Length of a host name up to its first dot (FQDN-tolerant comparison). */
static size_t short_len(const char *s)
{
    const char *d = strchr(s, '.');
    return d ? (size_t)(d - s) : strlen(s);
}

static int same_host(const char *a, const char *b)
{
    size_t an, bn;
    if (!a || !b || !a[0] || !b[0]) {
        return 0;
    }
    an = short_len(a);
    bn = short_len(b);
    return rh_ascii_casecmp(a, an, b, bn) == 0;
}

static const rh_event_field *fld(const rh_event *e, const char *name)
{
    const rh_event_field *f = rh_event_field_get(e, name);
    return f && f->value ? f : NULL;
}

static const char *fval(const rh_event *e, const char *name)
{
    const rh_event_field *f = fld(e, name);
    return f ? f->value : "";
}

static uint32_t fnum(const rh_event *e, const char *name)
{
    const rh_event_field *f = fld(e, name);
    uint64_t v = 0;
    size_t i;
    if (!f) {
        return 0;
    }
    if (f->type == RH_FIELD_INT || f->type == RH_FIELD_HEX) {
        return (uint32_t)f->num;
    }
    for (i = 0; i < f->value_len && f->value[i] >= '0' && f->value[i] <= '9' && v < 0xFFFFFFFFu;
         i++) {
        v = v * 10 + (uint64_t)(f->value[i] - '0');
    }
    return v > 0xFFFFFFFFu ? 0 : (uint32_t)v;
}

static uint64_t ftime(const rh_event *e, const char *name)
{
    const rh_event_field *f = fld(e, name);
    uint64_t t;
    if (f && rh_time_parse_iso(f->value, f->value_len, &t) == RH_OK && t) {
        return t;
    }
    return e->timestamp;
}

/* The hive-host record matching an event host, or NULL. */
static struct hunt_host_rec *host_rec(rh_hunt *h, const char *name)
{
    size_t i;
    for (i = 0; i < h->nhosts; i++) {
        if (same_host(h->hosts[i].name, name)) {
            return &h->hosts[i];
        }
    }
    return NULL;
}

/* ---- registry path -> knowledge-base hive ------------------------------------------------- */

struct target_map {
    rh_kb_hive kbh;
    rh_buf canon_key; /* display key: HKLM\SOFTWARE\..., HKU\<SID>\..., HKU\<SID>_Classes\... */
    rh_buf rel_key;   /* relative to the hive root (CurrentControlSet -> ControlSet001) */
    rh_buf value;     /* value name ("" = default) */
    rh_buf sid;       /* user SID or "" */
};

static int strip(const char **p, size_t *n, const char *prefix)
{
    size_t l = strlen(prefix);
    if (*n >= l && rh_ascii_casecmp(*p, l, prefix, l) == 0) {
        *p += l;
        *n -= l;
        return 1;
    }
    return 0;
}

/* Map a logged registry path (any root of the registry view) to a kb hive, a relative key and
 * a value name. Returns RH_OK, RH_NOT_FOUND (root not understood) or RH_ERR_NOMEM. */
static rh_status map_target(const char *t, size_t n, struct target_map *m)
{
    rh_regpath_parts pp;
    rh_kb_hive kbh;
    size_t last, pl;
    rh_status st;
    rh_buf_reset(&m->canon_key);
    rh_buf_reset(&m->rel_key);
    rh_buf_reset(&m->value);
    rh_buf_reset(&m->sid);
    rh_regpath_split(t, n, &pp);
    if (!rh_hive_kind_kb(pp.kind, &kbh)) {
        return RH_NOT_FOUND;
    }
    m->kbh = kbh;
    t = pp.rest;
    n = pp.rest_len;
    for (last = n; last > 0 && t[last - 1] != '\\'; last--) {
    }
    if (last == 0) {
        return RH_NOT_FOUND; /* a value directly under the hive root: no kb location */
    }
    /* display key: the root as findings show it, then the key as logged */
    if (pp.current_user) {
        st = rh_buf_lit(&m->canon_key, "HKCU\\");
    } else if (pp.sid) {
        st = rh_buf_lit(&m->canon_key, "HKU\\");
        st = st == RH_OK ? rh_buf_append(&m->canon_key, pp.sid, (size_t)(pp.rest - pp.sid)) : st;
    } else {
        st = rh_hive_kind_root(pp.kind, NULL, 0, &m->canon_key);
        st = st == RH_OK ? rh_buf_putc(&m->canon_key, '\\') : st;
    }
    st = st == RH_OK ? rh_buf_puts(&m->canon_key, pp.prefix) : st;
    st = st == RH_OK ? rh_buf_append(&m->canon_key, t, last - 1) : st;
    /* relative key: CurrentControlSet is ControlSet001 in an offline SYSTEM hive */
    pl = strlen(pp.prefix);
    if (st == RH_OK) {
        const char *p = pl ? pp.prefix : t;
        size_t pn = pl ? pl : last - 1;
        if (m->kbh == RH_KB_HIVE_SYSTEM && strip(&p, &pn, "CurrentControlSet")) {
            st = rh_buf_lit(&m->rel_key, "ControlSet001");
            st = st == RH_OK ? rh_buf_append(&m->rel_key, p, pn) : st;
            st = st == RH_OK && pl ? rh_buf_append(&m->rel_key, t, last - 1) : st;
        } else {
            st = rh_buf_puts(&m->rel_key, pp.prefix);
            st = st == RH_OK ? rh_buf_append(&m->rel_key, t, last - 1) : st;
        }
    }
    if (st == RH_OK && pp.sid) {
        st = rh_buf_append(&m->sid, pp.sid, pp.sid_len);
    }
    if (st == RH_OK) {
        size_t vn = n - last;
        if (!rh_regpath_is_default_value(t + last, vn)) {
            st = rh_buf_append(&m->value, t + last, vn);
        }
        st = st == RH_OK ? rh_buf_puts(&m->value, "") : st;
        st = st == RH_OK ? rh_buf_puts(&m->sid, "") : st;
        st = st == RH_OK ? rh_buf_puts(&m->rel_key, "") : st;
    }
    return st;
}

static void map_init(struct target_map *m, rh_ctx *ctx)
{
    memset(m, 0, sizeof(*m));
    rh_buf_init(&m->canon_key, ctx);
    rh_buf_init(&m->rel_key, ctx);
    rh_buf_init(&m->value, ctx);
    rh_buf_init(&m->sid, ctx);
}

static void map_free(struct target_map *m)
{
    rh_buf_free(&m->canon_key);
    rh_buf_free(&m->rel_key);
    rh_buf_free(&m->value);
    rh_buf_free(&m->sid);
}

/* The kb location covering a mapped target, or NULL. */
static const rh_kb_location *kb_loc(const rh_hunt *h, const struct target_map *m)
{
    const rh_kb_location *locs[HUNT_MAX_LOCS];
    size_t n = 0;
    if (rh_kb_match(h->kb, m->kbh, m->rel_key.data ? m->rel_key.data : "", m->rel_key.len,
                    m->value.data ? m->value.data : "", m->value.len, locs, HUNT_MAX_LOCS,
                    &n) != RH_OK ||
        n == 0) {
        return NULL;
    }
    return locs[0];
}

/* ---- hits ------------------------------------------------------------------------------------ */

static void hit_free(rh_ctx *ctx, struct hunt_hit *x)
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
        hit_free(ctx, x);
        return RH_ERR_NOMEM;
    }
    if (h->nhits >= HUNT_MAX_HITS) {
        hit_free(ctx, x);
        return RH_OK; /* counted in stats by the caller; the cap is documented */
    }
    if (h->nhits == h->caphits) {
        size_t nc = h->caphits ? h->caphits * 2 : 64;
        struct hunt_hit *nh = rh_realloc(ctx, h->hits, nc * sizeof(*nh));
        if (!nh) {
            hit_free(ctx, x);
            return RH_ERR_NOMEM;
        }
        h->hits = nh;
        h->caphits = nc;
    }
    h->hits[h->nhits++] = *x;
    return RH_OK;
}

/* Fill a hit from a logged event (host, path, details, writer). */
static void hit_from_event(rh_ctx *ctx, struct hunt_hit *x, const rh_event *e, int kind)
{
    rh_buf raw = RH_BUF_INIT(ctx);
    rh_evidence_class cls;
    int sysmon;
    rh_evidence_classify(e, &cls);
    sysmon = cls.sysmon;
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->host = dup_s(ctx, e->computer);
    if (rh_event_registry_path(e, &raw, NULL) == RH_OK && raw.data) {
        x->target = dup_n(ctx, raw.data, raw.len);
        x->target_len = raw.len;
    } else {
        x->target = dup_s(ctx, "");
    }
    rh_buf_free(&raw);
    x->details = dup_s(ctx, fld(e, "Details") ? fval(e, "Details") : fval(e, "NewValue"));
    x->source = dup_s(ctx, e->source);
    if (sysmon || !fld(e, "ProcessName")) {
        x->image = dup_s(ctx, fval(e, "Image"));
    } else {
        x->image = dup_s(ctx, fval(e, "ProcessName"));
    }
    x->guid = dup_s(ctx, fval(e, "ProcessGuid"));
    x->user = dup_s(ctx, fld(e, "User") ? fval(e, "User") : fval(e, "SubjectUserName"));
    x->user_sid = dup_s(ctx, "");
    x->user_name = dup_s(ctx, "");
    x->hive_kind = dup_s(ctx, "");
    x->extra = dup_s(ctx, fld(e, "CommandLine")      ? fval(e, "CommandLine")
                          : fld(e, "TargetFilename") ? fval(e, "TargetFilename")
                                                     : "");
    /* Sysmon's System UserID is the Sysmon service (SYSTEM), not the writer. */
    x->writer_sid = dup_s(ctx, fld(e, "SubjectUserSid") ? fval(e, "SubjectUserSid")
                               : sysmon || !e->user_sid ? ""
                                                        : e->user_sid);
    x->pid = fnum(e, "ProcessId");
    x->event_id = e->event_id;
    x->time = sysmon ? ftime(e, "UtcTime") : e->timestamp;
    x->record_id = e->record_id;
}

static rh_status on_event_match(const rh_sigma_match *m, void *user)
{
    rh_hunt *h = user;
    struct hunt_hit x;
    if (!m->event || !m->rule || m->rule->kind != RH_SIGMA_DETECTION) {
        return RH_OK; /* correlations have no single event to attribute */
    }
    h->stats.sigma_event_hits++;
    hit_from_event(h->ctx, &x, m->event, HIT_SIGMA_EVENT);
    x.rule = m->rule;
    return hit_push(h, &x);
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
        map_init(&m, h->ctx);
        st = rh_event_registry_path(e, &raw, NULL);
        if (st == RH_OK && raw.data) {
            st = map_target(raw.data, raw.len, &m);
            if (st == RH_OK && kb_loc(h, &m)) {
                struct hunt_hit x;
                hit_from_event(h->ctx, &x, e, HIT_WRITE);
                st = hit_push(h, &x);
            }
        }
        st = st == RH_NOT_FOUND ? RH_OK : st;
        map_free(&m);
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
    for (i = 0; i < n && st == RH_OK; i++) {
        const rh_coll_events *ce = rh_collection_events_at(coll, i);
        const rh_coll_host *ho = rh_collection_host_at(coll, ce->host);
        st = rh_hunt_add_events_mem(h, ce->source, ce->data, ce->len, ho ? ho->name : NULL);
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
    if (!e || !m->rule || m->rule->kind != RH_SIGMA_DETECTION) {
        return RH_OK;
    }
    s->h->stats.sigma_state_hits++;
    memset(&x, 0, sizeof(x));
    x.kind = HIT_SIGMA_STATE;
    x.rule = m->rule;
    x.host = dup_s(ctx, s->host->name);
    if (fld(e, "TargetObject")) {
        const rh_event_field *tf = fld(e, "TargetObject");
        x.target = dup_n(ctx, tf->value, tf->value_len);
        x.target_len = tf->value_len;
    } else {
        x.target = dup_s(ctx, "");
    }
    x.details = dup_s(ctx, fval(e, "Details"));
    x.source = dup_s(ctx, s->ch->source);
    x.image = dup_s(ctx, "");
    x.guid = dup_s(ctx, "");
    x.user = dup_s(ctx, "");
    x.user_sid = dup_s(ctx, s->ch->user_sid);
    x.user_name = dup_s(ctx, s->ch->user);
    x.hive_kind = dup_s(ctx, rh_hive_kind_name(s->ch->kind));
    x.extra = dup_s(ctx, "");
    x.writer_sid = dup_s(ctx, "");
    x.event_id = e->event_id;
    x.key_last_write = e->timestamp;
    x.record_id = e->record_id;
    return hit_push(s->h, &x);
}

static rh_status on_state_event(const rh_event *e, void *user)
{
    struct state_ctx *s = user;
    return rh_sigma_matcher_match(s->h->matcher, e, on_state_match, s);
}

rh_status hunt_sigma_hive(rh_hunt *h, const rh_coll_host *host, const rh_coll_hive *ch,
                          const rh_hive *hv)
{
    rh_sigma_hive_opts ho;
    rh_buf root = RH_BUF_INIT(h->ctx);
    struct state_ctx s;
    rh_status st = RH_OK;
    if (!h->matcher) {
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
    r->name = dup_s(h->ctx, host->name);
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
            r->users[r->nusers].sid = ch->user_sid ? dup_s(h->ctx, ch->user_sid) : NULL;
            r->users[r->nusers].user = ch->user ? dup_s(h->ctx, ch->user) : NULL;
            r->users[r->nusers].hku =
                dup_s(h->ctx, ch->user_sid ? ch->user_sid : (ch->user ? ch->user : "UNKNOWN"));
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

static const char *user_of_sid(const struct hunt_host_rec *r, const char *sid)
{
    size_t i;
    for (i = 0; r && sid && sid[0] && i < r->nusers; i++) {
        if (r->users[i].sid && strcmp(r->users[i].sid, sid) == 0) {
            return r->users[i].user;
        }
    }
    return NULL;
}

/* ---- merge index --------------------------------------------------------------------------- */

struct mkey {
    char *key;  /* "HOST|NORMALIZED\KEY\VALUE" */
    size_t idx; /* finding index */
};

struct mindex {
    struct mkey *slots;
    size_t cap, n;
};

static uint64_t fnv(const char *s)
{
    uint64_t x = 1469598103934665603ull;
    while (*s) {
        x = (x ^ (unsigned char)*s++) * 1099511628211ull;
    }
    return x;
}

static rh_status mindex_put(rh_ctx *ctx, struct mindex *m, char *key, size_t idx);

static rh_status mindex_grow(rh_ctx *ctx, struct mindex *m)
{
    struct mindex n;
    size_t i;
    rh_status st = RH_OK;
    n.cap = m->cap ? m->cap * 2 : 256;
    n.n = 0;
    n.slots = rh_calloc(ctx, n.cap, sizeof(*n.slots));
    if (!n.slots) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < m->cap && st == RH_OK; i++) {
        if (m->slots[i].key) {
            st = mindex_put(ctx, &n, m->slots[i].key, m->slots[i].idx);
        }
    }
    rh_free(ctx, m->slots);
    *m = n;
    return st;
}

/* Insert (takes ownership of key); an existing key keeps its first index. */
static rh_status mindex_put(rh_ctx *ctx, struct mindex *m, char *key, size_t idx)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap) {
        rh_status st = mindex_grow(ctx, m);
        if (st != RH_OK) {
            rh_free(ctx, key);
            return st;
        }
    }
    for (i = (size_t)fnv(key) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
        if (strcmp(m->slots[i].key, key) == 0) {
            rh_free(ctx, key);
            return RH_OK;
        }
    }
    m->slots[i].key = key;
    m->slots[i].idx = idx;
    m->n++;
    return RH_OK;
}

static int mindex_get(const struct mindex *m, const char *key, size_t *idx)
{
    size_t i;
    if (!m->cap) {
        return 0;
    }
    for (i = (size_t)fnv(key) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
        if (strcmp(m->slots[i].key, key) == 0) {
            *idx = m->slots[i].idx;
            return 1;
        }
    }
    return 0;
}

static void mindex_free(rh_ctx *ctx, struct mindex *m)
{
    size_t i;
    for (i = 0; i < m->cap; i++) {
        rh_free(ctx, m->slots[i].key);
    }
    rh_free(ctx, m->slots);
    memset(m, 0, sizeof(*m));
}

/* Merge key of host + full registry path (key\value); the path is normalized. Owned. */
static char *merge_key(rh_ctx *ctx, const char *host, const char *path, size_t n)
{
    rh_buf b = RH_BUF_INIT(ctx);
    size_t i, hl = short_len(host ? host : "");
    rh_status st = RH_OK;
    char *out = NULL;
    for (i = 0; i < hl && st == RH_OK; i++) {
        char c = host[i];
        st = rh_buf_putc(&b, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
    }
    st = st == RH_OK ? rh_buf_putc(&b, '|') : st;
    st = st == RH_OK ? rh_regpath_normalize(path, n, &b) : st;
    if (st == RH_OK && b.data) {
        /* NUL inside value names: keep the key a C string */
        for (i = 0; i < b.len; i++) {
            if (b.data[i] == '\0') {
                b.data[i] = '?';
            }
        }
        out = dup_n(ctx, b.data, b.len);
    }
    rh_buf_free(&b);
    return out;
}

static char *finding_key(rh_ctx *ctx, const rh_finding *f)
{
    rh_buf p = RH_BUF_INIT(ctx);
    char *k = NULL;
    rh_status st = rh_buf_append(&p, f->key_path, f->key_path_len);
    st = st == RH_OK ? rh_buf_putc(&p, '\\') : st;
    if (st == RH_OK) {
        st = f->value_name_len ? rh_buf_append(&p, f->value_name, f->value_name_len)
                               : rh_buf_lit(&p, "(Default)");
    }
    if (st == RH_OK) {
        k = merge_key(ctx, f->host, p.data, p.len);
    }
    rh_buf_free(&p);
    return k;
}

/* Merge key of a hit: its registry path, or (non-registry events) its source and record. */
static char *hit_key(rh_ctx *ctx, const rh_hunt *h, const struct hunt_hit *x)
{
    const struct hunt_host_rec *r = host_rec((rh_hunt *)h, x->host);
    const char *host = r ? r->name : x->host;
    if (x->target_len) {
        return merge_key(ctx, host, x->target, x->target_len);
    } else {
        rh_buf b = RH_BUF_INIT(ctx);
        char *k = NULL;
        if (rh_buf_printf(&b, "%.*s|EVENT|%s|%llu|%llu", (int)short_len(host), host, x->source,
                          (unsigned long long)x->record_id, (unsigned long long)x->time) == RH_OK) {
            k = dup_n(ctx, b.data, b.len);
        }
        rh_buf_free(&b);
        return k;
    }
}

/* ---- finding text -------------------------------------------------------------------------- */

static rh_risk level_risk(const char *level)
{
    if (!level) {
        return RH_RISK_MEDIUM;
    }
    if (strcmp(level, "critical") == 0) {
        return RH_RISK_CRITICAL;
    }
    if (strcmp(level, "high") == 0) {
        return RH_RISK_HIGH;
    }
    if (strcmp(level, "low") == 0) {
        return RH_RISK_LOW;
    }
    if (strcmp(level, "informational") == 0) {
        return RH_RISK_INFO;
    }
    return RH_RISK_MEDIUM;
}

/* First `attack.tNNNN[.NNN]` tag as "TNNNN[.NNN]" into out[16], or "" . */
static void rule_technique(const rh_sigma_rule_info *r, char out[16])
{
    size_t i, k;
    out[0] = '\0';
    for (i = 0; i < r->ntags; i++) {
        const char *t = r->tags[i];
        if (strncmp(t, "attack.t", 8) != 0 || t[8] < '0' || t[8] > '9') {
            continue;
        }
        out[0] = 'T';
        for (k = 0; t[8 + k] && k < 13; k++) {
            char c = t[8 + k];
            if (!((c >= '0' && c <= '9') || c == '.')) {
                break;
            }
            out[1 + k] = c;
        }
        out[1 + k] = '\0';
        return;
    }
}

static const char *action_text(rh_risk r, rh_action *a)
{
    if (r >= RH_RISK_CRITICAL) {
        *a = RH_ACTION_CONTAINMENT;
        return "Containment \xE2\x80\x94 isolate the host, collect the referenced binary and the "
               "writer's process tree, remove the value after imaging";
    }
    if (r >= RH_RISK_MEDIUM) {
        *a = RH_ACTION_INVESTIGATION;
        return "Investigation \xE2\x80\x94 review the value, the matched rule and the writing "
               "process; compare with other hosts";
    }
    *a = RH_ACTION_MONITORING;
    return "Monitoring \xE2\x80\x94 keep for context; no action unless corroborated";
}

static rh_status rule_reason(rh_buf *b, const rh_sigma_rule_info *r, int state)
{
    return rh_buf_printf(b, "%sSigma rule %s\"%s\" (%s, level %s)", b->len ? "; " : "",
                         state ? "over hive state, not an event: " : "", r->title, r->id,
                         r->level[0] ? r->level : "none");
}

/* Append a reason to a finding (replacing its reasons string). */
static rh_status add_reason(rh_hunt *h, struct hunt_finding *f, const char *text)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    rh_status st = rh_buf_puts(&b, f->pub.reasons);
    if (st == RH_OK && strstr(f->pub.reasons, text)) {
        rh_buf_free(&b);
        return RH_OK;
    }
    st = st == RH_OK ? rh_buf_printf(&b, "%s%s", b.len ? "; " : "", text) : st;
    if (st == RH_OK) {
        st = hunt_finding_set(h->ctx, f, &f->pub.reasons, b.data, b.len);
    }
    rh_buf_free(&b);
    return st == RH_ERR_LIMIT ? RH_OK : st;
}

/* Append the process tree of a writer to ev_text. */
static rh_status render_tree(rh_hunt *h, const char *host, const rh_evidence_proc_ref *ref,
                             rh_buf *out)
{
    rh_evidence_tree *tree = NULL;
    rh_status st;
    if (!ref->guid && !ref->pid && !ref->image) {
        return RH_OK;
    }
    st = rh_evidence_process_tree(h->ev, host, ref, &tree);
    if (st == RH_NOT_FOUND) {
        return RH_OK;
    }
    if (st == RH_OK) {
        st = rh_buf_lit(out, "Process tree:\n");
        st = st == RH_OK ? rh_evidence_tree_render(tree, RH_EVIDENCE_RENDER_TEXT, 2, out) : st;
    }
    rh_evidence_tree_free(h->ev, tree);
    return st;
}

/* Evidence text for a write event: one line for the write, the writer's tree, and the
 * creation of the target file. */
static rh_status write_evidence(rh_hunt *h, const char *host, const rh_evidence_write *w,
                                const char *target_path, rh_buf *out)
{
    rh_status st = rh_buf_printf(out, "%s %u %s at ", w->channel ? w->channel : "event",
                                 w->event_id, rh_evidence_op_name(w->op));
    st = st == RH_OK ? rh_filetime_to_iso(out, w->time) : st;
    st = st == RH_OK ? rh_buf_lit(out, " by ") : st;
    st = st == RH_OK
             ? rh_escape_append(out, w->writer.image ? w->writer.image : "?",
                                w->writer.image ? strlen(w->writer.image) : 1, RH_ESC_TERMINAL)
             : st;
    st = st == RH_OK ? rh_buf_printf(out, " (pid %u)", w->writer.pid) : st;
    if (st == RH_OK && w->writer.user) {
        st = rh_buf_lit(out, " as ");
        st = st == RH_OK
                 ? rh_escape_append(out, w->writer.user, strlen(w->writer.user), RH_ESC_TERMINAL)
                 : st;
    }
    st = st == RH_OK ? rh_buf_putc(out, '\n') : st;
    if (st == RH_OK) {
        st = render_tree(h, host, &w->writer, out);
    }
    if (st == RH_OK && target_path && target_path[0]) {
        rh_evidence_list fl;
        size_t i;
        memset(&fl, 0, sizeof(fl));
        if (rh_evidence_file_created(h->ev, host, target_path, &fl) == RH_OK) {
            for (i = 0; i < fl.count && i < 4 && st == RH_OK; i++) {
                const rh_evidence_file *fc = fl.items[i];
                st = rh_buf_lit(out, "Target file created: ");
                st = st == RH_OK
                         ? rh_escape_append(out, fc->path, strlen(fc->path), RH_ESC_TERMINAL)
                         : st;
                st = st == RH_OK ? rh_buf_lit(out, " at ") : st;
                st = st == RH_OK ? rh_filetime_to_iso(out, fc->time) : st;
                st = st == RH_OK ? rh_buf_lit(out, " by ") : st;
                st = st == RH_OK
                         ? rh_escape_append(out, fc->image ? fc->image : "?",
                                            fc->image ? strlen(fc->image) : 1, RH_ESC_TERMINAL)
                         : st;
                st = st == RH_OK ? rh_buf_printf(out, " (pid %u)\n", fc->pid) : st;
            }
        }
        rh_evidence_list_free(h->ev, &fl);
    }
    if (st == RH_OK && out->len > HUNT_MAX_EVIDENCE) {
        rh_buf_truncate(out, HUNT_MAX_EVIDENCE);
        st = rh_buf_lit(out, "\n...\n");
    }
    return st;
}

/* ---- fusion of one finding ------------------------------------------------------------------ */

static const char *gap_reason(rh_hunt *h, const char *host, rh_evidence_fusion state, rh_buf *tmp)
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

/* Append s[0..n) as the evidence index stores it: NUL bytes become U+FFFD (correlation.md,
 * "Memory"), so a value name holding NUL is queried whole instead of cut at the NUL. */
static rh_status append_index_text(rh_buf *b, const char *s, size_t n)
{
    rh_status st = RH_OK;
    size_t i, run = 0;
    for (i = 0; i < n && st == RH_OK; i++) {
        if (s[i] == '\0') {
            st = rh_buf_append(b, s + run, i - run);
            st = st == RH_OK ? rh_buf_lit(b, "\xEF\xBF\xBD") : st;
            run = i + 1;
        }
    }
    return st == RH_OK ? rh_buf_append(b, s + run, n - run) : st;
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
    st = st == RH_OK ? append_index_text(&val, f->pub.value_name, f->pub.value_name_len) : st;
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
    st = hunt_finding_set(h->ctx, f, &f->pub.fusion_state, rh_evidence_fusion_name(v.state),
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
            st = write_evidence(h, f->pub.host, w, f->pub.target_path, &text);
            if (st == RH_OK && text.len) {
                st = hunt_finding_set(h->ctx, f, &f->pub.evidence, text.data, text.len);
                f->pub.evidence_len = text.len;
            }
            f->pub.event_time = w->time;
            if (st == RH_OK && w->writer.image) {
                st = hunt_finding_set(h->ctx, f, &f->pub.process_executable, w->writer.image,
                                      strlen(w->writer.image));
            }
            if (st == RH_OK && v.state == RH_FUSION_CONFIRMED) {
                rh_buf_reset(&tmp);
                st = rh_buf_printf(&tmp, "write confirmed by %s event %u (%zu write(s) logged)",
                                   w->channel ? w->channel : "an", w->event_id, v.writes);
                st = st == RH_OK ? add_reason(h, f, tmp.data) : st;
                if (f->pub.confidence < RH_CONF_HIGH) {
                    f->pub.confidence++;
                }
            }
        }
        rh_evidence_list_free(h->ev, &wl);
    }
    why = st == RH_OK ? gap_reason(h, f->pub.host, v.state, &tmp) : NULL;
    if (why) {
        st = add_reason(h, f, why);
    }
out:
    rh_buf_free(&val);
    rh_buf_free(&key);
    rh_buf_free(&text);
    rh_buf_free(&tmp);
    return st == RH_ERR_LIMIT ? RH_OK : st;
}

/* ---- findings from hits ------------------------------------------------------------------- */

/* Decode Sysmon Details into registry data (decoded form). */
static void details_data(const char *d, rh_buf *out, uint32_t *type)
{
    size_t n = strlen(d);
    rh_buf_reset(out);
    if (n >= 7 && strncmp(d, "DWORD (", 7) == 0) {
        uint32_t v = (uint32_t)strtoul(d + 7, NULL, 16);
        uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        *type = 4;
        (void)rh_buf_append(out, (const char *)b, 4);
        return;
    }
    if (n >= 7 && strncmp(d, "QWORD (", 7) == 0) {
        char *end = NULL;
        uint64_t hi = strtoull(d + 7, &end, 16), lo = 0, v;
        uint8_t b[8];
        size_t i;
        if (end && *end == '-') {
            lo = strtoull(end + 1, NULL, 16);
        }
        v = (hi << 32) | (lo & 0xFFFFFFFFu);
        for (i = 0; i < 8; i++) {
            b[i] = (uint8_t)(v >> (8 * i));
        }
        *type = 11;
        (void)rh_buf_append(out, (const char *)b, 8);
        return;
    }
    if (strcmp(d, "Binary Data") == 0) {
        *type = 3;
        return;
    }
    *type = 1;
    if (strcmp(d, "(Empty)") != 0) {
        (void)rh_buf_append(out, d, n);
    }
}

static rh_status push_map(rh_hunt *h, struct mindex *mi, size_t idx)
{
    char *k = finding_key(h->ctx, &h->f[idx]->pub);
    if (!k) {
        return RH_ERR_NOMEM;
    }
    return mindex_put(h->ctx, mi, k, idx);
}

/* Build a finding from the latest registry write of a group (kb match + scorer). */
static rh_status finding_from_write(rh_hunt *h, const struct hunt_hit *x, size_t nwrites,
                                    struct mindex *mi)
{
    struct target_map m;
    const rh_kb_location *loc;
    struct hunt_host_rec *hr = host_rec(h, x->host);
    const char *host = hr ? hr->name : x->host;
    rh_score_input in;
    rh_score_result res;
    struct finding_in fi;
    rh_buf data = RH_BUF_INIT(h->ctx), tname = RH_BUF_INIT(h->ctx), reasons = RH_BUF_INIT(h->ctx);
    rh_buf text = RH_BUF_INIT(h->ctx), tmp = RH_BUF_INIT(h->ctx);
    rh_evidence_subject subj;
    rh_evidence_verdict v;
    rh_evidence_list wl;
    const rh_evidence_write *w = NULL;
    rh_status st;
    uint32_t type = 1;
    size_t i;
    const char *why, *user;
    memset(&res, 0, sizeof(res));
    memset(&wl, 0, sizeof(wl));
    map_init(&m, h->ctx);
    st = map_target(x->target, x->target_len, &m);
    loc = st == RH_OK ? kb_loc(h, &m) : NULL;
    if (!loc) {
        st = st == RH_NOT_FOUND || st == RH_OK ? RH_OK : st;
        goto out;
    }
    details_data(x->details, &data, &type);
    memset(&in, 0, sizeof(in));
    in.loc = loc;
    in.hive = m.kbh;
    in.key_path = m.rel_key.data ? m.rel_key.data : "";
    in.key_len = m.rel_key.len;
    in.value_name = m.value.data ? m.value.data : "";
    in.name_len = m.value.len;
    in.data.type = type;
    in.data.data = (const uint8_t *)(data.data ? data.data : "");
    in.data.len = data.len;
    in.key_last_write = x->time;
    in.reference_time = h->stats.reference_time ? h->stats.reference_time : x->time;
    in.build = rh_win_family_from_build(hr ? hr->build : 0); /* the hive-side rule of hunt.c */
    st = rh_score_value(h->ctx, &in, &res);
    if (st != RH_OK) {
        goto out;
    }
    /* Fusion state: the hive was examined when the host has a hive of that kind. */
    memset(&subj, 0, sizeof(subj));
    subj.host = host;
    subj.key_path = m.canon_key.data;
    subj.value_name = m.value.data ? m.value.data : "";
    subj.presence = RH_PRESENCE_UNKNOWN;
    if (hr) {
        rh_hive_kind k = m.kbh == RH_KB_HIVE_SOFTWARE   ? RH_HIVE_KIND_SOFTWARE
                         : m.kbh == RH_KB_HIVE_SYSTEM   ? RH_HIVE_KIND_SYSTEM
                         : m.kbh == RH_KB_HIVE_USRCLASS ? RH_HIVE_KIND_USRCLASS
                                                        : RH_HIVE_KIND_NTUSER;
        if (hr->hives[k]) {
            subj.presence = RH_PRESENCE_ABSENT;
        }
    }
    st = rh_evidence_state(h->ev, &subj, &v);
    if (st == RH_OK) {
        st = rh_evidence_writes(h->ev, host, m.canon_key.data, subj.value_name, 0, &wl);
    }
    for (i = wl.count; st == RH_OK && i > 0; i--) {
        const rh_evidence_write *c = wl.items[i - 1];
        if (c->op == RH_EVIDENCE_OP_SET_VALUE) {
            w = c;
            break;
        }
    }
    if (st == RH_OK && w) {
        st = write_evidence(h, host, w, res.target, &text);
    }
    st = st == RH_OK ? rh_reg_type_append(type, &tname) : st;
    st = st == RH_OK ? rh_buf_puts(&reasons, res.reasons ? res.reasons : "") : st;
    if (st == RH_OK) {
        st = rh_buf_printf(&reasons, "%s%s: %s (%zu write event(s))", reasons.len ? "; " : "",
                           v.state == RH_FUSION_GONE ? "value written but absent from the hive"
                                                     : "value seen only in event logs",
                           rh_evidence_fusion_text(v.state), nwrites);
    }
    why = st == RH_OK ? gap_reason(h, host, v.state, &tmp) : NULL;
    if (why) {
        st = rh_buf_printf(&reasons, "; %s", why);
    }
    if (st != RH_OK) {
        goto out;
    }
    user = user_of_sid(hr, m.sid.data);
    memset(&fi, 0, sizeof(fi));
    fi.source = RH_FINDING_EVENT;
    fi.technique = res.technique ? res.technique : loc->technique;
    fi.technique_name = res.technique_name ? res.technique_name : loc->technique_name;
    fi.location_id = loc->id;
    fi.host = host;
    fi.user = user ? user : (m.sid.len || m.kbh >= RH_KB_HIVE_NTUSER ? x->user : "");
    fi.user_sid = m.sid.data ? m.sid.data : "";
    fi.source_file = x->source;
    fi.hive_kind = rh_kb_hive_name(m.kbh);
    fi.key_path = m.canon_key.data;
    fi.key_path_len = m.canon_key.len;
    fi.rel_key = m.rel_key.data;
    fi.rel_key_len = m.rel_key.len;
    fi.value_name = m.value.data ? m.value.data : "";
    fi.value_name_len = m.value.len;
    fi.value_type = tname.data ? tname.data : "";
    fi.value_data = x->details;
    fi.value_data_len = strlen(x->details);
    fi.target_path = res.target ? res.target : "";
    fi.path_class = res.target ? rh_path_class_name(res.path_class) : "";
    fi.risk = res.risk;
    fi.confidence = res.confidence;
    fi.action = res.action;
    fi.reasons = reasons.data;
    fi.recommended_action = res.action_text ? res.action_text : "";
    fi.evidence = text.data;
    fi.evidence_len = text.len;
    fi.event_time = w ? w->time : x->time;
    fi.process_executable =
        w && w->writer.image ? w->writer.image : (x->image[0] ? x->image : NULL);
    fi.fusion_state = rh_evidence_fusion_name(v.state);
    st = hunt_finding_add(h, &fi);
    if (st == RH_OK) {
        st = push_map(h, mi, h->n - 1);
    }
out:
    rh_evidence_list_free(h->ev, &wl);
    rh_score_result_free(h->ctx, &res);
    map_free(&m);
    rh_buf_free(&data);
    rh_buf_free(&tname);
    rh_buf_free(&reasons);
    rh_buf_free(&text);
    rh_buf_free(&tmp);
    return st;
}

/* A finding from a Sigma hit that matched nothing the knowledge base found. */
static rh_status finding_from_sigma(rh_hunt *h, const struct hunt_hit *x, struct mindex *mi)
{
    struct target_map m;
    struct hunt_host_rec *hr = host_rec(h, x->host);
    const char *host = hr ? hr->name : x->host;
    char tech[16];
    struct finding_in fi;
    rh_buf reasons = RH_BUF_INIT(h->ctx), text = RH_BUF_INIT(h->ctx), key = RH_BUF_INIT(h->ctx);
    rh_buf tmp = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    rh_risk risk = level_risk(x->rule->level);
    rh_action act;
    const char *atext = action_text(risk, &act), *user = NULL;
    int mapped = 0;
    map_init(&m, h->ctx);
    if (x->target_len) {
        st = map_target(x->target, x->target_len, &m);
        mapped = st == RH_OK;
        st = st == RH_NOT_FOUND ? RH_OK : st;
    }
    rule_technique(x->rule, tech);
    st = st == RH_OK ? rule_reason(&reasons, x->rule, x->kind == HIT_SIGMA_STATE) : st;
    if (st == RH_OK && x->kind == HIT_SIGMA_EVENT && h->ev) {
        rh_evidence_proc_ref ref;
        memset(&ref, 0, sizeof(ref));
        ref.guid = x->guid[0] ? x->guid : NULL;
        ref.pid = x->pid;
        ref.time = x->time;
        ref.image = x->image[0] ? x->image : NULL;
        ref.user = x->user[0] ? x->user : NULL;
        st = rh_buf_printf(&text, "Event %u at ", x->event_id);
        st = st == RH_OK ? rh_filetime_to_iso(&text, x->time) : st;
        st = st == RH_OK
                 ? rh_buf_printf(&text, " (record %llu)\n", (unsigned long long)x->record_id)
                 : st;
        st = st == RH_OK ? render_tree(h, host, &ref, &text) : st;
    }
    if (st == RH_OK && !mapped && x->target_len) {
        st = rh_buf_append(&key, x->target, x->target_len); /* unknown root: as logged */
    }
    if (st != RH_OK) {
        goto out;
    }
    if (mapped) {
        user = user_of_sid(hr, m.sid.data);
    }
    memset(&fi, 0, sizeof(fi));
    fi.source = x->kind == HIT_SIGMA_STATE ? RH_FINDING_SIGMA_STATE : RH_FINDING_EVENT;
    fi.technique = tech[0] ? tech : "-";
    fi.technique_name = tech[0] && rh_technique_name(tech) ? rh_technique_name(tech) : "";
    fi.location_id = x->rule->id;
    fi.host = host;
    fi.user = x->user_name[0] ? x->user_name : user ? user : x->user;
    fi.user_sid = x->user_sid[0] ? x->user_sid : (mapped && m.sid.data ? m.sid.data : "");
    fi.source_file = x->source;
    fi.hive_kind = x->hive_kind[0] ? x->hive_kind : mapped ? rh_kb_hive_name(m.kbh) : "";
    if (mapped) {
        fi.key_path = m.canon_key.data;
        fi.key_path_len = m.canon_key.len;
        fi.rel_key = m.rel_key.data;
        fi.rel_key_len = m.rel_key.len;
        fi.value_name = m.value.data ? m.value.data : "";
        fi.value_name_len = m.value.len;
    } else {
        fi.key_path = key.data ? key.data : "";
        fi.key_path_len = key.len;
        fi.value_name = "";
    }
    if (x->target_len) {
        rh_buf dd = RH_BUF_INIT(h->ctx);
        uint32_t ty = 1;
        details_data(x->details, &dd, &ty);
        rh_buf_free(&dd);
        st = rh_reg_type_append(ty, &tmp);
        if (st != RH_OK) {
            goto out;
        }
    }
    fi.value_type = x->target_len ? (tmp.data ? tmp.data : "") : "event";
    fi.value_data = x->target_len ? x->details : x->extra;
    fi.value_data_len = strlen(fi.value_data);
    fi.key_last_write = x->key_last_write;
    fi.target_path = "";
    fi.path_class = "";
    fi.risk = risk;
    fi.confidence = RH_CONF_MEDIUM;
    fi.action = act;
    fi.reasons = reasons.data;
    fi.recommended_action = atext;
    fi.evidence = text.data;
    fi.evidence_len = text.len;
    fi.event_time = x->kind == HIT_SIGMA_EVENT ? x->time : 0;
    fi.process_executable = x->image[0] ? x->image : NULL;
    if (x->kind == HIT_SIGMA_EVENT && h->ev) {
        fi.fusion_state = rh_evidence_fusion_name(hr ? RH_FUSION_GONE : RH_FUSION_EVENT_ONLY);
        if (!x->target_len) {
            fi.fusion_state = "event-only";
        }
    }
    st = hunt_finding_add(h, &fi);
    if (st == RH_OK && x->target_len) {
        st = push_map(h, mi, h->n - 1);
    } else if (st == RH_OK) {
        char *k = hit_key(h->ctx, h, x);
        st = k ? mindex_put(h->ctx, mi, k, h->n - 1) : RH_ERR_NOMEM;
    }
    if (st == RH_OK) {
        h->f[h->n - 1]->sigma_rules = 1;
    }
out:
    map_free(&m);
    rh_buf_free(&reasons);
    rh_buf_free(&text);
    rh_buf_free(&key);
    rh_buf_free(&tmp);
    return st;
}

/* Add a Sigma hit's rule to an existing finding (reasons, risk at least the rule's level). */
static rh_status merge_sigma(rh_hunt *h, struct hunt_finding *f, const struct hunt_hit *x)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    h->stats.merged++;
    if (f->sigma_rules >= HUNT_MAX_RULE_REASONS) {
        return RH_OK;
    }
    st = rule_reason(&b, x->rule, x->kind == HIT_SIGMA_STATE);
    if (st == RH_OK && !strstr(f->pub.reasons, b.data)) {
        st = add_reason(h, f, b.data);
        f->sigma_rules++;
    }
    rh_buf_free(&b);
    return st;
}

/* ---- sources and gaps ----------------------------------------------------------------------- */

static const char *pool_add(rh_hunt *h, const char *s)
{
    char **np;
    char *p = dup_s(h->ctx, s);
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
    h->gaps[h->ngaps] = dup_s(h->ctx, text);
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

static rh_status build_sources(rh_hunt *h)
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
        hr = host_rec(h, eh.name);
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
        qsort(h->sources, h->nsources, sizeof(h->sources[0]), cmp_source);
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

/* ---- HKCU writes -> the writer's user hive -------------------------------------------------- */

/* Length of an HKCU root (any spelling, with its backslash) starting t, else 0. */
static size_t hkcu_root_len(const char *t, size_t n)
{
    rh_regpath_parts pp;
    rh_regpath_split(t, n, &pp);
    return pp.current_user ? (size_t)(pp.rest - t) : 0;
}

static int user_by_sid(const struct hunt_host_rec *r, const char *sid)
{
    size_t i;
    for (i = 0; i < r->nusers; i++) {
        if (r->users[i].sid &&
            rh_ascii_casecmp(r->users[i].sid, strlen(r->users[i].sid), sid, strlen(sid)) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The host's user hive (index in r->users) of the account that wrote x, or -1. *named says
 * whether the event names a writer at all (SID, or Sysmon User / 4657 SubjectUserName as
 * "DOMAIN\name"). The name matches a profile folder "name" or "name.DOMAIN". */
static int writer_user(const struct hunt_host_rec *r, const struct hunt_hit *x, int *named)
{
    static const struct {
        const char *name, *sid;
    } wk[] = {{"SYSTEM", "S-1-5-18"},
              {"LOCAL SERVICE", "S-1-5-19"},
              {"LOCALSERVICE", "S-1-5-19"},
              {"NETWORK SERVICE", "S-1-5-20"},
              {"NETWORKSERVICE", "S-1-5-20"}};
    const char *u = x->user, *bs, *name;
    size_t i, nl, dl;
    int k;
    *named = 0;
    if (x->writer_sid[0]) {
        *named = 1;
        if ((k = user_by_sid(r, x->writer_sid)) >= 0) {
            return k;
        }
    }
    if (!u[0] || strcmp(u, "-") == 0) {
        return -1;
    }
    *named = 1;
    if (strncmp(u, "S-1-", 4) == 0) {
        return user_by_sid(r, u);
    }
    bs = strrchr(u, '\\');
    name = bs ? bs + 1 : u;
    nl = strlen(name);
    dl = bs ? (size_t)(bs - u) : 0;
    for (i = 0; i < sizeof(wk) / sizeof(wk[0]); i++) {
        if (rh_ascii_casecmp(name, nl, wk[i].name, strlen(wk[i].name)) == 0 &&
            (k = user_by_sid(r, wk[i].sid)) >= 0) {
            return k;
        }
    }
    for (i = 0; i < r->nusers; i++) {
        const char *p = r->users[i].user;
        size_t pl = p ? strlen(p) : 0;
        if (!p || pl < nl || rh_ascii_casecmp(p, nl, name, nl) != 0) {
            continue;
        }
        if (pl == nl || (dl && pl == nl + 1 + dl && p[nl] == '.' &&
                         rh_ascii_casecmp(p + nl + 1, dl, u, dl) == 0)) {
            return (int)i;
        }
    }
    return -1;
}

/* "HKU\<hku>\<rest>" for an HKCU target. Owned by out. */
static rh_status hku_path(const char *hku, const char *rest, size_t n, rh_buf *out)
{
    rh_status st;
    rh_buf_reset(out);
    st = rh_buf_printf(out, "HKU\\%s\\", hku);
    return st == RH_OK ? rh_buf_append(out, rest, n) : st;
}

/* Sysmon logs HKCU\... when it cannot name the SID (and SIEM exports may rewrite it). Point an
 * HKCU target at the writer's user hive on its host so that it merges with that hive's
 * finding; when the event names no writer, at the only user hive whose findings hold the
 * value (x->user_inferred). Otherwise the target stays as logged. */
static rh_status resolve_hkcu(rh_hunt *h, struct hunt_hit *x, const struct mindex *mi)
{
    size_t rl = hkcu_root_len(x->target, x->target_len), i, rn;
    const struct hunt_host_rec *r;
    rh_buf p = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    int named, k, found = -1, hits = 0;
    char *nt;
    if (!rl || (x->kind != HIT_WRITE && x->kind != HIT_SIGMA_EVENT)) {
        return RH_OK;
    }
    r = host_rec(h, x->host);
    if (!r || !r->nusers) {
        return RH_OK;
    }
    rn = x->target_len - rl;
    k = writer_user(r, x, &named);
    for (i = 0; k < 0 && !named && i < r->nusers && st == RH_OK; i++) {
        char *mk;
        size_t idx;
        st = hku_path(r->users[i].hku, x->target + rl, rn, &p);
        mk = st == RH_OK ? merge_key(h->ctx, r->name, p.data, p.len) : NULL;
        if (st == RH_OK && !mk) {
            st = RH_ERR_NOMEM;
        }
        if (mk && mindex_get(mi, mk, &idx)) {
            hits++;
            found = (int)i;
        }
        rh_free(h->ctx, mk);
    }
    if (st == RH_OK && k < 0 && hits == 1) {
        k = found;
        x->user_inferred = 1;
    }
    if (st == RH_OK && k >= 0) {
        st = hku_path(r->users[k].hku, x->target + rl, rn, &p);
        nt = st == RH_OK ? dup_n(h->ctx, p.data, p.len) : NULL;
        if (st == RH_OK && !nt) {
            st = RH_ERR_NOMEM;
        }
        if (nt) {
            rh_free(h->ctx, x->target);
            x->target = nt;
            x->target_len = p.len;
        }
    }
    rh_buf_free(&p);
    return st;
}

static rh_status note_inferred(rh_hunt *h, struct hunt_finding *f)
{
    return add_reason(h, f,
                      "HKCU write merged with this user's hive: user inferred (the event names "
                      "no user and no other user hive on the host holds the value)");
}

/* ---- the fusion pass ------------------------------------------------------------------------ */

struct hit_ord {
    char *key;
    size_t i;
    const struct hunt_hit *x;
};

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
    memset(&mi, 0, sizeof(mi));
    if (h->nhits) {
        ord = rh_calloc(h->ctx, h->nhits, sizeof(*ord));
        if (!ord) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < nkb && st == RH_OK; i++) {
            st = push_map(h, &mi, i);
        }
        for (i = 0; i < h->nhits && st == RH_OK; i++) {
            st = resolve_hkcu(h, &h->hits[i], &mi);
        }
        for (i = 0; i < h->nhits && st == RH_OK; i++) {
            ord[i].key = hit_key(h->ctx, h, &h->hits[i]);
            ord[i].i = i;
            ord[i].x = &h->hits[i];
            if (!ord[i].key) {
                st = RH_ERR_NOMEM;
            }
        }
        if (st == RH_OK) {
            qsort(ord, h->nhits, sizeof(*ord), cmp_hit);
        }
    }
    /* 1. Sigma over hive state: merge into kb findings, else a finding of its own. */
    for (i = 0; i < h->nhits && st == RH_OK; i++) {
        size_t idx;
        if (ord[i].x->kind != HIT_SIGMA_STATE) {
            continue;
        }
        if (mindex_get(&mi, ord[i].key, &idx)) {
            st = merge_sigma(h, h->f[idx], ord[i].x);
        } else {
            st = finding_from_sigma(h, ord[i].x, &mi);
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
        if (mindex_get(&mi, ord[i].key, &idx)) {
            h->stats.merged += nw;
            for (k = i; k < j && st == RH_OK; k++) {
                if (ord[k].x->kind == HIT_WRITE && ord[k].x->user_inferred) {
                    st = note_inferred(h, h->f[idx]);
                }
            }
            continue;
        }
        st = finding_from_write(h, ord[last].x, nw, &mi);
    }
    /* 4. Sigma over events: merge, else a finding of its own. */
    for (i = 0; i < h->nhits && st == RH_OK; i++) {
        size_t idx;
        if (ord[i].x->kind != HIT_SIGMA_EVENT) {
            continue;
        }
        if (mindex_get(&mi, ord[i].key, &idx)) {
            st = merge_sigma(h, h->f[idx], ord[i].x);
            if (st == RH_OK && ord[i].x->user_inferred) {
                st = note_inferred(h, h->f[idx]);
            }
        } else {
            st = finding_from_sigma(h, ord[i].x, &mi);
        }
    }
    /* 5. Hunt window, counters. */
    memset(h->stats.by_risk, 0, sizeof(h->stats.by_risk));
    memset(h->stats.by_fusion, 0, sizeof(h->stats.by_fusion));
    h->stats.known_good = 0;
    h->stats.outside_window = 0;
    for (i = 0; i < h->n && st == RH_OK; i++) {
        rh_finding *f = &h->f[i]->pub;
        if (h->opts.window_from || h->opts.window_to) {
            f->in_window = in_range(h, f->key_last_write) || in_range(h, f->event_time);
            if (f->in_window) {
                st = add_reason(h, h->f[i], "inside the hunt window");
            } else {
                h->stats.outside_window++;
            }
        }
        if ((unsigned)f->risk <= RH_RISK_CRITICAL) {
            h->stats.by_risk[f->risk]++;
        }
        h->stats.known_good += f->known_good != 0;
        if (f->fusion_state) {
            for (j = 1; j < 7; j++) {
                if (strcmp(f->fusion_state, rh_evidence_fusion_name((rh_evidence_fusion)j)) == 0) {
                    h->stats.by_fusion[j]++;
                }
            }
        }
    }
    if (st == RH_OK && (h->ev || h->opts.rules)) {
        st = build_sources(h);
    }
    for (i = 0; ord && i < h->nhits; i++) {
        rh_free(h->ctx, ord[i].key);
    }
    rh_free(h->ctx, ord);
    mindex_free(h->ctx, &mi);
    return st;
}

void hunt_fuse_free(rh_hunt *h)
{
    size_t i, k;
    for (i = 0; i < h->nhits; i++) {
        hit_free(h->ctx, &h->hits[i]);
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
    rh_sigma_matcher_destroy(h->matcher);
    rh_evidence_destroy(h->ev);
}
