/*
 * Unit tests for src/common: buffers, UTF-16/Latin-1 decoding, FILETIME, escaping,
 * case-insensitive comparison and prefix/suffix tests, cursor, allocator fault injection.
 */
#include "rh_test.h"

#include "common/common.h"

static void test_utf16(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    const uint8_t abc[] = {'a', 0, 'b', 0, 0, 0, 'c', 0};
    const uint8_t pair[] = {0x01, 0xD8, 0x00, 0xDC}; /* U+10400 */
    const uint8_t lone[] = {'k', 0, 0x01, 0xD8};     /* k + unpaired high surrogate */
    const uint8_t odd[] = {'x', 0, 'y'};
    const uint8_t cyr[] = {0x1F, 0x04, 0x40, 0x04}; /* Пр */

    RH_CHECK_EQ(rh_utf16le_to_utf8(&b, abc, sizeof(abc), 0), RH_OK);
    RH_CHECK_EQ(b.len, 4);
    RH_CHECK(memcmp(b.data, "ab\0c", 4) == 0);
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_utf16le_to_utf8(&b, abc, sizeof(abc), 1), RH_OK);
    RH_CHECK_STR(b.data, "ab");
    rh_buf_reset(&b);
    rh_utf16le_to_utf8(&b, pair, sizeof(pair), 0);
    RH_CHECK_STR(b.data, "\xF0\x90\x90\x80");
    rh_buf_reset(&b);
    rh_utf16le_to_utf8(&b, lone, sizeof(lone), 0);
    RH_CHECK_STR(b.data, "k\xEF\xBF\xBD");
    rh_buf_reset(&b);
    rh_utf16le_to_utf8(&b, odd, sizeof(odd), 0);
    RH_CHECK_STR(b.data, "x\xEF\xBF\xBD");
    rh_buf_reset(&b);
    rh_utf16le_to_utf8(&b, cyr, sizeof(cyr), 0);
    RH_CHECK_STR(b.data, "Пр");
    rh_buf_reset(&b);
    rh_latin1_to_utf8(&b, (const uint8_t *)"\xEBigen", 5);
    RH_CHECK_STR(b.data, "ëigen");
    rh_buf_reset(&b);
    rh_utf8_sanitize(&b, "ok\xFF\xC3", 4);
    RH_CHECK_STR(b.data, "ok\xEF\xBF\xBD\xEF\xBF\xBD");
    rh_buf_free(&b);
}

/* Sticky errors: the first failure is kept, later writes are no-ops, reset clears it. */
static void test_buf_sticky(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    char big[200];
    memset(big, 'z', sizeof(big));
    b.cap_limit = 100; /* growth cap: the first allocation (64 bytes) fits "abc" */
    RH_CHECK_EQ(rh_buf_puts(&b, "abc"), RH_OK);
    RH_CHECK_EQ(rh_buf_status(&b), RH_OK);
    RH_CHECK_EQ(rh_buf_append(&b, big, sizeof(big)), RH_ERR_LIMIT);
    RH_CHECK_EQ(rh_buf_putc(&b, 'x'), RH_ERR_LIMIT); /* would fit, but the error is sticky */
    RH_CHECK_EQ(rh_buf_printf(&b, "%d", 1), RH_ERR_LIMIT);
    RH_CHECK_EQ(rh_buf_status(&b), RH_ERR_LIMIT);
    RH_CHECK_STR(b.data, "abc");
    RH_CHECK_EQ(rh_buf_fail(&b, RH_ERR_NOMEM), RH_ERR_LIMIT); /* the first error wins */
    rh_buf_truncate(&b, 1);
    RH_CHECK_STR(b.data, "a");
    rh_buf_truncate(&b, 5); /* longer than the contents: no-op */
    RH_CHECK_EQ(b.len, 1);
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_buf_status(&b), RH_OK);
    RH_CHECK_EQ(rh_buf_putc(&b, 'y'), RH_OK);
    RH_CHECK_STR(b.data, "y");
    rh_buf_free(&b);
}

static void test_filetime(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    rh_filetime_to_iso(&b, 0);
    RH_CHECK_STR(b.data, "1601-01-01T00:00:00.0000000Z");
    rh_buf_reset(&b);
    rh_filetime_to_iso(&b, 116444736000000000ull); /* Unix epoch */
    RH_CHECK_STR(b.data, "1970-01-01T00:00:00.0000000Z");
    rh_buf_reset(&b);
    rh_filetime_to_iso(&b, 131331190512216222ull); /* yarp OffHive last written */
    RH_CHECK_STR(b.data, "2017-03-04T16:37:31.2216222Z");
    rh_buf_reset(&b);
    rh_filetime_to_iso(&b, 0xFFFFFFFFFFFFFFFFull); /* must not crash; year 60056 */
    RH_CHECK(b.len > 20);
    rh_buf_free(&b);
}

static void test_escape(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    const char hostile[] = "a\"b\\c\n\x1b[31m\xe2\x80\xae"
                           "d";
    rh_escape_append(&b, hostile, sizeof(hostile) - 1, RH_ESC_JSON);
    RH_CHECK_STR(b.data, "a\\\"b\\\\c\\n\\u001b[31m\xe2\x80\xae"
                         "d");
    rh_buf_reset(&b);
    rh_escape_append(&b, hostile, sizeof(hostile) - 1, RH_ESC_TERMINAL);
    RH_CHECK_STR(b.data, "a\"b\\c\\x0a\\x1b[31m\\u{202e}d");
    rh_buf_reset(&b);
    rh_escape_append(&b, "=cmd|' /C calc'!A0", 18, RH_ESC_CSV);
    RH_CHECK_STR(b.data, "\"'=cmd|' /C calc'!A0\"");
    rh_buf_reset(&b);
    rh_escape_append(&b, "say \"hi\"", 8, RH_ESC_CSV);
    RH_CHECK_STR(b.data, "\"say \"\"hi\"\"\"");
    rh_buf_reset(&b);
    rh_escape_append(&b, "</script><b a='1'>&", 19, RH_ESC_HTML);
    RH_CHECK_STR(b.data, "&lt;/script&gt;&lt;b a=&#39;1&#39;&gt;&amp;");
    rh_buf_reset(&b);
    rh_escape_append(&b, "nul\0x", 5, RH_ESC_JSON);
    RH_CHECK_STR(b.data, "nul\\u0000x");
    rh_buf_free(&b);
}

static void test_casecmp(void)
{
    RH_CHECK_EQ(rh_utf8_casecmp("Run", 3, "RUN", 3), 0);
    RH_CHECK_EQ(rh_utf8_casecmp("ПриВет", strlen("ПриВет"), "привет", strlen("привет")), 0);
    RH_CHECK(rh_utf8_casecmp("ss1", 3, "ß2", strlen("ß2")) < 0);
    RH_CHECK(rh_utf8_casecmp("SS3", 3, "ß2", strlen("ß2")) < 0);
    RH_CHECK(rh_utf8_casecmp("a", 1, "ab", 2) < 0);
    RH_CHECK_EQ(rh_ascii_casecmp("ABC", 3, "abc", 3), 0);
    RH_CHECK(rh_ascii_prefix("HTTP://x", 8, "http://"));
    RH_CHECK(rh_ascii_prefix("http", 4, "HTTP"));
    RH_CHECK(rh_ascii_prefix("abc", 0, ""));
    RH_CHECK(!rh_ascii_prefix("http://x", 4, "http://")); /* counted: only s[0..n) */
    RH_CHECK(!rh_ascii_prefix("\xC4x", 2, "\xE4x"));      /* ASCII folding only */
    RH_CHECK(rh_ascii_suffix("C:\\Calc.EXE", 11, ".exe"));
    RH_CHECK(rh_ascii_suffix(".exe", 4, ".EXE"));
    RH_CHECK(rh_ascii_suffix("abc", 3, ""));
    RH_CHECK(!rh_ascii_suffix("calc.exe", 7, ".exe"));
    RH_CHECK(!rh_ascii_suffix("exe", 3, ".exe"));
}

/* The one host-equality rule of the evidence index and the hunt. */
static void test_host_key(void)
{
    size_t st, n;
    n = rh_host_key(" WKSTN-042.corp.local. ", 23, &st);
    RH_CHECK_EQ(st, 1);
    RH_CHECK_EQ(n, 9);
    n = rh_host_key("10.0.0.5", 8, &st);
    RH_CHECK_EQ(n, 8); /* an IP address stays whole */
    n = rh_host_key("fe80::1.corp", 12, &st);
    RH_CHECK_EQ(n, 12); /* any ':' is an address */
    RH_CHECK(rh_host_eq("wkstn-042", "WKSTN-042.corp.local"));
    RH_CHECK(rh_host_eq("WKSTN-042.", " wkstn-042"));
    RH_CHECK(!rh_host_eq("10.0.0.5", "10.0.0.6")); /* not "10" and "10" */
    RH_CHECK(!rh_host_eq("WKSTN-042", "WKSTN-0421"));
    RH_CHECK(!rh_host_eq("", ""));
    RH_CHECK(!rh_host_eq(NULL, "a"));
    RH_CHECK(!rh_host_eq(".", "."));
}

static void test_cursor(void)
{
    const uint8_t d[] = {1, 0, 2, 0, 0, 0, 0xff};
    struct rh_cur c = rh_cur_make(d, sizeof(d));
    uint16_t a;
    uint32_t b;
    uint8_t x;
    RH_CHECK(rh_cur_u16le(&c, &a) && a == 1);
    RH_CHECK(rh_cur_u32le(&c, &b) && b == 2);
    RH_CHECK(rh_cur_u8(&c, &x) && x == 0xff);
    RH_CHECK(!rh_cur_u8(&c, &x));
    RH_CHECK(!c.ok);
    RH_CHECK(rh_fits(10, 6, 4));
    RH_CHECK(!rh_fits(10, 7, 4));
    RH_CHECK(!rh_fits(10, SIZE_MAX, 4));
    RH_CHECK(!rh_fits(10, 2, SIZE_MAX));
}

static void test_alloc_failure(void)
{
    rh_allocator a = rh_test_allocator();
    rh_ctx *ctx = NULL;
    rh_buf b;
    long n;
    /* Every allocation point of buffer growth fails cleanly. */
    for (n = 1; n <= 4; n++) {
        rh_status st;
        int i;
        rh_test_fail_alloc_at(0);
        RH_CHECK_EQ(rh_ctx_create(&a, &ctx), RH_OK);
        rh_test_fail_alloc_at(n);
        rh_buf_init(&b, ctx);
        st = RH_OK;
        for (i = 0; i < 2000 && st == RH_OK; i++) {
            st = rh_buf_puts(&b, "0123456789");
        }
        RH_CHECK_EQ(st, RH_ERR_NOMEM);
        rh_buf_free(&b);
        rh_ctx_destroy(ctx);
    }
    rh_test_fail_alloc_at(1);
    ctx = (rh_ctx *)1;
    RH_CHECK_EQ(rh_ctx_create(&a, &ctx), RH_ERR_NOMEM);
    RH_CHECK(ctx == NULL);
    rh_test_fail_alloc_at(0);
}

static void test_buf_limit(rh_ctx *ctx)
{
    rh_buf b = RH_BUF_INIT(ctx);
    b.cap_limit = 100;
    RH_CHECK_EQ(rh_buf_append(&b, "0123456789012345678901234567890123456789", 40), RH_OK);
    RH_CHECK_EQ(rh_buf_append(&b, "0123456789012345678901234567890123456789", 40), RH_OK);
    RH_CHECK_EQ(rh_buf_append(&b, "0123456789012345678901234567890123456789", 40), RH_ERR_LIMIT);
    rh_buf_free(&b);
}

static int diag_count;
static void on_diag(const rh_diag *d, void *u)
{
    (void)u;
    diag_count++;
    RH_CHECK(strchr(d->message, '\n') == NULL);
}

static void test_diag(rh_ctx *ctx)
{
    rh_ctx_set_diag(ctx, on_diag, NULL);
    RH_CHECK_EQ(rh_diagf(ctx, RH_DIAG_ANOMALY, "t", "f", 12, "bad\nline %d", 1), RH_OK);
    RH_CHECK_EQ(diag_count, 1);
    RH_CHECK_EQ(rh_ctx_anomaly_count(ctx), 1);
    rh_ctx_set_strict(ctx, 1);
    RH_CHECK_EQ(rh_diagf(ctx, RH_DIAG_ANOMALY, "t", "f", 12, "x"), RH_ERR_STRICT);
    RH_CHECK_EQ(rh_diagf(ctx, RH_DIAG_INFO, "t", "f", 12, "x"), RH_OK);
    rh_ctx_set_strict(ctx, 0);
    rh_ctx_set_diag(ctx, NULL, NULL);
    RH_CHECK_STR(rh_strerror(RH_ERR_CORRUPT), "input is damaged");
    RH_CHECK_STR(rh_reg_type_name(11), "REG_QWORD");
    RH_CHECK(rh_reg_type_name(0xFFFF0012u) == NULL);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 1;
    }
    test_utf16(ctx);
    test_buf_sticky(ctx);
    test_filetime(ctx);
    test_escape(ctx);
    test_casecmp();
    test_host_key();
    test_cursor();
    test_alloc_failure();
    test_buf_limit(ctx);
    test_diag(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_common_text");
}
