/*
 * The reporter table and the driver: begin, emit each listed finding, end; the buffer is
 * flushed to the sink whenever it grows past REPORT_FLUSH_AT.
 */
#include "report_internal.h"

/* The table: add a format by adding a row (and its report_<name>.c). */
static const struct report_format *const formats[] = {
    &report_text, &report_json, &report_jsonl,     &report_csv,        &report_md,
    &report_html, &report_ecs,  &report_navigator, &report_timesketch,
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

size_t rh_report_format_count(void)
{
    return NFORMATS;
}

const char *rh_report_format_name(size_t i)
{
    return i < NFORMATS ? formats[i]->name : NULL;
}

int rh_report_listed(const rh_finding *f, rh_risk min_risk)
{
    return f && (f->risk >= min_risk || f->known_good != 0);
}

int rh_report_listed_opts(const rh_finding *f, const rh_report_opts *opts)
{
    rh_risk min = opts ? opts->min_risk : RH_RISK_LOW;
    if (!rh_report_listed(f, min)) {
        return 0;
    }
    return !(opts && opts->window_only && !f->in_window);
}

size_t report_count_listed(const struct report *r)
{
    size_t i, n = 0, total = rh_hunt_count(r->hunt);
    for (i = 0; i < total; i++) {
        n += (size_t)rh_report_listed_opts(rh_hunt_at(r->hunt, i), &r->opts);
    }
    return n;
}

size_t report_rare(const struct report *r, const rh_hunt_rare *out[REPORT_RARE_TOP])
{
    size_t i, n = 0, total = rh_hunt_rare_count(r->hunt);
    if (rh_hunt_host_count(r->hunt) < 2) {
        return 0;
    }
    for (i = 0; i < total && n < REPORT_RARE_TOP; i++) {
        const rh_hunt_rare *q = rh_hunt_rare_at(r->hunt, i);
        if (q->max_risk >= r->opts.min_risk) {
            out[n++] = q;
        }
    }
    return n;
}

int report_has_plan(const struct report *r)
{
    return r->opts.hypothesis || r->opts.hunt_plan || r->opts.plan_techniques ||
           r->opts.plan_data_sources;
}

int report_has_coverage(const struct report *r)
{
    return rh_hunt_source_count(r->hunt) || rh_hunt_gap_count(r->hunt);
}

int report_has_ti(const struct report *r)
{
    return rh_hunt_ioc(r->hunt) != NULL;
}

rh_status report_ti_text(const struct report *r, rh_buf *o)
{
    const rh_ioc_set *set = rh_hunt_ioc(r->hunt);
    const rh_ioc_stats *is = rh_ioc_get_stats(set);
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    size_t i, n;
    for (i = 0; i < rh_ioc_feed_count(set); i++) {
        const char *name, *fmt;
        size_t k;
        if (rh_ioc_feed_at(set, i, &name, &fmt, &k)) {
            rh_buf_printf(o, "Feed %s (%s): %zu indicator(s)\n", name, fmt, k);
        }
    }
    rh_buf_printf(o,
                  "Indicators: %zu active, %zu expired (listed, not matched), %zu revoked, %zu "
                  "unsupported, %zu invalid, %zu other object(s) ignored\n",
                  is->indicators, is->expired, is->revoked, is->unsupported, is->invalid,
                  is->ignored);
    rh_buf_printf(o, "Matches: %zu finding(s), %zu indicator hit(s)\n", s->ioc_findings,
                  s->ioc_hits);
    n = rh_ioc_expired_count(set);
    for (i = 0; i < n && i < REPORT_TI_EXPIRED && rh_buf_status(o) == RH_OK; i++) {
        const rh_ioc_indicator *e = rh_ioc_expired_at(set, i);
        rh_buf_printf(o, "Expired: %s \"%s\" (%s) valid until ", e->id, e->name, e->source);
        rh_filetime_to_iso(o, e->valid_until);
        rh_buf_printf(o, ": %s\n", e->pattern);
    }
    if (n > REPORT_TI_EXPIRED) {
        rh_buf_printf(o, "Expired: and %zu more\n", n - REPORT_TI_EXPIRED);
    }
    for (i = 0; i < rh_hunt_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        const rh_finding *f = rh_hunt_at(r->hunt, i);
        if (f->threat_intel && rh_report_listed_opts(f, &r->opts)) {
            rh_buf_printf(o, "%s (%s): %s\n", f->hunt_id, rh_risk_name(f->risk), f->threat_intel);
        }
    }
    return rh_buf_status(o);
}

rh_status report_plan_text(const struct report *r, rh_buf *o)
{
    if (r->opts.hypothesis) {
        rh_buf_printf(o, "Hypothesis: %s\n", r->opts.hypothesis);
    }
    if (r->opts.plan_techniques) {
        rh_buf_printf(o, "Techniques: %s\n", r->opts.plan_techniques);
    }
    if (r->opts.plan_data_sources) {
        rh_buf_printf(o, "Planned data sources: %s\n", r->opts.plan_data_sources);
    }
    if (r->opts.hunt_plan) {
        rh_buf_printf(o, "Plan: %s\n", r->opts.hunt_plan);
    }
    return rh_buf_status(o);
}

rh_status report_coverage_text(const struct report *r, rh_buf *o)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    size_t i, n = rh_hunt_source_count(r->hunt);
    const char *host = NULL;
    rh_buf_printf(o,
                  "Searched: %zu knowledge-base locations, %zu Sigma rules, %zu "
                  "hive(s), %llu event(s) from %zu event input(s)\n",
                  s->kb_locations, s->rules, s->hives, (unsigned long long)s->events,
                  s->event_inputs);
    rh_buf_printf(o,
                  "Correlation: %zu confirmed, %zu log-gap, %zu uncovered, %zu gone, "
                  "%zu residue, %zu event-only; %zu Sigma hit(s) on hive state, %zu "
                  "on events; %zu record(s) merged into existing findings\n",
                  s->by_fusion[RH_FUSION_CONFIRMED], s->by_fusion[RH_FUSION_LOG_GAP],
                  s->by_fusion[RH_FUSION_UNCOVERED], s->by_fusion[RH_FUSION_GONE],
                  s->by_fusion[RH_FUSION_RESIDUE], s->by_fusion[RH_FUSION_EVENT_ONLY],
                  s->sigma_state_hits, s->sigma_event_hits, s->merged);
    if (s->sigma_correlations) {
        rh_buf_printf(o,
                      "Sigma correlations: %zu over the logged events, %zu joined existing "
                      "findings\n",
                      s->sigma_correlations, s->correlations_joined);
    }
    if (n) {
        rh_buf_lit(o, "Data sources:\n");
    }
    for (i = 0; i < n && rh_buf_status(o) == RH_OK; i++) {
        const rh_hunt_source *src = rh_hunt_source_at(r->hunt, i);
        if (!host || strcmp(host, src->host) != 0) {
            host = src->host;
            rh_buf_printf(o, "  %s\n", host);
        }
        if (strcmp(src->kind, "hive") == 0) {
            rh_buf_printf(o, "    hive %s: %llu\n", src->name, (unsigned long long)src->count);
        } else {
            rh_buf_printf(o, "    events %s: %llu, ", src->name, (unsigned long long)src->count);
            rh_filetime_to_iso(o, src->first);
            rh_buf_lit(o, " .. ");
            rh_filetime_to_iso(o, src->last);
            rh_buf_lit(o, "\n");
        }
    }
    if (rh_hunt_gap_count(r->hunt)) {
        rh_buf_lit(o, "Coverage gaps:\n");
    }
    for (i = 0; i < rh_hunt_gap_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        rh_buf_printf(o, "  - %s\n", rh_hunt_gap_at(r->hunt, i));
    }
    if ((r->opts.window_only || s->outside_window)) {
        rh_buf_printf(o, "Hunt window: %zu finding(s) outside%s\n", s->outside_window,
                      r->opts.window_only ? " (counted, not listed)" : "");
    }
    return rh_buf_status(o);
}

int report_chain_listed(const struct report *r, const rh_hunt_chain *c)
{
    return c && c->risk >= r->opts.min_risk;
}

size_t report_chains_listed(const struct report *r)
{
    size_t i, n = 0;
    for (i = 0; i < rh_hunt_chain_count(r->hunt); i++) {
        n += (size_t)report_chain_listed(r, rh_hunt_chain_at(r->hunt, i));
    }
    return n;
}

rh_status report_tactics_text(unsigned mask, const char *sep, rh_buf *o)
{
    unsigned t;
    int first = 1;
    for (t = 0; t < RH_TACTIC_COUNT; t++) {
        if (mask & (1u << t)) {
            rh_buf_printf(o, "%s%s", first ? "" : sep, rh_tactic_name((rh_tactic)t));
            first = 0;
        }
    }
    return rh_buf_status(o);
}

/* An event string on one line of the chain text: control and bidi characters made visible
 * (RH_ESC_TERMINAL), so a newline in it cannot start a line of its own; the format's escape
 * still follows. */
static rh_status one_line(rh_buf *o, const char *s)
{
    return rh_escape_append(o, s ? s : "", s ? strlen(s) : 0, RH_ESC_TERMINAL);
}

rh_status report_chains_text(const struct report *r, rh_buf *o)
{
    size_t i, k;
    for (i = 0; i < rh_hunt_chain_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        const rh_hunt_chain *c = rh_hunt_chain_at(r->hunt, i);
        if (!report_chain_listed(r, c)) {
            continue;
        }
        rh_buf_printf(o, "%s ", c->id);
        one_line(o, c->host);
        rh_buf_printf(o, " (risk %s): ", rh_risk_name(c->risk));
        report_tactics_text(c->tactics, " \xE2\x86\x92 ", o);
        rh_buf_lit(o, "\n  root: ");
        one_line(o, c->root_image);
        rh_buf_printf(o, " (pid %u)", c->root_pid);
        if (c->root_start) {
            rh_buf_lit(o, ", started ");
            rh_filetime_to_iso(o, c->root_start);
        }
        if (c->root_command_line) {
            rh_buf_lit(o, "\n  command line: ");
            one_line(o, c->root_command_line);
        }
        rh_buf_printf(o, "\n  activity: %zu process(es), %zu connection(s), %zu file(s)",
                      c->processes, c->connections, c->files);
        if (c->first) {
            rh_buf_lit(o, ", ");
            rh_filetime_to_iso(o, c->first);
            rh_buf_lit(o, " .. ");
            rh_filetime_to_iso(o, c->last);
        }
        rh_buf_printf(o, "\n  findings (%zu):\n", c->nfindings);
        for (k = 0; k < c->nfindings && rh_buf_status(o) == RH_OK; k++) {
            const rh_finding *f = rh_hunt_at(r->hunt, c->findings[k]);
            const char *vn;
            size_t vl;
            rh_buf line = RH_BUF_INIT(r->ctx);
            report_value_name(f, &vn, &vl);
            rh_buf_printf(o, "    %s %s %s ", f->hunt_id, rh_risk_name(f->risk), f->technique);
            rh_buf_append(&line, f->key_path, f->key_path_len);
            rh_buf_putc(&line, '\\');
            rh_buf_append(&line, vn, vl);
            rh_escape_append(o, line.data ? line.data : "", line.len, RH_ESC_TERMINAL);
            report_scratch_free(o, &line);
            rh_buf_lit(o, "\n");
        }
    }
    return rh_buf_status(o);
}

void report_value_name(const rh_finding *f, const char **p, size_t *n)
{
    if (f->value_name_len == 0) {
        *p = "(default)";
        *n = 9;
    } else {
        *p = f->value_name;
        *n = f->value_name_len;
    }
}

void report_scratch_reset(rh_buf *o, rh_buf *tmp)
{
    rh_buf_fail(o, rh_buf_status(tmp));
    rh_buf_reset(tmp);
}

void report_scratch_free(rh_buf *o, rh_buf *tmp)
{
    rh_buf_fail(o, rh_buf_status(tmp));
    rh_buf_free(tmp);
}

static rh_status report_flush(struct report *r, int force)
{
    rh_status st = rh_buf_status(&r->out);
    if (st == RH_OK && r->out.len && (force || r->out.len >= REPORT_FLUSH_AT)) {
        st = r->fn(r->user, r->out.data, r->out.len);
        rh_buf_reset(&r->out);
    }
    return st;
}

rh_status report_run(struct report *r, rh_status (*begin)(struct report *r),
                     rh_status (*item)(struct report *r, size_t i), size_t n,
                     rh_status (*end)(struct report *r))
{
    size_t i;
    rh_status st;
    rh_buf_init(&r->out, r->ctx);
    st = begin(r);
    for (i = 0; i < n && st == RH_OK; i++) {
        st = item(r, i);
        if (st == RH_OK) {
            st = report_flush(r, 0);
        }
    }
    if (st == RH_OK) {
        st = end(r);
    }
    if (st == RH_OK) {
        st = report_flush(r, 1);
    }
    rh_buf_free(&r->out);
    return st;
}

/* Finding i of the hunt, when listed. */
static rh_status hunt_item(struct report *r, size_t i)
{
    const rh_finding *f = rh_hunt_at(r->hunt, i);
    rh_status st;
    if (!rh_report_listed_opts(f, &r->opts)) {
        return RH_OK;
    }
    r->item = i;
    st = r->fmt->emit(r, f);
    r->index++;
    return st;
}

rh_status rh_report_write(rh_ctx *ctx, const char *format, const rh_hunt *hunt,
                          const rh_report_opts *opts, rh_report_write_fn fn, void *user)
{
    const struct report_format *fmt = NULL;
    struct report r;
    size_t i;
    if (!ctx || !format || !hunt || !fn) {
        return RH_ERR_ARG;
    }
    for (i = 0; i < NFORMATS; i++) {
        if (strcmp(formats[i]->name, format) == 0) {
            fmt = formats[i];
        }
    }
    if (!fmt) {
        return RH_ERR_ARG;
    }
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.hunt = hunt;
    r.fmt = fmt;
    if (opts) {
        r.opts = *opts;
    } else {
        r.opts.min_risk = RH_RISK_LOW;
    }
    r.fn = fn;
    r.user = user;
    r.listed = report_count_listed(&r);
    return report_run(&r, fmt->begin, hunt_item, rh_hunt_count(hunt), fmt->end);
}
