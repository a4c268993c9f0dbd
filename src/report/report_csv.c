/*
 * CSV reporter (RFC 4180, CRLF line ends, header row). Escape: RH_ESC_CSV, the only escape
 * function of this format: every field quoted, quotes doubled, control and bidi characters
 * made visible, and a leading = + - @ | % TAB CR neutralised with an apostrophe so that a
 * spreadsheet never evaluates a value as a formula (=cmd|' /C calc'!A0).
 */
#include "report_internal.h"

static rh_status esc(rh_buf *out, const char *s, size_t n)
{
    return rh_escape_append(out, s ? s : "", s ? n : 0, RH_ESC_CSV);
}

static rh_status col(rh_buf *o, const char *s, size_t n, int first)
{
    if (!first) {
        rh_buf_putc(o, ',');
    }
    return esc(o, s, n);
}

/* One cell: text as is, a time as ISO 8601, a flag as true/false, known_good as
 * "baseline;allowlist"; an absent optional field is an empty cell. */
static void cell(rh_buf *o, rh_buf *tmp, const struct report_field *v, int first)
{
    const char *names[REPORT_KNOWN_COUNT];
    size_t i, n;
    switch (v->kind) {
    case REPORT_KIND_TIME:
        if (v->present) {
            rh_filetime_to_iso(tmp, v->time);
        }
        break;
    case REPORT_KIND_FLAG:
        rh_buf_puts(tmp, v->u ? "true" : "false");
        break;
    case REPORT_KIND_NUM:
        rh_buf_printf(tmp, "%llu", (unsigned long long)v->num);
        break;
    case REPORT_KIND_KNOWN:
        n = report_known_names(v->u, names);
        for (i = 0; i < n; i++) {
            rh_buf_printf(tmp, "%s%s", i ? ";" : "", names[i]);
        }
        break;
    default:
        col(o, v->s, v->n, first);
        return;
    }
    col(o, tmp->data ? tmp->data : "", tmp->len, first);
    report_scratch_reset(o, tmp);
}

/* The header row: the table's CSV columns in order. */
static rh_status csv_begin(struct report *r)
{
    enum report_field_id ids[REPORT_FIELD_COUNT];
    size_t i, n = report_fields_order(REPORT_FIELDS_CSV, ids);
    for (i = 0; i < n; i++) {
        rh_buf_printf(&r->out, "%s%s", i ? "," : "", report_field_name(ids[i], REPORT_FIELDS_CSV));
    }
    return rh_buf_lit(&r->out, "\r\n");
}

static rh_status csv_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    rh_buf tmp = RH_BUF_INIT(r->ctx);
    enum report_field_id ids[REPORT_FIELD_COUNT];
    size_t i, n = report_fields_order(REPORT_FIELDS_CSV, ids);
    for (i = 0; i < n; i++) {
        struct report_field v;
        report_field_get(f, ids[i], REPORT_FIELDS_CSV, &v);
        cell(o, &tmp, &v, i == 0);
    }
    rh_buf_lit(o, "\r\n");
    report_scratch_free(o, &tmp);
    return rh_buf_status(o);
}

static rh_status csv_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_csv = {"csv", csv_begin, csv_emit, csv_end};
