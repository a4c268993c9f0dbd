/*
 * Unit tests for src/common codecs: SHA-256 (FIPS 180-4 / NIST vectors and the padding edges)
 * and base64 (RFC 4648 vectors, round trips, the decoder's flags and bad input).
 */
#include "rh_test.h"

#include "common/common.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void check_sha(const void *p, size_t n, const char *want)
{
    uint8_t d[32];
    char h[65];
    rh_sha256(p, n, d);
    hex(d, sizeof(d), h);
    RH_CHECK_STR(h, want);
}

static void test_sha256(void)
{
    static char a[1000000];
    static const struct {
        size_t n;
        const char *want;
    } edges[] = {
        /* 55 bytes: one padding block; 56: two; 64 and 120: the block boundary again */
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    size_t i;
    check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(a, 'a', sizeof(a));
    check_sha(a, sizeof(a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        check_sha(a, edges[i].n, edges[i].want);
    }
}

static const struct {
    const char *plain, *b64;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_vectors(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    size_t i;
    for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        const char *p = rfc4648[i].plain, *e = rfc4648[i].b64;
        rh_buf_reset(&b);
        RH_CHECK_EQ(rh_base64_encode(&b, (const uint8_t *)p, strlen(p)), RH_OK);
        RH_CHECK_EQ(b.len, strlen(e));
        RH_CHECK(b.len == 0 || strcmp(b.data, e) == 0);
        rh_buf_reset(&b);
        RH_CHECK_EQ(rh_base64_decode_bytes(&b, e, strlen(e), 0), RH_OK);
        RH_CHECK_EQ(b.len, strlen(p));
        RH_CHECK(b.len == 0 || strcmp(b.data, p) == 0);
    }
    /* appends */
    rh_buf_reset(&b);
    rh_buf_puts(&b, "x:");
    RH_CHECK_EQ(rh_base64_encode(&b, (const uint8_t *)"fo", 2), RH_OK);
    RH_CHECK_EQ(rh_base64_decode_bytes(&b, "Zg", 2, 0), RH_OK);
    RH_CHECK_STR(b.data, "x:Zm8=f");
    rh_buf_free(&b);
}

static void test_base64_roundtrip(rh_ctx *ctx)
{
    uint8_t all[256];
    rh_buf e = RH_BUF_INIT(ctx), d = RH_BUF_INIT(ctx);
    size_t n, i;
    int ok = 1;
    for (i = 0; i < sizeof(all); i++) {
        all[i] = (uint8_t)(255 - i);
    }
    for (n = 0; n <= sizeof(all); n++) {
        rh_buf_reset(&e);
        rh_buf_reset(&d);
        ok &= rh_base64_encode(&e, all, n) == RH_OK && e.len == (n + 2) / 3 * 4;
        ok &= rh_base64_decode_bytes(&d, e.data, e.len, 0) == RH_OK && d.len == n &&
              (n == 0 || memcmp(d.data, all, n) == 0);
    }
    RH_CHECK(ok);
    rh_buf_free(&e);
    rh_buf_free(&d);
}

#define LAX (RH_B64_URLSAFE | RH_B64_SKIP_BLANKS | RH_B64_SKIP_QUOTES)

/* One decode into an empty buffer: input (counted), flags, result, expected bytes. */
static const struct {
    const char *in;
    size_t n;
    unsigned flags;
    rh_status st;
    const char *want;
    size_t wn;
} decodes[] = {
    /* padding optional; the first '=' ends the data, whatever follows */
    {"Zm9vYg", 6, 0, RH_OK, "foob", 4},
    {"Zg==!!not", 9, 0, RH_OK, "f", 1},
    {"Zm=9v", 5, 0, RH_OK, "f", 1},
    /* an incomplete last group's bits are dropped */
    {"Z", 1, 0, RH_OK, "", 0},
    {"Zh", 2, 0, RH_OK, "f", 1},
    /* counted input: the length wins over a NUL, and a NUL is bad input */
    {"Zm9vYmFy", 4, 0, RH_OK, "foo", 3},
    {"Zm\0v", 4, LAX, RH_ERR_FORMAT, "", 0},
    /* URL-safe letters only with RH_B64_URLSAFE, mixed freely with the standard ones */
    {"-_-_", 4, 0, RH_ERR_FORMAT, "", 0},
    {"-_-_", 4, RH_B64_URLSAFE, RH_OK, "\xFB\xFF\xBF", 3},
    {"+/-_", 4, RH_B64_URLSAFE, RH_OK, "\xFB\xFF\xBF", 3},
    /* blanks and quotes only with their flags */
    {" Zm\t9\r\nv ", 9, 0, RH_ERR_FORMAT, "", 0},
    {" Zm\t9\r\nv ", 9, RH_B64_SKIP_BLANKS, RH_OK, "foo", 3},
    {"'Zm9v'", 6, RH_B64_SKIP_BLANKS, RH_ERR_FORMAT, "", 0},
    {"'Zm\"9v'", 7, RH_B64_SKIP_QUOTES, RH_OK, "foo", 3},
};

static void test_base64_decode_rules(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    size_t i;
    for (i = 0; i < sizeof(decodes) / sizeof(decodes[0]); i++) {
        rh_buf_reset(&b);
        RH_CHECK_EQ(rh_base64_decode_bytes(&b, decodes[i].in, decodes[i].n, decodes[i].flags),
                    decodes[i].st);
        RH_CHECK(b.len == decodes[i].wn &&
                 (b.len == 0 || memcmp(b.data, decodes[i].want, b.len) == 0));
    }

    /* bad input appends nothing, even after good groups */
    rh_buf_reset(&b);
    rh_buf_puts(&b, "keep");
    RH_CHECK_EQ(rh_base64_decode_bytes(&b, "Zm9vYmFy!", 9, LAX), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_base64_decode_bytes(&b, "not base64!", 11, LAX), RH_ERR_FORMAT);
    RH_CHECK_EQ(rh_base64_decode_bytes(&b, "Zm9v.", 5, LAX), RH_ERR_FORMAT);
    RH_CHECK_STR(b.data, "keep");
    RH_CHECK_EQ(rh_buf_status(&b), RH_OK);
    rh_buf_free(&b);

    /* the buffer's limit is reported (a first allocation is 64 bytes, so go past 100) */
    {
        char text[200];
        memset(text, 'Q', sizeof(text));
        b.cap_limit = 100;
        RH_CHECK_EQ(rh_base64_decode_bytes(&b, text, sizeof(text), 0), RH_ERR_LIMIT);
        rh_buf_free(&b);
        b.cap_limit = 100;
        RH_CHECK_EQ(rh_base64_encode(&b, (const uint8_t *)text, 90), RH_ERR_LIMIT);
        rh_buf_free(&b);
    }
}

/* The public text-level decoder on top (include/reghunt/interp.h). */
static void test_base64_public(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    RH_CHECK_EQ(rh_base64_decode("Zm9", 3, 0, &b), RH_ERR_FORMAT); /* under four characters */
    RH_CHECK_EQ(rh_base64_decode("'Zm9v'", 6, 0, &b), RH_OK);
    RH_CHECK_STR(b.data, "foo");
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_base64_decode("aAB-AA", 6, 1, &b), RH_OK); /* "h~" as UTF-16LE, URL-safe */
    RH_CHECK_STR(b.data, "h~");
    rh_buf_free(&b);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 1;
    }
    test_sha256();
    test_base64_vectors(ctx);
    test_base64_roundtrip(ctx);
    test_base64_decode_rules(ctx);
    test_base64_public(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_common_codec");
}
