/*
 * Zip archives (KAPE / Velociraptor collections, SIEM exports), read through libarchive and
 * never extracted to disk. Scanning an archive reads each member's name and its first bytes
 * only: a hive is recognised by its regf header, a transaction log by its name or header, an
 * event log by its name; nothing else is inflated. Member bytes are read again when they are
 * needed: a hive and its logs when the hunt opens it (rh_collection_open, freed by
 * rh_collection_release), an event log streamed through the events reader
 * (rh_collection_events_read). Memory is one hive at a time, never the archive. A member is
 * reached directly from its local header offset, recorded at scan time (open_at), so hunting
 * a zip of thousands of hosts stays linear.
 *
 * Limits (docs/limits.md): members per archive (RH_COLL_MAX_FILES), one hive or log member
 * (rh_limits.max_hive_size), bytes inflated from all archives (RH_COLL_MAX_ARCHIVE_IN).
 * Archives inside archives are named and not opened.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>

#include "collect_internal.h"
#include "reghunt/event.h"

#define COMP "collect"

static rh_status zip_open(rh_collection *c, const char *path, struct archive **out)
{
    struct archive *a = archive_read_new();
    *out = NULL;
    if (!a) {
        return RH_ERR_NOMEM;
    }
    archive_read_support_format_zip(a);
    archive_read_support_filter_none(a);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1, "cannot open zip archive: %s",
                 archive_error_string(a) ? archive_error_string(a) : "?");
        archive_read_free(a);
        return RH_ERR_IO;
    }
    *out = a;
    return RH_OK;
}

/* Up to n bytes of the current member into p; *got how many (fewer at its end). */
static rh_status read_some(struct archive *a, uint8_t *p, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        la_ssize_t r = archive_read_data(a, p + *got, n - *got);
        if (r < 0) {
            return RH_ERR_CORRUPT;
        }
        if (r == 0) {
            break;
        }
        *got += (size_t)r;
    }
    return RH_OK;
}

/* The current member, whole, growing with what arrives (its declared size is not trusted),
 * refused above max. Owned: *out. */
static rh_status read_bounded(rh_collection *c, struct archive *a, const char *archive,
                              const char *name, uint64_t max, uint8_t **out, size_t *len)
{
    rh_buf b = RH_BUF_INIT(c->ctx);
    uint8_t chunk[65536];
    rh_status st = RH_OK;
    *out = NULL;
    *len = 0;
    for (;;) {
        size_t got;
        st = read_some(a, chunk, sizeof(chunk), &got);
        if (st != RH_OK) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, archive, (int64_t)b.len,
                     "member %s: bad compressed data: %s", name,
                     archive_error_string(a) ? archive_error_string(a) : "?");
            break;
        }
        if (got == 0) {
            break;
        }
        if (b.len + got > max || c->archive_bytes + b.len + got > RH_COLL_MAX_ARCHIVE_IN) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, archive, -1,
                     "member %s refused: larger than %llu bytes (%s; docs/limits.md)", name,
                     (unsigned long long)(b.len + got > max ? max : RH_COLL_MAX_ARCHIVE_IN),
                     b.len + got > max ? "rh_limits.max_hive_size"
                                       : "RH_COLL_MAX_ARCHIVE_IN, all archives together");
            st = RH_ERR_LIMIT;
            break;
        }
        rh_buf_append(&b, (const char *)chunk, got);
        if ((st = rh_buf_status(&b)) != RH_OK) {
            break;
        }
    }
    if (st != RH_OK) {
        rh_buf_free(&b);
        return st;
    }
    c->archive_bytes += b.len;
    *out = (uint8_t *)(b.data ? b.data : rh_strdup(c->ctx, ""));
    *len = b.len;
    return *out ? RH_OK : RH_ERR_NOMEM;
}

/* ---- scan ------------------------------------------------------------------------------------ */

struct pending_log {
    char *norm;   /* normalised member path */
    char *member; /* as stored */
    int64_t at;   /* local header offset */
};

struct scan {
    rh_collection *c;
    const char *path;
    struct pending_log *logs;
    size_t nlogs, caplogs, first;
};

static rh_status pend_log(struct scan *s, const char *name, int64_t at)
{
    if (s->nlogs == s->caplogs) {
        size_t nc = s->caplogs ? s->caplogs * 2 : 8;
        struct pending_log *nl = rh_realloc(s->c->ctx, s->logs, nc * sizeof(*nl));
        if (!nl) {
            return RH_ERR_NOMEM;
        }
        s->logs = nl;
        s->caplogs = nc;
    }
    s->logs[s->nlogs].at = at;
    s->logs[s->nlogs].member = rh_strdup(s->c->ctx, name);
    if (!s->logs[s->nlogs].member) {
        return RH_ERR_NOMEM;
    }
    if (collect_make_norm(s->c->ctx, name, &s->logs[s->nlogs].norm) != RH_OK) {
        rh_free(s->c->ctx, s->logs[s->nlogs].member);
        return RH_ERR_NOMEM;
    }
    s->nlogs++;
    return RH_OK;
}

/* One member: by name (event log), else by its first bytes (hive, log, nested archive). */
static rh_status scan_member(struct scan *s, struct archive *a, struct archive_entry *ae)
{
    rh_collection *c = s->c;
    const char *name = archive_entry_pathname(ae), *b;
    uint64_t size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0
                        ? (uint64_t)archive_entry_size(ae)
                        : 0;
    uint8_t hdr[HDR_READ];
    size_t bn, got;
    int64_t at;
    rh_status st;
    struct coll_entry *e = NULL;
    rh_buf src = RH_BUF_INIT(c->ctx);
    if (!name || archive_entry_filetype(ae) != AE_IFREG || strlen(name) > RH_COLL_MAX_PATH) {
        return RH_OK;
    }
    b = collect_base_name(name, &bn);
    if (collect_is_event_name(b, bn)) {
        return c->flags & RH_COLL_NO_EVENTS
                   ? RH_OK
                   : collect_add_events(c, s->path, name, size, archive_read_header_position(a));
    }
    at = archive_read_header_position(a);
    if (read_some(a, hdr, sizeof(hdr), &got) != RH_OK) {
        rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, s->path, -1, "member %s: unreadable: skipped",
                 name);
        return RH_OK;
    }
    if (got >= 4 && memcmp(hdr, "PK\x03\x04", 4) == 0) {
        rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, s->path, -1,
                 "member %s is an archive inside the archive: not opened (extract it and hunt "
                 "the extracted archive)",
                 name);
        return RH_OK;
    }
    if (got < 4 || memcmp(hdr, "regf", 4) != 0) {
        if (got >= 4 && rh_hive_kind_from_file(b, bn) != RH_HIVE_KIND_UNKNOWN) {
            rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, s->path, -1,
                     "member %s is named like a hive but has no regf header: skipped", name);
        }
        return RH_OK;
    }
    if (collect_is_log_name(b, bn) || (got >= HDR_READ && rh_le32(hdr + HDR_FILE_TYPE) != 0)) {
        return pend_log(s, name, at);
    }
    if (!collect_header_is_hive(hdr, got)) {
        return RH_OK;
    }
    st = rh_buf_printf(&src, "%s!%s", s->path, name);
    if (st == RH_OK) {
        st = collect_add_entry(c, src.data, name, s->path, hdr, size, &e);
    }
    rh_buf_free(&src);
    if (st == RH_OK && e) {
        e->archive = rh_strdup(c->ctx, s->path);
        e->member = rh_strdup(c->ctx, name);
        e->at = at;
        st = e->archive && e->member ? RH_OK : RH_ERR_NOMEM;
    }
    return st;
}

/* Attach the logs to the hive of the same member path (SYSTEM.LOG1 -> SYSTEM). */
static rh_status attach_logs(struct scan *s)
{
    rh_collection *c = s->c;
    rh_status st = RH_OK;
    size_t i, j;
    for (i = 0; i < s->nlogs && st == RH_OK; i++) {
        size_t ln = strlen(s->logs[i].norm), bn;
        const char *b = collect_base_name(s->logs[i].norm, &bn);
        int slot = collect_is_log_name(b, bn);
        size_t sl = slot == 1 ? 4 : 5;
        for (j = s->first; slot && j < c->n; j++) {
            struct coll_entry *e = &c->e[j];
            struct coll_log *l = &e->logs[slot - 1];
            if (strlen(e->norm) != ln - sl ||
                rh_ascii_casecmp(e->norm, ln - sl, s->logs[i].norm, ln - sl) != 0) {
                continue;
            }
            if (!l->member) {
                l->name = s->logs[i].norm;
                l->member = s->logs[i].member;
                l->at = s->logs[i].at;
                s->logs[i].norm = s->logs[i].member = NULL;
                e->pub.logs++;
            }
            break;
        }
    }
    return st;
}

rh_status collect_add_zip(rh_collection *c, const char *path)
{
    struct archive *a;
    struct archive_entry *ae;
    struct scan s;
    size_t i, members = 0;
    rh_status st = zip_open(c, path, &a);
    int r;
    if (st != RH_OK) {
        return st;
    }
    memset(&s, 0, sizeof(s));
    s.c = c;
    s.path = path;
    s.first = c->n;
    while (st == RH_OK && (r = archive_read_next_header(a, &ae)) != ARCHIVE_EOF) {
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, path, -1, "zip: %s: rest of archive skipped",
                     archive_error_string(a) ? archive_error_string(a) : "bad header");
            break;
        }
        if (++members > RH_COLL_MAX_FILES) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1,
                     "more than %u members: rest of archive skipped (RH_COLL_MAX_FILES)",
                     RH_COLL_MAX_FILES);
            break;
        }
        st = scan_member(&s, a, ae);
    }
    archive_read_free(a);
    if (st == RH_OK) {
        st = attach_logs(&s);
    }
    for (i = 0; i < s.nlogs; i++) {
        rh_free(c->ctx, s.logs[i].norm);
        rh_free(c->ctx, s.logs[i].member);
    }
    rh_free(c->ctx, s.logs);
    return st;
}

/* ---- reading members again ------------------------------------------------------------------ */

struct member_stream {
    struct archive *a;
};

static rh_status member_read(void *user, void *p, size_t n, size_t *got)
{
    struct member_stream *m = user;
    la_ssize_t r = archive_read_data(m->a, p, n);
    if (r < 0) {
        return RH_ERR_CORRUPT;
    }
    *got = (size_t)r;
    return RH_OK;
}

static void cursor_close(rh_collection *c, struct zip_cursor *z)
{
    if (z->a) {
        archive_read_free(z->a);
    }
    rh_free(c->ctx, z->path);
    z->a = NULL;
    z->path = NULL;
}

void collect_zip_close(rh_collection *c)
{
    cursor_close(c, &c->zc_hive);
    cursor_close(c, &c->zc_aux);
}

/* Position cursor z at member `name` of `archive`: read on from where it stopped, and start
 * the archive over once when the member lies behind. *out is the cursor's handle, positioned
 * at the member's data. RH_ERR_IO when the member is gone. */
static rh_status zip_seek(rh_collection *c, struct zip_cursor *z, const char *archive,
                          const char *name, struct archive **out)
{
    struct archive_entry *ae;
    int fresh = 0, r;
    *out = NULL;
    if (z->a && strcmp(z->path, archive) != 0) {
        cursor_close(c, z);
    }
    for (;;) {
        if (!z->a) {
            rh_status st = zip_open(c, archive, &z->a);
            if (st != RH_OK) {
                return st;
            }
            z->path = rh_strdup(c->ctx, archive);
            if (!z->path) {
                cursor_close(c, z);
                return RH_ERR_NOMEM;
            }
            fresh = 1;
        }
        while ((r = archive_read_next_header(z->a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
            const char *n = archive_entry_pathname(ae);
            if (n && strcmp(n, name) == 0) {
                *out = z->a;
                return RH_OK;
            }
        }
        cursor_close(c, z); /* end (or a damaged header): start over once */
        if (fresh) {
            break;
        }
    }
    rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, archive, -1, "member %s: not found again", name);
    return RH_ERR_IO;
}

/* A window on the archive file from one member's local header on: libarchive's streaming zip
 * reader over it returns that member first, so a member is reached without reading the
 * headers before it (the offset comes from archive_read_header_position at scan time). */
struct window {
    int fd;
    uint64_t pos;
    uint8_t buf[65536];
};

static la_ssize_t window_read(struct archive *a, void *user, const void **buf)
{
    struct window *w = user;
    int64_t n;
    (void)a;
    n = rh_fd_pread(w->fd, w->buf, sizeof(w->buf), w->pos);
    if (n < 0) {
        return ARCHIVE_FATAL;
    }
    w->pos += (uint64_t)n;
    *buf = w->buf;
    return n;
}

static la_int64_t window_skip(struct archive *a, void *user, la_int64_t n)
{
    struct window *w = user;
    (void)a;
    w->pos += (uint64_t)n;
    return n;
}

static int window_close(struct archive *a, void *user)
{
    struct window *w = user;
    (void)a;
    rh_fd_close(w->fd);
    free(w);
    return ARCHIVE_OK;
}

/* A reader positioned at member `name` whose local header is at `at`, or NULL (then the
 * caller scans with a cursor: an unknown offset, or a member the streaming reader cannot
 * read on its own). Owned: archive_read_free. */
static struct archive *open_at(const char *archive, int64_t at, const char *name)
{
    struct archive *a;
    struct archive_entry *ae;
    struct window *w;
    const char *n;
    if (at < 0 || (a = archive_read_new()) == NULL) {
        return NULL;
    }
    w = malloc(sizeof(*w));
    if (!w || (w->fd = rh_fd_open(archive)) < 0) {
        free(w);
        archive_read_free(a);
        return NULL;
    }
    w->pos = (uint64_t)at;
    archive_read_support_format_zip_streamable(a);
    archive_read_support_filter_none(a);
    if (archive_read_open2(a, w, NULL, window_read, window_skip, window_close) != ARCHIVE_OK) {
        archive_read_free(a); /* closes the window */
        return NULL;
    }
    if (archive_read_next_header(a, &ae) != ARCHIVE_OK || !(n = archive_entry_pathname(ae)) ||
        strcmp(n, name) != 0) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Member `name` (local header at `at`) ready to read: through open_at (*own set: free it),
 * else through cursor z. */
static rh_status member_open(rh_collection *c, struct zip_cursor *z, const char *archive,
                             int64_t at, const char *name, struct archive **out, int *own)
{
    *out = open_at(archive, at, name);
    *own = *out != NULL;
    return *own ? RH_OK : zip_seek(c, z, archive, name, out);
}

/* The logs of e (small: read whole, bounded), through the aux cursor. */
static void load_logs(rh_collection *c, struct coll_entry *e)
{
    uint64_t max = rh_ctx_limits(c->ctx)->max_hive_size;
    int k;
    for (k = 0; k < 3; k++) {
        struct coll_log *l = &e->logs[k];
        struct archive *a;
        int own;
        if (!l->member ||
            member_open(c, &c->zc_aux, e->archive, l->at, l->member, &a, &own) != RH_OK) {
            continue;
        }
        if (read_bounded(c, a, e->archive, l->member, max, &l->data, &l->len) != RH_OK) {
            l->data = NULL; /* a log that cannot be read: the hive opens without it */
            if (!own) {
                cursor_close(c, &c->zc_aux);
            }
        }
        if (own) {
            archive_read_free(a);
        }
    }
}

rh_status collect_open_member(rh_collection *c, struct coll_entry *e, rh_hive_opts *o,
                              rh_hive **out)
{
    const void *ld[4] = {NULL, NULL, NULL, NULL};
    size_t ll[4] = {0, 0, 0, 0};
    const char *ln[4] = {NULL, NULL, NULL, NULL};
    struct member_stream m;
    rh_status st;
    int k, n = 0, own;
    if (!(c->flags & RH_COLL_NO_LOGS)) {
        load_logs(c, e);
    }
    for (k = 0; k < 3; k++) {
        if (e->logs[k].data) {
            ld[n] = e->logs[k].data;
            ll[n] = e->logs[k].len;
            ln[n] = e->logs[k].name;
            n++;
        }
    }
    if (n > 0) {
        o->log_paths = ln;
        o->log_data = ld;
        o->log_lens = ll;
    }
    st = member_open(c, &c->zc_hive, e->archive, e->at, e->member, &m.a, &own);
    if (st == RH_OK) {
        st = rh_hive_open_cb(c->ctx, e->source, member_read, &m, o, out);
        if (own) {
            archive_read_free(m.a);
        } else if (st != RH_OK) {
            cursor_close(c, &c->zc_hive); /* a failed read may leave the handle unusable */
        }
    }
    for (k = 0; k < 3; k++) { /* replayed at open: not needed any more */
        rh_free(c->ctx, e->logs[k].data);
        e->logs[k].data = NULL;
        e->logs[k].len = 0;
    }
    return st;
}

rh_status rh_collection_events_read(rh_collection *c, size_t i, const rh_events_opts *opts,
                                    rh_event_fn fn, void *user)
{
    const struct coll_events *ev;
    struct member_stream m;
    rh_status st;
    int own;
    if (!c || i >= c->nev || !fn) {
        return RH_ERR_ARG;
    }
    ev = &c->ev[i];
    if (ev->path) {
        return rh_events_read_file(c->ctx, ev->path, opts, fn, user);
    }
    st = member_open(c, &c->zc_aux, ev->archive, ev->at, ev->member, &m.a, &own);
    if (st == RH_OK) {
        st = rh_events_read_cb(c->ctx, ev->source, member_read, &m, opts, fn, user);
        if (own) {
            archive_read_free(m.a);
        } else if (st != RH_OK) {
            cursor_close(c, &c->zc_aux);
        }
    }
    return st;
}
