/*
 * Query generation: backend table, IR construction, the boolean renderer shared by every
 * backend, regex writers and the header comment sanitiser (docs/queries.md).
 */
#include "query_internal.h"

static const struct qbackend *const backends[RH_QB_COUNT] = {
    &query_be_splunk, &query_be_splunk_cim, &query_be_kql_mde, &query_be_kql_sentinel,
    &query_be_esql,   &query_be_eql,        &query_be_lucene};

const struct qbackend *query_backend(rh_query_backend b)
{
    return (unsigned)b < RH_QB_COUNT ? backends[b] : NULL;
}

const char *rh_query_backend_name(rh_query_backend b)
{
    return query_backend(b) ? backends[b]->name : "?";
}

const char *rh_query_backend_ext(rh_query_backend b)
{
    return query_backend(b) ? backends[b]->ext : "?";
}

const char *rh_query_backend_platform(rh_query_backend b)
{
    return query_backend(b) ? backends[b]->platform : "?";
}

rh_status rh_query_backend_parse(const char *s, rh_query_backend *out)
{
    size_t i;
    for (i = 0; s && i < RH_QB_COUNT; i++) {
        if (rh_ascii_streq(s, backends[i]->name)) {
            *out = (rh_query_backend)i;
            return RH_OK;
        }
    }
    return RH_NOT_FOUND;
}

rh_status rh_query_escape(rh_buf *out, rh_query_backend b, const char *s, size_t n)
{
    if (!query_backend(b)) {
        return rh_buf_fail(out, RH_ERR_ARG);
    }
    return backends[b]->escape(out, s ? s : "", s ? n : 0);
}

rh_status rh_query_comment(rh_buf *out, rh_query_backend b, const char *text)
{
    if (!query_backend(b)) {
        return rh_buf_fail(out, RH_ERR_ARG);
    }
    return backends[b]->comment(out, text ? text : "");
}

rh_status query_escape_quoted(rh_buf *out, const char *s, size_t n, unsigned flags)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int named = (flags & QESC_NAMED_CTL) != 0;
        if (c == '\\' || c == '"') {
            rh_buf_putc(out, '\\');
            rh_buf_putc(out, (char)c);
        } else if (named && (c == '\n' || c == '\r' || c == '\t')) {
            rh_buf_putc(out, '\\');
            rh_buf_putc(out, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else if ((flags & QESC_U_CTL) && (c < 0x20 || c == 0x7f)) {
            rh_buf_printf(out, "\\u%04x", c);
        } else if (c < 0x20 || c == 0x7f) {
            rh_buf_putc(out, '?');
        } else {
            rh_buf_putc(out, (char)c);
        }
    }
    return rh_buf_status(out);
}

rh_status query_comment_text(rh_buf *out, const char *text, const char *drop)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i, n = strlen(text);
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 || c == 0x7f) {
            rh_buf_putc(out, ' ');
        } else if (c == 0xc2 && i + 1 < n && s[i + 1] == 0x85) {
            rh_buf_putc(out, ' '); /* U+0085 NEL */
            i++;
        } else if (c == 0xe2 && i + 2 < n && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
            rh_buf_putc(out, ' '); /* U+2028 / U+2029 */
            i += 2;
        } else if (drop && c && strchr(drop, c)) {
            continue;
        } else {
            rh_buf_putc(out, (char)c);
        }
    }
    return rh_buf_status(out);
}

/* ---- patterns -------------------------------------------------------------------------- */

int query_pat_has(const struct qpat *p, uint8_t marker)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        if (p->w[i] == marker) {
            return 1;
        }
    }
    return 0;
}

int query_pat_has_ctl(const struct qpat *p)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        if (p->w[i] == QW_LIT && (p->b[i] < 0x20 || p->b[i] == 0x7f)) {
            return 1;
        }
    }
    return 0;
}

int query_pat_has_lit(const struct qpat *p, const char *set)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        if (p->w[i] == QW_LIT && p->b[i] && strchr(set, p->b[i])) {
            return 1;
        }
    }
    return 0;
}

enum qshape query_shape(const struct qpat *p, size_t *lo, size_t *hi)
{
    size_t i, nstar = 0, nq = 0;
    for (i = 0; i < p->n; i++) {
        nstar += p->w[i] == QW_STAR;
        nq += p->w[i] == QW_QMARK;
    }
    *lo = 0;
    *hi = p->n;
    if (nq) {
        return QS_GLOB;
    }
    if (nstar == 0) {
        return QS_EXACT;
    }
    if (nstar == p->n) {
        return QS_ANY;
    }
    if (nstar == 1 && p->w[p->n - 1] == QW_STAR) {
        *hi = p->n - 1;
        return QS_PREFIX;
    }
    if (nstar == 1 && p->w[0] == QW_STAR) {
        *lo = 1;
        return QS_SUFFIX;
    }
    if (nstar == 2 && p->w[0] == QW_STAR && p->w[p->n - 1] == QW_STAR) {
        *lo = 1;
        *hi = p->n - 1;
        return QS_CONTAINS;
    }
    return QS_GLOB;
}

/* ---- IR ---------------------------------------------------------------------------------- */

struct qnode *qn_new(struct rh_arena *a, uint8_t op)
{
    struct qnode *n = rh_arena_zalloc(a, sizeof(*n));
    if (n) {
        n->op = op;
    }
    return n;
}

int qn_add(struct rh_arena *a, struct qnode *parent, struct qnode *kid)
{
    if (!parent || !kid) {
        return -1;
    }
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        struct qnode **k = rh_arena_array(a, cap, sizeof(*k));
        if (!k) {
            return -1;
        }
        if (parent->n) {
            memcpy(k, parent->kids, parent->n * sizeof(*k));
        }
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

int qpat_cat(struct rh_arena *a, struct qpat *p, const char *s, size_t n, int glob)
{
    uint8_t *b = rh_arena_alloc(a, p->n + n + 1), *w = rh_arena_alloc(a, p->n + n + 1);
    size_t i, k = p->n;
    if (!b || !w) {
        return -1;
    }
    if (p->n) {
        memcpy(b, p->b, p->n);
        memcpy(w, p->w, p->n);
    }
    for (i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        uint8_t m = QW_LIT;
        if (glob && c == '*') {
            m = QW_STAR;
            if (k && w[k - 1] == QW_STAR) {
                continue; /* runs of stars are one */
            }
        } else if (glob && c == '?') {
            m = QW_QMARK;
        }
        b[k] = c;
        w[k++] = m;
    }
    b[k] = 0;
    w[k] = 0;
    p->b = b;
    p->w = w;
    p->n = k;
    return 0;
}

struct qnode *qn_match(struct rh_arena *a, uint8_t field, const char *s, size_t n, int glob)
{
    struct qnode *q = qn_new(a, Q_MATCH);
    if (!q || qpat_cat(a, &q->pat, s, n, glob) < 0) {
        return NULL;
    }
    q->field = field;
    return q;
}

/* ---- rendering --------------------------------------------------------------------------- */

const char *query_field(const struct qbackend *be, const struct qnode *n)
{
    if (n->field == QF_RAW) {
        return be->pass_raw ? n->fname : NULL;
    }
    return n->field < QF_COUNT ? be->fields[n->field] : NULL;
}

int query_render(struct qemit *e, const struct qnode *n, int neg)
{
    const struct qbackend *be = e->be;
    size_t i;
    switch (n->op) {
    case Q_TRUE:
        rh_buf_puts(e->out, be->true_s);
        return 0;
    case Q_FALSE:
        rh_buf_puts(e->out, be->false_s);
        return 0;
    case Q_NOT:
        rh_buf_puts(e->out, be->not_open);
        if (n->n != 1 || query_render(e, n->kids[0], !neg) < 0) {
            if (!e->unsup) {
                e->unsup = "malformed negation";
            }
            return -1;
        }
        rh_buf_puts(e->out, be->not_close);
        return 0;
    case Q_AND:
    case Q_OR:
        if (n->n == 0) {
            rh_buf_puts(e->out, n->op == Q_AND ? be->true_s : be->false_s);
            return 0;
        }
        if (n->n == 1) {
            return query_render(e, n->kids[0], neg);
        }
        rh_buf_putc(e->out, '(');
        for (i = 0; i < n->n; i++) {
            if (i) {
                rh_buf_puts(e->out, n->op == Q_AND ? be->and_s : be->or_s);
            }
            if (query_render(e, n->kids[i], neg) < 0) {
                return -1;
            }
        }
        rh_buf_putc(e->out, ')');
        return 0;
    default: {
        int r;
        if (!query_field(be, n)) {
            if (!e->unsup) {
                e->unsup = n->field == QF_RAW ? "a field this platform does not carry"
                                              : "a field the data model does not map";
            }
            return -1;
        }
        e->used |= 1u << n->field;
        r = be->leaf(e, n, neg);
        if (r == QL_UNSUP) {
            if (!e->unsup) {
                e->unsup = n->op == Q_REGEX ? "a regular expression (no exact form in this "
                                              "language's regex dialect)"
                                            : "a value this language cannot express";
            }
            return -1;
        }
        if (r == QL_APPROX) {
            if (neg) {
                if (!e->unsup) {
                    e->unsup = "a negated value this language can only approximate";
                }
                return -1;
            }
            e->approx = 1;
        }
        return 0;
    }
    }
}

/* ---- regex writers ---------------------------------------------------------------------- */

rh_status query_regex_re2(rh_buf *out, const struct qpat *p)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        uint8_t c = p->b[i];
        if (p->w[i] == QW_STAR) {
            rh_buf_lit(out, ".*");
        } else if (p->w[i] == QW_QMARK) {
            rh_buf_putc(out, '.');
        } else if (c < 0x20 || c == 0x7f) {
            rh_buf_printf(out, "\\x{%02x}", c);
        } else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                 (c >= '0' && c <= '9') || c == ' ')) {
            rh_buf_putc(out, '\\');
            rh_buf_putc(out, (char)c);
        } else {
            rh_buf_putc(out, (char)c);
        }
    }
    return rh_buf_status(out);
}

rh_status query_regex_lucene(rh_buf *out, const struct qpat *p, int fold, int *approx)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        uint8_t c = p->b[i];
        if (p->w[i] == QW_STAR) {
            rh_buf_lit(out, ".*");
        } else if (p->w[i] == QW_QMARK) {
            rh_buf_putc(out, '.');
        } else if (c < 0x20 || c == 0x7f) {
            rh_buf_putc(out, '.'); /* RegExp has no escape for control characters */
            *approx = 1;
        } else if (fold && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            rh_buf_printf(out, "[%c%c]", (char)(c | 0x20), (char)(c & ~0x20));
        } else if (c < 0x80 &&
                   !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            rh_buf_putc(out, '\\'); /* every other ASCII byte: `\c` is c itself */
            rh_buf_putc(out, (char)c);
        } else {
            rh_buf_putc(out, (char)c);
        }
    }
    return rh_buf_status(out);
}
