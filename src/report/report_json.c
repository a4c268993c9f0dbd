/*
 * JSON reporters: "json" (one document: hunt metadata, statistics, findings) and "jsonl"
 * (one finding object per line). The schema is in docs/hunt-output.md.
 * Escape: RH_ESC_JSON (quotes, backslash, control characters as \uXXXX, U+2028/2029), the
 * only escape function of these formats; output is always valid UTF-8.
 */
#include "report_internal.h"

static rh_status esc(rh_buf *out, const char *s, size_t n)
{
    rh_status st = rh_buf_putc(out, '"');
    if (st == RH_OK) {
        st = rh_escape_append(out, s ? s : "", s ? n : 0, RH_ESC_JSON);
    }
    return st == RH_OK ? rh_buf_putc(out, '"') : st;
}

static rh_status field(rh_buf *o, const char *name, const char *s, size_t n, int first)
{
    rh_status st = rh_buf_printf(o, "%s\"%s\":", first ? "" : ",", name);
    return st == RH_OK ? esc(o, s, n) : st;
}

static rh_status field_s(rh_buf *o, const char *name, const char *s)
{
    return field(o, name, s, s ? strlen(s) : 0, 0);
}

static rh_status json_finding(rh_buf *o, const rh_finding *f)
{
    rh_status st = rh_buf_putc(o, '{');
    st = st == RH_OK ? field(o, "hunt_id", f->hunt_id, strlen(f->hunt_id), 1) : st;
    st = st == RH_OK ? field_s(o, "source", rh_finding_source_name(f->source)) : st;
    st = st == RH_OK ? field_s(o, "technique", f->technique) : st;
    st = st == RH_OK ? field_s(o, "technique_name", f->technique_name) : st;
    st = st == RH_OK ? field_s(o, "location_id", f->location_id) : st;
    st = st == RH_OK ? field_s(o, "host", f->host) : st;
    st = st == RH_OK ? field_s(o, "user", f->user) : st;
    st = st == RH_OK ? field_s(o, "user_sid", f->user_sid) : st;
    st = st == RH_OK ? field_s(o, "source_file", f->source_file) : st;
    st = st == RH_OK ? field_s(o, "hive", f->hive_kind) : st;
    st = st == RH_OK ? field(o, "key_path", f->key_path, f->key_path_len, 0) : st;
    st = st == RH_OK ? field(o, "value_name", f->value_name, f->value_name_len, 0) : st;
    st = st == RH_OK ? field_s(o, "value_type", f->value_type) : st;
    st = st == RH_OK ? field(o, "value_data", f->value_data, f->value_data_len, 0) : st;
    if (st == RH_OK) {
        if (f->key_last_write) {
            st = rh_buf_lit(o, ",\"key_last_write\":\"");
            st = st == RH_OK ? rh_filetime_to_iso(o, f->key_last_write) : st;
            st = st == RH_OK ? rh_buf_putc(o, '"') : st;
        } else {
            st = rh_buf_lit(o, ",\"key_last_write\":null");
        }
    }
    st = st == RH_OK ? field_s(o, "target_path", f->target_path) : st;
    st = st == RH_OK ? field_s(o, "path_class", f->path_class) : st;
    st = st == RH_OK ? field_s(o, "risk", rh_risk_name(f->risk)) : st;
    st = st == RH_OK ? field_s(o, "confidence", rh_confidence_name(f->confidence)) : st;
    st = st == RH_OK ? field_s(o, "reasons", f->reasons) : st;
    st = st == RH_OK ? field_s(o, "action", rh_action_name(f->action)) : st;
    st = st == RH_OK ? field_s(o, "recommended_action", f->recommended_action) : st;
    st = st == RH_OK
             ? rh_buf_printf(
                   o,
                   ",\"deleted\":%s,\"from_log_replay\":%s,\"hidden_name\":%s,"
                   "\"is_default\":%s,\"known_good\":[%s%s%s]}",
                   f->deleted ? "true" : "false", f->from_log_replay ? "true" : "false",
                   f->hidden_name ? "true" : "false", f->is_default ? "true" : "false",
                   f->known_good & RH_KNOWN_BASELINE ? "\"baseline\"" : "",
                   (f->known_good & RH_KNOWN_BASELINE) && (f->known_good & RH_KNOWN_ALLOWLIST) ? ","
                                                                                               : "",
                   f->known_good & RH_KNOWN_ALLOWLIST ? "\"allowlist\"" : "")
             : st;
    return st;
}

static rh_status json_begin(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    return rh_buf_printf(
        &r->out,
        "{\n  \"tool\": \"reghunt\",\n  \"schema_version\": 1,\n  \"hunt_date\": \"%s\",\n"
        "  \"min_risk\": \"%s\",\n  \"stats\": {\"hosts\":%zu,\"hives\":%zu,\"hives_hunted\":%zu,"
        "\"hives_unreadable\":%zu,\"bytes\":%llu,\"keys\":%llu,\"values\":%llu,"
        "\"same_as_current_control_set\":%zu,\"findings\":%zu,\"listed\":%zu,\"known_good\":%zu,"
        "\"by_risk\":{\"Critical\":%zu,\"High\":%zu,\"Medium\":%zu,\"Low\":%zu,\"Info\":%zu}},\n"
        "  \"findings\": [",
        s->date, rh_risk_name(r->opts.min_risk), s->hosts, s->hives, s->hives_hunted,
        s->hives_failed, (unsigned long long)s->bytes, (unsigned long long)s->keys,
        (unsigned long long)s->values, s->same_as_ccs, rh_hunt_count(r->hunt), r->listed,
        s->known_good, s->by_risk[4], s->by_risk[3], s->by_risk[2], s->by_risk[1], s->by_risk[0]);
}

static rh_status json_emit(struct report *r, const rh_finding *f)
{
    rh_status st = rh_buf_puts(&r->out, r->index ? ",\n    " : "\n    ");
    return st == RH_OK ? json_finding(&r->out, f) : st;
}

static rh_status json_end(struct report *r)
{
    return rh_buf_puts(&r->out, r->index ? "\n  ]\n}\n" : "]\n}\n");
}

static rh_status jsonl_begin(struct report *r)
{
    (void)r;
    return RH_OK;
}

static rh_status jsonl_emit(struct report *r, const rh_finding *f)
{
    rh_status st = json_finding(&r->out, f);
    return st == RH_OK ? rh_buf_putc(&r->out, '\n') : st;
}

static rh_status jsonl_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_json = {"json", json_begin, json_emit, json_end};
const struct report_format report_jsonl = {"jsonl", jsonl_begin, jsonl_emit, jsonl_end};
