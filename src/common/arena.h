/*
 * Block arena (included by common.h): bump allocation from blocks that never move, so a
 * pointer stays valid until rh_arena_reset() or rh_arena_free(). Used for the EVTX chunk,
 * record and batch arenas, event JSON strings, compiled Sigma rulesets and the keys of
 * rh_strmap (strmap.h).
 *
 * Blocks are `block_size` bytes. A request larger than a quarter block gets a block of its
 * own, linked behind the current one so small requests keep filling the current block (at
 * most a quarter block is wasted when a block is abandoned). `limit` caps the bytes of all
 * blocks (0 = no cap): a request that would pass it fails like an allocation failure.
 */
#ifndef RH_COMMON_ARENA_H
#define RH_COMMON_ARENA_H

#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "reghunt/ctx.h"

#define RH_ARENA_ALIGN (alignof(max_align_t))

struct rh_arena_block {
    struct rh_arena_block *next;
    size_t size; /* usable bytes after the header, a multiple of RH_ARENA_ALIGN */
    size_t used; /* bytes handed out (strings are packed, so not always aligned) */
};

/* Header size rounded up so the data of every block starts RH_ARENA_ALIGN-aligned. */
#define RH_ARENA_HDR                                                                               \
    ((sizeof(struct rh_arena_block) + RH_ARENA_ALIGN - 1) / RH_ARENA_ALIGN * RH_ARENA_ALIGN)

struct rh_arena {
    rh_ctx *ctx;
    struct rh_arena_block *head; /* the block small requests come from */
    size_t block_size;           /* a multiple of RH_ARENA_ALIGN */
    size_t total;                /* bytes of all blocks (headers not counted) */
    size_t limit;                /* cap on total (0 = none) */
};

/* An empty arena (allocates nothing yet). block_size is rounded up to RH_ARENA_ALIGN. */
void rh_arena_init(struct rh_arena *a, rh_ctx *ctx, size_t block_size, size_t limit);

/* Slow path of the allocators below: n bytes (n >= 1) at the start of a new block. */
void *rh_arena_grow(struct rh_arena *a, size_t n);

/* n bytes aligned to `align` (1 or RH_ARENA_ALIGN); n == 0 counts as 1. */
static inline void *rh_arena_take(struct rh_arena *a, size_t n, size_t align)
{
    struct rh_arena_block *b = a->head;
    size_t need = n ? n : 1;
    if (b) {
        /* off <= size: used <= size and size is a multiple of the alignment */
        size_t off = (b->used + align - 1) & ~(align - 1);
        if (need <= b->size - off) {
            b->used = off + need;
            return (unsigned char *)b + RH_ARENA_HDR + off;
        }
    }
    return rh_arena_grow(a, need);
}

/*
 * Borrowed: valid until rh_arena_reset/rh_arena_free. NULL on allocation failure, overflow or
 * when the limit would be passed.
 */
/* n uninitialised bytes, RH_ARENA_ALIGN-aligned. */
static inline void *rh_arena_alloc(struct rh_arena *a, size_t n)
{
    return rh_arena_take(a, n, RH_ARENA_ALIGN);
}

/* n zeroed bytes, RH_ARENA_ALIGN-aligned. */
void *rh_arena_zalloc(struct rh_arena *a, size_t n);

/* n zeroed elements of `size` bytes (overflow-checked), RH_ARENA_ALIGN-aligned. */
void *rh_arena_array(struct rh_arena *a, size_t n, size_t size);

/* A NUL-terminated copy of s[0..n) (s may be NULL when n is 0), packed (not aligned). */
char *rh_arena_strndup(struct rh_arena *a, const char *s, size_t n);
char *rh_arena_strdup(struct rh_arena *a, const char *s);

/* Forget every allocation; keeps one block of block_size for reuse and frees the others. */
void rh_arena_reset(struct rh_arena *a);

/* Free every block; the arena is empty and can be used again. */
void rh_arena_free(struct rh_arena *a);

#endif
