/*
 * EDR and SIEM export shapes (docs/events.md "EDR and SIEM exports"): Microsoft Defender for
 * Endpoint Advanced Hunting (DeviceRegistryEvents, DeviceProcessEvents, DeviceNetworkEvents,
 * DeviceFileEvents; portal CSV, API JSON and the streaming {"category","properties"} shape),
 * CrowdStrike Falcon (Reg*ValueUpdate, AsepValueUpdate, ProcessRollup2), SentinelOne Deep
 * Visibility / PowerQuery registry events and Splunk exports of Sysmon events.
 *
 * One record (the fields of a JSON object, flattened, or of one CSV row) is mapped to the event
 * Sysmon would have logged for the same action: provider Microsoft-Windows-Sysmon, event id
 * 12/13/14 (registry), 1 (process), 3 (network), 11/23 (file), and Sysmon's field names and
 * value forms (TargetObject in HKLM\ / HKU\<SID>\ form, Details "DWORD (0x...)", UtcTime
 * "YYYY-MM-DD hh:mm:ss.fff", Image, ProcessGuid...). Everything downstream (the evidence index,
 * fusion, process trees, Sigma, event-only findings) then reads these events exactly as it
 * reads Sysmon's. The record's own fields follow the Sysmon ones, unchanged. Records of these
 * shapes that describe nothing Sysmon logs keep their own fields under the shape's provider.
 */
#include <stdio.h>

#include "events_edr_internal.h"

/* ---- record access ---------------------------------------------------------------------- */

/* Names compared loosely: ASCII letters and digits only, case-folded ("registry.keyPath",
 * "RegistryKeyPath" and "Registry Key Path" are one name). */
static bool loose_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a && !((*a >= '0' && *a <= '9') || ((*a | 0x20) >= 'a' && (*a | 0x20) <= 'z'))) {
            a++;
        }
        while (*b && !((*b >= '0' && *b <= '9') || ((*b | 0x20) >= 'a' && (*b | 0x20) <= 'z'))) {
            b++;
        }
        if (!*a || !*b) {
            return !*a && !*b;
        }
        if ((*a | 0x20) != (*b | 0x20)) {
            return false;
        }
        a++;
        b++;
    }
}

/* A field by loose name, NULL when absent, empty or null. */
const rh_event_field *edr_get(const struct rec *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        if (r->f[i].name && loose_eq(r->f[i].name, name)) {
            const rh_event_field *f = &r->f[i];
            return f->value && f->value_len && f->type != RH_FIELD_NULL ? f : NULL;
        }
    }
    return NULL;
}

/* The first present field of a NULL-terminated list. */
const rh_event_field *edr_get_any(const struct rec *r, const char *const *names)
{
    size_t i;
    for (i = 0; names[i]; i++) {
        const rh_event_field *f = edr_get(r, names[i]);
        if (f) {
            return f;
        }
    }
    return NULL;
}

bool edr_has(const struct rec *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        if (r->f[i].name && loose_eq(r->f[i].name, name)) {
            return true;
        }
    }
    return false;
}

bool edr_val_eq(const rh_event_field *f, const char *lit)
{
    return f && rh_ascii_eq(f->value, f->value_len, lit);
}

/* Unsigned decimal or 0x-hex number of a field; *ok false when absent or malformed. */
uint64_t edr_num_of(const rh_event_field *f, bool *ok)
{
    uint64_t v = 0;
    size_t i = 0, n;
    unsigned base = 10;
    const char *s;
    *ok = false;
    if (!f) {
        return 0;
    }
    s = f->value;
    n = f->value_len;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= n) {
        return 0;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            d = (unsigned)((c | 0x20) - 'a' + 10);
        } else if (c == '.' && base == 10) {
            break; /* "1603489056.375": the integer part */
        } else {
            return 0;
        }
        if (v > (UINT64_MAX - d) / base) {
            return 0;
        }
        v = v * base + d;
    }
    *ok = true;
    return v;
}

/* ---- output ----------------------------------------------------------------------------- */

void edr_put_n(struct edr *e, const char *name, const char *v, size_t n)
{
    rh_event_field *f;
    if (e->n == e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 64;
        rh_event_field *nf = rh_realloc(e->ctx, e->out, nc * sizeof(*nf));
        if (!nf) {
            e->nomem = true;
            return;
        }
        e->out = nf;
        e->cap = nc;
    }
    f = &e->out[e->n++];
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->value = v ? v : "";
    f->value_len = v ? n : 0;
}

/* A field whose value is borrowed from the record (valid while the event is handed on). */
void edr_put_f(struct edr *e, const char *name, const rh_event_field *src)
{
    if (src) {
        edr_put_n(e, name, src->value, src->value_len);
    }
}

/* A computed value: e->tmp copied into the arena. */
void edr_put_tmp(struct edr *e, const char *name)
{
    const char *p;
    if (rh_buf_status(&e->tmp) != RH_OK) {
        e->nomem = true;
        return;
    }
    p = rh_arena_strndup(&e->arena, e->tmp.data ? e->tmp.data : "", e->tmp.len);
    if (!p) {
        e->nomem = true;
        return;
    }
    edr_put_n(e, name, p, e->tmp.len);
}

const char *edr_dup_f(struct edr *e, const rh_event_field *f)
{
    const char *p;
    if (!f) {
        return NULL;
    }
    p = rh_arena_strndup(&e->arena, f->value, f->value_len);
    if (!p) {
        e->nomem = true;
    }
    return p;
}

/* The record's own fields after the mapped ones (a name already mapped is not repeated). */
static void put_rest(struct edr *e, const struct rec *r, size_t mapped)
{
    size_t i, k;
    for (i = 0; i < r->n; i++) {
        bool dup = r->f[i].type == RH_FIELD_NULL; /* an empty column: absent */
        for (k = 0; k < mapped && !dup; k++) {
            dup = strcmp(e->out[k].name, r->f[i].name) == 0;
        }
        if (!dup) {
            size_t at = e->n;
            edr_put_n(e, r->f[i].name, r->f[i].value, r->f[i].value_len);
            if (!e->nomem) {
                e->out[at].type = r->f[i].type;
                e->out[at].num = r->f[i].num;
            }
        }
    }
}

/* ---- value forms ------------------------------------------------------------------------ */

/* TargetObject: the key path, plus "\" and the value name ("(Default)" when empty). */
void edr_put_target(struct edr *e, const rh_event_field *key, const rh_event_field *vname,
                    bool value)
{
    if (!key) {
        return;
    }
    rh_buf_reset(&e->tmp);
    rh_regpath_sysmon(key->value, key->value_len, &e->tmp);
    if (value) {
        rh_buf_putc(&e->tmp, '\\');
        if (vname) {
            rh_buf_append(&e->tmp, vname->value, vname->value_len);
        } else {
            rh_buf_lit(&e->tmp, "(Default)");
        }
    }
    edr_put_tmp(e, "TargetObject");
}

/* Registry value types as the shapes spell them -> REG_* number (-1 unknown). */
int edr_reg_type_of(const rh_event_field *t)
{
    static const struct {
        const char *name;
        int type;
    } names[] = {{"None", 0},     {"String", 1},      {"Sz", 1},      {"ExpandString", 2},
                 {"ExpandSz", 2}, {"Binary", 3},      {"Dword", 4},   {"DwordBigEndian", 5},
                 {"Link", 6},     {"MultiString", 7}, {"MultiSz", 7}, {"QWord", 11},
                 {"Qword", 11}};
    bool ok;
    uint64_t v;
    size_t i;
    if (!t) {
        return -1;
    }
    v = edr_num_of(t, &ok);
    if (ok) {
        return v <= 11 ? (int)v : -1;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *s = t->value;
        size_t n = t->value_len;
        if (n > 4 && rh_ascii_prefix(s, n, "REG_")) {
            s += 4;
            n -= 4;
        }
        {
            /* "REG_EXPAND_SZ", "ExpandString", "DWORD_BIG_ENDIAN": compare without '_' */
            char b[32];
            size_t k, m = 0;
            for (k = 0; k < n && m < sizeof(b) - 1; k++) {
                if (s[k] != '_') {
                    b[m++] = s[k];
                }
            }
            if (rh_ascii_eq(b, m, names[i].name)) {
                return names[i].type;
            }
        }
    }
    return -1;
}

/* Details as Sysmon renders the data: strings as they are ("(Empty)" when empty), "DWORD
 * (0x%08x)", "QWORD (0x%08x-0x%08x)" (high-low), "Binary Data" for the rest. type < 0: the
 * text as given. */
void edr_put_details(struct edr *e, int type, const rh_event_field *text, const rh_event_field *num)
{
    bool ok;
    uint64_t v;
    rh_buf_reset(&e->tmp);
    switch (type) {
    case 4:
    case 5:
    case 11:
        v = edr_num_of(num ? num : text, &ok);
        if (!ok) {
            rh_buf_lit(&e->tmp, "Binary Data");
        } else if (type == 11) {
            rh_buf_printf(&e->tmp, "QWORD (0x%08x-0x%08x)", (unsigned)(v >> 32),
                          (unsigned)(v & 0xffffffffu));
        } else {
            rh_buf_printf(&e->tmp, "DWORD (0x%08x)", (unsigned)(v & 0xffffffffu));
        }
        break;
    case 1:
    case 2:
    case 6:
    case -1:
        if (text) {
            rh_buf_append(&e->tmp, text->value, text->value_len);
        } else if (type < 0 && num) {
            rh_buf_append(&e->tmp, num->value, num->value_len);
        } else {
            rh_buf_lit(&e->tmp, "(Empty)");
        }
        break;
    default:
        rh_buf_lit(&e->tmp, "Binary Data");
        break;
    }
    edr_put_tmp(e, "Details");
}

/* UtcTime in Sysmon's form from a FILETIME. */
void edr_put_utctime(struct edr *e, uint64_t ft)
{
    if (!ft) {
        return;
    }
    rh_buf_reset(&e->tmp);
    if (rh_filetime_to_iso(&e->tmp, ft) != RH_OK || e->tmp.len < 23) {
        e->nomem = rh_buf_status(&e->tmp) != RH_OK;
        return;
    }
    e->tmp.data[10] = ' ';
    e->tmp.len = 23; /* "YYYY-MM-DD hh:mm:ss.fff" */
    e->tmp.data[23] = '\0';
    edr_put_tmp(e, "UtcTime");
}

/* A time field: ISO 8601, or Unix epoch seconds / milliseconds (Splunk _time, Falcon
 * timestamp). 0 when absent or unreadable. */
uint64_t edr_time_of(const rh_event_field *f)
{
    uint64_t ft = 0, v;
    bool ok;
    size_t i;
    if (!f) {
        return 0;
    }
    if (rh_time_parse_iso(f->value, f->value_len, &ft) == RH_OK) {
        return ft;
    }
    v = edr_num_of(f, &ok);
    if (!ok || v == 0) {
        return 0;
    }
    for (i = 0; i < f->value_len && f->value[i] != '.'; i++) {
    }
    if (v > 100000000000ull) { /* milliseconds */
        return v > (UINT64_MAX / 10000) - 116444736000000000ull / 10000
                   ? 0
                   : v * 10000 + 116444736000000000ull;
    }
    ft = v * 10000000 + 116444736000000000ull;
    if (i < f->value_len) {
        /* fraction of a second: up to 7 digits */
        uint64_t frac = 0, scale = 1000000;
        size_t k;
        for (k = i + 1; k < f->value_len && k < i + 8 && f->value[k] >= '0' && f->value[k] <= '9';
             k++) {
            frac += (uint64_t)(f->value[k] - '0') * scale;
            scale /= 10;
        }
        ft += frac;
    }
    return ft;
}

/* A process GUID made up for sources without one: Sysmon's {..} form of the SHA-256 of the
 * host, the process id and the process's start (or the source's own process key). The same
 * process gets the same GUID wherever it appears (as an actor and as a parent), which is all
 * the process tree needs. */
void edr_put_guid(struct edr *e, const char *name, const char *host, const rh_event_field *id,
                  const rh_event_field *start)
{
    uint8_t h[32];
    if (!id) {
        return;
    }
    rh_buf_reset(&e->tmp);
    rh_buf_puts(&e->tmp, host ? host : "");
    rh_buf_putc(&e->tmp, '\n');
    rh_buf_append(&e->tmp, id->value, id->value_len);
    rh_buf_putc(&e->tmp, '\n');
    if (start) {
        uint64_t t = edr_time_of(start);
        if (t) {
            rh_buf_printf(&e->tmp, "%llu", (unsigned long long)(t / 10000)); /* ms */
        } else {
            rh_buf_append(&e->tmp, start->value, start->value_len);
        }
    }
    if (rh_buf_status(&e->tmp) != RH_OK) {
        e->nomem = true;
        return;
    }
    rh_sha256(e->tmp.data, e->tmp.len, h);
    rh_buf_reset(&e->tmp);
    rh_buf_printf(&e->tmp, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                  h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
                  h[13], h[14], h[15]);
    edr_put_tmp(e, name);
}

/* An image path from a folder and a file name (MDE's FolderPath usually holds both). */
void edr_put_image(struct edr *e, const char *name, const rh_event_field *folder,
                   const rh_event_field *file)
{
    if (!folder && !file) {
        return;
    }
    if (folder && (!file || rh_ascii_suffix(folder->value, folder->value_len, file->value))) {
        edr_put_f(e, name, folder);
        return;
    }
    rh_buf_reset(&e->tmp);
    if (folder) {
        rh_buf_append(&e->tmp, folder->value, folder->value_len);
        if (folder->value_len && folder->value[folder->value_len - 1] != '\\') {
            rh_buf_putc(&e->tmp, '\\');
        }
    }
    rh_buf_append(&e->tmp, file->value, file->value_len);
    edr_put_tmp(e, name);
}

/* "DOMAIN\name" or "name". */
void edr_put_user(struct edr *e, const rh_event_field *domain, const rh_event_field *name)
{
    if (!name) {
        return;
    }
    if (!domain) {
        edr_put_f(e, "User", name);
        return;
    }
    rh_buf_reset(&e->tmp);
    rh_buf_append(&e->tmp, domain->value, domain->value_len);
    rh_buf_putc(&e->tmp, '\\');
    rh_buf_append(&e->tmp, name->value, name->value_len);
    edr_put_tmp(e, "User");
}

void edr_sysmon_header(rh_event *ev, uint32_t id)
{
    ev->provider = SYSMON_PROVIDER;
    ev->channel = SYSMON_CHANNEL;
    ev->event_id = id;
}

/* ---- entry points ------------------------------------------------------------------------- */

int events_edr_detect(const rh_event_field *f, size_t n)
{
    struct rec r;
    r.f = f;
    r.n = n;
    if (edr_has(&r, "event_simpleName")) {
        return EDR_FALCON;
    }
    if (edr_has(&r, "ActionType") && (edr_has(&r, "DeviceName") || edr_has(&r, "DeviceId"))) {
        return EDR_MDE;
    }
    if (edr_has(&r, "RegistryKeyPath") || edr_has(&r, "registry.keyPath") ||
        (edr_has(&r, "SrcProcImagePath") &&
         (edr_has(&r, "ObjectType") || edr_has(&r, "EventType")))) {
        return EDR_S1;
    }
    if (edr_has(&r, "EventCode") && (edr_has(&r, "_raw") || edr_has(&r, "_time") ||
                                     edr_has(&r, "sourcetype") || edr_has(&r, "source"))) {
        return EDR_SPLUNK;
    }
    return EDR_NONE;
}

rh_status events_edr_emit(struct events_src *src, int shape, const char *table,
                          const rh_event_field *f, size_t n, uint64_t pos)
{
    struct edr *e = src->edr;
    struct rec r;
    rh_event ev;
    size_t mapped;
    if (!e) {
        e = rh_calloc(src->ctx, 1, sizeof(*e));
        if (!e) {
            return RH_ERR_NOMEM;
        }
        e->ctx = src->ctx;
        rh_arena_init(&e->arena, src->ctx, 16384, 0);
        rh_arena_init(&e->proc_arena, src->ctx, 65536, EDR_MAX_PROC_BYTES);
        rh_strmap_init(&e->procs, src->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 64, EDR_MAX_PROCS);
        rh_buf_init(&e->tmp, src->ctx);
        src->edr = e;
    }
    rh_arena_reset(&e->arena);
    e->n = 0;
    e->nomem = false;
    r.f = f;
    r.n = n;
    memset(&ev, 0, sizeof(ev));
    switch (shape) {
    case EDR_MDE:
        edr_map_mde(e, &r, table, &ev);
        break;
    case EDR_FALCON:
        edr_map_falcon(e, &r, &ev);
        break;
    case EDR_S1:
        edr_map_s1(e, &r, &ev);
        break;
    default:
        edr_map_splunk(e, &r, &ev);
        break;
    }
    mapped = e->n;
    if (shape != EDR_SPLUNK) {
        put_rest(e, &r, mapped);
    }
    if (e->nomem) {
        return RH_ERR_NOMEM;
    }
    ev.fields = e->out;
    ev.nfields = e->n;
    ev.source = src->path;
    ev.source_offset = pos;
    return src->fn(&ev, src->user);
}

void events_edr_free(struct events_src *src)
{
    struct edr *e = src->edr;
    if (!e) {
        return;
    }
    rh_arena_free(&e->arena);
    rh_arena_free(&e->proc_arena);
    rh_strmap_free(&e->procs);
    rh_buf_free(&e->tmp);
    rh_free(src->ctx, e->out);
    rh_free(src->ctx, e);
    src->edr = NULL;
}
