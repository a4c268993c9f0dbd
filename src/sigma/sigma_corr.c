/*
 * Sigma correlation rules (specification v2.1): event_count, value_count, temporal,
 * temporal_ordered, with group-by, aliases, timespan and generate.
 *
 * Windows slide per group: each new base-rule match drops the entries older than `timespan`.
 * Conditions that can only grow true (gt, gte) fire as soon as they hold, then the group's
 * window restarts; the other conditions (lt, lte, eq, neq, or a range) are decided on the last
 * window of each group at rh_sigma_matcher_flush(). Events are expected in time order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sigma_internal.h"

/* Bounds on correlation state: groups per correlation, entries per group window. */
#define SIGMA_CORR_MAX_GROUPS (1u << 20)
#define SIGMA_CORR_MAX_WINDOW 65536u

/* ---- compile ----------------------------------------------------------------------------------
 */

static int str_array(struct sigma_build *b, const struct ynode *n, char ***out, size_t *nout)
{
    size_t i, cnt;
    if (!n) {
        *out = NULL;
        *nout = 0;
        return 0;
    }
    if (n->kind == YN_MAP) {
        return sigma_fail(b, n, RH_ERR_RULE, "expected a string or a list of strings");
    }
    cnt = n->kind == YN_SCALAR ? 1 : n->n;
    *out = rh_arena_array(b->a, cnt ? cnt : 1, sizeof(char *));
    if (!*out) {
        return sigma_fail(b, n, RH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < cnt; i++) {
        const struct ynode *k = n->kind == YN_SCALAR ? n : n->kids[i];
        if (k->kind != YN_SCALAR) {
            return sigma_fail(b, k, RH_ERR_RULE, "expected a string");
        }
        (*out)[i] = rh_arena_strdup(b->a, k->s);
        if (!(*out)[i]) {
            return sigma_fail(b, k, RH_ERR_NOMEM, "out of memory");
        }
    }
    *nout = cnt;
    return 0;
}

static int parse_timespan(struct sigma_build *b, const struct ynode *n, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mul;
    if (!n || n->kind != YN_SCALAR || n->len < 2) {
        return sigma_fail(b, n, RH_ERR_RULE, "correlation needs a timespan like 5m");
    }
    v = strtoull(n->s, &end, 10);
    if (end == n->s || end[1] != '\0') {
        return sigma_fail(b, n, RH_ERR_RULE, "bad timespan '%s'", n->s);
    }
    switch (*end) {
    case 's':
        mul = 1;
        break;
    case 'm':
        mul = 60;
        break;
    case 'h':
        mul = 3600;
        break;
    case 'd':
        mul = 86400;
        break;
    case 'w':
        mul = 7 * 86400;
        break;
    default:
        return sigma_fail(b, n, RH_ERR_RULE, "bad timespan unit in '%s' (s, m, h, d)", n->s);
    }
    if (v > UINT64_MAX / (mul * 10000000ull)) {
        return sigma_fail(b, n, RH_ERR_LIMIT, "timespan too large");
    }
    *out = v * mul * 10000000ull;
    return 0;
}

int sigma_compile_correlation(struct sigma_build *b, const struct ynode *doc, struct sig_rule *r)
{
    static const char *const types[] = {"event_count", "value_count", "temporal",
                                        "temporal_ordered"};
    static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    const struct ynode *c = ynode_get(doc, "correlation"), *n;
    struct sig_corr *k;
    size_t i, j;
    if (!c || c->kind != YN_MAP) {
        return sigma_fail(b, c ? c : doc, RH_ERR_RULE, "'correlation' is not a mapping");
    }
    k = rh_arena_zalloc(b->a, sizeof(*k));
    if (!k) {
        return sigma_fail(b, c, RH_ERR_NOMEM, "out of memory");
    }
    r->corr = k;
    n = ynode_get(c, "type");
    k->type = -1;
    for (i = 0; n && n->kind == YN_SCALAR && i < 4; i++) {
        if (strcmp(n->s, types[i]) == 0) {
            k->type = (int)i;
        }
    }
    if (k->type < 0) {
        if (n && n->kind == YN_SCALAR &&
            (strcmp(n->s, "value_sum") == 0 || strcmp(n->s, "value_avg") == 0 ||
             strcmp(n->s, "value_percentile") == 0)) {
            return sigma_fail(b, n, RH_ERR_UNSUPPORTED, "correlation type '%s' is not supported",
                              n->s);
        }
        return sigma_fail(b, n ? n : c, RH_ERR_RULE, "unknown correlation type");
    }
    r->info.correlation_type = types[k->type];
    if (str_array(b, ynode_get(c, "rules"), &k->rule_refs, &k->nrefs) < 0) {
        return -1;
    }
    if (k->nrefs == 0) {
        return sigma_fail(b, c, RH_ERR_RULE, "correlation has no 'rules'");
    }
    if (str_array(b, ynode_get(c, "group-by"), &k->group_by, &k->ngroup) < 0) {
        return -1;
    }
    if (parse_timespan(
            b, ynode_get(c, "timespan") ? ynode_get(c, "timespan") : ynode_get(c, "timeframe"),
            &k->timespan) < 0) {
        return -1;
    }
    n = ynode_get(c, "generate");
    k->generate = n && n->kind == YN_SCALAR && strcmp(n->s, "true") == 0;
    n = ynode_get(c, "condition");
    if (k->type <= CORR_VALUE_COUNT) {
        if (!n || n->kind != YN_MAP) {
            return sigma_fail(b, n ? n : c, RH_ERR_RULE, "%s needs a condition mapping",
                              types[k->type]);
        }
    }
    if (n && n->kind == YN_MAP) {
        for (i = 0; i < n->n; i++) {
            const struct ynode *key = n->kids[2 * i], *val = n->kids[2 * i + 1];
            bool known = false;
            if (strcmp(key->s, "field") == 0) {
                if (val->kind != YN_SCALAR) {
                    return sigma_fail(b, val, RH_ERR_RULE, "condition field is not a string");
                }
                k->value_field = rh_arena_strdup(b->a, val->s);
                continue;
            }
            for (j = 0; j < 6; j++) {
                if (strcmp(key->s, ops[j]) == 0) {
                    char *end;
                    unsigned long long v;
                    known = true;
                    if (k->nconds == 2 || val->kind != YN_SCALAR) {
                        return sigma_fail(b, key, RH_ERR_RULE, "bad correlation condition");
                    }
                    v = strtoull(val->s, &end, 10);
                    if (*end || end == val->s) {
                        return sigma_fail(b, val, RH_ERR_RULE, "condition needs a number");
                    }
                    k->conds[k->nconds].op = (int)j;
                    k->conds[k->nconds].v = v;
                    k->nconds++;
                }
            }
            if (!known) {
                return sigma_fail(b, key, RH_ERR_RULE, "unknown condition '%s'", key->s);
            }
        }
    }
    if (!k->value_field) {
        n = ynode_get(c, "field");
        if (n && n->kind == YN_SCALAR) {
            k->value_field = rh_arena_strdup(b->a, n->s);
        }
    }
    if (k->type == CORR_VALUE_COUNT && !k->value_field) {
        return sigma_fail(b, c, RH_ERR_RULE, "value_count needs a condition 'field'");
    }
    if (k->type <= CORR_VALUE_COUNT && k->nconds == 0) {
        return sigma_fail(b, c, RH_ERR_RULE, "%s needs gt/gte/lt/lte/eq/neq", types[k->type]);
    }
    if (k->type >= CORR_TEMPORAL && k->ngroup == 0 && !ynode_get(c, "group-by")) {
        /* group-by is required for temporal in the spec; an empty group is one global group. */
    }
    n = ynode_get(c, "aliases");
    if (n && n->kind == YN_MAP && n->n) {
        k->naliases = n->n;
        k->alias_names = rh_arena_array(b->a, n->n, sizeof(char *));
        k->alias_fields = rh_arena_array(b->a, n->n, sizeof(char **));
        if (!k->alias_names || !k->alias_fields) {
            return sigma_fail(b, n, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < n->n; i++) {
            const struct ynode *am = n->kids[2 * i + 1];
            k->alias_names[i] = rh_arena_strdup(b->a, n->kids[2 * i]->s);
            k->alias_fields[i] = rh_arena_array(b->a, k->nrefs, sizeof(char *));
            if (!k->alias_names[i] || !k->alias_fields[i]) {
                return sigma_fail(b, n, RH_ERR_NOMEM, "out of memory");
            }
            if (am->kind != YN_MAP) {
                return sigma_fail(b, am, RH_ERR_RULE, "alias must map rule names to fields");
            }
            for (j = 0; j < k->nrefs; j++) {
                const struct ynode *f = ynode_get(am, k->rule_refs[j]);
                if (f && f->kind == YN_SCALAR) {
                    k->alias_fields[i][j] = rh_arena_strdup(b->a, f->s);
                }
            }
        }
    }
    return 0;
}

/* ---- resolve at finish ------------------------------------------------------------------------
 */

static struct sig_rule *lookup(rh_ruleset *rs, const char *ref)
{
    size_t i;
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *r = rs->rules[i];
        if (r->info.kind != RH_SIGMA_FILTER &&
            (strcmp(r->info.id, ref) == 0 || (r->info.name[0] && strcmp(r->info.name, ref) == 0))) {
            return r;
        }
    }
    return NULL;
}

static const char *alias_field(const struct sig_corr *k, const char *g, size_t ref)
{
    size_t i;
    for (i = 0; i < k->naliases; i++) {
        if (strcmp(k->alias_names[i], g) == 0 && k->alias_fields[i][ref]) {
            return k->alias_fields[i][ref];
        }
    }
    return g;
}

rh_status sigma_corr_resolve(rh_sigma_compiler *c)
{
    rh_ruleset *rs = c->rs;
    size_t i, j, g, out = 0, ncorr = 0;
    rh_status st;
    /* First pass: validate references, drop bad correlations from the rule list. */
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *r = rs->rules[i];
        const char *bad = NULL;
        char why[300];
        if (r->info.kind == RH_SIGMA_CORRELATION) {
            struct sig_corr *k = r->corr;
            k->rules = rh_arena_array(&rs->arena, k->nrefs, sizeof(uint32_t));
            if (!k->rules) {
                return RH_ERR_NOMEM;
            }
            for (j = 0; j < k->nrefs && !bad; j++) {
                struct sig_rule *t = lookup(rs, k->rule_refs[j]);
                if (!t) {
                    snprintf(why, sizeof(why),
                             "correlation references rule '%s' which is not loaded",
                             k->rule_refs[j]);
                    bad = why;
                } else if (t->info.kind == RH_SIGMA_CORRELATION) {
                    snprintf(why, sizeof(why), "correlation of correlation '%s' is not supported",
                             k->rule_refs[j]);
                    bad = why;
                } else {
                    k->rules[j] = t->index;
                }
            }
            if (bad) {
                st = sigma_reject(c, r->info.path, r->info.id, r->info.title, r->info.line, 0,
                                  RH_ERR_RULE, bad);
                if (st != RH_OK) {
                    return st;
                }
                continue;
            }
            ncorr++;
        }
        rs->rules[out++] = r;
    }
    rs->nrules = out;
    for (i = 0; i < rs->nrules; i++) {
        rs->rules[i]->index = (uint32_t)i;
    }
    if (!ncorr) {
        return RH_OK;
    }
    rs->corrs = rh_calloc(rs->ctx, ncorr, sizeof(*rs->corrs));
    if (!rs->corrs) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *r = rs->rules[i];
        struct sig_corr *k;
        struct sig_corr *x;
        if (r->info.kind != RH_SIGMA_CORRELATION) {
            continue;
        }
        k = r->corr;
        /* re-resolve indexes after compaction */
        {
            const rh_sigma_rule_info **refs =
                rh_arena_array(&rs->arena, k->nrefs ? k->nrefs : 1, sizeof(*refs));
            if (!refs) {
                return RH_ERR_NOMEM;
            }
            for (j = 0; j < k->nrefs; j++) {
                k->rules[j] = lookup(rs, k->rule_refs[j])->index;
                refs[j] = &rs->rules[k->rules[j]]->info;
            }
            r->info.refs = refs;
            r->info.nrefs = k->nrefs;
        }
        k->index = (uint32_t)rs->ncorrs;
        rs->corrs[rs->ncorrs++] = r;
        x = k;
        x->gfid =
            rh_arena_array(&rs->arena, k->nrefs * (k->ngroup ? k->ngroup : 1), sizeof(uint32_t));
        x->vfid = rh_arena_array(&rs->arena, k->nrefs, sizeof(uint32_t));
        if (!x->gfid || !x->vfid) {
            return RH_ERR_NOMEM;
        }
        for (j = 0; j < k->nrefs; j++) {
            for (g = 0; g < k->ngroup; g++) {
                const char *f = alias_field(k, k->group_by[g], j);
                x->gfid[j * k->ngroup + g] = sigma_strtab_intern(&rs->fields, f, strlen(f));
                if (x->gfid[j * k->ngroup + g] == UINT32_MAX) {
                    return RH_ERR_NOMEM;
                }
            }
            if (k->value_field) {
                const char *f = alias_field(k, k->value_field, j);
                x->vfid[j] = sigma_strtab_intern(&rs->fields, f, strlen(f));
                if (x->vfid[j] == UINT32_MAX) {
                    return RH_ERR_NOMEM;
                }
            }
        }
    }
    /* Users and emission: referenced rules are silent unless a correlation says generate. */
    for (i = 0; i < rs->ncorrs; i++) {
        struct sig_corr *k = rs->corrs[i]->corr;
        for (j = 0; j < k->nrefs; j++) {
            struct sig_rule *t = rs->rules[k->rules[j]];
            uint32_t *u;
            size_t q;
            bool dup = false;
            for (q = 0; q < t->ncorr_users; q++) {
                dup = dup || t->corr_users[q] == k->index;
            }
            if (!dup) {
                u = rh_arena_array(&rs->arena, t->ncorr_users + 1, sizeof(uint32_t));
                if (!u) {
                    return RH_ERR_NOMEM;
                }
                if (t->ncorr_users) {
                    memcpy(u, t->corr_users, t->ncorr_users * sizeof(uint32_t));
                }
                u[t->ncorr_users++] = k->index;
                t->corr_users = u;
            }
        }
    }
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *t = rs->rules[i];
        if (t->ncorr_users) {
            bool gen = false;
            for (j = 0; j < t->ncorr_users; j++) {
                gen = gen || rs->corrs[t->corr_users[j]]->corr->generate;
            }
            t->emit = gen;
        }
    }
    return RH_OK;
}

/* ---- state -------------------------------------------------------------------------------------
 */

struct wentry {
    uint64_t ts;
    uint32_t h;  /* value hash (value_count) */
    char *value; /* value_count: owned */
};

struct group {
    const char *key; /* the state map's copy */
    struct wentry *w;
    size_t nw, capw, head; /* live window is w[head .. nw) */
    uint64_t *last;        /* temporal: per ref, 0 = unseen; ordered: chain start per position */
    uint8_t *seen;
    uint64_t first_ts, last_ts;
};

/* Groups by key. Flushing reports them in the map's slot order, so the map's deterministic
 * layout (strmap.h) is part of the output order. */
struct sigma_corr_state {
    struct rh_strmap map; /* group key -> index + 1 into g (0: group not created yet) */
    struct group *g;
    size_t n, cap;
};

rh_status sigma_corr_state_create(rh_sigma_matcher *m)
{
    size_t i;
    m->ncorr = m->rs->ncorrs;
    if (!m->ncorr) {
        return RH_OK;
    }
    m->corr = rh_calloc(m->ctx, m->ncorr, sizeof(*m->corr));
    if (!m->corr) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < m->ncorr; i++) {
        rh_strmap_init(&m->corr[i].map, m->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 16,
                       SIGMA_CORR_MAX_GROUPS);
    }
    return RH_OK;
}

static void group_clear(rh_ctx *ctx, struct group *g)
{
    size_t i;
    for (i = 0; i < g->nw; i++) {
        rh_free(ctx, g->w[i].value);
    }
    g->nw = g->head = 0;
}

static void state_reset(rh_sigma_matcher *m, struct sigma_corr_state *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        struct group *g = &s->g[i];
        group_clear(m->ctx, g);
        rh_free(m->ctx, g->w);
        rh_free(m->ctx, g->last);
        rh_free(m->ctx, g->seen);
    }
    rh_free(m->ctx, s->g);
    rh_strmap_free(&s->map);
    s->g = NULL;
    s->n = s->cap = 0;
}

void sigma_corr_state_free(rh_sigma_matcher *m)
{
    size_t i;
    if (!m->corr) {
        return;
    }
    for (i = 0; i < m->ncorr; i++) {
        state_reset(m, &m->corr[i]);
    }
    rh_free(m->ctx, m->corr);
    m->corr = NULL;
}

/* The group of `key`, created on first use: RH_OK, RH_ERR_NOMEM or RH_ERR_LIMIT (more than
 * SIGMA_CORR_MAX_GROUPS groups). */
static rh_status group_get(rh_sigma_matcher *m, struct sigma_corr_state *s, const char *key,
                           size_t klen, size_t nrefs, struct group **out)
{
    struct rh_strmap_entry *e;
    struct group *g;
    void *arr = s->g;
    rh_status st = rh_strmap_put(&s->map, key, klen, &e, NULL);
    if (st != RH_OK) {
        return st;
    }
    if (e->val) {
        *out = &s->g[e->val - 1];
        return RH_OK;
    }
    st = rh_array_reserve(m->ctx, &arr, &s->cap, s->n + 1, sizeof(*s->g));
    if (st != RH_OK) {
        return st;
    }
    s->g = arr;
    g = &s->g[s->n];
    memset(g, 0, sizeof(*g));
    g->last = rh_calloc(m->ctx, nrefs, sizeof(uint64_t));
    g->seen = rh_calloc(m->ctx, nrefs, 1);
    if (!g->last || !g->seen) {
        rh_free(m->ctx, g->last);
        rh_free(m->ctx, g->seen);
        return RH_ERR_NOMEM; /* the key stays without a group (val 0): retried on next use */
    }
    g->key = e->key;
    e->val = ++s->n;
    *out = g;
    return RH_OK;
}

static bool cond_ok(const struct sig_corr *k, uint64_t v)
{
    size_t i;
    for (i = 0; i < k->nconds; i++) {
        uint64_t t = k->conds[i].v;
        bool ok;
        switch (k->conds[i].op) {
        case 0:
            ok = v > t;
            break;
        case 1:
            ok = v >= t;
            break;
        case 2:
            ok = v < t;
            break;
        case 3:
            ok = v <= t;
            break;
        case 4:
            ok = v == t;
            break;
        default:
            ok = v != t;
            break;
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool growing_only(const struct sig_corr *k)
{
    size_t i;
    for (i = 0; i < k->nconds; i++) {
        if (k->conds[i].op > 1) {
            return false;
        }
    }
    return true;
}

static uint64_t window_value(const struct sig_corr *k, const struct group *g)
{
    size_t i, j, distinct = 0;
    if (k->type == CORR_EVENT_COUNT) {
        return g->nw - g->head;
    }
    for (i = g->head; i < g->nw; i++) {
        bool dup = false;
        for (j = g->head; j < i && !dup; j++) {
            dup = g->w[j].h == g->w[i].h && strcmp(g->w[j].value, g->w[i].value) == 0;
        }
        if (!dup) {
            distinct++;
        }
    }
    return distinct;
}

static rh_status emit(rh_sigma_matcher *m, const struct sig_rule *cr, const struct group *g,
                      const rh_event *ev, uint64_t value, uint64_t first, rh_sigma_match_fn fn,
                      void *user)
{
    rh_sigma_match mt;
    memset(&mt, 0, sizeof(mt));
    (void)m;
    mt.rule = &cr->info;
    mt.event = ev;
    mt.group = g->key;
    mt.value = value;
    mt.first_ts = first;
    mt.last_ts = g->last_ts;
    return fn(&mt, user);
}

static rh_status append_entry(rh_sigma_matcher *m, struct group *g, uint64_t ts, const char *value,
                              size_t vlen)
{
    if (g->head > 0 && g->head * 2 >= g->nw) {
        memmove(g->w, g->w + g->head, (g->nw - g->head) * sizeof(*g->w));
        g->nw -= g->head;
        g->head = 0;
    }
    if (g->nw - g->head >= SIGMA_CORR_MAX_WINDOW) {
        rh_free(m->ctx, g->w[g->head].value);
        g->head++;
    }
    if (g->nw == g->capw) {
        size_t ncap = g->capw ? g->capw * 2 : 8;
        struct wentry *t = rh_realloc(m->ctx, g->w, ncap * sizeof(*t));
        if (!t) {
            return RH_ERR_NOMEM;
        }
        g->w = t;
        g->capw = ncap;
    }
    g->w[g->nw].ts = ts;
    g->w[g->nw].value = NULL;
    g->w[g->nw].h = 0;
    if (value) {
        g->w[g->nw].value = rh_strndup(m->ctx, value, vlen);
        if (!g->w[g->nw].value) {
            return RH_ERR_NOMEM;
        }
        g->w[g->nw].h = rh_hash_fnv1a(value, vlen);
    }
    g->nw++;
    return RH_OK;
}

rh_status sigma_corr_feed(rh_sigma_matcher *m, const struct sig_rule *r, struct sigma_mctx *mc,
                          const rh_event *ev, rh_sigma_match_fn fn, void *user)
{
    const rh_ruleset *rs = m->rs;
    size_t u;
    for (u = 0; u < r->ncorr_users; u++) {
        const struct sig_rule *cr = rs->corrs[r->corr_users[u]];
        const struct sig_corr *k = cr->corr;
        const struct sig_corr *x = k;
        struct sigma_corr_state *s = &m->corr[k->index];
        struct group *g;
        size_t ref, gi;
        long pos;
        uint64_t now = ev->timestamp;
        rh_status st;
        for (ref = 0; ref < k->nrefs && k->rules[ref] != r->index; ref++) {
        }
        if (ref == k->nrefs) {
            continue;
        }
        /* group key */
        rh_buf_reset(&m->tmp);
        for (gi = 0; gi < k->ngroup; gi++) {
            struct sig_fieldval fv;
            sigma_view_field(mc, x->gfid[ref * k->ngroup + gi], &fv);
            st = rh_buf_printf(&m->tmp, "%s%s=", gi ? ", " : "", k->group_by[gi]);
            if (st == RH_OK && fv.f) {
                st = rh_buf_append(&m->tmp, fv.f->value, fv.f->value_len);
            }
            if (st != RH_OK) {
                return st;
            }
        }
        st = group_get(m, s, m->tmp.data ? m->tmp.data : "", m->tmp.len, k->nrefs, &g);
        if (st == RH_ERR_LIMIT) {
            continue; /* state cap reached: documented limit */
        }
        if (st != RH_OK) {
            return st;
        }
        if (k->type <= CORR_VALUE_COUNT) {
            struct sig_fieldval fv = {NULL, NULL, 0};
            if (k->type == CORR_VALUE_COUNT) {
                sigma_view_field(mc, x->vfid[ref], &fv);
                if (!fv.f) {
                    continue; /* no value to count */
                }
            }
            while (g->head < g->nw && now > k->timespan && g->w[g->head].ts < now - k->timespan) {
                rh_free(m->ctx, g->w[g->head].value);
                g->w[g->head].value = NULL;
                g->head++;
            }
            st = append_entry(m, g, now, fv.f ? fv.f->value : NULL, fv.f ? fv.f->value_len : 0);
            if (st != RH_OK) {
                return st;
            }
            g->last_ts = now;
            if (growing_only(k)) {
                uint64_t v = window_value(k, g);
                if (cond_ok(k, v)) {
                    uint64_t first = g->w[g->head].ts;
                    group_clear(m->ctx, g);
                    st = emit(m, cr, g, ev, v, first, fn, user);
                    if (st != RH_OK) {
                        return st;
                    }
                }
            }
            continue;
        }
        g->last_ts = now;
        if (k->type == CORR_TEMPORAL) {
            size_t i, nseen = 0;
            uint64_t first = now;
            g->last[ref] = now;
            g->seen[ref] = 1;
            for (i = 0; i < k->nrefs; i++) {
                if (g->seen[i] && now - g->last[i] <= k->timespan) {
                    nseen++;
                    if (g->last[i] < first) {
                        first = g->last[i];
                    }
                }
            }
            if (nseen == k->nrefs) {
                memset(g->seen, 0, k->nrefs);
                st = emit(m, cr, g, ev, nseen, first, fn, user);
                if (st != RH_OK) {
                    return st;
                }
            }
            continue;
        }
        /* temporal_ordered: last[p] = start time of a chain that reached position p. A rule may
         * hold several positions: walk from the end so one event advances a chain once. */
        for (pos = (long)k->nrefs - 1; pos >= 0; pos--) {
            if (k->rules[pos] != r->index) {
                continue;
            }
            if (pos == 0) {
                g->last[0] = now;
                g->seen[0] = 1;
            } else if (g->seen[pos - 1] && now - g->last[pos - 1] <= k->timespan) {
                g->last[pos] = g->last[pos - 1];
                g->seen[pos] = 1;
            }
            if ((size_t)pos == k->nrefs - 1 && g->seen[pos]) {
                uint64_t first = g->last[pos];
                memset(g->seen, 0, k->nrefs);
                st = emit(m, cr, g, ev, k->nrefs, first, fn, user);
                if (st != RH_OK) {
                    return st;
                }
                break;
            }
        }
    }
    return RH_OK;
}

rh_status sigma_corr_flush(rh_sigma_matcher *m, rh_sigma_match_fn fn, void *user)
{
    size_t i;
    rh_status st = RH_OK;
    for (i = 0; i < m->ncorr && st == RH_OK; i++) {
        const struct sig_rule *cr = m->rs->corrs[i];
        const struct sig_corr *k = cr->corr;
        struct sigma_corr_state *s = &m->corr[i];
        if (k->type <= CORR_VALUE_COUNT && !growing_only(k)) {
            struct rh_strmap_entry *e;
            size_t pos = 0;
            while (st == RH_OK && rh_strmap_next(&s->map, &pos, &e)) {
                struct group *g = e->val ? &s->g[e->val - 1] : NULL;
                uint64_t v;
                if (!g || g->head >= g->nw) {
                    continue;
                }
                v = window_value(k, g);
                if (cond_ok(k, v)) {
                    st = emit(m, cr, g, NULL, v, g->w[g->head].ts, fn, user);
                }
            }
        }
        state_reset(m, s);
    }
    return st;
}
