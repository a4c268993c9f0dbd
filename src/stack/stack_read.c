/*
 * Stack inputs: hunt JSONL files (plain or gzip: zlib reads both), folders of them. Files are
 * read in 64 KiB chunks and split into lines; a line is parsed where it lies in the chunk and
 * copied only when it spans two chunks (capped at RH_STACK_MAX_LINE). Files are opened
 * O_RDONLY and never written.
 */
#include <zlib.h>

#include "stack_internal.h"

#define CHUNK (64u * 1024u)

/* The state of one file's line splitter. */
struct file_read {
    rh_stack *s;
    const char *path;
    uint64_t lineno;
    int decided;  /* the first non-empty line was a finding */
    int skipping; /* the current line is over RH_STACK_MAX_LINE */
    rh_status st; /* RH_ERR_FORMAT: not hunt JSONL; stop */
};

static int blank(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
            return 0;
        }
    }
    return 1;
}

/* One complete line (without its newline). */
static void line_done(struct file_read *fr, const char *p, size_t n, int too_long)
{
    rh_stack *s = fr->s;
    rh_status st;
    fr->lineno++;
    if (fr->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3; /* UTF-8 byte order mark */
        n -= 3;
    }
    if (!too_long && blank(p, n)) {
        return;
    }
    s->stats.lines++;
    st = too_long ? RH_ERR_FORMAT : rh_stack_add_line(s, p, n);
    if (st == RH_ERR_FORMAT && !fr->decided) {
        rh_diagf(s->ctx, RH_DIAG_ERROR, "stack", fr->path, -1,
                 "not hunt JSONL: line %llu is not a 'reghunt hunt -f jsonl' finding (an "
                 "object with host, location_id and risk)",
                 (unsigned long long)fr->lineno);
        fr->st = RH_ERR_FORMAT;
        return;
    }
    fr->decided = 1;
    if (st == RH_ERR_FORMAT) {
        s->stats.malformed++;
        st = rh_diag_at(s->ctx, RH_DIAG_ANOMALY, "stack", fr->path,
                        (int)(fr->lineno > INT32_MAX ? INT32_MAX : fr->lineno), 1,
                        too_long ? "line longer than RH_STACK_MAX_LINE bytes, skipped"
                                 : "not a hunt finding (bad JSON, or no host, location_id "
                                   "or risk), skipped");
    }
    if (st != RH_OK) {
        fr->st = st;
    }
}

/* Split a chunk into lines; the part of a line that continues is kept in s->line. */
static void split(struct file_read *fr, const char *p, size_t n)
{
    rh_buf *line = &fr->s->line;
    while (n > 0 && fr->st == RH_OK) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        if (!fr->skipping) {
            if (line->len == 0 && nl) {
                line_done(fr, p, len, 0); /* the whole line is in this chunk */
            } else if (rh_buf_append(line, p, len) != RH_OK) {
                fr->skipping = 1;
                rh_buf_reset(line);
            } else if (nl) {
                line_done(fr, line->data, line->len, 0);
                rh_buf_reset(line);
            }
        }
        if (nl && fr->skipping) {
            line_done(fr, "", 0, 1);
            fr->skipping = 0;
        }
        if (!nl) {
            break;
        }
        p = nl + 1;
        n -= len + 1;
    }
}

static rh_status read_file(rh_stack *s, const char *path)
{
    struct file_read fr = {s, path, 0, 0, 0, RH_OK};
    char *chunk;
    gzFile gz;
    int fd = rh_fd_open(path), got = 0;
    if (fd < 0) {
        s->stats.files_failed++;
        rh_diagf(s->ctx, RH_DIAG_ERROR, "stack", path, -1, "cannot open");
        return RH_ERR_IO;
    }
    gz = gzdopen(fd, "rb");
    chunk = rh_malloc(s->ctx, CHUNK);
    if (!gz || !chunk) {
        if (gz) {
            gzclose(gz);
        } else {
            rh_fd_close(fd);
        }
        rh_free(s->ctx, chunk);
        return RH_ERR_NOMEM;
    }
    rh_buf_reset(&s->line);
    while (fr.st == RH_OK && (got = gzread(gz, chunk, CHUNK)) > 0) {
        split(&fr, chunk, (size_t)got);
    }
    if (fr.st == RH_OK && got < 0) {
        int zerr = 0;
        const char *msg = gzerror(gz, &zerr);
        rh_diagf(s->ctx, fr.lineno ? RH_DIAG_ANOMALY : RH_DIAG_ERROR, "stack", path, -1,
                 "read stopped after line %llu: %s", (unsigned long long)fr.lineno,
                 msg ? msg : "read error");
        fr.st = fr.lineno ? RH_OK : RH_ERR_IO;
    }
    if (fr.st == RH_OK && (s->line.len > 0 || fr.skipping)) {
        line_done(&fr, s->line.data ? s->line.data : "", s->line.len, fr.skipping);
    }
    rh_buf_reset(&s->line);
    gzclose(gz);
    rh_free(s->ctx, chunk);
    if (fr.st == RH_OK) {
        s->stats.files++;
    } else if (fr.st == RH_ERR_FORMAT || fr.st == RH_ERR_IO) {
        s->stats.files_failed++;
    }
    return fr.st;
}

/* A case store: the newest run of each host (rh_case_latest). */
static rh_status case_cb(void *user, const char *host, const rh_case_finding *cf)
{
    rh_stack *s = user;
    struct stack_finding f;
    if (!cf) {
        return stack_add_host(s, host, strlen(host));
    }
    memset(&f, 0, sizeof(f));
    f.host = cf->host;
    f.host_n = strlen(cf->host);
    f.lid = cf->location_id;
    f.lid_n = strlen(cf->location_id);
    f.tech = cf->technique;
    f.tech_n = strlen(cf->technique);
    f.target = cf->target_path;
    f.target_n = strlen(cf->target_path);
    f.name = cf->value_name;
    f.name_n = cf->value_name_len;
    f.data = cf->value_data;
    f.data_n = cf->value_data_len;
    f.risk = cf->risk;
    f.times[0] = cf->key_last_write;
    f.times[1] = cf->event_time;
    f.verdict = cf->verdict;
    s->stats.lines++;
    return stack_aggregate(s, &f);
}

static rh_status read_case(rh_stack *s, const char *path)
{
    rh_case *c = NULL;
    rh_status st = rh_case_open(s->ctx, path, RH_CASE_READ, &c);
    if (st == RH_OK) {
        st = rh_case_latest(c, case_cb, s);
    }
    rh_case_close(c);
    if (st == RH_OK) {
        s->stats.files++;
    } else if (st != RH_ERR_NOMEM) {
        s->stats.files_failed++;
    }
    return st;
}

/* Names of hunt JSONL files in folders. */
static int wanted(const char *name)
{
    static const char *const ext[] = {".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"};
    size_t i, n = strlen(name);
    for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t e = strlen(ext[i]);
        if (n > e && rh_ascii_casecmp(name + n - e, e, ext[i], e) == 0) {
            return 1;
        }
    }
    return 0;
}

static rh_status add_dir(rh_stack *s, rh_buf *path, unsigned depth)
{
    char **names = NULL;
    size_t n = 0, i, base = path->len;
    rh_status first = RH_OK;
    rh_status st = rh_dir_list(s->ctx, path->data, RH_STACK_MAX_DIR_ENTRIES, &names, &n);
    if (st == RH_ERR_IO || st == RH_ERR_NOMEM) {
        rh_diagf(s->ctx, RH_DIAG_ERROR, "stack", path->data, -1, "cannot list the folder");
        return st;
    }
    if (st == RH_ERR_LIMIT) {
        rh_diagf(s->ctx, RH_DIAG_WARNING, "stack", path->data, -1,
                 "more than %u entries: the first ones read are stacked", RH_STACK_MAX_DIR_ENTRIES);
    }
    for (i = 0; i < n && first != RH_ERR_NOMEM; i++) {
        rh_fs_kind kind;
        rh_buf_truncate(path, base);
        rh_buf_putc(path, '/');
        rh_buf_puts(path, names[i]);
        if (rh_buf_status(path) != RH_OK ||
            (kind = rh_os_path_kind(path->data, 1, NULL)) == RH_FS_NONE) {
            continue;
        }
        if (kind == RH_FS_DIR && depth < RH_STACK_MAX_DEPTH) {
            st = add_dir(s, path, depth + 1);
        } else if (kind == RH_FS_FILE && wanted(names[i])) {
            st = read_file(s, path->data);
        } else {
            continue;
        }
        first = (first == RH_OK || st == RH_ERR_NOMEM) ? st : first;
    }
    rh_buf_truncate(path, base);
    rh_dir_list_free(s->ctx, names, n);
    return first;
}

rh_status rh_stack_add_path(rh_stack *s, const char *path)
{
    rh_fs_kind kind;
    rh_buf p;
    rh_status st;
    if (!s || !path) {
        return RH_ERR_ARG;
    }
    kind = rh_os_path_kind(path, 1, NULL);
    if (kind == RH_FS_NONE) {
        s->stats.files_failed++;
        rh_diagf(s->ctx, RH_DIAG_ERROR, "stack", path, -1, "cannot open");
        return RH_ERR_IO;
    }
    if (kind != RH_FS_DIR) {
        return rh_case_is_sqlite(path) ? read_case(s, path) : read_file(s, path);
    }
    rh_buf_init(&p, s->ctx);
    rh_buf_puts(&p, path);
    while (p.len > 1 && p.data[p.len - 1] == '/') {
        rh_buf_truncate(&p, p.len - 1);
    }
    st = rh_buf_status(&p) == RH_OK ? add_dir(s, &p, 0) : RH_ERR_NOMEM;
    rh_buf_free(&p);
    return st;
}
