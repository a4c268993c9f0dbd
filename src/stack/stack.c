/*
 * Fleet stacking: hunt JSONL findings aggregated by stack key (docs/fleet.md).
 *
 * Three string maps hold all the state: stack keys -> row, hosts -> host id, and the
 * (row, host) pairs already counted, so a row's host count is exact whatever the order of the
 * input. Memory is bounded by those three (RH_STACK_MAX_KEYS, _HOSTS, _PAIRS), never by the
 * number of lines read; a line is parsed alone (jansson json_loadb) and freed.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "common/common.h"
#include "reghunt/event.h"
#include "stack_internal.h"

static uint32_t pair_hash(const char *s, size_t n)
{
    return rh_hash_fnv1a(s, n);
}

rh_status rh_stack_create(rh_ctx *ctx, rh_stack **out)
{
    rh_stack *s;
    *out = NULL;
    s = rh_calloc(ctx, 1, sizeof(*s));
    if (!s) {
        return RH_ERR_NOMEM;
    }
    s->ctx = ctx;
    rh_strmap_init(&s->keys, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 256, RH_STACK_MAX_KEYS);
    rh_strmap_init(&s->hosts, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 256, RH_STACK_MAX_HOSTS);
    rh_strmap_init(&s->pairs, ctx, pair_hash, RH_STRMAP_COPY, 1024, RH_STACK_MAX_PAIRS);
    rh_buf_init(&s->key, ctx);
    rh_buf_init(&s->line, ctx);
    s->line.cap_limit = RH_STACK_MAX_LINE;
    *out = s;
    return RH_OK;
}

static void row_free_strings(rh_ctx *ctx, struct stack_row *r)
{
    rh_free(ctx, r->lid);
    rh_free(ctx, r->tech);
    rh_free(ctx, r->name);
    rh_free(ctx, r->data);
    rh_free(ctx, r->target);
}

void rh_stack_destroy(rh_stack *s)
{
    size_t i;
    if (!s) {
        return;
    }
    for (i = 0; i < s->n; i++) {
        row_free_strings(s->ctx, &s->rows[i]);
    }
    rh_free(s->ctx, s->rows);
    rh_free(s->ctx, s->order);
    rh_strmap_free(&s->keys);
    rh_strmap_free(&s->hosts);
    rh_strmap_free(&s->pairs);
    rh_buf_free(&s->key);
    rh_buf_free(&s->line);
    rh_free(s->ctx, s);
}

static const char *jstr(json_t *o, const char *k, size_t *len)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v)) {
        *len = 0;
        return NULL;
    }
    *len = json_string_length(v);
    return json_string_value(v);
}

static uint64_t jtime(json_t *o, const char *k)
{
    size_t n;
    const char *t = jstr(o, k, &n);
    uint64_t ft = 0;
    if (t && rh_time_parse_iso(t, n, &ft) != RH_OK) {
        ft = 0;
    }
    return ft;
}

/* The fields of a hunt finding; 0 when o is not one (host, location_id, risk required). */
static int finding_of(json_t *o, struct stack_finding *f)
{
    size_t n;
    const char *risk = jstr(o, "risk", &n);
    memset(f, 0, sizeof(*f));
    f->host = jstr(o, "host", &f->host_n);
    f->lid = jstr(o, "location_id", &f->lid_n);
    if (!f->host || !f->lid || f->host_n == 0 || !risk || rh_risk_parse(risk, &f->risk) != RH_OK) {
        return 0;
    }
    f->tech = jstr(o, "technique", &f->tech_n);
    f->name = jstr(o, "value_name", &f->name_n);
    f->data = jstr(o, "value_data", &f->data_n);
    f->target = jstr(o, "target_path", &f->target_n);
    f->times[0] = jtime(o, "key_last_write");
    f->times[1] = jtime(o, "event_time");
    f->verdict = jstr(o, "verdict", &n);
    f->verdict = f->verdict ? stack_verdict(f->verdict, n) : NULL;
    return 1;
}

const char *stack_verdict(const char *v, size_t n)
{
    static const char *const names[] = {"tp", "benign", "review"};
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (n == strlen(names[i]) && memcmp(v, names[i], n) == 0) {
            return names[i];
        }
    }
    return NULL;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a ? a : "", b ? b : "", an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* Replace the row's representative with f when f sorts first (data, name, target, technique). */
static rh_status take_representative(rh_stack *s, struct stack_row *r,
                                     const struct stack_finding *f)
{
    int c = 0;
    char *lid, *tech, *name, *data, *target;
    if (r->data) {
        c = cmp_bytes(f->data, f->data_n, r->data, r->data_n);
        c = c ? c : cmp_bytes(f->name, f->name_n, r->name, r->name_n);
        c = c ? c : cmp_bytes(f->target, f->target_n, r->target, strlen(r->target));
        c = c ? c : cmp_bytes(f->tech, f->tech_n, r->tech, strlen(r->tech));
        if (c >= 0) {
            return RH_OK;
        }
    }
    lid = rh_strndup(s->ctx, f->lid, f->lid_n);
    tech = rh_strndup(s->ctx, f->tech ? f->tech : "", f->tech_n);
    name = rh_strndup(s->ctx, f->name ? f->name : "", f->name_n);
    data = rh_strndup(s->ctx, f->data ? f->data : "", f->data_n);
    target = rh_strndup(s->ctx, f->target ? f->target : "", f->target_n);
    if (!lid || !tech || !name || !data || !target) {
        struct stack_row tmp = {0};
        tmp.lid = lid;
        tmp.tech = tech;
        tmp.name = name;
        tmp.data = data;
        tmp.target = target;
        row_free_strings(s->ctx, &tmp);
        return RH_ERR_NOMEM;
    }
    row_free_strings(s->ctx, r);
    r->lid = lid;
    r->tech = tech;
    r->name = name;
    r->name_n = f->name_n;
    r->data = data;
    r->data_n = f->data_n;
    r->target = target;
    return RH_OK;
}

/* Keep the RH_STACK_SAMPLE_HOSTS lexically smallest hosts, sorted. */
static void add_sample(struct stack_row *r, const char *host)
{
    size_t i;
    if (r->nsamples == RH_STACK_SAMPLE_HOSTS && strcmp(host, r->samples[r->nsamples - 1]) >= 0) {
        return;
    }
    if (r->nsamples < RH_STACK_SAMPLE_HOSTS) {
        r->nsamples++;
    }
    for (i = r->nsamples - 1; i > 0 && strcmp(host, r->samples[i - 1]) < 0; i--) {
        r->samples[i] = r->samples[i - 1];
    }
    r->samples[i] = host;
}

static rh_status dropped(rh_stack *s, rh_status st)
{
    if (st != RH_ERR_LIMIT) {
        return st;
    }
    if (s->stats.dropped++ == 0) {
        rh_diagf(s->ctx, RH_DIAG_WARNING, "stack", NULL, -1,
                 "a stack limit was reached (RH_STACK_MAX_KEYS/HOSTS/PAIRS, docs/limits.md): "
                 "further findings of new keys or hosts are dropped and counted");
    }
    return RH_OK;
}

/* The row of stack key s->key, added when new. */
static rh_status row_of(rh_stack *s, struct stack_row **out)
{
    struct rh_strmap_entry *e;
    bool added = false;
    rh_status st = rh_strmap_put(&s->keys, s->key.data, s->key.len, &e, &added);
    *out = NULL;
    if (st != RH_OK) {
        return st;
    }
    if (added) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            struct stack_row *nr = rh_realloc(s->ctx, s->rows, cap * sizeof(*nr));
            if (!nr) {
                return RH_ERR_NOMEM; /* the key stays, with val 0: found again as new */
            }
            s->rows = nr;
            s->cap = cap;
        }
        memset(&s->rows[s->n], 0, sizeof(s->rows[s->n]));
        s->rows[s->n].key = e->key;
        s->rows[s->n].key_n = e->len;
        e->val = ++s->n;
    } else if (e->val == 0) {
        return RH_ERR_NOMEM;
    }
    *out = &s->rows[e->val - 1];
    return RH_OK;
}

/* The host's entry (its id in val), added when new. */
static rh_status host_entry(rh_stack *s, const char *host, size_t n, struct rh_strmap_entry **he)
{
    bool added = false;
    rh_status st = rh_strmap_put(&s->hosts, host, n, he, &added);
    if (st == RH_OK && added) {
        (*he)->val = s->hosts.n;
    }
    return st;
}

rh_status stack_add_host(rh_stack *s, const char *host, size_t n)
{
    struct rh_strmap_entry *he;
    return n ? dropped(s, host_entry(s, host, n, &he)) : RH_OK;
}

/* Track the verdicts of a row: the first one, how many hosts carry one, mixed or not. */
static void row_verdict(struct stack_row *r, const char *v, int new_host)
{
    if (!v) {
        r->verdict_mixed |= r->verdict != NULL;
        return;
    }
    if (r->verdict && r->verdict != v) {
        r->verdict_mixed = 1;
    }
    if (!r->verdict) {
        r->verdict = v;
    }
    r->verdict_hosts += (size_t)new_host;
}

rh_status stack_aggregate(rh_stack *s, const struct stack_finding *f)
{
    struct rh_strmap_entry *he, *pe;
    struct stack_row *r;
    bool added = false;
    unsigned char pair[8];
    uint32_t rid, hid;
    size_t i;
    rh_status st = host_entry(s, f->host, f->host_n, &he);
    if (st != RH_OK) {
        return dropped(s, st);
    }
    hid = (uint32_t)he->val;
    rh_buf_reset(&s->key);
    st = rh_stack_key(&s->key, f->lid, f->lid_n, f->name, f->name_n, f->data, f->data_n);
    st = st == RH_OK ? row_of(s, &r) : st;
    if (st != RH_OK) {
        return dropped(s, st);
    }
    rid = (uint32_t)(r - s->rows);
    memcpy(pair, &rid, 4);
    memcpy(pair + 4, &hid, 4);
    st = rh_strmap_put(&s->pairs, (const char *)pair, sizeof(pair), &pe, &added);
    if (st != RH_OK) {
        return dropped(s, st);
    }
    if (added) {
        r->hosts++;
        add_sample(r, he->key);
    }
    row_verdict(r, f->verdict, added);
    r->risk_counts[f->risk]++;
    if (f->risk > r->max_risk) {
        r->max_risk = f->risk;
    }
    for (i = 0; i < 2; i++) {
        if (f->times[i] && (!r->first || f->times[i] < r->first)) {
            r->first = f->times[i];
        }
        if (f->times[i] > r->last) {
            r->last = f->times[i];
        }
    }
    s->stats.findings++;
    return take_representative(s, r, f);
}

rh_status rh_stack_add_line(rh_stack *s, const char *line, size_t len)
{
    json_error_t err;
    json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, &err);
    struct stack_finding f;
    rh_status st = RH_ERR_FORMAT;
    size_t n = 0;
    const char *rec = o && json_is_object(o) ? jstr(o, "record", &n) : NULL;
    if (rec && strcmp(rec, "host") == 0) {
        /* a host record of `hunt -f jsonl --host-lines`: the host counts, findings or not */
        const char *host = jstr(o, "host", &n);
        st = host && n ? stack_add_host(s, host, n) : RH_ERR_FORMAT;
    } else if (o && json_is_object(o) && finding_of(o, &f)) {
        st = stack_aggregate(s, &f);
    }
    json_decref(o);
    return st;
}

static int cmp_rank(const void *a, const void *b)
{
    const struct stack_row *x = *(const struct stack_row *const *)a;
    const struct stack_row *y = *(const struct stack_row *const *)b;
    if (x->pub.score != y->pub.score) {
        return x->pub.score > y->pub.score ? -1 : 1;
    }
    return cmp_bytes(x->key, x->key_n, y->key, y->key_n);
}

double rh_stack_score(rh_risk max_risk, size_t hosts, size_t total_hosts)
{
    unsigned r = (unsigned)max_risk <= RH_RISK_CRITICAL ? (unsigned)max_risk : RH_RISK_CRITICAL;
    if (hosts == 0 || total_hosts == 0) {
        return 0.0;
    }
    return (double)(1u << (2 * r)) * log2(1.0 + (double)total_hosts / (double)hosts);
}

static void row_publish(rh_stack *s, struct stack_row *r)
{
    rh_stack_row *p = &r->pub;
    p->stack_key = r->key;
    p->stack_key_len = r->key_n;
    p->location_id = r->lid;
    p->technique = r->tech;
    p->value_name = r->name;
    p->value_name_len = r->name_n;
    p->value_data = r->data;
    p->value_data_len = r->data_n;
    p->target_path = r->target;
    p->hosts = r->hosts;
    p->total_hosts = s->hosts.n;
    p->prevalence = s->hosts.n ? (double)r->hosts / (double)s->hosts.n : 0.0;
    p->score = rh_stack_score(r->max_risk, r->hosts, s->hosts.n);
    p->max_risk = r->max_risk;
    memcpy(p->risk_counts, r->risk_counts, sizeof(p->risk_counts));
    p->sample_hosts = r->samples;
    p->n_sample_hosts = r->nsamples;
    p->first_seen = r->first;
    p->last_seen = r->last;
    /* one verdict on every host of the row, else "mixed" when any host has one */
    p->verdict = !r->verdict                                         ? NULL
                 : !r->verdict_mixed && r->verdict_hosts == r->hosts ? r->verdict
                                                                     : "mixed";
    p->verdict_hosts = r->verdict_hosts;
}

rh_status rh_stack_finish(rh_stack *s, const rh_stack_filter *filter)
{
    rh_stack_filter all = {RH_RISK_INFO, 0.0, 0};
    size_t i;
    const rh_stack_filter *fl = filter ? filter : &all;
    rh_free(s->ctx, s->order);
    s->norder = 0;
    s->order = rh_calloc(s->ctx, s->n ? s->n : 1, sizeof(*s->order));
    if (!s->order) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < s->n; i++) {
        struct stack_row *r = &s->rows[i];
        if (r->hosts == 0 || !r->data) {
            continue; /* its only finding was dropped at a cap */
        }
        row_publish(s, r);
        if (r->max_risk < fl->min_risk || (fl->max_prevalence > 0.0 && fl->max_prevalence < 1.0 &&
                                           r->pub.prevalence > fl->max_prevalence)) {
            continue;
        }
        s->order[s->norder++] = r;
    }
    if (s->norder > 1) {
        rh_sort(s->order, s->norder, sizeof(*s->order), cmp_rank);
    }
    if (fl->top && s->norder > fl->top) {
        s->norder = fl->top;
    }
    s->stats.keys = s->keys.n;
    s->stats.total_hosts = s->hosts.n;
    return RH_OK;
}

size_t rh_stack_count(const rh_stack *s)
{
    return s ? s->norder : 0;
}

const rh_stack_row *rh_stack_at(const rh_stack *s, size_t i)
{
    return (s && i < s->norder) ? &s->order[i]->pub : NULL;
}

const rh_stack_stats *rh_stack_get_stats(const rh_stack *s)
{
    return &s->stats;
}
