/*
 * Timesketch reporter ("timesketch"): JSON Lines that Timesketch imports (message, datetime
 * in ISO 8601, timestamp_desc, plus our fields), one line per key last-write and per event of
 * each listed finding: every registry write event the evidence index holds for the finding's
 * key and value, or, without one, the finding's own event time (a Sigma match on an event).
 * Fields: docs/hunt-output.md "timesketch".
 * Escape: the JSON formats' one function (report_json_str, RH_ESC_JSON).
 */
#include "report_internal.h"

/* Write events listed per finding (the oldest ones; docs/hunt-output.md). */
#define TS_MAX_EVENTS 1000u

/* ,"datetime":"YYYY-MM-DDTHH:MM:SS.ffffff+00:00" (microseconds, the form Timesketch's
 * importer parses). Returns 0 for a time outside years 0000-9999 (nothing written). */
static int ts_datetime(rh_buf *o, uint64_t ft)
{
    rh_buf t = RH_BUF_INIT(o->ctx);
    int ok;
    rh_filetime_to_iso(&t, ft);
    ok = rh_buf_status(&t) == RH_OK && t.len == 28 && t.data[27] == 'Z';
    if (ok) {
        rh_buf_lit(o, ",\"datetime\":\"");
        rh_buf_append(o, t.data, 26);
        rh_buf_lit(o, "+00:00\"");
    }
    report_scratch_free(o, &t);
    return ok;
}

/* The finding's part of every line: chain id, then the finding's JSON fields. */
static rh_status ts_tail(struct report *r, const rh_finding *f, size_t fi)
{
    const rh_hunt_chain *c = rh_hunt_chain_of(r->hunt, fi);
    rh_buf *o = &r->out;
    if (c) {
        report_json_field(o, "chain", c->id, strlen(c->id), 0);
    }
    rh_buf_putc(o, ',');
    report_json_fields(o, f, REPORT_FIELDS_JSON);
    return rh_buf_lit(o, "}\n");
}

/* "<risk> <technique>: <key>\<value> = <data>" */
static rh_status ts_finding_msg(rh_buf *m, const rh_finding *f)
{
    const char *vn;
    size_t vl;
    report_value_name(f, &vn, &vl);
    rh_buf_printf(m, "%s %s %s: ", rh_risk_name(f->risk), f->technique, f->technique_name);
    rh_buf_append(m, f->key_path, f->key_path_len);
    if (f->key_path_len) {
        rh_buf_putc(m, '\\');
    }
    rh_buf_append(m, vn, vl);
    rh_buf_lit(m, " = ");
    return rh_buf_append(m, f->value_data, f->value_data_len);
}

/* One line: {"message":..., "datetime":..., "timestamp_desc":..., extra..., finding...}.
 * extra is already JSON (",\"k\":v..."), or NULL. */
static rh_status ts_line(struct report *r, const rh_finding *f, size_t fi, uint64_t t,
                         const char *desc, const rh_buf *msg, const rh_buf *extra)
{
    rh_buf *o = &r->out;
    size_t mark = o->len;
    rh_buf_lit(o, "{\"message\":");
    report_json_str(o, msg->data ? msg->data : "", msg->len);
    if (!ts_datetime(o, t)) {
        rh_buf_truncate(o, mark);
        return rh_buf_status(o);
    }
    rh_buf_lit(o, ",\"timestamp_desc\":");
    report_json_str(o, desc, strlen(desc));
    if (extra && extra->len) {
        rh_buf_append(o, extra->data, extra->len);
    }
    return ts_tail(r, f, fi);
}

/* Lines for the registry write events of finding f; *n receives how many were written. */
static rh_status ts_writes(struct report *r, const rh_finding *f, size_t fi, size_t *n)
{
    rh_evidence *ev = rh_hunt_evidence(r->hunt);
    rh_buf key = RH_BUF_INIT(r->ctx), val = RH_BUF_INIT(r->ctx), msg = RH_BUF_INIT(r->ctx);
    rh_buf extra = RH_BUF_INIT(r->ctx), desc = RH_BUF_INIT(r->ctx);
    rh_evidence_list wl;
    rh_status st;
    size_t i;
    *n = 0;
    memset(&wl, 0, sizeof(wl));
    if (!ev || !f->key_path_len || memchr(f->key_path, '\0', f->key_path_len)) {
        return RH_OK; /* no index, or a key the index cannot be asked about */
    }
    rh_buf_append(&key, f->key_path, f->key_path_len);
    rh_buf_putc(&key, '\0');
    rh_evidence_text(&val, f->value_name, f->value_name_len);
    rh_buf_putc(&val, '\0');
    st = rh_buf_status(&key) == RH_OK ? rh_buf_status(&val) : rh_buf_status(&key);
    if (st == RH_OK) {
        st = rh_evidence_writes(ev, f->host, key.data, val.data, 0, &wl);
        st = st == RH_ERR_ARG ? RH_OK : st;
    }
    for (i = 0; i < wl.count && st == RH_OK; i++) {
        const rh_evidence_write *w = wl.items[i];
        if (!rh_evidence_write_for_user(w, f->user, f->user_sid)) {
            continue;
        }
        if (*n >= TS_MAX_EVENTS) {
            break;
        }
        rh_buf_reset(&msg);
        rh_buf_reset(&extra);
        rh_buf_reset(&desc);
        rh_buf_printf(&msg, "%s ", rh_evidence_op_name(w->op));
        rh_buf_puts(&msg, w->target ? w->target : "");
        rh_buf_lit(&msg, " by ");
        rh_buf_puts(&msg, w->writer.image ? w->writer.image : "?");
        rh_buf_printf(&msg, " (pid %u)", w->writer.pid);
        if (w->details) {
            rh_buf_lit(&msg, ": ");
            rh_buf_puts(&msg, w->details);
        }
        rh_buf_printf(&desc, "Registry %s event", rh_evidence_op_name(w->op));
        rh_buf_printf(&extra, ",\"event_id\":%u,\"record_id\":%llu", w->event_id,
                      (unsigned long long)w->record_id);
        report_json_field(&extra, "channel", w->channel ? w->channel : "",
                          w->channel ? strlen(w->channel) : 0, 0);
        report_json_field(&extra, "event_source", w->source ? w->source : "",
                          w->source ? strlen(w->source) : 0, 0);
        report_json_field(&extra, "event_process", w->writer.image ? w->writer.image : "",
                          w->writer.image ? strlen(w->writer.image) : 0, 0);
        st = rh_buf_status(&msg) == RH_OK && rh_buf_status(&extra) == RH_OK ? RH_OK : RH_ERR_NOMEM;
        if (st == RH_OK) {
            st = ts_line(r, f, fi, w->time, desc.data ? desc.data : "", &msg, &extra);
        }
        (*n)++;
    }
    rh_evidence_list_free(ev, &wl);
    rh_buf_free(&key);
    rh_buf_free(&val);
    rh_buf_free(&msg);
    rh_buf_free(&extra);
    rh_buf_free(&desc);
    return st;
}

static rh_status ts_begin(struct report *r)
{
    (void)r;
    return RH_OK;
}

static rh_status ts_emit(struct report *r, const rh_finding *f)
{
    rh_buf msg = RH_BUF_INIT(r->ctx);
    rh_status st = RH_OK;
    size_t fi = r->item, nw = 0;
    ts_finding_msg(&msg, f);
    if (f->key_last_write) {
        st = rh_buf_status(&msg);
        st = st == RH_OK
                 ? ts_line(r, f, fi, f->key_last_write, "Registry key last written", &msg, NULL)
                 : st;
    }
    st = st == RH_OK ? ts_writes(r, f, fi, &nw) : st;
    if (st == RH_OK && !nw && f->event_time) {
        st = ts_line(r, f, fi, f->event_time, "Event time", &msg, NULL);
    }
    rh_buf_free(&msg);
    return st != RH_OK ? st : rh_buf_status(&r->out);
}

static rh_status ts_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_timesketch = {"timesketch", ts_begin, ts_emit, ts_end};
