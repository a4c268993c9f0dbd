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

/* One field as JSON (after a comma unless first): text as a string, a time as an ISO 8601
 * string, a flag as true/false, known_good as an array; an absent optional field as its
 * format's table says (omitted or null). Returns 1 when something was written. */
static int json_value(rh_buf *o, const struct report_field *v, int first)
{
    const char *names[REPORT_KNOWN_COUNT];
    size_t i, n;
    if (!v->present && v->absent == REPORT_ABSENT_OMIT) {
        return 0;
    }
    if (!v->present && v->absent == REPORT_ABSENT_JNULL) {
        rh_buf_printf(o, "%s\"%s\":null", first ? "" : ",", v->name);
        return 1;
    }
    switch (v->kind) {
    case REPORT_KIND_TIME:
        rh_buf_printf(o, "%s\"%s\":\"", first ? "" : ",", v->name);
        rh_filetime_to_iso(o, v->time);
        rh_buf_putc(o, '"');
        break;
    case REPORT_KIND_FLAG:
        rh_buf_printf(o, "%s\"%s\":%s", first ? "" : ",", v->name, v->u ? "true" : "false");
        break;
    case REPORT_KIND_NUM:
        rh_buf_printf(o, "%s\"%s\":%llu", first ? "" : ",", v->name, (unsigned long long)v->num);
        break;
    case REPORT_KIND_KNOWN:
        rh_buf_printf(o, "%s\"%s\":[", first ? "" : ",", v->name);
        n = report_known_names(v->u, names);
        for (i = 0; i < n; i++) {
            rh_buf_printf(o, "%s\"%s\"", i ? "," : "", names[i]);
        }
        rh_buf_putc(o, ']');
        break;
    default:
        report_json_field(o, v->name, v->s, v->n, first);
        break;
    }
    return 1;
}

rh_status report_json_fields(rh_buf *o, const rh_finding *f, enum report_fields_format fmt)
{
    enum report_field_id ids[REPORT_FIELD_COUNT];
    size_t i, n = report_fields_order(fmt, ids);
    int first = 1;
    for (i = 0; i < n; i++) {
        struct report_field v;
        report_field_get(f, ids[i], fmt, &v);
        if (json_value(o, &v, first)) {
            first = 0;
        }
    }
    return rh_buf_status(o);
}

static rh_status json_finding(rh_buf *o, const rh_finding *f)
{
    rh_buf_putc(o, '{');
    report_json_fields(o, f, REPORT_FIELDS_JSON);
    return rh_buf_putc(o, '}');
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
                  "\"outside_window\":%zu,\"sigma_correlations\":%zu,\"correlations_joined\":%zu,"
                  "\"by_fusion\":{\"confirmed\":%zu,\"log-gap\":%zu,"
                  "\"uncovered\":%zu,\"gone\":%zu,\"residue\":%zu,\"event-only\":%zu},"
                  "\"sources\":[",
                  s->kb_locations, s->rules, s->event_inputs, s->event_inputs_failed,
                  (unsigned long long)s->events, s->sigma_state_hits, s->sigma_event_hits,
                  s->merged, s->outside_window, s->sigma_correlations, s->correlations_joined,
                  s->by_fusion[RH_FUSION_CONFIRMED], s->by_fusion[RH_FUSION_LOG_GAP],
                  s->by_fusion[RH_FUSION_UNCOVERED], s->by_fusion[RH_FUSION_GONE],
                  s->by_fusion[RH_FUSION_RESIDUE], s->by_fusion[RH_FUSION_EVENT_ONLY]);
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

/* "threat_intelligence": feeds, counters and expired indicators (only with --ioc); the hits
 * are each finding's threat_intel. */
static rh_status json_ti(struct report *r)
{
    const rh_ioc_set *set = rh_hunt_ioc(r->hunt);
    const rh_ioc_stats *is;
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf *o = &r->out;
    size_t i, n;
    if (!set) {
        return RH_OK;
    }
    is = rh_ioc_get_stats(set);
    rh_buf_printf(o,
                  "  \"threat_intelligence\": {\"indicators\":%zu,\"expired\":%zu,\"revoked\":%zu,"
                  "\"unsupported\":%zu,\"invalid\":%zu,\"ignored\":%zu,\"findings_matched\":%zu,"
                  "\"hits\":%zu,\"feeds\":[",
                  is->indicators, is->expired, is->revoked, is->unsupported, is->invalid,
                  is->ignored, s->ioc_findings, s->ioc_hits);
    for (i = 0; i < rh_ioc_feed_count(set) && rh_buf_status(o) == RH_OK; i++) {
        const char *name, *fmt;
        size_t k;
        if (rh_ioc_feed_at(set, i, &name, &fmt, &k)) {
            rh_buf_puts(o, i ? ",{" : "{");
            report_json_field(o, "file", name, strlen(name), 1);
            field_s(o, "format", fmt);
            rh_buf_printf(o, ",\"indicators\":%zu}", k);
        }
    }
    rh_buf_lit(o, "],\"expired_indicators\":[");
    n = rh_ioc_expired_count(set);
    for (i = 0; i < n && i < REPORT_TI_EXPIRED && rh_buf_status(o) == RH_OK; i++) {
        const rh_ioc_indicator *e = rh_ioc_expired_at(set, i);
        rh_buf_puts(o, i ? ",{" : "{");
        report_json_field(o, "id", e->id, strlen(e->id), 1);
        field_s(o, "name", e->name);
        field_s(o, "source", e->source);
        field_s(o, "pattern", e->pattern);
        field_time(o, "valid_until", e->valid_until);
        rh_buf_putc(o, '}');
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
    json_ti(r);
    return rh_buf_lit(&r->out, "  \"findings\": [");
}

static rh_status json_emit(struct report *r, const rh_finding *f)
{
    rh_buf_puts(&r->out, r->index ? ",\n    " : "\n    ");
    return json_finding(&r->out, f);
}

/* ,"chains":[...] (only when the hunt has listed attack chains): docs/hunt-output.md. */
static rh_status json_chains(struct report *r)
{
    rh_buf *o = &r->out;
    size_t i, k;
    int first = 1;
    if (!report_chains_listed(r)) {
        return rh_buf_status(o);
    }
    rh_buf_lit(o, ",\n  \"chains\": [");
    for (i = 0; i < rh_hunt_chain_count(r->hunt) && rh_buf_status(o) == RH_OK; i++) {
        const rh_hunt_chain *c = rh_hunt_chain_at(r->hunt, i);
        unsigned t;
        int tf = 1;
        if (!report_chain_listed(r, c)) {
            continue;
        }
        rh_buf_puts(o, first ? "\n    {" : ",\n    {");
        first = 0;
        report_json_field(o, "id", c->id, strlen(c->id), 1);
        field_s(o, "host", c->host);
        field_s(o, "risk", rh_risk_name(c->risk));
        rh_buf_lit(o, ",\"tactics\":[");
        for (t = 0; t < RH_TACTIC_COUNT; t++) {
            if (c->tactics & (1u << t)) {
                rh_buf_printf(o, "%s\"%s\"", tf ? "" : ",", rh_tactic_id((rh_tactic)t));
                tf = 0;
            }
        }
        rh_buf_lit(o, "],\"root\":{");
        report_json_field(o, "image", c->root_image, strlen(c->root_image), 1);
        rh_buf_printf(o, ",\"pid\":%u", c->root_pid);
        if (c->root_guid) {
            field_s(o, "guid", c->root_guid);
        }
        if (c->root_command_line) {
            field_s(o, "command_line", c->root_command_line);
        }
        if (c->root_start) {
            field_time(o, "start", c->root_start);
        }
        rh_buf_printf(o, "},\"processes\":%zu,\"connections\":%zu,\"files\":%zu", c->processes,
                      c->connections, c->files);
        if (c->first) {
            field_time(o, "first", c->first);
            field_time(o, "last", c->last);
        }
        rh_buf_lit(o, ",\"findings\":[");
        for (k = 0; k < c->nfindings; k++) {
            const rh_finding *f = rh_hunt_at(r->hunt, c->findings[k]);
            rh_buf_printf(o, "%s\"%s\"", k ? "," : "", f->hunt_id);
        }
        rh_buf_lit(o, "]}");
    }
    return rh_buf_lit(o, "\n  ]");
}

static rh_status json_end(struct report *r)
{
    rh_buf_puts(&r->out, r->index ? "\n  ]" : "]");
    json_chains(r);
    return rh_buf_puts(&r->out, "\n}\n");
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

/* With opts.host_lines: one host record per hunted host after the findings, so a consumer
 * (reghunt stack) counts hosts that have no finding listed (docs/hunt-output.md). */
static rh_status jsonl_end(struct report *r)
{
    size_t i, j, total = rh_hunt_count(r->hunt), nh = rh_hunt_host_count(r->hunt);
    if (!r->opts.host_lines) {
        return RH_OK;
    }
    for (i = 0; i < nh && rh_buf_status(&r->out) == RH_OK; i++) {
        const rh_hunt_host *h = rh_hunt_host_at(r->hunt, i);
        size_t listed = 0;
        for (j = 0; j < total && h->findings; j++) {
            const rh_finding *f = rh_hunt_at(r->hunt, j);
            listed += rh_host_eq(f->host, h->name) ? (size_t)rh_report_listed_opts(f, &r->opts) : 0;
        }
        rh_buf_lit(&r->out, "{\"record\":\"host\",");
        report_json_field(&r->out, "host", h->name, strlen(h->name), 1);
        rh_buf_printf(&r->out, ",\"findings\":%zu,\"listed\":%zu,\"total_hosts\":%zu}\n",
                      h->findings, listed, nh);
    }
    return rh_buf_status(&r->out);
}

const struct report_format report_json = {"json", json_begin, json_emit, json_end};
const struct report_format report_jsonl = {"jsonl", jsonl_begin, jsonl_emit, jsonl_end};
