/*
 * JSON reporters: "json" (one document: hunt metadata, statistics, findings) and "jsonl"
 * (one finding object per line). The schema is in docs/hunt-output.md.
 * Escape: RH_ESC_JSON (quotes, backslash, control characters as \uXXXX, U+2028/2029), the
 * only escape function of these formats; output is always valid UTF-8.
 */
#include "report_internal.h"

/* The one escape function of the JSON formats (json, jsonl, ecs). Every writer below appends
 * to a sticky rh_buf and returns its status. */
rh_status report_json_str(rh_buf *out, const char *s, size_t n)
{
    rh_buf_putc(out, '"');
    rh_escape_append(out, s ? s : "", s ? n : 0, RH_ESC_JSON);
    return rh_buf_putc(out, '"');
}

rh_status report_json_field(rh_buf *o, const char *name, const char *s, size_t n, int first)
{
    rh_buf_printf(o, "%s\"%s\":", first ? "" : ",", name);
    return report_json_str(o, s, n);
}

rh_status report_json_flags_close(rh_buf *o, const rh_finding *f)
{
    return rh_buf_printf(
        o,
        ",\"deleted\":%s,\"from_log_replay\":%s,\"hidden_name\":%s,"
        "\"is_default\":%s,\"known_good\":[%s%s%s]}",
        f->deleted ? "true" : "false", f->from_log_replay ? "true" : "false",
        f->hidden_name ? "true" : "false", f->is_default ? "true" : "false",
        f->known_good & RH_KNOWN_BASELINE ? "\"baseline\"" : "",
        (f->known_good & RH_KNOWN_BASELINE) && (f->known_good & RH_KNOWN_ALLOWLIST) ? "," : "",
        f->known_good & RH_KNOWN_ALLOWLIST ? "\"allowlist\"" : "");
}

static rh_status field_s(rh_buf *o, const char *name, const char *s)
{
    return report_json_field(o, name, s, s ? strlen(s) : 0, 0);
}

/* ,"name":"ISO time" */
static rh_status field_time(rh_buf *o, const char *name, uint64_t ft)
{
    rh_buf_printf(o, ",\"%s\":\"", name);
    rh_filetime_to_iso(o, ft);
    return rh_buf_putc(o, '"');
}

static rh_status json_finding(rh_buf *o, const rh_finding *f)
{
    rh_buf_putc(o, '{');
    report_json_field(o, "hunt_id", f->hunt_id, strlen(f->hunt_id), 1);
    field_s(o, "source", rh_finding_source_name(f->source));
    field_s(o, "technique", f->technique);
    field_s(o, "technique_name", f->technique_name);
    field_s(o, "location_id", f->location_id);
    field_s(o, "host", f->host);
    field_s(o, "user", f->user);
    field_s(o, "user_sid", f->user_sid);
    field_s(o, "source_file", f->source_file);
    field_s(o, "hive", f->hive_kind);
    report_json_field(o, "key_path", f->key_path, f->key_path_len, 0);
    report_json_field(o, "value_name", f->value_name, f->value_name_len, 0);
    field_s(o, "value_type", f->value_type);
    report_json_field(o, "value_data", f->value_data, f->value_data_len, 0);
    if (f->key_last_write) {
        field_time(o, "key_last_write", f->key_last_write);
    } else {
        rh_buf_lit(o, ",\"key_last_write\":null");
    }
    field_s(o, "target_path", f->target_path);
    field_s(o, "path_class", f->path_class);
    field_s(o, "risk", rh_risk_name(f->risk));
    field_s(o, "confidence", rh_confidence_name(f->confidence));
    field_s(o, "reasons", f->reasons);
    field_s(o, "action", rh_action_name(f->action));
    field_s(o, "recommended_action", f->recommended_action);
    if (f->fusion_state) {
        field_s(o, "fusion_state", f->fusion_state);
    }
    if (f->event_time) {
        field_time(o, "event_time", f->event_time);
    }
    if (f->process_executable) {
        field_s(o, "process_executable", f->process_executable);
    }
    if (f->evidence && f->evidence_len) {
        report_json_field(o, "evidence", f->evidence, f->evidence_len, 0);
    }
    if (f->in_window) {
        rh_buf_lit(o, ",\"in_window\":true");
    }
    return report_json_flags_close(o, f);
}

static rh_status opt_field(rh_buf *o, const char *name, const char *v, int first)
{
    if (!v) {
        return rh_buf_printf(o, "%s\"%s\":null", first ? "" : ",", name);
    }
    return report_json_field(o, name, v, strlen(v), first);
}

/* "plan" and "coverage" objects (only when the hunt has a plan / event inputs / rules). */
static rh_status json_plan_coverage(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf *o = &r->out;
    size_t i;
    if (report_has_plan(r)) {
        rh_buf_lit(o, "  \"plan\": {");
        opt_field(o, "hypothesis", r->opts.hypothesis, 1);
        opt_field(o, "techniques", r->opts.plan_techniques, 0);
        opt_field(o, "data_sources", r->opts.plan_data_sources, 0);
        opt_field(o, "text", r->opts.hunt_plan, 0);
        rh_buf_lit(o, "},\n");
    }
    if (!report_has_coverage(r)) {
        return rh_buf_status(o);
    }
    rh_buf_printf(o,
                  "  \"coverage\": {\"kb_locations\":%zu,\"sigma_rules\":%zu,"
                  "\"event_inputs\":%zu,\"event_inputs_unreadable\":%zu,\"events\":%llu,"
                  "\"sigma_state_hits\":%zu,\"sigma_event_hits\":%zu,\"merged\":%zu,"
                  "\"outside_window\":%zu,\"by_fusion\":{\"confirmed\":%zu,\"log-gap\":%zu,"
                  "\"uncovered\":%zu,\"gone\":%zu,\"residue\":%zu,\"event-only\":%zu},"
                  "\"sources\":[",
                  s->kb_locations, s->rules, s->event_inputs, s->event_inputs_failed,
                  (unsigned long long)s->events, s->sigma_state_hits, s->sigma_event_hits,
                  s->merged, s->outside_window, s->by_fusion[RH_FUSION_CONFIRMED],
                  s->by_fusion[RH_FUSION_LOG_GAP], s->by_fusion[RH_FUSION_UNCOVERED],
                  s->by_fusion[RH_FUSION_GONE], s->by_fusion[RH_FUSION_RESIDUE],
                  s->by_fusion[RH_FUSION_EVENT_ONLY]);
    for (i = 0; i < rh_hunt_source_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        const rh_hunt_source *src = rh_hunt_source_at(r->hunt, i);
        rh_buf_puts(o, i ? ",{" : "{");
        report_json_field(o, "host", src->host, strlen(src->host), 1);
        field_s(o, "kind", src->kind);
        field_s(o, "name", src->name);
        rh_buf_printf(o, ",\"count\":%llu", (unsigned long long)src->count);
        if (src->first) {
            field_time(o, "first", src->first);
            field_time(o, "last", src->last);
        }
        rh_buf_putc(o, '}');
    }
    rh_buf_lit(o, "],\"gaps\":[");
    for (i = 0; i < rh_hunt_gap_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        const char *g = rh_hunt_gap_at(r->hunt, i);
        if (i) {
            rh_buf_putc(o, ',');
        }
        report_json_str(o, g, strlen(g));
    }
    return rh_buf_lit(o, "]},\n");
}

static rh_status json_begin(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf_printf(
        &r->out,
        "{\n  \"tool\": \"reghunt\",\n  \"schema_version\": 1,\n  \"hunt_date\": \"%s\",\n"
        "  \"min_risk\": \"%s\",\n  \"stats\": {\"hosts\":%zu,\"hives\":%zu,\"hives_hunted\":%zu,"
        "\"hives_unreadable\":%zu,\"bytes\":%llu,\"keys\":%llu,\"values\":%llu,"
        "\"same_as_current_control_set\":%zu,\"findings\":%zu,\"listed\":%zu,\"known_good\":%zu,"
        "\"by_risk\":{\"Critical\":%zu,\"High\":%zu,\"Medium\":%zu,\"Low\":%zu,\"Info\":%zu}},\n",
        s->date, rh_risk_name(r->opts.min_risk), s->hosts, s->hives, s->hives_hunted,
        s->hives_failed, (unsigned long long)s->bytes, (unsigned long long)s->keys,
        (unsigned long long)s->values, s->same_as_ccs, rh_hunt_count(r->hunt), r->listed,
        s->known_good, s->by_risk[RH_RISK_CRITICAL], s->by_risk[RH_RISK_HIGH],
        s->by_risk[RH_RISK_MEDIUM], s->by_risk[RH_RISK_LOW], s->by_risk[RH_RISK_INFO]);
    json_plan_coverage(r);
    return rh_buf_lit(&r->out, "  \"findings\": [");
}

static rh_status json_emit(struct report *r, const rh_finding *f)
{
    rh_buf_puts(&r->out, r->index ? ",\n    " : "\n    ");
    return json_finding(&r->out, f);
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
    json_finding(&r->out, f);
    return rh_buf_putc(&r->out, '\n');
}

static rh_status jsonl_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_json = {"json", json_begin, json_emit, json_end};
const struct report_format report_jsonl = {"jsonl", jsonl_begin, jsonl_emit, jsonl_end};
