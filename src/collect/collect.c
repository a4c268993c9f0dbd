/*
 * Collection inputs: hive files, directories (recursive, no symlinks) and zip archives read
 * into memory with libarchive; KAPE / Velociraptor path analysis.
 */
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>

#include "collect_internal.h"

#define COMP "collect"

static int name_is(const char *s, size_t n, const char *lit)
{
    return rh_ascii_casecmp(s, n, lit, strlen(lit)) == 0;
}

/* True for "<x>.LOG", ".LOG1", ".LOG2" (transaction logs, never hunted on their own). */
int collect_is_log_name(const char *base, size_t n)
{
    static const char *const sfx[] = {".LOG", ".LOG1", ".LOG2"};
    size_t i;
    for (i = 0; i < 3; i++) {
        size_t l = strlen(sfx[i]);
        if (n > l && rh_ascii_casecmp(base + n - l, l, sfx[i], l) == 0) {
            return (int)i + 1;
        }
    }
    return 0;
}

const char *collect_base_name(const char *p, size_t *n)
{
    const char *s = strrchr(p, '/');
    const char *b = s ? s + 1 : p;
    *n = strlen(b);
    return b;
}

/* ---- entries ---------------------------------------------------------------------------- */

static void entry_free(rh_ctx *ctx, struct coll_entry *e)
{
    int i;
    rh_hive_close(e->hive);
    rh_free(ctx, e->source);
    rh_free(ctx, e->norm);
    rh_free(ctx, e->host_key);
    rh_free(ctx, e->host_folder);
    rh_free(ctx, e->user);
    rh_free(ctx, e->user_sid);
    rh_free(ctx, e->profile_dir);
    rh_free(ctx, e->embedded_user);
    rh_free(ctx, e->archive);
    rh_free(ctx, e->member);
    rh_free(ctx, e->image);
    for (i = 0; i < 3; i++) {
        rh_free(ctx, e->logs[i].name);
        rh_free(ctx, e->logs[i].member);
        rh_free(ctx, e->logs[i].data);
    }
}

static rh_status entry_new(rh_collection *c, struct coll_entry **out)
{
    if (c->n >= RH_COLL_MAX_HIVES) {
        return rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, NULL, -1,
                        "more than %u hives in the collection", RH_COLL_MAX_HIVES) == RH_OK
                   ? RH_ERR_LIMIT
                   : RH_ERR_LIMIT;
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        struct coll_entry *ne = rh_realloc(c->ctx, c->e, nc * sizeof(*ne));
        if (!ne) {
            return RH_ERR_NOMEM;
        }
        c->e = ne;
        c->cap = nc;
    }
    *out = &c->e[c->n];
    memset(*out, 0, sizeof(**out));
    return RH_OK;
}

/* Embedded name (UTF-16LE path tail) -> kind from its base name, and a user name from
 * "\??\C:\Users\<name>\ntuser.dat" or "...\Users\<name>\AppData\...\UsrClass.dat". */
static rh_status from_embedded(rh_collection *c, struct coll_entry *e, const uint8_t *hdr,
                               rh_hive_kind *kind)
{
    rh_buf b = RH_BUF_INIT(c->ctx);
    rh_status st = rh_utf16le_to_utf8(&b, hdr + HDR_NAME, HDR_NAME_LEN, 1);
    const char *s, *bs, *u;
    size_t i;
    if (st != RH_OK || !b.data) {
        rh_buf_free(&b);
        return st;
    }
    s = b.data;
    bs = strrchr(s, '\\');
    bs = bs ? bs + 1 : s;
    *kind = rh_hive_kind_from_file(bs, strlen(bs));
    for (i = 0; s[i]; i++) {
        if (rh_ascii_casecmp(s + i, strlen(s + i) < 7 ? strlen(s + i) : 7, "\\Users\\", 7) == 0) {
            const char *end;
            u = s + i + 7;
            end = strchr(u, '\\');
            if (end && end > u && !e->embedded_user) {
                e->embedded_user = rh_strndup(c->ctx, u, (size_t)(end - u));
                if (!e->embedded_user) {
                    st = RH_ERR_NOMEM;
                }
            }
            break;
        }
    }
    rh_buf_free(&b);
    return st;
}

/* URL-decode one path component (%XX); invalid escapes are kept as written. */
static rh_status url_decode(rh_buf *out, const char *s, size_t n)
{
    size_t i;
    rh_status st = RH_OK;
    for (i = 0; i < n && st == RH_OK; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && i + 2 <= n - 1) {
            int hi = s[i + 1], lo = s[i + 2], v = 0, k;
            int ok = 1;
            for (k = 0; k < 2; k++) {
                int ch = k ? lo : hi, d;
                if (ch >= '0' && ch <= '9') {
                    d = ch - '0';
                } else if (ch >= 'a' && ch <= 'f') {
                    d = ch - 'a' + 10;
                } else if (ch >= 'A' && ch <= 'F') {
                    d = ch - 'A' + 10;
                } else {
                    ok = 0;
                    d = 0;
                }
                v = v * 16 + d;
            }
            if (ok && v != 0 && v != '/') {
                st = rh_buf_putc(out, (char)v);
                i += 2;
                continue;
            }
        }
        st = rh_buf_putc(out, s[i]);
    }
    return st;
}

/* Normalise a path for layout analysis: '\' -> '/', URL-decoding per component. */
rh_status collect_make_norm(rh_ctx *ctx, const char *path, char **out)
{
    rh_buf b = RH_BUF_INIT(ctx);
    const char *p = path;
    rh_status st = RH_OK;
    *out = NULL;
    while (*p && st == RH_OK) {
        size_t n = strcspn(p, "/\\");
        st = url_decode(&b, p, n);
        p += n;
        if (*p && st == RH_OK) {
            st = rh_buf_putc(&b, '/');
            p++;
        }
    }
    if (st == RH_OK) {
        *out = b.data ? b.data : rh_strdup(ctx, "");
        return *out ? RH_OK : RH_ERR_NOMEM;
    }
    rh_buf_free(&b);
    return st;
}

/* A drive component: "C", "C:", "\\.\C:", "HarddiskVolume2" is not (only letters + ':'). */
static int is_drive(const char *s, size_t n)
{
    if (n >= 2 && s[n - 1] == ':' &&
        ((s[n - 2] >= 'A' && s[n - 2] <= 'Z') || (s[n - 2] >= 'a' && s[n - 2] <= 'z'))) {
        return 1;
    }
    return n == 1 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'));
}

struct comp {
    const char *p;
    size_t n;
};

static char drive_letter(const struct comp *d)
{
    char l = d->n >= 2 && d->p[d->n - 1] == ':' ? d->p[d->n - 2] : d->p[0];
    return (char)(l >= 'a' && l <= 'z' ? l - 32 : l);
}

rh_status collect_analyse_path(rh_collection *c, struct coll_entry *e, const char *container)
{
    struct comp comp[RH_COLL_MAX_DEPTH + 2];
    size_t k = 0, i, d = RH_COLL_MAX_DEPTH + 2, root_end;
    const char *p = e->norm;
    rh_buf key = RH_BUF_INIT(c->ctx);
    rh_status st = RH_OK;
    while (*p && k < RH_COLL_MAX_DEPTH + 2) {
        size_t n = strcspn(p, "/");
        if (n > 0) {
            comp[k].p = p;
            comp[k].n = n;
            k++;
        }
        p += n;
        if (*p) {
            p++;
        }
    }
    for (i = 0; i + 2 < k; i++) {
        if (is_drive(comp[i].p, comp[i].n) &&
            (name_is(comp[i + 1].p, comp[i + 1].n, "Windows") ||
             name_is(comp[i + 1].p, comp[i + 1].n, "Users") ||
             name_is(comp[i + 1].p, comp[i + 1].n, "Documents and Settings"))) {
            d = i;
        }
    }
    e->layout = "files";
    root_end = k > 0 ? k - 1 : 0;
    if (d < k) {
        root_end = d;
        e->layout = "kape";
        if (root_end >= 1 && name_is(comp[root_end - 1].p, comp[root_end - 1].n, "auto")) {
            root_end--;
        } else if (root_end >= 1 && name_is(comp[root_end - 1].p, comp[root_end - 1].n, "ntfs")) {
            root_end--;
        }
        if (root_end >= 1 && name_is(comp[root_end - 1].p, comp[root_end - 1].n, "uploads")) {
            root_end--;
            e->layout = "velociraptor";
        } else if (root_end < d) {
            root_end = d; /* "auto" without "uploads": not Velociraptor after all */
        }
        /* Users\<name>\... and the service profiles. */
        if (d + 3 < k && (name_is(comp[d + 1].p, comp[d + 1].n, "Users") ||
                          name_is(comp[d + 1].p, comp[d + 1].n, "Documents and Settings"))) {
            rh_buf pd = RH_BUF_INIT(c->ctx);
            e->user = rh_strndup(c->ctx, comp[d + 2].p, comp[d + 2].n);
            st = rh_buf_printf(&pd, "%c:\\%.*s\\%.*s", drive_letter(&comp[d]), (int)comp[d + 1].n,
                               comp[d + 1].p, (int)comp[d + 2].n, comp[d + 2].p);
            e->profile_dir = pd.data;
            if (!e->user || st != RH_OK) {
                rh_buf_free(&pd);
                e->profile_dir = NULL;
                return RH_ERR_NOMEM;
            }
        } else if (d + 4 < k && name_is(comp[d + 2].p, comp[d + 2].n, "ServiceProfiles")) {
            const char *sid = name_is(comp[d + 3].p, comp[d + 3].n, "LocalService")     ? "S-1-5-19"
                              : name_is(comp[d + 3].p, comp[d + 3].n, "NetworkService") ? "S-1-5-20"
                                                                                        : NULL;
            e->user = rh_strndup(c->ctx, comp[d + 3].p, comp[d + 3].n);
            e->user_sid = sid ? rh_strdup(c->ctx, sid) : NULL;
            if (!e->user || (sid && !e->user_sid)) {
                return RH_ERR_NOMEM;
            }
        } else if (d + 5 < k && name_is(comp[d + 4].p, comp[d + 4].n, "systemprofile")) {
            e->user = rh_strdup(c->ctx, "SYSTEM");
            e->user_sid = rh_strdup(c->ctx, "S-1-5-18");
            if (!e->user || !e->user_sid) {
                return RH_ERR_NOMEM;
            }
        }
    }
    /* Host key: container + root components; display name: last root component. */
    st = rh_buf_puts(&key, container ? container : "");
    for (i = 0; i < root_end && st == RH_OK; i++) {
        st = rh_buf_printf(&key, "/%.*s", (int)comp[i].n, comp[i].p);
    }
    if (st != RH_OK) {
        rh_buf_free(&key);
        return st;
    }
    e->host_key = key.data ? key.data : rh_strdup(c->ctx, "");
    if (root_end > 0) {
        e->host_folder = rh_strndup(c->ctx, comp[root_end - 1].p, comp[root_end - 1].n);
    } else if (container && *container) {
        size_t bn;
        const char *b = collect_base_name(container, &bn);
        if (bn > 4 && name_is(b + bn - 4, 4, ".zip")) {
            bn -= 4;
        }
        e->host_folder = rh_strndup(c->ctx, b, bn);
    } else {
        e->host_folder = rh_strdup(c->ctx, ".");
    }
    return e->host_key && e->host_folder ? RH_OK : RH_ERR_NOMEM;
}

/* Classify a candidate by its header. Returns 1 for a primary hive, 0 otherwise. */
int collect_header_is_hive(const uint8_t *hdr, size_t n)
{
    return n >= HDR_READ && memcmp(hdr + HDR_SIG, "regf", 4) == 0 &&
           rh_le32(hdr + HDR_FILE_TYPE) == 0;
}

rh_status collect_add_entry(rh_collection *c, const char *source, const char *inner_path,
                            const char *container, const uint8_t *hdr, uint64_t size,
                            struct coll_entry **out)
{
    struct coll_entry *e;
    rh_status st = entry_new(c, &e);
    size_t bn;
    const char *b;
    rh_hive_kind ek = RH_HIVE_KIND_UNKNOWN;
    if (st != RH_OK) {
        return st;
    }
    e->source = rh_strdup(c->ctx, source);
    if (!e->source) {
        return RH_ERR_NOMEM;
    }
    st = collect_make_norm(c->ctx, inner_path, &e->norm);
    if (st == RH_OK) {
        st = collect_analyse_path(c, e, container);
    }
    if (st == RH_OK) {
        st = from_embedded(c, e, hdr, &ek);
    }
    if (st != RH_OK) {
        entry_free(c->ctx, e);
        return st;
    }
    b = collect_base_name(e->norm, &bn);
    e->pub.kind = rh_hive_kind_from_file(b, bn);
    if (e->pub.kind == RH_HIVE_KIND_UNKNOWN) {
        e->pub.kind = ek;
    }
    e->pub.size = size;
    e->pub.last_written = rh_le64(hdr + HDR_LAST_WRITTEN);
    e->pub.in_archive = container != NULL;
    c->n++;
    c->bytes += size;
    if (out) {
        *out = &c->e[c->n - 1];
    }
    return RH_OK;
}

/* ---- files and directories --------------------------------------------------------------- */

static rh_status read_header(rh_collection *c, const char *path, uint8_t *hdr, size_t *got,
                             uint64_t *size)
{
    int fd = rh_fd_open(path);
    int64_t r;
    (void)c;
    *got = 0;
    if (fd < 0) {
        return RH_ERR_IO;
    }
    if (rh_fd_size(fd, size) != 0) {
        rh_fd_close(fd);
        return RH_ERR_IO;
    }
    r = rh_fd_read(fd, hdr, HDR_READ);
    rh_fd_close(fd);
    if (r < 0) {
        return RH_ERR_IO;
    }
    *got = (size_t)r;
    return RH_OK;
}

/* Event inputs by name: .evtx, .json, .ndjson, .jsonl, .csv, .gz (any case). */
int collect_is_event_name(const char *base, size_t n)
{
    static const char *const sfx[] = {".evtx", ".json", ".ndjson", ".jsonl", ".csv", ".gz"};
    size_t i;
    for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        size_t l = strlen(sfx[i]);
        if (n > l && rh_ascii_casecmp(base + n - l, l, sfx[i], l) == 0) {
            return 1;
        }
    }
    return 0;
}

rh_status collect_add_events(rh_collection *c, const char *archive, const char *name, uint64_t size,
                             int64_t at)
{
    struct coll_entry tmp;
    struct coll_events *ev;
    rh_buf src = RH_BUF_INIT(c->ctx);
    rh_status st;
    if (c->nev >= RH_COLL_MAX_EVENT_LOGS) {
        rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, archive ? archive : name, -1,
                 "more than %u event inputs: %s skipped (RH_COLL_MAX_EVENT_LOGS)",
                 RH_COLL_MAX_EVENT_LOGS, name);
        return RH_OK;
    }
    if (c->nev == c->capev) {
        size_t nc = c->capev ? c->capev * 2 : 16;
        struct coll_events *ne = rh_realloc(c->ctx, c->ev, nc * sizeof(*ne));
        if (!ne) {
            return RH_ERR_NOMEM;
        }
        c->ev = ne;
        c->capev = nc;
    }
    ev = &c->ev[c->nev];
    memset(ev, 0, sizeof(*ev));
    memset(&tmp, 0, sizeof(tmp));
    st = archive ? rh_buf_printf(&src, "%s!%s", archive, name) : rh_buf_puts(&src, name);
    if (st == RH_OK) {
        st = collect_make_norm(c->ctx, name, &tmp.norm);
    }
    if (st == RH_OK) {
        st = collect_analyse_path(c, &tmp, archive);
    }
    if (st == RH_OK) {
        ev->path = archive ? NULL : rh_strdup(c->ctx, name);
        ev->archive = archive ? rh_strdup(c->ctx, archive) : NULL;
        ev->member = archive ? rh_strdup(c->ctx, name) : NULL;
        if ((archive && (!ev->archive || !ev->member)) || (!archive && !ev->path)) {
            st = RH_ERR_NOMEM;
        }
    }
    if (st == RH_OK) {
        ev->source = src.data;
        ev->host_key = tmp.host_key;
        ev->host_folder = tmp.host_folder;
        ev->pub.size = size;
        ev->at = at;
        ev->pub.in_archive = archive != NULL;
        ev->pub.host = RH_COLL_NONE;
        tmp.host_key = NULL;
        tmp.host_folder = NULL;
        c->nev++;
    } else {
        rh_free(c->ctx, ev->path);
        rh_free(c->ctx, ev->archive);
        rh_free(c->ctx, ev->member);
        rh_buf_free(&src);
    }
    entry_free(c->ctx, &tmp);
    return st;
}

static rh_status add_file(rh_collection *c, const char *path, int explicit_arg)
{
    uint8_t hdr[HDR_READ];
    size_t got = 0, bn;
    uint64_t size = 0;
    const char *b = collect_base_name(path, &bn);
    rh_status st = read_header(c, path, hdr, &got, &size);
    if (st != RH_OK) {
        if (explicit_arg) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1, "cannot read file");
            return RH_ERR_IO;
        }
        rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, path, -1, "cannot read file: skipped");
        return RH_OK;
    }
    if (got >= 4 && memcmp(hdr, "PK\x03\x04", 4) == 0) {
        return collect_add_zip(c, path);
    }
    if (collect_is_event_name(b, bn)) {
        return c->flags & RH_COLL_NO_EVENTS ? RH_OK : collect_add_events(c, NULL, path, size, -1);
    }
    if (collect_is_log_name(b, bn)) {
        return RH_OK; /* found again by rh_hive_open beside its hive */
    }
    if (!collect_header_is_hive(hdr, got)) {
        if (explicit_arg) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1,
                     "not a registry hive (no regf primary header) and not a zip archive");
            return RH_ERR_FORMAT;
        }
        return RH_OK;
    }
    return collect_add_entry(c, path, path, NULL, hdr, size, NULL);
}

static rh_status add_dir(rh_collection *c, const char *path, unsigned depth)
{
    char **names = NULL;
    size_t n = 0, i, room;
    rh_status st;
    if (depth > RH_COLL_MAX_DEPTH) {
        rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, path, -1, "directory deeper than %u: skipped",
                 RH_COLL_MAX_DEPTH);
        return RH_OK;
    }
    room = c->files_seen < RH_COLL_MAX_FILES ? RH_COLL_MAX_FILES - c->files_seen : 0;
    st = rh_dir_list(c->ctx, path, room, &names, &n);
    if (st == RH_ERR_IO) {
        rh_diagf(c->ctx, depth == 0 ? RH_DIAG_ERROR : RH_DIAG_WARNING, COMP, path, -1,
                 "cannot open directory");
        return depth == 0 ? RH_ERR_IO : RH_OK;
    }
    c->files_seen += n;
    if (st == RH_ERR_LIMIT) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1, "more than %u files visited",
                 RH_COLL_MAX_FILES);
    }
    for (i = 0; i < n && st == RH_OK; i++) {
        rh_buf p = RH_BUF_INIT(c->ctx);
        rh_fs_kind kind;
        size_t pl = strlen(path);
        st = rh_buf_printf(&p, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", names[i]);
        if (st == RH_OK && p.len > RH_COLL_MAX_PATH) {
            rh_diagf(c->ctx, RH_DIAG_WARNING, COMP, p.data, -1, "path too long: skipped");
        } else if (st == RH_OK && (kind = rh_os_path_kind(p.data, 0, NULL)) != RH_FS_NONE) {
            if (kind == RH_FS_DIR) {
                st = add_dir(c, p.data, depth + 1);
            } else if (kind == RH_FS_FILE) {
                st = add_file(c, p.data, 0);
            }
        }
        rh_buf_free(&p);
    }
    rh_dir_list_free(c->ctx, names, n);
    return st;
}

/* ---- public ------------------------------------------------------------------------------ */

rh_status rh_collection_create(rh_ctx *ctx, const rh_collection_opts *opts, rh_collection **out)
{
    rh_collection *c;
    *out = NULL;
    if (!ctx) {
        return RH_ERR_ARG;
    }
    c = rh_calloc(ctx, 1, sizeof(*c));
    if (!c) {
        return RH_ERR_NOMEM;
    }
    c->ctx = ctx;
    c->flags = opts ? opts->flags : 0;
    *out = c;
    return RH_OK;
}

void rh_collection_destroy(rh_collection *c)
{
    size_t i;
    if (!c) {
        return;
    }
    collect_zip_close(c);
    for (i = 0; i < c->n; i++) {
        entry_free(c->ctx, &c->e[i]);
    }
    for (i = 0; i < c->nhosts; i++) {
        rh_free(c->ctx, c->hosts[i].name);
        rh_free(c->ctx, c->hosts[i].folder);
        rh_free(c->ctx, c->hosts[i].system_root);
    }
    for (i = 0; i < c->nev; i++) {
        rh_free(c->ctx, c->ev[i].source);
        rh_free(c->ctx, c->ev[i].host_key);
        rh_free(c->ctx, c->ev[i].host_folder);
        rh_free(c->ctx, c->ev[i].path);
        rh_free(c->ctx, c->ev[i].archive);
        rh_free(c->ctx, c->ev[i].member);
    }
    rh_free(c->ctx, c->ev);
    rh_free(c->ctx, c->hosts);
    rh_free(c->ctx, c->e);
    rh_free(c->ctx, c);
}

rh_status rh_collection_add(rh_collection *c, const char *path)
{
    rh_fs_kind kind;
    if (!c || !path || c->finished) {
        return RH_ERR_ARG;
    }
    if (strlen(path) > RH_COLL_MAX_PATH) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, NULL, -1, "path longer than %u bytes",
                 RH_COLL_MAX_PATH);
        return RH_ERR_LIMIT;
    }
    kind = rh_os_path_kind(path, 1, NULL);
    if (kind == RH_FS_NONE) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, path, -1, "no such file or directory");
        return RH_ERR_IO;
    }
    if (kind == RH_FS_DIR) {
        return add_dir(c, path, 0);
    }
    return add_file(c, path, 1);
}

rh_status rh_collection_add_image(rh_collection *c, const char *source, const char *layout_path,
                                  uint8_t *image, size_t len)
{
    struct coll_entry *e = NULL;
    rh_status st;
    if (!c || !source || !layout_path || !image || c->finished) {
        if (c) {
            rh_free(c->ctx, image);
        }
        return RH_ERR_ARG;
    }
    if (!collect_header_is_hive(image, len)) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, COMP, source, 0, "not a registry hive (no regf header)");
        rh_free(c->ctx, image);
        return RH_ERR_FORMAT;
    }
    st = collect_add_entry(c, source, layout_path, NULL, image, len, &e);
    if (st != RH_OK) {
        rh_free(c->ctx, image);
        return st;
    }
    e->image = image;
    e->image_len = len;
    return RH_OK;
}

size_t rh_collection_hive_count(const rh_collection *c)
{
    return c ? c->n : 0;
}

const rh_coll_hive *rh_collection_hive_at(const rh_collection *c, size_t i)
{
    return c && i < c->n ? &c->e[i].pub : NULL;
}

size_t rh_collection_host_count(const rh_collection *c)
{
    return c ? c->nhosts : 0;
}

const rh_coll_host *rh_collection_host_at(const rh_collection *c, size_t i)
{
    return c && i < c->nhosts ? &c->hosts[i].pub : NULL;
}

uint64_t rh_collection_bytes(const rh_collection *c)
{
    return c ? c->bytes : 0;
}

size_t rh_collection_events_count(const rh_collection *c)
{
    return c ? c->nev : 0;
}

const rh_coll_events *rh_collection_events_at(const rh_collection *c, size_t i)
{
    return c && i < c->nev ? &c->ev[i].pub : NULL;
}

rh_status rh_collection_open(rh_collection *c, size_t i, rh_hive **out)
{
    struct coll_entry *e;
    rh_hive_opts o;
    *out = NULL;
    if (!c || i >= c->n) {
        return RH_ERR_ARG;
    }
    e = &c->e[i];
    if (e->hive) {
        *out = e->hive;
        return RH_OK;
    }
    if (e->open_tried && e->open_status != RH_OK) {
        return e->open_status;
    }
    memset(&o, 0, sizeof(o));
    o.flags = (c->flags & RH_COLL_NO_LOGS ? RH_HIVE_NO_LOGS : 0) |
              (c->flags & RH_COLL_DELETED ? RH_HIVE_DELETED : 0);
    e->open_tried = 1;
    if (e->image) {
        o.flags |= RH_HIVE_NO_LOGS;
        e->open_status = rh_hive_open_mem(c->ctx, e->source, e->image, e->image_len, &o, &e->hive);
    } else if (e->archive) {
        e->open_status = collect_open_member(c, e, &o, &e->hive);
    } else {
        e->open_status = rh_hive_open(c->ctx, e->source, &o, &e->hive);
    }
    if (e->open_status == RH_OK) {
        const rh_hive_info *inf = rh_hive_get_info(e->hive);
        if (!e->archive) {
            e->pub.logs = inf->logs_found;
        }
    }
    *out = e->hive;
    return e->open_status;
}

void rh_collection_release(rh_collection *c, size_t i)
{
    if (c && i < c->n && c->e[i].hive) {
        rh_hive_close(c->e[i].hive);
        c->e[i].hive = NULL;
        c->e[i].open_tried = 0;
    }
}
