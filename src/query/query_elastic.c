/*
 * Elastic backends over ECS registry events (Elastic Defend, Winlogbeat Sysmon): `esql`,
 * `eql` and `lucene`. registry.path is the key plus the value name.
 *
 * ES|QL escape: inside a double-quoted string, `\` and `"` take a backslash, newline, CR and
 *   tab become \n \r \t, other control characters `?`. ES|QL compares case-sensitively, so a
 *   case-insensitive match lowers both sides: TO_LOWER(COALESCE(field, "")) against a lowered
 *   pattern (COALESCE keeps a missing field from turning a negated clause into null). LIKE
 *   patterns first escape `\`, `*` and `?` with a backslash (a trailing backslash before `*`
 *   is `\\` then `*`), then go through the string escape.
 * EQL escape: as ES|QL. `:` is case-insensitive with `*` / `?` wildcards and has no escape
 *   for a literal `*` or `?`; such patterns and patterns with control characters use
 *   `regex~` over a Lucene RegExp (query_regex_lucene).
 * Lucene escape: every pattern is a RegExp query /.../ (keyword fields are case-sensitive:
 *   letters become [aA] classes); every ASCII byte that is not a letter or digit takes a
 *   backslash, `/` included; control characters become `.`.
 */
#include "query_internal.h"

static rh_status es_escape(rh_buf *out, const char *s, size_t n)
{
    return query_escape_quoted(out, s, n, QESC_NAMED_CTL);
}

static rh_status lucene_escape(rh_buf *out, const char *s, size_t n)
{
    rh_buf w = RH_BUF_INIT(out->ctx);
    struct qpat p;
    int approx = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        rh_buf_putc(&w, (char)QW_LIT);
    }
    p.b = (const uint8_t *)s;
    p.w = (const uint8_t *)w.data;
    p.n = rh_buf_status(&w) == RH_OK ? n : 0;
    query_regex_lucene(out, &p, 0, &approx);
    rh_buf_fail(out, rh_buf_status(&w));
    rh_buf_free(&w);
    return rh_buf_status(out);
}

static rh_status slash_comment(rh_buf *out, const char *text)
{
    rh_buf_lit(out, "// ");
    query_comment_text(out, text, NULL);
    return rh_buf_putc(out, '\n');
}

static rh_status hash_comment(rh_buf *out, const char *text)
{
    rh_buf_lit(out, "# ");
    query_comment_text(out, text, NULL);
    return rh_buf_putc(out, '\n');
}

static int eql_exact(const struct qpat *p, int cased)
{
    (void)cased;
    return !query_pat_has_ctl(p);
}

static int pid_leaf(struct qemit *e, const char *f, const struct qnode *n, const char *op)
{
    size_t i;
    if (n->op != Q_MATCH || n->pat.n == 0 || n->pat.n > 18) {
        return QL_UNSUP;
    }
    for (i = 0; i < n->pat.n; i++) {
        if (n->pat.w[i] != QW_LIT || n->pat.b[i] < '0' || n->pat.b[i] > '9') {
            return QL_UNSUP;
        }
    }
    rh_buf_printf(e->out, "%s%s%.*s", f, op, (int)n->pat.n, (const char *)n->pat.b);
    return QL_EXACT;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

/* ---- ES|QL ---------------------------------------------------------------------------------- */

static int esql_leaf(struct qemit *e, const struct qnode *n, int neg)
{
    const char *f = query_field(e->be, n);
    size_t i, lo, hi;
    int approx = 0;
    enum qshape sh;
    rh_buf pat = RH_BUF_INIT(e->out->ctx);
    (void)neg;
    if (n->op == Q_REGEX) {
        return QL_UNSUP; /* RLIKE is Lucene RegExp, not the rule's PCRE */
    }
    if (n->op == Q_EMPTY) {
        rh_buf_printf(e->out, "COALESCE(%s, \"\") == \"\"", f);
        return QL_EXACT;
    }
    if (n->field == QF_PID) {
        return pid_leaf(e, f, n, " == ");
    }
    sh = query_shape(&n->pat, &lo, &hi);
    if (sh == QS_ANY) {
        rh_buf_printf(e->out, "%s IS NOT NULL", f);
        return QL_EXACT;
    }
    if (n->cased) {
        rh_buf_printf(e->out, "COALESCE(%s, \"\")", f);
    } else {
        rh_buf_printf(e->out, "TO_LOWER(COALESCE(%s, \"\"))", f);
    }
    if (sh == QS_EXACT && !query_pat_has_ctl(&n->pat)) {
        for (i = 0; i < n->pat.n; i++) {
            rh_buf_putc(&pat, (char)(n->cased ? n->pat.b[i] : lower(n->pat.b[i])));
        }
        rh_buf_lit(e->out, " == \"");
    } else {
        for (i = 0; i < n->pat.n; i++) {
            uint8_t c = n->cased ? n->pat.b[i] : lower(n->pat.b[i]);
            if (n->pat.w[i] == QW_STAR) {
                rh_buf_putc(&pat, '*');
            } else if (n->pat.w[i] == QW_QMARK) {
                rh_buf_putc(&pat, '?');
            } else if (c < 0x20 || c == 0x7f) {
                rh_buf_putc(&pat, '?'); /* one character: the control byte or another */
                approx = 1;
            } else {
                if (c == '\\' || c == '*' || c == '?') {
                    rh_buf_putc(&pat, '\\');
                }
                rh_buf_putc(&pat, (char)c);
            }
        }
        rh_buf_lit(e->out, " LIKE \"");
    }
    es_escape(e->out, pat.data ? pat.data : "", pat.len);
    rh_buf_putc(e->out, '"');
    rh_buf_fail(e->out, rh_buf_status(&pat));
    rh_buf_free(&pat);
    return approx ? QL_APPROX : QL_EXACT;
}

static rh_status esql_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                           const char *expr, size_t n)
{
    (void)be;
    (void)used;
    (void)events;
    rh_buf_lit(out, "FROM logs-*\n| WHERE event.category == \"registry\" AND ");
    rh_buf_append(out, expr, n);
    return rh_buf_lit(out, "\n| KEEP @timestamp, host.name, event.type, registry.path, "
                           "registry.data.strings, process.executable, user.name\n");
}

/* ---- EQL ------------------------------------------------------------------------------------ */

static int eql_leaf(struct qemit *e, const struct qnode *n, int neg)
{
    const char *f = query_field(e->be, n);
    size_t i, lo, hi;
    int approx = 0;
    enum qshape sh;
    rh_buf tmp = RH_BUF_INIT(e->out->ctx);
    (void)neg;
    if (n->op == Q_REGEX) {
        return QL_UNSUP; /* regex~ is Lucene RegExp, not the rule's PCRE */
    }
    if (n->op == Q_EMPTY) {
        rh_buf_printf(e->out, "(%s == null or %s == \"\")", f, f);
        return QL_EXACT;
    }
    if (n->field == QF_PID) {
        return pid_leaf(e, f, n, " == ");
    }
    sh = query_shape(&n->pat, &lo, &hi);
    if (sh == QS_ANY) {
        rh_buf_printf(e->out, "%s != null", f);
        return QL_EXACT;
    }
    if (!query_pat_has_ctl(&n->pat) && !query_pat_has_lit(&n->pat, "*?")) {
        for (i = 0; i < n->pat.n; i++) {
            rh_buf_putc(&tmp, (char)(n->pat.w[i] == QW_STAR    ? '*'
                                     : n->pat.w[i] == QW_QMARK ? '?'
                                                               : n->pat.b[i]));
        }
        if (!n->cased) {
            rh_buf_printf(e->out, "%s : \"", f);
        } else {
            rh_buf_printf(e->out, "%s %s \"", f, sh == QS_EXACT ? "==" : "like");
        }
    } else {
        query_regex_lucene(&tmp, &n->pat, 0, &approx);
        rh_buf_printf(e->out, "%s %s \"", f, n->cased ? "regex" : "regex~");
    }
    es_escape(e->out, tmp.data ? tmp.data : "", tmp.len);
    rh_buf_putc(e->out, '"');
    rh_buf_fail(e->out, rh_buf_status(&tmp));
    rh_buf_free(&tmp);
    return approx ? QL_APPROX : QL_EXACT;
}

static void ecs_types(rh_buf *out, unsigned events, const char *open, const char *sep)
{
    int first = 1;
    rh_buf_puts(out, open);
    if (events & (QE_SET | QE_RENAME)) {
        rh_buf_lit(out, "\"change\"");
        first = 0;
    }
    if (events & QE_ADD) {
        rh_buf_printf(out, "%s\"creation\"", first ? "" : sep);
        first = 0;
    }
    if (events & QE_DELETE) {
        rh_buf_printf(out, "%s\"deletion\"", first ? "" : sep);
    }
    rh_buf_putc(out, ')');
}

static rh_status eql_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                          const char *expr, size_t n)
{
    (void)be;
    (void)used;
    rh_buf_lit(out, "registry where ");
    ecs_types(out, events, "event.type in (", ", ");
    rh_buf_lit(out, " and ");
    rh_buf_append(out, expr, n);
    return rh_buf_putc(out, '\n');
}

/* ---- Lucene --------------------------------------------------------------------------------- */

static int lucene_leaf(struct qemit *e, const struct qnode *n, int neg)
{
    const char *f = query_field(e->be, n);
    size_t lo, hi;
    int approx = 0;
    enum qshape sh;
    (void)neg;
    if (n->op == Q_REGEX) {
        return QL_UNSUP;
    }
    if (n->op == Q_EMPTY) {
        rh_buf_printf(e->out, "(NOT _exists_:%s OR %s:\"\")", f, f);
        return QL_EXACT;
    }
    if (n->field == QF_PID) {
        return pid_leaf(e, f, n, ":");
    }
    sh = query_shape(&n->pat, &lo, &hi);
    if (sh == QS_ANY) {
        rh_buf_printf(e->out, "_exists_:%s", f);
        return QL_EXACT;
    }
    if (n->pat.n == 0) {
        rh_buf_printf(e->out, "%s:\"\"", f);
        return QL_EXACT;
    }
    rh_buf_printf(e->out, "%s:/", f);
    query_regex_lucene(e->out, &n->pat, !n->cased, &approx);
    rh_buf_putc(e->out, '/');
    return approx ? QL_APPROX : QL_EXACT;
}

static rh_status lucene_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                             const char *expr, size_t n)
{
    (void)be;
    (void)used;
    rh_buf_lit(out, "event.category:registry AND ");
    ecs_types(out, events, "event.type:(", " OR ");
    rh_buf_lit(out, " AND ");
    rh_buf_append(out, expr, n);
    return rh_buf_putc(out, '\n');
}

/* Sysmon EventType -> ECS event.type */
static const char *const *ecs_event_type(const char *sysmon)
{
    static const char *const change[] = {"change", NULL}, *const creation[] = {"creation", NULL},
                             *const deletion[] = {"deletion", NULL};
    if (rh_ascii_streq(sysmon, "SetValue") || rh_ascii_streq(sysmon, "RenameKey")) {
        return change;
    }
    if (rh_ascii_streq(sysmon, "CreateKey")) {
        return creation;
    }
    if (rh_ascii_streq(sysmon, "DeleteKey") || rh_ascii_streq(sysmon, "DeleteValue")) {
        return deletion;
    }
    return NULL;
}

static const char *const ecs_sw[] = {"HKLM\\SOFTWARE\\", "\\REGISTRY\\MACHINE\\SOFTWARE\\", NULL};
static const char *const ecs_sys[] = {"HKLM\\SYSTEM\\", "\\REGISTRY\\MACHINE\\SYSTEM\\", NULL};
static const char *const ecs_user[] = {"HKEY_USERS\\*\\", "HKU\\*\\", "\\REGISTRY\\USER\\*\\",
                                       NULL};
static const char *const ecs_classes[] = {"HKEY_USERS\\*_Classes\\",
                                          "HKEY_USERS\\*\\SOFTWARE\\Classes\\",
                                          "HKU\\*_Classes\\",
                                          "HKU\\*\\SOFTWARE\\Classes\\",
                                          "\\REGISTRY\\USER\\*_Classes\\",
                                          "\\REGISTRY\\USER\\*\\SOFTWARE\\Classes\\",
                                          NULL};

#define ECS_FIELDS                                                                                 \
    {                                                                                              \
        "registry.path", NULL, "registry.value", "registry.data.strings", "process.executable",    \
            NULL, "user.name", "process.pid", "process.entity_id", NULL                            \
    }
#define ECS_HIVES                                                                                  \
    {                                                                                              \
        ecs_sw, ecs_sys, ecs_user, ecs_classes                                                     \
    }

const struct qbackend query_be_esql = {
    RH_QB_ESQL, "esql",
    "esql",     "Elastic: ECS registry events (Elastic Defend, Winlogbeat Sysmon), ES|QL",
    1,          0,
    ECS_FIELDS, ECS_HIVES,
    " AND ",    " OR ",
    "NOT (",    ")",
    "true",     "false",
    es_escape,  slash_comment,
    esql_leaf,  eql_exact,
    esql_wrap,  NULL,
};

const struct qbackend query_be_eql = {
    RH_QB_EQL,  "eql",
    "eql",      "Elastic: ECS registry events (Elastic Defend, Winlogbeat Sysmon), EQL",
    1,          0,
    ECS_FIELDS, ECS_HIVES,
    " and ",    " or ",
    "not (",    ")",
    "true",     "false",
    es_escape,  slash_comment,
    eql_leaf,   eql_exact,
    eql_wrap,   NULL,
};

const struct qbackend query_be_lucene = {
    RH_QB_LUCENE,
    "lucene",
    "lucene",
    "Elastic: ECS registry events (Elastic Defend, Winlogbeat Sysmon), Lucene query string",
    1,
    0,
    ECS_FIELDS,
    ECS_HIVES,
    " AND ",
    " OR ",
    "NOT (",
    ")",
    "_exists_:@timestamp",
    "(NOT _exists_:@timestamp)",
    lucene_escape,
    hash_comment,
    lucene_leaf,
    eql_exact,
    lucene_wrap,
    ecs_event_type,
};
