/*
 * Stack reports (rh_report_stack): the ranked rows of a fleet stack in text, json, jsonl, csv,
 * md and html. Each format escapes with the hunt reports' one function for that format:
 * RH_ESC_TERMINAL (text), report_json_str (json, jsonl), RH_ESC_CSV (csv, formula-safe),
 * report_md_esc (md), RH_ESC_HTML (html: one self-contained page, no script, a CSP that
 * allows nothing but its inline style). The JSON row is the contract of docs/fleet.md.
 */
#include "report_internal.h"

struct stack_format {
    const char *name;
    rh_status (*begin)(struct report *r);
    rh_status (*row)(struct report *r, const rh_stack_row *w);
    rh_status (*end)(struct report *r);
};

static const char *const risk_order_names[RH_RISK_COUNT] = {"Critical", "High", "Medium", "Low",
                                                            "Info"};

static rh_risk risk_at(size_t i)
{
    return (rh_risk)(RH_RISK_CRITICAL - (int)i);
}

static void display_name(const rh_stack_row *w, const char **p, size_t *n)
{
    *p = w->value_name_len ? w->value_name : "(default)";
    *n = w->value_name_len ? w->value_name_len : 9;
}

/* The sample hosts joined by sep into t (raw: the caller escapes). */
static void join_hosts(rh_buf *t, const rh_stack_row *w, const char *sep)
{
    size_t i;
    for (i = 0; i < w->n_sample_hosts; i++) {
        rh_buf_puts(t, i ? sep : "");
        rh_buf_puts(t, w->sample_hosts[i]);
    }
}

/* An ISO 8601 time, nothing when ft is 0 (none). */
static void time_text(rh_buf *o, uint64_t ft)
{
    if (ft) {
        rh_filetime_to_iso(o, ft);
    }
}

/* ---- JSON (json, jsonl) --------------------------------------------------------------- */

static void json_time(rh_buf *o, const char *name, uint64_t ft)
{
    rh_buf_printf(o, ",\"%s\":", name);
    if (!ft) {
        rh_buf_lit(o, "null");
        return;
    }
    rh_buf_putc(o, '"');
    rh_filetime_to_iso(o, ft);
    rh_buf_putc(o, '"');
}

/* The row object of docs/fleet.md, keys in contract order. */
static rh_status json_row(rh_buf *o, const rh_stack_row *w)
{
    size_t i;
    rh_buf_putc(o, '{');
    report_json_field(o, "stack_key", w->stack_key, w->stack_key_len, 1);
    report_json_field(o, "location_id", w->location_id, strlen(w->location_id), 0);
    report_json_field(o, "technique", w->technique, strlen(w->technique), 0);
    report_json_field(o, "value_name", w->value_name, w->value_name_len, 0);
    report_json_field(o, "value_data", w->value_data, w->value_data_len, 0);
    report_json_field(o, "target_path", w->target_path, strlen(w->target_path), 0);
    rh_buf_printf(o, ",\"hosts\":%zu,\"total_hosts\":%zu,\"prevalence\":%.6g,\"max_risk\":\"%s\"",
                  w->hosts, w->total_hosts, w->prevalence, rh_risk_name(w->max_risk));
    rh_buf_lit(o, ",\"risk_counts\":{");
    for (i = 0; i < RH_RISK_COUNT; i++) {
        rh_buf_printf(o, "%s\"%s\":%llu", i ? "," : "", risk_order_names[i],
                      (unsigned long long)w->risk_counts[risk_at(i)]);
    }
    rh_buf_lit(o, "},\"sample_hosts\":[");
    for (i = 0; i < w->n_sample_hosts; i++) {
        if (i) {
            rh_buf_putc(o, ',');
        }
        report_json_str(o, w->sample_hosts[i], strlen(w->sample_hosts[i]));
    }
    rh_buf_putc(o, ']');
    json_time(o, "first_seen", w->first_seen);
    json_time(o, "last_seen", w->last_seen);
    if (!w->verdict) {
        return rh_buf_lit(o, ",\"verdict\":null}");
    }
    report_json_field(o, "verdict", w->verdict, strlen(w->verdict), 0);
    return rh_buf_putc(o, '}');
}

static rh_status nothing(struct report *r)
{
    return rh_buf_status(&r->out);
}

static rh_status jsonl_row(struct report *r, const rh_stack_row *w)
{
    json_row(&r->out, w);
    return rh_buf_putc(&r->out, '\n');
}

static rh_status json_begin(struct report *r)
{
    const rh_stack_stats *s = rh_stack_get_stats(r->stack);
    return rh_buf_printf(&r->out,
                         "{\n\"tool\": \"reghunt\",\n\"schema_version\": 1,\n\"kind\": \"stack\",\n"
                         "\"stats\": {\"files\": %zu, \"files_failed\": %zu, \"lines\": %llu, "
                         "\"findings\": %llu, \"malformed\": %llu, \"dropped\": %llu, "
                         "\"keys\": %zu, \"total_hosts\": %zu, \"rows\": %zu},\n\"rows\": [",
                         s->files, s->files_failed, (unsigned long long)s->lines,
                         (unsigned long long)s->findings, (unsigned long long)s->malformed,
                         (unsigned long long)s->dropped, s->keys, s->total_hosts,
                         rh_stack_count(r->stack));
}

static rh_status json_row_doc(struct report *r, const rh_stack_row *w)
{
    rh_buf_puts(&r->out, r->index ? ",\n" : "\n");
    return json_row(&r->out, w);
}

static rh_status json_end(struct report *r)
{
    return rh_buf_puts(&r->out, r->index ? "\n]\n}\n" : "]\n}\n");
}

/* ---- CSV ---------------------------------------------------------------------------- */

static void csv_cell(rh_buf *o, const char *s, size_t n, int first)
{
    if (!first) {
        rh_buf_putc(o, ',');
    }
    rh_escape_append(o, s ? s : "", s ? n : 0, RH_ESC_CSV);
}

static void csv_cell_s(rh_buf *o, const char *s)
{
    csv_cell(o, s, strlen(s), 0);
}

static rh_status csv_begin(struct report *r)
{
    return rh_buf_puts(&r->out, "rank,score,stack_key,location_id,technique,value_name,value_data,"
                                "target_path,hosts,total_hosts,prevalence,max_risk,critical,high,"
                                "medium,low,info,sample_hosts,first_seen,last_seen,verdict\r\n");
}

static rh_status csv_row(struct report *r, const rh_stack_row *w)
{
    rh_buf *o = &r->out, t = RH_BUF_INIT(r->ctx);
    size_t i;
    rh_buf_printf(&t, "%zu", r->index + 1);
    csv_cell(o, t.data, t.len, 1);
    report_scratch_reset(o, &t);
    rh_buf_printf(&t, "%.3f", w->score);
    csv_cell_s(o, t.data);
    report_scratch_reset(o, &t);
    csv_cell(o, w->stack_key, w->stack_key_len, 0);
    csv_cell_s(o, w->location_id);
    csv_cell_s(o, w->technique);
    csv_cell(o, w->value_name, w->value_name_len, 0);
    csv_cell(o, w->value_data, w->value_data_len, 0);
    csv_cell_s(o, w->target_path);
    rh_buf_printf(&t, "%zu", w->hosts);
    csv_cell_s(o, t.data);
    report_scratch_reset(o, &t);
    rh_buf_printf(&t, "%zu", w->total_hosts);
    csv_cell_s(o, t.data);
    report_scratch_reset(o, &t);
    rh_buf_printf(&t, "%.6g", w->prevalence);
    csv_cell_s(o, t.data);
    report_scratch_reset(o, &t);
    csv_cell_s(o, rh_risk_name(w->max_risk));
    for (i = 0; i < RH_RISK_COUNT; i++) {
        rh_buf_printf(&t, "%llu", (unsigned long long)w->risk_counts[risk_at(i)]);
        csv_cell_s(o, t.data);
        report_scratch_reset(o, &t);
    }
    join_hosts(&t, w, ";");
    csv_cell(o, t.data, t.len, 0);
    report_scratch_reset(o, &t);
    for (i = 0; i < 2; i++) {
        time_text(&t, i ? w->last_seen : w->first_seen);
        csv_cell(o, t.data, t.len, 0);
        report_scratch_reset(o, &t);
    }
    report_scratch_free(o, &t);
    csv_cell(o, w->verdict ? w->verdict : "", w->verdict ? strlen(w->verdict) : 0, 0);
    return rh_buf_lit(o, "\r\n");
}

/* ---- text --------------------------------------------------------------------------- */

static void term(rh_buf *o, const char *s, size_t n)
{
    rh_escape_append(o, s ? s : "", s ? n : 0, RH_ESC_TERMINAL);
}

static void term_s(rh_buf *o, const char *s)
{
    term(o, s, strlen(s));
}

static rh_status text_begin(struct report *r)
{
    const rh_stack_stats *s = rh_stack_get_stats(r->stack);
    rh_buf_printf(&r->out,
                  "Fleet stack: %zu row(s) listed of %zu stack key(s); %zu host(s), %llu "
                  "finding(s) from %zu file(s)",
                  rh_stack_count(r->stack), s->keys, s->total_hosts,
                  (unsigned long long)s->findings, s->files);
    if (s->malformed || s->dropped) {
        rh_buf_printf(&r->out, "; %llu malformed line(s), %llu dropped at a limit",
                      (unsigned long long)s->malformed, (unsigned long long)s->dropped);
    }
    return rh_buf_lit(&r->out, "\nRanked rare-and-risky first (docs/fleet.md).\n");
}

static void text_seen(rh_buf *o, const rh_stack_row *w)
{
    rh_buf_lit(o, "Seen: ");
    if (!w->first_seen) {
        rh_buf_lit(o, "-\n");
        return;
    }
    rh_filetime_to_iso(o, w->first_seen);
    rh_buf_lit(o, " .. ");
    rh_filetime_to_iso(o, w->last_seen);
    rh_buf_putc(o, '\n');
}

static rh_status text_row(struct report *r, const rh_stack_row *w)
{
    rh_buf *o = &r->out;
    const char *np;
    size_t nn, i;
    rh_buf_printf(o, "\n#%zu  %s  hosts %zu/%zu (%.2f%%)  score %.3f\n", r->index + 1,
                  rh_risk_name(w->max_risk), w->hosts, w->total_hosts, w->prevalence * 100.0,
                  w->score);
    rh_buf_lit(o, "Location: ");
    term_s(o, w->location_id);
    rh_buf_lit(o, " (");
    term_s(o, w->technique);
    rh_buf_lit(o, ")\nValue: ");
    display_name(w, &np, &nn);
    term(o, np, nn);
    rh_buf_lit(o, " = \"");
    term(o, w->value_data, w->value_data_len);
    rh_buf_lit(o, "\"\nTarget: ");
    term_s(o, w->target_path[0] ? w->target_path : "-");
    rh_buf_lit(o, "\nStack key: ");
    term(o, w->stack_key, w->stack_key_len);
    rh_buf_lit(o, "\nRisks:");
    for (i = 0; i < RH_RISK_COUNT; i++) {
        if (w->risk_counts[risk_at(i)]) {
            rh_buf_printf(o, " %s %llu", risk_order_names[i],
                          (unsigned long long)w->risk_counts[risk_at(i)]);
        }
    }
    rh_buf_lit(o, "\nHosts: ");
    for (i = 0; i < w->n_sample_hosts; i++) {
        rh_buf_puts(o, i ? ", " : "");
        term_s(o, w->sample_hosts[i]);
    }
    rh_buf_puts(o, w->hosts > w->n_sample_hosts ? ", ...\n" : "\n");
    text_seen(o, w);
    if (w->verdict) {
        rh_buf_printf(o, "Verdict: %s (%zu of %zu host(s) judged)\n", w->verdict, w->verdict_hosts,
                      w->hosts);
    }
    return rh_buf_status(o);
}

/* ---- Markdown ------------------------------------------------------------------------- */

static void md_cell(rh_buf *o, const char *s, size_t n)
{
    rh_buf_putc(o, ' ');
    report_md_esc(o, s, n);
    rh_buf_lit(o, " |");
}

static rh_status md_begin(struct report *r)
{
    const rh_stack_stats *s = rh_stack_get_stats(r->stack);
    rh_buf_printf(&r->out,
                  "# reghunt fleet stack\n\n%zu row(s) listed of %zu stack key(s); %zu host(s), "
                  "%llu finding(s) from %zu file(s), %llu malformed line(s). Ranked "
                  "rare-and-risky first.\n\n",
                  rh_stack_count(r->stack), s->keys, s->total_hosts,
                  (unsigned long long)s->findings, s->files, (unsigned long long)s->malformed);
    return rh_buf_puts(&r->out, "| # | score | max risk | hosts | prevalence | location | "
                                "technique | value name | value data | target | sample hosts | "
                                "verdict |\n"
                                "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

static rh_status md_row(struct report *r, const rh_stack_row *w)
{
    rh_buf *o = &r->out, t = RH_BUF_INIT(r->ctx);
    const char *np;
    size_t nn;
    rh_buf_printf(o, "| %zu | %.3f | %s | %zu/%zu | %.6g |", r->index + 1, w->score,
                  rh_risk_name(w->max_risk), w->hosts, w->total_hosts, w->prevalence);
    md_cell(o, w->location_id, strlen(w->location_id));
    md_cell(o, w->technique, strlen(w->technique));
    display_name(w, &np, &nn);
    md_cell(o, np, nn);
    md_cell(o, w->value_data, w->value_data_len);
    md_cell(o, w->target_path, strlen(w->target_path));
    join_hosts(&t, w, ", ");
    md_cell(o, t.data, t.len);
    report_scratch_free(o, &t);
    md_cell(o, w->verdict ? w->verdict : "", w->verdict ? strlen(w->verdict) : 0);
    return rh_buf_putc(o, '\n');
}

/* ---- HTML ----------------------------------------------------------------------------- */

static void html(rh_buf *o, const char *s, size_t n)
{
    rh_escape_append(o, s ? s : "", s ? n : 0, RH_ESC_HTML);
}

static void html_td(rh_buf *o, const char *cls, const char *s, size_t n)
{
    rh_buf_printf(o, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    html(o, s, n);
    rh_buf_lit(o, "</td>");
}

static rh_status html_begin(struct report *r)
{
    const rh_stack_stats *s = rh_stack_get_stats(r->stack);
    rh_buf *o = &r->out;
    rh_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n"
                   "<meta name=\"generator\" content=\"reghunt\">\n"
                   "<title>reghunt fleet stack</title>\n<style>\n"
                   "body{margin:0;padding:1.2em 2em;font:14px/1.45 system-ui,sans-serif;"
                   "color:#1d2330}\ntable{border-collapse:collapse;width:100%}\n"
                   "th,td{border:1px solid #d9dde5;padding:.25em .5em;text-align:left;"
                   "vertical-align:top;overflow-wrap:anywhere}\nth{background:#f3f5f8}\n"
                   "td.d{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}\n"
                   "td.n{text-align:right}\n</style>\n</head>\n<body>\n"
                   "<h1>reghunt fleet stack</h1>\n");
    rh_buf_printf(o,
                  "<p id=\"stats\">%zu row(s) listed of %zu stack key(s); %zu host(s), %llu "
                  "finding(s) from %zu file(s), %llu malformed line(s). Ranked rare-and-risky "
                  "first.</p>\n",
                  rh_stack_count(r->stack), s->keys, s->total_hosts,
                  (unsigned long long)s->findings, s->files, (unsigned long long)s->malformed);
    return rh_buf_puts(o, "<table id=\"rows\">\n<thead><tr><th>#</th><th>score</th><th>max "
                          "risk</th><th>hosts</th><th>prevalence</th><th>location</th>"
                          "<th>technique</th><th>value name</th><th>value data</th>"
                          "<th>target</th><th>sample hosts</th><th>first seen</th>"
                          "<th>last seen</th><th>verdict</th></tr></thead>\n<tbody>\n");
}

static rh_status html_row(struct report *r, const rh_stack_row *w)
{
    rh_buf *o = &r->out, t = RH_BUF_INIT(r->ctx);
    const char *np;
    size_t nn, i;
    rh_buf_printf(o,
                  "<tr data-risk=\"%d\"><td class=\"n\">%zu</td><td class=\"n\">%.3f</td>"
                  "<td>%s</td><td class=\"n\">%zu/%zu</td><td class=\"n\">%.6g</td>",
                  (int)w->max_risk, r->index + 1, w->score, rh_risk_name(w->max_risk), w->hosts,
                  w->total_hosts, w->prevalence);
    html_td(o, NULL, w->location_id, strlen(w->location_id));
    html_td(o, NULL, w->technique, strlen(w->technique));
    display_name(w, &np, &nn);
    html_td(o, "d", np, nn);
    html_td(o, "d", w->value_data, w->value_data_len);
    html_td(o, "d", w->target_path, strlen(w->target_path));
    join_hosts(&t, w, ", ");
    html_td(o, NULL, t.data, t.len);
    report_scratch_reset(o, &t);
    for (i = 0; i < 2; i++) {
        time_text(&t, i ? w->last_seen : w->first_seen);
        html_td(o, NULL, t.data, t.len);
        report_scratch_reset(o, &t);
    }
    report_scratch_free(o, &t);
    html_td(o, NULL, w->verdict ? w->verdict : "", w->verdict ? strlen(w->verdict) : 0);
    return rh_buf_lit(o, "</tr>\n");
}

static rh_status html_end(struct report *r)
{
    return rh_buf_puts(&r->out, "</tbody>\n</table>\n</body>\n</html>\n");
}

/* ---- the table and the driver ----------------------------------------------------------- */

static const struct stack_format stack_formats[] = {
    {"text", text_begin, text_row, nothing}, {"json", json_begin, json_row_doc, json_end},
    {"jsonl", nothing, jsonl_row, nothing},  {"csv", csv_begin, csv_row, nothing},
    {"md", md_begin, md_row, nothing},       {"html", html_begin, html_row, html_end},
};

#define NSTACK_FORMATS (sizeof(stack_formats) / sizeof(stack_formats[0]))

size_t rh_report_stack_format_count(void)
{
    return NSTACK_FORMATS;
}

const char *rh_report_stack_format_name(size_t i)
{
    return i < NSTACK_FORMATS ? stack_formats[i].name : NULL;
}

/* Row i of the ranking. */
static rh_status stack_item(struct report *r, size_t i)
{
    const struct stack_format *fmt = r->stack_fmt;
    rh_status st = fmt->row(r, rh_stack_at(r->stack, i));
    r->index++;
    return st;
}

rh_status rh_report_stack(rh_ctx *ctx, const char *format, const rh_stack *stack,
                          rh_report_write_fn fn, void *user)
{
    const struct stack_format *fmt = NULL;
    struct report r;
    size_t i;
    if (!ctx || !format || !stack || !fn) {
        return RH_ERR_ARG;
    }
    for (i = 0; i < NSTACK_FORMATS; i++) {
        if (strcmp(stack_formats[i].name, format) == 0) {
            fmt = &stack_formats[i];
        }
    }
    if (!fmt) {
        return RH_ERR_ARG;
    }
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.stack = stack;
    r.stack_fmt = fmt;
    r.fn = fn;
    r.user = user;
    return report_run(&r, fmt->begin, stack_item, rh_stack_count(stack), fmt->end);
}
