/*
 * Markdown reporter: a summary and one table row per finding.
 * Escape (the only one of this format): RH_ESC_HTML first (& < > " ' as entities, control and
 * bidi characters as visible \xNN / \u{NNNN}), then a backslash before every character
 * Markdown would interpret inside a table cell (| \ ` * _ [ ] ( ) ~ and a leading + - =),
 * so a value can neither break the table nor inject links, images or raw HTML.
 */
#include "report_internal.h"

rh_status report_md_esc(rh_buf *out, const char *s, size_t n)
{
    rh_buf tmp = RH_BUF_INIT(out->ctx);
    size_t i;
    rh_escape_append(&tmp, s ? s : "", s ? n : 0, RH_ESC_HTML);
    for (i = 0; i < tmp.len; i++) {
        char c = tmp.data[i];
        if (strchr("|\\`*_[]()~", c) || (i == 0 && strchr("+-=", c))) {
            rh_buf_putc(out, '\\');
        }
        rh_buf_putc(out, c);
    }
    report_scratch_free(out, &tmp);
    return rh_buf_status(out);
}

static rh_status cell(rh_buf *o, const char *s, size_t n)
{
    rh_buf_lit(o, " ");
    report_md_esc(o, s, n);
    return rh_buf_lit(o, " |");
}

static rh_status cell_s(rh_buf *o, const char *s)
{
    return cell(o, s, s ? strlen(s) : 0);
}

/* Plain text lines (report_plan_text, ...) as a nested Markdown list: the line's leading
 * blanks give its level. Frees t. */
static void md_list(struct report *r, rh_buf *t)
{
    size_t p = 0;
    while (p < t->len && rh_buf_status(&r->out) == RH_OK) {
        const char *nl = memchr(t->data + p, '\n', t->len - p);
        size_t l = nl ? (size_t)(nl - (t->data + p)) : t->len - p;
        size_t ind = 0;
        while (ind < l && t->data[p + ind] == ' ') {
            ind++;
        }
        rh_buf_printf(&r->out, "%*s- ", (int)ind, "");
        report_md_esc(&r->out, t->data + p + ind, l - ind);
        rh_buf_lit(&r->out, "\n");
        p += l + 1;
    }
    rh_buf_lit(&r->out, "\n");
    report_scratch_free(&r->out, t);
}

/* The plan and coverage lines as a nested Markdown list. */
static void md_plan_coverage(struct report *r)
{
    rh_buf t = RH_BUF_INIT(r->ctx);
    rh_buf_lit(&r->out, "## Hunt plan and coverage\n\n");
    report_plan_text(r, &t);
    if (report_has_coverage(r)) {
        report_coverage_text(r, &t);
    }
    md_list(r, &t);
}

/* The rarest persistence of a hunt over several hosts (report_rare). */
static void md_rare(struct report *r)
{
    const rh_hunt_rare *v[REPORT_RARE_TOP];
    size_t i, n = report_rare(r, v);
    if (n == 0) {
        return;
    }
    rh_buf_printf(&r->out,
                  "## Rarest persistence (of %zu hosts)\n\n"
                  "| Rank | Risk | Hosts | Findings | Stack key |\n|---:|---|---:|---:|---|\n",
                  rh_hunt_host_count(r->hunt));
    for (i = 0; i < n && rh_buf_status(&r->out) == RH_OK; i++) {
        rh_buf_printf(&r->out, "| %zu | %s | %zu | %zu |", i + 1, rh_risk_name(v[i]->max_risk),
                      v[i]->hosts, v[i]->findings);
        cell(&r->out, v[i]->example->stack_key, v[i]->example->stack_key_len);
        rh_buf_lit(&r->out, "\n");
    }
    rh_buf_lit(&r->out, "\n");
}

static rh_status md_begin(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf_printf(
        &r->out,
        "# reghunt hunt report %s\n\n"
        "| Hosts | Hives | Hunted | Unreadable | Findings | Listed (min risk %s) | Critical | "
        "High | Medium | Low | Info | Known-good |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n\n",
        s->date, rh_risk_name(r->opts.min_risk), s->hosts, s->hives, s->hives_hunted,
        s->hives_failed, rh_hunt_count(r->hunt), r->listed, s->by_risk[RH_RISK_CRITICAL],
        s->by_risk[RH_RISK_HIGH], s->by_risk[RH_RISK_MEDIUM], s->by_risk[RH_RISK_LOW],
        s->by_risk[RH_RISK_INFO], s->known_good);
    if (report_has_plan(r) || report_has_coverage(r)) {
        md_plan_coverage(r);
    }
    md_rare(r);
    return rh_buf_lit(&r->out, "| Hunt ID | Risk | Confidence | Technique | Host | User | Key | "
                               "Value | Type | Data | Last write | Target | Reasons | "
                               "Recommended action | Hosts | Flags |\n"
                               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---:|---|"
                               "\n");
}

static rh_status md_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    rh_buf tmp = RH_BUF_INIT(r->ctx);
    const char *vn;
    size_t vl;
    rh_buf_lit(o, "|");
    report_value_name(f, &vn, &vl);
    cell_s(o, f->hunt_id);
    cell_s(o, rh_risk_name(f->risk));
    cell_s(o, rh_confidence_name(f->confidence));
    rh_buf_printf(&tmp, "%s %s", f->technique, f->technique_name);
    cell(o, tmp.data, tmp.len);
    cell_s(o, f->host);
    report_scratch_reset(o, &tmp);
    rh_buf_printf(&tmp, "%s%s%s%s", f->user, f->user_sid[0] ? " (" : "", f->user_sid,
                  f->user_sid[0] ? ")" : "");
    cell(o, tmp.data ? tmp.data : "", tmp.len);
    cell(o, f->key_path, f->key_path_len);
    cell(o, vn, vl);
    cell_s(o, f->value_type);
    cell(o, f->value_data, f->value_data_len);
    report_scratch_reset(o, &tmp);
    if (f->key_last_write) {
        rh_filetime_to_iso(&tmp, f->key_last_write);
    }
    cell(o, tmp.data ? tmp.data : "", tmp.len);
    cell_s(o, f->target_path);
    cell_s(o, f->reasons);
    cell_s(o, f->recommended_action);
    report_scratch_reset(o, &tmp);
    rh_buf_printf(&tmp, "%zu/%zu", f->stack_hosts, f->total_hosts);
    cell(o, tmp.data ? tmp.data : "", tmp.len);
    report_scratch_reset(o, &tmp);
    if (f->verdict) {
        rh_buf_printf(&tmp, "verdict:%s ", f->verdict);
    }
    rh_buf_printf(&tmp, "%s%s%s%s%s%s%s%s", f->fusion_state ? "correlation:" : "",
                  f->fusion_state ? f->fusion_state : "", f->fusion_state ? " " : "",
                  f->hidden_name ? "hidden-name " : "", f->deleted ? "deleted " : "",
                  f->from_log_replay ? "from-log-replay " : "",
                  f->known_good & RH_KNOWN_BASELINE ? "baseline " : "",
                  f->known_good & RH_KNOWN_ALLOWLIST ? "allowlist " : "");
    if (tmp.len) {
        rh_buf_truncate(&tmp, tmp.len - 1); /* trailing blank */
    }
    cell(o, tmp.data ? tmp.data : "", tmp.len);
    rh_buf_lit(o, "\n");
    report_scratch_free(o, &tmp);
    return rh_buf_status(o);
}

static rh_status md_end(struct report *r)
{
    if (!r->index) {
        rh_buf_lit(&r->out, "\n_No findings at or above the minimum risk._\n");
    }
    if (report_chains_listed(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        rh_buf_lit(&r->out, "\n## Attack chains\n\n");
        report_chains_text(r, &t);
        md_list(r, &t);
    }
    if (report_has_ti(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        rh_buf_lit(&r->out, "\n## Threat intelligence\n\n");
        report_ti_text(r, &t);
        md_list(r, &t);
    }
    return rh_buf_status(&r->out);
}

const struct report_format report_md = {"md", md_begin, md_emit, md_end};
