/*
 * KQL backends: `kql-mde` (Defender for Endpoint DeviceRegistryEvents) and `kql-sentinel`
 * (Sentinel ASIM imRegistry).
 * Escape (the only one of KQL): inside a double-quoted string literal, `\` and `"` take a
 * backslash, newline, carriage return and tab become \n \r \t and other control characters
 * \uNNNN. Wildcards never reach a literal: exact, prefix, suffix and contains patterns use
 * =~ / startswith / endswith / contains (case-insensitive; their _cs forms for `cased`), any
 * other glob becomes `matches regex` over an RE2 expression written by query_regex_re2 (so a
 * trailing backslash before a wildcard stays a literal backslash).
 */
#include "query_internal.h"

static rh_status kql_escape(rh_buf *out, const char *s, size_t n)
{
    return query_escape_quoted(out, s, n, QESC_NAMED_CTL | QESC_U_CTL);
}

static rh_status kql_comment(rh_buf *out, const char *text)
{
    rh_buf_lit(out, "// ");
    query_comment_text(out, text, NULL);
    return rh_buf_putc(out, '\n');
}

static int kql_exact(const struct qpat *p, int cased)
{
    (void)p;
    (void)cased;
    return 1;
}

static void kql_str(rh_buf *out, const uint8_t *b, size_t n)
{
    rh_buf_putc(out, '"');
    kql_escape(out, (const char *)b, n);
    rh_buf_putc(out, '"');
}

/* Regex constructs RE2 lacks (lookaround, back-references, atomic groups, possessives). */
static int re2_lacks(const struct qpat *p)
{
    size_t i;
    for (i = 0; i + 1 < p->n; i++) {
        const uint8_t *b = p->b + i;
        if (b[0] == '\\') {
            if (b[1] >= '1' && b[1] <= '9') {
                return 1;
            }
            i++;
            continue;
        }
        if (b[0] == '(' && b[1] == '?' && i + 2 < p->n &&
            (b[2] == '=' || b[2] == '!' || b[2] == '>' ||
             (b[2] == '<' && i + 3 < p->n && (b[3] == '=' || b[3] == '!')))) {
            return 1;
        }
        if ((b[0] == '*' || b[0] == '+' || b[0] == '?' || b[0] == '}') && b[1] == '+') {
            return 1;
        }
    }
    return 0;
}

static int kql_leaf(struct qemit *e, const struct qnode *n, int neg)
{
    const char *f = query_field(e->be, n);
    size_t lo, hi;
    (void)neg;
    if (n->op == Q_EMPTY) {
        rh_buf_printf(e->out, "isempty(%s)", f);
        return QL_EXACT;
    }
    if (n->field == QF_PID) {
        size_t i;
        if (n->op != Q_MATCH || n->pat.n == 0 || n->pat.n > 18) {
            return QL_UNSUP;
        }
        for (i = 0; i < n->pat.n; i++) {
            if (n->pat.w[i] != QW_LIT || n->pat.b[i] < '0' || n->pat.b[i] > '9') {
                return QL_UNSUP;
            }
        }
        rh_buf_printf(e->out, "%s == %.*s", f, (int)n->pat.n, (const char *)n->pat.b);
        return QL_EXACT;
    }
    if (n->op == Q_REGEX) {
        if (re2_lacks(&n->pat)) {
            return QL_UNSUP;
        }
        rh_buf_printf(e->out, "%s matches regex \"", f);
        if (n->re_flags) {
            rh_buf_printf(e->out, "(?%s%s%s)", (n->re_flags & RH_SIGMA_RE_I) ? "i" : "",
                          (n->re_flags & RH_SIGMA_RE_M) ? "m" : "",
                          (n->re_flags & RH_SIGMA_RE_S) ? "s" : "");
        }
        kql_escape(e->out, (const char *)n->pat.b, n->pat.n);
        rh_buf_putc(e->out, '"');
        return QL_EXACT;
    }
    switch (query_shape(&n->pat, &lo, &hi)) {
    case QS_EXACT:
        if (n->pat.n == 0) {
            rh_buf_printf(e->out, "isempty(%s)", f);
            break;
        }
        rh_buf_printf(e->out, "%s %s ", f, n->cased ? "==" : "=~");
        kql_str(e->out, n->pat.b, n->pat.n);
        break;
    case QS_PREFIX:
        rh_buf_printf(e->out, "%s %s ", f, n->cased ? "startswith_cs" : "startswith");
        kql_str(e->out, n->pat.b + lo, hi - lo);
        break;
    case QS_SUFFIX:
        rh_buf_printf(e->out, "%s %s ", f, n->cased ? "endswith_cs" : "endswith");
        kql_str(e->out, n->pat.b + lo, hi - lo);
        break;
    case QS_CONTAINS:
        rh_buf_printf(e->out, "%s %s ", f, n->cased ? "contains_cs" : "contains");
        kql_str(e->out, n->pat.b + lo, hi - lo);
        break;
    case QS_ANY:
        rh_buf_printf(e->out, "isnotnull(%s)", f);
        break;
    default: {
        rh_buf re = RH_BUF_INIT(e->out->ctx);
        rh_buf_puts(&re, n->cased ? "(?s)^" : "(?is)^");
        query_regex_re2(&re, &n->pat);
        rh_buf_putc(&re, '$');
        rh_buf_printf(e->out, "%s matches regex ", f);
        kql_str(e->out, (const uint8_t *)re.data, re.len);
        rh_buf_fail(e->out, rh_buf_status(&re));
        rh_buf_free(&re);
        break;
    }
    }
    return QL_EXACT;
}

static void kql_in_list(rh_buf *out, const char *col, unsigned events)
{
    int first = 1;
    static const struct {
        unsigned bit;
        const char *name;
    } acts[] = {{QE_ADD, "RegistryKeyCreated"},
                {QE_DELETE, "RegistryKeyDeleted"},
                {QE_DELETE, "RegistryValueDeleted"},
                {QE_SET, "RegistryValueSet"},
                {QE_RENAME, "RegistryKeyRenamed"}};
    size_t i;
    rh_buf_printf(out, "| where %s in (", col);
    for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        if (events & acts[i].bit) {
            rh_buf_printf(out, "%s\"%s\"", first ? "" : ", ", acts[i].name);
            first = 0;
        }
    }
    rh_buf_lit(out, ")\n");
}

/* The columns of a KQL table the wrap names. */
struct kql_table {
    const char *table, *action, *key, *prev_key, *name, *prev_name, *project;
};

static const struct kql_table mde_table = {
    "DeviceRegistryEvents",
    "ActionType",
    "RegistryKey",
    "PreviousRegistryKey",
    "RegistryValueName",
    "PreviousRegistryValueName",
    "Timestamp, DeviceName, ActionType, RegistryKey, RegistryValueName, RegistryValueData, "
    "InitiatingProcessFolderPath, InitiatingProcessCommandLine, InitiatingProcessAccountName"};
static const struct kql_table asim_table = {
    "imRegistry",
    "EventType",
    "RegistryKey",
    "RegistryPreviousKey",
    "RegistryValue",
    "RegistryPreviousValue",
    "TimeGenerated, DvcHostname, EventType, RegistryKey, RegistryValue, RegistryValueData, "
    "ActingProcessName, ActorUsername"};

static rh_status kql_wrap(rh_buf *out, const struct kql_table *t, unsigned events, unsigned used,
                          const char *expr, size_t n)
{
    rh_buf_printf(out, "%s\n", t->table);
    kql_in_list(out, t->action, events);
    if (used & (1u << QF_PATH)) {
        /* Sysmon's TargetObject: key, backslash, value name; deletes keep them in Previous* */
        rh_buf_printf(out,
                      "| extend rh_key = iff(isempty(%s), %s, %s), rh_name = iff(isempty(%s), "
                      "%s, %s)\n",
                      t->key, t->prev_key, t->key, t->name, t->prev_name, t->name);
        rh_buf_lit(out, "| extend TargetObject = iff(isempty(rh_name), rh_key, strcat"
                        "(rh_key, \"\\\\\", rh_name))\n");
    }
    rh_buf_lit(out, "| where ");
    rh_buf_append(out, expr, n);
    return rh_buf_printf(out, "\n| project %s\n", t->project);
}

static rh_status mde_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                          const char *expr, size_t n)
{
    (void)be;
    return kql_wrap(out, &mde_table, events, used, expr, n);
}

static rh_status asim_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                           const char *expr, size_t n)
{
    (void)be;
    return kql_wrap(out, &asim_table, events, used, expr, n);
}

static const char *const *kql_event_type(const char *sysmon)
{
    static const char *const created[] = {"RegistryKeyCreated", NULL},
                             *const delkey[] = {"RegistryKeyDeleted", NULL},
                             *const delval[] = {"RegistryValueDeleted", NULL},
                             *const set[] = {"RegistryValueSet", NULL},
                             *const ren[] = {"RegistryKeyRenamed", NULL};
    if (rh_ascii_streq(sysmon, "CreateKey")) {
        return created;
    }
    if (rh_ascii_streq(sysmon, "DeleteKey")) {
        return delkey;
    }
    if (rh_ascii_streq(sysmon, "DeleteValue")) {
        return delval;
    }
    if (rh_ascii_streq(sysmon, "SetValue")) {
        return set;
    }
    if (rh_ascii_streq(sysmon, "RenameKey")) {
        return ren;
    }
    return NULL;
}

static const char *const mde_sw[] = {"HKEY_LOCAL_MACHINE\\SOFTWARE\\", NULL};
static const char *const mde_sys[] = {"HKEY_LOCAL_MACHINE\\SYSTEM\\", NULL};
static const char *const mde_user[] = {"HKEY_CURRENT_USER\\*\\", "HKEY_USERS\\*\\", NULL};
static const char *const mde_classes[] = {
    "HKEY_CURRENT_USER\\*_Classes\\", "HKEY_CURRENT_USER\\*\\SOFTWARE\\Classes\\",
    "HKEY_USERS\\*_Classes\\", "HKEY_USERS\\*\\SOFTWARE\\Classes\\", NULL};

const struct qbackend query_be_kql_mde = {
    RH_QB_KQL_MDE,
    "kql-mde",
    "mde.kql",
    "Microsoft Defender for Endpoint: DeviceRegistryEvents, KQL (Advanced Hunting)",
    0,
    0,
    {"TargetObject", "RegistryKey", "RegistryValueName", "RegistryValueData",
     "InitiatingProcessFolderPath", "ActionType", "InitiatingProcessAccountName",
     "InitiatingProcessId", NULL, NULL},
    {mde_sw, mde_sys, mde_user, mde_classes},
    " and ",
    " or ",
    "not(",
    ")",
    "true",
    "false",
    kql_escape,
    kql_comment,
    kql_leaf,
    kql_exact,
    mde_wrap,
    kql_event_type,
};

const struct qbackend query_be_kql_sentinel = {
    RH_QB_KQL_SENTINEL,
    "kql-sentinel",
    "sentinel.kql",
    "Microsoft Sentinel: ASIM registry events (imRegistry), KQL",
    0,
    0,
    {"TargetObject", "RegistryKey", "RegistryValue", "RegistryValueData", "ActingProcessName",
     "EventType", "ActorUsername", NULL, "ActingProcessGuid", NULL},
    {mde_sw, mde_sys, mde_user, mde_classes},
    " and ",
    " or ",
    "not(",
    ")",
    "true",
    "false",
    kql_escape,
    kql_comment,
    kql_leaf,
    kql_exact,
    asim_wrap,
    kql_event_type,
};
