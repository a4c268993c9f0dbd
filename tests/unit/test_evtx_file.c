/*
 * EVTX reader on the generated fixtures (tests/data/evtx/mkevtx.py): header info, records,
 * System header, typed EventData fields, XML, recovery of a deleted record and of slack,
 * threads, strict mode, truncation, and allocation failures.
 */
#include "rh_test.h"

struct acc {
    int n, recovered;
    uint64_t rids[32];
    char xml0[8192];
    rh_event ev1;
    char ev1_fields[32][2][128];
    rh_field_type ev1_types[32];
    size_t ev1_nf;
};

static rh_status on_rec(const rh_evtx_record *r, void *u)
{
    struct acc *a = u;
    size_t i;
    if (a->n < 32) {
        a->rids[a->n] = r->event->record_id;
    }
    if (r->flags & RH_EVENT_RECOVERED) {
        a->recovered++;
        RH_CHECK(r->event->flags & RH_EVENT_RECOVERED);
    }
    if (a->n == 0) {
        if (r->xml) {
            snprintf(a->xml0, sizeof(a->xml0), "%s", r->xml);
        }
        a->ev1 = *r->event;
        a->ev1.provider = a->ev1.channel = a->ev1.computer = a->ev1.user_sid = NULL;
        RH_CHECK_STR(r->event->provider, "Reghunt-Test");
        RH_CHECK_STR(r->event->channel, "Reghunt/Test");
        RH_CHECK_STR(r->event->computer, "HOST-01");
        RH_CHECK_STR(r->event->user_sid, "S-1-5-21-3460986514-1000");
        a->ev1_nf = r->event->nfields < 32 ? r->event->nfields : 32;
        for (i = 0; i < a->ev1_nf; i++) {
            snprintf(a->ev1_fields[i][0], 128, "%s", r->event->fields[i].name);
            snprintf(a->ev1_fields[i][1], 128, "%s", r->event->fields[i].value);
            a->ev1_types[i] = r->event->fields[i].type;
        }
    }
    a->n++;
    return RH_OK;
}

static rh_status read_file(rh_ctx *ctx, const char *path, unsigned flags, unsigned threads,
                           struct acc *a)
{
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro = {flags, threads};
    rh_status st = rh_evtx_open(ctx, path, &e);
    memset(a, 0, sizeof(*a));
    if (st != RH_OK) {
        return st;
    }
    st = rh_evtx_read(e, &ro, on_rec, a);
    rh_evtx_close(e);
    return st;
}

static const char *field(const struct acc *a, const char *name, rh_field_type *t)
{
    size_t i;
    for (i = 0; i < a->ev1_nf; i++) {
        if (strcmp(a->ev1_fields[i][0], name) == 0) {
            *t = a->ev1_types[i];
            return a->ev1_fields[i][1];
        }
    }
    return NULL;
}

static void test_mini(rh_ctx *ctx)
{
    struct acc a;
    rh_evtx *e = NULL;
    rh_field_type t = RH_FIELD_NULL;
    const rh_evtx_info *in;
    RH_CHECK_EQ(rh_evtx_open(ctx, "data/evtx/mini.evtx", &e), RH_OK);
    in = rh_evtx_get_info(e);
    RH_CHECK(in->header_ok && in->checksum_ok);
    RH_CHECK_EQ(in->major, 3);
    RH_CHECK_EQ(in->minor, 2);
    RH_CHECK_EQ(in->chunks_in_file, 1);
    RH_CHECK_EQ(in->next_record_id, 5);
    rh_evtx_close(e);
    RH_CHECK_EQ(read_file(ctx, "data/evtx/mini.evtx", RH_EVTX_XML, 0, &a), RH_OK);
    RH_CHECK_EQ(a.n, 4);
    RH_CHECK_EQ(a.recovered, 0);
    RH_CHECK_EQ(a.rids[0], 1001);
    RH_CHECK_EQ(a.rids[2], 3); /* no EventRecordID element: the record header's id */
    RH_CHECK_EQ(a.ev1.event_id, 13);
    RH_CHECK_EQ(a.ev1.process_id, 3396);
    RH_CHECK_EQ(a.ev1.thread_id, 4804);
    RH_CHECK_EQ(a.ev1.timestamp, 132479638563372701ull);
    RH_CHECK_EQ(a.ev1.source_offset, 4096 + 512);
    RH_CHECK_STR(field(&a, "TargetObject", &t),
                 "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil");
    RH_CHECK_EQ(t, RH_FIELD_STRING);
    RH_CHECK_STR(field(&a, "Flag", &t), "true");
    RH_CHECK_EQ(t, RH_FIELD_BOOL);
    RH_CHECK_STR(field(&a, "Hex", &t), "0x3e7");
    RH_CHECK_EQ(t, RH_FIELD_HEX);
    RH_CHECK_STR(field(&a, "Blob", &t), "DEADBEEF");
    RH_CHECK_EQ(t, RH_FIELD_BINARY);
    RH_CHECK_STR(field(&a, "When", &t), "2020-10-23T21:57:36.3280000Z");
    RH_CHECK_EQ(t, RH_FIELD_TIME);
    RH_CHECK_STR(field(&a, "Sid", &t), "S-1-5-21-3460986514-1000");
    RH_CHECK_EQ(t, RH_FIELD_SID);
    RH_CHECK_STR(field(&a, "Small", &t), "-5");
    RH_CHECK_EQ(t, RH_FIELD_INT);
    RH_CHECK_STR(field(&a, "Text", &t), "a & b Ax<y");
    RH_CHECK_STR(field(&a, "Nested", &t), "<Provider Name=\"inner\">nested text</Provider>");
    RH_CHECK_STR(field(&a, "Empty", &t), "");
    RH_CHECK_EQ(t, RH_FIELD_NULL);
    RH_CHECK_EQ(a.ev1_nf, 22); /* arrays give one field per item */
    RH_CHECK(strstr(a.xml0, "<Provider Name=\"Reghunt-Test\" Guid=\"{5770385F-C22A-43E0-BF4C-"
                            "06F5698FFBD9}\"/><EventID>13</EventID><TimeCreated SystemTime=\"2020-"
                            "10-23T21:57:36.337270100Z\"/>") != NULL);
    RH_CHECK(strstr(a.xml0, "<Correlation/>") != NULL); /* optional null attribute omitted */
    RH_CHECK(strstr(a.xml0, "<Data Name=\"Strings\">one</Data><Data Name=\"Strings\">two</Data>"));
    RH_CHECK(strstr(a.xml0, "<Data Name=\"Text\">a &amp; b &#65;<![CDATA[x<y]]></Data>"));
    RH_CHECK(strstr(a.xml0, "<?reghunt-pi data 1?></Event>"));
}

static void test_slack_and_threads(rh_ctx *ctx)
{
    struct acc a, b;
    uint64_t before = rh_ctx_anomaly_count(ctx);
    RH_CHECK_EQ(read_file(ctx, "data/evtx/slack.evtx", 0, 0, &a), RH_OK);
    RH_CHECK_EQ(a.n, 4);
    RH_CHECK_EQ(rh_ctx_anomaly_count(ctx) - before, 1); /* the partial trailing chunk */
    RH_CHECK_EQ(read_file(ctx, "data/evtx/slack.evtx", RH_EVTX_RECOVER, 0, &a), RH_OK);
    /* 4 live + the deleted record after the free space offset + 4 copies in the slack */
    RH_CHECK_EQ(a.n, 9);
    RH_CHECK_EQ(a.recovered, 5);
    RH_CHECK_EQ(a.rids[4], 1005);
    RH_CHECK_EQ(read_file(ctx, "data/evtx/slack.evtx", RH_EVTX_RECOVER, 3, &b), RH_OK);
    RH_CHECK_EQ(b.n, a.n);
    RH_CHECK(memcmp(a.rids, b.rids, sizeof(a.rids)) == 0);
}

static void test_strict_and_damage(void)
{
    rh_ctx *ctx = NULL;
    struct acc a;
    FILE *f;
    uint8_t buf[69632];
    size_t n;
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro = {0, 0};
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    f = fopen("data/evtx/mini.evtx", "rb");
    RH_CHECK(f != NULL);
    n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f) {
        fclose(f);
    }
    RH_CHECK_EQ(n, sizeof(buf));
    /* damaged chunk header CRC: anomaly, records still read; strict mode fails */
    buf[4096 + 0x7C] ^= 1;
    RH_CHECK_EQ(rh_evtx_open_mem(ctx, "crc", buf, n, &e), RH_OK);
    memset(&a, 0, sizeof(a));
    RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, &a), RH_OK);
    RH_CHECK_EQ(a.n, 4);
    RH_CHECK_EQ(rh_evtx_get_stats(e)->chunk_header_crc_bad, 1);
    rh_ctx_set_strict(ctx, 1);
    memset(&a, 0, sizeof(a));
    RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, &a), RH_ERR_STRICT);
    rh_ctx_set_strict(ctx, 0);
    rh_evtx_close(e);
    buf[4096 + 0x7C] ^= 1;
    /* truncated inside the second record: the first is still read */
    RH_CHECK_EQ(rh_evtx_open_mem(ctx, "trunc", buf, 4096 + 3000, &e), RH_OK);
    memset(&a, 0, sizeof(a));
    RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, &a), RH_OK);
    RH_CHECK_EQ(a.n, 0); /* a partial chunk is only carved with RH_EVTX_RECOVER */
    ro.flags = RH_EVTX_RECOVER;
    memset(&a, 0, sizeof(a));
    RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, &a), RH_OK);
    RH_CHECK_EQ(a.n, 1);
    rh_evtx_close(e);
    /* not EVTX */
    RH_CHECK_EQ(rh_evtx_open_mem(ctx, "x", "hello", 5, &e), RH_ERR_FORMAT);
    RH_CHECK(e == NULL);
    rh_ctx_destroy(ctx);
}

static rh_status count_cb(const rh_evtx_record *r, void *u)
{
    (void)r;
    (*(int *)u)++;
    return RH_OK;
}

static void test_oom(void)
{
    rh_allocator al = rh_test_allocator();
    long i;
    int ok_runs = 0;
    for (i = 1; i < 400; i++) {
        rh_ctx *ctx = NULL;
        rh_evtx *e = NULL;
        rh_status st;
        int n = 0;
        rh_test_fail_alloc_at(0);
        if (rh_ctx_create(&al, &ctx) != RH_OK) {
            continue;
        }
        rh_test_fail_alloc_at(i);
        st = rh_evtx_open(ctx, "data/evtx/slack.evtx", &e);
        if (st == RH_OK) {
            rh_evtx_read_opts ro = {RH_EVTX_XML | RH_EVTX_JSON | RH_EVTX_RECOVER, i % 2 ? 2u : 0u};
            st = rh_evtx_read(e, &ro, count_cb, &n);
            rh_evtx_close(e);
        }
        RH_CHECK(st == RH_OK || st == RH_ERR_NOMEM);
        ok_runs += st == RH_OK;
        rh_test_fail_alloc_at(0);
        rh_ctx_destroy(ctx);
    }
    RH_CHECK(ok_runs > 0);
}

/* A stream handing out a buffer `step` bytes at a time. */
struct drip {
    const uint8_t *p;
    size_t n, step;
};

static rh_status drip_read(void *user, void *p, size_t n, size_t *got)
{
    struct drip *d = user;
    size_t k = d->n < d->step ? d->n : d->step;
    k = k < n ? k : n;
    memcpy(p, d->p, k);
    d->p += k;
    d->n -= k;
    *got = k;
    return RH_OK;
}

/* rh_evtx_open_cb reads the same records as the file, however the stream is cut, and learns
 * the sizes at its end; a damaged header with an intact chunk is read; a short stream is
 * refused. */
static void test_stream(rh_ctx *ctx)
{
    static const size_t steps[] = {1, 7, 4096, 65536, 1u << 20};
    struct acc a, b;
    uint8_t *buf = NULL;
    size_t len = 0, i;
    FILE *f = fopen("data/evtx/slack.evtx", "rb");
    RH_CHECK(f != NULL);
    if (f) {
        buf = malloc(1u << 20);
        len = buf ? fread(buf, 1, 1u << 20, f) : 0;
        fclose(f);
    }
    RH_CHECK(len > 4096);
    RH_CHECK_EQ(read_file(ctx, "data/evtx/slack.evtx", RH_EVTX_RECOVER, 0, &a), RH_OK);
    for (i = 0; buf && i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct drip d = {buf, len, steps[i]};
        rh_evtx *e = NULL;
        rh_evtx_read_opts ro = {RH_EVTX_RECOVER, 4};
        memset(&b, 0, sizeof(b));
        RH_CHECK_EQ(rh_evtx_open_cb(ctx, "stream", drip_read, &d, &e), RH_OK);
        if (e) {
            RH_CHECK_EQ(rh_evtx_get_info(e)->file_size, 0); /* not known yet */
            RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, &b), RH_OK);
            RH_CHECK_EQ(rh_evtx_get_info(e)->file_size, len);
            RH_CHECK_EQ(rh_evtx_get_info(e)->chunks_in_file, (len - 4096) / 65536);
            rh_evtx_close(e);
        }
        RH_CHECK_EQ(b.n, a.n);
        RH_CHECK(memcmp(a.rids, b.rids, sizeof(a.rids)) == 0);
    }
    if (buf) {
        struct drip d = {buf, len, 100};
        rh_evtx *e = NULL;
        memset(buf, 'X', 8); /* the file header signature is gone; the first chunk is intact */
        RH_CHECK_EQ(rh_evtx_open_cb(ctx, "damaged", drip_read, &d, &e), RH_OK);
        if (e) {
            memset(&b, 0, sizeof(b));
            RH_CHECK_EQ(rh_evtx_read(e, NULL, on_rec, &b), RH_OK);
            RH_CHECK_EQ(b.n, 4);
            rh_evtx_close(e);
        }
        d.p = buf;
        d.n = 4000;
        RH_CHECK_EQ(rh_evtx_open_cb(ctx, "short", drip_read, &d, &e), RH_ERR_FORMAT);
    }
    free(buf);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    test_mini(ctx);
    test_slack_and_threads(ctx);
    test_stream(ctx);
    rh_ctx_destroy(ctx);
    test_strict_and_damage();
    test_oom();
    return rh_test_summary("test_evtx_file");
}
