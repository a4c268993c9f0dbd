/*
 * Registry path normalization, ISO 8601 parsing and an event's registry path.
 */
#include "rh_test.h"

static void norm(const char *in, const char *want)
{
    rh_buf b = RH_BUF_INIT(NULL);
    RH_CHECK_EQ(rh_regpath_normalize(in, strlen(in), &b), RH_OK);
    RH_CHECK_STR(b.data ? b.data : "", want);
    rh_buf_free(&b);
}

int main(void)
{
    uint64_t ft = 0;
    rh_event ev;
    rh_event_field f[2];
    rh_buf raw = RH_BUF_INIT(NULL), nb = RH_BUF_INIT(NULL);

    norm("\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Run", "HKLM\\SOFTWARE\\MICROSOFT\\RUN");
    norm("HKEY_LOCAL_MACHINE\\Software\\x", "HKLM\\SOFTWARE\\X");
    norm("hklm\\software\\x\\", "HKLM\\SOFTWARE\\X");
    norm("HKLM", "HKLM");
    norm("HKLMX\\a", "HKLMX\\A"); /* not a root */
    norm("HKU\\S-1-5-21-1-2-3-1000\\Software\\x", "HKU\\S-1-5-21-1-2-3-1000\\SOFTWARE\\X");
    norm("HKU\\S-1-5-21-1-2-3-1000_Classes\\CLSID\\{a}",
         "HKU\\S-1-5-21-1-2-3-1000\\SOFTWARE\\CLASSES\\CLSID\\{A}");
    norm("\\REGISTRY\\USER\\S-1-5-21-1-2-3-1000_CLASSES\\x",
         "HKU\\S-1-5-21-1-2-3-1000\\SOFTWARE\\CLASSES\\X");
    norm("HKEY_USERS\\.DEFAULT\\x", "HKU\\.DEFAULT\\X");
    /* Defender's HKEY_CURRENT_USER\<SID>, SentinelOne's bare roots, application hives */
    norm("HKEY_CURRENT_USER\\S-1-5-21-1-2-3-1000\\Software\\x",
         "HKU\\S-1-5-21-1-2-3-1000\\SOFTWARE\\X");
    norm("HKEY_CURRENT_USER\\Software\\x", "HKCU\\SOFTWARE\\X");
    norm("MACHINE\\SYSTEM\\ControlSet001\\Services", "HKLM\\SYSTEM\\CURRENTCONTROLSET\\SERVICES");
    norm("USER\\S-1-5-18\\x", "HKU\\S-1-5-18\\X");
    norm("\\REGISTRY\\A\\{1}\\x", "HKA\\{1}\\X");
    norm("HKCU\\Software\\x", "HKCU\\SOFTWARE\\X");
    norm("HKEY_CURRENT_USER\\Software\\x", "HKCU\\SOFTWARE\\X");
    norm("HKCR\\CLSID\\x", "HKCR\\CLSID\\X");
    norm("HKLM\\System\\CurrentControlSet\\Services\\x",
         "HKLM\\SYSTEM\\CURRENTCONTROLSET\\SERVICES\\X");
    norm("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\x",
         "HKLM\\SYSTEM\\CURRENTCONTROLSET\\SERVICES\\X");
    norm("HKLM\\SYSTEM\\ControlSet002", "HKLM\\SYSTEM\\CURRENTCONTROLSET");
    norm("HKLM\\SYSTEM\\ControlSet0012\\x", "HKLM\\SYSTEM\\CONTROLSET0012\\X");
    norm(
        "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1\\\\Device\\x.exe",
        "HKLM\\SYSTEM\\CURRENTCONTROLSET\\SERVICES\\BAM\\STATE\\USERSETTINGS\\S-1\\\\DEVICE\\X."
        "EXE");
    norm("HKEY_CURRENT_CONFIG\\x",
         "HKLM\\SYSTEM\\CURRENTCONTROLSET\\HARDWARE PROFILES\\CURRENT\\X");
    norm("HKLM\\SOFTWARE\\caf\xc3\xa9", "HKLM\\SOFTWARE\\CAF\xc3\x89");
    norm("", "");
    /* every spelling of the default value joins as (DEFAULT); other names are left alone */
    norm("HKCU\\Software\\Classes\\CLSID\\{a}\\InprocServer32\\(Default)",
         "HKCU\\SOFTWARE\\CLASSES\\CLSID\\{A}\\INPROCSERVER32\\(DEFAULT)");
    norm("HKCU\\Software\\Classes\\CLSID\\{a}\\InprocServer32\\{Default}",
         "HKCU\\SOFTWARE\\CLASSES\\CLSID\\{A}\\INPROCSERVER32\\(DEFAULT)");
    norm("HKLM\\SOFTWARE\\x\\{default}", "HKLM\\SOFTWARE\\X\\(DEFAULT)");
    norm("HKLM\\SOFTWARE\\x\\{Defaults}", "HKLM\\SOFTWARE\\X\\{DEFAULTS}");
    norm("HKLM\\SOFTWARE\\x\\(Default]", "HKLM\\SOFTWARE\\X\\(DEFAULT]");
    norm("HKLM\\SOFTWARE\\{Default}\\x", "HKLM\\SOFTWARE\\{DEFAULT}\\X");
    RH_CHECK(rh_regpath_is_default_value("(Default)", 9));
    RH_CHECK(rh_regpath_is_default_value("(DEFAULT)", 9));
    RH_CHECK(rh_regpath_is_default_value("{Default}", 9));
    RH_CHECK(rh_regpath_is_default_value("", 0));
    RH_CHECK(!rh_regpath_is_default_value("Default", 7));
    RH_CHECK(!rh_regpath_is_default_value("(Default}", 9));
    RH_CHECK(!rh_regpath_is_default_value("(Default) ", 10));

    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23T21:57:36.3372705Z", 28, &ft), RH_OK);
    RH_CHECK_EQ(ft, 132479638563372705ull);
    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23T21:57:36.337270500Z", 30, &ft), RH_OK);
    RH_CHECK_EQ(ft, 132479638563372705ull);
    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23 21:57:36.328", 23, &ft), RH_OK);
    RH_CHECK_EQ(ft, 132479638563280000ull);
    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23T23:57:36+02:00", 25, &ft), RH_OK);
    RH_CHECK_EQ(ft, 132479638560000000ull);
    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23", 10, &ft), RH_OK);
    RH_CHECK_EQ(ft, 132478848000000000ull);
    RH_CHECK_EQ(rh_time_parse_iso("1601-01-01T00:00:00Z", 20, &ft), RH_OK);
    RH_CHECK_EQ(ft, 0);
    RH_CHECK_EQ(rh_time_parse_iso("2020-13-01", 10, &ft), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_time_parse_iso("yesterday", 9, &ft), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_time_parse_iso("2020-10-23T21:57:36Zjunk", 24, &ft), RH_ERR_FORMAT);

    memset(&ev, 0, sizeof(ev));
    memset(f, 0, sizeof(f));
    f[0].name = "ObjectName";
    f[0].value = "\\REGISTRY\\MACHINE\\SOFTWARE\\Run";
    f[0].value_len = strlen(f[0].value);
    f[1].name = "ObjectValueName";
    f[1].value = "evil";
    f[1].value_len = 4;
    ev.fields = f;
    ev.nfields = 2;
    RH_CHECK_EQ(rh_event_registry_path(&ev, &raw, &nb), RH_OK);
    RH_CHECK_STR(raw.data, "\\REGISTRY\\MACHINE\\SOFTWARE\\Run\\evil");
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN\\EVIL");
    f[1].value = "{Default}";
    f[1].value_len = 9;
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN\\(DEFAULT)");
    f[1].value = "-";
    f[1].value_len = 1;
    rh_buf_reset(&raw);
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, &raw, &nb), RH_OK);
    RH_CHECK_STR(raw.data, "\\REGISTRY\\MACHINE\\SOFTWARE\\Run\\(Default)");
    f[1].value = "";
    f[1].value_len = 0;
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN\\(DEFAULT)");
    ev.nfields = 1; /* no ObjectValueName: the key itself */
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN");
    f[0].name = "TargetObject"; /* Sysmon 12 (a key): the trailing backslash is dropped */
    f[0].value = "HKLM\\SOFTWARE\\Run\\";
    f[0].value_len = strlen(f[0].value);
    ev.event_id = 12;
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN");
    ev.event_id = 13; /* Sysmon 13, empty value name after the key's backslash */
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN\\(DEFAULT)");
    f[0].value = "HKLM\\SOFTWARE\\Run\\x";
    f[0].value_len = strlen(f[0].value);
    rh_buf_reset(&nb);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_OK);
    RH_CHECK_STR(nb.data, "HKLM\\SOFTWARE\\RUN\\X");
    f[0].name = "ObjectName";
    ev.nfields = 2;
    f[0].value = "C:\\file.txt";
    f[0].value_len = strlen(f[0].value);
    RH_CHECK_EQ(rh_event_registry_path(&ev, NULL, &nb), RH_NOT_FOUND);
    rh_buf_free(&raw);
    rh_buf_free(&nb);
    return rh_test_summary("test_evtx_regpath");
}
