/*
 * Corpus tier for on-demand hive reads (src/regf/regf_page.c, issue 11): every real hive of
 * ../shared/data/hives, and byte-flipped and truncated copies of them, read through a tiny
 * cache (64 KiB: 4 chunks, so nearly every cell is evicted and read again) must give exactly
 * what the hive read whole gives: every key (name, times, flags, counts, class, owner), every
 * value (info, name, data), the hive info and the anomalies reported. With and without
 * transaction logs: replay of an on-demand hive writes an overlay of the pages it changes and
 * the replay diff reads the file through a second pager, so the replay counts, the log status
 * and every key's and value's from-replay flags must match too.
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rh_test.h"

static rh_ctx *whole, *paged;
static unsigned long anomalies[2];
static int ondemand_opens, ondemand_replays, compared;

static void on_diag(const rh_diag *d, void *u)
{
    if (d->level == RH_DIAG_ANOMALY) {
        (*(unsigned long *)u)++;
    }
}

/* Append "label a c" (label may hold a newline or be empty). */
static void put(rh_buf *b, const char *label, unsigned long long a, unsigned long long c)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%s %llu %llu", label, a, c);
    rh_buf_append(b, line, (size_t)n);
}

/* Everything the public API tells about the hive, in key-table order. */
static void dump(rh_hive *h, rh_buf *out)
{
    const rh_hive_info *hi = rh_hive_get_info(h);
    rh_buf s = RH_BUF_INIT(whole), t = RH_BUF_INIT(whole);
    uint32_t k, i;
    put(out, "info\n", hi->keys, hi->values);
    put(out, "del\n", hi->deleted_keys, hi->deleted_values);
    put(out, "cells\n", hi->cells_allocated, hi->cells_free);
    put(out, "unref root\n", hi->cells_unreferenced, rh_hive_root(h));
    put(out, "hbins\n", hi->hbins_size_effective, hi->truncated);
    put(out, "logs\n", hi->logs_applied, hi->replay_keys);
    put(out, "replayed\n", hi->replay_values, 0);
    rh_buf_puts(out, hi->log_status ? hi->log_status : "");
    for (k = 0; k < rh_hive_key_count(h); k++) {
        rh_key_info ki;
        if (rh_key_get_info(h, k, &ki) != RH_OK) {
            continue;
        }
        rh_buf_append(out, ki.name, ki.name_len);
        put(out, "", ki.last_write, ki.parent);
        put(out, "", ki.subkeys, ki.values);
        put(out, "\n", ki.flags, ki.nk_flags);
        rh_buf_reset(&t);
        if (rh_key_class(h, k, &t) == RH_OK) {
            rh_buf_append(out, t.data, t.len);
        }
        rh_buf_reset(&t);
        if (rh_key_owner_sid(h, k, &t) == RH_OK) {
            rh_buf_append(out, t.data, t.len);
        }
        for (i = 0; i < rh_key_value_count(h, k); i++) {
            rh_value v = rh_key_value_at(h, k, i);
            rh_value_info vi;
            const uint8_t *d;
            size_t dl;
            rh_status st;
            rh_value_get_info(h, v, &vi);
            put(out, "\n v", vi.type, vi.data_size);
            put(out, " ", vi.flags, vi.cell);
            rh_buf_reset(&t);
            rh_value_name(h, v, &t);
            rh_buf_append(out, t.data, t.len);
            st = rh_value_data(h, v, &d, &dl, &s);
            put(out, ":", (unsigned long long)st, dl);
            rh_buf_append(out, d, dl);
        }
        rh_buf_append(out, "\n", 1);
    }
    for (i = 0; i < rh_hive_orphan_value_count(h); i++) {
        put(out, "orphan\n", rh_hive_orphan_value_at(h, i), 0);
    }
    rh_buf_free(&s);
    rh_buf_free(&t);
}

/* Open `path` whole and on demand, dump both and compare. Returns 1 if compared. */
static int compare(const char *path, unsigned flags)
{
    rh_hive_opts o = {flags, NULL, NULL, NULL};
    rh_hive *a = NULL, *b = NULL;
    rh_status sa, sb;
    rh_buf da = RH_BUF_INIT(whole), db = RH_BUF_INIT(whole);
    int ok;
    anomalies[0] = anomalies[1] = 0;
    sa = rh_hive_open(whole, path, &o, &a);
    sb = rh_hive_open(paged, path, &o, &b);
    RH_CHECK_EQ(sa, sb);
    if (a && b) {
        ondemand_opens += rh_hive_get_info(b)->on_demand != 0;
        ondemand_replays +=
            rh_hive_get_info(b)->on_demand != 0 && rh_hive_get_info(b)->logs_applied > 0;
        dump(a, &da);
        dump(b, &db);
        ok = da.len == db.len && (da.len == 0 || memcmp(da.data, db.data, da.len) == 0);
        RH_CHECK(ok);
        if (!ok) {
            fprintf(stderr, "on-demand read differs: %s (flags %u)\n", path, flags);
        }
        RH_CHECK_EQ(anomalies[0], anomalies[1]);
        compared++;
    }
    rh_hive_close(a);
    rh_hive_close(b);
    rh_buf_free(&da);
    rh_buf_free(&db);
    return a != NULL;
}

static bool is_primary_hive(const char *path, off_t *size)
{
    unsigned char m[32];
    struct stat sb;
    FILE *f;
    size_t n;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 8192) {
        return false;
    }
    f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    n = fread(m, 1, sizeof(m), f);
    fclose(f);
    *size = sb.st_size;
    return n == sizeof(m) && memcmp(m, "regf", 4) == 0 && m[28] == 0;
}

/* Copies of a real hive with bytes flipped or cut, written to a temporary file. */
static void mutate(const char *path, off_t size, unsigned *seed, int rounds)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc((size_t)size), *copy = malloc((size_t)size);
    char tmp[] = "/tmp/rh_pageXXXXXX";
    int fd = mkstemp(tmp), r;
    if (!f || !buf || !copy || fd < 0 || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        RH_CHECK(0);
        goto out;
    }
    for (r = 0; r < rounds; r++) {
        size_t len = (size_t)size, i, flips = 1 + rand_r(seed) % 16;
        memcpy(copy, buf, len);
        for (i = 0; i < flips; i++) {
            copy[4096 + (size_t)rand_r(seed) % (len - 4096)] = (unsigned char)rand_r(seed);
        }
        if (r % 4 == 3) {
            len = 4096 + (size_t)rand_r(seed) % (len - 4096);
        }
        if (ftruncate(fd, 0) != 0 || pwrite(fd, copy, len, 0) != (ssize_t)len) {
            RH_CHECK(0);
            break;
        }
        compare(tmp, RH_HIVE_NO_LOGS);
    }
out:
    if (f) {
        fclose(f);
    }
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(buf);
    free(copy);
}

static void walk(const char *dir, unsigned *seed, int *hives)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char path[8192];
        off_t size;
        struct stat sb;
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            walk(path, seed, hives);
            continue;
        }
        if (!is_primary_hive(path, &size)) {
            continue;
        }
        (*hives)++;
        compare(path, RH_HIVE_NO_LOGS);
        compare(path, 0);
        if (size > 65536 + 4096 && size < (16 << 20)) {
            mutate(path, size, seed, 12);
        }
    }
    closedir(d);
}

int main(void)
{
    const char *d = rh_test_shared_data();
    char dir[8192];
    rh_limits lim;
    unsigned seed = 11;
    int hives = 0;
    if (!d) {
        printf("corpus_regf_page: SKIPPED: ../shared/data not found (set RH_SHARED_DATA)\n");
        return RH_SKIP_CODE;
    }
    rh_ctx_create(NULL, &whole);
    rh_ctx_create(NULL, &paged);
    rh_ctx_set_diag(whole, on_diag, &anomalies[0]);
    rh_ctx_set_diag(paged, on_diag, &anomalies[1]);
    rh_limits_default(&lim);
    lim.hive_cache_size = 64 << 10;
    rh_ctx_set_limits(paged, &lim);
    snprintf(dir, sizeof(dir), "%s/hives", d);
    walk(dir, &seed, &hives);
    printf("%d hives, %d comparisons, %d opened on demand, %d of them with logs replayed\n", hives,
           compared, ondemand_opens, ondemand_replays);
    RH_CHECK(hives >= 20);
    RH_CHECK(ondemand_opens > hives);
    RH_CHECK(ondemand_replays >= 3); /* the corpus's dirty hives with logs (yarp, regipy) */
    rh_ctx_destroy(whole);
    rh_ctx_destroy(paged);
    return rh_test_summary("corpus_regf_page");
}
