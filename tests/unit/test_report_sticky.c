/*
 * Unit tests for src/report: every format reports a failed allocation at any point of its
 * output as RH_ERR_NOMEM, and a report that returns RH_OK is complete (the reporters write
 * through sticky rh_bufs and check the status once: a lost error would show as RH_OK with a
 * truncated or different output).
 */
#include "rh_test.h"

#include "reghunt/hunt.h"
#include "reghunt/kb.h"
#include "reghunt/report.h"

struct sink {
    char data[1 << 16];
    size_t len;
    int overflow;
};

static rh_status sink_write(void *user, const char *data, size_t len)
{
    struct sink *s = user;
    if (len > sizeof(s->data) - s->len) {
        s->overflow = 1;
        return RH_ERR_LIMIT;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return RH_OK;
}

static void add_finding(rh_hunt *h, const char *host, const char *data, rh_risk risk, int flags)
{
    rh_finding f;
    memset(&f, 0, sizeof(f));
    f.source = RH_FINDING_KB;
    f.technique = "T1547.001";
    f.technique_name = "Registry Run Keys / Startup Folder";
    f.location_id = "run_hkcu";
    f.host = host;
    f.user = "bob";
    f.user_sid = "S-1-5-21-1-2-3-1001";
    f.source_file = "C/Users/bob/NTUSER.DAT";
    f.hive_kind = "NTUSER";
    f.key_path = "HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
    f.key_path_len = strlen(f.key_path);
    f.value_name = "Upd";
    f.value_name_len = 3;
    f.value_type = "REG_MULTI_SZ";
    f.value_data = data;
    f.value_data_len = strlen(data);
    f.key_last_write = 133000000000000000ull;
    f.target_path = "C:\\Users\\Public\\u.exe";
    f.path_class = "public";
    f.risk = risk;
    f.confidence = RH_CONF_MEDIUM;
    f.action = RH_ACTION_INVESTIGATION;
    f.reasons = "target in C:\\Users\\Public; <script>alert(1)</script>";
    f.recommended_action = "Investigation: =cmd|' /C calc'!A0";
    f.deleted = flags & 1;
    f.hidden_name = !!(flags & 2);
    f.evidence = "Sysmon 13 set-value\nProcess tree:\n  reg.exe\n";
    f.evidence_len = strlen(f.evidence);
    f.event_time = 133000000100000000ull;
    f.process_executable = "C:\\Windows\\System32\\reg.exe";
    f.fusion_state = "confirmed";
    RH_CHECK_EQ(rh_hunt_add(h, &f), RH_OK);
}

static void test_format(rh_ctx *ctx, const rh_hunt *h, const char *fmt)
{
    static struct sink ref, out;
    rh_report_opts o;
    long n;
    int failures = 0;
    memset(&o, 0, sizeof(o));
    o.min_risk = RH_RISK_INFO;
    o.hypothesis = "Run keys of the finance hosts";
    memset(&ref, 0, sizeof(ref));
    rh_test_fail_alloc_at(0);
    RH_CHECK_EQ(rh_report_write(ctx, fmt, h, &o, sink_write, &ref), RH_OK);
    RH_CHECK(ref.len > 100 && !ref.overflow);
    for (n = 1; n < 5000; n++) {
        rh_status st;
        memset(&out, 0, sizeof(out));
        rh_test_fail_alloc_at(n);
        st = rh_report_write(ctx, fmt, h, &o, sink_write, &out);
        rh_test_fail_alloc_at(0);
        if (st == RH_OK) {
            /* complete and identical; once the report makes fewer than n allocations, no
             * later n injects a failure either */
            RH_CHECK(out.len == ref.len && memcmp(out.data, ref.data, ref.len) == 0);
            if (rh_test_alloc_count < n) {
                break;
            }
        } else {
            RH_CHECK_EQ(st, RH_ERR_NOMEM);
            failures++;
        }
    }
    RH_CHECK(failures > 0);
    fprintf(stderr, "%s: %d injected allocation failures reported\n", fmt, failures);
}

int main(void)
{
    static const char *const formats[] = {"text", "json", "jsonl",     "csv",       "md",
                                          "html", "ecs",  "navigator", "timesketch"};
    rh_allocator a = rh_test_allocator();
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    rh_hunt *h = NULL;
    size_t i;
    RH_CHECK_EQ(rh_ctx_create(&a, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    RH_CHECK_EQ(rh_hunt_create(ctx, kb, NULL, &h), RH_OK);
    add_finding(h, "WKSTN-1", "C:\\Users\\Public\\u.exe | -nop", RH_RISK_HIGH, 1);
    add_finding(h, "WKSTN-2", "powershell -enc AAAA", RH_RISK_CRITICAL, 2);
    add_finding(h, "SRV-1", "C:\\Program Files\\x.exe", RH_RISK_LOW, 0);
    RH_CHECK_EQ(rh_hunt_finish(h), RH_OK);
    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        test_format(ctx, h, formats[i]);
    }
    rh_hunt_destroy(h);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_report_sticky");
}
