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

static rh_status col_s(rh_buf *o, const char *s)
{
    return col(o, s, s ? strlen(s) : 0, 0);
}

static rh_status csv_begin(struct report *r)
{
    return rh_buf_lit(
        &r->out,
        "hunt_id,source,technique,technique_name,location_id,host,user,user_sid,"
        "source_file,hive,key_path,value_name,value_type,value_data,key_last_write,"
        "target_path,path_class,risk,confidence,reasons,action,recommended_action,"
        "deleted,from_log_replay,hidden_name,is_default,known_good,fusion_state,event_time,"
        "process_executable,evidence\r\n");
}

static rh_status csv_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    rh_buf ts = RH_BUF_INIT(r->ctx);
    const char *kg = (f->known_good & RH_KNOWN_BASELINE) && (f->known_good & RH_KNOWN_ALLOWLIST)
                         ? "baseline;allowlist"
                     : f->known_good & RH_KNOWN_BASELINE  ? "baseline"
                     : f->known_good & RH_KNOWN_ALLOWLIST ? "allowlist"
                                                          : "";
    col(o, f->hunt_id, strlen(f->hunt_id), 1);
    col_s(o, rh_finding_source_name(f->source));
    col_s(o, f->technique);
    col_s(o, f->technique_name);
    col_s(o, f->location_id);
    col_s(o, f->host);
    col_s(o, f->user);
    col_s(o, f->user_sid);
    col_s(o, f->source_file);
    col_s(o, f->hive_kind);
    col(o, f->key_path, f->key_path_len, 0);
    col(o, f->value_name, f->value_name_len, 0);
    col_s(o, f->value_type);
    col(o, f->value_data, f->value_data_len, 0);
    if (f->key_last_write) {
        rh_filetime_to_iso(&ts, f->key_last_write);
    }
    col(o, ts.data ? ts.data : "", ts.len, 0);
    col_s(o, f->target_path);
    col_s(o, f->path_class);
    col_s(o, rh_risk_name(f->risk));
    col_s(o, rh_confidence_name(f->confidence));
    col_s(o, f->reasons);
    col_s(o, rh_action_name(f->action));
    col_s(o, f->recommended_action);
    col_s(o, f->deleted ? "true" : "false");
    col_s(o, f->from_log_replay ? "true" : "false");
    col_s(o, f->hidden_name ? "true" : "false");
    col_s(o, f->is_default ? "true" : "false");
    col_s(o, kg);
    col_s(o, f->fusion_state ? f->fusion_state : "");
    report_scratch_reset(o, &ts);
    if (f->event_time) {
        rh_filetime_to_iso(&ts, f->event_time);
    }
    col(o, ts.data ? ts.data : "", ts.len, 0);
    col_s(o, f->process_executable ? f->process_executable : "");
    col(o, f->evidence ? f->evidence : "", f->evidence ? f->evidence_len : 0, 0);
    rh_buf_lit(o, "\r\n");
    report_scratch_free(o, &ts);
    return rh_buf_status(o);
}

static rh_status csv_end(struct report *r)
{
    (void)r;
    return RH_OK;
}

const struct report_format report_csv = {"csv", csv_begin, csv_emit, csv_end};
