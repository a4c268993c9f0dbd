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

#include "events_internal.h"

#define SYSMON_PROVIDER "Microsoft-Windows-Sysmon"
#define SYSMON_CHANNEL  "Microsoft-Windows-Sysmon/Operational"

/* Falcon registry events name their process only by id: the image and pid of each
 * ProcessRollup2 seen earlier in the same input are kept for them, up to these caps. */
#define EDR_MAX_PROCS      65536u
#define EDR_MAX_PROC_BYTES (32u << 20)

struct edr_proc {
    const char *image, *pid;
};

struct edr {
    rh_ctx *ctx;
    struct rh_arena arena; /* computed strings of the current event */
    rh_event_field *out;
    size_t n, cap;
    rh_buf tmp;
    bool nomem;
    struct rh_strmap procs;     /* "host\nTargetProcessId" -> struct edr_proc * */
    struct rh_arena proc_arena; /* the edr_procs (capped: EDR_MAX_PROC_BYTES) */
};

struct rec {
    const rh_event_field *f;
    size_t n;
};

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
static const rh_event_field *get(const struct rec *r, const char *name)
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
static const rh_event_field *get_any(const struct rec *r, const char *const *names)
{
    size_t i;
    for (i = 0; names[i]; i++) {
        const rh_event_field *f = get(r, names[i]);
        if (f) {
            return f;
        }
    }
    return NULL;
}

static bool has(const struct rec *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        if (r->f[i].name && loose_eq(r->f[i].name, name)) {
            return true;
        }
    }
    return false;
}

static bool val_eq(const rh_event_field *f, const char *lit)
{
    return f && rh_ascii_eq(f->value, f->value_len, lit);
}

/* Unsigned decimal or 0x-hex number of a field; *ok false when absent or malformed. */
static uint64_t num_of(const rh_event_field *f, bool *ok)
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

static void put_n(struct edr *e, const char *name, const char *v, size_t n)
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
static void put_f(struct edr *e, const char *name, const rh_event_field *src)
{
    if (src) {
        put_n(e, name, src->value, src->value_len);
    }
}

/* A computed value: e->tmp copied into the arena. */
static void put_tmp(struct edr *e, const char *name)
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
    put_n(e, name, p, e->tmp.len);
}

static const char *dup_f(struct edr *e, const rh_event_field *f)
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
            put_n(e, r->f[i].name, r->f[i].value, r->f[i].value_len);
            if (!e->nomem) {
                e->out[at].type = r->f[i].type;
                e->out[at].num = r->f[i].num;
            }
        }
    }
}

/* ---- value forms ------------------------------------------------------------------------ */

/* Registry roots as exports write them -> Sysmon's. The HKEY_CURRENT_USER form of MDE carries
 * the SID ("HKEY_CURRENT_USER\S-1-5-21-...\Software"): that is Sysmon's HKU\<SID>. SentinelOne
 * writes MACHINE\, USER\, CONFIG\, ROOT\. */
static const struct {
    const char *from, *to;
} roots[] = {
    {"\\REGISTRY\\MACHINE", "HKLM"},
    {"\\REGISTRY\\USER", "HKU"},
    {"HKEY_LOCAL_MACHINE", "HKLM"},
    {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},
    {"HKEY_CURRENT_CONFIG", "HKCC"},
    {"MACHINE", "HKLM"},
    {"USER", "HKU"},
    {"CONFIG", "HKCC"},
    {"ROOT", "HKCR"},
};

static bool is_sid_start(const char *p, size_t n)
{
    return n > 4 && (p[0] == 'S' || p[0] == 's') && p[1] == '-' && p[2] >= '0' && p[2] <= '9';
}

/* Append the Sysmon form of a registry key path to e->tmp. ControlSetNNN under HKLM\SYSTEM
 * becomes CurrentControlSet, as Sysmon logs it. */
static void sysmon_path(struct edr *e, const char *p, size_t n)
{
    size_t i, rest = 0;
    const char *to = NULL;
    for (i = 0; i < sizeof(roots) / sizeof(roots[0]) && !to; i++) {
        size_t l = strlen(roots[i].from);
        if (n >= l && rh_ascii_casecmp(p, l, roots[i].from, l) == 0 && (n == l || p[l] == '\\')) {
            to = roots[i].to;
            rest = l;
        }
    }
    if (!to) {
        rh_buf_append(&e->tmp, p, n);
        return;
    }
    if (strcmp(to, "HKCU") == 0 && n > rest + 1 && is_sid_start(p + rest + 1, n - rest - 1)) {
        to = "HKU";
    }
    rh_buf_puts(&e->tmp, to);
    p += rest;
    n -= rest;
    if (strcmp(to, "HKLM") == 0 && n >= 21 && rh_ascii_prefix(p, n, "\\SYSTEM\\ControlSet") &&
        p[18] >= '0' && p[18] <= '9' && p[19] >= '0' && p[19] <= '9' && p[20] >= '0' &&
        p[20] <= '9' && (n == 21 || p[21] == '\\')) {
        rh_buf_append(&e->tmp, p, 8);
        rh_buf_lit(&e->tmp, "CurrentControlSet");
        p += 21;
        n -= 21;
    }
    rh_buf_append(&e->tmp, p, n);
}

/* TargetObject: the key path, plus "\" and the value name ("(Default)" when empty). */
static void put_target(struct edr *e, const rh_event_field *key, const rh_event_field *vname,
                       bool value)
{
    if (!key) {
        return;
    }
    rh_buf_reset(&e->tmp);
    sysmon_path(e, key->value, key->value_len);
    if (value) {
        rh_buf_putc(&e->tmp, '\\');
        if (vname) {
            rh_buf_append(&e->tmp, vname->value, vname->value_len);
        } else {
            rh_buf_lit(&e->tmp, "(Default)");
        }
    }
    put_tmp(e, "TargetObject");
}

/* Registry value types as the shapes spell them -> REG_* number (-1 unknown). */
static int reg_type_of(const rh_event_field *t)
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
    v = num_of(t, &ok);
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
static void put_details(struct edr *e, int type, const rh_event_field *text,
                        const rh_event_field *num)
{
    bool ok;
    uint64_t v;
    rh_buf_reset(&e->tmp);
    switch (type) {
    case 4:
    case 5:
    case 11:
        v = num_of(num ? num : text, &ok);
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
    put_tmp(e, "Details");
}

/* UtcTime in Sysmon's form from a FILETIME. */
static void put_utctime(struct edr *e, uint64_t ft)
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
    put_tmp(e, "UtcTime");
}

/* A time field: ISO 8601, or Unix epoch seconds / milliseconds (Splunk _time, Falcon
 * timestamp). 0 when absent or unreadable. */
static uint64_t time_of(const rh_event_field *f)
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
    v = num_of(f, &ok);
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
static void put_guid(struct edr *e, const char *name, const char *host, const rh_event_field *id,
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
        uint64_t t = time_of(start);
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
    put_tmp(e, name);
}

/* An image path from a folder and a file name (MDE's FolderPath usually holds both). */
static void put_image(struct edr *e, const char *name, const rh_event_field *folder,
                      const rh_event_field *file)
{
    if (!folder && !file) {
        return;
    }
    if (folder && (!file || rh_ascii_suffix(folder->value, folder->value_len, file->value))) {
        put_f(e, name, folder);
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
    put_tmp(e, name);
}

/* "DOMAIN\name" or "name". */
static void put_user(struct edr *e, const rh_event_field *domain, const rh_event_field *name)
{
    if (!name) {
        return;
    }
    if (!domain) {
        put_f(e, "User", name);
        return;
    }
    rh_buf_reset(&e->tmp);
    rh_buf_append(&e->tmp, domain->value, domain->value_len);
    rh_buf_putc(&e->tmp, '\\');
    rh_buf_append(&e->tmp, name->value, name->value_len);
    put_tmp(e, "User");
}

static void sysmon_header(rh_event *ev, uint32_t id)
{
    ev->provider = SYSMON_PROVIDER;
    ev->channel = SYSMON_CHANNEL;
    ev->event_id = id;
}

/* ---- Microsoft Defender for Endpoint ------------------------------------------------------ */

enum mde_table { MDE_OTHER, MDE_REGISTRY, MDE_PROCESS, MDE_NETWORK, MDE_FILE };

static enum mde_table mde_table_of(const char *table, const struct rec *r)
{
    const rh_event_field *a = get(r, "ActionType");
    if (table) {
        if (rh_ascii_streq(table, "DeviceRegistryEvents")) {
            return MDE_REGISTRY;
        }
        if (rh_ascii_streq(table, "DeviceProcessEvents")) {
            return MDE_PROCESS;
        }
        if (rh_ascii_streq(table, "DeviceNetworkEvents")) {
            return MDE_NETWORK;
        }
        if (rh_ascii_streq(table, "DeviceFileEvents")) {
            return MDE_FILE;
        }
        return MDE_OTHER;
    }
    if (!a) {
        return MDE_OTHER;
    }
    if (rh_ascii_prefix(a->value, a->value_len, "Registry") && has(r, "RegistryKey")) {
        return MDE_REGISTRY;
    }
    if (val_eq(a, "ProcessCreated") && has(r, "ProcessCommandLine")) {
        return MDE_PROCESS;
    }
    if (has(r, "RemoteIP") && has(r, "LocalIP")) {
        return MDE_NETWORK;
    }
    if (rh_ascii_prefix(a->value, a->value_len, "File") && has(r, "FolderPath")) {
        return MDE_FILE;
    }
    return MDE_OTHER;
}

/* The initiating process as Sysmon's actor fields (ProcessGuid, ProcessId, Image, User). */
static void mde_actor(struct edr *e, const struct rec *r, const char *host)
{
    put_guid(e, "ProcessGuid", host, get(r, "InitiatingProcessId"),
             get(r, "InitiatingProcessCreationTime"));
    put_f(e, "ProcessId", get(r, "InitiatingProcessId"));
    put_image(e, "Image", get(r, "InitiatingProcessFolderPath"),
              get(r, "InitiatingProcessFileName"));
}

static bool mde_registry(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = get(r, "ActionType");
    const rh_event_field *key = get(r, "RegistryKey"), *prev = get(r, "PreviousRegistryKey");
    const rh_event_field *vn = get(r, "RegistryValueName");
    const char *etype;
    uint32_t id = 12;
    bool value = false, details = false;
    if (val_eq(a, "RegistryValueSet")) {
        etype = "SetValue";
        id = 13;
        value = details = true;
    } else if (val_eq(a, "RegistryKeyCreated")) {
        etype = "CreateKey";
    } else if (val_eq(a, "RegistryKeyDeleted")) {
        etype = "DeleteKey";
        key = key ? key : prev;
    } else if (val_eq(a, "RegistryValueDeleted")) {
        etype = "DeleteValue";
        key = key ? key : prev;
        vn = vn ? vn : get(r, "PreviousRegistryValueName");
        value = true;
    } else if (val_eq(a, "RegistryKeyRenamed")) {
        etype = "RenameKey";
        id = 14;
    } else {
        return false;
    }
    sysmon_header(ev, id);
    put_n(e, "EventType", etype, strlen(etype));
    put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    if (id == 14) {
        put_target(e, prev ? prev : key, NULL, false);
        if (prev && key) {
            rh_buf_reset(&e->tmp);
            sysmon_path(e, key->value, key->value_len);
            put_tmp(e, "NewName");
        }
    } else {
        put_target(e, key, vn, value);
    }
    if (details) {
        put_details(e, reg_type_of(get(r, "RegistryValueType")), get(r, "RegistryValueData"), NULL);
    }
    put_user(e, get(r, "InitiatingProcessAccountDomain"), get(r, "InitiatingProcessAccountName"));
    return true;
}

static void mde_hashes(struct edr *e, const struct rec *r)
{
    static const char *const names[][2] = {{"SHA1", "SHA1"}, {"MD5", "MD5"}, {"SHA256", "SHA256"}};
    size_t i;
    bool any = false;
    rh_buf_reset(&e->tmp);
    for (i = 0; i < 3; i++) {
        const rh_event_field *h = get(r, names[i][1]);
        if (h) {
            rh_buf_printf(&e->tmp, "%s%s=", any ? "," : "", names[i][0]);
            rh_buf_append(&e->tmp, h->value, h->value_len);
            any = true;
        }
    }
    if (any) {
        put_tmp(e, "Hashes");
    }
}

static bool mde_process(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    if (!val_eq(get(r, "ActionType"), "ProcessCreated")) {
        return false;
    }
    sysmon_header(ev, 1);
    put_utctime(e, ev->timestamp);
    put_guid(e, "ProcessGuid", host, get(r, "ProcessId"), get(r, "ProcessCreationTime"));
    put_f(e, "ProcessId", get(r, "ProcessId"));
    put_image(e, "Image", get(r, "FolderPath"), get(r, "FileName"));
    put_f(e, "CommandLine", get(r, "ProcessCommandLine"));
    put_user(e, get(r, "AccountDomain"), get(r, "AccountName"));
    put_f(e, "IntegrityLevel", get(r, "ProcessIntegrityLevel"));
    mde_hashes(e, r);
    put_guid(e, "ParentProcessGuid", host, get(r, "InitiatingProcessId"),
             get(r, "InitiatingProcessCreationTime"));
    put_f(e, "ParentProcessId", get(r, "InitiatingProcessId"));
    put_image(e, "ParentImage", get(r, "InitiatingProcessFolderPath"),
              get(r, "InitiatingProcessFileName"));
    put_f(e, "ParentCommandLine", get(r, "InitiatingProcessCommandLine"));
    return true;
}

static bool mde_network(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = get(r, "ActionType");
    bool inbound = val_eq(a, "InboundConnectionAccepted");
    if (!a || !(rh_ascii_prefix(a->value, a->value_len, "Connection") || inbound)) {
        return false;
    }
    sysmon_header(ev, 3);
    put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    put_user(e, get(r, "InitiatingProcessAccountDomain"), get(r, "InitiatingProcessAccountName"));
    put_f(e, "Protocol", get(r, "Protocol"));
    put_n(e, "Initiated", inbound ? "false" : "true", inbound ? 5 : 4);
    put_f(e, "SourceIp", get(r, "LocalIP"));
    put_f(e, "SourcePort", get(r, "LocalPort"));
    put_f(e, "DestinationIp", get(r, "RemoteIP"));
    put_f(e, "DestinationPort", get(r, "RemotePort"));
    put_f(e, "DestinationHostname", get(r, "RemoteUrl"));
    return true;
}

static bool mde_file(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = get(r, "ActionType");
    if (!a || !rh_ascii_prefix(a->value, a->value_len, "File")) {
        return false;
    }
    sysmon_header(ev, val_eq(a, "FileDeleted") ? 23 : 11);
    put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    put_image(e, "TargetFilename", get(r, "FolderPath"), get(r, "FileName"));
    put_user(e, get(r, "InitiatingProcessAccountDomain"), get(r, "InitiatingProcessAccountName"));
    return true;
}

static void map_mde(struct edr *e, const struct rec *r, const char *table, rh_event *ev)
{
    static const char *const k_time[] = {"Timestamp", "TimeGenerated", "time", NULL};
    const char *host = dup_f(e, get(r, "DeviceName"));
    bool mapped = false;
    ev->computer = host;
    ev->timestamp = time_of(get_any(r, k_time));
    ev->record_id = num_of(get(r, "ReportId"), &mapped);
    ev->user_sid = dup_f(e, get(r, "InitiatingProcessAccountSid"));
    switch (mde_table_of(table, r)) {
    case MDE_REGISTRY:
        mapped = mde_registry(e, r, ev, host);
        break;
    case MDE_PROCESS:
        mapped = mde_process(e, r, ev, host);
        break;
    case MDE_NETWORK:
        mapped = mde_network(e, r, ev, host);
        break;
    case MDE_FILE:
        mapped = mde_file(e, r, ev, host);
        break;
    default:
        mapped = false;
        break;
    }
    if (!mapped) {
        ev->provider = "Microsoft-Defender-for-Endpoint";
        ev->channel = table ? table : "AdvancedHunting";
        ev->event_id = 0;
    }
}

/* ---- CrowdStrike Falcon ------------------------------------------------------------------- */

static const struct edr_proc *cs_lookup(struct edr *e, const char *host, const rh_event_field *id);

/* Falcon fields come bare (FDR) or with Event Search's "_decimal" suffix. */
static const rh_event_field *cs_get(const struct rec *r, const char *name)
{
    char b[64];
    const rh_event_field *f = get(r, name);
    if (f) {
        return f;
    }
    snprintf(b, sizeof(b), "%s_decimal", name);
    return get(r, b);
}

static bool cs_registry(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    bool ok;
    uint64_t op = num_of(cs_get(r, "RegOperationType"), &ok);
    const rh_event_field *vn = get(r, "RegValueName");
    const char *etype = "SetValue";
    uint32_t id = 13;
    bool value = true, details = true;
    if (ok) {
        switch (op) {
        case 1:
        case 5:
        case 101:
            break;
        case 2:
        case 102:
            etype = "DeleteValue";
            id = 12;
            details = false;
            break;
        case 3:
        case 6:
            etype = "CreateKey";
            id = 12;
            value = details = false;
            break;
        case 4:
            etype = "DeleteKey";
            id = 12;
            value = details = false;
            break;
        case 7:
            etype = "RenameKey";
            id = 14;
            value = details = false;
            break;
        default:
            return false;
        }
    }
    sysmon_header(ev, id);
    put_n(e, "EventType", etype, strlen(etype));
    put_utctime(e, ev->timestamp);
    put_guid(e, "ProcessGuid", host, cs_get(r, "ContextProcessId"), NULL);
    {
        const struct edr_proc *p = cs_lookup(e, host, cs_get(r, "ContextProcessId"));
        if (p) {
            if (p->pid) {
                put_n(e, "ProcessId", p->pid, strlen(p->pid));
            }
            put_n(e, "Image", p->image, strlen(p->image));
        }
    }
    put_target(e, get(r, "RegObjectName"), vn, value);
    if (details) {
        const rh_event_field *s = get(r, "RegStringValue");
        const rh_event_field *n = cs_get(r, "RegNumericValue");
        int type = reg_type_of(cs_get(r, "RegType"));
        if (type < 0) {
            type = s ? 1 : n ? 4 : 3;
        }
        put_details(e, type, s, n);
    }
    put_f(e, "User", get(r, "UserName"));
    return true;
}

/* Key of a Falcon process in e->tmp: host and the sensor's process id. */
static bool cs_proc_key(struct edr *e, const char *host, const rh_event_field *id)
{
    if (!id) {
        return false;
    }
    rh_buf_reset(&e->tmp);
    rh_buf_puts(&e->tmp, host ? host : "");
    rh_buf_putc(&e->tmp, '\n');
    rh_buf_append(&e->tmp, id->value, id->value_len);
    if (rh_buf_status(&e->tmp) != RH_OK) {
        e->nomem = true;
        return false;
    }
    return true;
}

/* Remember a ProcessRollup2's image and pid (silently not, past the caps). */
static void cs_remember(struct edr *e, const char *host, const rh_event_field *id,
                        const rh_event_field *image, const rh_event_field *pid)
{
    struct rh_strmap_entry *en;
    struct edr_proc *p;
    bool added;
    if (!image || !cs_proc_key(e, host, id) ||
        rh_strmap_put(&e->procs, e->tmp.data, e->tmp.len, &en, &added) != RH_OK) {
        return;
    }
    p = rh_arena_alloc(&e->proc_arena, sizeof(*p));
    if (!p) {
        return;
    }
    p->image = rh_arena_strndup(&e->proc_arena, image->value, image->value_len);
    p->pid = pid ? rh_arena_strndup(&e->proc_arena, pid->value, pid->value_len) : NULL;
    en->val = p->image ? (size_t)(uintptr_t)p : 0;
}

static const struct edr_proc *cs_lookup(struct edr *e, const char *host, const rh_event_field *id)
{
    struct rh_strmap_entry *en;
    if (!cs_proc_key(e, host, id)) {
        return NULL;
    }
    en = rh_strmap_find(&e->procs, e->tmp.data, e->tmp.len);
    return en && en->val ? (const struct edr_proc *)(uintptr_t)en->val : NULL;
}

static bool cs_process(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    cs_remember(e, host, cs_get(r, "TargetProcessId"), get(r, "ImageFileName"),
                cs_get(r, "RawProcessId"));
    sysmon_header(ev, 1);
    put_utctime(e, ev->timestamp);
    put_guid(e, "ProcessGuid", host, cs_get(r, "TargetProcessId"), NULL);
    put_f(e, "ProcessId", cs_get(r, "RawProcessId"));
    put_f(e, "Image", get(r, "ImageFileName"));
    put_f(e, "CommandLine", get(r, "CommandLine"));
    put_f(e, "User", get(r, "UserName"));
    put_guid(e, "ParentProcessGuid", host, cs_get(r, "ParentProcessId"), NULL);
    put_f(e, "ParentImage", get(r, "ParentBaseFileName"));
    return true;
}

static void map_falcon(struct edr *e, const struct rec *r, rh_event *ev)
{
    static const char *const k_host[] = {"ComputerName", "aid", NULL};
    static const char *const k_time[] = {"ContextTimeStamp", "timestamp", "ProcessStartTime", NULL};
    const rh_event_field *name = get(r, "event_simpleName");
    const char *host = dup_f(e, get_any(r, k_host));
    bool mapped = false;
    ev->computer = host;
    ev->timestamp = time_of(get_any(r, k_time));
    ev->user_sid = dup_f(e, get(r, "UserSid"));
    if (val_eq(name, "RegGenericValueUpdate") || val_eq(name, "RegSystemConfigValueUpdate") ||
        val_eq(name, "AsepValueUpdate") || val_eq(name, "RegCrowdstrikeValueUpdate") ||
        val_eq(name, "SuspiciousRegAsepUpdate")) {
        mapped = cs_registry(e, r, ev, host);
    } else if (val_eq(name, "ProcessRollup2") || val_eq(name, "SyntheticProcessRollup2")) {
        mapped = cs_process(e, r, ev, host);
    }
    if (!mapped) {
        ev->provider = "CrowdStrike-Falcon";
        ev->channel = dup_f(e, name);
        ev->event_id = 0;
    }
}

/* ---- SentinelOne Deep Visibility ----------------------------------------------------------- */

static bool contains_ci(const rh_event_field *f, const char *needle)
{
    size_t l = strlen(needle), i;
    for (i = 0; f && i + l <= f->value_len; i++) {
        if (rh_ascii_casecmp(f->value + i, l, needle, l) == 0) {
            return true;
        }
    }
    return false;
}

static void map_s1(struct edr *e, const struct rec *r, rh_event *ev)
{
    static const char *const k_key[] = {"RegistryKeyPath", "registry.keyPath", "RegistryPath",
                                        NULL};
    static const char *const k_type[] = {"EventType", "event.type", NULL};
    static const char *const k_host[] = {"EndpointName", "endpoint.name", "AgentName", NULL};
    static const char *const k_time[] = {"EventTime", "event.time", "CreatedAt", "timestamp", NULL};
    static const char *const k_image[] = {"SrcProcImagePath", "src.process.image.path", NULL};
    static const char *const k_pid[] = {"SrcProcPid", "src.process.pid", NULL};
    static const char *const k_uid[] = {"SrcProcUid", "src.process.uid", "SrcProcStorylineId",
                                        "src.process.storyline.id", NULL};
    static const char *const k_user[] = {"SrcProcUser", "src.process.user", NULL};
    static const char *const k_cmd[] = {"SrcProcCmdLine", "src.process.cmdline", NULL};
    static const char *const k_val[] = {"RegistryValue", "registry.value", NULL};
    static const char *const k_vtype[] = {"RegistryValueType", "registry.valueType", NULL};
    const rh_event_field *t = get_any(r, k_type), *key = get_any(r, k_key);
    const char *host = dup_f(e, get_any(r, k_host));
    const char *etype = NULL;
    uint32_t id = 12;
    bool key_ev = contains_ci(t, "key");
    ev->computer = host;
    ev->timestamp = time_of(get_any(r, k_time));
    if (key && contains_ci(t, "delete")) {
        etype = key_ev ? "DeleteKey" : "DeleteValue";
    } else if (key && contains_ci(t, "renam")) {
        etype = "RenameKey";
        id = 14;
    } else if (key && key_ev && contains_ci(t, "creat")) {
        etype = "CreateKey";
    } else if (key && contains_ci(t, "value")) {
        etype = "SetValue";
        id = 13;
    }
    if (!etype) {
        ev->provider = "SentinelOne";
        ev->channel = dup_f(e, t);
        return;
    }
    sysmon_header(ev, id);
    put_n(e, "EventType", etype, strlen(etype));
    put_utctime(e, ev->timestamp);
    put_guid(e, "ProcessGuid", host, get_any(r, k_uid), NULL);
    put_f(e, "ProcessId", get_any(r, k_pid));
    put_f(e, "Image", get_any(r, k_image));
    /* the value name is the last component of the key path of a value event */
    put_target(e, key, NULL, false);
    if (id == 13) {
        put_details(e, reg_type_of(get_any(r, k_vtype)), get_any(r, k_val), NULL);
    }
    put_f(e, "User", get_any(r, k_user));
    put_f(e, "CommandLine", get_any(r, k_cmd));
}

/* ---- Splunk exports of Windows events (Sysmon) --------------------------------------------- */

/* Splunk's own fields: not EventData. */
static bool splunk_meta(const char *name)
{
    static const char *const meta[] = {
        "host",          "source",    "sourcetype", "index",        "splunk_server",
        "linecount",     "punct",     "eventtype",  "tag",          "timestartpos",
        "timeendpos",    "EventCode", "Computer",   "ComputerName", "RecordNumber",
        "EventRecordID", "preview",   "offset",     "lastrow",      NULL};
    size_t i;
    if (name[0] == '_' || strncmp(name, "date_", 5) == 0 || strncmp(name, "tag::", 5) == 0) {
        return true;
    }
    for (i = 0; meta[i]; i++) {
        if (strcmp(name, meta[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* XML entity decoding of a Data element's text into e->tmp. */
static void xml_text(struct edr *e, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == '&') {
            static const struct {
                const char *ent;
                char c;
            } ents[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
            size_t k;
            bool done = false;
            for (k = 0; k < sizeof(ents) / sizeof(ents[0]) && !done; k++) {
                size_t l = strlen(ents[k].ent);
                if (n - i >= l && memcmp(p + i, ents[k].ent, l) == 0) {
                    rh_buf_putc(&e->tmp, ents[k].c);
                    i += l;
                    done = true;
                }
            }
            if (!done && n - i > 3 && p[i + 1] == '#') {
                uint32_t cp = 0;
                size_t j = i + 2;
                bool hex = j < n && (p[j] == 'x' || p[j] == 'X');
                j += hex;
                for (; j < n && j < i + 12 && p[j] != ';'; j++) {
                    char c = p[j];
                    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                                 : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
                                     ? (unsigned)((c | 0x20) - 'a' + 10)
                                     : 99;
                    if (d == 99) {
                        break;
                    }
                    cp = cp * (hex ? 16 : 10) + d;
                }
                if (j < n && p[j] == ';' && cp && cp <= 0x10FFFF) {
                    rh_buf_put_cp(&e->tmp, cp);
                    i = j + 1;
                    done = true;
                }
            }
            if (done) {
                continue;
            }
        }
        rh_buf_putc(&e->tmp, p[i]);
        i++;
    }
}

static const char *find_n(const char *p, size_t n, const char *needle)
{
    size_t l = strlen(needle), i;
    for (i = 0; i + l <= n; i++) {
        if (p[i] == needle[0] && memcmp(p + i, needle, l) == 0) {
            return p + i;
        }
    }
    return NULL;
}

/* <Data Name='X'>v</Data> of an XML _raw (XmlWinEventLog): each name not already a field. */
static void splunk_raw_xml(struct edr *e, const struct rec *r, const rh_event_field *raw)
{
    const char *p = raw->value, *end = raw->value + raw->value_len;
    for (;;) {
        const char *d = find_n(p, (size_t)(end - p), "<Data Name=");
        const char *nm, *ne, *v, *ve;
        char q;
        if (!d || end - d < 14) {
            return;
        }
        q = d[11];
        nm = d + 12;
        ne = (q == '\'' || q == '"') ? memchr(nm, q, (size_t)(end - nm)) : NULL;
        if (!ne || ne + 1 >= end) {
            return;
        }
        if (ne[1] == '/') { /* <Data Name='X'/> */
            v = ve = ne;
            p = ne + 1;
        } else if (ne[1] == '>') {
            v = ne + 2;
            ve = find_n(v, (size_t)(end - v), "</Data>");
            if (!ve) {
                return;
            }
            p = ve + 7;
        } else {
            p = ne + 1;
            continue;
        }
        {
            const char *name = rh_arena_strndup(&e->arena, nm, (size_t)(ne - nm));
            size_t i;
            bool present = false;
            if (!name) {
                e->nomem = true;
                return;
            }
            for (i = 0; i < r->n && !present; i++) {
                present = strcmp(r->f[i].name, name) == 0;
            }
            if (!present) {
                rh_buf_reset(&e->tmp);
                xml_text(e, v, (size_t)(ve - v));
                put_tmp(e, name);
            }
        }
    }
}

static void map_splunk(struct edr *e, const struct rec *r, rh_event *ev)
{
    static const char *const k_host[] = {"Computer", "ComputerName", "host", NULL};
    static const char *const k_rec[] = {"RecordNumber", "EventRecordID", NULL};
    const rh_event_field *src = get(r, "source"), *raw = get(r, "_raw");
    const rh_event_field *st = get(r, "sourcetype");
    bool ok;
    size_t i;
    ev->event_id = (uint32_t)num_of(get(r, "EventCode"), &ok);
    ev->computer = dup_f(e, get_any(r, k_host));
    ev->record_id = num_of(get_any(r, k_rec), &ok);
    ev->timestamp = time_of(get(r, "_time"));
    if (contains_ci(src, "sysmon") || contains_ci(st, "sysmon") ||
        (raw && contains_ci(raw, "Microsoft-Windows-Sysmon"))) {
        ev->provider = SYSMON_PROVIDER;
        ev->channel = SYSMON_CHANNEL;
    } else if (contains_ci(src, ":Security") || contains_ci(st, ":Security")) {
        ev->provider = "Microsoft-Windows-Security-Auditing";
        ev->channel = "Security";
    } else {
        ev->provider = "Splunk";
        ev->channel = dup_f(e, src ? src : st);
    }
    for (i = 0; i < r->n; i++) {
        if (!splunk_meta(r->f[i].name) && r->f[i].type != RH_FIELD_NULL) {
            size_t at = e->n;
            put_n(e, r->f[i].name, r->f[i].value, r->f[i].value_len);
            if (!e->nomem) {
                e->out[at].type = r->f[i].type;
                e->out[at].num = r->f[i].num;
            }
        }
    }
    if (raw && raw->value[0] == '<') {
        splunk_raw_xml(e, r, raw);
    }
}

/* ---- entry points ------------------------------------------------------------------------- */

int events_edr_detect(const rh_event_field *f, size_t n)
{
    struct rec r;
    r.f = f;
    r.n = n;
    if (has(&r, "event_simpleName")) {
        return EDR_FALCON;
    }
    if (has(&r, "ActionType") && (has(&r, "DeviceName") || has(&r, "DeviceId"))) {
        return EDR_MDE;
    }
    if (has(&r, "RegistryKeyPath") || has(&r, "registry.keyPath") ||
        (has(&r, "SrcProcImagePath") && (has(&r, "ObjectType") || has(&r, "EventType")))) {
        return EDR_S1;
    }
    if (has(&r, "EventCode") &&
        (has(&r, "_raw") || has(&r, "_time") || has(&r, "sourcetype") || has(&r, "source"))) {
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
        map_mde(e, &r, table, &ev);
        break;
    case EDR_FALCON:
        map_falcon(e, &r, &ev);
        break;
    case EDR_S1:
        map_s1(e, &r, &ev);
        break;
    default:
        map_splunk(e, &r, &ev);
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
