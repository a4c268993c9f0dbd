/*
 * Case reports: the runs of a case file and the changes between runs (`reghunt case runs`,
 * `reghunt case diff`), in text (RH_ESC_TERMINAL) and jsonl (report_json_str, RH_ESC_JSON).
 * Every string read from the case file is escaped: the file holds evidence text.
 */
#include "report_internal.h"

static const char *const case_formats[] = {"text", "jsonl"};
#define NCASE_FORMATS (sizeof(case_formats) / sizeof(case_formats[0]))

size_t rh_report_case_format_count(void)
{
    return NCASE_FORMATS;
}

const char *rh_report_case_format_name(size_t i)
{
    return i < NCASE_FORMATS ? case_formats[i] : NULL;
}

static void term(rh_buf *o, const char *s, size_t n)
{
    rh_escape_append(o, s ? s : "", s ? n : 0, RH_ESC_TERMINAL);
}

static void term_s(rh_buf *o, const char *s)
{
    term(o, s, s ? strlen(s) : 0);
}

static rh_status nothing(struct report *r)
{
    return rh_buf_status(&r->out);
}

/* ---- runs ---------------------------------------------------------------------------------- */

static rh_status runs_text_begin(struct report *r)
{
    return rh_buf_printf(&r->out, "%6s  %-20s  %-20s  %6s  %6s  %8s  %s\n", "Run", "Started",
                         "Finished", "Inputs", "Hosts", "Findings", "Command");
}

static rh_status runs_text(struct report *r, size_t i)
{
    const rh_case_run *w = rh_case_run_at(r->kase, i);
    rh_buf *o = &r->out;
    rh_buf_printf(o, "%6lld  ", (long long)w->id);
    term_s(o, w->started);
    rh_buf_lit(o, "  ");
    term_s(o, w->finished);
    rh_buf_printf(o, "  %6llu  %6llu  %8llu  ", (unsigned long long)w->inputs,
                  (unsigned long long)w->hosts, (unsigned long long)w->findings);
    term_s(o, w->command);
    return rh_buf_putc(o, '\n');
}

static rh_status runs_jsonl(struct report *r, size_t i)
{
    const rh_case_run *w = rh_case_run_at(r->kase, i);
    rh_buf *o = &r->out;
    rh_buf_printf(o, "{\"run\":%lld", (long long)w->id);
    report_json_field(o, "started", w->started, strlen(w->started), 0);
    report_json_field(o, "finished", w->finished, strlen(w->finished), 0);
    report_json_field(o, "command", w->command, strlen(w->command), 0);
    report_json_field(o, "tool", w->tool, strlen(w->tool), 0);
    return rh_buf_printf(o, ",\"inputs\":%llu,\"hosts\":%llu,\"findings\":%llu}\n",
                         (unsigned long long)w->inputs, (unsigned long long)w->hosts,
                         (unsigned long long)w->findings);
}

/* ---- diff ---------------------------------------------------------------------------------- */

static rh_status diff_text_begin(struct report *r)
{
    size_t n = rh_case_change_count(r->kase), i, k[RH_CASE_CHANGE_COUNT] = {0};
    for (i = 0; i < n; i++) {
        k[rh_case_change_at(r->kase, i)->kind]++;
    }
    return rh_buf_printf(&r->out,
                         "Case diff: %zu new, %zu gone, %zu changed; %zu host(s) new, %zu host(s) "
                         "gone\n",
                         k[RH_CASE_NEW], k[RH_CASE_GONE], k[RH_CASE_CHANGED], k[RH_CASE_HOST_NEW],
                         k[RH_CASE_HOST_GONE]);
}

static void value_text(rh_buf *o, const rh_case_change *w)
{
    term(o, w->key_path, w->key_path_len);
    rh_buf_lit(o, "\\");
    if (w->value_name_len) {
        term(o, w->value_name, w->value_name_len);
    } else {
        rh_buf_lit(o, "(default)");
    }
    rh_buf_lit(o, " = \"");
    term(o, w->value_data, w->value_data_len);
    rh_buf_lit(o, "\"");
}

static rh_status diff_text(struct report *r, size_t i)
{
    const rh_case_change *w = rh_case_change_at(r->kase, i);
    const rh_case_change *prev = i ? rh_case_change_at(r->kase, i - 1) : NULL;
    rh_buf *o = &r->out;
    if (!prev || strcmp(prev->host, w->host) != 0 || prev->run_a != w->run_a ||
        prev->run_b != w->run_b) {
        rh_buf_lit(o, "\nHost ");
        term_s(o, w->host);
        rh_buf_printf(o, " (run %lld -> run %lld)\n", (long long)w->run_a, (long long)w->run_b);
    }
    if (w->kind == RH_CASE_HOST_NEW || w->kind == RH_CASE_HOST_GONE) {
        return rh_buf_printf(o, "  %s: hunted in run %lld only\n", rh_case_change_name(w->kind),
                             (long long)(w->kind == RH_CASE_HOST_NEW ? w->run_b : w->run_a));
    }
    rh_buf_printf(o, "  %-7s %-8s ", rh_case_change_name(w->kind), rh_risk_name(w->risk));
    term_s(o, w->location_id);
    rh_buf_lit(o, " ");
    value_text(o, w);
    if (w->kind == RH_CASE_CHANGED) {
        rh_buf_lit(o, "\n          was \"");
        term(o, w->old_value_data, w->old_value_data_len);
        rh_buf_printf(o, "\" (%s", rh_risk_name(w->old_risk));
        if (w->old_fusion_state[0] || w->fusion_state[0]) {
            rh_buf_lit(o, ", correlation ");
            term_s(o, w->old_fusion_state[0] ? w->old_fusion_state : "-");
            rh_buf_lit(o, " -> ");
            term_s(o, w->fusion_state[0] ? w->fusion_state : "-");
        }
        rh_buf_lit(o, ")");
    }
    if (w->verdict[0]) {
        rh_buf_lit(o, "\n          verdict: ");
        term_s(o, w->verdict);
    }
    rh_buf_lit(o, "\n          key: ");
    {
        size_t k;
        /* the KEY of `reghunt case verdict`: host (| as <pipe>) | stack key */
        for (k = 0; w->host[k]; k++) {
            if (w->host[k] == '|') {
                rh_buf_lit(o, "<pipe>");
            } else {
                term(o, w->host + k, 1);
            }
        }
    }
    rh_buf_lit(o, "|");
    term(o, w->stack_key, w->stack_key_len);
    return rh_buf_putc(o, '\n');
}

static rh_status diff_jsonl(struct report *r, size_t i)
{
    const rh_case_change *w = rh_case_change_at(r->kase, i);
    rh_buf *o = &r->out;
    rh_buf_printf(o, "{\"change\":\"%s\",\"run_a\":%lld,\"run_b\":%lld",
                  rh_case_change_name(w->kind), (long long)w->run_a, (long long)w->run_b);
    report_json_field(o, "host", w->host, strlen(w->host), 0);
    if (w->kind == RH_CASE_HOST_NEW || w->kind == RH_CASE_HOST_GONE) {
        return rh_buf_lit(o, "}\n");
    }
    report_json_field(o, "stack_key", w->stack_key, w->stack_key_len, 0);
    report_json_field(o, "location_id", w->location_id, strlen(w->location_id), 0);
    report_json_field(o, "technique", w->technique, strlen(w->technique), 0);
    report_json_field(o, "key_path", w->key_path, w->key_path_len, 0);
    report_json_field(o, "value_name", w->value_name, w->value_name_len, 0);
    report_json_field(o, "value_data", w->value_data, w->value_data_len, 0);
    rh_buf_printf(o, ",\"risk\":\"%s\"", rh_risk_name(w->risk));
    report_json_field(o, "fusion_state", w->fusion_state, strlen(w->fusion_state), 0);
    if (w->kind == RH_CASE_CHANGED) {
        report_json_field(o, "old_value_data", w->old_value_data, w->old_value_data_len, 0);
        rh_buf_printf(o, ",\"old_risk\":\"%s\"", rh_risk_name(w->old_risk));
        report_json_field(o, "old_fusion_state", w->old_fusion_state, strlen(w->old_fusion_state),
                          0);
    }
    if (w->verdict[0]) {
        report_json_field(o, "verdict", w->verdict, strlen(w->verdict), 0);
    } else {
        rh_buf_lit(o, ",\"verdict\":null");
    }
    return rh_buf_lit(o, "}\n");
}

/* ---- drivers ------------------------------------------------------------------------------- */

static rh_status case_run(rh_ctx *ctx, const char *format, const rh_case *c, rh_report_write_fn fn,
                          void *user, rh_status (*begin_text)(struct report *),
                          rh_status (*item_text)(struct report *, size_t),
                          rh_status (*item_jsonl)(struct report *, size_t), size_t n)
{
    struct report r;
    int text;
    if (!ctx || !format || !c || !fn) {
        return RH_ERR_ARG;
    }
    text = strcmp(format, "text") == 0;
    if (!text && strcmp(format, "jsonl") != 0) {
        return RH_ERR_ARG;
    }
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.kase = c;
    r.fn = fn;
    r.user = user;
    return report_run(&r, text ? begin_text : nothing, text ? item_text : item_jsonl, n, nothing);
}

rh_status rh_report_case_runs(rh_ctx *ctx, const char *format, const rh_case *c,
                              rh_report_write_fn fn, void *user)
{
    return case_run(ctx, format, c, fn, user, runs_text_begin, runs_text, runs_jsonl,
                    rh_case_run_count(c));
}

rh_status rh_report_case_diff(rh_ctx *ctx, const char *format, const rh_case *c,
                              rh_report_write_fn fn, void *user)
{
    return case_run(ctx, format, c, fn, user, diff_text_begin, diff_text, diff_jsonl,
                    rh_case_change_count(c));
}
