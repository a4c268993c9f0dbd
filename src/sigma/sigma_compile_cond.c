/*
 * Sigma compiler: the condition parser (and/or/not, parentheses, `1 of x*`, `all of them`)
 * over a rule's search identifiers -> cnode tree, nesting capped by the build's depth cap.
 */
#include <stdlib.h>

#include "sigma_internal.h"

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
    struct cnode *n = rh_arena_zalloc(p->b->a, sizeof(*n));
    if (!n) {
        sigma_fail(p->b, p->at, RH_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->op = (uint8_t)op;
    if (nkids) {
        n->kids = rh_arena_array(p->b->a, nkids, sizeof(struct cnode *));
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
