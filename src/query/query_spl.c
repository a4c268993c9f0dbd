/*
 * Splunk SPL backends: `splunk` (Sysmon 12/13/14 through the Splunk Add-on for Sysmon) and
 * `splunk-cim` (tstats over the CIM Endpoint.Registry data model).
 * Escape (the only one of SPL): inside a double-quoted search term, `\` and `"` take a
 * backslash; control characters become `?`. A search term has no literal `*` and no
 * one-character wildcard: such patterns are widened to `*` (approximations; never in a
 * negated clause, where widening would hide hits).
 */
#include "query_internal.h"

static rh_status spl_escape(rh_buf *out, const char *s, size_t n)
{
    return query_escape_quoted(out, s, n, 0);
}

static rh_status spl_comment(rh_buf *out, const char *text)
{
    rh_buf_lit(out, "```");
    query_comment_text(out, text, "`");
    return rh_buf_lit(out, "```\n");
}

static int spl_exact(const struct qpat *p, int cased)
{
    return !cased && !query_pat_has(p, QW_QMARK) && !query_pat_has_ctl(p) &&
           !query_pat_has_lit(p, "*");
}

static int spl_leaf(struct qemit *e, const struct qnode *n, int neg)
{
    const char *f = query_field(e->be, n);
    size_t i;
    int approx = 0;
    (void)neg;
    if (n->op == Q_REGEX) {
        return QL_UNSUP;
    }
    if (n->op == Q_EMPTY) {
        rh_buf_printf(e->out, "(NOT %s=* OR %s=\"\")", f, f);
        return QL_EXACT;
    }
    rh_buf_printf(e->out, "%s=\"", f);
    for (i = 0; i < n->pat.n; i++) {
        uint8_t c = n->pat.b[i], w = n->pat.w[i];
        if (w == QW_STAR) {
            rh_buf_putc(e->out, '*');
        } else if (w == QW_QMARK || c == '*' || c < 0x20 || c == 0x7f) {
            if (!(i && n->pat.w[i - 1] == QW_STAR)) {
                rh_buf_putc(e->out, '*');
            }
            approx = 1;
        } else {
            spl_escape(e->out, (const char *)&c, 1);
        }
    }
    rh_buf_putc(e->out, '"');
    return approx || n->cased ? QL_APPROX : QL_EXACT;
}

static const char *const sysmon_hklm_sw[] = {"HKLM\\SOFTWARE\\", NULL};
static const char *const sysmon_hklm_sys[] = {"HKLM\\System\\", NULL};
static const char *const sysmon_user[] = {"HKU\\*\\", NULL};
static const char *const sysmon_classes[] = {"HKU\\*_Classes\\", "HKU\\*\\Software\\Classes\\",
                                             NULL};

static rh_status spl_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                          const char *expr, size_t n)
{
    int first = 1;
    (void)be;
    (void)used;
    rh_buf_lit(out,
               "(source=\"WinEventLog:Microsoft-Windows-Sysmon/Operational\" OR "
               "source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\") EventCode IN (");
    if (events & (QE_ADD | QE_DELETE)) {
        rh_buf_lit(out, "12");
        first = 0;
    }
    if (events & QE_SET) {
        rh_buf_puts(out, first ? "13" : ", 13");
        first = 0;
    }
    if (events & QE_RENAME) {
        rh_buf_puts(out, first ? "14" : ", 14");
    }
    rh_buf_lit(out, ") ");
    rh_buf_append(out, expr, n);
    return rh_buf_lit(out,
                      "\n| table _time host EventCode EventType Image User TargetObject Details\n");
}

static rh_status cim_wrap(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                          const char *expr, size_t n)
{
    int first = 1;
    (void)be;
    (void)used;
    rh_buf_lit(out, "| tstats summariesonly=false allow_old_summaries=true count min(_time) as "
                    "firstTime max(_time) as lastTime from datamodel=Endpoint.Registry where "
                    "Registry.action IN (");
    if (events & QE_ADD) {
        rh_buf_lit(out, "\"created\"");
        first = 0;
    }
    if (events & QE_DELETE) {
        rh_buf_puts(out, first ? "\"deleted\"" : ", \"deleted\"");
        first = 0;
    }
    if (events & (QE_SET | QE_RENAME)) {
        rh_buf_puts(out, first ? "\"modified\"" : ", \"modified\"");
    }
    rh_buf_lit(out, ") ");
    rh_buf_append(out, expr, n);
    return rh_buf_lit(out,
                      " by Registry.dest Registry.action Registry.registry_path "
                      "Registry.registry_value_name Registry.registry_value_data "
                      "Registry.process_path Registry.user\n| `drop_dm_object_name(Registry)`\n");
}

static const char *const *cim_event_type(const char *sysmon)
{
    static const char *const created[] = {"created", NULL}, *const deleted[] = {"deleted", NULL},
                             *const modified[] = {"modified", NULL};
    if (rh_ascii_streq(sysmon, "CreateKey")) {
        return created;
    }
    if (rh_ascii_streq(sysmon, "DeleteKey") || rh_ascii_streq(sysmon, "DeleteValue")) {
        return deleted;
    }
    if (rh_ascii_streq(sysmon, "SetValue") || rh_ascii_streq(sysmon, "RenameKey")) {
        return modified;
    }
    return NULL;
}

const struct qbackend query_be_splunk = {
    RH_QB_SPLUNK,
    "splunk",
    "spl",
    "Splunk: Sysmon events 12/13/14 (Splunk Add-on for Sysmon), SPL",
    1,
    1,
    {"TargetObject", NULL, NULL, "Details", "Image", "EventType", "User", "ProcessId",
     "ProcessGuid", NULL},
    {sysmon_hklm_sw, sysmon_hklm_sys, sysmon_user, sysmon_classes},
    " AND ",
    " OR ",
    "NOT ",
    "",
    "(EventCode=*)",
    "(NOT EventCode=*)",
    spl_escape,
    spl_comment,
    spl_leaf,
    spl_exact,
    spl_wrap,
    NULL,
};

const struct qbackend query_be_splunk_cim = {
    RH_QB_SPLUNK_CIM,
    "splunk-cim",
    "cim.spl",
    "Splunk: CIM Endpoint.Registry data model (tstats), SPL",
    1,
    0,
    {"Registry.registry_path", NULL, "Registry.registry_value_name", "Registry.registry_value_data",
     "Registry.process_path", "Registry.action", NULL, "Registry.process_id",
     "Registry.process_guid", NULL},
    {sysmon_hklm_sw, sysmon_hklm_sys, sysmon_user, sysmon_classes},
    " AND ",
    " OR ",
    "NOT ",
    "",
    "(Registry.dest=*)",
    "(NOT Registry.dest=*)",
    spl_escape,
    spl_comment,
    spl_leaf,
    spl_exact,
    cim_wrap,
    cim_event_type,
};
