/*
 * On-demand reads of a large hive's bins through a bounded cache (issue 11).
 *
 * A hive whose bins exceed rh_limits.hive_cache_size is not read whole: its bins are read
 * with positioned reads (rh_fd_pread) in aligned chunks when a cell is first needed, and kept in a
 * cache of at most hive_cache_size bytes. A hunt visits a pruned set of keys and reads the values
 * of few of them, so most of a big hive's value data (AppCompat blobs, caches) is never read.
 *
 * Pointer lifetime: a pointer returned by regf_pager_get() stays valid until the next
 * regf_pager_trim(), the only place where chunks are evicted and copies freed. Trims happen
 * where nothing is held: between keys of the tree walk, between hbins of the cell scan, and at
 * the entry of each public call that reads cells (those hand out copies, never pointers into
 * the cache). Between two trims the cache may exceed its cap by what one operation touches
 * (one key's records, or one value's data, itself capped by max_value_size).
 *
 * Log replay of such a hive writes an overlay (rh_hive.overlay: only the 4 KiB pages the logs
 * change); a chunk read from the file gets the overlay's pages copied over it. The pre-replay
 * tree of the replay diff reads the same file through a second pager without the overlay.
 */
#include <errno.h>
#include <string.h>

#include "regf_internal.h"

/* Chunk size: 64 KiB holds many 4 KiB hive bins; cells crossing a chunk edge are copied. */
#define CHUNK_SHIFT 16u
#define CHUNK       ((size_t)1 << CHUNK_SHIFT)

struct page_slot {
    uint8_t *buf;
    uint32_t chunk;
    bool ref; /* used since the clock hand last passed */
};

struct regf_pager {
    rh_ctx *ctx;
    const char *source; /* for diagnostics (the hive's path, owned by the hive) */
    int fd;             /* our own descriptor (dup of the source's) */
    uint64_t base;      /* file offset of bins offset 0 */
    size_t len;         /* bytes of bins readable through the pager */
    uint64_t file_len;  /* file offsets from here read as zeros (a hive grown by replay) */
    const struct regf_pages *overlay; /* image pages replacing the file's, or NULL */
    uint32_t nchunks;
    uint32_t *slot_of; /* per chunk: slot + 1, 0 = not cached */
    struct page_slot *slots;
    size_t nslots, cap_slots, max_slots, hand;
    uint8_t **views; /* copies of ranges crossing chunk edges, freed at trim */
    size_t nviews, cap_views;
    bool io_reported;
    regf_pager_stats stats;
};

rh_status regf_pager_new(rh_ctx *ctx, const char *source, int fd, uint64_t base, size_t len,
                         uint64_t file_len, const struct regf_pages *overlay, uint64_t cache_bytes,
                         struct regf_pager **out)
{
    struct regf_pager *p;
    *out = NULL;
    p = rh_calloc(ctx, 1, sizeof(*p));
    if (!p) {
        return RH_ERR_NOMEM;
    }
    p->ctx = ctx;
    p->source = source;
    p->base = base;
    p->len = len;
    p->file_len = file_len;
    p->overlay = overlay && overlay->n ? overlay : NULL;
    p->nchunks = (uint32_t)((len + CHUNK - 1) >> CHUNK_SHIFT);
    p->max_slots = (size_t)(cache_bytes >> CHUNK_SHIFT);
    if (p->max_slots < 4) {
        p->max_slots = 4;
    }
    p->slot_of = rh_calloc(ctx, p->nchunks ? p->nchunks : 1, sizeof(*p->slot_of));
    p->fd = rh_fd_dup(fd);
    if (!p->slot_of || p->fd < 0) {
        rh_status st = p->fd < 0 ? RH_ERR_IO : RH_ERR_NOMEM;
        if (p->fd < 0) {
            rh_diagf(ctx, RH_DIAG_ERROR, "io", source, -1, "cannot keep the hive open: %s",
                     strerror(errno));
        }
        regf_pager_free(p);
        return st;
    }
    *out = p;
    return RH_OK;
}

void regf_pager_free(struct regf_pager *p)
{
    size_t i;
    if (!p) {
        return;
    }
    regf_pager_trim(p);
    for (i = 0; i < p->nslots; i++) {
        rh_free(p->ctx, p->slots[i].buf);
    }
    rh_free(p->ctx, p->slots);
    rh_free(p->ctx, p->views);
    rh_free(p->ctx, p->slot_of);
    if (p->fd >= 0) {
        rh_fd_close(p->fd);
    }
    rh_free(p->ctx, p);
}

/* The overlay's pages over chunk c's bytes (want of them) in buf. */
static void apply_overlay(const struct regf_pager *p, uint32_t c, uint8_t *buf, size_t want)
{
    uint64_t at = p->base + ((uint64_t)c << CHUNK_SHIFT); /* image offset of buf[0] */
    size_t k = 0;
    while (k < want) {
        uint64_t img = at + k;
        const uint8_t *pg = regf_pages_get(p->overlay, (size_t)(img / REGF_COW_PAGE));
        size_t in = (size_t)(img % REGF_COW_PAGE), n = REGF_COW_PAGE - in;
        n = n < want - k ? n : want - k;
        if (pg) {
            memcpy(buf + k, pg + in, n);
        }
        k += n;
    }
}

/* Read chunk c into buf (CHUNK bytes, or fewer at the end). Bytes that cannot be read (the
 * file shrank or failed) read as zeros, reported once: the cells there then fail their checks
 * like any damage. Bytes past file_len are zeros, and the overlay's pages are copied over. */
static void read_chunk(struct regf_pager *p, uint32_t c, uint8_t *buf)
{
    size_t want = p->len - ((size_t)c << CHUNK_SHIFT), got = 0, all;
    uint64_t start = p->base + ((uint64_t)c << CHUNK_SHIFT);
    want = want < CHUNK ? want : CHUNK;
    all = want;
    if (start >= p->file_len) {
        want = 0;
    } else if (p->file_len - start < want) {
        want = (size_t)(p->file_len - start);
    }
    memset(buf + want, 0, all - want);
    while (got < want) {
        int64_t n =
            rh_fd_pread(p->fd, buf + got, want - got, p->base + ((uint64_t)c << CHUNK_SHIFT) + got);
        if (n <= 0) {
            if (!p->io_reported) {
                p->io_reported = true;
                rh_diagf(p->ctx, RH_DIAG_WARNING, "io", p->source,
                         (int64_t)(p->base + ((uint64_t)c << CHUNK_SHIFT) + got),
                         "hive bins unreadable here (%s): read as zeros",
                         n < 0 ? strerror(errno) : "file shrank");
            }
            memset(buf + got, 0, want - got);
            break;
        }
        got += (size_t)n;
    }
    p->stats.reads++;
    p->stats.bytes_read += want;
    if (p->overlay) {
        apply_overlay(p, c, buf, all);
    }
}

/* The cached bytes of chunk c (read now if absent). NULL: no memory. */
static const uint8_t *chunk_at(struct regf_pager *p, uint32_t c)
{
    struct page_slot *s;
    uint8_t *buf;
    if (p->slot_of[c]) {
        s = &p->slots[p->slot_of[c] - 1];
        s->ref = true;
        return s->buf;
    }
    {
        void *a = p->slots;
        rh_status st =
            rh_array_reserve(p->ctx, &a, &p->cap_slots, p->nslots + 1, sizeof(*p->slots));
        p->slots = a;
        if (st != RH_OK) {
            return NULL;
        }
    }
    buf = rh_malloc(p->ctx, CHUNK);
    if (!buf) {
        return NULL;
    }
    read_chunk(p, c, buf);
    s = &p->slots[p->nslots++];
    s->buf = buf;
    s->chunk = c;
    s->ref = true;
    p->slot_of[c] = (uint32_t)p->nslots;
    if (p->nslots * CHUNK > p->stats.peak_bytes) {
        p->stats.peak_bytes = p->nslots * CHUNK;
    }
    return buf;
}

const uint8_t *regf_pager_get(struct regf_pager *p, size_t off, size_t len)
{
    uint32_t c = (uint32_t)(off >> CHUNK_SHIFT);
    size_t in = off & (CHUNK - 1), done = 0;
    uint8_t *copy;
    const uint8_t *b;
    if (len == 0 || !rh_fits(p->len, off, len)) {
        return NULL;
    }
    if (in + len <= CHUNK) {
        b = chunk_at(p, c);
        return b ? b + in : NULL;
    }
    /* Crossing a chunk edge: a copy, valid until the next trim. */
    {
        void *a = p->views;
        if (rh_array_reserve(p->ctx, &a, &p->cap_views, p->nviews + 1, sizeof(*p->views)) !=
            RH_OK) {
            return NULL;
        }
        p->views = a;
    }
    copy = rh_malloc(p->ctx, len);
    if (!copy) {
        return NULL;
    }
    while (done < len) {
        size_t take = CHUNK - in;
        take = take < len - done ? take : len - done;
        b = chunk_at(p, c);
        if (!b) {
            rh_free(p->ctx, copy);
            return NULL;
        }
        memcpy(copy + done, b + in, take);
        done += take;
        in = 0;
        c++;
    }
    p->views[p->nviews++] = copy;
    return copy;
}

/* Evict one slot with the clock: the first not used since the hand last passed. */
static void evict_one(struct regf_pager *p)
{
    for (;;) {
        struct page_slot *s;
        if (p->hand >= p->nslots) {
            p->hand = 0;
        }
        s = &p->slots[p->hand];
        if (s->ref) {
            s->ref = false;
            p->hand++;
            continue;
        }
        p->slot_of[s->chunk] = 0;
        rh_free(p->ctx, s->buf);
        *s = p->slots[--p->nslots];
        if (p->hand < p->nslots) {
            p->slot_of[s->chunk] = (uint32_t)p->hand + 1;
        }
        p->stats.evictions++;
        return;
    }
}

void regf_pager_trim(struct regf_pager *p)
{
    size_t i;
    if (!p) {
        return;
    }
    for (i = 0; i < p->nviews; i++) {
        rh_free(p->ctx, p->views[i]);
    }
    p->nviews = 0;
    while (p->nslots > p->max_slots) {
        evict_one(p);
    }
}

const regf_pager_stats *regf_pager_get_stats(const struct regf_pager *p)
{
    return p ? &p->stats : NULL;
}
