/*
 * String map (included by common.h): byte strings -> size_t, open addressing with linear
 * probing over a power-of-two table kept at most half full, an explicit cap on entries, a
 * hash chosen by the caller, optional ASCII case-insensitive keys and key copies, and
 * iteration in slot order. Used for interning (evidence strings, Sigma field and channel
 * names), Sigma correlation groups, the COM database, the hunt's merge index and baseline.
 *
 * The layout is deterministic: the table starts at `min_cap` slots and doubles, growing is
 * decided at the start of every rh_strmap_put() (before the probe), and a rehash reinserts
 * the old slots in slot order. Callers that report in iteration order (Sigma correlation
 * groups) rely on that.
 */
#ifndef RH_COMMON_STRMAP_H
#define RH_COMMON_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "reghunt/status.h"

/* Keys are copied into the map's arena (NUL-terminated); otherwise the caller's bytes are
 * borrowed and must outlive the map. */
#define RH_STRMAP_COPY 0x1u
/* Keys compare ASCII case-insensitively; the hash must fold case too (rh_hash_fnv1a_ci). */
#define RH_STRMAP_ICASE 0x2u

/* Hash of s[0..n); equal keys (under the map's comparison) must hash equal. */
typedef uint32_t (*rh_strmap_hash_fn)(const char *s, size_t n);

struct rh_strmap_entry {
    const char *key; /* NULL: empty slot */
    uint32_t len;
    uint32_t hash;
    size_t val; /* the caller's; 0 for a new entry */
};

struct rh_strmap {
    rh_ctx *ctx;
    struct rh_strmap_entry *slots;
    size_t cap, n;  /* slots (0 or a power of two), entries */
    size_t min_cap; /* first table size (a power of two) */
    size_t max;     /* cap on entries: RH_ERR_LIMIT beyond */
    rh_strmap_hash_fn hash;
    unsigned flags;
    struct rh_arena keys; /* RH_STRMAP_COPY */
};

/* FNV-1a (32 bit) of s[0..n); the _ci variant folds ASCII A-Z to a-z first. */
uint32_t rh_hash_fnv1a(const char *s, size_t n);
uint32_t rh_hash_fnv1a_ci(const char *s, size_t n);

/* An empty map (allocates nothing yet). min_cap is rounded up to a power of two (>= 2). */
void rh_strmap_init(struct rh_strmap *m, rh_ctx *ctx, rh_strmap_hash_fn hash, unsigned flags,
                    size_t min_cap, size_t max);

/* The entry of key s[0..n), or NULL. Borrowed: valid until the next put, clear or free. */
struct rh_strmap_entry *rh_strmap_find(const struct rh_strmap *m, const char *s, size_t n);

/*
 * Find or add key s[0..n). *out is the entry (borrowed: valid until the next put, clear or
 * free; a new one has val 0 and, with RH_STRMAP_COPY, key pointing at the map's copy);
 * *added (may be NULL) tells whether it is new. Returns RH_OK, RH_ERR_NOMEM, or RH_ERR_LIMIT
 * (a new key beyond `max` entries, a key longer than UINT32_MAX, a table too large for
 * size_t); on failure the map is unchanged and *out is NULL.
 */
rh_status rh_strmap_put(struct rh_strmap *m, const char *s, size_t n, struct rh_strmap_entry **out,
                        bool *added);

/* Iterate in slot order: start with *pos = 0; false once past the last entry. */
bool rh_strmap_next(const struct rh_strmap *m, size_t *pos, struct rh_strmap_entry **out);

/* Bytes held by the table and the key copies. */
size_t rh_strmap_bytes(const struct rh_strmap *m);

/* Free everything; the map is empty and can be used again. */
void rh_strmap_free(struct rh_strmap *m);

#endif
