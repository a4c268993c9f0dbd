/*
 * The registry view (regpath.h, src/common/regview.def): hive-kind names, hive file names,
 * knowledge-base views, mount roots in both spellings, splitting logged paths, view aliases.
 * Normalization itself is tested by test_evtx_regpath.
 */
#include "rh_test.h"

static void root(rh_hive_kind k, const char *owner, int sysmon, const char *want)
{
    rh_buf b = RH_BUF_INIT(NULL);
    RH_CHECK_EQ(rh_hive_kind_root(k, owner, sysmon, &b), RH_OK);
    RH_CHECK_STR(b.data ? b.data : "", want);
    rh_buf_free(&b);
}

/* split(path) must give kind, current_user, sid ("" = none), prefix and rest */
static void split(const char *path, rh_hive_kind kind, int cu, const char *sid, const char *prefix,
                  const char *rest)
{
    rh_regpath_parts pp;
    rh_regpath_split(path, strlen(path), &pp);
    RH_CHECK_EQ(pp.kind, kind);
    if (kind == RH_HIVE_KIND_UNKNOWN) {
        return;
    }
    RH_CHECK_EQ(pp.current_user, cu);
    RH_CHECK_EQ(pp.sid_len, strlen(sid));
    RH_CHECK(pp.sid_len == 0 || strncmp(pp.sid, sid, pp.sid_len) == 0);
    RH_CHECK(sid[0] || pp.sid == NULL);
    RH_CHECK_STR(pp.prefix, prefix);
    RH_CHECK_EQ(pp.rest_len, strlen(rest));
    RH_CHECK(strncmp(pp.rest, rest, pp.rest_len) == 0);
}

static void aliases(const char *key, const char *want1, const char *want2)
{
    rh_buf a1 = RH_BUF_INIT(NULL), a2 = RH_BUF_INIT(NULL);
    RH_CHECK_EQ(rh_regpath_aliases(key, strlen(key), &a1, &a2), RH_OK);
    RH_CHECK_STR(a1.len ? a1.data : "", want1);
    RH_CHECK_STR(a2.len ? a2.data : "", want2);
    rh_buf_free(&a1);
    rh_buf_free(&a2);
}

static void sysmon(const char *path, const char *want)
{
    rh_buf b = RH_BUF_INIT(NULL);
    RH_CHECK_EQ(rh_regpath_sysmon(path, strlen(path), &b), RH_OK);
    RH_CHECK_STR(b.len ? b.data : "", want);
    rh_buf_free(&b);
}

int main(void)
{
    rh_kb_hive kb = RH_KB_HIVE_COUNT;
    int k;

    /* every kind has a name, and the names are the enum's */
    RH_CHECK_STR(rh_hive_kind_name(RH_HIVE_KIND_UNKNOWN), "UNKNOWN");
    RH_CHECK_STR(rh_hive_kind_name(RH_HIVE_KIND_SOFTWARE), "SOFTWARE");
    RH_CHECK_STR(rh_hive_kind_name(RH_HIVE_KIND_USRCLASS), "USRCLASS");
    RH_CHECK_STR(rh_hive_kind_name(RH_HIVE_KIND_OTHER), "OTHER");
    RH_CHECK_STR(rh_hive_kind_name(RH_HIVE_KIND_COUNT), "UNKNOWN");
    for (k = 1; k < RH_HIVE_KIND_COUNT; k++) {
        rh_buf b = RH_BUF_INIT(NULL);
        RH_CHECK(strcmp(rh_hive_kind_name((rh_hive_kind)k), "UNKNOWN") != 0);
        RH_CHECK_EQ(rh_hive_kind_root((rh_hive_kind)k, "x", 0, &b), RH_OK);
        RH_CHECK(b.len > 4);
        rh_buf_free(&b);
    }

    /* file names */
    RH_CHECK_EQ(rh_hive_kind_from_file("ntuser.dat", 10), RH_HIVE_KIND_NTUSER);
    RH_CHECK_EQ(rh_hive_kind_from_file("UsrClass.dat", 12), RH_HIVE_KIND_USRCLASS);
    RH_CHECK_EQ(rh_hive_kind_from_file("SYSTEM", 6), RH_HIVE_KIND_SYSTEM);
    RH_CHECK_EQ(rh_hive_kind_from_file("BCD-Template", 12), RH_HIVE_KIND_BCD);
    RH_CHECK_EQ(rh_hive_kind_from_file("DRIVERS", 7), RH_HIVE_KIND_OTHER);
    RH_CHECK_EQ(rh_hive_kind_from_file("SYSTEM.LOG1", 11), RH_HIVE_KIND_UNKNOWN);
    RH_CHECK_EQ(rh_hive_kind_from_file("SYS", 3), RH_HIVE_KIND_UNKNOWN);

    /* knowledge-base views: DEFAULT is an NTUSER view; SAM has none */
    RH_CHECK(rh_hive_kind_kb(RH_HIVE_KIND_DEFAULT, &kb) && kb == RH_KB_HIVE_NTUSER);
    RH_CHECK(rh_hive_kind_kb(RH_HIVE_KIND_USRCLASS, &kb) && kb == RH_KB_HIVE_USRCLASS);
    RH_CHECK(rh_hive_kind_kb(RH_HIVE_KIND_SYSTEM, &kb) && kb == RH_KB_HIVE_SYSTEM);
    RH_CHECK(!rh_hive_kind_kb(RH_HIVE_KIND_SAM, &kb));
    RH_CHECK(!rh_hive_kind_kb(RH_HIVE_KIND_UNKNOWN, &kb));

    /* mount roots: findings' and Sysmon's spelling */
    root(RH_HIVE_KIND_SOFTWARE, NULL, 0, "HKLM\\SOFTWARE");
    root(RH_HIVE_KIND_SYSTEM, NULL, 0, "HKLM\\SYSTEM");
    root(RH_HIVE_KIND_SYSTEM, NULL, 1, "HKLM\\System");
    root(RH_HIVE_KIND_NTUSER, "S-1-5-21-1-2-3-1001", 0, "HKU\\S-1-5-21-1-2-3-1001");
    root(RH_HIVE_KIND_USRCLASS, "S-1-5-21-1-2-3-1001", 1, "HKU\\S-1-5-21-1-2-3-1001_Classes");
    root(RH_HIVE_KIND_NTUSER, NULL, 0, "HKU\\UNKNOWN");
    root(RH_HIVE_KIND_DEFAULT, "ignored", 0, "HKU\\.DEFAULT");
    root(RH_HIVE_KIND_BCD, NULL, 1, "HKLM\\BCD00000000");
    root(RH_HIVE_KIND_OTHER, "COMPONENTS", 1, "HKLM\\COMPONENTS");
    {
        rh_buf b = RH_BUF_INIT(NULL);
        RH_CHECK_EQ(rh_hive_kind_root(RH_HIVE_KIND_UNKNOWN, NULL, 0, &b), RH_ERR_ARG);
        rh_buf_free(&b);
    }

    /* splitting logged paths: every root spelling */
    split("HKLM\\SOFTWARE\\Microsoft\\Run\\x", RH_HIVE_KIND_SOFTWARE, 0, "", "",
          "Microsoft\\Run\\x");
    split("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\x\\ImagePath", RH_HIVE_KIND_SYSTEM,
          0, "", "", "ControlSet001\\Services\\x\\ImagePath");
    split("hkey_local_machine\\software\\x", RH_HIVE_KIND_SOFTWARE, 0, "", "", "x");
    split("HKLM\\SAM\\SAM\\Domains", RH_HIVE_KIND_SAM, 0, "", "", "SAM\\Domains");
    split("HKLM\\HARDWARE\\DESCRIPTION", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("HKLM\\SOFTWAREX\\a", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("HKU\\S-1-5-21-1-2-3-1001\\Software\\x", RH_HIVE_KIND_NTUSER, 0, "S-1-5-21-1-2-3-1001",
          "", "Software\\x");
    split("HKEY_USERS\\S-1-5-21-1-2-3-1001_Classes\\CLSID\\{a}", RH_HIVE_KIND_USRCLASS, 0,
          "S-1-5-21-1-2-3-1001", "", "CLSID\\{a}");
    split("\\REGISTRY\\USER\\.DEFAULT\\Control Panel\\x", RH_HIVE_KIND_DEFAULT, 0, ".DEFAULT", "",
          "Control Panel\\x");
    split("HKCU\\Software\\Run\\x", RH_HIVE_KIND_NTUSER, 1, "", "", "Software\\Run\\x");
    split("HKEY_CURRENT_USER\\Software\\x", RH_HIVE_KIND_NTUSER, 1, "", "", "Software\\x");
    split("HKCR\\CLSID\\{a}\\InprocServer32\\", RH_HIVE_KIND_SOFTWARE, 0, "", "Classes\\",
          "CLSID\\{a}\\InprocServer32\\");
    split("HKCC\\System\\x", RH_HIVE_KIND_SYSTEM, 0, "",
          "CurrentControlSet\\Hardware Profiles\\Current\\", "System\\x");
    split("HKCU", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("HKCU\\", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("HKU\\S-1-5-18", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("HKEY_CURRENT_USER\\S-1-5-21-9\\Software\\Run", RH_HIVE_KIND_NTUSER, 0, "S-1-5-21-9", "",
          "Software\\Run");
    split("MACHINE\\SOFTWARE\\Run", RH_HIVE_KIND_SOFTWARE, 0, "", "", "Run");
    split("HKCUX\\a", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("C:\\Windows\\x", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");
    split("", RH_HIVE_KIND_UNKNOWN, 0, "", "", "");

    /* merged-view aliases of normalized keys */
    aliases("HKU\\S-1\\SOFTWARE\\MICROSOFT\\RUN", "HKCU\\SOFTWARE\\MICROSOFT\\RUN", "");
    aliases("HKU\\S-1\\SOFTWARE\\CLASSES\\CLSID\\{A}", "HKCU\\SOFTWARE\\CLASSES\\CLSID\\{A}",
            "HKCR\\CLSID\\{A}");
    aliases("HKLM\\SOFTWARE\\CLASSES\\CLSID\\{A}", "HKCR\\CLSID\\{A}", "");
    aliases("HKLM\\SOFTWARE\\MICROSOFT", "", "");
    aliases("HKU\\S-1", "", "");

    /* Sysmon's spelling: short roots, ControlSetNNN folded, the rest kept as written */
    sysmon("\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Run\\x", "HKLM\\SOFTWARE\\Microsoft\\Run\\x");
    sysmon("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\s",
           "HKLM\\SYSTEM\\CurrentControlSet\\Services\\s");
    sysmon("HKEY_LOCAL_MACHINE\\System\\ControlSet002", "HKLM\\System\\CurrentControlSet");
    sysmon("HKLM\\SYSTEM\\ControlSet0012\\x", "HKLM\\SYSTEM\\ControlSet0012\\x");
    sysmon("HKLM\\SYSTEM\\ControlSetX01\\x", "HKLM\\SYSTEM\\ControlSetX01\\x");
    sysmon("\\REGISTRY\\USER\\S-1-5-21-1\\Software", "HKU\\S-1-5-21-1\\Software");
    sysmon("\\REGISTRY\\A\\{guid}\\Root", "HKA\\{guid}\\Root");
    sysmon("HKEY_CURRENT_USER\\S-1-5-21-1\\Software\\Run", "HKU\\S-1-5-21-1\\Software\\Run");
    sysmon("HKEY_CURRENT_USER\\Software\\Run", "HKCU\\Software\\Run");
    sysmon("HKEY_CLASSES_ROOT\\CLSID", "HKCR\\CLSID");
    sysmon("HKEY_CURRENT_CONFIG\\Software", "HKCC\\Software");
    sysmon("MACHINE\\SOFTWARE\\x", "HKLM\\SOFTWARE\\x");
    sysmon("USER\\S-1-5-18\\x", "HKU\\S-1-5-18\\x");
    sysmon("ROOT\\CLSID", "HKCR\\CLSID");
    sysmon("MACHINEX\\SOFTWARE", "MACHINEX\\SOFTWARE");
    sysmon("C:\\Windows\\x", "C:\\Windows\\x");
    sysmon("", "");
    return rh_test_summary("test_common_regpath");
}
