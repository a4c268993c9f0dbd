/*
 * Unit tests for src/common's string map (strmap.h) and block arena (arena.h): lookups,
 * growth, borrowed and copied keys, case-insensitive keys, the entry cap, iteration order,
 * arena alignment, big requests, limits and resets, and a failed allocation at every point.
 */
#include "rh_test.h"

#include "common/common.h"

/* A hash that sends every key to the same slot: probing and collisions. */
static uint32_t hash_zero(const char *s, size_t n)
{
    (void)s;
    (void)n;
    return 0;
}

static void test_map_basic(rh_ctx *ctx)
{
    struct rh_strmap m;
    struct rh_strmap_entry *e;
    bool added = false;
    size_t i;
    int all = 1;
    rh_strmap_init(&m, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 4, 100000);
    RH_CHECK(rh_strmap_find(&m, "a", 1) == NULL);
    for (i = 0; i < 5000; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "key%zu", i);
        all &= rh_strmap_put(&m, k, (size_t)n, &e, &added) == RH_OK && added && e->val == 0;
        e->val = i + 1;
    }
    RH_CHECK(all);
    RH_CHECK_EQ(m.n, 5000);
    RH_CHECK(m.cap >= 10000 && (m.cap & (m.cap - 1)) == 0);
    for (i = 0; i < 5000; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "key%zu", i);
        e = rh_strmap_find(&m, k, (size_t)n);
        all &= e && e->val == i + 1 && strcmp(e->key, k) == 0 && e->len == (uint32_t)n;
    }
    RH_CHECK(all);
    /* an existing key: same entry, not added */
    RH_CHECK_EQ(rh_strmap_put(&m, "key7", 4, &e, &added), RH_OK);
    RH_CHECK(!added && e->val == 8);
    /* a prefix or a longer key is another key; embedded NUL bytes count */
    RH_CHECK(rh_strmap_find(&m, "key", 3) == NULL);
    RH_CHECK(rh_strmap_find(&m, "key70000", 8) == NULL);
    RH_CHECK_EQ(rh_strmap_put(&m, "a\0b", 3, &e, &added), RH_OK);
    RH_CHECK(added && e->len == 3 && memcmp(e->key, "a\0b", 4) == 0);
    RH_CHECK(rh_strmap_find(&m, "a", 1) == NULL);
    RH_CHECK(rh_strmap_find(&m, "a\0b", 3) != NULL);
    /* the empty key, also as NULL */
    RH_CHECK_EQ(rh_strmap_put(&m, "", 0, &e, &added), RH_OK);
    RH_CHECK(added && e->key && e->key[0] == '\0');
    RH_CHECK(rh_strmap_find(&m, NULL, 0) == e);
    RH_CHECK(rh_strmap_bytes(&m) >= m.cap * sizeof(*m.slots));
    rh_strmap_free(&m);
    RH_CHECK_EQ(m.n, 0);
    /* usable again after free */
    RH_CHECK_EQ(rh_strmap_put(&m, "x", 1, &e, &added), RH_OK);
    RH_CHECK(added);
    rh_strmap_free(&m);
}

static void test_map_borrowed_collide(rh_ctx *ctx)
{
    static const char *const keys[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};
    struct rh_strmap m;
    struct rh_strmap_entry *e;
    size_t i, pos = 0, seen = 0;
    int all = 1;
    rh_strmap_init(&m, ctx, hash_zero, 0, 2, 64);
    for (i = 0; i < 6; i++) {
        all &= rh_strmap_put(&m, keys[i], strlen(keys[i]), &e, NULL) == RH_OK;
        e->val = i;
        all &= e->key == keys[i]; /* borrowed, not copied */
    }
    RH_CHECK(all);
    for (i = 0; i < 6; i++) {
        e = rh_strmap_find(&m, keys[i], strlen(keys[i]));
        all &= e && e->val == i;
    }
    RH_CHECK(all);
    RH_CHECK(rh_strmap_find(&m, "eta", 3) == NULL);
    /* every key hashes to slot 0: linear probing keeps insertion order in the slots */
    while (rh_strmap_next(&m, &pos, &e)) {
        all &= e->val == seen;
        seen++;
    }
    RH_CHECK(all);
    RH_CHECK_EQ(seen, 6);
    RH_CHECK(!rh_strmap_next(&m, &pos, &e));
    rh_strmap_free(&m);
}

static void test_map_icase(rh_ctx *ctx)
{
    struct rh_strmap m;
    struct rh_strmap_entry *e;
    bool added;
    rh_strmap_init(&m, ctx, rh_hash_fnv1a_ci, RH_STRMAP_COPY | RH_STRMAP_ICASE, 16, 16);
    RH_CHECK_EQ(rh_hash_fnv1a_ci("AbC", 3), rh_hash_fnv1a("abc", 3));
    RH_CHECK_EQ(rh_strmap_put(&m, "{ABCDEF}", 8, &e, &added), RH_OK);
    RH_CHECK(added);
    e->val = 42;
    e = rh_strmap_find(&m, "{abcdef}", 8);
    RH_CHECK(e && e->val == 42 && strcmp(e->key, "{ABCDEF}") == 0);
    RH_CHECK_EQ(rh_strmap_put(&m, "{AbCdEf}", 8, &e, &added), RH_OK);
    RH_CHECK(!added && e->val == 42);
    /* ASCII only: bytes above 0x7F are not folded */
    RH_CHECK_EQ(rh_strmap_put(&m, "\xC3\x84", 2, &e, &added), RH_OK);
    RH_CHECK(added);
    RH_CHECK(rh_strmap_find(&m, "\xC3\xA4", 2) == NULL);
    rh_strmap_free(&m);
}

static void test_map_limit(rh_ctx *ctx)
{
    struct rh_strmap m;
    struct rh_strmap_entry *e;
    bool added;
    size_t i;
    int all = 1;
    rh_strmap_init(&m, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 2, 3);
    for (i = 0; i < 3; i++) {
        char k[2] = {(char)('a' + i), 0};
        all &= rh_strmap_put(&m, k, 1, &e, NULL) == RH_OK;
    }
    RH_CHECK(all);
    RH_CHECK_EQ(rh_strmap_put(&m, "d", 1, &e, &added), RH_ERR_LIMIT);
    RH_CHECK(e == NULL && !added && m.n == 3);
    /* existing keys are still found and put at the cap */
    RH_CHECK_EQ(rh_strmap_put(&m, "b", 1, &e, &added), RH_OK);
    RH_CHECK(e && !added);
    rh_strmap_free(&m);
    /* max 0: nothing fits, nothing is allocated */
    rh_strmap_init(&m, ctx, rh_hash_fnv1a, 0, 16, 0);
    RH_CHECK_EQ(rh_strmap_put(&m, "a", 1, &e, NULL), RH_ERR_LIMIT);
    RH_CHECK(m.slots == NULL);
    rh_strmap_free(&m);
}

/* Growth happens at the start of a put (also for a key already present) and a rehash walks
 * the old slots in order: the same puts give the same slot order. */
static void test_map_layout(rh_ctx *ctx)
{
    struct rh_strmap a, b;
    struct rh_strmap_entry *e, *f;
    size_t i, pa = 0, pb = 0;
    int all = 1;
    rh_strmap_init(&a, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 16, 1000);
    rh_strmap_init(&b, ctx, rh_hash_fnv1a, 0, 16, 1000);
    for (i = 0; i < 8; i++) {
        static const char *const k[] = {"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"};
        all &= rh_strmap_put(&a, k[i], 2, &e, NULL) == RH_OK;
        all &= rh_strmap_put(&b, k[i], 2, &e, NULL) == RH_OK;
    }
    RH_CHECK(all);
    RH_CHECK_EQ(a.cap, 16);
    /* 8 entries in 16 slots: the next put grows even for a present key, and the layout is
     * the one a new key would have given */
    RH_CHECK_EQ(rh_strmap_put(&a, "h1", 2, &e, NULL), RH_OK);
    RH_CHECK_EQ(a.cap, 32);
    RH_CHECK_EQ(rh_strmap_put(&a, "h9", 2, &e, NULL), RH_OK);
    RH_CHECK_EQ(rh_strmap_put(&b, "h9", 2, &e, NULL), RH_OK);
    RH_CHECK_EQ(b.cap, 32);
    while (rh_strmap_next(&a, &pa, &e)) {
        all &= rh_strmap_next(&b, &pb, &f) && strcmp(e->key, f->key) == 0 &&
               e - a.slots == f - b.slots;
    }
    RH_CHECK(all);
    RH_CHECK(!rh_strmap_next(&b, &pb, &f));
    rh_strmap_free(&a);
    rh_strmap_free(&b);
}

/* Fail the n-th allocation for every n: each put either succeeds or reports RH_ERR_NOMEM and
 * leaves the map consistent (all keys put before are still found). */
static void test_map_nomem(void)
{
    rh_allocator al = rh_test_allocator();
    long n;
    int bad = 0, failures = 0;
    for (n = 1; n < 200; n++) {
        rh_ctx *ctx = NULL;
        struct rh_strmap m;
        size_t i, ok = 0;
        if (rh_ctx_create(&al, &ctx) != RH_OK) {
            bad++;
            break;
        }
        rh_test_fail_alloc_at(n);
        rh_strmap_init(&m, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 2, 1000);
        for (i = 0; i < 300; i++) {
            char k[32];
            struct rh_strmap_entry *e;
            int len = snprintf(k, sizeof(k), "some longer key number %zu", i);
            rh_status st = rh_strmap_put(&m, k, (size_t)len, &e, NULL);
            if (st == RH_OK) {
                e->val = i + 1;
                ok++;
            } else if (st == RH_ERR_NOMEM) {
                failures++;
                bad += e != NULL;
            } else {
                bad++;
            }
        }
        for (i = 0; i < 300; i++) {
            char k[32];
            int len = snprintf(k, sizeof(k), "some longer key number %zu", i);
            const struct rh_strmap_entry *e = rh_strmap_find(&m, k, (size_t)len);
            bad += e && e->val != i + 1;
            ok -= e != NULL;
        }
        bad += ok != 0;
        rh_test_fail_alloc_at(0);
        rh_strmap_free(&m);
        rh_ctx_destroy(ctx);
        if (rh_test_alloc_count < n) {
            break; /* fewer allocations than n: no later n injects a failure either */
        }
    }
    RH_CHECK_EQ(bad, 0);
    RH_CHECK(failures > 0);
}

static void test_arena_basic(rh_ctx *ctx)
{
    struct rh_arena a;
    unsigned char *p, *q, *big;
    char *s, *t;
    size_t i;
    int all = 1;
    rh_arena_init(&a, ctx, 1024, 0);
    RH_CHECK_EQ(a.block_size, 1024);
    p = rh_arena_alloc(&a, 3);
    s = rh_arena_strndup(&a, "hello", 5);
    q = rh_arena_alloc(&a, 8);
    RH_CHECK(p && s && q);
    RH_CHECK_EQ((uintptr_t)p % RH_ARENA_ALIGN, 0);
    RH_CHECK_EQ((uintptr_t)q % RH_ARENA_ALIGN, 0);
    RH_CHECK_STR(s, "hello");
    /* strings are packed: a string right after the 8 bytes of q, the next right after it */
    t = rh_arena_strndup(&a, "ab", 2);
    RH_CHECK(t == (char *)q + 8);
    RH_CHECK(rh_arena_strndup(&a, "c", 1) == t + 3);
    RH_CHECK_STR(rh_arena_strdup(&a, "x"), "x");
    RH_CHECK_STR(rh_arena_strndup(&a, NULL, 0), "");
    /* zeroed allocations */
    p = rh_arena_zalloc(&a, 100);
    for (i = 0; i < 100; i++) {
        all &= p[i] == 0;
    }
    RH_CHECK(all);
    RH_CHECK(rh_arena_array(&a, SIZE_MAX / 2, 4) == NULL);
    q = rh_arena_array(&a, 10, sizeof(uint64_t));
    RH_CHECK(q && ((uint64_t *)q)[9] == 0);
    /* a request over a quarter block gets its own block; the current one keeps filling */
    p = rh_arena_alloc(&a, 8);
    big = rh_arena_alloc(&a, 5000);
    q = rh_arena_alloc(&a, 8);
    RH_CHECK(p && big && q);
    RH_CHECK(q == p + RH_ARENA_ALIGN);
    memset(big, 0xAB, 5000);
    RH_CHECK(a.total >= 1024 + 5000);
    /* reset keeps one block of block_size */
    rh_arena_reset(&a);
    RH_CHECK_EQ(a.total, 1024);
    RH_CHECK(a.head && a.head->used == 0 && a.head->next == NULL);
    RH_CHECK(rh_arena_alloc(&a, 0) != NULL);
    rh_arena_free(&a);
    RH_CHECK_EQ(a.total, 0);
    RH_CHECK(a.head == NULL);
    rh_arena_free(&a);
}

static void test_arena_limit(rh_ctx *ctx)
{
    struct rh_arena a;
    size_t i;
    int got = 0;
    rh_arena_init(&a, ctx, 4096, 3 * 4096);
    for (i = 0; i < 100; i++) {
        got += rh_arena_alloc(&a, 1000) != NULL;
    }
    RH_CHECK_EQ(got, 12); /* 4 per block, 3 blocks */
    RH_CHECK(a.total <= a.limit);
    RH_CHECK(rh_arena_alloc(&a, 20000) == NULL);
    RH_CHECK(rh_arena_alloc(&a, SIZE_MAX - 8) == NULL);
    RH_CHECK(rh_arena_strndup(&a, "x", SIZE_MAX) == NULL);
    rh_arena_reset(&a);
    RH_CHECK(rh_arena_alloc(&a, 1000) != NULL);
    rh_arena_free(&a);
}

static void test_arena_nomem(void)
{
    rh_allocator al = rh_test_allocator();
    long n;
    int bad = 0, failures = 0;
    for (n = 1; n < 100; n++) {
        rh_ctx *ctx = NULL;
        struct rh_arena a;
        size_t i;
        if (rh_ctx_create(&al, &ctx) != RH_OK) {
            bad++;
            break;
        }
        rh_test_fail_alloc_at(n);
        rh_arena_init(&a, ctx, 256, 0);
        for (i = 0; i < 50; i++) {
            char *p = i % 7 == 0 ? rh_arena_alloc(&a, 300) : rh_arena_strndup(&a, "0123456789", 10);
            if (!p) {
                failures++;
            } else if (i % 7 != 0) {
                bad += strcmp(p, "0123456789") != 0;
            } else {
                memset(p, 1, 300);
            }
        }
        rh_test_fail_alloc_at(0);
        rh_arena_free(&a);
        rh_ctx_destroy(ctx);
        if (rh_test_alloc_count < n) {
            break;
        }
    }
    RH_CHECK_EQ(bad, 0);
    RH_CHECK(failures > 0);
}

static void test_ascii_eq(void)
{
    RH_CHECK(rh_ascii_eq("LocalServer32", 13, "localserver32"));
    RH_CHECK(!rh_ascii_eq("LocalServer32", 12, "localserver32"));
    RH_CHECK(rh_ascii_eq("", 0, ""));
    RH_CHECK(rh_ascii_streq("Security", "SECURITY"));
    RH_CHECK(!rh_ascii_streq("Security", "Securit"));
    RH_CHECK(!rh_ascii_streq(NULL, "x"));
    RH_CHECK(!rh_ascii_streq("x", NULL));
}

int main(void)
{
    rh_ctx *ctx = NULL;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 1;
    }
    test_map_basic(ctx);
    test_map_borrowed_collide(ctx);
    test_map_icase(ctx);
    test_map_limit(ctx);
    test_map_layout(ctx);
    test_map_nomem();
    test_arena_basic(ctx);
    test_arena_limit(ctx);
    test_arena_nomem();
    test_ascii_eq();
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_common_strmap");
}
