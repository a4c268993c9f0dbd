/*
 * SIEM JSON input (jansson): Winlogbeat/ECS, flat exports (OTRF Security-Datasets, NXLog),
 * evtx_dump-style {"Event":{"System":...,"EventData":...}}; NDJSON streamed line by line,
 * or a JSON array / concatenated pretty-printed objects read as one document. zlib's gz*
 * reads plain and gzip-compressed input alike.
 */
#include <jansson.h>
#include <stdio.h>
#include <zlib.h>

#include "events_internal.h"

#define MAX_FLATTEN_DEPTH 8u

struct jev {
    rh_ctx *ctx;
    struct rh_arena arena; /* strings of the current event */
    rh_event_field *fields;
    size_t n, cap;
    bool nomem;
};

static const char *jdup(struct jev *j, const char *s, size_t n)
{
    const char *p = rh_arena_strndup(&j->arena, s, n);
    if (!p) {
        j->nomem = true;
    }
    return p;
}

/* Text and type of a scalar JSON value; false for objects and arrays. */
static bool scalar_text(struct jev *j, const json_t *v, const char **text, size_t *len,
                        rh_field_type *type, uint64_t *num)
{
    char b[64];
    int n;
    *num = 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *text = json_string_value(v);
        *len = json_string_length(v);
        *type = RH_FIELD_STRING;
        return true;
    case JSON_INTEGER:
        n = snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
        *num = (uint64_t)json_integer_value(v);
        *type = RH_FIELD_INT;
        break;
    case JSON_REAL:
        n = snprintf(b, sizeof(b), "%.17g", json_real_value(v));
        *type = RH_FIELD_FLOAT;
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n = snprintf(b, sizeof(b), "%s", json_is_true(v) ? "true" : "false");
        *num = json_is_true(v);
        *type = RH_FIELD_BOOL;
        break;
    case JSON_NULL:
        *text = "";
        *len = 0;
        *type = RH_FIELD_NULL;
        return true;
    default:
        return false;
    }
    *text = jdup(j, b, (size_t)n);
    *len = (size_t)n;
    return *text != NULL;
}

static void add_field(struct jev *j, const char *name, size_t name_len, const json_t *v)
{
    const char *text;
    size_t len;
    rh_field_type type;
    uint64_t num;
    rh_event_field *f;
    if (!scalar_text(j, v, &text, &len, &type, &num)) {
        return;
    }
    if (j->n == j->cap) {
        size_t ncap = j->cap ? j->cap * 2 : 32;
        rh_event_field *nf = rh_realloc(j->ctx, j->fields, ncap * sizeof(*nf));
        if (!nf) {
            j->nomem = true;
            return;
        }
        j->fields = nf;
        j->cap = ncap;
    }
    f = &j->fields[j->n];
    f->name = jdup(j, name, name_len);
    f->value = text;
    f->value_len = len;
    f->type = type;
    f->num = num;
    if (f->name) {
        j->n++;
    }
}

/* Fields from an object: scalars by key; nested objects flattened "a.b"; arrays repeated. */
static void add_fields_from(struct jev *j, const json_t *obj, const char *prefix, size_t plen,
                            unsigned depth, const char *const *skip)
{
    const char *key;
    json_t *v;
    char name[512];
    if (depth > MAX_FLATTEN_DEPTH) {
        return;
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i, klen = strlen(key);
        int n;
        bool skipped = false;
        for (i = 0; skip && skip[i]; i++) {
            if (strcmp(skip[i], key) == 0) {
                skipped = true;
            }
        }
        if (skipped || strcmp(key, "#attributes") == 0) {
            continue;
        }
        n = plen ? snprintf(name, sizeof(name), "%.*s.%s", (int)plen, prefix, key)
                 : snprintf(name, sizeof(name), "%s", key);
        if (n < 0 || (size_t)n >= sizeof(name)) {
            continue;
        }
        (void)klen;
        if (json_is_object(v)) {
            const json_t *t = json_object_get(v, "#text");
            if (t && json_is_string(t)) {
                add_field(j, name, (size_t)n, t);
            } else {
                add_fields_from(j, v, name, (size_t)n, depth + 1, NULL);
            }
        } else if (json_is_array(v)) {
            size_t k;
            json_t *it;
            json_array_foreach(v, k, it)
            {
                if (!json_is_object(it) && !json_is_array(it)) {
                    add_field(j, name, (size_t)n, it);
                }
            }
        } else {
            add_field(j, name, (size_t)n, v);
        }
    }
}

static const json_t *path_get(const json_t *o, const char *a, const char *b, const char *c)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, a) : NULL;
    if (v && b) {
        v = json_is_object(v) ? json_object_get(v, b) : NULL;
    }
    if (v && c) {
        v = json_is_object(v) ? json_object_get(v, c) : NULL;
    }
    return v;
}

static const char *jstring(struct jev *j, const json_t *v)
{
    const char *t;
    size_t len;
    rh_field_type type;
    uint64_t num;
    if (!v || json_is_null(v) || !scalar_text(j, v, &t, &len, &type, &num)) {
        return NULL;
    }
    return t;
}

static uint64_t juint(const json_t *v)
{
    if (json_is_integer(v)) {
        return (uint64_t)json_integer_value(v);
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        uint64_t r = 0;
        size_t i;
        bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
        for (i = hex ? 2 : 0; s[i]; i++) {
            unsigned d;
            if (s[i] >= '0' && s[i] <= '9') {
                d = (unsigned)(s[i] - '0');
            } else if (hex && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')) {
                d = (unsigned)((s[i] | 0x20) - 'a' + 10);
            } else {
                break;
            }
            if (r > (UINT64_MAX - d) / (hex ? 16 : 10)) {
                return 0;
            }
            r = r * (hex ? 16 : 10) + d;
        }
        return r;
    }
    if (json_is_object(v)) {
        const json_t *t = json_object_get(v, "#text");
        return t && !json_is_object(t) ? juint(t) : 0;
    }
    return 0;
}

static uint64_t jtime(const json_t *v)
{
    uint64_t ft = 0;
    if (json_is_string(v) &&
        rh_time_parse_iso(json_string_value(v), json_string_length(v), &ft) == RH_OK) {
        return ft;
    }
    return 0;
}

/* evtx_dump / xmltodict attribute: {"#attributes":{"Name":..}}, {"@Name":..} or {"Name":..}. */
static const json_t *xattr(const json_t *el, const char *name)
{
    char at[64];
    const json_t *v;
    if (!json_is_object(el)) {
        return NULL;
    }
    v = path_get(el, "#attributes", name, NULL);
    if (v) {
        return v;
    }
    snprintf(at, sizeof(at), "@%s", name);
    v = json_object_get(el, at);
    return v ? v : json_object_get(el, name);
}

static void map_ecs(struct jev *j, const json_t *o, rh_event *ev)
{
    const json_t *w = json_object_get(o, "winlog"), *v;
    ev->provider = jstring(j, json_object_get(w, "provider_name"));
    ev->channel = jstring(j, json_object_get(w, "channel"));
    v = json_object_get(w, "event_id");
    ev->event_id = (uint32_t)juint(v ? v : path_get(o, "event", "code", NULL));
    ev->record_id = juint(json_object_get(w, "record_id"));
    ev->computer = jstring(j, json_object_get(w, "computer_name"));
    if (!ev->computer) {
        ev->computer = jstring(j, path_get(o, "host", "name", NULL));
    }
    if (!ev->computer) {
        ev->computer = jstring(j, path_get(o, "host", "hostname", NULL));
    }
    ev->user_sid = jstring(j, path_get(w, "user", "identifier", NULL));
    ev->process_id = (uint32_t)juint(path_get(w, "process", "pid", NULL));
    ev->thread_id = (uint32_t)juint(path_get(w, "process", "thread", "id"));
    ev->timestamp = jtime(json_object_get(o, "@timestamp"));
    if (!ev->timestamp) {
        ev->timestamp = jtime(json_object_get(w, "time_created"));
    }
    v = json_object_get(w, "event_data");
    if (json_is_object(v)) {
        add_fields_from(j, v, "", 0, 0, NULL);
    }
    v = json_object_get(w, "user_data");
    if (json_is_object(v)) {
        add_fields_from(j, v, "", 0, 0, NULL);
    }
}

static void data_fields(struct jev *j, const json_t *ed)
{
    const json_t *data = json_object_get(ed, "Data");
    static const char *const skip_data[] = {"Data", NULL};
    if (json_is_array(data) || (json_is_object(data) && xattr(data, "Name"))) {
        size_t i;
        const json_t *it;
        for (i = 0; i < (json_is_array(data) ? json_array_size(data) : 1); i++) {
            const json_t *nm, *val;
            it = json_is_array(data) ? json_array_get(data, i) : data;
            nm = xattr(it, "Name");
            if (json_is_object(it)) {
                val = json_object_get(it, "#text");
                if (!val) {
                    val = json_null();
                }
            } else {
                val = it;
            }
            if (json_is_string(nm)) {
                add_field(j, json_string_value(nm), json_string_length(nm), val);
            } else if (!json_is_object(val) && !json_is_array(val)) {
                add_field(j, "Data", 4, val);
            }
        }
        add_fields_from(j, ed, "", 0, 0, skip_data);
        return;
    }
    add_fields_from(j, ed, "", 0, 0, NULL);
}

static void map_evtx_dump(struct jev *j, const json_t *o, rh_event *ev)
{
    const json_t *e = json_object_get(o, "Event"), *s, *v;
    if (!json_is_object(e)) {
        e = o;
    }
    s = json_object_get(e, "System");
    v = json_object_get(s, "Provider");
    ev->provider = jstring(j, xattr(v, "Name"));
    if (!ev->provider) {
        ev->provider = jstring(j, xattr(v, "EventSourceName"));
    }
    ev->event_id = (uint32_t)juint(json_object_get(s, "EventID"));
    ev->record_id = juint(json_object_get(s, "EventRecordID"));
    ev->timestamp = jtime(xattr(json_object_get(s, "TimeCreated"), "SystemTime"));
    v = json_object_get(s, "Execution");
    ev->process_id = (uint32_t)juint(xattr(v, "ProcessID"));
    ev->thread_id = (uint32_t)juint(xattr(v, "ThreadID"));
    v = json_object_get(s, "Channel");
    ev->channel = jstring(j, json_is_object(v) ? json_object_get(v, "#text") : v);
    v = json_object_get(s, "Computer");
    ev->computer = jstring(j, json_is_object(v) ? json_object_get(v, "#text") : v);
    ev->user_sid = jstring(j, xattr(json_object_get(s, "Security"), "UserID"));
    v = json_object_get(e, "EventData");
    if (json_is_object(v)) {
        data_fields(j, v);
    }
    v = json_object_get(e, "UserData");
    if (json_is_object(v)) {
        const char *key;
        json_t *w;
        json_object_foreach((json_t *)v, key, w)
        {
            if (json_is_object(w)) {
                add_fields_from(j, w, "", 0, 0, NULL);
            }
        }
    }
}

/* Flat exports: header keys are consumed, every other top-level key becomes a field. */
static const char *const flat_header_keys[] = {"EventID",
                                               "EventId",
                                               "Channel",
                                               "Hostname",
                                               "Computer",
                                               "ComputerName",
                                               "SourceName",
                                               "ProviderName",
                                               "Provider_Name",
                                               "Provider",
                                               "EventRecordID",
                                               "RecordNumber",
                                               "TimeCreated",
                                               "EventTime",
                                               "@timestamp",
                                               "TimeGenerated",
                                               "ExecutionProcessID",
                                               "ExecutionThreadID",
                                               "ThreadID",
                                               "UserID",
                                               "UserSid",
                                               NULL};

static const json_t *first_of(const json_t *o, const char *const *keys)
{
    size_t i;
    for (i = 0; keys[i]; i++) {
        const json_t *v = json_object_get(o, keys[i]);
        if (v && !json_is_null(v)) {
            return v;
        }
    }
    return NULL;
}

static void map_flat(struct jev *j, const json_t *o, rh_event *ev)
{
    static const char *const k_id[] = {"EventID", "EventId", NULL};
    static const char *const k_prov[] = {"SourceName", "ProviderName", "Provider_Name", "Provider",
                                         NULL};
    static const char *const k_host[] = {"Hostname", "Computer", "ComputerName", NULL};
    static const char *const k_rec[] = {"EventRecordID", "RecordNumber", NULL};
    static const char *const k_time[] = {"@timestamp", "TimeCreated", "EventTime", "TimeGenerated",
                                         NULL};
    static const char *const k_pid[] = {"ExecutionProcessID", NULL};
    static const char *const k_tid[] = {"ExecutionThreadID", "ThreadID", NULL};
    static const char *const k_user[] = {"UserID", "UserSid", NULL};
    const json_t *v;
    ev->event_id = (uint32_t)juint(first_of(o, k_id));
    ev->provider = jstring(j, first_of(o, k_prov));
    ev->channel = jstring(j, json_object_get(o, "Channel"));
    ev->computer = jstring(j, first_of(o, k_host));
    ev->record_id = juint(first_of(o, k_rec));
    v = first_of(o, k_time);
    ev->timestamp = jtime(v);
    ev->process_id = (uint32_t)juint(first_of(o, k_pid));
    ev->thread_id = (uint32_t)juint(first_of(o, k_tid));
    ev->user_sid = jstring(j, first_of(o, k_user));
    add_fields_from(j, o, "", 0, 0, flat_header_keys);
}

/* A key that one of the EDR/SIEM export shapes has at the top (events_edr.c). */
static bool edr_hint(const json_t *o)
{
    static const char *const keys[] = {
        "event_simpleName", "ActionType", "EventCode",        "properties",       "result",
        "RegistryKeyPath",  "registry",   "registry.keyPath", "SrcProcImagePath", NULL};
    size_t i;
    for (i = 0; keys[i]; i++) {
        if (json_object_get(o, keys[i])) {
            return true;
        }
    }
    return false;
}

/* An EDR/SIEM export record: MDE's streaming wrapper {"time","category":"AdvancedHunting-T",
 * "properties":{..}}, Splunk's {"preview":..,"result":{..}} rows, or a flat record. Returns
 * RH_NOT_FOUND when the object is none of the shapes (j is left empty). */
static rh_status edr_object(struct events_src *src, const json_t *o, uint64_t pos)
{
    struct jev *j = src->jev;
    const json_t *props = json_object_get(o, "properties"), *cat = json_object_get(o, "category");
    const json_t *res = json_object_get(o, "result"), *body = o;
    const char *table = NULL;
    int shape;
    if (json_is_object(props) && json_is_string(cat) &&
        strncmp(json_string_value(cat), "AdvancedHunting-", 16) == 0) {
        body = props;
        table = json_string_value(cat) + 16;
    } else if (json_is_object(res)) {
        body = res;
    }
    add_fields_from(j, body, "", 0, 0, NULL);
    if (body == props && json_object_get(o, "time")) {
        add_field(j, "time", 4, json_object_get(o, "time"));
    }
    if (j->nomem) {
        return RH_ERR_NOMEM;
    }
    shape = events_edr_detect(j->fields, j->n);
    if (table && shape == EDR_NONE) {
        shape = EDR_MDE;
    }
    if (shape != EDR_NONE) {
        return events_edr_emit(src, shape, table, j->fields, j->n, pos);
    }
    rh_arena_reset(&j->arena);
    j->n = 0;
    return RH_NOT_FOUND;
}

/* Event Hub's message body {"records":[{"category":"AdvancedHunting-..",..},..]}. */
static bool is_hub_message(const json_t *o)
{
    const json_t *r = json_object_get(o, "records"), *c;
    c = json_is_array(r) ? json_object_get(json_array_get(r, 0), "category") : NULL;
    return json_is_string(c) && strncmp(json_string_value(c), "AdvancedHunting-", 16) == 0;
}

rh_status events_json_object(struct events_src *src, const json_t *o, uint64_t pos)
{
    struct jev *j = src->jev;
    rh_event ev;
    rh_status st;
    if (!json_is_object(o)) {
        return rh_diagf(src->ctx, RH_DIAG_ANOMALY, "events", src->path, (int64_t)pos,
                        "JSON value is not an object; skipped");
    }
    if (is_hub_message(o)) {
        const json_t *r = json_object_get(o, "records"), *it;
        size_t i;
        json_array_foreach(r, i, it)
        {
            if (!json_is_object(it) || is_hub_message(it)) {
                continue; /* one level of wrapping only */
            }
            st = events_json_object(src, it, pos);
            if (st != RH_OK) {
                return st;
            }
        }
        return RH_OK;
    }
    memset(&ev, 0, sizeof(ev));
    rh_arena_reset(&j->arena);
    j->n = 0;
    j->nomem = false;
    if (!json_object_get(o, "winlog") && edr_hint(o)) {
        st = edr_object(src, o, pos);
        if (st != RH_NOT_FOUND) {
            return st;
        }
    }
    if (json_is_object(json_object_get(o, "winlog"))) {
        map_ecs(j, o, &ev);
    } else if (json_is_object(json_object_get(o, "Event")) ||
               json_is_object(json_object_get(o, "System"))) {
        map_evtx_dump(j, o, &ev);
    } else {
        map_flat(j, o, &ev);
    }
    if (j->nomem) {
        return RH_ERR_NOMEM;
    }
    ev.fields = j->fields;
    ev.nfields = j->n;
    ev.source = src->path;
    ev.source_offset = pos;
    st = src->fn(&ev, src->user);
    return st;
}

rh_status events_jev_create(struct events_src *src)
{
    struct jev *j = rh_calloc(src->ctx, 1, sizeof(*j));
    if (!j) {
        return RH_ERR_NOMEM;
    }
    j->ctx = src->ctx;
    rh_arena_init(&j->arena, src->ctx, 16384, 0);
    src->jev = j;
    return RH_OK;
}

void events_jev_free(struct events_src *src)
{
    struct jev *j = src->jev;
    if (!j) {
        return;
    }
    rh_arena_free(&j->arena);
    rh_free(src->ctx, j->fields);
    rh_free(src->ctx, j);
    src->jev = NULL;
}
