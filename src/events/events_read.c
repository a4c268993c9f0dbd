/*
 * rh_events_read_file(): detect the input format and stream normalized events.
 *
 *  - EVTX ("ElfFile" signature; or a chunk at 4 KiB): rh_evtx reader, chunk by chunk.
 *    A gzip-compressed EVTX is inflated into memory first (bounded by max_file_size).
 *  - JSON: first non-blank byte '{' -> NDJSON, one object per line, streamed; if the first
 *    object spans several lines (pretty-printed), or the input starts with '[', the whole
 *    input is read as a document (array, or objects back to back).
 * gzip is detected by zlib (gzopen reads plain files unchanged).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

#include "events_internal.h"

#define COMPONENT "events"
/* Longest NDJSON line accepted (one event); real events are a few KiB. */
#define MAX_LINE (64u << 20)

static rh_status evtx_cb(const rh_evtx_record *rec, void *user)
{
    struct events_src *src = user;
    return src->fn(rec->event, src->user);
}

static rh_status read_evtx(struct events_src *src, rh_evtx *e, const rh_events_opts *opts)
{
    rh_evtx_read_opts ro;
    memset(&ro, 0, sizeof(ro));
    ro.flags = opts ? (opts->flags & RH_EVENTS_RECOVER) : 0;
    ro.threads = opts ? opts->threads : 0;
    return rh_evtx_read(e, &ro, evtx_cb, src);
}

/* Read the rest of gz into memory (capped). Owned: *out freed with rh_free. */
static rh_status slurp(struct events_src *src, gzFile gz, uint64_t max, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = rh_malloc(src->ctx, cap + 1);
    *out = NULL;
    *len = 0;
    if (!buf) {
        return RH_ERR_NOMEM;
    }
    for (;;) {
        int r;
        if (n == cap) {
            char *nb;
            if ((uint64_t)cap * 2 > max + 1) {
                if (cap > max) {
                    rh_free(src->ctx, buf);
                    rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1,
                             "input larger than max_file_size once decompressed");
                    return RH_ERR_LIMIT;
                }
            }
            nb = rh_realloc(src->ctx, buf, cap * 2 + 1);
            if (!nb) {
                rh_free(src->ctx, buf);
                return RH_ERR_NOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        r = gzread(gz, buf + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (r < 0) {
            int errnum;
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, (int64_t)n, "read error: %s",
                     gzerror(gz, &errnum));
            rh_free(src->ctx, buf);
            return RH_ERR_IO;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
        if (n > max) {
            rh_free(src->ctx, buf);
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1,
                     "input larger than max_file_size once decompressed");
            return RH_ERR_LIMIT;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return RH_OK;
}

/* Read one line (without the newline) into *line. Returns RH_OK, RH_END, or an error. */
static rh_status read_line(struct events_src *src, gzFile gz, rh_buf *line)
{
    rh_buf_reset(line);
    for (;;) {
        char chunk[8192];
        size_t n;
        if (!gzgets(gz, chunk, sizeof(chunk))) {
            int errnum;
            gzerror(gz, &errnum);
            if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
                rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1, "read error");
                return RH_ERR_IO;
            }
            return line->len ? RH_OK : RH_END;
        }
        n = strlen(chunk);
        if (rh_buf_append(line, chunk, n) != RH_OK) {
            return RH_ERR_NOMEM;
        }
        if (n && chunk[n - 1] == '\n') {
            line->data[--line->len] = '\0';
            return RH_OK;
        }
        if (line->len > MAX_LINE) {
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1, "line longer than %u bytes",
                     MAX_LINE);
            return RH_ERR_LIMIT;
        }
    }
}

static size_t skip_ws(const char *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF) {
        i = 3;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return i;
}

static rh_status read_document(struct events_src *src, gzFile gz)
{
    char *buf;
    size_t len;
    rh_status st;
    if (gzrewind(gz) != 0) {
        return RH_ERR_IO;
    }
    st = slurp(src, gz, rh_ctx_limits(src->ctx)->max_file_size, &buf, &len);
    if (st != RH_OK) {
        return st;
    }
    st = events_json_document(src, buf, len);
    rh_free(src->ctx, buf);
    return st;
}

static rh_status read_ndjson(struct events_src *src, gzFile gz)
{
    rh_buf line;
    uint64_t lineno = 0, objects = 0;
    rh_status st = RH_OK;
    rh_buf_init(&line, src->ctx);
    for (;;) {
        json_error_t err;
        json_t *v;
        size_t s;
        st = read_line(src, gz, &line);
        if (st == RH_END) {
            st = RH_OK;
            break;
        }
        if (st != RH_OK) {
            break;
        }
        lineno++;
        s = skip_ws(line.data, line.len);
        if (s == line.len) {
            continue;
        }
        if (line.data[s] == '[' && objects == 0) {
            st = read_document(src, gz);
            break;
        }
        v = json_loadb(line.data + s, line.len - s, JSON_ALLOW_NUL, &err);
        if (!v) {
            if (objects == 0) {
                /* Pretty-printed or concatenated objects: read it as one document. */
                st = read_document(src, gz);
                break;
            }
            st = rh_diag_at(src->ctx, RH_DIAG_ANOMALY, COMPONENT, src->path, (int)lineno,
                            err.column, "invalid JSON line skipped: %s", err.text);
            if (st != RH_OK) {
                break;
            }
            continue;
        }
        objects++;
        st = events_json_object(src, v, lineno);
        json_decref(v);
        if (st != RH_OK) {
            break;
        }
    }
    rh_buf_free(&line);
    return st;
}

rh_status rh_events_read_file(rh_ctx *ctx, const char *path, const rh_events_opts *opts,
                              rh_event_fn fn, void *user)
{
    struct events_src src;
    uint8_t head[64];
    int fd, n;
    gzFile gz;
    rh_status st;
    size_t s;
    memset(&src, 0, sizeof(src));
    src.ctx = ctx;
    src.path = path;
    src.fn = fn;
    src.user = user;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rh_diagf(ctx, RH_DIAG_ERROR, COMPONENT, path, -1, "cannot open: %s", strerror(errno));
        return RH_ERR_IO;
    }
    gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return RH_ERR_NOMEM;
    }
    n = gzread(gz, head, sizeof(head));
    if (n < 0) {
        rh_diagf(ctx, RH_DIAG_ERROR, COMPONENT, path, 0, "cannot read (bad gzip data?)");
        gzclose(gz);
        return RH_ERR_IO;
    }
    if (n >= 8 && memcmp(head, EVTX_FILE_SIG, EVTX_FILE_SIG_LEN) == 0) {
        rh_evtx *e = NULL;
        if (gzdirect(gz)) {
            gzclose(gz);
            st = rh_evtx_open(ctx, path, &e);
            if (st == RH_OK) {
                st = read_evtx(&src, e, opts);
            }
            rh_evtx_close(e);
            return st;
        } else {
            char *buf;
            size_t len;
            gzrewind(gz);
            st = slurp(&src, gz, rh_ctx_limits(ctx)->max_file_size, &buf, &len);
            gzclose(gz);
            if (st != RH_OK) {
                return st;
            }
            st = rh_evtx_open_mem(ctx, path, buf, len, &e);
            if (st == RH_OK) {
                st = read_evtx(&src, e, opts);
            }
            rh_evtx_close(e);
            rh_free(ctx, buf);
            return st;
        }
    }
    s = skip_ws((const char *)head, (size_t)n);
    if (s >= (size_t)n || (head[s] != '{' && head[s] != '[')) {
        if (gzdirect(gz)) {
            /* Maybe an EVTX file whose header is damaged but whose chunks are intact. */
            rh_evtx *e = NULL;
            gzclose(gz);
            st = rh_evtx_open(ctx, path, &e);
            if (st == RH_OK) {
                st = read_evtx(&src, e, opts);
            }
            rh_evtx_close(e);
            return st;
        }
        gzclose(gz);
        rh_diagf(ctx, RH_DIAG_ERROR, COMPONENT, path, 0,
                 "unrecognised input (neither EVTX nor JSON/NDJSON)");
        return RH_ERR_FORMAT;
    }
    if (gzrewind(gz) != 0 || events_jev_create(&src) != RH_OK) {
        gzclose(gz);
        return RH_ERR_NOMEM;
    }
    st = read_ndjson(&src, gz);
    events_jev_free(&src);
    gzclose(gz);
    return st;
}

/* ---- inputs held in memory (archive members) ---------------------------------------------- */

/* Inflate a gzip image (one or more members back to back) into memory, capped by max.
 * Owned: *out freed with rh_free, NUL-terminated. */
static rh_status gunzip_mem(struct events_src *src, const uint8_t *data, size_t len, uint64_t max,
                            char **out, size_t *olen)
{
    z_stream zs;
    size_t cap = 1 << 16, n = 0;
    char *buf;
    rh_status st = RH_OK;
    int zr;
    *out = NULL;
    *olen = 0;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return RH_ERR_NOMEM;
    }
    buf = rh_malloc(src->ctx, cap + 1);
    if (!buf) {
        inflateEnd(&zs);
        return RH_ERR_NOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = 0;
    for (;;) {
        size_t in_chunk, before_in, before_out;
        if (zs.avail_in == 0) {
            size_t used = (size_t)(zs.next_in - (const Bytef *)data);
            if (used >= len) {
                break;
            }
            in_chunk = len - used > (1u << 30) ? (1u << 30) : len - used;
            zs.avail_in = (uInt)in_chunk;
        }
        if (n == cap) {
            char *nb;
            if (cap > max) {
                rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1,
                         "input larger than max_file_size once decompressed");
                st = RH_ERR_LIMIT;
                break;
            }
            nb = rh_realloc(src->ctx, buf, cap * 2 + 1);
            if (!nb) {
                st = RH_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        zs.next_out = (Bytef *)buf + n;
        zs.avail_out = (uInt)(cap - n > (1u << 30) ? (1u << 30) : cap - n);
        before_in = zs.avail_in;
        before_out = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        n += before_out - zs.avail_out;
        if (zr == Z_STREAM_END) {
            /* Concatenated gzip members (as gzread reads them); trailing zeros end it. */
            if (zs.avail_in == 0 || zs.next_in[0] != 0x1f) {
                break;
            }
            if (inflateReset(&zs) != Z_OK) {
                st = RH_ERR_NOMEM;
                break;
            }
            continue;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, (int64_t)n, "bad gzip data: %s",
                     zs.msg ? zs.msg : "inflate failed");
            st = RH_ERR_CORRUPT;
            break;
        }
        if (zr == Z_BUF_ERROR && before_in == zs.avail_in && before_out == zs.avail_out) {
            /* No progress possible: the stream is truncated. Keep what was inflated. */
            rh_diagf(src->ctx, RH_DIAG_ANOMALY, COMPONENT, src->path, (int64_t)n,
                     "gzip data truncated");
            break;
        }
        if (n > max) {
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1,
                     "input larger than max_file_size once decompressed");
            st = RH_ERR_LIMIT;
            break;
        }
    }
    inflateEnd(&zs);
    if (st != RH_OK) {
        rh_free(src->ctx, buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *olen = n;
    return RH_OK;
}

/* NDJSON from memory, line by line, with the same fallbacks as read_ndjson(). */
static rh_status read_ndjson_mem(struct events_src *src, const char *buf, size_t len)
{
    size_t pos = 0;
    uint64_t lineno = 0, objects = 0;
    rh_status st = RH_OK;
    while (pos < len && st == RH_OK) {
        const char *p = buf + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos, s;
        json_error_t err;
        json_t *v;
        pos += n + (nl ? 1 : 0); /* forward progress: n + 1 bytes, or the rest */
        lineno++;
        if (n > MAX_LINE) {
            rh_diagf(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, -1, "line longer than %u bytes",
                     MAX_LINE);
            return RH_ERR_LIMIT;
        }
        s = skip_ws(p, n);
        if (s == n) {
            continue;
        }
        if (p[s] == '[' && objects == 0) {
            return events_json_document(src, buf, len);
        }
        v = json_loadb(p + s, n - s, JSON_ALLOW_NUL, &err);
        if (!v) {
            if (objects == 0) {
                return events_json_document(src, buf, len);
            }
            st = rh_diag_at(src->ctx, RH_DIAG_ANOMALY, COMPONENT, src->path, (int)lineno,
                            err.column, "invalid JSON line skipped: %s", err.text);
            continue;
        }
        objects++;
        st = events_json_object(src, v, lineno);
        json_decref(v);
    }
    return st;
}

static rh_status read_evtx_mem(struct events_src *src, const void *data, size_t len,
                               const rh_events_opts *opts)
{
    rh_evtx *e = NULL;
    rh_status st = rh_evtx_open_mem(src->ctx, src->path, data, len, &e);
    if (st == RH_OK) {
        st = read_evtx(src, e, opts);
    }
    rh_evtx_close(e);
    return st;
}

rh_status rh_events_read_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                             const rh_events_opts *opts, rh_event_fn fn, void *user)
{
    struct events_src src;
    const uint8_t *d = data;
    char *plain = NULL;
    size_t s;
    rh_status st;
    int gz = 0;
    if (!ctx || !name || (!data && len) || !fn) {
        return RH_ERR_ARG;
    }
    memset(&src, 0, sizeof(src));
    src.ctx = ctx;
    src.path = name;
    src.fn = fn;
    src.user = user;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        st = gunzip_mem(&src, d, len, rh_ctx_limits(ctx)->max_file_size, &plain, &len);
        if (st != RH_OK) {
            return st;
        }
        d = (const uint8_t *)plain;
        gz = 1;
    }
    if (len >= EVTX_FILE_SIG_LEN && memcmp(d, EVTX_FILE_SIG, EVTX_FILE_SIG_LEN) == 0) {
        st = read_evtx_mem(&src, d, len, opts);
    } else if ((s = skip_ws((const char *)d, len)) >= len || (d[s] != '{' && d[s] != '[')) {
        if (!gz && len) {
            /* Maybe an EVTX image whose header is damaged but whose chunks are intact. */
            st = read_evtx_mem(&src, d, len, opts);
        } else {
            rh_diagf(ctx, RH_DIAG_ERROR, COMPONENT, name, 0,
                     "unrecognised input (neither EVTX nor JSON/NDJSON)");
            st = RH_ERR_FORMAT;
        }
    } else if (events_jev_create(&src) != RH_OK) {
        st = RH_ERR_NOMEM;
    } else {
        st = read_ndjson_mem(&src, (const char *)d, len);
        events_jev_free(&src);
    }
    rh_free(ctx, plain);
    return st;
}
