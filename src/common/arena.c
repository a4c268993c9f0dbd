/*
 * Block arena (arena.h): the slow path, resets and the zeroing/string helpers.
 */
#include "common.h"

void rh_arena_init(struct rh_arena *a, rh_ctx *ctx, size_t block_size, size_t limit)
{
    if (block_size < 4 * RH_ARENA_ALIGN) {
        block_size = 4 * RH_ARENA_ALIGN;
    }
    a->ctx = ctx;
    a->head = NULL;
    a->block_size = (block_size + RH_ARENA_ALIGN - 1) / RH_ARENA_ALIGN * RH_ARENA_ALIGN;
    a->total = 0;
    a->limit = limit;
}

void *rh_arena_grow(struct rh_arena *a, size_t n)
{
    struct rh_arena_block *b;
    size_t size = a->block_size, bytes;
    int own = n > a->block_size / 4;
    if (own) {
        if (!rh_add_sz(n, RH_ARENA_ALIGN - 1, &size)) {
            return NULL;
        }
        size = size / RH_ARENA_ALIGN * RH_ARENA_ALIGN;
    }
    if (a->limit && (size > a->limit || a->total > a->limit - size)) {
        return NULL;
    }
    if (!rh_add_sz(size, RH_ARENA_HDR, &bytes)) {
        return NULL;
    }
    b = rh_malloc(a->ctx, bytes);
    if (!b) {
        return NULL;
    }
    a->total += size;
    b->size = size;
    b->used = n;
    if (own && a->head) {
        /* Behind the current block, which keeps taking the small requests. */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
    }
    return (unsigned char *)b + RH_ARENA_HDR;
}

void *rh_arena_zalloc(struct rh_arena *a, size_t n)
{
    void *p = rh_arena_alloc(a, n);
    if (p && n) {
        memset(p, 0, n);
    }
    return p;
}

void *rh_arena_array(struct rh_arena *a, size_t n, size_t size)
{
    size_t t;
    if (!rh_mul_sz(n, size, &t)) {
        return NULL;
    }
    return rh_arena_zalloc(a, t);
}

char *rh_arena_strndup(struct rh_arena *a, const char *s, size_t n)
{
    char *p;
    if (n == SIZE_MAX) {
        return NULL;
    }
    p = rh_arena_take(a, n + 1, 1);
    if (p) {
        if (n) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

char *rh_arena_strdup(struct rh_arena *a, const char *s)
{
    return rh_arena_strndup(a, s, strlen(s));
}

void rh_arena_reset(struct rh_arena *a)
{
    struct rh_arena_block *b = a->head, *keep = NULL;
    while (b) {
        struct rh_arena_block *next = b->next;
        if (!keep && b->size == a->block_size) {
            keep = b;
        } else {
            a->total -= b->size;
            rh_free(a->ctx, b);
        }
        b = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
}

void rh_arena_free(struct rh_arena *a)
{
    struct rh_arena_block *b = a->head;
    while (b) {
        struct rh_arena_block *next = b->next;
        rh_free(a->ctx, b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
