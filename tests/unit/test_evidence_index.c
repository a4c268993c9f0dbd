/*
 * Evidence index: registry writes (Sysmon 12/13/14, Security 4657) by key and value, path
 * forms and views, host matching, duplicates, file creations, log coverage, every fusion
 * state, caps, NUL bytes and allocation failures.
 */
#include "rh_test.h"

#include "evidence_events.h"

static rh_ctx *ctx;

#define RUN "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"

static rh_evidence *mk(const rh_evidence_opts *o)
{
    rh_evidence *ev = NULL;
    RH_CHECK(rh_evidence_create(ctx, o, &ev) == RH_OK);
    return ev;
}

static size_t nwrites(rh_evidence *ev, const char *host, const char *key, const char *value,
                      unsigned flags)
{
    rh_evidence_list l;
    size_t n;
    RH_CHECK(rh_evidence_writes(ev, host, key, value, flags, &l) == RH_OK);
    n = l.count;
    rh_evidence_list_free(ev, &l);
    return n;
}

static const rh_evidence_write *write_at(rh_evidence *ev, rh_evidence_list *l, const char *key,
                                         const char *value, size_t i)
{
    RH_CHECK(rh_evidence_writes(ev, NULL, key, value, 0, l) == RH_OK);
    return i < l->count ? l->items[i] : NULL;
}

static void test_sysmon_writes(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_list l;
    const rh_evidence_write *w;
    /* Inserted out of order: results come back in time order. */
    RH_CHECK(ev_add(ev, "WKSTN-042", 13, 20, S(20), "EventType", "SetValue", "ProcessGuid",
                    "{aaaaaaaa-0000-0000-0000-000000000002}", "ProcessId", "4242", "Image",
                    "C:\\Users\\bob\\evil2.exe", "TargetObject", RUN "\\Updater", "Details",
                    "C:\\evil2.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 13, 10, S(10), "EventType", "SetValue", "ProcessGuid",
                    "{AAAAAAAA-0000-0000-0000-000000000001}", "ProcessId", "4240", "Image",
                    "C:\\Users\\bob\\evil.exe", "User", "CORP\\bob", "TargetObject",
                    RUN "\\Updater", "Details", "C:\\evil.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 12, 5, S(5), "EventType", "CreateKey", "ProcessId", "4",
                    "Image", "System", "TargetObject", RUN, NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 13, 30, S(30), "EventType", "SetValue", "ProcessId", "7",
                    "Image", "x.exe", "TargetObject", RUN "\\Other", "Details", "y",
                    NULL) == RH_OK);

    w = write_at(ev, &l, "\\REGISTRY\\MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
                 "updater", 0);
    RH_CHECK_EQ(l.count, 2);
    RH_CHECK(w != NULL);
    if (w) {
        RH_CHECK_EQ(w->record_id, 10);
        RH_CHECK_EQ(w->op, RH_EVIDENCE_OP_SET_VALUE);
        RH_CHECK_STR(w->details, "C:\\evil.exe");
        RH_CHECK_STR(w->value, "UPDATER");
        RH_CHECK_STR(w->key, "HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\RUN");
        RH_CHECK_STR(w->target, RUN "\\Updater");
        RH_CHECK_STR(w->writer.guid, "{AAAAAAAA-0000-0000-0000-000000000001}");
        RH_CHECK_EQ(w->writer.pid, 4240);
        RH_CHECK_STR(w->writer.user, "CORP\\bob");
        RH_CHECK_STR(w->host, "WKSTN-042");
        RH_CHECK_STR(w->source, "synthetic.evtx");
        RH_CHECK_EQ(w->time, S(10));
    }
    if (l.count == 2) {
        const rh_evidence_write *w2 = l.items[1];
        RH_CHECK_EQ(w2->record_id, 20);
        /* Lower-case GUIDs (SIEM exports) are normalized to upper case with braces. */
        RH_CHECK_STR(w2->writer.guid, "{AAAAAAAA-0000-0000-0000-000000000002}");
    }
    rh_evidence_list_free(ev, &l);
    /* Key level: the key's own creation and every value of it. */
    RH_CHECK_EQ(nwrites(ev, NULL, RUN, NULL, 0), 4);
    RH_CHECK_EQ(nwrites(ev, NULL, RUN, "other", 0), 1);
    RH_CHECK_EQ(nwrites(ev, NULL, RUN, "missing", 0), 0);
    RH_CHECK_EQ(nwrites(ev, NULL, RUN "\\Sub", NULL, 0), 0);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\SOFTWARE\\MICROSOFT", NULL, 0), 0);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\SOFTWARE\\MICROSOFT", NULL, RH_EVIDENCE_SUBTREE), 4);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKEY_LOCAL_MACHINE\\software", NULL, RH_EVIDENCE_SUBTREE), 4);
    /* A key path that shares a prefix but is another key. */
    RH_CHECK_EQ(nwrites(ev, NULL, RUN "O", NULL, RH_EVIDENCE_SUBTREE), 0);
    rh_evidence_destroy(ev);
}

static void test_sysmon_key_ops(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_list l;
    const char *svc = "HKLM\\System\\CurrentControlSet\\Services\\evilsvc";
    RH_CHECK(ev_add(ev, "H", 12, 1, S(1), "EventType", "CreateKey", "ProcessId", "9",
                    "TargetObject", "HKLM\\System\\ControlSet001\\Services\\evilsvc",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 12, 2, S(2), "EventType", "DeleteValue", "ProcessId", "9",
                    "TargetObject", "HKLM\\System\\CurrentControlSet\\Services\\evilsvc\\ImagePath",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 14, 3, S(3), "EventType", "RenameKey", "ProcessId", "9",
                    "TargetObject", svc, "NewName",
                    "HKLM\\System\\CurrentControlSet\\Services\\goodsvc", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 12, 4, S(4), "EventType", "DeleteKey", "ProcessId", "9",
                    "TargetObject", "HKLM\\System\\CurrentControlSet\\Services\\goodsvc",
                    NULL) == RH_OK);
    RH_CHECK(rh_evidence_writes(ev, "h", svc, NULL, 0, &l) == RH_OK);
    RH_CHECK_EQ(l.count, 3);
    if (l.count == 3) {
        const rh_evidence_write *a = l.items[0], *b = l.items[1], *c = l.items[2];
        RH_CHECK_EQ(a->op, RH_EVIDENCE_OP_CREATE_KEY);
        RH_CHECK(a->value == NULL);
        RH_CHECK_EQ(b->op, RH_EVIDENCE_OP_DELETE_VALUE);
        RH_CHECK_STR(b->value, "IMAGEPATH");
        RH_CHECK_EQ(c->op, RH_EVIDENCE_OP_RENAME_KEY);
        RH_CHECK_STR(c->new_name, "HKLM\\SYSTEM\\CURRENTCONTROLSET\\SERVICES\\GOODSVC");
    }
    rh_evidence_list_free(ev, &l);
    /* The renamed-to key sees the rename and its deletion. */
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\SYSTEM\\ControlSet002\\Services\\goodsvc", NULL, 0), 2);
    RH_CHECK_EQ(nwrites(ev, NULL, svc, "imagepath", 0), 1);
    RH_CHECK_STR(rh_evidence_op_name(RH_EVIDENCE_OP_RENAME_KEY), "rename-key");
    rh_evidence_destroy(ev);
}

static void test_security_4657(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_list l;
    const rh_evidence_write *w;
    RH_CHECK(ev_add(ev, "DC01.corp.local", 4657, 100, S(100), "SubjectUserSid",
                    "S-1-5-21-1-2-3-1104", "SubjectUserName", "alice", "SubjectDomainName", "CORP",
                    "ObjectName",
                    "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
                    "ObjectValueName", "Upd", "OperationType", "%%1904", "OldValue", "-",
                    "NewValue", "C:\\x.exe", "ProcessId", "0x1a4", "ProcessName",
                    "C:\\Windows\\regedit.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "DC01.corp.local", 4657, 101, S(101), "ObjectName",
                    "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
                    "ObjectValueName", "Upd", "OperationType", "%%1906", "OldValue", "C:\\x.exe",
                    "ProcessId", "0x1a4", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "DC01.corp.local", 4657, 102, S(102), "ObjectName",
                    "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
                    "ObjectValueName", "", "OperationType", "%%1905", "NewValue", "d",
                    NULL) == RH_OK);
    w = write_at(ev, &l, RUN, "UPD", 0);
    RH_CHECK_EQ(l.count, 2);
    if (w) {
        RH_CHECK_EQ(w->event_id, 4657);
        RH_CHECK_EQ(w->op, RH_EVIDENCE_OP_SET_VALUE);
        RH_CHECK_EQ(w->writer.pid, 0x1a4);
        RH_CHECK_STR(w->writer.image, "C:\\Windows\\regedit.exe");
        RH_CHECK_STR(w->writer.user, "CORP\\alice");
        RH_CHECK_STR(w->details, "C:\\x.exe");
        RH_CHECK(w->old_value == NULL); /* "-" is Windows' "none" */
        RH_CHECK_STR(w->target, "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion"
                                "\\Run\\Upd");
    }
    if (l.count == 2) {
        w = l.items[1];
        RH_CHECK_EQ(w->op, RH_EVIDENCE_OP_DELETE_VALUE);
        RH_CHECK_STR(w->old_value, "C:\\x.exe");
    }
    rh_evidence_list_free(ev, &l);
    /* The default value: "" in the query, empty ObjectValueName in the event. */
    RH_CHECK_EQ(nwrites(ev, "dc01", RUN, "", 0), 1);
    RH_CHECK_EQ(nwrites(ev, "dc01", RUN, NULL, 0), 3);
    rh_evidence_destroy(ev);
}

static void test_views_and_value_forms(void)
{
    rh_evidence *ev = mk(NULL);
    const char *sid = "S-1-5-21-1-2-3-1001";
    char key[512];
    RH_CHECK(ev_add(ev, "H", 13, 1, S(1), "EventType", "SetValue", "ProcessId", "5", "TargetObject",
                    "HKU\\S-1-5-21-1-2-3-1001_CLASSES\\CLSID\\{0A29FF9E-7F9C-4437-8B11-"
                    "F424491E3931}\\InprocServer32\\(Default)",
                    "Details", "C:\\evil.dll", NULL) == RH_OK);
    snprintf(key, sizeof(key),
             "HKU\\%s\\Software\\Classes\\CLSID\\{0A29FF9E-7F9C-4437-8B11-F424491E3931}\\"
             "InprocServer32",
             sid);
    RH_CHECK_EQ(nwrites(ev, NULL, key, "", 0), 1);
    snprintf(key, sizeof(key),
             "HKU\\%s_Classes\\CLSID\\{0a29ff9e-7f9c-4437-8b11-f424491e3931}\\InprocServer32", sid);
    RH_CHECK_EQ(nwrites(ev, NULL, key, "", 0), 1);
    RH_CHECK_EQ(nwrites(ev, NULL,
                        "HKCU\\Software\\Classes\\CLSID\\{0A29FF9E-7F9C-4437-8B11-F424491E3931}"
                        "\\InprocServer32",
                        "", 0),
                1);
    RH_CHECK_EQ(nwrites(ev, NULL,
                        "HKCR\\CLSID\\{0A29FF9E-7F9C-4437-8B11-F424491E3931}\\InprocServer32", "",
                        0),
                1);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKCR\\CLSID", NULL, RH_EVIDENCE_SUBTREE), 1);
    /* Another user's view does not match. */
    RH_CHECK_EQ(nwrites(ev, NULL,
                        "HKU\\S-1-5-21-9\\Software\\Classes\\CLSID\\{0A29FF9E-7F9C-4437-8B11-"
                        "F424491E3931}\\InprocServer32",
                        "", 0),
                0);
    /* Machine classes and HKCR events. */
    RH_CHECK(ev_add(ev, "H", 13, 2, S(2), "EventType", "SetValue", "ProcessId", "5", "TargetObject",
                    "HKLM\\SOFTWARE\\Classes\\exefile\\shell\\open\\command\\(Default)", "Details",
                    "x", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 13, 3, S(3), "EventType", "SetValue", "ProcessId", "5", "TargetObject",
                    "HKCR\\exefile\\shell\\open\\command\\(Default)", "Details", "y",
                    NULL) == RH_OK);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKCR\\exefile\\shell\\open\\command", "", 0), 2);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\Software\\Classes\\exefile\\shell\\open\\command", "", 0),
                2);
    /* A value name that itself starts with a backslash (bam\UserSettings). */
    RH_CHECK(ev_add(ev, "H", 13, 4, S(4), "EventType", "SetValue", "ProcessId", "5", "TargetObject",
                    "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-"
                    "1\\\\Device\\HarddiskVolume2\\Windows\\x.exe",
                    "Details", "Binary Data", NULL) == RH_OK);
    RH_CHECK_EQ(
        nwrites(ev, NULL,
                "HKLM\\SYSTEM\\ControlSet001\\Services\\bam\\State\\UserSettings\\S-1-5-21-1",
                "\\Device\\HarddiskVolume2\\Windows\\x.exe", 0),
        1);
    RH_CHECK_EQ(nwrites(ev, NULL,
                        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-"
                        "5-21-1",
                        NULL, 0),
                1);
    /* A value name with an inner backslash: ambiguous in Sysmon's joined path, still found. */
    RH_CHECK(ev_add(ev, "H", 13, 5, S(5), "EventType", "SetValue", "ProcessId", "5", "TargetObject",
                    "HKLM\\SOFTWARE\\K\\a\\b", "Details", "z", NULL) == RH_OK);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\SOFTWARE\\K", "a\\b", 0), 1);
    RH_CHECK_EQ(nwrites(ev, NULL, "HKLM\\SOFTWARE\\K\\a", "b", 0), 1);
    rh_evidence_destroy(ev);
}

static void test_hosts(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_host h;
    size_t i;
    RH_CHECK(ev_add(ev, "WKSTN-042.corp.local", 13, 1, S(1), "ProcessId", "1", "TargetObject",
                    RUN "\\a", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "wkstn-042", 13, 2, S(2), "ProcessId", "1", "TargetObject", RUN "\\a",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-043", 13, 3, S(3), "ProcessId", "1", "TargetObject", RUN "\\a",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "10.0.0.5", 13, 4, S(4), "ProcessId", "1", "TargetObject", RUN "\\a",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "10.0.0.6", 13, 5, S(5), "ProcessId", "1", "TargetObject", RUN "\\a",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, NULL, 13, 6, S(6), "ProcessId", "1", "TargetObject", RUN "\\a", NULL) ==
             RH_OK);
    RH_CHECK_EQ(rh_evidence_host_count(ev), 5);
    RH_CHECK_EQ(nwrites(ev, "WKSTN-042", RUN, "a", 0), 2);
    RH_CHECK_EQ(nwrites(ev, "wkstn-042.CORP.LOCAL", RUN, "a", 0), 2);
    RH_CHECK_EQ(nwrites(ev, "wkstn-042.", RUN, "a", 0), 2);
    RH_CHECK_EQ(nwrites(ev, "WKSTN-043.corp.local", RUN, "a", 0), 1);
    RH_CHECK_EQ(nwrites(ev, "WKSTN-04", RUN, "a", 0), 0);
    RH_CHECK_EQ(nwrites(ev, "10.0.0.5", RUN, "a", 0), 1);
    RH_CHECK_EQ(nwrites(ev, "10", RUN, "a", 0), 0);
    RH_CHECK_EQ(nwrites(ev, NULL, RUN, "a", 0), 6);
    RH_CHECK_EQ(nwrites(ev, "", RUN, "a", 0), 6);
    RH_CHECK(rh_evidence_host_find(ev, "Wkstn-042.example", &i) == RH_OK);
    RH_CHECK(rh_evidence_host_get(ev, i, &h) == RH_OK);
    RH_CHECK_STR(h.name, "WKSTN-042.corp.local"); /* the first spelling seen */
    RH_CHECK_EQ(h.writes, 2);
    RH_CHECK(rh_evidence_host_find(ev, "nope", &i) == RH_NOT_FOUND);
    RH_CHECK(rh_evidence_host_find(ev, "", &i) == RH_ERR_ARG);
    RH_CHECK(rh_evidence_host_get(ev, 99, &h) == RH_NOT_FOUND);
    rh_evidence_destroy(ev);
}

static void test_duplicates_and_state_events(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_counts c;
    rh_evidence_host h;
    int i;
    for (i = 0; i < 3; i++) {
        evt_source = i ? "export.ndjson" : "Sysmon.evtx";
        RH_CHECK(ev_add(ev, "H", 13, 77, S(7), "ProcessId", "1", "TargetObject", RUN "\\a",
                        "Details", "x", NULL) == RH_OK);
    }
    evt_source = "synthetic.evtx";
    /* Same record id, different content: not a duplicate. */
    RH_CHECK(ev_add(ev, "H", 13, 77, S(7), "ProcessId", "1", "TargetObject", RUN "\\a", "Details",
                    "other", NULL) == RH_OK);
    /* Synthesized from hive state: never evidence of logging. */
    evt_flags = RH_EVENT_FROM_STATE;
    RH_CHECK(ev_add(ev, "H", 13, 0, S(8), "ProcessId", "1", "TargetObject", RUN "\\a", NULL) ==
             RH_OK);
    evt_flags = RH_EVENT_RECOVERED;
    RH_CHECK(ev_add(ev, "H", 13, 78, S(9), "ProcessId", "1", "TargetObject", RUN "\\b", NULL) ==
             RH_OK);
    evt_flags = 0;
    RH_CHECK_EQ(nwrites(ev, NULL, RUN, "a", 0), 2);
    {
        rh_evidence_list l;
        RH_CHECK(rh_evidence_writes(ev, NULL, RUN, "b", 0, &l) == RH_OK);
        RH_CHECK_EQ(l.count, 1);
        if (l.count) {
            RH_CHECK_EQ(((const rh_evidence_write *)l.items[0])->flags, RH_EVENT_RECOVERED);
        }
        rh_evidence_list_free(ev, &l);
    }
    rh_evidence_counts_get(ev, &c);
    RH_CHECK_EQ(c.events, 6);
    RH_CHECK_EQ(c.duplicates, 2);
    RH_CHECK_EQ(c.ignored, 1);
    RH_CHECK(c.strings > 0);
    RH_CHECK(c.bytes > 0);
    RH_CHECK(rh_evidence_host_get(ev, 0, &h) == RH_OK);
    RH_CHECK_EQ(h.events, 3);
    RH_CHECK_EQ(h.nstats, 1);
    if (h.nstats) {
        RH_CHECK_EQ(h.stats[0].event_id, 13);
        RH_CHECK_EQ(h.stats[0].count, 3);
        RH_CHECK_EQ(h.stats[0].first, S(7));
        RH_CHECK_EQ(h.stats[0].last, S(9));
    }
    rh_evidence_destroy(ev);
}

static size_t nfiles(rh_evidence *ev, const char *host, const char *path)
{
    rh_evidence_list l;
    size_t n;
    RH_CHECK(rh_evidence_file_created(ev, host, path, &l) == RH_OK);
    n = l.count;
    rh_evidence_list_free(ev, &l);
    return n;
}

static void test_files(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_list l;
    RH_CHECK(ev_add(ev, "H", 11, 1, S(1), "ProcessGuid", "{11111111-0000-0000-0000-000000000001}",
                    "ProcessId", "300", "Image",
                    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\"
                    "powershell.exe",
                    "TargetFilename", "C:\\Users\\bob\\AppData\\Roaming\\evil.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 11, 2, S(2), "ProcessId", "301", "Image", "C:\\x.exe",
                    "TargetFilename", "\\\\?\\C:\\Users\\bob\\AppData\\Roaming\\evil.exe",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 11, 3, S(3), "ProcessId", "302", "Image", "C:\\x.exe",
                    "TargetFilename", "C:\\Temp\\evil.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 29, 4, S(4), "ProcessId", "303", "Image", "C:\\x.exe",
                    "TargetFilename", "C:\\Temp\\drop.dll", "Hashes", "SHA256=AB", NULL) == RH_OK);
    RH_CHECK_EQ(nfiles(ev, NULL, "c:\\users\\BOB\\appdata\\roaming\\EVIL.exe"), 2);
    RH_CHECK_EQ(nfiles(ev, NULL, "C:/Users/bob/AppData/Roaming/evil.exe"), 2);
    RH_CHECK_EQ(nfiles(ev, NULL, "\"C:\\Users\\bob\\AppData\\Roaming\\evil.exe\" -silent"), 2);
    RH_CHECK_EQ(nfiles(ev, NULL, "%APPDATA%\\evil.exe"), 3); /* any folder */
    RH_CHECK_EQ(nfiles(ev, NULL, "%APPDATA%\\Roaming\\evil.exe"), 2);
    RH_CHECK_EQ(nfiles(ev, NULL, "%SYSTEMDRIVE%\\Temp\\evil.exe"), 1);
    RH_CHECK_EQ(nfiles(ev, NULL, "%TEMP%\\sub\\evil.exe"), 0);
    RH_CHECK_EQ(nfiles(ev, NULL, "evil.exe"), 3);
    RH_CHECK_EQ(nfiles(ev, NULL, "C:\\Users\\alice\\AppData\\Roaming\\evil.exe"), 0);
    RH_CHECK_EQ(nfiles(ev, NULL, "C:\\Temp\\drop.dll"), 1);
    RH_CHECK_EQ(nfiles(ev, "other", "evil.exe"), 0);
    RH_CHECK_EQ(nfiles(ev, NULL, ""), 0);
    RH_CHECK(rh_evidence_file_created(ev, NULL, "C:\\Temp\\drop.dll", &l) == RH_OK);
    if (l.count) {
        const rh_evidence_file *f = l.items[0];
        RH_CHECK_EQ(f->event_id, 29);
        RH_CHECK_STR(f->hashes, "SHA256=AB");
        RH_CHECK_EQ(f->pid, 303);
    }
    rh_evidence_list_free(ev, &l);
    RH_CHECK(rh_evidence_file_created(ev, NULL, NULL, &l) == RH_ERR_ARG);
    rh_evidence_destroy(ev);
}

static void test_coverage(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_cover cv;
    int i;
    evt_source = "jan.evtx";
    for (i = 100; i <= 200; i += 50) {
        RH_CHECK(ev_add(ev, "H", 7, (uint64_t)i, S(i), "ProcessId", "1", NULL) == RH_OK);
    }
    evt_source = "mar.evtx";
    for (i = 1000; i <= 1100; i += 50) {
        RH_CHECK(ev_add(ev, "H", 7, (uint64_t)i, S(i), "ProcessId", "1", NULL) == RH_OK);
    }
    evt_source = "sec.evtx";
    RH_CHECK(ev_add(ev, "H", 4624, 1, S(0), NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 4624, 2, S(5000), NULL) == RH_OK);
    evt_source = "synthetic.evtx";

    RH_CHECK(rh_evidence_coverage(ev, "H", "sysmon", S(150), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 1);
    RH_CHECK_EQ(cv.first, S(100));
    RH_CHECK_EQ(cv.last, S(1100));
    RH_CHECK_EQ(cv.count, 6);
    RH_CHECK_EQ(cv.spans, 2);
    RH_CHECK(rh_evidence_coverage(ev, "H", "sysmon", S(500), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 0); /* between the two files: a gap */
    RH_CHECK(rh_evidence_coverage(ev, "H", "Microsoft-Windows-Sysmon/Operational", S(1050), &cv) ==
             RH_OK);
    RH_CHECK_EQ(cv.covered, 1);
    RH_CHECK(rh_evidence_coverage(ev, "H", "microsoft-windows-sysmon", S(2000), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 0);
    RH_CHECK(rh_evidence_coverage(ev, "H", "security", S(2000), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 1);
    /* Registry-capable logs: Security counts only once it holds 4657 events. */
    RH_CHECK(rh_evidence_coverage(ev, "H", NULL, S(2000), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 0);
    RH_CHECK(ev_add(ev, "H", 4657, 3, S(10), "ObjectName", "\\REGISTRY\\MACHINE\\SOFTWARE\\X",
                    "ObjectValueName", "v", "OperationType", "%%1905", NULL) == RH_OK);
    RH_CHECK(rh_evidence_coverage(ev, "H", NULL, S(2000), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 1);
    RH_CHECK(rh_evidence_coverage(ev, "H", "System", S(2000), &cv) == RH_NOT_FOUND);
    RH_CHECK(rh_evidence_coverage(ev, "unknown-host", "sysmon", S(150), &cv) == RH_NOT_FOUND);
    RH_CHECK(rh_evidence_coverage(ev, NULL, "sysmon", S(150), &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 1);
    RH_CHECK(rh_evidence_coverage(ev, "H", "sysmon", 0, &cv) == RH_OK);
    RH_CHECK_EQ(cv.covered, 0);
    /* Log clears. */
    RH_CHECK(ev_add(ev, "H", 1102, 9, S(3000), "SubjectUserName", "mallory", NULL) == RH_OK);
    RH_CHECK(rh_evidence_coverage(ev, "H", "sysmon", S(150), &cv) == RH_OK);
    RH_CHECK_EQ(cv.clears, 1);
    RH_CHECK_EQ(cv.last_clear, S(3000));
    RH_CHECK(rh_evidence_coverage(ev, "H", "sysmon", S(150), NULL) == RH_ERR_ARG);
    {
        rh_evidence_host h;
        RH_CHECK(rh_evidence_host_get(ev, 0, &h) == RH_OK);
        RH_CHECK_EQ(h.has_registry_logs, 1);
        RH_CHECK_EQ(h.registry.first, S(0)); /* Security counts: the host has 4657 */
        RH_CHECK_EQ(h.registry.last, S(5000));
        RH_CHECK_EQ(h.registry.spans, 4); /* jan, mar, sec and the 4657 input */
        RH_CHECK_EQ(h.clears, 1);
    }
    rh_evidence_destroy(ev);
}

static rh_evidence_fusion fuse(rh_evidence *ev, const char *key, const char *value,
                               rh_evidence_presence p, uint64_t lw, rh_evidence_verdict *v)
{
    rh_evidence_subject s;
    memset(&s, 0, sizeof(s));
    s.host = "wkstn-042.corp.local";
    s.key_path = key;
    s.value_name = value;
    s.presence = p;
    s.last_write = lw;
    RH_CHECK(rh_evidence_state(ev, &s, v) == RH_OK);
    return v->state;
}

static void test_fusion(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_verdict v;
    const char *runonce = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce";
    int i;
    /* Sysmon on WKSTN-042 covers S(100)..S(200). */
    for (i = 100; i <= 200; i += 10) {
        RH_CHECK(ev_add(ev, "WKSTN-042", 7, (uint64_t)i, S(i), "ProcessId", "1", NULL) == RH_OK);
    }
    RH_CHECK(ev_add(ev, "WKSTN-042", 13, 1000, S(150), "ProcessId", "5", "TargetObject",
                    RUN "\\Updater", "Details", "c:\\evil.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 13, 1001, S(160), "ProcessId", "5", "TargetObject",
                    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce\\once", "Details",
                    "c:\\once.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 12, 1002, S(170), "EventType", "DeleteValue", "ProcessId", "5",
                    "TargetObject", RUN "\\cleaned", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "WKSTN-042", 12, 1003, S(180), "EventType", "DeleteKey", "ProcessId", "5",
                    "TargetObject", "HKLM\\SOFTWARE\\Gone", NULL) == RH_OK);

    RH_CHECK_EQ(fuse(ev, RUN, "Updater", RH_PRESENCE_LIVE, S(150), &v), RH_FUSION_CONFIRMED);
    RH_CHECK_EQ(v.writes, 1);
    RH_CHECK_EQ(v.first_write, S(150));
    RH_CHECK_EQ(v.cover.covered, 1);
    RH_CHECK_EQ(fuse(ev, RUN, "Stealthy", RH_PRESENCE_LIVE, S(120), &v), RH_FUSION_LOG_GAP);
    RH_CHECK_EQ(v.writes, 0);
    RH_CHECK_EQ(fuse(ev, RUN, "Old", RH_PRESENCE_LIVE, S(50), &v), RH_FUSION_UNCOVERED);
    RH_CHECK_EQ(fuse(ev, RUN, "Old", RH_PRESENCE_LIVE, 0, &v), RH_FUSION_UNCOVERED);
    RH_CHECK_EQ(fuse(ev, runonce, "once", RH_PRESENCE_ABSENT, S(190), &v), RH_FUSION_GONE);
    RH_CHECK_EQ(v.writes, 1);
    RH_CHECK_EQ(fuse(ev, RUN, "cleaned", RH_PRESENCE_ABSENT, 0, &v), RH_FUSION_GONE);
    RH_CHECK_EQ(v.deletes, 1);
    RH_CHECK_EQ(v.last_delete, S(170));
    /* A key deletion deletes its values. */
    RH_CHECK_EQ(fuse(ev, "HKLM\\SOFTWARE\\Gone", "v", RH_PRESENCE_ABSENT, 0, &v), RH_FUSION_GONE);
    RH_CHECK_EQ(v.deletes, 1);
    RH_CHECK_EQ(fuse(ev, "HKLM\\SOFTWARE\\Gone", NULL, RH_PRESENCE_ABSENT, 0, &v), RH_FUSION_GONE);
    RH_CHECK_EQ(fuse(ev, RUN, "Updater", RH_PRESENCE_DELETED, S(150), &v), RH_FUSION_RESIDUE);
    RH_CHECK_EQ(fuse(ev, RUN, "x", RH_PRESENCE_REPLAYED, S(150), &v), RH_FUSION_RESIDUE);
    RH_CHECK_EQ(fuse(ev, RUN, "Updater", RH_PRESENCE_UNKNOWN, 0, &v), RH_FUSION_EVENT_ONLY);
    RH_CHECK_EQ(fuse(ev, RUN, "never", RH_PRESENCE_ABSENT, 0, &v), RH_FUSION_NONE);
    RH_CHECK_EQ(fuse(ev, RUN, "never", RH_PRESENCE_UNKNOWN, 0, &v), RH_FUSION_NONE);
    /* Key level: a key whose value was set is "written". */
    RH_CHECK_EQ(fuse(ev, RUN, NULL, RH_PRESENCE_LIVE, S(150), &v), RH_FUSION_CONFIRMED);
    for (i = RH_FUSION_NONE; i <= RH_FUSION_EVENT_ONLY; i++) {
        RH_CHECK(strcmp(rh_evidence_fusion_name((rh_evidence_fusion)i), "?") != 0);
        RH_CHECK(strlen(rh_evidence_fusion_text((rh_evidence_fusion)i)) > 10);
    }
    RH_CHECK_STR(rh_evidence_fusion_name(RH_FUSION_LOG_GAP), "log-gap");
    {
        rh_evidence_subject s;
        memset(&s, 0, sizeof(s));
        RH_CHECK(rh_evidence_state(ev, &s, &v) == RH_ERR_ARG);
    }
    rh_evidence_destroy(ev);
}

static void test_caps(void)
{
    rh_evidence_opts o;
    rh_evidence *ev;
    rh_evidence_counts c;
    rh_evidence_list l;
    char big[300];
    int i;
    memset(&o, 0, sizeof(o));
    o.max_records = 2;
    o.max_string = 64;
    o.max_results = 1;
    o.max_hosts = 2;
    ev = mk(&o);
    for (i = 0; i < 5; i++) {
        RH_CHECK(ev_add(ev, "H", 13, (uint64_t)i, S(i), "ProcessId", "1", "TargetObject", RUN "\\a",
                        NULL) == RH_OK);
    }
    RH_CHECK(ev_add(ev, "H2", 7, 1, S(1), NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H3", 7, 1, S(1), NULL) == RH_OK);
    rh_evidence_counts_get(ev, &c);
    RH_CHECK_EQ(c.dropped, 4); /* 3 writes + 1 host */
    RH_CHECK_EQ(rh_evidence_host_count(ev), 2);
    RH_CHECK(rh_evidence_writes(ev, NULL, RUN, "a", 0, &l) == RH_OK);
    RH_CHECK_EQ(l.count, 1);
    RH_CHECK_EQ(l.total, 2);
    rh_evidence_list_free(ev, &l);
    rh_evidence_destroy(ev);

    /* Strings are cut on a character boundary; NUL bytes become U+FFFD. */
    memset(&o, 0, sizeof(o));
    o.max_string = 16;
    ev = mk(&o);
    memset(big, 'A', sizeof(big));
    memcpy(big + 15, "\xC3\xA9", 2); /* é straddling the 16-byte cut */
    big[sizeof(big) - 1] = '\0';
    RH_CHECK(ev_add(ev, "H", 13, 1, S(1), "ProcessId", "1", "Image", big, "TargetObject",
                    "HKLM\\S\\v", NULL) == RH_OK);
    {
        rh_event_field f[3];
        rh_event e;
        memset(&e, 0, sizeof(e));
        memset(f, 0, sizeof(f));
        f[0].name = "TargetObject";
        f[0].value = "HKLM\\S\\n\0x";
        f[0].value_len = 10;
        f[1].name = "Details";
        f[1].value = "a\0b";
        f[1].value_len = 3;
        f[2].name = "ProcessId";
        f[2].value = "1";
        f[2].value_len = 1;
        e.provider = "Microsoft-Windows-Sysmon";
        e.event_id = 13;
        e.computer = "H";
        e.fields = f;
        e.nfields = 3;
        e.timestamp = S(2);
        RH_CHECK(rh_evidence_add_event(ev, &e) == RH_OK);
    }
    RH_CHECK(rh_evidence_writes(ev, NULL, "HKLM\\S", "v", 0, &l) == RH_OK);
    RH_CHECK_EQ(l.count, 1);
    if (l.count) {
        const rh_evidence_write *w = l.items[0];
        RH_CHECK_EQ(strlen(w->writer.image), 15); /* the é did not fit whole */
    }
    rh_evidence_list_free(ev, &l);
    RH_CHECK(rh_evidence_writes(ev, NULL, "HKLM\\S", NULL, 0, &l) == RH_OK);
    RH_CHECK_EQ(l.count, 2);
    if (l.count == 2) {
        const rh_evidence_write *w = l.items[1];
        RH_CHECK_STR(w->details, "a\xEF\xBF\xBD"
                                 "b");
        RH_CHECK(strlen(w->value) > 1);
    }
    rh_evidence_list_free(ev, &l);
    RH_CHECK(rh_evidence_writes(ev, NULL, NULL, NULL, 0, &l) == RH_ERR_ARG);
    RH_CHECK(rh_evidence_add_event(ev, NULL) == RH_ERR_ARG);
    rh_evidence_destroy(ev);
    rh_evidence_destroy(NULL);
    rh_evidence_list_free(NULL, NULL);
}

/* Build a small index and query it, failing the n-th allocation. */
static int oom_run(rh_ctx *c)
{
    rh_evidence *ev = NULL;
    rh_evidence_list l = {NULL, 0, 0};
    rh_evidence_verdict v;
    rh_evidence_subject s;
    rh_status st = rh_evidence_create(c, NULL, &ev);
    int i;
    if (st != RH_OK) {
        RH_CHECK(ev == NULL);
        return st == RH_ERR_NOMEM;
    }
    for (i = 0; i < 20 && st == RH_OK; i++) {
        st = ev_add(ev, i & 1 ? "A.corp" : "B", 13, (uint64_t)i, S(i), "ProcessGuid",
                    "{11111111-0000-0000-0000-000000000001}", "ProcessId", "1", "Image", "x.exe",
                    "TargetObject", RUN "\\v", "Details", "d", NULL);
        if (st == RH_OK) {
            st = ev_proc1(ev, "B", (uint64_t)(100 + i), S(i),
                          "{11111111-0000-0000-0000-000000000001}", "1", "x.exe", "x",
                          "{22222222-0000-0000-0000-000000000002}", "2", "p.exe");
        }
        if (st == RH_OK) {
            st = ev_add(ev, "B", 11, (uint64_t)(200 + i), S(i), "ProcessId", "3", "TargetFilename",
                        "C:\\a\\b.exe", NULL);
        }
    }
    if (st == RH_OK) {
        st = rh_evidence_writes(ev, "a", RUN, "v", 0, &l);
        rh_evidence_list_free(ev, &l);
    }
    if (st == RH_OK) {
        st = rh_evidence_file_created(ev, NULL, "%X%\\b.exe", &l);
        rh_evidence_list_free(ev, &l);
    }
    if (st == RH_OK) {
        memset(&s, 0, sizeof(s));
        s.key_path = RUN;
        s.value_name = "v";
        s.presence = RH_PRESENCE_LIVE;
        st = rh_evidence_state(ev, &s, &v);
    }
    rh_evidence_destroy(ev);
    RH_CHECK(st == RH_OK || st == RH_ERR_NOMEM);
    return st == RH_ERR_NOMEM;
}

static void test_oom(void)
{
    rh_allocator a = rh_test_allocator();
    rh_ctx *c = NULL;
    long n;
    int failures = 0;
    RH_CHECK(rh_ctx_create(&a, &c) == RH_OK);
    for (n = 1; n < 400; n++) {
        rh_test_fail_alloc_at(n);
        failures += oom_run(c);
    }
    rh_test_fail_alloc_at(0);
    RH_CHECK(failures > 50);
    RH_CHECK_EQ(oom_run(c), 0);
    rh_ctx_destroy(c);
}

/* An HKCU write belongs to the hive of the account that made it. */
static void test_write_for_user(void)
{
    rh_evidence_write w;
    memset(&w, 0, sizeof(w));
    w.target = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x";
    w.writer.user = "CORP\\alice";
    RH_CHECK(!rh_evidence_write_for_user(&w, "bob", "S-1-5-21-1-2-3-1001"));
    RH_CHECK(rh_evidence_write_for_user(&w, "alice", NULL));
    RH_CHECK(rh_evidence_write_for_user(&w, "alice.CORP", NULL));
    RH_CHECK(!rh_evidence_write_for_user(&w, "alice.OTHER", NULL));
    RH_CHECK(!rh_evidence_write_for_user(&w, "alicia", NULL));
    RH_CHECK(rh_evidence_write_for_user(&w, NULL, NULL)); /* machine/unknown subject */
    w.writer.user = "S-1-5-21-1-2-3-1001";
    RH_CHECK(rh_evidence_write_for_user(&w, "bob", "S-1-5-21-1-2-3-1001"));
    RH_CHECK(!rh_evidence_write_for_user(&w, "bob", "S-1-5-21-1-2-3-1002"));
    w.writer.user = NULL; /* writer unknown: cannot tell, keep it */
    RH_CHECK(rh_evidence_write_for_user(&w, "bob", NULL));
    w.writer.user = "CORP\\alice";
    w.target = "HKU\\S-1-5-21-1-2-3-1001\\Software\\x"; /* the path names the hive */
    RH_CHECK(rh_evidence_write_for_user(&w, "bob", "S-1-5-21-1-2-3-1001"));
    w.target = "HKEY_CURRENT_USER\\Software\\x";
    RH_CHECK(!rh_evidence_write_for_user(&w, "bob", NULL));
}

/* One event built from name/value pairs (provider and channel as given, either may be NULL). */
static void actor_of(rh_evidence_actor *a, const char *provider, const char *channel, uint32_t eid,
                     const char *const *kv)
{
    static rh_event_field f[16];
    rh_event e;
    size_t n = 0;
    memset(&e, 0, sizeof(e));
    memset(f, 0, sizeof(f));
    for (; kv[2 * n] && n < 16; n++) {
        f[n].name = kv[2 * n];
        f[n].value = kv[2 * n + 1];
        f[n].value_len = strlen(kv[2 * n + 1]);
        f[n].type = RH_FIELD_STRING;
    }
    e.provider = provider;
    e.channel = channel;
    e.event_id = eid;
    e.timestamp = S(1);
    e.fields = f;
    e.nfields = n;
    rh_evidence_actor_of(&e, a);
}

#define FSTR(f) ((f) ? (f)->value : "(null)")

/* The one reader of "who acted": Sysmon layout by provider or channel (any case), 4657/4688
 * fields, hex process ids, "-" placeholders, Target vs Subject user of 4688. */
static void test_actor(void)
{
    rh_evidence_actor a;
    static const char *const sysmon13[] = {
        "Image",   "C:\\t\\a.exe", "ProcessGuid", "{abc}",   "ProcessId",
        "42",      "User",         "CORP\\bob",   "UtcTime", "2020-01-01 00:00:05.000",
        "Details", "C:\\x.exe",    NULL};
    static const char *const s4657[] = {"ProcessName",
                                        "C:\\r.exe",
                                        "ProcessId",
                                        "0x1a4",
                                        "SubjectUserName",
                                        "alice",
                                        "SubjectDomainName",
                                        "CORP",
                                        "SubjectUserSid",
                                        "S-1-5-21-1-2-3-1104",
                                        "NewValue",
                                        "d",
                                        "Image",
                                        "ignored",
                                        NULL};
    static const char *const s4688[] = {"NewProcessName",
                                        "C:\\n.exe",
                                        "NewProcessId",
                                        "0x10",
                                        "ProcessId",
                                        "0x4",
                                        "SubjectUserName",
                                        "SYSTEM",
                                        "TargetUserSid",
                                        "S-1-5-21-9",
                                        "TargetUserName",
                                        "carol",
                                        "TargetDomainName",
                                        "CORP",
                                        "CommandLine",
                                        "n.exe -x",
                                        NULL};
    static const char *const s4688_nt[] = {"NewProcessName",
                                           "C:\\n.exe",
                                           "SubjectUserName",
                                           "dave",
                                           "TargetUserSid",
                                           "S-1-0-0",
                                           "TargetUserName",
                                           "-",
                                           NULL};
    static const char *const dash[] = {"Image", "-", "ProcessId", "12x", "User", "", NULL};
    actor_of(&a, NULL, "microsoft-windows-sysmon/operational", 13, sysmon13);
    RH_CHECK(a.cls.sysmon && a.cls.kind == RH_EVIDENCE_KIND_WRITE);
    RH_CHECK_STR(FSTR(a.image), "C:\\t\\a.exe");
    RH_CHECK_STR(FSTR(a.guid), "{abc}");
    RH_CHECK_EQ(a.pid, 42);
    RH_CHECK_STR(FSTR(a.user_name), "CORP\\bob");
    RH_CHECK(a.user_domain == NULL && a.user_sid == NULL);
    RH_CHECK_EQ(a.time, S(5));
    RH_CHECK_STR(FSTR(a.details), "C:\\x.exe");
    actor_of(&a, "Microsoft-Windows-Security-Auditing", "Security", 4657, s4657);
    RH_CHECK(!a.cls.sysmon && a.cls.kind == RH_EVIDENCE_KIND_WRITE);
    RH_CHECK_STR(FSTR(a.image), "C:\\r.exe");
    RH_CHECK_EQ(a.pid, 0x1a4);
    RH_CHECK_STR(FSTR(a.user_name), "alice");
    RH_CHECK_STR(FSTR(a.user_domain), "CORP");
    RH_CHECK_STR(FSTR(a.user_sid), "S-1-5-21-1-2-3-1104");
    RH_CHECK_STR(FSTR(a.details), "d");
    RH_CHECK_EQ(a.time, S(1));
    actor_of(&a, NULL, "Security", 4688, s4688);
    RH_CHECK(a.cls.kind == RH_EVIDENCE_KIND_PROCESS);
    RH_CHECK_STR(FSTR(a.image), "C:\\n.exe");
    RH_CHECK_EQ(a.pid, 0x10);
    RH_CHECK_STR(FSTR(a.user_name), "carol");
    RH_CHECK_STR(FSTR(a.user_sid), "S-1-5-21-9");
    RH_CHECK_STR(FSTR(a.subject), "n.exe -x");
    actor_of(&a, "Microsoft-Windows-Security-Auditing", NULL, 4688, s4688_nt);
    RH_CHECK_STR(FSTR(a.user_name), "dave"); /* S-1-0-0 target: the creator runs it */
    actor_of(&a, "SYSMON", NULL, 1, dash);
    RH_CHECK(a.cls.sysmon);
    RH_CHECK(a.image == NULL && a.user_name == NULL); /* "-" and "" are absent */
    RH_CHECK_EQ(a.pid, 0);                            /* malformed */
    RH_CHECK_EQ(a.time, S(1));                        /* no UtcTime: TimeCreated */
}

int main(void)
{
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_sysmon_writes();
    test_sysmon_key_ops();
    test_security_4657();
    test_actor();
    test_views_and_value_forms();
    test_hosts();
    test_duplicates_and_state_events();
    test_files();
    test_coverage();
    test_fusion();
    test_caps();
    test_oom();
    rh_ctx_destroy(ctx);
    test_write_for_user();
    return rh_test_summary("test_evidence_index");
}
