/*
 * Text reporter: the hunt report blocks (docs/hunting.md) and a summary table.
 * Escape: RH_ESC_TERMINAL (control characters, DEL, C1 and bidi overrides become visible
 * \xNN / \u{NNNN} escapes), the only escape function of this format.
 */
#include "report_internal.h"

static rh_status esc(rh_buf *out, const char *s, size_t n)
{
    return rh_escape_append(out, s ? s : "", s ? n : 0, RH_ESC_TERMINAL);
}

/* Escape each line of a '\n'-separated text, keeping the line breaks. */
static rh_status esc_lines(rh_buf *out, const char *s, size_t n, const char *indent)
{
    while (n && rh_buf_status(out) == RH_OK) {
        const char *nl = memchr(s, '\n', n);
        size_t l = nl ? (size_t)(nl - s) : n;
        rh_buf_puts(out, indent);
        esc(out, s, l);
        rh_buf_putc(out, '\n');
        s += nl ? l + 1 : l;
        n -= nl ? l + 1 : l;
    }
    return rh_buf_status(out);
}

static rh_status esc_s(rh_buf *out, const char *s)
{
    return esc(out, s, s ? strlen(s) : 0);
}

static rh_status text_begin(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf_printf(&r->out,
                  "reghunt hunt report %s: %zu host(s), %zu hive(s), %zu finding(s) "
                  "listed (min risk %s)\n\n",
                  s->date, s->hosts, s->hives, r->listed, rh_risk_name(r->opts.min_risk));
    if (report_has_plan(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_plan_text(r, &t);
        esc_lines(&r->out, t.data ? t.data : "", t.len, "");
        rh_buf_lit(&r->out, "\n");
        report_scratch_free(&r->out, &t);
    }
    return rh_buf_status(&r->out);
}

static rh_status text_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    const char *vn;
    size_t vl;
    report_value_name(f, &vn, &vl);
    rh_buf_lit(o, "Hunt ID: ");
    esc_s(o, f->hunt_id);
    rh_buf_lit(o, "\nTechnique: ");
    esc_s(o, f->technique);
    rh_buf_lit(o, " (");
    esc_s(o, f->technique_name);
    rh_buf_lit(o, ")\nHost: ");
    esc_s(o, f->host);
    rh_buf_lit(o, "\nUser: ");
    if (!f->user[0] && !f->user_sid[0]) {
        rh_buf_lit(o, "- (machine)");
    } else {
        esc_s(o, f->user[0] ? f->user : "?");
        if (f->user_sid[0]) {
            rh_buf_lit(o, " (");
            esc_s(o, f->user_sid);
            rh_buf_lit(o, ")");
        }
    }
    rh_buf_lit(o, "\nEvidence: ");
    esc(o, f->key_path, f->key_path_len);
    rh_buf_lit(o, "\\");
    esc(o, vn, vl);
    rh_buf_lit(o, " =\n          \"");
    esc(o, f->value_data, f->value_data_len);
    rh_buf_lit(o, "\" (");
    esc_s(o, f->value_type);
    rh_buf_lit(o, "), key last written ");
    if (!f->key_last_write && f->source != RH_FINDING_KB) {
        rh_buf_lit(o, "unknown (not from a hive)");
    } else {
        rh_filetime_to_iso(o, f->key_last_write);
    }
    if (f->target_path[0]) {
        rh_buf_lit(o, "\nTarget: ");
        esc_s(o, f->target_path);
        rh_buf_lit(o, " (");
        esc_s(o, f->path_class);
        rh_buf_lit(o, ")");
    }
    rh_buf_printf(o, "\nRisk Level: %-13sConfidence: %s\nReasons: ", rh_risk_name(f->risk),
                  rh_confidence_name(f->confidence));
    esc_s(o, f->reasons);
    rh_buf_lit(o, "\nRecommended Action: ");
    esc_s(o, f->recommended_action);
    rh_buf_printf(o, "\nPrevalence: %zu of %zu host(s), stack key ", f->stack_hosts,
                  f->total_hosts);
    esc(o, f->stack_key, f->stack_key_len);
    if (f->verdict) {
        rh_buf_lit(o, "\nVerdict: ");
        esc_s(o, f->verdict);
        if (f->verdict_note) {
            rh_buf_lit(o, " (");
            esc_s(o, f->verdict_note);
            rh_buf_lit(o, ")");
        }
    }
    if (f->fusion_state) {
        rh_buf_lit(o, "\nCorrelation: ");
        esc_s(o, f->fusion_state);
        if (f->event_time) {
            rh_buf_lit(o, ", write event ");
            rh_filetime_to_iso(o, f->event_time);
        }
        if (f->process_executable) {
            rh_buf_lit(o, " by ");
            esc_s(o, f->process_executable);
        }
    }
    if (f->evidence && f->evidence_len) {
        rh_buf_lit(o, "\nEvents:\n");
        esc_lines(o, f->evidence, f->evidence_len, "  ");
        if (o->len && o->data[o->len - 1] == '\n') {
            rh_buf_truncate(o, o->len - 1);
        }
    }
    if (f->threat_intel) {
        rh_buf_lit(o, "\nThreat intelligence: ");
        esc_s(o, f->threat_intel);
    }
    rh_buf_lit(o, "\nSource: ");
    esc_s(o, f->source_file);
    if (f->deleted || f->from_log_replay || f->known_good || f->hidden_name) {
        rh_buf_printf(o, "\nFlags:%s%s%s%s%s", f->hidden_name ? " hidden-name" : "",
                      f->deleted ? " deleted" : "", f->from_log_replay ? " from-log-replay" : "",
                      f->known_good & RH_KNOWN_BASELINE ? " known-good(baseline)" : "",
                      f->known_good & RH_KNOWN_ALLOWLIST ? " known-good(allowlist)" : "");
    }
    return rh_buf_lit(o, "\n\n");
}

/* Up to this many hosts / techniques get their own summary row. */
#define SUMMARY_ROWS 256u

struct row {
    const char *name;
    size_t n[RH_RISK_COUNT];
};

static rh_status add_row(struct row *rows, size_t *nrows, const char *name, rh_risk risk)
{
    size_t i;
    for (i = 0; i < *nrows; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            rows[i].n[risk]++;
            return RH_OK;
        }
    }
    if (*nrows >= SUMMARY_ROWS) {
        return RH_ERR_LIMIT;
    }
    memset(&rows[*nrows], 0, sizeof(rows[0]));
    rows[*nrows].name = name;
    rows[*nrows].n[risk]++;
    (*nrows)++;
    return RH_OK;
}

static rh_status print_rows(rh_buf *o, const char *title, const struct row *rows, size_t n)
{
    size_t i;
    rh_buf_printf(o, "  %-40s %8s %6s %6s %6s %6s\n", title, "Critical", "High", "Medium", "Low",
                  "Info");
    for (i = 0; i < n && rh_buf_status(o) == RH_OK; i++) {
        rh_buf name = RH_BUF_INIT(o->ctx);
        esc_s(&name, rows[i].name);
        rh_buf_printf(o, "  %-40s %8zu %6zu %6zu %6zu %6zu\n", name.data ? name.data : "",
                      rows[i].n[4], rows[i].n[3], rows[i].n[2], rows[i].n[1], rows[i].n[0]);
        report_scratch_free(o, &name);
    }
    return rh_buf_status(o);
}

/* The rarest persistence of a hunt over several hosts (report_rare). */
static rh_status text_rare(struct report *r)
{
    const rh_hunt_rare *v[REPORT_RARE_TOP];
    size_t i, n = report_rare(r, v);
    rh_buf *o = &r->out;
    if (n == 0) {
        return rh_buf_status(o);
    }
    rh_buf_printf(o, "\nRarest persistence (rare-and-risky first, of %zu hosts)\n",
                  rh_hunt_host_count(r->hunt));
    rh_buf_printf(o, "  %4s %-8s %5s %8s  %s\n", "Rank", "Risk", "Hosts", "Findings", "Stack key");
    for (i = 0; i < n && rh_buf_status(o) == RH_OK; i++) {
        rh_buf_printf(o, "  %4zu %-8s %5zu %8zu  ", i + 1, rh_risk_name(v[i]->max_risk),
                      v[i]->hosts, v[i]->findings);
        esc(o, v[i]->example->stack_key, v[i]->example->stack_key_len);
        rh_buf_lit(o, "\n");
    }
    return rh_buf_status(o);
}

static rh_status text_end(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    struct row *hosts = rh_calloc(r->ctx, SUMMARY_ROWS, sizeof(*hosts));
    struct row *techs = rh_calloc(r->ctx, SUMMARY_ROWS, sizeof(*techs));
    size_t nh = 0, nt = 0, i, total = rh_hunt_count(r->hunt);
    rh_buf *o = &r->out;
    if (!hosts || !techs) {
        rh_free(r->ctx, hosts);
        rh_free(r->ctx, techs);
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < total; i++) {
        const rh_finding *f = rh_hunt_at(r->hunt, i);
        /* A full table is only truncated, never an error. */
        (void)add_row(hosts, &nh, f->host, f->risk);
        (void)add_row(techs, &nt, f->technique, f->risk);
    }
    if (report_chains_listed(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_chains_text(r, &t);
        rh_buf_lit(o, "Attack chains\n");
        esc_lines(o, t.data ? t.data : "", t.len, "  ");
        rh_buf_lit(o, "\n");
        report_scratch_free(o, &t);
    }
    rh_buf_printf(o,
                  "Summary\n  Hosts: %zu   Hives: %zu (hunted %zu, unreadable %zu)   "
                  "Values scored: %llu\n"
                  "  Findings: %zu total, %zu listed (min risk %s), %zu known-good\n"
                  "  By risk: Critical %zu, High %zu, Medium %zu, Low %zu, Info %zu\n\n",
                  s->hosts, s->hives, s->hives_hunted, s->hives_failed,
                  (unsigned long long)s->values, total, r->listed, rh_risk_name(r->opts.min_risk),
                  s->known_good, s->by_risk[RH_RISK_CRITICAL], s->by_risk[RH_RISK_HIGH],
                  s->by_risk[RH_RISK_MEDIUM], s->by_risk[RH_RISK_LOW], s->by_risk[RH_RISK_INFO]);
    print_rows(o, "Host", hosts, nh);
    rh_buf_lit(o, "\n");
    print_rows(o, "Technique", techs, nt);
    text_rare(r);
    if (report_has_coverage(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_coverage_text(r, &t);
        rh_buf_lit(o, "\nCoverage\n");
        esc_lines(o, t.data ? t.data : "", t.len, "  ");
        report_scratch_free(o, &t);
    }
    if (report_has_ti(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_ti_text(r, &t);
        rh_buf_lit(o, "\nThreat intelligence\n");
        esc_lines(o, t.data ? t.data : "", t.len, "  ");
        report_scratch_free(o, &t);
    }
    rh_free(r->ctx, hosts);
    rh_free(r->ctx, techs);
    return rh_buf_status(o);
}

const struct report_format report_text = {"text", text_begin, text_emit, text_end};
