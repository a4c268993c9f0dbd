/*
 * Minimal test harness: RH_CHECK* print file:line on failure; rh_test_summary() prints
 * "N passed, N failed" and returns the exit code. Also a fail-the-Nth-allocation allocator.
 */
#ifndef RH_TEST_H
#define RH_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reghunt/reghunt.h"

static int rh_test_passed, rh_test_failed;

#define RH_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (cond) {                                                                                \
            rh_test_passed++;                                                                      \
        } else {                                                                                   \
            rh_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define RH_CHECK_EQ(a, b)                                                                          \
    do {                                                                                           \
        long long rh_a_ = (long long)(a), rh_b_ = (long long)(b);                                  \
        if (rh_a_ == rh_b_) {                                                                      \
            rh_test_passed++;                                                                      \
        } else {                                                                                   \
            rh_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    rh_a_, rh_b_);                                                                 \
        }                                                                                          \
    } while (0)

#define RH_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *rh_a_ = (a), *rh_b_ = (b);                                                     \
        if (rh_a_ && rh_b_ && strcmp(rh_a_, rh_b_) == 0) {                                         \
            rh_test_passed++;                                                                      \
        } else {                                                                                   \
            rh_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a,  \
                    #b, rh_a_ ? rh_a_ : "(null)", rh_b_ ? rh_b_ : "(null)");                       \
        }                                                                                          \
    } while (0)

static inline int rh_test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, rh_test_passed, rh_test_failed);
    return rh_test_failed ? 1 : 0;
}

/* Allocator that fails the Nth allocation (1-based; 0 = never). */
static long rh_test_alloc_count, rh_test_alloc_fail_at;

static void *rh_test_malloc(size_t n, void *u)
{
    (void)u;
    if (rh_test_alloc_fail_at && ++rh_test_alloc_count == rh_test_alloc_fail_at) {
        return NULL;
    }
    return malloc(n);
}

static void *rh_test_realloc(void *p, size_t n, void *u)
{
    (void)u;
    if (rh_test_alloc_fail_at && ++rh_test_alloc_count == rh_test_alloc_fail_at) {
        return NULL;
    }
    return realloc(p, n);
}

static void rh_test_free(void *p, void *u)
{
    (void)u;
    free(p);
}

static inline rh_allocator rh_test_allocator(void)
{
    rh_allocator a = {rh_test_malloc, rh_test_realloc, rh_test_free, NULL};
    return a;
}

static inline void rh_test_fail_alloc_at(long n)
{
    rh_test_alloc_count = 0;
    rh_test_alloc_fail_at = n;
}

/* Path to ../shared/data relative to the source tree, or NULL (then corpus tests skip). */
static inline const char *rh_test_shared_data(void)
{
    static char path[4096];
    const char *env = getenv("RH_SHARED_DATA");
    FILE *f;
    if (env && *env) {
        return env;
    }
    snprintf(path, sizeof(path), "%s/../shared/data", RH_SOURCE_DIR);
    f = fopen(path, "r");
    if (!f) {
        return NULL;
    }
    fclose(f);
    return path;
}

#define RH_SKIP_CODE 77

/* Read a whole file with stdio (tests only). Returns 0 on success; *out from malloc. */
static inline int rh_read_file_for_test(rh_ctx *ctx, const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    (void)ctx;
    if (!f) {
        return -1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc(n > 0 ? (size_t)n : 1);
    if (!*out || (n > 0 && fread(*out, 1, (size_t)n, f) != (size_t)n)) {
        fclose(f);
        free(*out);
        return -1;
    }
    fclose(f);
    *len = (size_t)n;
    return 0;
}

/* Read a text file (a doc) into buf[cap], NUL-terminated. Returns 1, or 0 (with a failed
 * check) when it cannot be opened. */
static inline int rh_test_read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;
    RH_CHECK(f != NULL);
    if (!f) {
        return 0;
    }
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return 1;
}

#endif
