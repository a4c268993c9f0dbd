/*
 * Evidence index ingestion: one normalized event -> host statistics, coverage spans and, for
 * the event kinds correlation needs, one compact record with interned strings (event fields are
 * read through evidence_field.c).
 *
 *   Sysmon 1 / Security 4688   process creation       Sysmon 5 / Security 4689  exit
 *   Sysmon 12 / 13 / 14        registry write         Security 4657             registry write
 *   Sysmon 3                   network connection     Sysmon 11 / 29            file creation
 *   Security 1102, System 104  log cleared
 */
#include "evidence_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

/* ---- registry paths ------------------------------------------------------------------ */

size_t ev_split_value(const char *full, size_t n)
{
    size_t i;
    for (i = 1; i + 1 < n; i++) {
        if (full[i] == '\\' && full[i + 1] == '\\') {
            return i;
        }
    }
    for (i = n; i > 0; i--) {
        if (full[i - 1] == '\\') {
            return i - 1;
        }
    }
    return n;
}

/* ---- statistics, spans, duplicates ------------------------------------------------------ */

static int stat_cmp(const rh_evidence_stat *s, const char *channel, uint32_t eid)
{
    int c = strcmp(s->channel, channel);
    if (c) {
        return c;
    }
    return s->event_id < eid ? -1 : (s->event_id > eid ? 1 : 0);
}

static void widen(uint64_t *first, uint64_t *last, uint64_t t)
{
    if (!t) {
        return;
    }
    if (!*first || t < *first) {
        *first = t;
    }
    if (t > *last) {
        *last = t;
    }
}

static rh_status stat_add(rh_evidence *ev, struct ev_host *h, const char *provider,
                          const char *channel, uint32_t eid, uint64_t t)
{
    size_t lo = 0, hi = h->nstats;
    rh_evidence_stat *s;
    if (h->last_stat < h->nstats && stat_cmp(&h->stats[h->last_stat], channel, eid) == 0) {
        s = &h->stats[h->last_stat];
        s->count++;
        widen(&s->first, &s->last, t);
        return RH_OK;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = stat_cmp(&h->stats[mid], channel, eid);
        if (c == 0) {
            h->last_stat = mid;
            h->stats[mid].count++;
            widen(&h->stats[mid].first, &h->stats[mid].last, t);
            return RH_OK;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (h->nstats >= EV_MAX_STATS_PER_HOST) {
        return RH_OK; /* counted in the host's events total only */
    }
    if (h->nstats == h->capstats) {
        size_t ncap = h->capstats ? h->capstats * 2 : 16;
        rh_evidence_stat *ns = rh_realloc(ev->ctx, h->stats, ncap * sizeof(*ns));
        if (!ns) {
            return RH_ERR_NOMEM;
        }
        ev->counts.bytes += (ncap - h->capstats) * sizeof(*ns);
        h->stats = ns;
        h->capstats = ncap;
    }
    memmove(&h->stats[lo + 1], &h->stats[lo], (h->nstats - lo) * sizeof(*h->stats));
    s = &h->stats[lo];
    memset(s, 0, sizeof(*s));
    s->provider = provider;
    s->channel = channel;
    s->event_id = eid;
    s->count = 1;
    widen(&s->first, &s->last, t);
    h->nstats++;
    h->last_stat = lo;
    return RH_OK;
}

static rh_status span_add(rh_evidence *ev, uint32_t host, const char *provider, const char *channel,
                          const char *source, uint64_t t)
{
    uint64_t a = ev_mkey(EV_K_SPAN, host), b = (uint64_t)(uintptr_t)source;
    uint32_t head = ev_map_get(&ev->map, a, b), i, idx;
    struct ev_span *sp;
    rh_status st;
    for (i = head; i != EV_NONE; i = sp->next) {
        sp = ev_pool_at(&ev->spans, i);
        if (sp->channel == channel) {
            sp->count++;
            widen(&sp->first, &sp->last, t);
            return RH_OK;
        }
    }
    if (ev->hosts[host].nspans >= EV_MAX_SPANS_PER_HOST) {
        return RH_OK;
    }
    st = ev_pool_add(ev, &ev->spans, &idx, (void **)&sp);
    if (st != RH_OK) {
        return st == RH_ERR_LIMIT ? RH_OK : st;
    }
    sp->channel = channel;
    sp->provider = provider;
    sp->source = source;
    sp->host = host;
    sp->count = 1;
    widen(&sp->first, &sp->last, t);
    sp->next = head;
    ev->hosts[host].nspans++;
    return ev_map_put(ev, a, b, idx);
}

/* True when an identical event was indexed before; otherwise remembers this one. */
static rh_status seen_before(rh_evidence *ev, uint32_t host, const rh_event *e, const char *channel,
                             int *dup)
{
    uint64_t content = 0, key;
    uint32_t head, i, idx;
    struct ev_seen *s;
    size_t k;
    rh_status st;
    *dup = 0;
    for (k = 0; k < e->nfields; k++) {
        const rh_event_field *f = &e->fields[k];
        if (f->name) {
            content = ev_hash(f->name, strlen(f->name), content);
        }
        if (f->value) {
            content = ev_hash(f->value, f->value_len, content);
        }
    }
    key = ev_hash(&e->record_id, sizeof(e->record_id), e->timestamp ^ content) ^ e->event_id;
    head = ev_map_get(&ev->map, ev_mkey(EV_K_SEEN, host), key);
    for (i = head; i != EV_NONE; i = s->next) {
        s = ev_pool_at(&ev->seen, i);
        if (s->channel == channel && s->record_id == e->record_id && s->time == e->timestamp &&
            s->event_id == e->event_id && s->content == content) {
            *dup = 1;
            return RH_OK;
        }
    }
    st = ev_pool_add(ev, &ev->seen, &idx, (void **)&s);
    if (st != RH_OK) {
        return st;
    }
    s->channel = channel;
    s->record_id = e->record_id;
    s->time = e->timestamp;
    s->event_id = e->event_id;
    s->content = content;
    s->next = head;
    return ev_map_put(ev, ev_mkey(EV_K_SEEN, host), key, idx);
}

/* ---- records ------------------------------------------------------------------------- */

static void full_warning(rh_evidence *ev, const rh_event *e)
{
    ev->counts.dropped++;
    if (!ev->warned_full) {
        ev->warned_full = 1;
        (void)rh_diagf(ev->ctx, RH_DIAG_WARNING, "evidence", e->source, -1,
                       "evidence index full (%u records or %u hosts): further events are "
                       "counted but not indexed",
                       ev->max_records, ev->max_hosts);
    }
}

static rh_status chain(rh_evidence *ev, enum ev_kind k, uint32_t host, uint64_t b, uint32_t idx,
                       uint32_t *next)
{
    *next = ev_map_get(&ev->map, ev_mkey(k, host), b);
    return ev_map_put(ev, ev_mkey(k, host), b, idx);
}

/* The operation of a registry write: Sysmon 12 by EventType, 13 set, 14 rename; Security
 * 4657 by OperationType ("%%1906" / "Registry value deleted" delete, else set). */
static rh_evidence_op write_op(const rh_event *e, int sysmon)
{
    const rh_event_field *f;
    if (!sysmon) {
        f = ev_field(e, "OperationType");
        if (f && ((f->value_len == 6 && memcmp(f->value, "%%1906", 6) == 0) ||
                  rh_ascii_casecmp(f->value, f->value_len < 22 ? f->value_len : 22,
                                   "Registry value deleted", 22) == 0)) {
            return RH_EVIDENCE_OP_DELETE_VALUE;
        }
        return RH_EVIDENCE_OP_SET_VALUE;
    }
    if (e->event_id == 13) {
        return RH_EVIDENCE_OP_SET_VALUE;
    }
    if (e->event_id == 14) {
        return RH_EVIDENCE_OP_RENAME_KEY;
    }
    f = ev_field(e, "EventType");
    if (f && f->value_len == 9 && memcmp(f->value, "DeleteKey", 9) == 0) {
        return RH_EVIDENCE_OP_DELETE_KEY;
    }
    if (f && f->value_len == 11 && memcmp(f->value, "DeleteValue", 11) == 0) {
        return RH_EVIDENCE_OP_DELETE_VALUE;
    }
    return RH_EVIDENCE_OP_CREATE_KEY;
}

struct ctx_in {
    rh_evidence *ev;
    const rh_event *e;
    uint32_t host;
    const char *source;
    const char *provider, *channel;
    rh_evidence_actor a; /* the acting process (rh_evidence_actor_of) */
};

/* Sysmon 12/13/14: TargetObject names the key (and the value for set/delete value); its
 * normalized path goes to norm. Returns 0 when the event names no TargetObject. */
static int write_sysmon(rh_evidence *ev, const rh_event *e, rh_evidence_write *pub, rh_buf *norm,
                        rh_status *st)
{
    const rh_event_field *t = ev_field(e, "TargetObject");
    if (!t) {
        return 0;
    }
    pub->target = ev_istr_raw(ev, t->value, t->value_len, st);
    pub->op = write_op(e, 1);
    if (*st == RH_OK && pub->op != RH_EVIDENCE_OP_SET_VALUE &&
        pub->op != RH_EVIDENCE_OP_DELETE_VALUE) {
        *st = rh_regpath_normalize(t->value, ev_capn(ev, t->value_len), norm);
    } else if (*st == RH_OK) {
        *st = rh_event_registry_path(e, NULL, norm); /* spells the default value once */
    }
    if (pub->op == RH_EVIDENCE_OP_RENAME_KEY) {
        const rh_event_field *nn = ev_field(e, "NewName");
        if (nn && *st == RH_OK) {
            rh_buf nb = RH_BUF_INIT(ev->ctx);
            *st = rh_regpath_normalize(nn->value, ev_capn(ev, nn->value_len), &nb);
            if (*st == RH_OK) {
                pub->new_name = ev_istr_raw(ev, nb.data ? nb.data : "", nb.len, st);
            }
            rh_buf_free(&nb);
        }
    }
    return 1;
}

/* Security 4657: ObjectName is the key, ObjectValueName the value; norm gets "key\value" and
 * *klen the key's length. Returns 0 when the event names no ObjectName. */
static int write_4657(rh_evidence *ev, const rh_event *e, rh_evidence_write *pub, rh_buf *norm,
                      size_t *klen, rh_status *st)
{
    const rh_event_field *on = ev_field(e, "ObjectName"), *vn;
    if (!on) {
        return 0;
    }
    vn = rh_event_field_get(e, "ObjectValueName");
    pub->op = write_op(e, 0);
    *st = rh_regpath_normalize(on->value, ev_capn(ev, on->value_len), norm);
    *klen = norm->len;
    if (*st == RH_OK) {
        *st = rh_buf_putc(norm, '\\');
    }
    if (*st == RH_OK) {
        if (vn && vn->value && !rh_regpath_is_default_value(vn->value, vn->value_len) &&
            !(vn->value_len == 1 && vn->value[0] == '-')) {
            *st = ev_fold_append(norm, vn->value, ev_capn(ev, vn->value_len));
        } else {
            *st = rh_buf_lit(norm, "(DEFAULT)");
        }
    }
    if (*st == RH_OK) {
        rh_buf raw = RH_BUF_INIT(ev->ctx);
        *st = rh_event_registry_path(e, &raw, NULL);
        if (*st == RH_OK) {
            pub->target = ev_istr_raw(ev, raw.data, ev_capn(ev, raw.len), st);
        } else if (*st == RH_NOT_FOUND) {
            pub->target = ev_istr_raw(ev, on->value, on->value_len, st);
            *st = *st == RH_NOT_FOUND ? RH_OK : *st;
        }
        rh_buf_free(&raw);
    }
    pub->old_value = ev_istr(ev, e, "OldValue", st);
    return 1;
}

static rh_status add_write(struct ctx_in *c, int sysmon)
{
    rh_evidence *ev = c->ev;
    const rh_event *e = c->e;
    rh_status st = RH_OK;
    struct ev_write *w;
    rh_evidence_write pub;
    rh_buf *norm = &ev->tmp, a1 = RH_BUF_INIT(ev->ctx), a2 = RH_BUF_INIT(ev->ctx);
    uint32_t idx;
    size_t klen = 0;
    int found;
    memset(&pub, 0, sizeof(pub));
    pub.host = ev->hosts[c->host].name;
    pub.event_id = e->event_id;
    pub.provider = c->provider;
    pub.channel = c->channel;
    pub.record_id = e->record_id;
    pub.logged = e->timestamp;
    pub.source = c->source;
    pub.source_offset = e->source_offset;
    pub.flags = e->flags & RH_EVENT_RECOVERED;
    rh_buf_reset(norm);
    found =
        sysmon ? write_sysmon(ev, e, &pub, norm, &st) : write_4657(ev, e, &pub, norm, &klen, &st);
    if (!found) {
        ev->counts.ignored++;
        return RH_OK;
    }
    pub.details = ev_ifield(ev, c->a.details, &st);
    pub.time = pub.writer.time = c->a.time;
    pub.writer.guid = sysmon ? ev_iguid_of(ev, c->a.guid, &st) : NULL;
    pub.writer.pid = c->a.pid;
    pub.writer.image = ev_ifield(ev, c->a.image, &st);
    pub.writer.user = ev_iactor_user(ev, &c->a, &st);
    if (st != RH_OK) {
        goto out;
    }
    /* Split key and value: 4657 names both; Sysmon joins them (ev_split_value). */
    if (pub.op == RH_EVIDENCE_OP_SET_VALUE || pub.op == RH_EVIDENCE_OP_DELETE_VALUE) {
        if (sysmon) {
            klen = ev_split_value(norm->data ? norm->data : "", norm->len);
        }
        pub.key = ev_istr_raw(ev, norm->data ? norm->data : "", klen, &st);
        if (klen < norm->len) {
            pub.value = ev_istr_raw(ev, norm->data + klen + 1, norm->len - klen - 1, &st);
        } else {
            pub.value = ev_istr_raw(ev, "", 0, &st);
        }
    } else {
        klen = norm->len;
        pub.key = ev_istr_raw(ev, norm->data ? norm->data : "", klen, &st);
    }
    if (st == RH_OK) {
        st = rh_regpath_aliases(pub.key, strlen(pub.key), &a1, &a2);
    }
    if (st != RH_OK) {
        goto out;
    }
    st = ev_pool_add(ev, &ev->writes, &idx, (void **)&w);
    if (st == RH_ERR_LIMIT) {
        full_warning(ev, e);
        st = RH_OK;
        goto out;
    }
    if (st != RH_OK) {
        goto out;
    }
    w->pub = pub;
    w->host = c->host;
    w->next_alias = w->next_alias2 = w->next_new = EV_NONE;
    st = chain(ev, EV_K_WKEY, c->host, (uint64_t)(uintptr_t)pub.key, idx, &w->next_key);
    if (st == RH_OK && a1.len) {
        const char *k = ev_istr_raw(ev, a1.data, a1.len, &st);
        if (k) {
            st = chain(ev, EV_K_WALIAS, c->host, (uint64_t)(uintptr_t)k, idx, &w->next_alias);
        }
    }
    if (st == RH_OK && a2.len) {
        const char *k = ev_istr_raw(ev, a2.data, a2.len, &st);
        if (k) {
            st = chain(ev, EV_K_WALIAS2, c->host, (uint64_t)(uintptr_t)k, idx, &w->next_alias2);
        }
    }
    if (st == RH_OK && pub.new_name) {
        st = chain(ev, EV_K_WNEW, c->host, (uint64_t)(uintptr_t)pub.new_name, idx, &w->next_new);
    }
    ev->hosts[c->host].writes++;
    if (!sysmon) {
        ev->hosts[c->host].n4657++;
    }
out:
    rh_buf_free(&a1);
    rh_buf_free(&a2);
    return st;
}

static const char *integrity_of(rh_evidence *ev, const rh_event *e, rh_status *st)
{
    static const struct {
        const char *sid, *name;
    } labels[] = {
        {"S-1-16-0", "Untrusted"},     {"S-1-16-4096", "Low"},   {"S-1-16-8192", "Medium"},
        {"S-1-16-8448", "Medium+"},    {"S-1-16-12288", "High"}, {"S-1-16-16384", "System"},
        {"S-1-16-20480", "Protected"},
    };
    const rh_event_field *f = ev_field(e, "IntegrityLevel");
    size_t i;
    if (f) {
        return ev_istr_raw(ev, f->value, f->value_len, st);
    }
    f = ev_field(e, "MandatoryLabel");
    if (!f) {
        return NULL;
    }
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (rh_ascii_casecmp(f->value, f->value_len, labels[i].sid, strlen(labels[i].sid)) == 0) {
            return ev_istr_raw(ev, labels[i].name, strlen(labels[i].name), st);
        }
    }
    return ev_istr_raw(ev, f->value, f->value_len, st);
}

static rh_status add_proc(struct ctx_in *c, int sysmon)
{
    rh_evidence *ev = c->ev;
    const rh_event *e = c->e;
    rh_evidence_process pub;
    struct ev_proc *p;
    uint32_t idx;
    rh_status st = RH_OK;
    memset(&pub, 0, sizeof(pub));
    pub.host = ev->hosts[c->host].name;
    pub.event_id = e->event_id;
    pub.record_id = e->record_id;
    pub.source = c->source;
    pub.pid = c->a.pid;
    pub.start = c->a.time;
    pub.image = ev_ifield(ev, c->a.image, &st);
    pub.command_line = ev_istr(ev, e, "CommandLine", &st);
    pub.user = ev_iactor_user(ev, &c->a, &st);
    if (sysmon) {
        pub.guid = ev_iguid_of(ev, c->a.guid, &st);
        pub.hashes = ev_istr(ev, e, "Hashes", &st);
        pub.current_directory = ev_istr(ev, e, "CurrentDirectory", &st);
        pub.parent_guid = ev_iguid(ev, e, "ParentProcessGuid", &st);
        pub.parent_pid = ev_num32(e, "ParentProcessId");
        pub.parent_image = ev_istr(ev, e, "ParentImage", &st);
        pub.parent_command_line = ev_istr(ev, e, "ParentCommandLine", &st);
    } else {
        pub.parent_pid = ev_num32(e, "ProcessId");
        pub.parent_image = ev_istr(ev, e, "ParentProcessName", &st);
    }
    pub.integrity = integrity_of(ev, e, &st);
    if (st != RH_OK) {
        return st;
    }
    if (!pub.guid && !pub.pid) {
        ev->counts.ignored++;
        return RH_OK;
    }
    if (pub.guid && ev_map_get(&ev->map, ev_mkey(EV_K_PGUID, c->host),
                               (uint64_t)(uintptr_t)pub.guid) != EV_NONE) {
        ev->counts.duplicates++; /* the same creation from a second source */
        return RH_OK;
    }
    st = ev_pool_add(ev, &ev->procs, &idx, (void **)&p);
    if (st == RH_ERR_LIMIT) {
        full_warning(ev, e);
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    p->pub = pub;
    p->host = c->host;
    p->next_pid = EV_NONE;
    if (pub.guid) {
        st = ev_map_put(ev, ev_mkey(EV_K_PGUID, c->host), (uint64_t)(uintptr_t)pub.guid, idx);
    }
    if (st == RH_OK && pub.pid) {
        st = chain(ev, EV_K_PPID, c->host, pub.pid, idx, &p->next_pid);
    }
    ev->hosts[c->host].processes++;
    return st;
}

static rh_status add_exit(struct ctx_in *c, int sysmon)
{
    rh_evidence *ev = c->ev;
    const rh_event *e = c->e;
    struct ev_exit *x;
    uint32_t idx, next;
    rh_status st = RH_OK;
    const char *guid = sysmon ? ev_iguid_of(ev, c->a.guid, &st) : NULL;
    uint32_t pid = c->a.pid;
    if (st != RH_OK) {
        return st;
    }
    if (!guid && !pid) {
        ev->counts.ignored++;
        return RH_OK;
    }
    st = ev_pool_add(ev, &ev->exits, &idx, (void **)&x);
    if (st == RH_ERR_LIMIT) {
        full_warning(ev, e);
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    x->host = c->host;
    x->pid = pid;
    x->guid = guid;
    x->time = c->a.time;
    x->next = EV_NONE;
    if (guid) {
        st = chain(ev, EV_K_XGUID, c->host, (uint64_t)(uintptr_t)guid, idx, &next);
        x->next = next;
    } else {
        st = chain(ev, EV_K_XPID, c->host, pid, idx, &next);
        x->next = next;
    }
    return st;
}

static rh_status add_conn(struct ctx_in *c)
{
    rh_evidence *ev = c->ev;
    const rh_event *e = c->e;
    rh_evidence_conn pub;
    const rh_event_field *init;
    struct ev_conn *n;
    uint32_t idx;
    rh_status st = RH_OK;
    memset(&pub, 0, sizeof(pub));
    pub.host = ev->hosts[c->host].name;
    pub.time = c->a.time;
    pub.guid = ev_iguid_of(ev, c->a.guid, &st);
    pub.pid = c->a.pid;
    pub.image = ev_ifield(ev, c->a.image, &st);
    pub.user = ev_iactor_user(ev, &c->a, &st);
    pub.protocol = ev_istr(ev, e, "Protocol", &st);
    init = ev_field(e, "Initiated");
    pub.initiated = !init ? -1
                    : (init->value_len == 4 && rh_ascii_casecmp(init->value, 4, "true", 4) == 0)
                        ? 1
                        : 0;
    pub.src_ip = ev_istr(ev, e, "SourceIp", &st);
    pub.src_port = ev_num32(e, "SourcePort");
    pub.dst_ip = ev_istr(ev, e, "DestinationIp", &st);
    pub.dst_port = ev_num32(e, "DestinationPort");
    pub.dst_host = ev_istr(ev, e, "DestinationHostname", &st);
    pub.record_id = e->record_id;
    pub.source = c->source;
    if (st != RH_OK) {
        return st;
    }
    if (!pub.guid && !pub.pid) {
        ev->counts.ignored++;
        return RH_OK;
    }
    st = ev_pool_add(ev, &ev->conns, &idx, (void **)&n);
    if (st == RH_ERR_LIMIT) {
        full_warning(ev, e);
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    n->pub = pub;
    n->host = c->host;
    if (pub.guid) {
        st = chain(ev, EV_K_CGUID, c->host, (uint64_t)(uintptr_t)pub.guid, idx, &n->next);
    } else {
        st = chain(ev, EV_K_CPID, c->host, pub.pid, idx, &n->next);
    }
    ev->hosts[c->host].conns++;
    return st;
}

/* Offset of the base name in a folded path. */
static size_t base_off(const char *p, size_t n)
{
    size_t i = n;
    while (i > 0 && p[i - 1] != '\\') {
        i--;
    }
    return i;
}

static rh_status add_file(struct ctx_in *c)
{
    rh_evidence *ev = c->ev;
    const rh_event *e = c->e;
    const rh_event_field *tf = ev_field(e, "TargetFilename");
    rh_evidence_file pub;
    struct ev_file *f;
    uint32_t idx;
    rh_status st = RH_OK;
    const char *folded, *base;
    size_t bo;
    if (!tf) {
        ev->counts.ignored++;
        return RH_OK;
    }
    memset(&pub, 0, sizeof(pub));
    pub.host = ev->hosts[c->host].name;
    pub.time = c->a.time;
    pub.event_id = e->event_id;
    pub.path = ev_istr_raw(ev, tf->value, tf->value_len, &st);
    pub.guid = ev_iguid_of(ev, c->a.guid, &st);
    pub.pid = c->a.pid;
    pub.image = ev_ifield(ev, c->a.image, &st);
    pub.user = ev_iactor_user(ev, &c->a, &st);
    pub.hashes = ev_istr(ev, e, "Hashes", &st);
    pub.record_id = e->record_id;
    pub.source = c->source;
    rh_buf_reset(&ev->tmp);
    if (st == RH_OK) {
        st = ev_path_fold(&ev->tmp, tf->value, ev_capn(ev, tf->value_len));
    }
    if (st != RH_OK) {
        return st;
    }
    folded = ev_istr_raw(ev, ev->tmp.data ? ev->tmp.data : "", ev->tmp.len, &st);
    bo = base_off(ev->tmp.data ? ev->tmp.data : "", ev->tmp.len);
    base = ev_istr_raw(ev, ev->tmp.data ? ev->tmp.data + bo : "", ev->tmp.len - bo, &st);
    if (st != RH_OK) {
        return st;
    }
    st = ev_pool_add(ev, &ev->files, &idx, (void **)&f);
    if (st == RH_ERR_LIMIT) {
        full_warning(ev, e);
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    f->pub = pub;
    f->host = c->host;
    f->folded = folded;
    f->next = EV_NONE;
    if (pub.guid) {
        st = chain(ev, EV_K_FGUID, c->host, (uint64_t)(uintptr_t)pub.guid, idx, &f->next);
    } else if (pub.pid) {
        st = chain(ev, EV_K_FPID, c->host, pub.pid, idx, &f->next);
    }
    if (st == RH_OK) {
        st = chain(ev, EV_K_FNAME, c->host, (uint64_t)(uintptr_t)base, idx, &f->next_name);
    }
    ev->hosts[c->host].files++;
    return st;
}

/* ---- dispatch ------------------------------------------------------------------------ */

static rh_evidence_kind classify(const rh_event *e, int *sysmon)
{
    int anon = !e->provider && !e->channel;
    int is_sysmon =
        rh_ascii_contains(e->provider, "sysmon") || rh_ascii_contains(e->channel, "sysmon");
    int is_security = rh_ascii_streq(e->provider, "Microsoft-Windows-Security-Auditing") ||
                      rh_ascii_streq(e->channel, "Security");
    int is_eventlog = rh_ascii_streq(e->provider, "Microsoft-Windows-Eventlog");
    *sysmon = 0;
    if (is_sysmon || (anon && e->event_id < 256)) {
        *sysmon = 1;
        switch (e->event_id) {
        case 1:
            return RH_EVIDENCE_KIND_PROCESS;
        case 3:
            return RH_EVIDENCE_KIND_NETWORK;
        case 5:
            return RH_EVIDENCE_KIND_EXIT;
        case 11:
        case 29:
            return RH_EVIDENCE_KIND_FILE;
        case 12:
        case 13:
        case 14:
            return RH_EVIDENCE_KIND_WRITE;
        default:
            return RH_EVIDENCE_KIND_NONE;
        }
    }
    if (is_security || anon) {
        switch (e->event_id) {
        case 4657:
            return RH_EVIDENCE_KIND_WRITE;
        case 4688:
            return RH_EVIDENCE_KIND_PROCESS;
        case 4689:
            return RH_EVIDENCE_KIND_EXIT;
        case 1102:
            return RH_EVIDENCE_KIND_LOG_CLEAR;
        default:
            break;
        }
    }
    if ((is_eventlog || rh_ascii_streq(e->channel, "System")) && e->event_id == 104) {
        return RH_EVIDENCE_KIND_LOG_CLEAR;
    }
    if (is_eventlog && e->event_id == 1102) {
        return RH_EVIDENCE_KIND_LOG_CLEAR;
    }
    return RH_EVIDENCE_KIND_NONE;
}

void rh_evidence_classify(const rh_event *e, rh_evidence_class *out)
{
    memset(out, 0, sizeof(*out));
    if (!e) {
        return;
    }
    out->kind = classify(e, &out->sysmon);
    if (out->kind == RH_EVIDENCE_KIND_WRITE) {
        out->op = write_op(e, out->sysmon);
    }
}

rh_status rh_evidence_add_event(rh_evidence *ev, const rh_event *e)
{
    struct ctx_in c;
    struct ev_host *h;
    rh_evidence_kind kind;
    int sysmon, dup = 0;
    rh_status st = RH_OK;
    if (!ev || !e) {
        return RH_ERR_ARG;
    }
    ev->counts.events++;
    if (e->flags & RH_EVENT_FROM_STATE) {
        ev->counts.ignored++;
        return RH_OK;
    }
    memset(&c, 0, sizeof(c));
    c.ev = ev;
    c.e = e;
    st = ev_host_get_or_add(ev, e->computer, &c.host);
    if (st != RH_OK) {
        return st;
    }
    if (c.host == EV_NONE) {
        full_warning(ev, e);
        return RH_OK;
    }
    c.provider = e->provider ? ev_istr_raw(ev, e->provider, strlen(e->provider), &st) : NULL;
    c.channel = e->channel ? ev_istr_raw(ev, e->channel, strlen(e->channel), &st) : c.provider;
    if (!c.channel) {
        c.channel = ev_istr_raw(ev, "", 0, &st);
    }
    c.source = e->source ? ev_istr_raw(ev, e->source, strlen(e->source), &st) : NULL;
    if (st != RH_OK) {
        return st;
    }
    rh_evidence_actor_of(e, &c.a);
    kind = c.a.cls.kind;
    sysmon = c.a.cls.sysmon;
    if (kind != RH_EVIDENCE_KIND_NONE) {
        st = seen_before(ev, c.host, e, c.channel, &dup);
        if (st == RH_ERR_LIMIT) {
            st = RH_OK; /* dedup memory is full: index without the check */
        }
        if (st != RH_OK) {
            return st;
        }
        if (dup) {
            ev->counts.duplicates++;
            return RH_OK;
        }
    }
    h = &ev->hosts[c.host];
    h->events++;
    st = stat_add(ev, h, c.provider, c.channel, e->event_id, e->timestamp);
    if (st == RH_OK && e->timestamp) {
        st = span_add(ev, c.host, c.provider, c.channel, c.source, e->timestamp);
    }
    if (st != RH_OK) {
        return st;
    }
    switch (kind) {
    case RH_EVIDENCE_KIND_WRITE:
        st = add_write(&c, sysmon);
        break;
    case RH_EVIDENCE_KIND_PROCESS:
        st = add_proc(&c, sysmon);
        break;
    case RH_EVIDENCE_KIND_EXIT:
        st = add_exit(&c, sysmon);
        break;
    case RH_EVIDENCE_KIND_NETWORK:
        st = add_conn(&c);
        break;
    case RH_EVIDENCE_KIND_FILE:
        st = add_file(&c);
        break;
    case RH_EVIDENCE_KIND_LOG_CLEAR:
        h = &ev->hosts[c.host];
        h->clears++;
        if (e->timestamp > h->last_clear) {
            h->last_clear = e->timestamp;
        }
        break;
    case RH_EVIDENCE_KIND_NONE:
        break;
    }
    if (st == RH_OK && kind != RH_EVIDENCE_KIND_NONE) {
        ev->counts.indexed++;
    }
    return st;
}

static rh_status on_file_event(const rh_event *e, void *user)
{
    return rh_evidence_add_event(user, e);
}

rh_status rh_evidence_add_file(rh_evidence *ev, const char *path)
{
    if (!ev || !path) {
        return RH_ERR_ARG;
    }
    return rh_events_read_file(ev->ctx, path, &ev->read, on_file_event, ev);
}
