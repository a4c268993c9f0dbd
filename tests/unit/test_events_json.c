/*
 * JSON/NDJSON input: each documented shape (tests/data/events/), gzip, a bad line in NDJSON,
 * unrecognised input, and the normalized JSON line.
 */
#include "rh_test.h"

#define MAXEV 8

static struct {
    char provider[128], channel[128], computer[64], user[64];
    unsigned eid;
    unsigned long long rid, ts, off;
    unsigned pid, tid;
    char json[4096];
    char f_target[256], f_details[128], f_flag[16];
    int flag_type;
    size_t nfields;
} evs[MAXEV];
static int nev;

static void cp(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "(null)");
}

static rh_status on_ev(const rh_event *ev, void *u)
{
    const rh_event_field *f;
    rh_buf b;
    (void)u;
    if (nev >= MAXEV) {
        return RH_OK;
    }
    cp(evs[nev].provider, 128, ev->provider);
    cp(evs[nev].channel, 128, ev->channel);
    cp(evs[nev].computer, 64, ev->computer);
    cp(evs[nev].user, 64, ev->user_sid);
    evs[nev].eid = ev->event_id;
    evs[nev].rid = ev->record_id;
    evs[nev].ts = ev->timestamp;
    evs[nev].off = ev->source_offset;
    evs[nev].pid = ev->process_id;
    evs[nev].tid = ev->thread_id;
    evs[nev].nfields = ev->nfields;
    f = rh_event_field_get(ev, "TargetObject");
    cp(evs[nev].f_target, 256, f ? f->value : NULL);
    f = rh_event_field_get(ev, "Details");
    cp(evs[nev].f_details, 128, f ? f->value : NULL);
    f = rh_event_field_get(ev, "Flag");
    cp(evs[nev].f_flag, 16, f ? f->value : NULL);
    evs[nev].flag_type = f ? (int)f->type : -1;
    rh_buf_init(&b, NULL);
    if (rh_event_to_json(ev, &b) == RH_OK) {
        cp(evs[nev].json, sizeof(evs[nev].json), b.data);
    }
    rh_buf_free(&b);
    nev++;
    return RH_OK;
}

static rh_status read_fixture(rh_ctx *ctx, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "data/events/%s", name);
    nev = 0;
    memset(evs, 0, sizeof(evs));
    return rh_events_read_file(ctx, path, NULL, on_ev, NULL);
}

static uint64_t iso(const char *s)
{
    uint64_t ft = 0;
    RH_CHECK(rh_time_parse_iso(s, strlen(s), &ft) == RH_OK);
    return ft;
}

static void test_ecs(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "ecs.ndjson"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(evs[0].provider, "Microsoft-Windows-Sysmon");
    RH_CHECK_STR(evs[0].channel, "Microsoft-Windows-Sysmon/Operational");
    RH_CHECK_STR(evs[0].computer, "MSEDGEWIN10");
    RH_CHECK_STR(evs[0].user, "S-1-5-18");
    RH_CHECK_EQ(evs[0].eid, 13);
    RH_CHECK_EQ(evs[0].rid, 424060);
    RH_CHECK_EQ(evs[0].pid, 2064);
    RH_CHECK_EQ(evs[0].tid, 3036);
    RH_CHECK_EQ(evs[0].ts, iso("2020-10-23T21:57:36.375Z"));
    RH_CHECK_EQ(evs[0].off, 1);
    RH_CHECK_EQ(evs[0].nfields, 8);
    RH_CHECK_STR(evs[0].f_details, "C:\\x.exe");
    RH_CHECK(strstr(evs[0].json,
                    "\"normalized\":\"HKU\\\\S-1-5-21-1-2-3-1000\\\\SOFTWARE\\\\MICROSOFT"
                    "\\\\WINDOWS\\\\CURRENTVERSION\\\\RUN\\\\X\"") != NULL);
    /* string event id, host.hostname fallback, Security 4657 registry path */
    RH_CHECK_EQ(evs[1].eid, 4657);
    RH_CHECK_EQ(evs[1].rid, 77);
    RH_CHECK_STR(evs[1].computer, "dc01");
    RH_CHECK(strstr(evs[1].json,
                    "\"raw\":\"\\\\REGISTRY\\\\MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Windows"
                    "\\\\CurrentVersion\\\\Run\\\\evil\"") != NULL);
    RH_CHECK(strstr(evs[1].json, "\"normalized\":\"HKLM\\\\SOFTWARE\\\\MICROSOFT\\\\WINDOWS\\\\"
                                 "CURRENTVERSION\\\\RUN\\\\EVIL\"") != NULL);
}

static void test_flat(rh_ctx *ctx, const char *name)
{
    uint64_t before = rh_ctx_anomaly_count(ctx);
    RH_CHECK_EQ(read_fixture(ctx, name), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_EQ(rh_ctx_anomaly_count(ctx) - before, 1); /* the non-JSON line */
    RH_CHECK_STR(evs[0].provider, "Microsoft-Windows-Sysmon");
    RH_CHECK_STR(evs[0].computer, "WORKSTATION5");
    RH_CHECK_EQ(evs[0].eid, 12);
    RH_CHECK_EQ(evs[0].rid, 1843);
    RH_CHECK_EQ(evs[0].pid, 2512);
    RH_CHECK_EQ(evs[0].tid, 3640);
    RH_CHECK_STR(evs[0].user, "S-1-5-18");
    RH_CHECK_EQ(evs[0].ts, iso("2020-09-21T17:05:28.911Z"));
    RH_CHECK_STR(evs[0].f_target, "HKLM\\System\\CurrentControlSet\\Services\\evilsvc");
    RH_CHECK(strstr(evs[0].json,
                    "{\"name\":\"EventType\",\"type\":\"string\",\"value\":\"CreateKey\"}"));
    RH_CHECK(strstr(evs[0].json, "{\"name\":\"Level\",\"type\":\"int\",\"value\":\"4\"}"));
    RH_CHECK(strstr(evs[0].json, "\"name\":\"EventID\"") == NULL); /* consumed as header */
    RH_CHECK_EQ(evs[1].off, 4);                                    /* line number */
    RH_CHECK_STR(evs[1].f_flag, "true");
    RH_CHECK_EQ(evs[1].flag_type, RH_FIELD_BOOL);
    RH_CHECK(strstr(evs[1].json, "{\"name\":\"Nothing\",\"type\":\"null\",\"value\":\"\"}"));
    RH_CHECK(strstr(evs[1].json, "{\"name\":\"Ratio\",\"type\":\"float\",\"value\":\"0.5\"}"));
    RH_CHECK(strstr(evs[1].json, "{\"name\":\"Tags\",\"type\":\"string\",\"value\":\"b\"}"));
}

static void test_evtx_dump(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "evtx_dump.json"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(evs[0].provider, "Microsoft-Windows-Sysmon");
    RH_CHECK_EQ(evs[0].eid, 14);
    RH_CHECK_EQ(evs[0].rid, 3600);
    RH_CHECK_EQ(evs[0].pid, 2064);
    RH_CHECK_STR(evs[0].user, "S-1-5-18");
    RH_CHECK_EQ(evs[0].ts, iso("2019-07-19T14:50:01.123456Z"));
    RH_CHECK_EQ(evs[0].nfields, 4);
    RH_CHECK_EQ(evs[0].off, 1);
    RH_CHECK(strstr(evs[0].json,
                    "\"normalized\":\"HKU\\\\S-1-5-21-1-2-3-1000\\\\SOFTWARE\\\\CLASSES"
                    "\\\\CLSID\\\\{A}\"") != NULL);
    RH_CHECK_STR(evs[1].provider, "Microsoft-Windows-Security-Auditing");
    RH_CHECK_EQ(evs[1].eid, 4663);
    RH_CHECK_EQ(evs[1].rid, 900);
    RH_CHECK_EQ(evs[1].nfields, 3);
    RH_CHECK_EQ(evs[1].off, 22);
    RH_CHECK(strstr(evs[1].json, "\"normalized\":\"HKLM\\\\SYSTEM\\\\CURRENTCONTROLSET\\\\SERVICES"
                                 "\\\\X\"") != NULL);
}

static void test_array_and_errors(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "array.json"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_EQ(evs[1].eid, 3);
    RH_CHECK_STR(evs[1].computer, "H1");
    RH_CHECK_EQ(read_fixture(ctx, "README.md"), RH_ERR_FORMAT);
    RH_CHECK_EQ(read_fixture(ctx, "does-not-exist.json"), RH_ERR_IO);
    /* EVTX through the same entry point */
    nev = 0;
    RH_CHECK_EQ(rh_events_read_file(ctx, "data/evtx/mini.evtx", NULL, on_ev, NULL), RH_OK);
    RH_CHECK_EQ(nev, 4);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_ecs(ctx);
    test_flat(ctx, "flat.ndjson");
    test_flat(ctx, "flat.ndjson.gz");
    test_evtx_dump(ctx);
    test_array_and_errors(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_events_json");
}
