/*
 * Sigma matcher: per-thread state, event views (real + header fields, Security 4657
 * rewrite), condition evaluation, dispatch by event id / channel, literal prefilter.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reghunt/regpath.h"
#include "sigma_internal.h"

/* ---- views ------------------------------------------------------------------------------------
 */

static rh_status view_init(rh_sigma_matcher *m, struct sigma_view *v)
{
    size_t nf = m->rs->fields.n ? m->rs->fields.n : 1;
    rh_buf_init(&v->xbuf, m->ctx);
    rh_buf_init(&v->fold, m->ctx);
    v->slot = rh_calloc(m->ctx, nf, sizeof(*v->slot));
    v->slot_gen = rh_calloc(m->ctx, nf, sizeof(*v->slot_gen));
    if (!v->slot || !v->slot_gen) {
        return RH_ERR_NOMEM;
    }
    return RH_OK;
}

static void view_free(rh_sigma_matcher *m, struct sigma_view *v)
{
    rh_buf_free(&v->xbuf);
    rh_buf_free(&v->fold);
    rh_free(m->ctx, v->slot);
    rh_free(m->ctx, v->slot_gen);
    rh_free(m->ctx, v->xf);
    rh_free(m->ctx, v->all);
    rh_free(m->ctx, v->fold_gen);
    rh_free(m->ctx, v->fold_off);
    rh_free(m->ctx, v->fold_len);
}

static rh_status grow_all(rh_sigma_matcher *m, struct sigma_view *v, size_t need)
{
    if (need > v->capall) {
        size_t ncap = need * 2;
        const rh_event_field **a = rh_realloc(m->ctx, v->all, ncap * sizeof(*a));
        if (!a) {
            return RH_ERR_NOMEM;
        }
        v->all = a;
        v->capall = ncap;
    }
    if (need > v->capfold) {
        size_t ncap = need * 2;
        uint32_t *g = rh_realloc(m->ctx, v->fold_gen, ncap * sizeof(*g));
        size_t *o, *l;
        if (!g) {
            return RH_ERR_NOMEM;
        }
        v->fold_gen = g;
        o = rh_realloc(m->ctx, v->fold_off, ncap * sizeof(*o));
        if (!o) {
            return RH_ERR_NOMEM;
        }
        v->fold_off = o;
        l = rh_realloc(m->ctx, v->fold_len, ncap * sizeof(*l));
        if (!l) {
            return RH_ERR_NOMEM;
        }
        v->fold_len = l;
        memset(v->fold_gen + v->capfold, 0, (ncap - v->capfold) * sizeof(*g));
        v->capfold = ncap;
    }
    return RH_OK;
}

static void set_virtual(struct sigma_view *v, int i, const char *name, const char *val,
                        rh_field_type t, uint64_t num)
{
    v->vfields[i].name = name;
    v->vfields[i].value = val ? val : "";
    v->vfields[i].value_len = val ? strlen(val) : 0;
    v->vfields[i].type = t;
    v->vfields[i].num = num;
}

/* Fill all[] with the given fields plus the header fields, and the fid slots. */
static rh_status view_index(rh_sigma_matcher *m, struct sigma_view *v, const rh_event *ev,
                            const rh_event_field *pre, size_t npre)
{
    const rh_ruleset *rs = m->rs;
    size_t i, n = 0;
    rh_status st = grow_all(m, v, npre + ev->nfields + SIGMA_F_NVIRTUAL);
    if (st != RH_OK) {
        return st;
    }
    v->gen = m->gen;
    rh_buf_reset(&v->fold);
    for (i = 0; i < npre; i++) {
        v->all[n++] = &pre[i];
    }
    for (i = 0; i < ev->nfields; i++) {
        v->all[n++] = &ev->fields[i];
    }
    snprintf(v->virt[0], sizeof(v->virt[0]), "%u", ev->event_id);
    set_virtual(v, SIGMA_F_EVENTID, "EventID", v->virt[0], RH_FIELD_INT, ev->event_id);
    set_virtual(v, SIGMA_F_CHANNEL, "Channel", ev->channel, RH_FIELD_STRING, 0);
    set_virtual(v, SIGMA_F_PROVIDER, "Provider_Name", ev->provider, RH_FIELD_STRING, 0);
    set_virtual(v, SIGMA_F_COMPUTER, "Computer", ev->computer, RH_FIELD_STRING, 0);
    snprintf(v->virt[1], sizeof(v->virt[1]), "%llu", (unsigned long long)ev->record_id);
    set_virtual(v, SIGMA_F_RECORDID, "EventRecordID", v->virt[1], RH_FIELD_INT, ev->record_id);
    set_virtual(v, SIGMA_F_USERID, "UserID", ev->user_sid, RH_FIELD_SID, 0);
    for (i = 0; i < n; i++) {
        const rh_event_field *f = v->all[i];
        uint32_t fid;
        if (!f->name) {
            continue;
        }
        fid = sigma_strtab_find(&rs->fields, f->name, strlen(f->name));
        if (fid != UINT32_MAX && v->slot_gen[fid] != m->gen) {
            v->slot_gen[fid] = m->gen;
            v->slot[fid] = (int32_t)i;
        }
    }
    for (i = 0; i < SIGMA_F_NVIRTUAL; i++) {
        bool present =
            (i == SIGMA_F_EVENTID || i == SIGMA_F_RECORDID) || (v->vfields[i].value_len > 0);
        if (present && v->slot_gen[i] != m->gen) {
            v->all[n] = &v->vfields[i];
            v->slot_gen[i] = m->gen;
            v->slot[i] = (int32_t)n;
            n++;
        }
    }
    v->nall = n;
    v->built = true;
    return RH_OK;
}

/* Security 4657 -> Sysmon registry fields (docs/sigma-support.md). */
static rh_status build_4657(rh_sigma_matcher *m, struct sigma_view *v, const rh_event *ev)
{
    const rh_event_field *on = rh_event_field_get(ev, "ObjectName");
    const rh_event_field *vn = rh_event_field_get(ev, "ObjectValueName");
    const rh_event_field *nv = rh_event_field_get(ev, "NewValue");
    const rh_event_field *pn = rh_event_field_get(ev, "ProcessName");
    const rh_event_field *op = rh_event_field_get(ev, "OperationType");
    const rh_event_field *su = rh_event_field_get(ev, "SubjectUserName");
    const rh_event_field *sd = rh_event_field_get(ev, "SubjectDomainName");
    size_t offs[6], lens[6], k = 0, i;
    const char *names[6];
    rh_buf *b = &v->xbuf;
    rh_status st = RH_OK;
    rh_buf_reset(b);
    if (!v->xf) {
        v->xf = rh_calloc(m->ctx, 6, sizeof(*v->xf));
        if (!v->xf) {
            return RH_ERR_NOMEM;
        }
        v->capxf = 6;
    }
#define START(nm) (names[k] = (nm), offs[k] = b->len)
#define END()     (lens[k] = b->len - offs[k], k++, rh_buf_putc(b, '\0'))
    if (on) {
        START("TargetObject");
        st = rh_regpath_sysmon(on->value, on->value_len, b);
        if (st == RH_OK && vn) {
            st = rh_buf_putc(b, '\\');
            if (st == RH_OK) {
                st = vn->value_len ? rh_buf_append(b, vn->value, vn->value_len)
                                   : rh_buf_puts(b, "(Default)");
            }
        }
        if (st == RH_OK) {
            st = END();
        }
    }
    if (st == RH_OK && nv) {
        START("Details");
        st = rh_buf_append(b, nv->value, nv->value_len);
        if (st == RH_OK) {
            st = END();
        }
    }
    if (st == RH_OK && pn) {
        START("Image");
        st = rh_buf_append(b, pn->value, pn->value_len);
        if (st == RH_OK) {
            st = END();
        }
    }
    if (st == RH_OK) {
        /* %%1904 new value, %%1905 modified, %%1906 deleted */
        bool del = op && strstr(op->value, "1906") != NULL;
        START("EventType");
        st = rh_buf_puts(b, del ? "DeleteValue" : "SetValue");
        if (st == RH_OK) {
            st = END();
        }
    }
    if (st == RH_OK && su) {
        START("User");
        if (sd && sd->value_len) {
            st = rh_buf_append(b, sd->value, sd->value_len);
            if (st == RH_OK) {
                st = rh_buf_putc(b, '\\');
            }
        }
        if (st == RH_OK) {
            st = rh_buf_append(b, su->value, su->value_len);
        }
        if (st == RH_OK) {
            st = END();
        }
    }
#undef START
#undef END
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < k; i++) {
        v->xf[i].name = names[i];
        v->xf[i].value = b->data + offs[i];
        v->xf[i].value_len = lens[i];
        v->xf[i].type = RH_FIELD_STRING;
        v->xf[i].num = 0;
    }
    v->nxf = k;
    return view_index(m, v, ev, v->xf, k);
}

static struct sigma_view *get_view(rh_sigma_matcher *m, const rh_event *ev, int tx, rh_status *st)
{
    struct sigma_view *v = &m->views[tx];
    *st = RH_OK;
    if (v->built && v->gen == m->gen) {
        return v;
    }
    v->ev = ev;
    if (tx == SIGMA_TX_SEC4657) {
        *st = build_4657(m, v, ev);
    } else {
        *st = view_index(m, v, ev, NULL, 0);
    }
    return *st == RH_OK ? v : NULL;
}

void sigma_view_fold(struct sigma_mctx *mc, size_t i, const uint8_t **p, size_t *n)
{
    struct sigma_view *v = mc->view;
    if (v->fold_gen[i] != mc->m->gen) {
        const rh_event_field *f = v->all[i];
        size_t off = v->fold.len;
        if (sigma_fold(&v->fold, (const uint8_t *)f->value, f->value_len) != RH_OK) {
            /* Out of memory: fall back to the raw text (matching stays case-sensitive). */
            v->fold.len = off;
            *p = (const uint8_t *)f->value;
            *n = f->value_len;
            return;
        }
        v->fold_off[i] = off;
        v->fold_len[i] = v->fold.len - off;
        v->fold_gen[i] = mc->m->gen;
    }
    *p = (const uint8_t *)v->fold.data + v->fold_off[i];
    *n = v->fold_len[i];
}

static void field_at(struct sigma_mctx *mc, uint32_t efid, struct sig_fieldval *out)
{
    struct sigma_view *v = mc->view;
    out->f = NULL;
    out->fold = NULL;
    out->foldlen = 0;
    if (efid < mc->m->rs->fields.n && v->slot_gen[efid] == mc->m->gen) {
        size_t i = (size_t)v->slot[efid];
        out->f = v->all[i];
        sigma_view_fold(mc, i, &out->fold, &out->foldlen);
    }
}

void sigma_view_field(struct sigma_mctx *mc, uint32_t fid, struct sig_fieldval *out)
{
    field_at(mc, mc->fmap ? mc->fmap[fid] : fid, out);
}

/* ---- evaluation --------------------------------------------------------------------------------
 */

static bool value_any(struct sigma_mctx *mc, const struct sig_item *it,
                      const struct sig_fieldval *fv)
{
    size_t i;
    for (i = 0; i < it->nvals; i++) {
        if (it->vals[i].mod->match(&it->vals[i], mc, fv)) {
            return true;
        }
    }
    return false;
}

static bool value_all(struct sigma_mctx *mc, const struct sig_item *it,
                      const struct sig_fieldval *fv)
{
    size_t i;
    for (i = 0; i < it->nvals; i++) {
        if (!it->vals[i].mod->match(&it->vals[i], mc, fv)) {
            return false;
        }
    }
    return true;
}

static bool keyword_value(struct sigma_mctx *mc, const struct sig_value *val)
{
    struct sigma_view *v = mc->view;
    size_t i;
    for (i = 0; i < v->nall; i++) {
        struct sig_fieldval fv;
        fv.f = v->all[i];
        sigma_view_fold(mc, i, &fv.fold, &fv.foldlen);
        if (val->mod->match(val, mc, &fv)) {
            return true;
        }
    }
    return false;
}

bool sigma_eval_item(struct sigma_mctx *mc, const struct sig_item *it)
{
    struct sig_fieldval fv;
    bool r;
    if (it->flags & SIG_I_KEYWORD) {
        size_t i;
        bool all = (it->flags & SIG_I_ALL) != 0;
        for (i = 0; i < it->nvals; i++) {
            bool k = keyword_value(mc, &it->vals[i]);
            if (all && !k) {
                return false;
            }
            if (!all && k) {
                return true;
            }
        }
        return all;
    }
    sigma_view_field(mc, it->fid, &fv);
    if (it->flags & SIG_I_NEQ) {
        return !value_any(mc, it, &fv);
    }
    r = (it->flags & SIG_I_ALL) ? value_all(mc, it, &fv) : value_any(mc, it, &fv);
    return r;
}

bool sigma_eval_search(struct sigma_mctx *mc, const struct sig_search *s)
{
    size_t i, j;
    for (i = 0; i < s->nmaps; i++) {
        const struct sig_map *m = &s->maps[i];
        bool ok = true;
        for (j = 0; j < m->n && ok; j++) {
            ok = sigma_eval_item(mc, &m->items[j]);
        }
        if (ok) {
            return true;
        }
    }
    return false;
}

bool sigma_eval_cond(struct sigma_mctx *mc, const struct sig_rule *r, const struct cnode *c)
{
    size_t i, hits;
    switch (c->op) {
    case C_ID:
        return sigma_eval_search(mc, &r->searches[c->id]);
    case C_AND:
        for (i = 0; i < c->n; i++) {
            if (!sigma_eval_cond(mc, r, c->kids[i])) {
                return false;
            }
        }
        return true;
    case C_OR:
        for (i = 0; i < c->n; i++) {
            if (sigma_eval_cond(mc, r, c->kids[i])) {
                return true;
            }
        }
        return false;
    case C_NOT:
        return !sigma_eval_cond(mc, r, c->kids[0]);
    case C_ATLEAST:
        for (i = 0, hits = 0; i < c->n; i++) {
            if (sigma_eval_cond(mc, r, c->kids[i]) && ++hits >= c->id) {
                return true;
            }
        }
        return false;
    case C_TRUE:
        return true;
    default:
        return false;
    }
}

/* ---- matcher API
 * --------------------------------------------------------------------------------- */

rh_status rh_sigma_matcher_create(rh_ctx *ctx, const rh_ruleset *rs, rh_sigma_matcher **out)
{
    rh_sigma_matcher *m;
    size_t i;
    *out = NULL;
    m = rh_calloc(ctx, 1, sizeof(*m));
    if (!m) {
        return RH_ERR_NOMEM;
    }
    m->ctx = ctx;
    m->rs = rs;
    rh_buf_init(&m->tmp, ctx);
    for (i = 0; i < SIGMA_TX_COUNT; i++) {
        if (view_init(m, &m->views[i]) != RH_OK) {
            rh_sigma_matcher_destroy(m);
            return RH_ERR_NOMEM;
        }
    }
    m->rule_gen = rh_calloc(ctx, rs->nrules + 1, sizeof(uint32_t));
    m->binding_gen = rh_calloc(ctx, rs->nbindings + 1, sizeof(uint32_t));
    m->binding_ok = rh_calloc(ctx, rs->nbindings + 1, 1);
    m->pf_gen = rh_calloc(ctx, rs->npf + 1, sizeof(uint32_t));
    m->hits = rh_calloc(ctx, rs->npf + 1, sizeof(uint32_t));
    m->ac_gen = rh_calloc(ctx, (rs->nacs + 1) * SIGMA_TX_COUNT, sizeof(uint32_t));
    m->md = pcre2_match_data_create(1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    if (!m->rule_gen || !m->binding_gen || !m->binding_ok || !m->pf_gen || !m->hits || !m->ac_gen ||
        !m->md || !m->mctx) {
        rh_sigma_matcher_destroy(m);
        return RH_ERR_NOMEM;
    }
    /* Bound backtracking: a hostile rule or event must not stall the scan. */
    pcre2_set_match_limit(m->mctx, 1000000);
    pcre2_set_depth_limit(m->mctx, 10000);
    if (sigma_corr_state_create(m) != RH_OK) {
        rh_sigma_matcher_destroy(m);
        return RH_ERR_NOMEM;
    }
    *out = m;
    return RH_OK;
}

void rh_sigma_matcher_destroy(rh_sigma_matcher *m)
{
    size_t i;
    if (!m) {
        return;
    }
    for (i = 0; i < SIGMA_TX_COUNT; i++) {
        view_free(m, &m->views[i]);
    }
    sigma_corr_state_free(m);
    rh_free(m->ctx, m->rule_gen);
    rh_free(m->ctx, m->binding_gen);
    rh_free(m->ctx, m->binding_ok);
    rh_free(m->ctx, m->pf_gen);
    rh_free(m->ctx, m->hits);
    rh_free(m->ctx, m->ac_gen);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    rh_buf_free(&m->tmp);
    rh_free(m->ctx, m);
}

static void next_gen(rh_sigma_matcher *m)
{
    const rh_ruleset *rs = m->rs;
    size_t i;
    if (++m->gen != 0) {
        return;
    }
    /* Wrapped after 2^32 events: clear every stamp once. */
    memset(m->rule_gen, 0, (rs->nrules + 1) * sizeof(uint32_t));
    memset(m->binding_gen, 0, (rs->nbindings + 1) * sizeof(uint32_t));
    memset(m->pf_gen, 0, (rs->npf + 1) * sizeof(uint32_t));
    memset(m->ac_gen, 0, (rs->nacs + 1) * SIGMA_TX_COUNT * sizeof(uint32_t));
    for (i = 0; i < SIGMA_TX_COUNT; i++) {
        memset(m->views[i].slot_gen, 0, (rs->fields.n ? rs->fields.n : 1) * sizeof(uint32_t));
        if (m->views[i].fold_gen) {
            memset(m->views[i].fold_gen, 0, m->views[i].capfold * sizeof(uint32_t));
        }
        m->views[i].built = false;
    }
    m->gen = 1;
}

static uint32_t channel_id(rh_sigma_matcher *m, const char *ch)
{
    char buf[512];
    size_t i, n;
    if (!ch) {
        return UINT32_MAX;
    }
    n = strlen(ch);
    if (n >= sizeof(buf)) {
        return UINT32_MAX;
    }
    for (i = 0; i < n; i++) {
        buf[i] = (ch[i] >= 'A' && ch[i] <= 'Z') ? (char)(ch[i] + 32) : ch[i];
    }
    return sigma_strtab_find(&m->rs->channels, buf, n);
}

static bool binding_ok(rh_sigma_matcher *m, const struct sig_binding *b, const rh_event *ev,
                       struct sigma_view *v)
{
    size_t i;
    if (b->neids) {
        bool hit = false;
        for (i = 0; i < b->neids && !hit; i++) {
            hit = b->eids[i] == ev->event_id;
        }
        if (!hit) {
            return false;
        }
    }
    if (b->nchans) {
        size_t lo = 0, hi = b->nchans;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (b->chans[mid] < m->chan_id) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo >= b->nchans || b->chans[lo] != m->chan_id) {
            return false;
        }
    }
    if (b->nconds) {
        struct sigma_mctx mc = {m, v, NULL};
        if (m->binding_gen[b->index] != m->gen) {
            bool ok = true;
            for (i = 0; i < b->nconds && ok; i++) {
                ok = sigma_eval_item(&mc, &b->conds[i]);
            }
            m->binding_gen[b->index] = m->gen;
            m->binding_ok[b->index] = ok;
        }
        return m->binding_ok[b->index];
    }
    return true;
}

static void ac_run(rh_sigma_matcher *m, const struct rh_ac *ac, const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    size_t i;
    if (ac->ndense == ac->nstates) {
        /* pure DFA: rows hold premultiplied targets, bit 31 = the target has outputs */
        const uint32_t *row = ac->drow;
        for (i = 0; i < n; i++) {
            s = row[(s & 0x7fffffffu) + ac->cls[p[i]]];
            if (s & 0x80000000u) {
                uint32_t t = (s & 0x7fffffffu) / ac->ncls, o;
                for (o = ac->out_off[t]; o < ac->out_off[t + 1]; o++) {
                    uint32_t x = ac->outs[o];
                    if (m->pf_gen[x] != m->gen) {
                        m->pf_gen[x] = m->gen;
                        m->hits[m->nhits++] = x;
                    }
                }
            }
        }
        return;
    }
    for (i = 0; i < n; i++) {
        uint32_t o;
        s = rh_ac_step(ac, s, ac->cls[p[i]]);
        for (o = ac->out_off[s]; o < ac->out_off[s + 1]; o++) {
            uint32_t x = ac->outs[o];
            if (m->pf_gen[x] != m->gen) {
                m->pf_gen[x] = m->gen;
                m->hits[m->nhits++] = x;
            }
        }
    }
}

static void ac_scan(rh_sigma_matcher *m, struct sigma_view *v, int tx, uint32_t ai)
{
    const struct sig_ac *ac = &m->rs->acs[ai];
    struct sigma_mctx mc = {m, v, NULL};
    struct sig_fieldval fv;
    m->ac_gen[(size_t)tx * (m->rs->nacs + 1) + ai] = m->gen;
    if (ac->fid == m->rs->fields.n) {
        /* keyword literals: every field of the view, as keyword_value() searches them */
        size_t f;
        for (f = 0; f < v->nall; f++) {
            sigma_view_fold(&mc, f, &fv.fold, &fv.foldlen);
            ac_run(m, &ac->ac, fv.fold, fv.foldlen);
        }
        return;
    }
    field_at(&mc, ac->fid, &fv);
    if (!fv.f) {
        return;
    }
    ac_run(m, &ac->ac, fv.fold, fv.foldlen);
}

static rh_status try_entry(rh_sigma_matcher *m, const rh_event *ev, const struct sig_entry *e,
                           bool prefilter, rh_sigma_match_fn fn, void *user)
{
    const struct sig_rule *r = e->rule;
    struct sigma_view *v;
    struct sigma_mctx mc;
    rh_status st;
    size_t i;
    if (m->rule_gen[r->index] == m->gen) {
        return RH_OK;
    }
    v = get_view(m, ev, e->b->transform, &st);
    if (!v) {
        return st;
    }
    if (!binding_ok(m, e->b, ev, v)) {
        return RH_OK;
    }
    if (prefilter && e->pf.nf) {
        /* Scan the entry's fields until one of its literals shows up. */
        uint32_t k;
        bool hit = m->pf_gen[e->pf_index] == m->gen;
        for (k = 0; k < e->pf.nf && !hit; k++) {
            uint32_t ai = m->rs->ac_of_fid[e->pf.fids[k]] - 1;
            if (m->ac_gen[(size_t)e->b->transform * (m->rs->nacs + 1) + ai] != m->gen) {
                ac_scan(m, v, e->b->transform, ai);
                hit = m->pf_gen[e->pf_index] == m->gen;
            }
        }
        if (!hit) {
            return RH_OK;
        }
    }
    mc.m = m;
    mc.view = v;
    mc.fmap = e->b->fmap;
    if (!sigma_eval_cond(&mc, r, r->cond)) {
        return RH_OK;
    }
    for (i = 0; i < r->nfilters; i++) {
        if (sigma_eval_cond(&mc, r->filters[i], r->filters[i]->cond)) {
            return RH_OK;
        }
    }
    m->rule_gen[r->index] = m->gen;
    if (r->emit || (m->flags & RH_SIGMA_MATCH_REFERENCED)) {
        rh_sigma_match mt;
        memset(&mt, 0, sizeof(mt));
        mt.rule = &r->info;
        mt.event = ev;
        mt.group = "";
        mt.first_ts = mt.last_ts = ev->timestamp;
        mt.referenced = !r->emit;
        st = fn(&mt, user);
        if (st != RH_OK) {
            return st;
        }
    }
    if (r->ncorr_users) {
        return sigma_corr_feed(m, r, &mc, ev, fn, user);
    }
    return RH_OK;
}

/* A data field named EventID shadows the header's id in conditions (view_index puts real
 * fields first), so the event-id dispatch cannot be trusted for such an event. */
static bool shadows_event_id(const rh_event *ev)
{
    size_t i;
    for (i = 0; i < ev->nfields; i++) {
        const char *n = ev->fields[i].name;
        if (n && n[0] == 'E' && strcmp(n, "EventID") == 0) {
            return true;
        }
    }
    return false;
}

void rh_sigma_matcher_set_flags(rh_sigma_matcher *m, unsigned flags)
{
    m->flags = flags;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool has_eid(const struct sig_entry *e, uint32_t id)
{
    size_t lo = 0, hi = e->ndeids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->deids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < e->ndeids && e->deids[lo] == id;
}

/* Scan the automata of one dispatch list (each once per event and view). */
static rh_status scan_list(rh_sigma_matcher *m, const rh_event *ev, const uint32_t *acs, size_t n)
{
    uint32_t per = (uint32_t)m->rs->nacs + 1;
    size_t i;
    for (i = 0; i < n; i++) {
        if (m->ac_gen[acs[i]] != m->gen) {
            int tx = (int)(acs[i] / per);
            rh_status st;
            struct sigma_view *v = get_view(m, ev, tx, &st);
            if (!v) {
                return st;
            }
            ac_scan(m, v, tx, acs[i] % per);
        }
    }
    return RH_OK;
}

static void sort_u32(uint32_t *a, size_t n)
{
    size_t i, j;
    if (n > 32) {
        rh_sort(a, n, sizeof(uint32_t), cmp_u32);
        return;
    }
    for (i = 1; i < n; i++) {
        uint32_t x = a[i];
        for (j = i; j > 0 && a[j - 1] > x; j--) {
            a[j] = a[j - 1];
        }
        a[j] = x;
    }
}

rh_status rh_sigma_matcher_match(rh_sigma_matcher *m, const rh_event *ev, rh_sigma_match_fn fn,
                                 void *user)
{
    const rh_ruleset *rs = m->rs;
    const uint32_t *l[4] = {NULL, NULL, rs->any_list, m->hits};
    size_t n[4] = {0, 0, rs->nany, 0}, p[4] = {0, 0, 0, 0};
    size_t i;
    rh_status st;
    next_gen(m);
    m->nhits = 0;
    for (i = 0; i < SIGMA_TX_COUNT; i++) {
        m->views[i].built = false;
    }
    m->chan_id = channel_id(m, ev->channel);
    if ((m->flags & RH_SIGMA_MATCH_EXHAUSTIVE) || shadows_event_id(ev)) {
        bool pf = !(m->flags & RH_SIGMA_MATCH_EXHAUSTIVE);
        for (i = 0; i < rs->nentries; i++) {
            st = try_entry(m, ev, &rs->entries[i], pf, fn, user);
            if (st != RH_OK) {
                return st;
            }
        }
        return RH_OK;
    }
    /* Literal prefilter: scan the automata the event's lists need; m->hits collects the
     * prefiltered entries (any list) whose literals occur. */
    if (ev->event_id < 65536) {
        uint32_t x = ev->event_id;
        l[0] = rs->eid_list + rs->eid_off[x];
        n[0] = rs->eid_off[x + 1] - rs->eid_off[x];
        st = scan_list(m, ev, rs->eid_acs + rs->eid_acs_off[x],
                       rs->eid_acs_off[x + 1] - rs->eid_acs_off[x]);
        if (st != RH_OK) {
            return st;
        }
    }
    if (m->chan_id != UINT32_MAX) {
        uint32_t c = m->chan_id;
        l[1] = rs->chan_list + rs->chan_off[c];
        n[1] = rs->chan_off[c + 1] - rs->chan_off[c];
        st = scan_list(m, ev, rs->chan_acs + rs->chan_acs_off[c],
                       rs->chan_acs_off[c + 1] - rs->chan_acs_off[c]);
        if (st != RH_OK) {
            return st;
        }
    }
    st = scan_list(m, ev, rs->any_acs, rs->nany_acs);
    if (st != RH_OK) {
        return st;
    }
    /* pf_index order is entry order */
    sort_u32(m->hits, m->nhits);
    n[3] = m->nhits;
    /* Merge the sorted lists so matches come out in rule order. */
    for (;;) {
        uint32_t best = UINT32_MAX;
        int k, bk = -1;
        const struct sig_entry *e;
        for (k = 0; k < 4; k++) {
            if (p[k] < n[k]) {
                uint32_t x = k == 3 ? rs->pf_entry[l[k][p[k]]] : l[k][p[k]];
                if (x < best) {
                    best = x;
                    bk = k;
                }
            }
        }
        if (bk < 0) {
            break;
        }
        p[bk]++;
        e = &rs->entries[best];
        if (bk == 3 && e->drestrict && !has_eid(e, ev->event_id)) {
            continue; /* a literal of an entry for other event ids */
        }
        st = try_entry(m, ev, e, false, fn, user);
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

rh_status rh_sigma_matcher_flush(rh_sigma_matcher *m, rh_sigma_match_fn fn, void *user)
{
    return sigma_corr_flush(m, fn, user);
}
