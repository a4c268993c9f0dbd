/*
 * Event inputs: one byte stream (a file, memory, or a caller's read function; gzip inflated on
 * the fly), one sniff of its first bytes, one reader per format:
 *
 *  - EVTX ("ElfFile" signature; or, for plain uncompressed input, anything that is not JSON:
 *    an EVTX whose header is damaged but whose chunks are intact): rh_evtx reader. A file is
 *    read by rh_evtx_open, memory in place; a compressed or archived log is streamed chunk by
 *    chunk (rh_evtx_open_cb), never gathered whole.
 *  - JSON, streamed value by value (events_json_stream.c): NDJSON line by line; arrays element
 *    by element; pretty-printed objects back to back. No input is read whole.
 *  - CSV (events_csv.c): text whose first line holds a comma; the header names the export
 *    shape (events_edr.c), then record by record.
 *
 * Limits (docs/limits.md): decompressed bytes <= max_file_size, a gzip expansion ratio cap
 * (EVENTS_MAX_RATIO after the first EVENTS_RATIO_FREE bytes), one JSON value or NDJSON line
 * <= EVENTS_MAX_VALUE bytes, nesting <= EVENTS_MAX_DEPTH.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <zlib.h>

#include "events_internal.h"

#define COMPONENT "events"

static rh_status evtx_cb(const rh_evtx_record *rec, void *user)
{
    struct events_src *src = user;
    return src->fn(rec->event, src->user);
}

static rh_status read_evtx(struct events_src *src, rh_evtx *e, const rh_events_opts *opts)
{
    rh_evtx_read_opts ro;
    rh_status st;
    memset(&ro, 0, sizeof(ro));
    ro.flags = opts ? (opts->flags & RH_EVENTS_RECOVER) : 0;
    ro.threads = opts ? opts->threads : 0;
    st = rh_evtx_read(e, &ro, evtx_cb, src);
    rh_evtx_close(e);
    return st;
}

/* ---- the byte stream ------------------------------------------------------------------------ */

static rh_status gz_limit(struct events_in *in, const char *what, unsigned long long limit)
{
    rh_diagf(in->src->ctx, RH_DIAG_ERROR, COMPONENT, in->src->path, (int64_t)in->out_bytes,
             "gzip data refused: %s %llu (docs/limits.md)", what, limit);
    return RH_ERR_LIMIT;
}

/* Raw (compressed or plain) bytes from the source; 0 at the end. */
static rh_status raw_read(struct events_in *in, uint8_t *p, size_t n, size_t *got)
{
    *got = 0;
    if (in->fd >= 0) {
        int64_t r = rh_fd_read(in->fd, p, n);
        if (r < 0) {
            rh_diagf(in->src->ctx, RH_DIAG_ERROR, COMPONENT, in->src->path, (int64_t)in->in_bytes,
                     "read failed: %s", strerror(errno));
            return RH_ERR_IO;
        }
        *got = (size_t)r;
    } else if (in->rd) {
        rh_status st = in->rd(in->rd_user, p, n, got);
        if (st != RH_OK) {
            return st;
        }
        *got = *got > n ? n : *got;
    } else {
        size_t left = in->mem_len - in->mem_pos;
        *got = left < n ? left : n;
        memcpy(p, in->mem + in->mem_pos, *got);
        in->mem_pos += *got;
    }
    in->in_bytes += *got;
    return RH_OK;
}

/* More compressed input for inflate when it has used up what it had. */
static rh_status refill_z(struct events_in *in)
{
    size_t got;
    rh_status st;
    if (in->zs.avail_in != 0 || in->raw_eof) {
        return RH_OK;
    }
    st = raw_read(in, in->zbuf, sizeof(in->zbuf), &got);
    in->zs.next_in = in->zbuf;
    in->zs.avail_in = (uInt)(st == RH_OK ? got : 0);
    in->raw_eof = st != RH_OK || got == 0;
    return st;
}

/* Inflate into buf; handles concatenated gzip members; caps size and ratio. */
static rh_status inflate_some(struct events_in *in)
{
    for (;;) {
        int zr;
        size_t before;
        rh_status st = refill_z(in);
        if (st != RH_OK) {
            return st;
        }
        in->zs.next_out = in->buf;
        in->zs.avail_out = sizeof(in->buf);
        before = in->zs.avail_in;
        zr = inflate(&in->zs, Z_NO_FLUSH);
        in->len = sizeof(in->buf) - in->zs.avail_out;
        in->pos = 0;
        if (zr == Z_STREAM_END) {
            /* Concatenated members (as gzread reads them); anything else ends the data. */
            st = refill_z(in);
            if (st != RH_OK) {
                return st;
            }
            if (in->zs.avail_in == 0 || in->zs.next_in[0] != 0x1f ||
                inflateReset(&in->zs) != Z_OK) {
                in->zdone = 1;
            }
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rh_diagf(in->src->ctx, RH_DIAG_ERROR, COMPONENT, in->src->path, (int64_t)in->out_bytes,
                     "bad gzip data: %s", in->zs.msg ? in->zs.msg : "inflate failed");
            return RH_ERR_CORRUPT;
        } else if (in->len == 0 && before == in->zs.avail_in && in->raw_eof) {
            rh_diagf(in->src->ctx, RH_DIAG_ANOMALY, COMPONENT, in->src->path,
                     (int64_t)in->out_bytes, "gzip data truncated");
            in->zdone = 1;
        }
        in->out_bytes += in->len;
        if (in->out_bytes > in->max_out) {
            return gz_limit(in, "decompressed size above max_file_size", in->max_out);
        }
        if (in->out_bytes > EVENTS_RATIO_FREE &&
            in->out_bytes / EVENTS_MAX_RATIO > (in->in_bytes ? in->in_bytes : 1)) {
            return gz_limit(in, "expansion ratio above", EVENTS_MAX_RATIO);
        }
        if (in->len || in->zdone) {
            return RH_OK;
        }
    }
}

rh_status events_in_fill(struct events_in *in)
{
    rh_status st;
    if (in->pos < in->len || in->eof) {
        return RH_OK;
    }
    if (in->gz) {
        in->pos = in->len = 0;
        st = in->zdone ? RH_OK : inflate_some(in);
        if (st == RH_OK && in->len == 0) {
            in->eof = 1;
        }
        return st;
    }
    st = raw_read(in, in->buf, sizeof(in->buf), &in->len);
    in->pos = 0;
    in->out_bytes += in->len;
    if (st == RH_OK && in->len == 0) {
        in->eof = 1;
    }
    return st;
}

static void in_init(struct events_in *in, struct events_src *src)
{
    memset(in, 0, sizeof(*in));
    in->src = src;
    in->fd = -1;
    in->max_out = rh_ctx_limits(src->ctx)->max_file_size;
}

/* Look at the first bytes: gzip (switch to inflating), then fill the first buffer. */
static rh_status in_start(struct events_in *in)
{
    rh_status st = events_in_fill(in);
    if (st != RH_OK || in->len < 2 || in->buf[0] != 0x1f || in->buf[1] != 0x8b) {
        return st;
    }
    memset(&in->zs, 0, sizeof(in->zs));
    if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK) {
        return RH_ERR_NOMEM;
    }
    in->gz = 1;
    /* The bytes already read are compressed input. */
    memcpy(in->zbuf, in->buf, in->len);
    in->zs.next_in = in->zbuf;
    in->zs.avail_in = (uInt)in->len;
    in->out_bytes = 0;
    in->len = in->pos = 0;
    return events_in_fill(in);
}

static void in_end(struct events_in *in)
{
    if (in->gz) {
        inflateEnd(&in->zs);
    }
    if (in->own_fd) {
        rh_fd_close(in->fd);
    }
}

/* The stream's bytes from where the sniff left them (rh_read_fn over an events_in): an EVTX
 * that is compressed or comes from a callback is read chunk by chunk from here. */
static rh_status in_read(void *user, void *p, size_t n, size_t *got)
{
    struct events_in *in = user;
    size_t k;
    rh_status st = events_in_fill(in);
    *got = 0;
    if (st != RH_OK || in->eof) {
        return st;
    }
    k = in->len - in->pos < n ? in->len - in->pos : n;
    memcpy(p, in->buf + in->pos, k);
    in->pos += k;
    *got = k;
    return RH_OK;
}

/* ---- one sniff, one dispatch ------------------------------------------------------------------
 */

static size_t skip_ws(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        i = 3;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return i;
}

/* Text whose first line has a comma and no control bytes but tab/CR: a CSV header. */
static int looks_csv(const uint8_t *p, size_t n)
{
    size_t i;
    int comma = 0;
    for (i = 0; i < n && p[i] != '\n'; i++) {
        if (p[i] == ',') {
            comma = 1;
        } else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') {
            return 0;
        }
    }
    return comma;
}

/* in is started; path is set for a plain file (rh_evtx_open reads it itself). */
static rh_status read_stream(struct events_src *src, struct events_in *in, const char *path,
                             const rh_events_opts *opts)
{
    const uint8_t *d = in->buf + in->pos;
    size_t n = in->len - in->pos, s = skip_ws(d, n);
    int evtx_sig = n >= EVTX_FILE_SIG_LEN && memcmp(d, EVTX_FILE_SIG, EVTX_FILE_SIG_LEN) == 0;
    rh_status st;
    if (s < n && (d[s] == '{' || d[s] == '[') && !evtx_sig) {
        st = events_jev_create(src);
        if (st == RH_OK) {
            st = events_json_stream(src, in);
        }
        events_jev_free(src);
        return st;
    }
    if (!evtx_sig && looks_csv(d + s, n - s)) {
        return events_csv_stream(src, in);
    }
    /* A damaged EVTX header is tried only when a chunk follows it (plain memory and files), so
     * that other data is refused here, not read further. */
    if (!evtx_sig && (in->gz || n == 0 ||
                      (!path && !in->mem &&
                       (n < EVTX_FILE_HEADER_SIZE + 8 ||
                        memcmp(d + EVTX_FILE_HEADER_SIZE, EVTX_CHUNK_SIG, 8) != 0)))) {
        rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, 0,
                 "unrecognised input (neither EVTX, JSON/NDJSON nor CSV)");
        return RH_ERR_FORMAT;
    }
    /* EVTX, or maybe one whose header is damaged but whose chunks are intact. */
    if (path && !in->gz) {
        rh_evtx *e = NULL;
        st = rh_evtx_open(src->ctx, path, &e);
        return st == RH_OK ? read_evtx(src, e, opts) : st;
    }
    if (in->mem && !in->gz) {
        rh_evtx *e = NULL;
        st = rh_evtx_open_mem(src->ctx, src->path, in->mem, in->mem_len, &e);
        return st == RH_OK ? read_evtx(src, e, opts) : st;
    }
    {
        rh_evtx *e = NULL;
        st = rh_evtx_open_cb(src->ctx, src->path, in_read, in, &e);
        return st == RH_OK ? read_evtx(src, e, opts) : st;
    }
}

static void setup(struct events_src *src, struct events_in *in, rh_ctx *ctx, const char *name,
                  rh_event_fn fn, void *user)
{
    memset(src, 0, sizeof(*src));
    src->ctx = ctx;
    src->path = name;
    src->fn = fn;
    src->user = user;
    in_init(in, src);
}

/* Sniff, read and close one stream that setup() and its caller prepared. */
static rh_status run(struct events_src *src, struct events_in *in, const char *path,
                     const rh_events_opts *opts)
{
    rh_status st = in_start(in);
    if (st == RH_OK) {
        st = read_stream(src, in, path, opts);
    }
    events_edr_free(src);
    in_end(in);
    return st;
}

rh_status rh_events_read_file(rh_ctx *ctx, const char *path, const rh_events_opts *opts,
                              rh_event_fn fn, void *user)
{
    struct events_src src;
    struct events_in in;
    uint64_t size;
    if (!ctx || !path || !fn) {
        return RH_ERR_ARG;
    }
    setup(&src, &in, ctx, path, fn, user);
    if (rh_file_open(ctx, COMPONENT, path, &in.fd, &size) != RH_OK) {
        return RH_ERR_IO;
    }
    in.own_fd = 1;
    return run(&src, &in, path, opts);
}

rh_status rh_events_read_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                             const rh_events_opts *opts, rh_event_fn fn, void *user)
{
    struct events_src src;
    struct events_in in;
    if (!ctx || !name || (!data && len) || !fn) {
        return RH_ERR_ARG;
    }
    setup(&src, &in, ctx, name, fn, user);
    in.mem = data;
    in.mem_len = len;
    return run(&src, &in, NULL, opts);
}

rh_status rh_events_read_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *rd_user,
                            const rh_events_opts *opts, rh_event_fn fn, void *user)
{
    struct events_src src;
    struct events_in in;
    if (!ctx || !name || !rd || !fn) {
        return RH_ERR_ARG;
    }
    setup(&src, &in, ctx, name, fn, user);
    in.rd = rd;
    in.rd_user = rd_user;
    return run(&src, &in, NULL, opts);
}
