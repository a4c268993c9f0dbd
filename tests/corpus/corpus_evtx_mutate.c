/*
 * Corpus mutation test: at least 10,000 deterministic mutated and truncated in-memory copies
 * of the real samples (../shared/data/evtx) go through the full reader (XML, JSON, recovery;
 * every 50th with 2 threads). Passing means no crash, hang or leak (run under ASan/UBSan in
 * CI) and a status that is OK or a clean error.
 */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rh_test.h"

#define MUTATIONS 10000
#define MAX_FILES 512

static char *files[MAX_FILES];
static size_t nfiles;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char sub[4096];
        struct stat st;
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' ||
            snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
            stat(sub, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            find_files(sub);
        } else if (n > 5 && strcmp(e->d_name + n - 5, ".evtx") == 0 && nfiles < MAX_FILES) {
            files[nfiles] = malloc(strlen(sub) + 1);
            if (files[nfiles]) {
                memcpy(files[nfiles], sub, strlen(sub) + 1);
                nfiles++;
            }
        }
    }
    if (d) {
        closedir(d);
    }
}

static uint8_t *load(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    if (!f) {
        return NULL;
    }
    buf = malloc(max);
    *len = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    return buf;
}

static rh_status on_record(const rh_evtx_record *rec, void *user)
{
    rh_buf *b = user;
    rh_buf_reset(b);
    return rh_event_to_json(rec->event, b) == RH_ERR_NOMEM ? RH_ERR_NOMEM : RH_OK;
}

static void mutate(uint8_t *p, size_t *len)
{
    size_t used = *len, i, n;
    /* Aim at the used part of the first chunk: header, string/template tables, records. */
    if (used > 4096 + 512) {
        uint32_t free_off =
            p[4096 + 0x30] | (p[4096 + 0x31] << 8) | ((uint32_t)p[4096 + 0x32] << 16);
        size_t lim = 4096 + (free_off > 512 && free_off <= 65536 ? free_off : 65536);
        used = lim < used ? lim : used;
    }
    switch (rnd() % 7) {
    case 0: /* flip bytes */
        n = 1 + rnd() % 16;
        for (i = 0; i < n; i++) {
            p[rnd() % used] ^= (uint8_t)(1u << (rnd() % 8));
        }
        break;
    case 1: { /* interesting 32-bit values */
        static const uint32_t vals[] = {0,           1,           0x7F,    0x80,
                                        0xFF,        0xFFFF,      0x10000, 0x7FFFFFFF,
                                        0x80000000u, 0xFFFFFFFFu, 0x200,   0xFFF8};
        size_t off = rnd() % (used > 4 ? used - 4 : 1);
        uint32_t v = vals[rnd() % (sizeof(vals) / sizeof(vals[0]))];
        if (off + 4 <= *len) {
            p[off] = (uint8_t)v;
            p[off + 1] = (uint8_t)(v >> 8);
            p[off + 2] = (uint8_t)(v >> 16);
            p[off + 3] = (uint8_t)(v >> 24);
        }
        break;
    }
    case 2: /* truncate */
        *len = rnd() % (*len + 1);
        break;
    case 3: { /* copy a block over another */
        size_t a = rnd() % used, b = rnd() % used, m = 1 + rnd() % 256;
        if (a + m <= *len && b + m <= *len) {
            memmove(p + a, p + b, m);
        }
        break;
    }
    case 4: { /* zero a range */
        size_t a = rnd() % used, m = 1 + rnd() % 512;
        if (a + m > *len) {
            m = *len - a;
        }
        memset(p + a, 0, m);
        break;
    }
    case 5: /* random token bytes */
        n = 1 + rnd() % 8;
        for (i = 0; i < n; i++) {
            p[4096 + 512 + rnd() % (used > 4096 + 512 ? used - 4096 - 512 : 1) % *len] =
                (uint8_t)(rnd() % 0x50);
        }
        break;
    default: /* random bytes */
        n = 1 + rnd() % 32;
        for (i = 0; i < n; i++) {
            p[rnd() % used] = (uint8_t)rnd();
        }
        break;
    }
}

int main(void)
{
    const char *shared = rh_test_shared_data();
    char dir[4096];
    uint8_t *orig[MAX_FILES], *copy;
    size_t olen[MAX_FILES], i, ok = 0, errs = 0, records = 0;
    const size_t maxlen = 4096 + 2 * 65536;
    rh_ctx *ctx = NULL;
    rh_limits lim;
    if (!shared) {
        printf("corpus_evtx_mutate: skipped (../shared/data not found; set RH_SHARED_DATA)\n");
        return RH_SKIP_CODE;
    }
    if (snprintf(dir, sizeof(dir), "%s/evtx", shared) >= (int)sizeof(dir)) {
        return 1;
    }
    find_files(dir);
    if (!nfiles) {
        printf("corpus_evtx_mutate: skipped (no .evtx under %s)\n", dir);
        return RH_SKIP_CODE;
    }
    qsort(files, nfiles, sizeof(files[0]), cmp_str);
    for (i = 0; i < nfiles; i++) {
        orig[i] = load(files[i], maxlen, &olen[i]);
    }
    copy = malloc(maxlen);
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    rh_limits_default(&lim);
    lim.max_diags = 0;
    rh_ctx_set_limits(ctx, &lim);
    for (i = 0; i < MUTATIONS; i++) {
        size_t f = rnd() % nfiles, len = olen[f], k, rounds = 1 + rnd() % 3;
        rh_evtx *e = NULL;
        rh_status st;
        if (!orig[f] || !copy) {
            continue;
        }
        memcpy(copy, orig[f], len);
        for (k = 0; k < rounds; k++) {
            mutate(copy, &len);
        }
        st = rh_evtx_open_mem(ctx, files[f], copy, len, &e);
        if (st == RH_OK) {
            rh_evtx_read_opts ro = {RH_EVTX_XML | RH_EVTX_JSON | RH_EVTX_RECOVER,
                                    i % 50 == 0 ? 2u : 0u};
            rh_buf b;
            rh_buf_init(&b, ctx);
            st = rh_evtx_read(e, &ro, on_record, &b);
            records += rh_evtx_get_stats(e)->records;
            rh_buf_free(&b);
            rh_evtx_close(e);
            RH_CHECK_EQ(st, RH_OK);
            ok++;
        } else {
            RH_CHECK(st == RH_ERR_FORMAT || st == RH_ERR_IO);
            errs++;
        }
    }
    printf("corpus_evtx_mutate: %d copies of %zu samples: %zu read, %zu rejected, %zu records, "
           "%llu anomalies\n",
           MUTATIONS, nfiles, ok, errs, records, (unsigned long long)rh_ctx_anomaly_count(ctx));
    rh_ctx_destroy(ctx);
    free(copy);
    for (i = 0; i < nfiles; i++) {
        free(orig[i]);
        free(files[i]);
    }
    return rh_test_summary("corpus_evtx_mutate");
}
