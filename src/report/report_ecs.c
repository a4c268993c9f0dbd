/*
 * ECS reporter ("ecs"): NDJSON, one Elastic Common Schema event per listed finding, ready for
 * Elasticsearch / OpenSearch (bulk or Filebeat/Logstash ndjson), Splunk (INDEXED_EXTRACTIONS
 * = json) or Microsoft Sentinel (custom log table). Field choices, the risk_score mapping and
 * @timestamp rules are documented in docs/hunt-output.md.
 *
 * Escape: report_json_str() (shared with the json format), RH_ESC_JSON inside quotes (", \, control
 * characters, DEL, U+2028/U+2029 as \uXXXX); output is always valid UTF-8 JSON, one object
 * per line (a raw newline can never occur inside a string).
 */
#include <stdlib.h>

#include "report_internal.h"

#define ECS_VERSION "8.11.0"

/* event.risk_score per rh_risk (Info..Critical): Elastic detection-rule severity scores. */
static const int ecs_risk_score[RH_RISK_COUNT] = {0, 21, 47, 73, 99};

static rh_status field_s(rh_buf *o, const char *name, const char *s, int first)
{
    return report_json_field(o, name, s, s ? strlen(s) : 0, first);
}

static rh_status field_time(rh_buf *o, const char *name, uint64_t ft, int first)
{
    rh_buf_printf(o, "%s\"%s\":\"", first ? "" : ",", name);
    rh_filetime_to_iso(o, ft);
    return rh_buf_putc(o, '"');
}

/* ["one"] */
static rh_status field_arr1(rh_buf *o, const char *name, const char *s, size_t n, int first)
{
    rh_buf_printf(o, "%s\"%s\":[", first ? "" : ",", name);
    report_json_str(o, s, n);
    return rh_buf_putc(o, ']');
}

/* The decimal of a number's display text "0x0000002a (42)", or NULL. */
static const char *number_decimal(const rh_finding *f, size_t *n)
{
    const char *open = f->value_data_len ? memchr(f->value_data, '(', f->value_data_len) : NULL;
    const char *end = f->value_data + f->value_data_len, *p;
    if (!open || f->value_data_len < 4 || end[-1] != ')' || strncmp(f->value_data, "0x", 2)) {
        return NULL;
    }
    for (p = open + 1; p < end - 1; p++) {
        if (*p < '0' || *p > '9') {
            return NULL;
        }
    }
    *n = (size_t)(end - 1 - (open + 1));
    return *n ? open + 1 : NULL;
}

/*
 * registry.data.strings as ECS defines it: one string for REG_SZ / REG_EXPAND_SZ / REG_LINK,
 * the items of a REG_MULTI_SZ (display text split at " | "), the decimal for REG_DWORD /
 * REG_DWORD_BIG_ENDIAN / REG_QWORD; omitted for binary and unknown types.
 */
static rh_status data_strings(rh_buf *o, const rh_finding *f)
{
    const char *t = f->value_type, *s = f->value_data;
    size_t n = f->value_data_len;
    if (!strcmp(t, "REG_SZ") || !strcmp(t, "REG_EXPAND_SZ") || !strcmp(t, "REG_LINK")) {
        return field_arr1(o, "strings", s, n, 0);
    }
    if (!strcmp(t, "REG_DWORD") || !strcmp(t, "REG_DWORD_BIG_ENDIAN") || !strcmp(t, "REG_QWORD")) {
        size_t dn = 0;
        const char *d = number_decimal(f, &dn);
        return d ? field_arr1(o, "strings", d, dn, 0) : RH_OK;
    }
    if (strcmp(t, "REG_MULTI_SZ") != 0) {
        return RH_OK;
    }
    rh_buf_lit(o, ",\"strings\":[");
    while (rh_buf_status(o) == RH_OK) {
        const char *e = NULL, *p;
        for (p = s; p + 3 <= s + n; p++) {
            if (p[0] == ' ' && p[1] == '|' && p[2] == ' ') {
                e = p;
                break;
            }
        }
        report_json_str(o, s, e ? (size_t)(e - s) : n);
        if (!e) {
            break;
        }
        n -= (size_t)(e + 3 - s);
        s = e + 3;
        rh_buf_putc(o, ',');
    }
    return rh_buf_putc(o, ']');
}

static rh_status registry(rh_buf *o, const rh_finding *f)
{
    const char *kp = f->key_path, *sep = memchr(kp, '\\', f->key_path_len), *vn;
    size_t hive_len = sep ? (size_t)(sep - kp) : f->key_path_len, vl;
    rh_buf path = RH_BUF_INIT(o->ctx);
    report_value_name(f, &vn, &vl);
    rh_buf_append(&path, kp, f->key_path_len);
    rh_buf_putc(&path, '\\');
    rh_buf_append(&path, vn, vl);
    rh_buf_lit(o, ",\"registry\":{");
    report_json_field(o, "hive", kp, hive_len, 1);
    report_json_field(o, "key", sep ? sep + 1 : "", sep ? f->key_path_len - hive_len - 1 : 0, 0);
    report_json_field(o, "value", vn, vl, 0);
    report_json_field(o, "path", path.data, path.len, 0);
    rh_buf_lit(o, ",\"data\":{");
    field_s(o, "type", f->value_type, 1);
    data_strings(o, f);
    rh_buf_lit(o, "}}");
    report_scratch_free(o, &path);
    return rh_buf_status(o);
}

static rh_status message(rh_buf *o, const rh_finding *f)
{
    rh_buf m = RH_BUF_INIT(o->ctx);
    const char *vn;
    size_t vl;
    report_value_name(f, &vn, &vl);
    rh_buf_printf(&m, "%s persistence (%s %s) on ", rh_risk_name(f->risk), f->technique,
                  f->technique_name);
    rh_buf_puts(&m, f->host);
    rh_buf_lit(&m, ": ");
    rh_buf_append(&m, f->key_path, f->key_path_len);
    rh_buf_putc(&m, '\\');
    rh_buf_append(&m, vn, vl);
    rh_buf_lit(&m, " = ");
    rh_buf_append(&m, f->value_data, f->value_data_len);
    report_json_field(o, "message", m.data, m.len, 0);
    report_scratch_free(o, &m);
    return rh_buf_status(o);
}

static rh_status threat(rh_buf *o, const rh_finding *f)
{
    rh_buf_lit(o, ",\"threat\":{\"framework\":\"MITRE ATT&CK\",\"technique\":{");
    field_arr1(o, "id", f->technique, strlen(f->technique), 1);
    field_arr1(o, "name", f->technique_name, strlen(f->technique_name), 0);
    if (strchr(f->technique, '.')) {
        rh_buf_lit(o, ",\"subtechnique\":{");
        field_arr1(o, "id", f->technique, strlen(f->technique), 1);
        field_arr1(o, "name", f->technique_name, strlen(f->technique_name), 0);
        rh_buf_putc(o, '}');
    }
    return rh_buf_lit(o, "}}");
}

/* reghunt.*: the table's ECS fields (src/hunt/finding_fields.def). */
static rh_status reghunt_fields(rh_buf *o, const rh_finding *f)
{
    rh_buf_lit(o, ",\"reghunt\":{");
    report_json_fields(o, f, REPORT_FIELDS_ECS);
    return rh_buf_putc(o, '}');
}

static rh_status ecs_begin(struct report *r)
{
    (void)r;
    return RH_OK;
}

static rh_status ecs_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    unsigned risk = (unsigned)f->risk <= RH_RISK_CRITICAL ? (unsigned)f->risk : 0;
    /* @timestamp: the correlated event, else the key's last write, else the reference time. */
    uint64_t ts = f->event_time       ? f->event_time
                  : f->key_last_write ? f->key_last_write
                                      : s->reference_time;
    rh_buf_putc(o, '{');
    field_time(o, "@timestamp", ts, 1);
    rh_buf_printf(o,
                  ",\"ecs\":{\"version\":\"" ECS_VERSION "\"}"
                  ",\"event\":{\"kind\":\"alert\",\"category\":[\"registry\"],"
                  "\"module\":\"reghunt\","
                  "\"dataset\":\"reghunt.hunt\",\"risk_score\":%d,"
                  "\"risk_score_norm\":%d,\"severity\":%u}",
                  ecs_risk_score[risk], ecs_risk_score[risk], risk + 1);
    rh_buf_lit(o, ",\"host\":{");
    field_s(o, "name", f->host, 1);
    rh_buf_putc(o, '}');
    if (f->user[0] || f->user_sid[0]) {
        rh_buf_lit(o, ",\"user\":{");
        field_s(o, "name", f->user, 1);
        if (f->user_sid[0]) {
            field_s(o, "id", f->user_sid, 0);
        }
        rh_buf_putc(o, '}');
    }
    registry(o, f);
    if (f->process_executable && f->process_executable[0]) {
        rh_buf_lit(o, ",\"process\":{");
        field_s(o, "executable", f->process_executable, 1);
        rh_buf_putc(o, '}');
    }
    if (f->target_path[0]) {
        rh_buf_lit(o, ",\"file\":{");
        field_s(o, "path", f->target_path, 1);
        rh_buf_putc(o, '}');
    }
    threat(o, f);
    rh_buf_lit(o, ",\"rule\":{");
    field_s(o, "id", f->location_id, 1);
    field_s(o, "name", f->location_id, 0);
    field_s(o, "ruleset", rh_finding_source_name(f->source), 0);
    rh_buf_putc(o, '}');
    message(o, f);
    reghunt_fields(o, f);
    return rh_buf_lit(o, "}\n");
}

static rh_status ecs_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_ecs = {"ecs", ecs_begin, ecs_emit, ecs_end};
