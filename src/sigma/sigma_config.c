/*
 * Sigma logsource mapping: the built-in default (SigmaHQ tests/thor.yml semantics plus
 * Security 4657/4688 rewrites; its text is in sigma_config_default.c) and the loader for
 * override files in the same format.
 *
 * Format (thor.yml): logsources: <name>: {category, product, service, conditions: {EventID: n
 * or [n...], Field: value or [values]}, rewrite: {product, service}, sources:
 * ["WinEventLog:<channel>"], fieldmappings: {RuleField: EventField}} plus reghunt's
 * `transform: security_4657` (computes Sysmon-style TargetObject/Details/Image/EventType from a
 * Security 4657 event) and a top-level `placeholders: {name: [values]}` for `expand`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sigma_internal.h"

static char *cdup(rh_sigma_config *cfg, const char *s)
{
    return s ? rh_strdup(cfg->ctx, s) : NULL;
}

static void entry_free(rh_ctx *ctx, struct sigma_cfg_entry *e)
{
    size_t i, j;
    rh_free(ctx, e->name);
    rh_free(ctx, e->category);
    rh_free(ctx, e->product);
    rh_free(ctx, e->service);
    rh_free(ctx, e->rewrite_product);
    rh_free(ctx, e->rewrite_service);
    rh_free(ctx, e->eids);
    for (i = 0; i < e->nconds; i++) {
        rh_free(ctx, e->conds[i].field);
        for (j = 0; j < e->conds[i].nvalues; j++) {
            rh_free(ctx, e->conds[i].values[j]);
        }
        rh_free(ctx, e->conds[i].values);
    }
    rh_free(ctx, e->conds);
    for (i = 0; i < e->nsources; i++) {
        rh_free(ctx, e->sources[i]);
    }
    rh_free(ctx, e->sources);
    for (i = 0; i < e->nfm; i++) {
        rh_free(ctx, e->fm_from[i]);
        rh_free(ctx, e->fm_to[i]);
    }
    rh_free(ctx, e->fm_from);
    rh_free(ctx, e->fm_to);
    memset(e, 0, sizeof(*e));
}

static void entries_clear(rh_sigma_config *cfg)
{
    size_t i;
    for (i = 0; i < cfg->n; i++) {
        entry_free(cfg->ctx, &cfg->entries[i]);
    }
    cfg->n = 0;
}

void rh_sigma_config_free(rh_sigma_config *cfg)
{
    size_t i, j;
    if (!cfg) {
        return;
    }
    entries_clear(cfg);
    rh_free(cfg->ctx, cfg->entries);
    for (i = 0; i < cfg->nph; i++) {
        rh_free(cfg->ctx, cfg->ph[i].name);
        for (j = 0; j < cfg->ph[i].n; j++) {
            rh_free(cfg->ctx, cfg->ph[i].values[j]);
        }
        rh_free(cfg->ctx, cfg->ph[i].values);
    }
    rh_free(cfg->ctx, cfg->ph);
    rh_free(cfg->ctx, cfg);
}

/* Strings of a scalar or a list of scalars, duplicated. -1 on OOM or bad shape. */
static int str_list(rh_sigma_config *cfg, const struct ynode *n, char ***out, size_t *nout)
{
    size_t i, cnt = n->kind == YN_SCALAR ? 1 : n->n;
    *out = NULL;
    *nout = 0;
    if (n->kind == YN_MAP) {
        return -1;
    }
    *out = rh_calloc(cfg->ctx, cnt ? cnt : 1, sizeof(char *));
    if (!*out) {
        return -1;
    }
    for (i = 0; i < cnt; i++) {
        const struct ynode *k = n->kind == YN_SCALAR ? n : n->kids[i];
        if (k->kind == YN_SCALAR) {
            (*out)[i] = cdup(cfg, k->s);
        }
        if (!(*out)[i]) {
            size_t j;
            for (j = 0; j < i; j++) {
                rh_free(cfg->ctx, (*out)[j]);
            }
            rh_free(cfg->ctx, *out);
            *out = NULL;
            *nout = 0;
            return -1;
        }
        (*nout)++;
    }
    return 0;
}

rh_status rh_sigma_config_add_placeholder(rh_sigma_config *cfg, const char *name, const char *value)
{
    struct sigma_placeholder *p = NULL;
    size_t i;
    char **t;
    for (i = 0; i < cfg->nph; i++) {
        if (strcmp(cfg->ph[i].name, name) == 0) {
            p = &cfg->ph[i];
        }
    }
    if (!p) {
        if (cfg->nph == cfg->capph) {
            size_t ncap = cfg->capph ? cfg->capph * 2 : 8;
            struct sigma_placeholder *np = rh_realloc(cfg->ctx, cfg->ph, ncap * sizeof(*np));
            if (!np) {
                return RH_ERR_NOMEM;
            }
            cfg->ph = np;
            cfg->capph = ncap;
        }
        p = &cfg->ph[cfg->nph];
        memset(p, 0, sizeof(*p));
        p->name = cdup(cfg, name);
        if (!p->name) {
            return RH_ERR_NOMEM;
        }
        cfg->nph++;
    }
    t = rh_realloc(cfg->ctx, p->values, (p->n + 1) * sizeof(*t));
    if (!t) {
        return RH_ERR_NOMEM;
    }
    p->values = t;
    p->values[p->n] = cdup(cfg, value);
    if (!p->values[p->n]) {
        return RH_ERR_NOMEM;
    }
    p->n++;
    return RH_OK;
}

const struct sigma_placeholder *sigma_config_placeholder(const rh_sigma_config *cfg,
                                                         const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < cfg->nph; i++) {
        if (strlen(cfg->ph[i].name) == len && memcmp(cfg->ph[i].name, name, len) == 0) {
            return &cfg->ph[i];
        }
    }
    return NULL;
}

static rh_status cfg_err(rh_sigma_config *cfg, const char *name, const struct ynode *at,
                         const char *msg)
{
    rh_diag_at(cfg->ctx, RH_DIAG_ERROR, "sigma", name, at ? at->line : 0, at ? at->col : 0,
               "config: %s", msg);
    return RH_ERR_RULE;
}

static rh_status parse_entry(rh_sigma_config *cfg, const char *name, const struct ynode *key,
                             const struct ynode *v, struct sigma_cfg_entry *e)
{
    const struct ynode *n;
    size_t i;
    if (v->kind != YN_MAP) {
        return cfg_err(cfg, name, v, "logsource entry is not a mapping");
    }
    e->name = cdup(cfg, key->s);
#define SCAL(field, k)                                                                             \
    do {                                                                                           \
        n = ynode_get(v, k);                                                                       \
        if (n && n->kind == YN_SCALAR && !ynode_is_null(n)) {                                      \
            e->field = cdup(cfg, n->s);                                                            \
            if (!e->field) {                                                                       \
                return RH_ERR_NOMEM;                                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    SCAL(category, "category");
    SCAL(product, "product");
    SCAL(service, "service");
    n = ynode_get(v, "rewrite");
    if (n && n->kind == YN_MAP) {
        const struct ynode *m = n;
        n = ynode_get(m, "product");
        if (n && n->kind == YN_SCALAR) {
            e->rewrite_product = cdup(cfg, n->s);
        }
        n = ynode_get(m, "service");
        if (n && n->kind == YN_SCALAR) {
            e->rewrite_service = cdup(cfg, n->s);
        }
    }
#undef SCAL
    n = ynode_get(v, "transform");
    if (n) {
        if (n->kind == YN_SCALAR && strcmp(n->s, "security_4657") == 0) {
            e->transform = SIGMA_TX_SEC4657;
        } else {
            return cfg_err(cfg, name, n, "unknown transform (known: security_4657)");
        }
    }
    n = ynode_get(v, "sources");
    if (n && str_list(cfg, n, &e->sources, &e->nsources) < 0) {
        return cfg_err(cfg, name, n, "bad 'sources'");
    }
    n = ynode_get(v, "conditions");
    if (n && n->kind == YN_MAP) {
        e->conds = rh_calloc(cfg->ctx, n->n ? n->n : 1, sizeof(*e->conds));
        if (!e->conds) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < n->n; i++) {
            const struct ynode *k = n->kids[2 * i], *val = n->kids[2 * i + 1];
            char **vals;
            size_t nvals, j;
            if (str_list(cfg, val, &vals, &nvals) < 0) {
                return cfg_err(cfg, name, val, "bad condition value");
            }
            if (strcmp(k->s, "EventID") == 0) {
                e->eids = rh_calloc(cfg->ctx, nvals ? nvals : 1, sizeof(uint32_t));
                if (!e->eids) {
                    for (j = 0; j < nvals; j++) {
                        rh_free(cfg->ctx, vals[j]);
                    }
                    rh_free(cfg->ctx, vals);
                    return RH_ERR_NOMEM;
                }
                for (j = 0; j < nvals; j++) {
                    char *end;
                    unsigned long x = strtoul(vals[j], &end, 10);
                    if (*end || x > UINT32_MAX) {
                        size_t q;
                        for (q = 0; q < nvals; q++) {
                            rh_free(cfg->ctx, vals[q]);
                        }
                        rh_free(cfg->ctx, vals);
                        return cfg_err(cfg, name, val, "EventID is not a number");
                    }
                    e->eids[e->neids++] = (uint32_t)x;
                    rh_free(cfg->ctx, vals[j]);
                }
                rh_free(cfg->ctx, vals);
            } else {
                e->conds[e->nconds].field = cdup(cfg, k->s);
                e->conds[e->nconds].values = vals;
                e->conds[e->nconds].nvalues = nvals;
                e->nconds++;
                if (!e->conds[e->nconds - 1].field) {
                    return RH_ERR_NOMEM;
                }
            }
        }
    }
    n = ynode_get(v, "fieldmappings");
    if (n && n->kind == YN_MAP && n->n) {
        e->fm_from = rh_calloc(cfg->ctx, n->n, sizeof(char *));
        e->fm_to = rh_calloc(cfg->ctx, n->n, sizeof(char *));
        if (!e->fm_from || !e->fm_to) {
            return RH_ERR_NOMEM;
        }
        for (i = 0; i < n->n; i++) {
            const struct ynode *k = n->kids[2 * i], *val = n->kids[2 * i + 1];
            /* A list of targets: the first one is used (docs/sigma-support.md). */
            const struct ynode *t = val->kind == YN_SEQ && val->n ? val->kids[0] : val;
            if (t->kind != YN_SCALAR) {
                return cfg_err(cfg, name, val, "bad fieldmapping");
            }
            e->fm_from[e->nfm] = cdup(cfg, k->s);
            e->fm_to[e->nfm] = cdup(cfg, t->s);
            e->nfm++;
            if (!e->fm_from[e->nfm - 1] || !e->fm_to[e->nfm - 1]) {
                return RH_ERR_NOMEM;
            }
        }
    }
    return RH_OK;
}

rh_status sigma_config_parse(rh_sigma_config *cfg, const char *name, const char *text, size_t len,
                             bool replace)
{
    struct rh_arena a;
    struct ynode **docs;
    size_t ndocs, i, j;
    int el, ec;
    char err[256];
    rh_status st;
    const struct ynode *ls, *ph;
    (void)replace;
    rh_arena_init(&a, cfg->ctx, SIGMA_ARENA_BLOCK, 0);
    st = sigma_yaml_parse(cfg->ctx, &a, name, text, len, rh_ctx_limits(cfg->ctx)->max_xml_depth,
                          &docs, &ndocs, &el, &ec, err, sizeof(err));
    if (st != RH_OK) {
        rh_arena_free(&a);
        return st;
    }
    if (ndocs != 1 || docs[0]->kind != YN_MAP) {
        st = cfg_err(cfg, name, ndocs ? docs[0] : NULL, "config must be one YAML mapping");
        rh_arena_free(&a);
        return st;
    }
    ls = ynode_get(docs[0], "logsources");
    if (ls && ls->kind == YN_MAP) {
        entries_clear(cfg);
        if (ls->n > cfg->cap) {
            struct sigma_cfg_entry *t = rh_realloc(cfg->ctx, cfg->entries, ls->n * sizeof(*t));
            if (!t) {
                rh_arena_free(&a);
                return RH_ERR_NOMEM;
            }
            cfg->entries = t;
            cfg->cap = ls->n;
        }
        for (i = 0; i < ls->n; i++) {
            memset(&cfg->entries[cfg->n], 0, sizeof(cfg->entries[0]));
            cfg->n++;
            st = parse_entry(cfg, name, ls->kids[2 * i], ls->kids[2 * i + 1],
                             &cfg->entries[cfg->n - 1]);
            if (st != RH_OK) {
                rh_arena_free(&a);
                return st;
            }
        }
    } else if (ls) {
        st = cfg_err(cfg, name, ls, "'logsources' is not a mapping");
        rh_arena_free(&a);
        return st;
    }
    ph = ynode_get(docs[0], "placeholders");
    if (ph && ph->kind == YN_MAP) {
        for (i = 0; i < ph->n && st == RH_OK; i++) {
            const struct ynode *k = ph->kids[2 * i], *v = ph->kids[2 * i + 1];
            if (v->kind == YN_SCALAR) {
                st = rh_sigma_config_add_placeholder(cfg, k->s, v->s);
            } else if (v->kind == YN_SEQ) {
                for (j = 0; j < v->n && st == RH_OK; j++) {
                    if (v->kids[j]->kind == YN_SCALAR) {
                        st = rh_sigma_config_add_placeholder(cfg, k->s, v->kids[j]->s);
                    }
                }
            }
        }
    }
    rh_arena_free(&a);
    return st;
}

rh_status rh_sigma_config_default(rh_ctx *ctx, rh_sigma_config **out)
{
    rh_sigma_config *cfg;
    rh_status st;
    *out = NULL;
    cfg = rh_calloc(ctx, 1, sizeof(*cfg));
    if (!cfg) {
        return RH_ERR_NOMEM;
    }
    cfg->ctx = ctx;
    st = sigma_config_parse(cfg, "(built-in sigma config)", sigma_default_config,
                            strlen(sigma_default_config), true);
    if (st != RH_OK) {
        rh_sigma_config_free(cfg);
        return st == RH_ERR_NOMEM ? st : RH_ERR_NOMEM;
    }
    *out = cfg;
    return RH_OK;
}

rh_status rh_sigma_config_load_mem(rh_sigma_config *cfg, const char *name, const char *text,
                                   size_t len)
{
    return sigma_config_parse(cfg, name, text, len, true);
}

rh_status rh_sigma_config_load(rh_sigma_config *cfg, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    rh_status st = rh_read_file(cfg->ctx, path, 16u << 20, &data, &len);
    if (st != RH_OK) {
        return st;
    }
    st = sigma_config_parse(cfg, path, (const char *)data, len, true);
    rh_free(cfg->ctx, data);
    return st;
}
