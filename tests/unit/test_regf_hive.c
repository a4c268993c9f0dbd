/*
 * Unit tests for src/regf on generated fixture hives (tests/data/hives/NAME.tsv via mkhive):
 * lookups, names kept exactly, value types and data, strict mode, damage handling
 * (truncation at every offset, byte flips), allocation failure, Marvin32; bounded reading
 * (max_hive_size, no hive bin, data past the bins) and the replay diff of a crafted log.
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

/* ---- bounded reading (issue 11) ---------------------------------------------------------- */

struct seen {
    char last[512];
    int64_t offset;
    int errors;
};

static void remember(const rh_diag *d, void *user)
{
    struct seen *s = user;
    if (d->level == RH_DIAG_ERROR) {
        s->errors++;
        s->offset = d->offset;
        snprintf(s->last, sizeof(s->last), "%s: %s", d->source ? d->source : "", d->message);
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void fix_checksum(uint8_t *base)
{
    put32(base + REGF_B_CHECKSUM, regf_checksum(base));
}

static char *write_tmp(const char *dir, const char *name, const uint8_t *d, size_t n)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    FILE *f;
    snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
    f = fopen(p, "wb");
    RH_CHECK(f && fwrite(d, 1, n, f) == n);
    if (f) {
        fclose(f);
    }
    return p;
}

/* A base block declaring more hive bins than max_hive_size, or an hbin chain longer than it,
 * is refused with RH_ERR_LIMIT and a diagnostic naming the limit. */
static void test_max_hive_size(const uint8_t *img, size_t len)
{
    uint8_t *copy = rh_malloc(ctx, len);
    rh_limits lim, def;
    struct seen s = {{0}, 0, 0};
    rh_hive *h = (rh_hive *)1;
    rh_limits_default(&def);
    RH_CHECK_EQ(def.max_hive_size, 2ull << 30);
    memcpy(copy, img, len);
    put32(copy + REGF_B_HBINS_SIZE, 64u << 20);
    fix_checksum(copy);
    lim = def;
    lim.max_hive_size = 1u << 20;
    rh_ctx_set_limits(ctx, &lim);
    rh_ctx_set_diag(ctx, remember, &s);
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "big", copy, len, NULL, &h), RH_ERR_LIMIT);
    RH_CHECK(h == NULL);
    RH_CHECK(strstr(s.last, "big: ") == s.last);
    RH_CHECK(strstr(s.last, "max_hive_size") != NULL);
    RH_CHECK_EQ(s.offset, REGF_B_HBINS_SIZE);
    /* Untrusted base block: the hbin chain (one 4 KiB bin) is what counts. */
    lim.max_hive_size = 2048;
    rh_ctx_set_limits(ctx, &lim);
    memcpy(copy, img, len);
    copy[REGF_B_CHECKSUM] ^= 1;
    s.last[0] = '\0';
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "chain", copy, len, NULL, &h), RH_ERR_LIMIT);
    RH_CHECK(strstr(s.last, "max_hive_size") != NULL);
    /* Within the limit, the same hive opens. */
    lim.max_hive_size = 4096;
    rh_ctx_set_limits(ctx, &lim);
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "chain", copy, len, NULL, &h), RH_OK);
    rh_hive_close(h);
    rh_ctx_set_limits(ctx, &def);
    rh_ctx_set_diag(ctx, NULL, NULL);
    rh_free(ctx, copy);
}

/* A valid base block over zeros (512 MiB declared, a sparse file of that size) is refused at
 * the first MiB with one diagnostic naming the file and offset 4096. */
static void test_no_hbin(const uint8_t *img)
{
    char dir[] = "/tmp/rh_nohbin_XXXXXX";
    uint8_t *buf = rh_calloc(ctx, 1, 4096 + (2u << 20));
    struct seen s = {{0}, 0, 0};
    rh_hive *h = (rh_hive *)1;
    char *path;
    FILE *f;
    if (!buf || !mkdtemp(dir)) {
        RH_CHECK(0);
        rh_free(ctx, buf);
        return;
    }
    memcpy(buf, img, 4096);
    put32(buf + REGF_B_HBINS_SIZE, 512u << 20);
    fix_checksum(buf);
    rh_ctx_set_diag(ctx, remember, &s);
    RH_CHECK_EQ(rh_hive_open_mem(ctx, "zeros", buf, 4096 + (2u << 20), NULL, &h), RH_ERR_CORRUPT);
    RH_CHECK(h == NULL);
    RH_CHECK_EQ(s.errors, 1);
    RH_CHECK_EQ(s.offset, 4096);
    RH_CHECK(strstr(s.last, "zeros: no hive bin") == s.last);
    path = write_tmp(dir, "SOFTWARE", buf, 4096);
    f = fopen(path, "r+b");
    RH_CHECK(f && ftruncate(fileno(f), (off_t)4096 + (512 << 20)) == 0);
    if (f) {
        fclose(f);
    }
    s.errors = 0;
    RH_CHECK_EQ(rh_hive_open(ctx, path, NULL, &h), RH_ERR_CORRUPT);
    RH_CHECK_EQ(s.errors, 1);
    RH_CHECK(strstr(s.last, path) == s.last);
    rh_ctx_set_diag(ctx, NULL, NULL);
    remove(path);
    rmdir(dir);
    rh_free(ctx, buf);
}

/* Keys, values and their data, in order, as one string. */
static void dump(rh_hive *h, rh_buf *out)
{
    rh_buf s = RH_BUF_INIT(ctx);
    uint32_t k, i;
    for (k = 0; k < rh_hive_key_count(h); k++) {
        rh_key_info ki;
        rh_key_get_info(h, k, &ki);
        rh_key_path(h, k, out);
        rh_buf_printf(out, " f=%u\n", ki.flags);
        for (i = 0; i < rh_key_value_count(h, k); i++) {
            rh_value v = rh_key_value_at(h, k, i);
            rh_value_info vi;
            const uint8_t *d;
            size_t dl;
            rh_value_get_info(h, v, &vi);
            rh_value_name(h, v, out);
            rh_value_data(h, v, &d, &dl, &s);
            rh_buf_printf(out, " t=%u f=%u ", vi.type, vi.flags);
            rh_reg_data_text(vi.type, d, dl, 0, out);
            rh_buf_putc(out, '\n');
        }
    }
    rh_buf_free(&s);
}

/* A file longer than its hive bins (1 MiB of 0xAA after them) reads the same, with and
 * without deleted-data recovery, from a file and from memory. */
static void test_longer_file(const uint8_t *img, size_t len)
{
    char dir[] = "/tmp/rh_long_XXXXXX";
    size_t big = len + (1u << 20);
    uint8_t *buf = rh_malloc(ctx, big);
    int del;
    if (!buf || !mkdtemp(dir)) {
        RH_CHECK(0);
        rh_free(ctx, buf);
        return;
    }
    memcpy(buf, img, len);
    memset(buf + len, 0xAA, big - len);
    for (del = 0; del < 2; del++) {
        rh_hive_opts o = {del ? RH_HIVE_DELETED : 0, NULL, NULL, NULL};
        rh_hive *a = NULL, *b = NULL, *c = NULL;
        rh_buf da = RH_BUF_INIT(ctx), db = RH_BUF_INIT(ctx), dc = RH_BUF_INIT(ctx);
        char *path = write_tmp(dir, "long", buf, big);
        RH_CHECK_EQ(rh_hive_open_mem(ctx, "short", img, len, &o, &a), RH_OK);
        RH_CHECK_EQ(rh_hive_open_mem(ctx, "long", buf, big, &o, &b), RH_OK);
        RH_CHECK_EQ(rh_hive_open(ctx, path, &o, &c), RH_OK);
        if (a && b && c) {
            dump(a, &da);
            dump(b, &db);
            dump(c, &dc);
            RH_CHECK(da.len > 0 && da.len == db.len && memcmp(da.data, db.data, da.len) == 0);
            RH_CHECK(da.len == dc.len && memcmp(da.data, dc.data, da.len) == 0);
            RH_CHECK_EQ(rh_hive_get_info(b)->file_size, big);
            RH_CHECK_EQ(rh_hive_get_info(c)->file_size, big);
            RH_CHECK_EQ(rh_hive_get_info(c)->keys, rh_hive_get_info(a)->keys);
            RH_CHECK_EQ(rh_hive_get_info(c)->truncated, 0);
        }
        rh_hive_close(a);
        rh_hive_close(b);
        rh_hive_close(c);
        rh_buf_free(&da);
        rh_buf_free(&db);
        rh_buf_free(&dc);
        remove(path);
    }
    rmdir(dir);
    rh_free(ctx, buf);
}

/* A dirty copy of basic.hive (sequence 5/4) and a new-format LOG1 whose one entry rewrites the
 * first bin with Types\bin = de ad be ef 02: replay changes exactly that value, the diff
 * against the pre-replay pages says so, and the caller's buffer is never written. */
static void test_replay_diff(const uint8_t *img, size_t len)
{
    char dir[] = "/tmp/rh_replay_XXXXXX";
    uint8_t *hive = rh_malloc(ctx, len), *keep = rh_malloc(ctx, len);
    uint8_t log[512 + 4608], *e = log + 512;
    const uint8_t want[5] = {0xde, 0xad, 0xbe, 0xef, 0x01};
    size_t pos, i;
    const char *names[2] = {"dirty.LOG1", NULL};
    const void *data[2] = {log, NULL};
    size_t lens[2] = {sizeof(log), 0};
    if (!hive || !keep || len < 8192 || !mkdtemp(dir)) {
        RH_CHECK(0);
        rh_free(ctx, hive);
        rh_free(ctx, keep);
        return;
    }
    memcpy(hive, img, len);
    put32(hive + REGF_B_SEQ1, 5);
    put32(hive + REGF_B_SEQ2, 4);
    fix_checksum(hive);
    memcpy(keep, hive, len);
    memset(log, 0, sizeof(log));
    memcpy(log, hive, 512);
    put32(log + REGF_B_SEQ1, 4);
    put32(log + REGF_B_SEQ2, 4);
    put32(log + REGF_B_TYPE, 6);
    fix_checksum(log);
    memcpy(e, "HvLE", 4);
    put32(e + HVLE_SIZE, 4608);
    put32(e + HVLE_SEQ, 4);
    put32(e + HVLE_HBINS, 4096);
    put32(e + HVLE_NPAGES, 1);
    put32(e + HVLE_REFS, 0);
    put32(e + HVLE_REFS + 4, 4096);
    memcpy(e + HVLE_REFS + 8, hive + 4096, 4096);
    for (pos = 0; pos + 5 <= 4096 && memcmp(e + HVLE_REFS + 8 + pos, want, 5) != 0; pos++) {
    }
    RH_CHECK(pos + 5 <= 4096);
    e[HVLE_REFS + 8 + pos + 4] = 0x02;
    put64(e + HVLE_HASH1, regf_marvin32(e + HVLE_REFS, 4608 - HVLE_REFS, MARVIN32_SEED));
    put64(e + HVLE_HASH2, regf_marvin32(e, 32, MARVIN32_SEED));
    for (i = 0; i < 2; i++) {
        rh_hive_opts o = {0, names, data, lens};
        rh_hive *h = NULL;
        rh_value v;
        rh_value_info vi;
        rh_key k;
        rh_key_info ki;
        uint32_t n, flagged = 0;
        if (i == 0) {
            RH_CHECK_EQ(rh_hive_open_mem(ctx, "dirty", hive, len, &o, &h), RH_OK);
        } else {
            char *hp = write_tmp(dir, "dirty", hive, len);
            write_tmp(dir, "dirty.LOG1", log, sizeof(log));
            RH_CHECK_EQ(rh_hive_open(ctx, hp, NULL, &h), RH_OK);
        }
        if (!h) {
            continue;
        }
        RH_CHECK_EQ(rh_hive_get_info(h)->logs_applied, 1);
        RH_CHECK_EQ(rh_hive_get_info(h)->replay_keys, 0);
        RH_CHECK_EQ(rh_hive_get_info(h)->replay_values, 1);
        check_text(h, "Types", "bin", "deadbeef02");
        v = find_value(h, "Types", "bin", 3);
        rh_value_get_info(h, v, &vi);
        RH_CHECK(vi.flags & RH_VALUE_FROM_REPLAY);
        for (n = 0; n < rh_hive_value_count(h); n++) {
            rh_value_get_info(h, n, &vi);
            flagged += (vi.flags & RH_VALUE_FROM_REPLAY) != 0;
        }
        RH_CHECK_EQ(flagged, 1);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Types", &k), RH_OK);
        rh_key_get_info(h, k, &ki);
        RH_CHECK(ki.flags & RH_KEY_CHANGED_BY_REPLAY);
        rh_hive_close(h);
    }
    /* rh_hive_open_mem borrowed the buffer and replayed on its own copy. */
    RH_CHECK(memcmp(hive, keep, len) == 0);
    remove(write_tmp(dir, "dirty", hive, 0));
    remove(write_tmp(dir, "dirty.LOG1", log, 0));
    rmdir(dir);
    rh_free(ctx, hive);
    rh_free(ctx, keep);
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
    test_max_hive_size(img, len);
    test_no_hbin(img);
    test_longer_file(img, len);
    test_replay_diff(img, len);
    rh_free(ctx, img);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_regf_hive");
}
