/*
 * Sigma compiler: detection sections -> searches (maps of items ORed, items ANDed) and one
 * item `field|mod|...: value(s)` through its modifier chain (modifiers.def) into sig_values.
 */
#include <stdlib.h>

#include "sigma_internal.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static bool plain_int(const struct ynode *n, int64_t *out)
{
    const char *s;
    char *end;
    long long v;
    if (!n || n->kind != YN_SCALAR || !n->plain || n->len == 0 || n->len > 19) {
        return false;
    }
    s = n->s;
    if (!((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && n->len > 1))) {
        return false;
    }
    v = strtoll(s, &end, 10);
    if (*end) {
        return false;
    }
    *out = v;
    return true;
}

static rh_status own_value(rh_ruleset *rs, struct sig_value *v)
{
    if (rs->nowned == rs->capowned) {
        size_t ncap = rs->capowned ? rs->capowned * 2 : 64;
        struct sig_value **t = rh_realloc(rs->ctx, rs->owned, ncap * sizeof(*t));
        if (!t) {
            return RH_ERR_NOMEM;
        }
        rs->owned = t;
        rs->capowned = ncap;
    }
    rs->owned[rs->nowned++] = v;
    return RH_OK;
}

/* ---- items ------------------------------------------------------------------------------------
 */

static bool is_raw_modifier(const char *m, size_t n)
{
    static const char *const raw[] = {"re",  "cidr",   "lt",       "lte",    "gt",
                                      "gte", "exists", "fieldref", "minute", "hour",
                                      "day", "week",   "month",    "year"};
    size_t i;
    for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        if (strlen(raw[i]) == n && memcmp(raw[i], m, n) == 0) {
            return true;
        }
    }
    return false;
}

/* The modifiers of a key `field|mod1|mod2...`, split. */
struct item_mods {
    struct {
        const char *p;
        size_t n;
    } m[16];
    size_t n;
    bool raw;        /* a modifier that takes the value as written (no wildcards) */
    bool plain_mods; /* only all/cased/neq: a plain integer keeps its number */
};

/* Split the modifiers after the field name (flen bytes of key). 0 or -1 (error recorded). */
static int split_modifiers(struct sigma_build *b, const char *key, const struct ynode *keynode,
                           size_t flen, struct item_mods *im)
{
    size_t pos = flen;
    im->n = 0;
    im->raw = false;
    im->plain_mods = true;
    while (key[pos] == '|') {
        size_t s = pos + 1, e = s;
        while (key[e] && key[e] != '|') {
            e++;
        }
        if (im->n == 16) {
            return sigma_fail(b, keynode, RH_ERR_LIMIT, "too many modifiers");
        }
        if (e == s) {
            return sigma_fail(b, keynode, RH_ERR_RULE, "empty modifier in '%s'", key);
        }
        im->m[im->n].p = key + s;
        im->m[im->n].n = e - s;
        if (is_raw_modifier(key + s, e - s)) {
            im->raw = true;
        }
        if (!((e - s == 3 && memcmp(key + s, "all", 3) == 0) ||
              (e - s == 5 && memcmp(key + s, "cased", 5) == 0) ||
              (e - s == 3 && memcmp(key + s, "neq", 3) == 0))) {
            im->plain_mods = false;
        }
        im->n++;
        pos = e;
    }
    return 0;
}

/* Store the item's values once the chain has run: the nulls first, then each value finished
 * by its row (or as a string pattern). 0 or -1 (error recorded). */
static int finish_values(struct sigma_build *b, struct mod_state *st, const struct ynode *val,
                         size_t nnull, struct sig_item *out)
{
    size_t i;
    out->vals = rh_arena_array(b->a, st->nvals + nnull, sizeof(struct sig_value));
    if (!out->vals) {
        return sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < nnull; i++) {
        out->vals[out->nvals].mod = &sigma_mod_null;
        out->vals[out->nvals].is_null = 1;
        out->vals[out->nvals].text = "null";
        out->nvals++;
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *mv = &st->vals[i];
        struct sig_value *sv;
        if (mv->typed) {
            if (mv->v.mod->finish && mv->v.mod->finish(st, mv) < 0) {
                return -1;
            }
        } else if (sigma_mval_finish_string(st, mv) < 0) {
            return -1;
        }
        if (!(mv->v.mod == &sigma_mod_string && !mv->v.has_num)) {
            /* keep has_num only for untouched plain integers */
        }
        sv = &out->vals[out->nvals++];
        *sv = mv->v;
        sv->raw = rh_arena_zalloc(b->a, mv->n + 1);
        sv->rawwild = rh_arena_zalloc(b->a, mv->n + 1);
        if (!sv->raw || !sv->rawwild) {
            return sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
        }
        if (mv->n) {
            memcpy((uint8_t *)sv->raw, mv->b, mv->n);
            memcpy((uint8_t *)sv->rawwild, mv->w, mv->n);
        }
        sv->rawlen = mv->n;
        sv->re_flags = st->re_flags;
        if (sv->mod->free && own_value(b->rs, sv) != RH_OK) {
            if (sv->mod->free) {
                sv->mod->free(sv);
            }
            return sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
        }
        mv->v.data = NULL;
    }
    return 0;
}

int sigma_compile_item(struct sigma_build *b, const char *key, const struct ynode *keynode,
                       const struct ynode *val, struct sig_item *out)
{
    rh_ctx *ctx = b->c->ctx;
    struct mod_state st;
    const struct ynode *const *vals;
    const struct ynode *single[1];
    size_t nv, i, nnull = 0;
    const char *bar = strchr(key, '|');
    size_t flen = bar ? (size_t)(bar - key) : strlen(key);
    int rc = -1;
    struct item_mods mods;

    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    st.b = b;
    st.at = keynode;
    st.field = key;
    if (split_modifiers(b, key, keynode, flen, &mods) < 0) {
        return -1;
    }
    out->field = rh_arena_strndup(b->a, key, flen);
    if (!out->field) {
        return sigma_fail(b, keynode, RH_ERR_NOMEM, "out of memory");
    }
    if (flen == 0) {
        out->fid = UINT32_MAX;
        out->flags |= SIG_I_KEYWORD;
    } else {
        out->fid = sigma_strtab_intern(&b->rs->fields, key, flen);
        if (out->fid == UINT32_MAX) {
            return sigma_fail(b, keynode, RH_ERR_NOMEM, "out of memory");
        }
    }
    if (val->kind == YN_SEQ) {
        vals = (const struct ynode *const *)val->kids;
        nv = val->n;
        if (nv == 0) {
            return sigma_fail(b, val, RH_ERR_RULE, "empty value list for '%s'", key);
        }
    } else if (val->kind == YN_SCALAR) {
        single[0] = val;
        vals = single;
        nv = 1;
    } else {
        return sigma_fail(b, val, RH_ERR_RULE, "value of '%s' is a mapping", key);
    }
    st.vals = rh_calloc(ctx, nv, sizeof(*st.vals));
    if (!st.vals) {
        return sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
    }
    st.cap = nv;
    out->vals = rh_arena_array(b->a, nv * 1, sizeof(struct sig_value)); /* grows below */
    for (i = 0; i < nv; i++) {
        const struct ynode *v = vals[i];
        if (v->kind != YN_SCALAR) {
            sigma_fail(b, v, RH_ERR_RULE, "value of '%s' is not a scalar", key);
            goto out;
        }
        if (ynode_is_null(v)) {
            nnull++;
            continue;
        }
        if (sigma_mval_from_text(&st, &st.vals[st.nvals], v->s, v->len, !mods.raw) < 0) {
            goto out;
        }
        if (mods.plain_mods && plain_int(v, &st.vals[st.nvals].v.num)) {
            st.vals[st.nvals].v.has_num = 1;
        }
        st.vals[st.nvals].v.text = v->s;
        st.nvals++;
    }
    for (i = 0; i < mods.n; i++) {
        const struct sigma_modifier *row = sigma_modifier_find(mods.m[i].p, mods.m[i].n);
        if (!row) {
            sigma_fail(b, keynode, RH_ERR_UNSUPPORTED, "unknown modifier '%.*s'", (int)mods.m[i].n,
                       mods.m[i].p);
            goto out;
        }
        if (row->setup(&st) < 0) {
            goto out;
        }
    }
    if ((out->flags & SIG_I_KEYWORD) && !st.has_type && !st.wrap_set) {
        /* Keywords search the whole event: substring semantics (docs/sigma-support.md). */
        const struct sigma_modifier *c = sigma_modifier_find("contains", 8);
        if (c->setup(&st) < 0) {
            goto out;
        }
    }
    out->flags |= st.item_flags;
    if (finish_values(b, &st, val, nnull, out) < 0) {
        goto out;
    }
    if (out->nvals == 0) {
        sigma_fail(b, val, RH_ERR_RULE, "no values for '%s'", key);
        goto out;
    }
    rc = 0;
out:
    for (i = 0; i < st.nvals; i++) {
        if (st.vals[i].v.data && st.vals[i].v.mod && st.vals[i].v.mod->free) {
            st.vals[i].v.mod->free(&st.vals[i].v);
        }
        sigma_mval_free(ctx, &st.vals[i]);
    }
    rh_free(ctx, st.vals);
    return rc;
}

/* ---- searches and detection ---------------------------------------------------------------- */

static int compile_map(struct sigma_build *b, const struct ynode *m, struct sig_map *out)
{
    size_t i;
    out->n = m->n;
    out->items = rh_arena_array(b->a, m->n ? m->n : 1, sizeof(struct sig_item));
    if (!out->items) {
        return sigma_fail(b, m, RH_ERR_NOMEM, "out of memory");
    }
    if (m->n == 0) {
        return sigma_fail(b, m, RH_ERR_RULE, "empty selection");
    }
    for (i = 0; i < m->n; i++) {
        if (sigma_compile_item(b, m->kids[2 * i]->s, m->kids[2 * i], m->kids[2 * i + 1],
                               &out->items[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

static int compile_search(struct sigma_build *b, const char *name, const struct ynode *v,
                          struct sig_search *s)
{
    size_t i, nmaps = 0, nscalars = 0;
    s->name = name;
    if (v->kind == YN_MAP) {
        s->nmaps = 1;
        s->maps = rh_arena_zalloc(b->a, sizeof(struct sig_map));
        if (!s->maps) {
            return sigma_fail(b, v, RH_ERR_NOMEM, "out of memory");
        }
        return compile_map(b, v, &s->maps[0]);
    }
    if (v->kind == YN_SCALAR) {
        if (ynode_is_null(v)) {
            return sigma_fail(b, v, RH_ERR_RULE, "search '%s' is null", name);
        }
        goto keywords;
    }
    for (i = 0; i < v->n; i++) {
        if (v->kids[i]->kind == YN_MAP) {
            nmaps++;
        } else if (v->kids[i]->kind == YN_SCALAR) {
            nscalars++;
        } else {
            return sigma_fail(b, v->kids[i], RH_ERR_RULE, "nested list in search '%s'", name);
        }
    }
    if (v->n == 0) {
        return sigma_fail(b, v, RH_ERR_RULE, "search '%s' is an empty list", name);
    }
    if (nmaps && nscalars) {
        return sigma_fail(b, v, RH_ERR_RULE, "search '%s' mixes keywords and maps", name);
    }
    if (nmaps) {
        s->nmaps = nmaps;
        s->maps = rh_arena_array(b->a, nmaps, sizeof(struct sig_map));
        if (!s->maps) {
            return sigma_fail(b, v, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < nmaps; i++) {
            if (compile_map(b, v->kids[i], &s->maps[i]) < 0) {
                return -1;
            }
        }
        return 0;
    }
keywords:
    s->nmaps = 1;
    s->maps = rh_arena_zalloc(b->a, sizeof(struct sig_map));
    if (!s->maps) {
        return sigma_fail(b, v, RH_ERR_NOMEM, "out of memory");
    }
    s->maps[0].n = 1;
    s->maps[0].items = rh_arena_zalloc(b->a, sizeof(struct sig_item));
    if (!s->maps[0].items) {
        return sigma_fail(b, v, RH_ERR_NOMEM, "out of memory");
    }
    return sigma_compile_item(b, "", v, v, &s->maps[0].items[0]);
}

int sigma_compile_detection(struct sigma_build *b, const struct ynode *det, struct sig_rule *r)
{
    size_t i, ns = 0;
    const struct ynode *cond = NULL;
    if (!det || det->kind != YN_MAP) {
        return sigma_fail(b, det, RH_ERR_RULE, "'detection' is missing or not a mapping");
    }
    r->searches = rh_arena_array(b->a, det->n ? det->n : 1, sizeof(struct sig_search));
    if (!r->searches) {
        return sigma_fail(b, det, RH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < det->n; i++) {
        const struct ynode *k = det->kids[2 * i], *v = det->kids[2 * i + 1];
        if (strcmp(k->s, "condition") == 0) {
            cond = v;
            continue;
        }
        if (strcmp(k->s, "timeframe") == 0) {
            return sigma_fail(b, k, RH_ERR_UNSUPPORTED,
                              "'timeframe' (Sigma v1 aggregation) is not supported; use a "
                              "correlation rule");
        }
        if (compile_search(b, k->s, v, &r->searches[ns]) < 0) {
            return -1;
        }
        ns++;
    }
    r->nsearches = ns;
    if (!cond) {
        return sigma_fail(b, det, RH_ERR_RULE, "detection has no condition");
    }
    if (cond->kind == YN_SCALAR) {
        return sigma_parse_condition(b, cond, cond->s, r, &r->cond);
    }
    if (cond->kind == YN_SEQ && cond->n > 0) {
        struct cnode *orn = rh_arena_zalloc(b->a, sizeof(*orn));
        if (!orn) {
            return sigma_fail(b, cond, RH_ERR_NOMEM, "out of memory");
        }
        orn->op = C_OR;
        orn->n = cond->n;
        orn->kids = rh_arena_array(b->a, cond->n, sizeof(struct cnode *));
        if (!orn->kids) {
            return sigma_fail(b, cond, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < cond->n; i++) {
            if (cond->kids[i]->kind != YN_SCALAR) {
                return sigma_fail(b, cond->kids[i], RH_ERR_RULE, "condition entry not a string");
            }
            if (sigma_parse_condition(b, cond->kids[i], cond->kids[i]->s, r, &orn->kids[i]) < 0) {
                return -1;
            }
        }
        r->cond = orn;
        return 0;
    }
    return sigma_fail(b, cond, RH_ERR_RULE, "condition must be a string or a list of strings");
}
