/*
 * Walks every knowledge-base row (pattern syntax, technique id format, non-empty why and
 * technique name, unique ids), checks matching, pruning, entry points and user TSV loading,
 * and that docs/kb.md lists every location id.
 */
#include "rh_test.h"

#include "common/common.h"
#include "kb/kb_internal.h"

static void test_rows(rh_kb *kb)
{
    size_t i, j, n = rh_kb_count(kb);
    RH_CHECK(n >= 150);
    for (i = 0; i < n; i++) {
        const rh_kb_location *l = rh_kb_at(kb, i);
        int ok = rh_kb_pattern_check(l->key_pattern) == RH_OK && kb_technique_valid(l->technique) &&
                 l->why[0] && l->technique_name[0] && l->value_pattern[0] &&
                 (unsigned)l->hive < RH_KB_HIVE_COUNT && (unsigned)l->interp < RH_KB_INTERP_COUNT &&
                 (unsigned)l->check < RH_KB_CHECK_COUNT && l->base_risk <= RH_RISK_CRITICAL &&
                 l->builtin == 1;
        if (!ok) {
            fprintf(stderr, "bad row %s\n", l->id);
        }
        RH_CHECK(ok);
        for (j = i + 1; j < n; j++) {
            RH_CHECK(strcmp(l->id, rh_kb_at(kb, j)->id) != 0);
        }
        RH_CHECK(rh_kb_find(kb, l->id) == l);
    }
    RH_CHECK(kb_technique_valid("T1547.001"));
    RH_CHECK(kb_technique_valid("T1112"));
    RH_CHECK(!kb_technique_valid("T1547.1"));
    RH_CHECK(!kb_technique_valid("t1547"));
    RH_CHECK_EQ(rh_kb_pattern_check("A\\\\B"), RH_ERR_ARG);
    RH_CHECK_EQ(rh_kb_pattern_check("A\\x**y"), RH_ERR_ARG);
    RH_CHECK_EQ(rh_kb_pattern_check("**\\A"), RH_OK);
}

static const char *first(rh_kb *kb, rh_kb_hive h, const char *key, const char *val)
{
    const rh_kb_location *m[8];
    size_t n = 0;
    rh_kb_match(kb, h, key, strlen(key), val, strlen(val), m, 8, &n);
    return n ? m[0]->id : "";
}

static void test_match(rh_kb *kb)
{
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, "Microsoft\\Windows\\CurrentVersion\\Run", "x"),
                 "run_hklm");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, "MICROSOFT\\windows\\currentversion\\RUN", "x"),
                 "run_hklm");
    RH_CHECK_STR(
        first(kb, RH_KB_HIVE_SYSTEM, "ControlSet002\\Control\\Session Manager", "BootExecute"),
        "bootexecute");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SYSTEM, "ControlSet001\\Control\\Session Manager", "Other"),
                 "");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE,
                       "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution "
                       "Options\\sethc.exe",
                       "Debugger"),
                 "ifeo_debugger");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE,
                       "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution "
                       "Options\\chrome.exe",
                       "MitigationOptions"),
                 "");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE,
                       "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution "
                       "Options\\a.exe\\filter1",
                       "Debugger"),
                 "ifeo_filter_debugger");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_USRCLASS,
                       "CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32", ""),
                 "com_hkcu_inprocserver32");
    /* NTUSER Software\Classes is the per-user classes view */
    RH_CHECK_STR(first(kb, RH_KB_HIVE_NTUSER,
                       "Software\\Classes\\CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\"
                       "InprocServer32",
                       ""),
                 "com_hkcu_inprocserver32");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_USRCLASS, "CLSID\\notaguid\\InprocServer32", ""), "");
    /* specificity: exefile beats the generic handler pattern */
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, "Classes\\exefile\\shell\\open\\command", ""),
                 "exefile_open_command");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, "Classes\\txtfile\\shell\\open\\command", ""),
                 "progid_shell_open_command_hklm");
    RH_CHECK_STR(
        first(kb, RH_KB_HIVE_USRCLASS, "ms-settings\\shell\\open\\command", "DelegateExecute"),
        "uacbypass_ms_settings");
    /* "**" at any depth */
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE,
                       "Microsoft\\Windows\\CurrentVersion\\Run\\AutorunsDisabled", "x"),
                 "autorunsdisabled_software");
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE,
                       "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\A\\B\\C",
                       "Index"),
                 "taskcache_tree_index");
    /* attacker input: embedded NUL, huge depth */
    {
        char deep[4096];
        size_t i;
        for (i = 0; i + 2 < sizeof(deep); i += 2) {
            deep[i] = 'a';
            deep[i + 1] = '\\';
        }
        deep[sizeof(deep) - 2] = 'a';
        deep[sizeof(deep) - 1] = '\0';
        RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, deep, "x"), "");
        RH_CHECK_EQ(rh_kb_should_descend(kb, RH_KB_HIVE_SOFTWARE, deep, strlen(deep)), 0);
        RH_CHECK_EQ(rh_kb_match(kb, RH_KB_HIVE_SOFTWARE, "Microsoft\0x", 11, "", 0, NULL, 0, NULL),
                    RH_OK);
    }
}

static void test_prune(rh_kb *kb)
{
    size_t i;
    uint32_t below = 0;
    const char *p;
    int saw_run = 0;
    RH_CHECK(rh_kb_should_descend(kb, RH_KB_HIVE_SOFTWARE, "", 0));
    RH_CHECK(rh_kb_should_descend(kb, RH_KB_HIVE_SOFTWARE, "Microsoft", 9));
    RH_CHECK(!rh_kb_should_descend(kb, RH_KB_HIVE_SOFTWARE, "Adobe", 5));
    RH_CHECK(rh_kb_should_descend(kb, RH_KB_HIVE_SYSTEM, "ControlSet001\\Services", 22));
    RH_CHECK(rh_kb_should_descend(kb, RH_KB_HIVE_NTUSER, "Software\\Classes", 16));
    RH_CHECK(rh_kb_should_descend(kb, RH_KB_HIVE_NTUSER, "Software\\Classes\\CLSID", 22));
    for (i = 0; (p = rh_kb_entry_point(kb, RH_KB_HIVE_SOFTWARE, i, &below)) != NULL; i++) {
        if (strcmp(p, "Microsoft\\Windows\\CurrentVersion\\RunOnceEx") == 0) {
            saw_run = 1;
            RH_CHECK(below >= 2); /* RunOnceEx\<entry>\Depend */
        }
        if (strcmp(p, "Microsoft") == 0) {
            RH_CHECK_EQ(below, UINT32_MAX); /* Microsoft\**\AutorunsDisabled */
        }
    }
    RH_CHECK(saw_run);
    RH_CHECK(rh_kb_entry_point(kb, RH_KB_HIVE_SYSTEM, 0, &below) != NULL);
}

static void test_tsv(rh_ctx *ctx)
{
    rh_kb *kb = NULL;
    const char tsv[] =
        "# user rows\n"
        "id\ttechnique\ttechnique_name\thive\tkey_pattern\tvalue_pattern\tinterp\tcheck\tdefaults\t"
        "base_risk\tflags\twhy\n"
        "acme_agent\tT1547.001\t\tSOFTWARE\tAcme\\Agent\\Start\t*\tcmdline\tnone\t\tHigh\t"
        "absent_default,per_user\tAcme agent autostart.\n"
        "run_hklm\tT1547.001\t\tSOFTWARE\tMicrosoft\\Windows\\CurrentVersion\\Run\t*"
        "\tcmdline\trun\t\t"
        "Low\t\tOverride.\n"
        "bad_row\tX1\t\tSOFTWARE\tA\t*\tcmdline\tnone\t\tLow\t\twhy\n"
        "short\trow\n";
    size_t before;
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    before = rh_kb_count(kb);
    RH_CHECK_EQ(rh_kb_load_mem(kb, "user.tsv", tsv, sizeof(tsv) - 1), RH_OK);
    RH_CHECK_EQ(rh_kb_count(kb), before + 1);
    RH_CHECK(rh_kb_find(kb, "acme_agent") != NULL);
    RH_CHECK_EQ(rh_kb_find(kb, "acme_agent")->flags, RH_KB_F_ABSENT_DEFAULT | RH_KB_F_PER_USER);
    RH_CHECK_STR(rh_kb_find(kb, "acme_agent")->technique_name,
                 "Registry Run Keys / Startup Folder");
    RH_CHECK_EQ(rh_kb_find(kb, "run_hklm")->base_risk, RH_RISK_LOW);
    RH_CHECK_EQ(rh_kb_find(kb, "run_hklm")->builtin, 0);
    RH_CHECK_STR(first(kb, RH_KB_HIVE_SOFTWARE, "acme\\agent\\start", "x"), "acme_agent");
    RH_CHECK(rh_kb_find(kb, "bad_row") == NULL);
    rh_kb_destroy(kb);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    RH_CHECK_EQ(rh_kb_load_file(kb, "/nonexistent/kb.tsv"), RH_ERR_IO);
    rh_kb_destroy(kb);
}

/* docs/kb.md must list every location id (regenerate with `test_kb_table --markdown`). */
static void test_docs(rh_kb *kb)
{
    FILE *f = fopen(RH_SOURCE_DIR "/docs/kb.md", "r");
    static char doc[1 << 20];
    size_t n, i;
    RH_CHECK(f != NULL);
    if (!f) {
        return;
    }
    n = fread(doc, 1, sizeof(doc) - 1, f);
    doc[n] = '\0';
    fclose(f);
    for (i = 0; i < rh_kb_count(kb); i++) {
        char needle[96];
        snprintf(needle, sizeof(needle), "| `%s` |", rh_kb_at(kb, i)->id);
        if (!strstr(doc, needle)) {
            fprintf(stderr, "docs/kb.md lacks %s (run test_kb_table --markdown)\n",
                    rh_kb_at(kb, i)->id);
        }
        RH_CHECK(strstr(doc, needle) != NULL);
    }
}

static void markdown(rh_kb *kb)
{
    size_t i;
    printf("| id | technique | hive | key pattern | value | interp | check | base risk | "
           "Windows default |\n|---|---|---|---|---|---|---|---|---|\n");
    for (i = 0; i < rh_kb_count(kb); i++) {
        const rh_kb_location *l = rh_kb_at(kb, i);
        printf("| `%s` | %s | %s | `%s` | `%s` | %s | %s | %s | %s |\n", l->id, l->technique,
               rh_kb_hive_name(l->hive), l->key_pattern, l->value_pattern,
               rh_kb_interp_name(l->interp), rh_kb_check_name(l->check), rh_risk_name(l->base_risk),
               l->ndefaults ? "yes" : "");
    }
}

int main(int argc, char **argv)
{
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
        markdown(kb);
        rh_kb_destroy(kb);
        rh_ctx_destroy(ctx);
        return 0;
    }
    test_rows(kb);
    test_match(kb);
    test_prune(kb);
    test_tsv(ctx);
    test_docs(kb);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_kb_table");
}
