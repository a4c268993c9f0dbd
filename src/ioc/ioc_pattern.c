/*
 * STIX 2.1 patterning (STIX 2.1 §9, the ANTLR grammar STIXPattern.g4 of
 * oasis-open/cti-stix2-json-schemas) by recursive descent:
 *
 *   pattern      := obsExprs EOF
 *   obsExprs     := obsOr (FOLLOWEDBY obsOr)*            FOLLOWEDBY: unsupported
 *   obsOr        := obsAnd (OR obsAnd)*
 *   obsAnd       := obsQual (AND obsQual)*
 *   obsQual      := obsPrim (WITHIN n SECONDS | REPEATS n TIMES | START t STOP t)*
 *                                                        qualifiers: unsupported
 *   obsPrim      := '[' cmpOr ']' | '(' obsExprs ')'
 *   cmpOr        := cmpAnd (OR cmpAnd)*
 *   cmpAnd       := propTest (AND propTest)*
 *   propTest     := '(' cmpOr ')' | EXISTS path           EXISTS: unsupported
 *                 | path NOT? ('=' | '!=') literal
 *                 | path NOT? IN '(' literal (',' literal)* ')'
 *                 | path NOT? (LIKE | MATCHES) string
 *                 | path NOT? ('<' | '<=' | '>' | '>=' | ISSUBSET | ISSUPERSET) literal
 *                                                        ordering/subset: unsupported
 *   path         := objectType ':' component ('.' component | '[' (int | '*') ']')*
 *
 * AND binds tighter than OR at both levels. Keywords are upper case (as in the grammar).
 * Strings are single-quoted with \\ and \' as the only escapes. Literals other than strings
 * (int, float, bool, t'', h'', b'') parse but compare only against properties reghunt does not
 * carry, so they are reported unsupported. Only the object paths of ioc_prop_path() are
 * evaluated.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ioc_internal.h"

static const char *const prop_paths[IOC_P_COUNT] = {
    "file:hashes.'MD5'",
    "file:hashes.'SHA-1'",
    "file:hashes.'SHA-256'",
    "file:name",
    "file:path",
    "domain-name:value",
    "ipv4-addr:value",
    "ipv6-addr:value",
    "url:value",
    "windows-registry-key:key",
    "windows-registry-key:values[*].name",
    "windows-registry-key:values[*].data",
};

const char *ioc_prop_path(unsigned prop)
{
    return prop < IOC_P_COUNT ? prop_paths[prop] : "?";
}

enum tok {
    T_EOF = 0,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_COLON,
    T_DOT,
    T_STAR,
    T_EQ,
    T_NEQ,
    T_ORDER, /* < <= > >= */
    T_STRING,
    T_OTHERLIT, /* int, float, bool, t'', h'', b'' */
    T_IDENT,
    T_BAD
};

struct pp {
    const char *s;
    size_t n, pos;
    struct rh_arena *a;
    struct ioc_perr *err;
    unsigned depth;
    /* current token */
    enum tok t;
    size_t tstart, tlen;
    char *str; /* T_STRING: unescaped (arena) */
    size_t strlen;
    rh_status st;
};

static rh_status fail(struct pp *p, int unsupported, size_t off, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 4, 5)))
#endif
    ;

static rh_status fail(struct pp *p, int unsupported, size_t off, const char *fmt, ...)
{
    va_list ap;
    if (p->st != RH_OK) {
        return p->st;
    }
    p->err->off = off;
    p->err->unsupported = unsupported;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
    va_end(ap);
    p->st = unsupported ? RH_ERR_UNSUPPORTED : RH_ERR_FORMAT;
    return p->st;
}

static int is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A quoted string starting at p->pos (the quote); unescaped into the arena. */
static rh_status lex_string(struct pp *p, size_t q)
{
    size_t i = q + 1, k = 0;
    char *o = rh_arena_take(p->a, p->n - q, 1);
    if (!o) {
        p->st = RH_ERR_NOMEM;
        return p->st;
    }
    while (i < p->n && p->s[i] != '\'') {
        if (p->s[i] == '\\') {
            if (i + 1 >= p->n || (p->s[i + 1] != '\\' && p->s[i + 1] != '\'')) {
                return fail(p, 0, i, "bad escape in string (only \\\\ and \\' are allowed)");
            }
            i++;
        }
        o[k++] = p->s[i++];
    }
    if (i >= p->n) {
        return fail(p, 0, q, "unterminated string");
    }
    o[k] = 0;
    p->str = o;
    p->strlen = k;
    p->pos = i + 1;
    return RH_OK;
}

static void next(struct pp *p)
{
    unsigned char c;
    if (p->st != RH_OK) {
        p->t = T_BAD;
        return;
    }
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r' ||
                             p->s[p->pos] == '\n')) {
        p->pos++;
    }
    p->tstart = p->pos;
    p->tlen = 0;
    if (p->pos >= p->n) {
        p->t = T_EOF;
        return;
    }
    c = (unsigned char)p->s[p->pos];
    {
        /* one-character tokens, in enum order from T_LBRACK */
        static const char singles[] = "[](),:.*";
        const char *q = c ? strchr(singles, c) : NULL;
        if (q) {
            p->t = (enum tok)(T_LBRACK + (q - singles));
            p->pos++;
            p->tlen = 1;
            return;
        }
    }
    switch (c) {
    case '=':
        p->t = T_EQ;
        p->pos += (p->pos + 1 < p->n && p->s[p->pos + 1] == '=') ? 2 : 1;
        break;
    case '!':
        if (p->pos + 1 < p->n && p->s[p->pos + 1] == '=') {
            p->t = T_NEQ;
            p->pos += 2;
        } else {
            p->t = T_BAD;
            fail(p, 0, p->pos, "unexpected '!'");
        }
        break;
    case '<':
    case '>':
        p->t = T_ORDER;
        p->pos += (p->pos + 1 < p->n && p->s[p->pos + 1] == '=') ? 2 : 1;
        if (c == '<' && p->pos < p->n && p->s[p->pos] == '>') {
            p->t = T_NEQ; /* <> is the grammar's other spelling of != */
            p->pos++;
        }
        break;
    case '\'':
        p->t = lex_string(p, p->pos) == RH_OK ? T_STRING : T_BAD;
        break;
    default:
        if ((c == 't' || c == 'h' || c == 'b') && p->pos + 1 < p->n && p->s[p->pos + 1] == '\'') {
            p->t = lex_string(p, p->pos + 1) == RH_OK ? T_OTHERLIT : T_BAD;
        } else if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
            size_t i = p->pos + 1;
            while (i < p->n && ((p->s[i] >= '0' && p->s[i] <= '9') || p->s[i] == '.')) {
                i++;
            }
            p->t = T_OTHERLIT;
            p->pos = i;
        } else if (is_ident_start(c)) {
            size_t i = p->pos + 1;
            while (i < p->n && is_ident(p->s[i])) {
                i++;
            }
            p->t = T_IDENT;
            p->pos = i;
        } else {
            p->t = T_BAD;
            fail(p, 0, p->pos, "unexpected character 0x%02x", c);
        }
        break;
    }
    p->tlen = p->pos - p->tstart;
}

static int is_kw(const struct pp *p, const char *kw)
{
    size_t l = strlen(kw);
    return p->t == T_IDENT && p->tlen == l && memcmp(p->s + p->tstart, kw, l) == 0;
}

static struct ioc_node *node(struct pp *p, int kind, struct ioc_node *a, struct ioc_node *b)
{
    struct ioc_node *x = rh_arena_zalloc(p->a, sizeof(*x));
    if (!x) {
        p->st = RH_ERR_NOMEM;
        return NULL;
    }
    x->kind = (uint8_t)kind;
    x->a = a;
    x->b = b;
    return x;
}

/* path := objectType ':' component ('.' component | '[' idx ']')*; its canonical text is
 * compared with prop_paths (hash names ASCII case-insensitively, '[n]' as '[*]'). */
static int parse_path(struct pp *p)
{
    char buf[256];
    size_t bl = 0, start = p->tstart, i;
    int first = 1;
#define PUT(str, len)                                                                              \
    do {                                                                                           \
        size_t l_ = (len);                                                                         \
        if (bl + l_ >= sizeof(buf)) {                                                              \
            fail(p, 1, start, "object path too long");                                             \
            return -1;                                                                             \
        }                                                                                          \
        memcpy(buf + bl, (str), l_);                                                               \
        bl += l_;                                                                                  \
    } while (0)
    if (p->t != T_IDENT) {
        fail(p, 0, p->tstart, "expected an object path");
        return -1;
    }
    PUT(p->s + p->tstart, p->tlen);
    next(p);
    if (p->t != T_COLON) {
        fail(p, 0, p->tstart, "expected ':' after the object type");
        return -1;
    }
    PUT(":", 1);
    next(p);
    for (;;) {
        if (p->t == T_IDENT || p->t == T_STRING) {
            const char *c = p->t == T_IDENT ? p->s + p->tstart : p->str;
            size_t cl = p->t == T_IDENT ? p->tlen : p->strlen;
            int quoted = p->t == T_STRING;
            if (quoted) {
                PUT("'", 1);
            }
            PUT(c, cl);
            if (quoted) {
                PUT("'", 1);
            }
            next(p);
        } else {
            fail(p, 0, p->tstart, "expected a property name");
            return -1;
        }
        first = 0;
        while (p->t == T_LBRACK) {
            next(p);
            if (p->t != T_STAR && p->t != T_OTHERLIT) {
                fail(p, 0, p->tstart, "expected an index or '*'");
                return -1;
            }
            next(p);
            if (p->t != T_RBRACK) {
                fail(p, 0, p->tstart, "expected ']' after the index");
                return -1;
            }
            PUT("[*]", 3);
            next(p);
        }
        if (p->t != T_DOT) {
            break;
        }
        PUT(".", 1);
        next(p);
    }
    (void)first;
    buf[bl] = 0;
    /* file:hashes.MD5 == file:hashes.'MD5'; SHA1/SHA256 spellings as well */
    if (bl > 12 && strncmp(buf, "file:hashes.", 12) == 0) {
        char h[32];
        size_t k = 0;
        for (i = 12; i < bl && k + 1 < sizeof(h); i++) {
            if (buf[i] != '\'' && buf[i] != '-') {
                h[k++] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
            }
        }
        h[k] = 0;
        if (strcmp(h, "MD5") == 0) {
            return IOC_P_MD5;
        }
        if (strcmp(h, "SHA1") == 0) {
            return IOC_P_SHA1;
        }
        if (strcmp(h, "SHA256") == 0) {
            return IOC_P_SHA256;
        }
    }
    for (i = 0; i < IOC_P_COUNT; i++) {
        if (i != IOC_P_FILE_PATH && strcmp(buf, prop_paths[i]) == 0) {
            return (int)i;
        }
    }
    fail(p, 1, start, "object path %s is not evaluated", buf);
    return -1;
#undef PUT
}

/* The value of a string literal for property prop (registry keys normalised). */
static int set_val(struct pp *p, int prop, int op, const char **v, size_t *l)
{
    if (prop == IOC_P_REG_KEY && op != IOC_OP_MATCHES) {
        *v = ioc_regkey_norm(p->a, p->str, p->strlen, l);
        if (!*v) {
            p->st = RH_ERR_NOMEM;
            return 0;
        }
        return 1;
    }
    *v = p->str;
    *l = p->strlen;
    return 1;
}

static struct ioc_node *cmp_or(struct pp *p);

/* The current string token as the one value of comparison x; then the next token. */
static int one_val(struct pp *p, struct ioc_node *x)
{
    x->vals = rh_arena_alloc(p->a, sizeof(*x->vals));
    x->lens = rh_arena_alloc(p->a, sizeof(*x->lens));
    if (!x->vals || !x->lens) {
        p->st = RH_ERR_NOMEM;
        return 0;
    }
    if (!set_val(p, x->prop, x->op, &x->vals[0], &x->lens[0])) {
        return 0;
    }
    x->nvals = 1;
    next(p);
    return 1;
}

/* sub (kw sub)*, left-associative: AND and OR at both levels. */
static struct ioc_node *binop(struct pp *p, struct ioc_node *(*sub)(struct pp *), const char *kw,
                              int kind)
{
    struct ioc_node *x = sub(p);
    while (x && is_kw(p, kw)) {
        struct ioc_node *y;
        next(p);
        y = sub(p);
        x = y ? node(p, kind, x, y) : NULL;
    }
    return x;
}

static struct ioc_node *prop_test(struct pp *p)
{
    struct ioc_node *x;
    int prop, neg = 0;
    size_t at;
    if (p->t == T_LPAREN) {
        if (++p->depth > IOC_MAX_DEPTH) {
            fail(p, 0, p->tstart, "nesting deeper than %u", IOC_MAX_DEPTH);
            return NULL;
        }
        next(p);
        x = cmp_or(p);
        if (!x) {
            return NULL;
        }
        if (p->t != T_RPAREN) {
            fail(p, 0, p->tstart, "expected ')'");
            return NULL;
        }
        p->depth--;
        next(p);
        return x;
    }
    if (is_kw(p, "EXISTS")) {
        fail(p, 1, p->tstart, "EXISTS is not evaluated");
        return NULL;
    }
    prop = parse_path(p);
    if (prop < 0) {
        return NULL;
    }
    x = node(p, IOC_N_CMP, NULL, NULL);
    if (!x) {
        return NULL;
    }
    x->prop = (uint8_t)prop;
    if (is_kw(p, "NOT")) {
        neg = 1;
        next(p);
    }
    at = p->tstart;
    if (p->t == T_EQ || p->t == T_NEQ) {
        x->op = IOC_OP_EQ;
        neg ^= p->t == T_NEQ;
        next(p);
        if (p->t == T_OTHERLIT) {
            fail(p, 1, p->tstart, "only string literals are compared");
            return NULL;
        }
        if (p->t != T_STRING) {
            fail(p, 0, p->tstart, "expected a literal after the comparison operator");
            return NULL;
        }
        if (!one_val(p, x)) {
            return NULL;
        }
    } else if (is_kw(p, "LIKE") || is_kw(p, "MATCHES")) {
        x->op = is_kw(p, "LIKE") ? IOC_OP_LIKE : IOC_OP_MATCHES;
        next(p);
        if (p->t != T_STRING) {
            fail(p, 0, p->tstart, "expected a string after %s",
                 x->op == IOC_OP_LIKE ? "LIKE" : "MATCHES");
            return NULL;
        }
        if (!one_val(p, x)) {
            return NULL;
        }
    } else if (is_kw(p, "IN")) {
        const char **vals = NULL;
        size_t *lens = NULL, nv = 0;
        x->op = IOC_OP_IN;
        next(p);
        if (p->t != T_LPAREN) {
            fail(p, 0, p->tstart, "expected '(' after IN");
            return NULL;
        }
        vals = rh_arena_alloc(p->a, IOC_MAX_IN * sizeof(*vals));
        lens = rh_arena_alloc(p->a, IOC_MAX_IN * sizeof(*lens));
        if (!vals || !lens) {
            p->st = RH_ERR_NOMEM;
            return NULL;
        }
        do {
            next(p);
            if (p->t == T_OTHERLIT) {
                fail(p, 1, p->tstart, "only string literals are compared");
                return NULL;
            }
            if (p->t != T_STRING) {
                fail(p, 0, p->tstart, "expected a literal in the IN set");
                return NULL;
            }
            if (nv >= IOC_MAX_IN) {
                fail(p, 1, p->tstart, "IN set larger than %u values", IOC_MAX_IN);
                return NULL;
            }
            if (!set_val(p, prop, IOC_OP_IN, &vals[nv], &lens[nv])) {
                return NULL;
            }
            nv++;
            next(p);
        } while (p->t == T_COMMA);
        if (p->t != T_RPAREN) {
            fail(p, 0, p->tstart, "expected ')' to close the IN set");
            return NULL;
        }
        x->vals = vals;
        x->lens = lens;
        x->nvals = (uint32_t)nv;
        next(p);
    } else if (p->t == T_ORDER || is_kw(p, "ISSUBSET") || is_kw(p, "ISSUPERSET")) {
        fail(p, 1, at, "%.*s comparisons are not evaluated", (int)p->tlen, p->s + p->tstart);
        return NULL;
    } else {
        fail(p, 0, at, "expected a comparison operator");
        return NULL;
    }
    x->neg = (uint8_t)neg;
    return x;
}

static struct ioc_node *cmp_and(struct pp *p)
{
    return binop(p, prop_test, "AND", IOC_N_AND);
}

static struct ioc_node *cmp_or(struct pp *p)
{
    return binop(p, cmp_and, "OR", IOC_N_OR);
}

static struct ioc_node *obs_exprs(struct pp *p);

static struct ioc_node *obs_prim(struct pp *p)
{
    struct ioc_node *x;
    int open = p->t;
    if (open != T_LBRACK && open != T_LPAREN) {
        fail(p, 0, p->tstart, "expected '[' or '('");
        return NULL;
    }
    if (++p->depth > IOC_MAX_DEPTH) {
        fail(p, 0, p->tstart, "nesting deeper than %u", IOC_MAX_DEPTH);
        return NULL;
    }
    next(p);
    x = open == T_LBRACK ? cmp_or(p) : obs_exprs(p);
    if (!x) {
        return NULL;
    }
    if (p->t != (open == T_LBRACK ? T_RBRACK : T_RPAREN)) {
        fail(p, 0, p->tstart, "expected '%c'", open == T_LBRACK ? ']' : ')');
        return NULL;
    }
    p->depth--;
    next(p);
    return x;
}

static struct ioc_node *obs_qual(struct pp *p)
{
    struct ioc_node *x = obs_prim(p);
    if (x && (is_kw(p, "WITHIN") || is_kw(p, "REPEATS") || is_kw(p, "START"))) {
        fail(p, 1, p->tstart, "qualifier %.*s is not evaluated (one finding has no time span)",
             (int)p->tlen, p->s + p->tstart);
        return NULL;
    }
    return x;
}

static struct ioc_node *obs_and(struct pp *p)
{
    return binop(p, obs_qual, "AND", IOC_N_AND);
}

static struct ioc_node *obs_or(struct pp *p)
{
    return binop(p, obs_and, "OR", IOC_N_OR);
}

static struct ioc_node *obs_exprs(struct pp *p)
{
    struct ioc_node *x = obs_or(p);
    if (x && is_kw(p, "FOLLOWEDBY")) {
        fail(p, 1, p->tstart, "FOLLOWEDBY is not evaluated (needs an event sequence)");
        return NULL;
    }
    return x;
}

rh_status ioc_pattern_parse(struct rh_arena *a, const char *s, size_t n, struct ioc_node **out,
                            struct ioc_perr *err)
{
    struct pp p;
    struct ioc_node *x;
    memset(&p, 0, sizeof(p));
    memset(err, 0, sizeof(*err));
    *out = NULL;
    p.s = s;
    p.n = n;
    p.a = a;
    p.err = err;
    next(&p);
    if (p.t == T_EOF && p.st == RH_OK) {
        return fail(&p, 0, 0, "empty pattern");
    }
    x = obs_exprs(&p);
    if (x && p.t != T_EOF && p.st == RH_OK) {
        fail(&p, 0, p.tstart, "unexpected '%.*s' after the pattern",
             (int)(p.tlen > 20 ? 20 : p.tlen), p.s + p.tstart);
    }
    if (p.st != RH_OK) {
        return p.st;
    }
    *out = x;
    return RH_OK;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

int ioc_like(const char *p, size_t pn, const char *s, size_t sn)
{
    /* Greedy with one backtrack point (the last '%'): O(pn * sn) at worst. */
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
        } else if (pi < pn &&
                   (p[pi] == '_' || fold((unsigned char)p[pi]) == fold((unsigned char)s[si]))) {
            pi++;
            si++;
        } else if (star_p != (size_t)-1) {
            pi = star_p;
            si = ++star_s;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '%') {
        pi++;
    }
    return pi == pn;
}

const char *ioc_regkey_norm(struct rh_arena *a, const char *s, size_t n, size_t *out_len)
{
    rh_buf b;
    char *r;
    rh_buf_init(&b, a->ctx);
    if (rh_regpath_normalize(s, n, &b) != RH_OK) {
        rh_buf_free(&b);
        return NULL;
    }
    r = rh_arena_strndup(a, b.data ? b.data : "", b.len);
    *out_len = b.len;
    rh_buf_free(&b);
    return r;
}
