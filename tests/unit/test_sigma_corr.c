/*
 * Sigma correlation rules: event_count, value_count, temporal, temporal_ordered, group-by,
 * timespan, generate.
 */
#include "rh_test.h"

static rh_ctx *ctx;

#define BASE                                                                                       \
    "title: a\nid: rule-a\nname: rule_a\nlogsource:\n    category: process_creation\n"             \
    "    product: windows\ndetection:\n    s:\n        Image|endswith: a.exe\n    condition: s\n"  \
    "---\ntitle: b\nid: rule-b\nlogsource:\n    category: process_creation\n"                      \
    "    product: windows\ndetection:\n    s:\n        Image|endswith: b.exe\n    condition: s\n"

struct res {
    int corr, base;
    uint64_t last_value;
};

static rh_status cb(const rh_sigma_match *m, void *user)
{
    struct res *r = user;
    if (m->rule->kind == RH_SIGMA_CORRELATION) {
        r->corr++;
        r->last_value = m->value;
    } else {
        r->base++;
    }
    return RH_OK;
}

/* Feed events (image, user, second) and count matches. */
static struct res run(const char *corr, const char *const *img, const char *const *user,
                      const int *sec, int n)
{
    struct res r = {0, 0, 0};
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    char text[4096];
    int i;
    snprintf(text, sizeof(text), "%s---\n%s", BASE, corr);
    RH_CHECK(rh_sigma_compiler_create(ctx, NULL, &c) == RH_OK);
    RH_CHECK(rh_sigma_compiler_add_string(c, "c.yml", text, strlen(text)) == RH_OK);
    if (rh_sigma_compiler_reject_count(c)) {
        fprintf(stderr, "rejected: %s\n", rh_sigma_compiler_reject_at(c, 0)->reason);
        r.corr = -1;
        rh_sigma_compiler_destroy(c);
        return r;
    }
    RH_CHECK(rh_sigma_compiler_finish(c, &rs) == RH_OK);
    if (rh_sigma_compiler_reject_count(c)) {
        r.corr = -1;
        rh_ruleset_destroy(rs);
        rh_sigma_compiler_destroy(c);
        return r;
    }
    RH_CHECK(rh_sigma_matcher_create(ctx, rs, &m) == RH_OK);
    for (i = 0; i < n; i++) {
        rh_event ev;
        rh_event_field f[2];
        memset(&ev, 0, sizeof(ev));
        memset(f, 0, sizeof(f));
        f[0].name = "Image";
        f[0].value = img[i];
        f[0].value_len = strlen(img[i]);
        f[1].name = "User";
        f[1].value = user[i];
        f[1].value_len = strlen(user[i]);
        ev.event_id = 1;
        ev.channel = "Microsoft-Windows-Sysmon/Operational";
        ev.fields = f;
        ev.nfields = 2;
        ev.timestamp = 130000000000000000ull + (uint64_t)sec[i] * 10000000ull;
        rh_sigma_matcher_match(m, &ev, cb, &r);
    }
    rh_sigma_matcher_flush(m, cb, &r);
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(c);
    return r;
}

int main(void)
{
    static const char *const img[] = {"a.exe", "a.exe", "a.exe", "b.exe", "a.exe", "a.exe"};
    static const char *const usr[] = {"u1", "u1", "u2", "u1", "u1", "u1"};
    static const int sec[] = {0, 10, 20, 30, 400, 410};
    struct res r;
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    /* event_count gte 2 per user within 60s: u1 at 0,10 -> fire; 400,410 -> fire again */
    r = run("title: ec\nid: ec\ncorrelation:\n    type: event_count\n    rules:\n"
            "        - rule_a\n    group-by:\n        - User\n    timespan: 60s\n"
            "    condition:\n        gte: 2\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 2);
    RH_CHECK_EQ(r.base, 1); /* rule-a is silent (generate: false); rule-b still reports */
    /* a window too short: nothing */
    r = run("title: ec\nid: ec\ncorrelation:\n    type: event_count\n    rules: rule-a\n"
            "    group-by: User\n    timespan: 5s\n    condition:\n        gte: 2\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 0);
    /* generate: true keeps the base matches */
    r = run("title: ec\nid: ec\ncorrelation:\n    type: event_count\n    rules: rule-a\n"
            "    group-by: User\n    timespan: 1h\n    generate: true\n    condition:\n"
            "        gte: 4\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    RH_CHECK_EQ(r.base, 6);
    /* lt: decided at flush on the last window (u2 has 1 event) */
    r = run("title: ec\nid: ec\ncorrelation:\n    type: event_count\n    rules: rule-a\n"
            "    group-by: User\n    timespan: 1h\n    condition:\n        lt: 2\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    /* value_count: distinct users running a.exe within 1h, no group */
    r = run("title: vc\nid: vc\ncorrelation:\n    type: value_count\n    rules: rule-a\n"
            "    timespan: 1h\n    condition:\n        field: User\n        gte: 2\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    RH_CHECK_EQ(r.last_value, 2);
    /* temporal: a and b for the same user within 60s */
    r = run("title: t\nid: t\ncorrelation:\n    type: temporal\n    rules:\n        - rule-a\n"
            "        - rule-b\n    group-by: User\n    timespan: 60s\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    /* temporal_ordered: b before a is required -> a(400) follows b(30) but 370s > 60s */
    r = run("title: t\nid: t\ncorrelation:\n    type: temporal_ordered\n    rules:\n"
            "        - rule-b\n        - rule-a\n    group-by: User\n    timespan: 60s\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 0);
    r = run("title: t\nid: t\ncorrelation:\n    type: temporal_ordered\n    rules:\n"
            "        - rule-b\n        - rule-a\n    group-by: User\n    timespan: 10m\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    /* a then b in order within 60s */
    r = run("title: t\nid: t\ncorrelation:\n    type: temporal_ordered\n    rules:\n"
            "        - rule-a\n        - rule-b\n    group-by: User\n    timespan: 60s\n",
            img, usr, sec, 6);
    RH_CHECK_EQ(r.corr, 1);
    /* rejects: unknown reference, bad timespan, unsupported type */
    r = run("title: x\nid: x\ncorrelation:\n    type: event_count\n    rules: nope\n"
            "    timespan: 1h\n    condition:\n        gte: 1\n",
            img, usr, sec, 0);
    RH_CHECK_EQ(r.corr, -1);
    r = run("title: x\nid: x\ncorrelation:\n    type: event_count\n    rules: rule-a\n"
            "    timespan: 1y\n    condition:\n        gte: 1\n",
            img, usr, sec, 0);
    RH_CHECK_EQ(r.corr, -1);
    r = run("title: x\nid: x\ncorrelation:\n    type: value_sum\n    rules: rule-a\n"
            "    timespan: 1h\n    condition:\n        gte: 1\n",
            img, usr, sec, 0);
    RH_CHECK_EQ(r.corr, -1);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_sigma_corr");
}
