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
    static char doc[1 << 20];
    size_t i;
    if (!rh_test_read_text(RH_SOURCE_DIR "/docs/kb.md", doc, sizeof(doc))) {
        return;
    }
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

/* Every default row (kb_defaults.def) names a known location, a family and a source; the
 * family and applicability rules hold. */
static void test_defaults(rh_ctx *ctx, rh_kb *kb)
{
    size_t i, n = rh_kb_default_count(kb), total = 0;
    const rh_kb_location *l;
    rh_kb *ukb = NULL;
    const unsigned all = (1u << RH_WIN_FAMILY_COUNT) - 2u;
    const char tsv[] = "run_hklm\tT1547.001\t\tSOFTWARE\tMicrosoft\\Windows\\CurrentVersion\\Run"
                       "\t*\tcmdline\trun\tC:\\acme.exe\tMedium\t\tOverride.\n";
    RH_CHECK(n > 80);
    for (i = 0; i < n; i++) {
        const rh_kb_default *d = rh_kb_default_at(kb, i);
        RH_CHECK(rh_kb_find(kb, d->location_id) != NULL);
        RH_CHECK(d->families != 0 && (d->families & ~all) == 0);
        RH_CHECK(d->source && strlen(d->source) >= 8);
        RH_CHECK(d->data && d->key_glob && d->value_glob && d->value_glob[0]);
        if (!d->source || strlen(d->source) < 8) {
            fprintf(stderr, "default of %s names no source\n", d->location_id);
        }
    }
    for (i = 0; i < rh_kb_count(kb); i++) {
        total += rh_kb_at(kb, i)->ndefaults;
    }
    RH_CHECK_EQ(total, n);
    RH_CHECK(rh_kb_default_at(kb, n) == NULL);
    /* families */
    RH_CHECK_EQ(rh_win_family_from_build(0), RH_WIN_UNKNOWN);
    RH_CHECK_EQ(rh_win_family_from_build(2600), RH_WIN_XP);
    RH_CHECK_EQ(rh_win_family_from_build(3790), RH_WIN_XP);
    RH_CHECK_EQ(rh_win_family_from_build(6002), RH_WIN_VISTA7);
    RH_CHECK_EQ(rh_win_family_from_build(7601), RH_WIN_VISTA7);
    RH_CHECK_EQ(rh_win_family_from_build(9200), RH_WIN_8);
    RH_CHECK_EQ(rh_win_family_from_build(9600), RH_WIN_8);
    RH_CHECK_EQ(rh_win_family_from_build(10240), RH_WIN_10);
    RH_CHECK_EQ(rh_win_family_from_build(20348), RH_WIN_10); /* Server 2022 */
    RH_CHECK_EQ(rh_win_family_from_build(22000), RH_WIN_11);
    RH_CHECK_EQ(rh_win_family_from_build(26100), RH_WIN_11);
    RH_CHECK_STR(rh_win_family_name(RH_WIN_VISTA7), "vista7");
    RH_CHECK_STR(rh_win_family_name(RH_WIN_FAMILY_COUNT), "?");
    {
        rh_win_family f;
        RH_CHECK_EQ(rh_win_family_parse("WIN8", &f), RH_OK);
        RH_CHECK_EQ(f, RH_WIN_8);
        RH_CHECK_EQ(rh_win_family_parse("win12", &f), RH_NOT_FOUND);
    }
    /* applicability: the Windows 7 Sidebar Run value holds on Windows 7 only, for its name */
    l = rh_kb_find(kb, "run_hkcu");
    {
        const rh_kb_default *side = NULL;
        for (i = 0; i < l->ndefaults; i++) {
            if (strcmp(l->defaults[i].value_glob, "Sidebar") == 0) {
                side = &l->defaults[i];
            }
        }
        RH_CHECK(side != NULL);
        if (side) {
            const char *k = "Software\\Microsoft\\Windows\\CurrentVersion\\Run";
            RH_CHECK(rh_kb_default_applies(side, RH_WIN_VISTA7, k, strlen(k), "Sidebar", 7));
            RH_CHECK(rh_kb_default_applies(side, RH_WIN_UNKNOWN, k, strlen(k), "sidebar", 7));
            RH_CHECK(!rh_kb_default_applies(side, RH_WIN_10, k, strlen(k), "Sidebar", 7));
            RH_CHECK(!rh_kb_default_applies(side, RH_WIN_VISTA7, k, strlen(k), "Updater", 7));
        }
    }
    /* key-specific: msiserver's ImagePath default does not hold for another service */
    l = rh_kb_find(kb, "svc_imagepath");
    RH_CHECK(l->ndefaults >= 1);
    if (l->ndefaults) {
        const char *k1 = "ControlSet001\\Services\\msiserver",
                   *k2 = "ControlSet001\\Services\\evil";
        RH_CHECK(rh_kb_default_applies(&l->defaults[0], RH_WIN_10, k1, strlen(k1), "ImagePath", 9));
        RH_CHECK(
            !rh_kb_default_applies(&l->defaults[0], RH_WIN_10, k2, strlen(k2), "ImagePath", 9));
    }
    /* a user row replacing a built-in location replaces its defaults too */
    RH_CHECK_EQ(rh_kb_create(ctx, &ukb), RH_OK);
    RH_CHECK_EQ(rh_kb_load_mem(ukb, "user.tsv", tsv, sizeof(tsv) - 1), RH_OK);
    l = rh_kb_find(ukb, "run_hklm");
    RH_CHECK_EQ(l->ndefaults, 1);
    if (l->ndefaults == 1) {
        RH_CHECK_STR(l->defaults[0].data, "C:\\acme.exe");
        RH_CHECK_STR(l->defaults[0].source, "user.tsv:1");
        RH_CHECK_EQ(l->defaults[0].families, all);
    }
    RH_CHECK_EQ(rh_kb_default_count(ukb), n - rh_kb_find(kb, "run_hklm")->ndefaults + 1);
    rh_kb_destroy(ukb);
}

/* Families that have a default at this location, for the table ("all" = every family). */
static void families_of(const rh_kb_location *l, char *buf, size_t cap)
{
    unsigned fam = 0, f;
    size_t i, o = 0;
    for (i = 0; i < l->ndefaults; i++) {
        fam |= l->defaults[i].families;
    }
    buf[0] = '\0';
    if (fam == (1u << RH_WIN_FAMILY_COUNT) - 2u) {
        snprintf(buf, cap, "all");
        return;
    }
    for (f = 1; f < RH_WIN_FAMILY_COUNT && o + 1 < cap; f++) {
        if (fam & RH_WIN_BIT(f)) {
            int w = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
                             rh_win_family_name((rh_win_family)f));
            o += w > 0 ? (size_t)w : 0;
        }
    }
}

static void markdown(rh_kb *kb)
{
    size_t i;
    char fams[64];
    printf("| id | technique | hive | key pattern | value | interp | check | base risk | "
           "Windows defaults (families) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (i = 0; i < rh_kb_count(kb); i++) {
        const rh_kb_location *l = rh_kb_at(kb, i);
        families_of(l, fams, sizeof(fams));
        printf("| `%s` | %s | %s | `%s` | `%s` | %s | %s | %s | %s |\n", l->id, l->technique,
               rh_kb_hive_name(l->hive), l->key_pattern, l->value_pattern,
               rh_kb_interp_name(l->interp), rh_kb_check_name(l->check), rh_risk_name(l->base_risk),
               fams);
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
    test_defaults(ctx, kb);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_kb_table");
}
