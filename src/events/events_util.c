/*
 * Normalized-event helpers: registry path normalization, ISO 8601 parsing, the normalized
 * JSON line (docs/events.md) and the registry path an event refers to.
 */
#include <stdio.h>

#include "common/common.h"
#include "reghunt/evtx.h"

/* ---- registry paths --------------------------------------------------------------------- */

struct root_alias {
    const char *alias;
    const char *canon;
};

/* Longest aliases first where one is a prefix of another. */
static const struct root_alias roots[] = {
    {"\\REGISTRY\\MACHINE", "HKLM"},
    {"\\REGISTRY\\USER", "HKU"},
    {"HKEY_LOCAL_MACHINE", "HKLM"},
    {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},
    {"HKEY_CURRENT_CONFIG", "HKLM\\SYSTEM\\CURRENTCONTROLSET\\HARDWARE PROFILES\\CURRENT"},
    {"HKLM", "HKLM"},
    {"HKU", "HKU"},
    {"HKCU", "HKCU"},
    {"HKCR", "HKCR"},
    {"HKCC", "HKLM\\SYSTEM\\CURRENTCONTROLSET\\HARDWARE PROFILES\\CURRENT"},
};

static bool prefix_ci(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && rh_ascii_casecmp(s, k, pre, k) == 0;
}

static rh_status append_upper(rh_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK) {
        uint32_t cp;
        size_t l = rh_utf8_decode(p + i, n - i, &cp);
        st = cp < 0x80 ? rh_buf_putc(out, (char)(cp >= 'a' && cp <= 'z' ? cp - 32 : cp))
                       : rh_buf_put_cp(out, rh_cp_upper(cp));
        i += l;
    }
    return st;
}

int rh_regpath_is_default_value(const char *name, size_t len)
{
    return len == 0 ||
           (len == 9 &&
            ((name[0] == '(' && name[8] == ')') || (name[0] == '{' && name[8] == '}')) &&
            rh_ascii_casecmp(name + 1, 7, "default", 7) == 0);
}

/* The last component of a normalized path spells the default value: make it "(DEFAULT)". */
static void canon_default_value(rh_buf *out, size_t start)
{
    size_t b = out->len;
    while (b > start && out->data[b - 1] != '\\') {
        b--;
    }
    if (b > start && out->len - b == 9 && rh_regpath_is_default_value(out->data + b, 9)) {
        out->data[b] = '(';
        out->data[b + 8] = ')';
    }
}

static rh_status normalize(const char *path, size_t len, rh_buf *out)
{
    const char *rest = path;
    size_t n = len, i, start = out->len;
    const char *canon = NULL;
    rh_status st;
    while (n && (rest[n - 1] == '\\' || rest[n - 1] == ' ')) {
        n--;
    }
    while (n && rest[0] == ' ') {
        rest++;
        n--;
    }
    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        size_t k = strlen(roots[i].alias);
        if (prefix_ci(rest, n, roots[i].alias) && (n == k || rest[k] == '\\')) {
            canon = roots[i].canon;
            rest += k;
            n -= k;
            break;
        }
    }
    if (!canon) {
        return append_upper(out, rest, n);
    }
    st = rh_buf_puts(out, canon);
    if (st != RH_OK) {
        return st;
    }
    if (strcmp(canon, "HKU") == 0 && n > 1) {
        /* HKU\<SID>_Classes\X -> HKU\<SID>\SOFTWARE\CLASSES\X */
        size_t e = 1;
        while (e < n && rest[e] != '\\') {
            e++;
        }
        if (e > 9 && rh_ascii_casecmp(rest + e - 8, 8, "_Classes", 8) == 0) {
            st = append_upper(out, rest, e - 8);
            if (st == RH_OK) {
                st = rh_buf_puts(out, "\\SOFTWARE\\CLASSES");
            }
            rest += e;
            n -= e;
            if (st != RH_OK) {
                return st;
            }
        }
    }
    st = append_upper(out, rest, n);
    if (st != RH_OK) {
        return st;
    }
    /* HKLM\SYSTEM\CONTROLSET00N -> HKLM\SYSTEM\CURRENTCONTROLSET */
    if (out->len - start >= 25 && memcmp(out->data + start, "HKLM\\SYSTEM\\CONTROLSET", 22) == 0) {
        size_t p = start + 22, d = p;
        while (d < out->len && out->data[d] >= '0' && out->data[d] <= '9') {
            d++;
        }
        if (d - p == 3 && (d == out->len || out->data[d] == '\\')) {
            size_t tail = out->len - d;
            char *t = rh_malloc(out->ctx, tail + 1);
            if (!t) {
                return RH_ERR_NOMEM;
            }
            memcpy(t, out->data + d, tail);
            out->len = start + 12;
            st = rh_buf_puts(out, "CURRENTCONTROLSET");
            if (st == RH_OK) {
                st = rh_buf_append(out, t, tail);
            }
            rh_free(out->ctx, t);
            return st;
        }
    }
    return RH_OK;
}

rh_status rh_regpath_normalize(const char *path, size_t len, rh_buf *out)
{
    size_t start = out->len;
    rh_status st = normalize(path, len, out);
    if (st == RH_OK) {
        canon_default_value(out, start);
    }
    return st;
}

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
        if (!t || !t->value || !prefix_ci(t->value, t->value_len, "\\REGISTRY\\")) {
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
