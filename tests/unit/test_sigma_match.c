/*
 * Sigma engine unit tests on synthetic events: every modifier, every row of the spec's
 * escaping table, null/exists, keywords, conditions, logsource dispatch, filters, rejects.
 */
#include "rh_test.h"

static rh_ctx *ctx;

/* One event: Sysmon 13 unless eid says otherwise; fields as name/value pairs. */
struct tev {
    rh_event ev;
    rh_event_field f[16];
};

static void tev_init(struct tev *t, uint32_t eid, const char *channel)
{
    memset(t, 0, sizeof(*t));
    t->ev.event_id = eid;
    t->ev.channel = channel ? channel : "Microsoft-Windows-Sysmon/Operational";
    t->ev.provider = "Microsoft-Windows-Sysmon";
    t->ev.fields = t->f;
}

static void tev_add(struct tev *t, const char *name, const char *value)
{
    rh_event_field *f = &t->f[t->ev.nfields++];
    f->name = name;
    f->value = value;
    f->value_len = strlen(value);
    f->type = RH_FIELD_STRING;
}

static rh_status count_cb(const rh_sigma_match *m, void *user)
{
    (void)m;
    (*(int *)user)++;
    return RH_OK;
}

/* Compile `yaml` (one rule) and match `ev`: 1 match, 0 none, -1 rule rejected. */
static int run_rule(const char *yaml, const rh_event *ev)
{
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    int n = 0;
    if (rh_sigma_compiler_create(ctx, NULL, &c) != RH_OK) {
        return -2;
    }
    rh_sigma_compiler_add_string(c, "test.yml", yaml, strlen(yaml));
    if (rh_sigma_compiler_reject_count(c) || rh_sigma_compiler_finish(c, &rs) != RH_OK) {
        if (rh_sigma_compiler_reject_count(c)) {
            fprintf(stderr, "  (rejected: %s)\n", rh_sigma_compiler_reject_at(c, 0)->reason);
        }
        rh_sigma_compiler_destroy(c);
        return -1;
    }
    rh_sigma_compiler_destroy(c);
    if (rh_sigma_matcher_create(ctx, rs, &m) != RH_OK) {
        rh_ruleset_destroy(rs);
        return -2;
    }
    rh_sigma_matcher_match(m, ev, count_cb, &n);
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    return n;
}

static char rulebuf[4096];

/* A registry_set rule whose selection is `sel` (YAML lines indented by 8). */
static const char *rule(const char *sel)
{
    snprintf(rulebuf, sizeof(rulebuf),
             "title: t\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n"
             "    category: registry_set\n    product: windows\ndetection:\n    selection:\n%s\n"
             "    condition: selection\nlevel: high\n",
             sel);
    return rulebuf;
}

/* Field F = value, rule line `sel`: expect match result. */
static int one(const char *field, const char *value, const char *sel)
{
    struct tev t;
    tev_init(&t, 13, NULL);
    tev_add(&t, field, value);
    return run_rule(rule(sel), &t.ev);
}

static void test_escaping_table(void)
{
    /* spec 3.2 rows */
    /* plain backslash kept: C:\Windows works as-is */
    RH_CHECK_EQ(one("F", "C:\\Windows", "        F: 'C:\\Windows'"), 1);
    /* \\ not before a wildcard is also a single backslash */
    RH_CHECK_EQ(one("F", "C:\\Windows", "        F: 'C:\\\\Windows'"), 1);
    /* \* is a literal star */
    RH_CHECK_EQ(one("F", "a*b", "        F: 'a\\*b'"), 1);
    RH_CHECK_EQ(one("F", "axxb", "        F: 'a\\*b'"), 0);
    /* \? is a literal question mark */
    RH_CHECK_EQ(one("F", "a?b", "        F: 'a\\?b'"), 1);
    RH_CHECK_EQ(one("F", "axb", "        F: 'a\\?b'"), 0);
    /* \\* is a backslash then a wildcard */
    RH_CHECK_EQ(one("F", "a\\anything", "        F: 'a\\\\*'"), 1);
    RH_CHECK_EQ(one("F", "a*", "        F: 'a\\\\*'"), 0);
    /* \\\* is a backslash then a literal star */
    RH_CHECK_EQ(one("F", "a\\*", "        F: 'a\\\\\\*'"), 1);
    RH_CHECK_EQ(one("F", "a\\x", "        F: 'a\\\\\\*'"), 0);
    /* three or four backslashes are a double backslash */
    RH_CHECK_EQ(one("F", "\\\\srv", "        F: '\\\\\\srv'"), 1);
    RH_CHECK_EQ(one("F", "\\\\srv", "        F: '\\\\\\\\srv'"), 1);
    /* trailing backslash stays literal */
    RH_CHECK_EQ(one("F", "dir\\", "        F: 'dir\\'"), 1);
    /* SigmaHQ: \Outlook\Addins\\OneNote means a single backslash before OneNote */
    RH_CHECK_EQ(one("TargetObject", "HKU\\x\\Outlook\\Addins\\OneNote.OutlookAddin",
                    "        TargetObject|endswith: '\\Outlook\\Addins\\\\OneNote.OutlookAddin'"),
                1);
    /* wildcards */
    RH_CHECK_EQ(one("F", "abc", "        F: 'a?c'"), 1);
    RH_CHECK_EQ(one("F",
                    "a\xc3\xa9"
                    "c",
                    "        F: 'a?c'"),
                1); /* ? is one character, not one byte */
    RH_CHECK_EQ(one("F", "ac", "        F: 'a?c'"), 0);
    RH_CHECK_EQ(one("F", "a123c", "        F: 'a*c'"), 1);
    RH_CHECK_EQ(one("F", "abcab", "        F: '*ab*ab'"), 1);
    RH_CHECK_EQ(one("F", "", "        F: '*'"), 1);
}

static void test_strings(void)
{
    RH_CHECK_EQ(one("F", "HELLO", "        F: hello"), 1);       /* case-insensitive */
    RH_CHECK_EQ(one("F", "hello world", "        F: hello"), 0); /* exact, whole value */
    RH_CHECK_EQ(one("F", "x hello y", "        F|contains: HeLLo"), 1);
    RH_CHECK_EQ(one("F", "hello y", "        F|startswith: hello"), 1);
    RH_CHECK_EQ(one("F", "y hello", "        F|startswith: hello"), 0);
    RH_CHECK_EQ(one("F", "y hello", "        F|endswith: HELLO"), 1);
    RH_CHECK_EQ(one("F", "\xc3\x89T\xc3\x89", "        F: '\xc3\xa9t\xc3\xa9'"), 1); /* É=é */
    RH_CHECK_EQ(one("F", "Hello", "        F|cased: Hello"), 1);
    RH_CHECK_EQ(one("F", "hello", "        F|cased: Hello"), 0);
    RH_CHECK_EQ(one("F", "xHelloy", "        F|contains|cased: Hello"), 1);
    /* lists: OR, |all: AND */
    RH_CHECK_EQ(one("F", "b", "        F:\n            - a\n            - b"), 1);
    RH_CHECK_EQ(one("F", "a b", "        F|contains|all:\n            - a\n            - b"), 1);
    RH_CHECK_EQ(one("F", "a c", "        F|contains|all:\n            - a\n            - b"), 0);
    /* empty string: present and empty */
    RH_CHECK_EQ(one("F", "", "        F: ''"), 1);
    RH_CHECK_EQ(one("F", "x", "        F: ''"), 0);
    /* numbers: string or numeric against INT/HEX fields */
    RH_CHECK_EQ(one("F", "4624", "        F: 4624"), 1);
    /* neq */
    RH_CHECK_EQ(one("F", "a", "        F|neq: b"), 1);
    RH_CHECK_EQ(one("F", "b", "        F|neq: B"), 0);
}

static void test_fold_long(void)
{
    /* case folding 8 bytes at a time: only 'a'..'z' fold, neighbours stay apart */
    RH_CHECK_EQ(one("F", "`az{AZ@[`az{AZ@[xyz\xc3\xa9t\xc3\xa9Zz",
                    "        F: '`AZ{az@[`AZ{az@[XYZ\xc3\x89T\xc3\x89zZ'"),
                1);
    RH_CHECK_EQ(one("F", "````````````", "        F: '@@@@@@@@@@@@'"), 0);
    RH_CHECK_EQ(one("F", "{{{{{{{{{{{{", "        F: '[[[[[[[[[[[['"), 0);
    RH_CHECK_EQ(one("F", "@@@@@@@@@@@@", "        F: '````````````'"), 0);
    RH_CHECK_EQ(one("F", "[[[[[[[[[[[[", "        F: '{{{{{{{{{{{{'"), 0);
    RH_CHECK_EQ(one("F", "0123456789abcdefghijklmnopqrstuvwxyz",
                    "        F|contains: 'HIJKLMNOPQRSTUVWXY'"),
                1);
}

static void test_null_exists(void)
{
    struct tev t;
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "1");
    RH_CHECK_EQ(run_rule(rule("        B: null"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(rule("        A: null"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(rule("        A|exists: true"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(rule("        B|exists: true"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(rule("        B|exists: false"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(rule("        A|exists: maybe"), &t.ev), -1);
    /* absent field never matches a string */
    RH_CHECK_EQ(run_rule(rule("        B|contains: x"), &t.ev), 0);
}

static void test_regex(void)
{
    RH_CHECK_EQ(one("F", "abc123", "        F|re: '^abc\\d+$'"), 1);
    RH_CHECK_EQ(one("F", "ABC123", "        F|re: '^abc\\d+$'"), 0); /* case-sensitive */
    RH_CHECK_EQ(one("F", "ABC123", "        F|re|i: '^abc\\d+$'"), 1);
    RH_CHECK_EQ(one("F", "x\nabc", "        F|re: '^abc'"), 0);
    RH_CHECK_EQ(one("F", "x\nabc", "        F|re|m: '^abc'"), 1);
    RH_CHECK_EQ(one("F", "a\nb", "        F|re: 'a.b'"), 0);
    RH_CHECK_EQ(one("F", "a\nb", "        F|re|s: 'a.b'"), 1);
    RH_CHECK_EQ(one("F", "x", "        F|re: '('"), -1); /* bad regex rejected */
    RH_CHECK_EQ(one("F", "x", "        F|i: 'x'"), -1);  /* i without re */
    RH_CHECK_EQ(one("F", "x", "        F|contains|re: 'x'"), -1);
}

static void test_encodings(void)
{
    /* base64("cmd") = Y21k */
    RH_CHECK_EQ(one("F", "Y21k", "        F|base64: cmd"), 1);
    RH_CHECK_EQ(one("F", "xxY21kxx", "        F|base64|contains: cmd"), 1);
    /* base64offset|contains: pySigma's three variants of "http://" */
    RH_CHECK_EQ(one("F", "aHR0cDovL", "        F|base64offset|contains: 'http://'"), 1);
    RH_CHECK_EQ(one("F", "h0dHA6Ly", "        F|base64offset|contains: 'http://'"), 1);
    RH_CHECK_EQ(one("F", "odHRwOi8v", "        F|base64offset|contains: 'http://'"), 1);
    RH_CHECK_EQ(one("F", "zzzz", "        F|base64offset|contains: 'http://'"), 0);
    /* utf16le/wide + base64: "cmd" -> 63 00 6d 00 64 00 -> YwBtAGQA */
    RH_CHECK_EQ(one("F", "YwBtAGQA", "        F|utf16le|base64: cmd"), 1);
    RH_CHECK_EQ(one("F", "YwBtAGQA", "        F|wide|base64: cmd"), 1);
    /* utf16be: 00 63 00 6d 00 64 -> AGMAbQBk */
    RH_CHECK_EQ(one("F", "AGMAbQBk", "        F|utf16be|base64: cmd"), 1);
    /* utf16: BOM FF FE + LE -> //5jAG0AZAA= */
    RH_CHECK_EQ(one("F", "//5jAG0AZAA=", "        F|utf16|base64: cmd"), 1);
    RH_CHECK_EQ(one("F", "x", "        F|base64: 'a*'"), -1); /* wildcards cannot be encoded */
    RH_CHECK_EQ(one("F", "x", "        F|contains|base64: a"), -1);
}

static void test_windash(void)
{
    RH_CHECK_EQ(one("F", "net user /add", "        F|contains|windash: ' -add'"), 1);
    RH_CHECK_EQ(one("F", "net user -add", "        F|contains|windash: ' -add'"), 1);
    RH_CHECK_EQ(one("F",
                    "net user \xe2\x80\x93"
                    "add",
                    "        F|contains|windash: ' -add'"),
                1);
    RH_CHECK_EQ(one("F",
                    "net user \xe2\x80\x94"
                    "add",
                    "        F|contains|windash: ' -add'"),
                1);
    RH_CHECK_EQ(one("F",
                    "net user \xe2\x80\x95"
                    "add",
                    "        F|contains|windash: ' -add'"),
                1);
    RH_CHECK_EQ(one("F", "net user +add", "        F|contains|windash: ' -add'"), 0);
    /* pySigma: only a dash matched by \B[-/]\b is replaced ("-param-name": first one) */
    RH_CHECK_EQ(one("F", "/param-name", "        F|windash: '-param-name'"), 1);
    RH_CHECK_EQ(one("F", "/param/name", "        F|windash: '-param-name'"), 0);
}

static void test_numeric_cidr_time(void)
{
    RH_CHECK_EQ(one("F", "10", "        F|gt: 5"), 1);
    RH_CHECK_EQ(one("F", "5", "        F|gt: 5"), 0);
    RH_CHECK_EQ(one("F", "5", "        F|gte: 5"), 1);
    RH_CHECK_EQ(one("F", "4", "        F|lt: 5"), 1);
    RH_CHECK_EQ(one("F", "5", "        F|lte: 5"), 1);
    RH_CHECK_EQ(one("F", "0x10", "        F|gt: 15"), 1); /* hex field text */
    RH_CHECK_EQ(one("F", "abc", "        F|gt: 1"), 0);
    RH_CHECK_EQ(one("F", "1", "        F|gt: abc"), -1);
    RH_CHECK_EQ(one("F", "10.1.2.3", "        F|cidr: 10.0.0.0/8"), 1);
    RH_CHECK_EQ(one("F", "11.1.2.3", "        F|cidr: 10.0.0.0/8"), 0);
    RH_CHECK_EQ(one("F", "192.168.1.77", "        F|cidr: 192.168.1.64/26"), 1);
    RH_CHECK_EQ(one("F", "192.168.1.128", "        F|cidr: 192.168.1.64/26"), 0);
    RH_CHECK_EQ(one("F", "fe80::1", "        F|cidr: 'fe80::/10'"), 1);
    RH_CHECK_EQ(one("F", "2001:db8::1", "        F|cidr: 'fe80::/10'"), 0);
    RH_CHECK_EQ(one("F", "x", "        F|cidr: 10.0.0.0/33"), -1);
    /* time parts on "YYYY-MM-DD HH:MM:SS" */
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|hour: 13"), 1);
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|minute: 47"), 1);
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|day: 5"), 1);
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|month: 3"), 1);
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|year: 2024"), 1);
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|week: 10"), 1); /* ISO week */
    RH_CHECK_EQ(one("T", "2024-03-05 13:47:00.123", "        T|hour|gte: 20"), 0);
}

static void test_fieldref_expand(void)
{
    struct tev t;
    rh_sigma_config *cfg = NULL;
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    int n = 0;
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "Same");
    tev_add(&t, "B", "same");
    tev_add(&t, "C", "prefix-same-suffix");
    RH_CHECK_EQ(run_rule(rule("        A|fieldref: B"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(rule("        A|fieldref: C"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(rule("        C|fieldref|contains: B"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(rule("        C|fieldref|startswith: B"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(rule("        A|fieldref|neq: C"), &t.ev), 1);
    /* expand without a placeholder value: rejected, never silently dropped */
    RH_CHECK_EQ(run_rule(rule("        A|expand: '%Admins%'"), &t.ev), -1);
    /* without expand, %name% is literal */
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "%Admins%");
    RH_CHECK_EQ(run_rule(rule("        A: '%Admins%'"), &t.ev), 1);
    /* with a config */
    RH_CHECK(rh_sigma_config_default(ctx, &cfg) == RH_OK);
    RH_CHECK(rh_sigma_config_add_placeholder(cfg, "Admins", "alice") == RH_OK);
    RH_CHECK(rh_sigma_config_add_placeholder(cfg, "Admins", "bob") == RH_OK);
    RH_CHECK(rh_sigma_compiler_create(ctx, cfg, &c) == RH_OK);
    rule("        A|expand: 'CORP\\%Admins%'");
    RH_CHECK(rh_sigma_compiler_add_string(c, "x.yml", rulebuf, strlen(rulebuf)) == RH_OK);
    RH_CHECK_EQ(rh_sigma_compiler_reject_count(c), 0);
    RH_CHECK(rh_sigma_compiler_finish(c, &rs) == RH_OK);
    RH_CHECK(rh_sigma_matcher_create(ctx, rs, &m) == RH_OK);
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "corp\\bob");
    rh_sigma_matcher_match(m, &t.ev, count_cb, &n);
    RH_CHECK_EQ(n, 1);
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(c);
    rh_sigma_config_free(cfg);
}

static void test_keywords_conditions(void)
{
    struct tev t;
    const char *kw = "title: k\nid: k1\nlogsource:\n    product: windows\n    service: security\n"
                     "detection:\n    keywords:\n        - mimikatz\n        - sekurlsa\n"
                     "    condition: keywords\n";
    const char *kwall =
        "title: k\nid: k2\nlogsource:\n    product: windows\n    service: security\n"
        "detection:\n    keywords:\n        '|all':\n            - mimi\n"
        "            - katz\n    condition: keywords\n";
    tev_init(&t, 4688, "Security");
    tev_add(&t, "CommandLine", "run MIMIKATZ.exe now");
    RH_CHECK_EQ(run_rule(kw, &t.ev), 1);
    RH_CHECK_EQ(run_rule(kwall, &t.ev), 1);
    tev_init(&t, 4688, "System"); /* wrong channel */
    tev_add(&t, "CommandLine", "run MIMIKATZ.exe now");
    RH_CHECK_EQ(run_rule(kw, &t.ev), 0);
    /* conditions */
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "1");
    tev_add(&t, "B", "2");
#define COND(c)                                                                                    \
    "title: c\nid: c1\nlogsource:\n    category: registry_set\n    product: windows\n"             \
    "detection:\n    sel_a:\n        A: 1\n    sel_b:\n        B: 2\n    sel_x:\n        A: 9\n"   \
    "    _hidden:\n        B: 9\n    condition: " c "\n"
    RH_CHECK_EQ(run_rule(COND("sel_a and sel_b"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("sel_a and sel_x"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(COND("sel_a and not sel_x"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("sel_x or sel_b"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("not (sel_x or sel_b)"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(COND("sel_x or sel_a and sel_b"), &t.ev), 1); /* and binds tighter */
    RH_CHECK_EQ(run_rule(COND("(sel_x or sel_a) and not sel_b"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(COND("1 of sel_*"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("all of sel_*"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(COND("all of sel_a*"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("1 of them"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("all of them"), &t.ev), 0);
    RH_CHECK_EQ(run_rule(COND("not 1 of _*"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("2 of sel_*"), &t.ev), 1);
    RH_CHECK_EQ(run_rule(COND("sel_missing"), &t.ev), -1);
    RH_CHECK_EQ(run_rule(COND("1 of nothing*"), &t.ev), -1);
    RH_CHECK_EQ(run_rule(COND("sel_a and"), &t.ev), -1);
    RH_CHECK_EQ(run_rule(COND("(sel_a"), &t.ev), -1);
    RH_CHECK_EQ(run_rule(COND("sel_a | count() > 5"), &t.ev), -1);
    /* condition as a list: OR */
    RH_CHECK_EQ(run_rule("title: c\nid: c2\nlogsource:\n    category: registry_set\n"
                         "    product: windows\ndetection:\n    a:\n        A: 9\n    b:\n"
                         "        B: 2\n    condition:\n        - a\n        - b\n",
                         &t.ev),
                1);
    /* list of maps: OR */
    RH_CHECK_EQ(run_rule(rule("        - A: 9\n        - B: 2"), &t.ev), 1);
}

static void test_logsource_dispatch(void)
{
    struct tev t;
    const char *add =
        "title: a\nid: a1\nlogsource:\n    category: registry_add\n"
        "    product: windows\ndetection:\n    s:\n        TargetObject|contains: Run\n"
        "    condition: s\n";
    const char *pc =
        "title: p\nid: p1\nlogsource:\n    category: process_creation\n"
        "    product: windows\ndetection:\n    s:\n        Image|endswith: '\\cmd.exe'\n"
        "    condition: s\n";
    const char *set = "title: s\nid: s1\nlogsource:\n    category: registry_set\n"
                      "    product: windows\ndetection:\n    s:\n"
                      "        TargetObject|endswith: '\\Run\\evil'\n        Details: calc.exe\n"
                      "        Image|endswith: '\\reg.exe'\n    condition: s\n";
    /* registry_add = Sysmon 12 with EventType CreateKey only */
    tev_init(&t, 12, NULL);
    tev_add(&t, "EventType", "CreateKey");
    tev_add(&t, "TargetObject", "HKLM\\Software\\Run");
    RH_CHECK_EQ(run_rule(add, &t.ev), 1);
    tev_init(&t, 12, NULL);
    tev_add(&t, "EventType", "DeleteKey");
    tev_add(&t, "TargetObject", "HKLM\\Software\\Run");
    RH_CHECK_EQ(run_rule(add, &t.ev), 0);
    tev_init(&t, 13, NULL);
    tev_add(&t, "EventType", "CreateKey");
    tev_add(&t, "TargetObject", "HKLM\\Software\\Run");
    RH_CHECK_EQ(run_rule(add, &t.ev), 0);
    /* process_creation: Sysmon 1 and Security 4688 with Image -> NewProcessName */
    tev_init(&t, 1, NULL);
    tev_add(&t, "Image", "C:\\Windows\\System32\\cmd.exe");
    RH_CHECK_EQ(run_rule(pc, &t.ev), 1);
    tev_init(&t, 4688, "Security");
    tev_add(&t, "NewProcessName", "C:\\Windows\\System32\\cmd.exe");
    RH_CHECK_EQ(run_rule(pc, &t.ev), 1);
    tev_init(&t, 4688, "Microsoft-Windows-Sysmon/Operational"); /* wrong channel for 4688 */
    tev_add(&t, "NewProcessName", "C:\\Windows\\System32\\cmd.exe");
    RH_CHECK_EQ(run_rule(pc, &t.ev), 0);
    /* Security 4657 as registry_set */
    tev_init(&t, 4657, "Security");
    tev_add(&t, "ObjectName", "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\Run");
    tev_add(&t, "ObjectValueName", "evil");
    tev_add(&t, "OperationType", "%%1905");
    tev_add(&t, "NewValue", "calc.exe");
    tev_add(&t, "ProcessName", "C:\\Windows\\reg.exe");
    RH_CHECK_EQ(run_rule(set, &t.ev), 1);
}

/* ---- event id / channel dispatch and prefilter vs exhaustive matching ---------------------------
 */

struct idlog {
    char ids[512];
    int n;
};

static rh_status id_cb(const rh_sigma_match *m, void *user)
{
    struct idlog *l = user;
    size_t k = strlen(l->ids);
    snprintf(l->ids + k, sizeof(l->ids) - k, "%s;", m->rule->id);
    l->n++;
    return RH_OK;
}

/* Compile `yaml` (any number of rules), match `ev` with the indexed and the exhaustive
 * matcher, check both give the same matches in the same order; returns the match count. */
static int both(const char *yaml, const rh_event *ev)
{
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *fast = NULL, *slow = NULL;
    struct idlog a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    if (rh_sigma_compiler_create(ctx, NULL, &c) != RH_OK) {
        return -2;
    }
    rh_sigma_compiler_add_string(c, "idx.yml", yaml, strlen(yaml));
    RH_CHECK_EQ(rh_sigma_compiler_reject_count(c), 0);
    if (rh_sigma_compiler_finish(c, &rs) != RH_OK) {
        rh_sigma_compiler_destroy(c);
        return -1;
    }
    rh_sigma_compiler_destroy(c);
    RH_CHECK(rh_sigma_matcher_create(ctx, rs, &fast) == RH_OK);
    RH_CHECK(rh_sigma_matcher_create(ctx, rs, &slow) == RH_OK);
    if (fast && slow) {
        rh_sigma_matcher_set_flags(slow, RH_SIGMA_MATCH_EXHAUSTIVE);
        RH_CHECK(rh_sigma_matcher_match(fast, ev, id_cb, &a) == RH_OK);
        RH_CHECK(rh_sigma_matcher_match(slow, ev, id_cb, &b) == RH_OK);
        RH_CHECK_STR(a.ids, b.ids);
    }
    rh_sigma_matcher_destroy(fast);
    rh_sigma_matcher_destroy(slow);
    rh_ruleset_destroy(rs);
    return a.n;
}

static char ybuf[8192];

/* A Security rule with id `id`, detection lines `det` (indented by 4, condition included). */
static const char *sec_rule(const char *id, const char *det)
{
    snprintf(ybuf, sizeof(ybuf),
             "title: t\nid: %s\nlogsource:\n    service: security\n    product: windows\n"
             "detection:\n%s\nlevel: high\n",
             id, det);
    return ybuf;
}

static void test_index_vs_exhaustive(void)
{
    struct tev t;
    char multi[8192];
    const char *sel = "    sel:\n        EventID: 4624\n        LogonType: 3\n";
    /* EventID in the selection restricts the rule to 4624 */
    tev_init(&t, 4624, "Security");
    tev_add(&t, "LogonType", "3");
    snprintf(multi, sizeof(multi), "%s    condition: sel", sel);
    RH_CHECK_EQ(both(sec_rule("e1", multi), &t.ev), 1);
    t.ev.event_id = 4625;
    RH_CHECK_EQ(both(sec_rule("e1", multi), &t.ev), 0);
    /* under `or`: either id */
    RH_CHECK_EQ(both(sec_rule("e2", "    a:\n        EventID: 4624\n    b:\n        EventID: "
                                    "4625\n    condition: a or b"),
                     &t.ev),
                1);
    /* under `not`: no restriction */
    RH_CHECK_EQ(both(sec_rule("e3", "    a:\n        EventID: 4624\n    condition: not a"), &t.ev),
                1);
    t.ev.event_id = 4624;
    RH_CHECK_EQ(both(sec_rule("e3", "    a:\n        EventID: 4624\n    condition: not a"), &t.ev),
                0);
    /* `sel and not filter` with the id in the filter only: no restriction */
    RH_CHECK_EQ(both(sec_rule("e4", "    s:\n        LogonType: 3\n    f:\n        EventID: 1\n"
                                    "    condition: s and not f"),
                     &t.ev),
                1);
    /* quoted id, leading zero, list, numeric comparison, null */
    RH_CHECK_EQ(both(sec_rule("e5", "    s:\n        EventID: '4624'\n    condition: s"), &t.ev),
                1);
    RH_CHECK_EQ(both(sec_rule("e6", "    s:\n        EventID: 04624\n    condition: s"), &t.ev), 1);
    RH_CHECK_EQ(
        both(sec_rule("e7", "    s:\n        EventID:\n            - 1\n            - 4624\n"
                            "    condition: s"),
             &t.ev),
        1);
    RH_CHECK_EQ(both(sec_rule("e8", "    s:\n        EventID|gt: 4000\n    condition: s"), &t.ev),
                1);
    RH_CHECK_EQ(both(sec_rule("e9", "    s:\n        EventID|lt: 4000\n    condition: s"), &t.ev),
                0);
    RH_CHECK_EQ(both(sec_rule("e10", "    s:\n        EventID: null\n    condition: s"), &t.ev), 0);
    RH_CHECK_EQ(both(sec_rule("e11", "    s:\n        EventID: '46*'\n    condition: s"), &t.ev),
                1);
    /* `1 of` over selections with and without an id */
    RH_CHECK_EQ(both(sec_rule("e12", "    s1:\n        EventID: 1\n    s2:\n        LogonType: 3\n"
                                     "    condition: 1 of s*"),
                     &t.ev),
                1);
    RH_CHECK_EQ(both(sec_rule("e13", "    s1:\n        EventID: 1\n    s2:\n        EventID: 2\n"
                                     "    condition: 1 of s*"),
                     &t.ev),
                0);
    /* a data field named EventID shadows the header id in conditions */
    tev_init(&t, 1, "Security");
    tev_add(&t, "EventID", "4624");
    tev_add(&t, "LogonType", "3");
    snprintf(multi, sizeof(multi), "%s    condition: sel", sel);
    RH_CHECK_EQ(both(sec_rule("e14", multi), &t.ev), 1);
    /* several rules at once: same matches in the same (rule) order */
    tev_init(&t, 4624, "Security");
    tev_add(&t, "LogonType", "3");
    snprintf(multi, sizeof(multi),
             "title: k\nid: k1\nlogsource:\n    product: windows\ndetection:\n"
             "    keywords:\n        - '3'\n    condition: keywords\n---\n"
             "title: a\nid: k2\nlogsource:\n    service: security\n    product: windows\n"
             "detection:\n%s    condition: sel\n---\n"
             "title: b\nid: k3\nlogsource:\n    service: security\n    product: windows\n"
             "detection:\n    s:\n        LogonType: 3\n    condition: s\n---\n"
             "title: c\nid: k4\nlogsource:\n    service: system\n    product: windows\n"
             "detection:\n    s:\n        LogonType: 3\n    condition: s\n---\n"
             "title: d\nid: k5\nlogsource:\n    service: security\n    product: windows\n"
             "detection:\n    s:\n        EventID: [4624, 4625]\n    condition: s\n",
             sel);
    RH_CHECK_EQ(both(multi, &t.ev), 4);
    /* keyword literals are looked for in every field, header and rewritten fields included */
    {
        const char *kw = "title: k\nid: kw1\nlogsource:\n    product: windows\ndetection:\n"
                         "    keywords:\n        - 'sekurlsa::'\n        - 'WORKSTATION-7'\n"
                         "    condition: keywords\n";
        const char *kset = "title: k\nid: kw2\nlogsource:\n    category: registry_set\n"
                           "    product: windows\ndetection:\n    keywords:\n"
                           "        - 'HKLM\\SOFTWARE\\evil'\n    condition: keywords\n";
        tev_init(&t, 4103, "Microsoft-Windows-PowerShell/Operational");
        tev_add(&t, "Payload", "invoke-mimikatz SEKURLSA::logonpasswords");
        RH_CHECK_EQ(both(kw, &t.ev), 1);
        tev_init(&t, 4103, "Microsoft-Windows-PowerShell/Operational");
        t.ev.computer = "workstation-7.corp";
        RH_CHECK_EQ(both(kw, &t.ev), 1);
        tev_init(&t, 4103, "Microsoft-Windows-PowerShell/Operational");
        tev_add(&t, "Payload", "sekurlsa:");
        RH_CHECK_EQ(both(kw, &t.ev), 0);
        tev_init(&t, 4657, "Security");
        tev_add(&t, "ObjectName", "\\REGISTRY\\MACHINE\\SOFTWARE\\evil");
        tev_add(&t, "ObjectValueName", "x");
        tev_add(&t, "OperationType", "%%1905");
        RH_CHECK_EQ(both(kset, &t.ev), 1);
    }
    /* a prefilter over two fields: `Image|endswith` or `OriginalFileName` */
    {
        const char *pc = "title: p\nid: p2\nlogsource:\n    category: process_creation\n"
                         "    product: windows\ndetection:\n    s:\n"
                         "        - Image|endswith: '\\xwizard.exe'\n"
                         "        - OriginalFileName: 'xwizard.exe'\n"
                         "    f:\n        Image|startswith: 'C:\\Windows\\System32\\'\n"
                         "    condition: s and not f\n";
        tev_init(&t, 1, NULL);
        tev_add(&t, "Image", "C:\\Temp\\renamed.exe");
        tev_add(&t, "OriginalFileName", "xwizard.exe");
        RH_CHECK_EQ(both(pc, &t.ev), 1);
        tev_init(&t, 1, NULL);
        tev_add(&t, "Image", "C:\\Temp\\xwizard.exe");
        RH_CHECK_EQ(both(pc, &t.ev), 1);
        tev_init(&t, 1, NULL);
        tev_add(&t, "Image", "C:\\Windows\\System32\\xwizard.exe");
        RH_CHECK_EQ(both(pc, &t.ev), 0);
        tev_init(&t, 1, NULL);
        tev_add(&t, "Image", "C:\\Temp\\other.exe");
        tev_add(&t, "OriginalFileName", "other.exe");
        RH_CHECK_EQ(both(pc, &t.ev), 0);
    }
}

static void test_filters_rejects(void)
{
    struct tev t;
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    int n = 0;
    const char *two = "title: r\nid: r1\nlogsource:\n    category: registry_set\n"
                      "    product: windows\ndetection:\n    s:\n        A: 1\n    condition: s\n"
                      "---\ntitle: f\nid: f1\nlogsource:\n    category: registry_set\n"
                      "    product: windows\nfilter:\n    rules:\n        - r1\n    sel:\n"
                      "        B: 2\n    condition: not sel\n";
    tev_init(&t, 13, NULL);
    tev_add(&t, "A", "1");
    tev_add(&t, "B", "3");
    /* the filter condition is "not sel": with B=3 it holds, so r1 is suppressed */
    RH_CHECK(rh_sigma_compiler_create(ctx, NULL, &c) == RH_OK);
    RH_CHECK(rh_sigma_compiler_add_string(c, "f.yml", two, strlen(two)) == RH_OK);
    RH_CHECK_EQ(rh_sigma_compiler_reject_count(c), 0);
    RH_CHECK(rh_sigma_compiler_finish(c, &rs) == RH_OK);
    RH_CHECK(rh_sigma_matcher_create(ctx, rs, &m) == RH_OK);
    rh_sigma_matcher_match(m, &t.ev, count_cb, &n);
    RH_CHECK_EQ(n, 0);
    t.f[1].value = "2";
    t.f[1].value_len = 1;
    rh_sigma_matcher_match(m, &t.ev, count_cb, &n);
    RH_CHECK_EQ(n, 1);
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(c);
    /* rejects carry position and id */
    RH_CHECK(rh_sigma_compiler_create(ctx, NULL, &c) == RH_OK);
    {
        const char *bad = "title: b\nid: bad-1\nlogsource:\n    category: nope\n"
                          "    product: windows\ndetection:\n    s:\n        A|frob: 1\n"
                          "    condition: s\n";
        const char *syntax = "title: [unclosed\n";
        const rh_sigma_reject *r;
        rh_sigma_compiler_add_string(c, "bad.yml", bad, strlen(bad));
        rh_sigma_compiler_add_string(c, "syntax.yml", syntax, strlen(syntax));
        RH_CHECK_EQ(rh_sigma_compiler_reject_count(c), 2);
        r = rh_sigma_compiler_reject_at(c, 0);
        RH_CHECK_STR(r->id, "bad-1");
        RH_CHECK_EQ(r->line, 8);
        RH_CHECK(strstr(r->reason, "frob") != NULL);
        r = rh_sigma_compiler_reject_at(c, 1);
        RH_CHECK_STR(r->path, "syntax.yml");
        RH_CHECK(r->line > 0);
    }
    rh_sigma_compiler_destroy(c);
    /* depth cap */
    {
        char deep[2000];
        size_t i, p = 0;
        for (i = 0; i < 300; i++) {
            deep[p++] = '[';
        }
        for (i = 0; i < 300; i++) {
            deep[p++] = ']';
        }
        deep[p] = '\0';
        RH_CHECK(rh_sigma_compiler_create(ctx, NULL, &c) == RH_OK);
        rh_sigma_compiler_add_string(c, "deep.yml", deep, p);
        RH_CHECK_EQ(rh_sigma_compiler_reject_count(c), 1);
        RH_CHECK_EQ(rh_sigma_compiler_reject_at(c, 0)->status, RH_ERR_LIMIT);
        rh_sigma_compiler_destroy(c);
    }
}

static void test_oom(void)
{
    /* Fail every allocation in turn while compiling and matching: no leak, no crash. */
    rh_allocator a = rh_test_allocator();
    const char *r = "title: o\nid: o1\nlogsource:\n    category: registry_set\n"
                    "    product: windows\ndetection:\n    s:\n        A|contains:\n"
                    "            - abc\n            - def\n        B|re: 'x+'\n"
                    "    condition: s and not 1 of f*\n    f1:\n        C: null\n";
    long i;
    for (i = 1; i < 400; i++) {
        rh_ctx *c2 = NULL;
        rh_sigma_compiler *c = NULL;
        rh_ruleset *rs = NULL;
        rh_sigma_matcher *m = NULL;
        struct tev t;
        int n = 0;
        rh_test_fail_alloc_at(0);
        if (rh_ctx_create(&a, &c2) != RH_OK) {
            continue;
        }
        rh_test_fail_alloc_at(i);
        if (rh_sigma_compiler_create(c2, NULL, &c) == RH_OK) {
            rh_sigma_compiler_add_string(c, "o.yml", r, strlen(r));
            if (rh_sigma_compiler_finish(c, &rs) == RH_OK &&
                rh_sigma_matcher_create(c2, rs, &m) == RH_OK) {
                tev_init(&t, 13, NULL);
                tev_add(&t, "A", "xxabcxx");
                tev_add(&t, "B", "xx");
                tev_add(&t, "C", "1");
                rh_sigma_matcher_match(m, &t.ev, count_cb, &n);
            }
        }
        rh_test_fail_alloc_at(0);
        rh_sigma_matcher_destroy(m);
        rh_ruleset_destroy(rs);
        rh_sigma_compiler_destroy(c);
        rh_ctx_destroy(c2);
    }
    RH_CHECK(1);
}

int main(void)
{
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_escaping_table();
    test_strings();
    test_fold_long();
    test_null_exists();
    test_regex();
    test_encodings();
    test_windash();
    test_numeric_cidr_time();
    test_fieldref_expand();
    test_keywords_conditions();
    test_logsource_dispatch();
    test_index_vs_exhaustive();
    test_filters_rejects();
    test_oom();
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_sigma_match");
}
