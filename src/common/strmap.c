/*
 * String map (strmap.h): the one open-addressing table keyed by strings.
 */
#include "common.h"

/* Key arena blocks follow the table (about 16 key bytes per slot) between these bounds. */
#define KEY_BLOCK_MIN 1024u
#define KEY_BLOCK_MAX (64u * 1024u)

uint32_t rh_hash_fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    }
    return h;
}

uint32_t rh_hash_fnv1a_ci(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (uint8_t)(c + 0x20);
        }
        h = (h ^ c) * 16777619u;
    }
    return h;
}

void rh_strmap_init(struct rh_strmap *m, rh_ctx *ctx, rh_strmap_hash_fn hash, unsigned flags,
                    size_t min_cap, size_t max)
{
    size_t c = 2;
    while (c < min_cap && c <= SIZE_MAX / 4) {
        c *= 2;
    }
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
    m->hash = hash;
    m->flags = flags;
    m->min_cap = c;
    m->max = max;
    rh_arena_init(&m->keys, ctx, KEY_BLOCK_MIN, 0);
}

static bool key_eq(const struct rh_strmap *m, const struct rh_strmap_entry *e, const char *s,
                   size_t n, uint32_t h)
{
    if (e->hash != h || e->len != n) {
        return false;
    }
    if (m->flags & RH_STRMAP_ICASE) {
        return rh_ascii_casecmp(e->key, n, s, n) == 0;
    }
    return n == 0 || memcmp(e->key, s, n) == 0;
}

struct rh_strmap_entry *rh_strmap_find(const struct rh_strmap *m, const char *s, size_t n)
{
    size_t i, mask;
    uint32_t h;
    if (!m->n || n > UINT32_MAX) {
        return NULL;
    }
    if (!s) {
        s = "";
        n = 0;
    }
    h = m->hash(s, n);
    mask = m->cap - 1;
    for (i = h & mask; m->slots[i].key; i = (i + 1) & mask) {
        if (key_eq(m, &m->slots[i], s, n, h)) {
            return &m->slots[i];
        }
    }
    return NULL;
}

static rh_status grow(struct rh_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : m->min_cap, i;
    struct rh_strmap_entry *ns;
    if (ncap < m->cap || ncap > SIZE_MAX / sizeof(*ns)) {
        return RH_ERR_LIMIT;
    }
    ns = rh_calloc(m->ctx, ncap, sizeof(*ns));
    if (!ns) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            size_t j = m->slots[i].hash & (ncap - 1);
            while (ns[j].key) {
                j = (j + 1) & (ncap - 1);
            }
            ns[j] = m->slots[i];
        }
    }
    rh_free(m->ctx, m->slots);
    m->slots = ns;
    m->cap = ncap;
    if (m->keys.block_size < KEY_BLOCK_MAX && ncap * 16 > m->keys.block_size) {
        m->keys.block_size = ncap * 16 < KEY_BLOCK_MAX ? ncap * 16 : KEY_BLOCK_MAX;
    }
    return RH_OK;
}

rh_status rh_strmap_put(struct rh_strmap *m, const char *s, size_t n, struct rh_strmap_entry **out,
                        bool *added)
{
    struct rh_strmap_entry *e;
    size_t i, mask;
    uint32_t h;
    *out = NULL;
    if (added) {
        *added = false;
    }
    if (!s) {
        s = ""; /* a NULL key would read as an empty slot */
        n = 0;
    }
    if (n > UINT32_MAX) {
        return RH_ERR_LIMIT;
    }
    if (m->n < m->max && (m->n + 1) * 2 > m->cap) {
        rh_status st = grow(m);
        if (st != RH_OK) {
            return st;
        }
    }
    if (!m->cap) {
        return RH_ERR_LIMIT; /* max == 0 */
    }
    h = m->hash(s, n);
    mask = m->cap - 1;
    for (i = h & mask; m->slots[i].key; i = (i + 1) & mask) {
        if (key_eq(m, &m->slots[i], s, n, h)) {
            *out = &m->slots[i];
            return RH_OK;
        }
    }
    if (m->n >= m->max) {
        return RH_ERR_LIMIT;
    }
    e = &m->slots[i];
    if (m->flags & RH_STRMAP_COPY) {
        e->key = rh_arena_strndup(&m->keys, s, n);
        if (!e->key) {
            return RH_ERR_NOMEM;
        }
    } else {
        e->key = s;
    }
    e->len = (uint32_t)n;
    e->hash = h;
    e->val = 0;
    m->n++;
    *out = e;
    if (added) {
        *added = true;
    }
    return RH_OK;
}

bool rh_strmap_next(const struct rh_strmap *m, size_t *pos, struct rh_strmap_entry **out)
{
    size_t i;
    for (i = *pos; i < m->cap; i++) {
        if (m->slots[i].key) {
            *out = &m->slots[i];
            *pos = i + 1;
            return true;
        }
    }
    *pos = m->cap;
    return false;
}

size_t rh_strmap_bytes(const struct rh_strmap *m)
{
    return m->cap * sizeof(*m->slots) + m->keys.total;
}

void rh_strmap_free(struct rh_strmap *m)
{
    rh_free(m->ctx, m->slots);
    rh_arena_free(&m->keys);
    m->slots = NULL;
    m->cap = m->n = 0;
}
