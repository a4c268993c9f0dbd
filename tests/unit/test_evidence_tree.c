/*
 * Evidence process trees: GUID chains, the pid-reuse rule, 4688-only chains, missing
 * parents, cycles, the depth cap, activity (network, files) per process, host scoping, and
 * the text / JSON / HTML renderings of hostile strings.
 */
#include <jansson.h>

#include "rh_test.h"

#include "evidence_events.h"

static rh_ctx *ctx;

#define G(n) "{00000000-0000-0000-0000-00000000000" #n "}"

static rh_evidence *mk(const rh_evidence_opts *o)
{
    rh_evidence *ev = NULL;
    RH_CHECK(rh_evidence_create(ctx, o, &ev) == RH_OK);
    return ev;
}

static rh_evidence_tree *tree_of(rh_evidence *ev, const char *host, const char *guid, uint32_t pid,
                                 uint64_t t)
{
    rh_evidence_proc_ref r;
    rh_evidence_tree *tr = NULL;
    memset(&r, 0, sizeof(r));
    r.guid = guid;
    r.pid = pid;
    r.time = t;
    r.image = "ref.exe";
    RH_CHECK(rh_evidence_process_tree(ev, host, &r, &tr) == RH_OK);
    RH_CHECK(tr != NULL && tr->count >= 1);
    return tr;
}

static void test_guid_chain(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    rh_evidence_list l;
    RH_CHECK(ev_proc1(ev, "H", 1, S(1), G(1), "1000", "C:\\Windows\\explorer.exe",
                      "C:\\Windows\\Explorer.EXE", G(9), "900",
                      "C:\\Windows\\System32\\userinit.exe") == RH_OK);
    RH_CHECK(ev_proc1(ev, "H", 2, S(2), G(2), "2000", "C:\\Windows\\System32\\cmd.exe",
                      "cmd /c powershell", G(1), "1000", "C:\\Windows\\explorer.exe") == RH_OK);
    RH_CHECK(ev_proc1(ev, "H", 3, S(3), G(3), "3000", "C:\\Windows\\System32\\powershell.exe",
                      "powershell -enc AAAA", "{00000000-0000-0000-0000-000000000002}", "2000",
                      "C:\\Windows\\System32\\cmd.exe") == RH_OK);
    RH_CHECK(ev_add(ev, "H", 13, 4, S(4), "ProcessGuid", "{00000000-0000-0000-0000-000000000003}",
                    "ProcessId", "3000", "Image", "C:\\Windows\\System32\\powershell.exe",
                    "TargetObject", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x",
                    NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 3, 5, S(5), "ProcessGuid", G(3), "ProcessId", "3000", "Protocol",
                    "tcp", "Initiated", "true", "SourceIp", "10.0.0.5", "SourcePort", "49700",
                    "DestinationIp", "203.0.113.7", "DestinationPort", "443", "DestinationHostname",
                    "evil.example", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 11, 6, S(6), "ProcessGuid", G(3), "ProcessId", "3000",
                    "TargetFilename", "C:\\Users\\bob\\AppData\\Roaming\\x.exe", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 3, 7, S(1), "ProcessGuid", G(1), "ProcessId", "1000", "Protocol",
                    "udp", "Initiated", "false", NULL) == RH_OK);

    RH_CHECK(rh_evidence_writes(ev, NULL, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
                                "X", 0, &l) == RH_OK);
    RH_CHECK_EQ(l.count, 1);
    if (l.count) {
        const rh_evidence_write *w = l.items[0];
        RH_CHECK(rh_evidence_process_tree(ev, w->host, &w->writer, &t) == RH_OK);
        RH_CHECK_EQ(t->count, 4);
        if (t->count == 4) {
            RH_CHECK_STR(t->nodes[0].proc.image, "C:\\Windows\\System32\\powershell.exe");
            RH_CHECK_EQ(t->nodes[0].link, RH_EVIDENCE_LINK_GUID);
            RH_CHECK_EQ(t->nodes[0].logged, 1);
            RH_CHECK_EQ(t->nodes[0].nconns, 1);
            RH_CHECK_EQ(t->nodes[0].nfiles, 1);
            if (t->nodes[0].nconns) {
                RH_CHECK_STR(t->nodes[0].conns[0]->dst_host, "evil.example");
                RH_CHECK_EQ(t->nodes[0].conns[0]->dst_port, 443);
                RH_CHECK_EQ(t->nodes[0].conns[0]->initiated, 1);
            }
            RH_CHECK_STR(t->nodes[1].proc.image, "C:\\Windows\\System32\\cmd.exe");
            RH_CHECK_STR(t->nodes[2].proc.image, "C:\\Windows\\explorer.exe");
            RH_CHECK_EQ(t->nodes[2].nconns, 1);
            /* userinit's creation is not logged: inferred from explorer's Parent* fields. */
            RH_CHECK_EQ(t->nodes[3].logged, 0);
            RH_CHECK_EQ(t->nodes[3].link, RH_EVIDENCE_LINK_INFERRED);
            RH_CHECK_STR(t->nodes[3].proc.image, "C:\\Windows\\System32\\userinit.exe");
            RH_CHECK_EQ(t->nodes[3].proc.pid, 900);
            RH_CHECK(!t->truncated && !t->cycle);
        }
        rh_evidence_tree_free(ev, t);
    }
    rh_evidence_list_free(ev, &l);
    /* By GUID with no host: found on any host. By pid with the host. */
    t = tree_of(ev, NULL, "{00000000-0000-0000-0000-000000000002}", 0, 0);
    RH_CHECK_EQ(t->count, 3);
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "h.corp", NULL, 2000, S(3));
    RH_CHECK_EQ(t->count, 3);
    RH_CHECK_EQ(t->nodes[0].link, RH_EVIDENCE_LINK_PID_TIME);
    rh_evidence_tree_free(ev, t);
    /* Before the process started: nothing logged for pid 2000 then. */
    t = tree_of(ev, "H", NULL, 2000, S(0) - 100000000ull);
    RH_CHECK_EQ(t->count, 1);
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    RH_CHECK_STR(t->nodes[0].proc.image, "ref.exe");
    rh_evidence_tree_free(ev, t);
    /* An unknown GUID is authoritative: the pid (reused by cmd.exe) is not taken. */
    t = tree_of(ev, "H", "{99999999-0000-0000-0000-000000000000}", 2000, S(3));
    RH_CHECK_EQ(t->count, 1);
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    rh_evidence_tree_free(ev, t);
    rh_evidence_destroy(ev);
}

static void test_pid_reuse_4688(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    /* pid 0x64 (100) is a.exe from S(10) to S(20), then b.exe from S(30). */
    RH_CHECK(ev_4688(ev, "H", 1, S(10), "0x64", "C:\\a.exe", "0x4") == RH_OK);
    RH_CHECK(ev_add(ev, "H", 4689, 2, S(20), "ProcessId", "0x64", "ProcessName", "C:\\a.exe",
                    NULL) == RH_OK);
    RH_CHECK(ev_4688(ev, "H", 3, S(30), "0x64", "C:\\b.exe", "0x4") == RH_OK);
    RH_CHECK(ev_4688(ev, "H", 4, S(40), "0xc8", "C:\\child-of-b.exe", "0x64") == RH_OK);
    RH_CHECK(ev_4688(ev, "H", 5, S(15), "0xc9", "C:\\child-of-a.exe", "0x64") == RH_OK);
    RH_CHECK(ev_4688(ev, "H", 6, S(25), "0xca", "C:\\orphan.exe", "0x64") == RH_OK);

    t = tree_of(ev, "H", NULL, 200, S(41));
    RH_CHECK_EQ(t->count, 3);
    if (t->count == 3) {
        RH_CHECK_STR(t->nodes[0].proc.image, "C:\\child-of-b.exe");
        RH_CHECK_STR(t->nodes[1].proc.image, "C:\\b.exe");
        RH_CHECK_EQ(t->nodes[1].link, RH_EVIDENCE_LINK_PID_TIME);
        RH_CHECK_EQ(t->nodes[2].logged, 0); /* pid 4 (System) inferred from ProcessId */
        RH_CHECK_EQ(t->nodes[2].proc.pid, 4);
    }
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 201, S(16));
    RH_CHECK(t->count >= 2);
    if (t->count >= 2) {
        RH_CHECK_STR(t->nodes[1].proc.image, "C:\\a.exe");
        RH_CHECK_EQ(t->nodes[1].proc.end, S(20));
    }
    rh_evidence_tree_free(ev, t);
    /* Started after a.exe exited and before b.exe started: its parent is unknown. */
    t = tree_of(ev, "H", NULL, 202, S(26));
    RH_CHECK_EQ(t->count, 2);
    if (t->count == 2) {
        RH_CHECK_EQ(t->nodes[1].logged, 0);
        RH_CHECK_EQ(t->nodes[1].proc.pid, 100);
    }
    rh_evidence_tree_free(ev, t);
    /* Direct pid references at different times. */
    t = tree_of(ev, "H", NULL, 100, S(12));
    RH_CHECK_STR(t->nodes[0].proc.image, "C:\\a.exe");
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 100, S(35));
    RH_CHECK_STR(t->nodes[0].proc.image, "C:\\b.exe");
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 100, S(23)); /* between the two (past the skew): none alive */
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 100, 0); /* no time and a reused pid: ambiguous */
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 200, 0); /* no time, one candidate: taken */
    RH_CHECK_EQ(t->nodes[0].logged, 1);
    rh_evidence_tree_free(ev, t);
    rh_evidence_destroy(ev);
}

static void test_4688_fields(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    RH_CHECK(ev_add(ev, "H", 4688, 1, S(1), "SubjectUserSid", "S-1-5-21-1-1001", "SubjectUserName",
                    "bob", "SubjectDomainName", "CORP", "NewProcessId", "0x1f4", "NewProcessName",
                    "C:\\Windows\\System32\\cmd.exe", "ProcessId", "0x3e8", "CommandLine",
                    "cmd.exe /c whoami", "TargetUserSid", "S-1-5-21-1-500", "TargetUserName",
                    "admin", "TargetDomainName", "CORP", "ParentProcessName",
                    "C:\\Windows\\explorer.exe", "MandatoryLabel", "S-1-16-12288", NULL) == RH_OK);
    t = tree_of(ev, "H", NULL, 500, S(2));
    RH_CHECK_EQ(t->count, 2);
    RH_CHECK_STR(t->nodes[0].proc.user, "CORP\\admin");
    RH_CHECK_STR(t->nodes[0].proc.integrity, "High");
    RH_CHECK_STR(t->nodes[0].proc.command_line, "cmd.exe /c whoami");
    RH_CHECK_EQ(t->nodes[0].proc.parent_pid, 1000);
    RH_CHECK_EQ(t->nodes[0].proc.event_id, 4688);
    if (t->count == 2) {
        RH_CHECK_STR(t->nodes[1].proc.image, "C:\\Windows\\explorer.exe");
        RH_CHECK_EQ(t->nodes[1].logged, 0);
    }
    rh_evidence_tree_free(ev, t);
    /* Sysmon 1 and 4688 of the same process: the Sysmon record (with GUID) wins. */
    RH_CHECK(ev_proc1(ev, "H", 2, S(1), G(5), "500", "C:\\Windows\\System32\\cmd.exe", "cmd", G(6),
                      "1000", "C:\\Windows\\explorer.exe") == RH_OK);
    t = tree_of(ev, "H", NULL, 500, S(2));
    RH_CHECK_STR(t->nodes[0].proc.guid, G(5));
    RH_CHECK_EQ(t->nodes[0].proc.event_id, 1);
    rh_evidence_tree_free(ev, t);
    /* A 4688-only chain of three. */
    RH_CHECK(ev_4688(ev, "H2", 1, S(1), "0x10", "C:\\Windows\\System32\\services.exe", "0x8") ==
             RH_OK);
    RH_CHECK(ev_4688(ev, "H2", 2, S(2), "0x20", "C:\\Windows\\System32\\svchost.exe", "0x10") ==
             RH_OK);
    RH_CHECK(ev_4688(ev, "H2", 3, S(3), "0x30", "C:\\Windows\\System32\\taskhostw.exe", "0x20") ==
             RH_OK);
    t = tree_of(ev, "h2", NULL, 0x30, S(4));
    RH_CHECK_EQ(t->count, 4);
    if (t->count == 4) {
        RH_CHECK_STR(t->nodes[2].proc.image, "C:\\Windows\\System32\\services.exe");
        RH_CHECK_STR(t->nodes[0].proc.user, "CORP\\WKSTN$");
        RH_CHECK_EQ(t->nodes[3].proc.pid, 8);
    }
    rh_evidence_tree_free(ev, t);
    /* A pid alone without a host, with two hosts indexed: not resolved. */
    t = tree_of(ev, NULL, NULL, 0x30, S(4));
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    rh_evidence_tree_free(ev, t);
    rh_evidence_destroy(ev);
}

static void test_cycles_and_depth(void)
{
    rh_evidence_opts o;
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    char guid[64], pguid[64], pid[16], ppid[16];
    int i;
    /* A and B name each other as parent. */
    RH_CHECK(ev_proc1(ev, "H", 1, S(1), G(1), "10", "a.exe", "a", G(2), "20", "b.exe") == RH_OK);
    RH_CHECK(ev_proc1(ev, "H", 2, S(1), G(2), "20", "b.exe", "b", G(1), "10", "a.exe") == RH_OK);
    /* C is its own parent. */
    RH_CHECK(ev_proc1(ev, "H", 3, S(1), G(3), "30", "c.exe", "c", G(3), "30", "c.exe") == RH_OK);
    t = tree_of(ev, "H", G(1), 0, 0);
    RH_CHECK_EQ(t->count, 2);
    RH_CHECK_EQ(t->cycle, 1);
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", G(3), 0, 0);
    RH_CHECK_EQ(t->count, 1);
    RH_CHECK_EQ(t->cycle, 1);
    rh_evidence_tree_free(ev, t);
    /* A pid cycle through 4688 (same start time). */
    RH_CHECK(ev_4688(ev, "P", 1, S(5), "0xa", "x.exe", "0x14") == RH_OK);
    RH_CHECK(ev_4688(ev, "P", 2, S(5), "0x14", "y.exe", "0xa") == RH_OK);
    t = tree_of(ev, "P", NULL, 10, S(6));
    RH_CHECK_EQ(t->count, 2);
    RH_CHECK_EQ(t->cycle, 1);
    rh_evidence_tree_free(ev, t);
    rh_evidence_destroy(ev);

    memset(&o, 0, sizeof(o));
    o.max_depth = 5;
    ev = mk(&o);
    for (i = 0; i < 20; i++) {
        snprintf(guid, sizeof(guid), "{00000000-0000-0000-0000-0000000001%02d}", i);
        snprintf(pguid, sizeof(pguid), "{00000000-0000-0000-0000-0000000001%02d}", i + 1);
        snprintf(pid, sizeof(pid), "%d", 100 + i);
        snprintf(ppid, sizeof(ppid), "%d", 101 + i);
        RH_CHECK(ev_proc1(ev, "H", (uint64_t)i, S(100 - i), guid, pid, "x.exe", "x", pguid, ppid,
                          "x.exe") == RH_OK);
    }
    t = tree_of(ev, "H", "{00000000-0000-0000-0000-000000000100}", 0, 0);
    RH_CHECK_EQ(t->count, 6);
    RH_CHECK_EQ(t->truncated, 1);
    RH_CHECK_EQ(t->cycle, 0);
    rh_evidence_tree_free(ev, t);
    rh_evidence_destroy(ev);
}

static void test_activity_by_pid(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    rh_evidence_proc_ref r;
    /* 4688 processes (no GUID); connections and files without GUID attach by pid + time. */
    RH_CHECK(ev_4688(ev, "H", 1, S(10), "0x64", "C:\\a.exe", "0x4") == RH_OK);
    RH_CHECK(ev_add(ev, "H", 4689, 2, S(20), "ProcessId", "0x64", NULL) == RH_OK);
    RH_CHECK(ev_4688(ev, "H", 3, S(30), "0x64", "C:\\b.exe", "0x4") == RH_OK);
    RH_CHECK(ev_add(ev, "H", 3, 4, S(15), "ProcessId", "100", "Protocol", "tcp", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 3, 5, S(35), "ProcessId", "100", "Protocol", "udp", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 11, 6, S(36), "ProcessId", "100", "TargetFilename", "C:\\b.txt",
                    NULL) == RH_OK);
    t = tree_of(ev, "H", NULL, 100, S(16));
    RH_CHECK_EQ(t->nodes[0].nconns, 1);
    if (t->nodes[0].nconns) {
        RH_CHECK_STR(t->nodes[0].conns[0]->protocol, "tcp");
    }
    RH_CHECK_EQ(t->nodes[0].nfiles, 0);
    rh_evidence_tree_free(ev, t);
    t = tree_of(ev, "H", NULL, 100, S(40));
    RH_CHECK_EQ(t->nodes[0].nconns, 1);
    RH_CHECK_EQ(t->nodes[0].nfiles, 1);
    rh_evidence_tree_free(ev, t);
    /* A writer whose creation was not logged but whose GUID has activity. */
    RH_CHECK(ev_add(ev, "H", 3, 7, S(50), "ProcessGuid", G(7), "ProcessId", "777", "Protocol",
                    "tcp", NULL) == RH_OK);
    t = tree_of(ev, "H", G(7), 777, S(50));
    RH_CHECK_EQ(t->count, 1);
    RH_CHECK_EQ(t->nodes[0].logged, 0);
    RH_CHECK_EQ(t->nodes[0].nconns, 1);
    rh_evidence_tree_free(ev, t);
    memset(&r, 0, sizeof(r));
    RH_CHECK(rh_evidence_process_tree(ev, "H", &r, &t) == RH_NOT_FOUND);
    RH_CHECK(t == NULL);
    RH_CHECK(rh_evidence_process_tree(ev, "H", NULL, &t) == RH_ERR_ARG);
    rh_evidence_tree_free(ev, NULL);
    rh_evidence_destroy(ev);
}

static void test_render(void)
{
    rh_evidence *ev = mk(NULL);
    rh_evidence_tree *t;
    rh_buf b = RH_BUF_INIT(ctx);
    json_t *j;
    json_error_t err;
    const char *evil = "cmd /c \"echo </script><script>alert(1)</script>\"\x1b[31m\nFAKE LINE\r"
                       "\xe2\x80\xae"
                       "exe.txt";
    RH_CHECK(ev_proc1(ev, "H", 1, S(1), G(1), "10", "C:\\x\x07.exe", evil, G(2), "20",
                      "C:\\parent\x1b]0;title\x07.exe") == RH_OK);
    RH_CHECK(ev_add(ev, "H", 3, 2, S(2), "ProcessGuid", G(1), "ProcessId", "10", "Protocol", "tcp",
                    "DestinationHostname", "a\nb", "DestinationIp", "1.2.3.4", NULL) == RH_OK);
    RH_CHECK(ev_add(ev, "H", 11, 3, S(3), "ProcessGuid", G(1), "ProcessId", "10", "TargetFilename",
                    "C:\\t\\<b>.exe", NULL) == RH_OK);
    t = tree_of(ev, "H", G(1), 0, 0);
    RH_CHECK_EQ(t->count, 2);

    RH_CHECK(rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_TEXT, 4, &b) == RH_OK);
    RH_CHECK(memchr(b.data, 0x1b, b.len) == NULL);
    RH_CHECK(memchr(b.data, 0x07, b.len) == NULL);
    RH_CHECK(memchr(b.data, '\r', b.len) == NULL);
    RH_CHECK(strstr(b.data, "\xe2\x80\xae") == NULL); /* bidi override escaped */
    RH_CHECK(strstr(b.data, "\nFAKE LINE") == NULL);
    RH_CHECK(strstr(b.data, "    C:\\parent") == b.data); /* oldest first, indented */
    RH_CHECK(strstr(b.data, "`- C:\\x") != NULL);
    RH_CHECK(strstr(b.data, "<== subject") != NULL);
    RH_CHECK(strstr(b.data, "net: ") != NULL);
    RH_CHECK(strstr(b.data, "file: ") != NULL);
    RH_CHECK(strstr(b.data, "(inferred: creation not logged)") != NULL);
    if (rh_test_failed) {
        fprintf(stderr, "%s", b.data);
    }

    rh_buf_reset(&b);
    RH_CHECK(rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_HTML, 0, &b) == RH_OK);
    RH_CHECK(strstr(b.data, "</script>") == NULL);
    RH_CHECK(strstr(b.data, "<b>") == NULL);
    RH_CHECK(strstr(b.data, "&lt;/script&gt;") != NULL);

    rh_buf_reset(&b);
    RH_CHECK(rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_JSON, 0, &b) == RH_OK);
    j = json_loadb(b.data, b.len, 0, &err);
    RH_CHECK(j != NULL);
    if (j) {
        json_t *chain = json_object_get(j, "chain"), *n0 = json_array_get(chain, 0);
        json_t *net = json_array_get(json_object_get(n0, "network"), 0);
        RH_CHECK_EQ(json_array_size(chain), 2);
        RH_CHECK_STR(json_string_value(json_object_get(n0, "command_line")), evil);
        RH_CHECK_STR(json_string_value(json_object_get(n0, "link")), "guid");
        RH_CHECK(json_is_true(json_object_get(n0, "logged")));
        RH_CHECK_STR(json_string_value(json_object_get(net, "dst_host")), "a\nb");
        RH_CHECK_STR(json_string_value(json_object_get(n0, "start")),
                     "2020-01-01T00:00:01.0000000Z");
        RH_CHECK(json_is_null(json_object_get(json_array_get(chain, 1), "start")));
        RH_CHECK(json_is_false(json_object_get(j, "cycle")));
        json_decref(j);
    } else {
        fprintf(stderr, "json error: %s\n%s\n", err.text, b.data);
    }
    RH_CHECK(rh_evidence_tree_render(t, (rh_evidence_render)9, 0, &b) == RH_ERR_ARG);
    RH_CHECK(rh_evidence_tree_render(NULL, RH_EVIDENCE_RENDER_TEXT, 0, &b) == RH_ERR_ARG);
    RH_CHECK_STR(rh_evidence_link_name(RH_EVIDENCE_LINK_PID_TIME), "pid+time");
    rh_evidence_tree_free(ev, t);
    rh_buf_free(&b);
    rh_evidence_destroy(ev);
}

/* Trees and renderings with the n-th allocation failing. */
static int oom_run(rh_ctx *c)
{
    rh_evidence *ev = NULL;
    rh_evidence_tree *t = NULL;
    rh_evidence_proc_ref r;
    rh_buf b;
    rh_status st = rh_evidence_create(c, NULL, &ev);
    if (st != RH_OK) {
        return 1;
    }
    st = ev_proc1(ev, "H", 1, S(1), G(1), "10", "a.exe", "a", G(2), "20", "b.exe");
    if (st == RH_OK) {
        st = ev_proc1(ev, "H", 2, S(0), G(2), "20", "b.exe", "b", G(3), "30", "c.exe");
    }
    if (st == RH_OK) {
        st = ev_add(ev, "H", 3, 3, S(2), "ProcessGuid", G(1), "ProcessId", "10", NULL);
    }
    if (st == RH_OK) {
        st = ev_add(ev, "H", 11, 4, S(2), "ProcessId", "10", "TargetFilename", "C:\\f", NULL);
    }
    if (st == RH_OK) {
        memset(&r, 0, sizeof(r));
        r.guid = G(1);
        r.pid = 10;
        r.time = S(2);
        st = rh_evidence_process_tree(ev, "H", &r, &t);
        RH_CHECK(st == RH_OK || t == NULL);
    }
    if (st == RH_OK) {
        rh_buf_init(&b, c);
        st = rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_JSON, 0, &b);
        if (st == RH_OK) {
            st = rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_TEXT, 2, &b);
        }
        rh_buf_free(&b);
    }
    rh_evidence_tree_free(ev, t);
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
    for (n = 1; n < 200; n++) {
        rh_test_fail_alloc_at(n);
        failures += oom_run(c);
    }
    rh_test_fail_alloc_at(0);
    RH_CHECK(failures > 20);
    RH_CHECK_EQ(oom_run(c), 0);
    rh_ctx_destroy(c);
}

int main(void)
{
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_guid_chain();
    test_pid_reuse_4688();
    test_4688_fields();
    test_cycles_and_depth();
    test_activity_by_pid();
    test_render();
    test_oom();
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_evidence_tree");
}
