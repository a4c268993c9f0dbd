/*
 * Event field access for the evidence index: a field's text with Windows' "-" placeholder
 * treated as absent, interning, numbers, times, GUIDs in one "{UPPER-CASE}" form, and
 * "DOMAIN\user" names.
 */
#include "evidence_internal.h"
#include "reghunt/evtx.h"

/* A field's text, or NULL when absent, empty or "-" (Windows' placeholder for "none"). */
const rh_event_field *ev_field(const rh_event *e, const char *name)
{
    const rh_event_field *f = rh_event_field_get(e, name);
    if (!f || !f->value || f->value_len == 0 || f->type == RH_FIELD_NULL ||
        (f->value_len == 1 && f->value[0] == '-')) {
        return NULL;
    }
    return f;
}

/* Intern a field's text; NULL when absent. Sets *st on OOM. */
const char *ev_istr(rh_evidence *ev, const rh_event *e, const char *name, rh_status *st)
{
    const rh_event_field *f = ev_field(e, name);
    const char *s;
    if (!f) {
        return NULL;
    }
    s = ev_intern(ev, f->value, f->value_len);
    if (!s) {
        *st = RH_ERR_NOMEM;
    }
    return s;
}

const char *ev_istr_raw(rh_evidence *ev, const char *s, size_t n, rh_status *st)
{
    const char *r = ev_intern(ev, s, n);
    if (!r) {
        *st = RH_ERR_NOMEM;
    }
    return r;
}

/* Decimal or 0x-hex unsigned 32-bit number; 0 when absent or malformed (0 = unknown pid). */
uint32_t ev_num32(const rh_event *e, const char *name)
{
    const rh_event_field *f = ev_field(e, name);
    const char *s;
    size_t n, i = 0;
    uint64_t v = 0;
    unsigned base = 10;
    if (!f) {
        return 0;
    }
    s = f->value;
    n = f->value_len;
    while (i < n && s[i] == ' ') {
        i++;
    }
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i >= n) {
        return 0;
    }
    for (; i < n && s[i] != ' '; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A' + 10);
        } else {
            return 0;
        }
        v = v * base + d;
        if (v > UINT32_MAX) {
            return 0;
        }
    }
    return (uint32_t)v;
}

/* A time field (Sysmon UtcTime "2019-05-09 01:59:28.669"), else the event's TimeCreated. */
uint64_t ev_time_of(const rh_event *e, const char *name)
{
    const rh_event_field *f = ev_field(e, name);
    uint64_t t;
    if (f && rh_time_parse_iso(f->value, f->value_len, &t) == RH_OK && t) {
        return t;
    }
    return e->timestamp;
}

rh_status ev_guid_norm(rh_buf *out, const char *s, size_t n)
{
    size_t i, start = out->len;
    int nonzero = 0;
    rh_status st;
    while (n && (*s == ' ' || *s == '{')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '}')) {
        n--;
    }
    if (!n) {
        return RH_OK;
    }
    for (i = 0; i < n; i++) {
        if (s[i] != '0' && s[i] != '-') {
            nonzero = 1;
        }
    }
    if (!nonzero) {
        return RH_OK;
    }
    st = rh_buf_putc(out, '{');
    if (st == RH_OK) {
        st = ev_fold_append(out, s, n);
    }
    if (st == RH_OK) {
        st = rh_buf_putc(out, '}');
    }
    if (st != RH_OK) {
        out->len = start;
    }
    return st;
}

const char *ev_iguid(rh_evidence *ev, const rh_event *e, const char *name, rh_status *st)
{
    return ev_iguid_of(ev, ev_field(e, name), st);
}

/* "DOMAIN\name" from two fields, else the SID field. */
/* Bytes of an input string handed to a normalizer (the result is interned and cut again). */
size_t ev_capn(const rh_evidence *ev, size_t n)
{
    return n < ev->max_string ? n : ev->max_string;
}

/* The user an event names: 4688 runs the new process as Target when set (Windows 10+). */
static void actor_user(const rh_event *e, rh_evidence_actor *a)
{
    const rh_event_field *ts = ev_field(e, "TargetUserSid");
    if (a->cls.kind == RH_EVIDENCE_KIND_PROCESS && ts &&
        !(ts->value_len == 7 && memcmp(ts->value, "S-1-0-0", 7) == 0) &&
        ev_field(e, "TargetUserName")) {
        a->user_domain = ev_field(e, "TargetDomainName");
        a->user_name = ev_field(e, "TargetUserName");
        a->user_sid = ts;
        return;
    }
    a->user_domain = ev_field(e, "SubjectDomainName");
    a->user_name = ev_field(e, "SubjectUserName");
    a->user_sid = ev_field(e, "SubjectUserSid");
    if (!a->user_name) {
        a->user_domain = NULL;
        a->user_name = ev_field(e, "User");
    }
}

void rh_evidence_actor_of(const rh_event *e, rh_evidence_actor *a)
{
    memset(a, 0, sizeof(*a));
    if (!e) {
        return;
    }
    rh_evidence_classify(e, &a->cls);
    if (a->cls.sysmon) {
        a->image = ev_field(e, "Image");
        a->guid = ev_field(e, "ProcessGuid");
        a->pid = ev_num32(e, "ProcessId");
        a->user_name = ev_field(e, "User");
        a->time = ev_time_of(e, "UtcTime");
        a->details = ev_field(e, "Details");
    } else {
        int created = a->cls.kind == RH_EVIDENCE_KIND_PROCESS;
        a->image = ev_field(e, created ? "NewProcessName" : "ProcessName");
        if (!a->image && !created) {
            a->image = ev_field(e, "Image");
        }
        a->guid = ev_field(e, "ProcessGuid");
        a->pid = ev_num32(e, created ? "NewProcessId" : "ProcessId");
        actor_user(e, a);
        a->time = e->timestamp;
        a->details = ev_field(e, "Details");
        if (!a->details) {
            a->details = ev_field(e, "NewValue");
        }
    }
    a->subject = ev_field(e, "CommandLine");
    if (!a->subject) {
        a->subject = ev_field(e, "TargetFilename");
    }
}

/* Intern one actor field (NULL stays NULL). */
const char *ev_ifield(rh_evidence *ev, const rh_event_field *f, rh_status *st)
{
    return f ? ev_istr_raw(ev, f->value, f->value_len, st) : NULL;
}

/* The actor's user as the index keeps it: "DOMAIN\name", "name", else the SID. */
const char *ev_iactor_user(rh_evidence *ev, const rh_evidence_actor *a, rh_status *st)
{
    rh_buf b = RH_BUF_INIT(ev->ctx);
    const char *r;
    if (!a->user_name) {
        return ev_ifield(ev, a->user_sid, st);
    }
    if (a->user_domain) {
        rh_buf_append(&b, a->user_domain->value,
                      a->user_domain->value_len < 1024 ? a->user_domain->value_len : 1024);
        rh_buf_putc(&b, '\\');
    }
    rh_buf_append(&b, a->user_name->value,
                  a->user_name->value_len < 1024 ? a->user_name->value_len : 1024);
    if (rh_buf_status(&b) != RH_OK) {
        *st = RH_ERR_NOMEM;
        r = NULL;
    } else {
        r = ev_istr_raw(ev, b.data, b.len, st);
    }
    rh_buf_free(&b);
    return r;
}

/* A GUID field in the index's "{UPPER-CASE}" form, NULL when absent or all zero. */
const char *ev_iguid_of(rh_evidence *ev, const rh_event_field *f, rh_status *st)
{
    rh_buf b = RH_BUF_INIT(ev->ctx);
    const char *r = NULL;
    if (!f) {
        return NULL;
    }
    if (ev_guid_norm(&b, f->value, f->value_len < 128 ? f->value_len : 128) != RH_OK) {
        *st = RH_ERR_NOMEM;
    } else if (b.len) {
        r = ev_istr_raw(ev, b.data, b.len, st);
    }
    rh_buf_free(&b);
    return r;
}
