/*
 * Sigma compiler: a rule's logsource -> bindings (event ids, channels, extra conditions,
 * field mappings) from the config's logsource entries, cached per config entry.
 */
#include "sigma_internal.h"

/* ---- logsource bindings ---------------------------------------------------------------------- */

static uint32_t intern_channel(struct sigma_build *b, const char *ch)
{
    char buf[512];
    size_t i, n = strlen(ch);
    if (n >= sizeof(buf)) {
        n = sizeof(buf) - 1;
    }
    for (i = 0; i < n; i++) {
        buf[i] = (ch[i] >= 'A' && ch[i] <= 'Z') ? (char)(ch[i] + 32) : ch[i];
    }
    return sigma_strtab_intern(&b->rs->channels, buf, n);
}

static int add_channels(struct sigma_build *b, struct sig_binding *bd, char **src, size_t n)
{
    size_t i, k = 0;
    bd->chans = rh_arena_array(b->a, n ? n : 1, sizeof(uint32_t));
    if (!bd->chans) {
        return sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const char *s = src[i];
        uint32_t id;
        if (strncmp(s, "WinEventLog:", 12) == 0) {
            s += 12;
        } else {
            continue; /* file sources cannot select Windows events */
        }
        id = intern_channel(b, s);
        if (id == UINT32_MAX) {
            return sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
        }
        bd->chans[k++] = id;
    }
    bd->nchans = k;
    return 0;
}

static struct sig_binding *make_binding(struct sigma_build *b, const struct sigma_cfg_entry *e,
                                        bool *no_channel)
{
    const rh_sigma_config *cfg = b->c->cfg;
    struct sig_binding *bd = rh_arena_zalloc(b->a, sizeof(*bd));
    size_t i, j;
    *no_channel = false;
    if (!bd) {
        sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
        return NULL;
    }
    bd->transform = e->transform;
    if (e->neids) {
        bd->eids = rh_arena_array(b->a, e->neids, sizeof(uint32_t));
        if (!bd->eids) {
            sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
            return NULL;
        }
        memcpy(bd->eids, e->eids, e->neids * sizeof(uint32_t));
        bd->neids = e->neids;
    }
    if (e->nsources) {
        if (add_channels(b, bd, e->sources, e->nsources) < 0) {
            return NULL;
        }
        *no_channel = bd->nchans == 0;
    } else if (e->rewrite_service) {
        /* Channel of the service the entry rewrites to. */
        for (i = 0; i < cfg->n; i++) {
            const struct sigma_cfg_entry *s = &cfg->entries[i];
            if (!s->category && s->service && rh_ascii_streq(s->service, e->rewrite_service) &&
                s->nsources &&
                (!e->rewrite_product || !s->product ||
                 rh_ascii_streq(s->product, e->rewrite_product))) {
                if (add_channels(b, bd, s->sources, s->nsources) < 0) {
                    return NULL;
                }
                break;
            }
        }
    }
    if (e->nconds) {
        bd->conds = rh_arena_array(b->a, e->nconds, sizeof(struct sig_item));
        if (!bd->conds) {
            sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
            return NULL;
        }
        for (i = 0; i < e->nconds; i++) {
            struct sig_item *it = &bd->conds[i];
            it->fid =
                sigma_strtab_intern(&b->rs->fields, e->conds[i].field, strlen(e->conds[i].field));
            it->vals = rh_arena_array(b->a, e->conds[i].nvalues, sizeof(struct sig_value));
            if (it->fid == UINT32_MAX || !it->vals) {
                sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
                return NULL;
            }
            for (j = 0; j < e->conds[i].nvalues; j++) {
                struct sig_value *v = &it->vals[j];
                rh_buf fb = RH_BUF_INIT(b->c->ctx);
                const char *t = e->conds[i].values[j];
                if (sigma_fold(&fb, (const uint8_t *)t, strlen(t)) != RH_OK) {
                    rh_buf_free(&fb);
                    sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
                    return NULL;
                }
                v->mod = &sigma_mod_string;
                v->pkind = PK_EXACT;
                v->lit = (const uint8_t *)rh_arena_strndup(b->a, fb.data ? fb.data : "", fb.len);
                v->litlen = fb.len;
                v->text = t;
                rh_buf_free(&fb);
                if (!v->lit) {
                    sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
                    return NULL;
                }
            }
            it->nvals = e->conds[i].nvalues;
        }
        bd->nconds = e->nconds;
    }
    if (e->nfm) {
        bd->fm_from = e->fm_from;
        bd->fm_to = e->fm_to;
        bd->nfm = e->nfm;
        for (i = 0; i < e->nfm; i++) {
            if (sigma_strtab_intern(&b->rs->fields, e->fm_to[i], strlen(e->fm_to[i])) ==
                UINT32_MAX) {
                sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
                return NULL;
            }
        }
    }
    bd->index = (uint32_t)b->rs->nbindings++;
    return bd;
}

int sigma_bind_logsource(struct sigma_build *b, const struct ynode *ls, struct sig_rule *r)
{
    const rh_sigma_config *cfg = b->c->cfg;
    const char *cat = r->info.category[0] ? r->info.category : NULL;
    const char *prod = r->info.product[0] ? r->info.product : NULL;
    const char *svc = r->info.service[0] ? r->info.service : NULL;
    struct sig_binding *tmp[64];
    size_t n = 0, i;
    bool no_channel = false;

    if (!ls || ls->kind != YN_MAP) {
        return sigma_fail(b, ls, RH_ERR_RULE, "'logsource' is missing or not a mapping");
    }
    if (prod && !rh_ascii_streq(prod, "windows")) {
        return sigma_fail(b, ls, RH_ERR_UNSUPPORTED,
                          "logsource product '%s' has no Windows event mapping", prod);
    }
    for (i = 0; i < cfg->n && n < 64; i++) {
        const struct sigma_cfg_entry *e = &cfg->entries[i];
        bool nc;
        if (cat) {
            if (!e->category || !rh_ascii_streq(e->category, cat)) {
                continue;
            }
            if (svc && e->rewrite_service && !rh_ascii_streq(svc, e->rewrite_service)) {
                continue;
            }
        } else if (svc) {
            if (e->category || !e->service || !rh_ascii_streq(e->service, svc)) {
                continue;
            }
        } else {
            break;
        }
        if (e->product && prod && !rh_ascii_streq(e->product, prod)) {
            continue;
        }
        if (!b->c->bcache) {
            b->c->bcache = rh_calloc(b->c->ctx, cfg->n ? cfg->n : 1, sizeof(*b->c->bcache));
            b->c->bcache_nc = rh_calloc(b->c->ctx, cfg->n ? cfg->n : 1, sizeof(bool));
            if (!b->c->bcache || !b->c->bcache_nc) {
                return sigma_fail(b, ls, RH_ERR_NOMEM, "out of memory");
            }
        }
        if (!b->c->bcache[i]) {
            b->c->bcache[i] = make_binding(b, e, &b->c->bcache_nc[i]);
            if (!b->c->bcache[i]) {
                return -1;
            }
        }
        tmp[n] = b->c->bcache[i];
        nc = b->c->bcache_nc[i];
        if (nc) {
            no_channel = true;
            continue;
        }
        n++;
    }
    if (!cat && !svc) {
        if (!prod) {
            return sigma_fail(b, ls, RH_ERR_RULE,
                              "logsource names no category, product or service");
        }
        if (!b->c->any_binding) {
            b->c->any_binding = rh_arena_zalloc(b->a, sizeof(struct sig_binding));
            if (!b->c->any_binding) {
                return sigma_fail(b, ls, RH_ERR_NOMEM, "out of memory");
            }
            b->c->any_binding->index = (uint32_t)b->rs->nbindings++;
        }
        tmp[0] = b->c->any_binding;
        n = 1;
    }
    if (n == 0) {
        if (no_channel) {
            return sigma_fail(b, ls, RH_ERR_UNSUPPORTED,
                              "logsource %s%s%s maps to no Windows event log channel",
                              cat ? "category " : "service ", cat ? cat : svc, "");
        }
        return sigma_fail(b, ls, RH_ERR_UNSUPPORTED,
                          "logsource %s '%s' is not in the mapping (docs/sigma-support.md)",
                          cat ? "category" : "service", cat ? cat : svc);
    }
    r->bindings = rh_arena_array(b->a, n, sizeof(struct sig_binding *));
    if (!r->bindings) {
        return sigma_fail(b, ls, RH_ERR_NOMEM, "out of memory");
    }
    memcpy(r->bindings, tmp, n * sizeof(*tmp));
    r->nbindings = n;
    return 0;
}
