/*
 * BinXML from hand-built byte sequences: every token, every substitution value type (and
 * arrays), optional substitutions, nested BinXML, and malformed input (record skipped with an
 * anomaly, the next record still read). Each case wraps its bytes in a one-chunk EVTX image.
 */
#include <zlib.h>

#include "rh_test.h"

#define CHUNK 65536u
#define NAMES 0x8000u /* names are placed in unused chunk space */
#define TMPL  0xA000u /* template definitions too */

static uint8_t img[4096 + CHUNK];
static uint8_t *ch = img + 4096;
static uint32_t name_pos, rec_pos, tmpl_pos;

static void w16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
    w16(p, v & 0xFFFF);
    w16(p + 2, v >> 16);
}

static void w64(uint8_t *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

/* A name structure in unused space; returns its chunk offset. */
static uint32_t name(const char *s)
{
    uint32_t off = name_pos, i, n = (uint32_t)strlen(s);
    w16(ch + off + 6, n);
    for (i = 0; i < n; i++) {
        w16(ch + off + 8 + 2 * i, (uint8_t)s[i]);
    }
    name_pos += 8 + 2 * n + 2;
    name_pos = (name_pos + 3) & ~3u;
    return off;
}

/* ---- byte builder ---------------------------------------------------------------------- */
struct bb {
    uint8_t b[8192];
    size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
    if (n) {
        memcpy(b->b + b->n, p, n);
    }
    b->n += n;
}

static void u8(struct bb *b, uint32_t v)
{
    b->b[b->n++] = (uint8_t)v;
}

static void u16(struct bb *b, uint32_t v)
{
    w16(b->b + b->n, v);
    b->n += 2;
}

static void u32(struct bb *b, uint32_t v)
{
    w32(b->b + b->n, v);
    b->n += 4;
}

static void open_el(struct bb *b, const char *n, int has_attrs)
{
    u8(b, has_attrs ? 0x41 : 0x01);
    u16(b, 0xFFFF);
    u32(b, 0);
    u32(b, name(n));
    if (has_attrs) {
        u32(b, 0);
    }
}

static void attr(struct bb *b, const char *n)
{
    u8(b, 0x06);
    u32(b, name(n));
}

static void text(struct bb *b, const char *s)
{
    size_t i, n = strlen(s);
    u8(b, 0x05);
    u8(b, 0x01);
    u16(b, (uint32_t)n);
    for (i = 0; i < n; i++) {
        u16(b, (uint8_t)s[i]);
    }
}

static void subst(struct bb *b, int optional, uint32_t idx, uint32_t type)
{
    u8(b, optional ? 0x0E : 0x0D);
    u16(b, idx);
    u8(b, type);
}

static void frag(struct bb *b)
{
    put(b, "\x0f\x01\x01\x00", 4);
}

/* Write a template definition (fragment + body + EOF) at tmpl_pos; returns its offset. */
static uint32_t define_template(const struct bb *body)
{
    uint32_t off = tmpl_pos;
    w32(ch + off + 20, (uint32_t)body->n);
    memcpy(ch + off + 24, body->b, body->n);
    tmpl_pos += 24 + (uint32_t)body->n;
    tmpl_pos = (tmpl_pos + 7) & ~7u;
    return off;
}

struct sub {
    uint32_t type;
    const void *data;
    uint32_t size;
};

/* Record body: fragment, template instance referencing def, substitutions, EOF. */
static void instance(struct bb *b, uint32_t def, const struct sub *subs, uint32_t n)
{
    uint32_t i;
    frag(b);
    u8(b, 0x0C);
    u8(b, 1);
    u32(b, 1);
    u32(b, def);
    u32(b, n);
    for (i = 0; i < n; i++) {
        u16(b, subs[i].size);
        u8(b, subs[i].type);
        u8(b, 0);
    }
    for (i = 0; i < n; i++) {
        put(b, subs[i].data, subs[i].size);
    }
    u8(b, 0);
}

static void reset(void)
{
    memset(img, 0, sizeof(img));
    name_pos = NAMES;
    tmpl_pos = TMPL;
    rec_pos = 0x200;
}

static void add_record(const struct bb *body, uint64_t rid)
{
    uint32_t size = (uint32_t)((24 + body->n + 4 + 7) & ~(size_t)7);
    uint8_t *r = ch + rec_pos;
    w32(r, 0x2A2A);
    w32(r + 4, size);
    w64(r + 8, rid);
    w64(r + 16, 132479638563372700ull);
    memcpy(r + 24, body->b, body->n);
    w32(r + size - 4, size);
    rec_pos += size;
}

static void finish(void)
{
    uint32_t crc;
    memcpy(img, "ElfFile", 8);
    w32(img + 0x20, 128);
    w16(img + 0x24, 2);
    w16(img + 0x26, 3);
    w16(img + 0x28, 4096);
    w16(img + 0x2A, 1);
    w32(img + 0x7C, (uint32_t)crc32(0, img, 0x78));
    memcpy(ch, "ElfChnk", 8);
    w32(ch + 0x28, 128);
    w32(ch + 0x30, rec_pos);
    w32(ch + 0x34, (uint32_t)crc32(0, ch + 0x200, rec_pos - 0x200));
    crc = (uint32_t)crc32(0, ch, 0x78);
    crc = (uint32_t)crc32(crc, ch + 0x80, 0x180);
    w32(ch + 0x7C, crc);
}

/* ---- reading ----------------------------------------------------------------------------- */
static char xml[4][4096];
static int nrec;
static rh_event saved;
static char fields[32][2][256];
static rh_field_type ftypes[32];
static size_t nf;

static rh_status on_rec(const rh_evtx_record *r, void *u)
{
    size_t i;
    (void)u;
    if (nrec < 4) {
        snprintf(xml[nrec], sizeof(xml[0]), "%s", r->xml ? r->xml : "");
    }
    if (nrec == 0) {
        saved = *r->event;
        nf = r->event->nfields < 32 ? r->event->nfields : 32;
        for (i = 0; i < nf; i++) {
            snprintf(fields[i][0], 256, "%s", r->event->fields[i].name);
            snprintf(fields[i][1], 256, "%s", r->event->fields[i].value);
            ftypes[i] = r->event->fields[i].type;
        }
    }
    nrec++;
    return RH_OK;
}

static uint64_t read_img(unsigned max_depth)
{
    rh_ctx *ctx = NULL;
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro = {RH_EVTX_XML | RH_EVTX_JSON, 0};
    uint64_t anomalies = 0;
    rh_limits lim;
    finish();
    nrec = 0;
    memset(xml, 0, sizeof(xml));
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    rh_limits_default(&lim);
    if (max_depth) {
        lim.max_xml_depth = max_depth;
    }
    rh_ctx_set_limits(ctx, &lim);
    RH_CHECK(rh_evtx_open_mem(ctx, "t", img, sizeof(img), &e) == RH_OK);
    if (e) {
        RH_CHECK_EQ(rh_evtx_read(e, &ro, on_rec, NULL), RH_OK);
        anomalies = rh_evtx_get_stats(e)->anomalies;
        rh_evtx_close(e);
    }
    rh_ctx_destroy(ctx);
    return anomalies;
}

static void good_record(struct bb *b)
{
    frag(b);
    open_el(b, "Ok", 0);
    u8(b, 0x03);
    u8(b, 0);
}

/* ---- cases ------------------------------------------------------------------------------ */

static void test_tokens(void)
{
    struct bb b = {{0}, 0};
    reset();
    frag(&b);
    open_el(&b, "Event", 1);
    attr(&b, "a");
    text(&b, "x\"y");
    u8(&b, 0x02);
    open_el(&b, "Empty", 0);
    u8(&b, 0x03);
    text(&b, "t<1");
    u8(&b, 0x08); /* char ref */
    u16(&b, 0x41);
    u8(&b, 0x09); /* entity ref */
    u32(&b, name("amp"));
    u8(&b, 0x07); /* CDATA */
    u16(&b, 2);
    u16(&b, 'c');
    u16(&b, 'd');
    u8(&b, 0x0A); /* PI target + data */
    u32(&b, name("pi"));
    u8(&b, 0x0B);
    u16(&b, 1);
    u16(&b, 'z');
    u8(&b, 0x04);
    u8(&b, 0);
    add_record(&b, 1);
    RH_CHECK_EQ(read_img(0), 0);
    RH_CHECK_EQ(nrec, 1);
    RH_CHECK_STR(xml[0],
                 "<Event a=\"x&quot;y\"><Empty/>t&lt;1&#65;&amp;<![CDATA[cd]]><?pi z?></Event>");
}

static void test_value_types(void)
{
    static const uint8_t guid[16] = {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
                                     0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9};
    static const uint8_t sid[16] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0};
    static const uint8_t i8[1] = {0xFB}, u8v[1] = {200}, i16[2] = {0xFE, 0xFF}, u16v[2] = {1, 1};
    static const uint8_t i32[4] = {0xFF, 0xFF, 0xFF, 0xFF}, u32v[4] = {0, 0, 0, 0x80};
    static const uint8_t i64[8] = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t u64[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    static const uint8_t r32[4] = {0, 0, 0xC0, 0x3F};             /* 1.5f */
    static const uint8_t r64[8] = {0, 0, 0, 0, 0, 0, 0x04, 0x40}; /* 2.5 */
    static const uint8_t bo[4] = {0, 0, 0, 0}, bin[3] = {0x0a, 0xbc, 0xff};
    static const uint8_t sz4[4] = {0x10, 0, 0, 0}, sz8[8] = {0, 0, 0, 0, 1, 0, 0, 0};
    static const uint8_t ft[8] = {0xA1, 0xBE, 0x8A, 0x84, 0x87, 0xA9, 0xD6, 0x01};
    static const uint8_t st[16] = {0xE4, 0x07, 10, 0, 5, 0, 23, 0, 21, 0, 57, 0, 36, 0, 0x48, 1};
    static const uint8_t h32[4] = {0x4c, 0x1a, 0, 0}, h64[8] = {0xe7, 3, 0, 0, 0, 0, 0, 0};
    static const uint8_t str[6] = {'a', 0, 'b', 0, 0, 0}, ansi[4] = {'x', 'y', 0, 0};
    static const uint8_t sarr[8] = {'p', 0, 0, 0, 'q', 0, 0, 0};
    static const uint8_t u16arr[4] = {7, 0, 8, 0};
    static const uint8_t guid2[32] = {1,    0,    0,    0,    2, 0, 3, 0, 4, 5, 6, 7, 8, 9, 10, 11,
                                      0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0};
    static const char *const expect[] = {"-5",
                                         "200",
                                         "-2",
                                         "257",
                                         "-1",
                                         "2147483648",
                                         "-2",
                                         "9223372036854775808",
                                         "1.5",
                                         "2.5",
                                         "false",
                                         "0ABCFF",
                                         "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
                                         "0x10",
                                         "0x100000000",
                                         "2020-10-23T21:57:36.337270500Z",
                                         "2020-10-23T21:57:36.328000000Z",
                                         "S-1-5-32-544",
                                         "0x1a4c",
                                         "0x3e7",
                                         "ab",
                                         "xy",
                                         "",
                                         "p",
                                         "q",
                                         "7",
                                         "8",
                                         "{00000001-0002-0003-0405-060708090A0B}",
                                         "{FFFFFFFF-0000-0000-0000-000000000000}"};
    struct sub subs[] = {
        {0x03, i8, 1},     {0x04, u8v, 1},  {0x05, i16, 2},   {0x06, u16v, 2}, {0x07, i32, 4},
        {0x08, u32v, 4},   {0x09, i64, 8},  {0x0A, u64, 8},   {0x0B, r32, 4},  {0x0C, r64, 8},
        {0x0D, bo, 4},     {0x0E, bin, 3},  {0x0F, guid, 16}, {0x10, sz4, 4},  {0x10, sz8, 8},
        {0x11, ft, 8},     {0x12, st, 16},  {0x13, sid, 16},  {0x14, h32, 4},  {0x15, h64, 8},
        {0x01, str, 6},    {0x02, ansi, 4}, {0x00, NULL, 0},  {0x81, sarr, 8}, {0x86, u16arr, 4},
        {0x8F, guid2, 32},
    };
    uint32_t n = sizeof(subs) / sizeof(subs[0]), i, def;
    struct bb t = {{0}, 0}, b = {{0}, 0};
    char want[4096];
    size_t w = 0;
    reset();
    frag(&t);
    open_el(&t, "E", 0);
    u8(&t, 0x02);
    for (i = 0; i < n; i++) {
        open_el(&t, "V", 0);
        u8(&t, 0x02);
        subst(&t, 0, i, subs[i].type);
        u8(&t, 0x04);
    }
    u8(&t, 0x04);
    u8(&t, 0);
    def = define_template(&t);
    instance(&b, def, subs, n);
    add_record(&b, 1);
    RH_CHECK_EQ(read_img(0), 0);
    RH_CHECK_EQ(nrec, 1);
    w += (size_t)snprintf(want + w, sizeof(want) - w, "<E>");
    for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        if (expect[i][0]) {
            w += (size_t)snprintf(want + w, sizeof(want) - w, "<V>%s</V>", expect[i]);
        } else {
            w += (size_t)snprintf(want + w, sizeof(want) - w, "<V></V>");
        }
    }
    snprintf(want + w, sizeof(want) - w, "</E>");
    RH_CHECK_STR(xml[0], want);
}

static void test_optional_and_nested(void)
{
    static const uint8_t u32v[4] = {42, 0, 0, 0};
    struct bb t = {{0}, 0}, b = {{0}, 0}, nested = {{0}, 0};
    uint32_t def;
    struct sub subs[3];
    reset();
    frag(&t);
    open_el(&t, "Event", 0);
    u8(&t, 0x02);
    open_el(&t, "System", 0);
    u8(&t, 0x02);
    open_el(&t, "EventID", 0);
    u8(&t, 0x02);
    subst(&t, 0, 0, 0x08);
    u8(&t, 0x04);
    open_el(&t, "Correlation", 1);
    attr(&t, "ActivityID");
    subst(&t, 1, 1, 0x0F);
    u8(&t, 0x03);
    u8(&t, 0x04);
    open_el(&t, "EventData", 0);
    u8(&t, 0x02);
    subst(&t, 0, 2, 0x21);
    u8(&t, 0x04);
    u8(&t, 0x04);
    u8(&t, 0);
    def = define_template(&t);
    /* nested BinXML: <Data Name="Inner">v</Data> */
    frag(&nested);
    open_el(&nested, "Data", 1);
    attr(&nested, "Name");
    text(&nested, "Inner");
    u8(&nested, 0x02);
    text(&nested, "v");
    u8(&nested, 0x04);
    u8(&nested, 0);
    subs[0].type = 0x08;
    subs[0].data = u32v;
    subs[0].size = 4;
    subs[1].type = 0x00;
    subs[1].data = NULL;
    subs[1].size = 0;
    subs[2].type = 0x21;
    subs[2].data = nested.b;
    subs[2].size = (uint32_t)nested.n;
    instance(&b, def, subs, 3);
    add_record(&b, 9);
    RH_CHECK_EQ(read_img(0), 0);
    RH_CHECK_STR(xml[0], "<Event><System><EventID>42</EventID><Correlation/></System>"
                         "<EventData><Data Name=\"Inner\">v</Data></EventData></Event>");
    RH_CHECK_EQ(saved.event_id, 42);
    RH_CHECK_EQ(nf, 1);
    RH_CHECK_STR(fields[0][0], "Inner");
    RH_CHECK_STR(fields[0][1], "v");
}

/* A malformed record followed by a good one: one anomaly, the good one is still read. */
static void bad_then_good(const struct bb *bad, const char *what, unsigned depth)
{
    struct bb g = {{0}, 0};
    uint64_t an;
    good_record(&g);
    add_record(bad, 1);
    add_record(&g, 2);
    an = read_img(depth);
    if (an != 1 || nrec != 1 || strcmp(xml[0], "<Ok/>") != 0) {
        fprintf(stderr, "malformed case '%s': %llu anomalies, %d records, xml %s\n", what,
                (unsigned long long)an, nrec, xml[0]);
        rh_test_failed++;
    } else {
        rh_test_passed++;
    }
}

static void test_malformed(void)
{
    struct bb b;
    uint32_t def, i;
    struct sub none = {0x01, "a\0", 2};
    /* unknown token */
    reset();
    memset(&b, 0, sizeof(b));
    frag(&b);
    u8(&b, 0x1F);
    bad_then_good(&b, "unknown token", 0);
    /* name offset outside the chunk */
    reset();
    memset(&b, 0, sizeof(b));
    frag(&b);
    u8(&b, 0x01);
    u16(&b, 0xFFFF);
    u32(&b, 0);
    u32(&b, 0xFFFFFFF0u);
    bad_then_good(&b, "name offset", 0);
    /* substitution index out of range */
    reset();
    {
        struct bb t = {{0}, 0};
        frag(&t);
        open_el(&t, "E", 0);
        u8(&t, 0x02);
        subst(&t, 0, 5, 0x01);
        u8(&t, 0x04);
        u8(&t, 0);
        def = define_template(&t);
    }
    memset(&b, 0, sizeof(b));
    instance(&b, def, &none, 1);
    bad_then_good(&b, "subst index", 0);
    /* a template that instantiates itself */
    reset();
    {
        struct bb t = {{0}, 0};
        uint32_t self = tmpl_pos;
        frag(&t);
        open_el(&t, "E", 0);
        u8(&t, 0x02);
        u8(&t, 0x0C);
        u8(&t, 1);
        u32(&t, 1);
        u32(&t, self);
        u32(&t, 0);
        u8(&t, 0x04);
        u8(&t, 0);
        def = define_template(&t);
    }
    memset(&b, 0, sizeof(b));
    instance(&b, def, &none, 1);
    bad_then_good(&b, "template recursion", 0);
    /* nesting deeper than max_xml_depth */
    reset();
    memset(&b, 0, sizeof(b));
    frag(&b);
    for (i = 0; i < 40; i++) {
        open_el(&b, "D", 0);
        u8(&b, 0x02);
    }
    for (i = 0; i < 40; i++) {
        u8(&b, 0x04);
    }
    u8(&b, 0);
    bad_then_good(&b, "depth", 16);
    /* end element without a start */
    reset();
    memset(&b, 0, sizeof(b));
    frag(&b);
    u8(&b, 0x04);
    bad_then_good(&b, "unbalanced", 0);
    /* substitution values running past the record */
    reset();
    {
        struct bb t = {{0}, 0};
        frag(&t);
        open_el(&t, "E", 0);
        u8(&t, 0x03);
        u8(&t, 0);
        def = define_template(&t);
    }
    memset(&b, 0, sizeof(b));
    frag(&b);
    u8(&b, 0x0C);
    u8(&b, 1);
    u32(&b, 1);
    u32(&b, def);
    u32(&b, 1);
    u16(&b, 0x4000);
    u8(&b, 1);
    u8(&b, 0);
    bad_then_good(&b, "subst size", 0);
}

int main(void)
{
    test_tokens();
    test_value_types();
    test_optional_and_nested();
    test_malformed();
    return rh_test_summary("test_evtx_binxml");
}
