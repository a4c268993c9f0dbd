/*
 * rh_hive_writer: the images it lays out open without a single anomaly (strict mode) and read
 * back exactly: names with NULs and non-ASCII units, sorted subkey lists from unsorted input,
 * inline, resident and big (db) data, timestamps; errors on bad handles.
 */
#include "rh_test.h"

static const uint16_t ROOT[] = {'R', 'O', 'O', 'T'};

static size_t u16(const char *s, uint16_t *out)
{
    size_t n = 0;
    while (*s) {
        out[n++] = (uint8_t)*s++;
    }
    return n;
}

int main(void)
{
    rh_ctx *ctx = NULL;
    rh_hive_writer *w = NULL;
    rh_hive *h = NULL;
    uint8_t *img = NULL, big[40000];
    size_t len = 0, i;
    rh_key run, sw, k, found;
    rh_value v;
    uint16_t name[64];
    const uint16_t hidden[] = {0, 'E', 'v', 'i', 'l'};
    const uint16_t accent[] = {'C', 0xE9, 0x4E2D};
    const char *order[] = {"zeta", "Alpha", "beta", "MIDDLE", "alpha2"};
    rh_buf b;
    const uint8_t *data;
    size_t dlen;

    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    rh_ctx_set_strict(ctx, 1);
    rh_buf_init(&b, ctx);
    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7);
    }
    RH_CHECK(rh_hive_writer_create(ctx, ROOT, 4, 133000000000000000ull, &w) == RH_OK);
    RH_CHECK(rh_hive_writer_key(w, 0, name, u16("Software", name), 133000000000000001ull, &sw) ==
             RH_OK);
    RH_CHECK(rh_hive_writer_key(w, sw, name, u16("Run", name), 133000000000000002ull, &run) ==
             RH_OK);
    for (i = 0; i < 5; i++) {
        RH_CHECK(rh_hive_writer_key(w, sw, name, u16(order[i], name), 1, &k) == RH_OK);
    }
    RH_CHECK(rh_hive_writer_key(w, sw, accent, 3, 1, &k) == RH_OK);
    RH_CHECK(rh_hive_writer_value(w, run, hidden, 5, 1, "c\0m\0d\0\0\0", 8) == RH_OK);
    RH_CHECK(rh_hive_writer_value(w, run, NULL, 0, 4, "\x01\x00\x00\x00", 4) == RH_OK);
    RH_CHECK(rh_hive_writer_value(w, run, name, u16("Big", name), 3, big, sizeof(big)) == RH_OK);
    RH_CHECK(rh_hive_writer_value(w, run, name, u16("Mid", name), 3, big, 100) == RH_OK);
    RH_CHECK(rh_hive_writer_key(w, 999, name, 1, 1, &k) == RH_ERR_ARG);
    RH_CHECK(rh_hive_writer_value(w, 999, name, 1, 1, NULL, 0) == RH_ERR_ARG);
    RH_CHECK(rh_hive_writer_finish(w, &img, &len) == RH_OK);
    rh_hive_writer_destroy(w);

    RH_CHECK(rh_hive_open_mem(ctx, "written", img, len, NULL, &h) == RH_OK);
    RH_CHECK_EQ(rh_ctx_anomaly_count(ctx), 0);
    RH_CHECK(rh_key_find(h, RH_KEY_NONE, "Software\\Run", &found) == RH_OK);
    if (h && rh_key_find(h, RH_KEY_NONE, "Software\\Run", &found) == RH_OK) {
        rh_key_info ki;
        RH_CHECK(rh_key_get_info(h, found, &ki) == RH_OK);
        RH_CHECK(ki.last_write == 133000000000000002ull);
        RH_CHECK_EQ(rh_key_value_count(h, found), 4);
        v = rh_key_value_at(h, found, 0);
        RH_CHECK(rh_value_name(h, v, &b) == RH_OK);
        RH_CHECK(b.len == 5 && memcmp(b.data, "\0Evil", 5) == 0);
        v = rh_key_value_at(h, found, 2);
        RH_CHECK(rh_value_data(h, v, &data, &dlen, &b) == RH_OK);
        RH_CHECK(dlen == sizeof(big) && memcmp(data, big, sizeof(big)) == 0);
        RH_CHECK(rh_key_value_find(h, found, "mid", 3, &v) == RH_OK);
        RH_CHECK(rh_key_value_find(h, found, "", 0, &v) == RH_OK);
    }
    RH_CHECK(rh_key_find(h, RH_KEY_NONE, "SOFTWARE\\ALPHA2", &found) == RH_OK);
    RH_CHECK(rh_key_find(h, RH_KEY_NONE, "Software\\c\xc3\xa9\xe4\xb8\xad", &found) == RH_OK);
    RH_CHECK_EQ(rh_hive_get_info(h)->keys, 9);
    RH_CHECK(rh_hive_get_info(h)->checksum_ok);
    rh_hive_close(h);
    rh_free(ctx, img);
    rh_buf_free(&b);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_regf_write");
}
