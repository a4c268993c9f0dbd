/*
 * Markdown reporter: a summary and one table row per finding.
 * Escape (the only one of this format): RH_ESC_HTML first (& < > " ' as entities, control and
 * bidi characters as visible \xNN / \u{NNNN}), then a backslash before every character
 * Markdown would interpret inside a table cell (| \ ` * _ [ ] ( ) ~ and a leading + - =),
 * so a value can neither break the table nor inject links, images or raw HTML.
 */
#include "report_internal.h"

static rh_status esc(rh_buf *out, const char *s, size_t n)
{
    rh_buf tmp = RH_BUF_INIT(out->ctx);
    rh_status st = rh_escape_append(&tmp, s ? s : "", s ? n : 0, RH_ESC_HTML);
    size_t i;
    for (i = 0; i < tmp.len && st == RH_OK; i++) {
        char c = tmp.data[i];
        if (strchr("|\\`*_[]()~", c) || (i == 0 && strchr("+-=", c))) {
            st = rh_buf_putc(out, '\\');
        }
        if (st == RH_OK) {
            st = rh_buf_putc(out, c);
        }
    }
    rh_buf_free(&tmp);
    return st;
}

static rh_status cell(rh_buf *o, const char *s, size_t n)
{
    rh_status st = rh_buf_lit(o, " ");
    st = st == RH_OK ? esc(o, s, n) : st;
    return st == RH_OK ? rh_buf_lit(o, " |") : st;
}

static rh_status cell_s(rh_buf *o, const char *s)
{
    return cell(o, s, s ? strlen(s) : 0);
}

static rh_status md_begin(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_status st = rh_buf_printf(
        &r->out,
        "# reghunt hunt report %s\n\n"
        "| Hosts | Hives | Hunted | Unreadable | Findings | Listed (min risk %s) | Critical | "
        "High | Medium | Low | Info | Known-good |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n\n",
        s->date, rh_risk_name(r->opts.min_risk), s->hosts, s->hives, s->hives_hunted,
        s->hives_failed, rh_hunt_count(r->hunt), r->listed, s->by_risk[4], s->by_risk[3],
        s->by_risk[2], s->by_risk[1], s->by_risk[0], s->known_good);
    if (st == RH_OK && (report_has_plan(r) || report_has_coverage(r))) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        size_t p = 0;
        st = rh_buf_lit(&r->out, "## Hunt plan and coverage\n\n");
        st = st == RH_OK ? report_plan_text(r, &t) : st;
        st = st == RH_OK && report_has_coverage(r) ? report_coverage_text(r, &t) : st;
        while (st == RH_OK && p < t.len) {
            const char *nl = memchr(t.data + p, '\n', t.len - p);
            size_t l = nl ? (size_t)(nl - (t.data + p)) : t.len - p;
            size_t ind = 0;
            while (ind < l && t.data[p + ind] == ' ') {
                ind++;
            }
            st = rh_buf_printf(&r->out, "%*s- ", (int)ind, "");
            st = st == RH_OK ? esc(&r->out, t.data + p + ind, l - ind) : st;
            st = st == RH_OK ? rh_buf_lit(&r->out, "\n") : st;
            p += l + 1;
        }
        st = st == RH_OK ? rh_buf_lit(&r->out, "\n") : st;
        rh_buf_free(&t);
    }
    if (st == RH_OK) {
        st = rh_buf_lit(&r->out, "| Hunt ID | Risk | Confidence | Technique | Host | User | Key | "
                                 "Value | Type | Data | Last write | Target | Reasons | "
                                 "Recommended action | Flags |\n"
                                 "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    return st;
}

static rh_status md_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    rh_buf tmp = RH_BUF_INIT(r->ctx);
    const char *vn;
    size_t vl;
    rh_status st = rh_buf_lit(o, "|");
    report_value_name(f, &vn, &vl);
    st = st == RH_OK ? cell_s(o, f->hunt_id) : st;
    st = st == RH_OK ? cell_s(o, rh_risk_name(f->risk)) : st;
    st = st == RH_OK ? cell_s(o, rh_confidence_name(f->confidence)) : st;
    if (st == RH_OK) {
        st = rh_buf_printf(&tmp, "%s %s", f->technique, f->technique_name);
    }
    st = st == RH_OK ? cell(o, tmp.data, tmp.len) : st;
    st = st == RH_OK ? cell_s(o, f->host) : st;
    rh_buf_reset(&tmp);
    if (st == RH_OK) {
        st = rh_buf_printf(&tmp, "%s%s%s%s", f->user, f->user_sid[0] ? " (" : "", f->user_sid,
                           f->user_sid[0] ? ")" : "");
    }
    st = st == RH_OK ? cell(o, tmp.data ? tmp.data : "", tmp.len) : st;
    st = st == RH_OK ? cell(o, f->key_path, f->key_path_len) : st;
    st = st == RH_OK ? cell(o, vn, vl) : st;
    st = st == RH_OK ? cell_s(o, f->value_type) : st;
    st = st == RH_OK ? cell(o, f->value_data, f->value_data_len) : st;
    rh_buf_reset(&tmp);
    if (st == RH_OK && f->key_last_write) {
        st = rh_filetime_to_iso(&tmp, f->key_last_write);
    }
    st = st == RH_OK ? cell(o, tmp.data ? tmp.data : "", tmp.len) : st;
    st = st == RH_OK ? cell_s(o, f->target_path) : st;
    st = st == RH_OK ? cell_s(o, f->reasons) : st;
    st = st == RH_OK ? cell_s(o, f->recommended_action) : st;
    rh_buf_reset(&tmp);
    if (st == RH_OK) {
        st = rh_buf_printf(&tmp, "%s%s%s%s%s%s%s%s", f->fusion_state ? "correlation:" : "",
                           f->fusion_state ? f->fusion_state : "", f->fusion_state ? " " : "",
                           f->hidden_name ? "hidden-name " : "", f->deleted ? "deleted " : "",
                           f->from_log_replay ? "from-log-replay " : "",
                           f->known_good & RH_KNOWN_BASELINE ? "baseline " : "",
                           f->known_good & RH_KNOWN_ALLOWLIST ? "allowlist " : "");
    }
    if (st == RH_OK && tmp.len) {
        tmp.len--; /* trailing blank */
    }
    st = st == RH_OK ? cell(o, tmp.data ? tmp.data : "", tmp.len) : st;
    st = st == RH_OK ? rh_buf_lit(o, "\n") : st;
    rh_buf_free(&tmp);
    return st;
}

static rh_status md_end(struct report *r)
{
    return r->index ? RH_OK
                    : rh_buf_lit(&r->out, "\n_No findings at or above the minimum risk._\n");
}

const struct report_format report_md = {"md", md_begin, md_emit, md_end};
