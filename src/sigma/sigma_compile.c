/*
 * Sigma compiler: rule documents -> sig_rule (searches, condition, logsource bindings),
 * the reject list, and rh_sigma_compiler_finish() which builds the dispatch indexes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

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
    r->path = sigma_arena_strdup(&c->rej_arena, path ? path : "");
    r->id = sigma_arena_strdup(&c->rej_arena, id ? id : "");
    r->title = sigma_arena_strdup(&c->rej_arena, title ? title : "");
    r->reason = sigma_arena_strdup(&c->rej_arena, reason ? reason : "");
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

int sigma_compile_item(struct sigma_build *b, const char *key, const struct ynode *keynode,
                       const struct ynode *val, struct sig_item *out)
{
    rh_ctx *ctx = b->c->ctx;
    struct mod_state st;
    const struct ynode *const *vals;
    const struct ynode *single[1];
    size_t nv, i, nnull = 0, nmods = 0, pos;
    const char *bar = strchr(key, '|');
    size_t flen = bar ? (size_t)(bar - key) : strlen(key);
    bool raw = false, plain_mods = true;
    int rc = -1;
    struct {
        const char *p;
        size_t n;
    } mods[16];

    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    st.b = b;
    st.at = keynode;
    st.field = key;
    /* Split modifiers. */
    pos = flen;
    while (key[pos] == '|') {
        size_t s = pos + 1, e = s;
        while (key[e] && key[e] != '|') {
            e++;
        }
        if (nmods == 16) {
            return sigma_fail(b, keynode, RH_ERR_LIMIT, "too many modifiers");
        }
        if (e == s) {
            return sigma_fail(b, keynode, RH_ERR_RULE, "empty modifier in '%s'", key);
        }
        mods[nmods].p = key + s;
        mods[nmods].n = e - s;
        if (is_raw_modifier(key + s, e - s)) {
            raw = true;
        }
        if (!((e - s == 3 && memcmp(key + s, "all", 3) == 0) ||
              (e - s == 5 && memcmp(key + s, "cased", 5) == 0) ||
              (e - s == 3 && memcmp(key + s, "neq", 3) == 0))) {
            plain_mods = false;
        }
        nmods++;
        pos = e;
    }
    if (flen == 0) {
        out->fid = UINT32_MAX;
        out->flags |= SIG_I_KEYWORD;
    } else {
        out->fid = sigma_strtab_intern(ctx, &b->rs->fields, key, flen);
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
    out->vals = sigma_arena_array(b->a, nv * 1, sizeof(struct sig_value)); /* grows below */
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
        if (sigma_mval_from_text(&st, &st.vals[st.nvals], v->s, v->len, !raw) < 0) {
            goto out;
        }
        if (plain_mods && plain_int(v, &st.vals[st.nvals].v.num)) {
            st.vals[st.nvals].v.has_num = 1;
        }
        st.vals[st.nvals].v.text = v->s;
        st.nvals++;
    }
    for (i = 0; i < nmods; i++) {
        const struct sigma_modifier *row = sigma_modifier_find(mods[i].p, mods[i].n);
        if (!row) {
            sigma_fail(b, keynode, RH_ERR_UNSUPPORTED, "unknown modifier '%.*s'", (int)mods[i].n,
                       mods[i].p);
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
    out->vals = sigma_arena_array(b->a, st.nvals + nnull, sizeof(struct sig_value));
    if (!out->vals) {
        sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < nnull; i++) {
        out->vals[out->nvals].mod = &sigma_mod_null;
        out->vals[out->nvals].is_null = 1;
        out->vals[out->nvals].text = "null";
        out->nvals++;
    }
    for (i = 0; i < st.nvals; i++) {
        struct mval *mv = &st.vals[i];
        struct sig_value *sv;
        if (mv->typed) {
            if (mv->v.mod->finish && mv->v.mod->finish(&st, mv) < 0) {
                goto out;
            }
        } else if (sigma_mval_finish_string(&st, mv) < 0) {
            goto out;
        }
        if (!(mv->v.mod == &sigma_mod_string && !mv->v.has_num)) {
            /* keep has_num only for untouched plain integers */
        }
        sv = &out->vals[out->nvals++];
        *sv = mv->v;
        if (sv->mod->free && own_value(b->rs, sv) != RH_OK) {
            if (sv->mod->free) {
                sv->mod->free(sv);
            }
            sigma_fail(b, val, RH_ERR_NOMEM, "out of memory");
            goto out;
        }
        mv->v.data = NULL;
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
    out->items = sigma_arena_array(b->a, m->n ? m->n : 1, sizeof(struct sig_item));
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
        s->maps = sigma_arena_alloc(b->a, sizeof(struct sig_map));
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
        s->maps = sigma_arena_array(b->a, nmaps, sizeof(struct sig_map));
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
    s->maps = sigma_arena_alloc(b->a, sizeof(struct sig_map));
    if (!s->maps) {
        return sigma_fail(b, v, RH_ERR_NOMEM, "out of memory");
    }
    s->maps[0].n = 1;
    s->maps[0].items = sigma_arena_alloc(b->a, sizeof(struct sig_item));
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
    r->searches = sigma_arena_array(b->a, det->n ? det->n : 1, sizeof(struct sig_search));
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
        struct cnode *orn = sigma_arena_alloc(b->a, sizeof(*orn));
        if (!orn) {
            return sigma_fail(b, cond, RH_ERR_NOMEM, "out of memory");
        }
        orn->op = C_OR;
        orn->n = cond->n;
        orn->kids = sigma_arena_array(b->a, cond->n, sizeof(struct cnode *));
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

/* ---- condition parser --------------------------------------------------------------------- */

enum tok { T_END, T_ID, T_LP, T_RP, T_AND, T_OR, T_NOT, T_OF, T_THEM, T_ALL, T_NUM, T_PIPE, T_BAD };

struct cparser {
    struct sigma_build *b;
    const struct ynode *at;
    const char *s;
    size_t pos, len;
    enum tok t;
    const char *tp;
    size_t tn;
    struct sig_rule *r;
    uint32_t depth;
};

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '*' || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

static bool word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && rh_ascii_casecmp(p, n, w, n) == 0;
}

static void next_tok(struct cparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
        p->pos++;
    }
    p->tp = p->s + p->pos;
    p->tn = 0;
    if (p->pos >= p->len) {
        p->t = T_END;
        return;
    }
    switch (p->s[p->pos]) {
    case '(':
        p->t = T_LP;
        p->pos++;
        p->tn = 1;
        return;
    case ')':
        p->t = T_RP;
        p->pos++;
        p->tn = 1;
        return;
    case '|':
        p->t = T_PIPE;
        p->pos++;
        p->tn = 1;
        return;
    default:
        break;
    }
    if (!id_char(p->s[p->pos])) {
        p->t = T_BAD;
        p->tn = 1;
        return;
    }
    while (p->pos < p->len && id_char(p->s[p->pos])) {
        p->pos++;
        p->tn++;
    }
    if (word_is(p->tp, p->tn, "and")) {
        p->t = T_AND;
    } else if (word_is(p->tp, p->tn, "or")) {
        p->t = T_OR;
    } else if (word_is(p->tp, p->tn, "not")) {
        p->t = T_NOT;
    } else if (word_is(p->tp, p->tn, "of")) {
        p->t = T_OF;
    } else if (word_is(p->tp, p->tn, "them")) {
        p->t = T_THEM;
    } else if (word_is(p->tp, p->tn, "all") || word_is(p->tp, p->tn, "any")) {
        p->t = word_is(p->tp, p->tn, "all") ? T_ALL : T_NUM;
        if (p->t == T_NUM) {
            p->tp = "1";
            p->tn = 1;
        }
    } else {
        size_t i;
        p->t = T_NUM;
        for (i = 0; i < p->tn; i++) {
            if (p->tp[i] < '0' || p->tp[i] > '9') {
                p->t = T_ID;
                break;
            }
        }
    }
}

static struct cnode *cnew(struct cparser *p, int op, size_t nkids)
{
    struct cnode *n = sigma_arena_alloc(p->b->a, sizeof(*n));
    if (!n) {
        sigma_fail(p->b, p->at, RH_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->op = (uint8_t)op;
    if (nkids) {
        n->kids = sigma_arena_array(p->b->a, nkids, sizeof(struct cnode *));
        if (!n->kids) {
            sigma_fail(p->b, p->at, RH_ERR_NOMEM, "out of memory");
            return NULL;
        }
    }
    return n;
}

static bool name_glob(const char *pat, size_t pn, const char *s)
{
    /* '*' only; case-sensitive like identifiers. */
    size_t pi = 0, si = 0, sn = strlen(s), sp = SIZE_MAX, ss = 0;
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            sp = pi++;
            ss = si;
        } else if (pi < pn && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (sp != SIZE_MAX) {
            pi = sp + 1;
            si = ++ss;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*') {
        pi++;
    }
    return pi == pn;
}

static struct cnode *parse_or(struct cparser *p);

static struct cnode *parse_primary(struct cparser *p)
{
    if (p->t == T_LP) {
        struct cnode *n;
        next_tok(p);
        n = parse_or(p);
        if (!n) {
            return NULL;
        }
        if (p->t != T_RP) {
            sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: missing ')' at column %zu",
                       (size_t)(p->tp - p->s) + 1);
            return NULL;
        }
        next_tok(p);
        return n;
    }
    if (p->t == T_ID) {
        size_t i;
        for (i = 0; i < p->r->nsearches; i++) {
            if (strlen(p->r->searches[i].name) == p->tn &&
                memcmp(p->r->searches[i].name, p->tp, p->tn) == 0) {
                struct cnode *n = cnew(p, C_ID, 0);
                if (n) {
                    n->id = (uint32_t)i;
                }
                next_tok(p);
                return n;
            }
        }
        sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: unknown search identifier '%.*s'",
                   (int)p->tn, p->tp);
        return NULL;
    }
    if (p->t == T_PIPE) {
        sigma_fail(p->b, p->at, RH_ERR_UNSUPPORTED,
                   "condition: Sigma v1 aggregation ('| count() ...') is not supported; use a "
                   "correlation rule");
        return NULL;
    }
    sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: unexpected '%.*s' at column %zu",
               (int)(p->tn ? p->tn : 3), p->tn ? p->tp : "end", (size_t)(p->tp - p->s) + 1);
    return NULL;
}

static struct cnode *parse_quant(struct cparser *p)
{
    if (p->t == T_NUM || p->t == T_ALL) {
        bool all = p->t == T_ALL;
        unsigned long k = all ? 0 : strtoul(p->tp, NULL, 10);
        struct cnode *n;
        size_t i, cnt = 0;
        next_tok(p);
        if (p->t != T_OF) {
            sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: expected 'of'");
            return NULL;
        }
        next_tok(p);
        if (p->t != T_THEM && p->t != T_ID) {
            sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: expected a pattern after 'of'");
            return NULL;
        }
        for (i = 0; i < p->r->nsearches; i++) {
            const char *nm = p->r->searches[i].name;
            if (p->t == T_THEM ? nm[0] != '_' : name_glob(p->tp, p->tn, nm)) {
                cnt++;
            }
        }
        if (cnt == 0) {
            sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: '%.*s' matches no search identifier",
                       (int)p->tn, p->tp);
            return NULL;
        }
        if (!all && k == 0) {
            sigma_fail(p->b, p->at, RH_ERR_RULE, "condition: '0 of' is meaningless");
            return NULL;
        }
        n = cnew(p, all ? C_AND : (k == 1 ? C_OR : C_ATLEAST), cnt);
        if (!n) {
            return NULL;
        }
        n->id = (uint32_t)(k > UINT32_MAX ? UINT32_MAX : k);
        for (i = 0; i < p->r->nsearches; i++) {
            const char *nm = p->r->searches[i].name;
            if (p->t == T_THEM ? nm[0] != '_' : name_glob(p->tp, p->tn, nm)) {
                struct cnode *leaf = cnew(p, C_ID, 0);
                if (!leaf) {
                    return NULL;
                }
                leaf->id = (uint32_t)i;
                n->kids[n->n++] = leaf;
            }
        }
        next_tok(p);
        return n;
    }
    return parse_primary(p);
}

static struct cnode *parse_not(struct cparser *p)
{
    if (p->t == T_NOT) {
        struct cnode *n, *k;
        if (++p->depth > p->b->depth_cap) {
            sigma_fail(p->b, p->at, RH_ERR_LIMIT, "condition nested too deeply");
            return NULL;
        }
        next_tok(p);
        k = parse_not(p);
        p->depth--;
        if (!k) {
            return NULL;
        }
        n = cnew(p, C_NOT, 1);
        if (!n) {
            return NULL;
        }
        n->kids[0] = k;
        n->n = 1;
        return n;
    }
    return parse_quant(p);
}

static struct cnode *parse_binary(struct cparser *p, enum tok op, int cop)
{
    struct cnode *first, *n;
    struct cnode *tmp[64];
    size_t cnt = 0, i;
    struct cnode **big = NULL;
    size_t cap = 64;
    if (++p->depth > p->b->depth_cap) {
        sigma_fail(p->b, p->at, RH_ERR_LIMIT, "condition nested too deeply");
        return NULL;
    }
    first = op == T_OR ? parse_binary(p, T_AND, C_AND) : parse_not(p);
    if (!first) {
        return NULL;
    }
    if (p->t != op) {
        p->depth--;
        return first;
    }
    tmp[cnt++] = first;
    while (p->t == op) {
        struct cnode *k;
        next_tok(p);
        k = op == T_OR ? parse_binary(p, T_AND, C_AND) : parse_not(p);
        if (!k) {
            rh_free(p->b->c->ctx, big);
            return NULL;
        }
        if (cnt == 64 && !big) {
            big = rh_malloc(p->b->c->ctx, cap * 2 * sizeof(*big));
            if (!big) {
                sigma_fail(p->b, p->at, RH_ERR_NOMEM, "out of memory");
                return NULL;
            }
            memcpy(big, tmp, sizeof(tmp));
            cap *= 2;
        } else if (big && cnt == cap) {
            struct cnode **t = rh_realloc(p->b->c->ctx, big, cap * 2 * sizeof(*big));
            if (!t) {
                rh_free(p->b->c->ctx, big);
                sigma_fail(p->b, p->at, RH_ERR_NOMEM, "out of memory");
                return NULL;
            }
            big = t;
            cap *= 2;
        }
        (big ? big : tmp)[cnt++] = k;
    }
    n = cnew(p, cop, cnt);
    if (n) {
        for (i = 0; i < cnt; i++) {
            n->kids[i] = (big ? big : tmp)[i];
        }
        n->n = cnt;
    }
    rh_free(p->b->c->ctx, big);
    p->depth--;
    return n;
}

static struct cnode *parse_or(struct cparser *p)
{
    return parse_binary(p, T_OR, C_OR);
}

int sigma_parse_condition(struct sigma_build *b, const struct ynode *at, const char *text,
                          struct sig_rule *r, struct cnode **out)
{
    struct cparser p;
    memset(&p, 0, sizeof(p));
    p.b = b;
    p.at = at;
    p.s = text;
    p.len = strlen(text);
    p.r = r;
    next_tok(&p);
    *out = parse_or(&p);
    if (!*out) {
        return -1;
    }
    if (p.t != T_END) {
        if (p.t == T_PIPE) {
            return sigma_fail(b, at, RH_ERR_UNSUPPORTED,
                              "condition: Sigma v1 aggregation ('| count() ...') is not "
                              "supported; use a correlation rule");
        }
        return sigma_fail(b, at, RH_ERR_RULE, "condition: unexpected '%.*s' at column %zu",
                          (int)p.tn, p.tp, (size_t)(p.tp - p.s) + 1);
    }
    return 0;
}

/* ---- logsource bindings ---------------------------------------------------------------------- */

static bool ieq(const char *a, const char *b)
{
    return a && b && rh_ascii_casecmp(a, strlen(a), b, strlen(b)) == 0;
}

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
    return sigma_strtab_intern(b->c->ctx, &b->rs->channels, buf, n);
}

static int add_channels(struct sigma_build *b, struct sig_binding *bd, char **src, size_t n)
{
    size_t i, k = 0;
    bd->chans = sigma_arena_array(b->a, n ? n : 1, sizeof(uint32_t));
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
    struct sig_binding *bd = sigma_arena_alloc(b->a, sizeof(*bd));
    size_t i, j;
    *no_channel = false;
    if (!bd) {
        sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
        return NULL;
    }
    bd->transform = e->transform;
    if (e->neids) {
        bd->eids = sigma_arena_array(b->a, e->neids, sizeof(uint32_t));
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
            if (!s->category && s->service && ieq(s->service, e->rewrite_service) && s->nsources &&
                (!e->rewrite_product || !s->product || ieq(s->product, e->rewrite_product))) {
                if (add_channels(b, bd, s->sources, s->nsources) < 0) {
                    return NULL;
                }
                break;
            }
        }
    }
    if (e->nconds) {
        bd->conds = sigma_arena_array(b->a, e->nconds, sizeof(struct sig_item));
        if (!bd->conds) {
            sigma_fail(b, NULL, RH_ERR_NOMEM, "out of memory");
            return NULL;
        }
        for (i = 0; i < e->nconds; i++) {
            struct sig_item *it = &bd->conds[i];
            it->fid = sigma_strtab_intern(b->c->ctx, &b->rs->fields, e->conds[i].field,
                                          strlen(e->conds[i].field));
            it->vals = sigma_arena_array(b->a, e->conds[i].nvalues, sizeof(struct sig_value));
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
                v->lit = (const uint8_t *)sigma_arena_strndup(b->a, fb.data ? fb.data : "", fb.len);
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
            if (sigma_strtab_intern(b->c->ctx, &b->rs->fields, e->fm_to[i], strlen(e->fm_to[i])) ==
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
    if (prod && !ieq(prod, "windows")) {
        return sigma_fail(b, ls, RH_ERR_UNSUPPORTED,
                          "logsource product '%s' has no Windows event mapping", prod);
    }
    for (i = 0; i < cfg->n && n < 64; i++) {
        const struct sigma_cfg_entry *e = &cfg->entries[i];
        bool nc;
        if (cat) {
            if (!e->category || !ieq(e->category, cat)) {
                continue;
            }
            if (svc && e->rewrite_service && !ieq(svc, e->rewrite_service)) {
                continue;
            }
        } else if (svc) {
            if (e->category || !e->service || !ieq(e->service, svc)) {
                continue;
            }
        } else {
            break;
        }
        if (e->product && prod && !ieq(e->product, prod)) {
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
            b->c->any_binding = sigma_arena_alloc(b->a, sizeof(struct sig_binding));
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
    r->bindings = sigma_arena_array(b->a, n, sizeof(struct sig_binding *));
    if (!r->bindings) {
        return sigma_fail(b, ls, RH_ERR_NOMEM, "out of memory");
    }
    memcpy(r->bindings, tmp, n * sizeof(*tmp));
    r->nbindings = n;
    return 0;
}

/* ---- rule documents ----------------------------------------------------------------------------
 */

static const char *meta_str(struct sigma_build *b, const struct ynode *doc, const char *key)
{
    const char *s = scalar_or(ynode_get(doc, key), "");
    const char *d = sigma_arena_strdup(&b->rs->arena, s);
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
    r->info.path = sigma_arena_strdup(&b->rs->arena, b->path);
    r->info.line = doc->line;
    r->info.correlation_type = "";
    r->emit = true;
    if (!r->info.path) {
        return sigma_fail(b, doc, RH_ERR_NOMEM, "out of memory");
    }
    if (tags && tags->kind == YN_SEQ && tags->n) {
        const char **t = sigma_arena_array(&b->rs->arena, tags->n, sizeof(char *));
        if (!t) {
            return sigma_fail(b, doc, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < tags->n; i++) {
            if (tags->kids[i]->kind == YN_SCALAR) {
                t[r->info.ntags++] = sigma_arena_strdup(&b->rs->arena, tags->kids[i]->s);
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
    r->corr = sigma_arena_alloc(b->a, sizeof(struct sig_corr)); /* reuse rule_refs storage */
    if (!r->corr) {
        return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
    }
    if (rules->kind == YN_SCALAR) {
        r->corr->nrefs = 1;
        r->corr->rule_refs = sigma_arena_alloc(b->a, sizeof(char *));
        if (!r->corr->rule_refs) {
            return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
        }
        r->corr->rule_refs[0] = sigma_arena_strdup(b->a, rules->s);
    } else {
        r->corr->rule_refs = sigma_arena_array(b->a, rules->n ? rules->n : 1, sizeof(char *));
        if (!r->corr->rule_refs) {
            return sigma_fail(b, f, RH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < rules->n; i++) {
            if (rules->kids[i]->kind != YN_SCALAR) {
                return sigma_fail(b, rules->kids[i], RH_ERR_RULE, "filter rule is not a string");
            }
            r->corr->rule_refs[r->corr->nrefs++] = sigma_arena_strdup(b->a, rules->kids[i]->s);
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
    r = sigma_arena_alloc(b.a, sizeof(*r));
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
    sigma_arena_init(&c->rej_arena, ctx);
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
    sigma_arena_init(&c->rs->arena, ctx);
    {
        static const char *const virt[SIGMA_F_NVIRTUAL] = {
            "EventID", "Channel", "Provider_Name", "Computer", "EventRecordID", "UserID"};
        size_t i;
        for (i = 0; i < SIGMA_F_NVIRTUAL; i++) {
            if (sigma_strtab_intern(ctx, &c->rs->fields, virt[i], strlen(virt[i])) != i) {
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
    struct sigma_arena tmp;
    struct ynode **docs;
    size_t ndocs, i;
    int el, ec;
    char err[256];
    rh_status st;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    sigma_arena_init(&tmp, c->ctx);
    st = sigma_yaml_parse(c->ctx, &tmp, name, text, len, rh_ctx_limits(c->ctx)->max_xml_depth,
                          &docs, &ndocs, &el, &ec, err, sizeof(err));
    if (st == RH_ERR_NOMEM) {
        sigma_arena_free(&tmp);
        return st;
    }
    if (st != RH_OK) {
        sigma_arena_free(&tmp);
        return sigma_reject(c, name, "", "", el, ec, st, err);
    }
    for (i = 0; i < ndocs && st == RH_OK; i++) {
        st = compile_doc(c, name, docs[i]);
    }
    sigma_arena_free(&tmp);
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
        struct stat sb;
        if (names[i][0] == '.') {
            continue; /* hidden files and folders are not rules */
        }
        if (rh_buf_printf(&p, "%s/%s", path, names[i]) != RH_OK) {
            st = RH_ERR_NOMEM;
        } else if (lstat(p.data, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                st = add_dir(c, p.data, depth + 1);
            } else if (S_ISREG(sb.st_mode) && yaml_name(names[i])) {
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
    struct stat sb;
    if (c->finished) {
        return RH_ERR_ARG;
    }
    if (stat(path, &sb) != 0) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "sigma", path, -1, "cannot open");
        return RH_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode)) {
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
            nf = sigma_arena_array(&c->rs->arena, t->nfilters + 1, sizeof(*nf));
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
                b->fmap = sigma_arena_array(&rs->arena, rs->fields.n, sizeof(uint32_t));
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
    rs->entries = sigma_arena_array(&rs->arena, n ? n : 1, sizeof(struct sig_entry));
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
            qsort(b->chans, b->nchans, sizeof(uint32_t), cmp_u32);
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
    sigma_arena_free(&c->rej_arena);
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
    sigma_strtab_free(ctx, &rs->fields);
    sigma_strtab_free(ctx, &rs->channels);
    sigma_arena_free(&rs->arena);
    rh_free(ctx, rs);
}
