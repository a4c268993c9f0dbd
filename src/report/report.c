/*
 * The reporter table and the driver: begin, emit each listed finding, end; the buffer is
 * flushed to the sink whenever it grows past REPORT_FLUSH_AT.
 */
#include "report_internal.h"

/* The table: add a format by adding a row (and its report_<name>.c). */
static const struct report_format *const formats[] = {
    &report_text, &report_json, &report_jsonl, &report_csv, &report_md, &report_html, &report_ecs,
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

size_t report_count_listed(const struct report *r)
{
    size_t i, n = 0, total = rh_hunt_count(r->hunt);
    for (i = 0; i < total; i++) {
        n += (size_t)rh_report_listed(rh_hunt_at(r->hunt, i), r->opts.min_risk);
    }
    return n;
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

static rh_status flush(struct report *r, int force)
{
    rh_status st = RH_OK;
    if (r->out.len && (force || r->out.len >= REPORT_FLUSH_AT)) {
        st = r->fn(r->user, r->out.data, r->out.len);
        rh_buf_reset(&r->out);
    }
    return st;
}

rh_status rh_report_write(rh_ctx *ctx, const char *format, const rh_hunt *hunt,
                          const rh_report_opts *opts, rh_report_write_fn fn, void *user)
{
    const struct report_format *fmt = NULL;
    struct report r;
    size_t i, n;
    rh_status st;
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
    if (opts) {
        r.opts = *opts;
    } else {
        r.opts.min_risk = RH_RISK_LOW;
    }
    r.fn = fn;
    r.user = user;
    rh_buf_init(&r.out, ctx);
    r.listed = report_count_listed(&r);
    st = fmt->begin(&r);
    n = rh_hunt_count(hunt);
    for (i = 0; i < n && st == RH_OK; i++) {
        const rh_finding *f = rh_hunt_at(hunt, i);
        if (!rh_report_listed(f, r.opts.min_risk)) {
            continue;
        }
        st = fmt->emit(&r, f);
        r.index++;
        if (st == RH_OK) {
            st = flush(&r, 0);
        }
    }
    if (st == RH_OK) {
        st = fmt->end(&r);
    }
    if (st == RH_OK) {
        st = flush(&r, 1);
    }
    rh_buf_free(&r.out);
    return st;
}
