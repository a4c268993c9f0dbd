/*
 * Reading a hive: only the bytes it needs, in steps, and a copy-on-write record of log replay.
 *
 * Evidence is read-only: the file is opened read-only (os.c), read at offsets in steps, never
 * mapped (a file truncated while we read must not SIGBUS), locked or written. Memory follows
 * the hive, not the file: the base block, the hive bins (the declared size when the base block
 * is valid, the hbin chain otherwise), and the remnant after the bins only for deleted-data
 * recovery, all capped by rh_limits.max_hive_size (docs/formats/regf.md "Reading").
 */
#include <errno.h>
#include <string.h>

#include "common/limits.h"
#include "regf_internal.h"

/* Bytes read ahead per step while following the hbin chain of an untrusted base block. */
#define READ_STEP (4u << 20)
/* A hive has an 'hbin' signature at a 4 KiB boundary within this many bytes after its base
 * block (every primary hive of the corpus has one at the first position; damaged ones whose
 * first bins are overwritten keep later ones). Files without one are refused before more is
 * read: a `regf` header over gigabytes of zeros or foreign data is not a hive. */
#define PROBE_BYTES (1u << 20)

rh_status regf_source_file(rh_hive *h, const char *path)
{
    uint64_t size = 0;
    int fd;
    rh_status st = rh_file_open(h->ctx, NULL, path, &fd, &size);
    if (st != RH_OK) {
        return st;
    }
    h->src.fd = fd;
    h->src.mem = NULL;
    h->src.size = size;
    return RH_OK;
}

void regf_source_mem(rh_hive *h, const void *data, size_t len)
{
    h->src.fd = -1;
    h->src.mem = data;
    h->src.size = len;
    h->image = (uint8_t *)(uintptr_t)data; /* borrowed: never written (regf_image_write) */
    h->image_len = 0;
    h->image_borrowed = true;
}

/* A stream is read forward only, like the file (fill reads [image_len, want) in order). */
void regf_source_stream(rh_hive *h, rh_read_fn rd, void *user)
{
    h->src.fd = -1;
    h->src.mem = NULL;
    h->src.rd = rd;
    h->src.rd_user = user;
    h->src.size = UINT64_MAX;
}

void regf_source_close(rh_hive *h)
{
    rh_fd_close(h->src.fd);
    h->src.fd = -1;
    h->src.mem = NULL;
    h->src.rd = NULL;
}

/* Capacity of an owned image >= want, doubling (bounded by what the hive may hold). */
static rh_status reserve(rh_hive *h, size_t want)
{
    uint64_t top = REGF_BASE_SIZE + rh_ctx_limits(h->ctx)->max_hive_size;
    size_t cap = h->image_cap;
    uint8_t *n;
    if (want <= cap) {
        return RH_OK;
    }
    cap = cap < 65536 ? 65536 : cap;
    while (cap < want && cap <= SIZE_MAX / 2) {
        cap *= 2;
    }
    if ((uint64_t)cap > top) {
        cap = (size_t)top;
    }
    if (cap < want) {
        cap = want;
    }
    n = rh_realloc(h->ctx, h->image, cap);
    if (!n) {
        return RH_ERR_NOMEM;
    }
    h->image = n;
    h->image_cap = cap;
    return RH_OK;
}

/* Bytes [image_len, want) from the source (want <= source size). A file that ends early
 * (shrank while we read) ends the source there: image_len stays below want. */
static rh_status fill(rh_hive *h, size_t want)
{
    rh_status st;
    if (want > h->src.size) {
        want = (size_t)h->src.size;
    }
    if (want <= h->image_len) {
        return RH_OK;
    }
    if (h->image_borrowed) {
        h->image_len = want;
        return RH_OK;
    }
    st = reserve(h, want);
    if (st != RH_OK) {
        return st;
    }
    if (h->src.mem) {
        memcpy(h->image + h->image_len, h->src.mem + h->image_len, want - h->image_len);
        h->image_len = want;
        return RH_OK;
    }
    while (h->image_len < want) {
        int64_t n;
        if (h->src.rd) {
            size_t got = 0;
            st = h->src.rd(h->src.rd_user, h->image + h->image_len, want - h->image_len, &got);
            if (st != RH_OK) {
                rh_diagf(h->ctx, RH_DIAG_ERROR, "io", h->path, (int64_t)h->image_len,
                         "read failed: %s", rh_strerror(st));
                return st;
            }
            n = (int64_t)(got < want - h->image_len ? got : want - h->image_len);
        } else {
            n = rh_fd_pread(h->src.fd, h->image + h->image_len, want - h->image_len, h->image_len);
        }
        if (n < 0) {
            rh_diagf(h->ctx, RH_DIAG_ERROR, "io", h->path, (int64_t)h->image_len, "read failed: %s",
                     strerror(errno));
            return RH_ERR_IO;
        }
        if (n == 0) {
            h->src.size = h->image_len; /* the file shrank: keep what we have */
            break;
        }
        h->image_len += (size_t)n;
    }
    return RH_OK;
}

/* Make the image the hive's own (a copy of a borrowed buffer) before anything writes to it. */
static rh_status own(rh_hive *h)
{
    uint8_t *n;
    if (!h->image_borrowed) {
        return RH_OK;
    }
    n = rh_malloc(h->ctx, h->image_len ? h->image_len : 1);
    if (!n) {
        return RH_ERR_NOMEM;
    }
    if (h->image_len) {
        memcpy(n, h->image, h->image_len);
    }
    h->image = n;
    h->image_cap = h->image_len ? h->image_len : 1;
    h->image_borrowed = false;
    return RH_OK;
}

static rh_status too_big(rh_hive *h, int64_t off, const char *what, uint64_t n)
{
    rh_diagf(h->ctx, RH_DIAG_ERROR, "regf", h->path, off,
             "%s %llu bytes of hive bins, above max_hive_size (%llu bytes): not read; raise "
             "rh_limits.max_hive_size to read it",
             what, (unsigned long long)n, (unsigned long long)rh_ctx_limits(h->ctx)->max_hive_size);
    return RH_ERR_LIMIT;
}

/* True if an 'hbin' signature sits at a 4 KiB boundary of the first bytes after the base
 * block (already read). */
static bool probe_hbin(const rh_hive *h)
{
    size_t off;
    for (off = REGF_BASE_SIZE; off + 4 <= h->image_len; off += REGF_HBIN_ALIGN) {
        if (REGF_SIG4(h->image + off, 'h', 'b', 'i', 'n')) {
            return true;
        }
    }
    return false;
}

/* Bytes [at, at + n) of the source into out: from what is read already, with a positioned read for
 * a file (without growing the image), or by reading a stream ahead in steps. False at its end. */
static rh_status peek(rh_hive *h, size_t at, uint8_t *out, size_t n, bool *ok)
{
    *ok = false;
    if (at + n > h->image_len && h->src.fd >= 0) {
        size_t got = 0;
        while (got < n) {
            int64_t r = rh_fd_pread(h->src.fd, out + got, n - got, at + got);
            if (r < 0) {
                rh_diagf(h->ctx, RH_DIAG_ERROR, "io", h->path, (int64_t)(at + got),
                         "read failed: %s", strerror(errno));
                return RH_ERR_IO;
            }
            if (r == 0) {
                return RH_OK;
            }
            got += (size_t)r;
        }
        *ok = true;
        return RH_OK;
    }
    if (at + n > h->image_len) {
        uint64_t top = REGF_BASE_SIZE + rh_ctx_limits(h->ctx)->max_hive_size;
        size_t ahead = at + n < (size_t)-1 - READ_STEP ? at + n + READ_STEP : at + n;
        if ((uint64_t)ahead > top) {
            ahead = (size_t)top;
        }
        ahead = ahead < at + n ? at + n : ahead;
        rh_status st = fill(h, ahead);
        if (st != RH_OK || at + n > h->image_len) {
            return st;
        }
    }
    memcpy(out, h->image + at, n);
    *ok = true;
    return RH_OK;
}

/* Follow the hbin chain from offset 0 of the bins exactly as regf_hbin_chain() does on the
 * whole file, reading only the hbin headers of a file; *end = where it stops. RH_ERR_LIMIT
 * past the cap. */
static rh_status follow_chain(rh_hive *h, size_t *end)
{
    uint64_t max = rh_ctx_limits(h->ctx)->max_hive_size;
    size_t off = 0;
    rh_status st;
    *end = 0;
    for (;;) {
        uint64_t avail = h->src.size - REGF_BASE_SIZE;
        size_t at = REGF_BASE_SIZE + off;
        uint8_t p[REGF_HBIN_HDR];
        uint32_t size;
        bool ok;
        if (avail - off < REGF_HBIN_HDR) {
            break;
        }
        st = peek(h, at, p, sizeof(p), &ok);
        if (st != RH_OK) {
            return st;
        }
        if (!ok) {
            break;
        }
        size = rh_le32(p + REGF_H_SIZE);
        if (!REGF_SIG4(p, 'h', 'b', 'i', 'n') || rh_le32(p + REGF_H_OFFSET) != off ||
            size < REGF_HBIN_ALIGN || size % REGF_HBIN_ALIGN != 0 || size > avail - off) {
            break;
        }
        if ((uint64_t)off + size > max) {
            return too_big(h, (int64_t)at, "the hbin chain holds more than", (uint64_t)off + size);
        }
        off += size;
    }
    *end = off;
    return RH_OK;
}

uint64_t regf_cache_size(const rh_ctx *ctx)
{
    uint64_t c = rh_ctx_limits(ctx)->hive_cache_size;
    return c ? c : RH_DEFAULT_HIVE_CACHE_SIZE;
}

size_t regf_image_size(const rh_hive *h)
{
    return h->lazy_len ? h->lazy_len : h->image_len;
}

rh_status regf_load(rh_hive *h, bool deleted)
{
    uint64_t max = rh_ctx_limits(h->ctx)->max_hive_size, avail;
    size_t need = 0, chain, end;
    uint32_t hb;
    bool trusted;
    rh_status st;

    if (h->src.size < REGF_BASE_SIZE + REGF_HBIN_HDR) {
        return fill(h, (size_t)h->src.size); /* regf_parse_base says why it is no hive */
    }
    st = fill(h, REGF_BASE_SIZE);
    if (st != RH_OK || h->image_len < REGF_BASE_SIZE || !REGF_SIG4(h->image, 'r', 'e', 'g', 'f') ||
        rh_le32(h->image + REGF_B_TYPE) != REGF_TYPE_PRIMARY) {
        return st; /* not a primary hive: regf_parse_base reports it from the base block */
    }
    hb = rh_le32(h->image + REGF_B_HBINS_SIZE);
    trusted = regf_checksum(h->image) == rh_le32(h->image + REGF_B_CHECKSUM) &&
              hb >= REGF_HBIN_ALIGN && hb % REGF_HBIN_ALIGN == 0;
    if (trusted && hb > max) {
        return too_big(h, REGF_B_HBINS_SIZE, "the base block declares", hb);
    }
    avail = h->src.size - REGF_BASE_SIZE;
    st = fill(h, REGF_BASE_SIZE + (size_t)(avail < PROBE_BYTES ? avail : PROBE_BYTES));
    if (st != RH_OK) {
        return st;
    }
    if (!probe_hbin(h)) {
        rh_diagf(h->ctx, RH_DIAG_ERROR, "regf", h->path, REGF_BASE_SIZE,
                 "no hive bin: no 'hbin' signature at any 4 KiB boundary of the %zu bytes after "
                 "the base block: not read further",
                 h->image_len - REGF_BASE_SIZE);
        return RH_ERR_CORRUPT;
    }
    if (trusted) {
        need = hb < avail ? hb : (size_t)avail;
        if (h->src.fd < 0) {
            st = fill(h, REGF_BASE_SIZE + need); /* a stream is read in order */
        }
    }
    if (st == RH_OK) {
        st = follow_chain(h, &chain);
    }
    if (st != RH_OK) {
        return st;
    }
    end = chain > need ? chain : need;
    avail = h->src.size - REGF_BASE_SIZE;
    if (deleted && avail > end) {
        /* Remnant data after the last hive bin: stale bins that deleted-data recovery scans. */
        if (avail > max) {
            rh_diagf(h->ctx, RH_DIAG_WARNING, "regf", h->path, (int64_t)(REGF_BASE_SIZE + max),
                     "remnant data past max_hive_size (%llu bytes) not scanned for deleted data",
                     (unsigned long long)max);
        }
        end = (size_t)(avail < max ? avail : max);
    }
    if (!deleted && h->src.fd >= 0 && end > regf_cache_size(h->ctx)) {
        /* Too big to hold: its bins are read on demand (regf_page.c). */
        h->lazy_len = REGF_BASE_SIZE + end;
        h->lazy_chain = chain;
        if (h->image_len > h->lazy_len) {
            h->image_len = h->lazy_len;
        }
        return RH_OK;
    }
    st = fill(h, REGF_BASE_SIZE + end);
    if (st == RH_OK && h->image_len > REGF_BASE_SIZE + end) {
        h->image_len = REGF_BASE_SIZE + end; /* read ahead, not part of the hive */
    }
    return st;
}

/* ---- page sets ------------------------------------------------------------------------ */

uint8_t *regf_pages_get(const struct regf_pages *s, size_t page)
{
    return page < s->npages && s->slot_of[page]
               ? s->data + (size_t)(s->slot_of[page] - 1) * REGF_COW_PAGE
               : NULL;
}

/* A new page in the set (absent before): its bytes, uninitialized. NULL: no memory. */
static uint8_t *pages_add(rh_ctx *ctx, struct regf_pages *s, size_t page)
{
    void *a;
    if (page >= s->npages) {
        size_t n = s->npages ? s->npages : 256;
        uint32_t *so;
        while (n <= page) {
            n *= 2;
        }
        so = rh_realloc(ctx, s->slot_of, n * sizeof(*so));
        if (!so) {
            return NULL;
        }
        memset(so + s->npages, 0, (n - s->npages) * sizeof(*so));
        s->slot_of = so;
        s->npages = n;
    }
    a = s->data;
    if (rh_array_reserve(ctx, &a, &s->cap_data, s->n + 1, REGF_COW_PAGE) != RH_OK) {
        return NULL;
    }
    s->data = a;
    a = s->page;
    if (rh_array_reserve(ctx, &a, &s->cap_page, s->n + 1, sizeof(*s->page)) != RH_OK) {
        return NULL;
    }
    s->page = a;
    s->page[s->n] = (uint32_t)page;
    s->slot_of[page] = (uint32_t)++s->n;
    return s->data + (s->n - 1) * REGF_COW_PAGE;
}

void regf_pages_free(rh_ctx *ctx, struct regf_pages *s)
{
    rh_free(ctx, s->slot_of);
    rh_free(ctx, s->page);
    rh_free(ctx, s->data);
    memset(s, 0, sizeof(*s));
}

/* Save the pages of image[off, end) that lie in the pre-replay image and are not saved yet. */
static rh_status cow_save(rh_hive *h, size_t off, size_t end)
{
    struct regf_cow *c = h->cow;
    size_t p;
    if (!c || off >= end || off >= c->pre_len) {
        return RH_OK;
    }
    end = end < c->pre_len ? end : c->pre_len;
    c->npages = (c->pre_len + REGF_COW_PAGE - 1) / REGF_COW_PAGE;
    for (p = off / REGF_COW_PAGE; p * REGF_COW_PAGE < end; p++) {
        size_t at = p * REGF_COW_PAGE, n = c->pre_len - at;
        uint8_t *d;
        if (regf_pages_get(&c->saved, p)) {
            continue;
        }
        d = pages_add(h->ctx, &c->saved, p);
        if (!d) {
            return RH_ERR_NOMEM;
        }
        n = n < REGF_COW_PAGE ? n : REGF_COW_PAGE;
        memcpy(d, h->image + at, n);
    }
    return RH_OK;
}

/* On demand: write data[0, len) at image offset off into the overlay. Each page is filled from
 * the file the first time (zeros past its end), as if the hive had been read whole. */
static rh_status overlay_write(rh_hive *h, size_t off, const uint8_t *data, size_t len)
{
    size_t end = off + len, p;
    if (end > h->lazy_len) {
        h->lazy_len = end;
    }
    for (p = off / REGF_COW_PAGE; len > 0 && p * REGF_COW_PAGE < end; p++) {
        size_t at = p * REGF_COW_PAGE, lo = off > at ? off : at;
        size_t hi = end < at + REGF_COW_PAGE ? end : at + REGF_COW_PAGE;
        uint8_t *d = regf_pages_get(&h->overlay, p);
        if (!d) {
            size_t got = 0;
            d = pages_add(h->ctx, &h->overlay, p);
            if (!d) {
                return RH_ERR_NOMEM;
            }
            while (got < REGF_COW_PAGE && at + got < h->src.size) {
                int64_t r = rh_fd_pread(h->src.fd, d + got, REGF_COW_PAGE - got, at + got);
                if (r <= 0) {
                    break; /* unreadable or shrunk: zeros, as a whole read would have */
                }
                got += (size_t)r;
            }
            memset(d + got, 0, REGF_COW_PAGE - got);
        }
        memcpy(d + (lo - at), data + (lo - off), hi - lo);
    }
    return RH_OK;
}

/* Extend the held image to end: the file's own bytes where it has them (as if it had been read
 * whole), then zeros. */
static rh_status grow(rh_hive *h, size_t end)
{
    size_t have;
    rh_status st;
    st = fill(h, end);
    if (st != RH_OK) {
        return st;
    }
    have = h->image_len;
    if (have < end) {
        st = reserve(h, end);
        if (st != RH_OK) {
            return st;
        }
        memset(h->image + have, 0, end - have);
        h->image_len = end;
    }
    return RH_OK;
}

rh_status regf_image_write(rh_hive *h, size_t off, const void *data, size_t len)
{
    size_t end;
    rh_status st;
    if (!rh_add_sz(off, len, &end)) {
        return RH_ERR_LIMIT;
    }
    if (h->lazy_len && off < REGF_BASE_SIZE && len > 0) {
        return RH_ERR_ARG; /* replay writes hive bins only: the base block is parsed, not kept */
    }
    if ((uint64_t)end > REGF_BASE_SIZE + rh_ctx_limits(h->ctx)->max_hive_size) {
        rh_diagf(h->ctx, RH_DIAG_ERROR, "regf", h->path, -1,
                 "log replay grows the hive past max_hive_size (%llu bytes); raise "
                 "rh_limits.max_hive_size to replay it",
                 (unsigned long long)rh_ctx_limits(h->ctx)->max_hive_size);
        return RH_ERR_LIMIT;
    }
    if (h->lazy_len) {
        return overlay_write(h, off, data, len);
    }
    st = own(h);
    if (st == RH_OK) {
        st = cow_save(h, off, end);
    }
    if (st == RH_OK && end > h->image_len) {
        st = grow(h, end);
    }
    if (st == RH_OK && len > 0) {
        memcpy(h->image + off, data, len);
    }
    return st;
}

void regf_cow_swap(rh_hive *h)
{
    struct regf_cow *c = h->cow;
    uint8_t tmp[REGF_COW_PAGE];
    size_t i;
    if (!c) {
        return;
    }
    for (i = 0; i < c->saved.n; i++) {
        size_t at = (size_t)c->saved.page[i] * REGF_COW_PAGE, n = c->pre_len - at;
        uint8_t *s = c->saved.data + i * REGF_COW_PAGE;
        n = n < REGF_COW_PAGE ? n : REGF_COW_PAGE;
        memcpy(tmp, h->image + at, n);
        memcpy(h->image + at, s, n);
        memcpy(s, tmp, n);
    }
}

const uint8_t *regf_cow_view(struct regf_cow *c, const uint8_t *bins, size_t off, size_t len)
{
    size_t a = REGF_BASE_SIZE + off, e = a + len, p, first;
    uint8_t *v;
    void *arr;
    if (c->saved.n == 0 || len == 0) {
        return bins + off;
    }
    for (first = a / REGF_COW_PAGE; first < c->npages && first * REGF_COW_PAGE < e; first++) {
        if (regf_pages_get(&c->saved, first)) {
            break;
        }
    }
    if (first >= c->npages || first * REGF_COW_PAGE >= e) {
        return bins + off; /* replay left these bytes alone */
    }
    arr = c->views;
    v = rh_malloc(c->ctx, len);
    if (!v ||
        rh_array_reserve(c->ctx, &arr, &c->cap_views, c->nviews + 1, sizeof(*c->views)) != RH_OK) {
        c->views = arr;
        rh_free(c->ctx, v);
        c->nomem = true;
        return NULL;
    }
    c->views = arr;
    c->views[c->nviews++] = v;
    memcpy(v, bins + off, len);
    for (p = first; p < c->npages && p * REGF_COW_PAGE < e; p++) {
        size_t lo = p * REGF_COW_PAGE, hi = lo + REGF_COW_PAGE;
        const uint8_t *s = regf_pages_get(&c->saved, p);
        if (!s) {
            continue;
        }
        hi = hi < c->pre_len ? hi : c->pre_len;
        hi = hi < e ? hi : e;
        if (lo < a) {
            s += a - lo;
            lo = a;
        }
        if (lo < hi) {
            memcpy(v + (lo - a), s, hi - lo);
        }
    }
    return v;
}

void regf_cow_views_reset(struct regf_cow *c)
{
    size_t i;
    for (i = 0; i < c->nviews; i++) {
        rh_free(c->ctx, c->views[i]);
    }
    c->nviews = 0;
}

void regf_cow_free(rh_ctx *ctx, struct regf_cow *c)
{
    if (!c) {
        return;
    }
    regf_cow_views_reset(c);
    rh_free(ctx, c->views);
    regf_pages_free(ctx, &c->saved);
    rh_free(ctx, c);
}
