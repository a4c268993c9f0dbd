/*
 * Read-only export of a compiled rule's detection logic (rh_sigma_rule_logic) for the query
 * converters: searches, items with their values in the rule's own case, the condition tree and
 * the filters that suppress the rule. Everything is copied into one arena the caller owns.
 */
#include <string.h>

#include "sigma_internal.h"

struct logic_owner {
    rh_sigma_logic pub;
    rh_ctx *ctx;
    struct rh_arena arena;
};

static const char *logic_modifier_name(const struct sig_value *v)
{
    if (v->is_null || !v->mod || v->mod == &sigma_mod_string || v->mod == &sigma_mod_null) {
        return "";
    }
    return v->mod->name;
}

static int logic_value(struct rh_arena *a, const struct sig_value *v, rh_sigma_lvalue *out)
{
    const char *mod = logic_modifier_name(v);
    memset(out, 0, sizeof(*out));
    out->modifier = mod;
    out->cased = v->cased;
    out->num = v->num;
    if (v->is_null) {
        out->kind = RH_SIGMA_LV_NULL;
        return 0;
    }
    if (strcmp(mod, "") == 0) {
        out->kind = RH_SIGMA_LV_STRING;
    } else if (strcmp(mod, "re") == 0) {
        out->kind = RH_SIGMA_LV_REGEX;
        out->re_flags = ((v->re_flags & PCRE2_CASELESS) ? RH_SIGMA_RE_I : 0u) |
                        ((v->re_flags & PCRE2_MULTILINE) ? RH_SIGMA_RE_M : 0u) |
                        ((v->re_flags & PCRE2_DOTALL) ? RH_SIGMA_RE_S : 0u);
    } else if (strcmp(mod, "exists") == 0) {
        out->kind = RH_SIGMA_LV_EXISTS;
        return 0;
    } else {
        out->kind = RH_SIGMA_LV_OTHER;
        return 0;
    }
    out->bytes = rh_arena_strndup(a, (const char *)v->raw, v->rawlen);
    out->wild = (const unsigned char *)rh_arena_strndup(a, (const char *)v->rawwild, v->rawlen);
    out->len = v->rawlen;
    return out->bytes && out->wild ? 0 : -1;
}

static int logic_searches(struct rh_arena *a, const struct sig_search *in, size_t n,
                          rh_sigma_logic *out)
{
    size_t s, m, i, k;
    rh_sigma_lsearch *ls = rh_arena_array(a, n ? n : 1, sizeof(*ls));
    if (!ls) {
        return -1;
    }
    for (s = 0; s < n; s++) {
        rh_sigma_lmap *lm = rh_arena_array(a, in[s].nmaps ? in[s].nmaps : 1, sizeof(*lm));
        if (!lm) {
            return -1;
        }
        ls[s].name = in[s].name;
        ls[s].maps = lm;
        ls[s].nmaps = in[s].nmaps;
        for (m = 0; m < in[s].nmaps; m++) {
            const struct sig_map *map = &in[s].maps[m];
            rh_sigma_litem *li = rh_arena_array(a, map->n ? map->n : 1, sizeof(*li));
            if (!li) {
                return -1;
            }
            lm[m].items = li;
            lm[m].nitems = map->n;
            for (i = 0; i < map->n; i++) {
                const struct sig_item *it = &map->items[i];
                rh_sigma_lvalue *lv = rh_arena_array(a, it->nvals ? it->nvals : 1, sizeof(*lv));
                if (!lv) {
                    return -1;
                }
                li[i].field = it->field ? it->field : "";
                li[i].flags = ((it->flags & SIG_I_ALL) ? RH_SIGMA_ITEM_ALL : 0u) |
                              ((it->flags & SIG_I_NEQ) ? RH_SIGMA_ITEM_NEQ : 0u) |
                              ((it->flags & SIG_I_KEYWORD) ? RH_SIGMA_ITEM_KEYWORD : 0u);
                li[i].vals = lv;
                li[i].nvals = it->nvals;
                for (k = 0; k < it->nvals; k++) {
                    if (logic_value(a, &it->vals[k], &lv[k]) < 0) {
                        return -1;
                    }
                }
            }
        }
    }
    out->searches = ls;
    out->nsearches = n;
    return 0;
}

static const rh_sigma_lcond *logic_cond(struct rh_arena *a, const struct cnode *c, uint32_t depth)
{
    rh_sigma_lcond *lc;
    const rh_sigma_lcond **kids;
    size_t i;
    static const rh_sigma_lop ops[] = {RH_SIGMA_LC_SEARCH, RH_SIGMA_LC_AND,     RH_SIGMA_LC_OR,
                                       RH_SIGMA_LC_NOT,    RH_SIGMA_LC_ATLEAST, RH_SIGMA_LC_TRUE,
                                       RH_SIGMA_LC_FALSE};
    if (!c || c->op >= sizeof(ops) / sizeof(ops[0]) || depth > 4096) {
        return NULL;
    }
    lc = rh_arena_zalloc(a, sizeof(*lc));
    kids = rh_arena_array(a, c->n ? c->n : 1, sizeof(*kids));
    if (!lc || !kids) {
        return NULL;
    }
    lc->op = ops[c->op];
    lc->arg = c->id;
    lc->nkids = c->n;
    lc->kids = kids;
    for (i = 0; i < c->n; i++) {
        kids[i] = logic_cond(a, c->kids[i], depth + 1);
        if (!kids[i]) {
            return NULL;
        }
    }
    return lc;
}

static int logic_rule(struct rh_arena *a, const struct sig_rule *r, rh_sigma_logic *out)
{
    if (logic_searches(a, r->searches, r->nsearches, out) < 0) {
        return -1;
    }
    out->cond = logic_cond(a, r->cond, 0);
    return out->cond ? 0 : -1;
}

rh_status rh_sigma_rule_logic(const rh_ruleset *rs, size_t i, rh_sigma_logic **out)
{
    struct logic_owner *o;
    const struct sig_rule *r;
    rh_sigma_logic *filters = NULL;
    size_t f;
    if (!out) {
        return RH_ERR_ARG;
    }
    *out = NULL;
    if (!rs || i >= rs->nrules) {
        return RH_ERR_ARG;
    }
    r = rs->rules[i];
    if (r->info.kind != RH_SIGMA_DETECTION || r->corr || !r->cond) {
        return RH_ERR_UNSUPPORTED;
    }
    o = rh_calloc(rs->ctx, 1, sizeof(*o));
    if (!o) {
        return RH_ERR_NOMEM;
    }
    o->ctx = rs->ctx;
    rh_arena_init(&o->arena, rs->ctx, 16u * 1024u, 0);
    o->pub.priv_ = o;
    if (logic_rule(&o->arena, r, &o->pub) < 0) {
        goto nomem;
    }
    if (r->nfilters) {
        filters = rh_arena_array(&o->arena, r->nfilters, sizeof(*filters));
        if (!filters) {
            goto nomem;
        }
        for (f = 0; f < r->nfilters; f++) {
            if (logic_rule(&o->arena, r->filters[f], &filters[f]) < 0) {
                goto nomem;
            }
        }
    }
    o->pub.filters = filters;
    o->pub.nfilters = r->nfilters;
    *out = &o->pub;
    return RH_OK;
nomem:
    rh_sigma_logic_free(&o->pub);
    return RH_ERR_NOMEM;
}

void rh_sigma_logic_free(rh_sigma_logic *l)
{
    struct logic_owner *o;
    if (!l) {
        return;
    }
    o = l->priv_;
    rh_arena_free(&o->arena);
    rh_free(o->ctx, o);
}
