/*
 * EVTX file: header, chunk sources (pread or memory), the read loop and its worker threads.
 *
 * Work item i is the 64 KiB block at 4096 + i * 65536; the last item may be a partial block
 * (slack, or a truncated file). A worker parses an item into a batch; batches are delivered
 * strictly in item order from the calling thread, so output and diagnostics do not depend on
 * the number of threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <zlib.h>

#include "evtx_internal.h"

struct rh_evtx {
    rh_ctx *ctx;
    char *path;
    int fd;             /* -1 for memory images */
    const uint8_t *mem; /* memory image (borrowed) */
    rh_read_fn rd;      /* stream (rh_evtx_open_cb), read forward once */
    void *rd_user;
    uint64_t pos;    /* stream: bytes read so far */
    uint8_t peek[8]; /* stream: bytes read ahead of pos by the header check */
    size_t npeek;
    uint64_t size; /* stream: UINT64_MAX until its end */
    rh_evtx_info info;
    rh_evtx_stats stats;
};

static const char COMPONENT[] = "evtx";

/* Up to len bytes of a stream (the peeked ones first); *got short only at its end. */
static rh_status stream_read(rh_evtx *e, uint8_t *buf, size_t len, size_t *got)
{
    *got = 0;
    if (e->npeek) {
        size_t k = e->npeek < len ? e->npeek : len;
        memcpy(buf, e->peek, k);
        memmove(e->peek, e->peek + k, e->npeek - k);
        e->npeek -= k;
        *got = k;
    }
    while (*got < len) {
        size_t n = 0;
        rh_status st = e->rd(e->rd_user, buf + *got, len - *got, &n);
        if (st != RH_OK) {
            rh_diagf(e->ctx, RH_DIAG_ERROR, COMPONENT, e->path, (int64_t)e->pos, "read failed: %s",
                     rh_strerror(st));
            return st;
        }
        if (n == 0) {
            break;
        }
        *got += n < len - *got ? n : len - *got;
    }
    e->pos += *got;
    return RH_OK;
}

static rh_status read_at(const rh_evtx *e, uint64_t off, uint8_t *buf, size_t len)
{
    size_t done = 0;
    if (e->fd < 0) {
        memcpy(buf, e->mem + off, len);
        return RH_OK;
    }
    while (done < len) {
        int64_t n = rh_fd_pread(e->fd, buf + done, len - done, off + done);
        if (n <= 0) {
            return RH_ERR_IO;
        }
        done += (size_t)n;
    }
    return RH_OK;
}

static rh_status parse_header(rh_evtx *e)
{
    uint8_t h[EVTX_FILE_HEADER_SIZE];
    rh_evtx_info *in = &e->info;
    size_t n = e->size < sizeof(h) ? (size_t)e->size : sizeof(h);
    rh_status st;
    memset(h, 0, sizeof(h));
    in->path = e->path;
    in->file_size = e->size;
    if (e->rd) {
        st = stream_read(e, h, sizeof(h), &n);
        if (st != RH_OK) {
            return st;
        }
        if (n < sizeof(h)) {
            e->size = n; /* a stream shorter than the header */
        } else if (memcmp(h, EVTX_FILE_SIG, EVTX_FILE_SIG_LEN) != 0) {
            size_t k = 0;
            st = stream_read(e, e->peek, sizeof(e->peek), &k); /* for the chunk check */
            e->pos -= k;
            e->npeek = k;
            if (st != RH_OK) {
                return st;
            }
            if (k < 8) {
                e->size = EVTX_FILE_HEADER_SIZE + k;
            }
        }
        in->file_size = e->size == UINT64_MAX ? 0 : e->size;
    } else if (n && read_at(e, 0, h, n) != RH_OK) {
        rh_diagf(e->ctx, RH_DIAG_ERROR, COMPONENT, e->path, 0, "cannot read the file header");
        return RH_ERR_IO;
    }
    in->header_ok = n >= 8 && memcmp(h, EVTX_FILE_SIG, EVTX_FILE_SIG_LEN) == 0;
    if (!in->header_ok) {
        uint8_t c[8];
        /* A damaged file header is tolerated when the first chunk is intact. */
        if (e->rd) {
            memcpy(c, e->peek, 8);
        }
        if (e->size < EVTX_FILE_HEADER_SIZE + 8 ||
            (!e->rd && read_at(e, EVTX_FILE_HEADER_SIZE, c, 8) != RH_OK) ||
            memcmp(c, EVTX_CHUNK_SIG, 8) != 0) {
            rh_diagf(e->ctx, RH_DIAG_ERROR, COMPONENT, e->path, 0,
                     "not an EVTX file (no ElfFile signature)");
            return RH_ERR_FORMAT;
        }
        st = rh_diagf(e->ctx, RH_DIAG_ANOMALY, COMPONENT, e->path, 0,
                      "file header signature missing; reading the chunks anyway");
        if (st != RH_OK) {
            return st;
        }
    }
    in->first_chunk = rh_le64(h + EVTX_FH_FIRST_CHUNK);
    in->last_chunk = rh_le64(h + EVTX_FH_LAST_CHUNK);
    in->next_record_id = rh_le64(h + EVTX_FH_NEXT_RECORD);
    in->header_size = rh_le32(h + EVTX_FH_HEADER_SIZE);
    in->minor = rh_le16(h + EVTX_FH_MINOR);
    in->major = rh_le16(h + EVTX_FH_MAJOR);
    in->header_chunk_count = rh_le16(h + EVTX_FH_CHUNK_COUNT);
    in->flags = rh_le32(h + EVTX_FH_FLAGS);
    in->checksum_stored = rh_le32(h + EVTX_FH_CHECKSUM);
    in->checksum_computed = (uint32_t)crc32(0L, h, EVTX_FH_CHECKSUM_LEN);
    in->checksum_ok = in->checksum_stored == in->checksum_computed;
    if (e->size > EVTX_FILE_HEADER_SIZE && e->size != UINT64_MAX) {
        in->chunks_in_file = (e->size - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
        in->slack_bytes = (e->size - EVTX_FILE_HEADER_SIZE) % EVTX_CHUNK_SIZE;
    }
    if (in->header_ok && !in->checksum_ok) {
        st = rh_diagf(e->ctx, RH_DIAG_ANOMALY, COMPONENT, e->path, EVTX_FH_CHECKSUM,
                      "file header checksum mismatch (stored 0x%08x, computed 0x%08x)",
                      in->checksum_stored, in->checksum_computed);
        if (st != RH_OK) {
            return st;
        }
    }
    if (in->header_ok && (in->major != 3 || (in->minor != 1 && in->minor != 2))) {
        st = rh_diagf(e->ctx, RH_DIAG_ANOMALY, COMPONENT, e->path, EVTX_FH_MINOR,
                      "unexpected format version %u.%u", in->major, in->minor);
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

static rh_status evtx_new(rh_ctx *ctx, const char *name, rh_evtx **out)
{
    rh_evtx *e = rh_calloc(ctx, 1, sizeof(*e));
    *out = NULL;
    if (!e) {
        return RH_ERR_NOMEM;
    }
    e->ctx = ctx;
    e->fd = -1;
    e->path = rh_strdup(ctx, name ? name : "");
    if (!e->path) {
        rh_free(ctx, e);
        return RH_ERR_NOMEM;
    }
    *out = e;
    return RH_OK;
}

/* Finish an open: on failure close the reader and leave *out NULL. */
static rh_status open_done(rh_evtx *e, rh_status s, rh_evtx **out)
{
    if (s != RH_OK) {
        rh_evtx_close(e);
        *out = NULL;
        return s;
    }
    *out = e;
    return RH_OK;
}

rh_status rh_evtx_open(rh_ctx *ctx, const char *path, rh_evtx **out)
{
    rh_evtx *e;
    rh_status s = evtx_new(ctx, path, &e);
    if (s != RH_OK) {
        return s;
    }
    if (rh_file_open(ctx, COMPONENT, path, &e->fd, &e->size) != RH_OK) {
        return open_done(e, RH_ERR_IO, out);
    }
    if (e->size > rh_ctx_limits(ctx)->max_file_size) {
        rh_diagf(ctx, RH_DIAG_ERROR, COMPONENT, path, -1, "file larger than max_file_size");
        return open_done(e, RH_ERR_LIMIT, out);
    }
    return open_done(e, parse_header(e), out);
}

rh_status rh_evtx_open_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                           rh_evtx **out)
{
    rh_evtx *e;
    rh_status s = evtx_new(ctx, name, &e);
    if (s != RH_OK) {
        return s;
    }
    e->mem = data;
    e->size = len;
    return open_done(e, parse_header(e), out);
}

rh_status rh_evtx_open_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *user, rh_evtx **out)
{
    rh_evtx *e;
    rh_status s;
    *out = NULL;
    if (!ctx || !rd) {
        return RH_ERR_ARG;
    }
    s = evtx_new(ctx, name, &e);
    if (s != RH_OK) {
        return s;
    }
    e->rd = rd;
    e->rd_user = user;
    e->size = UINT64_MAX;
    return open_done(e, parse_header(e), out);
}

void rh_evtx_close(rh_evtx *e)
{
    if (!e) {
        return;
    }
    rh_fd_close(e->fd);
    rh_free(e->ctx, e->path);
    rh_free(e->ctx, e);
}

const rh_evtx_info *rh_evtx_get_info(const rh_evtx *e)
{
    return &e->info;
}

const rh_evtx_stats *rh_evtx_get_stats(const rh_evtx *e)
{
    return &e->stats;
}

/* ---- reading ------------------------------------------------------------------------ */

struct worker_buf {
    struct evtx_chunk ch;
    uint8_t *buf; /* EVTX_CHUNK_SIZE */
};

static uint64_t item_count(const rh_evtx *e)
{
    if (e->size <= EVTX_FILE_HEADER_SIZE) {
        return 0;
    }
    return (e->size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE;
}

/* Read and parse work item i into b. */
static void process_item(rh_evtx *e, struct worker_buf *w, uint64_t i, struct evtx_batch *b)
{
    uint64_t off = EVTX_FILE_HEADER_SIZE + i * EVTX_CHUNK_SIZE;
    size_t len = (size_t)(e->size - off < EVTX_CHUNK_SIZE ? e->size - off : EVTX_CHUNK_SIZE);
    const uint8_t *data;
    if (e->fd < 0 && len == EVTX_CHUNK_SIZE) {
        data = e->mem + off;
    } else {
        if (len < EVTX_CHUNK_SIZE) {
            memset(w->buf + len, 0, EVTX_CHUNK_SIZE - len);
        }
        if (read_at(e, off, w->buf, len) != RH_OK) {
            b->status = RH_ERR_IO;
            return;
        }
        data = w->buf;
    }
    evtx_chunk_process(&w->ch, data, len, off, b);
}

struct deliver_ctx {
    rh_evtx *e;
    rh_evtx_record_fn fn;
    void *user;
};

/* Report a batch in order. Returns RH_OK to go on. */
static rh_status deliver(struct deliver_ctx *d, struct evtx_batch *b)
{
    rh_evtx *e = d->e;
    size_t i;
    rh_status st;
    e->stats.chunks++;
    e->stats.chunks_empty += b->empty;
    e->stats.chunks_bad += b->bad;
    e->stats.chunk_header_crc_bad += b->hcrc_bad;
    e->stats.chunk_data_crc_bad += b->dcrc_bad;
    e->stats.records_bad += b->records_bad;
    for (i = 0; i < b->n; i++) {
        struct evtx_entry *en = &b->entries[i];
        if (en->kind == EVTX_ENTRY_DIAG) {
            if (en->level == RH_DIAG_ANOMALY) {
                e->stats.anomalies++;
            }
            st = rh_diagf(e->ctx, en->level, COMPONENT, e->path, en->offset, "%s", en->msg);
            if (st != RH_OK) {
                return st;
            }
            continue;
        }
        en->ev.source = e->path;
        en->rec.event = &en->ev;
        e->stats.records++;
        if (en->rec.flags & RH_EVENT_RECOVERED) {
            e->stats.records_recovered++;
        }
        st = d->fn(&en->rec, d->user);
        if (st != RH_OK) {
            return st;
        }
    }
    if (b->status != RH_OK) {
        if (b->status == RH_ERR_IO) {
            rh_diagf(e->ctx, RH_DIAG_ERROR, COMPONENT, e->path, -1, "read error");
        }
        return b->status;
    }
    return RH_OK;
}

/* ---- threads ---------------------------------------------------------------------------- */

enum { SLOT_FREE = 0, SLOT_BUSY = 1, SLOT_READY = 2 };

struct pool {
    rh_evtx *e;
    unsigned flags;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t items, next_item;
    bool stop;
    unsigned nslots;
    struct evtx_batch *batches;
    int *state;
    uint64_t *slot_item;
};

struct worker_arg {
    struct pool *p;
    struct worker_buf w;
};

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    struct pool *p = wa->p;
    for (;;) {
        uint64_t i;
        unsigned s;
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->next_item < p->items &&
               p->state[p->next_item % p->nslots] != SLOT_FREE) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        if (p->stop || p->next_item >= p->items) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        i = p->next_item++;
        s = (unsigned)(i % p->nslots);
        p->state[s] = SLOT_BUSY;
        p->slot_item[s] = i;
        pthread_mutex_unlock(&p->mu);
        process_item(p->e, &wa->w, i, &p->batches[s]);
        pthread_mutex_lock(&p->mu);
        p->state[s] = SLOT_READY;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static rh_status read_threaded(struct deliver_ctx *d, unsigned flags, unsigned threads)
{
    rh_evtx *e = d->e;
    rh_ctx *ctx = e->ctx;
    struct pool p;
    struct worker_arg *wa;
    pthread_t *tids;
    unsigned t, started = 0;
    uint64_t i;
    rh_status st = RH_OK;
    memset(&p, 0, sizeof(p));
    p.e = e;
    p.flags = flags;
    p.items = item_count(e);
    p.nslots = threads * 2;
    p.batches = rh_calloc(ctx, p.nslots, sizeof(*p.batches));
    p.state = rh_calloc(ctx, p.nslots, sizeof(*p.state));
    p.slot_item = rh_calloc(ctx, p.nslots, sizeof(*p.slot_item));
    wa = rh_calloc(ctx, threads, sizeof(*wa));
    tids = rh_calloc(ctx, threads, sizeof(*tids));
    if (!p.batches || !p.state || !p.slot_item || !wa || !tids) {
        st = RH_ERR_NOMEM;
        goto out;
    }
    for (t = 0; t < p.nslots; t++) {
        evtx_batch_init(&p.batches[t], ctx);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (t = 0; t < threads; t++) {
        wa[t].p = &p;
        evtx_chunk_init(&wa[t].w.ch, ctx, flags);
        wa[t].w.buf = rh_malloc(ctx, EVTX_CHUNK_SIZE);
        if (!wa[t].w.buf) {
            st = RH_ERR_NOMEM;
            break;
        }
    }
    for (t = 0; st == RH_OK && t < threads; t++) {
        if (pthread_create(&tids[t], NULL, worker_main, &wa[t]) != 0) {
            break;
        }
        started++;
    }
    if (st == RH_OK && started == 0) {
        st = RH_ERR_NOMEM;
    }
    for (i = 0; st == RH_OK && i < p.items; i++) {
        unsigned s = (unsigned)(i % p.nslots);
        pthread_mutex_lock(&p.mu);
        while (!(p.state[s] == SLOT_READY && p.slot_item[s] == i)) {
            pthread_cond_wait(&p.cv, &p.mu);
        }
        pthread_mutex_unlock(&p.mu);
        st = deliver(d, &p.batches[s]);
        evtx_batch_reset(&p.batches[s]);
        pthread_mutex_lock(&p.mu);
        p.state[s] = SLOT_FREE;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }
    pthread_mutex_lock(&p.mu);
    p.stop = true;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
    }
    for (t = 0; t < threads; t++) {
        evtx_chunk_free(&wa[t].w.ch);
        rh_free(ctx, wa[t].w.buf);
    }
    for (t = 0; t < p.nslots; t++) {
        evtx_batch_free(&p.batches[t]);
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
out:
    rh_free(ctx, p.batches);
    rh_free(ctx, p.state);
    rh_free(ctx, p.slot_item);
    rh_free(ctx, wa);
    rh_free(ctx, tids);
    return st;
}

/* A stream: the chunks in order, one 64 KiB block at a time, until its end (the last block
 * may be partial: slack or truncation), bounded by max_file_size. */
static rh_status read_stream(struct deliver_ctx *d, unsigned flags)
{
    rh_evtx *e = d->e;
    struct worker_buf w;
    struct evtx_batch b;
    uint64_t max = rh_ctx_limits(e->ctx)->max_file_size;
    rh_status st = RH_OK;
    evtx_chunk_init(&w.ch, e->ctx, flags);
    evtx_batch_init(&b, e->ctx);
    w.buf = rh_malloc(e->ctx, EVTX_CHUNK_SIZE);
    if (!w.buf) {
        st = RH_ERR_NOMEM;
    }
    while (st == RH_OK && e->size == UINT64_MAX) {
        uint64_t off = e->pos;
        size_t got = 0;
        st = stream_read(e, w.buf, EVTX_CHUNK_SIZE, &got);
        if (st != RH_OK) {
            break;
        }
        if (got < EVTX_CHUNK_SIZE) {
            e->size = off + got;
            memset(w.buf + got, 0, EVTX_CHUNK_SIZE - got);
        }
        if (e->pos > max) {
            rh_diagf(e->ctx, RH_DIAG_ERROR, COMPONENT, e->path, (int64_t)off,
                     "log larger than max_file_size (%llu bytes): rest not read",
                     (unsigned long long)max);
            st = RH_ERR_LIMIT;
            break;
        }
        if (got) {
            evtx_chunk_process(&w.ch, w.buf, got, off, &b);
            st = deliver(d, &b);
            evtx_batch_reset(&b);
        }
    }
    if (e->size != UINT64_MAX) {
        e->info.file_size = e->size;
        if (e->size > EVTX_FILE_HEADER_SIZE) {
            e->info.chunks_in_file = (e->size - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
            e->info.slack_bytes = (e->size - EVTX_FILE_HEADER_SIZE) % EVTX_CHUNK_SIZE;
        }
    }
    rh_free(e->ctx, w.buf);
    evtx_batch_free(&b);
    evtx_chunk_free(&w.ch);
    return st;
}

rh_status rh_evtx_read(rh_evtx *e, const rh_evtx_read_opts *opts, rh_evtx_record_fn fn, void *user)
{
    unsigned flags = opts ? opts->flags : 0, threads = opts ? opts->threads : 0;
    struct deliver_ctx d = {e, fn, user};
    struct worker_buf w;
    struct evtx_batch b;
    uint64_t i, n = item_count(e);
    rh_status st = RH_OK;
    memset(&e->stats, 0, sizeof(e->stats));
    if (e->rd) {
        return read_stream(&d, flags);
    }
    if (threads > 64) {
        threads = 64;
    }
    if (threads > 1 && n > 1) {
        return read_threaded(&d, flags, threads);
    }
    evtx_chunk_init(&w.ch, e->ctx, flags);
    evtx_batch_init(&b, e->ctx);
    w.buf = rh_malloc(e->ctx, EVTX_CHUNK_SIZE);
    if (!w.buf) {
        st = RH_ERR_NOMEM;
    }
    for (i = 0; st == RH_OK && i < n; i++) {
        process_item(e, &w, i, &b);
        st = deliver(&d, &b);
        evtx_batch_reset(&b);
    }
    rh_free(e->ctx, w.buf);
    evtx_batch_free(&b);
    evtx_chunk_free(&w.ch);
    return st;
}
