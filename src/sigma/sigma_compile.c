/*
 * Sigma compiler: rule documents -> sig_rule (searches, condition, logsource bindings: see
 * sigma_compile_detection.c, sigma_compile_cond.c, sigma_compile_logsource.c), the compiler
 * API, the reject list, and rh_sigma_compiler_finish() which builds the dispatch indexes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sigma_internal.h"

/* ---- errors and rejects ---------------------------------------------------------------------- */

int sigma_fail(struct sigma_build *b, const struct ynode *at, rh_status st, const char *fmt, ...)
{
    va_list ap;
    if (b->err_status != RH_OK) {
        return -1; /* keep the first error */
    }
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof(b->err), fmt, ap);
    va_end(ap);
    b->err_status = st;
    b->err_line = at ? at->line : 0;
    b->err_col = at ? at->col : 0;
    return -1;
}

rh_status sigma_reject(rh_sigma_compiler *c, const char *path, const char *id, const char *title,
                       int line, int col, rh_status st, const char *reason)
{
    rh_sigma_reject *r;
    if (c->nrejects == c->caprejects) {
        size_t ncap = c->caprejects ? c->caprejects * 2 : 32;
        struct sigma_reject_rec *t = rh_realloc(c->ctx, c->rejects, ncap * sizeof(*t));
        if (!t) {
            return RH_ERR_NOMEM;
        }
        c->rejects = t;
        c->caprejects = ncap;
    }
    r = &c->rejects[c->nrejects].r;
    r->path = rh_arena_strdup(&c->rej_arena, path ? path : "");
    r->id = rh_arena_strdup(&c->rej_arena, id ? id : "");
    r->title = rh_arena_strdup(&c->rej_arena, title ? title : "");
    r->reason = rh_arena_strdup(&c->rej_arena, reason ? reason : "");
    if (!r->path || !r->id || !r->title || !r->reason) {
        return RH_ERR_NOMEM;
    }
    r->line = line;
    r->col = col;
    r->status = st;
    c->nrejects++;
    rh_diag_at(c->ctx, RH_DIAG_WARNING, "sigma", path, line, col, "rule %s not loaded: %s",
               id && *id ? id : "(no id)", reason);
    return RH_OK;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *scalar_or(const struct ynode *n, const char *dflt)
{
    return n && n->kind == YN_SCALAR ? n->s : dflt;
}

/* ---- rule documents ----------------------------------------------------------------------------
 */

static const char *meta_str(struct sigma_build *b, const struct ynode *doc, const char *key)
{
    const char *s = scalar_or(ynode_get(doc, key), "");
    const char *d = rh_arena_strdup(&b->rs->arena, s);
    return d ? d : "";
}

static int rule_meta(struct sigma_build *b, const struct ynode *doc, struct sig_rule *r)
{
    const struct ynode *tags = ynode_get(doc, "tags"), *ls = ynode_get(doc, "logsource");
    size_t i;
    r->info.id = meta_str(b, doc, "id");
    r->info.name = meta_str(b, doc, "name");
    r->info.title = meta_str(b, doc, "title");
    r->info.status = meta_str(b, doc, "status");
    r->info.level = meta_str(b, doc, "level");
    r->info.description = meta_str(b, doc, "description");
    r->info.category = meta_str(b, ls, "category");
    r->info.product = meta_str(b, ls, "product");
    r->info.service = meta_str(b, ls, "service");
    r->info.path = rh_arena_strdup(&b->rs->arena, b->path);
    r->info.line = doc->line;
    r->info.correlation_type = "";
    r->emit = true;
    if (!r->info.path) {
        return sigma_fail(b, doc, RH_ERR_NOMEM, "out of memory");
    }
    if (tags && tags->kind == YN_SEQ && tags->n) {
        const char **t = rh_arena_array(&b->rs->arena, tags->n, sizeof(char *));
        if (!t) {
            return sigma_fail(b, doc, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < tags->n; i++) {
            if (tags->kids[i]->kind == YN_SCALAR) {
                t[r->info.ntags++] = rh_arena_strdup(&b->rs->arena, tags->kids[i]->s);
                if (!t[r->info.ntags - 1]) {
                    return sigma_fail(b, doc, RH_ERR_NOMEM, "out of memory");
                }
            }
        }
        r->info.tags = t;
    }
    b->id = r->info.id;
    b->title = r->info.title;
    return 0;
}

static rh_status push_rule(rh_sigma_compiler *c, struct sig_rule *r)
{
    rh_ruleset *rs = c->rs;
    if (rs->nrules == c->caprules) {
        size_t ncap = c->caprules ? c->caprules * 2 : 256;
        struct sig_rule **t = rh_realloc(c->ctx, rs->rules, ncap * sizeof(*t));
        if (!t) {
            return RH_ERR_NOMEM;
        }
        rs->rules = t;
        c->caprules = ncap;
    }
    r->index = (uint32_t)rs->nrules;
    rs->rules[rs->nrules++] = r;
    return RH_OK;
}

static int compile_filter(struct sigma_build *b, const struct ynode *doc, struct sig_rule *r)
{
    const struct ynode *f = ynode_get(doc, "filter"), *rules;
    size_t i;
    if (!f || f->kind != YN_MAP) {
        return sigma_fail(b, doc, RH_ERR_RULE, "'filter' is not a mapping");
    }
    rules = ynode_get(f, "rules");
    r->info.kind = RH_SIGMA_FILTER;
    if (!rules || (rules->kind != YN_SEQ && rules->kind != YN_SCALAR)) {
        return sigma_fail(b, f, RH_ERR_RULE, "filter has no 'rules' list");
    }
    r->corr = rh_arena_zalloc(b->a, sizeof(struct sig_corr)); /* reuse rule_refs storage */
    if (!r->corr) {
        return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
    }
    if (rules->kind == YN_SCALAR) {
        r->corr->nrefs = 1;
        r->corr->rule_refs = rh_arena_zalloc(b->a, sizeof(char *));
        if (!r->corr->rule_refs) {
            return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
        }
        r->corr->rule_refs[0] = rh_arena_strdup(b->a, rules->s);
    } else {
        r->corr->rule_refs = rh_arena_array(b->a, rules->n ? rules->n : 1, sizeof(char *));
        if (!r->corr->rule_refs) {
            return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < rules->n; i++) {
            if (rules->kids[i]->kind != YN_SCALAR) {
                return sigma_fail(b, rules->kids[i], RH_ERR_RULE, "filter rule is not a string");
            }
            r->corr->rule_refs[r->corr->nrefs++] = rh_arena_strdup(b->a, rules->kids[i]->s);
        }
    }
    return sigma_compile_detection(b, f, r);
}

static rh_status compile_doc(rh_sigma_compiler *c, const char *path, const struct ynode *doc)
{
    struct sigma_build b;
    struct sig_rule *r;
    rh_status st;
    int rc;
    memset(&b, 0, sizeof(b));
    b.c = c;
    b.rs = c->rs;
    b.a = &c->rs->arena;
    b.path = path;
    b.depth_cap = rh_ctx_limits(c->ctx)->max_xml_depth;
    if (doc->kind != YN_MAP) {
        return sigma_reject(c, path, "", "", doc->line, doc->col, RH_ERR_RULE,
                            "YAML document is not a mapping");
    }
    r = rh_arena_zalloc(b.a, sizeof(*r));
    if (!r) {
        return RH_ERR_NOMEM;
    }
    rc = rule_meta(&b, doc, r);
    if (rc == 0) {
        if (ynode_get(doc, "action")) {
            rc = sigma_fail(&b, ynode_get(doc, "action"), RH_ERR_UNSUPPORTED,
                            "Sigma v1 multi-document collection ('action:') is not supported");
        } else if (ynode_get(doc, "correlation")) {
            r->info.kind = RH_SIGMA_CORRELATION;
            rc = sigma_compile_correlation(&b, doc, r);
        } else if (ynode_get(doc, "filter")) {
            rc = compile_filter(&b, doc, r);
        } else if (ynode_get(doc, "detection")) {
            rc = sigma_compile_detection(&b, ynode_get(doc, "detection"), r);
            if (rc == 0) {
                rc = sigma_bind_logsource(&b, ynode_get(doc, "logsource"), r);
            }
        } else {
            rc = sigma_fail(&b, doc, RH_ERR_RULE,
                            "document has no 'detection', 'correlation' or 'filter'");
        }
        if (rc == 0 && !r->info.title[0]) {
            rc = sigma_fail(&b, doc, RH_ERR_RULE, "rule has no title");
        }
    }
    if (rc < 0) {
        if (b.err_status == RH_ERR_NOMEM) {
            return RH_ERR_NOMEM;
        }
        return sigma_reject(c, path, b.id, b.title, b.err_line ? b.err_line : doc->line, b.err_col,
                            b.err_status, b.err);
    }
    if (r->info.kind == RH_SIGMA_FILTER) {
        if (c->nfilters == c->capfilters) {
            size_t ncap = c->capfilters ? c->capfilters * 2 : 8;
            struct sig_rule **t = rh_realloc(c->ctx, c->filters, ncap * sizeof(*t));
            if (!t) {
                return RH_ERR_NOMEM;
            }
            c->filters = t;
            c->capfilters = ncap;
        }
        c->filters[c->nfilters++] = r;
    }
    st = push_rule(c, r);
    return st;
}

/* ---- compiler API ------------------------------------------------------------------------------
 */

rh_status rh_sigma_compiler_create(rh_ctx *ctx, const rh_sigma_config *cfg, rh_sigma_compiler **out)
{
    rh_sigma_compiler *c;
    rh_status st;
    *out = NULL;
    c = rh_calloc(ctx, 1, sizeof(*c));
    if (!c) {
        return RH_ERR_NOMEM;
    }
    c->ctx = ctx;
    rh_arena_init(&c->rej_arena, ctx, SIGMA_ARENA_BLOCK, 0);
    if (!cfg) {
        st = rh_sigma_config_default(ctx, &c->own_cfg);
        if (st != RH_OK) {
            rh_free(ctx, c);
            return st;
        }
        cfg = c->own_cfg;
    }
    c->cfg = cfg;
    c->rs = rh_calloc(ctx, 1, sizeof(*c->rs));
    if (!c->rs) {
        rh_sigma_compiler_destroy(c);
        return RH_ERR_NOMEM;
    }
    c->rs->ctx = ctx;
    rh_arena_init(&c->rs->arena, ctx, SIGMA_ARENA_BLOCK, 0);
    sigma_strtab_init(ctx, &c->rs->fields);
    sigma_strtab_init(ctx, &c->rs->channels);
    {
        static const char *const virt[SIGMA_F_NVIRTUAL] = {
            "EventID", "Channel", "Provider_Name", "Computer", "EventRecordID", "UserID"};
        size_t i;
        for (i = 0; i < SIGMA_F_NVIRTUAL; i++) {
            if (sigma_strtab_intern(&c->rs->fields, virt[i], strlen(virt[i])) != i) {
                rh_sigma_compiler_destroy(c);
                return RH_ERR_NOMEM;
            }
        }
    }
    *out = c;
    return RH_OK;
}

rh_status rh_sigma_compiler_add_string(rh_sigma_compiler *c, const char *name, const char *text,
                                       size_t len)
{
    struct rh_arena tmp;
    struct ynode **docs;
    size_t ndocs, i;
    int el, ec;
    char err[256];
    rh_status st;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    rh_arena_init(&tmp, c->ctx, SIGMA_ARENA_BLOCK, 0);
    st = sigma_yaml_parse(c->ctx, &tmp, name, text, len, rh_ctx_limits(c->ctx)->max_xml_depth,
                          &docs, &ndocs, &el, &ec, err, sizeof(err));
    if (st == RH_ERR_NOMEM) {
        rh_arena_free(&tmp);
        return st;
    }
    if (st != RH_OK) {
        rh_arena_free(&tmp);
        return sigma_reject(c, name, "", "", el, ec, st, err);
    }
    for (i = 0; i < ndocs && st == RH_OK; i++) {
        st = compile_doc(c, name, docs[i]);
    }
    rh_arena_free(&tmp);
    return st;
}

rh_status rh_sigma_compiler_add_file(rh_sigma_compiler *c, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    rh_status st;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    st = rh_read_file(c->ctx, path, 16u << 20, &data, &len);
    if (st != RH_OK) {
        return st;
    }
    st = rh_sigma_compiler_add_string(c, path, (const char *)data, len);
    rh_free(c->ctx, data);
    return st;
}

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static rh_status add_dir(rh_sigma_compiler *c, const char *path, unsigned depth)
{
    char **names = NULL;
    size_t n = 0, i;
    rh_status st;
    if (depth > 64) {
        return RH_ERR_LIMIT;
    }
    st = rh_dir_list(c->ctx, path, 1u << 20, &names, &n);
    if (st == RH_ERR_IO) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "sigma", path, -1, "cannot open directory");
        return RH_ERR_IO;
    }
    if (st == RH_ERR_LIMIT) {
        rh_diagf(c->ctx, RH_DIAG_WARNING, "sigma", path, -1,
                 "more than 1048576 entries: the rest is not loaded");
        st = RH_OK;
    }
    for (i = 0; i < n && st == RH_OK; i++) {
        rh_buf p = RH_BUF_INIT(c->ctx);
        rh_fs_kind kind;
        if (names[i][0] == '.') {
            continue; /* hidden files and folders are not rules */
        }
        if (rh_buf_printf(&p, "%s/%s", path, names[i]) != RH_OK) {
            st = RH_ERR_NOMEM;
        } else if ((kind = rh_os_path_kind(p.data, 0, NULL)) != RH_FS_NONE) {
            if (kind == RH_FS_DIR) {
                st = add_dir(c, p.data, depth + 1);
            } else if (kind == RH_FS_FILE && yaml_name(names[i])) {
                st = rh_sigma_compiler_add_file(c, p.data);
                if (st == RH_ERR_IO || st == RH_ERR_LIMIT) {
                    st = sigma_reject(c, p.data, "", "", 0, 0, st, "cannot read the file");
                }
            }
        }
        rh_buf_free(&p);
    }
    rh_dir_list_free(c->ctx, names, n);
    return st;
}

rh_status rh_sigma_compiler_add_path(rh_sigma_compiler *c, const char *path)
{
    rh_fs_kind kind;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    kind = rh_os_path_kind(path, 1, NULL);
    if (kind == RH_FS_NONE) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "sigma", path, -1, "cannot open");
        return RH_ERR_IO;
    }
    if (kind == RH_FS_DIR) {
        return add_dir(c, path, 0);
    }
    return rh_sigma_compiler_add_file(c, path);
}

size_t rh_sigma_compiler_reject_count(const rh_sigma_compiler *c)
{
    return c->nrejects;
}

const rh_sigma_reject *rh_sigma_compiler_reject_at(const rh_sigma_compiler *c, size_t i)
{
    return i < c->nrejects ? &c->rejects[i].r : NULL;
}

/* ---- finish: filters, correlations, indexes -----------------------------------------------------
 */

static struct sig_rule *find_rule(rh_ruleset *rs, const char *ref)
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

static rh_status attach_filters(rh_sigma_compiler *c)
{
    size_t i, j;
    for (i = 0; i < c->nfilters; i++) {
        struct sig_rule *f = c->filters[i];
        for (j = 0; j < f->corr->nrefs; j++) {
            struct sig_rule *t = find_rule(c->rs, f->corr->rule_refs[j]);
            struct sig_rule **nf;
            if (!t) {
                rh_diagf(c->ctx, RH_DIAG_WARNING, "sigma", f->info.path, -1,
                         "filter %s: rule %s is not loaded", f->info.id, f->corr->rule_refs[j]);
                continue;
            }
            nf = rh_arena_array(&c->rs->arena, t->nfilters + 1, sizeof(*nf));
            if (!nf) {
                return RH_ERR_NOMEM;
            }
            if (t->nfilters) {
                memcpy(nf, t->filters, t->nfilters * sizeof(*nf));
            }
            nf[t->nfilters++] = f;
            t->filters = nf;
        }
    }
    return RH_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static rh_status build_index(rh_ruleset *rs)
{
    size_t i, j, k, n = 0;
    rh_status st;
    /* fmaps */
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *r = rs->rules[i];
        for (j = 0; j < r->nbindings; j++) {
            struct sig_binding *b = r->bindings[j];
            if (b->nfm && !b->fmap) {
                b->fmap = rh_arena_array(&rs->arena, rs->fields.n, sizeof(uint32_t));
                if (!b->fmap) {
                    return RH_ERR_NOMEM;
                }
                for (k = 0; k < rs->fields.n; k++) {
                    b->fmap[k] = (uint32_t)k;
                }
                for (k = 0; k < b->nfm; k++) {
                    uint32_t from =
                        sigma_strtab_find(&rs->fields, b->fm_from[k], strlen(b->fm_from[k]));
                    uint32_t to = sigma_strtab_find(&rs->fields, b->fm_to[k], strlen(b->fm_to[k]));
                    if (from != UINT32_MAX && to != UINT32_MAX) {
                        b->fmap[from] = to;
                    }
                }
            }
        }
        if (r->info.kind == RH_SIGMA_DETECTION) {
            n += r->nbindings;
        }
    }
    rs->entries = rh_arena_array(&rs->arena, n ? n : 1, sizeof(struct sig_entry));
    if (!rs->entries) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < rs->nrules; i++) {
        struct sig_rule *r = rs->rules[i];
        if (r->info.kind != RH_SIGMA_DETECTION) {
            continue;
        }
        for (j = 0; j < r->nbindings; j++) {
            struct sig_entry *e = &rs->entries[rs->nentries++];
            e->rule = r;
            e->b = r->bindings[j];
            e->pf.nf = 0;
        }
    }
    for (i = 0; i < rs->nentries; i++) {
        struct sig_binding *b = (struct sig_binding *)rs->entries[i].b;
        if (b->nchans > 1) {
            rh_sort(b->chans, b->nchans, sizeof(uint32_t), cmp_u32);
        }
    }
    st = sigma_prefilter_build(rs);
    if (st != RH_OK) {
        return st;
    }
    return sigma_dispatch_build(rs);
}

rh_status rh_sigma_compiler_finish(rh_sigma_compiler *c, rh_ruleset **out)
{
    rh_status st;
    *out = NULL;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    c->finished = true;
    st = attach_filters(c);
    if (st == RH_OK) {
        st = sigma_corr_resolve(c);
    }
    if (st == RH_OK) {
        st = build_index(c->rs);
    }
    if (st != RH_OK) {
        return st;
    }
    *out = c->rs;
    c->rs = NULL;
    return RH_OK;
}

void rh_sigma_compiler_destroy(rh_sigma_compiler *c)
{
    if (!c) {
        return;
    }
    rh_ruleset_destroy(c->rs);
    rh_free(c->ctx, c->rejects);
    rh_free(c->ctx, c->filters);
    rh_free(c->ctx, c->bcache);
    rh_free(c->ctx, c->bcache_nc);
    rh_arena_free(&c->rej_arena);
    rh_sigma_config_free(c->own_cfg);
    rh_free(c->ctx, c);
}

/* ---- ruleset ------------------------------------------------------------------------------------
 */

size_t rh_ruleset_rule_count(const rh_ruleset *rs)
{
    return rs->nrules;
}

const rh_sigma_rule_info *rh_ruleset_rule_at(const rh_ruleset *rs, size_t i)
{
    return i < rs->nrules ? &rs->rules[i]->info : NULL;
}

void rh_ruleset_destroy(rh_ruleset *rs)
{
    size_t i;
    rh_ctx *ctx;
    if (!rs) {
        return;
    }
    ctx = rs->ctx;
    for (i = 0; i < rs->nowned; i++) {
        if (rs->owned[i]->mod->free) {
            rs->owned[i]->mod->free(rs->owned[i]);
        }
    }
    rh_free(ctx, rs->owned);
    rh_free(ctx, rs->rules);
    rh_free(ctx, rs->corrs);
    sigma_strtab_free(&rs->fields);
    sigma_strtab_free(&rs->channels);
    rh_arena_free(&rs->arena);
    rh_free(ctx, rs);
}
