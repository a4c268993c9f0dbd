/*
 * Corpus tier for the REGF reader on ../shared/data/hives:
 *  - key/value counts of the regipy hives equal oracle/hive-counts.tsv (hivex, libregf,
 *    reglookup and Parse::Win32Registry agree on them);
 *  - transaction-log replay reproduces docs' spec-faithful results (reference §2.7);
 *  - yarp's edge-case hives give the results yarp's own tests assert (reference §2);
 *  - at least 10,000 mutated or truncated copies of real hives open or fail cleanly.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "rh_test.h"

static rh_ctx *ctx;
static char data[4096];
static unsigned anomalies_seen;

static void on_diag(const rh_diag *d, void *u)
{
    (void)u;
    if (d->level == RH_DIAG_ANOMALY) {
        anomalies_seen++;
    }
}

static rh_hive *open_hive(const char *rel, unsigned flags)
{
    char path[8192];
    rh_hive *h = NULL;
    rh_hive_opts o = {flags, NULL, NULL, NULL};
    rh_status st;
    snprintf(path, sizeof(path), "%s/%s", data, rel);
    anomalies_seen = 0;
    st = rh_hive_open(ctx, path, &o, &h);
    if (st != RH_OK) {
        fprintf(stderr, "open %s: %s\n", rel, rh_strerror(st));
    }
    return h;
}

static void test_counts(void)
{
    char path[8192], line[512];
    FILE *f;
    int rows = 0;
    snprintf(path, sizeof(path), "%s/oracle/hive-counts.tsv", data);
    f = fopen(path, "r");
    RH_CHECK(f != NULL);
    if (!f) {
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char name[256], rel[300];
        unsigned keys, values;
        rh_hive *h;
        if (sscanf(line, "%255s %u %u", name, &keys, &values) != 3) {
            continue; /* header */
        }
        snprintf(rel, sizeof(rel), "hives/regipy/%s", name);
        h = open_hive(rel, RH_HIVE_NO_LOGS);
        RH_CHECK(h != NULL);
        if (h) {
            RH_CHECK_EQ(rh_hive_get_info(h)->keys, keys);
            RH_CHECK_EQ(rh_hive_get_info(h)->values, values);
            rh_hive_close(h);
        }
        rows++;
    }
    fclose(f);
    RH_CHECK_EQ(rows, 7);
}

struct replay_case {
    const char *hive;
    unsigned logs, entries, pages, seq, keys_before, keys_after, values_before, values_after;
};

static void test_replay(void)
{
    static const struct replay_case cases[] = {
        {"hives/regipy/SYSTEM_B", 2, 24, 315, 2130, 33123, 35595, 74957, 78901},
        {"hives/regipy/UsrClass.dat", 2, 14, 158, 300, 6205, 6238, 12369, 12531},
        {"hives/regipy/transactions_NTUSER.DAT", 1, 23, 132, 588, 2590, 3105, 4119, 4695},
        {"hives/yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive", 2, 4, 4, 5, 5, 5, 2, 1},
        {"hives/yarp/hives_for_tests/NewDirtyHive2/NewDirtyHive", 1, 3, 3, 5, 5, 5, 2, 1},
        {"hives/yarp/hives_for_tests/OldDirtyHive/OldDirtyHive", 1, 0, 64, 5, 5003, 5003, 0, 1},
        {"hives/yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive", 1, 0, 64, 5, 0, 5003, 0,
         1},
        {"hives/yarp/hives_for_tests/BadLogHive1/BadLogHive", 0, 0, 0, 0, 5003, 5003, 0, 0},
        {"hives/yarp/hives_for_tests/BadLogHive2/BadLogHive", 0, 0, 0, 0, 5003, 5003, 0, 0},
        {"hives/yarp/hives_for_tests/BadLogHive3/BadLogHive", 0, 0, 0, 0, 5, 5, 2, 2},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct replay_case *c = &cases[i];
        rh_hive *h = open_hive(c->hive, 0), *before;
        const rh_hive_info *in;
        if (!h) {
            RH_CHECK(h != NULL);
            continue;
        }
        in = rh_hive_get_info(h);
        RH_CHECK_EQ(in->logs_applied, c->logs);
        RH_CHECK_EQ(in->log_entries_applied, c->entries);
        RH_CHECK_EQ(in->log_pages_applied, c->pages);
        if (c->logs) {
            RH_CHECK_EQ(in->seq_after_replay, c->seq);
        }
        RH_CHECK_EQ(in->keys, c->keys_after);
        RH_CHECK_EQ(in->values, c->values_after);
        if (c->keys_before) {
            before = open_hive(c->hive, RH_HIVE_NO_LOGS);
            RH_CHECK(before != NULL);
            if (before) {
                RH_CHECK_EQ(rh_hive_get_info(before)->keys, c->keys_before);
                RH_CHECK_EQ(rh_hive_get_info(before)->values, c->values_before);
                rh_hive_close(before);
            }
        }
        rh_hive_close(h);
    }
}

/* What exists only because of replay is flagged: NewDirtyHive1 gains Key3 and its subkeys. */
static void test_replay_flags(void)
{
    rh_hive *h = open_hive("hives/yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive", 0);
    rh_key k;
    rh_key_info ki;
    if (!h) {
        RH_CHECK(h != NULL);
        return;
    }
    RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Key3\\Key3_2", &k), RH_OK);
    rh_key_get_info(h, k, &ki);
    RH_CHECK(ki.flags & RH_KEY_FROM_REPLAY);
    RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Key1", &k), RH_NOT_FOUND);
    RH_CHECK_EQ(rh_hive_get_info(h)->replay_keys, 4);
    rh_hive_close(h);
}

/* The replayed image walks exactly like Windows 10's own recovery of the same hive. */
static void test_replay_equals_windows(void)
{
    rh_hive *a = open_hive("hives/yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive", 0);
    rh_hive *b = open_hive("hives/yarp/hives_for_tests/NewDirtyHive1/RecoveredHive_Windows10",
                           RH_HIVE_NO_LOGS);
    uint32_t i;
    if (!a || !b) {
        RH_CHECK(a && b);
        rh_hive_close(a);
        rh_hive_close(b);
        return;
    }
    RH_CHECK_EQ(rh_hive_key_count(a), rh_hive_key_count(b));
    for (i = 0; i < rh_hive_key_count(a) && i < rh_hive_key_count(b); i++) {
        rh_buf pa = RH_BUF_INIT(ctx), pb = RH_BUF_INIT(ctx);
        rh_key_info ka, kb;
        rh_key_path(a, i, &pa);
        rh_key_path(b, i, &pb);
        RH_CHECK_STR(pa.data, pb.data);
        rh_key_get_info(a, i, &ka);
        rh_key_get_info(b, i, &kb);
        RH_CHECK_EQ(ka.last_write, kb.last_write);
        RH_CHECK_EQ(ka.values, kb.values);
        rh_buf_free(&pa);
        rh_buf_free(&pb);
    }
    rh_hive_close(a);
    rh_hive_close(b);
}

static uint32_t child_count(rh_hive *h, const char *path)
{
    rh_key k;
    rh_key_info ki;
    if (rh_key_find(h, RH_KEY_NONE, path, &k) != RH_OK) {
        return 0xFFFFFFFFu;
    }
    rh_key_get_info(h, k, &ki);
    return ki.subkeys;
}

static void test_yarp(void)
{
    const char *Y = "hives/yarp/hives_for_tests/";
    char rel[512];
    rh_hive *h;
    rh_key k;
    rh_buf b = RH_BUF_INIT(ctx);
    rh_value v;
    rh_value_info vi;

#define OPEN(name, flags) (snprintf(rel, sizeof(rel), "%s%s", Y, name), open_hive(rel, flags))
    h = OPEN("EmptyHive", 0);
    if (h) {
        RH_CHECK_EQ(child_count(h, ""), 0);
        RH_CHECK_EQ(rh_key_owner_sid(h, rh_hive_root(h), &b), RH_OK);
        RH_CHECK_STR(b.data, "S-1-5-32-544");
        rh_buf_reset(&b);
        rh_filetime_to_iso(&b, rh_hive_get_info(h)->last_written);
        RH_CHECK(strncmp(b.data, "2017-03-04T16:37:31", 19) == 0);
        rh_hive_close(h);
    }
    h = OPEN("BigDataHive", 0);
    if (h) {
        const uint8_t *d;
        size_t dl;
        rh_buf s = RH_BUF_INIT(ctx);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "key_with_bigdata", &k), RH_OK);
        RH_CHECK_EQ(rh_key_value_count(h, k), 2);
        RH_CHECK_EQ(rh_key_value_find(h, k, "", 0, &v), RH_OK);
        RH_CHECK_EQ(rh_value_data(h, v, &d, &dl, &s), RH_OK);
        RH_CHECK_EQ(dl, 16345);
        RH_CHECK(dl == 16345 && d[0] == '1' && d[16343] == '1');
        RH_CHECK_EQ(rh_key_value_find(h, k, "v", 1, &v), RH_OK);
        RH_CHECK_EQ(rh_value_data(h, v, &d, &dl, &s), RH_OK);
        RH_CHECK_EQ(dl, 81725);
        rh_value_get_info(h, v, &vi);
        RH_CHECK(vi.flags & RH_VALUE_BIG_DATA);
        rh_buf_free(&s);
        RH_CHECK_EQ(rh_hive_get_info(h)->cells_unreferenced, 0);
        rh_hive_close(h);
    }
    h = OPEN("ManySubkeysHive", 0);
    if (h) {
        RH_CHECK_EQ(child_count(h, "key_with_many_subkeys"), 5000);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "key_with_MAny_subkeys\\2119\\find_me", &k), RH_OK);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "key_with_many_subkeys\\5001", &k), RH_NOT_FOUND);
        RH_CHECK_EQ(anomalies_seen, 0);
        rh_hive_close(h);
    }
    h = OPEN("UnicodeHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "ПриВет\\КлюЧ", &k), RH_OK);
        rh_hive_close(h);
    }
    h = OPEN("ExtendedASCIIHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "ëigenaardig", &k), RH_OK);
        rh_hive_close(h);
    }
    h = OPEN("BogusKeyNamesHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_key_child(h, rh_hive_root(h), "testnew\r\nne", 11, &k), RH_OK);
        RH_CHECK_EQ(rh_key_child(h, rh_hive_root(h), "testnu\0l", 8, &k), RH_OK);
        RH_CHECK_EQ(rh_key_child(h, rh_hive_root(h), "testnu", 6, &k), RH_NOT_FOUND);
        rh_hive_close(h);
    }
    h = OPEN("TruncatedPairHive", 0);
    if (h) {
        RH_CHECK_EQ(child_count(h, ""), 3);
        RH_CHECK_EQ(rh_key_child(h, rh_hive_root(h), "\xEF\xBF\xBD", 3, &k), RH_OK);
        rh_hive_close(h);
    }
    h = OPEN("TruncatedPairHive2", 0);
    if (h) {
        RH_CHECK_EQ(child_count(h, ""), 5);
        rh_hive_close(h);
    }
    h = OPEN("PairHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_key_child(h, rh_hive_root(h), "\xF0\x90\x90\x80", 4, &k), RH_OK);
        rh_hive_close(h);
    }
    h = OPEN("MultiSzHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "key", &k), RH_OK);
        RH_CHECK_EQ(rh_key_value_find(h, k, "", 0, &v), RH_NOT_FOUND);
        rh_hive_close(h);
    }
    h = OPEN("TwoOwnersHive", 0);
    if (h) {
        rh_buf_reset(&b);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "Новый раздел #2", &k), RH_OK);
        rh_key_owner_sid(h, k, &b);
        RH_CHECK_STR(b.data, "S-1-5-21-3115585512-2168299736-1589779262-1003");
        rh_hive_close(h);
    }
    h = OPEN("NewFlagsHive", 0);
    if (h) {
        rh_key_info ki;
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "1\\2", &k), RH_OK);
        rh_key_get_info(h, k, &ki);
        RH_CHECK_EQ(ki.user_flags, 1);
        rh_hive_close(h);
    }
    /* Structural corruption: reported as anomalies, the walk goes on. */
    {
        static const char *const bad[] = {"DuplicateSubkeysHive", "WrongOrderHive",
                                          "InvalidParentHive", "BadListHive", "BadSubkeyHive"};
        size_t i;
        for (i = 0; i < 5; i++) {
            h = OPEN(bad[i], 0);
            RH_CHECK(h != NULL);
            RH_CHECK(anomalies_seen > 0);
            rh_hive_close(h);
            rh_ctx_set_strict(ctx, 1);
            h = OPEN(bad[i], 0);
            RH_CHECK(h == NULL);
            rh_ctx_set_strict(ctx, 0);
        }
    }
    h = OPEN("GarbageHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_hive_get_info(h)->hbins_size_effective, 4096);
        rh_hive_close(h);
    }
    h = OPEN("EffectiveSizeHive", 0);
    if (h) {
        RH_CHECK_EQ(rh_hive_get_info(h)->hbins_size_effective, 487424);
        RH_CHECK_EQ(rh_hive_get_info(h)->keys, 5003);
        rh_hive_close(h);
    }
    h = OPEN("TruncatedDirtyHive", 0);
    if (h) {
        RH_CHECK(rh_hive_get_info(h)->truncated ||
                 rh_hive_get_info(h)->hbins_size_effective < rh_hive_get_info(h)->hbins_size);
        RH_CHECK_EQ(child_count(h, ""), 1);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "key_with_many_subkeys", &k), RH_OK);
        rh_hive_close(h);
    }
    h = OPEN("HealedHive", RH_HIVE_DELETED);
    if (h) {
        RH_CHECK_EQ(rh_hive_get_info(h)->cells_unreferenced, 5);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "cccc", &k), RH_OK);
        RH_CHECK_EQ(rh_key_value_find(h, k, "123", 3, &v), RH_OK);
        rh_value_get_info(h, v, &vi);
        RH_CHECK(vi.flags & RH_VALUE_DELETED);
        rh_hive_close(h);
    }
    h = OPEN("DeletedDataHive", RH_HIVE_DELETED);
    if (h) {
        RH_CHECK_EQ(rh_hive_get_info(h)->deleted_keys, 1);
        RH_CHECK_EQ(rh_hive_get_info(h)->deleted_values, 2);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "456", &k), RH_OK);
        RH_CHECK_EQ(rh_key_value_find(h, k, "v", 1, &v), RH_OK);
        rh_hive_close(h);
    }
    {
        static const char *const trees[] = {"DeletedTreeHive", "DeletedTreeNoRootFlagHive",
                                            "DeletedTreePartialPathHive"};
        size_t i;
        for (i = 0; i < 3; i++) {
            h = OPEN(trees[i], RH_HIVE_DELETED);
            if (h) {
                rh_key_info ki;
                RH_CHECK_EQ(rh_hive_get_info(h)->deleted_keys, 4);
                rh_buf_reset(&b);
                RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, i < 2 ? "1\\2\\3\\4\\5" : "3\\4\\5", &k),
                            i < 2 ? RH_OK : RH_NOT_FOUND);
                if (i < 2) {
                    rh_key_get_info(h, k, &ki);
                    RH_CHECK(ki.flags & RH_KEY_DELETED);
                }
                rh_hive_close(h);
            }
        }
    }
    h = OPEN("RemnantsHive", RH_HIVE_DELETED);
    if (h) {
        const uint8_t *d;
        size_t dl;
        rh_buf s = RH_BUF_INIT(ctx);
        RH_CHECK_EQ(rh_hive_get_info(h)->deleted_values, 1);
        RH_CHECK_EQ(rh_hive_orphan_value_count(h), 1);
        v = rh_hive_orphan_value_at(h, 0);
        rh_value_get_info(h, v, &vi);
        RH_CHECK_EQ(vi.type, 4);
        RH_CHECK_EQ(rh_value_data(h, v, &d, &dl, &s), RH_OK);
        RH_CHECK(dl == 4 && d[0] == 1);
        rh_buf_free(&s);
        rh_hive_close(h);
    }
    h = OPEN("ReallocValueDataHive", RH_HIVE_DELETED);
    if (h) {
        /* Deleted key 2 keeps its default value, whose data cell was reused: no data. */
        const uint8_t *d;
        size_t dl;
        rh_buf s = RH_BUF_INIT(ctx);
        RH_CHECK_EQ(rh_hive_get_info(h)->deleted_keys, 1);
        RH_CHECK_EQ(rh_key_find(h, RH_KEY_NONE, "2", &k), RH_OK);
        RH_CHECK_EQ(rh_key_value_count(h, k), 1);
        RH_CHECK_EQ(rh_value_data(h, rh_key_value_at(h, k, 0), &d, &dl, &s), RH_ERR_CORRUPT);
        rh_buf_free(&s);
        rh_hive_close(h);
    }
#undef OPEN
    rh_buf_free(&b);
}

/* >= 10,000 mutated/truncated copies of real hives open or fail cleanly (run under ASan). */
static void test_mutations(void)
{
    static const char *const names[] = {"hives/regipy/NTUSER.DAT",
                                        "hives/regipy/SAM",
                                        "hives/regipy/SECURITY",
                                        "hives/regipy/BCD",
                                        "hives/yarp/hives_for_tests/BigDataHive",
                                        "hives/yarp/hives_for_tests/SqliteHive",
                                        "hives/yarp/hives_for_tests/DeletedTreeHive",
                                        "hives/yarp/hives_for_tests/HealedHive",
                                        "hives/yarp/hives_for_tests/UnicodeHive",
                                        "hives/yarp/hives_for_tests/System_Delta"};
    const int per_hive = 1000;
    uint32_t seed = 0xC0FFEE;
    int total = 0, opened = 0;
    size_t i;
    rh_ctx *quiet;
    rh_ctx_create(NULL, &quiet);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[8192];
        uint8_t *orig = NULL, *copy;
        size_t len = 0;
        int m;
        snprintf(path, sizeof(path), "%s/%s", data, names[i]);
        if (rh_read_file_for_test(quiet, path, &orig, &len) != 0) {
            RH_CHECK(0);
            continue;
        }
        copy = malloc(len);
        for (m = 0; m < per_hive; m++) {
            rh_hive *h = NULL;
            rh_hive_opts o = {RH_HIVE_DELETED, NULL, NULL, NULL};
            size_t n = len, j, flips;
            memcpy(copy, orig, len);
            seed = seed * 1664525u + 1013904223u;
            if (m % 4 == 0) {
                n = (seed >> 4) % len; /* truncation */
            } else {
                flips = 1 + (seed >> 28);
                for (j = 0; j < flips; j++) {
                    seed = seed * 1664525u + 1013904223u;
                    /* Bias towards the hive bins, where structure lives. */
                    copy[(seed >> 3) % len] = (uint8_t)(seed >> 24);
                }
            }
            if (rh_hive_open_mem(quiet, "mut", copy, n, &o, &h) == RH_OK) {
                rh_buf b = RH_BUF_INIT(quiet), s = RH_BUF_INIT(quiet);
                uint32_t k;
                for (k = 0; k < rh_hive_key_count(h); k++) {
                    rh_buf_reset(&b);
                    rh_key_path(h, k, &b);
                }
                for (k = 0; k < rh_hive_value_count(h); k++) {
                    const uint8_t *d;
                    size_t dl;
                    rh_buf_reset(&b);
                    rh_value_name(h, k, &b);
                    rh_value_data(h, k, &d, &dl, &s);
                }
                rh_buf_free(&b);
                rh_buf_free(&s);
                rh_hive_close(h);
                opened++;
            }
            total++;
        }
        free(copy);
        free(orig);
    }
    rh_ctx_destroy(quiet);
    printf("mutations: %d copies, %d opened, %d refused cleanly\n", total, opened, total - opened);
    RH_CHECK(total >= 10000);
    RH_CHECK(opened > total / 2);
}

int main(void)
{
    const char *d = rh_test_shared_data();
    if (!d) {
        printf("corpus_regf: SKIPPED: ../shared/data not found (set RH_SHARED_DATA)\n");
        return RH_SKIP_CODE;
    }
    snprintf(data, sizeof(data), "%s", d);
    rh_ctx_create(NULL, &ctx);
    rh_ctx_set_diag(ctx, on_diag, NULL);
    test_counts();
    test_replay();
    test_replay_flags();
    test_replay_equals_windows();
    test_yarp();
    test_mutations();
    rh_ctx_destroy(ctx);
    return rh_test_summary("corpus_regf");
}
