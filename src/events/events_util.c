/*
 * Normalized-event helpers: ISO 8601 parsing, the normalized JSON line (docs/events.md) and
 * the registry path an event refers to (its normalization is the registry view's,
 * src/common/regpath.c).
 */
#include <stdio.h>

#include "common/common.h"
#include "reghunt/evtx.h"

/* ---- registry paths --------------------------------------------------------------------- */

/* A Sysmon-shaped event about a value (event 13, EventType SetValue/DeleteValue), not a key. */
static bool is_value_event(const rh_event *ev)
{
    const rh_event_field *et = rh_event_field_get(ev, "EventType");
    if (ev->event_id == 13) {
        return true;
    }
    return et && et->value &&
           ((et->value_len == 8 && memcmp(et->value, "SetValue", 8) == 0) ||
            (et->value_len == 11 && memcmp(et->value, "DeleteValue", 11) == 0));
}

rh_status rh_event_registry_path(const rh_event *ev, rh_buf *raw, rh_buf *norm)
{
    const rh_event_field *t = rh_event_field_get(ev, "TargetObject");
    const rh_event_field *v = NULL;
    const char *dflt = NULL; /* appended for the default value */
    rh_buf tmp;
    rh_status st;
    if (!t || !t->value_len) {
        t = rh_event_field_get(ev, "ObjectName");
        if (!t || !t->value || !rh_ascii_prefix(t->value, t->value_len, "\\REGISTRY\\")) {
            return RH_NOT_FOUND;
        }
        v = rh_event_field_get(ev, "ObjectValueName");
        if (v && (!v->value || v->value_len == 0 || (v->value_len == 1 && v->value[0] == '-'))) {
            v = NULL;
            dflt = "\\(Default)";
        }
    } else if (t->value_len >= 2 && t->value[t->value_len - 1] == '\\' &&
               t->value[t->value_len - 2] != '\\' && is_value_event(ev)) {
        dflt = "(Default)";
    }
    rh_buf_init(&tmp, raw ? raw->ctx : norm->ctx);
    st = rh_buf_append(&tmp, t->value, t->value_len);
    if (st == RH_OK && v) {
        st = rh_buf_putc(&tmp, '\\');
        if (st == RH_OK) {
            st = rh_buf_append(&tmp, v->value, v->value_len);
        }
    } else if (st == RH_OK && dflt) {
        st = rh_buf_puts(&tmp, dflt);
    }
    if (st == RH_OK && raw) {
        st = rh_buf_append(raw, tmp.data, tmp.len);
    }
    if (st == RH_OK && norm) {
        st = rh_regpath_normalize(tmp.data, tmp.len, norm);
    }
    rh_buf_free(&tmp);
    return st;
}

/* ---- time ----------------------------------------------------------------------------- */

static bool digits(const char *s, size_t len, size_t *pos, unsigned n, unsigned *v)
{
    unsigned i;
    *v = 0;
    for (i = 0; i < n; i++) {
        if (*pos >= len || s[*pos] < '0' || s[*pos] > '9') {
            return false;
        }
        *v = *v * 10 + (unsigned)(s[(*pos)++] - '0');
    }
    return true;
}

rh_status rh_time_parse_iso(const char *s, size_t len, uint64_t *filetime)
{
    size_t pos = 0;
    unsigned y, m, d, hh = 0, mm = 0, ss = 0, frac = 0, fd = 0, i;
    int64_t days, secs;
    int64_t offset = 0;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r')) {
        len--;
    }
    if (!digits(s, len, &pos, 4, &y) || pos >= len || s[pos++] != '-' ||
        !digits(s, len, &pos, 2, &m) || pos >= len || s[pos++] != '-' ||
        !digits(s, len, &pos, 2, &d)) {
        return RH_ERR_FORMAT;
    }
    if (pos < len && (s[pos] == 'T' || s[pos] == ' ')) {
        pos++;
        if (!digits(s, len, &pos, 2, &hh) || pos >= len || s[pos++] != ':' ||
            !digits(s, len, &pos, 2, &mm)) {
            return RH_ERR_FORMAT;
        }
        if (pos < len && s[pos] == ':') {
            pos++;
            if (!digits(s, len, &pos, 2, &ss)) {
                return RH_ERR_FORMAT;
            }
            if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
                pos++;
                while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
                    if (fd < 7) {
                        frac = frac * 10 + (unsigned)(s[pos] - '0');
                        fd++;
                    }
                    pos++;
                }
            }
        }
    }
    for (i = fd; i < 7; i++) {
        frac *= 10;
    }
    if (pos < len && s[pos] == 'Z') {
        pos++;
    } else if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
        unsigned oh, om = 0;
        int sign = s[pos] == '-' ? -1 : 1;
        pos++;
        if (!digits(s, len, &pos, 2, &oh)) {
            return RH_ERR_FORMAT;
        }
        if (pos < len && s[pos] == ':') {
            pos++;
        }
        if (pos < len && !digits(s, len, &pos, 2, &om)) {
            return RH_ERR_FORMAT;
        }
        offset = sign * (int64_t)(oh * 3600 + om * 60);
    }
    if (pos != len || y < 1601 || m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
        ss > 60) {
        return RH_ERR_FORMAT;
    }
    days = rh_days_from_civil(y, m, d) + RH_FILETIME_EPOCH_DAYS;
    secs = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    if (secs < 0) {
        return RH_ERR_FORMAT;
    }
    *filetime = (uint64_t)secs * 10000000u + frac;
    return RH_OK;
}

/* ---- normalized JSON ------------------------------------------------------------------ */

static const char *type_name(rh_field_type t)
{
    switch (t) {
    case RH_FIELD_STRING:
        return "string";
    case RH_FIELD_INT:
        return "int";
    case RH_FIELD_HEX:
        return "hex";
    case RH_FIELD_BOOL:
        return "bool";
    case RH_FIELD_FLOAT:
        return "float";
    case RH_FIELD_TIME:
        return "time";
    case RH_FIELD_GUID:
        return "guid";
    case RH_FIELD_SID:
        return "sid";
    case RH_FIELD_BINARY:
        return "binary";
    case RH_FIELD_NULL:
        return "null";
    }
    return "string";
}

static rh_status jstr(rh_buf *out, const char *key, const char *s, size_t n)
{
    rh_status st = rh_buf_printf(out, ",\"%s\":", key);
    if (st != RH_OK) {
        return st;
    }
    if (!s) {
        return rh_buf_puts(out, "null");
    }
    st = rh_buf_putc(out, '"');
    if (st == RH_OK) {
        st = rh_escape_append(out, s, n, RH_ESC_JSON);
    }
    return st == RH_OK ? rh_buf_putc(out, '"') : st;
}

#define JS(key, s) jstr(out, key, (s), (s) ? strlen(s) : 0)

rh_status rh_event_to_json(const rh_event *ev, rh_buf *out)
{
    rh_status st;
    size_t i;
    rh_buf raw, norm;
    st = rh_buf_puts(out, "{\"source\":");
    if (st == RH_OK) {
        if (ev->source) {
            st = rh_buf_putc(out, '"');
            if (st == RH_OK) {
                st = rh_escape_append(out, ev->source, strlen(ev->source), RH_ESC_JSON);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(out, '"');
            }
        } else {
            st = rh_buf_puts(out, "null");
        }
    }
    if (st == RH_OK) {
        st = rh_buf_printf(out, ",\"offset\":%llu,\"recovered\":%s,\"from_state\":%s",
                           (unsigned long long)ev->source_offset,
                           (ev->flags & RH_EVENT_RECOVERED) ? "true" : "false",
                           (ev->flags & RH_EVENT_FROM_STATE) ? "true" : "false");
    }
    if (st == RH_OK) {
        st = JS("provider", ev->provider);
    }
    if (st == RH_OK) {
        st = JS("channel", ev->channel);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(out,
                           ",\"event_id\":%u,\"record_id\":%llu,\"time\":", (unsigned)ev->event_id,
                           (unsigned long long)ev->record_id);
    }
    if (st == RH_OK) {
        if (ev->timestamp) {
            st = rh_buf_putc(out, '"');
            if (st == RH_OK) {
                st = rh_filetime_to_iso(out, ev->timestamp);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(out, '"');
            }
        } else {
            st = rh_buf_puts(out, "null");
        }
    }
    if (st == RH_OK) {
        st = JS("computer", ev->computer);
    }
    if (st == RH_OK) {
        st = JS("user_sid", ev->user_sid);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(out, ",\"process_id\":%u,\"thread_id\":%u,\"fields\":[",
                           (unsigned)ev->process_id, (unsigned)ev->thread_id);
    }
    for (i = 0; st == RH_OK && i < ev->nfields; i++) {
        const rh_event_field *f = &ev->fields[i];
        st = rh_buf_puts(out, i ? ",{\"name\":\"" : "{\"name\":\"");
        if (st == RH_OK) {
            st = rh_escape_append(out, f->name ? f->name : "", f->name ? strlen(f->name) : 0,
                                  RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(out, "\",\"type\":\"%s\"", type_name(f->type));
        }
        if (st == RH_OK) {
            st = jstr(out, "value", f->value, f->value ? f->value_len : 0);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(out, '}');
        }
    }
    if (st == RH_OK) {
        st = rh_buf_puts(out, "],\"registry\":");
    }
    if (st != RH_OK) {
        return st;
    }
    rh_buf_init(&raw, out->ctx);
    rh_buf_init(&norm, out->ctx);
    st = rh_event_registry_path(ev, &raw, &norm);
    if (st == RH_OK) {
        st = rh_buf_puts(out, "{\"raw\":\"");
        if (st == RH_OK) {
            st = rh_escape_append(out, raw.data, raw.len, RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_puts(out, "\",\"normalized\":\"");
        }
        if (st == RH_OK) {
            st = rh_escape_append(out, norm.data, norm.len, RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_puts(out, "\"}");
        }
    } else if (st == RH_NOT_FOUND) {
        st = rh_buf_puts(out, "null");
    }
    rh_buf_free(&raw);
    rh_buf_free(&norm);
    return st == RH_OK ? rh_buf_putc(out, '}') : st;
}
