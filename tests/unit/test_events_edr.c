/*
 * EDR/SIEM export shapes (tests/data/events/, hand-written from the documented schemas) mapped
 * to Sysmon's events, and the RFC 4180 CSV reader: quotes, "" escapes, line breaks inside
 * quotes, CRLF, short and long records, the header sniff and the caps.
 */
#include "rh_test.h"

#define MAXEV 16

/* One line per event: "eid|EventType|TargetObject|Details|Image|ProcessGuid|User". */
static char lines[MAXEV][1024];
static char guid_of[MAXEV][64];
static int nev;

static const char *fv(const rh_event *ev, const char *name)
{
    const rh_event_field *f = rh_event_field_get(ev, name);
    return f ? f->value : "-";
}

static rh_status on_ev(const rh_event *ev, void *u)
{
    (void)u;
    if (nev < MAXEV) {
        snprintf(lines[nev], sizeof(lines[nev]), "%u|%s|%s|%s|%s|%s|%s", ev->event_id,
                 fv(ev, "EventType"), fv(ev, "TargetObject"), fv(ev, "Details"), fv(ev, "Image"),
                 fv(ev, "User"), fv(ev, "UtcTime"));
        snprintf(guid_of[nev], sizeof(guid_of[nev]), "%s|%s", fv(ev, "ProcessGuid"),
                 fv(ev, "ParentProcessGuid"));
    }
    nev++;
    return RH_OK;
}

static rh_status read_fixture(rh_ctx *ctx, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "data/events/%s", name);
    nev = 0;
    return rh_events_read_file(ctx, path, NULL, on_ev, NULL);
}

static rh_status read_text(rh_ctx *ctx, const char *text, size_t len)
{
    nev = 0;
    return rh_events_read_mem(ctx, "mem.csv", text, len, NULL, on_ev, NULL);
}

static void test_mde(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "mde_registry.csv"), RH_OK);
    RH_CHECK_EQ(nev, 3);
    RH_CHECK_STR(lines[0],
                 "13|SetValue|HKU\\S-1-5-21-1111111111-2222222222-3333333333-1001\\SOFTWARE"
                 "\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater|\"C:\\Users\\Public\\up "
                 "date.exe\" /q, --silent|c:\\windows\\system32\\reg.exe|CORP\\alice|"
                 "2024-03-01 10:00:00.123");
    RH_CHECK_STR(lines[1],
                 "13|SetValue|HKLM\\SYSTEM\\CurrentControlSet\\Services\\evilsvc\\Start|"
                 "DWORD (0x00000002)|c:\\windows\\system32\\services.exe|NT AUTHORITY\\SYSTEM|"
                 "2024-03-01 10:00:01.000");
    RH_CHECK_STR(lines[2],
                 "12|DeleteKey|HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image "
                 "File Execution Options\\sethc.exe|-|c:\\windows\\system32\\reg.exe|"
                 "CORP\\alice|2024-03-01 10:00:02.000");
    /* streaming JSON: Event Hub records, one record per line; the process GUID links */
    RH_CHECK_EQ(read_fixture(ctx, "mde_stream.ndjson"), RH_OK);
    RH_CHECK_EQ(nev, 5);
    RH_CHECK(strncmp(lines[0],
                     "1|-|-|-|C:\\Users\\alice\\AppData\\Local\\Temp\\payload.exe|corp\\alice|",
                     60) == 0);
    RH_CHECK_STR(lines[1],
                 "13|SetValue|HKU\\S-1-5-21-1111111111-2222222222-3333333333-1001_Classes"
                 "\\CLSID\\{0A29FF9E-7F9C-4437-8B11-F424491E3931}\\InprocServer32\\(Default)|"
                 "%APPDATA%\\evil.dll|C:\\Users\\alice\\AppData\\Local\\Temp\\payload.exe|"
                 "corp\\alice|2024-03-01 11:00:05.500");
    RH_CHECK(strncmp(lines[2], "3|", 2) == 0);
    RH_CHECK(strncmp(lines[3], "11|", 3) == 0);
    RH_CHECK(strncmp(lines[4], "0|", 2) == 0); /* DeviceLogonEvents: kept, not Sysmon */
    /* the registry writer's GUID is the created process's GUID */
    RH_CHECK(strncmp(guid_of[0], guid_of[1], 38) == 0);
    RH_CHECK(strncmp(guid_of[0], guid_of[2], 38) == 0);
    RH_CHECK(guid_of[0][0] == '{' && guid_of[0][37] == '}');
}

static void test_falcon(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "falcon.ndjson"), RH_OK);
    RH_CHECK_EQ(nev, 6);
    RH_CHECK_STR(lines[1],
                 "13|SetValue|HKU\\S-1-5-21-1111111111-2222222222-3333333333-1002\\Software"
                 "\\Microsoft\\Windows\\CurrentVersion\\Run\\Tool|C:\\Users\\bob\\Downloads"
                 "\\tool.exe -bg|\\Device\\HarddiskVolume3\\Users\\bob\\Downloads\\tool.exe|-|"
                 "2024-03-01 11:00:01.250");
    RH_CHECK_STR(lines[2],
                 "13|SetValue|HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa"
                 "\\DisableRestrictedAdmin|DWORD (0x00000000)|\\Device\\HarddiskVolume3\\Users"
                 "\\bob\\Downloads\\tool.exe|-|2024-03-01 11:00:02.000");
    RH_CHECK(strncmp(lines[3],
                     "12|DeleteValue|HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
                     "\\Winlogon\\Userinit|-|",
                     80) == 0);
    RH_CHECK(strncmp(lines[4],
                     "12|CreateKey|HKLM\\SOFTWARE\\Classes\\CLSID\\{11111111-2222-3333-4444-"
                     "555555555555}|-|",
                     60) == 0);
    RH_CHECK(strncmp(lines[5], "0|", 2) == 0); /* DnsRequest */
    RH_CHECK(strncmp(guid_of[0], guid_of[1], 38) == 0);
}

static void test_s1_splunk(rh_ctx *ctx)
{
    RH_CHECK_EQ(read_fixture(ctx, "s1_dv.csv"), RH_OK);
    RH_CHECK_EQ(nev, 3);
    RH_CHECK_STR(lines[1], "13|SetValue|HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders"
                           "\\WDigest\\UseLogonCredential|DWORD (0x00000001)|C:\\Windows\\System32"
                           "\\reg.exe|CORP\\svc_sql|2024-03-02 09:00:01.000");
    RH_CHECK(strncmp(lines[2], "12|DeleteValue|HKU\\S-1-5-21-", 26) == 0);
    RH_CHECK_EQ(read_fixture(ctx, "s1_pq.json"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(lines[0],
                 "13|SetValue|HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce"
                 "\\Stage2|rundll32.exe C:\\ProgramData\\s2.dll,Start|C:\\Windows\\System32"
                 "\\cmd.exe|CORP\\svc_sql|2024-03-02 08:15:00.000");
    RH_CHECK(strncmp(lines[1], "12|CreateKey|HKU\\S-1-5-21-", 24) == 0);
    /* Splunk JSON: fields from the XML _raw (entities decoded), or extracted */
    RH_CHECK_EQ(read_fixture(ctx, "splunk.json"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(lines[0],
                 "13|SetValue|HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image "
                 "File Execution Options\\utilman.exe\\Debugger|C:\\Windows\\System32\\cmd.exe "
                 "& echo <x> \xc3\xa9|C:\\Windows\\System32\\reg.exe|CORP\\admin|"
                 "2024-03-03 12:00:00.250");
    RH_CHECK(strncmp(lines[1], "12|CreateKey|HKLM\\System\\CurrentControlSet\\Services\\backdoor|",
                     60) == 0);
    RH_CHECK_EQ(read_fixture(ctx, "splunk_sysmon.csv"), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK(strstr(lines[0], "|C:\\Users\\dave\\AppData\\Roaming\\logon.bat, \"quoted\"|") !=
             NULL);
    RH_CHECK(strstr(lines[1], "|DWORD (0x00000000)|") != NULL);
}

static void test_csv(rh_ctx *ctx)
{
    static const char hdr[] = "EventCode,_time,TargetObject,Details,EventType\n";
    char *big;
    size_t n, i;
    /* quotes, "" escapes, a line break inside quotes, CRLF, a record without a final newline */
    static const char t1[] = "EventCode,_time,TargetObject,Details,EventType\r\n"
                             "13,2024-01-01T00:00:00Z,\"HKLM\\A,B\",\"x\"\"y\r\nz\",SetValue\r\n"
                             "\r\n"
                             "12,2024-01-01T00:00:01Z,HKLM\\C,,CreateKey";
    static const char t2[] = "EventCode,_time,TargetObject,Details,EventType\n"
                             "13,2024-01-01T00:00:00Z,HKLM\\short\n"
                             "13,2024-01-01T00:00:00Z,HKLM\\long,d,SetValue,extra,extra\n";
    RH_CHECK_EQ(read_text(ctx, t1, sizeof(t1) - 1), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(lines[0], "13|SetValue|HKLM\\A,B|x\"y\r\nz|-|-|-");
    RH_CHECK_STR(lines[1], "12|CreateKey|HKLM\\C|-|-|-|-");
    RH_CHECK_EQ(read_text(ctx, t2, sizeof(t2) - 1), RH_OK);
    RH_CHECK_EQ(nev, 2);
    RH_CHECK_STR(lines[0], "13|-|HKLM\\short|-|-|-|-");
    RH_CHECK_STR(lines[1], "13|SetValue|HKLM\\long|d|-|-|-");
    /* an unknown header is refused; an empty input too */
    RH_CHECK_EQ(read_text(ctx, "a,b,c\n1,2,3\n", 12), RH_ERR_FORMAT);
    /* caps: a field over 1 MiB, more than 1024 columns */
    n = sizeof(hdr) - 1 + 4 + (1u << 20) + 16;
    big = malloc(n);
    RH_CHECK(big != NULL);
    if (big) {
        memcpy(big, hdr, sizeof(hdr) - 1);
        memcpy(big + sizeof(hdr) - 1, "13,\"", 4);
        memset(big + sizeof(hdr) - 1 + 4, 'A', n - (sizeof(hdr) - 1 + 4));
        RH_CHECK_EQ(read_text(ctx, big, n), RH_ERR_LIMIT);
        memcpy(big, hdr, sizeof(hdr) - 1);
        for (i = sizeof(hdr) - 1; i < sizeof(hdr) - 1 + 3000; i++) {
            big[i] = ',';
        }
        RH_CHECK_EQ(read_text(ctx, big, sizeof(hdr) - 1 + 3000), RH_ERR_LIMIT);
        free(big);
    }
    /* an input ending inside quotes keeps the record (anomaly) */
    RH_CHECK_EQ(read_text(ctx, "EventCode,_time,TargetObject\n13,x,\"HKLM\\open", 45), RH_OK);
    RH_CHECK_EQ(nev, 1);
    RH_CHECK(strstr(lines[0], "|HKLM\\open|") != NULL);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_mde(ctx);
    test_falcon(ctx);
    test_s1_splunk(ctx);
    test_csv(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_events_edr");
}
