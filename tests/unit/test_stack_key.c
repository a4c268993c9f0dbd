/*
 * Unit tests for fleet stacking (include/reghunt/stack.h): the stack key normalisation of
 * docs/fleet.md (every example of the doc), the ranking formula and its example (a Medium
 * value on 2 of 1,000 hosts outranks a High value on all 1,000), and aggregation from JSONL
 * lines: distinct hosts, representative, risk counts, times, malformed lines, filters.
 */
#include "rh_test.h"

static const char *norm(rh_ctx *ctx, const char *s)
{
    static char out[1024];
    rh_buf b = RH_BUF_INIT(ctx);
    rh_stack_normalize(&b, s, strlen(s));
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    rh_buf_free(&b);
    return out;
}

static void check_same(rh_ctx *ctx, const char *a, const char *b)
{
    char na[1024];
    snprintf(na, sizeof(na), "%s", norm(ctx, a));
    if (strcmp(na, norm(ctx, b)) != 0) {
        fprintf(stderr, "not one form: \"%s\" -> \"%s\" vs \"%s\" -> \"%s\"\n", a, na, b,
                norm(ctx, b));
    }
    RH_CHECK(strcmp(na, norm(ctx, b)) == 0);
}

static void check_differ(rh_ctx *ctx, const char *a, const char *b)
{
    char na[1024];
    snprintf(na, sizeof(na), "%s", norm(ctx, a));
    RH_CHECK(strcmp(na, norm(ctx, b)) != 0);
}

static void test_normalize(rh_ctx *ctx)
{
    /* docs/fleet.md, "Stack key" examples */
    RH_CHECK_STR(norm(ctx, "C:\\Users\\bob\\AppData\\Roaming\\x.exe"),
                 "<user>\\appdata\\roaming\\x.exe");
    check_same(ctx, "C:\\Users\\bob\\AppData\\Roaming\\x.exe", "%APPDATA%\\x.exe");
    check_same(ctx, "%LocalAppData%\\Microsoft\\Teams\\Update.exe --processStart \"Teams.exe\"",
               "C:\\Users\\alice.smith\\AppData\\Local\\Microsoft\\Teams\\Update.exe "
               "--processStart \"Teams.exe\"");
    check_same(ctx, "%USERPROFILE%\\x.exe", "D:\\Documents and Settings\\bob\\x.exe");
    check_same(ctx, "%USERPROFILE%\\x.exe", "C:\\Users\\carol.o'neil\\x.exe");
    RH_CHECK_STR(norm(ctx, "cd 'C:\\Users\\bob' && x"), "cd '<user>' && x");
    check_same(ctx, "%HOMEDRIVE%%HOMEPATH%\\x.exe", "C:\\Users\\bob\\x.exe");
    check_same(ctx, "%ProgramFiles%\\Vendor\\agent.exe", "C:\\Program Files\\Vendor\\agent.exe");
    check_same(ctx, "%ProgramFiles(x86)%\\V\\a.exe", "c:\\program files (x86)\\v\\a.exe");
    check_same(ctx, "%SystemRoot%\\system32\\svc.exe", "D:\\WINDOWS\\System32\\svc.exe");
    check_same(ctx, "\\SystemRoot\\System32\\drivers\\x.sys",
               "C:\\Windows\\System32\\drivers\\x.sys");
    check_same(ctx, "\\??\\C:\\Windows\\x.exe", "C:\\Windows\\x.exe");
    check_same(ctx, "%windir%\\x.exe", "%SYSTEMROOT%\\x.exe");
    RH_CHECK_STR(norm(ctx, "%ProgramData%\\x.exe"), "<drive>\\programdata\\x.exe");
    RH_CHECK_STR(norm(ctx, "C:\\Users\\Public\\x.exe"), "<drive>\\users\\public\\x.exe");
    check_same(ctx, "%PUBLIC%\\x.exe", "C:\\Users\\Public\\x.exe");
    /* versions */
    RH_CHECK_STR(norm(ctx, "C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\22.131.0703.0002"
                           "\\FileSyncShell64.dll"),
                 "<user>\\appdata\\local\\microsoft\\onedrive\\<ver>\\filesyncshell64.dll");
    check_same(ctx, "%LOCALAPPDATA%\\slack\\app-4.29.149\\slack.exe",
               "%LOCALAPPDATA%\\slack\\app-4.33.90\\slack.exe");
    check_same(ctx, "%LOCALAPPDATA%\\Microsoft\\Teams\\current\\Teams.exe",
               "%LOCALAPPDATA%\\Microsoft\\Teams\\1.5.00.12345\\Teams.exe");
    check_same(ctx, "C:\\Program Files\\App\\v2.1\\a.exe", "C:\\Program Files\\App\\v3.0.1\\a.exe");
    check_differ(ctx, "C:\\App\\2\\a.exe", "C:\\App\\3\\a.exe");       /* no dot: not a version */
    check_differ(ctx, "C:\\tools\\a-1.2.exe", "C:\\tools\\a-1.3.exe"); /* file name kept */
    /* SIDs, GUIDs, hex runs */
    RH_CHECK_STR(norm(ctx, "HKU\\S-1-5-21-1004336348-1177238915-682003330-1001\\x"),
                 "hku\\<sid>\\x");
    RH_CHECK_STR(norm(ctx, "S-1-5-18"), "s-1-5-18");
    RH_CHECK_STR(norm(ctx, "C:\\ProgramData\\{0D2B7A3C-1111-2222-3333-444455556666}\\i.exe"),
                 "<drive>\\programdata\\<guid>\\i.exe");
    RH_CHECK_STR(norm(ctx, "C:\\ProgramData\\0d2b7a3c-1111-2222-3333-444455556666\\i.exe"),
                 "<drive>\\programdata\\<guid>\\i.exe");
    RH_CHECK_STR(norm(ctx, "MicrosoftEdgeAutoLaunch_0F3B2C1D4E5F60718293A4B5C6D7E8F9"),
                 "microsoftedgeautolaunch_<hex>");
    RH_CHECK_STR(norm(ctx, "deadbeef"), "deadbeef"); /* short hex kept */
    /* what must stay apart */
    check_differ(ctx, "%APPDATA%\\upd.exe", "%APPDATA%\\upd2.exe");
    check_differ(ctx, "%APPDATA%\\upd.exe", "%LOCALAPPDATA%\\upd.exe");
    check_differ(ctx, "C:\\Users\\Public\\x.exe", "C:\\Users\\bob\\x.exe");
    RH_CHECK_STR(norm(ctx, "%UNKNOWN%\\x"), "%unknown%\\x");
    RH_CHECK_STR(norm(ctx, "rundll32.exe a.dll,#1 /S"), "rundll32.exe a.dll,#1 /s");
    RH_CHECK_STR(norm(ctx, ""), "");
    RH_CHECK_STR(norm(ctx, "%"), "%");
    RH_CHECK_STR(norm(ctx, "C:"), "c:");
}

static void test_key(rh_ctx *ctx)
{
    rh_buf a = RH_BUF_INIT(ctx), b = RH_BUF_INIT(ctx);
    rh_stack_key(&a, "run_hkcu", 8, "OneDrive", 8,
                 "\"C:\\Users\\bob\\AppData\\Local\\Microsoft\\"
                 "OneDrive\\OneDrive.exe\" /background",
                 73);
    RH_CHECK_STR(a.data, "run_hkcu|onedrive|\"<user>\\appdata\\local\\microsoft\\onedrive\\"
                         "onedrive.exe\" /background");
    /* a '|' in the name cannot shift the split between name and data */
    rh_buf_reset(&a);
    rh_stack_key(&a, "run_hkcu", 8, "A|x", 3, "y", 1);
    rh_stack_key(&b, "run_hkcu", 8, "A", 1, "x|y", 3);
    RH_CHECK(strcmp(a.data, b.data) != 0);
    RH_CHECK_STR(a.data, "run_hkcu|a<pipe>x|y");
    rh_buf_free(&a);
    rh_buf_free(&b);
}

static void test_score(void)
{
    /* docs/fleet.md: 4^risk * log2(1 + total / hosts) */
    double med_rare = rh_stack_score(RH_RISK_MEDIUM, 2, 1000);
    double high_all = rh_stack_score(RH_RISK_HIGH, 1000, 1000);
    RH_CHECK(med_rare > high_all);
    RH_CHECK(med_rare > 143.49 && med_rare < 143.51); /* 16 * log2(501) = 143.498 */
    RH_CHECK(high_all == 64.0);
    RH_CHECK(rh_stack_score(RH_RISK_CRITICAL, 1000, 1000) == 256.0);
    RH_CHECK(rh_stack_score(RH_RISK_INFO, 1, 1000) < rh_stack_score(RH_RISK_MEDIUM, 1000, 1000));
    RH_CHECK(rh_stack_score(RH_RISK_LOW, 1, 1000) > rh_stack_score(RH_RISK_LOW, 2, 1000));
    RH_CHECK(rh_stack_score(RH_RISK_HIGH, 0, 1000) == 0.0);
    RH_CHECK(rh_stack_score(RH_RISK_HIGH, 1, 0) == 0.0);
}

static rh_status add_raw(rh_stack *s, const char *host, const char *lid, const char *name,
                         const char *data, const char *risk, const char *klw)
{
    char line[1024];
    int n = snprintf(line, sizeof(line),
                     "{\"host\":\"%s\",\"location_id\":\"%s\",\"technique\":\"T1547.001\","
                     "\"value_name\":\"%s\",\"value_data\":\"%s\",\"target_path\":\"\","
                     "\"risk\":\"%s\",\"key_last_write\":%s}",
                     host, lid, name, data, risk, klw);
    return rh_stack_add_line(s, line, (size_t)n);
}

static void add(rh_stack *s, const char *host, const char *lid, const char *name, const char *data,
                const char *risk, const char *klw)
{
    RH_CHECK_EQ(add_raw(s, host, lid, name, data, risk, klw), RH_OK);
}

static void test_aggregate(rh_ctx *ctx)
{
    rh_stack *s = NULL;
    rh_stack_filter f;
    const rh_stack_row *r;
    char host[32];
    int i;
    RH_CHECK_EQ(rh_stack_create(ctx, &s), RH_OK);
    /* a High value on all 1,000 hosts, a Medium one on 2: the Medium ranks first */
    for (i = 0; i < 1000; i++) {
        snprintf(host, sizeof(host), "HOST-%04d", i);
        add(s, host, "run_hklm", "Agent", "C:\\\\Program Files\\\\V\\\\agent.exe", "High", "null");
        add(s, host, "run_hklm", "Agent", "C:\\\\Program Files\\\\V\\\\agent.exe", "High", "null");
    }
    add(s, "HOST-0500", "run_hkcu", "upd", "C:\\\\Users\\\\bob\\\\AppData\\\\Roaming\\\\upd.exe",
        "Medium", "\"2026-11-19T06:02:05.0000000Z\"");
    add(s, "HOST-0007", "run_hkcu", "upd", "%APPDATA%\\\\upd.exe", "Low",
        "\"2026-11-10T00:00:00Z\"");
    RH_CHECK_EQ(rh_stack_add_line(s, "{not json", 9), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_stack_add_line(s, "{\"host\":\"x\"}", 12), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_stack_add_line(s, "[1]", 3), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_stack_finish(s, NULL), RH_OK);
    RH_CHECK_EQ(rh_stack_count(s), 2);
    r = rh_stack_at(s, 0);
    RH_CHECK(r != NULL);
    if (r) {
        RH_CHECK_STR(r->location_id, "run_hkcu");
        RH_CHECK_EQ(r->hosts, 2);
        RH_CHECK_EQ(r->total_hosts, 1000);
        RH_CHECK_EQ(r->max_risk, RH_RISK_MEDIUM);
        RH_CHECK_EQ(r->risk_counts[RH_RISK_MEDIUM], 1);
        RH_CHECK_EQ(r->risk_counts[RH_RISK_LOW], 1);
        RH_CHECK_STR(r->value_data, "%APPDATA%\\upd.exe"); /* lexically smallest original */
        RH_CHECK_EQ(r->n_sample_hosts, 2);
        RH_CHECK_STR(r->sample_hosts[0], "HOST-0007");
        RH_CHECK(r->first_seen > 0 && r->first_seen < r->last_seen);
        RH_CHECK_STR(r->stack_key, "run_hkcu|upd|<user>\\appdata\\roaming\\upd.exe");
    }
    r = rh_stack_at(s, 1);
    RH_CHECK(r && r->hosts == 1000 && r->risk_counts[RH_RISK_HIGH] == 2000);
    RH_CHECK(r && r->n_sample_hosts == 10 && strcmp(r->sample_hosts[9], "HOST-0009") == 0);
    RH_CHECK(r && r->first_seen == 0);
    /* filters */
    memset(&f, 0, sizeof(f));
    f.min_risk = RH_RISK_HIGH;
    RH_CHECK_EQ(rh_stack_finish(s, &f), RH_OK);
    RH_CHECK_EQ(rh_stack_count(s), 1);
    f.min_risk = RH_RISK_INFO;
    f.max_prevalence = 0.01;
    RH_CHECK_EQ(rh_stack_finish(s, &f), RH_OK);
    RH_CHECK(rh_stack_count(s) == 1 && rh_stack_at(s, 0)->hosts == 2);
    f.max_prevalence = 0;
    f.top = 1;
    RH_CHECK_EQ(rh_stack_finish(s, &f), RH_OK);
    RH_CHECK_EQ(rh_stack_count(s), 1);
    RH_CHECK(rh_stack_at(s, 1) == NULL);
    RH_CHECK_EQ(rh_stack_get_stats(s)->findings, 2002);
    rh_stack_destroy(s);
}

/* Every allocation failure gives an error or a consistent result, never a crash or leak. */
static void test_alloc_failures(void)
{
    long at;
    for (at = 1; at < 200; at++) {
        rh_allocator a = {rh_test_malloc, rh_test_realloc, rh_test_free, NULL};
        rh_ctx *c = NULL;
        rh_stack *s = NULL;
        rh_test_alloc_count = 0;
        rh_test_alloc_fail_at = at;
        if (rh_ctx_create(&a, &c) != RH_OK) {
            continue;
        }
        if (rh_stack_create(c, &s) == RH_OK) {
            add_raw(s, "H1", "run_hkcu", "a", "%APPDATA%\\\\a.exe", "Low", "null");
            rh_stack_add_line(s, "{\"host\":\"H2\",\"location_id\":\"x\",\"risk\":\"Info\"}", 46);
            rh_stack_finish(s, NULL);
        }
        rh_stack_destroy(s);
        rh_ctx_destroy(c);
    }
    rh_test_alloc_fail_at = 0;
    rh_test_passed++;
}

int main(void)
{
    rh_ctx *ctx = NULL;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 1;
    }
    test_normalize(ctx);
    test_key(ctx);
    test_score();
    test_aggregate(ctx);
    test_alloc_failures();
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_stack_key");
}
