/*
 * EVTX helpers: a block arena whose allocations never move, and a small u32 -> pointer map.
 */
#include <stdalign.h>
#include <stddef.h>

#include "evtx_internal.h"

#define ARENA_ALIGN (alignof(max_align_t))
#define ARENA_HDR   ((sizeof(struct evtx_arena_block) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)

void evtx_arena_init(struct evtx_arena *a, rh_ctx *ctx, size_t block_size, size_t limit)
{
    a->ctx = ctx;
    a->head = NULL;
    a->block_size = block_size;
    a->total = 0;
    a->limit = limit;
}

void *evtx_arena_alloc(struct evtx_arena *a, size_t n)
{
    struct evtx_arena_block *b = a->head;
    size_t need, bsz;
    if (!rh_add_sz(n, ARENA_ALIGN - 1, &need)) {
        return NULL;
    }
    need = need / ARENA_ALIGN * ARENA_ALIGN;
    if (need == 0) {
        need = ARENA_ALIGN;
    }
    if (b && b->size - b->used >= need) {
        void *p = (uint8_t *)b + ARENA_HDR + b->used;
        b->used += need;
        return p;
    }
    bsz = need > a->block_size ? need : a->block_size;
    if (a->limit && (bsz > a->limit || a->total > a->limit - bsz)) {
        return NULL;
    }
    if (!rh_add_sz(bsz, ARENA_HDR, &need)) {
        return NULL;
    }
    b = rh_malloc(a->ctx, need);
    if (!b) {
        return NULL;
    }
    a->total += bsz;
    b->size = bsz;
    b->used = 0;
    /* Keep the fuller block behind the new one so small allocations reuse the new block. */
    b->next = a->head;
    a->head = b;
    need = n == 0 ? ARENA_ALIGN : (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    b->used = need;
    return (uint8_t *)b + ARENA_HDR;
}

char *evtx_arena_strdup(struct evtx_arena *a, const char *s, size_t n)
{
    char *p = evtx_arena_alloc(a, n + 1);
    if (p) {
        if (n) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

void evtx_arena_reset(struct evtx_arena *a)
{
    struct evtx_arena_block *b = a->head, *keep = NULL;
    /* Keep the largest block of default size, free the others. */
    while (b) {
        struct evtx_arena_block *next = b->next;
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

void evtx_arena_free(struct evtx_arena *a)
{
    struct evtx_arena_block *b = a->head;
    while (b) {
        struct evtx_arena_block *next = b->next;
        rh_free(a->ctx, b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void evtx_map_init(struct evtx_map *m, rh_ctx *ctx)
{
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
}

static inline uint32_t map_hash(uint32_t k)
{
    k ^= k >> 16;
    k *= 0x7feb352du;
    k ^= k >> 15;
    return k;
}

void *evtx_map_get(const struct evtx_map *m, uint32_t key)
{
    uint32_t i, n;
    if (!m->cap) {
        return NULL;
    }
    i = map_hash(key) & (m->cap - 1);
    for (n = 0; n < m->cap; n++) {
        if (m->keys[i] == 0) {
            return NULL;
        }
        if (m->keys[i] == key + 1) {
            return m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static rh_status map_grow(struct evtx_map *m)
{
    uint32_t ncap = m->cap ? m->cap * 2 : 256, i;
    uint32_t *keys = rh_calloc(m->ctx, ncap, sizeof(*keys));
    void **vals = rh_calloc(m->ctx, ncap, sizeof(*vals));
    if (!keys || !vals) {
        rh_free(m->ctx, keys);
        rh_free(m->ctx, vals);
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            uint32_t j = map_hash(m->keys[i] - 1) & (ncap - 1);
            while (keys[j]) {
                j = (j + 1) & (ncap - 1);
            }
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    }
    rh_free(m->ctx, m->keys);
    rh_free(m->ctx, m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
    return RH_OK;
}

rh_status evtx_map_put(struct evtx_map *m, uint32_t key, void *val)
{
    uint32_t i;
    if (key == UINT32_MAX) {
        return RH_ERR_ARG;
    }
    if ((m->n + 1) * 2 > m->cap && map_grow(m) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    i = map_hash(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key + 1) {
        i = (i + 1) & (m->cap - 1);
    }
    if (!m->keys[i]) {
        m->n++;
    }
    m->keys[i] = key + 1;
    m->vals[i] = val;
    return RH_OK;
}

void evtx_map_clear(struct evtx_map *m)
{
    if (m->cap && m->n) {
        memset(m->keys, 0, m->cap * sizeof(*m->keys));
    }
    m->n = 0;
}

void evtx_map_free(struct evtx_map *m)
{
    rh_free(m->ctx, m->keys);
    rh_free(m->ctx, m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}
