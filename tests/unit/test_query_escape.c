/*
 * Query escaping: each backend's escape and comment functions on hostile text, and a hostile
 * knowledge-base location (quotes, backslashes, * ? %, pipes, newlines, a trailing backslash,
 * comment terminators) through every emitter: strings stay balanced, no control character
 * reaches a literal, headers stay comments, and the values come out in each language's escape
 * form. With an argument, also writes the hostile pack as JSON for tests/node/kql_check.js.
 */
#include <stdio.h>
#include <string.h>

#include "reghunt/query.h"
#include "rh_test.h"

static rh_ctx *ctx;

static const char *esc(rh_query_backend b, const char *s)
{
    static char out[1024];
    rh_buf buf = RH_BUF_INIT(ctx);
    rh_query_escape(&buf, b, s, strlen(s));
    snprintf(out, sizeof(out), "%s", buf.data ? buf.data : "");
    rh_buf_free(&buf);
    return out;
}

static void test_escape_functions(void)
{
    const char *s = "a\"b\\c*d?e%f|g\nh\\";
    RH_CHECK_STR(esc(RH_QB_SPLUNK, s), "a\\\"b\\\\c*d?e%f|g?h\\\\");
    RH_CHECK_STR(esc(RH_QB_SPLUNK_CIM, s), "a\\\"b\\\\c*d?e%f|g?h\\\\");
    RH_CHECK_STR(esc(RH_QB_KQL_MDE, s), "a\\\"b\\\\c*d?e%f|g\\nh\\\\");
    RH_CHECK_STR(esc(RH_QB_KQL_SENTINEL, "\x01\t\r"), "\\u0001\\t\\r");
    RH_CHECK_STR(esc(RH_QB_ESQL, s), "a\\\"b\\\\c*d?e%f|g\\nh\\\\");
    RH_CHECK_STR(esc(RH_QB_EQL, "\x01"), "?");
    RH_CHECK_STR(esc(RH_QB_LUCENE, "a\"b\\c*d?/e f"), "a\\\"b\\\\c\\*d\\?\\/e\\ f");
}

static void test_comments(void)
{
    size_t b;
    for (b = 0; b < RH_QB_COUNT; b++) {
        rh_buf buf = RH_BUF_INIT(ctx);
        const char *nl;
        rh_query_comment(&buf, (rh_query_backend)b,
                         "x\n| take 10\r\xe2\x80\xa8```y``` */ \xc2\x85z");
        RH_CHECK(rh_buf_status(&buf) == RH_OK);
        nl = strchr(buf.data, '\n');
        RH_CHECK(nl && nl[1] == '\0'); /* one line */
        RH_CHECK(strchr(buf.data, '\r') == NULL);
        RH_CHECK(strstr(buf.data, "\xe2\x80\xa8") == NULL);
        RH_CHECK(strstr(buf.data, "\xc2\x85") == NULL);
        if (b == RH_QB_SPLUNK || b == RH_QB_SPLUNK_CIM) {
            RH_CHECK(strncmp(buf.data, "```", 3) == 0);
            RH_CHECK(strstr(buf.data + 3, "```") == buf.data + buf.len - 4); /* only the end */
        } else if (b == RH_QB_LUCENE) {
            RH_CHECK(strncmp(buf.data, "# ", 2) == 0);
        } else {
            RH_CHECK(strncmp(buf.data, "// ", 3) == 0);
        }
        rh_buf_free(&buf);
    }
}

/* Strings (and, for Lucene, /regex/) balanced; no control character inside a literal; lines
 * outside literals: the query's own. Returns 1 when well formed. */
static int well_formed(const char *t, int lucene)
{
    char in = 0;
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (in) {
            if (c < 0x20 || c == 0x7f) {
                return 0;
            }
            if (c == '\\') {
                if (!t[1]) {
                    return 0;
                }
                t++;
            } else if (c == (unsigned char)in) {
                in = 0;
            }
        } else if (c == '"' || (lucene && c == '/')) {
            in = (char)c;
        }
    }
    return in == 0;
}

static const rh_kb_default hostile_defaults[] = {
    {"hostile_loc", 0x3e, "", "*", "q\"\\*?%\\|line1\nline2|INJECT\") or true //|~C:\\t*x\\",
     "test"},
    {"hostile_loc", 0x3e, "Software\\Evil\"Key\\*", "Na|me\"x", "plain", "test"},
};

static rh_kb_location hostile_location(rh_kb_hive hive, const char *key, const char *value)
{
    rh_kb_location l;
    memset(&l, 0, sizeof(l));
    l.id = "hostile_loc";
    l.technique = "T1547.001";
    l.technique_name = "Name\n| take 1 // ``` */";
    l.hive = hive;
    l.key_pattern = key;
    l.value_pattern = value;
    l.defaults = hostile_defaults;
    l.ndefaults = 2;
    l.base_risk = RH_RISK_HIGH;
    l.why = "why\nDeviceRegistryEvents | take 1\r``` injected ```";
    return l;
}

static void test_hostile_location(rh_query_pack *p)
{
    rh_kb_location locs[3];
    size_t b, i, n0 = rh_query_pack_count(p);
    locs[0] =
        hostile_location(RH_KB_HIVE_NTUSER, "Software\\Evil\"Key\\Pipe|Name\\Trail\\", "Val\"ue*");
    locs[1] = hostile_location(RH_KB_HIVE_SOFTWARE, "A\\B \\C%d%\\**\\E\\", "(default)");
    locs[2] = hostile_location(RH_KB_HIVE_SYSTEM, "ControlSet001\\Services\\x\"y\\", "Q?\\");
    for (b = 0; b < RH_QB_COUNT; b++) {
        for (i = 0; i < 3; i++) {
            RH_CHECK(rh_query_pack_add_location(p, (rh_query_backend)b, &locs[i]) == RH_OK);
        }
    }
    RH_CHECK_EQ(rh_query_pack_count(p) - n0, (size_t)RH_QB_COUNT * 3);
    for (i = n0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        const char *line = q->header;
        RH_CHECK(well_formed(q->text, q->backend == RH_QB_LUCENE));
        RH_CHECK(strstr(q->text, "INJECT\")") == NULL); /* the quote never closes a string */
        /* every header line is a comment */
        while (*line) {
            const char *nl = strchr(line, '\n');
            RH_CHECK(nl != NULL);
            if (!nl) {
                break;
            }
            RH_CHECK(strncmp(line, "```", 3) == 0 || strncmp(line, "// ", 3) == 0 ||
                     strncmp(line, "# ", 2) == 0);
            line = nl + 1;
        }
        RH_CHECK(strstr(q->header, "\n| take") == NULL);
        RH_CHECK(strstr(q->header, "\nDeviceRegistryEvents") == NULL);
    }
    /* language-specific forms of the first location's values */
    for (i = n0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        if (strstr(q->location, "Trail") == NULL) {
            continue;
        }
        switch (q->backend) {
        case RH_QB_SPLUNK:
            /* a literal * cannot be written in SPL: that alternative is not excluded */
            RH_CHECK(strstr(q->text, "TargetObject=\"HKU\\\\*\\\\Software\\\\Evil\\\"Key\\\\Pipe|"
                                     "Name\\\\Trail\\\\\\\\Val\\\"ue*\"") != NULL);
            RH_CHECK(strstr(q->text, "q\\\"") == NULL);
            RH_CHECK(strstr(q->notes, "not excluded") != NULL);
            break;
        case RH_QB_KQL_MDE:
            RH_CHECK(strstr(q->text, "RegistryValueData =~ \"q\\\"\\\\*?%\\\\\"") != NULL);
            RH_CHECK(strstr(q->text, "RegistryValueData =~ \"line1\\nline2\"") != NULL);
            RH_CHECK(strstr(q->text, "RegistryValueData =~ \"INJECT\\\") or true //\"") != NULL);
            /* trailing backslash before the glob star: a literal backslash, then any run */
            RH_CHECK(strstr(q->text, "Trail\\\\\\\\$") != NULL);
            RH_CHECK(strstr(q->text, "RegistryValueName matches regex") != NULL ||
                     strstr(q->text, "RegistryValueName startswith \"Val\\\"ue\"") != NULL);
            break;
        case RH_QB_ESQL:
            RH_CHECK(strstr(q->text, "TO_LOWER(COALESCE(registry.data.strings, \"\")) == "
                                     "\"q\\\"\\\\*?%\\\\\"") != NULL);
            RH_CHECK(strstr(q->text, "trail\\\\\\\\\\\\\\\\val\\\"ue*\"") != NULL);
            RH_CHECK(strstr(q->text, "line1") == NULL); /* control char: not exact, dropped */
            break;
        case RH_QB_EQL:
            RH_CHECK(strstr(q->text, "registry.data.strings regex~ \"q\\\\\\\"\\\\\\\\\\\\*"
                                     "\\\\?\\\\%\\\\\\\\\"") != NULL);
            RH_CHECK(strstr(q->text, "Trail\\\\\\\\Val\\\"ue*\"") != NULL);
            break;
        case RH_QB_LUCENE:
            RH_CHECK(strstr(q->text, "registry.data.strings:/[qQ]\\\"\\\\\\*\\?\\%\\\\/") != NULL);
            RH_CHECK(strstr(q->text, "\\|[nN][aA][mM][eE]") != NULL);
            break;
        default:
            break;
        }
    }
}

int main(int argc, char **argv)
{
    rh_query_pack *p = NULL;
    rh_kb *kb = NULL;
    size_t b;
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_escape_functions();
    test_comments();
    RH_CHECK(rh_query_pack_create(ctx, &p) == RH_OK);
    test_hostile_location(p);
    /* every built-in location renders on every backend */
    RH_CHECK(rh_kb_create(ctx, &kb) == RH_OK);
    {
        rh_query_pack *all = NULL;
        RH_CHECK(rh_query_pack_create(ctx, &all) == RH_OK);
        RH_CHECK(rh_query_pack_add_kb(all, kb, (1u << RH_QB_COUNT) - 1u, NULL, 0) == RH_OK);
        RH_CHECK_EQ(rh_query_pack_count(all), rh_kb_count(kb) * RH_QB_COUNT);
        for (b = 0; b < rh_query_pack_count(all); b++) {
            const rh_query *q = rh_query_pack_at(all, b);
            RH_CHECK(well_formed(q->text, q->backend == RH_QB_LUCENE));
        }
        rh_query_pack_destroy(all);
    }
    if (argc > 1) {
        rh_buf buf = RH_BUF_INIT(ctx);
        FILE *f = fopen(argv[1], "wb");
        RH_CHECK(f != NULL);
        RH_CHECK(rh_query_pack_json(p, &buf) == RH_OK);
        if (f) {
            RH_CHECK(fwrite(buf.data, 1, buf.len, f) == buf.len);
            RH_CHECK(fclose(f) == 0);
        }
        rh_buf_free(&buf);
    }
    rh_query_pack_destroy(p);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_query_escape");
}
