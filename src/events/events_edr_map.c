/*
 * EDR and SIEM export shapes, one mapping per product (docs/events.md "EDR and SIEM exports"):
 * each turns one record into the event Sysmon would have logged for the same action, with the
 * helpers of events_edr.c.
 */
#include <stdio.h>

#include "events_edr_internal.h"

/* ---- Microsoft Defender for Endpoint ------------------------------------------------------ */

enum mde_table { MDE_OTHER, MDE_REGISTRY, MDE_PROCESS, MDE_NETWORK, MDE_FILE };

static enum mde_table mde_table_of(const char *table, const struct rec *r)
{
    const rh_event_field *a = edr_get(r, "ActionType");
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
    if (rh_ascii_prefix(a->value, a->value_len, "Registry") && edr_has(r, "RegistryKey")) {
        return MDE_REGISTRY;
    }
    if (edr_val_eq(a, "ProcessCreated") && edr_has(r, "ProcessCommandLine")) {
        return MDE_PROCESS;
    }
    if (edr_has(r, "RemoteIP") && edr_has(r, "LocalIP")) {
        return MDE_NETWORK;
    }
    if (rh_ascii_prefix(a->value, a->value_len, "File") && edr_has(r, "FolderPath")) {
        return MDE_FILE;
    }
    return MDE_OTHER;
}

/* The initiating process as Sysmon's actor fields (ProcessGuid, ProcessId, Image, User). */
static void mde_actor(struct edr *e, const struct rec *r, const char *host)
{
    edr_put_guid(e, "ProcessGuid", host, edr_get(r, "InitiatingProcessId"),
                 edr_get(r, "InitiatingProcessCreationTime"));
    edr_put_f(e, "ProcessId", edr_get(r, "InitiatingProcessId"));
    edr_put_image(e, "Image", edr_get(r, "InitiatingProcessFolderPath"),
                  edr_get(r, "InitiatingProcessFileName"));
}

static bool mde_registry(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = edr_get(r, "ActionType");
    const rh_event_field *key = edr_get(r, "RegistryKey"),
                         *prev = edr_get(r, "PreviousRegistryKey");
    const rh_event_field *vn = edr_get(r, "RegistryValueName");
    const char *etype;
    uint32_t id = 12;
    bool value = false, details = false;
    if (edr_val_eq(a, "RegistryValueSet")) {
        etype = "SetValue";
        id = 13;
        value = details = true;
    } else if (edr_val_eq(a, "RegistryKeyCreated")) {
        etype = "CreateKey";
    } else if (edr_val_eq(a, "RegistryKeyDeleted")) {
        etype = "DeleteKey";
        key = key ? key : prev;
    } else if (edr_val_eq(a, "RegistryValueDeleted")) {
        etype = "DeleteValue";
        key = key ? key : prev;
        vn = vn ? vn : edr_get(r, "PreviousRegistryValueName");
        value = true;
    } else if (edr_val_eq(a, "RegistryKeyRenamed")) {
        etype = "RenameKey";
        id = 14;
    } else {
        return false;
    }
    edr_sysmon_header(ev, id);
    edr_put_n(e, "EventType", etype, strlen(etype));
    edr_put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    if (id == 14) {
        edr_put_target(e, prev ? prev : key, NULL, false);
        if (prev && key) {
            rh_buf_reset(&e->tmp);
            rh_regpath_sysmon(key->value, key->value_len, &e->tmp);
            edr_put_tmp(e, "NewName");
        }
    } else {
        edr_put_target(e, key, vn, value);
    }
    if (details) {
        edr_put_details(e, edr_reg_type_of(edr_get(r, "RegistryValueType")),
                        edr_get(r, "RegistryValueData"), NULL);
    }
    edr_put_user(e, edr_get(r, "InitiatingProcessAccountDomain"),
                 edr_get(r, "InitiatingProcessAccountName"));
    return true;
}

static void mde_hashes(struct edr *e, const struct rec *r)
{
    static const char *const names[][2] = {{"SHA1", "SHA1"}, {"MD5", "MD5"}, {"SHA256", "SHA256"}};
    size_t i;
    bool any = false;
    rh_buf_reset(&e->tmp);
    for (i = 0; i < 3; i++) {
        const rh_event_field *h = edr_get(r, names[i][1]);
        if (h) {
            rh_buf_printf(&e->tmp, "%s%s=", any ? "," : "", names[i][0]);
            rh_buf_append(&e->tmp, h->value, h->value_len);
            any = true;
        }
    }
    if (any) {
        edr_put_tmp(e, "Hashes");
    }
}

static bool mde_process(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    if (!edr_val_eq(edr_get(r, "ActionType"), "ProcessCreated")) {
        return false;
    }
    edr_sysmon_header(ev, 1);
    edr_put_utctime(e, ev->timestamp);
    edr_put_guid(e, "ProcessGuid", host, edr_get(r, "ProcessId"),
                 edr_get(r, "ProcessCreationTime"));
    edr_put_f(e, "ProcessId", edr_get(r, "ProcessId"));
    edr_put_image(e, "Image", edr_get(r, "FolderPath"), edr_get(r, "FileName"));
    edr_put_f(e, "CommandLine", edr_get(r, "ProcessCommandLine"));
    edr_put_user(e, edr_get(r, "AccountDomain"), edr_get(r, "AccountName"));
    edr_put_f(e, "IntegrityLevel", edr_get(r, "ProcessIntegrityLevel"));
    mde_hashes(e, r);
    edr_put_guid(e, "ParentProcessGuid", host, edr_get(r, "InitiatingProcessId"),
                 edr_get(r, "InitiatingProcessCreationTime"));
    edr_put_f(e, "ParentProcessId", edr_get(r, "InitiatingProcessId"));
    edr_put_image(e, "ParentImage", edr_get(r, "InitiatingProcessFolderPath"),
                  edr_get(r, "InitiatingProcessFileName"));
    edr_put_f(e, "ParentCommandLine", edr_get(r, "InitiatingProcessCommandLine"));
    return true;
}

static bool mde_network(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = edr_get(r, "ActionType");
    bool inbound = edr_val_eq(a, "InboundConnectionAccepted");
    if (!a || !(rh_ascii_prefix(a->value, a->value_len, "Connection") || inbound)) {
        return false;
    }
    edr_sysmon_header(ev, 3);
    edr_put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    edr_put_user(e, edr_get(r, "InitiatingProcessAccountDomain"),
                 edr_get(r, "InitiatingProcessAccountName"));
    edr_put_f(e, "Protocol", edr_get(r, "Protocol"));
    edr_put_n(e, "Initiated", inbound ? "false" : "true", inbound ? 5 : 4);
    edr_put_f(e, "SourceIp", edr_get(r, "LocalIP"));
    edr_put_f(e, "SourcePort", edr_get(r, "LocalPort"));
    edr_put_f(e, "DestinationIp", edr_get(r, "RemoteIP"));
    edr_put_f(e, "DestinationPort", edr_get(r, "RemotePort"));
    edr_put_f(e, "DestinationHostname", edr_get(r, "RemoteUrl"));
    return true;
}

static bool mde_file(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    const rh_event_field *a = edr_get(r, "ActionType");
    if (!a || !rh_ascii_prefix(a->value, a->value_len, "File")) {
        return false;
    }
    edr_sysmon_header(ev, edr_val_eq(a, "FileDeleted") ? 23 : 11);
    edr_put_utctime(e, ev->timestamp);
    mde_actor(e, r, host);
    edr_put_image(e, "TargetFilename", edr_get(r, "FolderPath"), edr_get(r, "FileName"));
    edr_put_user(e, edr_get(r, "InitiatingProcessAccountDomain"),
                 edr_get(r, "InitiatingProcessAccountName"));
    return true;
}

void edr_map_mde(struct edr *e, const struct rec *r, const char *table, rh_event *ev)
{
    static const char *const k_time[] = {"Timestamp", "TimeGenerated", "time", NULL};
    const char *host = edr_dup_f(e, edr_get(r, "DeviceName"));
    bool mapped = false;
    ev->computer = host;
    ev->timestamp = edr_time_of(edr_get_any(r, k_time));
    ev->record_id = edr_num_of(edr_get(r, "ReportId"), &mapped);
    ev->user_sid = edr_dup_f(e, edr_get(r, "InitiatingProcessAccountSid"));
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
    const rh_event_field *f = edr_get(r, name);
    if (f) {
        return f;
    }
    snprintf(b, sizeof(b), "%s_decimal", name);
    return edr_get(r, b);
}

static bool cs_registry(struct edr *e, const struct rec *r, rh_event *ev, const char *host)
{
    bool ok;
    uint64_t op = edr_num_of(cs_get(r, "RegOperationType"), &ok);
    const rh_event_field *vn = edr_get(r, "RegValueName");
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
    edr_sysmon_header(ev, id);
    edr_put_n(e, "EventType", etype, strlen(etype));
    edr_put_utctime(e, ev->timestamp);
    edr_put_guid(e, "ProcessGuid", host, cs_get(r, "ContextProcessId"), NULL);
    {
        const struct edr_proc *p = cs_lookup(e, host, cs_get(r, "ContextProcessId"));
        if (p) {
            if (p->pid) {
                edr_put_n(e, "ProcessId", p->pid, strlen(p->pid));
            }
            edr_put_n(e, "Image", p->image, strlen(p->image));
        }
    }
    edr_put_target(e, edr_get(r, "RegObjectName"), vn, value);
    if (details) {
        const rh_event_field *s = edr_get(r, "RegStringValue");
        const rh_event_field *n = cs_get(r, "RegNumericValue");
        int type = edr_reg_type_of(cs_get(r, "RegType"));
        if (type < 0) {
            type = s ? 1 : n ? 4 : 3;
        }
        edr_put_details(e, type, s, n);
    }
    edr_put_f(e, "User", edr_get(r, "UserName"));
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
    cs_remember(e, host, cs_get(r, "TargetProcessId"), edr_get(r, "ImageFileName"),
                cs_get(r, "RawProcessId"));
    edr_sysmon_header(ev, 1);
    edr_put_utctime(e, ev->timestamp);
    edr_put_guid(e, "ProcessGuid", host, cs_get(r, "TargetProcessId"), NULL);
    edr_put_f(e, "ProcessId", cs_get(r, "RawProcessId"));
    edr_put_f(e, "Image", edr_get(r, "ImageFileName"));
    edr_put_f(e, "CommandLine", edr_get(r, "CommandLine"));
    edr_put_f(e, "User", edr_get(r, "UserName"));
    edr_put_guid(e, "ParentProcessGuid", host, cs_get(r, "ParentProcessId"), NULL);
    edr_put_f(e, "ParentImage", edr_get(r, "ParentBaseFileName"));
    return true;
}

void edr_map_falcon(struct edr *e, const struct rec *r, rh_event *ev)
{
    static const char *const k_host[] = {"ComputerName", "aid", NULL};
    static const char *const k_time[] = {"ContextTimeStamp", "timestamp", "ProcessStartTime", NULL};
    const rh_event_field *name = edr_get(r, "event_simpleName");
    const char *host = edr_dup_f(e, edr_get_any(r, k_host));
    bool mapped = false;
    ev->computer = host;
    ev->timestamp = edr_time_of(edr_get_any(r, k_time));
    ev->user_sid = edr_dup_f(e, edr_get(r, "UserSid"));
    if (edr_val_eq(name, "RegGenericValueUpdate") ||
        edr_val_eq(name, "RegSystemConfigValueUpdate") || edr_val_eq(name, "AsepValueUpdate") ||
        edr_val_eq(name, "RegCrowdstrikeValueUpdate") ||
        edr_val_eq(name, "SuspiciousRegAsepUpdate")) {
        mapped = cs_registry(e, r, ev, host);
    } else if (edr_val_eq(name, "ProcessRollup2") || edr_val_eq(name, "SyntheticProcessRollup2")) {
        mapped = cs_process(e, r, ev, host);
    }
    if (!mapped) {
        ev->provider = "CrowdStrike-Falcon";
        ev->channel = edr_dup_f(e, name);
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

void edr_map_s1(struct edr *e, const struct rec *r, rh_event *ev)
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
    const rh_event_field *t = edr_get_any(r, k_type), *key = edr_get_any(r, k_key);
    const char *host = edr_dup_f(e, edr_get_any(r, k_host));
    const char *etype = NULL;
    uint32_t id = 12;
    bool key_ev = contains_ci(t, "key");
    ev->computer = host;
    ev->timestamp = edr_time_of(edr_get_any(r, k_time));
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
        ev->channel = edr_dup_f(e, t);
        return;
    }
    edr_sysmon_header(ev, id);
    edr_put_n(e, "EventType", etype, strlen(etype));
    edr_put_utctime(e, ev->timestamp);
    edr_put_guid(e, "ProcessGuid", host, edr_get_any(r, k_uid), NULL);
    edr_put_f(e, "ProcessId", edr_get_any(r, k_pid));
    edr_put_f(e, "Image", edr_get_any(r, k_image));
    /* the value name is the last component of the key path of a value event */
    edr_put_target(e, key, NULL, false);
    if (id == 13) {
        edr_put_details(e, edr_reg_type_of(edr_get_any(r, k_vtype)), edr_get_any(r, k_val), NULL);
    }
    edr_put_f(e, "User", edr_get_any(r, k_user));
    edr_put_f(e, "CommandLine", edr_get_any(r, k_cmd));
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
                edr_put_tmp(e, name);
            }
        }
    }
}

void edr_map_splunk(struct edr *e, const struct rec *r, rh_event *ev)
{
    static const char *const k_host[] = {"Computer", "ComputerName", "host", NULL};
    static const char *const k_rec[] = {"RecordNumber", "EventRecordID", NULL};
    const rh_event_field *src = edr_get(r, "source"), *raw = edr_get(r, "_raw");
    const rh_event_field *st = edr_get(r, "sourcetype");
    bool ok;
    size_t i;
    ev->event_id = (uint32_t)edr_num_of(edr_get(r, "EventCode"), &ok);
    ev->computer = edr_dup_f(e, edr_get_any(r, k_host));
    ev->record_id = edr_num_of(edr_get_any(r, k_rec), &ok);
    ev->timestamp = edr_time_of(edr_get(r, "_time"));
    if (contains_ci(src, "sysmon") || contains_ci(st, "sysmon") ||
        (raw && contains_ci(raw, "Microsoft-Windows-Sysmon"))) {
        ev->provider = SYSMON_PROVIDER;
        ev->channel = SYSMON_CHANNEL;
    } else if (contains_ci(src, ":Security") || contains_ci(st, ":Security")) {
        ev->provider = "Microsoft-Windows-Security-Auditing";
        ev->channel = "Security";
    } else {
        ev->provider = "Splunk";
        ev->channel = edr_dup_f(e, src ? src : st);
    }
    for (i = 0; i < r->n; i++) {
        if (!splunk_meta(r->f[i].name) && r->f[i].type != RH_FIELD_NULL) {
            size_t at = e->n;
            edr_put_n(e, r->f[i].name, r->f[i].value, r->f[i].value_len);
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
