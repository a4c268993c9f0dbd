/*
 * EVTX helper: the per-chunk u32 -> pointer map (why it is not an rh_strmap: evtx_internal.h).
 */
#include "evtx_internal.h"

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
